// SPDX-License-Identifier: Apache-2.0
/*
 * The CRI client (containerd's CRI plugin, CRI-O). See meta_cri.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cri_api.pb-c.h"
#include "cri_grpc.h"
#include "log.h"
#include "meta_cri.h"
#include "meta_docker.h"

#define CRI_SOCKETS_MAX	   (2 * META_SOCKETS_MAX)
#define CRI_BACKOFF_MIN_NS (500ull * 1000000ull)
#define CRI_BACKOFF_MAX_NS (30ull * 1000000000ull)

#define CRI_METHOD(m) "/runtime.v1.RuntimeService/" m

struct cri_socket {
	enum meta_engine engine;
	struct cri_grpc *grpc;
	uint64_t down_until; /* monotonic ns: not asked before */
	uint64_t backoff;
	bool logged_down;
};

struct meta_cri {
	struct cri_socket socks[CRI_SOCKETS_MAX];
	size_t n;
	uint32_t timeout_ms;
	uint32_t label_max_len;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *engine_name(const struct cri_socket *s)
{
	return meta_engine_name(s->engine);
}

/* How the log lines name the runtime: "containerd CRI", "CRI" (the cri engine: CRI-O...). */
static const char *runtime_name(const struct cri_socket *s)
{
	return s->engine == META_ENGINE_CONTAINERD ? "containerd CRI" : "CRI";
}

/* No answer, or no CRI v1 service (why: NULL, or what the runtime lacks): back off. */
static void socket_down(struct cri_socket *s, const char *id, const char *why)
{
	s->backoff = s->backoff ? MIN(s->backoff * 2, CRI_BACKOFF_MAX_NS) : CRI_BACKOFF_MIN_NS;
	if (why) /* it will not change soon: ask again after the longest back-off */
		s->backoff = CRI_BACKOFF_MAX_NS;
	s->down_until = mono_ns() + s->backoff;
	if (!s->logged_down)
		log_warning("Container metadata: %s at %s %s (%s, container %.12s); asking its "
			    "other sources, and it again after a back-off.",
			    runtime_name(s), cri_grpc_path(s->grpc), why ? why : "does not answer",
			    cri_grpc_error(s->grpc), id);
	s->logged_down = true;
}

static void socket_up(struct cri_socket *s)
{
	if (s->logged_down)
		log_info("Container metadata: %s at %s answers again.", runtime_name(s),
			 cri_grpc_path(s->grpc));
	s->backoff = 0;
	s->logged_down = false;
}

/*
 * One call on socket s. 0, -ENOENT (NOT_FOUND), -EHOSTDOWN (no answer: the socket is marked
 * down), -EBADMSG / -EMSGSIZE (refused, logged; the socket backs off too: its connection is not
 * to be trusted), -EREMOTEIO (another gRPC error), -ENOMEM.
 */
static int cri_call(struct meta_cri *m, struct cri_socket *s, const char *method,
		    const ProtobufCMessage *req, const ProtobufCMessageDescriptor *desc,
		    const char *id, ProtobufCMessage **ret)
{
	int r = cri_grpc_call(s->grpc, method, req, desc, m->timeout_ms, META_REPLY_MAX, ret);

	switch (r) {
	case 0:
	case -ENOENT:
		socket_up(s);
		return r;
	case -EREMOTEIO:
		socket_up(s);
		log_debug("Container metadata: %s at %s: %s for container %.12s (%s).",
			  runtime_name(s), cri_grpc_path(s->grpc), method, id,
			  cri_grpc_error(s->grpc));
		return r;
	case -EMSGSIZE:
		log_warning("Container metadata: %s at %s sent too much about container "
			    "%.12s (%s): refused.",
			    runtime_name(s), cri_grpc_path(s->grpc), id, cri_grpc_error(s->grpc));
		s->logged_down = true; /* said: its return is logged */
		socket_down(s, id, NULL);
		return r;
	case -EBADMSG:
		log_warning("Container metadata: %s at %s sent a malformed reply about "
			    "container %.12s (%s): refused.",
			    runtime_name(s), cri_grpc_path(s->grpc), id, cri_grpc_error(s->grpc));
		s->logged_down = true; /* said: its return is logged */
		socket_down(s, id, NULL);
		return r;
	case -ENOMEM:
		return r;
	case -EOPNOTSUPP: /* containerd without its CRI plugin (docker's), or CRI before v1 */
		socket_down(s, id, "has no CRI v1 service (runtime.v1.RuntimeService)");
		return -EHOSTDOWN;
	default: /* -EHOSTDOWN, -ETIMEDOUT */
		socket_down(s, id, NULL);
		return -EHOSTDOWN;
	}
}

/* ---- filling the entry ---- */

static int labels_add(struct meta_label **l, size_t *n, size_t n_entries, void **entries,
		      uint32_t max_len)
{
	/* every map<string, string> entry of protobuf-c is {base, key, value} */
	for (size_t i = 0; i < n_entries; i++) {
		const Runtime__V1__ContainerStatus__LabelsEntry *e = entries[i];
		int r = meta_labels_add(l, n, e->key, e->value, max_len);

		if (r < 0)
			return r;
	}
	return 0;
}

static int8_t is_node(Runtime__V1__NamespaceMode mode)
{
	return mode == RUNTIME__V1__NAMESPACE_MODE__NODE;
}

static const char *propagation_name(Runtime__V1__MountPropagation p)
{
	switch (p) {
	case RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER:
		return "rslave";
	case RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_BIDIRECTIONAL:
		return "rshared";
	default:
		return "rprivate";
	}
}

static int mounts_add(struct meta_container *c, Runtime__V1__Mount **mounts, size_t n)
{
	for (size_t i = 0; i < n && c->n_mounts < META_MOUNTS_MAX; i++) {
		struct meta_mount *nm = realloc(c->mounts, (c->n_mounts + 1) * sizeof(*nm)), *mt;
		int r;

		if (!nm)
			return -ENOMEM;
		c->mounts = nm;
		mt = &nm[c->n_mounts++];
		*mt = (struct meta_mount){.rw = !mounts[i]->readonly};
		if ((r = meta_strset(&mt->source, mounts[i]->host_path)) < 0 ||
		    (r = meta_strset(&mt->dest, mounts[i]->container_path)) < 0 ||
		    (r = meta_strset(&mt->mode, mounts[i]->readonly ? "ro" : "rw")) < 0 ||
		    (r = meta_strset(&mt->propagation, propagation_name(mounts[i]->propagation))) <
			    0)
			return r;
	}
	return 0;
}

/* "repo@sha256:..." or "sha256:<id>": the digest, or the image id. */
static int image_ref_set(struct meta_container *c, const char *ref)
{
	const char *at;

	if (!ref || !ref[0])
		return 0;
	at = strchr(ref, '@');
	if (at)
		return c->image_digest ? 0 : meta_strset(&c->image_digest, at + 1);
	if (strncmp(ref, "sha256:", 7) == 0 && strlen(ref) == 7 + 64)
		return meta_strset(&c->image_id, ref + 7);
	return 0;
}

static int image_set(struct meta_container *c, const char *image)
{
	if (!image || !image[0])
		return 0;
	if (strncmp(image, "sha256:", 7) == 0)
		return image_ref_set(c, image);
	return meta_container_set_image(c, image);
}

/* The runtime's "info" JSON of a verbose status (NULL when absent or not JSON). */
static struct json_object *info_json(void **entries, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const Runtime__V1__ContainerStatusResponse__InfoEntry *e = entries[i];
		const char *err;

		if (strcmp(e->key, "info") == 0)
			return meta_json_parse(e->value, strlen(e->value), &err);
	}
	return NULL;
}

/* privileged from the info JSON: CRI-O's "privileged", containerd's config. */
static int8_t info_privileged(struct json_object *info)
{
	struct json_object *o = meta_json_get(info, "privileged");

	if (o && json_object_is_type(o, json_type_boolean))
		return (int8_t)json_object_get_boolean(o);
	if (!meta_json_get(info, "config"))
		return -1;
	o = meta_json_get(info, "config.linux.security_context.privileged");
	return (int8_t)(o && json_object_is_type(o, json_type_boolean) &&
			json_object_get_boolean(o));
}

/* The pod's fields from its sandbox's status. */
static int pod_fill(struct meta_cri *m, const Runtime__V1__PodSandboxStatus *st,
		    struct meta_container *c)
{
	int r;

	if (st->metadata && ((r = meta_strset(&c->k8s_ns, st->metadata->namespace_)) < 0 ||
			     (r = meta_strset(&c->k8s_pod_name, st->metadata->name)) < 0 ||
			     (r = meta_strset(&c->k8s_pod_uid, st->metadata->uid)) < 0))
		return r;
	if (st->id[0] && (r = meta_strset(&c->k8s_sandbox_id, st->id)) < 0)
		return r;
	r = labels_add(&c->k8s_pod_labels, &c->n_k8s_pod_labels, st->n_labels, (void **)st->labels,
		       m->label_max_len);
	if (r < 0)
		return r;
	if (st->network && st->network->ip[0] &&
	    ((r = meta_strset(&c->k8s_pod_ip, st->network->ip)) < 0 ||
	     (!c->ip && (r = meta_strset(&c->ip, st->network->ip)) < 0)))
		return r;
	if (st->linux && st->linux->namespaces && st->linux->namespaces->options) {
		const Runtime__V1__NamespaceOption *o = st->linux->namespaces->options;

		c->host_network = is_node(o->network);
		c->host_pid = is_node(o->pid);
		c->host_ipc = is_node(o->ipc);
	}
	return 0;
}

/* PodSandboxStatus of id into c. */
static int ask_sandbox(struct meta_cri *m, struct cri_socket *s, const char *sandbox_id,
		       bool verbose, struct meta_container *c, struct json_object **ret_info)
{
	Runtime__V1__PodSandboxStatusRequest req = RUNTIME__V1__POD_SANDBOX_STATUS_REQUEST__INIT;
	Runtime__V1__PodSandboxStatusResponse *resp = NULL;
	int r;

	req.pod_sandbox_id = (char *)sandbox_id;
	req.verbose = verbose;
	r = cri_call(m, s, CRI_METHOD("PodSandboxStatus"), &req.base,
		     &runtime__v1__pod_sandbox_status_response__descriptor, c->full_id,
		     (ProtobufCMessage **)&resp);
	if (r < 0)
		return r;
	if (!resp->status) {
		protobuf_c_message_free_unpacked(&resp->base, NULL);
		return -ENOENT;
	}
	r = pod_fill(m, resp->status, c);
	if (r >= 0 && ret_info)
		*ret_info = info_json((void **)resp->info, resp->n_info);
	if (r >= 0 && !c->start_ts && resp->status->created_at > 0)
		c->start_ts = (uint64_t)resp->status->created_at;
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	return r;
}

/* The container is a pod's sandbox ("pause"): described by PodSandboxStatus. */
static int ask_pause(struct meta_cri *m, struct cri_socket *s, struct meta_container *c)
{
	struct json_object *info = NULL;
	int r = ask_sandbox(m, s, c->full_id, true, c, &info);

	if (r < 0)
		return r;
	r = meta_strset(&c->name, c->k8s_pod_name);
	if (r >= 0)
		r = image_set(c, meta_json_str(info, "image")); /* containerd */
	if (r >= 0 && c->privileged < 0)
		c->privileged = info_privileged(info);
	json_object_put(info);
	return r;
}

static int container_fill(struct meta_cri *m, const Runtime__V1__ContainerStatusResponse *resp,
			  struct json_object *info, struct meta_container *c)
{
	const Runtime__V1__ContainerStatus *st = resp->status;
	int r;

	if (st->metadata && (r = meta_strset(&c->name, st->metadata->name)) < 0)
		return r;
	if (st->image && (r = image_set(c, st->image->image)) < 0)
		return r;
	if (!c->image && (r = image_set(c, meta_json_str(info, "config.image.image"))) < 0)
		return r;
	if ((r = image_ref_set(c, st->image_ref)) < 0)
		return r;
	r = labels_add(&c->labels, &c->n_labels, st->n_labels, (void **)st->labels,
		       m->label_max_len);
	if (r < 0 || (r = mounts_add(c, st->mounts, st->n_mounts)) < 0)
		return r;
	c->start_ts = st->started_at > 0   ? (uint64_t)st->started_at
		      : st->created_at > 0 ? (uint64_t)st->created_at
					   : 0;
	c->privileged = info_privileged(info);
	return 0;
}

/* ContainerStatus, then its sandbox's status. */
static int ask_socket(struct meta_cri *m, struct cri_socket *s, struct meta_container *c)
{
	Runtime__V1__ContainerStatusRequest req = RUNTIME__V1__CONTAINER_STATUS_REQUEST__INIT;
	Runtime__V1__ContainerStatusResponse *resp = NULL;
	struct json_object *info;
	const char *sandbox;
	int r;

	req.container_id = c->full_id;
	req.verbose = true;
	r = cri_call(m, s, CRI_METHOD("ContainerStatus"), &req.base,
		     &runtime__v1__container_status_response__descriptor, c->full_id,
		     (ProtobufCMessage **)&resp);
	if (r == -ENOENT)
		r = ask_pause(m, s, c);
	else if (r >= 0 && !resp->status)
		r = -ENOENT;
	else if (r >= 0) {
		info = info_json((void **)resp->info, resp->n_info);
		r = container_fill(m, resp, info, c);
		sandbox = meta_json_str(info, "sandboxID");
		if (r >= 0 && sandbox && sandbox[0]) {
			int rs = ask_sandbox(m, s, sandbox, false, c, NULL);

			if (rs == -ENOMEM)
				r = rs;
			else if (rs < 0) /* the container's own fields are worth publishing */
				log_debug("Container metadata: %s: no sandbox %.12s for "
					  "container %.12s.",
					  runtime_name(s), sandbox, c->full_id);
		}
		json_object_put(info);
		if (r >= 0)
			r = meta_k8s_from_labels(c); /* kubelet's io.kubernetes.pod.* labels */
	}
	if (resp)
		protobuf_c_message_free_unpacked(&resp->base, NULL);
	if (r >= 0)
		c->source = engine_name(s);
	return r;
}

/*
 * A containerd container that is not CRI's (ctr run, nerdctl; cgroup /default/ID): containerd's
 * own Containers/Get in namespace "default". As Falco's container plugin: the image as created
 * (repo:tag), the labels, the creation time, and an empty name (containerd has none).
 */
static int ask_native(struct meta_cri *m, struct cri_socket *s, struct meta_container *c)
{
	Runtime__V1__ContainerdGetContainerRequest req =
		RUNTIME__V1__CONTAINERD_GET_CONTAINER_REQUEST__INIT;
	Runtime__V1__ContainerdGetContainerResponse *resp = NULL;
	const Runtime__V1__ContainerdContainer *ct;
	int r;

	req.id = c->full_id;
	cri_grpc_set_namespace(s->grpc, "default");
	r = cri_call(m, s, "/containerd.services.containers.v1.Containers/Get", &req.base,
		     &runtime__v1__containerd_get_container_response__descriptor, c->full_id,
		     (ProtobufCMessage **)&resp);
	cri_grpc_set_namespace(s->grpc, NULL);
	if (r < 0)
		return r == -EREMOTEIO ? -ENOENT : r;
	ct = resp->container;
	if (!ct || !ct->image || !ct->image[0])
		r = -ENOENT;
	else if ((r = meta_strset(&c->name, "")) >= 0 && (r = image_set(c, ct->image)) >= 0)
		r = labels_add(&c->labels, &c->n_labels, ct->n_labels, (void **)ct->labels,
			       m->label_max_len);
	if (r >= 0 && ct->created_at && ct->created_at->seconds > 0)
		c->start_ts = (uint64_t)ct->created_at->seconds * 1000000000ull +
			      (uint64_t)(ct->created_at->nanos > 0 ? ct->created_at->nanos : 0);
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	if (r >= 0)
		c->source = "containerd API";
	return r;
}

int meta_cri_lookup(struct meta_cri *m, enum container_type type, struct meta_container *c)
{
	enum meta_engine first = type == CONTAINER_CRIO ? META_ENGINE_CRI : META_ENGINE_CONTAINERD;
	uint64_t now = mono_ns();
	int r, ret = -ENOENT;

	if (!m || (type != CONTAINER_CONTAINERD && type != CONTAINER_CRIO))
		return -ENOENT;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < m->n; i++) {
			struct cri_socket *s = &m->socks[i];

			if ((s->engine == first) != (pass == 0) || now < s->down_until)
				continue;
			r = ask_socket(m, s, c);
			/* not CRI's: containerd's own containers (ctr run) */
			if (r == -ENOENT && type == CONTAINER_CONTAINERD &&
			    s->engine == META_ENGINE_CONTAINERD)
				r = ask_native(m, s, c);
			if (r >= 0 || r == -ENOMEM)
				return r;
			if (r == -EBADMSG || r == -EMSGSIZE)
				ret = r;
		}
	return ret;
}

static bool has_socket(const struct meta_cri *m, const char *path)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(cri_grpc_path(m->socks[i].grpc), path) == 0)
			return true;
	return false;
}

int meta_cri_new(const struct meta_config *cfg, const char *host_root, struct meta_cri **ret)
{
	static const enum meta_engine engines[] = {META_ENGINE_CONTAINERD, META_ENGINE_CRI};
	struct meta_cri *m;
	int r;

	*ret = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : META_TIMEOUT_MS_DEFAULT;
	m->label_max_len = cfg->label_max_len;
	for (size_t e = 0; e < ARRAY_SIZE(engines); e++) {
		const struct meta_engine_config *ec = &cfg->engines[engines[e]];

		if (!ec->enabled)
			continue;
		for (size_t i = 0; i < ec->n_sockets && m->n < CRI_SOCKETS_MAX; i++) {
			const char *p = ec->sockets[i];
			char path[1024];

			if (strncmp(p, "unix://", 7) == 0)
				p += 7;
			snprintf(path, sizeof(path), "%s%s", host_root ? host_root : "", p);
			if (has_socket(m, path)) /* listed under both engines (Falco's defaults) */
				continue;
			r = cri_grpc_new(path, &m->socks[m->n].grpc);
			if (r < 0) {
				meta_cri_free(m);
				return r;
			}
			m->socks[m->n++].engine = engines[e];
		}
	}
	if (!m->n) {
		free(m);
		return 0;
	}
	*ret = m;
	return 0;
}

void meta_cri_free(struct meta_cri *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		cri_grpc_free(m->socks[i].grpc);
	free(m);
}
