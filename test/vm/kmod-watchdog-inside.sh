#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# kmod-watchdog-inside.sh: runs inside the VM (as /payload/run-inside.sh) for the vm-kmod-watchdog
# test: the driver watchdog (docs/operations.md) on the kernel module, under the attacks an
# attacker with root has against it.
#
# 1. osprey runs on the module (--driver=kmod) with the watchdog (1 s canaries, 3 s timeout,
#    actions alert + healthz) and the web server on 127.0.0.1; /healthz answers 200.
# 2. `rmmod osprey`: the kernel refuses it while osprey holds the devices (the module's file
#    operations take a module reference on open); osprey stays healthy. `rmmod -f` is not tried
#    here: Debian's kernel allows it (CONFIG_MODULE_FORCE_UNLOAD=y, taint "R"), and it runs the
#    module's exit and frees its code under osprey's open files, mappings and running probes.
#    Tried once in this VM: the next tracepoint hit oopses at once (page fault in the freed
#    module's code, in rmmod itself and then in osprey), oops after oops until the VM hangs. That
#    is a crashed kernel, loud on its own, not a blind sensor a watchdog could report.
# 3. What an attacker can do instead: copy one of osprey's device fds with pidfd_getfd()
#    (kmod-steal-stop) and send OSP_KMOD_IOC_STOP through it. The module stops writing osprey's
#    records; the watchdog must notice within its timeout: the alert "Osprey internal: driver
#    watchdog", /healthz 503 naming the reason, the log line; osprey keeps running and stops on
#    SIGTERM with exit 0. Then rmmod succeeds and leaves no device behind.
# 4. With `reopen` among the actions: the capture comes back after the stop; an rmmod retried in
#    a loop wins during the back-off (the devices are closed then), the reopens fail naming the
#    missing device and osprey gives up with one line and exit status 1.
#
# No curl in the initramfs: /healthz is read with busybox nc (the body is needed on a 503, which
# busybox wget does not print).
# shellcheck source=lib-inside.sh
. /payload/lib-inside.sh

ko=/modules/osprey.ko
T=/tmp/wd
PORT=8765
mkdir -p "$T"
[ -f "$ko" ] || { echo "inside: $ko is not in the initramfs"; exit 1; }
command -v osprey >/dev/null || { echo "inside: osprey is not in the initramfs"; exit 1; }
command -v kmod-steal-stop >/dev/null || { echo "inside: kmod-steal-stop is not in the initramfs"; exit 1; }

# healthz: prints the status code and the body of GET /healthz
healthz() {
	printf 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' |
		timeout 5 nc -w 3 127.0.0.1 "$PORT" 2>/dev/null | tr -d '\r' |
		sed -n -e '1s/^HTTP\/1\.[01] \([0-9]*\).*/\1/p' -e '/^{/p'
}

# healthz_is CODE: /healthz answers CODE
healthz_is() {
	[ "$(healthz | head -n 1)" = "$1" ]
}

# wait_for SECONDS CMD...: retries CMD every 0.2 s while osprey runs
wait_for() {
	n=$(($1 * 5))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		kill -0 "$opid" 2>/dev/null || return 1
		usleep 200000
		n=$((n - 1))
	done
	return 1
}

expect_ok "insmod osprey.ko" insmod "$ko"
is_loaded osprey || { echo "inside: osprey is not loaded; nothing else can be checked"; finish; }

printf -- '- rule: Any open of the marker\n  desc: d\n  condition: evt.type in (open, openat) and fd.name = /tmp/wd/marker\n  output: marker opened\n  priority: NOTICE\n' >"$T/rules.yaml"
start=$(cut -d' ' -f1 /proc/uptime)
osprey --driver=kmod -r "$T/rules.yaml" -o json_output=true -o syslog_output.enabled=false \
	-o webserver.enabled=true -o webserver.listen_address=127.0.0.1 \
	-o webserver.listen_port=$PORT -o webserver.prometheus_metrics_enabled=true \
	-o watchdog.interval=1s -o watchdog.timeout=3s -o 'watchdog.actions=[alert, healthz]' \
	>"$T/out" 2>"$T/log" &
opid=$!
if wait_for 60 healthz_is 200; then
	pass "osprey on the module answers /healthz 200 ($(healthz | tail -n 1))"
else
	fail "osprey on the module never answered /healthz 200: $(healthz | tr '\n' ' '); $(tail -n 5 "$T/log")"
fi
echo "inside: healthy $(awk -v s="$start" '{ printf "%.1f", $1 - s }' /proc/uptime) s after start"
expect_ok "a canary came back through the module" wait_for 20 sh -c \
	"printf 'GET /metrics HTTP/1.0\r\n\r\n' | timeout 5 nc -w 3 127.0.0.1 $PORT | grep -q '^osprey_watchdog_canaries_seen_total [1-9]'"
echo marker >"$T/marker"
expect_ok "osprey raises a rule's alert from the module" wait_for 10 sh -c \
	"cat $T/marker >/dev/null; grep -q 'marker opened' $T/out"
echo "inside: module reference count while osprey runs: $(cat /sys/module/osprey/refcnt 2>/dev/null)"

# The plain unload: refused while the devices are open.
if rmmod osprey 2>"$T/rmmod.err"; then
	fail "rmmod osprey succeeded while osprey held /dev/osprey*"
else
	pass "rmmod osprey refused while osprey runs ($(head -n 1 "$T/rmmod.err"))"
fi
expect_ok "the module is still loaded" is_loaded osprey
expect_ok "osprey still runs after the refused rmmod" kill -0 "$opid"
expect_ok "/healthz still 200 after the refused rmmod" healthz_is 200

# The attack that works: stop osprey's capture through a copy of its own fd.
at=$(cut -d' ' -f1 /proc/uptime)
expect_ok "kmod-steal-stop stops osprey's capture through pidfd_getfd" kmod-steal-stop "$opid"
if wait_for 30 healthz_is 503; then
	pass "/healthz 503 after the stop, $(awk -v s="$at" '{ printf "%.1f", $1 - s }' /proc/uptime) s later"
else
	fail "/healthz never answered 503 after the stop: $(healthz | tr '\n' ' ')"
fi
body=$(healthz | tail -n 1)
echo "inside: /healthz: $body"
case $body in
*'"status":"error"'*silent*|*'"status":"error"'*canary*) pass "/healthz names the reason" ;;
*) fail "/healthz body has no reason: $body" ;;
esac
expect_ok "the watchdog alert is out" wait_for 10 grep -q '"rule":"Osprey internal: driver watchdog"' "$T/out"
# "silent" when no record moved in the whole timeout; "lost the watchdog's canary" when records
# written just before the stop fell into the canary's window: both are the stop, seen.
expect_ok "the watchdog's log line names the failure" grep -q -e 'Driver watchdog: the driver is silent' \
	-e "Driver watchdog: the driver lost the watchdog's canary" "$T/log"
grep 'Driver watchdog' "$T/log" | head -n 2 | sed 's/^/inside: osprey: /'
expect_ok "osprey still runs (no crash, no exit: the actions are alert and healthz)" kill -0 "$opid"

# SIGTERM ends it cleanly within a bound: no hang on the stopped devices.
kill -TERM "$opid"
n=0
while [ "$n" -lt 100 ] && kill -0 "$opid" 2>/dev/null; do
	usleep 200000
	n=$((n + 1))
done
if kill -0 "$opid" 2>/dev/null; then
	fail "osprey still running 20 s after SIGTERM"
	kill -KILL "$opid"
fi
rc=0
wait "$opid" || rc=$?
if [ "$rc" = 0 ]; then
	pass "osprey exited 0 on SIGTERM"
else
	fail "osprey exited with status $rc on SIGTERM"
fi
tail -n 5 "$T/log" | sed 's/^/inside: osprey stderr: /'

expect_ok "rmmod osprey once osprey is gone" rmmod osprey
expect_fail "the module is gone" is_loaded osprey
expect_fail "/dev/osprey0 is gone" test -e /dev/osprey0

# With `reopen` among the actions the watchdog closes the devices and opens them again: the
# capture comes back after the stop. But while the devices are closed (the back-off), the module
# holds no reference: an attacker retrying rmmod in a loop unloads it then. The reopens then fail,
# naming the missing device, and osprey gives up with one line and a non-zero exit, so that the
# service manager restarts it (and the loader inserts the module again).
expect_ok "insmod osprey.ko again" insmod "$ko"
osprey --driver=kmod -r "$T/rules.yaml" -o json_output=true -o syslog_output.enabled=false \
	-o webserver.enabled=true -o webserver.listen_address=127.0.0.1 \
	-o webserver.listen_port=$PORT -o webserver.prometheus_metrics_enabled=true \
	-o watchdog.interval=1s -o watchdog.timeout=3s \
	-o 'watchdog.actions=[alert, healthz, reopen]' -o recovery.backoff=1s \
	-o recovery.max_reopens=2 >"$T/out2" 2>"$T/log2" &
opid=$!
expect_ok "osprey (watchdog with reopen) answers /healthz 200" wait_for 60 healthz_is 200
expect_ok "kmod-steal-stop stops osprey's capture again" kmod-steal-stop "$opid"
expect_ok "the watchdog reopens the devices" wait_for 30 grep -q 'Event source reopened' "$T/log2"
expect_ok "/healthz 200 again after the reopen" wait_for 30 healthz_is 200
expect_ok "rules fire again after the reopen" wait_for 10 sh -c \
	"cat $T/marker >/dev/null; grep -q 'marker opened' $T/out2"

# The attacker retries rmmod every 50 ms, then stops the capture once more.
(
	n=0
	while [ "$n" -lt 1200 ] && ! rmmod osprey 2>/dev/null; do
		usleep 50000
		n=$((n + 1))
	done
	is_loaded osprey || echo "rmmod won after $n attempts" >"$T/rmmod-won"
) &
looper=$!
at=$(cut -d' ' -f1 /proc/uptime)
expect_ok "kmod-steal-stop stops the reopened capture" kmod-steal-stop "$opid"
n=0
while [ "$n" -lt 300 ] && kill -0 "$opid" 2>/dev/null; do
	usleep 200000
	n=$((n + 1))
done
if kill -0 "$opid" 2>/dev/null; then
	fail "osprey still running 60 s after the module was unloaded under it"
	kill -KILL "$opid"
fi
rc=0
wait "$opid" || rc=$?
echo "inside: osprey ended $(awk -v s="$at" '{ printf "%.1f", $1 - s }' /proc/uptime) s after the second stop, status $rc"
kill "$looper" 2>/dev/null
wait "$looper" 2>/dev/null
if [ -f "$T/rmmod-won" ]; then
	pass "the attacker's rmmod loop unloaded the module while the devices were closed ($(cat "$T/rmmod-won"))"
else
	fail "the rmmod loop never unloaded the module"
fi
grep -e 'Driver watchdog' -e 'Reopening' -e 'Giving up' "$T/log2" | sed 's/^/inside: osprey: /'
if [ "$rc" != 0 ]; then
	pass "osprey exited non-zero ($rc) once the module was gone"
else
	fail "osprey exited 0 with its module gone"
fi
expect_ok "the failed reopen names the missing device" grep -q 'Reopening the event source failed (.*/dev/osprey0' "$T/log2"
expect_ok "one clear last line: giving up after 2 failed reopens" \
	grep -q 'Giving up: the event source could not be reopened 2 times in a row' "$T/log2"
expect_ok "the watchdog alert came first" grep -q '"rule":"Osprey internal: driver watchdog"' "$T/out2"
expect_fail "/dev/osprey0 is gone" test -e /dev/osprey0
finish
