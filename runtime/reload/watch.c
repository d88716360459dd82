// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "watch.h"

#define WATCH_MASK                                                                                 \
	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF |   \
	 IN_MOVE_SELF)

struct watch_entry {
	int wd;
	bool any_yaml;		 /* a watched directory: any *.yaml / *.yml entry */
	char name[NAME_MAX + 1]; /* a watched file: its name in the directory wd watches */
};

struct watch {
	struct loop *loop;
	int fd;
	struct loop_source *io, *timer;
	uint64_t debounce_usec;
	watch_fn fn;
	void *userdata;
	struct watch_entry *entries;
	size_t n_entries;
};

static bool is_yaml_name(const char *n)
{
	size_t len = strlen(n);

	return n[0] != '.' && ((len > 5 && strcmp(n + len - 5, ".yaml") == 0) ||
			       (len > 4 && strcmp(n + len - 4, ".yml") == 0));
}

static bool entry_matches(const struct watch_entry *e, const struct inotify_event *ev)
{
	if (e->wd != ev->wd)
		return false;
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF))
		return true;
	if (!ev->len)
		return false;
	if (strcmp(ev->name, "..data") == 0) /* a Kubernetes ConfigMap's update */
		return true;
	return e->any_yaml ? is_yaml_name(ev->name) : strcmp(ev->name, e->name) == 0;
}

static int on_debounced(struct loop_source *s, uint64_t now, void *userdata)
{
	struct watch *w = userdata;

	loop_source_free(w->timer);
	w->timer = NULL;
	w->fn(w->userdata);
	return 0;
}

static int on_inotify(struct loop_source *s, int fd, uint32_t revents, void *userdata)
{
	struct watch *w = userdata;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->mask & IN_Q_OVERFLOW)
				changed = true;
			for (size_t i = 0; i < w->n_entries && !changed; i++)
				changed = entry_matches(&w->entries[i], ev);
			if (changed)
				log_debug("Watched path changed (%s).",
					  ev->len ? ev->name : "itself");
			p += sizeof(*ev) + ev->len;
		}
	}
	if (!changed)
		return 0;
	/* debounce: the timer restarts with each change */
	loop_source_free(w->timer);
	w->timer = NULL;
	return loop_add_timer(w->loop, w->debounce_usec, 0, on_debounced, w, &w->timer);
}

int watch_new(struct loop *l, uint64_t debounce_usec, watch_fn fn, void *userdata,
	      struct watch **ret)
{
	struct watch *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	w->loop = l;
	w->debounce_usec = debounce_usec;
	w->fn = fn;
	w->userdata = userdata;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		r = -errno;
		free(w);
		return r;
	}
	r = loop_add_io(l, w->fd, EPOLLIN, on_inotify, w, &w->io);
	if (r < 0) {
		close(w->fd);
		free(w);
		return r;
	}
	*ret = w;
	return 0;
}

static void watch_clear(struct watch *w)
{
	for (size_t i = 0; i < w->n_entries; i++) {
		bool seen = false;

		for (size_t k = 0; k < i && !seen; k++)
			seen = w->entries[k].wd == w->entries[i].wd;
		if (!seen)
			(void)inotify_rm_watch(w->fd, w->entries[i].wd);
	}
	free(w->entries);
	w->entries = NULL;
	w->n_entries = 0;
}

int watch_set_paths(struct watch *w, char *const *paths, size_t n)
{
	struct watch_entry *e;

	if (n > WATCH_PATHS_MAX)
		return -E2BIG;
	watch_clear(w);
	e = calloc(n ? n : 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	w->entries = e;
	for (size_t i = 0; i < n; i++) {
		char dir[PATH_MAX];
		const char *slash, *name;
		struct stat st;
		int wd;

		if (stat(paths[i], &st) < 0) {
			log_debug("Not watching '%s': %m", paths[i]);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			snprintf(dir, sizeof(dir), "%s", paths[i]);
			name = NULL;
		} else {
			slash = strrchr(paths[i], '/');
			name = slash ? slash + 1 : paths[i];
			if (!slash)
				snprintf(dir, sizeof(dir), ".");
			else if (slash == paths[i])
				snprintf(dir, sizeof(dir), "/");
			else
				snprintf(dir, sizeof(dir), "%.*s", (int)(slash - paths[i]),
					 paths[i]);
			if (strlen(name) > NAME_MAX)
				continue;
		}
		wd = inotify_add_watch(w->fd, dir, WATCH_MASK);
		if (wd < 0) {
			log_warning("Cannot watch '%s' for changes: %m (SIGHUP still reloads).",
				    dir);
			continue;
		}
		e[w->n_entries].wd = wd;
		e[w->n_entries].any_yaml = !name;
		if (name)
			snprintf(e[w->n_entries].name, sizeof(e[w->n_entries].name), "%s", name);
		w->n_entries++;
	}
	return (int)w->n_entries;
}

void watch_free(struct watch *w)
{
	if (!w)
		return;
	loop_source_free(w->timer);
	loop_source_free(w->io);
	w->timer = w->io = NULL;
	watch_forget(w);
}

void watch_forget(struct watch *w)
{
	if (!w)
		return;
	watch_clear(w);
	close(w->fd);
	free(w);
}
