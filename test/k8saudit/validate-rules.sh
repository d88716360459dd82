#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# osprey -V loads both upstream k8saudit rules files unmodified (no error), alone and after
# Falco's syscall rules. Usage: validate-rules.sh OSPREY. Exit 77 without ../shared.
set -u
osprey=$1
here=$(cd "$(dirname "$0")" && pwd)
fx=${K8S_AUDIT_FIXTURES:-$here/../../../shared/fixtures}
r=$fx/k8s-audit/rules
[ -f "$r/k8s_audit_rules.yaml" ] || { echo "SKIP: $r not found"; exit 77; }
fail=0
for f in "$r/k8s_audit_rules.yaml" "$r/k8s_audit_rules.latest.yaml"; do
	for pre in "" "$fx/falco-rules/falco_rules.yaml"; do
		if "$osprey" ${pre:+-V "$pre"} -V "$f" >/dev/null; then
			echo "ok ${pre:+falco_rules.yaml + }$(basename "$f")"
		else
			echo "not ok ${pre:+falco_rules.yaml + }$(basename "$f")"
			"$osprey" ${pre:+-V "$pre"} -V "$f" | grep -v ': warning: ' | head
			fail=1
		fi
	done
done
exit $fail
