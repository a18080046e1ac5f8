#!/bin/sh
# tests/test_evaluate_live.sh - `make evaluate-live` end to end, as its
# smoke run (needs root): tests/evaluate_live.sh --quick trains, tests and
# attacks a private copy of the workload under a real ebph, and its report
# must print every table.  No figure is judged: three training rounds make
# none worth judging (docs/evaluation.md has the real run).  What breaks
# here is the benchmark itself: a workload program gone, an event field
# renamed, a time stamp the report cannot read.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

test_begin test_evaluate_live
test_dir evaluate-live
out=$dir/out

sh tests/evaluate_live.sh --quick >"$out" 2>&1
rc=$?
check "evaluate-live --quick exits 0 (exit $rc)" [ $rc -eq 0 ]
check "no traceback from the report" eval '! grep -q "^Traceback" "$out"'
check "its header" grep -q "^ebph live evaluation: 3 training rounds, normal wait 2s, 1 test rounds; [0-9]* programs, each a private copy$" "$out"
check "the false alarms of the test rounds" \
	grep -q "^  false alarms: [0-9]* anomalous processes, [0-9.]* per 1,000 processes" "$out"
for a in tcp pyshell findsh tarexec shadow-same shadow mprotect; do
	check "the attack $a has its row" grep -Eq "^  $a +[a-z]+( \+n)? +(CAUGHT|no) " "$out"
done
check "the time it took" grep -q "^took [0-9]* s$" "$out"

[ "$fail" -ne 0 ] && sed 's/^/  evaluate-live: /' "$out" | tail -40
test_end
