#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Field conformance: fields-conformance.sh OSPREY HELPER CASES TRIGGERS [FALCO_RULES]
#
# 1. Every field `osprey --list syscall` prints (the k8s_audit source's fields are test/k8saudit's) has a case in CASES (cases.tsv), and every case names a
#    listed field: a field added to the registry without a case fails here, root or not.
# 2. Live (root and BTF): osprey runs on the eBPF probe with one rule per case (the case's
#    selector and condition; its output renders the case's template), while TRIGGERS performs the
#    behaviours for real; each case's first alert must match its expected value. `osprey capture`
#    records the same run, which is then replayed with Falco's rules (FALCO_RULES, when the
#    fixture is there): "Directory traversal monitored file read" must fire on the traversal;
#    and replayed with the cases' rules: the same values, but for the fields only a live run has
#    (read from /proc, resolved names).
#
# Exit 0 = pass, 1 = fail (each failure printed), 77 = skipped (the reason printed).
# OSP_FC_KEEP=1 keeps the work files (/tmp/osp-fc.*: rules, alerts, logs).
set -u

OSPREY=$(realpath "$1")
HELPER=$(realpath "$2")
CASES=$3
TRIGGERS=$(realpath "$4")
FALCO_RULES=${5:-}

W=/tmp/osp-fc-work # fixed: the cases state paths under it
PORT=47613
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# ---- 1. every listed field has a case ------------------------------------------------------

listed=$("$OSPREY" --list syscall | awk '/^[a-z][a-z0-9_]*\.[^ ]*/ {print $1}' | sort -u)
cased=$(awk -F'\t' '!/^#/ && !/^@/ && NF >= 5 {print $1}' "$CASES" | sort -u)
[ -n "$listed" ] || { echo "FAIL: osprey --list printed no field" >&2; exit 1; }
missing=$(comm -23 <(echo "$listed") <(echo "$cased"))
unknown=$(comm -13 <(echo "$listed") <(echo "$cased"))
for f in $missing; do
	fail "listed field $f has no conformance case in $(basename "$CASES")"
done
for f in $unknown; do
	fail "case for $f, which osprey --list does not list (refused, or renamed?)"
done
n_listed=$(echo "$listed" | wc -l)
echo "fields listed: $n_listed; with a case: $((n_listed - $(echo -n "$missing" | grep -c .)))"
bad=$(awk -F'\t' '!/^#/ && !/^@/ && NF > 0 && NF != 5 {print NR}' "$CASES")
[ -z "$bad" ] || fail "$(basename "$CASES"): lines without 5 tab-separated columns: $bad"
[ "$failures" -eq 0 ] || exit 1

# ---- 2. live -------------------------------------------------------------------------------

skip() {
	echo "SKIP: $*" >&2
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "the live cases need root (the eBPF probe)"
[ -r /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
[ -x "$HELPER" ] || skip "no helper $HELPER"

T=$(mktemp -d /tmp/osp-fc.XXXXXX) || exit 1
OSPREY_PID=
CAPTURE_PID=
cleanup() {
	[ -n "$OSPREY_PID" ] && kill -INT "$OSPREY_PID" 2>/dev/null && wait "$OSPREY_PID"
	[ -n "$CAPTURE_PID" ] && kill -INT "$CAPTURE_PID" 2>/dev/null && wait "$CAPTURE_PID"
	rm -rf "$W"
	[ -n "${OSP_FC_KEEP:-}" ] && echo "kept $T" >&2 || rm -rf "$T"
}
trap cleanup EXIT
rm -rf "$W"
mkdir -p "$W"

HOST=$(hostname)
CAT_INO= # known once triggers.sh has made the copies: filled in after the run
SLEEP_INO=
SHADOW_INO=$(stat -c %i /etc/shadow)
FDLIMIT=$(ulimit -Sn) # the triggers inherit it
[ "$FDLIMIT" = unlimited ] && FDLIMIT=-1

# the rules: one per case, named FC<line>; the ready rule first
subst() { # the @...@ placeholders, in a condition (no regex escaping)
	local s=$1
	s=${s//@W@/$W}
	s=${s//@PORT@/$PORT}
	printf '%s' "$s"
}
yaml_str() { # a double-quoted YAML scalar
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	printf '"%s"' "$s"
}
declare -A SEL
while IFS=$'\t' read -r tag name cond; do
	[ "$tag" = "@sel" ] && SEL[$name]=$(subst "$cond")
done <"$CASES"

RULES=$T/cases.yaml
{
	echo "- rule: FCREADY"
	echo "  desc: the harness's canary"
	echo "  condition: evt.type in (open, openat) and proc.name = osp-fc-ready"
	echo "  output: FCREADY"
	echo "  priority: CRITICAL"
	lineno=0
	while IFS= read -r line; do
		lineno=$((lineno + 1))
		case $line in '#'* | '@'* | '') continue ;; esac
		IFS=$'\t' read -r field sel cond tmpl expected <<<"$line"
		c=${SEL[$sel]:-}
		[ -n "$c" ] || { echo "no selector $sel (line $lineno)" >&2; exit 2; }
		[ "$cond" != "-" ] && c="$c and ($(subst "$cond"))"
		echo "- rule: FC$lineno"
		echo "  desc: $field"
		echo "  condition: $(yaml_str "$c")"
		echo "  output: $(yaml_str "FC$lineno<<$tmpl>>")"
		echo "  priority: CRITICAL"
	done <"$CASES"
} >"$RULES" || fail "could not write the rules"
[ "$failures" -eq 0 ] || exit 1
"$OSPREY" -V "$RULES" >"$T/validate.log" 2>&1 || {
	cat "$T/validate.log" >&2
	fail "the generated rules do not load"
	exit 1
}

# a process from before osprey starts: its fd 7 is known from the /proc snapshot only
mkfifo "$W/go.fifo"
cp /usr/bin/bash "$W/osp-fc-old"
"$W/osp-fc-old" -c 'exec 7</etc/hostname; read -r _ <'"$W"'/go.fifo; exec 8<&7; exit 0' \
	</dev/null >/dev/null 2>&1 &
OLD_PID=$!
HOSTNAME_INO=$(stat -c %i /etc/hostname)

ALERTS=$T/alerts.txt
"$OSPREY" --driver=ebpf -r "$RULES" -o rule_matching=all -o stdout_output.enabled=false \
	-o file_output.enabled=true -o file_output.keep_alive=true \
	-o "file_output.filename=$ALERTS" >"$T/osprey.out" 2>"$T/osprey.log" &
OSPREY_PID=$!
CAPTURE_FILE=$T/live.osc
"$OSPREY" capture -w "$CAPTURE_FILE" >"$T/capture.out" 2>"$T/capture.log" &
CAPTURE_PID=$!

cp /usr/bin/head "$W/osp-fc-ready"
ready=
for _ in $(seq 1 100); do
	kill -0 "$OSPREY_PID" 2>/dev/null || break
	"$W/osp-fc-ready" -c1 /etc/hostname >/dev/null
	if grep -q FCREADY "$ALERTS" 2>/dev/null; then
		ready=1
		break
	fi
	sleep 0.2
done
if [ -z "$ready" ]; then
	cat "$T/osprey.log" >&2
	fail "osprey did not raise the canary's alert within 20 s"
	exit 1
fi
sleep 1 # the capture attached at the same time; give it its snapshot

cp /usr/bin/bash "$W/osp-fc"
"$W/osp-fc" "$TRIGGERS" "$W" "$HELPER" "$PORT" </dev/null >/dev/null 2>"$W/triggers.log" ||
	fail "triggers.sh failed: $(cat "$W/triggers.log")"
echo go >"$W/go.fifo"
wait "$OLD_PID"
CAT_INO=$(stat -c %i "$W/osp-fc-cat")
SLEEP_INO=$(stat -c %i "$W/osp-fc-sleep")
sleep 1
kill -INT "$OSPREY_PID"
wait "$OSPREY_PID"
OSPREY_PID=
if [ -n "$CAPTURE_PID" ]; then
	kill -INT "$CAPTURE_PID"
	wait "$CAPTURE_PID"
	CAPTURE_PID=
fi

# check_cases ALERTS LABEL [SKIP-REGEX]: each case's first alert, the text between << and >>
rx_subst() { # placeholders in an expected regex (values escaped for ERE)
	local s=$1 w=${W//./\\.} h=${HOST//./\\.}
	s=${s//@W@/$w}
	s=${s//@PORT@/$PORT}
	s=${s//@HOST@/$h}
	s=${s//@CAT_INO@/$CAT_INO}
	s=${s//@SHADOW_INO@/$SHADOW_INO}
	s=${s//@SLEEP_INO@/$SLEEP_INO}
	s=${s//@FDLIMIT@/$FDLIMIT}
	s=${s//@HOSTNAME_INO@/$HOSTNAME_INO}
	printf '%s' "$s"
}
check_cases() {
	local alerts=$1 label=$2 skip_rx=${3:-} lineno=0 field sel cond tmpl expected got rx

	passed=0
	total=0
	while IFS= read -r line; do
		lineno=$((lineno + 1))
		case $line in '#'* | '@'* | '') continue ;; esac
		IFS=$'\t' read -r field sel cond tmpl expected <<<"$line"
		[ -n "$skip_rx" ] && [[ $field =~ $skip_rx ]] && continue
		total=$((total + 1))
		if ! grep -q "FC$lineno<<" "$alerts"; then
			fail "$label: $field ($sel${cond:+, $cond}): no alert (line $lineno)"
			continue
		fi
		got=$(grep -m1 -o "FC$lineno<<.*>>" "$alerts" | sed -e "s/^FC$lineno<<//" -e 's/>>$//')
		rx=$(rx_subst "$expected")
		if printf '%s\n' "$got" | grep -Eqx -- "$rx"; then
			passed=$((passed + 1))
		else
			fail "$label: $field ($sel): '$tmpl' is '$got', expected /$rx/ (line $lineno)"
		fi
	done <"$CASES"
	echo "$label: $passed of $total cases right"
}
check_cases "$ALERTS" live
live_passed=$passed

# the same run replayed from its capture: the same values, but for what only a live run has
# (/proc, the resolver: docs/rules.md)
replay_passed=0
if [ -n "$CAPTURE_FILE" ]; then
	if TZ=UTC "$OSPREY" -e "$CAPTURE_FILE" -r "$RULES" -o rule_matching=all \
		>"$T/replay.txt" 2>"$T/replay.log"; then
		check_cases "$T/replay.txt" replay \
			'^(proc\.vpgid|proc\.is_vpgid_leader|proc\.exe_ino\.|proc\.vm|proc\.fdlimit|fd\.[a-z]*ip\.name)'
		replay_passed=$passed
	else
		cat "$T/replay.log" >&2
		fail "replaying the run with the cases' rules failed"
	fi
fi

# the upstream traversal rule, on the same run replayed with Falco's rules
if [ -n "$FALCO_RULES" ] && [ -r "$FALCO_RULES" ]; then
	if TZ=UTC "$OSPREY" -e "$CAPTURE_FILE" -r "$FALCO_RULES" -o json_output=true \
		>"$T/falco.json" 2>"$T/falco.log"; then
		if grep '"rule":"Directory traversal monitored file read"' "$T/falco.json" |
			grep -q '"proc.name":"osp-fc-cat"'; then
			echo "ok: Falco's 'Directory traversal monitored file read' fired on the traversal"
		else
			fail "Falco's 'Directory traversal monitored file read' did not fire on" \
				"osp-fc-cat /etc/../etc/../etc/shadow"
		fi
	else
		cat "$T/falco.log" >&2
		fail "replaying the run with Falco's rules failed"
	fi
else
	echo "part skipped: Falco's rules ($FALCO_RULES) not found; the upstream traversal rule" \
		"not checked"
fi

echo "fields-conformance: $((live_passed + replay_passed)) passed, $failures failed"
[ "$failures" -eq 0 ]
