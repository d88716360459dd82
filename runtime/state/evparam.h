/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inline twins of event.h's parameter accessors (event_get_s64/u64/u32/str/res), for the
 * per-event path of the state and the field extractors, which read several parameters of
 * every event: a call into event.c for each costs more than the read itself. Same semantics,
 * value for value (test-extract.c checks them against event.h's on every parameter size);
 * if event.h ever inlines its accessors, this header goes.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "event.h"

/* A fixed-size integer parameter of 1, 2, 4 or 8 bytes, sign-extended when asked. */
static inline bool evp_int(const struct event *e, unsigned i, bool is_signed, uint64_t *ret)
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

static inline bool evp_s64(const struct event *e, unsigned i, int64_t *ret)
{
	uint64_t v;

	if (!evp_int(e, i, true, &v))
		return false;
	*ret = (int64_t)v;
	return true;
}

static inline bool evp_u64(const struct event *e, unsigned i, uint64_t *ret)
{
	return evp_int(e, i, false, ret);
}

static inline bool evp_u32(const struct event *e, unsigned i, uint32_t *ret)
{
	uint64_t v;

	if (!evp_int(e, i, false, &v) || e->len[i] > 4)
		return false;
	*ret = (uint32_t)v;
	return true;
}

static inline const char *evp_str(const struct event *e, unsigned i)
{
	uint8_t t;

	if (i >= e->nparams || !e->val[i])
		return NULL;
	t = e->info->params[i].type;
	if (t != OSP_PT_CHARBUF && t != OSP_PT_PATH && t != OSP_PT_FSRELPATH)
		return NULL;
	return (const char *)e->val[i];
}

static inline bool evp_res(const struct event *e, int64_t *ret)
{
	if (!(e->info->flags & OSP_EF_SYSCALL))
		return false;
	return evp_s64(e, OSP_SYSCALL_P_RES, ret);
}
