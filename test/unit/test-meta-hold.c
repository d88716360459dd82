// SPDX-License-Identifier: Apache-2.0
/*
 * Holding a starting container's first events (detect/hold.c): an exec into a container the
 * metadata layer has never seen is held with its thread's later events and its children's; the
 * host and known containers pass; the held events come back in their order once the lookup is
 * done, or all at the end; a second exec into the same container joins the group.
 */
#include <string.h>

#include "detect-events.h"
#include "hold.h"
#include "meta.h"

#define ID64B "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"

static uint32_t seen[64];
static size_t n_seen;

static void on_released(const struct event *e, void *userdata)
{
	(void)userdata;
	if (n_seen < ARRAY_SIZE(seen))
		seen[n_seen++] = e->hdr->tid * 10 + (e->hdr->type == OSP_EVT_PROC_EXEC ? 1 : 0);
}

static const struct event *exec_in(uint32_t tid, const char *cgroup)
{
	return tb_exec(OSP_EVT_PROC_EXEC, tid, tid,
		       &(struct tb_proc){.exe = "/bin/cat", .comm = "cat", ARGS("cat"), .ppid = 1,
					 .sid = 1, .cgroup = cgroup});
}

int main(void)
{
	struct meta_config cfg;
	struct meta *m = NULL;
	struct hold *h = NULL;
	struct hold_stats hs;
	struct meta_container *c;

	meta_config_init(&cfg);
	for (unsigned e = 0; e < _META_ENGINE_MAX; e++)
		cfg.engines[e].enabled = false;
	CHECK_INT_EQ(meta_new(&cfg, NULL, false, &m), 0);
	CHECK_INT_EQ(hold_new(m, &h), 0);
	if (!m || !h)
		return test_finish("meta-hold");

	/* the host passes */
	CHECK(!hold_take(h, exec_in(10, "/user.slice")));
	CHECK(!hold_active(h));
	/* a starting container: its exec, its later events and its child's are held */
	CHECK(hold_take(h, exec_in(20, "/libpod_parent/libpod-" ID64)));
	CHECK(hold_active(h));
	CHECK(hold_take(h, tb_openat(20, 3, AT_FDCWD_K, "/etc/shadow", 0, 0)));
	CHECK(hold_take(h, tb_fork(21, 21, 20, 20)));
	CHECK(hold_take(h, tb_exit(21)));
	CHECK(!hold_take(h, tb_exit(10))); /* others go on */
	/* a second exec into the same container joins it */
	CHECK(hold_take(h, exec_in(30, "/libpod_parent/libpod-" ID64)));
	/* another starting container: a group of its own */
	CHECK(hold_take(h, exec_in(40, "/libpod_parent/libpod-" ID64B)));
	hold_get_stats(h, &hs);
	CHECK_INT_EQ(hs.containers, 2);
	CHECK_INT_EQ(hs.events, 6);

	/* nothing is known yet: nothing comes back */
	for (int i = 0; i < 200; i++)
		hold_release(h, false, on_released, NULL);
	CHECK_INT_EQ(n_seen, 0);
	/* the first container is described: its events come back, in order */
	c = meta_container_new(ID64, CONTAINER_PODMAN);
	c->status = META_FOUND;
	CHECK_INT_EQ(meta_container_publish(m, c), 0);
	for (int i = 0; i < 64; i++)
		hold_release(h, false, on_released, NULL);
	CHECK_INT_EQ(n_seen, 5);
	CHECK_INT_EQ(seen[0], 201);
	CHECK_INT_EQ(seen[1], 200);
	CHECK_INT_EQ(seen[2], 210);
	CHECK_INT_EQ(seen[3], 210);
	CHECK_INT_EQ(seen[4], 301);
	/* released threads are no longer held; a known container's exec passes */
	CHECK(!hold_take(h, tb_openat(20, 4, AT_FDCWD_K, "/etc/passwd", 0, 0)));
	CHECK(!hold_take(h, exec_in(22, "/libpod_parent/libpod-" ID64)));
	CHECK(hold_active(h));
	/* the end of the run: everything comes back, counted as without metadata */
	hold_release(h, true, on_released, NULL);
	CHECK_INT_EQ(n_seen, 6);
	CHECK_INT_EQ(seen[5], 401);
	CHECK(!hold_active(h));
	hold_get_stats(h, &hs);
	CHECK_INT_EQ(hs.late, 1);

	hold_free(h);
	meta_free(m);
	meta_config_done(&cfg);
	return test_finish("meta-hold");
}
