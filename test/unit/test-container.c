// SPDX-License-Identifier: Apache-2.0
/* container.id from cgroup paths: every runtime's pattern, the host, and garbage. */
#include <string.h>

#include "container.h"
#include "test.h"

#define ID64 "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"
#define ID12 "3ad7b26ded6d"

static void expect(const char *cgroup, enum container_type type, const char *id)
{
	char short_id[CONTAINER_ID_LEN + 1], full[CONTAINER_FULL_ID_LEN + 1];
	enum container_type t = container_from_cgroup(cgroup, short_id, full);

	if (t != type || strcmp(short_id, id) != 0)
		fprintf(stderr, "cgroup '%s': got %s/%s\n", cgroup ? cgroup : "(null)",
			container_type_name(t), short_id);
	CHECK_INT_EQ(t, type);
	CHECK_STR_EQ(short_id, id);
	if (type != CONTAINER_HOST)
		CHECK_STR_EQ(full, ID64);
	else
		CHECK_STR_EQ(full, "host");
}

int main(void)
{
	/* docker, cgroupfs and systemd drivers */
	expect("/docker/" ID64, CONTAINER_DOCKER, ID12);
	expect("/system.slice/docker-" ID64 ".scope", CONTAINER_DOCKER, ID12);
	expect("/docker/" ID64 "/nested/child", CONTAINER_DOCKER, ID12);
	/* containerd / CRI */
	expect("/kubepods/besteffort/pod1f2e3d4c-aaaa-bbbb-cccc-0123456789ab/" ID64,
	       CONTAINER_CONTAINERD, ID12);
	expect("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f2e.slice/"
	       "cri-containerd-" ID64 ".scope",
	       CONTAINER_CONTAINERD, ID12);
	expect("/system.slice/cri-containerd-" ID64 ".scope", CONTAINER_CONTAINERD, ID12);
	/* cri-o */
	expect("/kubepods.slice/kubepods-pod1.slice/crio-" ID64 ".scope", CONTAINER_CRIO, ID12);
	expect("/kubepods/pod1/crio-" ID64, CONTAINER_CRIO, ID12);
	/* podman, rootful and rootless */
	expect("/machine.slice/libpod-" ID64 ".scope", CONTAINER_PODMAN, ID12);
	expect("/machine.slice/libpod-" ID64 ".scope/container", CONTAINER_PODMAN, ID12);
	expect("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64 ".scope",
	       CONTAINER_PODMAN, ID12);
	expect("/libpod_parent/libpod-" ID64, CONTAINER_PODMAN, ID12);
	expect("/machine.slice/libpod-payload-" ID64 ".scope", CONTAINER_PODMAN, ID12);
	/* containerd: cgroupfs names under systemd, plain containerd's default namespace */
	expect("/system.slice/containerd.service/kubepods-besteffort-pod1.slice:cri-containerd:" ID64,
	       CONTAINER_CONTAINERD, ID12);
	expect("/default/" ID64, CONTAINER_CONTAINERD, ID12);
	expect("/default/" ID12, CONTAINER_HOST, "host");
	expect("/system.slice/x.slice:cri-containerd:" ID12, CONTAINER_HOST, "host");
	/* the host */
	expect("/", CONTAINER_HOST, "host");
	expect("", CONTAINER_HOST, "host");
	expect(NULL, CONTAINER_HOST, "host");
	expect("/user.slice/user-0.slice/session-3.scope", CONTAINER_HOST, "host");
	expect("/system.slice/docker.service", CONTAINER_HOST, "host");
	expect("/init.scope", CONTAINER_HOST, "host");
	/* runtime monitors run on the host */
	expect("/machine.slice/libpod-conmon-" ID64 ".scope", CONTAINER_HOST, "host");
	expect("/system.slice/crio-conmon-" ID64 ".scope", CONTAINER_HOST, "host");
	/* garbage: wrong lengths, upper case, non-hex, a bare id outside any runtime */
	expect("/docker/" ID12, CONTAINER_HOST, "host");
	expect("/docker/" ID64 "0", CONTAINER_HOST, "host");
	expect("/docker/3AD7B26DED6D8E7B23DA7D48FE889434573036C27AE5A74837233DE441C3601E",
	       CONTAINER_HOST, "host");
	expect("/docker/zad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e",
	       CONTAINER_HOST, "host");
	expect("/some.slice/" ID64, CONTAINER_HOST, "host");
	expect("docker-" ID64 ".scopex", CONTAINER_HOST, "host");
	expect("////", CONTAINER_HOST, "host");
	expect("/crio-.scope", CONTAINER_HOST, "host");

	CHECK_STR_EQ(container_type_name(CONTAINER_CRIO), "cri-o");
	CHECK_STR_EQ(container_type_name(CONTAINER_HOST), "host");
	return test_finish("test-container");
}
