/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CRI client: the Kubernetes Container Runtime Interface (runtime.v1.RuntimeService, gRPC)
 * of containerd's CRI plugin and CRI-O, over their unix sockets (engines "containerd" and "cri").
 * The only source of a containerd pod's labels. Called on the metadata thread only.
 *
 * A container: ContainerStatus (verbose: the runtime's info JSON with the sandbox id, the
 * container's config and privileged), then PodSandboxStatus of its sandbox (name, namespace,
 * uid, labels, ip, namespace options). A pod's sandbox ("pause") container: ContainerStatus
 * answers NOT_FOUND, PodSandboxStatus describes it.
 *
 * Each socket has its own back-off (0.5 s doubling to 30 s) when it is absent, does not answer
 * within the timeout, does not speak HTTP/2 + gRPC or has no CRI v1 service; the outage is logged
 * once. A reply larger than META_REPLY_MAX, or malformed, is refused with a log line naming the
 * runtime, the socket and the container.
 *
 * Built when nghttp2 and protobuf-c are there (OSPREY_HAVE_CRI); otherwise the lookups say
 * -ENOENT and the bundle reader answers for containerd and CRI-O.
 */
#pragma once

#include <errno.h>

#include "meta.h"

struct meta_cri;

#if OSPREY_HAVE_CRI
/* Clients for the enabled containerd and cri engines' sockets (none: *ret = NULL). */
int meta_cri_new(const struct meta_config *cfg, const char *host_root, struct meta_cri **ret);
void meta_cri_free(struct meta_cri *m);
/*
 * Fills c from the first CRI runtime that knows the container (the container type's own engine
 * first). 0, -ENOENT (no runtime knows it or none answered), -EBADMSG / -EMSGSIZE (a reply was
 * refused), -ENOMEM.
 */
int meta_cri_lookup(struct meta_cri *m, enum container_type type, struct meta_container *c);
#else
static inline int meta_cri_new(const struct meta_config *cfg, const char *host_root,
			       struct meta_cri **ret)
{
	*ret = NULL;
	return 0;
}
static inline void meta_cri_free(struct meta_cri *m)
{
}
static inline int meta_cri_lookup(struct meta_cri *m, enum container_type type,
				  struct meta_container *c)
{
	return -ENOENT;
}
#endif
