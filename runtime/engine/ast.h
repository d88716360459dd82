/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Abstract syntax tree of a rule condition. The parser (cond_parser.h) builds it with names as
 * written; rules_compile.h expands macros and lists, resolves fields and parses operand values
 * in place. Each node records where it came from (src + byte offset into that condition's text)
 * so diagnostics can name the file, line and column.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fields.h"
#include "macro.h"

#define XFORM_MAX 8 /* nested transformers on one field, e.g. tolower(basename(fd.name)) */

enum ast_kind {
	AST_AND,
	AST_OR,
	AST_NOT,
	AST_CMP,   /* field op [value(s)] */
	AST_MACRO, /* reference to a macro, replaced by its body when compiling */
};

enum cmp_op {
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_CONTAINS,
	OP_ICONTAINS,
	OP_BCONTAINS,
	OP_STARTSWITH,
	OP_BSTARTSWITH,
	OP_ENDSWITH,
	OP_GLOB,
	OP_IGLOB,
	OP_REGEX,
	OP_IN,
	OP_INTERSECTS,
	OP_PMATCH,
	OP_EXISTS,
	_OP_MAX,
};

enum xform {
	XF_TOLOWER,
	XF_TOUPPER,
	XF_B64,
	XF_BASENAME,
	XF_LEN,
	_XF_MAX,
};

/* Transformers over several arguments (libs 0.25): the base of a field expression. */
enum mvx {
	MVX_NONE,
	MVX_JOIN,   /* join(sep, list): one string */
	MVX_CONCAT, /* concat(a, b, ...): one string */
	MVX_GETOPT, /* getopt(args, optstring): a list; getopt(...)[c]: c's value */
	_MVX_MAX,
};

#define MVX_ARGS_MAX 16

struct cond_src; /* where a condition text came from (rules_load.h); opaque here */
struct ast_fieldexpr;

/* One argument of join/concat/getopt: a string literal or a field expression. */
struct ast_mvarg {
	char *lit;		     /* the literal's text, or NULL */
	struct ast_fieldexpr *field; /* else the field expression (owned) */
	uint32_t off;
};

struct ast_fieldexpr {
	char *name;   /* as written, e.g. "evt.arg.flags" */
	char *arg;    /* bracket argument, or NULL */
	uint32_t off; /* offset of the name (or of the first transformer) */
	uint8_t n_xf;
	enum xform xf[XFORM_MAX]; /* xf[0] is the outermost */
	/* mv != MVX_NONE: the innermost value is mv(mv_args...), name is "join" etc. and arg
	 * getopt's [c] selector; ref is then the first field argument's (for the slot). */
	uint8_t mv; /* enum mvx */
	uint8_t n_mv_args;
	struct ast_mvarg *mv_args;
	bool mv_list; /* set by rules_compile: the result has several values (getopt) */
	/* Set by rules_compile: */
	struct field_ref ref;
	enum field_type type; /* type after the transformers */
};

/* An operand value; the parsed form is set by rules_compile from the field's type. */
struct ast_value {
	char *text; /* unquoted text */
	uint32_t off;
	const struct cond_src *src;
	bool quoted;
	union {
		uint64_t u;
		int64_t i;
		bool b;
		struct {
			uint8_t family; /* 4 or 6 */
			uint8_t prefix; /* network prefix length (32/128 for a plain address) */
			uint8_t addr[16];
		} net;
	} v;
	uint8_t *bytes; /* bytebuf operands (decoded hex), owned */
	size_t n_bytes;
};

struct ast_node {
	enum ast_kind kind;
	uint32_t off;
	const struct cond_src *src;
	union {
		struct {
			struct ast_node **kids;
			size_t n;
		} bin;		      /* AST_AND, AST_OR: n >= 2 */
		struct ast_node *kid; /* AST_NOT */
		struct {
			struct ast_fieldexpr lhs;
			enum cmp_op op;
			bool is_list;	 /* operand was a (list) or list name */
			char *list_name; /* "in list_name" without parentheses, until expanded */
			struct ast_value *vals;
			size_t n_vals;
			struct ast_fieldexpr *rhs_field; /* val(field) operand, or NULL */
		} cmp;
		char *macro; /* AST_MACRO */
	};
};

const char *cmp_op_name(enum cmp_op op);
bool cmp_op_is_list(enum cmp_op op); /* in, intersects, pmatch */
const char *xform_name(enum xform x);
const char *mvx_name(enum mvx m);

struct ast_node *ast_node_new(enum ast_kind kind, uint32_t off, const struct cond_src *src);
void ast_free(struct ast_node *n);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct ast_node *, ast_free);
/* Deep copy; NULL on OOM. */
struct ast_node *ast_clone(const struct ast_node *n);
/* Appends kid to an AND/OR node; -ENOMEM. Takes ownership of kid on success. */
int ast_bin_add(struct ast_node *bin, struct ast_node *kid);
void ast_fieldexpr_done(struct ast_fieldexpr *f);
int ast_fieldexpr_copy(struct ast_fieldexpr *dst, const struct ast_fieldexpr *src);
int ast_value_push(struct ast_value **vals, size_t *n, const char *text, size_t len, uint32_t off,
		   const struct cond_src *src, bool quoted);
void ast_values_free(struct ast_value *vals, size_t n);
size_t ast_count(const struct ast_node *n);
/* Canonical text of the tree (for tests and debug output); truncated to size. Returns length. */
size_t ast_format(const struct ast_node *n, char *buf, size_t size);
