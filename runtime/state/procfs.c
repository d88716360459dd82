// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "fileio.h"
#include "macro.h"
#include "osprey_schema.h"
#include "parse.h"
#include "procfs.h"
#include "record.h"

#define PROCFS_FILE_MAX 8192u /* bytes read of status, stat, cgroup */

/* Reads at most size - 1 bytes of dir/name, NUL-terminated. Returns the length or -errno. */
static ssize_t read_small(int dfd, const char *name, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t len;

	if (fd < 0)
		return negative_errno();
	len = read_full(fd, buf, size - 1);
	if (len < 0)
		return len;
	buf[len] = '\0';
	return len;
}

static bool read_link(int dfd, const char *name, char *buf, size_t size)
{
	ssize_t n = readlinkat(dfd, name, buf, size - 1);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

/* The value after "Key:" in a status file, or NULL. */
static const char *status_field(const char *status, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = status; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, kl) == 0 && p[kl] == ':')
			return p + kl + 1;
	return NULL;
}

static bool field_u32(const char *status, const char *key, unsigned idx, uint32_t *ret)
{
	const char *p = status_field(status, key);
	char *end;

	if (!p)
		return false;
	for (unsigned i = 0;; i++) {
		unsigned long v;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			return false;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v > UINT32_MAX)
			return false;
		if (i == idx) {
			*ret = (uint32_t)v;
			return true;
		}
		p = end;
	}
}

/* The last number of a list field (NSpid: the innermost namespace's id). */
static bool field_last_u32(const char *status, const char *key, uint32_t *ret)
{
	bool any = false;

	for (unsigned i = 0; i < 32; i++) {
		uint32_t v;

		if (!field_u32(status, key, i, &v))
			break;
		*ret = v;
		any = true;
	}
	return any;
}

static bool field_hex64(const char *status, const char *key, uint64_t *ret)
{
	const char *p = status_field(status, key);
	char *end;

	if (!p)
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	errno = 0;
	*ret = strtoull(p, &end, 16);
	return !errno && end != p;
}

/* Field n (1-based, as proc(5) numbers them) of a stat line, after the comm's closing ')'. */
static bool stat_field(const char *stat, unsigned n, uint64_t *ret)
{
	const char *p = strrchr(stat, ')');
	char *end;

	if (!p || n < 3)
		return false;
	p++;
	for (unsigned i = 3; i <= n; i++) {
		while (*p == ' ')
			p++;
		if (i == n)
			break;
		while (*p && *p != ' ')
			p++;
		if (!*p)
			return false;
	}
	errno = 0;
	if (*p == '-') {
		long long v = strtoll(p, &end, 10);

		*ret = (uint64_t)v;
	} else {
		*ret = strtoull(p, &end, 10);
	}
	return !errno && end != p;
}

/* The cgroup path that describes the process: v2's, else a container's v1 path, else the first. */
static bool pick_cgroup(char *cg, char *ret, size_t size)
{
	char id[CONTAINER_ID_LEN + 1];
	const char *best = NULL;
	int rank = 0;

	for (char *line = cg, *next; line && *line; line = next) {
		char *path;
		int r;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		path = strchr(line, ':');
		path = path ? strchr(path + 1, ':') : NULL;
		if (!path)
			continue;
		path++;
		r = strncmp(line, "0::", 3) == 0			      ? 3
		    : container_from_cgroup(path, id, NULL) != CONTAINER_HOST ? 2
									      : 1;
		if (r > rank) {
			rank = r;
			best = path;
		}
	}
	if (!best)
		return false;
	snprintf(ret, size, "%s", best);
	return true;
}

int procfs_thread_record(const char *host_root, uint32_t tid, uint32_t pid, uint64_t ts_ns,
			 void *buf, size_t size)
{
	_cleanup_close_ int pfd = -EBADF, tfd = -EBADF;
	_cleanup_free_ char *work = NULL;
	char path[PATH_MAX], *status, *stat, *cg, *exe, *cwd, *cgroup, *argv, *env, small[32];
	ssize_t argv_len, env_len, slen;
	uint64_t v, sid = 0, tty = 0, start = 0;
	uint32_t u, ppid = 0;
	bool have_stat, have_cgroup;
	struct record_builder b;
	long tck = sysconf(_SC_CLK_TCK);
	int n;

	n = snprintf(path, sizeof(path), "%s/proc/%u", host_root ? host_root : "", pid);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	pfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return negative_errno();
	snprintf(small, sizeof(small), "task/%u", tid);
	tfd = openat(pfd, small, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0)
		return negative_errno();

	/* One work area: status, stat, cgroup, exe, cwd, chosen cgroup, argv, env. */
	work = malloc(3 * PROCFS_FILE_MAX + 3 * OSP_STR_MAX + 2 * OSP_SNAPLEN_DEFAULT);
	if (!work)
		return -ENOMEM;
	status = work;
	stat = status + PROCFS_FILE_MAX;
	cg = stat + PROCFS_FILE_MAX;
	exe = cg + PROCFS_FILE_MAX;
	cwd = exe + OSP_STR_MAX;
	cgroup = cwd + OSP_STR_MAX;
	argv = cgroup + OSP_STR_MAX;
	env = argv + OSP_SNAPLEN_DEFAULT;

	slen = read_small(tfd, "status", status, PROCFS_FILE_MAX);
	if (slen < 0)
		return (int)slen; /* gone */
	have_stat = read_small(tfd, "stat", stat, PROCFS_FILE_MAX) > 0;
	if (!read_link(pfd, "exe", exe, OSP_STR_MAX))
		exe[0] = '\0';
	if (!read_link(pfd, "cwd", cwd, OSP_STR_MAX))
		cwd[0] = '\0';
	argv_len = read_small(pfd, "cmdline", argv, OSP_SNAPLEN_DEFAULT);
	env_len = read_small(pfd, "environ", env, OSP_SNAPLEN_DEFAULT);
	have_cgroup = read_small(pfd, "cgroup", cg, PROCFS_FILE_MAX) > 0 &&
		      pick_cgroup(cg, cgroup, OSP_STR_MAX);
	if (have_stat) {
		stat_field(stat, 6, &sid);
		stat_field(stat, 7, &tty);
		if (stat_field(stat, 22, &start) && tck > 0)
			start = start * (1000000000ull / (uint64_t)tck);
	}
	field_u32(status, "PPid", 0, &ppid);

	record_begin(&b, buf, size, OSP_EVT_PROC_SNAPSHOT, ts_ns, tid, pid, OSP_EXEC_NPARAMS);
	record_add_str(&b, exe[0] ? exe : NULL, OSP_STR_MAX);
	record_add_str(&b, exe[0] ? exe : NULL, OSP_STR_MAX);
	if (argv_len > 0)
		record_add_bytes(&b, argv, (size_t)argv_len, OSP_SNAPLEN_DEFAULT);
	else
		record_add_empty(&b);
	record_add_str(&b, cwd[0] ? cwd : NULL, OSP_STR_MAX);
	if (env_len > 0)
		record_add_bytes(&b, env, (size_t)env_len, OSP_SNAPLEN_DEFAULT);
	else
		record_add_empty(&b);
	{
		const char *name = status_field(status, "Name");
		char comm[OSP_COMM_LEN + 1];
		size_t cl = 0;

		if (name) {
			while (*name == '\t' || *name == ' ')
				name++;
			while (name[cl] && name[cl] != '\n' && cl < OSP_COMM_LEN)
				cl++;
			memcpy(comm, name, cl);
		}
		comm[cl] = '\0';
		record_add_str(&b, comm, OSP_COMM_LEN + 1);
	}
	record_add_s64(&b, ppid);
	if (field_last_u32(status, "NSpid", &u))
		record_add_s64(&b, u);
	else
		record_add_empty(&b);
	if (field_last_u32(status, "NStgid", &u))
		record_add_s64(&b, u);
	else
		record_add_empty(&b);
	if (have_stat)
		record_add_s64(&b, (int64_t)sid);
	else
		record_add_empty(&b);
	/* uid, gid, euid, egid */
	for (unsigned i = 0; i < 4; i++) {
		if (field_u32(status, i % 2 ? "Gid" : "Uid", i / 2, &u))
			record_add_u32(&b, u);
		else
			record_add_empty(&b);
	}
	if (read_small(pfd, "loginuid", small, sizeof(small)) > 0 &&
	    (small[strcspn(small, "\n")] = '\0', safe_atou32(small, &u) == 0))
		record_add_u32(&b, u);
	else
		record_add_empty(&b);
	if (have_stat) {
		/* proc(5) tty_nr: minor in bits 0-7 and 20-31, major in bits 8-15 */
		uint32_t t = (uint32_t)tty, major = (t >> 8) & 0xfff,
			 minor = (t & 0xff) | ((t >> 12) & 0xfff00);

		record_add_u32(&b, (major << 20) | minor);
	} else {
		record_add_empty(&b);
	}
	record_add_str(&b, have_cgroup ? cgroup : NULL, OSP_STR_MAX);
	record_add_empty(&b); /* exe_ino */
	record_add_empty(&b); /* exe_dev */
	record_add_empty(&b); /* exe_flags */
	if (field_hex64(status, "CapInh", &v))
		record_add_u64(&b, v);
	else
		record_add_empty(&b);
	if (field_hex64(status, "CapPrm", &v))
		record_add_u64(&b, v);
	else
		record_add_empty(&b);
	if (field_hex64(status, "CapEff", &v))
		record_add_u64(&b, v);
	else
		record_add_empty(&b);
	if (have_stat && start)
		record_add_u64(&b, start);
	else
		record_add_empty(&b);
	record_add_empty(&b); /* pidns */
	record_add_s64(&b, tid);
	return record_end(&b);
}
