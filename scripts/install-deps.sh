#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Installs what Osprey's build and tests need on Debian 12 (run as root). Idempotent: installs
# only what is missing and runs `apt-get update` only when something is. Add packages to DEPS.
set -euo pipefail

DEPS=(
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
	# runtime libraries: rules (YAML), outputs (JSON, HTTP, TLS), driver loader (kmod, archives)
	libyaml-dev
	libjson-c-dev
	libkmod-dev
	libcurl4-openssl-dev
	libssl-dev
	libarchive-dev
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
)

missing=()
for p in "${DEPS[@]}"; do
	# "install ok installed" only when the package is fully installed.
	if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) != "install ok installed" ]]; then
		missing+=("$p")
	fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
	echo "install-deps.sh: all ${#DEPS[@]} packages present"
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

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q </dev/null
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
