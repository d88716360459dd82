/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sink interface, internal to the outputs module. Every sink runs on the outputs worker
 * thread only. emit() gets the alert and its rendering (one line ending in '\n') and returns
 * 0 or -errno; it must give up by the deadline sink_deadline_ns() returns (outputs_free()
 * shortens it to the drain deadline).
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
	int (*emit)(struct sink *s, const struct alert *a, const char *line, size_t len);
	/* Optional: reopen files (log rotation). */
	int (*reopen)(struct sink *s);
	/* Frees s->data; bounded in time. */
	void (*done)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	struct outputs *outputs;
	void *data;
	/* Counted by the sink itself, read under the outputs lock by outputs.c. */
	_Atomic uint64_t timeouts;
	_Atomic uint64_t restarts;
	/* Worker only: a detail for the next failure log line (curl's message...), or "". */
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
/* Writes all of buf to fd, polling for POLLOUT until deadline_ns. Returns 0, -ETIMEDOUT, -errno
 * (-EPIPE when the reader is gone: SIGPIPE is blocked on the worker and consumed). */
int sink_write_all(int fd, const void *buf, size_t len, uint64_t deadline_ns);
/* Syslog priority (LOG_USER | level) for an alert priority. */
int sink_syslog_priority(enum alert_priority p);
