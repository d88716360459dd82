/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Builds schema records in userspace: the /proc snapshot, tests, fuzz seeds.
 * Parameters are added in table order; the builder writes into a caller-owned
 * bounded buffer and never allocates. A value that does not fit its bound is
 * cut and flagged truncated; a record that does not fit the buffer fails with
 * -ENOBUFS at record_end().
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "osprey_schema.h"

struct record_builder {
	uint8_t *buf;
	size_t cap;
	size_t pos;      /* end of the values written so far */
	uint16_t nparams;
	uint16_t max_params;
	int error;       /* first error, reported by record_end() */
};

/* Starts a record of type with nparams parameters (must match the schema). */
void record_begin(struct record_builder *b, void *buf, size_t cap, uint16_t type, uint64_t ts_ns,
		  uint32_t tid, uint32_t pid, uint16_t nparams);
void record_add_u8(struct record_builder *b, uint8_t v);
void record_add_u16(struct record_builder *b, uint16_t v);
void record_add_u32(struct record_builder *b, uint32_t v);
void record_add_u64(struct record_builder *b, uint64_t v);
void record_add_s64(struct record_builder *b, int64_t v);
/* NUL-terminated string, cut at max bytes (NUL included) and flagged if longer. NULL = empty. */
void record_add_str(struct record_builder *b, const char *s, size_t max);
/* Raw bytes, cut at max and flagged if longer. */
void record_add_bytes(struct record_builder *b, const void *p, size_t len, size_t max);
/* An absent value (length 0). */
void record_add_empty(struct record_builder *b);
/* Finishes: pads to 8 bytes, fills the header. Returns the record length or -errno. */
int record_end(struct record_builder *b);
