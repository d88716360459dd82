// SPDX-License-Identifier: Apache-2.0
/*
 * Safe extraction: archives crafted here with libarchive's writer carry
 * absolute paths, "..", links leaving the target, device nodes and size
 * bombs; each must be refused with nothing written outside the target.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "test.h"
#include "unpack.h"
#include "util.h"

static char dir[256];

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

struct member {
	const char *path;
	mode_t type;
	const char *link;	/* symlink or hardlink target */
	bool hardlink;
	size_t size;		/* bytes of 'A' */
};

/* Writes a tar (compressed with filter, e.g. "gzip", "xz", "zstd" or NULL) of members. */
static void make_tar(const char *file, const char *filter, const struct member *m, size_t n)
{
	struct archive *a = archive_write_new();
	static char zeros[1 << 16];

	memset(zeros, 'A', sizeof(zeros));
	archive_write_set_format_pax_restricted(a);
	if (filter)
		CHECK(archive_write_add_filter_by_name(a, filter) == ARCHIVE_OK);
	CHECK(archive_write_open_filename(a, file) == ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();

		archive_entry_set_pathname(e, m[i].path);
		archive_entry_set_filetype(e, m[i].type);
		archive_entry_set_perm(e, 0644);
		if (m[i].hardlink) {
			archive_entry_set_hardlink(e, m[i].link);
			archive_entry_set_size(e, 0);
		} else if (m[i].link) {
			archive_entry_set_symlink(e, m[i].link);
		}
		if (m[i].type == AE_IFREG && !m[i].hardlink)
			archive_entry_set_size(e, (la_int64_t)m[i].size);
		CHECK(archive_write_header(a, e) == ARCHIVE_OK);
		for (size_t left = m[i].type == AE_IFREG && !m[i].hardlink ? m[i].size : 0; left > 0;) {
			size_t chunk = MIN(left, sizeof(zeros));
			CHECK(archive_write_data(a, zeros, chunk) == (la_ssize_t)chunk);
			left -= chunk;
		}
		archive_entry_free(e);
	}
	CHECK(archive_write_close(a) == ARCHIVE_OK);
	archive_write_free(a);
}

/* Extracts into a fresh directory; returns the result and leaves the directory in out. */
static int extract(const char *tar, const struct unpack_limits *lim, char *out, size_t size,
		   char *reason, size_t rsize)
{
	snprintf(out, size, "%s/x-XXXXXX", dir);
	CHECK(mkdtemp(out) != NULL);
	reason[0] = '\0';
	return unpack_archive(tar, out, lim, reason, rsize);
}

static void test_good(void)
{
	const struct member m[] = {
		{ "src/", AE_IFDIR },
		{ "src/Kbuild", AE_IFREG, .size = 20 },
		{ "src/osprey.c", AE_IFREG, .size = 100000 },
		{ "src/link", AE_IFLNK, "osprey.c" },
		{ "src/up", AE_IFLNK, "../src/Kbuild" },
		{ "src/hard", AE_IFREG, "src/Kbuild", true },
	};
	const char *filters[] = { NULL, "gzip", "xz", "zstd" };
	char tar[512], out[512], reason[256], p[600];
	struct stat st;

	for (size_t f = 0; f < ARRAY_SIZE(filters); f++) {
		snprintf(tar, sizeof(tar), "%s/good-%zu.tar", dir, f);
		make_tar(tar, filters[f], m, ARRAY_SIZE(m));
		CHECK_INT_EQ(extract(tar, NULL, out, sizeof(out), reason, sizeof(reason)), 0);
		if (reason[0])
			fprintf(stderr, "good %zu: %s\n", f, reason);
		snprintf(p, sizeof(p), "%s/src/osprey.c", out);
		CHECK(stat(p, &st) == 0 && st.st_size == 100000);
		snprintf(p, sizeof(p), "%s/src/link", out);
		CHECK(lstat(p, &st) == 0 && S_ISLNK(st.st_mode));
		snprintf(p, sizeof(p), "%s/src/hard", out);
		CHECK(stat(p, &st) == 0 && st.st_size == 20 && st.st_nlink == 2);
	}
}

struct bad_case {
	const char *what;
	struct member m[2];
	size_t n;
	int want;
	const char *reason_has;
};

static void test_refusals(void)
{
	static const struct bad_case cases[] = {
		{ "absolute", { { "/tmp/osprey-unpack-escape", AE_IFREG, .size = 4 } }, 1, -EPERM, "absolute" },
		{ "dotdot", { { "a/../../osprey-unpack-escape", AE_IFREG, .size = 4 } }, 1, -EPERM, ".." },
		{ "dotdot-only", { { "..", AE_IFDIR } }, 1, -EPERM, ".." },
		{ "symlink-abs", { { "evil", AE_IFLNK, "/etc/passwd" } }, 1, -EPERM, "symlink" },
		{ "symlink-up", { { "a/evil", AE_IFLNK, "../../etc" } }, 1, -EPERM, "symlink" },
		{ "hardlink-out", { { "h", AE_IFREG, "../outside", true } }, 1, -EPERM, "hard link" },
		{ "hardlink-abs", { { "h", AE_IFREG, "/etc/passwd", true } }, 1, -EPERM, "hard link" },
		{ "fifo", { { "p", AE_IFIFO } }, 1, -EPERM, "not a regular" },
		{ "chardev", { { "c", AE_IFCHR } }, 1, -EPERM, "not a regular" },
		/* Through a symlink that is itself fine: libarchive's SECURE_SYMLINKS refuses. */
		{ "via-symlink", { { "d", AE_IFLNK, "." }, { "d/f", AE_IFREG, .size = 1 } }, 2, -EPERM, "" },
	};
	char tar[512], out[512], reason[256];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int r;

		snprintf(tar, sizeof(tar), "%s/bad-%s.tar.gz", dir, cases[i].what);
		make_tar(tar, "gzip", cases[i].m, cases[i].n);
		r = extract(tar, NULL, out, sizeof(out), reason, sizeof(reason));
		if (r != cases[i].want || !strstr(reason, cases[i].reason_has))
			fprintf(stderr, "case %s: r=%d reason=%s\n", cases[i].what, r, reason);
		CHECK_INT_EQ(r, cases[i].want);
		CHECK(strstr(reason, cases[i].reason_has) != NULL);
	}
	CHECK(access("/tmp/osprey-unpack-escape", F_OK) < 0);
}

static void test_bombs(void)
{
	/* 8 MiB of 'A' compresses to a few KiB: the limit is on bytes written. */
	const struct member big[] = { { "big", AE_IFREG, .size = 8u << 20 } };
	struct member many[2] = { { "a", AE_IFREG, .size = 1 }, { "b", AE_IFREG, .size = 1 } };
	struct unpack_limits lim = { .max_total = 1u << 20, .max_entries = 100 };
	char tar[512], out[512], reason[256];
	struct stat st;

	snprintf(tar, sizeof(tar), "%s/bomb.tar.xz", dir);
	make_tar(tar, "xz", big, 1);
	CHECK(stat(tar, &st) == 0 && st.st_size < 64 * 1024);
	CHECK_INT_EQ(extract(tar, &lim, out, sizeof(out), reason, sizeof(reason)), -EFBIG);
	CHECK(strstr(reason, "beyond") != NULL);

	lim.max_entries = 1;
	snprintf(tar, sizeof(tar), "%s/many.tar", dir);
	make_tar(tar, NULL, many, 2);
	CHECK_INT_EQ(extract(tar, &lim, out, sizeof(out), reason, sizeof(reason)), -EFBIG);

	/* Not an archive at all. */
	snprintf(tar, sizeof(tar), "%s/garbage.tar.gz", dir);
	CHECK(write_file_atomic(tar, "\x1f\x8b garbage", 10, 0644) == 0);
	CHECK_INT_EQ(extract(tar, NULL, out, sizeof(out), reason, sizeof(reason)), -EBADMSG);
}

static void test_helpers(void)
{
	CHECK(unpack_path_is_safe("a/b/c"));
	CHECK(unpack_path_is_safe("./a"));
	CHECK(unpack_path_is_safe("a..b/..c"));
	CHECK(!unpack_path_is_safe("/a"));
	CHECK(!unpack_path_is_safe("a/../b"));
	CHECK(!unpack_path_is_safe(""));
	CHECK(unpack_link_stays_inside("a/b/l", "../c"));
	CHECK(unpack_link_stays_inside("a/l", "./../x"));
	CHECK(!unpack_link_stays_inside("a/l", "../../x"));
	CHECK(!unpack_link_stays_inside("l", ".."));
	CHECK(!unpack_link_stays_inside("a/l", "b/../../../x"));
	CHECK(!unpack_link_stays_inside("a/l", "/x"));
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/osprey-unpack-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_helpers();
	test_good();
	test_refusals();
	test_bombs();
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return test_finish("test-loader-unpack");
}
