/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What osprey prints about itself and exits, in Falco's shapes: the loaded rules (-L, -l RULE,
 * JSON when json_output is set), the fields (--list with -N or --markdown), the events
 * (--list-events) and the support bundle (--support). Everything goes to f; nothing is started.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ruleset.h"

/* -L: one line per rule (name, priority, description, [disabled]), or Falco's JSON document. */
void info_rules_print(FILE *f, const struct ruleset *rs, bool json);
/* -l NAME: the rule's details (text or JSON). -ENOENT if no loaded rule has that name. */
int info_rule_describe(FILE *f, const struct ruleset *rs, const char *name, bool json);
/* --list [SOURCE]: the fields of every source (sources.h), or of the one named source (-ENOENT
 * if there is none); names_only (-N) prints one name a line; markdown one table per class. */
int info_fields_print(FILE *f, const char *source, bool names_only, bool markdown, bool verbose);
/* --list-events: "< name(type param, ...)" per event, or a Markdown table. */
void info_events_print(FILE *f, bool markdown);

struct info_support {
	int argc;
	char **argv;
	const char *config_path; /* the file read, or NULL */
	char *const *rules_files; /* the files loaded, directories expanded */
	size_t n_rules_files;
};

/* --support: one JSON object: version, engine_info, system_info, cmdline, config, rules_files
 * (name, sha256, content). -errno (logged) if a file cannot be read. */
int info_support_print(FILE *f, const struct info_support *s);
