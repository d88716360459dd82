#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# osprey-driver-loader-build, run for real: the build fallback inside the image against the
# Debian kernel headers this host has (/usr/src/linux-headers-*-amd64), mounted under /host as
# the chart mounts them, read-only, with a writable work directory. This host's kernel has no
# loadable module support and is not Debian's, so the test runs `osprey-driver-loader build`
# with --kernel-release/--headers for the Debian headers' release, then checks the .ko's vermagic.
#   loader-build-test.sh VERSION
# Skips (77) without root, podman, the headers or the image (the skip names the commands).
set -euo pipefail

version=$1
ref=localhost/osprey-driver-loader-build:$version
skip() { echo "SKIP: $*"; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "needs root"
command -v podman >/dev/null || skip "podman is not installed"
command -v modinfo >/dev/null || skip "modinfo is not installed (apt-get install kmod)"
hdrs=
for d in /usr/src/linux-headers-*-amd64; do
	[[ -f $d/Makefile && -f $d/include/generated/utsrelease.h ]] && hdrs=$d
done
[[ -n $hdrs ]] || skip "no Debian kernel headers (apt-get install linux-headers-amd64)"
# The release the kernel reports (uname -r), which vermagic carries: 6.1.0-57-amd64, not the
# upstream 6.1.192 of include/config/kernel.release.
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$hdrs/include/generated/utsrelease.h")
[[ -n $release ]] || skip "$hdrs/include/generated/utsrelease.h names no UTS_RELEASE"
podman image exists "$ref" ||
	skip "image $ref is not built (images/build.sh --base \$(images/testbase.sh) --build-variant \$(images/debian-base.sh))"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# This host's cgroups are hybrid: crun refuses them, runc works; root lacks CAP_SYS_RESOURCE,
# so podman must not set rlimits. A containers.conf of the test's own says so.
cat >"$work/containers.conf" <<'CONF'
[engine]
runtime = "runc"
[containers]
default_ulimits = []
CONF
export CONTAINERS_CONF=$work/containers.conf
mkdir -p "$work/out"

# Debian's headers: HDRS/scripts and HDRS/tools are relative symlinks to
# /usr/lib/linux-kbuild-<series>, which is mounted under /host too, and HDRS/Makefile includes
# /usr/src/linux-headers-<abi>-common/Makefile by its absolute path, so that directory is also
# mounted at its own path (its own scripts/ symlink resolves to the image's linux-kbuild).
mounts=(-v /usr/src:/host/usr/src:ro -v /lib/modules:/host/lib/modules:ro
	-v /etc:/host/etc:ro -v /proc:/host/proc:ro -v "$work/out:/work")
common=$(sed -n 's|^include \(/usr/src/[^ ]*\)/Makefile$|\1|p' "$hdrs/Makefile")
[[ -z $common ]] || mounts+=(-v "$common:$common:ro")
for l in "$hdrs"/scripts "$hdrs"/tools; do
	[[ -L $l ]] || continue
	kb=$(dirname "$(realpath "$l")")
	mounts+=(-v "$kb:/host$kb:ro")
	break
done

start=$(date +%s.%N)
set +e
podman run --rm --network none "${mounts[@]}" "$ref" build \
	--host-root /host --kernel-release "$release" --headers "/host$hdrs" \
	--no-download --work-dir /work/build --cache-dir /work/cache --log-level info \
	>"$work/stdout" 2>"$work/stderr"
rc=$?
set -e
end=$(date +%s.%N)
cat "$work/stderr"
if ((rc != 0)); then
	echo "FAIL: osprey-driver-loader build exited $rc"
	exit 1
fi
ko=$(tail -n 1 "$work/stdout")
[[ $ko == /work/* ]] || { echo "FAIL: build printed '$ko', not a path under /work"; exit 1; }
host_ko=$work/out/${ko#/work/}
[[ -s $host_ko ]] || { echo "FAIL: $host_ko (built as $ko) is missing"; exit 1; }
vermagic=$(modinfo -F vermagic "$host_ko")
case $vermagic in
"$release "*) ;;
*) echo "FAIL: vermagic '$vermagic' does not start with '$release '"; exit 1 ;;
esac
echo "built $(basename "$host_ko") ($(du -h "$host_ko" | cut -f1)) for $release in" \
	"$(printf '%.1f' "$(bc -l <<<"$end - $start")") s: vermagic '$vermagic'"
