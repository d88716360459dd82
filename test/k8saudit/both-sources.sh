#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# One process, two sources: a recorded syscall capture (test/golden/host.osc, replayed with -e)
# and an audit log (followed beside it), Osprey's own syscall and k8s audit rules, one output:
# alerts of both sources come out, each with its "source". Usage: both-sources.sh OSPREY.
set -u
osprey=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/audit.log" <<'JSON'
{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseComplete","verb":"create","user":{"username":"mallory"},"objectRef":{"resource":"pods","namespace":"default","name":"p"},"responseStatus":{"code":201},"requestObject":{"kind":"Pod","spec":{"hostPID":true,"containers":[{"name":"c","image":"alpine"}]}},"responseObject":{"metadata":{"name":"p"}},"stageTimestamp":"2024-05-06T07:08:09.123456Z"}
JSON
"$osprey" -e "$top/test/golden/host.osc" -r "$top/rules/osprey_rules.yaml" \
	-r "$top/rules/k8s_audit/osprey_k8s_audit_rules.yaml" -o json_output=true \
	-o "plugins=[{name: k8saudit, open_params: '$tmp/audit.log'}]" >"$tmp/out" 2>"$tmp/err"
rc=$?
fail=0
[ $rc -eq 0 ] || { echo "not ok: exit $rc"; cat "$tmp/err"; fail=1; }
grep -q '"rule":"K8s Pod Shares A Host Namespace","source":"k8s_audit"' "$tmp/out" ||
	{ echo "not ok: no k8s_audit alert"; fail=1; }
grep -q '"source":"syscall"' "$tmp/out" || { echo "not ok: no syscall alert"; fail=1; }
grep -vq '"source":' "$tmp/out" && { echo "not ok: an alert without a source"; fail=1; }
grep -q "following it" "$tmp/err" || { echo "not ok: the audit log is not followed"; fail=1; }
[ $fail -eq 0 ] && echo "ok: $(grep -c '"source":"syscall"' "$tmp/out") syscall and" \
	"$(grep -c '"source":"k8s_audit"' "$tmp/out") k8s_audit alerts from one process"
exit $fail
