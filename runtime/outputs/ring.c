// SPDX-License-Identifier: Apache-2.0
/*
 * Records are a 4-byte length then the bytes, each padded to 8; a record never wraps: at the end
 * of the buffer a pad mark sends the reader back to offset 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

#define RING_PAD_MARK 0xffffffffU

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

int ring_init(struct ring *r, size_t bytes, uint32_t capacity, size_t max_record)
{
	size_t min = 2 * align8(4 + max_record), size = 1;

	while (size < bytes || size < min)
		size <<= 1;
	*r = (struct ring){.size = size, .max_record = max_record, .capacity = capacity};
	r->buf = malloc(size);
	return r->buf ? 0 : -ENOMEM;
}

void ring_done(struct ring *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* The pad needed before a record of need bytes at the tail. */
static size_t ring_pad(const struct ring *r, size_t need)
{
	size_t off = r->tail & (r->size - 1);

	return off + need > r->size ? r->size - off : 0;
}

bool ring_fits(const struct ring *r, size_t len)
{
	size_t need = align8(4 + len);

	if (len > r->max_record || r->count >= r->capacity)
		return false;
	return r->tail + ring_pad(r, need) + need - r->head <= r->size;
}

void *ring_push(struct ring *r, size_t len)
{
	size_t need = align8(4 + len), pad, off;
	uint32_t len32;

	if (!ring_fits(r, len))
		return NULL;
	pad = ring_pad(r, need);
	if (pad > 0) {
		len32 = RING_PAD_MARK;
		memcpy(r->buf + (r->tail & (r->size - 1)), &len32, 4); /* pad >= 8: both x8 */
		r->tail += pad;
	}
	off = r->tail & (r->size - 1);
	len32 = (uint32_t)len;
	memcpy(r->buf + off, &len32, 4);
	r->tail += need;
	r->count++;
	return r->buf + off + 4;
}

size_t ring_pop(struct ring *r, void *out)
{
	size_t mask = r->size - 1;

	while (r->count > 0) {
		size_t off = r->head & mask;
		uint32_t len;

		memcpy(&len, r->buf + off, 4);
		if (len == RING_PAD_MARK) {
			r->head += r->size - off;
			continue;
		}
		memcpy(out, r->buf + off + 4, len);
		r->head += align8(4 + (size_t)len);
		r->count--;
		return len;
	}
	return 0;
}

uint32_t ring_clear(struct ring *r)
{
	uint32_t n = r->count;

	r->head = r->tail;
	r->count = 0;
	return n;
}
