// SPDX-License-Identifier: Apache-2.0
/*
 * RE2-syntax regular expressions on PCRE2, bounded in compile memory and match time. See rx.h.
 *
 * The pattern is first scanned for what RE2 refuses, since PCRE2 accepts more (and what it
 * accepts beyond RE2, back-references and lookaround above all, is what makes backtracking
 * exponential). The scan also rewrites the one escape whose meaning differs (`\v`: RE2's
 * vertical tab, PCRE2's vertical-space class). Then PCRE2 compiles with a capped allocator and
 * the pattern is matched whole with step, depth, heap and JIT-stack limits.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx.h"

struct rx_budget {
	size_t used, cap;
	bool hit;
};

struct rx {
	pcre2_code *code;
	struct rx_budget budget; /* the code's memory is counted here until it is freed */
};

struct rx_matcher {
	pcre2_match_context *mctx;
	pcre2_match_data *md;
	pcre2_jit_stack *jit_stack;
};

/* ---- memory ---- */

/* PCRE2 allocations carry their size in front, so frees can be counted. */
struct rx_block {
	size_t size;
	_Alignas(16) unsigned char mem[];
};

static void *budget_malloc(size_t size, void *data)
{
	struct rx_budget *b = data;
	struct rx_block *blk;

	if (size > b->cap || b->used > b->cap - size) {
		b->hit = true;
		return NULL;
	}
	blk = malloc(sizeof(*blk) + size);
	if (!blk)
		return NULL;
	blk->size = size;
	b->used += size;
	return blk->mem;
}

static void budget_free(void *p, void *data)
{
	struct rx_budget *b = data;
	struct rx_block *blk;

	if (!p)
		return;
	blk = (struct rx_block *)((unsigned char *)p - offsetof(struct rx_block, mem));
	b->used -= blk->size;
	free(blk);
}

/* ---- the RE2 syntax check ---- */

struct scan {
	const char *p;
	size_t len, i;
	char *out; /* the pattern as PCRE2 gets it */
	size_t n_out;
	struct rx_error *err;
	/* per open group: the largest product of nested counted repeats inside it */
	unsigned prod[RX_NEST_MAX + 1];
	unsigned depth;
	unsigned atom; /* product of the last atom (1, or a closed group's prod) */
	bool have_atom;
	bool after_repeat;
};

static int _printf_(3, 4) refuse(struct scan *s, size_t off, const char *fmt, ...)
{
	va_list ap;

	s->err->off = off;
	va_start(ap, fmt);
	vsnprintf(s->err->msg, sizeof(s->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void emit(struct scan *s, const char *p, size_t n)
{
	memcpy(s->out + s->n_out, p, n);
	s->n_out += n;
}

static void set_atom(struct scan *s, unsigned prod)
{
	s->atom = prod;
	s->have_atom = true;
	s->after_repeat = false;
}

/* An escape at s->i (the backslash), outside or inside a class. Emits it and moves past it. */
static int scan_escape(struct scan *s, bool in_class)
{
	size_t at = s->i;
	char c;

	if (s->i + 1 >= s->len)
		return refuse(s, at, "trailing backslash at the end of the pattern");
	c = s->p[s->i + 1];
	if (c >= '1' && c <= '9')
		return refuse(s, at, "backreference \\%c: RE2 has no backreferences", c);
	switch (c) {
	case 'g':
	case 'k':
		return refuse(s, at, "backreference \\%c: RE2 has no backreferences", c);
	case 'K':
	case 'G':
	case 'R':
	case 'X':
	case 'N':
	case 'h':
	case 'H':
	case 'V':
	case 'e':
	case 'c':
	case 'o':
	case 'Z':
	case 'C':
	case 'u':
	case 'U':
	case 'L':
	case 'l':
		return refuse(s, at, "escape \\%c is not RE2 syntax", c);
	case 'v': /* RE2: the vertical tab character */
		emit(s, "\\x0B", 4);
		s->i += 2;
		return 0;
	case 'x':
		if (s->i + 2 < s->len && s->p[s->i + 2] == '{') {
			const char *end = memchr(s->p + s->i, '}', s->len - s->i);

			if (!end)
				return refuse(s, at, "\\x{ without a closing }");
			emit(s, s->p + s->i, (size_t)(end - (s->p + s->i)) + 1);
			s->i = (size_t)(end - s->p) + 1;
			return 0;
		}
		break;
	case 'p':
	case 'P':
		if (s->i + 2 < s->len && s->p[s->i + 2] == '{') {
			const char *end = memchr(s->p + s->i, '}', s->len - s->i);

			if (!end)
				return refuse(s, at, "\\%c{ without a closing }", c);
			emit(s, s->p + s->i, (size_t)(end - (s->p + s->i)) + 1);
			s->i = (size_t)(end - s->p) + 1;
			return 0;
		}
		break;
	case 'b':
	case 'B':
	case 'A':
	case 'z':
		if (in_class)
			return refuse(s, at, "escape \\%c is not allowed in a character class", c);
		break;
	case 'Q':
		if (in_class)
			return refuse(s, at, "\\Q is not allowed in a character class");
		break;
	default:
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			if (!strchr("dDsSwWaftnr0E", c))
				return refuse(s, at, "escape \\%c is not RE2 syntax", c);
		} else if ((unsigned char)c >= 0x80) {
			return refuse(s, at, "escape of a non-ASCII byte");
		}
		break;
	}
	emit(s, s->p + s->i, 2);
	s->i += 2;
	return 0;
}

static int scan_class(struct scan *s)
{
	size_t at = s->i;
	int r;

	emit(s, "[", 1);
	s->i++;
	if (s->i < s->len && s->p[s->i] == '^')
		emit(s, "^", 1), s->i++;
	if (s->i < s->len && s->p[s->i] == ']') /* a leading ] is literal */
		emit(s, "]", 1), s->i++;
	while (s->i < s->len) {
		char c = s->p[s->i];

		if (c == ']') {
			emit(s, "]", 1);
			s->i++;
			set_atom(s, 1);
			return 0;
		}
		if (c == '\\') {
			r = scan_escape(s, true);
			if (r < 0)
				return r;
			continue;
		}
		if (c == '[' && s->i + 1 < s->len && s->p[s->i + 1] == ':') {
			const char *end = NULL;

			for (size_t k = s->i + 2; k + 1 < s->len; k++)
				if (s->p[k] == ':' && s->p[k + 1] == ']') {
					end = s->p + k + 2;
					break;
				}
			if (!end)
				return refuse(s, s->i, "[: without a closing :]");
			emit(s, s->p + s->i, (size_t)(end - (s->p + s->i)));
			s->i = (size_t)(end - s->p);
			continue;
		}
		emit(s, &c, 1);
		s->i++;
	}
	return refuse(s, at, "missing ] at the end of a character class");
}

/* "(?" at s->i: a group form RE2 knows, or a refusal naming what it is. */
static int scan_group_open(struct scan *s)
{
	size_t at = s->i, k = s->i + 2;
	const char *p = s->p;
	char c;

	if (k >= s->len)
		return refuse(s, at, "missing ) after (?");
	c = p[k];
	switch (c) {
	case ':':
		emit(s, "(?:", 3);
		s->i = k + 1;
		return 1;
	case '=':
	case '!':
		return refuse(s, at, "lookahead (?%c: RE2 has no lookaround", c);
	case '>':
		return refuse(s, at, "atomic group (?>: not RE2 syntax");
	case '#':
		return refuse(s, at, "comment group (?#: not RE2 syntax");
	case '|':
		return refuse(s, at, "branch reset (?|: not RE2 syntax");
	case '(':
		return refuse(s, at, "conditional group (?(: not RE2 syntax");
	case 'C':
		return refuse(s, at, "callout (?C: not RE2 syntax");
	case 'R':
	case '&':
	case '+':
		return refuse(s, at, "recursion (?%c: not RE2 syntax", c);
	case '<':
		if (k + 1 < s->len && (p[k + 1] == '=' || p[k + 1] == '!'))
			return refuse(s, at, "lookbehind (?<%c: RE2 has no lookaround", p[k + 1]);
		__attribute__((fallthrough)); /* (?<name> */
	case 'P':
		if (c == 'P') {
			if (k + 1 < s->len && p[k + 1] == '=')
				return refuse(s, at,
					      "backreference (?P=: RE2 has no backreferences");
			if (k + 1 < s->len && p[k + 1] == '>')
				return refuse(s, at, "recursion (?P>: not RE2 syntax");
			if (k + 1 >= s->len || p[k + 1] != '<')
				return refuse(s, at, "(?P must be followed by <name>");
			k++;
		}
		for (size_t n = k + 1; n < s->len; n++) {
			char d = p[n];

			if (d == '>') {
				if (n == k + 1)
					return refuse(s, at, "empty group name");
				/* (?P<name> and (?<name> both mean (?<name> to PCRE2 */
				emit(s, "(?<", 3);
				emit(s, p + k + 1, n - (k + 1) + 1);
				s->i = n + 1;
				return 1;
			}
			if (!(d == '_' || (d >= '0' && d <= '9') || (d >= 'a' && d <= 'z') ||
			      (d >= 'A' && d <= 'Z')))
				return refuse(s, at, "bad character in a group name");
		}
		return refuse(s, at, "missing > after a group name");
	default:
		if ((c >= '0' && c <= '9') || c == '-') {
			if (c != '-' || (k + 1 < s->len && p[k + 1] >= '0' && p[k + 1] <= '9'))
				return refuse(s, at, "recursion (?%c: not RE2 syntax", c);
		}
		break;
	}
	/* flags: (?imsU-imsU) or (?imsU-imsU:...) */
	{
		bool neg = false, any = false;

		for (; k < s->len; k++) {
			c = p[k];
			if (c == ')' || c == ':') {
				if (!any || (neg && p[k - 1] == '-'))
					return refuse(s, at, "bad flags group");
				emit(s, p + s->i, k - s->i + 1);
				s->i = k + 1;
				return c == ':' ? 1 : 0;
			}
			if (c == '-') {
				if (neg)
					return refuse(s, at, "bad flags group");
				neg = true;
				continue;
			}
			if (c != 'i' && c != 'm' && c != 's' && c != 'U')
				return refuse(s, k,
					      "flag '%c' is not RE2's (it knows i, m, s and U)", c);
			any = true;
		}
	}
	return refuse(s, at, "missing ) after (?");
}

/* {n}, {n,} or {n,m} at s->i: returns its length (0 when it is a literal brace, as in RE2). */
static size_t repeat_at(const struct scan *s, unsigned *ret_min, int *ret_max, bool *ret_big)
{
	size_t k = s->i + 1;
	unsigned long a = 0, b = 0;
	bool comma = false, have_b = false;

	*ret_big = false;
	if (k >= s->len || s->p[k] < '0' || s->p[k] > '9')
		return 0;
	for (; k < s->len && s->p[k] >= '0' && s->p[k] <= '9'; k++)
		if ((a = a * 10 + (unsigned long)(s->p[k] - '0')) > 100000)
			a = 100000;
	if (k < s->len && s->p[k] == ',') {
		comma = true;
		for (k++; k < s->len && s->p[k] >= '0' && s->p[k] <= '9'; k++) {
			have_b = true;
			if ((b = b * 10 + (unsigned long)(s->p[k] - '0')) > 100000)
				b = 100000;
		}
	}
	if (k >= s->len || s->p[k] != '}')
		return 0;
	if (a > RX_REPEAT_MAX || b > RX_REPEAT_MAX)
		*ret_big = true;
	*ret_min = (unsigned)a;
	*ret_max = !comma ? (int)a : have_b ? (int)b : -1;
	return k - s->i + 1;
}

static int scan_quantifier(struct scan *s)
{
	size_t at = s->i, n = 1;
	unsigned prod = s->atom;

	if (!s->have_atom || s->after_repeat)
		return refuse(s, at, "repetition operator '%c' has nothing to repeat", s->p[s->i]);
	if (s->p[s->i] == '{') {
		unsigned mn;
		int mx;
		bool big;

		n = repeat_at(s, &mn, &mx, &big);
		if (big)
			return refuse(s, at, "repeat count over %u (RE2's limit)", RX_REPEAT_MAX);
		if (mx >= 0 && (unsigned)mx < mn)
			return refuse(s, at, "bad repeat {%u,%d}: the maximum is below the minimum",
				      mn, mx);
		/* RE2 refuses nested counted repeats whose counts multiply past 1000 */
		{
			unsigned long m = mx >= 0 ? (unsigned)mx : mn;

			if (m > 0 && (unsigned long)prod * m > RX_REPEAT_MAX)
				return refuse(
					s, at,
					"nested repeats make more than %u copies (RE2's limit)",
					RX_REPEAT_MAX);
			if (m > 0)
				prod = (unsigned)(prod * m);
		}
	}
	emit(s, s->p + s->i, n);
	s->i += n;
	if (s->i < s->len && s->p[s->i] == '+')
		return refuse(s, at, "possessive quantifier: not RE2 syntax");
	if (s->i < s->len && s->p[s->i] == '?')
		emit(s, "?", 1), s->i++;
	if (prod > s->prod[s->depth])
		s->prod[s->depth] = prod;
	s->after_repeat = true;
	return 0;
}

/* Checks pat against RE2's syntax and writes what PCRE2 compiles into s->out. */
static int scan_pattern(struct scan *s)
{
	int r;

	s->prod[0] = 1;
	while (s->i < s->len) {
		char c = s->p[s->i];

		switch (c) {
		case '\\':
			if (s->i + 1 < s->len && s->p[s->i + 1] == 'Q') { /* literal up to \E */
				const char *end = NULL;

				for (size_t k = s->i + 2; k + 1 < s->len; k++)
					if (s->p[k] == '\\' && s->p[k + 1] == 'E') {
						end = s->p + k + 2;
						break;
					}
				if (!end)
					end = s->p + s->len;
				emit(s, s->p + s->i, (size_t)(end - (s->p + s->i)));
				s->i = (size_t)(end - s->p);
				set_atom(s, 1);
				break;
			}
			r = scan_escape(s, false);
			if (r < 0)
				return r;
			set_atom(s, 1);
			break;
		case '[':
			r = scan_class(s);
			if (r < 0)
				return r;
			break;
		case '(':
			if (s->i + 1 < s->len && s->p[s->i + 1] == '*')
				return refuse(s, s->i, "(* verbs and options are not RE2 syntax");
			if (s->i + 1 < s->len && s->p[s->i + 1] == '?') {
				r = scan_group_open(s);
				if (r < 0)
					return r;
				if (r == 0) { /* a flags group: no new group */
					s->have_atom = false;
					break;
				}
			} else {
				emit(s, "(", 1);
				s->i++;
			}
			if (s->depth >= RX_NEST_MAX)
				return refuse(s, s->i - 1, "parentheses nested deeper than %u",
					      RX_NEST_MAX);
			s->prod[++s->depth] = 1;
			s->have_atom = false;
			break;
		case ')':
			if (!s->depth)
				return refuse(s, s->i, "unmatched )");
			emit(s, ")", 1);
			s->i++;
			s->depth--;
			set_atom(s, s->prod[s->depth + 1]);
			break;
		case '*':
		case '+':
		case '?':
			r = scan_quantifier(s);
			if (r < 0)
				return r;
			break;
		case '{': {
			unsigned mn;
			int mx;
			bool big;

			if (repeat_at(s, &mn, &mx, &big)) {
				r = scan_quantifier(s);
				if (r < 0)
					return r;
				break;
			}
			emit(s, "\\{", 2); /* a literal brace, as RE2 reads it */
			s->i++;
			set_atom(s, 1);
			break;
		}
		case '|':
			emit(s, "|", 1);
			s->i++;
			s->have_atom = false;
			break;
		case '^':
		case '$':
			emit(s, &c, 1);
			s->i++;
			s->have_atom = false;
			break;
		default:
			emit(s, &c, 1);
			s->i++;
			set_atom(s, 1);
			break;
		}
	}
	if (s->depth)
		return refuse(s, s->len, "missing ) at the end of the pattern");
	return 0;
}

/* ---- compile and match ---- */

int rx_compile(const char *pat, size_t len, bool jit, struct rx **ret, struct rx_error *err)
{
	_cleanup_(rx_freep) struct rx *re = NULL;
	_cleanup_free_ char *out = NULL;
	pcre2_general_context *gctx = NULL;
	pcre2_compile_context *cctx = NULL;
	struct scan s = {.p = pat, .len = len, .err = err};
	uint32_t backrefs = 0;
	PCRE2_SIZE erroff = 0;
	int errcode = 0, r;

	err->off = 0;
	err->msg[0] = 0;
	if (len > RX_PATTERN_MAX) {
		snprintf(err->msg, sizeof(err->msg), "pattern of %zu bytes, the limit is %u", len,
			 RX_PATTERN_MAX);
		return -EINVAL;
	}
	if (memchr(pat, 0, len)) {
		snprintf(err->msg, sizeof(err->msg), "NUL byte in the pattern");
		return -EINVAL;
	}
	/* the rewrite grows only \v (2 bytes to 4) and { (1 to 2) */
	out = malloc(2 * len + 1);
	re = calloc(1, sizeof(*re));
	if (!out || !re)
		return -ENOMEM;
	s.out = out;
	r = scan_pattern(&s);
	if (r < 0)
		return r;

	re->budget.cap = RX_COMPILE_MEM_MAX;
	gctx = pcre2_general_context_create(budget_malloc, budget_free, &re->budget);
	if (!gctx)
		return -ENOMEM;
	cctx = pcre2_compile_context_create(gctx);
	if (!cctx) {
		pcre2_general_context_free(gctx);
		return -ENOMEM;
	}
	pcre2_set_max_pattern_length(cctx, 2 * RX_PATTERN_MAX);
	pcre2_set_parens_nest_limit(cctx, RX_NEST_MAX);
	re->code = pcre2_compile((PCRE2_SPTR)out, s.n_out,
				 PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF |
					 PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY |
					 PCRE2_NEVER_BACKSLASH_C,
				 &errcode, &erroff, cctx);
	pcre2_compile_context_free(cctx);
	pcre2_general_context_free(gctx);
	if (!re->code) {
		PCRE2_UCHAR msg[128];

		if (re->budget.hit) {
			snprintf(err->msg, sizeof(err->msg),
				 "compiling needs more than %u MiB (RE2's limit is 8 MiB too)",
				 RX_COMPILE_MEM_MAX >> 20);
			return -EINVAL;
		}
		if (errcode == PCRE2_ERROR_NOMEMORY)
			return -ENOMEM;
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		/* erroff is in the rewritten pattern: close enough to point at the place */
		err->off = erroff < len ? erroff : len;
		snprintf(err->msg, sizeof(err->msg), "%s", (const char *)msg);
		return -EINVAL;
	}
	if (pcre2_pattern_info(re->code, PCRE2_INFO_BACKREFMAX, &backrefs) == 0 && backrefs) {
		snprintf(err->msg, sizeof(err->msg), "backreferences are not RE2 syntax");
		return -EINVAL;
	}
	if (jit)
		(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE); /* else: the interpreter */
	*ret = TAKE_PTR(re);
	return 0;
}

void rx_free(struct rx *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	free(re);
}

int rx_matcher_new(struct rx_matcher **ret)
{
	struct rx_matcher *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->mctx = pcre2_match_context_create(NULL);
	m->md = pcre2_match_data_create(1, NULL);
	if (!m->mctx || !m->md) {
		rx_matcher_free(m);
		return -ENOMEM;
	}
	pcre2_set_match_limit(m->mctx, RX_MATCH_LIMIT);
	pcre2_set_depth_limit(m->mctx, RX_DEPTH_LIMIT);
	pcre2_set_heap_limit(m->mctx, RX_HEAP_LIMIT_KIB);
	if (rx_has_jit()) {
		m->jit_stack = pcre2_jit_stack_create(32u << 10, RX_JIT_STACK_MAX, NULL);
		if (m->jit_stack)
			pcre2_jit_stack_assign(m->mctx, NULL, m->jit_stack);
	}
	*ret = m;
	return 0;
}

void rx_matcher_free(struct rx_matcher *m)
{
	if (!m)
		return;
	pcre2_jit_stack_free(m->jit_stack);
	pcre2_match_data_free(m->md);
	pcre2_match_context_free(m->mctx);
	free(m);
}

int rx_match(const struct rx *re, struct rx_matcher *m, const char *s, size_t len)
{
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, m->md, m->mctx);

	if (rc >= 0)
		return 1;
	switch (rc) {
	case PCRE2_ERROR_NOMATCH:
		return 0;
	default: /* the limits, and anything else that left the question open */
		return RX_LIMIT;
	}
}

bool rx_has_jit(void)
{
	uint32_t jit = 0;

	return pcre2_config(PCRE2_CONFIG_JIT, &jit) >= 0 && jit;
}
