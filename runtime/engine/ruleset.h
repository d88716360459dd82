/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A set of Falco-compatible rules, macros and lists loaded from one or more YAML files (later files
 * override earlier ones, as in Falco), then compiled: macros and lists expanded, fields resolved,
 * operands type-checked, exceptions folded into the conditions, output templates parsed and each
 * rule's event-type set computed. Use:
 *
 *	struct ruleset *rs = ruleset_new();
 *	ruleset_load_file(rs, "a.yaml", &diags);  ...one call per file, in order...
 *	ruleset_compile(rs, &diags);               after the last file
 *
 * Errors and warnings go to the diag list; a function returns -EINVAL when it added an error.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ast.h"
#include "diag.h"
#include "evttypes.h"
#include "fields.h"

#define RULES_FILE_MAX		(16u << 20) /* bytes in one rules file */
#define RULES_FILES_MAX		256	    /* files in one ruleset */
#define RULES_YAML_NODES_MAX	1000000	    /* YAML nodes in one file */
#define RULES_YAML_DEPTH_MAX	64	    /* YAML nesting */
#define RULES_ITEMS_MAX		65536	    /* rules, macros or lists (each) in one ruleset */
#define RULES_LIST_ITEMS_MAX	65536	    /* items of one list, after appends */
#define RULES_EXPANDED_LIST_MAX 262144	    /* values of one list operand after expanding lists */
#define RULES_MACRO_DEPTH_MAX	64	    /* macros inside macros */
#define RULES_RULE_NODES_MAX	500000	    /* AST nodes of one rule after macro expansion */
#define RULES_COND_SEGS_MAX	64	    /* appends to one condition */
#define RULES_OUTPUT_PIECES_MAX 1024	    /* pieces of one output template */
#define RULES_EXCEPTIONS_MAX	256	    /* exceptions of one rule */
#define RULES_CAPTURE_DURATION_MAX (24ull * 3600 * 1000) /* capture_duration, ms: one day */

/* The rules-language level Osprey implements, compared with required_engine_version. */
#define RULES_ENGINE_VERSION "0.62.0"

struct rules_file {
	char *path;
	char *buf; /* the whole file, NUL-terminated */
	size_t len;
	size_t *line_starts; /* byte offset of each line */
	size_t n_lines;
};

/* One YAML scalar that contributed text to a condition. */
struct cond_seg {
	uint32_t value_off; /* where this scalar's text starts in cond_src.text */
	const struct rules_file *file;
	size_t start, end; /* byte range of the scalar in file->buf */
	int style;	   /* yaml_scalar_style_t */
};

/* A condition text (possibly appended from several scalars) and where each part came from. */
struct cond_src {
	char *text;
	size_t len;
	struct cond_seg segs[RULES_COND_SEGS_MAX];
	size_t n_segs;
};

/* Maps an offset in s->text to file, line, column (1-based). */
void cond_src_position(const struct cond_src *s, uint32_t off, const char **ret_file,
		       unsigned *ret_line, unsigned *ret_col);

/* Where an item or key is, for diagnostics. */
struct rules_pos {
	const struct rules_file *file;
	unsigned line, col;
};

struct rules_list {
	char *name;
	char **items;
	size_t n_items;
	struct rules_pos pos;
	bool used;
	bool visiting; /* cycle detection while expanding */
};

struct rules_macro {
	char *name;
	struct cond_src *cond;
	struct rules_pos pos;
	bool used;
	bool visiting;
	struct ast_node *ast; /* parsed once, when first used */
	bool parse_failed;
};

enum rules_priority {
	PRIORITY_EMERGENCY,
	PRIORITY_ALERT,
	PRIORITY_CRITICAL,
	PRIORITY_ERROR,
	PRIORITY_WARNING,
	PRIORITY_NOTICE,
	PRIORITY_INFORMATIONAL,
	PRIORITY_DEBUG,
	_PRIORITY_MAX,
};
const char *rules_priority_name(enum rules_priority p);
int rules_priority_from_string(const char *s); /* case-insensitive; -EINVAL */

struct rules_exception {
	char *name;
	bool fields_is_list; /* fields: [a, b] (tuples) or fields: a (values list) */
	char **fields;
	size_t n_fields;
	char **comps;		      /* one per field; defaulted to "=" (tuples) or "in" */
	struct cond_src **fields_src; /* position of each field name */
	/* values: n_values tuples of n_fields entries; an entry is a scalar or a list of scalars */
	struct rules_exc_value {
		struct cond_src *src;	/* the scalar (NULL for a list entry) */
		struct cond_src **list; /* for a list entry: its scalars */
		size_t n_list;
		bool is_list;
	} * values;
	size_t n_values;
	struct rules_pos pos;
};

/* One piece of a compiled output template: literal text, or a field. */
struct output_piece {
	bool is_field;
	char *text;	      /* literal text, or the field as written (without '%') */
	struct field_ref ref; /* is_field */
	/* append_output's extra_fields: not in the output line, only in output_fields under
	 * key (owned); a constant when !is_field */
	bool extra;
	char *key;
};

struct rules_rule {
	char *name;
	char *desc;
	struct cond_src *cond;
	char *output;
	struct cond_src *output_src;
	enum rules_priority priority;
	char *source;
	char **tags;
	size_t n_tags;
	bool enabled;
	bool warn_evttypes;
	bool skip_if_unknown_filter;
	/* Falco's capture keys (a capture file of the events after a match): parsed and
	 * validated; Osprey records no per-rule capture yet (docs/rules.md). 0 = not set. */
	bool capture;
	uint64_t capture_duration; /* ms */
	uint64_t capture_events;
	uint64_t capture_filesize; /* KiB */
	struct rules_exception *exceptions;
	size_t n_exceptions;
	struct rules_pos pos;
	/* compiled */
	bool compiled;	      /* the condition and output compiled without error */
	bool skipped;	      /* not compiled: unsupported source or skip-if-unknown-filter */
	const struct field_source *fields; /* compiled: the fields of the rule's source */
	struct ast_node *ast; /* expanded, resolved condition */
	struct evtset evttypes;
	struct output_piece *output_pieces;
	size_t n_output_pieces;
	/* append_output's extra_fields for this rule (rules_append.h), compiled with the output */
	struct rules_extra_field *extra_fields;
	size_t n_extra_fields;
};

struct name_index;

struct ruleset {
	struct rules_file **files;
	size_t n_files;
	struct rules_list **lists;
	size_t n_lists;
	struct rules_macro **macros;
	size_t n_macros;
	struct rules_rule **rules;
	size_t n_rules;
	struct name_index *list_idx, *macro_idx, *rule_idx;
	struct evtset interest; /* union of the event types of enabled, compiled rules */
	bool compiled;
};

struct ruleset *ruleset_new(void);
void ruleset_free(struct ruleset *rs);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct ruleset *, ruleset_free);

/* Loads one file (in order; later files override earlier ones). -EINVAL if errors were added. */
int ruleset_load_file(struct ruleset *rs, const char *path, struct diag_list *diags);
/* Same, from memory (name is used in diagnostics). The buffer is copied. */
int ruleset_load_buffer(struct ruleset *rs, const char *name, const char *buf, size_t len,
			struct diag_list *diags);
/* Compiles every rule; adds unused-macro/list warnings. -EINVAL if errors were added. */
int ruleset_compile(struct ruleset *rs, struct diag_list *diags);

struct rules_rule *ruleset_find_rule(const struct ruleset *rs, const char *name);
struct rules_macro *ruleset_find_macro(const struct ruleset *rs, const char *name);
struct rules_list *ruleset_find_list(const struct ruleset *rs, const char *name);

/*
 * What `osprey -V FILE...` does: loads every file into one ruleset and compiles it. Diagnostics
 * go to diags; returns 0 when there were no errors, -EINVAL when there were (exit non-zero),
 * another -errno on a system error.
 */
int rules_validate_files(char *const *paths, size_t n_paths, struct diag_list *diags);

/* Formats a compiled output template with a value callback (for tests and the engine). */
typedef int (*output_field_fn)(const struct field_ref *ref, char *buf, size_t size, void *userdata);
size_t output_format(const struct rules_rule *r, output_field_fn fn, void *userdata, char *buf,
		     size_t size);
