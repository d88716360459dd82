// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <signal.h>
#include <unistd.h>

#include "loop.h"
#include "test.h"

struct counts {
	int periodic;
	int oneshot;
	int signals;
	int polls;
	int reads;
	uint64_t oneshot_at;
	uint64_t started;
	struct loop_source *periodic_src;
};

static int on_periodic(struct loop_source *s, uint64_t now, void *userdata)
{
	struct counts *c = userdata;

	if (++c->periodic == 3)
		loop_source_free(s); /* freeing itself from its own callback must be safe */
	return 0;
}

static int on_oneshot(struct loop_source *s, uint64_t now, void *userdata)
{
	struct counts *c = userdata;

	c->oneshot++;
	c->oneshot_at = now;
	raise(SIGUSR1);
	return 0;
}

static int on_signal(struct loop_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct counts *c = userdata;

	CHECK_INT_EQ(si->ssi_signo, SIGUSR1);
	c->signals++;
	return 0;
}

/* Reports work 5 times, then idles. */
static int on_poll(struct loop_source *s, void *userdata)
{
	struct counts *c = userdata;

	if (c->polls >= 5)
		return 0;
	c->polls++;
	return 1;
}

static int on_readable(struct loop_source *s, int fd, uint32_t revents, void *userdata)
{
	struct counts *c = userdata;
	char buf[16];

	CHECK(revents & EPOLLIN);
	CHECK_INT_EQ(read(fd, buf, sizeof(buf)), 3);
	c->reads++;
	return 0;
}

static int on_finish(struct loop_source *s, uint64_t now, void *userdata)
{
	loop_exit(loop_source_get_loop(s), 42);
	return 0;
}

static int on_fail(struct loop_source *s, uint64_t now, void *userdata)
{
	return -EPIPE;
}

int main(void)
{
	struct counts c = {};
	struct loop *l;
	int p[2];

	c.started = loop_now_usec();
	CHECK_INT_EQ(loop_new(&l), 0);
	CHECK_INT_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_INT_EQ(loop_add_timer(l, 1000, 1000, on_periodic, &c, &c.periodic_src), 0);
	CHECK_INT_EQ(loop_add_timer(l, 20000, 0, on_oneshot, &c, NULL), 0);
	CHECK_INT_EQ(loop_add_signal(l, SIGUSR1, on_signal, &c, NULL), 0);
	CHECK_INT_EQ(loop_add_poller(l, -1, 5, on_poll, &c, NULL), 0);
	CHECK_INT_EQ(loop_add_io(l, p[0], EPOLLIN, on_readable, &c, NULL), 0);
	CHECK_INT_EQ(loop_add_timer(l, 100000, 0, on_finish, &c, NULL), 0);
	CHECK_INT_EQ(write(p[1], "abc", 3), 3);

	CHECK_INT_EQ(loop_run(l), 42);
	CHECK_INT_EQ(c.periodic, 3); /* removed after its third run */
	CHECK_INT_EQ(c.oneshot, 1);
	CHECK(c.oneshot_at - c.started >= 20000);
	CHECK_INT_EQ(c.signals, 1);
	CHECK_INT_EQ(c.polls, 5);
	CHECK_INT_EQ(c.reads, 1);
	loop_free(l);

	/* A callback's error stops the loop and is returned. */
	CHECK_INT_EQ(loop_new(&l), 0);
	CHECK_INT_EQ(loop_add_timer(l, 0, 0, on_fail, NULL, NULL), 0);
	CHECK_INT_EQ(loop_run(l), -EPIPE);
	loop_free(l);

	close(p[0]);
	close(p[1]);
	return test_finish("test-loop");
}
