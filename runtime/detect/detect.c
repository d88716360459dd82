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
	free(d);
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
	n = eval_match(d->ev, d->x, on_match, d);
	d->x->prev_ts = ev->hdr->ts_ns;
	return (int)n;
}

/* ---- running on a capture ---- */

struct run_ctx {
	struct detect *d;
	struct outputs *out;
	const struct detect_hooks *hooks;
	char hostname[256];
};

/* SIGUSR1, as in Falco: reopen the file output, so that logrotate can move the file away. */
static int on_reopen_signal(struct loop_source *s, const struct signalfd_siginfo *si,
			    void *userdata)
{
	struct run_ctx *rc = userdata;

	(void)s;
	(void)si;
	log_info("Received SIGUSR1: reopening the alert outputs.");
	outputs_reopen(rc->out);
	return 0;
}

static int run_on_start(struct capture *c, struct loop *l, void *userdata)
{
	struct run_ctx *rc = userdata;
	const struct capture_machine *m = capture_get_machine(c);
	int r;

	if (m) {
		snprintf(rc->hostname, sizeof(rc->hostname), "%s", m->hostname);
		detect_set_machine(rc->d, rc->hostname[0] ? rc->hostname : NULL, m->boot_time_ns);
	}
	r = loop_add_signal(l, SIGUSR1, on_reopen_signal, rc, NULL);
	if (r < 0)
		return log_error_errno(r, "Failed to watch SIGUSR1 (reopening outputs): %m");
	if (rc->hooks && rc->hooks->on_start)
		return rc->hooks->on_start(l, rc->out, rc->hooks->userdata);
	return 0;
}

static int run_on_event(const struct event *ev, void *userdata)
{
	struct run_ctx *rc = userdata;

	detect_on_event(rc->d, ev);
	return 0;
}

int detect_run(const struct osprey_config *c, const struct ruleset *rs,
	       const struct capture_opts *copts, uint64_t duration_usec)
{
	return detect_run_with(c, rs, copts, duration_usec, NULL);
}

int detect_run_with(const struct osprey_config *c, const struct ruleset *rs,
		    const struct capture_opts *copts, uint64_t duration_usec,
		    const struct detect_hooks *hooks)
{
	_cleanup_(detect_freep) struct detect *d = NULL;
	struct detect_opts dopts = {
		.host_root = copts->host_root,
		/* a recording: today's /proc says nothing about its threads, and the replay's
		 * output must not depend on what runs now */
		.replay = copts->source == CAPTURE_SOURCE_FILE,
	};
	uint8_t interest[OSP_EVT_COUNT];
	struct run_ctx rc = {};
	struct run_opts ro = {
		.capture = *copts,
		.duration_usec = duration_usec,
		.stats_interval_sec = 60,
		.on_start = run_on_start,
		.on_event = run_on_event,
		.userdata = &rc,
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
	r = outputs_new(&c->out, &out);
	if (r < 0)
		return log_error_errno(r, "Failed to start the alert outputs: %m");
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
	rc.hooks = hooks;
	log_info("Evaluating %zu rules on %u event types.", eval_n_rules(d->ev), n);
	r = run_capture(&ro, &cst);
	if (d->hold)
		hold_release(d->hold, true, on_released, d);
	if (hooks && hooks->on_stop)
		hooks->on_stop(hooks->userdata);
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
