/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded reads: nothing read from a file grows without a limit. */
#pragma once

#include <sys/types.h>

/*
 * Reads from fd until size bytes or end of file, retrying on EINTR. Returns the
 * number of bytes read (< size only at end of file) or -errno.
 */
ssize_t read_full(int fd, void *buf, size_t size);
