// SPDX-License-Identifier: Apache-2.0
/*
 * The kernel module source: /dev/osprey<cpu> devices of the osprey module
 * (driver/kmod), one per possible CPU, each mapped as a control page and a
 * double-mapped data area (driver/schema/osprey_kmod_abi.h). The module
 * never wakes us up: wait() polls with a bounded backoff. The buffer size is
 * the module's (parameter buffer_bytes_per_cpu): capture_opts.buffer_bytes
 * and cpus_per_buffer do not apply to this source.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "kmod_ring.h"
#include "macro.h"
#include "osprey_kmod_abi.h"
#include "source.h"
#include "syscall_map.h"

#define KMOD_POLL_MIN_MS 1
#define KMOD_POLL_MAX_MS 20
#define KMOD_DEVICES_MAX 8192u /* CONFIG_NR_CPUS of the largest distribution kernels */

struct kmod_dev {
	int fd;
	void *ctrl; /* OSP_KMOD_CTRL_SIZE bytes */
	void *data; /* 2 * data_size bytes */
};

struct source {
	struct kmod_dev *devs;
	struct kmod_ring *rings;
	unsigned ndevs;
	uint64_t data_size;
	struct kmod_merge merge;
	struct capture_machine machine;
	char error[512];
};

_printf_(2, 3) static void set_error(struct source *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
}

static void source_kmod_close(struct source *s)
{
	if (!s)
		return;
	if (s->ndevs && s->devs[0].fd >= 0)
		(void)ioctl(s->devs[0].fd, OSP_KMOD_IOC_STOP);
	for (unsigned i = 0; i < s->ndevs; i++) {
		struct kmod_dev *d = &s->devs[i];

		if (d->data)
			munmap(d->data, 2 * s->data_size);
		if (d->ctrl)
			munmap(d->ctrl, OSP_KMOD_CTRL_SIZE);
		if (d->fd >= 0)
			close(d->fd);
	}
	free(s->devs);
	free(s->rings);
	free(s);
}

/*
 * The module's interest set from the capture's (OSP_EVT_COUNT entries, NULL = all). Events the
 * schema flags OSP_EF_ALWAYS (process lifecycle, needed by state tracking) are always on.
 */
static void interest_to_kmod(const uint8_t *interest, struct osp_kmod_interest *ret)
{
	static const uint32_t proc_bits[][2] = {
		{OSP_EVT_PROC_FORK, OSP_KMOD_PROC_FORK},
		{OSP_EVT_PROC_EXEC, OSP_KMOD_PROC_EXEC},
		{OSP_EVT_PROC_EXIT, OSP_KMOD_PROC_EXIT},
	};

	memset(ret, 0, sizeof(*ret));
	for (unsigned nr = 0; nr < OSP_SYSCALL_MAX; nr++) {
		uint16_t evt = osp_syscall_to_event[nr];

		ret->syscalls[nr] = evt && (!interest || interest[evt]);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(proc_bits); i++) {
		const struct osp_event_info *info = event_info((uint16_t)proc_bits[i][0]);

		if (!interest || interest[proc_bits[i][0]] ||
		    (info && (info->flags & OSP_EF_ALWAYS)))
			ret->proc_events |= proc_bits[i][1];
	}
}

static int source_kmod_set_interest(struct source *s, const uint8_t *interest)
{
	struct osp_kmod_interest in;

	interest_to_kmod(interest, &in);
	if (ioctl(s->devs[0].fd, OSP_KMOD_IOC_SET_INTEREST, &in) < 0)
		return negative_errno();
	return 0;
}

/* Opens one device; explains the usual failures. */
static int dev_open(struct source *s, const char *path, bool first)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	int r;

	if (fd >= 0)
		return fd;
	r = negative_errno();
	switch (r) {
	case -ENOENT:
	case -ENXIO:
	case -ENODEV:
		if (first)
			set_error(s,
				  "%s not found: is the osprey kernel module loaded? "
				  "(osprey-driver-loader kmod)",
				  path);
		break;
	case -EACCES:
	case -EPERM:
		set_error(s, "cannot open %s: permission denied (capturing needs root)", path);
		break;
	case -EBUSY:
		set_error(s,
			  "%s is busy: as many processes as the module's max_consumers parameter "
			  "capture already",
			  path);
		break;
	default:
		set_error(s, "cannot open %s: %s", path, strerror(-r));
		break;
	}
	return r;
}

static int check_versions(struct source *s, const char *path, const struct osp_kmod_info *info)
{
	if (OSP_VERSION_MAJOR(info->api_version) != OSP_API_VERSION_MAJOR) {
		set_error(s,
			  "%s: the osprey kernel module has API version %u.%u.%u, this runtime "
			  "needs %u.x (it has %u.%u.%u): load the module that ships with this "
			  "runtime",
			  path, OSP_VERSION_MAJOR(info->api_version),
			  OSP_VERSION_MINOR(info->api_version),
			  OSP_VERSION_PATCH(info->api_version), OSP_API_VERSION_MAJOR,
			  OSP_API_VERSION_MAJOR, OSP_API_VERSION_MINOR, OSP_API_VERSION_PATCH);
		return -EPROTO;
	}
	if (OSP_VERSION_MAJOR(info->schema_version) != OSP_SCHEMA_VERSION_MAJOR) {
		set_error(s,
			  "%s: the osprey kernel module has schema version %u.%u.%u, this runtime "
			  "needs %u.x (it has %u.%u.%u): load the module that ships with this "
			  "runtime",
			  path, OSP_VERSION_MAJOR(info->schema_version),
			  OSP_VERSION_MINOR(info->schema_version),
			  OSP_VERSION_PATCH(info->schema_version), OSP_SCHEMA_VERSION_MAJOR,
			  OSP_SCHEMA_VERSION_MAJOR, OSP_SCHEMA_VERSION_MINOR,
			  OSP_SCHEMA_VERSION_PATCH);
		return -EPROTO;
	}
	if (info->ndevices == 0 || info->ndevices > KMOD_DEVICES_MAX ||
	    info->data_size < OSP_KMOD_BUFFER_MIN || info->data_size > OSP_KMOD_BUFFER_MAX ||
	    (info->data_size & (info->data_size - 1))) {
		set_error(s,
			  "%s: the module reports an impossible geometry (%u devices, %llu bytes "
			  "per buffer)",
			  path, info->ndevices, (unsigned long long)info->data_size);
		return -EPROTO;
	}
	return 0;
}

/* Maps the control page and the data area of an open device into d, and sets up its ring. */
static int dev_map(struct source *s, const char *path, struct kmod_dev *d, struct kmod_ring *ring)
{
	void *p;
	int r;

	p = mmap(NULL, OSP_KMOD_CTRL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd,
		 OSP_KMOD_MMAP_CTRL);
	if (p == MAP_FAILED) {
		r = negative_errno();
		set_error(s, "cannot map the control page of %s: %s", path, strerror(-r));
		return r;
	}
	d->ctrl = p;
	p = mmap(NULL, 2 * s->data_size, PROT_READ, MAP_SHARED, d->fd, OSP_KMOD_MMAP_DATA);
	if (p == MAP_FAILED) {
		r = negative_errno();
		set_error(s, "cannot map the %llu-byte buffer of %s: %s",
			  (unsigned long long)s->data_size, path, strerror(-r));
		return r;
	}
	d->data = p;
	r = kmod_ring_init(ring, d->ctrl, d->data, s->data_size);
	if (r < 0) {
		set_error(s, "%s: the control page does not describe a %llu-byte osprey buffer",
			  path, (unsigned long long)s->data_size);
		return r;
	}
	return 0;
}

static int source_kmod_open(const struct capture_opts *opts, struct source **ret,
			    const char **ret_error)
{
	static __thread char open_error[512];
	const char *dir = opts->path && *opts->path ? opts->path : "/dev";
	uint32_t snaplen = opts->snaplen ? opts->snaplen : OSP_SNAPLEN_DEFAULT;
	struct osp_kmod_info info;
	uint32_t tgid;
	unsigned nrings = 0;
	char path[4096];
	struct source *s;
	int fd, r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;

	if (snaplen > OSP_SNAPLEN_MAX) {
		set_error(s, "snaplen %u is too large: at most %u", snaplen, OSP_SNAPLEN_MAX);
		r = -EINVAL;
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/%s0", dir, OSP_KMOD_NAME);
	fd = dev_open(s, path, true);
	if (fd < 0) {
		r = fd;
		goto fail;
	}
	if (ioctl(fd, OSP_KMOD_IOC_GET_INFO, &info) < 0) {
		r = negative_errno();
		set_error(s, "%s is not an osprey device (GET_INFO: %s)", path, strerror(-r));
		close(fd);
		goto fail;
	}
	r = check_versions(s, path, &info);
	if (r < 0) {
		close(fd);
		goto fail;
	}

	s->data_size = info.data_size;
	s->devs = calloc(info.ndevices, sizeof(*s->devs));
	s->rings = calloc(info.ndevices, sizeof(*s->rings));
	if (!s->devs || !s->rings) {
		close(fd);
		r = -ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < info.ndevices; i++)
		s->devs[i].fd = -EBADF;
	s->ndevs = info.ndevices;
	s->devs[0].fd = fd;

	for (unsigned cpu = 0; cpu < info.ndevices; cpu++) {
		struct kmod_dev *d = &s->devs[cpu];

		snprintf(path, sizeof(path), "%s/%s%u", dir, OSP_KMOD_NAME, cpu);
		if (cpu > 0) {
			d->fd = dev_open(s, path, false);
			/* No node for a CPU that can never be present: skip it. */
			if (d->fd == -ENOENT || d->fd == -ENXIO)
				continue;
			if (d->fd < 0) {
				r = d->fd;
				goto fail;
			}
		}
		/* Keep the rings dense: ring i is not necessarily CPU i. */
		r = dev_map(s, path, d, &s->rings[nrings]);
		if (r < 0)
			goto fail;
		nrings++;
	}
	kmod_merge_init(&s->merge, s->rings, nrings);

	snprintf(path, sizeof(path), "%s/%s0", dir, OSP_KMOD_NAME);
	r = source_kmod_set_interest(s, opts->interest);
	if (r < 0) {
		set_error(s, "%s: cannot set the interest set: %s", path, strerror(-r));
		goto fail;
	}
	if (ioctl(fd, OSP_KMOD_IOC_SET_SNAPLEN, &snaplen) < 0) {
		r = negative_errno();
		set_error(s, "%s: cannot set snaplen %u: %s", path, snaplen, strerror(-r));
		goto fail;
	}
	tgid = opts->keep_self ? 0 : (uint32_t)getpid();
	if (ioctl(fd, OSP_KMOD_IOC_SET_IGNORE_TGID, &tgid) < 0) {
		r = negative_errno();
		set_error(s, "%s: cannot filter out this process: %s", path, strerror(-r));
		goto fail;
	}

	r = capture_machine_read(opts->host_root, &s->machine);
	if (r < 0) {
		set_error(s, "cannot read this machine's facts: %s", strerror(-r));
		goto fail;
	}
	s->machine.api_version = info.api_version;
	s->machine.schema_version = info.schema_version;

	if (ioctl(fd, OSP_KMOD_IOC_START, 0) < 0) {
		r = negative_errno();
		set_error(s, "%s: cannot start capturing: %s (see the kernel log)", path,
			  strerror(-r));
		goto fail;
	}
	*ret = s;
	return 0;

fail:
	snprintf(open_error, sizeof(open_error), "%s", s->error[0] ? s->error : strerror(-r));
	*ret_error = open_error;
	source_kmod_close(s);
	return r;
}

static int source_kmod_next(struct source *s, const void **ret_buf, size_t *ret_size,
			    uint64_t *malformed)
{
	return kmod_merge_next(&s->merge, ret_buf, ret_size, malformed);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* No wake-ups from the module: look, sleep 1 ms, 2, 4 ... up to 20 ms between looks. */
static int source_kmod_wait(struct source *s, int timeout_ms)
{
	uint64_t start = now_ms();
	unsigned step = KMOD_POLL_MIN_MS;

	for (;;) {
		uint64_t elapsed;
		unsigned nap;
		struct timespec ts;

		if (kmod_merge_has_data(&s->merge))
			return 1;
		elapsed = now_ms() - start;
		if (timeout_ms >= 0 && elapsed >= (uint64_t)timeout_ms)
			return 0;
		nap = step;
		if (timeout_ms >= 0 && nap > (uint64_t)timeout_ms - elapsed)
			nap = (unsigned)((uint64_t)timeout_ms - elapsed);
		ts.tv_sec = 0;
		ts.tv_nsec = (long)nap * 1000000L;
		if (nanosleep(&ts, NULL) < 0 && errno == EINTR)
			return 0;
		step = MIN(step * 2, KMOD_POLL_MAX_MS);
	}
}

static int source_kmod_get_stats(struct source *s, struct capture_stats *stats)
{
	for (unsigned i = 0; i < s->merge.nrings; i++) {
		const volatile struct osp_counters *c = &s->rings[i].ctrl->counters;

		stats->produced += c->events;
		stats->drops_buffer += c->drops_buffer;
		stats->drops_too_big += c->drops_too_big;
		stats->faults += c->faults;
		stats->truncations += c->truncations;
	}
	stats->nbuffers = s->merge.nrings;
	return 0;
}

static const struct capture_machine *source_kmod_get_machine(struct source *s)
{
	return &s->machine;
}

static const char *source_kmod_get_error(struct source *s)
{
	return s->error;
}

const struct source_ops source_kmod_ops = {
	.name = "kmod",
	.open = source_kmod_open,
	.next = source_kmod_next,
	.wait = source_kmod_wait,
	.get_fd = NULL, /* nothing to poll: the module does not wake readers */
	.set_interest = source_kmod_set_interest,
	.get_stats = source_kmod_get_stats,
	.get_machine = source_kmod_get_machine,
	.get_error = source_kmod_get_error,
	.close = source_kmod_close,
	.poll_interval_ms = KMOD_POLL_MAX_MS,
};
