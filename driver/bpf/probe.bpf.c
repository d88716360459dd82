// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The Osprey CO-RE eBPF probe.
 *
 * One program on tp_btf/sys_exit produces one event per traced system call,
 * with the arguments (from the registers saved at entry) and the result. No
 * sys_enter program is attached: the exit has everything we need, and a
 * second program per syscall would double the fixed cost. The process
 * lifecycle comes from the scheduler's fork, exec and exit tracepoints.
 *
 * The fast path for a syscall nobody asked for is one array load
 * (syscall_interest) and a return. For a wanted one, the event table
 * (driver/schema/event_table.h) drives the filling: fill_syscall() calls one
 * subprogram per event id, in which every parameter's type and source are
 * constants, so the verifier and the CPU see straight-line code per event.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "osprey_schema.h"
#include "event_table.h"
#include "syscall_map.h"
#include "filler.bpf.h"
#include "task.bpf.h"
#include "net.bpf.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* Set by userspace at any time (mmap'd .bss). */
__u8 syscall_interest[OSP_SYSCALL_MAX];
__u8 proc_interest[OSP_EVT_EXECVE]; /* indexed by OSP_EVT_PROC_* */
__u32 own_tgid;

#define OSP_F_DUPFD 0
#define OSP_F_DUPFD_CLOEXEC 1030
#define OSP_PROT_EXEC 0x4
#define OSP_PR_SET_NAME 15
#define OSP_ARGV_MAX 64
#define OSP_CLONE_VFORK 0x4000
#define OSP_CAP_DAC_OVERRIDE 1
#define OSP_SB_RDONLY 1
#define OSP_S_IMMUTABLE 8
#define OSP_TMPFS_MAGIC 0x01021994
#define OSP_HUGETLBFS_MAGIC 0x958458f6

/* argv of a failed execve: an array of user pointers to strings, stored NUL-separated. */
static __noinline void push_user_argv(struct filler *f, const char *const *argv)
{
	__u32 start = f->s->pos, total = 0, max = snaplen;
	int truncated = 0, i;

	if (max > OSP_SNAPLEN_MAX)
		max = OSP_SNAPLEN_MAX;
	max = filler_room(f, max);
	if (!argv) {
		push_empty(f);
		return;
	}
	f->s->total = 0;
	for (i = 0; i < OSP_ARGV_MAX; i++) {
		const char *arg = NULL;
		__u32 room;
		long n;

		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
			break;
		total = f->s->total;
		if (total + 1 >= max) {
			truncated = 1;
			break;
		}
		room = max - total;
		if (room > OSP_STR_MAX)
			room = OSP_STR_MAX;
		n = bpf_probe_read_user_str(&f->s->event[(start + total) & OSP_POS_MASK], room, arg);
		if (n <= 0)
			break;
		f->s->total = total + (__u32)n;
		if ((__u32)n == room) {
			truncated = 1;
			break;
		}
	}
	total = f->s->total;
	if (i == OSP_ARGV_MAX)
		truncated = 1;
	filler_commit(f, total, truncated);
}

static __always_inline void push_user_u32_at(struct filler *f, __u64 uptr)
{
	__u32 v;

	if (!uptr || bpf_probe_read_user(&v, sizeof(v), (const void *)uptr)) {
		push_empty(f);
		return;
	}
	push_u32(f, v);
}

static __always_inline void push_user_s32_as_fd(struct filler *f, __u64 uptr, long ret)
{
	__s32 v;

	if (ret < 0 || !uptr || bpf_probe_read_user(&v, sizeof(v), (const void *)uptr)) {
		push_empty(f);
		return;
	}
	push_u64(f, (__u64)(__s64)v);
}

/* Parameters whose source is OSP_SRC_CUSTOM: event-specific code, selected at compile time. */
static __always_inline void fill_custom(struct filler *f, const __u32 e, const __u32 i,
					struct pt_regs *regs, long ret)
{
	switch (e) {
	case OSP_EVT_EXECVE:
		push_user_argv(f, (const char *const *)syscall_arg(regs, 1));
		return;
	case OSP_EVT_EXECVEAT:
		push_user_argv(f, (const char *const *)syscall_arg(regs, 2));
		return;
	case OSP_EVT_CLONE3: {
		__u64 flags;

		if (bpf_probe_read_user(&flags, sizeof(flags), (const void *)syscall_arg(regs, 0))) {
			push_empty(f);
			return;
		}
		push_u64(f, flags);
		return;
	}
	case OSP_EVT_OPENAT2: {
		/* struct open_how { __u64 flags, mode, resolve; } */
		__u64 v;
		const __u8 *how = (const __u8 *)syscall_arg(regs, 2);

		if (bpf_probe_read_user(&v, sizeof(v), how + 8 * (i - 3))) { /* flags is param 3 */
			push_empty(f);
			return;
		}
		push_u32(f, (__u32)v);
		return;
	}
	case OSP_EVT_SOCKETPAIR:
		push_user_s32_as_fd(f, syscall_arg(regs, 3) + 4 * (i - 4), ret);
		return;
	case OSP_EVT_PIPE:
	case OSP_EVT_PIPE2:
		push_user_s32_as_fd(f, syscall_arg(regs, 0) + 4 * (i - 1), ret);
		return;
	case OSP_EVT_CONNECT:
		push_socktuple(f, fd_sock((__s64)syscall_arg(regs, 0)),
			       (const void *)syscall_arg(regs, 1), syscall_arg(regs, 2));
		return;
	case OSP_EVT_ACCEPT:
	case OSP_EVT_ACCEPT4:
		push_socktuple(f, ret >= 0 ? fd_sock(ret) : NULL, NULL, 0);
		return;
	case OSP_EVT_SENDMSG: {
		struct user_msghdr mh;

		if (bpf_probe_read_user(&mh, sizeof(mh), (const void *)syscall_arg(regs, 1))) {
			push_empty(f);
			return;
		}
		push_user_sockaddr(f, mh.msg_name, mh.msg_namelen);
		return;
	}
	case OSP_EVT_CAPSET: {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		const struct cred *cred = BPF_CORE_READ(task, cred);

		if (i == 1)
			push_u64(f, read_caps(&cred->cap_inheritable));
		else if (i == 2)
			push_u64(f, read_caps(&cred->cap_permitted));
		else
			push_u64(f, read_caps(&cred->cap_effective));
		return;
	}
	case OSP_EVT_PRCTL:
		if (syscall_arg(regs, 0) == OSP_PR_SET_NAME)
			push_str(f, (const void *)syscall_arg(regs, 1), OSP_COMM_LEN + 1, 1);
		else
			push_empty(f);
		return;
	case OSP_EVT_IO_URING_SETUP:
		/* struct io_uring_params { __u32 sq_entries, cq_entries, flags; ... } */
		push_user_u32_at(f, syscall_arg(regs, 1) ? syscall_arg(regs, 1) + 8 : 0);
		return;
	default:
		push_empty(f);
		return;
	}
}

/*
 * The syscall the current task is in, and its first argument, from the
 * registers saved at entry: for the scheduler tracepoints, which fire inside
 * fork/clone/exec. Needs bpf_task_pt_regs() (5.15); returns -1 before that.
 */
static __always_inline long current_syscall(__u64 *ret_arg0)
{
#if defined(__TARGET_ARCH_x86)
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs)) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

		if (regs) {
			*ret_arg0 = BPF_CORE_READ(regs, di);
			return BPF_CORE_READ(regs, orig_ax);
		}
	}
#endif
	return -1;
}

/* One parameter, as the table says: constants after unrolling. */
static __always_inline void fill_param(struct filler *f, const __u32 e, const __u32 i,
				       struct pt_regs *regs, long ret)
{
	const struct osp_param_info *p = &osp_event_table[e].params[i];
	__u64 v;

	if (p->source == OSP_SRC_CUSTOM) {
		fill_custom(f, e, i, regs, ret);
		return;
	}
	v = p->source == OSP_SRC_RET ? (__u64)ret : syscall_arg(regs, p->source);
	/*
	 * fds, pids and ints are C ints: the upper half of their register is not a
	 * sign extension (AT_FDCWD arrives as 0x00000000ffffff9c).
	 */
	if (p->source != OSP_SRC_RET &&
	    (p->type == OSP_PT_FD || p->type == OSP_PT_DIRFD || p->type == OSP_PT_PID ||
	     p->type == OSP_PT_INT32))
		v = (__u64)(__s64)(__s32)v;
	switch (p->type) {
	case OSP_PT_CHARBUF:
	case OSP_PT_PATH:
	case OSP_PT_FSRELPATH:
		push_str(f, (const void *)v, OSP_STR_MAX, 1);
		break;
	case OSP_PT_SOCKADDR:
		push_user_sockaddr(f, (const void *)v, syscall_arg(regs, p->aux));
		break;
	case OSP_PT_BYTEBUF:
	case OSP_PT_CHARBUF_ARRAY:
	case OSP_PT_SOCKTUPLE:
		/* Only ever custom-filled: see fill_custom(). */
		push_empty(f);
		break;
	default:
		push_fixed(f, p->type, v);
		break;
	}
}

static __always_inline void fill_table_event(const __u32 e, struct pt_regs *regs, long ret,
					     __u64 pid_tgid, __u64 ts)
{
	const __u32 nparams = osp_event_table[e].nparams;
	struct filler f;

	if (filler_init(&f, e, nparams, (__u32)pid_tgid, pid_tgid >> 32, ts))
		return;
	/* nparams is a constant here: the loop unrolls whole, each parameter specialised. */
#pragma unroll
	for (__u32 i = 0; i < nparams && i < OSP_MAX_PARAMS; i++)
		fill_param(&f, e, i, regs, ret);
	filler_submit(&f);
}

/* Events that are produced only for some argument values. */
static __always_inline int syscall_wanted(__u32 evt, struct pt_regs *regs, long ret)
{
	switch (evt) {
	case OSP_EVT_EXECVE:
	case OSP_EVT_EXECVEAT:
		return ret < 0; /* a successful exec is PROC_EXEC */
	case OSP_EVT_FCNTL: {
		__u64 cmd = syscall_arg(regs, 1);
		return cmd == OSP_F_DUPFD || cmd == OSP_F_DUPFD_CLOEXEC;
	}
	case OSP_EVT_MPROTECT:
		return syscall_arg(regs, 2) & OSP_PROT_EXEC;
	default:
		return 1;
	}
}

/*
 * One subprogram per event id, each that event's filler with the table's entries as constants:
 * straight-line code for the verifier and for the CPU. (A loop over the ids comparing with evt
 * let clang fold every event back into one filler reading the table at run time; one function
 * holding them all outgrows the 16-bit jumps of BPF.)
 */
#define FILL_FN(e)                                                                                 \
	static __noinline void fill_event_##e(struct pt_regs *regs, long ret, __u64 pid_tgid,      \
					      __u64 ts)                                            \
	{                                                                                          \
		fill_table_event(e, regs, ret, pid_tgid, ts);                                      \
	}
#define FILL_CASE(e)                                                                               \
	case e:                                                                                    \
		fill_event_##e(regs, ret, pid_tgid, ts);                                           \
		break;
/* X(16) .. X(87): every syscall event id. */
#define FOR_SYSCALL_EVENTS(X)                                                                      \
	X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27) X(28) X(29) X(30)  \
	X(31) X(32) X(33) X(34) X(35) X(36) X(37) X(38) X(39) X(40) X(41) X(42) X(43) X(44) X(45)  \
	X(46) X(47) X(48) X(49) X(50) X(51) X(52) X(53) X(54) X(55) X(56) X(57) X(58) X(59) X(60)  \
	X(61) X(62) X(63) X(64) X(65) X(66) X(67) X(68) X(69) X(70) X(71) X(72) X(73) X(74) X(75)  \
	X(76) X(77) X(78) X(79) X(80) X(81) X(82) X(83) X(84) X(85) X(86) X(87)
_Static_assert(OSP_EVT_EXECVE == 16 && OSP_EVT_COUNT == 88,
	       "FOR_SYSCALL_EVENTS() lists ids 16 to 87: add the new events");
FOR_SYSCALL_EVENTS(FILL_FN)

static __noinline int fill_syscall(struct pt_regs *regs, long ret, __u32 nr, __u64 pid_tgid)
{
	__u64 ts = bpf_ktime_get_boot_ns();
	__u32 evt;

	if (current_is_compat())
		return 0;
	evt = osp_syscall_to_event[nr & (OSP_SYSCALL_MAX - 1)];
	if (!syscall_wanted(evt, regs, ret))
		return 0;
	switch (evt) {
		FOR_SYSCALL_EVENTS(FILL_CASE)
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(osp_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 nr = syscall_nr(regs), pid_tgid;

	if (nr >= OSP_SYSCALL_MAX || !syscall_interest[nr])
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	if ((pid_tgid >> 32) == own_tgid)
		return 0;
	return fill_syscall(regs, ret, (__u32)nr, pid_tgid);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(osp_proc_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid, flags = 0, ns = 0, vtid, vpid;
	struct filler f;

	if (!proc_interest[OSP_EVT_PROC_FORK] || ptgid == own_tgid)
		return 0;
	ctgid = BPF_CORE_READ(child, tgid);
	if (filler_init(&f, OSP_EVT_PROC_FORK, OSP_FORK_NPARAMS, BPF_CORE_READ(child, pid), ctgid,
			bpf_ktime_get_boot_ns()))
		return 0;
	if (ctgid == ptgid)
		flags |= OSP_FORK_THREAD;
	/* child->vfork_done is set only after this tracepoint: ask the parent's syscall. */
	{
		__u64 arg0 = 0, clone_flags = 0;
		long nr = current_syscall(&arg0);

		if (nr == 58 /* vfork */)
			flags |= OSP_FORK_VFORK;
		else if (nr == 56 /* clone */ && (arg0 & OSP_CLONE_VFORK))
			flags |= OSP_FORK_VFORK;
		else if (nr == 435 /* clone3 */ &&
			 !bpf_probe_read_user(&clone_flags, sizeof(clone_flags), (const void *)arg0) &&
			 (clone_flags & OSP_CLONE_VFORK))
			flags |= OSP_FORK_VFORK;
	}
	vtid = pid_nr_inner(BPF_CORE_READ(child, thread_pid), &ns);
	vpid = pid_nr_inner(BPF_CORE_READ(child, group_leader, thread_pid), NULL);
	push_u64(&f, BPF_CORE_READ(parent, pid));
	push_u64(&f, BPF_CORE_READ(child, real_parent, tgid));
	push_u64(&f, vtid);
	push_u64(&f, vpid);
	push_u32(&f, flags);
	push_u32(&f, ns);
	filler_submit(&f);
	return 0;
}

/*
 * The exe flags. "Writable" follows the kernel's own answer to access(W_OK) for
 * the process: not on a read-only filesystem or an immutable file; then the
 * owner/group/other write bits for its euid/egid, or CAP_DAC_OVERRIDE
 * (supplementary groups are not consulted).
 */
static __always_inline __u32 exe_flags(struct task_struct *task, struct linux_binprm *bprm,
				       struct file *file, const struct cred *cred)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	__u32 flags = 0, mode = BPF_CORE_READ(inode, i_mode);
	char prefix[6] = {};

	/* A memfd: "memfd:<name>" on the internal tmpfs or hugetlbfs mount. */
	bpf_probe_read_kernel_str(prefix, sizeof(prefix), BPF_CORE_READ(file, f_path.dentry, d_name.name));
	if (prefix[0] == 'm' && prefix[1] == 'e' && prefix[2] == 'm' && prefix[3] == 'f' &&
	    prefix[4] == 'd') {
		__u64 magic = BPF_CORE_READ(inode, i_sb, s_magic);

		if (magic == OSP_TMPFS_MAGIC || magic == OSP_HUGETLBFS_MAGIC)
			flags |= OSP_EXE_FROM_MEMFD;
	}

	if (bpf_core_type_exists(struct ovl_inode) &&
	    BPF_CORE_READ(inode, i_sb, s_magic) == OSP_OVERLAYFS_MAGIC) {
		struct ovl_inode *oi = container_of(inode, struct ovl_inode, vfs_inode);
		flags |= BPF_CORE_READ(oi, __upperdentry) ? OSP_EXE_UPPER_LAYER : OSP_EXE_LOWER_LAYER;
	}

	if (!(BPF_CORE_READ(inode, i_sb, s_flags) & OSP_SB_RDONLY) &&
	    !(BPF_CORE_READ(inode, i_flags) & OSP_S_IMMUTABLE)) {
		if ((mode & OSP_S_IWOTH) ||
		    ((mode & OSP_S_IWUSR) && BPF_CORE_READ(inode, i_uid.val) == BPF_CORE_READ(cred, euid.val)) ||
		    ((mode & OSP_S_IWGRP) && BPF_CORE_READ(inode, i_gid.val) == BPF_CORE_READ(cred, egid.val)) ||
		    (read_caps(&cred->cap_effective) & (1ull << OSP_CAP_DAC_OVERRIDE)))
			flags |= OSP_EXE_WRITABLE;
	}

	/*
	 * An exec through a file descriptor (execveat with AT_EMPTY_PATH, fexecve, or a
	 * path relative to a dirfd) is named "/dev/fd/N[/path]" by the kernel, which keeps
	 * that name in bprm->fdpath (5.9+). The syscall number cannot tell: exec resets
	 * orig_ax to execve's (set_personality_64bit()) before this tracepoint.
	 */
	if (bpf_core_field_exists(bprm->fdpath)) {
		if (BPF_CORE_READ(bprm, fdpath))
			flags |= OSP_EXE_EXECVEAT;
	} else {
		char name[9] = {};

		bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(bprm, filename));
		if (name[0] == '/' && name[1] == 'd' && name[2] == 'e' && name[3] == 'v' &&
		    name[4] == '/' && name[5] == 'f' && name[6] == 'd' && name[7] == '/')
			flags |= OSP_EXE_EXECVEAT;
	}
	return flags;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(osp_proc_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = BPF_CORE_READ(p, tgid), ns = 0, cut, off, max = snaplen;
	const struct cred *cred = BPF_CORE_READ(p, cred);
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	struct file *file = BPF_CORE_READ(bprm, file);
	struct filler f;

	if (!proc_interest[OSP_EVT_PROC_EXEC] || tgid == own_tgid)
		return 0;
	if (filler_init(&f, OSP_EVT_PROC_EXEC, OSP_EXEC_NPARAMS, BPF_CORE_READ(p, pid), tgid,
			bpf_ktime_get_boot_ns()))
		return 0;
	if (max > OSP_SNAPLEN_MAX)
		max = OSP_SNAPLEN_MAX;

	push_dpath(&f, __builtin_preserve_access_index(&file->f_path));      /* exe */
	push_str(&f, BPF_CORE_READ(bprm, filename), OSP_STR_MAX, 0);         /* filename */
	push_user_block(&f, BPF_CORE_READ(mm, arg_start), BPF_CORE_READ(mm, arg_end), max);
	push_dpath(&f, __builtin_preserve_access_index(&p->fs->pwd));        /* cwd */
	push_user_block(&f, BPF_CORE_READ(mm, env_start), BPF_CORE_READ(mm, env_end), max);
	/* comm always ends within its 16 bytes: one more byte of room means never "cut". */
	push_str(&f, __builtin_preserve_access_index(&p->comm), OSP_COMM_LEN + 1, 0);
	push_u64(&f, BPF_CORE_READ(p, real_parent, tgid));                   /* ppid */
	push_u64(&f, pid_nr_inner(BPF_CORE_READ(p, thread_pid), &ns));       /* vtid */
	push_u64(&f, pid_nr_inner(BPF_CORE_READ(p, group_leader, thread_pid), NULL));
	push_u64(&f, BPF_CORE_READ(p, signal, pids[OSP_PIDTYPE_SID], numbers[0].nr));
	push_u32(&f, BPF_CORE_READ(cred, uid.val));
	push_u32(&f, BPF_CORE_READ(cred, gid.val));
	push_u32(&f, BPF_CORE_READ(cred, euid.val));
	push_u32(&f, BPF_CORE_READ(cred, egid.val));
	push_u32(&f, task_loginuid(p));
	push_u32(&f, task_tty(p));
	off = cgroup_path_build(f.s, p, &cut);
	push_tmp_tail(&f, off, cut);                                         /* cgroup */
	push_u64(&f, BPF_CORE_READ(file, f_inode, i_ino));
	push_u32(&f, BPF_CORE_READ(file, f_inode, i_sb, s_dev));
	push_u32(&f, exe_flags(p, bprm, file, cred));
	push_u64(&f, read_caps(&cred->cap_inheritable));
	push_u64(&f, read_caps(&cred->cap_permitted));
	push_u64(&f, read_caps(&cred->cap_effective));
	push_u64(&f, BPF_CORE_READ(p, start_boottime));
	push_u32(&f, ns);                                                    /* pidns */
	push_u64(&f, (__u64)old_pid);
	filler_submit(&f);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(osp_proc_exit, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid), flags = 0;
	struct filler f;

	if (!proc_interest[OSP_EVT_PROC_EXIT] || tgid == own_tgid)
		return 0;
	if (filler_init(&f, OSP_EVT_PROC_EXIT, OSP_EXIT_NPARAMS, BPF_CORE_READ(p, pid), tgid,
			bpf_ktime_get_boot_ns()))
		return 0;
	if (BPF_CORE_READ(p, signal, live.counter) == 0)
		flags |= OSP_EXIT_GROUP_DEAD;
	push_u32(&f, BPF_CORE_READ(p, exit_code));
	push_u32(&f, flags);
	filler_submit(&f);
	return 0;
}
