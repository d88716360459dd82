#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# run-vm.sh: boot a kernel with a test initramfs under qemu (software
# emulation, TCG) and report what happened inside.
#
#   run-vm.sh --kernel VMLINUZ --initrd CPIO --log FILE [--timeout SECS]
#             [--append 'ARGS'] [--smp N] [--memory MIB]
#
# The initramfs' /init (test/vm/init) runs /payload/run-inside.sh and prints
# its exit status and dmesg between markers on the serial console, which is
# captured to FILE. Exits with the inner exit status (77 inside = skip), or
# 1 if the VM did not finish, or if the kernel log has a BUG, WARNING, Oops,
# KASAN/UBSAN report, general protection fault, call trace or panic (the
# offending lines are printed). Exits 77 if qemu is not installed.
#
# KVM is never used: it hangs on the machines this runs on, and TCG makes the
# result independent of the host kernel. OSPREY_VM_QEMU overrides the qemu
# binary.
set -eu

kernel=
initrd=
log=
timeout_s=240
append_extra=
smp=2
memory=1024
qemu=${OSPREY_VM_QEMU:-qemu-system-x86_64}

die() {
	echo "run-vm: $*" >&2
	exit 1
}

need_arg() {
	[ "$1" -ge 2 ] || die "'$2' needs an argument (see --help)"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel|--initrd|--log|--timeout|--append|--smp|--memory) need_arg $# "$1" ;;
	esac
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--append) append_extra=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--memory) memory=$2; shift 2 ;;
	-h|--help) sed -n '3,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

case "$timeout_s" in ''|*[!0-9]*) die "--timeout '$timeout_s' is not a number of seconds" ;; esac
case "$smp" in ''|*[!0-9]*|0) die "--smp '$smp' is not a CPU count" ;; esac
case "$memory" in ''|*[!0-9]*|0) die "--memory '$memory' is not a size in MiB" ;; esac
[ -n "$kernel" ] || die "no kernel given (--kernel /boot/vmlinuz-VER)"
[ -n "$initrd" ] || die "no initramfs given (--initrd FILE, see mkinitramfs.sh)"
[ -n "$log" ] || die "no console log file given (--log FILE)"
if ! command -v "$qemu" >/dev/null 2>&1; then
	echo "run-vm: SKIP: $qemu not found (apt-get install qemu-system-x86)" >&2
	exit 77
fi
if [ ! -r "$kernel" ]; then
	echo "run-vm: SKIP: cannot read kernel image '$kernel' (apt-get install linux-image-amd64)" >&2
	exit 77
fi
[ -r "$initrd" ] || die "cannot read initramfs '$initrd'"

mkdir -p "$(dirname "$log")"
: >"$log"
start=$(date +%s.%N)
qrc=0
timeout --kill-after=10 "$timeout_s" "$qemu" \
	-accel tcg -machine q35 -cpu max -smp "$smp" -m "$memory" \
	-nographic -nodefaults -no-user-config -monitor none -serial "file:$log" -no-reboot \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 quiet loglevel=5 panic=-1 rdinit=/init $append_extra" \
	</dev/null || qrc=$?
end=$(date +%s.%N)
elapsed=$(echo "$start $end" | awk '{ printf "%.1f", $2 - $1 }')

# The console is a tty: lines end in \r\n.
clean=$log.txt
tr -d '\r' <"$log" >"$clean"

# What run-inside.sh printed, between the markers.
awk '/^===OSPREY-VM-DMESG-BEGIN===$/ { p = 0 } p { print } /^===OSPREY-VM-BEGIN/ { p = 1 }' "$clean"
uptime=$(sed -n 's/^===OSPREY-VM-BEGIN uptime=\([0-9.]*\)===$/\1/p' "$clean" | tail -n 1)
echo "run-vm: boot to poweroff took ${elapsed}s (kernel up ${uptime:-?}s when the test started)"

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "run-vm: FAIL: the VM did not power off within ${timeout_s}s; console tail ($log):" >&2
	tail -n 40 "$clean" >&2
	exit 1
fi
if [ "$qrc" != 0 ]; then
	echo "run-vm: FAIL: $qemu exited with status $qrc; console tail ($log):" >&2
	tail -n 40 "$clean" >&2
	exit 1
fi

status=0
# Kernel lines are the timestamped ones: the console's own and the dmesg dump.
bad=$(grep -E '^\[ *[0-9]+\.[0-9]+\]' "$clean" |
	grep -E 'BUG:|kernel BUG at|WARNING:|Oops|KASAN|UBSAN|general protection fault|Kernel panic|Call Trace:' |
	sort -u || true)
if [ -n "$bad" ]; then
	echo "run-vm: FAIL: the kernel log has errors:" >&2
	echo "$bad" >&2
	status=1
fi

inner=$(sed -n 's/^===OSPREY-VM-EXIT=\([0-9]*\)===$/\1/p' "$clean" | tail -n 1)
if [ -z "$inner" ]; then
	echo "run-vm: FAIL: no exit status from inside the VM (crashed or panicked?); console tail ($log):" >&2
	tail -n 40 "$clean" >&2
	exit 1
fi
echo "run-vm: inner exit status $inner"
[ "$status" = 0 ] || exit "$status"
exit "$inner"
