/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Docker Engine API client: GET /containers/ID/json (and /images/ID/json for the digest)
 * over the unix sockets of the docker and podman engines (podman's Docker-compatible service),
 * HTTP/1.1 through libcurl, JSON through json-c. Called on the metadata thread only.
 *
 * Each socket has its own back-off: a socket that is absent, refuses or times out is not asked
 * again for 0.5 s, doubling to 30 s, and the failure is logged once per outage. A reply larger
 * than META_REPLY_MAX or not JSON is refused with a log line naming the engine, the socket and
 * the container.
 */
#pragma once

#include <json-c/json.h>

#include "meta.h"

struct meta_docker;

/* Clients for the enabled docker and podman engines' sockets (none: *ret = NULL). */
int meta_docker_new(const struct meta_config *cfg, const char *host_root, struct meta_docker **ret);
void meta_docker_free(struct meta_docker *d);

/*
 * Fills c from the first engine that knows the container (the container type's own engine
 * first). 0, -ENOENT (no engine knows it or none answered), -EBADMSG / -EMSGSIZE (a reply was
 * refused), -ENOMEM.
 */
int meta_docker_lookup(struct meta_docker *d, enum container_type type, struct meta_container *c);

/*
 * Fills c from a Docker "inspect" object (/containers/ID/json, or docker's config.v2.json with
 * hostconfig (may be NULL) beside it). For the bundle reader too. 0 or -ENOMEM.
 */
int meta_docker_from_json(struct json_object *o, struct json_object *hostconfig,
			  uint32_t label_max_len, struct meta_container *c);

/* The Kubernetes fields from the io.kubernetes.* labels docker's CRI shim sets. */
int meta_k8s_from_labels(struct meta_container *c);

/* json-c helpers: the string / object at a dotted path ("Config.Image"), or NULL. */
const char *meta_json_str(struct json_object *o, const char *path);
struct json_object *meta_json_get(struct json_object *o, const char *path);
/* Parses len bytes; NULL when not one JSON value (*ret_err: json-c's message). Caller owns. */
struct json_object *meta_json_parse(const char *buf, size_t len, const char **ret_err);
/* The same for any JSON value (an array...). */
struct json_object *meta_json_parse_any(const char *buf, size_t len, const char **ret_err);
