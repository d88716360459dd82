// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capfile.h"
#include "capture.h"
#include "cmd_capture.h"
#include "event_format.h"
#include "log.h"
#include "macro.h"
#include "parse.h"

/* The longest escaped record. */
#define LINE_MAX_BYTES (4u * OSP_EVENT_MAX_LEN + 4096u)
/* An idle capture file gets its pending block written after this long. */
#define FLUSH_INTERVAL_NS 1000000000ull
/* Events between two looks at the clock and the stop flag. */
#define CHECK_EVERY 1024u

static const char *arg_write;
static const char *arg_read;
static uint32_t arg_duration;
static uint32_t arg_snaplen;
static uint32_t arg_buffer_size;

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int signo)
{
	stop_requested = signo;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void help(void)
{
	printf("Usage: osprey capture [OPTIONS]\n"
	       "\n"
	       "Record system events to a capture file, print one, or print the live stream.\n"
	       "\n"
	       "  -w, --write=FILE         write live events to FILE (with -r: copy FILE's "
	       "events)\n"
	       "  -r, --read=FILE          print the events of a capture file as text\n"
	       "  -M, --duration=SECONDS   stop after SECONDS (default: at SIGINT or SIGTERM)\n"
	       "      --snaplen=N          bytes kept of argument lists and buffers (default %u, "
	       "max %u)\n"
	       "      --buffer-size=SIZE   bytes per ring buffer, power of two (default %uM, e.g. "
	       "64M)\n"
	       "  -h, --help               show this help\n"
	       "\n"
	       "Without -w or -r the live events are printed to stdout, one line each.\n",
	       OSP_SNAPLEN_DEFAULT, OSP_SNAPLEN_MAX, CAPTURE_BUFFER_DEFAULT >> 20);
}

static int parse_argv(int argc, char *argv[])
{
	enum {
		ARG_SNAPLEN = 0x100,
		ARG_BUFFER_SIZE,
	};
	static const struct option options[] = {
		{"write", required_argument, NULL, 'w'},
		{"read", required_argument, NULL, 'r'},
		{"duration", required_argument, NULL, 'M'},
		{"snaplen", required_argument, NULL, ARG_SNAPLEN},
		{"buffer-size", required_argument, NULL, ARG_BUFFER_SIZE},
		{"help", no_argument, NULL, 'h'},
		{}};
	uint64_t size;
	int c, r;

	arg_write = arg_read = NULL;
	arg_duration = arg_snaplen = arg_buffer_size = 0;
	optind = 0; /* the dispatcher may have run getopt on the global options already */
	while ((c = getopt_long(argc, argv, "w:r:M:h", options, NULL)) >= 0) {
		switch (c) {
		case 'w':
			arg_write = optarg;
			break;
		case 'r':
			arg_read = optarg;
			break;
		case 'M':
			r = safe_atou32(optarg, &arg_duration);
			if (r < 0 || arg_duration == 0)
				return log_error_errno(r < 0 ? r : -EINVAL,
						       "Invalid duration '%s': give a number of "
						       "seconds greater than 0.",
						       optarg);
			break;
		case ARG_SNAPLEN:
			r = safe_atou32(optarg, &arg_snaplen);
			if (r < 0 || arg_snaplen == 0 || arg_snaplen > OSP_SNAPLEN_MAX)
				return log_error_errno(r < 0 ? r : -ERANGE,
						       "Invalid --snaplen '%s': give a number of "
						       "bytes from 1 to %u.",
						       optarg, OSP_SNAPLEN_MAX);
			break;
		case ARG_BUFFER_SIZE:
			r = parse_size(optarg, &size);
			if (r < 0 || size < CAPTURE_BUFFER_MIN || size > CAPTURE_BUFFER_MAX ||
			    (size & (size - 1)))
				return log_error_errno(
					r < 0 ? r : -ERANGE,
					"Invalid --buffer-size '%s': give a power of "
					"two from %uK to %uM, e.g. 8M.",
					optarg, CAPTURE_BUFFER_MIN >> 10, CAPTURE_BUFFER_MAX >> 20);
			arg_buffer_size = (uint32_t)size;
			break;
		case 'h':
			help();
			return 0;
		case '?':
			return -EINVAL; /* getopt named the bad option */
		default:
			return -EINVAL;
		}
	}
	if (optind < argc)
		return log_error_errno(-EINVAL,
				       "Unexpected argument '%s'; see 'osprey capture --help'.",
				       argv[optind]);
	return 1;
}

static void install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_stop_signal};

	/* No SA_RESTART: a signal interrupts capture_wait() so the loop sees it at once. */
	sigemptyset(&sa.sa_mask);
	stop_requested = 0;
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
}

/* written: events in the capture file, or UINT64_MAX when printing. */
static void log_summary(struct capture *c, uint64_t written)
{
	struct capture_stats st;
	char where[600] = "";

	if (capture_get_stats(c, &st) < 0)
		return;
	if (written != UINT64_MAX)
		snprintf(where, sizeof(where), " written to '%s'", arg_write);
	if (arg_read) {
		/* A copy: the producer-side counts are the original capture's, not known here. */
		log_info("%" PRIu64 " events%s", written, where);
		return;
	}
	log_info("%" PRIu64 " events%s (%" PRIu64 " from the /proc snapshot); drops: %" PRIu64
		 " buffer full, %" PRIu64 " too big; %" PRIu64 " faults, %" PRIu64
		 " truncated values, %" PRIu64 " malformed, %" PRIu64 " unknown",
		 written != UINT64_MAX ? written : st.events, where, st.snapshot, st.drops_buffer,
		 st.drops_too_big, st.faults, st.truncations, st.malformed, st.unknown);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct capture *, capture_close);

static int run(void)
{
	_cleanup_(capture_closep) struct capture *c = NULL;
	_cleanup_free_ struct format_ctx *fmt = NULL;
	_cleanup_free_ char *line = NULL;
	struct capfile_writer *w = NULL;
	struct capture_opts opts = {
		.source = arg_read ? CAPTURE_SOURCE_FILE : CAPTURE_SOURCE_BPF,
		.path = arg_read,
		.buffer_bytes = arg_buffer_size,
		.snaplen = arg_snaplen,
	};
	const char *why = NULL;
	uint64_t deadline = 0, last_flush, n = 0;
	bool live = !arg_read, pending = false;
	int r;

	r = capture_open(&opts, &c, &why);
	if (r < 0) {
		if (arg_read)
			return log_error_errno(r, "%s", why ? why : strerror(-r));
		return log_error_errno(r, "Failed to start the live capture: %s",
				       why ? why : strerror(-r));
	}

	if (arg_write) {
		r = capfile_writer_open(arg_write, capture_get_machine(c), &w);
		if (r < 0)
			return log_error_errno(r, "Failed to create capture file '%s': %m",
					       arg_write);
	} else {
		fmt = calloc(1, sizeof(*fmt));
		line = malloc(LINE_MAX_BYTES);
		if (!fmt || !line)
			return log_error_errno(-ENOMEM, "Out of memory.");
		event_format_init(fmt, capture_get_machine(c)->boot_time_ns);
	}

	install_signals();
	last_flush = now_ns();
	if (arg_duration)
		deadline = last_flush + (uint64_t)arg_duration * 1000000000ull;

	for (;;) {
		struct event ev;

		if (stop_requested ||
		    (deadline && (n % CHECK_EVERY) == 0 && now_ns() >= deadline)) {
			r = 0;
			break;
		}

		r = capture_next(c, &ev);
		if (r == -EAGAIN) {
			uint64_t now = now_ns();
			int timeout = capture_poll_interval_ms(c);

			if (deadline && now >= deadline) {
				r = 0;
				break;
			}
			if (deadline && (deadline - now) / 1000000u < (uint64_t)timeout)
				timeout = (int)((deadline - now) / 1000000u) + 1;
			if (w && pending && now - last_flush >= FLUSH_INTERVAL_NS) {
				r = capfile_writer_flush(w);
				if (r < 0) {
					log_error_errno(r, "Failed to write capture file '%s': %m",
							arg_write);
					break;
				}
				last_flush = now;
				pending = false;
			}
			if (!w)
				fflush(stdout);
			r = capture_wait(c, timeout);
			if (r < 0 && r != -EINTR) {
				log_error_errno(r, "Failed to wait for events: %m");
				break;
			}
			continue;
		}
		if (r == -ENODATA) {
			r = 0;
			break;
		}
		if (r < 0) {
			const char *e = capture_error(c);

			if (e)
				log_error_errno(r, "%s", e);
			else
				log_error_errno(r, "Failed to read events: %m");
			break;
		}
		n++;

		if (w) {
			r = capfile_writer_add(w, ev.hdr, ev.hdr->len);
			if (r < 0) {
				log_error_errno(r, "Failed to write capture file '%s': %m",
						arg_write);
				break;
			}
			pending = true;
		} else {
			event_format_update(fmt, &ev);
			event_format(fmt, &ev, line, LINE_MAX_BYTES);
			fputs(line, stdout);
			fputc('\n', stdout);
		}
	}

	if (w) {
		uint64_t written = capfile_writer_events(w);
		/* Whatever stopped the loop, the events so far get their end block. */
		int k = capfile_writer_close(w);

		if (k < 0 && r >= 0)
			r = log_error_errno(k, "Failed to write capture file '%s': %m", arg_write);
		log_summary(c, written);
	} else if (fflush(stdout) != 0 || ferror(stdout)) {
		if (r >= 0)
			r = log_error_errno(-EIO, "Failed to write to standard output: %m");
	}
	if (live && !arg_write)
		log_summary(c, UINT64_MAX);
	return r < 0 ? r : 0;
}

int cmd_capture(int argc, char *argv[])
{
	int r;

	r = parse_argv(argc, argv);
	if (r <= 0)
		return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	return run() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
