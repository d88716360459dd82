// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "choice.h"
#include "util.h"

int choice_write(const char *path, const struct driver_choice *c)
{
	const char *vals[] = { c->driver, c->path, c->module, c->api_version, c->kernel_release,
			       c->reason };
	char dir[PATH_MAX_LEN], buf[8192];
	char *slash;
	int n, r;

	for (size_t i = 0; i < ARRAY_SIZE(vals); i++)
		if (strpbrk(vals[i], "\r\n"))
			return -EINVAL;
	if (!streq(c->driver, "ebpf") && !streq(c->driver, "kmod"))
		return -EINVAL;
	r = path_join(dir, sizeof(dir), "%s", path);
	if (r < 0)
		return r;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		r = mkdir_p(dir);
		if (r < 0)
			return r;
	}
	n = snprintf(buf, sizeof(buf),
		     "# Written by osprey-driver-loader; read by osprey at start.\n"
		     "format=%d\ndriver=%s\npath=%s\nmodule=%s\napi_version=%s\n"
		     "kernel_release=%s\nreason=%s\n",
		     CHOICE_FORMAT, c->driver, c->path, c->module, c->api_version, c->kernel_release,
		     c->reason);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	return write_file_atomic(path, buf, (size_t)n, 0644);
}

int choice_read(const char *path, struct driver_choice *ret)
{
	static const struct {
		const char *key;
		size_t off, size;
	} keys[] = {
#define K(k) { #k, offsetof(struct driver_choice, k), sizeof(((struct driver_choice *)0)->k) }
		K(driver), K(path), K(module), K(api_version), K(kernel_release), K(reason),
#undef K
	};
	_cleanup_free_ char *data = NULL;
	char *line, *save = NULL;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = read_file_full(path, 65536, &data, NULL);
	if (r < 0)
		return r;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (!eq)
			return -EBADMSG;
		*eq = '\0';
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			if (!streq(line, keys[i].key))
				continue;
			if (strlen(eq + 1) >= keys[i].size)
				return -EBADMSG;
			memcpy((char *)ret + keys[i].off, eq + 1, strlen(eq + 1) + 1);
		}
	}
	if (!streq(ret->driver, "ebpf") && !streq(ret->driver, "kmod"))
		return -EBADMSG;
	return 0;
}
