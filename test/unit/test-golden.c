// SPDX-License-Identifier: Apache-2.0
/*
 * Golden test: a synthetic event sequence (built with record_builder) goes through the default
 * rules (rules/osprey_rules.yaml) with the real state, extraction and evaluation; the alerts'
 * text lines (alert_render(), TZ=UTC) must equal the expected lines byte for byte.
 *
 * The story: a host with systemd and containerd-shim; in a docker container, an interactive bash
 * whose child cat reads /etc/shadow; on the host a python that runs a memfd, a chmod u+s, perl
 * connecting to a mining pool port, a reverse shell dup2()ing a socket onto stdin, a symlink to
 * /etc/shadow, strace attaching, rm of a log file. Then the same story through the upstream
 * falco_rules.yaml (unmodified, from ../shared/fixtures), whose alerts are checked the same way.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "detect-events.h"
#include "detect.h"
#include "diag.h"
#include "config.h"
#include "ruleset.h"

#define DEFAULT_RULES OSPREY_SOURCE_ROOT "/rules/osprey_rules.yaml"
#define FALCO_RULES   OSPREY_SOURCE_ROOT "/../shared/fixtures/falco-rules/falco_rules.yaml"
#define MAX_ALERTS    64

static const char *const expected[] = {
	"04:00:01.000004000: Notice Interactive shell started in container | shell=bash paren"
	"t=containerd-shim command=bash terminal=34816 user= user_uid=0 user_loginuid=-1 "
	"proc_exepath=/usr/bin/bash container_id=3ad7b26ded6d container_name=<NA> container_i"
	"mage=<NA> k8s_ns=<NA> k8s_pod=<NA>\n",
	"04:00:01.000007000: Warning Sensitive file opened for reading by untrusted program |"
	" file=/etc/shadow process=cat proc_exepath=/usr/bin/cat parent=bash command=cat /etc"
	"/shadow user= user_uid=0 user_loginuid=-1 terminal=34816 container_id=3ad7b26ded"
	"6d container_image=<NA>\n",
	"04:00:01.000012000: Critical Program executed from a memory file | exe=/memfd:osp (d"
	"eleted) command=3 process=3 parent=bash pcmdline=bash user= user_uid=1000 user_login"
	"uid=1000 terminal=34817 container_id=host container_image=<NA>\n",
	"04:00:01.000016000: Notice Setuid or setgid bit set | file=/tmp/osp-suid fd_name=<NA"
	"> mode=S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID syscall=fchmo"
	"dat process=chmod proc_exepath=/usr/bin/chmod parent=bash command=chmod u+s /tmp/osp"
	"-suid user= user_uid=0 user_loginuid=1000 terminal=34817 container_id=host conta"
	"iner_image=<NA>\n",
	"04:00:01.000021000: Warning Outbound connection to a mining pool port | connection=1"
	"0.0.0.5:40000->198.51.100.7:3333 server=198.51.100.7:3333 process=perl proc_exepath="
	"/usr/bin/perl command=perl -MIO::Socket::INET -e ... parent=bash user= user_uid=1000"
	" container_id=host container_image=<NA> k8s_ns=<NA> k8s_pod=<NA>\n",
	"04:00:01.000022000: Critical Standard stream redirected to network socket | fd=0 con"
	"nection=10.0.0.5:40000->198.51.100.7:3333 remote=198.51.100.7:3333 process=perl proc"
	"_exepath=/usr/bin/perl command=perl -MIO::Socket::INET -e ... parent=bash user= user"
	"_uid=1000 user_loginuid=1000 terminal=34817 container_id=host container_image=<N"
	"A>\n",
	"04:00:01.000026000: Warning Link created to sensitive file | syscall=symlinkat targe"
	"t=/etc/shadow link=/tmp/osp-shadow-link process=ln proc_exepath=/usr/bin/ln parent=b"
	"ash command=ln -sf /etc/shadow /tmp/osp-shadow-link user= user_uid=0 user_loginuid=1"
	"000 terminal=34817 container_id=host container_image=<NA>\n",
	"04:00:01.000027000: Warning File below /etc opened for writing | file=/etc/osp-test "
	"flags=<NA> process=ln proc_exepath=/usr/bin/ln parent=bash command=ln -sf /etc/shado"
	"w /tmp/osp-shadow-link user= user_uid=0 user_loginuid=1000 terminal=34817 contai"
	"ner_id=host container_image=<NA>\n",
	"04:00:01.000032000: Warning Process attached with ptrace | request=PTRACE_ATTACH tar"
	"get_pid=3000 process=strace proc_exepath=/usr/bin/strace parent=bash command=strace "
	"-p 3000 user= user_uid=0 user_loginuid=1000 terminal=34817 container_id=host con"
	"tainer_image=<NA>\n",
	"04:00:01.000036000: Warning Log files cleared | file=<NA> path=/var/log/auth.log sys"
	"call=unlinkat process=rm proc_exepath=/usr/bin/rm parent=bash command=rm -f /var/log"
	"/auth.log user= user_uid=0 user_loginuid=1000 terminal=34817 container_id=host c"
	"ontainer_image=<NA>\n",
};

/* The same story through upstream falco_rules.yaml. */
static const char *const expected_falco[] = {
	"04:00:01.000042000: Notice A shell was spawned in a container with an attached termi"
	"nal | evt_type=execve user= user_uid=0 user_loginuid=-1 process=bash proc_exepath=/u"
	"sr/bin/bash parent=containerd-shim command=bash terminal=34816 exe_flags=0\n",
	"04:00:01.000045000: Warning Sensitive file opened for reading by non-trusted program"
	" | file=/etc/shadow gparent=containerd-shim ggparent=systemd gggparent=<NA> evt_type"
	"=openat user= user_uid=0 user_loginuid=-1 process=cat proc_exepath=/usr/bin/cat pare"
	"nt=bash command=cat /etc/shadow terminal=34816\n",
	"04:00:01.000050000: Critical Fileless execution via memfd_create | container_start_t"
	"s=<NA> proc_cwd=/home/alice/ evt_res=SUCCESS proc_sname=bash gparent=systemd evt_type"
	"=execve user= user_uid=1000 user_loginuid=1000 process=3 proc_exepath=/memfd:osp (de"
	"leted) parent=bash command=3 terminal=34817 exe_flags=EXE_FROM_MEMFD\n",
	"04:00:01.000064000: Warning Symlinks created over sensitive files | target=/etc/shad"
	"ow linkpath=/tmp/osp-shadow-link evt_type=symlinkat user= user_uid=0 user_loginuid=1"
	"000 process=ln proc_exepath=/usr/bin/ln parent=bash command=ln -sf /etc/shadow /tmp/"
	"osp-shadow-link terminal=34817\n",
	"04:00:01.000070000: Warning Detected ptrace PTRACE_ATTACH attempt | proc_pcmdline=ba"
	"sh evt_type=ptrace user= user_uid=0 user_loginuid=1000 process=strace proc_exepath=/"
	"usr/bin/strace parent=bash command=strace -p 3000 terminal=34817\n",
};

static const char expected_json[] =
	"{\"hostname\":\"golden-host\",\"output\":\"04:00:01.000012000: Critical Program execute"
	"d from a memory file | exe=/memfd:osp (deleted) command=3 process=3 parent=bash "
	"pcmdline=bash user= user_uid=1000 user_loginuid=1000 terminal=34817 containe"
	"r_id=host container_image=<NA>\",\"output_fields\":{\"container.id\":\"host\",\"containe"
	"r.image.repository\":null,\"evt.time\":1795320001000012000,\"proc.cmdline\":\"3\",\"proc"
	".exepath\":\"/memfd:osp (deleted)\",\"proc.name\":\"3\",\"proc.pcmdline\":\"bash\",\"proc.pn"
	"ame\":\"bash\",\"proc.tty\":34817,\"user.loginuid\":1000,\"user.name\":\"\",\"user.uid\":"
	"1000},\"priority\":\"Critical\",\"rule\":\"Program Run from Memory File\",\"source\":\"sysc"
	"all\",\"tags\":[\"T1620\",\"container\",\"host\",\"mitre_defense_evasion\",\"process\"],\"time"
	"\":\"2026-11-22T04:00:01.000012000Z\"}\n";

static char alerts[MAX_ALERTS][4096];
static char json[8192];
static size_t n_alerts;
static struct detect *d;

static void on_alert(const struct alert *a, void *userdata)
{
	struct alert_format f;
	int r;

	(void)userdata;
	alert_format_init(&f);
	if (n_alerts >= MAX_ALERTS)
		return;
	r = alert_render(a, &f, "golden-host", alerts[n_alerts], sizeof(alerts[n_alerts]));
	CHECK(r > 0);
	if (r > 0)
		n_alerts++;
	if (strcmp(a->rule, "Program Run from Memory File") == 0) {
		/* the JSON form: typed output_fields (numbers, null for missing values) */
		f.json = true;
		r = alert_render(a, &f, "golden-host", json, sizeof(json));
		CHECK(r > 0);
	}
}

static void feed(const struct event *e)
{
	if (e)
		detect_on_event(d, e);
}

static void story(void)
{
	const uint32_t O_RDONLY_K = 0, O_WRONLY_K = 01, O_CREAT_K = 0100;
	/* what ran before the capture */
	feed(tb_exec(OSP_EVT_PROC_SNAPSHOT, 1, 1,
		     &(struct tb_proc){.exe = "/usr/lib/systemd/systemd", .comm = "systemd",
				       ARGS("/sbin/init"), .sid = 1, .loginuid = UINT32_MAX}));
	feed(tb_exec(OSP_EVT_PROC_SNAPSHOT, 900, 900,
		     &(struct tb_proc){.exe = "/usr/bin/containerd-shim-runc-v2",
				       .comm = "containerd-shim", ARGS("containerd-shim-runc-v2\0-id"),
				       .ppid = 1, .sid = 900, .loginuid = UINT32_MAX}));
	feed(tb_exec(OSP_EVT_PROC_SNAPSHOT, 3000, 3000,
		     &(struct tb_proc){.exe = "/usr/bin/bash", .comm = "bash", ARGS("-bash"),
				       .ppid = 1, .sid = 3000, .uid = 1000, .gid = 1000,
				       .loginuid = 1000, .tty = 0x8800001, .cwd = "/home/alice"}));

	/* 1. an interactive shell in a container, then cat /etc/shadow */
	feed(tb_fork(1000, 1000, 900, 900));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 1000, 1000,
		     &(struct tb_proc){.exe = "/usr/bin/bash", .comm = "bash", ARGS("bash"),
				       .ppid = 900, .vpid = 1, .sid = 1, .loginuid = UINT32_MAX,
				       .tty = 0x8800000,
				       .cgroup = "/system.slice/docker-" ID64 ".scope",
				       .cwd = "/root"}));
	feed(tb_fork(1001, 1001, 1000, 1000));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 1001, 1001,
		     &(struct tb_proc){.exe = "/usr/bin/cat", .comm = "cat",
				       ARGS("cat\0/etc/shadow"), .ppid = 1000, .vpid = 7, .sid = 1,
				       .loginuid = UINT32_MAX, .tty = 0x8800000,
				       .cgroup = "/system.slice/docker-" ID64 ".scope",
				       .cwd = "/root"}));
	feed(tb_openat(1001, 3, AT_FDCWD_K, "../etc/shadow", O_RDONLY_K, 0));
	feed(tb_exit(1001));

	/* 2. fileless execution from a memfd */
	feed(tb_fork(2000, 2000, 3000, 3000));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 2000, 2000,
		     &(struct tb_proc){.exe = "/usr/bin/python3.11", .comm = "python3",
				       ARGS("python3\0-c\0pass"), .ppid = 3000, .sid = 3000,
				       .uid = 1000, .gid = 1000, .loginuid = 1000,
				       .tty = 0x8800001, .cwd = "/home/alice"}));
	feed(tb_memfd(2000, 3, "osp"));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 2000, 2000,
		     &(struct tb_proc){.exe = "/memfd:osp (deleted)", .comm = "3",
				       ARGS("osp-memfd"), .ppid = 3000, .sid = 3000, .uid = 1000,
				       .gid = 1000, .loginuid = 1000, .tty = 0x8800001,
				       .exe_flags = OSP_EXE_FROM_MEMFD, .cwd = "/home/alice"}));
	feed(tb_exit(2000));

	/* 3. chmod u+s */
	feed(tb_fork(3001, 3001, 3000, 3000));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 3001, 3001,
		     &(struct tb_proc){.exe = "/usr/bin/chmod", .comm = "chmod",
				       ARGS("chmod\0u+s\0/tmp/osp-suid"), .ppid = 3000,
				       .sid = 3000, .loginuid = 1000, .tty = 0x8800001,
				       .cwd = "/home/alice"}));
	feed(tb_fchmodat(3001, 0, "/tmp/osp-suid", 04755));
	feed(tb_exit(3001));

	/* 4. a connection to a mining pool port (non-blocking: EINPROGRESS) */
	feed(tb_fork(4000, 4000, 3000, 3000));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 4000, 4000,
		     &(struct tb_proc){.exe = "/usr/bin/perl", .comm = "perl",
				       ARGS("perl\0-MIO::Socket::INET\0-e\0..."), .ppid = 3000,
				       .sid = 3000, .uid = 1000, .gid = 1000, .loginuid = 1000,
				       .tty = 0x8800001, .cwd = "/home/alice"}));
	feed(tb_socket(4000, 3, 2, 1));
	feed(tb_connect4(4000, -115, 3, "10.0.0.5", 40000, "198.51.100.7", 3333));

	/* 5. the socket onto stdin: a reverse shell */
	feed(tb_dup2(4000, 0, 3, 0));
	feed(tb_exit(4000));

	/* 6. a link to /etc/shadow, and a write below /etc with creat */
	feed(tb_fork(3002, 3002, 3000, 3000));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 3002, 3002,
		     &(struct tb_proc){.exe = "/usr/bin/ln", .comm = "ln",
				       ARGS("ln\0-sf\0/etc/shadow\0/tmp/osp-shadow-link"),
				       .ppid = 3000, .sid = 3000, .loginuid = 1000,
				       .tty = 0x8800001, .cwd = "/home/alice"}));
	feed(tb_symlinkat(3002, 0, "/etc/shadow", "/tmp/osp-shadow-link"));
	feed(tb_creat(3002, 4, "/etc/osp-test", 0644));
	feed(tb_openat(3002, 5, AT_FDCWD_K, "/tmp/harmless", O_WRONLY_K | O_CREAT_K, 0644));
	feed(tb_exit(3002));

	/* 7. strace attaching to the login shell, rm of a log file */
	feed(tb_fork(3003, 3003, 3000, 3000));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 3003, 3003,
		     &(struct tb_proc){.exe = "/usr/bin/strace", .comm = "strace",
				       ARGS("strace\0-p\0" "3000"), .ppid = 3000, .sid = 3000,
				       .loginuid = 1000, .tty = 0x8800001, .cwd = "/home/alice"}));
	feed(tb_ptrace(3003, 0, 16 /* PTRACE_ATTACH */, 3000));
	feed(tb_exit(3003));
	feed(tb_fork(3004, 3004, 3000, 3000));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 3004, 3004,
		     &(struct tb_proc){.exe = "/usr/bin/rm", .comm = "rm",
				       ARGS("rm\0-f\0/var/log/auth.log"), .ppid = 3000,
				       .sid = 3000, .loginuid = 1000, .tty = 0x8800001,
				       .cwd = "/var/log"}));
	feed(tb_unlinkat(3004, 0, "auth.log"));
	feed(tb_exit(3004));
}

int main(void)
{
	_cleanup_(ruleset_freep) struct ruleset *rs = ruleset_new();
	struct diag_list diags = {};
	struct osprey_config c;
	int r;

	setenv("TZ", "UTC", 1);
	tzset();
	CHECK(rs);
	r = ruleset_load_file(rs, DEFAULT_RULES, &diags);
	CHECK_INT_EQ(r, 0);
	r = ruleset_compile(rs, &diags);
	CHECK_INT_EQ(r, 0);
	osprey_config_init(&c);
	c.rule_matching = RULE_MATCHING_ALL;
	r = detect_new(&c, rs, &(struct detect_opts){.host_root = "/nonexistent"}, &d);
	CHECK_INT_EQ(r, 0);
	if (r < 0)
		return test_finish("golden");
	detect_set_machine(d, "golden-host", 1795320000000000000ull);
	detect_set_alert_fn(d, on_alert, NULL);
	story();
	CHECK_INT_EQ(n_alerts, ARRAY_SIZE(expected));
	for (size_t i = 0; i < n_alerts && i < ARRAY_SIZE(expected); i++)
		CHECK_STR_EQ(alerts[i], expected[i]);
	CHECK_STR_EQ(json, expected_json);
	if (getenv("GOLDEN_PRINT"))
		fputs(json, stdout);
	if (getenv("GOLDEN_PRINT"))
		for (size_t i = 0; i < n_alerts; i++)
			fputs(alerts[i], stdout);
	detect_free(d);
	d = NULL;

	/* the same story through Falco's own rules (falco_rules.yaml, unmodified) */
	if (access(FALCO_RULES, R_OK) < 0)
		fprintf(stderr, "skipping the Falco rules part: %s is missing\n", FALCO_RULES);
	else {
		_cleanup_(ruleset_freep) struct ruleset *frs = ruleset_new();

		n_alerts = 0;
		r = ruleset_load_file(frs, FALCO_RULES, &diags);
		if (r == 0)
			r = ruleset_compile(frs, &diags);
		CHECK_INT_EQ(r, 0);
		r = detect_new(&c, frs, &(struct detect_opts){.host_root = "/nonexistent"}, &d);
		CHECK_INT_EQ(r, 0);
		if (r == 0) {
			detect_set_machine(d, "golden-host", 1795320000000000000ull);
			detect_set_alert_fn(d, on_alert, NULL);
			story();
			CHECK_INT_EQ(n_alerts, ARRAY_SIZE(expected_falco));
			for (size_t i = 0; i < n_alerts && i < ARRAY_SIZE(expected_falco); i++)
				CHECK_STR_EQ(alerts[i], expected_falco[i]);
			if (getenv("GOLDEN_PRINT"))
				for (size_t i = 0; i < n_alerts; i++)
					fputs(alerts[i], stdout);
			detect_free(d);
		}
	}
	osprey_config_done(&c);
	diag_list_clear(&diags);
	return test_finish("golden");
}
