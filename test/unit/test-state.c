// SPDX-License-Identifier: Apache-2.0
/*
 * State tracking fed with synthetic event sequences built by record_builder: the snapshot,
 * fork/exec/exit, every fd-creating call, path resolution, credentials, caps and evictions,
 * deferred exit removal, the parent chain, purge of lost exits; then a throughput measure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "event.h"
#include "macro.h"
#include "record.h"
#include "state.h"
#include "test.h"

#define ID64	      "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"
#define O_CLOEXEC_K   02000000u
#define O_DIRECTORY_K 0200000u
#define AT_FDCWD_K    (-100)

static uint8_t buf[OSP_EVENT_MAX_LEN];
static struct record_builder b;
static struct event ev;
static struct state *st;
static uint64_t ts = 1000000;

static void begin(uint16_t type, uint32_t tid, uint32_t pid)
{
	const struct osp_event_info *info = event_info(type);

	record_begin(&b, buf, sizeof(buf), type, ts++, tid, pid, info->nparams);
}

static struct state_thread *feed(void)
{
	int r = record_end(&b);

	if (r <= 0)
		fprintf(stderr, "record_end: %d (type %u)\n", r,
			((struct osp_event_hdr *)buf)->type);
	CHECK(r > 0);
	if (r <= 0)
		return NULL;
	r = event_decode(buf, (size_t)r, &ev);
	CHECK_INT_EQ(r, 0);
	if (r < 0)
		return NULL;
	return state_process_event(st, &ev);
}

struct desc {
	const char *exe, *filename, *cwd, *comm, *cgroup;
	const char *args; /* NUL-separated, args_len bytes */
	size_t args_len;
	const char *env;
	size_t env_len;
	uint32_t ppid, vtid, vpid, sid, uid, gid, euid, egid, loginuid, tty, exe_flags, pidns;
	uint64_t caps, start_ts, ino;
	int64_t old_tid;
};

static struct state_thread *proc_event(uint16_t type, uint32_t tid, uint32_t pid,
				       const struct desc *d)
{
	begin(type, tid, pid);
	record_add_str(&b, d->exe, OSP_STR_MAX);
	record_add_str(&b, d->filename ? d->filename : d->exe, OSP_STR_MAX);
	record_add_bytes(&b, d->args, d->args_len, OSP_SNAPLEN_DEFAULT);
	record_add_str(&b, d->cwd, OSP_STR_MAX);
	record_add_bytes(&b, d->env, d->env_len, OSP_SNAPLEN_DEFAULT);
	record_add_str(&b, d->comm, OSP_COMM_LEN + 1);
	record_add_s64(&b, d->ppid);
	record_add_s64(&b, d->vtid ? d->vtid : tid);
	record_add_s64(&b, d->vpid ? d->vpid : pid);
	record_add_s64(&b, d->sid);
	record_add_u32(&b, d->uid);
	record_add_u32(&b, d->gid);
	record_add_u32(&b, d->euid);
	record_add_u32(&b, d->egid);
	record_add_u32(&b, d->loginuid);
	record_add_u32(&b, d->tty);
	record_add_str(&b, d->cgroup, OSP_STR_MAX);
	record_add_u64(&b, d->ino);
	record_add_u32(&b, 0x800001);
	record_add_u32(&b, d->exe_flags);
	record_add_u64(&b, 0);
	record_add_u64(&b, d->caps);
	record_add_u64(&b, d->caps);
	record_add_u64(&b, d->start_ts);
	record_add_u32(&b, d->pidns);
	record_add_s64(&b, d->old_tid ? d->old_tid : tid);
	return feed();
}

static struct state_thread *fork_event(uint32_t tid, uint32_t pid, uint32_t ptid, uint32_t ppid,
				       uint32_t flags)
{
	begin(OSP_EVT_PROC_FORK, tid, pid);
	record_add_s64(&b, ptid);
	record_add_s64(&b, ppid);
	record_add_s64(&b, tid);
	record_add_s64(&b, pid);
	record_add_u32(&b, flags);
	record_add_u32(&b, 4026531836u);
	return feed();
}

static struct state_thread *exit_event(uint32_t tid, uint32_t pid, uint32_t flags)
{
	begin(OSP_EVT_PROC_EXIT, tid, pid);
	record_add_u32(&b, 0);
	record_add_u32(&b, flags);
	return feed();
}

static void fd_snapshot(uint32_t pid, int64_t fd, uint32_t type, uint32_t flags, const char *name,
			const void *tuple, size_t tlen)
{
	begin(OSP_EVT_FD_SNAPSHOT, pid, pid);
	record_add_s64(&b, fd);
	record_add_u32(&b, type);
	record_add_u32(&b, flags);
	record_add_str(&b, name, OSP_STR_MAX);
	record_add_bytes(&b, tuple, tlen, 200);
	record_add_u64(&b, 1234);
	feed();
}

static void sys_openat(uint32_t tid, int64_t res, int64_t dirfd, const char *name, uint32_t flags)
{
	begin(OSP_EVT_OPENAT, tid, tid);
	record_add_s64(&b, res);
	record_add_s64(&b, dirfd);
	record_add_str(&b, name, OSP_STR_MAX);
	record_add_u32(&b, flags);
	record_add_u32(&b, 0644);
	feed();
}

static void sys_open(uint16_t type, uint32_t tid, int64_t res, const char *name, uint32_t flags)
{
	begin(type, tid, tid);
	record_add_s64(&b, res);
	record_add_str(&b, name, OSP_STR_MAX);
	if (type == OSP_EVT_OPEN)
		record_add_u32(&b, flags);
	record_add_u32(&b, 0644);
	feed();
}

static void sys_fd1(uint16_t type, uint32_t tid, int64_t res, int64_t fd)
{
	begin(type, tid, tid);
	record_add_s64(&b, res);
	record_add_s64(&b, fd);
	feed();
}

static void sys_dup(uint16_t type, uint32_t tid, int64_t res, int64_t oldfd, int64_t newfd,
		    uint32_t flags)
{
	begin(type, tid, tid);
	record_add_s64(&b, res);
	record_add_s64(&b, oldfd);
	if (type == OSP_EVT_DUP2 || type == OSP_EVT_DUP3)
		record_add_s64(&b, newfd);
	if (type == OSP_EVT_DUP3 || type == OSP_EVT_FCNTL)
		record_add_u32(&b, flags);
	feed();
}

static void sys_socket(uint32_t tid, int64_t res, uint32_t domain, uint32_t type, uint32_t proto)
{
	begin(OSP_EVT_SOCKET, tid, tid);
	record_add_s64(&b, res);
	record_add_u32(&b, domain);
	record_add_u32(&b, type);
	record_add_u32(&b, proto);
	feed();
}

static size_t tuple4(uint8_t *t, const char *l, uint16_t lp, const char *r, uint16_t rp)
{
	t[0] = OSP_AF_INET;
	inet_pton(AF_INET, l, t + 1);
	memcpy(t + 5, &lp, 2);
	inet_pton(AF_INET, r, t + 7);
	memcpy(t + 11, &rp, 2);
	return OSP_SOCKTUPLE_INET_LEN;
}

static size_t tuple6(uint8_t *t, const char *l, uint16_t lp, const char *r, uint16_t rp)
{
	t[0] = OSP_AF_INET6;
	inet_pton(AF_INET6, l, t + 1);
	memcpy(t + 17, &lp, 2);
	inet_pton(AF_INET6, r, t + 19);
	memcpy(t + 35, &rp, 2);
	return OSP_SOCKTUPLE_INET6_LEN;
}

static void sys_connect(uint32_t tid, int64_t res, int64_t fd, const void *tuple, size_t tlen)
{
	begin(OSP_EVT_CONNECT, tid, tid);
	record_add_s64(&b, res);
	record_add_s64(&b, fd);
	record_add_bytes(&b, tuple, tlen, 200);
	feed();
}

static void sys_ids(uint16_t type, uint32_t tid, int64_t res, uint32_t a, uint32_t e, uint32_t s)
{
	begin(type, tid, tid);
	record_add_s64(&b, res);
	record_add_u32(&b, a);
	if (type != OSP_EVT_SETUID && type != OSP_EVT_SETGID)
		record_add_u32(&b, e);
	if (type == OSP_EVT_SETRESUID || type == OSP_EVT_SETRESGID)
		record_add_u32(&b, s);
	feed();
}

static const char *fd_name(uint32_t tid, int64_t num)
{
	struct state_thread *t = state_thread_get(st, tid);
	struct state_fd *fd = t ? state_fd_get(t, num) : NULL;

	return fd ? fd->name : "(no fd)";
}

static char host_root[] = "/tmp/osprey-test-state-XXXXXX";

/* The tree used by most tests: systemd (1) -> sshd (50) -> bash (100, thread 101). */
static void seed_snapshot(void)
{
	static const char bash_args[] = "-bash\0-l\0";
	static const char bash_env[] = "HOME=/root\0PATH=/usr/bin:/bin\0TERM=xterm\0";
	static const char sd_args[] = "/sbin/init\0splash\0";
	uint8_t t[64];
	struct desc d = {
		.exe = "/usr/lib/systemd/systemd",
		.args = sd_args,
		.args_len = sizeof(sd_args) - 1,
		.cwd = "/",
		.comm = "systemd",
		.cgroup = "/init.scope",
		.ppid = 0,
		.sid = 1,
		.caps = ~0ull,
		.start_ts = 10,
		.loginuid = UINT32_MAX,
	};
	struct state_thread *th;

	th = proc_event(OSP_EVT_PROC_SNAPSHOT, 1, 1, &d);
	CHECK(th != NULL);
	d = (struct desc){.exe = "/usr/sbin/sshd",
			  .args = "sshd\0",
			  .args_len = 5,
			  .cwd = "/",
			  .comm = "sshd",
			  .ppid = 1,
			  .sid = 50,
			  .cgroup = "/system.slice/ssh.service",
			  .caps = ~0ull,
			  .start_ts = 20,
			  .loginuid = UINT32_MAX};
	proc_event(OSP_EVT_PROC_SNAPSHOT, 50, 50, &d);
	d = (struct desc){.exe = "/usr/bin/bash",
			  .args = bash_args,
			  .args_len = sizeof(bash_args) - 1,
			  .env = bash_env,
			  .env_len = sizeof(bash_env) - 1,
			  .cwd = "/root",
			  .comm = "bash",
			  .ppid = 50,
			  .sid = 100,
			  .uid = 0,
			  .euid = 0,
			  .loginuid = 1000,
			  .tty = (136u << 20) | 0,
			  .cgroup = "/user.slice/user-1000.slice/session-1.scope",
			  .caps = 0x1ffffffffffull,
			  .start_ts = 30,
			  .ino = 777,
			  .pidns = 4026531836u};
	proc_event(OSP_EVT_PROC_SNAPSHOT, 100, 100, &d);
	fd_snapshot(100, 0, OSP_FD_TYPE_FILE, 02, "/dev/pts/0", NULL, 0);
	fd_snapshot(100, 1, OSP_FD_TYPE_FILE, 02, "/dev/pts/0", NULL, 0);
	fd_snapshot(100, 3, OSP_FD_TYPE_DIRECTORY, O_DIRECTORY_K, "/etc", NULL, 0);
	fd_snapshot(100, 4, OSP_FD_TYPE_IPV4_SOCK, 02 | O_CLOEXEC_K, NULL, t,
		    tuple4(t, "10.0.0.5", 40000, "10.0.0.1", 22));
	d.comm = "bash-worker";
	proc_event(OSP_EVT_PROC_SNAPSHOT, 101, 100, &d);
}

static void test_snapshot(void)
{
	struct state_thread *t = state_thread_get(st, 100), *w = state_thread_get(st, 101);
	struct state_fd *fd;
	char name[128];
	uint32_t len;
	const char *v;

	CHECK(t != NULL && w != NULL);
	if (!t || !w)
		return;
	CHECK_STR_EQ(t->proc->image->exepath, "/usr/bin/bash");
	CHECK_STR_EQ(t->proc->image->exe, "-bash");
	CHECK_STR_EQ(t->proc->image->args, "-l");
	CHECK_INT_EQ(t->proc->image->argc, 2);
	CHECK_STR_EQ(t->proc->cwd->s, "/root");
	CHECK_STR_EQ(t->comm, "bash");
	CHECK_INT_EQ(t->proc->ppid, 50);
	CHECK_INT_EQ(t->proc->sid, 100);
	CHECK_INT_EQ(t->proc->loginuid, 1000);
	CHECK_INT_EQ(t->proc->tty, (136u << 20));
	CHECK_INT_EQ(t->proc->start_ts, 30);
	CHECK_INT_EQ(t->proc->image->exe_ino, 777);
	CHECK_INT_EQ(t->cap_eff, 0x1ffffffffffull);
	CHECK_STR_EQ(t->proc->image->container_id, "host");
	CHECK_STR_EQ(t->proc->image->cgroup, "/user.slice/user-1000.slice/session-1.scope");
	v = state_proc_env(t->proc, "PATH", &len);
	CHECK(v && len == 13 && memcmp(v, "/usr/bin:/bin", 13) == 0);
	CHECK(state_proc_env(t->proc, "PAT", NULL) == NULL);
	CHECK(state_proc_env(t->proc, "TERM", NULL) != NULL);
	state_thread_cmdline(t, name, sizeof(name));
	CHECK_STR_EQ(name, "bash -l");
	/* the second thread shares the group's process */
	CHECK(w->proc == t->proc);
	CHECK_STR_EQ(w->comm, "bash-worker");
	CHECK_INT_EQ(state_proc_nthreads(t->proc), 2);
	CHECK_STR_EQ(fd_name(101, 3), "/etc");
	/* fds */
	fd = state_fd_get(t, 4);
	CHECK(fd && fd->type == OSP_FD_TYPE_IPV4_SOCK && fd->lport == 40000 && fd->rport == 22);
	if (fd) {
		state_fd_format_name(fd, name, sizeof(name));
		CHECK_STR_EQ(name, "10.0.0.5:40000->10.0.0.1:22");
		CHECK(fd->role & STATE_FD_CONNECTED);
	}
	fd = state_fd_get(t, 3);
	CHECK(fd && fd->type == OSP_FD_TYPE_DIRECTORY);
	/* parent chain: bash -> sshd -> systemd -> nothing */
	CHECK(state_thread_parent(st, t) == state_thread_get(st, 50));
	CHECK(state_thread_ancestor(st, t, 2) == state_thread_get(st, 1));
	CHECK(state_thread_ancestor(st, t, 3) == NULL);
	CHECK(state_thread_ancestor(st, t, 0) == t);
	CHECK(state_thread_ancestor(st, t, STATE_ANCESTOR_MAX + 1) == NULL);
	/* user names from the fake host root */
	CHECK_STR_EQ(state_user_name(st, t, 0), "root");
	CHECK_STR_EQ(state_user_name(st, t, 1000), "alice");
	CHECK_STR_EQ(state_user_home(st, t, 1000), "/home/alice");
	CHECK_STR_EQ(state_user_shell(st, t, 1000), "/bin/zsh");
	CHECK_STR_EQ(state_user_name(st, t, 31337), "");
	CHECK_STR_EQ(state_group_name(st, t, 0), "root");
	CHECK(state_meta(st) == NULL); /* no metadata layer: container names read <NA> */
}

static void test_paths(void)
{
	/* chdir: relative, .., ., repeated slashes, past the root */
	begin(OSP_EVT_CHDIR, 100, 100);
	record_add_s64(&b, 0);
	record_add_str(&b, "..//usr/./lib/../share/", OSP_STR_MAX);
	feed();
	CHECK_STR_EQ(state_thread_get(st, 100)->proc->cwd->s, "/usr/share");
	begin(OSP_EVT_CHDIR, 100, 100);
	record_add_s64(&b, -ENOENT);
	record_add_str(&b, "/nonexistent", OSP_STR_MAX);
	feed();
	CHECK_STR_EQ(state_thread_get(st, 100)->proc->cwd->s, "/usr/share"); /* failed: no change */

	sys_openat(100, 5, AT_FDCWD_K, "doc/../man/./man1/ls.1.gz", 0);
	CHECK_STR_EQ(fd_name(100, 5), "/usr/share/man/man1/ls.1.gz");
	sys_openat(100, 6, AT_FDCWD_K, "../../../../../etc/shadow", 0);
	CHECK_STR_EQ(fd_name(100, 6), "/etc/shadow");
	sys_openat(100, 7, 3, "passwd", 0); /* relative to dirfd 3 = /etc */
	CHECK_STR_EQ(fd_name(100, 7), "/etc/passwd");
	sys_openat(100, 8, 3, "/abs//path/", 0); /* absolute: dirfd ignored */
	CHECK_STR_EQ(fd_name(100, 8), "/abs/path");
	sys_openat(100, 9, 3, "..", O_DIRECTORY_K);
	CHECK_STR_EQ(fd_name(100, 9), "/");
	CHECK_INT_EQ(state_fd_get(state_thread_get(st, 100), 9)->type, OSP_FD_TYPE_DIRECTORY);
	sys_openat(100, 10, 99, "rel/name", 0); /* unknown dirfd: the name as given */
	CHECK_STR_EQ(fd_name(100, 10), "rel/name");
	sys_openat(100, -ENOENT, AT_FDCWD_K, "missing", 0);
	CHECK_STR_EQ(fd_name(100, -ENOENT), "(no fd)");
	sys_open(OSP_EVT_OPEN, 100, 11, ".", O_DIRECTORY_K);
	CHECK_STR_EQ(fd_name(100, 11), "/usr/share");
	sys_open(OSP_EVT_CREAT, 100, 12, "new.txt", 0);
	CHECK_STR_EQ(fd_name(100, 12), "/usr/share/new.txt");
	CHECK_INT_EQ(state_fd_get(state_thread_get(st, 100), 12)->flags, 01101);
	/* openat2 */
	begin(OSP_EVT_OPENAT2, 100, 100);
	record_add_s64(&b, 13);
	record_add_s64(&b, 9);
	record_add_str(&b, "tmp/x", OSP_STR_MAX);
	record_add_u32(&b, O_CLOEXEC_K);
	record_add_u32(&b, 0);
	record_add_u32(&b, 0);
	feed();
	CHECK_STR_EQ(fd_name(100, 13), "/tmp/x");
	/* a path at the bound is cut at a whole component, never overflowing */
	{
		char longp[OSP_STR_MAX];

		memset(longp, 'a', sizeof(longp) - 1);
		for (size_t i = 100; i < sizeof(longp) - 1; i += 100)
			longp[i] = '/';
		longp[sizeof(longp) - 1] = '\0';
		sys_openat(100, 14, AT_FDCWD_K, longp, 0);
		CHECK(strlen(fd_name(100, 14)) < OSP_STR_MAX);
		CHECK(strncmp(fd_name(100, 14), "/usr/share/aaaa", 15) == 0);
	}
	/* fchdir to the /etc directory fd */
	sys_fd1(OSP_EVT_FCHDIR, 100, 0, 3);
	CHECK_STR_EQ(state_thread_get(st, 100)->proc->cwd->s, "/etc");
	for (int64_t i = 5; i <= 14; i++)
		sys_fd1(OSP_EVT_CLOSE, 100, 0, i);
	CHECK_STR_EQ(fd_name(100, 7), "(no fd)");
	CHECK_STR_EQ(fd_name(100, 3), "/etc");
}

static void test_fds(void)
{
	uint8_t t[64];
	char name[160];
	struct state_fd *fd;
	struct state_thread *th;

	/* dup family */
	sys_dup(OSP_EVT_DUP, 100, 20, 3, 0, 0);
	CHECK_STR_EQ(fd_name(100, 20), "/etc");
	sys_openat(100, 21, AT_FDCWD_K, "/var/log/syslog", O_CLOEXEC_K);
	sys_dup(OSP_EVT_DUP2, 100, 1, 21, 1, 0); /* replaces stdout */
	CHECK_STR_EQ(fd_name(100, 1), "/var/log/syslog");
	CHECK_INT_EQ(state_fd_get(state_thread_get(st, 100), 1)->flags & O_CLOEXEC_K, 0);
	sys_dup(OSP_EVT_DUP3, 100, 22, 21, 22, O_CLOEXEC_K);
	CHECK(state_fd_get(state_thread_get(st, 100), 22)->flags & O_CLOEXEC_K);
	sys_dup(OSP_EVT_FCNTL, 100, 23, 21, 0, 1030 /* F_DUPFD_CLOEXEC */);
	CHECK_STR_EQ(fd_name(100, 23), "/var/log/syslog");
	CHECK(state_fd_get(state_thread_get(st, 100), 23)->flags & O_CLOEXEC_K);
	sys_dup(OSP_EVT_DUP, 100, 24, 999, 0, 0); /* unknown source: still an fd */
	CHECK_STR_EQ(fd_name(100, 24), "");

	/* sockets: TCP client */
	sys_socket(100, 30, OSP_AF_INET, 1 | O_CLOEXEC_K, 0);
	fd = state_fd_get(state_thread_get(st, 100), 30);
	CHECK(fd && fd->type == OSP_FD_TYPE_IPV4_SOCK && fd->flags == O_CLOEXEC_K);
	CHECK(fd && fd->sock_type == 1 && strcmp(state_fd_l4proto(fd), "tcp") == 0);
	sys_connect(100, -115 /* EINPROGRESS */, 30, t,
		    tuple4(t, "192.168.1.10", 51000, "93.184.216.34", 443));
	fd = state_fd_get(state_thread_get(st, 100), 30);
	CHECK(fd && (fd->role & STATE_FD_CLIENT) && fd->rport == 443);
	state_fd_format_name(fd, name, sizeof(name));
	CHECK_STR_EQ(name, "192.168.1.10:51000->93.184.216.34:443");
	/* a failed connect changes nothing */
	sys_socket(100, 31, OSP_AF_INET, 2, 17);
	sys_connect(100, -ECONNREFUSED, 31, t, tuple4(t, "1.1.1.1", 1, "2.2.2.2", 2));
	fd = state_fd_get(state_thread_get(st, 100), 31);
	CHECK(fd && !(fd->role & STATE_FD_CONNECTED) && fd->rport == 0);
	CHECK_STR_EQ(state_fd_l4proto(fd), "udp");
	/* server: bind, listen, accept4 (IPv6) */
	sys_socket(100, 32, OSP_AF_INET6, 1, 6);
	begin(OSP_EVT_BIND, 100, 100);
	record_add_s64(&b, 0);
	record_add_s64(&b, 32);
	{
		uint8_t a[OSP_SOCKADDR_INET6_LEN] = {OSP_AF_INET6};
		uint16_t port = 8443;

		memcpy(a + 17, &port, 2);
		record_add_bytes(&b, a, sizeof(a), 200);
	}
	feed();
	begin(OSP_EVT_LISTEN, 100, 100);
	record_add_s64(&b, 0);
	record_add_s64(&b, 32);
	record_add_u32(&b, 128);
	feed();
	fd = state_fd_get(state_thread_get(st, 100), 32);
	CHECK(fd && fd->lport == 8443 && (fd->role & STATE_FD_SERVER));
	state_fd_format_name(fd, name, sizeof(name));
	CHECK_STR_EQ(name, ":::8443");
	begin(OSP_EVT_ACCEPT4, 100, 100);
	record_add_s64(&b, 33);
	record_add_bytes(&b, t, tuple6(t, "2001:db8::1", 8443, "2001:db8::99", 60000), 200);
	record_add_u32(&b, O_CLOEXEC_K);
	feed();
	fd = state_fd_get(state_thread_get(st, 100), 33);
	CHECK(fd && fd->type == OSP_FD_TYPE_IPV6_SOCK && (fd->role & STATE_FD_SERVER));
	state_fd_format_name(fd, name, sizeof(name));
	CHECK_STR_EQ(name, "2001:db8::99:60000->2001:db8::1:8443");
	CHECK_STR_EQ(state_fd_l4proto(fd), "tcp");
	/* unix: socketpair, connect to a path */
	begin(OSP_EVT_SOCKETPAIR, 100, 100);
	record_add_s64(&b, 0);
	record_add_u32(&b, OSP_AF_UNIX);
	record_add_u32(&b, 1);
	record_add_u32(&b, 0);
	record_add_s64(&b, 34);
	record_add_s64(&b, 35);
	feed();
	CHECK_INT_EQ(state_fd_get(state_thread_get(st, 100), 35)->type, OSP_FD_TYPE_UNIX_SOCK);
	sys_socket(100, 36, OSP_AF_UNIX, 1, 0);
	t[0] = OSP_AF_UNIX;
	memcpy(t + 1, "/run/docker.sock", 17);
	sys_connect(100, 0, 36, t, 18);
	CHECK_STR_EQ(fd_name(100, 36), "/run/docker.sock");
	/* pipes, memfd, userfaultfd, io_uring */
	begin(OSP_EVT_PIPE2, 100, 100);
	record_add_s64(&b, 0);
	record_add_s64(&b, 37);
	record_add_s64(&b, 38);
	record_add_u32(&b, O_CLOEXEC_K);
	feed();
	fd = state_fd_get(state_thread_get(st, 100), 38);
	CHECK(fd && fd->type == OSP_FD_TYPE_PIPE && (fd->flags & O_CLOEXEC_K));
	begin(OSP_EVT_PIPE, 100, 100);
	record_add_s64(&b, 0);
	record_add_s64(&b, 39);
	record_add_s64(&b, 40);
	feed();
	CHECK_INT_EQ(state_fd_get(state_thread_get(st, 100), 39)->type, OSP_FD_TYPE_PIPE);
	begin(OSP_EVT_MEMFD_CREATE, 100, 100);
	record_add_s64(&b, 41);
	record_add_str(&b, "payload", 100);
	record_add_u32(&b, 1);
	feed();
	fd = state_fd_get(state_thread_get(st, 100), 41);
	CHECK(fd && fd->type == OSP_FD_TYPE_MEMFD && (fd->flags & O_CLOEXEC_K));
	CHECK_STR_EQ(fd_name(100, 41), "memfd:payload");
	begin(OSP_EVT_USERFAULTFD, 100, 100);
	record_add_s64(&b, 42);
	record_add_u32(&b, 0);
	feed();
	CHECK_INT_EQ(state_fd_get(state_thread_get(st, 100), 42)->type, OSP_FD_TYPE_EVENT);
	begin(OSP_EVT_IO_URING_SETUP, 100, 100);
	record_add_s64(&b, 43);
	record_add_u32(&b, 8);
	record_add_u32(&b, 0);
	feed();
	CHECK_INT_EQ(state_fd_get(state_thread_get(st, 100), 43)->type, OSP_FD_TYPE_EVENT);
	/* a long name goes to the heap and back */
	{
		char longp[300];

		memset(longp, 'x', sizeof(longp) - 1);
		longp[0] = '/';
		longp[sizeof(longp) - 1] = '\0';
		sys_openat(100, 44, AT_FDCWD_K, longp, 0);
		CHECK_STR_EQ(fd_name(100, 44), longp);
		sys_dup(OSP_EVT_DUP, 100, 45, 44, 0, 0);
		CHECK_STR_EQ(fd_name(100, 45), longp);
	}
	/* close, including a failed close of an unknown fd */
	sys_fd1(OSP_EVT_CLOSE, 100, 0, 45);
	sys_fd1(OSP_EVT_CLOSE, 100, -EBADF, 12345);
	CHECK_STR_EQ(fd_name(100, 45), "(no fd)");
	th = state_thread_get(st, 100);
	CHECK(th && th->proc->fds.count > 20);
}

static void test_fork_exec_exit(void)
{
	static const char ls_args[] = "ls\0-la\0/tmp\0";
	struct state_thread *c, *p, *w, *r;
	struct state_stats s0, s1;
	struct desc d = {
		.exe = "/usr/bin/ls",
		.args = ls_args,
		.args_len = sizeof(ls_args) - 1,
		.cwd = "/tmp",
		.comm = "ls",
		.ppid = 100,
		.sid = 100,
		.uid = 1000,
		.gid = 1000,
		.euid = 1000,
		.egid = 1000,
		.loginuid = 1000,
		.cgroup = "/system.slice/docker-" ID64 ".scope",
		.start_ts = 5000,
		.exe_flags = OSP_EXE_UPPER_LAYER,
	};

	state_get_stats(st, &s0);
	p = state_thread_get(st, 100);
	c = fork_event(200, 200, 100, 100, 0);
	CHECK(c != NULL);
	if (!c || !p)
		return;
	/* the child inherits the description, credentials and fds */
	CHECK(c->proc != p->proc);
	CHECK(c->proc->image == p->proc->image);
	CHECK_STR_EQ(c->proc->image->exe, "-bash");
	CHECK_STR_EQ(c->comm, "bash");
	CHECK_STR_EQ(c->proc->cwd->s, "/etc");
	CHECK_INT_EQ(c->proc->ppid, 100);
	CHECK_INT_EQ(c->proc->loginuid, 1000);
	CHECK_INT_EQ(c->cap_eff, p->cap_eff);
	CHECK_STR_EQ(fd_name(200, 1), "/var/log/syslog");
	CHECK_STR_EQ(fd_name(200, 22), "/var/log/syslog");
	CHECK_INT_EQ(c->proc->fds.count, p->proc->fds.count);
	CHECK(state_thread_parent(st, c) == p);
	CHECK(state_thread_ancestor(st, c, 3) == state_thread_get(st, 1));
	/* a thread of the child shares its fds both ways */
	w = fork_event(201, 200, 200, 100, OSP_FORK_THREAD);
	CHECK(w && w->proc == state_thread_get(st, 200)->proc);
	sys_openat(201, 50, AT_FDCWD_K, "by-thread", 0);
	CHECK_STR_EQ(fd_name(200, 50), "/etc/by-thread");
	CHECK_INT_EQ(state_proc_nthreads(w->proc), 2);

	/* credentials: setresuid, setreuid, setuid as root then not, setgid, capset, prctl */
	sys_ids(OSP_EVT_SETRESUID, 200, 0, 1000, 1000, 1000);
	c = state_thread_get(st, 200);
	CHECK(c->uid == 1000 && c->euid == 1000);
	CHECK_INT_EQ(c->cap_eff, 0); /* euid left 0 */
	CHECK(w->euid == 0);	     /* per thread */
	sys_ids(OSP_EVT_SETREUID, 201, 0, UINT32_MAX, 33, 0);
	CHECK(w->uid == 0 && w->euid == 33);
	sys_ids(OSP_EVT_SETUID, 201, -EPERM, 5, 0, 0);
	CHECK(w->euid == 33);
	sys_ids(OSP_EVT_SETGID, 201, 0, 44, 0, 0);
	CHECK(w->egid == 44);
	sys_ids(OSP_EVT_SETRESGID, 201, 0, 45, 46, 47);
	CHECK(w->gid == 45 && w->egid == 46);
	begin(OSP_EVT_CAPSET, 201, 200);
	record_add_s64(&b, 0);
	record_add_u64(&b, 1);
	record_add_u64(&b, 2);
	record_add_u64(&b, 3);
	feed();
	CHECK(w->cap_inh == 1 && w->cap_prm == 2 && w->cap_eff == 3);
	begin(OSP_EVT_PRCTL, 201, 200);
	record_add_s64(&b, 0);
	record_add_u32(&b, 15);
	record_add_str(&b, "renamed-thread", 17);
	record_add_s64(&b, 0);
	feed();
	CHECK_STR_EQ(w->comm, "renamed-thread");
	CHECK_STR_EQ(state_thread_get(st, 200)->comm, "bash");

	/* exec from the non-leader thread 201: it becomes 200, its own tid is gone */
	d.old_tid = 201;
	c = proc_event(OSP_EVT_PROC_EXEC, 200, 200, &d);
	CHECK(c != NULL && state_thread_get(st, 201) == NULL);
	if (!c)
		return;
	CHECK_STR_EQ(c->proc->image->exepath, "/usr/bin/ls");
	CHECK_STR_EQ(c->proc->image->exe, "ls");
	CHECK_STR_EQ(c->proc->image->args, "-la /tmp");
	CHECK_INT_EQ(c->proc->image->argc, 3);
	CHECK_STR_EQ(c->proc->cwd->s, "/tmp");
	CHECK_STR_EQ(c->comm, "ls");
	CHECK_STR_EQ(c->proc->image->container_id, "3ad7b26ded6d");
	CHECK_STR_EQ(c->proc->image->container_full_id, ID64);
	CHECK(c->proc->image->exe_flags & OSP_EXE_UPPER_LAYER);
	CHECK_INT_EQ(state_proc_nthreads(c->proc), 1);
	/* close-on-exec fds are gone, the others stay */
	CHECK_STR_EQ(fd_name(200, 22), "(no fd)");
	CHECK_STR_EQ(fd_name(200, 23), "(no fd)");
	CHECK_STR_EQ(fd_name(200, 30), "(no fd)");
	CHECK_STR_EQ(fd_name(200, 1), "/var/log/syslog");
	CHECK_STR_EQ(fd_name(200, 50), "/etc/by-thread");
	/* the parent keeps its own image */
	CHECK_STR_EQ(state_thread_get(st, 100)->proc->image->exe, "-bash");
	CHECK_STR_EQ(fd_name(100, 22), "/var/log/syslog");
	/* container processes' names come from their container: none readable here */
	CHECK_STR_EQ(state_user_name(st, c, 1000), "");

	/* a grandchild, and the exit sequence */
	fork_event(300, 300, 200, 200, OSP_FORK_VFORK);
	CHECK(state_thread_ancestor(st, state_thread_get(st, 300), 4) == state_thread_get(st, 1));
	r = exit_event(300, 300, OSP_EXIT_GROUP_DEAD);
	CHECK(r != NULL && (r->flags & STATE_THREAD_EXITED));
	/* still readable while the exit event is evaluated */
	CHECK(state_thread_get(st, 300) == r);
	CHECK_STR_EQ(r->proc->image->exe, "ls");
	/* ... and gone once the next event is processed */
	sys_fd1(OSP_EVT_CLOSE, 100, -EBADF, 999);
	CHECK(state_thread_get(st, 300) == NULL);

	/* a leader that exits before its thread stays until the group is dead */
	fork_event(210, 200, 200, 100, OSP_FORK_THREAD);
	exit_event(200, 200, 0);
	sys_fd1(OSP_EVT_CLOSE, 210, -EBADF, 999);
	c = state_thread_get(st, 200);
	CHECK(c != NULL && (c->flags & STATE_THREAD_EXITED));
	CHECK(state_thread_get(st, 210) != NULL);
	exit_event(210, 200, OSP_EXIT_GROUP_DEAD);
	CHECK(state_thread_get(st, 210) != NULL);
	sys_fd1(OSP_EVT_CLOSE, 100, -EBADF, 999);
	CHECK(state_thread_get(st, 210) == NULL);
	CHECK(state_thread_get(st, 200) == NULL);

	state_get_stats(st, &s1);
	CHECK_INT_EQ(s1.threads, s0.threads);
	CHECK_INT_EQ(s1.procs, s0.procs);
	CHECK_INT_EQ(s1.fds, s0.fds);
	CHECK_INT_EQ(s1.images, s0.images);
	CHECK(s1.threads_exited >= s0.threads_exited + 3);
}

static void test_unknown_and_reuse(void)
{
	struct state_thread *t;
	struct state_stats s0, s1;

	state_get_stats(st, &s0);
	/* a syscall from a thread never seen: tracked, flagged incomplete */
	sys_openat(777, 3, AT_FDCWD_K, "/etc/hosts", 0);
	t = state_thread_get(st, 777);
	CHECK(t && (t->flags & STATE_THREAD_INCOMPLETE));
	CHECK_STR_EQ(fd_name(777, 3), "/etc/hosts");
	sys_openat(777, 4, AT_FDCWD_K, "relative", 0);
	CHECK_STR_EQ(fd_name(777, 4), "relative");
	/* its tid reused by a fork (its exit was lost): the old entry is replaced */
	t = fork_event(777, 777, 100, 100, 0);
	CHECK(t && !(t->flags & STATE_THREAD_INCOMPLETE));
	CHECK_INT_EQ(state_fd_get(t, 4)->type, OSP_FD_TYPE_IPV4_SOCK); /* bash's socket */
	CHECK_STR_EQ(fd_name(777, 3), "/etc");			       /* inherited from bash */
	/* a fork whose parent is unknown */
	t = fork_event(888, 888, 5555, 5555, 0);
	CHECK(t && (t->flags & STATE_THREAD_INCOMPLETE) && t->proc->ppid == 5555);
	CHECK_STR_EQ(t->proc->image->container_id, "host");
	state_get_stats(st, &s1);
	CHECK_INT_EQ(s1.threads_incomplete, s0.threads_incomplete + 1);
	CHECK_INT_EQ(s1.threads_replaced, s0.threads_replaced + 1);
	CHECK_INT_EQ(s1.forks_unknown_parent, s0.forks_unknown_parent + 1);
	/* 888's parent pid 5555 now used by a process started after it: not its parent */
	fork_event(5555, 5555, 100, 100, 0);
	CHECK(state_thread_get(st, 5555) != NULL);
	CHECK(state_thread_parent(st, t) == NULL);
	exit_event(5555, 5555, OSP_EXIT_GROUP_DEAD);
	exit_event(777, 777, OSP_EXIT_GROUP_DEAD);
	exit_event(888, 888, OSP_EXIT_GROUP_DEAD);
}

static void write_file(const char *rel, const void *content, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", host_root, rel);
	f = fopen(path, "we");
	CHECK(f != NULL);
	if (f) {
		CHECK(fwrite(content, 1, len, f) == len);
		fclose(f);
	}
}

static void make_dir(const char *rel);

/* A thread whose fork was lost is described from <host_root>/proc when first seen. */
static void test_procfs_fill(void)
{
	static const char status[] = "Name:\tng) x\nUmask:\t0022\nState:\tS (sleeping)\n"
				     "Tgid:\t7000\nPid:\t7000\nPPid:\t1\nTracerPid:\t0\n"
				     "Uid:\t33\t34\t33\t33\nGid:\t35\t36\t35\t35\n"
				     "NStgid:\t7000\t12\nNSpid:\t7000\t12\n"
				     "CapInh:\t0000000000000000\nCapPrm:\t00000000000000ff\n"
				     "CapEff:\t00000000000000fe\n";
	static const char stat[] = "7000 (ng) x) S 1 7000 6999 34817 -1 4194560 0 0 0 0 0 0 0 "
				   "0 20 0 1 0 12345 1000 100\n";
	static const char cmdline[] = "nginx\0-g\0daemon off;\0";
	static const char cgroup[] =
		"12:memory:/docker/" ID64 "\n0::/system.slice/docker-" ID64 ".scope\n";
	char path[512];
	struct state_thread *t;
	struct state_stats s;

	make_dir("proc/7000");
	make_dir("proc/7000/task");
	make_dir("proc/7000/task/7000");
	write_file("proc/7000/task/7000/status", status, sizeof(status) - 1);
	write_file("proc/7000/task/7000/stat", stat, sizeof(stat) - 1);
	write_file("proc/7000/cmdline", cmdline, sizeof(cmdline) - 1);
	write_file("proc/7000/environ", "A=1\0B=2\0", 8);
	write_file("proc/7000/loginuid", "4294967295", 10);
	write_file("proc/7000/cgroup", cgroup, sizeof(cgroup) - 1);
	snprintf(path, sizeof(path), "%s/proc/7000/exe", host_root);
	CHECK(symlink("/usr/sbin/nginx", path) == 0);
	snprintf(path, sizeof(path), "%s/proc/7000/cwd", host_root);
	CHECK(symlink("/var/www", path) == 0);

	sys_openat(7000, 5, AT_FDCWD_K, "index.html", 0);
	t = state_thread_get(st, 7000);
	CHECK(t != NULL);
	if (!t)
		return;
	CHECK((t->flags & STATE_THREAD_PROCFS) && !(t->flags & STATE_THREAD_INCOMPLETE));
	CHECK_STR_EQ(t->proc->image->exepath, "/usr/sbin/nginx");
	CHECK_STR_EQ(t->proc->image->exe, "nginx");
	CHECK_STR_EQ(t->proc->image->args, "-g daemon off;");
	CHECK_STR_EQ(t->proc->cwd->s, "/var/www");
	CHECK_STR_EQ(t->comm, "ng) x");
	CHECK_INT_EQ(t->proc->ppid, 1);
	CHECK_INT_EQ(t->proc->sid, 6999);
	CHECK_INT_EQ(t->proc->tty, (136u << 20) | 1);
	CHECK_INT_EQ(t->proc->start_ts,
		     12345ull * (1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK)));
	CHECK_INT_EQ(t->proc->loginuid, UINT32_MAX);
	CHECK_INT_EQ(t->proc->vpid, 12);
	CHECK_INT_EQ(t->vtid, 12);
	CHECK(t->uid == 33 && t->euid == 34 && t->gid == 35 && t->egid == 36);
	CHECK(t->cap_prm == 0xff && t->cap_eff == 0xfe);
	CHECK_STR_EQ(t->proc->image->cgroup, "/system.slice/docker-" ID64 ".scope");
	CHECK_STR_EQ(t->proc->image->container_id, "3ad7b26ded6d");
	CHECK(state_proc_env(t->proc, "B", NULL) != NULL);
	/* the relative open was resolved against the cwd read from /proc */
	CHECK_STR_EQ(fd_name(7000, 5), "/var/www/index.html");
	state_get_stats(st, &s);
	CHECK(s.procfs_reads >= 1);
	exit_event(7000, 7000, OSP_EXIT_GROUP_DEAD);
}

static void test_purge(void)
{
	unsigned n;
	struct state_stats s0, s1;

	/* 1, 50, 100 and 101 have /proc entries in the fake root; 900 and 901 do not */
	fork_event(900, 900, 100, 100, 0);
	fork_event(901, 900, 900, 100, OSP_FORK_THREAD);
	state_get_stats(st, &s0);
	n = state_purge(st, ts + 1000); /* nobody idle long enough */
	CHECK_INT_EQ(n, 0);
	n = state_purge(st, ts + 10ull * 60 * 1000000000ull);
	CHECK_INT_EQ(n, 2);
	CHECK(state_thread_get(st, 900) == NULL && state_thread_get(st, 901) == NULL);
	CHECK(state_thread_get(st, 100) != NULL && state_thread_get(st, 1) != NULL);
	state_get_stats(st, &s1);
	CHECK_INT_EQ(s1.threads_purged, s0.threads_purged + 2);
	/* the survivors were checked: not looked at again until idle again */
	CHECK_INT_EQ(state_purge(st, ts + 11ull * 60 * 1000000000ull), 0);
}

static void test_caps(void)
{
	struct state_opts o = {.host_root = host_root,
			       .max_threads = 8,
			       .max_fds_per_proc = 4,
			       .max_fds_total = 6};
	struct state *saved = st;
	struct state_stats s;

	CHECK_INT_EQ(state_new(&o, &st), 0);
	for (uint32_t i = 0; i < 12; i++)
		fork_event(1000 + i, 1000 + i, 1, 1, 0);
	state_get_stats(st, &s);
	CHECK_INT_EQ(s.threads, 8);
	CHECK_INT_EQ(s.threads_dropped, 4);
	CHECK(state_thread_get(st, 1011) == NULL);
	for (int64_t fd = 0; fd < 6; fd++)
		sys_openat(1000, fd, AT_FDCWD_K, "/f", 0);
	state_get_stats(st, &s);
	CHECK_INT_EQ(s.fds, 4);
	CHECK_INT_EQ(s.fds_dropped, 2);
	CHECK_INT_EQ(state_thread_get(st, 1000)->proc->fds_dropped, 2);
	for (int64_t fd = 0; fd < 4; fd++)
		sys_openat(1001, fd, AT_FDCWD_K, "/g", 0);
	state_get_stats(st, &s);
	CHECK_INT_EQ(s.fds, 6);
	CHECK_INT_EQ(s.fds_dropped, 4);
	/* a fork copies within the caps */
	exit_event(1007, 1007, OSP_EXIT_GROUP_DEAD);
	fork_event(1020, 1020, 1000, 1, 0);
	CHECK(state_thread_get(st, 1020) != NULL);
	state_get_stats(st, &s);
	CHECK_INT_EQ(s.fds, 6);
	/* closing frees room */
	sys_fd1(OSP_EVT_CLOSE, 1001, 0, 0);
	sys_openat(1020, 9, AT_FDCWD_K, "/h", 0);
	CHECK_STR_EQ(fd_name(1020, 9), "/h");
	state_free(st);
	st = saved;
}

/*
 * Random but well-formed events of every type, from a few threads, with hostile values
 * (negative and huge fds, "..", empty and long strings, odd tuples): nothing may crash and
 * the counts must stay consistent. Run under ASan/UBSan in CI.
 */
static void test_random(void)
{
	static const char *strs[] = {"",
				     "/",
				     "..",
				     "../../..",
				     "a/b/../../..",
				     "//x//y/",
				     "relative/file",
				     "/etc/passwd",
				     "."};
	struct state_opts o = {.host_root = host_root,
			       .max_threads = 64,
			       .max_fds_per_proc = 32,
			       .max_fds_total = 512};
	struct state *saved = st;
	struct state_stats s;
	char longs[3000];
	uint64_t seed = 12345;

	memset(longs, 'z', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	CHECK_INT_EQ(state_new(&o, &st), 0);
	for (unsigned i = 0; i < 200000; i++) {
		uint16_t type;
		const struct osp_event_info *info;
		uint32_t tid, pid;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		type = (uint16_t)((seed >> 33) % OSP_EVT_COUNT);
		info = event_info(type);
		if (!info)
			continue;
		pid = 200 + (uint32_t)((seed >> 20) % 40);
		tid = (seed >> 50) % 3 ? pid : pid + 1000;
		record_begin(&b, buf, sizeof(buf), type, ts++, tid, pid, info->nparams);
		for (unsigned j = 0; j < info->nparams; j++) {
			uint8_t pt = info->params[j].type;
			uint64_t r;

			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			r = seed >> 24;
			switch (pt) {
			case OSP_PT_CHARBUF:
			case OSP_PT_PATH:
			case OSP_PT_FSRELPATH:
				record_add_str(&b, r % 50 == 0 ? longs : strs[r % ARRAY_SIZE(strs)],
					       OSP_STR_MAX);
				break;
			case OSP_PT_CHARBUF_ARRAY:
			case OSP_PT_BYTEBUF:
				record_add_bytes(&b, "a\0bb\0ccc", r % 9, 100);
				break;
			case OSP_PT_SOCKADDR:
			case OSP_PT_SOCKTUPLE: {
				uint8_t tu[40];

				for (unsigned k = 0; k < sizeof(tu); k++)
					tu[k] = (uint8_t)(r >> (k % 32));
				tu[0] = (uint8_t[]){1, 2, 10, 17, 0}[r % 5];
				record_add_bytes(&b, tu, r % sizeof(tu), 200);
				break;
			}
			default:
				if (osp_param_type_size(pt) == 8) {
					/* small fds and results mostly, sometimes negative or huge
					 */
					int64_t v = (int64_t)(r % 64) - 8;

					if (r % 97 == 0)
						v = (int64_t)r;
					if (j == 0 && r % 7 == 0)
						v = -2;
					if (pt == OSP_PT_PID && info->category == OSP_CAT_PROCESS)
						v = 200 + (int64_t)(r % 40);
					record_add_s64(&b, v);
				} else if (osp_param_type_size(pt) == 4) {
					record_add_u32(&b, (uint32_t)(r % 5 == 0 ? r : r % 16));
				} else {
					record_add_empty(&b);
				}
				break;
			}
		}
		feed();
		if (i % 20000 == 0)
			state_purge(st, ts + (i % 40000 ? 0 : 3600ull * 1000000000ull));
	}
	state_purge(st, ts);
	state_get_stats(st, &s);
	CHECK(s.threads <= 64);
	CHECK(s.fds <= 512);
	printf("random events: threads %llu procs %llu fds %llu images %llu, dropped threads %llu "
	       "fds %llu, replaced %llu, incomplete %llu\n",
	       (unsigned long long)s.threads, (unsigned long long)s.procs,
	       (unsigned long long)s.fds, (unsigned long long)s.images,
	       (unsigned long long)s.threads_dropped, (unsigned long long)s.fds_dropped,
	       (unsigned long long)s.threads_replaced, (unsigned long long)s.threads_incomplete);
	state_free(st);
	st = saved;
}

/* 100,000 short-lived processes: every object returns. */
static void test_churn(void)
{
	struct state_stats s0, s1;
	static const char args[] = "true\0";
	struct desc d = {.exe = "/usr/bin/true",
			 .args = args,
			 .args_len = sizeof(args) - 1,
			 .cwd = "/tmp",
			 .comm = "true",
			 .ppid = 100};

	state_get_stats(st, &s0);
	for (uint32_t i = 0; i < 100000; i++) {
		uint32_t pid = 100000 + (i % 30000);

		fork_event(pid, pid, 100, 100, 0);
		proc_event(OSP_EVT_PROC_EXEC, pid, pid, &d);
		sys_openat(pid, 3, AT_FDCWD_K, "/etc/ld.so.cache", O_CLOEXEC_K);
		sys_fd1(OSP_EVT_CLOSE, pid, 0, 3);
		exit_event(pid, pid, OSP_EXIT_GROUP_DEAD);
	}
	state_purge(st, ts);
	state_get_stats(st, &s1);
	CHECK_INT_EQ(s1.threads, s0.threads);
	CHECK_INT_EQ(s1.procs, s0.procs);
	CHECK_INT_EQ(s1.fds, s0.fds);
	CHECK_INT_EQ(s1.images, s0.images);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Throughput: a synthetic stream shaped like a busy node (mostly file and network syscalls
 * from long-lived threads, a process start and end every 50 events), decoded once, then fed
 * to state_process_event() repeatedly. Printed, not asserted.
 */
static void bench(void)
{
	enum { NEV = 50000, ROUNDS = 40 };
	struct event *evs = calloc(NEV, sizeof(*evs));
	uint8_t *pool = malloc((size_t)NEV * 512);
	size_t used = 0;
	unsigned nev = 0;
	double t0, dt;
	static const char args[] = "curl\0-s\0https://example.com\0";
	uint8_t tu[64];

	CHECK(evs && pool);
	if (!evs || !pool) {
		free(evs);
		free(pool);
		return;
	}
	for (unsigned i = 0; i < NEV; i++) {
		uint32_t child = 60000 + (i / 50) % 1000;
		unsigned k = i % 50;
		int r;

		if (k == 0) {
			record_begin(&b, pool + used, 512, OSP_EVT_PROC_FORK, ts++, child, child,
				     OSP_FORK_NPARAMS);
			record_add_s64(&b, 100);
			record_add_s64(&b, 100);
			record_add_s64(&b, child);
			record_add_s64(&b, child);
			record_add_u32(&b, 0);
			record_add_u32(&b, 0);
		} else if (k == 1) {
			record_begin(&b, pool + used, 512, OSP_EVT_PROC_EXEC, ts++, child, child,
				     OSP_EXEC_NPARAMS);
			record_add_str(&b, "/usr/bin/curl", 64);
			record_add_str(&b, "/usr/bin/curl", 64);
			record_add_bytes(&b, args, sizeof(args) - 1, 64);
			record_add_str(&b, "/root", 64);
			record_add_bytes(&b, "A=1", 4, 64);
			record_add_str(&b, "curl", 17);
			record_add_s64(&b, 100);
			for (unsigned j = 7; j < OSP_EXEC_NPARAMS; j++) {
				uint8_t pt = event_info(OSP_EVT_PROC_EXEC)->params[j].type;

				if (pt == OSP_PT_PATH)
					record_add_str(&b, "/user.slice", 64);
				else if (osp_param_type_size(pt) == 8)
					record_add_u64(&b, j == OSP_EXEC_P_OLD_TID ? child : 0);
				else
					record_add_u32(&b, 0);
			}
		} else if (k == 49) {
			record_begin(&b, pool + used, 512, OSP_EVT_PROC_EXIT, ts++, child, child,
				     OSP_EXIT_NPARAMS);
			record_add_u32(&b, 0);
			record_add_u32(&b, OSP_EXIT_GROUP_DEAD);
		} else if (k % 3 == 0) {
			record_begin(&b, pool + used, 512, OSP_EVT_OPENAT, ts++, child, child, 5);
			record_add_s64(&b, 3);
			record_add_s64(&b, AT_FDCWD_K);
			record_add_str(&b, "lib/x86_64-linux-gnu/libc.so.6", 64);
			record_add_u32(&b, O_CLOEXEC_K);
			record_add_u32(&b, 0);
		} else if (k % 3 == 1) {
			record_begin(&b, pool + used, 512, OSP_EVT_CLOSE, ts++, child, child, 2);
			record_add_s64(&b, 0);
			record_add_s64(&b, 3);
		} else if (k % 7 == 0) {
			record_begin(&b, pool + used, 512, OSP_EVT_CONNECT, ts++, child, child, 3);
			record_add_s64(&b, 0);
			record_add_s64(&b, 4);
			record_add_bytes(&b, tu, tuple4(tu, "10.0.0.2", 40000, "1.2.3.4", 443), 64);
		} else {
			/* events that change no state: the common case on a real node */
			record_begin(&b, pool + used, 512, OSP_EVT_MPROTECT, ts++, 100, 100, 4);
			record_add_s64(&b, 0);
			record_add_u64(&b, 0x7f0000000000ull);
			record_add_u64(&b, 4096);
			record_add_u32(&b, 4);
		}
		r = record_end(&b);
		CHECK(r > 0);
		if (r <= 0 || event_decode(pool + used, (size_t)r, &evs[i]) < 0) {
			CHECK(0);
			break;
		}
		used += (size_t)r;
		nev++;
	}
	t0 = now_s();
	for (unsigned round = 0; round < ROUNDS; round++)
		for (unsigned i = 0; i < nev; i++)
			state_process_event(st, &evs[i]);
	dt = now_s() - t0;
	printf("state_process_event: %u events in %.3f s = %.2f M events/s "
	       "(2%% fork, 2%% exec, 2%% exit, 32%% openat, 32%% close, the rest connect/no-op)\n",
	       nev * ROUNDS, dt, nev * ROUNDS / dt / 1e6);
	free(evs);
	free(pool);
}

/*
 * With a capture file argument (osprey capture -w): the file is read twice, once alone and
 * once through a fresh state, and the state's share of the time is printed.
 */
static int replay(const char *path)
{
	struct capture_opts o = {.source = CAPTURE_SOURCE_FILE, .path = path};
	double t_read = 0, t_both = 0;
	uint64_t n = 0;
	struct state_stats s;

	for (int pass = 0; pass < 2; pass++) {
		struct capture *c = NULL;
		struct state *rs = NULL;
		const char *why = NULL;
		struct event e;
		double t0;
		int r;

		r = capture_open(&o, &c, &why);
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", path, why ? why : strerror(-r));
			return 1;
		}
		if (pass == 1 && state_new(NULL, &rs) < 0)
			return 1;
		n = 0;
		t0 = now_s();
		while ((r = capture_next(c, &e)) == 0) {
			if (rs)
				state_process_event(rs, &e);
			n++;
		}
		if (pass == 0)
			t_read = now_s() - t0;
		else
			t_both = now_s() - t0;
		if (rs) {
			state_get_stats(rs, &s);
			state_free(rs);
		}
		capture_close(c);
	}
	printf("%s: %llu events; read %.3f s, read + state %.3f s: state_process_event %.2f M "
	       "events/s\n",
	       path, (unsigned long long)n, t_read, t_both,
	       t_both > t_read ? n / (t_both - t_read) / 1e6 : 0.0);
	printf("state after replay: threads %llu procs %llu fds %llu images %llu, exited %llu, "
	       "incomplete %llu, procfs reads %llu failed %llu skipped %llu\n",
	       (unsigned long long)s.threads, (unsigned long long)s.procs,
	       (unsigned long long)s.fds, (unsigned long long)s.images,
	       (unsigned long long)s.threads_exited, (unsigned long long)s.threads_incomplete,
	       (unsigned long long)s.procfs_reads, (unsigned long long)s.procfs_failed,
	       (unsigned long long)s.procfs_skipped);
	return 0;
}

static void make_dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", host_root, rel);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		perror(path);
}

int main(int argc, char **argv)
{
	struct state_opts o = {.host_root = host_root};
	char path[512], cmd[600];
	FILE *f;

	if (argc > 1)
		return replay(argv[1]);
	if (!mkdtemp(host_root))
		return 1;
	make_dir("etc");
	make_dir("proc");
	make_dir("proc/1");
	make_dir("proc/50");
	make_dir("proc/100");
	make_dir("proc/101");
	snprintf(path, sizeof(path), "%s/etc/passwd", host_root);
	f = fopen(path, "we");
	if (f) {
		fputs("root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/zsh\n",
		      f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/etc/group", host_root);
	f = fopen(path, "we");
	if (f) {
		fputs("root:x:0:\n", f);
		fclose(f);
	}

	CHECK_INT_EQ(state_new(&o, &st), 0);
	seed_snapshot();
	test_snapshot();
	test_paths();
	test_fds();
	test_fork_exec_exit();
	test_unknown_and_reuse();
	test_procfs_fill();
	test_purge();
	test_caps();
	test_random();
	test_churn();
	{
		uint8_t interest[OSP_EVT_COUNT] = {0};

		CHECK(state_interest_add(interest) > 30);
		CHECK(interest[OSP_EVT_OPENAT] && interest[OSP_EVT_PROC_EXIT] &&
		      interest[OSP_EVT_CAPSET] && !interest[OSP_EVT_KILL]);
	}
	bench();
	{
		struct state_stats s;

		state_get_stats(st, &s);
		printf("threads %llu procs %llu fds %llu images %llu; exited %llu purged %llu "
		       "replaced %llu incomplete %llu dropped threads %llu fds %llu\n",
		       (unsigned long long)s.threads, (unsigned long long)s.procs,
		       (unsigned long long)s.fds, (unsigned long long)s.images,
		       (unsigned long long)s.threads_exited, (unsigned long long)s.threads_purged,
		       (unsigned long long)s.threads_replaced,
		       (unsigned long long)s.threads_incomplete,
		       (unsigned long long)s.threads_dropped, (unsigned long long)s.fds_dropped);
	}
	state_free(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", host_root);
	CHECK(system(cmd) == 0);
	return test_finish("test-state");
}
