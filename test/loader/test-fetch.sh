#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2015 # "check && ok || fail": ok only echoes
# `fetch` against mirrors made here with `keygen` and `sign`, over file://,
# http:// and https:// (CA and certificates made here) from loopback servers:
# cache hit, download+verify, 404 fall-through, timeout, wrong CA, tampered,
# bad signature, truncated, unlisted, oversized, retries; nothing unverified
# may remain in the cache.
# shellcheck source=test/loader/lib.sh disable=SC2154 # PORT_* are set by start_server
. "$SRCDIR/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: openssl missing"; exit 77; }

V=0.1.0
A=x86_64
NAME=osprey_debian_6.1.55-1-amd64_1.ko
HOST=$T/host
mkdir -p "$HOST/etc"
echo 'ID=debian' >"$HOST/etc/os-release"
TARGET_ARGS=(--host-root "$HOST" --arch "$A" --kernel-release 6.1.0-13-amd64
	--kernel-version "#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)")

"$LOADER" keygen "$T/k.pem" "$T/k.pub" >/dev/null 2>&1 || { echo "keygen failed"; exit 1; }
"$LOADER" keygen "$T/other.pem" "$T/other.pub" >/dev/null 2>&1
expect 1 "keygen refuses to overwrite" -- "$LOADER" keygen "$T/k.pem" "$T/k.pub"
has "refusing to overwrite"

W=$T/www
mkrepo() { mkdir -p "$W/$1/$V/$A"; echo "$W/$1/$V/$A"; }
sign() { "$LOADER" sign --private-key "${2:-$T/k.pem}" "$1" >/dev/null 2>&1 || fail "sign $1"; }

# good: a signed index listing the artifact.
D=$(mkrepo good); head -c 300000 /dev/urandom >"$D/$NAME"; sign "$D"
SHA=$(sha256sum "$D/$NAME" | cut -d' ' -f1)
# tampered: same index, one byte changed after signing.
D=$(mkrepo tampered); cp "$W/good/$V/$A/"* "$D/"; printf 'X' | dd of="$D/$NAME" bs=1 seek=1000 conv=notrunc 2>/dev/null
# badsig: index signed by another key.
D=$(mkrepo badsig); cp "$W/good/$V/$A/$NAME" "$D/"; sign "$D" "$T/other.pem"
# unlisted: signed index, artifact added afterwards.
D=$(mkrepo unlisted); sign "$D"; cp "$W/good/$V/$A/$NAME" "$D/"
# unsigned: index without a signature.
D=$(mkrepo unsigned); cp "$W/good/$V/$A/$NAME" "$W/good/$V/$A/index.json" "$D/"
# plain: no index, a .sha256 beside the artifact (sha256sum format).
D=$(mkrepo plain); cp "$W/good/$V/$A/$NAME" "$D/"; (cd "$D" && sha256sum "$NAME" >"$NAME.sha256")
# badsum: no index, wrong .sha256.
D=$(mkrepo badsum); cp "$W/good/$V/$A/$NAME" "$D/"; echo "$(printf '0%.0s' $(seq 64))  $NAME" >"$D/$NAME.sha256"
# packed: only a .ko.tar.gz, signed.
D=$(mkrepo packed); tar -C "$W/good/$V/$A" -czf "$D/$NAME.tar.gz" "$NAME"; sign "$D"
# empty: nothing for this version (404s).
mkdir -p "$W/empty"

# TLS: a CA, a server certificate for 127.0.0.1 and an unrelated CA.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=osprey-test-ca \
	-keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=other-ca \
	-keyout "$T/other-ca.key" -out "$T/other-ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
	-keyout "$T/srv.key" -out "$T/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$T/ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
	-extfile "$T/ext" -out "$T/srv.pem" 2>/dev/null

# A client certificate signed by the test CA, for the server that demands one.
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=osprey-node \
	-keyout "$T/cli.key" -out "$T/cli.csr" 2>/dev/null
openssl x509 -req -in "$T/cli.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
	-out "$T/cli.pem" 2>/dev/null

start_server "$W" http
start_server "$W" https "$T/srv.pem" "$T/srv.key"
start_server "$W" mtls "$T/srv.pem" "$T/srv.key" "$T/ca.pem"
H=http://127.0.0.1:$PORT_http
S=https://127.0.0.1:$PORT_https
M=https://127.0.0.1:$PORT_mtls

# fetch_with CACHE ARGS...: one run of `fetch` with the target and key.
L() { "$LOADER" fetch "${TARGET_ARGS[@]}" --public-key "$T/k.pub" --retries 1 --cache-dir "$@"; }
cache_empty() {
	local n; n=$(find "$1" -type f 2>/dev/null | wc -l)
	if [ "$n" = 0 ]; then ok "nothing left in the cache"; else fail "cache $1 holds $n files"; find "$1" -type f; fi
}
cached_ok() {
	local got; got=$(sha256sum "$1/$V/$A/$NAME" 2>/dev/null | cut -d' ' -f1)
	if [ "$got" = "$SHA" ]; then ok "cached module has the published SHA-256"; else fail "cached module wrong ($got)"; fi
}

expect 0 "info" -- "$LOADER" info "${TARGET_ARGS[@]}" --repo "$H/good/good" --repo "file://$W/good"
has "target:          debian"
has "kernel release:  6.1.55-1-amd64"
has "url:             $H/good/good/$V/$A/index.json"
has "url:             $H/good/good/$V/$A/$NAME"
has "url:             $H/good/good/$V/$A/$NAME.tar.zst"
has "url:             file://$W/good/$V/$A/$NAME"

expect 0 "file:// download and verify" -- L "$T/c1" --repo "file://$W/good"
cached_ok "$T/c1"
expect 0 "http:// download and verify" -- L "$T/c2" --repo "$H/good/good"
has "Driver ready"; has "from $H/good/good/$V/$A/$NAME"
cached_ok "$T/c2"
expect 0 "cache hit" -- L "$T/c2" --repo "$H/good/good"
has "(from cache)"
# A cached file that no longer matches its recorded hash is dropped and fetched again.
printf 'Y' | dd of="$T/c2/$V/$A/$NAME" bs=1 seek=10 conv=notrunc 2>/dev/null
expect 0 "corrupted cache entry is replaced" -- L "$T/c2" --repo "$H/good/good"
has "does not match its recorded index.json"
cached_ok "$T/c2"

expect 0 "https:// with the test CA" -- L "$T/c3" --repo "$S/good/good" --ca-file "$T/ca.pem"
cached_ok "$T/c3"
expect 3 "https:// with the wrong CA is rejected" -- L "$T/c4" --repo "$S/good/good" --ca-file "$T/other-ca.pem"
has "certificate"
cache_empty "$T/c4"

expect 3 "https:// server demanding a client certificate, none given" -- L "$T/c4b" --repo "$M/good/good" --ca-file "$T/ca.pem"
cache_empty "$T/c4b"
expect 0 "https:// with a client certificate" -- L "$T/c4c" --repo "$M/good/good" --ca-file "$T/ca.pem" \
	--client-cert "$T/cli.pem" --client-key "$T/cli.key"
cached_ok "$T/c4c"
expect 3 "a protected repository without the header" -- L "$T/c4d" --repo "$H/auth/good"
has "HTTP 401"
expect 0 "extra header" -- L "$T/c4e" --repo "$H/auth/good" --header "Authorization: Bearer osprey-test"
cached_ok "$T/c4e"
expect 0 "proxy from the environment" -- env http_proxy="$H" no_proxy= "$LOADER" fetch "${TARGET_ARGS[@]}" --public-key "$T/k.pub" --cache-dir "$T/c4f" --repo "http://mirror.invalid/good/good"
grep -q "via proxy" "$T/httpd.http.log" && ok "request went through the proxy" || fail "proxy not used"
cached_ok "$T/c4f"

expect 0 "404 falls through to the next repository" -- L "$T/c5" --repo "$H/good/empty" --repo "$H/good/good"
has "from $H/good/good/"
cached_ok "$T/c5"

start=$(date +%s)
expect 0 "timeout falls through to the next repository" -- L "$T/c6" --timeout 1 --retries 0 --repo "$H/slow/good" --repo "$H/good/good"
has "timed out"
[ $(( $(date +%s) - start )) -lt 10 ] && ok "timeout took under 10 s" || fail "timeout took too long"
expect 0 "a 503 is retried" -- L "$T/c6b" --repo "$H/flaky/good"

expect 4 "tampered artifact is rejected" -- L "$T/c7" --repo "$H/good/tampered"
has "SHA-256 mismatch"
cache_empty "$T/c7"
expect 4 "bad signature is rejected" -- L "$T/c8" --repo "$H/good/badsig"
has "bad signature"
cache_empty "$T/c8"
expect 4 "truncated body is rejected" -- L "$T/c9" --repo "$H/trunc/good"
has "truncated"
cache_empty "$T/c9"
expect 3 "unlisted artifact is not downloaded" -- L "$T/c10" --repo "$H/good/unlisted"
has "does not list $NAME"
cache_empty "$T/c10"
expect 4 "oversized download is rejected" -- L "$T/c11" --repo "$H/good/good" --max-size 100k
has "oversized"
cache_empty "$T/c11"
expect 4 "unsigned index with policy required" -- L "$T/c12" --repo "$H/good/unsigned"
has "not signed"
cache_empty "$T/c12"
expect 0 "unsigned index with policy if-signed (warns)" -- L "$T/c13" --repo "$H/good/unsigned" --verify if-signed
has "index.json.sig is missing"
expect 4 "no key: wrong .sha256 is rejected" -- "$LOADER" fetch "${TARGET_ARGS[@]}" --cache-dir "$T/c14" --repo "$H/good/badsum"
has "SHA-256 mismatch"
cache_empty "$T/c14"
expect 0 "no key: .sha256 beside the artifact" -- "$LOADER" fetch "${TARGET_ARGS[@]}" --cache-dir "$T/c15" --repo "$H/good/plain"
cached_ok "$T/c15"
expect 2 "--verify=required without a key is a usage error" -- "$LOADER" fetch "${TARGET_ARGS[@]}" --verify required --cache-dir "$T/c16" --repo "$H/good/plain"
has "needs --public-key"
expect 0 "packed .ko.tar.gz is verified and unpacked" -- L "$T/c17" --repo "$H/good/packed"
cached_ok "$T/c17"
expect 3 "nothing anywhere: not found" -- L "$T/c18" --repo "$H/good/empty" --repo "file://$W/empty"
has "No prebuilt driver"

# A download that takes a while shows progress on a terminal (script(1) gives it one), not in logs.
if command -v script >/dev/null; then
	script -qec "$LOADER fetch ${TARGET_ARGS[*]:0:6} --kernel-version '${TARGET_ARGS[7]}' --public-key $T/k.pub --cache-dir $T/c20 --repo $H/drip/good" /dev/null >"$T/out" 2>&1
	has "$NAME"; has " / 300000 bytes"
	L "$T/c21" --repo "$H/drip/good" >"$T/out" 2>&1
	if grep -q $'\r' "$T/out"; then fail "progress drawn without a terminal"; else ok "no progress drawn without a terminal"; fi
	has "Downloading $NAME:"
fi

# A server sending one byte a second: stopped by the low-speed limit, with progress lines in the
# log meanwhile (not silence), bounded here to a few seconds.
start=$(date +%s)
expect 3 "a stalled download is stopped by the low-speed limit" -- L "$T/c22" --retries 0 \
	--low-speed-limit 100 --low-speed-time 2 --repo "$H/trickle/good"
has "under 100 bytes/s for 2 s"
has "Downloading $NAME:"
[ $(( $(date +%s) - start )) -lt 8 ] && ok "the stall was cut within seconds" || fail "the stall took too long"
cache_empty "$T/c22"
expect 2 "bad --low-speed-limit" -- "$LOADER" fetch --low-speed-limit 1x
has "Invalid --low-speed-limit '1x'"

# --max-size applies to index.json too.
expect 4 "--max-size caps index.json" -- L "$T/c23" --repo "$H/good/good" --max-size 100
has "index.json: the server announces"
has "over the 100-byte limit: not read"
cache_empty "$T/c23"

# An announced Content-Length over the limit is refused before the body is read (the server
# would otherwise take a byte a second).
start=$(date +%s)
expect 4 "Content-Length over the index's size is refused before reading" -- L "$T/c24" --timeout 30 \
	--repo "$H/huge/good"
has "announces 1099511627776 bytes (Content-Length)"
[ $(( $(date +%s) - start )) -lt 5 ] && ok "refused without reading" || fail "refusing took too long"
cache_empty "$T/c24"
start=$(date +%s)
expect 4 "no index: Content-Length over --max-size is refused before reading" -- "$LOADER" fetch "${TARGET_ARGS[@]}" \
	--retries 0 --timeout 30 --max-size 1M --cache-dir "$T/c25" --repo "$H/huge/plain"
has "announces 1099511627776 bytes (Content-Length), over the 1048576-byte limit"
[ $(( $(date +%s) - start )) -lt 5 ] && ok "refused without reading" || fail "refusing took too long"
cache_empty "$T/c25"

# A bad name part is named with the option it came from.
expect 2 "--target ../x" -- L "$T/c26" --repo "$H/good/good" --target ../x
has "Invalid --target '../x'"
expect 2 "--kernel-release a/b" -- L "$T/c26" --repo "$H/good/good" --kernel-release a/b
has "Invalid --kernel-release 'a/b'"

# JSON logs: every stderr line is one JSON object.
"$LOADER" fetch "${TARGET_ARGS[@]}" --public-key "$T/k.pub" --cache-dir "$T/c19" --repo "$H/good/badsig" --log-format json 2>"$T/json" >/dev/null
if python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/json" && grep -q '"level":"error"' "$T/json"; then
	ok "--log-format json"; else fail "--log-format json"; cat "$T/json"; fi
"$LOADER" fetch "${TARGET_ARGS[@]}" --public-key "$T/k.pub" --cache-dir "$T/c27" --repo "$H/drip/good" --log-format json 2>"$T/json" >/dev/null
if python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/json" && grep -q "Downloading $NAME:" "$T/json"; then
	ok "--log-format json: progress as JSON log lines"; else fail "--log-format json progress"; cat "$T/json"; fi
expect 2 "bad option names itself" -- "$LOADER" --no-such-option
has "Unknown option '--no-such-option': see --help"
if grep -q "unrecognized" "$T/out"; then fail "getopt's own line printed"; else ok "one line, in the loader's words"; fi
expect 2 "bad short option" -- "$LOADER" -x fetch
has "Unknown option '-x': see --help"
expect 2 "option without its value" -- "$LOADER" fetch --repo
has "Option '--repo' needs a value: see --help"
expect 2 "unknown command" -- "$LOADER" frobnicate
has "Unknown command 'frobnicate': see --help"
expect 2 "bad --verify value" -- "$LOADER" fetch --verify maybe
has "Invalid --verify 'maybe'"
finish test-fetch
