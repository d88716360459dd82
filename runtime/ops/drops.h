/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The drop policy (Falco's syscall_event_drops), as plain arithmetic on per-second deltas so it
 * can be tested without a driver. Fed once a second by the main loop with what the driver
 * delivered and dropped in that second, it decides what to do:
 *
 *   - a second with no drop: nothing;
 *   - the first second with drops (ever, or after a quiet window): logged once, whatever the
 *     threshold, so drops are never silent;
 *   - a second whose share of dropped events is at or below the threshold: counted only;
 *   - a second beyond the threshold that repeats one within the window (1 / rate seconds): the
 *     configured actions (log, alert, exit), at most max_burst at once and then rate per
 *     second (a token bucket), each carrying every drop since the previous action; seconds
 *     refused by the bucket are counted as suppressed. Never a flood.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "outputs/outputs.h"

struct drops_delta {
	uint64_t n_evts;	  /* events delivered in the second */
	uint64_t n_drops_buffer;  /* dropped: ring buffer full */
	uint64_t n_drops_too_big; /* dropped: record over the size bound (Falco: scratch map) */
	uint64_t n_drops_bad;	  /* dropped by the consumer: malformed or unknown records */
};

enum drops_decision {
	DROPS_NONE = 0,
	DROPS_LOG_FIRST = 1u << 0, /* log that drops started (once per quiet period) */
	DROPS_ACT = 1u << 1,	   /* perform the configured actions with drops_pending() */
};

struct drops_policy {
	double threshold, rate;
	uint32_t max_burst;
	struct token_bucket bucket;
	uint64_t last_beyond_ns;    /* the previous second beyond the threshold; 0 = none */
	uint64_t last_drop_ns;	    /* the previous second with any drop */
	struct drops_delta pending; /* accumulated since the last action */
	/* totals, for the metrics */
	uint64_t seconds_with_drops, seconds_beyond, actions, suppressed;
};

void drops_policy_init(struct drops_policy *p, double threshold, double rate, uint32_t max_burst,
		       uint64_t now_ns);
/* One second's delta at now_ns (monotonic); returns DROPS_* bits. */
unsigned drops_policy_feed(struct drops_policy *p, const struct drops_delta *d, uint64_t now_ns);
/* What the action reports (drops since the previous action); drops_policy_reset_pending() after
 * acting. */
const struct drops_delta *drops_policy_pending(const struct drops_policy *p);
void drops_policy_reset_pending(struct drops_policy *p);
uint64_t drops_delta_total(const struct drops_delta *d);
