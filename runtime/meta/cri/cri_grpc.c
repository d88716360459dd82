// SPDX-License-Identifier: Apache-2.0
/*
 * gRPC unary calls over a unix socket: nghttp2 for HTTP/2, protobuf-c for the messages. See
 * cri_grpc.h.
 *
 * The socket is non-blocking; one loop sends what nghttp2 has to send, polls with what is left
 * of the call's deadline, and feeds what it reads to nghttp2. The reply's DATA is gathered up
 * to max_reply + 5 bytes (the gRPC message prefix); past that the stream is cancelled.
 */
#include <errno.h>
#include <fcntl.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cri_grpc.h"

#define GRPC_PREFIX	  5	      /* compressed flag + 32-bit big-endian length */
#define GRPC_HEADERS_MAX  (64u << 10) /* bytes of a reply's headers and trailers */
#define GRPC_WINDOW	  (2u << 20)  /* our flow-control windows: a reply in one go */
#define GRPC_READ_CHUNK	  16384
#define GRPC_REQUEST_MAX  (1u << 20)  /* bytes of one request message */
#define GRPC_UNPACKED_MAX (32u << 20) /* bytes protobuf-c may allocate for one reply */

struct cri_grpc {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool path_too_long;
	char ns[64]; /* containerd-namespace, "" none */
	int fd;
	nghttp2_session *session;
	char error[CRI_GRPC_ERROR_MAX];

	/* the call in flight */
	int32_t stream_id;
	const uint8_t *send_buf;
	size_t send_len, send_off;
	uint8_t *body;
	size_t body_len, body_cap, max_body;
	size_t header_bytes;
	bool stream_closed, too_big, headers_too_big, protocol_error, goaway;
	uint32_t stream_error;
	int http_status;
	int grpc_status; /* -1: none yet */
	char grpc_message[128];
	bool content_type_grpc;
	char nghttp2_error[128];
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

_printf_(2, 3) static void set_error(struct cri_grpc *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->error, sizeof(g->error), fmt, ap);
	va_end(ap);
}

int cri_grpc_new(const char *path, struct cri_grpc **ret)
{
	struct cri_grpc *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	g->fd = -1;
	g->path_too_long = strlen(path) >= sizeof(g->path);
	snprintf(g->path, sizeof(g->path), "%s", path);
	*ret = g;
	return 0;
}

void cri_grpc_close(struct cri_grpc *g)
{
	if (g->session) {
		nghttp2_session_del(g->session);
		g->session = NULL;
	}
	if (g->fd >= 0) {
		close(g->fd);
		g->fd = -1;
	}
}

void cri_grpc_free(struct cri_grpc *g)
{
	if (!g)
		return;
	cri_grpc_close(g);
	free(g->body);
	free(g);
}

const char *cri_grpc_error(const struct cri_grpc *g)
{
	return g->error;
}

void cri_grpc_set_namespace(struct cri_grpc *g, const char *ns)
{
	g->ns[0] = 0;
	if (ns && strlen(ns) < sizeof(g->ns))
		memcpy(g->ns, ns, strlen(ns) + 1);
}

const char *cri_grpc_path(const struct cri_grpc *g)
{
	return g->path;
}

/* ---- nghttp2 callbacks ---- */

static ssize_t on_send(nghttp2_session *session, const uint8_t *data, size_t length, int flags,
		       void *user_data)
{
	struct cri_grpc *g = user_data;
	ssize_t n = send(g->fd, data, length, MSG_NOSIGNAL);

	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EINTR)
		return NGHTTP2_ERR_WOULDBLOCK;
	if (!g->nghttp2_error[0]) /* keep the first reason */
		snprintf(g->nghttp2_error, sizeof(g->nghttp2_error), "send: %s", strerror(errno));
	return NGHTTP2_ERR_CALLBACK_FAILURE;
}

static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
		     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
		     void *user_data)
{
	struct cri_grpc *g = user_data;
	char v[16];

	if (frame->hd.stream_id != g->stream_id)
		return 0;
	g->header_bytes += namelen + valuelen;
	if (g->header_bytes > GRPC_HEADERS_MAX) {
		g->headers_too_big = true;
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* resets the stream */
	}
	if (namelen == 7 && memcmp(name, ":status", 7) == 0 && valuelen < sizeof(v)) {
		memcpy(v, value, valuelen);
		v[valuelen] = 0;
		g->http_status = (int)strtol(v, NULL, 10);
	} else if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0) {
		char *end;
		long s;

		if (valuelen == 0 || valuelen >= sizeof(v))
			return 0;
		memcpy(v, value, valuelen);
		v[valuelen] = 0;
		s = strtol(v, &end, 10);
		if (*end == 0 && s >= 0 && s < 100)
			g->grpc_status = (int)s;
	} else if (namelen == 12 && memcmp(name, "grpc-message", 12) == 0) {
		snprintf(g->grpc_message, sizeof(g->grpc_message), "%.*s",
			 (int)MIN(valuelen, sizeof(g->grpc_message) - 1), (const char *)value);
	} else if (namelen == 12 && memcmp(name, "content-type", 12) == 0) {
		g->content_type_grpc = valuelen >= 16 && memcmp(value, "application/grpc", 16) == 0;
	}
	return 0;
}

static int on_data_chunk(nghttp2_session *session, uint8_t flags, int32_t stream_id,
			 const uint8_t *data, size_t len, void *user_data)
{
	struct cri_grpc *g = user_data;

	if (stream_id != g->stream_id || g->too_big)
		return 0;
	if (len > g->max_body - g->body_len) {
		g->too_big = true;
		nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
		return 0;
	}
	if (g->body_len + len > g->body_cap) {
		size_t cap = MAX(g->body_cap * 2, g->body_len + len);
		uint8_t *nb;

		cap = MIN(MAX(cap, (size_t)4096), g->max_body);
		nb = realloc(g->body, cap);
		if (!nb)
			return NGHTTP2_ERR_CALLBACK_FAILURE;
		g->body = nb;
		g->body_cap = cap;
	}
	memcpy(g->body + g->body_len, data, len);
	g->body_len += len;
	return 0;
}

static int on_stream_close(nghttp2_session *session, int32_t stream_id, uint32_t error_code,
			   void *user_data)
{
	struct cri_grpc *g = user_data;

	if (stream_id == g->stream_id) {
		g->stream_closed = true;
		g->stream_error = error_code;
	}
	return 0;
}

static int on_frame_send(nghttp2_session *session, const nghttp2_frame *frame, void *user_data)
{
	struct cri_grpc *g = user_data;

	/* nghttp2 sends GOAWAY with an error when the peer broke the protocol */
	if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR)
		g->protocol_error = true;
	return 0;
}

static int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame, void *user_data)
{
	struct cri_grpc *g = user_data;

	if (frame->hd.type == NGHTTP2_GOAWAY)
		g->goaway = true;
	return 0;
}

static int on_error(nghttp2_session *session, int lib_error_code, const char *msg, size_t len,
		    void *user_data)
{
	struct cri_grpc *g = user_data;

	snprintf(g->nghttp2_error, sizeof(g->nghttp2_error), "%.*s", (int)len, msg);
	if (lib_error_code != 0) /* the peer broke the protocol (nghttp2 answers with GOAWAY) */
		g->protocol_error = true;
	return 0;
}

static ssize_t on_read_request(nghttp2_session *session, int32_t stream_id, uint8_t *buf,
			       size_t length, uint32_t *data_flags, nghttp2_data_source *source,
			       void *user_data)
{
	struct cri_grpc *g = user_data;
	size_t n = MIN(length, g->send_len - g->send_off);

	memcpy(buf, g->send_buf + g->send_off, n);
	g->send_off += n;
	if (g->send_off == g->send_len)
		*data_flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

/* ---- the connection ---- */

static int grpc_connect(struct cri_grpc *g, uint32_t timeout_ms)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
	nghttp2_session_callbacks *cbs;
	nghttp2_settings_entry settings[] = {
		{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
		{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, GRPC_WINDOW},
		{NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, GRPC_HEADERS_MAX},
	};
	int r;

	if (g->path_too_long) {
		set_error(g, "the socket path is longer than %zu bytes", sizeof(g->path) - 1);
		return -EHOSTDOWN;
	}
	g->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (g->fd < 0) {
		set_error(g, "socket: %s", strerror(errno));
		return -EHOSTDOWN;
	}
	memcpy(sa.sun_path, g->path, sizeof(sa.sun_path));
	/* a blocking connect bounded by the send timeout, then non-blocking I/O */
	(void)setsockopt(g->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(g->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		set_error(g, "connect: %s", strerror(errno));
		cri_grpc_close(g);
		return errno == EAGAIN || errno == EINPROGRESS ? -ETIMEDOUT : -EHOSTDOWN;
	}
	if (fcntl(g->fd, F_SETFL, fcntl(g->fd, F_GETFL) | O_NONBLOCK) < 0) {
		set_error(g, "fcntl: %s", strerror(errno));
		cri_grpc_close(g);
		return -EHOSTDOWN;
	}
	if (nghttp2_session_callbacks_new(&cbs) != 0)
		return -ENOMEM;
	nghttp2_session_callbacks_set_send_callback(cbs, on_send);
	nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
	nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_send);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
	nghttp2_session_callbacks_set_error_callback2(cbs, on_error);
	r = nghttp2_session_client_new(&g->session, cbs, g);
	nghttp2_session_callbacks_del(cbs);
	if (r != 0) {
		cri_grpc_close(g);
		return -ENOMEM;
	}
	if (nghttp2_submit_settings(g->session, NGHTTP2_FLAG_NONE, settings,
				    ARRAY_SIZE(settings)) != 0 ||
	    nghttp2_session_set_local_window_size(g->session, NGHTTP2_FLAG_NONE, 0, GRPC_WINDOW) !=
		    0) {
		cri_grpc_close(g);
		return -ENOMEM;
	}
	return 0;
}

static void call_reset(struct cri_grpc *g, size_t max_reply)
{
	g->stream_id = -1;
	g->send_buf = NULL;
	g->send_len = g->send_off = 0;
	g->body_len = 0;
	g->max_body = max_reply + GRPC_PREFIX;
	g->header_bytes = 0;
	g->stream_closed = g->too_big = g->headers_too_big = false;
	g->protocol_error = g->goaway = false;
	g->stream_error = 0;
	g->http_status = 0;
	g->grpc_status = -1;
	g->grpc_message[0] = 0;
	g->content_type_grpc = false;
	g->nghttp2_error[0] = 0;
	g->error[0] = 0;
}

/*
 * The peer closed while we were sending: reads what it had sent (at most 64 KiB, without
 * waiting) and lets nghttp2 judge it, so that a server speaking another protocol is told from
 * one that went away.
 */
static void drain_after_close(struct cri_grpc *g)
{
	uint8_t buf[GRPC_READ_CHUNK];

	for (int i = 0; i < 4 && !g->protocol_error; i++) {
		ssize_t n = recv(g->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n <= 0 || nghttp2_session_mem_recv(g->session, buf, (size_t)n) < 0)
			return;
	}
}

/* Runs the session until the call's stream closed. 0 or -errno (error set). */
static int run_until_closed(struct cri_grpc *g, uint64_t deadline)
{
	uint8_t buf[GRPC_READ_CHUNK];

	while (!g->stream_closed) {
		struct pollfd pfd = {.fd = g->fd, .events = POLLIN};
		uint64_t now = mono_ms();
		ssize_t n;
		int r;

		r = nghttp2_session_send(g->session);
		if (r != 0 && !g->protocol_error)
			drain_after_close(g);
		if (g->protocol_error) {
			set_error(g, "not HTTP/2 (%s)",
				  g->nghttp2_error[0] ? g->nghttp2_error : "protocol error");
			return -EBADMSG;
		}
		if (r != 0) {
			set_error(g, "%s",
				  g->nghttp2_error[0] ? g->nghttp2_error : nghttp2_strerror(r));
			return -EHOSTDOWN;
		}
		if (!nghttp2_session_want_read(g->session) &&
		    !nghttp2_session_want_write(g->session)) {
			set_error(g, "the server ended the connection%s",
				  g->goaway ? " (GOAWAY)" : "");
			return -EHOSTDOWN;
		}
		if (now >= deadline) {
			set_error(g, "no answer within the timeout");
			return -ETIMEDOUT;
		}
		if (nghttp2_session_want_write(g->session))
			pfd.events |= POLLOUT;
		r = poll(&pfd, 1, (int)MIN(deadline - now, (uint64_t)INT32_MAX));
		if (r < 0 && errno != EINTR) {
			set_error(g, "poll: %s", strerror(errno));
			return -EHOSTDOWN;
		}
		if (r <= 0 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = recv(g->fd, buf, sizeof(buf), 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			set_error(g, "recv: %s", strerror(errno));
			return -EHOSTDOWN;
		}
		if (n == 0) {
			set_error(g, "the server closed the connection");
			return -EHOSTDOWN;
		}
		n = nghttp2_session_mem_recv(g->session, buf, (size_t)n);
		if (n < 0) {
			set_error(g, "not HTTP/2 (%s)",
				  g->nghttp2_error[0] ? g->nghttp2_error
						      : nghttp2_strerror((int)n));
			return n == NGHTTP2_ERR_NOMEM ? -ENOMEM : -EBADMSG;
		}
	}
	return 0;
}

static int grpc_status_to_errno(struct cri_grpc *g)
{
	static const char *const names[] = {
		"OK",
		"CANCELLED",
		"UNKNOWN",
		"INVALID_ARGUMENT",
		"DEADLINE_EXCEEDED",
		"NOT_FOUND",
		"ALREADY_EXISTS",
		"PERMISSION_DENIED",
		"RESOURCE_EXHAUSTED",
		"FAILED_PRECONDITION",
		"ABORTED",
		"OUT_OF_RANGE",
		"UNIMPLEMENTED",
		"INTERNAL",
		"UNAVAILABLE",
		"DATA_LOSS",
		"UNAUTHENTICATED",
	};
	int s = g->grpc_status;

	set_error(g, "gRPC status %s%s%s", (size_t)s < ARRAY_SIZE(names) ? names[s] : "(unknown)",
		  g->grpc_message[0] ? ": " : "", g->grpc_message);
	if (s == 5)
		return -ENOENT;
	if (s == 12)
		return -EOPNOTSUPP;
	if (s == 4)
		return -ETIMEDOUT;
	return -EREMOTEIO;
}

/*
 * protobuf-c's allocations for one reply, capped: a message of small repeated submessages
 * unpacks to many times its size. malloc/free underneath, so the reply is freed with
 * protobuf_c_message_free_unpacked(msg, NULL).
 */
struct unpack_budget {
	ProtobufCAllocator allocator;
	size_t used;
};

static void *budget_alloc(void *data, size_t size)
{
	struct unpack_budget *b = data;

	if (size > GRPC_UNPACKED_MAX - b->used)
		return NULL;
	b->used += size;
	return malloc(size);
}

static void budget_free(void *data, void *p)
{
	free(p);
}

/* The reply once its stream closed. */
static int reply_check(struct cri_grpc *g, const ProtobufCMessageDescriptor *reply_desc,
		       size_t max_reply, ProtobufCMessage **ret)
{
	struct unpack_budget budget = {.allocator = {.alloc = budget_alloc, .free = budget_free}};
	uint32_t len;

	if (g->too_big) {
		set_error(g, "a reply larger than %zu bytes", max_reply);
		return -EMSGSIZE;
	}
	if (g->headers_too_big) {
		set_error(g, "reply headers larger than %u bytes", GRPC_HEADERS_MAX);
		return -EMSGSIZE;
	}
	if (g->http_status != 200) {
		set_error(g, "HTTP status %d, not a gRPC server", g->http_status);
		return -EBADMSG;
	}
	if (g->grpc_status < 0) {
		set_error(g, "the stream ended without a gRPC status (HTTP/2 error %u)",
			  g->stream_error);
		return -EBADMSG;
	}
	if (g->grpc_status != 0)
		return grpc_status_to_errno(g);
	if (!g->content_type_grpc) {
		set_error(g, "the reply's content-type is not application/grpc");
		return -EBADMSG;
	}
	if (g->body_len < GRPC_PREFIX) {
		set_error(g, "a reply of %zu bytes, no gRPC message", g->body_len);
		return -EBADMSG;
	}
	if (g->body[0] != 0) {
		set_error(g, "a compressed reply (not asked for)");
		return -EBADMSG;
	}
	len = (uint32_t)g->body[1] << 24 | (uint32_t)g->body[2] << 16 | (uint32_t)g->body[3] << 8 |
	      g->body[4];
	if (len != g->body_len - GRPC_PREFIX) {
		set_error(g, "a gRPC message of %u bytes in %zu bytes of reply", len,
			  g->body_len - GRPC_PREFIX);
		return -EBADMSG;
	}
	budget.allocator.allocator_data = &budget;
	*ret = protobuf_c_message_unpack(reply_desc, &budget.allocator, len, g->body + GRPC_PREFIX);
	if (!*ret && budget.used + 4096 >= GRPC_UNPACKED_MAX) {
		set_error(g, "the reply unpacks to more than %u bytes", GRPC_UNPACKED_MAX);
		return -EMSGSIZE;
	}
	if (!*ret) {
		set_error(g, "the reply is not a valid %s message", reply_desc->name);
		return -EBADMSG;
	}
	return 0;
}

/* Connects if needed, sends the request, runs until its stream closed. 0 or -errno. */
static int call_once(struct cri_grpc *g, const char *method, uint64_t deadline)
{
	uint64_t now = mono_ms();
	/* what is left of the call's time (at least 1 ms, at most gRPC's 8 digits) */
	uint64_t left = MIN(deadline > now ? deadline - now : 1, (uint64_t)99999999);
	char grpc_timeout[24];
	int r;

	if (!g->session && (r = grpc_connect(g, (uint32_t)left)) < 0)
		return r;
	/* the server gives up when we do */
	snprintf(grpc_timeout, sizeof(grpc_timeout), "%llum", (unsigned long long)left);
	{
#define NV(n, v) {(uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NONE}
		nghttp2_nv hdrs[] = {
			NV(":method", "POST"),
			NV(":scheme", "http"),
			NV(":path", method),
			NV(":authority", "localhost"),
			NV("content-type", "application/grpc"),
			NV("te", "trailers"),
			NV("grpc-timeout", grpc_timeout),
			NV("user-agent", "osprey-cri"),
			NV("containerd-namespace", g->ns),
		};
#undef NV
		nghttp2_data_provider prd = {.read_callback = on_read_request};

		/* the namespace header last: left out when none is set */
		g->stream_id = nghttp2_submit_request(g->session, NULL, hdrs,
						      ARRAY_SIZE(hdrs) - !g->ns[0], &prd, g);
	}
	if (g->stream_id < 0) {
		int e = g->stream_id;

		set_error(g, "%s", nghttp2_strerror(e));
		cri_grpc_close(g);
		return e == NGHTTP2_ERR_NOMEM ? -ENOMEM : -EHOSTDOWN;
	}
	r = run_until_closed(g, deadline);
	if (r < 0)
		cri_grpc_close(g);
	return r;
}

int cri_grpc_call(struct cri_grpc *g, const char *method, const ProtobufCMessage *req,
		  const ProtobufCMessageDescriptor *reply_desc, uint32_t timeout_ms,
		  size_t max_reply, ProtobufCMessage **ret)
{
	uint64_t deadline = mono_ms() + (timeout_ms ? timeout_ms : 1000);
	_cleanup_free_ uint8_t *msg = NULL;
	size_t len;
	int r;

	*ret = NULL;
	call_reset(g, max_reply);
	len = protobuf_c_message_get_packed_size(req);
	if (len > GRPC_REQUEST_MAX) {
		set_error(g, "a request of %zu bytes", len);
		return -EMSGSIZE;
	}
	msg = malloc(GRPC_PREFIX + len);
	if (!msg)
		return -ENOMEM;
	msg[0] = 0;
	msg[1] = (uint8_t)(len >> 24);
	msg[2] = (uint8_t)(len >> 16);
	msg[3] = (uint8_t)(len >> 8);
	msg[4] = (uint8_t)len;
	protobuf_c_message_pack(req, msg + GRPC_PREFIX);
	g->send_buf = msg;
	g->send_len = GRPC_PREFIX + len;

	for (int attempt = 0;; attempt++) {
		bool reused = g->session != NULL;

		r = call_once(g, method, deadline);
		/*
		 * A kept connection the runtime closed meanwhile (it restarted): one more try on
		 * a new one, if nothing of the reply came.
		 */
		if (r != -EHOSTDOWN || !reused || attempt > 0 || g->http_status != 0 ||
		    mono_ms() >= deadline)
			break;
		call_reset(g, max_reply);
		g->send_buf = msg;
		g->send_len = GRPC_PREFIX + len;
	}
	if (r >= 0)
		r = reply_check(g, reply_desc, max_reply, ret);
	/* below gRPC the connection is not to be trusted any more */
	if (r < 0 && r != -ENOENT && r != -EOPNOTSUPP && r != -EREMOTEIO)
		cri_grpc_close(g);
	g->stream_id = -1;
	g->send_buf = NULL;
	if (g->body_cap > (64u << 10)) { /* do not keep a large buffer between calls */
		free(g->body);
		g->body = NULL;
		g->body_cap = 0;
	}
	return r;
}
