// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmod-abi-check: exercises the device interface of a loaded osprey module
 * (driver/schema/osprey_kmod_abi.h) the way a careless or hostile consumer
 * would: bad ioctl arguments, wrong mmap sizes and protections, more
 * consumers than max_consumers. Run as root where the module is loaded
 * (the VM suite: driver/kmod/vm-check.sh). Exits 0 when every check held,
 * 1 otherwise, 77 when /dev/osprey0 does not exist.
 *
 *   kmod-abi-check [DEVDIR] [MAX_CONSUMERS]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "osprey_kmod_abi.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			printf("ok - " __VA_ARGS__);                                               \
		} else {                                                                           \
			printf("not ok - " __VA_ARGS__);                                           \
			failures++;                                                                \
		}                                                                                  \
		printf("\n");                                                                      \
	} while (0)

/* -errno of a call that returned < 0, or its result. */
static long res(long r)
{
	return r < 0 ? -errno : r;
}

static int open_dev(const char *dir, unsigned cpu)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/osprey%u", dir, cpu);
	return open(path, O_RDWR | O_CLOEXEC);
}

static void check_ioctls(int fd, const struct osp_kmod_info *info)
{
	struct osp_kmod_interest in;
	struct osp_counters cnt;
	uint32_t v;

	CHECK(res(ioctl(fd, OSP_KMOD_IOC_GET_INFO, (void *)8)) == -EFAULT,
	      "GET_INFO to a bad pointer: EFAULT");
	CHECK(res(ioctl(fd, _IO(OSP_KMOD_IOC_MAGIC, 0x7f))) == -ENOTTY, "unknown ioctl: ENOTTY");
	CHECK(res(ioctl(fd, _IO('T', 0x01))) == -ENOTTY, "a tty ioctl: ENOTTY");

	v = 0;
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_SET_SNAPLEN, &v)) == -EINVAL, "snaplen 0: EINVAL");
	v = info->snaplen_max + 1;
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_SET_SNAPLEN, &v)) == -EINVAL, "snaplen max+1: EINVAL");
	v = info->snaplen_max;
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_SET_SNAPLEN, &v)) == 0, "snaplen max: accepted");
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_SET_SNAPLEN, NULL)) == -EFAULT,
	      "snaplen from NULL: EFAULT");

	memset(&in, 0, sizeof(in));
	in.reserved = 1;
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_SET_INTEREST, &in)) == -EINVAL,
	      "interest reserved != 0: EINVAL");
	in.reserved = 0;
	in.proc_events = 0x80;
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_SET_INTEREST, &in)) == -EINVAL,
	      "unknown proc event bit: EINVAL");
	in.proc_events = OSP_KMOD_PROC_ALL;
	in.syscalls[2] = 1;
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_SET_INTEREST, &in)) == 0, "interest: accepted");
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_SET_INTEREST, (void *)16)) == -EFAULT,
	      "interest from a bad pointer: EFAULT");

	v = 0x7fffffff;
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_SET_IGNORE_TGID, &v)) == -EINVAL,
	      "ignore tgid over PID_MAX_LIMIT: EINVAL");
	v = (uint32_t)getpid();
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_SET_IGNORE_TGID, &v)) == 0, "ignore own tgid: accepted");

	CHECK(res(ioctl(fd, OSP_KMOD_IOC_GET_STATS, (void *)8)) == -EFAULT,
	      "GET_STATS to a bad pointer: EFAULT");
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_GET_STATS, &cnt)) == 0, "GET_STATS: ok");
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_START)) == 0, "START");
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_START)) == 0, "START again: idempotent");
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_STOP)) == 0, "STOP");
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_STOP)) == 0, "STOP again: idempotent");
}

static void check_mmap(int fd, const struct osp_kmod_info *info)
{
	size_t data2 = 2 * (size_t)info->data_size;
	struct osp_kmod_ctrl *ctrl;
	uint8_t *data, *p;

	p = mmap(NULL, 2 * OSP_KMOD_CTRL_SIZE, PROT_READ, MAP_SHARED, fd, OSP_KMOD_MMAP_CTRL);
	CHECK(p == MAP_FAILED && errno == EINVAL, "control page mapped with a wrong size: EINVAL");
	p = mmap(NULL, OSP_KMOD_CTRL_SIZE, PROT_READ, MAP_PRIVATE, fd, OSP_KMOD_MMAP_CTRL);
	CHECK(p == MAP_FAILED && errno == EINVAL, "private mapping: EINVAL");
	p = mmap(NULL, data2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, OSP_KMOD_MMAP_DATA);
	CHECK(p == MAP_FAILED && errno == EPERM, "data area mapped writable: EPERM");
	p = mmap(NULL, data2 / 2, PROT_READ, MAP_SHARED, fd, OSP_KMOD_MMAP_DATA);
	CHECK(p == MAP_FAILED && errno == EINVAL, "data area mapped once only: EINVAL");
	p = mmap(NULL, OSP_KMOD_CTRL_SIZE, PROT_READ, MAP_SHARED, fd, 3 * OSP_KMOD_MMAP_DATA);
	CHECK(p == MAP_FAILED && errno == EINVAL, "unknown offset: EINVAL");

	ctrl = mmap(NULL, OSP_KMOD_CTRL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    OSP_KMOD_MMAP_CTRL);
	CHECK(ctrl != MAP_FAILED, "control page mapped");
	data = mmap(NULL, data2, PROT_READ, MAP_SHARED, fd, OSP_KMOD_MMAP_DATA);
	CHECK(data != MAP_FAILED, "data area mapped");
	if (ctrl == MAP_FAILED || data == MAP_FAILED)
		return;
	CHECK(ctrl->magic == OSP_KMOD_CTRL_MAGIC && ctrl->data_size == info->data_size &&
		      ctrl->api_version == OSP_API_VERSION && ctrl->cpu == info->cpu,
	      "control page: magic, size, version, cpu");
	CHECK(mprotect(data, data2, PROT_READ | PROT_WRITE) < 0,
	      "data area cannot be made writable");
	/* The two copies are the same pages. */
	CHECK(memcmp(data, data + info->data_size, 4096) == 0, "second copy mirrors the first");
	/* A consumer's tail far from head is not trusted: the producer drops, nothing breaks. */
	ctrl->tail = ctrl->head + (1ull << 40);
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_START)) == 0, "START with a nonsense tail");
	for (int i = 0; i < 100; i++)
		close(open("/nonexistent-osprey", O_RDONLY));
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_STOP)) == 0, "STOP");
	munmap(data, data2);
	munmap(ctrl, OSP_KMOD_CTRL_SIZE);
}

/* Each of max_consumers processes gets its own slot; one more gets EBUSY. */
static void check_consumers(const char *dir, unsigned max_consumers)
{
	int ready[2], go[2];
	pid_t kids[32];
	unsigned n = 0;
	char c;

	if (max_consumers > 32 || pipe(ready) < 0 || pipe(go) < 0)
		return;
	/* This process holds one slot already. */
	for (unsigned i = 1; i < max_consumers; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			int fd = open_dev(dir, 0);

			close(go[1]); /* so that the parent's close is our EOF */
			c = fd >= 0 ? 'y' : 'n';
			(void)!write(ready[1], &c, 1);
			(void)!read(go[0], &c, 1);
			_exit(0);
		}
		kids[n++] = pid;
	}
	for (unsigned i = 0; i < n; i++) {
		CHECK(read(ready[0], &c, 1) == 1 && c == 'y', "consumer %u opens", i + 2);
	}
	{
		pid_t pid = fork();

		if (pid == 0) {
			int fd = open_dev(dir, 0);

			_exit(fd < 0 && errno == EBUSY ? 0 : 1);
		}
		int status = 0;

		waitpid(pid, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "consumer %u of max_consumers=%u: EBUSY", max_consumers + 1, max_consumers);
	}
	close(go[1]);
	close(go[0]);
	close(ready[0]);
	close(ready[1]);
	for (unsigned i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	{
		pid_t pid = fork();

		if (pid == 0)
			_exit(open_dev(dir, 0) >= 0 ? 0 : 1);
		int status = 0;

		waitpid(pid, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "a slot is free again after its process closed");
	}
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/dev";
	unsigned max_consumers = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1;
	struct osp_kmod_info info;
	int fd, fd1;

	fd = open_dev(dir, 0);
	if (fd < 0) {
		fprintf(stderr, "SKIP: %s/osprey0: %s\n", dir, strerror(errno));
		return errno == ENOENT ? 77 : 1;
	}
	CHECK(res(ioctl(fd, OSP_KMOD_IOC_GET_INFO, &info)) == 0, "GET_INFO");
	CHECK(info.api_version == OSP_API_VERSION && info.schema_version == OSP_SCHEMA_VERSION,
	      "versions %#x %#x", info.api_version, info.schema_version);
	CHECK(info.max_consumers == max_consumers, "max_consumers %u", info.max_consumers);
	fd1 = open_dev(dir, 0);
	CHECK(fd1 >= 0, "the same process opens a device twice");
	if (fd1 >= 0)
		close(fd1);
	check_ioctls(fd, &info);
	check_mmap(fd, &info);
	check_consumers(dir, max_consumers);
	close(fd);
	printf("kmod-abi-check: %d failed\n", failures);
	return failures ? 1 : 0;
}
