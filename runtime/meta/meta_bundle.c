// SPDX-License-Identifier: Apache-2.0
/*
 * Container metadata from the runtimes' files (OCI bundle config.json, podman's and docker's
 * state). See meta_bundle.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "meta_bundle.h"
#include "meta_docker.h"

#define PODMAN_STORAGE	  "/var/lib/containers/storage/overlay-containers"
#define CRIO_RUN_STORAGE  "/run/containers/storage/overlay-containers"
#define CONTAINERD_TASKS  "/run/containerd/io.containerd.runtime.v2.task"
#define DOCKER_CONTAINERS "/var/lib/docker/containers"
#define CONTAINERS_JSON_MAX (16u << 20) /* podman's list of every container */

/*
 * Reads path (under host_root) as one JSON object, at most max bytes. NULL with *r: -ENOENT
 * (no file), -EMSGSIZE, -EBADMSG (both logged, naming the runtime and container), -errno.
 */
static struct json_object *json_file(const char *host_root, const char *path, size_t max,
				     enum json_type want, const char *runtime, const char *id, int *r)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	char full[PATH_MAX];
	struct json_object *o;
	struct stat st;
	const char *err;
	ssize_t n;

	snprintf(full, sizeof(full), "%s%s", host_root, path);
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		*r = -errno;
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*r = -EINVAL;
		return NULL;
	}
	if ((uint64_t)st.st_size > max) {
		log_warning("Container metadata: %s's %s is %lld bytes (more than %zu) for container "
			    "%.12s: refused.",
			    runtime, full, (long long)st.st_size, max, id);
		*r = -EMSGSIZE;
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		*r = -ENOMEM;
		return NULL;
	}
	n = read_full(fd, buf, (size_t)st.st_size);
	if (n < 0) {
		*r = (int)n;
		return NULL;
	}
	o = meta_json_parse_any(buf, (size_t)n, &err);
	if (o && !json_object_is_type(o, want)) {
		json_object_put(o);
		o = NULL;
		err = want == json_type_array ? "not a JSON array" : "not a JSON object";
	}
	if (!o) {
		log_warning("Container metadata: %s's %s is not valid JSON for container %.12s (%s): "
			    "refused.",
			    runtime, full, id, err);
		*r = -EBADMSG;
		return NULL;
	}
	*r = 0;
	return o;
}

static const char *annot(struct json_object *cfg, const char *key)
{
	struct json_object *a = meta_json_get(cfg, "annotations"), *v;

	if (!a || !json_object_is_type(a, json_type_object) || !json_object_object_get_ex(a, key, &v))
		return NULL;
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* The first of several annotation names that is set. */
static const char *annot_any(struct json_object *cfg, const char *const *keys)
{
	const char *v;

	for (; *keys; keys++)
		if ((v = annot(cfg, *keys)))
			return v;
	return NULL;
}

/* Whether the OCI config gives the container its own namespace of type (1: shares the host's). */
static int8_t host_ns(struct json_object *cfg, const char *type)
{
	struct json_object *ns = meta_json_get(cfg, "linux.namespaces");
	size_t n;

	if (!ns || !json_object_is_type(ns, json_type_array))
		return -1;
	n = json_object_array_length(ns);
	for (size_t i = 0; i < n; i++) {
		const char *t = meta_json_str(json_object_array_get_idx(ns, i), "type");

		if (t && strcmp(t, type) == 0)
			return 0;
	}
	return 1;
}

/* The bind mounts the user asked for (not the runtime's own files, which carry the id). */
static int bundle_mounts(struct json_object *cfg, struct meta_container *c)
{
	struct json_object *arr = meta_json_get(cfg, "mounts");
	size_t n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr)
								     : 0;

	for (size_t i = 0; i < n && c->n_mounts < META_MOUNTS_MAX; i++) {
		struct json_object *mo = json_object_array_get_idx(arr, i), *opts;
		const char *type = meta_json_str(mo, "type"), *src = meta_json_str(mo, "source");
		const char *prop = NULL;
		struct meta_mount *nm, *mt;
		bool rw = true;
		size_t no;
		int r;

		if (!type || strcmp(type, "bind") != 0 || !src || strstr(src, c->full_id))
			continue;
		opts = meta_json_get(mo, "options");
		no = opts && json_object_is_type(opts, json_type_array)
			     ? json_object_array_length(opts)
			     : 0;
		for (size_t k = 0; k < no; k++) {
			struct json_object *ov = json_object_array_get_idx(opts, k);
			const char *o = json_object_is_type(ov, json_type_string)
						? json_object_get_string(ov)
						: "";

			if (strcmp(o, "ro") == 0)
				rw = false;
			else if (strstr(o, "private") || strstr(o, "shared") || strstr(o, "slave"))
				prop = o;
		}
		nm = realloc(c->mounts, (c->n_mounts + 1) * sizeof(*nm));
		if (!nm)
			return -ENOMEM;
		c->mounts = nm;
		mt = &nm[c->n_mounts++];
		*mt = (struct meta_mount){.rw = rw};
		if ((r = meta_strset(&mt->source, src)) < 0 ||
		    (r = meta_strset(&mt->dest, meta_json_str(mo, "destination"))) < 0 ||
		    (r = meta_strset(&mt->mode, "")) < 0 ||
		    (r = meta_strset(&mt->propagation, prop ? prop : "")) < 0)
			return r;
	}
	return 0;
}

/* Labels from a JSON object in a string (CRI-O's io.kubernetes.cri-o.Labels). */
static int labels_from_json_string(const char *s, uint32_t max_len, struct meta_label **l,
				   size_t *n)
{
	struct json_object *o;
	const char *err;
	int r = 0;

	if (!s || !(o = meta_json_parse(s, strlen(s), &err)))
		return 0;
	json_object_object_foreach(o, k, v)
	{
		if (json_object_is_type(v, json_type_string) &&
		    (r = meta_labels_add(l, n, k, json_object_get_string(v), max_len)) < 0)
			break;
	}
	json_object_put(o);
	return r;
}

/* What every OCI bundle tells: namespaces, mounts, the Kubernetes annotations. */
static int from_oci_config(struct json_object *cfg, const struct meta_config *mc,
			   struct meta_container *c)
{
	static const char *const names[] = {"io.kubernetes.cri.container-name",
					    "io.kubernetes.container.name", NULL};
	static const char *const images[] = {"io.kubernetes.cri.image-name",
					     "io.kubernetes.cri-o.ImageName", NULL};
	static const char *const nss[] = {"io.kubernetes.cri.sandbox-namespace",
					  "io.kubernetes.pod.namespace", NULL};
	static const char *const pods[] = {"io.kubernetes.cri.sandbox-name",
					   "io.kubernetes.pod.name", NULL};
	static const char *const uids[] = {"io.kubernetes.cri.sandbox-uid", "io.kubernetes.pod.uid",
					   NULL};
	static const char *const sandboxes[] = {"io.kubernetes.cri.sandbox-id",
						"io.kubernetes.cri-o.SandboxID", NULL};
	const char *priv = annot(cfg, "io.podman.annotations.privileged");
	int r;

	c->host_pid = host_ns(cfg, "pid");
	c->host_network = host_ns(cfg, "network");
	c->host_ipc = host_ns(cfg, "ipc");
	if (priv)
		c->privileged = strcasecmp(priv, "true") == 0;
	if (!c->start_ts)
		c->start_ts = meta_parse_rfc3339(annot(cfg, "io.kubernetes.cri-o.Created"));
	if ((!c->name && (r = meta_strset(&c->name, annot_any(cfg, names))) < 0) ||
	    (r = meta_strset(&c->k8s_ns, annot_any(cfg, nss))) < 0 ||
	    (r = meta_strset(&c->k8s_pod_name, annot_any(cfg, pods))) < 0 ||
	    (r = meta_strset(&c->k8s_pod_uid, annot_any(cfg, uids))) < 0 ||
	    (r = meta_strset(&c->k8s_sandbox_id, annot_any(cfg, sandboxes))) < 0)
		return r;
	if (!c->image && (r = meta_container_set_image(c, annot_any(cfg, images))) < 0)
		return r;
	r = labels_from_json_string(annot(cfg, "io.kubernetes.cri-o.Labels"), mc->label_max_len,
				    &c->labels, &c->n_labels);
	if (r < 0)
		return r;
	return bundle_mounts(cfg, c);
}

/* CRI-O: the sandbox's bundle has the pod's labels and ip. */
static void crio_sandbox(const char *host_root, const struct meta_config *mc,
			 struct meta_container *c)
{
	struct json_object *sb;
	char path[256];
	int r;

	if (!c->k8s_sandbox_id || strlen(c->k8s_sandbox_id) != CONTAINER_FULL_ID_LEN ||
	    strspn(c->k8s_sandbox_id, "0123456789abcdef") != CONTAINER_FULL_ID_LEN)
		return;
	snprintf(path, sizeof(path), CRIO_RUN_STORAGE "/%s/userdata/config.json",
		 c->k8s_sandbox_id);
	sb = json_file(host_root, path, META_REPLY_MAX, json_type_object, "cri-o", c->full_id, &r);
	if (!sb)
		return;
	(void)labels_from_json_string(annot(sb, "io.kubernetes.cri-o.Labels"), mc->label_max_len,
				      &c->k8s_pod_labels, &c->n_k8s_pod_labels);
	(void)meta_strset(&c->k8s_pod_ip, annot(sb, "io.kubernetes.cri-o.IP.0"));
	if (c->k8s_pod_ip && !c->ip)
		(void)meta_strset(&c->ip, c->k8s_pod_ip);
	json_object_put(sb);
}

/* podman: name, image and creation time from containers/storage's containers.json. */
static int podman_storage(const char *host_root, struct meta_container *c)
{
	struct json_object *all, *md = NULL;
	const char *err, *s;
	size_t n;
	int r;

	all = json_file(host_root, PODMAN_STORAGE "/containers.json", CONTAINERS_JSON_MAX,
			json_type_array, "podman", c->full_id, &r);
	if (!all)
		return r;
	n = json_object_array_length(all);
	r = -ENOENT;
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(all, i), *names;

		s = meta_json_str(e, "id");
		if (!s || strcmp(s, c->full_id) != 0)
			continue;
		names = meta_json_get(e, "names");
		if (names && json_object_is_type(names, json_type_array) &&
		    json_object_array_length(names) &&
		    (r = meta_strset(&c->name, json_object_get_string(
							json_object_array_get_idx(names, 0)))) < 0)
			break;
		if ((r = meta_strset(&c->image_id, meta_json_str(e, "image"))) < 0)
			break;
		c->start_ts = meta_parse_rfc3339(meta_json_str(e, "created"));
		s = meta_json_str(e, "metadata");
		md = s ? meta_json_parse_any(s, strlen(s), &err) : NULL;
		r = meta_container_set_image(c, meta_json_str(md, "image-name"));
		json_object_put(md);
		break;
	}
	json_object_put(all);
	return r;
}

int meta_bundle_lookup(const char *host_root, const struct meta_config *mc,
		       enum container_type type, struct meta_container *c)
{
	static const char *const ctrd_ns[] = {"k8s.io", "default", "moby"};
	struct json_object *cfg = NULL;
	char path[512];
	int r = -ENOENT;

	switch (type) {
	case CONTAINER_PODMAN:
		r = podman_storage(host_root, c);
		if (r == -ENOMEM)
			return r;
		snprintf(path, sizeof(path), PODMAN_STORAGE "/%s/userdata/config.json", c->full_id);
		cfg = json_file(host_root, path, META_REPLY_MAX, json_type_object, "podman", c->full_id, &r);
		break;
	case CONTAINER_CRIO:
		snprintf(path, sizeof(path), CRIO_RUN_STORAGE "/%s/userdata/config.json",
			 c->full_id);
		cfg = json_file(host_root, path, META_REPLY_MAX, json_type_object, "cri-o", c->full_id, &r);
		break;
	case CONTAINER_CONTAINERD:
		for (size_t i = 0; i < ARRAY_SIZE(ctrd_ns) && !cfg && r != -EBADMSG; i++) {
			snprintf(path, sizeof(path), CONTAINERD_TASKS "/%s/%s/config.json",
				 ctrd_ns[i], c->full_id);
			cfg = json_file(host_root, path, META_REPLY_MAX, json_type_object, "containerd", c->full_id,
					&r);
		}
		break;
	case CONTAINER_DOCKER: {
		struct json_object *hc;

		snprintf(path, sizeof(path), DOCKER_CONTAINERS "/%s/config.v2.json", c->full_id);
		cfg = json_file(host_root, path, META_REPLY_MAX, json_type_object, "docker", c->full_id, &r);
		if (!cfg)
			return r;
		snprintf(path, sizeof(path), DOCKER_CONTAINERS "/%s/hostconfig.json", c->full_id);
		hc = json_file(host_root, path, META_REPLY_MAX, json_type_object, "docker", c->full_id, &r);
		r = meta_docker_from_json(cfg, hc, mc->label_max_len, c);
		json_object_put(hc);
		json_object_put(cfg);
		c->source = "bundle";
		return r;
	}
	case CONTAINER_HOST:
	default:
		return -ENOENT;
	}
	if (!cfg)
		return r == -EMSGSIZE || r == -EBADMSG ? r : -ENOENT;
	r = from_oci_config(cfg, mc, c);
	json_object_put(cfg);
	if (r < 0)
		return r;
	if (type == CONTAINER_CRIO)
		crio_sandbox(host_root, mc, c);
	c->source = "bundle";
	return 0;
}
