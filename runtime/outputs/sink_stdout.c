// SPDX-License-Identifier: Apache-2.0
/* stdout_output: one write() per alert, the whole line at once. */
#include <unistd.h>

#include "sink.h"

#define STDOUT_TIMEOUT_MS 5000

static int stdout_init(struct sink *s, const struct outputs_config *c)
{
	return 0;
}

static int stdout_emit(struct sink *s, const struct alert *a, const char *line, size_t len)
{
	return sink_write_all(STDOUT_FILENO, line, len, sink_deadline_ns(s, STDOUT_TIMEOUT_MS));
}

const struct sink_ops sink_stdout_ops = {
	.name = "stdout",
	.init = stdout_init,
	.emit = stdout_emit,
};
