// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzzes the condition parser with arbitrary text. Properties: a failure names an offset inside
 * the text and a message; a success prints (ast_format) to text that parses again to the same
 * print; the text as a rule condition (in a YAML block scalar, with a few macros and lists)
 * loads and compiles without crashing, and a compiled rule has a non-empty condition.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond_parser.h"
#include "ruleset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_COND_MAX 65536

static const char prelude[] =
	"- list: shells\n  items: [bash, sh, \"c d\"]\n"
	"- list: more\n  items: [shells, zsh]\n"
	"- macro: spawned\n  condition: evt.type in (execve, execveat)\n"
	"- macro: loop\n  condition: loop or proc.name = x\n"
	"- rule: fuzz\n  desc: d\n  output: \"%proc.name %fd.name\"\n  priority: INFO\n"
	"  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n"
	"      values: [[a, /b]]\n"
	"  condition: |\n";

static char print1[1 << 20], print2[1 << 20];

static void compile_as_rule(const uint8_t *data, size_t size)
{
	size_t cap = sizeof(prelude) + size * 5 + 16, n = sizeof(prelude) - 1;
	char *yaml = malloc(cap);
	struct diag_list diags = {};
	struct ruleset *rs;

	if (!yaml)
		abort();
	memcpy(yaml, prelude, n);
	memcpy(yaml + n, "    ", 4);
	n += 4;
	for (size_t i = 0; i < size; i++) {
		yaml[n++] = (char)data[i];
		if (data[i] == '\n') {
			memcpy(yaml + n, "    ", 4);
			n += 4;
		}
	}
	yaml[n++] = '\n';
	rs = ruleset_new();
	if (!rs)
		abort();
	if (ruleset_load_buffer(rs, "fuzz.yaml", yaml, n, &diags) != -ENOMEM)
		ruleset_compile(rs, &diags);
	for (size_t i = 0; i < diags.n; i++)
		if (!diags.items[i].msg || !diags.items[i].msg[0])
			__builtin_trap();
	for (size_t i = 0; i < rs->n_rules; i++)
		if (rs->rules[i]->compiled && !rs->rules[i]->ast)
			__builtin_trap();
	ruleset_free(rs);
	diag_list_clear(&diags);
	free(yaml);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ast_node *a = NULL, *b = NULL;
	struct cond_error err;
	int r;

	if (size > FUZZ_COND_MAX)
		return 0;
	r = cond_parse((const char *)data, size, NULL, &a, &err);
	if (r < 0) {
		if (r != -EINVAL || a || err.off > size || !err.msg[0])
			__builtin_trap();
	} else {
		size_t n = ast_format(a, print1, sizeof(print1));

		if (n < sizeof(print1)) {
			if (cond_parse(print1, n, NULL, &b, &err) < 0)
				__builtin_trap(); /* the printed form must parse */
			ast_format(b, print2, sizeof(print2));
			if (strcmp(print1, print2) != 0)
				__builtin_trap(); /* and print the same */
			ast_free(b);
		}
		ast_free(a);
	}
	if (!memchr(data, 0, size))
		compile_as_rule(data, size);
	return 0;
}

__attribute__((unused)) static void fuzz_seeds(void (*emit)(const uint8_t *data, size_t size))
{
	static const char *const seeds[] = {
		"spawned and proc.name in (shells) and not proc.pname in (more)",
		"evt.type = open and fd.name startswith /etc/ and evt.is_open_write=true",
		"(evt.type in (connect, accept) and fd.net != 10.0.0.0/8) or fd.sport >= 1024",
		"not evt.type != open and proc.aname[2] = sshd and evt.arg.flags contains O_TRUNC",
		"tolower(basename(proc.exepath)) glob '*sh' and len(proc.args) > 3",
		"proc.name = val(proc.pname) or container.mount.dest[/proc*] exists",
		"evt.buffer bcontains cafebabe and evt.type = write",
		"proc.cmdline regex 'a(b|c)+' and proc.env icontains \"HTTP_PROXY=\\\"x\\\"\"",
		"fd.types intersects (ipv4, ipv6) and fd.name pmatch (/etc, /usr)",
		"loop",
		"evt.type = open and (((proc.name = a)))\n  and\n  proc.pid > -1",
		"join(',', getopt(proc.args, \"c:e\")) = x and concat(proc.name, '-', proc.pname) = y",
		"len(getopt(proc.args, 'ab:')[b]) > 2 and proc.name = tolower(proc.pname)",
		"proc.cmdline regex '(?i)curl.*?\\d+' and not proc.cmdline regex '(a*)\\1'",
	};

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		emit((const uint8_t *)seeds[i], strlen(seeds[i]));
}

#include "fuzz-main.h"
