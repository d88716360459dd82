// SPDX-License-Identifier: Apache-2.0
/*
 * A starting container's first events, held until its metadata is known. See hold.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hold.h"
#include "macro.h"

struct hold_group {
	bool used;
	char id[CONTAINER_FULL_ID_LEN + 1];
	uint64_t deadline; /* monotonic ns */
	uint32_t tids[HOLD_TIDS_MAX];
	size_t n_tids;
	uint8_t *buf; /* records back to back, each padded to 8 */
	size_t len, cap;
	uint64_t n_events;
};

struct hold {
	struct meta *meta;
	size_t n_used;
	uint32_t tick; /* events since the last time check */
	struct hold_group groups[HOLD_GROUPS_MAX];
	struct hold_stats stats;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int hold_new(struct meta *m, struct hold **ret)
{
	struct hold *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->meta = m;
	*ret = h;
	return 0;
}

void hold_free(struct hold *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < HOLD_GROUPS_MAX; i++)
		free(h->groups[i].buf);
	free(h);
}

bool hold_active(const struct hold *h)
{
	return h && h->n_used;
}

static struct hold_group *group_of_tid(struct hold *h, uint32_t tid)
{
	for (size_t i = 0; i < HOLD_GROUPS_MAX; i++) {
		struct hold_group *g = &h->groups[i];

		if (!g->used)
			continue;
		for (size_t k = 0; k < g->n_tids; k++)
			if (g->tids[k] == tid)
				return g;
	}
	return NULL;
}

static struct hold_group *group_of_id(struct hold *h, const char *id)
{
	for (size_t i = 0; i < HOLD_GROUPS_MAX; i++)
		if (h->groups[i].used && strcmp(h->groups[i].id, id) == 0)
			return &h->groups[i];
	return NULL;
}

static bool add_tid(struct hold_group *g, uint32_t tid)
{
	for (size_t k = 0; k < g->n_tids; k++)
		if (g->tids[k] == tid)
			return true;
	if (g->n_tids >= HOLD_TIDS_MAX)
		return false;
	g->tids[g->n_tids++] = tid;
	return true;
}

/* Copies ev's record into g; false when g is full (the caller lets it go). */
static bool copy_event(struct hold *h, struct hold_group *g, const struct event *ev)
{
	size_t len = ev->hdr->len, padded = (len + 7) & ~(size_t)7;

	if (padded > HOLD_BYTES_MAX - g->len)
		return false;
	if (g->len + padded > g->cap) {
		size_t cap = MAX(g->cap * 2, (size_t)16384);
		uint8_t *nb;

		while (cap < g->len + padded)
			cap *= 2;
		cap = MIN(cap, (size_t)HOLD_BYTES_MAX);
		nb = realloc(g->buf, cap);
		if (!nb)
			return false;
		g->buf = nb;
		g->cap = cap;
	}
	memcpy(g->buf + g->len, ev->hdr, len);
	g->len += padded;
	g->n_events++;
	h->stats.events++;
	return true;
}

static void group_forget(struct hold *h, struct hold_group *g)
{
	free(g->buf);
	*g = (struct hold_group){};
	h->n_used--;
}

/* Replays g's records through fn and forgets g. */
static void group_release(struct hold *h, struct hold_group *g, bool late, hold_fn fn,
			  void *userdata)
{
	uint8_t *buf = g->buf;
	size_t len = g->len;

	if (late)
		h->stats.late += g->n_events;
	g->buf = NULL;
	group_forget(h, g); /* first: the replayed events are no longer held */
	for (size_t off = 0; off < len;) {
		const struct osp_event_hdr *hdr = (const void *)(buf + off);
		struct event ev;

		if (event_decode(buf + off, hdr->len, &ev) == 0)
			fn(&ev, userdata);
		off += ((size_t)hdr->len + 7) & ~(size_t)7;
	}
	free(buf);
}

/* The group a new exec into a starting container opens, or NULL. */
static struct hold_group *group_open(struct hold *h, const struct event *ev)
{
	const char *cgroup = event_get_str(ev, OSP_EXEC_P_CGROUP);
	char id[CONTAINER_ID_LEN + 1], full[CONTAINER_FULL_ID_LEN + 1];
	enum container_type type;
	struct hold_group *g;

	if (!cgroup)
		return NULL;
	type = container_from_cgroup(cgroup, id, full);
	if (type == CONTAINER_HOST)
		return NULL;
	g = group_of_id(h, full);
	if (g)
		return add_tid(g, ev->hdr->tid) ? g : NULL;
	if (!meta_container_prefetch(h->meta, full, type, cgroup))
		return NULL; /* known, or being looked up since an earlier exec */
	for (size_t i = 0; i < HOLD_GROUPS_MAX; i++) {
		g = &h->groups[i];
		if (g->used)
			continue;
		g->used = true;
		memcpy(g->id, full, sizeof(g->id));
		g->deadline = mono_ns() + HOLD_MAX_MS * 1000000ull;
		g->tids[0] = ev->hdr->tid;
		g->n_tids = 1;
		h->n_used++;
		h->stats.containers++;
		return g;
	}
	h->stats.not_held++;
	return NULL;
}

bool hold_take(struct hold *h, const struct event *ev)
{
	uint16_t type = ev->hdr->type;
	struct hold_group *g = NULL;

	if (h->n_used)
		g = group_of_tid(h, ev->hdr->tid);
	if (!g && type == OSP_EVT_PROC_FORK && h->n_used) {
		uint64_t ptid;

		/* a held thread's child is held with it (the fork record is the child's) */
		if (event_get_u64(ev, OSP_FORK_P_PTID, &ptid) &&
		    (g = group_of_tid(h, (uint32_t)ptid)) &&
		    !add_tid(g, ev->hdr->tid)) {
			h->stats.overflow++;
			g->deadline = 0; /* released at the next check */
			return false;
		}
	}
	if (!g && type == OSP_EVT_PROC_EXEC)
		g = group_open(h, ev);
	if (!g)
		return false;
	if (!copy_event(h, g, ev)) {
		h->stats.overflow++;
		g->deadline = 0;
		return false;
	}
	return true;
}

void hold_release(struct hold *h, bool all, hold_fn fn, void *userdata)
{
	uint64_t now;

	if (!h || !h->n_used)
		return;
	/* the clock and the cache's lock: every 64 events, not on each */
	if (!all && ++h->tick < 64)
		return;
	h->tick = 0;
	now = mono_ns();
	for (size_t i = 0; i < HOLD_GROUPS_MAX; i++) {
		struct hold_group *g = &h->groups[i];
		enum meta_status st;

		if (!g->used)
			continue;
		st = meta_container_status(h->meta, g->id);
		if (all || st != META_PENDING || now >= g->deadline)
			group_release(h, g, st != META_FOUND, fn, userdata);
	}
}

void hold_get_stats(const struct hold *h, struct hold_stats *ret)
{
	*ret = h->stats;
}
