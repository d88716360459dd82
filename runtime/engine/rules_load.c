// SPDX-License-Identifier: Apache-2.0
/*
 * Loading rules files into a ruleset, with Falco's semantics: items rule, macro, list,
 * required_engine_version, required_plugin_versions; redefinition replaces; `append: true`
 * (deprecated) and `override: {key: append|replace}` change an earlier definition; an item with
 * only `rule` and `enabled` toggles an earlier rule.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "macro.h"
#include "parse.h"
#include "rules_append.h"
#include "ruleset.h"
#include "yaml_doc.h"

/* ---- name index: open addressing over item names ---- */

struct name_index {
	const char **keys;
	size_t *vals;
	size_t cap, n;
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void name_index_free(struct name_index *ix)
{
	if (!ix)
		return;
	free(ix->keys);
	free(ix->vals);
	free(ix);
}

static ssize_t name_index_get(const struct name_index *ix, const char *key)
{
	if (!ix || !ix->cap)
		return -1;
	for (size_t i = name_hash(key) & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
		if (!ix->keys[i])
			return -1;
		if (strcmp(ix->keys[i], key) == 0)
			return (ssize_t)ix->vals[i];
	}
}

static int name_index_put(struct name_index *ix, const char *key, size_t val)
{
	if ((ix->n + 1) * 2 > ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 64;
		const char **keys = calloc(cap, sizeof(*keys));
		size_t *vals = calloc(cap, sizeof(*vals));

		if (!keys || !vals) {
			free(keys);
			free(vals);
			return -ENOMEM;
		}
		for (size_t i = 0; i < ix->cap; i++) {
			size_t j;

			if (!ix->keys[i])
				continue;
			for (j = name_hash(ix->keys[i]) & (cap - 1); keys[j];
			     j = (j + 1) & (cap - 1))
				;
			keys[j] = ix->keys[i];
			vals[j] = ix->vals[i];
		}
		free(ix->keys);
		free(ix->vals);
		ix->keys = keys;
		ix->vals = vals;
		ix->cap = cap;
	}
	for (size_t i = name_hash(key) & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
		if (!ix->keys[i]) {
			ix->keys[i] = key;
			ix->vals[i] = val;
			ix->n++;
			return 0;
		}
		if (strcmp(ix->keys[i], key) == 0) {
			ix->keys[i] = key;
			ix->vals[i] = val;
			return 0;
		}
	}
}

/* ---- ruleset objects ---- */

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void cond_src_free(struct cond_src *s)
{
	if (!s)
		return;
	free(s->text);
	free(s);
}

static void exception_done(struct rules_exception *e)
{
	free(e->name);
	strv_free(e->fields, e->n_fields);
	strv_free(e->comps, e->n_fields);
	if (e->fields_src)
		for (size_t i = 0; i < e->n_fields; i++)
			cond_src_free(e->fields_src[i]);
	free(e->fields_src);
	for (size_t i = 0; i < e->n_values * e->n_fields; i++) {
		cond_src_free(e->values[i].src);
		for (size_t j = 0; j < e->values[i].n_list; j++)
			cond_src_free(e->values[i].list[j]);
		free(e->values[i].list);
	}
	free(e->values);
	memset(e, 0, sizeof(*e));
}

static void rule_free(struct rules_rule *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->desc);
	cond_src_free(r->cond);
	free(r->output);
	cond_src_free(r->output_src);
	free(r->source);
	strv_free(r->tags, r->n_tags);
	for (size_t i = 0; i < r->n_exceptions; i++)
		exception_done(&r->exceptions[i]);
	free(r->exceptions);
	ast_free(r->ast);
	for (size_t i = 0; i < r->n_output_pieces; i++) {
		free(r->output_pieces[i].text);
		free(r->output_pieces[i].key);
	}
	free(r->output_pieces);
	for (size_t i = 0; i < r->n_extra_fields; i++) {
		free(r->extra_fields[i].key);
		free(r->extra_fields[i].value);
	}
	free(r->extra_fields);
	free(r);
}

static void macro_free(struct rules_macro *m)
{
	if (!m)
		return;
	free(m->name);
	cond_src_free(m->cond);
	ast_free(m->ast);
	free(m);
}

static void list_free(struct rules_list *l)
{
	if (!l)
		return;
	free(l->name);
	strv_free(l->items, l->n_items);
	free(l);
}

struct ruleset *ruleset_new(void)
{
	_cleanup_(ruleset_freep) struct ruleset *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	rs->list_idx = calloc(1, sizeof(struct name_index));
	rs->macro_idx = calloc(1, sizeof(struct name_index));
	rs->rule_idx = calloc(1, sizeof(struct name_index));
	if (!rs->list_idx || !rs->macro_idx || !rs->rule_idx)
		return NULL;
	return TAKE_PTR(rs);
}

void ruleset_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n_rules; i++)
		rule_free(rs->rules[i]);
	for (size_t i = 0; i < rs->n_macros; i++)
		macro_free(rs->macros[i]);
	for (size_t i = 0; i < rs->n_lists; i++)
		list_free(rs->lists[i]);
	free(rs->rules);
	free(rs->macros);
	free(rs->lists);
	for (size_t i = 0; i < rs->n_files; i++) {
		free(rs->files[i]->path);
		free(rs->files[i]->buf);
		free(rs->files[i]->line_starts);
		free(rs->files[i]);
	}
	free(rs->files);
	name_index_free(rs->list_idx);
	name_index_free(rs->macro_idx);
	name_index_free(rs->rule_idx);
	free(rs);
}

struct rules_rule *ruleset_find_rule(const struct ruleset *rs, const char *name)
{
	ssize_t i = name_index_get(rs->rule_idx, name);

	return i < 0 ? NULL : rs->rules[i];
}

struct rules_macro *ruleset_find_macro(const struct ruleset *rs, const char *name)
{
	ssize_t i = name_index_get(rs->macro_idx, name);

	return i < 0 ? NULL : rs->macros[i];
}

struct rules_list *ruleset_find_list(const struct ruleset *rs, const char *name)
{
	ssize_t i = name_index_get(rs->list_idx, name);

	return i < 0 ? NULL : rs->lists[i];
}

static int push_ptr(void ***arr, size_t *n, void *p)
{
	if ((*n & (*n - 1)) == 0) {
		void **q = reallocarray(*arr, *n ? *n * 2 : 1, sizeof(*q));

		if (!q)
			return -ENOMEM;
		*arr = q;
	}
	(*arr)[(*n)++] = p;
	return 0;
}

/* ---- priorities ---- */

static const char *const priority_names[_PRIORITY_MAX] = {
	[PRIORITY_EMERGENCY] = "Emergency",
	[PRIORITY_ALERT] = "Alert",
	[PRIORITY_CRITICAL] = "Critical",
	[PRIORITY_ERROR] = "Error",
	[PRIORITY_WARNING] = "Warning",
	[PRIORITY_NOTICE] = "Notice",
	[PRIORITY_INFORMATIONAL] = "Informational",
	[PRIORITY_DEBUG] = "Debug",
};

const char *rules_priority_name(enum rules_priority p)
{
	return (unsigned)p < _PRIORITY_MAX ? priority_names[p] : "?";
}

int rules_priority_from_string(const char *s)
{
	for (int i = 0; i < _PRIORITY_MAX; i++)
		if (strcasecmp(s, priority_names[i]) == 0)
			return i;
	if (strcasecmp(s, "info") == 0)
		return PRIORITY_INFORMATIONAL;
	return -EINVAL;
}

/* ---- positions ---- */

static void file_position(const struct rules_file *f, size_t off, unsigned *ret_line,
			  unsigned *ret_col)
{
	size_t lo = 0, hi = f->n_lines, col = 1;

	/* last line start <= off */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->line_starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	for (size_t i = f->line_starts[lo]; i < off && i < f->len; i++)
		if (((unsigned char)f->buf[i] & 0xc0) != 0x80)
			col++;
	*ret_line = (unsigned)lo + 1;
	*ret_col = (unsigned)col;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void cond_src_position(const struct cond_src *s, uint32_t off, const char **ret_file,
		       unsigned *ret_line, unsigned *ret_col)
{
	const struct cond_seg *seg = NULL;
	const char *buf;
	size_t j, end, rel;

	for (size_t i = 0; i < s->n_segs; i++)
		if (s->segs[i].value_off <= off)
			seg = &s->segs[i];
	if (!seg || !seg->file) {
		*ret_file = NULL;
		*ret_line = *ret_col = 0;
		return;
	}
	*ret_file = seg->file->path;
	buf = seg->file->buf;
	j = seg->start;
	end = MIN(seg->end, seg->file->len);
	rel = off - seg->value_off;
	if (seg->style == YAML_LITERAL_SCALAR_STYLE || seg->style == YAML_FOLDED_SCALAR_STYLE) {
		while (j < end && buf[j] != '\n')
			j++;
	} else if (seg->style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		   seg->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
		j++;
	}
	/*
	 * Walk the value and the source text side by side: blanks in the value match any run of
	 * blanks (folding, indentation) in the source; other characters are searched forward
	 * (skipping escapes and doubled quotes).
	 */
	for (size_t i = 0; i <= rel && i < s->len - seg->value_off; i++) {
		char c = s->text[seg->value_off + i];

		if (is_blank(c)) {
			if (i == rel) {
				while (j < end && is_blank(buf[j]) && buf[j] != c)
					j++;
				break;
			}
			while (j < end && is_blank(buf[j]))
				j++;
			continue;
		}
		while (j < end && buf[j] != c)
			j++;
		if (i == rel || j >= end)
			break;
		j++;
	}
	file_position(seg->file, MIN(j, seg->file->len), ret_line, ret_col);
}

/* ---- the loader ---- */

struct loader {
	struct ruleset *rs;
	struct rules_file *file;
	struct diag_list *diags;
	int r; /* -ENOMEM once out of memory */
};

static void _printf_(4, 5)
	errat(struct loader *L, const struct ynode *n, const char *hint, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (diag_add(L->diags, DIAG_ERROR, L->file->path, n ? n->line : 0, n ? n->col : 0, hint,
		     "%s", msg) < 0)
		L->r = -ENOMEM;
}

static void _printf_(4, 5)
	warnat(struct loader *L, const struct ynode *n, const char *hint, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (diag_add(L->diags, DIAG_WARNING, L->file->path, n ? n->line : 0, n ? n->col : 0, hint,
		     "%s", msg) < 0)
		L->r = -ENOMEM;
}

static struct rules_pos pos_of(struct loader *L, const struct ynode *n)
{
	return (struct rules_pos){.file = L->file, .line = n->line, .col = n->col};
}

/* A scalar value; reports an error naming key and returns NULL if n is not a scalar. */
static const char *scalar(struct loader *L, const struct ynode *n, const char *key)
{
	if (n->kind != YN_SCALAR) {
		errat(L, n, NULL, "'%s' must be a single value, not a %s", key,
		      n->kind == YN_SEQ ? "list" : "mapping");
		return NULL;
	}
	return n->val;
}

static int parse_yaml_bool(const char *s, bool *ret)
{
	static const char *const t[] = {"true", "yes", "on", "y"}, *const f[] = {"false", "no",
										 "off", "n"};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		if (strcasecmp(s, t[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(s, f[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int bool_value(struct loader *L, const struct ynode *n, const char *key, bool *ret)
{
	const char *s = scalar(L, n, key);

	if (!s)
		return -EINVAL;
	if (parse_yaml_bool(s, ret) < 0) {
		errat(L, n, "use true or false", "'%s' must be a boolean, got '%s'", key, s);
		return -EINVAL;
	}
	return 0;
}

/* A positive integer at most max (capture_duration and friends). */
static int count_value(struct loader *L, const struct ynode *n, const char *key, uint64_t max,
		       uint64_t *ret)
{
	const char *s = scalar(L, n, key);
	uint64_t v;

	if (!s)
		return -EINVAL;
	if (safe_atou64(s, &v) < 0 || v == 0 || v > max) {
		errat(L, n, NULL, "'%s' must be a whole number from 1 to %llu, got '%s'", key,
		      (unsigned long long)max, s);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

static struct cond_src *cond_src_from(struct loader *L, const struct ynode *n)
{
	struct cond_src *s = calloc(1, sizeof(*s));

	if (!s || !(s->text = strndup(n->val, n->len))) {
		free(s);
		L->r = -ENOMEM;
		return NULL;
	}
	s->len = n->len;
	s->segs[0] = (struct cond_seg){.value_off = 0,
				       .file = L->file,
				       .start = n->start,
				       .end = n->end,
				       .style = n->style};
	s->n_segs = 1;
	return s;
}

/*
 * Appends " " + n's text to s (condition/output append). The text so far loses its trailing
 * white space first, as Falco trims each output and condition it reads: a block scalar's final
 * newline must not end up inside the alert line.
 */
static int cond_src_append(struct loader *L, struct cond_src *s, const struct ynode *n)
{
	char *t;

	while (s->len > 0 && strchr(" \t\r\n", s->text[s->len - 1]))
		s->text[--s->len] = 0;
	if (s->n_segs >= RULES_COND_SEGS_MAX) {
		errat(L, n, "merge the appends into one definition",
		      "more than %u appends to one condition", RULES_COND_SEGS_MAX);
		return -EINVAL;
	}
	if (s->len + 1 + n->len > (1u << 20)) {
		errat(L, n, NULL, "appended condition would exceed 1 MiB");
		return -EINVAL;
	}
	t = realloc(s->text, s->len + 1 + n->len + 1);
	if (!t) {
		L->r = -ENOMEM;
		return -ENOMEM;
	}
	s->text = t;
	t[s->len] = ' ';
	memcpy(t + s->len + 1, n->val, n->len + 1);
	s->segs[s->n_segs++] = (struct cond_seg){.value_off = (uint32_t)(s->len + 1),
						 .file = L->file,
						 .start = n->start,
						 .end = n->end,
						 .style = n->style};
	s->len += 1 + n->len;
	return 0;
}

/* Checks the keys of an item against the allowed set; unknown keys are warnings as in Falco. */
static void check_keys(struct loader *L, const struct ynode *item, const char *what,
		       const char *const *allowed, size_t n_allowed)
{
	for (size_t i = 0; i + 1 < item->n; i += 2) {
		const struct ynode *k = item->kids[i];
		bool ok = false;

		if (k->kind != YN_SCALAR) {
			errat(L, k, NULL, "%s keys must be plain names", what);
			continue;
		}
		for (size_t j = 0; j < n_allowed && !ok; j++)
			ok = strcmp(k->val, allowed[j]) == 0;
		if (!ok) {
			const char *best = NULL;
			size_t bd = 3;

			for (size_t j = 0; j < n_allowed; j++) {
				size_t d = edit_distance(k->val, allowed[j], 2);

				if (d < bd) {
					bd = d;
					best = allowed[j];
				}
			}
			char hint[128];

			if (best)
				snprintf(hint, sizeof(hint), "did you mean '%s'?", best);
			warnat(L, k, best ? hint : NULL, "unknown key '%s' in %s; ignored", k->val,
			       what);
		}
	}
}

/* Reads an override mapping into per-key modes; returns -EINVAL after reporting. */
enum ov_mode { OV_NONE, OV_APPEND, OV_REPLACE, OV_INVALID };

struct override_spec {
	const char *key;
	bool can_append, can_replace;
	enum ov_mode mode;
	const struct ynode *node;
};

static int read_override(struct loader *L, const struct ynode *item, const struct ynode *ov,
			 const char *what, struct override_spec *specs, size_t n_specs)
{
	int r = 0;

	if (ov->kind != YN_MAP) {
		errat(L, ov, "e.g. override: { condition: append }",
		      "'override' must be a mapping of key: append|replace");
		return -EINVAL;
	}
	for (size_t i = 0; i + 1 < ov->n; i += 2) {
		const struct ynode *k = ov->kids[i], *v = ov->kids[i + 1];
		struct override_spec *s = NULL;

		if (k->kind != YN_SCALAR || v->kind != YN_SCALAR) {
			errat(L, k, NULL, "override entries must be key: append|replace");
			r = -EINVAL;
			continue;
		}
		for (size_t j = 0; j < n_specs; j++)
			if (strcmp(specs[j].key, k->val) == 0)
				s = &specs[j];
		if (!s) {
			errat(L, k, NULL, "key '%s' cannot be overridden in a %s", k->val, what);
			r = -EINVAL;
			continue;
		}
		if (strcmp(v->val, "append") == 0 && s->can_append)
			s->mode = OV_APPEND;
		else if (strcmp(v->val, "replace") == 0 && s->can_replace)
			s->mode = OV_REPLACE;
		else {
			errat(L, v, s->can_append ? "use append or replace" : "use replace",
			      "invalid override '%s' for key '%s'", v->val, k->val);
			s->mode = OV_INVALID; /* reported once, not again as "no override mode" */
			r = -EINVAL;
			continue;
		}
		s->node = ynode_get(item, s->key);
		if (!s->node) {
			errat(L, k, "add the key with the value to append or replace",
			      "override for '%s' but the %s has no '%s' key", k->val, what, k->val);
			r = -EINVAL;
		}
	}
	/* every other key of the item must be covered by the override */
	for (size_t i = 0; i + 1 < item->n; i += 2) {
		const struct ynode *k = item->kids[i];

		if (k->kind != YN_SCALAR || strcmp(k->val, what) == 0 ||
		    strcmp(k->val, "override") == 0)
			continue;
		for (size_t j = 0; j < n_specs; j++)
			if (strcmp(specs[j].key, k->val) == 0 && specs[j].mode == OV_NONE) {
				errat(L, k, "add it to 'override' as append or replace",
				      "key '%s' has no override mode", k->val);
				r = -EINVAL;
			}
	}
	return r;
}

static int read_strv(struct loader *L, const struct ynode *n, const char *key, size_t max,
		     char ***ret, size_t *ret_n)
{
	char **v;

	if (n->kind != YN_SEQ) {
		if (ynode_is_null(n)) {
			*ret = NULL;
			*ret_n = 0;
			return 0;
		}
		errat(L, n, "e.g. [a, b, c]", "'%s' must be a list", key);
		return -EINVAL;
	}
	if (n->n > max) {
		errat(L, n, NULL, "'%s' has more than %zu entries", key, max);
		return -EINVAL;
	}
	v = calloc(n->n + 1, sizeof(*v));
	if (!v) {
		L->r = -ENOMEM;
		return -ENOMEM;
	}
	for (size_t i = 0; i < n->n; i++) {
		if (n->kids[i]->kind != YN_SCALAR) {
			errat(L, n->kids[i], NULL, "entries of '%s' must be single values", key);
			strv_free(v, i);
			return -EINVAL;
		}
		v[i] = strdup(n->kids[i]->val);
		if (!v[i]) {
			strv_free(v, i);
			L->r = -ENOMEM;
			return -ENOMEM;
		}
	}
	*ret = v;
	*ret_n = n->n;
	return 0;
}

static int strv_extend(struct loader *L, char ***v, size_t *n, char **add, size_t n_add, size_t max,
		       const struct ynode *at)
{
	char **p;

	if (n_add == 0) {
		free(add);
		return 0;
	}
	if (*n + n_add > max) {
		errat(L, at, NULL, "list would have more than %zu entries", max);
		strv_free(add, n_add);
		return -EINVAL;
	}
	p = reallocarray(*v, *n + n_add + 1, sizeof(*p));
	if (!p) {
		strv_free(add, n_add);
		L->r = -ENOMEM;
		return -ENOMEM;
	}
	memcpy(p + *n, add, n_add * sizeof(*p));
	free(add);
	*v = p;
	*n += n_add;
	return 0;
}

static const char *item_name(struct loader *L, const struct ynode *item, const char *kind)
{
	const struct ynode *n = ynode_get(item, kind);
	const char *s;

	s = scalar(L, n, kind);
	if (!s)
		return NULL;
	if (!*s) {
		errat(L, n, NULL, "%s name is empty", kind);
		return NULL;
	}
	return s;
}

static bool get_append(struct loader *L, const struct ynode *item, const char *kind)
{
	const struct ynode *n = ynode_get(item, "append");
	bool b = false;

	if (!n || bool_value(L, n, "append", &b) < 0 || !b)
		return false;
	warnat(L, n, "use 'override: { key: append }' instead", "'append: true' is deprecated");
	if (ynode_get(item, "override")) {
		errat(L, n, "keep only 'override'",
		      "'append' and 'override' cannot be used together");
		return false;
	}
	return true;
}

/* ---- list ---- */

static void load_list(struct loader *L, const struct ynode *item)
{
	static const char *const keys[] = {"list", "items", "append", "override"};
	struct override_spec ov[] = {{.key = "items", .can_append = true, .can_replace = true}};
	const struct ynode *items = ynode_get(item, "items"), *ovn = ynode_get(item, "override");
	struct rules_list *l;
	const char *name;
	char **v = NULL;
	size_t nv = 0;
	bool append;

	check_keys(L, item, "list", keys, ARRAY_SIZE(keys));
	name = item_name(L, item, "list");
	if (!name)
		return;
	append = get_append(L, item, "list");
	if (ovn && read_override(L, item, ovn, "list", ov, ARRAY_SIZE(ov)) < 0)
		return;
	if (!items) {
		errat(L, ynode_get(item, "list"), "add items: [a, b, ...]",
		      "list '%s' has no 'items'", name);
		return;
	}
	if (read_strv(L, items, "items", RULES_LIST_ITEMS_MAX, &v, &nv) < 0)
		return;
	l = ruleset_find_list(L->rs, name);
	if (append || (ovn && ov[0].mode == OV_APPEND)) {
		if (!l) {
			errat(L, ynode_get(item, "list"), "define the list before appending to it",
			      "list '%s' has no earlier definition to append to", name);
			strv_free(v, nv);
			return;
		}
		strv_extend(L, &l->items, &l->n_items, v, nv, RULES_LIST_ITEMS_MAX, items);
		return;
	}
	if (ovn && !l) {
		errat(L, ynode_get(item, "list"), "define the list before overriding it",
		      "list '%s' has no earlier definition to override", name);
		strv_free(v, nv);
		return;
	}
	if (l) { /* redefinition (or override replace) keeps the list's place */
		strv_free(l->items, l->n_items);
		l->items = v;
		l->n_items = nv;
		l->pos = pos_of(L, item);
		return;
	}
	if (L->rs->n_lists >= RULES_ITEMS_MAX) {
		errat(L, item, NULL, "more than %u lists", RULES_ITEMS_MAX);
		strv_free(v, nv);
		return;
	}
	l = calloc(1, sizeof(*l));
	if (!l || !(l->name = strdup(name)) ||
	    push_ptr((void ***)&L->rs->lists, &L->rs->n_lists, l) < 0) {
		list_free(l);
		strv_free(v, nv);
		L->r = -ENOMEM;
		return;
	}
	l->items = v;
	l->n_items = nv;
	l->pos = pos_of(L, item);
	if (name_index_put(L->rs->list_idx, l->name, L->rs->n_lists - 1) < 0)
		L->r = -ENOMEM;
}

/* ---- macro ---- */

static void load_macro(struct loader *L, const struct ynode *item)
{
	static const char *const keys[] = {"macro", "condition", "append", "override"};
	struct override_spec ov[] = {
		{.key = "condition", .can_append = true, .can_replace = true},
	};
	const struct ynode *cond = ynode_get(item, "condition"), *ovn = ynode_get(item, "override");
	struct rules_macro *m;
	const char *name;
	bool append;

	check_keys(L, item, "macro", keys, ARRAY_SIZE(keys));
	name = item_name(L, item, "macro");
	if (!name)
		return;
	append = get_append(L, item, "macro");
	if (ovn && read_override(L, item, ovn, "macro", ov, ARRAY_SIZE(ov)) < 0)
		return;
	if (!cond) {
		errat(L, ynode_get(item, "macro"), "add condition: ...",
		      "macro '%s' has no 'condition'", name);
		return;
	}
	if (!scalar(L, cond, "condition"))
		return;
	m = ruleset_find_macro(L->rs, name);
	if (append || (ovn && ov[0].mode == OV_APPEND)) {
		if (!m) {
			errat(L, ynode_get(item, "macro"),
			      "define the macro before appending to it",
			      "macro '%s' has no earlier definition to append to", name);
			return;
		}
		cond_src_append(L, m->cond, cond);
		return;
	}
	if (ovn && !m) {
		errat(L, ynode_get(item, "macro"), "define the macro before overriding it",
		      "macro '%s' has no earlier definition to override", name);
		return;
	}
	if (m) {
		struct cond_src *s = cond_src_from(L, cond);

		if (!s)
			return;
		cond_src_free(m->cond);
		m->cond = s;
		m->pos = pos_of(L, item);
		return;
	}
	if (L->rs->n_macros >= RULES_ITEMS_MAX) {
		errat(L, item, NULL, "more than %u macros", RULES_ITEMS_MAX);
		return;
	}
	m = calloc(1, sizeof(*m));
	if (!m || !(m->name = strdup(name)) || !(m->cond = cond_src_from(L, cond)) ||
	    push_ptr((void ***)&L->rs->macros, &L->rs->n_macros, m) < 0) {
		macro_free(m);
		L->r = -ENOMEM;
		return;
	}
	m->pos = pos_of(L, item);
	if (name_index_put(L->rs->macro_idx, m->name, L->rs->n_macros - 1) < 0)
		L->r = -ENOMEM;
}

/* ---- exceptions ---- */

static int read_exc_strings(struct loader *L, const struct ynode *n, const char *key, char ***ret,
			    size_t *ret_n)
{
	if (n->kind == YN_SCALAR) {
		char **v = calloc(2, sizeof(*v));

		if (!v || !(v[0] = strdup(n->val))) {
			free(v);
			L->r = -ENOMEM;
			return -ENOMEM;
		}
		*ret = v;
		*ret_n = 1;
		return 0;
	}
	return read_strv(L, n, key, 64, ret, ret_n);
}

/* Reads values (tuples) into e (appending); e->fields known. */
static int read_exc_values(struct loader *L, const struct ynode *vals, struct rules_exception *e)
{
	struct rules_exc_value *p;
	size_t nf = e->n_fields;

	if (ynode_is_null(vals))
		return 0;
	if (vals->kind != YN_SEQ) {
		errat(L, vals, NULL, "exception 'values' must be a list");
		return -EINVAL;
	}
	if (e->n_values + vals->n > 65536) {
		errat(L, vals, NULL, "exception '%s' has more than 65536 values", e->name);
		return -EINVAL;
	}
	if (!e->fields_is_list) {
		/* fields: a single field; values: a list of values, one comparison */
		p = reallocarray(e->values, e->n_values + vals->n, sizeof(*p));
		if (!p) {
			L->r = -ENOMEM;
			return -ENOMEM;
		}
		e->values = p;
		for (size_t i = 0; i < vals->n; i++) {
			const struct ynode *v = vals->kids[i];

			memset(&p[e->n_values], 0, sizeof(*p));
			if (v->kind != YN_SCALAR) {
				errat(L, v, "with a single field, values is a flat list",
				      "exception '%s' value must be a single value", e->name);
				return -EINVAL;
			}
			p[e->n_values].src = cond_src_from(L, v);
			if (!p[e->n_values].src)
				return -ENOMEM;
			e->n_values++;
		}
		return 0;
	}
	p = reallocarray(e->values, (e->n_values + vals->n) * nf, sizeof(*p));
	if (!p) {
		L->r = -ENOMEM;
		return -ENOMEM;
	}
	e->values = p;
	for (size_t i = 0; i < vals->n; i++) {
		const struct ynode *t = vals->kids[i];
		struct rules_exc_value *row = &p[e->n_values * nf];

		if (t->kind != YN_SEQ || t->n != nf) {
			errat(L, t, "each value is a list with one entry per field",
			      "exception '%s' value has %zu entries, fields has %zu", e->name,
			      t->kind == YN_SEQ ? t->n : (size_t)1, nf);
			return -EINVAL;
		}
		memset(row, 0, nf * sizeof(*row));
		e->n_values++; /* counted now so exception_done frees partial rows */
		for (size_t j = 0; j < nf; j++) {
			const struct ynode *v = t->kids[j];

			if (v->kind == YN_SCALAR) {
				row[j].src = cond_src_from(L, v);
				if (!row[j].src)
					return -ENOMEM;
				continue;
			}
			if (v->kind != YN_SEQ) {
				errat(L, v, NULL, "exception value entries are values or lists");
				return -EINVAL;
			}
			row[j].is_list = true;
			row[j].list = calloc(v->n + 1, sizeof(*row[j].list));
			if (!row[j].list) {
				L->r = -ENOMEM;
				return -ENOMEM;
			}
			for (size_t k = 0; k < v->n; k++) {
				if (v->kids[k]->kind != YN_SCALAR) {
					errat(L, v->kids[k], NULL,
					      "nested lists are not allowed here");
					return -EINVAL;
				}
				row[j].list[k] = cond_src_from(L, v->kids[k]);
				if (!row[j].list[k])
					return -ENOMEM;
				row[j].n_list++;
			}
		}
	}
	return 0;
}

static int read_exception(struct loader *L, const struct ynode *x, struct rules_exception *e)
{
	static const char *const keys[] = {"name", "fields", "comps", "values"};
	const struct ynode *name = ynode_get(x, "name"), *fields = ynode_get(x, "fields"),
			   *comps = ynode_get(x, "comps"), *values = ynode_get(x, "values");
	char **cv = NULL;
	size_t nc = 0;

	memset(e, 0, sizeof(*e));
	if (x->kind != YN_MAP) {
		errat(L, x, NULL,
		      "each exception must be a mapping with name, fields, comps, values");
		return -EINVAL;
	}
	check_keys(L, x, "exception", keys, ARRAY_SIZE(keys));
	if (!name || !scalar(L, name, "name") || !*name->val) {
		if (!name)
			errat(L, x, NULL, "exception has no 'name'");
		return -EINVAL;
	}
	e->name = strdup(name->val);
	if (!e->name) {
		L->r = -ENOMEM;
		return -ENOMEM;
	}
	e->pos = pos_of(L, x);
	if (!fields) {
		errat(L, x, "add fields: [proc.name, ...]", "exception '%s' has no 'fields'",
		      e->name);
		return -EINVAL;
	}
	e->fields_is_list = fields->kind == YN_SEQ;
	if (read_exc_strings(L, fields, "fields", &e->fields, &e->n_fields) < 0)
		return -EINVAL;
	e->fields_src = calloc(e->n_fields + 1, sizeof(*e->fields_src));
	e->comps = calloc(e->n_fields + 1, sizeof(*e->comps));
	if (!e->fields_src || !e->comps) {
		L->r = -ENOMEM;
		return -ENOMEM;
	}
	for (size_t i = 0; i < e->n_fields; i++) {
		e->fields_src[i] = cond_src_from(L, e->fields_is_list ? fields->kids[i] : fields);
		if (!e->fields_src[i])
			return -ENOMEM;
	}
	if (comps) {
		if ((comps->kind == YN_SEQ) != e->fields_is_list) {
			errat(L, comps, NULL,
			      "exception '%s': fields and comps must both be lists or both single "
			      "values",
			      e->name);
			return -EINVAL;
		}
		if (read_exc_strings(L, comps, "comps", &cv, &nc) < 0)
			return -EINVAL;
		if (nc != e->n_fields) {
			errat(L, comps, NULL, "exception '%s' has %zu fields but %zu comps",
			      e->name, e->n_fields, nc);
			strv_free(cv, nc);
			return -EINVAL;
		}
		for (size_t i = 0; i < nc; i++)
			e->comps[i] = cv[i];
		free(cv);
	} else {
		for (size_t i = 0; i < e->n_fields; i++)
			if (!(e->comps[i] = strdup(e->fields_is_list ? "=" : "in"))) {
				L->r = -ENOMEM;
				return -ENOMEM;
			}
	}
	if (values)
		return read_exc_values(L, values, e);
	return 0;
}

static int read_exceptions(struct loader *L, const struct ynode *n, struct rules_exception **ret,
			   size_t *ret_n)
{
	struct rules_exception *v;
	size_t k = 0;

	if (ynode_is_null(n)) {
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	if (n->kind != YN_SEQ) {
		errat(L, n, NULL, "'exceptions' must be a list");
		return -EINVAL;
	}
	if (n->n > RULES_EXCEPTIONS_MAX) {
		errat(L, n, NULL, "more than %u exceptions", RULES_EXCEPTIONS_MAX);
		return -EINVAL;
	}
	v = calloc(n->n + 1, sizeof(*v));
	if (!v) {
		L->r = -ENOMEM;
		return -ENOMEM;
	}
	for (; k < n->n; k++)
		if (read_exception(L, n->kids[k], &v[k]) < 0) {
			for (size_t i = 0; i <= k; i++)
				exception_done(&v[i]);
			free(v);
			return -EINVAL;
		}
	*ret = v;
	*ret_n = n->n;
	return 0;
}

/*
 * Appending exceptions: an exception whose name the rule already has adds its values (fields and
 * comps may be left out; if given they must match); a new name adds the exception.
 */
static void append_exceptions(struct loader *L, struct rules_rule *r, const struct ynode *n)
{
	if (ynode_is_null(n))
		return;
	if (n->kind != YN_SEQ) {
		errat(L, n, NULL, "'exceptions' must be a list");
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *x = n->kids[i], *name = ynode_get(x, "name"), *fields, *values;
		struct rules_exception *e = NULL, *p;

		if (x->kind != YN_MAP || !name || name->kind != YN_SCALAR) {
			errat(L, x, NULL, "each exception must be a mapping with a name");
			continue;
		}
		for (size_t j = 0; j < r->n_exceptions; j++)
			if (strcmp(r->exceptions[j].name, name->val) == 0)
				e = &r->exceptions[j];
		if (!e) {
			if (r->n_exceptions >= RULES_EXCEPTIONS_MAX) {
				errat(L, x, NULL, "more than %u exceptions", RULES_EXCEPTIONS_MAX);
				return;
			}
			p = reallocarray(r->exceptions, r->n_exceptions + 1, sizeof(*p));
			if (!p) {
				L->r = -ENOMEM;
				return;
			}
			r->exceptions = p;
			if (read_exception(L, x, &p[r->n_exceptions]) < 0) {
				exception_done(&p[r->n_exceptions]);
				continue;
			}
			r->n_exceptions++;
			continue;
		}
		fields = ynode_get(x, "fields");
		if (fields && ((fields->kind == YN_SEQ) != e->fields_is_list ||
			       (fields->kind == YN_SEQ ? fields->n : 1) != e->n_fields)) {
			errat(L, fields, "leave out fields to add values to the existing exception",
			      "appended exception '%s' has different fields", e->name);
			continue;
		}
		values = ynode_get(x, "values");
		if (values)
			read_exc_values(L, values, e);
	}
}

/* ---- rule ---- */

static int set_string(struct loader *L, char **dst, const struct ynode *n, const char *key,
		      bool append)
{
	const char *s = scalar(L, n, key);
	char *t;

	if (!s)
		return -EINVAL;
	if (append && *dst) {
		size_t len = strlen(*dst);

		/* Falco trims what it reads: a block scalar's final newline stays out of the join */
		while (len > 0 && strchr(" \t\r\n", (*dst)[len - 1]))
			len--;
		if (asprintf(&t, "%.*s %s", (int)len, *dst, s) < 0)
			t = NULL;
	} else {
		t = strdup(s);
	}
	if (!t) {
		L->r = -ENOMEM;
		return -ENOMEM;
	}
	free(*dst);
	*dst = t;
	return 0;
}

static int set_cond(struct loader *L, struct cond_src **dst, const struct ynode *n, const char *key,
		    bool append)
{
	struct cond_src *s;

	if (!scalar(L, n, key))
		return -EINVAL;
	if (append && *dst)
		return cond_src_append(L, *dst, n);
	s = cond_src_from(L, n);
	if (!s)
		return -ENOMEM;
	cond_src_free(*dst);
	*dst = s;
	return 0;
}

/* Applies the keys present in item to r; mode_of says append or replace per key. */
static void apply_rule_keys(struct loader *L, struct rules_rule *r, const struct ynode *item,
			    const struct override_spec *ov, size_t n_ov, bool append_all)
{
	for (size_t i = 0; i + 1 < item->n; i += 2) {
		const struct ynode *k = item->kids[i], *v = item->kids[i + 1];
		bool app = append_all;
		const char *key;

		if (k->kind != YN_SCALAR)
			continue;
		key = k->val;
		for (size_t j = 0; j < n_ov; j++)
			if (strcmp(ov[j].key, key) == 0 && ov[j].mode == OV_APPEND)
				app = true;
		if (strcmp(key, "desc") == 0)
			set_string(L, &r->desc, v, key, app);
		else if (strcmp(key, "condition") == 0)
			set_cond(L, &r->cond, v, key, app);
		else if (strcmp(key, "output") == 0) {
			if (set_string(L, &r->output, v, key, app) == 0)
				set_cond(L, &r->output_src, v, key, app);
		} else if (strcmp(key, "priority") == 0) {
			const char *s = scalar(L, v, key);
			int p = s ? rules_priority_from_string(s) : -EINVAL;

			if (s && p < 0)
				errat(L, v,
				      "use one of emergency, alert, critical, error, warning, "
				      "notice, informational, debug",
				      "invalid priority '%s'", s);
			else if (s)
				r->priority = (enum rules_priority)p;
		} else if (strcmp(key, "source") == 0)
			set_string(L, &r->source, v, key, false);
		else if (strcmp(key, "enabled") == 0)
			bool_value(L, v, key, &r->enabled);
		else if (strcmp(key, "warn_evttypes") == 0)
			bool_value(L, v, key, &r->warn_evttypes);
		else if (strcmp(key, "skip-if-unknown-filter") == 0)
			bool_value(L, v, key, &r->skip_if_unknown_filter);
		else if (strcmp(key, "capture") == 0)
			bool_value(L, v, key, &r->capture);
		else if (strcmp(key, "capture_duration") == 0) /* milliseconds */
			count_value(L, v, key, RULES_CAPTURE_DURATION_MAX, &r->capture_duration);
		else if (strcmp(key, "capture_events") == 0)
			count_value(L, v, key, UINT64_MAX, &r->capture_events);
		else if (strcmp(key, "capture_filesize") == 0) /* KiB */
			count_value(L, v, key, UINT64_MAX / 1024, &r->capture_filesize);
		else if (strcmp(key, "tags") == 0) {
			char **t;
			size_t nt;

			if (read_strv(L, v, "tags", 1024, &t, &nt) < 0)
				continue;
			if (app)
				strv_extend(L, &r->tags, &r->n_tags, t, nt, 1024, v);
			else {
				strv_free(r->tags, r->n_tags);
				r->tags = t;
				r->n_tags = nt;
			}
		} else if (strcmp(key, "exceptions") == 0) {
			struct rules_exception *x;
			size_t nx;

			if (app) {
				append_exceptions(L, r, v);
				continue;
			}
			if (read_exceptions(L, v, &x, &nx) < 0)
				continue;
			{
				for (size_t j = 0; j < r->n_exceptions; j++)
					exception_done(&r->exceptions[j]);
				free(r->exceptions);
				r->exceptions = x;
				r->n_exceptions = nx;
			}
		}
	}
}

static void load_rule(struct loader *L, const struct ynode *item)
{
	static const char *const keys[] = {
		"rule",
		"desc",
		"condition",
		"output",
		"priority",
		"source",
		"tags",
		"enabled",
		"exceptions",
		"override",
		"append",
		"warn_evttypes",
		"skip-if-unknown-filter",
		"required_engine_version",
		"capture",
		"capture_duration",
		"capture_events",
		"capture_filesize",
	};
	struct override_spec ov[] = {
		{.key = "condition", .can_append = true, .can_replace = true},
		{.key = "output", .can_append = true, .can_replace = true},
		{.key = "desc", .can_append = true, .can_replace = true},
		{.key = "tags", .can_append = true, .can_replace = true},
		{.key = "exceptions", .can_append = true, .can_replace = true},
		{.key = "priority", .can_replace = true},
		{.key = "enabled", .can_replace = true},
		{.key = "warn_evttypes", .can_replace = true},
		{.key = "skip-if-unknown-filter", .can_replace = true},
		{.key = "capture", .can_replace = true},
		{.key = "capture_duration", .can_replace = true},
		{.key = "capture_events", .can_replace = true},
		{.key = "capture_filesize", .can_replace = true},
	};
	const struct ynode *ovn = ynode_get(item, "override"), *namen = ynode_get(item, "rule");
	struct rules_rule *r;
	const char *name;
	bool append;

	check_keys(L, item, "rule", keys, ARRAY_SIZE(keys));
	name = item_name(L, item, "rule");
	if (!name)
		return;
	append = get_append(L, item, "rule");
	if (ovn && read_override(L, item, ovn, "rule", ov, ARRAY_SIZE(ov)) < 0)
		return;
	r = ruleset_find_rule(L->rs, name);

	if (append || ovn) {
		if (!r) {
			errat(L, namen,
			      "define the rule before changing it (check the order of -r files)",
			      "rule '%s' has no earlier definition to %s", name,
			      append ? "append to" : "override");
			return;
		}
		if (append) {
			for (size_t i = 0; i + 1 < item->n; i += 2) {
				const char *k = item->kids[i]->val;

				if (k && strcmp(k, "rule") && strcmp(k, "append") &&
				    strcmp(k, "condition") && strcmp(k, "exceptions") &&
				    strcmp(k, "output") && strcmp(k, "desc") && strcmp(k, "tags") &&
				    strcmp(k, "enabled"))
					errat(L, item->kids[i], "use override: { key: replace }",
					      "key '%s' cannot be appended", k);
			}
		}
		apply_rule_keys(L, r, item, ov, ARRAY_SIZE(ov), append);
		return;
	}
	/* "- rule: X\n  enabled: false": toggle an earlier rule (Falco's legacy form). */
	if (item->n == 4 && ynode_get(item, "enabled")) {
		if (!r) {
			errat(L, namen,
			      "define the rule first, or give condition, output, desc and priority",
			      "rule '%s' has only 'enabled' but no earlier definition", name);
			return;
		}
		bool_value(L, ynode_get(item, "enabled"), "enabled", &r->enabled);
		return;
	}
	{
		static const char *const required[] = {"condition", "output", "desc", "priority"};

		for (size_t i = 0; i < ARRAY_SIZE(required); i++)
			if (!ynode_get(item, required[i])) {
				errat(L, namen,
				      r ? "to change an earlier rule, use override: { key: "
					  "append|replace }"
					: NULL,
				      "rule '%s' has no '%s'", name, required[i]);
				return;
			}
	}
	if (r) {
		/* redefinition: a new rule in the old one's place */
		struct rules_rule *nr = calloc(1, sizeof(*nr));
		size_t i;

		if (!nr || !(nr->name = strdup(name))) {
			free(nr);
			L->r = -ENOMEM;
			return;
		}
		for (i = 0; i < L->rs->n_rules && L->rs->rules[i] != r; i++)
			;
		/* the index's key is the old rule's name: repoint it before freeing the old rule */
		if (name_index_put(L->rs->rule_idx, nr->name, i) < 0) {
			rule_free(nr);
			L->r = -ENOMEM;
			return;
		}
		L->rs->rules[i] = nr;
		rule_free(r);
		r = nr;
	} else {
		if (L->rs->n_rules >= RULES_ITEMS_MAX) {
			errat(L, item, NULL, "more than %u rules", RULES_ITEMS_MAX);
			return;
		}
		r = calloc(1, sizeof(*r));
		if (!r || !(r->name = strdup(name)) ||
		    push_ptr((void ***)&L->rs->rules, &L->rs->n_rules, r) < 0) {
			rule_free(r);
			L->r = -ENOMEM;
			return;
		}
		if (name_index_put(L->rs->rule_idx, r->name, L->rs->n_rules - 1) < 0)
			L->r = -ENOMEM;
	}
	r->enabled = true;
	r->warn_evttypes = true;
	r->pos = pos_of(L, item);
	r->source = strdup("syscall");
	if (!r->source)
		L->r = -ENOMEM;
	apply_rule_keys(L, r, item, NULL, 0, false);
}

/* ---- top-level items ---- */

static int compare_versions(const char *a, const char *b)
{
	for (int i = 0; i < 3; i++) {
		uint64_t x = 0, y = 0;
		char *e;

		x = strtoull(a, &e, 10);
		a = *e == '.' ? e + 1 : e;
		y = strtoull(b, &e, 10);
		b = *e == '.' ? e + 1 : e;
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

static bool is_version(const char *s)
{
	int dots = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s == '.')
			dots++;
		else if (*s < '0' || *s > '9')
			return false;
	}
	return dots <= 2;
}

static void load_engine_version(struct loader *L, const struct ynode *item)
{
	const struct ynode *v = ynode_get(item, "required_engine_version");
	const char *s = scalar(L, v, "required_engine_version");
	char want[64];

	if (!s)
		return;
	if (!is_version(s)) {
		errat(L, v, "e.g. 0.26.0", "invalid required_engine_version '%s'", s);
		return;
	}
	/* A bare number is Falco's old engine version counter: the major.minor "0.N.0". */
	if (!strchr(s, '.'))
		snprintf(want, sizeof(want), "0.%s.0", s);
	else
		snprintf(want, sizeof(want), "%s", s);
	if (compare_versions(want, RULES_ENGINE_VERSION) > 0)
		errat(L, v, "use rules written for an older engine, or a newer Osprey",
		      "rules require engine version %s, Osprey implements %s", s,
		      RULES_ENGINE_VERSION);
}

static void load_item(struct loader *L, const struct ynode *item)
{
	static const char *const kinds[] = {"rule", "macro", "list", "required_engine_version",
					    "required_plugin_versions"};

	if (ynode_is_null(item))
		return; /* an empty "-" entry: Falco skips it (k8s_audit_rules.yaml has one) */
	if (item->kind != YN_MAP) {
		errat(L, item, "each entry starts with '- rule:', '- macro:' or '- list:'",
		      "rules file entry must be a mapping");
		return;
	}
	if (ynode_get(item, "rule"))
		load_rule(L, item);
	else if (ynode_get(item, "macro"))
		load_macro(L, item);
	else if (ynode_get(item, "list"))
		load_list(L, item);
	else if (ynode_get(item, "required_engine_version"))
		load_engine_version(L, item);
	else if (ynode_get(item, "required_plugin_versions"))
		warnat(L, item, "Osprey has no plugins; the requirement is ignored",
		       "required_plugin_versions ignored");
	else {
		const char *k =
			item->n && item->kids[0]->kind == YN_SCALAR ? item->kids[0]->val : "?";

		(void)kinds;
		warnat(L, item,
		       "entries are rule, macro, list, required_engine_version or "
		       "required_plugin_versions",
		       "unknown top-level item '%s'; ignored", k);
	}
}

static int file_read(const char *path, char **ret, size_t *ret_len, char *err, size_t errsz)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t n = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (st.st_size > (off_t)RULES_FILE_MAX) {
		snprintf(err, errsz, "file is %lld bytes, more than the %u MiB limit",
			 (long long)st.st_size, RULES_FILE_MAX >> 20);
		return -EFBIG;
	}
	buf = malloc(RULES_FILE_MAX + 1 > (size_t)st.st_size + 4096 ? (size_t)st.st_size + 4096
								    : RULES_FILE_MAX + 1);
	if (!buf)
		return -ENOMEM;
	for (size_t cap = MIN((size_t)st.st_size + 4096, (size_t)RULES_FILE_MAX + 1);;) {
		ssize_t k;

		if (n == cap) {
			char *p;

			if (cap > RULES_FILE_MAX) {
				snprintf(err, errsz, "file is more than the %u MiB limit",
					 RULES_FILE_MAX >> 20);
				return -EFBIG;
			}
			cap = MIN(cap * 2, (size_t)RULES_FILE_MAX + 1);
			p = realloc(buf, cap);
			if (!p)
				return -ENOMEM;
			buf = p;
		}
		k = read(fd, buf + n, cap - n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	if (n > RULES_FILE_MAX) {
		snprintf(err, errsz, "file is more than the %u MiB limit", RULES_FILE_MAX >> 20);
		return -EFBIG;
	}
	{
		char *p = realloc(buf, n + 1);

		if (!p)
			return -ENOMEM;
		buf = p;
	}
	buf[n] = 0;
	*ret = TAKE_PTR(buf);
	*ret_len = n;
	return 0;
}

static int load_into(struct ruleset *rs, const char *name, char *buf, size_t len,
		     struct diag_list *diags)
{
	_cleanup_free_ struct rules_file *f = NULL;
	struct loader L = {.rs = rs, .diags = diags};
	struct yaml_error yerr;
	struct ydoc doc = {};
	size_t errors_before = diags->n_errors, nl = 1;
	int r;

	if (rs->n_files >= RULES_FILES_MAX) {
		free(buf);
		diag_add(diags, DIAG_ERROR, name, 0, 0, NULL, "more than %u rules files",
			 RULES_FILES_MAX);
		return -EINVAL;
	}
	f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(name))) {
		free(buf);
		return -ENOMEM;
	}
	f->buf = buf;
	f->len = len;
	for (size_t i = 0; i < len; i++)
		nl += buf[i] == '\n';
	f->line_starts = calloc(nl, sizeof(size_t));
	if (!f->line_starts || push_ptr((void ***)&rs->files, &rs->n_files, f) < 0) {
		free(f->line_starts);
		free(f->path);
		free(f->buf);
		return -ENOMEM;
	}
	L.file = TAKE_PTR(f);
	L.file->n_lines = 1;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\n')
			L.file->line_starts[L.file->n_lines++] = i + 1;

	if (memchr(buf, 0, len)) {
		size_t off = (size_t)((char *)memchr(buf, 0, len) - buf);
		unsigned line, col;

		file_position(L.file, off, &line, &col);
		diag_add(diags, DIAG_ERROR, name, line, col, "rules files are UTF-8 text",
			 "file contains a NUL byte");
		return -EINVAL;
	}
	r = ydoc_parse(buf, len, L.file->line_starts, L.file->n_lines, RULES_YAML_NODES_MAX,
		       RULES_YAML_DEPTH_MAX, &doc, &yerr);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		diag_add(diags, DIAG_ERROR, name, yerr.line, yerr.col,
			 yerr.hint[0] ? yerr.hint : NULL, "%s", yerr.msg);
		return -EINVAL;
	}
	for (size_t d = 0; d < doc.n_roots && L.r == 0; d++) {
		const struct ynode *root = doc.roots[d];

		if (!root || ynode_is_null(root))
			continue;
		if (root->kind != YN_SEQ) {
			diag_add(diags, DIAG_ERROR, name, root->line, root->col,
				 "start each entry with '- rule:', '- macro:' or '- list:'",
				 "rules file must be a YAML list of items");
			continue;
		}
		for (size_t i = 0; i < root->n && L.r == 0; i++)
			load_item(&L, root->kids[i]);
	}
	ydoc_done(&doc);
	if (L.r < 0)
		return L.r;
	rs->compiled = false;
	return diags->n_errors > errors_before ? -EINVAL : 0;
}

int ruleset_load_buffer(struct ruleset *rs, const char *name, const char *buf, size_t len,
			struct diag_list *diags)
{
	char *copy;

	if (len > RULES_FILE_MAX) {
		diag_add(diags, DIAG_ERROR, name, 0, 0, "split the rules into several files",
			 "rules file is larger than %u MiB", RULES_FILE_MAX >> 20);
		return -EINVAL;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, buf, len);
	copy[len] = 0;
	return load_into(rs, name, copy, len, diags);
}

int ruleset_load_file(struct ruleset *rs, const char *path, struct diag_list *diags)
{
	char *buf = NULL, err[128] = "";
	size_t len = 0;
	int r;

	r = file_read(path, &buf, &len, err, sizeof(err));
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		if (err[0])
			diag_add(diags, DIAG_ERROR, path, 0, 0,
				 "split the rules into several files", "%s", err);
		else
			diag_add(diags, DIAG_ERROR, path, 0, 0, NULL, "cannot read rules file: %s",
				 strerror(-r));
		return -EINVAL;
	}
	return load_into(rs, path, buf, len, diags);
}
