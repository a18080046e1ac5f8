#!/bin/sh
# tests/test_frames.sh - signal frames end to end (needs root).
#
# tests/sigstorm makes the same 16 calls over and over while SIGALRM
# comes at whatever point of the loop it finds, and its handler makes
# calls of its own (getpid, a write to /dev/null); at its end it sends
# itself one more SIGALRM.  Trained on runs that take only that one,
# always at the same point, until its profile is normal, it is then run
# under a storm (a signal every millisecond).  With signal frames (the
# default) the handler's calls are in a window of their own, the one
# training learned, and the loop's windows are never broken: no anomaly.
# With --no-signal-frames the handler's calls land in the loop's windows,
# at points training did not see: anomalies, the false alarms frames are
# for.  (Should a profile not settle in the 30 training runs, it is made
# normal by `ebph normalize`, and the check that it settles fails.)
#
# The pairs show it too: with frames no call ever follows rt_sigreturn in
# a window (the handler's return brings back the window it interrupted),
# without them the loop's calls do.
#
# Then a handler left by siglongjmp(): its frames are never popped, the
# ring fills, and `ebph status` counts the overflows.
#
# EBPH_TEST_OBJECT=FILE runs ebph on FILE instead of ebph_kern.o, and
# EBPH_BIN=FILE runs FILE instead of ./ebph: a copy broken on purpose
# must fail this test.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_frames
test_dir frames
mkdir -m 0700 "$dir/profiles" "$dir/bin"
# A copy of our own, so that its profile is new on every run; and
# another for the siglongjmp() runs, which would be anomalous in the
# first one's profile.
cp tests/sigstorm "$dir/bin/sigstorm"
cp tests/sigstorm "$dir/bin/sigjump"
storm=$dir/bin/sigstorm
key=$(printf '%016x' "$(profile_key "$storm")")
ebph=${EBPH_BIN:-./ebph}
TRAIN_RUNS=30
# Every run's output to a file of the same kind: stdio's calls differ
# for a pipe, a terminal or /dev/null.
out=$dir/out

frozen() {
	"$ebph" profiles | grep "^$key " | grep -q frozen
}

anomalies() {
	grep -c "(sigstorm, profile $key): anomaly" "$log"
}

# Stop the session's ebph; its log is shown if a check failed since the
# session began.
session_stop() {
	kill -INT "$pid" && wait "$pid"
	pid=
	if [ "$fail" -ne "$fail0" ]; then
		echo "---- ebph log ($label) ----"
		cat "$log"
	fi
}

# session LABEL [OPTIONS]: a fresh ebph (OPTIONS for `ebph run`), sigstorm
# trained and made normal, then three runs under a storm.  Sets $settled
# (the training runs it took to freeze, or "none"), $storm_anomalies,
# $storm_signals, and $after_return: the profile's pairs of a call after
# rt_sigreturn.
session() {
	label=$1
	shift
	fail0=$fail
	: >"$log"
	check "$label: ebph starts" ebph_start "$log" --profile-dir "$dir/profiles" \
		--no-load --no-save --normal-wait 2s --anomaly-limit 100000 --every-anomaly \
		${EBPH_TEST_OBJECT:+-o "$EBPH_TEST_OBJECT"} "$@"
	settled=none
	for i in $(seq $TRAIN_RUNS); do
		"$storm" 2000 0 >"$out"
		if frozen; then
			settled=$i
			break
		fi
	done
	if [ "$settled" != none ]; then
		sleep 2.5
		"$storm" 10 0 >"$out"	# its first call makes it normal
		wait_log "profile sigstorm ($key) is normal"
	else
		"$ebph" normalize "$key" >/dev/null
	fi
	check "$label: the profile is normal" \
		eval '"$ebph" profiles | grep "^$key " | grep -q normal'
	n0=$(anomalies)
	storm_signals=0
	for i in 1 2 3; do
		"$storm" 2000 1000 >"$out"
		storm_signals=$((storm_signals + $(sed -n 's/ signals$//p' "$out")))
	done
	sleep 1		# the events' way to the log
	storm_anomalies=$(($(anomalies) - n0))
	after_return=$("$ebph" show "$key" | awk '$2 == "rt_sigreturn"' | wc -l)
}

session frames
check "frames: the training settles, frozen in $TRAIN_RUNS runs or fewer ($settled)" \
	[ "$settled" != none ]
check "frames: normal by itself after --normal-wait" \
	grep -q "profile sigstorm ($key) is normal" "$log"
check "frames: $storm_signals signals in a storm, no anomaly ($storm_anomalies)" \
	[ "$storm_anomalies" -eq 0 ]
check "frames: no call learned after an rt_sigreturn ($after_return pairs)" \
	[ "$after_return" -eq 0 ]
check "frames: ebph status says the frames are on" \
	eval '"$ebph" status | grep -q "^signals  *handler frames on, 0 overflows"'
on_anomalies=$storm_anomalies
on_settled=$settled
on_signals=$storm_signals

# A handler that leaves by siglongjmp(): two frames fill the ring, and
# every later signal overwrites the oldest, counted.
"$dir/bin/sigjump" 2000 100 jump >"$out"
jumps=$(sed -n 's/ signals$//p' "$out")
over=$("$ebph" status | sed -n 's/^signals .*, \([0-9]*\) overflows.*/\1/p')
# (Other programs on the machine may add to the count: at least.)
check "frames: siglongjmp out of $jumps handlers, overflows counted in status ($over)" \
	[ "${over:-0}" -gt 0 -a "${over:-0}" -ge $((jumps - 2)) ]
session_stop

session "no frames" --no-signal-frames
check "no frames: ebph status says the frames are off" \
	eval '"$ebph" status | grep -q "^signals  *handler frames off"'
check "no frames: $storm_signals signals in a storm, anomalies ($storm_anomalies)" \
	[ "$storm_anomalies" -gt 0 ]
check "no frames: calls learned after an rt_sigreturn ($after_return pairs)" \
	[ "$after_return" -gt 0 ]
session_stop
echo "storm anomalies: $on_anomalies with frames ($on_signals signals; frozen after $on_settled" \
     "training runs), $storm_anomalies without ($storm_signals signals; frozen after $settled)"
test_end
