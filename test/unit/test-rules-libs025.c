// SPDX-License-Identifier: Apache-2.0
/*
 * What libs 0.25 / Falco 0.44 (engine version 0.62) added to rule files, at load time: YAML
 * anchors and aliases, the capture keys, required_engine_version up to 0.62.0, %container.info
 * replaced as Falco does, and the new transformers' load-time checks. (Their evaluation is in
 * test-eval.c.)
 */
#include <string.h>

#include "diag.h"
#include "ruleset.h"
#include "test.h"

static struct diag_list diags;

static struct ruleset *load(const char *text)
{
	struct ruleset *rs = ruleset_new();

	diag_list_clear(&diags);
	if (!rs)
		return NULL;
	ruleset_load_buffer(rs, "a.yaml", text, strlen(text), &diags);
	ruleset_compile(rs, &diags);
	return rs;
}

static void dump(void)
{
	char buf[1024];

	for (size_t i = 0; i < diags.n; i++) {
		diag_format(&diags.items[i], buf, sizeof(buf));
		fprintf(stderr, "  diag: %s\n", buf);
	}
}

/* A diagnostic of this severity at line:col whose message contains msg. */
static bool has_diag(enum diag_severity sev, unsigned line, unsigned col, const char *msg)
{
	for (size_t i = 0; i < diags.n; i++) {
		const struct diag *d = &diags.items[i];

		if (d->severity == sev && d->line == line && (!col || d->col == col) &&
		    strstr(d->msg, msg))
			return true;
	}
	fprintf(stderr, "missing %s %u:%u '%s'; have:\n", sev == DIAG_ERROR ? "error" : "warning",
		line, col, msg);
	dump();
	return false;
}

static void test_anchors(void)
{
	_cleanup_(ruleset_freep) struct ruleset *rs =
		load("- list: shell_binaries\n"
		     "  items: &shells [bash, sh, zsh]\n"
		     "- list: more_shells\n"
		     "  items: *shells\n"
		     "- macro: spawned\n"
		     "  condition: &spawn evt.type = execve\n"
		     "- rule: Shell\n"
		     "  desc: &desc A shell was started.\n"
		     "  condition: spawned and proc.name in (more_shells, shell_binaries)\n"
		     "  output: &out shell (cmd=%proc.cmdline)\n"
		     "  priority: NOTICE\n"
		     "  tags: &tags [shell, mitre_execution]\n"
		     "- rule: Other\n"
		     "  desc: *desc\n"
		     "  condition: *spawn\n"
		     "  output: *out\n"
		     "  priority: NOTICE\n"
		     "  tags: *tags\n");
	struct rules_rule *r;
	struct rules_list *l;

	CHECK(rs && diags.n_errors == 0);
	if (diags.n_errors)
		dump();
	l = rs ? ruleset_find_list(rs, "more_shells") : NULL;
	CHECK(l && l->n_items == 3 && strcmp(l->items[2], "zsh") == 0);
	r = rs ? ruleset_find_rule(rs, "Other") : NULL;
	CHECK(r && r->compiled);
	CHECK(r && strcmp(r->desc, "A shell was started.") == 0);
	CHECK(r && strcmp(r->cond->text, "evt.type = execve") == 0);
	CHECK(r && r->n_tags == 2 && strcmp(r->tags[1], "mitre_execution") == 0);
	CHECK(r && r->n_output_pieces == 3);

	/* an alias with no anchor, or to the node that holds it: named errors */
	rs = (ruleset_free(rs), load("- list: a\n  items: *nope\n"));
	CHECK(has_diag(DIAG_ERROR, 2, 10, "YAML alias '*nope' has no anchor '&nope' before it"));
	rs = (ruleset_free(rs), load("- list: a\n  items: &x [*x]\n"));
	CHECK(has_diag(DIAG_ERROR, 2, 14, "refers to a node that contains it"));
	/* an alias bomb stops at the node cap */
	{
		char bomb[4096];
		size_t o = 0;

		o += (size_t)snprintf(bomb + o, sizeof(bomb) - o,
				      "- a: &a0 [x, x, x, x, x, x, x, x]\n");
		for (int i = 1; i < 9; i++)
			o += (size_t)snprintf(bomb + o, sizeof(bomb) - o,
					      "- a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
					      "*a%d, *a%d]\n",
					      i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
					      i - 1);
		rs = (ruleset_free(rs), load(bomb));
		CHECK(has_diag(DIAG_ERROR, 7, 22, "YAML nodes (aliases expanded)"));
	}
}

static void test_capture_keys(void)
{
	_cleanup_(ruleset_freep) struct ruleset *rs = load("- rule: R\n"
							   "  desc: d\n"
							   "  condition: evt.type = execve\n"
							   "  output: o\n"
							   "  priority: WARNING\n"
							   "  capture: true\n"
							   "  capture_duration: 5000\n"
							   "  capture_events: 100\n"
							   "  capture_filesize: 2048\n"
							   "- rule: R\n"
							   "  capture_duration: 100\n"
							   "  override:\n"
							   "    capture_duration: replace\n");
	struct rules_rule *r = rs ? ruleset_find_rule(rs, "R") : NULL;

	CHECK(diags.n_errors == 0 && diags.n_warnings == 0);
	if (diags.n)
		dump();
	CHECK(r && r->capture && r->capture_duration == 100 && r->capture_events == 100 &&
	      r->capture_filesize == 2048);

	rs = (ruleset_free(rs),
	      load("- rule: R\n  desc: d\n  condition: evt.type = execve\n  output: o\n"
		   "  priority: WARNING\n  capture: sometimes\n  capture_duration: -5\n"
		   "  capture_events: 0\n"));
	CHECK(has_diag(DIAG_ERROR, 6, 12, "'capture' must be a boolean, got 'sometimes'"));
	CHECK(has_diag(DIAG_ERROR, 7, 21, "'capture_duration' must be a whole number from 1 to"));
	CHECK(has_diag(DIAG_ERROR, 8, 19, "'capture_events' must be a whole number"));
}

static void test_engine_version(void)
{
	_cleanup_(ruleset_freep) struct ruleset *rs = load("- required_engine_version: 0.62.0\n");

	CHECK(diags.n_errors == 0);
	rs = (ruleset_free(rs), load("- required_engine_version: 62\n"));
	CHECK(diags.n_errors == 0);
	rs = (ruleset_free(rs), load("- required_engine_version: 0.63.0\n"));
	CHECK(has_diag(DIAG_ERROR, 1, 28,
		       "rules require engine version 0.63.0, Osprey implements 0.62.0"));
	rs = (ruleset_free(rs), load("- required_engine_version: 1.0.0\n"));
	CHECK(has_diag(DIAG_ERROR, 1, 28, "Osprey implements 0.62.0"));
}

static int fake_field(const struct field_ref *ref, char *buf, size_t size, void *userdata)
{
	(void)userdata;
	return snprintf(buf, size, "<%s>", ref->info->name);
}

static void test_container_info(void)
{
	_cleanup_(ruleset_freep) struct ruleset *rs =
		load("- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = execve\n"
		     "  output: shell (cmd=%proc.cmdline %container.info)\n"
		     "  priority: WARNING\n");
	struct rules_rule *r = rs ? ruleset_find_rule(rs, "R") : NULL;
	char out[256];

	CHECK(diags.n_errors == 0);
	CHECK(has_diag(DIAG_WARNING, 4, 37, "%container.info is deprecated"));
	CHECK(r && r->compiled);
	if (!r || !r->compiled)
		return;
	output_format(r, fake_field, NULL, out, sizeof(out));
	CHECK_STR_EQ(out, "shell (cmd=<proc.cmdline> container_id=<container.id> "
			  "container_name=<container.name>)");
}

static void test_transformer_errors(void)
{
	_cleanup_(ruleset_freep) struct ruleset *rs =
		load("- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = execve and join(',', proc.name) = x\n"
		     "  output: o\n"
		     "  priority: WARNING\n");

	CHECK(has_diag(DIAG_ERROR, 3, 46, "join()'s second argument must be a list field"));
	rs = (ruleset_free(rs),
	      load("- rule: R\n  desc: d\n  condition: evt.type = execve and "
		   "getopt(proc.args, 'c:')[cd] = x\n  output: o\n  priority: WARNING\n"));
	CHECK(has_diag(DIAG_ERROR, 3, 36, "getopt()'s selector must be one option character"));
	rs = (ruleset_free(rs),
	      load("- rule: R\n  desc: d\n  condition: evt.type = execve and "
		   "concat(proc.name, proc.nme) = x\n  output: o\n  priority: WARNING\n"));
	CHECK(has_diag(DIAG_ERROR, 3, 54, "unknown field 'proc.nme'"));
	rs = (ruleset_free(rs),
	      load("- rule: R\n  desc: d\n  condition: evt.type = execve and "
		   "proc.name = concat(proc.pname, '-x')\n  output: o\n  priority: WARNING\n"));
	CHECK(diags.n_errors == 0);
}

int main(void)
{
	test_anchors();
	test_capture_keys();
	test_engine_version();
	test_container_info();
	test_transformer_errors();
	diag_list_clear(&diags);
	return test_finish("test-rules-libs025");
}
