/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The embedded HTTP(S) server: health, metrics and versions (ops/), and the k8s audit webhook
 * (k8saudit/k8saudit_run.c, a server of its own on its own port). libevent's evhttp (plain) with
 *bufferevent_openssl (TLS): OpenSSL is already the project's one TLS stack (libcurl, the driver
 *loader), and libevent is packaged everywhere (Debian and Alpine libevent-dev).
 *
 * The server runs on threads of its own (webserver.threadiness, each with its own event base,
 * all accepting on one listening socket) and never touches the event path: handlers read
 * counters that the main loop publishes (see ops.h). Handlers therefore run concurrently and
 * must be thread-safe.
 *
 * Bounds: at most max_connections open connections (more are closed at once and counted),
 * request line and headers at most max_header_bytes, bodies at most the handler's max_body
 * (413 beyond), a client idle or slow for timeout_sec is disconnected, a response is at most
 * WEB_RESPONSE_MAX bytes.
 *
 *	web_server_new(&opts, &s, &why);
 *	web_server_add_handler(s, "/healthz", WEB_METHOD_GET, 0, on_healthz, ud);
 *	web_server_add_handler(s, "/k8s-audit", WEB_METHOD_POST, 1 << 20, on_audit, ud);
 *	web_server_start(s, &why);                        binds, starts the threads
 *	...
 *	web_server_free(s);                               stops the threads
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define WEB_HANDLERS_MAX	    32
#define WEB_THREADS_MAX		    16
#define WEB_PATH_MAX		    256
#define WEB_RESPONSE_MAX	    (8u << 20)
#define WEB_MAX_CONNECTIONS_DEFAULT 64
#define WEB_MAX_HEADER_DEFAULT	    8192
#define WEB_TIMEOUT_SEC_DEFAULT	    10

enum web_method {
	WEB_METHOD_GET = 1u << 0, /* also answers HEAD */
	WEB_METHOD_POST = 1u << 1,
};

struct web_server_opts {
	const char *listen_address; /* numeric IPv4 or IPv6 address; NULL or "" = 0.0.0.0 */
	uint16_t port;		    /* 0 = any free port (web_server_get_port() says which) */
	bool ssl;
	const char *ssl_certificate; /* PEM with the certificate (chain) and its private key */
	/* PEM bundle of CAs: if set (TLS only), a client without a certificate signed by one of
	 * them is refused at the handshake (logged, rate-limited, with the peer's address) */
	const char *ssl_client_ca;
	uint32_t threads;	   /* 0 = 1 */
	uint32_t max_connections;  /* 0 = WEB_MAX_CONNECTIONS_DEFAULT */
	uint32_t max_header_bytes; /* 0 = WEB_MAX_HEADER_DEFAULT */
	uint32_t timeout_sec;	   /* 0 = WEB_TIMEOUT_SEC_DEFAULT */
};

struct web_request {
	enum web_method method;
	const char *path;	  /* without the query */
	const char *query;	  /* after '?', or NULL */
	const char *content_type; /* the Content-Type header, or NULL */
	const uint8_t *body;
	size_t body_len;
};

/* What a handler fills: status (default 200), content type (static string), body. */
struct web_response {
	int status;
	const char *content_type; /* default "text/plain; charset=utf-8" */
	char *body;		  /* owned by the server */
	size_t len, cap;
	bool truncated; /* the body hit WEB_RESPONSE_MAX: the server answers 500 */
};

int web_response_append(struct web_response *r, const char *s, size_t n);
int web_response_printf(struct web_response *r, const char *fmt, ...) _printf_(2, 3);

typedef void (*web_handler_fn)(const struct web_request *req, struct web_response *resp,
			       void *userdata);

struct web_server_stats {
	uint64_t requests;	      /* answered, any status */
	uint64_t refused_connections; /* over max_connections */
	uint64_t bad_requests;	      /* 404, 405, 413, 431 and malformed requests */
	uint64_t connections;	      /* open now */
};

struct web_server;

/* Checks the options and, with ssl, loads the certificate. On failure *ret_error (may be NULL)
 * points to a one-line reason (static, or valid until the next call from this thread). Caller
 * owns *ret. */
int web_server_new(const struct web_server_opts *o, struct web_server **ret,
		   const char **ret_error);
/* Registers fn for an exact path, before web_server_start(). methods: WEB_METHOD_* bits.
 * max_body: bytes accepted in a request body (0: none). -E2BIG past WEB_HANDLERS_MAX, -EEXIST
 * for a path registered twice, -EBUSY once started. */
int web_server_add_handler(struct web_server *s, const char *path, unsigned methods,
			   size_t max_body, web_handler_fn fn, void *userdata);
/* Binds the listening socket and starts the threads; -errno and *ret_error on failure. */
int web_server_start(struct web_server *s, const char **ret_error);
/* The bound port (after web_server_start()). */
uint16_t web_server_get_port(const struct web_server *s);
void web_server_get_stats(struct web_server *s, struct web_server_stats *ret);
/* Stops the threads, closes every connection and frees; accepts NULL. */
void web_server_free(struct web_server *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct web_server *, web_server_free);
