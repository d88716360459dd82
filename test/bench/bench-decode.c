// SPDX-License-Identifier: Apache-2.0
/*
 * bench-decode: how fast the capture library reads and decodes a capture file,
 * on one core.
 *
 * Builds a realistic stream with record_builder (openat and close of paths of
 * typical lengths, with fork/exec/exit and failed execve mixed in), writes it
 * with the capture-file writer to a file on tmpfs (/dev/shm), and reads it
 * back through capture_open(CAPTURE_SOURCE_FILE) + capture_next() until the
 * end: framing, checksums and event_decode() of every record. Best of several
 * rounds. Also prints event_decode() alone over the same records in memory, to
 * show what the file layer costs. Issue 2 targets >= 10 M events/s.
 * Prints, never asserts.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capfile.h"
#include "capture.h"
#include "macro.h"
#include "parse.h"
#include "record.h"

#define TARGET_EVENTS_PER_S 10e6
#define RECORD_BUF 8192

static uint64_t arg_events = 2000000;
static uint32_t arg_rounds = 5;
static const char *arg_dir = "/dev/shm";

/* The generated records, back to back (also what the file holds). */
static uint8_t *records;
static size_t records_len, records_cap;
static uint64_t records_n;
/* Where the loops leave a sum of what they read, so the reads are work that counts. */
static volatile uint64_t sink;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: a fixed stream, so every run decodes the same file. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

#define PICK(a) ((a)[rnd() % ARRAY_SIZE(a)])

static const char *const paths[] = {
	"/etc/ld.so.cache",
	"/lib/x86_64-linux-gnu/libc.so.6",
	"/lib/x86_64-linux-gnu/libpthread.so.0",
	"/usr/lib/x86_64-linux-gnu/libssl.so.3",
	"/usr/lib/locale/locale-archive",
	"/etc/nsswitch.conf",
	"/etc/passwd",
	"/proc/self/status",
	"/sys/fs/cgroup/kubepods.slice/cpu.max",
	"/var/lib/kubelet/pods/8c5e2f9a-1b7d-4c1e-9a3f-2d6b0e4c7a11/volumes/kubernetes.io~secret/token",
	"/usr/share/zoneinfo/Europe/Berlin",
	"/home/build/src/osprey/runtime/capture/event_format.c",
	"/tmp/ccXq3hZk.s",
	"/dev/null",
	"/etc/hostname",
	"node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json",
};

static const char *const exes[] = {
	"/usr/bin/bash", "/usr/bin/cat", "/usr/bin/python3.11", "/usr/local/bin/kubectl",
	"/usr/bin/gcc-12", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1",
};

static const char argv_blob[] = "bash\0-c\0for f in *.log; do gzip -9 \"$f\"; done\0";
static const char env_blob[] =
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\0HOME=/root\0"
	"LANG=C.UTF-8\0TERM=xterm-256color\0KUBERNETES_SERVICE_HOST=10.96.0.1\0"
	"KUBERNETES_SERVICE_PORT=443\0HOSTNAME=web-7d9f8c6b5-x2k4p\0";

static void build_proc_exec(struct record_builder *b, uint8_t *buf, uint64_t ts, uint32_t pid)
{
	const char *exe = PICK(exes);

	record_begin(b, buf, RECORD_BUF, OSP_EVT_PROC_EXEC, ts, pid, pid, OSP_EXEC_NPARAMS);
	record_add_str(b, exe, OSP_STR_MAX);                            /* exe */
	record_add_str(b, exe, OSP_STR_MAX);                            /* filename */
	record_add_bytes(b, argv_blob, sizeof(argv_blob) - 1, OSP_SNAPLEN_DEFAULT);
	record_add_str(b, "/home/build/src/osprey", OSP_STR_MAX);      /* cwd */
	record_add_bytes(b, env_blob, sizeof(env_blob) - 1, OSP_SNAPLEN_DEFAULT);
	record_add_str(b, strrchr(exe, '/') + 1, OSP_COMM_LEN);        /* comm */
	record_add_s64(b, pid - 1);                                     /* ppid */
	record_add_s64(b, pid);                                         /* vtid */
	record_add_s64(b, pid);                                         /* vpid */
	record_add_s64(b, pid - 7);                                     /* sid */
	for (int i = 0; i < 5; i++)                                     /* uid gid euid egid loginuid */
		record_add_u32(b, 1000);
	record_add_u32(b, (136u << 20) | 2);                            /* tty */
	record_add_str(b, "/kubepods.slice/kubepods-burstable.slice/cri-containerd-4f2a.scope",
		       OSP_STR_MAX);                                    /* cgroup */
	record_add_u64(b, 1048577 + rnd() % 4096);                      /* exe_ino */
	record_add_u32(b, (8u << 20) | 1);                              /* exe_dev */
	record_add_u32(b, 0);                                           /* exe_flags */
	record_add_u64(b, 0);                                           /* caps */
	record_add_u64(b, 0);
	record_add_u64(b, 0);
	record_add_u64(b, ts - 1000);                                   /* start_ts */
	record_add_u32(b, 4026531836u);                                 /* pidns */
	record_add_s64(b, pid);                                         /* old_tid */
}

/* One record of the mix into buf; returns its length or -errno. */
static int build_one(uint8_t *buf, uint64_t ts, uint32_t *fd_next)
{
	struct record_builder b;
	uint32_t pid = 4000 + (uint32_t)(rnd() % 64);
	unsigned k = (unsigned)(rnd() % 1000);

	if (k < 450) { /* openat */
		record_begin(&b, buf, RECORD_BUF, OSP_EVT_OPENAT, ts, pid, pid, 5);
		record_add_s64(&b, (int64_t)(*fd_next)++ % 64 + 3);
		record_add_s64(&b, -100);
		record_add_str(&b, PICK(paths), OSP_STR_MAX);
		record_add_u32(&b, 0x80000); /* O_RDONLY|O_CLOEXEC */
		record_add_u32(&b, 0);
	} else if (k < 900) { /* close */
		record_begin(&b, buf, RECORD_BUF, OSP_EVT_CLOSE, ts, pid, pid, 2);
		record_add_s64(&b, 0);
		record_add_s64(&b, (int64_t)(rnd() % 64) + 3);
	} else if (k < 930) { /* a successful exec */
		build_proc_exec(&b, buf, ts, pid);
	} else if (k < 950) { /* a failed execve */
		record_begin(&b, buf, RECORD_BUF, OSP_EVT_EXECVE, ts, pid, pid, 3);
		record_add_s64(&b, -ENOENT);
		record_add_str(&b, "/usr/local/sbin/kubectl", OSP_STR_MAX);
		record_add_bytes(&b, argv_blob, sizeof(argv_blob) - 1, OSP_SNAPLEN_DEFAULT);
	} else if (k < 975) { /* fork */
		record_begin(&b, buf, RECORD_BUF, OSP_EVT_PROC_FORK, ts, pid + 1, pid + 1,
			     OSP_FORK_NPARAMS);
		record_add_s64(&b, pid);
		record_add_s64(&b, pid);
		record_add_s64(&b, pid + 1);
		record_add_s64(&b, pid + 1);
		record_add_u32(&b, 0);
		record_add_u32(&b, 4026531836u);
	} else { /* exit */
		record_begin(&b, buf, RECORD_BUF, OSP_EVT_PROC_EXIT, ts, pid, pid, OSP_EXIT_NPARAMS);
		record_add_u32(&b, 0);
		record_add_u32(&b, OSP_EXIT_GROUP_DEAD);
	}
	return record_end(&b);
}

static int records_append(const uint8_t *rec, size_t len)
{
	if (records_len + len > records_cap) {
		size_t cap = MAX(records_cap * 2, (size_t)1 << 20);
		uint8_t *p = realloc(records, cap);

		if (!p)
			return -ENOMEM;
		records = p;
		records_cap = cap;
	}
	memcpy(records + records_len, rec, len);
	records_len += len;
	records_n++;
	return 0;
}

/* Generates the stream and writes it to fd as a capture file. */
static int write_capture(int fd)
{
	struct capfile_writer *w = NULL;
	struct capture_machine m;
	uint8_t buf[RECORD_BUF] __attribute__((aligned(8)));
	uint64_t ts = 1000000000ull;
	uint32_t fd_next = 0;
	int r;

	r = capture_machine_read(NULL, &m);
	if (r < 0)
		return r;
	r = capfile_writer_open_fd(fd, &m, &w);
	if (r < 0)
		return r;
	for (uint64_t i = 0; i < arg_events; i++) {
		int len;

		ts += 200 + rnd() % 800;
		len = build_one(buf, ts, &fd_next);
		if (len < 0) {
			capfile_writer_close(w);
			return len;
		}
		r = capfile_writer_add(w, buf, (size_t)len);
		if (r >= 0)
			r = records_append(buf, (size_t)len);
		if (r < 0) {
			capfile_writer_close(w);
			return r;
		}
	}
	return capfile_writer_close(w);
}

/* One full read of the file through the capture library; ns taken, or -errno. */
static int64_t read_capture(const char *path, uint64_t *ret_events, uint64_t *ret_malformed)
{
	struct capture_opts opts = { .source = CAPTURE_SOURCE_FILE, .path = path };
	struct capture_stats st;
	struct capture *cap;
	const char *why = NULL;
	struct event ev;
	uint64_t start, n = 0, sum = 0;
	int64_t took;
	int r;

	r = capture_open(&opts, &cap, &why);
	if (r < 0) {
		fprintf(stderr, "bench-decode: cannot open '%s': %s\n", path, why ? why : strerror(-r));
		return r;
	}
	start = now_ns();
	while ((r = capture_next(cap, &ev)) == 0) {
		sum += ev.hdr->type; /* touch the view, as any consumer does */
		n++;
	}
	took = (int64_t)(now_ns() - start);
	if (r != -ENODATA) {
		fprintf(stderr, "bench-decode: reading '%s' failed: %s\n", path,
			capture_error(cap) ?: strerror(-r));
		capture_close(cap);
		return r;
	}
	capture_get_stats(cap, &st);
	capture_close(cap);
	sink = sum;
	*ret_events = n;
	*ret_malformed = st.malformed + st.unknown;
	return took;
}

/* event_decode() alone over the records in memory; ns taken. */
static int64_t decode_memory(uint64_t *ret_events)
{
	uint64_t start, n = 0, sum = 0;
	size_t off = 0;
	struct event ev;

	start = now_ns();
	while (off < records_len) {
		const struct osp_event_hdr *h = (const void *)(records + off);

		if (event_decode(h, h->len, &ev) == 0) {
			sum += ev.nparams;
			n++;
		}
		off += h->len;
	}
	sink = sum;
	*ret_events = n;
	return (int64_t)(now_ns() - start);
}

static void help(void)
{
	printf("Usage: bench-decode [OPTIONS]\n"
	       "Capture-file read + decode throughput of the capture library, one core.\n\n"
	       "  -n, --events=N   records in the generated capture (default 2000000)\n"
	       "  -r, --rounds=N   reads of the file; the best counts (default 5)\n"
	       "  -d, --dir=DIR    where the capture file goes (default /dev/shm, a tmpfs)\n"
	       "  -h, --help       show this help\n");
}

static int parse_argv(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "events", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "n:r:d:h", options, NULL)) >= 0) {
		switch (opt) {
		case 'n':
			if (safe_atou64(optarg, &arg_events) < 0 || arg_events == 0 ||
			    arg_events > 100000000) {
				fprintf(stderr, "bench-decode: bad --events '%s': want 1..100000000\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'r':
			if (safe_atou32(optarg, &arg_rounds) < 0 || arg_rounds == 0) {
				fprintf(stderr, "bench-decode: bad --rounds '%s': want a positive integer\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'd':
			arg_dir = optarg;
			break;
		case 'h':
			help();
			return 0;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bench-decode: unexpected argument '%s'; see --help\n", argv[optind]);
		return -EINVAL;
	}
	return 1;
}

int main(int argc, char *argv[])
{
	_cleanup_close_ int fd = -EBADF;
	char path[4096];
	int64_t best_file = 0, best_mem = 0;
	uint64_t n_file = 0, n_mem = 0, malformed = 0;
	cpu_set_t set;
	double rate, mem_rate;
	int r, n;

	r = parse_argv(argc, argv);
	if (r <= 0)
		return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	(void)sched_setaffinity(0, sizeof(set), &set);

	n = snprintf(path, sizeof(path), "%s/osprey-bench-decode-XXXXXX", arg_dir);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		fprintf(stderr, "bench-decode: --dir '%s' is too long\n", arg_dir);
		return EXIT_FAILURE;
	}
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "bench-decode: cannot create a file in '%s': %m; pick a tmpfs with --dir\n",
			arg_dir);
		return EXIT_FAILURE;
	}
	r = write_capture(TAKE_FD(fd));
	if (r < 0) {
		fprintf(stderr, "bench-decode: cannot write the capture '%s': %s\n", path, strerror(-r));
		unlink(path);
		return EXIT_FAILURE;
	}

	for (uint32_t i = 0; i < arg_rounds; i++) {
		uint64_t got = 0;
		int64_t t = read_capture(path, &got, &malformed);

		if (t < 0) {
			unlink(path);
			return EXIT_FAILURE;
		}
		n_file = got;
		if (!best_file || t < best_file)
			best_file = t;
		t = decode_memory(&got);
		n_mem = got;
		if (!best_mem || t < best_mem)
			best_mem = t;
	}
	unlink(path);
	free(records);

	if (n_file != records_n || malformed) {
		fprintf(stderr, "bench-decode: read back %" PRIu64 " of %" PRIu64
			" records (%" PRIu64 " malformed or unknown)\n",
			n_file, records_n, malformed);
		return EXIT_FAILURE;
	}
	rate = (double)n_file * 1e9 / (double)best_file;
	mem_rate = (double)n_mem * 1e9 / (double)best_mem;
	printf("bench-decode: %" PRIu64 " records, %.1f MiB (%.0f bytes/record), file on %s, best of %u\n",
	       records_n, (double)records_len / (1 << 20), (double)records_len / (double)records_n,
	       arg_dir, arg_rounds);
	printf("  capture file -> capture_next(): %6.2f M events/s, %7.1f MiB/s, %5.1f ns/event\n",
	       rate / 1e6, (double)records_len * 1e9 / (double)best_file / (1 << 20),
	       (double)best_file / (double)n_file);
	printf("  event_decode() alone in memory: %6.2f M events/s, %5.1f ns/event\n", mem_rate / 1e6,
	       (double)best_mem / (double)n_mem);
	printf("  ratio to the target (10 M events/s): %.2f\n", rate / TARGET_EVENTS_PER_S);
	return EXIT_SUCCESS;
}
