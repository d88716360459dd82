/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Regular expressions as Falco has them (RE2 syntax, whole-value match), on PCRE2 with hard
 * limits. rx_compile() refuses what RE2 refuses (backreferences, lookaround, atomic groups,
 * possessive quantifiers, recursion, conditionals, callouts, verbs, repeat counts over 1000 and
 * nested repeats whose counts multiply past 1000) and anything past RX_PATTERN_MAX bytes, nesting
 * or compile memory. The pattern is matched against the whole value (PCRE2_ANCHORED |
 * PCRE2_ENDANCHORED): no string wrapping, back-references cannot shift. Matching is bounded in
 * steps, depth, heap and JIT stack: a match that hits a limit returns RX_LIMIT, which callers
 * count as "no match".
 *
 *	struct rx *re; struct rx_error err;
 *	rx_compile(pat, strlen(pat), &re, &err);       at load time: err names what and where
 *	struct rx_matcher *m; rx_matcher_new(&m);       one per thread that matches
 *	rx_match(re, m, value, len);                    1, 0 or RX_LIMIT
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

#define RX_PATTERN_MAX	   16384u      /* bytes of one pattern */
#define RX_REPEAT_MAX	   1000u       /* {n,m} counts, and their product when nested (RE2) */
#define RX_NEST_MAX	   200u	       /* parentheses nesting */
#define RX_COMPILE_MEM_MAX (8u << 20)  /* bytes PCRE2 may allocate to compile one pattern */
#define RX_MATCH_LIMIT	   100000u     /* backtracking steps of one match */
#define RX_DEPTH_LIMIT	   10000u      /* backtracking depth of one match (interpreter) */
#define RX_HEAP_LIMIT_KIB  (16u << 10) /* heap of one match (interpreter), KiB */
#define RX_JIT_STACK_MAX   (1u << 20)  /* JIT stack of a matcher */

#define RX_LIMIT (-1) /* rx_match(): a limit was hit; count it as no match */

struct rx;
struct rx_matcher;

/* Why a pattern was refused: a message and the byte offset in the pattern it refers to. */
struct rx_error {
	size_t off;
	char msg[192];
};

/* Compiles pat (len bytes, no NUL needed). Caller owns *ret. -EINVAL with *err filled when the
 * pattern is refused, -ENOMEM. jit: also JIT-compile (for matching; validation can skip it). */
int rx_compile(const char *pat, size_t len, bool jit, struct rx **ret, struct rx_error *err);
void rx_free(struct rx *re);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rx *, rx_free);

/* A match context (limits, JIT stack, match data) for one thread. Caller owns *ret. */
int rx_matcher_new(struct rx_matcher **ret);
void rx_matcher_free(struct rx_matcher *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rx_matcher *, rx_matcher_free);

/* 1 when the whole of s[0..len) matches, 0 when not, RX_LIMIT when a limit was hit. */
int rx_match(const struct rx *re, struct rx_matcher *m, const char *s, size_t len);

/* Whether the library can JIT-compile (for the docs and -V output). */
bool rx_has_jit(void);
