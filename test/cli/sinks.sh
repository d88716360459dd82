#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# A dead alert output fails alone: sinks.sh OSPREY CAPTURE CASE
#
# Replays CAPTURE (test/golden/host.osc) through a rule that fires on every event, so osprey
# raises several hundred alerts in a burst, with stdout plus one sink that is dead in the way
# CASE says (an HTTP receiver that never answers, answers 500, refuses the connection; a program
# that never reads; a file on /dev/full). stdout must still print every alert, osprey must exit
# in bounded time, programs must leave no process behind, and the dead sink's totals logged at
# exit must add up exactly to the number of alerts.
# Exit 0 = pass, 1 = fail (the failed expectation printed), 77 = skipped (the reason printed).
set -u

OSPREY=$1
CAPTURE=$2
CASE=$3

T=$(mktemp -d /tmp/osprey-sinks.XXXXXX) || exit 1
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
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

[ -r "$CAPTURE" ] || skip "$CAPTURE is absent"

cat >"$T/every.yaml" <<'YAML'
- rule: Every event
  desc: fires on every event of the capture, for a burst of alerts
  condition: evt.num > 0
  output: event %evt.num %evt.type (proc=%proc.name)
  priority: WARNING
YAML

# replay ARGS...: osprey -e CAPTURE with the rule, stdout in $T/out, stderr in $T/err, exit code
# in $rc, duration in $ms
replay() {
	local t0 t1
	t0=$(date +%s%N)
	"$OSPREY" -e "$CAPTURE" -r "$T/every.yaml" -o syslog_output.enabled=false "$@" \
		>"$T/out" 2>"$T/err"
	rc=$?
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
}

# The number of alerts, from a replay with stdout alone.
replay
[ "$rc" -eq 0 ] || fail "the replay with stdout alone failed: $(head -c 600 "$T/err")"
n=$(wc -l <"$T/out")
[ "$n" -ge 500 ] || fail "expected a burst of at least 500 alerts, got $n"

# totals SINK: sets delivered failed dropped abandoned from the sink's line at exit
totals() {
	local line
	line=$(grep -E "Alert output '$1': [0-9]+ delivered, [0-9]+ failed, [0-9]+ dropped \(queue full\), [0-9]+ abandoned at exit" "$T/err" | tail -n 1)
	if [ -z "$line" ]; then
		fail "no totals at exit for sink '$1'; stderr: $(head -c 800 "$T/err")"
		delivered=-1 failed=-1 dropped=-1 abandoned=-1
		return
	fi
	read -r delivered failed dropped abandoned < <(echo "$line" |
		sed -E 's/.*: ([0-9]+) delivered, ([0-9]+) failed, ([0-9]+) dropped \(queue full\), ([0-9]+) abandoned.*/\1 \2 \3 \4/')
}

# expect_all_on_stdout: the dead sink cost stdout nothing, and osprey stopped in bounded time
expect_all_on_stdout() {
	[ "$rc" -eq 0 ] || fail "osprey exited with $rc: $(head -c 600 "$T/err")"
	got=$(wc -l <"$T/out")
	[ "$got" -eq "$n" ] || fail "stdout got $got of $n alerts"
	totals stdout
	[ "$delivered" -eq "$n" ] && [ "$failed" -eq 0 ] && [ "$dropped" -eq 0 ] &&
		[ "$abandoned" -eq 0 ] ||
		fail "stdout totals: $delivered delivered, $failed failed, $dropped dropped, $abandoned abandoned (want $n 0 0 0)"
	# drain timeout 2 s + join grace 1 s, and the replay itself
	[ "$ms" -lt 8000 ] || fail "osprey took $ms ms to replay and stop (want < 8000)"
	echo "[$CASE] $n alerts: stdout $got, exit after $ms ms"
}

# expect_dead SINK: the dead sink delivered nothing and counted every alert exactly once
expect_dead() {
	totals "$1"
	echo "[$CASE] $1: $delivered delivered, $failed failed, $dropped dropped, $abandoned abandoned"
	[ "$delivered" -eq 0 ] || fail "$1 delivered $delivered alerts to a dead receiver"
	[ $((delivered + failed + dropped + abandoned)) -eq "$n" ] ||
		fail "$1 totals do not add up to $n: $delivered + $failed + $dropped + $abandoned"
	grep -Eq "Alert output '$1': .* (failed|dropped|abandoned)" "$T/err" ||
		fail "no warning for $1"
}

# start_server MODE: a python3 receiver on 127.0.0.1 (silent: accepts TCP, never answers;
# 500: answers every POST with 500); sets $port
start_server() {
	command -v python3 >/dev/null || skip "python3 is needed for the HTTP receivers"
	cat >"$T/server.py" <<'PY'
import http.server, os, socket, sys, time
mode, port_file = sys.argv[1], sys.argv[2]
def ready(port):
    with open(port_file + '.tmp', 'w') as f: f.write(str(port))
    os.rename(port_file + '.tmp', port_file)
if mode == 'silent':
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    s.listen(4096)
    ready(s.getsockname()[1])
    while True: time.sleep(60)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do_POST(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        self.send_response(500)
        self.send_header('Content-Length', '0')
        self.end_headers()
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
ready(srv.server_address[1])
srv.serve_forever()
PY
	python3 "$T/server.py" "$1" "$T/port" &
	server=$!
	for _ in $(seq 1 100); do
		[ -s "$T/port" ] && break
		sleep 0.1
	done
	[ -s "$T/port" ] || fail "the $1 receiver did not start"
	port=$(cat "$T/port")
}

# no_process_left MARK: nothing running with MARK on its command line
no_process_left() {
	local left
	command -v pgrep >/dev/null || skip "pgrep (procps) is needed to look for processes left"
	# Killed with SIGKILL at exit: gone a moment later.
	for _ in $(seq 1 10); do
		pgrep -f -- "$1" >/dev/null || break
		sleep 0.1
	done
	left=$(pgrep -f -- "$1" | head -n 5)
	if [ -n "$left" ]; then
		fail "processes left after exit: $(ps -o pid,ppid,args -p "$(echo $left | tr ' ' ,)" | tail -n +2)"
		pkill -KILL -f -- "$1"
	fi
}

case "$CASE" in
http-silent)
	start_server silent
	replay -o http_output.enabled=true -o "http_output.url=http://127.0.0.1:$port/"
	expect_all_on_stdout
	expect_dead http
	;;
http-500)
	start_server 500
	replay -o http_output.enabled=true -o "http_output.url=http://127.0.0.1:$port/"
	expect_all_on_stdout
	expect_dead http
	[ "$failed" -gt 0 ] || fail "no HTTP 500 counted as failed"
	grep -q 'HTTP status 500' "$T/err" || fail "the HTTP status is not in the log"
	;;
http-refused)
	command -v python3 >/dev/null || skip "python3 is needed to find a closed port"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	replay -o http_output.enabled=true -o "http_output.url=http://127.0.0.1:$port/"
	expect_all_on_stdout
	expect_dead http
	grep -q 'Connection refused' "$T/err" || fail "'Connection refused' is not in the log"
	;;
http-timeout-zero)
	# 0 would mean no timeout at all: refused, naming the key and the range.
	replay -o http_output.enabled=true -o http_output.url=http://127.0.0.1:9/ \
		-o http_output.timeout_ms=0
	[ "$rc" -ne 0 ] || fail "http_output.timeout_ms=0 was accepted"
	grep -q "invalid value for 'http_output.timeout_ms': expected a whole number from 1 to 600000, got '0'" "$T/err" ||
		fail "no clear error for timeout_ms=0: $(head -c 600 "$T/err")"
	grep -q 'nothing was started' "$T/err" || fail "osprey did not say it started nothing"
	[ ! -s "$T/out" ] || fail "alerts were printed with a refused configuration"
	replay -o program_output.enabled=true -o program_output.program=cat \
		-o program_output.timeout_ms=0
	[ "$rc" -ne 0 ] || fail "program_output.timeout_ms=0 was accepted"
	;;
program-sleep)
	# One process per alert (Falco's way), and a shell that forks: "sleep; true" is not exec'd.
	mark="sleep 1000.$$"
	replay -o program_output.enabled=true -o "program_output.program=$mark; true"
	expect_all_on_stdout
	totals program
	echo "[$CASE] program: $delivered delivered, $failed failed, $dropped dropped, $abandoned abandoned"
	[ $((delivered + failed + dropped + abandoned)) -eq "$n" ] ||
		fail "program totals do not add up to $n: $delivered + $failed + $dropped + $abandoned"
	no_process_left "$mark"
	;;
program-sleep-keep-alive)
	# One long-lived process that never reads its input: JSON lines, so that the alerts do not
	# all fit in the pipe's buffer; each write that times out kills it (respawned, backed off).
	mark="sleep 1000.$$"
	replay -o json_output=true -o program_output.enabled=true -o program_output.keep_alive=true \
		-o "program_output.program=$mark; true" -o program_output.timeout_ms=200
	expect_all_on_stdout
	totals program
	echo "[$CASE] program: $delivered delivered, $failed failed, $dropped dropped, $abandoned abandoned"
	[ $((delivered + failed + dropped + abandoned)) -eq "$n" ] ||
		fail "program totals do not add up to $n: $delivered + $failed + $dropped + $abandoned"
	[ "$failed" -gt 0 ] || fail "no write to a program that never reads timed out"
	grep -q 'did not read its input in 200 ms' "$T/err" || fail "the timeout is not in the log"
	no_process_left "$mark"
	;;
file-full)
	replay -o file_output.enabled=true -o file_output.filename=/dev/full
	expect_all_on_stdout
	totals file
	echo "[$CASE] file: $delivered delivered, $failed failed, $dropped dropped, $abandoned abandoned"
	[ "$failed" -eq "$n" ] && [ "$delivered" -eq 0 ] ||
		fail "file on /dev/full: $delivered delivered, $failed failed (want 0, $n)"
	grep -q "Alert output 'file': 0 delivered, $n failed, .*No space left on device" "$T/err" ||
		fail "the exit totals do not name ENOSPC: $(grep "output 'file'" "$T/err")"
	;;
*)
	echo "unknown case '$CASE'" >&2
	exit 1
	;;
esac

[ "$failures" -eq 0 ] || exit 1
exit 0
