// SPDX-License-Identifier: Apache-2.0
/*
 * Process state: the thread hash, processes, images, fds, and the event
 * handlers that keep them current.
 *
 * Per event the work is a hash lookup of the thread (with a one-entry cache
 * for runs of events from one thread) and, only for the events that change
 * state, a small update. Objects are recycled through bounded free lists and
 * buffers (fd names, images) through bounded pools by size class: once they
 * are warm, forks, execs and opens do not call malloc. After a burst of
 * processes has gone, state_purge() gives the memory back (state_trim()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "procfs.h"
#include "state.h"
#include "users.h"

#define FREE_THREADS_MAX 512u
#define FREE_PROCS_MAX	 512u
#define FREE_FDS_MAX	 4096u
#define FD_TABLE_KEEP	 32u /* a recycled process keeps an fd index this small */
#define PENDING_MAX	 4u
#define BUCKETS_MIN	 1024u
/* state_purge() gives memory back when the table shrank by this many threads and by half */
#define TRIM_MIN_THREADS 1024u
/* ... and keeps this many recycled objects of each kind (the pools are emptied) */
#define TRIM_KEEP_THREADS 64u
#define TRIM_KEEP_PROCS	  64u
#define TRIM_KEEP_FDS	  256u
/* /proc reads for threads the stream never introduced: per second of event time, and burst */
#define PROCFS_RATE  100u
#define PROCFS_BURST 100u

/* Kernel ABI constants, spelled out so the meaning does not depend on libc headers. */
#define K_O_WRONLY	  01
#define K_O_CREAT	  0100
#define K_O_TRUNC	  01000
#define K_O_DIRECTORY	  0200000
#define K_O_TMPFILE	  (020000000 | K_O_DIRECTORY)
#define K_O_CLOEXEC	  02000000
#define K_F_DUPFD_CLOEXEC 1030
#define K_MFD_CLOEXEC	  1u
#define K_SOCK_TYPE_MASK  0xf
#define K_PR_SET_NAME	  15
#define K_EINPROGRESS	  115
#define K_CAP_SETGID	  6
#define K_CAP_SETUID	  7
#define K_AT_FDCWD	  (-100)

/*
 * Buffers recycled by size class: bounded free lists, so that once the lists are warm, forks,
 * execs and opens of long paths do not call malloc. Class k holds buffers of POOL_MIN << k
 * bytes; bigger requests go to malloc directly.
 */
#define POOL_MIN     128u
#define POOL_CLASSES 7u /* 128 .. 8192 bytes */
/* Buffers kept per class: about 64 KiB per class at most. */
#define POOL_KEEP_BYTES (64u << 10)

struct pool {
	void *head; /* chained through the first pointer of each buffer */
	uint32_t n;
};

struct state {
	char *host_root;
	uint32_t max_threads, max_fds_per_proc, max_fds_total;
	uint64_t lost_exit_idle_ns;
	bool no_procfs;

	struct state_thread **buckets;
	uint32_t bucket_mask;
	uint32_t nthreads;
	uint32_t nthreads_peak; /* since the last trim */
	uint32_t nprocs;
	uint32_t nfds;
	uint32_t nimages;
	struct state_thread *cache; /* last thread looked up */

	/* Exited threads still readable while their exit event is evaluated. */
	uint32_t pending[PENDING_MAX];
	uint32_t npending;

	struct state_thread *free_threads;
	uint32_t nfree_threads;
	struct state_proc *free_procs; /* chained through image */
	uint32_t nfree_procs;
	struct state_fd *free_fds; /* chained through heap_name */
	uint32_t nfree_fds;
	struct pool names[POOL_CLASSES];  /* fd names too long for inline_name */
	struct pool images[POOL_CLASSES]; /* struct state_image + its strings */

	struct state_image *empty_image;
	struct state_str *empty_cwd;
	struct users *users;
	struct meta *meta; /* container metadata, borrowed; NULL: none */
	uint8_t *scratch; /* one record, for the /proc fallback */
	uint64_t procfs_tokens;
	uint64_t procfs_last_ts;
	struct state_stats stats;
};

/* ---- recycled buffers ---------------------------------------------------------------------- */

/* The class for size bytes, or POOL_CLASSES when it is too big to pool. */
static unsigned pool_class(size_t size)
{
	unsigned k = 0;

	while (k < POOL_CLASSES && (size_t)POOL_MIN << k < size)
		k++;
	return k;
}

/* A buffer of at least size bytes (uninitialised), or NULL. */
static void *pool_get(struct pool *pools, size_t size)
{
	unsigned k = pool_class(size);
	struct pool *p = &pools[k];
	void *b;

	if (k == POOL_CLASSES)
		return malloc(size);
	if (!p->head)
		return malloc((size_t)POOL_MIN << k);
	b = p->head;
	p->head = *(void **)b;
	p->n--;
	return b;
}

/* Gives back a buffer that pool_get(pools, size) returned (the same size). */
static void pool_put(struct pool *pools, void *b, size_t size)
{
	unsigned k = pool_class(size);
	struct pool *p = &pools[k];

	if (!b)
		return;
	if (k == POOL_CLASSES || p->n >= POOL_KEEP_BYTES / ((size_t)POOL_MIN << k)) {
		free(b);
		return;
	}
	*(void **)b = p->head;
	p->head = b;
	p->n++;
}

static void pool_drain(struct pool *pools)
{
	for (unsigned k = 0; k < POOL_CLASSES; k++)
		while (pools[k].head) {
			void *b = pools[k].head;

			pools[k].head = *(void **)b;
			pools[k].n--;
			free(b);
		}
}

/* ---- strings and images -------------------------------------------------------------------- */

static struct state_str *str_new(const char *p, size_t len)
{
	struct state_str *s;

	if (len >= OSP_STR_MAX)
		len = OSP_STR_MAX - 1;
	s = malloc(sizeof(*s) + len + 1);
	if (!s)
		return NULL;
	s->refs = 1;
	s->len = (uint32_t)len;
	memcpy(s->s, p, len);
	s->s[len] = '\0';
	return s;
}

static struct state_str *str_ref(struct state_str *s)
{
	s->refs++;
	return s;
}

static void str_unref(struct state_str *s)
{
	if (s && --s->refs == 0)
		free(s);
}

static struct state_image *image_ref(struct state_image *im)
{
	im->refs++;
	return im;
}

static void image_unref(struct state *s, struct state_image *im)
{
	if (im && --im->refs == 0) {
		pool_put(s->images, im, im->alloc_size);
		s->nimages--;
	}
}

/* Length of a CHARBUF_ARRAY value without a trailing NUL, and its string count. */
static uint32_t array_count(const char *p, uint32_t len)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < len; i++)
		if (p[i] == '\0')
			n++;
	if (len && p[len - 1] != '\0')
		n++; /* a cut last string */
	return n;
}

/*
 * Builds an image from a PROC_EXEC/PROC_SNAPSHOT event: one allocation holding every string.
 * NULL on allocation failure.
 */
static struct state_image *image_from_event(struct state *s, const struct event *ev)
{
	const char *exepath = event_get_str(ev, OSP_EXEC_P_EXE);
	const char *cgroup = event_get_str(ev, OSP_EXEC_P_CGROUP);
	const char *argv = (const char *)ev->val[OSP_EXEC_P_ARGS];
	const char *env = (const char *)ev->val[OSP_EXEC_P_ENV];
	uint32_t argv_len = OSP_EXEC_P_ARGS < ev->nparams && argv ? ev->len[OSP_EXEC_P_ARGS] : 0;
	uint32_t env_len = OSP_EXEC_P_ENV < ev->nparams && env ? ev->len[OSP_EXEC_P_ENV] : 0;
	size_t exe_len, cg_len, a0_len, size;
	struct state_image *im;
	char *p;
	uint64_t v;

	if (!exepath)
		exepath = "";
	if (!cgroup)
		cgroup = "";
	exe_len = strlen(exepath);
	cg_len = strlen(cgroup);
	a0_len = argv_len ? strnlen(argv, argv_len) : 0;
	/* exepath, argv (+NUL), args joined (<= argv_len), env (+NUL), cgroup, argv[0] */
	size = sizeof(*im) + exe_len + 1 + argv_len + 1 + argv_len + 1 + env_len + 1 + cg_len + 1 +
	       a0_len + 1;
	im = pool_get(s->images, size);
	if (!im)
		return NULL;
	memset(im, 0, sizeof(*im));
	im->alloc_size = (uint32_t)size;
	im->refs = 1;
	p = im->buf;

	memcpy(p, exepath, exe_len + 1);
	im->exepath = p;
	p += exe_len + 1;

	memcpy(p, argv ? argv : "", argv_len);
	p[argv_len] = '\0';
	im->argv = p;
	im->argv_len = argv_len;
	im->argc = array_count(p, argv_len);
	im->args_truncated = event_param_truncated(ev, OSP_EXEC_P_ARGS);
	p += argv_len + 1;

	/* args: argv[1..] joined by spaces. */
	im->args = p;
	if (a0_len < argv_len) {
		uint32_t n = argv_len - (uint32_t)a0_len - 1;

		memcpy(p, argv + a0_len + 1, n);
		while (n && p[n - 1] == '\0')
			n--; /* the trailing terminator(s) */
		for (uint32_t i = 0; i < n; i++)
			if (p[i] == '\0')
				p[i] = ' ';
		p[n] = '\0';
		p += n + 1;
	} else {
		*p++ = '\0';
	}

	memcpy(p, env ? env : "", env_len);
	p[env_len] = '\0';
	im->env = p;
	im->env_len = env_len;
	im->env_truncated = event_param_truncated(ev, OSP_EXEC_P_ENV);
	p += env_len + 1;

	memcpy(p, cgroup, cg_len + 1);
	im->cgroup = p;
	p += cg_len + 1;

	if (a0_len) {
		memcpy(p, argv, a0_len);
		p[a0_len] = '\0';
		im->exe = p;
	} else {
		im->exe = im->exepath;
	}

	if (event_get_u64(ev, OSP_EXEC_P_EXE_INO, &v))
		im->exe_ino = v;
	if (event_get_u64(ev, OSP_EXEC_P_EXE_DEV, &v))
		im->exe_dev = (uint32_t)v;
	if (event_get_u64(ev, OSP_EXEC_P_EXE_FLAGS, &v))
		im->exe_flags = (uint32_t)v;
	im->container_type =
		container_from_cgroup(im->cgroup, im->container_id, im->container_full_id);
	if (s->meta && im->container_type != CONTAINER_HOST) /* the lookup starts now */
		meta_container_prefetch(s->meta, im->container_full_id, im->container_type,
					im->cgroup);
	s->nimages++;
	return im;
}

/* ---- fds ----------------------------------------------------------------------------------- */

static void fd_name_free(struct state *s, struct state_fd *fd)
{
	if (fd->heap_name) {
		pool_put(s->names, fd->heap_name, (size_t)fd->name_len + 1);
		fd->heap_name = NULL;
	}
}

static void fd_release(struct state *s, struct state_fd *fd)
{
	fd_name_free(s, fd);
	s->nfds--;
	if (s->nfree_fds < FREE_FDS_MAX) {
		fd->heap_name = (char *)s->free_fds;
		s->free_fds = fd;
		s->nfree_fds++;
	} else {
		free(fd);
	}
}

static void fd_close(struct state *s, struct state_proc *p, int64_t num)
{
	struct state_fd *fd = fd_table_remove(&p->fds, num);

	if (fd)
		fd_release(s, fd);
}

/* A fresh fd num in p (replacing whatever had that number), or NULL at a cap. */
static struct state_fd *fd_new(struct state *s, struct state_proc *p, int64_t num)
{
	struct state_fd *fd;

	fd_close(s, p, num);
	if (p->fds.count >= s->max_fds_per_proc || s->nfds >= s->max_fds_total) {
		p->fds_dropped++;
		s->stats.fds_dropped++;
		return NULL;
	}
	if (s->free_fds) {
		fd = s->free_fds;
		s->free_fds = (struct state_fd *)fd->heap_name;
		s->nfree_fds--;
	} else {
		fd = malloc(sizeof(*fd));
		if (!fd) {
			s->stats.alloc_failures++;
			return NULL;
		}
	}
	memset(fd, 0, offsetof(struct state_fd, inline_name));
	fd->inline_name[0] = '\0';
	fd->num = num;
	fd->name = fd->inline_name;
	if (fd_table_insert(&p->fds, fd) < 0) {
		s->stats.alloc_failures++;
		fd->heap_name = NULL;
		s->nfds++;
		fd_release(s, fd);
		return NULL;
	}
	s->nfds++;
	return fd;
}

static void fd_set_name(struct state *s, struct state_fd *fd, const char *name, size_t len)
{
	fd_name_free(s, fd);
	if (len >= OSP_STR_MAX)
		len = OSP_STR_MAX - 1;
	if (len < sizeof(fd->inline_name)) {
		memcpy(fd->inline_name, name, len);
		fd->inline_name[len] = '\0';
		fd->name = fd->inline_name;
	} else {
		fd->heap_name = pool_get(s->names, len + 1);
		if (!fd->heap_name) {
			s->stats.alloc_failures++;
			len = sizeof(fd->inline_name) - 1;
			memcpy(fd->inline_name, name, len);
			fd->inline_name[len] = '\0';
			fd->name = fd->inline_name;
		} else {
			memcpy(fd->heap_name, name, len);
			fd->heap_name[len] = '\0';
			fd->name = fd->heap_name;
		}
	}
	fd->name_len = (uint32_t)len;
}

/* A copy of src as number num in p (dup, fork). */
static struct state_fd *fd_copy(struct state *s, struct state_proc *p, const struct state_fd *src,
				int64_t num)
{
	struct state_fd *fd = fd_new(s, p, num);

	if (!fd)
		return NULL;
	memcpy(fd, src, offsetof(struct state_fd, name));
	fd->num = num;
	fd_set_name(s, fd, src->name, src->name_len);
	return fd;
}

static uint8_t fd_type_of_family(uint8_t family)
{
	switch (family) {
	case OSP_AF_INET:
		return OSP_FD_TYPE_IPV4_SOCK;
	case OSP_AF_INET6:
		return OSP_FD_TYPE_IPV6_SOCK;
	case OSP_AF_UNIX:
		return OSP_FD_TYPE_UNIX_SOCK;
	default:
		return OSP_FD_TYPE_OTHER_SOCK;
	}
}

/* Applies a SOCKTUPLE value (see osprey_schema.h) to fd. */
static void fd_set_tuple(struct state *s, struct state_fd *fd, const uint8_t *v, uint32_t len)
{
	uint16_t port;

	if (!v || len < 1)
		return;
	fd->family = v[0];
	if (fd->type == OSP_FD_TYPE_UNKNOWN || fd->type == OSP_FD_TYPE_OTHER_SOCK)
		fd->type = fd_type_of_family(v[0]);
	switch (v[0]) {
	case OSP_AF_INET:
		if (len < OSP_SOCKTUPLE_INET_LEN)
			return;
		memcpy(fd->laddr, v + 1, 4);
		memcpy(&port, v + 5, 2);
		fd->lport = port;
		memcpy(fd->raddr, v + 7, 4);
		memcpy(&port, v + 11, 2);
		fd->rport = port;
		fd->role |= STATE_FD_HAS_TUPLE;
		return;
	case OSP_AF_INET6:
		if (len < OSP_SOCKTUPLE_INET6_LEN)
			return;
		memcpy(fd->laddr, v + 1, 16);
		memcpy(&port, v + 17, 2);
		fd->lport = port;
		memcpy(fd->raddr, v + 19, 16);
		memcpy(&port, v + 35, 2);
		fd->rport = port;
		fd->role |= STATE_FD_HAS_TUPLE;
		return;
	case OSP_AF_UNIX:
		if (len > 1 && v[1])
			fd_set_name(s, fd, (const char *)v + 1,
				    strnlen((const char *)v + 1, len - 1));
		fd->role |= STATE_FD_HAS_TUPLE;
		return;
	default:
		return;
	}
}

/* ---- threads and processes ----------------------------------------------------------------- */

static inline uint32_t tid_hash(const struct state *s, uint32_t tid)
{
	return (uint32_t)((tid * 0x9E3779B1u) >> 7) & s->bucket_mask;
}

struct state_thread *state_thread_get(struct state *s, uint32_t tid)
{
	struct state_thread *t = s->cache;

	if (t && t->tid == tid)
		return t;
	for (t = s->buckets[tid_hash(s, tid)]; t; t = t->hnext)
		if (t->tid == tid) {
			s->cache = t;
			return t;
		}
	return NULL;
}

/* Rehashes the thread table into size buckets (a power of two); keeps the old on failure. */
static void buckets_resize(struct state *s, uint32_t size)
{
	struct state_thread **nb, **old = s->buckets;
	uint32_t old_size = s->bucket_mask + 1;

	nb = calloc(size, sizeof(*nb));
	if (!nb)
		return; /* longer chains, still correct */
	s->buckets = nb;
	s->bucket_mask = size - 1;
	for (uint32_t i = 0; i < old_size; i++)
		for (struct state_thread *t = old[i], *next; t; t = next) {
			uint32_t h = tid_hash(s, t->tid);

			next = t->hnext;
			t->hnext = nb[h];
			nb[h] = t;
		}
	free(old);
}

static void buckets_grow(struct state *s)
{
	buckets_resize(s, 2 * (s->bucket_mask + 1));
}

/*
 * After a burst of processes has gone: the thread table shrinks back (to twice the threads
 * left, at least BUCKETS_MIN buckets) and freed heap memory goes back to the kernel. glibc keeps
 * freed chunks inside the heap, and the table grown during the burst sits near its top, so
 * without this the RSS of the burst would stay for good.
 */
static void state_trim(struct state *s)
{
	uint32_t size = BUCKETS_MIN;

	while (s->nfree_threads > TRIM_KEEP_THREADS) {
		struct state_thread *t = s->free_threads;

		s->free_threads = t->hnext;
		s->nfree_threads--;
		free(t);
	}
	while (s->nfree_procs > TRIM_KEEP_PROCS) {
		struct state_proc *p = s->free_procs;

		s->free_procs = (struct state_proc *)p->image;
		s->nfree_procs--;
		fd_table_done(&p->fds);
		free(p);
	}
	while (s->nfree_fds > TRIM_KEEP_FDS) {
		struct state_fd *fd = s->free_fds;

		s->free_fds = (struct state_fd *)fd->heap_name;
		s->nfree_fds--;
		free(fd);
	}
	pool_drain(s->names);
	pool_drain(s->images);

	while (size < 2 * s->nthreads)
		size <<= 1;
	if (size < s->bucket_mask + 1)
		buckets_resize(s, size);
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	s->nthreads_peak = s->nthreads;
	s->stats.trims++;
}

static struct state_proc *proc_new(struct state *s, uint32_t pid)
{
	struct fd_table fds = {};
	struct state_proc *p;

	if (s->free_procs) {
		p = s->free_procs;
		s->free_procs = (struct state_proc *)p->image;
		s->nfree_procs--;
		fds = p->fds;
	} else {
		p = malloc(sizeof(*p));
		if (!p) {
			s->stats.alloc_failures++;
			return NULL;
		}
	}
	*p = (struct state_proc){
		.pid = pid,
		.loginuid = UINT32_MAX,
		.image = image_ref(s->empty_image),
		.cwd = str_ref(s->empty_cwd),
		.fds = fds, /* a recycled process' empty index, or none */
	};
	s->nprocs++;
	return p;
}

static void proc_unref(struct state *s, struct state_proc *p)
{
	if (--p->refs)
		return;
	for (uint32_t i = 0; i < fd_table_size(&p->fds); i++)
		if (p->fds.slots[i]) {
			fd_release(s, p->fds.slots[i]);
			p->fds.slots[i] = NULL;
		}
	p->fds.count = 0;
	image_unref(s, p->image);
	str_unref(p->cwd);
	s->nprocs--;
	if (s->nfree_procs < FREE_PROCS_MAX) {
		/* keep a small empty fd index for the next process (no malloc per fork) */
		if (fd_table_size(&p->fds) > FD_TABLE_KEEP)
			fd_table_done(&p->fds);
		p->image = (struct state_image *)s->free_procs;
		s->free_procs = p;
		s->nfree_procs++;
	} else {
		fd_table_done(&p->fds);
		free(p);
	}
}

/* Unlinks and frees thread tid. */
static void thread_remove(struct state *s, uint32_t tid)
{
	struct state_thread **pp = &s->buckets[tid_hash(s, tid)], *t;

	for (; (t = *pp); pp = &t->hnext)
		if (t->tid == tid)
			break;
	if (!t)
		return;
	*pp = t->hnext;
	if (s->cache == t)
		s->cache = NULL;
	s->nthreads--;
	proc_unref(s, t->proc);
	if (s->nfree_threads < FREE_THREADS_MAX) {
		t->hnext = s->free_threads;
		s->free_threads = t;
		s->nfree_threads++;
	} else {
		free(t);
	}
}

/*
 * A new thread tid in process p (a new process of pid if p is NULL), replacing a stale entry
 * with the same tid. NULL at the thread cap or on allocation failure.
 */
static struct state_thread *thread_new(struct state *s, uint32_t tid, uint32_t pid,
				       struct state_proc *p)
{
	struct state_thread *t;
	uint32_t h;

	if (state_thread_get(s, tid)) {
		/* A tid in use again while the old entry is here: its exit was lost. */
		s->stats.threads_replaced++;
		if (p && p->refs == 1 && state_thread_get(s, tid)->proc == p)
			p = NULL; /* the stale thread's process goes with it */
		thread_remove(s, tid);
	}
	if (s->nthreads >= s->max_threads) {
		s->stats.threads_dropped++;
		return NULL;
	}
	if (s->free_threads) {
		t = s->free_threads;
		s->free_threads = t->hnext;
		s->nfree_threads--;
	} else {
		t = malloc(sizeof(*t));
		if (!t) {
			s->stats.alloc_failures++;
			return NULL;
		}
	}
	if (!p) {
		p = proc_new(s, pid);
		if (!p) {
			t->hnext = s->free_threads;
			s->free_threads = t;
			s->nfree_threads++;
			return NULL;
		}
	}
	*t = (struct state_thread){.tid = tid, .pid = pid, .proc = p};
	p->refs++;
	h = tid_hash(s, tid);
	t->hnext = s->buckets[h];
	s->buckets[h] = t;
	s->nthreads++;
	if (s->nthreads > s->nthreads_peak)
		s->nthreads_peak = s->nthreads;
	s->cache = t;
	if (s->nthreads > s->bucket_mask + 1 && s->bucket_mask + 1 < s->max_threads)
		buckets_grow(s);
	return t;
}

struct state_thread *state_proc_leader(struct state *s, uint32_t pid)
{
	return state_thread_get(s, pid);
}

struct state_thread *state_thread_parent(struct state *s, const struct state_thread *t)
{
	uint32_t ppid = t->proc->ppid;
	struct state_thread *p;

	if (ppid == 0 || ppid == t->pid)
		return NULL;
	p = state_thread_get(s, ppid);
	/* A process started after its child is not its parent: the pid was reused. */
	if (p && p->proc->start_ts && t->proc->start_ts && p->proc->start_ts > t->proc->start_ts)
		return NULL;
	return p;
}

struct state_thread *state_thread_ancestor(struct state *s, const struct state_thread *t,
					   unsigned n)
{
	struct state_thread *a = (struct state_thread *)t;

	if (n > STATE_ANCESTOR_MAX)
		return NULL;
	for (unsigned i = 0; i < n && a; i++)
		a = state_thread_parent(s, a);
	return n ? a : (struct state_thread *)t;
}

struct state_fd *state_fd_get(const struct state_thread *t, int64_t num)
{
	return fd_table_get(&t->proc->fds, num);
}

/* ---- paths --------------------------------------------------------------------------------- */

/*
 * True when p (len bytes, following a '/') needs no normalising: no empty, "." or ".."
 * component and no trailing slash.
 */
static bool path_is_clean_slow(const char *p, size_t len)
{
	bool after_slash = true;

	for (size_t i = 0; i < len; i++) {
		char c = p[i];

		if (after_slash) {
			if (c == '/')
				return false;
			if (c == '.' &&
			    (i + 1 == len || p[i + 1] == '/' ||
			     (p[i + 1] == '.' && (i + 2 == len || p[i + 2] == '/'))))
				return false;
		}
		after_slash = c == '/';
	}
	return !after_slash || len == 0;
}

/* High bit of each byte of x that equals c (exact: no carry crosses bytes). */
static inline uint64_t bytes_equal(uint64_t x, uint8_t c)
{
	uint64_t t = x ^ (0x0101010101010101ull * c);

	return ~(((t & 0x7f7f7f7f7f7f7f7full) + 0x7f7f7f7f7f7f7f7full) | t) & 0x8080808080808080ull;
}

/*
 * path_is_clean_slow(), eight bytes at a time: only a '/' followed by '/' or '.' can make a
 * path unclean, and most paths have none (a hidden file's "/." goes the slow way).
 */
static bool path_is_clean(const char *p, size_t len)
{
	uint64_t carry = 0x80; /* the '/' before p */
	size_t k = 0;

#ifdef __SSE2__
	/* sixteen bytes at a time first */
	unsigned c16 = 1;

	for (; k + 16 <= len; k += 16) {
		__m128i w = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
		unsigned slash = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(w, _mm_set1_epi8('/')));
		unsigned dot = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(w, _mm_set1_epi8('.')));

		if (((slash << 1) | c16) & (slash | dot))
			return path_is_clean_slow(p, len);
		c16 = slash >> 15;
	}
	carry = c16 ? 0x80 : 0;
#endif
	for (; k < len; k += 8) {
		uint64_t w = 0, slash, slash_dot;

		if (len - k >= 8)
			memcpy(&w, p + k, 8);
		else
			for (size_t j = 0; j < len - k; j++)
				w |= (uint64_t)(uint8_t)p[k + j] << (8 * j);
		slash = bytes_equal(w, '/');
		slash_dot = slash | bytes_equal(w, '.');
		if (((slash << 8) | carry) & slash_dot)
			return path_is_clean_slow(p, len);
		carry = slash >> 56;
	}
	return len == 0 || p[len - 1] != '/';
}

size_t state_path_resolve(const char *base, const char *rel, char *out, size_t size)
{
	const char *parts[2] = {rel[0] == '/' ? "" : base, rel};
	size_t n = 0, rl = strlen(rel);

	/* Most paths are clean already: one copy (or two), no walk. */
	if (rel[0] == '/') {
		if (rl < size && path_is_clean(rel + 1, rl - 1)) {
			memcpy(out, rel, rl + 1);
			return rl;
		}
	} else if (base[0] == '/' && rl) {
		size_t bl = strlen(base), sep = bl > 1;

		if (bl + sep + rl < size && path_is_clean(base + 1, bl - 1) &&
		    path_is_clean(rel, rl)) {
			memcpy(out, base, bl);
			out[bl] = '/';
			memcpy(out + bl + sep, rel, rl + 1);
			return bl + sep + rl;
		}
	}

	if (size < 2) {
		if (size)
			out[0] = '\0';
		return 0;
	}
	out[n++] = '/';
	for (unsigned k = 0; k < 2; k++) {
		const char *p = parts[k];

		while (*p) {
			const char *c;
			size_t len;

			while (*p == '/')
				p++;
			c = p;
			while (*p && *p != '/')
				p++;
			len = (size_t)(p - c);
			if (len == 0 || (len == 1 && c[0] == '.'))
				continue;
			if (len == 2 && c[0] == '.' && c[1] == '.') {
				/* Drop the last component (out[0] is the root slash). */
				if (n > 1) {
					n--; /* the trailing slash */
					while (n > 1 && out[n - 1] != '/')
						n--;
				}
				continue;
			}
			if (n + len + 1 >= size)
				goto out; /* too long: cut at the last whole component */
			memcpy(out + n, c, len);
			n += len;
			out[n++] = '/';
		}
	}
out:
	if (n > 1)
		n--; /* no trailing slash */
	out[n] = '\0';
	return n;
}

const char *state_dirfd_base(const struct state_thread *t, int64_t dirfd)
{
	const struct state_fd *fd;

	if (dirfd == K_AT_FDCWD)
		return t->proc->cwd->s;
	fd = fd_table_get(&t->proc->fds, dirfd);
	return fd && fd->name[0] == '/' ? fd->name : NULL;
}

/* ---- event handlers ------------------------------------------------------------------------ */

static uint32_t get_u32_or(const struct event *ev, unsigned i, uint32_t def)
{
	uint64_t v;

	return event_get_u64(ev, i, &v) ? (uint32_t)v : def;
}

static int64_t get_s64_or(const struct event *ev, unsigned i, int64_t def)
{
	int64_t v;

	return event_get_s64(ev, i, &v) ? v : def;
}

static void set_comm(struct state_thread *t, const char *comm)
{
	if (comm) {
		size_t n = strnlen(comm, STATE_COMM_MAX - 1);

		memcpy(t->comm, comm, n);
		t->comm[n] = '\0';
	}
}

/* Per-thread part of a PROC_EXEC / PROC_SNAPSHOT description. */
static void describe_thread(struct state_thread *t, const struct event *ev)
{
	uint64_t v;

	set_comm(t, event_get_str(ev, OSP_EXEC_P_COMM));
	t->vtid = get_u32_or(ev, OSP_EXEC_P_VTID, t->vtid);
	t->uid = get_u32_or(ev, OSP_EXEC_P_UID, t->uid);
	t->gid = get_u32_or(ev, OSP_EXEC_P_GID, t->gid);
	t->euid = get_u32_or(ev, OSP_EXEC_P_EUID, t->euid);
	t->egid = get_u32_or(ev, OSP_EXEC_P_EGID, t->egid);
	if (event_get_u64(ev, OSP_EXEC_P_CAP_INH, &v))
		t->cap_inh = v;
	if (event_get_u64(ev, OSP_EXEC_P_CAP_PRM, &v))
		t->cap_prm = v;
	if (event_get_u64(ev, OSP_EXEC_P_CAP_EFF, &v))
		t->cap_eff = v;
	t->flags &= ~(uint32_t)(STATE_THREAD_INCOMPLETE | STATE_THREAD_EXITED);
}

/* Process part: ids, tty, cwd and a new image. */
static void describe_proc(struct state *s, struct state_proc *p, const struct event *ev)
{
	struct state_image *im = image_from_event(s, ev);
	const char *cwd = event_get_str(ev, OSP_EXEC_P_CWD);
	uint64_t v;

	if (im) {
		image_unref(s, p->image);
		p->image = im;
	}
	/* an exec keeps its cwd: share the string when it did not change */
	if (cwd && cwd[0] && strcmp(cwd, p->cwd->s) != 0) {
		struct state_str *c = str_new(cwd, strlen(cwd));

		if (c) {
			str_unref(p->cwd);
			p->cwd = c;
		}
	}
	p->ppid = get_u32_or(ev, OSP_EXEC_P_PPID, p->ppid);
	p->vpid = get_u32_or(ev, OSP_EXEC_P_VPID, p->vpid);
	p->sid = get_u32_or(ev, OSP_EXEC_P_SID, p->sid);
	p->loginuid = get_u32_or(ev, OSP_EXEC_P_LOGINUID, p->loginuid);
	p->tty = get_u32_or(ev, OSP_EXEC_P_TTY, p->tty);
	p->pidns = get_u32_or(ev, OSP_EXEC_P_PIDNS, p->pidns);
	if (event_get_u64(ev, OSP_EXEC_P_START_TS, &v))
		p->start_ts = v;
}

/*
 * Describes a thread the stream never introduced (its fork was lost) from <host_root>/proc,
 * within a token bucket of PROCFS_RATE reads per second of event time.
 */
__attribute__((noinline))
static void procfs_fill(struct state *s, struct state_thread *t, uint64_t ts)
{
	struct event pev;
	int r;

	if (s->no_procfs)
		return;
	if (ts > s->procfs_last_ts) {
		uint64_t delta = ts - s->procfs_last_ts;

		s->procfs_tokens =
			delta >= 1000000000ull
				? PROCFS_BURST
				: MIN((uint64_t)PROCFS_BURST,
				      s->procfs_tokens + delta * PROCFS_RATE / 1000000000ull);
		if (delta >= 1000000000ull / PROCFS_RATE)
			s->procfs_last_ts = ts;
	}
	if (s->procfs_tokens == 0) {
		s->stats.procfs_skipped++;
		return;
	}
	s->procfs_tokens--;
	if (!s->scratch && !(s->scratch = malloc(OSP_EVENT_MAX_LEN))) {
		s->stats.alloc_failures++;
		return;
	}
	r = procfs_thread_record(s->host_root, t->tid, t->pid, ts, s->scratch, OSP_EVENT_MAX_LEN);
	if (r < 0 || event_decode(s->scratch, (size_t)r, &pev) < 0) {
		s->stats.procfs_failed++;
		return;
	}
	s->stats.procfs_reads++;
	describe_thread(t, &pev);
	if (t->proc->refs == 1)
		describe_proc(s, t->proc, &pev);
	t->flags |= STATE_THREAD_PROCFS;
}

__attribute__((noinline))
static struct state_thread *on_snapshot(struct state *s, const struct event *ev)
{
	uint32_t tid = ev->hdr->tid, pid = ev->hdr->pid;
	struct state_thread *leader = tid != pid ? state_thread_get(s, pid) : NULL;
	struct state_thread *t;

	/* Threads of a described group join its process; the leader's record comes first. */
	t = thread_new(s, tid, pid, leader ? leader->proc : NULL);
	if (!t)
		return NULL;
	t->flags |= STATE_THREAD_SNAPSHOT;
	describe_thread(t, ev);
	if (!leader)
		describe_proc(s, t->proc, ev);
	t->start_ts = get_s64_or(ev, OSP_EXEC_P_START_TS, 0);
	return t;
}

static void close_on_exec(struct state *s, struct state_proc *p)
{
	for (uint32_t i = 0; i < fd_table_size(&p->fds);) {
		struct state_fd *fd = p->fds.slots[i];

		if (fd && (fd->flags & K_O_CLOEXEC))
			fd_close(s, p, fd->num); /* slot i may now hold a moved entry: look again */
		else
			i++;
	}
}

__attribute__((noinline))
static struct state_thread *on_exec(struct state *s, const struct event *ev)
{
	uint32_t tid = ev->hdr->tid, pid = ev->hdr->pid;
	int64_t old_tid = get_s64_or(ev, OSP_EXEC_P_OLD_TID, tid);
	struct state_thread *t = state_thread_get(s, tid), *old;

	/*
	 * A non-leader thread exec'd: it took over the leader's tid (the leader's entry, exited
	 * already, is revived by the description) and its own tid is gone.
	 */
	if (old_tid != tid && old_tid > 0 && (old = state_thread_get(s, (uint32_t)old_tid))) {
		if (!t && old->proc->pid == pid) {
			/* No leader entry: take over the old thread's process under the new tid. */
			struct state_proc *p = old->proc;

			p->refs++;
			thread_remove(s, (uint32_t)old_tid);
			t = thread_new(s, tid, pid, p);
			proc_unref(s, p);
		} else {
			thread_remove(s, (uint32_t)old_tid);
		}
	}
	if (!t) {
		t = thread_new(s, tid, pid, NULL);
		if (!t)
			return NULL;
		t->start_ts = ev->hdr->ts_ns;
	}
	describe_thread(t, ev);
	describe_proc(s, t->proc, ev);
	close_on_exec(s, t->proc);
	return t;
}

__attribute__((noinline))
static struct state_thread *on_fork(struct state *s, const struct event *ev)
{
	uint32_t tid = ev->hdr->tid, pid = ev->hdr->pid;
	uint32_t ptid = get_u32_or(ev, OSP_FORK_P_PTID, 0);
	uint32_t flags = get_u32_or(ev, OSP_FORK_P_FLAGS, 0);
	struct state_thread *parent = ptid && ptid != tid ? state_thread_get(s, ptid) : NULL;
	struct state_thread *t;
	struct state_proc *p = NULL, *pp;

	if (!parent)
		s->stats.forks_unknown_parent++;
	if (flags & OSP_FORK_THREAD) {
		struct state_thread *leader = parent ? parent : state_thread_get(s, pid);

		if (leader && leader->proc->pid == pid)
			p = leader->proc;
	}
	/* Keep the parent alive across a replacement of tid (it cannot be tid itself). */
	pp = parent ? parent->proc : NULL;
	if (pp)
		pp->refs++;
	if (p)
		p->refs++;
	t = thread_new(s, tid, pid, p);
	if (p)
		p->refs--;
	if (!t) {
		if (pp)
			proc_unref(s, pp);
		return NULL;
	}
	parent = ptid ? state_thread_get(s, ptid) : NULL;
	t->start_ts = ev->hdr->ts_ns;
	t->vtid = get_u32_or(ev, OSP_FORK_P_VTID, tid);
	if (parent) {
		memcpy(t->comm, parent->comm, sizeof(t->comm));
		t->uid = parent->uid;
		t->gid = parent->gid;
		t->euid = parent->euid;
		t->egid = parent->egid;
		t->cap_inh = parent->cap_inh;
		t->cap_prm = parent->cap_prm;
		t->cap_eff = parent->cap_eff;
	} else {
		t->flags |= STATE_THREAD_INCOMPLETE;
		procfs_fill(s, t, ev->hdr->ts_ns);
	}
	if (!p) {
		/* A new process: it inherits the parent's description and fds. */
		struct state_proc *np = t->proc;

		np->ppid = get_u32_or(ev, OSP_FORK_P_PPID, 0);
		np->vpid = get_u32_or(ev, OSP_FORK_P_VPID, pid);
		np->pidns = get_u32_or(ev, OSP_FORK_P_PIDNS, 0);
		np->start_ts = ev->hdr->ts_ns;
		if (pp) {
			image_unref(s, np->image);
			np->image = image_ref(pp->image);
			str_unref(np->cwd);
			np->cwd = str_ref(pp->cwd);
			np->sid = pp->sid;
			np->tty = pp->tty;
			np->loginuid = pp->loginuid;
			for (uint32_t i = 0; i < fd_table_size(&pp->fds); i++) {
				const struct state_fd *fd = pp->fds.slots[i];

				if (fd)
					fd_copy(s, np, fd, fd->num);
			}
		}
	}
	if (pp)
		proc_unref(s, pp);
	return t;
}

static void pending_add(struct state *s, uint32_t tid)
{
	if (s->npending < PENDING_MAX)
		s->pending[s->npending++] = tid;
}

static void pending_flush(struct state *s)
{
	for (uint32_t i = 0; i < s->npending; i++) {
		struct state_thread *t = state_thread_get(s, s->pending[i]);

		/* Still exited (an exec may have revived a leader's entry meanwhile). */
		if (t && (t->flags & STATE_THREAD_EXITED)) {
			thread_remove(s, s->pending[i]);
			s->stats.threads_exited++;
		}
	}
	s->npending = 0;
}

__attribute__((noinline))
static struct state_thread *on_proc_exit(struct state *s, const struct event *ev)
{
	uint32_t tid = ev->hdr->tid, pid = ev->hdr->pid;
	uint32_t flags = get_u32_or(ev, OSP_EXIT_P_FLAGS, 0);
	struct state_thread *t = state_thread_get(s, tid), *leader;

	if (!t)
		return NULL;
	t->flags |= STATE_THREAD_EXITED;
	/*
	 * A leader that exits before its threads stays (proc.pid, the parent of children, the
	 * target of a non-leader exec) until its group is dead.
	 */
	if (tid != pid || (flags & OSP_EXIT_GROUP_DEAD) || t->proc->refs == 1)
		pending_add(s, tid);
	if (tid != pid && (flags & OSP_EXIT_GROUP_DEAD)) {
		leader = state_thread_get(s, pid);
		if (leader && (leader->flags & STATE_THREAD_EXITED))
			pending_add(s, pid);
	}
	return t;
}

/* setuid family: which ids change, Linux semantics (privileged: CAP_SETUID / CAP_SETGID). */
static void set_ids(struct state_thread *t, bool group, int64_t r, int64_t e, bool single)
{
	uint32_t *real = group ? &t->gid : &t->uid, *eff = group ? &t->egid : &t->euid;
	uint32_t old_euid = t->euid;

	if (single) {
		bool priv = t->cap_eff & (1ull << (group ? K_CAP_SETGID : K_CAP_SETUID));

		if (priv)
			*real = (uint32_t)e;
		*eff = (uint32_t)e;
	} else {
		if (r != -1 && r >= 0 && r <= UINT32_MAX - 1)
			*real = (uint32_t)r;
		if (e != -1 && e >= 0 && e <= UINT32_MAX - 1)
			*eff = (uint32_t)e;
	}
	/* The kernel drops effective capabilities when euid leaves 0 (cap_emulate_setxuid). */
	if (!group && old_euid == 0 && t->euid != 0) {
		t->cap_eff = 0;
		if (t->uid != 0)
			t->cap_prm = 0;
	}
}

static void on_open(struct state *s, struct state_thread *t, const struct event *ev, int64_t res,
		    int64_t dirfd, unsigned name_i, uint32_t flags)
{
	const char *name = event_get_str(ev, name_i);
	const char *base;
	char path[OSP_STR_MAX];
	struct state_fd *fd;
	size_t n;

	fd = fd_new(s, t->proc, res);
	if (!fd)
		return;
	/* O_TMPFILE carries O_DIRECTORY's bit but creates a file */
	fd->type = (flags & K_O_TMPFILE) == K_O_DIRECTORY ? OSP_FD_TYPE_DIRECTORY : OSP_FD_TYPE_FILE;
	fd->flags = flags;
	if (!name)
		return;
	if (name[0] == '/') {
		/* most opens: an absolute path that needs no normalising, copied once */
		n = strlen(name);
		if (n < sizeof(path) && path_is_clean(name + 1, n - 1)) {
			fd_set_name(s, fd, name, n);
			return;
		}
	}
	base = name[0] == '/' ? "" : state_dirfd_base(t, dirfd);
	if (!base || (!base[0] && name[0] != '/')) {
		/* Relative to something unknown: keep the name as given. */
		fd_set_name(s, fd, name, strlen(name));
		return;
	}
	n = state_path_resolve(base, name, path, sizeof(path));
	fd_set_name(s, fd, path, n);
}

static void on_dup(struct state *s, struct state_thread *t, int64_t oldfd, int64_t newfd,
		   bool cloexec)
{
	const struct state_fd *src = fd_table_get(&t->proc->fds, oldfd);
	struct state_fd *fd;

	if (oldfd == newfd)
		return;
	if (src)
		fd = fd_copy(s, t->proc, src, newfd);
	else {
		s->stats.fds_unknown++;
		fd = fd_new(s, t->proc, newfd);
	}
	if (!fd)
		return;
	fd->flags = cloexec ? fd->flags | K_O_CLOEXEC : fd->flags & ~(uint32_t)K_O_CLOEXEC;
}

static struct state_fd *sock_fd(struct state *s, struct state_thread *t, int64_t num)
{
	struct state_fd *fd;

	if (num < 0)
		return NULL;
	fd = fd_table_get(&t->proc->fds, num);
	if (!fd) {
		s->stats.fds_unknown++;
		fd = fd_new(s, t->proc, num);
		if (fd)
			fd->type = OSP_FD_TYPE_OTHER_SOCK;
	}
	return fd;
}

static void new_simple_fd(struct state *s, struct state_thread *t, int64_t num, uint8_t type,
			  uint32_t flags)
{
	struct state_fd *fd;

	if (num < 0)
		return;
	fd = fd_new(s, t->proc, num);
	if (fd) {
		fd->type = type;
		fd->flags = flags;
	}
}

static void new_socket(struct state *s, struct state_thread *t, int64_t num, uint32_t domain,
		       uint32_t type, uint32_t proto)
{
	struct state_fd *fd;

	if (num < 0)
		return;
	fd = fd_new(s, t->proc, num);
	if (!fd)
		return;
	fd->type = fd_type_of_family((uint8_t)domain);
	fd->family = (uint8_t)domain;
	fd->sock_type = (uint8_t)(type & K_SOCK_TYPE_MASK);
	fd->proto = proto;
	fd->flags = type & K_O_CLOEXEC;
}

__attribute__((noinline))
static void on_fd_snapshot(struct state *s, const struct event *ev)
{
	struct state_thread *t = state_thread_get(s, ev->hdr->pid);
	const char *name = event_get_str(ev, OSP_FDSNAP_P_NAME);
	struct state_fd *fd;
	int64_t num;
	uint64_t v;

	if (!t || !event_get_s64(ev, OSP_FDSNAP_P_FD, &num) || num < 0)
		return;
	fd = fd_new(s, t->proc, num);
	if (!fd)
		return;
	fd->type = (uint8_t)get_u32_or(ev, OSP_FDSNAP_P_TYPE, OSP_FD_TYPE_UNKNOWN);
	fd->flags = get_u32_or(ev, OSP_FDSNAP_P_FLAGS, 0);
	if (event_get_u64(ev, OSP_FDSNAP_P_INO, &v))
		fd->ino = v;
	if (name && name[0])
		fd_set_name(s, fd, name, strlen(name));
	if (OSP_FDSNAP_P_TUPLE < ev->nparams && ev->val[OSP_FDSNAP_P_TUPLE]) {
		fd_set_tuple(s, fd, ev->val[OSP_FDSNAP_P_TUPLE], ev->len[OSP_FDSNAP_P_TUPLE]);
		if ((fd->role & STATE_FD_HAS_TUPLE) && fd->rport)
			fd->role |= STATE_FD_CONNECTED;
	}
}

/* A thread seen for the first time in a syscall event: joins its known group, if any. */
__attribute__((noinline))
static struct state_thread *thread_incomplete(struct state *s, const struct event *ev)
{
	uint32_t tid = ev->hdr->tid, pid = ev->hdr->pid;
	struct state_thread *leader = tid != pid ? state_thread_get(s, pid) : NULL;
	struct state_thread *t = thread_new(s, tid, pid, leader ? leader->proc : NULL);

	if (!t)
		return NULL;
	s->stats.threads_incomplete++;
	t->flags |= STATE_THREAD_INCOMPLETE;
	t->start_ts = ev->hdr->ts_ns;
	if (!leader)
		procfs_fill(s, t, ev->hdr->ts_ns);
	if (leader) {
		memcpy(t->comm, leader->comm, sizeof(t->comm));
		t->uid = leader->uid;
		t->gid = leader->gid;
		t->euid = leader->euid;
		t->egid = leader->egid;
		t->cap_inh = leader->cap_inh;
		t->cap_prm = leader->cap_prm;
		t->cap_eff = leader->cap_eff;
	}
	return t;
}

static void on_syscall_other(struct state *s, struct state_thread *t, const struct event *ev,
			     int64_t res);

/*
 * The syscalls that make most of the stream (open, close, the dups) here; the others in
 * on_syscall_other(), whose path buffers would otherwise make every event's frame 4 KiB larger.
 */
static void on_syscall(struct state *s, struct state_thread *t, const struct event *ev)
{
	int64_t res;

	if (!event_get_s64(ev, OSP_SYSCALL_P_RES, &res))
		return;
	switch (ev->hdr->type) {
	case OSP_EVT_OPEN:
		if (res >= 0)
			on_open(s, t, ev, res, K_AT_FDCWD, 1, get_u32_or(ev, 2, 0));
		return;
	case OSP_EVT_OPENAT:
	case OSP_EVT_OPENAT2:
		if (res >= 0)
			on_open(s, t, ev, res, get_s64_or(ev, 1, K_AT_FDCWD), 2,
				get_u32_or(ev, 3, 0));
		return;
	case OSP_EVT_CREAT:
		if (res >= 0)
			on_open(s, t, ev, res, K_AT_FDCWD, 1, K_O_CREAT | K_O_WRONLY | K_O_TRUNC);
		return;
	case OSP_EVT_CLOSE: {
		int64_t num;

		/* Linux frees the descriptor even when close() reports an error (EINTR, EIO). */
		if (event_get_s64(ev, 1, &num) && res != -EBADF)
			fd_close(s, t->proc, num);
		return;
	}
	case OSP_EVT_DUP:
		if (res >= 0)
			on_dup(s, t, get_s64_or(ev, 1, -1), res, false);
		return;
	case OSP_EVT_DUP2:
		if (res >= 0)
			on_dup(s, t, get_s64_or(ev, 1, -1), res, false);
		return;
	case OSP_EVT_DUP3:
		if (res >= 0)
			on_dup(s, t, get_s64_or(ev, 1, -1), res,
			       get_u32_or(ev, 3, 0) & K_O_CLOEXEC);
		return;
	case OSP_EVT_FCNTL:
		if (res >= 0)
			on_dup(s, t, get_s64_or(ev, 1, -1), res,
			       get_u32_or(ev, 2, 0) == K_F_DUPFD_CLOEXEC);
		return;
	default:
		on_syscall_other(s, t, ev, res);
		return;
	}
}

__attribute__((noinline))
static void on_syscall_other(struct state *s, struct state_thread *t, const struct event *ev,
			     int64_t res)
{
	switch (ev->hdr->type) {
	case OSP_EVT_SOCKET:
		new_socket(s, t, res, get_u32_or(ev, 1, 0), get_u32_or(ev, 2, 0),
			   get_u32_or(ev, 3, 0));
		return;
	case OSP_EVT_SOCKETPAIR:
		if (res < 0)
			return;
		for (unsigned i = 4; i <= 5; i++)
			new_socket(s, t, get_s64_or(ev, i, -1), get_u32_or(ev, 1, 0),
				   get_u32_or(ev, 2, 0), get_u32_or(ev, 3, 0));
		return;
	case OSP_EVT_CONNECT: {
		struct state_fd *fd;

		if (res < 0 && res != -K_EINPROGRESS)
			return;
		fd = sock_fd(s, t, get_s64_or(ev, 1, -1));
		if (!fd || 2 >= ev->nparams)
			return;
		fd_set_tuple(s, fd, ev->val[2], ev->len[2]);
		fd->role |= STATE_FD_CLIENT | STATE_FD_CONNECTED;
		return;
	}
	case OSP_EVT_ACCEPT:
	case OSP_EVT_ACCEPT4: {
		struct state_fd *fd;

		if (res < 0)
			return;
		fd = fd_new(s, t->proc, res);
		if (!fd)
			return;
		fd->type = OSP_FD_TYPE_OTHER_SOCK;
		fd->sock_type = 1; /* SOCK_STREAM (or SEQPACKET): accept needs a connection */
		fd->role = STATE_FD_SERVER | STATE_FD_CONNECTED;
		if (ev->hdr->type == OSP_EVT_ACCEPT4)
			fd->flags = get_u32_or(ev, 2, 0) & K_O_CLOEXEC;
		if (1 < ev->nparams)
			fd_set_tuple(s, fd, ev->val[1], ev->len[1]);
		return;
	}
	case OSP_EVT_BIND: {
		const uint8_t *v = 2 < ev->nparams ? ev->val[2] : NULL;
		uint32_t len = v ? ev->len[2] : 0;
		struct state_fd *fd;
		uint16_t port;

		if (res < 0 || !v || !len)
			return;
		fd = sock_fd(s, t, get_s64_or(ev, 1, -1));
		if (!fd)
			return;
		fd->family = v[0];
		if (fd->type == OSP_FD_TYPE_OTHER_SOCK)
			fd->type = fd_type_of_family(v[0]);
		if (v[0] == OSP_AF_INET && len >= OSP_SOCKADDR_INET_LEN) {
			memcpy(fd->laddr, v + 1, 4);
			memcpy(&port, v + 5, 2);
			fd->lport = port;
		} else if (v[0] == OSP_AF_INET6 && len >= OSP_SOCKADDR_INET6_LEN) {
			memcpy(fd->laddr, v + 1, 16);
			memcpy(&port, v + 17, 2);
			fd->lport = port;
		} else if (v[0] == OSP_AF_UNIX && len > 1) {
			fd_set_name(s, fd, (const char *)v + 1,
				    strnlen((const char *)v + 1, len - 1));
		}
		return;
	}
	case OSP_EVT_LISTEN: {
		struct state_fd *fd;

		if (res == 0 && (fd = fd_table_get(&t->proc->fds, get_s64_or(ev, 1, -1))))
			fd->role |= STATE_FD_SERVER;
		return;
	}
	case OSP_EVT_MEMFD_CREATE: {
		const char *name = event_get_str(ev, 1);
		struct state_fd *fd;

		if (res < 0 || !(fd = fd_new(s, t->proc, res)))
			return;
		fd->type = OSP_FD_TYPE_MEMFD;
		fd->flags = get_u32_or(ev, 2, 0) & K_MFD_CLOEXEC ? K_O_CLOEXEC : 0;
		if (name) {
			char buf[OSP_STR_MAX];
			int n = snprintf(buf, sizeof(buf), "memfd:%s", name);

			fd_set_name(s, fd, buf, MIN((size_t)n, sizeof(buf) - 1));
		}
		return;
	}
	case OSP_EVT_PIPE:
	case OSP_EVT_PIPE2: {
		uint32_t flags = ev->hdr->type == OSP_EVT_PIPE2 ? get_u32_or(ev, 3, 0) : 0;

		if (res < 0)
			return;
		new_simple_fd(s, t, get_s64_or(ev, 1, -1), OSP_FD_TYPE_PIPE, flags);
		new_simple_fd(s, t, get_s64_or(ev, 2, -1), OSP_FD_TYPE_PIPE, flags);
		return;
	}
	case OSP_EVT_USERFAULTFD:
		new_simple_fd(s, t, res, OSP_FD_TYPE_EVENT, get_u32_or(ev, 1, 0) & K_O_CLOEXEC);
		return;
	case OSP_EVT_IO_URING_SETUP:
		new_simple_fd(s, t, res, OSP_FD_TYPE_EVENT, K_O_CLOEXEC);
		return;
	case OSP_EVT_CHDIR: {
		const char *path = event_get_str(ev, 1);
		char buf[OSP_STR_MAX];
		struct state_str *c;
		size_t n;

		if (res < 0 || !path || (path[0] != '/' && !t->proc->cwd->s[0]))
			return;
		n = state_path_resolve(t->proc->cwd->s, path, buf, sizeof(buf));
		if ((c = str_new(buf, n))) {
			str_unref(t->proc->cwd);
			t->proc->cwd = c;
		}
		return;
	}
	case OSP_EVT_FCHDIR: {
		const struct state_fd *fd = fd_table_get(&t->proc->fds, get_s64_or(ev, 1, -1));
		struct state_str *c;

		if (res < 0 || !fd || fd->name[0] != '/')
			return;
		if ((c = str_new(fd->name, fd->name_len))) {
			str_unref(t->proc->cwd);
			t->proc->cwd = c;
		}
		return;
	}
	case OSP_EVT_SETUID:
	case OSP_EVT_SETGID:
		if (res == 0)
			set_ids(t, ev->hdr->type == OSP_EVT_SETGID, -1,
				get_u32_or(ev, 1, UINT32_MAX), true);
		return;
	case OSP_EVT_SETREUID:
	case OSP_EVT_SETREGID:
	case OSP_EVT_SETRESUID:
	case OSP_EVT_SETRESGID:
		if (res == 0) {
			bool group = ev->hdr->type == OSP_EVT_SETREGID ||
				     ev->hdr->type == OSP_EVT_SETRESGID;
			uint32_t r = get_u32_or(ev, 1, UINT32_MAX),
				 e = get_u32_or(ev, 2, UINT32_MAX);

			set_ids(t, group, r == UINT32_MAX ? -1 : (int64_t)r,
				e == UINT32_MAX ? -1 : (int64_t)e, false);
		}
		return;
	case OSP_EVT_CAPSET: {
		uint64_t v;

		if (res != 0)
			return;
		if (event_get_u64(ev, 1, &v))
			t->cap_inh = v;
		if (event_get_u64(ev, 2, &v))
			t->cap_prm = v;
		if (event_get_u64(ev, 3, &v))
			t->cap_eff = v;
		return;
	}
	case OSP_EVT_PRCTL:
		if (res == 0 && get_u32_or(ev, 1, 0) == K_PR_SET_NAME)
			set_comm(t, event_get_str(ev, 2));
		return;
	default:
		return;
	}
}

/* The handlers of the rare events (snapshot, fork, exec, exit, a thread first seen) are not
 * inlined here, so that the path most events take keeps a small frame. */
struct state_thread *state_process_event(struct state *s, const struct event *ev)
{
	struct state_thread *t;

	s->stats.events++;
	if (_unlikely_(s->npending))
		pending_flush(s);
	switch (ev->hdr->type) {
	case OSP_EVT_PROC_SNAPSHOT:
		t = on_snapshot(s, ev);
		break;
	case OSP_EVT_FD_SNAPSHOT:
		on_fd_snapshot(s, ev);
		t = state_thread_get(s, ev->hdr->tid);
		break;
	case OSP_EVT_PROC_FORK:
		t = on_fork(s, ev);
		break;
	case OSP_EVT_PROC_EXEC:
		t = on_exec(s, ev);
		break;
	case OSP_EVT_PROC_EXIT:
		t = on_proc_exit(s, ev);
		break;
	default:
		t = state_thread_get(s, ev->hdr->tid);
		if (_unlikely_(!t) && !(t = thread_incomplete(s, ev)))
			return NULL;
		if (ev->info->flags & OSP_EF_SYSCALL)
			on_syscall(s, t, ev);
		break;
	}
	if (t)
		t->last_ts = ev->hdr->ts_ns;
	return t;
}

/* ---- lookups and helpers ------------------------------------------------------------------- */

#define STATE_USERS_ANCESTORS_MAX 8

/*
 * A user or group as t sees it. A container's files are read through a live process of it:
 * when t is gone (events are handled a little after they happen), its ancestors in the same
 * container are tried. Replay has no live process at all: the host's names only.
 */
static const struct users_entry *users_of(struct state *s, const struct state_thread *t,
					  uint32_t id, bool group)
{
	const char *cid = t->proc->image->container_id;
	const struct state_thread *cur = t;

	for (unsigned depth = 0; cur && depth < STATE_USERS_ANCESTORS_MAX; depth++) {
		uint32_t pid = s->no_procfs ? 0 : cur->pid;
		const struct users_entry *e = group ? users_get_group(s->users, cid, pid, id)
						    : users_get_user(s->users, cid, pid, id);

		if (e || pid == 0 || users_container_loaded(s->users, cid))
			return e;
		cur = state_thread_parent(s, cur);
		if (cur && strcmp(cur->proc->image->container_id, cid) != 0)
			break;
	}
	return NULL;
}

static const struct users_entry *user_of(struct state *s, const struct state_thread *t,
					 uint32_t uid)
{
	return users_of(s, t, uid, false);
}

const char *state_user_name(struct state *s, const struct state_thread *t, uint32_t uid)
{
	const struct users_entry *e = user_of(s, t, uid);

	return e ? e->name : "";
}

const char *state_user_home(struct state *s, const struct state_thread *t, uint32_t uid)
{
	const struct users_entry *e = user_of(s, t, uid);

	return e ? e->home : "";
}

const char *state_user_shell(struct state *s, const struct state_thread *t, uint32_t uid)
{
	const struct users_entry *e = user_of(s, t, uid);

	return e ? e->shell : "";
}

const char *state_group_name(struct state *s, const struct state_thread *t, uint32_t gid)
{
	const struct users_entry *e = users_of(s, t, gid, true);

	return e ? e->name : "";
}

size_t state_thread_cmdline(const struct state_thread *t, char *buf, size_t size)
{
	const char *args = t->proc->image->args;
	int n = snprintf(buf, size, "%s%s%s", t->comm, args[0] ? " " : "", args);

	return n < 0 ? 0 : (size_t)n;
}

const char *state_proc_env(const struct state_proc *p, const char *name, uint32_t *ret_len)
{
	const char *e = p->image->env, *end = e + p->image->env_len;
	size_t nl = strlen(name);

	while (e < end) {
		size_t l = strnlen(e, (size_t)(end - e));

		if (l > nl && memcmp(e, name, nl) == 0 && e[nl] == '=') {
			if (ret_len)
				*ret_len = (uint32_t)(l - nl - 1);
			return e + nl + 1;
		}
		e += l + 1;
	}
	return NULL;
}

static size_t format_end(char *buf, size_t size, size_t at, uint8_t family, const uint8_t *addr,
			 uint16_t port)
{
	char a[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(family == OSP_AF_INET6 ? AF_INET6 : AF_INET, addr, a, sizeof(a)))
		a[0] = '\0';
	n = snprintf(at < size ? buf + at : NULL, at < size ? size - at : 0, "%s:%u", a, port);
	return n < 0 ? at : at + (size_t)n;
}

static size_t format_arrow(char *buf, size_t size, size_t at)
{
	int n = snprintf(at < size ? buf + at : NULL, at < size ? size - at : 0, "->");

	return n < 0 ? at : at + (size_t)n;
}

size_t state_fd_format_name(const struct state_fd *fd, char *buf, size_t size)
{
	bool inet = fd->family == OSP_AF_INET || fd->family == OSP_AF_INET6;
	size_t n = 0;
	int r;

	if (size)
		buf[0] = '\0';
	if (inet && !(fd->role & STATE_FD_HAS_TUPLE) && fd->lport)
		return format_end(buf, size, 0, fd->family, fd->laddr, fd->lport); /* bound only */
	if (!inet || !(fd->role & STATE_FD_HAS_TUPLE)) {
		r = snprintf(buf, size, "%s", fd->name);
		return r < 0 ? 0 : (size_t)r;
	}
	/* client -> server, as Falco prints it: an accepted socket's remote end is the client */
	if (fd->role & STATE_FD_SERVER) {
		n = format_end(buf, size, n, fd->family, fd->raddr, fd->rport);
		n = format_arrow(buf, size, n);
		n = format_end(buf, size, n, fd->family, fd->laddr, fd->lport);
	} else {
		n = format_end(buf, size, n, fd->family, fd->laddr, fd->lport);
		n = format_arrow(buf, size, n);
		n = format_end(buf, size, n, fd->family, fd->raddr, fd->rport);
	}
	return n;
}

bool state_image_exe_times(struct state *s, const struct state_thread *t, uint64_t *ret_ctime_ns,
			   uint64_t *ret_mtime_ns)
{
	struct state_image *im = t->proc->image;

	if (im->exe_times == 0) {
		char path[PATH_MAX];
		struct stat st;

		im->exe_times = 2;
		/* the running image; else (the process is gone) the path, if still that inode */
		if (!s->no_procfs && im->exe_ino &&
		    (((size_t)snprintf(path, sizeof(path), "%s/proc/%u/exe",
				       s->host_root ? s->host_root : "",
				       t->proc->pid) < sizeof(path) &&
		      stat(path, &st) == 0 && (uint64_t)st.st_ino == im->exe_ino) ||
		     (im->exepath[0] == '/' &&
		      (size_t)snprintf(path, sizeof(path), "%s%s", s->host_root ? s->host_root : "",
				       im->exepath) < sizeof(path) &&
		      stat(path, &st) == 0 && (uint64_t)st.st_ino == im->exe_ino))) {
			im->exe_ctime_ns = (uint64_t)st.st_ctim.tv_sec * 1000000000ull +
					   (uint64_t)st.st_ctim.tv_nsec;
			im->exe_mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000ull +
					   (uint64_t)st.st_mtim.tv_nsec;
			im->exe_times = 1;
		}
	}
	if (im->exe_times != 1)
		return false;
	*ret_ctime_ns = im->exe_ctime_ns;
	*ret_mtime_ns = im->exe_mtime_ns;
	return true;
}

#define STATE_FACT_PGID   0x1
#define STATE_FACT_VM	  0x2
#define STATE_FACT_FDLIMIT 0x4

/* <host_root>/proc/<pid>/<name> into buf (NUL-terminated); false when it cannot be read. */
static bool procfs_read(const struct state *s, uint32_t pid, const char *name, char *buf,
			size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/proc/%u/%s", s->host_root ? s->host_root : "",
			     pid, name) >= sizeof(path))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

/* The number after "Key:" in a status file (kB for the Vm lines). */
static bool status_number(const char *status, const char *key, unsigned long *ret)
{
	const char *p = strstr(status, key);

	return p && sscanf(p + strlen(key), " %lu", ret) == 1;
}

/* Once per process and exec: the process group, memory and fd limit, as /proc has them. */
static void proc_facts_load(struct state *s, struct state_proc *p)
{
	char buf[4096], *q;
	unsigned long v, rss, swap;

	if (p->facts_image == p->image)
		return;
	p->facts_image = p->image;
	p->facts = 0;
	if (s->no_procfs)
		return;
	/* stat: ") S ppid pgrp ...", after the comm's closing parenthesis */
	if (procfs_read(s, p->pid, "stat", buf, sizeof(buf)) && (q = strrchr(buf, ')')) &&
	    sscanf(q + 1, " %*c %*d %lu", &v) == 1 && v && v <= UINT32_MAX) {
		p->pgid = (uint32_t)v;
		p->facts |= STATE_FACT_PGID;
	}
	if (procfs_read(s, p->pid, "status", buf, sizeof(buf))) {
		/* a kernel thread has no Vm lines: no value, as Falco's 0 would mislead */
		if (status_number(buf, "\nVmSize:", &v) && status_number(buf, "\nVmRSS:", &rss)) {
			if (!status_number(buf, "\nVmSwap:", &swap))
				swap = 0;
			p->vm_size_kb = (uint32_t)MIN(v, UINT32_MAX);
			p->vm_rss_kb = (uint32_t)MIN(rss, UINT32_MAX);
			p->vm_swap_kb = (uint32_t)MIN(swap, UINT32_MAX);
			p->facts |= STATE_FACT_VM;
		}
	}
	if (procfs_read(s, p->pid, "limits", buf, sizeof(buf)) &&
	    (q = strstr(buf, "\nMax open files"))) {
		q += strlen("\nMax open files");
		while (*q == ' ')
			q++;
		if (strncmp(q, "unlimited", 9) == 0) {
			p->fd_limit = -1;
			p->facts |= STATE_FACT_FDLIMIT;
		} else if (sscanf(q, "%lu", &v) == 1) {
			p->fd_limit = (int64_t)v;
			p->facts |= STATE_FACT_FDLIMIT;
		}
	}
}

bool state_proc_pgid(struct state *s, const struct state_thread *t, uint32_t *ret_pgid,
		     uint32_t *ret_vpgid, struct state_thread **ret_leader)
{
	struct state_proc *p = t->proc;
	struct state_thread *leader;

	proc_facts_load(s, p);
	if (!(p->facts & STATE_FACT_PGID))
		return false;
	leader = state_thread_get(s, p->pgid);
	if (leader && leader->tid != leader->pid)
		leader = NULL;
	*ret_pgid = p->pgid;
	if (p->pgid == p->pid)
		*ret_vpgid = p->vpid;
	else if (leader)
		*ret_vpgid = leader->proc->vpid;
	else if (p->vpid == p->pid) /* the initial namespace */
		*ret_vpgid = p->pgid;
	else
		return false;
	*ret_leader = leader;
	return true;
}

bool state_proc_limits(struct state *s, const struct state_thread *t, uint32_t *ret_vm_size_kb,
		       uint32_t *ret_vm_rss_kb, uint32_t *ret_vm_swap_kb, int64_t *ret_fd_limit)
{
	struct state_proc *p = t->proc;

	proc_facts_load(s, p);
	if (ret_vm_size_kb) {
		if (!(p->facts & STATE_FACT_VM))
			return false;
		*ret_vm_size_kb = p->vm_size_kb;
		*ret_vm_rss_kb = p->vm_rss_kb;
		*ret_vm_swap_kb = p->vm_swap_kb;
	}
	if (ret_fd_limit) {
		if (!(p->facts & STATE_FACT_FDLIMIT))
			return false;
		*ret_fd_limit = p->fd_limit;
	}
	return true;
}

uint32_t state_proc_nchilds(struct state *s, const struct state_thread *t)
{
	const struct state_thread *leader = state_proc_leader(s, t->proc->pid);
	uint32_t n = state_proc_nthreads(t->proc);

	if (leader && leader->proc == t->proc && !(leader->flags & STATE_THREAD_EXITED) && n)
		n--;
	return n;
}

const char *state_fd_l4proto(const struct state_fd *fd)
{
	if (fd->type != OSP_FD_TYPE_IPV4_SOCK && fd->type != OSP_FD_TYPE_IPV6_SOCK)
		return NULL;
	switch (fd->sock_type) {
	case 1:
		return "tcp";
	case 2:
		return fd->proto == 1 || fd->proto == 58 ? "icmp" : "udp";
	case 3:
		return fd->proto == 1 || fd->proto == 58 ? "icmp" : "raw";
	default:
		return NULL;
	}
}

/* ---- purge, stats, lifetime ---------------------------------------------------------------- */

static bool proc_entry_exists(struct state *s, uint32_t tid)
{
	char path[PATH_MAX];
	int n;

	if (s->no_procfs)
		return true; /* cannot tell: keep it */
	n = snprintf(path, sizeof(path), "%s/proc/%u", s->host_root, tid);
	if (n < 0 || (size_t)n >= sizeof(path))
		return true; /* cannot tell: keep it */
	return access(path, F_OK) == 0 || errno != ENOENT;
}

unsigned state_purge(struct state *s, uint64_t now_ns)
{
	unsigned removed = 0;

	pending_flush(s);
	for (uint32_t b = 0; b <= s->bucket_mask; b++) {
		struct state_thread *t = s->buckets[b], *next;

		for (; t; t = next) {
			next = t->hnext;
			if (now_ns < t->last_ts || now_ns - t->last_ts < s->lost_exit_idle_ns)
				continue;
			if (!(t->flags & STATE_THREAD_EXITED) && proc_entry_exists(s, t->tid)) {
				t->last_ts = now_ns; /* alive, just quiet: look again later */
				continue;
			}
			/* thread_remove() frees t only: next stays valid. */
			thread_remove(s, t->tid);
			s->stats.threads_purged++;
			removed++;
		}
	}
	if (s->nthreads_peak >= s->nthreads + TRIM_MIN_THREADS &&
	    s->nthreads < s->nthreads_peak / 2)
		state_trim(s);
	return removed;
}

unsigned state_interest_add(uint8_t *interest)
{
	static const uint16_t wanted[] = {
		OSP_EVT_PROC_SNAPSHOT, OSP_EVT_FD_SNAPSHOT,
		OSP_EVT_PROC_FORK,     OSP_EVT_PROC_EXEC,
		OSP_EVT_PROC_EXIT,     OSP_EVT_OPEN,
		OSP_EVT_OPENAT,	       OSP_EVT_OPENAT2,
		OSP_EVT_CREAT,	       OSP_EVT_CLOSE,
		OSP_EVT_DUP,	       OSP_EVT_DUP2,
		OSP_EVT_DUP3,	       OSP_EVT_FCNTL,
		OSP_EVT_SOCKET,	       OSP_EVT_SOCKETPAIR,
		OSP_EVT_CONNECT,       OSP_EVT_ACCEPT,
		OSP_EVT_ACCEPT4,       OSP_EVT_BIND,
		OSP_EVT_LISTEN,	       OSP_EVT_MEMFD_CREATE,
		OSP_EVT_PIPE,	       OSP_EVT_PIPE2,
		OSP_EVT_USERFAULTFD,   OSP_EVT_IO_URING_SETUP,
		OSP_EVT_CHDIR,	       OSP_EVT_FCHDIR,
		OSP_EVT_SETUID,	       OSP_EVT_SETGID,
		OSP_EVT_SETREUID,      OSP_EVT_SETREGID,
		OSP_EVT_SETRESUID,     OSP_EVT_SETRESGID,
		OSP_EVT_CAPSET,	       OSP_EVT_PRCTL,
	};

	for (size_t i = 0; i < ARRAY_SIZE(wanted); i++)
		interest[wanted[i]] = 1;
	return ARRAY_SIZE(wanted);
}

void state_get_stats(const struct state *s, struct state_stats *ret)
{
	*ret = s->stats;
	ret->threads = s->nthreads;
	ret->procs = s->nprocs;
	ret->fds = s->nfds;
	ret->images = s->nimages;
}

void state_set_meta(struct state *s, struct meta *m)
{
	s->meta = m;
}

struct meta *state_meta(const struct state *s)
{
	return s->meta;
}

int state_new(const struct state_opts *opts, struct state **ret)
{
	static const struct state_opts defaults = {};
	struct state *s;
	int r;

	if (!opts)
		opts = &defaults;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->host_root = strdup(opts->host_root ? opts->host_root : "");
	s->max_threads = opts->max_threads ? opts->max_threads : STATE_MAX_THREADS_DEFAULT;
	s->max_fds_per_proc =
		opts->max_fds_per_proc ? opts->max_fds_per_proc : STATE_MAX_FDS_PER_PROC_DEFAULT;
	s->max_fds_total = opts->max_fds_total ? opts->max_fds_total : STATE_MAX_FDS_TOTAL_DEFAULT;
	s->lost_exit_idle_ns =
		opts->lost_exit_idle_ns ? opts->lost_exit_idle_ns : STATE_LOST_EXIT_IDLE_DEFAULT_NS;
	s->no_procfs = opts->no_procfs;
	s->procfs_tokens = PROCFS_BURST;
	s->buckets = calloc(BUCKETS_MIN, sizeof(*s->buckets));
	s->bucket_mask = BUCKETS_MIN - 1;
	s->empty_image = calloc(1, sizeof(*s->empty_image) + 1);
	s->empty_cwd = str_new("", 0);
	if (!s->host_root || !s->buckets || !s->empty_image || !s->empty_cwd) {
		state_free(s);
		return -ENOMEM;
	}
	s->empty_image->refs = 1;
	s->empty_image->exepath = s->empty_image->exe = s->empty_image->args =
		s->empty_image->argv = s->empty_image->env = s->empty_image->cgroup =
			s->empty_image->buf;
	/* Unknown cgroup: nothing says it is a container. */
	memcpy(s->empty_image->container_id, "host", 5);
	memcpy(s->empty_image->container_full_id, "host", 5);
	r = users_new(s->host_root, &s->users);
	if (r < 0) {
		state_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

void state_free(struct state *s)
{
	if (!s)
		return;
	s->npending = 0;
	if (s->buckets)
		for (uint32_t b = 0; b <= s->bucket_mask; b++)
			while (s->buckets[b])
				thread_remove(s, s->buckets[b]->tid);
	while (s->free_threads) {
		struct state_thread *t = s->free_threads;

		s->free_threads = t->hnext;
		free(t);
	}
	while (s->free_procs) {
		struct state_proc *p = s->free_procs;

		s->free_procs = (struct state_proc *)p->image;
		fd_table_done(&p->fds);
		free(p);
	}
	while (s->free_fds) {
		struct state_fd *fd = s->free_fds;

		s->free_fds = (struct state_fd *)fd->heap_name;
		free(fd);
	}
	pool_drain(s->names);
	pool_drain(s->images);
	free(s->empty_image);
	free(s->scratch);
	str_unref(s->empty_cwd);
	users_free(s->users);
	free(s->buckets);
	free(s->host_root);
	free(s);
}
