// SPDX-License-Identifier: Apache-2.0
/*
 * test-driver: the table-driven driver conformance suite.
 *
 * Opens the capture library live on the eBPF probe or the kernel module and,
 * for each case of triggers.c, forks a child that performs one system call
 * and reports what the resulting events must contain. The parent then reads
 * the live event stream until it finds each expected event of the child (by
 * type, pid and tid) and compares every parameter, or until a timeout. Events
 * the case says must not appear are looked for until the child's procexit
 * has been seen.
 *
 *   test-driver [--source bpf|kmod] [--dev-dir DIR] [--timeout MS] [-v] [FILTER]
 *
 * Exit: 0 all passed, 1 a failure, 77 the driver cannot be used here (reason printed).
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "expect.h"
#include "macro.h"
#include "parse.h"
#include "triggers.h"

#define EXIT_SKIP 77
#define REPORT_TIMEOUT_MS 20000 /* a child that takes longer to report is stuck */
#define CHILD_EXIT_TIMEOUT_MS 10000
#define END_GRACE_MS 200        /* keep reading this long after the child's procexit */

static enum capture_source arg_source = CAPTURE_SOURCE_BPF;
static const char *arg_dev_dir;
static const char *arg_filter;
static uint32_t arg_timeout_ms = 2000;
static bool arg_verbose;
static bool arg_list;

static char tmp_root[] = "/tmp/osprey-driver-XXXXXX";
static void *shared_page;
static pid_t self_pid;
static uint64_t self_events;   /* events of the test process itself: must stay 0 */
static char self_first[1024];  /* the first such event */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void help(void)
{
	printf("Usage: test-driver [OPTION]... [FILTER]\n"
	       "Runs the driver conformance cases whose name contains FILTER (or matches it as a\n"
	       "glob) against a live event source, checking every parameter of each event.\n\n"
	       "  -s, --source=bpf|kmod  event source (default bpf)\n"
	       "  -d, --dev-dir=DIR      kmod: where the osprey devices are (default /dev)\n"
	       "  -t, --timeout=MS       how long to wait for an event (default 2000)\n"
	       "  -l, --list             list the cases and exit\n"
	       "  -v, --verbose          print every case and event checked\n"
	       "  -h, --help             this text\n\n"
	       "Exit status: 0 all passed, 1 a failure, 77 skipped (not root, no driver).\n");
}

static int parse_args(int argc, char **argv)
{
	static const struct option options[] = {
		{ "source", required_argument, NULL, 's' },
		{ "dev-dir", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "list", no_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "s:d:t:lvh", options, NULL)) >= 0) {
		switch (c) {
		case 's':
			if (capture_source_from_name(optarg, &arg_source) < 0) {
				fprintf(stderr, "test-driver: unknown --source '%s': use bpf or kmod\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'd':
			arg_dev_dir = optarg;
			break;
		case 't':
			if (safe_atou32(optarg, &arg_timeout_ms) < 0 || arg_timeout_ms == 0 ||
			    arg_timeout_ms > 600000) {
				fprintf(stderr, "test-driver: bad --timeout '%s': milliseconds, "
						"1..600000\n", optarg);
				return -EINVAL;
			}
			break;
		case 'l':
			arg_list = true;
			break;
		case 'v':
			arg_verbose = true;
			break;
		case 'h':
			help();
			exit(EXIT_SUCCESS);
		default:
			fprintf(stderr, "test-driver: see --help\n");
			return -EINVAL;
		}
	}
	if (optind < argc)
		arg_filter = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "test-driver: one FILTER at most, '%s' is extra\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static bool case_selected(const struct trigger_case *tc)
{
	if (!arg_filter)
		return true;
	if (strpbrk(arg_filter, "*?["))
		return fnmatch(arg_filter, tc->name, 0) == 0;
	return strstr(tc->name, arg_filter) != NULL;
}

/* Every syscall and lifecycle event of the schema has at least one case. */
static unsigned check_coverage(void)
{
	unsigned missing = 0;

	for (unsigned type = 0; type < OSP_EVT_COUNT; type++) {
		const struct osp_event_info *info = event_info((uint16_t)type);
		bool found = false;

		if (!info || type == OSP_EVT_PROC_SNAPSHOT || type == OSP_EVT_FD_SNAPSHOT)
			continue; /* snapshots come from /proc, not from the driver */
		for (unsigned i = 0; i < trigger_ncases && !found; i++)
			found = strcmp(trigger_cases[i].event, info->name) == 0;
		if (!found) {
			printf("FAIL coverage: no case for event '%s'\n", info->name);
			missing++;
		}
	}
	return missing;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (remove(path) < 0 && errno != ENOENT)
		fprintf(stderr, "test-driver: cannot remove '%s': %m\n", path);
	return 0;
}

/* Reads fd to EOF into buf (NUL-terminated, bounded) before the deadline. */
static int read_to_eof(int fd, char *buf, size_t size, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	size_t pos = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t n;
		char sink[512];

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pos + 1 < size)
			n = read(fd, buf + pos, size - 1 - pos);
		else
			n = read(fd, sink, sizeof(sink)); /* over the bound: drained, dropped */
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		if (pos + 1 < size)
			pos += (size_t)n;
	}
	buf[pos] = '\0';
	return 0;
}

/* Waits for the child; kills it if it does not exit in time. Returns its wait status. */
static int reap_child(pid_t pid, bool *ret_killed)
{
	int64_t deadline = now_ms() + CHILD_EXIT_TIMEOUT_MS;
	int status = 0;

	*ret_killed = false;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			*ret_killed = true;
			return status;
		}
		usleep(5000);
	}
}

struct case_state {
	struct exp_case *ec;
	pid_t child;
	bool end_seen;
	int64_t end_at;
	bool need_end;
	bool watch_self; /* any event of the test process fails the case */
	uint64_t self_in_case;
	char self_desc[1024];
};

static void handle_event(struct case_state *cs, const struct event *ev)
{
	struct exp_case *ec = cs->ec;
	uint32_t pid = ev->hdr->pid, tid = ev->hdr->tid;

	if (pid == (uint32_t)self_pid) {
		if (self_events++ == 0)
			expect_format_event(ev, self_first, sizeof(self_first));
		if (cs->watch_self && cs->self_in_case++ == 0)
			expect_format_event(ev, cs->self_desc, sizeof(cs->self_desc));
	}
	if (ev->hdr->type == OSP_EVT_PROC_EXIT && pid == (uint32_t)cs->child &&
	    tid == (uint32_t)cs->child && !cs->end_seen) {
		cs->end_seen = true;
		cs->end_at = now_ms();
	}
	for (unsigned i = 0; i < ec->nblocks; i++) {
		struct exp_block *b = &ec->blocks[i];
		char diff[EXP_DIFF_MAX];
		unsigned n;

		if (ev->hdr->type != b->type || pid != b->pid)
			continue;
		if (b->tid && tid != b->tid) {
			b->other_tid++;
			continue;
		}
		b->seen++;
		if (b->negative) {
			if (b->seen == 1)
				expect_format_event(ev, b->diff, sizeof(b->diff));
			continue;
		}
		if (arg_verbose) {
			char desc[2048];

			expect_format_event(ev, desc, sizeof(desc));
			printf("    event %s\n", desc);
		}
		if (b->satisfied)
			continue;
		n = expect_block_eval(ec, b, ev, diff, sizeof(diff));
		if (n == 0) {
			b->satisfied = true;
		} else if (n < b->best) {
			b->best = n;
			memcpy(b->diff, diff, sizeof(b->diff));
		}
	}
}

static bool case_done(const struct case_state *cs)
{
	for (unsigned i = 0; i < cs->ec->nblocks; i++)
		if (!cs->ec->blocks[i].negative && !cs->ec->blocks[i].satisfied)
			return false;
	if (!cs->need_end)
		return true;
	return cs->end_seen && now_ms() >= cs->end_at + END_GRACE_MS;
}

/* Reads the live stream until the case is decided or the timeout. Returns 0 or a hard -errno. */
static int match_events(struct capture *c, struct case_state *cs)
{
	int64_t deadline = now_ms() + arg_timeout_ms;
	int poll_ms = MAX(1, MIN(capture_poll_interval_ms(c), 50));

	for (;;) {
		struct event ev;
		int r = capture_next(c, &ev);

		if (r == 0) {
			handle_event(cs, &ev);
			if (case_done(cs) || now_ms() >= deadline)
				return 0;
			continue;
		}
		if (r != -EAGAIN)
			return r;
		if (case_done(cs) || now_ms() >= deadline)
			return 0;
		r = capture_wait(c, (int)MIN((int64_t)poll_ms, deadline - now_ms()));
		if (r < 0 && r != -EINTR)
			return r;
	}
}

/* Prints the verdict of a case; returns true if it passed. */
static bool verdict(const struct trigger_case *tc, struct case_state *cs, uint64_t drops)
{
	struct exp_case *ec = cs->ec;
	bool ok = true;

	for (unsigned i = 0; i < ec->nblocks; i++) {
		const struct exp_block *b = &ec->blocks[i];
		const char *name = event_info(b->type)->name;

		if (b->negative && b->seen) {
			printf("FAIL %s: unexpected '%s' event from pid %u: %s\n", tc->name, name,
			       b->pid, b->diff);
			ok = false;
		} else if (!b->negative && !b->satisfied && b->seen == 0) {
			printf("FAIL %s: no '%s' event from pid %u tid %u within %u ms", tc->name,
			       name, b->pid, b->tid, arg_timeout_ms);
			if (b->other_tid)
				printf(" (%u from other threads of that process)", b->other_tid);
			printf("\n");
			ok = false;
		} else if (!b->negative && !b->satisfied) {
			printf("FAIL %s: '%s' event from pid %u tid %u (%u seen), expected vs got:%s\n",
			       tc->name, name, b->pid, b->tid, b->seen, b->diff);
			ok = false;
		}
	}
	if (cs->need_end && !cs->end_seen) {
		printf("FAIL %s: the child's procexit (pid %d) was not seen within %u ms, so the "
		       "absence of events is unproven\n", tc->name, cs->child, arg_timeout_ms);
		ok = false;
	}
	if (cs->watch_self && cs->self_in_case) {
		printf("FAIL %s: %" PRIu64 " events of the test process (pid %d) were captured "
		       "although keep_self is off, first: %s\n", tc->name, cs->self_in_case,
		       self_pid, cs->self_desc);
		ok = false;
	}
	if (!ok && drops)
		printf("     note: %" PRIu64 " events were dropped by the driver during this case\n",
		       drops);
	return ok;
}

static uint64_t drops_now(struct capture *c)
{
	struct capture_stats st = { 0 };

	if (capture_get_stats(c, &st) < 0)
		return 0;
	return st.drops_buffer + st.drops_too_big;
}

/* What the test process does itself before a CASE_SELF_ACTIVITY case: none of it may show. */
static void self_activity(const char *dir)
{
	char path[PATH_MAX];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, SELF_ACTIVITY_FILE) >= sizeof(path))
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, SELF_ACTIVITY_DIR) >= sizeof(path))
		return;
	(void)mkdir(path, 0700);
}

enum case_result { CASE_PASS, CASE_FAIL, CASE_SKIP };

static int run_case(struct capture *c, const struct trigger_case *tc, unsigned index,
		    enum case_result *ret)
{
	static struct exp_case ec;
	static char post[EXP_POST_MAX];
	uint8_t interest[OSP_EVT_COUNT];
	struct case_state cs = { .ec = &ec };
	char dir[PATH_MAX];
	int rep[2], postp[2], status, r;
	uint64_t start_ns, drops_before;
	bool killed, interest_set = false;
	pid_t pid;

	memset(&ec, 0, sizeof(ec));
	memset(shared_page, 0, TRIGGER_SHARED_SIZE);
	*ret = CASE_FAIL;
	snprintf(dir, sizeof(dir), "%s/%03u-%s", tmp_root, index, tc->name);
	if (mkdir(dir, 0755) < 0) {
		fprintf(stderr, "test-driver: cannot create '%s': %m\n", dir);
		return -errno;
	}
	if (pipe2(rep, O_CLOEXEC) < 0 || pipe2(postp, O_CLOEXEC) < 0) {
		fprintf(stderr, "test-driver: pipe: %m\n");
		return -errno;
	}

	if (tc->flags & CASE_INTEREST_OPENAT) {
		memset(interest, 0, sizeof(interest));
		interest[OSP_EVT_OPENAT] = 1;
		r = capture_set_interest(c, interest);
		if (r == -EOPNOTSUPP) {
			printf("SKIP %s: this source cannot change its interest set\n", tc->name);
			*ret = CASE_SKIP;
			close(rep[0]), close(rep[1]), close(postp[0]), close(postp[1]);
			return 0;
		}
		if (r < 0) {
			printf("FAIL %s: capture_set_interest: %s\n", tc->name, strerror(-r));
			close(rep[0]), close(rep[1]), close(postp[0]), close(postp[1]);
			return 0;
		}
		interest_set = true;
	}
	if (tc->flags & CASE_SELF_ACTIVITY) {
		cs.watch_self = true;
		self_activity(dir);
	}

	drops_before = drops_now(c);
	fflush(stdout);
	fflush(stderr);
	start_ns = boottime_ns();
	ec.ts_lo = start_ns;
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "test-driver: fork: %m\n");
		return -errno;
	}
	if (pid == 0) {
		struct tctx t = {
			.dir = dir,
			.parent = self_pid,
			.start_ns = start_ns,
			.shared = shared_page,
			.post_fd = postp[1],
		};

		close(rep[0]);
		close(postp[0]);
		exp_init(rep[1]);
		tc->run(&t);
		exp_end();
		_exit(EXIT_SUCCESS);
	}
	cs.child = pid;
	close(rep[1]);
	close(postp[1]);

	r = expect_read_report(rep[0], REPORT_TIMEOUT_MS, &ec);
	close(rep[0]);
	if (r == 0 && ec.wants_post && !ec.failed && !ec.skipped) {
		r = read_to_eof(postp[0], post, sizeof(post), REPORT_TIMEOUT_MS);
		if (r < 0) {
			ec.failed = true;
			snprintf(ec.reason, sizeof(ec.reason), "post-exec report: %s", strerror(-r));
		} else if (expect_resolve_post(&ec, post) < 0 && !ec.failed) {
			ec.failed = true;
			snprintf(ec.reason, sizeof(ec.reason), "post-exec report unusable: '%.300s'",
				 post);
		}
		r = 0;
	}
	close(postp[0]);
	status = reap_child(pid, &killed);

	if (r < 0 && !ec.failed) {
		ec.failed = true;
		snprintf(ec.reason, sizeof(ec.reason), "child report: %s",
			 r == -EPIPE ? "ended early" : strerror(-r));
	}
	if (!ec.failed && !ec.skipped && (killed || !WIFEXITED(status) || WEXITSTATUS(status))) {
		ec.failed = true;
		if (killed)
			snprintf(ec.reason, sizeof(ec.reason), "child hung and was killed");
		else if (WIFSIGNALED(status))
			snprintf(ec.reason, sizeof(ec.reason), "child killed by signal %d",
				 WTERMSIG(status));
		else
			snprintf(ec.reason, sizeof(ec.reason), "child exited with status %d",
				 WEXITSTATUS(status));
	}

	if (ec.skipped) {
		printf("SKIP %s: %s\n", tc->name, ec.reason);
		*ret = CASE_SKIP;
	} else if (ec.failed) {
		printf("FAIL %s: %s\n", tc->name, ec.reason);
	} else {
		for (unsigned i = 0; i < ec.nblocks; i++)
			cs.need_end |= ec.blocks[i].negative;
		cs.need_end |= cs.watch_self;
		if (arg_verbose)
			printf("  %s: child %d\n", tc->name, pid);
		r = match_events(c, &cs);
		if (r < 0) {
			const char *why = capture_error(c);

			fprintf(stderr, "test-driver: reading events: %s\n",
				why ? why : strerror(-r));
			return r;
		}
		if (verdict(tc, &cs, drops_now(c) - drops_before))
			*ret = CASE_PASS;
	}
	if (*ret == CASE_PASS && arg_verbose)
		printf("ok   %s\n", tc->name);

	if (interest_set) {
		memset(interest, 1, sizeof(interest));
		r = capture_set_interest(c, interest);
		if (r < 0) {
			fprintf(stderr, "test-driver: cannot restore the interest set: %s\n",
				strerror(-r));
			return r;
		}
	}
	return 0;
}

/* A capture_open() failure that means "no driver here" rather than "the driver is broken". */
static bool is_unavailable(int r)
{
	if (arg_source == CAPTURE_SOURCE_KMOD && r == -EINVAL)
		return true; /* the kmod source is not built into this capture library */
	return r == -ENOENT || r == -ENODEV || r == -ENOSYS || r == -EOPNOTSUPP || r == -EPERM ||
	       r == -ENXIO;
}

int main(int argc, char **argv)
{
	struct capture_opts opts = {
		.no_snapshot = true,
		.keep_self = false,
	};
	unsigned passed = 0, failed = 0, skipped = 0;
	struct capture *c = NULL;
	const char *why = NULL;
	int r;

	if (parse_args(argc, argv) < 0)
		return EXIT_FAILURE;
	if (arg_list) {
		for (unsigned i = 0; i < trigger_ncases; i++)
			if (case_selected(&trigger_cases[i]))
				printf("%-32s %s\n", trigger_cases[i].name, trigger_cases[i].event);
		return EXIT_SUCCESS;
	}
	if (geteuid() != 0) {
		printf("test-driver: SKIP: needs root to load a driver and run the cases\n");
		return EXIT_SKIP;
	}
	if (arg_source == CAPTURE_SOURCE_BPF && access("/sys/kernel/btf/vmlinux", R_OK) < 0) {
		printf("test-driver: SKIP: no kernel BTF (/sys/kernel/btf/vmlinux): the eBPF probe "
		       "cannot load here\n");
		return EXIT_SKIP;
	}

	self_pid = getpid();
	opts.source = arg_source;
	opts.path = arg_source == CAPTURE_SOURCE_KMOD ? arg_dev_dir : NULL;
	r = capture_open(&opts, &c, &why);
	if (r < 0) {
		printf("test-driver: %s: cannot open the %s source: %s\n",
		       is_unavailable(r) ? "SKIP" : "FAIL",
		       arg_source == CAPTURE_SOURCE_BPF ? "eBPF" : "kernel module",
		       why ? why : strerror(-r));
		return is_unavailable(r) ? EXIT_SKIP : EXIT_FAILURE;
	}

	shared_page = mmap(NULL, TRIGGER_SHARED_SIZE, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared_page == MAP_FAILED || !mkdtemp(tmp_root)) {
		fprintf(stderr, "test-driver: cannot set up: %m\n");
		capture_close(c);
		return EXIT_FAILURE;
	}

	if (!arg_filter)
		failed += check_coverage();

	for (unsigned i = 0; i < trigger_ncases; i++) {
		enum case_result res;

		if (!case_selected(&trigger_cases[i]))
			continue;
		r = run_case(c, &trigger_cases[i], i, &res);
		if (r < 0) {
			failed++;
			break;
		}
		if (res == CASE_PASS)
			passed++;
		else if (res == CASE_SKIP)
			skipped++;
		else
			failed++;
	}

	if (self_events) {
		printf("FAIL keep-self: %" PRIu64 " events of the test process (pid %d) were "
		       "captured although keep_self is off, first: %s\n", self_events, self_pid,
		       self_first);
		failed++;
	}
	if (arg_verbose) {
		struct capture_stats st = { 0 };

		if (capture_get_stats(c, &st) >= 0)
			printf("capture: %" PRIu64 " events read, %" PRIu64 " produced, %" PRIu64
			       " dropped (buffer full), %" PRIu64 " faults, %" PRIu64
			       " malformed, %u buffers\n", st.events, st.produced, st.drops_buffer,
			       st.faults, st.malformed, st.nbuffers);
	}
	capture_close(c);
	nftw(tmp_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);

	printf("test-driver: %u passed, %u failed", passed, failed);
	if (skipped)
		printf(", %u skipped", skipped);
	printf("\n");
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
