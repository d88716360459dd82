/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capture files ("osprey capture -w"): the schema's own records, framed in
 * checksummed blocks. All integers are in the writer's byte order, which the
 * header records (a reader refuses the other order).
 *
 *   file header, 32 bytes:
 *     0  magic "OSPRYCAP"
 *     8  __u16 format major (CAPFILE_VERSION_MAJOR), __u16 format minor
 *    12  __u32 header length (>= 32, multiple of 8; a newer minor may append fields, skipped)
 *    16  __u32 byte order mark 0x01020304
 *    20  __u32 flags (0), 24 __u32 reserved (0)
 *    28  __u32 checksum: low 32 bits of XXH3-64 of any header bytes past 32, seeded with
 *        XXH3-64 of bytes 0..27
 *   then blocks, each 8-aligned:
 *     0  __u32 type (CAPFILE_BLOCK_*), 4 __u32 payload length, 8 __u32 record count,
 *    12  __u32 checksum: low 32 bits of XXH3-64 of the payload seeded with XXH3-64 of bytes 0..11
 *    16  payload, then zero padding to a multiple of 8
 *   MACHINE (first block): fields as __u16 tag, __u16 length, value, so that fields can be
 *     added; strings without NUL, integers fixed-size. Unknown tags are skipped.
 *   EVENTS: back-to-back schema records (each 8-aligned, hdr.len bytes), at most
 *     CAPFILE_BLOCK_MAX bytes; count = number of records.
 *   END (last block): __u64 events, __u64 event blocks in the file. Nothing may follow it.
 *   Unknown block types are skipped (a newer minor); a newer major is refused.
 *
 * The reader trusts nothing: every length is bounded and checked, every block's
 * checksum verified before any of its records is handed out, and the first
 * damage ends the read with a message naming the byte offset and the problem.
 * Records are handed out as they are stored (event_decode() validates them).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "capture.h"

#define CAPFILE_MAGIC "OSPRYCAP"
#define CAPFILE_VERSION_MAJOR 1
#define CAPFILE_VERSION_MINOR 0
#define CAPFILE_HEADER_LEN 32u
#define CAPFILE_HEADER_MAX 4096u
#define CAPFILE_BYTE_ORDER 0x01020304u
#define CAPFILE_BLOCK_HDR_LEN 16u
#define CAPFILE_BLOCK_MAX (256u << 10) /* payload bytes of any block */
#define CAPFILE_END_LEN 16u

#define CAPFILE_BLOCK_MACHINE 1
#define CAPFILE_BLOCK_EVENTS 2
#define CAPFILE_BLOCK_END 3

/* MACHINE block tags. */
#define CAPFILE_M_HOSTNAME 1
#define CAPFILE_M_KERNEL_RELEASE 2
#define CAPFILE_M_KERNEL_VERSION 3
#define CAPFILE_M_ARCH 4
#define CAPFILE_M_BOOT_TIME_NS 5 /* __u64 */
#define CAPFILE_M_NCPUS 6        /* __u32 */
#define CAPFILE_M_OSPREY_VERSION 7
#define CAPFILE_M_API_VERSION 8    /* __u32 */
#define CAPFILE_M_SCHEMA_VERSION 9 /* __u32 */

#define CAPFILE_ERROR_MAX 512

struct capfile_writer;
struct capfile_reader;

/*
 * Creates (or truncates) path, mode 0600 (events carry command lines and environments), and
 * writes the header and the machine block. Caller owns *ret. Returns 0 or -errno.
 */
int capfile_writer_open(const char *path, const struct capture_machine *machine,
			struct capfile_writer **ret);
/* The same on an fd the writer takes over (closed by capfile_writer_close()). */
int capfile_writer_open_fd(int fd, const struct capture_machine *machine,
			   struct capfile_writer **ret);
/*
 * Appends one record (len bytes, len == hdr.len, a multiple of 8, at most OSP_EVENT_MAX_LEN).
 * Returns 0, -EINVAL for a record with bad framing (not written), or the first write error,
 * which sticks.
 */
int capfile_writer_add(struct capfile_writer *w, const void *record, size_t len);
/* Writes the records buffered so far as one block (bounds what a crash loses). */
int capfile_writer_flush(struct capfile_writer *w);
/* Records added so far. */
uint64_t capfile_writer_events(const struct capfile_writer *w);
/* Flushes, writes the end block, closes and frees (w may be NULL). Returns 0 or the first
 * -errno. */
int capfile_writer_close(struct capfile_writer *w);

/*
 * Opens a capture file and reads its header and machine block. On failure returns -errno and,
 * when errbuf is not NULL, a one-line reason naming the file: -EBADMSG (not a capture file,
 * damaged header), -EPROTONOSUPPORT (newer major version or other byte order), or the
 * error of open/read. Caller owns *ret.
 */
int capfile_reader_open(const char *path, struct capfile_reader **ret, char *errbuf,
			size_t errsize);
/* The same over a buffer in memory (not copied: keep it alive), named name in messages. */
int capfile_reader_open_memory(const void *data, size_t size, const char *name,
			       struct capfile_reader **ret, char *errbuf, size_t errsize);
/*
 * The next record: *ret_buf (8-aligned) stays valid until the next call. Returns 0, -ENODATA
 * after the end block, -EBADMSG on damage (capfile_reader_error() says where and what; every
 * record before the damaged block or record was handed out), or a read error. Errors stick.
 */
int capfile_reader_next(struct capfile_reader *r, const void **ret_buf, size_t *ret_size);
const struct capture_machine *capfile_reader_machine(const struct capfile_reader *r);
/* The osprey version that wrote the file ("" if it did not say). */
const char *capfile_reader_osprey_version(const struct capfile_reader *r);
/* The format version of the file, major << 16 | minor. */
uint32_t capfile_reader_version(const struct capfile_reader *r);
/* Records handed out so far. */
uint64_t capfile_reader_events(const struct capfile_reader *r);
/*
 * The fd being read (-EBADF for memory), and whether the next capfile_reader_next() reads from it
 * (no record of the current block is left): a reader of a pipe polls the fd first, so that a
 * stalled writer never blocks it in read().
 */
int capfile_reader_fd(const struct capfile_reader *r);
bool capfile_reader_needs_input(const struct capfile_reader *r);
/* The reason of the last failure, or NULL. */
const char *capfile_reader_error(const struct capfile_reader *r);
/* Accepts NULL. */
void capfile_reader_free(struct capfile_reader *r);
