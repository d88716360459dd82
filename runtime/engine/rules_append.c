// SPDX-License-Identifier: Apache-2.0
/* append_output: the matching rules' output text and extra fields (rules_append.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "rules_append.h"

void rules_append_done(struct rules_append *a)
{
	free(a->source);
	free(a->rule);
	for (size_t i = 0; i < a->n_tags; i++)
		free(a->tags[i]);
	free(a->tags);
	free(a->extra_output);
	for (size_t i = 0; i < a->n_fields; i++) {
		free(a->fields[i].key);
		free(a->fields[i].value);
	}
	free(a->fields);
	*a = (struct rules_append){};
}

static bool rule_has_tag(const struct rules_rule *r, const char *tag)
{
	for (size_t i = 0; i < r->n_tags; i++)
		if (strcmp(r->tags[i], tag) == 0)
			return true;
	return false;
}

bool rules_append_match(const struct rules_append *a, const struct rules_rule *r)
{
	const char *src = r->source ? r->source : "syscall";

	if (a->source && a->source[0] && strcmp(a->source, src) != 0)
		return false;
	if (a->rule && a->rule[0] && (!r->name || strcmp(a->rule, r->name) != 0))
		return false;
	for (size_t i = 0; i < a->n_tags; i++)
		if (!rule_has_tag(r, a->tags[i]))
			return false;
	return true;
}

/* " " + text after the rule's output, trimmed first as Falco trims what it reads. */
static int output_append(struct rules_rule *r, const char *text)
{
	size_t len = r->output ? strlen(r->output) : 0;
	char *t;

	while (len > 0 && strchr(" \t\r\n", r->output[len - 1]))
		len--;
	if (asprintf(&t, "%.*s%s%s", (int)len, r->output ? r->output : "", len ? " " : "",
		     text) < 0)
		return -ENOMEM;
	free(r->output);
	r->output = t;
	return 0;
}

static int field_add(struct rules_rule *r, const struct rules_extra_field *f)
{
	struct rules_extra_field *p;

	for (size_t i = 0; i < r->n_extra_fields; i++)
		if (strcmp(r->extra_fields[i].key, f->key) == 0)
			return 0; /* the first entry's wins */
	if (r->n_extra_fields >= 2 * RULES_APPEND_FIELDS_MAX)
		return -E2BIG;
	p = reallocarray(r->extra_fields, r->n_extra_fields + 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	r->extra_fields = p;
	p = &p[r->n_extra_fields];
	p->key = strdup(f->key);
	p->value = strdup(f->value);
	if (!p->key || !p->value) {
		free(p->key);
		free(p->value);
		return -ENOMEM;
	}
	r->n_extra_fields++;
	return 0;
}

int rules_append_apply(struct ruleset *rs, const struct rules_append *a, size_t n)
{
	for (size_t i = 0; i < rs->n_rules; i++) {
		struct rules_rule *r = rs->rules[i];

		for (size_t k = 0; k < n; k++) {
			if (!rules_append_match(&a[k], r))
				continue;
			if (a[k].extra_output && a[k].extra_output[0] &&
			    output_append(r, a[k].extra_output) < 0)
				return -ENOMEM;
			for (size_t j = 0; j < a[k].n_fields; j++) {
				int q = field_add(r, &a[k].fields[j]);

				if (q < 0)
					return q;
			}
		}
	}
	return 0;
}

#define BAD(n, hint, ...)                                                                          \
	do {                                                                                       \
		snprintf(err, errsize, __VA_ARGS__);                                               \
		*ret_hint = hint;                                                                  \
		*ret_at = n;                                                                       \
		return -EINVAL;                                                                    \
	} while (0)

static int dup_to(char **dst, const char *s)
{
	char *t = strdup(s);

	if (!t)
		return -ENOMEM;
	free(*dst);
	*dst = t;
	return 0;
}

static bool is_scalar(const struct ynode *v)
{
	return v->kind == YN_SCALAR;
}

static int tags_set(struct rules_append *a, const struct ynode *v, char *err, size_t errsize,
		    const char **ret_hint, const struct ynode **ret_at)
{
	size_t n = is_scalar(v) ? (ynode_is_null(v) ? 0 : 1) : v->n;

	if (v->kind == YN_MAP)
		BAD(v, "e.g. tags: [container, mitre_execution]",
		    "append_output: 'match.tags' is a list of tags");
	if (n > RULES_APPEND_TAGS_MAX)
		BAD(v, NULL, "append_output: more than %u tags in 'match.tags'",
		    RULES_APPEND_TAGS_MAX);
	for (size_t i = 0; i < a->n_tags; i++)
		free(a->tags[i]);
	free(a->tags);
	a->tags = NULL;
	a->n_tags = 0;
	if (n == 0)
		return 0;
	a->tags = calloc(n, sizeof(char *));
	if (!a->tags)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct ynode *t = is_scalar(v) ? v : v->kids[i];

		if (!is_scalar(t) || !t->val[0])
			BAD(t, "e.g. tags: [container]", "append_output: a tag is a word");
		a->tags[i] = strdup(t->val);
		if (!a->tags[i])
			return -ENOMEM;
		a->n_tags++;
	}
	return 0;
}

static int fields_set(struct rules_append *a, const struct ynode *v, char *err, size_t errsize,
		      const char **ret_hint, const struct ynode **ret_at)
{
	static const char *const hint = "e.g. extra_fields: [container.id, {cid: \"%container.id\"}]";
	size_t n = is_scalar(v) ? (ynode_is_null(v) ? 0 : 1) : v->n;

	if (v->kind == YN_MAP)
		n = v->n / 2; /* one {key: value} given without the list */
	if (n > RULES_APPEND_FIELDS_MAX)
		BAD(v, NULL, "append_output: more than %u entries in 'extra_fields'",
		    RULES_APPEND_FIELDS_MAX);
	for (size_t i = 0; i < a->n_fields; i++) {
		free(a->fields[i].key);
		free(a->fields[i].value);
	}
	free(a->fields);
	a->fields = NULL;
	a->n_fields = 0;
	if (n == 0)
		return 0;
	a->fields = calloc(n, sizeof(*a->fields));
	if (!a->fields)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct ynode *e = is_scalar(v) ? v : v->kind == YN_MAP ? NULL : v->kids[i];
		const struct ynode *k, *val;
		struct rules_extra_field *f = &a->fields[a->n_fields];

		if (e && is_scalar(e)) { /* a field name */
			const char *name = e->val[0] == '%' ? e->val + 1 : e->val;

			if (!name[0])
				BAD(e, hint, "append_output: an empty entry in 'extra_fields'");
			f->key = strdup(name);
			if (!f->key || asprintf(&f->value, "%%%s", name) < 0)
				return -ENOMEM;
			a->n_fields++;
			continue;
		}
		if (e && (e->kind != YN_MAP || e->n != 2))
			BAD(e, hint,
			    "append_output: an 'extra_fields' entry is a field name or one "
			    "{name: value}");
		k = e ? e->kids[0] : v->kids[2 * i];
		val = e ? e->kids[1] : v->kids[2 * i + 1];
		if (!is_scalar(k) || !k->val[0] || !is_scalar(val))
			BAD(e ? e : v, hint,
			    "append_output: an 'extra_fields' entry {name: value} has a word and a "
			    "text");
		f->key = strdup(k->val);
		f->value = strdup(val->val);
		if (!f->key || !f->value)
			return -ENOMEM;
		a->n_fields++;
	}
	return 0;
}

static int match_set(struct rules_append *a, const char *key, const struct ynode *v, char *err,
		     size_t errsize, const char **ret_hint, const struct ynode **ret_at)
{
	if (strcmp(key, "tags") == 0)
		return tags_set(a, v, err, errsize, ret_hint, ret_at);
	if (strcmp(key, "source") != 0 && strcmp(key, "rule") != 0)
		BAD(v, "match: has source, tags and rule",
		    "append_output: unknown key 'match.%s'", key);
	if (!is_scalar(v))
		BAD(v, NULL, "append_output: 'match.%s' is a string", key);
	return dup_to(strcmp(key, "source") == 0 ? &a->source : &a->rule, v->val);
}

int rules_append_merge(struct rules_append *a, const struct ynode *v, char *err, size_t errsize,
		       const char **ret_hint, const struct ynode **ret_at)
{
	*ret_hint = "";
	*ret_at = v;
	if (v->kind != YN_MAP)
		BAD(v, "e.g. - match: {source: syscall}\n    extra_fields: [container.id]",
		    "append_output: an entry is a mapping");
	for (size_t i = 0; i + 1 < v->n; i += 2) {
		const struct ynode *k = v->kids[i], *val = v->kids[i + 1];
		int r = 0;

		if (!is_scalar(k))
			BAD(k, NULL, "append_output: a key of an entry is a word");
		if (strcmp(k->val, "match") == 0) {
			if (is_scalar(val) && ynode_is_null(val))
				continue;
			if (val->kind != YN_MAP)
				BAD(val, "e.g. match: {source: syscall, tags: [container]}",
				    "append_output: 'match' is a mapping");
			for (size_t j = 0; j + 1 < val->n && r == 0; j += 2) {
				if (!is_scalar(val->kids[j]))
					BAD(val->kids[j], NULL,
					    "append_output: a key of 'match' is a word");
				r = match_set(a, val->kids[j]->val, val->kids[j + 1], err, errsize,
					      ret_hint, ret_at);
			}
		} else if (strcmp(k->val, "extra_output") == 0) {
			if (!is_scalar(val))
				BAD(val, NULL, "append_output: 'extra_output' is a text");
			r = dup_to(&a->extra_output, val->val);
		} else if (strcmp(k->val, "extra_fields") == 0) {
			r = fields_set(a, val, err, errsize, ret_hint, ret_at);
		} else if (strcmp(k->val, "suggested_output") == 0) {
			if (!is_scalar(val) ||
			    (strcmp(val->val, "true") != 0 && strcmp(val->val, "false") != 0))
				BAD(val, NULL, "append_output: 'suggested_output' is true or false");
			a->suggested_output = strcmp(val->val, "true") == 0;
		} else {
			BAD(k, "an entry has match, extra_output, extra_fields, suggested_output",
			    "append_output: unknown key '%s'", k->val);
		}
		if (r < 0)
			return r;
	}
	return 0;
}
