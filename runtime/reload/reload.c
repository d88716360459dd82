// SPDX-License-Identifier: Apache-2.0
/*
 * Reload and service notifications. See reload.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "notify.h"
#include "reload.h"
#include "watch.h"

#define SHA256_HEX (64 + 1)

struct rules_file_sum {
	char *path;
	char sha256[SHA256_HEX];
};

struct reload {
	reload_load_fn load;
	void *userdata;
	char *config_path;
	/* the running set: either the caller's (borrowed) or one a reload built (owned) */
	const struct osprey_config *config;
	struct osprey_config *owned_config;
	struct ruleset *owned_rs;
	/* the run */
	struct loop *loop;
	struct detect_run *run;
	struct watch *watch;
	bool log_level_fixed;
	/* the build off the event thread: started by reload_request(), its result handed back
	 * through efd; building and again are the event thread's */
	pthread_t builder;
	bool building, again;
	int efd;
	struct reload_build {
		int result;
		struct osprey_config *c;
		struct ruleset *rs;
		char **files;
		size_t n_files;
		uint64_t start_usec, built_usec;
	} build;
	/* what the metrics read, under lock */
	pthread_mutex_t lock;
	struct reload_stats stats;
	struct rules_file_sum *files;
};

/* sha256 of a file, as hex; "" if it cannot be read or is larger than a rules file may be. */
static void file_sha256(const char *path, char hex[SHA256_HEX])
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	uint64_t total = 0;
	EVP_MD_CTX *ctx;
	ssize_t n = 0;

	hex[0] = '\0';
	if (fd < 0)
		return;
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (total += (uint64_t)n) > RULES_FILE_MAX ||
		    EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
			goto out;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32)
		goto out;
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
out:
	EVP_MD_CTX_free(ctx);
}

static void sums_free(struct rules_file_sum *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i].path);
	free(s);
}

/* Replaces the files' sums (under the lock). Keeps the old ones on -ENOMEM. */
static int sums_set(struct reload *r, char *const *files, size_t n)
{
	struct rules_file_sum *s = calloc(n ? n : 1, sizeof(*s)), *old;
	size_t old_n;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		s[i].path = strdup(files[i]);
		if (!s[i].path) {
			sums_free(s, i);
			return -ENOMEM;
		}
		file_sha256(files[i], s[i].sha256);
	}
	pthread_mutex_lock(&r->lock);
	old = r->files;
	old_n = r->stats.n_rules_files;
	r->files = s;
	r->stats.n_rules_files = n;
	pthread_mutex_unlock(&r->lock);
	sums_free(old, old_n);
	return 0;
}

static int on_built(struct loop_source *s, int fd, uint32_t revents, void *userdata);

static void build_done(struct reload_build *b)
{
	for (size_t i = 0; i < b->n_files; i++)
		free(b->files[i]);
	free(b->files);
	if (b->c) {
		osprey_config_done(b->c);
		free(b->c);
	}
	ruleset_free(b->rs);
	*b = (struct reload_build){};
}

/* Reads the files and compiles the rules into r->build (the caller's load function). */
static void build_run(struct reload *r)
{
	struct reload_build *b = &r->build;

	b->c = calloc(1, sizeof(*b->c));
	if (!b->c) {
		b->result = -ENOMEM;
		return;
	}
	b->result = r->load(r->userdata, b->c, &b->rs, &b->files, &b->n_files);
	if (b->result < 0) {
		free(b->c); /* load left it done */
		b->c = NULL;
	}
	b->built_usec = loop_now_usec();
}

int reload_new(const struct reload_opts *o, struct reload **ret)
{
	struct reload *r = calloc(1, sizeof(*r));
	int k;

	if (!r)
		return -ENOMEM;
	pthread_mutex_init(&r->lock, NULL);
	r->efd = -1;
	r->log_level_fixed = o->log_level_fixed;
	r->load = o->load;
	r->userdata = o->userdata;
	r->config = o->config;
	if (o->config_path && !(r->config_path = strdup(o->config_path))) {
		reload_free(r);
		return -ENOMEM;
	}
	k = sums_set(r, o->rules_files, o->n_rules_files);
	if (k < 0) {
		reload_free(r);
		return k;
	}
	*ret = r;
	return 0;
}

void reload_free(struct reload *r)
{
	if (!r)
		return;
	if (r->building)
		(void)pthread_join(r->builder, NULL);
	build_done(&r->build);
	if (r->efd >= 0)
		close(r->efd);
	watch_free(r->watch);
	if (r->owned_config) {
		osprey_config_done(r->owned_config);
		free(r->owned_config);
	}
	ruleset_free(r->owned_rs);
	sums_free(r->files, r->stats.n_rules_files);
	free(r->config_path);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

void reload_get_stats(struct reload *r, struct reload_stats *ret)
{
	pthread_mutex_lock(&r->lock);
	*ret = r->stats;
	pthread_mutex_unlock(&r->lock);
}

void reload_foreach_rules_file(struct reload *r,
			       void (*fn)(const char *path, const char *sha256, void *userdata),
			       void *userdata)
{
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->stats.n_rules_files; i++)
		fn(r->files[i].path, r->files[i].sha256, userdata);
	pthread_mutex_unlock(&r->lock);
}

/* The paths watch_config_files watches: the configuration file, its config_files entries and
 * the rules_files entries (directories as directories, so that a new file is seen). */
static void watch_update(struct reload *r)
{
	const struct osprey_config *c = r->config;
	char *paths[1 + CONFIG_FILES_MAX + CONFIG_RULES_FILES_MAX];
	size_t n = 0;
	int k;

	if (!c->watch_config_files) {
		if (r->watch)
			(void)watch_set_paths(r->watch, NULL, 0);
		return;
	}
	if (r->config_path)
		paths[n++] = r->config_path;
	for (size_t i = 0; i < c->n_config_files && n < ARRAY_SIZE(paths); i++)
		paths[n++] = c->config_files[i].path;
	for (size_t i = 0; i < c->n_rules_files && n < ARRAY_SIZE(paths); i++)
		paths[n++] = c->rules_files[i];
	k = watch_set_paths(r->watch, paths, n);
	if (k < 0)
		log_warning(
			"Cannot watch the configuration and rules for changes: %s (SIGHUP still "
			"reloads).",
			strerror(-k));
	else
		log_debug("Watching %d path(s) for changes (watch_config_files).", k);
}

static void on_watch_change(void *userdata)
{
	struct reload *r = userdata;

	log_info("The configuration or rules changed on disk (watch_config_files): reloading.");
	reload_request(r);
}

static int on_hup(struct loop_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	log_info("Received SIGHUP: reloading the configuration and rules.");
	reload_request(userdata);
	return 0;
}

static void notify_ready(struct reload *r, const char *what)
{
	int k = notify_sendf("READY=1\nSTATUS=%s; %zu rules files; %llu reloads, %llu refused",
			     what, r->stats.n_rules_files, (unsigned long long)r->stats.reloads,
			     (unsigned long long)r->stats.refused);

	if (k < 0)
		log_warning("Cannot notify systemd through $NOTIFY_SOCKET: %s", strerror(-k));
}

int reload_on_start(struct loop *l, struct detect_run *run, void *userdata)
{
	struct reload *r = userdata;
	int k;

	r->loop = l;
	r->run = run;
	detect_run_set_reloads(run, 0, 0);
	k = loop_add_signal(l, SIGHUP, on_hup, r, NULL);
	if (k < 0)
		return log_error_errno(k, "Failed to watch SIGHUP (reload): %m");
	r->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->efd < 0 || loop_add_io(l, r->efd, EPOLLIN, on_built, r, NULL) < 0) {
		/* reloads then run on the event thread, from start to end */
		log_warning("Reload: no eventfd (%m): the rules will be read on the event thread.");
		if (r->efd >= 0)
			close(r->efd);
		r->efd = -1;
	}
	if (r->config->watch_config_files) {
		k = watch_new(l, RELOAD_DEBOUNCE_USEC, on_watch_change, r, &r->watch);
		if (k < 0)
			log_warning(
				"Cannot watch the configuration and rules (inotify): %s; SIGHUP "
				"still reloads.",
				strerror(-k));
		else
			watch_update(r);
	}
	/* READY=1, WATCHDOG=1 and STOPPING=1 are ops.c's; a reload adds RELOADING=1 ... READY=1 */
	return 0;
}

void reload_on_stop(void *userdata)
{
	struct reload *r = userdata;

	/* the run is over and its loop freed, with the watch's and the eventfd's sources */
	if (r->building) {
		(void)pthread_join(r->builder, NULL);
		r->building = false;
	}
	build_done(&r->build);
	if (r->efd >= 0)
		close(r->efd);
	r->efd = -1;
	watch_forget(r->watch);
	r->watch = NULL;
	r->loop = NULL;
	r->run = NULL;
}

#define KEPT(cond, key, fmt, oldv, newv)                                                           \
	do {                                                                                       \
		if (cond)                                                                          \
			log_warning("Reload: " key " changed (" fmt " -> " fmt ") but cannot "     \
				    "change while the driver runs: kept " fmt                      \
				    "; restart osprey to "                                         \
				    "apply it.",                                                   \
				    oldv, newv, oldv);                                             \
	} while (0)

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

static bool str_differ(const char *a, const char *b)
{
	return strcmp(str_or(a, ""), str_or(b, "")) != 0;
}

/* Keeps what only a restart changes: logs each difference, then copies the running value. */
static int keep_fixed(const struct osprey_config *old, struct osprey_config *c)
{
	char *s;

	if (c->engine.kind_set)
		KEPT(c->engine.kind != old->engine.kind, "engine.kind", "%s",
		     config_engine_kind_name(old->engine.kind),
		     config_engine_kind_name(c->engine.kind));
	c->engine.kind = old->engine.kind;
	KEPT(c->engine.modern_ebpf.buf_size_preset != old->engine.modern_ebpf.buf_size_preset,
	     "engine.modern_ebpf.buf_size_preset", "%u", old->engine.modern_ebpf.buf_size_preset,
	     c->engine.modern_ebpf.buf_size_preset);
	c->engine.modern_ebpf.buf_size_preset = old->engine.modern_ebpf.buf_size_preset;
	KEPT(c->engine.modern_ebpf.cpus_for_each_buffer !=
		     old->engine.modern_ebpf.cpus_for_each_buffer,
	     "engine.modern_ebpf.cpus_for_each_buffer", "%u",
	     old->engine.modern_ebpf.cpus_for_each_buffer,
	     c->engine.modern_ebpf.cpus_for_each_buffer);
	c->engine.modern_ebpf.cpus_for_each_buffer = old->engine.modern_ebpf.cpus_for_each_buffer;
	KEPT(c->engine.kmod.buf_size_preset != old->engine.kmod.buf_size_preset,
	     "engine.kmod.buf_size_preset", "%u", old->engine.kmod.buf_size_preset,
	     c->engine.kmod.buf_size_preset);
	c->engine.kmod.buf_size_preset = old->engine.kmod.buf_size_preset;
	KEPT(c->snaplen != old->snaplen, "snaplen", "%u", old->snaplen, c->snaplen);
	c->snaplen = old->snaplen;
	KEPT(str_differ(c->engine.replay.capture_file, old->engine.replay.capture_file),
	     "engine.replay.capture_file", "'%s'", str_or(old->engine.replay.capture_file, ""),
	     str_or(c->engine.replay.capture_file, ""));
	KEPT(str_differ(c->host_root, old->host_root), "host_root", "'%s'",
	     str_or(old->host_root, ""), str_or(c->host_root, ""));
	KEPT(str_differ(c->driver_choice_file, old->driver_choice_file), "driver_choice_file",
	     "'%s'", str_or(old->driver_choice_file, ""), str_or(c->driver_choice_file, ""));
	/* the strings: the running values, copied */
#define KEEP_STR(field)                                                                            \
	do {                                                                                       \
		s = old->field ? strdup(old->field) : NULL;                                        \
		if (old->field && !s)                                                              \
			return -ENOMEM;                                                            \
		free(c->field);                                                                    \
		c->field = s;                                                                      \
	} while (0)
	KEEP_STR(engine.replay.capture_file);
	KEEP_STR(host_root);
	KEEP_STR(driver_choice_file);
#undef KEEP_STR
	/* how the outputs behave for this source (replay waits), set at start */
	c->out.wait_when_full = old->out.wait_when_full;
	return 0;
}

static int refuse(struct reload *r, int k, const char *why)
{
	pthread_mutex_lock(&r->lock);
	r->stats.refused++;
	r->stats.last_result = k;
	pthread_mutex_unlock(&r->lock);
	if (r->run)
		detect_run_set_reloads(r->run, r->stats.reloads, r->stats.refused);
	log_error("Reload refused: %s. The running rules and configuration are kept and keep "
		  "working; fix the files and reload again (osprey -V FILE checks rules files).",
		  why);
	notify_ready(r, "Capturing (the last reload was refused)");
	return k;
}

/*
 * Applies r->build (on the event thread, between two events): refuses a failed build, else
 * swaps the rules, the driver's interest set and the outputs. Returns 0 or the refusal's -errno.
 */
static int build_apply(struct reload *r)
{
	_cleanup_(ruleset_freep) struct ruleset *rs = TAKE_PTR(r->build.rs);
	struct osprey_config *c = TAKE_PTR(r->build.c);
	struct outputs *out = NULL;
	uint64_t start = loop_now_usec(), built = r->build.built_usec - r->build.start_usec;
	size_t n;
	char why[256] = "out of memory";
	int k = r->build.result;

	if (k < 0) {
		build_done(&r->build);
		return refuse(r, k, "the new configuration or rules have errors (logged above)");
	}
	k = keep_fixed(r->config, c);
	if (k >= 0 && r->run) {
		k = outputs_new(&c->out, &out);
		if (k < 0)
			snprintf(why, sizeof(why), "the new alert outputs cannot start (%s)",
				 strerror(-k));
	}
	if (k >= 0 && r->run) {
		/* the capture's and the k8s_audit source's rules, the driver's event set, the
		 * metrics' rules and files, the outputs; out is the run's from here on */
		k = detect_run_apply(r->run, c, rs, TAKE_PTR(out));
		if (k < 0)
			snprintf(why, sizeof(why), "the new rules cannot be set up (%s)",
				 strerror(-k));
	}
	if (k < 0) {
		outputs_free(out);
		osprey_config_done(c);
		free(c);
		build_done(&r->build);
		return refuse(r, k, why);
	}

	if (!r->log_level_fixed)
		log_set_max_level(c->log_level);
	if (r->owned_config) {
		osprey_config_done(r->owned_config);
		free(r->owned_config);
	}
	ruleset_free(r->owned_rs);
	r->owned_config = c;
	r->config = c;
	n = rs->n_rules;
	r->owned_rs = TAKE_PTR(rs);
	(void)sums_set(r, r->build.files, r->build.n_files);
	pthread_mutex_lock(&r->lock);
	r->stats.reloads++;
	r->stats.last_result = 0;
	pthread_mutex_unlock(&r->lock);
	if (r->run)
		detect_run_set_reloads(r->run, r->stats.reloads, r->stats.refused);
	/* the events waited in the driver's buffers only while the swap ran: say for how long */
	log_info(
		"Reloaded: %zu rules (%zu evaluated) from %zu files, read and compiled in %llu ms, "
		"swapped in %llu ms; reload #%llu.",
		n, r->run ? detect_run_n_rules(r->run) : 0, r->build.n_files,
		(unsigned long long)(built / 1000),
		(unsigned long long)((loop_now_usec() - start) / 1000),
		(unsigned long long)r->stats.reloads);
	build_done(&r->build);
	if (r->watch)
		watch_update(r);
	else if (c->watch_config_files && r->loop &&
		 watch_new(r->loop, RELOAD_DEBOUNCE_USEC, on_watch_change, r, &r->watch) >= 0)
		watch_update(r);
	notify_ready(r, "Capturing");
	return 0;
}

static void reload_begin(struct reload *r)
{
	(void)notify_sendf("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading",
			   (unsigned long long)loop_now_usec());
	pthread_mutex_lock(&r->lock);
	r->stats.last_usec = loop_now_usec();
	pthread_mutex_unlock(&r->lock);
	build_done(&r->build);
	r->build.start_usec = loop_now_usec();
}

int reload_now(struct reload *r)
{
	if (r->building)
		return -EBUSY;
	reload_begin(r);
	build_run(r);
	return build_apply(r);
}

static void *builder_main(void *userdata)
{
	struct reload *r = userdata;
	uint64_t one = 1;

	build_run(r);
	/* the event thread picks the result up from the loop */
	while (write(r->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	return NULL;
}

static void builder_start(struct reload *r)
{
	int k;

	reload_begin(r);
	k = pthread_create(&r->builder, NULL, builder_main, r);
	if (k != 0) {
		/* no thread: build here, the events wait meanwhile */
		log_warning("Reload: cannot start a thread to read the rules (%s): reading them on "
			    "the event thread.",
			    strerror(k));
		build_run(r);
		(void)build_apply(r);
		return;
	}
	r->building = true;
}

static int on_built(struct loop_source *s, int fd, uint32_t revents, void *userdata)
{
	struct reload *r = userdata;
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 || !r->building)
		return 0;
	(void)pthread_join(r->builder, NULL);
	r->building = false;
	(void)build_apply(r);
	if (r->again) {
		r->again = false;
		builder_start(r);
	}
	return 0;
}

void reload_request(struct reload *r)
{
	if (r->building) {
		/* the files changed again while being read: read them once more afterwards */
		r->again = true;
		return;
	}
	if (r->efd < 0) {
		(void)reload_now(r);
		return;
	}
	builder_start(r);
}
