#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The k8s audit webhook (open_params http(s)://[address]:port/path): curl posts one of Falco's
# traces (../shared/fixtures/k8s-audit/traces) and the alert comes out; bad JSON is 400, a wrong
# Content-Type 400, GET 405, a body over 16 MiB 413; then the same over TLS with a self-signed
# certificate (webserver.ssl_certificate). Skips (77) without the fixtures, curl or openssl.
# Usage: webhook.sh OSPREY.
set -u
osprey=$1
here=$(cd "$(dirname "$0")" && pwd)
fx=${K8S_AUDIT_FIXTURES:-$here/../../../shared/fixtures}
k8s=$fx/k8s-audit
[ -d "$k8s/traces" ] && [ -f "$fx/falco-rules/falco_rules.yaml" ] ||
	{ echo "SKIP: $k8s not found (the shared fixtures are not checked out)"; exit 77; }
for p in curl openssl python3; do
	command -v $p >/dev/null || { echo "SKIP: $p not installed"; exit 77; }
done
tmp=$(mktemp -d) || exit 1
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
check() { # check NAME COND...
	name=$1
	shift
	if "$@"; then echo "ok $name"; else echo "not ok $name"; sed 's/^/# /' "$tmp/err" | tail -5; fail=1; fi
}
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# start URL [osprey options...]: runs osprey on the webhook, waits until it listens
start() {
	url=$1
	shift
	"$osprey" -c "$k8s/falco-k8s-audit.yaml" --enable-source=k8s_audit \
		-r "$fx/falco-rules/falco_rules.yaml" -r "$k8s/rules/k8s_audit_rules.yaml" \
		-o json_output=true -o "plugins[0].open_params=$url" "$@" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	i=0
	while ! grep -q "Kubernetes audit webhook on" "$tmp/err"; do
		i=$((i + 1))
		[ $i -gt 300 ] || ! kill -0 $pid 2>/dev/null && return 1
		sleep 0.1
	done
	return 0
}
stop() {
	kill -TERM $pid
	wait $pid
	rc=$?
	pid=
	return $rc
}
# post URL FILE [content type]: prints the HTTP status
post() {
	curl -sk -o "$tmp/body" -w '%{http_code}' -X POST \
		-H "Content-Type: ${3:-application/json}" --data-binary "@$2" "$1"
}
wait_alert() { # wait_alert RULE
	i=0
	while ! grep -q "\"rule\":\"$1\"" "$tmp/out"; do
		i=$((i + 1))
		[ $i -gt 150 ] && return 1
		sleep 0.1
	done
}
trace=$k8s/traces/attach_cluster_admin_role.json
rule="Attach to cluster-admin Role"

port=$(free_port)
wport=$(free_port)
url=http://127.0.0.1:$port/k8s-audit
check "http: listening" start "$url" -o webserver.enabled=true -o webserver.listen_address=127.0.0.1 \
	-o webserver.listen_port=$wport -o webserver.prometheus_metrics_enabled=true
check "http: trace accepted (200)" [ "$(post "$url" "$trace")" = 200 ]
check "http: the alert comes out" wait_alert "$rule"
check "http: its source is k8s_audit" grep -q '"source":"k8s_audit"' "$tmp/out"
printf '{"kind":"EventList","items":[' >"$tmp/bad.json"
check "http: bad JSON is 400" [ "$(post "$url" "$tmp/bad.json")" = 400 ]
check "http: and says why" grep -q "not valid JSON" "$tmp/body"
check "http: text/plain is 400" [ "$(post "$url" "$trace" text/plain)" = 400 ]
check "http: GET is 405" [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 405 ]
check "http: another path is 404" \
	[ "$(post "http://127.0.0.1:$port/other" "$trace")" = 404 ]
head -c $((16 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$tmp/big.json"
check "http: a body over 16 MiB is 413" [ "$(post "$url" "$tmp/big.json")" = 413 ]
check "http: still serving after them" [ "$(post "$url" "$trace")" = 200 ]
metrics_have() { # metrics_have LINE: /metrics (refreshed every second) shows LINE
	i=0
	until curl -s "http://127.0.0.1:$wport/metrics" >"$tmp/metrics" && grep -qx "$1" "$tmp/metrics"; do
		i=$((i + 1))
		[ $i -gt 150 ] && return 1
		sleep 0.1
	done
}
check "metrics: webhook requests queued" metrics_have "osprey_k8saudit_webhook_accepted_total 2"
check "metrics: refused (bad JSON, text/plain)" metrics_have "osprey_k8saudit_webhook_refused_bad_total 2"
check "metrics: audit events" metrics_have "osprey_k8saudit_events_total 2"
check "metrics: the stdout sink delivered" \
	metrics_have 'osprey_outputs_sink_delivered_total{sink="stdout"} 2'
check "metrics: the source is k8s_audit" \
	grep -q 'falcosecurity_scap_engine_name_info{engine_name="nodriver",evt_source="k8s_audit"} 1' "$tmp/metrics"
check "healthz: ok" [ "$(curl -s "http://127.0.0.1:$wport/healthz")" = '{"status":"ok"}' ]
if command -v promtool >/dev/null; then
	promtool check metrics <"$tmp/metrics" >"$tmp/lint" 2>&1
	prc=$?
	check "metrics: promtool parses them" [ "$prc" = 0 -o "$prc" = 3 ]
	grep -v -E '^falcosecurity_falco_(start_timestamp_nanoseconds|host_boot_timestamp_nanoseconds|host_num_cpus_total) ' \
		"$tmp/lint" >"$tmp/lint2"
	check "metrics: no lint beyond Falco's own names" [ ! -s "$tmp/lint2" ]
else
	echo "skip promtool (Debian package prometheus)"
fi
check "http: SIGTERM: exit 0" stop
check "http: counts logged" grep -q "Audit webhook: 2 requests queued, refused: 1 not JSON" "$tmp/err"
check "http: two alerts" [ "$(grep -c "\"rule\":\"$rule\"" "$tmp/out")" -eq 2 ]

# TLS, a self-signed certificate and its key in one PEM (webserver.ssl_certificate)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
	-days 1 -subj /CN=localhost >/dev/null 2>&1
cat "$tmp/cert.pem" "$tmp/key.pem" >"$tmp/server.pem"
port=$(free_port)
url=https://127.0.0.1:$port/k8s-audit
check "https: listening" start "$url" -o "webserver.ssl_certificate=$tmp/server.pem"
check "https: trace accepted (200)" [ "$(post "$url" "$trace")" = 200 ]
check "https: the alert comes out" wait_alert "$rule"
check "https: bad JSON is 400" [ "$(post "$url" "$tmp/bad.json")" = 400 ]
check "https: a body over 16 MiB is 413" [ "$(post "$url" "$tmp/big.json")" = 413 ]
check "https: plain http is refused" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/k8s-audit")" != 200 ]
check "https: SIGTERM: exit 0" stop
# a certificate that is not one: a clear error, exit != 0
echo "not a certificate" >"$tmp/bad.pem"
"$osprey" -c "$k8s/falco-k8s-audit.yaml" --enable-source=k8s_audit \
	-r "$k8s/rules/k8s_audit_rules.yaml" -o "plugins[0].open_params=$url" \
	-o "webserver.ssl_certificate=$tmp/bad.pem" >"$tmp/out" 2>"$tmp/err"
check "https: bad certificate refused" [ $? -ne 0 ]
check "https: and named" grep -q "Cannot start the audit webhook.*$tmp/bad.pem" "$tmp/err"

# beside the syscall capture (root and BTF: the eBPF probe): the webhook rides on the hooks of
# detect_run_with(); /metrics shows the webhook's, the metadata layer's and the sinks' rows
if [ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ]; then
	port=$(free_port)
	wport=$(free_port)
	url=http://127.0.0.1:$port/k8s-audit
	"$osprey" -c "$k8s/falco-k8s-audit.yaml" -r "$fx/falco-rules/falco_rules.yaml" \
		-r "$k8s/rules/k8s_audit_rules.yaml" -o json_output=true \
		-o "plugins[0].open_params=$url" -o webserver.enabled=true \
		-o webserver.listen_address=127.0.0.1 -o webserver.listen_port=$wport \
		-o webserver.prometheus_metrics_enabled=true -M 30 >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	i=0
	until grep -q "Kubernetes audit webhook on" "$tmp/err" || [ $i -gt 300 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	check "both: trace accepted (200)" [ "$(post "$url" "$trace")" = 200 ]
	check "both: the alert comes out" wait_alert "$rule"
	check "both: metrics: webhook" metrics_have "osprey_k8saudit_webhook_accepted_total 1"
	check "both: metrics: the source is syscall" grep -q 'evt_source="syscall"' "$tmp/metrics"
	check "both: metrics: container metadata rows" grep -q '^osprey_meta_containers ' "$tmp/metrics"
	check "both: metrics: sink rows" grep -q '^osprey_outputs_sink_delivered_total{sink="stdout"} ' "$tmp/metrics"
	check "both: SIGTERM: exit 0" stop
else
	echo "skip both sources (needs root and BTF for the eBPF probe)"
fi
exit $fail
