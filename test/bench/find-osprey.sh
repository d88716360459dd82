# SPDX-License-Identifier: Apache-2.0
# Sourced by the benchmark scripts: find_osprey SRC [BUILD_DIR] prints the osprey binary to use,
# from BUILD_DIR when given, else from the first of build-perf, build, build-* under SRC that has
# one; it says what to do and returns 1 when there is none.
find_osprey() {
	local src=$1 build=${2:-} d

	if [ -z "$build" ]; then
		for d in "$src/build-perf" "$src/build" "$src"/build-*; do
			if [ -x "$d/runtime/osprey" ]; then
				build=$d
				break
			fi
		done
	fi
	if [ ! -x "$build/runtime/osprey" ]; then
		echo "${0##*/}: no osprey binary in '$build/runtime'; build first or pass -b BUILD_DIR" >&2
		return 1
	fi
	echo "$build/runtime/osprey"
}
