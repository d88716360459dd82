#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The chart's pod, run for real: renders helm/osprey's DaemonSet, takes its pod template and
# plays it with `podman kube play` (init container, emptyDir, hostPath, ConfigMaps) on the images
# images/build.sh built. Checks that the loader chose eBPF and wrote its choice, that osprey
# attached and /healthz answers, and that a behaviour in another container raises an alert
# naming that container and its image. Prints the time from pod start to osprey's first alert
# against the loader's own run time.
#   pod-test.sh CHART_DIR VERSION
# Skips (77) without root, BTF, podman, helm (scripts/install-k8s-tools.sh) or the images.
set -euo pipefail

chart=$1 version=$2
tools=${OSPREY_K8S_TOOLS:-/opt/osprey-k8s-tools}
skip() { echo "SKIP: $*"; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "needs root"
[[ -r /sys/kernel/btf/vmlinux ]] || skip "needs a kernel with BTF"
command -v podman >/dev/null || skip "podman is not installed"
[[ -x $tools/bin/helm ]] || skip "helm is not installed in $tools (scripts/install-k8s-tools.sh)"
for img in osprey osprey-driver-loader; do
	podman image exists "localhost/$img:$version" ||
		skip "image localhost/$img:$version is not built (images/build.sh --base \$(images/testbase.sh))"
done
base=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
victim_img=$("$base/images/testbase.sh")

work=$(mktemp -d)
pod=osprey-podtest-$$
victim=osp-victim-$$
svc=
cleanup() {
	podman pod rm -f "$pod" >/dev/null 2>&1 || true
	[[ -z $svc ]] || kill "$svc" 2>/dev/null || true
	podman rm -f "$victim" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
# This host's cgroups are hybrid: crun refuses them, runc works; root lacks CAP_SYS_RESOURCE,
# so podman must not set rlimits. A containers.conf of the test's own says so.
cat >"$work/containers.conf" <<'CONF'
[engine]
runtime = "runc"
[containers]
default_ulimits = []
CONF
export CONTAINERS_CONF=$work/containers.conf

# The chart as a user installs it, with the images built here and podman's Docker-compatible
# API socket for the container metadata (this host has no docker, containerd or CRI-O socket),
# and a custom rules file (customRules) that appends the container's name and image to the
# default rule's output, as a user would.
sock=/run/podman/podman.sock
if [[ ! -S $sock ]]; then
	mkdir -p "$(dirname "$sock")"
	podman system service --time=0 "unix://$sock" &
	svc=$!
	for _ in $(seq 1 50); do [[ -S $sock ]] && break; sleep 0.1; done
fi
args=(--set image.pullPolicy=Never --set driver.loader.initContainer.image.pullPolicy=Never
	--set collectors.docker.enabled=true --set collectors.docker.socket=$sock
	--set collectors.containerd.enabled=false --set collectors.crio.enabled=false
	--set osprey.json_output=true
	--set-string "customRules.container-fields\.yaml=$(cat <<'RULE'
- rule: Shadow or Sudoers File Read by Untrusted Program
  output: container_name=%container.name image=%container.image
  override:
    output: append
RULE
)")
"$tools/bin/helm" template t "$chart" "${args[@]}" >"$work/all.yaml"
(cd "$tools" && node --input-type=module -e '
	const { parseAllDocuments, stringify } = await import("yaml");
	const fs = await import("node:fs");
	const [all, podName, podFile, cmFile] = process.argv.slice(1);
	const objs = parseAllDocuments(fs.readFileSync(all, "utf8")).map((d) => d.toJS()).filter(Boolean);
	const ds = objs.find((o) => o.kind === "DaemonSet");
	const pod = { apiVersion: "v1", kind: "Pod",
		metadata: { name: podName, labels: ds.spec.template.metadata.labels,
			// podman removes "once" init containers after they ran; "always" keeps the
			// loader container, so its exit status and log can be read
			annotations: { "io.podman.annotations.init.container.type": "always" } },
		spec: { ...ds.spec.template.spec, restartPolicy: "Never" } };
	fs.writeFileSync(podFile, stringify(pod));
	objs.filter((o) => o.kind === "ConfigMap").forEach((o, i) => fs.writeFileSync(`${cmFile}.${i}.yaml`, stringify(o)));
' "$work/all.yaml" "$pod" "$work/pod.yaml" "$work/configmap")
cm_args=()
for f in "$work"/configmap.*.yaml; do
	cm_args+=(--configmap "$f")
done

t0=$(date +%s.%N)
echo "== podman kube play ($pod)"
podman kube play "${cm_args[@]}" "$work/pod.yaml" >/dev/null
loader=$pod-osprey-driver-loader main=$pod-osprey
# The loader's verdict.
for _ in $(seq 1 120); do
	st=$(podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$loader" 2>/dev/null || echo "none 0")
	[[ $st == exited* ]] && break
	sleep 0.5
done
echo "loader: $st"
# Read once, then matched: `podman logs | grep -q` dies of SIGPIPE under pipefail.
loader_log=$(podman logs "$loader" 2>&1)
sed 's/^/  loader| /' <<<"$loader_log"
[[ $st == "exited 0" ]] || { echo "FAIL: the loader did not succeed"; exit 1; }
grep -q 'chose ebpf' <<<"$loader_log" || { echo "FAIL: the loader did not choose eBPF"; exit 1; }
loader_s=$(podman inspect --format '{{.State.StartedAt.UnixNano}} {{.State.FinishedAt.UnixNano}}' "$loader" |
	awk '{ printf "%.2f", ($2 - $1) / 1e9 }')

# osprey running, and a behaviour in another container until its alert comes out.
alert=
for i in $(seq 1 60); do
	[[ $(podman inspect --format '{{.State.Status}}' "$main" 2>/dev/null) == running ]] || {
		echo "FAIL: osprey is not running:"; podman logs "$main" 2>&1 | tail -20; exit 1; }
	podman rm -f "$victim" >/dev/null 2>&1 || true
	podman run --name "$victim" "$victim_img" head -c1 /etc/shadow >/dev/null 2>&1 || true
	vid=$(podman inspect --format '{{.Id}}' "$victim")
	alert=$(podman logs "$main" 2>/dev/null | grep '^{' |
		jq -c --arg id "${vid:0:12}" 'select(.output_fields["container.id"] == $id)' | sed -n 1p)
	[[ -n $alert ]] && break
	sleep 1
done
t1=$(date +%s.%N)
if [[ -z $alert ]]; then
	echo "FAIL: no alert for the container $victim within 60 tries; osprey said:"
	podman logs "$main" 2>&1 | tail -30
	exit 1
fi
echo "alert: $alert"
fail=0
jq -e '.rule == "Shadow or Sudoers File Read by Untrusted Program"' <<<"$alert" >/dev/null ||
	{ echo "FAIL: unexpected rule"; fail=1; }
name=$(jq -r '.output_fields["container.name"] // empty' <<<"$alert")
image=$(jq -r '.output_fields["container.image.repository"] // .output_fields["container.image"] // empty' <<<"$alert")
[[ $name == "$victim" ]] || { echo "FAIL: container.name is '$name', not $victim"; fail=1; }
[[ $image == *osprey-testbase* ]] || { echo "FAIL: container image is '$image', not ${victim_img%%:*}"; fail=1; }

# /healthz from the pod's address.
ip=$(podman inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$pod-infra" 2>/dev/null ||
	podman pod inspect --format '{{.InfraContainerID}}' "$pod" | xargs podman inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}')
code=$(curl -s -o "$work/healthz" -w '%{http_code}' --max-time 5 "http://$ip:8765/healthz" || true)
echo "healthz: $code $(head -c 300 "$work/healthz" 2>/dev/null)"
[[ $code == 200 ]] || { echo "FAIL: /healthz answered '$code'"; fail=1; }

printf 'timing: pod start to the first alert %.1f s; the loader itself ran %s s\n' \
	"$(bc -l <<<"$t1 - $t0")" "$loader_s"
exit $fail
