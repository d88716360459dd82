// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfile.h"
#include "capture.h"
#include "cmd_capture.h"
#include "event_format.h"
#include "log.h"
#include "macro.h"
#include "parse.h"
#include "run.h"

/* The longest escaped record. */
#define LINE_MAX_BYTES (4u * OSP_EVENT_MAX_LEN + 4096u)
/* An idle capture file gets its pending block written this often; stdout likewise. */
#define FILE_FLUSH_USEC 1000000u
#define STDOUT_FLUSH_USEC 200000u

static const char *arg_write;
static const char *arg_read;
static uint32_t arg_duration;
static uint32_t arg_snaplen;
static uint32_t arg_buffer_size;
static enum capture_source arg_source = CAPTURE_SOURCE_BPF;
static const char *arg_dev_dir;
static bool arg_accept_damaged;

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
	       "      --driver=ebpf|kmod   the live source: the embedded eBPF probe (default) or "
	       "the\n"
	       "                           kernel module's devices\n"
	       "      --dev-dir=DIR        where the kernel module's devices are (default /dev)\n"
	       "      --accept-damaged     with -r: exit 0 even if records of FILE are damaged\n"
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
		ARG_DRIVER,
		ARG_DEV_DIR,
		ARG_ACCEPT_DAMAGED,
	};
	static const struct option options[] = {
		{"write", required_argument, NULL, 'w'},
		{"read", required_argument, NULL, 'r'},
		{"duration", required_argument, NULL, 'M'},
		{"snaplen", required_argument, NULL, ARG_SNAPLEN},
		{"buffer-size", required_argument, NULL, ARG_BUFFER_SIZE},
		{"driver", required_argument, NULL, ARG_DRIVER},
		{"dev-dir", required_argument, NULL, ARG_DEV_DIR},
		{"accept-damaged", no_argument, NULL, ARG_ACCEPT_DAMAGED},
		{"help", no_argument, NULL, 'h'},
		{}};
	uint64_t size;
	int c, r;

	arg_write = arg_read = NULL;
	arg_duration = arg_snaplen = arg_buffer_size = 0;
	arg_source = CAPTURE_SOURCE_BPF;
	arg_dev_dir = NULL;
	arg_accept_damaged = false;
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
		case ARG_DRIVER:
			if (capture_source_from_name(optarg, &arg_source) < 0)
				return log_error_errno(-EINVAL,
						       "Invalid --driver '%s': give ebpf or kmod.",
						       optarg);
			break;
		case ARG_DEV_DIR:
			arg_dev_dir = optarg;
			break;
		case ARG_ACCEPT_DAMAGED:
			arg_accept_damaged = true;
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

/* written: events in the capture file, or UINT64_MAX when printing; copy: from a file. */
static void log_summary(const struct capture_stats *st, uint64_t written, const char *path,
			bool copy)
{
	char where[600] = "";

	if (written != UINT64_MAX)
		snprintf(where, sizeof(where), " written to '%s'", path);
	if (copy) {
		/* A copy: the producer-side counts are the original capture's, not known here. */
		log_info("%" PRIu64 " events%s", written, where);
		return;
	}
	run_log_stats(st, written != UINT64_MAX ? written : st->events, where);
}

/* Where the events of a run go: a capture file, or text lines on stdout. */
struct sink {
	const char *write_path;
	struct capfile_writer *writer;
	bool pending;   /* records added since the last flush */
	struct format_ctx *fmt;
	char *line;
	bool started;   /* sink_start() ran: the capture opened */
};

static int flush_writer(struct loop_source *s, uint64_t now, void *userdata)
{
	struct sink *k = userdata;
	int r;

	if (!k->pending)
		return 0;
	r = capfile_writer_flush(k->writer);
	if (r < 0)
		return log_error_errno(r, "Failed to write capture file '%s': %m", k->write_path);
	k->pending = false;
	return 0;
}

static int flush_stdout(struct loop_source *s, uint64_t now, void *userdata)
{
	fflush(stdout);
	return 0;
}

static int sink_start(struct capture *c, struct loop *l, void *userdata)
{
	struct sink *k = userdata;
	int r;

	k->started = true;
	if (k->write_path) {
		r = capfile_writer_open(k->write_path, capture_get_machine(c), &k->writer);
		if (r < 0)
			return log_error_errno(r, "Failed to create capture file '%s': %m",
					       k->write_path);
		/* So a crash or a kill -9 loses at most a second of a quiet capture. */
		return loop_add_timer(l, FILE_FLUSH_USEC, FILE_FLUSH_USEC, flush_writer, k, NULL);
	}
	k->fmt = calloc(1, sizeof(*k->fmt));
	k->line = malloc(LINE_MAX_BYTES);
	if (!k->fmt || !k->line)
		return log_error_errno(-ENOMEM, "Out of memory.");
	event_format_init(k->fmt, capture_get_machine(c)->boot_time_ns);
	/* A pipe is block-buffered: flush often enough that a reader sees events live. */
	return loop_add_timer(l, STDOUT_FLUSH_USEC, STDOUT_FLUSH_USEC, flush_stdout, NULL, NULL);
}

static int sink_event(const struct event *ev, void *userdata)
{
	struct sink *k = userdata;
	int r;

	if (k->writer) {
		r = capfile_writer_add(k->writer, ev->hdr, ev->hdr->len);
		if (r < 0)
			return log_error_errno(r, "Failed to write capture file '%s': %m",
					       k->write_path);
		k->pending = true;
		return 0;
	}
	event_format_update(k->fmt, ev);
	event_format(k->fmt, ev, k->line, LINE_MAX_BYTES);
	fputs(k->line, stdout);
	if (fputc('\n', stdout) == EOF)
		return log_error_errno(-EIO, "Failed to write to standard output: %m");
	return 0;
}

/* Finishes the sink after a run that ended with r; returns the run's final result. */
static int sink_finish(struct sink *k, const struct capture_stats *st, bool copy, int r)
{
	if (k->writer) {
		uint64_t written = capfile_writer_events(k->writer);
		/* Whatever stopped the run, the events so far get their end block. */
		int e = capfile_writer_close(k->writer);

		k->writer = NULL;
		if (e < 0 && r >= 0)
			r = log_error_errno(e, "Failed to write capture file '%s': %m", k->write_path);
		log_summary(st, written, k->write_path, copy);
	} else if (fflush(stdout) != 0 || ferror(stdout)) {
		if (r >= 0)
			r = log_error_errno(-EIO, "Failed to write to standard output: %m");
	}
	free(k->fmt);
	free(k->line);
	return r;
}

int capture_stream(const struct capture_opts *opts, uint64_t duration_usec, const char *write_path)
{
	struct sink k = { .write_path = write_path };
	struct run_opts o = {
		.capture = *opts,
		.duration_usec = duration_usec,
		.stats_interval_sec = opts->source == CAPTURE_SOURCE_FILE ? 0 : 10,
		.on_start = sink_start,
		.on_event = sink_event,
		.userdata = &k,
	};
	struct capture_stats st = {};
	int r;

	r = run_capture(&o, &st);
	if (!k.started)
		return r; /* never started: run_capture() said why */
	r = sink_finish(&k, &st, opts->source == CAPTURE_SOURCE_FILE, r);
	if (opts->source != CAPTURE_SOURCE_FILE && !write_path)
		log_summary(&st, UINT64_MAX, NULL, false);
	return r < 0 ? r : 0;
}

static int run(void)
{
	struct capture_opts opts = {
		.source = arg_read ? CAPTURE_SOURCE_FILE : arg_source,
		.path = arg_read ? arg_read : arg_dev_dir,
		.buffer_bytes = arg_buffer_size,
		.snaplen = arg_snaplen,
		.accept_damaged = arg_accept_damaged,
	};

	return capture_stream(&opts, (uint64_t)arg_duration * 1000000u, arg_write);
}

int cmd_capture(int argc, char *argv[])
{
	int r;

	r = parse_argv(argc, argv);
	if (r <= 0)
		return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	return run() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
