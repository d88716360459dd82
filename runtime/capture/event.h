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
#include <string.h>

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

/* The parameter types stored as NUL-terminated text (event_decode() checks the NUL). */
static inline bool event_param_type_is_string(uint8_t type)
{
	return type == OSP_PT_CHARBUF || type == OSP_PT_PATH || type == OSP_PT_FSRELPATH;
}

/* A fixed-size integer parameter of 1, 2, 4 or 8 bytes, sign-extended when asked. */
static inline bool event_param_int(const struct event *e, unsigned i, bool is_signed, uint64_t *ret)
{
	const uint8_t *p;

	if (i >= e->nparams || !(p = e->val[i]))
		return false;
	switch (e->len[i]) {
	case 8: {
		uint64_t v;

		memcpy(&v, p, 8);
		*ret = v;
		return true;
	}
	case 4: {
		uint32_t v;

		memcpy(&v, p, 4);
		*ret = is_signed ? (uint64_t)(int64_t)(int32_t)v : v;
		return true;
	}
	case 2: {
		uint16_t v;

		memcpy(&v, p, 2);
		*ret = is_signed ? (uint64_t)(int64_t)(int16_t)v : v;
		return true;
	}
	case 1:
		*ret = is_signed ? (uint64_t)(int64_t)(int8_t)p[0] : p[0];
		return true;
	default:
		return false;
	}
}

/*
 * Typed accessors, inline: the state and the field extractors read several parameters of every
 * event, and a call for each would cost more than the read. Each returns false if the
 * parameter is absent or of another size.
 */
static inline bool event_get_s64(const struct event *e, unsigned i, int64_t *ret)
{
	uint64_t v;

	if (!event_param_int(e, i, true, &v))
		return false;
	*ret = (int64_t)v;
	return true;
}

static inline bool event_get_u64(const struct event *e, unsigned i, uint64_t *ret)
{
	return event_param_int(e, i, false, ret);
}

static inline bool event_get_u32(const struct event *e, unsigned i, uint32_t *ret)
{
	uint64_t v;

	if (!event_param_int(e, i, false, &v) || e->len[i] > 4)
		return false;
	*ret = (uint32_t)v;
	return true;
}

/* A string parameter, or NULL if absent. Always NUL-terminated within the record. */
static inline const char *event_get_str(const struct event *e, unsigned i)
{
	if (i >= e->nparams || !e->val[i] || !event_param_type_is_string(e->info->params[i].type))
		return NULL;
	return (const char *)e->val[i];
}

/* The syscall result (parameter 0) of a syscall event. */
static inline bool event_get_res(const struct event *e, int64_t *ret)
{
	if (!(e->info->flags & OSP_EF_SYSCALL))
		return false;
	return event_get_s64(e, OSP_SYSCALL_P_RES, ret);
}

static inline bool event_param_truncated(const struct event *ev, unsigned i)
{
	return i < 32 && (ev->truncated >> i) & 1;
}
