/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit webhook's request handling, without the transport: the web server (runtime/web/,
 * to come) hands each request to k8saudit_inbox_offer() on its own thread, which answers at
 * once (status and reason) and queues the body; the main loop's thread takes the bodies with
 * k8saudit_inbox_drain() when the inbox's eventfd fires and parses and evaluates them there. The
 * queue is bounded in bodies and bytes: when it is full a request is refused with 429 (the API
 * server's webhook backend retries), a body over K8SAUDIT_PAYLOAD_MAX with 413, nothing grows.
 *
 *	k8saudit_inbox_new(64, 64 << 20, &in);
 *	web thread:  k8saudit_inbox_offer(in, "POST", "application/json", body, len, &answer);
 *	loop thread: on k8saudit_inbox_fd(in) readable: k8saudit_inbox_drain(in, fn, ud, 16);
 *
 * Threads: offer from any number of threads, drain from one.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "macro.h"

struct k8saudit_answer {
	int status;	    /* 200, 405, 413, 415, 429, 503 */
	const char *reason; /* static text for the response body */
};

struct k8saudit_inbox_stats {
	uint64_t accepted;
	uint64_t refused_full;	       /* 429 */
	uint64_t refused_too_big;      /* 413 */
	uint64_t refused_bad;	       /* 405, 415 */
	uint64_t queued, queued_bytes; /* now */
};

struct k8saudit_inbox;

/* max_bodies >= 1, max_bytes >= 1. Caller owns *ret. -ENOMEM, -EINVAL, -errno of eventfd(). */
int k8saudit_inbox_new(size_t max_bodies, size_t max_bytes, struct k8saudit_inbox **ret);
void k8saudit_inbox_free(struct k8saudit_inbox *in);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct k8saudit_inbox *, k8saudit_inbox_free);

/* Readable while bodies are queued (an eventfd, O_CLOEXEC|O_NONBLOCK). */
int k8saudit_inbox_fd(const struct k8saudit_inbox *in);

/* One webhook request: checks it, copies the body into the queue, and says what to answer. */
void k8saudit_inbox_offer(struct k8saudit_inbox *in, const char *method, const char *content_type,
			  const char *body, size_t len, struct k8saudit_answer *ret);

/* Hands up to max queued bodies to fn, oldest first, then frees them; returns how many were
 * handed out (fn's return is not an error: a bad body is the parser's to report). */
typedef void (*k8saudit_body_fn)(const char *body, size_t len, void *userdata);
size_t k8saudit_inbox_drain(struct k8saudit_inbox *in, k8saudit_body_fn fn, void *userdata,
			    size_t max);

void k8saudit_inbox_get_stats(struct k8saudit_inbox *in, struct k8saudit_inbox_stats *ret);
