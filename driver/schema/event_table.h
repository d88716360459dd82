/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The event table: name, category, flags and typed parameters of every event.
 *
 * This is data, read by every producer and consumer: the eBPF probe's generic
 * filler walks a syscall event's parameters and fetches each from its source;
 * the kernel module does the same; userspace decodes, prints, stores in
 * capture files and extracts rule fields from it. Include this header in one
 * translation unit per program (it defines a static table).
 *
 * Rules (see README.md): ids are appended only; a parameter is never removed
 * or moved, new ones go last; a syscall event's result is parameter 0 and its
 * name follows Falco's ("fd" when the result is a new descriptor, else "res").
 */
#ifndef OSPREY_EVENT_TABLE_H
#define OSPREY_EVENT_TABLE_H

#include "osprey_schema.h"

#define OSP_P(n, t, s) { .name = n, .type = OSP_PT_##t, .source = OSP_SRC_##s }
#define OSP_PX(n, t, s, x) { .name = n, .type = OSP_PT_##t, .source = OSP_SRC_##s, .aux = (x) }
#define OSP_RES OSP_P("res", ERRNO, RET)
#define OSP_RES_FD OSP_P("fd", FD, RET)
#define OSP_SYSCALL_EVENT(id, n, cat, f, ...)                                                      \
	[id] = {                                                                                   \
		.name = n,                                                                         \
		.category = OSP_CAT_##cat,                                                         \
		.flags = OSP_EF_SYSCALL | (f),                                                     \
		.nparams = sizeof((struct osp_param_info[]){ __VA_ARGS__ }) /                      \
			   sizeof(struct osp_param_info),                                          \
		.params = { __VA_ARGS__ },                                                         \
	}

/* The process description shared by PROC_EXEC and PROC_SNAPSHOT (OSP_EXEC_P_*). */
#define OSP_PROC_PARAMS                                                                            \
	OSP_P("exe", PATH, CUSTOM), OSP_P("filename", CHARBUF, CUSTOM),                             \
		OSP_P("args", CHARBUF_ARRAY, CUSTOM), OSP_P("cwd", PATH, CUSTOM),                  \
		OSP_P("env", CHARBUF_ARRAY, CUSTOM), OSP_P("comm", CHARBUF, CUSTOM),               \
		OSP_P("ppid", PID, CUSTOM), OSP_P("vtid", PID, CUSTOM), OSP_P("vpid", PID, CUSTOM), \
		OSP_P("sid", PID, CUSTOM), OSP_P("uid", UID, CUSTOM), OSP_P("gid", GID, CUSTOM),   \
		OSP_P("euid", UID, CUSTOM), OSP_P("egid", GID, CUSTOM),                            \
		OSP_P("loginuid", UID, CUSTOM), OSP_P("tty", DEV, CUSTOM),                         \
		OSP_P("cgroup", PATH, CUSTOM), OSP_P("exe_ino", UINT64, CUSTOM),                   \
		OSP_P("exe_dev", DEV, CUSTOM), OSP_PX("exe_flags", FLAGS32, CUSTOM, OSP_FT_EXE),   \
		OSP_P("cap_inheritable", CAPS, CUSTOM), OSP_P("cap_permitted", CAPS, CUSTOM),      \
		OSP_P("cap_effective", CAPS, CUSTOM), OSP_P("start_ts", ABSTIME, CUSTOM),          \
		OSP_P("pidns", UINT32, CUSTOM), OSP_P("old_tid", PID, CUSTOM)

#define OSP_STATE_EVENT(id, n, cat, f, ...)                                                        \
	[id] = {                                                                                   \
		.name = n,                                                                         \
		.category = OSP_CAT_##cat,                                                         \
		.flags = OSP_EF_ALWAYS | OSP_EF_CUSTOM | (f),                                      \
		.nparams = sizeof((struct osp_param_info[]){ __VA_ARGS__ }) /                      \
			   sizeof(struct osp_param_info),                                          \
		.params = { __VA_ARGS__ },                                                         \
	}

static const struct osp_event_info osp_event_table[OSP_EVT_COUNT] = {
	OSP_STATE_EVENT(OSP_EVT_PROC_SNAPSHOT, "procinfo", STATE, 0, OSP_PROC_PARAMS),
	OSP_STATE_EVENT(OSP_EVT_FD_SNAPSHOT, "fdinfo", STATE, 0,
			OSP_P("fd", FD, CUSTOM), OSP_PX("type", ENUM32, CUSTOM, OSP_FT_FD_TYPE),
			OSP_PX("flags", FLAGS32, CUSTOM, OSP_FT_OPEN), OSP_P("name", PATH, CUSTOM),
			OSP_P("tuple", SOCKTUPLE, CUSTOM), OSP_P("ino", UINT64, CUSTOM)),
	OSP_STATE_EVENT(OSP_EVT_PROC_FORK, "procfork", PROCESS, 0,
			OSP_P("ptid", PID, CUSTOM), OSP_P("ppid", PID, CUSTOM),
			OSP_P("vtid", PID, CUSTOM), OSP_P("vpid", PID, CUSTOM),
			OSP_PX("flags", FLAGS32, CUSTOM, OSP_FT_FORK), OSP_P("pidns", UINT32, CUSTOM)),
	OSP_STATE_EVENT(OSP_EVT_PROC_EXEC, "procexec", PROCESS, 0, OSP_PROC_PARAMS),
	OSP_STATE_EVENT(OSP_EVT_PROC_EXIT, "procexit", PROCESS, 0,
			OSP_P("status", INT32, CUSTOM),
			OSP_PX("flags", FLAGS32, CUSTOM, OSP_FT_EXIT)),

	OSP_SYSCALL_EVENT(OSP_EVT_EXECVE, "execve", PROCESS, OSP_EF_CUSTOM, OSP_RES,
			  OSP_P("filename", PATH, ARG0), OSP_P("args", CHARBUF_ARRAY, CUSTOM)),
	OSP_SYSCALL_EVENT(OSP_EVT_EXECVEAT, "execveat", PROCESS, OSP_EF_CUSTOM, OSP_RES,
			  OSP_P("dirfd", DIRFD, ARG0), OSP_PX("pathname", FSRELPATH, ARG1, 1),
			  OSP_P("args", CHARBUF_ARRAY, CUSTOM),
			  OSP_PX("flags", FLAGS32, ARG4, OSP_FT_AT)),
	OSP_SYSCALL_EVENT(OSP_EVT_CLONE, "clone", PROCESS, 0, OSP_P("res", PID, RET),
			  OSP_PX("flags", FLAGS64, ARG0, OSP_FT_CLONE)),
	OSP_SYSCALL_EVENT(OSP_EVT_CLONE3, "clone3", PROCESS, OSP_EF_CUSTOM, OSP_P("res", PID, RET),
			  OSP_PX("flags", FLAGS64, CUSTOM, OSP_FT_CLONE)),
	OSP_SYSCALL_EVENT(OSP_EVT_FORK, "fork", PROCESS, 0, OSP_P("res", PID, RET)),
	OSP_SYSCALL_EVENT(OSP_EVT_VFORK, "vfork", PROCESS, 0, OSP_P("res", PID, RET)),

	OSP_SYSCALL_EVENT(OSP_EVT_OPEN, "open", FILE, OSP_EF_CREATES_FD, OSP_RES_FD,
			  OSP_P("name", PATH, ARG0), OSP_PX("flags", FLAGS32, ARG1, OSP_FT_OPEN),
			  OSP_P("mode", MODE, ARG2)),
	OSP_SYSCALL_EVENT(OSP_EVT_OPENAT, "openat", FILE, OSP_EF_CREATES_FD, OSP_RES_FD,
			  OSP_P("dirfd", DIRFD, ARG0), OSP_PX("name", FSRELPATH, ARG1, 1),
			  OSP_PX("flags", FLAGS32, ARG2, OSP_FT_OPEN), OSP_P("mode", MODE, ARG3)),
	OSP_SYSCALL_EVENT(OSP_EVT_OPENAT2, "openat2", FILE, OSP_EF_CREATES_FD | OSP_EF_CUSTOM,
			  OSP_RES_FD, OSP_P("dirfd", DIRFD, ARG0),
			  OSP_PX("name", FSRELPATH, ARG1, 1),
			  OSP_PX("flags", FLAGS32, CUSTOM, OSP_FT_OPEN), OSP_P("mode", MODE, CUSTOM),
			  OSP_PX("resolve", FLAGS32, CUSTOM, OSP_FT_RESOLVE)),
	OSP_SYSCALL_EVENT(OSP_EVT_CREAT, "creat", FILE, OSP_EF_CREATES_FD, OSP_RES_FD,
			  OSP_P("name", PATH, ARG0), OSP_P("mode", MODE, ARG1)),
	OSP_SYSCALL_EVENT(OSP_EVT_CLOSE, "close", FILE, OSP_EF_CLOSES_FD, OSP_RES,
			  OSP_P("fd", FD, ARG0)),
	OSP_SYSCALL_EVENT(OSP_EVT_DUP, "dup", FILE, OSP_EF_CREATES_FD, OSP_P("res", FD, RET),
			  OSP_P("oldfd", FD, ARG0)),
	OSP_SYSCALL_EVENT(OSP_EVT_DUP2, "dup2", FILE, OSP_EF_CREATES_FD, OSP_P("res", FD, RET),
			  OSP_P("oldfd", FD, ARG0), OSP_P("newfd", FD, ARG1)),
	OSP_SYSCALL_EVENT(OSP_EVT_DUP3, "dup3", FILE, OSP_EF_CREATES_FD, OSP_P("res", FD, RET),
			  OSP_P("oldfd", FD, ARG0), OSP_P("newfd", FD, ARG1),
			  OSP_PX("flags", FLAGS32, ARG2, OSP_FT_OPEN)),
	OSP_SYSCALL_EVENT(OSP_EVT_FCNTL, "fcntl", FILE, OSP_EF_CREATES_FD | OSP_EF_CUSTOM,
			  OSP_P("res", FD, RET), OSP_P("fd", FD, ARG0),
			  OSP_PX("cmd", ENUM32, ARG1, OSP_FT_FCNTL_CMD)),

	OSP_SYSCALL_EVENT(OSP_EVT_SOCKET, "socket", NET, OSP_EF_CREATES_FD, OSP_RES_FD,
			  OSP_PX("domain", ENUM32, ARG0, OSP_FT_SOCKET_FAMILY),
			  OSP_PX("type", ENUM32, ARG1, OSP_FT_SOCKET_TYPE),
			  OSP_P("proto", UINT32, ARG2)),
	OSP_SYSCALL_EVENT(OSP_EVT_SOCKETPAIR, "socketpair", NET, OSP_EF_CREATES_FD | OSP_EF_CUSTOM,
			  OSP_RES, OSP_PX("domain", ENUM32, ARG0, OSP_FT_SOCKET_FAMILY),
			  OSP_PX("type", ENUM32, ARG1, OSP_FT_SOCKET_TYPE),
			  OSP_P("proto", UINT32, ARG2), OSP_P("fd1", FD, CUSTOM),
			  OSP_P("fd2", FD, CUSTOM)),
	OSP_SYSCALL_EVENT(OSP_EVT_CONNECT, "connect", NET, OSP_EF_CUSTOM, OSP_RES,
			  OSP_P("fd", FD, ARG0), OSP_P("tuple", SOCKTUPLE, CUSTOM)),
	OSP_SYSCALL_EVENT(OSP_EVT_ACCEPT, "accept", NET, OSP_EF_CREATES_FD | OSP_EF_CUSTOM,
			  OSP_RES_FD, OSP_P("tuple", SOCKTUPLE, CUSTOM)),
	OSP_SYSCALL_EVENT(OSP_EVT_ACCEPT4, "accept4", NET, OSP_EF_CREATES_FD | OSP_EF_CUSTOM,
			  OSP_RES_FD, OSP_P("tuple", SOCKTUPLE, CUSTOM),
			  OSP_PX("flags", FLAGS32, ARG3, OSP_FT_OPEN)),
	OSP_SYSCALL_EVENT(OSP_EVT_BIND, "bind", NET, 0, OSP_RES, OSP_P("fd", FD, ARG0),
			  OSP_PX("addr", SOCKADDR, ARG1, OSP_SRC_ARG2)),
	OSP_SYSCALL_EVENT(OSP_EVT_LISTEN, "listen", NET, 0, OSP_RES, OSP_P("fd", FD, ARG0),
			  OSP_P("backlog", INT32, ARG1)),
	OSP_SYSCALL_EVENT(OSP_EVT_SENDTO, "sendto", NET, 0, OSP_RES, OSP_P("fd", FD, ARG0),
			  OSP_P("size", UINT64, ARG2),
			  OSP_PX("addr", SOCKADDR, ARG4, OSP_SRC_ARG5)),
	OSP_SYSCALL_EVENT(OSP_EVT_SENDMSG, "sendmsg", NET, OSP_EF_CUSTOM, OSP_RES,
			  OSP_P("fd", FD, ARG0), OSP_P("addr", SOCKADDR, CUSTOM)),

	OSP_SYSCALL_EVENT(OSP_EVT_UNLINK, "unlink", FILE, 0, OSP_RES, OSP_P("path", PATH, ARG0)),
	OSP_SYSCALL_EVENT(OSP_EVT_UNLINKAT, "unlinkat", FILE, 0, OSP_RES,
			  OSP_P("dirfd", DIRFD, ARG0), OSP_PX("name", FSRELPATH, ARG1, 1),
			  OSP_PX("flags", FLAGS32, ARG2, OSP_FT_AT)),
	OSP_SYSCALL_EVENT(OSP_EVT_RENAME, "rename", FILE, 0, OSP_RES,
			  OSP_P("oldpath", PATH, ARG0), OSP_P("newpath", PATH, ARG1)),
	OSP_SYSCALL_EVENT(OSP_EVT_RENAMEAT, "renameat", FILE, 0, OSP_RES,
			  OSP_P("olddirfd", DIRFD, ARG0), OSP_PX("oldpath", FSRELPATH, ARG1, 1),
			  OSP_P("newdirfd", DIRFD, ARG2), OSP_PX("newpath", FSRELPATH, ARG3, 3)),
	OSP_SYSCALL_EVENT(OSP_EVT_RENAMEAT2, "renameat2", FILE, 0, OSP_RES,
			  OSP_P("olddirfd", DIRFD, ARG0), OSP_PX("oldpath", FSRELPATH, ARG1, 1),
			  OSP_P("newdirfd", DIRFD, ARG2), OSP_PX("newpath", FSRELPATH, ARG3, 3),
			  OSP_PX("flags", FLAGS32, ARG4, OSP_FT_RENAME)),
	OSP_SYSCALL_EVENT(OSP_EVT_MKDIR, "mkdir", FILE, 0, OSP_RES, OSP_P("path", PATH, ARG0),
			  OSP_P("mode", MODE, ARG1)),
	OSP_SYSCALL_EVENT(OSP_EVT_MKDIRAT, "mkdirat", FILE, 0, OSP_RES,
			  OSP_P("dirfd", DIRFD, ARG0), OSP_PX("path", FSRELPATH, ARG1, 1),
			  OSP_P("mode", MODE, ARG2)),
	OSP_SYSCALL_EVENT(OSP_EVT_RMDIR, "rmdir", FILE, 0, OSP_RES, OSP_P("path", PATH, ARG0)),
	OSP_SYSCALL_EVENT(OSP_EVT_SYMLINK, "symlink", FILE, 0, OSP_RES,
			  OSP_P("target", CHARBUF, ARG0), OSP_P("linkpath", PATH, ARG1)),
	OSP_SYSCALL_EVENT(OSP_EVT_SYMLINKAT, "symlinkat", FILE, 0, OSP_RES,
			  OSP_P("target", CHARBUF, ARG0), OSP_P("linkdirfd", DIRFD, ARG1),
			  OSP_PX("linkpath", FSRELPATH, ARG2, 2)),
	OSP_SYSCALL_EVENT(OSP_EVT_LINK, "link", FILE, 0, OSP_RES, OSP_P("oldpath", PATH, ARG0),
			  OSP_P("newpath", PATH, ARG1)),
	OSP_SYSCALL_EVENT(OSP_EVT_LINKAT, "linkat", FILE, 0, OSP_RES,
			  OSP_P("olddir", DIRFD, ARG0), OSP_PX("oldpath", FSRELPATH, ARG1, 1),
			  OSP_P("newdir", DIRFD, ARG2), OSP_PX("newpath", FSRELPATH, ARG3, 3),
			  OSP_PX("flags", FLAGS32, ARG4, OSP_FT_AT)),
	OSP_SYSCALL_EVENT(OSP_EVT_CHMOD, "chmod", FILE, 0, OSP_RES,
			  OSP_P("filename", PATH, ARG0), OSP_P("mode", MODE, ARG1)),
	OSP_SYSCALL_EVENT(OSP_EVT_FCHMOD, "fchmod", FILE, 0, OSP_RES, OSP_P("fd", FD, ARG0),
			  OSP_P("mode", MODE, ARG1)),
	OSP_SYSCALL_EVENT(OSP_EVT_FCHMODAT, "fchmodat", FILE, 0, OSP_RES,
			  OSP_P("dirfd", DIRFD, ARG0), OSP_PX("filename", FSRELPATH, ARG1, 1),
			  OSP_P("mode", MODE, ARG2)),
	OSP_SYSCALL_EVENT(OSP_EVT_CHOWN, "chown", FILE, 0, OSP_RES, OSP_P("path", PATH, ARG0),
			  OSP_P("uid", UID, ARG1), OSP_P("gid", GID, ARG2)),
	OSP_SYSCALL_EVENT(OSP_EVT_FCHOWN, "fchown", FILE, 0, OSP_RES, OSP_P("fd", FD, ARG0),
			  OSP_P("uid", UID, ARG1), OSP_P("gid", GID, ARG2)),
	OSP_SYSCALL_EVENT(OSP_EVT_FCHOWNAT, "fchownat", FILE, 0, OSP_RES,
			  OSP_P("dirfd", DIRFD, ARG0), OSP_PX("pathname", FSRELPATH, ARG1, 1),
			  OSP_P("uid", UID, ARG2), OSP_P("gid", GID, ARG3),
			  OSP_PX("flags", FLAGS32, ARG4, OSP_FT_AT)),

	OSP_SYSCALL_EVENT(OSP_EVT_SETUID, "setuid", PERMISSION, 0, OSP_RES,
			  OSP_P("uid", UID, ARG0)),
	OSP_SYSCALL_EVENT(OSP_EVT_SETGID, "setgid", PERMISSION, 0, OSP_RES,
			  OSP_P("gid", GID, ARG0)),
	OSP_SYSCALL_EVENT(OSP_EVT_SETREUID, "setreuid", PERMISSION, 0, OSP_RES,
			  OSP_P("ruid", UID, ARG0), OSP_P("euid", UID, ARG1)),
	OSP_SYSCALL_EVENT(OSP_EVT_SETREGID, "setregid", PERMISSION, 0, OSP_RES,
			  OSP_P("rgid", GID, ARG0), OSP_P("egid", GID, ARG1)),
	OSP_SYSCALL_EVENT(OSP_EVT_SETRESUID, "setresuid", PERMISSION, 0, OSP_RES,
			  OSP_P("ruid", UID, ARG0), OSP_P("euid", UID, ARG1),
			  OSP_P("suid", UID, ARG2)),
	OSP_SYSCALL_EVENT(OSP_EVT_SETRESGID, "setresgid", PERMISSION, 0, OSP_RES,
			  OSP_P("rgid", GID, ARG0), OSP_P("egid", GID, ARG1),
			  OSP_P("sgid", GID, ARG2)),
	OSP_SYSCALL_EVENT(OSP_EVT_CAPSET, "capset", PERMISSION, OSP_EF_CUSTOM, OSP_RES,
			  OSP_P("cap_inheritable", CAPS, CUSTOM),
			  OSP_P("cap_permitted", CAPS, CUSTOM),
			  OSP_P("cap_effective", CAPS, CUSTOM)),
	OSP_SYSCALL_EVENT(OSP_EVT_PTRACE, "ptrace", PROCESS, 0, OSP_RES,
			  OSP_PX("request", ENUM32, ARG0, OSP_FT_PTRACE_REQUEST),
			  OSP_P("pid", PID, ARG1)),

	OSP_SYSCALL_EVENT(OSP_EVT_MOUNT, "mount", SYSTEM, 0, OSP_RES, OSP_P("dev", CHARBUF, ARG0),
			  OSP_P("dir", PATH, ARG1), OSP_P("type", CHARBUF, ARG2),
			  OSP_PX("flags", FLAGS32, ARG3, OSP_FT_MOUNT)),
	OSP_SYSCALL_EVENT(OSP_EVT_UMOUNT2, "umount2", SYSTEM, 0, OSP_RES,
			  OSP_P("name", PATH, ARG0), OSP_PX("flags", FLAGS32, ARG1, OSP_FT_UMOUNT)),
	OSP_SYSCALL_EVENT(OSP_EVT_INIT_MODULE, "init_module", SYSTEM, 0, OSP_RES,
			  OSP_P("len", UINT64, ARG1), OSP_P("uargs", CHARBUF, ARG2)),
	OSP_SYSCALL_EVENT(OSP_EVT_FINIT_MODULE, "finit_module", SYSTEM, 0, OSP_RES,
			  OSP_P("fd", FD, ARG0), OSP_P("uargs", CHARBUF, ARG1),
			  OSP_PX("flags", FLAGS32, ARG2, OSP_FT_MODULE)),
	OSP_SYSCALL_EVENT(OSP_EVT_DELETE_MODULE, "delete_module", SYSTEM, 0, OSP_RES,
			  OSP_P("name", CHARBUF, ARG0),
			  OSP_PX("flags", FLAGS32, ARG1, OSP_FT_DELETE_MODULE)),
	OSP_SYSCALL_EVENT(OSP_EVT_BPF, "bpf", SYSTEM, 0, OSP_P("res_or_fd", ERRNO, RET),
			  OSP_PX("cmd", ENUM32, ARG0, OSP_FT_BPF_CMD)),
	OSP_SYSCALL_EVENT(OSP_EVT_MEMFD_CREATE, "memfd_create", MEMORY, OSP_EF_CREATES_FD,
			  OSP_RES_FD, OSP_P("name", CHARBUF, ARG0),
			  OSP_PX("flags", FLAGS32, ARG1, OSP_FT_MEMFD)),

	OSP_SYSCALL_EVENT(OSP_EVT_CHDIR, "chdir", FILE, 0, OSP_RES, OSP_P("path", PATH, ARG0)),
	OSP_SYSCALL_EVENT(OSP_EVT_FCHDIR, "fchdir", FILE, 0, OSP_RES, OSP_P("fd", FD, ARG0)),
	OSP_SYSCALL_EVENT(OSP_EVT_CHROOT, "chroot", FILE, 0, OSP_RES, OSP_P("path", PATH, ARG0)),
	OSP_SYSCALL_EVENT(OSP_EVT_PIVOT_ROOT, "pivot_root", SYSTEM, 0, OSP_RES,
			  OSP_P("new_root", PATH, ARG0), OSP_P("put_old", PATH, ARG1)),
	OSP_SYSCALL_EVENT(OSP_EVT_KILL, "kill", SIGNAL, 0, OSP_RES, OSP_P("pid", PID, ARG0),
			  OSP_P("sig", SIGNAL, ARG1)),
	OSP_SYSCALL_EVENT(OSP_EVT_TKILL, "tkill", SIGNAL, 0, OSP_RES, OSP_P("tid", PID, ARG0),
			  OSP_P("sig", SIGNAL, ARG1)),
	OSP_SYSCALL_EVENT(OSP_EVT_TGKILL, "tgkill", SIGNAL, 0, OSP_RES, OSP_P("pid", PID, ARG0),
			  OSP_P("tid", PID, ARG1), OSP_P("sig", SIGNAL, ARG2)),
	OSP_SYSCALL_EVENT(OSP_EVT_SETNS, "setns", NAMESPACE, 0, OSP_RES, OSP_P("fd", FD, ARG0),
			  OSP_PX("nstype", FLAGS32, ARG1, OSP_FT_NS)),
	OSP_SYSCALL_EVENT(OSP_EVT_UNSHARE, "unshare", NAMESPACE, 0, OSP_RES,
			  OSP_PX("flags", FLAGS32, ARG0, OSP_FT_CLONE)),
	OSP_SYSCALL_EVENT(OSP_EVT_PRCTL, "prctl", PROCESS, OSP_EF_CUSTOM, OSP_RES,
			  OSP_PX("option", ENUM32, ARG0, OSP_FT_PRCTL_OPTION),
			  OSP_P("arg2_str", CHARBUF, CUSTOM), OSP_P("arg2_int", INT64, ARG1)),
	OSP_SYSCALL_EVENT(OSP_EVT_USERFAULTFD, "userfaultfd", MEMORY, OSP_EF_CREATES_FD, OSP_RES,
			  OSP_PX("flags", FLAGS32, ARG0, OSP_FT_USERFAULTFD)),
	OSP_SYSCALL_EVENT(OSP_EVT_MPROTECT, "mprotect", MEMORY, OSP_EF_CUSTOM, OSP_RES,
			  OSP_P("addr", UINT64, ARG0), OSP_P("len", UINT64, ARG1),
			  OSP_PX("prot", FLAGS32, ARG2, OSP_FT_PROT)),
	OSP_SYSCALL_EVENT(OSP_EVT_PIPE, "pipe", IPC, OSP_EF_CREATES_FD | OSP_EF_CUSTOM, OSP_RES,
			  OSP_P("fd1", FD, CUSTOM), OSP_P("fd2", FD, CUSTOM)),
	OSP_SYSCALL_EVENT(OSP_EVT_PIPE2, "pipe2", IPC, OSP_EF_CREATES_FD | OSP_EF_CUSTOM, OSP_RES,
			  OSP_P("fd1", FD, CUSTOM), OSP_P("fd2", FD, CUSTOM),
			  OSP_PX("flags", FLAGS32, ARG1, OSP_FT_OPEN)),
	OSP_SYSCALL_EVENT(OSP_EVT_IO_URING_SETUP, "io_uring_setup", IPC,
			  OSP_EF_CREATES_FD | OSP_EF_CUSTOM, OSP_RES_FD,
			  OSP_P("entries", UINT32, ARG0),
			  OSP_PX("flags", FLAGS32, CUSTOM, OSP_FT_IO_URING_SETUP)),
};

#endif /* OSPREY_EVENT_TABLE_H */
