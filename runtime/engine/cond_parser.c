// SPDX-License-Identifier: Apache-2.0
/* Recursive-descent parser of Falco conditions; see cond_parser.h for the grammar. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond_parser.h"
#include "macro.h"

struct parser {
	const char *s;
	size_t len, pos;
	const struct cond_src *src;
	unsigned depth;
	size_t nodes;
	struct cond_error *err;
	bool failed;
};

static const struct {
	const char *word;
	enum cmp_op op;
} word_ops[] = {
	{"contains", OP_CONTAINS},
	{"icontains", OP_ICONTAINS},
	{"bcontains", OP_BCONTAINS},
	{"startswith", OP_STARTSWITH},
	{"bstartswith", OP_BSTARTSWITH},
	{"endswith", OP_ENDSWITH},
	{"glob", OP_GLOB},
	{"iglob", OP_IGLOB},
	{"regex", OP_REGEX},
	{"in", OP_IN},
	{"intersects", OP_INTERSECTS},
	{"pmatch", OP_PMATCH},
	{"exists", OP_EXISTS},
};

static const struct {
	const char *word;
	enum xform xf;
} xforms[] = {
	{"tolower", XF_TOLOWER},   {"toupper", XF_TOUPPER}, {"b64", XF_B64},
	{"basename", XF_BASENAME}, {"len", XF_LEN},
};

static int _printf_(4, 5) fail(struct parser *p, size_t off, const char *hint, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return -EINVAL;
	p->failed = true;
	p->err->off = (uint32_t)off;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	snprintf(p->err->hint, sizeof(p->err->hint), "%s", hint ? hint : "");
	return -EINVAL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
	       c == '\b';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_ident_char(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

/* Characters of a bare (unquoted) value, as Falco: anything but blanks, ( ) , = and quotes. */
static bool is_bare_char(char c)
{
	return c && !is_space(c) && !strchr("(),=\"'", c);
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && is_space(p->s[p->pos]))
		p->pos++;
}

static char peek(struct parser *p)
{
	return p->pos < p->len ? p->s[p->pos] : 0;
}

/* Length of an identifier at pos (letters first, then letters, digits, _). */
static size_t ident_len(struct parser *p, size_t pos)
{
	size_t i = pos;

	if (i >= p->len || !is_alpha(p->s[i]))
		return 0;
	while (i < p->len && is_ident_char(p->s[i]))
		i++;
	return i - pos;
}

/* True if the word w is at pos and not followed by an identifier character. */
static bool word_at(struct parser *p, size_t pos, const char *w)
{
	size_t n = strlen(w);

	return pos + n <= p->len && memcmp(p->s + pos, w, n) == 0 &&
	       (pos + n == p->len || !is_ident_char(p->s[pos + n]));
}

static struct ast_node *new_node(struct parser *p, enum ast_kind kind, size_t off)
{
	struct ast_node *n;

	if (++p->nodes > COND_NODES_MAX) {
		fail(p, off, "split the condition into macros or shorten it",
		     "condition has more than %u nodes", COND_NODES_MAX);
		return NULL;
	}
	n = ast_node_new(kind, (uint32_t)off, p->src);
	if (!n)
		fail(p, off, NULL, "out of memory");
	return n;
}

static int enter(struct parser *p)
{
	if (++p->depth > COND_DEPTH_MAX)
		return fail(p, p->pos, "reduce the nesting of parentheses and 'not'",
			    "condition nested deeper than %u levels", COND_DEPTH_MAX);
	return 0;
}

/* Quoted string at pos (quote char q): unescapes into a new string. */
static int parse_quoted(struct parser *p, char **ret, size_t *ret_len)
{
	char q = p->s[p->pos];
	size_t start = p->pos++;
	_cleanup_free_ char *out = malloc(p->len - start + 1);
	size_t n = 0;

	if (!out)
		return fail(p, start, NULL, "out of memory");
	while (p->pos < p->len && p->s[p->pos] != q) {
		char c = p->s[p->pos++];

		if (c == '\\' && p->pos < p->len) {
			char e = p->s[p->pos++];

			switch (e) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case '\\':
			case '"':
			case '\'':
				c = e;
				break;
			default:
				out[n++] = '\\';
				c = e;
			}
		}
		out[n++] = c;
	}
	if (p->pos >= p->len)
		return fail(p, start, "close the string with a matching quote",
			    "unterminated quoted string");
	p->pos++; /* closing quote */
	out[n] = 0;
	*ret_len = n;
	*ret = TAKE_PTR(out);
	return 0;
}

/* field := name ('.' name)* ['[' arg ']'] with at least one dot. */
static int parse_field(struct parser *p, struct ast_fieldexpr *f)
{
	size_t start = p->pos, i = p->pos;
	bool dot = false;

	if (!ident_len(p, i))
		return fail(p, start,
			    "a check starts with a field (e.g. proc.name), a macro, 'not' or '('",
			    "expected a field name");
	while (i < p->len && (is_ident_char(p->s[i]) || p->s[i] == '.')) {
		if (p->s[i] == '.')
			dot = true;
		i++;
	}
	if (!dot)
		return fail(p, start, NULL, "expected a field name, got '%.*s'", (int)(i - start),
			    p->s + start);
	f->name = strndup(p->s + start, i - start);
	if (!f->name)
		return fail(p, start, NULL, "out of memory");
	f->off = (uint32_t)start;
	p->pos = i;
	if (peek(p) == '[') {
		size_t astart = ++p->pos;

		if (peek(p) == '"' || peek(p) == '\'') {
			size_t n;

			if (parse_quoted(p, &f->arg, &n) < 0)
				return -EINVAL;
		} else {
			while (p->pos < p->len && p->s[p->pos] != ']')
				p->pos++;
			f->arg = strndup(p->s + astart, p->pos - astart);
			if (!f->arg)
				return fail(p, astart, NULL, "out of memory");
		}
		if (peek(p) != ']')
			return fail(p, astart - 1, "close the field argument with ']'",
				    "unterminated field argument");
		p->pos++;
	}
	return 0;
}

static int transformer_at(struct parser *p, size_t pos, enum xform *ret)
{
	for (size_t k = 0; k < ARRAY_SIZE(xforms); k++) {
		size_t n = strlen(xforms[k].word);

		if (word_at(p, pos, xforms[k].word)) {
			size_t j = pos + n;

			while (j < p->len && is_space(p->s[j]))
				j++;
			if (j < p->len && p->s[j] == '(') {
				*ret = xforms[k].xf;
				return (int)(j - pos + 1);
			}
		}
	}
	return 0;
}

static const struct {
	const char *word;
	enum mvx mv;
} mvxs[] = {
	{"join", MVX_JOIN},
	{"concat", MVX_CONCAT},
	{"getopt", MVX_GETOPT},
};

/* join( / concat( / getopt( at pos: the length up to and with '(', 0 if none. */
static int mvx_at(struct parser *p, size_t pos, enum mvx *ret)
{
	for (size_t k = 0; k < ARRAY_SIZE(mvxs); k++) {
		size_t n = strlen(mvxs[k].word);

		if (word_at(p, pos, mvxs[k].word)) {
			size_t j = pos + n;

			while (j < p->len && is_space(p->s[j]))
				j++;
			if (j < p->len && p->s[j] == '(') {
				*ret = mvxs[k].mv;
				return (int)(j - pos + 1);
			}
		}
	}
	return 0;
}

static int parse_fieldexpr(struct parser *p, struct ast_fieldexpr *f);

/* The arguments of join/concat/getopt after its '(', the ')', and getopt's [c]. */
static int parse_mvx(struct parser *p, struct ast_fieldexpr *f, size_t start)
{
	if (enter(p) < 0)
		return -EINVAL;
	f->name = strdup(mvx_name(f->mv));
	if (!f->name)
		return fail(p, start, NULL, "out of memory");
	f->off = (uint32_t)start;
	for (;;) {
		struct ast_mvarg *a;
		char c;

		skip_ws(p);
		if (f->n_mv_args >= MVX_ARGS_MAX)
			return fail(p, p->pos, NULL, "%s() takes at most %u arguments",
				    mvx_name(f->mv), MVX_ARGS_MAX);
		if (!f->mv_args) {
			f->mv_args = calloc(MVX_ARGS_MAX, sizeof(*f->mv_args));
			if (!f->mv_args)
				return fail(p, p->pos, NULL, "out of memory");
		}
		a = &f->mv_args[f->n_mv_args++];
		a->off = (uint32_t)p->pos;
		c = peek(p);
		if (c == '"' || c == '\'') {
			size_t n;

			if (parse_quoted(p, &a->lit, &n) < 0)
				return -EINVAL;
		} else {
			a->field = calloc(1, sizeof(*a->field));
			if (!a->field)
				return fail(p, p->pos, NULL, "out of memory");
			if (parse_fieldexpr(p, a->field) < 0)
				return -EINVAL;
		}
		skip_ws(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == ')') {
			p->pos++;
			break;
		}
		return fail(p, p->pos, "arguments are fields or quoted strings, separated by ','",
			    "expected ',' or ')' in the arguments of %s()", mvx_name(f->mv));
	}
	if (f->mv == MVX_GETOPT && peek(p) == '[') {
		size_t astart = ++p->pos;

		while (p->pos < p->len && p->s[p->pos] != ']')
			p->pos++;
		if (p->pos >= p->len)
			return fail(p, astart - 1, "close the selector with ']'",
				    "unterminated getopt() selector");
		f->arg = strndup(p->s + astart, p->pos - astart);
		if (!f->arg)
			return fail(p, astart, NULL, "out of memory");
		p->pos++;
	}
	p->depth--;
	return 0;
}

static int parse_fieldexpr(struct parser *p, struct ast_fieldexpr *f)
{
	size_t start = p->pos;
	unsigned n_xf = 0;
	enum xform xf;
	enum mvx mv;
	int n;

	while ((n = transformer_at(p, p->pos, &xf)) > 0) {
		if (n_xf >= XFORM_MAX)
			return fail(p, p->pos, NULL, "more than %u nested transformers", XFORM_MAX);
		f->xf[n_xf++] = xf;
		p->pos += (size_t)n;
		skip_ws(p);
	}
	f->n_xf = (uint8_t)n_xf;
	if ((n = mvx_at(p, p->pos, &mv)) > 0) {
		size_t at = p->pos;

		f->mv = (uint8_t)mv;
		p->pos += (size_t)n;
		if (parse_mvx(p, f, at) < 0)
			return -EINVAL;
	} else if (parse_field(p, f) < 0)
		return -EINVAL;
	for (unsigned k = 0; k < n_xf; k++) {
		skip_ws(p);
		if (peek(p) != ')')
			return fail(p, p->pos, "close the transformer's parenthesis",
				    "expected ')' after the argument of %s()",
				    xform_name(f->xf[n_xf - 1 - k]));
		p->pos++;
	}
	if (n_xf)
		f->off = (uint32_t)start;
	return 0;
}

/* Reads an operator; returns -EINVAL with a message naming what was found. */
static int parse_op(struct parser *p, enum cmp_op *ret)
{
	size_t start = p->pos;
	char c = peek(p), c2 = p->pos + 1 < p->len ? p->s[p->pos + 1] : 0;
	size_t n;

	switch (c) {
	case '=':
		*ret = OP_EQ;
		p->pos += c2 == '=' ? 2 : 1;
		return 0;
	case '!':
		if (c2 == '=') {
			*ret = OP_NE;
			p->pos += 2;
			return 0;
		}
		break;
	case '<':
		*ret = c2 == '=' ? OP_LE : OP_LT;
		p->pos += c2 == '=' ? 2 : 1;
		return 0;
	case '>':
		*ret = c2 == '=' ? OP_GE : OP_GT;
		p->pos += c2 == '=' ? 2 : 1;
		return 0;
	}
	for (size_t k = 0; k < ARRAY_SIZE(word_ops); k++)
		if (word_at(p, p->pos, word_ops[k].word)) {
			*ret = word_ops[k].op;
			p->pos += strlen(word_ops[k].word);
			return 0;
		}
	n = ident_len(p, start);
	if (!n)
		while (start + n < p->len && is_bare_char(p->s[start + n]) && n < 32)
			n++;
	if (!n)
		return fail(p, start,
			    "operators: = != < <= > >= contains icontains bcontains startswith "
			    "bstartswith endswith glob iglob regex in intersects pmatch exists",
			    "expected an operator after the field, got %s",
			    start >= p->len ? "end of condition" : "punctuation");
	return fail(p, start,
		    "operators: = != < <= > >= contains icontains bcontains startswith "
		    "bstartswith endswith glob iglob regex in intersects pmatch exists",
		    "unknown operator '%.*s'", (int)n, p->s + start);
}

static int parse_value(struct parser *p, struct ast_node *n, bool in_list)
{
	size_t start = p->pos;
	char c = peek(p);

	if (c == '"' || c == '\'') {
		_cleanup_free_ char *s = NULL;
		size_t len;

		if (parse_quoted(p, &s, &len) < 0)
			return -EINVAL;
		if (n->cmp.n_vals >= COND_LIST_MAX)
			return fail(p, start, NULL, "list has more than %u values", COND_LIST_MAX);
		if (ast_value_push(&n->cmp.vals, &n->cmp.n_vals, s, len, (uint32_t)start, p->src,
				   true) < 0)
			return fail(p, start, NULL, "out of memory");
		return 0;
	}
	while (p->pos < p->len && is_bare_char(p->s[p->pos]))
		p->pos++;
	if (p->pos == start)
		return fail(p, start,
			    in_list ? "list items are separated by ',' and end with ')'"
				    : "quote values that contain blanks, parentheses or ','",
			    "expected a value, got %s",
			    start >= p->len ? "end of condition" : "punctuation");
	if (n->cmp.n_vals >= COND_LIST_MAX)
		return fail(p, start, NULL, "list has more than %u values", COND_LIST_MAX);
	if (ast_value_push(&n->cmp.vals, &n->cmp.n_vals, p->s + start, p->pos - start,
			   (uint32_t)start, p->src, false) < 0)
		return fail(p, start, NULL, "out of memory");
	return 0;
}

static int parse_operand(struct parser *p, struct ast_node *n)
{
	size_t start;

	skip_ws(p);
	start = p->pos;
	if (cmp_op_is_list(n->cmp.op)) {
		n->cmp.is_list = true;
		if (peek(p) != '(') {
			size_t l = ident_len(p, start);

			if (!l)
				return fail(p, start,
					    "e.g. proc.name in (bash, sh) or proc.name in "
					    "shell_binaries",
					    "'%s' needs a list in parentheses or a list name",
					    cmp_op_name(n->cmp.op));
			n->cmp.list_name = strndup(p->s + start, l);
			if (!n->cmp.list_name)
				return fail(p, start, NULL, "out of memory");
			p->pos += l;
			if (ast_value_push(&n->cmp.vals, &n->cmp.n_vals, n->cmp.list_name, l,
					   (uint32_t)start, p->src, false) < 0)
				return fail(p, start, NULL, "out of memory");
			return 0;
		}
		p->pos++;
		skip_ws(p);
		if (peek(p) == ')') {
			p->pos++;
			return 0;
		}
		for (;;) {
			skip_ws(p);
			if (parse_value(p, n, true) < 0)
				return -EINVAL;
			skip_ws(p);
			if (peek(p) == ',') {
				p->pos++;
				continue;
			}
			if (peek(p) == ')') {
				p->pos++;
				return 0;
			}
			return fail(p, p->pos, "list items are separated by ',' and end with ')'",
				    "expected ',' or ')' in list, got %s",
				    p->pos >= p->len ? "end of condition" : "another token");
		}
	}
	{
		enum xform xf;
		enum mvx mv;

		/* a transformer on the right: proc.name = tolower(proc.pname), as Falco */
		if (transformer_at(p, start, &xf) || mvx_at(p, start, &mv)) {
			n->cmp.rhs_field = calloc(1, sizeof(*n->cmp.rhs_field));
			if (!n->cmp.rhs_field)
				return fail(p, start, NULL, "out of memory");
			return parse_fieldexpr(p, n->cmp.rhs_field);
		}
	}
	if (word_at(p, start, "val") && start + 3 < p->len && p->s[start + 3] == '(') {
		p->pos += 4;
		skip_ws(p);
		n->cmp.rhs_field = calloc(1, sizeof(*n->cmp.rhs_field));
		if (!n->cmp.rhs_field)
			return fail(p, start, NULL, "out of memory");
		if (parse_fieldexpr(p, n->cmp.rhs_field) < 0)
			return -EINVAL;
		skip_ws(p);
		if (peek(p) != ')')
			return fail(p, p->pos, NULL, "expected ')' to close val(");
		p->pos++;
		return 0;
	}
	if (peek(p) == '(')
		return fail(p, start, "use 'in' or 'intersects' for a list of values",
			    "operator '%s' takes one value, not a list", cmp_op_name(n->cmp.op));
	return parse_value(p, n, false);
}

static struct ast_node *parse_or(struct parser *p);

static struct ast_node *parse_check(struct parser *p)
{
	_cleanup_(ast_freep) struct ast_node *n = NULL;
	size_t start;
	enum xform xf;

	skip_ws(p);
	start = p->pos;
	if (peek(p) == '(') {
		if (enter(p) < 0)
			return NULL;
		p->pos++;
		n = parse_or(p);
		if (!n)
			return NULL;
		p->depth--;
		skip_ws(p);
		if (peek(p) != ')') {
			fail(p, p->pos, "every '(' needs a matching ')'",
			     p->pos >= p->len
				     ? "missing ')' at end of condition (opened at offset %zu)"
				     : "expected ')' (to close the '(' at offset %zu) or "
				       "'and'/'or'",
			     start);
			return NULL;
		}
		p->pos++;
		return TAKE_PTR(n);
	}
	if (p->pos >= p->len) {
		fail(p, start, NULL, "unexpected end of condition: expected a check");
		return NULL;
	}
	/* A macro: an identifier not followed by '.', '[' or '('. */
	if (!transformer_at(p, start, &xf) && !mvx_at(p, start, &(enum mvx){MVX_NONE})) {
		size_t l = ident_len(p, start);

		if (l && (start + l == p->len || !strchr(".[(", p->s[start + l]))) {
			if (word_at(p, start, "and") || word_at(p, start, "or")) {
				fail(p, start, NULL, "unexpected '%.*s': expected a check", (int)l,
				     p->s + start);
				return NULL;
			}
			n = new_node(p, AST_MACRO, start);
			if (!n)
				return NULL;
			n->macro = strndup(p->s + start, l);
			if (!n->macro) {
				fail(p, start, NULL, "out of memory");
				return NULL;
			}
			p->pos += l;
			return TAKE_PTR(n);
		}
	}
	n = new_node(p, AST_CMP, start);
	if (!n)
		return NULL;
	if (parse_fieldexpr(p, &n->cmp.lhs) < 0)
		return NULL;
	skip_ws(p);
	if (parse_op(p, &n->cmp.op) < 0)
		return NULL;
	if (n->cmp.op != OP_EXISTS && parse_operand(p, n) < 0)
		return NULL;
	return TAKE_PTR(n);
}

static struct ast_node *parse_not(struct parser *p)
{
	size_t start;

	skip_ws(p);
	start = p->pos;
	if (word_at(p, start, "not") ||
	    (p->pos + 3 < p->len && memcmp(p->s + start, "not(", 4) == 0)) {
		_cleanup_(ast_freep) struct ast_node *n = NULL;

		if (enter(p) < 0)
			return NULL;
		p->pos += 3;
		n = new_node(p, AST_NOT, start);
		if (!n)
			return NULL;
		n->kid = parse_not(p);
		if (!n->kid)
			return NULL;
		p->depth--;
		return TAKE_PTR(n);
	}
	return parse_check(p);
}

static struct ast_node *parse_bin(struct parser *p, enum ast_kind kind)
{
	const char *word = kind == AST_AND ? "and" : "or";
	_cleanup_(ast_freep) struct ast_node *first = NULL, *bin = NULL;

	first = kind == AST_AND ? parse_not(p) : parse_bin(p, AST_AND);
	if (!first)
		return NULL;
	for (;;) {
		struct ast_node *next;
		size_t at;

		skip_ws(p);
		at = p->pos;
		if (!word_at(p, at, word) &&
		    !(p->pos + strlen(word) < p->len && p->s[at + strlen(word)] == '(' &&
		      memcmp(p->s + at, word, strlen(word)) == 0))
			break;
		p->pos += strlen(word);
		if (!bin) {
			bin = new_node(p, kind, first->off);
			if (!bin || ast_bin_add(bin, first) < 0) {
				fail(p, at, NULL, "out of memory");
				return NULL;
			}
			first = NULL;
		}
		next = kind == AST_AND ? parse_not(p) : parse_bin(p, AST_AND);
		if (!next)
			return NULL;
		if (ast_bin_add(bin, next) < 0) {
			ast_free(next);
			fail(p, at, NULL, "out of memory");
			return NULL;
		}
	}
	return bin ? TAKE_PTR(bin) : TAKE_PTR(first);
}

static struct ast_node *parse_or(struct parser *p)
{
	return parse_bin(p, AST_OR);
}

int cond_parse(const char *text, size_t len, const struct cond_src *src, struct ast_node **ret,
	       struct cond_error *err)
{
	struct parser p = {.s = text, .len = len, .src = src, .err = err};
	_cleanup_(ast_freep) struct ast_node *n = NULL;

	memset(err, 0, sizeof(*err));
	if (len > COND_TEXT_MAX)
		return fail(&p, 0, "split it into macros", "condition longer than %u bytes",
			    COND_TEXT_MAX);
	if (memchr(text, 0, len))
		return fail(&p, (size_t)((const char *)memchr(text, 0, len) - text), NULL,
			    "condition contains a NUL byte");
	skip_ws(&p);
	if (p.pos >= len)
		return fail(&p, p.pos, "write a condition, e.g. evt.type = execve",
			    "empty condition");
	n = parse_or(&p);
	if (!n) {
		if (!p.failed)
			fail(&p, p.pos, NULL, "out of memory");
		return p.err->msg[0] && strcmp(p.err->msg, "out of memory") == 0 ? -ENOMEM
										 : -EINVAL;
	}
	skip_ws(&p);
	if (p.pos < len) {
		size_t l = 0;

		while (p.pos + l < len && !is_space(text[p.pos + l]) && l < 32)
			l++;
		if (text[p.pos] == ')')
			return fail(&p, p.pos, "remove it or add the matching '('",
				    "unmatched ')'");
		return fail(&p, p.pos, "checks are joined with 'and' / 'or'",
			    "unexpected '%.*s' after a complete check", (int)l, text + p.pos);
	}
	*ret = TAKE_PTR(n);
	return 0;
}
