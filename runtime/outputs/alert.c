// SPDX-License-Identifier: Apache-2.0
/* Alerts: Falco's text and JSON renderings, and the packed record that crosses threads. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "alert.h"
#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);
#define _cleanup_json_ _cleanup_(json_object_putp)

static const char *const priority_names[_ALERT_PRIORITY_MAX] = {
	[ALERT_PRIORITY_EMERGENCY] = "Emergency",
	[ALERT_PRIORITY_ALERT] = "Alert",
	[ALERT_PRIORITY_CRITICAL] = "Critical",
	[ALERT_PRIORITY_ERROR] = "Error",
	[ALERT_PRIORITY_WARNING] = "Warning",
	[ALERT_PRIORITY_NOTICE] = "Notice",
	[ALERT_PRIORITY_INFORMATIONAL] = "Informational",
	[ALERT_PRIORITY_DEBUG] = "Debug",
};

const char *alert_priority_to_string(enum alert_priority p)
{
	if ((unsigned)p >= _ALERT_PRIORITY_MAX)
		return NULL;
	return priority_names[p];
}

int alert_priority_from_string(const char *s)
{
	static const struct {
		const char *name;
		enum alert_priority p;
	} aliases[] = {
		{"info", ALERT_PRIORITY_INFORMATIONAL}, {"warn", ALERT_PRIORITY_WARNING},
		{"emerg", ALERT_PRIORITY_EMERGENCY},	{"crit", ALERT_PRIORITY_CRITICAL},
		{"err", ALERT_PRIORITY_ERROR},
	};

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(priority_names); i++)
		if (strcasecmp(s, priority_names[i]) == 0)
			return (int)i;
	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++)
		if (strcasecmp(s, aliases[i].name) == 0)
			return aliases[i].p;
	return -EINVAL;
}

void alert_format_init(struct alert_format *f)
{
	*f = (struct alert_format){
		.json = false,
		.include_output = true,
		.include_tags = true,
		.include_message = false,
		.include_output_fields = true,
		.time_iso8601 = false,
	};
}

/* Length of the valid UTF-8 sequence at s (at most len bytes), 0 if invalid (RFC 3629). */
static size_t utf8_seq_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (len < n)
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong */
	else if (c == 0xed)
		hi = 0x9f; /* surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* > U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

int alert_utf8_sanitize(const char *src, size_t len, char *dst, size_t size)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;

	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq_len(s + i, len - i);

		if (n == 0) {
			/* Each invalid byte becomes U+FFFD, as nlohmann::json's "replace" does. */
			if (o + 3 >= size)
				return -ENOBUFS;
			memcpy(dst + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		if (o + n >= size)
			return -ENOBUFS;
		memcpy(dst + o, s + i, n);
		o += n;
		i += n;
	}
	if (o >= size)
		return -ENOBUFS;
	dst[o] = '\0';
	return (int)o;
}

/* A json-c string of s with invalid UTF-8 repaired; NULL on ENOMEM. */
static struct json_object *json_string_utf8(const char *s)
{
	size_t len, size;
	_cleanup_free_ char *buf = NULL;
	int r;

	if (!s)
		s = "";
	len = strlen(s);
	if (len > INT32_MAX / 4)
		return NULL;
	size = 3 * len + 1;
	buf = malloc(size);
	if (!buf)
		return NULL;
	r = alert_utf8_sanitize(s, len, buf, size);
	if (r < 0)
		return NULL;
	return json_object_new_string_len(buf, r);
}

/* "2026-11-22T04:12:34.123456789Z" (UTC), as Falco's "time" and %evt.time.iso8601. */
static int format_iso8601(uint64_t time_ns, char *buf, size_t size)
{
	time_t sec = (time_t)(time_ns / 1000000000ULL);
	struct tm tm;
	int n;

	if (!gmtime_r(&sec, &tm))
		return -EOVERFLOW;
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     (unsigned)(time_ns % 1000000000ULL));
	if (n < 0 || (size_t)n >= size)
		return -ENOBUFS;
	return n;
}

int alert_render_prefix(const struct alert *a, bool time_iso8601, char *buf, size_t size)
{
	time_t sec = (time_t)(a->time_ns / 1000000000ULL);
	unsigned nsec = (unsigned)(a->time_ns % 1000000000ULL);
	const char *prio = alert_priority_to_string(a->priority);
	struct tm tm;
	int n;

	if (!prio)
		prio = "Debug";
	if (time_iso8601) {
		char t[64];

		n = format_iso8601(a->time_ns, t, sizeof(t));
		if (n < 0)
			return n;
		n = snprintf(buf, size, "%s: %s", t, prio);
	} else {
		/* Falco's %evt.time: local time of day. */
		if (!localtime_r(&sec, &tm))
			return -EOVERFLOW;
		n = snprintf(buf, size, "%02d:%02d:%02d.%09u: %s", tm.tm_hour, tm.tm_min, tm.tm_sec,
			     nsec, prio);
	}
	if (n < 0 || (size_t)n >= size)
		return -ENOBUFS;
	return n;
}

static int render_text(const struct alert *a, const struct alert_format *f, char *buf, size_t size)
{
	const char *out = a->output ?: "";
	size_t olen = strlen(out);
	int n;

	n = alert_render_prefix(a, f->time_iso8601, buf, size);
	if (n < 0)
		return n;
	if ((size_t)n + 1 + olen + 2 > size)
		return -ENOBUFS;
	buf[n++] = ' ';
	memcpy(buf + n, out, olen);
	n += (int)olen;
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

struct json_field {
	const char *name;
	struct json_object *value;
};

static int json_field_cmp(const void *x, const void *y)
{
	const struct json_field *a = x, *b = y;

	return strcmp(a->name, b->name);
}

static int cmp_strp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Adds v under key (json-c's object_add steals v, even on failure). */
static int add(struct json_object *obj, const char *key, struct json_object *v)
{
	if (!v)
		return -ENOMEM;
	if (json_object_object_add(obj, key, v) < 0)
		return -ENOMEM;
	return 0;
}

/* json-c represents null as a NULL object. */
static bool field_is_null(const struct alert_field *fl)
{
	return fl->type == ALERT_VALUE_NULL || fl->type > ALERT_VALUE_BOOL ||
	       (fl->type == ALERT_VALUE_STRING && !fl->str);
}

static struct json_object *field_value(const struct alert_field *fl)
{
	switch (fl->type) {
	case ALERT_VALUE_STRING:
		return fl->str ? json_string_utf8(fl->str) : NULL;
	case ALERT_VALUE_S64:
		return json_object_new_int64(fl->s64);
	case ALERT_VALUE_U64:
		return json_object_new_uint64(fl->u64);
	case ALERT_VALUE_BOOL:
		return json_object_new_boolean(fl->b);
	case ALERT_VALUE_NULL:
	default:
		return NULL;
	}
}

static int render_output_fields(const struct alert *a, const struct alert_format *f,
				struct json_object *root)
{
	_cleanup_json_ struct json_object *obj = json_object_new_object();
	_cleanup_free_ struct json_field *fields = NULL;
	const char *time_key = f->time_iso8601 ? "evt.time.iso8601" : "evt.time";
	bool has_time = false;
	size_t n = 0;
	int r = 0;

	if (!obj)
		return -ENOMEM;
	fields = calloc(a->n_fields + 1, sizeof(*fields));
	if (!fields)
		return -ENOMEM;
	for (size_t i = 0; i < a->n_fields; i++) {
		const char *name = a->fields[i].name ?: "";

		if (strcmp(name, time_key) == 0)
			has_time = true;
		fields[n].name = name;
		fields[n].value = field_value(&a->fields[i]);
		if (!fields[n].value && !field_is_null(&a->fields[i])) {
			r = -ENOMEM;
			goto out;
		}
		n++;
	}
	if (!has_time) {
		/* Falco adds the prefix's time field to output_fields. */
		fields[n].name = time_key;
		if (f->time_iso8601) {
			char t[64];
			int k = format_iso8601(a->time_ns, t, sizeof(t));

			if (k < 0) {
				r = k;
				goto out;
			}
			fields[n].value = json_object_new_string(t);
		} else {
			fields[n].value = json_object_new_uint64(a->time_ns);
		}
		if (!fields[n].value) {
			r = -ENOMEM;
			goto out;
		}
		n++;
	}
	/* Falco's output_fields is a sorted map. */
	qsort(fields, n, sizeof(*fields), json_field_cmp);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(fields[i].name);
		_cleanup_free_ char *key = malloc(3 * len + 1);

		if (!key || alert_utf8_sanitize(fields[i].name, len, key, 3 * len + 1) < 0) {
			r = -ENOMEM;
			goto out;
		}
		/* object_add steals the value (a NULL value is JSON null). */
		if (json_object_object_add(obj, key, TAKE_PTR(fields[i].value)) < 0) {
			r = -ENOMEM;
			goto out;
		}
	}
	return add(root, "output_fields", TAKE_PTR(obj));
out:
	for (size_t i = 0; i < n; i++)
		json_object_put(fields[i].value);
	return r;
}

static int render_tags(const struct alert *a, struct json_object *root)
{
	_cleanup_json_ struct json_object *arr = json_object_new_array();
	_cleanup_free_ const char **tags = NULL;

	if (!arr)
		return -ENOMEM;
	if (a->n_tags > 0) {
		tags = calloc(a->n_tags, sizeof(*tags));
		if (!tags)
			return -ENOMEM;
		for (size_t i = 0; i < a->n_tags; i++)
			tags[i] = a->tags[i] ?: "";
		/* Falco's tags are a std::set: sorted, unique. */
		qsort(tags, a->n_tags, sizeof(*tags), cmp_strp);
	}
	for (size_t i = 0; i < a->n_tags; i++) {
		struct json_object *t;

		if (i > 0 && strcmp(tags[i], tags[i - 1]) == 0)
			continue;
		t = json_string_utf8(tags[i]);
		if (!t || json_object_array_add(arr, t) < 0) {
			json_object_put(t);
			return -ENOMEM;
		}
	}
	return add(root, "tags", TAKE_PTR(arr));
}

static int render_json(const struct alert *a, const struct alert_format *f, const char *hostname,
		       char *buf, size_t size)
{
	_cleanup_json_ struct json_object *root = json_object_new_object();
	char prefix[128], iso[64];
	const char *s;
	size_t len;
	int r;

	if (!root)
		return -ENOMEM;
	r = alert_render_prefix(a, f->time_iso8601, prefix, sizeof(prefix));
	if (r < 0)
		return r;

	/* Keys in Falco's (alphabetical) order. */
	r = add(root, "hostname", json_string_utf8(a->hostname ?: hostname));
	if (r < 0)
		return r;
	if (f->include_message) {
		r = add(root, "message", json_string_utf8(a->output));
		if (r < 0)
			return r;
	}
	if (f->include_output) {
		const char *out = a->output ?: "";
		size_t plen = strlen(prefix), olen = strlen(out);
		_cleanup_free_ char *line = malloc(plen + 1 + olen + 1);

		if (!line)
			return -ENOMEM;
		memcpy(line, prefix, plen);
		line[plen] = ' ';
		memcpy(line + plen + 1, out, olen + 1);
		r = add(root, "output", json_string_utf8(line));
		if (r < 0)
			return r;
	}
	if (f->include_output_fields) {
		r = render_output_fields(a, f, root);
		if (r < 0)
			return r;
	}
	r = add(root, "priority",
		json_object_new_string(alert_priority_to_string(a->priority) ?: "Debug"));
	if (r < 0)
		return r;
	r = add(root, "rule", json_string_utf8(a->rule));
	if (r < 0)
		return r;
	r = add(root, "source", json_string_utf8(a->source));
	if (r < 0)
		return r;
	if (f->include_tags) {
		r = render_tags(a, root);
		if (r < 0)
			return r;
	}
	r = format_iso8601(a->time_ns, iso, sizeof(iso));
	if (r < 0)
		return r;
	r = add(root, "time", json_object_new_string(iso));
	if (r < 0)
		return r;

	s = json_object_to_json_string_ext(root,
					   JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return -ENOMEM;
	len = strlen(s);
	if (len + 2 > size)
		return -ENOBUFS;
	memcpy(buf, s, len);
	buf[len++] = '\n';
	buf[len] = '\0';
	return (int)len;
}

int alert_render(const struct alert *a, const struct alert_format *f, const char *hostname,
		 char *buf, size_t size)
{
	if (size > INT32_MAX)
		size = INT32_MAX;
	if (f->json)
		return render_json(a, f, hostname ?: "", buf, size);
	return render_text(a, f, buf, size);
}

/*
 * The packed record: a 16-byte header (time_ns u64, priority u8, flags u8, n_fields u8, n_tags
 * u8, 4 reserved), then strings as u16 length + bytes + NUL: rule, source, hostname (if flag),
 * output, each tag, then per field its name, a type byte and the value (string, or 8 bytes).
 */
#define PACK_HEADER	  16
#define PACK_HAS_HOSTNAME 0x1
#define PACK_TRUNCATED	  0x2

struct packer {
	uint8_t *p; /* NULL: measure only */
	size_t off;
	bool truncated;
};

static void pack_bytes(struct packer *k, const void *data, size_t n)
{
	if (k->p)
		memcpy(k->p + k->off, data, n);
	k->off += n;
}

/* Cuts s to at most max bytes, at a UTF-8 sequence boundary when one is near. */
static size_t utf8_cut(const char *s, size_t max)
{
	size_t n = max;

	for (int i = 0; i < 3 && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; i++)
		n--;
	if (n == 0 || ((unsigned char)s[n] & 0xc0) == 0x80)
		return max;
	return n;
}

static void pack_str(struct packer *k, const char *s, size_t max)
{
	size_t len;
	uint16_t l16;

	if (!s)
		s = "";
	len = strnlen(s, max + 1);
	if (len > max) {
		len = utf8_cut(s, max);
		k->truncated = true;
	}
	l16 = (uint16_t)len;
	pack_bytes(k, &l16, sizeof(l16));
	pack_bytes(k, s, len);
	pack_bytes(k, "", 1);
}

size_t alert_pack(const struct alert *a, void *buf, bool *ret_truncated)
{
	struct packer k = {.p = buf, .off = PACK_HEADER};
	size_t n_fields = MIN(a->n_fields, (size_t)ALERT_FIELDS_MAX);
	size_t n_tags = MIN(a->n_tags, (size_t)ALERT_TAGS_MAX);
	const size_t field_overhead = 2 + ALERT_NAME_MAX + 1 + 1 + 2 + 1;

	k.truncated = n_fields < a->n_fields || n_tags < a->n_tags;
	pack_str(&k, a->rule, ALERT_RULE_MAX);
	pack_str(&k, a->source, ALERT_SOURCE_MAX);
	if (a->hostname)
		pack_str(&k, a->hostname, ALERT_HOSTNAME_MAX);
	pack_str(&k, a->output, ALERT_OUTPUT_MAX);
	for (size_t i = 0; i < n_tags; i++)
		pack_str(&k, a->tags[i], ALERT_NAME_MAX);
	for (size_t i = 0; i < n_fields; i++) {
		const struct alert_field *fl = &a->fields[i];
		uint8_t type = (uint8_t)fl->type;

		pack_str(&k, fl->name, ALERT_NAME_MAX);
		if (field_is_null(fl))
			type = ALERT_VALUE_NULL;
		pack_bytes(&k, &type, 1);
		if (type == ALERT_VALUE_STRING) {
			/* The fixed parts are bounded well below ALERT_RECORD_MAX; values share the
			 * rest, keeping room for the names of the fields still to come. */
			size_t reserve = (n_fields - i) * field_overhead + 8;
			size_t avail = ALERT_RECORD_MAX > k.off + reserve
					       ? ALERT_RECORD_MAX - k.off - reserve
					       : 0;

			pack_str(&k, fl->str, MIN((size_t)ALERT_VALUE_MAX, avail));
		} else if (type != ALERT_VALUE_NULL) {
			uint64_t v = type == ALERT_VALUE_S64   ? (uint64_t)fl->s64
				     : type == ALERT_VALUE_U64 ? fl->u64
							       : (uint64_t)fl->b;

			pack_bytes(&k, &v, sizeof(v));
		}
	}
	if (k.p) {
		uint8_t hdr[PACK_HEADER] = {0};

		memcpy(hdr, &a->time_ns, 8);
		hdr[8] = (uint8_t)((unsigned)a->priority < _ALERT_PRIORITY_MAX
					   ? a->priority
					   : ALERT_PRIORITY_DEBUG);
		hdr[9] = (a->hostname ? PACK_HAS_HOSTNAME : 0) | (k.truncated ? PACK_TRUNCATED : 0);
		hdr[10] = (uint8_t)n_fields;
		hdr[11] = (uint8_t)n_tags;
		memcpy(k.p, hdr, sizeof(hdr));
	}
	if (ret_truncated)
		*ret_truncated = k.truncated;
	return k.off;
}

struct unpacker {
	const uint8_t *p;
	size_t off, len;
};

static int unpack_str(struct unpacker *u, const char **ret)
{
	uint16_t l;

	if (u->len - u->off < 2)
		return -EBADMSG;
	memcpy(&l, u->p + u->off, 2);
	u->off += 2;
	if (u->len - u->off < (size_t)l + 1 || u->p[u->off + l] != '\0')
		return -EBADMSG;
	*ret = (const char *)u->p + u->off;
	u->off += (size_t)l + 1;
	return 0;
}

int alert_unpack(const void *buf, size_t len, struct alert_unpacked *ret)
{
	struct unpacker u = {.p = buf, .off = PACK_HEADER, .len = len};
	struct alert *a = &ret->alert;
	const uint8_t *h = buf;
	int r;

	if (len < PACK_HEADER || len > ALERT_RECORD_MAX)
		return -EBADMSG;
	*a = (struct alert){0};
	memcpy(&a->time_ns, h, 8);
	if (h[8] >= _ALERT_PRIORITY_MAX || h[10] > ALERT_FIELDS_MAX || h[11] > ALERT_TAGS_MAX)
		return -EBADMSG;
	a->priority = h[8];
	a->n_fields = h[10];
	a->n_tags = h[11];
	if ((r = unpack_str(&u, &a->rule)) < 0 || (r = unpack_str(&u, &a->source)) < 0)
		return r;
	if ((h[9] & PACK_HAS_HOSTNAME) && (r = unpack_str(&u, &a->hostname)) < 0)
		return r;
	if ((r = unpack_str(&u, &a->output)) < 0)
		return r;
	for (size_t i = 0; i < a->n_tags; i++)
		if ((r = unpack_str(&u, &ret->tags[i])) < 0)
			return r;
	a->tags = ret->tags;
	for (size_t i = 0; i < a->n_fields; i++) {
		struct alert_field *fl = &ret->fields[i];
		uint64_t v;

		*fl = (struct alert_field){0};
		if ((r = unpack_str(&u, &fl->name)) < 0)
			return r;
		if (u.off >= u.len || u.p[u.off] > ALERT_VALUE_BOOL)
			return -EBADMSG;
		fl->type = u.p[u.off++];
		if (fl->type == ALERT_VALUE_STRING) {
			if ((r = unpack_str(&u, &fl->str)) < 0)
				return r;
		} else if (fl->type != ALERT_VALUE_NULL) {
			if (u.len - u.off < 8)
				return -EBADMSG;
			memcpy(&v, u.p + u.off, 8);
			u.off += 8;
			if (fl->type == ALERT_VALUE_S64)
				fl->s64 = (int64_t)v;
			else if (fl->type == ALERT_VALUE_U64)
				fl->u64 = v;
			else
				fl->b = v != 0;
		}
	}
	a->fields = ret->fields;
	if (u.off != u.len)
		return -EBADMSG;
	return 0;
}
