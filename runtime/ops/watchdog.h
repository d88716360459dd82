/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The driver watchdog. Every interval it forks a canary: a child that opens /dev/null, closes it
 * and exits. Both paths of the driver must hand the canary's events back within the timeout:
 * a syscall event (openat or close, the sys_exit program) and its process exit (the
 * sched_process_exit program). Missing either means a probe was detached (an attacker's first
 * move) or the driver stopped delivering; the kernel's own counter of records written
 * (capture_stats.produced) says which of the two. Osprey's own threads are filtered out by the
 * driver, so the canary must be a process of its own.
 *
 * The event path compares each event's pid with watchdog_pid() (one load and a compare); the
 * rest runs on the main loop's timer. Osprey must see host pids (hostPID in Kubernetes), like
 * the driver.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "capture/event.h"

#define WATCHDOG_NO_PID UINT32_MAX

enum watchdog_result {
	WATCHDOG_OK,
	WATCHDOG_FAILED,    /* a canary went missing: see reason */
	WATCHDOG_RECOVERED, /* a canary came back after failures */
};

struct watchdog {
	uint64_t interval_ns, timeout_ns;
	uint32_t pid; /* the canary the event path looks for, or WATCHDOG_NO_PID */
	pid_t child;  /* to reap; 0 = none */
	uint64_t started_ns;
	bool seen_syscall, seen_exit;
	uint64_t produced_at_start;
	bool failing;
	char reason[256];
	uint64_t canaries, seen, missed;
};

void watchdog_init(struct watchdog *w, uint64_t interval_ms, uint64_t timeout_ms);
/* Reaps and forgets the canary. */
void watchdog_done(struct watchdog *w);
/* The pid the event path compares against ev->hdr->pid. */
static inline const uint32_t *watchdog_pid(const struct watchdog *w)
{
	return &w->pid;
}
/* Forgets the canary in flight (the source was reopened: its events are gone); the next tick
 * starts a new one. Failure state and counters stay. */
void watchdog_restart(struct watchdog *w);
/* An event of the canary (ev->hdr->pid == w->pid). */
void watchdog_on_event(struct watchdog *w, const struct event *ev);
/* Once a second or so: checks the canary, starts the next one. produced: the driver's
 * capture_stats.produced now. */
enum watchdog_result watchdog_tick(struct watchdog *w, uint64_t now_ns, uint64_t produced);
