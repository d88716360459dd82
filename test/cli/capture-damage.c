// SPDX-License-Identifier: Apache-2.0
/*
 * capture-damage IN OUT N: writes OUT, a capture file holding every record of IN followed by N
 * damaged copies of IN's records (the first, second... again from the start when IN runs out):
 * every other one malformed (a parameter count larger than the record), the others of an event
 * type no schema has. OUT is written by the capture library, so its blocks' checksums are right:
 * only the decoder can see the damage, as with a writer that had a bug.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capfile.h"
#include "macro.h"
#include "osprey_schema.h"
#include "parse.h"

#define RECORDS_MAX 100000u

static uint8_t *records[RECORDS_MAX];
static size_t sizes[RECORDS_MAX];

int main(int argc, char *argv[])
{
	char err[CAPFILE_ERROR_MAX];
	struct capfile_reader *rd = NULL;
	struct capfile_writer *w = NULL;
	size_t n = 0;
	uint32_t damage;
	const void *buf;
	size_t size;
	int r;

	if (argc != 4 || safe_atou32(argv[3], &damage) < 0) {
		fprintf(stderr, "usage: capture-damage IN OUT N\n");
		return 2;
	}
	r = capfile_reader_open(argv[1], &rd, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "capture-damage: %s\n", err);
		return 1;
	}
	r = capfile_writer_open(argv[2], capfile_reader_machine(rd), &w);
	if (r < 0) {
		fprintf(stderr, "capture-damage: cannot create '%s': %s\n", argv[2], strerror(-r));
		return 1;
	}
	while ((r = capfile_reader_next(rd, &buf, &size)) >= 0 && n < RECORDS_MAX) {
		records[n] = malloc(size);
		if (!records[n])
			return 1;
		memcpy(records[n], buf, size);
		sizes[n++] = size;
		r = capfile_writer_add(w, buf, size);
		if (r < 0)
			break;
	}
	if (r < 0 && r != -ENODATA) {
		const char *e = capfile_reader_error(rd);

		fprintf(stderr, "capture-damage: %s\n", e ? e : strerror(-r));
		return 1;
	}
	for (uint32_t i = 0; i < damage && n > 0; i++) {
		uint8_t *rec = records[i % n];
		struct osp_event_hdr hdr;
		uint8_t copy[OSP_EVENT_MAX_LEN];

		memcpy(copy, rec, sizes[i % n]);
		memcpy(&hdr, copy, sizeof(hdr));
		if (i % 2 == 0)
			hdr.nparams = (uint16_t)(hdr.len); /* more lengths than the record holds */
		else
			hdr.type = 0xfff0; /* no schema has this id */
		memcpy(copy, &hdr, sizeof(hdr));
		r = capfile_writer_add(w, copy, sizes[i % n]);
		if (r < 0)
			break;
	}
	if (r >= 0 || r == -ENODATA)
		r = capfile_writer_close(w);
	if (r < 0) {
		fprintf(stderr, "capture-damage: writing '%s': %s\n", argv[2], strerror(-r));
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		free(records[i]);
	capfile_reader_free(rd);
	printf("%zu records, %u damaged copies\n", n, damage);
	return 0;
}
