#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Kubernetes audit events per second over HTTPS from a local client (issue 15): osprey in
# audit-only mode (engine.kind: nodriver) with Falco's k8s_audit_rules.yaml (falco_rules.yaml
# for its lists) on an https:// webhook on 127.0.0.1; a Python client posts POSTS EventLists of
# BATCH events (made round-robin from the real traces of the fixtures) over one keep-alive TLS
# connection per client thread, retrying a 429. Prints the events/s the client got through
# (wall clock), and osprey's CPU seconds for them (utime + stime of /proc/PID/stat, startup
# excluded) as events per CPU second, the unit of bench-k8saudit (the file benchmark), which is
# run afterwards in the same run when its binary is found, so both numbers come from one load.
# Loopback only; bounded: POSTS <= 10000, BATCH <= 1000, 300 s at most.
# Usage: bench-k8saudit-https.sh [-b BUILD_DIR] [-n POSTS] [-s BATCH] [-j CLIENTS]
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
. "$here/find-osprey.sh"
build= posts=200 batch=100 clients=2
while getopts b:n:s:j: o; do
	case $o in
	b) build=$OPTARG ;;
	n) posts=$OPTARG ;;
	s) batch=$OPTARG ;;
	j) clients=$OPTARG ;;
	*) echo "usage: $0 [-b BUILD_DIR] [-n POSTS] [-s BATCH] [-j CLIENTS]" >&2; exit 2 ;;
	esac
done
case "$posts$batch$clients" in *[!0-9]*) echo "POSTS, BATCH and CLIENTS are numbers" >&2; exit 2 ;; esac
[ "$posts" -ge 1 ] && [ "$posts" -le 10000 ] && [ "$batch" -ge 1 ] && [ "$batch" -le 1000 ] &&
	[ "$clients" -ge 1 ] && [ "$clients" -le 8 ] ||
	{ echo "bounds: 1 <= POSTS <= 10000, 1 <= BATCH <= 1000, 1 <= CLIENTS <= 8" >&2; exit 2; }
osprey=$(find_osprey "$src" "$build") || exit 1
fx=${K8S_AUDIT_FIXTURES:-$src/../shared/fixtures}
k8s=$fx/k8s-audit
[ -f "$k8s/rules/k8s_audit_rules.yaml" ] && [ -f "$fx/falco-rules/falco_rules.yaml" ] &&
	[ -d "$k8s/traces" ] ||
	{ echo "SKIP: $k8s not found (the shared fixtures are not checked out)"; exit 77; }
for p in openssl python3 curl; do
	command -v $p >/dev/null || { echo "SKIP: $p not installed"; exit 77; }
done
tmp=$(mktemp -d) || exit 1
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
	-days 1 -subj /CN=localhost >/dev/null 2>&1 || { echo "openssl failed" >&2; exit 1; }
cat "$tmp/cert.pem" "$tmp/key.pem" >"$tmp/server.pem"
# the batches: BATCH events each, round-robin over the traces' events
python3 - "$k8s/traces" "$batch" "$tmp/batch" <<'PY' || exit 1
import glob, json, sys
d, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ev = []
for f in sorted(glob.glob(d + "/*.json")):
    for line in open(f):
        line = line.strip()
        if not line:
            continue
        j = json.loads(line)
        items = j.get("items", []) if j.get("kind") == "EventList" else [j]
        # only real events (one trace is deliberately not one: it would be counted as bad)
        ev.extend(e for e in items if isinstance(e, dict) and e.get("kind") == "Event" and
                  isinstance(e.get("stageTimestamp"), str))
if not ev:
    sys.exit("no events in " + d)
for b in range(len(ev)):  # len(ev) distinct batches, each starting at another event
    items = [ev[(b * n + i) % len(ev)] for i in range(n)]
    with open("%s.%d.json" % (out, b), "w") as o:
        json.dump({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": items}, o)
PY
nbatches=$(ls "$tmp"/batch.*.json | wc -l)
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
wport=$(free_port)
: >"$tmp/err"
"$osprey" -o engine.kind=nodriver -r "$fx/falco-rules/falco_rules.yaml" \
	-r "$k8s/rules/k8s_audit_rules.yaml" -o json_output=true -o stdout_output.enabled=true \
	-o 'plugins=[{name: k8saudit, library_path: libk8saudit.so}, {name: json, library_path: libjson.so}]' \
	-o load_plugins=[k8saudit,json] -o "plugins[0].open_params=https://127.0.0.1:$port/k8s-audit" \
	-o "webserver.ssl_certificate=$tmp/server.pem" -o webserver.enabled=true \
	-o webserver.listen_address=127.0.0.1 -o webserver.listen_port=$wport \
	-o webserver.prometheus_metrics_enabled=true >/dev/null 2>"$tmp/err" &
pid=$!
i=0
until grep -q "Kubernetes audit webhook on" "$tmp/err"; do
	i=$((i + 1))
	if [ $i -gt 600 ] || ! kill -0 $pid 2>/dev/null; then
		echo "osprey did not start:" >&2
		tail -5 "$tmp/err" >&2
		exit 1
	fi
	sleep 0.1
done
hz=$(getconf CLK_TCK)
cpu() { # utime + stime of osprey, in ticks
	awk '{ sub(/.*\) /, ""); print $12 + $13 }' /proc/$pid/stat
}
events_total() {
	curl -s "http://127.0.0.1:$wport/metrics" | awk '$1 == "osprey_k8saudit_events_total" { print $2 }'
}
cpu0=$(cpu)
expected=$((posts * batch))
# the client: CLIENTS threads, each one keep-alive TLS connection
python3 - "$port" "$posts" "$clients" "$tmp/batch" "$nbatches" >"$tmp/client" <<'PY' || { cat "$tmp/client"; exit 1; }
import http.client, ssl, sys, threading, time
port, posts, clients, base, nb = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
bodies = [open("%s.%d.json" % (base, b), "rb").read() for b in range(nb)]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
lock = threading.Lock()
state = {"next": 0, "ok": 0, "busy": 0, "bad": 0}
deadline = time.monotonic() + 240
def run():
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
    while time.monotonic() < deadline:
        with lock:
            i = state["next"]
            if i >= posts:
                break
            state["next"] += 1
        while time.monotonic() < deadline:
            c.request("POST", "/k8s-audit", body=bodies[i % nb],
                      headers={"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            if r.status == 429:
                with lock:
                    state["busy"] += 1
                time.sleep(0.001)
                continue
            with lock:
                state["ok" if r.status == 200 else "bad"] += 1
            break
    c.close()
t0 = time.monotonic()
ts = [threading.Thread(target=run) for _ in range(clients)]
for t in ts: t.start()
for t in ts: t.join()
print("%d %d %d %.6f" % (state["ok"], state["busy"], state["bad"], time.monotonic() - t0))
PY
read ok busy bad wall <"$tmp/client"
# wait until the main loop evaluated everything (the metrics snapshot is refreshed every second)
i=0
until [ "$(events_total)" = "$expected" ] || [ $i -gt 600 ]; do
	i=$((i + 1))
	sleep 0.05
done
got=$(events_total)
cpu1=$(cpu)
kill -TERM $pid
wait $pid
pid=
[ "$bad" = 0 ] && [ "$ok" = "$posts" ] && [ "$got" = "$expected" ] || {
	echo "FAIL: $ok of $posts posts answered 200 ($bad other answers), $got of $expected events evaluated" >&2
	exit 1
}
awk -v ev=$expected -v wall=$wall -v t=$((cpu1 - cpu0)) -v hz=$hz -v posts=$posts -v b=$batch \
	-v busy=$busy -v j=$clients 'BEGIN {
	cs = t / hz
	printf "https webhook: %d EventLists of %d events (%d events), %d client connection(s), %d answers 429\n", posts, b, ev, j, busy
	printf "  client wall clock   %.2f s  %.0f events/s\n", wall, ev / wall
	printf "  osprey CPU (all threads: TLS, HTTP, JSON check, parse, rules, alerts) %.2f s  %s events per CPU second\n", cs, (cs > 0 ? sprintf("%.0f", ev / cs) : "n/a")
}'
bench=${BENCH_K8SAUDIT:-$(dirname "$osprey")/../test/bench/bench-k8saudit}
if [ -x "$bench" ]; then
	echo "file benchmark, same run ($bench):"
	"$bench" 2>&1 | sed 's/^/  /'
else
	echo "(bench-k8saudit not built: no file benchmark to compare)"
fi
