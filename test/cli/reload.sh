#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Reload and the systemd service protocol, case by case: reload.sh OSPREY CASE
# Exit 0 = pass, 1 = fail (the failed expectation is printed), 77 = skipped (the reason printed).
# GOLDEN_DIR (the recorded host.osc and its hostroot), DEFAULT_RULES and SERVICE_UNIT come from
# the environment (test/cli/meson.build).
set -u

OSPREY=$1
CASE=$2

T=$(mktemp -d /tmp/osprey-reload.XXXXXX) || exit 1
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
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

expect_in() { # expect_in FILE REGEX
	grep -Eq -- "$2" "$1" || fail "expected $1 to match /$2/; it was: $(head -c 1500 "$1")"
}

count_in() { # count_in FILE REGEX: the number of matching lines
	grep -Ec -- "$2" "$1" 2>/dev/null
}

wait_for() { # wait_for FILE REGEX [COUNT]: up to 20 s for COUNT (1) lines of FILE to match
	for _ in $(seq 1 100); do
		[ "$(count_in "$1" "$2")" -ge "${3:-1}" ] && return 0
		sleep 0.2
	done
	return 1
}

wait_exit() { # wait_exit PID: up to 20 s for PID to end; rc = its status, 255 if still running
	for _ in $(seq 1 100); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		rc=255
		return
	fi
	rc=0
	wait "$1" || rc=$?
}

wait_running() { # wait_running FILE: up to 20 s for the first alert in FILE (the loop runs)
	for _ in $(seq 1 100); do
		[ -s "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

# mark_rules FILE LABEL DIR: one rule, an alert "LABEL <path>" for each open of a file under DIR
mark_rules() {
	cat >"$1" <<EOF
- rule: Mark $2
  desc: a file under the marks directory was opened
  condition: evt.type in (open, openat, openat2) and fd.name startswith $3/
  output: "$2 %fd.name"
  priority: WARNING
EOF
}

need_replay() {
	[ -r "$GOLDEN_DIR/host.osc" ] || skip "no recorded capture $GOLDEN_DIR/host.osc"
	[ -r "$DEFAULT_RULES" ] || skip "no default rules $DEFAULT_RULES"
}

need_probe() {
	[ "$(id -u)" -eq 0 ] || skip "the eBPF probe needs root"
	[ -r /sys/kernel/btf/vmlinux ] || skip "the eBPF probe needs BTF (/sys/kernel/btf/vmlinux)"
}

# The replay of host.osc through a FIFO, stalled before its last 32 bytes (its end): every event
# is read, and osprey waits for the rest. fifo_stalled FIFO; then fifo_rest.
fifo_stalled() {
	size=$(stat -c %s "$GOLDEN_DIR/host.osc")
	exec 3>"$1"
	head -c $((size - 32)) "$GOLDEN_DIR/host.osc" >&3
}
fifo_rest() {
	tail -c 32 "$GOLDEN_DIR/host.osc" >&3
	exec 3>&-
}

replay_args=(--host-root="$GOLDEN_DIR/hostroot" -o syslog_output.enabled=false)

case "$CASE" in
reload-replay)
	# SIGHUP while a replay waits on a FIFO: a bad set is refused and the running one keeps
	# working, the good rules reload, what cannot change is kept with a log line; the alerts
	# are those of a run without reload, byte for byte, every event counted.
	need_replay
	cp "$DEFAULT_RULES" "$T/rules.yaml"
	printf 'rules_files: [%s]\nwatch_config_files: false\n' "$T/rules.yaml" >"$T/osprey.yaml"
	"$OSPREY" -c "$T/osprey.yaml" -e "$GOLDEN_DIR/host.osc" "${replay_args[@]}" \
		>"$T/good.out" 2>"$T/good.err" || fail "the plain replay failed: $(cat "$T/good.err")"
	[ -s "$T/good.out" ] || fail "the plain replay raised no alert"
	mkfifo "$T/fifo"
	"$OSPREY" -c "$T/osprey.yaml" -e "$T/fifo" "${replay_args[@]}" >"$T/out" 2>"$T/err" &
	pid=$!
	pids+=("$pid")
	fifo_stalled "$T/fifo"
	wait_running "$T/out" || fail "osprey did not start on the FIFO: $(cat "$T/err")"
	# 1. a broken rules file: refused, the running rules stay
	echo '- rule: broken' >"$T/rules.yaml"
	kill -HUP "$pid"
	wait_for "$T/err" 'Reload refused' || fail "a broken rules file was not refused"
	expect_in "$T/err" "rules.yaml:1:9: error: rule 'broken' has no 'condition'"
	expect_in "$T/err" 'Invalid rules: 1 error\(s\); not reloaded'
	expect_in "$T/err" 'The running rules and configuration are kept and keep working'
	kill -0 "$pid" 2>/dev/null || fail "a refused reload ended osprey"
	# 2. the good rules again, and a key only a restart changes
	cp "$DEFAULT_RULES" "$T/rules.yaml"
	printf 'engine:\n  modern_ebpf:\n    buf_size_preset: 7\n' >>"$T/osprey.yaml"
	kill -HUP "$pid"
	wait_for "$T/err" 'Reloaded: [0-9]+ rules .* reload #1\.' || fail "the good rules did not reload"
	expect_in "$T/err" 'Reload: engine.modern_ebpf.buf_size_preset changed \(4 -> 7\) but cannot change while the driver runs: kept 4; restart osprey to apply it\.'
	fifo_rest
	wait_exit "$pid"
	[ "$rc" -eq 0 ] || fail "osprey exited with $rc: $(tail -c 600 "$T/err")"
	expect_in "$T/err" "$(grep -Eo 'Events: [0-9]+,' "$T/good.err")"
	cmp -s "$T/out" "$T/good.out" ||
		fail "the alerts differ from a run without reload: $(diff "$T/good.out" "$T/out" | head -5)"
	;;
reload-watch)
	# watch_config_files: a burst of writes to the rules is one reload, debounced; a new file
	# renamed into a config_files directory reloads too.
	need_replay
	mkdir "$T/config.d" "$T/rules.d"
	cp "$DEFAULT_RULES" "$T/rules.d/a.yaml"
	printf 'rules_files: [%s]\nconfig_files: [%s]\nwatch_config_files: true\n' \
		"$T/rules.d" "$T/config.d" >"$T/osprey.yaml"
	mkfifo "$T/fifo"
	"$OSPREY" -c "$T/osprey.yaml" -e "$T/fifo" "${replay_args[@]}" >"$T/out" 2>"$T/err" &
	pid=$!
	pids+=("$pid")
	fifo_stalled "$T/fifo"
	wait_running "$T/out" || fail "osprey did not start on the FIFO: $(cat "$T/err")"
	for i in 1 2 3 4 5; do
		cp "$DEFAULT_RULES" "$T/rules.d/a.yaml"
		sleep 0.05
	done
	wait_for "$T/err" 'reload #1\.' || fail "writing the rules did not reload"
	sleep 1.5 # more than the debounce: a second reload would show now
	[ "$(count_in "$T/err" 'Reloaded:')" -eq 1 ] ||
		fail "5 writes in a burst gave $(count_in "$T/err" 'Reloaded:') reloads, expected 1"
	expect_in "$T/err" 'The configuration or rules changed on disk \(watch_config_files\): reloading\.'
	# an editor's way: a new file renamed into the config_files directory
	printf 'json_output: true\n' >"$T/tmp.yaml"
	mv "$T/tmp.yaml" "$T/config.d/10-json.yaml"
	wait_for "$T/err" 'reload #2\.' || fail "a new file in config.d did not reload"
	fifo_rest
	wait_exit "$pid"
	[ "$rc" -eq 0 ] || fail "osprey exited with $rc: $(tail -c 600 "$T/err")"
	;;
reload-outputs)
	# Live: a reload reopens the alert outputs with the new settings: another file, JSON.
	need_probe
	mkdir "$T/marks"
	mark_rules "$T/rules.yaml" A "$T/marks"
	conf() { # conf FILE JSON
		printf 'rules_files: [%s]\nwatch_config_files: false\njson_output: %s\nstdout_output:\n  enabled: false\nsyslog_output:\n  enabled: false\nfile_output:\n  enabled: true\n  filename: %s\n' \
			"$T/rules.yaml" "$2" "$1" >"$T/osprey.yaml"
	}
	conf "$T/one.log" false
	"$OSPREY" -c "$T/osprey.yaml" -M 30 >"$T/out" 2>"$T/err" &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 1 100); do
		: >"$T/marks/before"
		[ -s "$T/one.log" ] && break
		sleep 0.2
	done
	[ -s "$T/one.log" ] || fail "no alert before the reload: $(cat "$T/err")"
	conf "$T/two.log" true
	kill -HUP "$pid"
	wait_for "$T/err" 'reload #1\.' || fail "no reload: $(cat "$T/err")"
	: >"$T/marks/after"
	wait_for "$T/two.log" '"output":"[^"]*Warning A [^"]*/marks/after"' ||
		fail "no JSON alert in the new file: $(cat "$T/two.log" 2>/dev/null)"
	kill -TERM "$pid"
	wait_exit "$pid"
	[ "$rc" -eq 0 ] || fail "osprey exited with $rc: $(tail -c 600 "$T/err")"
	expect_in "$T/one.log" '^[0-9:.]+: Warning A .*/marks/before$'
	grep -q 'marks/after' "$T/one.log" && fail "an alert after the reload went to the old file"
	;;
reload-sources)
	# A reload beside the k8s_audit source and the web server (replay stalled on a FIFO, the
	# audit log followed): the audit rules are swapped too, the audit log and the web server
	# keep running, /metrics counts the reloads and lists the new rules file's sha256; a broken
	# set is counted as refused and the running rules go on.
	need_replay
	command -v curl >/dev/null || skip "needs curl (Debian package curl)"
	command -v python3 >/dev/null || skip "needs python3 (a free port)"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	url="http://127.0.0.1:$port"
	audit_rules() { # audit_rules LABEL
		printf -- '- rule: Audit %s\n  desc: a pod was created\n  condition: ka.verb=create and ka.target.resource=pods\n  output: "Audit%s %%ka.user.name"\n  priority: WARNING\n  source: k8s_audit\n' "$1" "$1" >"$T/audit.yaml"
	}
	audit_line() { # audit_line USER: one audit event appended to the followed log
		printf '%s\n' '{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseComplete","verb":"create","user":{"username":"'"$1"'"},"objectRef":{"resource":"pods","namespace":"default","name":"p"},"responseStatus":{"code":201},"stageTimestamp":"2024-05-06T07:08:09.123456Z"}' >>"$T/audit.log"
	}
	audit_rules A
	: >"$T/audit.log"
	mkfifo "$T/fifo"
	printf 'watch_config_files: false\n' >"$T/osprey.yaml"
	"$OSPREY" -c "$T/osprey.yaml" -r "$DEFAULT_RULES" -r "$T/audit.yaml" -e "$T/fifo" \
		"${replay_args[@]}" -o webserver.enabled=true -o webserver.listen_address=127.0.0.1 \
		-o webserver.listen_port="$port" -o webserver.prometheus_metrics_enabled=true \
		-o "plugins=[{name: k8saudit, open_params: '$T/audit.log'}]" \
		>"$T/out" 2>"$T/err" &
	pid=$!
	pids+=("$pid")
	fifo_stalled "$T/fifo"
	wait_for "$T/err" 'following it' || fail "the audit log is not followed: $(tail -c 800 "$T/err")"
	audit_line before
	wait_for "$T/out" 'AuditA before' || fail "no alert of the first audit rules"
	sha_a=$(sha256sum "$T/audit.yaml" | cut -c1-64)
	audit_rules B
	sha_b=$(sha256sum "$T/audit.yaml" | cut -c1-64)
	kill -HUP "$pid"
	wait_for "$T/err" 'Reloaded: ' || fail "no reload: $(tail -c 800 "$T/err")"
	expect_in "$T/err" 'Reload: the k8s_audit source evaluates 1 rules'
	audit_line after
	wait_for "$T/out" 'AuditB after' || fail "the audit source kept its old rules: $(tail -5 "$T/out")"
	grep -q 'AuditA after' "$T/out" && fail "an old audit rule fired after the reload"
	# the web server kept running; the metrics follow the reload (one snapshot a second)
	for _ in $(seq 1 50); do
		curl -s --max-time 2 "$url/metrics" >"$T/metrics" 2>/dev/null
		grep -q "sha256=\"$sha_b\"" "$T/metrics" &&
			grep -q '^osprey_reloads_total{result="applied"} 1$' "$T/metrics" && break
		sleep 0.2
	done
	expect_in "$T/metrics" "falcosecurity_falco_sha256_rules_files_info\\{file_name=\"audit.yaml\",sha256=\"$sha_b\"\\} 1"
	grep -q "$sha_a" "$T/metrics" && fail "/metrics still lists the old rules file's sha256"
	expect_in "$T/metrics" '^osprey_reloads_total\{result="applied"\} 1$'
	expect_in "$T/metrics" '^osprey_reloads_total\{result="refused"\} 0$'
	[ "$(grep -c '^# TYPE osprey_reloads_total counter$' "$T/metrics")" -eq 1 ] ||
		fail "not one TYPE line for osprey_reloads_total"
	curl -sf --max-time 2 "$url/healthz" | grep -q '"status":"ok"' || fail "/healthz not ok after the reload"
	# a broken set: refused, counted; the running rules go on
	printf -- '- rule: Broken\n  condition: ka.verb=\n' >"$T/audit.yaml"
	kill -HUP "$pid"
	wait_for "$T/err" 'Reload refused' || fail "the broken set was not refused"
	audit_line again
	wait_for "$T/out" 'AuditB again' || fail "the running audit rules stopped after a refusal"
	for _ in $(seq 1 50); do
		curl -s --max-time 2 "$url/metrics" >"$T/metrics" 2>/dev/null
		grep -q '^osprey_reloads_total{result="refused"} 1$' "$T/metrics" && break
		sleep 0.2
	done
	expect_in "$T/metrics" '^osprey_reloads_total\{result="refused"\} 1$'
	kill -TERM "$pid"
	exec 3>&-
	wait_exit "$pid"
	[ "$rc" -eq 0 ] || fail "osprey exited with $rc: $(tail -c 600 "$T/err")"
	# the k8s_audit source alone (its webhook) does not reload: SIGHUP is said and survived
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	audit_rules A
	"$OSPREY" -c "$T/osprey.yaml" --enable-source=k8s_audit -r "$T/audit.yaml" \
		-o "plugins=[{name: k8saudit, open_params: 'http://127.0.0.1:$port/k8s-audit'}]" \
		>"$T/out2" 2>"$T/err2" &
	pid=$!
	pids+=("$pid")
	wait_for "$T/err2" 'Kubernetes audit webhook on' || fail "no webhook: $(tail -c 600 "$T/err2")"
	kill -HUP "$pid"
	wait_for "$T/err2" 'Received SIGHUP: a run of the k8s_audit source alone does not reload' ||
		fail "SIGHUP not said by an audit-only run"
	kill -0 "$pid" 2>/dev/null || fail "SIGHUP ended an audit-only run"
	kill -TERM "$pid"
	wait_exit "$pid"
	[ "$rc" -eq 0 ] || fail "the audit-only run exited with $rc: $(tail -c 600 "$T/err2")"
	;;
notify)
	# The systemd notification protocol on a real unix datagram socket: READY=1 once running,
	# WATCHDOG=1 at half $WATCHDOG_USEC, RELOADING=1 then READY=1 around a SIGHUP reload,
	# STOPPING=1 on SIGTERM.
	need_replay
	command -v python3 >/dev/null || skip "the listener needs python3"
	python3 - "$T/notify.sock" "$T/notify.log" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
with open(sys.argv[2], "w", buffering=1) as log:
    while True:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            break
        log.write(msg.replace("\n", " | ") + "\n")
        if msg.startswith("STOPPING=1"):
            break
EOF
	lpid=$!
	pids+=("$lpid")
	for _ in $(seq 1 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done
	[ -S "$T/notify.sock" ] || fail "the listener did not start"
	mkfifo "$T/fifo"
	printf 'watch_config_files: false\n' >"$T/osprey.yaml"
	NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=200000 \
		"$OSPREY" -c "$T/osprey.yaml" -r "$DEFAULT_RULES" -e "$T/fifo" "${replay_args[@]}" \
		>"$T/out" 2>"$T/err" &
	pid=$!
	pids+=("$pid")
	fifo_stalled "$T/fifo"
	wait_for "$T/notify.log" '^READY=1' || fail "no READY=1: $(cat "$T/notify.log" "$T/err")"
	wait_for "$T/notify.log" '^WATCHDOG=1$' 3 || fail "fewer than 3 WATCHDOG=1 in 20 s"
	kill -HUP "$pid"
	wait_for "$T/notify.log" '^RELOADING=1 \| MONOTONIC_USEC=[0-9]+' ||
		fail "no RELOADING=1 after SIGHUP"
	wait_for "$T/notify.log" '^READY=1' 2 || fail "no READY=1 after the reload"
	kill -TERM "$pid"
	exec 3>&-
	wait_exit "$pid"
	[ "$rc" -eq 0 ] || fail "osprey exited with $rc: $(tail -c 600 "$T/err")"
	wait_for "$T/notify.log" '^STOPPING=1$' || fail "no STOPPING=1 on SIGTERM"
	# the order: READY, RELOADING, READY, STOPPING (watchdog pings in between)
	order=$(grep -Eo '^(READY|RELOADING|STOPPING)=1' "$T/notify.log" | tr '\n' ' ')
	[ "$order" = "READY=1 RELOADING=1 READY=1 STOPPING=1 " ] ||
		fail "notifications out of order: $order"
	grep -q 'STATUS=Capturing; 1 rules files; 1 reloads, 0 refused' "$T/notify.log" ||
		fail "no STATUS after the reload: $(cat "$T/notify.log")"
	# no $NOTIFY_SOCKET: nothing is sent, nothing fails
	"$OSPREY" -c "$T/osprey.yaml" -r "$DEFAULT_RULES" -e "$GOLDEN_DIR/host.osc" \
		"${replay_args[@]}" >/dev/null 2>"$T/err2" || fail "a run outside systemd failed"
	grep -q 'notify' "$T/err2" && fail "a run outside systemd talked about notify"
	;;
unit)
	# The installed unit: Type=notify, the watchdog, reload by SIGHUP; systemd-analyze verify
	# accepts it (with ExecStart pointed at the built binary, which is what exists here).
	[ -r "$SERVICE_UNIT" ] || fail "no unit at $SERVICE_UNIT"
	for l in '^Type=notify$' '^NotifyAccess=main$' '^ExecReload=/bin/kill -HUP \$MAINPID$' \
		 '^WatchdogSec=[0-9]+s$' '^ExecStart=/.*/osprey -c /.*/osprey/osprey.yaml$'; do
		expect_in "$SERVICE_UNIT" "$l"
	done
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	printf 'watch_config_files: false\n' >"$T/osprey.yaml"
	sed "s|^ExecStart=.*|ExecStart=$(realpath "$OSPREY") -c $T/osprey.yaml|" "$SERVICE_UNIT" >"$T/osprey.service"
	systemd-analyze verify "$T/osprey.service" >"$T/verify" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$T/verify")"
	;;
reload-live)
	# Live, on the eBPF probe: a load generator opens and closes a file in a loop; a marker
	# writer creates N files one by one. SIGHUP 10 times, alternating two rulesets (A and B, each
	# an alert per marker, labelled) with one broken set among them. Every marker gives exactly
	# one alert (no event lost, none twice), labelled by the ruleset running then, and the
	# driver's drop counters at exit are compared with a run of the same load without reload.
	need_probe
	mkdir "$T/marks"
	N=6000
	load() { # the load: open/close in a loop, until killed
		while :; do : <"$T/load"; done
	}
	markers() { # N files, one open each, about 3000 a second
		for i in $(seq 1 $N); do
			: >"$T/marks/$i"
			[ $((i % 30)) -eq 0 ] && sleep 0.01
		done
	}
	touch "$T/load"
	run_once() { # run_once NAME RELOADS
		local pid lp i label
		rm -f "$T/marks/"*
		mark_rules "$T/rules.yaml" A "$T/marks"
		printf 'rules_files: [%s]\nwatch_config_files: false\nstdout_output:\n  enabled: false\nsyslog_output:\n  enabled: false\nfile_output:\n  enabled: true\n  keep_alive: true\n  filename: %s\n' \
			"$T/rules.yaml" "$T/$1.alerts" >"$T/osprey.yaml"
		"$OSPREY" -c "$T/osprey.yaml" >"$T/$1.out" 2>"$T/$1.err" &
		pid=$!
		pids+=("$pid")
		for _ in $(seq 1 100); do # the probe is attached once an open gives an alert
			: >"$T/marks/ready"
			[ -s "$T/$1.alerts" ] && break
			sleep 0.2
		done
		[ -s "$T/$1.alerts" ] || fail "$1: osprey did not start: $(cat "$T/$1.err")"
		load &
		lp=$!
		pids+=("$lp")
		markers &
		mp=$!
		pids+=("$mp")
		for i in $(seq 1 "$2"); do
			sleep 0.35
			if [ "$i" -eq 5 ]; then
				echo '- rule: broken' >"$T/rules.yaml"
			elif [ $((i % 2)) -eq 1 ]; then
				mark_rules "$T/rules.yaml" B "$T/marks"
			else
				mark_rules "$T/rules.yaml" A "$T/marks"
			fi
			kill -HUP "$pid"
			wait_for "$T/$1.err" '(Reloaded: .*|Reload refused)' "$i" ||
				fail "$1: reload $i did not finish"
		done
		wait "$mp"
		kill "$lp"
		wait "$lp" 2>/dev/null
		sleep 1 # the last markers' events through the ring buffer
		kill -TERM "$pid"
		wait_exit "$pid"
		[ "$rc" -eq 0 ] || fail "$1: osprey exited with $rc: $(tail -c 600 "$T/$1.err")"
		echo "$1: $(grep -E 'events from the driver' "$T/$1.err")"
	}
	run_once baseline 0
	run_once reload 10
	expect_in "$T/reload.err" 'reload #9\.'
	[ "$(count_in "$T/reload.err" 'Reload refused')" -eq 1 ] || fail "the broken set was not refused once"
	for r in baseline reload; do
		grep -v '/marks/ready$' "$T/$r.alerts" >"$T/$r.marks"
		n=$(wc -l <"$T/$r.marks")
		u=$(awk '{print $NF}' "$T/$r.marks" | sort -u | wc -l)
		[ "$n" -eq "$N" ] && [ "$u" -eq "$N" ] ||
			fail "$r: $n alerts for $u distinct markers, expected $N each (events lost or doubled)"
	done
	# old and new rules both alerted; the labels change at most 9 times along the markers
	grep -q ' A .*/marks/' "$T/reload.marks" || fail "no alert from ruleset A"
	grep -q ' B .*/marks/' "$T/reload.marks" || fail "no alert from ruleset B"
	switches=$(awk '{for (i = 1; i <= NF; i++) if ($i == "A" || $i == "B") { print $NF, $i; break }}' \
		"$T/reload.marks" | sed "s|^$T/marks/||" | sort -n | awk '{print $2}' | uniq | wc -l)
	echo "each reload read and compiled in (ms): $(grep -Eo 'compiled in [0-9]+ ms' "$T/reload.err" | grep -Eo '[0-9]+' | tr '\n' ' ')"
	echo "the event thread swapped in (ms): $(grep -Eo 'swapped in [0-9]+ ms' "$T/reload.err" | grep -Eo '[0-9]+' | tr '\n' ' ')"
	echo "markers: $N; alerts by A: $(grep -c ' A /' "$T/reload.marks"), by B: $(grep -c ' B /' "$T/reload.marks"); label changes along the markers: $((switches - 1))"
	[ "$switches" -ge 2 ] && [ "$switches" -le 10 ] ||
		fail "the labels along the markers change $((switches - 1)) times, expected 1 to 9"
	# drops: none from the reloads (the same load without reload is the reference)
	bd=$(grep -Eo 'drops: [0-9]+ buffer full' "$T/baseline.err" | grep -Eo '[0-9]+')
	rd=$(grep -Eo 'drops: [0-9]+ buffer full' "$T/reload.err" | grep -Eo '[0-9]+')
	echo "buffer-full drops: baseline ${bd:-?}, with 10 reloads ${rd:-?}"
	[ -n "$rd" ] || fail "no drop counters at exit"
	if [ "${bd:-0}" -eq 0 ] && [ "${rd:-1}" -ne 0 ]; then
		fail "the reloads lost $rd events to full buffers (none without reload)"
	fi
	grep -q 'dropped 0)' "$T/reload.err" || fail "alerts dropped by the outputs: $(grep Events: "$T/reload.err")"
	;;
*)
	echo "unknown case '$CASE'" >&2
	exit 2
	;;
esac

[ "$failures" -eq 0 ] || exit 1
exit 0
