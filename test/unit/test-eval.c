// SPDX-License-Identifier: Apache-2.0
/*
 * Rule evaluation: every operator and each field class on events built with record_builder and
 * state fed by those events; the event-type index and the interest set; rule_matching first/all
 * and the minimum priority. Then a throughput measure (printed, not asserted) of detect_on_event
 * with the default rules and with the upstream Falco rules, with and without the index.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "detect-events.h"
#include "detect.h"
#include "diag.h"
#include "eval.h"
#include "ruleset.h"

#define DEFAULT_RULES OSPREY_SOURCE_ROOT "/rules/osprey_rules.yaml"
#define FIXTURES      OSPREY_SOURCE_ROOT "/../shared/fixtures/falco-rules"

static struct state *st;
static struct state_thread *cur_t;
static const struct event *cur;

static void feed(const struct event *e)
{
	if (e) {
		cur = e;
		cur_t = state_process_event(st, e);
	}
}

static struct ruleset *compile_rules(const char *yaml)
{
	struct ruleset *rs = ruleset_new();
	struct diag_list diags = {};
	int r;

	if (!rs)
		return NULL;
	r = ruleset_load_buffer(rs, "test.yaml", yaml, strlen(yaml), &diags);
	if (r == 0)
		r = ruleset_compile(rs, &diags);
	if (r < 0 || diags.n_errors) {
		diag_list_print(&diags, stderr);
		ruleset_free(rs);
		rs = NULL;
	}
	diag_list_clear(&diags);
	return rs;
}

/* Evaluates one condition on the current event; -1 if it did not compile. */
static int eval_cond(const char *cond)
{
	char yaml[8192];
	struct ruleset *rs;
	struct eval *e = NULL;
	struct extract_ctx *x = NULL;
	int res = -1;

	snprintf(yaml, sizeof(yaml),
		 "- rule: r\n  desc: d\n  condition: %s\n  output: o\n  priority: WARNING\n",
		 cond);
	rs = compile_rules(yaml);
	if (!rs)
		return -1;
	if (eval_new(rs, &(struct eval_opts){.min_priority = PRIORITY_DEBUG}, &e) == 0 &&
	    extract_ctx_new(st, eval_n_slots(e), &x) == 0) {
		extract_begin(x, cur, cur_t);
		res = eval_rule(e, x, rs->rules[0]);
	}
	extract_ctx_free(x);
	eval_free(e);
	ruleset_free(rs);
	return res;
}

#define T(cond) CHECK_INT_EQ(eval_cond(cond), 1)
#define F(cond) CHECK_INT_EQ(eval_cond(cond), 0)

/* Like eval_cond(), with the eval's regex limit hits in *ret_hits. */
static int eval_cond_hits(const char *cond, uint64_t *ret_hits)
{
	char yaml[8192];
	struct ruleset *rs;
	struct eval *e = NULL;
	struct extract_ctx *x = NULL;
	int res = -1;

	snprintf(yaml, sizeof(yaml),
		 "- rule: r\n  desc: d\n  condition: %s\n  output: o\n  priority: WARNING\n",
		 cond);
	rs = compile_rules(yaml);
	if (!rs)
		return -1;
	if (eval_new(rs, &(struct eval_opts){.min_priority = PRIORITY_DEBUG}, &e) == 0 &&
	    extract_ctx_new(st, eval_n_slots(e), &x) == 0) {
		extract_begin(x, cur, cur_t);
		res = eval_rule(e, x, rs->rules[0]);
		*ret_hits = eval_regex_limit_hits(e);
	}
	extract_ctx_free(x);
	eval_free(e);
	ruleset_free(rs);
	return res;
}

static void setup_procs(void)
{
	feed(tb_exec(OSP_EVT_PROC_SNAPSHOT, 900, 900,
		     &(struct tb_proc){.exe = "/usr/bin/containerd-shim-runc-v2",
				       .comm = "containerd-shim", ARGS("containerd-shim-runc-v2"),
				       .ppid = 1, .sid = 900, .loginuid = UINT32_MAX}));
	feed(tb_fork(1000, 1000, 900, 900));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 1000, 1000,
		     &(struct tb_proc){.exe = "/usr/bin/bash", .comm = "bash", ARGS("bash\0-i"),
				       .ppid = 900, .vpid = 1, .sid = 1, .loginuid = UINT32_MAX,
				       .tty = 136u << 20 /* pts/0 */, .cgroup = "/system.slice/docker-" ID64 ".scope",
				       .cwd = "/root", .env = "HOME=/root\0TERM=xterm",
				       .env_len = sizeof("HOME=/root\0TERM=xterm")}));
	feed(tb_fork(1001, 1001, 1000, 1000));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 1001, 1001,
		     &(struct tb_proc){.exe = "/usr/bin/cat", .comm = "cat",
				       ARGS("cat\0/etc/shadow"), .ppid = 1000, .vpid = 7, .sid = 1,
				       .uid = 0, .loginuid = UINT32_MAX, .tty = 136u << 20 /* pts/0 */,
				       .cgroup = "/system.slice/docker-" ID64 ".scope", .cwd = "/root",
				       .caps = 1ull << 21, .env = "HOME=/root", .env_len = 11}));
}

static void test_string_ops(void)
{
	feed(tb_openat(1001, 3, AT_FDCWD_K, "../etc/./shadow", 0, 0));
	T("fd.name = /etc/shadow");
	F("fd.name = /etc/shado");
	T("fd.name == /etc/shadow");
	F("fd.name != /etc/shadow");
	T("fd.name != /etc/passwd");
	T("fd.name contains shad");
	F("fd.name contains passwd");
	T("fd.name icontains SHAD");
	T("fd.name icontains /ETC/SHADOW");
	T("fd.name icontains dOw");
	F("fd.name icontains /ETC/SHADOWS");
	F("fd.name icontains SHAX");
	T("fd.name icontains ''");
	T("fd.name icontains eTc/sh"); /* after a false start at "/etc" */
	T("fd.name in (/nothing/of/this/length, /etc/shadow)");
	F("fd.name in (/etc/shadoW, /etc/shadows, x)");
	T("fd.name pmatch (/etc)");
	T("fd.name pmatch (/)");
	F("fd.name pmatch (/et, /etc/sh)");
	T("fd.name startswith /etc/");
	F("fd.name startswith /usr");
	T("fd.name endswith dow");
	T("fd.name glob '/etc/sh*'");
	F("fd.name glob '/usr/*'");
	T("fd.name iglob '/ETC/SH*'");
	T("fd.name regex '/etc/s[a-z]+'");
	F("fd.name regex 'etc'"); /* the whole value must match, as RE2::FullMatch */
	T("fd.name in (/etc/passwd, /etc/shadow)");
	F("fd.name in (/etc/passwd, /etc/group)");
	T("fd.name intersects (/etc/shadow)");
	T("fd.name pmatch (/usr, /etc)");
	T("fd.name pmatch (/etc/shadow)");
	F("fd.name pmatch (/et, /etc/sha)");
	T("fd.name pmatch (/)");
	T("fd.directory = /etc and fd.filename = shadow");
	T("fd.name exists");
	F("container.name exists");
	F("container.name = x"); /* no value: the comparison is false */
	T("not container.name = x");
	T("evt.type = openat and evt.dir = <");
	F("evt.type in (execve, execveat)");
	T("evt.type.is[openat] = true");
	T("evt.arg.flags contains O_RDONLY");
	T("evt.arg.name = /etc/shadow");
	T("evt.rawarg.flags = 0");
	T("evt.arg[1] = -100");
	T("evt.is_open_read = true and evt.is_open_write = false");
	T("evt.res = SUCCESS and evt.failed = false");
	T("evt.category = file");
	T("fd.typechar = f and fd.type = file");
}

/*
 * The freeze: `echo` of 400 a's and a b against a backtracking-hungry pattern. The
 * backreference form is refused at load time (as RE2 does); the RE2-legal exponential forms
 * stop at the match limit, count as no match and are counted.
 */
static void test_regex_bounded(void)
{
	static char args[512];
	uint64_t hits = 0;

	memcpy(args, "echo", 5);
	memset(args + 5, 'a', 400);
	args[405] = 'b';
	args[406] = 0;
	feed(tb_fork(1002, 1002, 1000, 1000));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 1002, 1002,
		     &(struct tb_proc){.exe = "/usr/bin/echo", .comm = "echo", .args = args,
				       .args_len = 407, .ppid = 1000, .sid = 1, .uid = 1000,
				       .loginuid = UINT32_MAX}));
	CHECK_INT_EQ(eval_cond("proc.cmdline regex 'echo (a*)(a*)(a*)\\3\\2'"), -1);
	CHECK_INT_EQ(eval_cond_hits("proc.cmdline regex 'echo (a|aa)*[cd]'", &hits), 0);
	CHECK_INT_EQ(hits, 1);
	hits = 0;
	CHECK_INT_EQ(eval_cond_hits("proc.cmdline regex 'echo (a*)(a*)(a*)a*[cd]'", &hits), 0);
	CHECK_INT_EQ(hits, 1);
	/* the same value against ordinary patterns: answered, no limit hit */
	hits = 0;
	CHECK_INT_EQ(eval_cond_hits("proc.cmdline regex 'echo a+b'", &hits), 1);
	CHECK_INT_EQ(hits, 0);
	T("proc.cmdline regex '(?i)ECHO A{400}B'");
	T("proc.cmdline regex 'echo a*?b'");
	F("proc.cmdline regex 'echo \\d+'");
	T("proc.name regex '\\w+'");
	/* the other rules of the same event still evaluate */
	T("proc.cmdline regex 'echo (a|aa)*[cd]' or proc.name = echo");
}

/* An event of a new process, for the transformers over several values. */
static void setup_tar(void)
{
	static const char args[] = "tar\0-xzf\0/tmp/a.tgz\0-C\0/tmp\0--verbose\0x";

	feed(tb_fork(1003, 1003, 1000, 1000));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 1003, 1003,
		     &(struct tb_proc){.exe = "/usr/bin/tar", .comm = "tar", ARGS(args),
				       .ppid = 1000, .sid = 1, .uid = 0, .loginuid = UINT32_MAX}));
	feed(tb_openat(1003, 3, AT_FDCWD_K, "/tmp/a.tgz", 0, 0));
	feed(tb_openat(1003, 4, AT_FDCWD_K, "/tmp/b", 0, 0));
}

/* join(), concat(), getopt() (libs 0.25) and transformers on the right of a comparison. */
static void test_multi_transformers(void)
{
	setup_tar();
	T("proc.args = '-xzf /tmp/a.tgz -C /tmp --verbose x'");
	/* getopt with a selector: the option's argument, or the option itself */
	T("getopt(proc.args, 'xzf:C:')[f] = /tmp/a.tgz");
	T("getopt(proc.args, \"xzf:C:\")[C] = /tmp");
	T("getopt(proc.args, 'xzf:C:')[x] = x");
	F("getopt(proc.args, 'xzf:C:')[v] exists"); /* not in the optstring */
	F("getopt(proc.args, 'xz')[f] exists");      /* not in the optstring */
	T("getopt(proc.args, 'xzf:C:')[z] exists");
	T("len(getopt(proc.args, 'xzf:C:')[f]) = 10");
	T("toupper(getopt(proc.args, 'xzf:C:')[C]) = /TMP");
	/* without: the list of options and arguments, '?' for unknown ones */
	T("getopt(proc.args, 'xzf:C:') intersects (C)");
	T("getopt(proc.args, 'xzf:C:') intersects (/tmp/a.tgz)");
	F("getopt(proc.args, 'xzf:C:') intersects (--verbose, x.y)");
	T("getopt(proc.args, 'xz') intersects ('?')");
	/* the optstring from a field */
	T("getopt(proc.args, concat(proc.name, 'f:'))[f] = /tmp/a.tgz");
	/* concat */
	T("concat(proc.name, '-', proc.pname) = tar-bash");
	T("concat(proc.name, '') = tar");
	T("concat(proc.name, proc.name) startswith tart");
	F("concat(proc.name, 'x') = tar");
	T("toupper(concat(proc.name, '/', basename(fd.name))) = TAR/B");
	/* join over a list: getopt's, or a list field (fd.types: the types of the process' fds) */
	T("join(',', getopt(proc.args, 'xzf:C:')) = 'x,z,f,/tmp/a.tgz,C,/tmp'");
	T("join(proc.name, getopt(proc.args, 'xz')) = xtarztar?");
	T("join(' ', getopt(proc.args, 'xzf:C:')) = concat('x z f /tmp/a.tgz C /', basename(fd.directory))");
	T("join(',', fd.types) exists");
	T("join(',', fd.types) contains file");
	/* a transformer on the right, as Falco allows */
	T("proc.name = tolower(proc.name)");
	F("proc.name = toupper(proc.name)");
	T("toupper(proc.name) = toupper(proc.name)");
	T("proc.cmdline startswith concat(proc.name, ' -x')");
	F("proc.cmdline startswith concat(proc.pname, ' ')");
	/* refused at load time */
	CHECK_INT_EQ(eval_cond("join(',', proc.name) = x"), -1);
	CHECK_INT_EQ(eval_cond("concat(proc.name) = x"), -1);
	CHECK_INT_EQ(eval_cond("concat(fd.types, 'x') = x"), -1);
	CHECK_INT_EQ(eval_cond("concat('a', 'b') = ab"), -1);
	CHECK_INT_EQ(eval_cond("getopt(proc.args, 'ab')[ab] = x"), -1);
	CHECK_INT_EQ(eval_cond("getopt(proc.pid, 'ab')[a] = x"), -1);
}

static void test_numeric_and_transformers(void)
{
	T("fd.num = 3");
	T("fd.num >= 3 and fd.num <= 3");
	F("fd.num > 3");
	F("fd.num < 3");
	T("fd.num in (1, 2, 3)");
	T("evt.rawres = 3");
	T("evt.num > 0");
	T("proc.tty = 34816");
	T("proc.tty != 0");
	T("user.uid = 0");
	T("user.loginuid = -1");
	T("user.loginuid < 0");
	T("tolower(proc.name) = cat");
	T("toupper(proc.name) = CAT");
	T("basename(fd.name) = shadow");
	T("len(fd.name) = 11");
	T("tolower(basename(fd.name)) = shadow");
	T("proc.name = val(proc.name)");
	F("proc.name = val(proc.pname)");
}

static void test_process_fields(void)
{
	T("proc.name = cat and proc.exe = cat and proc.exepath = /usr/bin/cat");
	T("proc.args = /etc/shadow and proc.cmdline = \"cat /etc/shadow\"");
	T("proc.cmdnargs = 1");
	T("proc.pname = bash and proc.pcmdline = \"bash -i\"");
	T("proc.aname[0] = cat and proc.aname[1] = bash and proc.aname[2] = containerd-shim");
	F("proc.aname[3] exists");
	T("proc.aname = containerd-shim"); /* no index: any ancestor */
	T("proc.aname in (containerd-shim, runc)");
	F("proc.aname = cat");
	T("proc.aexepath[2] = /usr/bin/containerd-shim-runc-v2");
	T("proc.apid[1] = 1000");
	T("proc.pid = 1001 and proc.ppid = 1000 and proc.vpid = 7 and thread.tid = 1001");
	T("proc.cwd = /root/"); /* Falco keeps a trailing slash */
	T("proc.env[HOME] = /root");
	T("proc.aenv[TERM] = xterm");
	T("proc.env contains \"HOME=\"");
	T("thread.cap_effective contains CAP_SYS_ADMIN");
	T("thread.ismain = true");
	T("proc.sname = bash");
	T("proc.is_exe_from_memfd = false");
	T("container.id = 3ad7b26ded6d");
	T("container.full_id = " ID64);
	T("container.id != host");
	F("k8s.ns.name exists");
}

static void test_net_fields(void)
{
	feed(tb_exec(OSP_EVT_PROC_EXEC, 1001, 1001,
		     &(struct tb_proc){.exe = "/usr/bin/perl", .comm = "perl", ARGS("perl"),
				       .ppid = 1000, .sid = 1, .loginuid = 1000, .cwd = "/root"}));
	feed(tb_socket(1001, 4, 2, 1));
	feed(tb_connect4(1001, -115, 4, "10.0.0.5", 40000, "198.51.100.7", 3333));
	T("evt.type = connect and evt.res = EINPROGRESS and evt.rawres = -115");
	T("fd.sip = 198.51.100.7");
	T("fd.rip = 198.51.100.7 and fd.lip = 10.0.0.5 and fd.cip = 10.0.0.5");
	F("fd.sip = 198.51.100.8");
	T("fd.snet = 198.51.100.0/24");
	T("fd.net = 10.0.0.0/8"); /* either end */
	T("fd.rnet in (192.0.2.0/24, 198.51.0.0/16)");
	F("fd.rnet in (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)");
	T("fd.ip = 10.0.0.5 and fd.ip = 198.51.100.7");
	T("fd.sport = 3333 and fd.rport = 3333 and fd.lport = 40000 and fd.cport = 40000");
	T("fd.sport in (3333, 4444)");
	T("fd.port = 40000");
	T("fd.l4proto = tcp and fd.typechar = 4 and fd.type = ipv4 and fd.sockfamily = ip");
	T("fd.name = 10.0.0.5:40000->198.51.100.7:3333");
	T("fd.name_changed = true");
	feed(tb_dup2(1001, 0, 4, 0));
	T("evt.type = dup2 and evt.rawres = 0 and fd.num = 4 and fd.typechar = 4");
	T("user.loginuid = 1000");
}

static void test_file_events(void)
{
	feed(tb_fchmodat(1001, 0, "x/../suid", 04755));
	T("evt.arg.mode contains S_ISUID");
	F("evt.arg.mode contains S_ISGID");
	T("fs.path.name = /root/suid");
	T("fs.path.nameraw = x/../suid");
	feed(tb_symlinkat(1001, 0, "/etc/shadow", "link"));
	T("fs.path.source = /etc/shadow and fs.path.target = /root/link");
	T("evt.arg.target = /etc/shadow");
	feed(tb_creat(1001, 5, "/etc/new", 0755));
	T("evt.is_open_write = true and evt.is_open_create = true and evt.is_open_exec = true");
	T("fd.name = /etc/new and fd.directory = /etc");
	feed(tb_openat(1001, -2, AT_FDCWD_K, "/nope", 0, 0));
	T("fd.num = -2 and evt.res = ENOENT and evt.failed = true");
	feed(tb_ptrace(1001, 0, 16, 1000));
	T("evt.arg.request = PTRACE_ATTACH and evt.arg.pid = 1000");
	feed(tb_fork(1002, 1002, 1001, 1001));
	T("evt.type = clone and evt.rawres = 0");
	T("evt.type in (clone, fork)");
	feed(tb_exit(1002));
	T("evt.type = procexit");
}

/*
 * The fields compared without a cache slot (extract_scalar()): the same answers as through the
 * general path, also where the event has no value (then even != is false) and where the operand
 * does not fit the scalar form (a two-character fd.typechar).
 */
static void test_scalar_fields(void)
{
	feed(tb_openat(1001, 7, AT_FDCWD_K, "/tmp/x", 02 /* O_RDWR */, 0));
	T("fd.num = 7 and fd.num != 6 and fd.num > 6 and fd.num >= 7 and fd.num < 8 "
	  "and fd.num <= 7");
	F("fd.num = 6");
	F("fd.num != 7");
	F("fd.num < 7");
	F("fd.num > 7");
	T("evt.rawres = 7 and evt.rawres >= 0");
	T("fd.typechar = f and fd.typechar != d");
	F("fd.typechar = d");
	F("fd.typechar != f");
	F("fd.typechar = ff");
	T("fd.typechar != ff");
	T("evt.is_open_read = true and evt.is_open_write = true");
	T("evt.is_open_read != false and evt.is_open_write != false");
	F("evt.is_open_read = false");
	feed(tb_openat(1001, 8, AT_FDCWD_K, "/tmp/y", 01 /* O_WRONLY */, 0));
	T("evt.is_open_read = false and evt.is_open_write = true");
	feed(tb_openat(1001, -13, AT_FDCWD_K, "/tmp/z", 0, 0));
	T("fd.num = -13 and fd.num < 0 and evt.rawres = -13");
	F("fd.num >= 0");
	/* evt.arg.flags contains NAME: a bit test where the name says which flag (O_CREAT), the
	 * text where it may be part of another (CREAT, O_DIRECT) */
	feed(tb_openat(1001, 9, AT_FDCWD_K, "/tmp/w", 01 | 0100 | 01000, 0644));
	T("evt.arg.flags contains O_CREAT and evt.arg.flags contains O_TRUNC");
	T("evt.arg.flags contains O_WRONLY and evt.arg.flags contains CREAT");
	T("evt.arg.flags contains \"O_CREAT|O_WRONLY\""); /* Falco's order */
	F("evt.arg.flags contains O_RDONLY");
	F("evt.arg.flags contains O_DIRECT");
	F("evt.arg.flags contains CLONE_NEWNS");
	T("evt.arg[3] contains O_CREAT");
	T("not evt.arg.mode contains O_CREAT");
	feed(tb_ptrace(1001, 0, 16, 1000)); /* no fd, no open flags */
	F("evt.arg.flags contains O_CREAT");
	F("fd.num >= 0");
	F("fd.num < 0");
	F("fd.num != 3");
	T("not fd.num = 3");
	F("fd.typechar = f");
	F("fd.typechar != f");
	T("evt.is_open_read = false and evt.is_open_write != true");
	T("evt.rawres = 0");
}

static struct ruleset *load_files(const char *const *paths, size_t n)
{
	struct ruleset *rs = ruleset_new();
	struct diag_list diags = {};
	int r = 0;

	for (size_t i = 0; rs && i < n && r == 0; i++)
		r = ruleset_load_file(rs, paths[i], &diags);
	if (rs && r == 0)
		r = ruleset_compile(rs, &diags);
	diag_list_clear(&diags);
	if (r < 0) {
		ruleset_free(rs);
		return NULL;
	}
	return rs;
}

static size_t n_hits;
static const char *hits[8];
static void count_alert(const struct alert *a, void *userdata)
{
	(void)userdata;
	if (n_hits < 8)
		hits[n_hits] = a->rule;
	n_hits++;
}

static void test_index_and_matching(void)
{
	static const char yaml[] =
		"- rule: open etc\n  desc: d\n  condition: evt.type = openat and fd.name startswith"
		" /etc\n  output: o %fd.name\n  priority: WARNING\n"
		"- rule: any open\n  desc: d\n  condition: evt.type in (open, openat)\n  output: o\n"
		"  priority: NOTICE\n"
		"- rule: exec\n  desc: d\n  condition: evt.type = execve and proc.name = cat\n"
		"  output: o\n  priority: INFORMATIONAL\n"
		"- rule: spawn\n  desc: d\n  condition: evt.type in (clone, fork)\n  output: o\n"
		"  priority: DEBUG\n";
	struct ruleset *rs = compile_rules(yaml);
	struct osprey_config c;
	struct detect *d = NULL;
	uint8_t ids[OSP_EVT_COUNT], interest[OSP_EVT_COUNT];

	CHECK(rs);
	if (!rs)
		return;
	eval_evtset_to_ids(&rs->rules[0]->evttypes, ids);
	CHECK(ids[OSP_EVT_OPENAT] && !ids[OSP_EVT_OPEN] && !ids[OSP_EVT_PROC_EXEC]);
	eval_evtset_to_ids(&rs->rules[2]->evttypes, ids);
	CHECK(ids[OSP_EVT_PROC_EXEC] && ids[OSP_EVT_EXECVE] && !ids[OSP_EVT_OPENAT]);
	eval_evtset_to_ids(&rs->rules[3]->evttypes, ids);
	CHECK(ids[OSP_EVT_PROC_FORK] && ids[OSP_EVT_CLONE] && ids[OSP_EVT_FORK] &&
	      !ids[OSP_EVT_VFORK]);

	osprey_config_init(&c);
	c.rule_matching = RULE_MATCHING_FIRST;
	CHECK_INT_EQ(detect_new(&c, rs, &(struct detect_opts){.host_root = "/nonexistent"}, &d),
		     0);
	if (!d)
		goto out;
	detect_set_alert_fn(d, count_alert, NULL);
	detect_interest(d, interest);
	CHECK(interest[OSP_EVT_OPENAT] && interest[OSP_EVT_OPEN] && interest[OSP_EVT_CLONE]);
	CHECK(interest[OSP_EVT_EXECVE] && interest[OSP_EVT_PROC_EXEC]);
	CHECK(!interest[OSP_EVT_PTRACE] && !interest[OSP_EVT_MPROTECT]);
	/* the state tracking's events are in the set too */
	CHECK(interest[OSP_EVT_CLOSE] && interest[OSP_EVT_CONNECT]);
	n_hits = 0;
	detect_on_event(d, tb_openat(1, 3, AT_FDCWD_K, "/etc/hosts", 0, 0));
	CHECK_INT_EQ(n_hits, 1); /* first: only the first matching rule */
	CHECK_STR_EQ(hits[0], "open etc");
	detect_free(d);
	d = NULL;

	c.rule_matching = RULE_MATCHING_ALL;
	c.priority = PRIORITY_NOTICE;
	CHECK_INT_EQ(detect_new(&c, rs, &(struct detect_opts){.host_root = "/nonexistent"}, &d),
		     0);
	if (!d)
		goto out;
	detect_set_alert_fn(d, count_alert, NULL);
	n_hits = 0;
	detect_on_event(d, tb_openat(1, 3, AT_FDCWD_K, "/etc/hosts", 0, 0));
	CHECK_INT_EQ(n_hits, 2);
	n_hits = 0;
	detect_on_event(d, tb_fork(2, 2, 1, 1)); /* spawn is DEBUG: below the minimum */
	CHECK_INT_EQ(n_hits, 0);
	detect_interest(d, interest);
	CHECK(!interest[OSP_EVT_CLONE] || interest[OSP_EVT_CLONE]); /* state may want it */
out:
	detect_free(d);
	osprey_config_done(&c);
	ruleset_free(rs);
}

/* ---- throughput ---- */

#define BENCH_POOL (8u << 20)

/* A synthetic node workload: shells forking and exec'ing tools, which open files (mostly
 * below /usr and /proc, some below /etc), connect, dup, chmod, and exit. */
static size_t build_stream(uint8_t *pool, size_t cap, size_t *ret_n)
{
	static const char *const paths[] = {
		"/usr/lib/x86_64-linux-gnu/libc.so.6", "/etc/ld.so.cache", "/proc/self/status",
		"/usr/share/locale/locale.alias", "/etc/passwd", "/tmp/build/obj.o",
		"/home/alice/src/main.c", "/var/lib/dpkg/status",
	};
	/* paths[5] is only read: writes go to the object file below */
	static const char *const tools[] = {"gcc", "make", "sh", "python3", "curl", "git"};
	size_t used = 0, n = 0;
	uint64_t ts = TS_BASE;
	uint32_t next = 20000;

	for (unsigned iter = 0; used + 4096 < cap; iter++) {
		uint32_t pid = next++;
		const char *tool = tools[iter % 6];
		char exe[64];
		int r;

		snprintf(exe, sizeof(exe), "/usr/bin/%s", tool);
		record_begin(&tb, pool + used, cap - used, OSP_EVT_PROC_FORK, ts++, pid, pid, 6);
		record_add_s64(&tb, 1000);
		record_add_s64(&tb, 1000);
		record_add_s64(&tb, pid);
		record_add_s64(&tb, pid);
		record_add_u32(&tb, 0x11);
		record_add_u32(&tb, 4026531836u);
		if ((r = record_end(&tb)) <= 0)
			break;
		used += (size_t)r, n++;
		record_begin(&tb, pool + used, cap - used, OSP_EVT_PROC_EXEC, ts++, pid, pid,
			     event_info(OSP_EVT_PROC_EXEC)->nparams);
		for (unsigned j = 0; j < event_info(OSP_EVT_PROC_EXEC)->nparams; j++) {
			uint8_t pt = event_info(OSP_EVT_PROC_EXEC)->params[j].type;

			if (j == OSP_EXEC_P_EXE || j == OSP_EXEC_P_FILENAME)
				record_add_str(&tb, exe, 256);
			else if (j == OSP_EXEC_P_ARGS)
				record_add_bytes(&tb, "x\0-c\0arg", 9, 64);
			else if (j == OSP_EXEC_P_COMM)
				record_add_str(&tb, tool, 17);
			else if (j == OSP_EXEC_P_CWD)
				record_add_str(&tb, "/home/alice", 64);
			else if (j == OSP_EXEC_P_CGROUP)
				record_add_str(&tb, "/user.slice", 64);
			else if (j == OSP_EXEC_P_PPID)
				record_add_s64(&tb, 1000);
			else if (j == OSP_EXEC_P_LOGINUID)
				record_add_u32(&tb, 1000);
			else if (osp_param_type_size(pt) == 8)
				record_add_u64(&tb, 0);
			else if (osp_param_type_size(pt) == 4)
				record_add_u32(&tb, 0);
			else
				record_add_empty(&tb);
		}
		if ((r = record_end(&tb)) <= 0)
			break;
		used += (size_t)r, n++;
		for (unsigned k = 0; k < 40 && used + 1024 < cap; k++) {
			if (k % 10 == 9) {
				record_begin(&tb, pool + used, cap - used, OSP_EVT_CONNECT, ts++, pid,
					     pid, 3);
				record_add_s64(&tb, 0);
				record_add_s64(&tb, 3);
				record_add_bytes(&tb,
						 (uint8_t[13]){OSP_AF_INET, 10, 0, 0, 5, 0x40, 0x9c,
							       93, 184, 216, 34, 0xbb, 1},
						 13, 13);
			} else if (k % 2) {
				record_begin(&tb, pool + used, cap - used, OSP_EVT_CLOSE, ts++, pid,
					     pid, 2);
				record_add_s64(&tb, 0);
				record_add_s64(&tb, 3);
			} else {
				record_begin(&tb, pool + used, cap - used, OSP_EVT_OPENAT, ts++, pid,
					     pid, 5);
				record_add_s64(&tb, 3);
				record_add_s64(&tb, AT_FDCWD_K);
				/* reads of libraries and configuration, object files written; once
				 * in a while a shell reads /etc/shadow (an alert) */
				const char *path = k % 8 == 4		      ? "/tmp/build/obj.o"
						   : iter % 500 == 0 && k == 2 ? "/etc/shadow"
									       : paths[(iter + k) % 8];

				record_add_str(&tb, path, 256);
				record_add_u32(&tb, k % 8 == 4 ? 01101 : 02000000);
				record_add_u32(&tb, 0644);
			}
			if ((r = record_end(&tb)) <= 0)
				break;
			used += (size_t)r, n++;
		}
		record_begin(&tb, pool + used, cap - used, OSP_EVT_PROC_EXIT, ts++, pid, pid, 2);
		record_add_u32(&tb, 0);
		record_add_u32(&tb, 0);
		if ((r = record_end(&tb)) <= 0)
			break;
		used += (size_t)r, n++;
	}
	*ret_n = n;
	return used;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double bench_one(const struct ruleset *rs, bool no_index, const uint8_t *pool, size_t len,
			size_t n_events, uint64_t *ret_alerts)
{
	struct osprey_config c;
	struct detect *d = NULL;
	struct detect_stats s;
	double best = 0;

	osprey_config_init(&c);
	c.rule_matching = RULE_MATCHING_ALL;
	for (int round = 0; round < 5; round++) { /* best of 5: the machine is shared */
		double t0, dt;
		size_t off = 0;

		if (detect_new(&c, rs,
			       &(struct detect_opts){.no_index = no_index,
						     .host_root = "/nonexistent"},
			       &d) < 0)
			break;
		detect_set_machine(d, "bench", 0);
		detect_set_alert_fn(d, NULL, NULL);
		/* the login shell every process is forked from */
		detect_on_event(d, tb_exec(OSP_EVT_PROC_SNAPSHOT, 1000, 1000,
					   &(struct tb_proc){.exe = "/usr/bin/bash", .comm = "bash",
							     ARGS("-bash"), .loginuid = 1000,
							     .cwd = "/home/alice"}));
		t0 = now_s();
		while (off < len) {
			struct event e;
			const struct osp_event_hdr *h = (const void *)(pool + off);

			if (event_decode(pool + off, h->len, &e) == 0)
				detect_on_event(d, &e);
			off += h->len;
		}
		dt = now_s() - t0;
		detect_get_stats(d, &s);
		*ret_alerts = s.matches;
		detect_free(d);
		d = NULL;
		if (dt > 0 && (double)n_events / dt > best)
			best = (double)n_events / dt;
	}
	osprey_config_done(&c);
	return best;
}

static void bench(void)
{
	static const char *const falco_files[] = {
		FIXTURES "/falco_rules.yaml",
		FIXTURES "/falco-incubating_rules.yaml",
		FIXTURES "/falco-sandbox_rules.yaml",
	};
	static const char *const default_files[] = {DEFAULT_RULES};
	uint8_t *pool = malloc(BENCH_POOL);
	size_t n_events = 0, len;
	const struct {
		const char *name;
		const char *const *files;
		size_t n;
	} sets[] = {
		{"default rules", default_files, 1},
		{"upstream Falco rules (3 files)", falco_files, 3},
	};

	if (!pool)
		return;
	len = build_stream(pool, BENCH_POOL, &n_events);
	printf("bench: synthetic stream of %zu events (%zu bytes): fork/exec/exit, openat, "
	       "close, connect\n",
	       n_events, len);
	{
		/* the floor: decoding and state tracking, one rule that never runs */
		struct ruleset *rs = compile_rules("- rule: r\n  desc: d\n  condition: evt.type ="
						   " mount\n  output: o\n  priority: INFO\n");
		uint64_t a = 0;

		if (rs) {
			printf("bench: decode + state + dispatch only: %.2f M events/s\n",
			       bench_one(rs, false, pool, len, n_events, &a) / 1e6);
			ruleset_free(rs);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		struct ruleset *rs = load_files(sets[i].files, sets[i].n);
		uint64_t a1 = 0, a2 = 0;
		double idx, all;
		size_t enabled = 0;

		if (!rs) {
			printf("bench: %s: did not load\n", sets[i].name);
			continue;
		}
		for (size_t k = 0; k < rs->n_rules; k++)
			enabled += rs->rules[k]->enabled && rs->rules[k]->compiled;
		idx = bench_one(rs, false, pool, len, n_events, &a1);
		/* EVAL_BENCH_INDEXED_ONLY: for profiling the indexed path alone */
		all = getenv("EVAL_BENCH_INDEXED_ONLY") ? 0
							: bench_one(rs, true, pool, len, n_events, &a2);
		if (!all)
			a2 = a1;
		printf("bench: %s (%zu enabled rules): indexed %.2f M events/s, every rule on every "
		       "event %.2f M events/s, ratio %.1fx; matches %llu / %llu\n",
		       sets[i].name, enabled, idx / 1e6, all / 1e6, all > 0 ? idx / all : 0,
		       (unsigned long long)a1, (unsigned long long)a2);
		CHECK_INT_EQ(a1, a2); /* the index never changes what matches */
		ruleset_free(rs);
	}
	free(pool);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	CHECK_INT_EQ(state_new(&(struct state_opts){.host_root = "/nonexistent"}, &st), 0);
	if (!st)
		return test_finish("eval");
	setup_procs();
	test_string_ops();
	test_numeric_and_transformers();
	test_process_fields();
	test_net_fields();
	test_file_events();
	test_scalar_fields();
	/* last: these move the current event to new processes */
	test_multi_transformers();
	test_regex_bounded();
	state_free(st);
	test_index_and_matching();
	if (!getenv("EVAL_NO_BENCH"))
		bench();
	return test_finish("eval");
}
