// SPDX-License-Identifier: Apache-2.0
/* join(), concat(), getopt() over extracted values. See mvx.h. */
#include <string.h>

#include "mvx.h"

static void str_value(struct xval *v, const char *s, size_t len)
{
	memset(v, 0, sizeof(*v));
	v->type = XV_STR;
	v->s = s;
	v->len = (uint32_t)len;
}

bool mvx_join(struct extract_ctx *x, const char *sep, size_t sep_len, const struct xval *v,
	      size_t n, struct xval *ret)
{
	size_t len = 0, o = 0;
	char *p;

	for (size_t i = 0; i < n; i++)
		len += v[i].len + (i + 1 < n ? sep_len : 0);
	if (len > UINT32_MAX)
		return false;
	p = extract_alloc(x, len + 1);
	if (!p)
		return false;
	for (size_t i = 0; i < n; i++) {
		memcpy(p + o, v[i].s, v[i].len);
		o += v[i].len;
		if (i + 1 < n) {
			memcpy(p + o, sep, sep_len);
			o += sep_len;
		}
	}
	p[o] = 0;
	str_value(ret, p, o);
	return true;
}

bool mvx_concat(struct extract_ctx *x, const struct xval *v, size_t n, struct xval *ret)
{
	return mvx_join(x, "", 0, v, n, ret);
}

struct optinfo {
	bool valid[256];
	bool has_arg[256];
};

static void optinfo_parse(struct optinfo *o, const char *s, size_t len)
{
	size_t i = len && s[0] == ':' ? 1 : 0;

	memset(o, 0, sizeof(*o));
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ':')
			continue;
		o->valid[c] = true;
		if (i + 1 < len && s[i + 1] == ':') {
			o->has_arg[c] = true;
			i++;
		}
	}
}

struct getopt_out {
	struct extract_ctx *x;
	struct xval *v;
	size_t n;
	bool have_sel;
	struct xval sel;
};

/* Values are NUL-terminated copies in the arena, as every extracted string is. */
static void emit(struct getopt_out *g, char sel, const char *s, size_t len)
{
	s = extract_strdup(g->x, s, len);
	if (!s)
		return;
	if (sel) {
		str_value(&g->sel, s, len);
		g->have_sel = true;
	} else if (g->n < MVX_VALUES_MAX) {
		str_value(&g->v[g->n++], s, len);
	}
}

size_t mvx_getopt(struct extract_ctx *x, const struct xval *argv, size_t argc, const char *opts,
		  size_t opts_len, char sel, const struct xval **ret)
{
	struct optinfo oi;
	struct getopt_out g = {.x = x};

	optinfo_parse(&oi, opts, opts_len);
	if (!sel) {
		g.v = extract_alloc(x, MVX_VALUES_MAX * sizeof(*g.v));
		if (!g.v)
			return 0;
	}
	for (size_t a = 0; a < argc; a++) {
		const char *w = argv[a].s;
		size_t wl = argv[a].len;

		if (wl == 2 && w[0] == '-' && w[1] == '-')
			break; /* end of options */
		if (wl > 2 && w[0] == '-' && w[1] == '-')
			continue; /* long options are not getopt's */
		if (wl < 2 || w[0] != '-')
			break; /* the first operand */
		for (size_t i = 1; i < wl; i++) {
			unsigned char c = (unsigned char)w[i];
			bool match = !sel || c == (unsigned char)sel;

			if (c == ':' || !oi.valid[c]) {
				if (!sel)
					emit(&g, 0, "?", 1);
				continue;
			}
			if (!oi.has_arg[c]) {
				if (match)
					emit(&g, sel, w + i, 1);
				continue;
			}
			/* the argument: the rest of this word, or the next word */
			if (i + 1 < wl) {
				if (match) {
					if (!sel)
						emit(&g, 0, w + i, 1);
					emit(&g, sel, w + i + 1, wl - i - 1);
				}
			} else if (a + 1 < argc) {
				a++;
				if (match) {
					if (!sel)
						emit(&g, 0, w + i, 1);
					emit(&g, sel, argv[a].s, argv[a].len);
				}
			} else if (match) {
				emit(&g, sel, "", 0); /* missing argument */
			}
			break;
		}
	}
	if (sel) {
		struct xval *one;

		if (!g.have_sel)
			return 0;
		one = extract_alloc(x, sizeof(*one));
		if (!one)
			return 0;
		*one = g.sel;
		*ret = one;
		return 1;
	}
	*ret = g.v;
	return g.n;
}

size_t mvx_split(struct extract_ctx *x, const struct xval *s, const struct xval **ret)
{
	struct xval *v = extract_alloc(x, MVX_VALUES_MAX * sizeof(*v));
	size_t n = 0, i = 0;

	if (!v)
		return 0;
	while (i < s->len && n < MVX_VALUES_MAX) {
		const char *w;
		size_t start;

		while (i < s->len && s->s[i] == ' ')
			i++;
		if (i >= s->len)
			break;
		start = i;
		while (i < s->len && s->s[i] != ' ')
			i++;
		w = extract_strdup(x, s->s + start, i - start);
		if (!w)
			break;
		str_value(&v[n++], w, i - start);
	}
	*ret = v;
	return n;
}
