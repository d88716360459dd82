// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for the container runtimes' answers (runtime/meta): a Docker Engine API
 * "inspect" body (an HTTP body from a unix socket) and an OCI bundle's config.json, parsed and
 * turned into a container entry. Any input is accepted or refused without crashing; what is
 * kept stays within the entry's bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meta.h"
#include "meta_docker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct meta_container *c = meta_container_new("0123456789ab", CONTAINER_DOCKER);
	struct json_object *o;
	const char *err = NULL;

	if (!c)
		return 0;
	o = meta_json_parse((const char *)data, size, &err);
	if (!o) {
		if (!err)
			abort();
	} else {
		if (meta_docker_from_json(o, NULL, META_LABEL_MAX_LEN_DEFAULT, c) < 0)
			abort();
		if (c->n_labels > META_LABELS_MAX || c->n_mounts > META_MOUNTS_MAX)
			abort();
		if (c->name && strlen(c->name) > META_STR_MAX)
			abort();
		json_object_put(o);
	}
	meta_container_unref(c);
	return 0;
}

static void fuzz_seeds(void (*emit)(const uint8_t *data, size_t size))
{
	static const char *const seeds[] = {
		"{\"Id\":\"6924dccc7dcd\",\"Created\":\"2026-12-06T13:51:43.212907949Z\","
		"\"Name\":\"/osp-meta-try\",\"Image\":\"sha256:1708bb5abdcb\","
		"\"Config\":{\"Image\":\"localhost/osp-busybox:test\",\"Labels\":{\"team\":\"blue\","
		"\"io.kubernetes.pod.name\":\"web-0\"}},\"HostConfig\":{\"Privileged\":true,"
		"\"PidMode\":\"host\",\"NetworkMode\":\"bridge\",\"IpcMode\":\"shareable\"},"
		"\"NetworkSettings\":{\"IPAddress\":\"\",\"Networks\":{\"podman\":{\"IPAddress\":"
		"\"10.88.0.2\"}}},\"Mounts\":[{\"Source\":\"/srv\",\"Destination\":\"/data\","
		"\"Mode\":\"z\",\"RW\":false,\"Propagation\":\"rprivate\"}]}",
		"{\"Name\":7,\"Config\":[],\"HostConfig\":{\"Privileged\":\"yes\"},\"Mounts\":{},"
		"\"NetworkSettings\":{\"Networks\":[1,2]},\"Created\":\"9999-99-99T99:99:99Z\"}",
		"{\"Config\":{\"Image\":\"a:b:c@d@e/f:\",\"Labels\":{\"\":\"\",\"k\":null}}}",
		"{\"Mounts\":[null,1,{\"Source\":null},{\"RW\":true}]}",
		"{\"message\":\"no such container\"}\n",
	};

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		emit((const uint8_t *)seeds[i], strlen(seeds[i]));
}

#include "fuzz-main.h"
