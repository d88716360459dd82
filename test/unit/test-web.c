// SPDX-License-Identifier: Apache-2.0
/*
 * The web server on loopback, with real sockets: handlers, 404/405/413, the connection cap, the
 * header cap, a slow client dropped by the timeout, several threads, the metrics rendering
 * checked line by line. TLS is tested with curl in test/ops/ops.sh.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ops/drops.h"
#include "ops/metrics.h"
#include "ops/ops_config.h"
#include "test.h"
#include "web/web_server.h"

static atomic_int hello_calls;

static void on_hello(const struct web_request *req, struct web_response *resp, void *userdata)
{
	atomic_fetch_add(&hello_calls, 1);
	web_response_printf(resp, "hello %s\n", (const char *)userdata);
}

static void on_echo(const struct web_request *req, struct web_response *resp, void *userdata)
{
	resp->status = 202;
	resp->content_type = "application/octet-stream";
	web_response_printf(resp, "got %zu bytes", req->body_len);
}

static void on_big(const struct web_request *req, struct web_response *resp, void *userdata)
{
	static char chunk[65536];

	memset(chunk, 'x', sizeof(chunk));
	while (web_response_append(resp, chunk, sizeof(chunk)) == 0)
		;
}

static int connect_to(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Reads until the peer closes or timeout_ms of silence; returns bytes read, -1 on error. */
static ssize_t read_all(int fd, char *buf, size_t size, int timeout_ms)
{
	size_t n = 0;

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t k;

		if (poll(&p, 1, timeout_ms) <= 0)
			break;
		k = read(fd, buf + n, size - 1 - n);
		if (k <= 0)
			break;
		n += (size_t)k;
		if (n + 1 >= size)
			break;
	}
	buf[n] = 0;
	return (ssize_t)n;
}

/* One request with "Connection: close"; the whole answer in buf. */
static ssize_t http(uint16_t port, const char *req, size_t req_len, char *buf, size_t size)
{
	int fd = connect_to(port);
	ssize_t n;

	if (fd < 0)
		return -1;
	if (write(fd, req, req_len) != (ssize_t)req_len) {
		close(fd);
		return -1;
	}
	n = read_all(fd, buf, size, 5000);
	close(fd);
	return n;
}

static ssize_t get(uint16_t port, const char *path, char *buf, size_t size)
{
	char req[512];
	int n = snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);

	return http(port, req, (size_t)n, buf, size);
}

static void test_server(uint32_t threads)
{
	struct web_server_opts o = {
		.listen_address = "127.0.0.1",
		.threads = threads,
		.max_connections = 4,
		.max_header_bytes = 2048,
		.timeout_sec = 1,
	};
	struct web_server *s = NULL;
	struct web_server_stats st;
	const char *why = NULL;
	static char buf[1 << 20];
	char req[8192];
	uint16_t port;
	int fds[8], n;

	hello_calls = 0;
	CHECK_INT_EQ(web_server_new(&o, &s, &why), 0);
	if (!s)
		return;
	CHECK_INT_EQ(
		web_server_add_handler(s, "/hello", WEB_METHOD_GET, 0, on_hello, (void *)"world"),
		0);
	CHECK_INT_EQ(web_server_add_handler(s, "/hello", WEB_METHOD_GET, 0, on_hello, (void *)"x"),
		     -EEXIST);
	CHECK_INT_EQ(web_server_add_handler(s, "nope", WEB_METHOD_GET, 0, on_hello, (void *)"x"),
		     -EINVAL);
	CHECK_INT_EQ(web_server_add_handler(s, "/echo", WEB_METHOD_POST, 100, on_echo, NULL), 0);
	CHECK_INT_EQ(web_server_add_handler(s, "/big", WEB_METHOD_GET, 0, on_big, NULL), 0);
	CHECK_INT_EQ(web_server_start(s, &why), 0);
	CHECK_INT_EQ(web_server_add_handler(s, "/late", WEB_METHOD_GET, 0, on_hello, (void *)"x"),
		     -EBUSY);
	port = web_server_get_port(s);
	CHECK(port > 0);

	/* the handler, many times (every thread gets some) */
	for (int i = 0; i < 20; i++) {
		CHECK(get(port, "/hello?x=1", buf, sizeof(buf)) > 0);
		CHECK(strstr(buf, "HTTP/1.1 200") == buf);
		CHECK(strstr(buf, "\r\n\r\nhello world\n") != NULL);
	}
	CHECK_INT_EQ(atomic_load(&hello_calls), 20);
	/* HEAD: headers only */
	n = snprintf(req, sizeof(req),
		     "HEAD /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(http(port, req, (size_t)n, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "HTTP/1.1 200") == buf);
	CHECK(strstr(buf, "hello world") == NULL);
	/* unknown path, wrong method */
	CHECK(get(port, "/nothing", buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "HTTP/1.1 404") == buf);
	CHECK(get(port, "/echo", buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "HTTP/1.1 405") == buf);
	/* a body within the handler's cap, then over it */
	n = snprintf(req, sizeof(req),
		     "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n"
		     "\r\nabcde");
	CHECK(http(port, req, (size_t)n, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "HTTP/1.1 202") == buf);
	CHECK(strstr(buf, "got 5 bytes") != NULL);
	n = snprintf(
		req, sizeof(req),
		"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 101\r\n"
		"\r\n");
	memset(req + n, 'a', 101);
	CHECK(http(port, req, (size_t)n + 101, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "HTTP/1.1 413") == buf);
	/* headers over the cap: refused, never handed to the handler */
	n = snprintf(req, sizeof(req), "GET /hello HTTP/1.1\r\nHost: x\r\nX-Pad: ");
	memset(req + n, 'p', 4000);
	n += 4000;
	n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\nConnection: close\r\n\r\n");
	hello_calls = 0;
	http(port, req, (size_t)n, buf, sizeof(buf));
	CHECK(strstr(buf, "HTTP/1.1 200") == NULL);
	CHECK_INT_EQ(atomic_load(&hello_calls), 0);
	/* a response past WEB_RESPONSE_MAX: 500, not a cut body */
	CHECK(get(port, "/big", buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "HTTP/1.1 500") == buf);

	/* the connection cap: 4 silent clients hold every place; the 5th is closed at once */
	usleep(200000); /* the earlier connections finish closing */
	for (int i = 0; i < 4; i++)
		fds[i] = connect_to(port);
	usleep(200000);
	n = snprintf(req, sizeof(req),
		     "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(http(port, req, (size_t)n, buf, sizeof(buf)) >= 0);
	CHECK(strstr(buf, "HTTP/1.1 200") == NULL);
	web_server_get_stats(s, &st);
	CHECK(st.refused_connections >= 1);
	/* slow clients: the timeout (1 s) closes them, and the places come back */
	for (int i = 0; i < 4; i++) {
		if (fds[i] < 0) {
			CHECK(fds[i] >= 0);
			continue;
		}
		CHECK(read_all(fds[i], buf, sizeof(buf), 5000) >= 0); /* returns at the close */
		close(fds[i]);
	}
	usleep(200000);
	CHECK(get(port, "/hello", buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "HTTP/1.1 200") == buf);
	web_server_get_stats(s, &st);
	CHECK(st.requests >= 25);
	web_server_free(s);
}

static void test_bad_opts(void)
{
	struct web_server_opts o = {.listen_address = "localhost-not-numeric"};
	struct web_server *s = NULL;
	const char *why = NULL;

	CHECK_INT_EQ(web_server_new(&o, &s, &why), 0);
	CHECK(web_server_start(s, &why) < 0);
	CHECK(why && strstr(why, "numeric"));
	web_server_free(s);
	s = NULL;
	o = (struct web_server_opts){.ssl = true};
	CHECK_INT_EQ(web_server_new(&o, &s, &why), -EINVAL);
	CHECK(why && strstr(why, "certificate"));
	o.ssl_certificate = "/nonexistent.pem";
	CHECK_INT_EQ(web_server_new(&o, &s, &why), -EINVAL);
	CHECK(why && strstr(why, "/nonexistent.pem"));
}

/* The drop policy: log the first, act only on repeats beyond the threshold, then by rate. */
static void test_drops(void)
{
	const uint64_t sec = 1000000000ull;
	struct drops_policy p;
	struct drops_delta heavy = {.n_evts = 1000, .n_drops_buffer = 500};
	struct drops_delta light = {.n_evts = 100000, .n_drops_buffer = 5};
	struct drops_delta none = {.n_evts = 1000};
	unsigned acts = 0, logs = 0, d;

	drops_policy_init(&p, 0.1, 0.1, 1, 1 * sec); /* window: 10 s */
	CHECK_INT_EQ(drops_policy_feed(&p, &none, 2 * sec), DROPS_NONE);
	/* light drops (below threshold): logged once, never acted on */
	CHECK_INT_EQ(drops_policy_feed(&p, &light, 3 * sec), DROPS_LOG_FIRST);
	CHECK_INT_EQ(drops_policy_feed(&p, &light, 4 * sec), DROPS_NONE);
	/* first heavy second: not yet (no repeat); the second one acts */
	CHECK_INT_EQ(drops_policy_feed(&p, &heavy, 5 * sec), DROPS_NONE);
	CHECK_INT_EQ(drops_policy_feed(&p, &heavy, 6 * sec), DROPS_ACT);
	CHECK_INT_EQ(drops_policy_pending(&p)->n_drops_buffer, 5 + 5 + 500 + 500);
	drops_policy_reset_pending(&p);
	/* 100 s of heavy drops: about one action per 10 s, never a flood */
	for (uint64_t t = 7; t < 107; t++) {
		d = drops_policy_feed(&p, &heavy, t * sec);
		acts += !!(d & DROPS_ACT);
		logs += !!(d & DROPS_LOG_FIRST);
		if (d & DROPS_ACT)
			drops_policy_reset_pending(&p);
	}
	CHECK(acts >= 9 && acts <= 11);
	CHECK_INT_EQ(logs, 0);
	CHECK_INT_EQ(p.suppressed, 100 - acts);
	/* quiet for longer than the window: the next drop is logged again */
	CHECK_INT_EQ(drops_policy_feed(&p, &light, 200 * sec), DROPS_LOG_FIRST);
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static void test_metrics_render(void)
{
	static const char *const tags[] = {"mitre_execution", "T1059.004"};
	struct metrics_rule_info rules[2] = {
		{.name = "Shell \"spawned\"", .priority = 5, .tags = tags, .n_tags = 2},
		{.name = "Quiet", .priority = 4},
	};
	uint64_t matches[2] = {7, 0}, evals[2] = {40, 0}, ns[2] = {2000000000, 0};
	struct metrics_snapshot s = {
		.engine_name = "modern_ebpf",
		.rules = rules,
		.n_rules = 2,
		.rule_matches = matches,
		.rule_evals = evals,
		.rule_ns = ns,
		.sample_every = 1024,
		.have_capture = true,
		.cap = {.events = 100, .drops_buffer = 3, .drops_too_big = 1},
		.have_outputs = true,
		.out = {.dropped = 2},
	};
	struct ops_config c;
	struct web_response r = {};
	struct metrics_field f[64];
	size_t n;

	ops_config_init(&c);
	CHECK_INT_EQ(metrics_render_prometheus(&s, &c, &r), 0);
	CHECK(r.body != NULL);
	if (!r.body)
		return;
	CHECK(has_line(r.body, "falcosecurity_scap_n_evts_total 100"));
	CHECK(has_line(r.body, "falcosecurity_scap_n_drops_total 4"));
	CHECK(has_line(r.body, "falcosecurity_scap_n_drops_buffer_total 3"));
	CHECK(has_line(r.body, "falcosecurity_falco_outputs_queue_num_drops_total 2"));
	CHECK(has_line(r.body, "# TYPE falcosecurity_falco_rules_matches_total counter"));
	CHECK(has_line(r.body, "falcosecurity_falco_rules_matches_total{priority=\"5\","
			       "rule_name=\"Shell \\\"spawned\\\"\",source=\"syscall\","
			       "tag_mitre_execution=\"true\",tag_T1059_004=\"true\"} 7"));
	CHECK(strstr(r.body, "rule_name=\"Quiet\"") == NULL); /* empty values left out */
	CHECK(has_line(r.body, "osprey_rules_sample_every 1024"));
	CHECK(has_line(r.body, "osprey_rule_sampled_evaluations_total{rule_name="
			       "\"Shell \\\"spawned\\\"\"} 40"));
	CHECK(has_line(r.body, "osprey_rule_sampled_evaluation_seconds_total{rule_name="
			       "\"Shell \\\"spawned\\\"\"} 2"));
	free(r.body);
	r = (struct web_response){};
	c.metrics.include_empty_values = true;
	c.metrics.kernel_event_counters_enabled = false;
	metrics_render_prometheus(&s, &c, &r);
	CHECK(r.body && strstr(r.body, "rule_name=\"Quiet\"") != NULL);
	CHECK(r.body && strstr(r.body, "falcosecurity_scap_n_evts_total") == NULL);
	free(r.body);
	r = (struct web_response){};
	metrics_render_versions(&r);
	CHECK(r.body && strstr(r.body, "\"driver_api_version\":\"") != NULL);
	CHECK(r.body && strstr(r.body, "\"engine_version\":\"") != NULL);
	free(r.body);
	n = metrics_snapshot_fields(&s, &c, f, 64);
	CHECK(n > 5);
	bool found = false;
	for (size_t i = 0; i < n; i++)
		found |= strcmp(f[i].name, "falco.rules.Shell__spawned_") == 0 && f[i].u == 7;
	CHECK(found);
	ops_config_done(&c);
}

static void test_durations(void)
{
	uint64_t ms = 0;

	CHECK_INT_EQ(ops_duration_parse("1h", &ms), 0);
	CHECK_INT_EQ(ms, 3600000);
	CHECK_INT_EQ(ops_duration_parse("1m30s", &ms), 0);
	CHECK_INT_EQ(ms, 90000);
	CHECK_INT_EQ(ops_duration_parse("250ms", &ms), 0);
	CHECK_INT_EQ(ms, 250);
	CHECK_INT_EQ(ops_duration_parse("15", &ms), 0);
	CHECK_INT_EQ(ms, 15000);
	CHECK_INT_EQ(ops_duration_parse("1x", &ms), -EINVAL);
	CHECK_INT_EQ(ops_duration_parse("h", &ms), -EINVAL);
	CHECK_INT_EQ(ops_duration_parse("", &ms), -EINVAL);
	CHECK_INT_EQ(ops_duration_parse("9999d", &ms), -ERANGE);
}

int main(void)
{
	test_durations();
	test_drops();
	test_metrics_render();
	test_bad_opts();
	test_server(1);
	test_server(3);
	return test_finish("test-web");
}
