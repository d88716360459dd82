// SPDX-License-Identifier: Apache-2.0
/*
 * Field extraction: the rendered value (as an alert prints it) of fields of every class for
 * events built with record_builder, with state fed by those events and user names read from a
 * temporary host root; values with no source have no value (<NA>); the per-event cache.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "detect-events.h"
#include "dnsnames.h"
#include "extract.h"
#include "fields.h"
#include "macro.h"

static struct state *st;
static struct extract_ctx *x;
static struct state_thread *cur_t;

static void feed(const struct event *e)
{
	if (!e)
		return;
	cur_t = state_process_event(st, e);
	extract_begin(x, e, cur_t);
}

/* The rendered value of "name" or "name[arg]"; "<NA>" when it has none. */
static const char *val(const char *name, const char *arg)
{
	static char buf[4096];
	struct field_ref ref;
	const char *err = NULL;

	if (field_resolve(name, arg, &ref, &err) < 0) {
		fprintf(stderr, "cannot resolve %s: %s\n", name, err ? err : "?");
		return "<unknown field>";
	}
	if (extract_render(x, &ref, buf, sizeof(buf)) < 0)
		return "<NA>";
	return buf;
}

#define V(name, expected)	   CHECK_STR_EQ(val(name, NULL), expected)
#define VA(name, arg, expected) CHECK_STR_EQ(val(name, arg), expected)

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void test_process_and_user(void)
{
	feed(tb_exec(OSP_EVT_PROC_SNAPSHOT, 500, 500,
		     &(struct tb_proc){.exe = "/usr/sbin/sshd", .comm = "sshd", ARGS("sshd: alice"),
				       .ppid = 1, .sid = 500, .loginuid = UINT32_MAX}));
	feed(tb_fork(600, 600, 500, 500));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 600, 600,
		     &(struct tb_proc){.exe = "/usr/bin/bash", .comm = "bash", ARGS("-bash"),
				       .ppid = 500, .sid = 600, .uid = 1000, .gid = 1000,
				       .loginuid = 1000, .tty = 136u << 20 /* pts/0 */, .cwd = "/home/alice",
				       .env = "HOME=/home/alice\0LANG=C",
				       .env_len = sizeof("HOME=/home/alice\0LANG=C")}));
	feed(tb_fork(601, 601, 600, 600));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 601, 601,
		     &(struct tb_proc){.exe = "/usr/bin/sudo", .comm = "sudo",
				       ARGS("sudo\0-i\0id"), .ppid = 600, .sid = 600, .uid = 0,
				       .gid = 0, .loginuid = 1000, .tty = 136u << 20 /* pts/0 */,
				       .cwd = "/home/alice", .caps = (1ull << 21) | 1,
				       .env = "LANG=C", .env_len = 7}));
	V("proc.name", "sudo");
	V("proc.exe", "sudo");
	V("proc.exepath", "/usr/bin/sudo");
	V("proc.args", "-i id");
	V("proc.cmdline", "sudo -i id");
	V("proc.exeline", "sudo -i id");
	V("proc.cmdnargs", "2");
	V("proc.cmdlenargs", "4");
	V("proc.pname", "bash");
	V("proc.pexe", "-bash");
	V("proc.pcmdline", "bash");
	VA("proc.aname", "2", "sshd");
	VA("proc.aname", "0", "sudo");
	V("proc.aname", "bash sshd"); /* every ancestor */
	VA("proc.acmdline", "2", "sshd");
	V("proc.pid", "601");
	V("proc.ppid", "600");
	V("proc.vpid", "601");
	V("proc.sid", "600");
	V("proc.sname", "bash");
	V("proc.tty", "34816");
	V("proc.cwd", "/home/alice/"); /* as Falco: a trailing slash */
	V("proc.env", "LANG=C");
	VA("proc.env", "LANG", "C");
	VA("proc.env", "HOME", "<NA>");
	VA("proc.aenv", "HOME", "/home/alice");
	V("proc.loginshellid", "600");
	V("proc.is_exe_writable", "false");
	V("proc.nthreads", "1");
	V("thread.tid", "601");
	V("thread.ismain", "true");
	V("thread.nametid", "sudo-601");
	V("thread.cap_effective", "CAP_CHOWN CAP_SYS_ADMIN");
	V("user.uid", "0");
	V("user.name", "root");
	V("user.homedir", "/root");
	V("user.shell", "/bin/bash");
	V("user.loginuid", "1000");
	V("user.loginname", "alice");
	V("group.gid", "0");
	V("group.name", "root");
	V("container.id", "host");
	V("container.name", "host"); /* Falco names the host "host" */
	V("k8s.pod.name", "<NA>");
	V("evt.type", "execve");
	V("syscall.type", "execve");
	V("evt.dir", "<");
	V("evt.res", "SUCCESS");
	V("evt.rawres", "0");
	V("evt.category", "process");
	V("evt.source", "syscall");
	V("evt.hostname", "test-host");
	V("evt.time", "04:00:01.000004000");
	V("evt.time.s", "04:00:01");
	V("evt.datetime", "2026-11-22 04:00:01.000004000");
	V("evt.time.iso8601", "2026-11-22T04:00:01.000004000Z");
	V("evt.rawtime", "1795320001000004000");
}

static void test_fd_and_paths(void)
{
	const uint32_t O_WRONLY_K = 01, O_CREAT_K = 0100, O_TRUNC_K = 01000;

	feed(tb_openat(601, 3, AT_FDCWD_K, "../../etc//sudoers.d/./x",
		       O_WRONLY_K | O_CREAT_K | O_TRUNC_K, 0640));
	V("fd.name", "/etc/sudoers.d/x");
	V("fd.directory", "/etc/sudoers.d");
	V("fd.filename", "x");
	V("fd.num", "3");
	V("fd.type", "file");
	V("fd.typechar", "f");
	V("fs.path.name", "/etc/sudoers.d/x");
	V("fs.path.nameraw", "../../etc//sudoers.d/./x");
	/* Falco's m_name_raw: as passed, neither absolute nor normalized; "//" folded */
	V("fd.nameraw", "../../etc/sudoers.d/./x");
	VA("fd.types", "3", "(file)"); /* a list, as Falco prints one */
	V("proc.nchilds", "0");
	V("evt.is_open_write", "true");
	V("evt.is_open_read", "false");
	V("evt.is_open_create", "true");
	V("evt.is_open_exec", "false");
	VA("evt.arg", "flags", "O_TRUNC|O_CREAT|O_WRONLY"); /* as Falco prints it */
	VA("evt.rawarg", "flags", "577");
	VA("evt.arg", "mode", "S_IRGRP|S_IWUSR|S_IRUSR");
	VA("evt.arg", "0", "3");
	V("evt.args", "fd=3 dirfd=-100 name=/etc/sudoers.d/x flags=O_TRUNC|O_CREAT|O_WRONLY "
		      "mode=S_IRGRP|S_IWUSR|S_IRUSR");
	V("fd.containername", "host:/etc/sudoers.d/x");
	V("fd.containerdirectory", "host:/etc/sudoers.d");
	V("fd.sip", "<NA>");

	feed(tb_socket(601, 4, 10, 1));
	{
		uint8_t t[37] = {OSP_AF_INET6};
		uint16_t lp = 50000, rp = 443;

		inet_pton(AF_INET6, "2001:db8::1", t + 1);
		memcpy(t + 17, &lp, 2);
		inet_pton(AF_INET6, "2001:db8::2", t + 19);
		memcpy(t + 35, &rp, 2);
		tb_begin(OSP_EVT_CONNECT, 601, 601);
		record_add_s64(&tb, 0);
		record_add_s64(&tb, 4);
		record_add_bytes(&tb, t, sizeof(t), sizeof(t));
		feed(tb_end());
	}
	V("fd.name", "2001:db8::1:50000->2001:db8::2:443");
	V("fd.type", "ipv6");
	V("fd.typechar", "6");
	V("fd.sip", "2001:db8::2");
	V("fd.cip", "2001:db8::1");
	V("fd.sport", "443");
	V("fd.lport", "50000");
	V("fd.port", "50000 443");
	V("fd.l4proto", "tcp");
	V("fd.sockfamily", "ip");
	V("fd.is_server", "false");
	V("evt.res", "SUCCESS");
	/* the ports as strings, Falco without port name resolution */
	V("fd.sproto", "443");
	V("fd.cproto", "50000");
	V("fd.lproto", "50000");
	V("fd.rproto", "443");
	V("fd.proto", "50000 443");
	V("fd.uid", "6014"); /* Falco: the tid, then the fd number */
	V("fd.sip.name", "<NA>"); /* no names to resolve in this context */
	V("evt.is_syslog", "false");
	{
		const char *types = val("fd.types", NULL); /* the process' distinct fd types */

		CHECK(strcmp(types, "(file,ipv6)") == 0 || strcmp(types, "(ipv6,file)") == 0);
	}

	feed(tb_unlinkat(601, -2, "missing"));
	V("evt.res", "ENOENT");
	V("evt.rawres", "-2");
	V("evt.failed", "true");
	V("fs.path.name", "/home/alice/missing");
	V("fd.name", "<NA>");

	feed(tb_symlinkat(601, 0, "/etc/shadow", "s"));
	V("fs.path.source", "/etc/shadow");
	V("fs.path.target", "/home/alice/s");
	V("fs.path.targetraw", "s");

	feed(tb_ptrace(601, 0, 0, 0));
	VA("evt.arg", "request", "PTRACE_TRACEME");
	VA("evt.rawarg", "request", "0");

	feed(tb_fork(602, 602, 601, 601));
	V("evt.type", "clone");
	V("evt.rawres", "0");
	V("proc.pname", "sudo");
	feed(tb_exit(602));
	V("evt.type", "procexit");
	V("proc.name", "sudo"); /* the exiting thread is still readable */
	V("evt.res", "<NA>");
}

/* What state_path_resolve() must give: a walk over the components, the slow way. */
static size_t ref_resolve(const char *base, const char *rel, char *out, size_t size)
{
	char tmp[8192];
	size_t n = 1;
	char *save = NULL;

	snprintf(tmp, sizeof(tmp), "%s/%s", rel[0] == '/' ? "" : base, rel);
	out[0] = '/';
	for (char *c = strtok_r(tmp, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		size_t len = strlen(c);

		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--;
			continue;
		}
		if (n + (n > 1) + len >= size)
			break;
		if (n > 1)
			out[n++] = '/';
		memcpy(out + n, c, len);
		n += len;
	}
	out[n] = 0;
	return n;
}

static void test_path_resolve(void)
{
	static const char *const bases[] = {"/", "/home/alice", "/a/b/", "/.hidden", "/x/../y"};
	static const char *const rels[] = {
		"/etc/passwd", "/etc//passwd", "/etc/./passwd", "/etc/../etc/passwd", "/", "//",
		"/etc/", "/.bashrc", "/a/.b/..c/...", "/a/..", "/..", "x", "./x", "../x", "x/",
		"x//y", ".x", "..x", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p", ".", "..", "/a/b/.",
		"/usr/lib/gcc/x86_64-linux-gnu/12/../../../x86_64-linux-gnu/crti.o",
		"/usr/lib/x86_64-linux-gnu/libc.so.6", "/0123456/0123456/0123456/",
		/* a '/' ending a 16- or 8-byte block, the '.' or '/' beginning the next */
		"/0123456789abcde/../x", "/0123456789abcde//x", "/0123456789abcde/.x",
		"/0123456/../x", "/0123456//x", "0123456789abcdef/./x", "012345678901234/..",
		"/0123456789abcdef0123456789abcde/./x", "/0123456789abcdef0123456789abcdef/",
	};
	char a[4096], b[4096];

	for (size_t i = 0; i < ARRAY_SIZE(bases); i++)
		for (size_t k = 0; k < ARRAY_SIZE(rels); k++) {
			size_t n = state_path_resolve(bases[i], rels[k], a, sizeof(a));
			size_t m = ref_resolve(bases[i], rels[k], b, sizeof(b));

			if (n != m || strcmp(a, b) != 0)
				fprintf(stderr, "resolve('%s', '%s'): '%s', want '%s'\n", bases[i],
					rels[k], a, b);
			CHECK(n == m && strcmp(a, b) == 0);
		}
	/* too long: cut at the last whole component */
	CHECK_INT_EQ(state_path_resolve("/", "/abc/def/ghi", a, 10), 8);
	CHECK_STR_EQ(a, "/abc/def");
	CHECK_INT_EQ(state_path_resolve("/abc", "def", a, 8), 4);
	CHECK_STR_EQ(a, "/abc");
}

/* A failed open: its fd name is resolved only when a rule reads it, and matches the state's. */
static void test_failed_open(void)
{
	const uint32_t O_TMPFILE_K = 020000000 | 0200000, O_RDWR_K = 02;
	struct state_fd *fd;

	feed(tb_openat(601, -2, AT_FDCWD_K, "include/../stdio.h", 0, 0));
	V("fd.num", "-2");
	V("fd.nameraw", "include/../stdio.h");
	V("fd.typechar", "f");
	V("evt.is_open_read", "true");
	V("fd.name", "/home/alice/stdio.h");
	V("fd.directory", "/home/alice");
	V("fd.filename", "stdio.h");
	feed(tb_openat(601, -2, AT_FDCWD_K, "x.h", 0, 0));
	V("fd.filename", "x.h"); /* the name first, through fd.filename */
	V("fd.name", "/home/alice/x.h");
	/* O_TMPFILE carries O_DIRECTORY's bit but opens a file: state and extraction agree */
	feed(tb_openat(601, 7, AT_FDCWD_K, "/tmp", O_TMPFILE_K | O_RDWR_K, 0600));
	V("fd.type", "file");
	fd = cur_t ? state_fd_get(cur_t, 7) : NULL;
	CHECK(fd && fd->type == OSP_FD_TYPE_FILE);
}

/* fd.*ip.name: the names the rules compare with, resolved; a connection's end is one of them */
static void test_dns_names(void)
{
	struct dnsnames *d = NULL;
	const char *names[4];
	uint8_t lo[4] = {127, 0, 0, 1}, t[13] = {OSP_AF_INET};
	uint16_t lp = 40000, rp = 8080;

	CHECK_INT_EQ(dnsnames_new(&d), 0);
	if (!d)
		return;
	CHECK_INT_EQ(dnsnames_add(d, "localhost"), 0);
	CHECK_INT_EQ(dnsnames_add(d, "localhost"), 0); /* kept once */
	CHECK_INT_EQ(dnsnames_add(d, ""), -EINVAL);
	CHECK_INT_EQ(dnsnames_count(d), 1);
	dnsnames_resolve_all(d); /* /etc/hosts: no network */
	if (dnsnames_lookup(d, 4, lo, names, 4) == 0) {
		printf("SKIP (part): localhost does not resolve to 127.0.0.1 here\n");
		dnsnames_free(d);
		return;
	}
	x->dns = d;
	feed(tb_socket(601, 5, 2, 1));
	memcpy(t + 1, lo, 4);
	memcpy(t + 5, &lp, 2);
	memcpy(t + 7, lo, 4);
	memcpy(t + 11, &rp, 2);
	tb_begin(OSP_EVT_CONNECT, 601, 601);
	record_add_s64(&tb, 0);
	record_add_s64(&tb, 5);
	record_add_bytes(&tb, t, sizeof(t), sizeof(t));
	feed(tb_end());
	V("fd.sip.name", "localhost");
	V("fd.cip.name", "localhost");
	V("fd.rip.name", "localhost");
	V("fd.lip.name", "localhost");
	x->dns = NULL;
	dnsnames_free(d);
}

/* evt.is_syslog: a send to the unix socket of /dev/log, as syslog(3) does */
static void test_syslog(void)
{
	static const uint8_t dev_log[] = "\x01/dev/log"; /* OSP_AF_UNIX, the path */

	feed(tb_socket(601, 9, 1, 2 | 02000000));
	VA("evt.arg", "type", "524290"); /* SOCK_DGRAM|SOCK_CLOEXEC: a number, as in Falco */
	VA("evt.arg", "domain", "AF_UNIX");
	tb_begin(OSP_EVT_CONNECT, 601, 601);
	record_add_s64(&tb, 0);
	record_add_s64(&tb, 9);
	record_add_bytes(&tb, dev_log, sizeof(dev_log), sizeof(dev_log));
	feed(tb_end());
	V("fd.name", "/dev/log");
	V("evt.is_syslog", "false"); /* a connect is no write */
	tb_begin(OSP_EVT_SENDTO, 601, 601);
	record_add_s64(&tb, 20);
	record_add_s64(&tb, 9);
	record_add_u64(&tb, 20);
	record_add_bytes(&tb, NULL, 0, 0);
	feed(tb_end());
	V("evt.type", "sendto");
	V("evt.is_syslog", "true");
	V("evt.is_io_write", "true");
}

/* After a burst of threads has gone, state_purge() gives the memory back (once). */
static void test_trim(void)
{
	struct state_stats before, after;

	state_get_stats(st, &before);
	for (uint32_t i = 0; i < 3000; i++)
		feed(tb_fork(10000 + i, 10000 + i, 601, 601));
	for (uint32_t i = 0; i < 3000; i++)
		feed(tb_exit(10000 + i));
	state_purge(st, tb_ts);
	state_get_stats(st, &after);
	CHECK_INT_EQ(after.threads, before.threads);
	CHECK_INT_EQ(after.trims, before.trims + 1);
	state_purge(st, tb_ts);
	state_get_stats(st, &after);
	CHECK_INT_EQ(after.trims, before.trims + 1); /* nothing new to give back */
	feed(tb_fork(13001, 13001, 601, 601));
	V("proc.pname", "sudo"); /* the table still works after shrinking */
	feed(tb_exit(13001));
}

static void test_cache(void)
{
	struct field_ref ref;
	const struct xval *a, *b;
	const char *err;

	feed(tb_openat(601, 5, AT_FDCWD_K, "/etc/hosts", 0, 0));
	CHECK_INT_EQ(field_resolve("fd.name", NULL, &ref, &err), 0);
	CHECK_INT_EQ(extract_field(x, 0, &ref, &a), 1);
	CHECK_INT_EQ(extract_field(x, 0, &ref, &b), 1);
	CHECK(a == b); /* cached: the same values */
	feed(tb_openat(601, 6, AT_FDCWD_K, "/etc/group", 0, 0));
	CHECK_INT_EQ(extract_field(x, 0, &ref, &b), 1);
	CHECK(b->type == XV_STR && strcmp(b->s, "/etc/group") == 0);
	CHECK_INT_EQ(x->stats.arena_exhausted, 0);
}

int main(void)
{
	char root[] = "/tmp/osp-extract-XXXXXX", path[256], cmd[300];
	int r;

	setenv("TZ", "UTC", 1);
	tzset();
	if (!mkdtemp(root))
		TEST_SKIP("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/etc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	write_file(path, "root:x:0:0:root:/root:/bin/bash\n"
			 "alice:x:1000:1000:Alice:/home/alice:/bin/zsh\n");
	snprintf(path, sizeof(path), "%s/etc/group", root);
	write_file(path, "root:x:0:\nalice:x:1000:\n");

	r = state_new(&(struct state_opts){.host_root = root}, &st);
	CHECK_INT_EQ(r, 0);
	r = st ? extract_ctx_new(st, 4, &x) : -1;
	CHECK_INT_EQ(r, 0);
	if (r == 0) {
		x->hostname = "test-host";
		x->boot_time_ns = 1795320000000000000ull;
		test_process_and_user();
		test_fd_and_paths();
		test_path_resolve();
		test_failed_open();
		test_dns_names();
		test_syslog();
		test_trim();
		test_cache();
	}
	extract_ctx_free(x);
	state_free(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	return test_finish("extract");
}
