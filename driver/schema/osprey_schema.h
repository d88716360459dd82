/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Osprey event schema: the wire format shared by the kernel module, the eBPF
 * probe and userspace.
 *
 * A record is an 8-byte aligned block:
 *
 *   struct osp_event_hdr                 24 bytes
 *   __u16 param_len[hdr.nparams]         one length per parameter
 *   parameter values, back to back, in table order
 *   padding to the next multiple of 8    (counted in hdr.len)
 *
 * A parameter length has OSP_PARAM_TRUNCATED set when the value was cut at
 * the configured bound; the low 15 bits are the stored byte count. Strings
 * are stored with their terminating NUL. Fixed-size values are stored in host
 * byte order, except IP addresses, which keep network byte order.
 *
 * Only fixed-width __u8..__u64 / __s8..__s64 types appear here: no bool,
 * long, enum-typed members or pointers, so the layout is the same for every
 * producer and consumer. Event ids and parameter positions are part of the
 * ABI: ids are appended, never reused; parameters are appended at the end of
 * an event, never reordered (see SCHEMA_VERSION's bump rules in README.md).
 */
#ifndef OSPREY_SCHEMA_H
#define OSPREY_SCHEMA_H

#if !defined(__VMLINUX_H__)
#include <linux/types.h>
#endif

/* Keep in step with the API_VERSION and SCHEMA_VERSION files (a unit test checks). */
#define OSP_API_VERSION_MAJOR 1
#define OSP_API_VERSION_MINOR 0
#define OSP_API_VERSION_PATCH 0
#define OSP_SCHEMA_VERSION_MAJOR 1
#define OSP_SCHEMA_VERSION_MINOR 0
#define OSP_SCHEMA_VERSION_PATCH 0

#define OSP_VERSION_ENCODE(maj, min, pat) (((maj) << 20) | ((min) << 10) | (pat))
#define OSP_VERSION_MAJOR(v) (((v) >> 20) & 0x3ff)
#define OSP_VERSION_MINOR(v) (((v) >> 10) & 0x3ff)
#define OSP_VERSION_PATCH(v) ((v) & 0x3ff)
#define OSP_API_VERSION                                                                            \
	OSP_VERSION_ENCODE(OSP_API_VERSION_MAJOR, OSP_API_VERSION_MINOR, OSP_API_VERSION_PATCH)
#define OSP_SCHEMA_VERSION                                                                         \
	OSP_VERSION_ENCODE(OSP_SCHEMA_VERSION_MAJOR, OSP_SCHEMA_VERSION_MINOR,                     \
			   OSP_SCHEMA_VERSION_PATCH)

/* Bounds. Every producer enforces them; every consumer checks them. */
#define OSP_MAX_PARAMS 32
#define OSP_EVENT_MAX_LEN 65536u   /* one record, header included */
#define OSP_STR_MAX 4096u          /* one path or name, NUL included */
#define OSP_SNAPLEN_DEFAULT 1024u  /* argument/env arrays and byte buffers */
#define OSP_SNAPLEN_MAX 8192u
#define OSP_PARAM_TRUNCATED 0x8000u
#define OSP_PARAM_LEN_MASK 0x7fffu
#define OSP_SYSCALL_MAX 512u       /* size of the per-arch syscall -> event map */
#define OSP_NAME_MAX 24u           /* event names, NUL included */
#define OSP_PARAM_NAME_MAX 16u     /* parameter names, NUL included */
#define OSP_COMM_LEN 16u

struct osp_event_hdr {
	__u64 ts_ns;   /* CLOCK_BOOTTIME, nanoseconds */
	__u32 tid;     /* thread id, initial pid namespace */
	__u32 pid;     /* thread group id, initial pid namespace */
	__u32 len;     /* whole record in bytes, multiple of 8 */
	__u16 type;    /* OSP_EVT_* */
	__u16 nparams; /* number of __u16 lengths that follow */
};

#define OSP_ALIGN8(x) (((x) + 7u) & ~7u)

/*
 * Event ids. Explicitly numbered, appended only, never reused.
 * 1..15: process lifecycle and state snapshot; 16..: one event per system
 * call, emitted at syscall exit with the arguments and the return value.
 */
#define OSP_EVT_UNKNOWN 0
#define OSP_EVT_PROC_SNAPSHOT 1 /* a process that existed when capture started */
#define OSP_EVT_FD_SNAPSHOT 2   /* one open fd of such a process */
#define OSP_EVT_PROC_FORK 3     /* sched_process_fork, child's view */
#define OSP_EVT_PROC_EXEC 4     /* sched_process_exec: a successful execve/execveat */
#define OSP_EVT_PROC_EXIT 5     /* sched_process_exit */
#define OSP_EVT_EXECVE 16       /* failed execve only: success is PROC_EXEC */
#define OSP_EVT_EXECVEAT 17     /* failed execveat only */
#define OSP_EVT_CLONE 18
#define OSP_EVT_CLONE3 19
#define OSP_EVT_FORK 20
#define OSP_EVT_VFORK 21
#define OSP_EVT_OPEN 22
#define OSP_EVT_OPENAT 23
#define OSP_EVT_OPENAT2 24
#define OSP_EVT_CREAT 25
#define OSP_EVT_CLOSE 26
#define OSP_EVT_DUP 27
#define OSP_EVT_DUP2 28
#define OSP_EVT_DUP3 29
#define OSP_EVT_FCNTL 30 /* F_DUPFD and F_DUPFD_CLOEXEC only */
#define OSP_EVT_SOCKET 31
#define OSP_EVT_SOCKETPAIR 32
#define OSP_EVT_CONNECT 33
#define OSP_EVT_ACCEPT 34
#define OSP_EVT_ACCEPT4 35
#define OSP_EVT_BIND 36
#define OSP_EVT_LISTEN 37
#define OSP_EVT_SENDTO 38
#define OSP_EVT_SENDMSG 39 /* destination only, no payload */
#define OSP_EVT_UNLINK 40
#define OSP_EVT_UNLINKAT 41
#define OSP_EVT_RENAME 42
#define OSP_EVT_RENAMEAT 43
#define OSP_EVT_RENAMEAT2 44
#define OSP_EVT_MKDIR 45
#define OSP_EVT_MKDIRAT 46
#define OSP_EVT_RMDIR 47
#define OSP_EVT_SYMLINK 48
#define OSP_EVT_SYMLINKAT 49
#define OSP_EVT_LINK 50
#define OSP_EVT_LINKAT 51
#define OSP_EVT_CHMOD 52
#define OSP_EVT_FCHMOD 53
#define OSP_EVT_FCHMODAT 54
#define OSP_EVT_CHOWN 55
#define OSP_EVT_FCHOWN 56
#define OSP_EVT_FCHOWNAT 57
#define OSP_EVT_SETUID 58
#define OSP_EVT_SETGID 59
#define OSP_EVT_SETREUID 60
#define OSP_EVT_SETREGID 61
#define OSP_EVT_SETRESUID 62
#define OSP_EVT_SETRESGID 63
#define OSP_EVT_CAPSET 64
#define OSP_EVT_PTRACE 65
#define OSP_EVT_MOUNT 66
#define OSP_EVT_UMOUNT2 67
#define OSP_EVT_INIT_MODULE 68
#define OSP_EVT_FINIT_MODULE 69
#define OSP_EVT_DELETE_MODULE 70
#define OSP_EVT_BPF 71
#define OSP_EVT_MEMFD_CREATE 72
#define OSP_EVT_CHDIR 73
#define OSP_EVT_FCHDIR 74
#define OSP_EVT_CHROOT 75
#define OSP_EVT_PIVOT_ROOT 76
#define OSP_EVT_KILL 77
#define OSP_EVT_TKILL 78
#define OSP_EVT_TGKILL 79
#define OSP_EVT_SETNS 80
#define OSP_EVT_UNSHARE 81
#define OSP_EVT_PRCTL 82
#define OSP_EVT_USERFAULTFD 83
#define OSP_EVT_MPROTECT 84 /* only when PROT_EXEC is requested */
#define OSP_EVT_PIPE 85
#define OSP_EVT_PIPE2 86
#define OSP_EVT_IO_URING_SETUP 87
#define OSP_EVT_COUNT 88 /* one past the highest id */

/* Event categories (osp_event_info.category). */
#define OSP_CAT_PROCESS 1
#define OSP_CAT_FILE 2
#define OSP_CAT_NET 3
#define OSP_CAT_IPC 4
#define OSP_CAT_PERMISSION 5
#define OSP_CAT_MEMORY 6
#define OSP_CAT_SYSTEM 7 /* modules, mounts, bpf */
#define OSP_CAT_NAMESPACE 8
#define OSP_CAT_SIGNAL 9
#define OSP_CAT_STATE 10 /* snapshot records */

/* Event flags (osp_event_info.flags). */
#define OSP_EF_SYSCALL 0x0001    /* produced at a syscall's exit */
#define OSP_EF_CREATES_FD 0x0002 /* on success the result is a new fd */
#define OSP_EF_CLOSES_FD 0x0004
#define OSP_EF_ALWAYS 0x0008     /* needed by state tracking: not subject to the interest set */
#define OSP_EF_CUSTOM 0x0010     /* the producers fill it with event-specific code */

/* Parameter types. Sizes of the fixed ones are in osp_param_type_size(). */
#define OSP_PT_NONE 0
#define OSP_PT_INT8 1
#define OSP_PT_INT16 2
#define OSP_PT_INT32 3
#define OSP_PT_INT64 4
#define OSP_PT_UINT8 5
#define OSP_PT_UINT16 6
#define OSP_PT_UINT32 7
#define OSP_PT_UINT64 8
#define OSP_PT_ERRNO 9     /* __s64 syscall result: >= 0 value, < 0 -errno */
#define OSP_PT_FD 10       /* __s64 */
#define OSP_PT_DIRFD 11    /* __s64, -100 is AT_FDCWD */
#define OSP_PT_PID 12      /* __s64 */
#define OSP_PT_UID 13      /* __u32 */
#define OSP_PT_GID 14      /* __u32 */
#define OSP_PT_MODE 15     /* __u32, printed in octal */
#define OSP_PT_FLAGS32 16  /* __u32 bit mask, aux = OSP_FT_* name table */
#define OSP_PT_FLAGS64 17  /* __u64 bit mask, aux = OSP_FT_* name table */
#define OSP_PT_ENUM32 18   /* __u32 value, aux = OSP_FT_* name table */
#define OSP_PT_SIGNAL 19   /* __u32 */
#define OSP_PT_CAPS 20     /* __u64 capability mask */
#define OSP_PT_DEV 21      /* __u32 kernel dev_t (major << 20 | minor) */
#define OSP_PT_ABSTIME 22  /* __u64 CLOCK_BOOTTIME ns */
#define OSP_PT_CHARBUF 23  /* NUL-terminated string */
#define OSP_PT_PATH 24     /* NUL-terminated path, relative to the cwd if not absolute */
#define OSP_PT_FSRELPATH 25 /* NUL-terminated path, relative to the DIRFD param at index aux */
#define OSP_PT_BYTEBUF 26  /* raw bytes */
#define OSP_PT_CHARBUF_ARRAY 27 /* NUL-separated strings (argv, envp) */
#define OSP_PT_SOCKADDR 28 /* __u8 family + address, see below */
#define OSP_PT_SOCKTUPLE 29 /* __u8 family + local and remote ends, see below */
#define OSP_PT_TYPE_COUNT 30

/*
 * OSP_PT_SOCKADDR: __u8 family, then
 *   OSP_AF_INET:  __u8 addr[4] (network order), __u16 port (host order)  = 7 bytes
 *   OSP_AF_INET6: __u8 addr[16], __u16 port                              = 19 bytes
 *   OSP_AF_UNIX:  path, NUL-terminated; an abstract name starts with '@'
 *   other:        nothing more (only the family is known)
 * OSP_PT_SOCKTUPLE: __u8 family, then
 *   OSP_AF_INET:  local addr[4], local port, remote addr[4], remote port = 13 bytes
 *   OSP_AF_INET6: local addr[16], local port, remote addr[16], remote port = 37 bytes
 *   OSP_AF_UNIX:  path, NUL-terminated (the bound or peer path, may be empty)
 * An empty (0-length) value means the address was not available.
 */
#define OSP_AF_UNSPEC 0
#define OSP_AF_UNIX 1
#define OSP_AF_INET 2
#define OSP_AF_INET6 10
#define OSP_AF_NETLINK 16
#define OSP_AF_PACKET 17
#define OSP_SOCKADDR_INET_LEN 7
#define OSP_SOCKADDR_INET6_LEN 19
#define OSP_SOCKTUPLE_INET_LEN 13
#define OSP_SOCKTUPLE_INET6_LEN 37
#define OSP_UNIX_PATH_MAX 108

/* Where a producer finds a parameter's value. */
#define OSP_SRC_ARG0 0
#define OSP_SRC_ARG1 1
#define OSP_SRC_ARG2 2
#define OSP_SRC_ARG3 3
#define OSP_SRC_ARG4 4
#define OSP_SRC_ARG5 5
#define OSP_SRC_RET 6    /* the syscall's return value */
#define OSP_SRC_CUSTOM 7 /* event-specific producer code */

/*
 * Name tables for flags and enum parameters (osp_param_info.aux). The tables
 * themselves are userspace data (runtime/capture/flag_names.c); only the ids
 * are shared.
 */
#define OSP_FT_NONE 0
#define OSP_FT_OPEN 1
#define OSP_FT_AT 2
#define OSP_FT_RENAME 3
#define OSP_FT_CLONE 4
#define OSP_FT_PROT 5
#define OSP_FT_MOUNT 6
#define OSP_FT_UMOUNT 7
#define OSP_FT_MEMFD 8
#define OSP_FT_SOCKET_FAMILY 9
#define OSP_FT_FCNTL_CMD 10
#define OSP_FT_PTRACE_REQUEST 11
#define OSP_FT_PRCTL_OPTION 12
#define OSP_FT_BPF_CMD 13
#define OSP_FT_NS 14          /* CLONE_NEW* for setns and unshare */
#define OSP_FT_RESOLVE 15     /* openat2 RESOLVE_* */
#define OSP_FT_MODULE 16      /* finit_module MODULE_INIT_* */
#define OSP_FT_DELETE_MODULE 17
#define OSP_FT_IO_URING_SETUP 18
#define OSP_FT_EXE 19         /* OSP_EXE_* */
#define OSP_FT_FORK 20        /* OSP_FORK_* */
#define OSP_FT_EXIT 21        /* OSP_EXIT_* */
#define OSP_FT_FD_TYPE 22     /* OSP_FD_TYPE_* */
#define OSP_FT_SOCKET_TYPE 23 /* SOCK_* base type plus SOCK_NONBLOCK/SOCK_CLOEXEC */
#define OSP_FT_USERFAULTFD 24
#define OSP_FT_COUNT 25

/* PROC_EXEC / PROC_SNAPSHOT exe_flags. */
#define OSP_EXE_WRITABLE 0x1    /* the executable is writable by the process' uid */
#define OSP_EXE_UPPER_LAYER 0x2 /* the executable lives in an overlayfs upper layer */
#define OSP_EXE_FROM_MEMFD 0x4  /* the executable is a memfd (fileless) */
#define OSP_EXE_EXECVEAT 0x8    /* the exec came through execveat */
#define OSP_EXE_LOWER_LAYER 0x10 /* the executable comes from an overlayfs lower layer */

/* PROC_FORK flags. */
#define OSP_FORK_THREAD 0x1 /* a new thread in the same thread group */
#define OSP_FORK_VFORK 0x2

/* PROC_EXIT flags. */
#define OSP_EXIT_GROUP_DEAD 0x1 /* the last thread of its group */

/* FD_SNAPSHOT type values. */
#define OSP_FD_TYPE_UNKNOWN 0
#define OSP_FD_TYPE_FILE 1
#define OSP_FD_TYPE_DIRECTORY 2
#define OSP_FD_TYPE_IPV4_SOCK 3
#define OSP_FD_TYPE_IPV6_SOCK 4
#define OSP_FD_TYPE_UNIX_SOCK 5
#define OSP_FD_TYPE_OTHER_SOCK 6
#define OSP_FD_TYPE_PIPE 7
#define OSP_FD_TYPE_MEMFD 8
#define OSP_FD_TYPE_EVENT 9 /* eventfd, signalfd, timerfd, inotify, epoll, bpf ... */

/* Parameter positions of PROC_EXEC and PROC_SNAPSHOT (the same layout). */
#define OSP_EXEC_P_EXE 0
#define OSP_EXEC_P_FILENAME 1
#define OSP_EXEC_P_ARGS 2
#define OSP_EXEC_P_CWD 3
#define OSP_EXEC_P_ENV 4
#define OSP_EXEC_P_COMM 5
#define OSP_EXEC_P_PPID 6
#define OSP_EXEC_P_VTID 7
#define OSP_EXEC_P_VPID 8
#define OSP_EXEC_P_SID 9
#define OSP_EXEC_P_UID 10
#define OSP_EXEC_P_GID 11
#define OSP_EXEC_P_EUID 12
#define OSP_EXEC_P_EGID 13
#define OSP_EXEC_P_LOGINUID 14
#define OSP_EXEC_P_TTY 15
#define OSP_EXEC_P_CGROUP 16
#define OSP_EXEC_P_EXE_INO 17
#define OSP_EXEC_P_EXE_DEV 18
#define OSP_EXEC_P_EXE_FLAGS 19
#define OSP_EXEC_P_CAP_INH 20
#define OSP_EXEC_P_CAP_PRM 21
#define OSP_EXEC_P_CAP_EFF 22
#define OSP_EXEC_P_START_TS 23
#define OSP_EXEC_P_PIDNS 24
#define OSP_EXEC_P_OLD_TID 25
#define OSP_EXEC_NPARAMS 26

/* Parameter positions of PROC_FORK. */
#define OSP_FORK_P_PTID 0
#define OSP_FORK_P_PPID 1
#define OSP_FORK_P_VTID 2
#define OSP_FORK_P_VPID 3
#define OSP_FORK_P_FLAGS 4
#define OSP_FORK_P_PIDNS 5
#define OSP_FORK_NPARAMS 6

/* Parameter positions of PROC_EXIT. */
#define OSP_EXIT_P_STATUS 0
#define OSP_EXIT_P_FLAGS 1
#define OSP_EXIT_NPARAMS 2

/* Parameter positions of FD_SNAPSHOT. */
#define OSP_FDSNAP_P_FD 0
#define OSP_FDSNAP_P_TYPE 1
#define OSP_FDSNAP_P_FLAGS 2
#define OSP_FDSNAP_P_NAME 3
#define OSP_FDSNAP_P_TUPLE 4
#define OSP_FDSNAP_P_INO 5
#define OSP_FDSNAP_NPARAMS 6

/* Every syscall event has its result first. */
#define OSP_SYSCALL_P_RES 0

/* One parameter of one event: 20 bytes, no pointers, usable by the eBPF probe. */
struct osp_param_info {
	char name[OSP_PARAM_NAME_MAX];
	__u8 type;   /* OSP_PT_* */
	__u8 source; /* OSP_SRC_* */
	__u8 aux;    /* OSP_FT_* for flags/enums; dirfd param index for FSRELPATH;
			length argument (OSP_SRC_ARG*) for SOCKADDR */
	__u8 pad;
};

struct osp_event_info {
	char name[OSP_NAME_MAX];
	__u8 category; /* OSP_CAT_* */
	__u8 nparams;
	__u16 flags;   /* OSP_EF_* */
	struct osp_param_info params[OSP_MAX_PARAMS];
};

/*
 * Per-CPU counters, written by the producers and summed by userspace. The
 * kernel module exposes them in its control page, the eBPF probe in a
 * per-CPU array. Every field is a monotonically increasing count.
 */
struct osp_counters {
	__u64 events;         /* records written to the buffer */
	__u64 drops_buffer;   /* records lost: the buffer was full */
	__u64 drops_too_big;  /* records lost: larger than OSP_EVENT_MAX_LEN (a bug if non-zero) */
	__u64 faults;         /* user or kernel memory that could not be read; the record went
				 out with that value empty */
	__u64 truncations;    /* values cut at their bound */
	__u64 reserved[3];
};

/* Fixed byte size of a parameter type, 0 for variable-size ones. */
static inline __u32 osp_param_type_size(__u8 type)
{
	switch (type) {
	case OSP_PT_INT8:
	case OSP_PT_UINT8:
		return 1;
	case OSP_PT_INT16:
	case OSP_PT_UINT16:
		return 2;
	case OSP_PT_INT32:
	case OSP_PT_UINT32:
	case OSP_PT_UID:
	case OSP_PT_GID:
	case OSP_PT_MODE:
	case OSP_PT_FLAGS32:
	case OSP_PT_ENUM32:
	case OSP_PT_SIGNAL:
	case OSP_PT_DEV:
		return 4;
	case OSP_PT_INT64:
	case OSP_PT_UINT64:
	case OSP_PT_ERRNO:
	case OSP_PT_FD:
	case OSP_PT_DIRFD:
	case OSP_PT_PID:
	case OSP_PT_FLAGS64:
	case OSP_PT_CAPS:
	case OSP_PT_ABSTIME:
		return 8;
	default:
		return 0;
	}
}

#endif /* OSPREY_SCHEMA_H */
