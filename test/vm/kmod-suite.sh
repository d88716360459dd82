#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# kmod-suite.sh: runs inside the VM (as /payload/run-inside.sh) for the
# vm-kmod test, against the osprey kernel module (driver/kmod/osprey.ko):
# load, devices and sysfs, the driver conformance suite (test-driver --source
# kmod), a short run of the osprey runtime, the cases the module must refuse,
# and unload. run-vm.sh then fails the test if the kernel log has a warning,
# BUG or oops. A missing test-driver or osprey binary is skipped here only
# under OSPREY_VM_PARTIAL=1 (vm-test.sh exits 77 for the run in that case).
# shellcheck source=lib-inside.sh disable=SC2016 # sh -c '...' expands inside, on purpose
. /payload/lib-inside.sh

ko=/modules/osprey.ko

echo "inside: kernel $(uname -r), $(nproc) CPUs online, possible $(cat /sys/devices/system/cpu/possible)"
[ -f "$ko" ] || { echo "inside: $ko is not in the initramfs"; exit 1; }

# Number of CPUs in a list like "0-1" or "0,2-3".
cpu_count() {
	echo "$1" | tr ',' '\n' | awk -F- '{ n += (NF == 2 ? $2 - $1 + 1 : 1) } END { print n }'
}
ncpus=$(cpu_count "$(cat /sys/devices/system/cpu/possible)")

expect_fail "not loaded at boot" is_loaded osprey
expect_ok "insmod osprey.ko" insmod "$ko"
if ! is_loaded osprey; then
	echo "inside: osprey is not loaded; nothing else can be checked"
	finish
fi

version=$(cat /sys/module/osprey/version 2>/dev/null)
if [ -n "$version" ]; then
	pass "/sys/module/osprey/version is '$version'"
else
	fail "/sys/module/osprey/version is missing or empty (MODULE_VERSION)"
fi
for p in /sys/module/osprey/parameters/*; do
	[ -e "$p" ] && echo "inside: parameter $(basename "$p") = $(cat "$p" 2>/dev/null)"
done
expect_ok "/dev/osprey0 is a character device" test -c /dev/osprey0
i=0
while [ "$i" -lt "$ncpus" ]; do
	[ -c "/dev/osprey$i" ] || fail "/dev/osprey$i missing (one device per possible CPU)"
	i=$((i + 1))
done
expect_fail "no /dev/osprey$ncpus beyond the $ncpus possible CPUs" test -e "/dev/osprey$ncpus"
echo "inside: $(ls -l /dev/osprey0)"
expect_fail "insmod a second time" insmod "$ko"
expect_ok "still loaded after the second insmod" is_loaded osprey

# The driver conformance suite, against the module.
if [ -x /usr/local/bin/test-driver ]; then
	# Software emulation is several times slower than the host: wait longer for events.
	echo "inside: running test-driver --source kmod --timeout 10000"
	rc=0
	test-driver --source kmod --timeout 10000 || rc=$?
	if [ "$rc" = 0 ]; then
		pass "test-driver --source kmod"
	else
		# 77 (skip) counts as a failure here: the module is loaded, nothing is missing.
		fail "test-driver --source kmod exited with status $rc"
	fi
else
	echo "inside: SKIP test-driver (not built; OSPREY_VM_PARTIAL=1)"
fi

# The runtime, briefly, on the module: it must start, see a file being opened,
# and exit 0 when its duration is up.
if [ -x /usr/local/bin/osprey ]; then
	marker=/tmp/osprey-vm-marker-$$
	echo marker >"$marker"
	echo "inside: running osprey --driver=kmod --duration=5"
	timeout 60 osprey --driver=kmod --duration=5 >/tmp/osprey.out 2>/tmp/osprey.err &
	opid=$!
	n=0
	while [ "$n" -lt 20 ] && kill -0 "$opid" 2>/dev/null; do
		cat "$marker" >/dev/null
		usleep 250000
		n=$((n + 1))
	done
	rc=0
	wait "$opid" || rc=$?
	if [ "$rc" = 0 ]; then
		pass "osprey --driver=kmod --duration=5 exited 0"
	else
		fail "osprey --driver=kmod --duration=5 exited with status $rc"
	fi
	echo "inside: osprey printed $(wc -l </tmp/osprey.out) event lines"
	if grep -q -F "$marker" /tmp/osprey.out; then
		pass "osprey saw cat open $marker"
		grep -F "$marker" /tmp/osprey.out | head -n 3 | sed 's/^/inside: osprey: /'
	else
		fail "osprey did not report $marker being opened"
		tail -n 5 /tmp/osprey.out | sed 's/^/inside: osprey: /'
	fi
	tail -n 20 /tmp/osprey.err | sed 's/^/inside: osprey stderr: /'
else
	echo "inside: SKIP osprey run (not built; OSPREY_VM_PARTIAL=1)"
fi

# Unprivileged users must not open the devices.
expect_fail "nobody cannot open /dev/osprey0" su -s /bin/sh nobody -c 'exec 3<>/dev/osprey0'
expect_fail "nobody cannot rmmod" su -s /bin/sh nobody -c 'rmmod osprey'

# An open device holds the module: rmmod must refuse, or (if it succeeds) leave
# nothing behind, and closing afterwards must be clean.
sleep 60 <>/dev/osprey0 &
holder=$!
sleep 1
if kill -0 "$holder" 2>/dev/null; then
	if rmmod osprey 2>/tmp/rmmod.err; then
		echo "inside: rmmod succeeded while /dev/osprey0 was open"
		expect_fail "gone after rmmod under an open device" is_loaded osprey
	else
		pass "rmmod while /dev/osprey0 is open (refused: $(head -n 1 /tmp/rmmod.err))"
		expect_ok "still loaded while held" is_loaded osprey
	fi
	kill "$holder"
	wait "$holder" 2>/dev/null
else
	fail "could not hold /dev/osprey0 open (sleep <>/dev/osprey0 exited)"
fi

if is_loaded osprey; then
	expect_ok "rmmod osprey" rmmod osprey
fi
expect_fail "gone from /proc/modules" is_loaded osprey
expect_fail "/dev/osprey0 removed" test -e /dev/osprey0
expect_fail "rmmod when not loaded" rmmod osprey

# Parameters: a size that is not a power of two is refused; the minimum works.
expect_fail "insmod buffer_bytes_per_cpu=12345" insmod "$ko" buffer_bytes_per_cpu=12345
expect_fail "not loaded after the refused insmod" is_loaded osprey
expect_ok "insmod buffer_bytes_per_cpu=65536 (the minimum) max_consumers=2" insmod "$ko" buffer_bytes_per_cpu=65536 max_consumers=2
if is_loaded osprey; then
	expect_ok "buffer_bytes_per_cpu reads back 65536" \
		sh -c '[ ! -r /sys/module/osprey/parameters/buffer_bytes_per_cpu ] ||
			[ "$(cat /sys/module/osprey/parameters/buffer_bytes_per_cpu)" = 65536 ]'
	expect_ok "open and close /dev/osprey0 with the small buffer" sh -c 'exec 3<>/dev/osprey0'
	# The device ABI's error paths: bad ioctl arguments, mmap sizes, offsets and protections, a
	# nonsense consumer tail, one consumer more than max_consumers (2 here).
	if command -v kmod-abi-check >/dev/null; then
		if out=$(timeout 60 kmod-abi-check /dev 2 2>&1); then
			pass "kmod-abi-check: $(echo "$out" | tail -n 1)"
		else
			echo "$out" | grep '^not ok' | sed 's/^/inside: /'
			fail "kmod-abi-check: $(echo "$out" | tail -n 1)"
		fi
	else
		echo "inside: SKIP kmod-abi-check (not in the initramfs)"
	fi
	expect_ok "rmmod osprey again" rmmod osprey
fi

finish
