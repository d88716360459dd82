// SPDX-License-Identifier: Apache-2.0
#include <byteswap.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "capfile.h"
#include "config.h"
#include "macro.h"

/*
 * The libFuzzer build (test/fuzz) skips checksum verification, as OSS-Fuzz builds do, so that
 * mutated inputs reach the parsing behind the checksums. Never set in a real build.
 */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define FUZZING_SKIPS_CHECKSUMS 1
#else
#define FUZZING_SKIPS_CHECKSUMS 0
#endif

_Static_assert(CAPFILE_BLOCK_MAX >= OSP_EVENT_MAX_LEN, "a block holds the largest record");
_Static_assert(sizeof(CAPFILE_MAGIC) - 1 == 8, "magic is 8 bytes");
_Static_assert(CAPFILE_BLOCK_HDR_LEN % 8 == 0 && CAPFILE_HEADER_LEN % 8 == 0, "8-aligned");

static void put_u16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint16_t get_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * The checksum of a header and what follows it: XXH3-64 of the header seeds
 * XXH3-64 of the rest, low 32 bits kept. XXH3 runs at memory speed, where
 * zlib's table CRC-32 cost 60 ns per record and held file decoding under
 * 10 M events/s; for detecting damage, 32 bits of a good hash do as well.
 */
static uint32_t checksum(const void *head, size_t head_len, const void *rest, size_t rest_len)
{
	XXH64_hash_t seed = XXH3_64bits(head, head_len);

	return (uint32_t)XXH3_64bits_withSeed(rest_len ? rest : "", rest_len, seed);
}

/* A block's checksum: its first 12 header bytes (type, length, count), then the payload. */
static uint32_t block_crc(const uint8_t *hdr, const uint8_t *payload, uint32_t len)
{
	return checksum(hdr, 12, payload, len);
}

/* ---- writer ---- */

struct capfile_writer {
	int fd;
	int error;	 /* first write error, sticky */
	uint64_t events; /* records added */
	uint64_t blocks; /* event blocks written */
	uint32_t count;	 /* records in the block being filled */
	size_t used;	 /* payload bytes in the block being filled */
	uint8_t *buf;	 /* block header + CAPFILE_BLOCK_MAX payload */
};

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t k = write(fd, b, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (k == 0)
			return -EIO;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Writes the block whose payload (len bytes) is already at w->buf + CAPFILE_BLOCK_HDR_LEN. */
static int write_block(struct capfile_writer *w, uint32_t type, uint32_t len, uint32_t count)
{
	uint8_t *hdr = w->buf;
	uint32_t padded = OSP_ALIGN8(len);
	int r;

	if (w->error)
		return w->error;
	memset(hdr + CAPFILE_BLOCK_HDR_LEN + len, 0, padded - len);
	put_u32(hdr + 0, type);
	put_u32(hdr + 4, len);
	put_u32(hdr + 8, count);
	put_u32(hdr + 12, block_crc(hdr, hdr + CAPFILE_BLOCK_HDR_LEN, len));
	r = write_all(w->fd, hdr, CAPFILE_BLOCK_HDR_LEN + padded);
	if (r < 0)
		w->error = r;
	return r;
}

/* Appends one machine field; the block is far below its limit by construction. */
static size_t put_field(uint8_t *p, size_t pos, uint16_t tag, const void *v, size_t len)
{
	put_u16(p + pos, tag);
	put_u16(p + pos + 2, (uint16_t)len);
	memcpy(p + pos + 4, v, len);
	return pos + 4 + len;
}

static size_t put_string(uint8_t *p, size_t pos, uint16_t tag, const char *s, size_t max)
{
	return put_field(p, pos, tag, s, strnlen(s, max));
}

static void writer_free(struct capfile_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w->buf);
	free(w);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct capfile_writer *, writer_free);

int capfile_writer_open_fd(int fd, const struct capture_machine *m, struct capfile_writer **ret)
{
	_cleanup_(writer_freep) struct capfile_writer *w = NULL;
	uint8_t head[CAPFILE_HEADER_LEN] = {0};
	uint8_t *p;
	uint32_t u32;
	size_t pos = 0;
	int r;

	w = calloc(1, sizeof(*w));
	if (!w) {
		close(fd);
		return -ENOMEM;
	}
	w->fd = fd;
	w->buf = malloc(CAPFILE_BLOCK_HDR_LEN + CAPFILE_BLOCK_MAX);
	if (!w->buf)
		return -ENOMEM;

	memcpy(head, CAPFILE_MAGIC, 8);
	put_u16(head + 8, CAPFILE_VERSION_MAJOR);
	put_u16(head + 10, CAPFILE_VERSION_MINOR);
	put_u32(head + 12, CAPFILE_HEADER_LEN);
	put_u32(head + 16, CAPFILE_BYTE_ORDER);
	put_u32(head + 28, checksum(head, 28, NULL, 0));
	r = write_all(w->fd, head, sizeof(head));
	if (r < 0)
		return r;

	p = w->buf + CAPFILE_BLOCK_HDR_LEN;
	pos = put_string(p, pos, CAPFILE_M_HOSTNAME, m->hostname, sizeof(m->hostname) - 1);
	pos = put_string(p, pos, CAPFILE_M_KERNEL_RELEASE, m->kernel_release,
			 sizeof(m->kernel_release) - 1);
	pos = put_string(p, pos, CAPFILE_M_KERNEL_VERSION, m->kernel_version,
			 sizeof(m->kernel_version) - 1);
	pos = put_string(p, pos, CAPFILE_M_ARCH, m->arch, sizeof(m->arch) - 1);
	pos = put_field(p, pos, CAPFILE_M_BOOT_TIME_NS, &m->boot_time_ns, 8);
	pos = put_field(p, pos, CAPFILE_M_NCPUS, &m->ncpus, 4);
	pos = put_string(p, pos, CAPFILE_M_OSPREY_VERSION, OSPREY_VERSION, 63);
	u32 = m->api_version;
	pos = put_field(p, pos, CAPFILE_M_API_VERSION, &u32, 4);
	u32 = m->schema_version;
	pos = put_field(p, pos, CAPFILE_M_SCHEMA_VERSION, &u32, 4);
	r = write_block(w, CAPFILE_BLOCK_MACHINE, (uint32_t)pos, 0);
	if (r < 0)
		return r;

	*ret = TAKE_PTR(w);
	return 0;
}

int capfile_writer_open(const char *path, const struct capture_machine *m,
			struct capfile_writer **ret)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0600);

	if (fd < 0)
		return negative_errno();
	return capfile_writer_open_fd(fd, m, ret);
}

int capfile_writer_flush(struct capfile_writer *w)
{
	int r;

	if (w->error)
		return w->error;
	if (w->count == 0)
		return 0;
	r = write_block(w, CAPFILE_BLOCK_EVENTS, (uint32_t)w->used, w->count);
	if (r < 0)
		return r;
	w->blocks++;
	w->used = 0;
	w->count = 0;
	return 0;
}

int capfile_writer_add(struct capfile_writer *w, const void *record, size_t len)
{
	struct osp_event_hdr hdr;
	int r;

	if (w->error)
		return w->error;
	if (len < sizeof(hdr) || len > OSP_EVENT_MAX_LEN || (len & 7))
		return -EINVAL;
	memcpy(&hdr, record, sizeof(hdr));
	if (hdr.len != len)
		return -EINVAL;
	if (len > CAPFILE_BLOCK_MAX - w->used) {
		r = capfile_writer_flush(w);
		if (r < 0)
			return r;
	}
	memcpy(w->buf + CAPFILE_BLOCK_HDR_LEN + w->used, record, len);
	w->used += len;
	w->count++;
	w->events++;
	return 0;
}

uint64_t capfile_writer_events(const struct capfile_writer *w)
{
	return w->events;
}

int capfile_writer_close(struct capfile_writer *w)
{
	int r;

	if (!w)
		return 0;
	r = capfile_writer_flush(w);
	if (r >= 0) {
		put_u64(w->buf + CAPFILE_BLOCK_HDR_LEN, w->events);
		put_u64(w->buf + CAPFILE_BLOCK_HDR_LEN + 8, w->blocks);
		r = write_block(w, CAPFILE_BLOCK_END, CAPFILE_END_LEN, 0);
	}
	if (close(w->fd) < 0 && r >= 0 && errno != EINTR)
		r = negative_errno();
	w->fd = -EBADF;
	writer_free(w);
	return r < 0 ? r : 0;
}

/* ---- reader ---- */

struct capfile_reader {
	char *name;
	int fd;		    /* -EBADF when reading from memory */
	const uint8_t *mem; /* memory input */
	size_t mem_size;
	uint64_t offset; /* file offset of the next byte to read */

	uint8_t *buf;	/* payload of the current block */
	bool in_events; /* buf holds an EVENTS block being handed out */
	uint32_t blk_len, blk_pos, blk_count, blk_seen;
	uint64_t blk_offset; /* file offset of the current block's header */

	uint64_t events, event_blocks;
	bool done;
	int error;
	char errmsg[CAPFILE_ERROR_MAX];

	uint16_t major, minor;
	struct capture_machine machine;
	char osprey_version[64];
};

_printf_(3, 4) static int reader_fail(struct capfile_reader *r, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->errmsg, sizeof(r->errmsg), fmt, ap);
	va_end(ap);
	r->error = error;
	return error;
}

#define corrupted(r, off, fmt, ...)                                                                \
	reader_fail(r, -EBADMSG, "capture file '%s' is corrupted at offset %" PRIu64 ": " fmt,     \
		    (r)->name, (uint64_t)(off), ##__VA_ARGS__)
#define truncated(r, off, fmt, ...)                                                                \
	reader_fail(r, -EBADMSG, "capture file '%s' is truncated at offset %" PRIu64 ": " fmt,     \
		    (r)->name, (uint64_t)(off), ##__VA_ARGS__)

/* Reads up to n bytes; fewer only at the end of the input. Returns the count or -errno. */
static ssize_t input_read(struct capfile_reader *r, void *buf, size_t n)
{
	size_t got = 0;

	if (r->fd < 0) {
		size_t left = r->offset < r->mem_size ? r->mem_size - (size_t)r->offset : 0;

		got = MIN(n, left);
		if (got)
			memcpy(buf, r->mem + r->offset, got);
		r->offset += got;
		return (ssize_t)got;
	}
	while (got < n) {
		ssize_t k = read(r->fd, (uint8_t *)buf + got, n - got);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return reader_fail(r, negative_errno(), "cannot read capture file '%s': %m",
					   r->name);
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	r->offset += got;
	return (ssize_t)got;
}

/* Reads and verifies the next block into r->buf. */
static int read_block(struct capfile_reader *r, uint32_t *ret_type)
{
	uint8_t hdr[CAPFILE_BLOCK_HDR_LEN];
	uint64_t off = r->offset;
	uint32_t len, padded;
	ssize_t n;

	n = input_read(r, hdr, sizeof(hdr));
	if (n < 0)
		return (int)n;
	if (n == 0)
		return truncated(r, off, "the end block is missing (the writer did not finish)");
	if ((size_t)n < sizeof(hdr))
		return truncated(r, off, "incomplete block header (%zd of %u bytes)", n,
				 CAPFILE_BLOCK_HDR_LEN);
	len = get_u32(hdr + 4);
	if (len > CAPFILE_BLOCK_MAX)
		return corrupted(r, off, "block length %" PRIu32 " exceeds the limit of %u bytes",
				 len, CAPFILE_BLOCK_MAX);
	padded = OSP_ALIGN8(len);
	n = input_read(r, r->buf, padded);
	if (n < 0)
		return (int)n;
	if ((size_t)n < padded)
		return truncated(r, off, "the block needs %" PRIu32 " bytes, %zd are present",
				 CAPFILE_BLOCK_HDR_LEN + padded, CAPFILE_BLOCK_HDR_LEN + n);
	if (get_u32(hdr + 12) != block_crc(hdr, r->buf, len) && !FUZZING_SKIPS_CHECKSUMS)
		return corrupted(r, off, "block checksum mismatch");
	for (uint32_t i = len; i < padded; i++)
		if (r->buf[i])
			return corrupted(r, off + CAPFILE_BLOCK_HDR_LEN + i,
					 "non-zero block padding");

	r->blk_offset = off;
	r->blk_len = len;
	r->blk_pos = 0;
	r->blk_count = get_u32(hdr + 8);
	r->blk_seen = 0;
	*ret_type = get_u32(hdr);
	return 0;
}

static int machine_string(struct capfile_reader *r, uint64_t off, uint16_t tag, const uint8_t *v,
			  uint16_t len, char *dst, size_t size)
{
	if (len >= size)
		return corrupted(r, off, "machine field %u is %u bytes, over its limit of %zu", tag,
				 len, size - 1);
	if (memchr(v, '\0', len))
		return corrupted(r, off, "machine field %u contains a NUL byte", tag);
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

static int machine_int(struct capfile_reader *r, uint64_t off, uint16_t tag, const uint8_t *v,
		       uint16_t len, void *dst, size_t size)
{
	if (len != size)
		return corrupted(r, off, "machine field %u has %u bytes, expected %zu", tag, len,
				 size);
	memcpy(dst, v, size);
	return 0;
}

static int parse_machine(struct capfile_reader *r)
{
	struct capture_machine *m = &r->machine;
	uint64_t base = r->blk_offset + CAPFILE_BLOCK_HDR_LEN;
	uint32_t pos = 0;

	while (pos < r->blk_len) {
		const uint8_t *v;
		uint16_t tag, len;
		uint64_t off = base + pos;
		int k;

		if (r->blk_len - pos < 4)
			return corrupted(r, off, "machine field header overruns its block");
		tag = get_u16(r->buf + pos);
		len = get_u16(r->buf + pos + 2);
		if (len > r->blk_len - pos - 4)
			return corrupted(r, off, "machine field %u of %u bytes overruns its block",
					 tag, len);
		v = r->buf + pos + 4;
		switch (tag) {
		case CAPFILE_M_HOSTNAME:
			k = machine_string(r, off, tag, v, len, m->hostname, sizeof(m->hostname));
			break;
		case CAPFILE_M_KERNEL_RELEASE:
			k = machine_string(r, off, tag, v, len, m->kernel_release,
					   sizeof(m->kernel_release));
			break;
		case CAPFILE_M_KERNEL_VERSION:
			k = machine_string(r, off, tag, v, len, m->kernel_version,
					   sizeof(m->kernel_version));
			break;
		case CAPFILE_M_ARCH:
			k = machine_string(r, off, tag, v, len, m->arch, sizeof(m->arch));
			break;
		case CAPFILE_M_OSPREY_VERSION:
			k = machine_string(r, off, tag, v, len, r->osprey_version,
					   sizeof(r->osprey_version));
			break;
		case CAPFILE_M_BOOT_TIME_NS:
			k = machine_int(r, off, tag, v, len, &m->boot_time_ns, 8);
			break;
		case CAPFILE_M_NCPUS:
			k = machine_int(r, off, tag, v, len, &m->ncpus, 4);
			break;
		case CAPFILE_M_API_VERSION:
			k = machine_int(r, off, tag, v, len, &m->api_version, 4);
			break;
		case CAPFILE_M_SCHEMA_VERSION:
			k = machine_int(r, off, tag, v, len, &m->schema_version, 4);
			break;
		default:
			k = 0; /* a field from a newer minor version */
			break;
		}
		if (k < 0)
			return k;
		pos += 4u + len;
	}
	return 0;
}

static int reader_start(struct capfile_reader *r)
{
	uint8_t head[CAPFILE_HEADER_LEN];
	uint32_t hlen, bom, type;
	uint32_t crc;
	ssize_t n;
	int k;

	n = input_read(r, head, sizeof(head));
	if (n < 0)
		return (int)n;
	if (n < 8 && memcmp(head, CAPFILE_MAGIC, (size_t)n) == 0)
		return truncated(r, 0, "the file header needs %u bytes, the file has %zd",
				 CAPFILE_HEADER_LEN, n);
	if (n < 8 || memcmp(head, CAPFILE_MAGIC, 8) != 0)
		return reader_fail(r, -EBADMSG,
				   "'%s' is not an Osprey capture file (no \"" CAPFILE_MAGIC
				   "\" magic at offset 0)",
				   r->name);
	if ((size_t)n < sizeof(head))
		return truncated(r, 0, "the file header needs %u bytes, the file has %zd",
				 CAPFILE_HEADER_LEN, n);

	bom = get_u32(head + 16);
	if (bom == bswap_32(CAPFILE_BYTE_ORDER))
		return reader_fail(r, -EPROTONOSUPPORT,
				   "capture file '%s' was written on a machine of the other byte "
				   "order, which this osprey cannot read",
				   r->name);
	if (bom != CAPFILE_BYTE_ORDER)
		return corrupted(r, 16, "bad byte order mark 0x%08" PRIx32, bom);
	r->major = get_u16(head + 8);
	r->minor = get_u16(head + 10);
	if (r->major > CAPFILE_VERSION_MAJOR)
		return reader_fail(r, -EPROTONOSUPPORT,
				   "capture file '%s' has format version %u.%u; this osprey reads "
				   "version %u.x: read it with a newer osprey",
				   r->name, r->major, r->minor, CAPFILE_VERSION_MAJOR);
	if (r->major == 0)
		return corrupted(r, 8, "format version 0.%u does not exist", r->minor);
	hlen = get_u32(head + 12);
	if (hlen < CAPFILE_HEADER_LEN || hlen > CAPFILE_HEADER_MAX || (hlen & 7))
		return corrupted(r, 12, "bad header length %" PRIu32, hlen);
	crc = checksum(head, 28, NULL, 0);
	if (hlen > CAPFILE_HEADER_LEN) {
		/* Fields of a newer minor version: checksummed, then skipped. */
		n = input_read(r, r->buf, hlen - CAPFILE_HEADER_LEN);
		if (n < 0)
			return (int)n;
		if ((size_t)n < hlen - CAPFILE_HEADER_LEN)
			return truncated(r, 0, "the file header needs %" PRIu32 " bytes", hlen);
		crc = checksum(head, 28, r->buf, hlen - CAPFILE_HEADER_LEN);
	}
	if ((uint32_t)crc != get_u32(head + 28) && !FUZZING_SKIPS_CHECKSUMS)
		return corrupted(r, 0, "file header checksum mismatch");

	k = read_block(r, &type);
	if (k < 0)
		return k;
	if (type != CAPFILE_BLOCK_MACHINE)
		return corrupted(r, r->blk_offset,
				 "expected the machine block, found a block of type %" PRIu32,
				 type);
	return parse_machine(r);
}

static int reader_new(const char *name, struct capfile_reader **ret)
{
	struct capfile_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->fd = -EBADF;
	r->name = strdup(name);
	r->buf = malloc(CAPFILE_BLOCK_MAX);
	if (!r->name || !r->buf) {
		capfile_reader_free(r);
		return -ENOMEM;
	}
	*ret = r;
	return 0;
}

static int reader_finish_open(struct capfile_reader *r, struct capfile_reader **ret, char *errbuf,
			      size_t errsize)
{
	int k = reader_start(r);

	if (k < 0) {
		if (errbuf && errsize)
			snprintf(errbuf, errsize, "%s", r->errmsg);
		capfile_reader_free(r);
		return k;
	}
	*ret = r;
	return 0;
}

int capfile_reader_open(const char *path, struct capfile_reader **ret, char *errbuf, size_t errsize)
{
	struct capfile_reader *r;
	int k;

	k = reader_new(path, &r);
	if (k < 0)
		return k;
	r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (r->fd < 0) {
		k = negative_errno();
		if (errbuf && errsize)
			snprintf(errbuf, errsize, "cannot open capture file '%s': %s", path,
				 strerror(-k));
		capfile_reader_free(r);
		return k;
	}
	(void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return reader_finish_open(r, ret, errbuf, errsize);
}

int capfile_reader_open_memory(const void *data, size_t size, const char *name,
			       struct capfile_reader **ret, char *errbuf, size_t errsize)
{
	struct capfile_reader *r;
	int k;

	k = reader_new(name, &r);
	if (k < 0)
		return k;
	r->mem = data;
	r->mem_size = size;
	return reader_finish_open(r, ret, errbuf, errsize);
}

/* The end block: counts must match what was read, and nothing may follow. */
static int reader_end(struct capfile_reader *r)
{
	uint64_t events, blocks;
	uint8_t extra;
	ssize_t n;

	if (r->blk_len < CAPFILE_END_LEN)
		return corrupted(r, r->blk_offset, "end block of %" PRIu32 " bytes is too short",
				 r->blk_len);
	events = get_u64(r->buf);
	blocks = get_u64(r->buf + 8);
	if (events != r->events || blocks != r->event_blocks)
		return corrupted(r, r->blk_offset,
				 "end block counts %" PRIu64 " events in %" PRIu64
				 " blocks, the file holds %" PRIu64 " in %" PRIu64,
				 events, blocks, r->events, r->event_blocks);
	n = input_read(r, &extra, 1);
	if (n < 0)
		return (int)n;
	if (n > 0)
		return corrupted(r, r->offset - 1, "data after the end block");
	r->done = true;
	return -ENODATA;
}

int capfile_reader_next(struct capfile_reader *r, const void **ret_buf, size_t *ret_size)
{
	for (;;) {
		uint32_t type = 0;
		int k;

		if (r->error)
			return r->error;
		if (r->done)
			return -ENODATA;

		if (r->in_events && r->blk_pos < r->blk_len) {
			uint64_t off = r->blk_offset + CAPFILE_BLOCK_HDR_LEN + r->blk_pos;
			uint32_t left = r->blk_len - r->blk_pos;
			struct osp_event_hdr hdr;

			if (left < sizeof(hdr))
				return corrupted(r, off,
						 "record header overruns its block (%" PRIu32
						 " bytes left)",
						 left);
			memcpy(&hdr, r->buf + r->blk_pos, sizeof(hdr));
			if (hdr.len < sizeof(hdr) || (hdr.len & 7) || hdr.len > OSP_EVENT_MAX_LEN)
				return corrupted(r, off, "bad record length %" PRIu32, hdr.len);
			if (hdr.len > left)
				return corrupted(r, off,
						 "record of %" PRIu32
						 " bytes overruns its block (%" PRIu32
						 " bytes left)",
						 hdr.len, left);
			if (++r->blk_seen > r->blk_count)
				return corrupted(r, off,
						 "block holds more records than its count %" PRIu32,
						 r->blk_count);
			*ret_buf = r->buf + r->blk_pos;
			*ret_size = hdr.len;
			r->blk_pos += hdr.len;
			r->events++;
			return 0;
		}
		if (r->in_events) {
			r->in_events = false;
			if (r->blk_seen != r->blk_count)
				return corrupted(r, r->blk_offset,
						 "block count says %" PRIu32
						 " records, the block holds %" PRIu32,
						 r->blk_count, r->blk_seen);
		}

		k = read_block(r, &type);
		if (k < 0)
			return k;
		switch (type) {
		case CAPFILE_BLOCK_EVENTS:
			r->in_events = true;
			r->event_blocks++;
			break;
		case CAPFILE_BLOCK_END:
			return reader_end(r);
		case CAPFILE_BLOCK_MACHINE:
			return corrupted(r, r->blk_offset, "a second machine block");
		default:
			break; /* a block type of a newer minor version: verified and skipped */
		}
	}
}

const struct capture_machine *capfile_reader_machine(const struct capfile_reader *r)
{
	return &r->machine;
}

const char *capfile_reader_osprey_version(const struct capfile_reader *r)
{
	return r->osprey_version;
}

uint32_t capfile_reader_version(const struct capfile_reader *r)
{
	return (uint32_t)r->major << 16 | r->minor;
}

uint64_t capfile_reader_events(const struct capfile_reader *r)
{
	return r->events;
}

int capfile_reader_fd(const struct capfile_reader *r)
{
	return r->fd;
}

bool capfile_reader_needs_input(const struct capfile_reader *r)
{
	return !r->error && !r->done && !(r->in_events && r->blk_pos < r->blk_len);
}

const char *capfile_reader_error(const struct capfile_reader *r)
{
	return r->error ? r->errmsg : NULL;
}

void capfile_reader_free(struct capfile_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r->name);
	free(r);
}
