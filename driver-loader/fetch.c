// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "config.h"
#include "fetch.h"
#include "log.h"
#include "util.h"

struct sink {
	int fd;			/* >= 0: write here */
	char *buf;		/* else: grow this, up to max */
	size_t len, cap, max;
	uint64_t written;
	uint64_t limit;		/* 0: none */
	uint64_t announced;	/* Content-Length of the current response, 0: none */
	bool over_limit;
	int error;
};

struct progress {
	double start, last;
	bool drawn;		/* a line was drawn on the terminal */
	bool terminal;		/* draw (else log) */
	unsigned logged;
	const char *url;
};

int fetch_global_init(void)
{
	CURLcode c = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (c != CURLE_OK)
		return log_error_errno(-EIO, "Failed to initialize libcurl: %s", curl_easy_strerror(c));
	return 0;
}

void fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct sink *s = userdata;
	size_t n = size * nmemb;

	if (s->limit && s->written + n > s->limit) {
		s->over_limit = true;
		return 0;
	}
	if (s->fd >= 0) {
		const char *p = data;
		size_t left = n;
		while (left > 0) {
			ssize_t w = write(s->fd, p, left);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				s->error = negative_errno();
				return 0;
			}
			p += w;
			left -= (size_t)w;
		}
	} else {
		if (s->len + n > s->max) {
			s->over_limit = true;
			return 0;
		}
		if (s->len + n + 1 > s->cap) {
			size_t ncap = MAX(s->cap * 2, s->len + n + 1);
			char *nb = realloc(s->buf, MIN(ncap, s->max + 1));
			if (!nb) {
				s->error = -ENOMEM;
				return 0;
			}
			s->buf = nb;
			s->cap = MIN(ncap, s->max + 1);
		}
		memcpy(s->buf + s->len, data, n);
		s->len += n;
	}
	s->written += n;
	return n;
}

/* Records each response's Content-Length (a redirect's own response starts anew). */
static size_t header_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct sink *s = userdata;
	size_t n = size * nmemb;
	char buf[64];

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		s->announced = 0;
	} else if (n > 15 && n < sizeof(buf) && strncasecmp(data, "Content-Length:", 15) == 0) {
		uint64_t v = 0;
		bool digits = false;

		memcpy(buf, data + 15, n - 15);
		buf[n - 15] = '\0';
		for (const char *c = buf; *c; c++) {
			if (*c >= '0' && *c <= '9') {
				if (v > (UINT64_MAX - 9) / 10)
					return n; /* absurd: curl refuses it itself */
				v = v * 10 + (uint64_t)(*c - '0');
				digits = true;
			} else if (!strchr(" \t\r\n", *c)) {
				return n;
			}
		}
		if (digits)
			s->announced = v;
	}
	return n;
}

static int debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *userdata)
{
	if (type == CURLINFO_TEXT) {
		int len = (int)MIN(size, 512u);
		while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
			len--;
		log_debug("curl: %.*s", len, data);
	}
	return 0;
}

static int xferinfo_cb(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct progress *p = userdata;
	double t = now_monotonic(), el = t - p->start;
	const char *name = strrchr(p->url, '/') ? strrchr(p->url, '/') + 1 : p->url;

	if (!p->terminal) {
		/* No terminal (an init container's log): a line after 1 s, then every 10 s. */
		if (el < FETCH_PROGRESS_FIRST_S + FETCH_PROGRESS_EVERY_S * p->logged)
			return 0;
		p->logged++;
		if (dltotal > 0)
			log_info("Downloading %.200s: %lld of %lld bytes after %.0f s (%.0f bytes/s)",
				 name, (long long)dlnow, (long long)dltotal, el, (double)dlnow / el);
		else
			log_info("Downloading %.200s: %lld bytes after %.0f s (%.0f bytes/s)", name,
				 (long long)dlnow, el, (double)dlnow / el);
		return 0;
	}
	/* Only downloads that take a while get a progress line, refreshed 5 times a second. */
	if (el < 0.5 || t - p->last < 0.2 || dlnow == 0)
		return 0;
	p->last = t;
	p->drawn = true;
	if (dltotal > 0)
		fprintf(stderr, "\r%.60s %3d%% %lld / %lld bytes", name, (int)(dlnow * 100 / dltotal),
			(long long)dlnow, (long long)dltotal);
	else
		fprintf(stderr, "\r%.60s %lld bytes", name, (long long)dlnow);
	return 0;
}

static bool is_transient(int r)
{
	return r == -ETIMEDOUT || r == -ECONNREFUSED || r == -EPIPE || r == -EAGAIN;
}

static void curl_easy_cleanupp(CURL **h)
{
	if (*h)
		curl_easy_cleanup(*h);
}

static void curl_slist_freep(struct curl_slist **l)
{
	curl_slist_free_all(*l);
}

/* One attempt. */
static int fetch_once(const struct fetch_opts *opts, const char *url, struct sink *s,
		      struct fetch_result *res)
{
	_cleanup_(curl_easy_cleanupp) CURL *h = curl_easy_init();
	_cleanup_(curl_slist_freep) struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct progress prog = { .url = url, .start = now_monotonic(),
				 .terminal = opts->progress && isatty(STDERR_FILENO) };
	uint64_t cap = s->limit;
	CURLcode c;
	long code = 0;

	if (!h)
		return -ENOMEM;
	for (size_t i = 0; i < opts->n_headers; i++) {
		struct curl_slist *n = curl_slist_append(hdrs, opts->headers[i]);
		if (!n)
			return -ENOMEM;
		hdrs = n;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "file,http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "osprey-driver-loader/" OSPREY_VERSION);
	if (hdrs)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if (opts->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, opts->ca_file);
	if (opts->client_cert)
		curl_easy_setopt(h, CURLOPT_SSLCERT, opts->client_cert);
	if (opts->client_key)
		curl_easy_setopt(h, CURLOPT_SSLKEY, opts->client_key);
	if (opts->connect_timeout_ms > 0)
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, opts->connect_timeout_ms);
	if (opts->timeout_ms > 0)
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, opts->timeout_ms);
	if (opts->low_speed_time_s > 0 && opts->low_speed_limit > 0) {
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, opts->low_speed_limit);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, opts->low_speed_time_s);
	}
	/* libcurl refuses a response whose Content-Length is over this before reading its body. */
	if (s->fd < 0 && (!cap || s->max < cap))
		cap = s->max;
	if (cap)
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cap);
	if (log_get_max_level() >= LOG_DEBUG) {
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	}
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, &prog);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);

	c = curl_easy_perform(h);
	if (prog.drawn)
		fputs("\r\033[K", stderr);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	res->http_code = code;
	res->size = s->written;
	res->announced = s->announced;
	snprintf(res->error, sizeof(res->error), "%s", errbuf[0] ? errbuf : curl_easy_strerror(c));

	if (s->over_limit || c == CURLE_FILESIZE_EXCEEDED) {
		if (s->announced > cap && s->written == 0)
			snprintf(res->error, sizeof(res->error),
				 "the server announces %llu bytes (Content-Length), over the %llu-byte limit: not read",
				 (unsigned long long)s->announced, (unsigned long long)cap);
		else
			snprintf(res->error, sizeof(res->error), "larger than the %llu-byte limit",
				 (unsigned long long)cap);
		return -EFBIG;
	}
	if (s->error)
		return s->error;
	switch (c) {
	case CURLE_OK:
		break;
	case CURLE_FILE_COULDNT_READ_FILE:
		return -ENOENT;
	case CURLE_OPERATION_TIMEDOUT:
		/* A response that started and ended before the total timeout: the low-speed limit. */
		if (code > 0 && opts->low_speed_time_s > 0 &&
		    (opts->timeout_ms <= 0 || now_monotonic() - prog.start < opts->timeout_ms / 1000.0))
			snprintf(res->error, sizeof(res->error),
				 "transfer stalled: under %ld bytes/s for %ld s (%llu bytes received; --low-speed-limit, --low-speed-time)",
				 opts->low_speed_limit, opts->low_speed_time_s,
				 (unsigned long long)s->written);
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return -EHOSTUNREACH;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return -EKEYREJECTED;
	case CURLE_SSL_CONNECT_ERROR:
		return -ECONNABORTED;
	case CURLE_PARTIAL_FILE:
		return -EPIPE;
	case CURLE_UNSUPPORTED_PROTOCOL:
		return -EPROTONOSUPPORT;
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return -EAGAIN;
	default:
		return -EIO;
	}
	if (code == 404 || code == 410) {
		snprintf(res->error, sizeof(res->error), "HTTP %ld (not found)", code);
		return -ENOENT;
	}
	if (code >= 500) {
		snprintf(res->error, sizeof(res->error), "HTTP %ld (server error)", code);
		return -EAGAIN;
	}
	if (code >= 400) {
		snprintf(res->error, sizeof(res->error), "HTTP %ld", code);
		return -EREMOTEIO;
	}
	return 0;
}

static int reset_sink(struct sink *s)
{
	s->written = 0;
	s->len = 0;
	s->over_limit = false;
	s->error = 0;
	if (s->fd >= 0 && (ftruncate(s->fd, 0) < 0 || lseek(s->fd, 0, SEEK_SET) < 0))
		return negative_errno();
	return 0;
}

static int fetch_retrying(const struct fetch_opts *opts, const char *url, struct sink *s,
			  struct fetch_result *res)
{
	long backoff_ms = 200;
	int r;

	memset(res, 0, sizeof(*res));
	for (unsigned attempt = 0;; attempt++) {
		r = reset_sink(s);
		if (r < 0)
			return r;
		res->attempts = attempt + 1;
		r = fetch_once(opts, url, s, res);
		if (r >= 0 || !is_transient(r) || attempt >= opts->retries)
			break;
		log_debug("Fetching %s failed (%s), retrying in %ld ms", url, res->error, backoff_ms);
		nanosleep(&(struct timespec){ .tv_sec = backoff_ms / 1000,
					      .tv_nsec = (backoff_ms % 1000) * 1000000L },
			  NULL);
		backoff_ms = MIN(backoff_ms * 2, 5000L);
	}
	if (r == -EAGAIN)
		r = -EREMOTEIO;
	return r;
}

int fetch_to_fd(const struct fetch_opts *opts, const char *url, int fd, struct fetch_result *res)
{
	struct sink s = { .fd = fd, .limit = opts->max_size };

	return fetch_retrying(opts, url, &s, res);
}

int fetch_to_memory(const struct fetch_opts *opts, const char *url, size_t max, char **ret,
		    size_t *ret_size, struct fetch_result *res)
{
	struct sink s = { .fd = -1, .max = max, .limit = opts->max_size };
	int r;

	r = fetch_retrying(opts, url, &s, res);
	if (r < 0) {
		free(s.buf);
		return r;
	}
	if (!s.buf) {
		s.buf = malloc(1);
		if (!s.buf)
			return -ENOMEM;
	}
	s.buf[s.len] = '\0';
	*ret = s.buf;
	if (ret_size)
		*ret_size = s.len;
	return 0;
}
