/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The interface between capture.c and each source (source_bpf.c, source_kmod.c,
 * source_file.c). A source produces raw records; capture.c decodes them,
 * counts and skips malformed ones, and plays the /proc snapshot first.
 */
#pragma once

#include <stddef.h>

#include "capture.h"

struct source;

struct source_ops {
	const char *name;
	/* Opens the source; on failure sets *ret_error to a one-line reason (static or in src). */
	int (*open)(const struct capture_opts *opts, struct source **ret, const char **ret_error);
	/*
	 * The next raw record, the oldest by timestamp across buffers. *ret_buf stays valid until
	 * the next call of next(). Returns 0, -EAGAIN (live, nothing now), -ENODATA (end) or -errno.
	 * A record whose container length is impossible is skipped by the source and counted in
	 * *malformed (the container's framing is the source's business).
	 */
	int (*next)(struct source *s, const void **ret_buf, size_t *ret_size, uint64_t *malformed);
	int (*wait)(struct source *s, int timeout_ms);
	int (*get_fd)(struct source *s);
	int (*set_interest)(struct source *s, const uint8_t *interest);
	/* Adds producer-side counters (drops, faults, produced, nbuffers) into *stats. */
	int (*get_stats)(struct source *s, struct capture_stats *stats);
	/* Machine facts; live sources fill them from this machine. */
	const struct capture_machine *(*get_machine)(struct source *s);
	const char *(*get_error)(struct source *s);
	void (*close)(struct source *s);
	int poll_interval_ms;
};

extern const struct source_ops source_bpf_ops;
extern const struct source_ops source_kmod_ops;
extern const struct source_ops source_file_ops;
