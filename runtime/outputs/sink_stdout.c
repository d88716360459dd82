// SPDX-License-Identifier: Apache-2.0
/*
 * stdout_output: one write per alert, the whole line at once, never blocking: a pipe or a
 * terminal is reopened through /proc/self/fd/1 as a file description of our own with O_NONBLOCK
 * (setting O_NONBLOCK on fd 1 itself would change it for the shell and every process sharing
 * it); a socket is written with send(MSG_DONTWAIT); a regular file is written as it is. A reader
 * that takes more than STDOUT_TIMEOUT_MS for one line makes that line fail (counted).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "sink.h"

#define STDOUT_TIMEOUT_MS 5000

struct stdout_sink {
	int fd;
	bool owned, sock;
};

int sink_stdout_open(bool *ret_owned, bool *ret_sock)
{
	struct stat st;
	int fd;

	*ret_owned = *ret_sock = false;
	if (fstat(STDOUT_FILENO, &st) < 0)
		return STDOUT_FILENO; /* closed: every write fails, and is counted */
	if (S_ISSOCK(st.st_mode)) {
		*ret_sock = true;
		return STDOUT_FILENO;
	}
	if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
		return STDOUT_FILENO;
	fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		log_debug_errno(negative_errno(),
				"Cannot reopen stdout non-blocking, writing to it as it is: %m");
		return STDOUT_FILENO;
	}
	*ret_owned = true;
	return fd;
}

static int stdout_init(struct sink *s, const struct outputs_config *c)
{
	struct stdout_sink *o = calloc(1, sizeof(*o));

	if (!o)
		return -ENOMEM;
	o->fd = sink_stdout_open(&o->owned, &o->sock);
	s->data = o;
	return 0;
}

static int stdout_emit(struct sink *s, enum alert_priority priority, const char *line, size_t len)
{
	struct stdout_sink *o = s->data;
	int r;

	r = o->sock ? sink_send_all(s, o->fd, line, len, STDOUT_TIMEOUT_MS)
		    : sink_write_all(s, o->fd, line, len, STDOUT_TIMEOUT_MS);
	if (r == -ETIMEDOUT)
		s->timeouts++;
	return r;
}

static void stdout_done(struct sink *s)
{
	struct stdout_sink *o = s->data;

	if (o && o->owned)
		close(o->fd);
	free(o);
	s->data = NULL;
}

const struct sink_ops sink_stdout_ops = {
	.name = "stdout",
	.init = stdout_init,
	.emit = stdout_emit,
	.done = stdout_done,
};
