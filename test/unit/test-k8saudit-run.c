// SPDX-License-Identifier: Apache-2.0
/*
 * The k8s_audit file source end to end (k8saudit_run.h), with a real rules file, the real
 * outputs (a file sink) and the real main loop: an audit log with good events, malformed lines,
 * an over-long line and a 10,000-item EventList is replayed to its end; then a followed file gets
 * a line appended while the loop runs, is rotated, then truncated, and every line is read once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "k8saudit.h"
#include "k8saudit_run.h"
#include "loop.h"
#include "osprey_config.h"
#include "outputs.h"
#include "test.h"

static const char rules[] = "- rule: exec into pod\n"
			    "  desc: d\n"
			    "  condition: ka.verb = create and ka.target.subresource = exec\n"
			    "  output: exec by %ka.user.name into %ka.target.name\n"
			    "  priority: NOTICE\n"
			    "  source: k8s_audit\n"
			    "- rule: any get\n"
			    "  desc: d\n"
			    "  condition: ka.verb = get\n"
			    "  output: get %ka.uri\n"
			    "  priority: INFO\n"
			    "  source: k8s_audit\n";

#define EXEC_EVENT                                                                                 \
	"{\"kind\":\"Event\",\"verb\":\"create\",\"user\":{\"username\":\"eve\"},"                 \
	"\"objectRef\":{\"resource\":\"pods\",\"name\":\"p1\",\"subresource\":\"exec\"},"          \
	"\"stageTimestamp\":\"2023-01-02T03:04:05.5Z\"}"

static char dir[] = "/tmp/test-k8saudit-run.XXXXXX";

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -errno;
}

static size_t count_in_file(const char *path, const char *needle)
{
	char buf[1 << 16];
	FILE *f = fopen(path, "re");
	size_t n = 0;

	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f))
		n += strstr(buf, needle) != NULL;
	fclose(f);
	return n;
}

static void config(struct osprey_config *c, const char *alerts)
{
	char opt[512];
	_cleanup_(diag_list_clear) struct diag_list d = {};

	osprey_config_init(c);
	osprey_config_set_option(c, "stdout_output.enabled=false", &d);
	osprey_config_set_option(c, "syslog_output.enabled=false", &d);
	osprey_config_set_option(c, "file_output.enabled=true", &d);
	osprey_config_set_option(c, "json_output=true", &d);
	osprey_config_set_option(c, "rule_matching=all", &d);
	snprintf(opt, sizeof(opt), "file_output.filename=%s", alerts);
	osprey_config_set_option(c, opt, &d);
	CHECK(!diag_has_errors(&d));
	c->out.wait_when_full = true;
}

static void test_replay(const struct ruleset *rs)
{
	char log[256], alerts[256];
	struct osprey_config c;
	struct k8saudit_run_stats st = {};
	struct k8saudit_run_opts o = {.path = log};
	FILE *f;

	snprintf(log, sizeof(log), "%s/audit.log", dir);
	snprintf(alerts, sizeof(alerts), "%s/alerts.json", dir);
	f = fopen(log, "we");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(EXEC_EVENT "\n", f);
	fputs("{\"kind\":\"Event\",\n", f);			    /* malformed */
	fputs("\n", f);						    /* blank: skipped silently */
	fputs("{\"kind\":\"Deployment\"}\n", f);		    /* not an audit event */
	for (size_t i = 0; i < K8SAUDIT_PAYLOAD_MAX + 100; i += 64) /* an over-long line */
		fputs("{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{", f);
	fputs("\n", f);
	fputs("{\"kind\":\"EventList\",\"items\":[", f); /* 10,000 gets */
	for (int i = 0; i < 10000; i++)
		fprintf(f,
			"%s{\"kind\":\"Event\",\"verb\":\"get\",\"requestURI\":\"/api/%d\","
			"\"stageTimestamp\":\"2023-01-02T03:04:06Z\"}",
			i ? "," : "", i);
	fputs("]}\n", f);
	fputs(EXEC_EVENT, f); /* a last line without '\n' */
	fclose(f);

	config(&c, alerts);
	CHECK_INT_EQ(k8saudit_run(&c, rs, &o, &st), 0);
	CHECK_INT_EQ(st.lines, 7);
	CHECK_INT_EQ(st.bad_lines, 3);
	CHECK_INT_EQ(st.events, 10002);
	CHECK_INT_EQ(st.matches, 10002);
	CHECK_INT_EQ(st.alerts_pushed, 10002);
	CHECK_INT_EQ(count_in_file(alerts, "\"source\":\"k8s_audit\""), 10002);
	CHECK_INT_EQ(count_in_file(alerts, "exec by eve into p1"), 2);
	CHECK_INT_EQ(count_in_file(alerts, "get /api/9999"), 1);
	osprey_config_done(&c);

	/* a missing file: a clear error, nothing runs */
	o.path = "/nonexistent/audit.log";
	config(&c, alerts);
	CHECK_INT_EQ(k8saudit_run(&c, rs, &o, NULL), -ENOENT);
	osprey_config_done(&c);
}

struct follow_ctx {
	const char *path;
	struct loop *loop;
	struct k8saudit_file *kf;
	unsigned step;
};

/* appended in two writes: the reader must wait for the end of the line */
static void append_line(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

	if (fd >= 0) {
		(void)!write(fd, EXEC_EVENT, 40);
		(void)!write(fd, EXEC_EVENT "\n" + 40, strlen(EXEC_EVENT "\n") - 40);
		close(fd);
	}
}

/*
 * Every 50 ms: once the reader has caught up, change the log the next way: append a line,
 * rotate it as logrotate does (rename, a new file with two lines), truncate it as copytruncate
 * does (emptied, one line written), then stop. Event-driven, so a slow machine only slows it.
 */
static int step(struct loop_source *s, uint64_t now, void *userdata)
{
	static const uint64_t want[] = {1, 2, 4, 5};
	struct follow_ctx *fc = userdata;
	struct k8saudit_run_stats st;
	char old[300];

	(void)s;
	(void)now;
	k8saudit_file_get_stats(fc->kf, &st);
	if (fc->step >= ARRAY_SIZE(want) || st.events < want[fc->step])
		return 0;
	switch (fc->step++) {
	case 0:
		append_line(fc->path);
		break;
	case 1:
		snprintf(old, sizeof(old), "%s.1", fc->path);
		if (rename(fc->path, old) == 0)
			write_file(fc->path, EXEC_EVENT "\n" EXEC_EVENT "\n");
		break;
	case 2:
		write_file(fc->path, EXEC_EVENT "\n");
		break;
	default:
		loop_exit(fc->loop, 0);
		break;
	}
	return 0;
}

static int stop(struct loop_source *s, uint64_t now, void *userdata)
{
	(void)s;
	(void)now;
	loop_exit(userdata, 0);
	return 0;
}

static void test_follow(const struct ruleset *rs)
{
	char log[256], alerts[256];
	struct osprey_config c;
	struct k8saudit_run_opts o = {.path = log, .follow = true};
	struct k8saudit_run_stats st;
	struct k8saudit_file *kf = NULL;
	struct outputs *out = NULL;
	struct loop *l = NULL;
	struct follow_ctx fc = {.path = log};

	snprintf(log, sizeof(log), "%s/follow.log", dir);
	snprintf(alerts, sizeof(alerts), "%s/follow.json", dir);
	CHECK_INT_EQ(write_file(log, EXEC_EVENT "\n"), 0);
	config(&c, alerts);
	CHECK_INT_EQ(outputs_new(&c.out, &out), 0);
	CHECK_INT_EQ(loop_new(&l), 0);
	if (!out || !l)
		return;
	fc.loop = l;
	CHECK_INT_EQ(k8saudit_file_new(&c, rs, &o, out, l, &kf), 0);
	fc.kf = kf;
	CHECK_INT_EQ(loop_add_timer(l, 50000, 50000, step, &fc, NULL), 0);
	CHECK_INT_EQ(loop_add_timer(l, 30000000, 0, stop, l, NULL), 0); /* a bound, not a pace */
	CHECK_INT_EQ(loop_run(l), 0);
	CHECK_INT_EQ(fc.step, 4);
	k8saudit_file_get_stats(kf, &st);
	CHECK_INT_EQ(st.events, 5);
	CHECK_INT_EQ(st.bad_lines, 0);
	loop_free(l);
	k8saudit_file_free(kf);
	outputs_free(out);
	CHECK_INT_EQ(count_in_file(alerts, "exec by eve into p1"), 5);
	osprey_config_done(&c);
}

int main(void)
{
	_cleanup_(diag_list_clear) struct diag_list d = {};
	_cleanup_(ruleset_freep) struct ruleset *rs = NULL;
	char cmd[512];

	if (!mkdtemp(dir))
		TEST_SKIP("cannot create a temporary directory");
	k8saudit_register();
	rs = ruleset_new();
	CHECK(rs != NULL);
	ruleset_load_buffer(rs, "r.yaml", rules, strlen(rules), &d);
	ruleset_compile(rs, &d);
	CHECK(!diag_has_errors(&d));
	test_replay(rs);
	test_follow(rs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
	return test_finish("test-k8saudit-run");
}
