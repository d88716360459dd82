/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The operations part of osprey.yaml, with Falco's key names: webserver, metrics,
 * syscall_event_drops; and Osprey's own watchdog and recovery. osprey_config.c parses the keys
 * into this struct (struct osprey_config's member ops); ops.h reads it. Strings are owned:
 * ops_config_done() frees them.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum ops_drop_action {
	OPS_DROP_IGNORE = 1u << 0,
	OPS_DROP_LOG = 1u << 1,
	OPS_DROP_ALERT = 1u << 2,
	OPS_DROP_EXIT = 1u << 3,
};
/* The words of syscall_event_drops.actions, in bit order; NULL-terminated. */
extern const char *const ops_drop_action_words[];

enum ops_watchdog_action {
	OPS_WATCHDOG_ALERT = 1u << 0,	/* an internal alert */
	OPS_WATCHDOG_HEALTHZ = 1u << 1, /* /healthz answers 503 */
	OPS_WATCHDOG_EXIT = 1u << 2,	/* exit non-zero: the kubelet or systemd restarts osprey */
	OPS_WATCHDOG_REOPEN = 1u << 3,	/* reopen the event source (reattach the probe) */
};
extern const char *const ops_watchdog_action_words[];

struct ops_config {
	struct {
		bool enabled;			 /* webserver.enabled [false] */
		char *listen_address;		 /* [0.0.0.0] */
		uint32_t listen_port;		 /* [8765] */
		char *k8s_healthz_endpoint;	 /* [/healthz] */
		bool prometheus_metrics_enabled; /* [false]: /metrics answers 404 when off */
		bool ssl_enabled;		 /* [false] */
		char *ssl_certificate; /* PEM: certificate and key [/etc/osprey/certs/server.pem] */
		char *ssl_client_ca; /* PEM CA bundle: the audit webhook requires client certs [] */
		uint32_t threadiness;  /* server threads; 0 = one per CPU, at most 4 [0] */
		uint32_t max_connections; /* Osprey's: open connections at most [64] */
	} webserver;
	struct {
		bool enabled;	      /* metrics.enabled [false]: the periodic snapshot */
		uint64_t interval_ms; /* metrics.interval [1h], at least 100ms */
		bool output_rule;     /* an alert "Falco internal: metrics snapshot" [true] */
		char *output_file;    /* JSON lines appended here ["" = none] */
		bool rules_counters_enabled;		    /* [true] */
		bool resource_utilization_enabled;	    /* [true] */
		bool state_counters_enabled;		    /* [true] */
		bool kernel_event_counters_enabled;	    /* [true] */
		bool kernel_event_counters_per_cpu_enabled; /* [false]; not available: one total */
		bool libbpf_stats_enabled;		    /* [false] */
		bool convert_memory_to_mb; /* [true] (snapshot only; /metrics is in bytes) */
		bool include_empty_values; /* [false] */
		bool rules_timing_enabled; /* Osprey's: sampled per-rule evaluation time [true] */
	} metrics;
	struct {
		double threshold;   /* share of events dropped in a second (0..1) to act on [0.1] */
		uint32_t actions;   /* OPS_DROP_* bits [log, alert] */
		double rate;	    /* actions per second, token bucket [0.03333] */
		uint32_t max_burst; /* [1] */
		bool simulate_drops; /* pretend drops every second (tests) [false] */
	} syscall_event_drops;
	struct {
		bool enabled;	      /* watchdog.enabled [true] for live drivers */
		uint64_t interval_ms; /* watchdog.interval: a canary every [5s] */
		uint64_t timeout_ms;  /* watchdog.timeout: the canary must be seen within [10s] */
		uint32_t actions;     /* OPS_WATCHDOG_* bits [alert, healthz, reopen] */
	} watchdog;
	struct {
		uint32_t max_errors;  /* recovery.max_errors: source errors before a reopen [16] */
		uint32_t max_reopens; /* recovery.max_reopens: failed reopens before exit [5] */
		uint64_t backoff_ms;  /* recovery.backoff: first wait, doubled each time [1s] */
		uint64_t backoff_max_ms; /* recovery.backoff_max [60s] */
	} recovery;
};

void ops_config_init(struct ops_config *c);
void ops_config_done(struct ops_config *c);

/* "1h", "15m", "30s", "250ms", "1m30s", or a plain number of seconds: milliseconds in *ret.
 * -EINVAL on anything else, -ERANGE past a year. */
int ops_duration_parse(const char *s, uint64_t *ret);
