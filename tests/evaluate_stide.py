#!/usr/bin/env python3
# tests/evaluate_stide.py - STIDE as its authors describe it, on ADFA-LD,
# for docs/evaluation.md's "STIDE, measured alike" (run by `make evaluate`).
#
#   tests/evaluate_stide.py ADFA_DIR [K...]   K: window lengths (default 4 to 10)
#   tests/evaluate_stide.py --check CSV [--check CSV]... ADFA_DIR
#
# The published STIDE figure on ADFA-LD (about 23% false alarms at 90%
# detection) comes with no setup its sources give.  This measures STIDE
# itself on ebph's split: trained on Training_Data_Master, normal traces
# from Validation_Data_Master, attacks from Attack_Data_Master, one
# database for all.  STIDE (Warrender, Forrest and Pearlmutter 1999)
# slides a window of K calls over a trace, full windows only; a window
# mismatches when no training trace has it; a trace's score is its highest
# locality frame count, the mismatches among the last 20 windows.  The
# mismatch count and rate are printed beside it.
#
# The same code also computes ebph's seqs and seqs7 by anomaly rate as
# `ebph replay` runs them in the kernel (windows still filling counted, a
# verdict per call), and prints replay's figures for them.  --check
# compares each test trace of `ebph replay --detector seqs|seqs7 --csv`
# with this model: the same anomalous calls, or exit 1 naming the trace.
# It is an independent model, plain Python and no part of ebph.
import bisect
import csv
import math
import os
import sys

FRAME = 20      # STIDE's locality frame, in windows
SEQ = 6         # ebph's sequence length (ebph.h: EBPH_SEQ_LEN)
SETS = ("Training_Data_Master", "Validation_Data_Master", "Attack_Data_Master")


def die(msg):
    sys.exit("evaluate_stide: " + msg)


def read_trace(path):
    try:
        with open(path) as fh:
            return [int(c) for c in fh.read().split()]
    except OSError as e:
        die(f"{path}: {e.strerror}")
    except ValueError:
        die(f"{path}: not a trace (space-separated call numbers)")


def traces(top):
    """Every trace under TOP, in the order of their paths."""
    if not os.path.isdir(top):
        die(f"{top}: no such directory (is ADFA-LD there?)")
    out = [read_trace(os.path.join(d, f))
           for d, _, files in sorted(os.walk(top)) for f in sorted(files)]
    if not out:
        die(f"no traces under {top}")
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


def point(att, norm):
    """AUC (ties count half), and the threshold and false positives of
    the highest threshold that detects at least 90% of attacks."""
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


def in_set(top, path):
    """A CSV's trace path, found under TOP by its part from the set's
    directory on: replay wrote it relative to where it ran."""
    parts = path.split(os.sep)
    for i, p in enumerate(parts):
        if p in SETS:
            return os.path.join(top, *parts[i:])
    die(f"{path}: not under {' or '.join(SETS)}")


def check(csvs, top, train):
    """Replay's anomalous calls against the model's, every test trace."""
    db = {w for t in train for w in ebph_windows(t)}
    n = 0
    for f in csvs:
        try:
            with open(f, newline="") as fh:
                for r in csv.DictReader(fh):
                    if r["set"] not in ("normal", "attack"):
                        continue
                    if r["detector"] not in ("seqs", "seqs7"):
                        die(f"{f}: detector {r['detector']}, not seqs or seqs7")
                    t = read_trace(in_set(top, r["trace"]))
                    want = ebph_anomalous(t, db, r["detector"] == "seqs7")
                    if int(r["calls"]) != len(t) or int(r["anomalous_calls"]) != want:
                        die(f"{r['trace']} ({r['detector']}): replay has {r['anomalous_calls']} "
                            f"anomalous calls of {r['calls']}, the model {want} of {len(t)}")
                    n += 1
        except OSError as e:
            die(f"{f}: {e.strerror}")
        except (KeyError, TypeError, ValueError):
            die(f"{f}: not a CSV of ebph replay --csv")
    if n == 0:
        die("no normal or attack trace in " + " ".join(csvs))
    print(f"{n} test traces: replay and the model agree on every trace's anomalous calls")


def usage():
    die("usage: evaluate_stide.py ADFA_DIR [K...] | --check CSV [--check CSV]... ADFA_DIR")


def main(args):
    csvs = []
    while args[:1] == ["--check"] and len(args) >= 2:
        csvs.append(args[1])
        args = args[2:]
    if not args or args[0].startswith("-") or (csvs and len(args) != 1):
        usage()
    top = args[0]
    if not all(k.isdigit() and int(k) >= 1 for k in args[1:]):
        die("a window length K is a whole number of calls, 1 or more")
    ks = [int(k) for k in args[1:]] or list(range(4, 11))
    train = traces(os.path.join(top, SETS[0]))
    if csvs:        # the test traces are read as the CSV names them
        return check(csvs, top, train)
    norm, att = (traces(os.path.join(top, s)) for s in SETS[1:])
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


if __name__ == "__main__":
    main(sys.argv[1:])
