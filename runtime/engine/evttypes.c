// SPDX-License-Identifier: Apache-2.0
/* Falco event type names and sets of them. The name table is sorted: lookups bisect. */
#include <errno.h>
#include <string.h>

#include "evttypes.h"
#include "macro.h"

static const char *const evttype_names[EVTTYPE_COUNT] = {
	"_sysctl",
	"accept",
	"accept4",
	"access",
	"acct",
	"add_key",
	"adjtimex",
	"afs_syscall",
	"alarm",
	"arch_prctl",
	"asyncevent",
	"bind",
	"bpf",
	"brk",
	"capget",
	"capset",
	"chdir",
	"chmod",
	"chown",
	"chroot",
	"clock_adjtime",
	"clock_getres",
	"clock_gettime",
	"clock_nanosleep",
	"clock_settime",
	"clone",
	"clone3",
	"close",
	"close_range",
	"connect",
	"container",
	"copy_file_range",
	"cpu_hotplug",
	"creat",
	"create_module",
	"delete_module",
	"drop",
	"dup",
	"dup2",
	"dup3",
	"epoll_create",
	"epoll_create1",
	"epoll_ctl",
	"epoll_ctl_old",
	"epoll_pwait",
	"epoll_pwait2",
	"epoll_wait",
	"epoll_wait_old",
	"eventfd",
	"eventfd2",
	"execve",
	"execveat",
	"exit",
	"exit_group",
	"faccessat",
	"faccessat2",
	"fadvise64",
	"fallocate",
	"fanotify_init",
	"fanotify_mark",
	"fchdir",
	"fchmod",
	"fchmodat",
	"fchown",
	"fchownat",
	"fcntl",
	"fdatasync",
	"fgetxattr",
	"finit_module",
	"flistxattr",
	"flock",
	"fork",
	"fremovexattr",
	"fsconfig",
	"fsetxattr",
	"fsmount",
	"fsopen",
	"fspick",
	"fstat",
	"fstatfs",
	"fsync",
	"ftruncate",
	"futex",
	"futex_waitv",
	"futimesat",
	"get_kernel_syms",
	"get_mempolicy",
	"get_robust_list",
	"get_thread_area",
	"getcpu",
	"getcwd",
	"getdents",
	"getdents64",
	"getegid",
	"geteuid",
	"getgid",
	"getgroups",
	"getitimer",
	"getpeername",
	"getpgid",
	"getpgrp",
	"getpid",
	"getpmsg",
	"getppid",
	"getpriority",
	"getrandom",
	"getresgid",
	"getresuid",
	"getrlimit",
	"getrusage",
	"getsid",
	"getsockname",
	"getsockopt",
	"gettid",
	"gettimeofday",
	"getuid",
	"getxattr",
	"infra",
	"init_module",
	"inotify_add_watch",
	"inotify_init",
	"inotify_init1",
	"inotify_rm_watch",
	"io_cancel",
	"io_destroy",
	"io_getevents",
	"io_pgetevents",
	"io_setup",
	"io_submit",
	"io_uring_enter",
	"io_uring_register",
	"io_uring_setup",
	"ioctl",
	"ioperm",
	"iopl",
	"ioprio_get",
	"ioprio_set",
	"k8s",
	"kcmp",
	"kexec_file_load",
	"kexec_load",
	"keyctl",
	"kill",
	"landlock_add_rule",
	"landlock_create_ruleset",
	"landlock_restrict_self",
	"lchown",
	"lgetxattr",
	"link",
	"linkat",
	"listen",
	"listxattr",
	"llistxattr",
	"lookup_dcookie",
	"lremovexattr",
	"lseek",
	"lsetxattr",
	"lstat",
	"madvise",
	"mbind",
	"membarrier",
	"memfd_create",
	"memfd_secret",
	"mesos",
	"migrate_pages",
	"mincore",
	"mkdir",
	"mkdirat",
	"mknod",
	"mknodat",
	"mlock",
	"mlock2",
	"mlockall",
	"mmap",
	"modify_ldt",
	"mount",
	"mount_setattr",
	"move_mount",
	"move_pages",
	"mprotect",
	"mq_getsetattr",
	"mq_notify",
	"mq_open",
	"mq_timedreceive",
	"mq_timedsend",
	"mq_unlink",
	"mremap",
	"msgctl",
	"msgget",
	"msgrcv",
	"msgsnd",
	"msync",
	"munlock",
	"munlockall",
	"munmap",
	"name_to_handle_at",
	"nanosleep",
	"newfstatat",
	"nfsservctl",
	"notification",
	"open",
	"open_by_handle_at",
	"open_tree",
	"openat",
	"openat2",
	"page_fault",
	"pause",
	"perf_event_open",
	"personality",
	"pidfd_getfd",
	"pidfd_open",
	"pidfd_send_signal",
	"pipe",
	"pipe2",
	"pivot_root",
	"pkey_alloc",
	"pkey_free",
	"pkey_mprotect",
	"pluginevent",
	"poll",
	"ppoll",
	"prctl",
	"pread",
	"pread64",
	"preadv",
	"preadv2",
	"prlimit",
	"prlimit64",
	"process_madvise",
	"process_mrelease",
	"process_vm_readv",
	"process_vm_writev",
	"procexit",
	"procinfo",
	"pselect6",
	"ptrace",
	"putpmsg",
	"pwrite",
	"pwrite64",
	"pwritev",
	"pwritev2",
	"query_module",
	"quotactl",
	"quotactl_fd",
	"read",
	"readahead",
	"readlink",
	"readlinkat",
	"readv",
	"reboot",
	"recvfrom",
	"recvmmsg",
	"recvmsg",
	"remap_file_pages",
	"removexattr",
	"rename",
	"renameat",
	"renameat2",
	"request_key",
	"restart_syscall",
	"rmdir",
	"rseq",
	"rt_sigaction",
	"rt_sigpending",
	"rt_sigprocmask",
	"rt_sigqueueinfo",
	"rt_sigreturn",
	"rt_sigsuspend",
	"rt_sigtimedwait",
	"rt_tgsigqueueinfo",
	"scapevent",
	"sched_get_priority_max",
	"sched_get_priority_min",
	"sched_getaffinity",
	"sched_getattr",
	"sched_getparam",
	"sched_getscheduler",
	"sched_rr_get_interval",
	"sched_setaffinity",
	"sched_setattr",
	"sched_setparam",
	"sched_setscheduler",
	"sched_yield",
	"seccomp",
	"security",
	"select",
	"semctl",
	"semget",
	"semop",
	"semtimedop",
	"sendfile",
	"sendmmsg",
	"sendmsg",
	"sendto",
	"set_mempolicy",
	"set_mempolicy_home_node",
	"set_robust_list",
	"set_thread_area",
	"set_tid_address",
	"setdomainname",
	"setfsgid",
	"setfsuid",
	"setgid",
	"setgroups",
	"sethostname",
	"setitimer",
	"setns",
	"setpgid",
	"setpriority",
	"setregid",
	"setresgid",
	"setresuid",
	"setreuid",
	"setrlimit",
	"setsid",
	"setsockopt",
	"settimeofday",
	"setuid",
	"setxattr",
	"shmat",
	"shmctl",
	"shmdt",
	"shmget",
	"shutdown",
	"sigaltstack",
	"signaldeliver",
	"signalfd",
	"signalfd4",
	"socket",
	"socketpair",
	"splice",
	"stat",
	"statfs",
	"statx",
	"swapoff",
	"swapon",
	"switch",
	"symlink",
	"symlinkat",
	"sync",
	"sync_file_range",
	"syncfs",
	"sysdigevent",
	"sysfs",
	"sysinfo",
	"syslog",
	"tee",
	"tgkill",
	"time",
	"timer_create",
	"timer_delete",
	"timer_getoverrun",
	"timer_gettime",
	"timer_settime",
	"timerfd_create",
	"timerfd_gettime",
	"timerfd_settime",
	"times",
	"tkill",
	"tracer",
	"truncate",
	"tuxcall",
	"umask",
	"umount",
	"umount2",
	"uname",
	"unlink",
	"unlinkat",
	"unshare",
	"uselib",
	"userfaultfd",
	"ustat",
	"utime",
	"utimensat",
	"utimes",
	"vfork",
	"vhangup",
	"vmsplice",
	"vserver",
	"wait4",
	"waitid",
	"write",
	"writev",
};

int evttype_from_name(const char *name)
{
	size_t lo = 0, hi = ARRAY_SIZE(evttype_names);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, evttype_names[mid]);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -ENOENT;
}

const char *evttype_name(unsigned idx)
{
	return idx < EVTTYPE_COUNT ? evttype_names[idx] : NULL;
}

void evtset_clear(struct evtset *s)
{
	memset(s, 0, sizeof(*s));
}

void evtset_fill(struct evtset *s)
{
	memset(s, 0xff, sizeof(*s));
	if (EVTTYPE_COUNT % 64)
		s->bits[EVTSET_WORDS - 1] = (UINT64_C(1) << (EVTTYPE_COUNT % 64)) - 1;
}

void evtset_add(struct evtset *s, unsigned idx)
{
	if (idx < EVTTYPE_COUNT)
		s->bits[idx / 64] |= UINT64_C(1) << (idx % 64);
}

bool evtset_has(const struct evtset *s, unsigned idx)
{
	return idx < EVTTYPE_COUNT && (s->bits[idx / 64] >> (idx % 64)) & 1;
}

void evtset_union(struct evtset *dst, const struct evtset *src)
{
	for (size_t i = 0; i < EVTSET_WORDS; i++)
		dst->bits[i] |= src->bits[i];
}

void evtset_intersect(struct evtset *dst, const struct evtset *src)
{
	for (size_t i = 0; i < EVTSET_WORDS; i++)
		dst->bits[i] &= src->bits[i];
}

void evtset_complement(struct evtset *s)
{
	struct evtset all;

	evtset_fill(&all);
	for (size_t i = 0; i < EVTSET_WORDS; i++)
		s->bits[i] = ~s->bits[i] & all.bits[i];
}

unsigned evtset_count(const struct evtset *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < EVTSET_WORDS; i++)
		n += (unsigned)__builtin_popcountll(s->bits[i]);
	return n;
}

bool evtset_is_full(const struct evtset *s)
{
	return evtset_count(s) == EVTTYPE_COUNT;
}

void evtset_format(const struct evtset *s, char *buf, size_t size)
{
	size_t used = 0;

	if (!size)
		return;
	buf[0] = 0;
	if (evtset_is_full(s)) {
		snprintf(buf, size, "(all)");
		return;
	}
	if (evtset_count(s) == 0) {
		snprintf(buf, size, "(none)");
		return;
	}
	for (unsigned i = 0; i < EVTTYPE_COUNT && used < size; i++) {
		int n;

		if (!evtset_has(s, i))
			continue;
		n = snprintf(buf + used, size - used, "%s%s", used ? "," : "", evttype_names[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}
