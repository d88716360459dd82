/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Kubernetes audit source (Falco's k8s_audit): audit.k8s.io/v1 Event objects, alone, in an
 * EventList or in a JSON array, as the API server's webhook backend posts them and as an audit
 * log file holds them (one JSON object a line). Its fields are those of Falco's k8saudit plugin
 * (ka.*) and json plugin (jevt.*, json.*), same names and meanings; Osprey implements both
 * natively (no plugin is loaded).
 *
 *	k8saudit_register();                        once: rules with source: k8s_audit compile
 *	...load and compile the ruleset (ruleset.h)...
 *	k8saudit_engine_new(rs, &opts, &e);          the enabled k8s_audit rules
 *	k8saudit_parser_new(&p);
 *	for each line or body: k8saudit_parse(p, buf, len, on_event, ud, err, sizeof(err));
 *	    on_event: k8saudit_engine_match(e, ev, on_match, ud);
 *	        on_match: k8saudit_alert_build(e, r, ev, &scratch, &alert) -> outputs_push()
 *
 * The regex operator is the rules engine's (rx.h): RE2 syntax matched against the whole value,
 * bounded in steps and memory, as in syscall rules.
 *
 * Threads: an engine and a parser are used by one thread at a time. Every value an event yields
 * lives in the engine's per-event scratch (bounded): at the bound a field reads as missing and
 * the event is counted in the stats, nothing grows.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "alert.h"
#include "fields.h"
#include "macro.h"
#include "ruleset.h"

#define K8SAUDIT_SOURCE		  "k8s_audit"
#define K8SAUDIT_PAYLOAD_MAX	  (16u << 20) /* bytes of one line or webhook body */
#define K8SAUDIT_EVENTS_MAX	  100000      /* events in one payload (EventList items) */
#define K8SAUDIT_DEPTH_MAX	  64	      /* JSON nesting */
#define K8SAUDIT_EVENT_VALUES_MAX 16384	      /* field values extracted from one event */
#define K8SAUDIT_ARENA_MAX	  (1u << 20)  /* bytes of derived strings for one event */

struct json_object;

/* Registers the k8s_audit field source with the rules engine (fields.h). Idempotent. */
int k8saudit_register(void);
/* The ka.*, jevt.*, json.* and evt.* fields, grouped as Falco lists them (k8saudit, json, evt). */
const struct field_source *k8saudit_field_source(void);

/* One audit event, a view valid during the callback. */
struct k8saudit_event {
	struct json_object *obj; /* the Event object */
	uint64_t ts_ns;		 /* stageTimestamp, ns since the epoch */
	uint64_t num;		 /* 1, 2, ... in the order the parser handed them out */
};

typedef int (*k8saudit_event_fn)(const struct k8saudit_event *ev, void *userdata);

struct k8saudit_parse_stats {
	uint64_t payloads;     /* k8saudit_parse() calls */
	uint64_t events;       /* handed to the callback */
	uint64_t bad_payloads; /* not JSON, not an audit Event/EventList, too deep, too many */
	uint64_t bad_events;   /* an item without a valid stageTimestamp, or not an object */
};

struct k8saudit_parser;

int k8saudit_parser_new(struct k8saudit_parser **ret);
void k8saudit_parser_free(struct k8saudit_parser *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct k8saudit_parser *, k8saudit_parser_free);

/*
 * Parses one payload (a file line or a webhook body) and calls fn for each audit event in it.
 * Returns how many events were handed out (>= 0; bad items are skipped and counted, the first
 * reason in errbuf), -EBADMSG when the payload is not JSON or not an audit Event/EventList
 * (errbuf says why, in Falco's words where Falco has some), -E2BIG when it is over
 * K8SAUDIT_PAYLOAD_MAX bytes or holds more than K8SAUDIT_EVENTS_MAX events (none handed out),
 * or fn's negative return. errbuf is "" when nothing went wrong.
 */
int k8saudit_parse(struct k8saudit_parser *p, const char *buf, size_t len, k8saudit_event_fn fn,
		   void *userdata, char *errbuf, size_t errsize);
void k8saudit_parser_get_stats(const struct k8saudit_parser *p, struct k8saudit_parse_stats *ret);

/* ---- rules ---- */

struct k8saudit_engine_opts {
	enum rules_priority min_priority; /* PRIORITY_DEBUG: all */
	bool match_all;			  /* rule_matching: all (else first) */
};

struct k8saudit_engine_stats {
	uint64_t events;	    /* k8saudit_engine_match() calls */
	uint64_t matches;	    /* rule matches */
	uint64_t scratch_exhausted; /* events that ran out of value scratch */
	uint64_t regex_limit_hits;  /* regex matches stopped at a limit (rx.h): no match */
};

struct k8saudit_engine;

/* Takes the enabled, compiled rules of rs whose source is k8s_audit. rs must outlive *ret. */
int k8saudit_engine_new(const struct ruleset *rs, const struct k8saudit_engine_opts *opts,
			struct k8saudit_engine **ret);
void k8saudit_engine_free(struct k8saudit_engine *e);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct k8saudit_engine *, k8saudit_engine_free);
size_t k8saudit_engine_n_rules(const struct k8saudit_engine *e);
void k8saudit_engine_get_stats(const struct k8saudit_engine *e, struct k8saudit_engine_stats *ret);

/* Evaluates the rules on ev in load order; on_match for each match (the first only, unless
 * match_all); on_match < 0 stops. Returns the number of matches. */
typedef int (*k8saudit_match_fn)(const struct rules_rule *r, const struct k8saudit_event *ev,
				 void *userdata);
size_t k8saudit_engine_match(struct k8saudit_engine *e, const struct k8saudit_event *ev,
			     k8saudit_match_fn on_match, void *userdata);

/*
 * Renders the value of a k8s_audit field of ev as Falco prints it in an output: a list as
 * "(a,b)", a missing value as "<NA>". Returns the length written (cut to fit), -ENOENT when the
 * event has no such value ("<NA>" is written then).
 */
int k8saudit_field_render(struct k8saudit_engine *e, const struct k8saudit_event *ev,
			  const struct field_ref *ref, char *buf, size_t size);

/* What an alert points into while it is pushed. */
struct k8saudit_alert_scratch {
	char output[ALERT_OUTPUT_MAX];
	struct alert_field fields[ALERT_FIELDS_MAX];
	char values[ALERT_FIELDS_MAX][ALERT_VALUE_MAX];
};

/* Builds the alert of rule r matching ev (source k8s_audit, time = the event's stageTimestamp,
 * output and output_fields rendered); *ret points into s and r. */
void k8saudit_alert_build(struct k8saudit_engine *e, const struct rules_rule *r,
			  const struct k8saudit_event *ev, struct k8saudit_alert_scratch *s,
			  struct alert *ret);
