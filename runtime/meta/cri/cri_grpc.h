/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A gRPC client for unary calls over a unix socket: HTTP/2 (cleartext, prior knowledge) through
 * nghttp2, messages through protobuf-c. Enough for the CRI (containerd's CRI plugin, CRI-O).
 *
 *	struct cri_grpc *g;
 *	cri_grpc_new("/run/containerd/containerd.sock", &g);
 *	r = cri_grpc_call(g, "/runtime.v1.RuntimeService/ContainerStatus", &req.base,
 *			  &runtime__v1__container_status_response__descriptor, 1000, 1 << 20, &resp);
 *	... protobuf_c_message_free_unpacked(resp, NULL);
 *	cri_grpc_free(g);
 *
 * One connection per client, opened on the first call and kept; every call is bounded by its
 * timeout (connect, send and reply together) and its reply by max_reply bytes. A call that fails
 * below gRPC (no socket, timeout, garbage, a reply too large) closes the connection: the next
 * call opens a new one. Not thread-safe: one thread per client.
 */
#pragma once

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define CRI_GRPC_ERROR_MAX 256

struct cri_grpc;

/* A client for the unix socket at path (not connected yet). Caller owns *ret. -ENOMEM. */
int cri_grpc_new(const char *path, struct cri_grpc **ret);
void cri_grpc_free(struct cri_grpc *g);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cri_grpc *, cri_grpc_free);

/*
 * Calls method ("/package.Service/Method") with req and unpacks the reply as reply_desc into
 * *ret (caller frees with protobuf_c_message_free_unpacked()). Returns
 *	0		the reply
 *	-ENOENT		gRPC status NOT_FOUND (5)
 *	-EOPNOTSUPP	gRPC status UNIMPLEMENTED (12): the server does not have that service
 *	-EREMOTEIO	another gRPC status (cri_grpc_error() has it and its message)
 *	-EHOSTDOWN	no connection (absent socket, refused, closed before the reply)
 *	-ETIMEDOUT	no reply within timeout_ms
 *	-EBADMSG	the server does not speak HTTP/2 + gRPC (garbage, not protobuf, compressed)
 *	-EMSGSIZE	the reply is larger than max_reply
 *	-ENOMEM
 * On failure, cri_grpc_error() says what happened in words.
 */
int cri_grpc_call(struct cri_grpc *g, const char *method, const ProtobufCMessage *req,
		  const ProtobufCMessageDescriptor *reply_desc, uint32_t timeout_ms,
		  size_t max_reply, ProtobufCMessage **ret);

/* The gRPC metadata "containerd-namespace: ns" on the next calls (containerd's own API); NULL
 * or "" sends none. ns is copied (at most 63 bytes; longer: none). */
void cri_grpc_set_namespace(struct cri_grpc *g, const char *ns);

/* The last call's failure in words ("" after a success). Valid until the next call. */
const char *cri_grpc_error(const struct cri_grpc *g);
/* The socket path. */
const char *cri_grpc_path(const struct cri_grpc *g);
/* Closes the connection (the next call opens a new one). */
void cri_grpc_close(struct cri_grpc *g);
