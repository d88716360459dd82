// SPDX-License-Identifier: Apache-2.0
/* The record builder: layout, padding, bounds and errors. */
#include <errno.h>
#include <string.h>

#include "event.h"
#include "record.h"
#include "test.h"

static uint8_t buf[OSP_EVENT_MAX_LEN + 64] __attribute__((aligned(8)));
static uint8_t src[OSP_EVENT_MAX_LEN]; /* values to copy from */

static void test_layout(void)
{
	struct record_builder b;
	struct osp_event_hdr h;
	uint16_t l;
	int len;

	memset(buf, 0xaa, sizeof(buf));
	record_begin(&b, buf, sizeof(buf), OSP_EVT_KILL, 77, 5, 4, 3);
	record_add_s64(&b, 0);
	record_add_s64(&b, 1234);
	record_add_u32(&b, 9);
	len = record_end(&b);
	CHECK_INT_EQ(len, 24 + 6 + 8 + 8 + 4 + 6);
	memcpy(&h, buf, sizeof(h));
	CHECK(h.ts_ns == 77);
	CHECK_INT_EQ(h.tid, 5);
	CHECK_INT_EQ(h.pid, 4);
	CHECK_INT_EQ(h.len, len);
	CHECK_INT_EQ(h.type, OSP_EVT_KILL);
	CHECK_INT_EQ(h.nparams, 3);
	memcpy(&l, buf + 24, 2);
	CHECK_INT_EQ(l, 8);
	memcpy(&l, buf + 28, 2);
	CHECK_INT_EQ(l, 4);
	/* Padding is zeroed, and nothing past the record is touched. */
	for (int i = 24 + 6 + 20; i < len; i++)
		CHECK_INT_EQ(buf[i], 0);
	CHECK_INT_EQ(buf[len], 0xaa);

	/* A record with no parameter is a bare header. */
	record_begin(&b, buf, sizeof(buf), OSP_EVT_FORK, 1, 1, 1, 0);
	CHECK_INT_EQ(record_end(&b), 24);
}

static void test_strings_and_bytes(void)
{
	struct record_builder b;
	struct event ev;
	char big[OSP_STR_MAX + 100];
	int len;

	memset(big, 'p', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	record_begin(&b, buf, sizeof(buf), OSP_EVT_EXECVE, 1, 1, 1, 3);
	record_add_s64(&b, -2);
	record_add_str(&b, big, OSP_STR_MAX * 2); /* bounded by OSP_STR_MAX anyway */
	record_add_bytes(&b, "a\0b\0c", 6, 4);
	len = record_end(&b);
	CHECK(len > 0);
	CHECK_INT_EQ(event_decode(buf, (size_t)len, &ev), 0);
	CHECK_INT_EQ(ev.len[1], OSP_STR_MAX);
	CHECK_INT_EQ(strlen(event_get_str(&ev, 1)), OSP_STR_MAX - 1);
	CHECK(event_param_truncated(&ev, 1));
	CHECK_INT_EQ(ev.len[2], 4);
	CHECK(event_param_truncated(&ev, 2));
	CHECK(!event_param_truncated(&ev, 0));

	/* NULL and a zero bound are empty values; a short string is stored whole, NUL and all. */
	record_begin(&b, buf, sizeof(buf), OSP_EVT_EXECVE, 1, 1, 1, 3);
	record_add_s64(&b, 0);
	record_add_str(&b, NULL, 10);
	record_add_str(&b, "x", 0);
	len = record_end(&b);
	CHECK_INT_EQ(event_decode(buf, (size_t)len, &ev), 0);
	CHECK(ev.val[1] == NULL && ev.val[2] == NULL);

	record_begin(&b, buf, sizeof(buf), OSP_EVT_UNLINK, 1, 1, 1, 2);
	record_add_s64(&b, 0);
	record_add_str(&b, "/tmp/f", 7); /* exactly fits with its NUL */
	len = record_end(&b);
	CHECK_INT_EQ(event_decode(buf, (size_t)len, &ev), 0);
	CHECK_STR_EQ(event_get_str(&ev, 1), "/tmp/f");
	CHECK(!event_param_truncated(&ev, 1));
	record_begin(&b, buf, sizeof(buf), OSP_EVT_UNLINK, 1, 1, 1, 2);
	record_add_s64(&b, 0);
	record_add_str(&b, "/tmp/f", 6); /* one short: cut and flagged */
	len = record_end(&b);
	CHECK_INT_EQ(event_decode(buf, (size_t)len, &ev), 0);
	CHECK_STR_EQ(event_get_str(&ev, 1), "/tmp/");
	CHECK(event_param_truncated(&ev, 1));
}

static void test_errors(void)
{
	struct record_builder b;
	uint8_t small[40];

	/* More parameters than declared. */
	record_begin(&b, buf, sizeof(buf), OSP_EVT_CLOSE, 1, 1, 1, 1);
	record_add_s64(&b, 0);
	record_add_s64(&b, 3);
	CHECK_INT_EQ(record_end(&b), -E2BIG);

	/* Fewer. */
	record_begin(&b, buf, sizeof(buf), OSP_EVT_CLOSE, 1, 1, 1, 2);
	record_add_s64(&b, 0);
	CHECK_INT_EQ(record_end(&b), -EINVAL);

	/* Too many for the schema's bound. */
	record_begin(&b, buf, sizeof(buf), OSP_EVT_CLOSE, 1, 1, 1, OSP_MAX_PARAMS + 1);
	CHECK_INT_EQ(record_end(&b), -ENOBUFS);

	/* A buffer too small for the header, for a value, for the padding. */
	record_begin(&b, small, 20, OSP_EVT_CLOSE, 1, 1, 1, 2);
	CHECK_INT_EQ(record_end(&b), -ENOBUFS);
	record_begin(&b, small, sizeof(small), OSP_EVT_CLOSE, 1, 1, 1, 2);
	record_add_s64(&b, 0);
	record_add_s64(&b, 3); /* 24 + 4 + 16 = 44 > 40 */
	CHECK_INT_EQ(record_end(&b), -ENOBUFS);
	record_begin(&b, small, 34, OSP_EVT_CLOSE, 1, 1, 1, 1);
	record_add_s64(&b, 0); /* 24 + 2 + 8 = 34, padded 40 > 34 */
	CHECK_INT_EQ(record_end(&b), -ENOBUFS);

	/* The first error sticks. */
	record_begin(&b, small, sizeof(small), OSP_EVT_UNLINK, 1, 1, 1, 2);
	record_add_bytes(&b, src, 100, 100);
	record_add_s64(&b, 0);
	CHECK_INT_EQ(record_end(&b), -ENOBUFS);

	/* A capacity over the record bound is clamped to it. */
	record_begin(&b, buf, sizeof(buf), OSP_EVT_EXECVE, 1, 1, 1, 3);
	CHECK_INT_EQ(b.cap, OSP_EVENT_MAX_LEN);
	record_add_s64(&b, 0);
	record_add_bytes(&b, src, OSP_EVENT_MAX_LEN, OSP_EVENT_MAX_LEN); /* one value: 0x7fff max */
	CHECK_INT_EQ(b.pos, 24 + 6 + 8 + OSP_PARAM_LEN_MASK);
	record_add_bytes(&b, src, OSP_PARAM_LEN_MASK, OSP_PARAM_LEN_MASK);
	CHECK_INT_EQ(record_end(&b), -ENOBUFS);
}

int main(void)
{
	test_layout();
	test_strings_and_bytes();
	test_errors();
	return test_finish("test-record");
}
