#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# bench-inside.sh: runs inside the VM for the vm-bench benchmark (bench-vm.sh
# puts its settings in front of it as shell variables). Loads the osprey
# module with its default parameters, then runs, one after the other:
#   bench-overhead --source bpf, bench-overhead --source kmod (repeated
#   BENCH_REPEAT times, alternating, so slow drift of the host hits both),
#   bench-drops --source bpf, bench-drops --source kmod.
# Their "result ..." lines are what bench-vm.sh reads from the console log.
# A benchmark that fails or skips fails the run: in this VM nothing is missing.
# shellcheck source=lib-inside.sh
. /payload/lib-inside.sh

ko=/modules/osprey.ko
: "${BENCH_ITERATIONS:=1500}"
: "${BENCH_ROUNDS:=3}"
: "${BENCH_CYCLES:=12}"
: "${BENCH_REPEAT:=2}"
: "${BENCH_SECONDS:=5}"
: "${BENCH_HAMMERS:=2}"
# The initramfs has no /etc/hostname; /etc/passwd is a small file it always has.
file=/etc/passwd

echo "inside: kernel $(uname -r), $(nproc) CPUs online"
[ -f "$ko" ] || { echo "inside: $ko is not in the initramfs"; exit 1; }
for b in bench-overhead bench-drops; do
	command -v "$b" >/dev/null || { echo "inside: $b is not in the initramfs"; exit 1; }
done

expect_ok "insmod osprey.ko (default parameters)" insmod "$ko"
is_loaded osprey || finish
for p in /sys/module/osprey/parameters/*; do
	[ -e "$p" ] && echo "inside: parameter $(basename "$p") = $(cat "$p" 2>/dev/null)"
done

# run DESCRIPTION COMMAND...: runs a benchmark with its output on the console.
run() {
	desc=$1
	shift
	echo "inside: running $*"
	rc=0
	"$@" || rc=$?
	if [ "$rc" = 0 ]; then
		pass "$desc"
	else
		fail "$desc: '$*' exited with status $rc"
	fi
}

i=1
while [ "$i" -le "$BENCH_REPEAT" ]; do
	for src in bpf kmod; do
		run "bench-overhead --source $src ($i/$BENCH_REPEAT)" \
			bench-overhead --source "$src" --path "$file" \
			--iterations "$BENCH_ITERATIONS" --rounds "$BENCH_ROUNDS" \
			--cycles "$BENCH_CYCLES"
	done
	i=$((i + 1))
done
for src in bpf kmod; do
	run "bench-drops --source $src" \
		bench-drops --source "$src" --path "$file" --seconds "$BENCH_SECONDS" \
		--hammers "$BENCH_HAMMERS"
done

expect_ok "rmmod osprey" rmmod osprey
finish
