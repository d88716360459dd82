// SPDX-License-Identifier: Apache-2.0
/*
 * The consumer side of the kernel module's rings (runtime/capture/kmod_ring.c)
 * over memory laid out as the module maps it: a control page, and the data
 * area mapped twice back to back (here a memfd mapped twice). The test plays
 * the producer exactly as driver/kmod/ring.c does: copy the record at
 * head & (size - 1), then publish head with a release store.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "event.h"
#include "kmod_ring.h"
#include "record.h"
#include "test.h"

struct fake_ring {
	struct osp_kmod_ctrl *ctrl;
	uint8_t *data; /* 2 * size, the second copy aliasing the first */
	uint64_t size;
	uint64_t drops;
};

static int fake_ring_map(struct fake_ring *f, uint64_t size)
{
	void *base, *a, *b;
	int fd;

	fd = memfd_create("kmod-ring", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
		return -errno;
	base = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	a = mmap(base, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	b = mmap((uint8_t *)base + size, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		 0);
	close(fd);
	if (a == MAP_FAILED || b == MAP_FAILED)
		return -errno;
	f->ctrl = mmap(NULL, OSP_KMOD_CTRL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	if (f->ctrl == MAP_FAILED)
		return -errno;
	f->data = base;
	f->size = size;
	f->drops = 0;
	f->ctrl->magic = OSP_KMOD_CTRL_MAGIC;
	f->ctrl->api_version = OSP_API_VERSION;
	f->ctrl->schema_version = OSP_SCHEMA_VERSION;
	f->ctrl->data_size = size;
	return 0;
}

static void fake_ring_unmap(struct fake_ring *f)
{
	munmap(f->data, 2 * f->size);
	munmap(f->ctrl, OSP_KMOD_CTRL_SIZE);
}

/* The producer of driver/kmod/ring.c: osp_ring_commit(). */
static void fake_ring_commit(struct fake_ring *f, const void *rec, uint32_t len)
{
	uint64_t head = f->ctrl->head;
	uint64_t tail = __atomic_load_n(&f->ctrl->tail, __ATOMIC_ACQUIRE);
	uint64_t used = head - tail;

	if (used > f->size || len > f->size - used) {
		f->drops++;
		return;
	}
	memcpy(f->data + (head & (f->size - 1)), rec, len);
	__atomic_store_n(&f->ctrl->head, head + len, __ATOMIC_RELEASE);
}

/* A close(fd) event at ts whose fd parameter carries seq, padded with a name of pad bytes. */
static int make_record(uint8_t *buf, size_t cap, uint64_t ts, int64_t seq)
{
	struct record_builder b;

	record_begin(&b, buf, cap, OSP_EVT_CLOSE, ts, 100, 100, 2);
	record_add_s64(&b, 0);
	record_add_s64(&b, seq);
	return record_end(&b);
}

/* An unlink(path) event with a path of n characters: a large record. */
static int make_big_record(uint8_t *buf, size_t cap, uint64_t ts, size_t n, char fill)
{
	struct record_builder b;
	char path[4096];

	memset(path, fill, n);
	path[n] = '\0';
	record_begin(&b, buf, cap, OSP_EVT_UNLINK, ts, 7, 7, 2);
	record_add_s64(&b, 0);
	record_add_str(&b, path, sizeof(path));
	return record_end(&b);
}

static void push(struct fake_ring *f, uint64_t ts, int64_t seq)
{
	uint8_t buf[256];
	int len = make_record(buf, sizeof(buf), ts, seq);

	CHECK(len > 0);
	fake_ring_commit(f, buf, (uint32_t)len);
}

static void test_init(void)
{
	struct fake_ring f;
	struct kmod_ring r;

	CHECK_INT_EQ(fake_ring_map(&f, 8192), 0);
	CHECK_INT_EQ(kmod_ring_init(&r, f.ctrl, f.data, 8192), 0);
	CHECK_INT_EQ(kmod_ring_init(&r, f.ctrl, f.data, 4096), -EINVAL);  /* size mismatch */
	CHECK_INT_EQ(kmod_ring_init(&r, f.ctrl, f.data, 12288), -EINVAL); /* not a power of 2 */
	f.ctrl->magic = 0;
	CHECK_INT_EQ(kmod_ring_init(&r, f.ctrl, f.data, 8192), -EINVAL);
	fake_ring_unmap(&f);
}

/* Three rings with interleaved timestamps come out in timestamp order, each exactly once. */
static void test_merge_order(void)
{
	struct fake_ring f[3];
	struct kmod_ring rings[3];
	struct kmod_merge m;
	uint64_t malformed = 0, last_ts = 0;
	const void *buf;
	size_t size;
	int n = 0;

	for (int i = 0; i < 3; i++) {
		CHECK_INT_EQ(fake_ring_map(&f[i], 65536), 0);
		CHECK_INT_EQ(kmod_ring_init(&rings[i], f[i].ctrl, f[i].data, 65536), 0);
	}
	/* ring i gets ts = 3k + i, except ring 2 which is late by one slot at the start */
	for (int k = 0; k < 50; k++) {
		push(&f[0], 3 * k + 10, 3 * k + 10);
		push(&f[1], 3 * k + 11, 3 * k + 11);
		push(&f[2], 3 * k + 9, 3 * k + 9);
	}
	kmod_merge_init(&m, rings, 3);
	CHECK(kmod_merge_has_data(&m));
	while (kmod_merge_next(&m, &buf, &size, &malformed) == 0) {
		struct event ev;
		int64_t seq = 0;

		CHECK_INT_EQ(event_decode(buf, size, &ev), 0);
		CHECK(ev.hdr->ts_ns > last_ts);
		CHECK(event_get_s64(&ev, 1, &seq));
		CHECK_INT_EQ(seq, (int64_t)ev.hdr->ts_ns);
		last_ts = ev.hdr->ts_ns;
		n++;
	}
	CHECK_INT_EQ(n, 150);
	CHECK_INT_EQ(malformed, 0);
	CHECK(!kmod_merge_has_data(&m));
	/* everything was given back: the producer sees empty rings */
	for (int i = 0; i < 3; i++) {
		CHECK_INT_EQ(f[i].ctrl->tail, f[i].ctrl->head);
		fake_ring_unmap(&f[i]);
	}
}

/* The record handed out stays unreleased (tail not published) until the next call. */
static void test_held_record(void)
{
	struct fake_ring f;
	struct kmod_ring r;
	struct kmod_merge m;
	uint64_t malformed = 0;
	const void *buf;
	size_t size;

	CHECK_INT_EQ(fake_ring_map(&f, 8192), 0);
	CHECK_INT_EQ(kmod_ring_init(&r, f.ctrl, f.data, 8192), 0);
	kmod_merge_init(&m, &r, 1);
	CHECK_INT_EQ(kmod_merge_next(&m, &buf, &size, &malformed), -EAGAIN);
	CHECK(!kmod_merge_has_data(&m));
	push(&f, 5, 1);
	CHECK(kmod_merge_has_data(&m));
	CHECK_INT_EQ(kmod_merge_next(&m, &buf, &size, &malformed), 0);
	CHECK_INT_EQ(f.ctrl->tail, 0);	 /* still in use */
	CHECK(!kmod_merge_has_data(&m)); /* nothing beyond the held one */
	push(&f, 6, 2);
	CHECK(kmod_merge_has_data(&m));
	CHECK_INT_EQ(kmod_merge_next(&m, &buf, &size, &malformed), 0);
	CHECK_INT_EQ(f.ctrl->tail, f.ctrl->head - size); /* the first one given back */
	CHECK_INT_EQ(kmod_merge_next(&m, &buf, &size, &malformed), -EAGAIN);
	CHECK_INT_EQ(f.ctrl->tail, f.ctrl->head);
	CHECK_INT_EQ(malformed, 0);
	fake_ring_unmap(&f);
}

/* Records that cross the end of the data area read back whole through the second mapping. */
static void test_wrap(void)
{
	static uint8_t rec[OSP_EVENT_MAX_LEN];
	struct fake_ring f;
	struct kmod_ring r;
	struct kmod_merge m;
	uint64_t malformed = 0;
	unsigned wrapped = 0, got = 0;
	const void *buf;
	size_t size;

	CHECK_INT_EQ(fake_ring_map(&f, 8192), 0);
	CHECK_INT_EQ(kmod_ring_init(&r, f.ctrl, f.data, 8192), 0);
	kmod_merge_init(&m, &r, 1);
	for (unsigned k = 0; k < 200; k++) {
		size_t n = 300 + (k * 37) % 1500;
		int len = make_big_record(rec, sizeof(rec), k + 1, n, (char)('a' + k % 26));
		uint64_t off = f.ctrl->head & (f.size - 1);
		struct event ev;
		const char *path;

		CHECK(len > 0);
		if (off + (uint64_t)len > f.size)
			wrapped++;
		fake_ring_commit(&f, rec, (uint32_t)len);
		CHECK_INT_EQ(kmod_merge_next(&m, &buf, &size, &malformed), 0);
		CHECK_INT_EQ(size, len);
		CHECK_INT_EQ(event_decode(buf, size, &ev), 0);
		path = event_get_str(&ev, 1);
		CHECK(path && strlen(path) == n && path[0] == (char)('a' + k % 26) &&
		      path[n - 1] == (char)('a' + k % 26));
		got++;
	}
	CHECK(wrapped > 10);
	CHECK_INT_EQ(got, 200);
	CHECK_INT_EQ(f.drops, 0);
	CHECK_INT_EQ(malformed, 0);
	fake_ring_unmap(&f);
}

/* A full ring drops on the producer side and the consumer still reads what fit. */
static void test_full(void)
{
	struct fake_ring f;
	struct kmod_ring r;
	struct kmod_merge m;
	uint64_t malformed = 0;
	const void *buf;
	size_t size;
	int n = 0;

	CHECK_INT_EQ(fake_ring_map(&f, 4096), 0);
	CHECK_INT_EQ(kmod_ring_init(&r, f.ctrl, f.data, 4096), 0);
	for (int k = 0; k < 200; k++)
		push(&f, (uint64_t)k + 1, k);
	CHECK(f.drops > 0);
	kmod_merge_init(&m, &r, 1);
	while (kmod_merge_next(&m, &buf, &size, &malformed) == 0)
		n++;
	CHECK_INT_EQ((uint64_t)n + f.drops, 200);
	CHECK_INT_EQ(malformed, 0);
	fake_ring_unmap(&f);
}

/* Writes a header with the given len at head and publishes head + publish bytes. */
static void push_raw(struct fake_ring *f, uint32_t len, uint64_t publish)
{
	struct osp_event_hdr h = {
		.ts_ns = 1, .tid = 1, .pid = 1, .len = len, .type = OSP_EVT_CLOSE, .nparams = 0};

	memcpy(f->data + (f->ctrl->head & (f->size - 1)), &h, sizeof(h));
	__atomic_store_n(&f->ctrl->head, f->ctrl->head + publish, __ATOMIC_RELEASE);
}

/* Bad framing is skipped up to head and counted once; good records after it still come. */
static void test_bad_framing(void)
{
	static const struct {
		uint32_t len;
		uint64_t publish;
		int good_first; /* the good record before it is still readable */
	} bad[] = {
		{28, 32, 1},			  /* not a multiple of 8 */
		{16, 16, 1},			  /* shorter than a header (avail too) */
		{8, 32, 1},			  /* shorter than a header */
		{64, 32, 1},			  /* runs past head */
		{OSP_EVENT_MAX_LEN + 8, 4096, 1}, /* over the record bound */
		{32, 16384, 0},			  /* head more than a buffer ahead: all lost */
	};
	uint64_t malformed = 0;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fake_ring f;
		struct kmod_ring r;
		struct kmod_merge m;
		const void *buf;
		size_t size;
		int64_t seq = 0;
		struct event ev;

		CHECK_INT_EQ(fake_ring_map(&f, 8192), 0);
		CHECK_INT_EQ(kmod_ring_init(&r, f.ctrl, f.data, 8192), 0);
		kmod_merge_init(&m, &r, 1);
		push(&f, 1, 1);
		push_raw(&f, bad[i].len, bad[i].publish);
		malformed = 0;
		if (bad[i].good_first) {
			CHECK_INT_EQ(kmod_merge_next(&m, &buf, &size, &malformed), 0);
			CHECK_INT_EQ(malformed, 0);
		}
		CHECK_INT_EQ(kmod_merge_next(&m, &buf, &size, &malformed), -EAGAIN);
		CHECK_INT_EQ(malformed, 1);
		CHECK_INT_EQ(f.ctrl->tail, f.ctrl->head); /* skipped to head */
		push(&f, 2, 42);
		CHECK_INT_EQ(kmod_merge_next(&m, &buf, &size, &malformed), 0);
		CHECK_INT_EQ(event_decode(buf, size, &ev), 0);
		CHECK(event_get_s64(&ev, 1, &seq) && seq == 42);
		CHECK_INT_EQ(malformed, 1);
		fake_ring_unmap(&f);
	}

	/* A tail ahead of head (a confused consumer or producer) is skipped too. */
	{
		struct fake_ring f;
		struct kmod_ring r;
		struct kmod_merge m;
		const void *buf;
		size_t size;

		CHECK_INT_EQ(fake_ring_map(&f, 8192), 0);
		f.ctrl->head = 64;
		f.ctrl->tail = 128;
		CHECK_INT_EQ(kmod_ring_init(&r, f.ctrl, f.data, 8192), 0);
		kmod_merge_init(&m, &r, 1);
		malformed = 0;
		CHECK_INT_EQ(kmod_merge_next(&m, &buf, &size, &malformed), -EAGAIN);
		CHECK_INT_EQ(malformed, 1);
		CHECK_INT_EQ(f.ctrl->tail, 64);
		fake_ring_unmap(&f);
	}
}

int main(void)
{
	test_init();
	test_merge_order();
	test_held_record();
	test_wrap();
	test_full();
	test_bad_framing();
	return test_finish("test-kmod-ring");
}
