// SPDX-License-Identifier: Apache-2.0
/* The audit webhook's bounded inbox. See k8saudit_inbox.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "k8saudit.h"
#include "k8saudit_inbox.h"

struct body {
	struct body *next;
	size_t len;
	char data[];
};

struct k8saudit_inbox {
	pthread_mutex_t lock;
	struct body *head, **tail;
	size_t max_bodies, max_bytes;
	int efd;
	struct k8saudit_inbox_stats st; /* under lock */
};

int k8saudit_inbox_new(size_t max_bodies, size_t max_bytes, struct k8saudit_inbox **ret)
{
	struct k8saudit_inbox *in;

	if (max_bodies == 0 || max_bytes == 0)
		return -EINVAL;
	in = calloc(1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	in->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (in->efd < 0) {
		int r = -errno;

		free(in);
		return r;
	}
	pthread_mutex_init(&in->lock, NULL);
	in->tail = &in->head;
	in->max_bodies = max_bodies;
	in->max_bytes = max_bytes;
	*ret = in;
	return 0;
}

void k8saudit_inbox_free(struct k8saudit_inbox *in)
{
	if (!in)
		return;
	while (in->head) {
		struct body *b = in->head;

		in->head = b->next;
		free(b);
	}
	close(in->efd);
	pthread_mutex_destroy(&in->lock);
	free(in);
}

int k8saudit_inbox_fd(const struct k8saudit_inbox *in)
{
	return in->efd;
}

static void answer(struct k8saudit_answer *ret, int status, const char *reason)
{
	ret->status = status;
	ret->reason = reason;
}

void k8saudit_inbox_offer(struct k8saudit_inbox *in, const char *method, const char *content_type,
			  const char *body, size_t len, struct k8saudit_answer *ret)
{
	struct body *b;
	uint64_t one = 1;

	if (!method || strcmp(method, "POST") != 0) {
		pthread_mutex_lock(&in->lock);
		in->st.refused_bad++;
		pthread_mutex_unlock(&in->lock);
		answer(ret, 405, "method not allowed: POST audit events (an EventList) here\n");
		return;
	}
	/* as Falco's plugin: the type must mention application/json (a charset may follow) */
	if (!content_type || !strstr(content_type, "application/json")) {
		pthread_mutex_lock(&in->lock);
		in->st.refused_bad++;
		pthread_mutex_unlock(&in->lock);
		answer(ret, 400, "wrong Content-Type: send application/json\n");
		return;
	}
	if (len > K8SAUDIT_PAYLOAD_MAX) {
		pthread_mutex_lock(&in->lock);
		in->st.refused_too_big++;
		pthread_mutex_unlock(&in->lock);
		answer(ret, 413,
		       "body larger than 16 MiB: lower --audit-webhook-batch-max-size on the API "
		       "server\n");
		return;
	}
	pthread_mutex_lock(&in->lock);
	if (in->st.queued >= in->max_bodies || in->st.queued_bytes + len > in->max_bytes) {
		in->st.refused_full++;
		pthread_mutex_unlock(&in->lock);
		answer(ret, 429, "audit event queue full: retry later\n");
		return;
	}
	/* reserve the room, copy outside the lock */
	in->st.queued++;
	in->st.queued_bytes += len;
	pthread_mutex_unlock(&in->lock);

	b = malloc(sizeof(*b) + (len ? len : 1));
	pthread_mutex_lock(&in->lock);
	if (!b) {
		in->st.queued--;
		in->st.queued_bytes -= len;
		in->st.refused_full++;
		pthread_mutex_unlock(&in->lock);
		answer(ret, 503, "out of memory: retry later\n");
		return;
	}
	b->next = NULL;
	b->len = len;
	memcpy(b->data, body, len);
	*in->tail = b;
	in->tail = &b->next;
	in->st.accepted++;
	pthread_mutex_unlock(&in->lock);
	(void)!write(in->efd, &one, sizeof(one));
	answer(ret, 200, "");
}

size_t k8saudit_inbox_drain(struct k8saudit_inbox *in, k8saudit_body_fn fn, void *userdata,
			    size_t max)
{
	struct body *taken = NULL, **t = &taken;
	uint64_t v;
	size_t n = 0;

	pthread_mutex_lock(&in->lock);
	while (in->head && n < max) {
		struct body *b = in->head;

		in->head = b->next;
		b->next = NULL;
		*t = b;
		t = &b->next;
		in->st.queued--;
		in->st.queued_bytes -= b->len;
		n++;
	}
	if (!in->head) {
		in->tail = &in->head;
		(void)!read(in->efd, &v, sizeof(v)); /* empty: the fd stops being readable */
	}
	pthread_mutex_unlock(&in->lock);
	while (taken) {
		struct body *b = taken;

		taken = b->next;
		fn(b->data, b->len, userdata);
		free(b);
	}
	return n;
}

void k8saudit_inbox_get_stats(struct k8saudit_inbox *in, struct k8saudit_inbox_stats *ret)
{
	pthread_mutex_lock(&in->lock);
	*ret = in->st;
	pthread_mutex_unlock(&in->lock);
}
