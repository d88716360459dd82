// SPDX-License-Identifier: Apache-2.0
/*
 * runtime/reload: the sd_notify protocol on real unix datagram sockets (a path and an abstract
 * name), the watchdog interval, the inotify watch with its debounce on a real main loop, and the
 * reload's bookkeeping (a refused and an applied reload, the rules files' sha256).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "loop.h"
#include "notify.h"
#include "reload.h"
#include "test.h"
#include "watch.h"

static char dir[] = "/tmp/test-reload-XXXXXX";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* Binds a datagram socket at name (a path, or "@abstract"); returns the fd. */
static int listener(const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	memcpy(sa.sun_path, name, n);
	if (name[0] == '@')
		sa.sun_path[0] = 0;
	CHECK(fd >= 0);
	CHECK_INT_EQ(
		bind(fd, (struct sockaddr *)&sa,
		     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (name[0] == '/'))),
		0);
	return fd;
}

static void check_received(int fd, const char *want)
{
	char buf[NOTIFY_MESSAGE_MAX + 1];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	CHECK(n > 0);
	buf[n > 0 ? n : 0] = 0;
	CHECK_STR_EQ(buf, want);
}

static void test_notify(void)
{
	char path[256], abstract[64], pid[32];
	int fd;

	unsetenv("NOTIFY_SOCKET");
	CHECK_INT_EQ(notify_send("READY=1"), 0); /* not under systemd: nothing, no error */

	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listener(path);
	setenv("NOTIFY_SOCKET", path, 1);
	CHECK_INT_EQ(notify_send("READY=1"), 1);
	check_received(fd, "READY=1");
	CHECK_INT_EQ(notify_sendf("RELOADING=1\nMONOTONIC_USEC=%u", 42u), 1);
	check_received(fd, "RELOADING=1\nMONOTONIC_USEC=42");
	close(fd);
	unlink(path);
	CHECK_INT_EQ(notify_send("WATCHDOG=1"), -ENOENT); /* nobody listens any more */

	snprintf(abstract, sizeof(abstract), "@osprey-test-%d", (int)getpid());
	fd = listener(abstract);
	setenv("NOTIFY_SOCKET", abstract, 1);
	CHECK_INT_EQ(notify_send("STOPPING=1"), 1);
	check_received(fd, "STOPPING=1");
	close(fd);

	setenv("NOTIFY_SOCKET", "relative/name", 1);
	CHECK_INT_EQ(notify_send("READY=1"), -EINVAL);
	unsetenv("NOTIFY_SOCKET");

	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	CHECK_INT_EQ(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	CHECK_INT_EQ(notify_watchdog_usec(), 30000000);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	CHECK_INT_EQ(notify_watchdog_usec(), 30000000);
	setenv("WATCHDOG_PID", "1", 1); /* meant for another process */
	CHECK_INT_EQ(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_PID", pid, 1);
	setenv("WATCHDOG_USEC", "soon", 1);
	CHECK_INT_EQ(notify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
}

struct watch_run {
	const char *step; /* what the timer does next */
	const char *file, *other, *rules_dir;
	unsigned calls;
	unsigned calls_at[4];
};

static void on_change(void *userdata)
{
	((struct watch_run *)userdata)->calls++;
}

/* Every 0.8 s, one step: changes the files, then records how many calls the watch made. */
static int on_step(struct loop_source *s, uint64_t now, void *userdata)
{
	struct watch_run *w = userdata;
	char p[512];

	switch (w->step[0]) {
	case '0': /* a burst of 3 writes to the watched file, and one to its neighbour */
		for (int i = 0; i < 3; i++)
			write_file(w->file, "a: 1\n");
		write_file(w->other, "x\n");
		w->step = "1";
		break;
	case '1': /* only the neighbour: no call */
		w->calls_at[0] = w->calls;
		write_file(w->other, "y\n");
		w->step = "2";
		break;
	case '2': /* a .txt file in the rules directory: no call; a .yaml renamed in: one */
		w->calls_at[1] = w->calls;
		snprintf(p, sizeof(p), "%s/notes.txt", w->rules_dir);
		write_file(p, "z\n");
		w->step = "3";
		break;
	case '3':
		w->calls_at[2] = w->calls;
		snprintf(p, sizeof(p), "%s/new.yaml", w->rules_dir);
		CHECK_INT_EQ(rename(w->other, p), 0);
		w->step = "4";
		break;
	default:
		w->calls_at[3] = w->calls;
		loop_exit(loop_source_get_loop(s), 0);
	}
	return 0;
}

static void test_watch(void)
{
	char file[256], other[256], rules_dir[256], missing[] = "/nonexistent/osprey.yaml";
	char *paths[3] = {file, rules_dir, missing};
	struct watch_run w = {.step = "0", .file = file, .other = other, .rules_dir = rules_dir};
	struct loop *l = NULL;
	struct watch *wt = NULL;

	snprintf(file, sizeof(file), "%s/osprey.yaml", dir);
	snprintf(other, sizeof(other), "%s/other.yaml", dir);
	snprintf(rules_dir, sizeof(rules_dir), "%s/rules.d", dir);
	write_file(file, "a: 0\n");
	CHECK_INT_EQ(mkdir(rules_dir, 0700), 0);
	CHECK_INT_EQ(loop_new(&l), 0);
	CHECK_INT_EQ(watch_new(l, 200000, on_change, &w, &wt), 0);
	CHECK_INT_EQ(watch_set_paths(wt, paths, 3), 2); /* the missing one is skipped */
	CHECK_INT_EQ(loop_add_timer(l, 800000, 800000, on_step, &w, NULL), 0);
	CHECK_INT_EQ(loop_run(l), 0);
	CHECK_INT_EQ(w.calls_at[0], 1); /* the burst of 3 writes: one call, after the debounce */
	CHECK_INT_EQ(w.calls_at[1], 1); /* the neighbour file is not watched */
	CHECK_INT_EQ(w.calls_at[2], 1); /* nor a .txt file in the rules directory */
	CHECK_INT_EQ(w.calls_at[3], 2); /* a .yaml renamed into it is */
	watch_free(wt);
	loop_free(l);
}

struct load_ctx {
	int result;
	const char *rules_path;
	unsigned calls;
};

static int load(void *userdata, struct osprey_config *c, struct ruleset **ret_rs, char ***ret_files,
		size_t *ret_n)
{
	struct load_ctx *x = userdata;
	_cleanup_(diag_list_clear) struct diag_list d = {};
	struct ruleset *rs;

	x->calls++;
	if (x->result < 0)
		return x->result;
	osprey_config_init(c);
	c->engine.kind =
		ENGINE_KMOD; /* not set by a file (kind_set false): the running one stays */
	c->snaplen = 123;
	rs = ruleset_new();
	CHECK(rs != NULL);
	CHECK_INT_EQ(ruleset_load_file(rs, x->rules_path, &d), 0);
	CHECK_INT_EQ(ruleset_compile(rs, &d), 0);
	*ret_rs = rs;
	*ret_files = calloc(1, sizeof(char *));
	(*ret_files)[0] = strdup(x->rules_path);
	*ret_n = 1;
	return 0;
}

static void on_file(const char *path, const char *sha256, void *userdata)
{
	char *out = userdata;

	snprintf(out, 512, "%s %s", sha256, strrchr(path, '/') + 1);
}

static void test_reload_stats(void)
{
	char rules[256], got[512], *files[1] = {rules};
	struct osprey_config running;
	struct load_ctx x = {.result = -EINVAL, .rules_path = rules};
	struct reload_opts o = {.load = load,
				.userdata = &x,
				.config = &running,
				.rules_files = files,
				.n_rules_files = 1};
	struct reload_stats st;
	struct reload *r = NULL;

	snprintf(rules, sizeof(rules), "%s/rules.yaml", dir);
	write_file(rules, "abc");
	osprey_config_init(&running);
	running.watch_config_files = false;
	CHECK_INT_EQ(reload_new(&o, &r), 0);
	reload_get_stats(r, &st);
	CHECK_INT_EQ(st.reloads, 0);
	CHECK_INT_EQ(st.n_rules_files, 1);
	reload_foreach_rules_file(r, on_file, got);
	/* sha256("abc"), FIPS 180-2's example */
	CHECK_STR_EQ(got, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad "
			  "rules.yaml");

	/* refused: nothing changes but the counters */
	CHECK_INT_EQ(reload_now(r), -EINVAL);
	reload_get_stats(r, &st);
	CHECK_INT_EQ(st.refused, 1);
	CHECK_INT_EQ(st.reloads, 0);
	CHECK_INT_EQ(st.last_result, -EINVAL);
	CHECK(st.last_usec > 0);

	/* applied: the new files' sums */
	write_file(rules, "- rule: R\n  desc: d\n  condition: evt.type = open\n  output: o\n"
			  "  priority: INFO\n");
	x.result = 0;
	CHECK_INT_EQ(reload_now(r), 0);
	reload_get_stats(r, &st);
	CHECK_INT_EQ(st.reloads, 1);
	CHECK_INT_EQ(st.refused, 1);
	CHECK_INT_EQ(st.last_result, 0);
	reload_foreach_rules_file(r, on_file, got);
	CHECK(strncmp(got, "ba7816bf", 8) != 0 && strlen(got) == 64 + 1 + strlen("rules.yaml"));
	CHECK_INT_EQ(x.calls, 2);
	reload_free(r);
	osprey_config_done(&running);
	unlink(rules);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_notify();
	test_watch();
	test_reload_stats();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return test_finish("test-reload");
}
