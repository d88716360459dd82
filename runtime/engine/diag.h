/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Diagnostics of the rules front end: errors and warnings that name the file, line, column,
 * what is wrong and a hint. The list is bounded: past DIAG_MAX entries diagnostics are counted
 * in n_dropped (errors still set n_errors), never stored.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "macro.h"

#define DIAG_MAX 4096

enum diag_severity {
	DIAG_ERROR,
	DIAG_WARNING,
};

struct diag {
	enum diag_severity severity;
	char *file;    /* owned; may be NULL for errors not tied to a file */
	unsigned line; /* 1-based; 0 when unknown */
	unsigned col;  /* 1-based; 0 when unknown */
	char *msg;     /* owned */
	char *hint;    /* owned; may be NULL */
};

struct diag_list {
	struct diag *items;
	size_t n, cap;
	size_t n_errors, n_warnings, n_dropped;
};

/* Adds one diagnostic (copies file, formats the message); returns -ENOMEM only on OOM. */
int diag_add(struct diag_list *l, enum diag_severity sev, const char *file, unsigned line,
	     unsigned col, const char *hint, const char *fmt, ...) _printf_(7, 8);
void diag_list_clear(struct diag_list *l);
static inline bool diag_has_errors(const struct diag_list *l)
{
	return l->n_errors > 0;
}
/* Prints "file:line:col: error: msg (hint: ...)" lines, as `osprey -V` does. */
void diag_list_print(const struct diag_list *l, FILE *f);
/* Formats one diagnostic into buf (always NUL-terminated); returns the length it needed. */
int diag_format(const struct diag *d, char *buf, size_t size);
