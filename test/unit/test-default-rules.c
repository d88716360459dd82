// SPDX-License-Identifier: Apache-2.0
/*
 * Osprey's default rules (rules/osprey_rules.yaml) load and compile cleanly with the rules front
 * end: no errors, no warnings, every rule complete (desc, output, priority, a MITRE ATT&CK tactic
 * tag and technique id) and restricted to the event types it can match. They also coexist with
 * the three upstream Falco rule files (beside the repository, in ../shared/fixtures/falco-rules):
 * no name is shared, so loading either set first changes nothing in the other.
 *
 * What the rules detect is not tested here: that needs the evaluator (golden tests).
 */
#include <ctype.h>
#include <errno.h>
#include <unistd.h>

#include "config.h"
#include "ruleset.h"
#include "test.h"

#define DEFAULT_RULES OSPREY_SOURCE_ROOT "/rules/osprey_rules.yaml"
#define FIXTURES      OSPREY_SOURCE_ROOT "/../shared/fixtures/falco-rules"
#define MIN_RULES     25

static const char *const falco_files[] = {
	FIXTURES "/falco_rules.yaml",
	FIXTURES "/falco-incubating_rules.yaml",
	FIXTURES "/falco-sandbox_rules.yaml",
};

/* The tactics of MITRE ATT&CK for Enterprise, as Falco spells them in tags. */
static const char *const mitre_tactics[] = {
	"mitre_reconnaissance",
	"mitre_resource_development",
	"mitre_initial_access",
	"mitre_execution",
	"mitre_persistence",
	"mitre_privilege_escalation",
	"mitre_defense_evasion",
	"mitre_credential_access",
	"mitre_discovery",
	"mitre_lateral_movement",
	"mitre_collection",
	"mitre_command_and_control",
	"mitre_exfiltration",
	"mitre_impact",
};

/* Each rule's event-type set must contain the first name and not the second. */
static const struct {
	const char *rule, *has, *lacks;
} evttype_checks[] = {
	{ "Shadow or Sudoers File Read by Untrusted Program", "openat", "execve" },
	{ "Private Key or Cloud Credential Search", "execve", "openat" },
	{ "Link Created to Sensitive File", "symlinkat", "openat" },
	{ "Shell Started by Application in Container", "execve", "openat" },
	{ "Interactive Shell in Container", "execveat", "connect" },
	{ "Package Manager Run in Container", "execve", "openat" },
	{ "New Executable Run in Container", "execve", "openat" },
	{ "Program Run from Memory File", "execve", "memfd_create" },
	{ "Program Run from Shared Memory", "execve", "openat" },
	{ "Netcat or Socat Program Execution", "execve", "connect" },
	{ "Standard Stream Redirected to Network Socket", "dup2", "execve" },
	{ "Binary Directory Modified", "renameat2", "execve" },
	{ "System Configuration Modified Below /etc", "openat2", "unlinkat" },
	{ "Dynamic Linker Preload File Modified", "open", "execve" },
	{ "Setuid or Setgid Bit Set on File", "fchmodat", "openat" },
	{ "User Account Created", "execve", "openat" },
	{ "Account Database Written Directly", "openat", "execve" },
	{ "Root Identity Taken from Non-Root Shell", "setresuid", "setgid" },
	{ "Process Attached with Ptrace", "ptrace", "execve" },
	{ "Ptrace Anti-Debugging Attempt", "ptrace", "execve" },
	{ "Kernel Module Load Attempted", "finit_module", "execve" },
	{ "Kernel Module Tool Run in Container", "execve", "finit_module" },
	{ "Cgroup Release Agent Written", "openat", "execve" },
	{ "Debugfs Run in Privileged Container", "execve", "openat" },
	{ "System Logs Cleared", "unlinkat", "connect" },
	{ "Bulk Data Destruction", "execve", "unlinkat" },
	{ "Packet Socket Opened in Container", "socket", "connect" },
	{ "Kubernetes API Server Contacted from Container", "connect", "sendto" },
	{ "SSH Client Connected to Non-Standard Port", "connect", "execve" },
	{ "Connection to Mining Pool Port", "connect", "socket" },
};

static void print_diags(const struct diag_list *diags)
{
	char buf[1024];

	for (size_t i = 0; i < diags->n; i++) {
		diag_format(&diags->items[i], buf, sizeof(buf));
		fprintf(stderr, "%s\n", buf);
	}
}

/* T1234 or T1234.567 */
static bool is_technique_tag(const char *t)
{
	size_t n = strlen(t);

	if (n != 5 && n != 9)
		return false;
	if (t[0] != 'T')
		return false;
	for (size_t i = 1; i < 5; i++)
		if (!isdigit((unsigned char)t[i]))
			return false;
	if (n == 5)
		return true;
	if (t[5] != '.')
		return false;
	for (size_t i = 6; i < 9; i++)
		if (!isdigit((unsigned char)t[i]))
			return false;
	return true;
}

static bool is_tactic_tag(const char *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(mitre_tactics); i++)
		if (strcmp(t, mitre_tactics[i]) == 0)
			return true;
	return false;
}

static bool has_text(const char *s)
{
	if (!s)
		return false;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return true;
	return false;
}

/* Loads files in order into a new ruleset and compiles it; diagnostics go to diags. */
static struct ruleset *load_all(const char *const *files, size_t n, struct diag_list *diags)
{
	_cleanup_(ruleset_freep) struct ruleset *rs = ruleset_new();

	if (!rs)
		return NULL;
	for (size_t i = 0; i < n; i++)
		(void)ruleset_load_file(rs, files[i], diags);
	(void)ruleset_compile(rs, diags);
	return TAKE_PTR(rs);
}

/* The default rules alone: clean, complete, narrowed. Returns the ruleset for later checks. */
static struct ruleset *check_default_rules(void)
{
	static const char *const files[] = { DEFAULT_RULES };
	struct diag_list diags = {};
	struct ruleset *rs;
	size_t enabled = 0;
	char buf[2048];

	rs = load_all(files, ARRAY_SIZE(files), &diags);
	CHECK(rs);
	if (!rs)
		return NULL;
	print_diags(&diags);
	CHECK_INT_EQ(diags.n_errors, 0);
	CHECK_INT_EQ(diags.n_warnings, 0);
	CHECK_INT_EQ(diags.n_dropped, 0);
	diag_list_clear(&diags);

	for (size_t i = 0; i < rs->n_rules; i++) {
		const struct rules_rule *r = rs->rules[i];
		bool tactic = false, technique = false;
		unsigned n_types;

		enabled += r->enabled;
		CHECK(r->compiled);
		CHECK(!r->skipped);
		CHECK(has_text(r->desc));
		CHECK(has_text(r->output));
		CHECK(r->n_output_pieces > 1); /* text and at least one %field */
		CHECK((unsigned)r->priority < _PRIORITY_MAX);
		CHECK(r->priority <= PRIORITY_NOTICE); /* default rules alert at notice or above */
		CHECK_STR_EQ(r->source ? r->source : "syscall", "syscall");
		for (size_t t = 0; t < r->n_tags; t++) {
			if (strncmp(r->tags[t], "mitre_", 6) == 0) {
				if (!is_tactic_tag(r->tags[t]))
					fprintf(stderr, "%s: unknown MITRE tactic tag '%s'\n", r->name,
						r->tags[t]);
				CHECK(is_tactic_tag(r->tags[t]));
				tactic = true;
			}
			technique |= is_technique_tag(r->tags[t]);
		}
		if (!tactic || !technique)
			fprintf(stderr, "%s: missing MITRE tactic or technique tag\n", r->name);
		CHECK(tactic);
		CHECK(technique);

		n_types = evtset_count(&r->evttypes);
		evtset_format(&r->evttypes, buf, sizeof(buf));
		if (evtset_is_full(&r->evttypes) || n_types == 0)
			fprintf(stderr, "%s: event types not narrowed: %s\n", r->name, buf);
		CHECK(!evtset_is_full(&r->evttypes));
		CHECK(n_types > 0);
		CHECK(n_types <= 16);
		printf("%-50s %-8s %s\n", r->name, rules_priority_name(r->priority), buf);
	}
	printf("default rules: %zu (%zu enabled), %zu macros, %zu lists, interest set %u types\n",
	       rs->n_rules, enabled, rs->n_macros, rs->n_lists, evtset_count(&rs->interest));
	CHECK(enabled >= MIN_RULES);
	CHECK(!evtset_is_full(&rs->interest));

	/* every macro and list is used (an unused one would also have been a warning) */
	for (size_t i = 0; i < rs->n_macros; i++)
		CHECK(rs->macros[i]->used);
	for (size_t i = 0; i < rs->n_lists; i++)
		CHECK(rs->lists[i]->used);

	for (size_t i = 0; i < ARRAY_SIZE(evttype_checks); i++) {
		const struct rules_rule *r = ruleset_find_rule(rs, evttype_checks[i].rule);
		int has = evttype_from_name(evttype_checks[i].has);
		int lacks = evttype_from_name(evttype_checks[i].lacks);

		if (!r)
			fprintf(stderr, "rule not found: %s\n", evttype_checks[i].rule);
		CHECK(r);
		CHECK(has >= 0);
		CHECK(lacks >= 0);
		if (!r || has < 0 || lacks < 0)
			continue;
		CHECK(evtset_has(&r->evttypes, (unsigned)has));
		CHECK(!evtset_has(&r->evttypes, (unsigned)lacks));
	}
	CHECK_INT_EQ(ARRAY_SIZE(evttype_checks), rs->n_rules);
	return rs;
}

/* Our rules in a combined ruleset are the same rules, compiled to the same event types. */
static void check_same_rules(const struct ruleset *ours, const struct ruleset *combined)
{
	for (size_t i = 0; i < ours->n_rules; i++) {
		const struct rules_rule *a = ours->rules[i];
		const struct rules_rule *b = ruleset_find_rule(combined, a->name);

		CHECK(b);
		if (!b)
			continue;
		/* compiled alike: Falco's disabled rule on evt.buffer is refused in both */
		CHECK(b->compiled == a->compiled);
		CHECK(b->enabled == a->enabled);
		CHECK(b->priority == a->priority);
		CHECK_STR_EQ(b->desc, a->desc);
		CHECK(memcmp(&b->evttypes, &a->evttypes, sizeof(a->evttypes)) == 0);
	}
}

static void check_with_falco(const struct ruleset *ours)
{
	const char *files[ARRAY_SIZE(falco_files) + 1];
	_cleanup_(ruleset_freep) struct ruleset *falco = NULL;
	struct diag_list diags = {};
	size_t falco_warnings, falco_rules, clashes = 0;

	for (size_t i = 0; i < ARRAY_SIZE(falco_files); i++)
		if (access(falco_files[i], R_OK) < 0) {
			printf("SKIP (part): %s not found, the Falco rules fixtures are not beside the "
			       "repository; coexistence with Falco's rules not checked\n",
			       falco_files[i]);
			return;
		}

	falco = load_all(falco_files, ARRAY_SIZE(falco_files), &diags);
	CHECK(falco);
	if (!falco)
		return;
	CHECK_INT_EQ(diags.n_errors, 0);
	falco_warnings = diags.n_warnings;
	falco_rules = falco->n_rules;
	diag_list_clear(&diags);

	/* no rule, macro or list name of ours is defined by Falco's files */
	for (size_t i = 0; i < ours->n_rules; i++)
		if (ruleset_find_rule(falco, ours->rules[i]->name)) {
			fprintf(stderr, "rule name shared with Falco: %s\n", ours->rules[i]->name);
			clashes++;
		}
	for (size_t i = 0; i < ours->n_macros; i++)
		if (ruleset_find_macro(falco, ours->macros[i]->name)) {
			fprintf(stderr, "macro name shared with Falco: %s\n", ours->macros[i]->name);
			clashes++;
		}
	for (size_t i = 0; i < ours->n_lists; i++)
		if (ruleset_find_list(falco, ours->lists[i]->name)) {
			fprintf(stderr, "list name shared with Falco: %s\n", ours->lists[i]->name);
			clashes++;
		}
	CHECK_INT_EQ(clashes, 0);

	/* ours after Falco's, then ours before Falco's */
	for (int order = 0; order < 2; order++) {
		_cleanup_(ruleset_freep) struct ruleset *rs = NULL;

		for (size_t i = 0; i < ARRAY_SIZE(falco_files); i++)
			files[order == 0 ? i : i + 1] = falco_files[i];
		files[order == 0 ? ARRAY_SIZE(falco_files) : 0] = DEFAULT_RULES;

		rs = load_all(files, ARRAY_SIZE(files), &diags);
		CHECK(rs);
		if (!rs) {
			diag_list_clear(&diags);
			continue;
		}
		if (diags.n_errors > 0)
			print_diags(&diags);
		CHECK_INT_EQ(diags.n_errors, 0);
		/* our file adds no warning to those Falco's files give on their own */
		CHECK_INT_EQ(diags.n_warnings, falco_warnings);
		CHECK_INT_EQ(rs->n_rules, falco_rules + ours->n_rules);
		CHECK_INT_EQ(rs->n_macros, falco->n_macros + ours->n_macros);
		CHECK_INT_EQ(rs->n_lists, falco->n_lists + ours->n_lists);
		check_same_rules(ours, rs);
		check_same_rules(falco, rs);
		printf("with Falco's rules (%s): %zu rules, %zu errors, %zu warnings (Falco alone: "
		       "%zu)\n",
		       order == 0 ? "ours last" : "ours first", rs->n_rules, diags.n_errors,
		       diags.n_warnings, falco_warnings);
		diag_list_clear(&diags);
	}
}

int main(void)
{
	_cleanup_(ruleset_freep) struct ruleset *ours = NULL;

	if (access(DEFAULT_RULES, R_OK) < 0)
		TEST_SKIP("%s: %s", DEFAULT_RULES, strerror(errno));

	ours = check_default_rules();
	if (ours)
		check_with_falco(ours);
	return test_finish("test-default-rules");
}
