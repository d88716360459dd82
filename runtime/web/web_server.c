// SPDX-License-Identifier: Apache-2.0
/*
 * The HTTP(S) server on libevent's evhttp. See web_server.h.
 *
 * Connections are counted from evhttp's bufferevent callback (one per accepted connection) to
 * the connection's close callback, set on the loop's next turn (evhttp 2.1 has no hook when it
 * creates a connection). Past max_connections a new connection is closed at once; an idle or
 * slow one is closed by the timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "log.h"
#include "web_server.h"

struct web_handler {
	char path[WEB_PATH_MAX];
	unsigned methods;
	size_t max_body;
	web_handler_fn fn;
	void *userdata;
};

struct web_thread {
	struct web_server *s;
	pthread_t tid;
	bool running;
	struct event_base *base;
	struct evhttp *http;
};

struct web_server {
	struct web_server_opts o;
	char *listen_address;
	char *ssl_certificate;
	char *ssl_client_ca;
	SSL_CTX *ssl_ctx;
	struct web_handler handlers[WEB_HANDLERS_MAX];
	size_t n_handlers;
	size_t max_body;
	int fd;
	uint16_t port;
	bool started;
	struct web_thread threads[WEB_THREADS_MAX];
	uint32_t n_threads;
	atomic_uint_fast64_t requests, refused, bad, connections, tls_refused;
};

#define WEB_TLS_LOG_PER_MINUTE 10
static pthread_mutex_t tls_log_lock = PTHREAD_MUTEX_INITIALIZER;
static time_t tls_log_window;
static unsigned tls_log_count, tls_log_suppressed;

/*
 * The server sent a fatal TLS alert (a client certificate missing or not signed by
 * ssl_client_ca, no common protocol...): one line with the peer's address, at most
 * WEB_TLS_LOG_PER_MINUTE a minute (a scanner must not flood the log).
 */
static void on_tls_info(const SSL *ssl, int where, int ret)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char addr[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0, suppressed = 0;
	struct web_server *s;
	time_t now;
	int fd;

	if (!(where & SSL_CB_WRITE_ALERT) || (ret >> 8) != SSL3_AL_FATAL)
		return;
	s = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	if (s)
		atomic_fetch_add(&s->tls_refused, 1);
	now = time(NULL);
	pthread_mutex_lock(&tls_log_lock);
	if (now - tls_log_window >= 60) {
		suppressed = tls_log_suppressed;
		tls_log_window = now;
		tls_log_count = 0;
		tls_log_suppressed = 0;
	}
	if (tls_log_count >= WEB_TLS_LOG_PER_MINUTE) {
		tls_log_suppressed++;
		pthread_mutex_unlock(&tls_log_lock);
		return;
	}
	tls_log_count++;
	pthread_mutex_unlock(&tls_log_lock);
	fd = SSL_get_fd(ssl);
	if (fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *in = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &in->sin_addr, addr, sizeof(addr));
			port = ntohs(in->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof(addr));
			port = ntohs(in6->sin6_port);
		}
	}
	log_warning("TLS handshake from %s port %u refused: %s%s.", addr, port,
		    SSL_alert_desc_string_long(ret),
		    s && s->ssl_client_ca ? " (a client certificate signed by a CA of "
					    "webserver.ssl_client_ca is required)"
					  : "");
	if (suppressed)
		log_warning("(%u more refused TLS handshakes were not logged in the last minute.)",
			    suppressed);
}

static char web_error[512];

static const char *set_error(const char *fmt, ...) _printf_(1, 2);
static const char *set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(web_error, sizeof(web_error), fmt, ap);
	va_end(ap);
	return web_error;
}

int web_response_append(struct web_response *r, const char *s, size_t n)
{
	if (r->truncated)
		return -ENOBUFS;
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		char *b;

		while (cap < r->len + n + 1)
			cap *= 2;
		if (cap > WEB_RESPONSE_MAX) {
			r->truncated = true;
			return -ENOBUFS;
		}
		b = realloc(r->body, cap);
		if (!b) {
			r->truncated = true;
			return -ENOMEM;
		}
		r->body = b;
		r->cap = cap;
	}
	memcpy(r->body + r->len, s, n);
	r->len += n;
	r->body[r->len] = 0;
	return 0;
}

int web_response_printf(struct web_response *r, const char *fmt, ...)
{
	char small[1024], *big = NULL;
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n < sizeof(small))
		return web_response_append(r, small, (size_t)n);
	big = malloc((size_t)n + 1);
	if (!big)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ret = web_response_append(r, big, (size_t)n);
	free(big);
	return ret;
}

static const struct web_handler *handler_find(const struct web_server *s, const char *path)
{
	for (size_t i = 0; i < s->n_handlers; i++)
		if (strcmp(s->handlers[i].path, path) == 0)
			return &s->handlers[i];
	return NULL;
}

static void reply_plain(struct evhttp_request *req, int status, const char *reason,
			const char *body)
{
	struct evbuffer *b = evbuffer_new();

	if (b)
		evbuffer_add(b, body, strlen(body));
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; charset=utf-8");
	evhttp_send_reply(req, status, reason, b);
	if (b)
		evbuffer_free(b);
}

static const char *status_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 413:
		return "Payload Too Large";
	case 415:
		return "Unsupported Media Type";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "Unknown";
	}
}

static void on_request(struct evhttp_request *req, void *userdata)
{
	struct web_server *s = userdata;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	struct web_response resp = {.status = 200};
	struct web_request wr = {};
	const struct web_handler *h;
	struct evbuffer *out;
	size_t body_len;

	atomic_fetch_add(&s->requests, 1);
	wr.path = uri ? evhttp_uri_get_path(uri) : NULL;
	wr.query = uri ? evhttp_uri_get_query(uri) : NULL;
	wr.content_type = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
	if (!wr.path || !*wr.path)
		wr.path = "/";
	h = handler_find(s, wr.path);
	if (!h) {
		atomic_fetch_add(&s->bad, 1);
		reply_plain(req, 404, "Not Found", "not found\n");
		return;
	}
	if (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD)
		wr.method = WEB_METHOD_GET;
	else if (cmd == EVHTTP_REQ_POST)
		wr.method = WEB_METHOD_POST;
	if (!(h->methods & wr.method)) {
		atomic_fetch_add(&s->bad, 1);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
				  h->methods & WEB_METHOD_POST ? "POST" : "GET, HEAD");
		reply_plain(req, 405, "Method Not Allowed", "method not allowed\n");
		return;
	}
	body_len = in ? evbuffer_get_length(in) : 0;
	if (body_len > h->max_body) {
		atomic_fetch_add(&s->bad, 1);
		reply_plain(req, 413, "Payload Too Large", "request body too large\n");
		return;
	}
	if (body_len) {
		wr.body = evbuffer_pullup(in, (ev_ssize_t)body_len);
		wr.body_len = body_len;
	}
	h->fn(&wr, &resp, h->userdata);
	if (resp.truncated) {
		free(resp.body);
		reply_plain(req, 500, "Internal Server Error", "response too large\n");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  resp.content_type ? resp.content_type : "text/plain; charset=utf-8");
	out = evbuffer_new();
	if (out && resp.len && cmd != EVHTTP_REQ_HEAD)
		evbuffer_add(out, resp.body, resp.len);
	evhttp_send_reply(req, resp.status, status_reason(resp.status), out);
	if (out)
		evbuffer_free(out);
	free(resp.body);
}

/* A connection ended (closed by either side, timed out, or refused): uncount it. */
static void on_conn_close(struct evhttp_connection *evcon, void *userdata)
{
	struct web_server *s = userdata;

	atomic_fetch_sub(&s->connections, 1);
}

struct web_adopt {
	struct web_server *s;
	struct bufferevent *bev;
};

/*
 * Right after evhttp made the connection (the loop's next turn): find it through the
 * bufferevent's callback argument, which evhttp sets to the connection, and ask to be told when
 * it closes. Over the cap, close it at once.
 */
static void conn_adopt(evutil_socket_t fd, short what, void *userdata)
{
	struct web_adopt *a = userdata;
	struct web_server *s = a->s;
	struct evhttp_connection *evcon = NULL;

	bufferevent_getcb(a->bev, NULL, NULL, NULL, (void **)&evcon);
	if (!evcon) /* already freed by evhttp (callbacks cleared) */
		atomic_fetch_sub(&s->connections, 1);
	else {
		evhttp_connection_set_closecb(evcon, on_conn_close, s);
		if (atomic_load(&s->connections) > s->o.max_connections) {
			atomic_fetch_add(&s->refused, 1);
			evhttp_connection_free(evcon);
		}
	}
	bufferevent_decref(a->bev);
	free(a);
}

/* evhttp asks for each accepted connection's bufferevent; it sets the fd itself. */
static struct bufferevent *on_new_connection(struct event_base *base, void *userdata)
{
	static const struct timeval now = {0, 0};
	struct web_server *s = userdata;
	struct web_adopt *a = calloc(1, sizeof(*a));
	struct bufferevent *bev;

	if (!a)
		return NULL;
	if (s->ssl_ctx) {
		SSL *ssl = SSL_new(s->ssl_ctx);

		bev = ssl ? bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
							   BEV_OPT_CLOSE_ON_FREE)
			  : NULL;
		if (!bev && ssl)
			SSL_free(ssl);
	} else
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		free(a);
		return NULL;
	}
	a->s = s;
	a->bev = bev;
	bufferevent_incref(bev);
	atomic_fetch_add(&s->connections, 1);
	if (event_base_once(base, -1, EV_TIMEOUT, conn_adopt, a, &now) < 0) {
		atomic_fetch_sub(&s->connections, 1);
		bufferevent_decref(bev);
		free(a);
	}
	return bev;
}

static void *thread_main(void *userdata)
{
	struct web_thread *t = userdata;

	event_base_dispatch(t->base);
	return NULL;
}

static pthread_once_t evthread_once = PTHREAD_ONCE_INIT;
static void evthread_setup(void)
{
	evthread_use_pthreads();
}

int web_server_new(const struct web_server_opts *o, struct web_server **ret, const char **ret_error)
{
	struct web_server *s;
	const char *why = NULL;

	pthread_once(&evthread_once, evthread_setup);
	if (o->ssl && (!o->ssl_certificate || !*o->ssl_certificate)) {
		if (ret_error)
			*ret_error =
				"TLS is enabled but no certificate is set "
				"(webserver.ssl_certificate: a PEM with the certificate and key)";
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->o = *o;
	s->fd = -1;
	s->listen_address =
		strdup(o->listen_address && *o->listen_address ? o->listen_address : "0.0.0.0");
	s->ssl_certificate = o->ssl_certificate ? strdup(o->ssl_certificate) : NULL;
	s->ssl_client_ca = o->ssl_client_ca && *o->ssl_client_ca ? strdup(o->ssl_client_ca) : NULL;
	if (!s->listen_address || (o->ssl_certificate && !s->ssl_certificate) ||
	    (o->ssl_client_ca && *o->ssl_client_ca && !s->ssl_client_ca)) {
		web_server_free(s);
		return -ENOMEM;
	}
	s->o.listen_address = s->listen_address;
	s->o.ssl_certificate = s->ssl_certificate;
	s->o.ssl_client_ca = s->ssl_client_ca;
	if (!s->o.threads)
		s->o.threads = 1;
	if (s->o.threads > WEB_THREADS_MAX)
		s->o.threads = WEB_THREADS_MAX;
	if (!s->o.max_connections)
		s->o.max_connections = WEB_MAX_CONNECTIONS_DEFAULT;
	if (!s->o.max_header_bytes)
		s->o.max_header_bytes = WEB_MAX_HEADER_DEFAULT;
	if (!s->o.timeout_sec)
		s->o.timeout_sec = WEB_TIMEOUT_SEC_DEFAULT;
	if (o->ssl) {
		unsigned long e;

		s->ssl_ctx = SSL_CTX_new(TLS_server_method());
		if (!s->ssl_ctx)
			why = "cannot create the TLS context";
		else if (SSL_CTX_set_min_proto_version(s->ssl_ctx, TLS1_2_VERSION) != 1)
			why = "cannot require TLS 1.2";
		else if (SSL_CTX_use_certificate_chain_file(s->ssl_ctx, s->ssl_certificate) != 1 ||
			 SSL_CTX_use_PrivateKey_file(s->ssl_ctx, s->ssl_certificate,
						     SSL_FILETYPE_PEM) != 1 ||
			 SSL_CTX_check_private_key(s->ssl_ctx) != 1) {
			char buf[256];

			e = ERR_peek_last_error();
			ERR_error_string_n(e, buf, sizeof(buf));
			why = set_error("cannot load the certificate and key from '%s' (%s): it "
					"must be a PEM file with both, e.g. cat server.crt "
					"server.key > osprey.pem",
					s->ssl_certificate, buf);
		} else if (s->ssl_client_ca) {
			STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(s->ssl_client_ca);

			if (!names || SSL_CTX_load_verify_locations(s->ssl_ctx, s->ssl_client_ca,
								    NULL) != 1) {
				char buf[256];

				e = ERR_peek_last_error();
				ERR_error_string_n(e, buf, sizeof(buf));
				why = set_error(
					"cannot load the client CA bundle '%s' (%s): it must "
					"be a PEM file of one or more CA certificates",
					s->ssl_client_ca, buf);
				if (names)
					sk_X509_NAME_pop_free(names, X509_NAME_free);
			} else {
				SSL_CTX_set_client_CA_list(s->ssl_ctx, names);
				SSL_CTX_set_verify(
					s->ssl_ctx,
					SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
			}
		}
		if (!why) {
			SSL_CTX_set_app_data(s->ssl_ctx, s);
			SSL_CTX_set_info_callback(s->ssl_ctx, on_tls_info);
		}
		ERR_clear_error();
		if (why) {
			if (ret_error)
				*ret_error = why;
			web_server_free(s);
			return -EINVAL;
		}
	}
	*ret = s;
	return 0;
}

int web_server_add_handler(struct web_server *s, const char *path, unsigned methods,
			   size_t max_body, web_handler_fn fn, void *userdata)
{
	struct web_handler *h;

	if (s->started)
		return -EBUSY;
	if (!path || path[0] != '/' || strlen(path) >= WEB_PATH_MAX || !fn || !methods)
		return -EINVAL;
	if (handler_find(s, path))
		return -EEXIST;
	if (s->n_handlers >= WEB_HANDLERS_MAX)
		return -E2BIG;
	h = &s->handlers[s->n_handlers++];
	snprintf(h->path, sizeof(h->path), "%s", path);
	h->methods = methods;
	h->max_body = max_body;
	h->fn = fn;
	h->userdata = userdata;
	if (max_body > s->max_body)
		s->max_body = max_body;
	return 0;
}

static int listen_socket(struct web_server *s, const char **ret_error)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1, r;

	if (inet_pton(AF_INET, s->listen_address, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(s->o.port);
		len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, s->listen_address, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(s->o.port);
		len = sizeof(*a6);
	} else {
		*ret_error = set_error("listen address '%s' is not a numeric IPv4 or IPv6 address "
				       "(webserver.listen_address, e.g. 0.0.0.0 or ::)",
				       s->listen_address);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 128) < 0) {
		r = -errno;
		*ret_error = set_error("cannot listen on %s port %u: %s (webserver.listen_address, "
				       "webserver.listen_port)",
				       s->listen_address, s->o.port, strerror(-r));
		close(fd);
		return r;
	}
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		s->port = ntohs(ss.ss_family == AF_INET ? a4->sin_port : a6->sin6_port);
	s->fd = fd;
	return 0;
}

int web_server_start(struct web_server *s, const char **ret_error)
{
	const char *dummy;
	int r;

	if (!ret_error)
		ret_error = &dummy;
	*ret_error = NULL;
	if (s->started)
		return -EBUSY;
	r = listen_socket(s, ret_error);
	if (r < 0)
		return r;
	s->started = true;
	for (uint32_t i = 0; i < s->o.threads; i++) {
		struct web_thread *t = &s->threads[i];
		int fd;

		t->s = s;
		t->base = event_base_new();
		t->http = t->base ? evhttp_new(t->base) : NULL;
		s->n_threads++;
		if (!t->http) {
			*ret_error = "cannot create the HTTP server";
			return -ENOMEM;
		}
		evhttp_set_max_headers_size(t->http, s->o.max_header_bytes);
		/* the handlers' own caps are checked per path; this one only bounds reading */
		evhttp_set_max_body_size(t->http, (ev_ssize_t)MAX(s->max_body, (size_t)4096));
		evhttp_set_timeout(t->http, (int)s->o.timeout_sec);
		evhttp_set_allowed_methods(t->http,
					   EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST);
		evhttp_set_gencb(t->http, on_request, s);
		evhttp_set_bevcb(t->http, on_new_connection, s);
		fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0 || !evhttp_accept_socket_with_handle(t->http, fd)) {
			if (fd >= 0)
				close(fd);
			*ret_error = "cannot accept connections on the listening socket";
			return -EIO;
		}
		/* the threads never take a signal: the main loop reads them through a signalfd */
		sigset_t all, old;

		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		r = -pthread_create(&t->tid, NULL, thread_main, t);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (r < 0) {
			*ret_error = "cannot start the HTTP server thread";
			return r;
		}
		t->running = true;
	}
	return 0;
}

uint16_t web_server_get_port(const struct web_server *s)
{
	return s->port;
}

void web_server_get_stats(struct web_server *s, struct web_server_stats *ret)
{
	*ret = (struct web_server_stats){
		.requests = atomic_load(&s->requests),
		.refused_connections = atomic_load(&s->refused),
		.bad_requests = atomic_load(&s->bad),
		.connections = atomic_load(&s->connections),
	};
}

void web_server_free(struct web_server *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->n_threads; i++)
		if (s->threads[i].running)
			event_base_loopbreak(s->threads[i].base);
	for (uint32_t i = 0; i < s->n_threads; i++) {
		struct web_thread *t = &s->threads[i];

		if (t->running)
			pthread_join(t->tid, NULL);
		if (t->http)
			evhttp_free(t->http);
		if (t->base)
			event_base_free(t->base);
	}
	if (s->fd >= 0)
		close(s->fd);
	if (s->ssl_ctx)
		SSL_CTX_free(s->ssl_ctx);
	free(s->listen_address);
	free(s->ssl_certificate);
	free(s->ssl_client_ca);
	free(s);
}
