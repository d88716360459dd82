// SPDX-License-Identifier: Apache-2.0
/* Condition syntax trees: construction, copy, free and a canonical printer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "macro.h"

static const char *const op_names[_OP_MAX] = {
	[OP_EQ] = "=",
	[OP_NE] = "!=",
	[OP_LT] = "<",
	[OP_LE] = "<=",
	[OP_GT] = ">",
	[OP_GE] = ">=",
	[OP_CONTAINS] = "contains",
	[OP_ICONTAINS] = "icontains",
	[OP_BCONTAINS] = "bcontains",
	[OP_STARTSWITH] = "startswith",
	[OP_BSTARTSWITH] = "bstartswith",
	[OP_ENDSWITH] = "endswith",
	[OP_GLOB] = "glob",
	[OP_IGLOB] = "iglob",
	[OP_REGEX] = "regex",
	[OP_IN] = "in",
	[OP_INTERSECTS] = "intersects",
	[OP_PMATCH] = "pmatch",
	[OP_EXISTS] = "exists",
};

const char *cmp_op_name(enum cmp_op op)
{
	return (unsigned)op < _OP_MAX ? op_names[op] : "?";
}

bool cmp_op_is_list(enum cmp_op op)
{
	return op == OP_IN || op == OP_INTERSECTS || op == OP_PMATCH;
}

const char *xform_name(enum xform x)
{
	static const char *const names[_XF_MAX] = {
		[XF_TOLOWER] = "tolower",   [XF_TOUPPER] = "toupper", [XF_B64] = "b64",
		[XF_BASENAME] = "basename", [XF_LEN] = "len",
	};
	return (unsigned)x < _XF_MAX ? names[x] : "?";
}

struct ast_node *ast_node_new(enum ast_kind kind, uint32_t off, const struct cond_src *src)
{
	struct ast_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = kind;
	n->off = off;
	n->src = src;
	return n;
}

const char *mvx_name(enum mvx m)
{
	static const char *const names[] = {
		[MVX_NONE] = "", [MVX_JOIN] = "join", [MVX_CONCAT] = "concat", [MVX_GETOPT] = "getopt",
	};

	return m < _MVX_MAX ? names[m] : "?";
}

void ast_fieldexpr_done(struct ast_fieldexpr *f)
{
	free(f->name);
	free(f->arg);
	f->name = f->arg = NULL;
	for (size_t i = 0; i < f->n_mv_args; i++) {
		free(f->mv_args[i].lit);
		if (f->mv_args[i].field) {
			ast_fieldexpr_done(f->mv_args[i].field);
			free(f->mv_args[i].field);
		}
	}
	free(f->mv_args);
	f->mv_args = NULL;
	f->n_mv_args = 0;
}

void ast_values_free(struct ast_value *vals, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(vals[i].text);
		free(vals[i].bytes);
	}
	free(vals);
}

void ast_free(struct ast_node *n)
{
	if (!n)
		return;
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		for (size_t i = 0; i < n->bin.n; i++)
			ast_free(n->bin.kids[i]);
		free(n->bin.kids);
		break;
	case AST_NOT:
		ast_free(n->kid);
		break;
	case AST_CMP:
		ast_fieldexpr_done(&n->cmp.lhs);
		free(n->cmp.list_name);
		ast_values_free(n->cmp.vals, n->cmp.n_vals);
		if (n->cmp.rhs_field) {
			ast_fieldexpr_done(n->cmp.rhs_field);
			free(n->cmp.rhs_field);
		}
		break;
	case AST_MACRO:
		free(n->macro);
		break;
	}
	free(n);
}

int ast_bin_add(struct ast_node *bin, struct ast_node *kid)
{
	struct ast_node **p;

	if ((bin->bin.n & (bin->bin.n - 1)) == 0) { /* grow at powers of two */
		p = reallocarray(bin->bin.kids, bin->bin.n ? bin->bin.n * 2 : 2, sizeof(*p));
		if (!p)
			return -ENOMEM;
		bin->bin.kids = p;
	}
	bin->bin.kids[bin->bin.n++] = kid;
	return 0;
}

int ast_fieldexpr_copy(struct ast_fieldexpr *dst, const struct ast_fieldexpr *src)
{
	*dst = *src;
	dst->name = dst->arg = NULL;
	dst->mv_args = NULL;
	dst->n_mv_args = 0;
	if (src->name && !(dst->name = strdup(src->name)))
		goto fail;
	if (src->arg && !(dst->arg = strdup(src->arg)))
		goto fail;
	if (src->n_mv_args) {
		dst->mv_args = calloc(src->n_mv_args, sizeof(*dst->mv_args));
		if (!dst->mv_args)
			goto fail;
		for (size_t i = 0; i < src->n_mv_args; i++) {
			const struct ast_mvarg *a = &src->mv_args[i];
			struct ast_mvarg *b = &dst->mv_args[i];

			dst->n_mv_args++;
			b->off = a->off;
			if (a->lit && !(b->lit = strdup(a->lit)))
				goto fail;
			if (a->field) {
				b->field = calloc(1, sizeof(*b->field));
				if (!b->field || ast_fieldexpr_copy(b->field, a->field) < 0) {
					free(b->field);
					b->field = NULL;
					goto fail;
				}
			}
		}
	}
	return 0;
fail:
	ast_fieldexpr_done(dst);
	return -ENOMEM;
}

int ast_value_push(struct ast_value **vals, size_t *n, const char *text, size_t len, uint32_t off,
		   const struct cond_src *src, bool quoted)
{
	struct ast_value *p, *v;

	if ((*n & (*n - 1)) == 0) {
		p = reallocarray(*vals, *n ? *n * 2 : 1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		*vals = p;
	}
	v = &(*vals)[*n];
	memset(v, 0, sizeof(*v));
	v->text = strndup(text, len);
	if (!v->text)
		return -ENOMEM;
	v->off = off;
	v->src = src;
	v->quoted = quoted;
	(*n)++;
	return 0;
}

struct ast_node *ast_clone(const struct ast_node *n)
{
	_cleanup_(ast_freep) struct ast_node *c = ast_node_new(n->kind, n->off, n->src);

	if (!c)
		return NULL;
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		for (size_t i = 0; i < n->bin.n; i++) {
			struct ast_node *k = ast_clone(n->bin.kids[i]);

			if (!k || ast_bin_add(c, k) < 0) {
				ast_free(k);
				return NULL;
			}
		}
		break;
	case AST_NOT:
		c->kid = ast_clone(n->kid);
		if (!c->kid)
			return NULL;
		break;
	case AST_CMP:
		c->cmp.op = n->cmp.op;
		c->cmp.is_list = n->cmp.is_list;
		if (ast_fieldexpr_copy(&c->cmp.lhs, &n->cmp.lhs) < 0)
			return NULL;
		if (n->cmp.list_name && !(c->cmp.list_name = strdup(n->cmp.list_name)))
			return NULL;
		for (size_t i = 0; i < n->cmp.n_vals; i++) {
			const struct ast_value *v = &n->cmp.vals[i];

			if (ast_value_push(&c->cmp.vals, &c->cmp.n_vals, v->text, strlen(v->text),
					   v->off, v->src, v->quoted) < 0)
				return NULL;
		}
		if (n->cmp.rhs_field) {
			c->cmp.rhs_field = calloc(1, sizeof(*c->cmp.rhs_field));
			if (!c->cmp.rhs_field ||
			    ast_fieldexpr_copy(c->cmp.rhs_field, n->cmp.rhs_field) < 0)
				return NULL;
		}
		break;
	case AST_MACRO:
		c->macro = strdup(n->macro);
		if (!c->macro)
			return NULL;
		break;
	}
	return TAKE_PTR(c);
}

size_t ast_count(const struct ast_node *n)
{
	size_t c = 1;

	if (n->kind == AST_AND || n->kind == AST_OR)
		for (size_t i = 0; i < n->bin.n; i++)
			c += ast_count(n->bin.kids[i]);
	else if (n->kind == AST_NOT)
		c += ast_count(n->kid);
	return c;
}

struct sbuf {
	char *buf;
	size_t size, len;
};

static void _printf_(2, 3) sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->len < b->size ? b->buf + b->len : NULL,
		      b->len < b->size ? b->size - b->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

static void format_quoted(struct sbuf *b, const char *text);

static void format_field(struct sbuf *b, const struct ast_fieldexpr *f)
{
	for (unsigned i = 0; i < f->n_xf; i++)
		sb_printf(b, "%s(", xform_name(f->xf[i]));
	if (f->mv) {
		sb_printf(b, "%s(", mvx_name(f->mv));
		for (size_t i = 0; i < f->n_mv_args; i++) {
			if (i)
				sb_printf(b, ", ");
			if (f->mv_args[i].field)
				format_field(b, f->mv_args[i].field);
			else
				format_quoted(b, f->mv_args[i].lit); /* arguments are quoted */
		}
		sb_printf(b, ")");
		if (f->arg)
			sb_printf(b, "[%s]", f->arg);
		for (unsigned i = 0; i < f->n_xf; i++)
			sb_printf(b, ")");
		return;
	}
	sb_printf(b, "%s", f->name);
	if (f->arg)
		sb_printf(b, "[%s]", f->arg);
	for (unsigned i = 0; i < f->n_xf; i++)
		sb_printf(b, ")");
}

static void format_quoted(struct sbuf *b, const char *text)
{
	sb_printf(b, "\"");
	for (const char *p = text; *p; p++)
		sb_printf(b, (*p == '"' || *p == '\\') ? "\\%c" : "%c", *p);
	sb_printf(b, "\"");
}

static void format_value(struct sbuf *b, const struct ast_value *v)
{
	bool plain = *v->text && !strpbrk(v->text, " \t\r\n(),=\"'\\");

	if (plain) {
		sb_printf(b, "%s", v->text);
		return;
	}
	format_quoted(b, v->text);
}

static void format_node(struct sbuf *b, const struct ast_node *n)
{
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		sb_printf(b, "(");
		for (size_t i = 0; i < n->bin.n; i++) {
			if (i)
				sb_printf(b, n->kind == AST_AND ? " and " : " or ");
			format_node(b, n->bin.kids[i]);
		}
		sb_printf(b, ")");
		break;
	case AST_NOT:
		sb_printf(b, "not ");
		format_node(b, n->kid);
		break;
	case AST_MACRO:
		sb_printf(b, "%s", n->macro);
		break;
	case AST_CMP:
		format_field(b, &n->cmp.lhs);
		sb_printf(b, " %s", cmp_op_name(n->cmp.op));
		if (n->cmp.op == OP_EXISTS)
			break;
		sb_printf(b, " ");
		if (n->cmp.rhs_field) {
			sb_printf(b, "val(");
			format_field(b, n->cmp.rhs_field);
			sb_printf(b, ")");
		} else if (n->cmp.list_name) {
			sb_printf(b, "%s", n->cmp.list_name);
		} else if (n->cmp.is_list) {
			sb_printf(b, "(");
			for (size_t i = 0; i < n->cmp.n_vals; i++) {
				if (i)
					sb_printf(b, ", ");
				format_value(b, &n->cmp.vals[i]);
			}
			sb_printf(b, ")");
		} else if (n->cmp.n_vals) {
			format_value(b, &n->cmp.vals[0]);
		}
		break;
	}
}

size_t ast_format(const struct ast_node *n, char *buf, size_t size)
{
	struct sbuf b = {.buf = buf, .size = size};

	if (size)
		buf[0] = 0;
	format_node(&b, n);
	if (size && b.len >= size)
		buf[size - 1] = 0;
	return b.len;
}
