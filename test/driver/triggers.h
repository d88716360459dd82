/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table of the driver conformance suite: one entry per case. A case's
 * trigger runs in a child forked for it; it sets up, performs the system
 * call(s), then describes the expected events with the exp_*() calls of
 * expect.h, from the values it observed. Nothing in a trigger depends on the
 * event source (eBPF probe or kernel module).
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

/* What a trigger gets from the harness. */
struct tctx {
	const char *dir;    /* an empty directory of its own (absolute path) */
	pid_t parent;       /* the test process (its events must never be captured) */
	uint64_t start_ns;  /* CLOCK_BOOTTIME just before the child was forked */
	void *shared;       /* TRIGGER_SHARED_SIZE bytes shared with grandchildren */
	int post_fd;        /* write end of the post-exec report pipe (close-on-exec) */
};

#define TRIGGER_SHARED_SIZE 4096

/* Case flags: what the harness does around a case. */
#define CASE_INTEREST_OPENAT 0x1 /* interest set limited to {openat} while the case runs */
#define CASE_SELF_ACTIVITY 0x2   /* the test process itself opens and creates files first */

struct trigger_case {
	const char *name;  /* unique, used by FILTER */
	const char *event; /* the event the case is about (coverage) */
	void (*run)(struct tctx *t);
	unsigned flags;
};

extern const struct trigger_case trigger_cases[];
extern const unsigned trigger_ncases;

/* The name of the file the CASE_SELF_ACTIVITY case makes the test process open in its dir. */
#define SELF_ACTIVITY_FILE "self-activity"
#define SELF_ACTIVITY_DIR "self-activity.d"
