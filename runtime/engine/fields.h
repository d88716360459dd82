/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The field registry: every filter field Osprey knows (evt.*, proc.*, fd.*, ...), with its type,
 * the argument it takes and a one-line description. fields_list.h is the table. Extraction (the
 * value of a field for an event) is the engine's job; it switches on enum field_id.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum field_id {
#define FIELD(id, name, type, arg, flags, desc) FIELD_##id,
#include "fields_list.h"
#undef FIELD
	_FIELD_MAX,
	FIELD_INVALID = -1,
};

enum field_type {
	FT_CHARBUF, /* string */
	FT_BYTEBUF, /* binary buffer; compared with bcontains/bstartswith and hex operands */
	FT_UINT64,
	FT_INT64,
	FT_UINT32,
	FT_BOOL,
	FT_IPADDR,  /* an IPv4/IPv6 address; operands may be addresses */
	FT_IPNET,   /* an IP network; operands may be CIDRs or addresses */
	FT_PORT,    /* 0..65535 */
	FT_RELTIME, /* nanoseconds, relative */
	FT_ABSTIME, /* nanoseconds since the epoch */
	FT_DYNAMIC, /* evt.arg.*: the event parameter's value rendered as a string */
	_FT_MAX,
};

enum field_arg {
	FA_NONE,	    /* no argument */
	FA_IDX_OPT,	    /* optional [N], N >= 0 (proc.aname, proc.aname[2]) */
	FA_KEY_OPT,	    /* optional [key] (proc.env, proc.env[HOME]) */
	FA_KEY_REQ,	    /* required [key] (k8s.pod.label[app]) */
	FA_NAME_OR_IDX_REQ, /* required .name, [name] or [N] (evt.arg.fd, evt.arg[0]) */
};

#define FF_LIST (1u << 0) /* the field has several values: use in/intersects */

enum field_class {
	FC_EVT,
	FC_PROCESS,
	FC_USER,
	FC_GROUP,
	FC_CONTAINER,
	FC_FD,
	FC_FDLIST,
	FC_FSPATH,
	FC_K8S,
	_FC_MAX,
};

struct field_info {
	enum field_id id;
	const char *name;
	enum field_type type;
	enum field_arg arg;
	unsigned flags;
	const char *desc;
};

#define FIELD_ARG_MAX 256 /* longest field argument, in bytes */

/* A resolved field reference: which field, and its argument if any. */
struct field_ref {
	const struct field_info *info;
	bool has_arg;
	bool arg_is_index; /* arg_index is valid (the argument was a number) */
	unsigned long arg_index;
	char arg[FIELD_ARG_MAX]; /* the argument text, NUL-terminated ("" when none) */
};

const struct field_info *field_info_by_id(enum field_id id);
/* Exact name, no argument. NULL when unknown. */
const struct field_info *field_info_by_name(const char *name);
size_t field_count(void);
const struct field_info *field_info_by_index(size_t i);

/*
 * Why Osprey gives no value for f (a field Falco has), or NULL for a field it supports. The
 * registry keeps these fields so that a rule using one gets this reason rather than "unknown
 * field"; `--list` leaves them out.
 */
const char *field_unsupported_reason(const struct field_info *f);
bool field_is_supported(const struct field_info *f);

/*
 * Resolves "name" (e.g. "evt.arg.flags", "proc.aname") and the optional bracket argument
 * (NULL when the reference had no [..]) into *ret. Returns 0, -ENOENT for an unknown field,
 * -EOPNOTSUPP for a field Osprey does not support (errmsg is field_unsupported_reason()),
 * -EINVAL when the argument does not fit the field (errmsg says why), -E2BIG for an over-long
 * argument.
 */
int field_resolve(const char *name, const char *bracket_arg, struct field_ref *ret,
		  const char **ret_errmsg);
/* The known field name closest to name (edit distance), or NULL if nothing is close. */
const char *field_suggest(const char *name);

/*
 * An event source and its fields, as Falco's engine keeps one set of filter checks per source.
 * The syscall source (the table above) is built in; another source (k8s_audit) registers its
 * own table once at start-up with field_source_register(). Its field_info entries have
 * id FIELD_INVALID: the source identifies its fields by their place in its table. The rules
 * compiler resolves a rule's fields in the table of the rule's `source:`.
 */
#define FIELD_SOURCES_MAX 8

/* The class a field of a source belongs to (its name, "k8saudit"), its description in
 * *ret_desc: what --list groups the fields by. */
typedef const char *(*field_class_fn)(const struct field_info *f, const char **ret_desc);

struct field_source {
	const char *name; /* "syscall", "k8s_audit": the rules' source: value */
	const struct field_info *fields;
	size_t n_fields;
	field_class_fn class_of; /* NULL: the syscall field classes (enum field_class) */
};

const struct field_source *field_source_syscall(void);
/* Adds s (borrowed, static) to the known sources. 0 (also when already there), -EEXIST when
 * another table has that name, -E2BIG. */
int field_source_register(const struct field_source *s);
/* The source named name, or NULL. */
const struct field_source *field_source_find(const char *name);
size_t field_source_count(void);
const struct field_source *field_source_by_index(size_t i);
/* field_resolve() and field_suggest() in the table of one source. */
int field_resolve_in(const struct field_source *src, const char *name, const char *bracket_arg,
		     struct field_ref *ret, const char **ret_errmsg);
const char *field_suggest_in(const struct field_source *src, const char *name);
/* The class of field fi of src and its description (src->class_of, or the syscall classes). */
const char *field_source_class_of(const struct field_source *src, const struct field_info *fi,
				  const char **ret_desc);
/* Prints a source's fields like `falco --list SOURCE`: grouped by class (consecutive fields of
 * one class), name column then description; verbose adds the types. */
void fields_list_print_source(FILE *f, const struct field_source *src, bool verbose);

const char *field_type_name(enum field_type t); /* Falco's spelling: CHARBUF, UINT64, ... */
enum field_class field_class_of(const struct field_info *f);
const char *field_class_name(enum field_class c);
/* How --list writes a field's argument: "[N]", "[key]", ".name" or "". */
const char *field_arg_suffix(enum field_arg a);
bool field_type_is_numeric(enum field_type t);

/* Prints the registry like `falco --list`: grouped by class, name column then description. */
void fields_list_print(FILE *f, bool verbose);

/* Levenshtein distance between a and b, capped at limit+1 (for suggestions). */
size_t edit_distance(const char *a, const char *b, size_t limit);
