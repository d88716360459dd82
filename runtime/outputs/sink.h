/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sink interface, internal to the outputs module. Each enabled sink has its own thread
 * (outputs.c), and init() aside, a sink's ops run on that thread only, one at a time.
 * emit() gets the alert's priority and its rendering (one line ending in '\n') and returns 0 or
 * -errno; it must give up by the deadline sink_deadline_ns() returns (outputs_stop() shortens it
 * to the drain deadline). done() runs on the sink's thread when it ends, bounded in time too.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "outputs.h"

struct sink;

struct sink_ops {
	const char *name;
	/* Copies what it needs from c into s->data. */
	int (*init)(struct sink *s, const struct outputs_config *c);
	int (*emit)(struct sink *s, enum alert_priority priority, const char *line, size_t len);
	/* Optional: reopen files (log rotation). */
	int (*reopen)(struct sink *s);
	/* Frees s->data; bounded in time. */
	void (*done)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	struct outputs *outputs;
	void *data;
	/* Counted by the sink itself (its thread), read by outputs_get_stats(). */
	_Atomic uint64_t timeouts;
	_Atomic uint64_t restarts;
	/* The sink's thread only: a detail for the next failure log line (curl's message...). */
	char detail[256];
};

extern const struct sink_ops sink_stdout_ops;
extern const struct sink_ops sink_file_ops;
extern const struct sink_ops sink_syslog_ops;
extern const struct sink_ops sink_program_ops;
extern const struct sink_ops sink_http_ops;

uint64_t now_ns(void);
/* The time by which a sink operation that starts now must end: now + timeout_ms, or the
 * drain deadline if outputs_free() set an earlier one. */
uint64_t sink_deadline_ns(const struct sink *s, uint32_t timeout_ms);
/* The drain deadline set by outputs_stop(), or now + fallback_ms if none is set. */
uint64_t sink_drain_deadline_ns(const struct sink *s, uint32_t fallback_ms);
/* True once outputs_free() passed its drain deadline: stop waiting. */
bool sink_should_abort(const struct sink *s);
/* Writes all of buf to fd (which should be O_NONBLOCK), polling for POLLOUT, for at most
 * timeout_ms or until the drain deadline, which outputs_stop() may set meanwhile. Returns 0,
 * -ETIMEDOUT, -errno (-EPIPE when the reader is gone: SIGPIPE is blocked on the sink threads and
 * consumed). */
int sink_write_all(const struct sink *s, int fd, const void *buf, size_t len, uint32_t timeout_ms);
/* The same on a socket, with send(MSG_DONTWAIT | MSG_NOSIGNAL): for a blocking socket. */
int sink_send_all(const struct sink *s, int fd, const void *buf, size_t len, uint32_t timeout_ms);
/* A descriptor for writing to stdout without blocking: our own O_NONBLOCK file description of a
 * pipe or terminal (*ret_owned: close it), or fd 1 itself (a socket: *ret_sock, use
 * sink_send_all(); a regular file). */
int sink_stdout_open(bool *ret_owned, bool *ret_sock);
/* Syslog priority (LOG_USER | level) for an alert priority. */
int sink_syslog_priority(enum alert_priority p);
