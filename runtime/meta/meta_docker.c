// SPDX-License-Identifier: Apache-2.0
/*
 * The Docker Engine API over a unix socket (docker, podman's compatible service). See
 * meta_docker.h.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "meta_docker.h"

#define DOCKER_SOCKETS_MAX (2 * META_SOCKETS_MAX)
#define BACKOFF_MIN_NS	   (500ull * 1000000ull)
#define BACKOFF_MAX_NS	   (30ull * 1000000000ull)

struct docker_socket {
	enum meta_engine engine;
	char path[1024];
	uint64_t down_until; /* monotonic ns: not asked before */
	uint64_t backoff;
	bool logged_down;    /* the outage was logged */
	CURL *curl;	     /* kept: the connection is reused */
};

struct meta_docker {
	struct docker_socket socks[DOCKER_SOCKETS_MAX];
	size_t n;
	uint32_t timeout_ms;
	uint32_t label_max_len;
};

struct reply {
	char *buf;
	size_t len;
	bool too_big;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- json helpers ---- */

struct json_object *meta_json_get(struct json_object *o, const char *path)
{
	char key[128];

	while (o && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);

		if (n >= sizeof(key) || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(key, path, n);
		key[n] = 0;
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (dot ? 1 : 0);
	}
	return o;
}

const char *meta_json_str(struct json_object *o, const char *path)
{
	o = meta_json_get(o, path);
	return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}

struct json_object *meta_json_parse(const char *buf, size_t len, const char **ret_err)
{
	struct json_object *o = meta_json_parse_any(buf, len, ret_err);

	if (o && !json_object_is_type(o, json_type_object)) {
		*ret_err = "not a JSON object";
		json_object_put(o);
		o = NULL;
	}
	return o;
}

static bool only_space(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

struct json_object *meta_json_parse_any(const char *buf, size_t len, const char **ret_err)
{
	struct json_tokener *tok = json_tokener_new_ex(64);
	struct json_object *o;
	enum json_tokener_error e;

	*ret_err = "out of memory";
	if (len > INT32_MAX) {
		*ret_err = "too large";
		json_tokener_free(tok);
		return NULL;
	}
	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, buf, (int)len);
	e = json_tokener_get_error(tok);
	if (e == json_tokener_continue) {
		*ret_err = "the JSON ends too early";
		json_object_put(o);
		o = NULL;
	} else if (e != json_tokener_success) {
		*ret_err = json_tokener_error_desc(e);
		json_object_put(o);
		o = NULL;
	} else if (!only_space(buf + json_tokener_get_parse_end(tok),
			       len - MIN(len, json_tokener_get_parse_end(tok)))) {
		*ret_err = "garbage after the JSON value";
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static int8_t json_tristate(struct json_object *o, const char *path)
{
	o = meta_json_get(o, path);
	return o && json_object_is_type(o, json_type_boolean) ? (int8_t)json_object_get_boolean(o)
							      : -1;
}

static int8_t mode_is_host(struct json_object *hc, const char *key)
{
	const char *s = meta_json_str(hc, key);

	return s ? (int8_t)(strcmp(s, "host") == 0) : -1;
}

int meta_k8s_from_labels(struct meta_container *c)
{
	static const struct {
		const char *label;
		size_t off;
	} map[] = {
		{"io.kubernetes.pod.namespace", offsetof(struct meta_container, k8s_ns)},
		{"io.kubernetes.pod.name", offsetof(struct meta_container, k8s_pod_name)},
		{"io.kubernetes.pod.uid", offsetof(struct meta_container, k8s_pod_uid)},
		{"io.kubernetes.sandbox.id", offsetof(struct meta_container, k8s_sandbox_id)},
	};
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		char **dst = (char **)((char *)c + map[i].off);
		const char *v = meta_label_get(c->labels, c->n_labels, map[i].label);

		if (v && !*dst && (r = meta_strset(dst, v)) < 0)
			return r;
	}
	return 0;
}

static int mounts_from_json(struct json_object *arr, struct meta_container *c)
{
	size_t n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr)
								     : 0;

	for (size_t i = 0; i < n && c->n_mounts < META_MOUNTS_MAX; i++) {
		struct json_object *mo = json_object_array_get_idx(arr, i);
		struct meta_mount *nm, *mt;
		int r = 0;

		nm = realloc(c->mounts, (c->n_mounts + 1) * sizeof(*nm));
		if (!nm)
			return -ENOMEM;
		c->mounts = nm;
		mt = &nm[c->n_mounts++];
		*mt = (struct meta_mount){.rw = json_tristate(mo, "RW") == 1};
		if ((r = meta_strset(&mt->source, meta_json_str(mo, "Source"))) < 0 ||
		    (r = meta_strset(&mt->dest, meta_json_str(mo, "Destination"))) < 0 ||
		    (r = meta_strset(&mt->mode, meta_json_str(mo, "Mode"))) < 0 ||
		    (r = meta_strset(&mt->propagation, meta_json_str(mo, "Propagation"))) < 0)
			return r;
	}
	return 0;
}

int meta_docker_from_json(struct json_object *o, struct json_object *hostconfig,
			  uint32_t label_max_len, struct meta_container *c)
{
	struct json_object *labels, *nets;
	const char *name = meta_json_str(o, "Name"), *image = meta_json_str(o, "Config.Image");
	const char *image_id = meta_json_str(o, "Image"), *ip;
	int r;

	if (!hostconfig)
		hostconfig = meta_json_get(o, "HostConfig");
	if (name && name[0] == '/')
		name++;
	if ((r = meta_strset(&c->name, name)) < 0)
		return r;
	if (image && strncmp(image, "sha256:", 7) != 0 && (r = meta_container_set_image(c, image)) < 0)
		return r;
	if (image_id && strncmp(image_id, "sha256:", 7) == 0)
		image_id += 7;
	if ((r = meta_strset(&c->image_id, image_id)) < 0)
		return r;
	labels = meta_json_get(o, "Config.Labels");
	if (labels && json_object_is_type(labels, json_type_object)) {
		json_object_object_foreach(labels, k, v)
		{
			if (json_object_is_type(v, json_type_string) &&
			    (r = meta_labels_add(&c->labels, &c->n_labels, k,
						 json_object_get_string(v), label_max_len)) < 0)
				return r;
		}
	}
	c->privileged = json_tristate(hostconfig, "Privileged");
	c->host_pid = mode_is_host(hostconfig, "PidMode");
	c->host_network = mode_is_host(hostconfig, "NetworkMode");
	c->host_ipc = mode_is_host(hostconfig, "IpcMode");
	ip = meta_json_str(o, "NetworkSettings.IPAddress");
	nets = meta_json_get(o, "NetworkSettings.Networks");
	if ((!ip || !ip[0]) && nets && json_object_is_type(nets, json_type_object)) {
		json_object_object_foreach(nets, k, v)
		{
			(void)k;
			ip = meta_json_str(v, "IPAddress");
			if (ip && ip[0])
				break;
		}
	}
	if (ip && ip[0] && (r = meta_strset(&c->ip, ip)) < 0)
		return r;
	c->start_ts = meta_parse_rfc3339(meta_json_str(o, "Created"));
	r = mounts_from_json(meta_json_get(o, "Mounts"), c);
	if (r < 0)
		return r;
	return meta_k8s_from_labels(c);
}

/* ---- HTTP over the unix socket ---- */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct reply *rp = userdata;
	size_t n = size * nmemb;
	char *nb;

	if (n > META_REPLY_MAX - rp->len) {
		rp->too_big = true;
		return 0; /* aborts the transfer */
	}
	nb = realloc(rp->buf, rp->len + n + 1);
	if (!nb)
		return 0;
	rp->buf = nb;
	memcpy(nb + rp->len, ptr, n);
	rp->len += n;
	nb[rp->len] = 0;
	return n;
}

static void socket_down(struct docker_socket *s, const char *why, const char *id)
{
	struct stat st;

	s->backoff = s->backoff ? MIN(s->backoff * 2, BACKOFF_MAX_NS) : BACKOFF_MIN_NS;
	s->down_until = mono_ns() + s->backoff;
	if (s->logged_down)
		return;
	s->logged_down = true;
	/* no socket at all: that runtime is not installed or its service is off, which is usual */
	if (stat(s->path, &st) < 0 && errno == ENOENT)
		log_info("Container metadata: no %s API socket at %s (container %.12s); asking the "
			 "other sources, and it again after a back-off.",
			 meta_engine_name(s->engine), s->path, id);
	else
		log_warning("Container metadata: %s API at %s does not answer (%s, container "
			    "%.12s); asking its other sources, and it again after a back-off.",
			    meta_engine_name(s->engine), s->path, why, id);
}

/*
 * GET url_path on socket s into *rp. 0 (HTTP 200), -ENOENT (404), -EMSGSIZE (too big),
 * -EHOSTDOWN (no answer: the socket is marked down), -EPROTO (another status).
 */
static int http_get(struct meta_docker *d, struct docker_socket *s, const char *url_path,
		    const char *id, struct reply *rp)
{
	char url[256];
	long status = 0;
	CURLcode cr;

	if (!s->curl) {
		s->curl = curl_easy_init();
		if (!s->curl)
			return -ENOMEM;
	}
	snprintf(url, sizeof(url), "http://localhost%s", url_path);
	curl_easy_reset(s->curl);
	curl_easy_setopt(s->curl, CURLOPT_UNIX_SOCKET_PATH, s->path);
	curl_easy_setopt(s->curl, CURLOPT_URL, url);
	curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->curl, CURLOPT_TIMEOUT_MS, (long)d->timeout_ms);
	curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)d->timeout_ms);
	curl_easy_setopt(s->curl, CURLOPT_MAXFILESIZE, (long)META_REPLY_MAX);
	curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, rp);
	curl_easy_setopt(s->curl, CURLOPT_PROTOCOLS_STR, "http");
	cr = curl_easy_perform(s->curl);
	if (rp->too_big || cr == CURLE_FILESIZE_EXCEEDED) {
		log_warning("Container metadata: %s API at %s sent more than %u bytes about "
			    "container %.12s: refused.",
			    meta_engine_name(s->engine), s->path, META_REPLY_MAX, id);
		return -EMSGSIZE;
	}
	if (cr != CURLE_OK) {
		socket_down(s, curl_easy_strerror(cr), id);
		return -EHOSTDOWN;
	}
	if (s->logged_down)
		log_info("Container metadata: %s API at %s answers again.",
			 meta_engine_name(s->engine), s->path);
	s->backoff = 0;
	s->logged_down = false;
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status == 404)
		return -ENOENT;
	if (status != 200) {
		log_debug("Container metadata: %s API at %s: HTTP %ld for %s.",
			  meta_engine_name(s->engine), s->path, status, url_path);
		return -EPROTO;
	}
	return 0;
}

/* The image's registry digest, from /images/ID/json's RepoDigests ("repo@sha256:..."). */
static int image_digest(struct meta_docker *d, struct docker_socket *s, struct meta_container *c)
{
	_cleanup_free_ char *buf = NULL;
	struct reply rp = {};
	struct json_object *o, *digests, *first;
	const char *err, *at;
	char path[128];
	int r;

	if (!c->image_id || c->image_digest || strlen(c->image_id) > 64)
		return 0;
	snprintf(path, sizeof(path), "/images/%s/json", c->image_id);
	r = http_get(d, s, path, c->full_id, &rp);
	buf = rp.buf;
	if (r < 0 || !buf)
		return 0; /* the digest is optional */
	o = meta_json_parse(buf, rp.len, &err);
	if (!o)
		return 0;
	digests = meta_json_get(o, "RepoDigests");
	first = digests && json_object_is_type(digests, json_type_array) &&
				json_object_array_length(digests)
			? json_object_array_get_idx(digests, 0)
			: NULL;
	at = first && json_object_is_type(first, json_type_string)
		     ? strchr(json_object_get_string(first), '@')
		     : NULL;
	r = at ? meta_strset(&c->image_digest, at + 1) : 0;
	json_object_put(o);
	return r;
}

static int ask_socket(struct meta_docker *d, struct docker_socket *s, struct meta_container *c)
{
	_cleanup_free_ char *buf = NULL;
	struct reply rp = {};
	struct json_object *o;
	const char *err;
	char path[128];
	int r;

	snprintf(path, sizeof(path), "/containers/%s/json", c->full_id);
	r = http_get(d, s, path, c->full_id, &rp);
	buf = rp.buf;
	if (r < 0)
		return r;
	o = meta_json_parse(buf ? buf : "", rp.len, &err);
	if (!o) {
		log_warning("Container metadata: %s API at %s sent a malformed reply about "
			    "container %.12s (%s): refused.",
			    meta_engine_name(s->engine), s->path, c->full_id, err);
		return -EBADMSG;
	}
	r = meta_docker_from_json(o, NULL, d->label_max_len, c);
	json_object_put(o);
	if (r < 0)
		return r;
	c->source = meta_engine_name(s->engine);
	return image_digest(d, s, c);
}

int meta_docker_lookup(struct meta_docker *d, enum container_type type, struct meta_container *c)
{
	enum meta_engine first = type == CONTAINER_PODMAN ? META_ENGINE_PODMAN : META_ENGINE_DOCKER;
	uint64_t now = mono_ns();
	int r, ret = -ENOENT;

	if (!d || (type != CONTAINER_DOCKER && type != CONTAINER_PODMAN))
		return -ENOENT;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < d->n; i++) {
			struct docker_socket *s = &d->socks[i];

			if ((s->engine == first) != (pass == 0) || now < s->down_until)
				continue;
			r = ask_socket(d, s, c);
			if (r >= 0 || r == -ENOMEM)
				return r;
			if (r == -EBADMSG || r == -EMSGSIZE)
				ret = r;
		}
	return ret;
}

int meta_docker_new(const struct meta_config *cfg, const char *host_root, struct meta_docker **ret)
{
	static const enum meta_engine engines[] = {META_ENGINE_DOCKER, META_ENGINE_PODMAN};
	struct meta_docker *d;

	*ret = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : META_TIMEOUT_MS_DEFAULT;
	d->label_max_len = cfg->label_max_len;
	for (size_t e = 0; e < ARRAY_SIZE(engines); e++) {
		const struct meta_engine_config *ec = &cfg->engines[engines[e]];

		if (!ec->enabled)
			continue;
		for (size_t i = 0; i < ec->n_sockets && d->n < DOCKER_SOCKETS_MAX; i++) {
			struct docker_socket *s = &d->socks[d->n++];
			const char *p = ec->sockets[i];

			if (strncmp(p, "unix://", 7) == 0)
				p += 7;
			s->engine = engines[e];
			snprintf(s->path, sizeof(s->path), "%s%s", host_root ? host_root : "", p);
		}
	}
	if (!d->n) {
		free(d);
		return 0;
	}
	*ret = d;
	return 0;
}

void meta_docker_free(struct meta_docker *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		curl_easy_cleanup(d->socks[i].curl);
	free(d);
}
