/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Safe extraction of packed drivers and driver sources with libarchive
 * (tar, optionally gzip/xz/zstd/bzip2 compressed). Refuses absolute paths,
 * "..", hard or symbolic links that leave the target directory, device
 * nodes and FIFOs, and archives that expand beyond the limits (size bombs:
 * the bytes actually written are counted, not the sizes the headers claim).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct unpack_limits {
	uint64_t max_total;	/* bytes written, all entries */
	uint64_t max_entries;
};

#define UNPACK_DEFAULT_MAX_TOTAL (512ull << 20)
#define UNPACK_DEFAULT_MAX_ENTRIES 100000

/*
 * Extracts archive into dir (which must exist and should be empty). On
 * failure the reason is in *ret_reason (buffer of reason_size) and what was
 * written may remain: extract into a fresh directory and remove it on error.
 * Returns 0, -EPERM (unsafe entry), -EFBIG (limits), -EBADMSG (corrupt), -errno.
 */
int unpack_archive(const char *archive, const char *dir, const struct unpack_limits *limits,
		   char *reason, size_t reason_size);

/* True when a relative path has no ".." component and is not absolute. */
bool unpack_path_is_safe(const char *path);
/* True when symlink target, relative to the directory of entry, stays inside the root. */
bool unpack_link_stays_inside(const char *entry, const char *target);
