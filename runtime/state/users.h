/* SPDX-License-Identifier: Apache-2.0 */
/*
 * User and group names: the host's <host_root>/etc/passwd and /etc/group, and,
 * for a containerised process, its container's own files read through
 * <host_root>/proc/<pid>/root/etc/{passwd,group}, cached per container.
 *
 * Everything read is untrusted (a container's /etc is the container's to
 * write): files are read up to USERS_FILE_MAX bytes, lines longer than
 * USERS_LINE_MAX are skipped, at most USERS_ENTRIES_MAX entries are kept per
 * file, and at most USERS_CONTAINERS_MAX container databases are cached (the
 * least recently used one is dropped). A database is re-read when it is older
 * than the refresh interval. Lookups never allocate except on a (re)load.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define USERS_LINE_MAX		 1024u
#define USERS_FILE_MAX		 (4u << 20)
#define USERS_ENTRIES_MAX	 65536u
#define USERS_CONTAINERS_MAX	 64u
#define USERS_REFRESH_DEFAULT_NS (60ull * 1000000000ull)

struct users;

struct users_entry {
	uint32_t id;
	const char *name;
	const char *home;  /* "" for groups */
	const char *shell; /* "" for groups */
};

/* host_root may be NULL or "". Caller owns *ret. */
int users_new(const char *host_root, struct users **ret);
/* Accepts NULL. */
void users_free(struct users *u);
/* How old a database may get before it is read again (0: on every lookup). */
void users_set_refresh(struct users *u, uint64_t ns);

/*
 * The user (or group) with that id as the process sees it: container_id NULL or "host" means the
 * host's files; otherwise the files of container_id, read through process pid's root when the
 * container's cache is loaded or refreshed. pid 0 means no live process (a replayed capture):
 * a container's names are then unknown. When process pid is gone before its container's files
 * were ever read, the answer is NULL and nothing is cached, so a later lookup through a live
 * process still finds them. NULL when unknown. The entry is valid until the next users_* call.
 */
const struct users_entry *users_get_user(struct users *u, const char *container_id, uint32_t pid,
					 uint32_t uid);
const struct users_entry *users_get_group(struct users *u, const char *container_id, uint32_t pid,
					  uint32_t gid);

/*
 * Whether the files of container_id have been read (always true for the host): when a lookup
 * answered NULL and this is false, the process was gone and another live process of the same
 * container (its parent, say) may still answer.
 */
bool users_container_loaded(const struct users *u, const char *container_id);

struct users_stats {
	uint64_t loads;		   /* files (re)read */
	uint64_t load_failures;	   /* files that could not be opened */
	uint64_t lines_skipped;	   /* too long or malformed */
	uint64_t entries_over_cap; /* past USERS_ENTRIES_MAX */
	uint64_t containers_evicted;
	uint64_t root_gone; /* container lookups whose process had exited: not cached */
};
void users_get_stats(const struct users *u, struct users_stats *ret);
