/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Detection: the glue between the event stream, the process state, the rules and the outputs.
 * Per event: state_process_event() -> rules indexed by the event's id evaluated (eval.h) ->
 * for each match an alert (time, rule, priority, source "syscall", hostname, output text from
 * the rule's template with <NA> for missing values, typed output_fields, tags) handed to
 * outputs_push() or to a callback.
 *
 *	detect_new(&config, ruleset, &d);
 *	detect_set_outputs(d, outputs);             or detect_set_alert_fn() (tests)
 *	detect_interest(d, interest);               the driver's interest set
 *	for each event: detect_on_event(d, &ev);
 *
 * detect_run() does all of it on a capture driven by the main loop (run.h).
 * Threads: one; the outputs module has its own thread behind outputs_push().
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "alert.h"
#include "capture.h"
#include "eval.h"
#include "osprey_config.h"
#include "outputs.h"
#include "ruleset.h"
#include "state.h"

#define DETECT_PURGE_INTERVAL_NS (5ull * 1000000000ull) /* state_purge() period, event time */
#define DETECT_SAMPLE_EVERY	 1024 /* one evaluated event in this many is timed per rule */

struct detect_stats {
	uint64_t events;	/* detect_on_event() calls */
	uint64_t evaluated;	/* events that had rules to run */
	uint64_t matches;	/* rule matches */
	uint64_t alerts_pushed; /* accepted by the outputs */
	uint64_t alerts_failed; /* refused by the outputs (throttled, queue full, stopped) */
	uint64_t untracked;	/* events whose thread the state could not track */
	uint64_t arena_exhausted;
	uint64_t regex_limit_hits; /* regex matches stopped at a limit, counted as no match */
};

struct detect_opts {
	bool no_index;	       /* evaluate every rule on every event (benchmark baseline) */
	bool replay;	       /* events from a capture file: the state never reads /proc */
	const char *host_root; /* for the state: NULL = "/" */
};

typedef void (*detect_alert_fn)(const struct alert *a, void *userdata);

struct detect;

/* Builds state, extraction and evaluation for the enabled rules of rs (compiled). c gives
 * priority and rule_matching. rs must outlive d. Caller owns *ret. */
int detect_new(const struct osprey_config *c, const struct ruleset *rs,
	       const struct detect_opts *opts, struct detect **ret);
void detect_free(struct detect *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct detect *, detect_free);

/*
 * Replaces the rules with the enabled rules of rs (compiled) under c's priority and
 * rule_matching; the state (process and fd tables) and the event counters are kept. Call between
 * two events, from the event thread: each event is evaluated with one ruleset. rs must outlive d
 * (or the next call). On failure nothing changed.
 */
int detect_set_rules(struct detect *d, const struct osprey_config *c, const struct ruleset *rs);

/* Where alerts go: outputs_push() (borrowed), and/or a callback. */
void detect_set_outputs(struct detect *d, struct outputs *o);
void detect_set_alert_fn(struct detect *d, detect_alert_fn fn, void *userdata);
/* The events' machine: hostname for alerts (NULL: the outputs' own), wall clock at its boot. */
void detect_set_machine(struct detect *d, const char *hostname, uint64_t boot_time_ns);

/* Processes one event. Returns the number of alerts raised (>= 0). */
int detect_on_event(struct detect *d, const struct event *ev);

/* Fills interest (OSP_EVT_COUNT entries) with the rules' events plus state tracking's. */
unsigned detect_interest(struct detect *d, uint8_t *interest);

struct state *detect_state(struct detect *d);
/* Rules taking part (enabled, compiled, at or above the minimum priority). */
size_t detect_n_rules(const struct detect *d);
void detect_get_stats(const struct detect *d, struct detect_stats *ret);
/* Per rule of the ruleset, in its order: matches; and, over the sampled events only
 * (metrics.rules_timing_enabled), evaluations and nanoseconds spent. Valid while d lives. */
void detect_get_rule_counters(const struct detect *d, const uint64_t **ret_matches,
			      const uint64_t **ret_evals, const uint64_t **ret_ns, size_t *ret_n);

/*
 * Runs detection on the capture described by copts (its interest is set here) until signalled,
 * duration_usec passes (0: no limit) or the source ends: outputs from c->out, state, rules,
 * alerts. Logs why it failed; returns 0 or -errno.
 */
int detect_run(const struct osprey_config *c, const struct ruleset *rs,
	       const struct capture_opts *copts, uint64_t duration_usec);

/* Other event sources beside the capture, on the same loop, sharing the outputs (the k8s_audit
 * source). on_start runs once the capture started (< 0 stops the run); on_stop after the web
 * server stopped, before the outputs stop. A reload (detect_run_apply()) first calls
 * reload_prepare with the new rules (< 0 refuses the reload: nothing changed), then
 * reload_commit: ok with the new outputs to take (the old ones are freed after the call), or
 * !ok to drop what reload_prepare built. */
struct loop;
struct ops_k8saudit_counters;
struct detect_hooks {
	int (*on_start)(struct loop *l, struct outputs *out, void *userdata);
	void (*on_stop)(void *userdata);
	/* the counters for /metrics, once a second on the loop's thread (may be NULL) */
	void (*get_counters)(struct ops_k8saudit_counters *ret, void *userdata);
	int (*reload_prepare)(const struct osprey_config *c, const struct ruleset *rs,
			      void *userdata);
	void (*reload_commit)(bool ok, struct outputs *out, void *userdata);
	void *userdata;
};

/*
 * The service (reload.h): on_start once the capture started and the other sources too, with the
 * run (detect_run_apply()); it then watches SIGHUP itself. on_stop when the loop ended and was
 * freed (with every source on_start added), before the outputs drain.
 */
struct detect_run;
struct detect_service {
	int (*on_start)(struct loop *l, struct detect_run *run, void *userdata);
	void (*on_stop)(void *userdata);
	void *userdata;
};

/* detect_run() with other sources (hooks) and the service (svc); either may be NULL. */
int detect_run_with(const struct osprey_config *c, const struct ruleset *rs,
		    const struct capture_opts *copts, uint64_t duration_usec,
		    const struct detect_hooks *hooks, const struct detect_service *svc);

/*
 * A reload, on the loop's thread between two events: the rules of rs (compiled) under c's
 * priority and rule_matching for the capture and the other sources (hooks), the driver's
 * interest set, the metrics' rules and rules files, and the outputs out (owned from the call on,
 * on success and failure alike: the old ones are freed). What c cannot change while running
 * (ops/web settings, container metadata, sources) is the caller's to keep. rs must outlive the
 * run or the next call. Returns 0, or -errno with nothing changed and out freed.
 */
int detect_run_apply(struct detect_run *run, const struct osprey_config *c,
		     const struct ruleset *rs, struct outputs *out);
/* The reload counters /metrics shows (osprey_reloads_total{result}). */
void detect_run_set_reloads(struct detect_run *run, uint64_t applied, uint64_t refused);
/* The rules evaluated on the capture now. */
size_t detect_run_n_rules(const struct detect_run *run);
