// SPDX-License-Identifier: Apache-2.0
/*
 * The k8s_audit source: the payload parser and its bounds (malformed JSON, not an audit event,
 * over-long payloads, deep nesting, EventLists of 10,000 items and over the cap), every kind of
 * ka.* / jevt.* field on a pod creation event, Falco's comparison semantics on list fields and
 * missing values, per-source field resolution in the rules compiler, the regex operator (the
 * rules engine's rx.h: RE2 syntax, whole value, bounded), and the plugins: / load_plugins: /
 * -o plugins[N].KEY / engine.kind: nodriver configuration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8saudit.h"
#include "osprey_config.h"
#include "ruleset.h"
#include "test.h"

/* A pod creation: two containers (the second privileged), a hostPath and a configMap volume. */
static const char pod_event[] =
	"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"RequestResponse\","
	"\"auditID\":\"a-1\",\"stage\":\"ResponseComplete\",\"requestURI\":"
	"\"/api/v1/namespaces/default/pods/p1/exec?command=%2Fbin%2Fsh&command=-c&container=c\","
	"\"verb\":\"create\",\"user\":{\"username\":\"alice\",\"groups\":[\"dev\","
	"\"system:authenticated\"]},\"impersonatedUser\":{\"username\":\"bob\"},"
	"\"sourceIPs\":[\"10.0.0.1\",\"10.0.0.2\"],\"userAgent\":\"kubectl/v1.28\","
	"\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":\"p1\","
	"\"subresource\":\"exec\"},\"responseStatus\":{\"metadata\":{},\"code\":201},"
	"\"requestObject\":{\"kind\":\"Pod\",\"spec\":{\"hostNetwork\":true,"
	"\"securityContext\":{\"runAsUser\":1000},"
	"\"containers\":[{\"name\":\"web\",\"image\":\"docker.io/nginx:1.25\","
	"\"ports\":[{\"containerPort\":80},{\"containerPort\":443,\"hostPort\":8443}]},"
	"{\"name\":\"side\",\"image\":\"busybox@sha256:abc\",\"securityContext\":"
	"{\"privileged\":true,\"runAsUser\":0,\"capabilities\":{\"add\":[\"NET_ADMIN\","
	"\"SYS_TIME\"]}},\"ports\":[]}],"
	"\"volumes\":[{\"name\":\"h\",\"hostPath\":{\"path\":\"/var/run/docker.sock\"}},"
	"{\"name\":\"c\",\"configMap\":{\"name\":\"cm\"}}]}},"
	"\"responseObject\":{\"metadata\":{\"name\":\"p1\"}},"
	"\"annotations\":{\"authorization.k8s.io/decision\":\"allow\","
	"\"authorization.k8s.io/reason\":\"RBAC: allowed\"},"
	"\"requestReceivedTimestamp\":\"2023-01-02T03:04:05.000001Z\","
	"\"stageTimestamp\":\"2023-01-02T03:04:05.123456789Z\"}";

struct collect {
	size_t n;
	uint64_t last_ts, last_num;
};

static int on_event_count(const struct k8saudit_event *ev, void *userdata)
{
	struct collect *c = userdata;

	c->n++;
	c->last_ts = ev->ts_ns;
	c->last_num = ev->num;
	return 0;
}

static int parse(struct k8saudit_parser *p, const char *s, struct collect *c, char *err,
		 size_t errsize)
{
	*c = (struct collect){};
	return k8saudit_parse(p, s, strlen(s), on_event_count, c, err, errsize);
}

/* "{"kind":"EventList","items":[ n items ]}", every item a minimal event. */
static char *event_list(size_t n)
{
	static const char item[] = "{\"kind\":\"Event\",\"stageTimestamp\":"
				   "\"2023-01-02T03:04:05Z\",\"verb\":\"get\"}";
	size_t size = 64 + n * sizeof(item);
	char *s = malloc(size), *p = s;

	if (!s)
		return NULL;
	p += sprintf(p, "{\"kind\":\"EventList\",\"items\":[");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? "," : "", item);
	sprintf(p, "]}");
	return s;
}

static void test_parse(void)
{
	_cleanup_(k8saudit_parser_freep) struct k8saudit_parser *p = NULL;
	struct k8saudit_parse_stats st;
	struct collect c;
	char err[256];
	char *s;

	CHECK_INT_EQ(k8saudit_parser_new(&p), 0);

	CHECK_INT_EQ(parse(p, pod_event, &c, err, sizeof(err)), 1);
	CHECK_STR_EQ(err, "");
	CHECK_INT_EQ(c.n, 1);
	CHECK(c.last_ts == 1672628645123456789ull);
	CHECK_INT_EQ(c.last_num, 1);

	/* an EventList, one item without a stageTimestamp: the others still come */
	CHECK_INT_EQ(parse(p,
			   "{\"kind\":\"EventList\",\"items\":[{\"kind\":\"Event\","
			   "\"stageTimestamp\":\"2023-01-02T03:04:05+01:00\"},{\"kind\":\"Event\"},"
			   "{\"stageTimestamp\":\"2023-01-02T03:04:06.5Z\"}]}",
			   &c, err, sizeof(err)),
		     2);
	CHECK(strstr(err, "stageTimestamp") != NULL);
	CHECK(c.last_ts == 1672628646500000000ull);
	/* a JSON array of Events, as some collectors forward them */
	CHECK_INT_EQ(parse(p,
			   "[{\"kind\":\"Event\",\"stageTimestamp\":\"2023-01-02T03:04:05Z\"}, "
			   "{\"kind\":\"Event\",\"stageTimestamp\":\"2023-01-02T03:04:05Z\"}]\n",
			   &c, err, sizeof(err)),
		     2);

	/* malformed: clear errors, nothing handed out */
	CHECK_INT_EQ(parse(p, "{\"kind\":\"Event\",", &c, err, sizeof(err)), -EBADMSG);
	CHECK(strstr(err, "not valid JSON") != NULL);
	CHECK_INT_EQ(parse(p, "not json at all", &c, err, sizeof(err)), -EBADMSG);
	CHECK_INT_EQ(parse(p, "{\"kind\":\"Event\"} trailing", &c, err, sizeof(err)), -EBADMSG);
	CHECK(strstr(err, "text after the value") != NULL);
	CHECK_INT_EQ(parse(p, "{\"kind\": 0}", &c, err, sizeof(err)), -EBADMSG);
	CHECK(strstr(err, "data not recognized as a k8s audit event") != NULL);
	CHECK_INT_EQ(parse(p, "{\"kind\":\"Pod\"}", &c, err, sizeof(err)), -EBADMSG);
	CHECK_INT_EQ(parse(p, "\"Event\"", &c, err, sizeof(err)), -EBADMSG);
	CHECK_INT_EQ(c.n, 0);
	/* bad time: that event is skipped */
	CHECK_INT_EQ(parse(p, "{\"kind\":\"Event\",\"stageTimestamp\":\"yesterday\"}", &c, err,
			   sizeof(err)),
		     0);
	CHECK(strstr(err, "yesterday") != NULL);

	/* nesting deeper than the bound */
	s = malloc(4096);
	if (s) {
		size_t o = 0;

		o += (size_t)sprintf(
			s, "{\"kind\":\"Event\",\"stageTimestamp\":\"2023-01-02T03:04:05Z\","
			   "\"x\":");
		for (int i = 0; i < 200; i++)
			s[o++] = '[';
		for (int i = 0; i < 200; i++)
			s[o++] = ']';
		s[o++] = '}';
		s[o] = 0;
		CHECK_INT_EQ(parse(p, s, &c, err, sizeof(err)), -EBADMSG);
		CHECK_INT_EQ(c.n, 0);
		free(s);
	}

	/* over the payload bound: refused before parsing */
	s = malloc(K8SAUDIT_PAYLOAD_MAX + 2);
	if (s) {
		memset(s, ' ', K8SAUDIT_PAYLOAD_MAX + 1);
		s[0] = '{';
		s[K8SAUDIT_PAYLOAD_MAX + 1] = 0;
		CHECK_INT_EQ(parse(p, s, &c, err, sizeof(err)), -E2BIG);
		CHECK(strstr(err, "larger than") != NULL);
		free(s);
	}

	/* an EventList of 10,000 items: every one handed out */
	s = event_list(10000);
	CHECK(s != NULL);
	if (s) {
		CHECK_INT_EQ(parse(p, s, &c, err, sizeof(err)), 10000);
		CHECK_INT_EQ(c.n, 10000);
		free(s);
	}
	/* over the per-payload event cap: refused whole, nothing handed out */
	s = event_list(K8SAUDIT_EVENTS_MAX + 1);
	CHECK(s != NULL);
	if (s) {
		CHECK_INT_EQ(parse(p, s, &c, err, sizeof(err)), -E2BIG);
		CHECK_INT_EQ(c.n, 0);
		CHECK(strstr(err, "more than") != NULL);
		free(s);
	}
	k8saudit_parser_get_stats(p, &st);
	CHECK(st.bad_payloads >= 8);
	CHECK(st.bad_events >= 2);
}

/* ---- fields ---- */

struct render_case {
	const char *name, *arg, *want; /* want NULL: no value */
};

static const struct render_case render_cases[] = {
	{"ka.auditid", NULL, "a-1"},
	{"ka.stage", NULL, "ResponseComplete"},
	{"ka.auth.decision", NULL, "allow"},
	{"ka.auth.reason", NULL, "RBAC: allowed"},
	{"ka.user.name", NULL, "alice"},
	{"ka.user.groups", NULL, "(dev,system:authenticated)"},
	{"ka.impuser.name", NULL, "bob"},
	{"ka.verb", NULL, "create"},
	{"ka.uri.param", "command", "/bin/sh"},
	{"ka.uri.param", "container", "c"},
	{"ka.uri.param", "nope", NULL},
	{"ka.target.name", NULL, "p1"},
	{"ka.target.namespace", NULL, "default"},
	{"ka.target.resource", NULL, "pods"},
	{"ka.target.subresource", NULL, "exec"},
	{"ka.target.pod.name", NULL, "p1"},
	{"ka.req.pod.containers.image", NULL, "(docker.io/nginx:1.25,busybox@sha256:abc)"},
	{"ka.req.pod.containers.image", "1", "(busybox@sha256:abc)"},
	{"ka.req.pod.containers.image", "7", NULL},
	{"ka.req.pod.containers.image.repository", NULL, "(docker.io/nginx,busybox)"},
	{"ka.req.container.image", NULL, "docker.io/nginx:1.25"},
	{"ka.req.container.image.repository", NULL, "docker.io/nginx"},
	{"ka.req.pod.containers.name", NULL, "(web,side)"},
	{"ka.req.pod.containers.privileged", NULL, "(true)"},
	{"ka.req.container.privileged", NULL, "true"},
	/* the first container has no securityContext.runAsUser: the list is missing, as in Falco */
	{"ka.req.pod.containers.run_as_user", NULL, NULL},
	{"ka.req.pod.containers.eff_run_as_user", NULL, "(1000,0)"},
	{"ka.req.pod.containers.eff_run_as_group", NULL, "(0,0)"},
	{"ka.req.pod.containers.add_capabilities", NULL, "(NET_ADMIN,SYS_TIME)"},
	{"ka.req.pod.containers.host_port", NULL, "(80,8443)"},
	{"ka.req.pod.host_network", NULL, "true"},
	{"ka.req.container.host_network", NULL, "true"},
	{"ka.req.pod.host_pid", NULL, NULL},
	{"ka.req.pod.run_as_user", NULL, "1000"},
	{"ka.req.pod.volumes.hostpath", NULL, "(/var/run/docker.sock)"},
	{"ka.req.pod.volumes.volume_type", NULL, "(hostPath,configMap)"},
	{"ka.req.volume.hostpath", "/var/run/docker.sock", "true"},
	{"ka.req.volume.hostpath", "/var/run*", "true"},
	{"ka.req.volume.hostpath", "/etc", "false"},
	{"ka.req.pod.initContainers.image", NULL, NULL},
	{"ka.resp.name", NULL, "p1"},
	{"ka.response.code", NULL, "201"},
	{"ka.response.reason", NULL, NULL},
	{"ka.useragent", NULL, "kubectl/v1.28"},
	{"ka.sourceips", NULL, "(10.0.0.1,10.0.0.2)"},
	{"ka.sourceips", "1", "(10.0.0.2)"},
	{"jevt.value", "/stage", "ResponseComplete"},
	{"jevt.value", "/annotations/authorization.k8s.io~1decision", "allow"},
	{"jevt.value", "/requestObject/spec/containers/1/name", "side"},
	{"jevt.value", "/requestObject/spec/volumes/0/hostPath",
	 "{\"path\":\"/var/run/docker.sock\"}"},
	{"jevt.value", "/responseStatus/code", "201"},
	{"jevt.value", "/a~1~0b", NULL},
	{"json.value", "/user/username", "alice"},
	{"jevt.rawtime", NULL, "1672628645123456789"},
	{"jevt.time.iso8601", NULL, "2023-01-02T03:04:05.123456789Z"},
	{"evt.source", NULL, "k8s_audit"},
	{"evt.rawtime", NULL, "1672628645123456789"},
	{"evt.time.iso8601", NULL, "2023-01-02T03:04:05.123456789Z"},
};

static int keep_event(const struct k8saudit_event *ev, void *userdata)
{
	struct k8saudit_engine *e = ((void **)userdata)[0];
	int *failures = ((void **)userdata)[1];

	for (size_t i = 0; i < ARRAY_SIZE(render_cases); i++) {
		const struct render_case *rc = &render_cases[i];
		struct field_ref ref;
		const char *why;
		char buf[512];
		int r;

		r = field_resolve_in(k8saudit_field_source(), rc->name, rc->arg, &ref, &why);
		CHECK_INT_EQ(r, 0);
		if (r < 0)
			continue;
		r = k8saudit_field_render(e, ev, &ref, buf, sizeof(buf));
		if (rc->want ? (r < 0 || strcmp(buf, rc->want) != 0) : r != -ENOENT) {
			fprintf(stderr, "%s[%s]: got '%s' (%d), want '%s'\n", rc->name,
				rc->arg ? rc->arg : "", buf, r, rc->want ? rc->want : "<NA>");
			(*failures)++;
		}
	}
	return 0;
}

static struct ruleset *compile(const char *text, struct diag_list *d)
{
	struct ruleset *rs = ruleset_new();

	if (!rs)
		return NULL;
	ruleset_load_buffer(rs, "t.yaml", text, strlen(text), d);
	ruleset_compile(rs, d);
	return rs;
}

static void test_fields(void)
{
	_cleanup_(k8saudit_parser_freep) struct k8saudit_parser *p = NULL;
	_cleanup_(k8saudit_engine_freep) struct k8saudit_engine *e = NULL;
	_cleanup_(diag_list_clear) struct diag_list d = {};
	_cleanup_(ruleset_freep) struct ruleset *rs = compile("[]", &d);
	struct k8saudit_engine_opts o = {.min_priority = PRIORITY_DEBUG};
	int failures = 0;
	void *ud[2];
	char err[128];

	CHECK(rs != NULL);
	CHECK_INT_EQ(k8saudit_parser_new(&p), 0);
	CHECK_INT_EQ(k8saudit_engine_new(rs, &o, &e), 0);
	ud[0] = e;
	ud[1] = &failures;
	CHECK_INT_EQ(
		k8saudit_parse(p, pod_event, strlen(pod_event), keep_event, ud, err, sizeof(err)),
		1);
	test_checks++;
	if (failures) {
		fprintf(stderr, "%s:%d: %d field value(s) differ\n", __FILE__, __LINE__, failures);
		test_failures++;
	}
}

/* ---- rules ---- */

static const char rules_text[] =
	"- list: allowed_repos\n"
	"  items: [docker.io/nginx, busybox]\n"
	"- macro: kevt\n"
	"  condition: jevt.value[/stage] in (ResponseComplete)\n"
	"- rule: all images allowed\n"
	"  desc: in wants every value in the set\n"
	"  condition: kevt and ka.req.pod.containers.image.repository in (allowed_repos)\n"
	"  output: ok images=%ka.req.pod.containers.image user=%ka.user.name "
	"none=%ka.response.reason\n"
	"  priority: NOTICE\n"
	"  source: k8s_audit\n"
	"- rule: one image allowed\n"
	"  desc: not every value in the set\n"
	"  condition: ka.req.pod.containers.image.repository in (busybox)\n"
	"  output: never\n"
	"  priority: NOTICE\n"
	"  source: k8s_audit\n"
	"- rule: privileged\n"
	"  desc: intersects wants one\n"
	"  condition: ka.req.pod.containers.privileged intersects (true) and ka.response.code "
	"startswith 2 and evt.rawtime > 1672628645000000000 and evt.source = k8s_audit and "
	"evt.num > 0\n"
	"  output: priv %jevt.value[/requestObject/spec/containers/1/name]\n"
	"  priority: WARNING\n"
	"  source: k8s_audit\n"
	"- rule: missing values fail every comparison\n"
	"  desc: ka.req.pod.host_pid is missing\n"
	"  condition: ka.req.pod.host_pid exists or ka.req.pod.host_pid != true\n"
	"  output: never\n"
	"  priority: WARNING\n"
	"  source: k8s_audit\n"
	"- rule: not missing\n"
	"  desc: not over a missing value is true\n"
	"  condition: not ka.req.pod.host_pid exists and not ka.response.reason = x and "
	"ka.uri.param[command] = /bin/sh and ka.user.groups intersects (dev)\n"
	"  output: notmissing\n"
	"  priority: INFO\n"
	"  source: k8s_audit\n"
	"- rule: a syscall rule\n"
	"  desc: a syscall rule beside them\n"
	"  condition: evt.type = open and proc.name = cat\n"
	"  output: cat %proc.name\n"
	"  priority: WARNING\n";

struct matches {
	char names[8][64];
	size_t n;
	struct k8saudit_engine *e;
	struct k8saudit_alert_scratch s;
	char first_output[512];
	const char *first_source;
	size_t first_fields;
	enum alert_value_type none_type;
};

static int on_match(const struct rules_rule *r, const struct k8saudit_event *ev, void *userdata)
{
	struct matches *m = userdata;
	struct alert a;

	if (m->n < ARRAY_SIZE(m->names))
		snprintf(m->names[m->n], sizeof(m->names[0]), "%s", r->name);
	k8saudit_alert_build(m->e, r, ev, &m->s, &a);
	if (m->n == 0) {
		snprintf(m->first_output, sizeof(m->first_output), "%s", a.output);
		m->first_source = a.source;
		m->first_fields = a.n_fields;
		for (size_t i = 0; i < a.n_fields; i++)
			if (strcmp(a.fields[i].name, "ka.response.reason") == 0)
				m->none_type = a.fields[i].type;
	}
	m->n++;
	return 0;
}

static int match_event(const struct k8saudit_event *ev, void *userdata)
{
	struct matches *m = userdata;

	k8saudit_engine_match(m->e, ev, on_match, m);
	return 0;
}

static void test_rules(void)
{
	_cleanup_(diag_list_clear) struct diag_list d = {};
	_cleanup_(ruleset_freep) struct ruleset *rs = compile(rules_text, &d);
	_cleanup_(k8saudit_parser_freep) struct k8saudit_parser *p = NULL;
	_cleanup_(k8saudit_engine_freep) struct k8saudit_engine *e = NULL;
	struct k8saudit_engine_opts o = {.min_priority = PRIORITY_DEBUG, .match_all = true};
	struct matches m = {};
	char err[128];

	if (diag_has_errors(&d))
		diag_list_print(&d, stderr);
	CHECK(!diag_has_errors(&d));
	CHECK(ruleset_find_rule(rs, "privileged")->compiled);
	CHECK(ruleset_find_rule(rs, "privileged")->fields == k8saudit_field_source());
	CHECK(ruleset_find_rule(rs, "a syscall rule")->fields == field_source_syscall());
	CHECK_INT_EQ(k8saudit_parser_new(&p), 0);
	CHECK_INT_EQ(k8saudit_engine_new(rs, &o, &e), 0);
	CHECK_INT_EQ(k8saudit_engine_n_rules(e), 5);
	m.e = e;
	CHECK_INT_EQ(
		k8saudit_parse(p, pod_event, strlen(pod_event), match_event, &m, err, sizeof(err)),
		1);
	CHECK_INT_EQ(m.n, 3);
	CHECK_STR_EQ(m.names[0], "all images allowed");
	CHECK_STR_EQ(m.names[1], "privileged");
	CHECK_STR_EQ(m.names[2], "not missing");
	CHECK_STR_EQ(m.first_output,
		     "ok images=(docker.io/nginx:1.25,busybox@sha256:abc) user=alice none=<NA>");
	CHECK_STR_EQ(m.first_source, "k8s_audit");
	CHECK_INT_EQ(m.first_fields, 3);
	CHECK_INT_EQ(m.none_type, ALERT_VALUE_NULL);

	/* rule_matching first: one alert */
	k8saudit_engine_free(e);
	e = NULL;
	o.match_all = false;
	CHECK_INT_EQ(k8saudit_engine_new(rs, &o, &e), 0);
	m = (struct matches){.e = e};
	k8saudit_parse(p, pod_event, strlen(pod_event), match_event, &m, err, sizeof(err));
	CHECK_INT_EQ(m.n, 1);
	/* minimum priority: the NOTICE and INFO rules drop out */
	k8saudit_engine_free(e);
	e = NULL;
	o.min_priority = PRIORITY_WARNING;
	CHECK_INT_EQ(k8saudit_engine_new(rs, &o, &e), 0);
	CHECK_INT_EQ(k8saudit_engine_n_rules(e), 2);
}

/* Each source resolves its own fields: ka.* in a syscall rule, proc.* in an audit rule. */
static void test_sources(void)
{
	_cleanup_(diag_list_clear) struct diag_list d1 = {}, d2 = {}, d3 = {};
	_cleanup_(ruleset_freep) struct ruleset *a = NULL, *b = NULL, *c = NULL;

	a = compile("- rule: r\n  desc: d\n  condition: ka.verb = get\n  output: o\n"
		    "  priority: INFO\n",
		    &d1);
	CHECK(diag_has_errors(&d1));
	b = compile("- rule: r\n  desc: d\n  condition: proc.name = cat\n  output: o\n"
		    "  priority: INFO\n  source: k8s_audit\n",
		    &d2);
	CHECK(diag_has_errors(&d2));
	c = compile("- rule: r\n  desc: d\n  condition: ka.verb = get\n  output: o\n"
		    "  priority: INFO\n  source: aws_cloudtrail\n",
		    &d3);
	CHECK(!diag_has_errors(&d3));
	CHECK(ruleset_find_rule(c, "r")->skipped);
}

/*
 * The regex operator on audit events is the syscall rules' (rx.h): RE2 syntax matched against
 * the whole value (a part of it does not match, as POSIX regexec would), one value of a list
 * field is enough, a pattern RE2 refuses is refused when the rules load (file and line), and a
 * catastrophic pattern stops at the match limit, counted, as no match.
 */
static const char regex_rules[] =
	"- rule: whole\n  desc: d\n  condition: ka.user.name regex \"al[a-z]+\"\n"
	"  output: o\n  priority: INFO\n  source: k8s_audit\n"
	"- rule: part\n  desc: d\n  condition: ka.user.name regex \"lic\"\n"
	"  output: o\n  priority: INFO\n  source: k8s_audit\n"
	"- rule: list\n  desc: d\n"
	"  condition: ka.req.pod.containers.image regex \"busybox@sha256:[a-f0-9]+\"\n"
	"  output: o\n  priority: INFO\n  source: k8s_audit\n"
	"- rule: re2 classes\n  desc: d\n  condition: ka.useragent regex "
	"\"kubectl/v\\\\d+\\\\.\\\\d+\"\n"
	"  output: o\n  priority: INFO\n  source: k8s_audit\n"
	"- rule: catastrophic\n  desc: d\n  condition: ka.useragent regex \"(a|aa)*[cd]\"\n"
	"  output: o\n  priority: INFO\n  source: k8s_audit\n";

static void test_regex(void)
{
	_cleanup_(diag_list_clear) struct diag_list d = {}, d2 = {};
	_cleanup_(ruleset_freep) struct ruleset *rs = compile(regex_rules, &d);
	_cleanup_(ruleset_freep) struct ruleset *bad = NULL;
	_cleanup_(k8saudit_parser_freep) struct k8saudit_parser *p = NULL;
	_cleanup_(k8saudit_engine_freep) struct k8saudit_engine *e = NULL;
	struct k8saudit_engine_opts o = {.min_priority = PRIORITY_DEBUG, .match_all = true};
	struct k8saudit_engine_stats st;
	struct matches m = {};
	char err[128], ev[4096], ua[3001];
	char buf[1024];

	if (diag_has_errors(&d))
		diag_list_print(&d, stderr);
	CHECK(!diag_has_errors(&d));
	CHECK_INT_EQ(k8saudit_parser_new(&p), 0);
	CHECK_INT_EQ(k8saudit_engine_new(rs, &o, &e), 0);
	CHECK_INT_EQ(k8saudit_engine_n_rules(e), 5);
	m.e = e;
	CHECK_INT_EQ(
		k8saudit_parse(p, pod_event, strlen(pod_event), match_event, &m, err, sizeof(err)),
		1);
	CHECK_INT_EQ(m.n, 3);
	CHECK_STR_EQ(m.names[0], "whole");
	CHECK_STR_EQ(m.names[1], "list");
	CHECK_STR_EQ(m.names[2], "re2 classes");
	k8saudit_engine_get_stats(e, &st);
	CHECK_INT_EQ(st.regex_limit_hits, 0);

	/* a user agent of 3000 'a's: exponential for a backtracking matcher, stopped */
	memset(ua, 'a', sizeof(ua) - 1);
	ua[sizeof(ua) - 1] = '\0';
	snprintf(ev, sizeof(ev),
		 "{\"kind\":\"Event\",\"stageTimestamp\":\"2023-01-02T03:04:05Z\","
		 "\"userAgent\":\"%s\"}",
		 ua);
	m = (struct matches){.e = e};
	CHECK_INT_EQ(k8saudit_parse(p, ev, strlen(ev), match_event, &m, err, sizeof(err)), 1);
	CHECK_INT_EQ(m.n, 0);
	k8saudit_engine_get_stats(e, &st);
	CHECK_INT_EQ(st.regex_limit_hits, 1);

	/* what RE2 refuses is refused at load time, in an audit rule too */
	bad = compile("- rule: backref\n  desc: d\n  condition: ka.user.name regex \"(a)\\\\1\"\n"
		      "  output: o\n  priority: INFO\n  source: k8s_audit\n",
		      &d2);
	CHECK(diag_has_errors(&d2));
	if (d2.n) {
		diag_format(&d2.items[0], buf, sizeof(buf));
		CHECK(strstr(buf, "t.yaml:3:") != NULL);
		CHECK(strstr(buf, "regex") != NULL);
	}
}

/* join(), concat() and getopt() are the syscall evaluator's: refused in audit rules, clearly. */
static void test_mvx_refused(void)
{
	_cleanup_(diag_list_clear) struct diag_list d = {};
	_cleanup_(ruleset_freep) struct ruleset *rs = NULL;
	char buf[1024];

	rs = compile("- rule: r\n  desc: d\n"
		     "  condition: concat(ka.user.name, \"x\") = alicex\n"
		     "  output: o\n  priority: INFO\n  source: k8s_audit\n",
		     &d);
	CHECK(diag_has_errors(&d));
	if (d.n) {
		diag_format(&d.items[0], buf, sizeof(buf));
		CHECK(strstr(buf, "concat() is available in syscall rules only") != NULL);
	}
}

static void test_config(void)
{
	static const char yaml[] = "engine:\n  kind: nodriver\n"
				   "plugins:\n"
				   "  - name: k8saudit\n    library_path: libk8saudit.so\n"
				   "    init_config:\n      maxEventSize: 262144\n"
				   "    open_params: \"http://:9765/k8s-audit\"\n"
				   "  - name: json\n    library_path: libjson.so\n"
				   "    init_config: \"\"\n"
				   "load_plugins: [k8saudit, json]\n";
	_cleanup_(diag_list_clear) struct diag_list d = {};
	struct osprey_config c;
	const struct config_plugin *p;

	osprey_config_init(&c);
	CHECK_INT_EQ(osprey_config_load_buffer(&c, "c.yaml", yaml, strlen(yaml), &d), 0);
	if (diag_has_errors(&d))
		diag_list_print(&d, stderr);
	CHECK_INT_EQ(c.engine.kind, ENGINE_NODRIVER);
	CHECK_INT_EQ(c.n_plugins, 2);
	CHECK_INT_EQ(c.n_load_plugins, 2);
	p = config_plugin_loaded(&c, "k8saudit");
	CHECK(p != NULL);
	if (p)
		CHECK_STR_EQ(p->open_params, "http://:9765/k8s-audit");
	CHECK_INT_EQ(osprey_config_set_option(&c, "plugins[0].open_params=/var/log/audit.log", &d),
		     0);
	p = config_plugin_loaded(&c, "k8saudit");
	if (p)
		CHECK_STR_EQ(p->open_params, "/var/log/audit.log");
	CHECK_INT_EQ(osprey_config_set_option(&c, "plugins[5].open_params=x", &d), -EINVAL);
	CHECK_INT_EQ(osprey_config_set_option(&c, "plugins[0].bogus=x", &d), -EINVAL);
	CHECK_INT_EQ(osprey_config_set_option(&c, "load_plugins=[json]", &d), 0);
	CHECK(config_plugin_loaded(&c, "k8saudit") == NULL);
	CHECK(config_plugin_loaded(&c, "json") != NULL);
	osprey_config_done(&c);

	/* -o plugins[N] is the generic list-of-mappings path: N = the length appends, [] appends,
	 * a whole entry merges its keys, at most CONFIG_PLUGINS_MAX entries */
	osprey_config_init(&c);
	CHECK_INT_EQ(osprey_config_set_option(&c, "plugins[0].open_params=/a.log", &d), 0);
	CHECK_INT_EQ(osprey_config_set_option(&c, "plugins[0].name=k8saudit", &d), 0);
	CHECK_INT_EQ(c.n_plugins, 1);
	CHECK_STR_EQ(c.plugins[0].open_params, "/a.log");
	CHECK_INT_EQ(osprey_config_set_option(&c, "plugins[]={name: json, library_path: j.so}", &d),
		     0);
	CHECK_INT_EQ(c.n_plugins, 2);
	CHECK_STR_EQ(c.plugins[1].library_path, "j.so");
	CHECK_INT_EQ(osprey_config_set_option(&c, "plugins[0]={library_path: k.so}", &d), 0);
	CHECK_STR_EQ(c.plugins[0].name, "k8saudit");
	CHECK_STR_EQ(c.plugins[0].library_path, "k.so");
	CHECK_INT_EQ(osprey_config_set_option(&c, "plugins[0].init_config.maxEventSize=1", &d), 0);
	CHECK_INT_EQ(osprey_config_set_option(&c, "plugins[].name=x", &d), 0);
	CHECK_INT_EQ(c.n_plugins, 3);
	while (c.n_plugins < CONFIG_PLUGINS_MAX)
		CHECK_INT_EQ(osprey_config_set_option(&c, "plugins[].name=y", &d), 0);
	CHECK_INT_EQ(osprey_config_set_option(&c, "plugins[].name=z", &d), -EINVAL);
	CHECK_INT_EQ(c.n_plugins, CONFIG_PLUGINS_MAX);
	CHECK(config_plugin_loaded(&c, "k8saudit") != NULL);
	osprey_config_done(&c);
}

int main(void)
{
	CHECK_INT_EQ(k8saudit_register(), 0);
	CHECK_INT_EQ(k8saudit_register(), 0);
	test_parse();
	test_fields();
	test_rules();
	test_sources();
	test_regex();
	test_mvx_refused();
	test_config();
	return test_finish("test-k8saudit");
}
