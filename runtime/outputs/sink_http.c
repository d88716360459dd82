// SPDX-License-Identifier: Apache-2.0
/*
 * http_output: each alert is POSTed to url (Content-Type application/json with json_output,
 * text/plain otherwise, like Falco) with one libcurl easy handle owned by the worker, so the
 * connection is kept alive and reused (keep_alive: false forbids reuse). TLS: the system CA
 * store, or ca_cert/ca_bundle (a CA file) and ca_path (a directory); insecure skips peer and
 * host verification; mtls presents client_cert/client_key. Each attempt is bounded by
 * connect_timeout_ms and timeout_ms; failed attempts are retried max_retries times (not for a
 * 4xx answer other than 408/429) after a back-off of 100 ms doubling up to 2 s. While the
 * receiver is down (the last alert failed) each alert gets one attempt, no retries, so a dead
 * receiver costs at most one timeout per alert until it answers again. compress_uploads gzips
 * the body (Content-Encoding: gzip).
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "log.h"
#include "macro.h"
#include "sink.h"

#define ECHO_MAX	   (64 * 1024)
#define RETRY_DELAY_MS	   100
#define RETRY_DELAY_MAX_MS 2000

struct http_sink {
	struct sink *sink;
	CURL *curl;
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	uint32_t timeout_ms, max_retries;
	bool echo, compress;
	int echo_fd; /* stdout, non-blocking (sink_stdout_open) */
	bool echo_owned, echo_sock;
	bool down; /* the last alert failed: no retries until one is delivered */
	size_t echoed;
	uint8_t *gz;
	size_t gz_size;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct http_sink *h = userdata;
	size_t n = size * nmemb;

	/* echo: the server's answer to stdout, bounded per request. */
	if (h->echo && h->echoed < ECHO_MAX) {
		size_t k = MIN(n, ECHO_MAX - h->echoed);

		if (h->echo_sock)
			(void)sink_send_all(h->sink, h->echo_fd, ptr, k, 1000);
		else
			(void)sink_write_all(h->sink, h->echo_fd, ptr, k, 1000);
		h->echoed += k;
	}
	return n;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct http_sink *h = userdata;

	return sink_should_abort(h->sink) ? 1 : 0; /* outputs_free() drain deadline passed */
}

static int curl_errno(CURLcode c)
{
	switch (c) {
	case CURLE_OK:
		return 0;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return -EHOSTUNREACH;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_ABORTED_BY_CALLBACK:
		return -ECANCELED;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return -ECONNRESET;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		return -EPROTO;
	default:
		return -EIO;
	}
}

#define SETOPT(h, opt, val)                                                                        \
	do {                                                                                       \
		CURLcode _c = curl_easy_setopt((h)->curl, opt, val);                               \
		if (_c != CURLE_OK)                                                                \
			return log_error_errno(-EINVAL, "http_output: cannot set %s: %s", #opt,    \
					       curl_easy_strerror(_c));                            \
	} while (0)

static bool set(const char *s)
{
	return s && *s;
}

static int http_setup(struct http_sink *h, const struct outputs_config *c)
{
	const char *ca =
		set(c->http_output.ca_cert) ? c->http_output.ca_cert : c->http_output.ca_bundle;

	SETOPT(h, CURLOPT_URL, c->http_output.url);
	SETOPT(h, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(h, CURLOPT_USERAGENT,
	       set(c->http_output.user_agent) ? c->http_output.user_agent : "osprey");
	SETOPT(h, CURLOPT_HTTPHEADER, h->headers);
	SETOPT(h, CURLOPT_POST, 1L);
	SETOPT(h, CURLOPT_NOSIGNAL, 1L);
	SETOPT(h, CURLOPT_ERRORBUFFER, h->errbuf);
	SETOPT(h, CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(h, CURLOPT_WRITEDATA, h);
	SETOPT(h, CURLOPT_NOPROGRESS, 0L);
	SETOPT(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	SETOPT(h, CURLOPT_XFERINFODATA, h);
	SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(c->http_output.connect_timeout_ms ?: 1000));
	SETOPT(h, CURLOPT_TCP_KEEPALIVE, 1L);
	SETOPT(h, CURLOPT_FOLLOWLOCATION, 0L);
	if (!c->http_output.keep_alive)
		SETOPT(h, CURLOPT_FORBID_REUSE, 1L);
	if (c->http_output.insecure) {
		SETOPT(h, CURLOPT_SSL_VERIFYPEER, 0L);
		SETOPT(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (set(ca))
		SETOPT(h, CURLOPT_CAINFO, ca);
	if (set(c->http_output.ca_path))
		SETOPT(h, CURLOPT_CAPATH, c->http_output.ca_path);
	if (c->http_output.mtls) {
		SETOPT(h, CURLOPT_SSLCERT, c->http_output.client_cert);
		SETOPT(h, CURLOPT_SSLKEY, c->http_output.client_key);
	}
	return 0;
}

static void http_free(struct http_sink *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	if (h->echo_owned)
		close(h->echo_fd);
	free(h->gz);
	free(h);
	curl_global_cleanup();
}

static int http_init(struct sink *s, const struct outputs_config *c)
{
	struct http_sink *h;
	struct curl_slist *l;
	CURLcode cc;
	int r;

	/* Called from outputs_new() on the owner's thread, before the worker starts. */
	cc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (cc != CURLE_OK)
		return log_error_errno(-EIO, "http_output: libcurl init failed: %s",
				       curl_easy_strerror(cc));
	h = calloc(1, sizeof(*h));
	if (!h) {
		curl_global_cleanup();
		return -ENOMEM;
	}
	h->sink = s;
	h->timeout_ms = c->http_output.timeout_ms ?: 5000;
	h->max_retries = c->http_output.max_retries;
	h->echo = c->http_output.echo;
	h->echo_fd = h->echo ? sink_stdout_open(&h->echo_owned, &h->echo_sock) : STDOUT_FILENO;
	h->compress = c->http_output.compress_uploads;
	h->curl = curl_easy_init();
	if (!h->curl) {
		http_free(h);
		return -ENOMEM;
	}
	l = curl_slist_append(NULL, c->json_output ? "Content-Type: application/json"
						   : "Content-Type: text/plain");
	if (l && h->compress)
		l = curl_slist_append(l, "Content-Encoding: gzip") ?: l;
	/* No "Expect: 100-continue" round trip for large alerts. */
	if (l)
		l = curl_slist_append(l, "Expect:") ?: l;
	h->headers = l;
	if (!h->headers) {
		http_free(h);
		return -ENOMEM;
	}
	r = http_setup(h, c);
	if (r < 0) {
		http_free(h);
		return r;
	}
	s->data = h;
	return 0;
}

/* gzips body into h->gz; returns the compressed size or -errno. */
static int gzip_body(struct http_sink *h, const char *body, size_t len)
{
	z_stream z = {0};
	size_t bound;
	int zr;

	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -ENOMEM;
	bound = deflateBound(&z, len);
	if (bound > h->gz_size) {
		uint8_t *n = realloc(h->gz, bound);

		if (!n) {
			deflateEnd(&z);
			return -ENOMEM;
		}
		h->gz = n;
		h->gz_size = bound;
	}
	z.next_in = (Bytef *)body;
	z.avail_in = (uInt)len;
	z.next_out = h->gz;
	z.avail_out = (uInt)h->gz_size;
	zr = deflate(&z, Z_FINISH);
	deflateEnd(&z);
	if (zr != Z_STREAM_END)
		return -EIO;
	return (int)z.total_out;
}

static void sleep_ms(struct sink *s, uint32_t ms)
{
	uint64_t deadline = sink_deadline_ns(s, ms);

	while (now_ns() < deadline && !sink_should_abort(s)) {
		struct timespec t = {.tv_nsec = 10 * 1000000L};

		nanosleep(&t, NULL);
	}
}

static int http_post(struct sink *s, const char *line, size_t len);

static int http_emit(struct sink *s, enum alert_priority priority, const char *line, size_t len)
{
	struct http_sink *h = s->data;
	int r = http_post(s, line, len);

	h->down = r < 0;
	return r;
}

static int http_post(struct sink *s, const char *line, size_t len)
{
	struct http_sink *h = s->data;
	uint32_t attempts = h->down ? 1 : 1 + h->max_retries;
	const char *body = line;
	int r = -EIO;

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (h->compress) {
		int n = gzip_body(h, line, len);

		if (n < 0)
			return n;
		body = (const char *)h->gz;
		len = (size_t)n;
	}
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);

	for (uint32_t attempt = 0; attempt < attempts; attempt++) {
		uint64_t deadline, now;
		long code = 0;
		CURLcode cc;

		if (attempt > 0)
			sleep_ms(s,
				 MIN(RETRY_DELAY_MS << MIN(attempt - 1, 5U), RETRY_DELAY_MAX_MS));
		now = now_ns();
		deadline = sink_deadline_ns(s, h->timeout_ms);
		if (sink_should_abort(s) || deadline <= now)
			return r == -EIO ? -ECANCELED : r;
		curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS,
				 (long)MAX((deadline - now) / 1000000ULL, 1ULL));
		h->errbuf[0] = '\0';
		h->echoed = 0;
		cc = curl_easy_perform(h->curl);
		if (cc == CURLE_OK) {
			curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
			if (code >= 200 && code < 300)
				return 0;
			snprintf(s->detail, sizeof(s->detail), "HTTP status %ld", code);
			r = -EPROTO;
			if (code >= 400 && code < 500 && code != 408 && code != 429)
				return r; /* the same body would be refused again */
			continue;
		}
		r = curl_errno(cc);
		if (cc == CURLE_OPERATION_TIMEDOUT)
			s->timeouts++;
		snprintf(s->detail, sizeof(s->detail), "%s",
			 h->errbuf[0] ? h->errbuf : curl_easy_strerror(cc));
		if (cc == CURLE_ABORTED_BY_CALLBACK)
			return r;
	}
	return r;
}

static void http_done(struct sink *s)
{
	http_free(s->data);
	s->data = NULL;
}

const struct sink_ops sink_http_ops = {
	.name = "http",
	.init = http_init,
	.emit = http_emit,
	.done = http_done,
};
