// SPDX-License-Identifier: Apache-2.0
/*
 * The container.* and k8s.* fields through the whole path: a thread execs into a podman
 * container (the state queues its lookup at the exec), the fields read <NA> until an entry is
 * published, then every field renders as Falco prints it; the host reads "host"; an entry
 * dropped while an event reads it stays readable for that event.
 */
#include <stdlib.h>
#include <string.h>

#include "detect-events.h"
#include "extract.h"
#include "fields.h"
#include "meta.h"

static struct state *st;
static struct extract_ctx *x;
static struct meta *m;

static void feed(const struct event *e)
{
	if (e)
		extract_begin(x, e, state_process_event(st, e));
}

static const char *val(const char *name, const char *arg)
{
	static char buf[4096];
	struct field_ref ref;
	const char *err = NULL;

	if (field_resolve(name, arg, &ref, &err) < 0) {
		fprintf(stderr, "cannot resolve %s: %s\n", name, err ? err : "?");
		return "<unknown field>";
	}
	if (extract_render(x, &ref, buf, sizeof(buf)) < 0)
		return "<NA>";
	return buf;
}

#define V(name, expected)	CHECK_STR_EQ(val(name, NULL), expected)
#define VA(name, arg, expected) CHECK_STR_EQ(val(name, arg), expected)

static struct meta_container *entry(void)
{
	struct meta_container *c = meta_container_new(ID64, CONTAINER_PODMAN);
	struct meta_mount *mt;

	c->status = META_FOUND;
	c->source = "podman";
	meta_strset(&c->name, "web-1");
	meta_container_set_image(c, "quay.io/shop/web:2.1@sha256:feed");
	meta_strset(&c->image_id, "1708bb5abdcb0af440f1969e4facdff9162f5af3c19caee1541f92f440bc0152");
	meta_strset(&c->ip, "10.88.0.7");
	c->privileged = 0;
	c->host_pid = 0;
	c->host_network = 1;
	c->host_ipc = 0;
	c->start_ts = 1795320000000000000ull; /* the boot time below: duration = event time */
	meta_labels_add(&c->labels, &c->n_labels, "app", "web", 100);
	meta_labels_add(&c->labels, &c->n_labels, "tier", "front", 100);
	c->mounts = calloc(2, sizeof(*c->mounts));
	c->n_mounts = 2;
	mt = &c->mounts[0];
	meta_strset(&mt->source, "/srv/data");
	meta_strset(&mt->dest, "/data");
	meta_strset(&mt->mode, "z");
	meta_strset(&mt->propagation, "rprivate");
	mt->rw = true;
	mt = &c->mounts[1];
	meta_strset(&mt->source, "/etc/shop");
	meta_strset(&mt->dest, "/cfg");
	meta_strset(&mt->mode, "");
	meta_strset(&mt->propagation, "");
	meta_strset(&c->k8s_ns, "shop");
	meta_strset(&c->k8s_pod_name, "web-7d9");
	meta_strset(&c->k8s_pod_uid, "3e41dc6b-08a8-44db-bc2a-3724b18ab19a");
	meta_strset(&c->k8s_sandbox_id,
		    "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a");
	meta_labels_add(&c->k8s_pod_labels, &c->n_k8s_pod_labels, "app", "web", 100);
	return c;
}

static void test_fields(void)
{
	struct meta_stats ms;
	struct meta_container *held;

	/* the host */
	feed(tb_exec(OSP_EVT_PROC_SNAPSHOT, 500, 500,
		     &(struct tb_proc){.exe = "/usr/bin/bash", .comm = "bash", ARGS("bash"),
				       .ppid = 1, .sid = 500, .cgroup = "/user.slice"}));
	V("container.id", "host");
	V("container.name", "host");
	V("container.type", "<NA>");
	V("container.image", "<NA>");
	V("k8s.pod.name", "<NA>");
	meta_get_stats(m, &ms);
	CHECK_INT_EQ(ms.queued, 0);

	/* into a container: the exec queues the lookup, nothing is known yet */
	feed(tb_fork(600, 600, 500, 500));
	feed(tb_exec(OSP_EVT_PROC_EXEC, 600, 600,
		     &(struct tb_proc){.exe = "/bin/cat", .comm = "cat", ARGS("cat\0/etc/shadow"),
				       .ppid = 500, .sid = 500,
				       .cgroup = "/libpod_parent/libpod-" ID64}));
	meta_get_stats(m, &ms);
	CHECK_INT_EQ(ms.queued, 1);
	V("container.id", "3ad7b26ded6d");
	V("container.full_id", ID64);
	V("container.type", "podman");
	V("container.name", "<NA>");
	V("container.image", "<NA>");
	meta_get_stats(m, &ms);
	CHECK_INT_EQ(ms.misses, 2);
	CHECK_INT_EQ(ms.queued, 1); /* queued once */

	/* described */
	CHECK_INT_EQ(meta_container_publish(m, entry()), 0);
	feed(tb_exec(OSP_EVT_PROC_EXEC, 600, 600,
		     &(struct tb_proc){.exe = "/bin/cat", .comm = "cat", ARGS("cat\0/etc/shadow"),
				       .ppid = 500, .sid = 500,
				       .cgroup = "/libpod_parent/libpod-" ID64}));
	V("container.name", "web-1");
	V("container.image", "quay.io/shop/web:2.1@sha256:feed");
	V("container.image.repository", "quay.io/shop/web");
	V("container.image.tag", "2.1");
	V("container.image.digest", "sha256:feed");
	V("container.image.id", "1708bb5abdcb0af440f1969e4facdff9162f5af3c19caee1541f92f440bc0152");
	V("container.ip", "10.88.0.7");
	V("container.privileged", "false");
	V("container.host_network", "true");
	V("container.host_pid", "false");
	V("container.host_ipc", "false");
	VA("container.label", "app", "web");
	VA("container.label", "nope", "<NA>");
	V("container.labels", "app:web,tier:front");
	V("container.mounts", "/srv/data:/data:z:true:rprivate /etc/shop:/cfg::false:");
	VA("container.mount", "0", "/srv/data:/data:z:true:rprivate");
	VA("container.mount", "/cf*", "/etc/shop:/cfg::false:");
	VA("container.mount", "5", "<NA>");
	VA("container.mount.source", "/data", "/srv/data");
	VA("container.mount.dest", "/etc/*", "/cfg");
	VA("container.mount.rdwr", "1", "false");
	VA("container.mount.mode", "/srv/data", "z");
	VA("container.mount.propagation", "0", "rprivate");
	CHECK(strcmp(val("container.start_ts", NULL), "<NA>") != 0);
	CHECK(strcmp(val("container.duration", NULL), "<NA>") != 0);
	V("container.healthcheck", "<NA>");
	V("k8s.ns.name", "shop");
	V("k8s.pod.name", "web-7d9");
	V("k8s.pod.uid", "3e41dc6b-08a8-44db-bc2a-3724b18ab19a");
	V("k8s.pod.id", "3e41dc6b-08a8-44db-bc2a-3724b18ab19a");
	V("k8s.pod.sandbox_id", "5a5a5a5a5a5a");
	V("k8s.pod.full_sandbox_id",
	  "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a");
	VA("k8s.pod.label", "app", "web");
	V("k8s.pod.labels", "app:web");
	V("k8s.pod.ip", "10.88.0.7");
	meta_get_stats(m, &ms);
	CHECK(ms.hits > 20);

	/* the container exits while an event reads it: values were copied, the entry is freed */
	held = meta_container_get(m, ID64, CONTAINER_PODMAN, NULL);
	CHECK(held != NULL);
	CHECK(meta_container_forget(m, ID64));
	CHECK_STR_EQ(held->name, "web-1");
	meta_container_unref(held);
	V("container.id", "3ad7b26ded6d");
	V("container.name", "<NA>"); /* a new lookup is queued */
	meta_get_stats(m, &ms);
	CHECK_INT_EQ(ms.queued, 2);
}

int main(void)
{
	struct meta_config cfg;
	int r;

	meta_config_init(&cfg);
	for (unsigned e = 0; e < _META_ENGINE_MAX; e++)
		cfg.engines[e].enabled = false;
	r = meta_new(&cfg, NULL, false, &m);
	CHECK_INT_EQ(r, 0);
	r = r == 0 ? state_new(&(struct state_opts){.no_procfs = true}, &st) : r;
	CHECK_INT_EQ(r, 0);
	r = r == 0 ? extract_ctx_new(st, 4, &x) : r;
	CHECK_INT_EQ(r, 0);
	if (r == 0) {
		state_set_meta(st, m);
		x->boot_time_ns = 1795320000000000000ull;
		test_fields();
	}
	extract_ctx_free(x);
	state_free(st);
	meta_free(m);
	meta_config_done(&cfg);
	return test_finish("meta-extract");
}
