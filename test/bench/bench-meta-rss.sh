#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# bench-meta-rss.sh: osprey's memory after many containers started and removed.
#
#   sudo test/bench/bench-meta-rss.sh [-b BUILD_DIR] [-n CONTAINERS] [-t SECONDS] [-j WORKERS]
#
# Starts `osprey` live (eBPF probe, default rules, alerts to no sink), waits until its RSS is
# steady (idle), then starts and removes CONTAINERS short-lived containers (default 10,000) with
# `runc run` of a tiny busybox bundle, WORKERS at a time (default 2), for at most SECONDS
# (default 600: on a small machine it says how many fit). Each container reads /etc/shadow
# (an alert, whose container fields are read from the metadata cache), in its own cgroup named
# as docker's cgroupfs driver names it (/docker/ID), so osprey sees a docker container: its exec
# queues a lookup (no docker here: the sources answer nothing, the entry stays with a back-off),
# and the entry must be dropped once the container's cgroup is gone. Prints RSS idle, peak,
# after (15 s after the last container, lowest of 5 samples), after / idle, and the metadata
# cache's entry count at the end (from osprey's run summary: should be near 0). RSS as in
# bench-rss.sh (the ring buffers left out). Never fails on the numbers.
# Needs root, runc and a static busybox; exits 77 without them or when the driver cannot load.
set -eu

build=
count=10000
limit=600
workers=2
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

usage() {
	echo "Usage: $0 [-b BUILD_DIR] [-n CONTAINERS] [-t SECONDS] [-j WORKERS]"
}

while getopts "b:n:t:j:h" opt; do
	case $opt in
	b) build=$OPTARG ;;
	n) count=$OPTARG ;;
	t) limit=$OPTARG ;;
	j) workers=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
if ! [[ $count =~ ^[1-9][0-9]{0,6}$ ]] || ! [[ $limit =~ ^[1-9][0-9]{0,5}$ ]] ||
	! [[ $workers =~ ^[1-9][0-9]?$ ]]; then
	echo "$0: bad -n '$count', -t '$limit' or -j '$workers': want 1..9999999, 1..999999, 1..99" >&2
	exit 2
fi
if [ "$(id -u)" != 0 ]; then
	echo "$0: needs root (runc, the driver); skipping" >&2
	exit 77
fi
for t in runc jq; do
	command -v "$t" >/dev/null || { echo "$0: needs $t; skipping" >&2; exit 77; }
done
busybox=$(command -v busybox || true)
if [ -z "$busybox" ] || ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
	echo "$0: needs a static busybox (apt-get install busybox-static); skipping" >&2
	exit 77
fi
# shellcheck source=find-osprey.sh
. "$here/find-osprey.sh"
osprey=$(find_osprey "$src" "$build") || exit 1

work=$(mktemp -d /tmp/osprey-meta-rss.XXXXXX)
osp_pid=
cleanup() {
	[ -n "$osp_pid" ] && kill "$osp_pid" 2>/dev/null && wait "$osp_pid" 2>/dev/null || true
	for id in $(runc --root "$work/runc" list -q 2>/dev/null); do
		runc --root "$work/runc" delete -f "$id" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

# The bundle: busybox, an /etc/shadow, no network namespace (nothing to set up per container).
mkdir -p "$work/bundle/rootfs/bin" "$work/bundle/rootfs/etc" "$work/bundle/rootfs/proc" \
	"$work/bundle/rootfs/dev" "$work/bundle/rootfs/sys" "$work/runc"
cp "$busybox" "$work/bundle/rootfs/bin/busybox"
for a in sh head true; do
	ln -s busybox "$work/bundle/rootfs/bin/$a"
done
echo 'root:*:19000:0:99999:7:::' >"$work/bundle/rootfs/etc/shadow"
(cd "$work/bundle" && runc spec)
jq --arg root "$work/bundle/rootfs" '.process.terminal = false | .root.path = $root
    | .process.args = ["/bin/sh", "-c", "head -c1 /etc/shadow >/dev/null"]
    | .linux.namespaces |= map(select(.type != "network"))
    | .linux.cgroupsPath = "/docker/@ID@"' "$work/bundle/config.json" >"$work/config.tmpl"

# worker W N DEADLINE: runs up to N containers one after the other (each removed when it exits:
# runc run without --keep), until the wall clock passes DEADLINE; prints how many ran.
worker() {
	local w=$1 n=$2 deadline=$3 i=0 id
	mkdir -p "$work/w$w"
	while [ "$i" -lt "$n" ] && [ "$(date +%s)" -lt "$deadline" ]; do
		id=$(printf '%08x%08x%048x' "$w" "$i" "$(date +%s%N)")
		sed "s/@ID@/$id/" "$work/config.tmpl" >"$work/w$w/config.json"
		runc --root "$work/runc" run --bundle "$work/w$w" "$id" >/dev/null 2>>"$work/runc.err" ||
			echo "container $id failed" >>"$work/runc.err"
		i=$((i + 1))
	done
	echo "$i" >"$work/w$w.count"
}

# RSS in KiB from smaps, ring buffers left out (as bench-rss.sh).
rss_kb() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { skip = ($6 ~ /bpf-map|bpf-ringbuf|^\/dev\/osprey/) }
	     /^Rss:/ { if (skip) ring += $2; else rss += $2 }
	     END { printf "%d %d\n", rss, ring }' "/proc/$1/smaps"
}

# one container before osprey starts: the bundle works
worker 0 1 $(($(date +%s) + 60))
if [ "$(cat "$work/w0.count")" != 1 ] || grep -q failed "$work/runc.err" 2>/dev/null; then
	echo "$0: runc cannot run the test bundle; skipping:" >&2
	cat "$work/runc.err" >&2
	exit 77
fi

"$osprey" -r "$src/rules/osprey_rules.yaml" -o stdout_output.enabled=false \
	-o syslog_output.enabled=false >"$work/osprey.out" 2>"$work/osprey.err" &
osp_pid=$!

# Idle: started, then steady (two samples a second apart within 1 %), at most 30 s.
sleep 3
if ! kill -0 "$osp_pid" 2>/dev/null; then
	echo "$0: osprey did not start:" >&2
	cat "$work/osprey.err" >&2
	osp_pid=
	exit 77
fi
prev=0
for _ in $(seq 1 30); do
	read -r idle ring < <(rss_kb "$osp_pid")
	if [ "$prev" -gt 0 ] && [ $(((idle > prev ? idle - prev : prev - idle) * 100)) -le "$prev" ]; then
		break
	fi
	prev=$idle
	sleep 1
done

# The containers, WORKERS at a time, sampling the peak every second.
start=$(date +%s.%N)
deadline=$(($(date +%s) + limit))
per=$((count / workers))
pids=()
for w in $(seq 1 "$workers"); do
	n=$per
	[ "$w" = "$workers" ] && n=$((count - per * (workers - 1)))
	worker "$w" "$n" "$deadline" &
	pids+=($!)
done
peak=$idle
running=1
while [ $running = 1 ]; do
	running=0
	for p in "${pids[@]}"; do
		kill -0 "$p" 2>/dev/null && running=1
	done
	read -r now _ < <(rss_kb "$osp_pid")
	[ "$now" -gt "$peak" ] && peak=$now
	sleep 1
done
wait "${pids[@]}"
end=$(date +%s.%N)
ran=0
for w in $(seq 1 "$workers"); do
	ran=$((ran + $(cat "$work/w$w.count")))
done
failed=$(grep -c failed "$work/runc.err" 2>/dev/null || true)

# After: exited containers' entries go within 2 s; the state purges every 5 s. 15 s, then the
# lowest of 5 samples a second apart.
sleep 15
after=0
for _ in $(seq 1 5); do
	read -r now _ < <(rss_kb "$osp_pid")
	[ "$now" -gt "$peak" ] && peak=$now
	if [ "$after" = 0 ] || [ "$now" -lt "$after" ]; then
		after=$now
	fi
	sleep 1
done

kill "$osp_pid"
wait "$osp_pid" || true
osp_pid=
meta=$(grep -o 'Container metadata: .*' "$work/osprey.err" | tail -1)
cached=$(sed -n 's/.* \([0-9][0-9]*\) cached\.$/\1/p' <<<"$meta")
stats=$(grep -o 'Events: .*' "$work/osprey.err" | tail -1)

awk -v idle="$idle" -v peak="$peak" -v after="$after" -v ring="$ring" -v ran="$ran" \
    -v want="$count" -v workers="$workers" -v failed="${failed:-0}" -v limit="$limit" \
    -v secs="$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')" -v meta="$meta" \
    -v cached="${cached:-?}" -v stats="$stats" 'BEGIN {
	mib = 1024
	printf "bench-meta-rss: osprey (eBPF, default rules), RSS without ring buffers (%.1f MiB of them)\n",
		ring / mib
	printf "  containers: %d of %d started and removed (%d workers, %.0f s, %.1f/s, %d failed)%s\n",
		ran, want, workers, secs, ran / secs, failed,
		ran < want ? sprintf(" - the %d s limit came first", limit) : ""
	printf "  idle  %6.1f MiB\n", idle / mib
	printf "  peak  %6.1f MiB (%.3f x idle)\n", peak / mib, peak / idle
	printf "  after %6.1f MiB: %.3f x idle\n", after / mib, after / idle
	printf "  metadata cache entries at the end: %s\n", cached
	printf "  osprey: %s\n  osprey: %s\n", meta, stats
	printf "result containers=%d idle_kib=%d peak_kib=%d after_kib=%d after_ratio=%.3f " \
		"peak_ratio=%.3f cache_entries=%s\n", ran, idle, peak, after, after / idle,
		peak / idle, cached
}'
