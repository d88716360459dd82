// SPDX-License-Identifier: Apache-2.0
/*
 * The /proc snapshot: against this machine's /proc (the test process itself, its thread and the
 * fds it opened on purpose), against a fake proc tree with crafted and malformed files, and
 * against a missing host root.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "proc_snapshot.h"
#include "test.h"

extern char **environ;

static char tmpdir[256];

static uint32_t kdev(dev_t d)
{
	return (uint32_t)(major(d) << 20 | minor(d));
}

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool get_u64(const struct event *ev, unsigned i, uint64_t *ret)
{
	return event_get_u64(ev, i, ret);
}

/* A fixed-size parameter equals v. */
#define CHECK_PARAM(ev, i, v)                                                                      \
	do {                                                                                       \
		uint64_t _v = 0;                                                                   \
		CHECK(get_u64(ev, i, &_v));                                                        \
		CHECK_INT_EQ(_v, (uint64_t)(v));                                                   \
	} while (0)
#define CHECK_ABSENT(ev, i) CHECK_INT_EQ((ev)->len[i], 0)

/* ---- helpers to build files ---------------------------------------------------------------- */

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX * 2];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(path);
		exit(EXIT_FAILURE);
	}
	if (write(fd, data, len) != (ssize_t)len) {
		perror(path);
		exit(EXIT_FAILURE);
	}
	close(fd);
}

static void write_str(const char *dir, const char *name, const char *s)
{
	write_file(dir, name, s, strlen(s));
}

static void make_dir(const char *fmt, const char *a, const char *b)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), fmt, a, b);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		perror(path);
		exit(EXIT_FAILURE);
	}
}

static void make_link(const char *target, const char *dir, const char *name)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (symlink(target, path) < 0) {
		perror(path);
		exit(EXIT_FAILURE);
	}
}

/* ---- the test's own process on the real /proc ------------------------------------------- */

static pthread_barrier_t barrier;
static pid_t thread_tid;

static void *thread_main(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "osp-snapthr");
	thread_tid = gettid();
	pthread_barrier_wait(&barrier); /* ready */
	pthread_barrier_wait(&barrier); /* the snapshot is done */
	return NULL;
}

struct expected_fd {
	int fd;
	uint32_t type;
	int accmode;             /* O_RDONLY/O_WRONLY/O_RDWR, -1 = not checked */
	uint32_t flag_bits;      /* bits that must be set */
	const char *name;        /* NULL = not checked, "" = the empty string */
	bool name_absent;        /* the name must be absent */
	bool name_prefix;        /* name is a prefix */
	uint8_t tuple[64];
	size_t tuple_len;        /* 0 = tuple absent */
	bool check_tuple;
	uint64_t ino;
	bool seen;
};

static void tuple_inet(struct expected_fd *e, const void *la, uint16_t lp, const void *ra,
		       uint16_t rp)
{
	e->tuple[0] = 2;
	memcpy(e->tuple + 1, la, 4);
	memcpy(e->tuple + 5, &lp, 2);
	memcpy(e->tuple + 7, ra, 4);
	memcpy(e->tuple + 11, &rp, 2);
	e->tuple_len = 13;
	e->check_tuple = true;
}

static uint64_t ino_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return 0;
	return st.st_ino;
}

static void check_fd(const struct event *ev, struct expected_fd *e)
{
	uint64_t v = 0;

	e->seen = true;
	CHECK_PARAM(ev, OSP_FDSNAP_P_TYPE, e->type);
	if (e->type != (event_get_u64(ev, OSP_FDSNAP_P_TYPE, &v) ? v : 99))
		fprintf(stderr, "  (fd %d)\n", e->fd);
	CHECK(get_u64(ev, OSP_FDSNAP_P_FLAGS, &v));
	if (e->accmode >= 0)
		CHECK_INT_EQ(v & O_ACCMODE, e->accmode);
	CHECK_INT_EQ(v & e->flag_bits, e->flag_bits);
	if (e->name_absent)
		CHECK_ABSENT(ev, OSP_FDSNAP_P_NAME);
	else if (e->name && e->name_prefix)
		CHECK(event_get_str(ev, OSP_FDSNAP_P_NAME) &&
		      strncmp(event_get_str(ev, OSP_FDSNAP_P_NAME), e->name, strlen(e->name)) == 0);
	else if (e->name)
		CHECK_STR_EQ(event_get_str(ev, OSP_FDSNAP_P_NAME), e->name);
	if (e->check_tuple) {
		CHECK_INT_EQ(ev->len[OSP_FDSNAP_P_TUPLE], e->tuple_len);
		if (ev->len[OSP_FDSNAP_P_TUPLE] == e->tuple_len)
			CHECK(memcmp(ev->val[OSP_FDSNAP_P_TUPLE], e->tuple, e->tuple_len) == 0);
	}
	if (e->ino)
		CHECK_PARAM(ev, OSP_FDSNAP_P_INO, e->ino);
}

static void check_self(const struct event *ev, int argc, char **argv, const char *cwd)
{
	char exe[PATH_MAX], comm[32];
	ssize_t n;
	struct stat st;
	uint64_t v = 0;
	struct __user_cap_header_struct caph = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct capd[2];
	uint32_t flags = 0;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0);
	exe[n > 0 ? n : 0] = '\0';
	CHECK_STR_EQ(event_get_str(ev, OSP_EXEC_P_EXE), exe);
	CHECK_STR_EQ(event_get_str(ev, OSP_EXEC_P_FILENAME), argv[0]);
	CHECK_STR_EQ(event_get_str(ev, OSP_EXEC_P_CWD), cwd);
	prctl(PR_GET_NAME, comm);
	CHECK_STR_EQ(event_get_str(ev, OSP_EXEC_P_COMM), "osp-snaptest");
	CHECK_STR_EQ(event_get_str(ev, OSP_EXEC_P_COMM), comm);

	/* args: argv joined with NULs (short enough not to be cut here). */
	{
		char want[OSP_SNAPLEN_DEFAULT];
		size_t len = 0;
		bool fits = true;

		for (int i = 0; i < argc; i++) {
			size_t l = strlen(argv[i]) + 1;

			if (len + l > sizeof(want)) {
				fits = false;
				break;
			}
			memcpy(want + len, argv[i], l);
			len += l;
		}
		if (fits) {
			CHECK_INT_EQ(ev->len[OSP_EXEC_P_ARGS], len);
			CHECK(!event_param_truncated(ev, OSP_EXEC_P_ARGS));
			if (ev->len[OSP_EXEC_P_ARGS] == len)
				CHECK(memcmp(ev->val[OSP_EXEC_P_ARGS], want, len) == 0);
		}
	}
	/* env: starts with the first string of the environment the process was started with. */
	if (environ && environ[0] && ev->len[OSP_EXEC_P_ENV] > strlen(environ[0]))
		CHECK(memcmp(ev->val[OSP_EXEC_P_ENV], environ[0], strlen(environ[0]) + 1) == 0);
	else if (environ && environ[0])
		CHECK(event_param_truncated(ev, OSP_EXEC_P_ENV));

	CHECK_PARAM(ev, OSP_EXEC_P_PPID, getppid());
	CHECK_PARAM(ev, OSP_EXEC_P_VPID, getpid());
	CHECK_PARAM(ev, OSP_EXEC_P_VTID, gettid());
	CHECK_PARAM(ev, OSP_EXEC_P_SID, getsid(0));
	CHECK_PARAM(ev, OSP_EXEC_P_UID, getuid());
	CHECK_PARAM(ev, OSP_EXEC_P_GID, getgid());
	CHECK_PARAM(ev, OSP_EXEC_P_EUID, geteuid());
	CHECK_PARAM(ev, OSP_EXEC_P_EGID, getegid());
	CHECK_PARAM(ev, OSP_EXEC_P_OLD_TID, gettid());
	{
		int fd = open("/dev/tty", O_RDONLY | O_CLOEXEC | O_NOCTTY);

		if (fd < 0 && errno == ENXIO) /* no controlling terminal */
			CHECK_PARAM(ev, OSP_EXEC_P_TTY, 0);
		if (fd >= 0)
			close(fd);
	}
	{
		char buf[32] = "";
		int fd = open("/proc/self/loginuid", O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			buf[n > 0 ? n : 0] = '\0';
			close(fd);
			CHECK_PARAM(ev, OSP_EXEC_P_LOGINUID, strtoull(buf, NULL, 10));
		}
	}
	CHECK(stat("/proc/self/exe", &st) == 0);
	CHECK_PARAM(ev, OSP_EXEC_P_EXE_INO, st.st_ino);
	CHECK_PARAM(ev, OSP_EXEC_P_EXE_DEV, kdev(st.st_dev));
	if (geteuid() == st.st_uid ? st.st_mode & S_IWUSR
	    : getegid() == st.st_gid ? st.st_mode & S_IWGRP
				     : st.st_mode & S_IWOTH)
		flags |= OSP_EXE_WRITABLE;
	CHECK_PARAM(ev, OSP_EXEC_P_EXE_FLAGS, flags);
	if (syscall(SYS_capget, &caph, capd) == 0) {
		CHECK_PARAM(ev, OSP_EXEC_P_CAP_INH,
			    capd[0].inheritable | (uint64_t)capd[1].inheritable << 32);
		CHECK_PARAM(ev, OSP_EXEC_P_CAP_PRM,
			    capd[0].permitted | (uint64_t)capd[1].permitted << 32);
		CHECK_PARAM(ev, OSP_EXEC_P_CAP_EFF,
			    capd[0].effective | (uint64_t)capd[1].effective << 32);
	}
	/* Started a moment ago: clock ticks became nanoseconds since boot. */
	CHECK(get_u64(ev, OSP_EXEC_P_START_TS, &v));
	CHECK(v <= boottime_ns());
	CHECK(boottime_ns() - v < 120ull * 1000000000u);
	CHECK(stat("/proc/self/ns/pid", &st) == 0);
	CHECK_PARAM(ev, OSP_EXEC_P_PIDNS, st.st_ino);
	CHECK(event_get_str(ev, OSP_EXEC_P_CGROUP) &&
	      event_get_str(ev, OSP_EXEC_P_CGROUP)[0] == '/');
}

static void test_real_proc(int argc, char **argv)
{
	struct expected_fd exp[16];
	size_t nexp = 0;
	char cwd[PATH_MAX], file[PATH_MAX + 16], sockpath[PATH_MAX + 16];
	int fd_file, fd_dir, pipefd[2], lsock, csock, pair[2], usock, mfd, efd, lsock6;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t sl;
	uint16_t lport, cport, lport6 = 0;
	const uint8_t lo[4] = { 127, 0, 0, 1 }, any[4] = { 0 };
	pthread_t thr;
	struct proc_snapshot *s = NULL;
	struct proc_snapshot_stats st;
	const void *buf;
	size_t size;
	uint64_t records = 0, procs = 0, threads = 0, fds = 0, t0, t1;
	uint32_t leader = 0, self = (uint32_t)getpid();
	bool seen_self = false, seen_thread = false;
	int r;

	prctl(PR_SET_NAME, "osp-snaptest");
	if (chdir(tmpdir) < 0 || !getcwd(cwd, sizeof(cwd))) {
		perror("chdir");
		exit(EXIT_FAILURE);
	}

	snprintf(file, sizeof(file), "%s/data.txt", cwd);
	write_str(cwd, "data.txt", "hello\n");
	fd_file = open(file, O_RDONLY | O_CLOEXEC);
	fd_dir = open(cwd, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd_file >= 0 && fd_dir >= 0);
	CHECK(pipe2(pipefd, O_CLOEXEC) == 0);

	lsock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(lsock, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(listen(lsock, 4) == 0);
	sl = sizeof(sin);
	CHECK(getsockname(lsock, (struct sockaddr *)&sin, &sl) == 0);
	lport = ntohs(sin.sin_port);
	csock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(connect(csock, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	sl = sizeof(sin);
	CHECK(getsockname(csock, (struct sockaddr *)&sin, &sl) == 0);
	cport = ntohs(sin.sin_port);

	lsock6 = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lsock6 >= 0 && bind(lsock6, (struct sockaddr *)&sin6, sizeof(sin6)) == 0 &&
	    listen(lsock6, 4) == 0) {
		sl = sizeof(sin6);
		CHECK(getsockname(lsock6, (struct sockaddr *)&sin6, &sl) == 0);
		lport6 = ntohs(sin6.sin6_port);
	} else {
		printf("no IPv6 loopback here: the IPv6 socket check is skipped\n");
	}

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
	snprintf(sockpath, sizeof(sockpath), "%s/sock", cwd);
	CHECK(strlen(sockpath) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, sockpath, strlen(sockpath) + 1);
	usock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(bind(usock, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	CHECK(listen(usock, 4) == 0);
	mfd = memfd_create("osp-test", MFD_CLOEXEC);
	efd = eventfd(0, EFD_CLOEXEC);

	exp[nexp++] = (struct expected_fd){ .fd = fd_file, .type = OSP_FD_TYPE_FILE,
					    .accmode = O_RDONLY, .flag_bits = O_CLOEXEC,
					    .name = file, .ino = ino_of(fd_file) };
	exp[nexp++] = (struct expected_fd){ .fd = fd_dir, .type = OSP_FD_TYPE_DIRECTORY,
					    .accmode = O_RDONLY, .flag_bits = O_DIRECTORY,
					    .name = cwd, .ino = ino_of(fd_dir) };
	exp[nexp++] = (struct expected_fd){ .fd = pipefd[0], .type = OSP_FD_TYPE_PIPE,
					    .accmode = O_RDONLY, .name = "pipe:[",
					    .name_prefix = true, .ino = ino_of(pipefd[0]) };
	exp[nexp++] = (struct expected_fd){ .fd = pipefd[1], .type = OSP_FD_TYPE_PIPE,
					    .accmode = O_WRONLY, .ino = ino_of(pipefd[1]) };
	exp[nexp] = (struct expected_fd){ .fd = lsock, .type = OSP_FD_TYPE_IPV4_SOCK,
					  .accmode = O_RDWR, .name_absent = true,
					  .ino = ino_of(lsock) };
	tuple_inet(&exp[nexp++], lo, lport, any, 0);
	exp[nexp] = (struct expected_fd){ .fd = csock, .type = OSP_FD_TYPE_IPV4_SOCK,
					  .accmode = O_RDWR, .name_absent = true,
					  .ino = ino_of(csock) };
	tuple_inet(&exp[nexp++], lo, cport, lo, lport);
	if (lport6) {
		struct expected_fd *e = &exp[nexp++];

		*e = (struct expected_fd){ .fd = lsock6, .type = OSP_FD_TYPE_IPV6_SOCK,
					   .accmode = O_RDWR, .ino = ino_of(lsock6),
					   .check_tuple = true, .tuple_len = 37 };
		e->tuple[0] = 10;
		memcpy(e->tuple + 1, &in6addr_loopback, 16);
		memcpy(e->tuple + 17, &lport6, 2);
	}
	for (int i = 0; i < 2; i++)
		exp[nexp++] = (struct expected_fd){ .fd = pair[i], .type = OSP_FD_TYPE_UNIX_SOCK,
						    .accmode = O_RDWR, .name = "",
						    .check_tuple = true, .tuple = { 1, 0 },
						    .tuple_len = 2, .ino = ino_of(pair[i]) };
	{
		struct expected_fd *e = &exp[nexp++];

		*e = (struct expected_fd){ .fd = usock, .type = OSP_FD_TYPE_UNIX_SOCK,
					   .accmode = O_RDWR, .name = sockpath,
					   .check_tuple = true, .ino = ino_of(usock) };
		e->tuple[0] = 1;
		memcpy(e->tuple + 1, sockpath, strlen(sockpath) + 1);
		e->tuple_len = strlen(sockpath) + 2;
	}
	exp[nexp++] = (struct expected_fd){ .fd = mfd, .type = OSP_FD_TYPE_MEMFD, .accmode = O_RDWR,
					    .name = "/memfd:osp-test", .name_prefix = true,
					    .ino = ino_of(mfd) };
	exp[nexp++] = (struct expected_fd){ .fd = efd, .type = OSP_FD_TYPE_EVENT,
					    .accmode = O_RDWR, .name = "anon_inode:",
					    .name_prefix = true };

	pthread_barrier_init(&barrier, NULL, 2);
	CHECK(pthread_create(&thr, NULL, thread_main, NULL) == 0);
	pthread_barrier_wait(&barrier);

	t0 = boottime_ns();
	r = proc_snapshot_open(NULL, 0, &s);
	CHECK_INT_EQ(r, 0);
	if (r < 0)
		exit(EXIT_FAILURE);
	while ((r = proc_snapshot_next(s, &buf, &size)) == 0) {
		struct event ev;

		records++;
		r = event_decode(buf, size, &ev);
		CHECK_INT_EQ(r, 0);
		if (r < 0)
			continue;
		CHECK_INT_EQ(ev.hdr->len, size);
		if (ev.hdr->type == OSP_EVT_PROC_SNAPSHOT) {
			threads++;
			CHECK_INT_EQ(ev.nparams, OSP_EXEC_NPARAMS);
			if (ev.hdr->tid == ev.hdr->pid) {
				procs++;
				leader = ev.hdr->pid;
			} else {
				/* A thread follows its own leader. */
				CHECK_INT_EQ(ev.hdr->pid, leader);
			}
			if (ev.len[OSP_EXEC_P_ARGS])
				CHECK(ev.val[OSP_EXEC_P_ARGS][ev.len[OSP_EXEC_P_ARGS] - 1] == '\0');
			if (ev.len[OSP_EXEC_P_ENV])
				CHECK(ev.val[OSP_EXEC_P_ENV][ev.len[OSP_EXEC_P_ENV] - 1] == '\0');
			if (ev.hdr->pid == self && ev.hdr->tid == self) {
				seen_self = true;
				check_self(&ev, argc, argv, cwd);
			}
			if (ev.hdr->pid == self && ev.hdr->tid == (uint32_t)thread_tid) {
				seen_thread = true;
				CHECK_STR_EQ(event_get_str(&ev, OSP_EXEC_P_COMM), "osp-snapthr");
				CHECK_PARAM(&ev, OSP_EXEC_P_VTID, thread_tid);
				CHECK_PARAM(&ev, OSP_EXEC_P_VPID, getpid());
				CHECK_PARAM(&ev, OSP_EXEC_P_OLD_TID, thread_tid);
				CHECK_PARAM(&ev, OSP_EXEC_P_UID, getuid());
				CHECK_STR_EQ(event_get_str(&ev, OSP_EXEC_P_CWD), cwd);
			}
		} else {
			int64_t fd = -1;

			CHECK_INT_EQ(ev.hdr->type, OSP_EVT_FD_SNAPSHOT);
			fds++;
			/* fds come right after their process' leader record. */
			CHECK_INT_EQ(ev.hdr->pid, leader);
			CHECK_INT_EQ(ev.hdr->tid, ev.hdr->pid);
			if (ev.hdr->pid != (uint32_t)getpid())
				continue;
			CHECK(event_get_s64(&ev, OSP_FDSNAP_P_FD, &fd));
			for (size_t i = 0; i < nexp; i++)
				if (exp[i].fd == fd)
					check_fd(&ev, &exp[i]);
		}
	}
	t1 = boottime_ns();
	CHECK_INT_EQ(r, -ENODATA);
	CHECK_INT_EQ(proc_snapshot_next(s, &buf, &size), -ENODATA);
	proc_snapshot_get_stats(s, &st);
	proc_snapshot_free(s);
	pthread_barrier_wait(&barrier);
	pthread_join(thr, NULL);

	CHECK(seen_self);
	CHECK(seen_thread);
	for (size_t i = 0; i < nexp; i++) {
		if (!exp[i].seen)
			fprintf(stderr, "fd %d (type %u) not in the snapshot\n", exp[i].fd,
				exp[i].type);
		CHECK(exp[i].seen);
	}
	CHECK_INT_EQ(st.processes, procs);
	CHECK_INT_EQ(st.threads, threads);
	CHECK_INT_EQ(st.fds, fds);
	CHECK(st.netns >= 1);
	printf("real /proc: %" PRIu64 " records (%" PRIu64 " processes, %" PRIu64
	       " threads, %" PRIu64 " fds) in %.2f ms; vanished %" PRIu64
	       ", fds over cap %" PRIu64 ", sockets over cap %" PRIu64 ", netns %" PRIu64 "\n",
	       records, procs, threads, fds, (double)(t1 - t0) / 1e6, st.vanished,
	       st.fds_over_cap, st.sockets_over_cap, st.netns);

	close(fd_file);
	close(fd_dir);
	close(pipefd[0]);
	close(pipefd[1]);
	close(lsock);
	close(csock);
	if (lsock6 >= 0)
		close(lsock6);
	close(pair[0]);
	close(pair[1]);
	close(usock);
	unlink(sockpath);
	unlink(file);
	close(mfd);
	close(efd);
}

/* ---- a fake proc tree ---------------------------------------------------------------------- */

#define FAKE_SNAPLEN 64
#define FAKE_MANY_FDS 1030

struct fake_seen {
	unsigned leader_4242, thread_4243, proc_4250, proc_4251, proc_4252, fds_4242, fds_4270;
	unsigned order_errors;
};

static void build_fake_tree(const char *root, char *datapath, size_t datasize)
{
	char proc[384], p[448], q[512], exe[400], status[8192];
	char groups[6000];
	char cmdline[300];
	size_t n;

	snprintf(proc, sizeof(proc), "%s/proc", root);
	make_dir("%s%s", proc, "");
	make_dir("%s/%s", proc, "sys"); /* not a pid: ignored */
	make_dir("%s/%s", root, "bin");
	snprintf(exe, sizeof(exe), "%s/bin/fake", root);
	write_str(root, "bin/fake", "#!/bin/sh\n");
	chmod(exe, 0755);
	snprintf(datapath, datasize, "%s/data", root);
	write_str(root, "data", "data\n");

	/* 4242: the leader of two threads, with fds and sockets. */
	snprintf(p, sizeof(p), "%s/4242", proc);
	make_dir("%s%s", p, "");
	make_link(exe, p, "exe");
	memcpy(cmdline, "fakeprog\0--flag\0", 16);
	memset(cmdline + 16, 'x', 200);
	cmdline[216] = '\0';
	write_file(p, "cmdline", cmdline, 217); /* longer than FAKE_SNAPLEN */
	write_file(p, "environ", "A=1\0B=2\0", 8);
	write_str(p, "loginuid", "1000\n");
	make_dir("%s/%s", p, "ns");
	make_link("pid:[4026531836]", p, "ns/pid");
	make_link("net:[4026532000]", p, "ns/net");
	make_dir("%s/%s", p, "fd");
	make_dir("%s/%s", p, "fdinfo");
	make_dir("%s/%s", p, "net");
	make_link(datapath, p, "fd/3");
	write_str(p, "fdinfo/3", "pos:\t0\nflags:\t0100002\nmnt_id:\t1\n");
	make_link("socket:[9001]", p, "fd/4");
	write_str(p, "fdinfo/4", "pos:\t0\nflags:\tzz\n"); /* malformed: flags absent */
	make_link("socket:[9002]", p, "fd/5");               /* no fdinfo: flags absent */
	make_link("socket:[9003]", p, "fd/6");
	write_str(p, "fdinfo/6", "flags:\t02\n");
	make_link("pipe:[777]", p, "fd/7");
	write_str(p, "fdinfo/7", "pos:\t0\nflags:\t01\n");
	make_link("socket:[9999]", p, "fd/8"); /* in no table */
	make_link(datapath, p, "fd/not-a-number");
	/* Verbatim /proc/net layouts, each line split in two literals. */
	write_str(p, "net/tcp",
		  "  sl  local_address rem_address   st tx_queue rx_queue "
		  "tr tm->when retrnsmt   uid  timeout inode\n"
		  "   0: 0100007F:1F90 0201A8C0:C350 01 00000000:00000000 "
		  "00:00000000 00000000  1000        0 9001 1 0000000000000000 20 4 30 10 -1\n"
		  "   1: 0100007F:1F91 0201A8C0:C351 06 00000000:00000000 "
		  "00:00000000 00000000     0        0 0 3 0000000000000000\n"
		  "   2: XYZ:1F91 0201A8C0:C351 06 00000000:00000000 "
		  "00:00000000 00000000     0        0 9005 3\n"
		  "garbage\n");
	write_str(p, "net/tcp6",
		  "  sl  local_address                         remote_address"
		  "                        st tx_queue rx_queue tr tm->when retrnsmt"
		  "   uid  timeout inode\n"
		  "   0: 00000000000000000000000001000000:0016 "
		  "00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 "
		  "00000000     0        0 9002 1 0000000000000000 100 0 0 10 0");
	write_str(p, "net/unix",
		  "Num       RefCount Protocol Flags    Type St Inode Path\n"
		  "0000000000000000: 00000002 00000000 00010000 0001 01  9003 /run/x sock\n"
		  "0000000000000000: 00000002 00000000 00000000 0001 03  9004\n");
	make_dir("%s/%s", p, "task");
	make_dir("%s/%s", p, "task/4242");
	make_dir("%s/%s", p, "task/4243");
	make_dir("%s/%s", p, "task/junk");

	/* The leader's status: a Groups line longer than any line buffer, malformed lines. */
	memset(groups, '1', sizeof(groups) - 1);
	groups[sizeof(groups) - 1] = '\0';
	n = (size_t)snprintf(status, sizeof(status),
			     "Name:\tfake\nUmask:\t0022\nState:\tS (sleeping)\n"
			     "Tgid:\t4242\nPid:\t4242\nPPid:\t1\n"
			     "Uid:\t1000\t%u\t1000\t1000\nGid:\t2000\t2001\t2000\t2000\n"
			     "Groups:\t%s\nNStgid:\t4242\t7\nNSpid:\t4242\t7\n"
			     "garbage without colon\nCapInh:\t0000000000000000\n"
			     "CapPrm:\t000001ffffffffff\nCapEff:\tzz-not-hex\n",
			     (unsigned)geteuid(), groups);
	snprintf(q, sizeof(q), "%s/task/4242", p);
	write_file(q, "status", status, n);
	/* comm with blanks and parentheses; session 4200, tty_nr 0x8801 (136:1), start 12345. */
	write_str(q, "stat", "4242 (fa) ke) (x) S 1 4242 4200 34817 4242 4194560 0 0 0 0 0 0 0 0 "
			     "20 0 2 0 12345 1000 100\n");
	write_str(q, "comm", "fake\n");
	make_link("/srv/app", q, "cwd");
	write_str(q, "cgroup", "1:cpu:/v1path\n0::/kubepods/pod1\n");

	/* 4243: its thread. tty_nr encodes 136:300; session malformed; no starttime. */
	snprintf(q, sizeof(q), "%s/task/4243", p);
	write_str(q, "status",
		  "PPid:\t1\nUid:\t1000\t1000\t1000\t1000\nGid:\t2000\t2000\t2000\t2000\n"
		  "NStgid:\t4242\t7\nNSpid:\t4243\t8\nCapEff:\t0000000000000400\n");
	write_str(q, "stat", "4243 (worker) S 1 4242 -3 1083436 4242 0 0 0\n");
	write_str(q, "comm", "worker\n");
	make_link("/srv/app/sub", q, "cwd");
	/* A hybrid host: v2 at the root, cpu preferred over memory, cpuset at the root skipped. */
	write_str(q, "cgroup", "3:memory:/mem/a\n2:cpu,cpuacct:/cpu/b\n1:cpuset:/\n0::/\n");

	/* 4250: a fileless exe, a cmdline rewritten without NULs, little else. */
	snprintf(p, sizeof(p), "%s/4250", proc);
	make_dir("%s%s", p, "");
	make_link("/memfd:evil (deleted)", p, "exe");
	write_str(p, "cmdline", "hello world");
	write_str(p, "loginuid", "4294967295");
	make_dir("%s/%s", p, "task");
	make_dir("%s/%s", p, "task/4250");
	snprintf(q, sizeof(q), "%s/task/4250", p);
	write_str(q, "status", "PPid:\t-5\nUid:\t5\nNSpid:\t4250\t9\n");

	/* 4251: argv[0] longer than the snaplen, no NUL at all. */
	snprintf(p, sizeof(p), "%s/4251", proc);
	make_dir("%s%s", p, "");
	memset(cmdline, 'y', 100);
	write_file(p, "cmdline", cmdline, 100);
	make_dir("%s/%s", p, "task");
	make_dir("%s/%s", p, "task/4251");
	snprintf(q, sizeof(q), "%s/task/4251", p);
	write_str(q, "status", "PPid:\t1\n");

	/* 4252: exactly snaplen bytes without a NUL: the last one gives way to it. */
	snprintf(p, sizeof(p), "%s/4252", proc);
	make_dir("%s%s", p, "");
	memset(cmdline, 'z', FAKE_SNAPLEN);
	write_file(p, "cmdline", cmdline, FAKE_SNAPLEN);
	make_dir("%s/%s", p, "task");
	make_dir("%s/%s", p, "task/4252");
	snprintf(q, sizeof(q), "%s/task/4252", p);
	make_link("/dev/zero", q, "status"); /* endless: read up to its budget, no lines */
	make_link("/dev/zero", q, "cgroup");

	/* 4260: no task directory: a process that vanished. */
	snprintf(p, sizeof(p), "%s/4260", proc);
	make_dir("%s%s", p, "");

	/* 4270: more fds than the per-process cap. */
	snprintf(p, sizeof(p), "%s/4270", proc);
	make_dir("%s%s", p, "");
	make_dir("%s/%s", p, "fd");
	make_dir("%s/%s", p, "task");
	make_dir("%s/%s", p, "task/4270");
	snprintf(q, sizeof(q), "%s/task/4270", p);
	write_str(q, "status", "PPid:\t1\n");
	for (int i = 0; i < FAKE_MANY_FDS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "fd/%d", i);
		make_link(datapath, p, name);
	}
}

static void check_fake_4242(const struct event *ev, const char *exe, uint64_t tick_ns)
{
	struct stat st;

	CHECK_STR_EQ(event_get_str(ev, OSP_EXEC_P_EXE), exe);
	CHECK_STR_EQ(event_get_str(ev, OSP_EXEC_P_FILENAME), "fakeprog");
	CHECK(!event_param_truncated(ev, OSP_EXEC_P_FILENAME));
	CHECK_INT_EQ(ev->len[OSP_EXEC_P_ARGS], FAKE_SNAPLEN);
	CHECK(event_param_truncated(ev, OSP_EXEC_P_ARGS));
	if (ev->len[OSP_EXEC_P_ARGS] == FAKE_SNAPLEN) {
		CHECK(memcmp(ev->val[OSP_EXEC_P_ARGS], "fakeprog\0--flag\0xxxx", 20) == 0);
		CHECK(ev->val[OSP_EXEC_P_ARGS][FAKE_SNAPLEN - 1] == '\0');
		CHECK(ev->val[OSP_EXEC_P_ARGS][FAKE_SNAPLEN - 2] == 'x');
	}
	CHECK_INT_EQ(ev->len[OSP_EXEC_P_ENV], 8);
	CHECK(!event_param_truncated(ev, OSP_EXEC_P_ENV));
	CHECK(ev->len[OSP_EXEC_P_ENV] == 8 &&
	      memcmp(ev->val[OSP_EXEC_P_ENV], "A=1\0B=2\0", 8) == 0);
	CHECK_STR_EQ(event_get_str(ev, OSP_EXEC_P_CWD), "/srv/app");
	CHECK_STR_EQ(event_get_str(ev, OSP_EXEC_P_COMM), "fake");
	CHECK_PARAM(ev, OSP_EXEC_P_PPID, 1);
	CHECK_PARAM(ev, OSP_EXEC_P_VTID, 7);
	CHECK_PARAM(ev, OSP_EXEC_P_VPID, 7);
	CHECK_PARAM(ev, OSP_EXEC_P_SID, 4200);
	CHECK_PARAM(ev, OSP_EXEC_P_UID, 1000);
	CHECK_PARAM(ev, OSP_EXEC_P_EUID, geteuid());
	CHECK_PARAM(ev, OSP_EXEC_P_GID, 2000);
	CHECK_PARAM(ev, OSP_EXEC_P_EGID, 2001);
	CHECK_PARAM(ev, OSP_EXEC_P_LOGINUID, 1000);
	CHECK_PARAM(ev, OSP_EXEC_P_TTY, 136u << 20 | 1);
	CHECK_STR_EQ(event_get_str(ev, OSP_EXEC_P_CGROUP), "/kubepods/pod1");
	CHECK(stat(exe, &st) == 0);
	CHECK_PARAM(ev, OSP_EXEC_P_EXE_INO, st.st_ino);
	CHECK_PARAM(ev, OSP_EXEC_P_EXE_DEV, kdev(st.st_dev));
	/* euid owns the 0755 file: the owner's write bit counts. */
	CHECK_PARAM(ev, OSP_EXEC_P_EXE_FLAGS, OSP_EXE_WRITABLE);
	CHECK_PARAM(ev, OSP_EXEC_P_CAP_INH, 0);
	CHECK_PARAM(ev, OSP_EXEC_P_CAP_PRM, 0x1ffffffffffull);
	CHECK_ABSENT(ev, OSP_EXEC_P_CAP_EFF);
	CHECK_PARAM(ev, OSP_EXEC_P_START_TS, 12345 * tick_ns);
	CHECK_PARAM(ev, OSP_EXEC_P_PIDNS, 4026531836u);
	CHECK_PARAM(ev, OSP_EXEC_P_OLD_TID, 4242);
}

static void check_fake_4243(const struct event *ev, const char *exe)
{
	CHECK_INT_EQ(ev->hdr->pid, 4242);
	CHECK_STR_EQ(event_get_str(ev, OSP_EXEC_P_EXE), exe);
	CHECK_STR_EQ(event_get_str(ev, OSP_EXEC_P_FILENAME), "fakeprog");
	CHECK_STR_EQ(event_get_str(ev, OSP_EXEC_P_COMM), "worker");
	CHECK_STR_EQ(event_get_str(ev, OSP_EXEC_P_CWD), "/srv/app/sub");
	CHECK_PARAM(ev, OSP_EXEC_P_VTID, 8);
	CHECK_PARAM(ev, OSP_EXEC_P_VPID, 7);
	CHECK_ABSENT(ev, OSP_EXEC_P_SID);
	CHECK_PARAM(ev, OSP_EXEC_P_TTY, 136u << 20 | 300);
	CHECK_ABSENT(ev, OSP_EXEC_P_START_TS);
	CHECK_STR_EQ(event_get_str(ev, OSP_EXEC_P_CGROUP), "/cpu/b");
	CHECK_PARAM(ev, OSP_EXEC_P_EUID, 1000);
	/* Neither owner nor group (unless the test runs as 1000): the others' bits, r-x. */
	if (geteuid() != 1000 && getegid() != 2000)
		CHECK_PARAM(ev, OSP_EXEC_P_EXE_FLAGS, 0);
	CHECK_PARAM(ev, OSP_EXEC_P_CAP_EFF, 0x400);
	CHECK_ABSENT(ev, OSP_EXEC_P_CAP_PRM);
	CHECK_PARAM(ev, OSP_EXEC_P_LOGINUID, 1000);
	CHECK_PARAM(ev, OSP_EXEC_P_OLD_TID, 4243);
}

static void check_fake_fd(const struct event *ev, const char *datapath)
{
	int64_t fd = -1;
	struct expected_fd e = { .accmode = -1 };
	const uint8_t lo[4] = { 127, 0, 0, 1 }, peer[4] = { 192, 168, 1, 2 };
	bool flags_absent = false;
	struct stat st;

	CHECK(event_get_s64(ev, OSP_FDSNAP_P_FD, &fd));
	e.fd = (int)fd;
	switch (fd) {
	case 3:
		CHECK(stat(datapath, &st) == 0);
		e.type = OSP_FD_TYPE_FILE;
		e.accmode = O_RDWR;
		e.flag_bits = 0100000; /* O_LARGEFILE as the kernel says it (0 in x86_64 headers) */
		e.name = datapath;
		e.ino = st.st_ino;
		break;
	case 4:
		e.type = OSP_FD_TYPE_IPV4_SOCK;
		e.name_absent = true;
		e.ino = 9001;
		tuple_inet(&e, lo, 8080, peer, 50000);
		flags_absent = true;
		break;
	case 5: {
		uint8_t a[16] = { 0 };
		uint16_t port = 22;

		a[15] = 1;
		e.type = OSP_FD_TYPE_IPV6_SOCK;
		e.ino = 9002;
		e.check_tuple = true;
		e.tuple[0] = 10;
		memcpy(e.tuple + 1, a, 16);
		memcpy(e.tuple + 17, &port, 2);
		e.tuple_len = 37;
		flags_absent = true;
		break;
	}
	case 6:
		e.type = OSP_FD_TYPE_UNIX_SOCK;
		e.accmode = O_RDWR;
		e.name = "/run/x sock";
		e.ino = 9003;
		e.check_tuple = true;
		memcpy(e.tuple, "\001/run/x sock", 13);
		e.tuple_len = 13;
		break;
	case 7:
		e.type = OSP_FD_TYPE_PIPE;
		e.accmode = O_WRONLY;
		e.name = "pipe:[777]";
		e.ino = 777;
		break;
	case 8:
		e.type = OSP_FD_TYPE_OTHER_SOCK;
		e.ino = 9999;
		e.check_tuple = true;
		flags_absent = true;
		break;
	default:
		fprintf(stderr, "unexpected fake fd %" PRId64 "\n", fd);
		CHECK(!"an fd of the fake tree");
		return;
	}
	if (flags_absent) {
		CHECK_ABSENT(ev, OSP_FDSNAP_P_FLAGS);
		e.flag_bits = 0;
		/* check_fd() wants flags: check the rest by hand. */
		CHECK_PARAM(ev, OSP_FDSNAP_P_TYPE, e.type);
		CHECK_PARAM(ev, OSP_FDSNAP_P_INO, e.ino);
		CHECK_INT_EQ(ev->len[OSP_FDSNAP_P_TUPLE], e.tuple_len);
		if (ev->len[OSP_FDSNAP_P_TUPLE] == e.tuple_len && e.tuple_len)
			CHECK(memcmp(ev->val[OSP_FDSNAP_P_TUPLE], e.tuple, e.tuple_len) == 0);
		if (e.name_absent)
			CHECK_ABSENT(ev, OSP_FDSNAP_P_NAME);
		return;
	}
	check_fd(ev, &e);
}

static void test_fake_tree(void)
{
	char root[320], exe[400], datapath[400];
	struct proc_snapshot *s = NULL;
	struct proc_snapshot_stats st;
	struct fake_seen seen = { 0 };
	const void *buf;
	size_t size;
	uint32_t current = 0;
	bool in_threads = false;
	uint64_t tick_ns = 1000000000u / (uint64_t)sysconf(_SC_CLK_TCK);
	int r;

	snprintf(root, sizeof(root), "%s/fakeroot", tmpdir);
	make_dir("%s%s", root, "");
	build_fake_tree(root, datapath, sizeof(datapath));
	snprintf(exe, sizeof(exe), "%s/bin/fake", root);

	CHECK_INT_EQ(proc_snapshot_open(root, FAKE_SNAPLEN, &s), 0);
	if (!s)
		return;
	while ((r = proc_snapshot_next(s, &buf, &size)) == 0) {
		struct event ev;

		r = event_decode(buf, size, &ev);
		CHECK_INT_EQ(r, 0);
		if (r < 0)
			continue;
		if (ev.hdr->type == OSP_EVT_PROC_SNAPSHOT) {
			if (ev.hdr->tid == ev.hdr->pid) {
				current = ev.hdr->pid;
				in_threads = false;
			} else {
				if (ev.hdr->pid != current)
					seen.order_errors++;
				in_threads = true;
			}
			switch (ev.hdr->tid) {
			case 4242:
				seen.leader_4242++;
				check_fake_4242(&ev, exe, tick_ns);
				break;
			case 4243:
				seen.thread_4243++;
				check_fake_4243(&ev, exe);
				break;
			case 4250:
				seen.proc_4250++;
				CHECK_STR_EQ(event_get_str(&ev, OSP_EXEC_P_EXE), "/memfd:evil");
				CHECK_PARAM(&ev, OSP_EXEC_P_EXE_FLAGS, OSP_EXE_FROM_MEMFD);
				CHECK_ABSENT(&ev, OSP_EXEC_P_EXE_INO);
				CHECK_ABSENT(&ev, OSP_EXEC_P_EXE_DEV);
				CHECK_STR_EQ(event_get_str(&ev, OSP_EXEC_P_FILENAME),
					     "hello world");
				CHECK_INT_EQ(ev.len[OSP_EXEC_P_ARGS], 12);
				CHECK(!event_param_truncated(&ev, OSP_EXEC_P_ARGS));
				CHECK(ev.len[OSP_EXEC_P_ARGS] == 12 &&
				      memcmp(ev.val[OSP_EXEC_P_ARGS], "hello world", 12) == 0);
				CHECK_ABSENT(&ev, OSP_EXEC_P_ENV);
				CHECK_ABSENT(&ev, OSP_EXEC_P_COMM);
				CHECK_ABSENT(&ev, OSP_EXEC_P_CWD);
				CHECK_ABSENT(&ev, OSP_EXEC_P_CGROUP);
				CHECK_ABSENT(&ev, OSP_EXEC_P_PPID); /* "-5" */
				CHECK_PARAM(&ev, OSP_EXEC_P_UID, 5);
				CHECK_ABSENT(&ev, OSP_EXEC_P_EUID);
				CHECK_PARAM(&ev, OSP_EXEC_P_VTID, 9);
				CHECK_PARAM(&ev, OSP_EXEC_P_VPID, 9); /* the leader's NSpid */
				CHECK_PARAM(&ev, OSP_EXEC_P_LOGINUID, 4294967295u);
				CHECK_ABSENT(&ev, OSP_EXEC_P_SID);
				CHECK_ABSENT(&ev, OSP_EXEC_P_TTY);
				CHECK_ABSENT(&ev, OSP_EXEC_P_START_TS);
				CHECK_ABSENT(&ev, OSP_EXEC_P_PIDNS);
				break;
			case 4251:
				seen.proc_4251++;
				CHECK_INT_EQ(ev.len[OSP_EXEC_P_ARGS], FAKE_SNAPLEN);
				CHECK(event_param_truncated(&ev, OSP_EXEC_P_ARGS));
				CHECK(ev.len[OSP_EXEC_P_ARGS] &&
				      ev.val[OSP_EXEC_P_ARGS][ev.len[OSP_EXEC_P_ARGS] - 1] == '\0');
				CHECK_INT_EQ(ev.len[OSP_EXEC_P_FILENAME], FAKE_SNAPLEN);
				CHECK(event_param_truncated(&ev, OSP_EXEC_P_FILENAME));
				CHECK(event_get_str(&ev, OSP_EXEC_P_FILENAME) &&
				      strspn(event_get_str(&ev, OSP_EXEC_P_FILENAME), "y") ==
					      FAKE_SNAPLEN - 1);
				CHECK_ABSENT(&ev, OSP_EXEC_P_EXE);
				CHECK_ABSENT(&ev, OSP_EXEC_P_EXE_FLAGS);
				break;
			case 4252:
				seen.proc_4252++;
				CHECK_INT_EQ(ev.len[OSP_EXEC_P_ARGS], FAKE_SNAPLEN);
				CHECK(event_param_truncated(&ev, OSP_EXEC_P_ARGS));
				CHECK(ev.len[OSP_EXEC_P_ARGS] &&
				      ev.val[OSP_EXEC_P_ARGS][FAKE_SNAPLEN - 1] == '\0' &&
				      ev.val[OSP_EXEC_P_ARGS][FAKE_SNAPLEN - 2] == 'z');
				CHECK(event_param_truncated(&ev, OSP_EXEC_P_FILENAME));
				CHECK_ABSENT(&ev, OSP_EXEC_P_PPID);
				CHECK_ABSENT(&ev, OSP_EXEC_P_CGROUP);
				break;
			case 4270:
				break;
			default:
				fprintf(stderr, "unexpected fake tid %u\n", ev.hdr->tid);
				CHECK(!"a tid of the fake tree");
			}
		} else {
			CHECK_INT_EQ(ev.hdr->type, OSP_EVT_FD_SNAPSHOT);
			/* After the leader, before the other threads. */
			if (ev.hdr->pid != current || in_threads)
				seen.order_errors++;
			if (ev.hdr->pid == 4242) {
				seen.fds_4242++;
				check_fake_fd(&ev, datapath);
			} else if (ev.hdr->pid == 4270) {
				seen.fds_4270++;
			}
		}
	}
	CHECK_INT_EQ(r, -ENODATA);
	proc_snapshot_get_stats(s, &st);
	proc_snapshot_free(s);

	CHECK_INT_EQ(seen.order_errors, 0);
	CHECK_INT_EQ(seen.leader_4242, 1);
	CHECK_INT_EQ(seen.thread_4243, 1);
	CHECK_INT_EQ(seen.proc_4250, 1);
	CHECK_INT_EQ(seen.proc_4251, 1);
	CHECK_INT_EQ(seen.proc_4252, 1);
	CHECK_INT_EQ(seen.fds_4242, 6);
	CHECK_INT_EQ(seen.fds_4270, 1024);
	CHECK_INT_EQ(st.fds_over_cap, FAKE_MANY_FDS - 1024);
	CHECK_INT_EQ(st.processes, 5);
	CHECK_INT_EQ(st.threads, 6);
	CHECK_INT_EQ(st.fds, 6 + 1024);
	CHECK_INT_EQ(st.netns, 1);     /* one namespace, its tables read once */
	CHECK_INT_EQ(st.vanished, 1);  /* 4260; "sys", "task/junk", "fd/not-a-number" are no ids */
	CHECK_INT_EQ(st.sockets_over_cap, 0);
}

static void test_missing_root(void)
{
	struct proc_snapshot *s = NULL;
	char noproc[320];

	CHECK_INT_EQ(proc_snapshot_open("/nonexistent/osprey-test-root", 0, &s), -ENOENT);
	CHECK(s == NULL);
	/* A root without proc/ */
	snprintf(noproc, sizeof(noproc), "%s/noproc", tmpdir);
	make_dir("%s%s", noproc, "");
	CHECK_INT_EQ(proc_snapshot_open(noproc, 0, &s), -ENOENT);
	proc_snapshot_free(NULL);
}

static void cleanup_tmpdir(void)
{
	char cmd[PATH_MAX + 32];

	/* Only our own mkdtemp() directory, quoted. */
	if (strncmp(tmpdir, "/tmp/osp-snap-", 14) != 0 || strchr(tmpdir, '\''))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/osp-snap-XXXXXX";
	struct stat st;

	if (stat("/proc/self/status", &st) < 0)
		TEST_SKIP("no /proc mounted");
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s", tmpl);

	test_missing_root();
	test_fake_tree();
	test_real_proc(argc, argv);

	if (chdir("/") < 0)
		perror("chdir");
	cleanup_tmpdir();
	return test_finish("test-proc-snapshot");
}
