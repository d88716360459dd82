#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Live end to end on the eBPF probe: e2e-rules.sh OSPREY RULES HELPER
#
# Starts osprey (modern_ebpf, the given rules, JSON alerts to a file), waits until a canary
# behaviour raises its alert, then performs the default rules' behaviours for real: on the host,
# in a network namespace of its own (for the connections to "public" addresses), and in crun
# containers (an overlay root file system, the host's /usr and /etc read-only, a cgroup named
# like a podman container's). Each expected alert is checked for its rule, priority and key
# output fields; a field of the alert that reads <NA> (null) where the event has a value is a
# failure too. Everything created is removed: files, the throwaway account database (useradd
# --prefix), mounts, cgroups, namespaces, processes.
#
# Exit 0 = pass, 1 = fail (each failure printed), 77 = skipped (the reason printed).
# OSP_E2E_KEEP=1 keeps the work directory (alerts in alerts.json, osprey's log in osprey.log).
set -u

OSPREY=$1
RULES=$2
HELPER=$3

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root (the eBPF probe, mounts, namespaces)"
[ -r /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
command -v jq >/dev/null || skip "needs jq to read the JSON alerts (apt-get install jq)"
for t in perl strace shred useradd insmod unshare ip ssh script; do
	command -v "$t" >/dev/null || skip "needs $t"
done

TAG=osp-e2e-$$
T=$(mktemp -d "/tmp/$TAG.XXXXXX") || exit 1
ALERTS=$T/alerts.json
OSPREY_PID=
PIDS=()
MOUNTS=()
FILES=()
failures=0
passed=0
fired=0
expected=0

cleanup() {
	local p m

	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	if [ -n "$OSPREY_PID" ]; then
		kill -INT "$OSPREY_PID" 2>/dev/null
		wait "$OSPREY_PID" 2>/dev/null
	fi
	for m in "${MOUNTS[@]}"; do
		umount "$m" 2>/dev/null
	done
	rm -f -- "${FILES[@]}"
	if [ "${OSP_E2E_KEEP:-0}" = 1 ]; then
		echo "kept $T" >&2
	else
		rm -rf -- "$T"
	fi
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# ---- expectations ------------------------------------------------------------------------------

# Fields that have no value on this node whatever the event: container names and images come
# from runtimes Osprey does not query yet, Kubernetes metadata likewise.
ALWAYS_NULL='["container.image.repository","container.name","container.privileged",
	"k8s.ns.name","k8s.pod.name"]'

# Fields that always have a non-empty value (every process here has a name, a user with a name
# in its passwd file, a command line, a parent).
NEVER_EMPTY='["proc.name","proc.pname","proc.cmdline","proc.exepath","user.name",
	"user.loginname","fd.name","fs.path.name","container.id"]'

NAMES=()
RULES_OF=()
PRIOS=()
CONDS=()
NULLS=()

# expect NAME RULE PRIORITY JQ_CONDITION [FIELDS_THAT_MAY_BE_NULL_JSON]
# JQ_CONDITION is a jq expression over one alert; f("field") is an output field's value.
expect() {
	NAMES+=("$1")
	RULES_OF+=("$2")
	PRIOS+=("$3")
	CONDS+=("$4")
	NULLS+=("${5:-[]}")
	expected=$((expected + 1))
}

JQ_DEFS='def f(k): .output_fields[k];'

# find_alert RULE PRIORITY COND: prints the first alert that matches
find_alert() {
	jq -c --arg r "$1" --arg p "$2" "$JQ_DEFS"' select(.rule == $r and .priority == $p)
		| select('"$3"')' "$ALERTS" 2>/dev/null | head -n 1
}

check_all() {
	local deadline=$((SECONDS + 20)) i a nulls left

	declare -A done_=()
	while :; do
		left=0
		for i in "${!NAMES[@]}"; do
			[ -n "${done_[$i]:-}" ] && continue
			a=$(find_alert "${RULES_OF[$i]}" "${PRIOS[$i]}" "${CONDS[$i]}")
			if [ -z "$a" ]; then
				left=$((left + 1))
				continue
			fi
			done_[$i]=1
			fired=$((fired + 1))
			nulls=$(jq -r --argjson a "$ALWAYS_NULL" --argjson b "${NULLS[$i]}" \
				'.output_fields | to_entries | map(select(.value == null) | .key)
				 - $a - $b | join(" ")' <<<"$a")
			empty=$(jq -r --argjson e "$NEVER_EMPTY" '.output_fields | to_entries
				| map(select(.value == "" and (.key | IN($e[])))) | map(.key)
				| join(" ")' \
				<<<"$a")
			if [ -n "$nulls" ]; then
				fail "${NAMES[$i]}: '${RULES_OF[$i]}' fired but these fields" \
					"read <NA>: $nulls"
				echo "  alert: $a" >&2
			elif [ -n "$empty" ]; then
				fail "${NAMES[$i]}: '${RULES_OF[$i]}' fired but these fields" \
					"are empty: $empty"
				echo "  alert: $(jq -c .output_fields <<<"$a" | head -c 1500)" >&2
			else
				passed=$((passed + 1))
				echo "ok   ${NAMES[$i]}: ${RULES_OF[$i]} (${PRIOS[$i]})"
			fi
		done
		[ "$left" -eq 0 ] && break
		[ "$SECONDS" -ge "$deadline" ] && break
		sleep 0.5
	done
	for i in "${!NAMES[@]}"; do
		[ -n "${done_[$i]:-}" ] && continue
		fail "${NAMES[$i]}: no '${RULES_OF[$i]}' alert (${PRIOS[$i]}) matching ${CONDS[$i]}"
		a=$(jq -c --arg r "${RULES_OF[$i]}" 'select(.rule == $r)' "$ALERTS" 2>/dev/null |
			tail -n 2)
		[ -n "$a" ] && echo "  alerts of that rule: $a" >&2
	done
}

# ---- osprey ------------------------------------------------------------------------------------

"$OSPREY" --driver=ebpf -r "$RULES" -o json_output=true -o stdout_output.enabled=false \
	-o file_output.enabled=true -o file_output.keep_alive=true \
	-o "file_output.filename=$ALERTS" >"$T/osprey.out" 2>"$T/osprey.log" &
OSPREY_PID=$!

# The canary: a program of our own name reads /etc/shadow until its alert comes out.
mkdir -p "$T/bin"
cp /usr/bin/head "$T/bin/osp-e2e-ready"
ready=
for _ in $(seq 1 100); do
	if ! kill -0 "$OSPREY_PID" 2>/dev/null; then
		cat "$T/osprey.log" >&2
		fail "osprey exited before it was ready"
		exit 1
	fi
	"$T/bin/osp-e2e-ready" -c1 /etc/shadow >/dev/null
	if [ -s "$ALERTS" ] && [ -n "$(find_alert \
		"Shadow or Sudoers File Read by Untrusted Program" Warning \
		'f("proc.name") == "osp-e2e-ready"')" ]; then
		ready=1
		break
	fi
	sleep 0.2
done
if [ -z "$ready" ]; then
	cat "$T/osprey.log" >&2
	fail "no alert for the canary (osp-e2e-ready reading /etc/shadow) within 20 s"
	exit 1
fi
echo "osprey is ready: $(grep -m1 Evaluating "$T/osprey.log")"

# ---- host behaviours ---------------------------------------------------------------------------

# listen ADDR PORT COUNT: starts a TCP listener (in the current network namespace) in the
# background and waits until it listens
listen_bg() {
	local ready=$T/listen-$1-$2

	"$HELPER" listen "$1" "$2" "$3" "$ready" &
	PIDS+=($!)
	for _ in $(seq 1 50); do
		[ -e "$ready" ] && return 0
		sleep 0.1
	done
	fail "listener on $1:$2 did not start"
	return 1
}

head -c1 /etc/shadow >/dev/null
expect shadow-read "Shadow or Sudoers File Read by Untrusted Program" Warning \
	'f("fd.name") == "/etc/shadow" and f("proc.name") == "head" and f("proc.cmdline") ==
	 "head -c1 /etc/shadow" and f("container.id") == "host" and f("user.name") == "root"'

find "$T" -maxdepth 2 -name id_rsa >/dev/null
expect key-search "Private Key or Cloud Credential Search" Warning \
	'f("proc.name") == "find" and (f("proc.cmdline") | contains("'"$T"'"))
	 and (f("proc.cmdline") | contains("id_rsa"))'

ln -s /etc/shadow "$T/shadow-link"
expect symlink "Link Created to Sensitive File" Warning \
	'f("evt.type") == "symlinkat" and f("fs.path.source") == "/etc/shadow"
	 and f("fs.path.target") == "'"$T/shadow-link"'" and f("proc.name") == "ln"'
if [ "$(stat -c %d /etc/shadow)" = "$(stat -c %d "$T")" ]; then
	ln /etc/shadow "$T/shadow-hardlink" && rm -f "$T/shadow-hardlink"
	expect hardlink "Link Created to Sensitive File" Warning \
		'f("evt.type") == "linkat" and f("fs.path.source") == "/etc/shadow"
		 and f("fs.path.target") == "'"$T/shadow-hardlink"'"'
fi

"$HELPER" memfd-exec "$TAG" /usr/bin/true
expect memfd-exec "Program Run from Memory File" Critical \
	'(f("proc.exepath") | startswith("/memfd:'"$TAG"'")) and f("proc.pname") == "bash"'

cp /usr/bin/true "/dev/shm/$TAG-true"
FILES+=("/dev/shm/$TAG-true")
"/dev/shm/$TAG-true"
rm -f "/dev/shm/$TAG-true"
expect shm-exec "Program Run from Shared Memory" Warning \
	'f("proc.exepath") == "/dev/shm/'"$TAG"'-true" and f("proc.cwd") != null'

NC=$(command -v nc.traditional || command -v ncat || true)
if [ -n "$NC" ]; then
	listen_bg 127.0.0.1 39131 1
	"$NC" -w1 -e /bin/true 127.0.0.1 39131 </dev/null >/dev/null 2>&1
	expect netcat-exec "Netcat or Socat Program Execution" Critical \
		'(f("proc.cmdline") | contains("-e /bin/true 127.0.0.1 39131"))'
else
	echo "note: no nc.traditional or ncat: netcat -e not performed" \
		"(apt-get install netcat-traditional)"
fi

listen_bg 127.0.0.1 39132 1
bash -c 'exec /bin/true >& /dev/tcp/127.0.0.1/39132 0>&1'
expect reverse-shell "Standard Stream Redirected to Network Socket" Critical \
	'f("proc.name") == "bash" and f("fd.rip") == "127.0.0.1" and f("fd.rport") == 39132
	 and (f("evt.rawres") | IN(0, 1, 2))
	 and (f("fd.name") | endswith("->127.0.0.1:39132"))'

FILES+=("/usr/local/bin/$TAG")
touch "/usr/local/bin/$TAG" && rm -f "/usr/local/bin/$TAG"
expect bin-dir-write "Binary Directory Modified" Error \
	'f("fd.name") == "/usr/local/bin/'"$TAG"'" and f("proc.name") == "touch"' \
	'["fs.path.target"]'

FILES+=("/etc/$TAG")
touch "/etc/$TAG" && rm -f "/etc/$TAG"
expect etc-write "System Configuration Modified Below /etc" Warning \
	'f("fd.name") == "/etc/'"$TAG"'" and f("proc.name") == "touch"
	 and (f("evt.arg.flags") | contains("O_CREAT"))'

if [ ! -e /etc/ld.so.preload ]; then
	FILES+=(/etc/ld.so.preload)
	touch /etc/ld.so.preload && rm -f /etc/ld.so.preload
	expect ld-preload "Dynamic Linker Preload File Modified" Critical \
		'f("fd.name") == "/etc/ld.so.preload" and f("proc.name") == "touch"'
fi

cp /usr/bin/true "$T/suid" && chmod u+s "$T/suid"
expect setuid-bit "Setuid or Setgid Bit Set on File" Notice \
	'f("fs.path.name") == "'"$T/suid"'" and (f("evt.arg.mode") | contains("S_ISUID"))
	 and f("proc.name") == "chmod"' '["fd.name"]'

# useradd for real, on a throwaway account database (--prefix): the host's stays untouched.
mkdir -p "$T/prefix/etc"
echo 'root:x:0:0:root:/root:/bin/sh' >"$T/prefix/etc/passwd"
echo 'root:x:0:' >"$T/prefix/etc/group"
echo 'root:*:19000:0:99999:7:::' >"$T/prefix/etc/shadow"
echo 'root:*::' >"$T/prefix/etc/gshadow"
useradd --prefix "$T/prefix" -M "$TAG"
grep -q "^$TAG:" "$T/prefix/etc/passwd" || fail "useradd --prefix did not add $TAG"
expect useradd "User Account Created" Notice \
	'(f("proc.cmdline") | startswith("useradd --prefix"))
	 and (f("proc.cmdline") | endswith("'"$TAG"'"))'

# Opened for appending, nothing written: the content stays as it is.
sh -c ': >> /etc/passwd'
expect passwd-write "Account Database Written Directly" Warning \
	'f("fd.name") == "/etc/passwd" and f("proc.name") == "sh"
	 and (f("evt.arg.flags") | contains("O_APPEND"))'

# A shell of a non-root login session (login uid 65534, nobody) runs a program that takes uid 0.
if sh -c 'echo 65534 > /proc/self/loginuid' 2>/dev/null; then
	sh -c 'echo 65534 > /proc/self/loginuid &&
		perl -MPOSIX -e "POSIX::setuid(0) or exit 1"; true'
	expect setuid-root "Root Identity Taken from Non-Root Shell" Error \
		'f("proc.name") == "perl" and f("proc.pname") == "sh"
		 and f("user.loginuid") == 65534 and f("user.loginname") == "nobody"'
else
	echo "note: /proc/self/loginuid is not writable (no audit):" \
		"root-from-non-root-shell not performed"
fi

sleep 30 &
victim=$!
PIDS+=("$victim")
timeout 2 strace -qq -o /dev/null -p "$victim"
kill "$victim" 2>/dev/null
expect ptrace-attach "Process Attached with Ptrace" Warning \
	'f("proc.name") == "strace" and f("evt.arg.pid") == '"$victim"'
	 and (f("evt.arg.request") | IN("PTRACE_SEIZE", "PTRACE_ATTACH"))'

perl -e 'syscall(101, 0, 0, 0, 0)' # ptrace(PTRACE_TRACEME)
expect ptrace-traceme "Ptrace Anti-Debugging Attempt" Notice \
	'f("proc.name") == "perl" and (f("proc.cmdline") | contains("syscall(101"))'

head -c 512 /dev/urandom >"$T/$TAG.ko"
insmod "$T/$TAG.ko" 2>/dev/null
expect module-load "Kernel Module Load Attempted" Warning \
	'f("proc.name") == "insmod" and (f("proc.cmdline") | contains("'"$TAG"'.ko"))
	 and (f("evt.type") | IN("finit_module", "init_module"))'

# A cgroup v1 hierarchy of our own (no controller, a name): its release_agent is written.
mkdir -p "$T/cg"
if mount -t cgroup -o "none,name=$TAG" cgroup "$T/cg" 2>/dev/null; then
	MOUNTS+=("$T/cg")
	sh -c "echo /bin/true > '$T/cg/release_agent'"
	umount "$T/cg"
	expect release-agent "Cgroup Release Agent Written" Critical \
		'f("fd.name") == "'"$T/cg/release_agent"'" and f("proc.name") == "sh"'
else
	echo "note: cannot mount a named cgroup v1 hierarchy: release_agent not written"
fi

FILES+=("/var/log/$TAG.log")
echo "osprey e2e" >>"/var/log/$TAG.log"
sh -c ": > '/var/log/$TAG.log'"
rm -f "/var/log/$TAG.log"
expect log-truncate "System Logs Cleared" Warning \
	'f("fd.name") == "/var/log/'"$TAG"'.log" and f("proc.name") == "sh"' '["fs.path.name"]'
expect log-delete "System Logs Cleared" Warning \
	'f("fs.path.name") == "/var/log/'"$TAG"'.log" and f("proc.name") == "rm"' '["fd.name"]'

head -c 4096 /dev/urandom >"$T/shred-me"
shred -u "$T/shred-me"
expect shred "Bulk Data Destruction" Warning \
	'f("proc.exepath") == "/usr/bin/shred"
	 and (f("proc.cmdline") | contains("'"$T"'/shred-me"))'

# ---- connections to "public" addresses, in a network namespace of our own ------------------

# 198.51.100.7 (a documentation address) lives on the namespace's loopback device, with
# listeners: the connections really happen, and nothing leaves the machine.
NETNS_SCRIPT='
ip link set lo up && ip addr add 198.51.100.7/32 dev lo || exit 1
"$1" listen 198.51.100.7 2200 1 "$2/listen-ssh" & l1=$!
"$1" listen 198.51.100.7 3333 1 "$2/listen-pool" & l2=$!
for _ in $(seq 1 50); do
	[ -e "$2/listen-ssh" ] && [ -e "$2/listen-pool" ] && break
	sleep 0.1
done
ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=3 -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -p 2200 198.51.100.7 true 2>/dev/null
bash -c "exec 3<>/dev/tcp/198.51.100.7/3333"
kill $l1 $l2 2>/dev/null
wait
'
if unshare -n bash -c "$NETNS_SCRIPT" netns "$HELPER" "$T"; then
	expect ssh-port "SSH Client Connected to Non-Standard Port" Notice \
		'f("proc.name") == "ssh" and f("fd.sip") == "198.51.100.7"
		 and f("fd.sport") == 2200'
	expect mining-pool "Connection to Mining Pool Port" Warning \
		'f("proc.name") == "bash" and f("fd.sip") == "198.51.100.7"
		 and f("fd.sport") == 3333
		 and (f("fd.name") | endswith("->198.51.100.7:3333"))'
else
	fail "could not set up the network namespace for the connection behaviours"
fi

# ---- containers (crun) -------------------------------------------------------------------------

# container_run NAME HEX TERMINAL CAPS CMD: CMD in a crun container (crun-container.sh) whose
# container.id is the first 12 digits of HEX; work directory $T/ct-NAME.
container_run() {
	bash "$(dirname "$0")/crun-container.sh" "$HELPER" "$T/ct-$1" "$2" "$3" "$4" "$5"
}

if command -v crun >/dev/null; then
	HEX1=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	CID1=${HEX1:0:12}
	# The container's first process (this shell) outlives its commands by a moment, as a
	# service's does: user names are read through a live process of the container.
	CT_CMD='
/usr/bin/mawk "BEGIN { system(\"true\") }"
apt-get --version >/dev/null
cp /usr/bin/true /root/osp-drop && /root/osp-drop
perl -e "socket(my \$s, 17, 3, 0); 1"
insmod /etc/hostname 2>/dev/null
debugfs -V 2>/dev/null
bash -c "exec 3<>/dev/tcp/10.96.0.1/443"
dpkg -i /tmp/osp-none.deb 2>/dev/null
mkdir -p /srv/osp/data && rm -rf /srv
sleep 1'
	if container_run work "$HEX1" false '["CAP_SYS_ADMIN", "CAP_NET_RAW"]' "$CT_CMD"; then
		C='f("container.id") == "'"$CID1"'" and '
		expect ct-shell "Shell Started by Application in Container" Notice \
			"$C"'f("proc.name") == "sh" and f("proc.pname") == "mawk"
			 and f("proc.aname[2]") == "sh"'
		expect ct-package-manager "Package Manager Run in Container" Warning \
			"$C"'f("proc.cmdline") == "apt-get --version" and f("proc.pname") == "sh"'
		expect ct-drift "New Executable Run in Container" Critical \
			"$C"'f("proc.exepath") == "/root/osp-drop"'
		expect ct-packet-socket "Packet Socket Opened in Container" Warning \
			"$C"'f("proc.name") == "perl"
			 and (f("evt.arg.domain") | contains("AF_PACKET"))'
		expect ct-module-tool "Kernel Module Tool Run in Container" Error \
			"$C"'f("proc.cmdline") == "insmod /etc/hostname"
			 and (f("thread.cap_effective") | contains("CAP_SYS_ADMIN"))'
		expect ct-debugfs "Debugfs Run in Privileged Container" Error \
			"$C"'f("proc.cmdline") == "debugfs -V"
			 and (f("thread.cap_effective") | contains("CAP_SYS_ADMIN"))'
		expect ct-dpkg-install "Package Manager Run in Container" Warning \
			"$C"'f("proc.cmdline") == "dpkg -i /tmp/osp-none.deb"'
		expect ct-rm-top-dir "Bulk Data Destruction" Warning \
			"$C"'f("proc.cmdline") == "rm -rf /srv" and f("proc.cwd") == "/"'
		expect ct-k8s-api "Kubernetes API Server Contacted from Container" Notice \
			"$C"'f("proc.name") == "bash" and f("fd.sip") == "10.96.0.1"
			 and f("fd.sport") == 443'
	else
		fail "the crun container did not run: $(tail -c 600 "$T/ct-work/out")"
	fi

	HEX2=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	CID2=${HEX2:0:12}
	# The shell lives a moment, as an interactive one does: a container's user names are read
	# through a live process of it (runtime/state/users.h), and osprey handles events some
	# milliseconds after they happen.
	if container_run tty "$HEX2" true '[]' 'sleep 1'; then
		expect ct-terminal-shell "Interactive Shell in Container" Notice \
			'f("container.id") == "'"$CID2"'" and f("proc.name") == "sh"
			 and f("proc.tty") != 0 and f("proc.pname") == "crun"'
	else
		fail "the crun container with a terminal did not run:" \
			"$(tail -c 600 "$T/ct-tty/out")"
	fi
else
	echo "note: crun is missing: the container behaviours are not performed" \
		"(apt-get install crun)"
fi

# ---- results -----------------------------------------------------------------------------------

check_all
kill -INT "$OSPREY_PID"
wait "$OSPREY_PID"
rc=$?
OSPREY_PID=
[ "$rc" -eq 0 ] || fail "osprey exited with $rc: $(tail -n 5 "$T/osprey.log")"
grep -E "Events:" "$T/osprey.log"
echo "$fired of $expected behaviours raised their alert; $passed with every field right"
[ "$failures" -eq 0 ] || exit 1
exit 0
