/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One thread's description read from <host_root>/proc, as an OSP_EVT_PROC_SNAPSHOT record, for
 * a thread the event stream never introduced (its fork was lost). Everything read is bounded;
 * a value that cannot be read is left empty. The full walk at start-up is
 * runtime/capture/proc_snapshot.c; this is the single-thread fallback.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Builds the record into buf (size bytes). Returns its length, -ENOENT if the thread is gone. */
int procfs_thread_record(const char *host_root, uint32_t tid, uint32_t pid, uint64_t ts_ns,
			 void *buf, size_t size);
