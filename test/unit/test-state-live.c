// SPDX-License-Identifier: Apache-2.0
/*
 * State tracking on the live eBPF probe: the snapshot and then every event go into a state;
 * a child changes directory, opens a file by a relative name, connects a TCP socket to a
 * listener of ours and execs /bin/true with arguments. The state's view of the child is
 * checked when its exec is processed (exe, args, cwd, parent, fds with path and tuple), while
 * its exit is processed (still readable) and after (gone). Skips (77) without root or BTF.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "state.h"
#include "test.h"

#define CHILD_FILE_FD 50
#define CHILD_SOCK_FD 51

static char dir[] = "/tmp/osprey-state-live-XXXXXX";

struct seen {
	bool exec, exec_checked, exit, gone;
	bool open_seen, connect_seen;
	char exe[64], exepath[256], args[256], cwd[256], comm[32], parent_comm[32];
	char file_name[512], sock_name[128];
	uint32_t ppid;
	uint8_t file_type, sock_type;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "(null)");
}

/* The child: everything it does is what the state must show afterwards. */
static _Noreturn void child_main(uint16_t port, int go_fd)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	char c;
	int fd, s;

	/* Wait for the parent to be reading events. */
	if (read(go_fd, &c, 1) != 1)
		_exit(2);
	close(go_fd);
	if (chdir(dir) < 0)
		_exit(3);
	fd = open("./sub/../data.txt", O_RDONLY); /* relative, kept across exec */
	if (fd < 0 || dup2(fd, CHILD_FILE_FD) < 0)
		_exit(4);
	close(fd);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || dup2(s, CHILD_SOCK_FD) < 0)
		_exit(5);
	close(s);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (connect(CHILD_SOCK_FD, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		_exit(6);
	execl("/bin/true", "true", "state-live-arg1", "arg2", (char *)NULL);
	_exit(7);
}

static void on_event(struct state *st, const struct event *ev, pid_t child, struct seen *w)
{
	struct state_thread *t = state_process_event(st, ev);

	if (w->exit && !w->gone && !state_thread_get(st, (uint32_t)child))
		w->gone = true;
	if (ev->hdr->pid != (uint32_t)child || !t)
		return;
	switch (ev->hdr->type) {
	case OSP_EVT_OPEN:
	case OSP_EVT_OPENAT:
		w->open_seen = true;
		break;
	case OSP_EVT_CONNECT:
		w->connect_seen = true;
		break;
	case OSP_EVT_PROC_EXEC: {
		struct state_thread *p = state_thread_parent(st, t);
		struct state_fd *fd;

		w->exec = true;
		copy(w->exe, sizeof(w->exe), t->proc->image->exe);
		copy(w->exepath, sizeof(w->exepath), t->proc->image->exepath);
		copy(w->args, sizeof(w->args), t->proc->image->args);
		copy(w->cwd, sizeof(w->cwd), t->proc->cwd->s);
		copy(w->comm, sizeof(w->comm), t->comm);
		w->ppid = t->proc->ppid;
		copy(w->parent_comm, sizeof(w->parent_comm), p ? p->comm : NULL);
		fd = state_fd_get(t, CHILD_FILE_FD);
		if (fd) {
			copy(w->file_name, sizeof(w->file_name), fd->name);
			w->file_type = fd->type;
		}
		fd = state_fd_get(t, CHILD_SOCK_FD);
		if (fd) {
			state_fd_format_name(fd, w->sock_name, sizeof(w->sock_name));
			w->sock_type = fd->type;
		}
		w->exec_checked = true;
		break;
	}
	case OSP_EVT_PROC_EXIT:
		if (ev->hdr->tid == (uint32_t)child) {
			/* readable while the exit is evaluated */
			w->exit = true;
			CHECK(state_thread_get(st, (uint32_t)child) == t);
			CHECK_STR_EQ(t->proc->image->exepath, "/usr/bin/true");
		}
		break;
	default:
		break;
	}
}

int main(void)
{
	struct capture_opts opts = {.source = CAPTURE_SOURCE_BPF, .keep_self = true};
	struct state_opts so = {0};
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t salen = sizeof(sa);
	struct capture *c = NULL;
	struct state *st = NULL;
	struct state_stats ss;
	struct seen w = {0};
	const char *why = NULL;
	uint64_t n = 0, snap = 0;
	double t_state = 0, deadline;
	char path[512], expect[600];
	int lfd, go[2], r, status;
	pid_t child;
	struct event ev;

	if (geteuid() != 0)
		TEST_SKIP("needs root to load the eBPF probe");
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0)
		TEST_SKIP("no kernel BTF (/sys/kernel/btf/vmlinux)");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/sub", dir);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/data.txt", dir);
	r = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	CHECK(r >= 0);
	if (r >= 0)
		close(r);

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 4) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen) < 0) {
		perror("listener");
		return 1;
	}

	r = capture_open(&opts, &c, &why);
	if (r < 0) {
		if (r == -ENOENT || r == -ENODEV || r == -ENOSYS || r == -EOPNOTSUPP || r == -EPERM)
			TEST_SKIP("cannot open the eBPF source: %s", why ? why : strerror(-r));
		fprintf(stderr, "capture_open: %s\n", why ? why : strerror(-r));
		return 1;
	}
	CHECK_INT_EQ(state_new(&so, &st), 0);

	if (pipe2(go, O_CLOEXEC) < 0)
		return 1;
	child = fork();
	if (child == 0) {
		close(go[1]);
		child_main(ntohs(sa.sin_port), go[0]);
	}
	close(go[0]);

	/* Drain the snapshot (and whatever came first), then let the child go. */
	deadline = now_s() + 30;
	for (;;) {
		r = capture_next(c, &ev);
		if (r == -EAGAIN)
			break;
		if (r < 0) {
			fprintf(stderr, "capture_next: %s\n", strerror(-r));
			return 1;
		}
		bool is_snap = ev.hdr->type == OSP_EVT_PROC_SNAPSHOT ||
			       ev.hdr->type == OSP_EVT_FD_SNAPSHOT;
		double t0 = now_s();

		on_event(st, &ev, child, &w);
		t_state += now_s() - t0;
		n++;
		snap += is_snap;
		/* the snapshot comes first: the first live event ends it */
		if (!is_snap || now_s() > deadline)
			break;
	}
	state_get_stats(st, &ss);
	printf("snapshot: %" PRIu64 " records -> %" PRIu64 " threads, %" PRIu64
	       " processes, %" PRIu64 " fds\n",
	       snap, ss.threads, ss.procs, ss.fds);
	CHECK(ss.threads > 1 && ss.fds > 0);
	/* our own process, from the snapshot */
	CHECK(state_thread_get(st, (uint32_t)getpid()) != NULL);

	CHECK(write(go[1], "g", 1) == 1);
	close(go[1]);
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	{
		int a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (a >= 0)
			close(a);
	}

	deadline = now_s() + 10;
	while (now_s() < deadline && !w.gone) {
		r = capture_next(c, &ev);
		if (r == -EAGAIN) {
			capture_wait(c, 100);
			continue;
		}
		if (r < 0)
			break;
		double t0 = now_s();

		on_event(st, &ev, child, &w);
		t_state += now_s() - t0;
		n++;
	}
	/* one more event after the exit has been processed removes the child */
	if (w.exit && !w.gone) {
		state_purge(st, 0);
		w.gone = state_thread_get(st, (uint32_t)child) == NULL;
	}

	printf("child %d: exe '%s' exepath '%s' args '%s' cwd '%s' comm '%s' ppid %u (%s)\n", child,
	       w.exe, w.exepath, w.args, w.cwd, w.comm, w.ppid, w.parent_comm);
	printf("child fds: %d '%s' (type %u), %d '%s' (type %u)\n", CHILD_FILE_FD, w.file_name,
	       w.file_type, CHILD_SOCK_FD, w.sock_name, w.sock_type);
	CHECK(w.open_seen);
	CHECK(w.connect_seen);
	CHECK(w.exec_checked);
	CHECK_STR_EQ(w.exe, "true");
	CHECK(strcmp(w.exepath, "/usr/bin/true") == 0 || strcmp(w.exepath, "/bin/true") == 0);
	CHECK_STR_EQ(w.args, "state-live-arg1 arg2");
	CHECK_STR_EQ(w.cwd, dir);
	CHECK_STR_EQ(w.comm, "true");
	CHECK_INT_EQ(w.ppid, getpid());
	CHECK(w.parent_comm[0] && strcmp(w.parent_comm, "(null)") != 0);
	snprintf(expect, sizeof(expect), "%s/data.txt", dir);
	CHECK_STR_EQ(w.file_name, expect);
	CHECK_INT_EQ(w.file_type, OSP_FD_TYPE_FILE);
	CHECK_INT_EQ(w.sock_type, OSP_FD_TYPE_IPV4_SOCK);
	snprintf(expect, sizeof(expect), "->127.0.0.1:%u", ntohs(sa.sin_port));
	CHECK(strstr(w.sock_name, expect) != NULL && strncmp(w.sock_name, "127.0.0.1:", 10) == 0);
	CHECK(w.exit);
	CHECK(w.gone);

	state_get_stats(st, &ss);
	printf("%" PRIu64 " live events through the state in %.3f s of state time (%.2f M "
	       "events/s); threads %" PRIu64 " incomplete %" PRIu64 " exited %" PRIu64 "\n",
	       n, t_state, t_state > 0 ? n / t_state / 1e6 : 0.0, ss.threads, ss.threads_incomplete,
	       ss.threads_exited);

	state_free(st);
	capture_close(c);
	close(lfd);
	snprintf(path, sizeof(path), "%s/data.txt", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
	return test_finish("test-state-live");
}
