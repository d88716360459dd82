// SPDX-License-Identifier: Apache-2.0
/*
 * osprey.yaml loader: defaults, every key, each error with its position, -o overrides, a
 * Falco-style falco.yaml, the cross-key checks and the rules selection.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "osprey_config.h"
#include "test.h"

/* Is there a diagnostic of severity sev at line:col whose text contains what? */
static bool has_diag(const struct diag_list *d, enum diag_severity sev, unsigned line, unsigned col,
		     const char *what)
{
	char buf[2048];

	for (size_t i = 0; i < d->n; i++) {
		if (d->items[i].severity != sev)
			continue;
		if (line && (d->items[i].line != line || d->items[i].col != col))
			continue;
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

static int load(struct osprey_config *c, const char *text, struct diag_list *d)
{
	return osprey_config_load_buffer(c, "t.yaml", text, strlen(text), d);
}

static void test_defaults(void)
{
	struct osprey_config c;

	osprey_config_init(&c);
	CHECK_INT_EQ(c.n_rules_files, 0);
	CHECK(!c.out.json_output);
	CHECK(c.out.json_include_output_property);
	CHECK(c.out.json_include_tags_property);
	CHECK_INT_EQ(c.priority, PRIORITY_DEBUG);
	CHECK_INT_EQ(c.rule_matching, RULE_MATCHING_FIRST);
	CHECK(!c.buffered_outputs);
	CHECK_INT_EQ(c.out.outputs.rate, 0);
	CHECK_INT_EQ(c.out.outputs.max_burst, 1000);
	CHECK(c.out.stdout_output.enabled);
	CHECK(!c.out.file_output.enabled);
	CHECK(c.out.syslog_output.enabled); /* Falco's default */
	CHECK(!c.out.program_output.enabled);
	CHECK(!c.out.http_output.enabled);
	CHECK(c.out.http_output.user_agent &&
	      strncmp(c.out.http_output.user_agent, "osprey/", 7) == 0);
	CHECK(c.out.http_output.keep_alive);
	CHECK(c.out.json_include_output_fields_property);
	CHECK(!c.out.json_include_message_property);
	CHECK_INT_EQ(c.out.outputs_queue.capacity, OUTPUTS_QUEUE_CAPACITY_DEFAULT);
	CHECK_INT_EQ(c.engine.kind, ENGINE_MODERN_EBPF);
	CHECK_INT_EQ(c.engine.modern_ebpf.buf_size_preset, 4);
	CHECK_INT_EQ(c.engine.modern_ebpf.cpus_for_each_buffer, 1);
	CHECK_INT_EQ(c.engine.kmod.buf_size_preset, 4);
	CHECK(c.engine.replay.capture_file == NULL);
	CHECK_INT_EQ(c.log_level, LOG_INFO);
	CHECK(c.log_stderr);
	CHECK(!c.log_syslog);
	CHECK_INT_EQ(c.n_rules, 0);
	CHECK(c.host_root == NULL);
	CHECK_INT_EQ(c.snaplen, 0);
	osprey_config_done(&c);
}

static const char every_key[] = "rules_files:\n"
				"  - /etc/osprey/a.yaml\n"
				"  - /etc/osprey/rules.d\n"
				"json_output: true\n"
				"json_include_output_property: false\n"
				"json_include_tags_property: no\n"
				"json_include_message_property: true\n"
				"json_include_output_fields_property: false\n"
				"time_format_iso_8601: true\n"
				"priority: warning\n"
				"rule_matching: all\n"
				"buffered_outputs: true\n"
				"outputs:\n"
				"  rate: 0.5\n"
				"  max_burst: 50\n"
				"outputs_queue:\n"
				"  capacity: 64\n"
				"  bytes: 65536\n"
				"stdout_output:\n"
				"  enabled: false\n"
				"file_output:\n"
				"  enabled: true\n"
				"  keep_alive: true\n"
				"  filename: /var/log/osprey.txt\n"
				"syslog_output:\n"
				"  enabled: true\n"
				"program_output:\n"
				"  enabled: true\n"
				"  keep_alive: true\n"
				"  program: \"jq '{text: .output}'\"\n"
				"  timeout_ms: 300\n"
				"http_output:\n"
				"  enabled: true\n"
				"  url: https://collector:2801/\n"
				"  user_agent: me/1\n"
				"  insecure: true\n"
				"  ca_cert: /ca.pem\n"
				"  ca_bundle: /bundle.pem\n"
				"  ca_path: /cas\n"
				"  mtls: true\n"
				"  client_cert: /c.crt\n"
				"  client_key: /c.key\n"
				"  echo: true\n"
				"  compress_uploads: true\n"
				"  keep_alive: false\n"
				"  connect_timeout_ms: 100\n"
				"  timeout_ms: 200\n"
				"  max_retries: 3\n"
				"engine:\n"
				"  kind: kmod\n"
				"  modern_ebpf:\n"
				"    buf_size_preset: 6\n"
				"    cpus_for_each_buffer: 0\n"
				"  kmod:\n"
				"    buf_size_preset: 2\n"
				"  replay:\n"
				"    capture_file: /tmp/x.cap\n"
				"log_level: debug\n"
				"log_stderr: false\n"
				"log_syslog: true\n"
				"rules:\n"
				"  - disable:\n"
				"      tag: network\n"
				"  - enable:\n"
				"      rule: Terminal shell*\n"
				"host_root: /host\n"
				"snaplen: 4096\n";

static void test_every_key(void)
{
	_cleanup_(diag_list_clear) struct diag_list d = {};
	struct osprey_config c;

	osprey_config_init(&c);
	CHECK_INT_EQ(load(&c, every_key, &d), 0);
	CHECK_INT_EQ(d.n, 0);
	CHECK_INT_EQ(c.n_rules_files, 2);
	CHECK_STR_EQ(c.rules_files[0], "/etc/osprey/a.yaml");
	CHECK_STR_EQ(c.rules_files[1], "/etc/osprey/rules.d");
	CHECK(c.out.json_output);
	CHECK(!c.out.json_include_output_property);
	CHECK(!c.out.json_include_tags_property);
	CHECK(c.out.json_include_message_property);
	CHECK(!c.out.json_include_output_fields_property);
	CHECK(c.out.time_format_iso_8601);
	CHECK_INT_EQ(c.priority, PRIORITY_WARNING);
	CHECK_INT_EQ(c.rule_matching, RULE_MATCHING_ALL);
	CHECK(c.buffered_outputs);
	CHECK(c.out.outputs.rate == 0.5);
	CHECK_INT_EQ(c.out.outputs_queue.capacity, 64);
	CHECK_INT_EQ(c.out.outputs_queue.bytes, 65536);
	CHECK_INT_EQ(c.out.program_output.timeout_ms, 300);
	CHECK(c.out.http_output.echo);
	CHECK_INT_EQ(c.out.http_output.connect_timeout_ms, 100);
	CHECK_INT_EQ(c.out.http_output.timeout_ms, 200);
	CHECK_INT_EQ(c.out.http_output.max_retries, 3);
	CHECK_INT_EQ(c.out.outputs.max_burst, 50);
	CHECK(!c.out.stdout_output.enabled);
	CHECK(c.out.file_output.enabled);
	CHECK(c.out.file_output.keep_alive);
	CHECK_STR_EQ(c.out.file_output.filename, "/var/log/osprey.txt");
	CHECK(c.out.syslog_output.enabled);
	CHECK(c.out.program_output.enabled);
	CHECK(c.out.program_output.keep_alive);
	CHECK_STR_EQ(c.out.program_output.program, "jq '{text: .output}'");
	CHECK(c.out.http_output.enabled);
	CHECK_STR_EQ(c.out.http_output.url, "https://collector:2801/");
	CHECK_STR_EQ(c.out.http_output.user_agent, "me/1");
	CHECK(c.out.http_output.insecure);
	CHECK_STR_EQ(c.out.http_output.ca_cert, "/ca.pem");
	CHECK_STR_EQ(c.out.http_output.ca_bundle, "/bundle.pem");
	CHECK_STR_EQ(c.out.http_output.ca_path, "/cas");
	CHECK(c.out.http_output.mtls);
	CHECK_STR_EQ(c.out.http_output.client_cert, "/c.crt");
	CHECK_STR_EQ(c.out.http_output.client_key, "/c.key");
	CHECK(c.out.http_output.compress_uploads);
	CHECK(!c.out.http_output.keep_alive);
	CHECK_INT_EQ(c.engine.kind, ENGINE_KMOD);
	CHECK_INT_EQ(c.engine.modern_ebpf.buf_size_preset, 6);
	CHECK_INT_EQ(c.engine.modern_ebpf.cpus_for_each_buffer, 0);
	CHECK_INT_EQ(c.engine.kmod.buf_size_preset, 2);
	CHECK_STR_EQ(c.engine.replay.capture_file, "/tmp/x.cap");
	CHECK_INT_EQ(c.log_level, LOG_DEBUG);
	CHECK(!c.log_stderr);
	CHECK(c.log_syslog);
	CHECK_INT_EQ(c.n_rules, 2);
	if (c.n_rules == 2) {
		CHECK(!c.rules[0].enable);
		CHECK(c.rules[0].by_tag);
		CHECK_STR_EQ(c.rules[0].name, "network");
		CHECK(c.rules[1].enable);
		CHECK(!c.rules[1].by_tag);
		CHECK_STR_EQ(c.rules[1].name, "Terminal shell*");
	}
	CHECK_STR_EQ(c.host_root, "/host");
	CHECK_INT_EQ(c.snaplen, 4096);
	CHECK_INT_EQ(osprey_config_check(&c, &d), 0);

	/* A second file replaces only what it sets; the older rules_file is the same list. */
	CHECK_INT_EQ(load(&c, "rules_file: /only.yaml\nengine:\n  kind: replay\n", &d), 0);
	CHECK_INT_EQ(c.n_rules_files, 1);
	CHECK_STR_EQ(c.rules_files[0], "/only.yaml");
	CHECK_INT_EQ(c.engine.kind, ENGINE_REPLAY);
	CHECK_INT_EQ(c.engine.kmod.buf_size_preset, 2);
	CHECK(c.out.json_output);
	osprey_config_done(&c);
}

struct err_case {
	const char *text;
	unsigned line, col;
	const char *what;
};

static void test_errors(void)
{
	static const struct err_case cases[] = {
		{"json_output: true\njsn_output: true\n", 2, 1,
		 "unknown key 'jsn_output' (hint: did you mean 'json_output'?)"},
		{"engine:\n  kind: kmod\n  kmood:\n    buf_size_preset: 1\n", 3, 3,
		 "unknown key 'engine.kmood'"},
		{"json_output: maybe\n", 1, 14,
		 "invalid value for 'json_output': expected true or false, got 'maybe'"},
		{"engine:\n  modern_ebpf:\n    buf_size_preset: 11\n", 3, 22,
		 "'engine.modern_ebpf.buf_size_preset': expected a whole number from 0 to 10"},
		{"outputs:\n  rate: -1\n", 2, 9,
		 "'outputs.rate': expected a number >= 0, got '-1'"},
		{"outputs:\n  max_burst: 1.5\n", 2, 14,
		 "'outputs.max_burst': expected a whole number"},
		{"snaplen: 0\n", 1, 10, "'snaplen': expected a whole number from 1 to 8192"},
		{"stdout_output: true\n", 1, 16,
		 "'stdout_output': expected a mapping of keys, got 'true'"},
		{"file_output:\n  filename: [a, b]\n", 2, 13,
		 "'file_output.filename': expected a string, got a list"},
		{"engine:\n  kind: bpf\n", 2, 9,
		 "'engine.kind': expected one of modern_ebpf, kmod, replay, nodriver, got 'bpf'"},
		{"engine:\n  kind: gvisor\n", 2, 9, "Falco engine Osprey does not support"},
		{"rule_matching: some\n", 1, 16, "expected one of first, all, got 'some'"},
		{"priority: loud\n", 1, 11, "'priority': expected one of emergency"},
		{"log_level: chatty\n", 1, 12, "'log_level': expected one of emergency"},
		{"rules_files:\n  - /a\n  - {x: 1}\n", 3, 5,
		 "invalid entry in 'rules_files': expected a string, got a mapping"},
		{"rules:\n  - drop:\n      rule: x\n", 2, 5,
		 "unknown key 'rules[].drop': expected enable or disable"},
		{"rules:\n  - disable:\n      name: x\n", 3, 7,
		 "unknown key 'rules[].disable.name': expected rule or tag"},
		{"rules: {disable: x}\n", 1, 8, "invalid value for 'rules'"},
		{"json_output: true\njson_output: false\n", 2, 1,
		 "key 'json_output' given twice (first on line 1)"},
		{"json_output: [true\n", 2, 1, "bad YAML"},
		{"- a\n- b\n", 1, 1, "the configuration must be a mapping of keys"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_(diag_list_clear) struct diag_list d = {};
		struct osprey_config c;

		osprey_config_init(&c);
		CHECK_INT_EQ(load(&c, cases[i].text, &d), -EINVAL);
		CHECK_INT_EQ(d.n_errors, 1);
		if (!has_diag(&d, DIAG_ERROR, cases[i].line, cases[i].col, cases[i].what))
			fprintf(stderr, "  case %zu: want %u:%u %s\n", i, cases[i].line,
				cases[i].col, cases[i].what);
		CHECK(has_diag(&d, DIAG_ERROR, cases[i].line, cases[i].col, cases[i].what));
		osprey_config_done(&c);
	}
}

static void test_files(void)
{
	_cleanup_(diag_list_clear) struct diag_list d = {};
	char path[] = "/tmp/test-config-XXXXXX";
	struct osprey_config c;
	int fd;

	osprey_config_init(&c);
	CHECK_INT_EQ(osprey_config_load_file(&c, "/nonexistent/osprey.yaml", &d), -EINVAL);
	CHECK(has_diag(&d, DIAG_ERROR, 0, 0,
		       "/nonexistent/osprey.yaml: error: cannot open the configuration file: No "
		       "such file"));
	diag_list_clear(&d);
	CHECK_INT_EQ(osprey_config_load_file(&c, "/tmp", &d), -EINVAL);
	CHECK(has_diag(&d, DIAG_ERROR, 0, 0, "/tmp: error: not a regular file"));
	diag_list_clear(&d);

	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd >= 0) {
		static const char text[] = "json_output: true\n\nengine:\n  kind: nope\n";

		CHECK_INT_EQ(write(fd, text, strlen(text)), (long)strlen(text));
		close(fd);
		CHECK_INT_EQ(osprey_config_load_file(&c, path, &d), -EINVAL);
		char want[128];

		snprintf(want, sizeof(want), "%s:4:9: error: invalid value for 'engine.kind'",
			 path);
		CHECK(has_diag(&d, DIAG_ERROR, 4, 9, want));
		CHECK(c.out.json_output);
		unlink(path);
	}
	osprey_config_done(&c);
}

static void test_options(void)
{
	_cleanup_(diag_list_clear) struct diag_list d = {};
	struct osprey_config c;

	osprey_config_init(&c);
	CHECK_INT_EQ(osprey_config_set_option(&c, "json_output=true", &d), 0);
	CHECK(c.out.json_output);
	CHECK_INT_EQ(osprey_config_set_option(&c, "engine.kind=kmod", &d), 0);
	CHECK_INT_EQ(c.engine.kind, ENGINE_KMOD);
	CHECK_INT_EQ(osprey_config_set_option(&c, "engine.modern_ebpf.buf_size_preset=7", &d), 0);
	CHECK_INT_EQ(c.engine.modern_ebpf.buf_size_preset, 7);
	CHECK_INT_EQ(osprey_config_set_option(&c, "file_output.filename=/x", &d), 0);
	CHECK_STR_EQ(c.out.file_output.filename, "/x");
	/* scalars take the text as it is, YAML-special characters included */
	CHECK_INT_EQ(osprey_config_set_option(&c, "program_output.program=jq '{a: .b}' | x", &d),
		     0);
	CHECK_STR_EQ(c.out.program_output.program, "jq '{a: .b}' | x");
	CHECK_INT_EQ(osprey_config_set_option(&c, "priority=notice", &d), 0);
	CHECK_INT_EQ(c.priority, PRIORITY_NOTICE);

	/* lists: [N] sets, N == length or [] appends, a YAML list replaces, a scalar is one entry
	 */
	CHECK_INT_EQ(osprey_config_set_option(&c, "rules_files[0]=/a", &d), 0);
	CHECK_INT_EQ(osprey_config_set_option(&c, "rules_files[1]=/b", &d), 0);
	CHECK_INT_EQ(osprey_config_set_option(&c, "rules_files[]=/c", &d), 0);
	CHECK_INT_EQ(osprey_config_set_option(&c, "rules_files[0]=/A", &d), 0);
	CHECK_INT_EQ(c.n_rules_files, 3);
	CHECK_STR_EQ(c.rules_files[0], "/A");
	CHECK_STR_EQ(c.rules_files[1], "/b");
	CHECK_STR_EQ(c.rules_files[2], "/c");
	CHECK_INT_EQ(osprey_config_set_option(&c, "rules_files=[/x, /y]", &d), 0);
	CHECK_INT_EQ(c.n_rules_files, 2);
	CHECK_STR_EQ(c.rules_files[1], "/y");
	CHECK_INT_EQ(osprey_config_set_option(&c, "rules_files=/z", &d), 0);
	CHECK_INT_EQ(c.n_rules_files, 1);
	CHECK_STR_EQ(c.rules_files[0], "/z");
	CHECK_INT_EQ(osprey_config_set_option(&c, "rules_files=", &d), 0);
	CHECK_INT_EQ(c.n_rules_files, 0);
	CHECK_INT_EQ(osprey_config_set_option(&c, "rules_files[]=/z", &d), 0);
	CHECK_INT_EQ(c.n_rules_files, 1);

	/* sections and rules entries are YAML */
	CHECK_INT_EQ(osprey_config_set_option(&c, "outputs={rate: 3, max_burst: 9}", &d), 0);
	CHECK_INT_EQ(c.out.outputs.rate, 3);
	CHECK_INT_EQ(c.out.outputs.max_burst, 9);
	CHECK_INT_EQ(osprey_config_set_option(&c, "rules=[{disable: {tag: network}}]", &d), 0);
	CHECK_INT_EQ(osprey_config_set_option(&c, "rules[]={enable: {rule: A b}}", &d), 0);
	CHECK_INT_EQ(c.n_rules, 2);
	if (c.n_rules == 2) {
		CHECK(c.rules[0].by_tag && !c.rules[0].enable);
		CHECK_STR_EQ(c.rules[1].name, "A b");
		CHECK(c.rules[1].enable && !c.rules[1].by_tag);
	}
	CHECK_INT_EQ(d.n, 0);

	/* a Falco setting Osprey does not support: warned, ignored */
	CHECK_INT_EQ(osprey_config_set_option(&c, "grpc.enabled=true", &d), 0);
	CHECK(has_diag(&d, DIAG_WARNING, 0, 0,
		       "grpc.enabled=true: 'grpc' is a Falco setting Osprey does not support yet"));
	CHECK_INT_EQ(d.n_errors, 0);

	static const struct {
		const char *opt, *what;
	} bad[] = {
		{"json_output", "-o: error: json_output: expected key=value"},
		{"=true", "expected key=value"},
		{"json_outpt=true", "unknown key 'json_outpt' (hint: did you mean 'json_output'?)"},
		{"engine.kind=nope", "invalid value for 'engine.kind'"},
		{"outputs.rate=fast", "'outputs.rate': expected a number >= 0"},
		{"rules_files[5]=/q", "index 5 out of range: 'rules_files' has 1 entries"},
		{"json_output[0]=true", "'json_output' is not a list"},
		{"rules_files[x]=/a", "bad key 'rules_files[x]'"},
		{"engine[0].kind=kmod", "'engine' has no entries with keys"},
		{"rules[]={drop: {rule: x}}", "unknown key 'rules[].drop'"},
		{"outputs={rate: [1}", "bad YAML value"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		diag_list_clear(&d);
		CHECK_INT_EQ(osprey_config_set_option(&c, bad[i].opt, &d), -EINVAL);
		if (!has_diag(&d, DIAG_ERROR, 0, 0, bad[i].what))
			fprintf(stderr, "  option case %zu (%s)\n", i, bad[i].opt);
		CHECK(has_diag(&d, DIAG_ERROR, 0, 0, bad[i].what));
	}
	osprey_config_done(&c);
}

/* The shape of Falco's stock falco.yaml: its supported keys load, the rest warns. */
static const char falco_style[] = "config_files:\n"
				  "  - /etc/falco/config.d\n"
				  "watch_config_files: true\n"
				  "rules_files:\n"
				  "  - /etc/falco/falco_rules.yaml\n"
				  "  - /etc/falco/falco_rules.local.yaml\n"
				  "  - /etc/falco/rules.d\n"
				  "rule_matching: first\n"
				  "outputs_queue:\n"
				  "  capacity: 0\n"
				  "engine:\n"
				  "  kind: modern_ebpf\n"
				  "  kmod:\n"
				  "    buf_size_preset: 4\n"
				  "    drop_failed_exit: false\n"
				  "  ebpf:\n"
				  "    probe: ${HOME}/.falco/falco-bpf.o\n"
				  "    buf_size_preset: 4\n"
				  "    drop_failed_exit: false\n"
				  "  modern_ebpf:\n"
				  "    cpus_for_each_buffer: 2\n"
				  "    buf_size_preset: 4\n"
				  "    drop_failed_exit: false\n"
				  "  replay:\n"
				  "    capture_file: \"\"\n"
				  "  gvisor:\n"
				  "    config: \"\"\n"
				  "    root: \"\"\n"
				  "load_plugins: []\n"
				  "plugins:\n"
				  "  - name: k8saudit\n"
				  "    library_path: libk8saudit.so\n"
				  "    init_config: \"\"\n"
				  "    open_params: \"http://:9765/k8s-audit\"\n"
				  "time_format_iso_8601: false\n"
				  "priority: debug\n"
				  "json_output: false\n"
				  "json_include_output_property: true\n"
				  "json_include_tags_property: true\n"
				  "buffered_outputs: false\n"
				  "outputs:\n"
				  "  rate: 0\n"
				  "  max_burst: 1000\n"
				  "stdout_output:\n"
				  "  enabled: true\n"
				  "syslog_output:\n"
				  "  enabled: true\n"
				  "file_output:\n"
				  "  enabled: false\n"
				  "  keep_alive: false\n"
				  "  filename: ./events.txt\n"
				  "http_output:\n"
				  "  enabled: false\n"
				  "  url: \"\"\n"
				  "  user_agent: \"falcosecurity/falco\"\n"
				  "  insecure: false\n"
				  "  ca_cert: \"\"\n"
				  "  ca_bundle: \"\"\n"
				  "  ca_path: \"/etc/falco/certs/\"\n"
				  "  mtls: false\n"
				  "  client_cert: \"/etc/falco/certs/client/client.crt\"\n"
				  "  client_key: \"/etc/falco/certs/client/client.key\"\n"
				  "  echo: false\n"
				  "  compress_uploads: false\n"
				  "  keep_alive: false\n"
				  "program_output:\n"
				  "  enabled: false\n"
				  "  keep_alive: false\n"
				  "  program: \"jq '{text: .output}' | curl -d @- -X POST "
				  "https://hooks.slack.com/services/XXX\"\n"
				  "grpc_output:\n"
				  "  enabled: false\n"
				  "grpc:\n"
				  "  enabled: false\n"
				  "  bind_address: \"unix:///run/falco/falco.sock\"\n"
				  "  threadiness: 0\n"
				  "webserver:\n"
				  "  enabled: true\n"
				  "  listen_port: 8765\n"
				  "log_stderr: true\n"
				  "log_syslog: true\n"
				  "log_level: info\n"
				  "libs_logger:\n"
				  "  enabled: false\n"
				  "  severity: debug\n"
				  "output_timeout: 2000\n"
				  "syscall_event_timeouts:\n"
				  "  max_consecutives: 1000\n"
				  "syscall_event_drops:\n"
				  "  threshold: .1\n"
				  "  actions:\n"
				  "    - log\n"
				  "    - alert\n"
				  "  rate: .03333\n"
				  "  max_burst: 1\n"
				  "metrics:\n"
				  "  enabled: false\n"
				  "  interval: 1h\n"
				  "base_syscalls:\n"
				  "  custom_set: []\n"
				  "  repair: false\n"
				  "falco_libs:\n"
				  "  thread_table_size: 262144\n";

static void test_falco_style(void)
{
	_cleanup_(diag_list_clear) struct diag_list d = {};
	struct osprey_config c;

	osprey_config_init(&c);
	CHECK_INT_EQ(load(&c, falco_style, &d), 0);
	CHECK_INT_EQ(d.n_errors, 0);
	CHECK_INT_EQ(c.n_config_files, 1);
	CHECK_STR_EQ(c.config_files[0].path, "/etc/falco/config.d");
	CHECK(c.watch_config_files);
	CHECK(has_diag(&d, DIAG_WARNING, 15, 5, "'engine.kmod.drop_failed_exit'"));
	CHECK(has_diag(&d, DIAG_WARNING, 16, 3, "'engine.ebpf'"));
	CHECK(has_diag(&d, DIAG_WARNING, 26, 3, "'engine.gvisor'"));
	/* plugins: and load_plugins: are read (the k8s_audit source), not warned about */
	CHECK(!has_diag(&d, DIAG_WARNING, 30, 1, "'plugins'"));
	CHECK(has_diag(&d, DIAG_WARNING, 0, 0, "'grpc'"));
	CHECK(!has_diag(&d, DIAG_WARNING, 0, 0, "'webserver'"));
	CHECK(!has_diag(&d, DIAG_WARNING, 0, 0, "'metrics'"));
	CHECK(!has_diag(&d, DIAG_WARNING, 0, 0, "'syscall_event_drops'"));
	CHECK(has_diag(&d, DIAG_WARNING, 0, 0, "'falco_libs'"));
	/* 18 before plugins:, load_plugins:, webserver:, metrics: and syscall_event_drops: were read */
	CHECK_INT_EQ(d.n_warnings, 11); /* and config_files, watch_config_files */
	/* webserver, metrics and syscall_event_drops are Osprey's too now (ops/ops_config.h) */
	CHECK(c.ops.webserver.enabled);
	CHECK_INT_EQ(c.ops.webserver.listen_port, 8765);
	CHECK_INT_EQ(c.ops.syscall_event_drops.actions, OPS_DROP_LOG | OPS_DROP_ALERT);
	CHECK(c.ops.syscall_event_drops.threshold > 0.0999 && c.ops.syscall_event_drops.threshold < 0.1001);
	CHECK(c.ops.syscall_event_drops.rate > 0.0333 && c.ops.syscall_event_drops.rate < 0.0334);
	CHECK_INT_EQ(c.ops.syscall_event_drops.max_burst, 1);
	CHECK(!c.ops.metrics.enabled);
	CHECK_INT_EQ(c.ops.metrics.interval_ms, 3600000);
	CHECK_INT_EQ(c.n_rules_files, 3);
	CHECK_STR_EQ(c.rules_files[2], "/etc/falco/rules.d");
	CHECK_INT_EQ(c.engine.modern_ebpf.cpus_for_each_buffer, 2);
	CHECK(c.out.syslog_output.enabled);
	CHECK_STR_EQ(c.out.http_output.user_agent, "falcosecurity/falco");
	CHECK_STR_EQ(c.out.http_output.url, "");
	CHECK(c.engine.replay.capture_file && !c.engine.replay.capture_file[0]);
	CHECK_INT_EQ(osprey_config_check(&c, &d), 0);
	osprey_config_done(&c);
}

/* The operations keys: words, durations and their errors, through the file and -o alike. */
static void test_ops_keys(void)
{
	_cleanup_(diag_list_clear) struct diag_list d = {};
	struct osprey_config c;

	osprey_config_init(&c);
	CHECK_INT_EQ(osprey_config_set_option(&c, "syscall_event_drops.actions=[exit]", &d), 0);
	CHECK_INT_EQ(c.ops.syscall_event_drops.actions, OPS_DROP_EXIT);
	CHECK_INT_EQ(osprey_config_set_option(&c, "syscall_event_drops.actions=ignore", &d), 0);
	CHECK_INT_EQ(c.ops.syscall_event_drops.actions, OPS_DROP_IGNORE);
	CHECK_INT_EQ(osprey_config_set_option(&c, "watchdog.actions=[alert, healthz, exit]", &d),
		     0);
	CHECK_INT_EQ(c.ops.watchdog.actions,
		     OPS_WATCHDOG_ALERT | OPS_WATCHDOG_HEALTHZ | OPS_WATCHDOG_EXIT);
	CHECK_INT_EQ(osprey_config_set_option(&c, "metrics.interval=1m30s", &d), 0);
	CHECK_INT_EQ(c.ops.metrics.interval_ms, 90000);
	CHECK_INT_EQ(osprey_config_set_option(&c, "webserver.k8s_healthz_endpoint=/live", &d), 0);
	CHECK_STR_EQ(c.ops.webserver.k8s_healthz_endpoint, "/live");
	CHECK_INT_EQ(d.n_errors, 0);
	CHECK_INT_EQ(osprey_config_set_option(&c, "syscall_event_drops.actions=[log, shout]", &d),
		     -EINVAL);
	CHECK(has_diag(&d, DIAG_ERROR, 0, 0, "a list of ignore, log, alert, exit"));
	CHECK_INT_EQ(osprey_config_set_option(&c, "metrics.interval=50ms", &d), -EINVAL);
	CHECK_INT_EQ(osprey_config_set_option(&c, "webserver.listen_port=70000", &d), -EINVAL);
	CHECK_INT_EQ(load(&c, "watchdog:\n  timeout: soon\n", &d), -EINVAL);
	CHECK(has_diag(&d, DIAG_ERROR, 2, 12, "a duration such as 30s"));
	osprey_config_done(&c);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* config_files: a directory's files in name order, and Falco's three merge strategies. */
static void test_includes(void)
{
	_cleanup_(diag_list_clear) struct diag_list d = {};
	char dir[] = "/tmp/test-config-inc-XXXXXX", p[5][256], main_text[2048];
	struct osprey_config c;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(p[0], sizeof(p[0]), "%s/config.d", dir);
	CHECK_INT_EQ(mkdir(p[0], 0700), 0);
	snprintf(p[1], sizeof(p[1]), "%s/config.d/20-b.yml", dir);
	write_file(p[1], "rules:\n  - disable: {tag: network}\njson_output: false\n");
	snprintf(p[2], sizeof(p[2]), "%s/config.d/10-a.yaml", dir);
	write_file(p[2], "rules_files: [/r/a.yaml]\njson_output: true\nconfig_files: [/x]\n");
	snprintf(p[3], sizeof(p[3]), "%s/override.yaml", dir);
	write_file(p[3], "rules_files: [/r/o.yaml]\npriority: error\n");
	snprintf(p[4], sizeof(p[4]), "%s/add.yaml", dir);
	write_file(p[4], "priority: debug\nsnaplen: 100\nrules_files: [/r/add.yaml]\n");
	snprintf(main_text, sizeof(main_text),
		 "rules_files: [/r/main.yaml]\n"
		 "rules:\n  - enable: {rule: R}\n"
		 "priority: warning\n"
		 "config_files:\n"
		 "  - %s/config.d\n"
		 "  - %s/missing.d\n",
		 dir, dir);

	/* append: lists grow, the rest is replaced, in name order; no nested includes */
	osprey_config_init(&c);
	CHECK_INT_EQ(load(&c, main_text, &d), 0);
	CHECK_INT_EQ(c.n_config_files, 2);
	CHECK_INT_EQ(c.config_files[0].strategy, CONFIG_MERGE_APPEND);
	CHECK_INT_EQ(osprey_config_load_includes(&c, &d), 0);
	CHECK_INT_EQ(d.n_errors, 0);
	CHECK_INT_EQ(c.n_rules_files, 2);
	CHECK_STR_EQ(c.rules_files[0], "/r/main.yaml");
	CHECK_STR_EQ(c.rules_files[1], "/r/a.yaml");
	CHECK_INT_EQ(c.n_rules, 2);
	CHECK(!c.out.json_output); /* 20-b after 10-a */
	CHECK(has_diag(&d, DIAG_WARNING, 3, 15, "config_files in an included file is ignored"));
	CHECK(has_diag(&d, DIAG_WARNING, 0, 0, "missing.d: warning: config_files entry skipped"));
	CHECK_INT_EQ(c.n_config_files, 2);
	osprey_config_done(&c);
	diag_list_clear(&d);

	/* override then add-only */
	snprintf(main_text, sizeof(main_text),
		 "rules_files: [/r/main.yaml]\n"
		 "priority: warning\n"
		 "config_files:\n"
		 "  - {path: %s, strategy: override}\n"
		 "  - path: %s\n"
		 "    strategy: add-only\n",
		 p[3], p[4]);
	osprey_config_init(&c);
	CHECK_INT_EQ(load(&c, main_text, &d), 0);
	CHECK_INT_EQ(osprey_config_load_includes(&c, &d), 0);
	CHECK_INT_EQ(d.n_errors, 0);
	CHECK_INT_EQ(c.n_rules_files, 1);
	CHECK_STR_EQ(c.rules_files[0], "/r/o.yaml");
	CHECK_INT_EQ(c.priority, PRIORITY_ERROR); /* add-only does not replace it */
	CHECK_INT_EQ(c.snaplen, 100);		  /* nobody set it before */
	osprey_config_done(&c);
	diag_list_clear(&d);

	/* a bad strategy names itself */
	osprey_config_init(&c);
	CHECK_INT_EQ(load(&c, "config_files:\n  - {path: /a, strategy: merge}\n", &d), -EINVAL);
	CHECK(has_diag(&d, DIAG_ERROR, 2, 26,
		       "invalid strategy 'merge' in a config_files entry: expected append, "
		       "override or add-only"));
	osprey_config_done(&c);

	for (int i = 1; i < 5; i++)
		unlink(p[i]);
	rmdir(p[0]);
	rmdir(dir);
}

static void test_check(void)
{
	_cleanup_(diag_list_clear) struct diag_list d = {};
	struct osprey_config c;

	osprey_config_init(&c);
	CHECK_INT_EQ(osprey_config_set_option(&c, "file_output.enabled=true", &d), 0);
	CHECK_INT_EQ(osprey_config_set_option(&c, "http_output.enabled=true", &d), 0);
	CHECK_INT_EQ(osprey_config_set_option(&c, "http_output.url=ftp://x", &d), 0);
	CHECK_INT_EQ(osprey_config_set_option(&c, "program_output.enabled=on", &d), 0);
	CHECK_INT_EQ(osprey_config_set_option(&c, "engine.kind=replay", &d), 0);
	CHECK_INT_EQ(osprey_config_check(&c, &d), -EINVAL);
	CHECK_INT_EQ(d.n_errors, 4);
	CHECK(has_diag(&d, DIAG_ERROR, 0, 0,
		       "'file_output.filename' is required when "
		       "file_output is enabled"));
	CHECK(has_diag(&d, DIAG_ERROR, 0, 0, "'program_output.program' is required"));
	CHECK(has_diag(&d, DIAG_ERROR, 0, 0, "must start with http:// or https://"));
	CHECK(has_diag(&d, DIAG_ERROR, 0, 0, "engine.kind is replay but no capture file"));
	osprey_config_done(&c);

	CHECK_INT_EQ(config_buf_size_preset_bytes(0), 0);
	CHECK_INT_EQ(config_buf_size_preset_bytes(1), 1 << 20);
	CHECK_INT_EQ(config_buf_size_preset_bytes(4), 8 << 20);
	CHECK_INT_EQ(config_buf_size_preset_bytes(10), 512 << 20);
	CHECK_INT_EQ(config_buf_size_preset_bytes(11), 0);
	CHECK_STR_EQ(config_engine_kind_name(ENGINE_REPLAY), "replay");
	CHECK_STR_EQ(config_rule_matching_name(RULE_MATCHING_ALL), "all");
}

static void test_rules_select(void)
{
	static const char rules[] =
		"- rule: Terminal shell in container\n"
		"  desc: a\n  condition: evt.type = execve\n  output: a\n  priority: NOTICE\n"
		"  tags: [container, shell]\n"
		"- rule: Outbound connection\n"
		"  desc: b\n  condition: evt.type = connect\n  output: b\n  priority: WARNING\n"
		"  tags: [network]\n"
		"- rule: Disabled one\n"
		"  desc: c\n  condition: evt.type = openat\n  output: c\n  priority: CRITICAL\n"
		"  enabled: false\n"
		"- rule: Debug noise\n"
		"  desc: d\n  condition: evt.type = close\n  output: d\n  priority: DEBUG\n";
	_cleanup_(diag_list_clear) struct diag_list d = {};
	_cleanup_(ruleset_freep) struct ruleset *rs = ruleset_new();
	struct osprey_config c;

	CHECK(rs != NULL);
	if (!rs)
		return;
	CHECK_INT_EQ(ruleset_load_buffer(rs, "r.yaml", rules, strlen(rules), &d), 0);
	osprey_config_init(&c);
	CHECK_INT_EQ(osprey_config_set_option(&c, "rules[]={disable: {tag: network}}", &d), 0);
	CHECK_INT_EQ(osprey_config_set_option(&c, "rules[]={enable: {rule: Disabled*}}", &d), 0);
	CHECK_INT_EQ(osprey_config_set_option(&c, "priority=info", &d), 0);
	CHECK_INT_EQ(config_rules_select(&c, rs), 2);
	CHECK(ruleset_find_rule(rs, "Terminal shell in container")->enabled);
	CHECK(!ruleset_find_rule(rs, "Outbound connection")->enabled);
	CHECK(ruleset_find_rule(rs, "Disabled one")->enabled);
	CHECK(!ruleset_find_rule(rs, "Debug noise")->enabled);
	CHECK_INT_EQ(ruleset_compile(rs, &d), 0);
	osprey_config_done(&c);
}

int main(void)
{
	test_defaults();
	test_every_key();
	test_errors();
	test_files();
	test_options();
	test_falco_style();
	test_ops_keys();
	test_includes();
	test_check();
	test_rules_select();
	return test_finish("test-config");
}
