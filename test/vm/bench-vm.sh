#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# bench-vm.sh: the issue 4 benchmarks, both drivers in one VM (vm-test.sh,
# Debian's kernel under qemu): the syscall overhead of the kernel module next
# to the eBPF probe's (bench-overhead), and the drops of each under one and two
# hammering processes (bench-drops), default buffer sizes. Prints ratios and
# percentages, never fails on them: it fails only when the VM run does.
#
#   bench-vm.sh --workdir DIR --module osprey.ko --overhead BENCH-OVERHEAD
#               --drops BENCH-DROPS [--kdir DIR] [--iterations N] [--rounds N]
#               [--cycles N] [--repeat N] [--seconds N] [--timeout SECS]
#
#   --iterations N  bench-overhead iterations per round (default 1500: the VM
#                   emulates the CPU (TCG), 20-50x slower than the host)
#   --rounds N      bench-overhead rounds, the best counts (default 3)
#   --cycles N      bench-overhead cycles (default 12)
#   --repeat N      bench-overhead runs per driver, alternating bpf and kmod;
#                   the median overhead counts (default 2)
#   --seconds N     bench-drops seconds per run (default 5)
#   --timeout SECS  for the whole VM run (default 900)
# Exits 77 (skip) when vm-test.sh does (no qemu, kernel image or headers).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
workdir=
module=
overhead=
drops=
kdir=
iterations=1500
rounds=3
cycles=12
repeat=2
seconds=5
timeout_s=900

die() {
	echo "bench-vm: $*" >&2
	exit 1
}

need_arg() {
	[ "$1" -ge 2 ] || die "'$2' needs an argument (see --help)"
}

need_number() {
	case "$2" in
	''|*[!0-9]*|0) die "$1 '$2' is not a positive number" ;;
	esac
}

while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) sed -n '3,22s/^# \{0,1\}//p' "$0"; exit 0 ;;
	--workdir|--module|--overhead|--drops|--kdir|--iterations|--rounds|--cycles|--repeat|\
	--seconds|--timeout) need_arg $# "$1" ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	case "$1" in
	--workdir) workdir=$2 ;;
	--module) module=$2 ;;
	--overhead) overhead=$2 ;;
	--drops) drops=$2 ;;
	--kdir) kdir=$2 ;;
	--iterations) need_number "$1" "$2"; iterations=$2 ;;
	--rounds) need_number "$1" "$2"; rounds=$2 ;;
	--cycles) need_number "$1" "$2"; cycles=$2 ;;
	--repeat) need_number "$1" "$2"; repeat=$2 ;;
	--seconds) need_number "$1" "$2"; seconds=$2 ;;
	--timeout) need_number "$1" "$2"; timeout_s=$2 ;;
	esac
	shift 2
done

[ -n "$workdir" ] || die "no --workdir given"
[ -n "$module" ] || die "no --module given (build it: ninja -C BUILD driver/kmod/osprey.ko)"
[ -n "$overhead" ] || die "no --overhead given (BUILD/test/bench/bench-overhead)"
[ -n "$drops" ] || die "no --drops given (BUILD/test/bench/bench-drops)"
for f in "$module" "$overhead" "$drops"; do
	[ -f "$f" ] || die "'$f' does not exist; build it first"
done

mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)

# The inside script with this run's settings in front of it.
inside=$workdir/bench-run-inside.sh
{
	echo "#!/bin/sh"
	echo "BENCH_ITERATIONS=$iterations"
	echo "BENCH_ROUNDS=$rounds"
	echo "BENCH_CYCLES=$cycles"
	echo "BENCH_REPEAT=$repeat"
	echo "BENCH_SECONDS=$seconds"
	sed 1d "$here/bench-inside.sh"
} >"$inside"

set -- --workdir "$workdir" --inside "$inside" --module "$module" \
	--bin "$overhead" --bin "$drops" --timeout "$timeout_s"
[ -z "$kdir" ] || set -- "$@" --kdir "$kdir"
rc=0
"$here/vm-test.sh" "$@" || rc=$?
[ "$rc" = 77 ] && exit 77

log=$workdir/console.log.txt
[ -f "$log" ] || die "no console log $log"
results=$workdir/results.txt
grep '^result ' "$log" >"$results" || true

echo
echo "bench-vm: results (all in one VM: $(sed -n 's/^inside: kernel \(.*\)$/\1/p' "$log" | head -n 1))"
awk -v repeat="$repeat" '
function field(name,    i, kv) {
	for (i = 2; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == name)
			return kv[2]
	}
	return ""
}
# Median of the values in list (space separated).
function median(list,    a, n, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) {
				t = a[i]; a[i] = a[j]; a[j] = t
			}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function ratio(k, b) {
	return b + 0 > 0.5 && k + 0 >= 0 ? sprintf("%6.2f", k / b) : "   n/a"
}
field("clock") != "" {
	k = field("source") SUBSEP field("clock") SUBSEP field("loop") SUBSEP field("config")
	med[k] = med[k] " " field("median_overhead_ns")
	best[k] = best[k] " " field("overhead_ns")
	next
}
field("hammers") != "" {
	drop[field("source"), field("hammers")] = field("drop_pct")
	dev[field("source"), field("hammers")] = field("drops") " of " \
		field("drops") + field("events") " events"
	hammers[field("hammers")] = 1
}
END {
	printf "syscall overhead, kernel module / eBPF probe (each: driver overhead over no tracer, " \
	       "runtime library consuming; target <= 1)\n"
	printf "  median: of the overheads within each cycle (%d runs per driver pooled); " \
	       "best: from the best times\n", repeat
	nclocks = split("cpu wall", clocks, " ")
	nloops = split("open+close getpid", loops, " ")
	for (c = 1; c <= nclocks; c++) {
		for (l = 1; l <= nloops; l++) {
			for (cf = 1; cf <= 2; cf++) {
				config = cf == 1 ? "osprey" : "filtered"
				kb = "bpf" SUBSEP clocks[c] SUBSEP loops[l] SUBSEP config
				kk = "kmod" SUBSEP clocks[c] SUBSEP loops[l] SUBSEP config
				kf = "bpf" SUBSEP clocks[c] SUBSEP loops[l] SUBSEP "floor"
				if (!(kb in med) || !(kk in med)) {
					printf "  %-4s %-10s %-8s missing results\n", clocks[c], \
					       loops[l], config
					continue
				}
				b = median(med[kb]); k = median(med[kk]); f = median(med[kf])
				bb = median(best[kb]); bk = median(best[kk])
				printf "  %-4s %-10s %-8s kmod/ebpf median %s (kmod %.0f ns, ebpf %.0f ns, " \
				       "empty eBPF pair %.0f ns), best %s (%.0f, %.0f)\n", clocks[c], \
				       loops[l], config, ratio(k, b), k, b, f, ratio(bk, bb), bk, bb
				found = 1
			}
		}
	}
	printf "  (%s: interest {openat, close}; filtered: neither, dropped in the kernel)\n", \
	       "osprey"
	printf "drops, default buffer sizes (target 0 %%)\n"
	for (h = 1; h in hammers; h++)
		for (s = 1; s <= 2; s++) {
			src = s == 1 ? "bpf" : "kmod"
			if ((src, h) in drop)
				printf "  %-4s %d hammer%s %7.3f %%  (%s)\n", src, h, \
				       h == 1 ? " " : "s", drop[src, h], dev[src, h]
			else
				printf "  %-4s %d hammer%s missing results\n", src, h, h == 1 ? " " : "s"
		}
	if (!found)
		exit 1
}' "$results" || { echo "bench-vm: no overhead results in $log" >&2; [ "$rc" != 0 ] || rc=1; }
echo "bench-vm: console log $log"
exit "$rc"
