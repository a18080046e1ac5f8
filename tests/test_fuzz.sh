#!/bin/sh
# tests/test_fuzz.sh - a short run of each fuzz target (make fuzz runs
# them for longer; see the Makefile).
#
# For tests/fuzz_profile and tests/fuzz_elf in turn:
#   corpus   every committed input of tests/corpus_NAME/ once: the seeds
#            and each input a run ever found, which must stay fixed;
#   fuzz     FUZZ_SECONDS (default 5) of fuzzing from them, into a
#            scratch corpus, so the committed one is not changed.
# A target that crashes, aborts on a broken promise, or reports from ASan
# or UBSan exits nonzero and leaves a crash- file: either is a failure,
# and the inputs are kept in a directory the test names.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

test_begin test_fuzz

secs=${FUZZ_SECONDS:-5}
dir=$(mktemp -d /tmp/ebph-fuzz.XXXXXX)
trap 'rm -rf "$dir"' EXIT

# fuzz_ok LOG CMD...: CMD exits 0 and wrote no crash file; else show the
# end of its output, and keep the crashing inputs.
fuzz_ok() {
	_log=$1; shift
	"$@" >"$_log" 2>&1
	_rc=$?
	if [ "$_rc" -eq 0 ] && ! ls "$dir"/out/crash-* "$dir"/out/leak-* \
	    "$dir"/out/timeout-* "$dir"/out/oom-* >/dev/null 2>&1; then
		return 0
	fi
	tail -n 30 "$_log"
	keep=$(mktemp -d /tmp/ebph-fuzz-found.XXXXXX)
	cp "$dir"/out/* "$keep"/ 2>/dev/null
	echo "exit $_rc; inputs kept in $keep"
	return 1
}

for t in profile elf; do
	bin=tests/fuzz_$t
	seeds=tests/corpus_$t
	rm -rf "$dir"/out "$dir"/corpus
	mkdir -p "$dir"/out "$dir"/corpus
	if ! check "$bin is built (make fuzz)" test -x "$bin"; then
		continue
	fi
	n=$(ls "$seeds" | wc -l)
	check "$seeds holds seeds ($n)" test "$n" -ge 5
	check "$bin: every input of $seeds" \
		fuzz_ok "$dir/corpus.log" "$bin" -artifact_prefix="$dir"/out/ "$seeds"/*
	check "$bin: $secs s of fuzzing" \
		fuzz_ok "$dir/fuzz.log" "$bin" -max_total_time="$secs" \
		-artifact_prefix="$dir"/out/ "$dir"/corpus "$seeds"
	# A run that did nothing proves nothing: it must have executed inputs.
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log")
	[ -z "$runs" ] && runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$dir/fuzz.log")
	check "$bin ran inputs (${runs:-none})" test "${runs:-0}" -gt 100
	cov=$(grep -o 'cov: [0-9]*' "$dir/fuzz.log" | tail -n 1)
	echo "$bin: ${runs:-0} runs in $secs s, $cov"
done

test_end
