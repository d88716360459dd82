// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "fileio.h"
#include "util.h"

int path_join(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int util_mkdir_p(const char *path)
{
	char p[PATH_MAX_LEN];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(p))
		return -EINVAL;
	memcpy(p, path, len + 1);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return negative_errno();
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		return negative_errno();
	return 0;
}

int read_file_full(const char *path, size_t max, char **ret, size_t *ret_size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len;
	ssize_t n;

	if (fd < 0)
		return negative_errno();
	buf = malloc(max + 1);
	if (!buf)
		return -ENOMEM;
	/* One byte more than allowed tells "exactly max" from "too big". */
	n = read_full(fd, buf, max + 1);
	if (n < 0)
		return (int)n;
	len = (size_t)n;
	if (len > max)
		return -EFBIG;
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	if (ret_size)
		*ret_size = len;
	return 0;
}

static int write_all(int fd, const void *data, size_t size)
{
	const char *p = data;

	while (size > 0) {
		ssize_t n = write(fd, p, size);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t size, int mode)
{
	char tmp[PATH_MAX_LEN];
	_cleanup_close_ int fd = -EBADF;
	int r;

	r = path_join(tmp, sizeof(tmp), "%s.tmpXXXXXX", path);
	if (r < 0)
		return r;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	r = write_all(fd, data, size);
	if (r >= 0 && fchmod(fd, (mode_t)mode) < 0)
		r = negative_errno();
	if (r >= 0 && fsync(fd) < 0)
		r = negative_errno();
	if (r >= 0 && rename(tmp, path) < 0)
		r = negative_errno();
	if (r < 0)
		unlink(tmp);
	return r;
}

int copy_file_atomic(const char *src, const char *dst, int mode)
{
	char tmp[PATH_MAX_LEN], buf[65536];
	_cleanup_close_ int in = -EBADF, out = -EBADF;
	int r = 0;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return negative_errno();
	r = path_join(tmp, sizeof(tmp), "%s.tmpXXXXXX", dst);
	if (r < 0)
		return r;
	out = mkostemp(tmp, O_CLOEXEC);
	if (out < 0)
		return negative_errno();
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = negative_errno();
			break;
		}
		if (n == 0)
			break;
		r = write_all(out, buf, (size_t)n);
		if (r < 0)
			break;
	}
	if (r >= 0 && fchmod(out, (mode_t)mode) < 0)
		r = negative_errno();
	if (r >= 0 && rename(tmp, dst) < 0)
		r = negative_errno();
	if (r < 0)
		unlink(tmp);
	return r;
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

void rm_rf(const char *path)
{
	(void)nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

double now_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
