/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Building one record in the per-CPU scratch area and handing it to the
 * ring buffer.
 *
 * Every write goes to scratch->event[pos & OSP_POS_MASK] with a size bounded
 * by a constant, so the verifier can prove it stays inside the scratch value;
 * the logical bound (the record fits OSP_EVENT_MAX_LEN) is enforced separately
 * by filler_room(). The scratch value is larger than OSP_EVENT_MAX_LEN by the
 * largest single write so that both hold at once.
 */
#ifndef OSPREY_FILLER_BPF_H
#define OSPREY_FILLER_BPF_H

#include "osprey_schema.h"

#define OSP_POS_MASK (OSP_EVENT_MAX_LEN - 1)
#define OSP_WRITE_MAX OSP_SNAPLEN_MAX /* the largest single write, >= OSP_STR_MAX */
#define OSP_TMP_SIZE (2 * OSP_STR_MAX)
#define OSP_TMP_MASK (OSP_TMP_SIZE - 1)
#define OSP_HDR_LEN ((__u32)sizeof(struct osp_event_hdr))
#define OSP_WAKEUP_INTERVAL_NS 1000000ull
#define OSP_WAKEUP_CHECK_EVERY 64

struct scratch {
	/*
	 * Loop cursors live here, not in registers: a value read back from map
	 * memory is opaque to the verifier, so the states of a walk's iterations
	 * merge instead of multiplying with every distinct offset.
	 */
	__u32 cursor;
	__u32 total;
	__u32 pos; /* offset of the next value byte in event[]; <= OSP_EVENT_MAX_LEN */
	__u32 pad; /* event[] starts 8-byte aligned */
	__u64 last_wakeup_ns; /* this CPU's last forced wake-up of the consumer */
	__u32 since_check;    /* records since the fill level was last looked at */
	__u32 pad2;
	__u8 event[OSP_EVENT_MAX_LEN + OSP_WRITE_MAX];
	__u8 tmp[OSP_TMP_SIZE + OSP_STR_MAX]; /* path assembly, sockaddr copies */
};

struct filler {
	struct scratch *s;
	struct osp_counters *cnt;
	__u32 nparams; /* parameters written so far */
	__u32 type;
	__u32 tid;
	__u32 pid;
	__u64 ts;
};

/* One 64 KiB scratch per CPU (a per-CPU array value is limited to 32 KiB). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* resized to the number of possible CPUs before load */
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct osp_counters);
} counters_map SEC(".maps");

struct ringbuf_map {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096 * 16); /* replaced by userspace's buffers */
};

/* One ring buffer per CPU or per group of CPUs: index = cpu / cpus_per_buffer. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1); /* resized before load */
	__type(key, __u32);
	__array(values, struct ringbuf_map);
} ringbufs SEC(".maps");

/* Set by userspace before load. */
const volatile __u32 cpus_per_buffer = 1;
const volatile __u32 osp_api_version = OSP_API_VERSION;
const volatile __u32 osp_schema_version = OSP_SCHEMA_VERSION;

/* Changed by userspace at any time through the mmap'd .bss/.data maps. */
__u32 snaplen = OSP_SNAPLEN_DEFAULT;
__u64 wakeup_watermark = 1 << 20; /* bytes waiting before the consumer is woken */

/*
 * The address of event[off & OSP_POS_MASK], as a plain pointer. Written as
 * `*(T *)&s->event[off]`, a store keeps the u8 array's alignment in clang and
 * becomes one byte store (and one shift) per byte. Unaligned stores to a map
 * value are fine on the architectures the probe supports: the verifier checks
 * alignment only when asked to be strict.
 */
static __always_inline void *event_at(struct scratch *s, __u32 off)
{
	return &s->event[off & OSP_POS_MASK];
}

static __always_inline int filler_init(struct filler *f, __u32 type, __u32 nparams,
				       __u32 tid, __u32 pid, __u64 ts)
{
	__u32 zero = 0, cpu = bpf_get_smp_processor_id();

	f->cnt = bpf_map_lookup_elem(&counters_map, &zero);
	if (!f->cnt)
		return -1;
	f->s = bpf_map_lookup_elem(&scratch_map, &cpu);
	if (!f->s)
		return -1;
	f->s->pos = OSP_HDR_LEN + 2 * nparams;
	f->nparams = 0;
	f->type = type;
	f->tid = tid;
	f->pid = pid;
	f->ts = ts;
	return 0;
}

/* Records the length of the parameter just written and moves on. */
static __always_inline void filler_commit(struct filler *f, __u32 len, int truncated)
{
	__u16 stored = (__u16)(len & OSP_PARAM_LEN_MASK);

	if (truncated) {
		stored |= OSP_PARAM_TRUNCATED;
		f->cnt->truncations++;
	}
	*(__u16 *)event_at(f->s, OSP_HDR_LEN + 2 * (f->nparams & (OSP_MAX_PARAMS - 1))) = stored;
	f->nparams++;
	f->s->pos += len;
}

/* Bytes left before the record reaches its maximum size, capped at max. */
static __always_inline __u32 filler_room(struct filler *f, __u32 max)
{
	__u32 left = f->s->pos < OSP_EVENT_MAX_LEN ? OSP_EVENT_MAX_LEN - f->s->pos : 0;

	return left < max ? left : max;
}

static __always_inline void push_empty(struct filler *f)
{
	filler_commit(f, 0, 0);
}

/*
 * Fixed-size values need no room check: an event has at most OSP_MAX_PARAMS
 * parameters, of which the variable ones are bounded by OSP_STR_MAX or the
 * snaplen, and the largest event (PROC_EXEC: five strings, two arrays) stays
 * well under OSP_EVENT_MAX_LEN. filler_submit() checks the final length.
 */
#define DEFINE_PUSH(name, type)                                                                    \
	static __always_inline void push_##name(struct filler *f, type v)                          \
	{                                                                                          \
		*(type *)event_at(f->s, f->s->pos) = v;                                            \
		filler_commit(f, sizeof(type), 0);                                                 \
	}
DEFINE_PUSH(u8, __u8)
DEFINE_PUSH(u16, __u16)
DEFINE_PUSH(u32, __u32)
DEFINE_PUSH(u64, __u64)

/* Pushes a fixed-size value of a schema type from a 64-bit register value. */
static __always_inline void push_fixed(struct filler *f, __u8 type, __u64 v)
{
	switch (osp_param_type_size(type)) {
	case 1:
		push_u8(f, (__u8)v);
		break;
	case 2:
		push_u16(f, (__u16)v);
		break;
	case 4:
		push_u32(f, (__u32)v);
		break;
	default:
		push_u64(f, v);
		break;
	}
}

/*
 * A NUL-terminated string from user or kernel memory, at most max bytes.
 * A NULL pointer is an absent value, not a fault.
 */
static __always_inline void push_str(struct filler *f, const void *ptr, __u32 max, int user)
{
	__u32 room = filler_room(f, max);
	long n;

	if (!ptr || room == 0) {
		push_empty(f);
		return;
	}
	if (room > OSP_STR_MAX)
		room = OSP_STR_MAX;
	if (user)
		n = bpf_probe_read_user_str(&f->s->event[f->s->pos & OSP_POS_MASK], room, ptr);
	else
		n = bpf_probe_read_kernel_str(&f->s->event[f->s->pos & OSP_POS_MASK], room, ptr);
	if (n <= 0) {
		f->cnt->faults++;
		push_empty(f);
		return;
	}
	/* A full buffer means the string may have gone on: say it was cut. */
	filler_commit(f, (__u32)n, (__u32)n == room && room > 1);
}

/* Raw bytes from user memory, at most max (<= OSP_WRITE_MAX). */
static __always_inline void push_user_bytes(struct filler *f, const void *ptr, __u32 len, __u32 max)
{
	__u32 room = filler_room(f, max);
	int truncated = 0;

	if (!ptr || len == 0) {
		push_empty(f);
		return;
	}
	if (len > room) {
		len = room;
		truncated = 1;
	}
	if (len > OSP_WRITE_MAX)
		len = OSP_WRITE_MAX;
	if (bpf_probe_read_user(&f->s->event[f->s->pos & OSP_POS_MASK], len, ptr)) {
		f->cnt->faults++;
		push_empty(f);
		return;
	}
	filler_commit(f, len, truncated);
}

/*
 * A NUL-separated string array (argv/envp) stored as one block in user memory
 * (mm->arg_start..arg_end). The last byte is forced to NUL when cut.
 */
static __always_inline void push_user_block(struct filler *f, unsigned long start,
					    unsigned long end, __u32 max)
{
	__u32 room = filler_room(f, max), len;
	int truncated = 0;

	if (!start || end <= start) {
		push_empty(f);
		return;
	}
	len = end - start > OSP_WRITE_MAX ? OSP_WRITE_MAX : (__u32)(end - start);
	if (len > room) {
		len = room;
		truncated = 1;
	}
	if (len == 0 || len > OSP_WRITE_MAX) {
		push_empty(f);
		return;
	}
	/* Linux 6.1's verifier loses the bound above (clang merges the two tests): restate it on
	 * the register the helper gets, hidden from clang so it is not folded away. */
	asm volatile("" : "+r"(len));
	if (len > OSP_WRITE_MAX)
		len = OSP_WRITE_MAX;
	if (bpf_probe_read_user(&f->s->event[f->s->pos & OSP_POS_MASK], len, (const void *)start)) {
		f->cnt->faults++;
		push_empty(f);
		return;
	}
	f->s->event[(f->s->pos + len - 1) & OSP_POS_MASK] = 0;
	filler_commit(f, len, truncated);
}

/* The ring buffer of this CPU's group. */
static __always_inline void *filler_ringbuf(void)
{
	__u32 idx = bpf_get_smp_processor_id();

	if (cpus_per_buffer > 1)
		idx /= cpus_per_buffer;
	return bpf_map_lookup_elem(&ringbufs, &idx);
}

/*
 * Finishes the header and copies the record into the ring buffer. The consumer
 * polls; it is woken only when the data waiting passes the watermark, and then
 * at most once per OSP_WAKEUP_INTERVAL_NS from this CPU: a wake-up is an
 * irq_work, whose self-IPI costs microseconds in a VM. Forcing one per record
 * while a ring stays above the watermark made each record cost several times
 * its own writing.
 */
static __always_inline void filler_submit(struct filler *f)
{
	struct osp_event_hdr *hdr = (struct osp_event_hdr *)f->s->event;
	__u32 len = (f->s->pos + 7) & ~7u;
	__u64 flags = BPF_RB_NO_WAKEUP;
	void *rb;

	if (len > OSP_EVENT_MAX_LEN || f->s->pos > OSP_EVENT_MAX_LEN) {
		f->cnt->drops_too_big++;
		return;
	}
	/* Zero the padding: nothing from a previous record leaks out. */
	*(__u64 *)event_at(f->s, f->s->pos) = 0;
	hdr->ts_ns = f->ts;
	hdr->tid = f->tid;
	hdr->pid = f->pid;
	hdr->len = len;
	hdr->type = (__u16)f->type;
	hdr->nparams = (__u16)f->nparams;

	rb = filler_ringbuf();
	if (!rb) {
		f->cnt->drops_buffer++;
		return;
	}
	/* The fill level is looked at every OSP_WAKEUP_CHECK_EVERY records: a helper call less. */
	if (++f->s->since_check >= OSP_WAKEUP_CHECK_EVERY) {
		f->s->since_check = 0;
		if (f->ts - f->s->last_wakeup_ns >= OSP_WAKEUP_INTERVAL_NS &&
		    bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA) >= wakeup_watermark) {
			flags = BPF_RB_FORCE_WAKEUP;
			f->s->last_wakeup_ns = f->ts;
		}
	}
	if (bpf_ringbuf_output(rb, f->s->event, len, flags))
		f->cnt->drops_buffer++;
	else
		f->cnt->events++;
}

#endif /* OSPREY_FILLER_BPF_H */
