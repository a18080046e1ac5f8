#!/bin/sh
# tests/test_incident.sh - one alert per incident, from a real running
# ebph (needs root).
#
# A normal profile's anomalies, run by run: by default the first anomaly
# of a process is one line, and when its incident is over one summary
# line gives the count of anomalous calls, the highest LFC, the calls and
# how long it lasted.  Its three ends: the process exits (tests/demo
# with an argument), its LFC is back to 0 while it still runs (tests/lfc
# calm), no anomaly for --incident-timeout while its LFC stays up
# (tests/lfc stay).  The counts are the kernel's: the anomaly events of
# the process, as --every-anomaly lists them, one line each (the old
# lines), beside the same summary.  And in JSON: the first anomaly with
# its "incident", and an "incident" event with the summary's fields.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_incident
test_dir incident

mkdir -m 0700 "$dir/bin"
cp tests/demo "$dir/bin/demo"
cp tests/lfc "$dir/bin/lfc"
demo=$dir/bin/demo
lfc=$dir/bin/lfc
keyof() { printf '%016x' $(( ($(stat -c %d "$1") << 32) + $(stat -c %i "$1") )); }
dkey=$(keyof "$demo")
lkey=$(keyof "$lfc")

# stop: the test's ebph, as a user stops it; its log kept for a failure.
stop() {
	[ -n "$pid" ] && kill -INT "$pid" && wait "$pid"
	pid=
	cat "$log" >>"$dir/all"
}

# train: both programs, until normal (--normal-wait 1s).
train() {
	for i in $(seq 6); do "$demo" >/dev/null; "$lfc"; done
	check "$1: demo frozen" wait_log "profile demo ($dkey) frozen"
	check "$1: lfc frozen" wait_log "profile lfc ($lkey) frozen"
	sleep 1.2
	"$demo" >/dev/null
	"$lfc"
	check "$1: demo normal" wait_log "profile demo ($dkey) is normal"
	check "$1: lfc normal" wait_log "profile lfc ($lkey) is normal"
}

# summary PID: the summary line of PID's incident (waits for it).
summary() {
	wait_log "PID $1 ([a-z]*, profile [0-9a-f]*): incident [0-9]* over" &&
		grep "PID $1 ([a-z]*, profile [0-9a-f]*): incident [0-9]* over" "$log"
}
# anomalies PID: how many anomaly lines of PID the log has.
anomalies() { grep -c "PID $1 ([a-z]*, profile [0-9a-f]*): anomaly in " "$log"; }
# field NAME LINE: the number before " NAME" in LINE, e.g. "3 anomalous".
count_of() { echo "$1" | sed -n 's/.*: \([0-9]*\) anomalous calls\{0,1\} in .*/\1/p'; }
lfc_of() { echo "$1" | sed -n 's/.*highest LFC \([0-9]*\),.*/\1/p'; }

# ---- the default: one line when it begins, one when it is over ---------------
log=$dir/log.default
ebph_start "$log" --no-load --no-save --normal-wait 1s --incident-timeout 2s
train default
"$demo" x >/dev/null &
d1=$!
wait $d1
s=$(summary $d1)
check "exit: a summary when the process exited" \
	eval 'echo "$s" | grep -q "incident [0-9]* over (the process exited): [0-9]* anomalous calls\{0,1\} in [0-9.]* ms, highest LFC [1-9][0-9]*, calls .*write"'
check "exit: one anomaly line, when the incident began" [ "$(anomalies $d1)" -eq 1 ]
check "exit: the line says an incident begins" \
	grep -q "PID $d1 (demo, profile $dkey): anomaly in write: .*: an incident begins" "$log"
dn=$(count_of "$s")
check "exit: more than one anomalous call summed up ($dn)" [ "${dn:-0}" -gt 1 ]

"$lfc" calm &
l1=$!
s=$(summary $l1)
check "LFC 0: over while the process still runs" kill -0 $l1
check "LFC 0: the summary says why" \
	eval 'echo "$s" | grep -q "over (its LFC is back to 0): [0-9]* anomalous calls in .*, calls .*getppid"'
check "LFC 0: one anomaly line" [ "$(anomalies $l1)" -eq 1 ]
ln=$(count_of "$s")
llfc=$(lfc_of "$s")
wait $l1

"$lfc" stay &
l2=$!
s=$(summary $l2)
check "time limit: over after --incident-timeout, the process still there" kill -0 $l2
check "time limit: the summary says why" \
	eval 'echo "$s" | grep -q "over (no anomaly for the time limit): "'
wait $l2
stop

# ---- --every-anomaly: the old lines, the same counts ------------------------------
log=$dir/log.every
ebph_start "$log" --no-load --no-save --normal-wait 1s --every-anomaly
train every
"$demo" x >/dev/null &
d2=$!
wait $d2
s=$(summary $d2)
n=$(anomalies $d2)
check "every: a line for each anomalous call, as many as the summary counts ($n, $(count_of "$s"))" \
	[ "$n" -gt 1 -a "$n" -eq "$(count_of "$s")" ]
check "every: the same count as the default run gave ($n, $dn)" [ "$n" -eq "$dn" ]
check "every: the old lines, with no incident words" \
	eval '! grep "PID $d2 (demo, profile $dkey): anomaly in " "$log" | grep -q "incident"'
"$lfc" calm &
l3=$!
s=$(summary $l3)
n=$(anomalies $l3)
maxl=$(grep "PID $l3 (lfc, profile $lkey): anomaly in " "$log" | sed 's/.*LFC \([0-9]*\)$/\1/' | sort -n | tail -n 1)
check "every: lfc's anomalies as counted ($n, $(count_of "$s"), default run $ln)" \
	[ "$n" -eq "$(count_of "$s")" -a "$n" -eq "$ln" ]
check "every: the highest LFC is the lines' ($maxl, $(lfc_of "$s"), default run $llfc)" \
	[ "$maxl" = "$(lfc_of "$s")" -a "$maxl" = "$llfc" ]
wait $l3
stop

# ---- JSON -------------------------------------------------------------------------
log=$dir/log.json
ebph_start "$log" --json --no-load --no-save --normal-wait 1s
train json
"$demo" x >/dev/null &
d3=$!
wait $d3
check "json: the incident event" wait_log "\"event\":\"incident\",\"pid\":$d3,"
python3 - "$log" "$d3" "$dkey" "$dn" >"$dir/py" 2>&1 <<'EOF'
import json, sys
log, pid, key, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
lines = [json.loads(l) for l in open(log, encoding='utf-8')]
an = [o for o in lines if o['event'] == 'anomaly' and o['pid'] == pid]
inc = [o for o in lines if o['event'] == 'incident' and o['pid'] == pid]
i = inc[0] if inc else {}
print('one anomaly', len(an) == 1 and isinstance(an[0].get('incident'), int))
print('one incident', len(inc) == 1 and i.get('incident') == an[0].get('incident'))
print('fields', i.get('profile') == key and i.get('anomalies') == n and
      i.get('max_lfc', 0) >= 1 and 'write' in i.get('calls', []) and
      i.get('ended') == 'exited' and i.get('lost') == 0 and
      i.get('start') == an[0]['time'] and i.get('end', '') >= i['start'] and
      i.get('duration_ns', -1) >= 0 and i.get('ppid') == an[0].get('ppid') and
      i.get('cgroup') == an[0].get('cgroup') and i.get('schema') == 1, i)
EOF
check "json: one anomaly line, with its incident number" grep -q "^one anomaly True$" "$dir/py"
check "json: one incident event, the same number" grep -q "^one incident True$" "$dir/py"
check "json: the incident's fields, the count as the text run's" grep -q "^fields True" "$dir/py"
stop
if [ "$fail" -ne 0 ]; then
	cat "$dir/py"
	echo "---- ebph logs ----"
	grep -E "demo|lfc" "$dir/all" | grep -v "new_seq\|learned" | tail -n 60
fi
test_end
