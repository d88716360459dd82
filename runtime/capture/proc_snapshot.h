/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The initial snapshot of what already runs, read from <host_root>/proc and
 * expressed in the schema's own records, so that state tracking and capture
 * files need no second format:
 *   - one OSP_EVT_PROC_SNAPSHOT per thread (same parameters as PROC_EXEC),
 *   - after a thread group leader's record, one OSP_EVT_FD_SNAPSHOT per open fd.
 * Records are produced lazily, one process at a time, so memory stays bounded
 * however many processes run. Processes that vanish during the walk are
 * skipped silently; unreadable details are left empty.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct proc_snapshot;

/* Starts a walk of <host_root>/proc (host_root may be NULL or ""). Caller owns *ret. */
int proc_snapshot_open(const char *host_root, uint32_t snaplen, struct proc_snapshot **ret);
/* The next record; *ret_buf is valid until the next call. Returns 0, -ENODATA at the end, -errno. */
int proc_snapshot_next(struct proc_snapshot *s, const void **ret_buf, size_t *ret_size);
/* Accepts NULL. */
void proc_snapshot_free(struct proc_snapshot *s);

/* What a walk produced and what it left out (every field counts up from proc_snapshot_open()). */
struct proc_snapshot_stats {
	uint64_t processes;        /* thread groups described */
	uint64_t threads;          /* OSP_EVT_PROC_SNAPSHOT records, group leaders included */
	uint64_t fds;              /* OSP_EVT_FD_SNAPSHOT records */
	uint64_t vanished;         /* processes, threads or fds gone before they could be read */
	uint64_t fds_over_cap;     /* fds past the per-process cap, not reported */
	uint64_t sockets_over_cap; /* sockets left out of the socket tables: no tuple reported */
	uint64_t netns;            /* network namespaces whose socket tables were read */
	uint64_t records_over_cap; /* 1 if the walk stopped at the total record cap */
};

/* Fills *ret with the counts so far. */
void proc_snapshot_get_stats(const struct proc_snapshot *s, struct proc_snapshot_stats *ret);
