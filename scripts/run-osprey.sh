#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Builds Osprey and runs it on this machine: the runtime on the embedded eBPF probe, its output on
# stdout. Extra arguments go to osprey unchanged (try --help). Run as root on Debian 12.
#   scripts/run-osprey.sh [OSPREY ARGS...]
# BUILD_DIR (default: build) picks the build directory.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-build}
cd "$root"

"$root/scripts/install-deps.sh"

if [[ ! -f $build/build.ninja ]]; then
	meson setup "$build"
fi
meson compile -C "$build"

if [[ ! -x $build/runtime/osprey ]]; then
	echo "run-osprey.sh: $build/runtime/osprey was not built (runtime/main.c missing?)" >&2
	exit 1
fi

cmd=("$build/runtime/osprey" "$@")
if [[ $(id -u) -ne 0 ]]; then
	# Loading eBPF needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE...).
	cmd=(sudo "${cmd[@]}")
fi
exec "${cmd[@]}"
