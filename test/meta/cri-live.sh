#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The CRI source, live: cri-live.sh CRI_CLIENT SRCDIR [OSPREY RULES]
#
# Starts a containerd of its own (its own config, root, state, runc root and socket under a
# temporary directory; the CRI plugin; runtime io.containerd.runc.v2 with runc, cgroupfs) with a
# pause image and a busybox image built here (no registry: a static pause program and
# busybox-static, packed by podman in a storage of the test and imported with ctr). cri-client
# then makes kubelet's calls (RunPodSandbox with host networking, so no CNI; CreateContainer;
# StartContainer) over Osprey's own gRPC transport, and asks Osprey's CRI source:
#
#   1. lookups   the container: name, image, labels, mounts, pod namespace/name/uid/labels,
#                sandbox id, host network (through the containerd engine, then the cri engine);
#                a privileged container; a pod with a network of its own (CNI bridge of the
#                test): its ip;
#                200 lookups in a row (their cost printed); the sandbox (pause) container: the
#                pod; an unknown id. (The faults are cri-faults.sh's.)
#   2. osprey    (with OSPREY, root, BTF, jq) the built osprey on the eBPF probe, the default
#                rules and JSON output, the containerd engine pointed at the test's socket and
#                the bundle reader off: a pod's container reads /etc/shadow, the alert carries
#                k8s.ns.name, k8s.pod.name, the pod labels, container.name and container.image.
#                containerd is then killed mid-run: a container started by runc alone reads
#                /etc/shadow, the alert comes with <NA> names and the outage is logged once;
#                containerd started again, a new pod's alert has its names again; containerd
#                restarted between two lookups: the next one reconnects at once. A plain
#                containerd container (ctr run, namespace default) reads /etc/shadow: its
#                alert has container.type containerd, its image and labels from containerd's
#                own API (Containers/Get), an empty container.name (as Falco).
#
# Exit 0 = pass, 1 = fail, 77 = skipped (the reason printed). OSP_META_KEEP=1 keeps the work
# directory.
set -u

CLIENT=$1
OSPREY=${3:-}
RULES=${4:-}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root (containerd, runc)"
for p in containerd ctr runc podman cc; do
	command -v "$p" >/dev/null ||
		skip "needs $p (apt-get install containerd runc podman gcc)"
done
[ -x /bin/busybox ] ||
	skip "needs busybox-static for the test image (apt-get install busybox-static)"

TAG=osp-cri-$$
BRIDGE=ospcri$$ # the CNI bridge of the pod with a network of its own
RUN_CONTAINERD_MADE=
[ -d /run/containerd ] || RUN_CONTAINERD_MADE=1
VAR_LIB_CNI_MADE= # libcni's cache of results (not configurable in containerd 1.6)
[ -d /var/lib/cni ] || VAR_LIB_CNI_MADE=1
W=$(mktemp -d "/tmp/$TAG.XXXXXX") || exit 1
SOCK=$W/containerd.sock
CTRD_PID=
OSPREY_PID=
PIDS=()
SANDBOXES=()
failures=0
checks=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

ok() {
	echo "ok - $*"
	checks=$((checks + 1))
}

stop_osprey() {
	if [ -n "$OSPREY_PID" ]; then
		kill -INT "$OSPREY_PID" 2>/dev/null
		wait "$OSPREY_PID" 2>/dev/null
		OSPREY_PID=
	fi
}

# wait_socket PATH: until a server answers on the socket (10 s at most)
wait_socket() {
	for _ in $(seq 1 100); do
		[ -S "$1" ] && timeout 5 ctr -a "$1" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

start_containerd() {
	rm -f "$SOCK"
	containerd --config "$W/containerd.toml" >>"$W/containerd.log" 2>&1 &
	CTRD_PID=$!
	wait_socket "$SOCK" && return 0
	tail -20 "$W/containerd.log" >&2
	skip "containerd did not start (its log is above)"
}

stop_containerd() {
	if [ -n "$CTRD_PID" ]; then
		kill "$CTRD_PID" 2>/dev/null
		wait "$CTRD_PID" 2>/dev/null
		CTRD_PID=
	fi
}

cleanup() {
	local p id

	stop_osprey
	if [ -n "$CTRD_PID" ]; then
		for id in "${SANDBOXES[@]}"; do
			"$CLIENT" down "$SOCK" "$id" >/dev/null 2>&1
		done
	fi
	stop_containerd
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	# the shims and containers left (containerd killed mid-run, or a failure)
	for id in $(runc --root "$W/runc/k8s.io" list -q 2>/dev/null) \
		$(runc --root "$W/runc-alone" list -q 2>/dev/null); do
		runc --root "$W/runc/k8s.io" delete -f "$id" >/dev/null 2>&1 ||
			runc --root "$W/runc-alone" delete -f "$id" >/dev/null 2>&1
	done
	for p in "$W"/state/io.containerd.runtime.v2.task/k8s.io/*/shim.pid; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
	done
	sleep 0.5
	grep " $W/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	find /sys/fs/cgroup -depth -type d -path "*/kubepods/besteffort/pod$TAG*" \
		-exec rmdir {} \; 2>/dev/null
	# the parents, when no one else uses them (rmdir fails on a cgroup with children)
	for p in /sys/fs/cgroup/kubepods /sys/fs/cgroup/*/kubepods; do
		rmdir "$p/besteffort" "$p" 2>/dev/null
	done
	ip link del "$BRIDGE" 2>/dev/null
	# containerd's fixed directory of shim sockets, if the test made it
	[ -n "$RUN_CONTAINERD_MADE" ] && rmdir /run/containerd/s /run/containerd 2>/dev/null
	[ -n "$VAR_LIB_CNI_MADE" ] && rmdir /var/lib/cni/results /var/lib/cni 2>/dev/null
	if [ "${OSP_META_KEEP:-}" = 1 ]; then
		echo "kept: $W"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT

# ---- the images: a static pause program and busybox-static -----------------------------------

mkdir -p "$W/pause-rootfs" "$W/bb-rootfs/bin" "$W/bb-rootfs/etc" "$W/data" "$W/runc"
cat >"$W/pause.c" <<'EOF'
#include <signal.h>
#include <unistd.h>

static void done(int sig)
{
	_exit(0);
}

int main(void)
{
	signal(SIGTERM, done);
	signal(SIGINT, done);
	for (;;)
		pause();
}
EOF
cc -static -O2 -o "$W/pause-rootfs/pause" "$W/pause.c" ||
	skip "cannot link a static program (apt-get install libc6-dev)"
cp /bin/busybox "$W/bb-rootfs/bin/"
for a in sh cat sleep head true; do ln -s busybox "$W/bb-rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$W/bb-rootfs/etc/passwd"
echo 'root:*:1::::::' >"$W/bb-rootfs/etc/shadow"
echo data >"$W/data/file"

PODMAN=(podman --root "$W/podman" --runroot "$W/podman-run" --storage-driver vfs)
pack() { # pack ROOTFS NAME CMD-JSON: an image tarball $W/NAME.tar
	tar -C "$1" -c . |
		"${PODMAN[@]}" import --change "CMD $3" - "localhost/$2:cri" >/dev/null 2>&1 &&
		"${PODMAN[@]}" save --format docker-archive -o "$W/$2.tar" "localhost/$2:cri" \
			>/dev/null 2>&1
}
pack "$W/pause-rootfs" osp-pause '["/pause"]' && pack "$W/bb-rootfs" osp-busybox '["/bin/sh"]' ||
	skip "podman could not pack the test images"

# ---- containerd of the test ------------------------------------------------------------------

# CNI for the one pod with a network of its own: a bridge of the test, no masquerading, no
# firewall rules, its addresses recorded under $W (containernetworking-plugins)
CNI_BIN=/usr/lib/cni
mkdir -p "$W/cni/conf" "$W/cni/ipam"
if [ -x "$CNI_BIN/bridge" ] && [ -x "$CNI_BIN/host-local" ] && [ -x "$CNI_BIN/loopback" ]; then
	cat >"$W/cni/conf/10-osp-cri.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "osp-cri-test",
  "plugins": [{
    "type": "bridge", "bridge": "$BRIDGE", "isGateway": false, "ipMasq": false,
    "ipam": {"type": "host-local", "subnet": "10.213.37.0/24", "dataDir": "$W/cni/ipam"}
  }]
}
EOF
fi
cat >"$W/containerd.toml" <<EOF
version = 2
root = "$W/root"
state = "$W/state"
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$W/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/osp-pause:cri"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # without CAP_SYS_RESOURCE (some sandboxes) a pod's oom_score_adj below ours is refused
  restrict_oom_score_adj = true
  # the pods' network namespaces under the test's state directory, not /var/run/netns
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "$(command -v runc)"
        Root = "$W/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$W/cni/conf"
EOF
start_containerd
for i in osp-pause osp-busybox; do
	ctr -a "$SOCK" -n k8s.io images import "$W/$i.tar" >/dev/null ||
		skip "ctr images import $i failed"
done

# pod_up NAME LABELS MOUNT CMD...: a pod (namespace shop, uid TAG-NAME) with one container "app";
# sets SANDBOX and CONTAINER
pod_up() {
	local name=$1 labels=$2 mount=$3 out

	shift 3
	out=$("$CLIENT" up "$SOCK" "$name" shop "$TAG-$name" "/kubepods/besteffort/pod$TAG-$name" \
		app localhost/osp-busybox:cri "$labels" "$mount" "$@") || {
		fail "pod $name: kubelet's calls failed"
		tail -5 "$W/containerd.log" >&2
		return 1
	}
	SANDBOX=$(sed -n 's/^sandbox=//p' <<<"$out")
	CONTAINER=$(sed -n 's/^container=//p' <<<"$out")
	SANDBOXES+=("$SANDBOX")
}

# has FILE LINE...: every line is in FILE
has() {
	local f=$1 l

	shift
	for l in "$@"; do
		grep -qxF -- "$l" "$f" || {
			echo "missing: $l" >&2
			return 1
		}
	done
}

# ---- 1. the lookups -----------------------------------------------------------------------------

if pod_up web "app=web,tier=front" "$W/data:/data" sh -c 'sleep 1000'; then
	"$CLIENT" lookup "$SOCK" "$CONTAINER" >"$W/lookup-container.txt" 2>&1
	if has "$W/lookup-container.txt" lookup=ok source=containerd container.name=app \
		container.image=localhost/osp-busybox:cri \
		container.image.repository=localhost/osp-busybox container.image.tag=cri \
		"container.label[app]=web" "container.label[io.kubernetes.pod.name]=web" \
		k8s.ns.name=shop k8s.pod.name=web "k8s.pod.uid=$TAG-web" \
		"k8s.pod.sandbox_id=$SANDBOX" "k8s.pod.label[app]=web" "k8s.pod.label[tier]=front" \
		container.host_network=1 container.host_pid=0 container.privileged=0 \
		"container.mount[0]=$W/data:/data:ro:rprivate" &&
		grep -qE '^container.image.id=[0-9a-f]{64}$' "$W/lookup-container.txt" &&
		grep -qE '^container.start_ts=[1-9][0-9]{18}$' "$W/lookup-container.txt"; then
		ok "lookup: the container's name, image, labels, mount and its pod"
	else
		fail "lookup of the container: $(cat "$W/lookup-container.txt")"
	fi
	# the cri engine (CRI-O's, here pointed at containerd): the same answers
	"$CLIENT" lookup "$SOCK" "$CONTAINER" 1000 cri >"$W/lookup-cri.txt" 2>&1
	if has "$W/lookup-cri.txt" lookup=ok source=cri container.name=app k8s.pod.name=web \
		"k8s.pod.label[app]=web"; then
		ok "lookup: the cri engine's socket answers the same"
	else
		fail "lookup through the cri engine: $(cat "$W/lookup-cri.txt")"
	fi
	# the cost of a lookup (two calls on the kept connection), for the record
	"$CLIENT" bench "$SOCK" "$CONTAINER" 200 || fail "200 lookups in a row failed"
	"$CLIENT" lookup "$SOCK" "$SANDBOX" >"$W/lookup-sandbox.txt" 2>&1
	if has "$W/lookup-sandbox.txt" lookup=ok container.name=web \
		container.image=localhost/osp-pause:cri k8s.ns.name=shop k8s.pod.name=web \
		"k8s.pod.uid=$TAG-web" "k8s.pod.sandbox_id=$SANDBOX" \
		"k8s.pod.label[tier]=front"; then
		ok "lookup: the sandbox (pause) container is the pod"
	else
		fail "lookup of the sandbox: $(cat "$W/lookup-sandbox.txt")"
	fi
fi
if OSP_CRI_PRIVILEGED=1 pod_up priv "app=priv" "" sh -c 'sleep 1000'; then
	"$CLIENT" lookup "$SOCK" "$CONTAINER" >"$W/lookup-priv.txt" 2>&1
	if has "$W/lookup-priv.txt" lookup=ok container.privileged=1 k8s.pod.name=priv; then
		ok "lookup: a privileged container"
	else
		fail "lookup of a privileged container: $(cat "$W/lookup-priv.txt")"
	fi
fi
if [ ! -f "$W/cni/conf/10-osp-cri.conflist" ]; then
	echo "SKIP (pod network): needs containernetworking-plugins (bridge, host-local, loopback)"
elif OSP_CRI_POD_NETWORK=1 pod_up net "app=net" "" sh -c 'sleep 1000'; then
	"$CLIENT" lookup "$SOCK" "$CONTAINER" >"$W/lookup-net.txt" 2>&1
	if has "$W/lookup-net.txt" lookup=ok container.host_network=0 k8s.pod.name=net &&
		grep -qE '^k8s.pod.ip=10\.213\.37\.[0-9]+$' "$W/lookup-net.txt" &&
		grep -qE '^container.ip=10\.213\.37\.[0-9]+$' "$W/lookup-net.txt"; then
		ok "lookup: a pod with its own network: its ip"
	else
		fail "lookup of a pod with its own network: $(cat "$W/lookup-net.txt")"
	fi
fi
"$CLIENT" lookup "$SOCK" "$(printf '%064d' 7)" >"$W/lookup-unknown.txt" 2>&1
rc=$?
if [ $rc -eq 2 ] && has "$W/lookup-unknown.txt" "lookup=No such file or directory"; then
	ok "lookup: an unknown container is not found"
else
	fail "lookup of an unknown id: rc $rc, $(cat "$W/lookup-unknown.txt")"
fi

# ---- 2. osprey, live ----------------------------------------------------------------------------

if [ -z "$OSPREY" ]; then
	echo "SKIP (part 2): osprey was not built"
elif [ ! -r /sys/kernel/btf/vmlinux ]; then
	echo "SKIP (part 2): the kernel has no BTF (/sys/kernel/btf/vmlinux)"
elif ! command -v jq >/dev/null; then
	echo "SKIP (part 2): needs jq (apt-get install jq)"
else
	cat >"$W/probe.yaml" <<'EOF'
- rule: Osprey CRI Probe
  desc: a container reads /etc/shadow (the CRI test's probe)
  condition: >
    evt.type in (open, openat, openat2) and evt.is_open_read = true and
    fd.name = /etc/shadow and container.id != host
  output: >
    cri probe %container.id %container.full_id %container.type %container.name
    %container.image %container.image.repository %container.image.tag %container.label[app]
    %container.host_network %container.mounts %k8s.ns.name %k8s.pod.name %k8s.pod.uid
    %k8s.pod.label[app] %k8s.pod.labels %k8s.pod.sandbox_id
  priority: WARNING
EOF
	ALERTS=$W/alerts.json
	LOG=$W/osprey.log
	"$OSPREY" --driver=ebpf -r "$RULES" -r "$W/probe.yaml" -o rule_matching=all \
		-o json_output=true -o stdout_output.enabled=false \
		-o file_output.enabled=true -o file_output.keep_alive=true \
		-o "file_output.filename=$ALERTS" -o container.timeout_ms=2000 \
		-o container.engines.docker.enabled=false \
		-o container.engines.podman.enabled=false \
		-o container.engines.cri.enabled=false -o container.engines.bundle.enabled=false \
		-o "container.engines.containerd.sockets=[$SOCK]" >"$W/osprey.out" 2>"$LOG" &
	OSPREY_PID=$!
	cp /usr/bin/head "$W/osp-cri-ready"
	ready=
	for _ in $(seq 1 150); do
		kill -0 "$OSPREY_PID" 2>/dev/null || break
		"$W/osp-cri-ready" -c1 /etc/shadow >/dev/null
		if grep -q '"proc.name":"osp-cri-ready"' "$ALERTS" 2>/dev/null; then
			ready=1
			break
		fi
		sleep 0.2
	done
	if [ -z "$ready" ]; then
		cat "$LOG" >&2
		fail "osprey: not ready (no canary alert within 30 s)"
	else
		# probe_alert ID: the probe rule's alert of the container (waits up to 15 s)
		probe_alert() {
			local a

			for _ in $(seq 1 75); do
				a=$(jq -c --arg id "${1:0:12}" 'select(.rule == "Osprey CRI Probe" and
					.output_fields["container.id"] == $id)' "$ALERTS" 2>/dev/null |
					head -n1)
				[ -n "$a" ] && break
				sleep 0.2
			done
			echo "$a"
		}
		# expect NAME ALERT JQ-EXPRESSION...: each expression must be true of the alert
		expect() {
			local name=$1 a=$2 e

			shift 2
			if [ -z "$a" ]; then
				fail "$name: no alert"
				return
			fi
			for e in "$@"; do
				if [ "$(jq -r "def f(k): .output_fields[k]; $e" <<<"$a")" != true ]; then
					fail "$name: expected $e; alert: $(jq -c .output_fields <<<"$a")"
					return
				fi
			done
			ok "$name"
		}

		# the container waits a moment (its lookup runs at its first exec), then reads
		if pod_up shop-api "app=api,team=blue" "" \
			sh -c 'sleep 1; head -c1 /etc/shadow >/dev/null; sleep 1000'; then
			a=$(probe_alert "$CONTAINER")
			expect "osprey: the alert carries the pod and the container" "$a" \
				"f(\"container.full_id\") == \"$CONTAINER\"" \
				'f("container.type") == "containerd"' \
				'f("container.name") == "app"' \
				'f("container.image") == "localhost/osp-busybox:cri"' \
				'f("container.image.repository") == "localhost/osp-busybox"' \
				'f("container.image.tag") == "cri"' \
				'f("container.label[app]") == "api"' \
				'f("container.host_network") == true' \
				'f("k8s.ns.name") == "shop"' \
				'f("k8s.pod.name") == "shop-api"' \
				"f(\"k8s.pod.uid\") == \"$TAG-shop-api\"" \
				'f("k8s.pod.label[app]") == "api"' \
				'(f("k8s.pod.labels") | contains("team:blue"))' \
				"f(\"k8s.pod.sandbox_id\") == \"${SANDBOX:0:12}\""
			a=$(jq -c --arg id "${CONTAINER:0:12}" 'select(.rule ==
				"Shadow or Sudoers File Read by Untrusted Program" and
				.output_fields["container.id"] == $id)' "$ALERTS" | head -n1)
			expect "osprey: the default rule's alert has the container's image" "$a" \
				'f("container.image.repository") == "localhost/osp-busybox"'
		fi

		# a plain containerd container (ctr run, namespace "default", cgroup /default/ID):
		# not CRI's, described by containerd's own API (Containers/Get), as Falco does
		plain=$(printf '%s' "$TAG-plain" | sha256sum | cut -c1-64)
		if ctr -a "$SOCK" -n default images import "$W/osp-busybox.tar" >/dev/null 2>&1 &&
			timeout 60 ctr -a "$SOCK" -n default run --rm --label app=plain \
				localhost/osp-busybox:cri "$plain" \
				sh -c 'sleep 1; head -c1 /etc/shadow >/dev/null' </dev/null \
				>"$W/ctr-run.out" 2>&1; then
			a=$(probe_alert "$plain")
			expect "ctr run: a plain containerd container, named by containerd's API" "$a" \
				"f(\"container.full_id\") == \"$plain\"" \
				'f("container.type") == "containerd"' \
				'f("container.name") == ""' \
				'f("container.image") == "localhost/osp-busybox:cri"' \
				'f("container.image.repository") == "localhost/osp-busybox"' \
				'f("container.image.tag") == "cri"' \
				'f("container.label[app]") == "plain"' \
				'f("k8s.pod.name") == null'
			a=$(jq -c --arg id "${plain:0:12}" 'select(.rule ==
				"Shadow or Sudoers File Read by Untrusted Program" and
				.output_fields["container.id"] == $id)' "$ALERTS" | head -n1)
			expect "ctr run: the default rule's alert has its image" "$a" \
				'f("container.image.repository") == "localhost/osp-busybox"'
		else
			fail "ctr run failed: $(head -c 600 "$W/ctr-run.out")"
		fi

		# containerd killed mid-run: a container started by runc alone (in a kubepods
		# cgroup, so containerd's kind) reads /etc/shadow: the alert still comes
		kill -9 "$CTRD_PID"
		wait "$CTRD_PID" 2>/dev/null
		CTRD_PID=
		alone=$(printf '%s' "$TAG-alone" | sha256sum | cut -c1-64)
		mkdir -p "$W/alone"
		cp -a "$W/bb-rootfs" "$W/alone/rootfs"
		(cd "$W/alone" && runc spec) || fail "runc spec failed"
		jq --arg cg "/kubepods/besteffort/pod$TAG-alone/$alone" '.process.terminal = false |
			.process.args = ["sh", "-c", "sleep 1; head -c1 /etc/shadow >/dev/null"] |
			.linux.cgroupsPath = $cg | .root.readonly = false' \
			"$W/alone/config.json" >"$W/alone/config.new" &&
			mv "$W/alone/config.new" "$W/alone/config.json"
		(cd "$W/alone" && timeout 30 runc --root "$W/runc-alone" run "$alone" \
			</dev/null >/dev/null 2>&1)
		a=$(probe_alert "$alone")
		expect "containerd killed: the alert still comes, without names" "$a" \
			"f(\"container.full_id\") == \"$alone\"" 'f("container.type") == "containerd"' \
			'f("container.name") == null' 'f("k8s.pod.name") == null'
		if [ "$(grep -c "containerd CRI at $SOCK does not answer" "$LOG")" -eq 1 ]; then
			ok "containerd killed: the outage is logged once"
		else
			fail "containerd killed: expected one log line: $(grep 'CRI at' "$LOG")"
		fi

		# containerd back: after the back-off a new pod has its names again
		start_containerd
		sleep 3
		if pod_up back "app=back" "" \
			sh -c 'sleep 1; head -c1 /etc/shadow >/dev/null; sleep 1000'; then
			a=$(probe_alert "$CONTAINER")
			expect "containerd back: names again" "$a" 'f("k8s.pod.name") == "back"' \
				'f("container.name") == "app"' 'f("k8s.pod.label[app]") == "back"'
		fi
		if grep -q "containerd CRI at $SOCK answers again" "$LOG"; then
			ok "containerd back: its return is logged"
		else
			fail "containerd back: no log line about its return"
		fi

		# containerd restarted while no lookup was due: the kept connection is dead, the
		# next lookup opens a new one at once (no outage, nothing logged)
		stop_containerd
		start_containerd
		if pod_up again "app=again" "" \
			sh -c 'sleep 1; head -c1 /etc/shadow >/dev/null; sleep 1000'; then
			a=$(probe_alert "$CONTAINER")
			expect "containerd restarted: the first lookup reconnects" "$a" \
				'f("k8s.pod.name") == "again"' 'f("container.name") == "app"'
		fi
		if [ "$(grep -c "containerd CRI at $SOCK does not answer" "$LOG")" -eq 1 ]; then
			ok "containerd restarted: no outage logged"
		else
			fail "containerd restarted: $(grep 'CRI at' "$LOG")"
		fi
	fi
	stop_osprey
	grep "Container metadata:" "$LOG"
fi

echo "meta-cri: $checks passed, $failures failed"
[ "$failures" -eq 0 ]
