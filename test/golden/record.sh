#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Re-records the golden inputs: record.sh OSPREY HELPER CAPTURE_TRIM [OUTDIR]
#   e.g. test/golden/record.sh build/runtime/osprey build/test/e2e/osp-e2e-helper \
#            build/test/golden/capture-trim
# As root, on the eBPF probe: starts a parent process with a clean environment (the recording
# keeps its process description), starts `osprey capture`, lets the parent run behaviours.sh
# under a copy of bash named osp-golden-rec, stops the capture, and keeps only the process tree
# of osp-golden-rec and its parent (capture-trim), so that the file is small and holds nothing
# of the rest of the machine. Twice: OUTDIR/host.osc (behaviours.sh host) and
# OUTDIR/container.osc (behaviours.sh container; needs crun). OUTDIR defaults to this script's
# directory. Then regenerate the expected alerts: OSP_GOLDEN_UPDATE=1 meson test --suite golden
# (and read the difference before committing it).
set -u

OSPREY=$(realpath "$1")
HELPER=$(realpath "$2")
TRIM=$(realpath "$3")
HERE=$(cd "$(dirname "$0")" && pwd)
OUTDIR=${4:-$HERE}

D=/tmp/osp-golden
CAP=
PARENT=
trap 'kill $CAP $PARENT 2>/dev/null; [ "${OSP_GOLDEN_KEEP:-0}" = 1 ] || rm -rf "$D"' EXIT

# record PART: records behaviours.sh PART into OUTDIR/PART.osc
record() {
	rm -rf "$D" && mkdir -p "$D/work" || exit 1
	cp /usr/bin/bash "$D/osp-golden-rec"
	# The parent waits for the go file, then runs the behaviours and exits.
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TZ=UTC \
		/usr/bin/bash -c 'while [ ! -e "$1/go" ]; do sleep 0.1; done
			"$1/osp-golden-rec" "$2/behaviours.sh" "$4" "$3" "$1/work"
			exit $?' \
		osp-golden-parent "$D" "$HERE" "$HELPER" "$1" &
	PARENT=$!
	"$OSPREY" capture -w "$D/raw.osc" 2>"$D/capture.log" &
	CAP=$!
	# the capture file exists once the probe is loaded and the snapshot taken; give it a
	# moment more to be sure the live stream flows
	for _ in $(seq 1 100); do
		[ -s "$D/raw.osc" ] && break
		sleep 0.1
	done
	sleep 2
	touch "$D/go"
	wait $PARENT
	sleep 1
	kill -INT $CAP
	wait $CAP
	CAP=
	PARENT=
	cat "$D/capture.log" >&2
	"$TRIM" "$D/raw.osc" "$OUTDIR/$1.osc" osp-golden-rec || exit 1
	chmod 0644 "$OUTDIR/$1.osc"
	ls -l "$OUTDIR/$1.osc"
}

[ "$(id -u)" -eq 0 ] || { echo "record.sh: run as root (the eBPF probe)" >&2; exit 1; }
record host
if command -v crun >/dev/null; then
	record container
else
	echo "record.sh: crun is missing (apt-get install crun): container.osc not recorded" >&2
fi
