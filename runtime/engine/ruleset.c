// SPDX-License-Identifier: Apache-2.0
/* Validation of rules files: what `osprey -V FILE...` runs. */
#include <errno.h>

#include "ruleset.h"

int rules_validate_files(char *const *paths, size_t n_paths, struct diag_list *diags)
{
	_cleanup_(ruleset_freep) struct ruleset *rs = ruleset_new();
	int r;

	if (!rs)
		return -ENOMEM;
	for (size_t i = 0; i < n_paths; i++) {
		r = ruleset_load_file(rs, paths[i], diags);
		if (r < 0 && r != -EINVAL)
			return r;
	}
	r = ruleset_compile(rs, diags);
	if (r < 0 && r != -EINVAL)
		return r;
	return diag_has_errors(diags) ? -EINVAL : 0;
}
