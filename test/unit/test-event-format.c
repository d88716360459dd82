// SPDX-License-Identifier: Apache-2.0
/* The text printer: exact lines for every parameter type, the comm cache, bounded output. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "event_format.h"
#include "record.h"
#include "test.h"

/* 2025-11-22 11:59:00 UTC; events at boot + 61.123456789 s print as 12:00:01.123456. */
#define BOOT_NS	  1763812740000000000ull
#define TS(s, ns) ((uint64_t)(s)*1000000000ull + (ns))

static struct format_ctx ctx;
static uint8_t rec[OSP_EVENT_MAX_LEN];
static char line[8192];

static void decode(int len, struct event *ev)
{
	CHECK(len > 0);
	CHECK_INT_EQ(event_decode(rec, (size_t)len, ev), 0);
}

/* PROC_EXEC (or PROC_SNAPSHOT) of tid with comm. */
static int build_exec(uint16_t type, uint32_t tid, const char *comm, int64_t old_tid)
{
	static const char args[] = "cat\0/etc/hostname";
	static const char env[] = "HOME=/root\0PATH=/bin";
	struct record_builder b;

	record_begin(&b, rec, sizeof(rec), type, TS(61, 123456789), tid, tid, OSP_EXEC_NPARAMS);
	record_add_str(&b, "/usr/bin/cat", OSP_STR_MAX);
	record_add_str(&b, "cat", OSP_STR_MAX);
	record_add_bytes(&b, args, sizeof(args), 1024);
	record_add_str(&b, "/root", OSP_STR_MAX);
	record_add_bytes(&b, env, sizeof(env), 1024);
	record_add_str(&b, comm, OSP_COMM_LEN);
	record_add_s64(&b, 1);		      /* ppid */
	record_add_s64(&b, tid);	      /* vtid */
	record_add_s64(&b, tid);	      /* vpid */
	record_add_s64(&b, 1);		      /* sid */
	record_add_u32(&b, 0);		      /* uid */
	record_add_u32(&b, 0);		      /* gid */
	record_add_u32(&b, 0);		      /* euid */
	record_add_u32(&b, 0);		      /* egid */
	record_add_u32(&b, UINT32_MAX);	      /* loginuid */
	record_add_u32(&b, (136u << 20) | 3); /* tty pts/3 */
	record_add_str(&b, "/system.slice/ssh.service", OSP_STR_MAX);
	record_add_u64(&b, 1234567);	    /* exe_ino */
	record_add_u32(&b, (8u << 20) | 1); /* exe_dev */
	record_add_u32(&b, OSP_EXE_WRITABLE | OSP_EXE_UPPER_LAYER);
	record_add_u64(&b, 0);
	record_add_u64(&b, 0x1ffffffffffull);
	record_add_u64(&b, 0x1ffffffffffull);
	record_add_u64(&b, TS(60, 0));
	record_add_u32(&b, 4026531836u);
	if (old_tid)
		record_add_s64(&b, old_tid);
	else
		record_add_empty(&b);
	return record_end(&b);
}

static int build_openat(uint32_t tid, int64_t res, int64_t dirfd, const char *name, size_t max,
			uint32_t flags, uint32_t mode)
{
	struct record_builder b;

	record_begin(&b, rec, sizeof(rec), OSP_EVT_OPENAT, TS(61, 123456789), tid, tid, 5);
	record_add_s64(&b, res);
	record_add_s64(&b, dirfd);
	record_add_str(&b, name, max);
	record_add_u32(&b, flags);
	record_add_u32(&b, mode);
	return record_end(&b);
}

static const char *fmt(const struct event *ev)
{
	int n = event_format(&ctx, ev, line, sizeof(line));

	CHECK(n >= 0 && (size_t)n < sizeof(line));
	CHECK_INT_EQ(strlen(line), n);
	return line;
}

static void test_exec_and_open(void)
{
	struct event ev;

	/* Before anything is known about 4211. */
	decode(build_openat(4211, 3, -100, "/etc/hostname", OSP_STR_MAX, 0, 0), &ev);
	CHECK_STR_EQ(fmt(&ev), "12:00:01.123456 ?(4211) openat dirfd=AT_FDCWD name=/etc/hostname "
			       "flags=O_RDONLY mode=0 res=3");

	decode(build_exec(OSP_EVT_PROC_EXEC, 4211, "cat", 0), &ev);
	event_format_update(&ctx, &ev);
	CHECK_STR_EQ(event_format_comm(&ctx, 4211), "cat");
	CHECK_STR_EQ(fmt(&ev),
		     "12:00:01.123456 cat(4211) procexec exe=/usr/bin/cat filename=cat "
		     "args=cat /etc/hostname cwd=/root env=HOME=/root PATH=/bin comm=cat ppid=1 "
		     "vtid=4211 vpid=4211 sid=1 uid=0 gid=0 euid=0 egid=0 loginuid=4294967295 "
		     "tty=136:3 cgroup=/system.slice/ssh.service exe_ino=1234567 exe_dev=8:1 "
		     "exe_flags=EXE_WRITABLE|EXE_UPPER_LAYER cap_inheritable=0 "
		     "cap_permitted=0x1ffffffffff cap_effective=0x1ffffffffff start_ts=60000000000 "
		     "pidns=4026531836 old_tid=<NA>");

	decode(build_openat(4211, 3, -100, "/etc/hostname", OSP_STR_MAX, 0, 0), &ev);
	CHECK_STR_EQ(fmt(&ev), "12:00:01.123456 cat(4211) openat dirfd=AT_FDCWD name=/etc/hostname "
			       "flags=O_RDONLY mode=0 res=3");

	decode(build_openat(4211, -2, 5, "missing", OSP_STR_MAX, 01 | 0100 | 01000 | 02000000,
			    0644),
	       &ev);
	CHECK_STR_EQ(fmt(&ev), "12:00:01.123456 cat(4211) openat dirfd=5 name=missing "
			       "flags=O_TRUNC|O_CREAT|O_WRONLY|O_CLOEXEC mode=0644 res=-2(ENOENT)");

	/* Control bytes and backslashes are escaped; a cut value ends with "...". */
	decode(build_openat(4211, -13, -100, "a\nb\\c\x7f\xc3\xa9 d", OSP_STR_MAX, 2, 0), &ev);
	CHECK_STR_EQ(fmt(&ev), "12:00:01.123456 cat(4211) openat dirfd=AT_FDCWD "
			       "name=a\\x0ab\\x5cc\\x7f\\xc3\\xa9 d "
			       "flags=O_RDWR mode=0 res=-13(EACCES)");
	decode(build_openat(4211, 4, -100, "/very/long/path", 6, 0x40000000 | 2, 0), &ev);
	CHECK_STR_EQ(fmt(&ev), "12:00:01.123456 cat(4211) openat dirfd=AT_FDCWD name=/very... "
			       "flags=O_RDWR|0x40000000 mode=0 res=4");
}

static void test_absent_and_older_records(void)
{
	struct record_builder b;
	struct event ev;
	int len;

	/* An older producer that sent only the first two parameters. */
	record_begin(&b, rec, sizeof(rec), OSP_EVT_OPENAT, TS(61, 123456789), 4211, 4211, 2);
	record_add_s64(&b, 7);
	record_add_empty(&b);
	len = record_end(&b);
	decode(len, &ev);
	CHECK_STR_EQ(
		fmt(&ev),
		"12:00:01.123456 cat(4211) openat dirfd=<NA> name=<NA> flags=<NA> mode=<NA> res=7");
}

static void test_network(void)
{
	struct record_builder b;
	struct event ev;
	uint8_t v4[OSP_SOCKTUPLE_INET_LEN] = {OSP_AF_INET, 1, 2, 3, 4};
	uint8_t v6[OSP_SOCKTUPLE_INET6_LEN] = {OSP_AF_INET6};
	uint8_t sa6[OSP_SOCKADDR_INET6_LEN] = {OSP_AF_INET6};
	uint16_t port;

	port = 5;
	memcpy(v4 + 5, &port, 2);
	v4[7] = 5, v4[8] = 6, v4[9] = 7, v4[10] = 8;
	port = 80;
	memcpy(v4 + 11, &port, 2);
	record_begin(&b, rec, sizeof(rec), OSP_EVT_CONNECT, TS(61, 123456789), 9, 9, 3);
	record_add_s64(&b, -115);
	record_add_s64(&b, 3);
	record_add_bytes(&b, v4, sizeof(v4), sizeof(v4));
	decode(record_end(&b), &ev);
	CHECK_STR_EQ(fmt(&ev), "12:00:01.123456 ?(9) connect fd=3 tuple=1.2.3.4:5->5.6.7.8:80 "
			       "res=-115(EINPROGRESS)");

	v6[16] = 1; /* ::1 */
	port = 40000;
	memcpy(v6 + 17, &port, 2);
	v6[34] = 1;
	port = 443;
	memcpy(v6 + 35, &port, 2);
	record_begin(&b, rec, sizeof(rec), OSP_EVT_ACCEPT, TS(61, 123456789), 9, 9, 2);
	record_add_s64(&b, 4);
	record_add_bytes(&b, v6, sizeof(v6), sizeof(v6));
	decode(record_end(&b), &ev);
	CHECK_STR_EQ(fmt(&ev), "12:00:01.123456 ?(9) accept tuple=[::1]:40000->[::1]:443 res=4");

	sa6[16] = 1;
	port = 80;
	memcpy(sa6 + 17, &port, 2);
	record_begin(&b, rec, sizeof(rec), OSP_EVT_BIND, TS(61, 123456789), 9, 9, 3);
	record_add_s64(&b, 0);
	record_add_s64(&b, 3);
	record_add_bytes(&b, sa6, sizeof(sa6), sizeof(sa6));
	decode(record_end(&b), &ev);
	CHECK_STR_EQ(fmt(&ev), "12:00:01.123456 ?(9) bind fd=3 addr=[::1]:80 res=0");

	{
		static const char un[] = "\x01/run/x.sock";

		record_begin(&b, rec, sizeof(rec), OSP_EVT_BIND, TS(61, 123456789), 9, 9, 3);
		record_add_s64(&b, -98);
		record_add_s64(&b, 3);
		record_add_bytes(&b, un, sizeof(un), sizeof(un));
		decode(record_end(&b), &ev);
		CHECK_STR_EQ(fmt(&ev),
			     "12:00:01.123456 ?(9) bind fd=3 addr=/run/x.sock res=-98(EADDRINUSE)");
	}
	{
		uint8_t nl = OSP_AF_NETLINK, bad[3] = {OSP_AF_INET, 1, 2};

		record_begin(&b, rec, sizeof(rec), OSP_EVT_SENDMSG, TS(61, 123456789), 9, 9, 3);
		record_add_s64(&b, 20);
		record_add_s64(&b, 3);
		record_add_bytes(&b, &nl, 1, 1);
		decode(record_end(&b), &ev);
		CHECK_STR_EQ(fmt(&ev), "12:00:01.123456 ?(9) sendmsg fd=3 addr=AF_NETLINK res=20");

		record_begin(&b, rec, sizeof(rec), OSP_EVT_SENDMSG, TS(61, 123456789), 9, 9, 3);
		record_add_s64(&b, 20);
		record_add_s64(&b, 3);
		record_add_bytes(&b, bad, sizeof(bad), sizeof(bad));
		decode(record_end(&b), &ev);
		CHECK_STR_EQ(fmt(&ev), "12:00:01.123456 ?(9) sendmsg fd=3 addr=<malformed> res=20");
	}
	{
		record_begin(&b, rec, sizeof(rec), OSP_EVT_SOCKET, TS(61, 123456789), 9, 9, 4);
		record_add_s64(&b, 3);
		record_add_u32(&b, 10);
		record_add_u32(&b, 1 | 02000000 | 04000);
		record_add_u32(&b, 6);
		decode(record_end(&b), &ev);
		CHECK_STR_EQ(fmt(&ev), "12:00:01.123456 ?(9) socket domain=AF_INET6 "
				       "type=SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC proto=6 res=3");
	}
}

static void test_lifecycle(void)
{
	struct record_builder b;
	struct event ev;

	/* A fork from 4211 (known as cat): the child inherits the name. */
	record_begin(&b, rec, sizeof(rec), OSP_EVT_PROC_FORK, TS(61, 123456789), 4300, 4300,
		     OSP_FORK_NPARAMS);
	record_add_s64(&b, 4211);
	record_add_s64(&b, 4211);
	record_add_s64(&b, 4300);
	record_add_s64(&b, 4300);
	record_add_u32(&b, 0);
	record_add_u32(&b, 4026531836u);
	decode(record_end(&b), &ev);
	event_format_update(&ctx, &ev);
	CHECK_STR_EQ(event_format_comm(&ctx, 4300), "cat");
	CHECK_STR_EQ(fmt(&ev),
		     "12:00:01.123456 cat(4300) procfork ptid=4211 ppid=4211 vtid=4300 vpid=4300 "
		     "flags=0 pidns=4026531836");

	/* prctl(PR_SET_NAME) renames it. */
	record_begin(&b, rec, sizeof(rec), OSP_EVT_PRCTL, TS(61, 123456789), 4300, 4300, 4);
	record_add_s64(&b, 0);
	record_add_u32(&b, 15);
	record_add_str(&b, "worker/1", OSP_COMM_LEN);
	record_add_s64(&b, 0x7ffd0000);
	decode(record_end(&b), &ev);
	event_format_update(&ctx, &ev);
	CHECK_STR_EQ(fmt(&ev),
		     "12:00:01.123456 worker/1(4300) prctl option=PR_SET_NAME arg2_str=worker/1 "
		     "arg2_int=2147287040 res=0");

	/* kill, with the signal named. */
	record_begin(&b, rec, sizeof(rec), OSP_EVT_KILL, TS(61, 123456789), 4300, 4300, 3);
	record_add_s64(&b, -3);
	record_add_s64(&b, 1);
	record_add_u32(&b, 9);
	decode(record_end(&b), &ev);
	CHECK_STR_EQ(fmt(&ev),
		     "12:00:01.123456 worker/1(4300) kill pid=1 sig=9(SIGKILL) res=-3(ESRCH)");

	/* clone flags with the exit signal in the low byte. */
	record_begin(&b, rec, sizeof(rec), OSP_EVT_CLONE, TS(61, 123456789), 4300, 4300, 2);
	record_add_s64(&b, 4301);
	record_add_u64(&b, 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x20000000 | 17);
	decode(record_end(&b), &ev);
	CHECK_STR_EQ(fmt(&ev), "12:00:01.123456 worker/1(4300) clone "
			       "flags=CLONE_FILES|CLONE_FS|CLONE_NEWPID|CLONE_SIGHAND|CLONE_THREAD|"
			       "CLONE_VM "
			       "res=4301");

	/* Exit forgets the thread. */
	record_begin(&b, rec, sizeof(rec), OSP_EVT_PROC_EXIT, TS(61, 123456789), 4300, 4300, 2);
	record_add_u32(&b, 0);
	record_add_u32(&b, OSP_EXIT_GROUP_DEAD);
	decode(record_end(&b), &ev);
	CHECK_STR_EQ(fmt(&ev),
		     "12:00:01.123456 worker/1(4300) procexit status=0 flags=EXIT_GROUP_DEAD");
	event_format_update(&ctx, &ev);
	CHECK(event_format_comm(&ctx, 4300) == NULL);

	/* A non-leader thread's exec takes the leader's tid: the old tid is forgotten. */
	decode(build_exec(OSP_EVT_PROC_SNAPSHOT, 5001, "sh", 0), &ev);
	event_format_update(&ctx, &ev);
	CHECK_STR_EQ(event_format_comm(&ctx, 5001), "sh");
	decode(build_exec(OSP_EVT_PROC_EXEC, 5000, "python3", 5001), &ev);
	event_format_update(&ctx, &ev);
	CHECK_STR_EQ(event_format_comm(&ctx, 5000), "python3");
	CHECK(event_format_comm(&ctx, 5001) == NULL);
}

static void test_other_types(void)
{
	struct record_builder b;
	struct event ev;
	static const char argv[] = "a\0b\tc\0";

	/* execve failure: args as words (with the control byte escaped), no trailing space. */
	record_begin(&b, rec, sizeof(rec), OSP_EVT_EXECVE, TS(61, 123456789), 77, 77, 3);
	record_add_s64(&b, -8);
	record_add_str(&b, "/tmp/x", OSP_STR_MAX);
	record_add_bytes(&b, argv, sizeof(argv) - 1, 4); /* cut: "a\0b\t" */
	decode(record_end(&b), &ev);
	CHECK_STR_EQ(
		fmt(&ev),
		"12:00:01.123456 ?(77) execve filename=/tmp/x args=a b\\x09... res=-8(ENOEXEC)");

	record_begin(&b, rec, sizeof(rec), OSP_EVT_MPROTECT, TS(61, 123456789), 77, 77, 4);
	record_add_s64(&b, 0);
	record_add_u64(&b, 0x7f0000001000ull);
	record_add_u64(&b, 4096);
	record_add_u32(&b, 1 | 4);
	decode(record_end(&b), &ev);
	CHECK_STR_EQ(fmt(&ev), "12:00:01.123456 ?(77) mprotect addr=139637976731648 len=4096 "
			       "prot=PROT_READ|PROT_EXEC res=0");

	record_begin(&b, rec, sizeof(rec), OSP_EVT_PTRACE, TS(61, 123456789), 77, 77, 3);
	record_add_s64(&b, 0);
	record_add_u32(&b, 0x4206);
	record_add_s64(&b, 1);
	decode(record_end(&b), &ev);
	CHECK_STR_EQ(fmt(&ev), "12:00:01.123456 ?(77) ptrace request=PTRACE_SEIZE pid=1 res=0");

	record_begin(&b, rec, sizeof(rec), OSP_EVT_PTRACE, TS(61, 123456789), 77, 77, 3);
	record_add_s64(&b, -5);
	record_add_u32(&b, 777);
	record_add_s64(&b, 1);
	decode(record_end(&b), &ev);
	CHECK_STR_EQ(fmt(&ev), "12:00:01.123456 ?(77) ptrace request=777 pid=1 res=-5(EIO)");

	record_begin(&b, rec, sizeof(rec), OSP_EVT_FCHMODAT, TS(61, 123456789), 77, 77, 4);
	record_add_s64(&b, 0);
	record_add_s64(&b, 7);
	record_add_str(&b, "x", OSP_STR_MAX);
	record_add_u32(&b, 04755);
	decode(record_end(&b), &ev);
	CHECK_STR_EQ(fmt(&ev),
		     "12:00:01.123456 ?(77) fchmodat dirfd=7 filename=x mode=04755 res=0");
}

static void test_bounded(void)
{
	struct event ev;
	char small[24];
	int n, full;

	decode(build_openat(4211, 3, -100, "/etc/hostname", OSP_STR_MAX, 0, 0), &ev);
	full = event_format(&ctx, &ev, line, sizeof(line));
	memset(small, 'X', sizeof(small));
	n = event_format(&ctx, &ev, small, sizeof(small));
	CHECK_INT_EQ(n, full);
	CHECK_INT_EQ(strlen(small), sizeof(small) - 1);
	CHECK(strncmp(small, line, sizeof(small) - 1) == 0);
	CHECK_INT_EQ(event_format(&ctx, &ev, NULL, 0), full);

	/* A full cache: colliding tids evict, nothing grows. */
	for (uint32_t tid = 1; tid < 3 * FORMAT_COMM_SLOTS; tid++) {
		decode(build_exec(OSP_EVT_PROC_SNAPSHOT, tid, "x", 0), &ev);
		event_format_update(&ctx, &ev);
	}
	CHECK_STR_EQ(event_format_comm(&ctx, 3 * FORMAT_COMM_SLOTS - 1), "x");
	CHECK(event_format_comm(&ctx, 0) == NULL);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	event_format_init(&ctx, BOOT_NS);

	test_exec_and_open();
	test_absent_and_older_records();
	test_network();
	test_lifecycle();
	test_other_types();
	test_bounded();
	return test_finish("test-event-format");
}
