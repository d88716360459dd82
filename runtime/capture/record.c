// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <string.h>

#include "record.h"

static struct osp_event_hdr *hdr_of(struct record_builder *b)
{
	return (struct osp_event_hdr *)b->buf;
}

void record_begin(struct record_builder *b, void *buf, size_t cap, uint16_t type, uint64_t ts_ns,
		  uint32_t tid, uint32_t pid, uint16_t nparams)
{
	size_t head = sizeof(struct osp_event_hdr) + 2u * nparams;

	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = cap < OSP_EVENT_MAX_LEN ? cap : OSP_EVENT_MAX_LEN;
	b->max_params = nparams;
	if (nparams > OSP_MAX_PARAMS || head > b->cap) {
		b->error = -ENOBUFS;
		return;
	}
	*hdr_of(b) = (struct osp_event_hdr){
		.ts_ns = ts_ns, .tid = tid, .pid = pid, .type = type, .nparams = nparams,
	};
	b->pos = head;
}

static void add_raw(struct record_builder *b, const void *p, size_t len, int truncated)
{
	uint16_t stored;

	if (b->error)
		return;
	if (b->nparams >= b->max_params || len > OSP_PARAM_LEN_MASK) {
		b->error = -E2BIG;
		return;
	}
	if (len > b->cap - b->pos) {
		b->error = -ENOBUFS;
		return;
	}
	if (len)
		memcpy(b->buf + b->pos, p, len);
	stored = (uint16_t)len | (truncated ? OSP_PARAM_TRUNCATED : 0);
	memcpy(b->buf + sizeof(struct osp_event_hdr) + 2u * b->nparams, &stored, 2);
	b->pos += len;
	b->nparams++;
}

void record_add_u8(struct record_builder *b, uint8_t v)
{
	add_raw(b, &v, sizeof(v), 0);
}

void record_add_u16(struct record_builder *b, uint16_t v)
{
	add_raw(b, &v, sizeof(v), 0);
}

void record_add_u32(struct record_builder *b, uint32_t v)
{
	add_raw(b, &v, sizeof(v), 0);
}

void record_add_u64(struct record_builder *b, uint64_t v)
{
	add_raw(b, &v, sizeof(v), 0);
}

void record_add_s64(struct record_builder *b, int64_t v)
{
	add_raw(b, &v, sizeof(v), 0);
}

void record_add_str(struct record_builder *b, const char *s, size_t max)
{
	size_t len;
	char tmp[OSP_STR_MAX];

	if (!s || max == 0) {
		add_raw(b, NULL, 0, 0);
		return;
	}
	if (max > sizeof(tmp))
		max = sizeof(tmp);
	len = strnlen(s, max);
	if (len < max) {
		add_raw(b, s, len + 1, 0);
		return;
	}
	/* Cut: keep max - 1 bytes and a NUL, and say so. */
	memcpy(tmp, s, max - 1);
	tmp[max - 1] = '\0';
	add_raw(b, tmp, max, 1);
}

void record_add_bytes(struct record_builder *b, const void *p, size_t len, size_t max)
{
	if (max > OSP_PARAM_LEN_MASK)
		max = OSP_PARAM_LEN_MASK;
	add_raw(b, p, len > max ? max : len, len > max);
}

void record_add_empty(struct record_builder *b)
{
	add_raw(b, NULL, 0, 0);
}

int record_end(struct record_builder *b)
{
	size_t len;

	if (b->error)
		return b->error;
	if (b->nparams != b->max_params)
		return -EINVAL;
	len = (b->pos + 7u) & ~(size_t)7u;
	if (len > b->cap)
		return -ENOBUFS;
	memset(b->buf + b->pos, 0, len - b->pos);
	hdr_of(b)->len = (uint32_t)len;
	return (int)len;
}
