#!/bin/sh
# tests/test_e2e.sh - ebph end to end, as a user runs it (needs root).
#
# The proposal's demo: run tests/demo until its profile is normal under
# `ebph --normal-wait 2s`, then with an argument.  Anomalies must be
# reported for that PID and for write, and none for runs without an
# argument.  Then stop ebph, start it again on the same profiles: the
# profile must still be normal and the anomaly still caught, with no
# retraining.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

test_begin test_e2e

dir=$(mktemp -d /tmp/ebph-e2e.XXXXXX)
log=$dir/log
pid=
cleanup() {
	[ -n "$pid" ] && kill -INT "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

# A copy of the demo of our own, so that its profile is new on every run.
mkdir -m 0700 "$dir/profiles" "$dir/bin"
cp tests/demo "$dir/bin/demo"
demo=$dir/bin/demo
# The profile key: (st_dev << 32) + st_ino, as stat(2) reports them.
key=$(printf '%x' $(( ($(stat -c %d "$demo") << 32) + $(stat -c %i "$demo") )))

start_ebph() {
	./ebph run --profile-dir "$dir/profiles" --normal-wait 2s \
		--save-interval 0 >>"$log" 2>&1 &
	pid=$!
	# Attached when it says so; give up after 10 seconds.
	for i in $(seq 100); do
		grep -q "ebph attached" "$log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

stop_ebph() {
	kill -INT "$pid"
	wait "$pid"
	rc=$?
	pid=
	return $rc
}

# Events reach the log through a perf ring and a poll loop: wait for one.
wait_log() { # wait_log PATTERN
	for i in $(seq 50); do
		grep -q "$1" "$log" && return 0
		sleep 0.1
	done
	return 1
}

: >"$log"
check "ebph starts and attaches" start_ebph

# Train: the demo's runs are alike, so the profile freezes, then waits 2s.
for i in $(seq 10); do "$demo" >/dev/null; done
check "new profile reported for demo" wait_log "new profile demo ($key)"
check "demo profile frozen after identical runs" wait_log "profile demo ($key) frozen"
sleep 2.5
"$demo" >/dev/null		# its first call after the wait makes it normal
check "demo profile becomes normal after --normal-wait" wait_log "profile demo ($key) is normal"

# Normal runs: nothing to report.
for i in $(seq 5); do "$demo" >/dev/null; done
"$demo" x >/dev/null &
oops=$!
wait $oops
check "anomaly reported for the PID run with an argument, in write" \
	wait_log "PID $oops (demo, profile $key): anomaly in write"
# With a 2s wait other programs turn normal too; count the demo's only.
n=$(grep -c "(demo, profile $key): anomaly" "$log")
m=$(grep -c "PID $oops (demo, profile $key): anomaly" "$log")
check "no anomaly for runs without an argument ($n anomalies, $m from PID $oops)" \
	[ "$n" -gt 0 -a "$n" -eq "$m" ]

check "ebph exits 0 on SIGINT" stop_ebph
check "the profile was saved" test -f "$dir/profiles/$(printf '%016x' 0x$key).prof"

# A corrupt profile beside the good ones: refused by name, left on disk,
# and the others still load.
junk=$dir/profiles/00000000deadbeef.prof
head -c 1000 /dev/urandom >"$junk"
chmod 600 "$junk"
sum=$(cksum <"$junk")

# Restart on the same profiles: still normal, no retraining needed.
: >"$log"
check "ebph restarts" start_ebph
check "saved profiles loaded" wait_log "loaded [1-9][0-9]* profiles"
check "a corrupt profile is refused with its name" \
	grep -q "00000000deadbeef.prof: refused: .*(left on disk)" "$log"
check "the refused file is left as it was" [ "$(cksum <"$junk")" = "$sum" ]
"$demo" >/dev/null
"$demo" again >/dev/null &
oops=$!
wait $oops
check "anomaly still caught after a restart" \
	wait_log "PID $oops (demo, profile $key): anomaly in write"
n=$(grep -c "(demo, profile $key): anomaly" "$log")
m=$(grep -c "PID $oops (demo, profile $key): anomaly" "$log")
check "after a restart, runs without an argument stay quiet" \
	[ "$n" -gt 0 -a "$n" -eq "$m" ]
check "ebph exits 0 on SIGINT after the restart" stop_ebph

if [ "$fail" -ne 0 ]; then
	echo "---- ebph log ----"
	cat "$log"
fi
test_end
