// SPDX-License-Identifier: Apache-2.0
/*
 * The HTTP(S) output against real servers on 127.0.0.1: python3's http.server with a small
 * POST handler that logs each request (headers, body, client port, client certificate) as a
 * JSON line; TLS with a CA, server and client certificates made here with the openssl CLI; and
 * a C listener that accepts nothing and never answers (timeouts, engine not stalled).
 * Skipped (77) without python3 or openssl.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "outputs.h"
#include "test.h"

static char dir[] = "/tmp/test-outputs-http.XXXXXX";

static const char server_py[] =
	"import gzip, http.server, json, ssl, sys\n"
	"port_file, log_file, mode = sys.argv[1], sys.argv[2], sys.argv[3]\n"
	"class H(http.server.BaseHTTPRequestHandler):\n"
	"    protocol_version = 'HTTP/1.1'\n"
	"    def do_POST(self):\n"
	"        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))\n"
	"        if self.headers.get('Content-Encoding') == 'gzip':\n"
	"            body = gzip.decompress(body)\n"
	"        peer = self.connection.getpeercert() if mode != 'http' else None\n"
	"        cn = ''\n"
	"        for rdn in (peer or {}).get('subject', ()):\n"
	"            for k, v in rdn:\n"
	"                if k == 'commonName': cn = v\n"
	"        rec = {'path': self.path, 'ct': self.headers.get('Content-Type'),\n"
	"               'ua': self.headers.get('User-Agent'), 'ce': "
	"self.headers.get('Content-Encoding'),\n"
	"               'port': self.client_address[1], 'cn': cn, 'body': body.decode('utf-8')}\n"
	"        with open(log_file, 'a') as f: f.write(json.dumps(rec) + '\\n')\n"
	"        code = 500 if self.path == '/fail' else 200\n"
	"        self.send_response(code)\n"
	"        self.send_header('Content-Length', '3')\n"
	"        self.end_headers()\n"
	"        self.wfile.write(b'ok\\n')\n"
	"    def log_message(self, *a): pass\n"
	"srv = http.server.HTTPServer(('127.0.0.1', 0), H)\n"
	"if mode != 'http':\n"
	"    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
	"    ctx.load_cert_chain(sys.argv[4] + '/server.crt', sys.argv[4] + '/server.key')\n"
	"    if mode == 'mtls':\n"
	"        ctx.verify_mode = ssl.CERT_REQUIRED\n"
	"        ctx.load_verify_locations(sys.argv[4] + '/ca.crt')\n"
	"    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)\n"
	"with open(port_file + '.tmp', 'w') as f: f.write(str(srv.server_address[1]))\n"
	"import os; os.rename(port_file + '.tmp', port_file)\n"
	"srv.serve_forever()\n";

static const char certs_sh[] =
	"set -e\n"
	"cd \"$1\"\n"
	"key() { k=$1; cn=$2; shift 2; openssl req -newkey ec -pkeyopt "
	"ec_paramgen_curve:prime256v1 "
	"-nodes -keyout \"$k.key\" -subj \"/CN=$cn\" \"$@\" 2>/dev/null; }\n"
	"key ca osprey-test-ca -x509 -days 2 -out ca.crt\n"
	"printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext\n"
	"key server localhost -out server.csr\n"
	"openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
	"-extfile san.ext -out server.crt 2>/dev/null\n"
	"key client osprey-client -out client.csr\n"
	"openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
	"-out client.crt 2>/dev/null\n";

struct server {
	pid_t pid;
	int port;
	char log[256];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(unsigned ms)
{
	struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&t, NULL);
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -errno;
}

static int server_start(struct server *s, const char *mode)
{
	char script[256], port_file[256];
	uint64_t end;

	snprintf(script, sizeof(script), "%s/server.py", dir);
	snprintf(port_file, sizeof(port_file), "%s/port-%s", dir, mode);
	snprintf(s->log, sizeof(s->log), "%s/requests-%s.log", dir, mode);
	unlink(port_file);
	unlink(s->log);
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0)
		return -errno;
	if (s->pid == 0) {
		execlp("python3", "python3", script, port_file, s->log, mode, dir, (char *)NULL);
		_exit(127);
	}
	end = mono_ns() + 20000000000ULL;
	while (mono_ns() < end) {
		FILE *f = fopen(port_file, "re");

		if (f) {
			int ok = fscanf(f, "%d", &s->port) == 1;

			fclose(f);
			if (ok)
				return 0;
		}
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid)
			return -ECHILD;
		sleep_ms(20);
	}
	return -ETIMEDOUT;
}

static void server_stop(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	s->pid = 0;
}

/* The logged requests, parsed; caller frees with json_object_put. */
static struct json_object *requests(const struct server *s, int *ret_n)
{
	struct json_object *arr = json_object_new_array();
	char line[65536];
	FILE *f = fopen(s->log, "re");

	*ret_n = 0;
	if (!f)
		return arr;
	while (fgets(line, sizeof(line), f)) {
		struct json_object *o = json_tokener_parse(line);

		if (o) {
			json_object_array_add(arr, o);
			(*ret_n)++;
		}
	}
	fclose(f);
	return arr;
}

static const char *req_str(struct json_object *arr, int i, const char *key)
{
	struct json_object *o = json_object_array_get_idx(arr, i), *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return "";
	return json_object_get_string(v);
}

static struct alert make_alert(int i, char *out, size_t size)
{
	static const struct alert_field fields[] = {
		{.name = "proc.name", .type = ALERT_VALUE_STRING, .str = "nc"},
		{.name = "fd.rport", .type = ALERT_VALUE_U64, .u64 = 4444},
	};
	static const char *const tags[] = {"network", "T1059"};

	snprintf(out, size, "reverse shell %d \"quoted\" (proc=nc)", i);
	return (struct alert){
		.time_ns = 1795320754123456789ULL,
		.priority = ALERT_PRIORITY_CRITICAL,
		.rule = "Reverse shell",
		.source = "syscall",
		.hostname = "node-7",
		.output = out,
		.fields = fields,
		.n_fields = ARRAY_SIZE(fields),
		.tags = tags,
		.n_tags = ARRAY_SIZE(tags),
	};
}

static int push(struct outputs *o, int i)
{
	char out[128];
	struct alert a = make_alert(i, out, sizeof(out));

	return outputs_push(o, &a);
}

static void config_http(struct outputs_config *c, const char *url)
{
	outputs_config_init(c);
	c->stdout_output.enabled = false;
	c->syslog_output.enabled = false;
	c->json_output = true;
	c->http_output.enabled = true;
	c->http_output.url = url;
	c->http_output.timeout_ms = 3000;
}

/* Sends n alerts, stops, returns the sink's stats. */
static struct outputs_sink_stats send_n(const struct outputs_config *c, int n)
{
	struct outputs_stats st = {0};
	struct outputs *o = NULL;

	CHECK_INT_EQ(outputs_new(c, &o), 0);
	if (!o)
		return st.sinks[OUTPUTS_SINK_HTTP];
	for (int i = 0; i < n; i++)
		CHECK_INT_EQ(push(o, i), 0);
	CHECK_INT_EQ(outputs_flush(o, 20000), 0);
	outputs_stop(o);
	outputs_get_stats(o, &st);
	outputs_free(o);
	return st.sinks[OUTPUTS_SINK_HTTP];
}

static int count_lines(const char *path);

static void test_http(void)
{
	struct outputs_sink_stats ss;
	struct outputs_config c;
	struct json_object *reqs, *body, *v, *of;
	struct server s;
	char url[128];
	int n;

	CHECK_INT_EQ(server_start(&s, "http"), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/falco", s.port);
	config_http(&c, url);
	c.http_output.user_agent = "osprey-test/1";
	ss = send_n(&c, 3);
	CHECK_INT_EQ(ss.delivered, 3);
	CHECK_INT_EQ(ss.failed, 0);
	reqs = requests(&s, &n);
	CHECK_INT_EQ(n, 3);
	CHECK_STR_EQ(req_str(reqs, 0, "path"), "/falco");
	CHECK_STR_EQ(req_str(reqs, 0, "ct"), "application/json");
	CHECK_STR_EQ(req_str(reqs, 0, "ua"), "osprey-test/1");
	/* keep-alive: the three requests came over one connection */
	CHECK_STR_EQ(req_str(reqs, 0, "port"), req_str(reqs, 2, "port"));
	body = json_tokener_parse(req_str(reqs, 1, "body"));
	CHECK(body != NULL);
	if (body) {
		CHECK(json_object_object_get_ex(body, "rule", &v));
		CHECK_STR_EQ(json_object_get_string(v), "Reverse shell");
		CHECK(json_object_object_get_ex(body, "priority", &v));
		CHECK_STR_EQ(json_object_get_string(v), "Critical");
		CHECK(json_object_object_get_ex(body, "hostname", &v));
		CHECK_STR_EQ(json_object_get_string(v), "node-7");
		CHECK(json_object_object_get_ex(body, "output", &v));
		CHECK(strstr(json_object_get_string(v), "Critical reverse shell 1 \"quoted\"") !=
		      NULL);
		CHECK(json_object_object_get_ex(body, "output_fields", &of));
		CHECK(json_object_object_get_ex(of, "fd.rport", &v));
		CHECK_INT_EQ(json_object_get_int64(v), 4444);
		CHECK(json_object_object_get_ex(body, "time", &v));
		CHECK_STR_EQ(json_object_get_string(v), "2026-11-22T04:12:34.123456789Z");
		json_object_put(body);
	}
	json_object_put(reqs);

	/* keep_alive off: a new connection per alert. Text output: text/plain. */
	unlink(s.log);
	c.http_output.keep_alive = false;
	c.json_output = false;
	ss = send_n(&c, 2);
	CHECK_INT_EQ(ss.delivered, 2);
	reqs = requests(&s, &n);
	CHECK_INT_EQ(n, 2);
	CHECK(strcmp(req_str(reqs, 0, "port"), req_str(reqs, 1, "port")) != 0);
	CHECK_STR_EQ(req_str(reqs, 0, "ct"), "text/plain");
	CHECK(strstr(req_str(reqs, 0, "body"), ": Critical reverse shell 0") != NULL);
	json_object_put(reqs);

	/* compress_uploads: gzip body, decompressed by the server. */
	unlink(s.log);
	config_http(&c, url);
	c.http_output.compress_uploads = true;
	ss = send_n(&c, 1);
	CHECK_INT_EQ(ss.delivered, 1);
	reqs = requests(&s, &n);
	CHECK_INT_EQ(n, 1);
	CHECK_STR_EQ(req_str(reqs, 0, "ce"), "gzip");
	CHECK(strstr(req_str(reqs, 0, "body"), "\"rule\":\"Reverse shell\"") != NULL);
	json_object_put(reqs);

	/* echo: the server's answers on stdout (here a file), through the non-blocking stdout. */
	{
		char out[256];
		int fd, saved;

		snprintf(out, sizeof(out), "%s/echo.out", dir);
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		CHECK(fd >= 0);
		fflush(stdout);
		saved = dup(STDOUT_FILENO);
		dup2(fd, STDOUT_FILENO);
		config_http(&c, url);
		c.http_output.echo = true;
		ss = send_n(&c, 2);
		dup2(saved, STDOUT_FILENO);
		close(saved);
		close(fd);
		CHECK_INT_EQ(ss.delivered, 2);
		CHECK_INT_EQ(count_lines(out), 2); /* "ok\n" twice */
	}

	/* A 500 answer is a failure, retried max_retries times. */
	unlink(s.log);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/fail", s.port);
	config_http(&c, url);
	c.http_output.max_retries = 2;
	ss = send_n(&c, 1);
	CHECK_INT_EQ(ss.delivered, 0);
	CHECK_INT_EQ(ss.failed, 1);
	reqs = requests(&s, &n);
	CHECK_INT_EQ(n, 3);
	json_object_put(reqs);
	server_stop(&s);

	/* Nobody listening: refused, counted. */
	config_http(&c, url);
	c.http_output.max_retries = 0;
	ss = send_n(&c, 2);
	CHECK_INT_EQ(ss.failed, 2);
}

static void test_https(void)
{
	struct outputs_sink_stats ss;
	struct outputs_config c;
	struct json_object *reqs;
	char url[128], ca[256], cert[256], key[256];
	struct server s;
	int n;

	snprintf(ca, sizeof(ca), "%s/ca.crt", dir);
	snprintf(cert, sizeof(cert), "%s/client.crt", dir);
	snprintf(key, sizeof(key), "%s/client.key", dir);

	CHECK_INT_EQ(server_start(&s, "https"), 0);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/", s.port);
	/* Our CA: verified and delivered. */
	config_http(&c, url);
	c.http_output.ca_cert = ca;
	ss = send_n(&c, 2);
	CHECK_INT_EQ(ss.delivered, 2);
	reqs = requests(&s, &n);
	CHECK_INT_EQ(n, 2);
	CHECK_STR_EQ(req_str(reqs, 0, "port"), req_str(reqs, 1, "port"));
	json_object_put(reqs);
	/* ca_bundle is the same thing under Falco's other key. */
	config_http(&c, url);
	c.http_output.ca_bundle = ca;
	CHECK_INT_EQ(send_n(&c, 1).delivered, 1);
	/* The system store does not know our CA: refused. */
	config_http(&c, url);
	c.http_output.max_retries = 0;
	ss = send_n(&c, 1);
	CHECK_INT_EQ(ss.delivered, 0);
	CHECK_INT_EQ(ss.failed, 1);
	/* ... unless insecure. */
	config_http(&c, url);
	c.http_output.insecure = true;
	CHECK_INT_EQ(send_n(&c, 1).delivered, 1);
	server_stop(&s);

	/* mTLS: the server requires a client certificate signed by our CA. */
	CHECK_INT_EQ(server_start(&s, "mtls"), 0);
	snprintf(url, sizeof(url), "https://localhost:%d/", s.port);
	config_http(&c, url);
	c.http_output.ca_cert = ca;
	c.http_output.max_retries = 0;
	ss = send_n(&c, 1);
	CHECK_INT_EQ(ss.delivered, 0);
	CHECK_INT_EQ(ss.failed, 1);
	c.http_output.mtls = true;
	c.http_output.client_cert = cert;
	c.http_output.client_key = key;
	ss = send_n(&c, 2);
	CHECK_INT_EQ(ss.delivered, 2);
	reqs = requests(&s, &n);
	CHECK_INT_EQ(n, 2);
	CHECK_STR_EQ(req_str(reqs, 0, "cn"), "osprey-client");
	json_object_put(reqs);
	server_stop(&s);
}

/* A server that accepts the TCP connection (backlog) and never answers. */
static void test_timeout(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	struct outputs_config c;
	struct outputs_sink_stats ss;
	struct outputs_stats st;
	struct outputs *o = NULL;
	uint64_t t0, t1, t2;
	char url[128];
	int fd, ok = 0, n = 5000;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK_INT_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_INT_EQ(listen(fd, 16), 0);
	CHECK_INT_EQ(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(sa.sin_port));

	config_http(&c, url);
	c.http_output.timeout_ms = 300;
	c.http_output.max_retries = 1;
	c.outputs_queue.capacity = 16;
	c.drain_timeout_ms = 500;
	CHECK_INT_EQ(outputs_new(&c, &o), 0);
	t0 = mono_ns();
	for (int i = 0; i < n; i++)
		ok += push(o, i) == 0;
	t1 = mono_ns();
	printf("pushed %d alerts in %.1f ms to a server that never answers: %d queued\n", n,
	       (double)(t1 - t0) / 1e6, ok);
	CHECK(t1 - t0 < 100000000ULL);
	/* Bounded: the alert queue holds 16, the HTTP sink's queue 16 plus the one in flight; the
	 * dispatcher keeps taking alerts (dropping them for HTTP), so the engine gets room. */
	outputs_get_stats(o, &st);
	CHECK(st.queued <= 16);
	CHECK(st.sinks[OUTPUTS_SINK_HTTP].queued <= 16 + 1);
	CHECK_INT_EQ(st.pushed - st.dropped, ok);
	sleep_ms(1500);
	outputs_get_stats(o, &st);
	CHECK(st.sinks[OUTPUTS_SINK_HTTP].timeouts >= 2);
	CHECK(st.sinks[OUTPUTS_SINK_HTTP].failed >= 1);
	CHECK_INT_EQ(st.sinks[OUTPUTS_SINK_HTTP].delivered, 0);
	t1 = mono_ns();
	outputs_stop(o);
	t2 = mono_ns();
	printf("stopped in %.1f ms (drain timeout 500 ms)\n", (double)(t2 - t1) / 1e6);
	CHECK(t2 - t1 < 1500000000ULL);
	outputs_get_stats(o, &st);
	CHECK_INT_EQ(st.pushed, n);
	CHECK_INT_EQ(st.processed + st.dropped + st.abandoned, st.pushed);
	ss = st.sinks[OUTPUTS_SINK_HTTP];
	CHECK(ss.abandoned > 0);
	CHECK_INT_EQ(ss.offered, st.processed);
	CHECK_INT_EQ(ss.delivered + ss.failed + ss.dropped + ss.abandoned, ss.offered);
	CHECK_INT_EQ(ss.queued, 0);
	outputs_free(o);
	close(fd);
}

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "re");
	int n = 0, c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static int wait_lines(const char *path, int n, unsigned timeout_ms)
{
	uint64_t end = mono_ns() + (uint64_t)timeout_ms * 1000000ULL;
	int k;

	while ((k = count_lines(path)) < n && mono_ns() < end)
		sleep_ms(10);
	return k;
}

/*
 * One dead receiver next to a file output: n alerts; the file gets every one of them at once,
 * HTTP delivers none, and its counters add up exactly. wait_when_full is the replay mode: the
 * engine waits for room in the alert queue, and the dispatcher waits for a sink's queue only
 * while that sink is healthy.
 */
static void dead_receiver(const char *what, const char *url, bool wait_when_full)
{
	struct outputs_sink_stats h;
	struct outputs_config c;
	struct outputs_stats st;
	struct outputs *o = NULL;
	char path[256];
	int n = 300, ok = 0, got;
	uint64_t t0, t1;

	snprintf(path, sizeof(path), "%s/beside-%s-%d.log", dir, what, wait_when_full);
	config_http(&c, url);
	c.file_output.enabled = true;
	c.file_output.filename = path;
	/* Live: queues that hold every alert, so that only the dead sink can lose any however
	 * slowly this machine runs the file's thread; wait_when_full: small queues, the dispatcher
	 * waits for the file and gives up on HTTP. */
	c.outputs_queue.capacity = wait_when_full ? 16 : 1024;
	c.wait_when_full = wait_when_full;
	c.drain_timeout_ms = 500;
	CHECK_INT_EQ(outputs_new(&c, &o), 0);
	if (!o)
		return;
	t0 = mono_ns();
	for (int i = 0; i < n; i++) {
		ok += push(o, i) == 0;
	}
	got = wait_lines(path, n, 10000);
	t1 = mono_ns();
	CHECK_INT_EQ(ok, n);
	CHECK_INT_EQ(got, n);
	outputs_stop(o);
	outputs_get_stats(o, &st);
	h = st.sinks[OUTPUTS_SINK_HTTP];
	printf("%s%s: the file got %d of %d alerts in %.1f ms; http: %" PRIu64
	       " delivered, %" PRIu64 " failed (%" PRIu64 " timeouts), %" PRIu64
	       " dropped, %" PRIu64 " abandoned\n",
	       what, wait_when_full ? " (wait_when_full)" : "", got, n, (double)(t1 - t0) / 1e6,
	       h.delivered, h.failed, h.timeouts, h.dropped, h.abandoned);
	CHECK_INT_EQ(st.pushed, n);
	CHECK_INT_EQ(st.dropped, 0);
	CHECK_INT_EQ(st.processed, n);
	CHECK_INT_EQ(st.sinks[OUTPUTS_SINK_FILE].delivered, n);
	CHECK_INT_EQ(h.offered, n);
	CHECK_INT_EQ(h.delivered, 0);
	/* a silent receiver's first request is still in flight at the drain deadline: abandoned */
	CHECK(strcmp(what, "silent") == 0 ? h.abandoned > 0 : h.failed > 0);
	CHECK_INT_EQ(h.queued, 0);
	CHECK_INT_EQ(h.delivered + h.failed + h.dropped + h.abandoned, n);
	outputs_free(o);
}

/* A receiver that never answers, one that answers 500, a refused connection. */
static void test_dead_receivers(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	struct server s;
	char url[128];
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK_INT_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_INT_EQ(listen(fd, 4096), 0);
	CHECK_INT_EQ(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(sa.sin_port));
	dead_receiver("silent", url, false);
	dead_receiver("silent", url, true);
	close(fd);
	/* the port is closed now: refused */
	dead_receiver("refused", url, false);
	dead_receiver("refused", url, true);

	CHECK_INT_EQ(server_start(&s, "http"), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/fail", s.port);
	dead_receiver("http-500", url, false);
	dead_receiver("http-500", url, true);
	server_stop(&s);
}

int main(void)
{
	char path[256], cmd[512];

	if (system("command -v python3 >/dev/null && command -v openssl >/dev/null") != 0)
		TEST_SKIP("python3 and openssl are needed for the HTTP(S) servers");
	if (!mkdtemp(dir))
		TEST_SKIP("mkdtemp: %m");
	snprintf(path, sizeof(path), "%s/server.py", dir);
	CHECK_INT_EQ(write_file(path, server_py), 0);
	snprintf(path, sizeof(path), "%s/certs.sh", dir);
	CHECK_INT_EQ(write_file(path, certs_sh), 0);
	snprintf(cmd, sizeof(cmd), "sh '%s' '%s'", path, dir);
	CHECK_INT_EQ(system(cmd), 0);

	test_timeout();
	test_dead_receivers();
	test_http();
	test_https();

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return test_finish("test-outputs-http");
}
