/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Downloads with libcurl: file://, http:// and https:// (redirects only to
 * http/https), CA bundle, client certificate, proxy from the environment
 * (http_proxy, https_proxy, no_proxy: libcurl's defaults), extra headers,
 * connect and total timeouts, a low-speed limit, bounded retries with backoff
 * and a size cap (an announced Content-Length over it is refused before the
 * body is read). Progress: drawn on a terminal, else a log line after
 * FETCH_PROGRESS_FIRST_S and every FETCH_PROGRESS_EVERY_S seconds.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FETCH_HEADERS_MAX 16
#define FETCH_ERROR_MAX 256
#define FETCH_PROGRESS_FIRST_S 1.0
#define FETCH_PROGRESS_EVERY_S 10.0

struct fetch_opts {
	const char *ca_file;		/* NULL: system bundle */
	const char *client_cert;	/* PEM */
	const char *client_key;		/* PEM */
	const char *headers[FETCH_HEADERS_MAX]; /* "Name: value" */
	size_t n_headers;
	long connect_timeout_ms;	/* 0: libcurl default */
	long timeout_ms;		/* total, per attempt; 0: none */
	long low_speed_limit;		/* bytes/s; with low_speed_time_s: abort slower transfers */
	long low_speed_time_s;		/* 0: no low-speed limit */
	unsigned retries;		/* extra attempts for transient failures */
	uint64_t max_size;		/* 0: no cap */
	bool progress;			/* draw progress on stderr if it is a terminal (else: log lines) */
};

struct fetch_result {
	long http_code;
	uint64_t size;
	uint64_t announced;		/* Content-Length of the last response, 0 if none */
	unsigned attempts;
	char error[FETCH_ERROR_MAX]; /* one-line reason on failure */
};

/* Once per process, before threads. */
int fetch_global_init(void);
void fetch_global_cleanup(void);

/*
 * Downloads url into fd (truncated first, and again before each retry).
 * Returns 0, or: -ENOENT (404/410 or missing file), -ETIMEDOUT, -ECONNREFUSED,
 * -EHOSTUNREACH, -EKEYREJECTED (TLS peer verification failed), -ECONNABORTED
 * (TLS handshake), -EPIPE (truncated body), -EFBIG (over max_size, or announced so),
 * -ETIMEDOUT also for a transfer under the low-speed limit,
 * -EREMOTEIO (other HTTP error), -EPROTONOSUPPORT, -EIO. res->error says why.
 */
int fetch_to_fd(const struct fetch_opts *opts, const char *url, int fd, struct fetch_result *res);
/* Same into a malloc'd NUL-terminated buffer of at most max bytes (and max_size; caller frees). */
int fetch_to_memory(const struct fetch_opts *opts, const char *url, size_t max, char **ret,
		    size_t *ret_size, struct fetch_result *res);
