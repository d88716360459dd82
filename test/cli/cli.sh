#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The osprey command line, case by case: cli.sh OSPREY FALCO_RULES_DIR CASE
# Exit 0 = pass, 1 = fail (the failed expectation is printed), 77 = skipped (the reason printed).
set -u

OSPREY=$1
FALCO_RULES=$2
CASE=$3

T=$(mktemp -d /tmp/osprey-cli.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
failures=0

fail() {
	echo "FAIL [$CASE]: $*" >&2
	failures=$((failures + 1))
}

skip() {
	echo "SKIP [$CASE]: $*" >&2
	exit 77
}

# run ARGS...: runs osprey, keeps stdout in $T/out, stderr in $T/err, the exit code in $rc
run() {
	"$OSPREY" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

run_bg() { # like run, in the background: follow with with_shells_while $!
	"$OSPREY" "$@" >"$T/out" 2>"$T/err" &
}

with_shells_while() { # with_shells_while PID: start shells until PID exits; rc = its status
	while kill -0 "$1" 2>/dev/null; do
		sh -c 'exit 0'
		sleep 0.2
	done
	rc=0
	wait "$1" || rc=$?
}

expect_rc() { # expect_rc WANT: WANT is a number, or "nonzero"
	if [ "$1" = nonzero ]; then
		[ "$rc" -ne 0 ] || fail "expected a non-zero exit code, got 0 (stderr: $(head -c 400 "$T/err"))"
	elif [ "$rc" -ne "$1" ]; then
		fail "expected exit code $1, got $rc (stderr: $(head -c 600 "$T/err"))"
	fi
}

expect_in() { # expect_in out|err REGEX
	grep -Eq -- "$2" "$T/$1" || fail "expected $1 to match /$2/; it was: $(head -c 800 "$T/$1")"
}

expect_not_in() {
	! grep -Eq -- "$2" "$T/$1" || fail "expected $1 not to match /$2/"
}

expect_empty() {
	[ ! -s "$T/$1" ] || fail "expected $1 to be empty; it was: $(head -c 400 "$T/$1")"
}

good_rules() {
	cat >"$1" <<'EOF'
- list: shell_binaries
  items: [bash, sh, zsh]

- macro: spawned_process
  condition: evt.type = execve

- rule: Shell spawned
  desc: A shell was started.
  condition: spawned_process and proc.name in (shell_binaries)
  output: Shell spawned (user=%user.name command=%proc.cmdline)
  priority: NOTICE
  tags: [shell, mitre_execution]
EOF
}

case "$CASE" in
help)
	run --help
	expect_rc 0
	expect_in out '^Usage: osprey \[OPTIONS\]'
	for o in ' -c FILE' ' -r FILE' ' -o, --option' ' -V, --validate' ' -L ' ' --list' ' -e FILE' \
		 ' -M, --duration' ' --version' ' --driver'; do
		expect_in out -- "$o"
	done
	expect_empty err
	;;
bad-option)
	run --no-such-option
	expect_rc nonzero
	expect_in err "unrecognized option '--no-such-option'"
	expect_empty out
	run -Z
	expect_rc nonzero
	expect_in err "invalid option -- 'Z'"
	run -M soon
	expect_rc nonzero
	expect_in err "Invalid duration 'soon'"
	run extra-word
	expect_rc nonzero
	expect_in err "Unexpected argument 'extra-word'"
	;;
version)
	run --version
	expect_rc 0
	expect_in out '^osprey [0-9]+\.[0-9]+\.[0-9]+ \(driver API [0-9.]+, schema [0-9.]+, rules engine [0-9.]+\)$'
	;;
validate-good)
	good_rules "$T/good.yaml"
	run -V "$T/good.yaml"
	expect_rc 0
	expect_in out "^$T/good.yaml: Ok$"
	run --validate="$T/good.yaml"
	expect_rc 0
	;;
validate-bad)
	good_rules "$T/good.yaml"
	cat >"$T/bad.yaml" <<'EOF'
- rule: Bad field
  desc: uses a field that does not exist
  condition: evt.type = open and proc.nme = bash
  output: x
  priority: WARNING

- rule: Bad macro
  desc: uses a macro nobody defined
  condition: evt.type = open and no_such_macro
  output: x
  priority: WARNING
EOF
	printf -- '- rule: broken\n  desc: [unclosed\n' >"$T/yaml.yaml"
	run -V "$T/good.yaml" -V "$T/bad.yaml"
	expect_rc 1
	expect_in out "^$T/bad.yaml:3:34: error: unknown field 'proc.nme'.*did you mean 'proc.name'"
	expect_in out "^$T/bad.yaml:9:34: error: .*no_such_macro"
	expect_in err 'Validation failed: 2 error'
	run -V "$T/yaml.yaml"
	expect_rc 1
	expect_in out "^$T/yaml.yaml:[0-9]+:[0-9]+: error: "
	run -V "$T/missing.yaml"
	expect_rc 1
	expect_in err "$T/missing.yaml"
	;;
validate-falco)
	files=("$FALCO_RULES/falco_rules.yaml" "$FALCO_RULES/falco-incubating_rules.yaml"
	       "$FALCO_RULES/falco-sandbox_rules.yaml")
	for f in "${files[@]}"; do
		[ -r "$f" ] || skip "$f is absent"
	done
	run -V "${files[0]}" -V "${files[1]}" -V "${files[2]}"
	expect_rc 0
	for f in "${files[@]}"; do
		expect_in out "^$f: Ok$"
	done
	expect_not_in out ': error: '
	# and each on its own, as a user would run it
	run -V "${files[0]}"
	expect_rc 0
	;;
list-fields)
	run --list
	expect_rc 0
	for f in proc.name 'proc.aname\[N\]' fd.name evt.type user.name container.id; do
		expect_in out "^${f}[[:space:]]"
	done
	n=$(grep -cE '^[a-z0-9_]+\.[^[:space:]]+' "$T/out")
	[ "$n" -ge 200 ] || fail "expected at least 200 fields, got $n"
	run --list syscall
	expect_rc 0
	expect_in out '^proc.name[[:space:]]'
	run --list=k8s_audit
	expect_rc nonzero
	expect_in err "Unknown event source 'k8s_audit'"
	;;
list-rules)
	good_rules "$T/good.yaml"
	run -r "$T/good.yaml" -L
	expect_rc 0
	expect_in out '^Rule +Priority +Description$'
	expect_in out '^Shell spawned +Notice +A shell was started\.$'
	# the config can disable it by tag; -L marks it
	run -r "$T/good.yaml" -o 'rules[]={disable: {tag: shell}}' -L
	expect_rc 0
	expect_in out '^Shell spawned +Notice +A shell was started\. \[disabled\]$'
	;;
rules-dir)
	mkdir "$T/rules.d"
	good_rules "$T/rules.d/10-base.yaml"
	cat >"$T/rules.d/20-local.yaml" <<'EOF'
- list: shell_binaries
  items: [fish]
  override:
    items: append

- rule: Local rule
  desc: From the second file.
  condition: spawned_process and proc.name = nc
  output: nc (%proc.cmdline)
  priority: ERROR
EOF
	echo 'not: yaml rules' >"$T/rules.d/README.txt"
	run -r "$T/rules.d" -L
	expect_rc 0
	expect_in out '^Shell spawned '
	expect_in out '^Local rule +Error +From the second file\.$'
	# the second file uses the first one's macro: name order was kept
	run -r "$T/rules.d/20-local.yaml" -L
	expect_rc 1
	;;
rules-errors)
	run -r "$T/nonexistent.yaml" -L
	expect_rc 1
	expect_in err "Cannot read rules '$T/nonexistent.yaml'"
	printf -- '- rule: x\n  desc: d\n  condition: evt.type = open and proc.nme = a\n  output: o\n  priority: INFO\n' \
		>"$T/bad.yaml"
	run -r "$T/bad.yaml" -M 1
	expect_rc 1
	expect_in err "^$T/bad.yaml:3:34: error: unknown field 'proc.nme'"
	expect_in err 'nothing was started'
	expect_not_in err 'Loaded .* rules'
	expect_empty out
	;;
bad-config)
	cat >"$T/bad.yaml" <<'EOF'
json_output: true
engine:
  kind: modern_epbf
outputs:
  rate: lots
EOF
	run -c "$T/bad.yaml" -M 1
	expect_rc 1
	expect_in err "^$T/bad.yaml:3:9: error: invalid value for 'engine.kind': expected one of modern_ebpf, kmod, replay, got 'modern_epbf'$"
	expect_in err "^$T/bad.yaml:5:9: error: invalid value for 'outputs.rate'"
	expect_in err 'Invalid configuration: nothing was started'
	expect_empty out
	run -c "$T/absent.yaml"
	expect_rc 1
	expect_in err "^$T/absent.yaml: error: cannot open the configuration file"
	printf 'json_ouput: true\n' >"$T/typo.yaml"
	run -c "$T/typo.yaml"
	expect_rc 1
	expect_in err "^$T/typo.yaml:1:1: error: unknown key 'json_ouput' \(hint: did you mean 'json_output'\?\)"
	;;
options)
	good_rules "$T/good.yaml"
	run -o json_outptu=true -L
	expect_rc 1
	expect_in err "^-o: error: json_outptu=true: unknown key 'json_outptu'"
	run -o engine.kind=replay -L
	expect_rc 1
	expect_in err 'engine.kind is replay but no capture file'
	run -o engine.modern_ebpf.buf_size_preset=12 -L
	expect_rc 1
	expect_in err 'expected a whole number from 0 to 10'
	# list syntax: rules_files[0] and rules_files[]
	run -o "rules_files[0]=$T/good.yaml" -L
	expect_rc 0
	expect_in out '^Shell spawned '
	run -o "rules_files[]=$T/good.yaml" -o "rules_files[3]=$T/good.yaml" -L
	expect_rc 1
	expect_in err "index 3 out of range: 'rules_files' has 1 entries"
	# -r replaces rules_files from the configuration
	printf 'rules_files: [%s/absent.yaml]\n' "$T" >"$T/c.yaml"
	run -c "$T/c.yaml" -r "$T/good.yaml" -L
	expect_rc 0
	expect_in out '^Shell spawned '
	# priority from -o filters the rules
	run -r "$T/good.yaml" -o priority=error -L
	expect_rc 0
	expect_in out '\[disabled\]$'
	;;
falco-config)
	# The shape of Falco's falco.yaml: unsupported sections warn, the rest loads.
	cat >"$T/falco.yaml" <<EOF
rules_files:
  - $T/good.yaml
engine:
  kind: modern_ebpf
  modern_ebpf:
    cpus_for_each_buffer: 2
    buf_size_preset: 4
    drop_failed_exit: false
load_plugins: []
plugins:
  - name: k8saudit
    library_path: libk8saudit.so
json_output: false
stdout_output:
  enabled: true
grpc:
  enabled: false
webserver:
  enabled: true
  listen_port: 8765
metrics:
  enabled: false
log_level: info
EOF
	good_rules "$T/good.yaml"
	run -c "$T/falco.yaml" -L
	expect_rc 0
	expect_in err "^$T/falco.yaml:8:5: warning: 'engine.modern_ebpf.drop_failed_exit' is a Falco setting Osprey does not support yet"
	expect_in err "^$T/falco.yaml:10:1: warning: 'plugins' is a Falco setting"
	expect_in err "warning: 'grpc' is a Falco setting"
	expect_not_in err "'webserver' is a Falco setting"
	expect_in out '^Shell spawned '
	;;
replay)
	# A capture recorded for real by osprey capture -w (root and the eBPF probe needed).
	[ "$(id -u)" -eq 0 ] || skip "recording a capture needs root"
	[ -r /sys/kernel/btf/vmlinux ] || skip "recording a capture needs BTF (/sys/kernel/btf/vmlinux)"
	# Shells started while recording (for as long as it runs: starting takes a while on a busy
	# machine): the rule below must match them on replay.
	"$OSPREY" capture -w "$T/live.cap" -M 2 >"$T/rec.out" 2>"$T/rec.err" &
	with_shells_while $!
	[ "$rc" -eq 0 ] || skip "osprey capture -w failed here: $(head -c 400 "$T/rec.err")"
	good_rules "$T/good.yaml"
	run -e "$T/live.cap" -r "$T/good.yaml" -o json_output=true
	expect_rc 0
	expect_in err 'Loaded 1 rules \(1 enabled\) from 1 files'
	expect_in out '"rule":"Shell spawned"'
	expect_in out '"priority":"Notice"'
	expect_in out '"hostname":"'"$(hostname)"'"'
	cp "$T/out" "$T/first"
	run -o engine.kind=replay -o "engine.replay.capture_file=$T/live.cap" -r "$T/good.yaml" \
		-o json_output=true
	expect_rc 0
	# Byte for byte, nanosecond times included: alert times come from the recorded events.
	cmp -s "$T/out" "$T/first" || fail "engine.kind=replay output differs from -e (not deterministic)"
	run -e "$T/live.cap" -r "$T/good.yaml"
	expect_rc 0
	expect_in out 'Notice Shell spawned'
	run -e "$T/absent.cap"
	expect_rc nonzero
	;;
driver-choice)
	# osprey-driver-loader's choice file (shared/choice.h), read when neither --driver nor
	# engine.kind chose the driver; every bad file stops the start, naming the file and the fix.
	good_rules "$T/good.yaml"
	printf 'format=1\ndriver=kmod\nmodule=osprey\ndev_dir=%s\napi_version=1.0.0\n' "$T/nodev" \
		>"$T/kmod"
	run --driver-choice "$T/kmod" -r "$T/good.yaml" -M 1
	expect_rc 1
	expect_in err "Driver choice file '$T/kmod' says kmod, but the kernel module's device $T/nodev/osprey0 is missing"
	expect_in err 're-run osprey-driver-loader \(kmod\)'
	expect_not_in err 'Loaded 1 rules'
	printf 'format=1\ndriver=kmod\ngarbage\n' >"$T/bad"
	run --driver-choice "$T/bad" -r "$T/good.yaml" -M 1
	expect_rc 1
	expect_in err "Malformed driver choice file '$T/bad', line 3: .*re-run osprey-driver-loader"
	printf 'driver=gvisor\napi_version=1.0.0\n' >"$T/unknown"
	run --driver-choice "$T/unknown" -r "$T/good.yaml" -M 1
	expect_rc 1
	expect_in err "Driver choice file '$T/unknown' names an unknown driver 'gvisor' \(expected ebpf or kmod\)"
	printf 'driver=ebpf\napi_version=2.0.0\n' >"$T/major"
	run --driver-choice "$T/major" -r "$T/good.yaml" -M 1
	expect_rc 1
	expect_in err "Driver choice file '$T/major' was written for driver API 2.0.0, but this osprey speaks API 1\.[0-9]+\.[0-9]+: run the osprey-driver-loader of the same release"
	printf 'driver=ebpf\n' >"$T/noapi"
	run --driver-choice "$T/noapi" -r "$T/good.yaml" -M 1
	expect_rc 1
	expect_in err "Driver choice file '$T/noapi' has no valid api_version"
	# The config key names the file too; an explicit --driver-choice that does not exist is an error.
	run -o "driver_choice_file=$T/bad" -r "$T/good.yaml" -M 1
	expect_rc 1
	expect_in err "Malformed driver choice file '$T/bad'"
	run --driver-choice "$T/absent" -r "$T/good.yaml" -M 1
	expect_rc 1
	expect_in err "Cannot read the driver choice file '$T/absent': No such file or directory"
	# A driver given on the command line or in the configuration wins: the file is not read.
	run --driver-choice "$T/bad" -r "$T/good.yaml" -L
	expect_rc 0
	run --driver-choice "$T/bad" --driver kmod --dev-dir "$T/nodev" -r "$T/good.yaml" -M 1
	expect_rc 1
	expect_not_in err 'driver choice'
	run --driver-choice "$T/bad" -o engine.kind=kmod --dev-dir "$T/nodev" -r "$T/good.yaml" -M 1
	expect_rc 1
	expect_not_in err 'driver choice'
	;;
driver-choice-ebpf)
	# driver=ebpf: the embedded probe runs (root and BTF needed); no file: the default, ebpf.
	[ "$(id -u)" -eq 0 ] || skip "the eBPF probe needs root"
	[ -r /sys/kernel/btf/vmlinux ] || skip "the eBPF probe needs BTF (/sys/kernel/btf/vmlinux)"
	good_rules "$T/good.yaml"
	printf 'format=1\ndriver=ebpf\npath=\nmodule=\napi_version=1.0.0\nreason=kernel has BTF\n' \
		>"$T/ebpf"
	# Shells started during each run: the probe saw them if the rule raised its alert.
	run_bg --driver-choice "$T/ebpf" -r "$T/good.yaml" -M 2
	with_shells_while $!
	expect_rc 0
	expect_in err "Driver: ebpf, as $T/ebpf says \(kernel has BTF\)"
	expect_in err 'Loaded 1 rules'
	expect_in err 'Events: [1-9]'
	expect_in out 'Notice Shell spawned'
	run_bg -o "driver_choice_file=$T/absent" -r "$T/good.yaml" -M 2
	with_shells_while $!
	expect_rc 0
	expect_not_in err 'Driver: '
	expect_in out 'Notice Shell spawned'
	;;
reopen-outputs)
	# SIGUSR1 reopens the file output, as in Falco: logrotate moves the file, then signals.
	[ "$(id -u)" -eq 0 ] || skip "the eBPF probe needs root"
	[ -r /sys/kernel/btf/vmlinux ] || skip "the eBPF probe needs BTF (/sys/kernel/btf/vmlinux)"
	good_rules "$T/good.yaml"
	run_bg -r "$T/good.yaml" -o stdout_output.enabled=false -o file_output.enabled=true \
		-o file_output.keep_alive=true -o "file_output.filename=$T/alerts.log" -M 10
	pid=$!
	for _ in $(seq 1 40); do
		grep -q 'Shell spawned' "$T/alerts.log" 2>/dev/null && break
		sh -c 'exit 0'
		sleep 0.2
	done
	grep -q 'Shell spawned' "$T/alerts.log" 2>/dev/null || fail "no alert in the file before the rotation"
	mv "$T/alerts.log" "$T/alerts.log.1"
	kill -USR1 "$pid"
	with_shells_while "$pid"
	expect_rc 0
	expect_in err 'Received SIGUSR1: reopening the alert outputs'
	grep -q 'Shell spawned' "$T/alerts.log" 2>/dev/null ||
		fail "no alert in the reopened file: SIGUSR1 did not reopen it"
	;;
*)
	echo "unknown case '$CASE'" >&2
	exit 1
	;;
esac

[ "$failures" -eq 0 ] || exit 1
exit 0
