// SPDX-License-Identifier: Apache-2.0
/*
 * program_output: alerts, one per line, on the stdin of "/bin/sh -c <program>".
 *
 * keep_alive: one long-lived process. If it exits (or its stdin closes) it is respawned at the
 * next alert, with a backoff (100 ms doubling to 10 s) while it keeps dying within a second. A
 * write that cannot finish within program_output.timeout_ms kills the process (a partial line
 * would corrupt the stream) and counts a timeout.
 * Without keep_alive: one process per alert, like Falco. Finished processes are reaped without
 * waiting; at most PROGRAM_CHILDREN_MAX run at once (then the oldest is waited for, boundedly,
 * and killed).
 *
 * Each program runs in a process group of its own, and every kill is sent to the whole group: a
 * shell that forked ("sleep 9; x", pipelines) leaves no orphan behind. At exit the programs get
 * EOF on stdin and until the drain deadline to finish, then their groups are killed and reaped.
 * Not tracked: a program that leaves its group (setsid, daemons), and a background job left by a
 * per-alert program that already exited by itself (reaped as Falco's pclose() would).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "sink.h"

#define PROGRAM_CHILDREN_MAX 32
#define BACKOFF_MIN_NS	     (100ULL * 1000000ULL)
#define BACKOFF_MAX_NS	     (10ULL * 1000000000ULL)
#define SHORT_LIFE_NS	     1000000000ULL
#define REAP_TIMEOUT_MS	     1000

extern char **environ;

struct program_sink {
	char *program;
	bool keep_alive;
	uint32_t timeout_ms;
	/* keep_alive */
	pid_t pid;
	int fd;
	bool spawned_once;
	uint64_t last_spawn_ns, backoff_ns;
	/* one process per alert */
	pid_t children[PROGRAM_CHILDREN_MAX];
	size_t n_children;
};

static int program_spawn(struct program_sink *p, pid_t *ret_pid, int *ret_fd)
{
	char *argv[] = {(char *)"sh", (char *)"-c", p->program, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int fds[2], r;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return negative_errno();
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], STDIN_FILENO);
	posix_spawnattr_init(&attr);
	/* The worker blocks every signal: the program starts with none blocked, all default. */
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setpgroup(&attr, 0); /* its own group: killed as one */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
						POSIX_SPAWN_SETPGROUP);
	r = -posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[0]);
	if (r < 0) {
		close(fds[1]);
		return r;
	}
	if (fcntl(fds[1], F_SETFL, O_NONBLOCK) < 0) {
		r = negative_errno();
		close(fds[1]);
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return r;
	}
	*ret_pid = pid;
	*ret_fd = fds[1];
	return 0;
}

/*
 * Waits for pid until deadline (or the drain deadline), then kills its process group and reaps
 * it. The group is killed whether or not pid exited by itself, so that what it left running dies
 * with it, and before the reaping, while the zombie still holds the id, so that the id cannot
 * name somebody else's group. What the shell started gets SIGKILL: it is gone a moment later.
 */
static void reap_bounded(const struct sink *s, pid_t pid, uint64_t deadline)
{
	const struct timespec tick = {.tv_nsec = 5 * 1000000L};

	for (;;) {
		siginfo_t si = {0};
		int r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return; /* not our child (already reaped) */
		if (si.si_pid == pid || now_ns() >= deadline || sink_should_abort(s))
			break;
		nanosleep(&tick, NULL);
	}
	kill(-pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static void keep_alive_kill(struct sink *s, struct program_sink *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -EBADF;
	if (p->pid > 0) {
		kill(-p->pid, SIGKILL);
		reap_bounded(s, p->pid, now_ns() + REAP_TIMEOUT_MS * 1000000ULL);
	}
	p->pid = 0;
}

/* Makes sure the long-lived process runs; -EAGAIN while in the respawn backoff. */
static int keep_alive_ensure(struct sink *s, struct program_sink *p)
{
	uint64_t now;
	int r;

	if (p->pid > 0) {
		pid_t w = waitpid(p->pid, NULL, WNOHANG);

		if (w == 0)
			return 0;
		/* It exited: close our end, respawn below. */
		close(p->fd);
		p->fd = -EBADF;
		p->pid = 0;
	}
	now = now_ns();
	if (p->spawned_once && now < p->last_spawn_ns + p->backoff_ns) {
		snprintf(s->detail, sizeof(s->detail), "'%s' exited, respawn delayed %llu ms",
			 p->program, (unsigned long long)(p->backoff_ns / 1000000ULL));
		return -EAGAIN;
	}
	r = program_spawn(p, &p->pid, &p->fd);
	if (r < 0) {
		snprintf(s->detail, sizeof(s->detail), "cannot run /bin/sh -c '%s'", p->program);
		return r;
	}
	if (p->spawned_once) {
		s->restarts++;
		/* Dying fast again: back off more. */
		if (now - p->last_spawn_ns < SHORT_LIFE_NS)
			p->backoff_ns = MIN(p->backoff_ns * 2, BACKOFF_MAX_NS);
		else
			p->backoff_ns = BACKOFF_MIN_NS;
	}
	p->spawned_once = true;
	p->last_spawn_ns = now;
	return 0;
}

static int emit_keep_alive(struct sink *s, struct program_sink *p, const char *line, size_t len)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		int r = keep_alive_ensure(s, p);

		if (r < 0)
			return r;
		r = sink_write_all(s, p->fd, line, len, p->timeout_ms);
		if (r >= 0)
			return 0;
		if (r == -ETIMEDOUT) {
			s->timeouts++;
			snprintf(s->detail, sizeof(s->detail),
				 "'%s' did not read its input in %u ms", p->program, p->timeout_ms);
			keep_alive_kill(s, p);
			return r;
		}
		/* -EPIPE: it closed stdin or died before this alert; respawn once and retry. */
		keep_alive_kill(s, p);
		if (r != -EPIPE)
			return r;
	}
	return -EPIPE;
}

static void children_reap(struct program_sink *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_children; i++) {
		pid_t w = waitpid(p->children[i], NULL, WNOHANG);

		if (w == 0 || (w < 0 && errno == EINTR))
			p->children[n++] = p->children[i];
	}
	p->n_children = n;
}

static int emit_per_alert(struct sink *s, struct program_sink *p, const char *line, size_t len)
{
	pid_t pid;
	int fd, r;

	children_reap(p);
	if (p->n_children == PROGRAM_CHILDREN_MAX) {
		reap_bounded(s, p->children[0], sink_deadline_ns(s, p->timeout_ms));
		memmove(p->children, p->children + 1, (p->n_children - 1) * sizeof(pid_t));
		p->n_children--;
	}
	r = program_spawn(p, &pid, &fd);
	if (r < 0) {
		snprintf(s->detail, sizeof(s->detail), "cannot run /bin/sh -c '%s'", p->program);
		return r;
	}
	r = sink_write_all(s, fd, line, len, p->timeout_ms);
	close(fd);
	if (r == -ETIMEDOUT)
		s->timeouts++;
	if (r < 0 && r != -EPIPE)
		kill(-pid, SIGKILL);
	p->children[p->n_children++] = pid;
	return r;
}

static int program_emit(struct sink *s, enum alert_priority priority, const char *line, size_t len)
{
	struct program_sink *p = s->data;

	if (p->keep_alive)
		return emit_keep_alive(s, p, line, len);
	return emit_per_alert(s, p, line, len);
}

static int program_init(struct sink *s, const struct outputs_config *c)
{
	struct program_sink *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->program = strdup(c->program_output.program);
	if (!p->program) {
		free(p);
		return -ENOMEM;
	}
	p->keep_alive = c->program_output.keep_alive;
	p->timeout_ms = c->program_output.timeout_ms ?: 2000;
	p->fd = -EBADF;
	p->backoff_ns = BACKOFF_MIN_NS;
	s->data = p;
	return 0;
}

static void program_done(struct sink *s)
{
	struct program_sink *p = s->data;
	/* Programs get what is left of the drain timeout to finish reading their input. */
	uint64_t deadline = sink_drain_deadline_ns(s, REAP_TIMEOUT_MS);

	if (!p)
		return;
	/* EOF on stdin lets the program finish its work; it gets until the deadline. */
	if (p->fd >= 0)
		close(p->fd);
	if (p->pid > 0)
		reap_bounded(s, p->pid, deadline);
	for (size_t i = 0; i < p->n_children; i++)
		reap_bounded(s, p->children[i], deadline);
	free(p->program);
	free(p);
	s->data = NULL;
}

const struct sink_ops sink_program_ops = {
	.name = "program",
	.init = program_init,
	.emit = program_emit,
	.done = program_done,
};
