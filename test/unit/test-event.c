// SPDX-License-Identifier: Apache-2.0
/* The decoder: good records, and every way a record can be malformed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "record.h"
#include "test.h"

static uint8_t rec[OSP_EVENT_MAX_LEN + 64] __attribute__((aligned(8)));

/* openat(AT_FDCWD, "/etc/passwd", O_RDONLY, 0) = 3 */
static int build_openat(void)
{
	struct record_builder b;

	record_begin(&b, rec, sizeof(rec), OSP_EVT_OPENAT, 123456789, 42, 41, 5);
	record_add_s64(&b, 3);
	record_add_s64(&b, -100);
	record_add_str(&b, "/etc/passwd", OSP_STR_MAX);
	record_add_u32(&b, 0);
	record_add_u32(&b, 0644);
	return record_end(&b);
}

static struct osp_event_hdr *hdr(void)
{
	return (struct osp_event_hdr *)rec;
}

static void set_param_len(unsigned i, uint16_t len)
{
	memcpy(rec + sizeof(struct osp_event_hdr) + 2 * i, &len, 2);
}

static void test_good(void)
{
	struct event ev;
	int64_t s;
	uint64_t u;
	uint32_t u32;
	int len = build_openat();

	CHECK_INT_EQ(len, 24 + 10 + 8 + 8 + 12 + 4 + 4 + 2); /* 70, padded to 72 */
	CHECK_INT_EQ(len % 8, 0);
	CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), 0);
	CHECK(ev.hdr == (const void *)rec);
	CHECK_STR_EQ(ev.info->name, "openat");
	CHECK_INT_EQ(ev.nparams, 5);
	CHECK_INT_EQ(ev.truncated, 0);
	CHECK_INT_EQ(ev.hdr->tid, 42);
	CHECK_INT_EQ(ev.hdr->pid, 41);
	CHECK(event_get_res(&ev, &s) && s == 3);
	CHECK(event_get_s64(&ev, 1, &s) && s == -100);
	CHECK_STR_EQ(event_get_str(&ev, 2), "/etc/passwd");
	CHECK(event_get_u32(&ev, 4, &u32) && u32 == 0644);
	CHECK(event_get_u64(&ev, 4, &u) && u == 0644);
	CHECK(!event_get_u32(&ev, 1, &u32));  /* 8 bytes do not fit */
	CHECK(event_get_str(&ev, 1) == NULL); /* not a string */
	CHECK(!event_get_s64(&ev, 5, &s));    /* past the last parameter */
	CHECK(!event_get_s64(&ev, 99, &s));
	CHECK(!event_param_truncated(&ev, 2));
	CHECK(!event_param_truncated(&ev, 40));

	/* A container larger than the record is fine: hdr.len is what counts. */
	CHECK_INT_EQ(event_decode(rec, (size_t)len + 16, &ev), 0);

	/* Lookups. */
	CHECK_INT_EQ(event_type_from_name("openat"), OSP_EVT_OPENAT);
	CHECK_INT_EQ(event_type_from_name("procexec"), OSP_EVT_PROC_EXEC);
	CHECK_INT_EQ(event_type_from_name("nope"), -ENOENT);
	CHECK_INT_EQ(event_info_param_index(event_info(OSP_EVT_OPENAT), "flags"), 3);
	CHECK_INT_EQ(event_info_param_index(event_info(OSP_EVT_OPENAT), "nope"), -ENOENT);
}

static void test_absent_truncated_versions(void)
{
	struct record_builder b;
	struct event ev;
	int64_t s;
	int len;

	/* Absent values and a cut string. */
	record_begin(&b, rec, sizeof(rec), OSP_EVT_OPENAT, 1, 1, 1, 5);
	record_add_s64(&b, -2);
	record_add_empty(&b);
	record_add_str(&b, "/a/very/long/path", 8);
	record_add_empty(&b);
	record_add_empty(&b);
	len = record_end(&b);
	CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), 0);
	CHECK(!event_get_s64(&ev, 1, &s));
	CHECK(ev.val[1] == NULL && ev.len[1] == 0);
	CHECK_STR_EQ(event_get_str(&ev, 2), "/a/very");
	CHECK(event_param_truncated(&ev, 2));
	CHECK_INT_EQ(ev.truncated, 1u << 2);

	/* An older producer: fewer parameters than the table. */
	record_begin(&b, rec, sizeof(rec), OSP_EVT_OPENAT, 1, 1, 1, 2);
	record_add_s64(&b, 5);
	record_add_s64(&b, 7);
	len = record_end(&b);
	CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), 0);
	CHECK_INT_EQ(ev.nparams, 2);
	CHECK(event_get_s64(&ev, 1, &s) && s == 7);
	CHECK(event_get_str(&ev, 2) == NULL);
	CHECK(ev.val[4] == NULL && ev.len[4] == 0);

	/* A newer producer: parameters past the table are skipped. */
	record_begin(&b, rec, sizeof(rec), OSP_EVT_CLOSE, 1, 1, 1, 4);
	record_add_s64(&b, 0);
	record_add_s64(&b, 9);
	record_add_str(&b, "new", 16);
	record_add_u64(&b, 1);
	len = record_end(&b);
	CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), 0);
	CHECK_INT_EQ(ev.nparams, 2);
	CHECK(event_get_s64(&ev, 1, &s) && s == 9);

	/* Syscall result of a non-syscall event: none. */
	record_begin(&b, rec, sizeof(rec), OSP_EVT_PROC_EXIT, 1, 1, 1, 2);
	record_add_u32(&b, 0);
	record_add_u32(&b, 1);
	len = record_end(&b);
	CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), 0);
	CHECK(!event_get_res(&ev, &s));
	CHECK(event_get_s64(&ev, 0, &s) && s == 0);
}

static void test_malformed(void)
{
	struct event ev;
	int len = build_openat();
	uint32_t l;

	/* Sizes. */
	CHECK_INT_EQ(event_decode(rec, 0, &ev), -EBADMSG);
	CHECK_INT_EQ(event_decode(rec, 23, &ev), -EBADMSG);
	CHECK_INT_EQ(event_decode(rec, OSP_EVENT_MAX_LEN + 8, &ev), -EBADMSG);
	CHECK_INT_EQ(event_decode(rec, (size_t)len - 8, &ev), -EBADMSG); /* hdr.len > size */

	/* hdr.len: below the header, not a multiple of 8, past the buffer. */
	for (l = 0; l < 24; l++) {
		build_openat();
		hdr()->len = l;
		CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), -EBADMSG);
	}
	for (l = 1; l < 8; l++) {
		build_openat();
		hdr()->len = (uint32_t)len - l;
		CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), -EBADMSG);
	}
	build_openat();
	hdr()->len = 0xfffffff8u;
	CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), -EBADMSG);

	/* More parameter lengths than the record has room for. */
	build_openat();
	hdr()->nparams = (uint16_t)((len - 24) / 2 + 1);
	CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), -EBADMSG);
	build_openat();
	hdr()->nparams = UINT16_MAX;
	CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), -EBADMSG);

	/* A parameter that runs past the record. */
	build_openat();
	set_param_len(2, 200);
	CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), -EBADMSG);
	build_openat();
	set_param_len(4, 0x7fff);
	CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), -EBADMSG);

	/* A string without its NUL. */
	build_openat();
	rec[24 + 10 + 16 + 11] = 'x'; /* the NUL of "/etc/passwd" */
	CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), -EBADMSG);

	/* A fixed-size value of the wrong size: dirfd as 4 bytes, flags as 8. */
	{
		struct record_builder b;

		record_begin(&b, rec, sizeof(rec), OSP_EVT_OPENAT, 1, 1, 1, 5);
		record_add_s64(&b, 3);
		record_add_u32(&b, (uint32_t)-100);
		record_add_str(&b, "/x", OSP_STR_MAX);
		record_add_u32(&b, 0);
		record_add_u32(&b, 0);
		CHECK_INT_EQ(event_decode(rec, (size_t)record_end(&b), &ev), -EBADMSG);

		record_begin(&b, rec, sizeof(rec), OSP_EVT_OPENAT, 1, 1, 1, 5);
		record_add_s64(&b, 3);
		record_add_s64(&b, -100);
		record_add_str(&b, "/x", OSP_STR_MAX);
		record_add_u64(&b, 0);
		record_add_u32(&b, 0);
		CHECK_INT_EQ(event_decode(rec, (size_t)record_end(&b), &ev), -EBADMSG);
	}

	/* Unknown ids: a newer producer, not a malformed record. */
	build_openat();
	hdr()->type = 6;
	CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), -ENOMSG);
	hdr()->type = OSP_EVT_UNKNOWN;
	CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), -ENOMSG);
	hdr()->type = OSP_EVT_COUNT;
	CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), -ENOMSG);
	hdr()->type = UINT16_MAX;
	CHECK_INT_EQ(event_decode(rec, (size_t)len, &ev), -ENOMSG);

	/* Eight or more bytes after the last parameter are garbage, not padding. */
	build_openat();
	memset(rec + len, 0, 8);
	hdr()->len = (uint32_t)len + 8;
	CHECK_INT_EQ(event_decode(rec, (size_t)len + 8, &ev), -EBADMSG);
}

/* Every byte of a good record, set to values that matter: no crash, and what decodes is sane. */
static void test_mutations(void)
{
	static const uint8_t values[] = {0x00, 0x01, 0x07, 0x08, 0x7f, 0x80, 0xfe, 0xff};
	struct event ev;
	int len = build_openat();
	unsigned ok = 0;

	for (int pos = 0; pos < len; pos++)
		for (size_t v = 0; v < sizeof(values); v++) {
			build_openat();
			rec[pos] = values[v];
			if (event_decode(rec, (size_t)len, &ev) != 0)
				continue;
			ok++;
			CHECK(ev.hdr->len <= (uint32_t)len && ev.hdr->len % 8 == 0);
			CHECK(ev.nparams <= ev.info->nparams);
			for (unsigned i = 0; i < ev.nparams; i++) {
				if (!ev.val[i])
					continue;
				CHECK(ev.val[i] >= rec + 24 &&
				      ev.val[i] + ev.len[i] <= rec + ev.hdr->len);
				if (event_get_str(&ev, i))
					CHECK(memchr(ev.val[i], '\0', ev.len[i]) != NULL);
			}
		}
	CHECK(ok > 0);
}

int main(void)
{
	test_good();
	test_absent_truncated_versions();
	test_malformed();
	test_mutations();
	return test_finish("test-event");
}
