#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# make-workload-capture.sh: records a capture of a realistic node workload for bench-replay.
#
#   sudo test/bench/make-workload-capture.sh [-o OUT.cap] [-b BUILD_DIR] [-n ROUNDS]
#
# Starts `osprey capture -w OUT` (eBPF probe, every event) and, while it records, runs for real:
#   - a compile: cc -O2 -c of some of Osprey's own .c files, and a link of a small program;
#   - package activity: a small .deb built with dpkg-deb, installed with dpkg -i and
#     apt-get install ./FILE.deb, listed (dpkg -l/-L/-s, apt-cache policy/show/search), removed;
#   - shell activity: loops of ls, cat, grep, sed, find, wc, sort, stat, subshells and pipes;
#   - network clients: a python3 HTTP server on 127.0.0.1, fetched with curl, python3 urllib,
#     bash's /dev/tcp and busybox nc.
# Everything stays on this machine: no network, no change left behind (the package is removed).
# The workload is repeated ROUNDS times (default 3). Needs root (the probe); exits 77 without.
set -eu

out=/dev/shm/osprey-workload.cap
build=
rounds=3
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

usage() {
	echo "Usage: $0 [-o OUT.cap] [-b BUILD_DIR] [-n ROUNDS]"
	echo "  -o OUT.cap   capture file to write (default $out)"
	echo "  -b DIR       build directory holding runtime/osprey (default: the first of"
	echo "               build-perf, build, build-* under the source tree that has one)"
	echo "  -n ROUNDS    times the workload runs (default $rounds)"
}

while getopts "o:b:n:h" opt; do
	case $opt in
	o) out=$OPTARG ;;
	b) build=$OPTARG ;;
	n) rounds=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
if ! [[ $rounds =~ ^[1-9][0-9]{0,2}$ ]]; then
	echo "$0: bad -n '$rounds': want 1..999" >&2
	exit 2
fi
if [ "$(id -u)" != 0 ]; then
	echo "$0: needs root to load the eBPF probe; skipping" >&2
	exit 77
fi
# shellcheck source=find-osprey.sh
. "$here/find-osprey.sh"
osprey=$(find_osprey "$src" "$build") || exit 1
for tool in cc dpkg-deb dpkg apt-cache apt-get curl python3 find sed grep; do
	if ! command -v "$tool" >/dev/null; then
		echo "$0: '$tool' is missing; install it (apt-get install ...) or run elsewhere" >&2
		exit 77
	fi
done

work=$(mktemp -d /tmp/osprey-workload.XXXXXX)
cap_pid=
srv_pid=
cleanup() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null || true
	[ -n "$cap_pid" ] && kill -INT "$cap_pid" 2>/dev/null || true
	dpkg -P osprey-bench-dummy >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# ---- the pieces of the workload ----

compile() {
	local inc=(-I "$build" -I "$src/shared" -I "$src/driver/schema" -I "$src/runtime"
		-I "$src/runtime/capture" -I "$src/runtime/engine" -I "$src/runtime/state" -I "$src/runtime/meta"
		-I "$src/runtime/outputs" -I "$src/runtime/detect")
	local f
	for f in shared/parse.c runtime/capture/event.c runtime/capture/record.c \
		 runtime/state/fdtable.c runtime/meta/container.c runtime/state/users.c \
		 runtime/detect/eval.c; do
		[ -f "$src/$f" ] || continue
		cc -O2 -std=gnu11 -D_GNU_SOURCE -w "${inc[@]}" -c "$src/$f" -o "$work/$(basename "$f" .c).o"
	done
	printf '#include <stdio.h>\nint main(void){puts("hello");return 0;}\n' >"$work/hello.c"
	cc -O2 -o "$work/hello" "$work/hello.c"
	"$work/hello" >/dev/null
	ar rcs "$work/libbench.a" "$work"/*.o
	nm "$work/libbench.a" >/dev/null
}

packages() {
	local pkg=$work/pkg
	mkdir -p "$pkg/DEBIAN" "$pkg/usr/share/osprey-bench-dummy"
	cat >"$pkg/DEBIAN/control" <<-EOF
	Package: osprey-bench-dummy
	Version: 1.0
	Architecture: all
	Maintainer: Osprey benchmarks <bench@localhost>
	Description: empty package installed by Osprey's workload capture
	EOF
	seq 1 200 >"$pkg/usr/share/osprey-bench-dummy/numbers.txt"
	cp /etc/os-release "$pkg/usr/share/osprey-bench-dummy/"
	dpkg-deb --build --root-owner-group "$pkg" "$work/osprey-bench-dummy.deb" >/dev/null
	dpkg -i "$work/osprey-bench-dummy.deb" >/dev/null
	dpkg -l >/dev/null
	dpkg -L osprey-bench-dummy >/dev/null
	dpkg -s osprey-bench-dummy >/dev/null
	dpkg -S /usr/share/osprey-bench-dummy/numbers.txt >/dev/null
	apt-cache policy coreutils bash >/dev/null
	apt-cache show coreutils >/dev/null 2>&1 || true
	apt-cache search --names-only '^libc6' >/dev/null
	apt-cache depends dpkg >/dev/null
	# apt-get with a local file: no download, dependencies already met
	apt-get install -y -q --reinstall --no-download "$work/osprey-bench-dummy.deb" \
		>/dev/null 2>&1 || true
	dpkg -P osprey-bench-dummy >/dev/null
}

shell_activity() {
	local i f n=0
	for i in $(seq 1 20); do
		ls -la /etc /usr/bin >/dev/null
		cat /etc/passwd /etc/group /etc/hostname /proc/self/status >/dev/null
		grep -r -l "root" /etc/default /etc/systemd 2>/dev/null | wc -l >/dev/null
		sed -e 's/:/ /g' /etc/passwd | sort | uniq >/dev/null
		find /usr/share/doc -maxdepth 2 -name '*.gz' 2>/dev/null | head -50 >/dev/null
		for f in /etc/*.conf; do
			[ -r "$f" ] && n=$((n + $(wc -l <"$f")))
		done
		stat /etc/hosts /etc/resolv.conf >/dev/null 2>&1 || true
		(cd /tmp && pwd >/dev/null && date >/dev/null)
		echo "$i $n" | tr ' ' '\n' | awk '{s += $1} END {print s}' >/dev/null
		env | grep -c PATH >/dev/null
		mkdir -p "$work/dir$i" && touch "$work/dir$i/file" && rm -r "$work/dir$i"
	done
}

network_clients() {
	local port=$1 i
	for i in $(seq 1 10); do
		curl -s -o /dev/null "http://127.0.0.1:$port/" || true
		curl -s -o /dev/null "http://127.0.0.1:$port/numbers.txt" || true
	done
	python3 - "$port" <<-'EOF'
	import sys, urllib.request, socket
	port = int(sys.argv[1])
	for _ in range(10):
	    urllib.request.urlopen(f"http://127.0.0.1:{port}/numbers.txt").read()
	s = socket.create_connection(("127.0.0.1", port))
	s.sendall(b"HEAD / HTTP/1.0\r\n\r\n")
	s.recv(4096)
	s.close()
	u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	u.sendto(b"ping", ("127.0.0.1", 9))
	u.close()
	EOF
	for i in $(seq 1 5); do
		exec 3<>"/dev/tcp/127.0.0.1/$port"
		printf 'GET / HTTP/1.0\r\n\r\n' >&3
		cat <&3 >/dev/null
		exec 3<&-
	done
	if command -v busybox >/dev/null && busybox nc --help >/dev/null 2>&1; then
		for i in $(seq 1 5); do
			printf 'GET / HTTP/1.0\r\n\r\n' | busybox nc -w 2 127.0.0.1 "$port" \
				>/dev/null 2>&1 || true
		done
	fi
}

# ---- record ----

rm -f "$out"
"$osprey" capture -w "$out" --buffer-size=64M 2>"$work/capture.log" &
cap_pid=$!
# the /proc snapshot comes first: wait until the file has grown past it
for _ in $(seq 1 100); do
	[ -s "$out" ] && break
	sleep 0.1
done
sleep 1
if ! kill -0 "$cap_pid" 2>/dev/null; then
	echo "$0: osprey capture failed:" >&2
	cat "$work/capture.log" >&2
	exit 1
fi

seq 1 1000 >"$work/numbers.txt"
port=$((20000 + RANDOM % 20000))
(cd "$work" && exec python3 -m http.server --bind 127.0.0.1 "$port" >/dev/null 2>&1) &
srv_pid=$!
for _ in $(seq 1 50); do
	curl -s -o /dev/null "http://127.0.0.1:$port/" && break
	sleep 0.1
done

start=$(date +%s.%N)
for _ in $(seq 1 "$rounds"); do
	compile
	packages
	shell_activity
	network_clients "$port"
done
end=$(date +%s.%N)

kill "$srv_pid" 2>/dev/null || true
wait "$srv_pid" 2>/dev/null || true
srv_pid=
sleep 0.5
kill -INT "$cap_pid"
wait "$cap_pid" || true
cap_pid=
cat "$work/capture.log" >&2
printf '%s: workload ran %.1f s (%s rounds); capture in %s (%s bytes)\n' "$0" \
	"$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')" "$rounds" "$out" "$(stat -c %s "$out")"
