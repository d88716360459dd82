// SPDX-License-Identifier: Apache-2.0
/*
 * The eBPF source: loads the embedded probe, gives it one BPF ring buffer per
 * CPU (or per group of CPUs), and reads the buffers directly from their mmap'd
 * pages, so capture_next() can hand out records in place and merge the buffers
 * by timestamp. libbpf's ring_buffer__poll() would copy nothing either, but it
 * is callback-driven and consumes each buffer to the end, which makes a merge
 * impossible.
 *
 * The probe does not wake the consumer per record (BPF_RB_NO_WAKEUP); it
 * forces a wake-up only when a buffer fills past a watermark. The consumer
 * polls at a short interval otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/capability.h>

#include "log.h"
#include "macro.h"
#include "probe.skel.h"
#include "source.h"
#include "syscall_map.h"

#define BPF_POLL_INTERVAL_MS 10
#define LIBBPF_LOG_LINES 8
/*
 * The producer and the consumer share two cache lines per ring (producer_pos,
 * consumer_pos) besides the data. Touching them per record makes them bounce
 * between CPUs on every event, which costs the traced program more than writing
 * the record. So the consumer gives space back in batches (CONSUME_BATCH_SHIFT:
 * 1/64 of the ring), re-reads producer_pos only when it has caught up with the
 * last value it read, and lets records accumulate before draining: it is woken
 * at the watermark (1/4 of the ring) or polls every BPF_POLL_INTERVAL_MS.
 */
#define CONSUME_BATCH_SHIFT 6

struct ring {
	int map_fd;
	size_t size;                 /* data area, power of two */
	unsigned long *consumer_pos; /* read-write page */
	unsigned long *producer_pos; /* read-only page, followed by the data mapped twice */
	uint8_t *data;
	void *producer_map;
	size_t producer_map_len;
	unsigned long cons;          /* our consumer position; published lazily */
	unsigned long published;     /* the last value written to *consumer_pos */
	unsigned long prod;          /* the last producer position read */
	/* The oldest record not yet handed out, peeked but not consumed. */
	const uint8_t *head;
	size_t head_size;
	uint64_t head_ts;
	unsigned long head_next; /* consumer position after the head record */
	bool has_head;
};

struct source {
	struct probe_bpf *skel;
	struct ring *rings;
	unsigned nrings;
	struct ring *pending; /* ring whose head was handed out: consume it on the next call */
	int epoll_fd;
	unsigned ncpus;
	struct capture_machine machine;
	char error[768];
};

/* The last lines libbpf printed, to explain a failed load without a bare errno. */
static char libbpf_lines[LIBBPF_LOG_LINES][256];
static unsigned libbpf_next_line;

static int libbpf_print(enum libbpf_print_level level, const char *format, va_list ap)
{
	char *line = libbpf_lines[libbpf_next_line++ % LIBBPF_LOG_LINES];
	size_t n;

	vsnprintf(line, sizeof(libbpf_lines[0]), format, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n'))
		line[--n] = '\0';
	if (level == LIBBPF_DEBUG || log_get_max_level() < LOG_DEBUG)
		return 0;
	log_debug("libbpf: %s", line);
	return 0;
}

/* The most informative of libbpf's recent lines: the verifier's last words, or libbpf's error. */
static const char *libbpf_last_line(void)
{
	for (unsigned i = 1; i <= LIBBPF_LOG_LINES; i++) {
		const char *l = libbpf_lines[(libbpf_next_line - i) % LIBBPF_LOG_LINES];
		if (*l && !strstr(l, "-- END PROG LOAD LOG --") && !strstr(l, "failed to load object"))
			return l;
	}
	return "";
}

static void set_error(struct source *s, const char *fmt, ...) _printf_(2, 3);
static void set_error(struct source *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
}

/*
 * Whether this process may load BPF programs at all: CAP_BPF or CAP_SYS_ADMIN in its
 * effective set. libbpf's feature probes answer "not supported" when the real answer is
 * "not permitted", so a missing capability is told apart here first.
 */
static bool may_use_bpf(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};
	const unsigned cap_bpf = 39; /* CAP_BPF, absent from older headers */

	if (syscall(SYS_capget, &h, d) < 0)
		return true; /* cannot tell: let the probes speak */
	return (d[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32))) ||
	       (d[cap_bpf / 32].effective & (1u << (cap_bpf % 32)));
}

/*
 * Checks the kernel features the probe needs, before libbpf tries and fails
 * with a bare errno. Returns 0 or -errno with s->error explaining.
 */
static int check_kernel_features(struct source *s)
{
	int r;

	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0) {
		set_error(s, "the kernel has no BTF (/sys/kernel/btf/vmlinux is missing): the eBPF probe "
			     "needs a kernel built with CONFIG_DEBUG_INFO_BTF=y; use the kernel module "
			     "driver instead (osprey-driver-loader kmod, then --source kmod)");
		return -EOPNOTSUPP;
	}
	r = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);
	if (r == -EPERM || (r < 0 && errno == EPERM) || (r <= 0 && !may_use_bpf())) {
		set_error(s, "not allowed to use eBPF: run as root, or grant CAP_BPF, CAP_PERFMON "
			     "and CAP_SYS_RESOURCE (CAP_SYS_ADMIN on kernels < 5.8); also check "
			     "kernel.unprivileged_bpf_disabled and lockdown");
		return -EPERM;
	}
	if (r <= 0) {
		set_error(s, "the kernel has no BPF ring buffer (Linux >= 5.8 needed): use the kernel "
			     "module driver instead");
		return -EOPNOTSUPP;
	}
	/*
	 * libbpf's probe for BTF tracing programs gives false negatives on recent kernels: a
	 * kernel without tp_btf support is reported when loading or attaching instead.
	 */
	return 0;
}

static int ring_map(struct source *s, struct ring *r)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, r->map_fd, 0);
	if (p == MAP_FAILED)
		return negative_errno();
	r->consumer_pos = p;
	/* The kernel maps the data area twice in a row: a record that wraps reads contiguously. */
	r->producer_map_len = page + 2 * r->size;
	p = mmap(NULL, r->producer_map_len, PROT_READ, MAP_SHARED, r->map_fd, page);
	if (p == MAP_FAILED) {
		int e = negative_errno();
		munmap(r->consumer_pos, page);
		r->consumer_pos = NULL;
		return e;
	}
	r->producer_map = p;
	r->producer_pos = p;
	r->data = (uint8_t *)p + page;
	(void)s;
	return 0;
}

static void ring_unmap(struct ring *r)
{
	long page = sysconf(_SC_PAGESIZE);

	if (r->consumer_pos)
		munmap(r->consumer_pos, page);
	if (r->producer_map)
		munmap(r->producer_map, r->producer_map_len);
	if (r->map_fd >= 0)
		close(r->map_fd);
}

static void source_bpf_close(struct source *s)
{
	if (!s)
		return;
	probe_bpf__destroy(s->skel);
	for (unsigned i = 0; s->rings && i < s->nrings; i++)
		ring_unmap(&s->rings[i]);
	free(s->rings);
	if (s->epoll_fd >= 0)
		close(s->epoll_fd);
	free(s);
}

static void apply_interest(struct probe_bpf *skel, const uint8_t *interest)
{
	for (unsigned nr = 0; nr < OSP_SYSCALL_MAX; nr++) {
		uint16_t evt = osp_syscall_to_event[nr];
		skel->bss->syscall_interest[nr] = evt && (!interest || interest[evt]);
	}
	/* Process lifecycle events feed state tracking: the interest set does not turn them off. */
	for (unsigned evt = OSP_EVT_PROC_FORK; evt <= OSP_EVT_PROC_EXIT; evt++)
		skel->bss->proc_interest[evt] = 1;
}

static int source_bpf_set_interest(struct source *s, const uint8_t *interest)
{
	apply_interest(s->skel, interest);
	return 0;
}

static bool is_power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int source_bpf_open(const struct capture_opts *opts, struct source **ret, const char **ret_error)
{
	static __thread char open_error[768];
	uint32_t size = opts->buffer_bytes ? opts->buffer_bytes : CAPTURE_BUFFER_DEFAULT;
	uint32_t per = opts->cpus_per_buffer ? opts->cpus_per_buffer : 1;
	uint32_t snaplen = opts->snaplen ? opts->snaplen : OSP_SNAPLEN_DEFAULT;
	long page = sysconf(_SC_PAGESIZE);
	struct source *s;
	int ncpus, r;

	*ret_error = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->epoll_fd = -EBADF;

	if (!is_power_of_two(size) || size % page || size < CAPTURE_BUFFER_MIN ||
	    size > CAPTURE_BUFFER_MAX) {
		set_error(s, "buffer size %u is invalid: it must be a power of two between %u and %u "
			     "bytes (e.g. 8M)", size, CAPTURE_BUFFER_MIN, CAPTURE_BUFFER_MAX);
		r = -EINVAL;
		goto fail;
	}
	if (snaplen > OSP_SNAPLEN_MAX) {
		set_error(s, "snaplen %u is too large: at most %u", snaplen, OSP_SNAPLEN_MAX);
		r = -EINVAL;
		goto fail;
	}
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		set_error(s, "cannot read the number of possible CPUs: %s", strerror(-ncpus));
		r = ncpus ? ncpus : -EIO;
		goto fail;
	}
	s->ncpus = (unsigned)ncpus;
	if (per > s->ncpus)
		per = s->ncpus;
	s->nrings = (s->ncpus + per - 1) / per;

	libbpf_set_print(libbpf_print);
	r = check_kernel_features(s);
	if (r < 0)
		goto fail;

	s->skel = probe_bpf__open();
	if (!s->skel) {
		r = -errno;
		set_error(s, "cannot open the embedded eBPF probe: %s", strerror(-r));
		goto fail;
	}
	if (s->skel->rodata->osp_api_version != OSP_API_VERSION ||
	    OSP_VERSION_MAJOR(s->skel->rodata->osp_schema_version) != OSP_SCHEMA_VERSION_MAJOR) {
		set_error(s, "the eBPF probe speaks API %u.%u.%u, schema %u.%u.%u; this runtime needs "
			     "API %u.x, schema %u.x",
			  OSP_VERSION_MAJOR(s->skel->rodata->osp_api_version),
			  OSP_VERSION_MINOR(s->skel->rodata->osp_api_version),
			  OSP_VERSION_PATCH(s->skel->rodata->osp_api_version),
			  OSP_VERSION_MAJOR(s->skel->rodata->osp_schema_version),
			  OSP_VERSION_MINOR(s->skel->rodata->osp_schema_version),
			  OSP_VERSION_PATCH(s->skel->rodata->osp_schema_version),
			  OSP_API_VERSION_MAJOR, OSP_SCHEMA_VERSION_MAJOR);
		r = -EPROTO;
		goto fail;
	}
	s->skel->rodata->cpus_per_buffer = per;
	bpf_map__set_max_entries(s->skel->maps.scratch_map, s->ncpus);
	bpf_map__set_max_entries(s->skel->maps.ringbufs, s->nrings);

	s->rings = calloc(s->nrings, sizeof(*s->rings));
	if (!s->rings) {
		r = -ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < s->nrings; i++) {
		s->rings[i].map_fd = -EBADF;
		s->rings[i].size = size;
	}
	for (unsigned i = 0; i < s->nrings; i++) {
		char name[16];

		snprintf(name, sizeof(name), "osp_rb%u", i % 100000u);
		r = bpf_map_create(BPF_MAP_TYPE_RINGBUF, name, 0, 0, size, NULL);
		if (r < 0) {
			set_error(s, "cannot create a %u-byte BPF ring buffer (%u of %u): %s%s", size,
				  i + 1, s->nrings, strerror(-r),
				  r == -ENOMEM || r == -EPERM
					  ? " (not enough locked memory: reduce --buffer-size or "
					    "share buffers with --cpus-per-buffer)"
					  : "");
			goto fail;
		}
		s->rings[i].map_fd = r;
	}
	r = bpf_map__set_inner_map_fd(s->skel->maps.ringbufs, s->rings[0].map_fd);
	if (r < 0) {
		set_error(s, "cannot set up the ring buffer map: %s", strerror(-r));
		goto fail;
	}

	r = probe_bpf__load(s->skel);
	if (r < 0) {
		if (r == -EPERM || r == -EACCES)
			set_error(s, "the kernel refused the eBPF probe (%s): run as root or with "
				     "CAP_BPF+CAP_PERFMON; libbpf said: %s",
				  strerror(-r), libbpf_last_line());
		else
			set_error(s, "the kernel's verifier rejected the eBPF probe (%s): %s; please "
				     "report this with your kernel version (uname -r), or use the "
				     "kernel module driver", strerror(-r), libbpf_last_line());
		goto fail;
	}
	for (unsigned i = 0; i < s->nrings; i++) {
		r = bpf_map_update_elem(bpf_map__fd(s->skel->maps.ringbufs), &i, &s->rings[i].map_fd,
					BPF_ANY);
		if (r < 0) {
			r = -errno;
			set_error(s, "cannot install ring buffer %u: %s", i, strerror(-r));
			goto fail;
		}
		r = ring_map(s, &s->rings[i]);
		if (r < 0) {
			set_error(s, "cannot map ring buffer %u: %s", i, strerror(-r));
			goto fail;
		}
	}

	s->skel->data->snaplen = snaplen;
	s->skel->data->wakeup_watermark = size / 4;
	s->skel->bss->own_tgid = opts->keep_self ? 0 : (uint32_t)getpid();
	apply_interest(s->skel, opts->interest);

	s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epoll_fd < 0) {
		r = negative_errno();
		set_error(s, "epoll_create1: %s", strerror(-r));
		goto fail;
	}
	for (unsigned i = 0; i < s->nrings; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
		if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->rings[i].map_fd, &ev) < 0) {
			r = negative_errno();
			set_error(s, "epoll_ctl: %s", strerror(-r));
			goto fail;
		}
	}

	r = probe_bpf__attach(s->skel);
	if (r < 0) {
		set_error(s, "cannot attach the eBPF probe to the syscall and scheduler tracepoints "
			     "(%s): %s", strerror(-r), libbpf_last_line());
		goto fail;
	}

	r = capture_machine_read(opts->host_root, &s->machine);
	if (r < 0) {
		set_error(s, "cannot read this machine's facts: %s", strerror(-r));
		goto fail;
	}
	*ret = s;
	return 0;

fail:
	snprintf(open_error, sizeof(open_error), "%s", s->error[0] ? s->error : strerror(-r));
	*ret_error = open_error;
	source_bpf_close(s);
	return r;
}

/* Makes what was consumed visible to the producer. */
static void ring_publish(struct ring *r)
{
	if (r->published != r->cons) {
		__atomic_store_n(r->consumer_pos, r->cons, __ATOMIC_RELEASE);
		r->published = r->cons;
	}
}

/* Bytes waiting in a ring, from the producer position read last. */
static unsigned long ring_pending(struct ring *r)
{
	return r->prod - r->cons;
}

/*
 * Looks at the oldest unread record of a ring without consuming it. Discarded
 * records are consumed on the way; a record still being written ends the look.
 */
static bool ring_peek(struct ring *r)
{
	unsigned long cons = r->cons;

	if (cons >= r->prod) {
		r->prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
		if (cons >= r->prod) {
			/* Caught up: give everything back before going idle. */
			ring_publish(r);
			return false;
		}
	}
	while (cons < r->prod) {
		const uint8_t *hdr = r->data + (cons & (r->size - 1));
		uint32_t len = __atomic_load_n((const uint32_t *)hdr, __ATOMIC_ACQUIRE);
		uint32_t data_len = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		unsigned long next = cons + ((data_len + BPF_RINGBUF_HDR_SZ + 7) & ~7ul);

		if (len & BPF_RINGBUF_BUSY_BIT)
			break;
		if (len & BPF_RINGBUF_DISCARD_BIT) {
			cons = next;
			r->cons = cons;
			continue;
		}
		r->head = hdr + BPF_RINGBUF_HDR_SZ;
		r->head_size = data_len;
		r->head_next = next;
		if (data_len >= sizeof(struct osp_event_hdr))
			memcpy(&r->head_ts, r->head, sizeof(r->head_ts));
		else
			r->head_ts = 0; /* malformed: hand it out first, the decoder rejects it */
		r->has_head = true;
		return true;
	}
	ring_publish(r);
	return false;
}

static void ring_consume_head(struct ring *r)
{
	r->cons = r->head_next;
	r->has_head = false;
	if (r->cons - r->published >= (r->size >> CONSUME_BATCH_SHIFT))
		ring_publish(r);
}

static int source_bpf_next(struct source *s, const void **ret_buf, size_t *ret_size,
			   uint64_t *malformed)
{
	struct ring *best = NULL;

	/* The record handed out last time is no longer in use: give its space back. */
	if (s->pending) {
		ring_consume_head(s->pending);
		s->pending = NULL;
	}
	for (unsigned i = 0; i < s->nrings; i++) {
		struct ring *r = &s->rings[i];

		if (!r->has_head && !ring_peek(r))
			continue;
		if (!best || r->head_ts < best->head_ts)
			best = r;
	}
	if (!best)
		return -EAGAIN;
	if (best->head_size > OSP_EVENT_MAX_LEN) {
		/* The framing is the kernel's, but the content is not trusted: skip it whole. */
		(*malformed)++;
		ring_consume_head(best);
		return source_bpf_next(s, ret_buf, ret_size, malformed);
	}
	s->pending = best;
	*ret_buf = best->head;
	*ret_size = best->head_size;
	return 0;
}

/*
 * Returns 1 when a batch is worth reading: a ring holds at least 1/64 of its size
 * (or the watermark woke us), or the poll interval passed with anything at all
 * waiting. Draining every record as soon as it lands would keep the shared cache
 * lines bouncing between the producer's CPU and ours.
 */
static int source_bpf_wait(struct source *s, int timeout_ms)
{
	struct epoll_event evs[8];
	bool any = false;
	int n;

	for (unsigned i = 0; i < s->nrings; i++) {
		struct ring *r = &s->rings[i];

		if (r->has_head)
			return 1;
		r->prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
		if (ring_pending(r) >= (r->size >> CONSUME_BATCH_SHIFT))
			return 1;
		any |= ring_pending(r) > 0;
	}
	n = epoll_wait(s->epoll_fd, evs, (int)ARRAY_SIZE(evs), timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : negative_errno();
	if (n > 0 || any)
		return 1;
	for (unsigned i = 0; i < s->nrings; i++)
		if (ring_peek(&s->rings[i]))
			return 1;
	return 0;
}

static int source_bpf_get_fd(struct source *s)
{
	return s->epoll_fd;
}

static int source_bpf_get_stats(struct source *s, struct capture_stats *stats)
{
	struct osp_counters *per_cpu;
	uint32_t key = 0;
	int r;

	per_cpu = calloc(s->ncpus, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	r = bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.counters_map), &key, per_cpu);
	if (r < 0) {
		r = negative_errno();
		free(per_cpu);
		return r;
	}
	for (unsigned i = 0; i < s->ncpus; i++) {
		stats->produced += per_cpu[i].events;
		stats->drops_buffer += per_cpu[i].drops_buffer;
		stats->drops_too_big += per_cpu[i].drops_too_big;
		stats->faults += per_cpu[i].faults;
		stats->truncations += per_cpu[i].truncations;
	}
	stats->nbuffers = s->nrings;
	free(per_cpu);
	return 0;
}

static const struct capture_machine *source_bpf_get_machine(struct source *s)
{
	return &s->machine;
}

static const char *source_bpf_get_error(struct source *s)
{
	return s->error;
}

const struct source_ops source_bpf_ops = {
	.name = "bpf",
	.open = source_bpf_open,
	.next = source_bpf_next,
	.wait = source_bpf_wait,
	.get_fd = source_bpf_get_fd,
	.set_interest = source_bpf_set_interest,
	.get_stats = source_bpf_get_stats,
	.get_machine = source_bpf_get_machine,
	.get_error = source_bpf_get_error,
	.close = source_bpf_close,
	.poll_interval_ms = BPF_POLL_INTERVAL_MS,
};
