#!/bin/sh
# tests/test_e2e.sh - ebph end to end, as a user runs it (needs root).
#
# The proposal's demo: run tests/demo until its profile is normal under
# `ebph --normal-wait 2s`, then with an argument.  Anomalies must be
# reported for that PID and for write, and none for runs without an
# argument.  Then stop ebph, start it again on the same profiles: the
# profile must still be normal and the anomaly still caught, with no
# retraining.
#
# Then the same with the sequence detector alone (--detector seqs), so
# that every anomaly is a sequence missing from the test set (seq_miss):
# learned, normal, the run with an argument caught and the others quiet;
# saved as a version 4 file with its sequences and test set; restarted,
# the same sequences back in the kernel (a save right after the start
# writes the same sets) and the anomaly still caught.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

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
# The profile key (tests/lib.sh), in 16 hex digits as the log prints it.
key=$(printf '%016x' "$(profile_key "$demo")")

# EBPH_TEST_OBJECT=FILE runs ebph on FILE instead of ebph_kern.o, and
# EBPH_BIN=FILE runs FILE instead of ./ebph: a copy broken on purpose
# must fail this test.
ebph=${EBPH_BIN:-./ebph}
start_ebph() { # start_ebph [OPTIONS]: more options for ebph run
	"$ebph" run --profile-dir "$dir/profiles" --normal-wait 2s \
		--save-interval 0 ${EBPH_TEST_OBJECT:+-o "$EBPH_TEST_OBJECT"} \
		"$@" >>"$log" 2>&1 &
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

: >"$log"
check "ebph starts and attaches" start_ebph

# The demo under a running ebph, the proposal's way: trained on runs that
# are alike, so the profile freezes, waits 2s and turns normal; then runs
# without an argument report nothing and the run with one is caught.
# demo_session LABEL ANOMALY: ANOMALY is the log's text after the PID.
demo_session() {
	for i in $(seq 10); do "$demo" >/dev/null; done
	check "${1}new profile reported for demo" wait_log "new profile demo ($key)"
	check "${1}demo profile frozen after identical runs" \
		wait_log "profile demo ($key) frozen"
	sleep 2.5
	"$demo" >/dev/null	# its first call after the wait makes it normal
	check "${1}demo profile becomes normal after --normal-wait" \
		wait_log "profile demo ($key) is normal"
	for i in $(seq 5); do "$demo" >/dev/null; done
	"$demo" x >/dev/null &
	oops=$!
	wait $oops
	check "${1}the run with an argument is caught: $2" \
		wait_log "PID $oops (demo, profile $key): $2"
	# With a 2s wait other programs turn normal too; count the demo's.
	n=$(grep -c "(demo, profile $key): anomaly" "$log")
	m=$(grep -c "PID $oops (demo, profile $key): anomaly" "$log")
	check "${1}no anomaly for runs without an argument ($n anomalies, $m from PID $oops)" \
		[ "$n" -gt 0 -a "$n" -eq "$m" ]
}

demo_session "" "anomaly in write"

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

# ---- the sequence detector alone ----------------------------------------------
# prof_info FILE: version, flags, status, row and sequence counts, and a
# hash of the rows and sequences: what a save must give back unchanged.
prof_info() {
	python3 - "$1" <<'EOF'
import hashlib, struct, sys
b = open(sys.argv[1], 'rb').read()
version, hsize = struct.unpack_from('<I', b, 8)[0], struct.unpack_from('<I', b, 20)[0]
status = struct.unpack_from('<I', b, 32)[0]
rows, flags = struct.unpack_from('<II', b, 328)
nseqs = struct.unpack_from('<I', b, 336)[0] if version >= 2 else 0
print('version %d flags %d status %d rows %d seqs %d %s' % (version, flags, status,
      rows, nseqs, hashlib.sha1(b[hsize:-8]).hexdigest()))
EOF
}
pfile=$dir/profiles/$(printf '%016x' 0x$key).prof
rm -f "$dir/profiles/"*.prof

: >"$log"
check "ebph --detector seqs starts" start_ebph --detector seqs
check "the attached line says which detector runs" grep -q "ebph attached.*detector seqs" "$log"
demo_session "seqs: " "anomaly in write: unknown sequence, LFC [0-9]"
check "seqs: ebph exits 0 on SIGINT" stop_ebph
info1=$(prof_info "$pfile" 2>&1)
check "seqs: saved as version 4, normal, with a test set and sequences ($info1)" \
	eval 'echo "$info1" | grep -Eq "^version 4 flags 1 status [23] rows 0 seqs [1-9][0-9]* [0-9a-f]{40}$"'

: >"$log"
check "seqs: ebph restarts" start_ebph --detector seqs
check "seqs: the profile loaded" wait_log "loaded [1-9][0-9]* profiles"
check "seqs: ebph save" eval '"$ebph" save >/dev/null 2>&1'
info2=$(prof_info "$pfile" 2>&1)
check "seqs: saved right after the restart, the same sets ($info2)" [ "$info1" = "$info2" ]
"$demo" >/dev/null
"$demo" again >/dev/null &
oops=$!
wait $oops
check "seqs: anomaly still caught after a restart" \
	wait_log "PID $oops (demo, profile $key): anomaly in write: unknown sequence"
n=$(grep -c "(demo, profile $key): anomaly" "$log")
m=$(grep -c "PID $oops (demo, profile $key): anomaly" "$log")
check "seqs: after a restart, runs without an argument stay quiet ($n anomalies, $m from PID $oops)" \
	[ "$n" -gt 0 -a "$n" -eq "$m" ]
check "seqs: ebph exits 0 on SIGINT after the restart" stop_ebph

if [ "$fail" -ne 0 ]; then
	echo "---- ebph log ----"
	cat "$log"
fi
test_end
