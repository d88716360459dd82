/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Falco's append_output (falco.yaml): entries applied in order to the loaded rules before they
 * are compiled. An entry whose match (source, all of tags, rule name; an unset key matches
 * every rule) fits a rule appends " " + extra_output to its output line, and extra_fields to
 * the alert's JSON output_fields only (not to the line):
 *
 *	ruleset_load_file(rs, ...);
 *	rules_append_apply(rs, entries, n);   every matching rule gains the entries' text/fields
 *	ruleset_compile(rs, &diags);          compiles them with the rule's output
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ruleset.h"
#include "yaml_doc.h"

#define RULES_APPEND_MAX	64 /* append_output entries */
#define RULES_APPEND_FIELDS_MAX 32 /* extra_fields of one entry */
#define RULES_APPEND_TAGS_MAX	32 /* match.tags of one entry */

/* One extra field of an entry: "container.id" (key = the field) or {key: value}. */
struct rules_extra_field {
	char *key;   /* owned: the output_fields name */
	char *value; /* owned: "%field", a field name (key == value), or a constant text */
};

struct rules_append {
	char *source;	    /* owned, NULL: any source */
	char *rule;	    /* owned, NULL: any rule */
	char **tags;	    /* owned: the rule must have all of them */
	size_t n_tags;
	char *extra_output; /* owned, NULL: nothing */
	struct rules_extra_field *fields;
	size_t n_fields;
	bool suggested_output; /* accepted (Falco's plugins' suggested fields); nothing to add */
};

void rules_append_done(struct rules_append *a);
/*
 * Merges the keys of the mapping v (an append_output entry: match {source, tags, rule},
 * extra_output, extra_fields, suggested_output) into a. On bad input returns -EINVAL with a
 * message and a hint (may be "") in err/hint and the node to blame in *ret_at; -ENOMEM.
 */
int rules_append_merge(struct rules_append *a, const struct ynode *v, char *err, size_t errsize,
		       const char **ret_hint, const struct ynode **ret_at);
/* Whether entry a applies to rule r. */
bool rules_append_match(const struct rules_append *a, const struct rules_rule *r);
/* Applies the n entries to every rule of rs (before ruleset_compile). 0, -ENOMEM, or -E2BIG
 * when a rule would get more than RULES_APPEND_FIELDS_MAX * 2 extra fields. */
int rules_append_apply(struct ruleset *rs, const struct rules_append *a, size_t n);
