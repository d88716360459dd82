#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Makes a small base image from local files, for building and testing the images where no
# registry can be reached: busybox (Debian's busybox-static) as the userland, as on Alpine,
# /etc/passwd, /etc/group and /etc/shadow with root and nobody, a sticky /tmp. Imported with podman.
#   images/testbase.sh [REF]      (default: localhost/osprey-testbase:1)
set -euo pipefail
ref=${1:-localhost/osprey-testbase:1}
if podman image exists "$ref"; then
	echo "$ref"
	exit 0
fi
bb=/bin/busybox
[[ -x $bb ]] || bb=/usr/bin/busybox
if [[ ! -x $bb ]] || ! file -b "$bb" | grep -q 'statically linked'; then
	echo "testbase.sh: a static busybox is needed (apt-get install busybox-static)" >&2
	exit 1
fi
r=$(mktemp -d)
trap 'rm -rf "$r"' EXIT
mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/root" "$r/proc" "$r/sys" "$r/dev"
chmod 1777 "$r/tmp"
cp "$bb" "$r/bin/busybox"
for c in $("$bb" --list); do
	[[ $c == busybox ]] || ln -s busybox "$r/bin/$c"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
printf 'root:*:19000:0:::::\nnobody:!:19000::::::\n' >"$r/etc/shadow"
chmod 0640 "$r/etc/shadow"
tar -C "$r" -c . | podman import --change 'CMD ["/bin/sh"]' - "$ref" >/dev/null
echo "$ref"
