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

wait_for() { # wait_for FILE REGEX: up to 20 s for FILE to match REGEX; 1 if it never does
	for _ in $(seq 1 100); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

wait_exit() { # wait_exit PID: up to 10 s for PID to end; rc = its status, 255 if still running
	for _ in $(seq 1 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		rc=255
		return
	fi
	rc=0
	wait "$1" || rc=$?
}

# stalled_fifo FIFO CAPTURE: osprey's capture file on FIFO, written through fd 3 of this shell
# up to its last block (the end block), then stalled: the writer keeps the FIFO open, silent.
stalled_fifo() {
	local size
	size=$(stat -c %s "$2")
	exec 3>"$1"
	head -c $((size - 32)) "$2" >&3
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
		 ' -M, --duration' ' --version' ' --driver' ' -l RULE' ' -N ' ' --markdown' \
		 ' --list-events' ' --enable-source=SOURCE' ' --disable-source' ' -P, --pidfile=FILE' \
		 ' -U, --unbuffered' ' --dry-run' ' --support' ' --accept-damaged' \
		 'SIGHUP reloads the configuration'; do
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
	expect_in out '^ka.user.name[[:space:]]'
	run --list syscall
	expect_rc 0
	expect_in out '^proc.name[[:space:]]'
	expect_not_in out '^ka.user.name[[:space:]]'
	run --list=k8s_audit
	expect_rc 0
	expect_in out '^ka.req.pod.containers.image\[N\]([[:space:]]|$)'
	expect_in out '^jevt.value\[key\][[:space:]]'
	expect_not_in out '^proc.name[[:space:]]'
	run --list=aws_cloudtrail
	expect_rc nonzero
	expect_in err "Unknown event source 'aws_cloudtrail'"
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
	expect_in err "^$T/bad.yaml:3:9: error: invalid value for 'engine.kind': expected one of modern_ebpf, kmod, replay, nodriver, got 'modern_epbf'$"
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
	expect_not_in err "'plugins' is a Falco setting"
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
regex-bounded)
	# A rule whose regex backtracks exponentially on every command line: the replay completes,
	# the other rule still alerts, the limit hits are counted and logged naming the rule. The
	# issue's backreference form is refused at load time, naming file, line and rule.
	CAP=$(dirname "$0")/../golden/host.osc
	[ -r "$CAP" ] || skip "no capture at $CAP"
	cat >"$T/slow.yaml" <<'EOF'
- rule: Slow regex
  desc: exponential for a backtracking matcher on any command line of 30 characters or more
  condition: evt.type in (execve, execveat) and proc.cmdline regex '(.|..)*[;~]'
  output: never (cmd=%proc.cmdline)
  priority: WARNING
- rule: Any exec
  desc: every exec, evaluated after the slow rule
  condition: evt.type in (execve, execveat)
  output: exec seen (name=%proc.name)
  priority: NOTICE
EOF
	"$OSPREY" -e "$CAP" -r "$T/slow.yaml" >"$T/out" 2>"$T/err" &
	pid=$!
	for _ in $(seq 600); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	if kill -0 $pid 2>/dev/null; then
		kill -9 $pid
		fail "the replay did not complete in 60 s: the regex froze event processing"
	fi
	rc=0
	wait $pid || rc=$?
	expect_rc 0
	expect_in out 'Notice exec seen'
	expect_not_in out 'never \(cmd='
	expect_in err "Rule 'Slow regex': regex '\(\.\|\.\.\)\*\[;~\]' stopped at its match limit"
	expect_in err 'Regex matches stopped at their match limit \(counted as no match\): [1-9]'
	cat >"$T/freeze.yaml" <<'EOF'
- rule: Freeze
  desc: the issue's rule
  condition: evt.type = execve and proc.cmdline regex 'echo (a*)(a*)(a*)\3\2'
  output: o
  priority: WARNING
EOF
	run -V "$T/freeze.yaml"
	expect_rc 1
	expect_in out "^$T/freeze.yaml:3:55: error: invalid regular expression 'echo .* at byte 17: backreference .3: RE2 has no backreferences \(in rule 'Freeze'\)"
	# and at startup: nothing runs, the same line names the rule
	run -r "$T/freeze.yaml" -e "$CAP"
	expect_rc 1
	expect_in err "^$T/freeze.yaml:3:55: error: invalid regular expression .*\(in rule 'Freeze'\)"
	expect_not_in err 'Failed to set up rule evaluation'

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
damaged-replay)
	# 1,000 records the decoder refuses (checksums right): reported, and the run fails
	"$CAPTURE_DAMAGE" "$GOLDEN_DIR/host.osc" "$T/damaged.osc" 1000 >/dev/null ||
		fail "capture-damage could not write the damaged capture"
	args=(-r "$DEFAULT_RULES" --host-root="$GOLDEN_DIR/hostroot")
	run -e "$GOLDEN_DIR/host.osc" "${args[@]}"
	expect_rc 0
	expect_not_in err 'damaged'
	cp "$T/out" "$T/good.out"
	[ -s "$T/good.out" ] || fail "the undamaged replay raised no alert"
	run -e "$T/damaged.osc" "${args[@]}"
	expect_rc 1
	expect_in err "Capture file '$T/damaged.osc' is damaged: 1000 of [0-9]+ records skipped \(500 malformed, 500 of event types this osprey does not know\)"
	expect_in err 'Failing because the capture file is damaged.*--accept-damaged'
	expect_in err 'Events: [0-9]+'
	# the good records still gave every alert
	cmp -s "$T/out" "$T/good.out" || fail "the damaged replay's alerts differ from the good ones"
	run -e "$T/damaged.osc" "${args[@]}" --accept-damaged
	expect_rc 0
	expect_in err "is damaged: 1000 of"
	expect_not_in err 'Failing'
	run capture -r "$T/damaged.osc"
	expect_rc 1
	expect_in err "is damaged: 1000 of .*500 malformed"
	run capture -r "$T/damaged.osc" --accept-damaged
	expect_rc 0
	expect_in err "is damaged: 1000 of"
	run capture -r "$GOLDEN_DIR/host.osc"
	expect_rc 0
	expect_not_in err 'damaged'
	;;
signals)
	# A daemon reading a stalled stream: SIGHUP (a reload of the same rules), SIGUSR2 and
	# SIGUSR1 do not end it and lose nothing; SIGTERM ends it with the summary and every queued alert.
	mkfifo "$T/fifo"
	run -e "$GOLDEN_DIR/host.osc" -r "$DEFAULT_RULES" --host-root="$GOLDEN_DIR/hostroot"
	expect_rc 0
	cp "$T/out" "$T/good.out"
	"$OSPREY" -e "$T/fifo" -r "$DEFAULT_RULES" --host-root="$GOLDEN_DIR/hostroot" \
		>"$T/out" 2>"$T/err" &
	pid=$!
	stalled_fifo "$T/fifo" "$GOLDEN_DIR/host.osc"
	wait_for "$T/err" 'Evaluating' || fail "osprey did not start on the FIFO"
	n=$(wc -l <"$T/good.out")
	for _ in $(seq 1 50); do
		[ "$(wc -l <"$T/out")" -ge "$n" ] && break
		sleep 0.2
	done
	for sig in HUP USR2 USR1; do
		kill -$sig "$pid"
		wait_for "$T/err" "Received SIG$sig" || fail "no log line for SIG$sig"
		kill -0 "$pid" 2>/dev/null || fail "SIG$sig ended osprey"
	done
	expect_in err 'Received SIGHUP: reloading the configuration and rules'
	expect_in err 'Received SIGUSR2: ignored'
	expect_in err 'Received SIGUSR1: reopening the alert outputs'
	kill -TERM "$pid"
	wait_exit "$pid"
	exec 3>&-
	expect_rc 0
	expect_in err 'Events: 970,'
	cmp -s "$T/out" "$T/good.out" || fail "alerts were lost: $(wc -l <"$T/out") of $n lines"
	;;
fifo)
	# A FIFO with no writer: osprey says what it waits for, and SIGINT ends it.
	mkfifo "$T/fifo"
	"$OSPREY" -e "$T/fifo" -r "$DEFAULT_RULES" >"$T/out" 2>"$T/err" &
	pid=$!
	wait_for "$T/err" "Waiting for a writer on the FIFO '$T/fifo' \(Ctrl-C stops\)" ||
		fail "osprey did not say it waits for a writer: $(head -c 300 "$T/err")"
	kill -INT "$pid"
	wait_exit "$pid"
	[ "$rc" -ne 255 ] || fail "SIGINT did not end osprey waiting for a writer"
	# A stalled writer: SIGINT, then SIGTERM, end the run at once, the summary printed.
	for sig in INT TERM; do
		"$OSPREY" -e "$T/fifo" -r "$DEFAULT_RULES" --host-root="$GOLDEN_DIR/hostroot" \
			>"$T/out" 2>"$T/err" &
		pid=$!
		stalled_fifo "$T/fifo" "$GOLDEN_DIR/host.osc"
		wait_for "$T/err" 'Evaluating' || fail "osprey did not start on the FIFO"
		sleep 0.5
		kill -$sig "$pid"
		wait_exit "$pid"
		exec 3>&-
		[ "$rc" -ne 255 ] || fail "SIG$sig did not end osprey reading a stalled FIFO"
		expect_rc 0
		expect_in err 'Events: 970,'
	done
	# The writer closes before the end block: the capture is truncated, and osprey says so.
	"$OSPREY" -e "$T/fifo" -r "$DEFAULT_RULES" >"$T/out" 2>"$T/err" &
	pid=$!
	stalled_fifo "$T/fifo" "$GOLDEN_DIR/host.osc"
	exec 3>&-
	wait_exit "$pid"
	expect_rc 1
	expect_in err 'truncated'
	;;
long-option)
	# a 10 KB -o: the error line keeps its reason (the value is quoted short)
	long=$(head -c 10000 /dev/zero | tr '\0' x)
	run -o "json_output=$long" -L
	expect_rc 1
	expect_in err '^-o: error: json_output=x+\.\.\. \(10012 bytes\): option too long \(at most 4095 bytes\)$'
	[ "$(head -n 1 "$T/err" | wc -c)" -lt 300 ] || fail "the error line is $(head -n 1 "$T/err" | wc -c) bytes"
	run -o "file_output.filename=$(head -c 3000 /dev/zero | tr '\0' y)" -o file_output.enabled=maybe -L
	expect_rc 1
	expect_in err "invalid value for 'file_output.enabled'"
	# YAML aliases in the configuration: an anchored value is used; an alias with no anchor is
	# an error that speaks of the configuration, not of rules files
	printf 'stdout_output: &x\n  enabled: true\njson_output: true\nsyslog_output: *x\n' >"$T/alias.yaml"
	run -c "$T/alias.yaml" -L
	expect_rc 0
	printf 'json_output: *y\n' >"$T/alias-bad.yaml"
	run -c "$T/alias-bad.yaml" -L
	expect_rc 1
	expect_in err "$T/alias-bad.yaml:1:14: error: .*YAML alias '\\*y' has no anchor"
	expect_not_in err 'rules files'
	;;
empty-rules)
	# an empty rules file, or one whose rules are all disabled: a warning, the run goes on
	: >"$T/empty.yaml"
	run -r "$T/empty.yaml" -e "$GOLDEN_DIR/host.osc"
	expect_rc 0
	expect_in err "warning|The rules files define no rule \(1 file\(s\), e.g. '$T/empty.yaml'\), so no alert can be raised"
	good_rules "$T/good.yaml"
	run -r "$T/good.yaml" -o priority=error -e "$GOLDEN_DIR/host.osc"
	expect_rc 0
	expect_in err 'None of the 1 rules is enabled'
	run -r "$T/good.yaml" -e "$GOLDEN_DIR/host.osc"
	expect_rc 0
	expect_not_in err 'no alert can be raised'
	;;
describe-rule)
	good_rules "$T/good.yaml"
	run -r "$T/good.yaml" -l 'Shell spawned'
	expect_rc 0
	expect_in out '^Rule: Shell spawned$'
	expect_in out '^Priority: Notice$'
	expect_in out '^Source: syscall$'
	expect_in out '^Enabled: true$'
	expect_in out '^Tags: shell, mitre_execution$'
	expect_in out '^Description: A shell was started\.$'
	expect_in out '^Condition: spawned_process and proc\.name in \(shell_binaries\)$'
	expect_in out '^Output: Shell spawned \(user=%user\.name command=%proc\.cmdline\)$'
	run -r "$T/good.yaml" -l 'Shell spawned' -o json_output=true
	expect_rc 0
	command -v jq >/dev/null || skip "jq is not installed (scripts/install-deps.sh test)"
	jq -e '.rules | length == 1' "$T/out" >/dev/null || fail "-l JSON has not one rule"
	jq -e '.rules[0].info.name == "Shell spawned" and .rules[0].info.priority == "Notice"
	       and .rules[0].info.tags == ["shell", "mitre_execution"]
	       and .rules[0].info.enabled == true and .rules[0].info.source == "syscall"
	       and (.rules[0].info.condition | test("spawned_process"))' "$T/out" >/dev/null ||
		fail "unexpected -l JSON: $(head -c 400 "$T/out")"
	run -r "$T/good.yaml" -l 'No such rule'
	expect_rc 1
	expect_in err "No loaded rule is named 'No such rule' \(osprey -L lists them\)"
	expect_empty out
	;;
list-json)
	command -v jq >/dev/null || skip "jq is not installed (scripts/install-deps.sh test)"
	good_rules "$T/good.yaml"
	run -r "$T/good.yaml" -L -o json_output=true
	expect_rc 0
	jq -e '(.required_engine_version | type == "string") and .required_plugin_versions == []
	       and (.lists | map(.info.name)) == ["shell_binaries"]
	       and .lists[0].info.items == ["bash", "sh", "zsh"]
	       and (.macros | map(.info.name)) == ["spawned_process"]
	       and .macros[0].info.condition == "evt.type = execve"
	       and (.rules | map(.info.name)) == ["Shell spawned"]
	       and .rules[0].info.description == "A shell was started."' "$T/out" >/dev/null ||
		fail "unexpected -L JSON: $(head -c 600 "$T/out")"
	# the default rules too: one JSON document, every rule in it
	run -r "$DEFAULT_RULES" -L -o json_output=true
	expect_rc 0
	n=$(jq '.rules | length' "$T/out")
	run -r "$DEFAULT_RULES" -L
	[ "$n" -eq $(($(wc -l <"$T/out") - 1)) ] || fail "-L JSON has $n rules, the text $(($(wc -l <"$T/out") - 1))"
	;;
list-events)
	run --list-events
	expect_rc 0
	expect_in out '^< execve\('
	expect_in out '^< openat\(.*fd .*'
	expect_not_in out 'procinfo'
	n=$(grep -c '^< [a-z0-9_]*(.*)$' "$T/out")
	[ "$n" -ge 60 ] || fail "expected at least 60 events, got $n"
	[ "$n" -eq "$(wc -l <"$T/out")" ] || fail "lines not of the form '< name(...)'"
	run --list-events --markdown
	expect_rc 0
	expect_in out '^Osprey \| Dir \| Event$'
	expect_in out '^Yes \| < \| \*\*execve\*\*\('
	run --list-syscall-events
	expect_rc 0
	expect_in out '^< execve\('
	;;
list-fields-formats)
	run --list -N
	expect_rc 0
	expect_in out '^proc\.name$'
	expect_in out '^fd\.name$'
	expect_not_in out ' '
	n=$(wc -l <"$T/out")
	[ "$n" -ge 200 ] || fail "expected at least 200 field names, got $n"
	expect_in out '^ka\.user\.name$'
	run --list --markdown
	expect_rc 0
	expect_in out '^## Field Class: evt$'
	expect_in out '^Name \| Type \| Description$'
	expect_in out '^`proc\.name` \| CHARBUF \| '
	expect_in out '^`proc\.aname\[N\]` \| CHARBUF \| '
	expect_in out '^## Field Class: k8saudit$'
	expect_in out '^Event Sources: k8s_audit$'
	[ "$(grep -c '^`' "$T/out")" -eq "$n" ] || fail "--markdown lists another number of fields than -N"
	run --list syscall -N
	expect_rc 0
	expect_in out '^proc\.name$'
	expect_not_in out '^ka\.'
	run --list=k8s_audit -N
	expect_rc 0
	expect_in out '^ka\.user\.name$'
	expect_in out '^jevt\.value$'
	expect_not_in out '^proc\.'
	run --list=aws_cloudtrail -N
	expect_rc 1
	expect_in err "Unknown event source 'aws_cloudtrail': Osprey's sources are syscall, k8s_audit"
	;;
dry-run)
	good_rules "$T/good.yaml"
	# nothing is opened: not the kernel module's devices, not the capture file, not outputs
	run -r "$T/good.yaml" --driver kmod --dev-dir "$T/nodev" --dry-run
	expect_rc 0
	expect_in err 'Dry run: the configuration and 1 rules \(1 enabled\) from 1 files are valid; nothing was opened'
	expect_empty out
	run -r "$T/good.yaml" -e "$T/absent.osc" -o file_output.enabled=true \
		-o "file_output.filename=$T/alerts.txt" -o file_output.keep_alive=true --dry-run
	expect_rc 0
	[ ! -e "$T/alerts.txt" ] || fail "--dry-run opened the file output"
	# but everything is checked
	printf -- '- rule: x\n  desc: d\n  condition: proc.nme = a\n  output: o\n  priority: INFO\n' >"$T/bad.yaml"
	run -r "$T/bad.yaml" --dry-run
	expect_rc 1
	expect_in err "unknown field 'proc.nme'"
	# nodriver without another source: nothing to run, and why
	run -r "$T/good.yaml" -o engine.kind=nodriver --dry-run
	expect_rc 1
	expect_in err "No event source to run: syscall: engine.kind is nodriver"
	expect_in err "k8s_audit: no plugins: entry named k8saudit is loaded"
	# the k8s_audit source is checked too, its audit log not opened
	run -r "$T/good.yaml" -o engine.kind=nodriver -o plugins[0].name=k8saudit \
		-o "plugins[0].open_params=$T/absent.log" --dry-run
	expect_rc 0
	expect_in err 'Event sources: k8s_audit\.'
	expect_in err 'Dry run: the configuration and 1 rules'
	;;
support)
	command -v jq >/dev/null || skip "jq is not installed (scripts/install-deps.sh test)"
	good_rules "$T/good.yaml"
	printf 'json_output: false\nrules_files:\n  - %s\n' "$T/good.yaml" >"$T/osprey.yaml"
	run -c "$T/osprey.yaml" --support
	expect_rc 0
	sum=$(sha256sum "$T/good.yaml" | cut -d' ' -f1)
	jq -e --arg sum "$sum" --arg f "$T/good.yaml" --arg c "$T/osprey.yaml" \
		--arg v "$("$OSPREY" --version | cut -d' ' -f2)" --arg host "$(uname -n)" \
		'.version == $v and (.engine_info.engine_version | test("^[0-9]+\\.[0-9]+\\.[0-9]+$"))
		 and .system_info.sysname == "Linux" and .system_info.nodename == $host
		 and (.system_info.release | length > 0) and (.system_info.machine | length > 0)
		 and (.cmdline | endswith("-c " + $c + " --support"))
		 and .config_file == $c and (.config | startswith("json_output: false"))
		 and (.rules_files | length) == 1 and .rules_files[0].name == $f
		 and .rules_files[0].sha256 == $sum
		 and (.rules_files[0].variants[0].content | startswith("- list: shell_binaries"))' \
		"$T/out" >/dev/null || fail "unexpected --support JSON: $(head -c 800 "$T/out")"
	# a directory of rules: every file, each with its own sum
	mkdir "$T/rules.d"
	good_rules "$T/rules.d/a.yaml"
	printf -- '- rule: Other\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n' \
		>"$T/rules.d/b.yaml"
	run -r "$T/rules.d" --support
	expect_rc 0
	jq -e --arg b "$(sha256sum "$T/rules.d/b.yaml" | cut -d' ' -f1)" \
		'(.rules_files | map(.name | split("/") | last)) == ["a.yaml", "b.yaml"]
		 and .rules_files[1].sha256 == $b and .config_file == null' "$T/out" >/dev/null ||
		fail "unexpected --support JSON for a directory: $(head -c 400 "$T/out")"
	;;
pidfile)
	# -P: the pid written at start, removed at exit; a path that cannot be written stops it
	mkfifo "$T/fifo"
	"$OSPREY" -e "$T/fifo" -r "$DEFAULT_RULES" -P "$T/osprey.pid" -U \
		--host-root="$GOLDEN_DIR/hostroot" >"$T/out" 2>"$T/err" &
	pid=$!
	stalled_fifo "$T/fifo" "$GOLDEN_DIR/host.osc"
	wait_for "$T/osprey.pid" '^[0-9]+$' || fail "no pid file"
	[ "$(cat "$T/osprey.pid" 2>/dev/null)" = "$pid" ] ||
		fail "the pid file says '$(cat "$T/osprey.pid" 2>/dev/null)', osprey is $pid"
	# -U: alerts reach a file while osprey still runs
	wait_for "$T/out" '.' || fail "no alert written while running with -U"
	kill -TERM "$pid"
	wait_exit "$pid"
	exec 3>&-
	expect_rc 0
	[ ! -e "$T/osprey.pid" ] || fail "the pid file was left behind"
	run -r "$DEFAULT_RULES" -e "$GOLDEN_DIR/host.osc" -P "$T/no/such/dir/osprey.pid"
	expect_rc 1
	expect_in err "Cannot write the pid file '$T/no/such/dir/osprey.pid': No such file or directory"
	expect_empty out
	run -r "$DEFAULT_RULES" -e "$GOLDEN_DIR/host.osc" --pidfile="$T/p2" --unbuffered
	expect_rc 0
	[ ! -e "$T/p2" ] || fail "the pid file was left behind"
	;;
sources)
	good_rules "$T/good.yaml"
	run -r "$T/good.yaml" --enable-source syscall -e "$GOLDEN_DIR/host.osc"
	expect_rc 0
	run -r "$T/good.yaml" --enable-source=gcp_audit --dry-run
	expect_rc 1
	expect_in err "Unknown event source 'gcp_audit' in --enable-source: Osprey's sources are syscall, k8s_audit\.$"
	run -r "$T/good.yaml" --disable-source=gcp_audit --dry-run
	expect_rc 1
	expect_in err "Unknown event source 'gcp_audit' in --disable-source: Osprey's sources are syscall, k8s_audit\.$"
	# a known source the configuration does not provide: what to configure
	run -r "$T/good.yaml" --enable-source=k8s_audit --dry-run
	expect_rc 1
	expect_in err "Cannot enable event source 'k8s_audit' \(--enable-source\): no plugins: entry named k8saudit is loaded"
	run -r "$T/good.yaml" --disable-source syscall --dry-run
	expect_rc 1
	expect_in err 'No event source left enabled \(--disable-source\): enable at least one of syscall \(not provided: k8s_audit: '
	# with the k8saudit plugin entry both are provided: all, one, or the other
	ka="-o plugins[0].name=k8saudit -o plugins[0].open_params=$T/audit.log"
	run -r "$T/good.yaml" $ka --dry-run
	expect_rc 0
	expect_in err 'Event sources: syscall, k8s_audit\.'
	run -r "$T/good.yaml" $ka --enable-source k8s_audit --dry-run
	expect_rc 0
	expect_in err 'Event sources: k8s_audit\.'
	run -r "$T/good.yaml" $ka --disable-source k8s_audit --dry-run
	expect_rc 0
	expect_in err 'Event sources: syscall\.'
	run -r "$T/good.yaml" $ka -o load_plugins=[json] --enable-source k8s_audit --dry-run
	expect_rc 1
	expect_in err "Cannot enable event source 'k8s_audit'"
	run -r "$T/good.yaml" --enable-source syscall --disable-source syscall --dry-run
	expect_rc 1
	expect_in err -- '--enable-source and --disable-source cannot be mixed'
	;;
append-output)
	# Falco's append_output replaying container.osc: text after the matching rules' line,
	# fields in output_fields only; entries set in a file, by -o KEY[N].SUB and -o KEY[]={..}
	cat >"$T/osprey.yaml" <<-'EOF'
	append_output:
	  - match: {source: syscall, tags: [host, process]}
	    extra_output: "cid=%container.id pod=%k8s.pod.name"
	  - extra_fields:
	      - container.image.tag
	      - cname: "%container.name"
	      - site: lab-1
	EOF
	args=(-e "$GOLDEN_DIR/container.osc" -r "$DEFAULT_RULES" --host-root="$GOLDEN_DIR/hostroot")
	run -c "$T/osprey.yaml" "${args[@]}"
	expect_rc 0
	expect_in out ' cid=0123456789ab pod=<NA>$'
	expect_not_in out 'Sensitive file opened .*cid='
	expect_not_in out 'lab-1'
	run -c "$T/osprey.yaml" "${args[@]}" -o json_output=true
	expect_rc 0
	[ "$(jq -s 'length' "$T/out")" = 8 ] || fail "expected 8 JSON alerts"
	jq -se 'all(.[]; .output_fields.site == "lab-1" and .output_fields.cname == null and
		(.output_fields | has("container.image.tag")))' "$T/out" >/dev/null ||
		fail "extra_fields missing: $(head -c 600 "$T/out")"
	jq -se 'map(select(.output | endswith("cid=0123456789ab pod=<NA>"))) | length >= 1 and
		all(.[]; (.tags | index("process")) and (.tags | index("host")))' "$T/out" >/dev/null ||
		fail "extra_output on a rule without the tags"
	# -o: one key of an entry, a YAML list for extra_fields, a whole entry
	run "${args[@]}" -o json_output=true -o 'append_output[0].match.rule=Netcat or Socat Program Execution' \
		-o 'append_output[0].extra_output=pid %proc.pid' \
		-o 'append_output[0].extra_fields=[proc.pid, {where: "%container.id"}]' \
		-o 'append_output[]={match: {source: k8s_audit}, extra_fields: [ka.user.name]}'
	expect_rc 0
	jq -se 'map(select(.rule == "Netcat or Socat Program Execution")) | length == 1 and
		(.[0].output | test(" pid [0-9]+$")) and (.[0].output_fields["proc.pid"] | type) == "number"
		and .[0].output_fields.where == "0123456789ab"' "$T/out" >/dev/null ||
		fail "-o append_output[0]: $(head -c 600 "$T/out")"
	[ "$(jq -s 'map(select(.output_fields.where)) | length' "$T/out")" = 1 ] ||
		fail "append_output[0] applied to other rules"
	# the default osprey.yaml: Falco's container fields in every syscall alert's output_fields
	run -c "$(dirname "$OSPREY")/osprey.yaml" "${args[@]}" -o json_output=true
	expect_rc 0
	jq -se 'length == 8 and all(.[]; .output_fields | has("container.image.tag") and
		has("container.id") and has("k8s.ns.name") and has("k8s.pod.name"))' "$T/out" >/dev/null ||
		fail "default osprey.yaml: $(head -c 600 "$T/out")"
	# mistakes
	run "${args[@]}" -o 'append_output[0].extra_fields=proc.nope'
	expect_rc 1
	expect_in err "append_output: extra field 'proc.nope': unknown field 'proc.nope' for source 'syscall'"
	run "${args[@]}" -o 'append_output[0].extra_fields=[{a: "x %proc.name"}]'
	expect_rc 1
	expect_in err "extra field 'a' mixes text and fields"
	run "${args[@]}" -o 'append_output[0].match.priority=x'
	expect_rc 1
	expect_in err "append_output: unknown key 'match.priority'"
	run "${args[@]}" -o 'append_output=x'
	expect_rc 1
	expect_in err "invalid value for 'append_output': expected a list of entries"
	;;
option-index)
	good_rules "$T/good.yaml"
	# Falco's plugins[N].key: a list of mappings like rules; N = the length appends
	run -r "$T/good.yaml" -o "plugins[0].open_params=$T/audit.log" -o 'plugins[0].name=k8saudit' \
		-o 'plugins[].name=json' -o 'load_plugins=[k8saudit, json]' --dry-run
	expect_rc 0
	expect_not_in err 'warning'
	expect_in err 'Event sources: syscall, k8s_audit\.'
	run -r "$T/good.yaml" -o 'plugins[]={name: k8saudit, library_path: libk8saudit.so}' \
		-o "plugins[0].open_params=$T/audit.log" --dry-run
	expect_rc 0
	expect_in err "'libk8saudit.so' is not loaded"
	run -r "$T/good.yaml" -o 'plugins[1].name=k8saudit' --dry-run
	expect_rc 1
	expect_in err "index 1 out of range: 'plugins' has 0 entries"
	run -r "$T/good.yaml" -o 'plugins[0].path=x' --dry-run
	expect_rc 1
	expect_in err "unknown key 'plugins\[\]\.path'"
	# under a Falco setting Osprey does not support yet: a warning
	run -r "$T/good.yaml" -o 'static_fields[0].foo=x' --dry-run
	expect_rc 0
	expect_in err "^-o: warning: static_fields\[0\]\.foo=x: 'static_fields' is a Falco setting Osprey does not support yet"
	# rules[N].enable|disable.rule|tag sets that entry
	run -r "$T/good.yaml" -o 'rules[0].disable.tag=shell' -L
	expect_rc 0
	expect_in out '^Shell spawned .*\[disabled\]$'
	run -r "$T/good.yaml" -o 'rules[0].disable.tag=shell' -o 'rules[0].enable.rule=Shell*' -L
	expect_rc 0
	expect_not_in out 'disabled'
	run -r "$T/good.yaml" -o 'rules[].disable.rule=Shell spawned' -L
	expect_rc 0
	expect_in out '\[disabled\]$'
	run -r "$T/good.yaml" -o 'rules[1].disable.rule=x' -L
	expect_rc 1
	expect_in err "index 1 out of range: 'rules' has 0 entries"
	run -r "$T/good.yaml" -o 'rules[0].disable.name=x' -L
	expect_rc 1
	expect_in err "unknown key 'rules\[\]\.disable\.name': expected rule or tag"
	run -r "$T/good.yaml" -o 'rules_files[0].path=x' -L
	expect_rc 1
	expect_in err "'rules_files' has no entries with keys"
	;;
*)
	echo "unknown case '$CASE'" >&2
	exit 1
	;;
esac

[ "$failures" -eq 0 ] || exit 1
exit 0
