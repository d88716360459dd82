#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2015 # "check && ok || fail": ok only echoes
# Time to "driver ready": the loader's `fetch` (cache hit; download + signature
# + size + SHA-256 from a loopback mirror) against plain `curl -o` + `sha256sum`
# of the same file from the same server. Prints the ratios; asserts nothing.
# Usage: LOADER=build/driver-loader/osprey-driver-loader test/loader/bench-fetch.sh [SIZE_MB] [RUNS]
SRCDIR=${SRCDIR:-$(dirname "$(readlink -f "$0")")}
LOADER=${LOADER:-$(find "$SRCDIR"/../.. -maxdepth 3 -path "*/driver-loader/osprey-driver-loader" -type f 2>/dev/null | head -n1)}
[ -x "$LOADER" ] || { echo "set LOADER to the osprey-driver-loader binary"; exit 77; }
# shellcheck source=test/loader/lib.sh disable=SC2154
. "$SRCDIR/lib.sh"
MB=${1:-8}
RUNS=${2:-20}
V=0.1.0; A=x86_64; NAME=osprey_debian_6.1.55-1-amd64_1.ko
HOST=$T/host; mkdir -p "$HOST/etc" "$T/m/$V/$A"; echo 'ID=debian' >"$HOST/etc/os-release"
head -c $((MB << 20)) /dev/urandom >"$T/m/$V/$A/$NAME"
"$LOADER" keygen "$T/k.pem" "$T/k.pub" 2>/dev/null
"$LOADER" sign --private-key "$T/k.pem" "$T/m/$V/$A" 2>/dev/null
start_server "$T/m" http
# shellcheck disable=SC2154 # set by start_server
URL=http://127.0.0.1:$PORT_http/good
F=(fetch --host-root "$HOST" --arch "$A" --kernel-release 6.1.0-13-amd64
	--kernel-version "#1 SMP Debian 6.1.55-1 (2023-09-29)" --public-key "$T/k.pub" --repo "$URL"
	--log-level error)

now() { date +%s.%N; }
t0=$(now)
for i in $(seq "$RUNS"); do
	curl -sf -o "$T/plain.ko" "$URL/$V/$A/$NAME" && sha256sum "$T/plain.ko" >/dev/null || exit 1
	rm -f "$T/plain.ko"
done
t1=$(now)
for i in $(seq "$RUNS"); do
	"$LOADER" "${F[@]}" --cache-dir "$T/c$i" >/dev/null || exit 1
done
t2=$(now)
for i in $(seq "$RUNS"); do
	"$LOADER" "${F[@]}" --cache-dir "$T/c1" >/dev/null || exit 1
done
t3=$(now)
python3 - "$t0" "$t1" "$t2" "$t3" "$RUNS" "$MB" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:5]); n = int(sys.argv[5]); mb = sys.argv[6]
base, dl, hit = (t1 - t0) / n, (t2 - t1) / n, (t3 - t2) / n
print(f"{mb} MiB module, {n} runs each, loopback HTTP")
print(f"curl -o + sha256sum:             {base * 1000:8.1f} ms")
print(f"loader download+verify (signed):  {dl * 1000:8.1f} ms  ratio {dl / base:.2f}x")
print(f"loader cache hit (re-hashed):     {hit * 1000:8.1f} ms  ratio {hit / base:.2f}x")
PY
