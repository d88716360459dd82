// SPDX-License-Identifier: Apache-2.0
/*
 * Rule conditions compiled into a tree of typed comparisons, and the event-id index. See eval.h.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval.h"
#include "flag_names.h"
#include "log.h"
#include "macro.h"
#include "mvx.h"
#include "rx.h"

struct operand {
	const char *s; /* the text as written */
	uint32_t len;
	bool num_ok;
	__int128 num;
	bool b;
	uint8_t family, prefix;
	uint8_t addr[16];
	const uint8_t *bytes;
	size_t n_bytes;
};

#define STRSET_LENS 256u

struct strset {
	uint32_t *idx; /* operand index + 1; 0 = empty */
	uint32_t mask;
	bool fnv;	    /* hashed with FNV-1a (pmatch: incremental prefixes), else hash_fast() */
	bool long_lens;	    /* a member is STRSET_LENS or more bytes long */
	uint64_t lens[STRSET_LENS / 64]; /* bit n: a member is n bytes long */
};

struct emvarg;

struct efield {
	size_t slot;
	const struct field_ref *ref;
	uint8_t n_xf;
	enum xform xf[XFORM_MAX];
	enum field_type type; /* after the transformers */
	/* join/concat/getopt (ast.h): the base value is mv(args) instead of the field */
	uint8_t mv;	      /* enum mvx */
	uint8_t n_args;
	char sel;	      /* getopt's [c], 0 if none */
	bool split;	      /* getopt over a string field: split it at spaces */
	struct emvarg *args;
};

struct emvarg {
	const char *lit; /* a literal, or NULL */
	uint32_t lit_len;
	struct efield f; /* else a field expression */
};

enum enode_kind {
	E_AND,
	E_OR,
	E_NOT,
	E_CMP,
	E_EVTTYPE, /* evt.type =, != or in: a table by Osprey event id */
	E_CONST,   /* a comparison known at compile time (evt.dir: exit events only) */
};

/* A comparison; kept apart from struct enode so the tree walked per event stays small. */
struct ecmp {
	/* Identical comparisons (the same macro in many rules) share one ecmp; its result is
	 * remembered for the event it was computed for. What every event reads comes first. */
	uint64_t memo_gen;
	bool memo;
	bool slow; /* transformers, a field on the right or flag_test: cmp_eval_slow() */
	bool scalar;	    /* EQ, NE or an ordering on an extract_scalar() field, against k */
	enum field_id scalar_id;
	int64_t k;
	bool flag_test; /* evt.arg.X contains NAME, with flag_entry[] below */
	enum cmp_op op;
	struct efield f;
	struct operand *ops;
	size_t n_ops;
	struct strset set;
	struct efield *rhs;
	struct rx *re;		     /* OP_REGEX */
	struct eval *owner;	     /* OP_REGEX: the matcher and the limit counters */
	const struct rules_rule *rule; /* the first rule with this comparison (for logs) */
	uint8_t evt_ids[OSP_EVT_COUNT]; /* E_EVTTYPE: bit 0 the id's name, bit 1 execveat */
	uint64_t key_hash;
	char *key;
	struct ecmp *next_unique;
	/* flag_test: per flag table, NAME's entry (flag_names_plain_entry()), FLAG_UNKNOWN until
	 * looked up, FLAG_NEVER or FLAG_TEXT. Last: the fields above share cache lines. */
	int16_t flag_entry[OSP_FT_COUNT];
};

struct enode {
	uint8_t kind; /* enum enode_kind */
	bool value;   /* E_CONST */
	uint32_t n;
	struct enode **kids;
	struct ecmp *c; /* E_CMP, E_EVTTYPE: owned by struct eval */
};

/* Nodes of all rules come from chunks, allocated in compile order, so a rule's tree is
 * contiguous in memory. */
#define NODE_CHUNK (64u << 10)
struct node_chunk {
	struct node_chunk *next;
	size_t used;
	_Alignas(16) uint8_t mem[NODE_CHUNK];
};

struct erule {
	const struct rules_rule *r;
	struct enode *root;
	size_t *out_slots; /* per output piece: the field's cache slot, SIZE_MAX for text */
	uint8_t ids[OSP_EVT_COUNT];
};

/* What the per-event loop reads, contiguous: the root without a detour through struct erule. */
struct erule_ref {
	struct enode *root;
	const struct rules_rule *r;
	struct ecmp *guard; /* the condition's first conjunct, when it is a shared comparison */
	uint32_t run;	    /* this and the next run - 1 rules have the same guard */
};

struct slot_key {
	enum field_id id;
	const char *arg;
};

struct eval {
	struct eval_opts opts;
	struct erule *rules;
	size_t n_rules;
	struct erule_ref *by_id[OSP_EVT_COUNT];
	size_t n_by_id[OSP_EVT_COUNT];
	struct erule_ref *all;
	struct slot_key slots[EXTRACT_SLOTS_MAX];
	size_t n_slots;
	struct node_chunk *chunks;
	struct ecmp *unique; /* every distinct comparison, for sharing and freeing */
	size_t n_unique, n_shared;
	const struct rules_rule *compiling; /* the rule compile_node() works on */
	struct rx_matcher *rxm;		    /* regex limits, JIT stack, match data */
	uint64_t rx_limit_hits;		    /* regex matches stopped at a limit */
	uint64_t rx_hits_logged;	    /* rx_limit_hits at the last log line */
	struct timespec rx_last_log;
};

static void *node_alloc(struct eval *e, size_t size)
{
	struct node_chunk *c = e->chunks;
	void *p;

	size = (size + 15) & ~(size_t)15;
	if (size > NODE_CHUNK)
		return NULL;
	if (!c || NODE_CHUNK - c->used < size) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return NULL;
		c->next = e->chunks;
		e->chunks = c;
	}
	p = c->mem + c->used;
	c->used += size;
	return p;
}

/* ---- hashing ---- */

/*
 * The hash of `in` sets: eight bytes per step, then a 64-bit finaliser. The value's hash is
 * computed once per value and event (struct xval.hash) and reused by every set.
 */
static uint64_t hash_fast(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len, w;

	for (; len >= 8; b += 8, len -= 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 29;
	}
	if (len) {
		w = 0;
		for (size_t i = 0; i < len; i++)
			w |= (uint64_t)b[i] << (8 * i);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 29;
	}
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return h;
}

/* FNV-1a: slower, but incremental (pmatch hashes every prefix of a path in one pass). */
static uint64_t hash_bytes(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	return h;
}

static uint64_t strset_hash(const struct strset *s, const char *p, size_t len)
{
	return s->fnv ? hash_bytes(p, len) : hash_fast(p, len);
}

/* Whether a member has this length: most values are rejected without hashing. */
static inline bool strset_len_ok(const struct strset *s, size_t len)
{
	return len < STRSET_LENS ? s->lens[len / 64] >> (len % 64) & 1 : s->long_lens;
}

static int strset_build(struct strset *s, const struct operand *ops, size_t n, bool fnv)
{
	uint32_t cap = 8;

	while (cap < 2 * n + 1)
		cap <<= 1;
	s->idx = calloc(cap, sizeof(*s->idx));
	if (!s->idx)
		return -ENOMEM;
	s->mask = cap - 1;
	s->fnv = fnv;
	for (size_t i = 0; i < n; i++) {
		uint32_t h = (uint32_t)strset_hash(s, ops[i].s, ops[i].len) & s->mask;

		if (ops[i].len < STRSET_LENS)
			s->lens[ops[i].len / 64] |= 1ull << (ops[i].len % 64);
		else
			s->long_lens = true;

		while (s->idx[h]) {
			const struct operand *o = &ops[s->idx[h] - 1];

			if (o->len == ops[i].len && memcmp(o->s, ops[i].s, o->len) == 0)
				break;
			h = (h + 1) & s->mask;
		}
		if (!s->idx[h])
			s->idx[h] = (uint32_t)i + 1;
	}
	return 0;
}

static bool strset_has_h(const struct strset *s, const struct operand *ops, const char *p,
			 size_t len, uint64_t hash)
{
	uint32_t h = (uint32_t)hash & s->mask;

	while (s->idx[h]) {
		const struct operand *o = &ops[s->idx[h] - 1];

		if (o->len == len && memcmp(o->s, p, len) == 0)
			return true;
		h = (h + 1) & s->mask;
	}
	return false;
}

static bool strset_has(const struct strset *s, const struct operand *ops, const char *p, size_t len)
{
	return strset_len_ok(s, len) && strset_has_h(s, ops, p, len, strset_hash(s, p, len));
}

/* ---- compile ---- */

static void ecmp_free(struct ecmp *c)
{
	free(c->ops);
	free(c->set.idx);
	rx_free(c->re);
	free(c->key);
}

/* A text key naming a comparison: field slot, transformers, operator, operands. */
static char *cmp_key(const struct ecmp *c, const struct ast_node *a)
{
	size_t size = 256, len;
	char *k;
	int n;

	for (size_t i = 0; i < a->cmp.n_vals; i++)
		size += strlen(a->cmp.vals[i].text) + 1;
	k = malloc(size);
	if (!k)
		return NULL;
	n = snprintf(k, size, "%zu/%u/%d/%zu/", c->f.slot, c->f.n_xf, c->op,
		     c->rhs ? c->rhs->slot : SIZE_MAX);
	len = n > 0 ? (size_t)n : 0;
	if (c->f.mv || (c->rhs && c->rhs->mv)) /* several fields: one key per comparison */
		len += (size_t)snprintf(k + len, size - len, "mv%p,", (const void *)a);
	for (unsigned i = 0; i < c->f.n_xf; i++)
		len += (size_t)snprintf(k + len, size - len, "%d,", c->f.xf[i]);
	if (c->rhs)
		for (unsigned i = 0; i < c->rhs->n_xf; i++)
			len += (size_t)snprintf(k + len, size - len, "r%d,", c->rhs->xf[i]);
	for (size_t i = 0; i < a->cmp.n_vals && len < size; i++) {
		size_t t = strlen(a->cmp.vals[i].text);

		if (t + 2 > size - len)
			break;
		k[len++] = '\x1f';
		memcpy(k + len, a->cmp.vals[i].text, t);
		len += t;
	}
	k[len < size ? len : size - 1] = 0;
	return k;
}

static int slot_for(struct eval *e, const struct field_ref *ref, size_t *ret)
{
	const char *arg = ref->has_arg ? ref->arg : "";

	for (size_t i = 0; i < e->n_slots; i++)
		if (e->slots[i].id == ref->info->id && strcmp(e->slots[i].arg, arg) == 0) {
			*ret = i;
			return 0;
		}
	if (e->n_slots >= EXTRACT_SLOTS_MAX)
		return -E2BIG;
	e->slots[e->n_slots] = (struct slot_key){.id = ref->info->id, .arg = arg};
	*ret = e->n_slots++;
	return 0;
}

static int efield_init(struct eval *e, struct efield *f, const struct ast_fieldexpr *a)
{
	int r;

	f->ref = &a->ref;
	f->n_xf = a->n_xf;
	memcpy(f->xf, a->xf, sizeof(f->xf));
	f->type = a->type;
	if (a->mv) {
		f->mv = a->mv;
		f->sel = a->arg ? a->arg[0] : 0;
		f->args = node_alloc(e, a->n_mv_args * sizeof(*f->args));
		if (!f->args)
			return -ENOMEM;
		memset(f->args, 0, a->n_mv_args * sizeof(*f->args));
		f->n_args = a->n_mv_args;
		for (size_t i = 0; i < a->n_mv_args; i++) {
			const struct ast_mvarg *m = &a->mv_args[i];

			if (m->lit) {
				f->args[i].lit = m->lit;
				f->args[i].lit_len = (uint32_t)strlen(m->lit);
				continue;
			}
			r = efield_init(e, &f->args[i].f, m->field);
			if (r < 0)
				return r;
		}
		if (a->mv == MVX_GETOPT && a->mv_args[0].field) {
			const struct ast_fieldexpr *a0 = a->mv_args[0].field;

			f->split = a0->mv ? !a0->mv_list : !(a0->ref.info->flags & FF_LIST);
		}
	}
	return slot_for(e, &a->ref, &f->slot);
}

static bool parse_i128(const char *s, __int128 *ret)
{
	char *end;
	long long v;
	unsigned long long u;

	if (!s || !*s)
		return false;
	errno = 0;
	if (s[0] == '-') {
		v = strtoll(s, &end, 0);
		if (errno || *end)
			return false;
		*ret = v;
		return true;
	}
	u = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*ret = u;
	return true;
}

static void operand_init(struct operand *o, const struct ast_value *v, enum field_type t)
{
	o->s = v->text;
	o->len = (uint32_t)strlen(v->text);
	switch (t) {
	case FT_INT64:
		o->num = v->v.i;
		o->num_ok = true;
		break;
	case FT_UINT64:
	case FT_UINT32:
	case FT_PORT:
	case FT_RELTIME:
	case FT_ABSTIME:
		o->num = v->v.u;
		o->num_ok = true;
		break;
	case FT_BOOL:
		o->b = v->v.b;
		break;
	case FT_IPADDR:
	case FT_IPNET:
		o->family = v->v.net.family;
		o->prefix = v->v.net.prefix;
		memcpy(o->addr, v->v.net.addr, 16);
		break;
	default:
		o->num_ok = parse_i128(v->text, &o->num);
		o->b = strcmp(v->text, "true") == 0;
		break;
	}
	o->bytes = v->bytes;
	o->n_bytes = v->n_bytes;
}

/* evt.type =/!=/in without transformers: which Osprey ids (and exec variants) match. */
static bool compile_evttype(struct ecmp *c, const struct ast_node *a)
{
	const struct ast_fieldexpr *f = &a->cmp.lhs;
	enum cmp_op op = a->cmp.op;

	if (f->ref.info->id != FIELD_EVT_TYPE || f->n_xf || f->mv || a->cmp.rhs_field ||
	    (op != OP_EQ && op != OP_NE && op != OP_IN && op != OP_INTERSECTS))
		return false;
	c->op = op == OP_NE ? OP_NE : OP_EQ;
	for (unsigned id = 0; id < OSP_EVT_COUNT; id++) {
		const struct osp_event_info *info = event_info((uint16_t)id);
		const char *names[2] = {info ? info->name : NULL, NULL};

		if (id == OSP_EVT_PROC_EXEC)
			names[0] = "execve", names[1] = "execveat";
		else if (id == OSP_EVT_PROC_FORK)
			names[0] = "clone";
		for (unsigned k = 0; k < 2; k++)
			for (size_t i = 0; names[k] && i < a->cmp.n_vals; i++)
				if (strcmp(a->cmp.vals[i].text, names[k]) == 0)
					c->evt_ids[id] |= (uint8_t)(1u << k);
	}
	return true;
}

static int compile_cmp(struct eval *e, struct ecmp *n, const struct ast_node *a)
{
	int r;

	n->op = a->cmp.op == OP_INTERSECTS ? OP_IN : a->cmp.op;
	r = efield_init(e, &n->f, &a->cmp.lhs);
	if (r < 0)
		return r;
	if (a->cmp.rhs_field) {
		n->rhs = node_alloc(e, sizeof(*n->rhs));
		if (!n->rhs)
			return -ENOMEM;
		return efield_init(e, n->rhs, a->cmp.rhs_field);
	}
	if (a->cmp.n_vals) {
		n->ops = calloc(a->cmp.n_vals, sizeof(*n->ops));
		if (!n->ops)
			return -ENOMEM;
		n->n_ops = a->cmp.n_vals;
		for (size_t i = 0; i < n->n_ops; i++) {
			operand_init(&n->ops[i], &a->cmp.vals[i], n->f.type);
			/* pmatch: a prefix "/a/b/" is the directory "/a/b" */
			if (n->op == OP_PMATCH)
				while (n->ops[i].len > 1 && n->ops[i].s[n->ops[i].len - 1] == '/')
					n->ops[i].len--;
		}
	}
	if ((n->op == OP_IN || n->op == OP_PMATCH) &&
	    (n->f.type == FT_CHARBUF || n->f.type == FT_DYNAMIC || n->f.type == FT_BYTEBUF)) {
		r = strset_build(&n->set, n->ops, n->n_ops, n->op == OP_PMATCH);
		if (r < 0)
			return r;
	}
	if (n->op == OP_REGEX && n->n_ops) {
		struct rx_error err;

		/* the whole value must match (RE2 full match): PCRE2 anchors both ends itself */
		r = rx_compile(n->ops[0].s, n->ops[0].len, true, &n->re, &err);
		if (r < 0)
			return r;
		n->owner = e;
		n->rule = e->compiling;
	}
	return 0;
}

#define RX_LOG_INTERVAL_SEC 10

/* A regex match stopped at a limit: counts as no match, counted, logged at most once per
 * RX_LOG_INTERVAL_SEC with the number of hits since the last line. */
static void rx_limit_hit(const struct ecmp *n)
{
	struct eval *e = n->owner;
	struct timespec now;

	e->rx_limit_hits++;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (e->rx_hits_logged && now.tv_sec - e->rx_last_log.tv_sec < RX_LOG_INTERVAL_SEC)
		return;
	log_warning("Rule '%s': regex '%.60s' stopped at its match limit, counted as no match "
		    "(%llu such matches so far); simplify the pattern (nested repeats)",
		    n->rule ? n->rule->name : "?", n->ops[0].s,
		    (unsigned long long)e->rx_limit_hits);
	e->rx_hits_logged = e->rx_limit_hits;
	e->rx_last_log = now;
}

static bool regex_one(const struct ecmp *n, const char *s, size_t len)
{
	int r;

	if (!n->re)
		return false;
	r = rx_match(n->re, n->owner->rxm, s, len);
	if (r == RX_LIMIT) {
		rx_limit_hit(n);
		return false;
	}
	return r == 1;
}

/*
 * A comparison of a scalar field (extract_is_scalar()) with one constant, where comparing
 * numbers gives what the general path gives: booleans and fd.typechar's one character for
 * = and !=, the numeric fields for every ordering too. Others stay on the general path.
 */
static void compile_scalar(struct ecmp *c)
{
	enum field_id id = c->f.ref->info->id;
	const struct operand *o = c->ops;

	if (c->slow || c->n_ops != 1 || !extract_is_scalar(id) || c->op > OP_GE)
		return;
	switch (c->f.type) {
	case FT_BOOL:
		if (c->op != OP_EQ && c->op != OP_NE)
			return;
		c->k = o->b;
		break;
	case FT_INT64:
		if (!o->num_ok || o->num < INT64_MIN || o->num > INT64_MAX)
			return;
		c->k = (int64_t)o->num;
		break;
	case FT_CHARBUF: /* fd.typechar */
		if ((c->op != OP_EQ && c->op != OP_NE) || o->len != 1)
			return;
		c->k = (unsigned char)o->s[0];
		break;
	default:
		return;
	}
	c->scalar_id = id;
	c->scalar = true;
}

#define FLAG_UNKNOWN (-1)
#define FLAG_NEVER   (-2) /* no text of that table contains the name */
#define FLAG_TEXT    (-3) /* only the text can say: the general path */

/* evt.arg.X contains NAME, X a flags parameter for the events that have it: a bit test. */
static void compile_flag_test(struct ecmp *c)
{
	if (c->slow || c->op != OP_CONTAINS || c->n_ops != 1 ||
	    c->f.ref->info->id != FIELD_EVT_ARG || !c->f.ref->has_arg)
		return;
	for (unsigned t = 0; t < OSP_FT_COUNT; t++)
		c->flag_entry[t] = FLAG_UNKNOWN;
	c->flag_test = true;
	c->slow = true; /* cmp_eval_slow() tries the bit test first */
}

/*
 * Constant folding of an AND/OR node: constant kids that do not decide are dropped, one that
 * decides makes the node constant, a node left with one kid becomes that kid.
 */
static void fold(struct enode *n)
{
	bool decisive = n->kind == E_OR; /* true decides an OR, false an AND */
	size_t k = 0;

	for (size_t i = 0; i < n->n; i++) {
		struct enode *kid = n->kids[i];

		if (kid->kind != E_CONST) {
			n->kids[k++] = kid;
			continue;
		}
		if (kid->value == decisive) {
			n->kind = E_CONST;
			n->value = decisive;
			n->n = 0;
			return;
		}
	}
	n->n = (uint32_t)k;
	if (k == 0) {
		n->kind = E_CONST;
		n->value = !decisive;
	} else if (k == 1)
		*n = *n->kids[0];
}

/*
 * The tree as it reads for events of one id: evt.type checks become constants (except where
 * PROC_EXEC's execve/execveat variants differ) and are folded away, so the index runs only what
 * can differ between events of that id: (evt.type = open and A) or (evt.type = unlink and B) is
 * A for open. Unchanged subtrees are shared. NULL on allocation failure.
 */
static struct enode *specialize(struct eval *e, struct enode *n, unsigned id)
{
	struct enode *m, **kids = NULL;
	bool changed = false;

	switch (n->kind) {
	case E_EVTTYPE: {
		uint8_t bits = n->c->evt_ids[id];

		if (id == OSP_EVT_PROC_EXEC && (bits == 1 || bits == 2))
			return n;
		m = node_alloc(e, sizeof(*m));
		if (!m)
			return NULL;
		m->kind = E_CONST;
		m->value = (bits != 0) != (n->c->op == OP_NE);
		return m;
	}
	case E_AND:
	case E_OR:
	case E_NOT:
		for (uint32_t i = 0; i < n->n; i++) {
			struct enode *k = specialize(e, n->kids[i], id);

			if (!k)
				return NULL;
			if (k != n->kids[i] && !kids) {
				kids = node_alloc(e, n->n * sizeof(*kids));
				if (!kids)
					return NULL;
				memcpy(kids, n->kids, i * sizeof(*kids));
			}
			if (kids)
				kids[i] = k;
			changed |= k != n->kids[i];
		}
		if (!changed)
			return n;
		m = node_alloc(e, sizeof(*m));
		if (!m)
			return NULL;
		*m = *n;
		m->kids = kids;
		if (m->kind == E_NOT) {
			if (kids[0]->kind == E_CONST) {
				m->kind = E_CONST;
				m->value = !kids[0]->value;
				m->n = 0;
			}
		} else
			fold(m);
		return m;
	default:
		return n;
	}
}

/* Collects the operands of nested same-kind AND (or OR) nodes, in order. */
static int flatten(const struct ast_node *a, enum ast_kind kind, const struct ast_node ***flat,
		   size_t *n)
{
	for (size_t i = 0; i < a->bin.n; i++) {
		const struct ast_node *k = a->bin.kids[i];
		const struct ast_node **p;

		if (k->kind == kind) {
			int r = flatten(k, kind, flat, n);

			if (r < 0)
				return r;
			continue;
		}
		p = realloc(*flat, (*n + 1) * sizeof(**flat));
		if (!p)
			return -ENOMEM;
		*flat = p;
		(*flat)[(*n)++] = k;
	}
	return 0;
}

/* Compiles a into *ret. On error the half-built tree needs no freeing: its nodes live in the
 * chunks and its comparisons in e->unique, both freed by eval_free(). */
static int compile_node(struct eval *e, const struct ast_node *a, struct enode **ret)
{
	struct enode *n = node_alloc(e, sizeof(*n));
	int r;

	*ret = n;
	if (!n)
		return -ENOMEM;
	switch (a->kind) {
	case AST_AND:
	case AST_OR: {
		_cleanup_free_ const struct ast_node **flat = NULL;
		size_t n_flat = 0;

		/* (a and (b and c)) is walked as (a and b and c): fewer nodes per event */
		r = flatten(a, a->kind, &flat, &n_flat);
		if (r < 0)
			return r;
		n->kind = a->kind == AST_AND ? E_AND : E_OR;
		n->kids = node_alloc(e, n_flat * sizeof(*n->kids));
		if (!n->kids)
			return -ENOMEM;
		for (size_t i = 0; i < n_flat; i++) {
			n->n = (uint32_t)i + 1;
			r = compile_node(e, flat[i], &n->kids[i]);
			if (r < 0)
				return r;
		}
		fold(n);
		return 0;
	}
	case AST_NOT:
		n->kind = E_NOT;
		n->kids = node_alloc(e, sizeof(*n->kids));
		if (!n->kids)
			return -ENOMEM;
		n->n = 1;
		r = compile_node(e, a->kid, &n->kids[0]);
		if (r >= 0 && n->kids[0]->kind == E_CONST) {
			n->value = !n->kids[0]->value;
			n->kind = E_CONST;
			n->n = 0;
		}
		return r;
	case AST_CMP: {
		struct ecmp *c;

		/* every event is an exit event: evt.dir = < is true, evt.dir = > false */
		if (a->cmp.lhs.ref.info->id == FIELD_EVT_DIR && !a->cmp.lhs.n_xf && !a->cmp.lhs.mv &&
		    !a->cmp.rhs_field && a->cmp.n_vals == 1 &&
		    (a->cmp.op == OP_EQ || a->cmp.op == OP_NE)) {
			n->kind = E_CONST;
			n->value = (strcmp(a->cmp.vals[0].text, "<") == 0) == (a->cmp.op == OP_EQ);
			return 0;
		}
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		if (compile_evttype(c, a)) {
			n->kind = E_EVTTYPE;
			n->c = c;
			c->next_unique = e->unique;
			e->unique = c;
			return 0;
		}
		n->kind = E_CMP;
		r = compile_cmp(e, c, a);
		c->slow = c->f.n_xf || c->f.mv || c->rhs;
		if (r >= 0) {
			compile_scalar(c);
			compile_flag_test(c);
			c->key = cmp_key(c, a);
			r = c->key ? 0 : -ENOMEM;
		}
		if (r < 0) {
			ecmp_free(c);
			free(c);
			return r;
		}
		c->key_hash = hash_bytes(c->key, strlen(c->key));
		for (struct ecmp *u = e->unique; u; u = u->next_unique)
			if (u->key && u->key_hash == c->key_hash && strcmp(u->key, c->key) == 0) {
				ecmp_free(c);
				free(c);
				n->c = u;
				e->n_shared++;
				return 0;
			}
		n->c = c;
		c->next_unique = e->unique;
		e->unique = c;
		e->n_unique++;
		return 0;
	}
	default:
		return -EINVAL; /* AST_MACRO: not expanded */
	}
}

/* ---- evaluation ---- */

static inline uint8_t ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Case-insensitive (ASCII, as strncasecmp() in the C locale) substring search: a scan for the
 * needle's first byte, either case, and a compare where it occurs. */
static bool mem_icontains(const char *h, size_t hl, const char *n, size_t nl)
{
	const uint8_t *hp = (const uint8_t *)h, *np = (const uint8_t *)n;
	uint8_t first;

	if (nl == 0)
		return true;
	first = ascii_lower(np[0]);
	for (size_t i = 0; i + nl <= hl; i++) {
		size_t k = 1;

		if (ascii_lower(hp[i]) != first)
			continue;
		while (k < nl && ascii_lower(hp[i + k]) == ascii_lower(np[k]))
			k++;
		if (k == nl)
			return true;
	}
	return false;
}

static bool ip_match(const struct xval *v, const struct operand *o)
{
	unsigned bits = o->prefix, full = bits / 8, rest = bits % 8;

	if (v->family != o->family)
		return false;
	if (memcmp(v->ip, o->addr, full) != 0)
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));

		return (v->ip[full] & m) == (o->addr[full] & m);
	}
	return true;
}

/* x OP num for the ordering operators and equality; false for any other operator. */
static inline bool num_cmp(enum cmp_op op, __int128 x, __int128 num)
{
	switch (op) {
	case OP_EQ:
		return x == num;
	case OP_LT:
		return x < num;
	case OP_LE:
		return x <= num;
	case OP_GT:
		return x > num;
	case OP_GE:
		return x >= num;
	default:
		return false;
	}
}

static bool num_of(const struct xval *v, __int128 *ret)
{
	switch (v->type) {
	case XV_U64:
		*ret = v->u;
		return true;
	case XV_S64:
		*ret = v->i;
		return true;
	case XV_BOOL:
		*ret = v->b;
		return true;
	case XV_STR:
		return parse_i128(v->s, ret);
	default:
		return false;
	}
}

/* One value against one operand, for every operator but IN/PMATCH/EXISTS and NE. */
static bool cmp_one(const struct ecmp *n, enum cmp_op op, const struct xval *v,
		    const struct operand *o)
{
	__int128 x;

	switch (v->type) {
	case XV_STR:
	case XV_BYTES:
		switch (op) {
		case OP_EQ:
			return v->len == o->len && memcmp(v->s, o->s, o->len) == 0;
		case OP_CONTAINS:
			return memmem(v->s, v->len, o->s, o->len) != NULL;
		case OP_BCONTAINS:
			return o->bytes ? memmem(v->s, v->len, o->bytes, o->n_bytes) != NULL
					: memmem(v->s, v->len, o->s, o->len) != NULL;
		case OP_ICONTAINS:
			return mem_icontains(v->s, v->len, o->s, o->len);
		case OP_STARTSWITH:
			return v->len >= o->len && memcmp(v->s, o->s, o->len) == 0;
		case OP_BSTARTSWITH:
			if (o->bytes)
				return v->len >= o->n_bytes &&
				       memcmp(v->s, o->bytes, o->n_bytes) == 0;
			return v->len >= o->len && memcmp(v->s, o->s, o->len) == 0;
		case OP_ENDSWITH:
			return v->len >= o->len &&
			       memcmp(v->s + v->len - o->len, o->s, o->len) == 0;
		case OP_GLOB:
			return fnmatch(o->s, v->s, 0) == 0;
		case OP_IGLOB:
			return fnmatch(o->s, v->s, FNM_CASEFOLD) == 0;
		case OP_REGEX:
			return regex_one(n, v->s, v->len);
		case OP_LT:
		case OP_LE:
		case OP_GT:
		case OP_GE:
			if (!o->num_ok || !parse_i128(v->s, &x))
				return false;
			break;
		default:
			return false;
		}
		break;
	case XV_BOOL:
		return op == OP_EQ && v->b == o->b;
	case XV_IP:
		return op == OP_EQ && ip_match(v, o);
	case XV_U64:
	case XV_S64:
		if (!o->num_ok || !num_of(v, &x))
			return false;
		break;
	default:
		return false;
	}
	return num_cmp(op, x, o->num);
}

static inline bool in_one(const struct ecmp *n, const struct xval *cv)
{
	if ((cv->type == XV_STR || cv->type == XV_BYTES) && n->set.idx) {
		/* values live in the extraction arena: remember the hash for the next set */
		struct xval *v = (struct xval *)cv;

		if (!strset_len_ok(&n->set, v->len))
			return false;
		if (!v->has_hash) {
			v->hash = hash_fast(v->s, v->len);
			v->has_hash = true;
		}
		return strset_has_h(&n->set, n->ops, v->s, v->len, v->hash);
	}
	for (size_t i = 0; i < n->n_ops; i++)
		if (cmp_one(n, OP_EQ, cv, &n->ops[i]))
			return true;
	return false;
}

static bool pmatch_one(const struct ecmp *n, const struct xval *v)
{
	if (v->type != XV_STR || !n->set.idx)
		return false;
	uint64_t h = 1469598103934665603ull;

	if (v->len && v->s[0] == '/' && strset_has(&n->set, n->ops, "/", 1))
		return true;
	/* FNV-1a is incremental: the hash of each prefix comes from one pass */
	for (size_t k = 0; k < v->len; k++) {
		if (k > 0 && v->s[k] == '/' && strset_len_ok(&n->set, k) &&
		    strset_has_h(&n->set, n->ops, v->s, k, h))
			return true;
		h ^= (uint8_t)v->s[k];
		h *= 1099511628211ull;
	}
	return strset_len_ok(&n->set, v->len) && strset_has_h(&n->set, n->ops, v->s, v->len, h);
}

static int b64val(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+' || ch == '-')
		return 62;
	if (ch == '/' || ch == '_')
		return 63;
	return -1;
}

/* Applies one transformer to v in place (new strings in the arena); false: no value. */
static bool xform_apply(struct extract_ctx *x, enum xform t, struct xval *v)
{
	char *p;

	v->has_hash = false;
	if (v->type != XV_STR && v->type != XV_BYTES) {
		if (t == XF_LEN)
			return false;
		return true;
	}
	switch (t) {
	case XF_LEN:
		v->type = XV_U64;
		v->u = v->len;
		return true;
	case XF_BASENAME: {
		const char *s = memrchr(v->s, '/', v->len);

		if (s) {
			v->len -= (uint32_t)(s + 1 - v->s);
			v->s = s + 1;
		}
		return true;
	}
	case XF_TOLOWER:
	case XF_TOUPPER:
		p = extract_strdup(x, v->s, v->len);
		if (!p)
			return false;
		for (size_t i = 0; i < v->len; i++)
			p[i] = (char)(t == XF_TOLOWER
					      ? (p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i])
					      : (p[i] >= 'a' && p[i] <= 'z' ? p[i] - 32 : p[i]));
		v->s = p;
		return true;
	case XF_B64: {
		uint32_t acc = 0, bits = 0, o = 0;

		p = extract_strdup(x, v->s, v->len);
		if (!p)
			return false;
		for (size_t i = 0; i < v->len; i++) {
			int d = b64val(v->s[i]);

			if (v->s[i] == '=')
				break;
			if (d < 0)
				return false;
			acc = acc << 6 | (uint32_t)d;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				p[o++] = (char)(acc >> bits & 0xff);
			}
		}
		p[o] = 0;
		v->s = p;
		v->len = o;
		return true;
	}
	default:
		return true;
	}
}

static size_t field_values(struct extract_ctx *x, const struct efield *f, const struct xval **ret);

/* The first value of a join/concat/getopt argument, as a string; false when it has none. */
static bool mvarg_first(struct extract_ctx *x, const struct emvarg *a, struct xval *ret)
{
	const struct xval *v;

	if (a->lit) {
		memset(ret, 0, sizeof(*ret));
		ret->type = XV_STR;
		ret->s = a->lit;
		ret->len = a->lit_len;
		return true;
	}
	if (!field_values(x, &a->f, &v) || (v[0].type != XV_STR && v[0].type != XV_BYTES))
		return false;
	*ret = v[0];
	return true;
}

/* The values of join(), concat() or getopt() (mvx.h), in the arena. */
static size_t mv_values(struct extract_ctx *x, const struct efield *f, const struct xval **ret)
{
	const struct xval *v = NULL;
	struct xval *out, opt;
	size_t n;

	switch (f->mv) {
	case MVX_JOIN:
		out = extract_alloc(x, sizeof(*out));
		if (!out || !mvarg_first(x, &f->args[0], &opt))
			return 0;
		n = field_values(x, &f->args[1].f, &v);
		if (!n || !mvx_join(x, opt.s, opt.len, v, n, out)) /* no list, no value */
			return 0;
		*ret = out;
		return 1;
	case MVX_CONCAT: {
		struct xval *parts = extract_alloc(x, f->n_args * sizeof(*parts));

		out = extract_alloc(x, sizeof(*out));
		if (!parts || !out)
			return 0;
		for (size_t i = 0; i < f->n_args; i++)
			if (!mvarg_first(x, &f->args[i], &parts[i]))
				return 0;
		if (!mvx_concat(x, parts, f->n_args, out))
			return 0;
		*ret = out;
		return 1;
	}
	case MVX_GETOPT:
		if (!mvarg_first(x, &f->args[1], &opt))
			return 0;
		n = field_values(x, &f->args[0].f, &v);
		if (f->split && n)
			n = mvx_split(x, &v[0], &v);
		return mvx_getopt(x, v, n, opt.s, opt.len, f->sel, ret);
	default:
		return 0;
	}
}

/* The field's values after its transformers. */
static size_t field_values(struct extract_ctx *x, const struct efield *f, const struct xval **ret)
{
	const struct xval *v = NULL;
	struct xval *out;
	size_t n = f->mv ? mv_values(x, f, &v) : extract_field(x, f->slot, f->ref, &v), k = 0;

	if (!f->n_xf || !n) {
		*ret = v;
		return n;
	}
	out = extract_alloc(x, n * sizeof(*out));
	if (!out)
		return 0;
	for (size_t i = 0; i < n; i++) {
		bool ok = true;

		out[k] = v[i];
		for (int j = f->n_xf - 1; j >= 0 && ok; j--)
			ok = xform_apply(x, f->xf[j], &out[k]);
		k += ok;
	}
	*ret = out;
	return k;
}

/* compile_flag_test()'s comparison: 1 or 0, or -1 when the text must answer. */
static int cmp_flag(struct ecmp *n, struct extract_ctx *x)
{
	uint8_t table;
	uint64_t value;
	int16_t *entry;

	if (!extract_arg_flags(x, n->f.ref, &table, &value) || table >= OSP_FT_COUNT)
		return -1;
	entry = &n->flag_entry[table];
	if (*entry == FLAG_UNKNOWN) {
		int k = flag_names_plain_entry(table, n->ops[0].s);

		*entry = k >= 0 && k <= INT16_MAX ? (int16_t)k : k == -ENOENT ? FLAG_NEVER : FLAG_TEXT;
	}
	if (*entry == FLAG_TEXT)
		return -1;
	return *entry >= 0 && flag_names_entry_printed(table, *entry, value);
}

/* The general case: transformers, or a field on the right-hand side; flag tests first try
 * their bit test. */
__attribute__((noinline))
static bool cmp_eval_slow(struct ecmp *n, struct extract_ctx *x)
{
	const struct xval *v;
	size_t nv;
	enum cmp_op op = n->op;
	struct operand rop;

	if (n->flag_test) {
		int m = cmp_flag(n, x);

		if (m >= 0)
			return m;
	}
	nv = field_values(x, &n->f, &v);
	if (op == OP_EXISTS)
		return nv > 0;
	if (!nv)
		return false;
	if (n->rhs) {
		const struct xval *rv;
		size_t nr = field_values(x, n->rhs, &rv);

		if (!nr)
			return false;
		memset(&rop, 0, sizeof(rop));
		switch (rv[0].type) {
		case XV_STR:
		case XV_BYTES:
			rop.s = rv[0].s;
			rop.len = rv[0].len;
			rop.num_ok = parse_i128(rv[0].s, &rop.num);
			break;
		case XV_IP:
			rop.family = rv[0].family;
			rop.prefix = rv[0].family == 6 ? 128 : 32;
			memcpy(rop.addr, rv[0].ip, 16);
			break;
		default:
			rop.num_ok = num_of(&rv[0], &rop.num);
			rop.b = rv[0].type == XV_BOOL && rv[0].b;
			break;
		}
		if (op == OP_IN)
			op = OP_EQ;
	}
	for (size_t i = 0; i < nv; i++) {
		bool m;

		switch (op) {
		case OP_IN:
			m = in_one(n, &v[i]);
			break;
		case OP_PMATCH:
			m = pmatch_one(n, &v[i]);
			break;
		case OP_NE:
			m = n->rhs ? cmp_one(n, OP_EQ, &v[i], &rop)
				   : n->n_ops && cmp_one(n, OP_EQ, &v[i], &n->ops[0]);
			if (m)
				return false;
			continue;
		default:
			m = n->rhs ? cmp_one(n, op, &v[i], &rop)
				   : n->n_ops && cmp_one(n, op, &v[i], &n->ops[0]);
			break;
		}
		if (m)
			return true;
	}
	return op == OP_NE;
}

/* cmp_one(n, n->op, v, o) with the frequent cases (a flag, a number, a string equality) inline. */
static inline bool cmp_one_fast(const struct ecmp *n, const struct xval *v, const struct operand *o)
{
	__int128 x;

	switch (v->type) {
	case XV_BOOL:
		return n->op == OP_EQ && v->b == o->b;
	case XV_STR:
		if (n->op != OP_EQ)
			break;
		if (v->len != o->len)
			return false;
		if (o->len <= 8) { /* "f", "host", "ipv4": no call for a few bytes */
			for (uint32_t k = 0; k < o->len; k++)
				if (v->s[k] != o->s[k])
					return false;
			return true;
		}
		return memcmp(v->s, o->s, o->len) == 0;
	case XV_S64:
	case XV_U64:
		if (!o->num_ok)
			return false;
		x = v->type == XV_S64 ? (__int128)v->i : (__int128)v->u;
		return num_cmp(n->op, x, o->num);
	default:
		break;
	}
	return cmp_one(n, n->op, v, o);
}

/* A scalar comparison (compile_scalar()): no value matches nothing, not even != . */
static inline bool cmp_scalar(const struct ecmp *n, struct extract_ctx *x)
{
	int64_t v;

	if (!extract_scalar(x, n->scalar_id, &v))
		return false;
	return n->op == OP_NE ? v != n->k : num_cmp(n->op, v, n->k);
}

/* One comparison on the current event: the field's values (cached per event) against the
 * operands; a field with several values matches when one of them does (NE: when none equals). */
static bool cmp_eval(struct ecmp *n, struct extract_ctx *x)
{
	const struct extract_slot *s;
	const struct xval *v;
	size_t nv;

	if (n->slow)
		return cmp_eval_slow(n, x);
	s = extract_slot_get(x, n->f.slot, n->f.ref);
	nv = s->n;
	v = s->v;
	if (n->op == OP_EXISTS)
		return nv > 0;
	for (size_t i = 0; i < nv; i++) {
		switch (n->op) {
		case OP_IN:
			if (in_one(n, &v[i]))
				return true;
			break;
		case OP_PMATCH:
			if (pmatch_one(n, &v[i]))
				return true;
			break;
		case OP_NE:
			if (n->n_ops && cmp_one(n, OP_EQ, &v[i], &n->ops[0]))
				return false;
			break;
		default:
			if (n->n_ops && cmp_one_fast(n, &v[i], &n->ops[0]))
				return true;
			break;
		}
	}
	return nv && n->op == OP_NE;
}

/* A shared comparison, computed once per event. */
static inline bool cmp_memo(struct ecmp *c, struct extract_ctx *x)
{
	if (c->memo_gen != x->gen) {
		/* the scalar ones inline: cmp_eval()'s frame costs more than they do */
		c->memo = c->scalar ? cmp_scalar(c, x) : cmp_eval(c, x);
		c->memo_gen = x->gen;
	}
	return c->memo;
}

static bool node_eval(struct enode *n, struct extract_ctx *x);

/* evt.type =, != or in: a table lookup by event id (PROC_EXEC: execve or execveat). */
static inline bool evttype_eval(const struct enode *n, struct extract_ctx *x)
{
	uint16_t id = x->ev->hdr->type;
	unsigned variant = 0;
	bool m;

	if (id == OSP_EVT_PROC_EXEC) {
		uint32_t f = 0;

		(void)event_get_u32(x->ev, OSP_EXEC_P_EXE_FLAGS, &f);
		variant = f & OSP_EXE_EXECVEAT ? 1 : 0;
	}
	m = id < OSP_EVT_COUNT && (n->c->evt_ids[id] >> variant & 1);
	return n->c->op == OP_NE ? !m : m;
}

/* A child node: the leaves (comparisons, event types) without a call and a dispatch. */
static inline bool kid_eval(struct enode *k, struct extract_ctx *x)
{
	if (k->kind == E_CMP)
		return cmp_memo(k->c, x);
	if (k->kind == E_EVTTYPE)
		return evttype_eval(k, x);
	return node_eval(k, x);
}

static bool node_eval(struct enode *n, struct extract_ctx *x)
{
	switch (n->kind) {
	case E_AND:
		for (size_t i = 0; i < n->n; i++)
			if (!kid_eval(n->kids[i], x))
				return false;
		return true;
	case E_OR:
		for (size_t i = 0; i < n->n; i++)
			if (kid_eval(n->kids[i], x))
				return true;
		return false;
	case E_NOT:
		return !kid_eval(n->kids[0], x);
	case E_CONST:
		return n->value;
	case E_CMP:
		return cmp_memo(n->c, x);
	case E_EVTTYPE:
		return evttype_eval(n, x);
	}
	return false;
}

/* ---- index ---- */

void eval_evtset_to_ids(const struct evtset *s, uint8_t *ids)
{
	memset(ids, 0, OSP_EVT_COUNT);
	if (evtset_is_full(s)) {
		for (unsigned i = 0; i < OSP_EVT_COUNT; i++)
			ids[i] = event_info((uint16_t)i) && i != OSP_EVT_PROC_SNAPSHOT &&
				 i != OSP_EVT_FD_SNAPSHOT;
		return;
	}
	for (unsigned i = 0; i < EVTTYPE_COUNT; i++) {
		const char *name;
		int id;

		if (!evtset_has(s, i))
			continue;
		name = evttype_name(i);
		if (!name)
			continue;
		if (strcmp(name, "execve") == 0 || strcmp(name, "execveat") == 0)
			ids[OSP_EVT_PROC_EXEC] = 1;
		if (strcmp(name, "clone") == 0 || strcmp(name, "clone3") == 0 ||
		    strcmp(name, "fork") == 0 || strcmp(name, "vfork") == 0)
			ids[OSP_EVT_PROC_FORK] = 1;
		id = event_type_from_name(name);
		if (id > 0 && id < OSP_EVT_COUNT && id != OSP_EVT_PROC_SNAPSHOT &&
		    id != OSP_EVT_FD_SNAPSHOT && id != OSP_EVT_PROC_EXEC && id != OSP_EVT_PROC_FORK)
			ids[id] = 1;
	}
}

/*
 * A rule as the per-event loop reads it. Rules often start with the same macro (six default
 * rules with osp_open_write: evt.dir is settled at compile time and evt.type by the index,
 * which leaves "evt.is_open_write = true" first): when that first conjunct is a shared comparison
 * already found false for this event, the loop skips the rule without walking it.
 */
static struct erule_ref erule_ref_of(struct enode *root, const struct rules_rule *r)
{
	struct erule_ref ref = {.root = root, .r = r};
	struct enode *first = root;

	/* the first conjunct of a first conjunct is necessary too: (a and b) and c needs a */
	while (first->kind == E_AND && first->n)
		first = first->kids[0];
	if (first->kind == E_CMP)
		ref.guard = first->c;
	return ref;
}

/* Marks runs of consecutive rules with the same guard: one false guard skips them all. */
static void guard_runs(struct erule_ref *list, size_t n)
{
	for (size_t i = n; i-- > 0;)
		list[i].run = i + 1 < n && list[i].guard && list[i + 1].guard == list[i].guard
				      ? list[i + 1].run + 1
				      : 1;
}

int eval_new(const struct ruleset *rs, const struct eval_opts *opts, struct eval **ret)
{
	struct eval *e;
	int r = 0;

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->opts = *opts;
	r = rx_matcher_new(&e->rxm);
	if (r < 0) {
		free(e);
		return r;
	}
	e->rules = calloc(rs->n_rules ? rs->n_rules : 1, sizeof(*e->rules));
	e->all = calloc(rs->n_rules ? rs->n_rules : 1, sizeof(*e->all));
	if (!e->rules || !e->all) {
		eval_free(e);
		return -ENOMEM;
	}
	for (size_t i = 0; i < rs->n_rules; i++) {
		const struct rules_rule *rr = rs->rules[i];
		struct erule *er = &e->rules[e->n_rules];

		if (!rr->enabled || !rr->compiled || rr->skipped || !rr->ast ||
		    rr->fields != field_source_syscall() || rr->priority > opts->min_priority)
			continue;
		e->compiling = rr;
		r = compile_node(e, rr->ast, &er->root);
		if (r < 0) {
			log_debug_errno(r, "Failed to compile rule '%s' for evaluation: %m", rr->name);
			/* the nodes go with the chunks, the comparisons with e->unique */
			eval_free(e);
			return r;
		}
		er->r = rr;
		eval_evtset_to_ids(&rr->evttypes, er->ids);
		/* output fields get cache slots too: an alert reuses what the condition read */
		er->out_slots = calloc(rr->n_output_pieces ? rr->n_output_pieces : 1,
				       sizeof(*er->out_slots));
		if (!er->out_slots) {
			e->n_rules++;
			eval_free(e);
			return -ENOMEM;
		}
		for (size_t k = 0; k < rr->n_output_pieces; k++)
			if (!rr->output_pieces[k].is_field ||
			    slot_for(e, &rr->output_pieces[k].ref, &er->out_slots[k]) < 0)
				er->out_slots[k] = SIZE_MAX;
		e->n_rules++;
	}
	for (size_t i = 0; i < e->n_rules; i++)
		e->all[i] = erule_ref_of(e->rules[i].root, e->rules[i].r);
	for (unsigned id = 0; id < OSP_EVT_COUNT; id++) {
		size_t k = 0;

		for (size_t i = 0; i < e->n_rules; i++)
			k += e->rules[i].ids[id];
		if (!k)
			continue;
		e->by_id[id] = calloc(k, sizeof(*e->by_id[id]));
		if (!e->by_id[id]) {
			eval_free(e);
			return -ENOMEM;
		}
		for (size_t i = 0; i < e->n_rules; i++) {
			struct enode *root;

			if (!e->rules[i].ids[id])
				continue;
			root = specialize(e, e->rules[i].root, id);
			if (!root) {
				eval_free(e);
				return -ENOMEM;
			}
			if (root->kind == E_CONST && !root->value)
				continue; /* cannot match events of this id */
			e->by_id[id][e->n_by_id[id]++] = erule_ref_of(root, e->rules[i].r);
		}
		guard_runs(e->by_id[id], e->n_by_id[id]);
	}
	guard_runs(e->all, e->n_rules);
	*ret = e;
	return 0;
}

void eval_free(struct eval *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_rules; i++)
		free(e->rules[i].out_slots);
	for (unsigned id = 0; id < OSP_EVT_COUNT; id++)
		free(e->by_id[id]);
	free(e->rules);
	free(e->all);
	while (e->unique) {
		struct ecmp *c = e->unique;

		e->unique = c->next_unique;
		ecmp_free(c);
		free(c);
	}
	while (e->chunks) {
		struct node_chunk *c = e->chunks;

		e->chunks = c->next;
		free(c);
	}
	rx_matcher_free(e->rxm);
	free(e);
}

size_t eval_n_slots(const struct eval *e)
{
	return e->n_slots;
}

size_t eval_n_rules(const struct eval *e)
{
	return e->n_rules;
}

bool eval_has_rules(const struct eval *e, uint16_t id)
{
	return e->opts.no_index ? e->n_rules > 0 : id < OSP_EVT_COUNT && e->n_by_id[id] > 0;
}

const size_t *eval_output_slots(const struct eval *e, const struct rules_rule *r)
{
	for (size_t i = 0; i < e->n_rules; i++)
		if (e->rules[i].r == r)
			return e->rules[i].out_slots;
	return NULL;
}

unsigned eval_interest(const struct eval *e, uint8_t *interest)
{
	unsigned n = 0;

	for (unsigned id = 0; id < OSP_EVT_COUNT; id++)
		if (e->n_by_id[id] && !interest[id]) {
			interest[id] = 1;
			n++;
		}
	return n;
}

uint64_t eval_regex_limit_hits(const struct eval *e)
{
	return e->rx_limit_hits;
}

bool eval_rule(struct eval *e, struct extract_ctx *x, const struct rules_rule *r)
{
	for (size_t i = 0; i < e->n_rules; i++)
		if (e->rules[i].r == r)
			return node_eval(e->rules[i].root, x);
	return false;
}

size_t eval_match(struct eval *e, struct extract_ctx *x, eval_match_fn on_match, void *userdata)
{
	uint16_t id = x->ev->hdr->type;
	struct erule_ref *list;
	size_t n, matches = 0;

	if (id >= OSP_EVT_COUNT)
		return 0;
	if (e->opts.no_index) {
		list = e->all;
		n = e->n_rules;
	} else {
		list = e->by_id[id];
		n = e->n_by_id[id];
	}
	for (size_t i = 0; i < n; i++) {
		struct ecmp *g = list[i].guard;

		if (g && !cmp_memo(g, x)) {
			i += list[i].run - 1; /* the rules sharing this false guard */
			continue;
		}
		if (!node_eval(list[i].root, x))
			continue;
		matches++;
		if (on_match && on_match(list[i].r, userdata) < 0)
			break;
		if (!e->opts.match_all)
			break;
	}
	return matches;
}
