// SPDX-License-Identifier: Apache-2.0
/*
 * The /proc snapshot: what already runs, as OSP_EVT_PROC_SNAPSHOT and
 * OSP_EVT_FD_SNAPSHOT records.
 *
 * The walk is a small state machine driven by proc_snapshot_next():
 *
 *   PROC:    readdir(<root>/proc) to the next numeric entry, read the
 *            process-wide values once (exe, cmdline, environ, loginuid, pid
 *            namespace), emit the group leader's record (task/<pid>),
 *   FDS:     one record per entry of <pid>/fd, up to SNAP_MAX_FDS_PER_PROC,
 *   THREADS: one record per other entry of <pid>/task,
 *
 * then back to PROC. At most one process' directories are open at a time
 * and every record is built into the one OSP_EVENT_MAX_LEN buffer of the
 * snapshot. Files come from a host (or a container's view of one) and are not
 * trusted: every read is bounded, every number is checked, and a value that
 * cannot be read or parsed is left empty (length 0) rather than guessed. A
 * thread whose status file cannot be read is gone (or was never there) and is
 * skipped; so is an fd whose link cannot be read.
 *
 * Sockets are described from the tables in <pid>/net/{tcp,tcp6,udp,udp6,unix},
 * read once per network namespace (the inode of <pid>/ns/net) into a bounded
 * cache. A socket missing from them (another protocol, past the cap, created
 * after the tables were read) still gets its family from the socket's
 * "system.sockprotoname" extended attribute, with an empty tuple.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "fileio.h"
#include "macro.h"
#include "parse.h"
#include "proc_snapshot.h"
#include "record.h"

/* Caps: at each one the walk counts what it leaves out (see struct proc_snapshot_stats). */
#define SNAP_MAX_FDS_PER_PROC 1024u   /* FD_SNAPSHOT records per process */
#define SNAP_MAX_RECORDS (4u << 20)   /* records per walk: bounds the time a hostile host costs */
#define SNAP_MAX_SOCKETS 65536u       /* cached socket table entries, all namespaces together */
#define SNAP_MAX_NETNS 1024u          /* network namespaces whose tables are cached */
#define SNAP_UNIX_POOL_MAX (1u << 20) /* bytes of cached unix socket paths */
#define SNAP_LINE_MAX 4608u           /* longest line parsed (a cgroup path plus its prefix) */
#define SNAP_STAT_MAX 2048u           /* bytes of <tid>/stat read (52 numbers and a comm) */
#define SNAP_STATUS_BUDGET (1u << 20) /* bytes read of status (65536 groups fit) or cgroup */
#define SNAP_TABLE_BUDGET (32u << 20) /* bytes read of one socket table */

/* bit i of proc_desc.have: parameter OSP_EXEC_P_i is known. */
#define HAVE(i) (1u << (i))

_Static_assert(OSP_EXEC_NPARAMS <= 32, "the have mask is 32 bits");
_Static_assert(OSP_SNAPLEN_MAX <= OSP_PARAM_LEN_MASK, "a snaplen value fits a parameter");

enum walk_state {
	WALK_PROC,
	WALK_FDS,
	WALK_THREADS,
	WALK_DONE,
};

/* One socket found in a namespace's tables. */
struct sock_entry {
	uint64_t ino;
	uint32_t path_off; /* unix: offset of the NUL-terminated path in unix_pool, or NO_PATH */
	uint8_t fd_type;   /* OSP_FD_TYPE_* */
	uint8_t tuple_len; /* inet: OSP_SOCKTUPLE_INET{,6}_LEN; unix: 0 (built from the path) */
	uint8_t tuple[OSP_SOCKTUPLE_INET6_LEN];
};
#define NO_PATH UINT32_MAX

/* The sockets of one network namespace: socks[start, start + count), sorted by inode. */
struct netns_entry {
	uint64_t ino;
	uint32_t start;
	uint32_t count;
};

/* The fixed-size values of a PROC_SNAPSHOT record, by OSP_EXEC_P_* index. */
struct proc_desc {
	uint32_t have;
	uint64_t num[OSP_EXEC_NPARAMS];
};

/* Read once per process, shared by all its threads' records. */
struct proc_common {
	struct proc_desc desc; /* exe_ino, exe_dev, loginuid, pidns, vpid of the leader */
	char exe[OSP_STR_MAX + 1];
	bool has_exe;
	uint32_t exe_flags;
	bool has_exe_stat;
	mode_t exe_mode;
	uid_t exe_uid;
	gid_t exe_gid;
	char args[OSP_SNAPLEN_MAX + 1];
	size_t args_len; /* bytes stored, the last one a NUL; 0 = none */
	bool args_cut;
	char env[OSP_SNAPLEN_MAX + 1];
	size_t env_len;
	bool env_cut;
	bool netns_read; /* netns was looked up (at the first socket fd) */
	bool has_netns;
	uint64_t netns;
};

/* Read per thread. */
struct thread_info {
	struct proc_desc desc;
	char comm[64];
	bool has_comm;
	char cwd[OSP_STR_MAX + 1];
	bool has_cwd;
	char cgroup[OSP_STR_MAX + 1];
	bool has_cgroup;
};

struct proc_snapshot {
	DIR *proc_dir;
	int proc_fd; /* dirfd(proc_dir), owned by proc_dir */
	char proc_path[PATH_MAX];
	uint32_t snaplen;
	uint64_t tick_ns;
	enum walk_state state;

	/* The process being walked. */
	uint32_t pid;
	int pid_fd;
	DIR *fd_dir;
	DIR *task_dir;
	uint32_t fds_reported;

	struct proc_common common;
	struct thread_info thread;

	/* Socket tables, by namespace. */
	struct netns_entry netns[SNAP_MAX_NETNS];
	uint32_t n_netns;
	struct sock_entry *socks;
	uint32_t n_socks;
	uint32_t socks_cap;
	char *unix_pool;
	uint32_t unix_pool_len;
	uint32_t unix_pool_cap;

	struct proc_snapshot_stats stats;
	uint64_t records;

	uint8_t rec[OSP_EVENT_MAX_LEN] __attribute__((aligned(8)));
};

/* ---- bounded reading ---------------------------------------------------------------------- */

static int open_at(int dirfd, const char *path)
{
	/* O_NONBLOCK: a FIFO planted in a fake or hostile tree must not hang the walk. */
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	return fd < 0 ? negative_errno() : fd;
}

/*
 * Reads up to cap bytes of dirfd/path into buf. *ret_len is the count read; *ret_cut (if not NULL)
 * says the file holds more. Returns 0 or -errno.
 */
static int read_at(int dirfd, const char *path, void *buf, size_t cap, size_t *ret_len,
		   bool *ret_cut)
{
	_cleanup_close_ int fd = open_at(dirfd, path);
	size_t len;
	ssize_t n;

	*ret_len = 0;
	if (fd < 0)
		return fd;
	n = read_full(fd, buf, cap);
	if (n < 0)
		return (int)n;
	len = (size_t)n;
	if (ret_cut) {
		char c;

		*ret_cut = false;
		if (len == cap) {
			do
				n = read(fd, &c, 1);
			while (n < 0 && errno == EINTR);
			*ret_cut = n > 0;
		}
	}
	*ret_len = len;
	return 0;
}

/* Reads a small text file as one NUL-terminated string without its trailing newline. */
static int read_line_at(int dirfd, const char *path, char *buf, size_t size)
{
	size_t len;
	int r;

	r = read_at(dirfd, path, buf, size - 1, &len, NULL);
	if (r < 0)
		return r;
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return (int)len;
}

/* readlinkat() into buf (size bytes), NUL-terminated; a target longer than size - 1 is cut. */
static int read_link_at(int dirfd, const char *path, char *buf, size_t size)
{
	ssize_t n = readlinkat(dirfd, path, buf, size - 1);

	if (n < 0)
		return negative_errno();
	buf[n] = '\0';
	return (int)n;
}

/*
 * Line by line reading of a file of untrusted size: lines longer than the buffer are skipped, and
 * reading stops after budget bytes (a file that never ends, such as a planted /dev/zero).
 */
struct line_reader {
	int fd;
	size_t budget;
	size_t start, end;
	bool eof, skipping;
	char buf[SNAP_LINE_MAX + 1];
};

static void line_reader_init(struct line_reader *lr, int fd, size_t budget)
{
	lr->fd = fd;
	lr->budget = budget;
	lr->start = lr->end = 0;
	lr->eof = lr->skipping = false;
}

/* The next line, NUL-terminated without its '\n', in *ret. Returns 1, 0 at the end, or -errno. */
static int line_next(struct line_reader *lr, char **ret)
{
	for (;;) {
		char *nl = memchr(lr->buf + lr->start, '\n', lr->end - lr->start);
		ssize_t n;

		if (nl) {
			char *line = lr->buf + lr->start;

			*nl = '\0';
			lr->start = (size_t)(nl - lr->buf) + 1;
			if (lr->skipping) {
				lr->skipping = false;
				continue;
			}
			*ret = line;
			return 1;
		}
		if (lr->eof) {
			if (lr->start < lr->end && !lr->skipping) {
				lr->buf[lr->end] = '\0';
				*ret = lr->buf + lr->start;
				lr->start = lr->end;
				return 1;
			}
			lr->start = lr->end;
			return 0;
		}
		if (lr->skipping) {
			lr->start = lr->end = 0;
		} else if (lr->start > 0) {
			memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
			lr->end -= lr->start;
			lr->start = 0;
		}
		if (lr->end == SNAP_LINE_MAX) {
			/* No newline in a full buffer: drop this line up to its end. */
			lr->skipping = true;
			lr->start = lr->end = 0;
		}
		n = read(lr->fd, lr->buf + lr->end, MIN(SNAP_LINE_MAX - lr->end, lr->budget));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0) {
			lr->eof = true;
			/* Out of budget: what is left is part of a line, not a line. */
			if (lr->budget == 0)
				lr->skipping = true;
		}
		lr->end += (size_t)n;
		lr->budget -= (size_t)n;
	}
}

/* ---- checked number parsing --------------------------------------------------------------- */

static bool is_digit_in_base(char c, int base)
{
	if (base == 16)
		return isxdigit((unsigned char)c);
	if (base == 8)
		return c >= '0' && c <= '7';
	return c >= '0' && c <= '9';
}

/*
 * Parses one unsigned number in base at *p after blanks and moves *p past it. The number must end
 * at a blank, a newline or the end of the string. Returns 0, -EINVAL or -ERANGE.
 */
static int next_u64(const char **p, int base, uint64_t *ret)
{
	const char *s = *p;
	unsigned long long v;
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!is_digit_in_base(*s, base))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || (*end && *end != ' ' && *end != '\t' && *end != '\n'))
		return -EINVAL;
	*p = end;
	*ret = v;
	return 0;
}

/* The last of a list of numbers ("NSpid:\t1234\t1"): all must parse. */
static int last_u64(const char *p, uint64_t *ret)
{
	uint64_t v;
	bool any = false;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (next_u64(&p, 10, &v) < 0)
			return -EINVAL;
		any = true;
	}
	if (!any)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* The inode of a namespace or anonymous link target "prefix:[NNN]". */
static int parse_bracket_ino(const char *s, const char *prefix, uint64_t *ret)
{
	size_t n = strlen(prefix);
	const char *close;
	char num[24];

	if (strncmp(s, prefix, n) != 0 || s[n] != ':' || s[n + 1] != '[')
		return -EINVAL;
	s += n + 2;
	close = strchr(s, ']');
	if (!close || close[1] || close == s || (size_t)(close - s) >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, (size_t)(close - s));
	num[close - s] = '\0';
	return safe_atou64(num, ret);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* dev_t as glibc encodes it -> the kernel's internal encoding used by OSP_PT_DEV. */
static uint32_t kdev_from_dev(dev_t d)
{
	return (uint32_t)((major(d) & 0xfff) << 20 | (minor(d) & 0xfffff));
}

/* tty_nr of /proc/<pid>/stat (new_encode_dev(): minor low byte, major, minor high bits). */
static uint32_t kdev_from_tty_nr(uint32_t v)
{
	uint32_t maj = (v >> 8) & 0xfff;
	uint32_t min = (v & 0xff) | ((v >> 12) & 0xfff00);

	return maj << 20 | min;
}

static uint64_t now_boottime_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void desc_set(struct proc_desc *d, unsigned i, uint64_t v)
{
	d->num[i] = v;
	d->have |= HAVE(i);
}

/* ---- one process' shared values ----------------------------------------------------------- */

/*
 * cmdline or environ: NUL-separated strings, at most snaplen bytes kept, the last one a NUL. A
 * value cut at snaplen ends with a NUL written over its last kept byte. One that does not end in
 * a NUL (a process that rewrote its argument area) gets one appended, or, with no room left,
 * written over its last byte, and is then flagged truncated too.
 */
static void read_string_array(struct proc_snapshot *s, const char *file, char *buf, size_t *ret_len,
			      bool *ret_cut)
{
	size_t len = 0;
	bool cut = false;

	*ret_len = 0;
	*ret_cut = false;
	if (read_at(s->pid_fd, file, buf, s->snaplen, &len, &cut) < 0 || len == 0)
		return;
	if (buf[len - 1] != '\0') {
		if (!cut && len < s->snaplen) {
			buf[len++] = '\0';
		} else {
			buf[len - 1] = '\0';
			cut = true; /* a byte was given up for the NUL */
		}
	}
	*ret_len = len;
	*ret_cut = cut;
}

static void read_common(struct proc_snapshot *s)
{
	struct proc_common *c = &s->common;
	char link[64];
	uint64_t v;
	struct stat st;
	int n;

	c->desc.have = 0;
	c->exe_flags = 0;
	c->has_exe_stat = false;
	c->netns_read = false;
	c->has_netns = false;

	n = read_link_at(s->pid_fd, "exe", c->exe, sizeof(c->exe));
	c->has_exe = n >= 0;
	if (c->has_exe) {
		static const char deleted[] = " (deleted)";
		size_t dl = sizeof(deleted) - 1;

		/*
		 * The kernel appends " (deleted)" to the path of an unlinked file; the path of the
		 * exe is the one it was started from, so the suffix is stripped. A file really
		 * named "... (deleted)" cannot be told apart from /proc: it loses it too. The
		 * schema has no exe flag for "deleted", so that fact is not recorded (exe_ino and
		 * exe_dev still identify the file).
		 */
		if ((size_t)n < sizeof(c->exe) - 1 && (size_t)n > dl &&
		    memcmp(c->exe + n - dl, deleted, dl) == 0)
			c->exe[n - dl] = '\0';
		if (has_prefix(c->exe, "/memfd:"))
			c->exe_flags |= OSP_EXE_FROM_MEMFD;
		/*
		 * OSP_EXE_UPPER_LAYER and OSP_EXE_LOWER_LAYER need the overlayfs inode the kernel
		 * sees; /proc does not tell which layer a file comes from, so they stay unset in
		 * snapshot records.
		 */
	}
	if (fstatat(s->pid_fd, "exe", &st, 0) == 0) {
		desc_set(&c->desc, OSP_EXEC_P_EXE_INO, st.st_ino);
		desc_set(&c->desc, OSP_EXEC_P_EXE_DEV, kdev_from_dev(st.st_dev));
		c->has_exe_stat = true;
		c->exe_mode = st.st_mode;
		c->exe_uid = st.st_uid;
		c->exe_gid = st.st_gid;
	}

	read_string_array(s, "cmdline", c->args, &c->args_len, &c->args_cut);
	read_string_array(s, "environ", c->env, &c->env_len, &c->env_cut);

	if (read_line_at(s->pid_fd, "loginuid", link, sizeof(link)) >= 0) {
		uint32_t u;

		if (safe_atou32(link, &u) == 0)
			desc_set(&c->desc, OSP_EXEC_P_LOGINUID, u);
	}
	if (read_link_at(s->pid_fd, "ns/pid", link, sizeof(link)) >= 0 &&
	    parse_bracket_ino(link, "pid", &v) == 0 && v <= UINT32_MAX)
		desc_set(&c->desc, OSP_EXEC_P_PIDNS, v);
}

/* ---- one thread --------------------------------------------------------------------------- */

/* Status: the proof that the thread exists. Returns -errno if it cannot be read. */
static int read_status(int tfd, struct proc_desc *d)
{
	struct line_reader lr;
	_cleanup_close_ int fd = open_at(tfd, "status");
	char *line;
	int r;

	if (fd < 0)
		return fd;
	line_reader_init(&lr, fd, SNAP_STATUS_BUDGET);
	while ((r = line_next(&lr, &line)) > 0) {
		const char *p;
		uint64_t a, b;

		if (has_prefix(line, "PPid:")) {
			p = line + 5;
			if (next_u64(&p, 10, &a) == 0 && a <= UINT32_MAX)
				desc_set(d, OSP_EXEC_P_PPID, a);
		} else if (has_prefix(line, "Uid:") || has_prefix(line, "Gid:")) {
			bool uid = line[0] == 'U';

			/* Real, effective, saved, filesystem: the first two are used. */
			p = line + 4;
			if (next_u64(&p, 10, &a) < 0 || a > UINT32_MAX)
				continue;
			desc_set(d, uid ? OSP_EXEC_P_UID : OSP_EXEC_P_GID, a);
			if (next_u64(&p, 10, &b) == 0 && b <= UINT32_MAX)
				desc_set(d, uid ? OSP_EXEC_P_EUID : OSP_EXEC_P_EGID, b);
		} else if (has_prefix(line, "NStgid:")) {
			if (last_u64(line + 7, &a) == 0 && a <= UINT32_MAX)
				desc_set(d, OSP_EXEC_P_VPID, a);
		} else if (has_prefix(line, "NSpid:")) {
			if (last_u64(line + 6, &a) == 0 && a <= UINT32_MAX)
				desc_set(d, OSP_EXEC_P_VTID, a);
		} else if (has_prefix(line, "CapInh:") || has_prefix(line, "CapPrm:") ||
			   has_prefix(line, "CapEff:")) {
			unsigned i = line[3] == 'I'   ? OSP_EXEC_P_CAP_INH
				     : line[3] == 'P' ? OSP_EXEC_P_CAP_PRM
						      : OSP_EXEC_P_CAP_EFF;

			p = line + 7;
			if (next_u64(&p, 16, &a) == 0 && !*p)
				desc_set(d, i, a);
		}
	}
	/* A status file that ends early (the thread exited while it was read) still counts. */
	return r < 0 && !d->have ? r : 0;
}

/* Stat: session (field 6), tty_nr (7), starttime (22), after the comm in parentheses. */
static void read_stat(struct proc_snapshot *s, int tfd, struct proc_desc *d)
{
	char buf[SNAP_STAT_MAX + 1];
	const char *p;
	size_t len;
	unsigned field;

	if (read_at(tfd, "stat", buf, SNAP_STAT_MAX, &len, NULL) < 0)
		return;
	buf[len] = '\0';
	/* The comm may hold spaces and parentheses: the fields start after the last ')'. */
	p = memrchr(buf, ')', len);
	if (!p)
		return;
	p++;
	for (field = 3; field <= 22; field++) {
		const char *tok;
		char num[32];
		size_t tl;

		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			return;
		tok = p;
		while (*p && *p != ' ' && *p != '\n')
			p++;
		tl = (size_t)(p - tok);
		if (field != 6 && field != 7 && field != 22)
			continue;
		if (tl >= sizeof(num))
			continue;
		memcpy(num, tok, tl);
		num[tl] = '\0';
		if (field == 22) {
			uint64_t ticks;

			if (safe_atou64(num, &ticks) == 0 && ticks <= UINT64_MAX / s->tick_ns)
				desc_set(d, OSP_EXEC_P_START_TS, ticks * s->tick_ns);
		} else {
			int64_t v;

			/* Printed signed; both are non-negative in practice. */
			if (safe_atoi64(num, &v) < 0 || v < 0 || v > UINT32_MAX)
				continue;
			if (field == 6)
				desc_set(d, OSP_EXEC_P_SID, (uint64_t)v);
			else
				desc_set(d, OSP_EXEC_P_TTY, kdev_from_tty_nr((uint32_t)v));
		}
	}
}

/* Whether a v1 hierarchy's controller list ("cpu,cpuacct") names controller. */
static bool controllers_have(const char *list, size_t len, const char *controller)
{
	size_t cl = strlen(controller);

	for (const char *p = list; p < list + len;) {
		const char *comma = memchr(p, ',', (size_t)(list + len - p));
		size_t n = comma ? (size_t)(comma - p) : (size_t)(list + len - p);

		if (n == cl && memcmp(p, controller, n) == 0)
			return true;
		if (!comma)
			break;
		p = comma + 1;
	}
	return false;
}

/*
 * The cgroup path that describes the process, chosen as the eBPF probe chooses
 * it (task_cgroup_kn() in driver/bpf/task.bpf.h): the unified (v2) path unless
 * it is the root, else the first non-root path of the v1 controllers cpuset,
 * cpu, memory, pids (a container's cgroup on v1 and hybrid hosts), else "/".
 */
static void read_cgroup(struct thread_info *t, int tfd)
{
	static const char *const v1_order[] = { "cpuset", "cpu", "memory", "pids" };
	struct line_reader lr;
	_cleanup_close_ int fd = open_at(tfd, "cgroup");
	unsigned best = ARRAY_SIZE(v1_order) + 1; /* rank of what t->cgroup holds; lower wins */
	char *line;

	t->has_cgroup = false;
	if (fd < 0)
		return;
	line_reader_init(&lr, fd, SNAP_STATUS_BUDGET);
	while (line_next(&lr, &line) > 0) {
		char *c1 = strchr(line, ':'), *c2, *path;
		bool v2, root;
		unsigned rank = ARRAY_SIZE(v1_order) + 1;
		size_t n;

		if (!c1)
			continue;
		c2 = strchr(c1 + 1, ':');
		if (!c2)
			continue;
		path = c2 + 1;
		v2 = c1 == line + 1 && line[0] == '0' && c2 == c1 + 1;
		root = strcmp(path, "/") == 0;
		if (v2)
			rank = root ? ARRAY_SIZE(v1_order) : 0;
		else if (!root)
			for (unsigned i = 0; i < ARRAY_SIZE(v1_order); i++)
				if (controllers_have(c1 + 1, (size_t)(c2 - c1 - 1), v1_order[i])) {
					rank = i + 1;
					break;
				}
		if (t->has_cgroup && rank >= best)
			continue;
		n = MIN(strlen(path), sizeof(t->cgroup) - 1);
		memcpy(t->cgroup, path, n);
		t->cgroup[n] = '\0';
		t->has_cgroup = true;
		best = rank;
	}
}

/* Reads thread tid of the current process. Returns 0, or -errno if the thread is gone. */
static int read_thread(struct proc_snapshot *s, uint32_t tid)
{
	struct thread_info *t = &s->thread;
	_cleanup_close_ int tfd = -EBADF;
	char path[32];
	int r;

	snprintf(path, sizeof(path), "task/%u", tid);
	tfd = openat(s->pid_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0)
		return negative_errno();

	t->desc.have = 0;
	r = read_status(tfd, &t->desc);
	if (r < 0)
		return r;
	read_stat(s, tfd, &t->desc);
	t->has_comm = read_line_at(tfd, "comm", t->comm, sizeof(t->comm)) >= 0;
	t->has_cwd = read_link_at(tfd, "cwd", t->cwd, sizeof(t->cwd)) >= 0;
	read_cgroup(t, tfd);
	return 0;
}

/*
 * Adds len bytes of p, flagged truncated when cut: record_add_bytes() flags a value longer than
 * its bound, so a cut value is passed one byte longer than the bound (that byte is never read).
 */
static void add_bytes_flagged(struct record_builder *b, const void *p, size_t len, bool cut)
{
	record_add_bytes(b, p, len + (cut ? 1 : 0), len);
}

/* argv[0]: the first string of the arguments, cut (and flagged) where they were cut. */
static void add_filename(struct record_builder *b, const struct proc_common *c)
{
	size_t n;

	if (c->args_len == 0) {
		record_add_empty(b);
		return;
	}
	n = strnlen(c->args, c->args_len);
	if (n + 1 > OSP_STR_MAX)
		record_add_str(b, c->args, OSP_STR_MAX);
	else
		add_bytes_flagged(b, c->args, n + 1, c->args_cut && n + 1 == c->args_len);
}

static bool exe_is_writable(const struct proc_common *c, uint32_t euid, uint32_t egid,
			    uint64_t cap_eff)
{
	/*
	 * The probe's rule (exe_flags() in driver/bpf/probe.bpf.c), which follows the kernel's
	 * access(W_OK): a write bit that applies to the euid (owner) or egid (group), the others'
	 * bit, or CAP_DAC_OVERRIDE. Supplementary groups are not consulted; unlike the probe,
	 * read-only mounts and immutable files are not seen from here.
	 */
	if (c->exe_mode & S_IWOTH)
		return true;
	if (euid == c->exe_uid && (c->exe_mode & S_IWUSR))
		return true;
	if (egid == c->exe_gid && (c->exe_mode & S_IWGRP))
		return true;
	return cap_eff & (1ull << 1 /* CAP_DAC_OVERRIDE */);
}

static int build_proc_record(struct proc_snapshot *s, uint32_t tid, size_t *ret_size)
{
	const struct osp_event_info *info = event_info(OSP_EVT_PROC_SNAPSHOT);
	const struct proc_common *c = &s->common;
	const struct thread_info *t = &s->thread;
	struct record_builder b;
	struct proc_desc d = t->desc;
	int r;

	/* Process-wide values; a thread without NStgid takes the leader's vpid. */
	for (unsigned i = 0; i < OSP_EXEC_NPARAMS; i++)
		if ((c->desc.have & HAVE(i)) && !(d.have & HAVE(i)))
			desc_set(&d, i, c->desc.num[i]);
	desc_set(&d, OSP_EXEC_P_OLD_TID, tid);
	if (c->has_exe) {
		uint32_t flags = c->exe_flags;

		if (c->has_exe_stat && (d.have & HAVE(OSP_EXEC_P_EUID)) &&
		    (d.have & HAVE(OSP_EXEC_P_EGID)) &&
		    exe_is_writable(c, (uint32_t)d.num[OSP_EXEC_P_EUID],
				    (uint32_t)d.num[OSP_EXEC_P_EGID],
				    (d.have & HAVE(OSP_EXEC_P_CAP_EFF)) ? d.num[OSP_EXEC_P_CAP_EFF] : 0))
			flags |= OSP_EXE_WRITABLE;
		desc_set(&d, OSP_EXEC_P_EXE_FLAGS, flags);
	}

	record_begin(&b, s->rec, sizeof(s->rec), OSP_EVT_PROC_SNAPSHOT, now_boottime_ns(), tid,
		     s->pid, OSP_EXEC_NPARAMS);
	for (unsigned i = 0; i < OSP_EXEC_NPARAMS; i++) {
		switch (i) {
		case OSP_EXEC_P_EXE:
			record_add_str(&b, c->has_exe ? c->exe : NULL, OSP_STR_MAX);
			break;
		case OSP_EXEC_P_FILENAME:
			add_filename(&b, c);
			break;
		case OSP_EXEC_P_ARGS:
			add_bytes_flagged(&b, c->args, c->args_len, c->args_cut);
			break;
		case OSP_EXEC_P_CWD:
			record_add_str(&b, t->has_cwd ? t->cwd : NULL, OSP_STR_MAX);
			break;
		case OSP_EXEC_P_ENV:
			add_bytes_flagged(&b, c->env, c->env_len, c->env_cut);
			break;
		case OSP_EXEC_P_COMM:
			record_add_str(&b, t->has_comm ? t->comm : NULL, OSP_COMM_LEN);
			break;
		case OSP_EXEC_P_CGROUP:
			record_add_str(&b, t->has_cgroup ? t->cgroup : NULL, OSP_STR_MAX);
			break;
		default:
			/* Fixed-size values, sized by the schema's table. */
			if (!(d.have & HAVE(i)))
				record_add_empty(&b);
			else if (osp_param_type_size(info->params[i].type) == 4)
				record_add_u32(&b, (uint32_t)d.num[i]);
			else
				record_add_u64(&b, d.num[i]);
			break;
		}
	}
	r = record_end(&b);
	if (r < 0)
		return r;
	*ret_size = (size_t)r;
	return 0;
}

/* ---- socket tables ------------------------------------------------------------------------ */

static int sock_append(struct proc_snapshot *s, struct sock_entry **ret)
{
	if (s->n_socks == s->socks_cap) {
		uint32_t cap = s->socks_cap ? s->socks_cap * 2 : 256;
		struct sock_entry *n;

		if (s->socks_cap >= SNAP_MAX_SOCKETS) {
			s->stats.sockets_over_cap++;
			return -ENOSPC;
		}
		cap = MIN(cap, SNAP_MAX_SOCKETS);
		n = reallocarray(s->socks, cap, sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->socks = n;
		s->socks_cap = cap;
	}
	*ret = &s->socks[s->n_socks++];
	memset(*ret, 0, sizeof(**ret));
	(*ret)->path_off = NO_PATH;
	return 0;
}

/* "0100007F:1F90": words 32-bit words as the kernel prints them (%08X of each), then the port. */
static int parse_inet_end(const char *tok, unsigned words, uint8_t *addr, uint16_t *port)
{
	char hex[9];
	const char *p;
	uint64_t v;
	uint32_t word;

	if (strlen(tok) != words * 8 + 5 || tok[words * 8] != ':')
		return -EINVAL;
	for (unsigned w = 0; w < words; w++) {
		memcpy(hex, tok + w * 8, 8);
		hex[8] = '\0';
		p = hex;
		if (next_u64(&p, 16, &v) < 0 || *p)
			return -EINVAL;
		/*
		 * The kernel prints each address word as a host-order number whose memory holds
		 * the address bytes in network order: storing the number back in host order
		 * restores the network-order bytes, whatever the endianness.
		 */
		word = (uint32_t)v;
		memcpy(addr + 4 * w, &word, 4);
	}
	/* The port is printed as a number (ntohs() already applied): host order. */
	p = tok + words * 8 + 1;
	if (next_u64(&p, 16, &v) < 0 || *p || v > UINT16_MAX)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* Splits up to max blank-separated tokens of line in place. Returns the count. */
static unsigned split_tokens(char *line, char **tok, unsigned max)
{
	unsigned n = 0;
	char *p = line;

	while (n < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		tok[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

/* One of net/tcp, tcp6, udp, udp6: "sl local rem st tx:rx tr:tm retr uid timeout inode ...". */
static int parse_inet_table(struct proc_snapshot *s, const char *file, bool v6)
{
	struct line_reader lr;
	_cleanup_close_ int fd = open_at(s->pid_fd, file);
	unsigned words = v6 ? 4 : 1;
	char *line;
	bool header = true;
	int r;

	if (fd < 0)
		return fd;
	line_reader_init(&lr, fd, SNAP_TABLE_BUDGET);
	while ((r = line_next(&lr, &line)) > 0) {
		char *tok[10];
		uint8_t la[16], ra[16];
		uint16_t lp, rp;
		uint64_t ino;
		struct sock_entry *e;
		uint8_t *t;

		if (header) {
			header = false;
			continue;
		}
		if (split_tokens(line, tok, ARRAY_SIZE(tok)) < ARRAY_SIZE(tok))
			continue;
		if (parse_inet_end(tok[1], words, la, &lp) < 0 ||
		    parse_inet_end(tok[2], words, ra, &rp) < 0 || safe_atou64(tok[9], &ino) < 0 ||
		    ino == 0)
			continue;
		r = sock_append(s, &e);
		if (r == -ENOSPC)
			continue;
		if (r < 0)
			return r;
		e->ino = ino;
		e->fd_type = v6 ? OSP_FD_TYPE_IPV6_SOCK : OSP_FD_TYPE_IPV4_SOCK;
		e->tuple_len = v6 ? OSP_SOCKTUPLE_INET6_LEN : OSP_SOCKTUPLE_INET_LEN;
		t = e->tuple;
		*t++ = v6 ? OSP_AF_INET6 : OSP_AF_INET;
		memcpy(t, la, 4 * words);
		t += 4 * words;
		memcpy(t, &lp, 2);
		t += 2;
		memcpy(t, ra, 4 * words);
		t += 4 * words;
		memcpy(t, &rp, 2);
	}
	return r;
}

static uint32_t unix_pool_add(struct proc_snapshot *s, const char *path)
{
	size_t n = strnlen(path, OSP_UNIX_PATH_MAX + 1);
	uint32_t off;

	if (n > OSP_UNIX_PATH_MAX)
		return NO_PATH;
	if (s->unix_pool_len + n + 1 > s->unix_pool_cap) {
		uint32_t cap = s->unix_pool_cap ? s->unix_pool_cap * 2 : 4096;
		char *p;

		while (cap < s->unix_pool_len + n + 1)
			cap *= 2;
		if (cap > SNAP_UNIX_POOL_MAX)
			return NO_PATH;
		p = realloc(s->unix_pool, cap);
		if (!p)
			return NO_PATH;
		s->unix_pool = p;
		s->unix_pool_cap = cap;
	}
	off = s->unix_pool_len;
	memcpy(s->unix_pool + off, path, n);
	s->unix_pool[off + n] = '\0';
	s->unix_pool_len += (uint32_t)n + 1;
	return off;
}

/* net/unix: "Num RefCount Protocol Flags Type St Inode [Path]"; the path may hold blanks. */
static int parse_unix_table(struct proc_snapshot *s)
{
	struct line_reader lr;
	_cleanup_close_ int fd = open_at(s->pid_fd, "net/unix");
	char *line;
	bool header = true;
	int r;

	if (fd < 0)
		return fd;
	line_reader_init(&lr, fd, SNAP_TABLE_BUDGET);
	while ((r = line_next(&lr, &line)) > 0) {
		char *p = line, *ino_tok = NULL, *path = NULL;
		struct sock_entry *e;
		uint64_t ino;

		if (header) {
			header = false;
			continue;
		}
		/* Walk to the seventh token (Inode) by hand: what follows it is the path. */
		for (unsigned i = 0; i < 7; i++) {
			while (*p == ' ')
				p++;
			if (!*p)
				break;
			if (i == 6)
				ino_tok = p;
			while (*p && *p != ' ')
				p++;
		}
		if (!ino_tok)
			continue;
		if (*p == ' ') {
			*p = '\0';
			path = p + 1;
		}
		if (safe_atou64(ino_tok, &ino) < 0 || ino == 0)
			continue;
		r = sock_append(s, &e);
		if (r == -ENOSPC)
			continue;
		if (r < 0)
			return r;
		e->ino = ino;
		e->fd_type = OSP_FD_TYPE_UNIX_SOCK;
		if (path && *path)
			e->path_off = unix_pool_add(s, path);
	}
	return r;
}

static int sock_cmp(const void *a, const void *b)
{
	const struct sock_entry *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* The cached tables of a namespace, read through the current process if not cached yet. */
static const struct netns_entry *netns_get(struct proc_snapshot *s, uint64_t ino)
{
	static const struct {
		const char *file;
		bool v6;
	} inet[] = { { "net/tcp", false }, { "net/tcp6", true }, { "net/udp", false },
		     { "net/udp6", true } };
	struct netns_entry *n;

	for (uint32_t i = 0; i < s->n_netns; i++)
		if (s->netns[i].ino == ino)
			return &s->netns[i];
	if (s->n_netns == SNAP_MAX_NETNS)
		return NULL;

	n = &s->netns[s->n_netns++];
	n->ino = ino;
	n->start = s->n_socks;
	/* A table that cannot be read (IPv6 disabled, a fake tree) leaves its sockets unknown. */
	for (size_t i = 0; i < ARRAY_SIZE(inet); i++)
		(void)parse_inet_table(s, inet[i].file, inet[i].v6);
	(void)parse_unix_table(s);
	n->count = s->n_socks - n->start;
	qsort(s->socks + n->start, n->count, sizeof(*s->socks), sock_cmp);
	s->stats.netns++;
	return n;
}

static const struct sock_entry *sock_lookup(struct proc_snapshot *s, uint64_t ino)
{
	struct proc_common *c = &s->common;
	const struct netns_entry *n;
	struct sock_entry key = { .ino = ino };

	if (!c->netns_read) {
		char link[64];

		c->netns_read = true;
		c->has_netns = read_link_at(s->pid_fd, "ns/net", link, sizeof(link)) >= 0 &&
			       parse_bracket_ino(link, "net", &c->netns) == 0;
	}
	if (!c->has_netns)
		return NULL;
	n = netns_get(s, c->netns);
	if (!n || n->count == 0)
		return NULL;
	return bsearch(&key, s->socks + n->start, n->count, sizeof(*s->socks), sock_cmp);
}

/* The family of a socket the tables do not list, from sockfs' "system.sockprotoname". */
static uint32_t sock_type_from_protoname(struct proc_snapshot *s, const char *fdpath)
{
	char path[PATH_MAX + 64], name[32];
	ssize_t n;

	if ((size_t)snprintf(path, sizeof(path), "%s/%u/%s", s->proc_path, s->pid, fdpath) >=
	    sizeof(path))
		return OSP_FD_TYPE_OTHER_SOCK;
	n = getxattr(path, "system.sockprotoname", name, sizeof(name) - 1);
	if (n <= 0)
		return OSP_FD_TYPE_OTHER_SOCK;
	name[n] = '\0';
	if (has_prefix(name, "UNIX"))
		return OSP_FD_TYPE_UNIX_SOCK;
	n = (ssize_t)strlen(name);
	if (n > 2 && strcmp(name + n - 2, "v6") == 0)
		return OSP_FD_TYPE_IPV6_SOCK;
	if (has_prefix(name, "TCP") || has_prefix(name, "UDP") || strcmp(name, "RAW") == 0 ||
	    strcmp(name, "PING") == 0 || strcmp(name, "SCTP") == 0 || has_prefix(name, "MPTCP"))
		return OSP_FD_TYPE_IPV4_SOCK;
	return OSP_FD_TYPE_OTHER_SOCK;
}

/* ---- one fd ------------------------------------------------------------------------------- */

/* The "flags:" line of fdinfo/<fd>, octal. */
static int read_fd_flags(struct proc_snapshot *s, int fdnum, uint32_t *ret)
{
	char path[32], buf[512];
	const char *p;
	size_t len;
	uint64_t v;
	int r;

	snprintf(path, sizeof(path), "fdinfo/%d", fdnum);
	r = read_at(s->pid_fd, path, buf, sizeof(buf) - 1, &len, NULL);
	if (r < 0)
		return r;
	buf[len] = '\0';
	for (p = buf; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!has_prefix(p, "flags:"))
			continue;
		p += 6;
		if (next_u64(&p, 8, &v) < 0 || (*p && *p != '\n') || v > UINT32_MAX)
			return -EINVAL;
		*ret = (uint32_t)v;
		return 0;
	}
	return -ENOENT;
}

/* Builds the FD_SNAPSHOT of fd fdnum of the current process. -errno if the fd is gone. */
static int build_fd_record(struct proc_snapshot *s, int fdnum, size_t *ret_size)
{
	char fdpath[32], link[OSP_STR_MAX + 1];
	const char *name = link;
	uint8_t tuple[1 + OSP_UNIX_PATH_MAX + 1];
	size_t tuple_len = 0;
	uint32_t type = OSP_FD_TYPE_UNKNOWN, flags = 0;
	uint64_t ino = 0;
	bool has_ino = false, has_flags;
	struct record_builder b;
	struct stat st;
	int r;

	snprintf(fdpath, sizeof(fdpath), "fd/%d", fdnum);
	r = read_link_at(s->pid_fd, fdpath, link, sizeof(link));
	if (r == -ENOENT)
		return r; /* closed since the directory was read */
	if (r < 0) {
		/*
		 * Listed but not readable (EACCES: a process with capabilities the reader lacks):
		 * the fd exists, what it is stays unknown.
		 */
		name = NULL;
	} else if (parse_bracket_ino(link, "socket", &ino) == 0) {
		const struct sock_entry *e = sock_lookup(s, ino);

		has_ino = true;
		name = NULL;
		if (e) {
			type = e->fd_type;
			if (e->fd_type == OSP_FD_TYPE_UNIX_SOCK) {
				const char *path =
					e->path_off == NO_PATH ? "" : s->unix_pool + e->path_off;
				size_t pl = strlen(path);

				tuple[0] = OSP_AF_UNIX;
				memcpy(tuple + 1, path, pl + 1);
				tuple_len = pl + 2;
				name = path;
			} else {
				memcpy(tuple, e->tuple, e->tuple_len);
				tuple_len = e->tuple_len;
			}
		} else {
			type = sock_type_from_protoname(s, fdpath);
		}
	} else if (parse_bracket_ino(link, "pipe", &ino) == 0) {
		type = OSP_FD_TYPE_PIPE;
		has_ino = true;
	} else {
		if (has_prefix(link, "/memfd:"))
			type = OSP_FD_TYPE_MEMFD;
		else if (has_prefix(link, "anon_inode:"))
			type = OSP_FD_TYPE_EVENT;
		if (fstatat(s->pid_fd, fdpath, &st, 0) == 0) {
			ino = st.st_ino;
			has_ino = true;
			if (type == OSP_FD_TYPE_UNKNOWN && link[0] == '/')
				type = S_ISDIR(st.st_mode) ? OSP_FD_TYPE_DIRECTORY
							   : OSP_FD_TYPE_FILE;
		} else if (type == OSP_FD_TYPE_UNKNOWN && link[0] == '/') {
			type = OSP_FD_TYPE_FILE;
		}
	}
	has_flags = read_fd_flags(s, fdnum, &flags) == 0;

	record_begin(&b, s->rec, sizeof(s->rec), OSP_EVT_FD_SNAPSHOT, now_boottime_ns(), s->pid,
		     s->pid, OSP_FDSNAP_NPARAMS);
	record_add_s64(&b, fdnum);
	record_add_u32(&b, type);
	if (has_flags)
		record_add_u32(&b, flags);
	else
		record_add_empty(&b);
	record_add_str(&b, name, OSP_STR_MAX);
	record_add_bytes(&b, tuple, tuple_len, sizeof(tuple));
	if (has_ino)
		record_add_u64(&b, ino);
	else
		record_add_empty(&b);
	r = record_end(&b);
	if (r < 0)
		return r;
	*ret_size = (size_t)r;
	return 0;
}

/* ---- the walk ----------------------------------------------------------------------------- */

static void process_close(struct proc_snapshot *s)
{
	if (s->task_dir)
		closedir(s->task_dir);
	s->task_dir = NULL;
	if (s->fd_dir)
		closedir(s->fd_dir);
	s->fd_dir = NULL;
	if (s->pid_fd >= 0)
		close(s->pid_fd);
	s->pid_fd = -EBADF;
}

/* Opens dir relative to the current process' directory as a DIR (NULL if it cannot). */
static DIR *process_opendir(struct proc_snapshot *s, const char *dir)
{
	int fd = openat(s->pid_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

/* A decimal directory entry name: a pid, tid or fd. */
static int parse_entry_number(const char *name, uint32_t *ret)
{
	if (!isdigit((unsigned char)name[0]))
		return -EINVAL;
	return safe_atou32(name, ret);
}

/*
 * Moves to the next process and builds its leader's record. Returns 0, -ENODATA when /proc is
 * exhausted, or -errno.
 */
static int next_process(struct proc_snapshot *s, size_t *ret_size)
{
	for (;;) {
		struct dirent *de;
		uint32_t pid;
		char name[16];
		int r;

		errno = 0;
		de = readdir(s->proc_dir);
		if (!de)
			return errno ? negative_errno() : -ENODATA;
		if (parse_entry_number(de->d_name, &pid) < 0 || pid == 0)
			continue;

		snprintf(name, sizeof(name), "%u", pid);
		s->pid_fd = openat(s->proc_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (s->pid_fd < 0) {
			s->pid_fd = -EBADF;
			s->stats.vanished++;
			continue;
		}
		s->pid = pid;
		read_common(s);
		r = read_thread(s, pid);
		if (r == 0) {
			/* The leader's NSpid is the process' vpid for threads without NStgid. */
			if ((s->thread.desc.have & HAVE(OSP_EXEC_P_VTID)) &&
			    !(s->common.desc.have & HAVE(OSP_EXEC_P_VPID)))
				desc_set(&s->common.desc, OSP_EXEC_P_VPID,
					 s->thread.desc.num[OSP_EXEC_P_VTID]);
			r = build_proc_record(s, pid, ret_size);
		}
		if (r < 0) {
			/* Gone, or never a process (a stray directory in a fake tree). */
			process_close(s);
			s->stats.vanished++;
			continue;
		}
		s->stats.processes++;
		s->stats.threads++;
		return 0;
	}
}

/* The next fd record of the current process. Returns 0 or -ENODATA when its fds are done. */
static int next_fd(struct proc_snapshot *s, size_t *ret_size)
{
	struct dirent *de;

	if (!s->fd_dir)
		return -ENODATA;
	while ((de = readdir(s->fd_dir))) {
		uint32_t fd;

		if (parse_entry_number(de->d_name, &fd) < 0 || fd > INT32_MAX)
			continue;
		if (s->fds_reported >= SNAP_MAX_FDS_PER_PROC) {
			s->stats.fds_over_cap++;
			continue;
		}
		if (build_fd_record(s, (int)fd, ret_size) < 0) {
			s->stats.vanished++;
			continue;
		}
		s->fds_reported++;
		s->stats.fds++;
		return 0;
	}
	return -ENODATA;
}

/* The next record of a thread other than the leader. Returns 0 or -ENODATA when done. */
static int next_thread(struct proc_snapshot *s, size_t *ret_size)
{
	struct dirent *de;

	if (!s->task_dir)
		return -ENODATA;
	while ((de = readdir(s->task_dir))) {
		uint32_t tid;

		if (parse_entry_number(de->d_name, &tid) < 0 || tid == 0 || tid == s->pid)
			continue;
		if (read_thread(s, tid) < 0 || build_proc_record(s, tid, ret_size) < 0) {
			s->stats.vanished++;
			continue;
		}
		s->stats.threads++;
		return 0;
	}
	return -ENODATA;
}

int proc_snapshot_next(struct proc_snapshot *s, const void **ret_buf, size_t *ret_size)
{
	size_t size = 0;
	int r;

	for (;;) {
		if (s->state != WALK_DONE && s->records >= SNAP_MAX_RECORDS) {
			s->stats.records_over_cap = 1;
			process_close(s);
			s->state = WALK_DONE;
		}
		switch (s->state) {
		case WALK_PROC:
			r = next_process(s, &size);
			if (r < 0) {
				s->state = WALK_DONE;
				return r;
			}
			s->fds_reported = 0;
			s->fd_dir = process_opendir(s, "fd");
			s->state = WALK_FDS;
			break;
		case WALK_FDS:
			r = next_fd(s, &size);
			if (r == -ENODATA) {
				if (s->fd_dir)
					closedir(s->fd_dir);
				s->fd_dir = NULL;
				s->task_dir = process_opendir(s, "task");
				s->state = WALK_THREADS;
				continue;
			}
			break;
		case WALK_THREADS:
			r = next_thread(s, &size);
			if (r == -ENODATA) {
				process_close(s);
				s->state = WALK_PROC;
				continue;
			}
			break;
		case WALK_DONE:
		default:
			return -ENODATA;
		}
		s->records++;
		*ret_buf = s->rec;
		*ret_size = size;
		return 0;
	}
}

int proc_snapshot_open(const char *host_root, uint32_t snaplen, struct proc_snapshot **ret)
{
	const struct osp_event_info *info = event_info(OSP_EVT_PROC_SNAPSHOT);
	struct proc_snapshot *s;
	long tck;
	int fd;

	if (!info || info->nparams != OSP_EXEC_NPARAMS || !event_info(OSP_EVT_FD_SNAPSHOT) ||
	    event_info(OSP_EVT_FD_SNAPSHOT)->nparams != OSP_FDSNAP_NPARAMS)
		return -EPROTO; /* the schema and its constants disagree: a build bug */

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->pid_fd = -EBADF;
	s->snaplen = snaplen == 0 ? OSP_SNAPLEN_DEFAULT : MIN(snaplen, OSP_SNAPLEN_MAX);
	tck = sysconf(_SC_CLK_TCK);
	s->tick_ns = tck > 0 && tck <= 1000000000 ? 1000000000u / (uint64_t)tck : 10000000u;

	if ((size_t)snprintf(s->proc_path, sizeof(s->proc_path), "%s/proc",
			     host_root ? host_root : "") >= sizeof(s->proc_path)) {
		free(s);
		return -ENAMETOOLONG;
	}
	fd = open(s->proc_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int r = negative_errno();

		free(s);
		return r;
	}
	s->proc_dir = fdopendir(fd);
	if (!s->proc_dir) {
		int r = negative_errno();

		close(fd);
		free(s);
		return r;
	}
	s->proc_fd = fd;
	s->state = WALK_PROC;
	*ret = s;
	return 0;
}

void proc_snapshot_get_stats(const struct proc_snapshot *s, struct proc_snapshot_stats *ret)
{
	*ret = s->stats;
}

void proc_snapshot_free(struct proc_snapshot *s)
{
	if (!s)
		return;
	process_close(s);
	if (s->proc_dir)
		closedir(s->proc_dir);
	free(s->socks);
	free(s->unix_pool);
	free(s);
}
