#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2015 # "check && ok || fail": ok only echoes
# The cache is trusted no more than a download: a cache hit must pass the same
# verification (the repository's signed index kept beside the cached file,
# checked with the configured key). A module planted in the cache with a
# matching .sha256, a record signed by another key, an edited record, a swapped
# module next to a genuine packed artifact, or an entry cached without a signed
# record, is removed and fetched again; without a repository it is not used.
# shellcheck source=test/loader/lib.sh disable=SC2154 # PORT_* are set by start_server
. "$SRCDIR/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

V=0.1.0
A=x86_64
NAME=osprey_debian_6.1.55-1-amd64_1.ko
HOST=$T/host
mkdir -p "$HOST/etc"
echo 'ID=debian' >"$HOST/etc/os-release"
TARGET_ARGS=(--host-root "$HOST" --arch "$A" --kernel-release 6.1.0-13-amd64
	--kernel-version "#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)")

"$LOADER" keygen "$T/k.pem" "$T/k.pub" >/dev/null 2>&1 || { echo "keygen failed"; exit 1; }
"$LOADER" keygen "$T/evil.pem" "$T/evil.pub" >/dev/null 2>&1

W=$T/www
mkrepo() { mkdir -p "$W/$1/$V/$A"; echo "$W/$1/$V/$A"; }
sign() { "$LOADER" sign --private-key "${2:-$T/k.pem}" "$1" >/dev/null 2>&1 || fail "sign $1"; }
D=$(mkrepo good); head -c 200000 /dev/urandom >"$D/$NAME"; sign "$D"
SHA=$(sha256sum "$D/$NAME" | cut -d' ' -f1)
D=$(mkrepo packed); tar -C "$W/good/$V/$A" -czf "$D/$NAME.tar.gz" "$NAME"; sign "$D"
D=$(mkrepo plain); cp "$W/good/$V/$A/$NAME" "$D/"; (cd "$D" && sha256sum "$NAME" >"$NAME.sha256")
# What an attacker with write access to the cache (but not the key) can make: a module of their
# own, its .sha256, and an index of it signed by a key of their own.
head -c 150000 /dev/urandom >"$T/evil.ko"
EVIL=$(sha256sum "$T/evil.ko" | cut -d' ' -f1)
D=$(mkrepo evil); cp "$T/evil.ko" "$D/$NAME"; sign "$D" "$T/evil.pem"

start_server "$W" http
H=http://127.0.0.1:$PORT_http/good
G=$H/good

L() { "$LOADER" fetch "${TARGET_ARGS[@]}" --public-key "$T/k.pub" --retries 0 --cache-dir "$@"; }
cached() { sha256sum "$1/$V/$A/$NAME" 2>/dev/null | cut -d' ' -f1; }
cached_ok() {
	local got; got=$(cached "$1")
	if [ "$got" = "$SHA" ]; then ok "cached module is the published one"; else fail "cached module is not the published one ($got)"; fi
}
# plant CACHE FILE: puts FILE in the cache as the module, with a matching .sha256.
plant() {
	mkdir -p "$1/$V/$A"
	cp "$2" "$1/$V/$A/$NAME"
	echo "$(sha256sum "$2" | cut -d' ' -f1)  $NAME" >"$1/$V/$A/$NAME.sha256"
}
gone() {
	if [ -e "$1/$V/$A/$NAME" ]; then fail "a module is still in the cache $1"; else ok "no module left in the cache"; fi
}
lacks() {
	if grep -qF -- "$1" "$T/out"; then fail "output has '$1'"; sed 's/^/    /' "$T/out"; else ok "output lacks '$1'"; fi
}

# 1. The issue: a random module with a matching .sha256 in an empty cache.
plant "$T/c1" "$T/evil.ko"
expect 0 "planted module with a matching .sha256 is not trusted" -- L "$T/c1" --repo "$G"
lacks "(from cache)"
has "no signed record"
has "from $G/$V/$A/$NAME"
cached_ok "$T/c1"
expect 0 "the fetched module is a cache hit afterwards" -- L "$T/c1" --repo "$G"
has "(from cache)"
expect 0 "a verified cache hit needs no repository" -- L "$T/c1" --no-download
has "(from cache)"
cached_ok "$T/c1"

# 2. Without a repository to fall back to, a planted module is refused and removed.
plant "$T/c2" "$T/evil.ko"
expect 3 "planted module, no repository: not found" -- L "$T/c2" --no-download --no-build
lacks "Driver ready"
gone "$T/c2"

# 3. A verified entry whose module is swapped afterwards (with a matching .sha256).
expect 0 "fetch" -- L "$T/c3" --repo "$G"
plant "$T/c3" "$T/evil.ko"
expect 0 "module swapped after a verified download is refetched" -- L "$T/c3" --repo "$G"
has "SHA-256"
lacks "(from cache)"
cached_ok "$T/c3"

# 4. A whole record made by the attacker: their index, signed by their key, beside their module.
expect 0 "attacker's signed index (other key) accepted with the other key, as a download would" -- \
	"$LOADER" fetch "${TARGET_ARGS[@]}" --public-key "$T/evil.pub" --cache-dir "$T/c4" --repo "$H/evil"
expect 0 "a record signed by another key is refused and refetched" -- L "$T/c4" --repo "$G"
has "bad signature"
lacks "(from cache)"
cached_ok "$T/c4"
expect 0 "the attacker's record again" -- \
	"$LOADER" fetch "${TARGET_ARGS[@]}" --public-key "$T/evil.pub" --cache-dir "$T/c4b" --repo "$H/evil" \
	--log-level error
expect 3 "the other key's record with our key, no repository: not found" -- L "$T/c4b" --no-download --no-build
has "bad signature"
gone "$T/c4b"

# 5. The genuine record edited to list the planted module's hash: the signature no longer holds.
expect 0 "fetch" -- L "$T/c5" --repo "$G"
plant "$T/c5" "$T/evil.ko"
for f in "$T/c5/$V/$A/"*index.json; do
	sed -i "s/$SHA/$EVIL/; s/\"size\": *200000/\"size\": 150000/" "$f"
done
expect 0 "an edited record is refused and refetched" -- L "$T/c5" --repo "$G"
has "bad signature"
cached_ok "$T/c5"

# 6. Packed artifact: the cached archive is genuine, the unpacked module beside it is swapped.
expect 0 "fetch a packed artifact" -- L "$T/c6" --repo "$H/packed"
cached_ok "$T/c6"
expect 0 "packed: cache hit" -- L "$T/c6" --no-download
has "(from cache)"
plant "$T/c6" "$T/evil.ko"
expect 0 "packed: the module is taken from the verified archive again" -- L "$T/c6" --no-download
has "(from cache)"
cached_ok "$T/c6"
printf 'X' | dd of="$T/c6/$V/$A/$NAME.tar.gz" bs=1 seek=100 conv=notrunc 2>/dev/null
expect 3 "packed: a tampered cached archive is refused" -- L "$T/c6" --no-download --no-build
has "SHA-256"
gone "$T/c6"

# 7. An entry cached without a signed record (unindexed repository, no key) is not enough once a
#    key is required; without a key it is what a download from that repository would accept.
expect 0 "no key: fetch from a repository without index" -- \
	"$LOADER" fetch "${TARGET_ARGS[@]}" --cache-dir "$T/c7" --repo "$H/plain"
expect 0 "no key: its cache hit" -- "$LOADER" fetch "${TARGET_ARGS[@]}" --cache-dir "$T/c7" --no-download
has "(from cache)"
expect 3 "with a key (required): the unsigned entry is refused" -- L "$T/c7" --no-download --no-build
has "no signed record"
expect 0 "policy if-signed accepts it, as it would the download" -- \
	L "$T/c8" --repo "$H/plain" --verify if-signed
expect 0 "policy if-signed: its cache hit" -- L "$T/c8" --no-download --verify if-signed
has "(from cache)"

# 8. --skip-cache never reads the cache; a refetch leaves no stale record behind.
expect 0 "skip-cache" -- L "$T/c1" --repo "$G" --skip-cache
has "from $G/$V/$A/$NAME"
leftover=$(find "$T" -path "*/c*/$V/$A/*" \( -name "*.part*" -o -name "*.unpack*" -o -name "*.download*" \) | wc -l)
[ "$leftover" = 0 ] && ok "no temporary files left in any cache" || fail "$leftover temporary files left"
finish test-cache
