// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"

ssize_t read_full(int fd, void *buf, size_t size)
{
	size_t len = 0;

	while (len < size) {
		ssize_t n = read(fd, (char *)buf + len, size - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}
