#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# crun-container.sh HELPER DIR HEX TERMINAL CAPS CMD
#
# Runs CMD (with /bin/sh -c) in a crun container, the way a container runtime would, for the
# live end-to-end test and the golden recordings:
#   - its cgroup is /libpod-HEX.scope on the unified (v2) hierarchy, as podman names it, so that
#     Osprey reads container.id = the first 12 digits of HEX (HEX: 64 hex digits);
#   - its root file system is an overlay in DIR (what it writes lands in the upper layer), with
#     the host's /usr and /etc read-only, so Debian's programs are there;
#   - it runs in a network namespace of its own in which 10.96.0.1 (the usual in-cluster
#     Kubernetes API address) is a local address with a listener on port 443 (HELPER listen);
#   - TERMINAL true gives it a terminal (through script(1)); CAPS is a JSON list of capabilities
#     added to the default set, e.g. ["CAP_SYS_ADMIN"].
# Everything is undone on return: the mount, the cgroup, the namespaces. DIR is left (the caller
# removes it); its file "out" holds what the container printed. Exit status: crun's.
set -u

HELPER=$1
D=$2
HEX=$3
TERM_=$4
CAPS=$5
CMD=$6
CG=/sys/fs/cgroup/unified/libpod-$HEX.scope
NAME=osp-ct-$HEX

die() {
	echo "crun-container: $*" >&2
	exit 1
}

[[ $HEX =~ ^[0-9a-f]{64}$ ]] || die "HEX must be 64 lowercase hex digits"
command -v crun >/dev/null || die "crun is missing (apt-get install crun)"
[ -d /sys/fs/cgroup/unified ] || [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] ||
	die "no cgroup v2 hierarchy"
# A pure v2 host has it at /sys/fs/cgroup, a hybrid one at /sys/fs/cgroup/unified.
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && CG=/sys/fs/cgroup/libpod-$HEX.scope

mkdir -p "$D/lower"/{usr,etc,proc,dev,sys,root,tmp} "$D/upper" "$D/work" "$D/rootfs" || exit 1
for l in bin lib lib64 sbin; do
	[ -e "$D/lower/$l" ] || ln -s "usr/$l" "$D/lower/$l"
done
mount -t overlay overlay -o "lowerdir=$D/lower,upperdir=$D/upper,workdir=$D/work" \
	"$D/rootfs" || die "cannot mount the overlay root file system"
trap 'umount "$D/rootfs"; rmdir "$CG" 2>/dev/null' EXIT
(cd "$D" && rm -f config.json && crun spec) || die "crun spec failed"
jq --argjson term "$TERM_" --argjson caps "$CAPS" --arg cmd "$CMD" '
	.process.terminal = $term | .process.args = ["/bin/sh", "-c", $cmd]
	| .process.capabilities |= with_entries(.value += $caps)
	| .root.readonly = false
	| .linux.namespaces |= map(select(.type != "network"))
	| del(.linux.resources)
	| .mounts |= map(select(.destination != "/sys/fs/cgroup"))
	| .mounts += [
		{destination: "/usr", type: "bind", source: "/usr", options: ["rbind", "ro"]},
		{destination: "/etc", type: "bind", source: "/etc", options: ["rbind", "ro"]}]
	' "$D/config.json" >"$D/config.json.new" && mv "$D/config.json.new" "$D/config.json" ||
	die "cannot write config.json (jq)"
mkdir "$CG" || die "cannot create the cgroup $CG"

# crun refuses hybrid cgroup hosts whose v2 hierarchy has controllers: it manages no cgroup here
# (--cgroup-manager=disabled) and, in a private mount namespace, does not see the v2 mount. The
# container's processes are in $CG, where their runtime's parent put them.
INNER='
ip link set lo up && ip addr add 10.96.0.1/32 dev lo || exit 1
"$1" listen 10.96.0.1 443 1 "$2/listen-k8s" & l=$!
for _ in $(seq 1 50); do [ -e "$2/listen-k8s" ] && break; sleep 0.1; done
(echo $BASHPID > "$3/cgroup.procs" &&
	{ [ "$3" = "${3#/sys/fs/cgroup/unified/}" ] || umount /sys/fs/cgroup/unified; } &&
	cd "$2" && exec crun --cgroup-manager=disabled run "$4")
r=$?
kill $l 2>/dev/null
wait
exit $r'
rm -f "$D/listen-k8s"
if [ "$TERM_" = true ]; then
	# crun hands the container a terminal only when it has one itself: script(1) gives it one
	script -qec "unshare -n -m --propagation private bash -c '$INNER' ct '$HELPER' '$D' \
		'$CG' '$NAME'" /dev/null </dev/null >"$D/out" 2>&1
else
	unshare -n -m --propagation private bash -c "$INNER" ct "$HELPER" "$D" "$CG" "$NAME" \
		</dev/null >"$D/out" 2>&1
fi
