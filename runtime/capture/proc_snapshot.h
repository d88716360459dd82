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
