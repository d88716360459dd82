// SPDX-License-Identifier: GPL-2.0-only
/*
 * Process lifecycle records: PROC_FORK (the child's view, written in the
 * parent's context), PROC_EXEC (a successful exec, written in the new
 * image's context) and PROC_EXIT. Parameter layouts are OSP_FORK_P_*,
 * OSP_EXEC_P_* and OSP_EXIT_P_* of osprey_schema.h.
 *
 * Everything runs with preemption disabled: no sleeping locks, no path_put
 * (dput may sleep), user memory through *_nofault only.
 */
#include <linux/audit.h>
#include <linux/binfmts.h>
#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/mm_types.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/string.h>
#include <linux/tty.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/version.h>
#include <uapi/linux/magic.h>
#include <uapi/linux/sched.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "osprey.h"

static u64 osp_cap_u64(kernel_cap_t c)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	return c.val;
#else
	return (u64)c.cap[0] | ((u64)c.cap[1] << 32);
#endif
}

/* The system call the current task is in, or -1 (kernel thread, compat task). */
static long osp_current_syscall(unsigned long *args)
{
	struct pt_regs *regs;

	if ((current->flags & PF_KTHREAD) || in_compat_syscall())
		return -1;
	regs = task_pt_regs(current);
	if (args)
		syscall_get_arguments(current, regs, args);
	return syscall_get_nr(current, regs);
}

static u32 osp_pidns_inum(struct task_struct *p)
{
	struct pid_namespace *ns = task_active_pid_ns(p);

	return ns ? ns->ns.inum : 0;
}

int osp_fill_fork(struct osp_rec *r, struct task_struct *parent, struct task_struct *child)
{
	struct pid_namespace *ns = task_active_pid_ns(child);
	unsigned long args[6];
	u32 flags = 0;
	pid_t ppid;
	long nr;

	if (child->pid != child->tgid)
		flags |= OSP_FORK_THREAD;
	/* The tracepoint fires before kernel_clone() marks a vfork child: look at the call. */
	nr = osp_current_syscall(args);
#ifdef __NR_vfork
	if (nr == __NR_vfork)
		flags |= OSP_FORK_VFORK;
#endif
	if (nr == __NR_clone && (args[0] & CLONE_VFORK))
		flags |= OSP_FORK_VFORK;
#ifdef __NR_clone3
	if (nr == __NR_clone3 && args[1] >= sizeof(u64)) {
		u64 cflags;

		if (copy_from_user_nofault(&cflags, (const void __user *)args[0], sizeof(cflags)))
			r->cnt->faults++;
		else if (cflags & CLONE_VFORK)
			flags |= OSP_FORK_VFORK;
	}
#endif

	rcu_read_lock();
	ppid = task_tgid_nr(rcu_dereference(child->real_parent));
	rcu_read_unlock();

	osp_rec_begin(r, OSP_EVT_PROC_FORK, OSP_FORK_NPARAMS, child->pid, child->tgid);
	osp_rec_put_s64(r, parent->pid);
	osp_rec_put_s64(r, ppid);
	osp_rec_put_s64(r, ns ? __task_pid_nr_ns(child, PIDTYPE_PID, ns) : 0);
	osp_rec_put_s64(r, ns ? __task_pid_nr_ns(child, PIDTYPE_TGID, ns) : 0);
	osp_rec_put_u32(r, flags);
	osp_rec_put_u32(r, osp_pidns_inum(child));
	return osp_rec_end(r);
}

/*
 * d_path() into the per-CPU path scratch; NULL when the path cannot be
 * built. The " (deleted)" that d_path() appends to an unlinked file, and
 * simple_dname() to a pseudo file (a memfd: "/memfd:name (deleted)"), is
 * cut: the schema's paths never carry it, as in the eBPF probe and the
 * /proc snapshot.
 */
static const char *osp_d_path(struct osp_rec *r, const struct path *path)
{
	static const char deleted[] = " (deleted)";
	char *p = d_path(path, r->tmp, OSP_STR_MAX);
	size_t n;

	if (IS_ERR(p))
		return NULL;
	if (d_unlinked(path->dentry) || (path->dentry->d_op && path->dentry->d_op->d_dname)) {
		n = strlen(p);
		if (n >= sizeof(deleted) - 1 && !strcmp(p + n - (sizeof(deleted) - 1), deleted))
			p[n - (sizeof(deleted) - 1)] = '\0';
	}
	return p;
}

static void osp_put_path(struct osp_rec *r, const struct path *path)
{
	const char *p = osp_d_path(r, path);

	if (!p) {
		r->cnt->faults++;
		osp_rec_put_empty(r);
		return;
	}
	osp_rec_put_kstr(r, p, OSP_STR_MAX);
}

/*
 * The working directory. d_path() under fs->lock instead of a reference:
 * path_put() may sleep. d_path() itself only takes seqlocks and RCU.
 */
static void osp_put_cwd(struct osp_rec *r, struct task_struct *p)
{
	struct fs_struct *fs = p->fs;
	const char *s;

	if (!fs) {
		osp_rec_put_empty(r);
		return;
	}
	spin_lock(&fs->lock);
	s = osp_d_path(r, &fs->pwd);
	spin_unlock(&fs->lock);
	if (!s) {
		r->cnt->faults++;
		osp_rec_put_empty(r);
		return;
	}
	osp_rec_put_kstr(r, s, OSP_STR_MAX);
}

/* The cgroup v2 (default hierarchy) path, relative to the hierarchy's root. */
static void osp_put_cgroup(struct osp_rec *r, struct task_struct *p)
{
#ifdef CONFIG_CGROUPS
	int n;

	rcu_read_lock();
	n = cgroup_path(task_dfl_cgroup(p), r->tmp, OSP_STR_MAX);
	rcu_read_unlock();
	if (n < 0) {
		r->cnt->faults++;
		osp_rec_put_empty(r);
		return;
	}
	osp_rec_put_kstr(r, r->tmp, OSP_STR_MAX);
#else
	osp_rec_put_empty(r);
#endif
}

static u32 osp_tty_dev(struct task_struct *p)
{
	struct tty_struct *tty;
	unsigned long irqflags;
	u32 dev = 0;

	if (!p->sighand)
		return 0;
	spin_lock_irqsave(&p->sighand->siglock, irqflags);
	tty = p->signal->tty;
	if (tty)
		dev = tty_devnum(tty);
	spin_unlock_irqrestore(&p->sighand->siglock, irqflags);
	return dev;
}

/*
 * Whether the executable is writable by the process: from the mode bits,
 * its owner and group against the effective uid and gid (as the eBPF probe).
 */
/*
 * The eBPF probe's rule (exe_flags() in driver/bpf/probe.bpf.c), after the
 * kernel's access(W_OK): never on a read-only filesystem or an immutable file;
 * else a write bit that applies to the euid (owner) or egid (group), the
 * others' bit, or CAP_DAC_OVERRIDE. Supplementary groups are not consulted.
 */
static bool osp_exe_writable(const struct inode *inode, const struct cred *cred)
{
	umode_t mode = inode->i_mode;

	if (sb_rdonly(inode->i_sb) || IS_IMMUTABLE(inode))
		return false;
	return (mode & 0002) || ((mode & 0200) && uid_eq(inode->i_uid, cred->euid)) ||
	       ((mode & 0020) && gid_eq(inode->i_gid, cred->egid)) ||
	       cap_raised(cred->cap_effective, CAP_DAC_OVERRIDE);
}

/*
 * Overlayfs: whether the file has an upper-layer dentry. struct ovl_inode is
 * private to overlayfs; since Linux 4.13 its upper dentry pointer directly
 * follows the embedded struct inode (as falcosecurity's module also relies
 * on). Read without faulting; a failed read reports neither layer.
 */
static u32 osp_overlay_layer(struct inode *inode)
{
	struct dentry *upper;

	if (get_kernel_nofault(upper, (struct dentry **)((char *)inode + sizeof(struct inode))))
		return 0;
	return upper ? OSP_EXE_UPPER_LAYER : OSP_EXE_LOWER_LAYER;
}

/*
 * exe_flags. OSP_EXE_EXECVEAT cannot come from the syscall number: exec
 * resets orig_ax to execve's (set_personality_64bit()). bprm->fdpath is set
 * exactly when execveat() was given a directory fd and a relative or empty
 * path ("/dev/fd/N[/path]"), fexecve() included; execveat(AT_FDCWD, ...) is
 * indistinguishable from execve() here.
 */
static u32 osp_exe_flags(struct linux_binprm *bprm, const struct cred *cred)
{
	struct file *file = bprm->file;
	struct inode *inode = file_inode(file);
	unsigned long magic = inode->i_sb->s_magic;
	const char *name = (const char *)file->f_path.dentry->d_name.name;
	u32 flags = 0;

	if (osp_exe_writable(inode, cred))
		flags |= OSP_EXE_WRITABLE;
	if ((magic == TMPFS_MAGIC || magic == HUGETLBFS_MAGIC) && !strncmp(name, "memfd:", 6))
		flags |= OSP_EXE_FROM_MEMFD;
	if (magic == OVERLAYFS_SUPER_MAGIC)
		flags |= osp_overlay_layer(inode);
	if (bprm->fdpath)
		flags |= OSP_EXE_EXECVEAT;
	return flags;
}

int osp_fill_exec(struct osp_rec *r, struct task_struct *p, pid_t old_pid,
		  struct linux_binprm *bprm)
{
	const struct cred *cred = current_cred();
	struct file *file = bprm->file;
	struct mm_struct *mm = p->mm;
	char comm[TASK_COMM_LEN];
	pid_t ppid, sid;

	rcu_read_lock();
	ppid = task_tgid_nr(rcu_dereference(p->real_parent));
	sid = task_session_nr_ns(p, &init_pid_ns);
	rcu_read_unlock();
	get_task_comm(comm, p);

	osp_rec_begin(r, OSP_EVT_PROC_EXEC, OSP_EXEC_NPARAMS, p->pid, p->tgid);
	if (file)
		osp_put_path(r, &file->f_path);
	else
		osp_rec_put_empty(r);
	osp_rec_put_kstr(r, bprm->filename, OSP_STR_MAX);
	if (mm)
		osp_rec_put_ubytes(r, mm->arg_start, mm->arg_end, r->snaplen);
	else
		osp_rec_put_empty(r);
	osp_put_cwd(r, p);
	if (mm)
		osp_rec_put_ubytes(r, mm->env_start, mm->env_end, r->snaplen);
	else
		osp_rec_put_empty(r);
	osp_rec_put_kstr(r, comm, sizeof(comm));
	osp_rec_put_s64(r, ppid);
	osp_rec_put_s64(r, task_pid_vnr(p));
	osp_rec_put_s64(r, task_tgid_vnr(p));
	osp_rec_put_s64(r, sid);
	osp_rec_put_u32(r, from_kuid_munged(&init_user_ns, cred->uid));
	osp_rec_put_u32(r, from_kgid_munged(&init_user_ns, cred->gid));
	osp_rec_put_u32(r, from_kuid_munged(&init_user_ns, cred->euid));
	osp_rec_put_u32(r, from_kgid_munged(&init_user_ns, cred->egid));
	osp_rec_put_u32(r, from_kuid(&init_user_ns, audit_get_loginuid(p)));
	osp_rec_put_u32(r, osp_tty_dev(p));
	osp_put_cgroup(r, p);
	if (file) {
		struct inode *inode = file_inode(file);

		osp_rec_put_u64(r, inode->i_ino);
		osp_rec_put_u32(r, inode->i_sb->s_dev);
		osp_rec_put_u32(r, osp_exe_flags(bprm, cred));
	} else {
		osp_rec_put_empty(r);
		osp_rec_put_empty(r);
		osp_rec_put_empty(r);
	}
	osp_rec_put_u64(r, osp_cap_u64(cred->cap_inheritable));
	osp_rec_put_u64(r, osp_cap_u64(cred->cap_permitted));
	osp_rec_put_u64(r, osp_cap_u64(cred->cap_effective));
	osp_rec_put_u64(r, p->start_boottime); /* de_thread() copied the leader's */
	osp_rec_put_u32(r, osp_pidns_inum(p));
	osp_rec_put_s64(r, old_pid);
	return osp_rec_end(r);
}

int osp_fill_exit(struct osp_rec *r, struct task_struct *p)
{
	u32 flags = 0;

	/* do_exit() decrements signal->live before this tracepoint. */
	if (p->signal && atomic_read(&p->signal->live) == 0)
		flags |= OSP_EXIT_GROUP_DEAD;
	osp_rec_begin(r, OSP_EVT_PROC_EXIT, OSP_EXIT_NPARAMS, p->pid, p->tgid);
	osp_rec_put_u32(r, (u32)p->exit_code);
	osp_rec_put_u32(r, flags);
	return osp_rec_end(r);
}
