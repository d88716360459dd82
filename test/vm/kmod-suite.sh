#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# kmod-suite.sh: runs inside the VM (as /payload/run-inside.sh) for the
# vm-kmod test, against the osprey kernel module (driver/kmod/osprey.ko):
# load, devices and sysfs, the driver conformance suite (test-driver --source
# kmod, then --source bpf: the eBPF probe on this kernel), the osprey runtime on
# the module (raw stream, then the default rules on real behaviours), the cases
# the module must refuse, and unload. run-vm.sh then fails the test if the kernel log has a warning,
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
	# The same table against the eBPF probe on this older kernel (Debian 12's 6.1): the
	# verifier there is stricter than the host's. No BTF here is a skip, not a failure.
	echo "inside: running test-driver --source bpf --timeout 10000"
	rc=0
	test-driver --source bpf --timeout 10000 || rc=$?
	case $rc in
	0) pass "test-driver --source bpf (eBPF probe on $(uname -r))" ;;
	77) echo "inside: SKIP test-driver --source bpf (no BTF or BPF ring buffer here)" ;;
	*) fail "test-driver --source bpf exited with status $rc" ;;
	esac
else
	echo "inside: SKIP test-driver (not built; OSPREY_VM_PARTIAL=1)"
fi

# The runtime on the module. First the raw stream (osprey capture --driver=kmod) must
# show a file being opened; then osprey with the default rules must raise the alerts of
# behaviours performed here for real, and exit 0 when its duration is up.
expect_alert() { # expect_alert RULE PRIORITY FIELD-FRAGMENT
	if grep -F "\"rule\":\"$1\"" /tmp/osprey.out | grep -F "\"priority\":\"$2\"" |
		grep -q -F "$3"; then
		pass "alert '$1' ($2) with $3"
	else
		fail "no alert '$1' ($2) with $3"
	fi
}

if [ -x /usr/local/bin/osprey ]; then
	marker=/tmp/osprey-vm-marker-$$
	echo marker >"$marker"
	echo "inside: running osprey capture --driver=kmod --duration=3"
	timeout 60 osprey capture --driver=kmod --duration=3 >/tmp/capture.out 2>/tmp/capture.err &
	opid=$!
	n=0
	while [ "$n" -lt 12 ] && kill -0 "$opid" 2>/dev/null; do
		cat "$marker" >/dev/null
		usleep 250000
		n=$((n + 1))
	done
	rc=0
	wait "$opid" || rc=$?
	[ "$rc" = 0 ] && pass "osprey capture --driver=kmod exited 0" ||
		fail "osprey capture --driver=kmod exited with status $rc"
	echo "inside: osprey capture printed $(wc -l </tmp/capture.out) event lines"
	if grep -q -F "$marker" /tmp/capture.out; then
		pass "osprey capture saw cat open $marker"
	else
		fail "osprey capture did not report $marker being opened"
		tail -n 5 /tmp/capture.err | sed 's/^/inside: osprey capture stderr: /'
	fi

	# CPU hotplug under a reader: every possible CPU has its buffer from load on, so a CPU
	# going offline and coming back is seen through, with no kernel warning (run-vm.sh checks).
	cpu1=/sys/devices/system/cpu/cpu1/online
	if [ -w "$cpu1" ]; then
		echo "inside: CPU hotplug during osprey capture --driver=kmod"
		timeout 60 osprey capture --driver=kmod --duration=5 >/tmp/hotplug.out \
			2>/tmp/hotplug.err &
		opid=$!
		usleep 1500000
		echo off >"$marker-off"
		echo on >"$marker-on"
		expect_ok "CPU 1 goes offline under the reader" sh -c "echo 0 >$cpu1"
		cat "$marker-off" >/dev/null
		expect_ok "CPU 1 comes back online" sh -c "echo 1 >$cpu1"
		usleep 300000
		taskset -c 1 cat "$marker-on" >/dev/null
		rc=0
		wait "$opid" || rc=$?
		[ "$rc" = 0 ] && pass "osprey capture through hotplug exited 0" ||
			fail "osprey capture through hotplug exited with status $rc"
		grep -q -F "$marker-off" /tmp/hotplug.out && pass "event seen while CPU 1 was offline" ||
			fail "no event seen while CPU 1 was offline"
		grep -q -F "$marker-on" /tmp/hotplug.out && pass "event seen on CPU 1 back online" ||
			fail "no event seen on CPU 1 back online"
	else
		echo "inside: SKIP CPU hotplug ($cpu1 not writable)"
	fi

	rules=/payload/osprey_rules.yaml
	printf 'root:*:19000:0:99999:7:::\n' >/etc/shadow
	chmod 0600 /etc/shadow
	mkdir -p /dev/shm
	echo "inside: running osprey --driver=kmod -r $rules --duration=12 (JSON alerts)"
	timeout 90 osprey --driver=kmod -r "$rules" --duration=12 -o json_output=true \
		-o syslog_output.enabled=false >/tmp/osprey.out 2>/tmp/osprey.err &
	opid=$!
	n=0
	while [ "$n" -lt 40 ] && ! grep -q 'Evaluating' /tmp/osprey.err; do
		usleep 100000
		n=$((n + 1))
	done
	usleep 500000
	# Each line is a behaviour of the default rules (docs/default-rules.md), busybox style.
	head -c1 /etc/shadow >/dev/null
	touch /etc/osp-test && rm -f /etc/osp-test
	cp /bin/busybox /dev/shm/true && /dev/shm/true; rm -f /dev/shm/true
	cp /bin/busybox /tmp/osp-suid && chmod u+s /tmp/osp-suid; rm -f /tmp/osp-suid
	ln -sf /etc/shadow /tmp/osp-shadow-link; rm -f /tmp/osp-shadow-link
	insmod /etc/passwd 2>/dev/null
	rc=0
	wait "$opid" || rc=$?
	[ "$rc" = 0 ] && pass "osprey --driver=kmod --duration=12 exited 0" ||
		fail "osprey --driver=kmod --duration=12 exited with status $rc"
	echo "inside: osprey raised $(grep -c '"rule"' /tmp/osprey.out) alerts"
	expect_alert "Shadow or Sudoers File Read by Untrusted Program" Warning \
		'"fd.name":"/etc/shadow"'
	expect_alert "System Configuration Modified Below /etc" Warning '"fd.name":"/etc/osp-test"'
	expect_alert "Program Run from Shared Memory" Warning '"proc.exepath":"/dev/shm/true"'
	expect_alert "Setuid or Setgid Bit Set on File" Notice '/tmp/osp-suid'
	expect_alert "Link Created to Sensitive File" Warning '/etc/shadow'
	expect_alert "Kernel Module Load Attempted" Warning '"proc.name":"insmod"'
	grep -o '"output":"[^"]*' /tmp/osprey.out | head -n 10 | sed 's/^/inside: osprey: /'
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
