#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# vm-setup.sh: make sure what the VM tests need is on this machine, and say
# where it is.
#
#   vm-setup.sh [--kdir DIR] [--no-install]
#
# Needs qemu-system-x86_64, busybox (static), cpio, a Debian kernel image
# /boot/vmlinuz-VER and its headers /usr/src/linux-headers-VER. What is
# missing is installed with apt-get when running as root (unless --no-install
# or OSPREY_VM_NO_INSTALL=1). With --kdir, the kernel must be the one those
# headers belong to (the kernel a module built against them loads into).
# Otherwise the newest kernel with headers wins.
#
# On success prints shell assignments, one a line:
#   kernel=/boot/vmlinuz-VER
#   kdir=/usr/src/linux-headers-VER
#   kver=VER
# Exits 77 (skip) with a message on stderr if something cannot be had.
set -eu

arg_kdir=
arg_install=1
[ "${OSPREY_VM_NO_INSTALL:-0}" = 1 ] && arg_install=0

while [ $# -gt 0 ]; do
	case "$1" in
	--kdir) [ $# -ge 2 ] || { echo "vm-setup: --kdir needs a directory" >&2; exit 2; }
		arg_kdir=$2; shift 2 ;;
	--kdir=*) arg_kdir=${1#--kdir=}; shift ;;
	--no-install) arg_install=0; shift ;;
	-h|--help) sed -n '3,21s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "vm-setup: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

skip() {
	echo "vm-setup: SKIP: $*" >&2
	exit 77
}

# The packages to ask for, given what is missing.
missing_pkgs() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 || echo qemu-system-x86
	[ -x /bin/busybox ] && file_is_static /bin/busybox || echo busybox-static
	command -v cpio >/dev/null 2>&1 || echo cpio
	command -v make >/dev/null 2>&1 || echo make
	if [ -n "$arg_kdir" ]; then
		[ -d "$arg_kdir" ] || echo "linux-headers-$(kdir_version "$arg_kdir")"
		[ -r "/boot/vmlinuz-$(kdir_version "$arg_kdir")" ] ||
			echo "linux-image-$(kdir_version "$arg_kdir")"
	else
		[ -n "$(pick_kernel)" ] || echo linux-image-amd64 linux-headers-amd64
	fi
}

# busybox-static's /bin/busybox has no program interpreter.
file_is_static() {
	! LC_ALL=C ldd "$1" >/dev/null 2>&1
}

kdir_version() {
	basename "$1" | sed 's/^linux-headers-//'
}

# Newest VER with both /boot/vmlinuz-VER and /usr/src/linux-headers-VER.
pick_kernel() {
	for img in $(printf '%s\n' /boot/vmlinuz-* | sort -V -r); do
		ver=${img#/boot/vmlinuz-}
		if [ -r "$img" ] && [ -f "/usr/src/linux-headers-$ver/Makefile" ]; then
			echo "$ver"
			return 0
		fi
	done
	return 0
}

need=$(missing_pkgs | tr '\n' ' ' | sed 's/ *$//')
if [ -n "$need" ]; then
	if [ "$arg_install" != 1 ]; then
		skip "missing packages: $need (install them: apt-get install $need)"
	fi
	if [ "$(id -u)" != 0 ]; then
		skip "missing packages: $need (run as root, or: sudo apt-get install $need)"
	fi
	echo "vm-setup: installing $need" >&2
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			-o DPkg::Lock::Timeout=300 $need >/dev/null 2>&1; then
		skip "cannot install $need with apt-get (no archive access?); install them by hand"
	fi
	need=$(missing_pkgs | tr '\n' ' ' | sed 's/ *$//')
	[ -z "$need" ] || skip "still missing after apt-get install: $need"
fi

if [ -n "$arg_kdir" ]; then
	[ -f "$arg_kdir/Makefile" ] ||
		skip "'$arg_kdir' is not a kernel headers directory (no Makefile); use -Dkdir=/usr/src/linux-headers-VER"
	kver=$(kdir_version "$arg_kdir")
	kdir=$arg_kdir
	[ -r "/boot/vmlinuz-$kver" ] ||
		skip "no kernel image /boot/vmlinuz-$kver for headers '$arg_kdir' (apt-get install linux-image-$kver)"
else
	kver=$(pick_kernel)
	[ -n "$kver" ] || skip "no /boot/vmlinuz-VER with matching /usr/src/linux-headers-VER"
	kdir=/usr/src/linux-headers-$kver
fi

echo "kernel=/boot/vmlinuz-$kver"
echo "kdir=$kdir"
echo "kver=$kver"
