/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rules for the benchmarks: loads rule files as osprey does (the config's rule selection, then
 * compilation) and says on stderr, prefixed with prog, what failed.
 */
#pragma once

#include <errno.h>
#include <stdio.h>

#include "diag.h"
#include "macro.h"
#include "osprey_config.h"
#include "ruleset.h"

static inline int bench_rules_load(const char *prog, const char *const *paths, size_t n,
				   struct ruleset **ret)
{
	_cleanup_(diag_list_clear) struct diag_list dl = {};
	_cleanup_(ruleset_freep) struct ruleset *rs = ruleset_new();
	struct osprey_config oc;
	int r = 0;

	if (!rs)
		return -ENOMEM;
	for (size_t i = 0; i < n && r >= 0; i++) {
		r = ruleset_load_file(rs, paths[i], &dl);
		if (r < 0) {
			/* the reason (a missing file, bad YAML) is in the diagnostics */
			fprintf(stderr, "%s: cannot load rules '%s':\n", prog, paths[i]);
			diag_list_print(&dl, stderr);
		}
	}
	if (r < 0)
		return r;
	osprey_config_init(&oc);
	config_rules_select(&oc, rs);
	osprey_config_done(&oc);
	r = ruleset_compile(rs, &dl);
	if (r < 0 || diag_has_errors(&dl)) {
		fprintf(stderr, "%s: the rules do not compile (%zu errors):\n", prog, dl.n_errors);
		diag_list_print(&dl, stderr);
		return r < 0 ? r : -EINVAL;
	}
	*ret = TAKE_PTR(rs);
	return 0;
}
