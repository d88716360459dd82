// SPDX-License-Identifier: Apache-2.0
/*
 * bench-drops: does the consumer keep up? One process (then two) hammers
 * openat+close as fast as it can for a fixed time while this process consumes
 * with the capture library's defaults (every event, default ring buffer size,
 * /proc snapshot first) and does per event what `osprey capture` does: it
 * formats the event as a text line and writes it out (to /dev/null here).
 * With --consumer=rules it does what the osprey daemon does instead: asks the
 * driver for the event types the rules and the state need, and runs each event
 * through the process state and the rules (the default rules, or --rules FILE),
 * counting alerts; the outputs thread is left out.
 *
 * Prints, for each run: the hammers' syscalls, the events seen, the hammers'
 * openat/close events among them, the producer's drops and the drop rate.
 * Issue 2 targets 0 % drops. Prints, never asserts. The driver is the eBPF
 * probe (--source bpf, the default) or the kernel module (--source kmod,
 * devices in --dev-dir; its buffer size is the module's buffer_bytes_per_cpu
 * parameter, so --buffer does not apply). The last lines ("result ...") repeat
 * the drop rates in a form scripts read (test/vm/bench-vm.sh).
 *
 * Needs root (or CAP_BPF + CAP_PERFMON); exits 77 when the driver is unavailable.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-rules.h"
#include "capture.h"
#include "config.h"
#include "detect.h"
#include "event_format.h"
#include "macro.h"
#include "parse.h"

#define EXIT_SKIP 77
#define HAMMERS_MAX 16
#define DEFAULT_RULES OSPREY_SOURCE_ROOT "/rules/osprey_rules.yaml"

static uint32_t arg_seconds = 10;
static uint32_t arg_hammers_max = 2;
static uint32_t arg_buffer_bytes;
static const char *arg_path = "/etc/hostname";
static enum capture_source arg_source = CAPTURE_SOURCE_BPF;
static const char *arg_dev_dir;
static bool arg_rules_consumer; /* --consumer=rules */
static const char *arg_rules = DEFAULT_RULES;

struct run_result {
	uint32_t hammers;
	uint64_t iterations;    /* openat+close pairs the hammers did */
	uint64_t hammer_events; /* their openat/close events the consumer saw */
	uint64_t elapsed_ms;    /* wall time the run took, in ms */
	uint64_t alerts;        /* --consumer=rules: alerts the rules raised */
	struct capture_stats st;
};

/* The formatter's state (about 80 KiB): once, not per run or per event. */
static struct format_ctx fmt;
/* --consumer=rules: the compiled rules (once) and the alerts of a run. */
static struct ruleset *rules;
static uint64_t alerts;

static void count_alert(const struct alert *a, void *userdata)
{
	(void)a;
	(void)userdata;
	alerts++;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The child: waits for the go byte, hammers for arg_seconds, reports its count, exits. */
static _noreturn_ void hammer(int go_fd, int report_fd)
{
	uint64_t n = 0, end;
	char c;

	if (read(go_fd, &c, 1) != 1)
		_exit(EXIT_FAILURE);
	end = now_ns() + (uint64_t)arg_seconds * 1000000000ull;
	for (;;) {
		/* Check the clock every 256 pairs: cheap next to 512 syscalls. */
		for (int i = 0; i < 256; i++) {
			long fd = syscall(SYS_openat, AT_FDCWD, arg_path, O_RDONLY | O_CLOEXEC);

			if (fd < 0)
				_exit(EXIT_FAILURE);
			syscall(SYS_close, fd);
		}
		n += 256;
		if (now_ns() >= end)
			break;
	}
	if (write(report_fd, &n, sizeof(n)) != sizeof(n))
		_exit(EXIT_FAILURE);
	_exit(EXIT_SUCCESS);
}

/* The hammering children: forked, and not reaped yet (pids[i] is 0 once reaped). */
struct hammers {
	pid_t pids[HAMMERS_MAX];
	uint32_t n;
	uint32_t running;
};

static bool is_hammer(const struct hammers *h, uint32_t pid)
{
	for (uint32_t i = 0; i < h->n; i++)
		if ((uint32_t)h->pids[i] == pid)
			return true;
	return false;
}

/* Reaps the children that ended; with block set, waits for all of them. */
static void hammers_reap(struct hammers *h, bool block)
{
	while (h->running > 0) {
		pid_t p = waitpid(-1, NULL, block ? 0 : WNOHANG);

		if (p <= 0)
			return;
		for (uint32_t i = 0; i < h->n; i++)
			if (h->pids[i] == p)
				h->pids[i] = 0;
		h->running--;
	}
}

/* For _cleanup_: kills the children still running and reaps them all. */
static void hammers_stop(struct hammers *h)
{
	for (uint32_t i = 0; i < h->n; i++)
		if (h->pids[i] > 0)
			kill(h->pids[i], SIGKILL);
	hammers_reap(h, true);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct capture *, capture_close);

static void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

/* Consumes and formats events until the hammers are done and their events drained. */
static int consume(struct capture *cap, struct detect *d, struct hammers *h, FILE *out,
		   struct run_result *res, const char **ret_why)
{
	static char line[16384];
	uint64_t drain_end = 0;
	struct event ev;
	int r;

	for (;;) {
		r = capture_next(cap, &ev);
		if (r == 0) {
			if ((ev.hdr->type == OSP_EVT_OPENAT || ev.hdr->type == OSP_EVT_CLOSE) &&
			    is_hammer(h, ev.hdr->pid))
				res->hammer_events++;
			if (d) {
				detect_on_event(d, &ev);
				continue;
			}
			event_format_update(&fmt, &ev);
			if (event_format(&fmt, &ev, line, sizeof(line)) >= 0) {
				fputs(line, out);
				fputc('\n', out);
			}
			continue;
		}
		if (r != -EAGAIN) {
			*ret_why = capture_error(cap);
			return r;
		}
		hammers_reap(h, false);
		/* The hammers' records are all committed once they are reaped; give a record another
		 * CPU was still writing in front of them a moment, then stop at the next lull. */
		if (h->running == 0) {
			if (!drain_end)
				drain_end = now_ns() + 200 * 1000000ull;
			else if (now_ns() >= drain_end)
				return 0;
		}
		r = capture_wait(cap, capture_poll_interval_ms(cap));
		if (r < 0 && r != -EINTR) {
			*ret_why = "waiting for events failed";
			return r;
		}
	}
}

static int run(uint32_t nhammers, struct run_result *res, const char **ret_why)
{
	struct capture_opts opts = {
		.source = arg_source,
		.path = arg_dev_dir,
		.buffer_bytes = arg_buffer_bytes,
	};
	_cleanup_(capture_closep) struct capture *cap = NULL;
	_cleanup_(detect_freep) struct detect *d = NULL;
	uint8_t interest[OSP_EVT_COUNT];
	_cleanup_(fclosep) FILE *out = NULL;
	_cleanup_close_ int go_r = -EBADF, go_w = -EBADF, rep_r = -EBADF, rep_w = -EBADF;
	_cleanup_(hammers_stop) struct hammers h = {};
	uint64_t start;
	int fds[2], r;

	*res = (struct run_result){ .hammers = nhammers };

	out = fopen("/dev/null", "we");
	if (!out) {
		*ret_why = "cannot open /dev/null";
		return negative_errno();
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		*ret_why = "cannot create a pipe";
		return negative_errno();
	}
	go_r = fds[0];
	go_w = fds[1];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		*ret_why = "cannot create a pipe";
		return negative_errno();
	}
	rep_r = fds[0];
	rep_w = fds[1];

	if (arg_rules_consumer) {
		struct osprey_config oc;

		osprey_config_init(&oc);
		r = detect_new(&oc, rules, &(struct detect_opts){}, &d);
		osprey_config_done(&oc);
		if (r < 0) {
			*ret_why = "cannot set up the rules";
			return r;
		}
		detect_set_alert_fn(d, count_alert, NULL);
		detect_interest(d, interest);
		opts.interest = interest;
		alerts = 0;
	}
	/* Attach first, then start the hammers: every one of their syscalls is watched. */
	r = capture_open(&opts, &cap, ret_why);
	if (r < 0)
		return r;
	event_format_init(&fmt, capture_get_machine(cap)->boot_time_ns);

	for (uint32_t i = 0; i < nhammers; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			*ret_why = "cannot fork a hammer process";
			return negative_errno();
		}
		if (pid == 0)
			hammer(go_r, rep_w);
		h.pids[h.n++] = pid;
		h.running++;
	}
	/* Only the children read the go pipe and write reports: a child that dies is an EOF. */
	close(TAKE_FD(go_r));
	close(TAKE_FD(rep_w));

	start = now_ns();
	for (uint32_t i = 0; i < nhammers; i++)
		if (write(go_w, "g", 1) != 1) {
			*ret_why = "cannot start the hammer processes";
			return negative_errno();
		}

	r = consume(cap, d, &h, out, res, ret_why);
	if (r < 0)
		return r;
	res->elapsed_ms = (now_ns() - start) / 1000000;
	res->alerts = alerts;

	for (uint32_t i = 0; i < nhammers; i++) {
		uint64_t n;

		if (read(rep_r, &n, sizeof(n)) != sizeof(n)) {
			*ret_why = "a hammer process failed (cannot open the --path file?)";
			return -EIO;
		}
		res->iterations += n;
	}
	return capture_get_stats(cap, &res->st);
}

static const char *source_name(void)
{
	return arg_source == CAPTURE_SOURCE_KMOD ? "kmod" : "bpf";
}

static void print_result(const struct run_result *res)
{
	const struct capture_stats *st = &res->st;
	uint64_t live = st->events - st->snapshot;
	uint64_t drops = st->drops_buffer + st->drops_too_big;
	uint64_t expected = 2 * res->iterations;
	double pct = live + drops ? 100.0 * (double)drops / (double)(live + drops) : 0.0;

	printf("%u hammer%s, %u s:\n", res->hammers, res->hammers == 1 ? "" : "s", arg_seconds);
	printf("  hammer syscalls       %" PRIu64 " (%.0f/s)\n", expected,
	       (double)expected * 1000.0 / (double)(res->elapsed_ms ? res->elapsed_ms : 1));
	printf("  events seen           %" PRIu64 " live + %" PRIu64 " snapshot, %.0f/s\n", live,
	       st->snapshot, (double)live * 1000.0 / (double)(res->elapsed_ms ? res->elapsed_ms : 1));
	printf("  hammer events seen    %" PRIu64 " of %" PRIu64 " (%.3f%% missing)\n",
	       res->hammer_events, expected,
	       expected ? 100.0 * (double)(expected - MIN(expected, res->hammer_events)) /
				  (double)expected
			: 0.0);
	printf("  drops                 %" PRIu64 " (buffer full %" PRIu64 ", too big %" PRIu64
	       "), %.3f%% (target 0 %%)\n",
	       drops, st->drops_buffer, st->drops_too_big, pct);
	printf("  produced %" PRIu64 ", faults %" PRIu64 ", malformed %" PRIu64 ", buffers %u\n",
	       st->produced, st->faults, st->malformed, st->nbuffers);
	if (arg_rules_consumer)
		printf("  alerts                %" PRIu64 "\n", res->alerts);
}

/* The line scripts read: drops in % of what the producer had to write. */
static void print_result_line(const struct run_result *res)
{
	const struct capture_stats *st = &res->st;
	uint64_t live = st->events - st->snapshot;
	uint64_t drops = st->drops_buffer + st->drops_too_big;

	printf("result source=%s consumer=%s hammers=%u seconds=%u syscalls=%" PRIu64
	       " events=%" PRIu64 " drops=%" PRIu64 " drop_pct=%.3f\n",
	       source_name(), arg_rules_consumer ? "rules" : "text", res->hammers, arg_seconds, 2 * res->iterations, live, drops,
	       live + drops ? 100.0 * (double)drops / (double)(live + drops) : 0.0);
}

static void help(void)
{
	printf("Usage: bench-drops [OPTIONS]\n"
	       "Drops of an Osprey driver's capture under processes hammering openat+close.\n\n"
	       "  -S, --source=bpf|kmod  the driver: the eBPF probe (default) or the kernel module\n"
	       "  -d, --dev-dir=DIR   kmod: where the osprey devices are (default /dev)\n"
	       "  -s, --seconds=N     how long each run hammers (default 10)\n"
	       "  -H, --hammers=N     runs with 1..N hammering processes (default 2, max %d)\n"
	       "  -b, --buffer=SIZE   bpf: ring buffer size per CPU (default: the library's, 8M)\n"
	       "  -p, --path=FILE     file the hammers open (default /etc/hostname)\n"
	       "  -c, --consumer=text|rules  what the consumer does per event: format it as\n"
	       "                      osprey capture does (default), or run the state and the\n"
	       "                      rules as the osprey daemon does\n"
	       "  -r, --rules=FILE    rules for --consumer=rules (default %s)\n"
	       "  -h, --help          show this help\n",
	       HAMMERS_MAX, DEFAULT_RULES);
}

static int parse_argv(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "hammers", required_argument, NULL, 'H' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "path", required_argument, NULL, 'p' },
		{ "source", required_argument, NULL, 'S' },
		{ "dev-dir", required_argument, NULL, 'd' },
		{ "consumer", required_argument, NULL, 'c' },
		{ "rules", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint64_t size;
	int opt;

	while ((opt = getopt_long(argc, argv, "s:H:b:p:S:d:c:r:h", options, NULL)) >= 0) {
		switch (opt) {
		case 's':
			if (safe_atou32(optarg, &arg_seconds) < 0 || arg_seconds == 0 ||
			    arg_seconds > 3600) {
				fprintf(stderr, "bench-drops: bad --seconds '%s': want 1..3600\n", optarg);
				return -EINVAL;
			}
			break;
		case 'H':
			if (safe_atou32(optarg, &arg_hammers_max) < 0 || arg_hammers_max == 0 ||
			    arg_hammers_max > HAMMERS_MAX) {
				fprintf(stderr, "bench-drops: bad --hammers '%s': want 1..%d\n", optarg,
					HAMMERS_MAX);
				return -EINVAL;
			}
			break;
		case 'b':
			if (parse_size(optarg, &size) < 0 || size < CAPTURE_BUFFER_MIN ||
			    size > CAPTURE_BUFFER_MAX || (size & (size - 1))) {
				fprintf(stderr, "bench-drops: bad --buffer '%s': want a power of two from 64k to 1G\n",
					optarg);
				return -EINVAL;
			}
			arg_buffer_bytes = (uint32_t)size;
			break;
		case 'p':
			arg_path = optarg;
			break;
		case 'S':
			if (capture_source_from_name(optarg, &arg_source) < 0) {
				fprintf(stderr, "bench-drops: bad --source '%s': want bpf or kmod\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'd':
			arg_dev_dir = optarg;
			break;
		case 'c':
			if (strcmp(optarg, "rules") != 0 && strcmp(optarg, "text") != 0) {
				fprintf(stderr, "bench-drops: bad --consumer '%s': want text or rules\n",
					optarg);
				return -EINVAL;
			}
			arg_rules_consumer = strcmp(optarg, "rules") == 0;
			break;
		case 'r':
			arg_rules = optarg;
			break;
		case 'h':
			help();
			return 0;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bench-drops: unexpected argument '%s'; see --help\n", argv[optind]);
		return -EINVAL;
	}
	if (arg_source == CAPTURE_SOURCE_KMOD && arg_buffer_bytes) {
		fprintf(stderr, "bench-drops: --buffer does not apply to --source kmod: the module's "
			"buffer size is its buffer_bytes_per_cpu parameter (insmod osprey.ko "
			"buffer_bytes_per_cpu=N)\n");
		return -EINVAL;
	}
	if (arg_dev_dir && arg_source != CAPTURE_SOURCE_KMOD) {
		fprintf(stderr, "bench-drops: --dev-dir applies to --source kmod only\n");
		return -EINVAL;
	}
	return 1;
}

int main(int argc, char *argv[])
{
	static struct run_result results[HAMMERS_MAX];
	int r;

	r = parse_argv(argc, argv);
	if (r <= 0)
		return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	if (access(arg_path, R_OK) < 0) {
		fprintf(stderr, "bench-drops: cannot read '%s': %m; pick a readable file with --path\n",
			arg_path);
		return EXIT_FAILURE;
	}

	if (arg_rules_consumer) {
		r = bench_rules_load("bench-drops", &arg_rules, 1, &rules);
		if (r < 0)
			return EXIT_FAILURE;
	}
	printf("bench-drops: source %s (%s), openat+close of %s, consumer %s, ring buffer %s, "
	       "%ld CPUs\n",
	       source_name(),
	       arg_source == CAPTURE_SOURCE_KMOD ? "the osprey kernel module" : "the eBPF probe",
	       arg_path,
	       arg_rules_consumer ? "runs state + rules on every event (the osprey daemon's work)"
				  : "formats every event (osprey capture's work)",
	       arg_source == CAPTURE_SOURCE_KMOD ? "the module's (buffer_bytes_per_cpu)" :
	       arg_buffer_bytes ? "as given" : "default (8 MiB per CPU)",
	       sysconf(_SC_NPROCESSORS_ONLN));
	fflush(stdout);
	for (uint32_t n = 1; n <= arg_hammers_max; n++) {
		struct run_result res;
		const char *why = NULL;

		r = run(n, &res, &why);
		if (r < 0) {
			bool skip = n == 1 && (r == -EPERM || r == -EACCES || r == -ENOSYS ||
					       r == -EOPNOTSUPP || r == -EINVAL || r == -ENOENT);

			fprintf(stderr, "bench-drops: %s: %s%s\n", why ? why : "failed", strerror(-r),
				skip ? (arg_source == CAPTURE_SOURCE_KMOD ?
					" (needs root and the osprey module loaded; skipping)" :
					" (needs root and a kernel with BPF + BTF; skipping)") : "");
			return skip ? EXIT_SKIP : EXIT_FAILURE;
		}
		print_result(&res);
		results[n - 1] = res;
		fflush(stdout);
	}
	printf("\n");
	for (uint32_t n = 1; n <= arg_hammers_max; n++)
		print_result_line(&results[n - 1]);
	ruleset_free(rules);
	return EXIT_SUCCESS;
}
