// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzzes the rules loader (YAML -> items -> overrides) and the compiler behind it with arbitrary
 * files. The input is split at each line "#--" into up to 4 files loaded in order, so that
 * overrides and appends across files are reached. Properties: every diagnostic has a message,
 * a load that added errors returns -EINVAL, a compiled rule has a condition and output pieces.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ruleset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_RULES_MAX (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct diag_list diags = {};
	struct ruleset *rs;
	int nfile = 0;

	if (size > FUZZ_RULES_MAX)
		return 0;
	rs = ruleset_new();
	if (!rs)
		abort();
	while (p <= end && nfile < 4) {
		const char *sep = memmem(p, (size_t)(end - p), "\n#--\n", 5);
		size_t len = sep ? (size_t)(sep - p) + 1 : (size_t)(end - p);
		size_t errors = diags.n_errors;
		char name[16];
		int r;

		snprintf(name, sizeof(name), "f%d.yaml", nfile++);
		r = ruleset_load_buffer(rs, name, p, len, &diags);
		if (r == -ENOMEM)
			break;
		if ((r == -EINVAL) != (diags.n_errors > errors))
			__builtin_trap();
		if (!sep)
			break;
		p = sep + 5;
	}
	ruleset_compile(rs, &diags);
	for (size_t i = 0; i < diags.n; i++)
		if (!diags.items[i].msg || !diags.items[i].msg[0])
			__builtin_trap();
	for (size_t i = 0; i < rs->n_rules; i++) {
		const struct rules_rule *r = rs->rules[i];

		if (r->compiled && (!r->ast || (r->output && r->output[0] && !r->n_output_pieces)))
			__builtin_trap();
	}
	ruleset_free(rs);
	diag_list_clear(&diags);
	return 0;
}

__attribute__((unused)) static void fuzz_seeds(void (*emit)(const uint8_t *data, size_t size))
{
	static const char *const seeds[] = {
		"- required_engine_version: 0.26.0\n"
		"- list: shells\n  items: [bash, sh]\n"
		"- list: more\n  items: [shells, zsh, '\"a b\"']\n"
		"- macro: spawned\n  condition: evt.type = execve\n"
		"- rule: Shell\n  desc: a shell\n  condition: >\n    spawned and\n    proc.name in "
		"(more)\n"
		"  output: \"shell %proc.name (%proc.aname[2]) %evt.arg.flags\"\n  priority: "
		"WARNING\n"
		"  tags: [a, b]\n"
		"  exceptions:\n    - name: e\n      fields: [proc.pname, fd.name]\n"
		"      comps: [in, startswith]\n      values:\n        - [shells, /tmp]\n"
		"    - name: single\n      fields: proc.name\n      values: [x, y]\n"
		"#--\n"
		"- list: shells\n  items: [ksh]\n  override: {items: append}\n"
		"- macro: spawned\n  condition: or evt.type = execveat\n  append: true\n"
		"- rule: Shell\n  condition: and proc.tty != 0\n  priority: ERROR\n"
		"  override: {condition: append, priority: replace}\n"
		"- rule: Shell\n  enabled: false\n",
		"- rule: net\n  desc: d\n  condition: evt.type = connect and fd.net in "
		"(10.0.0.0/8, ::1)"
		" and fd.sport = 80\n  output: o\n  priority: NOTICE\n  warn_evttypes: false\n"
		"  skip-if-unknown-filter: true\n  source: syscall\n",
		("- macro: a\n  condition: b\n- macro: b\n  condition: a\n"
		 "- rule: r\n  desc: d\n  condition: a\n  output: o\n  priority: INFO\n"),
		"- rule: [\n",
		"- list: &x a\n  items: *x\n",
	};

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		emit((const uint8_t *)seeds[i], strlen(seeds[i]));
}

#include "fuzz-main.h"
