// SPDX-License-Identifier: Apache-2.0
/* The k8s_audit file source on the main loop. See k8saudit_run.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "k8saudit.h"
#include "k8saudit_run.h"
#include "log.h"
#include "loop.h"
#include "outputs.h"

#define READ_CHUNK     (64u << 10)
#define LINES_PER_TURN 256
#define FOLLOW_POLL_MS 200

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
};

static void bad_line(struct k8saudit_file *k, const char *why)
{
	k->st.bad_lines++;
	if (k->st.bad_lines <= K8SAUDIT_LOG_ERRORS_MAX)
		log_warning("%s, line %llu: %s; skipped.%s", k->o->path,
			    (unsigned long long)k->line_no, why,
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
			log_warning("%s, line %llu: %s; that event skipped.", k->o->path,
				    (unsigned long long)k->line_no, err);
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

static int on_duration(struct loop_source *s, uint64_t now_usec, void *userdata)
{
	(void)s;
	(void)now_usec;
	loop_exit(userdata, 0);
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
	k->fd = open(o->path, O_RDONLY | O_CLOEXEC);
	if (k->fd < 0) {
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
	r = loop_add_poller(loop, -1, FOLLOW_POLL_MS, poll_file, k, &k->poller);
	if (r < 0) {
		log_error_errno(r, "Failed to add the audit log to the main loop: %m");
		goto fail;
	}
	log_info("Reading Kubernetes audit events from '%s'%s: %zu k8s_audit rules.", o->path,
		 o->follow ? " (following it)" : "", k8saudit_engine_n_rules(k->e));
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
	if (k->poller) {
		k8saudit_file_get_stats(k, &st);
		log_info("Audit events: %llu from %llu lines (%llu bad lines, %llu bad events), "
			 "rule matches: %llu, alerts: %llu pushed, %llu refused.",
			 (unsigned long long)st.events, (unsigned long long)st.lines,
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
	k8saudit_parser_free(k->p);
	k8saudit_engine_free(k->e);
	if (k->fd >= 0)
		close(k->fd);
	free(k->line);
	free(k);
}

int k8saudit_run(const struct osprey_config *c, const struct ruleset *rs,
		 const struct k8saudit_run_opts *o, struct k8saudit_run_stats *ret_stats)
{
	struct k8saudit_file *k = NULL;
	struct outputs *out = NULL;
	struct outputs_stats os;
	struct loop *loop = NULL;
	int r;

	r = outputs_new(&c->out, &out);
	if (r < 0)
		return log_error_errno(r, "Failed to start the alert outputs: %m");
	r = loop_new(&loop);
	if (r >= 0)
		r = loop_add_signal(loop, SIGINT, on_stop_signal, loop, NULL);
	if (r >= 0)
		r = loop_add_signal(loop, SIGTERM, on_stop_signal, loop, NULL);
	if (r >= 0)
		r = loop_add_signal(loop, SIGUSR1, on_reopen_signal, out, NULL);
	if (r >= 0 && o->duration_usec)
		r = loop_add_timer(loop, o->duration_usec, 0, on_duration, loop, NULL);
	if (r < 0) {
		log_error_errno(r, "Failed to set up the main loop: %m");
		goto out;
	}
	r = k8saudit_file_new(c, rs, o, out, loop, &k);
	if (r < 0)
		goto out;
	r = loop_run(loop);
	outputs_stop(out);
	outputs_get_stats(out, &os);
	if (os.throttled || os.dropped)
		log_info("Alerts throttled: %llu, dropped: %llu.", (unsigned long long)os.throttled,
			 (unsigned long long)os.dropped);
	if (ret_stats)
		k8saudit_file_get_stats(k, ret_stats);
out:
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
	if (strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0)
		return log_error_errno(-EOPNOTSUPP,
				       "The k8s audit webhook (%s) is not available yet: give an "
				       "audit log file in open_params.",
				       path);
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
}

const struct detect_hooks *k8saudit_plan_hooks(struct k8saudit_plan *p, const struct ruleset *rs)
{
	if (!p->k8s_audit || !p->syscall)
		return NULL;
	p->rs = rs;
	p->hooks = (struct detect_hooks){
		.on_start = plan_start,
		.on_stop = plan_stop,
		.userdata = p,
	};
	return &p->hooks;
}
