/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alert outputs: alerts are output, not logs. The engine thread calls outputs_push(), which
 * applies the token-bucket rate limit, copies the alert into a bounded queue and returns at
 * once. A dispatcher thread renders each alert once (Falco's text or JSON) and offers the line
 * to every enabled sink: stdout, file, syslog, program, HTTP(S). Each sink has its own bounded
 * queue and its own thread, so a slow or dead sink fails alone: its queue fills, it drops and
 * counts, and the other sinks deliver every alert. Sink failures are counted per sink and logged
 * at most once per OUTPUTS_LOG_INTERVAL_SEC per sink; outputs_stop() logs each sink's totals.
 *
 * Threads: outputs_push() from one producer thread at a time (the engine); outputs_get_stats(),
 * outputs_get_sink_stats() and outputs_reopen() from any thread; outputs_new()/outputs_free()
 * from the thread that owns the object.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"

#define OUTPUTS_LOG_INTERVAL_SEC       10
#define OUTPUTS_QUEUE_CAPACITY_DEFAULT 1024
#define OUTPUTS_QUEUE_CAPACITY_MAX     1048576
#define OUTPUTS_QUEUE_BYTES_DEFAULT    (1U << 20)
#define OUTPUTS_QUEUE_BYTES_MAX	       (1U << 30)
#define OUTPUTS_TIMEOUT_MAX_MS	       600000 /* any one sink wait: 10 min */
#define OUTPUTS_RETRIES_MAX	       10
/* A sink still busy with one alert after this long (or whose last alert failed) is not waited
 * for by wait_when_full: it drops instead of holding back the other sinks. */
#define OUTPUTS_SINK_STALL_MS 1000
/* outputs_stop() waits this long past the drain deadline for a sink's thread to return; a thread
 * stuck in a system call after that is abandoned (logged) and its memory left to process exit. */
#define OUTPUTS_JOIN_GRACE_MS 1000

/*
 * The configuration, one member per Falco config key (osprey.yaml uses the same keys; the config
 * parser fills this struct). Always start from outputs_config_init(), which sets Falco's defaults;
 * strings are borrowed during outputs_new() only (it copies them). Sizes and times are checked by
 * outputs_new(), which returns -EINVAL and logs which key is wrong.
 */
struct outputs_config {
	bool json_output;			  /* json_output: false (text lines) */
	bool json_include_output_property;	  /* json_include_output_property: true */
	bool json_include_tags_property;	  /* json_include_tags_property: true */
	bool json_include_message_property;	  /* json_include_message_property: false */
	bool json_include_output_fields_property; /* json_include_output_fields_property: true */
	bool time_format_iso_8601;		  /* time_format_iso_8601: false */
	/* For alerts without one; NULL: $FALCO_HOSTNAME, else gethostname(). */
	const char *hostname;

	struct {
		bool enabled; /* stdout_output.enabled: true */
	} stdout_output;
	struct {
		bool enabled;	 /* file_output.enabled: false */
		bool keep_alive; /* file_output.keep_alive: false (open/append/close per alert) */
		const char *filename; /* file_output.filename (required when enabled) */
	} file_output;
	struct {
		bool enabled; /* syslog_output.enabled: true (LOG_USER, ident "osprey") */
	} syslog_output;
	struct {
		bool enabled;	 /* program_output.enabled: false */
		bool keep_alive; /* program_output.keep_alive: false (one process per alert) */
		const char
			*program; /* program_output.program, run with /bin/sh -c; alerts on stdin */
		/* program_output.timeout_ms: 2000 per write, 1..OUTPUTS_TIMEOUT_MAX_MS */
		uint32_t timeout_ms;
	} program_output;
	struct {
		bool enabled;		/* http_output.enabled: false */
		const char *url;	/* http_output.url, http:// or https:// (required) */
		const char *user_agent; /* http_output.user_agent: "osprey/<version>" */
		bool insecure;		/* http_output.insecure: false (verify peer, host) */
		const char *ca_cert;   /* http_output.ca_cert: CA file for the server ("" = none) */
		const char *ca_bundle; /* http_output.ca_bundle: CA store file ("" = none) */
		const char *ca_path;   /* http_output.ca_path: CA directory ("" = none) */
		bool mtls;	       /* http_output.mtls: false */
		const char *client_cert; /* http_output.client_cert (PEM), with mtls */
		const char *client_key;	 /* http_output.client_key (PEM), with mtls */
		bool echo;		 /* http_output.echo: false (server answers to stdout) */
		bool compress_uploads;	 /* http_output.compress_uploads: false (gzip body) */
		bool keep_alive; /* http_output.keep_alive: true here (reuse the connection) */
		/* Both 1..OUTPUTS_TIMEOUT_MAX_MS: 0 (no timeout) is refused */
		uint32_t connect_timeout_ms; /* http_output.connect_timeout_ms: 1000 */
		uint32_t timeout_ms;	     /* http_output.timeout_ms: 5000 (whole request) */
		/* http_output.max_retries: 2 (at most OUTPUTS_RETRIES_MAX), then failed */
		uint32_t max_retries;
	} http_output;
	struct {
		double rate;	    /* outputs.rate: 0 = no limit; else alerts per second */
		uint32_t max_burst; /* outputs.max_burst: 1000 */
	} outputs;
	/* The alert queue's bounds, and each sink's queue's (rendered lines) */
	struct {
		uint32_t capacity; /* outputs_queue.capacity: 1024 alerts (0: the default) */
		uint32_t bytes; /* outputs_queue.bytes: 1 MiB of packed alerts (0: the default) */
	} outputs_queue;
	uint32_t drain_timeout_ms; /* outputs_free() delivers what is queued for at most this: 2000
				    */
	/* A full queue makes outputs_push() wait for room instead of dropping: for replay, where
	 * the source is a file that can wait and every alert must come out (default false: a live
	 * driver's events must keep flowing, so a full queue drops and counts). A full sink queue
	 * is waited for too, but only while that sink is healthy (its last alert delivered, the
	 * current one under OUTPUTS_SINK_STALL_MS): a dead sink drops, the others get all. */
	bool wait_when_full;

	/* Tests only: the clock of the rate limiter (monotonic ns); NULL: CLOCK_MONOTONIC. */
	uint64_t (*clock_ns)(void *userdata);
	void *clock_userdata;
};

void outputs_config_init(struct outputs_config *c);

enum outputs_sink_id {
	OUTPUTS_SINK_STDOUT,
	OUTPUTS_SINK_FILE,
	OUTPUTS_SINK_SYSLOG,
	OUTPUTS_SINK_PROGRAM,
	OUTPUTS_SINK_HTTP,
	_OUTPUTS_SINK_MAX,
};

/*
 * One sink's counters. Every alert taken from the queue is offered to every enabled sink, so
 * offered = processed, and for each sink
 *	offered = delivered + failed + dropped + queued + abandoned
 * (abandoned is 0 until outputs_stop()). Falco's falcosecurity_falco_outputs_queue_num_drops_total
 * is the queue's own `dropped` (struct outputs_stats); a sink's `dropped` is its own share.
 */
struct outputs_sink_stats {
	const char *name; /* "stdout", "file", ... (static) */
	bool enabled;
	uint64_t offered;   /* alerts handed to this sink's queue or refused by it */
	uint64_t delivered; /* alerts the sink wrote or its receiver accepted */
	uint64_t failed;    /* alerts tried and not delivered, after the sink's own retries */
	uint64_t dropped;   /* alerts refused because this sink's queue was full */
	uint64_t queued;    /* in this sink's queue now, the one being delivered included */
	uint64_t abandoned; /* left in its queue or in flight when outputs_stop() gave up */
	uint64_t timeouts;  /* failures (or attempts, HTTP) that timed out */
	uint64_t restarts;  /* program sink: processes spawned after the first */
};

/*
 * While running: pushed = throttled + dropped + processed + queued.
 * After outputs_stop(): queued is 0 and abandoned counts what the drain timeout left, so
 * pushed = throttled + dropped + processed + abandoned.
 */
struct outputs_stats {
	uint64_t pushed;    /* outputs_push() calls */
	uint64_t throttled; /* refused by the rate limit */
	uint64_t dropped;   /* refused because the queue was full */
	uint64_t truncated; /* accepted with strings cut or fields/tags dropped to fit the bounds */
	uint64_t processed; /* taken from the queue and offered to every sink */
	uint64_t queued;    /* in the queue now */
	uint64_t abandoned; /* still queued when the drain timeout expired */
	struct outputs_sink_stats sinks[_OUTPUTS_SINK_MAX];
};

struct outputs;

/* Opens the enabled sinks and starts the dispatcher and one thread per sink. Caller owns *ret
 * (outputs_free). */
int outputs_new(const struct outputs_config *c, struct outputs **ret);
/*
 * Stops accepting (outputs_push() returns -ESHUTDOWN), delivers what is queued for at most
 * drain_timeout_ms, closes the sinks and joins their threads, waiting at most
 * OUTPUTS_JOIN_GRACE_MS more for each: a thread stuck in a system call is left behind and said
 * so. Logs each enabled sink's totals. outputs_get_stats() still works after. Idempotent;
 * accepts NULL.
 */
void outputs_stop(struct outputs *o);
/* outputs_stop(), then frees (all but what a thread left behind still uses). Accepts NULL. */
void outputs_free(struct outputs *o);

/*
 * Copies a (bounded, see alert.h) into the queue and returns at once: 0 queued, -EAGAIN
 * throttled by the rate limit, -ENOBUFS dropped (queue full), -ESHUTDOWN after outputs_free()
 * started. Never blocks on a sink.
 */
int outputs_push(struct outputs *o, const struct alert *a);
/* Asks the file output's thread to reopen it (log rotation: osprey does it on SIGUSR1). */
void outputs_reopen(struct outputs *o);
void outputs_get_stats(struct outputs *o, struct outputs_stats *ret);
/*
 * One sink's counters (for a metrics endpoint: any thread, a short lock, no allocation): 0, or
 * -EINVAL for an id out of range. A disabled sink reads enabled = false and zeros.
 */
int outputs_get_sink_stats(struct outputs *o, enum outputs_sink_id id,
			   struct outputs_sink_stats *ret);
/* Waits until the queue and every sink's queue are empty or timeout_ms passed; returns 0 or
 * -ETIMEDOUT. Tests, -M. */
int outputs_flush(struct outputs *o, uint32_t timeout_ms);

/* The token bucket behind outputs.rate/max_burst (Falco's): starts full, refills rate tokens per
 * second up to max_burst, each alert takes one token. rate 0 means no limit. */
struct token_bucket {
	double rate;
	double max_tokens;
	double tokens;
	uint64_t last_ns;
};
void token_bucket_init(struct token_bucket *b, double rate, uint32_t max_burst, uint64_t now_ns);
bool token_bucket_claim(struct token_bucket *b, uint64_t now_ns);
