// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <string.h>

#include "event.h"
#include "event_table.h"
#include "macro.h"

/*
 * The one translation unit that includes the schema's table. Sizes pinned
 * here are the wire ABI: a change that trips one of these is a major bump.
 */
_Static_assert(sizeof(struct osp_event_hdr) == 24, "record header is 24 bytes");
_Static_assert(offsetof(struct osp_event_hdr, len) == 16, "len at 16");
_Static_assert(offsetof(struct osp_event_hdr, type) == 20, "type at 20");
_Static_assert(offsetof(struct osp_event_hdr, nparams) == 22, "nparams at 22");
_Static_assert(sizeof(struct osp_param_info) == 20, "param info is 20 bytes");
_Static_assert(sizeof(struct osp_counters) == 64, "counters are 64 bytes");
_Static_assert(OSP_MAX_PARAMS <= 32, "truncated mask is 32 bits");

const struct osp_event_info *event_info(uint16_t type)
{
	if (type >= OSP_EVT_COUNT || osp_event_table[type].nparams == 0)
		return NULL;
	return &osp_event_table[type];
}

int event_info_param_index(const struct osp_event_info *info, const char *name)
{
	for (unsigned i = 0; i < info->nparams; i++)
		if (strncmp(info->params[i].name, name, OSP_PARAM_NAME_MAX) == 0)
			return (int)i;
	return -ENOENT;
}

int event_type_from_name(const char *name)
{
	for (unsigned t = 0; t < OSP_EVT_COUNT; t++)
		if (osp_event_table[t].nparams && strncmp(osp_event_table[t].name, name, OSP_NAME_MAX) == 0)
			return (int)t;
	return -ENOENT;
}

int event_decode(const void *buf, size_t size, struct event *ret)
{
	const struct osp_event_hdr *hdr = buf;
	const struct osp_event_info *info;
	const uint8_t *lens, *p, *end;
	unsigned known;

	if (size < sizeof(*hdr) || size > OSP_EVENT_MAX_LEN)
		return -EBADMSG;
	if (hdr->len < sizeof(*hdr) || hdr->len > size || (hdr->len & 7))
		return -EBADMSG;
	if (hdr->nparams > (hdr->len - sizeof(*hdr)) / 2)
		return -EBADMSG;

	info = event_info(hdr->type);
	if (!info)
		return -ENOMSG;

	lens = (const uint8_t *)buf + sizeof(*hdr);
	p = lens + 2u * hdr->nparams;
	end = (const uint8_t *)buf + hdr->len;
	/* Parameters past the ones this schema knows come from a newer minor version: skipped. */
	known = MIN(hdr->nparams, info->nparams);

	ret->hdr = hdr;
	ret->info = info;
	ret->nparams = (uint16_t)known;
	ret->truncated = 0;
	for (unsigned i = 0; i < hdr->nparams; i++) {
		uint16_t raw, len;

		memcpy(&raw, lens + 2u * i, sizeof(raw));
		len = raw & OSP_PARAM_LEN_MASK;
		if ((size_t)(end - p) < len)
			return -EBADMSG;
		if (i < known) {
			uint8_t type = info->params[i].type;
			uint32_t fixed = osp_param_type_size(type);

			if (len && fixed && len != fixed)
				return -EBADMSG;
			if (len && event_param_type_is_string(type) && p[len - 1] != '\0')
				return -EBADMSG;
			ret->len[i] = len;
			ret->val[i] = len ? p : NULL;
			if (raw & OSP_PARAM_TRUNCATED)
				ret->truncated |= 1u << i;
		}
		p += len;
	}
	/* What follows the last parameter is padding to 8 bytes, nothing more. */
	if ((size_t)(end - p) >= 8)
		return -EBADMSG;
	for (unsigned i = known; i < info->nparams && i < OSP_MAX_PARAMS; i++) {
		ret->len[i] = 0;
		ret->val[i] = NULL;
	}
	return 0;
}

