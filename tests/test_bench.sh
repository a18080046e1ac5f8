#!/bin/sh
# tests/test_bench.sh - `make bench` still runs (needs root, no other
# ebph on the machine).
#
# Not a measurement: the figures of a quick run are rough, and no
# figure is judged here.  What is checked is that every phase of the
# bench works on today's programs and files: the loops under each
# detector, the memory read-back, and the start-up from 1,000 saved
# profiles, which writes them as `ebph run` saves them (a change to the
# profile format or its checks once broke that phase silently).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

test_begin test_bench

out=$(mktemp /tmp/ebph-bench.XXXXXX)
trap 'rm -f "$out"' EXIT
ebph_wait_free || bad "another ebph kept running for 2 minutes"
./ebph_bench -q -w getppid >"$out" 2>&1
rc=$?
check "ebph_bench -q exits 0 (exit $rc)" [ $rc -eq 0 ]
for config in baseline floor count "pairs train" "pairs normal" "seqs train" \
	      "seqs normal" "both train" "both normal" "seqs7 normal"; do
	check "getppid measured under $config" grep -q "^  $config  *[0-9]" "$out"
done
check "the memory per profile read back" grep -q "median slab per profile" "$out"
check "1000 saved profiles written and loaded" grep -q "^1000 profiles loaded" "$out"
check "start-up timed" grep -q '"attached in", ms  *[0-9]' "$out"
if [ "$fail" -ne 0 ]; then
	echo "---- ebph_bench ----"
	tail -40 "$out"
fi

# fork+exec's breakdown (one program or the events off) and the 2-CPU
# loops (one profile on both CPUs, and two profiles).
./ebph_bench -q -r 1 -w fork+exec,2cpu-shared,2cpu-apart >"$out" 2>&1
rc=$?
check "ebph_bench -w fork+exec,2cpu-shared,2cpu-apart exits 0 (exit $rc)" [ $rc -eq 0 ]
for config in "pairs -events" "pairs -exec" "pairs -fork" "pairs -exit"; do
	check "fork+exec measured under $config" grep -q "^  $config  *[0-9]" "$out"
done
# An exec of a program whose path is known sends no event (a record
# wakes the reader: most of what ebph cost a fork+exec).  One per exec
# is what it sent before; the rest is the machine's (every task picked
# up again after a slice's tasks_clear(): 0.4 a fork+exec in -q).
per=$(sed -n 's/.*events read per sample.*pairs train \([0-9.]*\).*/\1/p' "$out")
check "fork+exec under pairs train: under 1 event read per fork+exec (${per:-none})" \
	awk -v p="${per:-9}" 'BEGIN { exit !(p < 1) }'

if [ "$(nproc)" -gt 1 ]; then
	check "2cpu-shared measured" grep -q "^2cpu-shared: " "$out"
	check "2cpu-apart measured" grep -q "^2cpu-apart: " "$out"
	check "2cpu-apart under pairs normal" \
		sh -c "sed -n '/^2cpu-apart: /,/^\$/p' '$out' | grep -q '^  pairs normal  *[0-9]'"
fi
if [ "$fail" -ne 0 ]; then
	echo "---- ebph_bench ----"
	tail -60 "$out"
fi

# -w startup: the start-up phase, no workload.
./ebph_bench -q -r 1 -w startup >"$out" 2>&1
rc=$?
check "ebph_bench -w startup exits 0 (exit $rc)" [ $rc -eq 0 ]
check "-w startup: start-up timed" grep -q '"attached in", ms  *[0-9]' "$out"
check "-w startup: no workload measured" sh -c "! grep -q '^getppid: ' '$out'"
if [ "$fail" -ne 0 ]; then
	echo "---- ebph_bench ----"
	tail -40 "$out"
fi
test_end
