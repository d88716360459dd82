// SPDX-License-Identifier: Apache-2.0
/*
 * bench-replay: rules-engine throughput on a recorded node workload, on one core.
 *
 * Loads a capture file (test/bench/make-workload-capture.sh records one: a compile, package
 * installs, shell activity, network clients) into memory, then replays it through the whole
 * detection path per event: event_decode() + detect_on_event() (process state, field
 * extraction, rule evaluation, alert building). Four configurations:
 *
 *   default rules (rules/osprey_rules.yaml)          indexed by event type / every rule on
 *   upstream Falco rules (the three files in           every event (detect_opts.no_index,
 *   ../shared/fixtures/falco-rules/, unmodified)       the baseline issue 3 compares with)
 *
 * Each round replays the capture once per configuration with a fresh detect (fresh state), the
 * configurations taking turns so that a busy machine hurts them alike; best of --rounds rounds.
 * Ratios are taken within this one run. The alerts of the indexed and unindexed replays must be
 * the same (count and a hash of rule names and output texts): if not, it says so and fails.
 * It also counts malloc/calloc/realloc calls made while replaying (a replaced malloc that
 * forwards to glibc's), to check that events are processed without allocating.
 * Issue 3 targets >= 1.5 M events/s with the default rules and >= 3x the unindexed baseline.
 * Prints, never asserts a time. Exits 77 when the capture file is missing.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "config.h"
#include "detect.h"
#include "diag.h"
#include "macro.h"
#include "osprey_config.h"
#include "parse.h"
#include "ruleset.h"
#include "bench-rules.h"

#define TARGET_EVENTS_PER_S 1.5e6
#define TARGET_RATIO	    3.0
#define DEFAULT_CAPTURE	    "/dev/shm/osprey-workload.cap"
#define DEFAULT_RULES	    OSPREY_SOURCE_ROOT "/rules/osprey_rules.yaml"
#define FALCO_DIR	    OSPREY_SOURCE_ROOT "/../shared/fixtures/falco-rules"
#define MAX_ROUNDS	    100u

static const char *arg_capture = DEFAULT_CAPTURE;
static const char *arg_rules = DEFAULT_RULES;
static const char *arg_falco_dir = FALCO_DIR;
static uint32_t arg_rounds = 5;
static bool arg_no_falco;
static const char *arg_only; /* one configuration alone, for profiling */

/* ---- counting allocations: malloc replaced by a counter in front of glibc's ---- */

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define COUNT_ALLOCS 1
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);

static atomic_ulong n_allocs;

void *malloc(size_t size)
{
	atomic_fetch_add_explicit(&n_allocs, 1, memory_order_relaxed);
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	atomic_fetch_add_explicit(&n_allocs, 1, memory_order_relaxed);
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	atomic_fetch_add_explicit(&n_allocs, 1, memory_order_relaxed);
	return __libc_realloc(p, size);
}

void free(void *p)
{
	__libc_free(p);
}

static uint64_t allocs_now(void)
{
	return atomic_load_explicit(&n_allocs, memory_order_relaxed);
}
#else
#define COUNT_ALLOCS 0
static uint64_t allocs_now(void)
{
	return 0;
}
#endif

/* ---- the capture, in memory ---- */

struct replay {
	uint8_t *buf; /* records back to back, each 8-aligned */
	size_t len, cap;
	uint64_t n, n_snapshot;
	char hostname[256];
	uint64_t boot_time_ns;
};

static int replay_load(struct replay *rp, const char *path)
{
	struct capture_opts o = {.source = CAPTURE_SOURCE_FILE, .path = path};
	struct capture *c = NULL;
	const struct capture_machine *m;
	const char *why = NULL;
	struct event ev;
	int r;

	r = capture_open(&o, &c, &why);
	if (r < 0) {
		fprintf(stderr, "bench-replay: cannot open '%s': %s\n", path,
			why ? why : strerror(-r));
		return r;
	}
	m = capture_get_machine(c);
	if (m) {
		snprintf(rp->hostname, sizeof(rp->hostname), "%s", m->hostname);
		rp->boot_time_ns = m->boot_time_ns;
	}
	while ((r = capture_next(c, &ev)) == 0) {
		size_t len = ev.hdr->len;

		if (rp->len + len > rp->cap) {
			size_t cap = rp->cap ? 2 * rp->cap : (64u << 20);
			uint8_t *p;

			while (cap < rp->len + len)
				cap *= 2;
			p = realloc(rp->buf, cap);
			if (!p) {
				r = -ENOMEM;
				break;
			}
			rp->buf = p;
			rp->cap = cap;
		}
		memcpy(rp->buf + rp->len, ev.hdr, len);
		rp->len += len;
		rp->n++;
		rp->n_snapshot += ev.hdr->type == OSP_EVT_PROC_SNAPSHOT ||
				  ev.hdr->type == OSP_EVT_FD_SNAPSHOT;
	}
	if (r == -ENODATA)
		r = 0;
	if (r < 0)
		fprintf(stderr, "bench-replay: reading '%s' failed: %s\n", path,
			capture_error(c) ? capture_error(c) : strerror(-r));
	capture_close(c);
	return r;
}

/* ---- one configuration ---- */

struct config {
	const char *name;
	bool no_index;
	struct ruleset *rs; /* borrowed */
	/* best of the rounds */
	uint64_t best_ns, best_cpu_ns;
	double ratio_in_round[MAX_ROUNDS]; /* indexed configurations: unindexed / indexed */
	/* per replay, the same every round */
	uint64_t alerts, alert_hash, evaluated, allocs;
	size_t n_rules;
	bool mismatch;
};

struct alert_sum {
	uint64_t n, hash;
};

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static void on_alert(const struct alert *a, void *userdata)
{
	struct alert_sum *s = userdata;

	s->n++;
	/* order matters: mix the count in */
	s->hash = fnv(fnv(s->hash ^ s->n, a->rule), a->output);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int replay_run(const struct replay *rp, struct config *cf, uint64_t *ret_ns,
		      uint64_t *ret_cpu_ns)
{
	_cleanup_(detect_freep) struct detect *d = NULL;
	struct osprey_config oc;
	struct detect_opts o = {.no_index = cf->no_index, .replay = true};
	struct alert_sum sum = {.hash = 1469598103934665603ull};
	struct detect_stats st;
	uint64_t t0, c0, a0, a1;
	struct event ev;
	int r;

	osprey_config_init(&oc);
	r = detect_new(&oc, cf->rs, &o, &d);
	osprey_config_done(&oc);
	if (r < 0) {
		fprintf(stderr, "bench-replay: detect_new(%s) failed: %s\n", cf->name, strerror(-r));
		return r;
	}
	detect_set_alert_fn(d, on_alert, &sum);
	detect_set_machine(d, rp->hostname[0] ? rp->hostname : NULL, rp->boot_time_ns);

	a0 = allocs_now();
	t0 = clock_ns(CLOCK_MONOTONIC);
	c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (size_t off = 0; off < rp->len;) {
		const struct osp_event_hdr *h = (const void *)(rp->buf + off);

		if (event_decode(h, h->len, &ev) == 0)
			detect_on_event(d, &ev);
		off += h->len;
	}
	*ret_cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
	*ret_ns = clock_ns(CLOCK_MONOTONIC) - t0;
	a1 = allocs_now();

	detect_get_stats(d, &st);
	if (cf->evaluated && (sum.n != cf->alerts || sum.hash != cf->alert_hash)) {
		fprintf(stderr, "bench-replay: %s: alerts differ between rounds (%" PRIu64
			" then %" PRIu64 ")\n", cf->name, cf->alerts, sum.n);
		cf->mismatch = true;
	}
	cf->alerts = sum.n;
	cf->alert_hash = sum.hash;
	cf->evaluated = st.evaluated;
	cf->allocs = a1 - a0;
	return 0;
}

/* ---- rules ---- */

/* ---- command line ---- */

static void help(void)
{
	printf("Usage: bench-replay [OPTIONS]\n"
	       "Replays a capture through state + rules, indexed and unindexed, on one core.\n\n"
	       "  -c, --capture=FILE    capture file (default %s;\n"
	       "                        record it with test/bench/make-workload-capture.sh)\n"
	       "  -r, --rules=FILE      Osprey rules (default %s)\n"
	       "      --falco-dir=DIR   upstream Falco rule files (default %s)\n"
	       "      --no-falco        only the default rules\n"
	       "      --only=CONFIG     replay one configuration alone, for a profiler: default,\n"
	       "                        default-noindex, falco or falco-noindex\n"
	       "  -n, --rounds=N        replays per configuration, best kept (default %u)\n"
	       "  -h, --help            show this help\n",
	       DEFAULT_CAPTURE, DEFAULT_RULES, FALCO_DIR, arg_rounds);
}

static int parse_argv(int argc, char *argv[])
{
	enum { ARG_FALCO_DIR = 0x100, ARG_NO_FALCO, ARG_ONLY };
	static const struct option options[] = {
		{"capture", required_argument, NULL, 'c'},
		{"rules", required_argument, NULL, 'r'},
		{"falco-dir", required_argument, NULL, ARG_FALCO_DIR},
		{"no-falco", no_argument, NULL, ARG_NO_FALCO},
		{"only", required_argument, NULL, ARG_ONLY},
		{"rounds", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:r:n:h", options, NULL)) >= 0)
		switch (c) {
		case 'c':
			arg_capture = optarg;
			break;
		case 'r':
			arg_rules = optarg;
			break;
		case ARG_FALCO_DIR:
			arg_falco_dir = optarg;
			break;
		case ARG_NO_FALCO:
			arg_no_falco = true;
			break;
		case ARG_ONLY:
			if (strcmp(optarg, "default") != 0 && strcmp(optarg, "default-noindex") != 0 &&
			    strcmp(optarg, "falco") != 0 && strcmp(optarg, "falco-noindex") != 0) {
				fprintf(stderr, "bench-replay: bad --only '%s': want default, "
					"default-noindex, falco or falco-noindex\n", optarg);
				return -EINVAL;
			}
			arg_only = optarg;
			break;
		case 'n':
			if (safe_atou32(optarg, &arg_rounds) < 0 || arg_rounds == 0 ||
			    arg_rounds > MAX_ROUNDS) {
				fprintf(stderr, "bench-replay: bad --rounds '%s': want 1..%u\n",
					optarg, MAX_ROUNDS);
				return -EINVAL;
			}
			break;
		case 'h':
			help();
			return 0;
		default:
			return -EINVAL;
		}
	if (optind < argc) {
		fprintf(stderr, "bench-replay: unexpected argument '%s'; see --help\n", argv[optind]);
		return -EINVAL;
	}
	return 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double rate_of(const struct replay *rp, uint64_t ns)
{
	return ns ? (double)rp->n * 1e9 / (double)ns : 0;
}

int main(int argc, char *argv[])
{
	_cleanup_(ruleset_freep) struct ruleset *rs_default = NULL, *rs_falco = NULL;
	struct replay rp = {};
	struct config cf[4] = {
		{.name = "default", .no_index = false},
		{.name = "default-noindex", .no_index = true},
		{.name = "falco", .no_index = false},
		{.name = "falco-noindex", .no_index = true},
	};
	size_t n_cf = 4;
	char falco_paths[3][4096];
	const char *fp[3];
	static const char *const falco_files[3] = {
		"falco_rules.yaml",
		"falco-incubating_rules.yaml",
		"falco-sandbox_rules.yaml",
	};
	bool failed = false;
	cpu_set_t set;
	int r;

	r = parse_argv(argc, argv);
	if (r <= 0)
		return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	if (access(arg_capture, R_OK) < 0) {
		fprintf(stderr, "bench-replay: no capture '%s' (%m); record one with "
			"`sudo test/bench/make-workload-capture.sh -o %s`; skipping\n", arg_capture,
			arg_capture);
		return 77;
	}

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	(void)sched_setaffinity(0, sizeof(set), &set);

	r = replay_load(&rp, arg_capture);
	if (r < 0)
		return EXIT_FAILURE;
	r = bench_rules_load("bench-replay", &arg_rules, 1, &rs_default);
	if (r < 0)
		return EXIT_FAILURE;
	cf[0].rs = cf[1].rs = rs_default;
	if (arg_no_falco)
		n_cf = 2;
	else {
		for (size_t i = 0; i < 3; i++) {
			snprintf(falco_paths[i], sizeof(falco_paths[i]), "%s/%s", arg_falco_dir,
				 falco_files[i]);
			fp[i] = falco_paths[i];
		}
		r = bench_rules_load("bench-replay", fp, 3, &rs_falco);
		if (r < 0)
			return EXIT_FAILURE;
		cf[2].rs = cf[3].rs = rs_falco;
	}

	if (arg_only) {
		for (size_t i = 0; i < 4; i++) {
			uint64_t ns, cpu;

			if (strcmp(cf[i].name, arg_only) != 0)
				continue;
			if (!cf[i].rs) {
				fprintf(stderr, "bench-replay: --only=%s with --no-falco\n", arg_only);
				return EXIT_FAILURE;
			}
			for (uint32_t round = 0; round < arg_rounds; round++) {
				r = replay_run(&rp, &cf[i], &ns, &cpu);
				if (r < 0)
					return EXIT_FAILURE;
				printf("%s: %.2f M events/s, %" PRIu64 " alerts, %" PRIu64
				       " allocations\n", cf[i].name, rate_of(&rp, ns) / 1e6,
				       cf[i].alerts, cf[i].allocs);
			}
		}
		free(rp.buf);
		return EXIT_SUCCESS;
	}

	/* one replay per configuration per round, in turn */
	for (uint32_t round = 0; round < arg_rounds; round++) {
		uint64_t ns[4], cpu[4];

		for (size_t i = 0; i < n_cf; i++) {
			r = replay_run(&rp, &cf[i], &ns[i], &cpu[i]);
			if (r < 0)
				return EXIT_FAILURE;
			if (!cf[i].best_ns || ns[i] < cf[i].best_ns)
				cf[i].best_ns = ns[i];
			if (!cf[i].best_cpu_ns || cpu[i] < cf[i].best_cpu_ns)
				cf[i].best_cpu_ns = cpu[i];
		}
		for (size_t i = 0; i < n_cf; i += 2)
			cf[i].ratio_in_round[round] = (double)ns[i + 1] / (double)ns[i];
	}

	printf("bench-replay: %s: %" PRIu64 " events (%" PRIu64 " from the /proc snapshot), "
	       "%.1f MiB; best of %u rounds, one core\n",
	       arg_capture, rp.n, rp.n_snapshot, (double)rp.len / (1 << 20), arg_rounds);
	for (size_t i = 0; i < n_cf; i++) {
		struct detect *d = NULL;
		struct osprey_config oc;
		struct detect_opts o = {.no_index = cf[i].no_index};

		osprey_config_init(&oc);
		if (detect_new(&oc, cf[i].rs, &o, &d) == 0)
			cf[i].n_rules = detect_n_rules(d);
		detect_free(d);
		osprey_config_done(&oc);
		printf("  %-16s %3zu rules: %6.2f M events/s (cpu %6.2f), %6.1f ns/event, "
		       "%" PRIu64 " alerts, %" PRIu64 " allocations while replaying%s\n",
		       cf[i].name, cf[i].n_rules, rate_of(&rp, cf[i].best_ns) / 1e6,
		       rate_of(&rp, cf[i].best_cpu_ns) / 1e6,
		       (double)cf[i].best_ns / (double)rp.n, cf[i].alerts, cf[i].allocs,
		       COUNT_ALLOCS ? "" : " (not counted under a sanitizer)");
	}
	for (size_t i = 0; i < n_cf; i += 2) {
		double sorted[MAX_ROUNDS], ratio = (double)cf[i + 1].best_ns / (double)cf[i].best_ns;

		memcpy(sorted, cf[i].ratio_in_round, arg_rounds * sizeof(double));
		qsort(sorted, arg_rounds, sizeof(double), cmp_double);
		printf("  %-7s index speed-up: %.2fx (best/best; per round median %.2fx, range "
		       "%.2f..%.2f)\n",
		       cf[i].name, ratio, sorted[arg_rounds / 2], sorted[0], sorted[arg_rounds - 1]);
		if (cf[i].alerts != cf[i + 1].alerts || cf[i].alert_hash != cf[i + 1].alert_hash) {
			fprintf(stderr, "bench-replay: %s: the unindexed replay raised different "
				"alerts (%" PRIu64 " vs %" PRIu64 "): the index changes results\n",
				cf[i].name, cf[i + 1].alerts, cf[i].alerts);
			failed = true;
		}
		failed |= cf[i].mismatch || cf[i + 1].mismatch;
	}
	printf("  targets: >= %.1f M events/s with the default rules (ratio %.2f), "
	       ">= %.0fx the unindexed baseline (ratio %.2f)\n",
	       TARGET_EVENTS_PER_S / 1e6, rate_of(&rp, cf[0].best_ns) / TARGET_EVENTS_PER_S,
	       TARGET_RATIO, (double)cf[1].best_ns / (double)cf[0].best_ns / TARGET_RATIO);
	for (size_t i = 0; i < n_cf; i++)
		printf("result rules=%s index=%s events=%" PRIu64 " events_per_s=%.0f "
		       "cpu_events_per_s=%.0f alerts=%" PRIu64 " alert_hash=%016" PRIx64
		       " allocs=%" PRIu64 "\n",
		       i < 2 ? "default" : "falco", cf[i].no_index ? "no" : "yes", rp.n,
		       rate_of(&rp, cf[i].best_ns), rate_of(&rp, cf[i].best_cpu_ns), cf[i].alerts,
		       cf[i].alert_hash, cf[i].allocs);
	for (size_t i = 0; i < n_cf; i += 2)
		printf("result rules=%s index_speedup=%.2f\n", i < 2 ? "default" : "falco",
		       (double)cf[i + 1].best_ns / (double)cf[i].best_ns);
	free(rp.buf);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
