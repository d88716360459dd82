#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Assembles the kernel module's source tree as osprey-driver-loader builds it
# (the build fallback and `mirror build`, default /usr/src/osprey-<version>):
#   OUT/Kbuild      driver/kmod/Kbuild, told that the schema headers are in schema/
#   OUT/Makefile    driver/kmod/Makefile (make KDIR=... works in the tree too)
#   OUT/*.c OUT/*.h the module's sources (not the kmod-*.c userspace tools)
#   OUT/schema/     driver/schema's headers and API_VERSION, SCHEMA_VERSION
# Nothing is built here; the tree is rebuilt from scratch on every run.
#   assemble-source.sh KMOD_SRCDIR SCHEMA_DIR OUT
set -eu
if [ $# -ne 3 ]; then
	echo "usage: $0 KMOD_SRCDIR SCHEMA_DIR OUT" >&2
	exit 2
fi
src=$1 schema=$2 out=$3
for f in "$src/Kbuild" "$src/Makefile" "$schema/osprey_schema.h" "$schema/API_VERSION"; do
	[ -f "$f" ] || { echo "$0: $f is missing: is $src the driver/kmod directory?" >&2; exit 1; }
done
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp/schema"
for f in "$src"/*.c "$src"/*.h; do
	case ${f##*/} in kmod-*.c) continue ;; esac # userspace tools, not part of the module
	cp "$f" "$tmp/"
done
cp "$src/Makefile" "$tmp/Makefile"
cp "$schema"/*.h "$schema/API_VERSION" "$schema/SCHEMA_VERSION" "$tmp/schema/"
# Kbuild uses "OSPREY_SCHEMA_DIR ?= $(src)/../schema": set it first, so the rest is the original.
{
	echo '# SPDX-License-Identifier: GPL-2.0-only'
	echo '# Assembled from driver/kmod/Kbuild by driver-loader/assemble-source.sh:'
	echo '# in this tree the schema headers are in schema/.'
	# shellcheck disable=SC2016 # make syntax, not the shell's
	echo 'OSPREY_SCHEMA_DIR ?= $(src)/schema'
	grep -v '^# SPDX-License-Identifier' "$src/Kbuild"
} >"$tmp/Kbuild"
rm -rf "$out"
mv "$tmp" "$out"
