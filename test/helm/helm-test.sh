#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The Helm chart with the real tools (scripts/install-k8s-tools.sh): `helm lint --strict`, then
# for each values combination `helm template`, every object validated against the Kubernetes
# API schemas and field lists (validate.mjs), the combinations' own checks (chart-checks.mjs),
# and the rendered osprey.yaml loaded by the built osprey itself.
#   helm-test.sh CHART_DIR OSPREY RULES
# Skips (77) when the tools are not installed. $OSPREY_K8S_TOOLS picks their directory.
set -euo pipefail

chart=$1 osprey=$2 rules=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools=${OSPREY_K8S_TOOLS:-/opt/osprey-k8s-tools}
if [[ ! -x $tools/bin/helm || ! -d $tools/node_modules/kubernetes-models ]]; then
	echo "SKIP: helm and the Kubernetes schemas are not installed in $tools (scripts/install-k8s-tools.sh)"
	exit 77
fi
if ! command -v node >/dev/null; then
	echo "SKIP: node is not installed (apt-get install nodejs)"
	exit 77
fi
helm=$tools/bin/helm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The scripts import from the tools' node_modules: run them from there.
cp "$here/validate.mjs" "$here/chart-checks.mjs" "$tools/"

fail=0
echo "== helm lint --strict"
"$helm" lint --strict "$chart" || fail=1

combos=(
	"default|"
	"kmod|--set driver.kind=kmod"
	"kmod-build|--set driver.kind=kmod --set driver.loader.build=true"
	"leastPrivileged|--set driver.kind=modern_ebpf --set driver.modernEbpf.leastPrivileged=true"
	"mirror|--set driver.loader.repos={https://mirror.osprey.svc/drivers} --set driver.loader.publicKey.existingConfigMap=mirror-key --set driver.loader.caBundle.existingSecret=mirror-ca"
	"audit-only|--set driver.enabled=false --set controller.kind=deployment"
	"metrics|--set metrics.enabled=true --set serviceMonitor.create=true"
	"no-loader|--set driver.loader.enabled=false --set driver.kind=modern_ebpf"
)
for c in "${combos[@]}"; do
	name=${c%%|*}
	read -r -a args <<<"${c#*|}"
	echo "== $name: helm template ${args[*]}"
	if ! "$helm" template t "$chart" --namespace osprey "${args[@]}" >"$work/$name.yaml"; then
		echo "FAIL: $name does not render"
		fail=1
		continue
	fi
	(cd "$tools" && node validate.mjs <"$work/$name.yaml") || { echo "FAIL: $name: invalid objects"; fail=1; }
	# The osprey.yaml the chart renders must load in osprey as it is (rules from this tree).
	"$helm" template t "$chart" "${args[@]}" --show-only templates/configmap.yaml |
		(cd "$tools" && node -e '
			const { parseAllDocuments } = await import("yaml");
			const fs = await import("node:fs");
			const d = parseAllDocuments(fs.readFileSync(0, "utf8")).map((x) => x.toJS());
			process.stdout.write(d.find((o) => o && o.data && o.data["osprey.yaml"]).data["osprey.yaml"]);
		' --input-type=module) >"$work/$name-osprey.yaml"
	if ! out=$("$osprey" -c "$work/$name-osprey.yaml" -r "$rules" -L 2>&1 >/dev/null); then
		echo "FAIL: $name: osprey refuses the rendered osprey.yaml:"
		echo "$out"
		fail=1
	elif grep -q 'error' <<<"$out"; then
		echo "FAIL: $name: osprey reports errors for the rendered osprey.yaml:"
		echo "$out"
		fail=1
	else
		echo "ok: $name: osprey loads the rendered osprey.yaml${out:+ (said: $(head -c 300 <<<"$out"))}"
	fi
done

echo "== chart-checks"
(cd "$tools" && node chart-checks.mjs "$helm" "$chart") || fail=1
exit $fail
