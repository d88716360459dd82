/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field extraction: the value of a rule field (fields_list.h) for one event, read from the
 * decoded event and the process state (state.h). Values are typed (string, signed or unsigned
 * number, bool, IP address, bytes); a field has no value (count 0) when the event or the state
 * does not know it, and prints as <NA>. Some fields have several values: proc.aname without an
 * index (every ancestor), fd.ip / fd.port / fd.net (client and server ends).
 *
 * No allocation per event: strings built for an event (resolved paths, joined lists, rendered
 * arguments) live in a fixed per-event arena that extract_begin() resets; values are cached per
 * event in slots numbered by the caller (eval.c gives every distinct field reference a slot).
 * At the arena's bound a value that does not fit has no value and arena_exhausted is counted.
 *
 * Ownership: the context borrows the state; values point into the event, the state or the arena
 * and are valid until the next extract_begin().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "fields.h"
#include "state.h"

#define EXTRACT_ARENA_SIZE (256u << 10) /* bytes of per-event strings */
#define EXTRACT_VALUES_MAX 72		/* values of one field (ancestors: STATE_ANCESTOR_MAX) */
#define EXTRACT_SLOTS_MAX  4096		/* distinct cached field references */

enum xval_type {
	XV_NONE,
	XV_STR,	  /* s, len (NUL-terminated) */
	XV_U64,	  /* u */
	XV_S64,	  /* i */
	XV_BOOL,  /* b */
	XV_IP,	  /* family 4 or 6, ip[] in network order */
	XV_BYTES, /* s, len */
};

struct xval {
	uint8_t type;	/* enum xval_type */
	uint8_t family; /* XV_IP */
	bool has_hash;	/* hash is set (eval.c's set lookups compute it once per value) */
	uint32_t len;	/* XV_STR, XV_BYTES */
	uint64_t hash;
	union {
		const char *s;
		uint64_t u;
		int64_t i;
		bool b;
		uint8_t ip[16];
	};
};

struct extract_slot {
	uint64_t gen;
	uint32_t n;
	struct xval *v;	 /* &one or in the arena */
	struct xval one; /* a single value lives here */
};

struct extract_stats {
	uint64_t arena_exhausted; /* values dropped: the per-event arena was full */
};

struct dnsnames;

struct extract_ctx {
	/* set by the caller */
	struct state *st;
	struct dnsnames *dns; /* fd.*ip.name (dnsnames.h); NULL: those fields have no value */
	const char *hostname;
	uint64_t boot_time_ns; /* wall clock at boot of the events' machine */
	/* per event (extract_begin) */
	const struct event *ev;
	struct state_thread *t; /* may be NULL */
	uint64_t evt_num;
	uint64_t first_ts, prev_ts;
	uint64_t gen;
	size_t arena_used;
	bool fd_done;
	bool fd_name_pending; /* fd_tmp's name not resolved yet (param fd_name_param) */
	uint8_t oflags_state; /* open flags: 0 not looked up, 1 in oflags, 2 none */
	uint32_t oflags;
	int fd_name_param;
	struct state_fd *fd; /* the event's fd, or NULL */
	struct state_fd fd_tmp;
	struct extract_slot *slots;
	size_t n_slots;
	struct extract_stats stats;
	struct xval tmp[EXTRACT_VALUES_MAX]; /* private: extraction scratch */
	char arena[EXTRACT_ARENA_SIZE];
};

/* Allocates a context with n_slots cache slots (<= EXTRACT_SLOTS_MAX). Caller owns *ret. */
int extract_ctx_new(struct state *st, size_t n_slots, struct extract_ctx **ret);
void extract_ctx_free(struct extract_ctx *c);

/* Starts a new event: resets the arena and invalidates the cache. t may be NULL. */
void extract_begin(struct extract_ctx *c, const struct event *ev, struct state_thread *t);
/* An event no field is read from: counted (evt.num) and timed (evt.reltime), nothing more. */
static inline void extract_skip(struct extract_ctx *c, const struct event *e)
{
	c->evt_num++;
	if (!c->first_ts)
		c->first_ts = e->hdr->ts_ns;
}

/*
 * The values of ref for the current event, cached in slot (slot < n_slots; pass SIZE_MAX for no
 * caching). Returns the number of values (0: none); *ret points to them.
 */
size_t extract_field(struct extract_ctx *c, size_t slot, const struct field_ref *ref,
		     const struct xval **ret);

/*
 * A few fields with one small value, read without a cache slot: the open-flag booleans (0 or 1),
 * fd.num and evt.rawres, fd.typechar (its character). They start most open rules, and a
 * comparison on them costs less this way than through extract_fill(). extract_is_scalar() says
 * which fields; extract_scalar() returns false when the event has no value.
 */
bool extract_is_scalar(enum field_id id);
bool extract_scalar(struct extract_ctx *c, enum field_id id, int64_t *ret);

/*
 * evt.arg[N] / evt.arg.NAME (ref) when that parameter of the current event is a flags mask: its
 * name table (OSP_FT_*) and value, for "contains O_CREAT" without the text (flag_names.h).
 * False for any other parameter, or none.
 */
bool extract_arg_flags(struct extract_ctx *c, const struct field_ref *ref, uint8_t *ret_table,
		       uint64_t *ret_value);

/* Extracts ref's values for the current event into slot s (extract_slot_get() calls it). */
struct extract_slot *extract_fill(struct extract_ctx *c, struct extract_slot *s,
				  const struct field_ref *ref);

/* The values of ref in cache slot slot (< n_slots) for the current event: s->n values at s->v. */
static inline const struct extract_slot *extract_slot_get(struct extract_ctx *c, size_t slot,
							  const struct field_ref *ref)
{
	struct extract_slot *s = &c->slots[slot];

	return s->gen == c->gen ? s : extract_fill(c, s, ref);
}

/* Renders ref as Falco prints it in an output ("<NA>"-less: returns -ENODATA when no value). */
int extract_render(struct extract_ctx *c, const struct field_ref *ref, char *buf, size_t size);
/* The same through cache slot slot (SIZE_MAX: uncached). */
int extract_render_slot(struct extract_ctx *c, size_t slot, const struct field_ref *ref, char *buf,
			size_t size);
/* Renders one value as text into buf (truncated to size); returns the length needed. */
size_t xval_format(const struct xval *v, char *buf, size_t size);

/* Copies len bytes (plus a NUL) into the arena; NULL when full. */
char *extract_strdup(struct extract_ctx *c, const char *s, size_t len);
/* Reserves size bytes of the arena (aligned to 8); NULL when full. */
void *extract_alloc(struct extract_ctx *c, size_t size);

/* Falco's rendering of a chmod mode: "S_IRUSR|S_IWUSR|S_ISUID". Returns the length needed. */
size_t extract_mode_format(uint32_t mode, char *buf, size_t size);
/* Capability names, space-separated ("CAP_CHOWN CAP_SYS_ADMIN"). Returns the length needed. */
size_t extract_caps_format(uint64_t caps, char *buf, size_t size);
