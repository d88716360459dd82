/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Running the k8s_audit source from an audit log file (one JSON Event or EventList a line, as
 * the API server's log backend writes it): every event through the k8s_audit rules
 * (k8saudit.h), the alerts to the configured outputs. Replays the file to its end and returns,
 * or follows it (tail -f) until SIGINT/SIGTERM or the duration. Bad lines (not JSON, not an
 * audit event, longer than K8SAUDIT_PAYLOAD_MAX) are logged (the first ones, with their line
 * number), counted and skipped; the run goes on.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "detect.h"
#include "osprey_config.h"
#include "ruleset.h"

#define K8SAUDIT_LOG_ERRORS_MAX 20 /* bad lines logged one by one; the rest are counted */

#define K8SAUDIT_WEBHOOK_QUEUE_BODIES 64	  /* webhook bodies waiting for the main loop */
#define K8SAUDIT_WEBHOOK_QUEUE_BYTES  (64u << 20) /* ... and their bytes; beyond: 429 */
#define K8SAUDIT_WEBHOOK_THREADS      2
#define K8SAUDIT_WEBHOOK_CONNECTIONS  8 /* each may buffer a body of K8SAUDIT_PAYLOAD_MAX */

struct k8saudit_run_opts {
	const char *path;	/* the audit log file (NULL with webhook) */
	bool follow;		/* keep reading what is appended (else stop at the end) */
	uint64_t duration_usec; /* 0: no limit */
	/* or the webhook: open_params http(s)://[address]:port/path, a listener of its own that
	 * queues each POSTed body (k8saudit_inbox.h) for the main loop; runs until stopped */
	bool webhook;
	bool webhook_ssl;
	char webhook_address[64]; /* numeric; "" = every address */
	uint16_t webhook_port;
	char webhook_path[256];
	const char *ssl_certificate; /* https: webserver.ssl_certificate (PEM, cert and key) */
	const char *ssl_client_ca;   /* https: webserver.ssl_client_ca (CA bundle) or NULL */
};

/* Parses a webhook open_params into o's webhook fields. -EINVAL with *ret_why (static). */
int k8saudit_webhook_parse(const char *url, struct k8saudit_run_opts *o, const char **ret_why);

struct k8saudit_run_stats {
	uint64_t lines;
	uint64_t bad_lines; /* not JSON / not audit / too long */
	uint64_t events;
	uint64_t bad_events;
	uint64_t matches;
	uint64_t alerts_pushed;
	uint64_t alerts_failed;
};

/* Logs why it failed; returns 0 or -errno. stats (optional) receives the counts. */
int k8saudit_run(const struct osprey_config *c, const struct ruleset *rs,
		 const struct k8saudit_run_opts *o, struct k8saudit_run_stats *ret_stats);

/*
 * The same file source on someone else's loop, beside other sources (the syscall capture): the
 * alerts go to out (borrowed). Without follow, the end of the file ends the loop (loop_exit 0).
 * k8saudit_file_free() logs the counts; call it once the loop stopped running (the loop owns
 * the poller and frees it with itself). c, rs, o and out must outlive *ret. Logs why it failed;
 * returns 0 or -errno.
 */
struct loop;
struct outputs;
struct k8saudit_file;
int k8saudit_file_new(const struct osprey_config *c, const struct ruleset *rs,
		      const struct k8saudit_run_opts *o, struct outputs *out, struct loop *loop,
		      struct k8saudit_file **ret);
void k8saudit_file_get_stats(const struct k8saudit_file *k, struct k8saudit_run_stats *ret);
void k8saudit_file_free(struct k8saudit_file *k);

/*
 * How the k8s_audit source runs, once the sources are chosen (runtime/sources.h): alone, it
 * replays its file to the end (k8saudit_run()); beside the syscall capture the file is followed
 * on the capture's loop (k8saudit_plan_hooks() for detect_run_with()). The audit log is the
 * open_params of the plugins: entry named k8saudit, or the webhook's URL. Logs and returns -errno
 * when open_params is missing or a bad URL. Opens nothing (--dry-run calls it too).
 */
struct k8saudit_plan {
	bool syscall;
	bool k8s_audit;
	struct k8saudit_run_opts o; /* the audit log; o.path points into the configuration */
	/* beside the capture */
	const struct osprey_config *c;
	const struct ruleset *rs;
	struct k8saudit_file *f;
	struct k8saudit_engine *next; /* a reload's rules, between prepare and commit */
	struct detect_hooks hooks;
};
int k8saudit_plan_make(const struct osprey_config *c, bool syscall, bool k8s_audit,
		       uint64_t duration_usec, struct k8saudit_plan *ret);
/* The hooks that run the audit log beside the capture, or NULL when k8s_audit is not planned.
 * rs must outlive the run. */
const struct detect_hooks *k8saudit_plan_hooks(struct k8saudit_plan *p, const struct ruleset *rs);
