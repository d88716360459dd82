#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The behaviours of the field conformance test (fields-conformance.sh), performed for real:
# triggers.sh WORK HELPER PORT. Run as a copy of bash named osp-fc (the selectors of cases.tsv
# find the events by these process names and by the fixed paths under WORK, /tmp/osp-fc-work).
# Each step is one syscall-level behaviour whose field values cases.tsv states.
set -u

W=$1
HELPER=$2
PORT=$3

cd "$W" || exit 1
cp /usr/bin/cat "$W/osp-fc-cat"
cp /usr/bin/bash "$W/osp-fc-sh"
mkdir -p "$W/sub"
echo data >"$W/rel.txt"

# 1. directory traversal: the path as passed is not the path opened (fd.nameraw vs fd.name)
"$W/osp-fc-cat" /etc/../etc/../etc/shadow >/dev/null

# 2. a relative path, resolved against the cwd; the raw name keeps ".." and the repeated slash
(cd "$W/sub" && "$W/osp-fc-cat" ..//rel.txt >/dev/null)

# 3. a failed open: ENOENT, the path still resolved
"$W/osp-fc-cat" "$W/missing.txt" 2>/dev/null

# 4. a shell of its own session and process group, with an environment variable; its child cp
#    creates a file with exec bits (evt.is_open_create, evt.is_open_exec); its child sleep is in
#    its process group and still alive when its exec is evaluated (proc.vpgid*, exe times)
cp /usr/bin/sleep "$W/osp-fc-sleep"
OSP_FC_VAR=hello setsid "$W/osp-fc-sh" -c "cp /usr/bin/true $W/created.bin; $W/osp-fc-sleep 1;
	exit 0"

# 5. a TCP connection to a listener on 127.0.0.1 (fd.sip, fd.sport, fd.*proto, fd.sip.name)
ready=$W/listen-ready
"$HELPER" listen 127.0.0.1 "$PORT" 1 "$ready" &
lpid=$!
for _ in $(seq 1 50); do
	[ -e "$ready" ] && break
	sleep 0.1
done
"$W/osp-fc-sh" -c 'exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'; echo hi >&3; exec 3>&-'
wait "$lpid"

# 6. rename and symlink: fs.path.source / target, raw and resolved
echo x >"$W/old.txt"
(cd "$W" && mv old.txt sub/new.txt && ln -s ../rel.txt sub/link)

# 7. a process that has exited: procexit
"$W/osp-fc-sh" -c 'exit 3'
exit 0
