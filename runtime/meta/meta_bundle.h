/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container metadata without a runtime socket: the files the runtimes leave on the host, read
 * under host_root on the metadata thread.
 *
 *   podman      /var/lib/containers/storage/overlay-containers/containers.json (name, image),
 *               .../ID/userdata/config.json (the OCI bundle: annotations, namespaces, mounts)
 *   cri-o       /run/containers/storage/overlay-containers/ID/userdata/config.json
 *               (io.kubernetes.* and io.kubernetes.cri-o.* annotations; the sandbox's bundle
 *               for the pod's labels and ip)
 *   containerd  /run/containerd/io.containerd.runtime.v2.task/{k8s.io,default,moby}/ID/
 *               config.json (io.kubernetes.cri.* annotations)
 *   docker      /var/lib/docker/containers/ID/config.v2.json and hostconfig.json
 *
 * Every file is read with a bound (META_REPLY_MAX); a file over it or not JSON is refused with
 * a log line naming the runtime, the file and the container.
 */
#pragma once

#include "meta.h"

/* Fills c from the files of its runtime. 0, -ENOENT (nothing found), -EBADMSG, -EMSGSIZE. */
int meta_bundle_lookup(const char *host_root, const struct meta_config *cfg,
		       enum container_type type, struct meta_container *c);
