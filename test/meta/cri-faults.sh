#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The CRI source's faults: cri-faults.sh CRI_CLIENT
#
# cri-client asks Osprey's CRI source (the same lookup the metadata thread makes) for a
# container on sockets that do not serve the CRI as they should, and checks that each lookup ends
# within its timeout, says "not found" or "refused", and logs one line naming the runtime, the
# socket and the container:
#
#   absent     no socket (the containerd engine, then the cri engine)
#   http1      a unix socket answering HTTP/1.1
#   huge       HTTP/2 + gRPC with a 2 MiB message
#   notproto   HTTP/2 + gRPC with a message that is not protobuf
#   nocri      a containerd without its CRI plugin, as docker's is (root and containerd only)
#   silent     a socket that accepts and never answers (timeout_ms 300)
#
# No root needed (but for nocri). Exit 0 = pass, 1 = fail, 77 = skipped (the reason printed).
set -u

CLIENT=$1

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

command -v python3 >/dev/null || skip "needs python3 (the misbehaving servers)"

W=$(mktemp -d /tmp/osp-cri-faults.XXXXXX) || exit 1
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

cleanup() {
	local p

	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ "${OSP_META_KEEP:-}" = 1 ]; then
		echo "kept: $W"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT

# wait_socket PATH: until a server answers on the socket (10 s at most)
wait_socket() {
	for _ in $(seq 1 100); do
		[ -S "$1" ] && timeout 5 ctr -a "$1" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

ID=$(printf '%s' "osp-cri-faults" | sha256sum | cut -c1-64)

cat >"$W/server.py" <<'EOF'
# A unix-socket server answering every connection with KIND: http1 (an HTTP/1.1 answer),
# huge (HTTP/2 + gRPC, a 2 MiB message), notproto (a gRPC message that is not protobuf),
# silent (reads, never answers). HTTP/2 frames by hand: SETTINGS, HEADERS with HPACK literals.
import socket, struct, sys, threading
path, kind = sys.argv[1], sys.argv[2]

def frame(t, flags, sid, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([t, flags]) + struct.pack(">I", sid) + payload

def lit(n, v):
    return b"\x00" + bytes([len(n)]) + n + bytes([len(v)]) + v

def serve(c):
    buf = b""
    def more():
        nonlocal buf
        d = c.recv(65536)
        if not d:
            raise OSError("closed")
        buf += d
    try:
        if kind == "silent":
            while True:
                more()
        if kind == "http1":
            more()
            c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\n\r\nnot http/2\n")
            return
        c.sendall(frame(4, 0, 0, b""))
        while len(buf) < 24:
            more()
        buf = buf[24:]
        sid = None
        while sid is None:
            while len(buf) < 9:
                more()
            ln, t = int.from_bytes(buf[:3], "big"), buf[3]
            s = int.from_bytes(buf[5:9], "big") & 0x7fffffff
            while len(buf) < 9 + ln:
                more()
            if t == 4 and not (buf[4] & 1):
                c.sendall(frame(4, 1, 0, b""))
            if t == 1:
                sid = s
            buf = buf[9 + ln:]
        c.sendall(frame(1, 4, sid, lit(b":status", b"200") +
                        lit(b"content-type", b"application/grpc")))
        if kind == "huge":
            body = b"\x00" + struct.pack(">I", 2 << 20) + b"\x0a" * (2 << 20)
        else:
            body = b"\x00" + struct.pack(">I", 64) + b"\xff" * 64
        for i in range(0, len(body), 16384):
            c.sendall(frame(0, 0, sid, body[i:i + 16384]))
        c.sendall(frame(1, 5, sid, lit(b"grpc-status", b"0")))
        while True:
            more()
    except OSError:
        pass
    finally:
        c.close()

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(8)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
for k in http1 huge notproto silent; do
	python3 "$W/server.py" "$W/$k.sock" "$k" &
	PIDS+=($!)
done
for _ in $(seq 1 100); do
	[ -S "$W/http1.sock" ] && [ -S "$W/huge.sock" ] && [ -S "$W/notproto.sock" ] &&
		[ -S "$W/silent.sock" ] && break
	sleep 0.1
done

# fault NAME EXPECTED-RC LOG-PATTERN [TIMEOUT_MS]
fault() {
	local name=$1 want=$2 pattern=$3 rc

	"$CLIENT" lookup "$W/$name.sock" "$ID" "${4:-1000}" >"$W/fault-$name.txt" 2>&1
	rc=$?
	if [ $rc -eq "$want" ] && grep -q -- "$pattern" "$W/fault-$name.txt"; then
		ok "fault $name: $(grep -o 'Container metadata: .*' "$W/fault-$name.txt" | head -c 160)"
	else
		fail "fault $name: rc $rc (want $want), $(cat "$W/fault-$name.txt")"
	fi
}
fault absent 2 "containerd CRI at $W/absent.sock does not answer (connect: No such file or directory, container ${ID:0:12})"
"$CLIENT" lookup "$W/absent.sock" "$ID" 1000 cri >"$W/fault-absent-cri.txt" 2>&1
if grep -q "Container metadata: CRI at $W/absent.sock does not answer" "$W/fault-absent-cri.txt"; then
	ok "fault absent (cri engine): the log names it"
else
	fail "fault absent (cri engine): $(cat "$W/fault-absent-cri.txt")"
fi
fault http1 3 "containerd CRI at $W/http1.sock sent a malformed reply about container ${ID:0:12} (not HTTP/2"
fault huge 3 "containerd CRI at $W/huge.sock sent too much about container ${ID:0:12} (a reply larger than 1048576 bytes): refused"
fault notproto 3 "containerd CRI at $W/notproto.sock sent a malformed reply about container ${ID:0:12} (the reply is not a valid runtime.v1.ContainerStatusResponse"
# a containerd without its CRI plugin (as docker's is): UNIMPLEMENTED, the socket backs off
if [ "$(id -u)" -ne 0 ] || ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
	echo "SKIP (nocri): needs root and containerd"
else
	mkdir -p "$W/nocri"
	cat >"$W/nocri/containerd.toml" <<EOF
version = 2
root = "$W/nocri/root"
state = "$W/nocri/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$W/nocri.sock"
[ttrpc]
  address = "$W/nocri.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$W/nocri/opt"
EOF
	containerd --config "$W/nocri/containerd.toml" >"$W/nocri/containerd.log" 2>&1 &
	PIDS+=($!)
	wait_socket "$W/nocri.sock"
	fault nocri 2 "containerd CRI at $W/nocri.sock has no CRI v1 service (runtime.v1.RuntimeService) (gRPC status UNIMPLEMENTED"
fi
start=$(date +%s%N)
fault silent 2 "containerd CRI at $W/silent.sock does not answer (no answer within the timeout, container ${ID:0:12})" 300
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
if [ "$elapsed_ms" -lt 5000 ]; then
	ok "fault silent: the lookup gave up after ${elapsed_ms} ms (timeout_ms 300)"
else
	fail "fault silent: the lookup took ${elapsed_ms} ms with timeout_ms 300"
fi

echo "meta-cri-faults: $checks passed, $failures failed"
[ "$failures" -eq 0 ]
