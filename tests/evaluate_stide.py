#!/usr/bin/env python3
# tests/evaluate_stide.py - STIDE as its authors describe it, on ADFA-LD,
# for docs/evaluation.md's "STIDE, measured alike" (run by `make evaluate`).
#
#   tests/evaluate_stide.py ADFA_DIR [K...]     (K: window lengths, default 4 to 10)
#   tests/evaluate_stide.py --check CSV... ADFA_DIR
#
# --check compares each trace of `ebph replay --detector seqs|seqs7 --csv`
# with this model: the same anomalous calls, trace by trace, or exit 1.
#
# ADFA-LD's published STIDE figure (about 23% false alarms at 90%
# detection) comes from a setup that its sources do not give.  This
# measures STIDE itself on ebph's split: trained on Training_Data_Master,
# normal traces from Validation_Data_Master, attacks from
# Attack_Data_Master, one database for all.  STIDE (Warrender, Forrest and
# Pearlmutter 1999) slides a window of K calls over a trace, full windows
# only; a window mismatches when no training trace has it; a trace's score
# is its highest locality frame count, the mismatches among the last 20
# windows.  The mismatch count and rate are printed beside it.
#
# The same code also computes ebph's seqs and seqs7 by anomaly rate, as
# `ebph replay` runs them in the kernel (windows still filling counted, a
# verdict per call): those two rows print replay's figures, and --check
# shows that this model and replay judge every trace alike.  It is an
# independent model, plain Python and no part of ebph.
import csv
import bisect
import math
import os
import sys

FRAME = 20      # STIDE's locality frame, in windows
SEQ = 6         # ebph's sequence length (ebph.h: EBPH_SEQ_LEN)


def traces(top):
    """Every trace under TOP: a file of space-separated call numbers."""
    out = []
    for d, _, files in sorted(os.walk(top)):
        for f in sorted(files):
            with open(os.path.join(d, f)) as fh:
                out.append([int(c) for c in fh.read().split()])
    if not out:
        sys.exit(f"evaluate_stide: no traces under {top}")
    return out


def full_windows(t, k):
    return [tuple(t[i:i + k]) for i in range(len(t) - k + 1)]


def stide_scores(t, k, db):
    """(highest LFC over FRAME windows, mismatches, mismatch rate)."""
    miss = [w not in db for w in full_windows(t, k)]
    lfc = best = 0
    for i, m in enumerate(miss):
        lfc += m - (miss[i - FRAME] if i >= FRAME else 0)
        best = max(best, lfc)
    return best, sum(miss), sum(miss) / len(miss) if miss else 0.0


def ebph_windows(t):
    """ebph's sequences: the last SEQ calls at every call, padded at the start."""
    w = [-1] * SEQ
    for c in t:
        w = w[1:] + [c]
        yield tuple(w)


def ebph_anomalous(t, db, joined):
    """Anomalous calls; joined (seqs7): a miss also marks the next call."""
    n = prev = 0
    for w in ebph_windows(t):
        miss = w not in db
        n += miss or (joined and prev)
        prev = miss
    return n


def ebph_rate(t, db, joined):
    return ebph_anomalous(t, db, joined) / len(t) if t else 0.0


def check(csvs, train):
    """Replay's anomalous calls against the model's, every test trace."""
    db = {w for t in train for w in ebph_windows(t)}
    n = 0
    for f in csvs:
        with open(f) as fh:
            for r in csv.DictReader(fh):
                if r["set"] not in ("normal", "attack"):
                    continue
                if r["detector"] not in ("seqs", "seqs7"):
                    sys.exit(f"evaluate_stide: {f}: detector {r['detector']}, not seqs or seqs7")
                with open(r["trace"]) as tf:
                    t = [int(c) for c in tf.read().split()]
                want = ebph_anomalous(t, db, r["detector"] == "seqs7")
                if int(r["calls"]) != len(t) or int(r["anomalous_calls"]) != want:
                    sys.exit(f"evaluate_stide: {r['trace']} ({r['detector']}): replay has "
                             f"{r['anomalous_calls']} anomalous calls of {r['calls']}, "
                             f"the model {want} of {len(t)}")
                n += 1
    if n == 0:
        sys.exit("evaluate_stide: no normal or attack trace in " + " ".join(csvs))
    print(f"{n} test traces: replay and the model agree on every trace's anomalous calls")


def point(att, norm):
    """AUC, and (threshold, false positives) at the highest threshold
    that detects at least 90% of attacks."""
    a = sorted(att, reverse=True)
    thr = a[math.ceil(0.9 * len(a)) - 1]
    ns = sorted(norm)
    auc = sum(bisect.bisect_left(ns, x) + (bisect.bisect_right(ns, x) - bisect.bisect_left(ns, x)) / 2
              for x in a) / (len(a) * len(ns))
    return auc, thr, sum(1 for s in norm if s >= thr) / len(norm)


def row(name, att, norm):
    auc, thr, fp = point(att, norm)
    th = f"{thr:.4f}" if isinstance(thr, float) else str(thr)
    print(f"| {name} | {auc:.3f} | >= {th} | {100 * fp:.1f}% |")


def main():
    args = sys.argv[1:]
    csvs = []
    while len(args) >= 2 and args[0] == "--check":
        csvs.append(args[1])
        args = args[2:]
    if not args or (csvs and len(args) != 1):
        sys.exit("usage: evaluate_stide.py [--check CSV]... ADFA_DIR [K...]")
    top = args[0]
    train = traces(os.path.join(top, "Training_Data_Master"))
    if csvs:
        return check(csvs, train)
    ks = [int(k) for k in args[1:]] or list(range(4, 11))
    norm = traces(os.path.join(top, "Validation_Data_Master"))
    att = traces(os.path.join(top, "Attack_Data_Master"))
    print(f"{len(train)} training, {len(norm)} normal and {len(att)} attack traces\n")
    print("| detector, score | AUC | threshold | false positives at 90% detection |")
    print("|---|---:|---:|---:|")
    db = {w for t in train for w in ebph_windows(t)}
    for name, joined in (("seqs", False), ("seqs7", True)):
        row(f"ebph {name} (this model), anomaly rate",
            [ebph_rate(t, db, joined) for t in att], [ebph_rate(t, db, joined) for t in norm])
    for k in ks:
        db = {w for t in train for w in full_windows(t, k)}
        sa = [stide_scores(t, k, db) for t in att]
        sn = [stide_scores(t, k, db) for t in norm]
        for i, name in enumerate((f"LFC in {FRAME} windows", "mismatches", "mismatch rate")):
            row(f"STIDE, K = {k}, {name}", [s[i] for s in sa], [s[i] for s in sn])


main()
