// SPDX-License-Identifier: Apache-2.0
/*
 * The metadata layer without a runtime: the cache (1,000 containers in and out, references
 * outliving removal, the caps), the lookup queue and its back-off, image names, times, the
 * Docker inspect reader on a reply as podman's compatible API sends it, the OCI bundle reader
 * on a CRI-O and a containerd bundle written under a host root, the configuration keys.
 * The live sources are tested against real podman in test/meta/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meta.h"
#include "meta_bundle.h"
#include "meta_docker.h"
#include "osprey_config.h"
#include "test.h"

static void id_of(unsigned i, char *buf)
{
	snprintf(buf, CONTAINER_FULL_ID_LEN + 1, "%064x", i);
}

static struct meta_config no_sources(void)
{
	struct meta_config c;

	meta_config_init(&c);
	for (unsigned e = 0; e < _META_ENGINE_MAX; e++)
		c.engines[e].enabled = false;
	return c;
}

static void test_cache(void)
{
	struct meta_config cfg = no_sources();
	struct meta *m = NULL;
	struct meta_stats st;
	struct meta_container *held;
	char id[CONTAINER_FULL_ID_LEN + 1];

	CHECK_INT_EQ(meta_new(&cfg, NULL, false, &m), 0);
	/* misses queue lookups once each; the queue is bounded */
	for (unsigned i = 0; i < 1000; i++) {
		id_of(i, id);
		CHECK(meta_container_get(m, id, CONTAINER_PODMAN, NULL) == NULL);
		CHECK(meta_container_get(m, id, CONTAINER_PODMAN, NULL) == NULL);
	}
	meta_get_stats(m, &st);
	CHECK_INT_EQ(st.misses, 2000);
	CHECK_INT_EQ(st.queued, META_QUEUE_MAX);
	CHECK(st.queue_full > 0);
	CHECK_INT_EQ(st.entries, 1000);
	/* no source: every queued lookup fails, the entry says so */
	CHECK_INT_EQ(meta_lookup_now(m), META_QUEUE_MAX);
	meta_get_stats(m, &st);
	CHECK_INT_EQ(st.lookups_failed, META_QUEUE_MAX);
	/* a failed lookup is not asked again before its back-off */
	id_of(0, id);
	CHECK(meta_container_get(m, id, CONTAINER_PODMAN, NULL) == NULL);
	CHECK_INT_EQ(meta_lookup_now(m), 0);

	/* 1,000 described containers */
	for (unsigned i = 0; i < 1000; i++) {
		struct meta_container *c;
		char name[32];

		id_of(i, id);
		c = meta_container_new(id, CONTAINER_DOCKER);
		snprintf(name, sizeof(name), "c%u", i);
		CHECK_INT_EQ(meta_strset(&c->name, name), 0);
		CHECK_INT_EQ(meta_container_set_image(c, "docker.io/library/nginx:1.25"), 0);
		CHECK_INT_EQ(meta_labels_add(&c->labels, &c->n_labels, "app", name, 100), 0);
		c->status = META_FOUND;
		CHECK_INT_EQ(meta_container_publish(m, c), 0);
	}
	meta_get_stats(m, &st);
	CHECK_INT_EQ(st.entries, 1000);
	id_of(777, id);
	held = meta_container_get(m, id, CONTAINER_DOCKER, NULL);
	CHECK(held && strcmp(held->name, "c777") == 0);
	CHECK_STR_EQ(meta_label_get(held->labels, held->n_labels, "app"), "c777");
	/* removed while held: the reader's reference keeps it readable */
	for (unsigned i = 0; i < 1000; i++) {
		id_of(i, id);
		CHECK(meta_container_forget(m, id));
	}
	CHECK_STR_EQ(held->image_repository, "docker.io/library/nginx");
	meta_container_unref(held); /* freed here (ASan would see a leak otherwise) */
	meta_get_stats(m, &st);
	CHECK_INT_EQ(st.entries, 0);
	CHECK_INT_EQ(st.removed, 1000);
	id_of(5, id);
	CHECK(!meta_container_forget(m, id));

	/* the cap: META_CONTAINERS_MAX entries, then counted and refused */
	for (unsigned i = 0; i < META_CONTAINERS_MAX + 10; i++) {
		id_of(100000 + i, id);
		meta_container_prefetch(m, id, CONTAINER_CRIO, NULL);
	}
	meta_get_stats(m, &st);
	CHECK_INT_EQ(st.entries, META_CONTAINERS_MAX);
	CHECK_INT_EQ(st.table_full, 10);
	/* tombstones are reused */
	for (unsigned i = 0; i < META_CONTAINERS_MAX; i++) {
		id_of(100000 + i, id);
		CHECK(meta_container_forget(m, id));
	}
	id_of(1, id);
	meta_container_prefetch(m, id, CONTAINER_CRIO, NULL);
	meta_get_stats(m, &st);
	CHECK_INT_EQ(st.entries, 1);
	/* not a container id: nothing cached, nothing queued */
	CHECK(meta_container_get(m, "host", CONTAINER_HOST, NULL) == NULL);
	CHECK(meta_container_get(m, "ABCDEF", CONTAINER_DOCKER, NULL) == NULL);
	meta_free(m);
	meta_config_done(&cfg);
}

static void test_image(void)
{
	static const struct {
		const char *image, *repo, *tag, *digest;
	} cases[] = {
		{"docker.io/library/nginx:1.25", "docker.io/library/nginx", "1.25", NULL},
		{"nginx", "nginx", NULL, NULL},
		{"registry:5000/ns/app", "registry:5000/ns/app", NULL, NULL},
		{"registry:5000/ns/app:1.2@sha256:abcd", "registry:5000/ns/app", "1.2", "sha256:abcd"},
		{"app@sha256:abcd", "app", NULL, "sha256:abcd"},
		{"localhost/osp-busybox:test", "localhost/osp-busybox", "test", NULL},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct meta_container *c = meta_container_new("x", CONTAINER_DOCKER);

		CHECK_INT_EQ(meta_container_set_image(c, cases[i].image), 0);
		CHECK_STR_EQ(c->image, cases[i].image);
		CHECK_STR_EQ(c->image_repository, cases[i].repo);
		CHECK(cases[i].tag ? c->image_tag && strcmp(c->image_tag, cases[i].tag) == 0
				   : !c->image_tag);
		CHECK(cases[i].digest ? c->image_digest && !strcmp(c->image_digest, cases[i].digest)
				      : !c->image_digest);
		meta_container_unref(c);
	}
}

static void test_time(void)
{
	CHECK_INT_EQ(meta_parse_rfc3339("1970-01-01T00:00:01Z"), 1000000000ull);
	CHECK_INT_EQ(meta_parse_rfc3339("2026-12-06T13:51:43.212907949Z"),
		     1796565103212907949ull);
	CHECK_INT_EQ(meta_parse_rfc3339("2026-12-06T14:51:43.5+01:00"), 1796565103500000000ull);
	CHECK_INT_EQ(meta_parse_rfc3339("0001-01-01T00:00:00Z"), 0);
	CHECK_INT_EQ(meta_parse_rfc3339("yesterday"), 0);
	CHECK_INT_EQ(meta_parse_rfc3339(NULL), 0);
}

/* The shape of GET /containers/ID/json from podman's Docker-compatible API (cut down). */
static const char inspect[] =
	"{\"Id\":\"6924dccc7dcd2ad1f6337a8ed759d22dc4e693b65ed32ff7a309fab7fe54fe26\","
	"\"Created\":\"2026-12-06T13:51:43.212907949Z\",\"Name\":\"/osp-meta-try\","
	"\"Image\":\"sha256:1708bb5abdcb0af440f1969e4facdff9162f5af3c19caee1541f92f440bc0152\","
	"\"Config\":{\"Image\":\"localhost/osp-busybox:test\",\"Labels\":{\"team\":\"blue\","
	"\"io.kubernetes.pod.name\":\"web-0\",\"io.kubernetes.pod.namespace\":\"shop\","
	"\"long\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}},"
	"\"HostConfig\":{\"Privileged\":true,\"PidMode\":\"host\",\"NetworkMode\":\"bridge\","
	"\"IpcMode\":\"shareable\"},"
	"\"NetworkSettings\":{\"IPAddress\":\"\",\"Networks\":{\"podman\":{\"IPAddress\":"
	"\"10.88.0.2\"}}},"
	"\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/data\",\"Destination\":\"/data\","
	"\"Mode\":\"z\",\"RW\":false,\"Propagation\":\"rprivate\"}]}";

static void test_docker_json(void)
{
	struct meta_container *c = meta_container_new("6924dccc7dcd", CONTAINER_PODMAN);
	struct json_object *o;
	const char *err;

	o = meta_json_parse(inspect, strlen(inspect), &err);
	CHECK(o != NULL);
	CHECK_INT_EQ(meta_docker_from_json(o, NULL, 100, c), 0);
	json_object_put(o);
	CHECK_STR_EQ(c->name, "osp-meta-try");
	CHECK_STR_EQ(c->image, "localhost/osp-busybox:test");
	CHECK_STR_EQ(c->image_tag, "test");
	CHECK_STR_EQ(c->image_id,
		     "1708bb5abdcb0af440f1969e4facdff9162f5af3c19caee1541f92f440bc0152");
	CHECK_STR_EQ(c->ip, "10.88.0.2");
	CHECK_INT_EQ(c->privileged, 1);
	CHECK_INT_EQ(c->host_pid, 1);
	CHECK_INT_EQ(c->host_network, 0);
	CHECK_INT_EQ(c->host_ipc, 0);
	CHECK_INT_EQ(c->start_ts, 1796565103212907949ull);
	CHECK_STR_EQ(meta_label_get(c->labels, c->n_labels, "team"), "blue");
	CHECK(meta_label_get(c->labels, c->n_labels, "long") == NULL); /* over label_max_len */
	CHECK_STR_EQ(c->k8s_pod_name, "web-0");
	CHECK_STR_EQ(c->k8s_ns, "shop");
	CHECK_INT_EQ(c->n_mounts, 1);
	if (c->n_mounts == 1) {
		CHECK_STR_EQ(c->mounts[0].source, "/srv/data");
		CHECK_STR_EQ(c->mounts[0].dest, "/data");
		CHECK(!c->mounts[0].rw);
	}
	meta_container_unref(c);

	/* refused: not JSON, cut, trailing garbage, not an object */
	CHECK(meta_json_parse("<html>", 6, &err) == NULL);
	CHECK(meta_json_parse("{\"Name\":", 8, &err) == NULL);
	CHECK(meta_json_parse("{} x", 4, &err) == NULL);
	CHECK(meta_json_parse("[1]", 3, &err) == NULL);
	o = meta_json_parse("{}\n", 3, &err);
	CHECK(o != NULL);
	json_object_put(o);
}

static int write_file(const char *dir, const char *rel, const char *text)
{
	char path[1024], cmd[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", dir, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd) != 0)
		return -EIO;
	f = fopen(path, "we");
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -EIO;
}

#define CID "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1"
#define SID "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"

/* Bundles as CRI-O and containerd write them (annotations, namespaces, mounts). */
static void test_bundle(void)
{
	char root[] = "/tmp/osp-test-meta-XXXXXX", cmd[128];
	struct meta_config cfg = no_sources();
	struct meta_container *c;

	if (!mkdtemp(root)) {
		CHECK(false);
		return;
	}
	CHECK_INT_EQ(write_file(root, "/run/containers/storage/overlay-containers/" CID
				      "/userdata/config.json",
				"{\"annotations\":{\"io.kubernetes.container.name\":\"web\","
				"\"io.kubernetes.pod.name\":\"web-7d9\","
				"\"io.kubernetes.pod.namespace\":\"shop\","
				"\"io.kubernetes.pod.uid\":\"3e41dc6b-08a8-44db-bc2a-3724b18ab19a\","
				"\"io.kubernetes.cri-o.ImageName\":\"quay.io/shop/web:2.1\","
				"\"io.kubernetes.cri-o.SandboxID\":\"" SID "\","
				"\"io.kubernetes.cri-o.Labels\":\"{\\\"io.kubernetes.pod.name\\\":"
				"\\\"web-7d9\\\"}\"},"
				"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},"
				"{\"type\":\"mount\"}]},"
				"\"mounts\":[{\"destination\":\"/cfg\",\"type\":\"bind\",\"source\":"
				"\"/etc/shop\",\"options\":[\"ro\",\"rprivate\",\"bind\"]},"
				"{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":"
				"\"/run/containers/storage/overlay-containers/" CID
				"/userdata/hosts\"}]}"),
		     0);
	CHECK_INT_EQ(write_file(root, "/run/containers/storage/overlay-containers/" SID
				      "/userdata/config.json",
				"{\"annotations\":{\"io.kubernetes.cri-o.Labels\":"
				"\"{\\\"app\\\":\\\"web\\\",\\\"tier\\\":\\\"front\\\"}\","
				"\"io.kubernetes.cri-o.IP.0\":\"10.244.1.7\"}}"),
		     0);
	c = meta_container_new(CID, CONTAINER_CRIO);
	CHECK_INT_EQ(meta_bundle_lookup(root, &cfg, CONTAINER_CRIO, c), 0);
	CHECK_STR_EQ(c->name, "web");
	CHECK_STR_EQ(c->image_repository, "quay.io/shop/web");
	CHECK_STR_EQ(c->image_tag, "2.1");
	CHECK_STR_EQ(c->k8s_ns, "shop");
	CHECK_STR_EQ(c->k8s_pod_name, "web-7d9");
	CHECK_STR_EQ(c->k8s_pod_uid, "3e41dc6b-08a8-44db-bc2a-3724b18ab19a");
	CHECK_STR_EQ(c->k8s_sandbox_id, SID);
	CHECK_STR_EQ(meta_label_get(c->k8s_pod_labels, c->n_k8s_pod_labels, "tier"), "front");
	CHECK_STR_EQ(c->k8s_pod_ip, "10.244.1.7");
	CHECK_INT_EQ(c->host_network, 1); /* no network namespace of its own */
	CHECK_INT_EQ(c->host_pid, 0);
	CHECK_INT_EQ(c->n_mounts, 1); /* the runtime's own /etc/hosts left out */
	if (c->n_mounts == 1) {
		CHECK_STR_EQ(c->mounts[0].dest, "/cfg");
		CHECK(!c->mounts[0].rw);
		CHECK_STR_EQ(c->mounts[0].propagation, "rprivate");
	}
	meta_container_unref(c);

	/* containerd's CRI plugin */
	CHECK_INT_EQ(write_file(root, "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" CID
				      "/config.json",
				"{\"annotations\":{\"io.kubernetes.cri.container-name\":\"api\","
				"\"io.kubernetes.cri.image-name\":\"registry.k8s.io/api:v1\","
				"\"io.kubernetes.cri.sandbox-name\":\"api-0\","
				"\"io.kubernetes.cri.sandbox-namespace\":\"kube-system\","
				"\"io.kubernetes.cri.sandbox-uid\":\"u-1\","
				"\"io.kubernetes.cri.sandbox-id\":\"" SID "\"},"
				"\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}"),
		     0);
	c = meta_container_new(CID, CONTAINER_CONTAINERD);
	CHECK_INT_EQ(meta_bundle_lookup(root, &cfg, CONTAINER_CONTAINERD, c), 0);
	CHECK_STR_EQ(c->name, "api");
	CHECK_STR_EQ(c->image, "registry.k8s.io/api:v1");
	CHECK_STR_EQ(c->k8s_ns, "kube-system");
	CHECK_STR_EQ(c->k8s_pod_name, "api-0");
	CHECK_INT_EQ(c->host_pid, 1);
	CHECK_INT_EQ(c->host_network, 0);
	meta_container_unref(c);

	/* garbage on disk is refused, a missing bundle is -ENOENT */
	CHECK_INT_EQ(write_file(root, "/var/lib/containers/storage/overlay-containers/" CID
				      "/userdata/config.json",
				"{\"annotations\": nope"),
		     0);
	c = meta_container_new(CID, CONTAINER_PODMAN);
	CHECK_INT_EQ(meta_bundle_lookup(root, &cfg, CONTAINER_PODMAN, c), -EBADMSG);
	meta_container_unref(c);
	c = meta_container_new(SID, CONTAINER_CONTAINERD);
	CHECK_INT_EQ(meta_bundle_lookup(root, &cfg, CONTAINER_CONTAINERD, c), -ENOENT);
	meta_container_unref(c);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0);
	meta_config_done(&cfg);
}

static void test_config(void)
{
	struct osprey_config c;
	struct diag_list d = {};
	static const char yaml[] = "container:\n"
				   "  label_max_len: 50\n"
				   "  engines:\n"
				   "    docker:\n"
				   "      enabled: false\n"
				   "    podman:\n"
				   "      sockets: [/run/a.sock, /run/b.sock]\n";

	osprey_config_init(&c);
	CHECK(c.container.enabled);
	CHECK(c.container.engines[META_ENGINE_DOCKER].enabled);
	CHECK_INT_EQ(c.container.engines[META_ENGINE_DOCKER].n_sockets, 1);
	CHECK_INT_EQ(osprey_config_load_buffer(&c, "t.yaml", yaml, sizeof(yaml) - 1, &d), 0);
	CHECK(!c.container.engines[META_ENGINE_DOCKER].enabled);
	CHECK_INT_EQ(c.container.label_max_len, 50);
	CHECK_INT_EQ(c.container.engines[META_ENGINE_PODMAN].n_sockets, 2);
	CHECK_STR_EQ(c.container.engines[META_ENGINE_PODMAN].sockets[1], "/run/b.sock");
	CHECK_INT_EQ(osprey_config_set_option(&c, "container.engines.podman.sockets[]=/run/c.sock",
					      &d),
		     0);
	CHECK_INT_EQ(c.container.engines[META_ENGINE_PODMAN].n_sockets, 3);
	CHECK_INT_EQ(osprey_config_set_option(&c, "container.engines.bundle.enabled=false", &d), 0);
	CHECK(!c.container.engines[META_ENGINE_BUNDLE].enabled);
	CHECK_INT_EQ(osprey_config_set_option(&c, "container.enabled=maybe", &d), -EINVAL);
	CHECK_INT_EQ(osprey_config_set_option(&c, "container.engines.rkt.enabled=true", &d),
		     -EINVAL);
	CHECK(d.n_errors == 2);
	diag_list_clear(&d);
	osprey_config_done(&c);
}

int main(void)
{
	test_cache();
	test_image();
	test_time();
	test_docker_json();
	test_bundle();
	test_config();
	return test_finish("meta");
}
