#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Operating osprey, case by case: ops.sh OSPREY OPS_HAMMER CASE
# Exit 0 = pass, 1 = fail (each failed expectation printed), 77 = skipped (the reason printed).
# Every case runs the real osprey on the eBPF probe: root and BTF are needed.
set -u

OSPREY=$1
HAMMER=$2
CASE=$3

T=$(mktemp -d /tmp/osprey-ops.XXXXXX) || exit 1
OSP_PID=
cleanup() {
	[ -n "$OSP_PID" ] && kill "$OSP_PID" 2>/dev/null && wait "$OSP_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
failures=0

fail() {
	echo "FAIL [$CASE]: $*" >&2
	failures=$((failures + 1))
}

skip() {
	echo "SKIP [$CASE]: $*" >&2
	exit 77
}

need() {
	command -v "$1" >/dev/null || skip "$1 is not installed ($2)"
}

[ "$(id -u)" = 0 ] || skip "needs root (the eBPF probe)"
[ -r /sys/kernel/btf/vmlinux ] || skip "needs a kernel with BTF"
need curl "Debian package curl"
need jq "Debian package jq"

# A free port: the kernel picks one for a socket we close at once.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
	echo $((20000 + RANDOM % 20000)))

cat >"$T/rules.yaml" <<'EOF'
- rule: Ops test shell
  desc: a shell named osp-ops-sh ran
  condition: evt.type = execve and proc.name = osp-ops-sh
  output: ops test shell ran (proc=%proc.name)
  priority: WARNING
  tags: [ops, T1059.004]
EOF

# start_osprey ARGS...: osprey in the background, JSON alerts in $T/alerts.json, log in $T/log
start_osprey() {
	"$OSPREY" -r "$T/rules.yaml" -o json_output=true -o stdout_output.enabled=false \
		-o syslog_output.enabled=false -o file_output.enabled=true \
		-o file_output.keep_alive=true -o file_output.filename="$T/alerts.json" \
		-o webserver.enabled=true -o webserver.listen_address=127.0.0.1 \
		-o webserver.listen_port="$PORT" "$@" >"$T/out" 2>"$T/log" &
	OSP_PID=$!
}

# wait_for SECONDS CMD...: retries CMD every 0.2 s; 1 if it never succeeded
wait_for() {
	local n=$(($1 * 5))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		kill -0 "$OSP_PID" 2>/dev/null || return 1
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}

healthy() {
	curl -sf --max-time 2 "$@" "$URL/healthz" | grep -q '"status":"ok"'
}

stop_osprey() {
	kill "$OSP_PID" 2>/dev/null
	wait "$OSP_PID"
	rc=$?
	OSP_PID=
}

# http_code PATH [CURL ARGS]: the status code
http_code() {
	local p=$1
	shift
	curl -s -o "$T/body" -w '%{http_code}' --max-time 5 "$@" "$URL$p"
}

# detach_links: what an attacker does first, to this osprey's BPF links only (other programs may
# have links too; the link fds' fdinfo names them)
detach_links() {
	local ids detached=0 id gargs f
	ids=$(sed -n 's/^link_id:[[:space:]]*//p' /proc/"$OSP_PID"/fdinfo/* 2>/dev/null)
	[ -n "$ids" ] || skip "no BPF link fd in /proc/$OSP_PID/fdinfo"
	for id in $ids; do bpftool link detach id "$id" 2>>"$T/bpftool" && detached=$((detached + 1)); done
	[ "$detached" = 0 ] || return 0
	# the kernel cannot detach tracepoint links ("Operation not supported"): an attacker with
	# root closes the link fds inside osprey instead, through ptrace
	command -v gdb >/dev/null ||
		skip "bpftool cannot detach tracepoint links ($(head -1 "$T/bpftool")) and gdb is missing"
	gargs=()
	for f in $(grep -l '^link_id:' /proc/"$OSP_PID"/fdinfo/* | xargs -n1 basename); do
		gargs+=(-ex "call (int)close($f)")
	done
	gdb -p "$OSP_PID" -batch -nx "${gargs[@]}" >"$T/gdb" 2>&1 ||
		fail "gdb could not close the link fds: $(tail -3 "$T/gdb")"
	grep -q '^link_id:' /proc/"$OSP_PID"/fdinfo/* 2>/dev/null &&
		fail "osprey still holds BPF links after the detach"
	echo "links $(echo $ids): bpftool cannot detach them, closed inside osprey with gdb"
}

URL="http://127.0.0.1:$PORT"

case "$CASE" in
web-plain)
	start_osprey -o webserver.prometheus_metrics_enabled=true
	wait_for 30 healthy || fail "/healthz never answered 200 ok: $(tail -5 "$T/log")"
	c=$(http_code /healthz)
	[ "$c" = 200 ] || fail "/healthz: HTTP $c"
	jq -e '.status == "ok"' "$T/body" >/dev/null || fail "/healthz body: $(cat "$T/body")"
	c=$(http_code /versions)
	[ "$c" = 200 ] || fail "/versions: HTTP $c"
	for k in default_driver_version driver_api_version driver_schema_version engine_version \
		engine_version_semver falco_version libs_version plugin_api_version; do
		jq -e "has(\"$k\")" "$T/body" >/dev/null || fail "/versions lacks $k: $(cat "$T/body")"
	done
	c=$(http_code /metrics)
	[ "$c" = 200 ] || fail "/metrics: HTTP $c"
	grep -q '^falcosecurity_scap_n_evts_total [0-9]' "$T/body" || fail "/metrics: no scap_n_evts"
	c=$(http_code /nothing-here)
	[ "$c" = 404 ] || fail "/nothing-here: HTTP $c, expected 404"
	c=$(http_code /healthz -X POST -d x)
	[ "$c" = 405 ] || fail "POST /healthz: HTTP $c, expected 405"
	# the rule counter moves when the rule matches
	cp /bin/sh "$T/osp-ops-sh"
	for i in 1 2 3; do "$T/osp-ops-sh" -c true; done
	wait_for 10 sh -c "curl -s '$URL/metrics' | grep -q 'rule_name=\"Ops test shell\".*} 3$'" ||
		fail "falcosecurity_falco_rules_matches_total did not reach 3: $(curl -s "$URL/metrics" | grep rules_matches)"
	curl -s "$URL/metrics" | grep -q 'tag_ops="true",tag_T1059_004="true"' ||
		fail "the rule's tags are not labels"
	stop_osprey
	[ "$rc" = 0 ] || fail "osprey exited $rc on SIGTERM: $(tail -3 "$T/log")"
	;;
web-tls)
	need openssl "Debian package openssl"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" \
		2>/dev/null || skip "openssl cannot make a self-signed certificate"
	cat "$T/cert.pem" "$T/key.pem" >"$T/server.pem"
	URL="https://127.0.0.1:$PORT"
	start_osprey -o webserver.ssl_enabled=true -o webserver.ssl_certificate="$T/server.pem" \
		-o webserver.prometheus_metrics_enabled=true
	wait_for 30 healthy --cacert "$T/cert.pem" ||
		fail "/healthz over TLS never answered: $(tail -5 "$T/log")"
	for p in /healthz /versions /metrics; do
		c=$(http_code $p --cacert "$T/cert.pem")
		[ "$c" = 200 ] || fail "https $p: HTTP $c"
	done
	grep -q '^falcosecurity_falco_version_info' "$T/body" || fail "/metrics over TLS: no body"
	# an untrusted certificate is refused by the client, plain HTTP gets no answer
	curl -s --max-time 3 "$URL/healthz" >/dev/null && fail "curl trusted a self-signed certificate"
	c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$PORT/healthz")
	[ "$c" = 200 ] && fail "plain HTTP answered on the TLS port"
	# the server is still there
	c=$(http_code /healthz --cacert "$T/cert.pem")
	[ "$c" = 200 ] || fail "https /healthz after bad clients: HTTP $c"
	stop_osprey
	;;
web-errors)
	# a taken port: one clear line, non-zero exit, before the driver is loaded
	python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $PORT)); s.listen(1); time.sleep(20)" &
	holder=$!
	sleep 0.5
	start_osprey
	wait "$OSP_PID"
	rc=$?
	OSP_PID=
	kill $holder 2>/dev/null
	[ "$rc" != 0 ] || fail "osprey started on a taken port"
	grep -q "cannot listen on 127.0.0.1 port $PORT" "$T/log" || fail "no clear error: $(cat "$T/log")"
	# a certificate file that is not one
	echo "not a certificate" >"$T/bad.pem"
	start_osprey -o webserver.ssl_enabled=true -o webserver.ssl_certificate="$T/bad.pem"
	wait "$OSP_PID"
	rc=$?
	OSP_PID=
	[ "$rc" != 0 ] || fail "osprey started with a bad certificate"
	grep -q "cannot load the certificate and key from '$T/bad.pem'" "$T/log" ||
		fail "no clear error: $(cat "$T/log")"
	# bad values of the new keys, named
	"$OSPREY" -r "$T/rules.yaml" -o syscall_event_drops.actions='[log, shout]' -L \
		>/dev/null 2>"$T/err" && fail "actions 'shout' accepted"
	grep -q "syscall_event_drops.actions" "$T/err" || fail "bad action not named: $(cat "$T/err")"
	"$OSPREY" -r "$T/rules.yaml" -o metrics.interval=soon -L >/dev/null 2>"$T/err" &&
		fail "interval 'soon' accepted"
	grep -q "metrics.interval" "$T/err" || fail "bad interval not named: $(cat "$T/err")"
	# /metrics is off unless asked
	start_osprey
	wait_for 30 healthy || fail "/healthz never answered"
	c=$(http_code /metrics)
	[ "$c" = 404 ] || fail "/metrics answered $c with prometheus_metrics_enabled off"
	stop_osprey
	;;
metrics-promtool)
	need promtool "Debian package prometheus"
	start_osprey -o webserver.prometheus_metrics_enabled=true \
		-o metrics.include_empty_values=true -o metrics.libbpf_stats_enabled=true
	wait_for 30 healthy || fail "/healthz never answered"
	sleep 2
	c=$(http_code /metrics)
	[ "$c" = 200 ] || fail "/metrics: HTTP $c"
	promtool check metrics <"$T/body" >"$T/lint" 2>&1
	prc=$?
	# exit 1: the text does not parse; 3: lint findings. Falco's own names with findings are
	# kept for compatibility (dashboards use them); Osprey's osprey_* names must be clean.
	[ "$prc" = 0 ] || [ "$prc" = 3 ] || fail "promtool could not parse /metrics: $(cat "$T/lint")"
	grep -v -E '^falcosecurity_falco_(start_timestamp_nanoseconds|host_boot_timestamp_nanoseconds|host_num_cpus_total) ' \
		"$T/lint" | grep . && fail "promtool lint findings beyond Falco's names"
	for m in falcosecurity_falco_version_info falcosecurity_falco_rules_matches_total \
		falcosecurity_falco_outputs_queue_num_drops_total falcosecurity_scap_n_evts_total \
		falcosecurity_scap_n_drops_total falcosecurity_scap_n_drops_buffer_total \
		falcosecurity_falco_cpu_usage_ratio falcosecurity_falco_memory_rss_bytes \
		falcosecurity_falco_sha256_rules_files_info osprey_watchdog_canaries_total \
		osprey_bpf_prog_runs_total osprey_rule_sampled_evaluations_total \
		osprey_outputs_sink_delivered_total osprey_outputs_sink_dropped_total \
		osprey_outputs_sink_failed_total osprey_outputs_sink_queue_length; do
		grep -q "^# TYPE $m " "$T/body" || fail "/metrics lacks $m"
	done
	grep -q '^osprey_bpf_prog_runs_total{attach="sys_exit",prog_id="[0-9]*"} [1-9]' "$T/body" ||
		fail "no run count for the sys_exit program: $(grep osprey_bpf "$T/body")"
	grep -q "^falcosecurity_falco_sha256_rules_files_info{file_name=\"rules.yaml\",sha256=\"$(sha256sum "$T/rules.yaml" | cut -c1-64)\"} 1" \
		"$T/body" || fail "the rules file's sha256 is not $(sha256sum "$T/rules.yaml")"
	stop_osprey
	;;
metrics-snapshot)
	start_osprey -o metrics.enabled=true -o metrics.interval=1s -o metrics.output_rule=true \
		-o metrics.output_file="$T/metrics.jsonl"
	wait_for 30 healthy || fail "/healthz never answered"
	wait_for 10 test -s "$T/metrics.jsonl" || fail "no metrics snapshot in output_file"
	wait_for 10 grep -q 'Falco internal: metrics snapshot' "$T/alerts.json" ||
		fail "no metrics snapshot alert"
	stop_osprey
	head -1 "$T/metrics.jsonl" | jq -e '.rule == "Falco internal: metrics snapshot" and
		.output_fields["scap.n_evts"] > 0 and (.output_fields | has("falco.memory_rss_mb"))' \
		>/dev/null || fail "snapshot line: $(head -1 "$T/metrics.jsonl")"
	;;
drops-simulated)
	# simulate_drops: a heavy drop every second; actions at most every 2 s (rate 0.5)
	start_osprey -o syscall_event_drops.simulate_drops=true \
		-o 'syscall_event_drops.actions=[log, alert]' -o syscall_event_drops.rate=0.5 \
		-o syscall_event_drops.max_burst=1 -o webserver.prometheus_metrics_enabled=true
	wait_for 30 healthy || fail "/healthz never answered"
	sleep 8
	curl -s "$URL/metrics" >"$T/m"
	stop_osprey
	n=$(grep -c '"rule":"Falco internal: syscall event drop"' "$T/alerts.json")
	beyond=$(awk '/^osprey_drops_seconds_beyond_threshold_total /{print $2}' "$T/m")
	# the first drop second alone does nothing, the second acts, then one per 2 s at most:
	# about 1 + (beyond - 2) / 2 (one tick may pass between the scrape and the stop)
	[ "${beyond:-0}" -ge 5 ] || fail "only ${beyond:-0} simulated drop seconds in ~8 s"
	[ "$n" -ge 2 ] && [ "$n" -le $((2 + (beyond + 1) / 2)) ] ||
		fail "$n drop alerts for $beyond drop seconds at rate 0.5 (expected 2..$((2 + (beyond + 1) / 2)))"
	[ "$n" -lt "$beyond" ] || fail "$n alerts for $beyond drop seconds: one per second is a flood"
	grep -m1 '"rule":"Falco internal: syscall event drop"' "$T/alerts.json" |
		jq -e '.priority == "Debug" and (.output_fields.n_drops | tonumber) >= 1000 and
			(.output_fields | has("n_evts") and has("n_drops_buffer_total") and
			 has("n_drops_perc") and has("ebpf_enabled"))' >/dev/null ||
		fail "drop alert shape: $(grep -m1 'syscall event drop' "$T/alerts.json")"
	c=$(grep -c "Syscall event drops started" "$T/log")
	[ "$c" = 1 ] || fail "'drops started' logged $c times, expected once"
	grep -q '^osprey_drops_actions_suppressed_total [1-9]' "$T/m" ||
		fail "no suppressed actions counted: $(grep osprey_drops "$T/m")"
	;;
drops-exit)
	start_osprey -o syscall_event_drops.simulate_drops=true \
		-o 'syscall_event_drops.actions=[exit]' -o syscall_event_drops.max_burst=1
	for i in $(seq 1 100); do kill -0 "$OSP_PID" 2>/dev/null || break; sleep 0.2; done
	if kill -0 "$OSP_PID" 2>/dev/null; then
		fail "osprey still running 20 s after drops with actions [exit]"
		stop_osprey
	else
		wait "$OSP_PID"
		rc=$?
		OSP_PID=
		[ "$rc" != 0 ] || fail "exit action: exit code 0"
		grep -q "Exiting: syscall event drops beyond" "$T/log" || fail "no exit line: $(tail -3 "$T/log")"
	fi
	;;
drops-hammer)
	# a 64 KiB ring per CPU and two hammering processes: real drops
	start_osprey --buffer-size=64K -o 'syscall_event_drops.actions=[log, alert]' \
		-o syscall_event_drops.threshold=0.01 -o syscall_event_drops.rate=0.2 \
		-o syscall_event_drops.max_burst=1 -o webserver.prometheus_metrics_enabled=true
	wait_for 30 healthy || fail "/healthz never answered"
	"$HAMMER" 2 8 >"$T/hammer"
	sleep 2
	curl -s "$URL/metrics" >"$T/m"
	stop_osprey
	drops=$(awk '/^falcosecurity_scap_n_drops_total /{print $2}' "$T/m")
	[ "${drops:-0}" -gt 0 ] || skip "no drops with a 64 KiB buffer on this machine (the consumer kept up)"
	n=$(grep -c '"rule":"Falco internal: syscall event drop"' "$T/alerts.json")
	beyond=$(awk '/^osprey_drops_seconds_beyond_threshold_total /{print $2}' "$T/m")
	secs=$(awk '/^osprey_drops_seconds_with_drops_total /{print $2}' "$T/m")
	# at rate 0.2 and burst 1: the second drop second acts, then one per 5 s at most
	[ "$n" -le $((2 + (beyond + 4) / 5)) ] ||
		fail "$n drop alerts for $beyond drop seconds beyond the threshold at rate 0.2"
	[ "$beyond" -lt 2 ] || [ "$n" -ge 1 ] || fail "no drop alert for $beyond drop seconds beyond the threshold"
	c=$(grep -c "Syscall event drops started" "$T/log")
	[ "$c" -ge 1 ] || fail "the drops were never logged"
	[ "$secs" -lt 3 ] || [ "$c" -lt "$secs" ] || fail "'drops started' logged $c times for $secs drop seconds"
	grep -q "drops: [1-9][0-9]* buffer full" "$T/log" || fail "the exit summary does not count the drops"
	echo "hammer: $(awk '{s+=$1} END {print s}' "$T/hammer") syscalls; driver drops: $drops;" \
		"drop seconds: $secs ($beyond beyond the threshold); alerts: $n"
	;;
watchdog-detach | watchdog-exit)
	need bpftool "Debian package bpftool"
	bpftool link help 2>&1 | grep -q detach || skip "this bpftool cannot detach links"
	if [ "$CASE" = watchdog-exit ]; then
		acts='[alert, exit]'
	else
		acts='[alert, healthz]'
	fi
	start_osprey -o watchdog.interval=1s -o watchdog.timeout=3s -o "watchdog.actions=$acts" \
		-o webserver.prometheus_metrics_enabled=true
	wait_for 30 healthy || fail "/healthz never answered"
	wait_for 10 sh -c "curl -s '$URL/metrics' | grep -q '^osprey_watchdog_canaries_seen_total [1-9]'" ||
		fail "no canary came back with the probe attached: $(curl -s "$URL/metrics" | grep watchdog)"
	healthy || fail "unhealthy before the detach: $(curl -s "$URL/healthz")"
	detach_links
	if [ "$CASE" = watchdog-exit ]; then
		for i in $(seq 1 75); do kill -0 "$OSP_PID" 2>/dev/null || break; sleep 0.2; done
		if kill -0 "$OSP_PID" 2>/dev/null; then
			fail "osprey still running 15 s after its probe was detached"
			stop_osprey
		else
			wait "$OSP_PID"
			rc=$?
			OSP_PID=
			[ "$rc" != 0 ] || fail "watchdog exit: exit code 0"
			grep -q "Exiting: the driver watchdog failed" "$T/log" ||
				fail "no exit line: $(tail -3 "$T/log")"
		fi
	else
		wait_for 15 sh -c "curl -s -o /dev/null -w '%{http_code}' '$URL/healthz' | grep -q 503" ||
			fail "/healthz still 200 after the detach"
		curl -s "$URL/healthz" >"$T/hz"
		jq -e '.status == "error" and (.reason | test("silent|detached"))' "$T/hz" >/dev/null ||
			fail "/healthz reason: $(cat "$T/hz")"
		stop_osprey
	fi
	grep -q '"rule":"Osprey internal: driver watchdog"' "$T/alerts.json" ||
		fail "no watchdog alert: $(cat "$T/alerts.json" | tail -2)"
	grep -q "Driver watchdog: the driver is silent" "$T/log" || fail "no watchdog log line: $(tail -3 "$T/log")"
	;;
recovery-reopen)
	need bpftool "Debian package bpftool"
	need prlimit "Debian package util-linux"
	start_osprey -o watchdog.interval=1s -o watchdog.timeout=2s \
		-o 'watchdog.actions=[healthz, reopen]' -o recovery.backoff=300ms \
		-o recovery.max_reopens=3 -o webserver.prometheus_metrics_enabled=true
	wait_for 30 healthy || fail "/healthz never answered"
	wait_for 10 sh -c "curl -s '$URL/metrics' | grep -q '^osprey_watchdog_canaries_seen_total [1-9]'" ||
		fail "no canary came back"
	# detached: the watchdog reopens the source, the probe is attached again, health returns
	detach_links
	wait_for 20 grep -q "Event source reopened" "$T/log" || fail "the source was not reopened: $(tail -5 "$T/log")"
	wait_for 20 healthy || fail "/healthz did not come back after the reopen: $(curl -s "$URL/healthz")"
	grep -q '^link_id:' /proc/"$OSP_PID"/fdinfo/* || fail "no BPF link after the reopen"
	curl -s "$URL/metrics" | grep -q '^osprey_source_reopens_total 1$' || fail "reopens not counted"
	# detached again, and no fd left for a new probe: bounded retries with back-off, then
	# one clear line and a non-zero exit
	prlimit --pid "$OSP_PID" --nofile=16:16 || skip "prlimit cannot lower osprey's fd limit"
	detach_links
	for i in $(seq 1 100); do kill -0 "$OSP_PID" 2>/dev/null || break; sleep 0.2; done
	if kill -0 "$OSP_PID" 2>/dev/null; then
		fail "osprey still running 20 s after reopens could not succeed"
		stop_osprey
	else
		wait "$OSP_PID"
		rc=$?
		OSP_PID=
		[ "$rc" != 0 ] || fail "gave up with exit code 0"
		c=$(grep -c "Reopening the event source failed" "$T/log")
		[ "$c" = 2 ] || fail "$c failed reopens logged before giving up, expected 2 (then the 3rd gives up)"
		grep -q "Giving up: the event source could not be reopened 3 times in a row" "$T/log" ||
			fail "no clear last line: $(tail -3 "$T/log")"
	fi
	;;
systemd-notify)
	# Type=notify and WatchdogSec, without systemd: a datagram socket plays its part
	python3 - "$T/notify.sock" "$T/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
with open(sys.argv[2], "w", buffering=1) as log:
    try:
        while True:
            log.write(s.recv(4096).decode() + "\n")
    except socket.timeout:
        pass
PY
	listener=$!
	sleep 0.5
	NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=2000000 start_osprey
	wait_for 30 grep -q '^READY=1$' "$T/notify.log" || fail "no READY=1: $(cat "$T/notify.log")"
	sleep 4
	n=$(grep -c '^WATCHDOG=1$' "$T/notify.log")
	[ "$n" -ge 2 ] && [ "$n" -le 8 ] || fail "$n WATCHDOG=1 in 4 s with WatchdogSec=2s (expected 2-8)"
	stop_osprey
	sleep 0.3
	grep -q '^STOPPING=1$' "$T/notify.log" || fail "no STOPPING=1"
	kill $listener 2>/dev/null
	# the unit file itself
	unit="$(dirname "$OSPREY")/systemd/osprey.service"
	if command -v systemd-analyze >/dev/null && [ -r "$unit" ]; then
		sed "s|^ExecStart=[^ ]*|ExecStart=$(realpath "$OSPREY")|" "$unit" >"$T/osprey.service"
		systemd-analyze verify "$T/osprey.service" >"$T/verify" 2>&1 ||
			fail "systemd-analyze verify: $(cat "$T/verify")"
		grep -q '^Type=notify$' "$T/osprey.service" && grep -q '^WatchdogSec=' "$T/osprey.service" ||
			fail "the unit is not Type=notify with WatchdogSec"
	fi
	;;
*)
	echo "unknown case $CASE" >&2
	exit 1
	;;
esac

[ "$failures" = 0 ] || exit 1
echo "ok [$CASE]"
