/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reloading the rules and the configuration while the capture runs, and running as a systemd
 * service (notify.h). Driven by the main loop: SIGHUP, and with watch_config_files a change of
 * the configuration, its config_files or the rules (watch.h, debounced) reload.
 *
 * A reload builds a new configuration and ruleset with the caller's load function (the same
 * code as at start), on a thread of its own. If that fails the errors are logged, the reload is
 * refused and the running set keeps working. Else, between two events on the event thread,
 * detect_run_apply() swaps: the capture's rules (each event is evaluated with one ruleset; the
 * process and fd tables are kept), the k8s_audit source's rules, the driver's interest set, the
 * metrics' per-rule counters and rules files' sha256, and the alert outputs (reopened with the
 * new outputs and json settings). The web server, the ops timers (drop policy, driver watchdog),
 * the k8s_audit file or webhook and the container metadata keep running. What cannot change
 * while the driver runs (engine.kind and its buffer settings, replay file, snaplen, host_root,
 * driver_choice_file; webserver, metrics, watchdog, recovery, container and plugins) is kept,
 * and a log line says so for the first group. No event is lost to a reload.
 *
 * Under systemd (Type=notify, ops/notify.h): ops.c says READY=1 once events flow, WATCHDOG=1
 * and STOPPING=1; the reload says RELOADING=1 (with MONOTONIC_USEC) ... READY=1 around each.
 *
 * Threads: everything runs on the main loop's thread, except reload_get_stats() and
 * reload_foreach_rules_file(), which any thread may call (the web endpoints' metrics).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "detect.h"
#include "loop.h"
#include "osprey_config.h"
#include "outputs.h"
#include "ruleset.h"

#define RELOAD_DEBOUNCE_USEC 500000 /* watch_config_files: quiet time after the last change */

/*
 * Builds a configuration (initialises *c) and a compiled ruleset from the files, logging every
 * error. Called on a builder thread while the event thread runs: it must not change state the
 * event thread reads (the log level is applied later, by the reload). On success the caller owns *c
 * (osprey_config_done), *ret_rs, and *ret_files (the rules files read, in order: an array of *ret_n
 * strings, each and the array freed with free()).
 */
typedef int (*reload_load_fn)(void *userdata, struct osprey_config *c, struct ruleset **ret_rs,
			      char ***ret_files, size_t *ret_n);

struct reload_opts {
	reload_load_fn load;
	void *userdata;
	const char *config_path;	    /* the configuration file read at start, or NULL */
	const struct osprey_config *config; /* the running one (borrowed; outlives the reload) */
	char *const *rules_files;	    /* the rules files read at start (copied) */
	size_t n_rules_files;
	bool log_level_fixed; /* the command line set the log level: log_level does not change it */
};

struct reload_stats {
	uint64_t reloads;     /* reloads applied */
	uint64_t refused;     /* reloads refused (bad new configuration or rules) */
	int last_result;      /* 0 or the -errno of the last attempt (0 before any) */
	uint64_t last_usec;   /* CLOCK_MONOTONIC of the last attempt, 0 before any */
	size_t n_rules_files; /* rules files of the running set */
};

struct reload;

/* Caller owns *ret. */
int reload_new(const struct reload_opts *o, struct reload **ret);
/* Frees the configurations and rulesets reloads built. Accepts NULL. */
void reload_free(struct reload *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct reload *, reload_free);

/* detect_run_with()'s service (struct detect_service), userdata being the struct reload. */
int reload_on_start(struct loop *l, struct detect_run *run, void *userdata);
void reload_on_stop(void *userdata);

/* What SIGHUP and a watched change do: the files are read and the rules compiled on a thread of
 * their own while events flow; the result is applied on the event thread (a build already
 * running is followed by one more). Before reload_on_start(), the same as reload_now(). */
void reload_request(struct reload *r);
/* Reads, compiles and applies now, on the calling thread. Returns 0 applied, -EBUSY while a
 * reload_request() build runs, another -errno refused (logged; nothing changed). */
int reload_now(struct reload *r);

void reload_get_stats(struct reload *r, struct reload_stats *ret);
/* Calls fn with the path and sha256 (64 lowercase hex digits, or "" if it could not be read)
 * of each rules file of the running set, in load order. */
void reload_foreach_rules_file(struct reload *r,
			       void (*fn)(const char *path, const char *sha256, void *userdata),
			       void *userdata);
