/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The consumer side of the osprey kernel module's per-CPU ring buffers
 * (driver/schema/osprey_kmod_abi.h): record framing checks and the merge by
 * timestamp across rings. It works on memory laid out as the module's mmap
 * (a control page, and the data area mapped twice back to back) and makes no
 * system call, so unit tests drive it over memory they lay out the same way.
 *
 * The control page is written by the producer (head, counters) and by us
 * (tail only). Nothing in it or in the data area is trusted: a head more
 * than a buffer ahead of tail, or a record whose length is not a multiple of
 * 8, is shorter than a header, longer than OSP_EVENT_MAX_LEN or runs past
 * head, cannot be resynchronized on, so everything up to head is skipped and
 * counted as one malformed record.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "osprey_kmod_abi.h"

struct kmod_ring {
	struct osp_kmod_ctrl *ctrl; /* the mapped control page */
	const uint8_t *data;	    /* 2 * size bytes: the data area twice */
	uint64_t size;		    /* bytes in one copy, a power of two */
	uint64_t tail;		    /* our consume position (published to ctrl->tail) */
};

/* Checks the control page (magic, data size) and starts at its tail. -EINVAL when bad. */
int kmod_ring_init(struct kmod_ring *r, struct osp_kmod_ctrl *ctrl, const void *data,
		   uint64_t size);
/* The oldest unread record of r, or NULL when there is none (bad framing is skipped, counted). */
const struct osp_event_hdr *kmod_ring_peek(struct kmod_ring *r, uint64_t *malformed);
/* Gives len bytes (the record last peeked) back to the producer. */
void kmod_ring_consume(struct kmod_ring *r, uint32_t len);
/* Bytes published and not yet consumed. */
uint64_t kmod_ring_pending(const struct kmod_ring *r);

/*
 * The merge of n rings: each next() gives back the record handed out last
 * time, then hands out the oldest record by ts_ns among the rings' oldest.
 */
struct kmod_merge {
	struct kmod_ring *rings;
	unsigned nrings;
	int held; /* ring of the record handed out last, -1 if none */
	uint32_t held_len;
};

void kmod_merge_init(struct kmod_merge *m, struct kmod_ring *rings, unsigned nrings);
/* 0 and the record (valid until the next call), or -EAGAIN when every ring is empty. */
int kmod_merge_next(struct kmod_merge *m, const void **ret_buf, size_t *ret_size,
		    uint64_t *malformed);
/* Whether a next() call would find a record (not counting the one handed out). */
bool kmod_merge_has_data(const struct kmod_merge *m);
