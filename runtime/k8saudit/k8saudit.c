// SPDX-License-Identifier: Apache-2.0
/*
 * The k8s_audit source: the field table, the payload parser, field extraction from an audit
 * event and rule evaluation. See k8saudit.h.
 */
#include <errno.h>
#include <fnmatch.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "k8saudit.h"
#include "parse.h"
#include "rx.h"

/* ---- fields ---- */

enum ka_field {
#define KA_FIELD(id, name, type, arg, flags, desc) KA_##id,
#include "k8saudit_fields.h"
#undef KA_FIELD
	_KA_MAX,
};

static const struct field_info ka_fields[] = {
#define KA_FIELD(id_, name_, type_, arg_, flags_, desc_)                                           \
	{.id = FIELD_INVALID,                                                                      \
	 .name = name_,                                                                            \
	 .type = FT_##type_,                                                                       \
	 .arg = FA_##arg_,                                                                         \
	 .flags = flags_,                                                                          \
	 .desc = desc_},
#include "k8saudit_fields.h"
#undef KA_FIELD
};

_Static_assert(ARRAY_SIZE(ka_fields) == _KA_MAX, "k8saudit field table and enum disagree");

static const char *ka_class_of(const struct field_info *f, const char **ret_desc)
{
	if (strncmp(f->name, "ka.", 3) == 0) {
		*ret_desc = "Kubernetes Audit Events (Falco's k8saudit plugin fields, built into "
			    "Osprey)";
		return "k8saudit";
	}
	if (strncmp(f->name, "evt.", 4) == 0) {
		*ret_desc = "These fields can be used for all event types";
		return "evt";
	}
	*ret_desc = "Values of the audit event's JSON (Falco's json plugin fields, built into "
		    "Osprey)";
	return "json";
}

static const struct field_source ka_source = {
	.name = K8SAUDIT_SOURCE,
	.fields = ka_fields,
	.n_fields = ARRAY_SIZE(ka_fields),
	.class_of = ka_class_of,
};

int k8saudit_register(void)
{
	return field_source_register(&ka_source);
}

const struct field_source *k8saudit_field_source(void)
{
	return &ka_source;
}

static int ka_field_of(const struct field_ref *ref)
{
	if (!ref->info || ref->info < ka_fields || ref->info >= ka_fields + _KA_MAX)
		return -1;
	return (int)(ref->info - ka_fields);
}

/* ---- the parser ---- */

struct k8saudit_parser {
	struct json_tokener *tok;
	uint64_t next_num;
	struct k8saudit_parse_stats stats;
};

int k8saudit_parser_new(struct k8saudit_parser **ret)
{
	struct k8saudit_parser *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->tok = json_tokener_new_ex(K8SAUDIT_DEPTH_MAX);
	if (!p->tok) {
		free(p);
		return -ENOMEM;
	}
	p->next_num = 1;
	*ret = p;
	return 0;
}

void k8saudit_parser_free(struct k8saudit_parser *p)
{
	if (!p)
		return;
	json_tokener_free(p->tok);
	free(p);
}

void k8saudit_parser_get_stats(const struct k8saudit_parser *p, struct k8saudit_parse_stats *ret)
{
	*ret = p->stats;
}

static int days_from_civil(int y, unsigned m, unsigned d, int64_t *ret)
{
	/* Howard Hinnant's algorithm: days since 1970-01-01 of a proleptic Gregorian date */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	*ret = era * 146097 + (int64_t)doe - 719468;
	return 0;
}

/* RFC 3339 with optional fraction and a Z or +hh:mm offset -> ns since the epoch. */
static int parse_rfc3339(const char *s, uint64_t *ret)
{
	unsigned Y, M, D, h, m, sec, n = 0;
	uint64_t frac = 0;
	unsigned digits = 0;
	int64_t days, off = 0, t;

	if (sscanf(s, "%4u-%2u-%2u%*1[Tt ]%2u:%2u:%2u%n", &Y, &M, &D, &h, &m, &sec, &n) != 6 ||
	    n != 19)
		return -EINVAL;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return -EINVAL;
	s += n;
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			if (digits < 9) {
				frac = frac * 10 + (uint64_t)(*s - '0');
				digits++;
			}
			s++;
		}
		if (!digits)
			return -EINVAL;
		while (digits < 9) {
			frac *= 10;
			digits++;
		}
	}
	if (*s == 'Z' || *s == 'z')
		s++;
	else if ((*s == '+' || *s == '-') && s[1] && s[2] && s[3] == ':' && s[4] && s[5]) {
		unsigned oh, om;

		if (sscanf(s + 1, "%2u:%2u", &oh, &om) != 2 || oh > 23 || om > 59)
			return -EINVAL;
		off = (int64_t)(oh * 3600 + om * 60) * (*s == '-' ? -1 : 1);
		s += 6;
	} else
		return -EINVAL;
	if (*s)
		return -EINVAL;
	days_from_civil((int)Y, M, D, &days);
	t = days * 86400 + (int64_t)(h * 3600 + m * 60 + sec) - off;
	if (t < 0)
		return -ERANGE;
	*ret = (uint64_t)t * 1000000000ull + frac;
	return 0;
}

static void set_err(char *errbuf, size_t errsize, const char *fmt, const char *arg)
{
	if (errbuf && errsize && !errbuf[0])
		snprintf(errbuf, errsize, fmt, arg);
}

static int parse_one(struct k8saudit_parser *p, struct json_object *o, k8saudit_event_fn fn,
		     void *userdata, char *errbuf, size_t errsize)
{
	struct k8saudit_event ev = {.obj = o};
	struct json_object *ts;

	if (!json_object_is_type(o, json_type_object)) {
		p->stats.bad_events++;
		set_err(errbuf, errsize, "%san EventList item is not an object", "");
		return 0;
	}
	if (!json_object_object_get_ex(o, "stageTimestamp", &ts) ||
	    !json_object_is_type(ts, json_type_string)) {
		p->stats.bad_events++;
		set_err(errbuf, errsize, "%scan't read stageTimestamp", "");
		return 0;
	}
	if (parse_rfc3339(json_object_get_string(ts), &ev.ts_ns) < 0) {
		p->stats.bad_events++;
		set_err(errbuf, errsize, "bad stageTimestamp '%.64s' (expected RFC 3339)",
			json_object_get_string(ts));
		return 0;
	}
	ev.num = p->next_num++;
	p->stats.events++;
	return fn(&ev, userdata);
}

/* How many events o holds (Event 1, EventList its items, an array the sum), or -EBADMSG. */
static long count_events(struct json_object *o, unsigned depth)
{
	struct json_object *kind, *items;
	const char *k;

	if (depth > 4)
		return -EBADMSG;
	if (json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);
		long total = 0;

		for (size_t i = 0; i < n; i++) {
			long c = count_events(json_object_array_get_idx(o, i), depth + 1);

			if (c < 0)
				return c;
			total += c;
			if (total > K8SAUDIT_EVENTS_MAX)
				return total;
		}
		return total;
	}
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "kind", &kind) ||
	    !json_object_is_type(kind, json_type_string))
		return -EBADMSG;
	k = json_object_get_string(kind);
	if (strcmp(k, "Event") == 0)
		return 1;
	if (strcmp(k, "EventList") == 0 && json_object_object_get_ex(o, "items", &items) &&
	    json_object_is_type(items, json_type_array))
		return (long)json_object_array_length(items);
	return -EBADMSG;
}

static int walk_events(struct k8saudit_parser *p, struct json_object *o, k8saudit_event_fn fn,
		       void *userdata, char *errbuf, size_t errsize)
{
	struct json_object *kind, *items;
	int r, n = 0;

	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			r = walk_events(p, json_object_array_get_idx(o, i), fn, userdata, errbuf,
					errsize);
			if (r < 0)
				return r;
			n += r;
		}
		return n;
	}
	json_object_object_get_ex(o, "kind", &kind);
	if (strcmp(json_object_get_string(kind), "Event") == 0) {
		uint64_t before = p->stats.events;

		r = parse_one(p, o, fn, userdata, errbuf, errsize);
		return r < 0 ? r : (int)(p->stats.events - before);
	}
	json_object_object_get_ex(o, "items", &items);
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		uint64_t before = p->stats.events;

		r = parse_one(p, json_object_array_get_idx(items, i), fn, userdata, errbuf,
			      errsize);
		if (r < 0)
			return r;
		n += (int)(p->stats.events - before);
	}
	return n;
}

int k8saudit_parse(struct k8saudit_parser *p, const char *buf, size_t len, k8saudit_event_fn fn,
		   void *userdata, char *errbuf, size_t errsize)
{
	struct json_object *o;
	enum json_tokener_error jerr;
	long count;
	int r;

	if (errbuf && errsize)
		errbuf[0] = 0;
	p->stats.payloads++;
	if (len > K8SAUDIT_PAYLOAD_MAX) {
		p->stats.bad_payloads++;
		set_err(errbuf, errsize, "payload larger than %s", "16 MiB");
		return -E2BIG;
	}
	json_tokener_reset(p->tok);
	o = json_tokener_parse_ex(p->tok, buf, (int)len);
	jerr = json_tokener_get_error(p->tok);
	if (!o || jerr != json_tokener_success) {
		p->stats.bad_payloads++;
		set_err(errbuf, errsize, "not valid JSON: %s",
			jerr == json_tokener_continue ? "unexpected end of data"
						      : json_tokener_error_desc(jerr));
		json_object_put(o);
		return -EBADMSG;
	}
	/* only blanks may follow the value */
	for (size_t i = json_tokener_get_parse_end(p->tok); i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' && buf[i] != '\n') {
			p->stats.bad_payloads++;
			set_err(errbuf, errsize, "%snot valid JSON: text after the value", "");
			json_object_put(o);
			return -EBADMSG;
		}
	count = count_events(o, 0);
	if (count < 0) {
		p->stats.bad_payloads++;
		set_err(errbuf, errsize,
			"%sdata not recognized as a k8s audit event (expected an audit.k8s.io "
			"Event or EventList object, or a JSON array of them)",
			"");
		json_object_put(o);
		return -EBADMSG;
	}
	if (count > K8SAUDIT_EVENTS_MAX) {
		p->stats.bad_payloads++;
		set_err(errbuf, errsize, "more than %s events in one payload", "100000");
		json_object_put(o);
		return -E2BIG;
	}
	r = walk_events(p, o, fn, userdata, errbuf, errsize);
	json_object_put(o);
	return r;
}

/* ---- extraction ---- */

struct kval {
	const char *s;
	uint32_t len;
};

/* One distinct field reference (field, argument, transformers), cached per event. */
struct kslot {
	struct field_ref ref;
	uint8_t n_xf;
	enum xform xf[XFORM_MAX];
	uint64_t gen; /* the event the cache holds, 0: none */
	uint32_t first, n;
	bool missing;
};

struct knode {
	enum ast_kind kind;
	uint32_t n_kids;
	struct knode **kids;
	/* AST_CMP */
	enum cmp_op op;
	size_t slot, rhs_slot; /* rhs_slot: val(field) operand, SIZE_MAX when none */
	bool numeric;	       /* len(): compare numbers */
	struct kval *vals;
	uint64_t *nums;
	size_t n_vals;
	struct rx *re; /* OP_REGEX: RE2 syntax, whole value, bounded (rx.h) */
};

struct krule {
	const struct rules_rule *r;
	struct knode *root;
};

struct k8saudit_engine {
	struct k8saudit_engine_opts opts;
	struct krule *rules;
	size_t n_rules;
	struct kslot *slots;
	size_t n_slots;
	/* the event being evaluated */
	const struct k8saudit_event *ev;
	uint64_t gen;
	struct kval vals[K8SAUDIT_EVENT_VALUES_MAX];
	uint32_t n_vals;
	char arena[K8SAUDIT_ARENA_MAX];
	size_t arena_used;
	bool exhausted;
	struct rx_matcher *rxm; /* the regex operator's limits and match data */
	struct k8saudit_engine_stats stats;
};

struct xctx {
	struct k8saudit_engine *e;
	uint32_t first, n;
	bool full;
};

static bool push_val(struct xctx *x, const char *s, size_t len)
{
	struct k8saudit_engine *e = x->e;

	if (e->n_vals >= ARRAY_SIZE(e->vals) || len > UINT32_MAX) {
		x->full = e->exhausted = true;
		return false;
	}
	e->vals[e->n_vals++] = (struct kval){s, (uint32_t)len};
	x->n++;
	return true;
}

static char *arena_alloc(struct xctx *x, size_t len)
{
	struct k8saudit_engine *e = x->e;
	char *p;

	if (len + 1 > sizeof(e->arena) - e->arena_used) {
		x->full = e->exhausted = true;
		return NULL;
	}
	p = e->arena + e->arena_used;
	e->arena_used += len + 1;
	p[len] = 0;
	return p;
}

static bool push_copy(struct xctx *x, const char *s, size_t len)
{
	char *p = arena_alloc(x, len);

	if (!p)
		return false;
	memcpy(p, s, len);
	return push_val(x, p, len);
}

/* The member path of o, or NULL. present (optional) tells a JSON null apart from a missing key. */
static struct json_object *jget(struct json_object *o, bool *present, const char *const *keys,
				size_t n)
{
	if (present)
		*present = false;
	for (size_t i = 0; i < n; i++) {
		struct json_object *v;

		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, keys[i], &v))
			return NULL;
		o = v;
	}
	if (present)
		*present = true;
	return o;
}

#define JGET(o, ...)                                                                               \
	jget(o, NULL, (const char *const[]){__VA_ARGS__},                                          \
	     ARRAY_SIZE(((const char *const[]){__VA_ARGS__})))
#define JGETP(o, present, ...)                                                                     \
	jget(o, present, (const char *const[]){__VA_ARGS__},                                       \
	     ARRAY_SIZE(((const char *const[]){__VA_ARGS__})))

/* A JSON value as Falco's plugins give it: a string's text, anything else as compact JSON. */
static bool push_json(struct xctx *x, struct json_object *v)
{
	size_t len;
	const char *s;

	if (json_object_is_type(v, json_type_string))
		return push_val(x, json_object_get_string(v),
				(size_t)json_object_get_string_len(v));
	s = json_object_to_json_string_length(
		v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	return s && push_val(x, s, len);
}

/* Falco's extractFromKeys: the value at the path (an array's items for a list field). */
static void from_keys(struct xctx *x, struct json_object *v, bool present, bool list)
{
	if (!present)
		return;
	if (!list) {
		push_json(x, v);
		return;
	}
	if (!json_object_is_type(v, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(v) && !x->full; i++)
		push_json(x, json_object_array_get_idx(v, i));
}

/* An array at path, narrowed to item idx (>= 0); false when absent or idx out of range. */
static bool get_array(struct json_object *v, long idx, struct json_object **ret_arr,
		      size_t *ret_from, size_t *ret_to)
{
	size_t n;

	if (!json_object_is_type(v, json_type_array))
		return false;
	n = json_object_array_length(v);
	if (idx >= 0) {
		if ((size_t)idx >= n)
			return false;
		*ret_from = (size_t)idx;
		*ret_to = (size_t)idx + 1;
	} else {
		*ret_from = 0;
		*ret_to = n;
	}
	*ret_arr = v;
	return true;
}

static void image_repo(struct xctx *x, const char *img, size_t len)
{
	size_t n = 0;

	while (n < len && img[n] != ':')
		n++;
	for (size_t i = 0; i < n; i++)
		if (img[i] == '@') {
			n = i;
			break;
		}
	push_val(x, img, n);
}

enum cfield {
	CF_NAME,
	CF_IMAGE,
	CF_IMAGE_REPO,
	CF_COMMAND,
	CF_ARGS,
	CF_HOST_PORT,
	CF_PRIVILEGED,
	CF_ALLOW_PRIV_ESC,
	CF_READ_ONLY_FS,
	CF_RUN_AS_USER,
	CF_EFF_RUN_AS_USER,
	CF_RUN_AS_GROUP,
	CF_EFF_RUN_AS_GROUP,
	CF_PROC_MOUNT,
	CF_ADD_CAPABILITIES,
	_CF_MAX,
};

/*
 * The per-container fields. As in Falco's plugin: a container lacking the value makes the
 * whole field missing (image, name, the security context flags), except privileged (containers
 * without the flag are skipped) and the effective ids (the pod's value, else 0).
 */
static void containers_field(struct xctx *x, struct json_object *root, const char *family,
			     enum cfield what, long idx)
{
	struct json_object *arr, *spec = JGET(root, "requestObject", "spec");
	size_t from, to;
	uint32_t mark_vals = x->e->n_vals;

	if (!get_array(JGET(spec, family), idx, &arr, &from, &to))
		return;
	for (size_t i = from; i < to && !x->full; i++) {
		struct json_object *c = json_object_array_get_idx(arr, i), *v;
		bool present;

		switch (what) {
		case CF_NAME:
		case CF_IMAGE:
		case CF_IMAGE_REPO:
		case CF_COMMAND:
		case CF_ARGS: {
			static const char *const keys[] = {
				[CF_NAME] = "name",	   [CF_IMAGE] = "image",
				[CF_IMAGE_REPO] = "image", [CF_COMMAND] = "command",
				[CF_ARGS] = "args",
			};

			v = JGETP(c, &present, keys[what]);
			if (!present)
				goto missing;
			if (what == CF_IMAGE_REPO && json_object_is_type(v, json_type_string))
				image_repo(x, json_object_get_string(v),
					   (size_t)json_object_get_string_len(v));
			else if ((what == CF_COMMAND || what == CF_ARGS) &&
				 json_object_is_type(v, json_type_array))
				from_keys(x, v, true, true);
			else
				push_json(x, v);
			break;
		}
		case CF_HOST_PORT: {
			struct json_object *ports = JGET(c, "ports");

			if (!json_object_is_type(ports, json_type_array))
				goto missing;
			for (size_t k = 0; k < json_object_array_length(ports); k++) {
				struct json_object *pt = json_object_array_get_idx(ports, k);

				if ((v = JGETP(pt, &present, "hostPort"), present) ||
				    (v = JGETP(pt, &present, "containerPort"), present))
					push_json(x, v);
			}
			break;
		}
		case CF_PRIVILEGED:
			v = JGETP(c, &present, "securityContext", "privileged");
			if (present)
				push_json(x, v);
			break;
		case CF_ALLOW_PRIV_ESC:
		case CF_READ_ONLY_FS:
		case CF_RUN_AS_USER:
		case CF_RUN_AS_GROUP:
		case CF_PROC_MOUNT: {
			static const char *const keys[] = {
				[CF_ALLOW_PRIV_ESC] = "allowPrivilegeEscalation",
				[CF_READ_ONLY_FS] = "readOnlyRootFilesystem",
				[CF_RUN_AS_USER] = "runAsUser",
				[CF_RUN_AS_GROUP] = "runAsGroup",
				[CF_PROC_MOUNT] = "procMount",
			};

			v = JGETP(c, &present, "securityContext", keys[what]);
			if (!present)
				goto missing;
			push_json(x, v);
			break;
		}
		case CF_EFF_RUN_AS_USER:
		case CF_EFF_RUN_AS_GROUP: {
			const char *key = what == CF_EFF_RUN_AS_USER ? "runAsUser" : "runAsGroup";

			v = JGETP(c, &present, "securityContext", key);
			if (!present)
				v = JGETP(spec, &present, "securityContext", key);
			if (present)
				push_json(x, v);
			else
				push_val(x, "0", 1);
			break;
		}
		case CF_ADD_CAPABILITIES:
			v = JGETP(c, &present, "securityContext", "capabilities", "add");
			if (present && json_object_is_type(v, json_type_array))
				from_keys(x, v, true, true);
			break;
		default:
			break;
		}
	}
	return;
missing:
	x->e->n_vals = mark_vals;
	x->n = 0;
}

static int hexdig(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One query parameter of a request URI, URL-decoded (Go's url.ParseQuery: the first value). */
static void uri_param(struct xctx *x, const char *uri, const char *key)
{
	const char *q = strchr(uri, '?'), *end;
	size_t klen = strlen(key);

	if (!q)
		return;
	for (q++; *q; q = *end ? end + 1 : end) {
		const char *eq;

		end = q + strcspn(q, "&;");
		eq = memchr(q, '=', (size_t)(end - q));
		if (!eq)
			eq = end;
		/* keys are compared decoded only when plain: audit URIs carry plain keys */
		if ((size_t)(eq - q) != klen || memcmp(q, key, klen) != 0)
			continue;
		const char *v = eq < end ? eq + 1 : end;
		size_t n = (size_t)(end - v), o = 0;
		char *out = arena_alloc(x, n);

		if (!out)
			return;
		for (size_t i = 0; i < n; i++) {
			int hi, lo;

			if (v[i] == '+')
				out[o++] = ' ';
			else if (v[i] == '%' && i + 2 < n && (hi = hexdig(v[i + 1])) >= 0 &&
				 (lo = hexdig(v[i + 2])) >= 0) {
				out[o++] = (char)(hi << 4 | lo);
				i += 2;
			} else
				out[o++] = v[i];
		}
		out[o] = 0;
		push_val(x, out, o);
		return;
	}
}

/* RFC 6901: "/a/b~1c/0" walks members (and array indexes); ~1 is '/', ~0 is '~'. */
static void json_pointer(struct xctx *x, struct json_object *o, const char *ptr)
{
	char key[FIELD_ARG_MAX];

	if (!*ptr)
		return;
	if (*ptr == '/')
		ptr++;
	for (;;) {
		size_t n = strcspn(ptr, "/"), k = 0;
		struct json_object *v = NULL;

		for (size_t i = 0; i < n && k + 1 < sizeof(key); i++) {
			if (ptr[i] == '~' && i + 1 < n &&
			    (ptr[i + 1] == '0' || ptr[i + 1] == '1')) {
				key[k++] = ptr[i + 1] == '1' ? '/' : '~';
				i++;
			} else
				key[k++] = ptr[i];
		}
		key[k] = 0;
		if (json_object_is_type(o, json_type_object)) {
			if (!json_object_object_get_ex(o, key, &v))
				return;
		} else if (json_object_is_type(o, json_type_array)) {
			uint64_t idx;

			if (safe_atou64(key, &idx) < 0 || idx >= json_object_array_length(o))
				return;
			v = json_object_array_get_idx(o, (size_t)idx);
		} else
			return;
		o = v;
		if (!ptr[n])
			break;
		ptr += n + 1;
	}
	push_json(x, o);
}

enum time_fmt {
	TF_TIME,     /* 04:12:34.123456789, local */
	TF_ISO8601,  /* 2026-11-22T04:12:34.123456789Z */
	TF_DATETIME, /* 2026-11-22 04:12:34.123456789, local */
};

static void push_time(struct xctx *x, uint64_t ts_ns, enum time_fmt fmt)
{
	time_t t = (time_t)(ts_ns / 1000000000ull);
	struct tm tm;
	char buf[64];
	int n;

	if (fmt == TF_DATETIME) {
		localtime_r(&t, &tm);
		n = snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d.%09llu",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			     tm.tm_sec, (unsigned long long)(ts_ns % 1000000000ull));
	} else if (fmt == TF_ISO8601) {
		gmtime_r(&t, &tm);
		n = snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%09lluZ",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			     tm.tm_sec, (unsigned long long)(ts_ns % 1000000000ull));
	} else {
		localtime_r(&t, &tm);
		n = snprintf(buf, sizeof(buf), "%02d:%02d:%02d.%09llu", tm.tm_hour, tm.tm_min,
			     tm.tm_sec, (unsigned long long)(ts_ns % 1000000000ull));
	}
	if (n > 0)
		push_copy(x, buf, (size_t)n);
}

static void binding_subjects(struct xctx *x, struct json_object *root, const char *kind,
			     bool with_ns)
{
	struct json_object *subj = JGET(root, "requestObject", "subjects");

	if (!json_object_is_type(subj, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(subj) && !x->full; i++) {
		struct json_object *s = json_object_array_get_idx(subj, i);
		struct json_object *k = JGET(s, "kind"), *name = JGET(s, "name"), *ns;

		if (!json_object_is_type(k, json_type_string) ||
		    strcmp(json_object_get_string(k), kind) != 0 ||
		    !json_object_is_type(name, json_type_string))
			continue;
		if (!with_ns) {
			push_json(x, name);
			continue;
		}
		ns = JGET(s, "namespace");
		const char *nss =
			json_object_is_type(ns, json_type_string) ? json_object_get_string(ns) : "";
		size_t l1 = strlen(nss), l2 = (size_t)json_object_get_string_len(name);
		char *p = arena_alloc(x, l1 + 1 + l2);

		if (!p)
			return;
		memcpy(p, nss, l1);
		p[l1] = ':';
		memcpy(p + l1 + 1, json_object_get_string(name), l2);
		push_val(x, p, l1 + 1 + l2);
	}
}

/* Role rules: one key of every rule (or rule idx), arrays flattened, missing keys skipped. */
static void role_rules(struct xctx *x, struct json_object *root, const char *key, long idx)
{
	struct json_object *arr;
	size_t from, to;

	if (!get_array(JGET(root, "requestObject", "rules"), idx, &arr, &from, &to))
		return;
	for (size_t i = from; i < to && !x->full; i++) {
		struct json_object *v = JGET(json_object_array_get_idx(arr, i), key);

		if (!json_object_is_type(v, json_type_array))
			continue;
		for (size_t k = 0; k < json_object_array_length(v) && !x->full; k++) {
			struct json_object *it = json_object_array_get_idx(v, k);

			if (it)
				push_json(x, it);
		}
	}
}

/* An array's items at path (idx >= 0: that item only), missing when any item lacks sub. */
static void array_items(struct xctx *x, struct json_object *v, long idx, const char *sub1,
			const char *sub2)
{
	struct json_object *arr;
	size_t from, to;
	uint32_t mark = x->e->n_vals;

	if (!get_array(v, idx, &arr, &from, &to))
		return;
	for (size_t i = from; i < to && !x->full; i++) {
		struct json_object *it = json_object_array_get_idx(arr, i);
		bool present = true;

		if (sub1)
			it = sub2 ? JGETP(it, &present, sub1, sub2) : JGETP(it, &present, sub1);
		if (!present) {
			x->e->n_vals = mark;
			x->n = 0;
			return;
		}
		push_json(x, it);
	}
}

static long idx_arg(const struct field_ref *ref)
{
	return ref->has_arg && ref->arg_is_index && ref->arg_index < (1ul << 30)
		       ? (long)ref->arg_index
		       : -1;
}

/* Extracts the raw values of ref into the engine's value array (x->first.., x->n). */
static void extract_raw(struct xctx *x, const struct field_ref *ref)
{
	const struct k8saudit_event *ev = x->e->ev;
	struct json_object *root = ev->obj, *v;
	int f = ka_field_of(ref);
	long idx = idx_arg(ref);
	bool present;

	switch (f) {
#define KEYS(id, ...)                                                                              \
	case KA_##id:                                                                              \
		v = JGETP(root, &present, __VA_ARGS__);                                            \
		from_keys(x, v, present, ka_fields[f].flags &FF_LIST);                             \
		return;
		KEYS(AUDITID, "auditID")
		KEYS(STAGE, "stage")
		KEYS(AUTH_DECISION, "annotations", "authorization.k8s.io/decision")
		KEYS(AUTH_REASON, "annotations", "authorization.k8s.io/reason")
		KEYS(USER_NAME, "user", "username")
		KEYS(USER_GROUPS, "user", "groups")
		KEYS(IMPUSER_NAME, "impersonatedUser", "username")
		KEYS(VERB, "verb")
		KEYS(URI, "requestURI")
		KEYS(TARGET_NAME, "objectRef", "name")
		KEYS(TARGET_NAMESPACE, "objectRef", "namespace")
		KEYS(TARGET_RESOURCE, "objectRef", "resource")
		KEYS(TARGET_SUBRESOURCE, "objectRef", "subresource")
		KEYS(BINDING_SUBJECTS, "requestObject", "subjects")
		KEYS(BINDING_ROLE, "requestObject", "roleRef", "name")
		KEYS(CONFIGMAP_NAME, "objectRef", "name")
		KEYS(CONFIGMAP_OBJ, "requestObject", "data")
		KEYS(POD_HOST_IPC, "requestObject", "spec", "hostIPC")
		KEYS(POD_HOST_NETWORK, "requestObject", "spec", "hostNetwork")
		KEYS(CONTAINER_HOST_NETWORK, "requestObject", "spec", "hostNetwork")
		KEYS(POD_HOST_PID, "requestObject", "spec", "hostPID")
		KEYS(POD_RUN_AS_USER, "requestObject", "spec", "securityContext", "runAsUser")
		KEYS(POD_RUN_AS_GROUP, "requestObject", "spec", "securityContext", "runAsGroup")
		KEYS(ROLE_RULES, "requestObject", "rules")
		KEYS(POD_FS_GROUP, "requestObject", "spec", "securityContext", "fsGroup")
		KEYS(POD_SUPPLEMENTAL_GROUPS, "requestObject", "spec", "securityContext",
		     "supplementalGroups")
		KEYS(SERVICE_TYPE, "requestObject", "spec", "type")
		KEYS(RESP_NAME, "responseObject", "metadata", "name")
		KEYS(RESPONSE_CODE, "responseStatus", "code")
		KEYS(RESPONSE_REASON, "responseStatus", "reason")
		KEYS(USERAGENT, "userAgent")
#undef KEYS
	case KA_URI_PARAM:
		v = JGET(root, "requestURI");
		if (json_object_is_type(v, json_type_string))
			uri_param(x, json_object_get_string(v), ref->arg);
		return;
	case KA_TARGET_POD_NAME:
		v = JGET(root, "objectRef", "resource");
		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), "pods") == 0 &&
		    (v = JGETP(root, &present, "objectRef", "name"), present))
			push_json(x, v);
		return;
	case KA_BINDING_USER_NAMES:
		binding_subjects(x, root, "User", false);
		return;
	case KA_BINDING_SA_NAMES:
		binding_subjects(x, root, "ServiceAccount", false);
		return;
	case KA_BINDING_SA_NS_NAMES:
		binding_subjects(x, root, "ServiceAccount", true);
		return;
	case KA_BINDING_GROUP_NAMES:
		binding_subjects(x, root, "Group", false);
		return;
	case KA_BINDING_SUBJECT_HAS_NAME:
		push_val(x, "true", 4); /* what Falco's plugin returns */
		return;
	case KA_CONTAINER_IMAGE:
		containers_field(x, root, "containers", CF_IMAGE, 0);
		return;
	case KA_CONTAINER_IMAGE_REPO:
		containers_field(x, root, "containers", CF_IMAGE_REPO, 0);
		return;
	case KA_CONTAINER_PRIVILEGED: {
		struct json_object *arr;
		size_t from, to;
		bool any = false;

		if (!get_array(JGET(root, "requestObject", "spec", "containers"), -1, &arr, &from,
			       &to))
			return;
		for (size_t i = from; i < to; i++)
			any = any || json_object_get_boolean(JGET(json_object_array_get_idx(arr, i),
								  "securityContext", "privileged"));
		push_val(x, any ? "true" : "false", any ? 4 : 5);
		return;
	}
	case KA_ROLE_RULES_APIGROUPS:
		role_rules(x, root, "apiGroups", idx);
		return;
	case KA_ROLE_RULES_NONRESOURCEURLS:
		role_rules(x, root, "nonResourceURLs", idx);
		return;
	case KA_ROLE_RULES_VERBS:
		role_rules(x, root, "verbs", idx);
		return;
	case KA_ROLE_RULES_RESOURCES:
		role_rules(x, root, "resources", idx);
		return;
	case KA_SERVICE_PORTS:
		array_items(x, JGET(root, "requestObject", "spec", "ports"), idx, NULL, NULL);
		return;
	case KA_POD_VOLUMES_HOSTPATH:
	case KA_POD_VOLUMES_FLEXVOLUME_DRIVER: {
		struct json_object *arr;
		size_t from, to;
		bool hp = f == KA_POD_VOLUMES_HOSTPATH;

		/* volumes of other kinds have no such value: skipped */
		if (!get_array(JGET(root, "requestObject", "spec", "volumes"), idx, &arr, &from,
			       &to))
			return;
		for (size_t i = from; i < to && !x->full; i++) {
			struct json_object *it = json_object_array_get_idx(arr, i);

			v = hp ? JGETP(it, &present, "hostPath", "path")
			       : JGETP(it, &present, "flexVolume", "driver");
			if (present)
				push_json(x, v);
		}
		return;
	}
	case KA_VOLUME_HOSTPATH: {
		struct json_object *arr;
		size_t from, to, alen = strlen(ref->arg);
		bool prefix = alen && ref->arg[alen - 1] == '*', hit = false;

		if (!get_array(JGET(root, "requestObject", "spec", "volumes"), -1, &arr, &from,
			       &to))
			return;
		for (size_t i = from; i < to && !hit; i++) {
			const char *p;

			v = JGET(json_object_array_get_idx(arr, i), "hostPath", "path");
			if (!json_object_is_type(v, json_type_string))
				continue;
			p = json_object_get_string(v);
			hit = prefix ? strncmp(p, ref->arg, alen - 1) == 0
				     : strcmp(p, ref->arg) == 0;
		}
		push_val(x, hit ? "true" : "false", hit ? 4 : 5);
		return;
	}
	case KA_POD_VOLUMES_VOLUME_TYPE: {
		struct json_object *arr;
		size_t from, to;

		if (!get_array(JGET(root, "requestObject", "spec", "volumes"), idx, &arr, &from,
			       &to))
			return;
		for (size_t i = from; i < to && !x->full; i++) {
			struct json_object *it = json_object_array_get_idx(arr, i);

			if (!json_object_is_type(it, json_type_object))
				continue;
			json_object_object_foreach(it, key, val)
			{
				(void)val;
				if (strcmp(key, "name") != 0)
					push_val(x, key, strlen(key));
			}
		}
		return;
	}
	case KA_SOURCEIPS:
		array_items(x, JGET(root, "sourceIPs"), idx, NULL, NULL);
		return;
	case KA_JEVT_VALUE:
	case KA_JSON_VALUE:
		json_pointer(x, root, ref->arg);
		return;
	case KA_JEVT_OBJ:
	case KA_JSON_OBJ: {
		size_t len;
		const char *s = json_object_to_json_string_length(
			root,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
				JSON_C_TO_STRING_NOSLASHESCAPE,
			&len);

		if (s)
			push_copy(x, s, len);
		return;
	}
	case KA_JEVT_RAWTIME:
	case KA_JSON_RAWTIME:
	case KA_EVT_RAWTIME: {
		char buf[24];
		int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)ev->ts_ns);

		push_copy(x, buf, (size_t)n);
		return;
	}
	case KA_JEVT_TIME:
	case KA_EVT_TIME:
		push_time(x, ev->ts_ns, TF_TIME);
		return;
	case KA_JEVT_TIME_ISO8601:
	case KA_EVT_TIME_ISO8601:
		push_time(x, ev->ts_ns, TF_ISO8601);
		return;
	case KA_EVT_DATETIME:
		push_time(x, ev->ts_ns, TF_DATETIME);
		return;
	case KA_EVT_SOURCE:
		push_val(x, K8SAUDIT_SOURCE, strlen(K8SAUDIT_SOURCE));
		return;
	case KA_EVT_NUM: {
		char buf[24];
		int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)ev->num);

		push_copy(x, buf, (size_t)n);
		return;
	}
	default:
		break;
	}
	/* the per-container families */
	if (f >= KA_CONTAINERS_NAME && f < KA_CONTAINERS_NAME + 3 * _CF_MAX) {
		static const char *const families[] = {"containers", "initContainers",
						       "ephemeralContainers"};
		int k = f - KA_CONTAINERS_NAME;

		containers_field(x, root, families[k / _CF_MAX], (enum cfield)(k % _CF_MAX), idx);
	}
}

_Static_assert(KA_INIT_CONTAINERS_NAME - KA_CONTAINERS_NAME == _CF_MAX, "container fields");
_Static_assert(KA_CONTAINERS_ADD_CAPABILITIES - KA_CONTAINERS_NAME == CF_ADD_CAPABILITIES,
	       "container fields order");

/* Values of a field with its transformers (tolower, toupper, basename, len). */
static void extract_xf(struct xctx *x, const struct field_ref *ref, const enum xform *xf,
		       uint8_t n_xf)
{
	struct k8saudit_engine *e = x->e;

	x->first = e->n_vals;
	x->n = 0;
	extract_raw(x, ref);
	for (int i = (int)n_xf - 1; i >= 0 && x->n; i--) {
		if (xf[i] == XF_LEN) {
			/* a list's length, or a string's */
			uint64_t len = ref->info->flags & FF_LIST ? x->n : e->vals[x->first].len;
			char buf[24];
			int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)len);

			e->n_vals = x->first;
			x->n = 0;
			push_copy(x, buf, (size_t)n);
			continue;
		}
		for (uint32_t k = x->first; k < x->first + x->n; k++) {
			struct kval *kv = &e->vals[k];

			if (xf[i] == XF_BASENAME) {
				const char *sl = memrchr(kv->s, '/', kv->len);

				if (sl) {
					kv->len -= (uint32_t)(sl + 1 - kv->s);
					kv->s = sl + 1;
				}
				continue;
			}
			if (xf[i] != XF_TOLOWER && xf[i] != XF_TOUPPER) {
				/* b64: not for audit events */
				e->n_vals = x->first;
				x->n = 0;
				return;
			}
			char *p = arena_alloc(x, kv->len);

			if (!p) {
				e->n_vals = x->first;
				x->n = 0;
				return;
			}
			for (uint32_t j = 0; j < kv->len; j++) {
				char c = kv->s[j];

				p[j] = xf[i] == XF_TOLOWER && c >= 'A' && c <= 'Z' ? (char)(c + 32)
				       : xf[i] == XF_TOUPPER && c >= 'a' && c <= 'z'
					       ? (char)(c - 32)
					       : c;
			}
			kv->s = p;
		}
	}
	if (x->full) {
		e->n_vals = x->first;
		x->n = 0;
	}
}

static void slot_values(struct k8saudit_engine *e, size_t slot, uint32_t *ret_first,
			uint32_t *ret_n)
{
	struct kslot *s = &e->slots[slot];

	if (s->gen != e->gen) {
		struct xctx x = {.e = e};

		extract_xf(&x, &s->ref, s->xf, s->n_xf);
		s->gen = e->gen;
		s->first = x.first;
		s->n = x.n;
	}
	*ret_first = s->first;
	*ret_n = s->n;
}

/* ---- evaluation ---- */

static bool str_eq(const struct kval *a, const struct kval *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

static bool icontains(const struct kval *h, const struct kval *n)
{
	if (n->len > h->len)
		return false;
	for (size_t i = 0; i + n->len <= h->len; i++)
		if (strncasecmp(h->s + i, n->s, n->len) == 0)
			return true;
	return false;
}

static bool to_u64(const struct kval *v, uint64_t *ret)
{
	char buf[24];

	if (v->len == 0 || v->len >= sizeof(buf))
		return false;
	memcpy(buf, v->s, v->len);
	buf[v->len] = 0;
	return safe_atou64(buf, ret) >= 0;
}

static bool cmp_one(struct k8saudit_engine *e, const struct knode *n, const struct kval *v,
		    const struct kval *rhs)
{
	char buf[4096];

	if (n->numeric) {
		uint64_t a, b;

		if (!to_u64(v, &a))
			return false;
		if (rhs) {
			if (!to_u64(rhs, &b))
				return false;
		} else
			b = n->nums[0];
		switch (n->op) {
		case OP_EQ:
			return a == b;
		case OP_NE:
			return a != b;
		case OP_LT:
			return a < b;
		case OP_LE:
			return a <= b;
		case OP_GT:
			return a > b;
		case OP_GE:
			return a >= b;
		case OP_IN:
		case OP_INTERSECTS:
			for (size_t i = 0; i < n->n_vals; i++)
				if (a == n->nums[i])
					return true;
			return false;
		default:
			return false;
		}
	}
	if (!rhs)
		rhs = n->n_vals ? &n->vals[0] : NULL;
	switch (n->op) {
	case OP_EQ:
		return rhs && str_eq(v, rhs);
	case OP_NE:
		return rhs && !str_eq(v, rhs);
	case OP_CONTAINS:
	case OP_BCONTAINS:
		return rhs && memmem(v->s, v->len, rhs->s, rhs->len);
	case OP_ICONTAINS:
		return rhs && icontains(v, rhs);
	case OP_STARTSWITH:
	case OP_BSTARTSWITH:
		return rhs && v->len >= rhs->len && memcmp(v->s, rhs->s, rhs->len) == 0;
	case OP_ENDSWITH:
		return rhs && v->len >= rhs->len &&
		       memcmp(v->s + v->len - rhs->len, rhs->s, rhs->len) == 0;
	case OP_GLOB:
	case OP_IGLOB:
		if (!rhs || v->len >= sizeof(buf))
			return false;
		memcpy(buf, v->s, v->len);
		buf[v->len] = 0;
		return fnmatch(rhs->s, buf, n->op == OP_IGLOB ? FNM_CASEFOLD : 0) == 0;
	case OP_REGEX:
		switch (rx_match(n->re, e->rxm, v->s, v->len)) {
		case 1:
			return true;
		case RX_LIMIT:
			e->stats.regex_limit_hits++; /* as for syscall rules: no match */
			return false;
		default:
			return false;
		}
	case OP_IN:
	case OP_INTERSECTS:
		for (size_t i = 0; i < n->n_vals; i++)
			if (str_eq(v, &n->vals[i]))
				return true;
		return false;
	case OP_PMATCH:
		for (size_t i = 0; i < n->n_vals; i++) {
			const struct kval *p = &n->vals[i];

			if (str_eq(v, p) ||
			    (v->len > p->len && memcmp(v->s, p->s, p->len) == 0 &&
			     (v->s[p->len] == '/' || (p->len && p->s[p->len - 1] == '/'))))
				return true;
		}
		return false;
	default:
		return false;
	}
}

static bool eval_node(struct k8saudit_engine *e, const struct knode *n)
{
	switch (n->kind) {
	case AST_AND:
		for (uint32_t i = 0; i < n->n_kids; i++)
			if (!eval_node(e, n->kids[i]))
				return false;
		return true;
	case AST_OR:
		for (uint32_t i = 0; i < n->n_kids; i++)
			if (eval_node(e, n->kids[i]))
				return true;
		return false;
	case AST_NOT:
		return !eval_node(e, n->kids[0]);
	case AST_CMP: {
		uint32_t first, cnt, rfirst = 0, rcnt = 0;
		const struct kval *rhs = NULL;

		slot_values(e, n->slot, &first, &cnt);
		/* as in Falco, a field without a value fails every comparison, exists included */
		if (cnt == 0)
			return false;
		if (n->op == OP_EXISTS)
			return true;
		if (n->rhs_slot != SIZE_MAX) {
			slot_values(e, n->rhs_slot, &rfirst, &rcnt);
			if (rcnt == 0)
				return false;
			rhs = &e->vals[rfirst];
		}
		if (cnt > 1 || (e->slots[n->slot].ref.info->flags & FF_LIST)) {
			/* a list: `in` wants every value in the set, anything else one value */
			if (n->op == OP_IN) {
				for (uint32_t i = 0; i < cnt; i++)
					if (!cmp_one(e, n, &e->vals[first + i], rhs))
						return false;
				return true;
			}
			for (uint32_t i = 0; i < cnt; i++)
				if (cmp_one(e, n, &e->vals[first + i], rhs))
					return true;
			return false;
		}
		return cmp_one(e, n, &e->vals[first], rhs);
	}
	default:
		return false;
	}
}

/* ---- building ---- */

static bool same_ref(const struct kslot *s, const struct ast_fieldexpr *f)
{
	if (s->ref.info != f->ref.info || s->ref.has_arg != f->ref.has_arg ||
	    strcmp(s->ref.arg, f->ref.arg) != 0 || s->n_xf != f->n_xf)
		return false;
	for (uint8_t i = 0; i < f->n_xf; i++)
		if (s->xf[i] != f->xf[i])
			return false;
	return true;
}

static int slot_of(struct k8saudit_engine *e, const struct ast_fieldexpr *f, size_t *ret)
{
	struct kslot *ns;

	for (size_t i = 0; i < e->n_slots; i++)
		if (same_ref(&e->slots[i], f)) {
			*ret = i;
			return 0;
		}
	if (ka_field_of(&f->ref) < 0)
		return -EINVAL; /* not a k8s_audit field: the rule was compiled for another source
				 */
	ns = reallocarray(e->slots, e->n_slots + 1, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	e->slots = ns;
	ns[e->n_slots] = (struct kslot){.ref = f->ref, .n_xf = f->n_xf};
	memcpy(ns[e->n_slots].xf, f->xf, sizeof(f->xf));
	*ret = e->n_slots++;
	return 0;
}

static void knode_free(struct knode *n)
{
	if (!n)
		return;
	for (uint32_t i = 0; i < n->n_kids; i++)
		knode_free(n->kids[i]);
	free(n->kids);
	free(n->vals);
	free(n->nums);
	rx_free(n->re);
	free(n);
}

static int knode_build(struct k8saudit_engine *e, const struct ast_node *a, struct knode **ret)
{
	struct knode *n = calloc(1, sizeof(*n));
	int r = 0;

	if (!n)
		return -ENOMEM;
	n->kind = a->kind;
	n->rhs_slot = SIZE_MAX;
	switch (a->kind) {
	case AST_AND:
	case AST_OR:
	case AST_NOT: {
		size_t k = a->kind == AST_NOT ? 1 : a->bin.n;

		n->kids = calloc(k, sizeof(*n->kids));
		if (!n->kids) {
			r = -ENOMEM;
			break;
		}
		for (size_t i = 0; i < k && r >= 0; i++) {
			r = knode_build(e, a->kind == AST_NOT ? a->kid : a->bin.kids[i],
					&n->kids[i]);
			if (r >= 0)
				n->n_kids++;
		}
		break;
	}
	case AST_CMP:
		n->op = a->cmp.op;
		n->numeric = field_type_is_numeric(a->cmp.lhs.type);
		r = slot_of(e, &a->cmp.lhs, &n->slot);
		if (r >= 0 && a->cmp.rhs_field)
			r = slot_of(e, a->cmp.rhs_field, &n->rhs_slot);
		if (r < 0 || !a->cmp.n_vals)
			break;
		n->vals = calloc(a->cmp.n_vals, sizeof(*n->vals));
		n->nums = calloc(a->cmp.n_vals, sizeof(*n->nums));
		if (!n->vals || !n->nums) {
			r = -ENOMEM;
			break;
		}
		for (size_t i = 0; i < a->cmp.n_vals; i++) {
			n->vals[i] = (struct kval){a->cmp.vals[i].text,
						   (uint32_t)strlen(a->cmp.vals[i].text)};
			n->nums[i] = a->cmp.vals[i].v.u;
		}
		n->n_vals = a->cmp.n_vals;
		if (n->op == OP_REGEX) {
			struct rx_error err;

			/* the rules compiler refused a bad pattern with its file and line */
			r = rx_compile(n->vals[0].s, n->vals[0].len, true, &n->re, &err);
			if (r >= 0 && !e->rxm)
				r = rx_matcher_new(&e->rxm);
		}
		break;
	default:
		r = -EINVAL; /* macros are expanded by the compiler */
		break;
	}
	if (r < 0) {
		knode_free(n);
		return r;
	}
	*ret = n;
	return 0;
}

int k8saudit_engine_new(const struct ruleset *rs, const struct k8saudit_engine_opts *opts,
			struct k8saudit_engine **ret)
{
	_cleanup_(k8saudit_engine_freep) struct k8saudit_engine *e = NULL;
	int r;

	if (!rs->compiled)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->opts = *opts;
	e->rules = calloc(rs->n_rules ? rs->n_rules : 1, sizeof(*e->rules));
	if (!e->rules)
		return -ENOMEM;
	for (size_t i = 0; i < rs->n_rules; i++) {
		const struct rules_rule *rr = rs->rules[i];

		if (!rr->enabled || !rr->compiled || rr->skipped || !rr->ast ||
		    rr->fields != &ka_source || rr->priority > opts->min_priority)
			continue;
		r = knode_build(e, rr->ast, &e->rules[e->n_rules].root);
		if (r < 0)
			return r;
		e->rules[e->n_rules++].r = rr;
	}
	*ret = TAKE_PTR(e);
	return 0;
}

void k8saudit_engine_free(struct k8saudit_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_rules; i++)
		knode_free(e->rules[i].root);
	free(e->rules);
	free(e->slots);
	rx_matcher_free(e->rxm);
	free(e);
}

size_t k8saudit_engine_n_rules(const struct k8saudit_engine *e)
{
	return e->n_rules;
}

void k8saudit_engine_get_stats(const struct k8saudit_engine *e, struct k8saudit_engine_stats *ret)
{
	*ret = e->stats;
}

static void begin_event(struct k8saudit_engine *e, const struct k8saudit_event *ev)
{
	if (e->ev == ev && e->gen)
		return;
	e->ev = ev;
	e->gen++;
	e->n_vals = 0;
	e->arena_used = 0;
	e->exhausted = false;
}

size_t k8saudit_engine_match(struct k8saudit_engine *e, const struct k8saudit_event *ev,
			     k8saudit_match_fn on_match, void *userdata)
{
	size_t n = 0;

	e->ev = NULL;
	begin_event(e, ev);
	e->stats.events++;
	for (size_t i = 0; i < e->n_rules; i++) {
		if (!eval_node(e, e->rules[i].root))
			continue;
		n++;
		e->stats.matches++;
		if (on_match && on_match(e->rules[i].r, ev, userdata) < 0)
			break;
		if (!e->opts.match_all)
			break;
	}
	if (e->exhausted)
		e->stats.scratch_exhausted++;
	return n;
}

/* ---- output ---- */

int k8saudit_field_render(struct k8saudit_engine *e, const struct k8saudit_event *ev,
			  const struct field_ref *ref, char *buf, size_t size)
{
	struct xctx x = {.e = e};
	size_t used = 0;
	bool list = ref->info && (ref->info->flags & FF_LIST);
	uint32_t mark_vals;
	size_t mark_arena;

	begin_event(e, ev);
	mark_vals = e->n_vals;
	mark_arena = e->arena_used;
	if (size == 0)
		return -ENOBUFS;
	extract_xf(&x, ref, NULL, 0);
	if (x.n == 0) {
		snprintf(buf, size, "<NA>");
		e->n_vals = mark_vals;
		e->arena_used = mark_arena;
		return -ENOENT;
	}
#define PUT(p, l)                                                                                  \
	do {                                                                                       \
		size_t _l = (l);                                                                   \
		if (used + _l >= size)                                                             \
			_l = size - 1 - used;                                                      \
		memcpy(buf + used, (p), _l);                                                       \
		used += _l;                                                                        \
	} while (0)
	if (list)
		PUT("(", 1);
	for (uint32_t i = 0; i < x.n; i++) {
		if (i)
			PUT(",", 1);
		PUT(e->vals[x.first + i].s, e->vals[x.first + i].len);
	}
	if (list)
		PUT(")", 1);
#undef PUT
	buf[used] = 0;
	/* rendering must not eat the scratch the conditions' caches point into */
	e->n_vals = mark_vals;
	e->arena_used = mark_arena;
	return (int)used;
}

struct render_ctx {
	struct k8saudit_engine *e;
	const struct k8saudit_event *ev;
};

static int render_piece(const struct field_ref *ref, char *buf, size_t size, void *userdata)
{
	struct render_ctx *rc = userdata;

	return k8saudit_field_render(rc->e, rc->ev, ref, buf, size) < 0 ? -ENOENT : 0;
}

void k8saudit_alert_build(struct k8saudit_engine *e, const struct rules_rule *r,
			  const struct k8saudit_event *ev, struct k8saudit_alert_scratch *s,
			  struct alert *ret)
{
	struct render_ctx rc = {e, ev};
	size_t nf = 0, n;

	n = output_format(r, render_piece, &rc, s->output, sizeof(s->output));
	if (n >= sizeof(s->output))
		n = sizeof(s->output) - 1;
	/* Falco trims the output template: a folded YAML scalar ends with a newline */
	while (n && (s->output[n - 1] == '\n' || s->output[n - 1] == ' '))
		s->output[--n] = 0;
	for (size_t i = 0; i < r->n_output_pieces && nf < ALERT_FIELDS_MAX; i++) {
		const struct output_piece *p = &r->output_pieces[i];
		struct alert_field *f = &s->fields[nf];
		bool dup = false;

		if (!p->is_field && !p->extra)
			continue;
		for (size_t k = 0; k < nf && !dup; k++)
			dup = strcmp(s->fields[k].name, p->extra ? p->key : p->text) == 0;
		if (dup)
			continue;
		f->name = p->extra ? p->key : p->text;
		if (!p->is_field) { /* append_output's constant extra field */
			f->type = ALERT_VALUE_STRING;
			f->str = p->text;
			nf++;
			continue;
		}
		if (k8saudit_field_render(e, ev, &p->ref, s->values[nf], sizeof(s->values[nf])) < 0)
			f->type = ALERT_VALUE_NULL;
		else if (field_type_is_numeric(p->ref.info->type) &&
			 safe_atou64(s->values[nf], &f->u64) >= 0)
			f->type = ALERT_VALUE_U64;
		else {
			f->type = ALERT_VALUE_STRING;
			f->str = s->values[nf];
		}
		nf++;
	}
	*ret = (struct alert){
		.time_ns = ev->ts_ns,
		.priority = (enum alert_priority)r->priority,
		.rule = r->name,
		.source = K8SAUDIT_SOURCE,
		.output = s->output,
		.fields = s->fields,
		.n_fields = nf,
		.tags = (const char *const *)r->tags,
		.n_tags = r->n_tags,
	};
}
