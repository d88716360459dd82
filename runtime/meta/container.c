// SPDX-License-Identifier: Apache-2.0
#include <stdbool.h>
#include <string.h>

#include "container.h"
#include "macro.h"

static bool is_hex64(const char *p, size_t n)
{
	if (n != CONTAINER_FULL_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return true;
}

static bool starts(const char *p, size_t n, const char *prefix, size_t *ret_plen)
{
	size_t pl = strlen(prefix);

	if (n < pl || memcmp(p, prefix, pl) != 0)
		return false;
	*ret_plen = pl;
	return true;
}

/*
 * One path component c (n bytes, no slash), prev the component before it (pn bytes, may be
 * empty), kube whether a "kubepods" component came earlier. Returns the runtime whose id it
 * holds, CONTAINER_HOST if none; *ret_hex points to the 64 hex digits.
 */
static enum container_type match_component(const char *c, size_t n, const char *prev, size_t pn,
					   bool kube, const char **ret_hex)
{
	static const struct {
		const char *prefix;
		enum container_type type;
	} prefixed[] = {
		{"docker-", CONTAINER_DOCKER},
		{"cri-containerd-", CONTAINER_CONTAINERD},
		{"crio-", CONTAINER_CRIO},
		{"libpod-payload-", CONTAINER_PODMAN}, /* podman's split cgroup mode */
		{"libpod-", CONTAINER_PODMAN},
	};
	static const char colon_ctrd[] = ":cri-containerd:";
	size_t pl;
	const char *cc;

	/* systemd scope units: <prefix><64hex>.scope (the .scope is optional for cgroupfs). */
	if (n > 6 && memcmp(c + n - 6, ".scope", 6) == 0)
		n -= 6;
	for (size_t i = 0; i < ARRAY_SIZE(prefixed); i++)
		if (starts(c, n, prefixed[i].prefix, &pl) && is_hex64(c + pl, n - pl)) {
			*ret_hex = c + pl;
			return prefixed[i].type;
		}
	/* containerd's CRI plugin with cgroupfs names under systemd: "...slice:cri-containerd:ID" */
	cc = n > CONTAINER_FULL_ID_LEN ? memmem(c, n, colon_ctrd, sizeof(colon_ctrd) - 1) : NULL;
	if (cc && is_hex64(cc + sizeof(colon_ctrd) - 1,
			   n - (size_t)(cc + sizeof(colon_ctrd) - 1 - c))) {
		*ret_hex = cc + sizeof(colon_ctrd) - 1;
		return CONTAINER_CONTAINERD;
	}
	if (!is_hex64(c, n))
		return CONTAINER_HOST;
	*ret_hex = c;
	if (pn == 6 && memcmp(prev, "docker", 6) == 0)
		return CONTAINER_DOCKER;
	/* plain containerd (ctr, nerdctl with cgroupfs): /NAMESPACE/ID, "default" namespace */
	if (pn == 7 && memcmp(prev, "default", 7) == 0)
		return CONTAINER_CONTAINERD;
	if (kube)
		return CONTAINER_CONTAINERD;
	return CONTAINER_HOST;
}

enum container_type container_from_cgroup(const char *cgroup, char *ret_id, char *ret_full_id)
{
	const char *p = cgroup, *prev = "", *hex = NULL;
	size_t pn = 0;
	bool kube = false;

	while (p && *p) {
		const char *c;
		size_t n;
		enum container_type t;

		while (*p == '/')
			p++;
		c = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - c);
		if (n == 0)
			break;
		if (n >= 8 && memcmp(c, "kubepods", 8) == 0)
			kube = true;
		t = match_component(c, n, prev, pn, kube, &hex);
		if (t != CONTAINER_HOST) {
			memcpy(ret_id, hex, CONTAINER_ID_LEN);
			ret_id[CONTAINER_ID_LEN] = '\0';
			if (ret_full_id) {
				memcpy(ret_full_id, hex, CONTAINER_FULL_ID_LEN);
				ret_full_id[CONTAINER_FULL_ID_LEN] = '\0';
			}
			return t;
		}
		prev = c;
		pn = n;
	}
	memcpy(ret_id, "host", 5);
	if (ret_full_id)
		memcpy(ret_full_id, "host", 5);
	return CONTAINER_HOST;
}

const char *container_type_name(enum container_type t)
{
	switch (t) {
	case CONTAINER_DOCKER:
		return "docker";
	case CONTAINER_CONTAINERD:
		return "containerd";
	case CONTAINER_CRIO:
		return "cri-o";
	case CONTAINER_PODMAN:
		return "podman";
	case CONTAINER_HOST:
	default:
		return "host";
	}
}
