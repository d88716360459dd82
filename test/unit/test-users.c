// SPDX-License-Identifier: Apache-2.0
/*
 * User and group names from a fake host root: the host's /etc and a container's, reached
 * through <root>/proc/<pid>/root, with caching, refresh, bounds and a hostile symlink.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "users.h"

static char root[] = "/tmp/osprey-test-users-XXXXXX";

static void write_file(const char *rel, const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "we");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(content, f);
	fclose(f);
}

static void make_dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
}

static const char *uname_of(struct users *u, const char *cid, uint32_t pid, uint32_t uid)
{
	const struct users_entry *e = users_get_user(u, cid, pid, uid);

	return e ? e->name : "";
}

static const char *gname_of(struct users *u, const char *cid, uint32_t pid, uint32_t gid)
{
	const struct users_entry *e = users_get_group(u, cid, pid, gid);

	return e ? e->name : "";
}

int main(void)
{
	struct users *u = NULL;
	const struct users_entry *e;
	struct users_stats st;
	char cmd[600], *longline;

	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	make_dir("etc");
	make_dir("proc");
	make_dir("proc/4242");
	make_dir("proc/4242/root");
	make_dir("proc/4242/root/etc");
	make_dir("proc/5151");
	make_dir("proc/5151/root");
	make_dir("proc/5151/root/etc");
	write_file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
				 "# a comment\n"
				 "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
				 "broken line without colons\n"
				 "alice:x:1000:1000:Alice,,,:/home/alice:/bin/zsh\n"
				 "alice2:x:1000:1000:dup id, first wins:/home/a2:/bin/sh\n"
				 "baduid:x:12ab:0::/:/bin/sh\n"
				 "nonl:x:2000:2000::/home/nonl:/bin/sh");
	write_file("etc/group", "root:x:0:\nadm:x:4:alice\nalice:x:1000:\n");
	write_file("proc/4242/root/etc/passwd", "root:x:0:0:root:/root:/bin/ash\n"
						"www-data:x:33:33::/var/www:/sbin/nologin\n"
						"appuser:x:1000:1000::/app:/bin/sh\n");
	write_file("proc/4242/root/etc/group", "root:x:0:\nwww-data:x:33:\n");
	/* A hostile container: /etc/passwd is an absolute symlink that must stay inside it. */
	snprintf(cmd, sizeof(cmd), "%s/proc/5151/root/etc/passwd", root);
	CHECK(symlink("/etc/passwd.real", cmd) == 0);
	write_file("proc/5151/root/etc/passwd.real", "root:x:0:0:root:/root:/bin/sh\n"
						     "inside:x:7:7::/:/bin/sh\n");

	CHECK_INT_EQ(users_new(root, &u), 0);

	/* the host */
	CHECK_STR_EQ(uname_of(u, NULL, 1, 0), "root");
	CHECK_STR_EQ(uname_of(u, "host", 1, 1), "daemon");
	e = users_get_user(u, "host", 1, 1000);
	CHECK(e != NULL);
	if (e) {
		CHECK_STR_EQ(e->name, "alice");
		CHECK_STR_EQ(e->home, "/home/alice");
		CHECK_STR_EQ(e->shell, "/bin/zsh");
	}
	CHECK_STR_EQ(uname_of(u, NULL, 1, 2000), "nonl");
	CHECK_STR_EQ(uname_of(u, NULL, 1, 4242), ""); /* unknown id: empty */
	CHECK_STR_EQ(gname_of(u, NULL, 1, 4), "adm");
	CHECK_STR_EQ(gname_of(u, NULL, 1, 1000), "alice");
	CHECK_STR_EQ(gname_of(u, NULL, 1, 33), "");

	/* a container sees its own files */
	CHECK_STR_EQ(uname_of(u, "0123456789ab", 4242, 33), "www-data");
	CHECK_STR_EQ(uname_of(u, "0123456789ab", 4242, 1000), "appuser");
	CHECK_STR_EQ(uname_of(u, "0123456789ab", 4242, 1), ""); /* daemon is a host user */
	CHECK_STR_EQ(gname_of(u, "0123456789ab", 4242, 33), "www-data");
	e = users_get_user(u, "0123456789ab", 4242, 0);
	CHECK(e && strcmp(e->shell, "/bin/ash") == 0);

	/* cached: the container's process may be gone, its names stay until the refresh */
	snprintf(cmd, sizeof(cmd), "rm -rf %s/proc/4242", root);
	CHECK(system(cmd) == 0);
	CHECK_STR_EQ(uname_of(u, "0123456789ab", 9999, 33), "www-data");
	/* the absolute symlink resolves inside the container (or is refused), never on the host */
	CHECK_STR_EQ(uname_of(u, "aaaaaaaaaaaa", 5151, 1000), "");
	{
		const char *n = uname_of(u, "aaaaaaaaaaaa", 5151, 7);

		CHECK(strcmp(n, "inside") == 0 || strcmp(n, "") == 0);
		printf("container passwd through an absolute symlink: '%s'\n", n);
	}

	/* refresh: a changed host file is read again once the interval passed */
	write_file("etc/passwd",
		   "root:x:0:0:root:/root:/bin/bash\nbob:x:1000:1000::/home/bob:/bin/sh\n");
	CHECK_STR_EQ(uname_of(u, NULL, 1, 1000), "alice"); /* default interval: cached */
	users_set_refresh(u, 0);
	CHECK_STR_EQ(uname_of(u, NULL, 1, 1000), "bob");
	/* ... but a refresh through a process that is gone keeps the container's last tables */
	CHECK_STR_EQ(uname_of(u, "0123456789ab", 9999, 33), "www-data");

	/* A container first looked up through an exited process: unknown, and not cached, so the
	 * next lookup through a live process of it finds the names. */
	CHECK_STR_EQ(uname_of(u, "bbbbbbbbbbbb", 7777, 0), "");
	CHECK(!users_container_loaded(u, "bbbbbbbbbbbb"));
	CHECK(users_container_loaded(u, "host"));
	make_dir("proc/7778");
	make_dir("proc/7778/root");
	make_dir("proc/7778/root/etc");
	write_file("proc/7778/root/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
	CHECK_STR_EQ(uname_of(u, "bbbbbbbbbbbb", 7778, 0), "root");
	CHECK(users_container_loaded(u, "bbbbbbbbbbbb"));
	users_get_stats(u, &st);
	CHECK(st.root_gone >= 2);
	/* pid 0 (a replayed capture): no live process, a container's names are unknown */
	CHECK(users_get_user(u, "bbbbbbbbbbbb", 0, 0) == NULL);
	CHECK_STR_EQ(uname_of(u, NULL, 0, 1000), "bob"); /* the host's still are */

	/* bounds: a line over USERS_LINE_MAX is skipped, the rest is read */
	longline = malloc(USERS_LINE_MAX + 200);
	CHECK(longline != NULL);
	if (longline) {
		size_t n = (size_t)snprintf(longline, USERS_LINE_MAX + 200, "long:x:3000:3000:");

		memset(longline + n, 'g', USERS_LINE_MAX + 100 - n);
		static const char tail[] = ":/:/bin/sh\nshort:x:3001:0::/:/bin/sh\n";

		memcpy(longline + USERS_LINE_MAX + 100, tail, sizeof(tail));
		write_file("etc/passwd", longline);
		free(longline);
	}
	CHECK_STR_EQ(uname_of(u, NULL, 1, 3000), "");
	CHECK_STR_EQ(uname_of(u, NULL, 1, 3001), "short");

	/* the container cache is bounded: USERS_CONTAINERS_MAX + 8 containers evict the oldest */
	users_set_refresh(u, 60ull * 1000000000ull);
	for (unsigned i = 0; i < USERS_CONTAINERS_MAX + 8; i++) {
		char cid[16];

		snprintf(cid, sizeof(cid), "%012x", i + 1);
		CHECK_STR_EQ(uname_of(u, cid, 5151, 12345), "");
	}
	users_get_stats(u, &st);
	CHECK(st.containers_evicted >= 8);
	CHECK(st.lines_skipped >= 3);
	CHECK(st.load_failures >= 1);
	printf("loads %llu, failures %llu, skipped lines %llu, evicted %llu\n",
	       (unsigned long long)st.loads, (unsigned long long)st.load_failures,
	       (unsigned long long)st.lines_skipped, (unsigned long long)st.containers_evicted);

	users_free(u);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK(system(cmd) == 0);
	return test_finish("test-users");
}
