// SPDX-License-Identifier: Apache-2.0
/* libyaml event stream -> bounded node tree with positions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "yaml_doc.h"

void ynode_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->val);
	free(n);
}

void ydoc_done(struct ydoc *d)
{
	for (size_t i = 0; i < d->n_roots; i++)
		ynode_free(d->roots[i]);
	free(d->roots);
	memset(d, 0, sizeof(*d));
}

/*
 * The last mark converted: marks arrive (nearly) in order, so converting from there keeps a
 * long line linear instead of quadratic.
 */
struct mark_cursor {
	size_t line, col, off;
	bool valid;
};

/* Byte offset of a libyaml mark (0-based line, column in characters). */
static size_t mark_offset(const char *buf, size_t len, const size_t *line_starts, size_t n_lines,
			  struct mark_cursor *cur, const yaml_mark_t *m)
{
	size_t off, col = 0;

	if (m->line >= n_lines)
		return len;
	off = line_starts[m->line];
	if (cur->valid && cur->line == m->line && cur->col <= m->column) {
		off = cur->off;
		col = cur->col;
	}
	while (off < len && col < m->column && buf[off] != '\n') {
		off++;
		while (off < len && ((unsigned char)buf[off] & 0xc0) == 0x80)
			off++;
		col++;
	}
	*cur = (struct mark_cursor){.line = m->line, .col = col, .off = off, .valid = true};
	return off;
}

static int add_kid(struct ynode *parent, struct ynode *kid)
{
	if ((parent->n & (parent->n - 1)) == 0) {
		struct ynode **p =
			reallocarray(parent->kids, parent->n ? parent->n * 2 : 1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		parent->kids = p;
	}
	parent->kids[parent->n++] = kid;
	return 0;
}

/* YAML anchors (&name) seen so far, for aliases (*name): the latest definition wins. */
#define YDOC_ANCHORS_MAX 65536

struct anchor {
	char *name;
	struct ynode *node;
};

struct anchors {
	struct anchor *a;
	size_t n;
};

static void anchors_done(struct anchors *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->a[i].name);
	free(t->a);
	memset(t, 0, sizeof(*t));
}

static int anchors_add(struct anchors *t, const char *name, struct ynode *node)
{
	struct anchor *p;

	if (t->n >= YDOC_ANCHORS_MAX)
		return -E2BIG;
	p = reallocarray(t->a, t->n + 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	t->a = p;
	t->a[t->n].name = strdup(name);
	if (!t->a[t->n].name)
		return -ENOMEM;
	t->a[t->n++].node = node;
	return 0;
}

static struct ynode *anchors_find(const struct anchors *t, const char *name)
{
	for (size_t i = t->n; i-- > 0;)
		if (strcmp(t->a[i].name, name) == 0)
			return t->a[i].node;
	return NULL;
}

/* Nodes and depth of a subtree (to bound what an alias copies). */
static void ynode_measure(const struct ynode *n, size_t *nodes, unsigned depth, unsigned *ret_depth)
{
	(*nodes)++;
	if (depth > *ret_depth)
		*ret_depth = depth;
	for (size_t i = 0; i < n->n; i++)
		ynode_measure(n->kids[i], nodes, depth + 1, ret_depth);
}

/* Deep copy of a subtree: an alias becomes a copy of what its anchor named, with the anchor's
 * positions (diagnostics point at the text that was written). */
static struct ynode *ynode_copy(const struct ynode *n)
{
	struct ynode *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	*c = *n;
	c->kids = NULL;
	c->n = 0;
	c->val = NULL;
	if (n->val && !(c->val = strndup(n->val, n->len)))
		goto fail;
	if (n->n) {
		c->kids = calloc(n->n, sizeof(*c->kids));
		if (!c->kids)
			goto fail;
		for (size_t i = 0; i < n->n; i++) {
			c->kids[i] = ynode_copy(n->kids[i]);
			if (!c->kids[i])
				goto fail;
			c->n++;
		}
	}
	return c;
fail:
	ynode_free(c);
	return NULL;
}

static int set_err(struct yaml_error *err, const yaml_mark_t *m, const char *hint, const char *msg)
{
	err->line = (unsigned)m->line + 1;
	err->col = (unsigned)m->column + 1;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
	snprintf(err->hint, sizeof(err->hint), "%s", hint ? hint : "");
	return -EINVAL;
}

int ydoc_parse(const char *buf, size_t len, const size_t *line_starts, size_t n_lines,
	       size_t max_nodes, unsigned max_depth, struct ydoc *ret, struct yaml_error *err)
{
	yaml_parser_t parser;
	struct mark_cursor cur = {};
	struct ynode *stack[256];
	unsigned depth = 0;
	struct ydoc d = {};
	struct ynode *root = NULL;
	struct anchors anchors = {};
	bool done = false;
	int r = 0;

	memset(err, 0, sizeof(*err));
	if (max_depth > ARRAY_SIZE(stack))
		max_depth = ARRAY_SIZE(stack);
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

	while (!done) {
		yaml_event_t ev;
		struct ynode *n = NULL;

		if (!yaml_parser_parse(&parser, &ev)) {
			char msg[256];

			if (parser.error == YAML_MEMORY_ERROR) {
				r = -ENOMEM;
				break;
			}
			snprintf(msg, sizeof(msg), "invalid YAML: %s%s%s",
				 parser.problem ? parser.problem : "syntax error",
				 parser.context ? " " : "", parser.context ? parser.context : "");
			r = set_err(err, &parser.problem_mark,
				    "check the indentation, quoting and ':' around this position",
				    msg);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			root = NULL;
			break;
		case YAML_DOCUMENT_END_EVENT: {
			struct ynode **p = reallocarray(d.roots, d.n_roots + 1, sizeof(*p));

			if (!p) {
				ynode_free(root);
				r = -ENOMEM;
				break;
			}
			d.roots = p;
			d.roots[d.n_roots++] = root;
			root = NULL;
			break;
		}
		case YAML_ALIAS_EVENT: {
			const char *name = (const char *)ev.data.alias.anchor;
			struct ynode *a = anchors_find(&anchors, name);
			size_t nodes = 0;
			unsigned sub_depth = 0;
			char msg[256];

			if (!a) {
				snprintf(msg, sizeof(msg), "YAML alias '*%.100s' has no anchor '&%.100s' "
					 "before it", name, name);
				r = set_err(err, &ev.start_mark, "define the anchor first", msg);
				break;
			}
			for (unsigned k = 0; k < depth; k++)
				if (stack[k] == a) {
					snprintf(msg, sizeof(msg), "YAML alias '*%.100s' refers to a "
						 "node that contains it", name);
					r = set_err(err, &ev.start_mark, NULL, msg);
					break;
				}
			if (r < 0)
				break;
			ynode_measure(a, &nodes, 0, &sub_depth);
			if (nodes > max_nodes - MIN(d.n_nodes, max_nodes)) {
				snprintf(msg, sizeof(msg),
					 "rules file has more than %zu YAML nodes (aliases expanded)",
					 max_nodes);
				r = set_err(err, &ev.start_mark, "use fewer or smaller aliases", msg);
				break;
			}
			if (depth + sub_depth >= max_depth) {
				snprintf(msg, sizeof(msg), "YAML nested deeper than %u levels", max_depth);
				r = set_err(err, &ev.start_mark, NULL, msg);
				break;
			}
			d.n_nodes += nodes;
			n = ynode_copy(a);
			if (!n) {
				r = -ENOMEM;
				break;
			}
			if (depth == 0) {
				ynode_free(root);
				root = n;
			} else if (add_kid(stack[depth - 1], n) < 0) {
				ynode_free(n);
				r = -ENOMEM;
			}
			break;
		}
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++d.n_nodes > max_nodes) {
				char msg[128];

				snprintf(msg, sizeof(msg),
					 "more than %zu YAML nodes in one file", max_nodes);
				r = set_err(err, &ev.start_mark,
					    "split it into several files", msg);
				break;
			}
			n = calloc(1, sizeof(*n));
			if (!n) {
				r = -ENOMEM;
				break;
			}
			n->line = (unsigned)ev.start_mark.line + 1;
			n->col = (unsigned)ev.start_mark.column + 1;
			n->start =
				mark_offset(buf, len, line_starts, n_lines, &cur, &ev.start_mark);
			n->end = mark_offset(buf, len, line_starts, n_lines, &cur, &ev.end_mark);
			if (ev.type == YAML_SCALAR_EVENT) {
				n->kind = YN_SCALAR;
				n->style = ev.data.scalar.style;
				n->len = ev.data.scalar.length;
				n->val = malloc(n->len + 1);
				if (!n->val) {
					free(n);
					r = -ENOMEM;
					break;
				}
				memcpy(n->val, ev.data.scalar.value, n->len);
				n->val[n->len] = 0;
			} else {
				n->kind = ev.type == YAML_SEQUENCE_START_EVENT ? YN_SEQ : YN_MAP;
			}
			if (depth == 0) {
				ynode_free(root);
				root = n;
			} else if (add_kid(stack[depth - 1], n) < 0) {
				ynode_free(n);
				r = -ENOMEM;
				break;
			}
			{
				const yaml_char_t *anchor =
					ev.type == YAML_SCALAR_EVENT ? ev.data.scalar.anchor
					: ev.type == YAML_SEQUENCE_START_EVENT
						? ev.data.sequence_start.anchor
						: ev.data.mapping_start.anchor;

				if (anchor) {
					r = anchors_add(&anchors, (const char *)anchor, n);
					if (r == -E2BIG)
						r = set_err(err, &ev.start_mark, NULL,
							    "more than 65536 YAML anchors");
					if (r < 0)
						break;
				}
			}
			if (n->kind != YN_SCALAR) {
				if (depth >= max_depth) {
					char msg[128];

					snprintf(msg, sizeof(msg),
						 "YAML nested deeper than %u levels", max_depth);
					r = set_err(err, &ev.start_mark, NULL, msg);
					break;
				}
				stack[depth++] = n;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0) {
				depth--;
				stack[depth]->end = mark_offset(buf, len, line_starts, n_lines,
								&cur, &ev.end_mark);
			}
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (r < 0)
			break;
	}
	yaml_parser_delete(&parser);
	anchors_done(&anchors);
	if (r < 0) {
		ynode_free(root); /* holds the whole unfinished tree */
		ydoc_done(&d);
		return r;
	}
	*ret = d;
	return 0;
}

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
	if (!map || map->kind != YN_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->kids[i]->kind == YN_SCALAR && strcmp(map->kids[i]->val, key) == 0)
			return map->kids[i + 1];
	return NULL;
}

bool ynode_is_null(const struct ynode *n)
{
	return n->kind == YN_SCALAR && n->style == YAML_PLAIN_SCALAR_STYLE &&
	       (n->len == 0 || strcmp(n->val, "~") == 0 || strcmp(n->val, "null") == 0 ||
		strcmp(n->val, "Null") == 0 || strcmp(n->val, "NULL") == 0);
}
