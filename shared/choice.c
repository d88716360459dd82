// SPDX-License-Identifier: Apache-2.0
/*
 * The driver choice file (choice.h), shared by osprey-driver-loader, which writes
 * it, and osprey, which reads it at start. Only libc and macro.h, so both link it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "choice.h"
#include "macro.h"
#include "parse.h"

/* mkdir -p of path's parent directory (mode 0755). */
static int mkdir_parents(const char *path)
{
	char dir[4096];
	size_t n = strlen(path);

	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, n + 1);
	for (char *s = dir + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

/* Writes data to path through a temporary file in the same directory, fsync'd, then renamed. */
static int write_atomic(const char *path, const char *data, size_t size)
{
	char tmp[4096 + 16];
	_cleanup_close_ int fd = -EBADF;
	int n, r = 0;

	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (size > 0 && r == 0) {
		ssize_t w = write(fd, data, size);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			r = w < 0 ? -errno : -EIO;
		else {
			data += w;
			size -= (size_t)w;
		}
	}
	if (r == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
	return r;
}

int choice_write(const char *path, const struct driver_choice *c)
{
	const char *vals[] = {c->driver,      c->path,		 c->module, c->dev_dir,
			      c->api_version, c->kernel_release, c->reason};
	char buf[CHOICE_FILE_MAX];
	int n, r;

	for (size_t i = 0; i < ARRAY_SIZE(vals); i++)
		if (strpbrk(vals[i], "\r\n"))
			return -EINVAL;
	if (strcmp(c->driver, "ebpf") != 0 && strcmp(c->driver, "kmod") != 0)
		return -EINVAL;
	r = mkdir_parents(path);
	if (r < 0)
		return r;
	n = snprintf(buf, sizeof(buf),
		     "# Written by osprey-driver-loader; read by osprey at start.\n"
		     "format=%d\ndriver=%s\npath=%s\nmodule=%s\ndev_dir=%s\napi_version=%s\n"
		     "kernel_release=%s\nreason=%s\n",
		     CHOICE_FORMAT, c->driver, c->path, c->module, c->dev_dir, c->api_version,
		     c->kernel_release, c->reason);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	return write_atomic(path, buf, (size_t)n);
}

int choice_read(const char *path, struct driver_choice *ret, unsigned *ret_line)
{
	static const struct {
		const char *key;
		size_t off, size;
	} keys[] = {
#define K(k) {#k, offsetof(struct driver_choice, k), sizeof(((struct driver_choice *)0)->k)}
		K(driver),	K(path),	   K(module), K(dev_dir),
		K(api_version), K(kernel_release), K(reason),
#undef K
	};
	_cleanup_close_ int fd = -EBADF;
	char data[CHOICE_FILE_MAX + 1];
	size_t len = 0;
	unsigned lineno = 0;
	char *line, *save = NULL;

	memset(ret, 0, sizeof(*ret));
	if (ret_line)
		*ret_line = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while (len < sizeof(data)) {
		ssize_t n = read(fd, data + len, sizeof(data) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CHOICE_FILE_MAX)
		return -EFBIG;
	if (memchr(data, '\0', len))
		return -EBADMSG;
	data[len] = '\0';
	/* strtok_r would skip empty lines and lose the count: split by hand. */
	for (line = data; line && *line; line = save) {
		char *eq, *nl = strchr(line, '\n');
		size_t vlen;
		bool known = false;

		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		eq = strchr(line, '=');
		if (!eq || eq == line) {
			if (ret_line)
				*ret_line = lineno;
			return -EBADMSG;
		}
		*eq = '\0';
		vlen = strlen(eq + 1);
		for (size_t i = 0; i < ARRAY_SIZE(keys) && !known; i++) {
			if (strcmp(line, keys[i].key) != 0)
				continue;
			known = true;
			if (vlen >= keys[i].size) {
				if (ret_line)
					*ret_line = lineno;
				return -EBADMSG;
			}
			memcpy((char *)ret + keys[i].off, eq + 1, vlen + 1);
		}
	}
	if (strcmp(ret->driver, "ebpf") != 0 && strcmp(ret->driver, "kmod") != 0)
		return -EBADMSG;
	return 0;
}

int choice_api_major(const char *api_version, unsigned *ret)
{
	char major[16];
	const char *dot = strchr(api_version, '.');
	size_t n = dot ? (size_t)(dot - api_version) : 0;
	uint32_t v;
	int r;

	if (n == 0 || n >= sizeof(major))
		return -EINVAL;
	memcpy(major, api_version, n);
	major[n] = '\0';
	r = safe_atou32(major, &v);
	if (r < 0)
		return -EINVAL;
	*ret = v;
	return 0;
}
