/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Operating Osprey: the web endpoints (/healthz, /metrics, /versions), the metrics snapshot,
 * the drop policy and the driver watchdog, driven by one timer of the main loop.
 *
 * Once a second the main loop's timer copies every counter (capture, engine, outputs, the
 * process' resources) into a snapshot under a mutex; the web server's threads read only that
 * snapshot. The event path is touched in one place: run_on_event() compares each event's pid
 * with *ops_canary_pid() and hands the watchdog's canary events to ops_on_canary_event().
 *
 *	ops_new(&config->ops, ruleset, &ops);       binds the web server (fails early on a port)
 *	ops_start(ops, &run);                        from the run's on_start: timers on the loop
 *	per event: if (ev->hdr->pid == *ops_canary_pid(ops)) ops_on_canary_event(ops, ev);
 *	ops_free(ops);
 *
 * Threads: everything but the web handlers runs on the main loop's thread.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"
#include "engine/ruleset.h"
#include "loop.h"
#include "meta/meta.h"
#include "outputs/outputs.h"
#include "ops_config.h"

/* The container metadata layer (meta_get_stats()) and detect's hold of starting containers. */
struct ops_meta_counters {
	struct meta_stats meta;
	uint64_t held_containers, held_events, held_late, not_held;
};

/* The k8s_audit source beside the capture (detect_hooks' get_stats): its file and webhook. */
struct ops_k8saudit_counters {
	uint64_t lines, bad_lines, events, bad_events, matches, alerts_pushed, alerts_failed;
	bool webhook; /* the webhook's counters below are meaningful */
	uint64_t accepted, refused_full, refused_too_big, refused_bad, queued;
};

/* What the detection engine counts; rule_matches has one entry per rule of the ruleset given to
 * ops_new(), in its order (borrowed for the call). */
struct ops_engine_counters {
	uint64_t events, evaluated, matches, alerts_pushed, alerts_failed, untracked;
	uint64_t threads, fds, threads_dropped, fds_dropped;
	uint64_t source_errors; /* counted and skipped (run.h recovery) */
	const uint64_t *rule_matches;
	const uint64_t *rule_evals, *rule_ns; /* sampled: one evaluated event in sample_every */
	uint32_t sample_every;		      /* 0: no sampling */
	size_t n_rules;
	bool have_meta; /* container metadata is on (live runs) */
	struct ops_meta_counters meta;
	bool have_k8saudit; /* the k8s_audit source runs beside the capture */
	struct ops_k8saudit_counters k8saudit;
	bool have_reload; /* the run reloads on SIGHUP (reload.h) */
	uint64_t reloads, reloads_refused;
};
typedef void (*ops_counters_fn)(struct ops_engine_counters *ret, void *userdata);

struct ops_run {
	struct capture *capture;
	struct loop *loop;
	struct outputs *outputs; /* drop and watchdog alerts, metrics snapshots; may be NULL */
	ops_counters_fn counters;
	void *userdata;
	const char *engine_name; /* "modern_ebpf", "kmod", "replay" */
	bool live;		 /* a driver (not a file): the watchdog and drop policy run */
	bool *reopen_request;	 /* set to ask run.c to reopen the source (watchdog: reopen) */
};

struct ops;

/* c and rs must outlive the object. Starts the web server when webserver.enabled; logs why it
 * failed. Caller owns *ret. */
int ops_new(const struct ops_config *c, const struct ruleset *rs, struct ops **ret);
int ops_start(struct ops *o, const struct ops_run *run);
/* Stops the web server, reaps the canary; accepts NULL. */
void ops_free(struct ops *o);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct ops *, ops_free);

/* A reload swapped the rules (rs outlives o or the next call; the per-rule metrics and the rules
 * files' sha256 follow it, counters from 0) or the outputs. On the main loop's thread. On
 * -ENOMEM the metrics keep the old rules' names without their counters. */
int ops_set_ruleset(struct ops *o, const struct ruleset *rs);
void ops_set_outputs(struct ops *o, struct outputs *out);

/* The source was closed (c NULL: counters so far are kept) or reopened (run_source_fn). */
void ops_set_capture(struct ops *o, struct capture *c);

const uint32_t *ops_canary_pid(const struct ops *o);
void ops_on_canary_event(struct ops *o, const struct event *ev);

/* The web server's port (tests, port 0); 0 when it is off. */
uint16_t ops_web_port(const struct ops *o);
