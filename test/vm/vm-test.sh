#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# vm-test.sh: one VM test from the host side: find the kernel (vm-setup.sh),
# build out-of-tree modules against its headers, build the initramfs
# (mkinitramfs.sh), boot it (run-vm.sh) and pass on the result.
#
#   vm-test.sh --workdir DIR --inside SCRIPT [--kdir DIR] [--timeout SECS]
#              [--build-module SRCDIR]... [--module FILE.ko]... [--bin FILE]...
#              [--require FILE]... [--file FILE]... [--optional-file FILE]...
#
#   --workdir DIR          scratch space (build dir); holds console.log afterwards
#   --inside SCRIPT        runs in the VM as /payload/run-inside.sh (with
#                          lib-inside.sh next to it); its exit status is the result
#   --kdir DIR             kernel headers to use; the VM boots the matching
#                          /boot/vmlinuz (default: newest kernel with headers)
#   --build-module SRCDIR  build the Kbuild module in SRCDIR against the headers
#                          and put its .ko into the VM's /modules
#   --module FILE.ko       a module built elsewhere, into /modules
#   --bin FILE             a program (plus its libraries) into /usr/local/bin
#   --require FILE         a --module/--bin that may not be built yet: if it is
#                          missing, exit 77 naming it (OSPREY_VM_PARTIAL=1: boot
#                          anyway without it, and still exit 77 if all else passed)
#   --file FILE            a data file (rules...) into /payload, beside the script
#   --optional-file FILE   the same if FILE exists (a program keeps its mode); if not, a
#                          note says so and the inside script sees it missing
# Exits 77 (skip) when qemu, the kernel or its headers cannot be had.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
workdir=
inside=
kdir_arg=
timeout_s=240
build_mods=
mods=
bins=
required=
files=
optional_files=

die() {
	echo "vm-test: $*" >&2
	exit 1
}

need_arg() {
	[ "$1" -ge 2 ] || die "'$2' needs an argument (see --help)"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--workdir|--inside|--kdir|--timeout|--build-module|--module|--bin|--require|--file|\
	--optional-file)
		need_arg $# "$1" ;;
	esac
	case "$1" in
	--workdir) workdir=$2; shift 2 ;;
	--inside) inside=$2; shift 2 ;;
	--kdir) kdir_arg=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--build-module) build_mods="$build_mods $2"; shift 2 ;;
	--module) mods="$mods $2"; shift 2 ;;
	--bin) bins="$bins $2"; shift 2 ;;
	--require) required="$required $2"; shift 2 ;;
	--file) [ -f "$2" ] || die "file '$2' does not exist"; files="$files $2"; shift 2 ;;
	--optional-file) optional_files="$optional_files $2"; shift 2 ;;
	-h|--help) sed -n '3,30s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

[ -n "$workdir" ] || die "no --workdir given"
[ -n "$inside" ] || die "no --inside script given"
[ -f "$inside" ] || die "inside script '$inside' does not exist"

# Artifacts built by other parts of the tree: skip, naming them, until they exist.
missing=
for f in $required; do
	[ -e "$f" ] || missing="$missing $f"
done
if [ -n "$missing" ] && [ "${OSPREY_VM_PARTIAL:-0}" != 1 ]; then
	echo "vm-test: SKIP: not built yet:$missing" >&2
	echo "vm-test: (OSPREY_VM_PARTIAL=1 runs the checks that do not need them)" >&2
	exit 77
fi

# Paths the steps below hand to each other must not depend on the cwd.
mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)

setup_rc=0
if [ -n "$kdir_arg" ]; then
	env=$("$here/vm-setup.sh" --kdir "$kdir_arg") || setup_rc=$?
else
	env=$("$here/vm-setup.sh") || setup_rc=$?
fi
[ "$setup_rc" = 0 ] || exit "$setup_rc"
kernel=$(echo "$env" | sed -n 's/^kernel=//p')
kdir=$(echo "$env" | sed -n 's/^kdir=//p')
echo "vm-test: kernel $kernel, headers $kdir"

for src in $build_mods; do
	name=$(basename "$src")
	out=$workdir/module-$name
	rm -rf "$out"
	mkdir -p "$out"
	# Kbuild builds in M=; keep the source tree clean by building a copy.
	cp "$src"/Kbuild "$src"/*.c "$out"/
	for h in "$src"/*.h; do
		[ -e "$h" ] && cp "$h" "$out"/
	done
	if ! make -C "$kdir" M="$out" modules >"$out/build.log" 2>&1; then
		cat "$out/build.log" >&2
		die "building module $src against $kdir failed"
	fi
	# A test module may call a symbol that exists nowhere on purpose (osprey_test_missing_*,
	# test/loader/kmod-badsym): modpost's "undefined!" for it is expected, nothing else is.
	if grep -i 'warning:' "$out/build.log" | grep -q -v '"osprey_test_missing_[a-z_]*" .* undefined!'; then
		grep -i 'warning:' "$out/build.log" >&2
		die "building module $src against $kdir gave warnings"
	fi
	for ko in "$out"/*.ko; do
		[ -e "$ko" ] || die "building $src produced no .ko"
		mods="$mods $ko"
	done
done

set --
for m in $mods; do
	[ -e "$m" ] || continue # a missing --require'd one, OSPREY_VM_PARTIAL=1
	set -- "$@" --module "$m"
done
for b in $bins; do
	[ -e "$b" ] || continue
	set -- "$@" --bin "$b"
done
payload=$workdir/payload
rm -rf "$payload"
mkdir -p "$payload"
cp "$inside" "$payload/run-inside.sh"
cp "$here/lib-inside.sh" "$payload/lib-inside.sh"
for f in $files; do
	cp "$f" "$payload/"
done
for f in $optional_files; do
	if [ -f "$f" ]; then
		cp "$f" "$payload/"
	else
		echo "vm-test: optional file $f is absent: the checks that need it are skipped"
	fi
done
"$here/mkinitramfs.sh" -o "$workdir/initramfs.cpio" --payload "$payload" "$@"

rc=0
"$here/run-vm.sh" --kernel "$kernel" --initrd "$workdir/initramfs.cpio" \
	--log "$workdir/console.log" --timeout "$timeout_s" || rc=$?
echo "vm-test: console log: $workdir/console.log"
if [ "$rc" = 0 ] && [ -n "$missing" ]; then
	echo "vm-test: SKIP: partial run passed, but not built yet:$missing" >&2
	exit 77
fi
exit "$rc"
