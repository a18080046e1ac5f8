#!/bin/sh
# tests/test_stide.sh - tests/evaluate_stide.py, the model behind
# docs/evaluation.md's "STIDE, measured alike" (needs root, and ADFA-LD
# in ../shared/datasets or ADFA_DIR for its second part).
#
# First a data set small enough to work out by hand: STIDE's locality
# frame of 20 windows, its mismatches and rate, the 90% point and the AUC
# with a tie.  Then ADFA-LD: the comparison holds only if the model and
# `ebph replay` judge the same traces alike, so every test trace's
# anomalous calls, with seqs and with seqs7, must be the same in both,
# and so must the AUC and the 90% point; a single call of difference
# must make the model say which trace.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

test_begin test_stide
test_dir stide
model=tests/evaluate_stide.py

# Training: 1 2 3 4 5 6.  Normal: the same (no mismatch), and one with a
# 9 in it (3 of its 4 windows of 3 mismatch).  Attacks: nine of 27 calls
# of 7 (25 windows, all mismatching: an LFC of 20, the frame full) and
# one like the training trace (0, tied with the first normal trace).
syn=$dir/syn
mkdir -p "$syn/Training_Data_Master" "$syn/Validation_Data_Master" "$syn/Attack_Data_Master/A_1"
echo "1 2 3 4 5 6" >"$syn/Training_Data_Master/t1"
echo "1 2 3 4 5 6" >"$syn/Validation_Data_Master/n1"
echo "1 2 3 9 5 6" >"$syn/Validation_Data_Master/n2"
for i in 1 2 3 4 5 6 7 8 9; do
	printf '7 %.0s' $(seq 27) >"$syn/Attack_Data_Master/A_1/a$i"
done
echo "1 2 3 4 5 6" >"$syn/Attack_Data_Master/A_1/a10"
python3 "$model" "$syn" 3 >"$dir/syn.out" 2>&1
check "the model runs on a small data set" [ $? -eq 0 ]
# 9 attacks above both normal traces, one tied with one and below the
# other: AUC (18 + 0.5) / 20; the 9th highest attack score is the 90% point.
check "STIDE's LFC: a frame of 20 windows, the 90% point at the 9th attack" \
	grep -qxF "| STIDE, K = 3, LFC in 20 windows | 0.925 | >= 20 | 0.0% |" "$dir/syn.out"
check "its mismatches" grep -qxF "| STIDE, K = 3, mismatches | 0.925 | >= 25 | 0.0% |" "$dir/syn.out"
check "its mismatch rate" grep -qxF "| STIDE, K = 3, mismatch rate | 0.925 | >= 1.0000 | 0.0% |" "$dir/syn.out"

python3 "$model" "$dir/none" >"$dir/err" 2>&1
rc=$?
check "a missing data set: exit 1 (exit $rc), one sentence" \
	eval '[ $rc -eq 1 ] && grep -qx "evaluate_stide: $dir/none/Training_Data_Master: no such directory (is ADFA-LD there?)" "$dir/err"'
python3 "$model" "$syn" x >"$dir/err" 2>&1
rc=$?
check "a window length that is not a number: exit 1 (exit $rc)" \
	eval '[ $rc -eq 1 ] && grep -qx "evaluate_stide: a window length K is a whole number of calls, 1 or more" "$dir/err"'
python3 "$model" --check "$dir/none.csv" "$syn" >"$dir/err" 2>&1
rc=$?
check "a missing CSV: exit 1 (exit $rc)" \
	eval '[ $rc -eq 1 ] && grep -qx "evaluate_stide: $dir/none.csv: No such file or directory" "$dir/err"'

adfa=${ADFA_DIR:-../shared/datasets/adfa-ld}
if [ ! -d "$adfa/Attack_Data_Master" ]; then
	echo "ADFA-LD is not at $adfa: the checks against replay are left out"
	test_end
	exit
fi
for det in seqs seqs7; do
	check "ebph replay --detector $det writes its CSV" \
		"${EBPH_BIN:-./ebph}" replay --adfa "$adfa" --detector $det \
		${EBPH_TEST_OBJECT:+-o "$EBPH_TEST_OBJECT"} --csv "$dir/$det.csv" >"$dir/$det.out" 2>&1
	awk '/^anomaly rate /{ print $3, $5, $7; exit }' "$dir/$det.out" >"$dir/$det.replay"
done
python3 "$model" "$adfa" 6 >"$dir/adfa.out" 2>&1
for det in seqs seqs7; do
	awk -F' *[|] *' -v d="ebph $det (this model), anomaly rate" \
		'$2 == d { sub(/^>= /, "", $4); print $3, $4, $5 }' "$dir/adfa.out" >"$dir/$det.model"
	check "$det by anomaly rate: the model's AUC, threshold and false positives are replay's ($(cat "$dir/$det.model"))" \
		eval '[ -s "$dir/$det.model" ] && cmp -s "$dir/$det.model" "$dir/$det.replay"'
done
python3 "$model" --check "$dir/seqs.csv" --check "$dir/seqs7.csv" "$adfa" >"$dir/agree" 2>&1
check "the model agrees with replay on every test trace (seqs, seqs7)" \
	grep -qx "10236 test traces: replay and the model agree on every trace's anomalous calls" "$dir/agree"

# One attack trace's count one higher: the model must refuse it, by name.
awk -F, -v OFS=, '$1 == "attack" && !done { $6 = $6 + 1; done = 1; bad = $4 } { print }
	END { print bad > "/dev/stderr" }' "$dir/seqs7.csv" >"$dir/off.csv" 2>"$dir/off.trace"
python3 "$model" --check "$dir/off.csv" "$adfa" >"$dir/err" 2>&1
rc=$?
check "one call of difference fails the check (exit $rc), naming the trace" \
	eval '[ $rc -eq 1 ] && grep -qF "evaluate_stide: $(cat "$dir/off.trace") (seqs7): replay has" "$dir/err"'

if [ "$fail" -ne 0 ]; then
	for f in "$dir"/*.out "$dir/agree" "$dir/err"; do
		[ -f "$f" ] && sed "s|^|  ${f##*/}: |" "$f" | head -20
	done
fi
test_end
