/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parser of Falco condition syntax into an AST (ast.h):
 *
 *   expr    := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | check
 *   check   := '(' expr ')' | macro-name | fieldexpr 'exists'
 *            | fieldexpr binop value | fieldexpr listop ( '(' [value (',' value)*] ')' | list-name
 * ) fieldexpr := field | xform '(' fieldexpr ')'       xform: tolower toupper b64 basename len
 *   field   := name ('.' name)+ ['[' arg ']']
 *   value   := quoted-string | bare-word | 'val(' fieldexpr ')'
 *
 * Nesting depth, node count and text length are capped; at a cap the parse fails with a clear
 * message. The parser does not know fields, macros or lists: rules_compile.h resolves them.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ast.h"

#define COND_TEXT_MAX  (1u << 20) /* bytes in one condition, after appends */
#define COND_DEPTH_MAX 100	  /* nested parentheses / not / transformers */
#define COND_NODES_MAX 100000	  /* AST nodes in one parsed condition */
#define COND_LIST_MAX  65536	  /* values in one (list) operand */

struct cond_error {
	uint32_t off; /* byte offset into the condition text */
	char msg[256];
	char hint[160];
};

/*
 * Parses text[0..len) into *ret (caller owns it; free with ast_free()). Every node gets src.
 * Returns 0, -EINVAL on a syntax error or a cap (err filled), -ENOMEM.
 */
int cond_parse(const char *text, size_t len, const struct cond_src *src, struct ast_node **ret,
	       struct cond_error *err);
