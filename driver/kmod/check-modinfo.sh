#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Checks that the built module declares the driver, API and schema versions of
# driver/schema (what "modinfo osprey" shows and the runtime compares).
#   check-modinfo.sh MODULE SCHEMADIR
set -eu
ko=$1 schema=$2
modinfo=$(command -v modinfo || command -v /sbin/modinfo || true)
if [ -z "$modinfo" ]; then
	echo "SKIP: modinfo not found (install kmod)" >&2
	exit 77
fi
fail=0
for key in api_version:API_VERSION schema_version:SCHEMA_VERSION; do
	field=${key%%:*} file=${key#*:}
	want=$(cat "$schema/$file")
	got=$("$modinfo" -F "$field" "$ko")
	if [ "$got" != "$want" ]; then
		echo "FAIL: $ko has $field '$got', driver/schema/$file says '$want'" >&2
		fail=1
	else
		echo "ok: $field $got"
	fi
done
for parm in buffer_bytes_per_cpu max_consumers; do
	if "$modinfo" -F parm "$ko" | grep -q "^$parm:"; then
		echo "ok: parameter $parm"
	else
		echo "FAIL: $ko has no parameter $parm" >&2
		fail=1
	fi
done
[ -n "$("$modinfo" -F version "$ko")" ] || { echo "FAIL: no MODULE_VERSION" >&2; fail=1; }
exit $fail
