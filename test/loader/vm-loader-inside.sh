#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# vm-loader-inside.sh: runs inside the test VM (test/vm/vm-test.sh --inside),
# where the kernel has module support. The payload holds osprey-driver-loader
# (--bin) and test/loader/kmod-src built against the VM kernel's headers
# (--build-module, so /modules/osprey.ko). A signed file:// repository is made
# here; `kmod` must fetch, verify, check vermagic, insert, replace and unload.
# With -Dkdir also /modules/vm-loader-mirror.tar (test/loader/make-vm-mirror.sh:
# the real module, `mirror build` of the shipped source tree, signed) and osprey:
# the real module is fetched, verified, inserted and read by the runtime.
# Host side (see docs/driver-loader.md):
#   test/vm/vm-test.sh --workdir DIR --inside test/loader/vm-loader-inside.sh \
#       --build-module test/loader/kmod-src --bin BUILD/driver-loader/osprey-driver-loader
# shellcheck source=test/vm/lib-inside.sh
. /payload/lib-inside.sh

L=osprey-driver-loader
ko=/modules/osprey.ko
T=/tmp/loader
arch=$(uname -m)
mkdir -p "$T"
[ -f "$ko" ] || { echo "inside: $ko is not in the initramfs"; exit 1; }
[ -e /proc/modules ] || { echo "inside: kernel without module support"; exit 1; }

# No os-release in the initramfs: force the target name, the rest is detected.
name=$($L info --target vmtest 2>/dev/null | sed -n 's/^artifact: *\(.*\.ko\)$/\1/p')
[ -n "$name" ] || { echo "inside: info printed no artifact name"; $L info --target vmtest; exit 1; }
echo "inside: artifact $name"
# The real osprey module: a mirror made on the host by `mirror build` of the shipped source tree
# (test/loader/make-vm-mirror.sh, with -Dkdir) is fetched, verified and inserted; the runtime
# then reads the choice file and opens the module's devices.
real=/modules/vm-loader-mirror.tar
if [ -f "$real" ]; then
	mkdir -p "$T/real"
	expect_ok "unpack the real module's mirror" tar -xf "$real" -C "$T/real"
	expect_ok "the mirror has the real module for this kernel" test -f "$T/real/0.1.0/$arch/$name"
	R="--target vmtest --repo file://$T/real --public-key $T/real/mirror.pub --no-build"
	# shellcheck disable=SC2086
	expect_ok "kmod fetches, verifies and inserts the real osprey.ko" $L kmod $R \
		--cache-dir "$T/rc" --choice-file "$T/rdriver"
	expect_ok "real osprey module is loaded" is_loaded osprey
	expect_ok "it is the real one (version 0.1.0, API parameters)" sh -c \
		"[ \"\$(cat /sys/module/osprey/version)\" = 0.1.0 ] && [ -e /sys/module/osprey/parameters/buffer_bytes_per_cpu ]"
	expect_ok "the real module made its devices" test -c /dev/osprey0
	expect_ok "choice file says kmod with /dev" sh -c "grep -qx driver=kmod $T/rdriver && grep -qx dev_dir=/dev $T/rdriver"
	if [ -x /usr/local/bin/osprey ]; then
		printf -- '- rule: Any exec\n  desc: d\n  condition: evt.type = execve\n  output: x\n  priority: NOTICE\n' >"$T/rules.yaml"
		expect_ok "osprey reads the choice file and captures from the module" sh -c \
			"(sleep 1; /bin/true) & osprey --driver-choice $T/rdriver -r $T/rules.yaml -M 3 >$T/osprey.out 2>$T/osprey.err; rc=\$?; wait; cat $T/osprey.err $T/osprey.out; [ \$rc = 0 ] && grep -q 'Driver: kmod, devices in /dev' $T/osprey.err && grep -q 'Events: [1-9]' $T/osprey.err && grep -q 'Notice x' $T/osprey.out"
	else
		echo "inside: osprey not in the payload: the runtime's side is not run"
	fi
	expect_ok "unload the real module" $L unload
	expect_fail "real module gone" is_loaded osprey
	if [ -x /usr/local/bin/osprey ]; then
		expect_ok "osprey refuses a kmod choice without the module, naming the device and the loader" sh -c \
			"osprey --driver-choice $T/rdriver -r $T/rules.yaml -M 1 >/dev/null 2>$T/osprey.err; rc=\$?; cat $T/osprey.err; [ \$rc != 0 ] && grep -q '/dev/osprey0 is missing' $T/osprey.err && grep -q 're-run osprey-driver-loader' $T/osprey.err"
	fi
	# The init container's loader: the fully static musl build (images/build.sh, passed by
	# vm-test.sh --optional-file) fetches the same signed module, verifies and inserts it, with
	# none of the glibc build's libraries in its way (it must name no ELF interpreter).
	S=/payload/osprey-driver-loader
	if [ -x "$S" ]; then
		expect_fail "the static loader names no ELF interpreter (no ld-linux, no ld-musl)" \
			grep -q -e 'ld-linux' -e 'ld-musl' "$S"
		expect_ok "the static loader runs here (--version)" "$S" --version
		t0=$(cut -d' ' -f1 /proc/uptime)
		# shellcheck disable=SC2086
		expect_ok "the static loader fetches, verifies and inserts the real osprey.ko" sh -c \
			"$S kmod $R --cache-dir $T/sc --choice-file $T/sdriver >$T/static.out 2>&1; rc=\$?; cat $T/static.out; [ \$rc = 0 ]"
		echo "inside: the static loader's kmod took $(awk -v s="$t0" '{ printf "%.2f", $1 - s }' /proc/uptime) s"
		sed 's/^/inside: static loader: /' "$T/static.out"
		expect_fail "it fetched from the mirror (no cache hit: an empty cache)" \
			grep -q 'from cache' "$T/static.out"
		expect_ok "the real module is loaded by the static loader" is_loaded osprey
		expect_ok "its devices exist" test -c /dev/osprey0
		expect_ok "its choice file says kmod with /dev" sh -c \
			"grep -qx driver=kmod $T/sdriver && grep -qx dev_dir=/dev $T/sdriver"
		if [ -x /usr/local/bin/osprey ]; then
			expect_ok "osprey reads the static loader's choice and captures from the module" sh -c \
				"(sleep 1; /bin/true) & osprey --driver-choice $T/sdriver -r $T/rules.yaml -M 3 >$T/osprey.out 2>$T/osprey.err; rc=\$?; wait; cat $T/osprey.err $T/osprey.out; [ \$rc = 0 ] && grep -q 'Driver: kmod, devices in /dev' $T/osprey.err && grep -q 'Events: [1-9]' $T/osprey.err && grep -q 'Notice x' $T/osprey.out"
		fi
		expect_ok "the static loader unloads it" "$S" unload
		expect_fail "real module gone after the static loader's unload" is_loaded osprey
	else
		echo "inside: SKIP the static musl loader: $S is absent (build it with images/build.sh --no-images; scripts/run-tests.sh does)"
	fi
else
	echo "inside: no $real (meson configured without -Dkdir): the real module is not tested"
fi

repo=$T/repo/0.1.0/$arch
mkdir -p "$repo"
cp "$ko" "$repo/$name"
expect_ok "keygen" $L keygen "$T/k.pem" "$T/k.pub"
expect_ok "sign" $L sign --private-key "$T/k.pem" "$repo"

K="--target vmtest --repo file://$T/repo --public-key $T/k.pub --no-build --choice-file $T/driver"
expect_fail "osprey not loaded at boot" is_loaded osprey
# shellcheck disable=SC2086
expect_ok "kmod fetches, verifies and inserts" $L kmod $K --cache-dir "$T/c1"
expect_ok "osprey is loaded" is_loaded osprey
expect_ok "choice file says kmod" grep -qx driver=kmod "$T/driver"
expect_ok "choice file has the module path" grep -qx "path=$T/c1/0.1.0/$arch/$name" "$T/driver"
# shellcheck disable=SC2086
expect_ok "kmod again (cache hit) replaces the loaded module" $L kmod $K --cache-dir "$T/c1"
expect_ok "osprey still loaded" is_loaded osprey

# The cache is verified like a download: a module planted there with a matching .sha256 (no
# signed record, or not the published bytes) is removed and the published one fetched again;
# with no repository to fall back to, nothing is inserted.
cached=$T/c1/0.1.0/$arch/$name
plant() { # plant FILE: another module as FILE, with a matching FILE.sha256
	mkdir -p "$(dirname "$1")"
	{ cat "$ko"; printf 'planted'; } >"$1"
	echo "$(sha256sum <"$1" | cut -d' ' -f1)  $name" >"$1.sha256"
}
plant "$cached"
# shellcheck disable=SC2086
expect_ok "a module planted in the cache is refused and the published one fetched again" sh -c \
	"$L kmod $K --cache-dir $T/c1 >$T/out 2>&1; rc=\$?; cat $T/out; [ \$rc = 0 ] && grep -q 'failed verification' $T/out && ! grep -q 'from cache' $T/out"
expect_ok "the cache holds the published module again" sh -c \
	"[ \"\$(sha256sum <$cached)\" = \"\$(sha256sum <$ko)\" ]"
expect_ok "osprey loaded from the refetched module" is_loaded osprey
expect_ok "unload" $L unload
expect_fail "osprey gone" is_loaded osprey
planted=$T/cp/0.1.0/$arch/$name
plant "$planted"
expect_ok "planted module in an empty cache, no repository: not found (exit 3)" sh -c \
	"$L kmod --target vmtest --public-key $T/k.pub --no-download --no-build --choice-file $T/planted --cache-dir $T/cp >$T/out 2>&1; rc=\$?; cat $T/out; [ \$rc = 3 ] && grep -q 'no signed record' $T/out"
expect_fail "nothing inserted from the planted cache" is_loaded osprey
expect_fail "the planted module was removed" test -e "$planted"
expect_fail "no choice written for the planted module" test -e "$T/planted"
expect_ok "unload when not loaded" $L unload

# A module whose vermagic names another kernel (same length, patched in place)
# is refused before insertion, with the reason.
rel=$(uname -r)
other=$(echo "$rel" | sed 's/[0-9]/9/g')
K2="--target vmtest --repo file://$T/repo2 --public-key $T/k.pub --no-build --choice-file $T/driver2"
mkdir -p "$T/repo2/0.1.0/$arch"
sed "s/vermagic=$rel /vermagic=$other /" "$ko" >"$T/repo2/0.1.0/$arch/$name"
expect_ok "sign the patched module" $L sign --private-key "$T/k.pem" "$T/repo2/0.1.0/$arch"
# shellcheck disable=SC2086
expect_ok "vermagic mismatch refused (exit 5) with the reason" sh -c \
	"$L kmod $K2 --cache-dir $T/c3 >$T/out 2>&1; rc=\$?; cat $T/out; [ \$rc = 5 ] && grep -q \"vermagic '$other' does not match the running kernel\" $T/out"
expect_fail "no choice written after the refusal" test -e "$T/driver2"
expect_fail "nothing inserted" is_loaded osprey

# A tampered artifact is rejected and never reaches the kernel or the cache.
printf 'X' >>"$repo/$name"
# shellcheck disable=SC2086
expect_fail "tampered module rejected" $L kmod $K --cache-dir "$T/c2"
expect_fail "nothing inserted after tampering" is_loaded osprey
expect_fail "nothing cached after tampering" test -e "$T/c2/0.1.0/$arch/$name"

if [ -e /sys/kernel/btf/vmlinux ]; then
	expect_ok "auto picks ebpf on a BTF kernel" sh -c "$L auto --choice-file $T/auto 2>&1 | grep -q 'chose ebpf'"
fi

# The kernel's refusals, each explained in one line (exit 5). Lockdown and enforced signatures
# cannot be undone in this boot, so they come last.
refused() { # refused WHAT DRIVER-NAME KO GREP
	rname=$($L info --target vmtest --driver-name "$2" 2>/dev/null |
		sed -n 's/^artifact: *\(.*\.ko\)$/\1/p')
	rrepo=$T/refuse-$2/0.1.0/$arch
	rm -rf "$T/refuse-$2" "$T/refuse-cache"
	mkdir -p "$rrepo"
	cp "$3" "$rrepo/$rname"
	$L sign --private-key "$T/k.pem" "$rrepo" >/dev/null 2>&1
	expect_ok "$1: refused (exit 5), explained" sh -c \
		"$L kmod --target vmtest --driver-name $2 --repo file://$T/refuse-$2 --public-key $T/k.pub --no-build --cache-dir $T/refuse-cache --choice-file $T/refused >$T/out 2>&1; rc=\$?; cat $T/out; [ \$rc = 5 ] && grep -q '$4' $T/out"
	expect_fail "$1: no choice written" test -e "$T/refused"
}
badsym=/modules/osprey-badsym.ko
if [ -f "$badsym" ]; then
	refused "unknown symbol" osprey_badsym "$badsym" "uses a symbol this kernel does not export"
	expect_fail "the module with the unknown symbol is not loaded" is_loaded osprey_badsym
else
	echo "inside: $badsym is not in the initramfs: the unknown-symbol case is not run"
fi
[ -e /sys/kernel/security/lockdown ] || mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
if [ -w /sys/kernel/security/lockdown ] && echo integrity >/sys/kernel/security/lockdown 2>/dev/null; then
	echo "inside: lockdown now: $(cat /sys/kernel/security/lockdown)"
	refused "lockdown=integrity, unsigned module" osprey "$ko" "kernel lockdown (Secure Boot) refuses unsigned modules"
else
	echo "inside: this kernel has no lockdown LSM: the lockdown case is not run"
fi
sig=/sys/module/module/parameters/sig_enforce
if [ -w "$sig" ] && echo 1 >"$sig" 2>/dev/null && [ "$(cat "$sig")" = Y ]; then
	refused "module.sig_enforce, unsigned module" osprey "$ko" "kernel rejected the module signature"
else
	echo "inside: module signatures cannot be enforced here: that case is not run"
fi
expect_fail "nothing inserted by the refused loads" is_loaded osprey
finish
