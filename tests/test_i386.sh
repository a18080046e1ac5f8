#!/bin/sh
# tests/test_i386.sh - every call under its own ABI (needs root).
#
# tests/i386_exec, trained to normal under a real ebph, ends each plain
# run with munmap (x86_64 11) and execve (59).  Run with "i386", it
# execs through int $0x80 instead: i386 call 11, execve.  ebph must see
# an i386 execve, a call the profile never made, and report it by that
# name; recorded under the x86_64 number it would be the munmap the
# profile knows, and nothing would be reported.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_i386

test_dir i386

# A copy of our own: its profile is new on every run.
mkdir -m 0700 "$dir/profiles" "$dir/bin"
cp tests/i386_exec "$dir/bin/i386_exec"
prog=$dir/bin/i386_exec
key=$(printf '%016x' "$(profile_key "$prog")")

check "ebph starts and attaches" ebph_start "$log" --profile-dir "$dir/profiles" \
	--normal-wait 2s --save-interval 0 ${EBPH_TEST_OBJECT:+-o "$EBPH_TEST_OBJECT"}

for i in $(seq 10); do "$prog"; done
check "profile frozen after identical runs" wait_log "profile i386_exec ($key) frozen"
sleep 2.5
"$prog"		# its first call after the wait makes it normal
check "profile becomes normal" wait_log "profile i386_exec ($key) is normal"
for i in $(seq 3); do "$prog"; done
"$prog" i386 &
oops=$!
wait $oops
check "the i386 run execs /bin/true (exit 0)" [ $? -eq 0 ]
check "the exec through int \$0x80 is an anomaly in i386:execve" \
	wait_log "PID $oops (i386_exec, profile $key): anomaly in i386:execve"
n=$(grep -c "(i386_exec, profile $key): anomaly" "$log")
m=$(grep -c "PID $oops (i386_exec, profile $key): anomaly" "$log")
check "the plain runs stay quiet ($n anomalies, $m from PID $oops)" \
	[ "$n" -gt 0 -a "$n" -eq "$m" ]
check "ebph show names the i386 call" \
	eval '"${EBPH_BIN:-./ebph}" show "$key" 2>&1 | grep -q "^i386:execve "'

ebph_stop_end
