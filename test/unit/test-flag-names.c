// SPDX-License-Identifier: Apache-2.0
/* Flag and enum names: exact strings, round trips, and the values of the system's headers. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/module.h>
#include <linux/openat2.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>

#include "flag_names.h"
#include "osprey_schema.h"
#include "test.h"

static void check_value(uint8_t table, const char *name, uint64_t want)
{
	uint64_t v = ~0ull;
	int r = flag_names_lookup(table, name, &v);

	CHECK_INT_EQ(r, 0);
	if (r == 0 && v != want)
		fprintf(stderr, "%s: table says 0x%llx, headers say 0x%llx\n", name,
			(unsigned long long)v, (unsigned long long)want);
	CHECK(v == want);
}
#define V(t, n) check_value(t, #n, (uint64_t)(n))

static const char *fmt(uint8_t table, uint64_t v, bool is_enum)
{
	static char buf[1024];
	int n = flag_names_format(table, v, is_enum, buf, sizeof(buf));

	CHECK(n >= 0 && (size_t)n < sizeof(buf));
	return buf;
}

static void test_examples(void)
{
	/* Falco's names in Falco's order (libs' flags tables) */
	CHECK_STR_EQ(fmt(OSP_FT_OPEN, 01 | 0100 | 01000, false), "O_TRUNC|O_CREAT|O_WRONLY");
	CHECK_STR_EQ(fmt(OSP_FT_OPEN, 0, false), "O_RDONLY");
	CHECK_STR_EQ(fmt(OSP_FT_OPEN, 3, false), "0x3"); /* no access mode is 3 */
	CHECK_STR_EQ(fmt(OSP_FT_OPEN, 2 | 020200000, false), "O_DIRECTORY|O_RDWR|O_TMPFILE");
	CHECK_STR_EQ(fmt(OSP_FT_OPEN, 0200000, false), "O_DIRECTORY|O_RDONLY");
	CHECK_STR_EQ(fmt(OSP_FT_OPEN, 1 | 04010000, false), "O_SYNC|O_DSYNC|O_WRONLY");
	CHECK_STR_EQ(fmt(OSP_FT_OPEN, 1 | 010000, false), "O_DSYNC|O_WRONLY");
	CHECK_STR_EQ(fmt(OSP_FT_OPEN, 0x40000000u | 0100000, false),
		     "O_LARGEFILE|O_RDONLY|0x40000000");
	CHECK_STR_EQ(fmt(OSP_FT_PROT, 0, false), "PROT_NONE");
	CHECK_STR_EQ(fmt(OSP_FT_PROT, 7, false), "PROT_READ|PROT_WRITE|PROT_EXEC");
	CHECK_STR_EQ(fmt(OSP_FT_AT, 0, false), "0");
	CHECK_STR_EQ(fmt(OSP_FT_AT, 0x200, false), "AT_REMOVEDIR");
	CHECK_STR_EQ(fmt(OSP_FT_MOUNT, 0xC0ED0000u | 4096 | 16384, false),
		     "MGC_VAL|BIND|REC");
	CHECK_STR_EQ(fmt(OSP_FT_CLONE, 0x100 | 17, false), "CLONE_VM"); /* no signal, as Falco */
	CHECK_STR_EQ(fmt(OSP_FT_CLONE, 0x80 | 0x10000000, false), "CLONE_NEWUSER|CLONE_NEWTIME");
	CHECK_STR_EQ(fmt(OSP_FT_CLONE, 9 | 0x200000000ull, false), "CLONE_INTO_CGROUP");
	CHECK_STR_EQ(fmt(OSP_FT_SOCKET_TYPE, 2 | 02000000, true), "SOCK_DGRAM|SOCK_CLOEXEC");
	CHECK_STR_EQ(fmt(OSP_FT_SOCKET_FAMILY, 10, true), "AF_INET6");
	CHECK_STR_EQ(fmt(OSP_FT_SOCKET_FAMILY, 200, true), "200");
	CHECK_STR_EQ(fmt(OSP_FT_PTRACE_REQUEST, 16, true), "PTRACE_ATTACH");
	CHECK_STR_EQ(fmt(OSP_FT_BPF_CMD, 5, true), "BPF_PROG_LOAD");
	CHECK_STR_EQ(fmt(OSP_FT_FCNTL_CMD, 1030, true), "F_DUPFD_CLOEXEC");
	CHECK_STR_EQ(fmt(OSP_FT_PRCTL_OPTION, 15, true), "PR_SET_NAME");
	CHECK_STR_EQ(fmt(OSP_FT_FD_TYPE, 3, true), "ipv4");
	CHECK_STR_EQ(fmt(OSP_FT_MEMFD, 1 | 4 | (21u << 26), false),
		     "MFD_CLOEXEC|MFD_HUGETLB|MFD_HUGE_2MB");
	CHECK_STR_EQ(fmt(OSP_FT_DELETE_MODULE, 04000, false), "O_NONBLOCK");
	CHECK_STR_EQ(fmt(OSP_FT_EXE, OSP_EXE_FROM_MEMFD, false), "EXE_FROM_MEMFD");
	/* Osprey's own bit is not shown */
	CHECK_STR_EQ(fmt(OSP_FT_EXE,
			 OSP_EXE_WRITABLE | OSP_EXE_UPPER_LAYER | OSP_EXE_EXECVEAT, false),
		     "EXE_WRITABLE|EXE_UPPER_LAYER");
	CHECK_STR_EQ(fmt(OSP_FT_FORK, OSP_FORK_THREAD, false), "CLONE_THREAD");
	CHECK_STR_EQ(fmt(OSP_FT_UMOUNT, 2 | 8, false), "DETACH|NOFOLLOW");
	/* no name of any table a rule or an output sees carries Osprey's prefix */
	for (uint8_t t = 0; t < OSP_FT_COUNT; t++)
		for (size_t i = 0; i < flag_names_count(t); i++) {
			const char *name = NULL;
			uint64_t v;

			if (flag_names_get(t, i, &name, &v) == 0)
				CHECK(strncmp(name, "OSP_", 4) != 0);
		}
	/* A table this build does not know: numbers, in the form the caller asked for. */
	CHECK_STR_EQ(fmt(OSP_FT_COUNT, 255, false), "0xff");
	CHECK_STR_EQ(fmt(OSP_FT_COUNT, 255, true), "255");
	CHECK_STR_EQ(fmt(OSP_FT_NONE, 0, false), "0");

	CHECK_STR_EQ(flag_names_signal(9), "SIGKILL");
	CHECK_STR_EQ(flag_names_signal(17), "SIGCHLD");
	CHECK(flag_names_signal(0) == NULL);
	CHECK(flag_names_signal(40) == NULL);

	/* Aliases are found, never printed. */
	V(OSP_FT_OPEN, O_NDELAY);
	V(OSP_FT_AT, AT_EACCESS);
	CHECK_STR_EQ(fmt(OSP_FT_OPEN, O_NDELAY, false), "O_NONBLOCK|O_RDONLY");

	{
		uint64_t v;

		CHECK_INT_EQ(flag_names_lookup(OSP_FT_OPEN, "O_NOPE", &v), -ENOENT);
		CHECK_INT_EQ(flag_names_lookup(OSP_FT_COUNT, "O_CREAT", &v), -EINVAL);
		CHECK_INT_EQ(flag_names_lookup(OSP_FT_PROT, "PROT_NONE", &v), 0);
		CHECK(v == 0);
	}
}

static void test_bounded(void)
{
	char small[8];
	int n;

	memset(small, 'X', sizeof(small));
	n = flag_names_format(OSP_FT_OPEN, 01 | 0100 | 01000, false, small, sizeof(small));
	CHECK_INT_EQ(n, strlen("O_TRUNC|O_CREAT|O_WRONLY"));
	CHECK_STR_EQ(small, "O_TRUNC");
	CHECK_INT_EQ(flag_names_format(OSP_FT_OPEN, 0100, false, NULL, 0),
		     strlen("O_CREAT|O_RDONLY"));
}

/* Parses a formatted mask back: names OR'ed, plus a hex remainder. */
static uint64_t parse_back(uint8_t table, const char *s)
{
	char copy[1024], *save = NULL;
	uint64_t v = 0;

	snprintf(copy, sizeof(copy), "%s", s);
	for (char *tok = strtok_r(copy, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		uint64_t x;

		if (strncmp(tok, "0x", 2) == 0 || strcmp(tok, "0") == 0)
			x = strtoull(tok, NULL, 16);
		else
			CHECK_INT_EQ(flag_names_lookup(table, tok, &x), 0);
		v |= x;
	}
	return v;
}

static void test_tables(void)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	CHECK_INT_EQ(flag_names_count(OSP_FT_NONE), 0);
	CHECK_INT_EQ(flag_names_count(OSP_FT_COUNT), 0);
	for (uint8_t t = 1; t < OSP_FT_COUNT; t++) {
		size_t n = flag_names_count(t);

		CHECK(n > 0);
		for (size_t i = 0; i < n; i++) {
			const char *name, *other;
			uint64_t v, w, x;

			CHECK_INT_EQ(flag_names_get(t, i, &name, &v), 0);
			CHECK(name && *name);
			for (size_t j = i + 1; j < n; j++) {
				CHECK_INT_EQ(flag_names_get(t, j, &other, &w), 0);
				CHECK(strcmp(name, other) != 0);
			}
			CHECK_INT_EQ(flag_names_lookup(t, name, &x), 0);
			CHECK(x == v);
			/* Every value prints as something that contains a name of the same value.
			 */
			if (flag_names_is_enum(t)) {
				uint64_t back;

				CHECK_INT_EQ(flag_names_lookup(t, fmt(t, v, true), &back), 0);
				CHECK(back == v);
			} else {
				CHECK(parse_back(t, fmt(t, v, false)) == (v & ~flag_names_hidden(t)));
			}
		}
		CHECK_INT_EQ(flag_names_get(t, n, &(const char *){NULL}, &(uint64_t){0}), -ERANGE);

		/* Any mask formats to a text that parses back to it. */
		if (!flag_names_is_enum(t))
			for (int k = 0; k < 20000; k++) {
				uint64_t v;

				seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
				v = seed & (k & 1 ? 0xffffffffull : ~0ull);
				if (k % 3 == 0)
					v &= 0x0fff0fffu;
				CHECK(parse_back(t, fmt(t, v, false)) == (v & ~flag_names_hidden(t)));
			}
	}
}

/* The written-out numbers against the build machine's libc and kernel headers. */
static void test_headers(void)
{
	V(OSP_FT_OPEN, O_RDONLY);
	V(OSP_FT_OPEN, O_WRONLY);
	V(OSP_FT_OPEN, O_RDWR);
	V(OSP_FT_OPEN, O_CREAT);
	V(OSP_FT_OPEN, O_EXCL);
	V(OSP_FT_OPEN, O_NOCTTY);
	V(OSP_FT_OPEN, O_TRUNC);
	V(OSP_FT_OPEN, O_APPEND);
	V(OSP_FT_OPEN, O_NONBLOCK);
	V(OSP_FT_OPEN, O_DSYNC);
	/* O_SYNC and O_TMPFILE name their own bit, as Falco's: O_DSYNC, O_DIRECTORY print too */
	check_value(OSP_FT_OPEN, "O_SYNC", O_SYNC & ~O_DSYNC);
	V(OSP_FT_OPEN, O_ASYNC);
	V(OSP_FT_OPEN, O_DIRECT);
	V(OSP_FT_OPEN, O_DIRECTORY);
	V(OSP_FT_OPEN, O_NOFOLLOW);
	V(OSP_FT_OPEN, O_NOATIME);
	V(OSP_FT_OPEN, O_CLOEXEC);
	V(OSP_FT_OPEN, O_PATH);
	check_value(OSP_FT_OPEN, "O_TMPFILE", O_TMPFILE & ~O_DIRECTORY);
	V(OSP_FT_AT, AT_SYMLINK_NOFOLLOW);
	V(OSP_FT_AT, AT_REMOVEDIR);
	V(OSP_FT_AT, AT_SYMLINK_FOLLOW);
	V(OSP_FT_AT, AT_NO_AUTOMOUNT);
	V(OSP_FT_AT, AT_EMPTY_PATH);
#ifdef AT_RECURSIVE
	V(OSP_FT_AT, AT_RECURSIVE);
#endif
	V(OSP_FT_RENAME, RENAME_NOREPLACE);
	V(OSP_FT_RENAME, RENAME_EXCHANGE);
	V(OSP_FT_RENAME, RENAME_WHITEOUT);
	V(OSP_FT_CLONE, CLONE_VM);
	V(OSP_FT_CLONE, CLONE_FS);
	V(OSP_FT_CLONE, CLONE_FILES);
	V(OSP_FT_CLONE, CLONE_SIGHAND);
	V(OSP_FT_CLONE, CLONE_PIDFD);
	V(OSP_FT_CLONE, CLONE_PTRACE);
	V(OSP_FT_CLONE, CLONE_VFORK);
	V(OSP_FT_CLONE, CLONE_PARENT);
	V(OSP_FT_CLONE, CLONE_THREAD);
	V(OSP_FT_CLONE, CLONE_NEWNS);
	V(OSP_FT_CLONE, CLONE_SYSVSEM);
	V(OSP_FT_CLONE, CLONE_SETTLS);
	V(OSP_FT_CLONE, CLONE_PARENT_SETTID);
	V(OSP_FT_CLONE, CLONE_CHILD_CLEARTID);
	V(OSP_FT_CLONE, CLONE_DETACHED);
	V(OSP_FT_CLONE, CLONE_UNTRACED);
	V(OSP_FT_CLONE, CLONE_CHILD_SETTID);
	V(OSP_FT_CLONE, CLONE_NEWCGROUP);
	V(OSP_FT_CLONE, CLONE_NEWUTS);
	V(OSP_FT_CLONE, CLONE_NEWIPC);
	V(OSP_FT_CLONE, CLONE_NEWUSER);
	V(OSP_FT_CLONE, CLONE_NEWPID);
	V(OSP_FT_CLONE, CLONE_NEWNET);
	V(OSP_FT_CLONE, CLONE_IO);
#ifdef CLONE_NEWTIME
	V(OSP_FT_CLONE, CLONE_NEWTIME);
	V(OSP_FT_NS, CLONE_NEWTIME);
#endif
#ifdef CLONE_CLEAR_SIGHAND
	V(OSP_FT_CLONE, CLONE_CLEAR_SIGHAND);
	V(OSP_FT_CLONE, CLONE_INTO_CGROUP);
#endif
	V(OSP_FT_NS, CLONE_NEWNS);
	V(OSP_FT_NS, CLONE_NEWNET);
	V(OSP_FT_NS, CLONE_NEWUSER);
	V(OSP_FT_PROT, PROT_READ);
	V(OSP_FT_PROT, PROT_WRITE);
	V(OSP_FT_PROT, PROT_EXEC);
	V(OSP_FT_PROT, PROT_GROWSDOWN);
	V(OSP_FT_PROT, PROT_GROWSUP);
	V(OSP_FT_MOUNT, MS_RDONLY);
	V(OSP_FT_MOUNT, MS_NOSUID);
	V(OSP_FT_MOUNT, MS_NODEV);
	V(OSP_FT_MOUNT, MS_NOEXEC);
	V(OSP_FT_MOUNT, MS_SYNCHRONOUS);
	V(OSP_FT_MOUNT, MS_REMOUNT);
	V(OSP_FT_MOUNT, MS_MANDLOCK);
	V(OSP_FT_MOUNT, MS_DIRSYNC);
	V(OSP_FT_MOUNT, MS_NOATIME);
	V(OSP_FT_MOUNT, MS_NODIRATIME);
	V(OSP_FT_MOUNT, MS_BIND);
	V(OSP_FT_MOUNT, MS_MOVE);
	V(OSP_FT_MOUNT, MS_REC);
	V(OSP_FT_MOUNT, MS_SILENT);
	V(OSP_FT_MOUNT, MS_POSIXACL);
	V(OSP_FT_MOUNT, MS_UNBINDABLE);
	V(OSP_FT_MOUNT, MS_PRIVATE);
	V(OSP_FT_MOUNT, MS_SLAVE);
	V(OSP_FT_MOUNT, MS_SHARED);
	V(OSP_FT_MOUNT, MS_RELATIME);
	V(OSP_FT_MOUNT, MS_KERNMOUNT);
	V(OSP_FT_MOUNT, MS_I_VERSION);
	V(OSP_FT_MOUNT, MS_STRICTATIME);
	V(OSP_FT_MOUNT, MS_LAZYTIME);
	V(OSP_FT_MOUNT, MS_ACTIVE);
	check_value(OSP_FT_MOUNT, "MS_NOUSER", (uint32_t)MS_NOUSER); /* glibc: 1 << 31, an int */
	V(OSP_FT_MOUNT, MS_MGC_VAL);
	V(OSP_FT_UMOUNT, MNT_FORCE);
	V(OSP_FT_UMOUNT, MNT_DETACH);
	V(OSP_FT_UMOUNT, MNT_EXPIRE);
	V(OSP_FT_UMOUNT, UMOUNT_NOFOLLOW);
	V(OSP_FT_MEMFD, MFD_CLOEXEC);
	V(OSP_FT_MEMFD, MFD_ALLOW_SEALING);
	V(OSP_FT_MEMFD, MFD_HUGETLB);
	V(OSP_FT_SOCKET_FAMILY, AF_UNSPEC);
	V(OSP_FT_SOCKET_FAMILY, AF_UNIX);
	V(OSP_FT_SOCKET_FAMILY, AF_INET);
	V(OSP_FT_SOCKET_FAMILY, AF_INET6);
	V(OSP_FT_SOCKET_FAMILY, AF_NETLINK);
	V(OSP_FT_SOCKET_FAMILY, AF_PACKET);
	V(OSP_FT_SOCKET_FAMILY, AF_BLUETOOTH);
	V(OSP_FT_SOCKET_FAMILY, AF_ALG);
	V(OSP_FT_SOCKET_FAMILY, AF_VSOCK);
	V(OSP_FT_SOCKET_FAMILY, AF_XDP);
#ifdef AF_MCTP
	V(OSP_FT_SOCKET_FAMILY, AF_MCTP);
#endif
	CHECK_INT_EQ(OSP_AF_UNIX, AF_UNIX);
	CHECK_INT_EQ(OSP_AF_INET, AF_INET);
	CHECK_INT_EQ(OSP_AF_INET6, AF_INET6);
	CHECK_INT_EQ(OSP_AF_NETLINK, AF_NETLINK);
	CHECK_INT_EQ(OSP_AF_PACKET, AF_PACKET);
	V(OSP_FT_SOCKET_TYPE, SOCK_STREAM);
	V(OSP_FT_SOCKET_TYPE, SOCK_DGRAM);
	V(OSP_FT_SOCKET_TYPE, SOCK_RAW);
	V(OSP_FT_SOCKET_TYPE, SOCK_RDM);
	V(OSP_FT_SOCKET_TYPE, SOCK_SEQPACKET);
	V(OSP_FT_SOCKET_TYPE, SOCK_DCCP);
	V(OSP_FT_SOCKET_TYPE, SOCK_PACKET);
	V(OSP_FT_SOCKET_TYPE, SOCK_NONBLOCK);
	V(OSP_FT_SOCKET_TYPE, SOCK_CLOEXEC);
	V(OSP_FT_FCNTL_CMD, F_DUPFD);
	V(OSP_FT_FCNTL_CMD, F_GETFD);
	V(OSP_FT_FCNTL_CMD, F_SETFD);
	V(OSP_FT_FCNTL_CMD, F_GETFL);
	V(OSP_FT_FCNTL_CMD, F_SETFL);
	V(OSP_FT_FCNTL_CMD, F_SETOWN);
	V(OSP_FT_FCNTL_CMD, F_GETOWN);
	V(OSP_FT_FCNTL_CMD, F_SETSIG);
	V(OSP_FT_FCNTL_CMD, F_GETSIG);
	V(OSP_FT_FCNTL_CMD, F_SETOWN_EX);
	V(OSP_FT_FCNTL_CMD, F_GETOWN_EX);
	V(OSP_FT_FCNTL_CMD, F_OFD_GETLK);
	V(OSP_FT_FCNTL_CMD, F_OFD_SETLK);
	V(OSP_FT_FCNTL_CMD, F_OFD_SETLKW);
	V(OSP_FT_FCNTL_CMD, F_SETLEASE);
	V(OSP_FT_FCNTL_CMD, F_GETLEASE);
	V(OSP_FT_FCNTL_CMD, F_NOTIFY);
	V(OSP_FT_FCNTL_CMD, F_DUPFD_CLOEXEC);
	V(OSP_FT_FCNTL_CMD, F_SETPIPE_SZ);
	V(OSP_FT_FCNTL_CMD, F_GETPIPE_SZ);
	V(OSP_FT_FCNTL_CMD, F_ADD_SEALS);
	V(OSP_FT_FCNTL_CMD, F_GET_SEALS);
	V(OSP_FT_FCNTL_CMD, F_GET_RW_HINT);
	V(OSP_FT_FCNTL_CMD, F_SET_RW_HINT);
	V(OSP_FT_FCNTL_CMD, F_GET_FILE_RW_HINT);
	V(OSP_FT_FCNTL_CMD, F_SET_FILE_RW_HINT);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_TRACEME);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_PEEKDATA);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_POKEDATA);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_CONT);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_KILL);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_SINGLESTEP);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_GETREGS);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_SETREGS);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_ATTACH);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_DETACH);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_SYSCALL);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_ARCH_PRCTL);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_SYSEMU);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_SINGLEBLOCK);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_SETOPTIONS);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_GETEVENTMSG);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_GETREGSET);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_SEIZE);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_INTERRUPT);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_LISTEN);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_PEEKSIGINFO);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_SECCOMP_GET_FILTER);
	V(OSP_FT_PTRACE_REQUEST, PTRACE_GET_SYSCALL_INFO);
	V(OSP_FT_PRCTL_OPTION, PR_SET_PDEATHSIG);
	V(OSP_FT_PRCTL_OPTION, PR_SET_DUMPABLE);
	V(OSP_FT_PRCTL_OPTION, PR_SET_NAME);
	V(OSP_FT_PRCTL_OPTION, PR_GET_NAME);
	V(OSP_FT_PRCTL_OPTION, PR_SET_SECCOMP);
	V(OSP_FT_PRCTL_OPTION, PR_CAPBSET_DROP);
	V(OSP_FT_PRCTL_OPTION, PR_SET_SECUREBITS);
	V(OSP_FT_PRCTL_OPTION, PR_SET_MM);
	V(OSP_FT_PRCTL_OPTION, PR_SET_CHILD_SUBREAPER);
	V(OSP_FT_PRCTL_OPTION, PR_SET_NO_NEW_PRIVS);
	V(OSP_FT_PRCTL_OPTION, PR_CAP_AMBIENT);
	V(OSP_FT_PRCTL_OPTION, PR_SET_SPECULATION_CTRL);
	V(OSP_FT_PRCTL_OPTION, PR_SET_SYSCALL_USER_DISPATCH);
	V(OSP_FT_PRCTL_OPTION, PR_SCHED_CORE);
	V(OSP_FT_PRCTL_OPTION, PR_SME_GET_VL);
#ifdef PR_SET_MDWE
	V(OSP_FT_PRCTL_OPTION, PR_SET_MDWE);
	V(OSP_FT_PRCTL_OPTION, PR_GET_MDWE);
#endif
#ifdef PR_SET_VMA
	V(OSP_FT_PRCTL_OPTION, PR_SET_VMA);
#endif
	V(OSP_FT_BPF_CMD, BPF_MAP_CREATE);
	V(OSP_FT_BPF_CMD, BPF_PROG_LOAD);
	V(OSP_FT_BPF_CMD, BPF_OBJ_GET_INFO_BY_FD);
	V(OSP_FT_BPF_CMD, BPF_RAW_TRACEPOINT_OPEN);
	V(OSP_FT_BPF_CMD, BPF_BTF_LOAD);
	V(OSP_FT_BPF_CMD, BPF_MAP_FREEZE);
	V(OSP_FT_BPF_CMD, BPF_LINK_CREATE);
	V(OSP_FT_BPF_CMD, BPF_ENABLE_STATS);
	V(OSP_FT_BPF_CMD, BPF_ITER_CREATE);
	V(OSP_FT_BPF_CMD, BPF_LINK_DETACH);
	V(OSP_FT_BPF_CMD, BPF_PROG_BIND_MAP);
	V(OSP_FT_RESOLVE, RESOLVE_NO_XDEV);
	V(OSP_FT_RESOLVE, RESOLVE_NO_MAGICLINKS);
	V(OSP_FT_RESOLVE, RESOLVE_NO_SYMLINKS);
	V(OSP_FT_RESOLVE, RESOLVE_BENEATH);
	V(OSP_FT_RESOLVE, RESOLVE_IN_ROOT);
	V(OSP_FT_RESOLVE, RESOLVE_CACHED);
	V(OSP_FT_MODULE, MODULE_INIT_IGNORE_MODVERSIONS);
	V(OSP_FT_MODULE, MODULE_INIT_IGNORE_VERMAGIC);
#ifdef MODULE_INIT_COMPRESSED_FILE
	V(OSP_FT_MODULE, MODULE_INIT_COMPRESSED_FILE);
#endif
	V(OSP_FT_DELETE_MODULE, O_TRUNC);
	V(OSP_FT_DELETE_MODULE, O_NONBLOCK);
	V(OSP_FT_IO_URING_SETUP, IORING_SETUP_IOPOLL);
	V(OSP_FT_IO_URING_SETUP, IORING_SETUP_SQPOLL);
	V(OSP_FT_IO_URING_SETUP, IORING_SETUP_SQ_AFF);
	V(OSP_FT_IO_URING_SETUP, IORING_SETUP_CQSIZE);
	V(OSP_FT_IO_URING_SETUP, IORING_SETUP_CLAMP);
	V(OSP_FT_IO_URING_SETUP, IORING_SETUP_ATTACH_WQ);
	V(OSP_FT_IO_URING_SETUP, IORING_SETUP_R_DISABLED);
#ifdef IORING_SETUP_DEFER_TASKRUN
	V(OSP_FT_IO_URING_SETUP, IORING_SETUP_SUBMIT_ALL);
	V(OSP_FT_IO_URING_SETUP, IORING_SETUP_COOP_TASKRUN);
	V(OSP_FT_IO_URING_SETUP, IORING_SETUP_TASKRUN_FLAG);
	V(OSP_FT_IO_URING_SETUP, IORING_SETUP_SQE128);
	V(OSP_FT_IO_URING_SETUP, IORING_SETUP_CQE32);
	V(OSP_FT_IO_URING_SETUP, IORING_SETUP_SINGLE_ISSUER);
	V(OSP_FT_IO_URING_SETUP, IORING_SETUP_DEFER_TASKRUN);
#endif
#ifdef UFFD_USER_MODE_ONLY
	V(OSP_FT_USERFAULTFD, UFFD_USER_MODE_ONLY);
#endif
	V(OSP_FT_USERFAULTFD, O_CLOEXEC);
	V(OSP_FT_USERFAULTFD, O_NONBLOCK);
}

/*
 * flag_names_plain_entry() + flag_names_entry_printed() against the text: for every mask table,
 * every entry's name and a few names that are not entries, over values made of the entries'
 * own values, their pairs and a spread of others, the answer is strstr() on the text whenever
 * the name is one they may answer for. Also that the common names do qualify.
 */
static void test_contains(void)
{
	static const char *const others[] = {"O_CREAT", "CLONE_NEWNS", "PROT_", "AT_", "X",
					     "O_DIRECT", "O_SYNC", "ab", "0x1", "1"};
	uint64_t lcg = 0x2545F4914F6CDD1Dull;
	unsigned answered = 0;

	for (uint8_t t = 0; t < OSP_FT_COUNT; t++) {
		size_t n = flag_names_count(t);
		uint64_t values[96];
		size_t nv = 0;

		if (!n || flag_names_is_enum(t))
			continue;
		values[nv++] = 0;
		values[nv++] = ~0ull;
		for (size_t i = 0; i < n && nv < 64; i++) {
			const char *name;
			uint64_t v;

			if (flag_names_get(t, i, &name, &v) == 0) {
				values[nv++] = v;
				values[nv++] = v | 1;
			}
		}
		while (nv < 96) {
			lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
			values[nv++] = lcg >> (lcg & 31);
		}
		for (size_t k = 0; k < n + sizeof(others) / sizeof(others[0]); k++) {
			const char *name;
			uint64_t unused;
			int entry;

			if (k < n)
				CHECK_INT_EQ(flag_names_get(t, k, &name, &unused), 0);
			else
				name = others[k - n];
			entry = flag_names_plain_entry(t, name);
			if (entry == -EDOM)
				continue;
			for (size_t i = 0; i < nv; i++) {
				bool in_text = strstr(fmt(t, values[i], false), name) != NULL;
				bool fast = entry >= 0 && flag_names_entry_printed(t, entry, values[i]);

				if (in_text != fast)
					fprintf(stderr, "table %u, %s, 0x%llx: text \"%s\" says %d\n", t, name,
						(unsigned long long)values[i], fmt(t, values[i], false),
						in_text);
				CHECK(in_text == fast);
				answered++;
			}
		}
	}
	CHECK(answered > 1000);
	CHECK(flag_names_plain_entry(OSP_FT_OPEN, "O_CREAT") >= 0);
	CHECK(flag_names_plain_entry(OSP_FT_OPEN, "O_TRUNC") >= 0);
	CHECK(flag_names_plain_entry(OSP_FT_OPEN, "O_RDONLY") >= 0);
	CHECK_INT_EQ(flag_names_plain_entry(OSP_FT_OPEN, "O_DIRECT"), -EDOM); /* in O_DIRECTORY */
	CHECK(flag_names_plain_entry(OSP_FT_OPEN, "O_SYNC") >= 0); /* not in O_DSYNC */
	CHECK_INT_EQ(flag_names_plain_entry(OSP_FT_OPEN, "CLONE_NEWNS"), -ENOENT);
	CHECK_INT_EQ(flag_names_plain_entry(OSP_FT_PROT, "PROT_NONE"), -EDOM); /* the zero name */
	CHECK_INT_EQ(flag_names_plain_entry(OSP_FT_FCNTL_CMD, "F_DUPFD"), -EDOM); /* an enum */
}

int main(void)
{
	test_examples();
	test_bounded();
	test_tables();
	test_headers();
	test_contains();
	return test_finish("test-flag-names");
}
