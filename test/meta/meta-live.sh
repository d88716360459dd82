#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Container metadata, live: meta-live.sh OSPREY RULES
#
# Runs the built osprey on the eBPF probe with the default rules (plus one probe rule that prints
# every container field) and real podman containers (runc, an image built here from
# busybox-static: no registry) that read /etc/shadow, which a default rule catches. Each run
# checks the alerts' container fields:
#
#   1. api      the Docker Engine API of `podman system service` on a socket of the test:
#               name, image, labels, ip; an entrypoint that reads the file at once (its start
#               is held until the metadata is there); then the service stopped mid-run (capture goes on,
#               the alert comes with container.id and <NA> names, the outage is logged once),
#               then started again (names are back after the back-off); exited containers
#               are dropped from the cache.
#   2. bundle   no socket (the configured one is absent): podman's files on disk (containers.json,
#               the OCI bundle's config.json) give the name and the image.
#   3. garbage  unix-socket servers of the test: one that accepts and never answers (timed out,
#               skipped with a back-off), one answering HTTP 200 with garbage, one with a 2 MiB
#               body: refused with a log line naming the runtime and the container; the alert
#               still comes, capture never waits.
#
# Exit 0 = pass, 1 = fail, 77 = skipped (the reason printed). OSP_META_KEEP=1 keeps the work
# directory.
set -u

OSPREY=$1
RULES=$2

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root (the eBPF probe, podman containers)"
[ -r /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
command -v podman >/dev/null || skip "needs podman (apt-get install podman runc)"
command -v jq >/dev/null || skip "needs jq (apt-get install jq)"
command -v python3 >/dev/null || skip "needs python3 (the garbage-answering server)"
[ -x /bin/busybox ] || skip "needs busybox-static for the test image (apt-get install busybox-static)"
timeout 60 podman info >/dev/null 2>&1 ||
	skip "podman info fails: with runc on hybrid cgroups, /etc/containers/containers.conf needs [engine] runtime = \"runc\" and [containers] default_ulimits = []"

IMAGE=localhost/osp-busybox:test
TAG=osp-meta-$$
W=$(mktemp -d "/tmp/$TAG.XXXXXX") || exit 1
OSPREY_PID=
SVC_PID=
PIDS=()
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

stop_service() {
	if [ -n "$SVC_PID" ]; then
		kill "$SVC_PID" 2>/dev/null
		wait "$SVC_PID" 2>/dev/null
		SVC_PID=
	fi
}

cleanup() {
	local p

	stop_osprey
	stop_service
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	podman ps -a --format '{{.Names}}' 2>/dev/null | grep "^$TAG-" |
		xargs -r podman rm -f >/dev/null 2>&1
	if [ "${OSP_META_KEEP:-}" = 1 ]; then
		echo "kept: $W"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT

# ---- the image: busybox-static in a root file system of its own --------------------------------

if ! podman image exists "$IMAGE"; then
	mkdir -p "$W/rootfs/bin" "$W/rootfs/etc"
	cp /bin/busybox "$W/rootfs/bin/"
	for a in sh cat sleep head true; do ln -s busybox "$W/rootfs/bin/$a"; done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$W/rootfs/etc/passwd"
	echo 'root:*:1::::::' >"$W/rootfs/etc/shadow"
	tar -C "$W/rootfs" -c . | podman import - "$IMAGE" >/dev/null ||
		skip "podman import of the test image failed"
fi

# The probe rule: every container field of the alert, for the checks below.
cat >"$W/probe.yaml" <<'EOF'
- rule: Osprey Meta Probe
  desc: a container reads /etc/shadow (the metadata test's probe)
  condition: >
    evt.type in (open, openat, openat2) and evt.is_open_read = true and
    fd.name = /etc/shadow and container.id != host
  output: >
    meta probe %container.id %container.full_id %container.type %container.name
    %container.image %container.image.repository %container.image.tag %container.image.id
    %container.label[osp] %container.labels %container.privileged %container.ip
    %container.host_network %container.start_ts %container.duration %k8s.ns.name
  priority: WARNING
EOF

# osprey_start NAME -o ... : starts osprey, waits until it raises alerts
osprey_start() {
	local name=$1

	shift
	ALERTS=$W/$name.json
	LOG=$W/$name.log
	"$OSPREY" --driver=ebpf -r "$RULES" -r "$W/probe.yaml" -o rule_matching=all \
		-o json_output=true -o stdout_output.enabled=false \
		-o file_output.enabled=true -o file_output.keep_alive=true \
		-o "file_output.filename=$ALERTS" -o container.timeout_ms=500 "$@" \
		>"$W/$name.out" 2>"$LOG" &
	OSPREY_PID=$!
	mkdir -p "$W/bin"
	cp /usr/bin/head "$W/bin/osp-meta-ready"
	for _ in $(seq 1 100); do
		if ! kill -0 "$OSPREY_PID" 2>/dev/null; then
			cat "$LOG" >&2
			fail "$name: osprey exited before it was ready"
			exit 1
		fi
		"$W/bin/osp-meta-ready" -c1 /etc/shadow >/dev/null
		grep -q '"proc.name":"osp-meta-ready"' "$ALERTS" 2>/dev/null && return 0
		sleep 0.2
	done
	cat "$LOG" >&2
	fail "$name: no canary alert within 20 s"
	exit 1
}

# run_container NAME [podman args]: a container that waits a moment (its lookup runs at its
# first exec), then reads /etc/shadow; prints its full id
run_container() {
	local name=$TAG-$1

	shift
	timeout 60 podman run -d --name "$name" "$@" "$IMAGE" \
		sh -c 'sleep 1; cat /etc/shadow >/dev/null; sleep 1'
}

# run_direct NAME [podman args]: the entrypoint itself reads /etc/shadow, at once
run_direct() {
	local name=$TAG-$1

	shift
	timeout 60 podman run -d --name "$name" "$@" "$IMAGE" cat /etc/shadow
}

# probe_alert ID: the probe rule's alert of the container (waits up to 10 s)
probe_alert() {
	local a

	for _ in $(seq 1 50); do
		a=$(jq -c --arg id "${1:0:12}" 'select(.rule == "Osprey Meta Probe" and
			.output_fields["container.id"] == $id)' "$ALERTS" 2>/dev/null | head -n1)
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

wait_gone() {
	timeout 30 podman wait "$1" >/dev/null 2>&1
	podman rm -f "$1" >/dev/null 2>&1
}

start_service() {
	podman system service --time=0 "unix://$W/podman.sock" >"$W/service.log" 2>&1 &
	SVC_PID=$!
	for _ in $(seq 1 50); do
		[ -S "$W/podman.sock" ] && return 0
		sleep 0.1
	done
	fail "podman system service did not create its socket"
	exit 1
}

# ---- 1. the Docker Engine API (podman system service) -------------------------------------------

start_service
osprey_start api -o container.engines.docker.enabled=false \
	-o container.engines.bundle.enabled=false \
	-o "container.engines.podman.sockets=[$W/podman.sock]"

id=$(run_container api --label osp=api --label team=red)
a=$(probe_alert "$id")
expect "api: name, image, labels, ip from the Docker API" "$a" \
	"f(\"container.full_id\") == \"$id\"" \
	'f("container.type") == "podman"' \
	"f(\"container.name\") == \"$TAG-api\"" \
	'f("container.image") == "localhost/osp-busybox:test"' \
	'f("container.image.repository") == "localhost/osp-busybox"' \
	'f("container.image.tag") == "test"' \
	'(f("container.image.id") | test("^[0-9a-f]{64}$"))' \
	'f("container.label[osp]") == "api"' \
	'(f("container.labels") | contains("team:red"))' \
	'f("container.privileged") == false' \
	'f("container.host_network") == false' \
	'(f("container.ip") | test("^[0-9.]+$"))' \
	'f("container.start_ts") > 0 and f("container.duration") > 0' \
	'f("k8s.ns.name") == null'
# the default rule's own alert carries the container too
a=$(jq -c --arg id "${id:0:12}" 'select(.rule == "Shadow or Sudoers File Read by Untrusted Program"
	and .output_fields["container.id"] == $id)' "$ALERTS" | head -n1)
expect "api: the default rule's alert" "$a" \
	'f("container.image.repository") == "localhost/osp-busybox"'
wait_gone "$TAG-api"

# the entrypoint's very first syscalls: its start is held until the metadata is known
id=$(run_direct first --label osp=first)
a=$(probe_alert "$id")
expect "api: the entrypoint's first open already has the metadata" "$a" \
	"f(\"container.name\") == \"$TAG-first\"" 'f("container.label[osp]") == "first"'
a=$(jq -c --arg id "${id:0:12}" 'select(.rule == "Shadow or Sudoers File Read by Untrusted Program"
	and .output_fields["container.id"] == $id)' "$ALERTS" | head -n1)
expect "api: the entrypoint's default-rule alert has the image" "$a" \
	'f("proc.name") == "cat"' 'f("container.image.repository") == "localhost/osp-busybox"'
wait_gone "$TAG-first"

# the service stops mid-run: capture goes on, names read <NA>, the outage is logged
stop_service
id=$(run_container down)
a=$(probe_alert "$id")
expect "api stopped: the alert still comes, without names" "$a" \
	"f(\"container.id\") == \"${id:0:12}\"" 'f("container.name") == null'
if grep -q "podman API .*at $W/podman.sock" "$LOG"; then
	ok "api stopped: the outage is logged"
else
	fail "api stopped: no log line about the socket"
fi
wait_gone "$TAG-down"

# back again: after the back-off the names return
start_service
sleep 2
id=$(run_container back)
a=$(probe_alert "$id")
expect "api back: names again after the back-off" "$a" "f(\"container.name\") == \"$TAG-back\""
wait_gone "$TAG-back"
sleep 3 # the sweep (every 2 s) sees the cgroups gone
stop_osprey
stop_service
if grep -Eq "Container metadata: [0-9]+ lookups answered.* [1-9][0-9]* exited containers dropped" \
	"$LOG"; then
	ok "api: exited containers dropped from the cache"
else
	fail "api: no exited container dropped: $(grep 'Container metadata:' "$LOG")"
fi
if grep -Eq "Container starts: [1-9][0-9]* held for their metadata" "$LOG"; then
	ok "api: container starts held, and counted"
else
	fail "api: no container start held: $(grep 'Container starts:' "$LOG")"
fi

# ---- 2. no socket: the runtime's files -----------------------------------------------------------

osprey_start bundle -o container.engines.docker.enabled=false \
	-o "container.engines.podman.sockets=[$W/absent.sock]"
id=$(run_container bundle --label osp=bundle)
a=$(probe_alert "$id")
expect "bundle: name and image from podman's files" "$a" \
	"f(\"container.name\") == \"$TAG-bundle\"" \
	'f("container.image") == "localhost/osp-busybox:test"' \
	'f("container.image.tag") == "test"' \
	'f("container.privileged") == false' \
	'f("container.host_network") == false'
if grep -q "no podman API socket at $W/absent.sock" "$LOG"; then
	ok "bundle: the absent socket is logged once"
else
	fail "bundle: nothing logged about the absent socket"
fi
wait_gone "$TAG-bundle"
stop_osprey

# ---- 3. garbage and oversized answers ---------------------------------------------------------

cat >"$W/server.py" <<'EOF'
import os, socket, sys, threading
path, kind = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(8)
def serve(c):
    try:
        c.recv(65536)
        if kind == "hang":
            threading.Event().wait()
        body = b"\x00garbage{{{ not json" if kind == "garbage" else b"[" + b"1," * (1 << 20) + b"1]"
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    except OSError:
        pass
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
python3 "$W/server.py" "$W/garbage.sock" garbage &
PIDS+=($!)
python3 "$W/server.py" "$W/huge.sock" huge &
PIDS+=($!)
python3 "$W/server.py" "$W/hang.sock" hang &
PIDS+=($!)
for _ in $(seq 1 50); do
	[ -S "$W/garbage.sock" ] && [ -S "$W/huge.sock" ] && [ -S "$W/hang.sock" ] && break
	sleep 0.1
done
osprey_start garbage -o container.engines.bundle.enabled=false \
	-o "container.engines.podman.sockets=[$W/hang.sock,$W/garbage.sock]" \
	-o "container.engines.docker.sockets=[$W/huge.sock]"
id=$(run_container garbage)
a=$(probe_alert "$id")
expect "garbage: the alert comes, without names" "$a" \
	"f(\"container.id\") == \"${id:0:12}\"" 'f("container.name") == null'
if grep -q "podman API at $W/hang.sock does not answer (Timeout was reached" "$LOG"; then
	ok "hang: timed out, logged, the other sockets asked"
else
	fail "hang: no log line about the socket that does not answer"
fi
if grep -q "podman API at $W/garbage.sock sent a malformed reply about container ${id:0:12}" \
	"$LOG"; then
	ok "garbage: refused, the log names the runtime and the container"
else
	fail "garbage: no log line naming the runtime and container"
fi
if grep -q "docker API at $W/huge.sock sent more than [0-9]* bytes about container ${id:0:12}" \
	"$LOG"; then
	ok "huge: refused, the log names the runtime and the container"
else
	fail "huge: no log line about the oversized reply"
fi
wait_gone "$TAG-garbage"
stop_osprey
grep -q "replies refused" "$LOG" && grep "Container metadata:" "$LOG"

echo "meta-live: $checks passed, $failures failed"
[ "$failures" -eq 0 ]
