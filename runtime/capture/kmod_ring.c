// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <string.h>

#include "kmod_ring.h"

static bool is_power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

int kmod_ring_init(struct kmod_ring *r, struct osp_kmod_ctrl *ctrl, const void *data, uint64_t size)
{
	if (!ctrl || !data || !is_power_of_two(size) || size < sizeof(struct osp_event_hdr))
		return -EINVAL;
	if (ctrl->magic != OSP_KMOD_CTRL_MAGIC || ctrl->data_size != size)
		return -EINVAL;
	r->ctrl = ctrl;
	r->data = data;
	r->size = size;
	r->tail = __atomic_load_n(&ctrl->tail, __ATOMIC_ACQUIRE);
	return 0;
}

static void ring_publish_tail(struct kmod_ring *r)
{
	__atomic_store_n(&r->ctrl->tail, r->tail, __ATOMIC_RELEASE);
}

/* Unusable framing: nothing after it can be trusted to start a record. */
static void ring_skip_to(struct kmod_ring *r, uint64_t head, uint64_t *malformed)
{
	(*malformed)++;
	r->tail = head;
	ring_publish_tail(r);
}

uint64_t kmod_ring_pending(const struct kmod_ring *r)
{
	return __atomic_load_n(&r->ctrl->head, __ATOMIC_ACQUIRE) - r->tail;
}

const struct osp_event_hdr *kmod_ring_peek(struct kmod_ring *r, uint64_t *malformed)
{
	uint64_t head = __atomic_load_n(&r->ctrl->head, __ATOMIC_ACQUIRE);
	uint64_t avail = head - r->tail;
	const struct osp_event_hdr *hdr;
	uint32_t len;

	if (avail == 0)
		return NULL;
	/* Also catches a head behind tail: the difference wraps to a huge value. */
	if (avail > r->size || avail < sizeof(*hdr)) {
		ring_skip_to(r, head, malformed);
		return NULL;
	}
	/* Records are 8-byte multiples from offset 0: tail is 8-aligned, so is hdr. */
	if (r->tail & 7) {
		ring_skip_to(r, head, malformed);
		return NULL;
	}
	hdr = (const struct osp_event_hdr *)(r->data + (r->tail & (r->size - 1)));
	len = __atomic_load_n(&hdr->len, __ATOMIC_RELAXED);
	if (len < sizeof(*hdr) || (len & 7) || len > OSP_EVENT_MAX_LEN || len > avail) {
		ring_skip_to(r, head, malformed);
		return NULL;
	}
	return hdr;
}

void kmod_ring_consume(struct kmod_ring *r, uint32_t len)
{
	r->tail += len;
	ring_publish_tail(r);
}

void kmod_merge_init(struct kmod_merge *m, struct kmod_ring *rings, unsigned nrings)
{
	m->rings = rings;
	m->nrings = nrings;
	m->held = -1;
	m->held_len = 0;
}

int kmod_merge_next(struct kmod_merge *m, const void **ret_buf, size_t *ret_size,
		    uint64_t *malformed)
{
	const struct osp_event_hdr *best = NULL;
	uint64_t best_ts = 0;
	int best_ring = -1;

	/* The record handed out last time is no longer in use: give its space back. */
	if (m->held >= 0) {
		kmod_ring_consume(&m->rings[m->held], m->held_len);
		m->held = -1;
	}
	for (unsigned i = 0; i < m->nrings; i++) {
		const struct osp_event_hdr *h = kmod_ring_peek(&m->rings[i], malformed);
		uint64_t ts;

		if (!h)
			continue;
		memcpy(&ts, &h->ts_ns, sizeof(ts));
		if (!best || ts < best_ts) {
			best = h;
			best_ts = ts;
			best_ring = (int)i;
		}
	}
	if (!best)
		return -EAGAIN;
	m->held = best_ring;
	m->held_len = best->len;
	*ret_buf = best;
	*ret_size = best->len;
	return 0;
}

bool kmod_merge_has_data(const struct kmod_merge *m)
{
	for (unsigned i = 0; i < m->nrings; i++) {
		uint64_t pending = kmod_ring_pending(&m->rings[i]);

		if ((int)i == m->held)
			pending -= pending >= m->held_len ? m->held_len : pending;
		if (pending)
			return true;
	}
	return false;
}
