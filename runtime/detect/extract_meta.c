// SPDX-License-Identifier: Apache-2.0
/*
 * The container.* and k8s.* field extractors. See extract_meta.h.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "extract_meta.h"
#include "meta.h"

/*
 * Falco's glob for the mount pickers is fnmatch() with GNU's extended patterns (+(a|b)...);
 * a C library without them (musl) matches plain globs.
 */
#ifndef FNM_EXTMATCH
#define FNM_EXTMATCH 0
#endif

static size_t put_str(struct extract_ctx *c, struct xval *v, const char *s)
{
	char *p;

	if (!s)
		return 0;
	p = extract_strdup(c, s, strlen(s));
	if (!p)
		return 0;
	v->type = XV_STR;
	v->s = p;
	v->len = (uint32_t)strlen(p);
	return 1;
}

static size_t put_static(struct xval *v, const char *s)
{
	v->type = XV_STR;
	v->s = s;
	v->len = (uint32_t)strlen(s);
	return 1;
}

static size_t put_tristate(struct xval *v, int8_t b)
{
	if (b < 0)
		return 0;
	v->type = XV_BOOL;
	v->b = b;
	return 1;
}

static size_t put_u64(struct xval *v, uint64_t u)
{
	v->type = XV_U64;
	v->u = u;
	return 1;
}

/* Appends printf output to the arena string being built at *p (len *n, capacity avail). */
__attribute__((format(printf, 4, 5))) static bool cat(char *p, size_t *n, size_t avail,
						       const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n >= avail)
		return false;
	va_start(ap, fmt);
	k = vsnprintf(p + *n, avail - *n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= avail - *n)
		return false;
	*n += (size_t)k;
	return true;
}

/* A built string of the arena's free tail (the arena's own bound, like every other value). */
static size_t put_built(struct extract_ctx *c, struct xval *v, char *p, size_t n, bool ok)
{
	if (!ok) {
		c->stats.arena_exhausted++;
		return 0;
	}
	return put_str(c, v, p);
}

/* Falco's "k1:v1,k2:v2". */
static size_t put_labels(struct extract_ctx *c, struct xval *v, const struct meta_label *l,
			 size_t n)
{
	char buf[8192];
	size_t len = 0;
	bool ok = true;

	if (!n)
		return 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && ok; i++)
		ok = cat(buf, &len, sizeof(buf), "%s%s:%s", i ? "," : "", l[i].key, l[i].value);
	return put_built(c, v, buf, len, ok);
}

static bool mount_format(const struct meta_mount *m, char *buf, size_t size)
{
	size_t n = 0;

	return cat(buf, &n, size, "%s:%s:%s:%s:%s", m->source ? m->source : "",
		   m->dest ? m->dest : "", m->mode ? m->mode : "", m->rw ? "true" : "false",
		   m->propagation ? m->propagation : "");
}

/*
 * The mount ref's argument picks: a number, or a glob on the destination (container.mount,
 * .mount.source) or on the source (the other container.mount.* fields), as Falco does.
 */
static const struct meta_mount *mount_pick(const struct meta_container *mc,
					   const struct field_ref *ref, bool by_dest)
{
	if (ref->arg_is_index)
		return ref->arg_index < mc->n_mounts ? &mc->mounts[ref->arg_index] : NULL;
	for (size_t i = 0; i < mc->n_mounts; i++) {
		const char *s = by_dest ? mc->mounts[i].dest : mc->mounts[i].source;

		if (s && fnmatch(ref->arg, s, FNM_EXTMATCH) == 0)
			return &mc->mounts[i];
	}
	return NULL;
}

static size_t meta_value(struct extract_ctx *c, const struct meta_container *mc,
			 const struct field_ref *ref, struct xval *v)
{
	const struct meta_mount *mt;
	char buf[8192];
	size_t n = 0;
	bool ok = true;

	switch (ref->info->id) {
	case FIELD_CONTAINER_NAME:
		return put_str(c, v, mc->name);
	case FIELD_CONTAINER_IMAGE:
		return put_str(c, v, mc->image);
	case FIELD_CONTAINER_IMAGE_ID:
		return put_str(c, v, mc->image_id);
	case FIELD_CONTAINER_IMAGE_REPOSITORY:
		return put_str(c, v, mc->image_repository);
	case FIELD_CONTAINER_IMAGE_TAG:
		return put_str(c, v, mc->image_tag);
	case FIELD_CONTAINER_IMAGE_DIGEST:
		return put_str(c, v, mc->image_digest);
	case FIELD_CONTAINER_PRIVILEGED:
		return put_tristate(v, mc->privileged);
	case FIELD_CONTAINER_HOST_PID:
		return put_tristate(v, mc->host_pid);
	case FIELD_CONTAINER_HOST_NETWORK:
		return put_tristate(v, mc->host_network);
	case FIELD_CONTAINER_HOST_IPC:
		return put_tristate(v, mc->host_ipc);
	case FIELD_CONTAINER_IP:
		return put_str(c, v, mc->ip ? mc->ip : mc->k8s_pod_ip);
	case FIELD_CONTAINER_START_TS:
		return mc->start_ts ? put_u64(v, mc->start_ts) : 0;
	case FIELD_CONTAINER_DURATION: {
		uint64_t now = c->boot_time_ns + c->ev->hdr->ts_ns;

		return mc->start_ts && c->boot_time_ns && now >= mc->start_ts
			       ? put_u64(v, now - mc->start_ts)
			       : 0;
	}
	case FIELD_CONTAINER_LABEL:
		return put_str(c, v, meta_label_get(mc->labels, mc->n_labels, ref->arg));
	case FIELD_CONTAINER_LABELS:
		return put_labels(c, v, mc->labels, mc->n_labels);
	case FIELD_CONTAINER_MOUNTS:
		if (!mc->n_mounts)
			return 0;
		buf[0] = 0;
		for (size_t i = 0; i < mc->n_mounts && ok; i++) {
			char one[4096];

			ok = mount_format(&mc->mounts[i], one, sizeof(one)) &&
			     cat(buf, &n, sizeof(buf), "%s%s", i ? " " : "", one);
		}
		return put_built(c, v, buf, n, ok);
	case FIELD_CONTAINER_MOUNT:
		mt = mount_pick(mc, ref, true);
		return mt ? put_built(c, v, buf, 0, mount_format(mt, buf, sizeof(buf))) : 0;
	case FIELD_CONTAINER_MOUNT_SOURCE:
		mt = mount_pick(mc, ref, true);
		return mt ? put_str(c, v, mt->source) : 0;
	case FIELD_CONTAINER_MOUNT_DEST:
		mt = mount_pick(mc, ref, false);
		return mt ? put_str(c, v, mt->dest) : 0;
	case FIELD_CONTAINER_MOUNT_MODE:
		mt = mount_pick(mc, ref, false);
		return mt ? put_str(c, v, mt->mode) : 0;
	case FIELD_CONTAINER_MOUNT_RDWR:
		mt = mount_pick(mc, ref, false);
		return mt ? put_static(v, mt->rw ? "true" : "false") : 0;
	case FIELD_CONTAINER_MOUNT_PROPAGATION:
		mt = mount_pick(mc, ref, false);
		return mt ? put_str(c, v, mt->propagation) : 0;
	case FIELD_K8S_NS_NAME:
		return put_str(c, v, mc->k8s_ns);
	case FIELD_K8S_POD_NAME:
		return put_str(c, v, mc->k8s_pod_name);
	case FIELD_K8S_POD_ID:
	case FIELD_K8S_POD_UID:
		return put_str(c, v, mc->k8s_pod_uid);
	case FIELD_K8S_POD_FULL_SANDBOX_ID:
		return put_str(c, v, mc->k8s_sandbox_id);
	case FIELD_K8S_POD_SANDBOX_ID:
		if (!mc->k8s_sandbox_id)
			return 0;
		snprintf(buf, CONTAINER_ID_LEN + 1, "%s", mc->k8s_sandbox_id);
		return put_str(c, v, buf);
	case FIELD_K8S_POD_LABEL:
		return put_str(c, v, meta_label_get(mc->k8s_pod_labels, mc->n_k8s_pod_labels,
						    ref->arg));
	case FIELD_K8S_POD_LABELS:
		return put_labels(c, v, mc->k8s_pod_labels, mc->n_k8s_pod_labels);
	case FIELD_K8S_POD_IP:
		return mc->k8s_ns ? put_str(c, v, mc->k8s_pod_ip ? mc->k8s_pod_ip : mc->ip) : 0;
	default:
		return 0;
	}
}

static bool is_meta_field(enum field_id id)
{
	switch (id) {
	case FIELD_CONTAINER_ID:
	case FIELD_CONTAINER_FULL_ID:
	case FIELD_CONTAINER_TYPE:
	case FIELD_CONTAINER_NAME:
	case FIELD_CONTAINER_IMAGE:
	case FIELD_CONTAINER_IMAGE_ID:
	case FIELD_CONTAINER_IMAGE_REPOSITORY:
	case FIELD_CONTAINER_IMAGE_TAG:
	case FIELD_CONTAINER_IMAGE_DIGEST:
	case FIELD_CONTAINER_PRIVILEGED:
	case FIELD_CONTAINER_HOST_PID:
	case FIELD_CONTAINER_HOST_NETWORK:
	case FIELD_CONTAINER_HOST_IPC:
	case FIELD_CONTAINER_IP:
	case FIELD_CONTAINER_START_TS:
	case FIELD_CONTAINER_DURATION:
	case FIELD_CONTAINER_LABEL:
	case FIELD_CONTAINER_LABELS:
	case FIELD_CONTAINER_MOUNTS:
	case FIELD_CONTAINER_MOUNT:
	case FIELD_CONTAINER_MOUNT_SOURCE:
	case FIELD_CONTAINER_MOUNT_DEST:
	case FIELD_CONTAINER_MOUNT_MODE:
	case FIELD_CONTAINER_MOUNT_RDWR:
	case FIELD_CONTAINER_MOUNT_PROPAGATION:
	case FIELD_CONTAINER_HEALTHCHECK:
	case FIELD_CONTAINER_CNI_JSON:
	case FIELD_K8S_NS_NAME:
	case FIELD_K8S_POD_NAME:
	case FIELD_K8S_POD_ID:
	case FIELD_K8S_POD_UID:
	case FIELD_K8S_POD_SANDBOX_ID:
	case FIELD_K8S_POD_FULL_SANDBOX_ID:
	case FIELD_K8S_POD_LABEL:
	case FIELD_K8S_POD_LABELS:
	case FIELD_K8S_POD_IP:
	case FIELD_K8S_POD_CNI_JSON:
		return true;
	default:
		return false;
	}
}

size_t extract_container_field(struct extract_ctx *c, const struct field_ref *ref,
			       struct xval *out, size_t max)
{
	enum field_id id = ref->info->id;
	const struct state_image *im;
	_cleanup_(meta_container_unrefp) struct meta_container *mc = NULL;

	if (!is_meta_field(id))
		return SIZE_MAX;
	if (!c->t || max < 1)
		return 0;
	im = c->t->proc->image;
	switch (id) {
	case FIELD_CONTAINER_ID:
		return put_static(out, im->container_id);
	case FIELD_CONTAINER_FULL_ID:
		return put_static(out, im->container_full_id);
	case FIELD_CONTAINER_TYPE:
		return im->container_type != CONTAINER_HOST
			       ? put_static(out, container_type_name(im->container_type))
			       : 0;
	case FIELD_CONTAINER_NAME:
		/* Falco names the host "host" */
		if (im->container_type == CONTAINER_HOST)
			return put_static(out, "host");
		break;
	default:
		if (im->container_type == CONTAINER_HOST)
			return 0;
		break;
	}
	mc = meta_container_get(state_meta(c->st), im->container_full_id, im->container_type,
				im->cgroup);
	return mc ? meta_value(c, mc, ref, out) : 0;
}
