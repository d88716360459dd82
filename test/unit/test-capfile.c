// SPDX-License-Identifier: Apache-2.0
/*
 * Capture files: round trip, and every kind of damage (truncation at every length, every single
 * byte flipped, crafted lengths, newer versions) is reported with the right offset after the
 * records before it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "capfile.h"
#include "config.h"
#include "macro.h"
#include "record.h"
#include "source.h"
#include "test.h"

static char tmpdir[] = "/tmp/test-capfile-XXXXXX";
static char path[256];

/* Record i of the test stream: an openat with a name of varying length. */
static int make_record(unsigned i, uint8_t *buf, size_t cap)
{
	struct record_builder b;
	char name[400];
	unsigned n = (i * 37) % 300;

	for (unsigned k = 0; k < n; k++)
		name[k] = (char)('a' + (i + k) % 26);
	name[n] = '\0';
	record_begin(&b, buf, cap, OSP_EVT_OPENAT, 1000000ull * i, 1000 + i % 50, 1000, 5);
	record_add_s64(&b, (int64_t)i % 7 - 3);
	record_add_s64(&b, -100);
	record_add_str(&b, name, OSP_STR_MAX);
	record_add_u32(&b, i);
	record_add_u32(&b, 0644);
	return record_end(&b);
}

static void machine_fill(struct capture_machine *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->hostname, sizeof(m->hostname), "node-7.example");
	snprintf(m->kernel_release, sizeof(m->kernel_release), "6.18.0-osprey");
	snprintf(m->kernel_version, sizeof(m->kernel_version), "#1 SMP PREEMPT_DYNAMIC");
	snprintf(m->arch, sizeof(m->arch), "x86_64");
	m->boot_time_ns = 1763000000123456789ull;
	m->api_version = OSP_API_VERSION;
	m->schema_version = OSP_SCHEMA_VERSION;
	m->ncpus = 96;
}

/* Writes n records, a block every flush_every records (0: only when full). */
static void write_file(unsigned n, unsigned flush_every)
{
	struct capture_machine m;
	struct capfile_writer *w = NULL;
	uint8_t buf[OSP_EVENT_MAX_LEN];

	machine_fill(&m);
	CHECK_INT_EQ(capfile_writer_open(path, &m, &w), 0);
	if (!w)
		exit(EXIT_FAILURE);
	for (unsigned i = 0; i < n; i++) {
		int len = make_record(i, buf, sizeof(buf));

		CHECK(len > 0);
		CHECK_INT_EQ(capfile_writer_add(w, buf, (size_t)len), 0);
		if (flush_every && (i + 1) % flush_every == 0)
			CHECK_INT_EQ(capfile_writer_flush(w), 0);
	}
	CHECK_INT_EQ(capfile_writer_events(w), n);
	CHECK_INT_EQ(capfile_writer_close(w), 0);
}

static uint8_t *slurp(size_t *ret_size)
{
	struct stat st;
	uint8_t *data;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		exit(EXIT_FAILURE);
	data = malloc((size_t)st.st_size + 1);
	if (!data || read(fd, data, (size_t)st.st_size) != st.st_size)
		exit(EXIT_FAILURE);
	close(fd);
	*ret_size = (size_t)st.st_size;
	return data;
}

/*
 * Reads everything; returns the number of records that matched the stream in order (a record
 * that does not match fails the test) and the final return code in *ret_end.
 */
static unsigned read_all(struct capfile_reader *r, int *ret_end)
{
	uint8_t expect[OSP_EVENT_MAX_LEN];
	const void *buf;
	size_t size;
	unsigned i = 0;
	int k;

	while ((k = capfile_reader_next(r, &buf, &size)) == 0) {
		int len = make_record(i, expect, sizeof(expect));

		CHECK(((uintptr_t)buf & 7) == 0);
		if ((size_t)len != size || memcmp(buf, expect, size) != 0) {
			CHECK(!"record differs from what was written");
			break;
		}
		i++;
	}
	*ret_end = k;
	return i;
}

static void test_round_trip(void)
{
	struct capfile_reader *r = NULL;
	const struct capture_machine *m;
	struct capture_machine want;
	char err[CAPFILE_ERROR_MAX];
	const unsigned n = 6000; /* about 1.2 MB: several full blocks */
	int end;

	write_file(n, 0);
	CHECK_INT_EQ(capfile_reader_open(path, &r, err, sizeof(err)), 0);
	if (!r)
		return;
	machine_fill(&want);
	m = capfile_reader_machine(r);
	CHECK_STR_EQ(m->hostname, want.hostname);
	CHECK_STR_EQ(m->kernel_release, want.kernel_release);
	CHECK_STR_EQ(m->kernel_version, want.kernel_version);
	CHECK_STR_EQ(m->arch, want.arch);
	CHECK(m->boot_time_ns == want.boot_time_ns);
	CHECK_INT_EQ(m->api_version, want.api_version);
	CHECK_INT_EQ(m->schema_version, want.schema_version);
	CHECK_INT_EQ(m->ncpus, 96);
	CHECK_STR_EQ(capfile_reader_osprey_version(r), OSPREY_VERSION);
	CHECK_INT_EQ(capfile_reader_version(r),
		     CAPFILE_VERSION_MAJOR << 16 | CAPFILE_VERSION_MINOR);
	CHECK_INT_EQ(read_all(r, &end), n);
	CHECK_INT_EQ(end, -ENODATA);
	CHECK(capfile_reader_error(r) == NULL);
	CHECK_INT_EQ(capfile_reader_events(r), n);
	/* The end stays the end. */
	CHECK_INT_EQ(capfile_reader_next(r, &(const void *){NULL}, &(size_t){0}), -ENODATA);
	capfile_reader_free(r);

	/* The file is private: events carry command lines and environments. */
	struct stat st;
	CHECK_INT_EQ(stat(path, &st), 0);
	CHECK_INT_EQ(st.st_mode & 0777, 0600);
}

static void test_source_file(void)
{
	struct capture_opts opts = {.source = CAPTURE_SOURCE_FILE, .path = path};
	struct capture_stats st = {0};
	struct source *s = NULL;
	const char *why = NULL;
	const void *buf;
	size_t size;
	uint64_t malformed = 0;
	uint8_t interest[OSP_EVT_COUNT] = {0};
	unsigned n = 0;
	int k;

	write_file(300, 100);
	CHECK_INT_EQ(source_file_ops.open(&opts, &s, &why), 0);
	if (!s)
		return;
	CHECK_STR_EQ(source_file_ops.get_machine(s)->hostname, "node-7.example");
	CHECK(source_file_ops.wait(s, 100) > 0);
	while ((k = source_file_ops.next(s, &buf, &size, &malformed)) == 0)
		n++;
	CHECK_INT_EQ(k, -ENODATA);
	CHECK_INT_EQ(n, 300);
	CHECK(source_file_ops.get_error(s) == NULL);
	CHECK_INT_EQ(source_file_ops.get_stats(s, &st), 0);
	CHECK_INT_EQ(st.produced, 300);
	source_file_ops.close(s);

	/* An interest set without openat filters everything out. */
	opts.interest = interest;
	s = NULL;
	CHECK_INT_EQ(source_file_ops.open(&opts, &s, &why), 0);
	if (!s)
		return;
	CHECK_INT_EQ(source_file_ops.next(s, &buf, &size, &malformed), -ENODATA);
	source_file_ops.close(s);

	opts.path = "/nonexistent/capture.osp";
	CHECK(source_file_ops.open(&opts, &s, &why) == -ENOENT);
	CHECK(why && strstr(why, "/nonexistent/capture.osp"));
}

/* Offsets of the blocks of a well-formed file (header excluded), and the records in each. */
struct layout {
	size_t n;
	size_t start[64];
	size_t end[64];
	uint32_t type[64];
	uint32_t count[64];
};

static void layout_of(const uint8_t *d, size_t size, struct layout *l)
{
	size_t off = CAPFILE_HEADER_LEN;

	l->n = 0;
	while (off < size && l->n < 64) {
		uint32_t type, len, count;

		memcpy(&type, d + off, 4);
		memcpy(&len, d + off + 4, 4);
		memcpy(&count, d + off + 8, 4);
		l->start[l->n] = off;
		l->type[l->n] = type;
		l->count[l->n] = count;
		off += CAPFILE_BLOCK_HDR_LEN + OSP_ALIGN8(len);
		l->end[l->n] = off;
		l->n++;
	}
	CHECK_INT_EQ(off, size);
}

static void test_truncation(void)
{
	struct layout l;
	size_t size;
	uint8_t *data;

	write_file(40, 7); /* 6 full blocks of 7 and one of 5 */
	data = slurp(&size);
	layout_of(data, size, &l);
	CHECK_INT_EQ(l.n, 1 + 6 + 1);
	CHECK_INT_EQ(l.type[0], CAPFILE_BLOCK_MACHINE);
	CHECK_INT_EQ(l.type[l.n - 1], CAPFILE_BLOCK_END);

	for (size_t len = 0; len < size; len++) {
		struct capfile_reader *r = NULL;
		char err[CAPFILE_ERROR_MAX], want[128];
		unsigned good = 0;
		size_t bad = 0;
		int k, end;

		/* The first block not wholly present is where the damage is; the ones before count.
		 */
		for (size_t b = 0; b < l.n; b++) {
			if (l.end[b] > len) {
				bad = l.start[b];
				break;
			}
			good += l.count[b];
		}
		if (len < CAPFILE_HEADER_LEN)
			bad = 0;
		snprintf(want, sizeof(want), "is truncated at offset %zu: ", bad);

		k = capfile_reader_open_memory(data, len, "t.osp", &r, err, sizeof(err));
		if (len < l.end[0]) {
			CHECK_INT_EQ(k, -EBADMSG);
			CHECK(strstr(err, want) != NULL);
			if (!strstr(err, want))
				fprintf(stderr, "len %zu: %s (want '%s')\n", len, err, want);
			continue;
		}
		CHECK_INT_EQ(k, 0);
		if (k < 0)
			continue;
		CHECK_INT_EQ(read_all(r, &end), good);
		CHECK_INT_EQ(end, -EBADMSG);
		CHECK(capfile_reader_error(r) && strstr(capfile_reader_error(r), want));
		if (!capfile_reader_error(r) || !strstr(capfile_reader_error(r), want))
			fprintf(stderr, "len %zu: %s (want '%s')\n", len, capfile_reader_error(r),
				want);
		CHECK(strstr(capfile_reader_error(r), "'t.osp'") != NULL);
		capfile_reader_free(r);
	}
	free(data);
}

static void test_flipped_bytes(void)
{
	struct layout l;
	size_t size;
	uint8_t *data;

	write_file(12, 5);
	data = slurp(&size);
	layout_of(data, size, &l);

	/* Every byte, three kinds of flips: never a clean end, never a wrong record. */
	for (size_t pos = 0; pos < size; pos++) {
		static const uint8_t masks[] = {0x01, 0x80, 0xff};

		for (size_t m = 0; m < ARRAY_SIZE(masks); m++) {
			struct capfile_reader *r = NULL;
			char err[CAPFILE_ERROR_MAX];
			unsigned good = 0;
			int k, end = 0;

			for (size_t b = 0; b < l.n && l.end[b] <= pos; b++)
				good += l.count[b];

			data[pos] ^= masks[m];
			k = capfile_reader_open_memory(data, size, "f.osp", &r, err, sizeof(err));
			if (k == 0) {
				unsigned got = read_all(r, &end);

				/* Records before the damaged block all come out. */
				CHECK(got >= good || pos < l.end[0]);
				CHECK(end != -ENODATA && end != 0);
				if (end == -ENODATA)
					fprintf(stderr, "flip 0x%02x at %zu went unnoticed\n",
						masks[m], pos);
				CHECK(capfile_reader_error(r) != NULL);
				capfile_reader_free(r);
			} else {
				CHECK(k == -EBADMSG || k == -EPROTONOSUPPORT);
				CHECK(pos < l.end[0]);
				CHECK(strstr(err, "f.osp") != NULL);
			}
			data[pos] ^= masks[m];
		}
	}
	free(data);
}

/* Rewrites the checksum of the block at off after a deliberate change. */
static void reseal_block(uint8_t *d, size_t off)
{
	uint32_t len, crc;

	/* The format's rule, written out again: XXH3-64 of the payload seeded with XXH3-64 of the
	 * block header's first 12 bytes, low 32 bits. */
	memcpy(&len, d + off + 4, 4);
	crc = (uint32_t)XXH3_64bits_withSeed(d + off + 16, len, XXH3_64bits(d + off, 12));
	memcpy(d + off + 12, &crc, 4);
}

static void reseal_header(uint8_t *d)
{
	uint32_t crc = (uint32_t)XXH3_64bits_withSeed("", 0, XXH3_64bits(d, 28));

	memcpy(d + 28, &crc, 4);
}

static int open_mem(const uint8_t *d, size_t size, struct capfile_reader **r, char *err)
{
	*r = NULL;
	return capfile_reader_open_memory(d, size, "c.osp", r, err, CAPFILE_ERROR_MAX);
}

static void test_crafted(void)
{
	struct capfile_reader *r;
	char err[CAPFILE_ERROR_MAX], want[160];
	struct layout l;
	size_t size;
	uint8_t *data, *copy;
	uint16_t u16;
	uint32_t u32;
	int end;

	write_file(10, 4); /* blocks of 4, 4, 2 */
	data = slurp(&size);
	layout_of(data, size, &l);
	copy = malloc(size + 64);
	if (!copy)
		exit(EXIT_FAILURE);

	/* Not a capture file at all. */
	memcpy(copy, data, size);
	memcpy(copy, "PCAPNG\0\0", 8);
	CHECK_INT_EQ(open_mem(copy, size, &r, err), -EBADMSG);
	CHECK(strstr(err, "'c.osp' is not an Osprey capture file") != NULL);

	/* A newer major version is refused with both versions named. */
	memcpy(copy, data, size);
	u16 = CAPFILE_VERSION_MAJOR + 1;
	memcpy(copy + 8, &u16, 2);
	reseal_header(copy);
	CHECK_INT_EQ(open_mem(copy, size, &r, err), -EPROTONOSUPPORT);
	CHECK(strstr(err, "format version 2.0") != NULL);
	CHECK(strstr(err, "newer osprey") != NULL);

	/* A newer minor version is read. */
	memcpy(copy, data, size);
	u16 = CAPFILE_VERSION_MINOR + 3;
	memcpy(copy + 10, &u16, 2);
	reseal_header(copy);
	CHECK_INT_EQ(open_mem(copy, size, &r, err), 0);
	CHECK_INT_EQ(read_all(r, &end), 10);
	CHECK_INT_EQ(end, -ENODATA);
	capfile_reader_free(r);

	/* The other byte order. */
	memcpy(copy, data, size);
	u32 = __builtin_bswap32(CAPFILE_BYTE_ORDER);
	memcpy(copy + 16, &u32, 4);
	CHECK_INT_EQ(open_mem(copy, size, &r, err), -EPROTONOSUPPORT);
	CHECK(strstr(err, "byte order") != NULL);

	/* An absurd block length, checksum and all. */
	memcpy(copy, data, size);
	u32 = 0xfffffff0u;
	memcpy(copy + l.start[1] + 4, &u32, 4);
	CHECK_INT_EQ(open_mem(copy, size, &r, err), 0);
	CHECK_INT_EQ(read_all(r, &end), 0);
	CHECK_INT_EQ(end, -EBADMSG);
	snprintf(want, sizeof(want), "corrupted at offset %zu: block length 4294967280 exceeds",
		 l.start[1]);
	CHECK(strstr(capfile_reader_error(r), want) != NULL);
	capfile_reader_free(r);

	/* A record that overruns its block, with a valid checksum: the records before it come out.
	 */
	{
		size_t rec = l.start[2] + CAPFILE_BLOCK_HDR_LEN, second;
		uint32_t len0, bad;

		memcpy(copy, data, size);
		memcpy(&len0, copy + rec + 16, 4);
		second = rec + len0;
		bad = 8u << 10;
		memcpy(copy + second + 16, &bad, 4);
		reseal_block(copy, l.start[2]);
		CHECK_INT_EQ(open_mem(copy, size, &r, err), 0);
		CHECK_INT_EQ(read_all(r, &end), 4 + 1);
		CHECK_INT_EQ(end, -EBADMSG);
		snprintf(want, sizeof(want),
			 "corrupted at offset %zu: record of 8192 bytes overruns", second);
		CHECK(strstr(capfile_reader_error(r), want) != NULL);
		capfile_reader_free(r);

		/* A record length that is not a multiple of 8. */
		memcpy(copy, data, size);
		bad = len0 - 3;
		memcpy(copy + rec + 16, &bad, 4);
		reseal_block(copy, l.start[2]);
		CHECK_INT_EQ(open_mem(copy, size, &r, err), 0);
		CHECK_INT_EQ(read_all(r, &end), 4);
		snprintf(want, sizeof(want), "corrupted at offset %zu: bad record length", rec);
		CHECK(strstr(capfile_reader_error(r), want) != NULL);
		capfile_reader_free(r);

		/* A count that disagrees with the records. */
		memcpy(copy, data, size);
		u32 = 3;
		memcpy(copy + l.start[2] + 8, &u32, 4);
		reseal_block(copy, l.start[2]);
		CHECK_INT_EQ(open_mem(copy, size, &r, err), 0);
		CHECK_INT_EQ(read_all(r, &end), 4 + 3);
		CHECK(strstr(capfile_reader_error(r), "more records than its count 3") != NULL);
		capfile_reader_free(r);
	}

	/* Data after the end block. */
	memcpy(copy, data, size);
	memset(copy + size, 0, 8);
	CHECK_INT_EQ(open_mem(copy, size + 8, &r, err), 0);
	CHECK_INT_EQ(read_all(r, &end), 10);
	CHECK_INT_EQ(end, -EBADMSG);
	snprintf(want, sizeof(want), "corrupted at offset %zu: data after the end block", size);
	CHECK(strstr(capfile_reader_error(r), want) != NULL);
	capfile_reader_free(r);

	/* An unknown block type (a newer minor's) is skipped. */
	{
		size_t endb = l.start[l.n - 1];
		uint32_t hdr[4] = {99, 8, 0, 0};

		memcpy(copy, data, endb);
		memcpy(copy + endb, hdr, 16);
		memset(copy + endb + 16, 0x5a, 8);
		reseal_block(copy, endb);
		memcpy(copy + endb + 24, data + endb, size - endb);
		CHECK_INT_EQ(open_mem(copy, size + 24, &r, err), 0);
		CHECK_INT_EQ(read_all(r, &end), 10);
		CHECK_INT_EQ(end, -ENODATA);
		capfile_reader_free(r);
	}

	/* End block counts that disagree with the file. */
	{
		size_t endb = l.start[l.n - 1];
		uint64_t events = 11;

		memcpy(copy, data, size);
		memcpy(copy + endb + 16, &events, 8);
		reseal_block(copy, endb);
		CHECK_INT_EQ(open_mem(copy, size, &r, err), 0);
		CHECK_INT_EQ(read_all(r, &end), 10);
		CHECK_INT_EQ(end, -EBADMSG);
		CHECK(strstr(capfile_reader_error(r), "end block counts 11 events") != NULL);
		capfile_reader_free(r);
	}

	/* A machine field longer than its destination. */
	{
		size_t mb = l.start[0] + CAPFILE_BLOCK_HDR_LEN;

		memcpy(copy, data, size);
		u16 = 300;
		memcpy(copy + mb + 2, &u16, 2); /* hostname claims 300 bytes */
		reseal_block(copy, l.start[0]);
		CHECK_INT_EQ(open_mem(copy, size, &r, err), -EBADMSG);
		snprintf(want, sizeof(want), "corrupted at offset %zu: machine field", mb);
		CHECK(strstr(err, want) != NULL);
	}

	free(copy);
	free(data);
}

static void test_writer_rejects(void)
{
	struct capture_machine m;
	struct capfile_writer *w = NULL;
	uint8_t buf[256];
	int len;

	machine_fill(&m);
	CHECK_INT_EQ(capfile_writer_open(path, &m, &w), 0);
	if (!w)
		return;
	len = make_record(3, buf, sizeof(buf));
	CHECK(len > 0);
	/* hdr.len disagrees, below a header, not 8-aligned. */
	CHECK_INT_EQ(capfile_writer_add(w, buf, (size_t)len - 8), -EINVAL);
	CHECK_INT_EQ(capfile_writer_add(w, buf, 20), -EINVAL);
	CHECK_INT_EQ(capfile_writer_add(w, buf, (size_t)len + 1), -EINVAL);
	CHECK_INT_EQ(capfile_writer_events(w), 0);
	CHECK_INT_EQ(capfile_writer_close(w), 0);

	/* An empty capture reads as an empty capture. */
	{
		struct capfile_reader *r = NULL;
		char err[CAPFILE_ERROR_MAX];
		int end;

		CHECK_INT_EQ(capfile_reader_open(path, &r, err, sizeof(err)), 0);
		if (r) {
			CHECK_INT_EQ(read_all(r, &end), 0);
			CHECK_INT_EQ(end, -ENODATA);
			capfile_reader_free(r);
		}
	}

	CHECK(capfile_writer_open("/nonexistent/dir/x.osp", &m, &w) == -ENOENT);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		TEST_SKIP("cannot create a temporary directory");
	snprintf(path, sizeof(path), "%s/capture.osp", tmpdir);

	test_round_trip();
	test_source_file();
	test_truncation();
	test_flipped_bytes();
	test_crafted();
	test_writer_rejects();

	unlink(path);
	rmdir(tmpdir);
	return test_finish("test-capfile");
}
