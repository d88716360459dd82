#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The k8s_audit source from the command line, without the shared fixtures: audit-only mode
# (engine.kind: nodriver) on a small audit log written here, Falco's plugins: configuration with
# -o plugins[0].open_params, --enable-source, and the clear errors: no open_params, a webhook
# address (not available yet), a missing file, an unknown source. Usage: cli-audit.sh OSPREY.
set -u
osprey=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check NAME COND...
	name=$1
	shift
	if "$@"; then echo "ok $name"; else echo "not ok $name"; sed 's/^/# /' "$tmp/err" | head -5; fail=1; fi
}
cat >"$tmp/audit.log" <<'JSON'
{"kind":"Event","stage":"ResponseComplete","verb":"create","user":{"username":"mallory"},"objectRef":{"resource":"clusterrolebindings","name":"b"},"responseStatus":{"code":201},"requestObject":{"roleRef":{"name":"cluster-admin"},"subjects":[{"kind":"User","name":"mallory"}]},"stageTimestamp":"2024-05-06T07:08:09Z"}
not json
{"kind":"Event","stage":"ResponseComplete","verb":"get","user":{"username":"system:anonymous"},"requestURI":"/api/v1/secrets","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"oops"},"sourceIPs":["203.0.113.9"],"stageTimestamp":"2024-05-06T07:08:10Z"}
JSON
cat >"$tmp/falco.yaml" <<EOF2
engine:
  kind: nodriver
json_output: true
rules_files: [$top/rules/k8s_audit/osprey_k8s_audit_rules.yaml]
plugins:
  - name: k8saudit
    library_path: libk8saudit.so
    init_config: {maxEventSize: 262144}
    open_params: ""
  - name: json
    library_path: libjson.so
load_plugins: [k8saudit, json]
EOF2

"$osprey" -c "$tmp/falco.yaml" -o "plugins[0].open_params=$tmp/audit.log" >"$tmp/out" 2>"$tmp/err"
check "nodriver: exit 0" [ $? -eq 0 ]
check "nodriver: cluster-admin binding" grep -q '"rule":"K8s Binding To cluster-admin","source":"k8s_audit"' "$tmp/out"
check "nodriver: anonymous request" grep -q '"output_fields":{.*"ka.sourceips":"(203.0.113.9)"' "$tmp/out"
check "nodriver: alert time is the stageTimestamp" grep -q '"time":"2024-05-06T07:08:10.000000000Z"' "$tmp/out"
check "nodriver: the bad line is named" grep -q "audit.log, line 2: not valid JSON" "$tmp/err"
check "nodriver: no plugin is loaded, and it says so" grep -q "implements them natively" "$tmp/err"

# the same with Falco's form: the driver left as configured, --enable-source=k8s_audit
sed 's/kind: nodriver/kind: kmod/' "$tmp/falco.yaml" >"$tmp/kmod.yaml"
"$osprey" -c "$tmp/kmod.yaml" --enable-source=k8s_audit -o "plugins[0].open_params=$tmp/audit.log" \
	>"$tmp/out" 2>"$tmp/err"
check "enable-source: exit 0, no driver opened" [ $? -eq 0 ]
check "enable-source: 2 alerts" [ "$(grep -c '"source":"k8s_audit"' "$tmp/out")" -eq 2 ]

"$osprey" -c "$tmp/falco.yaml" >"$tmp/out" 2>"$tmp/err"
check "no open_params: refused" [ $? -ne 0 ]
check "no open_params: says what to set" grep -q "open_params" "$tmp/err"
"$osprey" -c "$tmp/falco.yaml" -o "plugins[0].open_params=http://:9765/k8s-audit" >"$tmp/out" 2>"$tmp/err"
check "webhook: refused for now" [ $? -ne 0 ]
check "webhook: says so" grep -q "webhook.*not available yet" "$tmp/err"
"$osprey" -c "$tmp/falco.yaml" -o "plugins[0].open_params=$tmp/nope.log" >"$tmp/out" 2>"$tmp/err"
check "missing file: refused" [ $? -ne 0 ]
check "missing file: named" grep -q "Cannot open the audit log '$tmp/nope.log'" "$tmp/err"
"$osprey" --enable-source=gcp_audit -c "$tmp/falco.yaml" >"$tmp/out" 2>"$tmp/err"
check "unknown source: refused" [ $? -ne 0 ]
check "unknown source: named" grep -q "Unknown event source 'gcp_audit'" "$tmp/err"
"$osprey" -c "$tmp/falco.yaml" --disable-source=k8s_audit >"$tmp/out" 2>"$tmp/err"
check "no source left: refused" [ $? -ne 0 ]
check "no source left: says so" grep -q "No event source left enabled (--disable-source)" "$tmp/err"
"$osprey" -c "$tmp/falco.yaml" -o load_plugins=[json] >"$tmp/out" 2>"$tmp/err"
check "nodriver, k8saudit not loaded: refused" [ $? -ne 0 ]
check "nodriver, k8saudit not loaded: says why" \
	grep -q "No event source to run: syscall: engine.kind is nodriver.*k8s_audit: no plugins: entry named k8saudit is loaded" "$tmp/err"
exit $fail
