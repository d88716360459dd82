/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One decoded event as one line of text:
 *
 *   12:00:01.123456 cat(4211) openat dirfd=AT_FDCWD name=/etc/hostname flags=O_RDONLY mode=0 res=3
 *
 * local wall time, comm(tid), event name, every parameter as name=value in table order, and for
 * a syscall event its result (parameter 0) last as res=VALUE (errors as res=-2(ENOENT)).
 * Values: integers in decimal, MODE in octal, FLAGS/ENUM by name (flag_names.h), CAPS in hex,
 * DEV as major:minor, ABSTIME in raw ns, addresses as 1.2.3.4:80 / [::1]:80 / 1.2.3.4:5->5.6.7.8:80
 * / unix path, argument arrays as space-separated words, absent values as <NA>, and a value cut
 * at its bound ends with "...". Bytes outside printable ASCII and the backslash are written as
 * \xNN, so a line never carries control characters from the traced program.
 *
 * The comm of a thread comes from a bounded tid -> comm cache that event_format_update() keeps
 * from PROC_SNAPSHOT, PROC_EXEC, PROC_FORK (inherits the parent's), PROC_EXIT (forgets) and a
 * successful prctl(PR_SET_NAME). Unknown threads print as "?".
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "event.h"

#define FORMAT_COMM_SLOTS 4096u /* direct-mapped: a colliding tid evicts the older one */

struct format_comm {
	uint32_t tid; /* 0 = empty slot */
	char comm[OSP_COMM_LEN];
};

/* About 80 KiB: allocate it once (heap or static), never per event. */
struct format_ctx {
	uint64_t boot_time_ns; /* wall clock at boot of the machine the events come from */
	time_t cached_sec;     /* the last second formatted, and its HH:MM:SS */
	char cached_hms[16];
	struct format_comm comm[FORMAT_COMM_SLOTS];
};

/* Resets the cache; boot_time_ns from capture_machine (0 prints time since boot). */
void event_format_init(struct format_ctx *ctx, uint64_t boot_time_ns);
/* Feeds the comm cache from process lifecycle events; call it for every event, in order. */
void event_format_update(struct format_ctx *ctx, const struct event *ev);
/* The cached comm of tid, or NULL. */
const char *event_format_comm(const struct format_ctx *ctx, uint32_t tid);
/*
 * Formats ev into buf (NUL-terminated when size > 0, no newline). Returns the length of the
 * whole line as snprintf() does: a result >= size means the line was cut.
 */
int event_format(struct format_ctx *ctx, const struct event *ev, char *buf, size_t size);
