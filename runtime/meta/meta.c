// SPDX-License-Identifier: Apache-2.0
/*
 * The metadata cache, its lookup queue and the metadata thread. See meta.h.
 *
 * One mutex guards the table and the queue; the event path holds it for a hash probe and a
 * reference count, never across a lookup. The thread takes a request off the queue, asks the
 * sources with the lock released, and publishes the result under the lock.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "meta.h"
#include "meta_bundle.h"
#include "meta_cri.h"
#include "meta_docker.h"

#define META_BUCKETS	    (META_CONTAINERS_MAX * 2) /* open addressing, power of two */
#define META_RETRY_MIN_NS   (500ull * 1000000ull)
#define META_RETRY_MAX_NS   (30ull * 1000000000ull)
#define META_SWEEP_NS	    (2ull * 1000000000ull) /* how often exited containers are dropped */
#define META_CGROUP_MAX	    1024

struct meta_slot {
	bool used;
	bool queued;		 /* a request for it is in the queue or in flight */
	bool cgroup_seen;	 /* its cgroup was seen once: its absence means an exit */
	char id[CONTAINER_FULL_ID_LEN + 1];
	enum container_type type;
	struct meta_container *c; /* NULL while nothing was published */
	uint64_t retry_at;	 /* META_UNKNOWN: when a miss queues it again (monotonic ns) */
	uint64_t backoff;
	char *cgroup; /* owned, NULL unknown (a pointer: the table stays small, ~1 MiB) */
};

struct meta_request {
	char id[CONTAINER_FULL_ID_LEN + 1];
	enum container_type type;
};

struct meta {
	struct meta_config cfg; /* sockets borrowed from the copy made in meta_new() */
	char host_root[512];
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	bool has_thread;
	pthread_t thread;
	struct meta_slot *slots; /* META_BUCKETS; tombstones are !used with id[0] set */
	size_t n_used;
	struct meta_request queue[META_QUEUE_MAX];
	size_t q_head, q_len;
	struct meta_stats stats;
	struct meta_docker *docker; /* the Docker Engine API clients (thread only) */
	struct meta_cri *cri;	    /* the CRI clients: containerd, CRI-O (thread only) */
	uint64_t refused;	    /* replies refused (atomic: counted off the lock) */
};

const char *meta_engine_name(enum meta_engine e)
{
	static const char *const names[_META_ENGINE_MAX] = {
		[META_ENGINE_DOCKER] = "docker",	 [META_ENGINE_PODMAN] = "podman",
		[META_ENGINE_CONTAINERD] = "containerd", [META_ENGINE_CRI] = "cri",
		[META_ENGINE_BUNDLE] = "bundle",
	};

	return (unsigned)e < _META_ENGINE_MAX ? names[e] : "?";
}

static int sockets_set(struct meta_engine_config *e, const char *const *list)
{
	for (; *list; list++) {
		char **n = realloc(e->sockets, (e->n_sockets + 1) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		e->sockets = n;
		n[e->n_sockets] = strdup(*list);
		if (!n[e->n_sockets])
			return -ENOMEM;
		e->n_sockets++;
	}
	return 0;
}

void meta_config_init(struct meta_config *c)
{
	static const char *const docker[] = {"/var/run/docker.sock", NULL};
	static const char *const podman[] = {"/run/podman/podman.sock", NULL};
	static const char *const containerd[] = {"/run/containerd/containerd.sock",
						 "/run/k3s/containerd/containerd.sock", NULL};
	static const char *const cri[] = {"/run/crio/crio.sock", NULL};
	static const char *const none[] = {NULL};
	const char *const *defaults[_META_ENGINE_MAX] = {docker, podman, containerd, cri, none};

	*c = (struct meta_config){
		.enabled = true,
		.label_max_len = META_LABEL_MAX_LEN_DEFAULT,
		.timeout_ms = META_TIMEOUT_MS_DEFAULT,
	};
	/* a failed strdup leaves a shorter list: the defaults are a convenience */
	for (unsigned e = 0; e < _META_ENGINE_MAX; e++) {
		c->engines[e].enabled = true;
		(void)sockets_set(&c->engines[e], defaults[e]);
	}
}

void meta_config_done(struct meta_config *c)
{
	for (unsigned e = 0; e < _META_ENGINE_MAX; e++) {
		for (size_t i = 0; i < c->engines[e].n_sockets; i++)
			free(c->engines[e].sockets[i]);
		free(c->engines[e].sockets);
		c->engines[e].sockets = NULL;
		c->engines[e].n_sockets = 0;
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- entries ---- */

struct meta_container *meta_container_new(const char *full_id, enum container_type type)
{
	struct meta_container *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->refs = 1;
	c->type = type;
	c->privileged = c->host_pid = c->host_network = c->host_ipc = -1;
	snprintf(c->full_id, sizeof(c->full_id), "%s", full_id);
	return c;
}

static void labels_free(struct meta_label *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(l[i].key);
		free(l[i].value);
	}
	free(l);
}

static void container_free(struct meta_container *c)
{
	char **strs[] = {&c->name,   &c->image,	      &c->image_repository, &c->image_tag,
			 &c->image_digest, &c->image_id, &c->ip,		  &c->k8s_ns,
			 &c->k8s_pod_name, &c->k8s_pod_uid, &c->k8s_sandbox_id,   &c->k8s_pod_ip};

	for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
		free(*strs[i]);
	labels_free(c->labels, c->n_labels);
	labels_free(c->k8s_pod_labels, c->n_k8s_pod_labels);
	for (size_t i = 0; i < c->n_mounts; i++) {
		free(c->mounts[i].source);
		free(c->mounts[i].dest);
		free(c->mounts[i].mode);
		free(c->mounts[i].propagation);
	}
	free(c->mounts);
	free(c);
}

void meta_container_unref(struct meta_container *c)
{
	if (c && __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
		container_free(c);
}

static struct meta_container *container_ref(struct meta_container *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	return c;
}

int meta_strset(char **dst, const char *s)
{
	char *n;

	if (!s)
		return 0;
	n = strndup(s, META_STR_MAX);
	if (!n)
		return -ENOMEM;
	free(*dst);
	*dst = n;
	return 0;
}

/*
 * "registry:5000/ns/app:1.2@sha256:abcd": repository "registry:5000/ns/app", tag "1.2", digest
 * "sha256:abcd". The tag is after the last ':' that follows the last '/'.
 */
int meta_container_set_image(struct meta_container *c, const char *image)
{
	const char *at, *slash, *colon;
	size_t repo_len;
	int r;

	if (!image || !image[0])
		return 0;
	r = meta_strset(&c->image, image);
	if (r < 0)
		return r;
	at = strchr(image, '@');
	repo_len = at ? (size_t)(at - image) : strlen(image);
	if (at && (r = meta_strset(&c->image_digest, at + 1)) < 0)
		return r;
	slash = memrchr(image, '/', repo_len);
	colon = memrchr(slash ? slash : image, ':', repo_len - (size_t)(slash ? slash - image : 0));
	if (colon) {
		char *tag = strndup(colon + 1, repo_len - (size_t)(colon + 1 - image));

		if (!tag)
			return -ENOMEM;
		free(c->image_tag);
		c->image_tag = tag;
		repo_len = (size_t)(colon - image);
	}
	free(c->image_repository);
	c->image_repository = strndup(image, MIN(repo_len, (size_t)META_STR_MAX));
	return c->image_repository ? 0 : -ENOMEM;
}

int meta_labels_add(struct meta_label **l, size_t *n, const char *key, const char *value,
		    uint32_t max_len)
{
	struct meta_label *nl;

	if (!key || !value || *n >= META_LABELS_MAX || strlen(value) > max_len ||
	    strlen(key) > META_STR_MAX)
		return 0;
	nl = realloc(*l, (*n + 1) * sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	*l = nl;
	nl[*n].key = strdup(key);
	nl[*n].value = strdup(value);
	if (!nl[*n].key || !nl[*n].value) {
		free(nl[*n].key);
		free(nl[*n].value);
		return -ENOMEM;
	}
	(*n)++;
	return 0;
}

const char *meta_label_get(const struct meta_label *l, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i].key, key) == 0)
			return l[i].value;
	return NULL;
}

uint64_t meta_parse_rfc3339(const char *s)
{
	struct tm tm = {};
	const char *p;
	uint64_t frac = 0, scale = 1000000000ull;
	time_t t;

	if (!s || !(p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return 0;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
	t = timegm(&tm);
	if (t <= 0)
		return 0; /* docker's "0001-01-01T00:00:00Z": never started */
	if (*p == '+' || *p == '-') {
		int hh = 0, mm = 0;

		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) == 2)
			t += (*p == '+' ? -1 : 1) * (hh * 3600 + mm * 60);
	}
	return (uint64_t)t * 1000000000ull + frac;
}

/* ---- the table ---- */

static uint64_t id_hash(const char *id)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *id; id++)
		h = (h ^ (uint8_t)*id) * 1099511628211ull;
	return h;
}

/* The slot of id, or NULL; *ret_free the first reusable slot on the way (may be NULL). */
static struct meta_slot *slot_find(struct meta *m, const char *id, struct meta_slot **ret_free)
{
	size_t i = id_hash(id) & (META_BUCKETS - 1);

	if (ret_free)
		*ret_free = NULL;
	for (size_t k = 0; k < META_BUCKETS; k++, i = (i + 1) & (META_BUCKETS - 1)) {
		struct meta_slot *s = &m->slots[i];

		if (s->used) {
			if (strcmp(s->id, id) == 0)
				return s;
			continue;
		}
		if (ret_free && !*ret_free)
			*ret_free = s;
		if (!s->id[0])
			return NULL; /* never used: the end of the probe chain */
	}
	return NULL;
}

static bool is_full_id(const char *id)
{
	size_t n = 0;

	for (; id[n]; n++)
		if (!((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'a' && id[n] <= 'f')))
			return false;
	return n == CONTAINER_FULL_ID_LEN;
}

/* Queues a lookup of s (locked). */
static void queue_push(struct meta *m, struct meta_slot *s)
{
	struct meta_request *q;

	if (s->queued)
		return;
	if (m->q_len >= META_QUEUE_MAX) {
		m->stats.queue_full++;
		return;
	}
	q = &m->queue[(m->q_head + m->q_len) % META_QUEUE_MAX];
	memcpy(q->id, s->id, sizeof(q->id));
	q->type = s->type;
	m->q_len++;
	s->queued = true;
	m->stats.queued++;
	pthread_cond_signal(&m->wake);
}

/* The slot of id, created (pending, queued) when missing; NULL when the table is full. */
static struct meta_slot *slot_get(struct meta *m, const char *id, enum container_type type,
				  const char *cgroup)
{
	struct meta_slot *free_slot, *s = slot_find(m, id, &free_slot);

	if (s)
		return s;
	if (!free_slot || m->n_used >= META_CONTAINERS_MAX) {
		m->stats.table_full++;
		return NULL;
	}
	s = free_slot;
	*s = (struct meta_slot){.used = true, .type = type};
	memcpy(s->id, id, CONTAINER_FULL_ID_LEN + 1);
	if (cgroup && cgroup[0] && strlen(cgroup) < META_CGROUP_MAX)
		s->cgroup = strdup(cgroup); /* NULL on ENOMEM: never dropped, as unknown */
	m->n_used++;
	queue_push(m, s);
	return s;
}

static void slot_clear(struct meta *m, struct meta_slot *s)
{
	meta_container_unref(s->c);
	s->c = NULL;
	free(s->cgroup);
	s->cgroup = NULL;
	s->used = false;
	s->queued = false;
	/* id[0] stays set: a tombstone keeps the probe chains intact */
	m->n_used--;
}

struct meta_container *meta_container_get(struct meta *m, const char *full_id,
					  enum container_type type, const char *cgroup)
{
	struct meta_container *c = NULL;
	struct meta_slot *s;

	if (!m || !full_id || !is_full_id(full_id))
		return NULL;
	pthread_mutex_lock(&m->lock);
	s = slot_get(m, full_id, type, cgroup);
	if (s && s->c && s->c->status == META_FOUND) {
		c = container_ref(s->c);
		m->stats.hits++;
	} else {
		m->stats.misses++;
		if (s && s->c && s->c->status == META_UNKNOWN && now_ns() >= s->retry_at)
			queue_push(m, s);
	}
	pthread_mutex_unlock(&m->lock);
	return c;
}

int meta_container_prefetch(struct meta *m, const char *full_id, enum container_type type,
			    const char *cgroup)
{
	size_t before;
	int r;

	if (!m || !full_id || !is_full_id(full_id))
		return 0;
	pthread_mutex_lock(&m->lock);
	before = m->n_used;
	r = slot_get(m, full_id, type, cgroup) && m->n_used > before;
	pthread_mutex_unlock(&m->lock);
	return r;
}

enum meta_status meta_container_status(struct meta *m, const char *full_id)
{
	enum meta_status st = META_UNKNOWN;
	struct meta_slot *s;

	pthread_mutex_lock(&m->lock);
	s = slot_find(m, full_id, NULL);
	if (s)
		st = s->c && (s->c->status == META_FOUND || !s->queued) ? s->c->status
									  : META_PENDING;
	pthread_mutex_unlock(&m->lock);
	return st;
}

bool meta_container_forget(struct meta *m, const char *full_id)
{
	struct meta_slot *s;

	pthread_mutex_lock(&m->lock);
	s = slot_find(m, full_id, NULL);
	if (s) {
		slot_clear(m, s);
		m->stats.removed++;
	}
	pthread_mutex_unlock(&m->lock);
	return s != NULL;
}

int meta_container_publish(struct meta *m, struct meta_container *c)
{
	struct meta_slot *free_slot, *s;
	int r = 0;

	pthread_mutex_lock(&m->lock);
	s = slot_find(m, c->full_id, &free_slot);
	if (!s && free_slot && m->n_used < META_CONTAINERS_MAX) {
		s = free_slot;
		*s = (struct meta_slot){.used = true, .type = c->type};
		memcpy(s->id, c->full_id, sizeof(s->id));
		m->n_used++;
	}
	if (s) {
		meta_container_unref(s->c);
		s->c = c;
		if (c->status == META_UNKNOWN) {
			s->backoff = s->backoff ? MIN(s->backoff * 2, META_RETRY_MAX_NS)
						: META_RETRY_MIN_NS;
			s->retry_at = now_ns() + s->backoff;
		} else {
			s->backoff = 0;
		}
	} else {
		m->stats.table_full++;
		r = -ENOSPC;
	}
	pthread_mutex_unlock(&m->lock);
	if (r < 0)
		meta_container_unref(c);
	return r;
}

void meta_get_stats(struct meta *m, struct meta_stats *ret)
{
	pthread_mutex_lock(&m->lock);
	*ret = m->stats;
	ret->entries = m->n_used;
	ret->replies_refused = __atomic_load_n(&m->refused, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&m->lock);
}

/* ---- the lookups ---- */

/* Asks the sources in order; returns the entry to publish (META_FOUND or META_UNKNOWN). */
static struct meta_container *lookup(struct meta *m, const struct meta_request *q)
{
	struct meta_container *c = meta_container_new(q->id, q->type);
	int r = -ENOENT;

	if (!c)
		return NULL;
	if (m->docker)
		r = meta_docker_lookup(m->docker, q->type, c);
	if (r < 0 && r != -ENOMEM && m->cri)
		r = meta_cri_lookup(m->cri, q->type, c);
	if (r < 0 && m->cfg.engines[META_ENGINE_BUNDLE].enabled)
		r = meta_bundle_lookup(m->host_root, &m->cfg, q->type, c);
	if (r == -EBADMSG || r == -EMSGSIZE)
		__atomic_add_fetch(&m->refused, 1, __ATOMIC_RELAXED);
	c->status = r >= 0 ? META_FOUND : META_UNKNOWN;
	log_debug("Container %.12s (%s): %s%s.", q->id, container_type_name(q->type),
		  r >= 0 ? "described by " : "no source describes it", r >= 0 ? c->source : "");
	return c;
}

/* Runs one queued lookup (lock held on entry and exit, released during the lookup). */
static void lookup_one(struct meta *m)
{
	struct meta_request q = m->queue[m->q_head];
	struct meta_container *c;
	struct meta_slot *s;

	m->q_head = (m->q_head + 1) % META_QUEUE_MAX;
	m->q_len--;
	pthread_mutex_unlock(&m->lock);
	c = lookup(m, &q);
	pthread_mutex_lock(&m->lock);
	s = slot_find(m, q.id, NULL);
	if (s)
		s->queued = false;
	if (!c)
		return;
	if (c->status == META_FOUND)
		m->stats.lookups_found++;
	else
		m->stats.lookups_failed++;
	if (!s) { /* forgotten meanwhile: the container exited */
		meta_container_unref(c);
		return;
	}
	pthread_mutex_unlock(&m->lock);
	(void)meta_container_publish(m, c);
	pthread_mutex_lock(&m->lock);
}

size_t meta_lookup_now(struct meta *m)
{
	size_t n = 0;

	pthread_mutex_lock(&m->lock);
	while (m->q_len) {
		lookup_one(m);
		n++;
	}
	pthread_mutex_unlock(&m->lock);
	return n;
}

/*
 * Whether the cgroup path exists in one of the host's cgroup hierarchies: 1 it does, 0 it does
 * not but its parent does (the container exited), -1 unsure (neither: another hierarchy or
 * namespace, no cgroup file system, an unknown path).
 */
static int cgroup_alive(const struct meta *m, const char *cgroup)
{
	static const char *const roots[] = {"", "/unified", "/systemd", "/memory", "/pids"};
	char path[META_CGROUP_MAX + 640];
	const char *slash = strrchr(cgroup, '/');
	struct stat st;
	bool parent = false;

	if (!cgroup[0])
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
		snprintf(path, sizeof(path), "%s/sys/fs/cgroup%s/cgroup.procs", m->host_root,
			 roots[i]);
		if (stat(path, &st) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/sys/fs/cgroup%s%s", m->host_root, roots[i],
			 cgroup);
		if (stat(path, &st) == 0)
			return 1;
		/* the parent, when it is not the hierarchy's root ("/ID" says nothing) */
		if (slash && slash != cgroup) {
			snprintf(path, sizeof(path), "%s/sys/fs/cgroup%s%.*s", m->host_root,
				 roots[i], (int)(slash - cgroup), cgroup);
			parent = parent || stat(path, &st) == 0;
		}
	}
	return parent ? 0 : -1;
}

/*
 * Rebuilds the table without its tombstones when they are a quarter of it (lock held; the
 * metadata thread, so no lookup holds a slot): after many containers came and went, every miss
 * would otherwise walk the whole table. Keeps the old table if memory is short.
 */
static void tombstones_purge(struct meta *m)
{
	struct meta_slot *n;
	size_t dead = 0;

	for (size_t i = 0; i < META_BUCKETS; i++)
		dead += !m->slots[i].used && m->slots[i].id[0];
	if (dead < META_BUCKETS / 4)
		return;
	n = calloc(META_BUCKETS, sizeof(*n));
	if (!n)
		return;
	for (size_t i = 0; i < META_BUCKETS; i++) {
		size_t k;

		if (!m->slots[i].used)
			continue;
		k = id_hash(m->slots[i].id) & (META_BUCKETS - 1);
		while (n[k].used)
			k = (k + 1) & (META_BUCKETS - 1);
		n[k] = m->slots[i];
	}
	free(m->slots);
	m->slots = n;
}

/* Drops the entries whose container exited (lock held; released around the stat() calls). */
static void sweep(struct meta *m)
{
	for (size_t i = 0; i < META_BUCKETS && !m->stop; i++) {
		struct meta_slot *s = &m->slots[i];
		char cg[META_CGROUP_MAX], id[CONTAINER_FULL_ID_LEN + 1];
		int alive;

		if (!s->used || !s->cgroup || s->queued)
			continue;
		snprintf(cg, sizeof(cg), "%s", s->cgroup);
		memcpy(id, s->id, sizeof(id));
		pthread_mutex_unlock(&m->lock);
		alive = cgroup_alive(m, cg);
		pthread_mutex_lock(&m->lock);
		if (alive > 0 && s->used && strcmp(s->id, id) == 0)
			s->cgroup_seen = true;
		/* gone: seen before, or its parent is there (a container that lived less than a
		 * sweep). Unsure and never seen (another hierarchy, another namespace) drops
		 * nothing: an entry dropped at once would be looked up again on every read. */
		if (alive <= 0 && (s->cgroup_seen || alive == 0) && s->used &&
		    strcmp(s->id, id) == 0 && !s->queued) {
			log_debug("Container %.12s exited: its metadata is dropped.", id);
			slot_clear(m, s);
			m->stats.removed++;
		}
	}
	if (!m->stop)
		tombstones_purge(m);
}

static void *meta_thread(void *userdata)
{
	struct meta *m = userdata;
	uint64_t last_sweep = now_ns();

	pthread_mutex_lock(&m->lock);
	while (!m->stop) {
		struct timespec until;

		if (m->q_len) {
			lookup_one(m);
			continue;
		}
		if (now_ns() - last_sweep >= META_SWEEP_NS) {
			sweep(m);
			last_sweep = now_ns();
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += 500000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&m->wake, &m->lock, &until);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

int meta_new(const struct meta_config *config, const char *host_root, bool start_thread,
	     struct meta **ret)
{
	_cleanup_(meta_freep) struct meta *m = NULL;
	pthread_condattr_t ca;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->wake, &ca);
	pthread_condattr_destroy(&ca);
	m->cfg = *config;
	for (unsigned e = 0; e < _META_ENGINE_MAX; e++) {
		m->cfg.engines[e].sockets = NULL;
		m->cfg.engines[e].n_sockets = 0;
		r = 0;
		for (size_t i = 0; r >= 0 && i < config->engines[e].n_sockets; i++) {
			const char *one[] = {config->engines[e].sockets[i], NULL};

			r = sockets_set(&m->cfg.engines[e], one);
		}
		if (r < 0)
			return r;
	}
	if (host_root && strcmp(host_root, "/") != 0)
		snprintf(m->host_root, sizeof(m->host_root), "%s", host_root);
	m->slots = calloc(META_BUCKETS, sizeof(*m->slots));
	if (!m->slots)
		return -ENOMEM;
	r = meta_docker_new(&m->cfg, m->host_root, &m->docker);
	if (r < 0)
		return r;
	r = meta_cri_new(&m->cfg, m->host_root, &m->cri);
	if (r < 0)
		return r;
	if (start_thread) {
		sigset_t all, old;

		/* signals stay with the main loop's signalfd */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		r = -pthread_create(&m->thread, NULL, meta_thread, m);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (r < 0)
			return r;
		m->has_thread = true;
	}
	*ret = TAKE_PTR(m);
	return 0;
}

void meta_free(struct meta *m)
{
	if (!m)
		return;
	if (m->has_thread) {
		pthread_mutex_lock(&m->lock);
		m->stop = true;
		pthread_cond_signal(&m->wake);
		pthread_mutex_unlock(&m->lock);
		pthread_join(m->thread, NULL);
	}
	if (m->slots)
		for (size_t i = 0; i < META_BUCKETS; i++) {
			meta_container_unref(m->slots[i].c);
			free(m->slots[i].cgroup);
		}
	free(m->slots);
	meta_docker_free(m->docker);
	meta_cri_free(m->cri);
	meta_config_done(&m->cfg);
	pthread_cond_destroy(&m->wake);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
