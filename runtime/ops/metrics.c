// SPDX-License-Identifier: Apache-2.0
/*
 * Rendering the metrics snapshot: Prometheus text for /metrics, fields for the snapshot alert,
 * and the /versions document. See metrics.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "engine/ruleset.h"
#include "macro.h"
#include "metrics.h"

#define HELP_URL "https://falco.org/docs/metrics/"

/* Writes one sample; HELP and TYPE only when the family changes (series of a family follow
 * each other). labels is "" or 'k="v",k2="v2"' (already escaped). */
struct prom {
	struct web_response *r;
	char family[128];
	int err;
};

static void prom_sample(struct prom *p, const char *name, const char *type, const char *help,
			const char *labels, double value, bool integer)
{
	int r = 0;

	if (strcmp(p->family, name) != 0) {
		snprintf(p->family, sizeof(p->family), "%s", name);
		r = web_response_printf(p->r, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
					type);
	}
	if (r >= 0) {
		if (integer)
			r = web_response_printf(p->r, "%s%s%s%s %" PRIu64 "\n", name,
						*labels ? "{" : "", labels, *labels ? "}" : "",
						(uint64_t)value);
		else
			r = web_response_printf(p->r, "%s%s%s%s %.6g\n", name, *labels ? "{" : "",
						labels, *labels ? "}" : "", value);
	}
	if (r < 0 && !p->err)
		p->err = r;
}

static void counter(struct prom *p, const char *name, const char *help, uint64_t v)
{
	prom_sample(p, name, "counter", help, "", (double)v, true);
}

static void gauge(struct prom *p, const char *name, const char *help, uint64_t v)
{
	prom_sample(p, name, "gauge", help, "", (double)v, true);
}

static void gauge_d(struct prom *p, const char *name, const char *help, double v)
{
	prom_sample(p, name, "gauge", help, "", v, false);
}

/* A label value: backslash, double quote and newline escaped; cut to fit. */
static void label_escape(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (; s && *s && o + 3 < size; s++) {
		if (*s == '\\' || *s == '"') {
			buf[o++] = '\\';
			buf[o++] = *s;
		} else if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else
			buf[o++] = *s;
	}
	buf[o] = 0;
}

/* A label or metric name part: [a-zA-Z0-9_], anything else becomes '_'. */
static void name_sanitize(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (; s && *s && o + 1 < size; s++) {
		char ch = *s;

		buf[o++] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
					   (ch >= '0' && ch <= '9') || ch == '_'
				   ? ch
				   : '_';
	}
	buf[o] = 0;
}

/*
 * Per sink (outputs_get_sink_stats()), one series per enabled sink, label sink="stdout"...
 * Falco has no per-output metric (its only output one is the queue's
 * falcosecurity_falco_outputs_queue_num_drops_total, rendered above from struct outputs_stats),
 * so these are all Osprey's. For every sink: offered = delivered + failed + dropped + queued +
 * abandoned.
 */
static const struct {
	const char *name, *type, *help;
	size_t off;
} sink_counters[] = {
	{"osprey_outputs_sink_offered_total", "counter", "Alerts offered to a sink.",
	 offsetof(struct outputs_sink_stats, offered)},
	{"osprey_outputs_sink_delivered_total", "counter",
	 "Alerts a sink wrote or its receiver accepted.",
	 offsetof(struct outputs_sink_stats, delivered)},
	{"osprey_outputs_sink_failed_total", "counter",
	 "Alerts a sink tried and could not deliver, after its own retries.",
	 offsetof(struct outputs_sink_stats, failed)},
	{"osprey_outputs_sink_dropped_total", "counter",
	 "Alerts refused because the sink's own queue was full.",
	 offsetof(struct outputs_sink_stats, dropped)},
	{"osprey_outputs_sink_abandoned_total", "counter",
	 "Alerts left in a sink's queue when the outputs stopped.",
	 offsetof(struct outputs_sink_stats, abandoned)},
	{"osprey_outputs_sink_timeouts_total", "counter",
	 "Sink failures (HTTP: attempts) that timed out.",
	 offsetof(struct outputs_sink_stats, timeouts)},
	{"osprey_outputs_sink_restarts_total", "counter",
	 "Program sink: processes started after the first.",
	 offsetof(struct outputs_sink_stats, restarts)},
	{"osprey_outputs_sink_queue_length", "gauge",
	 "Alerts in a sink's queue now, the one being delivered included.",
	 offsetof(struct outputs_sink_stats, queued)},
};

static void render_rules(struct prom *p, const struct metrics_snapshot *s,
			 const struct ops_config *c)
{
	char labels[4096], esc[1024], tag[256];

	counter(p, "osprey_rules_matches_total", "Rule matches, all rules together.",
		s->engine.matches);
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct metrics_rule_info *ri = &s->rules[i];
		uint64_t n = s->rule_matches ? s->rule_matches[i] : 0;
		size_t o;

		if (!n && !c->metrics.include_empty_values)
			continue;
		label_escape(ri->name, esc, sizeof(esc));
		o = (size_t)snprintf(labels, sizeof(labels),
				     "priority=\"%d\",rule_name=\"%s\",source=\"syscall\"",
				     ri->priority, esc);
		for (size_t t = 0; t < ri->n_tags && o < sizeof(labels); t++) {
			name_sanitize(ri->tags[t], tag, sizeof(tag));
			o += (size_t)snprintf(labels + o, sizeof(labels) - o, ",tag_%s=\"true\"",
					      tag);
		}
		if (o >= sizeof(labels))
			continue; /* a rule with absurdly many tags: left out rather than cut */
		prom_sample(p, "falcosecurity_falco_rules_matches_total", "counter", HELP_URL,
			    labels, (double)n, true);
	}
	if (!s->sample_every || !s->rule_evals || !s->rule_ns)
		return;
	/* Osprey's: per-rule evaluation, sampled (one evaluated event in sample_every) */
	gauge(p, "osprey_rules_sample_every",
	      "Rule evaluation is timed on one evaluated event in this many.", s->sample_every);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < s->n_rules; i++) {
			if (!s->rule_evals[i] && !c->metrics.include_empty_values)
				continue;
			label_escape(s->rules[i].name, esc, sizeof(esc));
			snprintf(labels, sizeof(labels), "rule_name=\"%s\"", esc);
			if (pass == 0)
				prom_sample(p, "osprey_rule_sampled_evaluations_total", "counter",
					    "Evaluations of the rule on the sampled events.",
					    labels, (double)s->rule_evals[i], true);
			else
				prom_sample(p, "osprey_rule_sampled_evaluation_seconds_total",
					    "counter",
					    "Time spent evaluating the rule on the sampled events.",
					    labels, (double)s->rule_ns[i] / 1e9, false);
		}
}

int metrics_render_prometheus(const struct metrics_snapshot *s, const struct ops_config *c,
			      struct web_response *r)
{
	struct prom p = {.r = r};
	char labels[1024], esc[512];

	label_escape(OSPREY_VERSION, esc, sizeof(esc));
	snprintf(labels, sizeof(labels), "version=\"%s\"", esc);
	prom_sample(&p, "falcosecurity_falco_version_info", "gauge", HELP_URL, labels, 1, true);
	snprintf(labels, sizeof(labels), "version=\"%s\"", esc);
	prom_sample(&p, "osprey_version_info", "gauge", "Osprey's version.", labels, 1, true);
	for (size_t i = 0; i < s->n_rule_files; i++) {
		label_escape(s->rule_files[i].name, esc, sizeof(esc));
		snprintf(labels, sizeof(labels), "file_name=\"%s\",sha256=\"%s\"", esc,
			 s->rule_files[i].sha256);
		prom_sample(&p, "falcosecurity_falco_sha256_rules_files_info", "gauge", HELP_URL,
			    labels, 1, true);
	}
	label_escape(s->engine_name ? s->engine_name : "", esc, sizeof(esc));
	/* nodriver: the k8s_audit source alone */
	snprintf(labels, sizeof(labels), "engine_name=\"%s\",evt_source=\"%s\"", esc,
		 s->engine_name && strcmp(s->engine_name, "nodriver") == 0 ? "k8s_audit"
									   : "syscall");
	prom_sample(&p, "falcosecurity_scap_engine_name_info", "gauge", HELP_URL, labels, 1, true);
	if (s->kernel_release) {
		label_escape(s->kernel_release, esc, sizeof(esc));
		snprintf(labels, sizeof(labels), "kernel_release=\"%s\"", esc);
		prom_sample(&p, "falcosecurity_falco_kernel_release_info", "gauge", HELP_URL,
			    labels, 1, true);
	}
	if (s->hostname) {
		label_escape(s->hostname, esc, sizeof(esc));
		snprintf(labels, sizeof(labels), "hostname=\"%s\"", esc);
		prom_sample(&p, "falcosecurity_evt_hostname_info", "gauge", HELP_URL, labels, 1,
			    true);
	}
	gauge(&p, "falcosecurity_falco_start_timestamp_nanoseconds", HELP_URL, s->start_ns);
	gauge(&p, "falcosecurity_falco_host_boot_timestamp_nanoseconds", HELP_URL, s->boot_ns);
	gauge(&p, "falcosecurity_falco_host_num_cpus_total", HELP_URL, s->ncpus);
	counter(&p, "falcosecurity_falco_duration_seconds_total", HELP_URL,
		s->now_ns > s->start_ns ? (s->now_ns - s->start_ns) / 1000000000u : 0);
	gauge(&p, "osprey_healthy", "1 when /healthz answers 200, else 0.", s->healthy);

	/* the engine */
	counter(&p, "falcosecurity_falco_n_evts_total", HELP_URL, s->engine.events);
	counter(&p, "osprey_engine_evaluated_total", "Events that had rules to evaluate.",
		s->engine.evaluated);
	counter(&p, "osprey_engine_untracked_total",
		"Events whose thread the state could not track.", s->engine.untracked);

	/* outputs: Falco's queue drops, then Osprey's per-stage and per-sink counters */
	if (s->have_outputs) {
		counter(&p, "falcosecurity_falco_outputs_queue_num_drops_total", HELP_URL,
			s->out.dropped);
		counter(&p, "osprey_outputs_pushed_total", "Alerts handed to the outputs.",
			s->out.pushed);
		counter(&p, "osprey_outputs_throttled_total",
			"Alerts refused by the outputs.rate limit.", s->out.throttled);
		counter(&p, "osprey_outputs_truncated_total", "Alerts cut to fit the bounds.",
			s->out.truncated);
		counter(&p, "osprey_outputs_processed_total",
			"Alerts taken from the queue and offered to every sink.", s->out.processed);
		gauge(&p, "osprey_outputs_queue_length", "Alerts waiting in the queue now.",
		      s->out.queued);
		for (size_t k = 0; k < ARRAY_SIZE(sink_counters); k++)
			for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++) {
				const struct outputs_sink_stats *ss = &s->sinks[i];

				if (!ss->enabled || !ss->name)
					continue;
				snprintf(labels, sizeof(labels), "sink=\"%s\"", ss->name);
				prom_sample(&p, sink_counters[k].name, sink_counters[k].type,
					    sink_counters[k].help, labels,
					    (double)*(const uint64_t *)((const char *)ss +
									sink_counters[k].off),
					    true);
			}
	}

	/* container metadata (runtime/meta/) and the hold of starting containers (detect/) */
	if (s->have_meta && c->metrics.state_counters_enabled) {
		const struct meta_stats *m = &s->meta.meta;

		gauge(&p, "osprey_meta_containers", "Containers in the metadata cache now.",
		      m->entries);
		counter(&p, "osprey_meta_hits_total", "Reads of a described container.", m->hits);
		counter(&p, "osprey_meta_misses_total",
			"Reads before the container was described (<NA>).", m->misses);
		counter(&p, "osprey_meta_lookups_queued_total", "Lookups queued.", m->queued);
		counter(&p, "osprey_meta_lookups_found_total", "Lookups a source answered.",
			m->lookups_found);
		counter(&p, "osprey_meta_lookups_failed_total", "Lookups no source answered.",
			m->lookups_failed);
		counter(&p, "osprey_meta_queue_full_total",
			"Lookups dropped: the lookup queue was full.", m->queue_full);
		counter(&p, "osprey_meta_table_full_total",
			"Containers not cached: the cache was full.", m->table_full);
		counter(&p, "osprey_meta_replies_refused_total", "Replies too large or malformed.",
			m->replies_refused);
		counter(&p, "osprey_meta_removed_total",
			"Exited containers dropped from the cache.", m->removed);
		counter(&p, "osprey_hold_containers_total",
			"Container starts whose first events were held for their metadata.",
			s->meta.held_containers);
		counter(&p, "osprey_hold_events_total", "Events held.", s->meta.held_events);
		counter(&p, "osprey_hold_late_total",
			"Held events processed at the time limit, metadata still unknown.",
			s->meta.held_late);
		counter(&p, "osprey_hold_not_held_total",
			"Container starts not held (every group busy, or bytes full).",
			s->meta.not_held);
	}

	/* the k8s_audit source beside the capture */
	if (s->have_k8saudit) {
		const struct ops_k8saudit_counters *k = &s->k8saudit;

		counter(&p, "osprey_k8saudit_lines_total",
			"Audit log lines or webhook bodies read.", k->lines);
		counter(&p, "osprey_k8saudit_bad_lines_total",
			"Audit log lines or bodies refused: not JSON, not audit, too long.",
			k->bad_lines);
		counter(&p, "osprey_k8saudit_events_total", "Audit events evaluated.", k->events);
		counter(&p, "osprey_k8saudit_bad_events_total", "Audit events refused.",
			k->bad_events);
		counter(&p, "osprey_k8saudit_matches_total", "k8s_audit rule matches.", k->matches);
		counter(&p, "osprey_k8saudit_alerts_pushed_total",
			"k8s_audit alerts accepted by the outputs.", k->alerts_pushed);
		counter(&p, "osprey_k8saudit_alerts_failed_total",
			"k8s_audit alerts refused by the outputs.", k->alerts_failed);
		if (k->webhook) {
			counter(&p, "osprey_k8saudit_webhook_accepted_total",
				"Webhook requests queued (200).", k->accepted);
			counter(&p, "osprey_k8saudit_webhook_refused_full_total",
				"Webhook requests refused: the inbox was full (429).",
				k->refused_full);
			counter(&p, "osprey_k8saudit_webhook_refused_too_big_total",
				"Webhook requests refused: body too large (413).",
				k->refused_too_big);
			counter(&p, "osprey_k8saudit_webhook_refused_bad_total",
				"Webhook requests refused: not JSON, not application/json (400).",
				k->refused_bad);
			gauge(&p, "osprey_k8saudit_webhook_queued",
			      "Webhook bodies waiting for the main loop now.", k->queued);
		}
	}

	/* the driver */
	if (c->metrics.kernel_event_counters_enabled && s->have_capture) {
		uint64_t kdrops = s->cap.drops_buffer + s->cap.drops_too_big;

		counter(&p, "falcosecurity_scap_n_evts_total", HELP_URL, s->cap.events);
		counter(&p, "falcosecurity_scap_n_drops_buffer_total", HELP_URL,
			s->cap.drops_buffer);
		counter(&p, "falcosecurity_scap_n_drops_scratch_map_total", HELP_URL,
			s->cap.drops_too_big);
		counter(&p, "falcosecurity_scap_n_drops_total", HELP_URL, kdrops);
		counter(&p, "osprey_scap_n_produced_total", "Records the driver wrote.",
			s->cap.produced);
		counter(&p, "osprey_scap_n_snapshot_total",
			"Events from the /proc snapshot at start.", s->cap.snapshot);
		counter(&p, "osprey_scap_n_drops_malformed_total",
			"Records that failed to decode, skipped.", s->cap.malformed);
		counter(&p, "osprey_scap_n_drops_unknown_total",
			"Records of event ids this schema does not know, skipped.", s->cap.unknown);
		counter(&p, "osprey_scap_n_faults_total",
			"Values the driver could not read from memory (event kept).",
			s->cap.faults);
		counter(&p, "osprey_scap_n_truncations_total",
			"Values cut at their bound (event kept).", s->cap.truncations);
		gauge(&p, "osprey_scap_n_buffers", "Ring buffers or devices read.",
		      s->cap.nbuffers);
	}

	/* the drop policy */
	counter(&p, "osprey_drops_seconds_with_drops_total", "Seconds in which events dropped.",
		s->drops.seconds_with_drops);
	counter(&p, "osprey_drops_seconds_beyond_threshold_total",
		"Seconds in which the dropped share passed syscall_event_drops.threshold.",
		s->drops.seconds_beyond);
	counter(&p, "osprey_drops_actions_total",
		"Times the syscall_event_drops actions were taken.", s->drops.actions);
	counter(&p, "osprey_drops_simulated_total",
		"Drops pretended by syscall_event_drops.simulate_drops (not real).",
		s->drops.simulated);
	counter(&p, "osprey_drops_actions_suppressed_total",
		"Drop seconds the syscall_event_drops rate limit kept quiet.", s->drops.suppressed);

	/* the watchdog */
	counter(&p, "osprey_watchdog_canaries_total", "Canary processes the watchdog started.",
		s->watchdog.canaries);
	counter(&p, "osprey_watchdog_canaries_seen_total",
		"Canaries whose events came back from the driver.", s->watchdog.seen);
	counter(&p, "osprey_watchdog_canaries_missed_total",
		"Canaries not seen within watchdog.timeout.", s->watchdog.missed);
	gauge(&p, "osprey_watchdog_failing", "1 while the driver is silent or detached.",
	      s->watchdog.failing);
	counter(&p, "osprey_source_errors_total", "Event source errors counted and skipped.",
		s->recovery.errors);
	counter(&p, "osprey_source_reopens_total", "Times the event source was reopened.",
		s->recovery.reopens);
	if (s->reload.on) {
		prom_sample(&p, "osprey_reloads_total", "counter",
			    "Reloads of the rules and configuration (SIGHUP, watch_config_files), "
			    "applied or refused (the running set kept).",
			    "result=\"applied\"", (double)s->reload.applied, true);
		prom_sample(&p, "osprey_reloads_total", "counter", "", "result=\"refused\"",
			    (double)s->reload.refused, true);
	}

	/* state */
	if (c->metrics.state_counters_enabled) {
		gauge(&p, "osprey_state_threads", "Threads in the state table.", s->engine.threads);
		gauge(&p, "osprey_state_fds", "File descriptors in the state table.",
		      s->engine.fds);
		counter(&p, "falcosecurity_scap_n_drops_full_threadtable_total", HELP_URL,
			s->engine.threads_dropped);
		counter(&p, "osprey_state_fds_dropped_total",
			"File descriptors not tracked: table full.", s->engine.fds_dropped);
	}

	/* resources */
	if (c->metrics.resource_utilization_enabled) {
		gauge_d(&p, "falcosecurity_falco_cpu_usage_ratio", HELP_URL, s->res.cpu_ratio);
		gauge(&p, "falcosecurity_falco_memory_rss_bytes", HELP_URL, s->res.rss);
		gauge(&p, "falcosecurity_falco_memory_vsz_bytes", HELP_URL, s->res.vsz);
		gauge(&p, "falcosecurity_falco_memory_pss_bytes", HELP_URL, s->res.pss);
		gauge(&p, "osprey_process_open_fds", "File descriptors osprey has open.",
		      s->res.open_fds);
		gauge(&p, "osprey_host_procs_running", "Runnable processes on the host now.",
		      s->res.host_procs_running);
	}

	/* the web server itself */
	counter(&p, "osprey_web_requests_total", "HTTP requests answered.", s->web.requests);
	counter(&p, "osprey_web_bad_requests_total", "HTTP requests refused (4xx).",
		s->web.bad_requests);
	counter(&p, "osprey_web_refused_connections_total",
		"Connections closed at once: webserver.max_connections reached.",
		s->web.refused_connections);

	/* the kernel's statistics of osprey's BPF programs (libbpf_stats_enabled) */
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < s->n_bpf; i++) {
			const struct bpf_prog_stat *b = &s->bpf[i];

			label_escape(b->attach, esc, sizeof(esc));
			snprintf(labels, sizeof(labels), "attach=\"%s\",prog_id=\"%u\"", esc,
				 b->id);
			if (pass == 0)
				prom_sample(&p, "osprey_bpf_prog_runs_total", "counter",
					    "Runs of osprey's BPF program (kernel statistics).",
					    labels, (double)b->run_cnt, true);
			else if (pass == 1)
				prom_sample(&p, "osprey_bpf_prog_run_seconds_total", "counter",
					    "Time in osprey's BPF program (kernel statistics).",
					    labels, (double)b->run_time_ns / 1e9, false);
			else
				prom_sample(&p, "osprey_bpf_prog_recursion_misses_total", "counter",
					    "Runs of osprey's BPF program the kernel skipped "
					    "(recursion).",
					    labels, (double)b->recursion_misses, true);
		}
	if (c->metrics.rules_counters_enabled)
		render_rules(&p, s, c);
	return p.err;
}

int metrics_render_versions(struct web_response *r)
{
	return web_response_printf(
		r,
		"{\"default_driver_version\":\"%s\",\"driver_api_version\":\"%u.%u.%u\","
		"\"driver_schema_version\":\"%u.%u.%u\",\"engine_version\":\"%s\","
		"\"engine_version_semver\":\"%s\",\"falco_version\":\"%s\",\"libs_version\":\"%s\","
		"\"plugin_api_version\":\"0.0.0\",\"osprey_version\":\"%s\"}\n",
		OSPREY_VERSION, OSP_API_VERSION_MAJOR, OSP_API_VERSION_MINOR, OSP_API_VERSION_PATCH,
		OSP_SCHEMA_VERSION_MAJOR, OSP_SCHEMA_VERSION_MINOR, OSP_SCHEMA_VERSION_PATCH,
		RULES_ENGINE_VERSION, RULES_ENGINE_VERSION, OSPREY_VERSION, OSPREY_VERSION,
		OSPREY_VERSION);
}

static size_t field_u(struct metrics_field *f, size_t n, size_t max, const char *name, uint64_t v,
		      bool include_empty)
{
	if (n >= max || (!v && !include_empty))
		return n;
	snprintf(f[n].name, sizeof(f[n].name), "%s", name);
	f[n].is_double = false;
	f[n].u = v;
	return n + 1;
}

static size_t field_d(struct metrics_field *f, size_t n, size_t max, const char *name, double v)
{
	if (n >= max)
		return n;
	snprintf(f[n].name, sizeof(f[n].name), "%s", name);
	f[n].is_double = true;
	f[n].d = v;
	return n + 1;
}

size_t metrics_snapshot_fields(const struct metrics_snapshot *s, const struct ops_config *c,
			       struct metrics_field *f, size_t max)
{
	bool e = c->metrics.include_empty_values;
	double mem_div = c->metrics.convert_memory_to_mb ? 1024.0 * 1024.0 : 1.0;
	size_t n = 0;

	n = field_u(f, n, max, "falco.start_ts", s->start_ns, true);
	n = field_u(f, n, max, "falco.host_boot_ts", s->boot_ns, true);
	n = field_u(f, n, max, "falco.host_num_cpus", s->ncpus, true);
	n = field_u(f, n, max, "falco.duration_sec",
		    s->now_ns > s->start_ns ? (s->now_ns - s->start_ns) / 1000000000u : 0, true);
	n = field_u(f, n, max, "falco.num_evts", s->engine.events, true);
	n = field_u(f, n, max, "falco.outputs_queue_num_drops", s->out.dropped, true);
	if (c->metrics.kernel_event_counters_enabled && s->have_capture) {
		n = field_u(f, n, max, "scap.n_evts", s->cap.events, true);
		n = field_u(f, n, max, "scap.n_drops", s->cap.drops_buffer + s->cap.drops_too_big,
			    true);
		n = field_u(f, n, max, "scap.n_drops_buffer_total", s->cap.drops_buffer, e);
		n = field_u(f, n, max, "scap.n_drops_scratch_map", s->cap.drops_too_big, e);
		n = field_d(f, n, max, "scap.evts_rate_sec", s->evts_rate_sec);
		n = field_d(f, n, max, "scap.evts_drop_rate_sec", s->drops_rate_sec);
	}
	if (c->metrics.resource_utilization_enabled) {
		n = field_d(f, n, max, "falco.cpu_usage_perc", s->res.cpu_ratio * 100.0);
		n = field_d(f, n, max,
			    c->metrics.convert_memory_to_mb ? "falco.memory_rss_mb"
							    : "falco.memory_rss_bytes",
			    (double)s->res.rss / mem_div);
		n = field_d(f, n, max,
			    c->metrics.convert_memory_to_mb ? "falco.memory_vsz_mb"
							    : "falco.memory_vsz_bytes",
			    (double)s->res.vsz / mem_div);
		n = field_d(f, n, max,
			    c->metrics.convert_memory_to_mb ? "falco.memory_pss_mb"
							    : "falco.memory_pss_bytes",
			    (double)s->res.pss / mem_div);
		n = field_u(f, n, max, "falco.host_open_fds", s->res.open_fds, true);
	}
	if (c->metrics.state_counters_enabled) {
		n = field_u(f, n, max, "osprey.state.threads", s->engine.threads, true);
		n = field_u(f, n, max, "osprey.state.fds", s->engine.fds, true);
		n = field_u(f, n, max, "scap.n_drops_full_threadtable", s->engine.threads_dropped,
			    e);
	}
	n = field_u(f, n, max, "osprey.watchdog.missed", s->watchdog.missed, e);
	for (size_t i = 0; i < s->n_bpf && n + 3 <= max; i++) {
		const struct bpf_prog_stat *b = &s->bpf[i];
		const char *a = b->attach[0] ? b->attach : b->name;

		snprintf(f[n].name, sizeof(f[n].name), "scap.%s.run_cnt", a);
		f[n].is_double = false;
		f[n++].u = b->run_cnt;
		snprintf(f[n].name, sizeof(f[n].name), "scap.%s.run_time_ns", a);
		f[n].is_double = false;
		f[n++].u = b->run_time_ns;
		snprintf(f[n].name, sizeof(f[n].name), "scap.%s.avg_time_ns", a);
		f[n].is_double = false;
		f[n++].u = b->run_cnt ? b->run_time_ns / b->run_cnt : 0;
	}
	if (c->metrics.rules_counters_enabled) {
		n = field_u(f, n, max, "falco.rules.matches_total", s->engine.matches, true);
		for (size_t i = 0; i < s->n_rules && n < max; i++) {
			char name[110];

			if (!s->rule_matches || (!s->rule_matches[i] && !e))
				continue;
			name_sanitize(s->rules[i].name, name, sizeof(name));
			snprintf(f[n].name, sizeof(f[n].name), "falco.rules.%s", name);
			f[n].is_double = false;
			f[n].u = s->rule_matches[i];
			n++;
		}
	}
	return n;
}
