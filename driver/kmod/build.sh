#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Builds osprey.ko out of the source tree: copies the module's sources into a
# directory of the build tree and runs Kbuild there (Linux 6.1's Kbuild writes
# objects next to the sources of an external module).
#   build.sh SRCDIR SCHEMADIR KDIR WORKDIR OUTPUT [make arguments...]
set -eu
if [ $# -lt 5 ]; then
	echo "usage: $0 SRCDIR SCHEMADIR KDIR WORKDIR OUTPUT [make arguments...]" >&2
	exit 2
fi
src=$1 schema=$2 kdir=$3 work=$4 out=$5
shift 5

if [ ! -f "$kdir/Makefile" ]; then
	echo "$kdir is not a kernel build tree (no Makefile): install linux-headers-<version> and pass -Dkdir=/usr/src/linux-headers-<version>" >&2
	exit 1
fi
mkdir -p "$work"
for f in "$src"/Kbuild "$src"/*.c "$src"/*.h; do
	case ${f##*/} in kmod-*.c) continue ;; esac # userspace tools
	# Copy only what changed, so that make rebuilds only what it must.
	cmp -s "$f" "$work/${f##*/}" || cp "$f" "$work/${f##*/}"
done
make -C "$kdir" M="$(cd "$work" && pwd)" OSPREY_SCHEMA_DIR="$(cd "$schema" && pwd)" "$@" modules
cp "$work/osprey.ko" "$out"
