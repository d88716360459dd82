// SPDX-License-Identifier: Apache-2.0
/*
 * The CRI tests' client: drives a CRI runtime with the calls kubelet makes to start a pod, over
 * Osprey's own gRPC transport (runtime/meta/cri/cri_grpc.h), and asks Osprey's CRI source
 * (meta_cri.h) what it knows of a container.
 *
 *   cri-client up SOCK POD NAMESPACE UID CGROUP_PARENT CONTAINER IMAGE LABELS MOUNT CMD...
 *	RunPodSandbox (host network, the labels "k=v,k2=v2", cgroup parent), CreateContainer
 *	(kubelet's io.kubernetes.* labels plus LABELS, MOUNT "host:container" read-only, CMD),
 *	StartContainer. Prints "sandbox=ID" and "container=ID". OSP_CRI_PRIVILEGED set in the
 *	environment: a privileged container (kubelet's securityContext.privileged);
 *	OSP_CRI_POD_NETWORK: the pod's own network (the runtime's CNI) instead of the host's.
 *   cri-client down SOCK SANDBOX	StopPodSandbox + RemovePodSandbox
 *   cri-client lookup SOCK ID [TIMEOUT_MS [ENGINE]]
 *	meta_cri_lookup() of the containerd engine (ENGINE "cri": the cri engine, a CRI-O
 *	container) pointed at SOCK; prints the fields, one "key=value" a line. Exit 0 found,
 *	2 not found, 3 refused (malformed / too large).
 *   cri-client call SOCK ID		one raw ContainerStatus; prints the transport's result
 *   cri-client bench SOCK ID N	N lookups on one connection: "lookups=N mean_us= max_us="
 *
 * Exit 1 on other failures, with the reason on stderr.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cri_api.pb-c.h"
#include "cri_grpc.h"
#include "log.h"
#include "meta.h"
#include "meta_cri.h"

#define TIMEOUT_MS 30000 /* creating a container can take a while on a loaded machine */
#define LABELS_MAX 32

#define CALL(g, m, req, resp_type, ret)                                                            \
	cri_grpc_call(g, "/runtime.v1.RuntimeService/" m, &(req).base,                             \
		      &runtime__v1__##resp_type##__descriptor, TIMEOUT_MS, META_REPLY_MAX,         \
		      (ProtobufCMessage **)(ret))

struct kv {
	Runtime__V1__PodSandboxConfig__LabelsEntry e[LABELS_MAX];
	Runtime__V1__PodSandboxConfig__LabelsEntry *p[LABELS_MAX];
	size_t n;
};

/* protobuf-c map entries of every map<string,string> have the same layout */
static void kv_add(struct kv *kv, const ProtobufCMessageDescriptor *d, const char *k, const char *v)
{
	if (kv->n >= LABELS_MAX)
		return;
	protobuf_c_message_init(d, &kv->e[kv->n]);
	kv->e[kv->n].key = (char *)k;
	kv->e[kv->n].value = (char *)v;
	kv->p[kv->n] = &kv->e[kv->n];
	kv->n++;
}

/* "k=v,k2=v2" (modified in place) */
static void kv_parse(struct kv *kv, const ProtobufCMessageDescriptor *d, char *s)
{
	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		char *eq = strchr(tok, '=');

		if (!eq)
			continue;
		*eq = 0;
		kv_add(kv, d, tok, eq + 1);
	}
}

static int fail(struct cri_grpc *g, const char *what, int r)
{
	fprintf(stderr, "cri-client: %s: %s (%s)\n", what, strerror(-r), cri_grpc_error(g));
	return 1;
}

static int cmd_up(struct cri_grpc *g, char **argv, int argc)
{
	Runtime__V1__PodSandboxMetadata pmeta = RUNTIME__V1__POD_SANDBOX_METADATA__INIT;
	Runtime__V1__NamespaceOption pns = RUNTIME__V1__NAMESPACE_OPTION__INIT;
	Runtime__V1__LinuxSandboxSecurityContext psec =
		RUNTIME__V1__LINUX_SANDBOX_SECURITY_CONTEXT__INIT;
	Runtime__V1__LinuxPodSandboxConfig plinux = RUNTIME__V1__LINUX_POD_SANDBOX_CONFIG__INIT;
	Runtime__V1__PodSandboxConfig pcfg = RUNTIME__V1__POD_SANDBOX_CONFIG__INIT;
	Runtime__V1__RunPodSandboxRequest runreq = RUNTIME__V1__RUN_POD_SANDBOX_REQUEST__INIT;
	Runtime__V1__RunPodSandboxResponse *runresp = NULL;
	Runtime__V1__ContainerMetadata cmeta = RUNTIME__V1__CONTAINER_METADATA__INIT;
	Runtime__V1__ImageSpec image = RUNTIME__V1__IMAGE_SPEC__INIT;
	Runtime__V1__Mount mount = RUNTIME__V1__MOUNT__INIT, *mounts[1] = {&mount};
	Runtime__V1__NamespaceOption cns = RUNTIME__V1__NAMESPACE_OPTION__INIT;
	Runtime__V1__LinuxContainerSecurityContext csec =
		RUNTIME__V1__LINUX_CONTAINER_SECURITY_CONTEXT__INIT;
	Runtime__V1__LinuxContainerConfig clinux = RUNTIME__V1__LINUX_CONTAINER_CONFIG__INIT;
	Runtime__V1__ContainerConfig ccfg = RUNTIME__V1__CONTAINER_CONFIG__INIT;
	Runtime__V1__CreateContainerRequest creq = RUNTIME__V1__CREATE_CONTAINER_REQUEST__INIT;
	Runtime__V1__CreateContainerResponse *cresp = NULL;
	Runtime__V1__StartContainerRequest sreq = RUNTIME__V1__START_CONTAINER_REQUEST__INIT;
	Runtime__V1__StartContainerResponse *sresp = NULL;
	static struct kv plabels, clabels;
	char *labels_p, *labels_c, *colon;
	int r;

	if (argc < 9) {
		fprintf(stderr, "cri-client up: POD NAMESPACE UID CGROUP_PARENT CONTAINER IMAGE "
				"LABELS MOUNT CMD...\n");
		return 1;
	}
	pmeta.name = argv[0];
	pmeta.namespace_ = argv[1];
	pmeta.uid = argv[2];
	labels_p = strdup(argv[6]);
	labels_c = strdup(argv[6]);
	if (!labels_p || !labels_c)
		return 1;
	kv_parse(&plabels, &runtime__v1__pod_sandbox_config__labels_entry__descriptor, labels_p);
	/* host network (no CNI needed), or the pod's own with OSP_CRI_POD_NETWORK set */
	pns.network = getenv("OSP_CRI_POD_NETWORK") ? RUNTIME__V1__NAMESPACE_MODE__POD
						    : RUNTIME__V1__NAMESPACE_MODE__NODE;
	pns.pid = RUNTIME__V1__NAMESPACE_MODE__CONTAINER;
	pns.ipc = RUNTIME__V1__NAMESPACE_MODE__POD;
	psec.namespace_options = &pns;
	psec.privileged = getenv("OSP_CRI_PRIVILEGED") != NULL; /* a privileged pod may have one */
	plinux.cgroup_parent = argv[3];
	plinux.security_context = &psec;
	pcfg.metadata = &pmeta;
	pcfg.labels = (Runtime__V1__PodSandboxConfig__LabelsEntry **)plabels.p;
	pcfg.n_labels = plabels.n;
	pcfg.linux = &plinux;
	runreq.config = &pcfg;
	r = CALL(g, "RunPodSandbox", runreq, run_pod_sandbox_response, &runresp);
	if (r < 0)
		return fail(g, "RunPodSandbox", r);
	printf("sandbox=%s\n", runresp->pod_sandbox_id);

	cmeta.name = argv[4];
	image.image = argv[5];
	kv_add(&clabels, &runtime__v1__container_config__labels_entry__descriptor,
	       "io.kubernetes.container.name", argv[4]);
	kv_add(&clabels, &runtime__v1__container_config__labels_entry__descriptor,
	       "io.kubernetes.pod.name", argv[0]);
	kv_add(&clabels, &runtime__v1__container_config__labels_entry__descriptor,
	       "io.kubernetes.pod.namespace", argv[1]);
	kv_add(&clabels, &runtime__v1__container_config__labels_entry__descriptor,
	       "io.kubernetes.pod.uid", argv[2]);
	kv_parse(&clabels, &runtime__v1__container_config__labels_entry__descriptor, labels_c);
	colon = strchr(argv[7], ':');
	if (colon) {
		*colon = 0;
		mount.host_path = argv[7];
		mount.container_path = colon + 1;
		mount.readonly = true;
		ccfg.mounts = mounts;
		ccfg.n_mounts = 1;
	}
	cns.network = pns.network;
	cns.pid = RUNTIME__V1__NAMESPACE_MODE__CONTAINER;
	cns.ipc = RUNTIME__V1__NAMESPACE_MODE__POD;
	csec.namespace_options = &cns;
	csec.privileged = getenv("OSP_CRI_PRIVILEGED") != NULL;
	clinux.security_context = &csec;
	ccfg.metadata = &cmeta;
	ccfg.image = &image;
	ccfg.command = &argv[8];
	ccfg.n_command = (size_t)(argc - 8);
	ccfg.labels = (Runtime__V1__ContainerConfig__LabelsEntry **)clabels.p;
	ccfg.n_labels = clabels.n;
	ccfg.linux = &clinux;
	creq.pod_sandbox_id = runresp->pod_sandbox_id;
	creq.config = &ccfg;
	creq.sandbox_config = &pcfg;
	r = CALL(g, "CreateContainer", creq, create_container_response, &cresp);
	if (r < 0)
		return fail(g, "CreateContainer", r);
	printf("container=%s\n", cresp->container_id);
	fflush(stdout);
	sreq.container_id = cresp->container_id;
	r = CALL(g, "StartContainer", sreq, start_container_response, &sresp);
	if (r < 0)
		return fail(g, "StartContainer", r);
	protobuf_c_message_free_unpacked(&sresp->base, NULL);
	protobuf_c_message_free_unpacked(&cresp->base, NULL);
	protobuf_c_message_free_unpacked(&runresp->base, NULL);
	free(labels_p);
	free(labels_c);
	return 0;
}

static int cmd_down(struct cri_grpc *g, char *sandbox)
{
	Runtime__V1__StopPodSandboxRequest stop = RUNTIME__V1__STOP_POD_SANDBOX_REQUEST__INIT;
	Runtime__V1__RemovePodSandboxRequest rm = RUNTIME__V1__REMOVE_POD_SANDBOX_REQUEST__INIT;
	ProtobufCMessage *resp = NULL;
	int r;

	stop.pod_sandbox_id = rm.pod_sandbox_id = sandbox;
	r = CALL(g, "StopPodSandbox", stop, stop_pod_sandbox_response, &resp);
	if (r < 0)
		return fail(g, "StopPodSandbox", r);
	protobuf_c_message_free_unpacked(resp, NULL);
	r = CALL(g, "RemovePodSandbox", rm, remove_pod_sandbox_response, &resp);
	if (r < 0)
		return fail(g, "RemovePodSandbox", r);
	protobuf_c_message_free_unpacked(resp, NULL);
	return 0;
}

static int cmd_call(struct cri_grpc *g, char *id)
{
	Runtime__V1__ContainerStatusRequest req = RUNTIME__V1__CONTAINER_STATUS_REQUEST__INIT;
	ProtobufCMessage *resp = NULL;
	int r;

	req.container_id = id;
	req.verbose = true;
	r = cri_grpc_call(g, "/runtime.v1.RuntimeService/ContainerStatus", &req.base,
			  &runtime__v1__container_status_response__descriptor, 2000, META_REPLY_MAX,
			  &resp);
	printf("result=%d %s\nerror=%s\n", r, r < 0 ? strerror(-r) : "ok", cri_grpc_error(g));
	if (resp)
		protobuf_c_message_free_unpacked(resp, NULL);
	return 0;
}

static void print_labels(const char *what, const struct meta_label *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%s[%s]=%s\n", what, l[i].key, l[i].value);
}

#define PRINT_STR(k, v) printf("%s=%s\n", k, (v) ? (v) : "<NA>")

static int cmd_lookup(const char *sock, const char *id, const char *timeout, const char *engine)
{
	_cleanup_(meta_container_unrefp) struct meta_container *c = NULL;
	bool crio = engine && strcmp(engine, "cri") == 0;
	enum meta_engine use = crio ? META_ENGINE_CRI : META_ENGINE_CONTAINERD;
	enum container_type type = crio ? CONTAINER_CRIO : CONTAINER_CONTAINERD;
	struct meta_config cfg;
	struct meta_cri *m = NULL;
	int r;

	meta_config_init(&cfg);
	for (unsigned e = 0; e < _META_ENGINE_MAX; e++)
		cfg.engines[e].enabled = e == use;
	for (size_t i = 0; i < cfg.engines[use].n_sockets; i++)
		free(cfg.engines[use].sockets[i]);
	cfg.engines[use].sockets[0] = strdup(sock);
	cfg.engines[use].n_sockets = 1;
	if (timeout)
		cfg.timeout_ms = (uint32_t)strtoul(timeout, NULL, 10);
	r = meta_cri_new(&cfg, NULL, &m);
	meta_config_done(&cfg);
	if (r < 0 || !m) {
		fprintf(stderr, "cri-client: meta_cri_new: %s\n", strerror(-r));
		return 1;
	}
	c = meta_container_new(id, type);
	if (!c)
		return 1;
	r = meta_cri_lookup(m, type, c);
	meta_cri_free(m);
	if (r < 0) {
		printf("lookup=%s\n", strerror(-r));
		return r == -ENOENT ? 2 : r == -EBADMSG || r == -EMSGSIZE ? 3 : 1;
	}
	printf("lookup=ok\n");
	PRINT_STR("source", c->source);
	PRINT_STR("container.name", c->name);
	PRINT_STR("container.image", c->image);
	PRINT_STR("container.image.repository", c->image_repository);
	PRINT_STR("container.image.tag", c->image_tag);
	PRINT_STR("container.image.digest", c->image_digest);
	PRINT_STR("container.image.id", c->image_id);
	PRINT_STR("container.ip", c->ip);
	printf("container.privileged=%d\n", c->privileged);
	printf("container.host_pid=%d\ncontainer.host_network=%d\ncontainer.host_ipc=%d\n",
	       c->host_pid, c->host_network, c->host_ipc);
	printf("container.start_ts=%llu\n", (unsigned long long)c->start_ts);
	print_labels("container.label", c->labels, c->n_labels);
	for (size_t i = 0; i < c->n_mounts; i++)
		printf("container.mount[%zu]=%s:%s:%s:%s\n", i, c->mounts[i].source,
		       c->mounts[i].dest, c->mounts[i].mode, c->mounts[i].propagation);
	PRINT_STR("k8s.ns.name", c->k8s_ns);
	PRINT_STR("k8s.pod.name", c->k8s_pod_name);
	PRINT_STR("k8s.pod.uid", c->k8s_pod_uid);
	PRINT_STR("k8s.pod.sandbox_id", c->k8s_sandbox_id);
	PRINT_STR("k8s.pod.ip", c->k8s_pod_ip);
	print_labels("k8s.pod.label", c->k8s_pod_labels, c->n_k8s_pod_labels);
	return 0;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* N lookups of ID on one client (the connection kept): prints the mean and the worst, in us. */
static int cmd_bench(const char *sock, const char *id, const char *count)
{
	unsigned long n = strtoul(count, NULL, 10);
	uint64_t total = 0, worst = 0;
	struct meta_config cfg;
	struct meta_cri *m = NULL;
	int r;

	meta_config_init(&cfg);
	for (unsigned e = 0; e < _META_ENGINE_MAX; e++)
		cfg.engines[e].enabled = e == META_ENGINE_CONTAINERD;
	for (size_t i = 0; i < cfg.engines[META_ENGINE_CONTAINERD].n_sockets; i++)
		free(cfg.engines[META_ENGINE_CONTAINERD].sockets[i]);
	cfg.engines[META_ENGINE_CONTAINERD].sockets[0] = strdup(sock);
	cfg.engines[META_ENGINE_CONTAINERD].n_sockets = 1;
	r = meta_cri_new(&cfg, NULL, &m);
	meta_config_done(&cfg);
	if (r < 0 || !m || n == 0)
		return 1;
	for (unsigned long i = 0; i < n; i++) {
		struct meta_container *c = meta_container_new(id, CONTAINER_CONTAINERD);
		uint64_t t0 = now_us(), dt;

		if (!c)
			break;
		r = meta_cri_lookup(m, CONTAINER_CONTAINERD, c);
		dt = now_us() - t0;
		meta_container_unref(c);
		if (r < 0) {
			fprintf(stderr, "cri-client bench: lookup %lu: %s\n", i, strerror(-r));
			meta_cri_free(m);
			return 1;
		}
		total += dt;
		worst = MAX(worst, dt);
	}
	meta_cri_free(m);
	printf("lookups=%lu mean_us=%llu max_us=%llu\n", n, (unsigned long long)(total / n),
	       (unsigned long long)worst);
	return 0;
}

int main(int argc, char **argv)
{
	_cleanup_(cri_grpc_freep) struct cri_grpc *g = NULL;

	if (argc < 4) {
		fprintf(stderr, "usage: cri-client up|down|lookup|call SOCK ARGS...\n");
		return 1;
	}
	if (strcmp(argv[1], "lookup") == 0)
		return cmd_lookup(argv[2], argv[3], argc > 4 ? argv[4] : NULL,
				  argc > 5 ? argv[5] : NULL);
	if (strcmp(argv[1], "bench") == 0 && argc > 4)
		return cmd_bench(argv[2], argv[3], argv[4]);
	if (cri_grpc_new(argv[2], &g) < 0)
		return 1;
	if (strcmp(argv[1], "up") == 0)
		return cmd_up(g, argv + 3, argc - 3);
	if (strcmp(argv[1], "down") == 0)
		return cmd_down(g, argv[3]);
	if (strcmp(argv[1], "call") == 0)
		return cmd_call(g, argv[3]);
	fprintf(stderr, "cri-client: unknown command '%s'\n", argv[1]);
	return 1;
}
