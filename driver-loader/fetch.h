/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Downloads with libcurl: file://, http:// and https:// (redirects only to
 * http/https), CA bundle, client certificate, proxy from the environment
 * (http_proxy, https_proxy, no_proxy: libcurl's defaults), extra headers,
 * connect and total timeouts, bounded retries with backoff and a size cap.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FETCH_HEADERS_MAX 16
#define FETCH_ERROR_MAX 256

struct fetch_opts {
	const char *ca_file;		/* NULL: system bundle */
	const char *client_cert;	/* PEM */
	const char *client_key;		/* PEM */
	const char *headers[FETCH_HEADERS_MAX]; /* "Name: value" */
	size_t n_headers;
	long connect_timeout_ms;	/* 0: libcurl default */
	long timeout_ms;		/* total, per attempt; 0: none */
	unsigned retries;		/* extra attempts for transient failures */
	uint64_t max_size;		/* 0: no cap */
	bool progress;			/* draw progress on stderr (only if it is a terminal) */
};

struct fetch_result {
	long http_code;
	uint64_t size;
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
 * (TLS handshake), -EPIPE (truncated body), -EFBIG (over max_size),
 * -EREMOTEIO (other HTTP error), -EPROTONOSUPPORT, -EIO. res->error says why.
 */
int fetch_to_fd(const struct fetch_opts *opts, const char *url, int fd, struct fetch_result *res);
/* Same into a malloc'd NUL-terminated buffer of at most max bytes (caller frees). */
int fetch_to_memory(const struct fetch_opts *opts, const char *url, size_t max, char **ret,
		    size_t *ret_size, struct fetch_result *res);
