// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "unpack.h"
#include "util.h"

bool unpack_path_is_safe(const char *path)
{
	const char *p = path;

	if (!*p || *p == '/')
		return false;
	while (*p) {
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += len;
		while (*p == '/')
			p++;
	}
	return true;
}

/* Walks the components of s from depth *depth; false when it ever goes above the root. */
static bool walk(const char *s, int *depth)
{
	while (*s) {
		size_t len = strcspn(s, "/");
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			if (--*depth < 0)
				return false;
		} else if (len > 0 && !(len == 1 && s[0] == '.')) {
			(*depth)++;
		}
		s += len;
		while (*s == '/')
			s++;
	}
	return true;
}

bool unpack_link_stays_inside(const char *entry, const char *target)
{
	char dir[PATH_MAX_LEN];
	const char *slash = strrchr(entry, '/');
	int depth = 0;

	if (!*target || *target == '/')
		return false;
	if (slash) {
		size_t len = (size_t)(slash - entry);
		if (len >= sizeof(dir))
			return false;
		memcpy(dir, entry, len);
		dir[len] = '\0';
		if (!walk(dir, &depth))
			return false;
	}
	return walk(target, &depth);
}

static void archive_read_freep(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}

static void archive_write_freep(struct archive **a)
{
	if (*a)
		archive_write_free(*a);
}

#define REASON(...) (snprintf(reason, reason_size, __VA_ARGS__))

int unpack_archive(const char *archive, const char *dir, const struct unpack_limits *limits,
		   char *reason, size_t reason_size)
{
	_cleanup_(archive_read_freep) struct archive *in = archive_read_new();
	_cleanup_(archive_write_freep) struct archive *out = archive_write_disk_new();
	struct unpack_limits lim = { UNPACK_DEFAULT_MAX_TOTAL, UNPACK_DEFAULT_MAX_ENTRIES };
	struct archive_entry *e;
	uint64_t total = 0, entries = 0;
	int a;

	if (limits)
		lim = *limits;
	if (!in || !out)
		return -ENOMEM;
	archive_read_support_filter_all(in);
	archive_read_support_format_tar(in);
	archive_read_support_format_gnutar(in);
	archive_write_disk_set_options(out, ARCHIVE_EXTRACT_SECURE_NODOTDOT |
						    ARCHIVE_EXTRACT_SECURE_SYMLINKS |
						    ARCHIVE_EXTRACT_NO_OVERWRITE);
	/*
	 * Not ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS: entries are checked to be
	 * relative below and then prefixed with dir, which is absolute.
	 */
	if (archive_read_open_filename(in, archive, 65536) != ARCHIVE_OK) {
		REASON("cannot open archive: %s", archive_error_string(in));
		return -EBADMSG;
	}
	for (;;) {
		char full[PATH_MAX_LEN], path[PATH_MAX_LEN];
		const char *name, *link;
		mode_t type;

		a = archive_read_next_header(in, &e);
		if (a == ARCHIVE_EOF)
			break;
		if (a != ARCHIVE_OK && a != ARCHIVE_WARN) {
			REASON("corrupt archive: %s", archive_error_string(in));
			return -EBADMSG;
		}
		if (++entries > lim.max_entries) {
			REASON("more than %llu entries", (unsigned long long)lim.max_entries);
			return -EFBIG;
		}
		name = archive_entry_pathname(e);
		if (!name || !unpack_path_is_safe(name)) {
			REASON("entry '%s' is an absolute path or contains '..'", name ? name : "");
			return -EPERM;
		}
		if (path_join(path, sizeof(path), "%s", name) < 0) {
			REASON("entry name too long");
			return -ENAMETOOLONG;
		}
		link = archive_entry_hardlink(e);
		if (link && !unpack_path_is_safe(link)) {
			REASON("hard link '%s' points outside the target ('%s')", path, link);
			return -EPERM;
		}
		type = archive_entry_filetype(e);
		if (!link && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
			REASON("entry '%s' is not a regular file, directory or symlink", path);
			return -EPERM;
		}
		link = archive_entry_symlink(e);
		if (type == AE_IFLNK && (!link || !unpack_link_stays_inside(path, link))) {
			REASON("symlink '%s' points outside the target ('%s')", path, link ? link : "");
			return -EPERM;
		}
		if (archive_entry_size_is_set(e) &&
		    (uint64_t)archive_entry_size(e) > lim.max_total - total) {
			REASON("entry '%s' would expand beyond %llu bytes", path,
			       (unsigned long long)lim.max_total);
			return -EFBIG;
		}
		if (path_join(full, sizeof(full), "%s/%s", dir, path) < 0) {
			REASON("entry '%s': path too long", path);
			return -ENAMETOOLONG;
		}
		archive_entry_set_pathname(e, full);
		if (archive_entry_hardlink(e)) {
			char hl[PATH_MAX_LEN];
			if (path_join(hl, sizeof(hl), "%s/%s", dir, archive_entry_hardlink(e)) < 0)
				return -ENAMETOOLONG;
			archive_entry_set_hardlink(e, hl);
		}
		archive_entry_set_perm(e, archive_entry_perm(e) & 0755);
		a = archive_write_header(out, e);
		if (a != ARCHIVE_OK) {
			REASON("cannot write '%s': %s", path, archive_error_string(out));
			return -EPERM;
		}
		for (;;) {
			const void *buf;
			size_t size;
			la_int64_t off;

			a = archive_read_data_block(in, &buf, &size, &off);
			if (a == ARCHIVE_EOF)
				break;
			if (a != ARCHIVE_OK) {
				REASON("corrupt archive data in '%s': %s", path,
				       archive_error_string(in));
				return -EBADMSG;
			}
			if (size > lim.max_total - total) {
				REASON("archive expands beyond %llu bytes (size bomb?)",
				       (unsigned long long)lim.max_total);
				return -EFBIG;
			}
			total += size;
			if (archive_write_data_block(out, buf, size, off) != ARCHIVE_OK) {
				REASON("cannot write '%s': %s", path, archive_error_string(out));
				return -EIO;
			}
		}
		if (archive_write_finish_entry(out) != ARCHIVE_OK) {
			REASON("cannot finish '%s': %s", path, archive_error_string(out));
			return -EIO;
		}
	}
	if (archive_write_close(out) != ARCHIVE_OK) {
		REASON("cannot finish extraction: %s", archive_error_string(out));
		return -EIO;
	}
	return 0;
}
