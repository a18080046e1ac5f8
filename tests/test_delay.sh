#!/bin/sh
# tests/test_delay.sh - pH's delays, from a real running ebph (needs root).
#
# tests/slow, trained to normal on its "good" run, misbehaves with "bad"
# (one getppid it never made, then the same getpids): with
# --delay-factor each of its calls while its LFC is over 0 stops it for
# 2^LFC x the factor, and its bad run takes that much longer, within a
# tolerance; its good run is not slowed.  Then that no process stays
# stopped: `ebph tolerize --pid` and `ebph set delay-factor 0` release
# one at once; a SIGTERM of ebph resumes it, and so does a crash (its
# SIGSEGV handler); after a SIGKILL it stays
# stopped until the next `ebph run`, which resumes it; and one that the
# test stops itself (kill -STOP, as job control does) while ebph holds it
# is left stopped.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_delay
test_dir delay

mkdir -m 0700 "$dir/bin" "$dir/profiles"
out=$dir/out
err=$dir/err
cp tests/slow "$dir/bin/slow"
slow=$dir/bin/slow
factor_us=20

# state PID: its state letter (T: stopped), or "gone".
state() { sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null || echo gone; }
# wait_state PID STATE: up to 5 s for PID to be in STATE ("gone" too).
wait_state() {
	for _i in $(seq 50); do
		[ "$(state "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# not_stopped PID: PID runs, or has exited (a zombie, or reaped).
not_stopped() { [ "$(state "$1")" != T ]; }
# released PID: PID exits within 0.5 s of now, long before its 1 s delay
# is over (ms since $t0 in $took).
released() {
	finishes "$1" || return 1
	took=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$took" -lt 500 ]
}
# finishes PID: up to 5 s for PID to exit (not a stopped process).
finishes() {
	for _i in $(seq 50); do
		kill -0 "$1" 2>/dev/null || return 0
		[ "$(state "$1")" = Z ] && return 0
		sleep 0.1
	done
	return 1
}
# delays PID: the delay lines of PID in $log.
delays() { grep "PID $1 TID [0-9]* (slow, profile [0-9a-f]*) delayed: stopped for " "$log"; }
# bad_stopped [HOW]: tests/slow bad (or HOW) in the background ($bad),
# until ebph has stopped it for a delay.
bad_stopped() {
	"$slow" "${1:-bad}" >"$dir/train" &
	bad=$!
	wait_log "PID $bad TID [0-9]* (slow, profile [0-9a-f]*) delayed" && wait_state $bad T
}

# spare_others: the machine is shared, and with --normal-wait 1s the
# test's ebph makes normal whatever ran a few times meanwhile (its own
# grep and sleep, its shell, ebph itself, other users' programs), which
# it would then delay (the test's own shell, by seconds): no profile
# freezes for less than a week from now on, and every other normal one
# goes back to training (tolerize), every other frozen one too, before
# its week-old second is up (sensitize).
spare_others() {
	./ebph set normal-wait 1w >/dev/null
	./ebph profiles --json | python3 -c '
import json, sys
def walk(o):
    if isinstance(o, dict):
        if o.get("state") in ("normal", "frozen") and \
           not (o.get("executable") or "").endswith("/slow"):
            print(o["state"], o["profile"])
        for v in o.values(): walk(v)
    elif isinstance(o, list):
        for v in o: walk(v)
walk(json.load(sys.stdin))' | while read -r st k; do
		[ "$st" = normal ] && ./ebph tolerize "$k" >/dev/null
		./ebph sensitize "$k" >/dev/null
	done
}

# ---- slowed by the expected amount; a well-behaved run is not -------------------
# Its output to a file, as in the runs below (to /dev/null, glibc's
# stdio makes other calls).  Many bad runs: no anomaly limit.
ebph_start "$log" -v -d "$dir/profiles" --normal-wait 1s --anomaly-limit 1000000 \
	--delay-factor ${factor_us}us
for i in $(seq 20); do "$slow" good >"$dir/train"; done
check "frozen" wait_log "profile slow ([0-9a-f]*) frozen"
sleep 1.2
"$slow" good >"$dir/train"
check "normal" wait_log "profile slow ([0-9a-f]*) is normal"
spare_others

"$slow" good >"$dir/good" &
g=$!
wait $g
good_us=$(cat "$dir/good")
"$slow" bad >"$dir/bad" &
b=$!
wait $b
bad_us=$(cat "$dir/bad")
sleep 0.5	# the last delay lines
delays $b >"$dir/lines"
n=$(wc -l <"$dir/lines")
want_us=$(sed 's/.*stopped for \([0-9]*\) us.*/\1/' "$dir/lines" | awk '{ s += $1 } END { print s + 0 }')
check "good: not delayed" [ -z "$(delays $g)" ]
check "good: not slowed (${good_us} us)" [ "${good_us:-999999}" -lt 50000 ]
check "bad: delayed at every call while its LFC was up ($n delays)" [ "$n" -gt 100 ]
check "bad: each delay 2^LFC x ${factor_us} us" \
	awk -v f=$factor_us '{ for (i = 1; i <= NF; i++) { if ($i == "for") d = $(i + 1); if ($i == "(LFC") l = $(i + 1) + 0 }
		if (d != f * 2 ^ l) exit 1 }' "$dir/lines"
check "status counts them" sh -c "./ebph status | grep -q 'delayed\$' && ./ebph status --json | grep -q '\"delays\":{\"delay_factor_ns\":$((factor_us * 1000)),\"delayed\":[1-9]'"

run 0 "set delay-factor 0" ./ebph set delay-factor 0
"$slow" bad >"$dir/bad0" &
b0=$!
wait $b0
bad0_us=$(cat "$dir/bad0")
slower=$((bad_us - bad0_us))
echo "bad run: ${bad_us} us with --delay-factor ${factor_us}us, ${bad0_us} us without: ${slower} us slower; its $n delays sum to ${want_us} us"
check "bad: slowed by the sum of its delays (${slower} us, want ${want_us} us, -10% +30% + 100 ms)" \
	[ "$slower" -ge $((want_us * 9 / 10)) -a "$slower" -le $((want_us * 13 / 10 + 100000)) ]
check "bad, delays off: not delayed" [ -z "$(delays $b0)" ]

# ---- released at once --------------------------------------------------------------
# 1 s: 2^LFC of it is the 1 s cap, from the first delay on.
run 0 "set delay-factor 1s" ./ebph set delay-factor 1s
check "set 0: stopped" bad_stopped
t0=$(date +%s%N)
run 0 "set delay-factor 0 releases" ./ebph set delay-factor 0
check "set delay-factor 0: resumed at once" released $bad
check "set 0: said why" wait_log "PID $bad resumed: delays are off"
run 0 "set delay-factor 1s" ./ebph set delay-factor 1s


# ---- job control: a stop that is not ebph's is left alone ---------------------------
run 0 "set delay-factor 1s" ./ebph set delay-factor 1s
check "job control: stopped by ebph" bad_stopped
kill -STOP $bad		# Ctrl-Z, while ebph holds it
sleep 1.5		# past its delay (the 1 s cap)
check "job control: still stopped after ebph's delay" [ "$(state $bad)" = T ]
check "job control: it made no call since (one delay)" [ "$(delays $bad | wc -l)" -eq 1 ]
check "job control: ebph said so" wait_log "PID $bad: not resumed (its delay is over): another stop is pending"
run 0 "job control: delays off" ./ebph set delay-factor 0
kill -CONT $bad		# fg
check "job control: runs again when its stopper resumes it" finishes $bad

# ---- SIGTERM: nothing stays stopped -------------------------------------------------
run 0 "set delay-factor 1s" ./ebph set delay-factor 1s
check "SIGTERM: stopped" bad_stopped
kill -TERM $pid
wait $pid
pid=
check "SIGTERM: resumed as ebph stops" finishes $bad
check "SIGTERM: said why" grep -q "PID $bad resumed: ebph is stopping" "$log"
cat "$log" >>"$dir/all"

# ---- a crash: its handler resumes them before it dies -------------------------------
# The profile saved at the SIGTERM, normal again.
ulimit -c 0
ebph_start "$log" -v -d "$dir/profiles" --anomaly-limit 1000000 --delay-factor 1s
check "crash: stopped" bad_stopped
t0=$(date +%s%N)
kill -SEGV $pid
wait $pid 2>/dev/null
check "crash: ebph died of it (exit $?)" [ $? -eq 139 ]
pid=
check "crash: resumed by its handler, at once" released $bad
cat "$log" >>"$dir/all"

# ---- SIGKILL: stopped until the next ebph, which resumes it ---------------------------
ebph_start "$log" -v -d "$dir/profiles" --anomaly-limit 1000000 --delay-factor 1s
check "SIGKILL: stopped" bad_stopped
kill -KILL $pid
wait $pid 2>/dev/null
pid=
sleep 1.5		# past its delay
check "SIGKILL: still stopped, nobody to resume it" [ "$(state $bad)" = T ]
cat "$log" >>"$dir/all"
echo "delay-factor = 0" >"$dir/ebph.conf"
ebph_start "$log" -v -d "$dir/profiles" --anomaly-limit 1000000 --config "$dir/ebph.conf"
check "SIGKILL: the next ebph resumes it" finishes $bad
check "SIGKILL: the next ebph says so" \
	grep -q "PID $bad resumed: stopped for a delay by an ebph that was killed" "$log"

# ---- normalize and tolerize --pid release at once (last: a normal
# profile goes on learning, and from a normalize on it tests with what
# the bad run did: the tolerize test misbehaves otherwise) ------------------
# The config file's delay-factor, applied by a reload.
echo "delay-factor = 1s" >"$dir/ebph.conf"
kill -HUP $pid
check "reload: delay-factor applied" wait_log "reload: delay-factor: 0s -> 1s"
check "reload: status says so" sh -c "./ebph status | grep -q 'delay-factor 1s'"
check "normalize: stopped" bad_stopped
t0=$(date +%s%N)
run 0 "normalize --pid releases" ./ebph normalize --pid $bad
check "normalize --pid: resumed at once, and not delayed again" released $bad
check "normalize: said why" wait_log "PID $bad resumed: its \(profile was made normal again\|LFC is back to 0\)"
check "tolerize: stopped" bad_stopped worse
t0=$(date +%s%N)
run 0 "tolerize --pid" ./ebph tolerize --pid $bad
check "tolerize --pid: resumed at once, and not delayed again" released $bad
check "tolerize: said why" wait_log "PID $bad resumed: its profile is not normal"

log_all=$dir/all
cat "$log" >>"$log_all"
log=$log_all
ebph_stop_end
