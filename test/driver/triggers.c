// SPDX-License-Identifier: Apache-2.0
/*
 * The cases of the driver conformance suite. Each trigger runs in its own
 * child process: it sets up, performs the system call under test with the
 * raw syscall() where libc would use another call (glibc's open() is openat,
 * fork() is clone), checks that the call did what the case wants (else the
 * case fails as a trigger problem, not a driver one), and then describes the
 * events it must have produced from the values it observed: results, errno,
 * fd numbers, ports, pids. Nothing here is specific to one event source.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/module.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "macro.h"
#include "osprey_schema.h"
#include "triggers.h"

/* ---- helpers ---- */

/* A raw syscall's result as the kernel returned it: value or -errno. */
static long sysres(long r)
{
	return r < 0 ? -errno : r;
}

static void want_ok(const char *what, long r)
{
	if (r < 0)
		exp_fail("%s returned %ld (%s), wanted success", what, r,
			 strerrorname_np((int)-r) ?: "?");
}

static void want_err(const char *what, long r, int err)
{
	if (r != -err)
		exp_fail("%s returned %ld, wanted -%s", what, r, strerrorname_np(err) ?: "?");
}

/* A setup step that must work; its failure is the trigger's, not the driver's. */
#define SETUP(expr)                                                                                \
	({                                                                                         \
		long _r = (long)(expr);                                                            \
		if (_r < 0)                                                                        \
			exp_fail("setup: %s: %m", #expr);                                          \
		_r;                                                                                \
	})

/* dir/name, in one of a few rotating buffers. */
static const char *tp(const struct tctx *t, const char *name)
{
	static char bufs[8][PATH_MAX];
	static unsigned n;
	char *b = bufs[n++ % ARRAY_SIZE(bufs)];

	snprintf(b, PATH_MAX, "%s/%s", t->dir, name);
	return b;
}

static void make_file(const char *path)
{
	int fd = (int)SETUP(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));

	close(fd);
}

static int open_dir(const char *path)
{
	return (int)SETUP(open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

/* An fd number that is not open, at or above from. */
static int free_fd(int from)
{
	for (int fd = from; fd < from + 1000; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			return fd;
	exp_fail("setup: no free fd above %d", from);
}

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* A pid that does not exist: a child that already exited and was reaped. */
static pid_t dead_pid(void)
{
	pid_t p = (pid_t)SETUP(fork());

	if (p == 0)
		_exit(0);
	SETUP(waitpid(p, NULL, 0));
	return p;
}

/* The values of an argv/envp array as the schema stores it: NUL-separated. */
static size_t join_strings(char *out, size_t size, const char *const v[])
{
	size_t pos = 0;

	for (unsigned i = 0; v[i]; i++) {
		size_t n = strlen(v[i]) + 1;

		if (pos + n > size)
			exp_fail("setup: argument array over %zu bytes", size);
		memcpy(out + pos, v[i], n);
		pos += n;
	}
	return pos;
}

static uint32_t kdev(dev_t d)
{
	return (uint32_t)(major(d) << 20 | minor(d));
}

static uint32_t ns_ino(const char *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	SETUP(stat(path, &st));
	return (uint32_t)st.st_ino;
}

/* The first line of a small file, without its newline; "" if the file does not exist. */
static void read_first_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* A "Key:\thex" line of /proc/self/status. */
static uint64_t status_hex(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/self/status", "re");
	uint64_t v = 0;
	bool found = false;

	if (!f)
		exp_fail("setup: /proc/self/status: %m");
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			v = strtoull(line + klen + 1, NULL, 16);
			found = true;
			break;
		}
	fclose(f);
	if (!found)
		exp_fail("setup: no %s in /proc/self/status", key);
	return v;
}

/* The controlling tty as a kernel dev_t (major << 20 | minor), 0 without one. */
static uint32_t tty_of_self(void)
{
	char buf[1024];
	const char *p;
	unsigned long tty = 0;
	unsigned maj, min;

	read_first_line("/proc/self/stat", buf, sizeof(buf));
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %lu", &tty) != 1)
		exp_fail("setup: cannot parse /proc/self/stat");
	/* /proc/<pid>/stat uses the new_encode_dev() form. */
	maj = (unsigned)((tty >> 8) & 0xfff);
	min = (unsigned)((tty & 0xff) | ((tty >> 12) & 0xfff00));
	return maj << 20 | min;
}

/*
 * The task's cgroup path as the schema describes a process' cgroup: the unified
 * (v2) path; where the task sits at the v2 root of a v1 or hybrid host, the path
 * of the first non-root v1 controller among cpuset, cpu, memory and pids.
 * Read from /proc/self/cgroup ("id:controller[,controller]:path" lines).
 */
static void cgroup_of_self(char *buf, size_t size)
{
	static const char *const v1_order[] = { "cpuset", "cpu", "memory", "pids" };
	char v1[ARRAY_SIZE(v1_order)][PATH_MAX];
	char line[PATH_MAX + 128];
	FILE *f = fopen("/proc/self/cgroup", "re");
	const char *found = NULL;

	memset(v1, 0, sizeof(v1));
	buf[0] = '\0';
	if (!f)
		exp_fail("setup: /proc/self/cgroup: %m");
	while (fgets(line, sizeof(line), f)) {
		char *ctrl, *path, *save = NULL;

		line[strcspn(line, "\n")] = '\0';
		ctrl = strchr(line, ':');
		path = ctrl ? strchr(ctrl + 1, ':') : NULL;
		if (!path)
			continue;
		*path++ = '\0';
		ctrl++;
		if (*ctrl == '\0') {
			if ((size_t)snprintf(buf, size, "%s", path) >= size)
				exp_skip("the cgroup path is longer than %zu bytes", size);
			continue;
		}
		for (char *c = strtok_r(ctrl, ",", &save); c; c = strtok_r(NULL, ",", &save))
			for (unsigned i = 0; i < ARRAY_SIZE(v1_order); i++)
				if (strcmp(c, v1_order[i]) == 0 &&
				    (size_t)snprintf(v1[i], sizeof(v1[i]), "%s", path) >= sizeof(v1[i]))
					exp_skip("a cgroup path is longer than %zu bytes", sizeof(v1[i]));
	}
	fclose(f);
	if (buf[0] && strcmp(buf, "/") != 0)
		return;
	for (unsigned i = 0; i < ARRAY_SIZE(v1_order) && !found; i++)
		if (v1[i][0] && strcmp(v1[i], "/") != 0)
			found = v1[i];
	if (found && (size_t)snprintf(buf, size, "%s", found) >= size)
		exp_skip("the cgroup path is longer than %zu bytes", size);
	if (!buf[0])
		exp_skip("no cgroup path in /proc/self/cgroup");
}

static uint32_t loginuid_of_self(void)
{
	char buf[32];

	read_first_line("/proc/self/loginuid", buf, sizeof(buf));
	if (!buf[0])
		return UINT32_MAX; /* no audit support: unset */
	return (uint32_t)strtoul(buf, NULL, 10);
}

/* The schema's OSP_PT_SOCKADDR bytes of a socket address. */
static size_t sockaddr_bytes(uint8_t *out, const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		uint16_t port = ntohs(in->sin_port);

		out[0] = OSP_AF_INET;
		memcpy(out + 1, &in->sin_addr, 4);
		memcpy(out + 5, &port, 2);
		return OSP_SOCKADDR_INET_LEN;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		uint16_t port = ntohs(in6->sin6_port);

		out[0] = OSP_AF_INET6;
		memcpy(out + 1, &in6->sin6_addr, 16);
		memcpy(out + 17, &port, 2);
		return OSP_SOCKADDR_INET6_LEN;
	}
	if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
		size_t n = strnlen(un->sun_path, sizeof(un->sun_path));

		out[0] = OSP_AF_UNIX;
		memcpy(out + 1, un->sun_path, n);
		out[1 + n] = '\0';
		return n + 2;
	}
	exp_fail("setup: no schema form for address family %d", sa->sa_family);
}

/* The schema's OSP_PT_SOCKTUPLE bytes of an inet/inet6 connection. */
static size_t tuple_bytes(uint8_t *out, const struct sockaddr *local, const struct sockaddr *remote)
{
	uint8_t l[32], r[32];
	size_t n = sockaddr_bytes(l, local);

	if (sockaddr_bytes(r, remote) != n || l[0] != r[0])
		exp_fail("setup: tuple ends of different families");
	out[0] = l[0];
	memcpy(out + 1, l + 1, n - 1);
	memcpy(out + n, r + 1, n - 1);
	return 2 * n - 1;
}

static size_t tuple_unix(uint8_t *out, const char *path)
{
	size_t n = strlen(path);

	out[0] = OSP_AF_UNIX;
	memcpy(out + 1, path, n + 1);
	return n + 2;
}

static struct sockaddr_in loopback4(uint16_t port)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	return a;
}

/* A TCP listener on 127.0.0.1 at a port the kernel picks; *ret gets its address. */
static int tcp4_listener(struct sockaddr_in *ret)
{
	struct sockaddr_in a = loopback4(0);
	socklen_t len = sizeof(*ret);
	int fd = (int)SETUP(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));

	SETUP(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	SETUP(listen(fd, 16));
	SETUP(getsockname(fd, (struct sockaddr *)ret, &len));
	return fd;
}

/* A 127.0.0.1 port that was free a moment ago. */
static uint16_t free_port4(int type)
{
	struct sockaddr_in a = loopback4(0);
	socklen_t len = sizeof(a);
	int fd = (int)SETUP(socket(AF_INET, type | SOCK_CLOEXEC, 0));

	SETUP(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	SETUP(getsockname(fd, (struct sockaddr *)&a, &len));
	close(fd);
	return ntohs(a.sin_port);
}

static void local_of(int fd, struct sockaddr_storage *ss)
{
	socklen_t len = sizeof(*ss);

	SETUP(getsockname(fd, (struct sockaddr *)ss, &len));
}

static void peer_of(int fd, struct sockaddr_storage *ss)
{
	socklen_t len = sizeof(*ss);

	SETUP(getpeername(fd, (struct sockaddr *)ss, &len));
}

static void exp_sockaddr(const char *param, const void *sa)
{
	uint8_t b[sizeof(struct sockaddr_un) + 2];

	exp_bytes(param, b, sockaddr_bytes(b, sa));
}

static void exp_tuple(const char *param, const void *local, const void *remote)
{
	uint8_t b[64];

	exp_bytes(param, b, tuple_bytes(b, local, remote));
}

/* Expects the event of a call made by this thread. */
static void exp_self(const char *event)
{
	exp_begin(event, getpid(), my_tid());
}

/* ---- process lifecycle ---- */

#define EXEC_ENV_A "OSPREY_CONFORMANCE=1"
#define EXEC_ENV_PATH "PATH=/usr/bin:/bin"

/*
 * The script the post-exec cases run as their new image: it writes what the
 * kernel says about itself on fd 3, one line each: comm, exe, and the
 * inheritable, permitted and effective capabilities. The exe loses the
 * " (deleted)" that /proc adds to unlinked files (a memfd): Osprey's exe
 * parameter never carries it, in the probe, the kernel module and the
 * /proc snapshot alike.
 */
#define POST_SCRIPT                                                                                \
	"IFS= read -r c </proc/$$/comm; printf '%s\\n' \"$c\" >&3; e=$(readlink /proc/$$/exe); "   \
	"printf '%s\\n' \"${e% (deleted)}\" >&3; "                                                 \
	"while read -r k v; do case $k in CapInh:|CapPrm:|CapEff:) printf '%s\\n' \"$v\" >&3;; "   \
	"esac; done </proc/$$/status"
#define POST_LINE_COMM 0
#define POST_LINE_EXE 1
#define POST_LINE_CAP_INH 2
#define POST_LINE_CAP_PRM 3
#define POST_LINE_CAP_EFF 4

struct exec_expect {
	const char *filename;  /* bprm filename as the kernel sees it */
	const char *exe;       /* the executable's path; NULL: from the post-exec report */
	const char *comm;      /* NULL: from the post-exec report */
	const char *const *argv;
	const char *const *envp;
	struct stat st;        /* of the executable */
	uint32_t exe_flags;
	uint32_t args_stored;  /* 0, or the stored length of truncated args */
};

/* The exe_flags bits the child can observe before the exec. */
static uint32_t exe_flags_of(int fd, const char *path)
{
	struct statfs sfs;
	uint32_t flags = 0;
	int r;

	r = fd >= 0 ? faccessat(fd, "", W_OK, AT_EACCESS | AT_EMPTY_PATH)
		    : faccessat(AT_FDCWD, path, W_OK, AT_EACCESS);
	if (r == 0)
		flags |= OSP_EXE_WRITABLE;
	r = fd >= 0 ? fstatfs(fd, &sfs) : statfs(path, &sfs);
	if (r == 0 && sfs.f_type == 0x794c7630 /* OVERLAYFS_SUPER_MAGIC */)
		exp_skip("the executable is on overlayfs: its layer cannot be observed from "
			 "userspace");
	return flags;
}

/* Expects the procexec event of this process' coming exec, and no execve/execveat event. */
static void expect_procexec(const struct tctx *t, const struct exec_expect *x)
{
	static char args[OSP_SNAPLEN_MAX * 2], env[4096];
	char cwd[PATH_MAX], cgroup[PATH_MAX];
	size_t nargs = join_strings(args, sizeof(args), x->argv);
	size_t nenv = join_strings(env, sizeof(env), x->envp);
	pid_t me = getpid();

	if (!getcwd(cwd, sizeof(cwd)))
		exp_fail("setup: getcwd: %m");
	cgroup_of_self(cgroup, sizeof(cgroup));

	exp_begin("procexec", me, me);
	if (x->exe)
		exp_str("exe", x->exe);
	else
		exp_post_str("exe", POST_LINE_EXE);
	exp_str("filename", x->filename);
	if (x->args_stored)
		exp_bytes_trunc("args", args, nargs, x->args_stored);
	else
		exp_bytes("args", args, nargs);
	exp_str("cwd", cwd);
	exp_bytes("env", env, nenv);
	if (x->comm)
		exp_str("comm", x->comm);
	else
		exp_post_str("comm", POST_LINE_COMM);
	exp_num("ppid", getppid());
	exp_num("vtid", my_tid());
	exp_num("vpid", me);
	exp_num("sid", getsid(0));
	exp_num("uid", getuid());
	exp_num("gid", getgid());
	exp_num("euid", geteuid());
	exp_num("egid", getegid());
	exp_num("loginuid", loginuid_of_self());
	exp_num("tty", tty_of_self());
	exp_str("cgroup", cgroup);
	exp_num("exe_ino", (int64_t)x->st.st_ino);
	exp_num("exe_dev", kdev(x->st.st_dev));
	exp_num("exe_flags", x->exe_flags);
	if (x->comm) {
		/*
		 * Without a post-exec report: root (all uids 0, no securebits) execs with
		 * permitted = effective = bounding set | inheritable; inheritable is kept.
		 */
		uint64_t inh = status_hex("CapInh"), bnd = status_hex("CapBnd");

		if (getuid() != 0 || geteuid() != 0 || prctl(PR_GET_SECUREBITS) != 0)
			exp_fail("setup: the capability formula needs root without securebits");
		exp_num("cap_inheritable", (int64_t)inh);
		exp_num("cap_permitted", (int64_t)(bnd | inh));
		exp_num("cap_effective", (int64_t)(bnd | inh));
	} else {
		exp_post_hex("cap_inheritable", POST_LINE_CAP_INH);
		exp_post_hex("cap_permitted", POST_LINE_CAP_PRM);
		exp_post_hex("cap_effective", POST_LINE_CAP_EFF);
	}
	exp_range("start_ts", t->start_ns, 0);
	exp_num("pidns", ns_ino("pid"));
	exp_num("old_tid", my_tid());

	exp_none("execve", me);
	exp_none("execveat", me);
	if (!x->comm)
		exp_want_post();
}

/* fd 3 of the new image is the post-exec report pipe. */
static void post_fd_to_3(const struct tctx *t)
{
	if (t->post_fd == 3)
		SETUP(fcntl(3, F_SETFD, 0));
	else
		SETUP(dup2(t->post_fd, 3));
}

static void t_procexec_true(struct tctx *t)
{
	const char *argv[] = { "true", "--osprey-conformance", "two words", "", "last", NULL };
	const char *envp[] = { EXEC_ENV_A, EXEC_ENV_PATH, NULL };
	char exe[PATH_MAX];
	struct exec_expect x = {
		.filename = "/bin/true",
		.comm = "true",
		.argv = argv,
		.envp = envp,
	};

	if (!realpath("/bin/true", exe))
		exp_skip("no /bin/true: %m");
	x.exe = exe;
	SETUP(stat(exe, &x.st));
	x.exe_flags = exe_flags_of(-1, exe);
	expect_procexec(t, &x);
	exp_end();
	execve("/bin/true", (char *const *)argv, (char *const *)envp);
	exp_fail("execve /bin/true: %m");
}

static void t_procexec_long_args(struct tctx *t)
{
	static char big[3000];
	const char *argv[] = { "true", big, NULL };
	const char *envp[] = { EXEC_ENV_A, NULL };
	char exe[PATH_MAX];
	struct exec_expect x = {
		.filename = "/bin/true",
		.comm = "true",
		.argv = argv,
		.envp = envp,
		.args_stored = OSP_SNAPLEN_DEFAULT,
	};

	memset(big, 'a', sizeof(big) - 1);
	if (!realpath("/bin/true", exe))
		exp_skip("no /bin/true: %m");
	x.exe = exe;
	SETUP(stat(exe, &x.st));
	x.exe_flags = exe_flags_of(-1, exe);
	expect_procexec(t, &x);
	exp_end();
	execve("/bin/true", (char *const *)argv, (char *const *)envp);
	exp_fail("execve /bin/true: %m");
}

/*
 * A read-only (0555) copy of /bin/true: still writable for root, whose
 * CAP_DAC_OVERRIDE ignores the mode bits. The kernel's faccessat(W_OK,
 * AT_EACCESS) is the witness of "writable by the process".
 */
static void t_procexec_readonly_exe(struct tctx *t)
{
	/* argv[0] "true": where /bin/true is busybox, it picks the applet (the comm still comes
	 * from the file name). */
	const char *argv[] = { "true", NULL };
	const char *envp[] = { EXEC_ENV_A, NULL };
	const char *path = tp(t, "osprey-true");
	char buf[65536];
	struct exec_expect x = {
		.filename = path,
		.exe = path,
		.comm = "osprey-true",
		.argv = argv,
		.envp = envp,
	};
	int in = (int)SETUP(open("/bin/true", O_RDONLY | O_CLOEXEC));
	int out = (int)SETUP(open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0555));
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			exp_fail("setup: copy /bin/true: %m");
	if (n < 0)
		exp_fail("setup: read /bin/true: %m");
	close(in);
	close(out);
	if (access(path, X_OK) < 0)
		exp_skip("cannot execute from the test directory: %m");
	SETUP(stat(path, &x.st));
	x.exe_flags = exe_flags_of(-1, path);
	expect_procexec(t, &x);
	exp_end();
	execve(path, (char *const *)argv, (char *const *)envp);
	exp_fail("execve %s: %m", path);
}

/* execveat(fd, "", AT_EMPTY_PATH) of /bin/sh, reporting comm/exe/caps afterwards. */
static void t_procexec_execveat(struct tctx *t)
{
	const char *argv[] = { "sh", "-c", POST_SCRIPT, NULL };
	const char *envp[] = { EXEC_ENV_A, EXEC_ENV_PATH, NULL };
	char filename[64];
	struct exec_expect x = {
		.filename = filename,
		.argv = argv,
		.envp = envp,
	};
	int fd = (int)SETUP(open("/bin/sh", O_PATH | O_CLOEXEC));

	SETUP(fstat(fd, &x.st));
	snprintf(filename, sizeof(filename), "/dev/fd/%d", fd);
	x.exe_flags = exe_flags_of(fd, NULL) | OSP_EXE_EXECVEAT;
	post_fd_to_3(t);
	expect_procexec(t, &x);
	exp_end();
	syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
	exp_fail("execveat /bin/sh: %m");
}

/* A fileless exec: /bin/sh copied into a memfd, run with fexecve(). */
static void t_procexec_memfd(struct tctx *t)
{
	const char *argv[] = { "sh", "-c", POST_SCRIPT, NULL };
	const char *envp[] = { EXEC_ENV_A, EXEC_ENV_PATH, NULL };
	char filename[64], buf[65536];
	struct exec_expect x = {
		.filename = filename,
		.argv = argv,
		.envp = envp,
	};
	int in = (int)SETUP(open("/bin/sh", O_RDONLY | O_CLOEXEC));
	int fd = (int)SETUP(memfd_create("osprey-exec", MFD_CLOEXEC));
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			exp_fail("setup: copy to memfd: %m");
	if (n < 0)
		exp_fail("setup: read /bin/sh: %m");
	close(in);
	SETUP(fstat(fd, &x.st));
	snprintf(filename, sizeof(filename), "/dev/fd/%d", fd);
	x.exe_flags = exe_flags_of(fd, NULL) | OSP_EXE_EXECVEAT | OSP_EXE_FROM_MEMFD;
	post_fd_to_3(t);
	expect_procexec(t, &x);
	exp_end();
	fexecve(fd, (char *const *)argv, (char *const *)envp);
	exp_fail("fexecve of a memfd: %m");
}

static void t_execve_enoent(struct tctx *t)
{
	const char *argv[] = { "osprey-missing", "arg1", "--flag=2", NULL };
	const char *envp[] = { EXEC_ENV_A, NULL };
	char args[256];
	const char *path = tp(t, "osprey-missing");
	long r = sysres(syscall(SYS_execve, path, argv, envp));

	want_err("execve", r, ENOENT);
	exp_self("execve");
	exp_num("res", r);
	exp_str("filename", path);
	exp_bytes("args", args, join_strings(args, sizeof(args), argv));
}

static void t_execve_long_args(struct tctx *t)
{
	static char big[3000], args[4096];
	const char *argv[] = { "osprey-missing", big, NULL };
	const char *envp[] = { NULL };
	const char *path = tp(t, "osprey-missing");
	long r;

	memset(big, 'b', sizeof(big) - 1);
	r = sysres(syscall(SYS_execve, path, argv, envp));
	want_err("execve", r, ENOENT);
	exp_self("execve");
	exp_num("res", r);
	exp_str("filename", path);
	exp_bytes_trunc("args", args, join_strings(args, sizeof(args), argv),
			OSP_SNAPLEN_DEFAULT);
}

static void t_execveat_enoent(struct tctx *t)
{
	const char *argv[] = { "osprey-missing", "x", NULL };
	const char *envp[] = { NULL };
	char args[64];
	int dfd = open_dir(t->dir);
	long r = sysres(syscall(SYS_execveat, dfd, "osprey-missing", argv, envp,
				AT_SYMLINK_NOFOLLOW));

	want_err("execveat", r, ENOENT);
	exp_self("execveat");
	exp_num("res", r);
	exp_num("dirfd", dfd);
	exp_str("pathname", "osprey-missing");
	exp_bytes("args", args, join_strings(args, sizeof(args), argv));
	exp_num("flags", AT_SYMLINK_NOFOLLOW);
}

struct fork_seen {
	pid_t pid, tid, ppid;
	uint32_t pidns;
};

/*
 * In a new process: what the kernel says about it. Its parent is the process
 * that forked it (getppid() would say 0 across a pid namespace boundary).
 */
static void fork_seen_fill(struct fork_seen *s, pid_t creator)
{
	s->pid = getpid();
	s->tid = my_tid();
	s->ppid = creator;
	s->pidns = ns_ino("pid");
}

/* The procfork event of a task created by this thread. */
static void expect_procfork(pid_t pid, pid_t tid, const struct fork_seen *s, uint32_t flags)
{
	exp_begin("procfork", pid, tid);
	exp_num("ptid", my_tid());
	exp_num("ppid", s->ppid);
	exp_num("vtid", s->tid);
	exp_num("vpid", s->pid);
	exp_num("flags", flags);
	exp_num("pidns", s->pidns);
}

static void t_fork(struct tctx *t)
{
	struct fork_seen *s = t->shared;
	pid_t me = getpid();
	long r = sysres(syscall(SYS_fork));

	if (r == 0) {
		fork_seen_fill(s, me);
		_exit(0);
	}
	want_ok("fork", r);
	SETUP(waitpid((pid_t)r, NULL, 0));
	exp_self("fork");
	exp_num("res", r);
	expect_procfork((pid_t)r, (pid_t)r, s, 0);
}

static void t_vfork(struct tctx *t)
{
	pid_t p = vfork();
	struct fork_seen s;

	if (p == 0)
		_exit(0);
	want_ok("vfork", p < 0 ? -errno : p);
	SETUP(waitpid(p, NULL, 0));
	exp_self("vfork");
	exp_num("res", p);
	s.pid = s.tid = p;
	s.ppid = getpid();
	s.pidns = ns_ino("pid");
	expect_procfork(p, p, &s, OSP_FORK_VFORK);
}

static void t_clone(struct tctx *t)
{
	struct fork_seen *s = t->shared;
	unsigned long flags = SIGCHLD;
	pid_t me = getpid();
	long r = sysres(syscall(SYS_clone, flags, NULL, NULL, NULL, NULL));

	if (r == 0) {
		fork_seen_fill(s, me);
		_exit(0);
	}
	want_ok("clone", r);
	SETUP(waitpid((pid_t)r, NULL, 0));
	exp_self("clone");
	exp_num("res", r);
	exp_num("flags", (int64_t)flags);
	expect_procfork((pid_t)r, (pid_t)r, s, 0);
}

/* A child in a new pid namespace: it is pid 1 there. */
static void t_clone_newpid(struct tctx *t)
{
	struct fork_seen *s = t->shared;
	unsigned long flags = CLONE_NEWPID | SIGCHLD;
	pid_t me = getpid();
	long r = sysres(syscall(SYS_clone, flags, NULL, NULL, NULL, NULL));

	if (r == 0) {
		fork_seen_fill(s, me);
		_exit(0);
	}
	want_ok("clone(CLONE_NEWPID)", r);
	SETUP(waitpid((pid_t)r, NULL, 0));
	if (s->pid != 1)
		exp_fail("the child of CLONE_NEWPID sees itself as pid %d, not 1", s->pid);
	exp_self("clone");
	exp_num("res", r);
	exp_num("flags", (int64_t)flags);
	expect_procfork((pid_t)r, (pid_t)r, s, 0);
}

static void t_clone_einval(struct tctx *t)
{
	/* CLONE_THREAD needs CLONE_SIGHAND. */
	unsigned long flags = CLONE_THREAD | SIGCHLD;
	long r = sysres(syscall(SYS_clone, flags, NULL, NULL, NULL, NULL));

	if (r == 0)
		_exit(0);
	want_err("clone(CLONE_THREAD)", r, EINVAL);
	exp_self("clone");
	exp_num("res", r);
	exp_num("flags", (int64_t)flags);
}

/* struct clone_args, version 0 (64 bytes): not every libc exports it. */
struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static void t_clone3(struct tctx *t)
{
	struct fork_seen *s = t->shared;
	int pidfd = -1;
	struct clone_args_v0 ca = {
		.flags = CLONE_PIDFD,
		.pidfd = (uint64_t)(uintptr_t)&pidfd,
		.exit_signal = SIGCHLD,
	};
	pid_t me = getpid();
	long r = sysres(syscall(SYS_clone3, &ca, sizeof(ca)));

	if (r == 0) {
		fork_seen_fill(s, me);
		_exit(0);
	}
	if (r == -ENOSYS)
		exp_skip("clone3 is not available");
	want_ok("clone3", r);
	SETUP(waitpid((pid_t)r, NULL, 0));
	exp_self("clone3");
	exp_num("res", r);
	exp_num("flags", (int64_t)ca.flags);
	expect_procfork((pid_t)r, (pid_t)r, s, 0);
}

struct thread_seen {
	pid_t tid;
	pid_t ppid;
};

static void *thread_main(void *arg)
{
	struct thread_seen *s = arg;

	s->tid = my_tid();
	s->ppid = getppid();
	return NULL;
}

static void t_procfork_thread(struct tctx *t)
{
	struct thread_seen s = { 0 };
	struct fork_seen fs;
	pthread_t th;
	int r = pthread_create(&th, NULL, thread_main, &s);

	if (r != 0)
		exp_fail("pthread_create: %s", strerror(r));
	pthread_join(th, NULL);
	fs.pid = getpid();
	fs.tid = s.tid;
	fs.ppid = s.ppid;
	fs.pidns = ns_ino("pid");
	expect_procfork(getpid(), s.tid, &fs, OSP_FORK_THREAD);
}

/* A thread that exits while its group lives on: not the group's death. */
static void t_procexit_thread(struct tctx *t)
{
	struct thread_seen s = { 0 };
	pthread_t th;
	int r = pthread_create(&th, NULL, thread_main, &s);

	if (r != 0)
		exp_fail("pthread_create: %s", strerror(r));
	pthread_join(th, NULL);
	/*
	 * The joined thread's exit tracepoint runs a little after pthread_join()
	 * returns; group_dead is read from signal->live there, so the process must
	 * outlive it or both exits look like the group's last.
	 */
	usleep(200000);
	exp_begin("procexit", getpid(), s.tid);
	exp_num("status", 0); /* the thread ended with exit(0) */
	exp_num("flags", 0);
}

static void t_procexit_status(struct tctx *t)
{
	pid_t p = (pid_t)SETUP(fork());
	int status;

	if (p == 0)
		_exit(3);
	SETUP(waitpid(p, &status, 0));
	exp_begin("procexit", p, p);
	exp_num("status", status); /* the wait status the kernel gave the parent */
	exp_num("flags", OSP_EXIT_GROUP_DEAD);
}

static void t_procexit_signal(struct tctx *t)
{
	pid_t p = (pid_t)SETUP(fork());
	int status;

	if (p == 0) {
		for (;;)
			pause();
	}
	SETUP(kill(p, SIGKILL));
	SETUP(waitpid(p, &status, 0));
	exp_begin("procexit", p, p);
	exp_num("status", status);
	exp_num("flags", OSP_EXIT_GROUP_DEAD);
}

/* ---- files ---- */

static void t_open(struct tctx *t)
{
	const char *path = tp(t, "file");
	int flags = O_RDONLY | O_CLOEXEC;
	long r;

	make_file(path);
	r = sysres(syscall(SYS_open, path, flags, 0));
	want_ok("open", r);
	exp_self("open");
	exp_num("fd", r);
	exp_str("name", path);
	exp_num("flags", flags);
	exp_num("mode", 0);
}

static void t_open_creat(struct tctx *t)
{
	const char *path = tp(t, "new-file");
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
	long r = sysres(syscall(SYS_open, path, flags, 0640));

	want_ok("open(O_CREAT)", r);
	exp_self("open");
	exp_num("fd", r);
	exp_str("name", path);
	exp_num("flags", flags);
	exp_num("mode", 0640);
}

static void t_open_enoent(struct tctx *t)
{
	const char *path = tp(t, "missing");
	long r = sysres(syscall(SYS_open, path, O_RDONLY, 0));

	want_err("open", r, ENOENT);
	exp_self("open");
	exp_num("fd", r);
	exp_str("name", path);
	exp_num("flags", O_RDONLY);
	exp_num("mode", 0);
}

static void t_openat(struct tctx *t)
{
	int dfd = open_dir(t->dir);
	int flags = O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC;
	long r = sysres(syscall(SYS_openat, dfd, "rel-file", flags, 0600));

	want_ok("openat", r);
	exp_self("openat");
	exp_num("fd", r);
	exp_num("dirfd", dfd);
	exp_str("name", "rel-file");
	exp_num("flags", flags);
	exp_num("mode", 0600);
}

static void t_openat_enoent(struct tctx *t)
{
	const char *path = tp(t, "missing");
	int flags = O_RDONLY | O_CLOEXEC;
	long r = sysres(syscall(SYS_openat, AT_FDCWD, path, flags, 0));

	want_err("openat", r, ENOENT);
	exp_self("openat");
	exp_num("fd", r);
	exp_num("dirfd", AT_FDCWD);
	exp_str("name", path);
	exp_num("flags", flags);
	exp_num("mode", 0);
}

/* A name longer than any path: the call fails and the stored name is cut at OSP_STR_MAX. */
static void t_openat_long_name(struct tctx *t)
{
	static char name[OSP_STR_MAX + 1000];
	long r;

	memset(name, 'n', sizeof(name) - 1);
	r = sysres(syscall(SYS_openat, AT_FDCWD, name, O_RDONLY, 0));
	want_err("openat", r, ENAMETOOLONG);
	exp_self("openat");
	exp_num("fd", r);
	exp_num("dirfd", AT_FDCWD);
	exp_str_trunc("name", name, OSP_STR_MAX);
	exp_num("flags", O_RDONLY);
	exp_num("mode", 0);
}

static void t_openat2(struct tctx *t)
{
	int dfd = open_dir(t->dir);
	struct open_how how = {
		.flags = O_WRONLY | O_CREAT | O_CLOEXEC,
		.mode = 0600,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
	};
	long r = sysres(syscall(SYS_openat2, dfd, "how-file", &how, sizeof(how)));

	if (r == -ENOSYS)
		exp_skip("openat2 is not available");
	want_ok("openat2", r);
	exp_self("openat2");
	exp_num("fd", r);
	exp_num("dirfd", dfd);
	exp_str("name", "how-file");
	exp_num("flags", (int64_t)how.flags);
	exp_num("mode", (int64_t)how.mode);
	exp_num("resolve", (int64_t)how.resolve);
}

static void t_openat2_exdev(struct tctx *t)
{
	int dfd = open_dir(t->dir);
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH,
	};
	long r = sysres(syscall(SYS_openat2, dfd, "../escape", &how, sizeof(how)));

	if (r == -ENOSYS)
		exp_skip("openat2 is not available");
	want_err("openat2 beneath", r, EXDEV);
	exp_self("openat2");
	exp_num("fd", r);
	exp_num("dirfd", dfd);
	exp_str("name", "../escape");
	exp_num("flags", (int64_t)how.flags);
	exp_num("mode", 0);
	exp_num("resolve", RESOLVE_BENEATH);
}

static void t_creat(struct tctx *t)
{
	const char *path = tp(t, "created");
	long r = sysres(syscall(SYS_creat, path, 0604));

	want_ok("creat", r);
	exp_self("creat");
	exp_num("fd", r);
	exp_str("name", path);
	exp_num("mode", 0604);
}

static void t_creat_enoent(struct tctx *t)
{
	const char *path = tp(t, "no-dir/created");
	long r = sysres(syscall(SYS_creat, path, 0600));

	want_err("creat", r, ENOENT);
	exp_self("creat");
	exp_num("fd", r);
	exp_str("name", path);
	exp_num("mode", 0600);
}

static void t_close(struct tctx *t)
{
	int fd = (int)SETUP(open("/dev/null", O_RDONLY | O_CLOEXEC));
	long r = sysres(syscall(SYS_close, fd));

	want_ok("close", r);
	exp_self("close");
	exp_num("res", r);
	exp_num("fd", fd);
}

static void t_close_ebadf(struct tctx *t)
{
	int fd = free_fd(100);
	long r = sysres(syscall(SYS_close, fd));

	want_err("close", r, EBADF);
	exp_self("close");
	exp_num("res", r);
	exp_num("fd", fd);
}

static void t_dup(struct tctx *t)
{
	int fd = (int)SETUP(open("/dev/null", O_RDONLY | O_CLOEXEC));
	long r = sysres(syscall(SYS_dup, fd));

	want_ok("dup", r);
	exp_self("dup");
	exp_num("res", r);
	exp_num("oldfd", fd);
}

static void t_dup_ebadf(struct tctx *t)
{
	int fd = free_fd(100);
	long r = sysres(syscall(SYS_dup, fd));

	want_err("dup", r, EBADF);
	exp_self("dup");
	exp_num("res", r);
	exp_num("oldfd", fd);
}

static void t_dup2(struct tctx *t)
{
	int fd = (int)SETUP(open("/dev/null", O_RDONLY | O_CLOEXEC));
	int nfd = free_fd(40);
	long r = sysres(syscall(SYS_dup2, fd, nfd));

	want_ok("dup2", r);
	exp_self("dup2");
	exp_num("res", r);
	exp_num("oldfd", fd);
	exp_num("newfd", nfd);
}

static void t_dup2_ebadf(struct tctx *t)
{
	int fd = free_fd(100), nfd = free_fd(fd + 1);
	long r = sysres(syscall(SYS_dup2, fd, nfd));

	want_err("dup2", r, EBADF);
	exp_self("dup2");
	exp_num("res", r);
	exp_num("oldfd", fd);
	exp_num("newfd", nfd);
}

static void t_dup3(struct tctx *t)
{
	int fd = (int)SETUP(open("/dev/null", O_RDONLY | O_CLOEXEC));
	int nfd = free_fd(50);
	long r = sysres(syscall(SYS_dup3, fd, nfd, O_CLOEXEC));

	want_ok("dup3", r);
	exp_self("dup3");
	exp_num("res", r);
	exp_num("oldfd", fd);
	exp_num("newfd", nfd);
	exp_num("flags", O_CLOEXEC);
}

static void t_dup3_einval(struct tctx *t)
{
	int fd = (int)SETUP(open("/dev/null", O_RDONLY | O_CLOEXEC));
	long r = sysres(syscall(SYS_dup3, fd, fd, 0));

	want_err("dup3 onto itself", r, EINVAL);
	exp_self("dup3");
	exp_num("res", r);
	exp_num("oldfd", fd);
	exp_num("newfd", fd);
	exp_num("flags", 0);
}

static void t_fcntl_dupfd_cloexec(struct tctx *t)
{
	int fd = (int)SETUP(open("/dev/null", O_RDONLY | O_CLOEXEC));
	long r = sysres(syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 20));

	want_ok("fcntl(F_DUPFD_CLOEXEC)", r);
	exp_self("fcntl");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_num("cmd", F_DUPFD_CLOEXEC);
}

static void t_fcntl_dupfd(struct tctx *t)
{
	int fd = (int)SETUP(open("/dev/null", O_RDONLY | O_CLOEXEC));
	long r = sysres(syscall(SYS_fcntl, fd, F_DUPFD, 30));

	want_ok("fcntl(F_DUPFD)", r);
	exp_self("fcntl");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_num("cmd", F_DUPFD);
}

static void t_fcntl_ebadf(struct tctx *t)
{
	int fd = free_fd(100);
	long r = sysres(syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 0));

	want_err("fcntl(F_DUPFD_CLOEXEC)", r, EBADF);
	exp_self("fcntl");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_num("cmd", F_DUPFD_CLOEXEC);
}

/* Only the fd-creating commands are events. */
static void t_fcntl_other_cmds(struct tctx *t)
{
	int fd = (int)SETUP(open("/dev/null", O_RDONLY | O_CLOEXEC));

	want_ok("fcntl(F_GETFD)", sysres(syscall(SYS_fcntl, fd, F_GETFD)));
	want_ok("fcntl(F_SETFD)", sysres(syscall(SYS_fcntl, fd, F_SETFD, 0)));
	want_ok("fcntl(F_GETFL)", sysres(syscall(SYS_fcntl, fd, F_GETFL)));
	exp_none("fcntl", getpid());
}

/* ---- sockets ---- */

static void t_socket(struct tctx *t)
{
	int type = SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK;
	long r = sysres(syscall(SYS_socket, AF_INET, type, 0));

	want_ok("socket", r);
	exp_self("socket");
	exp_num("fd", r);
	exp_num("domain", AF_INET);
	exp_num("type", type);
	exp_num("proto", 0);
}

static void t_socket_eprotonosupport(struct tctx *t)
{
	long r = sysres(syscall(SYS_socket, AF_INET, SOCK_STREAM, IPPROTO_UDP));

	want_err("socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)", r, EPROTONOSUPPORT);
	exp_self("socket");
	exp_num("fd", r);
	exp_num("domain", AF_INET);
	exp_num("type", SOCK_STREAM);
	exp_num("proto", IPPROTO_UDP);
}

static void t_socketpair(struct tctx *t)
{
	int sv[2] = { -1, -1 };
	int type = SOCK_STREAM | SOCK_CLOEXEC;
	long r = sysres(syscall(SYS_socketpair, AF_UNIX, type, 0, sv));

	want_ok("socketpair", r);
	exp_self("socketpair");
	exp_num("res", r);
	exp_num("domain", AF_UNIX);
	exp_num("type", type);
	exp_num("proto", 0);
	exp_num("fd1", sv[0]);
	exp_num("fd2", sv[1]);
}

/* No descriptors come out of a failed call: the fd parameters are absent. */
static void t_socketpair_eopnotsupp(struct tctx *t)
{
	int sv[2] = { -1, -1 };
	long r = sysres(syscall(SYS_socketpair, AF_INET, SOCK_STREAM, 0, sv));

	want_err("socketpair(AF_INET)", r, EOPNOTSUPP);
	exp_self("socketpair");
	exp_num("res", r);
	exp_num("domain", AF_INET);
	exp_num("type", SOCK_STREAM);
	exp_num("proto", 0);
	exp_empty("fd1");
	exp_empty("fd2");
}

static void t_connect_tcp4(struct tctx *t)
{
	struct sockaddr_in srv;
	struct sockaddr_storage local, remote;
	int fd;
	long r;

	tcp4_listener(&srv);
	fd = (int)SETUP(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	r = sysres(syscall(SYS_connect, fd, &srv, sizeof(srv)));
	want_ok("connect", r);
	local_of(fd, &local);
	peer_of(fd, &remote);
	exp_self("connect");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_tuple("tuple", &local, &remote);
}

static void t_connect_refused(struct tctx *t)
{
	struct sockaddr_in dst = loopback4(free_port4(SOCK_STREAM));
	struct sockaddr_storage local;
	int fd = (int)SETUP(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	long r = sysres(syscall(SYS_connect, fd, &dst, sizeof(dst)));

	want_err("connect to a closed port", r, ECONNREFUSED);
	local_of(fd, &local);
	exp_self("connect");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_tuple("tuple", &local, &dst);
}

static void t_connect_tcp6(struct tctx *t)
{
	struct sockaddr_in6 srv = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_storage local, remote;
	socklen_t len = sizeof(srv);
	int lfd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), fd;
	long r;

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&srv, sizeof(srv)) < 0)
		exp_skip("no IPv6 loopback: %m");
	SETUP(listen(lfd, 4));
	SETUP(getsockname(lfd, (struct sockaddr *)&srv, &len));
	fd = (int)SETUP(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
	r = sysres(syscall(SYS_connect, fd, &srv, sizeof(srv)));
	want_ok("connect", r);
	local_of(fd, &local);
	peer_of(fd, &remote);
	exp_self("connect");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_tuple("tuple", &local, &remote);
}

static int unix_listener(const char *path, struct sockaddr_un *ret)
{
	int fd = (int)SETUP(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));

	memset(ret, 0, sizeof(*ret));
	ret->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(ret->sun_path))
		exp_skip("the test directory path is too long for a unix socket");
	memcpy(ret->sun_path, path, strlen(path) + 1);
	SETUP(bind(fd, (struct sockaddr *)ret, sizeof(*ret)));
	SETUP(listen(fd, 4));
	return fd;
}

static void t_connect_unix(struct tctx *t)
{
	struct sockaddr_un srv;
	uint8_t tuple[sizeof(srv.sun_path) + 2];
	int fd;
	long r;

	unix_listener(tp(t, "sock"), &srv);
	fd = (int)SETUP(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	r = sysres(syscall(SYS_connect, fd, &srv, sizeof(srv)));
	want_ok("connect", r);
	exp_self("connect");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_bytes("tuple", tuple, tuple_unix(tuple, srv.sun_path));
}

static void t_accept(struct tctx *t)
{
	struct sockaddr_in srv;
	struct sockaddr_storage local, remote;
	int lfd = tcp4_listener(&srv), cfd;
	long r;

	cfd = (int)SETUP(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	SETUP(connect(cfd, (struct sockaddr *)&srv, sizeof(srv)));
	r = sysres(syscall(SYS_accept, lfd, NULL, NULL));
	want_ok("accept", r);
	local_of((int)r, &local);
	peer_of((int)r, &remote);
	exp_self("accept");
	exp_num("fd", r);
	exp_tuple("tuple", &local, &remote);
}

static void t_accept_einval(struct tctx *t)
{
	struct sockaddr_in a = loopback4(0);
	int fd = (int)SETUP(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	long r;

	SETUP(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	r = sysres(syscall(SYS_accept, fd, NULL, NULL));
	want_err("accept on a socket that does not listen", r, EINVAL);
	exp_self("accept");
	exp_num("fd", r);
	exp_empty("tuple");
}

static void t_accept4(struct tctx *t)
{
	struct sockaddr_in srv;
	struct sockaddr_storage local, remote, peer;
	socklen_t plen = sizeof(peer);
	int lfd = tcp4_listener(&srv), cfd;
	long r;

	cfd = (int)SETUP(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	SETUP(connect(cfd, (struct sockaddr *)&srv, sizeof(srv)));
	r = sysres(syscall(SYS_accept4, lfd, &peer, &plen, SOCK_CLOEXEC | SOCK_NONBLOCK));
	want_ok("accept4", r);
	local_of((int)r, &local);
	peer_of((int)r, &remote);
	exp_self("accept4");
	exp_num("fd", r);
	exp_tuple("tuple", &local, &remote);
	exp_num("flags", SOCK_CLOEXEC | SOCK_NONBLOCK);
}

static void t_accept_unix(struct tctx *t)
{
	struct sockaddr_un srv;
	uint8_t tuple[sizeof(srv.sun_path) + 2];
	int lfd = unix_listener(tp(t, "sock"), &srv), cfd;
	long r;

	cfd = (int)SETUP(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	SETUP(connect(cfd, (struct sockaddr *)&srv, sizeof(srv)));
	r = sysres(syscall(SYS_accept4, lfd, NULL, NULL, SOCK_CLOEXEC));
	want_ok("accept4", r);
	exp_self("accept4");
	exp_num("fd", r);
	/* The server end of a unix connection: its bound path. */
	exp_bytes("tuple", tuple, tuple_unix(tuple, srv.sun_path));
	exp_num("flags", SOCK_CLOEXEC);
}

static void t_bind(struct tctx *t)
{
	struct sockaddr_in a = loopback4(free_port4(SOCK_STREAM));
	int fd = (int)SETUP(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	long r = sysres(syscall(SYS_bind, fd, &a, sizeof(a)));

	want_ok("bind", r);
	exp_self("bind");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_sockaddr("addr", &a);
}

static void t_bind_unix(struct tctx *t)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *path = tp(t, "bound.sock");
	int fd = (int)SETUP(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	long r;

	if (strlen(path) >= sizeof(a.sun_path))
		exp_skip("the test directory path is too long for a unix socket");
	memcpy(a.sun_path, path, strlen(path) + 1);
	r = sysres(syscall(SYS_bind, fd, &a, sizeof(a)));
	want_ok("bind", r);
	exp_self("bind");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_sockaddr("addr", &a);
}

static void t_bind_eaddrinuse(struct tctx *t)
{
	struct sockaddr_in srv;
	int fd;
	long r;

	tcp4_listener(&srv);
	fd = (int)SETUP(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	r = sysres(syscall(SYS_bind, fd, &srv, sizeof(srv)));
	want_err("bind to a listening port", r, EADDRINUSE);
	exp_self("bind");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_sockaddr("addr", &srv);
}

static void t_listen(struct tctx *t)
{
	struct sockaddr_in a = loopback4(0);
	int fd = (int)SETUP(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	long r;

	SETUP(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	r = sysres(syscall(SYS_listen, fd, 7));
	want_ok("listen", r);
	exp_self("listen");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_num("backlog", 7);
}

static void t_listen_eopnotsupp(struct tctx *t)
{
	int fd = (int)SETUP(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	long r = sysres(syscall(SYS_listen, fd, 5));

	want_err("listen on UDP", r, EOPNOTSUPP);
	exp_self("listen");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_num("backlog", 5);
}

/* A UDP socket bound to 127.0.0.1 at a port the kernel picks. */
static int udp4_receiver(struct sockaddr_in *ret)
{
	struct sockaddr_in a = loopback4(0);
	socklen_t len = sizeof(*ret);
	int fd = (int)SETUP(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));

	SETUP(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	SETUP(getsockname(fd, (struct sockaddr *)ret, &len));
	return fd;
}

static void t_sendto_udp(struct tctx *t)
{
	struct sockaddr_in dst;
	int fd;
	long r;

	udp4_receiver(&dst);
	fd = (int)SETUP(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	r = sysres(syscall(SYS_sendto, fd, "hello", 5, 0, &dst, sizeof(dst)));
	want_ok("sendto", r);
	exp_self("sendto");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_num("size", 5);
	exp_sockaddr("addr", &dst);
}

static void t_sendto_connected(struct tctx *t)
{
	struct sockaddr_in srv;
	int fd;
	long r;

	tcp4_listener(&srv);
	fd = (int)SETUP(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	SETUP(connect(fd, (struct sockaddr *)&srv, sizeof(srv)));
	r = sysres(syscall(SYS_sendto, fd, "0123456789", 10, MSG_NOSIGNAL, NULL, 0));
	want_ok("sendto", r);
	exp_self("sendto");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_num("size", 10);
	exp_empty("addr"); /* no address argument */
}

static void t_sendto_edestaddrreq(struct tctx *t)
{
	int fd = (int)SETUP(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	long r = sysres(syscall(SYS_sendto, fd, "x", 1, MSG_NOSIGNAL, NULL, 0));

	/* An unconnected TCP socket: the kernel says EPIPE. */
	want_err("sendto on an unconnected TCP socket", r, EPIPE);
	exp_self("sendto");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_num("size", 1);
	exp_empty("addr");
}

static void t_sendmsg(struct tctx *t)
{
	struct sockaddr_in dst;
	char data[] = "datagram";
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) - 1 };
	struct msghdr msg = {
		.msg_name = &dst,
		.msg_namelen = sizeof(dst),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	int fd;
	long r;

	udp4_receiver(&dst);
	fd = (int)SETUP(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	r = sysres(syscall(SYS_sendmsg, fd, &msg, 0));
	want_ok("sendmsg", r);
	exp_self("sendmsg");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_sockaddr("addr", &dst);
}

static void t_sendmsg_ebadf(struct tctx *t)
{
	struct sockaddr_in dst = loopback4(9);
	char data[] = "x";
	struct iovec iov = { .iov_base = data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_name = &dst,
		.msg_namelen = sizeof(dst),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	int fd = free_fd(100);
	long r = sysres(syscall(SYS_sendmsg, fd, &msg, 0));

	want_err("sendmsg", r, EBADF);
	exp_self("sendmsg");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_sockaddr("addr", &dst);
}

/* ---- file system ---- */

static void t_unlink(struct tctx *t)
{
	const char *path = tp(t, "victim");
	long r;

	make_file(path);
	r = sysres(syscall(SYS_unlink, path));
	want_ok("unlink", r);
	exp_self("unlink");
	exp_num("res", r);
	exp_str("path", path);
}

static void t_unlink_enoent(struct tctx *t)
{
	const char *path = tp(t, "missing");
	long r = sysres(syscall(SYS_unlink, path));

	want_err("unlink", r, ENOENT);
	exp_self("unlink");
	exp_num("res", r);
	exp_str("path", path);
}

static void t_unlinkat(struct tctx *t)
{
	int dfd = open_dir(t->dir);
	long r;

	make_file(tp(t, "victim"));
	r = sysres(syscall(SYS_unlinkat, dfd, "victim", 0));
	want_ok("unlinkat", r);
	exp_self("unlinkat");
	exp_num("res", r);
	exp_num("dirfd", dfd);
	exp_str("name", "victim");
	exp_num("flags", 0);
}

static void t_unlinkat_removedir(struct tctx *t)
{
	const char *path = tp(t, "victim.d");
	long r;

	SETUP(mkdir(path, 0700));
	r = sysres(syscall(SYS_unlinkat, AT_FDCWD, path, AT_REMOVEDIR));
	want_ok("unlinkat(AT_REMOVEDIR)", r);
	exp_self("unlinkat");
	exp_num("res", r);
	exp_num("dirfd", AT_FDCWD);
	exp_str("name", path);
	exp_num("flags", AT_REMOVEDIR);
}

static void t_unlinkat_eisdir(struct tctx *t)
{
	int dfd = open_dir(t->dir);
	long r;

	SETUP(mkdir(tp(t, "a-dir"), 0700));
	r = sysres(syscall(SYS_unlinkat, dfd, "a-dir", 0));
	want_err("unlinkat of a directory", r, EISDIR);
	exp_self("unlinkat");
	exp_num("res", r);
	exp_num("dirfd", dfd);
	exp_str("name", "a-dir");
	exp_num("flags", 0);
}

static void t_rename(struct tctx *t)
{
	const char *from = tp(t, "old"), *to = tp(t, "new");
	long r;

	make_file(from);
	r = sysres(syscall(SYS_rename, from, to));
	want_ok("rename", r);
	exp_self("rename");
	exp_num("res", r);
	exp_str("oldpath", from);
	exp_str("newpath", to);
}

static void t_rename_enoent(struct tctx *t)
{
	const char *from = tp(t, "missing"), *to = tp(t, "new");
	long r = sysres(syscall(SYS_rename, from, to));

	want_err("rename", r, ENOENT);
	exp_self("rename");
	exp_num("res", r);
	exp_str("oldpath", from);
	exp_str("newpath", to);
}

static void t_renameat(struct tctx *t)
{
	int dfd = open_dir(t->dir);
	const char *to = tp(t, "new");
	long r;

	make_file(tp(t, "old"));
	r = sysres(syscall(SYS_renameat, dfd, "old", AT_FDCWD, to));
	want_ok("renameat", r);
	exp_self("renameat");
	exp_num("res", r);
	exp_num("olddirfd", dfd);
	exp_str("oldpath", "old");
	exp_num("newdirfd", AT_FDCWD);
	exp_str("newpath", to);
}

static void t_renameat2(struct tctx *t)
{
	int dfd = open_dir(t->dir);
	long r;

	make_file(tp(t, "old"));
	r = sysres(syscall(SYS_renameat2, dfd, "old", dfd, "new", RENAME_NOREPLACE));
	want_ok("renameat2", r);
	exp_self("renameat2");
	exp_num("res", r);
	exp_num("olddirfd", dfd);
	exp_str("oldpath", "old");
	exp_num("newdirfd", dfd);
	exp_str("newpath", "new");
	exp_num("flags", RENAME_NOREPLACE);
}

static void t_renameat2_eexist(struct tctx *t)
{
	int dfd = open_dir(t->dir);
	long r;

	make_file(tp(t, "old"));
	make_file(tp(t, "new"));
	r = sysres(syscall(SYS_renameat2, dfd, "old", dfd, "new", RENAME_NOREPLACE));
	want_err("renameat2(RENAME_NOREPLACE)", r, EEXIST);
	exp_self("renameat2");
	exp_num("res", r);
	exp_num("olddirfd", dfd);
	exp_str("oldpath", "old");
	exp_num("newdirfd", dfd);
	exp_str("newpath", "new");
	exp_num("flags", RENAME_NOREPLACE);
}

static void t_mkdir(struct tctx *t)
{
	const char *path = tp(t, "made");
	long r = sysres(syscall(SYS_mkdir, path, 0751));

	want_ok("mkdir", r);
	exp_self("mkdir");
	exp_num("res", r);
	exp_str("path", path);
	exp_num("mode", 0751);
}

static void t_mkdir_eexist(struct tctx *t)
{
	long r = sysres(syscall(SYS_mkdir, t->dir, 0700));

	want_err("mkdir", r, EEXIST);
	exp_self("mkdir");
	exp_num("res", r);
	exp_str("path", t->dir);
	exp_num("mode", 0700);
}

static void t_mkdirat(struct tctx *t)
{
	int dfd = open_dir(t->dir);
	long r = sysres(syscall(SYS_mkdirat, dfd, "made-at", 0700));

	want_ok("mkdirat", r);
	exp_self("mkdirat");
	exp_num("res", r);
	exp_num("dirfd", dfd);
	exp_str("path", "made-at");
	exp_num("mode", 0700);
}

static void t_rmdir(struct tctx *t)
{
	const char *path = tp(t, "gone");
	long r;

	SETUP(mkdir(path, 0700));
	r = sysres(syscall(SYS_rmdir, path));
	want_ok("rmdir", r);
	exp_self("rmdir");
	exp_num("res", r);
	exp_str("path", path);
}

static void t_rmdir_enotempty(struct tctx *t)
{
	const char *path = tp(t, "full");
	long r;

	SETUP(mkdir(path, 0700));
	make_file(tp(t, "full/file"));
	r = sysres(syscall(SYS_rmdir, path));
	want_err("rmdir", r, ENOTEMPTY);
	exp_self("rmdir");
	exp_num("res", r);
	exp_str("path", path);
}

static void t_symlink(struct tctx *t)
{
	const char *link = tp(t, "link");
	long r = sysres(syscall(SYS_symlink, "../some/target", link));

	want_ok("symlink", r);
	exp_self("symlink");
	exp_num("res", r);
	exp_str("target", "../some/target");
	exp_str("linkpath", link);
}

static void t_symlink_eexist(struct tctx *t)
{
	long r = sysres(syscall(SYS_symlink, "target", t->dir));

	want_err("symlink", r, EEXIST);
	exp_self("symlink");
	exp_num("res", r);
	exp_str("target", "target");
	exp_str("linkpath", t->dir);
}

static void t_symlinkat(struct tctx *t)
{
	int dfd = open_dir(t->dir);
	long r = sysres(syscall(SYS_symlinkat, "/etc/passwd", dfd, "link-at"));

	want_ok("symlinkat", r);
	exp_self("symlinkat");
	exp_num("res", r);
	exp_str("target", "/etc/passwd");
	exp_num("linkdirfd", dfd);
	exp_str("linkpath", "link-at");
}

static void t_link(struct tctx *t)
{
	const char *from = tp(t, "orig"), *to = tp(t, "hard");
	long r;

	make_file(from);
	r = sysres(syscall(SYS_link, from, to));
	want_ok("link", r);
	exp_self("link");
	exp_num("res", r);
	exp_str("oldpath", from);
	exp_str("newpath", to);
}

static void t_link_enoent(struct tctx *t)
{
	const char *from = tp(t, "missing"), *to = tp(t, "hard");
	long r = sysres(syscall(SYS_link, from, to));

	want_err("link", r, ENOENT);
	exp_self("link");
	exp_num("res", r);
	exp_str("oldpath", from);
	exp_str("newpath", to);
}

static void t_linkat(struct tctx *t)
{
	int dfd = open_dir(t->dir);
	long r;

	make_file(tp(t, "orig"));
	SETUP(symlink("orig", tp(t, "sym")));
	r = sysres(syscall(SYS_linkat, dfd, "sym", dfd, "hard", AT_SYMLINK_FOLLOW));
	want_ok("linkat", r);
	exp_self("linkat");
	exp_num("res", r);
	exp_num("olddir", dfd);
	exp_str("oldpath", "sym");
	exp_num("newdir", dfd);
	exp_str("newpath", "hard");
	exp_num("flags", AT_SYMLINK_FOLLOW);
}

static void t_chmod(struct tctx *t)
{
	const char *path = tp(t, "file");
	long r;

	make_file(path);
	r = sysres(syscall(SYS_chmod, path, 04755));
	want_ok("chmod", r);
	exp_self("chmod");
	exp_num("res", r);
	exp_str("filename", path);
	exp_num("mode", 04755);
}

static void t_chmod_enoent(struct tctx *t)
{
	const char *path = tp(t, "missing");
	long r = sysres(syscall(SYS_chmod, path, 0600));

	want_err("chmod", r, ENOENT);
	exp_self("chmod");
	exp_num("res", r);
	exp_str("filename", path);
	exp_num("mode", 0600);
}

static void t_fchmod(struct tctx *t)
{
	int fd = (int)SETUP(open(tp(t, "file"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	long r = sysres(syscall(SYS_fchmod, fd, 0640));

	want_ok("fchmod", r);
	exp_self("fchmod");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_num("mode", 0640);
}

static void t_fchmodat(struct tctx *t)
{
	int dfd = open_dir(t->dir);
	long r;

	make_file(tp(t, "file"));
	r = sysres(syscall(SYS_fchmodat, dfd, "file", 0400));
	want_ok("fchmodat", r);
	exp_self("fchmodat");
	exp_num("res", r);
	exp_num("dirfd", dfd);
	exp_str("filename", "file");
	exp_num("mode", 0400);
}

static void t_chown(struct tctx *t)
{
	const char *path = tp(t, "file");
	long r;

	make_file(path);
	r = sysres(syscall(SYS_chown, path, 1234, 5678));
	want_ok("chown", r);
	exp_self("chown");
	exp_num("res", r);
	exp_str("path", path);
	exp_num("uid", 1234);
	exp_num("gid", 5678);
}

/* -1 leaves the owner as it is: the event keeps the argument, 0xffffffff. */
static void t_chown_keep_uid(struct tctx *t)
{
	const char *path = tp(t, "file");
	long r;

	make_file(path);
	r = sysres(syscall(SYS_chown, path, (uid_t)-1, 42));
	want_ok("chown", r);
	exp_self("chown");
	exp_num("res", r);
	exp_str("path", path);
	exp_num("uid", UINT32_MAX);
	exp_num("gid", 42);
}

static void t_fchown(struct tctx *t)
{
	int fd = (int)SETUP(open(tp(t, "file"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	long r = sysres(syscall(SYS_fchown, fd, 4321, 8765));

	want_ok("fchown", r);
	exp_self("fchown");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_num("uid", 4321);
	exp_num("gid", 8765);
}

static void t_fchownat(struct tctx *t)
{
	int dfd = open_dir(t->dir);
	long r;

	SETUP(symlink("nowhere", tp(t, "sym")));
	r = sysres(syscall(SYS_fchownat, dfd, "sym", 77, 88, AT_SYMLINK_NOFOLLOW));
	want_ok("fchownat", r);
	exp_self("fchownat");
	exp_num("res", r);
	exp_num("dirfd", dfd);
	exp_str("pathname", "sym");
	exp_num("uid", 77);
	exp_num("gid", 88);
	exp_num("flags", AT_SYMLINK_NOFOLLOW);
}

static void t_fchownat_enoent(struct tctx *t)
{
	int dfd = open_dir(t->dir);
	long r = sysres(syscall(SYS_fchownat, dfd, "missing", 1, 2, 0));

	want_err("fchownat", r, ENOENT);
	exp_self("fchownat");
	exp_num("res", r);
	exp_num("dirfd", dfd);
	exp_str("pathname", "missing");
	exp_num("uid", 1);
	exp_num("gid", 2);
	exp_num("flags", 0);
}

/* ---- credentials ---- */

/* Gives up root: every uid becomes 12345, which also clears the capabilities. */
static void drop_root(void)
{
	SETUP(setresuid(12345, 12345, 12345));
	if (geteuid() != 12345)
		exp_fail("setup: still euid %u", geteuid());
}

static void t_setuid(struct tctx *t)
{
	long r = sysres(syscall(SYS_setuid, 12345));

	want_ok("setuid as root", r);
	exp_self("setuid");
	exp_num("res", r);
	exp_num("uid", 12345);
}

static void t_setuid_eperm(struct tctx *t)
{
	long r;

	drop_root();
	r = sysres(syscall(SYS_setuid, 0));
	want_err("setuid(0) unprivileged", r, EPERM);
	exp_self("setuid");
	exp_num("res", r);
	exp_num("uid", 0);
}

static void t_setgid(struct tctx *t)
{
	long r = sysres(syscall(SYS_setgid, 23456));

	want_ok("setgid as root", r);
	exp_self("setgid");
	exp_num("res", r);
	exp_num("gid", 23456);
}

static void t_setgid_eperm(struct tctx *t)
{
	long r;

	drop_root();
	r = sysres(syscall(SYS_setgid, 777));
	want_err("setgid(777) unprivileged", r, EPERM);
	exp_self("setgid");
	exp_num("res", r);
	exp_num("gid", 777);
}

static void t_setreuid(struct tctx *t)
{
	long r = sysres(syscall(SYS_setreuid, 1000, 1001));

	want_ok("setreuid", r);
	exp_self("setreuid");
	exp_num("res", r);
	exp_num("ruid", 1000);
	exp_num("euid", 1001);
}

static void t_setreuid_eperm(struct tctx *t)
{
	long r;

	drop_root();
	r = sysres(syscall(SYS_setreuid, 0, 0));
	want_err("setreuid(0, 0) unprivileged", r, EPERM);
	exp_self("setreuid");
	exp_num("res", r);
	exp_num("ruid", 0);
	exp_num("euid", 0);
}

static void t_setregid(struct tctx *t)
{
	long r = sysres(syscall(SYS_setregid, 2000, (gid_t)-1));

	want_ok("setregid", r);
	exp_self("setregid");
	exp_num("res", r);
	exp_num("rgid", 2000);
	exp_num("egid", UINT32_MAX);
}

static void t_setresuid(struct tctx *t)
{
	long r = sysres(syscall(SYS_setresuid, 101, 102, 103));

	want_ok("setresuid", r);
	exp_self("setresuid");
	exp_num("res", r);
	exp_num("ruid", 101);
	exp_num("euid", 102);
	exp_num("suid", 103);
}

static void t_setresuid_eperm(struct tctx *t)
{
	long r;

	drop_root();
	r = sysres(syscall(SYS_setresuid, 0, 0, 0));
	want_err("setresuid(0, 0, 0) unprivileged", r, EPERM);
	exp_self("setresuid");
	exp_num("res", r);
	exp_num("ruid", 0);
	exp_num("euid", 0);
	exp_num("suid", 0);
}

static void t_setresgid(struct tctx *t)
{
	long r = sysres(syscall(SYS_setresgid, 201, 202, 203));

	want_ok("setresgid", r);
	exp_self("setresgid");
	exp_num("res", r);
	exp_num("rgid", 201);
	exp_num("egid", 202);
	exp_num("sgid", 203);
}

static void t_setresgid_eperm(struct tctx *t)
{
	long r;

	drop_root();
	r = sysres(syscall(SYS_setresgid, 777, 777, 777));
	want_err("setresgid(777, 777, 777) unprivileged", r, EPERM);
	exp_self("setresgid");
	exp_num("res", r);
	exp_num("rgid", 777);
	exp_num("egid", 777);
	exp_num("sgid", 777);
}

static void t_capset(struct tctx *t)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	uint64_t inh, prm, eff, drop = 1ull << CAP_SYS_BOOT | 1ull << CAP_SYS_MODULE;
	long r;

	SETUP(syscall(SYS_capget, &h, d));
	inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	prm = (d[0].permitted | (uint64_t)d[1].permitted << 32) & ~drop;
	eff = (d[0].effective | (uint64_t)d[1].effective << 32) & ~drop;
	d[0].permitted = (uint32_t)prm;
	d[1].permitted = (uint32_t)(prm >> 32);
	d[0].effective = (uint32_t)eff;
	d[1].effective = (uint32_t)(eff >> 32);
	h.pid = 0;
	r = sysres(syscall(SYS_capset, &h, d));
	want_ok("capset", r);
	exp_self("capset");
	exp_num("res", r);
	exp_num("cap_inheritable", (int64_t)inh);
	exp_num("cap_permitted", (int64_t)prm);
	exp_num("cap_effective", (int64_t)eff);
}

/* ---- process control, system ---- */

static void t_ptrace_traceme(struct tctx *t)
{
	long r = sysres(syscall(SYS_ptrace, PTRACE_TRACEME, 0, NULL, NULL));

	want_ok("ptrace(PTRACE_TRACEME)", r);
	exp_self("ptrace");
	exp_num("res", r);
	exp_num("request", PTRACE_TRACEME);
	exp_num("pid", 0);
}

static void t_ptrace_attach(struct tctx *t)
{
	pid_t p = (pid_t)SETUP(fork());
	long r;

	if (p == 0) {
		for (;;)
			pause();
	}
	r = sysres(syscall(SYS_ptrace, PTRACE_ATTACH, p, NULL, NULL));
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
	want_ok("ptrace(PTRACE_ATTACH)", r);
	exp_self("ptrace");
	exp_num("res", r);
	exp_num("request", PTRACE_ATTACH);
	exp_num("pid", p);
}

static void t_ptrace_eperm(struct tctx *t)
{
	long r = sysres(syscall(SYS_ptrace, PTRACE_ATTACH, getpid(), NULL, NULL));

	want_err("ptrace(PTRACE_ATTACH) of itself", r, EPERM);
	exp_self("ptrace");
	exp_num("res", r);
	exp_num("request", PTRACE_ATTACH);
	exp_num("pid", getpid());
}

/* A private mount namespace, so nothing this child mounts is seen outside. */
static void private_mounts(void)
{
	SETUP(unshare(CLONE_NEWNS));
	SETUP(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
}

static void t_mount(struct tctx *t)
{
	const char *mnt = tp(t, "mnt");
	unsigned long flags = MS_NOSUID | MS_NODEV;
	long r;

	SETUP(mkdir(mnt, 0700));
	private_mounts();
	r = sysres(syscall(SYS_mount, "osprey-tmpfs", mnt, "tmpfs", flags, "size=1m"));
	want_ok("mount tmpfs", r);
	exp_self("mount");
	exp_num("res", r);
	exp_str("dev", "osprey-tmpfs");
	exp_str("dir", mnt);
	exp_str("type", "tmpfs");
	exp_num("flags", (int64_t)flags);
}

static void t_mount_enodev(struct tctx *t)
{
	const char *mnt = tp(t, "mnt");
	long r;

	SETUP(mkdir(mnt, 0700));
	private_mounts();
	r = sysres(syscall(SYS_mount, "none", mnt, "osprey-no-such-fs", MS_RDONLY, NULL));
	want_err("mount of an unknown file system type", r, ENODEV);
	exp_self("mount");
	exp_num("res", r);
	exp_str("dev", "none");
	exp_str("dir", mnt);
	exp_str("type", "osprey-no-such-fs");
	exp_num("flags", MS_RDONLY);
}

static void t_umount2(struct tctx *t)
{
	const char *mnt = tp(t, "mnt");
	long r;

	SETUP(mkdir(mnt, 0700));
	private_mounts();
	SETUP(mount("osprey-tmpfs", mnt, "tmpfs", 0, NULL));
	r = sysres(syscall(SYS_umount2, mnt, MNT_DETACH));
	want_ok("umount2", r);
	exp_self("umount2");
	exp_num("res", r);
	exp_str("name", mnt);
	exp_num("flags", MNT_DETACH);
}

static void t_umount2_einval(struct tctx *t)
{
	long r;

	private_mounts();
	r = sysres(syscall(SYS_umount2, t->dir, 0));
	want_err("umount2 of a directory that is not a mount point", r, EINVAL);
	exp_self("umount2");
	exp_num("res", r);
	exp_str("name", t->dir);
	exp_num("flags", 0);
}

/* Reads every byte of s, so its pages are resident before a syscall reads it at exit. */
static void touch_string(const char *s)
{
	volatile char sink = 0;

	while (*s)
		sink ^= *s++;
	(void)sink;
}

/* Module calls fail here (bad image, or no module support): the kernel's errno is the result. */
static void t_init_module(struct tctx *t)
{
	static const char image[64] = "not an ELF module";
	static volatile char uargs[] = "osprey=1";
	long r;

	/*
	 * Events are read at syscall exit, where the probe cannot fault pages in:
	 * a string the program never touched (and a kernel that did not either,
	 * having no module support) is not resident. Real loaders build their
	 * arguments in memory they have touched; so does this test.
	 */
	touch_string((const char *)uargs);
	r = sysres(syscall(SYS_init_module, image, sizeof(image), (const char *)uargs));

	if (r >= 0)
		exp_fail("init_module of garbage succeeded");
	exp_self("init_module");
	exp_num("res", r);
	exp_num("len", sizeof(image));
	exp_str("uargs", "osprey=1");
}

static void t_finit_module(struct tctx *t)
{
	const char *path = tp(t, "module.ko");
	int fd;
	long r;

	make_file(path);
	fd = (int)SETUP(open(path, O_RDONLY | O_CLOEXEC));
	r = sysres(syscall(SYS_finit_module, fd, "debug=1", MODULE_INIT_IGNORE_VERMAGIC));
	if (r >= 0)
		exp_fail("finit_module of an empty file succeeded");
	exp_self("finit_module");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_str("uargs", "debug=1");
	exp_num("flags", MODULE_INIT_IGNORE_VERMAGIC);
}

static void t_delete_module(struct tctx *t)
{
	static volatile char name[] = "osprey_conformance_none";
	long r;

	touch_string((const char *)name); /* see t_init_module() */
	r = sysres(syscall(SYS_delete_module, (const char *)name, O_NONBLOCK));

	if (r >= 0)
		exp_fail("delete_module of a module that does not exist succeeded");
	exp_self("delete_module");
	exp_num("res", r);
	exp_str("name", "osprey_conformance_none");
	exp_num("flags", O_NONBLOCK);
}

static void t_bpf_prog_load_einval(struct tctx *t)
{
	union bpf_attr attr;
	long r;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER; /* no instructions: rejected */
	r = sysres(syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)));
	if (r >= 0)
		exp_fail("BPF_PROG_LOAD without instructions succeeded");
	exp_self("bpf");
	exp_num("res_or_fd", r);
	exp_num("cmd", BPF_PROG_LOAD);
}

static void t_bpf_map_create(struct tctx *t)
{
	union bpf_attr attr;
	long r;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	r = sysres(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr)));
	want_ok("BPF_MAP_CREATE", r);
	exp_self("bpf");
	exp_num("res_or_fd", r);
	exp_num("cmd", BPF_MAP_CREATE);
}

static void t_memfd_create(struct tctx *t)
{
	unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
	long r = sysres(syscall(SYS_memfd_create, "osprey-memfd", flags));

	want_ok("memfd_create", r);
	exp_self("memfd_create");
	exp_num("fd", r);
	exp_str("name", "osprey-memfd");
	exp_num("flags", flags);
}

static void t_memfd_create_einval(struct tctx *t)
{
	char name[300];
	long r;

	memset(name, 'm', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	r = sysres(syscall(SYS_memfd_create, name, MFD_CLOEXEC));
	want_err("memfd_create with a 299-byte name", r, EINVAL);
	exp_self("memfd_create");
	exp_num("fd", r);
	exp_str("name", name);
	exp_num("flags", MFD_CLOEXEC);
}

static void t_chdir(struct tctx *t)
{
	long r = sysres(syscall(SYS_chdir, t->dir));

	want_ok("chdir", r);
	exp_self("chdir");
	exp_num("res", r);
	exp_str("path", t->dir);
}

static void t_chdir_enoent(struct tctx *t)
{
	const char *path = tp(t, "missing");
	long r = sysres(syscall(SYS_chdir, path));

	want_err("chdir", r, ENOENT);
	exp_self("chdir");
	exp_num("res", r);
	exp_str("path", path);
}

static void t_fchdir(struct tctx *t)
{
	int dfd = open_dir(t->dir);
	long r = sysres(syscall(SYS_fchdir, dfd));

	want_ok("fchdir", r);
	exp_self("fchdir");
	exp_num("res", r);
	exp_num("fd", dfd);
}

static void t_fchdir_ebadf(struct tctx *t)
{
	int fd = free_fd(100);
	long r = sysres(syscall(SYS_fchdir, fd));

	want_err("fchdir", r, EBADF);
	exp_self("fchdir");
	exp_num("res", r);
	exp_num("fd", fd);
}

static void t_chroot(struct tctx *t)
{
	long r = sysres(syscall(SYS_chroot, t->dir));

	want_ok("chroot", r);
	exp_self("chroot");
	exp_num("res", r);
	exp_str("path", t->dir);
}

static void t_chroot_enoent(struct tctx *t)
{
	const char *path = tp(t, "missing");
	long r = sysres(syscall(SYS_chroot, path));

	want_err("chroot", r, ENOENT);
	exp_self("chroot");
	exp_num("res", r);
	exp_str("path", path);
}

/* In a private mount namespace: a tmpfs becomes the root, the old root goes under it. */
static void t_pivot_root(struct tctx *t)
{
	const char *new_root = tp(t, "new-root"), *put_old = tp(t, "new-root/old");
	long r;

	SETUP(mkdir(new_root, 0700));
	private_mounts();
	SETUP(mount("osprey-root", new_root, "tmpfs", 0, NULL));
	SETUP(mkdir(put_old, 0700));
	r = sysres(syscall(SYS_pivot_root, new_root, put_old));
	if (r == -EINVAL)
		exp_skip("pivot_root refused (EINVAL): the current root is not a mount point here");
	want_ok("pivot_root", r);
	exp_self("pivot_root");
	exp_num("res", r);
	exp_str("new_root", new_root);
	exp_str("put_old", put_old);
}

static void t_pivot_root_enoent(struct tctx *t)
{
	const char *new_root = tp(t, "missing-root"), *put_old = tp(t, "missing-root/old");
	long r;

	private_mounts();
	r = sysres(syscall(SYS_pivot_root, new_root, put_old));
	want_err("pivot_root", r, ENOENT);
	exp_self("pivot_root");
	exp_num("res", r);
	exp_str("new_root", new_root);
	exp_str("put_old", put_old);
}

static void t_kill(struct tctx *t)
{
	long r = sysres(syscall(SYS_kill, getpid(), 0));

	want_ok("kill", r);
	exp_self("kill");
	exp_num("res", r);
	exp_num("pid", getpid());
	exp_num("sig", 0);
}

static void t_kill_esrch(struct tctx *t)
{
	pid_t dead = dead_pid();
	long r = sysres(syscall(SYS_kill, dead, 0));

	want_err("kill of a reaped pid", r, ESRCH);
	exp_self("kill");
	exp_num("res", r);
	exp_num("pid", dead);
	exp_num("sig", 0);
}

static void t_tkill(struct tctx *t)
{
	long r = sysres(syscall(SYS_tkill, my_tid(), 0));

	want_ok("tkill", r);
	exp_self("tkill");
	exp_num("res", r);
	exp_num("tid", my_tid());
	exp_num("sig", 0);
}

static void t_tkill_esrch(struct tctx *t)
{
	pid_t dead = dead_pid();
	long r = sysres(syscall(SYS_tkill, dead, 0));

	want_err("tkill of a reaped tid", r, ESRCH);
	exp_self("tkill");
	exp_num("res", r);
	exp_num("tid", dead);
	exp_num("sig", 0);
}

static void t_tgkill(struct tctx *t)
{
	long r = sysres(syscall(SYS_tgkill, getpid(), my_tid(), 0));

	want_ok("tgkill", r);
	exp_self("tgkill");
	exp_num("res", r);
	exp_num("pid", getpid());
	exp_num("tid", my_tid());
	exp_num("sig", 0);
}

static void t_tgkill_esrch(struct tctx *t)
{
	pid_t dead = dead_pid();
	long r = sysres(syscall(SYS_tgkill, getpid(), dead, 0));

	want_err("tgkill of a reaped tid", r, ESRCH);
	exp_self("tgkill");
	exp_num("res", r);
	exp_num("pid", getpid());
	exp_num("tid", dead);
	exp_num("sig", 0);
}

static void t_setns(struct tctx *t)
{
	int fd = (int)SETUP(open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC));
	long r = sysres(syscall(SYS_setns, fd, CLONE_NEWUTS));

	want_ok("setns", r);
	exp_self("setns");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_num("nstype", CLONE_NEWUTS);
}

static void t_setns_einval(struct tctx *t)
{
	int fd = (int)SETUP(open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC));
	long r = sysres(syscall(SYS_setns, fd, CLONE_NEWNET));

	want_err("setns of a uts namespace as a net one", r, EINVAL);
	exp_self("setns");
	exp_num("res", r);
	exp_num("fd", fd);
	exp_num("nstype", CLONE_NEWNET);
}

static void t_unshare(struct tctx *t)
{
	long r = sysres(syscall(SYS_unshare, CLONE_NEWUTS | CLONE_NEWIPC));

	want_ok("unshare", r);
	exp_self("unshare");
	exp_num("res", r);
	exp_num("flags", CLONE_NEWUTS | CLONE_NEWIPC);
}

static void t_unshare_einval(struct tctx *t)
{
	long r = sysres(syscall(SYS_unshare, SIGCHLD)); /* a signal number is no unshare flag */

	want_err("unshare", r, EINVAL);
	exp_self("unshare");
	exp_num("res", r);
	exp_num("flags", SIGCHLD);
}

static void t_prctl_set_name(struct tctx *t)
{
	static const char name[] = "osprey-prctl";
	long r = sysres(syscall(SYS_prctl, PR_SET_NAME, name, 0, 0, 0));

	want_ok("prctl(PR_SET_NAME)", r);
	exp_self("prctl");
	exp_num("res", r);
	exp_num("option", PR_SET_NAME);
	exp_str("arg2_str", name);
	exp_num("arg2_int", (int64_t)(uintptr_t)name);
}

static void t_prctl_set_dumpable(struct tctx *t)
{
	long r = sysres(syscall(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0));

	want_ok("prctl(PR_SET_DUMPABLE)", r);
	exp_self("prctl");
	exp_num("res", r);
	exp_num("option", PR_SET_DUMPABLE);
	exp_empty("arg2_str"); /* not a string option */
	exp_num("arg2_int", 1);
}

static void t_prctl_einval(struct tctx *t)
{
	long r = sysres(syscall(SYS_prctl, 0x4f535052, 5, 0, 0, 0));

	want_err("prctl of an unknown option", r, EINVAL);
	exp_self("prctl");
	exp_num("res", r);
	exp_num("option", 0x4f535052);
	exp_empty("arg2_str");
	exp_num("arg2_int", 5);
}

static void t_userfaultfd(struct tctx *t)
{
	int flags = O_CLOEXEC | O_NONBLOCK;
	long r = sysres(syscall(SYS_userfaultfd, flags));

	if (r == -ENOSYS)
		exp_skip("userfaultfd is not built into this kernel");
	want_ok("userfaultfd", r);
	exp_self("userfaultfd");
	exp_num("res", r);
	exp_num("flags", flags);
}

static void t_userfaultfd_einval(struct tctx *t)
{
	/* Valid flags are O_CLOEXEC, O_NONBLOCK and UFFD_USER_MODE_ONLY (1): 2 is not one. */
	long r = sysres(syscall(SYS_userfaultfd, 2));

	if (r == -ENOSYS)
		exp_skip("userfaultfd is not built into this kernel");
	want_err("userfaultfd with a bad flag", r, EINVAL);
	exp_self("userfaultfd");
	exp_num("res", r);
	exp_num("flags", 2);
}

static void *map_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exp_fail("setup: mmap: %m");
	return p;
}

static void t_mprotect_exec(struct tctx *t)
{
	void *p = map_page();
	long r = sysres(syscall(SYS_mprotect, p, 4096, PROT_READ | PROT_EXEC));

	want_ok("mprotect(PROT_EXEC)", r);
	exp_self("mprotect");
	exp_num("res", r);
	exp_num("addr", (int64_t)(uintptr_t)p);
	exp_num("len", 4096);
	exp_num("prot", PROT_READ | PROT_EXEC);
}

static void t_mprotect_exec_einval(struct tctx *t)
{
	char *p = map_page();
	long r = sysres(syscall(SYS_mprotect, p + 1, 4096, PROT_EXEC));

	want_err("mprotect of an unaligned address", r, EINVAL);
	exp_self("mprotect");
	exp_num("res", r);
	exp_num("addr", (int64_t)(uintptr_t)(p + 1));
	exp_num("len", 4096);
	exp_num("prot", PROT_EXEC);
}

/* Only a request for PROT_EXEC is an event. */
static void t_mprotect_noexec(struct tctx *t)
{
	void *p = map_page();

	want_ok("mprotect(PROT_READ)", sysres(syscall(SYS_mprotect, p, 4096, PROT_READ)));
	want_ok("mprotect(PROT_READ|PROT_WRITE)",
		sysres(syscall(SYS_mprotect, p, 4096, PROT_READ | PROT_WRITE)));
	exp_none("mprotect", getpid());
}

static void t_pipe(struct tctx *t)
{
	int fds[2] = { -1, -1 };
	long r = sysres(syscall(SYS_pipe, fds));

	want_ok("pipe", r);
	exp_self("pipe");
	exp_num("res", r);
	exp_num("fd1", fds[0]);
	exp_num("fd2", fds[1]);
}

static void t_pipe2(struct tctx *t)
{
	int fds[2] = { -1, -1 };
	long r = sysres(syscall(SYS_pipe2, fds, O_CLOEXEC | O_NONBLOCK));

	want_ok("pipe2", r);
	exp_self("pipe2");
	exp_num("res", r);
	exp_num("fd1", fds[0]);
	exp_num("fd2", fds[1]);
	exp_num("flags", O_CLOEXEC | O_NONBLOCK);
}

static void t_pipe2_einval(struct tctx *t)
{
	int fds[2] = { -1, -1 };
	long r = sysres(syscall(SYS_pipe2, fds, O_RDWR));

	want_err("pipe2(O_RDWR)", r, EINVAL);
	exp_self("pipe2");
	exp_num("res", r);
	exp_empty("fd1"); /* no descriptors come out of a failed call */
	exp_empty("fd2");
	exp_num("flags", O_RDWR);
}

static void t_io_uring_setup(struct tctx *t)
{
	struct io_uring_params p;
	long r;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CLAMP;
	r = sysres(syscall(SYS_io_uring_setup, 4, &p));
	if (r == -ENOSYS)
		exp_skip("io_uring is not built into this kernel");
	/* kernel.io_uring_disabled may refuse it: the result is whatever the kernel said. */
	exp_self("io_uring_setup");
	exp_num("fd", r);
	exp_num("entries", 4);
	exp_num("flags", IORING_SETUP_CLAMP);
}

static void t_io_uring_setup_einval(struct tctx *t)
{
	struct io_uring_params p;
	long r;

	memset(&p, 0, sizeof(p));
	r = sysres(syscall(SYS_io_uring_setup, 0, &p));
	if (r == -ENOSYS)
		exp_skip("io_uring is not built into this kernel");
	if (r >= 0)
		exp_fail("io_uring_setup with 0 entries succeeded");
	exp_self("io_uring_setup");
	exp_num("fd", r);
	exp_num("entries", 0);
	exp_num("flags", 0);
}

/* ---- in-kernel filters ---- */

/* Runs with the interest set limited to {openat}: mkdir is filtered in the kernel. */
static void t_interest_openat_only(struct tctx *t)
{
	const char *dir = tp(t, "filtered-mkdir");
	const char *file = tp(t, "wanted-openat");
	long r;

	want_ok("mkdir", sysres(syscall(SYS_mkdir, dir, 0700)));
	r = sysres(syscall(SYS_openat, AT_FDCWD, file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	want_ok("openat", r);
	exp_self("openat");
	exp_num("fd", r);
	exp_num("dirfd", AT_FDCWD);
	exp_str("name", file);
	exp_num("flags", O_WRONLY | O_CREAT | O_CLOEXEC);
	exp_num("mode", 0600);
	exp_none("mkdir", getpid());
}

/* The test process opened and created files just before forking this child: none may show. */
static void t_self_not_captured(struct tctx *t)
{
	exp_none("openat", t->parent);
	exp_none("mkdir", t->parent);
	exp_none("close", t->parent);
	exp_none("clone", t->parent);
	exp_none("procfork", t->parent);
}

const struct trigger_case trigger_cases[] = {
	{ "procexec-true", "procexec", t_procexec_true, 0 },
	{ "procexec-long-args", "procexec", t_procexec_long_args, 0 },
	{ "procexec-readonly-exe", "procexec", t_procexec_readonly_exe, 0 },
	{ "procexec-execveat", "procexec", t_procexec_execveat, 0 },
	{ "procexec-memfd", "procexec", t_procexec_memfd, 0 },
	{ "execve-enoent", "execve", t_execve_enoent, 0 },
	{ "execve-long-args", "execve", t_execve_long_args, 0 },
	{ "execveat-enoent", "execveat", t_execveat_enoent, 0 },
	{ "fork", "fork", t_fork, 0 },
	{ "vfork", "vfork", t_vfork, 0 },
	{ "clone", "clone", t_clone, 0 },
	{ "clone-newpid", "clone", t_clone_newpid, 0 },
	{ "clone-einval", "clone", t_clone_einval, 0 },
	{ "clone3", "clone3", t_clone3, 0 },
	{ "procfork-thread", "procfork", t_procfork_thread, 0 },
	{ "procexit-thread", "procexit", t_procexit_thread, 0 },
	{ "procexit-status", "procexit", t_procexit_status, 0 },
	{ "procexit-signal", "procexit", t_procexit_signal, 0 },
	{ "open", "open", t_open, 0 },
	{ "open-creat", "open", t_open_creat, 0 },
	{ "open-enoent", "open", t_open_enoent, 0 },
	{ "openat", "openat", t_openat, 0 },
	{ "openat-enoent", "openat", t_openat_enoent, 0 },
	{ "openat-long-name", "openat", t_openat_long_name, 0 },
	{ "openat2", "openat2", t_openat2, 0 },
	{ "openat2-exdev", "openat2", t_openat2_exdev, 0 },
	{ "creat", "creat", t_creat, 0 },
	{ "creat-enoent", "creat", t_creat_enoent, 0 },
	{ "close", "close", t_close, 0 },
	{ "close-ebadf", "close", t_close_ebadf, 0 },
	{ "dup", "dup", t_dup, 0 },
	{ "dup-ebadf", "dup", t_dup_ebadf, 0 },
	{ "dup2", "dup2", t_dup2, 0 },
	{ "dup2-ebadf", "dup2", t_dup2_ebadf, 0 },
	{ "dup3", "dup3", t_dup3, 0 },
	{ "dup3-einval", "dup3", t_dup3_einval, 0 },
	{ "fcntl-dupfd-cloexec", "fcntl", t_fcntl_dupfd_cloexec, 0 },
	{ "fcntl-dupfd", "fcntl", t_fcntl_dupfd, 0 },
	{ "fcntl-ebadf", "fcntl", t_fcntl_ebadf, 0 },
	{ "fcntl-other-cmds", "fcntl", t_fcntl_other_cmds, 0 },
	{ "socket", "socket", t_socket, 0 },
	{ "socket-eprotonosupport", "socket", t_socket_eprotonosupport, 0 },
	{ "socketpair", "socketpair", t_socketpair, 0 },
	{ "socketpair-eopnotsupp", "socketpair", t_socketpair_eopnotsupp, 0 },
	{ "connect-tcp4", "connect", t_connect_tcp4, 0 },
	{ "connect-refused", "connect", t_connect_refused, 0 },
	{ "connect-tcp6", "connect", t_connect_tcp6, 0 },
	{ "connect-unix", "connect", t_connect_unix, 0 },
	{ "accept", "accept", t_accept, 0 },
	{ "accept-einval", "accept", t_accept_einval, 0 },
	{ "accept4", "accept4", t_accept4, 0 },
	{ "accept4-unix", "accept4", t_accept_unix, 0 },
	{ "bind", "bind", t_bind, 0 },
	{ "bind-unix", "bind", t_bind_unix, 0 },
	{ "bind-eaddrinuse", "bind", t_bind_eaddrinuse, 0 },
	{ "listen", "listen", t_listen, 0 },
	{ "listen-eopnotsupp", "listen", t_listen_eopnotsupp, 0 },
	{ "sendto-udp", "sendto", t_sendto_udp, 0 },
	{ "sendto-connected", "sendto", t_sendto_connected, 0 },
	{ "sendto-epipe", "sendto", t_sendto_edestaddrreq, 0 },
	{ "sendmsg", "sendmsg", t_sendmsg, 0 },
	{ "sendmsg-ebadf", "sendmsg", t_sendmsg_ebadf, 0 },
	{ "unlink", "unlink", t_unlink, 0 },
	{ "unlink-enoent", "unlink", t_unlink_enoent, 0 },
	{ "unlinkat", "unlinkat", t_unlinkat, 0 },
	{ "unlinkat-removedir", "unlinkat", t_unlinkat_removedir, 0 },
	{ "unlinkat-eisdir", "unlinkat", t_unlinkat_eisdir, 0 },
	{ "rename", "rename", t_rename, 0 },
	{ "rename-enoent", "rename", t_rename_enoent, 0 },
	{ "renameat", "renameat", t_renameat, 0 },
	{ "renameat2", "renameat2", t_renameat2, 0 },
	{ "renameat2-eexist", "renameat2", t_renameat2_eexist, 0 },
	{ "mkdir", "mkdir", t_mkdir, 0 },
	{ "mkdir-eexist", "mkdir", t_mkdir_eexist, 0 },
	{ "mkdirat", "mkdirat", t_mkdirat, 0 },
	{ "rmdir", "rmdir", t_rmdir, 0 },
	{ "rmdir-enotempty", "rmdir", t_rmdir_enotempty, 0 },
	{ "symlink", "symlink", t_symlink, 0 },
	{ "symlink-eexist", "symlink", t_symlink_eexist, 0 },
	{ "symlinkat", "symlinkat", t_symlinkat, 0 },
	{ "link", "link", t_link, 0 },
	{ "link-enoent", "link", t_link_enoent, 0 },
	{ "linkat", "linkat", t_linkat, 0 },
	{ "chmod", "chmod", t_chmod, 0 },
	{ "chmod-enoent", "chmod", t_chmod_enoent, 0 },
	{ "fchmod", "fchmod", t_fchmod, 0 },
	{ "fchmodat", "fchmodat", t_fchmodat, 0 },
	{ "chown", "chown", t_chown, 0 },
	{ "chown-keep-uid", "chown", t_chown_keep_uid, 0 },
	{ "fchown", "fchown", t_fchown, 0 },
	{ "fchownat", "fchownat", t_fchownat, 0 },
	{ "fchownat-enoent", "fchownat", t_fchownat_enoent, 0 },
	{ "setuid", "setuid", t_setuid, 0 },
	{ "setuid-eperm", "setuid", t_setuid_eperm, 0 },
	{ "setgid", "setgid", t_setgid, 0 },
	{ "setgid-eperm", "setgid", t_setgid_eperm, 0 },
	{ "setreuid", "setreuid", t_setreuid, 0 },
	{ "setreuid-eperm", "setreuid", t_setreuid_eperm, 0 },
	{ "setregid", "setregid", t_setregid, 0 },
	{ "setresuid", "setresuid", t_setresuid, 0 },
	{ "setresuid-eperm", "setresuid", t_setresuid_eperm, 0 },
	{ "setresgid", "setresgid", t_setresgid, 0 },
	{ "setresgid-eperm", "setresgid", t_setresgid_eperm, 0 },
	{ "capset", "capset", t_capset, 0 },
	{ "ptrace-traceme", "ptrace", t_ptrace_traceme, 0 },
	{ "ptrace-attach", "ptrace", t_ptrace_attach, 0 },
	{ "ptrace-eperm", "ptrace", t_ptrace_eperm, 0 },
	{ "mount", "mount", t_mount, 0 },
	{ "mount-enodev", "mount", t_mount_enodev, 0 },
	{ "umount2", "umount2", t_umount2, 0 },
	{ "umount2-einval", "umount2", t_umount2_einval, 0 },
	{ "init_module", "init_module", t_init_module, 0 },
	{ "finit_module", "finit_module", t_finit_module, 0 },
	{ "delete_module", "delete_module", t_delete_module, 0 },
	{ "bpf-prog-load-einval", "bpf", t_bpf_prog_load_einval, 0 },
	{ "bpf-map-create", "bpf", t_bpf_map_create, 0 },
	{ "memfd_create", "memfd_create", t_memfd_create, 0 },
	{ "memfd_create-einval", "memfd_create", t_memfd_create_einval, 0 },
	{ "chdir", "chdir", t_chdir, 0 },
	{ "chdir-enoent", "chdir", t_chdir_enoent, 0 },
	{ "fchdir", "fchdir", t_fchdir, 0 },
	{ "fchdir-ebadf", "fchdir", t_fchdir_ebadf, 0 },
	{ "chroot", "chroot", t_chroot, 0 },
	{ "chroot-enoent", "chroot", t_chroot_enoent, 0 },
	{ "pivot_root", "pivot_root", t_pivot_root, 0 },
	{ "pivot_root-enoent", "pivot_root", t_pivot_root_enoent, 0 },
	{ "kill", "kill", t_kill, 0 },
	{ "kill-esrch", "kill", t_kill_esrch, 0 },
	{ "tkill", "tkill", t_tkill, 0 },
	{ "tkill-esrch", "tkill", t_tkill_esrch, 0 },
	{ "tgkill", "tgkill", t_tgkill, 0 },
	{ "tgkill-esrch", "tgkill", t_tgkill_esrch, 0 },
	{ "setns", "setns", t_setns, 0 },
	{ "setns-einval", "setns", t_setns_einval, 0 },
	{ "unshare", "unshare", t_unshare, 0 },
	{ "unshare-einval", "unshare", t_unshare_einval, 0 },
	{ "prctl-set-name", "prctl", t_prctl_set_name, 0 },
	{ "prctl-set-dumpable", "prctl", t_prctl_set_dumpable, 0 },
	{ "prctl-einval", "prctl", t_prctl_einval, 0 },
	{ "userfaultfd", "userfaultfd", t_userfaultfd, 0 },
	{ "userfaultfd-einval", "userfaultfd", t_userfaultfd_einval, 0 },
	{ "mprotect-exec", "mprotect", t_mprotect_exec, 0 },
	{ "mprotect-exec-einval", "mprotect", t_mprotect_exec_einval, 0 },
	{ "mprotect-noexec", "mprotect", t_mprotect_noexec, 0 },
	{ "pipe", "pipe", t_pipe, 0 },
	{ "pipe2", "pipe2", t_pipe2, 0 },
	{ "pipe2-einval", "pipe2", t_pipe2_einval, 0 },
	{ "io_uring_setup", "io_uring_setup", t_io_uring_setup, 0 },
	{ "io_uring_setup-einval", "io_uring_setup", t_io_uring_setup_einval, 0 },
	{ "filter-interest-openat-only", "openat", t_interest_openat_only, CASE_INTEREST_OPENAT },
	{ "filter-self-not-captured", "openat", t_self_not_captured, CASE_SELF_ACTIVITY },
};

const unsigned trigger_ncases = ARRAY_SIZE(trigger_cases);
