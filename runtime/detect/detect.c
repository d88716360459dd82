// SPDX-License-Identifier: Apache-2.0
/*
 * Detection glue: state, rules, alerts. See detect.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "hold.h"
#include "log.h"
#include "loop.h"
#include "macro.h"
#include "dnsnames.h"
#include "ops/ops.h"
#include "run.h"

struct detect {
	struct state *st;
	struct dnsnames *dns; /* live only: the fd.*ip.name operands, resolved */
	struct eval *ev;
	struct extract_ctx *x;
	struct outputs *out;
	struct hold *hold; /* a starting container's first events, held (NULL: none) */
	detect_alert_fn alert_fn;
	void *alert_ud;
	const char *hostname;
	uint64_t last_purge_ts;
	uint8_t has_rules[OSP_EVT_COUNT]; /* eval_has_rules() by event id */
	/* the rule being turned into an alert */
	const struct rules_rule *cur_rule;
	const size_t *cur_slots;
	struct detect_stats stats;
	const struct ruleset *rs;
	uint64_t *rule_matches; /* per rule of rs, in its order (ops/ metrics) */
	/* sampled per-rule evaluation (ops/ metrics): one evaluated event in DETECT_SAMPLE_EVERY
	 * is timed rule by rule; 0 = off */
	uint32_t sample_countdown;
	uint64_t *rule_evals, *rule_ns; /* per rule of rs, sampled events only */
	/* the alert being built */
	char output[ALERT_OUTPUT_MAX];
	struct alert_field fields[ALERT_FIELDS_MAX];
	char field_buf[ALERT_FIELDS_MAX][1024];
};

int detect_new(const struct osprey_config *c, const struct ruleset *rs,
	       const struct detect_opts *opts, struct detect **ret)
{
	_cleanup_(detect_freep) struct detect *d = NULL;
	struct eval_opts eo = {
		.min_priority = c ? c->priority : PRIORITY_DEBUG,
		.match_all = c && c->rule_matching == RULE_MATCHING_ALL,
		.no_index = opts && opts->no_index,
	};
	struct state_opts so = {
		.host_root = opts ? opts->host_root : NULL,
		.no_procfs = opts && opts->replay,
	};
	int r;

	if (!rs->compiled)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->rs = rs;
	d->rule_matches = calloc(rs->n_rules ? rs->n_rules : 1, sizeof(uint64_t));
	d->rule_evals = calloc(rs->n_rules ? rs->n_rules : 1, sizeof(uint64_t));
	d->rule_ns = calloc(rs->n_rules ? rs->n_rules : 1, sizeof(uint64_t));
	if (!d->rule_matches || !d->rule_evals || !d->rule_ns)
		return -ENOMEM;
	if (c && c->ops.metrics.rules_timing_enabled)
		d->sample_countdown = DETECT_SAMPLE_EVERY;
	r = state_new(&so, &d->st);
	if (r < 0)
		return r;
	r = eval_new(rs, &eo, &d->ev);
	if (r < 0)
		return r;
	r = extract_ctx_new(d->st, eval_n_slots(d->ev), &d->x);
	if (r < 0)
		return r;
	if (!(opts && opts->replay)) {
		/* a replay resolves nothing: the recording machine's answers are not known */
		r = dnsnames_new(&d->dns);
		if (r < 0)
			return r;
		r = dnsnames_add_from_ruleset(d->dns, rs);
		if (r > 0)
			r = dnsnames_start(d->dns);
		if (r < 0)
			return r;
		d->x->dns = d->dns;
	}
	for (unsigned id = 0; id < OSP_EVT_COUNT; id++)
		d->has_rules[id] = eval_has_rules(d->ev, (uint16_t)id);
	*ret = TAKE_PTR(d);
	return 0;
}

void detect_free(struct detect *d)
{
	if (!d)
		return;
	hold_free(d->hold);
	extract_ctx_free(d->x);
	dnsnames_free(d->dns);
	eval_free(d->ev);
	state_free(d->st);
	free(d->rule_matches);
	free(d->rule_evals);
	free(d->rule_ns);
	free(d);
}

int detect_set_rules(struct detect *d, const struct osprey_config *c, const struct ruleset *rs)
{
	struct eval_opts eo = {
		.min_priority = c ? c->priority : PRIORITY_DEBUG,
		.match_all = c && c->rule_matching == RULE_MATCHING_ALL,
	};
	size_t n = rs->n_rules ? rs->n_rules : 1;
	_cleanup_free_ uint64_t *matches = NULL, *evals = NULL, *ns = NULL;
	struct extract_ctx *x = NULL;
	struct eval *ev = NULL;
	int r;

	if (!rs->compiled)
		return -EINVAL;
	matches = calloc(n, sizeof(uint64_t));
	evals = calloc(n, sizeof(uint64_t));
	ns = calloc(n, sizeof(uint64_t));
	if (!matches || !evals || !ns)
		return -ENOMEM;
	r = eval_new(rs, &eo, &ev);
	if (r < 0)
		return r;
	r = extract_ctx_new(d->st, eval_n_slots(ev), &x);
	if (r < 0) {
		eval_free(ev);
		return r;
	}
	x->dns = d->x->dns;
	/* what outlives an event: the machine, and the counters behind evt.num and the times */
	x->hostname = d->x->hostname;
	x->boot_time_ns = d->x->boot_time_ns;
	x->evt_num = d->x->evt_num;
	x->first_ts = d->x->first_ts;
	x->prev_ts = d->x->prev_ts;
	x->stats = d->x->stats;
	extract_ctx_free(d->x);
	eval_free(d->ev);
	d->x = x;
	d->ev = ev;
	/* the per-rule counters (ops/ metrics) follow the new rules, from 0 */
	free(d->rule_matches);
	free(d->rule_evals);
	free(d->rule_ns);
	d->rule_matches = TAKE_PTR(matches);
	d->rule_evals = TAKE_PTR(evals);
	d->rule_ns = TAKE_PTR(ns);
	d->rs = rs;
	for (unsigned id = 0; id < OSP_EVT_COUNT; id++)
		d->has_rules[id] = eval_has_rules(d->ev, (uint16_t)id);
	return 0;
}

void detect_set_outputs(struct detect *d, struct outputs *o)
{
	d->out = o;
}

void detect_set_alert_fn(struct detect *d, detect_alert_fn fn, void *userdata)
{
	d->alert_fn = fn;
	d->alert_ud = userdata;
}

void detect_set_machine(struct detect *d, const char *hostname, uint64_t boot_time_ns)
{
	d->hostname = hostname;
	d->x->hostname = hostname;
	d->x->boot_time_ns = boot_time_ns;
}

struct state *detect_state(struct detect *d)
{
	return d->st;
}

size_t detect_n_rules(const struct detect *d)
{
	return eval_n_rules(d->ev);
}

void detect_get_stats(const struct detect *d, struct detect_stats *ret)
{
	*ret = d->stats;
	ret->arena_exhausted = d->x->stats.arena_exhausted;
	ret->regex_limit_hits = eval_regex_limit_hits(d->ev);
}

unsigned detect_interest(struct detect *d, uint8_t *interest)
{
	memset(interest, 0, OSP_EVT_COUNT);
	state_interest_add(interest);
	eval_interest(d->ev, interest);
	interest[OSP_EVT_PROC_SNAPSHOT] = interest[OSP_EVT_FD_SNAPSHOT] = 1;
	interest[OSP_EVT_PROC_FORK] = interest[OSP_EVT_PROC_EXEC] = 1;
	interest[OSP_EVT_PROC_EXIT] = 1;
	unsigned n = 0;
	for (unsigned i = 0; i < OSP_EVT_COUNT; i++)
		n += interest[i] != 0;
	return n;
}

/* The cache slot of an output field of the current rule (ref points into its pieces). */
static size_t output_slot(const struct detect *d, const struct field_ref *ref)
{
	const struct rules_rule *r = d->cur_rule;
	const struct output_piece *first = r->output_pieces;

	for (size_t i = 0; d->cur_slots && i < r->n_output_pieces; i++)
		if (&first[i].ref == ref)
			return d->cur_slots[i];
	return SIZE_MAX;
}

static int render_field(const struct field_ref *ref, char *buf, size_t size, void *userdata)
{
	struct detect *d = userdata;

	return extract_render_slot(d->x, output_slot(d, ref), ref, buf, size);
}

static int on_match(const struct rules_rule *r, void *userdata)
{
	struct detect *d = userdata;
	struct alert a = {
		.time_ns = d->x->ev->hdr->ts_ns + d->x->boot_time_ns,
		.priority = (enum alert_priority)r->priority,
		.rule = r->name,
		.source = "syscall",
		.hostname = d->hostname,
		.output = d->output,
		.fields = d->fields,
		.tags = (const char *const *)r->tags,
		.n_tags = r->n_tags,
	};
	size_t nf = 0, n;

	d->stats.matches++;
	for (size_t i = 0; i < d->rs->n_rules; i++) /* on a match only: an alert costs far more */
		if (d->rs->rules[i] == r) {
			d->rule_matches[i]++;
			break;
		}
	d->cur_rule = r;
	d->cur_slots = eval_output_slots(d->ev, r);
	n = output_format(r, render_field, d, d->output, sizeof(d->output));
	/* Falco trims the output template: a folded YAML scalar ends with a newline */
	if (n >= sizeof(d->output))
		n = sizeof(d->output) - 1;
	while (n && (d->output[n - 1] == '\n' || d->output[n - 1] == ' '))
		d->output[--n] = 0;
	for (size_t i = 0; i < r->n_output_pieces && nf < ALERT_FIELDS_MAX; i++) {
		const struct output_piece *p = &r->output_pieces[i];
		struct alert_field *f = &d->fields[nf];
		const struct xval *v;
		size_t slot;
		bool dup = false;

		if (!p->is_field && !p->extra)
			continue;
		for (size_t k = 0; k < nf && !dup; k++)
			dup = strcmp(d->fields[k].name, p->extra ? p->key : p->text) == 0;
		if (dup)
			continue;
		f->name = p->extra ? p->key : p->text;
		if (!p->is_field) { /* append_output's constant extra field */
			f->type = ALERT_VALUE_STRING;
			f->str = p->text;
			nf++;
			continue;
		}
		slot = d->cur_slots ? d->cur_slots[i] : SIZE_MAX;
		n = extract_field(d->x, slot, &p->ref, &v);
		if (n == 0)
			f->type = ALERT_VALUE_NULL;
		else if (n == 1 && v->type == XV_U64) {
			f->type = ALERT_VALUE_U64;
			f->u64 = v->u;
		} else if (n == 1 && v->type == XV_S64) {
			f->type = ALERT_VALUE_S64;
			f->s64 = v->i;
		} else if (n == 1 && v->type == XV_BOOL) {
			f->type = ALERT_VALUE_BOOL;
			f->b = v->b;
		} else {
			f->type = ALERT_VALUE_STRING;
			extract_render_slot(d->x, slot, &p->ref, d->field_buf[nf],
					    sizeof(d->field_buf[nf]));
			f->str = d->field_buf[nf];
		}
		nf++;
	}
	a.n_fields = nf;
	if (d->alert_fn)
		d->alert_fn(&a, d->alert_ud);
	if (d->out) {
		if (outputs_push(d->out, &a) < 0)
			d->stats.alerts_failed++;
		else
			d->stats.alerts_pushed++;
	}
	return 0;
}

/* A sampled event's time in one rule (eval_match_timed()). */
static void on_rule_time(const struct rules_rule *r, uint64_t ns, void *userdata)
{
	struct detect *d = userdata;

	for (size_t i = 0; i < d->rs->n_rules; i++)
		if (d->rs->rules[i] == r) {
			d->rule_evals[i]++;
			d->rule_ns[i] += ns;
			return;
		}
}

void detect_get_rule_counters(const struct detect *d, const uint64_t **ret_matches,
			      const uint64_t **ret_evals, const uint64_t **ret_ns, size_t *ret_n)
{
	*ret_matches = d->rule_matches;
	*ret_evals = d->rule_evals;
	*ret_ns = d->rule_ns;
	*ret_n = d->rs->n_rules;
}

static int detect_process(struct detect *d, const struct event *ev);

static void on_released(const struct event *ev, void *userdata)
{
	(void)detect_process(userdata, ev);
}

int detect_on_event(struct detect *d, const struct event *ev)
{
	if (_unlikely_(d->hold)) {
		hold_release(d->hold, false, on_released, d);
		if (hold_take(d->hold, ev))
			return 0;
	}
	return detect_process(d, ev);
}

static int detect_process(struct detect *d, const struct event *ev)
{
	struct state_thread *t;
	uint16_t type = ev->hdr->type;
	size_t n;

	d->stats.events++;
	t = state_process_event(d->st, ev);
	if (!t)
		d->stats.untracked++;
	if (ev->hdr->ts_ns - d->last_purge_ts > DETECT_PURGE_INTERVAL_NS) {
		if (d->last_purge_ts)
			state_purge(d->st, ev->hdr->ts_ns);
		d->last_purge_ts = ev->hdr->ts_ns;
	}
	if (type == OSP_EVT_PROC_SNAPSHOT || type == OSP_EVT_FD_SNAPSHOT)
		return 0; /* state only: what ran before the capture started */
	if (type >= OSP_EVT_COUNT || !d->has_rules[type]) {
		/* no rule for this event (the index): count it for evt.num, that is all */
		extract_skip(d->x, ev);
		d->x->prev_ts = ev->hdr->ts_ns;
		return 0;
	}
	extract_begin(d->x, ev, t);
	d->stats.evaluated++;
	if (_unlikely_(d->sample_countdown && --d->sample_countdown == 0)) {
		d->sample_countdown = DETECT_SAMPLE_EVERY;
		n = eval_match_timed(d->ev, d->x, on_match, d, on_rule_time);
	} else
		n = eval_match(d->ev, d->x, on_match, d);
	d->x->prev_ts = ev->hdr->ts_ns;
	return (int)n;
}

/* ---- running on a capture ---- */

struct detect_run {
	struct detect *d;
	struct outputs *out;
	struct meta *meta; /* NULL: container metadata is off */
	const struct detect_hooks *hooks;
	const struct detect_service *svc;
	struct ops *ops;
	struct capture *capture;    /* the open source (recovery reopens it) */
	uint8_t *interest;	    /* the driver's event set (run_opts' capture.interest) */
	const uint32_t *canary_pid; /* the watchdog's canary (ops.h) */
	const char *engine_name;
	bool reopen_request;	/* the watchdog asks run.c to reopen the source */
	uint64_t source_errors; /* run.c counts */
	uint64_t reloads, reloads_refused; /* detect_run_set_reloads() */
	char hostname[256];
};

/* The counters ops/ publishes once a second (on this thread). */
static void run_counters(struct ops_engine_counters *ret, void *userdata)
{
	struct detect_run *rc = userdata;
	struct state_stats ss;

	state_get_stats(rc->d->st, &ss);
	*ret = (struct ops_engine_counters){
		.events = rc->d->stats.events,
		.evaluated = rc->d->stats.evaluated,
		.matches = rc->d->stats.matches,
		.alerts_pushed = rc->d->stats.alerts_pushed,
		.alerts_failed = rc->d->stats.alerts_failed,
		.untracked = rc->d->stats.untracked,
		.threads = ss.threads,
		.fds = ss.fds,
		.threads_dropped = ss.threads_dropped,
		.fds_dropped = ss.fds_dropped,
		.source_errors = rc->source_errors,
		.rule_matches = rc->d->rule_matches,
		.rule_evals = rc->d->rule_evals,
		.rule_ns = rc->d->rule_ns,
		.sample_every = rc->d->sample_countdown ? DETECT_SAMPLE_EVERY : 0,
		.n_rules = rc->d->rs->n_rules,
		.have_reload = rc->svc != NULL,
		.reloads = rc->reloads,
		.reloads_refused = rc->reloads_refused,
	};
	if (rc->meta) {
		ret->have_meta = true;
		meta_get_stats(rc->meta, &ret->meta.meta);
		if (rc->d->hold) {
			struct hold_stats hs;

			hold_get_stats(rc->d->hold, &hs);
			ret->meta.held_containers = hs.containers;
			ret->meta.held_events = hs.events;
			ret->meta.held_late = hs.late;
			ret->meta.not_held = hs.not_held + hs.overflow;
		}
	}
	if (rc->hooks && rc->hooks->get_counters) {
		ret->have_k8saudit = true;
		rc->hooks->get_counters(&ret->k8saudit, rc->hooks->userdata);
	}
}

/* SIGUSR1, as in Falco: reopen the file output, so that logrotate can move the file away. */
static int on_reopen_signal(struct loop_source *s, const struct signalfd_siginfo *si,
			    void *userdata)
{
	struct detect_run *rc = userdata;

	(void)s;
	(void)si;
	log_info("Received SIGUSR1: reopening the alert outputs.");
	outputs_reopen(rc->out);
	return 0;
}

static int run_on_start(struct capture *c, struct loop *l, void *userdata)
{
	struct detect_run *rc = userdata;
	const struct capture_machine *m = capture_get_machine(c);
	int r;

	if (m) {
		snprintf(rc->hostname, sizeof(rc->hostname), "%s", m->hostname);
		detect_set_machine(rc->d, rc->hostname[0] ? rc->hostname : NULL, m->boot_time_ns);
	}
	rc->capture = c;
	r = loop_add_signal(l, SIGUSR1, on_reopen_signal, rc, NULL);
	if (r < 0)
		return log_error_errno(r, "Failed to watch SIGUSR1 (reopening outputs): %m");
	if (rc->ops) {
		struct ops_run or = {
			.capture = c,
			.loop = l,
			.outputs = rc->out,
			.counters = run_counters,
			.userdata = rc,
			.engine_name = rc->engine_name,
			.live = strcmp(rc->engine_name, "replay") != 0,
			.reopen_request = &rc->reopen_request,
		};

		r = ops_start(rc->ops, &or);
		if (r < 0)
			return r;
		rc->canary_pid = ops_canary_pid(rc->ops);
	}
	if (rc->hooks && rc->hooks->on_start) {
		r = rc->hooks->on_start(l, rc->out, rc->hooks->userdata);
		if (r < 0)
			return r;
	}
	if (rc->svc && rc->svc->on_start)
		return rc->svc->on_start(l, rc, rc->svc->userdata);
	return 0;
}

/* Recovery closed (c NULL) or reopened the source. */
static void run_on_source(struct capture *c, void *userdata)
{
	struct detect_run *rc = userdata;

	rc->capture = c;
	if (rc->ops)
		ops_set_capture(rc->ops, c);
}

static int run_on_event(const struct event *ev, void *userdata)
{
	struct detect_run *rc = userdata;

	if (_unlikely_(rc->canary_pid && ev->hdr->pid == *rc->canary_pid))
		ops_on_canary_event(rc->ops, ev);
	detect_on_event(rc->d, ev);
	return 0;
}

int detect_run(const struct osprey_config *c, const struct ruleset *rs,
	       const struct capture_opts *copts, uint64_t duration_usec)
{
	return detect_run_with(c, rs, copts, duration_usec, NULL, NULL);
}

int detect_run_apply(struct detect_run *rc, const struct osprey_config *c,
		     const struct ruleset *rs, struct outputs *out)
{
	const struct detect_hooks *h = rc->hooks;
	struct outputs *old_out;
	int r = 0;

	/* every part that can fail, before anything changes */
	if (h && h->reload_prepare)
		r = h->reload_prepare(c, rs, h->userdata);
	if (r >= 0) {
		r = detect_set_rules(rc->d, c, rs);
		if (r < 0 && h && h->reload_commit)
			h->reload_commit(false, NULL, h->userdata);
	}
	if (r < 0) {
		outputs_free(out);
		return r;
	}
	if (h && h->reload_commit)
		h->reload_commit(true, out, h->userdata);
	/* the driver's event set follows (and a reopened source gets the new one) */
	if (rc->interest) {
		detect_interest(rc->d, rc->interest);
		if (rc->capture) {
			r = capture_set_interest(rc->capture, rc->interest);
			if (r < 0 && r != -EOPNOTSUPP) /* a capture file has no interest set */
				log_warning("Reload: the driver's event set could not be updated "
					    "(%s): rules on event types the old rules did not use "
					    "see no event.",
					    strerror(-r));
		}
	}
	if (rc->ops && ops_set_ruleset(rc->ops, rs) < 0)
		log_warning("Reload: out of memory: /metrics shows no per-rule counters until the "
			    "next reload.");
	old_out = rc->out;
	detect_set_outputs(rc->d, out);
	rc->out = out;
	if (rc->ops)
		ops_set_outputs(rc->ops, out);
	outputs_free(old_out); /* delivers what it still queued, then closes its sinks */
	return 0;
}

void detect_run_set_reloads(struct detect_run *rc, uint64_t applied, uint64_t refused)
{
	rc->reloads = applied;
	rc->reloads_refused = refused;
}

size_t detect_run_n_rules(const struct detect_run *rc)
{
	return eval_n_rules(rc->d->ev);
}

int detect_run_with(const struct osprey_config *c, const struct ruleset *rs,
		    const struct capture_opts *copts, uint64_t duration_usec,
		    const struct detect_hooks *hooks, const struct detect_service *svc)
{
	_cleanup_(detect_freep) struct detect *d = NULL;
	struct detect_opts dopts = {
		.host_root = copts->host_root,
		/* a recording: today's /proc says nothing about its threads, and the replay's
		 * output must not depend on what runs now */
		.replay = copts->source == CAPTURE_SOURCE_FILE,
	};
	uint8_t interest[OSP_EVT_COUNT];
	struct detect_run rc = {};
	struct run_opts ro = {
		.capture = *copts,
		.duration_usec = duration_usec,
		.stats_interval_sec = 60,
		.on_start = run_on_start,
		.on_event = run_on_event,
		.userdata = &rc,
		.no_hup = svc && svc->on_start,
		.recovery =
			{
				.max_errors = c->ops.recovery.max_errors,
				.max_reopens = c->ops.recovery.max_reopens,
				.backoff_ms = c->ops.recovery.backoff_ms,
				.backoff_max_ms = c->ops.recovery.backoff_max_ms,
				.reopen_request = &rc.reopen_request,
				.errors = &rc.source_errors,
				.on_source = run_on_source,
			},
	};
	_cleanup_(meta_freep) struct meta *meta = NULL;
	struct outputs *out = NULL;
	struct capture_stats cst = {};
	struct detect_stats ds;
	struct outputs_stats os;
	unsigned n;
	int r;

	r = detect_new(c, rs, &dopts, &d);
	if (r < 0)
		return log_error_errno(r, "Failed to set up rule evaluation: %m");
	r = ops_new(&c->ops, rs, &rc.ops); /* first: a taken port fails before the driver loads */
	if (r < 0)
		return r;
	r = outputs_new(&c->out, &out);
	if (r < 0) {
		ops_free(rc.ops);
		return log_error_errno(r, "Failed to start the alert outputs: %m");
	}
	detect_set_outputs(d, out);
	/* container metadata, live only: a recording's containers are not today's */
	if (c->container.enabled && copts->source != CAPTURE_SOURCE_FILE) {
		r = meta_new(&c->container, copts->host_root, true, &meta);
		if (r < 0)
			log_warning_errno(r, "Container metadata is off (%m): container names, "
					     "images and pods read <NA>.");
		state_set_meta(d->st, meta);
		if (meta && hold_new(meta, &d->hold) < 0)
			log_warning("Out of memory: a starting container's first events are not held "
				    "for its metadata.");
	}
	n = detect_interest(d, interest);
	ro.capture.interest = copts->source == CAPTURE_SOURCE_FILE ? NULL : interest;
	rc.d = d;
	rc.out = out;
	rc.interest = interest;
	rc.meta = meta;
	rc.hooks = hooks;
	rc.svc = svc;
	rc.engine_name = config_engine_kind_name(copts->source == CAPTURE_SOURCE_FILE ? ENGINE_REPLAY
					       : copts->source == CAPTURE_SOURCE_KMOD
						       ? ENGINE_KMOD
						       : ENGINE_MODERN_EBPF);
	log_info("Evaluating %zu rules on %u event types.", eval_n_rules(d->ev), n);
	r = run_capture(&ro, &cst);
	if (d->hold)
		hold_release(d->hold, true, on_released, d);
	/* the web server's threads stop first: nothing reaches the other sources any more */
	ops_free(rc.ops);
	if (svc && svc->on_stop)
		svc->on_stop(svc->userdata);
	if (hooks && hooks->on_stop)
		hooks->on_stop(hooks->userdata);
	out = rc.out; /* a reload may have replaced the outputs */
	outputs_stop(out);
	detect_get_stats(d, &ds);
	outputs_get_stats(out, &os);
	outputs_free(out);
	if (r < 0 && !ds.events)
		return r; /* nothing ran: the error said why, counts of nothing would not help */
	log_info("Events: %llu, rule matches: %llu, alerts: %llu pushed, %llu refused "
		 "(throttled %llu, dropped %llu).",
		 (unsigned long long)ds.events, (unsigned long long)ds.matches,
		 (unsigned long long)ds.alerts_pushed, (unsigned long long)ds.alerts_failed,
		 (unsigned long long)os.throttled, (unsigned long long)os.dropped);
	if (ds.regex_limit_hits)
		log_warning("Regex matches stopped at their match limit (counted as no match): %llu.",
			    (unsigned long long)ds.regex_limit_hits);
	if (copts->source != CAPTURE_SOURCE_FILE)
		run_log_stats(&cst, cst.events, " from the driver");
	if (meta) {
		struct meta_stats ms;

		meta_get_stats(meta, &ms);
		if (d->hold) {
			struct hold_stats hs;

			hold_get_stats(d->hold, &hs);
			log_info("Container starts: %llu held for their metadata (%llu events), "
				 "%llu events processed at the %u ms limit without it, %llu starts "
				 "not held.",
				 (unsigned long long)hs.containers, (unsigned long long)hs.events,
				 (unsigned long long)hs.late, HOLD_MAX_MS,
				 (unsigned long long)(hs.not_held + hs.overflow));
		}
		log_info("Container metadata: %llu lookups answered, %llu not; %llu reads found "
			 "it, %llu read <NA> before it was known; %llu replies refused; %llu "
			 "exited containers dropped, %llu cached.",
			 (unsigned long long)ms.lookups_found, (unsigned long long)ms.lookups_failed,
			 (unsigned long long)ms.hits, (unsigned long long)ms.misses,
			 (unsigned long long)ms.replies_refused, (unsigned long long)ms.removed,
			 (unsigned long long)ms.entries);
	}
	return r < 0 ? r : 0;
}
