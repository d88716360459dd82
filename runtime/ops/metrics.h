/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metrics snapshot: every counter Osprey shows, copied once a second by the main loop (never
 * read from the event path by another thread), rendered by the web server's threads as
 * Prometheus text and by the main loop as Falco's "metrics snapshot" alert.
 *
 * Names and labels are Falco's (falcosecurity_falco_*, falcosecurity_scap_*) wherever Falco has
 * the metric; Osprey's own are osprey_*. To add a counter: a member here, its copy in ops.c's
 * tick, one line in metrics_render_prometheus() (and in metrics_snapshot_fields() for the
 * snapshot alert). Per-sink output counters come from outputs_get_sink_stats() as they are.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf_stats.h"
#include "capture/capture.h"
#include "outputs/outputs.h"
#include "ops.h"
#include "ops_config.h"
#include "web_server.h"

#define METRICS_RULE_FILES_MAX 64

/* Static facts: set once at start, borrowed strings live as long as the ops object. */
struct metrics_rule_info {
	const char *name;
	int priority; /* Falco's number: 0 emergency .. 7 debug */
	const char *const *tags;
	size_t n_tags;
};

struct metrics_rule_file {
	char *name; /* base name */
	char sha256[65];
};

struct metrics_snapshot {
	/* static */
	const char *engine_name; /* "modern_ebpf", "kmod", "replay" */
	const char *hostname;
	const char *kernel_release;
	uint64_t start_ns, boot_ns; /* wall clock */
	uint32_t ncpus;
	const struct metrics_rule_info *rules;
	size_t n_rules;
	const struct metrics_rule_file *rule_files;
	size_t n_rule_files;

	/* per tick */
	uint64_t now_ns; /* wall clock of the snapshot */
	uint64_t ticks;	 /* 0 = not published yet */
	bool have_capture;
	struct capture_stats cap;
	double evts_rate_sec, drops_rate_sec; /* between the last two ticks */
	struct {
		uint64_t events, evaluated, matches, alerts_pushed, alerts_failed, untracked;
		uint64_t threads, fds, threads_dropped, fds_dropped;
	} engine;
	uint64_t *rule_matches;		/* n_rules entries, owned by the snapshot */
	uint64_t *rule_evals, *rule_ns; /* sampled per-rule evaluations and time, same */
	uint32_t sample_every;		/* 0: not sampled */
	bool have_outputs;
	struct outputs_stats out; /* the queue's counters (its sinks[] are not read) */
	struct outputs_sink_stats sinks[_OUTPUTS_SINK_MAX]; /* outputs_get_sink_stats() */
	bool have_meta;
	struct ops_meta_counters meta;
	bool have_k8saudit;
	struct ops_k8saudit_counters k8saudit;
	struct {
		double cpu_ratio; /* of one CPU, over the last tick */
		uint64_t rss, vsz, pss;
		uint64_t open_fds;
		uint64_t host_procs_running;
	} res;
	struct {
		uint64_t seconds_with_drops, seconds_beyond, actions, suppressed, simulated;
	} drops;
	struct {
		uint64_t canaries, seen, missed, silent;
		bool failing;
	} watchdog;
	struct {
		uint64_t errors, reopens;
	} recovery;
	struct {
		bool on; /* the run reloads (SIGHUP) */
		uint64_t applied, refused;
	} reload;
	struct web_server_stats web;
	struct bpf_prog_stat bpf[BPF_STATS_PROGS_MAX]; /* metrics.libbpf_stats_enabled */
	size_t n_bpf;
	bool healthy;
	char health_reason[256]; /* "" when healthy */
};

/* Appends the Prometheus text exposition (version 0.0.4) of s to r, one HELP and TYPE per
 * family, following c's metrics.*_enabled switches. */
int metrics_render_prometheus(const struct metrics_snapshot *s, const struct ops_config *c,
			      struct web_response *r);

/* Appends the /versions JSON (Falco's shape) to r. */
int metrics_render_versions(struct web_response *r);

/* One name and value of the snapshot alert's output fields (Falco's names: falco.*, scap.*). */
struct metrics_field {
	char name[128];
	bool is_double;
	uint64_t u;
	double d;
};
/* Fills at most max fields of the snapshot alert; returns how many. */
size_t metrics_snapshot_fields(const struct metrics_snapshot *s, const struct ops_config *c,
			       struct metrics_field *f, size_t max);
