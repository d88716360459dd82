// SPDX-License-Identifier: Apache-2.0
/*
 * capture-trim IN OUT COMM: copies the part of capture file IN that tells what one process
 * tree did into OUT, so that a recording of a busy machine becomes a golden input of a few tens
 * of KB.
 *
 * The tree's root is the first process that execs with command name COMM (record.sh runs its
 * behaviours under a copy of bash named so). Kept: the machine block, every record of the root
 * and of its descendants (threads and processes forked from the tree, followed by PROC_FORK's
 * parent pid), and the process and file descriptor snapshot of the root's parent (its name and
 * the stdio the root inherits; record.sh starts that parent with a clean environment, before
 * the recording). Everything else (the parent's ancestors, other users of the machine, the
 * recorder itself) is left out. So are the dynamic loader's and interpreters' read-only opens of
 * libraries, modules and locale files (LIBRARY_PREFIXES), with the closes of the fds they
 * returned: most of the events of any program start, and nothing a rule looks at.
 *
 * Two passes over IN: the first finds the tree, the second copies. Process ids are not reused
 * within one short recording; a tree larger than TREE_MAX processes is an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capfile.h"
#include "event.h"
#include "macro.h"
#include "osprey_schema.h"

#define TREE_MAX 4096u
#define PARENTS_MAX 65536u
#define DROPPED_FDS_MAX 4096u

static const char *const LIBRARY_PREFIXES[] = {
	"/etc/ld.so.cache", "/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/usr/local/lib/",
	"/usr/share/locale/", "/usr/share/perl", "/usr/local/share/perl/", "/etc/perl/",
};

struct pidset {
	uint32_t pid[TREE_MAX];
	unsigned n;
};

static bool pidset_has(const struct pidset *s, uint32_t pid)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->pid[i] == pid)
			return true;
	return false;
}

static int pidset_add(struct pidset *s, uint32_t pid)
{
	if (pidset_has(s, pid))
		return 0;
	if (s->n >= ARRAY_SIZE(s->pid))
		return -E2BIG;
	s->pid[s->n++] = pid;
	return 0;
}

/* Parent of each process seen (snapshot, fork or exec), last one wins; bounded. */
struct parents {
	uint32_t pid[PARENTS_MAX], ppid[PARENTS_MAX];
	unsigned n;
};

static void parents_set(struct parents *p, uint32_t pid, uint32_t ppid)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->pid[i] == pid) {
			p->ppid[i] = ppid;
			return;
		}
	if (p->n < PARENTS_MAX) {
		p->pid[p->n] = pid;
		p->ppid[p->n++] = ppid;
	}
}

static uint32_t parents_get(const struct parents *p, uint32_t pid)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->pid[i] == pid)
			return p->ppid[i];
	return 0;
}

/* The fds returned by the opens left out, so that their closes are left out too. */
struct dropped_fds {
	uint32_t pid[DROPPED_FDS_MAX];
	int64_t fd[DROPPED_FDS_MAX];
	unsigned n;
};

/* Forgets pid's fds (at exec or exit, which close them without close events). */
static void dropped_forget(struct dropped_fds *d, uint32_t pid)
{
	for (unsigned i = 0; i < d->n;)
		if (d->pid[i] == pid) {
			d->n--;
			d->pid[i] = d->pid[d->n];
			d->fd[i] = d->fd[d->n];
		} else {
			i++;
		}
}

static bool dropped_take(struct dropped_fds *d, uint32_t pid, int64_t fd)
{
	for (unsigned i = 0; i < d->n; i++)
		if (d->pid[i] == pid && d->fd[i] == fd) {
			d->n--;
			d->pid[i] = d->pid[d->n];
			d->fd[i] = d->fd[d->n];
			return true;
		}
	return false;
}

/*
 * A read-only open of a library or locale file: true means leave it out. Its fd, if any, is
 * remembered in d (when d is full, the open is kept instead).
 */
static bool is_library_load(const struct event *ev, struct dropped_fds *d)
{
	unsigned name_i, flags_i;
	const char *name;
	uint32_t flags;
	int64_t fd;
	bool lib = false;

	switch (ev->hdr->type) {
	case OSP_EVT_OPEN:
		name_i = 1, flags_i = 2;
		break;
	case OSP_EVT_OPENAT:
	case OSP_EVT_OPENAT2:
		name_i = 2, flags_i = 3;
		break;
	default:
		return false;
	}
	name = event_get_str(ev, name_i);
	if (!name || !event_get_u32(ev, flags_i, &flags) || (flags & O_ACCMODE) != O_RDONLY ||
	    !event_get_s64(ev, 0, &fd))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(LIBRARY_PREFIXES) && !lib; i++)
		lib = strncmp(name, LIBRARY_PREFIXES[i], strlen(LIBRARY_PREFIXES[i])) == 0;
	if (!lib)
		return false;
	if (fd < 0)
		return true;
	if (d->n >= DROPPED_FDS_MAX)
		return false;
	d->pid[d->n] = ev->hdr->pid;
	d->fd[d->n++] = fd;
	return true;
}

static void reader_freep(struct capfile_reader **r)
{
	capfile_reader_free(*r);
}

static int open_in(const char *path, struct capfile_reader **ret)
{
	char err[CAPFILE_ERROR_MAX];
	int r = capfile_reader_open(path, ret, err, sizeof(err));

	if (r < 0)
		fprintf(stderr, "capture-trim: %s\n", err);
	return r;
}

static int read_error(struct capfile_reader *rd, const char *path, int r)
{
	const char *e = capfile_reader_error(rd);

	fprintf(stderr, "capture-trim: reading '%s': %s\n", path, e ? e : strerror(-r));
	return r;
}

/* Pass 1: the root, its descendants and its parent. */
static int find_tree(const char *in, const char *comm, struct pidset *tree, uint32_t *ret_parent)
{
	_cleanup_(reader_freep) struct capfile_reader *rd = NULL;
	static struct parents parents;
	uint32_t root = 0;
	const void *buf;
	size_t size;
	int r;

	parents.n = 0;
	r = open_in(in, &rd);
	if (r < 0)
		return r;
	while ((r = capfile_reader_next(rd, &buf, &size)) >= 0) {
		struct event ev;
		int64_t ppid = 0;
		const char *c;

		if (event_decode(buf, size, &ev) < 0)
			continue;
		switch (ev.hdr->type) {
		case OSP_EVT_PROC_SNAPSHOT:
		case OSP_EVT_PROC_EXEC:
			if (event_get_s64(&ev, OSP_EXEC_P_PPID, &ppid) && ppid > 0 &&
			    ppid <= UINT32_MAX)
				parents_set(&parents, ev.hdr->pid, (uint32_t)ppid);
			c = event_get_str(&ev, OSP_EXEC_P_COMM);
			if (!root && ev.hdr->type == OSP_EVT_PROC_EXEC && c &&
			    strcmp(c, comm) == 0) {
				root = ev.hdr->pid;
				if (pidset_add(tree, root) < 0)
					return -E2BIG;
			}
			break;
		case OSP_EVT_PROC_FORK: {
			bool in_tree;

			/* parameter 1: ppid */
			if (!event_get_s64(&ev, 1, &ppid) || ppid <= 0 || ppid > UINT32_MAX)
				break;
			parents_set(&parents, ev.hdr->pid, (uint32_t)ppid);
			in_tree = pidset_has(tree, (uint32_t)ppid) || pidset_has(tree, ev.hdr->pid);
			if (root && in_tree && pidset_add(tree, ev.hdr->pid) < 0) {
				fprintf(stderr, "capture-trim: more than %u processes in the tree\n",
					TREE_MAX);
				return -E2BIG;
			}
			break;
		}
		default:
			break;
		}
	}
	if (r != -ENODATA)
		return read_error(rd, in, r);
	if (!root) {
		fprintf(stderr, "capture-trim: no process executed with the name '%s' in '%s'\n",
			comm, in);
		return -ESRCH;
	}
	*ret_parent = parents_get(&parents, root);
	return 0;
}

static void writer_closep(struct capfile_writer **w)
{
	if (*w)
		capfile_writer_close(*w);
}

/* Pass 2: the copy. */
static int copy_tree(const char *in, const char *out, const struct pidset *tree,
		     uint32_t parent)
{
	_cleanup_(reader_freep) struct capfile_reader *rd = NULL;
	_cleanup_(writer_closep) struct capfile_writer *w = NULL;
	static struct dropped_fds dropped;
	const void *buf;
	size_t size;
	int r;

	r = open_in(in, &rd);
	if (r < 0)
		return r;
	r = capfile_writer_open(out, capfile_reader_machine(rd), &w);
	if (r < 0) {
		fprintf(stderr, "capture-trim: cannot create '%s': %s\n", out, strerror(-r));
		return r;
	}
	while ((r = capfile_reader_next(rd, &buf, &size)) >= 0) {
		struct event ev;
		bool keep;

		if (event_decode(buf, size, &ev) < 0)
			continue;
		switch (ev.hdr->type) {
		case OSP_EVT_PROC_SNAPSHOT:
		case OSP_EVT_FD_SNAPSHOT:
			keep = (parent && ev.hdr->pid == parent) || pidset_has(tree, ev.hdr->pid);
			break;
		default:
			keep = pidset_has(tree, ev.hdr->pid);
			break;
		}
		if (keep && is_library_load(&ev, &dropped)) {
			keep = false;
		} else if (keep) {
			int64_t fd;

			switch (ev.hdr->type) {
			case OSP_EVT_CLOSE:
				keep = !(event_get_s64(&ev, 1, &fd) &&
					 dropped_take(&dropped, ev.hdr->pid, fd));
				break;
			case OSP_EVT_OPEN:
			case OSP_EVT_OPENAT:
			case OSP_EVT_OPENAT2:
				/* the fd number is in use again: its earlier close went unseen */
				if (event_get_s64(&ev, 0, &fd) && fd >= 0)
					(void)dropped_take(&dropped, ev.hdr->pid, fd);
				break;
			case OSP_EVT_PROC_EXEC:
			case OSP_EVT_PROC_EXIT:
				dropped_forget(&dropped, ev.hdr->pid);
				break;
			default:
				break;
			}
		}
		if (keep) {
			r = capfile_writer_add(w, buf, size);
			if (r < 0) {
				fprintf(stderr, "capture-trim: writing '%s': %s\n", out,
					strerror(-r));
				return r;
			}
		}
	}
	if (r != -ENODATA)
		return read_error(rd, in, r);
	r = capfile_writer_close(TAKE_PTR(w));
	if (r < 0) {
		fprintf(stderr, "capture-trim: writing '%s': %s\n", out, strerror(-r));
		return r;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	static struct pidset tree;
	uint32_t parent = 0;

	if (argc != 4) {
		fprintf(stderr, "Usage: capture-trim IN OUT COMM\n");
		return 2;
	}
	if (find_tree(argv[1], argv[3], &tree, &parent) < 0)
		return 1;
	if (copy_tree(argv[1], argv[2], &tree, parent) < 0)
		return 1;
	printf("capture-trim: kept %u processes (the tree of '%s' and its parent %u)\n", tree.n,
	       argv[3], parent);
	return 0;
}
