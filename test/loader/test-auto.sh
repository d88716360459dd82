#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2015 # "check && ok || fail": ok only echoes
# `auto` and `ebpf` on this machine: the kernel is probed (BTF, ring buffer,
# a tp_btf program is loaded) and the choice file is written with the reason.
# shellcheck source=test/loader/lib.sh disable=SC2154 # PORT_* are set by start_server
. "$SRCDIR/lib.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: probing BPF needs root"; exit 77; }
[ -e /sys/kernel/btf/vmlinux ] || { echo "SKIP: kernel without BTF"; exit 77; }

expect 0 "auto" -- "$LOADER" auto --choice-file "$T/run/osprey/driver"
has "auto: chose ebpf: kernel has BTF, BPF ring buffer and tp_btf programs"
if [ ! -e /proc/modules ]; then has "kernel has no loadable module support"; fi
grep -qx 'driver=ebpf' "$T/run/osprey/driver" && ok "choice file says driver=ebpf" || fail "choice file wrong"
grep -q '^api_version=[0-9]' "$T/run/osprey/driver" && ok "choice file has the API version" || fail "no api_version"
grep -qx "kernel_release=$(uname -r)" "$T/run/osprey/driver" && ok "choice file has the release" || fail "no release"
expect 0 "default command is auto" -- "$LOADER" --choice-file "$T/c2"
has "auto: chose ebpf"
expect 0 "auto --dry-run" -- "$LOADER" auto --dry-run --choice-file "$T/dry/driver"
has "driver=ebpf"
has "reason=kernel has BTF, BPF ring buffer and tp_btf programs"
has "dry run: nothing written"
[ ! -e "$T/dry/driver" ] && [ ! -e "$T/dry" ] && ok "--dry-run wrote nothing" || fail "--dry-run wrote the choice"
"$LOADER" auto --dry-run --choice-file "$T/dry/driver" 2>/dev/null | grep -qx "driver=ebpf" &&
	ok "--dry-run prints the choice on stdout" || fail "--dry-run stdout"
expect 2 "--dry-run is for auto only" -- "$LOADER" kmod --dry-run --choice-file "$T/dry/driver"
has "--dry-run"
expect 0 "ebpf" -- "$LOADER" ebpf --choice-file "$T/c3"
has "Using the eBPF probe"
expect 1 "unwritable choice file is explained" -- "$LOADER" ebpf --choice-file /proc/osprey/driver
has "Cannot write the driver choice"
finish test-auto
