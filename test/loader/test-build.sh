#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2015 # "check && ok || fail": ok only echoes
# A real mirror built by the tool: `mirror build` compiles the test module
# against Debian's linux-headers-amd64 and signs the index; it is served on
# loopback, fetched and verified, and the module's vermagic checked. Then the
# build fallback (missing headers, a compile error, a timeout, success),
# `mirror sync`, and `kmod` refusing on a kernel without module support.
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

if [ ! -e /proc/modules ]; then
	expect 5 "kmod on a kernel without module support" -- "$LOADER" kmod "${TARGET_ARGS[@]}" \
		--cache-dir "$T/cache" --choice-file "$T/driver"
	has "kernel has no loadable module support"
	[ ! -e "$T/driver" ] && ok "no choice written" || fail "choice written after a refusal"
fi
finish test-build
