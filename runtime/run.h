/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A live capture driven by the main loop: events go to a consumer callback in
 * order; SIGINT/SIGTERM or the -M duration end the run; every stats interval
 * the drops since the last report are logged. The capture is a poller source
 * of the loop, so further sources (timers, HTTP endpoints, reload) sit beside
 * it without a second thread.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "loop.h"

/* Returns >= 0 to go on, -errno to stop the run with that error. */
typedef int (*run_event_fn)(const struct event *ev, void *userdata);
/* Called once after the capture opened, before the first event (may be NULL). */
typedef int (*run_start_fn)(struct capture *c, struct loop *l, void *userdata);
/* Recovery: called with NULL just before the capture is closed for a reopen, then with the new
 * capture once it is open again (may be NULL). */
typedef void (*run_source_fn)(struct capture *c, void *userdata);

/*
 * Recovery of a live source (never a file: a reopened file would start over). A source error
 * is counted and skipped; max_errors of them in a row, or *reopen_request set (the watchdog
 * found the probe detached), close the source and reopen it after backoff_ms, doubled after
 * each failed attempt up to backoff_max_ms; after max_reopens failed attempts in a row the run
 * ends with -EIO and one line saying why. All 0: the first error ends the run (as before).
 */
struct run_recovery {
	uint32_t max_errors;
	uint32_t max_reopens;
	uint64_t backoff_ms, backoff_max_ms;
	bool *reopen_request; /* may be NULL; set by anyone on the loop's thread, cleared here */
	uint64_t *errors;     /* may be NULL; source errors counted here */
	run_source_fn on_source;
};

struct run_opts {
	struct capture_opts capture;
	uint64_t duration_usec;       /* 0 = until SIGINT/SIGTERM */
	uint32_t stats_interval_sec;  /* 0 = never report drops */
	run_start_fn on_start;
	run_event_fn on_event;
	void *userdata;
	struct run_recovery recovery;
	bool no_hup; /* on_start watches SIGHUP itself (reload) */
};

/* Runs until signalled, the duration passes, the source ends or a callback fails. Logs open
 * failures with their reason. Fills *ret_stats (may be NULL) with the final counters. */
int run_capture(const struct run_opts *opts, struct capture_stats *ret_stats);

/* Logs what a run's capture delivered and lost, in one line: "N events<where> (S from the /proc
 * snapshot); drops: ...". where is "" or e.g. " written to 'FILE'". */
void run_log_stats(const struct capture_stats *st, uint64_t events, const char *where);
