#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Falco's k8s audit regression tests against osprey: for each line of falco-cases.txt, runs
#   osprey -c falco-k8s-audit.yaml --enable-source=k8s_audit -r falco_rules.yaml -r RULES...
#          -o json_output=true -o plugins[0].open_params=TRACE
# and checks the alerts as Falco's harness does: each listed rule raised exactly that many
# alerts (detect: True), or no alert at the level or above (detect: False). A case may also name
# text stderr must contain. RULES_FILE=latest uses k8s_audit_rules.latest.yaml instead: the
# cases were written for the 0.6.0 rules, and 12 of them then differ because the latest file
# renamed rules (K8s Role/Clusterrole Created -> K8s ClusterRole Created...) and dropped lists the
# override files append to (an error in Falco too); the suite runs the 0.6.0 rules.
# Usage: run-falco-cases.sh OSPREY [CASE]   Exit 77 when ../shared is absent.
set -u
osprey=$1
only=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
fx=${K8S_AUDIT_FIXTURES:-$here/../../../shared/fixtures}
k8s=$fx/k8s-audit
[ -d "$k8s/traces" ] && [ -f "$fx/falco-rules/falco_rules.yaml" ] ||
	{ echo "SKIP: $k8s not found (the shared fixtures are not checked out)"; exit 77; }
main_rules=$k8s/rules/k8s_audit_rules.yaml
[ "${RULES_FILE:-}" = latest ] && main_rules=$k8s/rules/k8s_audit_rules.latest.yaml
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
levels="EMERGENCY ALERT CRITICAL ERROR WARNING NOTICE INFORMATIONAL DEBUG"
rank() { # priority word -> 0..7
	u=$(echo "$1" | tr a-z A-Z); [ "$u" = INFO ] && u=INFORMATIONAL
	i=0; for l in $levels; do [ "$l" = "$u" ] && { echo $i; return; }; i=$((i + 1)); done
	echo 9
}
fail=0 n=0
while IFS='|' read -r name rules trace expect; do
	case $name in '#'* | '') continue ;; esac
	[ -n "$only" ] && [ "$only" != "$name" ] && continue
	n=$((n + 1))
	set -- -c "$k8s/falco-k8s-audit.yaml" --enable-source=k8s_audit
	case " $rules " in *" -nofalco "*) ;; *) set -- "$@" -r "$fx/falco-rules/falco_rules.yaml" ;; esac
	for r in $rules; do
		case $r in
		-nofalco) ;;
		K) set -- "$@" -r "$main_rules" ;;
		L) set -- "$@" -r "$here/falco-lists.yaml" ;;
		V4) set -- "$@" -r "$k8s/rules/extra/engine_v4_k8s_audit_rules.yaml" ;;
		*) set -- "$@" -r "$k8s/rules/extra/$r.yaml" ;;
		esac
	done
	"$osprey" "$@" -o json_output=true -o "plugins[0].open_params=$k8s/traces/$trace.json" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	ok=1 why=""
	[ $rc -eq 0 ] || { ok=0; why="exit $rc"; }
	case $expect in
	none*)
		set -- $expect
		lim=$(rank "$2")
		while IFS= read -r line; do
			p=$(printf '%s\n' "$line" | sed -n 's/.*"priority":"\([A-Za-z]*\)".*/\1/p')
			[ -n "$p" ] && [ "$(rank "$p")" -le "$lim" ] && { ok=0; why="$why unexpected: $line"; }
		done <"$tmp/out"
		case $expect in *stderr:*)
			want=${expect#*stderr:}
			grep -qF "$want" "$tmp/err" || { ok=0; why="$why stderr lacks '$want'"; } ;;
		esac ;;
	*)
		echo "$expect" | tr ';' '\n' >"$tmp/want"
		while IFS='=' read -r rule count; do
			got=$(grep -cF "\"rule\":\"$rule\"" "$tmp/out")
			[ "$got" -eq "$count" ] || { ok=0; why="$why '$rule': $got alerts, want $count"; }
		done <"$tmp/want" ;;
	esac
	if [ $ok -eq 1 ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name:$why"
		sed 's/^/# stderr: /' "$tmp/err" | head -5
		fail=$((fail + 1))
	fi
done <"$here/falco-cases.txt"
echo "# $n cases, $fail failed"
[ $fail -eq 0 ]
