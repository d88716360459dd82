#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Makes the Debian 12 base of osprey-driver-loader-build from Debian's archive with debootstrap
# (no registry needed): minbase plus what Kbuild needs to build an out-of-tree module against
# Debian's linux-headers-*-amd64 (gcc = gcc-12, the kernel's compiler; make; libc6-dev; libelf-dev;
# linux-kbuild-6.1, which the headers' scripts/ and tools/ symlinks point at; kmod for modinfo).
# apt's caches and lists, manuals, translations and docs (not the copyright files) are removed. The rootfs is cached as a tarball, then imported with podman.
#   images/debian-base.sh [REF]   (default: localhost/osprey-debian-build-base:12)
# Cache: ${OSPREY_DEBIAN_BASE_CACHE:-/var/cache/osprey-debian-base}/bookworm-build.tar.
# Mirror: the first URIs of /etc/apt/sources.list.d/debian.sources (or OSPREY_DEBIAN_MIRROR).
# Run as root on Debian 12; installs debootstrap if missing. Prints the image reference.
set -euo pipefail
ref=${1:-localhost/osprey-debian-build-base:12}
cache=${OSPREY_DEBIAN_BASE_CACHE:-/var/cache/osprey-debian-base}
tarball=$cache/bookworm-build.tar
pkgs=gcc,make,libc6-dev,libelf-dev,bc,flex,bison,kmod,ca-certificates,linux-kbuild-6.1
log() { printf 'debian-base.sh: %s\n' "$*" >&2; }

if podman image exists "$ref"; then
	echo "$ref"
	exit 0
fi
[[ $(id -u) -eq 0 ]] || { log "needs root (debootstrap and podman import)"; exit 1; }
if [[ ! -s $tarball ]]; then
	mirror=${OSPREY_DEBIAN_MIRROR:-}
	if [[ -z $mirror && -r /etc/apt/sources.list.d/debian.sources ]]; then
		mirror=$(sed -n 's/^URIs:\s*\(\S*\).*/\1/p' /etc/apt/sources.list.d/debian.sources | head -n 1)
	fi
	[[ -n $mirror ]] || { log "no Debian mirror found: set OSPREY_DEBIAN_MIRROR=URL"; exit 1; }
	if ! command -v debootstrap >/dev/null; then
		log "installing debootstrap"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2
	fi
	mkdir -p "$cache"
	r=$(mktemp -d "$cache/rootfs.XXXXXX")
	trap 'rm -rf "$r"' EXIT
	log "debootstrap bookworm from $mirror (minbase + $pkgs)"
	debootstrap --variant=minbase --include="$pkgs" bookworm "$r" "$mirror" >&2
	# Honest minimum: no package caches, lists or logs in the image.
	rm -rf "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb \
		"$r"/var/lib/apt/lists/* "$r"/var/log/* "$r"/var/cache/debconf/*-old \
		"$r"/tmp/* "$r"/root/.cache
	# As Debian's slim images do: no manuals, translations or docs but the copyright files
	# (the licences stay), now or for packages installed later.
	cat >"$r/etc/dpkg/dpkg.cfg.d/osprey-slim" <<-'CFG'
	path-exclude /usr/share/doc/*
	path-include /usr/share/doc/*/copyright
	path-exclude /usr/share/man/*
	path-exclude /usr/share/info/*
	path-exclude /usr/share/locale/*
	path-include /usr/share/locale/locale.alias
	CFG
	find "$r/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
	find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
	rm -rf "$r"/usr/share/man/* "$r"/usr/share/info/*
	find "$r/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
	tar -C "$r" --numeric-owner -cf "$tarball.tmp" .
	mv "$tarball.tmp" "$tarball"
	log "cached $tarball ($(du -h "$tarball" | cut -f1))"
fi
podman import --change 'CMD ["/bin/bash"]' "$tarball" "$ref" >/dev/null
echo "$ref"
