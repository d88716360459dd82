/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The daemon's main loop: one thread, one epoll, and four kinds of sources:
 *
 *   - io:     an fd and the epoll events of interest (HTTP listeners, the
 *             audit webhook, a program output's pipe...)
 *   - timer:  one-shot or periodic, on CLOCK_MONOTONIC (stats, watchdogs,
 *             the -M duration, rate-limit refills)
 *   - signal: delivered through a signalfd (SIGTERM, SIGINT, SIGHUP reload)
 *   - poller: called every iteration until it reports no work, then the
 *             loop sleeps until an fd fires or the poller's interval passes
 *             (event sources that are polled rather than woken: the BPF
 *             and kernel module ring buffers)
 *
 * Callbacks return >= 0 to go on, or -errno to stop the loop with that
 * error. loop_exit() stops it with a code of the caller's choice.
 */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/signalfd.h>

struct loop;
struct loop_source;

typedef int (*loop_io_fn)(struct loop_source *s, int fd, uint32_t revents, void *userdata);
typedef int (*loop_timer_fn)(struct loop_source *s, uint64_t now_usec, void *userdata);
typedef int (*loop_signal_fn)(struct loop_source *s, const struct signalfd_siginfo *si,
			      void *userdata);
/* Returns > 0 if it did work (call again), 0 if idle, -errno to stop the loop. */
typedef int (*loop_poll_fn)(struct loop_source *s, void *userdata);

int loop_new(struct loop **ret);
/* Frees every source still attached; accepts NULL. */
void loop_free(struct loop *l);

/* The returned source (if ret is not NULL) is owned by the loop; loop_source_free() removes it. */
int loop_add_io(struct loop *l, int fd, uint32_t events, loop_io_fn fn, void *userdata,
		struct loop_source **ret);
/* First expiry after first_usec; then every interval_usec, or once if interval_usec is 0. */
int loop_add_timer(struct loop *l, uint64_t first_usec, uint64_t interval_usec, loop_timer_fn fn,
		   void *userdata, struct loop_source **ret);
/* Blocks signo for the whole process and delivers it to fn. */
int loop_add_signal(struct loop *l, int signo, loop_signal_fn fn, void *userdata,
		    struct loop_source **ret);
/* fd (may be -1) wakes the loop when the poller has data; idle pollers are retried every
 * interval_ms anyway. */
int loop_add_poller(struct loop *l, int fd, int interval_ms, loop_poll_fn fn, void *userdata,
		    struct loop_source **ret);
/* Removes and frees a source; accepts NULL. Safe to call from the source's own callback. */
void loop_source_free(struct loop_source *s);
struct loop *loop_source_get_loop(struct loop_source *s);

/* Runs until loop_exit() or a callback fails. Returns the exit code or the callback's -errno. */
int loop_run(struct loop *l);
void loop_exit(struct loop *l, int code);
uint64_t loop_now_usec(void);
