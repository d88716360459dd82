// SPDX-License-Identifier: Apache-2.0
/*
 * Name tables of the OSP_FT_* ids. The values are written out (octal where the kernel writes
 * them in octal) rather than taken from libc headers: libc and the kernel disagree on some
 * (O_LARGEFILE is 0 in 64-bit glibc, the kernel reports 0100000), and several constants are
 * newer than the build machine's headers. test-flag-names compares every value that the
 * build machine's headers do define. Values are x86_64's (asm-generic); the few that differ
 * on arm/arm64 are selected below.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "flag_names.h"
#include "macro.h"
#include "osprey_schema.h"

struct flag_name {
	const char *name;
	uint64_t value;
	uint64_t mask;  /* bits this entry covers; 0 = the value's own bits */
	bool alias;     /* accepted by lookup, never printed */
};

struct flag_table {
	const struct flag_name *names;
	size_t n;
	bool is_enum;
	const char *zero; /* mask tables: the name of 0 (PROT_NONE), or NULL for "0" */
	uint64_t hide;	  /* mask tables: bits never printed (as Falco, which drops them) */
};

#define F(n, v) { .name = #n, .value = (v) }
#define FM(n, v, m) { .name = #n, .value = (v), .mask = (m) }
#define FA(n, v) { .name = #n, .value = (v), .alias = true }

/* open(2) flags, asm-generic/fcntl.h; arm and arm64 move four of them. */
#if defined(__aarch64__) || defined(__arm__)
#define K_O_DIRECTORY 040000
#define K_O_NOFOLLOW 0100000
#define K_O_DIRECT 0200000
#define K_O_LARGEFILE 0400000
#else
#define K_O_DIRECTORY 0200000
#define K_O_NOFOLLOW 0400000
#define K_O_DIRECT 040000
#define K_O_LARGEFILE 0100000
#endif
#define K_O_ACCMODE 03
#define K_O_NONBLOCK 04000
#define K_O_TRUNC 01000
#define K_O_CLOEXEC 02000000
#define K_O_DSYNC 010000
#define K___O_SYNC 04000000
#define K___O_TMPFILE 020000000

static const struct flag_name open_names[] = {
	/*
	 * Falco's order (libs' file_flags), so that a rendered mask reads as Falco prints it:
	 * "O_TRUNC|O_CREAT|O_WRONLY". O_TMPFILE and O_SYNC name their own bit, as Falco's do:
	 * the O_DIRECTORY and O_DSYNC they include print next to them. Then the flags Falco has
	 * no name for.
	 */
	F(O_LARGEFILE, K_O_LARGEFILE),
	F(O_DIRECTORY, K_O_DIRECTORY),
	F(O_DIRECT, K_O_DIRECT),
	F(O_TRUNC, K_O_TRUNC),
	F(O_SYNC, K___O_SYNC),
	F(O_NONBLOCK, K_O_NONBLOCK),
	F(O_EXCL, 0200),
	F(O_DSYNC, K_O_DSYNC),
	F(O_APPEND, 02000),
	F(O_CREAT, 0100),
	FM(O_RDWR, 2, K_O_ACCMODE),
	FM(O_WRONLY, 1, K_O_ACCMODE),
	FM(O_RDONLY, 0, K_O_ACCMODE),
	F(O_CLOEXEC, K_O_CLOEXEC),
	F(O_TMPFILE, K___O_TMPFILE),
	F(O_NOCTTY, 0400),
	F(O_ASYNC, 020000),
	F(O_NOFOLLOW, K_O_NOFOLLOW),
	F(O_NOATIME, 01000000),
	F(O_PATH, 010000000),
	FA(O_NDELAY, K_O_NONBLOCK),
	FA(FASYNC, 020000),
};

/* linux/fcntl.h AT_* flags (AT_EACCESS shares AT_REMOVEDIR's bit). */
static const struct flag_name at_names[] = {
	F(AT_SYMLINK_NOFOLLOW, 0x100),
	F(AT_REMOVEDIR, 0x200),
	F(AT_SYMLINK_FOLLOW, 0x400),
	F(AT_NO_AUTOMOUNT, 0x800),
	F(AT_EMPTY_PATH, 0x1000),
	F(AT_STATX_FORCE_SYNC, 0x2000),
	F(AT_STATX_DONT_SYNC, 0x4000),
	F(AT_RECURSIVE, 0x8000),
	FA(AT_EACCESS, 0x200),
};

/* linux/fs.h renameat2 flags. */
static const struct flag_name rename_names[] = {
	F(RENAME_NOREPLACE, 1 << 0),
	F(RENAME_EXCHANGE, 1 << 1),
	F(RENAME_WHITEOUT, 1 << 2),
};

/*
 * linux/sched.h clone flags, 64-bit for clone3. clone(2) keeps the exit signal in the low
 * byte; signals stop at 64, so bits 0..6 are the signal and bit 7 is CLONE_NEWTIME (clone3,
 * unshare).
 */
#define K_CSIGNAL_FIELD 0x7full
static const struct flag_name clone_names[] = {
	/* the exit signal: Falco does not print it (the table hides the field); found by lookup */
	FA(SIGCHLD, 17),
	/* Falco's order (libs' clone_flags), then the flags Falco has no name for */
	F(CLONE_FILES, 0x400),
	F(CLONE_FS, 0x200),
	F(CLONE_IO, 0x80000000ull),
	F(CLONE_NEWIPC, 0x8000000),
	F(CLONE_NEWNET, 0x40000000),
	F(CLONE_NEWNS, 0x20000),
	F(CLONE_NEWPID, 0x20000000),
	F(CLONE_NEWUTS, 0x4000000),
	F(CLONE_PARENT, 0x8000),
	F(CLONE_PARENT_SETTID, 0x100000),
	F(CLONE_PTRACE, 0x2000),
	F(CLONE_SIGHAND, 0x800),
	F(CLONE_SYSVSEM, 0x40000),
	F(CLONE_THREAD, 0x10000),
	F(CLONE_UNTRACED, 0x800000),
	F(CLONE_VM, 0x100),
	F(CLONE_NEWUSER, 0x10000000),
	F(CLONE_CHILD_CLEARTID, 0x200000),
	F(CLONE_CHILD_SETTID, 0x1000000),
	F(CLONE_SETTLS, 0x80000),
	F(CLONE_VFORK, 0x4000),
	F(CLONE_NEWCGROUP, 0x2000000),
	F(CLONE_NEWTIME, 0x80),
	F(CLONE_PIDFD, 0x1000),
	F(CLONE_DETACHED, 0x400000),
	F(CLONE_CLEAR_SIGHAND, 0x100000000ull),
	F(CLONE_INTO_CGROUP, 0x200000000ull),
};

/* asm-generic/mman-common.h */
static const struct flag_name prot_names[] = {
	F(PROT_READ, 0x1),
	F(PROT_WRITE, 0x2),
	F(PROT_EXEC, 0x4),
	F(PROT_SEM, 0x8),
	F(PROT_GROWSDOWN, 0x01000000),
	F(PROT_GROWSUP, 0x02000000),
};

/*
 * linux/mount.h MS_* (the pre-2.4 magic 0xC0ED in the high half is ignored by the kernel). Printed
 * as Falco prints them (libs' mount_flags: "BIND|REC"); the MS_ names are found by lookup.
 */
static const struct flag_name mount_names[] = {
	FM(MGC_VAL, 0xC0ED0000, 0xffff0000),
	F(RDONLY, 1),
	F(NOSUID, 2),
	F(NODEV, 4),
	F(NOEXEC, 8),
	F(SYNCHRONOUS, 16),
	F(REMOUNT, 32),
	F(MANDLOCK, 64),
	F(DIRSYNC, 128),
	F(NOSYMFOLLOW, 256),
	F(NOATIME, 1024),
	F(NODIRATIME, 2048),
	F(BIND, 4096),
	F(MOVE, 8192),
	F(REC, 16384),
	F(SILENT, 32768),
	F(POSIXACL, 1 << 16),
	F(UNBINDABLE, 1 << 17),
	F(PRIVATE, 1 << 18),
	F(SLAVE, 1 << 19),
	F(SHARED, 1 << 20),
	F(RELATIME, 1 << 21),
	F(KERNMOUNT, 1 << 22),
	F(I_VERSION, 1 << 23),
	F(STRICTATIME, 1 << 24),
	F(LAZYTIME, 1 << 25),
	F(NOREMOTELOCK, 1 << 27),
	F(NOSEC, 1 << 28),
	F(BORN, 1 << 29),
	F(ACTIVE, 1 << 30),
	F(NOUSER, 1ull << 31),
	FA(MS_VERBOSE, 32768),
	FA(MS_MGC_VAL, 0xC0ED0000),
	FA(MS_RDONLY, 1),
	FA(MS_NOSUID, 2),
	FA(MS_NODEV, 4),
	FA(MS_NOEXEC, 8),
	FA(MS_SYNCHRONOUS, 16),
	FA(MS_REMOUNT, 32),
	FA(MS_MANDLOCK, 64),
	FA(MS_DIRSYNC, 128),
	FA(MS_NOSYMFOLLOW, 256),
	FA(MS_NOATIME, 1024),
	FA(MS_NODIRATIME, 2048),
	FA(MS_BIND, 4096),
	FA(MS_MOVE, 8192),
	FA(MS_REC, 16384),
	FA(MS_SILENT, 32768),
	FA(MS_POSIXACL, 1 << 16),
	FA(MS_UNBINDABLE, 1 << 17),
	FA(MS_PRIVATE, 1 << 18),
	FA(MS_SLAVE, 1 << 19),
	FA(MS_SHARED, 1 << 20),
	FA(MS_RELATIME, 1 << 21),
	FA(MS_KERNMOUNT, 1 << 22),
	FA(MS_I_VERSION, 1 << 23),
	FA(MS_STRICTATIME, 1 << 24),
	FA(MS_LAZYTIME, 1 << 25),
	FA(MS_NOREMOTELOCK, 1 << 27),
	FA(MS_NOSEC, 1 << 28),
	FA(MS_BORN, 1 << 29),
	FA(MS_ACTIVE, 1 << 30),
	FA(MS_NOUSER, 1ull << 31),
};

/* umount2(2): linux/fs.h MNT_* and UMOUNT_NOFOLLOW. */
static const struct flag_name umount_names[] = {
	/* as Falco prints them (libs' umount_flags); the kernel's names are found by lookup */
	F(FORCE, 1),
	F(DETACH, 2),
	F(EXPIRE, 4),
	F(NOFOLLOW, 8),
	FA(MNT_FORCE, 1),
	FA(MNT_DETACH, 2),
	FA(MNT_EXPIRE, 4),
	FA(UMOUNT_NOFOLLOW, 8),
};

/* linux/memfd.h; the huge page size is a 6-bit field at bit 26 (log2 of the size). */
#define K_MFD_HUGE_NAMED(sz, log2)                                                               \
	{ .name = "MFD_HUGE_" #sz, .value = (uint64_t)(log2) << 26, .mask = 0x3full << 26 }
static const struct flag_name memfd_names[] = {
	F(MFD_CLOEXEC, 0x1),
	F(MFD_ALLOW_SEALING, 0x2),
	F(MFD_HUGETLB, 0x4),
	F(MFD_NOEXEC_SEAL, 0x8),
	F(MFD_EXEC, 0x10),
	K_MFD_HUGE_NAMED(64KB, 16),
	K_MFD_HUGE_NAMED(512KB, 19),
	K_MFD_HUGE_NAMED(1MB, 20),
	K_MFD_HUGE_NAMED(2MB, 21),
	K_MFD_HUGE_NAMED(8MB, 23),
	K_MFD_HUGE_NAMED(16MB, 24),
	K_MFD_HUGE_NAMED(32MB, 25),
	K_MFD_HUGE_NAMED(256MB, 28),
	K_MFD_HUGE_NAMED(512MB, 29),
	K_MFD_HUGE_NAMED(1GB, 30),
	K_MFD_HUGE_NAMED(2GB, 31),
	K_MFD_HUGE_NAMED(16GB, 34),
};

/* linux/socket.h address families. */
static const struct flag_name family_names[] = {
	F(AF_UNSPEC, 0), F(AF_UNIX, 1), F(AF_INET, 2), F(AF_AX25, 3), F(AF_IPX, 4),
	F(AF_APPLETALK, 5), F(AF_NETROM, 6), F(AF_BRIDGE, 7), F(AF_ATMPVC, 8), F(AF_X25, 9),
	F(AF_INET6, 10), F(AF_ROSE, 11), F(AF_DECnet, 12), F(AF_NETBEUI, 13),
	F(AF_SECURITY, 14), F(AF_KEY, 15), F(AF_NETLINK, 16), F(AF_PACKET, 17), F(AF_ASH, 18),
	F(AF_ECONET, 19), F(AF_ATMSVC, 20), F(AF_RDS, 21), F(AF_SNA, 22), F(AF_IRDA, 23),
	F(AF_PPPOX, 24), F(AF_WANPIPE, 25), F(AF_LLC, 26), F(AF_IB, 27), F(AF_MPLS, 28),
	F(AF_CAN, 29), F(AF_TIPC, 30), F(AF_BLUETOOTH, 31), F(AF_IUCV, 32), F(AF_RXRPC, 33),
	F(AF_ISDN, 34), F(AF_PHONET, 35), F(AF_IEEE802154, 36), F(AF_CAIF, 37), F(AF_ALG, 38),
	F(AF_NFC, 39), F(AF_VSOCK, 40), F(AF_KCM, 41), F(AF_QIPCRTR, 42), F(AF_SMC, 43),
	F(AF_XDP, 44), F(AF_MCTP, 45), FA(AF_LOCAL, 1), FA(AF_FILE, 1), FA(AF_ROUTE, 16),
};

/* fcntl(2) commands: asm-generic/fcntl.h and linux/fcntl.h (F_LINUX_SPECIFIC_BASE 1024). */
static const struct flag_name fcntl_names[] = {
	F(F_DUPFD, 0),		  F(F_GETFD, 1),	   F(F_SETFD, 2),
	F(F_GETFL, 3),		  F(F_SETFL, 4),	   F(F_GETLK, 5),
	F(F_SETLK, 6),		  F(F_SETLKW, 7),	   F(F_SETOWN, 8),
	F(F_GETOWN, 9),		  F(F_SETSIG, 10),	   F(F_GETSIG, 11),
	F(F_SETOWN_EX, 15),	  F(F_GETOWN_EX, 16),	   F(F_GETOWNER_UIDS, 17),
	F(F_OFD_GETLK, 36),	  F(F_OFD_SETLK, 37),	   F(F_OFD_SETLKW, 38),
	F(F_SETLEASE, 1024),	  F(F_GETLEASE, 1025),	   F(F_NOTIFY, 1026),
	F(F_DUPFD_QUERY, 1027),	  F(F_CANCELLK, 1029),	   F(F_DUPFD_CLOEXEC, 1030),
	F(F_SETPIPE_SZ, 1031),	  F(F_GETPIPE_SZ, 1032),   F(F_ADD_SEALS, 1033),
	F(F_GET_SEALS, 1034),	  F(F_GET_RW_HINT, 1035),  F(F_SET_RW_HINT, 1036),
	F(F_GET_FILE_RW_HINT, 1037), F(F_SET_FILE_RW_HINT, 1038),
};

/* linux/ptrace.h requests; 12..33 are x86's asm/ptrace-abi.h. */
static const struct flag_name ptrace_names[] = {
	F(PTRACE_TRACEME, 0),
	F(PTRACE_PEEKTEXT, 1),
	F(PTRACE_PEEKDATA, 2),
	F(PTRACE_PEEKUSR, 3),
	F(PTRACE_POKETEXT, 4),
	F(PTRACE_POKEDATA, 5),
	F(PTRACE_POKEUSR, 6),
	F(PTRACE_CONT, 7),
	F(PTRACE_KILL, 8),
	F(PTRACE_SINGLESTEP, 9),
	F(PTRACE_GETREGS, 12),
	F(PTRACE_SETREGS, 13),
	F(PTRACE_GETFPREGS, 14),
	F(PTRACE_SETFPREGS, 15),
	F(PTRACE_ATTACH, 16),
	F(PTRACE_DETACH, 17),
	F(PTRACE_GETFPXREGS, 18),
	F(PTRACE_SETFPXREGS, 19),
	F(PTRACE_SYSCALL, 24),
	F(PTRACE_GET_THREAD_AREA, 25),
	F(PTRACE_SET_THREAD_AREA, 26),
	F(PTRACE_ARCH_PRCTL, 30),
	F(PTRACE_SYSEMU, 31),
	F(PTRACE_SYSEMU_SINGLESTEP, 32),
	F(PTRACE_SINGLEBLOCK, 33),
	F(PTRACE_SETOPTIONS, 0x4200),
	F(PTRACE_GETEVENTMSG, 0x4201),
	F(PTRACE_GETSIGINFO, 0x4202),
	F(PTRACE_SETSIGINFO, 0x4203),
	F(PTRACE_GETREGSET, 0x4204),
	F(PTRACE_SETREGSET, 0x4205),
	F(PTRACE_SEIZE, 0x4206),
	F(PTRACE_INTERRUPT, 0x4207),
	F(PTRACE_LISTEN, 0x4208),
	F(PTRACE_PEEKSIGINFO, 0x4209),
	F(PTRACE_GETSIGMASK, 0x420a),
	F(PTRACE_SETSIGMASK, 0x420b),
	F(PTRACE_SECCOMP_GET_FILTER, 0x420c),
	F(PTRACE_SECCOMP_GET_METADATA, 0x420d),
	F(PTRACE_GET_SYSCALL_INFO, 0x420e),
	F(PTRACE_GET_RSEQ_CONFIGURATION, 0x420f),
	F(PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG, 0x4210),
	F(PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG, 0x4211),
	FA(PTRACE_PEEKUSER, 3),
	FA(PTRACE_POKEUSER, 6),
};

/* linux/prctl.h options. */
static const struct flag_name prctl_names[] = {
	F(PR_SET_PDEATHSIG, 1),
	F(PR_GET_PDEATHSIG, 2),
	F(PR_GET_DUMPABLE, 3),
	F(PR_SET_DUMPABLE, 4),
	F(PR_GET_UNALIGN, 5),
	F(PR_SET_UNALIGN, 6),
	F(PR_GET_KEEPCAPS, 7),
	F(PR_SET_KEEPCAPS, 8),
	F(PR_GET_FPEMU, 9),
	F(PR_SET_FPEMU, 10),
	F(PR_GET_FPEXC, 11),
	F(PR_SET_FPEXC, 12),
	F(PR_GET_TIMING, 13),
	F(PR_SET_TIMING, 14),
	F(PR_SET_NAME, 15),
	F(PR_GET_NAME, 16),
	F(PR_GET_ENDIAN, 19),
	F(PR_SET_ENDIAN, 20),
	F(PR_GET_SECCOMP, 21),
	F(PR_SET_SECCOMP, 22),
	F(PR_CAPBSET_READ, 23),
	F(PR_CAPBSET_DROP, 24),
	F(PR_GET_TSC, 25),
	F(PR_SET_TSC, 26),
	F(PR_GET_SECUREBITS, 27),
	F(PR_SET_SECUREBITS, 28),
	F(PR_SET_TIMERSLACK, 29),
	F(PR_GET_TIMERSLACK, 30),
	F(PR_TASK_PERF_EVENTS_DISABLE, 31),
	F(PR_TASK_PERF_EVENTS_ENABLE, 32),
	F(PR_MCE_KILL, 33),
	F(PR_MCE_KILL_GET, 34),
	F(PR_SET_MM, 35),
	F(PR_SET_CHILD_SUBREAPER, 36),
	F(PR_GET_CHILD_SUBREAPER, 37),
	F(PR_SET_NO_NEW_PRIVS, 38),
	F(PR_GET_NO_NEW_PRIVS, 39),
	F(PR_GET_TID_ADDRESS, 40),
	F(PR_SET_THP_DISABLE, 41),
	F(PR_GET_THP_DISABLE, 42),
	F(PR_MPX_ENABLE_MANAGEMENT, 43),
	F(PR_MPX_DISABLE_MANAGEMENT, 44),
	F(PR_SET_FP_MODE, 45),
	F(PR_GET_FP_MODE, 46),
	F(PR_CAP_AMBIENT, 47),
	F(PR_SVE_SET_VL, 50),
	F(PR_SVE_GET_VL, 51),
	F(PR_GET_SPECULATION_CTRL, 52),
	F(PR_SET_SPECULATION_CTRL, 53),
	F(PR_PAC_RESET_KEYS, 54),
	F(PR_SET_TAGGED_ADDR_CTRL, 55),
	F(PR_GET_TAGGED_ADDR_CTRL, 56),
	F(PR_SET_IO_FLUSHER, 57),
	F(PR_GET_IO_FLUSHER, 58),
	F(PR_SET_SYSCALL_USER_DISPATCH, 59),
	F(PR_PAC_SET_ENABLED_KEYS, 60),
	F(PR_PAC_GET_ENABLED_KEYS, 61),
	F(PR_SCHED_CORE, 62),
	F(PR_SME_SET_VL, 63),
	F(PR_SME_GET_VL, 64),
	F(PR_SET_MDWE, 65),
	F(PR_GET_MDWE, 66),
	F(PR_SET_MEMORY_MERGE, 67),
	F(PR_GET_MEMORY_MERGE, 68),
	F(PR_SET_VMA, 0x53564d41),
};

/* enum bpf_cmd, linux/bpf.h. */
static const struct flag_name bpf_names[] = {
	F(BPF_MAP_CREATE, 0),
	F(BPF_MAP_LOOKUP_ELEM, 1),
	F(BPF_MAP_UPDATE_ELEM, 2),
	F(BPF_MAP_DELETE_ELEM, 3),
	F(BPF_MAP_GET_NEXT_KEY, 4),
	F(BPF_PROG_LOAD, 5),
	F(BPF_OBJ_PIN, 6),
	F(BPF_OBJ_GET, 7),
	F(BPF_PROG_ATTACH, 8),
	F(BPF_PROG_DETACH, 9),
	F(BPF_PROG_TEST_RUN, 10),
	F(BPF_PROG_GET_NEXT_ID, 11),
	F(BPF_MAP_GET_NEXT_ID, 12),
	F(BPF_PROG_GET_FD_BY_ID, 13),
	F(BPF_MAP_GET_FD_BY_ID, 14),
	F(BPF_OBJ_GET_INFO_BY_FD, 15),
	F(BPF_PROG_QUERY, 16),
	F(BPF_RAW_TRACEPOINT_OPEN, 17),
	F(BPF_BTF_LOAD, 18),
	F(BPF_BTF_GET_FD_BY_ID, 19),
	F(BPF_TASK_FD_QUERY, 20),
	F(BPF_MAP_LOOKUP_AND_DELETE_ELEM, 21),
	F(BPF_MAP_FREEZE, 22),
	F(BPF_BTF_GET_NEXT_ID, 23),
	F(BPF_MAP_LOOKUP_BATCH, 24),
	F(BPF_MAP_LOOKUP_AND_DELETE_BATCH, 25),
	F(BPF_MAP_UPDATE_BATCH, 26),
	F(BPF_MAP_DELETE_BATCH, 27),
	F(BPF_LINK_CREATE, 28),
	F(BPF_LINK_UPDATE, 29),
	F(BPF_LINK_GET_FD_BY_ID, 30),
	F(BPF_LINK_GET_NEXT_ID, 31),
	F(BPF_ENABLE_STATS, 32),
	F(BPF_ITER_CREATE, 33),
	F(BPF_LINK_DETACH, 34),
	F(BPF_PROG_BIND_MAP, 35),
	F(BPF_TOKEN_CREATE, 36),
	FA(BPF_PROG_RUN, 10),
};

/* setns(2) nstype and the namespace subset of clone flags. */
static const struct flag_name ns_names[] = {
	F(CLONE_NEWTIME, 0x80),
	F(CLONE_NEWNS, 0x20000),
	F(CLONE_NEWCGROUP, 0x2000000),
	F(CLONE_NEWUTS, 0x4000000),
	F(CLONE_NEWIPC, 0x8000000),
	F(CLONE_NEWUSER, 0x10000000),
	F(CLONE_NEWPID, 0x20000000),
	F(CLONE_NEWNET, 0x40000000),
};

/* linux/openat2.h */
static const struct flag_name resolve_names[] = {
	F(RESOLVE_NO_XDEV, 0x01),
	F(RESOLVE_NO_MAGICLINKS, 0x02),
	F(RESOLVE_NO_SYMLINKS, 0x04),
	F(RESOLVE_BENEATH, 0x08),
	F(RESOLVE_IN_ROOT, 0x10),
	F(RESOLVE_CACHED, 0x20),
};

/* linux/module.h finit_module flags. */
static const struct flag_name module_names[] = {
	F(MODULE_INIT_IGNORE_MODVERSIONS, 1),
	F(MODULE_INIT_IGNORE_VERMAGIC, 2),
	F(MODULE_INIT_COMPRESSED_FILE, 4),
};

/* delete_module(2) takes open(2) flags: only these two mean something. */
static const struct flag_name delete_module_names[] = {
	F(O_TRUNC, K_O_TRUNC),
	F(O_NONBLOCK, K_O_NONBLOCK),
};

/* linux/io_uring.h */
static const struct flag_name io_uring_names[] = {
	F(IORING_SETUP_IOPOLL, 1u << 0),
	F(IORING_SETUP_SQPOLL, 1u << 1),
	F(IORING_SETUP_SQ_AFF, 1u << 2),
	F(IORING_SETUP_CQSIZE, 1u << 3),
	F(IORING_SETUP_CLAMP, 1u << 4),
	F(IORING_SETUP_ATTACH_WQ, 1u << 5),
	F(IORING_SETUP_R_DISABLED, 1u << 6),
	F(IORING_SETUP_SUBMIT_ALL, 1u << 7),
	F(IORING_SETUP_COOP_TASKRUN, 1u << 8),
	F(IORING_SETUP_TASKRUN_FLAG, 1u << 9),
	F(IORING_SETUP_SQE128, 1u << 10),
	F(IORING_SETUP_CQE32, 1u << 11),
	F(IORING_SETUP_SINGLE_ISSUER, 1u << 12),
	F(IORING_SETUP_DEFER_TASKRUN, 1u << 13),
	F(IORING_SETUP_NO_MMAP, 1u << 14),
	F(IORING_SETUP_REGISTERED_FD_ONLY, 1u << 15),
	F(IORING_SETUP_NO_SQARRAY, 1u << 16),
	F(IORING_SETUP_HYBRID_IOPOLL, 1u << 17),
};

#define N(n, v) { .name = n, .value = (v) }

/*
 * The exec's exe flags, as Falco prints execve's "flags" (libs' execve_flags: EXE_WRITABLE...).
 * OSP_EXE_EXECVEAT is Osprey's own (Falco has an execveat event instead): the table hides it.
 */
static const struct flag_name exe_names[] = {
	N("EXE_WRITABLE", OSP_EXE_WRITABLE),
	N("EXE_UPPER_LAYER", OSP_EXE_UPPER_LAYER),
	N("EXE_FROM_MEMFD", OSP_EXE_FROM_MEMFD),
	N("EXE_LOWER_LAYER", OSP_EXE_LOWER_LAYER),
};

/* The child's side of a fork: the clone flags Falco's clone exit event shows for the same. */
static const struct flag_name fork_names[] = {
	N("CLONE_THREAD", OSP_FORK_THREAD),
	N("CLONE_VFORK", OSP_FORK_VFORK),
};

/* Osprey's own (Falco's procexit has no flags), named without Osprey's prefix like the rest. */
static const struct flag_name exit_names[] = {
	N("EXIT_GROUP_DEAD", OSP_EXIT_GROUP_DEAD),
};

/* The snapshot's fd types, spelled as fd.type prints them (Falco's fd type strings). */
static const struct flag_name fd_type_names[] = {
	N("unknown", OSP_FD_TYPE_UNKNOWN),
	N("file", OSP_FD_TYPE_FILE),
	N("directory", OSP_FD_TYPE_DIRECTORY),
	N("ipv4", OSP_FD_TYPE_IPV4_SOCK),
	N("ipv6", OSP_FD_TYPE_IPV6_SOCK),
	N("unix", OSP_FD_TYPE_UNIX_SOCK),
	N("socket", OSP_FD_TYPE_OTHER_SOCK),
	N("pipe", OSP_FD_TYPE_PIPE),
	N("memfd", OSP_FD_TYPE_MEMFD),
	N("event", OSP_FD_TYPE_EVENT),
};

/* socket(2) type: the base type in the low 4 bits (SOCK_TYPE_MASK) plus two open flags. */
#define K_SOCK_TYPE_MASK 0xfull
static const struct flag_name socket_type_names[] = {
	FM(SOCK_STREAM, 1, K_SOCK_TYPE_MASK),
	FM(SOCK_DGRAM, 2, K_SOCK_TYPE_MASK),
	FM(SOCK_RAW, 3, K_SOCK_TYPE_MASK),
	FM(SOCK_RDM, 4, K_SOCK_TYPE_MASK),
	FM(SOCK_SEQPACKET, 5, K_SOCK_TYPE_MASK),
	FM(SOCK_DCCP, 6, K_SOCK_TYPE_MASK),
	FM(SOCK_PACKET, 10, K_SOCK_TYPE_MASK),
	F(SOCK_NONBLOCK, K_O_NONBLOCK),
	F(SOCK_CLOEXEC, K_O_CLOEXEC),
};

/* userfaultfd(2) flags: O_CLOEXEC, O_NONBLOCK and linux/userfaultfd.h UFFD_USER_MODE_ONLY. */
static const struct flag_name userfaultfd_names[] = {
	F(UFFD_USER_MODE_ONLY, 1),
	F(O_NONBLOCK, K_O_NONBLOCK),
	F(O_CLOEXEC, K_O_CLOEXEC),
};

#define TABLE(ft, arr, en, z)                                                                      \
	[ft] = { .names = arr, .n = ARRAY_SIZE(arr), .is_enum = en, .zero = z }
#define TABLE_HIDE(ft, arr, z, h)                                                                  \
	[ft] = { .names = arr, .n = ARRAY_SIZE(arr), .is_enum = false, .zero = z, .hide = h }

static const struct flag_table tables[OSP_FT_COUNT] = {
	TABLE(OSP_FT_OPEN, open_names, false, NULL),
	TABLE(OSP_FT_AT, at_names, false, NULL),
	TABLE(OSP_FT_RENAME, rename_names, false, NULL),
	TABLE_HIDE(OSP_FT_CLONE, clone_names, NULL, K_CSIGNAL_FIELD),
	TABLE(OSP_FT_PROT, prot_names, false, "PROT_NONE"),
	TABLE(OSP_FT_MOUNT, mount_names, false, NULL),
	TABLE(OSP_FT_UMOUNT, umount_names, false, NULL),
	TABLE(OSP_FT_MEMFD, memfd_names, false, NULL),
	TABLE(OSP_FT_SOCKET_FAMILY, family_names, true, NULL),
	TABLE(OSP_FT_FCNTL_CMD, fcntl_names, true, NULL),
	TABLE(OSP_FT_PTRACE_REQUEST, ptrace_names, true, NULL),
	TABLE(OSP_FT_PRCTL_OPTION, prctl_names, true, NULL),
	TABLE(OSP_FT_BPF_CMD, bpf_names, true, NULL),
	TABLE(OSP_FT_NS, ns_names, false, NULL),
	TABLE(OSP_FT_RESOLVE, resolve_names, false, NULL),
	TABLE(OSP_FT_MODULE, module_names, false, NULL),
	TABLE(OSP_FT_DELETE_MODULE, delete_module_names, false, NULL),
	TABLE(OSP_FT_IO_URING_SETUP, io_uring_names, false, NULL),
	TABLE_HIDE(OSP_FT_EXE, exe_names, NULL, OSP_EXE_EXECVEAT),
	TABLE(OSP_FT_FORK, fork_names, false, NULL),
	TABLE(OSP_FT_EXIT, exit_names, false, NULL),
	TABLE(OSP_FT_FD_TYPE, fd_type_names, true, NULL),
	TABLE(OSP_FT_SOCKET_TYPE, socket_type_names, false, NULL),
	TABLE(OSP_FT_USERFAULTFD, userfaultfd_names, false, NULL),
};

static const struct flag_table *table_of(uint8_t table)
{
	if (table >= OSP_FT_COUNT || !tables[table].names)
		return NULL;
	return &tables[table];
}

/* Appends to a bounded buffer, counting what did not fit as snprintf does. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_str(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->len < o->size) {
		size_t room = o->size - o->len - 1;
		size_t k = MIN(n, room);

		memcpy(o->buf + o->len, s, k);
		o->buf[o->len + k] = '\0';
	}
	o->len += n;
}

static void out_sep(struct out *o, bool *first)
{
	if (!*first)
		out_str(o, "|");
	*first = false;
}

static int out_result(const struct out *o)
{
	return o->len > INT32_MAX ? INT32_MAX : (int)o->len;
}

/*
 * Whether mask-table entry e is printed for value, rest being the bits the entries before it
 * left unclaimed; if so its bits are claimed from *rest. The one rule of flag_names_format() and
 * flag_names_entry_printed().
 */
static bool entry_claims(const struct flag_name *e, uint64_t value, uint64_t *rest)
{
	uint64_t mask = e->mask ? e->mask : e->value;

	if (e->alias || mask == 0)
		return false;
	if ((*rest & mask) != e->value)
		return false;
	/* A field entry only matches while its bits are all still unclaimed. */
	if ((value & mask) != (*rest & mask))
		return false;
	*rest &= ~mask;
	return true;
}

int flag_names_format(uint8_t table, uint64_t value, bool is_enum, char *buf, size_t size)
{
	const struct flag_table *t = table_of(table);
	struct out o = { .buf = buf, .size = size };
	char num[24];
	uint64_t rest = value;
	bool first = true;

	if (size)
		buf[0] = '\0';
	if (t)
		is_enum = t->is_enum;

	if (is_enum) {
		for (size_t i = 0; t && i < t->n; i++)
			if (!t->names[i].alias && t->names[i].value == value) {
				out_str(&o, t->names[i].name);
				return out_result(&o);
			}
		snprintf(num, sizeof(num), "%" PRIu64, value);
		out_str(&o, num);
		return out_result(&o);
	}

	if (value == 0 && t && t->zero) {
		out_str(&o, t->zero);
		return out_result(&o);
	}
	if (t) {
		value &= ~t->hide;
		rest = value;
	}
	for (size_t i = 0; t && i < t->n; i++) {
		if (!entry_claims(&t->names[i], value, &rest))
			continue;
		out_sep(&o, &first);
		out_str(&o, t->names[i].name);
	}
	if (rest || first) {
		snprintf(num, sizeof(num), "0x%" PRIx64, rest);
		out_sep(&o, &first);
		out_str(&o, rest ? num : "0");
	}
	return out_result(&o);
}

int flag_names_lookup(uint8_t table, const char *name, uint64_t *ret)
{
	const struct flag_table *t = table_of(table);

	if (!t)
		return -EINVAL;
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->names[i].name, name) == 0) {
			*ret = t->names[i].value;
			return 0;
		}
	if (t->zero && strcmp(t->zero, name) == 0) {
		*ret = 0;
		return 0;
	}
	return -ENOENT;
}

int flag_names_plain_entry(uint8_t table, const char *name)
{
	const struct flag_table *t = table_of(table);
	size_t len = strlen(name);
	int found = -ENOENT;

	if (!t || t->is_enum || !len || strchr(name, '|') ||
	    strspn(name, "0123456789abcdefx") == len) /* could be inside "0x..." or "0" */
		return -EDOM;
	if (t->zero && strstr(t->zero, name))
		return -EDOM;
	for (size_t i = 0; i < t->n; i++) {
		const struct flag_name *e = &t->names[i];

		if (e->alias) /* never printed */
			continue;
		if (strcmp(e->name, name) == 0 && found == -ENOENT) {
			found = (int)i;
			continue;
		}
		if (strstr(e->name, name))
			return -EDOM; /* another entry's text holds it too */
	}
	return found;
}

bool flag_names_entry_printed(uint8_t table, int entry, uint64_t value)
{
	const struct flag_table *t = table_of(table);
	uint64_t rest;

	if (!t || t->is_enum || entry < 0 || (size_t)entry >= t->n || (value == 0 && t->zero))
		return false;
	value &= ~t->hide;
	rest = value;
	for (size_t i = 0; i <= (size_t)entry; i++)
		if (entry_claims(&t->names[i], value, &rest) && i == (size_t)entry)
			return true;
	return false;
}

uint64_t flag_names_hidden(uint8_t table)
{
	const struct flag_table *t = table_of(table);

	return t ? t->hide : 0;
}

bool flag_names_is_enum(uint8_t table)
{
	const struct flag_table *t = table_of(table);

	return t && t->is_enum;
}

size_t flag_names_count(uint8_t table)
{
	const struct flag_table *t = table_of(table);

	return t ? t->n : 0;
}

int flag_names_get(uint8_t table, size_t i, const char **ret_name, uint64_t *ret_value)
{
	const struct flag_table *t = table_of(table);

	if (!t || i >= t->n)
		return -ERANGE;
	*ret_name = t->names[i].name;
	*ret_value = t->names[i].value;
	return 0;
}

const char *flag_names_signal(uint32_t sig)
{
	/* asm-generic/signal.h numbering (x86, arm64, riscv ...). */
	static const char *const names[] = {
		[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL",
		[5] = "SIGTRAP", [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE",
		[9] = "SIGKILL", [10] = "SIGUSR1", [11] = "SIGSEGV", [12] = "SIGUSR2",
		[13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM", [16] = "SIGSTKFLT",
		[17] = "SIGCHLD", [18] = "SIGCONT", [19] = "SIGSTOP", [20] = "SIGTSTP",
		[21] = "SIGTTIN", [22] = "SIGTTOU", [23] = "SIGURG", [24] = "SIGXCPU",
		[25] = "SIGXFSZ", [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH",
		[29] = "SIGIO", [30] = "SIGPWR", [31] = "SIGSYS",
	};

	return sig < ARRAY_SIZE(names) ? names[sig] : NULL;
}
