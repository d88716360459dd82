/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Reading kernel objects with CO-RE: syscall arguments, task identity,
 * credentials, paths (d_path emulation), cgroups, files and sockets.
 */
#ifndef OSPREY_TASK_BPF_H
#define OSPREY_TASK_BPF_H

#include "filler.bpf.h"

#define OSP_PATH_COMPONENTS 48
#define OSP_CGROUP_DEPTH 32
#define OSP_NAME_MAX_COMPONENT 255
#define OSP_AT_FDCWD (-100)
#define OSP_PIDTYPE_SID 3
#define OSP_OVERLAYFS_MAGIC 0x794c7630
#define OSP_S_IWUSR 00200
#define OSP_S_IWGRP 00020
#define OSP_S_IWOTH 00002
#define OSP_TS_COMPAT 0x0002

/* Older kernels (< 6.15) name the kernfs parent pointer "parent". */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

/* Older kernels (< 6.3) keep capabilities as two 32-bit words. */
struct kernel_cap_struct___old {
	__u32 cap[2];
} __attribute__((preserve_access_index));

/* The n-th syscall argument, from the registers saved at syscall entry. */
static __always_inline __u64 syscall_arg(struct pt_regs *regs, int n)
{
#if defined(__TARGET_ARCH_x86)
	switch (n) {
	case 0:
		return regs->di;
	case 1:
		return regs->si;
	case 2:
		return regs->dx;
	case 3:
		return regs->r10;
	case 4:
		return regs->r8;
	default:
		return regs->r9;
	}
#elif defined(__TARGET_ARCH_arm64)
	/* x0 is overwritten by the result at exit: the original is in orig_x0. */
	if (n == 0)
		return regs->orig_x0;
	return regs->regs[n & 7];
#else
#error "syscall_arg: unsupported architecture"
#endif
}

static __always_inline __u64 syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return regs->orig_ax;
#elif defined(__TARGET_ARCH_arm64)
	return regs->syscallno;
#endif
}

/* 32-bit (ia32) syscalls use another numbering: they are not traced (see driver/bpf/README.md). */
static __always_inline int current_is_compat(void)
{
#if defined(__TARGET_ARCH_x86)
	/* A trusted task pointer (5.11+) makes this a plain load instead of a helper call. */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf))
		return bpf_get_current_task_btf()->thread_info.status & OSP_TS_COMPAT;
	return BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), thread_info.status) &
	       OSP_TS_COMPAT;
#else
	return 0;
#endif
}

/* The pid number of a struct pid as seen from its own (innermost) namespace, and that namespace. */
static __always_inline __u32 pid_nr_inner(struct pid *pid, __u32 *ret_ns)
{
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	bpf_core_read(&up, sizeof(up), &pid->numbers[level & 31]);
	if (ret_ns)
		*ret_ns = BPF_CORE_READ(up.ns, ns.inum);
	return up.nr;
}

static __always_inline __u64 read_caps(const kernel_cap_t *cap)
{
	__u64 v = 0;

	/* Both layouts are 8 bytes; the old one is two little-endian words. */
	bpf_core_read(&v, sizeof(v), cap);
	return v;
}

static __always_inline __u32 task_loginuid(struct task_struct *task)
{
	if (bpf_core_field_exists(task->loginuid))
		return BPF_CORE_READ(task, loginuid.val);
	return (__u32)-1;
}

/* The controlling tty as a kernel dev_t (major << 20 | minor), 0 if none. */
static __always_inline __u32 task_tty(struct task_struct *task)
{
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	__u32 major, minor;

	if (!tty)
		return 0;
	major = BPF_CORE_READ(tty, driver, major);
	minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	return (major << 20) | (minor & 0xfffff);
}

/*
 * Builds the path of (dentry, vfsmnt) as d_path() would, relative to the
 * current task's root, at the end of s->tmp. Returns the offset of the first
 * byte; the path ends with NUL at OSP_TMP_SIZE - 1. Sets *ret_cut when
 * components had to be left out (too deep or too long).
 */
static __noinline __u32 dpath_build(struct scratch *s, struct dentry *dentry,
				    struct vfsmount *vfsmnt, __u32 *ret_cut)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct dentry *root_dentry = BPF_CORE_READ(task, fs, root.dentry);
	struct vfsmount *root_mnt = BPF_CORE_READ(task, fs, root.mnt);
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);
	__u32 off;
	int i;

	*ret_cut = 1;
	s->cursor = OSP_TMP_SIZE - 1;
	s->tmp[OSP_TMP_SIZE - 1] = 0;
	for (i = 0; i < OSP_PATH_COMPONENTS; i++) {
		struct dentry *mnt_root, *parent;
		struct qstr name;
		__u32 len;

		if (dentry == root_dentry && vfsmnt == root_mnt) {
			*ret_cut = 0;
			break;
		}
		mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
		if (dentry == mnt_root) {
			struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);

			if (mnt_parent == mnt) {
				/* The root of this mount namespace (or an internal mount). */
				*ret_cut = 0;
				break;
			}
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = mnt_parent;
			vfsmnt = __builtin_preserve_access_index(&mnt_parent->mnt);
			continue;
		}
		parent = BPF_CORE_READ(dentry, d_parent);
		name = BPF_CORE_READ(dentry, d_name);
		len = name.len;
		off = s->cursor;
		if (parent == dentry) {
			/*
			 * A disconnected root that is not its mount's root: a pseudo
			 * file such as a memfd. Its own name is the path, as in
			 * /proc/pid/exe ("/memfd:name", without " (deleted)").
			 */
			*ret_cut = 0;
			if (off == OSP_TMP_SIZE - 1 && len && len <= OSP_NAME_MAX_COMPONENT) {
				off -= len;
				bpf_probe_read_kernel(&s->tmp[off & OSP_TMP_MASK],
						      len & OSP_NAME_MAX_COMPONENT, name.name);
				off--;
				s->tmp[off & OSP_TMP_MASK] = '/';
				s->cursor = off;
			}
			break;
		}
		if (len > OSP_NAME_MAX_COMPONENT || len + 1 >= off)
			break;
		off -= len;
		bpf_probe_read_kernel(&s->tmp[off & OSP_TMP_MASK], len & OSP_NAME_MAX_COMPONENT,
				      name.name);
		off--;
		s->tmp[off & OSP_TMP_MASK] = '/';
		s->cursor = off;
		dentry = parent;
	}
	off = s->cursor;
	if (off >= OSP_TMP_SIZE - 1) {
		off = OSP_TMP_SIZE - 2;
		s->tmp[OSP_TMP_SIZE - 2] = '/';
	}
	return off;
}

/* Copies a NUL-terminated string that starts at s->tmp[off] and ends at the tmp area's end. */
static __always_inline void push_tmp_tail(struct filler *f, __u32 off, int cut)
{
	__u32 len = OSP_TMP_SIZE - (off & OSP_TMP_MASK);
	__u32 room = filler_room(f, OSP_STR_MAX);

	if (len > room) {
		len = room;
		cut = 1;
	}
	if (len == 0 || len > OSP_STR_MAX) {
		push_empty(f);
		return;
	}
	bpf_probe_read_kernel(&f->s->event[f->s->pos & OSP_POS_MASK], len, &f->s->tmp[off & OSP_TMP_MASK]);
	f->s->event[(f->s->pos + len - 1) & OSP_POS_MASK] = 0;
	filler_commit(f, len, cut);
}

static __always_inline void push_dpath(struct filler *f, const struct path *path)
{
	struct dentry *dentry = BPF_CORE_READ(path, dentry);
	struct vfsmount *mnt = BPF_CORE_READ(path, mnt);
	__u32 cut, off;

	if (!dentry || !mnt) {
		push_empty(f);
		return;
	}
	off = dpath_build(f->s, dentry, mnt, &cut);
	push_tmp_tail(f, off, cut);
}

static __always_inline struct kernfs_node *kernfs_parent(struct kernfs_node *kn)
{
	struct kernfs_node___old *old = (void *)kn;

	if (bpf_core_field_exists(old->parent))
		return BPF_CORE_READ(old, parent);
	return BPF_CORE_READ(kn, __parent);
}

/* The kernfs node of a v1 controller's cgroup, if the kernel has that controller. */
#define SUBSYS_KN(task, id)                                                                        \
	(bpf_core_enum_value_exists(enum cgroup_subsys_id, id)                                     \
		 ? BPF_CORE_READ(task, cgroups, subsys[bpf_core_enum_value(enum cgroup_subsys_id, id)], \
				 cgroup, kn)                                                       \
		 : NULL)

/*
 * The node whose path describes the task's cgroup: the unified (v2) one, or
 * where the task sits at the v2 root of a v1 or hybrid host, the first
 * non-root v1 controller among cpuset, cpu, memory and pids (a container's
 * cgroup is found there on such hosts).
 */
static __always_inline struct kernfs_node *task_cgroup_kn(struct task_struct *task)
{
	struct kernfs_node *kn = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn), *v1;

	if (kn && kernfs_parent(kn))
		return kn;
	v1 = SUBSYS_KN(task, cpuset_cgrp_id);
	if (v1 && kernfs_parent(v1))
		return v1;
	v1 = SUBSYS_KN(task, cpu_cgrp_id);
	if (v1 && kernfs_parent(v1))
		return v1;
	v1 = SUBSYS_KN(task, memory_cgrp_id);
	if (v1 && kernfs_parent(v1))
		return v1;
	v1 = SUBSYS_KN(task, pids_cgrp_id);
	if (v1 && kernfs_parent(v1))
		return v1;
	return kn;
}

/* The cgroup path of a task ("/" for the root cgroup), see task_cgroup_kn(). */
static __noinline __u32 cgroup_path_build(struct scratch *s, struct task_struct *task, __u32 *ret_cut)
{
	struct kernfs_node *kn = task_cgroup_kn(task);
	__u32 off;
	int i;

	*ret_cut = 1;
	s->cursor = OSP_TMP_SIZE - 1;
	s->tmp[OSP_TMP_SIZE - 1] = 0;
	for (i = 0; i < OSP_CGROUP_DEPTH; i++) {
		struct kernfs_node *parent;
		const char *name;
		long n;

		if (!kn) {
			*ret_cut = 0;
			break;
		}
		parent = kernfs_parent(kn);
		if (!parent) {
			*ret_cut = 0;
			break;
		}
		name = BPF_CORE_READ(kn, name);
		/* Stage the name past the path area, then place it in front of what is built. */
		n = bpf_probe_read_kernel_str(&s->tmp[OSP_TMP_SIZE], OSP_NAME_MAX_COMPONENT + 1, name);
		off = s->cursor;
		if (n <= 1 || (__u32)n + 1 >= off)
			break;
		off -= (__u32)n - 1;
		bpf_probe_read_kernel(&s->tmp[off & OSP_TMP_MASK], ((__u32)n - 1) & OSP_NAME_MAX_COMPONENT,
				      &s->tmp[OSP_TMP_SIZE]);
		off--;
		s->tmp[off & OSP_TMP_MASK] = '/';
		s->cursor = off;
		kn = parent;
	}
	off = s->cursor;
	if (off >= OSP_TMP_SIZE - 1) {
		off = OSP_TMP_SIZE - 2;
		s->tmp[OSP_TMP_SIZE - 2] = '/';
	}
	return off;
}

/* The struct file behind fd in the current task, or NULL. */
static __always_inline struct file *fd_file(__s64 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;
	__u32 max;

	if (fd < 0 || !fdt)
		return NULL;
	max = BPF_CORE_READ(fdt, max_fds);
	if ((__u64)fd >= max)
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

static __always_inline struct sock *fd_sock(__s64 fd)
{
	struct file *file = fd_file(fd);
	struct socket *sock;

	if (!file)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	if (!sock)
		return NULL;
	/* Only sockets have file->private_data pointing back at the file from sock->file. */
	if (BPF_CORE_READ(sock, file) != file)
		return NULL;
	return BPF_CORE_READ(sock, sk);
}

#endif /* OSPREY_TASK_BPF_H */
