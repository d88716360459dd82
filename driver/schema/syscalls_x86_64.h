/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * x86_64 system call numbers of the events Osprey produces. One architecture
 * is one such table: another architecture adds syscalls_<arch>.h with its own
 * numbers (syscalls that do not exist there, such as open on aarch64, are
 * simply absent) and selects it in syscall_map.h.
 */
#ifndef OSPREY_SYSCALLS_X86_64_H
#define OSPREY_SYSCALLS_X86_64_H

#include "osprey_schema.h"

/* Indexed by syscall number; 0 (OSP_EVT_UNKNOWN) means Osprey does not trace it. */
static const __u16 osp_syscall_to_event[OSP_SYSCALL_MAX] = {
	[2] = OSP_EVT_OPEN,
	[3] = OSP_EVT_CLOSE,
	[10] = OSP_EVT_MPROTECT,
	[22] = OSP_EVT_PIPE,
	[32] = OSP_EVT_DUP,
	[33] = OSP_EVT_DUP2,
	[41] = OSP_EVT_SOCKET,
	[42] = OSP_EVT_CONNECT,
	[43] = OSP_EVT_ACCEPT,
	[44] = OSP_EVT_SENDTO,
	[46] = OSP_EVT_SENDMSG,
	[49] = OSP_EVT_BIND,
	[50] = OSP_EVT_LISTEN,
	[53] = OSP_EVT_SOCKETPAIR,
	[56] = OSP_EVT_CLONE,
	[57] = OSP_EVT_FORK,
	[58] = OSP_EVT_VFORK,
	[59] = OSP_EVT_EXECVE,
	[62] = OSP_EVT_KILL,
	[72] = OSP_EVT_FCNTL,
	[80] = OSP_EVT_CHDIR,
	[81] = OSP_EVT_FCHDIR,
	[82] = OSP_EVT_RENAME,
	[83] = OSP_EVT_MKDIR,
	[84] = OSP_EVT_RMDIR,
	[85] = OSP_EVT_CREAT,
	[86] = OSP_EVT_LINK,
	[87] = OSP_EVT_UNLINK,
	[88] = OSP_EVT_SYMLINK,
	[90] = OSP_EVT_CHMOD,
	[91] = OSP_EVT_FCHMOD,
	[92] = OSP_EVT_CHOWN,
	[93] = OSP_EVT_FCHOWN,
	[101] = OSP_EVT_PTRACE,
	[105] = OSP_EVT_SETUID,
	[106] = OSP_EVT_SETGID,
	[113] = OSP_EVT_SETREUID,
	[114] = OSP_EVT_SETREGID,
	[117] = OSP_EVT_SETRESUID,
	[119] = OSP_EVT_SETRESGID,
	[126] = OSP_EVT_CAPSET,
	[155] = OSP_EVT_PIVOT_ROOT,
	[157] = OSP_EVT_PRCTL,
	[161] = OSP_EVT_CHROOT,
	[165] = OSP_EVT_MOUNT,
	[166] = OSP_EVT_UMOUNT2,
	[175] = OSP_EVT_INIT_MODULE,
	[176] = OSP_EVT_DELETE_MODULE,
	[200] = OSP_EVT_TKILL,
	[234] = OSP_EVT_TGKILL,
	[257] = OSP_EVT_OPENAT,
	[258] = OSP_EVT_MKDIRAT,
	[260] = OSP_EVT_FCHOWNAT,
	[263] = OSP_EVT_UNLINKAT,
	[264] = OSP_EVT_RENAMEAT,
	[265] = OSP_EVT_LINKAT,
	[266] = OSP_EVT_SYMLINKAT,
	[268] = OSP_EVT_FCHMODAT,
	[272] = OSP_EVT_UNSHARE,
	[288] = OSP_EVT_ACCEPT4,
	[292] = OSP_EVT_DUP3,
	[293] = OSP_EVT_PIPE2,
	[308] = OSP_EVT_SETNS,
	[313] = OSP_EVT_FINIT_MODULE,
	[316] = OSP_EVT_RENAMEAT2,
	[319] = OSP_EVT_MEMFD_CREATE,
	[321] = OSP_EVT_BPF,
	[322] = OSP_EVT_EXECVEAT,
	[323] = OSP_EVT_USERFAULTFD,
	[425] = OSP_EVT_IO_URING_SETUP,
	[435] = OSP_EVT_CLONE3,
	[437] = OSP_EVT_OPENAT2,
};

#endif /* OSPREY_SYSCALLS_X86_64_H */
