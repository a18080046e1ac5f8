#!/bin/sh
# tests/test_stide.sh - the STIDE comparison's model judges ADFA-LD as the
# kernel program does (needs root, and ADFA-LD in ../shared/datasets or
# ADFA_DIR).
#
# docs/evaluation.md puts STIDE, computed by tests/evaluate_stide.py,
# beside ebph's detectors.  The comparison holds only if that model and
# `ebph replay` judge the same traces alike, so every test trace's
# anomalous calls, with seqs and with seqs7, must be the same in both;
# and a single call of difference must make the model say which trace.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

test_begin test_stide
test_dir stide
adfa=${ADFA_DIR:-../shared/datasets/adfa-ld}
model=tests/evaluate_stide.py

check "ADFA-LD is at $adfa" [ -d "$adfa/Attack_Data_Master" ]
for det in seqs seqs7; do
	check "ebph replay --detector $det writes its CSV" \
		"${EBPH_BIN:-./ebph}" replay --adfa "$adfa" --detector $det \
		${EBPH_TEST_OBJECT:+-o "$EBPH_TEST_OBJECT"} --csv "$dir/$det.csv" >"$log" 2>&1
done
check "the model agrees with replay on every test trace (seqs, seqs7)" \
	eval 'python3 "$model" --check "$dir/seqs.csv" --check "$dir/seqs7.csv" "$adfa" >"$log" 2>&1 &&
		grep -q "^10236 test traces: replay and the model agree" "$log"'

# One attack trace's count one higher: the model must refuse it, by name.
awk -F, -v OFS=, '$1 == "attack" && !done { $6 = $6 + 1; done = 1; bad = $4 } { print }
	END { print bad > "/dev/stderr" }' "$dir/seqs7.csv" >"$dir/off.csv" 2>"$dir/off.trace"
python3 "$model" --check "$dir/off.csv" "$adfa" >"$log" 2>&1
rc=$?
check "one call of difference fails the check (exit $rc)" [ $rc -eq 1 ]
check "and names the trace" grep -qF "$(cat "$dir/off.trace") (seqs7): replay has" "$log"

[ "$fail" -ne 0 ] && cat "$log"
test_end
