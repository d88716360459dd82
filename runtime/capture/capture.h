/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The capture library: one API over three sources of events.
 *
 *   - CAPTURE_SOURCE_BPF:  the embedded CO-RE eBPF probe (BPF ring buffers)
 *   - CAPTURE_SOURCE_KMOD: the osprey kernel module (/dev/osprey0..N-1)
 *   - CAPTURE_SOURCE_FILE: a capture file written by "osprey capture -w"
 *
 * capture_next() hands out decoded, zero-copy views, merged by timestamp
 * across CPUs. A live capture first yields the snapshot of the processes and
 * fds that already existed (OSP_EVT_PROC_SNAPSHOT, OSP_EVT_FD_SNAPSHOT), then
 * the live stream. Malformed records are counted and skipped, never trusted.
 *
 * The library logs nothing above debug level: it returns -errno and, where a
 * failure needs explaining (a probe that cannot load, a bad file), fills a
 * one-line reason that capture_error() returns.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

enum capture_source {
	CAPTURE_SOURCE_BPF,
	CAPTURE_SOURCE_KMOD,
	CAPTURE_SOURCE_FILE,
};

#define CAPTURE_BUFFER_DEFAULT (8u << 20) /* bytes per ring buffer */
#define CAPTURE_BUFFER_MIN (64u << 10)
#define CAPTURE_BUFFER_MAX (1u << 30)

struct capture_opts {
	enum capture_source source;
	const char *path;          /* FILE: the capture file; KMOD: device directory (default /dev) */
	const char *host_root;     /* prefix for the host's /proc, /etc (default "") */
	uint32_t buffer_bytes;     /* per ring buffer; power of two, page multiple; 0 = default */
	uint32_t cpus_per_buffer;  /* CPUs sharing one ring buffer; 0 or 1 = one per CPU */
	uint32_t snaplen;          /* bound for argument arrays and byte buffers; 0 = default */
	const uint8_t *interest;   /* OSP_EVT_COUNT entries, non-zero = wanted; NULL = all */
	bool no_snapshot;          /* live: skip the /proc snapshot */
	bool keep_self;            /* live: also capture the calling process' own threads */
	bool accept_damaged;       /* FILE: malformed or unknown records do not fail the run */
};

struct capture_stats {
	uint64_t events;         /* records handed out by capture_next() */
	uint64_t snapshot;       /* of which came from the /proc snapshot */
	uint64_t drops_buffer;   /* producer side: ring buffer full */
	uint64_t drops_too_big;  /* producer side: record over OSP_EVENT_MAX_LEN */
	uint64_t faults;         /* producer side: memory that could not be read */
	uint64_t truncations;    /* producer side: values cut at their bound */
	uint64_t malformed;      /* consumer side: records that failed to decode, skipped */
	uint64_t unknown;        /* consumer side: ids this schema does not know, skipped */
	uint64_t produced;       /* producer side: records written (live sources) */
	uint32_t nbuffers;       /* ring buffers or devices being read */
};

/* Facts about the machine the events come from (this one, or the one that wrote the file). */
struct capture_machine {
	char hostname[256];
	char kernel_release[65]; /* uname -r */
	char kernel_version[65]; /* uname -v */
	char arch[65];
	uint64_t boot_time_ns;    /* wall clock (CLOCK_REALTIME) at boot: ts_ns + this = wall time */
	uint32_t api_version;     /* OSP_VERSION_ENCODE form, of the driver that produced the events */
	uint32_t schema_version;
	uint32_t ncpus;
};

struct capture;

/* Opens a source. On failure *ret_error (if not NULL) points to a one-line reason (static or
 * owned by nobody: valid until the next call from this thread). Caller owns *ret. */
int capture_open(const struct capture_opts *opts, struct capture **ret, const char **ret_error);
/* Closes and frees; accepts NULL. */
void capture_close(struct capture *c);

/*
 * The next event. Returns 0 and sets *ret (valid until the next call), -EAGAIN if a live source
 * has nothing right now (wait with capture_wait() or the poll fd), -ENODATA at the end of a file,
 * or another -errno on a hard error (capture_error() says why).
 */
int capture_next(struct capture *c, struct event *ret);
/* Waits up to timeout_ms for events to be ready; returns > 0 ready, 0 timeout, -errno. */
int capture_wait(struct capture *c, int timeout_ms);
/* An fd that polls readable when the source has data worth waking up for; -EOPNOTSUPP for files. */
int capture_get_fd(struct capture *c);
/* Milliseconds after which a polling consumer should look again even without a wake-up. */
int capture_poll_interval_ms(struct capture *c);

/* Replaces the interest set (OSP_EVT_COUNT entries) of a live source. */
int capture_set_interest(struct capture *c, const uint8_t *interest);
int capture_get_stats(struct capture *c, struct capture_stats *ret);
const struct capture_machine *capture_get_machine(struct capture *c);
/* The reason of the last failure, or NULL. */
const char *capture_error(struct capture *c);

/* The live source a driver name names: "ebpf" (also "bpf", Falco's "modern_ebpf") or "kmod".
 * Returns 0, or -EINVAL for any other name (the caller says which names it takes). */
int capture_source_from_name(const char *name, enum capture_source *ret);

/* Fills machine facts of this machine, reading host files under host_root (may be NULL). */
int capture_machine_read(const char *host_root, struct capture_machine *ret);
