// SPDX-License-Identifier: Apache-2.0
/*
 * bench-k8saudit: Kubernetes audit events per second through Falco's upstream k8saudit rules
 * (k8s_audit_rules.yaml, with falco_rules.yaml loaded too, as Falco's tests do) on one core.
 * The events are the real audit events of ../shared/fixtures/k8s-audit/traces (or the JSON
 * Lines file given with -f), replayed round-robin as file lines: each one is parsed from its
 * text (json-c), run through the rules (rule_matching first, as Falco's default) and every
 * match rendered into an alert (output text and output_fields; no sink). Prints events/s for
 * parsing alone and for parsing + rules + alerts. Exit 77 without the fixtures.
 *
 *	bench-k8saudit [-n EVENTS] [-f FILE] [-r RULES]...
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-rules.h"
#include "k8saudit.h"

#define LINES_MAX 4096

static char *lines[LINES_MAX];
static size_t line_lens[LINES_MAX], n_lines;

static int add_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return -errno;
	while ((n = getline(&line, &cap, f)) > 0 && n_lines < LINES_MAX) {
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (n == 0)
			continue;
		lines[n_lines] = strndup(line, (size_t)n);
		line_lens[n_lines++] = (size_t)n;
	}
	free(line);
	fclose(f);
	return 0;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct ctx {
	struct k8saudit_engine *e;
	struct k8saudit_alert_scratch s;
	uint64_t events, matches;
	bool rules;
};

static int on_match(const struct rules_rule *r, const struct k8saudit_event *ev, void *userdata)
{
	struct ctx *c = userdata;
	struct alert a;

	c->matches++;
	k8saudit_alert_build(c->e, r, ev, &c->s, &a);
	return 0;
}

static int on_event(const struct k8saudit_event *ev, void *userdata)
{
	struct ctx *c = userdata;

	c->events++;
	if (c->rules)
		k8saudit_engine_match(c->e, ev, on_match, c);
	return 0;
}

/* Events per second of wall-clock time, and per second of this thread's CPU time (what one
 * core does when it is not shared: the machine may be busy). */
static void run(struct k8saudit_parser *p, struct ctx *c, uint64_t n, bool rules, double *ret_wall,
		double *ret_cpu)
{
	uint64_t t0, c0;

	c->rules = rules;
	c->events = c->matches = 0;
	t0 = now_ns(CLOCK_MONOTONIC);
	c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	for (uint64_t i = 0; i < n; i++)
		k8saudit_parse(p, lines[i % n_lines], line_lens[i % n_lines], on_event, c, NULL, 0);
	*ret_cpu = (double)c->events / ((double)(now_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / 1e9);
	*ret_wall = (double)c->events / ((double)(now_ns(CLOCK_MONOTONIC) - t0) / 1e9);
}

int main(int argc, char *argv[])
{
	const char *fx =
		getenv("K8S_AUDIT_FIXTURES") ? getenv("K8S_AUDIT_FIXTURES") : "../shared/fixtures";
	const char *rules[16], *file = NULL;
	char paths[2][4096], dir[4096];
	size_t n_rules = 0;
	uint64_t n = 200000;
	struct ruleset *rs = NULL;
	struct k8saudit_parser *p = NULL;
	struct k8saudit_engine_opts eo = {.min_priority = PRIORITY_DEBUG};
	static struct ctx c;
	int opt, r;

	while ((opt = getopt(argc, argv, "n:f:r:")) >= 0) {
		switch (opt) {
		case 'n':
			n = strtoull(optarg, NULL, 10);
			break;
		case 'f':
			file = optarg;
			break;
		case 'r':
			if (n_rules < 16)
				rules[n_rules++] = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: bench-k8saudit [-n EVENTS] [-f FILE] [-r RULES]...\n");
			return 2;
		}
	}
	if (!n_rules) {
		snprintf(paths[0], sizeof(paths[0]), "%s/falco-rules/falco_rules.yaml", fx);
		snprintf(paths[1], sizeof(paths[1]), "%s/k8s-audit/rules/k8s_audit_rules.yaml", fx);
		rules[n_rules++] = paths[0];
		rules[n_rules++] = paths[1];
	}
	if (file) {
		if (add_file(file) < 0) {
			fprintf(stderr, "bench-k8saudit: cannot read '%s': %s\n", file,
				strerror(errno));
			return 1;
		}
	} else {
		DIR *d;
		struct dirent *de;

		snprintf(dir, sizeof(dir), "%s/k8s-audit/traces", fx);
		d = opendir(dir);
		if (!d) {
			fprintf(stderr, "SKIP: %s not found (set K8S_AUDIT_FIXTURES or use -f)\n",
				dir);
			return 77;
		}
		while ((de = readdir(d))) {
			char path[8192];

			if (!strstr(de->d_name, ".json"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			add_file(path);
		}
		closedir(d);
	}
	if (!n_lines) {
		fprintf(stderr, "bench-k8saudit: no events\n");
		return 1;
	}
	k8saudit_register();
	r = bench_rules_load("bench-k8saudit", rules, n_rules, &rs);
	if (r < 0)
		return r == -ENOENT ? 77 : 1;
	if (k8saudit_engine_new(rs, &eo, &c.e) < 0 || k8saudit_parser_new(&p) < 0)
		return 1;
	printf("bench-k8saudit: %zu distinct event lines, %zu k8s_audit rules, %llu events per "
	       "run, one core\n",
	       n_lines, k8saudit_engine_n_rules(c.e), (unsigned long long)n);
	double wall, cpu;
	size_t bytes = 0;

	for (size_t i = 0; i < n_lines; i++)
		bytes += line_lens[i];
	printf("  (average event %zu bytes of JSON)\n", bytes / n_lines);
	run(p, &c, n / 10 + 1, true, &wall, &cpu); /* warm up */
	run(p, &c, n, false, &wall, &cpu);
	printf("  parse only:            %10.0f events/s wall, %10.0f per CPU second\n", wall, cpu);
	run(p, &c, n, true, &wall, &cpu);
	printf("  parse + rules + alert: %10.0f events/s wall, %10.0f per CPU second "
	       "(%llu matches, %.1f%% of events)\n",
	       wall, cpu, (unsigned long long)c.matches,
	       100.0 * (double)c.matches / (double)c.events);
	k8saudit_engine_free(c.e);
	k8saudit_parser_free(p);
	ruleset_free(rs);
	for (size_t i = 0; i < n_lines; i++)
		free(lines[i]);
	return 0;
}
