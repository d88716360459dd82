/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container and Kubernetes metadata: which container a thread runs in (name, image, labels,
 * mounts, namespaces, pod), asked of the container runtimes off the event thread.
 *
 *	struct meta *m;
 *	meta_new(&config, host_root, &m);     starts the metadata thread
 *	c = meta_container_get(m, full_id, type, cgroup);   the event path: never waits
 *	if (c && c->status == META_FOUND) ... c->name ...
 *	meta_container_unref(c);
 *	meta_free(m);
 *
 * The event path only reads the published cache (one short lock to take a reference). A miss
 * inserts a pending entry, queues a lookup and returns NULL: the fields read <NA> for now, and
 * the miss is counted. The metadata thread asks the configured sources in order: the Docker
 * Engine API of docker and podman (meta_docker.h), then the runtimes' files on disk, the OCI
 * bundle's config.json and podman's and docker's state (meta_bundle.h). A source that does not
 * answer is skipped with a back-off (0.5 s doubling to 30 s); a lookup that found nothing is
 * retried after the same kind of back-off. Every few seconds the thread drops the entries whose
 * cgroup is gone (the container exited).
 *
 * Entries (struct meta_container) are immutable once published and refcounted: a reader keeps
 * its reference as long as it reads the strings, the cache drops its own when the container
 * exits or is refreshed.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "container.h"
#include "macro.h"

#define META_CONTAINERS_MAX	4096	  /* cache entries (containers, pending or known) */
#define META_QUEUE_MAX		256	  /* lookups waiting for the metadata thread */
#define META_SOCKETS_MAX	8	  /* sockets per engine */
#define META_REPLY_MAX		(1u << 20) /* bytes of one runtime reply (or state file) */
#define META_LABELS_MAX		128	  /* labels kept per container / pod */
#define META_MOUNTS_MAX		64	  /* mounts kept per container */
#define META_STR_MAX		4096	  /* bytes of one kept string (name, image, label value) */
#define META_LABEL_MAX_LEN_DEFAULT 100	  /* Falco's label_max_len */
#define META_TIMEOUT_MS_DEFAULT	1000	  /* one request to a runtime */

enum meta_engine {
	META_ENGINE_DOCKER,
	META_ENGINE_PODMAN,
	META_ENGINE_CONTAINERD,
	META_ENGINE_CRI,
	META_ENGINE_BUNDLE, /* Osprey's own: the runtimes' files (OCI bundle, state dirs) */
	_META_ENGINE_MAX,
};

/* Falco's container plugin init_config, under "container:" in osprey.yaml. */
struct meta_engine_config {
	bool enabled;
	char **sockets; /* owned; unix socket paths, read under host_root */
	size_t n_sockets;
};

struct meta_config {
	bool enabled;		/* container.enabled [true] */
	uint32_t label_max_len; /* labels with a longer value are left out [100] */
	uint32_t timeout_ms;	/* one request to a runtime [1000] */
	struct meta_engine_config engines[_META_ENGINE_MAX];
};

/* Defaults (every engine enabled, the runtimes' usual sockets); strings owned by c. */
void meta_config_init(struct meta_config *c);
void meta_config_done(struct meta_config *c);
/* "docker", "podman", "containerd", "cri", "bundle". */
const char *meta_engine_name(enum meta_engine e);

enum meta_status {
	META_PENDING,  /* queued or being looked up */
	META_FOUND,    /* described by a source */
	META_UNKNOWN,  /* no source knew it (retried after a back-off) */
};

struct meta_label {
	char *key, *value;
};

struct meta_mount {
	char *source, *dest, *mode, *propagation;
	bool rw;
};

/* One container as a source described it. Strings may be NULL (unknown). */
struct meta_container {
	unsigned refs; /* atomic */
	enum meta_status status;
	enum container_type type;
	char full_id[CONTAINER_FULL_ID_LEN + 1];
	const char *source; /* the engine that answered ("docker", "podman", "bundle") */

	char *name;
	char *image;		/* as the container was created from it: repo:tag or repo@digest */
	char *image_repository; /* image without tag and digest */
	char *image_tag;
	char *image_digest; /* sha256:... */
	char *image_id;	    /* 64 hex, no "sha256:" */
	char *ip;
	int8_t privileged, host_pid, host_network, host_ipc; /* -1 unknown, 0, 1 */
	uint64_t start_ts; /* ns since the epoch, 0 unknown */
	struct meta_label *labels;
	size_t n_labels;
	struct meta_mount *mounts;
	size_t n_mounts;

	/* Kubernetes: NULL outside a pod */
	char *k8s_ns, *k8s_pod_name, *k8s_pod_uid, *k8s_sandbox_id, *k8s_pod_ip;
	struct meta_label *k8s_pod_labels;
	size_t n_k8s_pod_labels;
};

struct meta_stats {
	uint64_t hits;		 /* meta_container_get(): a described container */
	uint64_t misses;	 /* ... nothing published yet: read <NA> */
	uint64_t queued;	 /* lookups queued */
	uint64_t queue_full;	 /* lookups dropped: the queue was full (retried on a later miss) */
	uint64_t table_full;	 /* containers not cached: META_CONTAINERS_MAX reached */
	uint64_t lookups_found;	 /* lookups a source answered */
	uint64_t lookups_failed; /* lookups no source answered */
	uint64_t replies_refused; /* replies too large or malformed */
	uint64_t removed;	 /* entries dropped (container exited) */
	uint64_t entries;	 /* entries now */
};

struct meta;

/*
 * Starts the metadata layer: the cache and its thread (when start_thread; tests of the cache
 * alone pass false and call meta_lookup_now()). host_root ("" or NULL: /) prefixes the sockets
 * and the runtimes' files. config is copied. Caller owns *ret.
 */
int meta_new(const struct meta_config *config, const char *host_root, bool start_thread,
	     struct meta **ret);
/* Stops the thread (a lookup in flight ends at its timeout) and frees the cache. */
void meta_free(struct meta *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct meta *, meta_free);

/*
 * The event path. The entry of the container full_id (64 hex) with one reference for the caller
 * (meta_container_unref()), or NULL when nothing is cached yet: then a lookup is queued (once)
 * and the miss counted. cgroup (may be NULL) tells the thread when the container is gone. Never
 * blocks beyond the cache's short lock.
 */
struct meta_container *meta_container_get(struct meta *m, const char *full_id,
					  enum container_type type, const char *cgroup);
/*
 * Queues a lookup if the container is not cached, without taking a reference (at exec).
 * Returns 1 when the container was not known before (it is starting), 0 otherwise.
 */
int meta_container_prefetch(struct meta *m, const char *full_id, enum container_type type,
			    const char *cgroup);
/* Where the lookup of full_id stands: META_PENDING (or not cached: META_UNKNOWN). */
enum meta_status meta_container_status(struct meta *m, const char *full_id);
void meta_container_unref(struct meta_container *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct meta_container *, meta_container_unref);

/* Drops the cached entry of full_id (the container exited). Returns true if there was one. */
bool meta_container_forget(struct meta *m, const char *full_id);
/*
 * Publishes c (the cache takes ownership, replacing an entry of the same id). For tests and
 * for the lookup thread. -ENOSPC when the cache is full (c is freed).
 */
int meta_container_publish(struct meta *m, struct meta_container *c);
/* Runs the queued lookups on the calling thread (tests without the thread). Returns how many. */
size_t meta_lookup_now(struct meta *m);

void meta_get_stats(struct meta *m, struct meta_stats *ret);

/* A new entry for full_id (status META_PENDING, one reference for the caller). */
struct meta_container *meta_container_new(const char *full_id, enum container_type type);
/* Sets the image and splits it into repository, tag and digest. -ENOMEM. */
int meta_container_set_image(struct meta_container *c, const char *image);
/* Adds a label (copied) to a list: labels longer than max_len or past META_LABELS_MAX skipped. */
int meta_labels_add(struct meta_label **l, size_t *n, const char *key, const char *value,
		    uint32_t max_len);
/* The value of label key, or NULL. */
const char *meta_label_get(const struct meta_label *l, size_t n, const char *key);
/* Sets *dst to a copy of s cut to META_STR_MAX (NULL s: unchanged). -ENOMEM. */
int meta_strset(char **dst, const char *s);
/* Wall clock of an RFC 3339 time ("2026-12-06T13:51:43.212907949Z"), ns; 0 if unparsable. */
uint64_t meta_parse_rfc3339(const char *s);
