#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The least-privileged pod's capability set, tried for real: renders helm/osprey with
# driver.modernEbpf.leastPrivileged, takes the osprey container's capabilities, and runs the
# built osprey as root with exactly those in its bounding set (setpriv); it must attach the probe
# and raise the default rules' alert for a read of /etc/shadow with the process named. Then
# without CAP_BPF it must fail to start, saying that it lacks the capability. A capability this root lacks itself (here
# CAP_SYS_RESOURCE, which the BPF memory accounting of kernels >= 5.11 does not need) is left
# out and said.
#   caps-test.sh CHART_DIR OSPREY RULES
set -euo pipefail

chart=$1 osprey=$2 rules=$3
tools=${OSPREY_K8S_TOOLS:-/opt/osprey-k8s-tools}
skip() { echo "SKIP: $*"; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "needs root"
[[ -r /sys/kernel/btf/vmlinux ]] || skip "needs a kernel with BTF"
[[ -x $tools/bin/helm ]] || skip "helm is not installed in $tools (scripts/install-k8s-tools.sh)"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
command -v jq >/dev/null || skip "jq is missing"

caps=$("$tools/bin/helm" template t "$chart" --set driver.kind=modern_ebpf \
	--set driver.modernEbpf.leastPrivileged=true --show-only templates/daemonset.yaml |
	sed -n '/- name: osprey$/,$p' | sed -n 's/^ *add: \[\(.*\)\]$/\1/p' | sed -n 1p | tr -d ' ')
[[ -n $caps ]] || { echo "FAIL: no capability list rendered for the osprey container"; exit 1; }
echo "chart's capabilities: $caps"
have=$(capsh --decode="$(awk '/^CapBnd/ { print $2 }' /proc/self/status)" | cut -d= -f2)
set_=
IFS=, read -r -a list <<<"$caps"
for c in "${list[@]}"; do
	lc=cap_${c,,}
	if [[ ,$have, == *,$lc,* ]]; then
		set_+=",+${c,,}"
	else
		echo "note: this root lacks $lc itself: left out"
	fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { # run BOUNDING: osprey for 4 s while a process reads /etc/shadow every 0.3 s
	local b=$1
	(for _ in $(seq 1 12); do sleep 0.3; head -c1 /etc/shadow >/dev/null; done) &
	local rc=0
	setpriv --bounding-set="-all$b" --inh-caps=-all -- "$osprey" -r "$rules" -M 4 \
		-o json_output=true >"$work/out" 2>"$work/err" || rc=$?
	wait
	return $rc
}
fail=0
if run "$set_"; then
	a=$(grep '^{' "$work/out" | jq -c 'select(.rule == "Shadow or Sudoers File Read by Untrusted Program")' | sed -n 1p)
	if [[ -z $a ]]; then
		echo "FAIL: no alert with the chart's capabilities"; tail -5 "$work/err"; fail=1
	elif [[ $(jq -r '.output_fields["proc.name"]' <<<"$a") != head ]]; then
		echo "FAIL: the alert does not name the process: $a"; fail=1
	else
		echo "ok: attached and alerted with$set_"
	fi
else
	echo "FAIL: osprey did not run with$set_:"; tail -5 "$work/err"; fail=1
fi
nobpf=${set_/,+bpf/}
if run "$nobpf"; then
	echo "FAIL: osprey ran without CAP_BPF (bounding set$nobpf)"; fail=1
else
	if grep -q 'not allowed to use eBPF' "$work/err"; then
		echo "ok: without CAP_BPF osprey refuses to start: $(grep 'Cannot start' "$work/err")"
	else
		echo "FAIL: without CAP_BPF osprey does not say it lacks the capability:"
		grep 'Cannot start' "$work/err" || tail -n 3 "$work/err"
		fail=1
	fi
fi
exit $fail
