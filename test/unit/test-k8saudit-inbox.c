// SPDX-License-Identifier: Apache-2.0
/*
 * The audit webhook's inbox (k8saudit_inbox.h): the answers (405, 400, 413, 429, 200), the
 * bounds in bodies and bytes, FIFO order, the eventfd's readiness, and four threads offering
 * against one draining thread with nothing lost or duplicated; the drained bodies parse.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8saudit.h"
#include "k8saudit_inbox.h"
#include "test.h"

static bool readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

struct seen {
	char last[64];
	size_t n, bytes;
};

static void on_body(const char *body, size_t len, void *userdata)
{
	struct seen *s = userdata;

	snprintf(s->last, sizeof(s->last), "%.*s", (int)len, body);
	s->n++;
	s->bytes += len;
}

static void test_answers(void)
{
	_cleanup_(k8saudit_inbox_freep) struct k8saudit_inbox *in = NULL;
	struct k8saudit_answer a;
	struct k8saudit_inbox_stats st;
	struct seen s = {};
	static const char big[16];

	CHECK_INT_EQ(k8saudit_inbox_new(0, 10, &in), -EINVAL);
	CHECK_INT_EQ(k8saudit_inbox_new(3, 10, &in), 0);
	CHECK(!readable(k8saudit_inbox_fd(in)));

	k8saudit_inbox_offer(in, "GET", "application/json", "{}", 2, &a);
	CHECK_INT_EQ(a.status, 405);
	k8saudit_inbox_offer(in, "POST", "text/plain", "{}", 2, &a);
	CHECK_INT_EQ(a.status, 400);
	CHECK(strstr(a.reason, "Content-Type") != NULL);
	/* the length is checked before anything is read */
	k8saudit_inbox_offer(in, "POST", "application/json", big, K8SAUDIT_PAYLOAD_MAX + 1, &a);
	CHECK_INT_EQ(a.status, 413);
	CHECK(strstr(a.reason, "16 MiB") != NULL);

	k8saudit_inbox_offer(in, "POST", "application/json; charset=utf-8", "aaaa", 4, &a);
	CHECK_INT_EQ(a.status, 200);
	CHECK(readable(k8saudit_inbox_fd(in)));
	k8saudit_inbox_offer(in, "POST", "application/json", "bbbb", 4, &a);
	CHECK_INT_EQ(a.status, 200);
	/* 10 bytes at most: 4 + 4 + 4 does not fit */
	k8saudit_inbox_offer(in, "POST", "application/json", "cccc", 4, &a);
	CHECK_INT_EQ(a.status, 429);
	CHECK(strstr(a.reason, "full") != NULL);
	k8saudit_inbox_offer(in, "POST", "application/json", "c", 1, &a);
	CHECK_INT_EQ(a.status, 200);
	/* 3 bodies at most */
	k8saudit_inbox_offer(in, "POST", "application/json", "", 0, &a);
	CHECK_INT_EQ(a.status, 429);
	k8saudit_inbox_get_stats(in, &st);
	CHECK_INT_EQ(st.accepted, 3);
	CHECK_INT_EQ(st.refused_full, 2);
	CHECK_INT_EQ(st.refused_too_big, 1);
	CHECK_INT_EQ(st.refused_bad, 2);
	CHECK_INT_EQ(st.queued, 3);
	CHECK_INT_EQ(st.queued_bytes, 9);

	/* oldest first, max per call; readable until empty */
	CHECK_INT_EQ(k8saudit_inbox_drain(in, on_body, &s, 2), 2);
	CHECK_STR_EQ(s.last, "bbbb");
	CHECK(readable(k8saudit_inbox_fd(in)));
	CHECK_INT_EQ(k8saudit_inbox_drain(in, on_body, &s, 2), 1);
	CHECK_STR_EQ(s.last, "c");
	CHECK(!readable(k8saudit_inbox_fd(in)));
	CHECK_INT_EQ(k8saudit_inbox_drain(in, on_body, &s, 2), 0);
	/* room again */
	k8saudit_inbox_offer(in, "POST", "application/json", "dddd", 4, &a);
	CHECK_INT_EQ(a.status, 200);
}

#define THREADS	   4
#define PER_THREAD 2000

struct producer {
	struct k8saudit_inbox *in;
	unsigned ok, full;
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	static const char body[] =
		"[{\"kind\":\"Event\",\"stageTimestamp\":\"2024-01-01T00:00:00Z\"},"
		"{\"kind\":\"Event\",\"stageTimestamp\":\"2024-01-01T00:00:01Z\"}]";

	for (int i = 0; i < PER_THREAD; i++) {
		struct k8saudit_answer a;

		k8saudit_inbox_offer(p->in, "POST", "application/json", body, sizeof(body) - 1, &a);
		if (a.status == 200)
			p->ok++;
		else if (a.status == 429)
			p->full++;
	}
	return NULL;
}

struct consumer {
	struct k8saudit_parser *p;
	size_t bodies, events;
};

static int count_event(const struct k8saudit_event *ev, void *userdata)
{
	(void)ev;
	((struct consumer *)userdata)->events++;
	return 0;
}

static void parse_body(const char *body, size_t len, void *userdata)
{
	struct consumer *c = userdata;

	c->bodies++;
	k8saudit_parse(c->p, body, len, count_event, c, NULL, 0);
}

static void test_threads(void)
{
	_cleanup_(k8saudit_inbox_freep) struct k8saudit_inbox *in = NULL;
	_cleanup_(k8saudit_parser_freep) struct k8saudit_parser *parser = NULL;
	struct producer prod[THREADS] = {};
	pthread_t t[THREADS];
	struct consumer c = {};
	unsigned ok = 0, full = 0;
	struct k8saudit_inbox_stats st;

	CHECK_INT_EQ(k8saudit_inbox_new(16, 1 << 20, &in), 0);
	CHECK_INT_EQ(k8saudit_parser_new(&parser), 0);
	c.p = parser;
	for (int i = 0; i < THREADS; i++) {
		prod[i].in = in;
		CHECK_INT_EQ(pthread_create(&t[i], NULL, produce, &prod[i]), 0);
	}
	for (;;) {
		struct pollfd pf = {.fd = k8saudit_inbox_fd(in), .events = POLLIN};

		k8saudit_inbox_get_stats(in, &st);
		if (st.accepted + st.refused_full == THREADS * PER_THREAD && st.queued == 0)
			break;
		poll(&pf, 1, 10);
		k8saudit_inbox_drain(in, parse_body, &c, 4);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		ok += prod[i].ok;
		full += prod[i].full;
	}
	k8saudit_inbox_drain(in, parse_body, &c, SIZE_MAX);
	CHECK_INT_EQ(ok + full, THREADS * PER_THREAD);
	CHECK_INT_EQ(c.bodies, ok);
	CHECK_INT_EQ(c.events, 2 * ok);
	k8saudit_inbox_get_stats(in, &st);
	CHECK_INT_EQ(st.accepted, ok);
	CHECK_INT_EQ(st.refused_full, full);
	CHECK_INT_EQ(st.queued, 0);
	CHECK_INT_EQ(st.queued_bytes, 0);
	printf("inbox: %u accepted, %u refused with 429 under %d threads\n", ok, full, THREADS);
}

int main(void)
{
	test_answers();
	test_threads();
	return test_finish("test-k8saudit-inbox");
}
