// SPDX-License-Identifier: Apache-2.0
/*
 * The capture-file source: records of a file written by "osprey capture -w", in the order they
 * were written (already merged by timestamp when they were captured).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capfile.h"
#include "macro.h"
#include "source.h"

struct source {
	struct capfile_reader *reader;
	uint8_t interest[OSP_EVT_COUNT];
	bool filter;
	bool is_pipe; /* a FIFO (or a pipe on /dev/stdin): never block in read() */
	uint64_t produced;
};

static int file_open(const struct capture_opts *opts, struct source **ret, const char **ret_error)
{
	static __thread char error[CAPFILE_ERROR_MAX];
	struct source *s;
	int r;

	if (!opts->path || !*opts->path) {
		*ret_error = "no capture file given";
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = capfile_reader_open(opts->path, &s->reader, error, sizeof(error));
	if (r < 0) {
		*ret_error = error;
		free(s);
		return r;
	}
	{
		struct stat st;

		s->is_pipe = fstat(capfile_reader_fd(s->reader), &st) == 0 && S_ISFIFO(st.st_mode);
	}
	if (opts->interest) {
		memcpy(s->interest, opts->interest, sizeof(s->interest));
		s->filter = true;
	}
	*ret = s;
	return 0;
}

static int file_next(struct source *s, const void **ret_buf, size_t *ret_size, uint64_t *malformed)
{
	for (;;) {
		const struct osp_event_hdr *hdr;
		const void *buf;
		size_t size;
		int r;

		/* A pipe's writer may stall: read only what is there, so that the main loop (its
		 * signals, its timers) runs meanwhile. The fd wakes the loop (file_get_fd). A
		 * writer that stalls in the middle of a block (osprey capture -w writes whole
		 * blocks) still blocks the read of that block's rest. */
		if (s->is_pipe && capfile_reader_needs_input(s->reader)) {
			struct pollfd p = {.fd = capfile_reader_fd(s->reader), .events = POLLIN};

			r = poll(&p, 1, 0);
			if (r < 0)
				return errno == EINTR ? -EAGAIN : -errno;
			if (r == 0)
				return -EAGAIN;
		}
		r = capfile_reader_next(s->reader, &buf, &size);
		if (r < 0)
			return r;
		s->produced++;
		hdr = buf;
		/* Ids this schema does not know go on to the decoder, which counts them. */
		if (s->filter && hdr->type < OSP_EVT_COUNT && !s->interest[hdr->type])
			continue;
		*ret_buf = buf;
		*ret_size = size;
		return 0;
	}
}

static int file_wait(struct source *s, int timeout_ms)
{
	struct pollfd p;
	int r;

	if (!s->is_pipe || !capfile_reader_needs_input(s->reader))
		return 1; /* a file always has its next record (or its end) ready */
	p = (struct pollfd){.fd = capfile_reader_fd(s->reader), .events = POLLIN};
	r = poll(&p, 1, timeout_ms);
	return r < 0 ? -errno : r;
}

static int file_get_fd(struct source *s)
{
	return s->is_pipe ? capfile_reader_fd(s->reader) : -EOPNOTSUPP;
}

static int file_set_interest(struct source *s, const uint8_t *interest)
{
	if (interest)
		memcpy(s->interest, interest, sizeof(s->interest));
	s->filter = interest != NULL;
	return 0;
}

static int file_get_stats(struct source *s, struct capture_stats *stats)
{
	stats->produced += s->produced;
	stats->nbuffers += 1;
	return 0;
}

static const struct capture_machine *file_get_machine(struct source *s)
{
	return capfile_reader_machine(s->reader);
}

static const char *file_get_error(struct source *s)
{
	return capfile_reader_error(s->reader);
}

static void file_close(struct source *s)
{
	if (!s)
		return;
	capfile_reader_free(s->reader);
	free(s);
}

const struct source_ops source_file_ops = {
	.name = "file",
	.open = file_open,
	.next = file_next,
	.wait = file_wait,
	.get_fd = file_get_fd,
	.set_interest = file_set_interest,
	.get_stats = file_get_stats,
	.get_machine = file_get_machine,
	.get_error = file_get_error,
	.close = file_close,
	.poll_interval_ms = 0,
};
