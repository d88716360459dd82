#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# golden.sh OSPREY CAPTURE EXPECTED [OSPREY_ARGS...]
#
# Replays CAPTURE through the rules (osprey -e CAPTURE OSPREY_ARGS...) twice: both runs must
# print the same alerts (replay is deterministic: times come from the events, the hostname from
# the capture), and they must equal EXPECTED byte for byte. OSP_GOLDEN_UPDATE=1 writes EXPECTED
# from the replay instead (after a re-recording, or a change of rules or output that was meant).
# Exit 0 = pass, 1 = fail (the difference printed), 77 = skipped: a rules file from the upstream
# fixtures (../shared/fixtures, beside the clone; see README) is absent.
set -u

OSPREY=$1
CAPTURE=$2
EXPECTED=$3
shift 3

prev=
for a in "$@"; do
	if [ "$prev" = -r ] && [ ! -e "$a" ]; then
		case $a in
		*/shared/fixtures/*)
			echo "SKIP: $a is absent: the upstream fixtures are not beside this clone" \
				"(README.md, 'The upstream fixtures', says where they come from)" >&2
			exit 77
			;;
		esac
	fi
	prev=$a
done

T=$(mktemp -d /tmp/osprey-golden.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT

for run in 1 2; do
	if ! TZ=UTC "$OSPREY" -e "$CAPTURE" "$@" >"$T/out$run" 2>"$T/err$run"; then
		echo "FAIL: osprey -e $CAPTURE $* exited with an error:" >&2
		cat "$T/err$run" >&2
		exit 1
	fi
done
if ! cmp -s "$T/out1" "$T/out2"; then
	echo "FAIL: two replays of $CAPTURE printed different alerts" \
		"(replay is not deterministic):" >&2
	diff "$T/out1" "$T/out2" | head -n 40 >&2
	exit 1
fi
if [ "${OSP_GOLDEN_UPDATE:-0}" = 1 ]; then
	cp "$T/out1" "$EXPECTED"
	echo "wrote $EXPECTED ($(wc -l <"$EXPECTED") lines)"
	exit 0
fi
if ! cmp -s "$T/out1" "$EXPECTED"; then
	echo "FAIL: the alerts differ from $EXPECTED (- expected, + got):" >&2
	diff -u "$EXPECTED" "$T/out1" | head -n 80 >&2
	echo "If the change is meant, regenerate: OSP_GOLDEN_UPDATE=1 meson test --suite golden" >&2
	exit 1
fi
echo "$(wc -l <"$T/out1") alerts, as expected, twice: $(grep -h Events: "$T/err1")"
exit 0
