// SPDX-License-Identifier: Apache-2.0
/* Macro/list expansion, field resolution, type checks, exceptions, outputs, event-type sets. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond_parser.h"
#include "macro.h"
#include "parse.h"
#include "rules_append.h"
#include "rules_compile.h"
#include "rx.h"

struct reported {
	const struct cond_src *src;
	uint32_t off;
};

struct compiler {
	struct ruleset *rs;
	struct diag_list *diags;
	struct rules_rule *rule;
	const struct field_source *fields; /* the current rule's source */
	const char *macro_stack[RULES_MACRO_DEPTH_MAX];
	unsigned depth;
	size_t nodes;
	bool failed;  /* an error in the current rule */
	bool unknown; /* an unknown field in the current rule */
	int r;	      /* -ENOMEM */
	struct reported *seen;
	size_t n_seen;
};

/* Errors in macros are reported once per position, not once per rule that uses the macro. */
static bool already_reported(struct compiler *C, const struct cond_src *src, uint32_t off)
{
	for (size_t i = 0; i < C->n_seen; i++)
		if (C->seen[i].src == src && C->seen[i].off == off)
			return true;
	if (C->n_seen < 4096) {
		struct reported *p = reallocarray(C->seen, C->n_seen + 1, sizeof(*p));

		if (p) {
			C->seen = p;
			C->seen[C->n_seen++] = (struct reported){src, off};
		}
	}
	return false;
}

static void _printf_(6, 7)
	report(struct compiler *C, enum diag_severity sev, const struct cond_src *src, uint32_t off,
	       const char *hint, const char *fmt, ...)
{
	const char *file = NULL;
	unsigned line = 0, col = 0;
	char msg[768], ctx[256] = "";
	va_list ap;

	if (sev == DIAG_ERROR)
		C->failed = true;
	if (src && already_reported(C, src, off)) {
		if (sev == DIAG_ERROR)
			C->diags->n_errors++; /* still an error for this rule, shown once */
		return;
	}
	if (C->diags->n >= DIAG_MAX) { /* not stored: skip formatting and position lookup */
		diag_add(C->diags, sev, NULL, 0, 0, NULL, "(dropped)");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (src)
		cond_src_position(src, off, &file, &line, &col);
	if (C->depth > 0 && C->rule)
		snprintf(ctx, sizeof(ctx), " (in macro '%s', used by rule '%s')",
			 C->macro_stack[C->depth - 1], C->rule->name);
	else if (C->rule)
		snprintf(ctx, sizeof(ctx), " (in rule '%s')", C->rule->name);
	if (!file && C->rule && C->rule->pos.file) {
		file = C->rule->pos.file->path;
		line = C->rule->pos.line;
		col = C->rule->pos.col;
	}
	if (diag_add(C->diags, sev, file, line, col, hint, "%s%s", msg, ctx) < 0)
		C->r = -ENOMEM;
}

#define cerror(C, src, off, hint, ...) report(C, DIAG_ERROR, src, off, hint, __VA_ARGS__)
#define cwarn(C, src, off, hint, ...)  report(C, DIAG_WARNING, src, off, hint, __VA_ARGS__)

int cmp_op_from_string(const char *s)
{
	if (strcmp(s, "==") == 0)
		return OP_EQ;
	for (int i = 0; i < _OP_MAX; i++)
		if (strcmp(s, cmp_op_name(i)) == 0)
			return i;
	return -EINVAL;
}

/* ---- types and operators ---- */

static bool is_stringish(enum field_type t)
{
	return t == FT_CHARBUF || t == FT_DYNAMIC || t == FT_BYTEBUF;
}

static bool op_allowed(enum field_type t, enum cmp_op op)
{
	if (op == OP_EXISTS)
		return true;
	/* On a single-valued field, intersects is `in` (as in Falco). */
	if (op == OP_INTERSECTS)
		op = OP_IN;
	switch (t) {
	case FT_DYNAMIC:
		return true;
	case FT_CHARBUF:
		return op != OP_LT && op != OP_LE && op != OP_GT && op != OP_GE;
	case FT_BYTEBUF:
		return op == OP_EQ || op == OP_NE || op == OP_CONTAINS || op == OP_BCONTAINS ||
		       op == OP_STARTSWITH || op == OP_BSTARTSWITH || op == OP_IN;
	case FT_BOOL:
	case FT_IPADDR:
	case FT_IPNET:
		return op == OP_EQ || op == OP_NE || op == OP_IN;
	default: /* numeric */
		return op == OP_EQ || op == OP_NE || op == OP_LT || op == OP_LE || op == OP_GT ||
		       op == OP_GE || op == OP_IN;
	}
}

static const char *ops_hint(enum field_type t)
{
	switch (t) {
	case FT_CHARBUF:
		return "string fields take = != contains icontains startswith endswith glob iglob "
		       "regex in pmatch exists";
	case FT_BYTEBUF:
		return "buffer fields take = != bcontains bstartswith contains startswith in "
		       "exists";
	case FT_BOOL:
		return "boolean fields take = != in exists";
	case FT_IPADDR:
	case FT_IPNET:
		return "address fields take = != in exists";
	default:
		return "numeric fields take = != < <= > >= in exists";
	}
}

static int resolve_fieldexpr(struct compiler *C, const struct cond_src *src,
			     struct ast_fieldexpr *f);

/* Whether a resolved argument of join/concat/getopt has several values. */
static bool mvarg_is_list(const struct ast_fieldexpr *a)
{
	return a->mv ? a->mv_list : (a->ref.info->flags & FF_LIST) != 0;
}

static bool mvarg_is_string(const struct ast_fieldexpr *a)
{
	return a->type == FT_CHARBUF || a->type == FT_DYNAMIC;
}

/*
 * join(sep, list), concat(a, b, ...), getopt(args, optstring)[c], with Falco's argument rules:
 * join's separator one value and its second argument a list; concat's arguments single
 * strings; getopt's first argument a list of strings (Osprey also takes a string field such as
 * proc.args, split at spaces: it has no argv list field) and its optstring one value; getopt's
 * selector one character. Literals are strings. At least one argument must be a field.
 */
static int resolve_mvx(struct compiler *C, const struct cond_src *src, struct ast_fieldexpr *f)
{
	const char *name = mvx_name(f->mv);
	const struct ast_fieldexpr *first = NULL;

	for (size_t i = 0; i < f->n_mv_args; i++) {
		struct ast_fieldexpr *a = f->mv_args[i].field;

		if (!a)
			continue;
		if (resolve_fieldexpr(C, src, a) < 0)
			return -EINVAL;
		if (!first)
			first = a;
	}
	if (!first) {
		cerror(C, src, f->off, "give it a field, e.g. concat(proc.name, \"-x\")",
		       "%s() of literals only: write the value instead", name);
		return -EINVAL;
	}
	switch (f->mv) {
	case MVX_JOIN:
		if (f->n_mv_args != 2) {
			cerror(C, src, f->off, "e.g. join(\",\", fdlist.names)",
			       "join() takes 2 arguments (separator, list), got %u", f->n_mv_args);
			return -EINVAL;
		}
		if (f->mv_args[0].field && (mvarg_is_list(f->mv_args[0].field) ||
					     !mvarg_is_string(f->mv_args[0].field))) {
			cerror(C, src, f->mv_args[0].off, NULL,
			       "join()'s separator must be a single string");
			return -EINVAL;
		}
		if (!f->mv_args[1].field || !mvarg_is_list(f->mv_args[1].field)) {
			cerror(C, src, f->mv_args[1].off, "e.g. fdlist.names",
			       "join()'s second argument must be a list field");
			return -EINVAL;
		}
		f->mv_list = false;
		break;
	case MVX_CONCAT:
		if (f->n_mv_args < 2) {
			cerror(C, src, f->off, NULL, "concat() takes at least 2 arguments, got %u",
			       f->n_mv_args);
			return -EINVAL;
		}
		for (size_t i = 0; i < f->n_mv_args; i++) {
			const struct ast_fieldexpr *a = f->mv_args[i].field;

			if (a && (mvarg_is_list(a) || !mvarg_is_string(a))) {
				cerror(C, src, f->mv_args[i].off, "apply it to string fields",
				       "concat()'s arguments must be single strings, '%s' is %s%s",
				       a->name, mvarg_is_list(a) ? "a list of " : "",
				       field_type_name(a->type));
				return -EINVAL;
			}
		}
		f->mv_list = false;
		break;
	case MVX_GETOPT:
		if (f->n_mv_args != 2) {
			cerror(C, src, f->off, "e.g. getopt(proc.args, \"c:e\")",
			       "getopt() takes 2 arguments (args, optstring), got %u",
			       f->n_mv_args);
			return -EINVAL;
		}
		if (!f->mv_args[0].field || !mvarg_is_string(f->mv_args[0].field)) {
			cerror(C, src, f->mv_args[0].off, "e.g. proc.args",
			       "getopt()'s first argument must be a field of strings");
			return -EINVAL;
		}
		if (f->mv_args[1].field && (mvarg_is_list(f->mv_args[1].field) ||
					     !mvarg_is_string(f->mv_args[1].field))) {
			cerror(C, src, f->mv_args[1].off, NULL,
			       "getopt()'s optstring must be a single string");
			return -EINVAL;
		}
		if (f->arg && strlen(f->arg) != 1) {
			cerror(C, src, f->off, "e.g. getopt(proc.args, \"c:\")[c]",
			       "getopt()'s selector must be one option character, got '%s'", f->arg);
			return -EINVAL;
		}
		f->mv_list = !f->arg;
		break;
	default:
		return -EINVAL;
	}
	f->ref = first->ref;
	return 0;
}

/* Resolves a field expression: field, argument, transformers; sets f->type. */
static int resolve_fieldexpr(struct compiler *C, const struct cond_src *src,
			     struct ast_fieldexpr *f)
{
	const char *why = NULL;
	enum field_type t;
	int r;

	if (f->mv) {
		if (C->fields != field_source_syscall()) {
			/* the k8s_audit evaluator (runtime/k8saudit) has none */
			cerror(C, src, f->off, "compare the fields themselves",
			       "%s() is available in syscall rules only, not in source '%s'",
			       f->name, C->fields->name);
			return -EINVAL;
		}
		if (resolve_mvx(C, src, f) < 0)
			return -EINVAL;
		t = FT_CHARBUF;
		goto xforms;
	}
	r = field_resolve_in(C->fields, f->name, f->arg, &f->ref, &why);
	if (r == -ENOENT) {
		const char *best = field_suggest_in(C->fields, f->name);
		char hint[160];

		C->unknown = true;
		if (C->rule && C->rule->skip_if_unknown_filter) {
			C->failed = true;
			return -ENOENT;
		}
		if (best)
			snprintf(hint, sizeof(hint),
				 "did you mean '%s'? (`osprey --list` shows all fields)", best);
		cerror(C, src, f->off, best ? hint : "`osprey --list` shows all fields",
		       "unknown field '%s'", f->name);
		return r;
	}
	if (r == -EOPNOTSUPP) { /* a Falco field Osprey has no value for: as an unknown one */
		C->unknown = true;
		if (C->rule && C->rule->skip_if_unknown_filter) {
			C->failed = true;
			return r;
		}
		if (C->rule && !C->rule->enabled) { /* refused too, but it was not to run */
			cwarn(C, src, f->off,
			      "docs/rules.md lists the fields Osprey does not support",
			      "field '%s' is not supported by Osprey: %s; the disabled rule stays "
			      "disabled",
			      f->name, why);
			C->failed = true;
			return r;
		}
		cerror(C, src, f->off, "docs/rules.md lists the fields Osprey does not support",
		       "field '%s' is not supported by Osprey: %s", f->name, why);
		return r;
	}
	if (r < 0) {
		cerror(C, src, f->off, NULL, "field '%s': %s", f->name, why);
		return r;
	}
	t = f->ref.info->type;
xforms:
	for (int i = (int)f->n_xf - 1; i >= 0; i--) {
		enum xform x = f->xf[i];

		switch (x) {
		case XF_TOLOWER:
		case XF_TOUPPER:
		case XF_BASENAME:
			if (t != FT_CHARBUF && t != FT_DYNAMIC) {
				cerror(C, src, f->off, "apply it to a string field",
				       "%s() needs a string, '%s' is %s", xform_name(x), f->name,
				       field_type_name(t));
				return -EINVAL;
			}
			t = FT_CHARBUF;
			break;
		case XF_B64:
			if (!is_stringish(t)) {
				cerror(C, src, f->off, "apply it to a string or buffer field",
				       "b64() needs a string, '%s' is %s", f->name,
				       field_type_name(t));
				return -EINVAL;
			}
			t = FT_CHARBUF;
			break;
		case XF_LEN:
			if (!is_stringish(t) && !(f->ref.info->flags & FF_LIST) && !f->mv_list) {
				cerror(C, src, f->off, "apply it to a string, buffer or list field",
				       "len() needs a string, buffer or list, '%s' is %s", f->name,
				       field_type_name(t));
				return -EINVAL;
			}
			t = FT_UINT64;
			break;
		default:
			return -EINVAL;
		}
	}
	f->type = t;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_ip(const char *s, struct ast_value *v, bool allow_net)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t prefix;

	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (inet_pton(AF_INET, buf, v->v.net.addr) == 1)
		v->v.net.family = 4;
	else if (inet_pton(AF_INET6, buf, v->v.net.addr) == 1)
		v->v.net.family = 6;
	else
		return -EINVAL;
	v->v.net.prefix = v->v.net.family == 4 ? 32 : 128;
	if (slash) {
		if (!allow_net)
			return -EDOM;
		if (safe_atou32(slash + 1, &prefix) < 0 || prefix > v->v.net.prefix)
			return -EINVAL;
		v->v.net.prefix = (uint8_t)prefix;
	}
	return 0;
}

/* Parses one operand value for a field of type t and operator op. */
static int parse_value(struct compiler *C, struct ast_value *v, const struct ast_fieldexpr *f,
		       enum cmp_op op)
{
	enum field_type t = f->type;
	int r;

	switch (t) {
	case FT_CHARBUF:
	case FT_DYNAMIC:
		if (op == OP_REGEX) {
			_cleanup_(rx_freep) struct rx *re = NULL;
			struct rx_error err;

			/* checked here, at load time, with the file, line and rule; eval compiles
			 * the same text the same way */
			r = rx_compile(v->text, strlen(v->text), false, &re, &err);
			if (r == -ENOMEM) {
				C->r = r;
				return r;
			}
			if (r < 0) {
				cerror(C, v->src, v->off,
				       "regex takes RE2 syntax, matched against the whole value",
				       "invalid regular expression '%.80s%s' at byte %zu: %s",
				       v->text, strlen(v->text) > 80 ? "..." : "", err.off, err.msg);
				return -EINVAL;
			}
		}
		return 0;
	case FT_BYTEBUF:
		if (op == OP_BCONTAINS || op == OP_BSTARTSWITH) {
			size_t n = strlen(v->text);

			if (n == 0 || n % 2) {
				cerror(C, v->src, v->off, "e.g. bcontains cafebabe",
				       "'%s' takes an even number of hex digits, got '%s'",
				       cmp_op_name(op), v->text);
				return -EINVAL;
			}
			v->bytes = malloc(n / 2);
			if (!v->bytes) {
				C->r = -ENOMEM;
				return -ENOMEM;
			}
			for (size_t i = 0; i < n; i += 2) {
				int hi = hexval(v->text[i]), lo = hexval(v->text[i + 1]);

				if (hi < 0 || lo < 0) {
					cerror(C, v->src, v->off, "e.g. bcontains cafebabe",
					       "'%s' takes hex digits, got '%s'", cmp_op_name(op),
					       v->text);
					return -EINVAL;
				}
				v->bytes[i / 2] = (uint8_t)(hi << 4 | lo);
			}
			v->n_bytes = n / 2;
		}
		return 0;
	case FT_BOOL:
		if (strcmp(v->text, "true") == 0)
			v->v.b = true;
		else if (strcmp(v->text, "false") == 0)
			v->v.b = false;
		else {
			cerror(C, v->src, v->off, "use true or false",
			       "'%s' is a boolean field, '%s' is not true or false", f->name,
			       v->text);
			return -EINVAL;
		}
		return 0;
	case FT_IPADDR:
	case FT_IPNET:
		r = parse_ip(v->text, v, t == FT_IPNET);
		if (r == -EDOM) {
			cerror(C, v->src, v->off,
			       "compare networks with fd.net, fd.cnet, fd.snet, fd.lnet or fd.rnet",
			       "'%s' is an address field, '%s' is a network", f->name, v->text);
			return r;
		}
		if (r < 0) {
			cerror(C, v->src, v->off,
			       t == FT_IPNET ? "e.g. 10.0.0.0/8 or 192.168.1.1"
					     : "e.g. 10.1.2.3 or ::1",
			       "'%s' is not a valid %s", v->text,
			       t == FT_IPNET ? "IP network (CIDR)" : "IP address");
			return r;
		}
		return 0;
	case FT_INT64:
		r = safe_atoi64(v->text, &v->v.i);
		break;
	case FT_UINT32: {
		uint32_t u;

		r = safe_atou32(v->text, &u);
		v->v.u = u;
		break;
	}
	case FT_PORT: {
		uint32_t u;

		r = safe_atou32(v->text, &u);
		if (r == 0 && u > 65535)
			r = -ERANGE;
		v->v.u = u;
		break;
	}
	default:
		r = safe_atou64(v->text, &v->v.u);
		break;
	}
	if (r == -ERANGE) {
		cerror(C, v->src, v->off,
		       t == FT_PORT ? "ports are 0..65535"
				    : "the value does not fit the field's type",
		       "'%s' is out of range for %s field '%s'", v->text, field_type_name(t),
		       f->name);
		return r;
	}
	if (r < 0) {
		cerror(C, v->src, v->off, "write a decimal number",
		       "'%s' is a %s field, '%s' is not a valid number", f->name,
		       field_type_name(t), v->text);
		return r;
	}
	return 0;
}

/* Expands list names among the operand values (lists inside lists), in place. */
static int expand_list_values(struct compiler *C, struct ast_node *n);

static int push_list_items(struct compiler *C, struct rules_list *l, const struct ast_value *at,
			   struct ast_value **vals, size_t *nv, unsigned depth)
{
	if (l->visiting) {
		cerror(C, at->src, at->off, "remove the cycle between the lists",
		       "list '%s' contains itself", l->name);
		return -ELOOP;
	}
	if (depth > RULES_MACRO_DEPTH_MAX) {
		cerror(C, at->src, at->off, NULL, "lists nested deeper than %u levels",
		       RULES_MACRO_DEPTH_MAX);
		return -ELOOP;
	}
	l->used = true;
	l->visiting = true;
	for (size_t i = 0; i < l->n_items; i++) {
		const char *it = l->items[i];
		size_t len = strlen(it);
		struct rules_list *sub;
		bool quoted = false;

		if (len >= 2 && (it[0] == '"' || it[0] == '\'') && it[len - 1] == it[0]) {
			it++;
			len -= 2;
			quoted = true;
		}
		if (!quoted && (sub = ruleset_find_list(C->rs, it))) {
			int r = push_list_items(C, sub, at, vals, nv, depth + 1);

			if (r < 0) {
				l->visiting = false;
				return r;
			}
			continue;
		}
		if (*nv >= RULES_EXPANDED_LIST_MAX) {
			l->visiting = false;
			cerror(C, at->src, at->off, NULL, "list operand has more than %u values",
			       RULES_EXPANDED_LIST_MAX);
			return -E2BIG;
		}
		if (ast_value_push(vals, nv, it, len, at->off, at->src, true) < 0) {
			l->visiting = false;
			C->r = -ENOMEM;
			return -ENOMEM;
		}
	}
	l->visiting = false;
	return 0;
}

static int expand_list_values(struct compiler *C, struct ast_node *n)
{
	struct ast_value *vals = NULL;
	size_t nv = 0;
	bool any = false;
	int r = 0;

	if (n->cmp.list_name) {
		struct rules_list *l = ruleset_find_list(C->rs, n->cmp.list_name);

		if (!l) {
			const char *best = NULL;
			size_t bd = 4;
			char hint[160];

			for (size_t i = 0; i < C->rs->n_lists; i++) {
				size_t d =
					edit_distance(n->cmp.list_name, C->rs->lists[i]->name, 3);

				if (d < bd) {
					bd = d;
					best = C->rs->lists[i]->name;
				}
			}
			if (best)
				snprintf(hint, sizeof(hint), "did you mean '%s'?", best);
			else
				snprintf(hint, sizeof(hint),
					 "define it with '- list: %s' or write (a, b, ...)",
					 n->cmp.list_name);
			cerror(C, n->src, n->cmp.vals[0].off, hint, "undefined list '%s'",
			       n->cmp.list_name);
			return -ENOENT;
		}
	}
	for (size_t i = 0; i < n->cmp.n_vals; i++)
		if (!n->cmp.vals[i].quoted && ruleset_find_list(C->rs, n->cmp.vals[i].text))
			any = true;
	if (!any)
		return 0;
	for (size_t i = 0; i < n->cmp.n_vals && r >= 0; i++) {
		struct ast_value *v = &n->cmp.vals[i];
		struct rules_list *l = v->quoted ? NULL : ruleset_find_list(C->rs, v->text);

		if (l)
			r = push_list_items(C, l, v, &vals, &nv, 0);
		else if (nv >= RULES_EXPANDED_LIST_MAX) {
			cerror(C, v->src, v->off, NULL, "list operand has more than %u values",
			       RULES_EXPANDED_LIST_MAX);
			r = -E2BIG;
		} else if (ast_value_push(&vals, &nv, v->text, strlen(v->text), v->off, v->src,
					  v->quoted) < 0) {
			C->r = -ENOMEM;
			r = -ENOMEM;
		}
	}
	if (r < 0) {
		ast_values_free(vals, nv);
		return r;
	}
	ast_values_free(n->cmp.vals, n->cmp.n_vals);
	n->cmp.vals = vals;
	n->cmp.n_vals = nv;
	free(n->cmp.list_name);
	n->cmp.list_name = NULL;
	return 0;
}

static bool types_comparable(enum field_type a, enum field_type b)
{
	if (is_stringish(a) && is_stringish(b))
		return true;
	if (field_type_is_numeric(a) && field_type_is_numeric(b))
		return true;
	return a == b || ((a == FT_IPADDR || a == FT_IPNET) && (b == FT_IPADDR || b == FT_IPNET));
}

/* Resolves a comparison node in place. */
static int resolve_cmp(struct compiler *C, struct ast_node *n)
{
	struct ast_fieldexpr *f = &n->cmp.lhs;
	int r = 0;

	if (resolve_fieldexpr(C, n->src, f) < 0)
		return -EINVAL;
	if (!op_allowed(f->type, n->cmp.op)) {
		cerror(C, n->src, f->off, ops_hint(f->type),
		       "operator '%s' cannot be used with %s field '%s'", cmp_op_name(n->cmp.op),
		       field_type_name(f->type), f->name);
		return -EINVAL;
	}
	if (n->cmp.op == OP_PMATCH && f->type != FT_CHARBUF && f->type != FT_DYNAMIC) {
		cerror(C, n->src, f->off, "pmatch compares paths", "pmatch needs a string field");
		return -EINVAL;
	}
	if (n->cmp.rhs_field) {
		if (resolve_fieldexpr(C, n->src, n->cmp.rhs_field) < 0)
			return -EINVAL;
		if (!types_comparable(f->type, n->cmp.rhs_field->type)) {
			cerror(C, n->src, n->cmp.rhs_field->off, NULL,
			       "cannot compare %s field '%s' with %s field '%s'",
			       field_type_name(f->type), f->name,
			       field_type_name(n->cmp.rhs_field->type), n->cmp.rhs_field->name);
			return -EINVAL;
		}
		return 0;
	}
	if (n->cmp.is_list && expand_list_values(C, n) < 0)
		return -EINVAL;
	for (size_t i = 0; i < n->cmp.n_vals; i++)
		if (parse_value(C, &n->cmp.vals[i], f, n->cmp.op) < 0)
			r = -EINVAL;
	if (r == 0 && f->ref.info->id == FIELD_EVT_TYPE && !f->n_xf && !f->mv)
		for (size_t i = 0; i < n->cmp.n_vals; i++)
			if (evttype_from_name(n->cmp.vals[i].text) < 0 &&
			    (n->cmp.op == OP_EQ || n->cmp.op == OP_NE || n->cmp.op == OP_IN))
				cwarn(C, n->cmp.vals[i].src, n->cmp.vals[i].off,
				      "evt.type values are syscall names (open, execve, ...) or "
				      "container, procexit, signaldeliver ...",
				      "unknown event type '%s'", n->cmp.vals[i].text);
	return r;
}

static int parse_macro(struct compiler *C, struct rules_macro *m)
{
	struct cond_error err;
	int r;

	if (m->ast || m->parse_failed)
		return m->ast ? 0 : -EINVAL;
	r = cond_parse(m->cond->text, m->cond->len, m->cond, &m->ast, &err);
	if (r == -ENOMEM) {
		C->r = r;
		return r;
	}
	if (r < 0) {
		const char *file;
		unsigned line, col;

		m->parse_failed = true;
		cond_src_position(m->cond, err.off, &file, &line, &col);
		if (diag_add(C->diags, DIAG_ERROR, file, line, col, err.hint[0] ? err.hint : NULL,
			     "%s (in macro '%s')", err.msg, m->name) < 0)
			C->r = -ENOMEM;
		C->failed = true;
		return r;
	}
	return 0;
}

static struct ast_node *expand(struct compiler *C, const struct ast_node *n)
{
	_cleanup_(ast_freep) struct ast_node *out = NULL;
	bool bad = false;

	if (C->r < 0)
		return NULL;
	if (++C->nodes > RULES_RULE_NODES_MAX) {
		if (C->nodes == RULES_RULE_NODES_MAX + 1)
			cerror(C, n->src, n->off, "simplify the rule or its macros",
			       "rule has more than %u condition nodes after expanding macros",
			       RULES_RULE_NODES_MAX);
		return NULL;
	}
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		out = ast_node_new(n->kind, n->off, n->src);
		if (!out) {
			C->r = -ENOMEM;
			return NULL;
		}
		for (size_t i = 0; i < n->bin.n; i++) {
			struct ast_node *k = expand(C, n->bin.kids[i]);

			if (!k) {
				bad = true;
				continue;
			}
			if (ast_bin_add(out, k) < 0) {
				ast_free(k);
				C->r = -ENOMEM;
				return NULL;
			}
		}
		return bad ? NULL : TAKE_PTR(out);
	case AST_NOT:
		out = ast_node_new(AST_NOT, n->off, n->src);
		if (!out) {
			C->r = -ENOMEM;
			return NULL;
		}
		out->kid = expand(C, n->kid);
		return out->kid ? TAKE_PTR(out) : NULL;
	case AST_CMP:
		out = ast_clone(n);
		if (!out) {
			C->r = -ENOMEM;
			return NULL;
		}
		return resolve_cmp(C, out) < 0 ? NULL : TAKE_PTR(out);
	case AST_MACRO: {
		struct rules_macro *m = ruleset_find_macro(C->rs, n->macro);
		struct ast_node *body;

		if (!m) {
			const char *best = NULL;
			size_t bd = 4;
			char hint[192];

			for (size_t i = 0; i < C->rs->n_macros; i++) {
				size_t d = edit_distance(n->macro, C->rs->macros[i]->name, 3);

				if (d < bd) {
					bd = d;
					best = C->rs->macros[i]->name;
				}
			}
			if (ruleset_find_list(C->rs, n->macro))
				snprintf(hint, sizeof(hint),
					 "'%s' is a list: use it as an operand, e.g. proc.name in "
					 "(%s)",
					 n->macro, n->macro);
			else if (best)
				snprintf(hint, sizeof(hint), "did you mean '%s'?", best);
			else
				snprintf(hint, sizeof(hint),
					 "define it with '- macro: %s' in this or an earlier file",
					 n->macro);
			cerror(C, n->src, n->off, hint, "undefined macro '%s'", n->macro);
			return NULL;
		}
		if (m->visiting) {
			char chain[256] = "";
			size_t used = 0;

			for (unsigned i = 0; i < C->depth && used < sizeof(chain); i++) {
				int k = snprintf(chain + used, sizeof(chain) - used, "%s -> ",
						 C->macro_stack[i]);
				if (k > 0)
					used += (size_t)k;
			}
			cerror(C, n->src, n->off,
			       "a macro cannot use itself, directly or indirectly",
			       "recursive macro '%s' (%s%s)", m->name, chain, m->name);
			return NULL;
		}
		if (C->depth >= RULES_MACRO_DEPTH_MAX) {
			cerror(C, n->src, n->off, NULL, "macros nested deeper than %u levels",
			       RULES_MACRO_DEPTH_MAX);
			return NULL;
		}
		m->used = true;
		if (parse_macro(C, m) < 0)
			return NULL;
		m->visiting = true;
		C->macro_stack[C->depth++] = m->name;
		body = expand(C, m->ast);
		C->depth--;
		m->visiting = false;
		return body;
	}
	}
	return NULL;
}

/* ---- exceptions ---- */

/*
 * Falco builds an exception's condition as text, quoting only values that hold white space: a
 * bare word that names a list is then expanded like any list name in a condition. The same
 * here: a value without white space may name a list.
 */
static bool exc_value_needs_quotes(const struct cond_src *v)
{
	for (size_t i = 0; i < v->len; i++)
		if (isspace((unsigned char)v->text[i]))
			return true;
	return false;
}

static struct ast_node *exc_cmp(struct compiler *C, const struct rules_exception *e, size_t fi,
				const struct rules_exc_value *val)
{
	_cleanup_(ast_freep) struct ast_node *n = NULL;
	_cleanup_free_ char *text = NULL;
	const struct cond_src *fsrc = e->fields_src[fi];
	struct cond_error err;
	int op = cmp_op_from_string(e->comps[fi]);
	int r;

	if (op < 0) {
		cerror(C, NULL, 0,
		       "operators: = != < <= > >= contains icontains startswith endswith glob in "
		       "pmatch intersects ...",
		       "exception '%s': unknown comparison operator '%s'", e->name, e->comps[fi]);
		return NULL;
	}
	if (op == OP_EXISTS) {
		cerror(C, NULL, 0, NULL, "exception '%s': 'exists' takes no value", e->name);
		return NULL;
	}
	/* the field text as a condition, for its transformers and argument */
	if (asprintf(&text, "%s exists", fsrc->text) < 0) {
		C->r = -ENOMEM;
		return NULL;
	}
	r = cond_parse(text, strlen(text), fsrc, &n, &err);
	if (r < 0 || n->kind != AST_CMP) {
		cerror(C, fsrc, 0, NULL, "exception '%s': '%s' is not a field", e->name,
		       fsrc->text);
		return NULL;
	}
	n->cmp.op = (enum cmp_op)op;
	n->cmp.is_list = cmp_op_is_list(op);
	if (val->is_list) {
		if (!n->cmp.is_list) {
			cerror(C, val->n_list ? val->list[0] : fsrc, 0,
			       "use comps: in for a list of values",
			       "exception '%s': a list of values needs 'in', 'intersects' or "
			       "'pmatch', not '%s'",
			       e->name, e->comps[fi]);
			return NULL;
		}
		for (size_t k = 0; k < val->n_list; k++)
			if (ast_value_push(&n->cmp.vals, &n->cmp.n_vals, val->list[k]->text,
					   val->list[k]->len, 0, val->list[k],
					   exc_value_needs_quotes(val->list[k])) < 0) {
				C->r = -ENOMEM;
				return NULL;
			}
	} else if (ast_value_push(&n->cmp.vals, &n->cmp.n_vals, val->src->text, val->src->len, 0,
				  val->src, n->cmp.is_list) < 0) {
		/* a scalar for a list comparison may name a list: left unquoted to expand it */
		C->r = -ENOMEM;
		return NULL;
	}
	if (n->cmp.is_list && !val->is_list)
		n->cmp.vals[0].quoted = false;
	n->src = fsrc;
	return resolve_cmp(C, n) < 0 ? NULL : TAKE_PTR(n);
}

static int check_exception_fields(struct compiler *C, const struct rules_exception *e)
{
	int r = 0;

	for (size_t f = 0; f < e->n_fields; f++) {
		_cleanup_(ast_freep) struct ast_node *n = NULL;
		_cleanup_free_ char *text = NULL;
		struct cond_error err;

		if (cmp_op_from_string(e->comps[f]) < 0) {
			cerror(C, NULL, 0, NULL, "exception '%s': unknown comparison operator '%s'",
			       e->name, e->comps[f]);
			r = -EINVAL;
		}
		if (asprintf(&text, "%s exists", e->fields_src[f]->text) < 0) {
			C->r = -ENOMEM;
			return -ENOMEM;
		}
		if (cond_parse(text, strlen(text), e->fields_src[f], &n, &err) < 0 ||
		    n->kind != AST_CMP) {
			cerror(C, e->fields_src[f], 0, NULL, "exception '%s': '%s' is not a field",
			       e->name, e->fields_src[f]->text);
			r = -EINVAL;
			continue;
		}
		if (resolve_fieldexpr(C, n->src, &n->cmp.lhs) < 0)
			r = -EINVAL;
	}
	return r;
}

/* Builds `(tuple1) or (tuple2) ...` for all exceptions; NULL with *ret_none when there are none. */
static struct ast_node *build_exceptions(struct compiler *C, const struct rules_rule *r,
					 bool *ret_none)
{
	_cleanup_(ast_freep) struct ast_node *any = ast_node_new(AST_OR, 0, NULL);
	bool bad = false;

	*ret_none = true;
	if (!any) {
		C->r = -ENOMEM;
		return NULL;
	}
	for (size_t x = 0; x < r->n_exceptions; x++) {
		const struct rules_exception *e = &r->exceptions[x];

		if (e->n_values == 0) {
			/* no values: nothing to add, but the fields and comps must still be valid
			 */
			if (check_exception_fields(C, e) < 0)
				bad = true;
			continue;
		}

		if (!e->fields_is_list && e->n_values) {
			/* single field: field comp (v1, v2, ...) */
			struct rules_exc_value lv = {.is_list = true};
			struct ast_node *n;
			struct cond_src **srcs = calloc(e->n_values, sizeof(*srcs));

			if (!srcs) {
				C->r = -ENOMEM;
				return NULL;
			}
			for (size_t i = 0; i < e->n_values; i++)
				srcs[i] = e->values[i].src;
			lv.list = srcs;
			lv.n_list = e->n_values;
			if (cmp_op_is_list(cmp_op_from_string(e->comps[0])) || e->n_values > 1)
				n = exc_cmp(C, e, 0, &lv);
			else
				n = exc_cmp(C, e, 0, &e->values[0]);
			free(srcs);
			if (!n) {
				bad = true;
				continue;
			}
			if (ast_bin_add(any, n) < 0) {
				ast_free(n);
				C->r = -ENOMEM;
				return NULL;
			}
			continue;
		}
		for (size_t v = 0; v < e->n_values; v++) {
			_cleanup_(ast_freep) struct ast_node *tuple =
				ast_node_new(AST_AND, 0, NULL);

			if (!tuple) {
				C->r = -ENOMEM;
				return NULL;
			}
			for (size_t f = 0; f < e->n_fields; f++) {
				struct ast_node *c =
					exc_cmp(C, e, f, &e->values[v * e->n_fields + f]);

				if (!c) {
					bad = true;
					continue;
				}
				if (ast_bin_add(tuple, c) < 0) {
					ast_free(c);
					C->r = -ENOMEM;
					return NULL;
				}
			}
			if (bad)
				continue;
			if (tuple->bin.n == 1) {
				struct ast_node *only = tuple->bin.kids[0];

				tuple->bin.n = 0;
				ast_free(tuple);
				tuple = only;
			}
			if (ast_bin_add(any, tuple) < 0) {
				C->r = -ENOMEM;
				return NULL;
			}
			tuple = NULL;
		}
	}
	if (bad || any->bin.n == 0)
		return NULL;
	*ret_none = false;
	if (any->bin.n == 1) {
		struct ast_node *only = any->bin.kids[0];

		any->bin.n = 0;
		return only;
	}
	return TAKE_PTR(any);
}

/* ---- output templates ---- */

static int push_piece(struct compiler *C, struct rules_rule *r, bool is_field, const char *s,
		      size_t len, const struct field_ref *ref)
{
	struct output_piece *p;

	if (r->n_output_pieces >= RULES_OUTPUT_PIECES_MAX) {
		cerror(C, r->output_src, 0, NULL, "output has more than %u pieces",
		       RULES_OUTPUT_PIECES_MAX);
		return -E2BIG;
	}
	p = reallocarray(r->output_pieces, r->n_output_pieces + 1, sizeof(*p));
	if (!p) {
		C->r = -ENOMEM;
		return -ENOMEM;
	}
	r->output_pieces = p;
	p = &p[r->n_output_pieces];
	memset(p, 0, sizeof(*p));
	p->is_field = is_field;
	p->text = strndup(s, len);
	if (!p->text) {
		C->r = -ENOMEM;
		return -ENOMEM;
	}
	if (ref)
		p->ref = *ref;
	r->n_output_pieces++;
	return 0;
}

static bool is_field_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

/* What %container.info stands for: Falco's default container fields. */
#define CONTAINER_INFO_FIELDS "container_id=%container.id container_name=%container.name"

static int push_container_info(struct compiler *C, struct rules_rule *r)
{
	static const char *const parts[][2] = {
		{"container_id=", "container.id"},
		{" container_name=", "container.name"},
	};

	for (size_t k = 0; k < ARRAY_SIZE(parts); k++) {
		struct field_ref ref;
		const char *why;

		if (field_resolve(parts[k][1], NULL, &ref, &why) < 0) {
			cerror(C, r->output_src, 0, NULL, "output field '%s': %s", parts[k][1], why);
			return -EINVAL;
		}
		if (push_piece(C, r, false, parts[k][0], strlen(parts[k][0]), NULL) < 0 ||
		    push_piece(C, r, true, parts[k][1], strlen(parts[k][1]), &ref) < 0)
			return -EINVAL;
	}
	return 0;
}

/*
 * One of append_output's extra_fields: "%field" (a field of the rule's source, typed in
 * output_fields) or a constant text, as an extra piece (output_fields only).
 */
static int compile_extra_field(struct compiler *C, struct rules_rule *r,
			       const struct rules_extra_field *f)
{
	const char *v = f->value, *br;
	char name[128], arg[FIELD_ARG_MAX];
	struct field_ref ref;
	const char *why;
	size_t len;
	int k;

	if (v[0] != '%') {
		for (const char *q = strchr(v, '%'); q; q = strchr(q + 1, '%'))
			if ((q[1] >= 'a' && q[1] <= 'z') || (q[1] >= 'A' && q[1] <= 'Z')) {
				cerror(C, NULL, 0, "write one %field, or a text without fields",
				       "append_output: extra field '%s' mixes text and fields", f->key);
				return -EINVAL;
			}
		if (push_piece(C, r, false, v, strlen(v), NULL) < 0)
			return -EINVAL;
	} else {
		v++;
		br = strchr(v, '[');
		len = br ? (size_t)(br - v) : strlen(v);
		if (len == 0 || len >= sizeof(name) ||
		    (br && (strlen(br) < 2 || br[strlen(br) - 1] != ']' ||
			    strlen(br) - 2 >= sizeof(arg)))) {
			cerror(C, NULL, 0, "e.g. container.id, or {cid: \"%container.id\"}",
			       "append_output: extra field '%s' is not a field: '%s'", f->key,
			       f->value);
			return -EINVAL;
		}
		memcpy(name, v, len);
		name[len] = 0;
		if (br) {
			memcpy(arg, br + 1, strlen(br) - 2);
			arg[strlen(br) - 2] = 0;
		}
		k = field_resolve_in(C->fields, name, br ? arg : NULL, &ref, &why);
		if (k < 0) {
			const char *best = k == -ENOENT ? field_suggest_in(C->fields, name) : NULL;
			char hint[160];

			if (best)
				snprintf(hint, sizeof(hint), "did you mean '%s'?", best);
			cerror(C, NULL, 0,
			       best ? hint : "match the entry to the source whose fields it names",
			       "append_output: extra field '%s': %s '%s' for source '%s'", f->key,
			       k == -ENOENT ? "unknown field" : why, name,
			       r->source ? r->source : "syscall");
			return -EINVAL;
		}
		if (push_piece(C, r, true, v, strlen(v), &ref) < 0)
			return -EINVAL;
	}
	r->output_pieces[r->n_output_pieces - 1].extra = true;
	r->output_pieces[r->n_output_pieces - 1].key = strdup(f->key);
	if (!r->output_pieces[r->n_output_pieces - 1].key)
		return C->r = -ENOMEM;
	return 0;
}

static int compile_output(struct compiler *C, struct rules_rule *r)
{
	const char *s = r->output ? r->output : "";
	size_t lit = 0, i = 0, n = strlen(s);
	int ret = 0;

	while (i < n) {
		size_t start, name_end, end;
		char name[128], arg[FIELD_ARG_MAX];
		bool has_arg = false;
		struct field_ref ref;
		const char *why;
		int k;

		if (s[i] != '%' || i + 1 >= n ||
		    !((s[i + 1] >= 'a' && s[i + 1] <= 'z') ||
		      (s[i + 1] >= 'A' && s[i + 1] <= 'Z'))) {
			i++;
			continue;
		}
		start = i + 1;
		name_end = start;
		while (name_end < n && is_field_char(s[name_end]))
			name_end++;
		while (name_end > start && s[name_end - 1] == '.')
			name_end--; /* "%proc.name." at the end of a sentence */
		end = name_end;
		if (end < n && s[end] == '[') {
			const char *close = strchr(s + end, ']');

			if (close && (size_t)(close - s - end - 1) < sizeof(arg)) {
				memcpy(arg, s + end + 1, (size_t)(close - s - end - 1));
				arg[close - s - end - 1] = 0;
				has_arg = true;
				end = (size_t)(close - s) + 1;
			}
		}
		if (name_end - start >= sizeof(name)) {
			cerror(C, r->output_src, (uint32_t)start, NULL,
			       "output field name too long");
			ret = -EINVAL;
			i = end;
			continue;
		}
		memcpy(name, s + start, name_end - start);
		name[name_end - start] = 0;
		if (!has_arg && strcmp(name, "container.info") == 0 &&
		    C->fields == field_source_syscall()) {
			/* Falco's rule loader replaces %container.info; so does Osprey */
			if (i > lit && push_piece(C, r, false, s + lit, i - lit, NULL) < 0)
				return -EINVAL;
			if (push_container_info(C, r) < 0)
				return -EINVAL;
			cwarn(C, r->output_src, (uint32_t)start,
			      "write %container.id and %container.name instead",
			      "%%container.info is deprecated (as in Falco); replaced with '%s'",
			      CONTAINER_INFO_FIELDS);
			lit = i = end;
			continue;
		}
		k = field_resolve_in(C->fields, name, has_arg ? arg : NULL, &ref, &why);
		if (k == -ENOENT) {
			const char *best = field_suggest_in(C->fields, name);
			char hint[160];

			C->unknown = true;
			if (best)
				snprintf(hint, sizeof(hint), "did you mean '%s'?", best);
			if (!r->skip_if_unknown_filter)
				cerror(C, r->output_src, (uint32_t)start,
				       best ? hint : "`osprey --list` shows all fields",
				       "unknown field '%s' in output", name);
			else
				C->failed = true;
			ret = -EINVAL;
		} else if (k == -EOPNOTSUPP) {
			C->unknown = true;
			if (!r->enabled && !r->skip_if_unknown_filter)
				cwarn(C, r->output_src, (uint32_t)start, NULL,
				      "output field '%s' is not supported by Osprey: %s; the "
				      "disabled rule stays disabled",
				      name, why);
			if (!r->enabled)
				C->failed = true;
			else if (!r->skip_if_unknown_filter)
				cerror(C, r->output_src, (uint32_t)start,
				       "docs/rules.md lists the fields Osprey does not support",
				       "output field '%s' is not supported by Osprey: %s", name,
				       why);
			else
				C->failed = true;
			ret = -EINVAL;
		} else if (k < 0) {
			cerror(C, r->output_src, (uint32_t)start, NULL, "output field '%s': %s",
			       name, why);
			ret = -EINVAL;
		} else {
			if (i > lit && push_piece(C, r, false, s + lit, i - lit, NULL) < 0)
				return -EINVAL;
			if (push_piece(C, r, true, s + start, end - start, &ref) < 0)
				return -EINVAL;
			lit = end;
		}
		i = end;
	}
	if (n > lit && push_piece(C, r, false, s + lit, n - lit, NULL) < 0)
		return -EINVAL;
	for (size_t k = 0; k < r->n_extra_fields; k++)
		if (compile_extra_field(C, r, &r->extra_fields[k]) < 0)
			ret = -EINVAL;
	return C->r < 0 ? C->r : ret;
}

size_t output_format(const struct rules_rule *r, output_field_fn fn, void *userdata, char *buf,
		     size_t size)
{
	size_t used = 0;

	if (size)
		buf[0] = 0;
	for (size_t i = 0; i < r->n_output_pieces; i++) {
		const struct output_piece *p = &r->output_pieces[i];
		char val[1024];
		const char *t = p->text;
		int n;

		if (p->extra)
			continue; /* output_fields only */
		if (p->is_field) {
			if (!fn || fn(&p->ref, val, sizeof(val), userdata) < 0)
				snprintf(val, sizeof(val), "<NA>");
			t = val;
		}
		n = snprintf(used < size ? buf + used : NULL, used < size ? size - used : 0, "%s",
			     t);
		if (n > 0)
			used += (size_t)n;
	}
	return used;
}

/* ---- event types ---- */

static void evttypes_rec(const struct ast_node *n, bool neg, struct evtset *ret)
{
	struct evtset k;

	switch (n->kind) {
	case AST_AND:
	case AST_OR: {
		bool unite = (n->kind == AST_OR) != neg;

		if (unite)
			evtset_clear(ret);
		else
			evtset_fill(ret);
		for (size_t i = 0; i < n->bin.n; i++) {
			evttypes_rec(n->bin.kids[i], neg, &k);
			if (unite)
				evtset_union(ret, &k);
			else
				evtset_intersect(ret, &k);
		}
		return;
	}
	case AST_NOT:
		evttypes_rec(n->kid, !neg, ret);
		return;
	case AST_CMP:
		if (n->cmp.lhs.ref.info && n->cmp.lhs.ref.info->id == FIELD_EVT_TYPE &&
		    !n->cmp.lhs.n_xf && !n->cmp.lhs.mv && !n->cmp.rhs_field &&
		    (n->cmp.op == OP_EQ || n->cmp.op == OP_NE || n->cmp.op == OP_IN)) {
			evtset_clear(ret);
			for (size_t i = 0; i < n->cmp.n_vals; i++) {
				int t = evttype_from_name(n->cmp.vals[i].text);

				if (t >= 0)
					evtset_add(ret, (unsigned)t);
			}
			if ((n->cmp.op == OP_NE) != neg)
				evtset_complement(ret);
			return;
		}
		evtset_fill(ret);
		return;
	case AST_MACRO:
		evtset_fill(ret);
		return;
	}
}

void rules_ast_evttypes(const struct ast_node *n, struct evtset *ret)
{
	evttypes_rec(n, false, ret);
}

/* ---- rules ---- */

static int compile_rule(struct compiler *C, struct rules_rule *r)
{
	_cleanup_(ast_freep) struct ast_node *parsed = NULL, *cond = NULL;
	struct cond_error err;
	int k;

	C->rule = r;
	C->failed = C->unknown = false;
	C->nodes = 0;
	C->depth = 0;
	r->compiled = r->skipped = false;
	ast_free(r->ast);
	r->ast = NULL;
	for (size_t i = 0; i < r->n_output_pieces; i++) {
		free(r->output_pieces[i].text);
		free(r->output_pieces[i].key);
	}
	free(r->output_pieces);
	r->output_pieces = NULL;
	r->n_output_pieces = 0;

	C->fields = field_source_find(r->source);
	if (!C->fields) {
		r->skipped = true;
		cwarn(C, NULL, 0, "Osprey reads the syscall and k8s_audit sources",
		      "rule source '%s' is not supported; rule skipped",
		      r->source ? r->source : "");
		return 0;
	}
	if (!r->cond) {
		cerror(C, NULL, 0, NULL, "rule has no condition");
		return -EINVAL;
	}
	k = cond_parse(r->cond->text, r->cond->len, r->cond, &parsed, &err);
	if (k == -ENOMEM)
		return C->r = k;
	if (k < 0) {
		cerror(C, r->cond, err.off, err.hint[0] ? err.hint : NULL, "%s", err.msg);
		return -EINVAL;
	}
	cond = expand(C, parsed);
	if (C->r < 0)
		return C->r;
	if (cond && r->n_exceptions) {
		bool none;
		_cleanup_(ast_freep) struct ast_node *exc = build_exceptions(C, r, &none);

		if (C->r < 0)
			return C->r;
		if (exc) {
			_cleanup_(ast_freep) struct ast_node *and =
				ast_node_new(AST_AND, 0, r->cond);
			struct ast_node *not = ast_node_new(AST_NOT, 0, r->cond);

			if (!and || !not || ast_bin_add(and, cond) < 0) {
				free(not );
				return C->r = -ENOMEM;
			}
			cond = NULL;
			not ->kid = TAKE_PTR(exc);
			if (ast_bin_add(and, not ) < 0) {
				ast_free(not );
				return C->r = -ENOMEM;
			}
			cond = TAKE_PTR(and);
		}
	}
	compile_output(C, r);
	if (C->r < 0)
		return C->r;
	if (r->skip_if_unknown_filter && C->unknown) {
		r->skipped = true;
		cwarn(C, NULL, 0, NULL,
		      "rule uses a field Osprey does not know; skipped (skip-if-unknown-filter)");
		return 0;
	}
	if (C->failed || !cond)
		return -EINVAL;
	rules_ast_evttypes(cond, &r->evttypes);
	if (C->fields != field_source_syscall())
		; /* event types are the syscall source's: another source's rules see every event */
	else if (evtset_count(&r->evttypes) == 0)
		cwarn(C, r->cond, 0, "check the evt.type comparisons",
		      "rule can never match: its condition excludes every event type");
	else if (r->warn_evttypes && evtset_is_full(&r->evttypes))
		cwarn(C, r->cond, 0, "add an evt.type restriction, or set warn_evttypes: false",
		      "rule matches every event type; this has a significant performance cost");
	r->ast = TAKE_PTR(cond);
	r->fields = C->fields;
	r->compiled = true;
	return 0;
}

int ruleset_compile(struct ruleset *rs, struct diag_list *diags)
{
	struct compiler C = {.rs = rs, .diags = diags, .fields = field_source_syscall()};
	size_t errors_before = diags->n_errors;

	for (size_t i = 0; i < rs->n_macros; i++) {
		rs->macros[i]->used = false;
		ast_free(rs->macros[i]->ast);
		rs->macros[i]->ast = NULL;
		rs->macros[i]->parse_failed = false;
	}
	for (size_t i = 0; i < rs->n_lists; i++)
		rs->lists[i]->used = false;
	evtset_clear(&rs->interest);
	for (size_t i = 0; i < rs->n_rules && C.r == 0; i++) {
		struct rules_rule *r = rs->rules[i];

		compile_rule(&C, r);
		if (r->compiled && r->enabled && C.fields == field_source_syscall())
			evtset_union(&rs->interest, &r->evttypes);
	}
	C.rule = NULL;
	C.depth = 0;
	/* syntax errors in macros no rule uses, then the unused warnings */
	for (size_t i = 0; i < rs->n_macros && C.r == 0; i++) {
		struct rules_macro *m = rs->macros[i];

		if (m->used)
			continue;
		parse_macro(&C, m);
		/* lists that only unused macros reference are unused too, as in Falco */
		if (diag_add(diags, DIAG_WARNING, m->pos.file ? m->pos.file->path : NULL,
			     m->pos.line, m->pos.col, "remove it, or use it in a rule",
			     "macro '%s' is not used by any rule", m->name) < 0)
			C.r = -ENOMEM;
	}
	for (size_t i = 0; i < rs->n_lists && C.r == 0; i++) {
		struct rules_list *l = rs->lists[i];

		if (!l->used &&
		    diag_add(diags, DIAG_WARNING, l->pos.file ? l->pos.file->path : NULL,
			     l->pos.line, l->pos.col, "remove it, or use it in a rule",
			     "list '%s' is not used by any rule", l->name) < 0)
			C.r = -ENOMEM;
	}
	free(C.seen);
	if (C.r < 0)
		return C.r;
	rs->compiled = true;
	return diags->n_errors > errors_before ? -EINVAL : 0;
}
