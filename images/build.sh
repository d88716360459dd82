#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Builds Osprey's images with one command:
#   localhost/osprey:VERSION                 the runtime (Containerfile.osprey)
#   localhost/osprey-driver-loader:VERSION   the init container (Containerfile.driver-loader)
# Both binaries are linked fully static against musl (images/musl/build-deps.sh builds the
# libraries from Debian's source packages, pinned and cached), so the same files run on Alpine,
# on a scratch base and on this host. Prints each image's size, uncompressed and gzip-compressed.
#   images/build.sh [--base IMAGE] [--build-variant BASE] [--out DIR] [--no-images]
#     --base IMAGE           base of both images (default: docker.io/library/alpine:3.20)
#     --build-variant BASE   also build osprey-driver-loader-build:VERSION on BASE (a Debian
#                            image with gcc, make and the kernel build's tools)
#     --out DIR              work directory (default: build-images); the static binaries are in
#                            DIR/musl/runtime/osprey and DIR/musl/driver-loader/osprey-driver-loader
#     --no-images            build and stage the static binaries only (no buildah)
# Run as root on Debian 12: installs what it needs (the musl toolchain, autotools, cmake, buildah).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
base=docker.io/library/alpine:3.20
build_base=
out=$root/build-images
images=1
while [[ $# -gt 0 ]]; do
	case $1 in
	--base) base=$2; shift 2 ;;
	--build-variant) build_base=$2; shift 2 ;;
	--out) out=$(realpath -m "$2"); shift 2 ;;
	--no-images) images=0; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "build.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done

log() { printf 'images/build.sh: %s\n' "$*" >&2; }

need=(musl-tools dpkg-dev cmake autoconf automake libtool autopoint pkg-config make
	ca-certificates meson ninja-build clang llvm bpftool file)
((images)) && need+=(buildah)
missing=()
for p in "${need[@]}"; do
	[[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]})); then
	log "installing ${missing[*]}"
	apt-get update -q >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

cache=${OSPREY_MUSL_CACHE:-/var/cache/osprey-musl}
"$root/images/musl/build-deps.sh" "$cache"

version=$(sed -n "s/^\s*version: '\([^']*\)'.*/\1/p" "$root/meson.build" | head -n 1)
revision=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# The static build: musl-gcc, the cached prefix only (no host library can slip in).
musl=$out/musl
export CC=musl-gcc
export PKG_CONFIG_LIBDIR=$cache/prefix/lib/pkgconfig
export PKG_CONFIG_PATH=
kinc=$cache/kernel-include
opts=(--prefix=/usr --sysconfdir=/etc -Dbuildtype=release -Ddefault_library=static
	-Dprefer_static=true -Dkdir= "-Dc_args=-I$cache/prefix/include -I$kinc"
	"-Dc_link_args=-static -L$cache/prefix/lib")
if [[ -f $musl/build.ninja ]]; then
	meson setup --reconfigure "$musl" "$root" "${opts[@]}" >&2
else
	meson setup "$musl" "$root" "${opts[@]}" >&2
fi
meson compile -C "$musl" runtime/osprey driver-loader/osprey-driver-loader >&2
for b in runtime/osprey driver-loader/osprey-driver-loader; do
	if ! file "$musl/$b" | grep -qE 'statically linked|static-pie linked'; then
		log "$musl/$b is not statically linked: $(file -b "$musl/$b")"
		exit 1
	fi
	"$musl/$b" --version >/dev/null || { log "$musl/$b does not run"; exit 1; }
done
log "static binaries: $(du -h "$musl/runtime/osprey" | cut -f1) osprey, $(du -h "$musl/driver-loader/osprey-driver-loader" | cut -f1) osprey-driver-loader"

# stage_common DIR: CA certificates and licences (ours and each linked library's).
stage_common() {
	local dir=$1 f
	install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/ca-certificates.crt"
	install -D -m 0644 /usr/share/common-licenses/Apache-2.0 "$dir/usr/share/licenses/osprey/Apache-2.0"
	install -D -m 0644 /usr/share/common-licenses/GPL-2 "$dir/usr/share/licenses/osprey/GPL-2.0"
	for f in "$cache"/src/*/debian/copyright; do
		install -D -m 0644 "$f" "$dir/usr/share/licenses/$(basename "$(dirname "$(dirname "$f")")")/copyright"
	done
	install -d -m 1777 "$dir/tmp"
}

ctx=$out/context
rm -rf "$ctx"
mkdir -p "$ctx"
cp "$root"/images/Containerfile.* "$ctx/"
# Runtime: the default rules in /etc/osprey/rules.d/, which the image's osprey.yaml loads.
r=$ctx/rootfs-osprey
install -D -m 0755 "$musl/runtime/osprey" "$r/usr/bin/osprey"
install -D -m 0644 "$root/rules/osprey_rules.yaml" "$r/etc/osprey/rules.d/osprey_rules.yaml"
sed 's|^\(\s*-\s*\)/etc/osprey/osprey_rules.yaml\s*$|\1/etc/osprey/rules.d|' \
	"$musl/runtime/osprey.yaml" >"$r/etc/osprey/osprey.yaml"
grep -q '^\s*- /etc/osprey/rules.d$' "$r/etc/osprey/osprey.yaml" ||
	{ log "the installed osprey.yaml no longer names /etc/osprey/osprey_rules.yaml: update build.sh"; exit 1; }
install -d "$r/var/run/osprey" "$r/host"
stage_common "$r"
# Loader.
l=$ctx/rootfs-loader
install -D -m 0755 "$musl/driver-loader/osprey-driver-loader" "$l/usr/bin/osprey-driver-loader"
install -d "$l/var/run/osprey" "$l/host" "$l/root/.osprey"
stage_common "$l"

if ((!images)); then
	log "staged in $ctx (--no-images: no image built)"
	exit 0
fi

# image NAME CONTAINERFILE BASE: builds localhost/NAME:VERSION and prints its sizes.
image() {
	local name=$1 file=$2 from=$3 ref=localhost/$1:$version
	buildah build --layers=false --pull=never -f "$ctx/$file" -t "$ref" \
		--build-arg "BASE=$from" --build-arg "VERSION=$version" \
		--build-arg "REVISION=$revision" --build-arg "CREATED=$created" "$ctx" >&2
	local size gz
	size=$(buildah inspect --type image --format '{{.FromImageID}}' "$ref" >/dev/null 2>&1; \
		podman image inspect --format '{{.Size}}' "$ref" 2>/dev/null || echo 0)
	gz=$(podman save --format docker-archive "$ref" 2>/dev/null | gzip -9 | wc -c)
	printf '%-42s %8.1f MB uncompressed, %6.1f MB gzip-compressed (base %s)\n' "$ref" \
		"$(bc -l <<<"$size/1000000")" "$(bc -l <<<"$gz/1000000")" "$from"
}
if [[ $base == docker.io/* ]] && ! podman image exists "$base"; then
	log "the base $base is not in local storage and no registry can be pulled here: build it or"
	log "load it (podman load), or pass --base with a local image (see images/testbase.sh)"
	exit 1
fi
image osprey Containerfile.osprey "$base"
image osprey-driver-loader Containerfile.driver-loader "$base"
if [[ -n $build_base ]]; then
	s=$ctx/rootfs-source
	meson compile -C "$musl" osprey-source-tree >&2
	mkdir -p "$s/usr/src"
	cp -a "$musl/driver/kmod/osprey-$version" "$s/usr/src/"
	image osprey-driver-loader-build Containerfile.driver-loader-build "$build_base"
fi
