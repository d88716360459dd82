/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers shared by the loader's modules (string and file utilities). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"

#define streq(a, b) (strcmp((a), (b)) == 0)
#define PATH_MAX_LEN 4096

static inline void fclosep_(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep_)

static inline bool startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static inline bool endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

/* snprintf that reports truncation as -ENAMETOOLONG. */
int path_join(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);
/* mkdir -p with mode 0755. */
int util_mkdir_p(const char *path);
/* Reads a whole small file (at most max bytes) into a NUL-terminated malloc'd buffer. */
int read_file_full(const char *path, size_t max, char **ret, size_t *ret_size);
/* Writes data to path atomically (temporary file in the same directory, fsync, rename). */
int write_file_atomic(const char *path, const void *data, size_t size, int mode);
/* Copies a file to dst atomically. */
int copy_file_atomic(const char *src, const char *dst, int mode);
/* Removes a directory tree (best effort, never follows symlinks). */
void rm_rf(const char *path);
/* Seconds since an arbitrary point (CLOCK_MONOTONIC). */
double now_monotonic(void);
