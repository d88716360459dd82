#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# smoke-inside.sh: runs inside the VM (as /payload/run-inside.sh) for the
# vm-smoke test. Loads the smoke module test/vm/smoke-module/vmsmoke.ko and
# checks every part of the harness a real module test relies on: insmod,
# /sys/module, the device node devtmpfs creates, dmesg, the module refcount
# held by an open file, unprivileged access via su, and rmmod.
# shellcheck source=lib-inside.sh disable=SC2016 # sh -c '...' expands inside, on purpose
. /payload/lib-inside.sh

ko=/modules/vmsmoke.ko

echo "inside: kernel $(uname -r), $(nproc) CPUs, cgroup $(cat /proc/self/cgroup)"
[ -f "$ko" ] || { echo "inside: $ko is not in the initramfs"; exit 1; }

expect_fail "not loaded at boot" is_loaded vmsmoke
expect_ok "insmod vmsmoke.ko" insmod "$ko"
expect_ok "listed by lsmod" sh -c 'lsmod | grep -q "^vmsmoke "'
expect_ok "/sys/module/vmsmoke/version is 1.0" \
	sh -c '[ "$(cat /sys/module/vmsmoke/version)" = 1.0 ]'
expect_ok "load logged" dmesg_has "vmsmoke: loaded, /dev/vmsmoke registered"
expect_ok "/dev/vmsmoke is a character device" test -c /dev/vmsmoke
expect_ok "/dev/vmsmoke reads back its line" \
	sh -c '[ "$(cat /dev/vmsmoke)" = "vmsmoke alive" ]'
expect_fail "insmod a second time" insmod "$ko"
expect_ok "still loaded after the second insmod" is_loaded vmsmoke

# An open file holds a module reference (fops.owner): rmmod must refuse.
# shellcheck disable=SC2217 # sleep only holds the device open
sleep 60 </dev/vmsmoke &
holder=$!
sleep 1
expect_fail "rmmod while /dev/vmsmoke is open" rmmod vmsmoke
expect_ok "still loaded while held" is_loaded vmsmoke
kill "$holder"
wait "$holder" 2>/dev/null

# The device is mode 0444: an unprivileged user reads it, and cannot unload it.
expect_ok "nobody reads /dev/vmsmoke" \
	su -s /bin/sh nobody -c '[ "$(id -u)" = 65534 ] && [ "$(cat /dev/vmsmoke)" = "vmsmoke alive" ]'
expect_fail "nobody cannot rmmod" su -s /bin/sh nobody -c 'rmmod vmsmoke'

expect_ok "rmmod vmsmoke" rmmod vmsmoke
expect_fail "gone from /proc/modules" is_loaded vmsmoke
expect_fail "/dev/vmsmoke removed" test -e /dev/vmsmoke
expect_ok "unload logged" dmesg_has "vmsmoke: unloaded"
expect_fail "rmmod when not loaded" rmmod vmsmoke

finish
