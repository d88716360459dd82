/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Build fallback: compile the kernel module from the driver source shipped in
 * the loader image against the node's headers (make -C <headers> M=<dir>),
 * in a private copy of the source, with a time limit.
 */
#pragma once

#include <stddef.h>

#define BUILD_LOG_TAIL_LINES 20

/*
 * Finds a kernel build tree for release: $HOST_ROOT/lib/modules/<release>/build
 * (an absolute symlink is resolved under HOST_ROOT), then
 * $HOST_ROOT/usr/src/linux-headers-<release>, then /usr/src/linux-headers-<release>.
 * -ENOENT when none has a Makefile (buf then lists the places tried).
 */
int build_find_headers(const char *host_root, const char *release, char *buf, size_t size);

struct build_result {
	char summary[512];	/* one line: why it failed */
	char log_path[4096];	/* full log */
	char ko_path[4096];	/* on success: the built module */
	char dir[4096];		/* the private build directory (kept on failure for the log) */
};

/* Removes res->dir; call once the module has been copied out. */
void build_remove(struct build_result *res);

/*
 * Copies src (a directory, or a .tar.* archive unpacked safely) into a fresh
 * directory under workdir, runs make with a timeout of timeout_s seconds
 * and finds <module>.ko. Returns 0, -ETIMEDOUT, -ENOENT (no headers or no
 * source), -ENOEXEC (build failed; res->summary and the log say why), -errno.
 */
int build_module(const char *src, const char *headers, const char *workdir, const char *module,
		 unsigned timeout_s, struct build_result *res);

/* Prints the last n lines of a file to stderr, each prefixed with "  | ". */
void build_print_log_tail(const char *path, unsigned n);
