// SPDX-License-Identifier: Apache-2.0
/*
 * append_output (rules_append.h): the configuration key (file and -o, every mistake), which
 * rules an entry matches, and the alerts of the detector: extra_output in the line,
 * extra_fields in output_fields only, typed, rendered as JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "detect-events.h"
#include "detect.h"
#include "osprey_config.h"
#include "rules_append.h"
#include "test.h"

static bool has_diag(const struct diag_list *d, const char *what)
{
	char buf[2048];

	for (size_t i = 0; i < d->n; i++) {
		diag_format(&d->items[i], buf, sizeof(buf));
		if (strstr(buf, what))
			return true;
	}
	for (size_t i = 0; i < d->n; i++) {
		diag_format(&d->items[i], buf, sizeof(buf));
		fprintf(stderr, "  have: %s\n", buf);
	}
	return false;
}

static const char config_yaml[] =
	"append_output:\n"
	"  - match:\n"
	"      source: syscall\n"
	"      tags: [files, secrets]\n"
	"    extra_output: \"on %proc.name\"\n"
	"    extra_fields:\n"
	"      - proc.pid\n"
	"      - where: \"%container.id\"\n"
	"      - site: lab-1\n"
	"  - match: {rule: other}\n"
	"    extra_output: (other)\n"
	"  - suggested_output: true\n";

static void test_config(void)
{
	struct osprey_config c;
	struct diag_list d = {};
	const struct rules_append *a;

	osprey_config_init(&c);
	CHECK_INT_EQ(osprey_config_load_buffer(&c, "t.yaml", config_yaml, strlen(config_yaml), &d),
		     0);
	CHECK_INT_EQ(c.n_append_output, 3);
	a = &c.append_output[0];
	CHECK_STR_EQ(a->source, "syscall");
	CHECK(!a->rule);
	CHECK_INT_EQ(a->n_tags, 2);
	CHECK_STR_EQ(a->tags[1], "secrets");
	CHECK_STR_EQ(a->extra_output, "on %proc.name");
	CHECK_INT_EQ(a->n_fields, 3);
	CHECK_STR_EQ(a->fields[0].key, "proc.pid");
	CHECK_STR_EQ(a->fields[0].value, "%proc.pid");
	CHECK_STR_EQ(a->fields[1].key, "where");
	CHECK_STR_EQ(a->fields[1].value, "%container.id");
	CHECK_STR_EQ(a->fields[2].value, "lab-1");
	CHECK_STR_EQ(c.append_output[1].rule, "other");
	CHECK(c.append_output[2].suggested_output);

	/* -o: one key of an entry (N up to the length), a YAML list, a whole entry */
	CHECK_INT_EQ(osprey_config_set_option(&c, "append_output[1].extra_output=x %proc.name", &d),
		     0);
	CHECK_STR_EQ(c.append_output[1].extra_output, "x %proc.name");
	CHECK_INT_EQ(osprey_config_set_option(&c, "append_output[3].match.tags=[a, b]", &d), 0);
	CHECK_INT_EQ(c.n_append_output, 4);
	CHECK_INT_EQ(c.append_output[3].n_tags, 2);
	CHECK_INT_EQ(osprey_config_set_option(&c, "append_output[3].extra_fields=[k8s.pod.name]",
					      &d),
		     0);
	CHECK_STR_EQ(c.append_output[3].fields[0].key, "k8s.pod.name");
	CHECK_INT_EQ(osprey_config_set_option(
			     &c, "append_output[]={match: {source: k8s_audit}, extra_output: y}", &d),
		     0);
	CHECK_INT_EQ(c.n_append_output, 5);
	CHECK_STR_EQ(c.append_output[4].source, "k8s_audit");
	CHECK_INT_EQ(d.n_errors, 0);

	/* mistakes: each one named, the configuration unchanged otherwise */
	CHECK(osprey_config_set_option(&c, "append_output[9].extra_output=x", &d) < 0);
	CHECK(has_diag(&d, "index 9 out of range: 'append_output' has 5 entries"));
	CHECK(osprey_config_set_option(&c, "append_output[0].match.priority=x", &d) < 0);
	CHECK(has_diag(&d, "append_output: unknown key 'match.priority'"));
	CHECK(osprey_config_set_option(&c, "append_output[0].extra=x", &d) < 0);
	CHECK(has_diag(&d, "append_output: unknown key 'extra'"));
	CHECK(osprey_config_set_option(&c, "append_output[0].extra_fields=[{a: b, c: d}]", &d) < 0);
	CHECK(has_diag(&d, "is a field name or one {name: value}"));
	CHECK(osprey_config_set_option(&c, "append_output[0].suggested_output=maybe", &d) < 0);
	CHECK(has_diag(&d, "'suggested_output' is true or false"));
	CHECK(osprey_config_set_option(&c, "append_output=x", &d) < 0);
	CHECK(has_diag(&d, "expected a list of entries"));
	diag_list_clear(&d);
	CHECK(osprey_config_load_buffer(&c, "t.yaml", "append_output:\n  - match: [a]\n", 29,
					&d) < 0);
	CHECK(has_diag(&d, "t.yaml:2:12: error: append_output: 'match' is a mapping"));
	diag_list_clear(&d);
	osprey_config_done(&c);
}

static const char rules_yaml[] =
	"- rule: secret read\n  desc: d\n  condition: evt.type = openat and fd.name startswith /etc\n"
	"  output: >\n    read %fd.name\n  priority: WARNING\n  tags: [files, secrets, host]\n"
	"- rule: other\n  desc: d\n  condition: evt.type = openat and fd.name startswith /tmp\n"
	"  output: other %fd.name\n  priority: NOTICE\n  tags: [files]\n";

static char line[ALERT_OUTPUT_MAX], json[ALERT_RENDER_MAX];
static size_t n_alerts;

static void on_alert(const struct alert *a, void *userdata)
{
	struct alert_format f;

	(void)userdata;
	n_alerts++;
	snprintf(line, sizeof(line), "%s", a->output);
	alert_format_init(&f);
	f.json = true;
	CHECK(alert_render(a, &f, "h", json, sizeof(json)) > 0);
}

static struct ruleset *rules_with(const struct rules_append *a, size_t n, struct diag_list *d)
{
	struct ruleset *rs = ruleset_new();

	if (!rs)
		return NULL;
	CHECK_INT_EQ(ruleset_load_buffer(rs, "r.yaml", rules_yaml, strlen(rules_yaml), d), 0);
	CHECK(rules_append_match(&a[0], rs->rules[0]));
	/* the first entry wants the tags files and secrets; one without match: every rule */
	CHECK(rules_append_match(&a[0], rs->rules[1]) == (a[0].n_tags == 0));
	CHECK_INT_EQ(rules_append_apply(rs, a, n), 0);
	if (ruleset_compile(rs, d) < 0) {
		ruleset_free(rs);
		return NULL;
	}
	return rs;
}

static void test_alerts(void)
{
	struct osprey_config c;
	struct diag_list d = {};
	struct ruleset *rs;
	struct detect *det = NULL;

	osprey_config_init(&c);
	CHECK_INT_EQ(osprey_config_load_buffer(&c, "t.yaml", config_yaml, strlen(config_yaml), &d),
		     0);
	rs = rules_with(c.append_output, c.n_append_output, &d);
	CHECK(rs);
	if (!rs)
		goto out;
	/* the folded output's newline stays out: "read %fd.name on %proc.name" */
	CHECK_STR_EQ(rs->rules[0]->output, "read %fd.name on %proc.name");
	CHECK_STR_EQ(rs->rules[1]->output, "other %fd.name (other)");
	CHECK_INT_EQ(rs->rules[0]->n_extra_fields, 3);
	CHECK_INT_EQ(rs->rules[1]->n_extra_fields, 0);
	CHECK_INT_EQ(detect_new(&c, rs, &(struct detect_opts){.host_root = "/nonexistent"}, &det),
		     0);
	if (!det)
		goto out;
	detect_set_alert_fn(det, on_alert, NULL);
	detect_on_event(det, tb_openat(41, 3, AT_FDCWD_K, "/etc/shadow", 0, 0));
	CHECK_INT_EQ(n_alerts, 1);
	CHECK_STR_EQ(line, "read /etc/shadow on"); /* proc.name: "" (no process state here) */
	CHECK(strstr(json, "\"proc.name\":\"\"") != NULL);
	CHECK(strstr(line, "lab-1") == NULL); /* extra fields stay out of the line */
	CHECK(strstr(json, "\"proc.pid\":41,") != NULL); /* typed */
	CHECK(strstr(json, "\"site\":\"lab-1\"") != NULL);
	CHECK(strstr(json, "\"where\":\"host\"") != NULL);
	CHECK(strstr(json, "\"fd.name\":\"/etc/shadow\"") != NULL);
	detect_on_event(det, tb_openat(41, 3, AT_FDCWD_K, "/tmp/x", 0, 0));
	CHECK_INT_EQ(n_alerts, 2);
	CHECK(strstr(line, "other /tmp/x (other)") != NULL);
	CHECK(strstr(json, "lab-1") == NULL);
	detect_free(det);
	ruleset_free(rs);

	/* a field the rule's source does not have: a rules error naming the entry's field */
	osprey_config_done(&c);
	osprey_config_init(&c);
	CHECK_INT_EQ(osprey_config_set_option(
			     &c, "append_output[]={extra_fields: [ka.user.name, {x: \"a %proc.name\"}]}",
			     &d),
		     0);
	rs = rules_with(c.append_output, c.n_append_output, &d);
	CHECK(!rs);
	CHECK(has_diag(&d, "append_output: extra field 'ka.user.name': unknown field 'ka.user.name' "
			   "for source 'syscall'"));
	CHECK(has_diag(&d, "extra field 'x' mixes text and fields"));
	ruleset_free(rs);
out:
	diag_list_clear(&d);
	osprey_config_done(&c);
}

int main(void)
{
	test_config();
	test_alerts();
	return test_finish("append-output");
}
