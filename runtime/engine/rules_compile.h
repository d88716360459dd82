/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compilation of a loaded ruleset (ruleset_compile() in ruleset.h is implemented here): macro
 * and list expansion, field resolution, operand type checking, exceptions folded into the
 * condition as Falco does (`(cond) and not (exc1 or exc2 ...)`), output templates and the
 * per-rule event-type sets. The helpers below are exposed for tests and the engine.
 */
#pragma once

#include "ast.h"
#include "evttypes.h"
#include "ruleset.h"

/*
 * The Falco event types a resolved condition can match, as Falco computes them:
 * evt.type = x / in (...) give that set, != / not give the complement, and/or intersect/unite,
 * any other check gives "all". Under `not`, and/or swap (De Morgan).
 */
void rules_ast_evttypes(const struct ast_node *n, struct evtset *ret);

/* Operator from its spelling ("=", "==", "contains", ...); -EINVAL if unknown. */
int cmp_op_from_string(const char *s);
