#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2015 # "check && ok || fail": ok only echoes
# A real mirror built by the tool: `mirror build` compiles the test module
# against Debian's linux-headers-amd64 and signs the index; it is served on
# loopback, fetched and verified, and the module's vermagic checked. Then the
# build fallback (missing headers, a compile error, a timeout, success),
# `mirror sync`, the real osprey module from the shipped source tree (build and
# mirror build), and `kmod` refusing on a kernel without module support.
# shellcheck source=test/loader/lib.sh disable=SC2154 # PORT_* are set by start_server
. "$SRCDIR/lib.sh"
HDRS=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n1)
[ -n "$HDRS" ] && [ -f "$HDRS/Makefile" ] || { echo "SKIP: no Debian linux-headers-*-amd64 (apt-get install linux-headers-amd64)"; exit 77; }
command -v make >/dev/null && command -v gcc >/dev/null || { echo "SKIP: make/gcc missing"; exit 77; }
REL=$(basename "$HDRS" | sed 's/^linux-headers-//')
DEBVER=$(dpkg-query -W -f='${Version}' "linux-headers-$REL" 2>/dev/null | sed 's/[^0-9.-].*//')
[ -n "$DEBVER" ] || DEBVER=${REL%-amd64}
FIXED_REL="$DEBVER-amd64"            # what the Debian fix-up derives from `uname -v`
UNAME_V="#1 SMP PREEMPT_DYNAMIC Debian $DEBVER (2025-01-01)"
V=0.1.0
A=x86_64
NAME="osprey_debian_${FIXED_REL}_1.ko"
HOST=$T/host; mkdir -p "$HOST/etc"; echo 'ID=debian' >"$HOST/etc/os-release"
TARGET_ARGS=(--host-root "$HOST" --arch "$A" --kernel-release "$REL" --kernel-version "$UNAME_V")
"$LOADER" keygen "$T/k.pem" "$T/k.pub" >/dev/null 2>&1

expect 0 "mirror build against $HDRS" -- "$LOADER" mirror build --out "$T/mirror" --private-key "$T/k.pem" \
	--target debian --arch "$A" --driver-source "$SRCDIR/kmod-src" --work-dir "$T/work" "$HDRS:$FIXED_REL:1"
has "Built $T/mirror/$V/$A/$NAME"
[ -f "$T/mirror/$V/$A/index.json.sig" ] && ok "index is signed" || fail "no index.json.sig"
grep -q "\"name\": \"$NAME\"" "$T/mirror/$V/$A/index.json" && ok "index lists the module" || fail "index lacks $NAME"

start_server "$T/mirror" http
H=http://127.0.0.1:$PORT_http/good
expect 0 "fetch the built module from the served mirror" -- "$LOADER" fetch "${TARGET_ARGS[@]}" \
	--public-key "$T/k.pub" --cache-dir "$T/cache" --repo "$H"
KO=$T/cache/$V/$A/$NAME
cmp -s "$KO" "$T/mirror/$V/$A/$NAME" && ok "fetched module is the built one" || fail "fetched module differs"
expect 0 "vermagic of the built module" -- "$KMOD_TEST" "$KO" "$REL"
has "vermagic: $REL "

expect 0 "mirror sync of selected targets" -- "$LOADER" mirror sync --from "$H" --out "$T/synced" \
	--public-key "$T/k.pub" --arch "$A" --select 'osprey_debian_*'
cmp -s "$T/synced/$V/$A/index.json" "$T/mirror/$V/$A/index.json" && ok "synced index is byte-identical" || fail "synced index differs"
expect 0 "fetch from the synced mirror verifies" -- "$LOADER" fetch "${TARGET_ARGS[@]}" \
	--public-key "$T/k.pub" --cache-dir "$T/cache2" --repo "file://$T/synced"
expect 0 "mirror sync with a non-matching selection copies nothing" -- "$LOADER" mirror sync --from "$H" \
	--out "$T/synced2" --public-key "$T/k.pub" --arch "$A" --select 'osprey_ubuntu-*'
has "Synced 0 artifacts"

# Build fallback.
B=(build "${TARGET_ARGS[@]}" --cache-dir "$T/bcache" --work-dir "$T/work")
expect 6 "build without headers" -- "$LOADER" build --host-root "$HOST" --kernel-release 6.1.0-99-amd64 \
	--kernel-version "$UNAME_V" --cache-dir "$T/bcache" --work-dir "$T/work" --driver-source "$SRCDIR/kmod-src"
has "no kernel headers for 6.1.0-99-amd64 (tried $HOST/lib/modules/6.1.0-99-amd64/build"
expect 6 "build with --headers pointing nowhere" -- "$LOADER" "${B[@]}" --driver-source "$SRCDIR/kmod-src" --headers "$T/none"
has "no kernel headers at"
mkdir -p "$T/broken"; cp "$SRCDIR/kmod-src/"* "$T/broken/"; echo 'this is not C;' >>"$T/broken/osprey.c"
expect 6 "build of a broken source" -- "$LOADER" "${B[@]}" --driver-source "$T/broken" --headers "$HDRS"
has "Last lines of"; has "Build failed:"; has "error:"
mkdir -p "$T/slow"; cp "$SRCDIR/kmod-src/"* "$T/slow/"; echo '$(shell sleep 20)' >>"$T/slow/Kbuild"
start=$(date +%s)
expect 6 "build time limit" -- "$LOADER" "${B[@]}" --driver-source "$T/slow" --headers "$HDRS" --build-timeout 2
has "did not finish within 2 s"
[ $(( $(date +%s) - start )) -lt 15 ] && ok "time limit enforced" || fail "time limit not enforced"
before=$(ls "$T/work" | wc -l)
expect 0 "build against Debian's headers" -- "$LOADER" "${B[@]}" --driver-source "$SRCDIR/kmod-src" --headers "$HDRS"
has "$T/bcache/$V/$A/$NAME"
[ "$(ls "$T/work" | wc -l)" = "$before" ] && ok "build directory removed after success" || fail "build directory left behind"
tar -C "$SRCDIR/kmod-src" -czf "$T/src.tar.gz" .
expect 0 "build from a source archive" -- "$LOADER" "${B[@]}" --driver-source "$T/src.tar.gz" --headers "$HDRS"

# The real kernel module, from the source tree the loader image ships (/usr/src/osprey-<version>,
# assembled by driver-loader/assemble-source.sh): `build` and `mirror build` against Debian's headers.
if [ -n "${KMOD_SOURCE_TREE:-}" ]; then
	[ -f "$KMOD_SOURCE_TREE/Kbuild" ] && [ -f "$KMOD_SOURCE_TREE/schema/osprey_schema.h" ] &&
		ok "real source tree has Kbuild and schema/" || fail "real source tree incomplete: $KMOD_SOURCE_TREE"
	API=$(cat "$SCHEMA_DIR/API_VERSION")
	check_real() { # check_real KO WHAT
		[ "$(modinfo -F name "$1")" = osprey ] && ok "$2: module name osprey" || fail "$2: name $(modinfo -F name "$1")"
		case "$(modinfo -F vermagic "$1")" in
		"$REL "*) ok "$2: vermagic $REL" ;;
		*) fail "$2: vermagic '$(modinfo -F vermagic "$1")' is not for $REL" ;;
		esac
		[ "$(modinfo -F api_version "$1")" = "$API" ] && ok "$2: api_version $API" || fail "$2: api_version '$(modinfo -F api_version "$1")' != $API"
		[ "$(modinfo -F version "$1")" = "$V" ] && ok "$2: version $V" || fail "$2: version '$(modinfo -F version "$1")' != $V"
		modinfo -F parm "$1" | grep -q '^buffer_bytes_per_cpu:' && ok "$2: has the real module's parameters" || fail "$2: no buffer_bytes_per_cpu parameter"
	}
	expect 0 "build of the real module from $KMOD_SOURCE_TREE" -- "$LOADER" build "${TARGET_ARGS[@]}" \
		--cache-dir "$T/rcache" --work-dir "$T/rwork" --driver-source "$KMOD_SOURCE_TREE" --headers "$HDRS"
	has "$T/rcache/$V/$A/$NAME"
	check_real "$T/rcache/$V/$A/$NAME" "built real module"
	expect 0 "vermagic of the real module (libkmod)" -- "$KMOD_TEST" "$T/rcache/$V/$A/$NAME" "$REL"
	[ -z "$(find "$KMOD_SOURCE_TREE" -name '*.o' -o -name '*.ko' | head -n1)" ] &&
		ok "the shipped source tree stays clean (the loader builds a copy)" || fail "objects in $KMOD_SOURCE_TREE"
	tar -C "$KMOD_SOURCE_TREE" -cJf "$T/real-src.tar.xz" .
	expect 0 "build of the real module from a .tar.xz of the tree" -- "$LOADER" build "${TARGET_ARGS[@]}" \
		--cache-dir "$T/rcache2" --work-dir "$T/rwork" --driver-source "$T/real-src.tar.xz" --headers "$HDRS"
	check_real "$T/rcache2/$V/$A/$NAME" "real module from the archive"

	expect 0 "mirror build of the real module" -- "$LOADER" mirror build --out "$T/rmirror" \
		--private-key "$T/k.pem" --target debian --arch "$A" --driver-source "$KMOD_SOURCE_TREE" \
		--work-dir "$T/rwork" "$HDRS:$FIXED_REL:1"
	has "Built $T/rmirror/$V/$A/$NAME"
	[ -f "$T/rmirror/$V/$A/index.json.sig" ] && ok "real mirror index is signed" || fail "no index.json.sig in the real mirror"
	check_real "$T/rmirror/$V/$A/$NAME" "mirror's real module"
	expect 0 "fetch and verify the real module from the mirror" -- "$LOADER" fetch "${TARGET_ARGS[@]}" \
		--public-key "$T/k.pub" --cache-dir "$T/rcache3" --repo "file://$T/rmirror"
	cmp -s "$T/rcache3/$V/$A/$NAME" "$T/rmirror/$V/$A/$NAME" && ok "fetched real module is the mirror's" || fail "fetched real module differs"
else
	echo "note: KMOD_SOURCE_TREE not set (run through meson test): real module cases not run"
fi

if [ ! -e /proc/modules ]; then
	expect 5 "kmod on a kernel without module support" -- "$LOADER" kmod "${TARGET_ARGS[@]}" \
		--cache-dir "$T/cache" --choice-file "$T/driver"
	has "kernel has no loadable module support"
	[ ! -e "$T/driver" ] && ok "no choice written" || fail "choice written after a refusal"
fi
finish test-build
