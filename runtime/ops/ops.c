// SPDX-License-Identifier: Apache-2.0
/*
 * The operations glue: one timer on the main loop publishes the metrics snapshot, runs the drop
 * policy and the watchdog and decides health; the web server's handlers read the snapshot.
 * See ops.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "bpf_stats.h"
#include "drops.h"
#include "log.h"
#include "macro.h"
#include "metrics.h"
#include "notify.h"
#include "ops.h"
#include "watchdog.h"
#include "web_server.h"

#define OPS_TICK_USEC	      1000000u
#define OPS_OUTPUTS_STUCK_SEC 10 /* queued alerts and none delivered for this long */
#define OPS_RULE_FILES_MAX    METRICS_RULE_FILES_MAX
#define OPS_DROP_RULE	      "Falco internal: syscall event drop"
#define OPS_SNAPSHOT_RULE     "Falco internal: metrics snapshot"
#define OPS_WATCHDOG_RULE     "Osprey internal: driver watchdog"

struct ops {
	const struct ops_config *c;
	const struct ruleset *rs;
	struct web_server *web;

	/* published for the web threads */
	pthread_mutex_t lock;
	struct metrics_snapshot pub;

	/* the main loop's side */
	struct metrics_snapshot cur;
	struct metrics_rule_info *rules;
	struct metrics_rule_file files[OPS_RULE_FILES_MAX];
	size_t n_files;
	struct ops_run run;
	char hostname[256], kernel_release[65];
	struct capture_stats last_cap; /* totals at the last tick (base + the open capture's) */
	struct capture_stats cap_base; /* what closed captures counted (recovery) */
	struct capture_stats cap_raw;  /* the open capture's own, at the last tick */
	uint64_t last_tick_ns;
	uint64_t last_cpu_ticks;
	uint64_t last_processed, processed_since_ns; /* the queue to the sinks' dispatcher */
	uint64_t sink_done[_OUTPUTS_SINK_MAX], sink_since_ns[_OUTPUTS_SINK_MAX]; /* each sink */
	uint64_t next_snapshot_ns;
	struct drops_policy drops;
	struct watchdog wd;
	struct bpf_stats bpf;
	uint64_t last_missed;
	uint64_t sd_watchdog_ns, sd_last_ping_ns; /* systemd's WatchdogSec, halved */
	bool started;
};

static uint64_t now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t now_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the web handlers (web server threads) ---- */

static void on_healthz(const struct web_request *req, struct web_response *resp, void *userdata)
{
	struct ops *o = userdata;
	char reason[sizeof(o->pub.health_reason) * 2];
	bool healthy;
	size_t j = 0;

	pthread_mutex_lock(&o->lock);
	healthy = o->pub.healthy;
	/* JSON string: the reasons are ours, but escape quotes and backslashes anyway */
	for (const char *s = o->pub.health_reason; *s && j + 3 < sizeof(reason); s++) {
		if (*s == '"' || *s == '\\')
			reason[j++] = '\\';
		reason[j++] = *s;
	}
	reason[j] = 0;
	pthread_mutex_unlock(&o->lock);
	resp->content_type = "application/json";
	if (healthy) {
		web_response_printf(resp, "{\"status\":\"ok\"}\n");
		return;
	}
	resp->status = 503;
	web_response_printf(resp, "{\"status\":\"error\",\"reason\":\"%s\"}\n", reason);
}

static void on_metrics(const struct web_request *req, struct web_response *resp, void *userdata)
{
	struct ops *o = userdata;

	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	pthread_mutex_lock(&o->lock);
	metrics_render_prometheus(&o->pub, o->c, resp);
	pthread_mutex_unlock(&o->lock);
}

static void on_versions(const struct web_request *req, struct web_response *resp, void *userdata)
{
	resp->content_type = "application/json";
	metrics_render_versions(resp);
}

/* ---- setup ---- */

static void sha256_hex(const char *buf, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	out[0] = 0;
	if (EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL) != 1)
		return;
	for (unsigned i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int web_setup(struct ops *o)
{
	const struct ops_config *c = o->c;
	struct web_server_opts wo = {
		.listen_address = c->webserver.listen_address,
		.port = (uint16_t)c->webserver.listen_port,
		.ssl = c->webserver.ssl_enabled,
		.ssl_certificate = c->webserver.ssl_certificate,
		.threads = c->webserver.threadiness,
		.max_connections = c->webserver.max_connections,
	};
	const char *why = NULL, *hz = c->webserver.k8s_healthz_endpoint;
	long ncpu;
	int r;

	if (!wo.threads) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		wo.threads = ncpu > 4 ? 4 : ncpu > 0 ? (uint32_t)ncpu : 1;
	}
	r = web_server_new(&wo, &o->web, &why);
	if (r < 0)
		return log_error_errno(r, "Cannot start the web server: %s", why ? why : "%m");
	if (!hz || hz[0] != '/')
		return log_error_errno(-EINVAL,
				       "webserver.k8s_healthz_endpoint '%s' must be a path "
				       "starting with '/', e.g. /healthz.",
				       hz ? hz : "");
	r = web_server_add_handler(o->web, hz, WEB_METHOD_GET, 0, on_healthz, o);
	if (r >= 0)
		r = web_server_add_handler(o->web, "/versions", WEB_METHOD_GET, 0, on_versions, o);
	if (r >= 0 && c->webserver.prometheus_metrics_enabled)
		r = web_server_add_handler(o->web, "/metrics", WEB_METHOD_GET, 0, on_metrics, o);
	if (r < 0)
		return log_error_errno(r, "Cannot register the web endpoints: %m (is "
					  "webserver.k8s_healthz_endpoint /versions or /metrics?)");
	r = web_server_start(o->web, &why);
	if (r < 0)
		return log_error_errno(r, "Cannot start the web server: %s", why ? why : "%m");
	log_info("Web server on %s port %u (%s): %s, /versions%s.", c->webserver.listen_address,
		 web_server_get_port(o->web), c->webserver.ssl_enabled ? "https" : "http", hz,
		 c->webserver.prometheus_metrics_enabled ? ", /metrics" : "");
	return 0;
}

/* Copies the main loop's snapshot for the web threads (the per-rule arrays into pub's own). */
static void publish(struct ops *o)
{
	uint64_t *keep = o->pub.rule_matches;
	size_t n = o->cur.n_rules;

	pthread_mutex_lock(&o->lock);
	o->pub = o->cur;
	o->pub.rule_matches = keep;
	o->pub.rule_evals = keep ? keep + n : NULL;
	o->pub.rule_ns = keep ? keep + 2 * n : NULL;
	if (keep && n)
		memcpy(keep, o->cur.rule_matches, 3 * n * sizeof(uint64_t));
	pthread_mutex_unlock(&o->lock);
}

int ops_new(const struct ops_config *c, const struct ruleset *rs, struct ops **ret)
{
	_cleanup_(ops_freep) struct ops *o = NULL;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	int r;

	o = calloc(1, sizeof(*o));
	if (!o)
		return log_error_errno(-ENOMEM, "Out of memory.");
	o->c = c;
	o->rs = rs;
	o->bpf.stats_fd = -1;
	pthread_mutex_init(&o->lock, NULL);
	watchdog_init(&o->wd, c->watchdog.interval_ms, c->watchdog.timeout_ms);
	r = ops_set_ruleset(o, rs);
	if (r < 0)
		return log_error_errno(r, "Out of memory.");
	o->cur.start_ns = now_wall_ns();
	o->cur.ncpus = ncpu > 0 ? (uint32_t)ncpu : 1;
	snprintf(o->cur.health_reason, sizeof(o->cur.health_reason), "%s",
		 "starting: the event source is not open yet");
	publish(o);
	if (c->webserver.enabled) {
		r = web_setup(o);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(o);
	return 0;
}

int ops_set_ruleset(struct ops *o, const struct ruleset *rs)
{
	size_t n = rs ? rs->n_rules : 0, n_files = 0;
	_cleanup_free_ struct metrics_rule_info *rules = NULL;
	_cleanup_free_ uint64_t *cur = NULL, *pub = NULL;
	struct metrics_rule_file files[OPS_RULE_FILES_MAX] = {};
	int r = 0;

	if (n) {
		rules = calloc(n, sizeof(*rules));
		/* matches, sampled evaluations, sampled ns: one block each for cur and pub */
		cur = calloc(3 * n, sizeof(uint64_t));
		pub = calloc(3 * n, sizeof(uint64_t));
		if (!rules || !cur || !pub)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++)
			rules[i] = (struct metrics_rule_info){
				.name = rs->rules[i]->name,
				.priority = (int)rs->rules[i]->priority,
				.tags = (const char *const *)rs->rules[i]->tags,
				.n_tags = rs->rules[i]->n_tags,
			};
	}
	/* the sha256 of what was parsed (falcosecurity_falco_sha256_rules_files_info) */
	for (size_t i = 0; rs && i < rs->n_files && n_files < OPS_RULE_FILES_MAX; i++) {
		const struct rules_file *f = rs->files[i];
		const char *base = strrchr(f->path, '/');

		files[n_files].name = strdup(base ? base + 1 : f->path);
		if (!files[n_files].name) {
			r = -ENOMEM;
			break;
		}
		sha256_hex(f->buf, f->len, files[n_files].sha256);
		n_files++;
	}
	if (r < 0) {
		for (size_t i = 0; i < n_files; i++)
			free(files[i].name);
		return r;
	}
	/* the web threads read pub: swap under the lock */
	pthread_mutex_lock(&o->lock);
	for (size_t i = 0; i < o->n_files; i++)
		free(o->files[i].name);
	memcpy(o->files, files, sizeof(files));
	o->n_files = n_files;
	free(o->rules);
	free(o->cur.rule_matches);
	free(o->pub.rule_matches);
	o->rs = rs;
	o->rules = TAKE_PTR(rules);
	o->cur.rules = o->pub.rules = o->rules;
	o->cur.n_rules = o->pub.n_rules = n;
	o->cur.rule_files = o->pub.rule_files = o->files;
	o->cur.n_rule_files = o->pub.n_rule_files = n_files;
	o->cur.rule_matches = TAKE_PTR(cur);
	o->pub.rule_matches = TAKE_PTR(pub);
	o->cur.rule_evals = o->cur.rule_matches ? o->cur.rule_matches + n : NULL;
	o->cur.rule_ns = o->cur.rule_matches ? o->cur.rule_matches + 2 * n : NULL;
	o->pub.rule_evals = o->pub.rule_matches ? o->pub.rule_matches + n : NULL;
	o->pub.rule_ns = o->pub.rule_matches ? o->pub.rule_matches + 2 * n : NULL;
	pthread_mutex_unlock(&o->lock);
	return 0;
}

void ops_set_outputs(struct ops *o, struct outputs *out)
{
	o->run.outputs = out;
}

void ops_free(struct ops *o)
{
	if (!o)
		return;
	if (o->started)
		notify_send("STOPPING=1");
	web_server_free(o->web); /* first: the handlers read o */
	watchdog_done(&o->wd);
	bpf_stats_close(&o->bpf);
	for (size_t i = 0; i < o->n_files; i++)
		free(o->files[i].name);
	free(o->rules);
	free(o->cur.rule_matches);
	free(o->pub.rule_matches);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

void ops_set_capture(struct ops *o, struct capture *c)
{
	struct capture_stats raw;

	if (!c && o->run.capture && capture_get_stats(o->run.capture, &raw) >= 0) {
		o->cap_base.events += raw.events;
		o->cap_base.snapshot += raw.snapshot;
		o->cap_base.drops_buffer += raw.drops_buffer;
		o->cap_base.drops_too_big += raw.drops_too_big;
		o->cap_base.faults += raw.faults;
		o->cap_base.truncations += raw.truncations;
		o->cap_base.malformed += raw.malformed;
		o->cap_base.unknown += raw.unknown;
		o->cap_base.produced += raw.produced;
	}
	if (c) {
		o->cur.recovery.reopens++;
		watchdog_restart(&o->wd);
		if (o->bpf.stats_fd >= 0)
			bpf_stats_refresh(&o->bpf);
	}
	o->run.capture = c;
}

const uint32_t *ops_canary_pid(const struct ops *o)
{
	return watchdog_pid(&o->wd);
}

void ops_on_canary_event(struct ops *o, const struct event *ev)
{
	watchdog_on_event(&o->wd, ev);
}

uint16_t ops_web_port(const struct ops *o)
{
	return o->web ? web_server_get_port(o->web) : 0;
}

/* ---- the tick (main loop) ---- */

static void read_resources(struct ops *o, uint64_t elapsed_ns)
{
	char buf[4096], *p;
	unsigned long long ut = 0, st = 0, vsz = 0;
	long long rss = 0;
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	ssize_t n;
	int fd;

	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = 0;
		p = strrchr(buf, ')'); /* the command name may hold spaces */
		if (p && sscanf(p + 2,
				"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d "
				"%*d %*d %*d %*u %llu %lld",
				&ut, &st, &vsz, &rss) == 4) {
			uint64_t ticks = ut + st;

			if (o->last_cpu_ticks && elapsed_ns && tck > 0)
				o->cur.res.cpu_ratio = (double)(ticks - o->last_cpu_ticks) /
						       (double)tck / ((double)elapsed_ns / 1e9);
			o->last_cpu_ticks = ticks;
			o->cur.res.vsz = vsz;
			o->cur.res.rss = (uint64_t)rss * (uint64_t)(page > 0 ? page : 4096);
		}
	}
	FILE *f = fopen("/proc/self/smaps_rollup", "re");
	if (f) {
		unsigned long long kb;

		while (fgets(buf, sizeof(buf), f))
			if (sscanf(buf, "Pss: %llu kB", &kb) == 1) {
				o->cur.res.pss = kb * 1024u;
				break;
			}
		fclose(f);
	}
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		uint64_t nfd = 0;

		while (readdir(d))
			nfd++;
		closedir(d);
		o->cur.res.open_fds = nfd > 3 ? nfd - 3 : 0; /* ., .. and the directory's own fd */
	}
	f = fopen("/proc/stat", "re");
	if (f) {
		unsigned long long v;

		while (fgets(buf, sizeof(buf), f))
			if (sscanf(buf, "procs_running %llu", &v) == 1) {
				o->cur.res.host_procs_running = v;
				break;
			}
		fclose(f);
	}
}

static void push_alert(struct ops *o, enum alert_priority prio, const char *rule,
		       const char *output, const struct alert_field *fields, size_t n_fields)
{
	struct alert a = {
		.time_ns = now_wall_ns(),
		.priority = prio,
		.rule = rule,
		.source = "internal",
		.output = output,
		.fields = fields,
		.n_fields = n_fields,
	};

	if (o->run.outputs)
		outputs_push(o->run.outputs, &a);
}

/* The configured drop actions, with what was dropped since the previous action. */
static int drops_act(struct ops *o)
{
	const struct drops_delta *d = drops_policy_pending(&o->drops);
	uint32_t actions = o->c->syscall_event_drops.actions;
	uint64_t drops = drops_delta_total(d);
	double perc = d->n_evts + drops ? 100.0 * (double)drops / (double)(d->n_evts + drops) : 0;
	char output[256], vals[8][32];
	struct alert_field f[8];
	size_t n = 0;

	if (actions & OPS_DROP_LOG || !(actions & ~OPS_DROP_IGNORE))
		log_warning("Syscall event drops: %" PRIu64 " events dropped (%" PRIu64
			    " buffer full, %" PRIu64 " too big, %" PRIu64
			    " malformed or unknown) and %" PRIu64
			    " delivered since the last report: %.2f%%. Raise --buffer-size "
			    "(engine.*.buf_size_preset) or reduce the load.",
			    drops, d->n_drops_buffer, d->n_drops_too_big, d->n_drops_bad, d->n_evts,
			    perc);
	if (actions & OPS_DROP_ALERT) {
#define FIELD(nm, fmt, v)                                                                          \
	do {                                                                                       \
		snprintf(vals[n], sizeof(vals[n]), fmt, v);                                        \
		f[n] = (struct alert_field){                                                       \
			.name = nm, .type = ALERT_VALUE_STRING, .str = vals[n]};                   \
		n++;                                                                               \
	} while (0)
		FIELD("n_drops", "%" PRIu64, drops);
		FIELD("n_drops_buffer_total", "%" PRIu64, d->n_drops_buffer);
		FIELD("n_drops_scratch_map", "%" PRIu64, d->n_drops_too_big);
		FIELD("n_drops_malformed", "%" PRIu64, d->n_drops_bad);
		FIELD("n_evts", "%" PRIu64, d->n_evts);
		FIELD("n_drops_perc", "%.4f", perc);
		FIELD("ebpf_enabled", "%d",
		      o->run.engine_name && strcmp(o->run.engine_name, "modern_ebpf") == 0);
#undef FIELD
		snprintf(output, sizeof(output),
			 "Falco internal: syscall event drop. %" PRIu64
			 " system calls dropped since the last report.",
			 drops);
		push_alert(o, ALERT_PRIORITY_DEBUG, OPS_DROP_RULE, output, f, n);
	}
	drops_policy_reset_pending(&o->drops);
	if (actions & OPS_DROP_EXIT) {
		log_error("Exiting: syscall event drops beyond syscall_event_drops.threshold "
			  "(%.2f%% of events) and syscall_event_drops.actions has exit.",
			  perc);
		return -ENOBUFS;
	}
	return 0;
}

static unsigned drops_tick(struct ops *o, const struct capture_stats *cs, uint64_t now)
{
	struct drops_delta d = {
		.n_evts = cs->events - o->last_cap.events,
		.n_drops_buffer = cs->drops_buffer - o->last_cap.drops_buffer,
		.n_drops_too_big = cs->drops_too_big - o->last_cap.drops_too_big,
		.n_drops_bad = (cs->malformed - o->last_cap.malformed) +
			       (cs->unknown - o->last_cap.unknown),
	};
	unsigned dec;

	if (o->c->syscall_event_drops.simulate_drops) {
		/* Falco's simulate_drops: a heavy drop every second (as many as were delivered,
		 * at least 1000), through the same policy; counted apart from real drops */
		uint64_t sim = d.n_evts > 1000 ? d.n_evts : 1000;

		d.n_drops_buffer += sim;
		o->cur.drops.simulated += sim;
	}
	dec = drops_policy_feed(&o->drops, &d, now);
	if (dec & DROPS_LOG_FIRST)
		log_warning("Syscall event drops started: %" PRIu64 " events dropped in the last "
			    "second (%" PRIu64 " delivered). Further drops are reported by "
			    "syscall_event_drops (threshold %.3g, actions at most %.3g/s).",
			    drops_delta_total(&d), d.n_evts, o->c->syscall_event_drops.threshold,
			    o->c->syscall_event_drops.rate);
	o->cur.drops.seconds_with_drops = o->drops.seconds_with_drops;
	o->cur.drops.seconds_beyond = o->drops.seconds_beyond;
	o->cur.drops.actions = o->drops.actions;
	o->cur.drops.suppressed = o->drops.suppressed;
	return dec;
}

static int watchdog_act(struct ops *o, enum watchdog_result wr)
{
	uint32_t actions = o->c->watchdog.actions;
	struct alert_field f[1];
	char output[400];

	if (wr == WATCHDOG_RECOVERED) {
		log_info("Driver watchdog: the canary's events arrive again; the driver delivers.");
		return 0;
	}
	if (wr != WATCHDOG_FAILED)
		return 0;
	log_error("Driver watchdog: %s.", o->wd.reason);
	if (actions & OPS_WATCHDOG_ALERT) {
		f[0] = (struct alert_field){
			.name = "reason", .type = ALERT_VALUE_STRING, .str = o->wd.reason};
		snprintf(output, sizeof(output), "Osprey internal: driver watchdog: %s",
			 o->wd.reason);
		push_alert(o, ALERT_PRIORITY_CRITICAL, OPS_WATCHDOG_RULE, output, f, 1);
	}
	if (actions & OPS_WATCHDOG_EXIT) {
		log_error("Exiting: the driver watchdog failed and watchdog.actions has exit "
			  "(the kubelet or systemd restarts osprey, which reattaches the probe).");
		return -ENOLINK;
	}
	return 0;
}

static void health_update(struct ops *o, uint64_t now)
{
	const struct metrics_snapshot *s = &o->cur;
	char *why = o->cur.health_reason;
	size_t size = sizeof(o->cur.health_reason);

	why[0] = 0;
	if (o->wd.failing && (o->c->watchdog.actions & OPS_WATCHDOG_HEALTHZ))
		snprintf(why, size, "%s", o->wd.reason);
	else if (s->have_outputs && s->out.queued &&
		 now - o->processed_since_ns >= OPS_OUTPUTS_STUCK_SEC * 1000000000ull)
		snprintf(why, size,
			 "the alert outputs are stuck: %" PRIu64 " alerts queued and none "
			 "handed to the sinks for %us (see osprey_outputs_sink_queue_length)",
			 s->out.queued, (unsigned)((now - o->processed_since_ns) / 1000000000u));
	else if (s->have_outputs)
		/* one sink whose queue holds alerts and none left it, delivered or failed: its
		 * thread is stuck (a receiver that accepts and never answers, a full pipe) */
		for (size_t i = 0; i < _OUTPUTS_SINK_MAX && !why[0]; i++) {
			const struct outputs_sink_stats *ss = &s->sinks[i];

			if (ss->enabled && ss->queued &&
			    now - o->sink_since_ns[i] >= OPS_OUTPUTS_STUCK_SEC * 1000000000ull)
				snprintf(why, size,
					 "the %s output is stuck: %" PRIu64 " alerts in its queue "
					 "and none delivered or failed for %us, %" PRIu64
					 " dropped (see osprey_outputs_sink_dropped_total)",
					 ss->name ? ss->name : "?", ss->queued,
					 (unsigned)((now - o->sink_since_ns[i]) / 1000000000u),
					 ss->dropped);
		}
	o->cur.healthy = !why[0];
}

static void snapshot_emit(struct ops *o)
{
	struct metrics_field mf[ALERT_FIELDS_MAX];
	struct alert_field af[ALERT_FIELDS_MAX];
	char dbl[ALERT_FIELDS_MAX][32];
	size_t n = metrics_snapshot_fields(&o->cur, o->c, mf, ALERT_FIELDS_MAX);

	for (size_t i = 0; i < n; i++) {
		af[i].name = mf[i].name;
		if (mf[i].is_double) {
			snprintf(dbl[i], sizeof(dbl[i]), "%.2f", mf[i].d);
			af[i].type = ALERT_VALUE_STRING;
			af[i].str = dbl[i];
		} else {
			af[i].type = ALERT_VALUE_U64;
			af[i].u64 = mf[i].u;
		}
	}
	if (o->c->metrics.output_rule)
		push_alert(o, ALERT_PRIORITY_INFORMATIONAL, OPS_SNAPSHOT_RULE,
			   "Falco metrics snapshot", af, n);
	if (o->c->metrics.output_file && o->c->metrics.output_file[0]) {
		struct alert a = {
			.time_ns = now_wall_ns(),
			.priority = ALERT_PRIORITY_INFORMATIONAL,
			.rule = OPS_SNAPSHOT_RULE,
			.source = "internal",
			.hostname = o->hostname[0] ? o->hostname : NULL,
			.output = "Falco metrics snapshot",
			.fields = af,
			.n_fields = n,
		};
		struct alert_format fmt;
		_cleanup_free_ char *buf = malloc(ALERT_RENDER_MAX);
		int len, fd;

		alert_format_init(&fmt);
		fmt.json = true;
		len = buf ? alert_render(&a, &fmt, o->hostname, buf, ALERT_RENDER_MAX) : -ENOMEM;
		fd = len > 0 ? open(o->c->metrics.output_file,
				    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640)
			     : -1;
		if (fd < 0 || write(fd, buf, (size_t)len) != len)
			log_warning("Cannot write the metrics snapshot to '%s': %m (metrics."
				    "output_file).",
				    o->c->metrics.output_file);
		if (fd >= 0)
			close(fd);
	}
}

static int on_tick(struct loop_source *src, uint64_t now_usec, void *userdata)
{
	struct ops *o = userdata;
	uint64_t now = now_mono_ns(), elapsed = o->last_tick_ns ? now - o->last_tick_ns : 0;
	struct ops_engine_counters ec = {};
	struct capture_stats cs = {};
	enum watchdog_result wr = WATCHDOG_OK;
	unsigned dec = 0;
	int r = 0;

	if (!o->run.capture)
		cs = o->last_cap; /* reopening: nothing moves */
	if (o->run.capture && capture_get_stats(o->run.capture, &o->cap_raw) >= 0) {
		cs = o->cap_raw;
		cs.events += o->cap_base.events;
		cs.snapshot += o->cap_base.snapshot;
		cs.drops_buffer += o->cap_base.drops_buffer;
		cs.drops_too_big += o->cap_base.drops_too_big;
		cs.faults += o->cap_base.faults;
		cs.truncations += o->cap_base.truncations;
		cs.malformed += o->cap_base.malformed;
		cs.unknown += o->cap_base.unknown;
		cs.produced += o->cap_base.produced;
		o->cur.have_capture = true;
		if (elapsed) {
			double secs = (double)elapsed / 1e9;

			o->cur.evts_rate_sec = (double)(cs.events - o->last_cap.events) / secs;
			o->cur.drops_rate_sec =
				(double)((cs.drops_buffer + cs.drops_too_big) -
					 (o->last_cap.drops_buffer + o->last_cap.drops_too_big)) /
				secs;
		}
		if (o->run.live && elapsed)
			dec = drops_tick(o, &cs, now);
		o->cur.cap = cs;
	}
	if (o->run.counters) {
		o->run.counters(&ec, o->run.userdata);
		o->cur.engine.events = ec.events;
		o->cur.engine.evaluated = ec.evaluated;
		o->cur.engine.matches = ec.matches;
		o->cur.engine.alerts_pushed = ec.alerts_pushed;
		o->cur.engine.alerts_failed = ec.alerts_failed;
		o->cur.engine.untracked = ec.untracked;
		o->cur.engine.threads = ec.threads;
		o->cur.engine.fds = ec.fds;
		o->cur.engine.threads_dropped = ec.threads_dropped;
		o->cur.engine.fds_dropped = ec.fds_dropped;
		o->cur.recovery.errors = ec.source_errors;
		o->cur.have_meta = ec.have_meta;
		o->cur.meta = ec.meta;
		o->cur.have_k8saudit = ec.have_k8saudit;
		o->cur.k8saudit = ec.k8saudit;
		o->cur.reload.on = ec.have_reload;
		o->cur.reload.applied = ec.reloads;
		o->cur.reload.refused = ec.reloads_refused;
		if (ec.rule_matches && ec.n_rules == o->cur.n_rules && ec.n_rules) {
			memcpy(o->cur.rule_matches, ec.rule_matches, ec.n_rules * sizeof(uint64_t));
			if (ec.rule_evals && ec.rule_ns) {
				memcpy(o->cur.rule_evals, ec.rule_evals,
				       ec.n_rules * sizeof(uint64_t));
				memcpy(o->cur.rule_ns, ec.rule_ns, ec.n_rules * sizeof(uint64_t));
			}
			o->cur.sample_every = ec.sample_every;
		}
	}
	if (o->run.outputs) {
		outputs_get_stats(o->run.outputs, &o->cur.out);
		o->cur.have_outputs = true;
		if (o->cur.out.processed != o->last_processed || !o->cur.out.queued) {
			o->last_processed = o->cur.out.processed;
			o->processed_since_ns = now;
		}
		for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++) {
			struct outputs_sink_stats *ss = &o->cur.sinks[i];
			uint64_t done;

			if (outputs_get_sink_stats(o->run.outputs, i, ss) < 0)
				*ss = (struct outputs_sink_stats){};
			/* a sink moves while alerts leave its queue, delivered or failed */
			done = ss->delivered + ss->failed;
			if (done != o->sink_done[i] || !ss->queued) {
				o->sink_done[i] = done;
				o->sink_since_ns[i] = now;
			}
		}
	}
	if (o->run.live && o->c->watchdog.enabled && o->run.capture)
		wr = watchdog_tick(&o->wd, now, cs.produced);
	o->cur.watchdog.canaries = o->wd.canaries;
	o->cur.watchdog.seen = o->wd.seen;
	o->cur.watchdog.missed = o->wd.missed;
	o->cur.watchdog.failing = o->wd.failing;
	if (o->c->metrics.resource_utilization_enabled)
		read_resources(o, elapsed);
	if (o->bpf.stats_fd >= 0) {
		bpf_stats_read(&o->bpf);
		memcpy(o->cur.bpf, o->bpf.progs, o->bpf.n * sizeof(o->bpf.progs[0]));
		o->cur.n_bpf = o->bpf.n;
	}
	if (o->web)
		web_server_get_stats(o->web, &o->cur.web);
	o->cur.now_ns = now_wall_ns();
	o->cur.ticks++;
	health_update(o, now);

	publish(o);

	if (dec & DROPS_ACT)
		r = drops_act(o);
	/* systemd's watchdog: alive while this loop turns and the driver delivers */
	if (o->sd_watchdog_ns && !o->wd.failing && now - o->sd_last_ping_ns >= o->sd_watchdog_ns &&
	    notify_send("WATCHDOG=1") > 0)
		o->sd_last_ping_ns = now;
	/* every missed canary asks again: a reopened probe can be detached again */
	if (o->wd.missed != o->last_missed) {
		o->last_missed = o->wd.missed;
		if (o->run.reopen_request && (o->c->watchdog.actions & OPS_WATCHDOG_REOPEN))
			*o->run.reopen_request = true;
	}
	o->last_cap = cs;
	o->last_tick_ns = now;
	if (r >= 0)
		r = watchdog_act(o, wr);
	if (r >= 0 && o->c->metrics.enabled && now >= o->next_snapshot_ns) {
		if (o->next_snapshot_ns)
			snapshot_emit(o);
		o->next_snapshot_ns = now + o->c->metrics.interval_ms * 1000000u;
	}
	return r;
}

int ops_start(struct ops *o, const struct ops_run *run)
{
	const struct capture_machine *m = run->capture ? capture_get_machine(run->capture) : NULL;
	int r;

	o->run = *run;
	if (m) {
		snprintf(o->hostname, sizeof(o->hostname), "%s", m->hostname);
		snprintf(o->kernel_release, sizeof(o->kernel_release), "%s", m->kernel_release);
		o->cur.hostname = o->hostname[0] ? o->hostname : NULL;
		o->cur.kernel_release = o->kernel_release[0] ? o->kernel_release : NULL;
		o->cur.boot_ns = m->boot_time_ns;
	}
	o->cur.engine_name = run->engine_name;
	drops_policy_init(&o->drops, o->c->syscall_event_drops.threshold,
			  o->c->syscall_event_drops.rate, o->c->syscall_event_drops.max_burst,
			  now_mono_ns());
	r = loop_add_timer(run->loop, 1, OPS_TICK_USEC, on_tick, o, NULL);
	if (r < 0)
		return log_error_errno(r, "Cannot start the operations timer: %m");
	o->started = true;
	o->sd_watchdog_ns = notify_watchdog_usec() * 1000u / 2;
	if (o->c->metrics.libbpf_stats_enabled && run->live && run->engine_name &&
	    strcmp(run->engine_name, "modern_ebpf") == 0) {
		r = bpf_stats_open(&o->bpf);
		if (r < 0)
			log_warning("Cannot turn on the kernel's BPF statistics (metrics."
				    "libbpf_stats_enabled): %s; going on without them.",
				    strerror(-r));
		else
			log_info("Kernel BPF statistics on for %zu osprey programs (each run costs "
				 "some 20 ns more).",
				 o->bpf.n);
	}
	if (notify_send("READY=1") > 0)
		log_debug("Told systemd we are ready%s.",
			  o->sd_watchdog_ns ? "; pinging its watchdog" : "");
	return 0;
}
