// SPDX-License-Identifier: Apache-2.0
/* The k8s_audit file source on the main loop. See k8saudit_run.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "k8saudit.h"
#include "k8saudit_inbox.h"
#include "k8saudit_run.h"
#include "log.h"
#include "loop.h"
#include "ops/ops.h"
#include "outputs.h"
#include "web/web_server.h"

#define READ_CHUNK	(64u << 10)
#define LINES_PER_TURN	256
#define FOLLOW_POLL_MS	200
#define BODIES_PER_TURN 16
#define WEBHOOK_POLL_MS 1000 /* the inbox's eventfd wakes the loop; this is a fallback */
#define JSON_DEPTH_MAX	64   /* as the parser's (k8saudit.c) */

struct k8saudit_file {
	const struct k8saudit_run_opts *o;
	struct k8saudit_engine *e;
	struct k8saudit_parser *p;
	struct outputs *out;
	struct loop *loop;
	struct loop_source *poller;
	int fd;
	char *line; /* the line being assembled, up to K8SAUDIT_PAYLOAD_MAX */
	size_t line_len, line_cap;
	bool skipping; /* the current line went over the bound: drop until its end */
	char chunk[READ_CHUNK];
	size_t chunk_pos, chunk_len;
	bool eof;
	uint64_t line_no;
	struct k8saudit_run_stats st;
	struct k8saudit_alert_scratch scratch;
	/* the webhook (o->webhook): the web server's threads offer, the loop drains */
	struct k8saudit_inbox *inbox;
	struct web_server *web;
	atomic_uint_fast64_t bad_json; /* 400: not JSON, answered on a web thread */
};

static void bad_line(struct k8saudit_file *k, const char *why)
{
	k->st.bad_lines++;
	if (k->st.bad_lines <= K8SAUDIT_LOG_ERRORS_MAX)
		log_warning("%s, %s %llu: %s; skipped.%s", k->o->webhook ? "webhook" : k->o->path,
			    k->o->webhook ? "body" : "line", (unsigned long long)k->line_no, why,
			    k->st.bad_lines == K8SAUDIT_LOG_ERRORS_MAX
				    ? " (Further bad lines are only counted.)"
				    : "");
}

static int on_match(const struct rules_rule *r, const struct k8saudit_event *ev, void *userdata)
{
	struct k8saudit_file *k = userdata;
	struct alert a;

	k->st.matches++;
	k8saudit_alert_build(k->e, r, ev, &k->scratch, &a);
	if (outputs_push(k->out, &a) < 0)
		k->st.alerts_failed++;
	else
		k->st.alerts_pushed++;
	return 0;
}

static int on_event(const struct k8saudit_event *ev, void *userdata)
{
	struct k8saudit_file *k = userdata;

	k->st.events++;
	k8saudit_engine_match(k->e, ev, on_match, k);
	return 0;
}

static void handle_line(struct k8saudit_file *k)
{
	char err[256];
	size_t len = k->line_len;
	int r;

	k->line_no++;
	k->st.lines++;
	if (k->skipping) {
		char why[96];

		snprintf(why, sizeof(why), "longer than %u bytes", K8SAUDIT_PAYLOAD_MAX);
		bad_line(k, why);
		k->skipping = false;
		k->line_len = 0;
		return;
	}
	while (len && (k->line[len - 1] == '\r' || k->line[len - 1] == ' '))
		len--;
	k->line_len = 0;
	if (len == 0)
		return; /* blank lines are skipped, as Falco's plugin does */
	r = k8saudit_parse(k->p, k->line, len, on_event, k, err, sizeof(err));
	if (r < 0)
		bad_line(k, err[0] ? err : "unreadable");
	else if (err[0]) {
		k->st.bad_events++;
		if (k->st.bad_events <= K8SAUDIT_LOG_ERRORS_MAX)
			log_warning("%s, %s %llu: %s; that event skipped.",
				    k->o->webhook ? "webhook" : k->o->path,
				    k->o->webhook ? "body" : "line", (unsigned long long)k->line_no,
				    err);
	}
}

/* Appends data to the current line, or drops it past the bound. */
static int line_append(struct k8saudit_file *k, const char *data, size_t n)
{
	if (k->skipping)
		return 0;
	if (k->line_len + n > K8SAUDIT_PAYLOAD_MAX) {
		k->skipping = true;
		k->line_len = 0;
		return 0;
	}
	if (k->line_len + n > k->line_cap) {
		size_t cap = k->line_cap ? k->line_cap : 64u << 10;
		char *p;

		while (cap < k->line_len + n)
			cap *= 2;
		if (cap > K8SAUDIT_PAYLOAD_MAX)
			cap = K8SAUDIT_PAYLOAD_MAX;
		p = realloc(k->line, cap);
		if (!p)
			return -ENOMEM;
		k->line = p;
		k->line_cap = cap;
	}
	memcpy(k->line + k->line_len, data, n);
	k->line_len += n;
	return 0;
}

/*
 * Following, at the end of the file: the API server rotated the log (the path now names another
 * file: read the new one from its start, the old one is done) or truncated it (start over).
 * Returns 1 when there is something new to read, 0 when not, and keeps the old file when the
 * new one cannot be opened (it is retried at the next poll).
 */
static int follow_reopen(struct k8saudit_file *k)
{
	struct stat cur, now;
	off_t pos;
	int fd;

	if (fstat(k->fd, &cur) < 0 || stat(k->o->path, &now) < 0)
		return 0;
	if (cur.st_dev != now.st_dev || cur.st_ino != now.st_ino) {
		fd = open(k->o->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return 0;
		close(k->fd);
		k->fd = fd;
		k->line_len = 0;
		k->skipping = false;
		k->line_no = 0;
		log_info("The audit log '%s' was rotated: reading the new file.", k->o->path);
		return 1;
	}
	pos = lseek(k->fd, 0, SEEK_CUR);
	if (pos > 0 && now.st_size < pos) {
		lseek(k->fd, 0, SEEK_SET);
		k->line_len = 0;
		k->skipping = false;
		k->line_no = 0;
		log_info("The audit log '%s' was truncated: reading it from its start.",
			 k->o->path);
		return 1;
	}
	return 0;
}

/* Up to LINES_PER_TURN lines. > 0: did work, 0: nothing new (following), -errno. */
static int poll_file(struct loop_source *s, void *userdata)
{
	struct k8saudit_file *k = userdata;
	unsigned lines = 0;
	int r;

	(void)s;
	while (lines < LINES_PER_TURN) {
		if (k->chunk_pos == k->chunk_len) {
			ssize_t n = read(k->fd, k->chunk, sizeof(k->chunk));

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return log_error_errno(-errno, "Failed to read '%s': %m",
						       k->o->path);
			if (n == 0) {
				if (k->o->follow) {
					/* at the end: a rotated or truncated log starts over */
					if (lines == 0 && follow_reopen(k) > 0)
						continue;
					return lines > 0;
				}
				if (k->line_len || k->skipping)
					handle_line(k); /* a last line without '\n' */
				k->eof = true;
				loop_exit(k->loop, 0);
				return 0;
			}
			k->chunk_pos = 0;
			k->chunk_len = (size_t)n;
		}
		const char *start = k->chunk + k->chunk_pos;
		const char *nl = memchr(start, '\n', k->chunk_len - k->chunk_pos);
		size_t n = nl ? (size_t)(nl - start) : k->chunk_len - k->chunk_pos;

		r = line_append(k, start, n);
		if (r < 0)
			return log_error_errno(r, "Out of memory.");
		k->chunk_pos += n + (nl ? 1 : 0);
		if (nl) {
			handle_line(k);
			lines++;
		}
	}
	return 1;
}

static int on_stop_signal(struct loop_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)s;
	log_info("Received %s: stopping.", si->ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
	loop_exit(userdata, 0);
	return 0;
}

static int on_reopen_signal(struct loop_source *s, const struct signalfd_siginfo *si,
			    void *userdata)
{
	(void)s;
	(void)si;
	outputs_reopen(userdata);
	return 0;
}

/* SIGHUP reloads beside the capture (reload.h); alone, the k8s_audit source does not reload. */
static int on_hup_signal(struct loop_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)s;
	(void)si;
	log_warning("Received SIGHUP: a run of the k8s_audit source alone does not reload; the "
		    "running rules and configuration are kept. Restart osprey to apply new ones.");
	return 0;
}

static int on_duration(struct loop_source *s, uint64_t now_usec, void *userdata)
{
	(void)s;
	(void)now_usec;
	loop_exit(userdata, 0);
	return 0;
}

/* ---- the webhook ---- */

int k8saudit_webhook_parse(const char *url, struct k8saudit_run_opts *o, const char **ret_why)
{
	const char *p, *colon, *slash, *host_end;
	char *end;
	unsigned long port;
	size_t n;

	if (strncmp(url, "https://", 8) == 0) {
		o->webhook_ssl = true;
		p = url + 8;
	} else if (strncmp(url, "http://", 7) == 0) {
		o->webhook_ssl = false;
		p = url + 7;
	} else {
		*ret_why = "not an http:// or https:// URL";
		return -EINVAL;
	}
	slash = strchr(p, '/');
	if (!slash)
		slash = p + strlen(p);
	if (*p == '[') { /* [IPv6]:port */
		host_end = memchr(p, ']', (size_t)(slash - p));
		if (!host_end) {
			*ret_why = "an IPv6 address without its closing ']'";
			return -EINVAL;
		}
		colon = host_end + 1;
		p++;
	} else {
		colon = memchr(p, ':', (size_t)(slash - p));
		host_end = colon;
	}
	if (!colon || *colon != ':' || colon + 1 >= slash) {
		*ret_why = "no port: write it as http://:9765/k8s-audit";
		return -EINVAL;
	}
	n = (size_t)(host_end - p);
	if (n >= sizeof(o->webhook_address)) {
		*ret_why = "the address is too long";
		return -EINVAL;
	}
	memcpy(o->webhook_address, p, n);
	o->webhook_address[n] = 0;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || end != slash || port == 0 || port > 65535 || colon[1] < '0' ||
	    colon[1] > '9') {
		*ret_why = "the port is not a number from 1 to 65535";
		return -EINVAL;
	}
	o->webhook_port = (uint16_t)port;
	if (!*slash)
		slash = "/";
	if (strlen(slash) >= sizeof(o->webhook_path) || strchr(slash, '?')) {
		*ret_why = "the path is too long or has a query";
		return -EINVAL;
	}
	snprintf(o->webhook_path, sizeof(o->webhook_path), "%s", slash);
	o->webhook = true;
	return 0;
}

/* Whether body is one JSON value (trailing white space allowed), nested at most JSON_DEPTH_MAX. */
static bool is_json(const uint8_t *body, size_t len, const char **ret_why)
{
	struct json_tokener *tok;
	struct json_object *obj;
	bool ok;

	if (len == 0) {
		*ret_why = "empty body";
		return false;
	}
	tok = json_tokener_new_ex(JSON_DEPTH_MAX);
	if (!tok) {
		*ret_why = "out of memory";
		return false;
	}
	obj = json_tokener_parse_ex(tok, (const char *)body, (int)len);
	ok = obj && json_tokener_get_error(tok) == json_tokener_success;
	if (ok) {
		for (size_t i = json_tokener_get_parse_end(tok); i < len && ok; i++)
			ok = body[i] == ' ' || body[i] == '\n' || body[i] == '\r' ||
			     body[i] == '\t';
		*ret_why = "data after the JSON value";
	} else
		*ret_why = json_tokener_get_error(tok) == json_tokener_continue
				   ? "unexpected end of data"
				   : json_tokener_error_desc(json_tokener_get_error(tok));
	json_object_put(obj);
	json_tokener_free(tok);
	return ok;
}

/* A web server thread: checks and queues the body; the main loop parses it (on_inbox). */
static void on_webhook(const struct web_request *req, struct web_response *resp, void *userdata)
{
	struct k8saudit_file *k = userdata;
	struct k8saudit_answer a;
	const char *why = NULL;

	if (req->content_type && strstr(req->content_type, "application/json") &&
	    !is_json(req->body, req->body_len, &why)) {
		atomic_fetch_add(&k->bad_json, 1);
		resp->status = 400;
		web_response_printf(resp, "not valid JSON: %s\n", why);
		return;
	}
	k8saudit_inbox_offer(k->inbox, req->method == WEB_METHOD_POST ? "POST" : "GET",
			     req->content_type, (const char *)req->body, req->body_len, &a);
	resp->status = a.status;
	web_response_printf(resp, "%s", a.reason);
}

static void on_body(const char *body, size_t len, void *userdata)
{
	struct k8saudit_file *k = userdata;
	char err[256];
	int r;

	k->line_no++;
	k->st.lines++;
	r = k8saudit_parse(k->p, body, len, on_event, k, err, sizeof(err));
	if (r < 0)
		bad_line(k, err[0] ? err : "unreadable");
	else if (err[0]) {
		k->st.bad_events++;
		if (k->st.bad_events <= K8SAUDIT_LOG_ERRORS_MAX)
			log_warning("webhook, body %llu: %s; that event skipped.",
				    (unsigned long long)k->line_no, err);
	}
}

static int poll_inbox(struct loop_source *s, void *userdata)
{
	struct k8saudit_file *k = userdata;

	(void)s;
	return k8saudit_inbox_drain(k->inbox, on_body, k, BODIES_PER_TURN) > 0;
}

static int webhook_start(const struct osprey_config *c, struct k8saudit_file *k)
{
	const struct k8saudit_run_opts *o = k->o;
	struct web_server_opts wo = {
		.listen_address = o->webhook_address,
		.port = o->webhook_port,
		.ssl = o->webhook_ssl,
		.ssl_certificate = o->ssl_certificate,
		.ssl_client_ca = o->ssl_client_ca,
		.threads = K8SAUDIT_WEBHOOK_THREADS,
		.max_connections = K8SAUDIT_WEBHOOK_CONNECTIONS,
	};
	const char *why = NULL;
	int r;

	r = k8saudit_inbox_new(K8SAUDIT_WEBHOOK_QUEUE_BODIES, K8SAUDIT_WEBHOOK_QUEUE_BYTES,
			       &k->inbox);
	if (r < 0)
		return log_error_errno(r, "Cannot set up the audit webhook's queue: %m");
	r = web_server_new(&wo, &k->web, &why);
	if (r >= 0)
		r = web_server_add_handler(k->web, o->webhook_path, WEB_METHOD_POST,
					   K8SAUDIT_PAYLOAD_MAX, on_webhook, k);
	if (r >= 0)
		r = web_server_start(k->web, &why);
	if (r < 0)
		return log_error_errno(r, "Cannot start the audit webhook on %s port %u: %s%s",
				       o->webhook_address[0] ? o->webhook_address : "every address",
				       o->webhook_port, why ? why : strerror(-r),
				       o->webhook_ssl ? " (https: the certificate and key are "
							"webserver.ssl_certificate, the "
							"client CA bundle "
							"webserver.ssl_client_ca)"
						      : "");
	(void)c;
	log_info("Kubernetes audit webhook on %s port %u (%s%s): POST %s.",
		 o->webhook_address[0] ? o->webhook_address : "every address",
		 web_server_get_port(k->web), o->webhook_ssl ? "https" : "http",
		 o->webhook_ssl && o->ssl_client_ca && o->ssl_client_ca[0]
			 ? ", client certificates required"
			 : "",
		 o->webhook_path);
	return 0;
}

int k8saudit_file_new(const struct osprey_config *c, const struct ruleset *rs,
		      const struct k8saudit_run_opts *o, struct outputs *out, struct loop *loop,
		      struct k8saudit_file **ret)
{
	struct k8saudit_engine_opts eo = {
		.min_priority = c->priority,
		.match_all = c->rule_matching == RULE_MATCHING_ALL,
	};
	struct k8saudit_file *k;
	int r;

	k = calloc(1, sizeof(*k));
	if (!k)
		return log_error_errno(-ENOMEM, "Out of memory.");
	k->o = o;
	k->out = out;
	k->loop = loop;
	k->fd = o->webhook ? -1 : open(o->path, O_RDONLY | O_CLOEXEC);
	if (!o->webhook && k->fd < 0) {
		r = log_error_errno(-errno,
				    "Cannot open the audit log '%s': %m (check "
				    "plugins[].open_params of the k8saudit plugin).",
				    o->path);
		goto fail;
	}
	r = k8saudit_engine_new(rs, &eo, &k->e);
	if (r >= 0)
		r = k8saudit_parser_new(&k->p);
	if (r < 0) {
		log_error_errno(r, "Failed to set up the k8s_audit rules: %m");
		goto fail;
	}
	if (o->webhook) {
		r = webhook_start(c, k);
		if (r < 0)
			goto fail;
		r = loop_add_poller(loop, k8saudit_inbox_fd(k->inbox), WEBHOOK_POLL_MS, poll_inbox,
				    k, &k->poller);
	} else
		r = loop_add_poller(loop, -1, FOLLOW_POLL_MS, poll_file, k, &k->poller);
	if (r < 0) {
		log_error_errno(r, "Failed to add the audit log to the main loop: %m");
		goto fail;
	}
	if (o->webhook)
		log_info("Reading Kubernetes audit events from the webhook: %zu k8s_audit rules.",
			 k8saudit_engine_n_rules(k->e));
	else
		log_info("Reading Kubernetes audit events from '%s'%s: %zu k8s_audit rules.",
			 o->path, o->follow ? " (following it)" : "",
			 k8saudit_engine_n_rules(k->e));
	*ret = k;
	return 0;
fail:
	k8saudit_file_free(k);
	return r;
}

void k8saudit_file_get_stats(const struct k8saudit_file *k, struct k8saudit_run_stats *ret)
{
	struct k8saudit_parse_stats ps;

	*ret = k->st;
	if (k->p) {
		k8saudit_parser_get_stats(k->p, &ps);
		ret->bad_events = ps.bad_events;
	}
}

void k8saudit_file_free(struct k8saudit_file *k)
{
	struct k8saudit_run_stats st;

	if (!k)
		return;
	/* the web threads first: nothing is offered to the inbox any more */
	web_server_free(k->web);
	if (k->inbox) {
		struct k8saudit_inbox_stats is;

		k8saudit_inbox_get_stats(k->inbox, &is);
		log_info("Audit webhook: %llu requests queued, refused: %llu not JSON, %llu queue "
			 "full, %llu too large, %llu bad method or type; %llu left unread.",
			 (unsigned long long)is.accepted,
			 (unsigned long long)atomic_load(&k->bad_json),
			 (unsigned long long)is.refused_full,
			 (unsigned long long)is.refused_too_big, (unsigned long long)is.refused_bad,
			 (unsigned long long)is.queued);
	}
	if (k->poller) {
		k8saudit_file_get_stats(k, &st);
		log_info("Audit events: %llu from %llu %s (%llu bad, %llu bad events), "
			 "rule matches: %llu, alerts: %llu pushed, %llu refused.",
			 (unsigned long long)st.events, (unsigned long long)st.lines,
			 k->o->webhook ? "webhook bodies" : "lines",
			 (unsigned long long)st.bad_lines, (unsigned long long)st.bad_events,
			 (unsigned long long)st.matches, (unsigned long long)st.alerts_pushed,
			 (unsigned long long)st.alerts_failed);
	}
	if (k->e) {
		struct k8saudit_engine_stats es;

		k8saudit_engine_get_stats(k->e, &es);
		if (es.regex_limit_hits)
			log_warning(
				"%llu k8s_audit regex matches stopped at their limit and counted "
				"as no match (see docs/rules.md, regular expressions).",
				(unsigned long long)es.regex_limit_hits);
	}
	/* the poller belongs to the loop, which may be gone already (loop_free() frees it) */
	k8saudit_inbox_free(k->inbox);
	k8saudit_parser_free(k->p);
	k8saudit_engine_free(k->e);
	if (k->fd >= 0)
		close(k->fd);
	free(k->line);
	free(k);
}

/* The counters for /metrics (ops.h); k may be NULL (not started). */
static void file_counters(struct k8saudit_file *k, struct ops_k8saudit_counters *ret)
{
	struct k8saudit_run_stats st = {};
	struct k8saudit_inbox_stats is = {};

	if (k) {
		k8saudit_file_get_stats(k, &st);
		if (k->inbox)
			k8saudit_inbox_get_stats(k->inbox, &is);
	}
	*ret = (struct ops_k8saudit_counters){
		.webhook = k && k->inbox,
		.accepted = is.accepted,
		.refused_full = is.refused_full,
		.refused_too_big = is.refused_too_big,
		.refused_bad = is.refused_bad + (k ? atomic_load(&k->bad_json) : 0),
		.queued = is.queued,
		.lines = st.lines,
		.bad_lines = st.bad_lines,
		.events = st.events,
		.bad_events = st.bad_events,
		.matches = st.matches,
		.alerts_pushed = st.alerts_pushed,
		.alerts_failed = st.alerts_failed,
	};
}

/* Audit-only: the engine's counters are the audit source's. */
static void run_counters(struct ops_engine_counters *ret, void *userdata)
{
	struct k8saudit_file *k = userdata;

	*ret = (struct ops_engine_counters){.have_k8saudit = true};
	file_counters(k, &ret->k8saudit);
	ret->events = ret->evaluated = ret->k8saudit.events;
	ret->matches = ret->k8saudit.matches;
	ret->alerts_pushed = ret->k8saudit.alerts_pushed;
	ret->alerts_failed = ret->k8saudit.alerts_failed;
}

int k8saudit_run(const struct osprey_config *c, const struct ruleset *rs,
		 const struct k8saudit_run_opts *o, struct k8saudit_run_stats *ret_stats)
{
	struct k8saudit_file *k = NULL;
	struct outputs *out = NULL;
	struct outputs_stats os;
	struct loop *loop = NULL;
	struct ops *ops = NULL;
	int r;

	/* the web endpoints (webserver.enabled), metrics: first, a taken port fails early */
	r = ops_new(&c->ops, rs, &ops);
	if (r < 0)
		return r;
	r = outputs_new(&c->out, &out);
	if (r < 0) {
		ops_free(ops);
		return log_error_errno(r, "Failed to start the alert outputs: %m");
	}
	r = loop_new(&loop);
	if (r >= 0)
		r = loop_add_signal(loop, SIGINT, on_stop_signal, loop, NULL);
	if (r >= 0)
		r = loop_add_signal(loop, SIGTERM, on_stop_signal, loop, NULL);
	if (r >= 0)
		r = loop_add_signal(loop, SIGUSR1, on_reopen_signal, out, NULL);
	if (r >= 0)
		r = loop_add_signal(loop, SIGHUP, on_hup_signal, NULL, NULL);
	if (r >= 0 && o->duration_usec)
		r = loop_add_timer(loop, o->duration_usec, 0, on_duration, loop, NULL);
	if (r < 0) {
		log_error_errno(r, "Failed to set up the main loop: %m");
		goto out;
	}
	r = k8saudit_file_new(c, rs, o, out, loop, &k);
	if (r < 0)
		goto out;
	r = ops_start(ops, &(struct ops_run){
				   .loop = loop,
				   .outputs = out,
				   .counters = run_counters,
				   .userdata = k,
				   .engine_name = config_engine_kind_name(ENGINE_NODRIVER),
			   });
	if (r < 0)
		goto out;
	r = loop_run(loop);
	ops_free(ops);
	ops = NULL;
	outputs_stop(out);
	outputs_get_stats(out, &os);
	if (os.throttled || os.dropped)
		log_info("Alerts throttled: %llu, dropped: %llu.", (unsigned long long)os.throttled,
			 (unsigned long long)os.dropped);
	if (ret_stats)
		k8saudit_file_get_stats(k, ret_stats);
out:
	ops_free(ops);
	k8saudit_file_free(k);
	loop_free(loop);
	outputs_free(out);
	return r < 0 ? r : 0;
}

/* ---- beside the other sources ---- */

int k8saudit_plan_make(const struct osprey_config *c, bool syscall, bool k8s_audit,
		       uint64_t duration_usec, struct k8saudit_plan *ret)
{
	const struct config_plugin *ka = config_plugin_loaded(c, "k8saudit");
	const char *path;

	*ret = (struct k8saudit_plan){.c = c,
				      .syscall = syscall,
				      .k8s_audit = k8s_audit,
				      .o = {.duration_usec = duration_usec}};
	if (!k8s_audit)
		return 0;
	if (!ka || !ka->open_params || !ka->open_params[0])
		return log_error_errno(-EINVAL,
				       "The k8s_audit source needs a plugins: entry named k8saudit "
				       "with open_params (an audit log file), loaded by "
				       "load_plugins; e.g. -o plugins[0].open_params=FILE.");
	log_info("Plugins k8saudit and json: Osprey implements them natively; '%s' is not loaded.",
		 ka->library_path && ka->library_path[0] ? ka->library_path : "(no library_path)");
	path = ka->open_params;
	while (*path == ' ' || *path == '\t')
		path++;
	if (strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0) {
		const char *why = NULL;

		if (k8saudit_webhook_parse(path, &ret->o, &why) < 0)
			return log_error_errno(
				-EINVAL,
				"Bad k8s audit webhook '%s' in open_params: %s (e.g. "
				"http://:9765/k8s-audit or https://:9765/k8s-audit).",
				path, why);
		ret->o.ssl_certificate = ka->ssl_certificate && ka->ssl_certificate[0]
						 ? ka->ssl_certificate
						 : c->ops.webserver.ssl_certificate;
		ret->o.ssl_client_ca = c->ops.webserver.ssl_client_ca;
		return 0;
	}
	ret->o.path = path;
	/* beside the syscall capture the file is followed; the capture decides when to stop */
	ret->o.follow = syscall;
	return 0;
}

static int plan_start(struct loop *l, struct outputs *out, void *userdata)
{
	struct k8saudit_plan *p = userdata;

	return k8saudit_file_new(p->c, p->rs, &p->o, out, l, &p->f);
}

static void plan_stop(void *userdata)
{
	struct k8saudit_plan *p = userdata;

	k8saudit_file_free(p->f);
	p->f = NULL;
	k8saudit_engine_free(p->next);
	p->next = NULL;
}

/* A reload: the k8s_audit rules of the new set, built before anything changes. */
static int plan_reload_prepare(const struct osprey_config *c, const struct ruleset *rs,
			       void *userdata)
{
	struct k8saudit_plan *p = userdata;
	struct k8saudit_engine_opts eo = {
		.min_priority = c->priority,
		.match_all = c->rule_matching == RULE_MATCHING_ALL,
	};
	int r;

	if (!p->f)
		return 0;
	k8saudit_engine_free(p->next);
	p->next = NULL;
	r = k8saudit_engine_new(rs, &eo, &p->next);
	if (r < 0)
		return log_error_errno(r, "Reload: the new k8s_audit rules cannot be set up: %m.");
	return 0;
}

static void plan_reload_commit(bool ok, struct outputs *out, void *userdata)
{
	struct k8saudit_plan *p = userdata;

	if (!p->f || !p->next)
		return;
	if (!ok) {
		k8saudit_engine_free(p->next);
		p->next = NULL;
		return;
	}
	k8saudit_engine_free(p->f->e);
	p->f->e = TAKE_PTR(p->next);
	p->f->out = out;
	log_info("Reload: the k8s_audit source evaluates %zu rules.",
		 k8saudit_engine_n_rules(p->f->e));
}

static void plan_counters(struct ops_k8saudit_counters *ret, void *userdata)
{
	struct k8saudit_plan *p = userdata;

	file_counters(p->f, ret);
}

const struct detect_hooks *k8saudit_plan_hooks(struct k8saudit_plan *p, const struct ruleset *rs)
{
	if (!p->k8s_audit || !p->syscall)
		return NULL;
	p->rs = rs;
	p->hooks = (struct detect_hooks){
		.on_start = plan_start,
		.on_stop = plan_stop,
		.get_counters = plan_counters,
		.reload_prepare = plan_reload_prepare,
		.reload_commit = plan_reload_commit,
		.userdata = p,
	};
	return &p->hooks;
}
