/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule evaluation. eval_new() compiles the conditions of a compiled ruleset (ruleset.h) once
 * into an evaluable form: typed comparisons, open-addressing hash sets for `in`/`intersects`,
 * a path-prefix set for `pmatch` (one lookup per path component), precompiled RE2-syntax regexes (rx.h) and
 * fnmatch globs, CIDR checks for the network fields. Every distinct field reference gets a
 * cache slot, so a field is extracted at most once per event (extract.h).
 *
 * Rules are indexed by Osprey event id: eval_match() only runs the rules whose event-type set
 * (Falco names, evttypes.h) maps to the event's id. Falco's names map to Osprey ids by name
 * (openat -> OSP_EVT_OPENAT ...), plus: execve/execveat -> PROC_EXEC (successful exec) and the
 * EXECVE/EXECVEAT events (failed ones); clone/clone3/fork/vfork -> their syscall events and
 * PROC_FORK (Falco's child-side exit event); procexit -> PROC_EXIT.
 *
 * Only enabled, compiled rules whose priority is at least min_priority take part.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "extract.h"
#include "ruleset.h"

struct eval_opts {
	enum rules_priority min_priority; /* PRIORITY_DEBUG: all */
	bool match_all;			  /* rule_matching: all (else first) */
	bool no_index; /* evaluate every rule on every event (benchmark baseline) */
};

struct eval;

/* Compiles every enabled rule of rs (compiled with ruleset_compile()). rs must outlive the
 * result. Caller owns *ret. -ENOMEM, -E2BIG (too many distinct fields), -EINVAL. */
int eval_new(const struct ruleset *rs, const struct eval_opts *opts, struct eval **ret);
void eval_free(struct eval *e);

/* Number of distinct cached field references (the extract context's slot count). */
size_t eval_n_slots(const struct eval *e);
/* Rules taking part. */
size_t eval_n_rules(const struct eval *e);
/* Whether eval_match() has any rule to run on events of this id. */
bool eval_has_rules(const struct eval *e, uint16_t id);
/* The cache slots of r's output pieces (SIZE_MAX: text, or no slot), or NULL if r takes no
 * part: building an alert extracts each field once, sharing what the condition extracted. */
const size_t *eval_output_slots(const struct eval *e, const struct rules_rule *r);

/*
 * Evaluates the rules for the event set up in x (extract_begin()). Calls on_match for each
 * matching rule in load order (only the first with rule_matching first); on_match returning
 * < 0 stops. Returns the number of matches.
 */
typedef int (*eval_match_fn)(const struct rules_rule *r, void *userdata);
size_t eval_match(struct eval *e, struct extract_ctx *x, eval_match_fn on_match, void *userdata);

/* Marks the Osprey event ids the rules can match (interest has OSP_EVT_COUNT entries). */
unsigned eval_interest(const struct eval *e, uint8_t *interest);

/* Maps a Falco event-type set to Osprey event ids (ids has OSP_EVT_COUNT entries). */
void eval_evtset_to_ids(const struct evtset *s, uint8_t *ids);

/* Regex matches stopped at a match limit (rx.h) and counted as no match. */
uint64_t eval_regex_limit_hits(const struct eval *e);

/* Evaluates one rule's condition on the current event (tests). */
bool eval_rule(struct eval *e, struct extract_ctx *x, const struct rules_rule *r);
