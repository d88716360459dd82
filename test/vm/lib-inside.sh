# SPDX-License-Identifier: Apache-2.0
#
# lib-inside.sh: helpers for the scripts that run inside the test VM under
# busybox sh (sourced; copied into the payload next to run-inside.sh).

vm_failed=0

# ok/not ok lines, TAP-like, so a failure is easy to find in the console log.
pass() {
	echo "ok - $*"
}

fail() {
	echo "not ok - $*"
	vm_failed=1
}

# expect_ok DESCRIPTION COMMAND...: COMMAND must succeed.
expect_ok() {
	desc=$1
	shift
	if out=$("$@" 2>&1); then
		pass "$desc"
	else
		fail "$desc: '$*' failed: $out"
	fi
}

# expect_fail DESCRIPTION COMMAND...: COMMAND must fail.
expect_fail() {
	desc=$1
	shift
	if out=$("$@" 2>&1); then
		fail "$desc: '$*' succeeded but must fail: $out"
	else
		if [ -n "$out" ]; then
			pass "$desc (refused: $(echo "$out" | head -n 1))"
		else
			pass "$desc"
		fi
	fi
}

is_loaded() {
	[ -d "/sys/module/$1" ] && grep -q "^$1 " /proc/modules
}

# dmesg_has TEXT: the kernel log has a line containing TEXT.
dmesg_has() {
	dmesg | grep -q -F -- "$1"
}

finish() {
	if [ "$vm_failed" = 0 ]; then
		echo "inside: all checks passed"
		exit 0
	fi
	echo "inside: FAILED (see 'not ok' lines above)"
	exit 1
}
