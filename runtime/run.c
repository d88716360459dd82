// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "run.h"

#define RUN_EVENTS_PER_POLL	256 /* then the loop's other sources get a turn */
#define RUN_RECOVERY_TICK_USEC	100000

struct run_state {
	const struct run_opts *opts;
	struct capture *capture;
	struct loop *loop;
	struct loop_source *poller;
	struct capture_stats last; /* at the last drop report */
	/* recovery */
	uint32_t errors_in_row;
	uint32_t failed_reopens;
	uint64_t backoff_ms;
	bool reopening;
	uint64_t reopen_at_usec; /* loop_now_usec() of the next attempt */
};

static int on_capture_poll(struct loop_source *s, void *userdata);
static void reopen_schedule(struct run_state *st, const char *why);

static int poller_add(struct run_state *st)
{
	int fd = capture_get_fd(st->capture);

	return loop_add_poller(st->loop, fd >= 0 ? fd : -1, capture_poll_interval_ms(st->capture),
			       on_capture_poll, st, &st->poller);
}

/* Every RUN_RECOVERY_TICK_USEC while recovery is on: a due reopen is tried here (a timer made
 * at start, so that trying needs no new fd: the source may have failed for lack of them). */
static int on_recovery_tick(struct loop_source *s, uint64_t now, void *userdata)
{
	struct run_state *st = userdata;
	const struct run_recovery *rec = &st->opts->recovery;
	const char *why = NULL;
	int r;

	if (!st->reopening || st->capture || loop_now_usec() < st->reopen_at_usec)
		return 0;
	r = capture_open(&st->opts->capture, &st->capture, &why);
	if (r >= 0) {
		r = poller_add(st);
		if (r < 0) {
			capture_close(st->capture);
			st->capture = NULL;
			why = "cannot watch the reopened source";
		}
	}
	if (r < 0) {
		st->failed_reopens++;
		if (st->failed_reopens >= rec->max_reopens) {
			log_error("Giving up: the event source could not be reopened %u times in a "
				  "row (last: %s); exiting so that the service manager restarts "
				  "osprey.",
				  st->failed_reopens, why ? why : strerror(-r));
			loop_exit(st->loop, -EIO);
			return 0;
		}
		log_warning("Reopening the event source failed (%s); retrying in %llums.",
			    why ? why : strerror(-r), (unsigned long long)st->backoff_ms);
		st->reopening = false;
		reopen_schedule(st, NULL);
		return 0;
	}
	log_info("Event source reopened after %u failed attempt(s).", st->failed_reopens);
	st->failed_reopens = 0;
	st->errors_in_row = 0;
	st->reopening = false;
	st->last = (struct capture_stats){};
	if (rec->reopen_request)
		*rec->reopen_request = false; /* asked while closed: the reopen answers it */
	if (rec->on_source)
		rec->on_source(st->capture, st->opts->userdata);
	return 0;
}

/* Closes the source (if open) and reopens it after the current back-off, then doubles it. */
static void reopen_schedule(struct run_state *st, const char *why)
{
	const struct run_recovery *rec = &st->opts->recovery;

	if (st->reopening)
		return;
	st->reopening = true;
	if (st->capture) {
		log_warning("Reopening the event source in %llums: %s.",
			    (unsigned long long)st->backoff_ms, why);
		if (rec->on_source)
			rec->on_source(NULL, st->opts->userdata);
		loop_source_free(st->poller);
		st->poller = NULL;
		capture_close(st->capture);
		st->capture = NULL;
	}
	st->reopen_at_usec = loop_now_usec() + st->backoff_ms * 1000u;
	st->backoff_ms = st->backoff_ms * 2 > rec->backoff_max_ms ? rec->backoff_max_ms
								   : st->backoff_ms * 2;
}

static bool recovery_on(const struct run_state *st)
{
	return st->opts->recovery.max_errors && st->opts->capture.source != CAPTURE_SOURCE_FILE;
}

static int on_capture_poll(struct loop_source *s, void *userdata)
{
	struct run_state *st = userdata;
	bool *req = st->opts->recovery.reopen_request;
	struct event ev;

	if (req && *req) {
		*req = false;
		if (recovery_on(st)) {
			reopen_schedule(st, "the driver watchdog asked for it");
			return 0;
		}
	}
	for (unsigned i = 0; i < RUN_EVENTS_PER_POLL; i++) {
		int r = capture_next(st->capture, &ev);

		if (r == -EAGAIN)
			return i > 0;
		if (r == -ENODATA) {
			loop_exit(loop_source_get_loop(s), 0);
			return 0;
		}
		if (r < 0) {
			const char *why = capture_error(st->capture);

			if (!recovery_on(st))
				return log_error_errno(r, "%s", why ? why : strerror(-r));
			/* counted and skipped; a run of them reopens the source */
			st->errors_in_row++;
			if (st->opts->recovery.errors)
				(*st->opts->recovery.errors)++;
			if (st->errors_in_row == 1)
				log_warning("Event source error, skipped: %s",
					    why ? why : strerror(-r));
			if (st->errors_in_row >= st->opts->recovery.max_errors)
				reopen_schedule(st, why ? why : strerror(-r));
			return 0; /* let the loop breathe: never a tight loop on errors */
		}
		st->errors_in_row = 0;
		if (st->backoff_ms > st->opts->recovery.backoff_ms && !st->failed_reopens)
			st->backoff_ms = st->opts->recovery.backoff_ms;
		r = st->opts->on_event(&ev, st->opts->userdata);
		if (r < 0)
			return r;
	}
	return 1;
}

static int on_stop_signal(struct loop_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	log_debug("Received %s, stopping.", strsignal((int)si->ssi_signo));
	loop_exit(loop_source_get_loop(s), 0);
	return 0;
}

/*
 * Signals a logrotate script or a systemd unit may send must not end the daemon by accident:
 * SIGHUP (a detection run reloads: run_opts.no_hup, reload.h; here there is nothing to reload)
 * and SIGUSR2 are logged and change nothing.
 */
static int on_hup_signal(struct loop_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	log_info("Received SIGHUP: this run has no rules to reload; nothing changed, the run goes "
		 "on.");
	return 0;
}

static int on_ignored_signal(struct loop_source *s, const struct signalfd_siginfo *si,
			     void *userdata)
{
	/* Only SIGUSR2 is routed here (sigabbrev_np() is glibc's: the images use musl). */
	log_info("Received %s: ignored, the run goes on.",
		 si->ssi_signo == SIGUSR2 ? "SIGUSR2" : strsignal((int)si->ssi_signo));
	return 0;
}

/* A capture file whose records did not all decode is damaged: say so, and fail the run unless
 * the caller accepts it. Returns r, or -EBADMSG. */
static int check_damage(const struct run_opts *opts, const struct capture_stats *st, int r)
{
	uint64_t bad = st->malformed + st->unknown;

	if (opts->capture.source != CAPTURE_SOURCE_FILE || bad == 0)
		return r;
	log_warning("Capture file '%s' is damaged: %llu of %llu records skipped (%llu malformed, "
		    "%llu of event types this osprey does not know).",
		    opts->capture.path, (unsigned long long)bad,
		    (unsigned long long)(st->events + bad), (unsigned long long)st->malformed,
		    (unsigned long long)st->unknown);
	if (opts->capture.accept_damaged || r < 0)
		return r;
	return log_error_errno(-EBADMSG,
			       "Failing because the capture file is damaged: its alerts may be "
			       "incomplete (--accept-damaged accepts such a file).");
}

static int on_duration(struct loop_source *s, uint64_t now, void *userdata)
{
	loop_exit(loop_source_get_loop(s), 0);
	return 0;
}

/* Drops are never silent: each interval with new drops says how many and why. */
static int on_stats(struct loop_source *s, uint64_t now, void *userdata)
{
	struct run_state *st = userdata;
	struct capture_stats cur;
	uint64_t buffer, faults, bad;

	if (!st->capture || capture_get_stats(st->capture, &cur) < 0)
		return 0;
	buffer = cur.drops_buffer - st->last.drops_buffer;
	faults = cur.faults - st->last.faults;
	bad = (cur.malformed - st->last.malformed) + (cur.unknown - st->last.unknown) +
	      (cur.drops_too_big - st->last.drops_too_big);
	if (buffer || bad)
		log_warning("Dropped events in the last %us: %llu (buffer full), %llu (malformed or "
			    "unknown); %llu events received. Raise --buffer-size if buffers fill.",
			    st->opts->stats_interval_sec, (unsigned long long)buffer,
			    (unsigned long long)bad, (unsigned long long)(cur.events - st->last.events));
	if (faults)
		log_debug("%llu values could not be read from memory in the last %us",
			  (unsigned long long)faults, st->opts->stats_interval_sec);
	st->last = cur;
	return 0;
}

int run_capture(const struct run_opts *opts, struct capture_stats *ret_stats)
{
	struct run_state st = { .opts = opts, .backoff_ms = opts->recovery.backoff_ms };
	struct loop *l = NULL;
	const char *why = NULL;
	int r;

	if (opts->capture.source == CAPTURE_SOURCE_FILE && opts->capture.path) {
		struct stat fst;

		/* open() of a FIFO waits for a writer: say so, rather than hang in silence */
		if (stat(opts->capture.path, &fst) == 0 && S_ISFIFO(fst.st_mode)) {
			log_info("Waiting for a writer on the FIFO '%s' (Ctrl-C stops)...",
				 opts->capture.path);
			/* SIGINT and SIGTERM end the wait even where a shell started osprey in the
			 * background with them ignored; the loop takes them over afterwards */
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
		}
	}
	r = capture_open(&opts->capture, &st.capture, &why);
	if (r < 0) {
		if (opts->capture.source == CAPTURE_SOURCE_FILE)
			return log_error_errno(r, "%s", why ? why : strerror(-r));
		return log_error_errno(r, "Cannot start capturing: %s", why ? why : strerror(-r));
	}

	r = loop_new(&l);
	if (r < 0) {
		log_error_errno(r, "Cannot create the main loop: %m");
		goto out;
	}
	st.loop = l;
	if (!st.backoff_ms)
		st.backoff_ms = 1000;
	r = poller_add(&st);
	if (r >= 0)
		r = loop_add_signal(l, SIGINT, on_stop_signal, &st, NULL);
	if (r >= 0)
		r = loop_add_signal(l, SIGTERM, on_stop_signal, &st, NULL);
	if (r >= 0 && !opts->no_hup)
		r = loop_add_signal(l, SIGHUP, on_hup_signal, &st, NULL);
	if (r >= 0)
		r = loop_add_signal(l, SIGUSR2, on_ignored_signal, &st, NULL);
	if (r >= 0 && recovery_on(&st))
		r = loop_add_timer(l, RUN_RECOVERY_TICK_USEC, RUN_RECOVERY_TICK_USEC, on_recovery_tick,
				   &st, NULL);
	if (r >= 0 && opts->duration_usec)
		r = loop_add_timer(l, opts->duration_usec, 0, on_duration, &st, NULL);
	if (r >= 0 && opts->stats_interval_sec) {
		uint64_t every = (uint64_t)opts->stats_interval_sec * 1000000u;
		r = loop_add_timer(l, every, every, on_stats, &st, NULL);
	}
	if (r < 0) {
		log_error_errno(r, "Cannot set up the main loop: %m");
		goto out;
	}
	if (opts->on_start) {
		r = opts->on_start(st.capture, l, opts->userdata);
		if (r < 0)
			goto out;
	}
	r = loop_run(l);

out:
	if (st.capture) {
		struct capture_stats cs;

		if (capture_get_stats(st.capture, &cs) < 0)
			memset(&cs, 0, sizeof(cs));
		r = check_damage(opts, &cs, r);
		if (ret_stats)
			*ret_stats = cs;
	}
	loop_free(l);
	capture_close(st.capture);
	return r;
}

void run_log_stats(const struct capture_stats *st, uint64_t events, const char *where)
{
	log_info("%" PRIu64 " events%s (%" PRIu64 " from the /proc snapshot); drops: %" PRIu64
		 " buffer full, %" PRIu64 " too big; %" PRIu64 " faults, %" PRIu64
		 " truncated values, %" PRIu64 " malformed, %" PRIu64 " unknown",
		 events, where, st->snapshot, st->drops_buffer, st->drops_too_big, st->faults,
		 st->truncations, st->malformed, st->unknown);
}
