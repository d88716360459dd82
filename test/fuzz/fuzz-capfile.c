// SPDX-License-Identifier: Apache-2.0
/* Fuzzes the capture-file reader (and the decoder and printer behind it) with arbitrary files. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capfile.h"
#include "event.h"
#include "event_format.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct format_ctx fmt;
static char line[4 * OSP_EVENT_MAX_LEN + 4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capfile_reader *r = NULL;
	char err[CAPFILE_ERROR_MAX];
	const void *rec;
	size_t len;
	int k;

	if (capfile_reader_open_memory(data, size, "fuzz", &r, err, sizeof(err)) < 0) {
		if (!memchr(err, '\0', sizeof(err)) || !err[0])
			__builtin_trap(); /* a failure always explains itself */
		return 0;
	}
	while ((k = capfile_reader_next(r, &rec, &len)) == 0) {
		struct event ev;

		if (((uintptr_t)rec & 7) || len < sizeof(struct osp_event_hdr) || len > size)
			__builtin_trap();
		if (event_decode(rec, len, &ev) == 0) {
			event_format_update(&fmt, &ev);
			event_format(&fmt, &ev, line, sizeof(line));
		}
	}
	if (k != -ENODATA && !capfile_reader_error(r))
		__builtin_trap();
	capfile_reader_free(r);
	return 0;
}

/* A capture file written by the real writer, read back from a memfd. */
static void emit_file(void (*emit)(const uint8_t *, size_t), unsigned nrec, unsigned flush_every)
{
	static uint8_t rec[512] __attribute__((aligned(8)));
	struct capture_machine m = {.hostname = "fuzz",
				    .kernel_release = "6.18",
				    .arch = "x86_64",
				    .boot_time_ns = 1,
				    .ncpus = 2,
				    .api_version = OSP_API_VERSION,
				    .schema_version = OSP_SCHEMA_VERSION};
	struct capfile_writer *w = NULL;
	uint8_t *data;
	off_t size;
	int fd;

	fd = memfd_create("fuzz-seed", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	if (capfile_writer_open_fd(dup(fd), &m, &w) < 0)
		abort();
	for (unsigned i = 0; i < nrec; i++) {
		struct record_builder b;
		int len;

		record_begin(&b, rec, sizeof(rec), i % 2 ? OSP_EVT_UNLINK : OSP_EVT_KILL, i, 7, 7,
			     i % 2 ? 2 : 3);
		record_add_s64(&b, -(int64_t)(i % 3));
		if (i % 2) {
			record_add_str(&b, "/tmp/file", 64);
		} else {
			record_add_s64(&b, 1);
			record_add_u32(&b, 9);
		}
		len = record_end(&b);
		if (len < 0 || capfile_writer_add(w, rec, (size_t)len) < 0)
			abort();
		if (flush_every && (i + 1) % flush_every == 0 && capfile_writer_flush(w) < 0)
			abort();
	}
	if (capfile_writer_close(w) < 0)
		abort();
	size = lseek(fd, 0, SEEK_END);
	data = malloc((size_t)size);
	if (size <= 0 || !data || pread(fd, data, (size_t)size, 0) != size)
		abort();
	close(fd);
	emit(data, (size_t)size);
	free(data);
}

/* Unused in the libFuzzer build: there "--write-seeds" of the replay binary makes the corpus. */
__attribute__((unused)) static void fuzz_seeds(void (*emit)(const uint8_t *data, size_t size))
{
	emit_file(emit, 0, 0);
	emit_file(emit, 3, 0);
	emit_file(emit, 9, 2);
}

#include "fuzz-main.h"
