#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Osprey's own k8s audit rules (rules/k8s_audit/) on every upstream trace, audit-only mode
# (engine.kind=nodriver, the k8saudit plugin entry given with -o plugins=...), every matching
# rule (rule_matching=all): "trace: rule" lines compared with own-rules.expected.
# Usage: own-rules.sh OSPREY. Exit 77 without ../shared.
set -u
osprey=$1
here=$(cd "$(dirname "$0")" && pwd)
fx=${K8S_AUDIT_FIXTURES:-$here/../../../shared/fixtures}
traces=$fx/k8s-audit/traces
[ -d "$traces" ] || { echo "SKIP: $traces not found"; exit 77; }
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
for t in "$traces"/*.json; do
	"$osprey" -o engine.kind=nodriver -r "$here/../../rules/k8s_audit/osprey_k8s_audit_rules.yaml" \
		-o json_output=true -o "plugins=[{name: k8saudit, open_params: '$t'}]" \
		-o rule_matching=all 2>/dev/null |
		sed "s|.*\"rule\":\"\([^\"]*\)\".*|$(basename "$t"): \1|"
done >"$out"
if diff -u "$here/own-rules.expected" "$out"; then
	echo "ok: $(wc -l <"$out") alerts as expected"
else
	exit 1
fi
