#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Builds Osprey and runs it on this machine: the runtime on the embedded eBPF probe with the default
# rules, alerts on stdout. Extra arguments go to osprey unchanged (try --help). Run as root on
# Debian 12. Installs only what building and running need (install-deps.sh run): the test tools
# (a kernel image, qemu, crun...) are scripts/run-tests.sh's.
#   scripts/run-osprey.sh [OSPREY ARGS...]
# BUILD_DIR (default: build) picks the build directory.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-build}
cd "$root"

# Set-up chatter goes to stderr: stdout carries the alerts only (pipe them to jq).
"$root/scripts/install-deps.sh" run >&2

if [[ ! -f $build/build.ninja ]]; then
	meson setup "$build" >&2
fi
meson compile -C "$build" >&2

if [[ ! -x $build/runtime/osprey ]]; then
	echo "run-osprey.sh: $build/runtime/osprey was not built (runtime/main.c missing?)" >&2
	exit 1
fi

cmd=("$build/runtime/osprey" "$@")
# The default rules from this tree, unless the arguments choose rules or a configuration (osprey
# reads /etc/osprey/osprey.yaml when it exists, as `osprey --help` says; `meson install` puts the
# default one there, naming the installed copy of the rules, and so does the container image).
choose_rules=1
for a in "$@"; do
	case $a in
	-r | -r* | --rules* | -c | -c* | --config* | -V | --validate* | -h | --help | --version | -L | --list* | capture)
		choose_rules=0 ;;
	esac
done
if ((choose_rules)); then
	cmd+=(-r "$root/rules/osprey_rules.yaml")
fi
if [[ $(id -u) -ne 0 ]]; then
	# Loading eBPF needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE...).
	cmd=(sudo "${cmd[@]}")
fi
exec "${cmd[@]}"
