// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "macro.h"

/* Reads the first line of a small file into buf (bounded, newline stripped). */
static int read_first_line(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = -EBADF;
	ssize_t n;
	char *nl;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	n = read(fd, buf, size - 1);
	if (n < 0)
		return negative_errno();
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return buf[0] ? 0 : -ENODATA;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int capture_machine_read(const char *host_root, struct capture_machine *ret)
{
	struct utsname u;
	char path[4096];
	uint64_t real, boot;
	long n;

	memset(ret, 0, sizeof(*ret));
	if (uname(&u) < 0)
		return negative_errno();

	/* In a container the node's name is in the host's /etc/hostname, not in our uts namespace. */
	snprintf(path, sizeof(path), "%s/etc/hostname", host_root ? host_root : "");
	if (!host_root || !*host_root || read_first_line(path, ret->hostname, sizeof(ret->hostname)) < 0)
		snprintf(ret->hostname, sizeof(ret->hostname), "%s", u.nodename);
	snprintf(ret->kernel_release, sizeof(ret->kernel_release), "%s", u.release);
	snprintf(ret->kernel_version, sizeof(ret->kernel_version), "%s", u.version);
	snprintf(ret->arch, sizeof(ret->arch), "%s", u.machine);

	/* Two reads close together: the error is the time between them, well under a microsecond. */
	boot = clock_ns(CLOCK_BOOTTIME);
	real = clock_ns(CLOCK_REALTIME);
	ret->boot_time_ns = real - boot;
	ret->api_version = OSP_API_VERSION;
	ret->schema_version = OSP_SCHEMA_VERSION;
	n = sysconf(_SC_NPROCESSORS_CONF);
	ret->ncpus = n > 0 ? (uint32_t)n : 1;
	return 0;
}
