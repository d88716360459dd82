/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bounded byte ring of variable-sized records, internal to the outputs module: the alert queue
 * (packed alerts) and each sink's queue (rendered lines) are one each. Bounded in bytes and in
 * records; at either bound ring_push() refuses and the caller counts a drop. Not locked: the
 * caller holds its lock around every call.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ring {
	uint8_t *buf;
	size_t size;	   /* power of two */
	size_t max_record; /* the largest record ring_push() takes */
	uint64_t head, tail;
	uint32_t count, capacity;
};

/* Allocates at least bytes (rounded up to a power of two holding two max_record records) for
 * at most capacity records. Returns 0 or -ENOMEM. */
int ring_init(struct ring *r, size_t bytes, uint32_t capacity, size_t max_record);
/* Frees the buffer; accepts a zeroed ring. */
void ring_done(struct ring *r);
/* True if a record of len bytes fits now. */
bool ring_fits(const struct ring *r, size_t len);
/* Appends a record of len bytes (<= max_record) and returns where the caller writes its bytes
 * (before dropping the lock), or NULL when the ring is full. */
void *ring_push(struct ring *r, size_t len);
/* Copies the oldest record into out (max_record bytes) and removes it. Returns its length, or 0
 * when empty. */
size_t ring_pop(struct ring *r, void *out);
/* Forgets every record; returns how many there were. */
uint32_t ring_clear(struct ring *r);
