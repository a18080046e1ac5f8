# tests/lib.sh - sourced by the shell tests that start a real ebph.
#
# There is one ebph per machine: it holds /run/ebph/lock and pins its
# maps under /sys/fs/bpf/ebph.  Test suites may run side by side on one
# machine, and an ebph may be running there for real.  So each test runs
# in a mount namespace of its own (ebph_isolate), with its own /run and
# its own bpffs: its ebph is a second, independent one, with its own
# maps, that sees the same processes.  The kernel side is shared and
# real.  Should the namespace be unavailable, the test waits for the
# machine to be free instead (ebph_wait_free).

# The checks every shell test counts, as tests/test.h does for C: call
# test_begin NAME first; check DESCRIPTION COMMAND... passes if COMMAND
# succeeds; test_end prints "N passed, N failed" and is the exit status.
test_begin() {
	test_name=$1
	pass=0
	fail=0
}
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $test_name: $*"; }
check() { # check DESCRIPTION COMMAND...
	what=$1; shift
	if "$@"; then ok; else bad "$what"; fi
}
test_end() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# The commands' tests (test_cmd.sh, test_cmd_json.sh): run RC DESCRIPTION
# COMMAND... passes if COMMAND exits RC, its output in $out and $err
# (showing them if not); has FILE PATTERN, whether a line matches.
run() {
	want=$1; what=$2; shift 2
	"$@" >"$out" 2>"$err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok
	else
		bad "$what: exit $rc, want $want"
		sed 's/^/  stdout: /' "$out" | head -5
		sed 's/^/  stderr: /' "$err" | head -5
	fi
}
has() { grep -q -- "$2" "$1"; }

# Re-run the calling script in a private mount namespace.  Call it first
# thing, with the script's arguments.
ebph_isolate() {
	[ -n "$EBPH_ISOLATED" ] && return 0
	command -v unshare >/dev/null || return 0
	EBPH_ISOLATED=1 exec unshare --mount --propagation private sh -c '
		mount -t tmpfs -o mode=0755 ebph-test /run &&
		mount -t bpf ebph-test /sys/fs/bpf &&
		exec sh "$0" "$@"' "$0" "$@"
}

# test_dir NAME: $dir, a fresh directory that goes at exit, $log in it,
# and $pid for an ebph the test starts, which is stopped at exit if it
# still runs.
test_dir() {
	dir=$(mktemp -d "/tmp/ebph-$1.XXXXXX") || exit 1
	log=$dir/log
	pid=
	trap '[ -n "$pid" ] && kill -INT "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
}

# ebph_stop_end: stop the test's ebph ($pid), show its log ($log) if a
# check failed, and end as test_end does.
ebph_stop_end() {
	[ -n "$pid" ] && kill -INT "$pid" && wait "$pid"
	pid=
	if [ "$fail" -ne 0 ]; then
		echo "---- ebph log ----"
		cat "$log"
	fi
	test_end
}

# wait_log PATTERN [FILE]: up to 10 s for a line matching PATTERN in FILE
# ($log by default).  Events reach a log through a perf ring and a poll
# loop, so a line comes a little after what caused it.
wait_log() {
	for _i in $(seq 100); do
		grep -q -- "$1" "${2:-$log}" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_for SECONDS COMMAND...: up to SECONDS until COMMAND succeeds.
wait_for() {
	_t=$1; shift
	for _i in $(seq $((_t * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# demo_normal DEMO KEY: run DEMO until its profile (KEY, 16 hex digits)
# is frozen, then until it is normal, as the JSON log of an ebph started
# with --json --normal-wait 1s says it: two checks.
demo_normal() {
	for _i in $(seq 5); do "$1" >/dev/null; done
	check "the demo's profile freezes" wait_log "\"event\":\"frozen\".*\"profile\":\"$2\""
	sleep 1.2
	"$1" >/dev/null
	check "the demo's profile becomes normal" wait_log "\"event\":\"start_normal\".*\"profile\":\"$2\""
}

# Wait up to 120 s until no ebph runs.  Pins left by a killed one (the
# lock not held) do not count: the next `ebph run` removes them.
ebph_wait_free() {
	for i in $(seq 1200); do
		[ -e /sys/fs/bpf/ebph ] || return 0
		[ -e /run/ebph/lock ] || return 0
		flock -n -s /run/ebph/lock true 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ebph_start LOG ARGS...: `ebph run ARGS` in the background, its output
# in LOG (its stderr in $EBPH_ERR if set), until it says "ebph attached";
# sets $pid.  Returns nonzero if it did not attach.  $EBPH_BIN is the
# binary, ./ebph by default.
ebph_start() {
	_log=$1; shift
	_err=${EBPH_ERR:-$_log}
	for _try in 1 2 3 4 5; do
		ebph_wait_free
		# Emptied here, not only by the redirection below, which the
		# child makes after the fork: the loop would else find the
		# "ebph attached" of the previous run in LOG and signal this
		# one before it handles signals (a hang in test_cmd).
		: >"$_log"
		: >"$_err"
		if [ "$_err" = "$_log" ]; then
			"${EBPH_BIN:-./ebph}" run "$@" >"$_log" 2>&1 &
		else
			"${EBPH_BIN:-./ebph}" run "$@" >"$_log" 2>"$_err" &
		fi
		pid=$!
		for i in $(seq 200); do
			grep -q "ebph attached" "$_log" 2>/dev/null && return 0
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		# Not attached in 10 s: stop it, never leave it running.
		# SIGTERM, not SIGINT: a command started with & by a shell
		# without job control ignores SIGINT until ebph sets its
		# handler, and this one may not have got that far.
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
		grep -q "already running" "$_err" || return 1
	done
	return 1
}

# The profile key of FILE as a number: ebph_profile_key() in ebph.h,
# (st_dev << 32) + st_ino.  Printed with '%016x' it is the name of the
# profile's file and what `ebph profiles` shows; with '%x', what the log
# says.
profile_key() {
	echo $(( ($(stat -c %d "$1") << 32) + $(stat -c %i "$1") ))
}
