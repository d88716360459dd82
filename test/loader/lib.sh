# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Shared helpers for the loader's shell tests (sourced). Needs $LOADER.
set -u

FAILS=0
CHECKS=0
T=$(mktemp -d /tmp/osprey-loader-test.XXXXXX)
SERVER_PIDS=""

cleanup() {
	for p in $SERVER_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

ok() { CHECKS=$((CHECKS + 1)); echo "ok: $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL: $*"; }

# expect CODE DESCRIPTION -- command...: runs it, stderr+stdout in $T/out, checks the exit code.
expect() {
	local want=$1 what=$2; shift 3
	"$@" >"$T/out" 2>&1
	local rc=$?
	if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else fail "$what: exit $rc, wanted $want"; sed 's/^/    /' "$T/out"; fi
}

# has TEXT: the last output contains TEXT.
has() {
	if grep -qF -- "$1" "$T/out"; then ok "output has '$1'"; else fail "output lacks '$1'"; sed 's/^/    /' "$T/out"; fi
}

# start_server DIR NAME [CERT KEY]: starts httpd.py, sets PORT_<NAME>.
start_server() {
	local dir=$1 name=$2; shift 2
	python3 "$SRCDIR/httpd.py" "$dir" "$T/port.$name" "$@" 2>"$T/httpd.$name.log" &
	SERVER_PIDS="$SERVER_PIDS $!"
	for _ in $(seq 1 100); do [ -s "$T/port.$name" ] && break; sleep 0.05; done
	[ -s "$T/port.$name" ] || { echo "server $name did not start"; cat "$T/httpd.$name.log"; exit 1; }
	eval "PORT_$name=$(cat "$T/port.$name")"
}

finish() {
	echo "$1: $CHECKS checks, $FAILS failed"
	[ "$FAILS" = 0 ]
}
