// SPDX-License-Identifier: Apache-2.0
/*
 * User and group databases, one for the host and a bounded LRU set for
 * containers. A database is one file image (read whole, bounded) whose lines
 * are cut in place into NUL-terminated fields, plus id-sorted entry arrays
 * pointing into it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "container.h"
#include "fileio.h"
#include "macro.h"
#include "parse.h"
#include "users.h"

struct users_table {
	char *image; /* the file, fields cut in place */
	struct users_entry *entries;
	uint32_t n;
};

struct users_db {
	char key[CONTAINER_ID_LEN + 1]; /* "" for the host */
	bool loaded;
	uint64_t loaded_at;
	uint64_t last_used;
	struct users_table passwd, group;
};

struct users {
	char *host_root;
	uint64_t refresh_ns;
	uint64_t use_clock;
	struct users_db host;
	struct users_db containers[USERS_CONTAINERS_MAX];
	struct users_stats stats;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void table_clear(struct users_table *t)
{
	free(t->image);
	free(t->entries);
	*t = (struct users_table){};
}

static void db_clear(struct users_db *db)
{
	table_clear(&db->passwd);
	table_clear(&db->group);
	db->loaded = false;
	db->key[0] = '\0';
}

int users_new(const char *host_root, struct users **ret)
{
	_cleanup_free_ struct users *u = calloc(1, sizeof(*u));

	if (!u)
		return -ENOMEM;
	u->host_root = strdup(host_root ? host_root : "");
	if (!u->host_root)
		return -ENOMEM;
	u->refresh_ns = USERS_REFRESH_DEFAULT_NS;
	*ret = TAKE_PTR(u);
	return 0;
}

void users_free(struct users *u)
{
	if (!u)
		return;
	db_clear(&u->host);
	for (unsigned i = 0; i < USERS_CONTAINERS_MAX; i++)
		db_clear(&u->containers[i]);
	free(u->host_root);
	free(u);
}

void users_set_refresh(struct users *u, uint64_t ns)
{
	u->refresh_ns = ns;
}

void users_get_stats(const struct users *u, struct users_stats *ret)
{
	*ret = u->stats;
}

/*
 * Opens dir/name without leaving dir: a container's /etc/passwd may be a symlink, and an
 * absolute one must resolve inside the container, not on the host (RESOLVE_IN_ROOT). Kernels
 * without openat2 get O_NOFOLLOW on the last component instead.
 */
static int open_in_root(const char *root, const char *name)
{
	_cleanup_close_ int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	if (dfd < 0)
		return negative_errno();
	fd = syscall(SYS_openat2, dfd, name, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0)
		return negative_errno();
	return (int)fd;
}

/* Reads a regular file of at most USERS_FILE_MAX bytes (more is ignored), NUL-terminated. */
static int read_bounded(int fd, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len, cap;
	struct stat st;
	ssize_t n;

	*ret_len = 0;
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode))
		return -EBADFD;
	cap = st.st_size > 0 && (uint64_t)st.st_size < USERS_FILE_MAX ? (size_t)st.st_size + 1
								      : USERS_FILE_MAX + 1;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	n = read_full(fd, buf, cap - 1);
	if (n < 0)
		return (int)n;
	len = (size_t)n;
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct users_entry *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	/* Same id: the earlier line wins, as getpwuid() would find it first. */
	return x->name < y->name ? -1 : x->name > y->name;
}

/*
 * Parses passwd (name:pw:uid:gid:gecos:home:shell, passwd true) or group (name:pw:gid:members)
 * lines of the image in place.
 */
static int table_parse(struct users *u, struct users_table *t, char *image, size_t len, bool passwd)
{
	char *p = image, *end = image + len;
	uint32_t cap = 64;

	t->image = image;
	t->entries = malloc(cap * sizeof(*t->entries));
	if (!t->entries)
		return -ENOMEM;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *line = p, *f[7];
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		unsigned nf = 0, want = passwd ? 7 : 3;
		uint32_t id;

		p = nl ? nl + 1 : end;
		line[ll] = '\0';
		if (ll == 0 || line[0] == '#')
			continue;
		if (ll > USERS_LINE_MAX) {
			u->stats.lines_skipped++;
			continue;
		}
		f[nf++] = line;
		for (char *c = line; *c && nf < ARRAY_SIZE(f); c++)
			if (*c == ':') {
				*c = '\0';
				f[nf++] = c + 1;
			}
		if (nf < want || f[0][0] == '\0' || f[0][0] == '+' || f[0][0] == '-' ||
		    safe_atou32(f[2], &id) < 0) {
			u->stats.lines_skipped++;
			continue;
		}
		if (t->n >= USERS_ENTRIES_MAX) {
			u->stats.entries_over_cap++;
			continue;
		}
		if (t->n == cap) {
			struct users_entry *ne = realloc(t->entries, 2 * cap * sizeof(*ne));

			if (!ne)
				return -ENOMEM;
			t->entries = ne;
			cap *= 2;
		}
		t->entries[t->n++] = (struct users_entry){
			.id = id,
			.name = f[0],
			.home = passwd ? f[5] : "",
			.shell = passwd ? f[6] : "",
		};
	}
	qsort(t->entries, t->n, sizeof(*t->entries), entry_cmp);
	return 0;
}

static void table_load(struct users *u, struct users_table *t, const char *root, const char *name,
		       bool passwd)
{
	_cleanup_close_ int fd = -EBADF;
	char *image = NULL;
	size_t len;

	table_clear(t);
	u->stats.loads++;
	fd = open_in_root(root, name);
	if (fd < 0 || read_bounded(fd, &image, &len) < 0) {
		u->stats.load_failures++;
		return;
	}
	if (table_parse(u, t, image, len, passwd) < 0)
		table_clear(t); /* out of memory: no names until the next refresh */
}

/*
 * (Re)loads db. A container's files are read through a live process' root: when that process is
 * already gone (short-lived containers, events processed a little after they happened), nothing
 * is cached and the next lookup tries again through its own process. Returns false then.
 */
static bool db_load(struct users *u, struct users_db *db, uint32_t pid)
{
	char root[PATH_MAX];
	int n;

	if (db->key[0])
		n = snprintf(root, sizeof(root), "%s/proc/%u/root", u->host_root, pid);
	else
		n = snprintf(root, sizeof(root), "%s/", u->host_root);
	if (n < 0 || (size_t)n >= sizeof(root)) {
		table_clear(&db->passwd);
		table_clear(&db->group);
	} else {
		if (db->key[0] && access(root, X_OK) < 0) {
			u->stats.root_gone++;
			return false;
		}
		table_load(u, &db->passwd, root, "etc/passwd", true);
		table_load(u, &db->group, root, "etc/group", false);
	}
	db->loaded = true;
	db->loaded_at = now_ns();
	return true;
}

static struct users_db *db_get(struct users *u, const char *container_id, uint32_t pid)
{
	struct users_db *db = NULL, *victim = NULL;

	u->use_clock++;
	if (!container_id || !container_id[0] || strcmp(container_id, "host") == 0) {
		db = &u->host;
	} else if (pid == 0) {
		return NULL; /* no live process to read the container's files through */
	} else {
		for (unsigned i = 0; i < USERS_CONTAINERS_MAX; i++) {
			struct users_db *c = &u->containers[i];

			if (c->loaded && strncmp(c->key, container_id, CONTAINER_ID_LEN) == 0) {
				db = c;
				break;
			}
			/* The victim: a free slot if any, else the least recently used. */
			if (!c->loaded) {
				if (!victim || victim->loaded)
					victim = c;
			} else if (!victim ||
				   (victim->loaded && c->last_used < victim->last_used)) {
				victim = c;
			}
		}
		if (!db) {
			if (victim->loaded)
				u->stats.containers_evicted++;
			db_clear(victim);
			db = victim;
			snprintf(db->key, sizeof(db->key), "%s", container_id);
		}
	}
	db->last_used = u->use_clock;
	if (!db->loaded || u->refresh_ns == 0 || now_ns() - db->loaded_at >= u->refresh_ns) {
		/* A refresh through a gone process keeps the last good tables. */
		if (!db_load(u, db, pid) && !db->loaded)
			return NULL;
	}
	return db;
}

bool users_container_loaded(const struct users *u, const char *container_id)
{
	if (!container_id || !container_id[0] || strcmp(container_id, "host") == 0)
		return true;
	for (unsigned i = 0; i < USERS_CONTAINERS_MAX; i++)
		if (u->containers[i].loaded &&
		    strncmp(u->containers[i].key, container_id, CONTAINER_ID_LEN) == 0)
			return true;
	return false;
}

static const struct users_entry *table_find(const struct users_table *t, uint32_t id)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->entries[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->entries[lo].id == id ? &t->entries[lo] : NULL;
}

const struct users_entry *users_get_user(struct users *u, const char *container_id, uint32_t pid,
					 uint32_t uid)
{
	struct users_db *db = db_get(u, container_id, pid);

	return db ? table_find(&db->passwd, uid) : NULL;
}

const struct users_entry *users_get_group(struct users *u, const char *container_id, uint32_t pid,
					  uint32_t gid)
{
	struct users_db *db = db_get(u, container_id, pid);

	return db ? table_find(&db->group, gid) : NULL;
}
