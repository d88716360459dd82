// SPDX-License-Identifier: Apache-2.0
/*
 * file_output: appends each alert to filename. With keep_alive the file stays open (and is
 * reopened by outputs_reopen(), for log rotation); without it, it is opened and closed for
 * every alert, like Falco, so a rotated file is picked up at the next alert.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "sink.h"

#define FILE_TIMEOUT_MS 2000

struct file_sink {
	char *path;
	bool keep_alive;
	int fd;
};

static int file_open(const char *path)
{
	/* O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of blocking the worker. */
	int fd =
		open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0640);

	return fd < 0 ? negative_errno() : fd;
}

static int file_init(struct sink *s, const struct outputs_config *c)
{
	struct file_sink *f = calloc(1, sizeof(*f));
	int fd;

	if (!f)
		return -ENOMEM;
	f->fd = -EBADF;
	f->keep_alive = c->file_output.keep_alive;
	f->path = strdup(c->file_output.filename);
	if (!f->path) {
		free(f);
		return -ENOMEM;
	}
	fd = file_open(f->path);
	if (fd < 0) {
		log_error_errno(fd, "Failed to open file_output.filename '%s': %m", f->path);
		free(f->path);
		free(f);
		return fd;
	}
	if (f->keep_alive)
		f->fd = fd;
	else
		close(fd);
	s->data = f;
	return 0;
}

static int file_emit(struct sink *s, enum alert_priority priority, const char *line, size_t len)
{
	struct file_sink *f = s->data;
	int fd = f->fd, r;

	if (fd < 0) {
		fd = file_open(f->path);
		if (fd < 0)
			return fd;
	}
	r = sink_write_all(s, fd, line, len, FILE_TIMEOUT_MS);
	if (r == -ETIMEDOUT)
		s->timeouts++;
	if (f->keep_alive && r >= 0) {
		f->fd = fd;
	} else {
		/* Without keep_alive, or after an error: the next alert opens the file again. */
		close(fd);
		f->fd = -EBADF;
	}
	return r;
}

static int file_reopen(struct sink *s)
{
	struct file_sink *f = s->data;
	int fd;

	if (!f->keep_alive)
		return 0;
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -EBADF;
	fd = file_open(f->path);
	if (fd < 0)
		return fd; /* retried at the next alert */
	f->fd = fd;
	return 0;
}

static void file_done(struct sink *s)
{
	struct file_sink *f = s->data;

	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f);
	s->data = NULL;
}

const struct sink_ops sink_file_ops = {
	.name = "file",
	.init = file_init,
	.emit = file_emit,
	.reopen = file_reopen,
	.done = file_done,
};
