/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An alert: what a rule match produces, and its two renderings, Falco's text line
 * ("04:12:34.123456789: Warning <output>") and Falco's JSON object:
 *
 *   {"hostname":"h","output":"04:12:34.123456789: Warning ...","output_fields":{"evt.time":
 *    1795320754123456789,"proc.name":"cat"},"priority":"Warning","rule":"...",
 *    "source":"syscall","tags":["a","b"],"time":"2026-11-22T04:12:34.123456789Z"}
 *
 * Keys are in Falco's order (alphabetical, as nlohmann::json prints them), output_fields keys
 * sorted too, evt.time (ns, a number) added to output_fields as Falco does, strings that are not
 * valid UTF-8 repaired with U+FFFD as Falco does. Alerts cross from the engine thread to the
 * outputs' dispatcher packed into a bounded, self-contained byte record (alert_pack/alert_unpack).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Falco's priorities; the values are the syslog levels (LOG_EMERG..LOG_DEBUG). */
enum alert_priority {
	ALERT_PRIORITY_EMERGENCY = 0,
	ALERT_PRIORITY_ALERT = 1,
	ALERT_PRIORITY_CRITICAL = 2,
	ALERT_PRIORITY_ERROR = 3,
	ALERT_PRIORITY_WARNING = 4,
	ALERT_PRIORITY_NOTICE = 5,
	ALERT_PRIORITY_INFORMATIONAL = 6,
	ALERT_PRIORITY_DEBUG = 7,
	_ALERT_PRIORITY_MAX,
};

enum alert_value_type {
	ALERT_VALUE_NULL,   /* JSON null (Falco: a field with no value, "<NA>" in the text) */
	ALERT_VALUE_STRING, /* JSON string */
	ALERT_VALUE_S64,    /* JSON number */
	ALERT_VALUE_U64,    /* JSON number */
	ALERT_VALUE_BOOL,   /* JSON true/false */
};

struct alert_field {
	const char *name; /* "proc.name", "proc.aname[2]" */
	enum alert_value_type type;
	union {
		const char *str;
		int64_t s64;
		uint64_t u64;
		bool b;
	};
};

/*
 * A view: every pointer belongs to the caller. NULL strings render as "" (hostname: the
 * outputs' hostname). Fields keep the caller's order in the record; JSON sorts them.
 */
struct alert {
	uint64_t time_ns; /* event time, ns since the epoch */
	enum alert_priority priority;
	const char *rule;
	const char *source; /* "syscall" */
	const char *hostname;
	const char *output; /* the rule's resolved output text, without time and priority */
	const struct alert_field *fields;
	size_t n_fields;
	const char *const *tags;
	size_t n_tags;
};

/* Bounds of a packed alert: longer strings are cut (at a UTF-8 boundary), extra fields and tags
 * dropped, and the record marked truncated. */
#define ALERT_RULE_MAX	   512
#define ALERT_SOURCE_MAX   64
#define ALERT_HOSTNAME_MAX 256
#define ALERT_OUTPUT_MAX   8192
#define ALERT_NAME_MAX	   128 /* field names and tags */
#define ALERT_VALUE_MAX	   4096
#define ALERT_FIELDS_MAX   64
#define ALERT_TAGS_MAX	   32
#define ALERT_RECORD_MAX   65536
/* Enough for any rendering of a packed alert (worst case JSON escaping is 6 bytes per byte). */
#define ALERT_RENDER_MAX (6 * ALERT_RECORD_MAX + 4096)

/* How to render; field names are Falco's config keys. */
struct alert_format {
	bool json;		    /* json_output */
	bool include_output;	    /* json_include_output_property */
	bool include_tags;	    /* json_include_tags_property */
	bool include_message;	    /* json_include_message_property */
	bool include_output_fields; /* json_include_output_fields_property */
	bool time_iso8601;	    /* time_format_iso_8601 (text prefix and evt.time field) */
};

/* Falco's defaults: text; in JSON, output, tags and output_fields on, message off. */
void alert_format_init(struct alert_format *f);

/* "Warning"... ; NULL for a value out of range. */
const char *alert_priority_to_string(enum alert_priority p);
/* Case-insensitive, accepts Falco's spellings ("info", "informational", "warn"...). Returns the
 * priority or -EINVAL. */
int alert_priority_from_string(const char *s);

/*
 * Renders the alert, text or JSON per f, followed by '\n', NUL-terminated, into buf.
 * Returns the length (without the NUL), -ENOBUFS if size is too small, -ENOMEM.
 * hostname is used when a->hostname is NULL. Text uses local time like Falco (%evt.time).
 */
int alert_render(const struct alert *a, const struct alert_format *f, const char *hostname,
		 char *buf, size_t size);
/* The text prefix "04:12:34.123456789: Warning" (or ISO 8601 time) without a trailing space. */
int alert_render_prefix(const struct alert *a, bool time_iso8601, char *buf, size_t size);

/*
 * Packs a into buf (NULL: only measure) and returns the record's size (<= ALERT_RECORD_MAX).
 * *ret_truncated (optional) tells whether something was cut.
 */
size_t alert_pack(const struct alert *a, void *buf, bool *ret_truncated);

/* An unpacked record: alert points into the record and into fields/tags below. */
struct alert_unpacked {
	struct alert alert;
	struct alert_field fields[ALERT_FIELDS_MAX];
	const char *tags[ALERT_TAGS_MAX];
};
/* Validates and unpacks a record made by alert_pack. Returns 0 or -EBADMSG. The record must
 * stay alive while ret is used. */
int alert_unpack(const void *buf, size_t len, struct alert_unpacked *ret);

/* Copies src into dst (size bytes) replacing invalid UTF-8 by U+FFFD; returns the length or
 * -ENOBUFS. Exposed for tests. */
int alert_utf8_sanitize(const char *src, size_t len, char *dst, size_t size);
