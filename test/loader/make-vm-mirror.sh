#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds the air-gapped mirror the VM test (vm-loader-inside.sh) installs the
# real kernel module from: `osprey-driver-loader mirror build` of the module's
# assembled source tree (driver-loader/assemble-source.sh) against KDIR, for
# target "vmtest", signed with a key made here. OUT is a tar of the mirror plus
# its public key (mirror.pub), handed into the VM as /modules/<OUT's name>.
#   make-vm-mirror.sh LOADER SOURCE_TREE KDIR OUT.tar WORKDIR
set -eu
if [ $# -ne 5 ]; then
	echo "usage: $0 LOADER SOURCE_TREE KDIR OUT.tar WORKDIR" >&2
	exit 2
fi
loader=$1 src=$2 kdir=$3 out=$4 work=$5
release=$(basename "$kdir")
release=${release#linux-headers-}
rm -rf "$work"
mkdir -p "$work"
"$loader" keygen "$work/k.pem" "$work/k.pub" >/dev/null
# The VM's `uname -v` starts with "#1": kernel version 1; no os-release there, so no fix-up.
"$loader" mirror build --out "$work/mirror" --private-key "$work/k.pem" --target vmtest \
	--arch x86_64 --driver-source "$src" --work-dir "$work/build" "$kdir:$release:1"
cp "$work/k.pub" "$work/mirror/mirror.pub"
tar -C "$work/mirror" -cf "$out.tmp" .
mv "$out.tmp" "$out"
