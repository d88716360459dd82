/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Expectations of the driver conformance suite.
 *
 * A case's child performs a system call and then describes, through a pipe,
 * the events it must have produced: for each expected event its type, the
 * pid/tid it must carry and the value of EVERY parameter, built from what the
 * child observed (the result, the fd numbers, the ports the kernel chose,
 * errno). It can also name events that must NOT appear ("negative" blocks).
 * The parent reads that report (expect_read_report()), then compares the
 * decoded events of the capture library with it (expect_block_eval()).
 *
 * Child side: exp_*() write messages; they never return an error: a child
 * that cannot report exits non-zero and the case fails.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"

#define EXP_MAX_BLOCKS 8
#define EXP_MAX_CHECKS 40
#define EXP_DATA_MAX (96u * 1024)  /* bytes of expected strings and buffers per case */
#define EXP_DIFF_MAX 4096u
#define EXP_REASON_MAX 512u
#define EXP_POST_MAX 8192u         /* post-exec report text */
#define EXP_POST_LINES 16

enum exp_kind {
	EXP_NUM,         /* a fixed-size value equals a (signed types compare as s64) */
	EXP_RANGE,       /* a <= value <= b (unsigned); b == 0: up to the event's timestamp */
	EXP_STR,         /* exactly this string, not truncated */
	EXP_STR_TRUNC,   /* cut at its bound: a stored bytes, a prefix of the string, NUL-ended, flagged */
	EXP_BYTES,       /* exactly these bytes, not truncated */
	EXP_BYTES_TRUNC, /* cut at its bound: a stored bytes, a prefix of the bytes, NUL-ended, flagged */
	EXP_EMPTY,       /* absent (0-length) value */
	EXP_POST_STR,    /* exactly line a of the post-exec report */
	EXP_POST_HEX,    /* a number: the hexadecimal line a of the post-exec report */
};

struct exp_check {
	char name[OSP_PARAM_NAME_MAX];
	enum exp_kind kind;
	int64_t a, b;
	uint32_t off, len; /* expected bytes in the case's data arena */
};

struct exp_block {
	uint16_t type;
	bool negative; /* the event must not appear */
	uint32_t pid;
	uint32_t tid;  /* 0: any thread of pid */
	unsigned nchecks;
	struct exp_check checks[EXP_MAX_CHECKS];

	/* Matching state, kept by the parent. */
	unsigned seen;      /* events of this type from this pid/tid */
	unsigned other_tid; /* events of this type from this pid, another tid */
	bool satisfied;
	unsigned best;      /* fewest mismatches of a candidate so far */
	char diff[EXP_DIFF_MAX];
};

struct exp_case {
	unsigned nblocks;
	struct exp_block blocks[EXP_MAX_BLOCKS];
	bool ended;   /* the child sent its end mark */
	bool skipped; /* the child could not set up: reason says why */
	bool failed;  /* the child's trigger did not do what the case wanted: reason says what */
	bool wants_post;
	uint64_t ts_lo; /* CLOCK_BOOTTIME before the child was forked: no event of it is older */
	char reason[EXP_REASON_MAX];
	uint32_t used;
	uint8_t data[EXP_DATA_MAX];
};

/* ---- child side ---- */

/* Where this child's messages go. */
void exp_init(int report_fd);
/* Expects one event of type `event` from pid/tid (tid 0: any thread). */
void exp_begin(const char *event, pid_t pid, pid_t tid);
/* Expects NO event of type `event` from pid, until the case's child has exited. */
void exp_none(const char *event, pid_t pid);
/* Parameter expectations of the last exp_begin() block. */
void exp_num(const char *param, int64_t v);
void exp_range(const char *param, uint64_t lo, uint64_t hi);
void exp_str(const char *param, const char *s);
void exp_str_trunc(const char *param, const char *full, uint32_t stored);
void exp_bytes(const char *param, const void *p, size_t n);
void exp_bytes_trunc(const char *param, const void *full, size_t n, uint32_t stored);
void exp_empty(const char *param);
void exp_post_str(const char *param, unsigned line);
void exp_post_hex(const char *param, unsigned line);
/* The case needs the post-exec report (text lines on fd 3 of the exec'd program). */
void exp_want_post(void);
/* Ends the report. */
void exp_end(void);
/* The machine cannot run this case: sends the reason and exits 0. */
_Noreturn void exp_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The trigger did not do what the case wants: sends the reason and exits 1. */
_Noreturn void exp_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- parent side ---- */

/*
 * Reads a child's report from fd until EOF (the child exited or exec'd) or timeout_ms. Returns 0
 * when the report was complete, -ETIMEDOUT, -EPIPE (EOF before the end mark) or -EBADMSG.
 * Checks the blocks against the schema: an unknown event or parameter, or a parameter without an
 * expectation, fails the case (a bug in the table) with the reason set.
 */
int expect_read_report(int fd, int timeout_ms, struct exp_case *ec);
/* Replaces EXP_POST_* checks by the lines of the post-exec report text (NUL-terminated). */
int expect_resolve_post(struct exp_case *ec, const char *text);
/*
 * Compares an event, already known to be of the block's type/pid/tid, with the block. Returns
 * the number of mismatches; describes them in diff (bounded).
 */
unsigned expect_block_eval(const struct exp_case *ec, const struct exp_block *b,
			   const struct event *ev, char *diff, size_t size);
/* Describes an event's parameters on one line (for negative-block failures and -v). */
void expect_format_event(const struct event *ev, char *out, size_t size);
