// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "macro.h"

#define LOOP_MAX_EVENTS 32
#define LOOP_POLL_BURST 4096 /* poller calls per iteration before fds get a turn */

enum source_kind {
	SOURCE_IO,
	SOURCE_TIMER,
	SOURCE_SIGNAL,
	SOURCE_POLLER,
};

struct loop_source {
	struct loop *loop;
	enum source_kind kind;
	int fd;        /* the watched fd; owned for timers and signals */
	bool owns_fd;
	bool dead;     /* freed from a callback: reaped after dispatch */
	void *userdata;
	union {
		loop_io_fn io;
		loop_timer_fn timer;
		loop_signal_fn signal;
		loop_poll_fn poll;
	} fn;
	int signo;
	int interval_ms; /* pollers */
	bool idle;       /* pollers: reported no work last time */
	struct loop_source *next;
};

struct loop {
	int epoll_fd;
	struct loop_source *sources;
	bool exiting;
	int exit_code;
	unsigned dispatching;
};

uint64_t loop_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int loop_new(struct loop **ret)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epoll_fd < 0) {
		int r = negative_errno();
		free(l);
		return r;
	}
	*ret = l;
	return 0;
}

static void source_destroy(struct loop_source *s)
{
	if (s->fd >= 0) {
		epoll_ctl(s->loop->epoll_fd, EPOLL_CTL_DEL, s->fd, NULL);
		if (s->owns_fd)
			close(s->fd);
	}
	if (s->kind == SOURCE_SIGNAL) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, s->signo);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}
	free(s);
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	while (l->sources) {
		struct loop_source *s = l->sources;
		l->sources = s->next;
		source_destroy(s);
	}
	close(l->epoll_fd);
	free(l);
}

static int source_attach(struct loop *l, enum source_kind kind, int fd, bool owns_fd, uint32_t events,
			 void *userdata, struct loop_source **ret)
{
	struct loop_source *s = calloc(1, sizeof(*s));

	if (!s) {
		if (owns_fd && fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	s->loop = l;
	s->kind = kind;
	s->fd = fd;
	s->owns_fd = owns_fd;
	s->userdata = userdata;
	if (fd >= 0) {
		struct epoll_event ev = { .events = events, .data.ptr = s };
		if (epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			int r = negative_errno();
			if (owns_fd)
				close(fd);
			free(s);
			return r;
		}
	}
	s->next = l->sources;
	l->sources = s;
	*ret = s;
	return 0;
}

int loop_add_io(struct loop *l, int fd, uint32_t events, loop_io_fn fn, void *userdata,
		struct loop_source **ret)
{
	struct loop_source *s;
	int r = source_attach(l, SOURCE_IO, fd, false, events, userdata, &s);

	if (r < 0)
		return r;
	s->fn.io = fn;
	if (ret)
		*ret = s;
	return 0;
}

int loop_add_timer(struct loop *l, uint64_t first_usec, uint64_t interval_usec, loop_timer_fn fn,
		   void *userdata, struct loop_source **ret)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = first_usec / 1000000, .tv_nsec = (first_usec % 1000000) * 1000 },
		.it_interval = { .tv_sec = interval_usec / 1000000,
				 .tv_nsec = (interval_usec % 1000000) * 1000 },
	};
	struct loop_source *s;
	int fd, r;

	/* A zero it_value disarms a timerfd: "now" is one microsecond. */
	if (first_usec == 0)
		its.it_value.tv_nsec = 1000;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return negative_errno();
	if (timerfd_settime(fd, 0, &its, NULL) < 0) {
		r = negative_errno();
		close(fd);
		return r;
	}
	r = source_attach(l, SOURCE_TIMER, fd, true, EPOLLIN, userdata, &s);
	if (r < 0)
		return r;
	s->fn.timer = fn;
	if (ret)
		*ret = s;
	return 0;
}

int loop_add_signal(struct loop *l, int signo, loop_signal_fn fn, void *userdata,
		    struct loop_source **ret)
{
	struct loop_source *s;
	sigset_t set;
	int fd, r;

	sigemptyset(&set);
	sigaddset(&set, signo);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return negative_errno();
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return negative_errno();
	r = source_attach(l, SOURCE_SIGNAL, fd, true, EPOLLIN, userdata, &s);
	if (r < 0)
		return r;
	s->fn.signal = fn;
	s->signo = signo;
	if (ret)
		*ret = s;
	return 0;
}

int loop_add_poller(struct loop *l, int fd, int interval_ms, loop_poll_fn fn, void *userdata,
		    struct loop_source **ret)
{
	struct loop_source *s;
	int r = source_attach(l, SOURCE_POLLER, fd, false, EPOLLIN, userdata, &s);

	if (r < 0)
		return r;
	s->fn.poll = fn;
	s->interval_ms = interval_ms > 0 ? interval_ms : 10;
	if (ret)
		*ret = s;
	return 0;
}

void loop_source_free(struct loop_source *s)
{
	if (!s)
		return;
	if (s->loop->dispatching) {
		s->dead = true;
		if (s->fd >= 0)
			epoll_ctl(s->loop->epoll_fd, EPOLL_CTL_DEL, s->fd, NULL);
		return;
	}
	for (struct loop_source **p = &s->loop->sources; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	source_destroy(s);
}

struct loop *loop_source_get_loop(struct loop_source *s)
{
	return s->loop;
}

void loop_exit(struct loop *l, int code)
{
	l->exiting = true;
	l->exit_code = code;
}

static void reap_dead(struct loop *l)
{
	struct loop_source **p = &l->sources;

	while (*p) {
		struct loop_source *s = *p;
		if (s->dead) {
			*p = s->next;
			source_destroy(s);
		} else {
			p = &s->next;
		}
	}
}

static int dispatch_fd(struct loop_source *s, uint32_t revents)
{
	switch (s->kind) {
	case SOURCE_IO:
		return s->fn.io(s, s->fd, revents, s->userdata);
	case SOURCE_TIMER: {
		uint64_t expirations;
		if (read(s->fd, &expirations, sizeof(expirations)) < 0)
			return errno == EAGAIN ? 0 : negative_errno();
		return s->fn.timer(s, loop_now_usec(), s->userdata);
	}
	case SOURCE_SIGNAL: {
		struct signalfd_siginfo si;
		ssize_t n = read(s->fd, &si, sizeof(si));
		if (n < 0)
			return errno == EAGAIN ? 0 : negative_errno();
		if (n != sizeof(si))
			return 0;
		return s->fn.signal(s, &si, s->userdata);
	}
	case SOURCE_POLLER:
		s->idle = false; /* woken: poll it below */
		return 0;
	}
	return 0;
}

/* Runs every poller until all are idle (bounded per iteration). Returns -errno or the shortest
 * retry interval among the pollers, -1 if there are none. */
static int run_pollers(struct loop *l, int *ret_timeout)
{
	int timeout = -1;

	for (struct loop_source *s = l->sources; s && !l->exiting; s = s->next) {
		if (s->kind != SOURCE_POLLER || s->dead)
			continue;
		for (unsigned i = 0; i < LOOP_POLL_BURST; i++) {
			int r = s->fn.poll(s, s->userdata);
			if (r < 0)
				return r;
			if (r == 0) {
				s->idle = true;
				break;
			}
		}
		if (!s->idle) {
			timeout = 0; /* still busy: do not sleep */
		} else if (timeout < 0 || s->interval_ms < timeout) {
			timeout = s->interval_ms;
		}
	}
	*ret_timeout = timeout;
	return 0;
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];

	while (!l->exiting) {
		int timeout = -1, n, r;

		l->dispatching++;
		r = run_pollers(l, &timeout);
		l->dispatching--;
		reap_dead(l);
		if (r < 0)
			return r;
		if (l->exiting)
			break;

		n = epoll_wait(l->epoll_fd, evs, LOOP_MAX_EVENTS, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		l->dispatching++;
		for (int i = 0; i < n && !l->exiting; i++) {
			struct loop_source *s = evs[i].data.ptr;
			if (s->dead)
				continue;
			r = dispatch_fd(s, evs[i].events);
			if (r < 0) {
				l->dispatching--;
				reap_dead(l);
				return r;
			}
		}
		l->dispatching--;
		reap_dead(l);
	}
	return l->exit_code;
}
