/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The decoded view of one record: pointers into the record's bytes, never a
 * copy. A view is valid as long as the bytes it was decoded from (for a live
 * source: until the next capture_next() call).
 *
 * event_decode() trusts nothing: the header length, the parameter count and
 * every parameter length are checked against the buffer, the type against
 * the schema, and strings must end in NUL within their length.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "osprey_schema.h"

struct event {
	const struct osp_event_hdr *hdr;
	const struct osp_event_info *info; /* never NULL after a successful decode */
	uint16_t nparams;                  /* parameters present and known to this schema */
	uint32_t truncated;                /* bit i: parameter i was cut at its bound */
	uint16_t len[OSP_MAX_PARAMS];      /* stored length of parameter i, 0 = absent */
	const uint8_t *val[OSP_MAX_PARAMS];
};

/* The schema's entry for an id, or NULL for an unknown or unused id. */
const struct osp_event_info *event_info(uint16_t type);
/* Index of a parameter by name in an event, or -ENOENT. */
int event_info_param_index(const struct osp_event_info *info, const char *name);
/* Event id by name ("openat"), or -ENOENT. */
int event_type_from_name(const char *name);

/*
 * Decodes the record at buf (size bytes, the record's whole length as stored
 * by its container). Returns 0, -EBADMSG for a malformed record, -ENOMSG for
 * an id this schema does not know (a newer producer).
 */
int event_decode(const void *buf, size_t size, struct event *ret);

/* Typed accessors. Each returns false if the parameter is absent or of another size. */
bool event_get_s64(const struct event *ev, unsigned i, int64_t *ret);
bool event_get_u64(const struct event *ev, unsigned i, uint64_t *ret);
bool event_get_u32(const struct event *ev, unsigned i, uint32_t *ret);
/* A string parameter, or NULL if absent. Always NUL-terminated within the record. */
const char *event_get_str(const struct event *ev, unsigned i);
/* The syscall result (parameter 0) of a syscall event. */
bool event_get_res(const struct event *ev, int64_t *ret);

static inline bool event_param_truncated(const struct event *ev, unsigned i)
{
	return i < 32 && (ev->truncated >> i) & 1;
}
