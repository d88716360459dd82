#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# mkinitramfs.sh: build the initramfs the VM tests boot.
#
#   mkinitramfs.sh -o OUT.cpio --payload DIR [--bin FILE]... [--module FILE.ko]...
#
# The archive (uncompressed newc cpio, owned by root) holds:
#   /init                    test/vm/init (mounts, runs /payload/run-inside.sh, powers off)
#   /bin/busybox + applets   from the host's busybox-static, as symlinks in /bin
#   /usr/local/bin/NAME      each --bin FILE, with every shared library it needs
#                            (ldd) at its host path, and the ELF interpreter
#   /modules/NAME.ko         each --module FILE
#   /payload/...             a copy of DIR; DIR/run-inside.sh is what runs
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=
payload=
bins=
modules=

die() {
	echo "mkinitramfs: $*" >&2
	exit 1
}

need_arg() {
	[ "$1" -ge 2 ] || die "'$2' needs an argument (see --help)"
}

while [ $# -gt 0 ]; do
	case "$1" in
	-o|--output|--payload|--bin|--module) need_arg $# "$1" ;;
	esac
	case "$1" in
	-o|--output) out=$2; shift 2 ;;
	--payload) payload=$2; shift 2 ;;
	--bin) [ -f "$2" ] || die "binary '$2' does not exist"; bins="$bins $2"; shift 2 ;;
	--module) [ -f "$2" ] || die "module '$2' does not exist"; modules="$modules $2"; shift 2 ;;
	-h|--help) sed -n '3,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

[ -n "$out" ] || die "no output file given (-o OUT.cpio)"
[ -n "$payload" ] || die "no payload directory given (--payload DIR)"
[ -f "$payload/run-inside.sh" ] || die "payload '$payload' has no run-inside.sh"
[ -x /bin/busybox ] || die "/bin/busybox is missing (apt-get install busybox-static)"
if LC_ALL=C ldd /bin/busybox >/dev/null 2>&1; then
	die "/bin/busybox is dynamically linked; install busybox-static"
fi
command -v cpio >/dev/null 2>&1 || die "cpio is missing (apt-get install cpio)"

root=$(mktemp -d "${TMPDIR:-/tmp}/osprey-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT INT TERM

mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/usr/local/bin" \
	"$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/run" "$root/root" \
	"$root/etc" "$root/modules" "$root/payload" "$root/var/log"
cp "$here/init" "$root/init"
chmod 0755 "$root/init"
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
# Enough of a user database for su/setpriv and for ls -l to print names.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# Copy FILE to the same absolute path in the archive, following symlinks.
copy_abs() {
	[ -e "$root$1" ] && return 0
	mkdir -p "$root$(dirname "$1")"
	cp -L "$1" "$root$1"
}

for bin in $bins; do
	cp -L "$bin" "$root/usr/local/bin/$(basename "$bin")"
	chmod 0755 "$root/usr/local/bin/$(basename "$bin")"
	# ldd lines: "libx.so => /path/libx.so (0x...)", "/lib64/ld-linux-x86-64.so.2 (0x...)",
	# "linux-vdso.so.1 (0x...)" (in the kernel, nothing to copy), "not found" (an error).
	if ! deps=$(LC_ALL=C ldd "$bin" 2>&1); then
		case "$deps" in
		*"not a dynamic executable"*|*"statically linked"*) continue ;;
		*) die "ldd '$bin' failed: $deps" ;;
		esac
	fi
	if echo "$deps" | grep -q 'not found'; then
		die "'$bin' needs libraries ldd cannot find: $(echo "$deps" | grep 'not found' | tr -s ' \t' ' ')"
	fi
	for lib in $(echo "$deps" | sed -n -e 's/.*=> \(\/[^ ]*\) (0x.*/\1/p' \
			-e 's/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p'); do
		copy_abs "$lib"
	done
done

for mod in $modules; do
	cp "$mod" "$root/modules/$(basename "$mod")"
done

cp -R "$payload/." "$root/payload/"
chmod 0755 "$root/payload/run-inside.sh"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
