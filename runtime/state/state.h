/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process state tracking: the view of every thread, process and open fd that
 * the detection engine reads rule fields from, kept up to date by the decoded
 * event stream (runtime/capture/event.h), seeded by the /proc snapshot.
 *
 *   state_thread  one per thread id (hash by tid): comm, credentials, caps
 *     -> state_proc  one per thread group, shared by its threads: ids, tty,
 *        loginuid, start time, cwd, fd table
 *        -> state_image  what the last exec installed: exe, args, env, cgroup,
 *           container id; shared (refcounted) by fork children until they exec
 *
 * Feeding: call state_process_event() for every event, in order, before the
 * rules look at it. A thread that exits stays readable while its exit event
 * is evaluated; it is removed at the start of the next state_process_event()
 * or state_purge() call. state_purge(now) is the periodic entry point (every
 * few seconds) that also drops threads whose exit was lost.
 *
 * Bounded: caps on threads, fds per process and fds overall; at a cap the
 * state counts and drops (struct state_stats). Strings are kept at the length
 * they arrived with (args and env at the capture's snaplen).
 *
 * Ownership: the state owns every object it returns; pointers stay valid
 * until the next state_process_event() or state_purge() call.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "container.h"
#include "meta.h"
#include "event.h"
#include "fdtable.h"

#define STATE_MAX_THREADS_DEFAULT	131072u
#define STATE_MAX_FDS_PER_PROC_DEFAULT	65536u
#define STATE_MAX_FDS_TOTAL_DEFAULT	1048576u
#define STATE_LOST_EXIT_IDLE_DEFAULT_NS (5ull * 60 * 1000000000ull)
#define STATE_ANCESTOR_MAX		64u /* deepest parent chain walked */
#define STATE_COMM_MAX			(OSP_COMM_LEN + 1)

struct state_opts {
	const char *host_root;	    /* prefix for /proc and /etc (NULL or "" = /) */
	uint32_t max_threads;	    /* 0 = STATE_MAX_THREADS_DEFAULT */
	uint32_t max_fds_per_proc;  /* 0 = STATE_MAX_FDS_PER_PROC_DEFAULT */
	uint32_t max_fds_total;	    /* 0 = STATE_MAX_FDS_TOTAL_DEFAULT */
	uint64_t lost_exit_idle_ns; /* idle time before state_purge() checks /proc; 0 = default */
	bool no_procfs;		    /* never read /proc (replaying a capture file): threads the
				     * stream did not introduce stay undescribed, and idle threads
				     * are kept (bounded by max_threads) */
};

/* A refcounted string (cwd). */
struct state_str {
	uint32_t refs;
	uint32_t len;
	char s[];
};

/* What an exec (or the snapshot) described; immutable, shared by fork children. */
struct state_image {
	uint32_t refs;
	uint32_t alloc_size; /* private: bytes allocated (recycled by size class) */
	uint32_t argc;
	const char *exepath; /* proc.exepath: the exe parameter, absolute */
	const char *exe;     /* proc.exe: argv[0] (the exe path when argv is empty) */
	const char *args;    /* proc.args: argv[1..] joined by spaces */
	const char *argv;    /* raw argv, NUL-separated, argv_len bytes */
	const char *env;     /* raw environment, NUL-separated, env_len bytes */
	const char *cgroup;  /* "" when unknown */
	uint32_t argv_len;
	uint32_t env_len;
	uint64_t exe_ino;
	uint32_t exe_dev;
	uint32_t exe_flags; /* OSP_EXE_* */
	bool args_truncated;
	bool env_truncated;
	/* private: state_image_exe_times()' cache, the one part that changes after the exec */
	uint8_t exe_times; /* 0 not looked up, 1 known, 2 not to be had */
	uint64_t exe_ctime_ns, exe_mtime_ns;
	enum container_type container_type;
	char container_id[CONTAINER_ID_LEN + 1];	   /* "host" or 12 hex */
	char container_full_id[CONTAINER_FULL_ID_LEN + 1]; /* "host" or 64 hex */
	char buf[];
};

struct state_proc {
	uint32_t refs; /* threads in the table that belong to it */
	uint32_t pid;  /* thread group id, initial namespace */
	uint32_t ppid; /* parent's thread group id */
	uint32_t vpid; /* pid in its own namespace */
	uint32_t sid;
	uint32_t pidns;		   /* pid namespace inode, 0 unknown */
	uint32_t tty;		   /* dev_t, 0 none */
	uint32_t loginuid;	   /* (uint32_t)-1 unset */
	uint64_t start_ts;	   /* CLOCK_BOOTTIME ns */
	struct state_image *image; /* never NULL */
	struct state_str *cwd;	   /* never NULL; "" when unknown */
	struct fd_table fds;
	uint32_t fds_dropped; /* fds not tracked: per-process or total cap */
	/* private: what /proc said of the process (state_proc_pgid(), state_proc_limits()),
	 * read once for facts_image; facts has STATE_FACT_* bits of what it had */
	const struct state_image *facts_image;
	uint8_t facts;
	uint32_t pgid;
	uint32_t vm_size_kb, vm_rss_kb, vm_swap_kb;
	int64_t fd_limit;
};

#define STATE_THREAD_EXITED	0x1 /* exit processed, removal pending */
#define STATE_THREAD_INCOMPLETE 0x2 /* first seen in a syscall event: no description */
#define STATE_THREAD_SNAPSHOT	0x4 /* described by the /proc snapshot */
#define STATE_THREAD_PROCFS	0x8 /* described from /proc when first seen (fork lost) */

struct state_thread {
	uint32_t tid;
	uint32_t pid;
	uint32_t vtid;
	uint32_t flags; /* STATE_THREAD_* */
	uint32_t uid, gid, euid, egid;
	uint64_t cap_inh, cap_prm, cap_eff;
	uint64_t start_ts; /* the thread's, CLOCK_BOOTTIME ns */
	uint64_t last_ts;  /* last event seen */
	char comm[STATE_COMM_MAX];
	struct state_proc *proc;    /* never NULL */
	struct state_thread *hnext; /* private: hash chain */
};

#define STATE_FD_SERVER	   0x1 /* listening or accepted */
#define STATE_FD_CLIENT	   0x2 /* connected by this process */
#define STATE_FD_CONNECTED 0x4
#define STATE_FD_HAS_TUPLE 0x8 /* family/addresses/ports are valid */

struct state_fd {
	int64_t num;
	uint8_t type;	   /* OSP_FD_TYPE_* */
	uint8_t family;	   /* OSP_AF_*, sockets */
	uint8_t sock_type; /* SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_RAW 3 ...; 0 unknown */
	uint8_t role;	   /* STATE_FD_* */
	uint32_t flags;	   /* open flags (O_*), as the kernel spells them */
	uint32_t proto;	   /* socket protocol argument, 0 default */
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16]; /* network order; IPv4 in the first 4 bytes */
	uint64_t ino;
	const char *name; /* path (file, directory, unix socket, memfd), "" otherwise */
	uint32_t name_len;
	char *heap_name;      /* private */
	char inline_name[80]; /* private */
};

struct state_stats {
	uint64_t threads; /* in the table now */
	uint64_t procs;
	uint64_t fds;
	uint64_t images;
	uint64_t events;	       /* state_process_event() calls */
	uint64_t threads_dropped;      /* not created: thread cap */
	uint64_t fds_dropped;	       /* not created: per-process or total fd cap */
	uint64_t threads_exited;       /* removed after their exit event */
	uint64_t threads_purged;       /* evicted by state_purge(): exit lost, /proc gone */
	uint64_t threads_replaced;     /* a tid reused while its old entry was still there */
	uint64_t threads_incomplete;   /* created from a syscall event of an unknown thread */
	uint64_t forks_unknown_parent; /* PROC_FORK whose parent was not in the table */
	uint64_t fds_unknown;	       /* close/dup/connect/... on an fd the state did not know */
	uint64_t procfs_reads;	       /* threads described from /proc when first seen */
	uint64_t procfs_failed;	       /* ... whose /proc entry was gone or unreadable */
	uint64_t procfs_skipped;       /* ... not tried: over PROCFS_RATE reads per second */
	uint64_t alloc_failures;
	uint64_t trims; /* state_purge() gave memory back after a burst of threads had gone */
};

struct state;

int state_new(const struct state_opts *opts, struct state **ret);
/* Accepts NULL. */
void state_free(struct state *s);

/*
 * Applies one event. Returns the thread the event belongs to (after the update: an exec
 * shows the new image, an exit keeps the exiting thread), or NULL when it could not be
 * tracked (thread cap).
 */
struct state_thread *state_process_event(struct state *s, const struct event *ev);

/* Lookups, O(1) on average. NULL when unknown. */
struct state_thread *state_thread_get(struct state *s, uint32_t tid);
/* The group leader of a process (proc.pid), or NULL. */
struct state_thread *state_proc_leader(struct state *s, uint32_t pid);
/* The parent process' leader (through ppid), or NULL. */
struct state_thread *state_thread_parent(struct state *s, const struct state_thread *t);
/* The n-th ancestor (1 = parent), n <= STATE_ANCESTOR_MAX; NULL past the known chain. */
struct state_thread *state_thread_ancestor(struct state *s, const struct state_thread *t,
					   unsigned n);
struct state_fd *state_fd_get(const struct state_thread *t, int64_t num);

/*
 * Joins base and rel (rel absolute: base ignored) and normalises the result: repeated slashes,
 * "." and ".." (never above /) are removed; symlinks are not resolved (the state cannot). A path
 * longer than size - 1 is cut at its last whole component. Returns the length written (plus a
 * NUL). The one resolver for fd names and for the path fields of the rules.
 */
size_t state_path_resolve(const char *base, const char *rel, char *out, size_t size);
/*
 * The directory a dirfd-relative path starts from: the cwd for AT_FDCWD (-100, "" when unknown),
 * else the fd's path when it is absolute; NULL when unknown.
 */
const char *state_dirfd_base(const struct state_thread *t, int64_t dirfd);

/* Names of the thread's user (euid) and group (egid), seen from its container; "" if unknown. */
const char *state_user_name(struct state *s, const struct state_thread *t, uint32_t uid);
const char *state_user_home(struct state *s, const struct state_thread *t, uint32_t uid);
const char *state_user_shell(struct state *s, const struct state_thread *t, uint32_t uid);
const char *state_group_name(struct state *s, const struct state_thread *t, uint32_t gid);
/*
 * The container metadata layer (meta.h) the state asks at every exec into a container (a
 * lookup is queued, never waited for) and the field extractors read; borrowed, NULL: none.
 */
void state_set_meta(struct state *s, struct meta *m);
struct meta *state_meta(const struct state *s);

/* proc.cmdline (comm, a space, args) into buf; returns the length it needed (like snprintf). */
size_t state_thread_cmdline(const struct state_thread *t, char *buf, size_t size);
/* The value of env variable name ("HOME"), or NULL. */
const char *state_proc_env(const struct state_proc *p, const char *name, uint32_t *ret_len);
/* fd.name of a socket ("1.2.3.4:5->6.7.8.9:80", unix path) or a file's path, into buf. */
size_t state_fd_format_name(const struct state_fd *fd, char *buf, size_t size);
/* fd.l4proto: "tcp", "udp", "icmp", "raw" or NULL when unknown / not an inet socket. */
const char *state_fd_l4proto(const struct state_fd *fd);
/*
 * proc.exe_ino.ctime and .mtime: the executable's inode change and modification times (epoch
 * ns), read once per image from <host_root>/proc/<pid>/exe or, the process gone, from its path,
 * and only while that is still the file the exec recorded (same inode). False when /proc is not
 * read (a replayed capture), neither is that file, or the driver recorded no inode.
 */
bool state_image_exe_times(struct state *s, const struct state_thread *t, uint64_t *ret_ctime_ns,
			   uint64_t *ret_mtime_ns);
/*
 * The process group of t's process: its id in the initial namespace (*ret_pgid), in the process'
 * own namespace (*ret_vpgid) and its leader if the table has it (*ret_leader, may be NULL). The
 * driver does not record it: read from <host_root>/proc/<pid>/stat once per process and exec
 * (a shell sets a job's group before the exec). False when /proc is not read (a replayed
 * capture), the process is gone, or the namespace's id is not known.
 */
bool state_proc_pgid(struct state *s, const struct state_thread *t, uint32_t *ret_pgid,
		     uint32_t *ret_vpgid, struct state_thread **ret_leader);
/*
 * proc.vmsize, proc.vmrss, proc.vmswap (kB) and proc.fdlimit (the soft RLIMIT_NOFILE; -1 for
 * unlimited): read with the process group, from <host_root>/proc/<pid>/status and limits, once
 * per process and exec, as Falco takes them at the exec. False as for state_proc_pgid().
 */
bool state_proc_limits(struct state *s, const struct state_thread *t, uint32_t *ret_vm_size_kb,
		       uint32_t *ret_vm_rss_kb, uint32_t *ret_vm_swap_kb, int64_t *ret_fd_limit);
/* proc.nchilds: the process' threads in the table other than its leader. */
uint32_t state_proc_nchilds(struct state *s, const struct state_thread *t);

/* Number of threads of a process currently in the table. */
static inline uint32_t state_proc_nthreads(const struct state_proc *p)
{
	return p->refs;
}

/* Removes exited threads and threads idle for longer than the idle limit whose
 * <host_root>/proc/<tid> is gone. now_ns is on the events' clock (CLOCK_BOOTTIME).
 * When the thread table has shrunk by half (and by 1024 threads) since its peak, it also
 * shrinks the thread hash and hands freed heap memory back to the kernel (malloc_trim()).
 * Returns the number of threads removed. */
unsigned state_purge(struct state *s, uint64_t now_ns);

void state_get_stats(const struct state *s, struct state_stats *ret);

/*
 * Marks in interest (OSP_EVT_COUNT entries) the events state tracking consumes, so that the
 * interest set handed to the driver is the rules' events plus these. Returns how many it marked.
 */
unsigned state_interest_add(uint8_t *interest);
