/* SPDX-License-Identifier: Apache-2.0 */
/*
 * container.id from a process' cgroup path, the way Falco derives it: the
 * 64-hex container id that a runtime put into a cgroup path component, cut to
 * Falco's 12-character short form. Processes outside any recognised runtime
 * are "host". Names, images and Kubernetes metadata are not known here.
 *
 * Recognised components (anywhere in the path):
 *   docker      /docker/<64hex>                 docker-<64hex>.scope
 *   containerd  /kubepods/.../<64hex>           cri-containerd-<64hex>.scope
 *               ...slice:cri-containerd:<64hex> /default/<64hex> (plain containerd)
 *   cri-o       crio-<64hex>.scope              /kubepods/.../crio-<64hex>
 *   podman      libpod-<64hex>.scope            /machine.slice/libpod-<64hex>.scope/container
 *               /libpod_parent/libpod-<64hex>   libpod-payload-<64hex>.scope (split mode)
 * The runtimes' monitor processes (libpod-conmon-*, crio-conmon-*) run on the
 * host and are reported as such.
 */
#pragma once

#include <stddef.h>

#define CONTAINER_ID_LEN      12 /* Falco's short id */
#define CONTAINER_FULL_ID_LEN 64

enum container_type {
	CONTAINER_HOST,
	CONTAINER_DOCKER,
	CONTAINER_CONTAINERD,
	CONTAINER_CRIO,
	CONTAINER_PODMAN,
};

/*
 * Parses cgroup (may be NULL: host). Fills ret_id (CONTAINER_ID_LEN + 1 bytes: 12 lowercase
 * hex or "host") and, if not NULL, ret_full_id (CONTAINER_FULL_ID_LEN + 1 bytes: the 64-hex id,
 * or "host"). Returns the runtime, CONTAINER_HOST when none matched.
 */
enum container_type container_from_cgroup(const char *cgroup, char *ret_id, char *ret_full_id);

/* "host", "docker", "containerd", "cri-o", "podman". */
const char *container_type_name(enum container_type t);
