// SPDX-License-Identifier: Apache-2.0
/*
 * Rules loading and compiling: every loader error with its exact line:column and message,
 * override/append semantics, exceptions, event-type sets, output templates, warnings and caps.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules_compile.h"
#include "ruleset.h"
#include "test.h"

static struct diag_list diags;

/* Loads the given YAML texts as files a.yaml, b.yaml, ... and compiles. */
static struct ruleset *load_n(const char *const *texts, size_t n)
{
	struct ruleset *rs = ruleset_new();
	char name[16];

	diag_list_clear(&diags);
	if (!rs)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%c.yaml", (char)('a' + i));
		ruleset_load_buffer(rs, name, texts[i], strlen(texts[i]), &diags);
	}
	ruleset_compile(rs, &diags);
	return rs;
}

static struct ruleset *load(const char *text)
{
	return load_n(&text, 1);
}

static void dump(void)
{
	char buf[1024];

	for (size_t i = 0; i < diags.n; i++) {
		diag_format(&diags.items[i], buf, sizeof(buf));
		fprintf(stderr, "  diag: %s\n", buf);
	}
}

/* Expects a diagnostic "file:line:col: sev: ...msg..." (hint containing hint, if given). */
static void expect(enum diag_severity sev, const char *file, unsigned line, unsigned col,
		   const char *msg, const char *hint)
{
	for (size_t i = 0; i < diags.n; i++) {
		const struct diag *d = &diags.items[i];

		if (d->severity == sev && d->line == line && d->col == col && d->file &&
		    strcmp(d->file, file) == 0 && strstr(d->msg, msg) &&
		    (!hint || (d->hint && strstr(d->hint, hint)))) {
			test_checks++;
			return;
		}
	}
	fprintf(stderr, "missing %s %s:%u:%u: %s (hint %s); have:\n",
		sev == DIAG_ERROR ? "error" : "warning", file, line, col, msg, hint ? hint : "-");
	dump();
	test_checks++;
	test_failures++;
}

static void expect_error(unsigned line, unsigned col, const char *msg, const char *hint)
{
	expect(DIAG_ERROR, "a.yaml", line, col, msg, hint);
}

static void expect_clean(void)
{
	if (diags.n_errors) {
		fprintf(stderr, "unexpected errors:\n");
		dump();
	}
	CHECK_INT_EQ(diags.n_errors, 0);
}

static const char *rule_ast(struct ruleset *rs, const char *name)
{
	static char buf[4096];
	struct rules_rule *r = rs ? ruleset_find_rule(rs, name) : NULL;

	if (!r || !r->ast)
		return "(not compiled)";
	ast_format(r->ast, buf, sizeof(buf));
	return buf;
}

#define RULE(name, cond)                                                                           \
	"- rule: " name "\n  desc: d\n  condition: " cond "\n  output: o\n  priority: WARNING\n"

static void test_yaml_errors(void)
{
	struct ruleset *rs;

	rs = load("- rule: x\n  desc: [unclosed\n  condition: y\n");
	CHECK_INT_EQ(diags.n_errors, 1);
	expect_error(3, 12, "invalid YAML", "indentation");
	ruleset_free(rs);

	rs = load("- rule: x\n\tdesc: tab\n");
	expect_error(2, 1, "invalid YAML", NULL);
	ruleset_free(rs);

	rs = load("rule: x\n");
	expect_error(1, 1, "rules file must be a YAML list", NULL);
	ruleset_free(rs);

	rs = load("- just a string\n");
	expect_error(1, 3, "entry must be a mapping", NULL);
	ruleset_free(rs);

	rs = load("- list: &a x\n  items: [a]\n- list: y\n  items: *b\n");
	expect_error(4, 10, "YAML alias '*b' has no anchor '&b' before it", NULL);
	ruleset_free(rs);

	rs = ruleset_new();
	diag_list_clear(&diags);
	CHECK_INT_EQ(
		ruleset_load_buffer(rs, "a.yaml", "- list: x\n  items: [a, \0b]\n", 26, &diags),
		-EINVAL);
	expect_error(2, 14, "file contains a NUL byte", NULL);
	ruleset_free(rs);
}

static void test_item_errors(void)
{
	struct ruleset *rs;

	rs = load("- rule: r\n  desc: d\n  condition: evt.type = open\n  priority: WARNING\n");
	expect_error(1, 9, "rule 'r' has no 'output'", NULL);
	ruleset_free(rs);

	rs = load("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: "
		  "LOUD\n");
	expect_error(5, 13, "invalid priority 'LOUD'", "informational");
	ruleset_free(rs);

	rs = load("- macro: m\n");
	expect_error(1, 10, "macro 'm' has no 'condition'", NULL);
	ruleset_free(rs);

	rs = load("- list: l\n  items: x\n");
	expect_error(2, 10, "'items' must be a list", NULL);
	ruleset_free(rs);

	rs = load("- list: l\n  items: [a, [b]]\n");
	expect_error(2, 14, "entries of 'items' must be single values", NULL);
	ruleset_free(rs);

	rs = load(RULE("r", "evt.type = open") "  enabled: maybe\n");
	expect_error(6, 12, "'enabled' must be a boolean, got 'maybe'", "true or false");
	ruleset_free(rs);

	rs = load("- rule: r\n  append: true\n  condition: and proc.name = x\n");
	expect_error(1, 9, "rule 'r' has no earlier definition to append to", NULL);
	expect(DIAG_WARNING, "a.yaml", 2, 11, "'append: true' is deprecated", "override");
	ruleset_free(rs);

	rs = load("- required_engine_version: 99.0.0\n");
	expect_error(1, 28, "rules require engine version 99.0.0", NULL);
	ruleset_free(rs);

	rs = load("- required_engine_version: 13\n- required_engine_version: 0.26.0\n");
	expect_clean();
	ruleset_free(rs);

	rs = load("- required_engine_version: banana\n");
	expect_error(1, 28, "invalid required_engine_version 'banana'", NULL);
	ruleset_free(rs);

	rs = load("- bogus: 1\n" RULE("r", "evt.type = open") "  tag: [x]\n");
	expect(DIAG_WARNING, "a.yaml", 1, 3, "unknown top-level item 'bogus'", NULL);
	expect(DIAG_WARNING, "a.yaml", 7, 3, "unknown key 'tag' in rule", "did you mean 'tags'?");
	expect_clean();
	ruleset_free(rs);
}

static void test_condition_errors(void)
{
	struct ruleset *rs;

	rs = load(RULE("r", "evt.type = open and proc.nmae = bash"));
	expect_error(3, 34, "unknown field 'proc.nmae' (in rule 'r')", "did you mean 'proc.name'?");
	CHECK(!ruleset_find_rule(rs, "r")->compiled);
	ruleset_free(rs);

	rs = load(RULE("r", "evt.type = open and proc.name bogus bash"));
	expect_error(3, 44, "unknown operator 'bogus'", "contains");
	ruleset_free(rs);

	rs = load(RULE("r", "evt.type = open and proc.pid contains 3"));
	expect_error(3, 34, "operator 'contains' cannot be used with INT64 field 'proc.pid'",
		     "numeric fields");
	ruleset_free(rs);

	rs = load(RULE("r", "evt.type = open and proc.pid = abc"));
	expect_error(3, 45, "'proc.pid' is a INT64 field, 'abc' is not a valid number", NULL);
	ruleset_free(rs);

	rs = load(RULE("r", "evt.type = connect and fd.sport = 70000"));
	expect_error(3, 48, "'70000' is out of range for PORT field 'fd.sport'", "0..65535");
	ruleset_free(rs);

	rs = load(RULE("r", "evt.type = connect and fd.ip = 10.0.0.0/8"));
	expect_error(3, 45, "'fd.ip' is an address field, '10.0.0.0/8' is a network", "fd.net");
	ruleset_free(rs);

	rs = load(RULE("r", "evt.type = connect and fd.net in (10.0.0.0/8, 300.1.1.1)"));
	expect_error(3, 60, "'300.1.1.1' is not a valid IP network", NULL);
	ruleset_free(rs);

	rs = load(RULE("r", "evt.type = open and evt.failed = maybe"));
	expect_error(3, 47, "'evt.failed' is a boolean field", "true or false");
	ruleset_free(rs);

	/* a field Falco has and Osprey cannot give a value for: refused, naming field and rule */
	rs = load(RULE("r", "evt.type = read and evt.buffer bcontains cafebabe"));
	expect_error(3, 34,
		     "field 'evt.buffer' is not supported by Osprey: Osprey does not capture the "
		     "data buffers of I/O system calls (in rule 'r')",
		     "docs/rules.md lists the fields Osprey does not support");
	ruleset_free(rs);

	rs = load("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: l=%evt.latency\n"
		  "  priority: WARNING\n");
	expect_error(4, 14, "output field 'evt.latency' is not supported by Osprey", NULL);
	ruleset_free(rs);

	rs = load(RULE("r", "evt.type = open and proc.cmdline regex 'a(b'"));
	expect_error(3, 53, "invalid regular expression 'a(b'", NULL);
	ruleset_free(rs);

	rs = load(RULE("r", "evt.type = open and tolower(proc.pid) = 1"));
	expect_error(3, 34, "tolower() needs a string, 'proc.pid' is INT64", NULL);
	ruleset_free(rs);

	rs = load(RULE("r", "evt.type = open and proc.aname[x] = bash"));
	expect_error(3, 34, "field 'proc.aname': this field's argument must be a number", NULL);
	ruleset_free(rs);

	rs = load(RULE("r", "evt.type = open and k8s.pod.label = x"));
	expect_error(3, 34, "field 'k8s.pod.label': this field needs an argument", NULL);
	ruleset_free(rs);

	rs = load(RULE("r", "evt.type = open and proc.name = val(proc.pid)"));
	expect_error(3, 50, "cannot compare CHARBUF field 'proc.name' with INT64 field 'proc.pid'",
		     NULL);
	ruleset_free(rs);

	rs = load(
		RULE("r", "evt.type = open and spawned_proces") "- macro: spawned_process\n"
								"  condition: evt.type = execve\n");
	expect_error(3, 34, "undefined macro 'spawned_proces'", "did you mean 'spawned_process'?");
	ruleset_free(rs);

	rs = load("- list: shells\n  items: [sh]\n" RULE("r", "evt.type = open and shells"));
	expect_error(5, 34, "undefined macro 'shells'", "'shells' is a list");
	ruleset_free(rs);

	rs = load(RULE("r",
		       "evt.type = open and proc.name in shels") "- list: shells\n  items: [sh]\n");
	expect_error(3, 47, "undefined list 'shels'", "did you mean 'shells'?");
	ruleset_free(rs);

	rs = load("- macro: a\n  condition: evt.type = open and b\n"
		  "- macro: b\n  condition: proc.name = x or a\n" RULE("r", "a"));
	expect_error(4, 31, "recursive macro 'a' (a -> b -> a)", NULL);
	ruleset_free(rs);

	rs = load("- list: a\n  items: [x, b]\n- list: b\n  items: [a]\n" RULE(
		"r", "evt.type = open and proc.name in (a)"));
	expect_error(7, 48, "list 'a' contains itself", NULL);
	ruleset_free(rs);

	/* an error inside a macro is reported at the macro's text, once for all rules */
	rs = load("- macro: m\n  condition: proc.nam = x\n" RULE("r1", "evt.type = open and m")
			  RULE("r2", "evt.type = close and m"));
	expect_error(2, 14, "unknown field 'proc.nam' (in macro 'm', used by rule 'r1')", NULL);
	CHECK_INT_EQ(diags.n, 1);
	ruleset_free(rs);

	/* a syntax error in a macro no rule uses is still reported */
	rs = load("- macro: m\n  condition: proc.name = (x\n");
	expect_error(2, 26, "operator '=' takes one value, not a list (in macro 'm')", NULL);
	ruleset_free(rs);

	/* folded block scalar: the position is in the right line */
	rs = load("- rule: r\n  desc: d\n  condition: >\n    evt.type = execve and\n"
		  "    proc.nme = x\n  output: o\n  priority: INFO\n");
	expect_error(5, 5, "unknown field 'proc.nme'", NULL);
	ruleset_free(rs);

	/* double-quoted scalar */
	rs = load("- rule: r\n  desc: d\n  condition: \"evt.type = execve and proc.nme = x\"\n"
		  "  output: o\n  priority: INFO\n");
	expect_error(3, 37, "unknown field 'proc.nme'", NULL);
	ruleset_free(rs);

	/* output fields */
	rs = load("- rule: r\n  desc: d\n  condition: evt.type = open\n"
		  "  output: \"file=%fd.name user=%user.nme\"\n  priority: INFO\n");
	expect_error(4, 32, "unknown field 'user.nme' in output", "did you mean 'user.name'?");
	ruleset_free(rs);
}

static void test_overrides(void)
{
	static const char *base =
		"- list: shells\n  items: [bash, sh]\n"
		"- macro: spawned\n  condition: evt.type = execve\n"
		"- rule: Shell\n  desc: a shell\n  condition: spawned and proc.name in (shells)\n"
		"  output: shell %proc.name\n  priority: WARNING\n  tags: [a]\n"
		"- rule: Other\n  desc: other\n  condition: evt.type = open\n  output: o\n"
		"  priority: INFO\n  enabled: false\n";
	struct ruleset *rs;
	struct rules_rule *r;

	{
		const char *files[] = {
			base,
			"- list: shells\n  items: [zsh]\n  override:\n    items: append\n"
			"- macro: spawned\n  condition: or evt.type = execveat\n"
			"  override: {condition: append}\n"
			"- rule: Shell\n  condition: and proc.pid > 1\n  output: new %proc.pid\n"
			"  priority: ERROR\n  tags: [b]\n"
			"  override: {condition: append, output: replace, priority: replace, tags: "
			"append}\n"
			"- rule: Other\n  enabled: true\n",
		};

		rs = load_n(files, 2);
		expect_clean();
		CHECK_STR_EQ(rule_ast(rs, "Shell"), "((evt.type = execve or evt.type = execveat) "
						    "and proc.name in (bash, sh, zsh) "
						    "and proc.pid > 1)");
		r = ruleset_find_rule(rs, "Shell");
		CHECK_STR_EQ(r->output, "new %proc.pid");
		CHECK_INT_EQ(r->priority, PRIORITY_ERROR);
		CHECK_INT_EQ(r->n_tags, 2);
		CHECK_STR_EQ(r->tags[1], "b");
		CHECK(ruleset_find_rule(rs, "Other")->enabled);
		CHECK_INT_EQ(rs->n_rules, 2);
		CHECK(rs->rules[0] == r); /* order of first definition */
		ruleset_free(rs);
	}
	{
		/* an output written as a block scalar ends in a newline: append joins it with a space */
		const char *files[] = {
			"- rule: Block\n  desc: d\n  condition: evt.type = open\n"
			"  output: >\n    first %proc.name\n  priority: INFO\n",
			"- rule: Block\n  output: container=%container.name\n"
			"  override: {output: append}\n",
		};

		rs = load_n(files, 2);
		expect_clean();
		CHECK_STR_EQ(ruleset_find_rule(rs, "Block")->output,
			     "first %proc.name container=%container.name");
		ruleset_free(rs);
	}
	{
		const char *files[] = {
			base,
			"- list: shells\n  items: [zsh]\n  override:\n    items: replace\n"
			"- macro: spawned\n  condition: evt.type = execveat\n"
			"  override: {condition: replace}\n"
			"- rule: Shell\n  enabled: false\n  override: {enabled: replace}\n",
		};

		rs = load_n(files, 2);
		expect_clean();
		CHECK_STR_EQ(rule_ast(rs, "Shell"), "(evt.type = execveat and proc.name in (zsh))");
		CHECK(!ruleset_find_rule(rs, "Shell")->enabled);
		ruleset_free(rs);
	}
	{
		/* deprecated append, and redefinition replaces in place */
		const char *files[] = {
			base,
			"- list: shells\n  items: [ksh]\n  append: true\n"
			"- rule: Shell\n  condition: and proc.tty != 0\n  append: true\n"
			"- rule: Other\n  desc: redefined\n  condition: evt.type = close\n  "
			"output: x\n"
			"  priority: DEBUG\n",
		};

		rs = load_n(files, 2);
		expect_clean();
		expect(DIAG_WARNING, "b.yaml", 3, 11, "'append: true' is deprecated", NULL);
		CHECK_STR_EQ(
			rule_ast(rs, "Shell"),
			"(evt.type = execve and proc.name in (bash, sh, ksh) and proc.tty != 0)");
		r = ruleset_find_rule(rs, "Other");
		CHECK_STR_EQ(r->desc, "redefined");
		CHECK(r->enabled); /* a redefinition starts from the defaults */
		CHECK(rs->rules[1] == r);
		ruleset_free(rs);
	}
	{
		/* an error in the appended part points into the second file */
		const char *files[] = {
			base,
			"- rule: Shell\n  condition: and proc.nme = x\n  override: {condition: "
			"append}\n",
		};

		rs = load_n(files, 2);
		expect(DIAG_ERROR, "b.yaml", 2, 18, "unknown field 'proc.nme' (in rule 'Shell')",
		       NULL);
		ruleset_free(rs);
	}
	/* override errors */
	rs = load("- rule: x\n  condition: y\n  override: {condition: append}\n");
	expect_error(1, 9, "rule 'x' has no earlier definition to override", NULL);
	ruleset_free(rs);
	{
		const char *files[] = {base, "- rule: Shell\n  condition: y\n  output: z\n"
					     "  override: {condition: append}\n"};

		rs = load_n(files, 2);
		expect(DIAG_ERROR, "b.yaml", 3, 3, "key 'output' has no override mode", NULL);
		ruleset_free(rs);
	}
	{
		const char *files[] = {base, "- rule: Shell\n  priority: INFO\n"
					     "  override: {priority: append}\n"};

		rs = load_n(files, 2);
		expect(DIAG_ERROR, "b.yaml", 3, 24, "invalid override 'append' for key 'priority'",
		       "use replace");
		ruleset_free(rs);
	}
	{
		const char *files[] = {base, "- rule: Shell\n  override: {output: replace}\n"};

		rs = load_n(files, 2);
		expect(DIAG_ERROR, "b.yaml", 2, 14,
		       "override for 'output' but the rule has no 'output' key", NULL);
		ruleset_free(rs);
	}
	rs = load("- rule: Nope\n  enabled: false\n");
	expect_error(1, 9, "rule 'Nope' has only 'enabled' but no earlier definition", NULL);
	ruleset_free(rs);
	rs = load("- list: l\n  items: [a]\n  append: true\n  override: {items: append}\n");
	expect_error(3, 11, "'append' and 'override' cannot be used together", NULL);
	ruleset_free(rs);
}

static void test_exceptions(void)
{
	struct ruleset *rs;

	rs = load(
		"- list: allowed\n  items: [a, b]\n"
		"- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: "
		"INFO\n"
		"  exceptions:\n"
		"    - name: pair\n      fields: [proc.name, fd.name]\n      comps: [=, "
		"startswith]\n"
		"      values:\n        - [cat, /etc/]\n        - [dog, /tmp/]\n"
		"    - name: names\n      fields: proc.name\n      values: [x, y]\n"
		"    - name: lists\n      fields: [proc.pname, proc.name]\n      comps: [in, in]\n"
		"      values:\n        - [allowed, [p, q]]\n"
		"    - name: empty\n      fields: [proc.name]\n");
	expect_clean();
	CHECK_STR_EQ(rule_ast(rs, "r"),
		     "(evt.type = open and not ((proc.name = cat and fd.name startswith /etc/) or "
		     "(proc.name = dog and fd.name startswith /tmp/) or proc.name in (x, y) or "
		     "(proc.pname in (a, b) and proc.name in (p, q))))");
	CHECK(ruleset_find_rule(rs, "r")->compiled);
	ruleset_free(rs);

	/* As in Falco, a single field's value without white space may name a list (expanded,
	 * and the list counts as used); one with white space is a plain value. */
	rs = load("- list: allowed\n  items: [a, b]\n"
		  "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: "
		  "INFO\n"
		  "  exceptions:\n"
		  "    - name: names\n      fields: proc.name\n      values: [allowed, \"x y\", z]\n");
	expect_clean();
	CHECK_STR_EQ(rule_ast(rs, "r"),
		     "(evt.type = open and not proc.name in (a, b, \"x y\", z))");
	ruleset_free(rs);

	/* exceptions appended by a later file add values */
	{
		const char *files[] = {
			"- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  "
			"priority: INFO\n"
			"  exceptions:\n    - name: e\n      fields: [proc.name]\n      values: "
			"[[a]]\n",
			"- rule: r\n  exceptions:\n    - name: e\n      values: [[b]]\n"
			"    - name: f\n      fields: fd.name\n      comps: startswith\n      "
			"values: [/x]\n"
			"  override: {exceptions: append}\n",
		};

		rs = load_n(files, 2);
		/* values added to an existing exception need not repeat its fields */
		expect_clean();
		CHECK_STR_EQ(rule_ast(rs, "r"), "(evt.type = open and not (proc.name = a or "
						"proc.name = b or fd.name startswith /x))");
		ruleset_free(rs);
		files[1] = "- rule: r\n  exceptions:\n    - name: e\n      fields: [proc.name, "
			   "fd.name]\n"
			   "      values: [[b, c]]\n  override: {exceptions: append}\n";
		rs = load_n(files, 2);
		expect(DIAG_ERROR, "b.yaml", 4, 15, "appended exception 'e' has different fields",
		       NULL);
		ruleset_free(rs);
		/* with the same fields repeated, too */
		files[1] = "- rule: r\n  exceptions:\n    - name: e\n      fields: [proc.name]\n"
			   "      values: [[b]]\n"
			   "    - name: f\n      fields: fd.name\n      comps: startswith\n      "
			   "values: [/x]\n"
			   "  override: {exceptions: append}\n";
		rs = load_n(files, 2);
		expect_clean();
		CHECK_STR_EQ(rule_ast(rs, "r"), "(evt.type = open and not (proc.name = a or "
						"proc.name = b or fd.name startswith /x))");
		ruleset_free(rs);
	}

	rs = load("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: "
		  "INFO\n"
		  "  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n"
		  "      values:\n        - [a]\n");
	expect_error(10, 11, "exception 'e' value has 1 entries, fields has 2", NULL);
	ruleset_free(rs);

	rs = load("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: "
		  "INFO\n"
		  "  exceptions:\n    - name: e\n      fields: [proc.nme]\n      values: [[a]]\n");
	expect_error(8, 16, "unknown field 'proc.nme'", "proc.name");
	ruleset_free(rs);

	rs = load(
		"- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: "
		"INFO\n"
		"  exceptions:\n    - name: e\n      fields: [proc.pid]\n      values: [[abc]]\n");
	expect_error(9, 17, "'abc' is not a valid number", NULL);
	ruleset_free(rs);

	rs = load("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: "
		  "INFO\n"
		  "  exceptions:\n    - name: e\n      fields: [proc.name]\n      comps: [like]\n"
		  "      values: [[a]]\n");
	expect_error(1, 3, "exception 'e': unknown comparison operator 'like'", NULL);
	ruleset_free(rs);
}

static void test_exception_fields_without_values(void)
{
	struct ruleset *rs;

	rs = load("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n"
		  "  priority: INFO\n  exceptions:\n    - name: e\n      fields: [proc.nam]\n");
	expect_error(8, 16, "unknown field 'proc.nam'", "proc.name");
	ruleset_free(rs);
}

static void check_evttypes(const char *cond, const char *want)
{
	char text[512], buf[2048];
	struct ruleset *rs;
	struct rules_rule *r;

	snprintf(text, sizeof(text),
		 "- rule: r\n  desc: d\n  condition: %s\n  output: o\n  priority: INFO\n"
		 "  warn_evttypes: false\n",
		 cond);
	rs = load(text);
	expect_clean();
	r = rs ? ruleset_find_rule(rs, "r") : NULL;
	CHECK(r && r->compiled);
	if (r && r->compiled) {
		struct evtset s = r->evttypes;

		if (evtset_count(&s) > EVTTYPE_COUNT / 2 && !evtset_is_full(&s)) {
			evtset_complement(&s);
			evtset_format(&s, buf + 4, sizeof(buf) - 4);
			memcpy(buf, "all-", 4);
		} else {
			evtset_format(&s, buf, sizeof(buf));
		}
		if (strcmp(buf, want))
			fprintf(stderr, "evttypes of '%s'\n", cond);
		CHECK_STR_EQ(buf, want);
	}
	ruleset_free(rs);
}

static void test_evttypes(void)
{
	check_evttypes("evt.type = open", "open");
	check_evttypes("evt.type in (open, openat) and proc.name = x", "open,openat");
	check_evttypes("evt.type = open or evt.type = execve", "execve,open");
	check_evttypes("evt.type = open or proc.name = x", "(all)");
	check_evttypes("evt.type != open", "all-open");
	check_evttypes("not evt.type in (open, close)", "all-close,open");
	check_evttypes("not (evt.type = open or evt.type = close)", "all-close,open");
	check_evttypes("not (evt.type = open and proc.name = x)", "(all)");
	check_evttypes("evt.type = open and not proc.name = x", "open");
	check_evttypes("(evt.type in (open, openat, connect)) and not evt.type = connect",
		       "open,openat");
	check_evttypes("proc.name = x", "(all)");
	check_evttypes("evt.type = val(syscall.type)", "(all)");
}

static void test_warnings(void)
{
	struct ruleset *rs;

	rs = load("- list: l\n  items: [a]\n- list: used\n  items: [b]\n"
		  "- macro: m\n  condition: proc.name = x\n"
		  "- macro: other\n  condition: proc.name in (l)\n" RULE(
			  "r", "evt.type = open and proc.name in (used)")
			  RULE("all", "proc.name = y")
				  RULE("none", "evt.type = open and evt.type = close"));
	expect_clean();
	expect(DIAG_WARNING, "a.yaml", 1, 3, "list 'l' is not used by any rule", NULL);
	expect(DIAG_WARNING, "a.yaml", 5, 3, "macro 'm' is not used by any rule", NULL);
	expect(DIAG_WARNING, "a.yaml", 7, 3, "macro 'other' is not used by any rule", NULL);
	expect(DIAG_WARNING, "a.yaml", 16, 14, "rule matches every event type", "warn_evttypes");
	expect(DIAG_WARNING, "a.yaml", 21, 14, "rule can never match", NULL);
	CHECK_INT_EQ(diags.n_warnings, 5);
	ruleset_free(rs);

	rs = load(RULE("r", "evt.type = opne"));
	expect(DIAG_WARNING, "a.yaml", 3, 25, "unknown event type 'opne'", NULL);
	ruleset_free(rs);

	/* skip-if-unknown-filter and other sources skip instead of failing */
	rs = load(RULE(
		"r",
		"evt.type = open and foo.bar = 1") "  skip-if-unknown-filter: true\n"
						   "- rule: k\n  desc: d\n  condition: ka.verb = "
						   "create\n  output: o\n  priority: INFO\n"
						   "  source: k8s_audit\n");
	expect_clean();
	CHECK(ruleset_find_rule(rs, "r")->skipped);
	CHECK(ruleset_find_rule(rs, "k")->skipped);
	CHECK_INT_EQ(evtset_count(&rs->interest), 0);
	ruleset_free(rs);
}

static int fake_field(const struct field_ref *ref, char *buf, size_t size, void *userdata)
{
	if (ref->info->id == FIELD_PROC_NAME)
		snprintf(buf, size, "bash");
	else if (ref->info->id == FIELD_PROC_ANAME)
		snprintf(buf, size, "anc%lu", ref->arg_index);
	else
		return -ENOENT;
	return 0;
}

static void test_output(void)
{
	struct ruleset *rs;
	struct rules_rule *r;
	char buf[256];

	rs = load("- rule: r\n  desc: d\n  condition: evt.type = open\n"
		  "  output: \"100% sure: %proc.name (gp=%proc.aname[2]) fd %fd.name. "
		  "flags=%evt.arg.flags\"\n"
		  "  priority: INFO\n");
	expect_clean();
	r = ruleset_find_rule(rs, "r");
	CHECK_INT_EQ(r->n_output_pieces, 8);
	CHECK(r->output_pieces[1].is_field);
	CHECK_STR_EQ(r->output_pieces[3].text, "proc.aname[2]");
	CHECK_INT_EQ(r->output_pieces[3].ref.arg_index, 2);
	CHECK_STR_EQ(r->output_pieces[7].ref.arg, "flags");
	output_format(r, fake_field, NULL, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "100% sure: bash (gp=anc2) fd <NA>. flags=<NA>");
	ruleset_free(rs);
}

static void test_caps(void)
{
	struct ruleset *rs;
	size_t n = RULES_LIST_ITEMS_MAX + 1, len = 0;
	char *text = malloc(n * 2 + 64);
	char path[] = "/tmp/osprey-rules-XXXXXX";
	int fd;

	CHECK(text);
	if (!text)
		return;
	len += (size_t)snprintf(text, 64, "- list: big\n  items: [");
	for (size_t i = 0; i < n; i++) {
		text[len++] = 'a';
		text[len++] = ',';
	}
	text[len - 1] = ']';
	text[len++] = '\n';
	text[len] = 0;
	rs = load(text);
	expect_error(2, 10, "'items' has more than 65536 entries", NULL);
	ruleset_free(rs);
	free(text);

	/* macro nesting: m0 -> m1 -> ... -> m70 */
	{
		size_t cap = 80 * 64, used = 0;
		char *t = malloc(cap);

		CHECK(t);
		if (!t)
			return;
		for (int i = 0; i < 70; i++)
			used += (size_t)snprintf(t + used, cap - used,
						 "- macro: m%d\n  condition: m%d\n", i, i + 1);
		used += (size_t)snprintf(t + used, cap - used,
					 "- macro: m70\n  condition: evt.type = open\n");
		snprintf(t + used, cap - used, RULE("r", "m0"));
		rs = load(t);
		expect_error(
			128, 14,
			"macros nested deeper than 64 levels (in macro 'm63', used by rule 'r')",
			NULL);
		ruleset_free(rs);
		free(t);
	}

	/* file size cap */
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd >= 0) {
		rs = ruleset_new();
		diag_list_clear(&diags);
		CHECK_INT_EQ(ftruncate(fd, RULES_FILE_MAX + 1), 0);
		close(fd);
		CHECK_INT_EQ(ruleset_load_file(rs, path, &diags), -EINVAL);
		expect(DIAG_ERROR, path, 0, 0, "more than the 16 MiB limit", NULL);
		unlink(path);
		CHECK_INT_EQ(ruleset_load_file(rs, "/nonexistent/rules.yaml", &diags), -EINVAL);
		expect(DIAG_ERROR, "/nonexistent/rules.yaml", 0, 0,
		       "cannot read rules file: No such file or directory", NULL);
		ruleset_free(rs);
	}
}

static void test_validate(void)
{
	char path[] = "/tmp/osprey-rules-XXXXXX";
	char *paths[] = {path};
	const char *good = RULE("r", "evt.type = open");
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_INT_EQ(write(fd, good, strlen(good)), (long long)strlen(good));
	diag_list_clear(&diags);
	CHECK_INT_EQ(rules_validate_files(paths, 1, &diags), 0);
	CHECK_INT_EQ(ftruncate(fd, 0), 0);
	CHECK_INT_EQ(pwrite(fd, "- rule: [\n", 10, 0), 10);
	close(fd);
	diag_list_clear(&diags);
	CHECK_INT_EQ(rules_validate_files(paths, 1, &diags), -EINVAL);
	CHECK_INT_EQ(diags.n_errors, 1);
	unlink(path);
}

int main(void)
{
	test_yaml_errors();
	test_item_errors();
	test_condition_errors();
	test_overrides();
	test_exceptions();
	test_exception_fields_without_values();
	test_evttypes();
	test_warnings();
	test_output();
	test_caps();
	test_validate();
	diag_list_clear(&diags);
	return test_finish("test-rules-load");
}
