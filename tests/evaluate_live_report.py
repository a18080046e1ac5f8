#!/usr/bin/env python3
# tests/evaluate_live_report.py - the tables of `make evaluate-live`,
# from what tests/evaluate_live.sh left in DIR:
#
#   DIR/binds                  "COPY ORIGINAL": the workload's programs
#   DIR/bin/evaluate_live_jit  the attack binary (no original)
#   DIR/DET/events             ebph run --json -v, one event a line
#   DIR/DET/phases             "NAME EPOCH-SECONDS": train-start, ...
#   DIR/DET/profiles.test      ebph profiles -W, before the test rounds
#   DIR/DET/profiles.attack    the same, before the attacks
#   DIR/DET/status             ebph status, at the end
#
# Only the copies' profiles count (their keys, from stat, as the kernel
# makes them: st_dev << 32 | st_ino): no other process on the machine
# runs them.  An event belongs to the phase its time falls in; a process
# is a PID's exec of a program (the "assoc" event), so a forked child
# that does not exec counts within its parent.
import argparse
import datetime
import json
import os
import re
import sys

ATTACKS = [
    ("tcp", "bash", "a bash script: /dev/tcp to 127.0.0.1"),
    ("pyshell", "python3.11", "python3 os.system(): a shell and id"),
    ("findsh", "find", "find -exec sh -c id"),
    ("tarexec", "tar", "tar --checkpoint-action=exec=id"),
    ("shadow-same", "perl", "perl's trained one-liner reads /etc/shadow"),
    ("shadow", "perl", "perl -e open()s and reads /etc/shadow"),
    ("mprotect", "evaluate_live_jit", "a binary mprotects code executable, jumps"),
]


def keys_of(d):
    """key (16 hex digits) -> program name, for every private copy."""
    names = {}
    copies = [line.split() for line in open(os.path.join(d, "binds"))]
    copies.append([os.path.join(d, "bin", "evaluate_live_jit"), "evaluate_live_jit"])
    for copy, orig in copies:
        st = os.stat(copy)
        key = "%016x" % ((st.st_dev << 32) + st.st_ino)
        if key in names:
            continue		# a hard link's second name
        name = os.path.basename(orig)
        if name in names.values():	# /usr/lib/git-core/git beside git
            name = "/".join(orig.split("/")[-2:])
        names[key] = name
    return names


def epoch(stamp):
    """Seconds since the epoch of an event's "time", UTC to the ns
    (2026-12-04T02:52:37.523848656Z): strptime's %f takes only 6 digits."""
    whole, _, frac = stamp.rstrip("Z").partition(".")
    t = datetime.datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp() + float("0." + (frac or "0"))


def phases_of(path):
    """[(start, end, phase)] from the marks: train, wait, test, attack-X."""
    marks = [line.split() for line in open(path)]
    at = {name: float(t) for name, t in marks}
    spans = [(at["train-start"], at["train-end"], "train"),
             (at["train-end"], at["test-start"], "wait"),
             (at["test-start"], at["test-end"], "test")]
    for name, _, _ in ATTACKS:
        if "attack-%s-start" % name in at:
            spans.append((at["attack-%s-start" % name],
                          at["attack-%s-end" % name], "attack-" + name))
    return spans


def phase_at(spans, t):
    for start, end, name in spans:
        if start <= t < end:
            return name
    return None


def states_of(path, names):
    """program -> its profile's state in an `ebph profiles -W` snapshot."""
    states = {}
    for line in open(path):
        f = line.split()
        if f and f[0] in names:
            state = f[1]
            if state == "frozen" and "next call" in line:
                state = "ripe"	# normal at its next call
            states[names[f[0]]] = state
    return states


class Tally:
    """What one detector's run saw, by phase and program."""

    def __init__(self):
        self.procs = {}		# (phase, program) -> {pid}
        self.anom_procs = {}	# (phase, program) -> {pid}
        self.calls = {}		# (phase, program) -> anomalous calls
        self.seq_only = {}	# (phase, program) -> calls only seqs missed
        self.events = {}	# (phase, program, event) -> count
        self.names = {}		# (phase, program) -> {call: anomalies}

    def add(self, table, phase, prog, value=None):
        key = (phase, prog)
        if value is None:
            table[key] = table.get(key, 0) + 1
        else:
            table.setdefault(key, set()).add(value)


def tally(d, det, names):
    spans = phases_of(os.path.join(d, det, "phases"))
    t = Tally()
    for line in open(os.path.join(d, det, "events")):
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        prog = names.get(ev.get("profile"))
        if prog is None:
            continue
        phase = phase_at(spans, epoch(ev["time"]))
        kind = ev["event"]
        if kind == "assoc":
            t.add(t.procs, phase, prog, ev["pid"])
        elif kind == "anomaly":
            t.add(t.anom_procs, phase, prog, ev["pid"])
            t.add(t.calls, phase, prog)
            by_call = t.names.setdefault((phase, prog), {})
            by_call[ev.get("call")] = by_call.get(ev.get("call"), 0) + 1
            if ev.get("misses") == 0:
                t.add(t.seq_only, phase, prog)
        else:
            k = (phase, prog, kind)
            t.events[k] = t.events.get(k, 0) + 1
    return t


def short(prog):
    """gcc's tools without their target prefix: x86_64-linux-gnu-as is as."""
    return re.sub(r"^[a-z0-9_]+-linux-gnu-", "", prog)


def count(table, phase, prog=None):
    n = 0
    for (ph, pr), v in table.items():
        if ph == phase and (prog is None or pr == prog):
            n += len(v) if isinstance(v, set) else v
    return n


def status_line(d, det, what):
    try:
        for line in open(os.path.join(d, det, "status")):
            if line.startswith(what):
                return " ".join(line.split()[1:])
    except OSError:
        pass
    return "?"


def false_alarms(d, det, names, t):
    states = states_of(os.path.join(d, det, "profiles.test"), names)
    progs = sorted({pr for (ph, pr) in t.procs if ph == "test"})
    procs = count(t.procs, "test")
    tested = sum(count(t.procs, "test", p) for p in progs
                 if states.get(p) in ("normal", "ripe"))
    anom = count(t.anom_procs, "test")
    calls = count(t.calls, "test")
    per = 1000.0 * anom / procs if procs else 0
    per_tested = 1000.0 * anom / tested if tested else 0
    print("detector %s: test rounds: %d processes of %d programs, %d of them of a"
          " normal profile" % (det, procs, len(progs), tested))
    print("  false alarms: %d anomalous processes, %.1f per 1,000 processes"
          " (%.1f per 1,000 of normal profiles), %d anomalous calls"
          % (anom, per, per_tested, calls))
    train_anom = count(t.calls, "train") + count(t.calls, "wait")
    if train_anom:
        print("  (and %d anomalous calls during training, in profiles normal"
              " before it ended)" % train_anom)
    print("  %-12s %-8s %6s %6s %6s  %s" % ("program", "state", "procs",
          "anom.p", "calls", "most anomalous calls; limits hit"))
    for p in sorted(progs, key=lambda p: (-count(t.calls, "test", p), p)):
        n_anom = count(t.anom_procs, "test", p)
        if not n_anom:
            continue
        hits = []
        for kind, label in (("stop_normal", "anomaly limit"), ("tolerize", "tolerize limit")):
            n = t.events.get(("test", p, kind), 0)
            if n:
                hits.append("%s x%d" % (label, n))
        so = count(t.seq_only, "test", p)
        if so and det == "both":
            hits.append("%d by seqs alone" % so)
        top = sorted(t.names.get(("test", p), {}).items(), key=lambda c: (-c[1], str(c[0])))
        hits.insert(0, " ".join("%s:%d" % c for c in top[:3]))
        print("  %-12s %-8s %6d %6d %6d  %s" % (short(p), states.get(p, "?"),
              count(t.procs, "test", p), n_anom, count(t.calls, "test", p),
              "; ".join(hits)))
    quiet = [p for p in progs if not count(t.anom_procs, "test", p)]
    by_state = {}
    for p in quiet:
        by_state.setdefault(states.get(p, "?"), []).append(p)
    for state in sorted(by_state):
        print("  no anomaly, %s: %s" % (state, " ".join(map(short, by_state[state]))))
    dropped = status_line(d, det, "events")
    if not dropped.startswith("0 "):
        print("  WARNING: ebph's perf ring was full (the machine was busy): events %s;"
              " the counts above are short" % dropped)


def attacks(d, det, names, t):
    states = states_of(os.path.join(d, det, "profiles.attack"), names)
    try:
        normalized = {a.strip() for a in open(os.path.join(d, det, "normalized"))}
    except OSError:
        normalized = set()
    print("detector %s: attacks (profile: its state after the test rounds;"
          " +n: then made normal by ebph normalize)" % det)
    print("  %-11s %-11s %-7s %-43s %s" % ("attack", "profile", "caught", "action",
          "anomalies (program: processes/calls)"))
    for name, prog, what in ATTACKS:
        ph = "attack-" + name
        hit = sorted({pr for (p, pr) in t.calls if p == ph})
        detail = ", ".join("%s: %d/%d" % (short(pr), count(t.anom_procs, ph, pr),
                                          count(t.calls, ph, pr)) for pr in hit)
        state = states.get(prog, "?") + (" +n" if name in normalized else "")
        print("  %-11s %-11s %-7s %-43s %s" % (name, state,
              "CAUGHT" if hit else "no", what, detail or "-"))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--time", type=int, default=0)
    ap.add_argument("--train", type=int)
    ap.add_argument("--test", type=int)
    ap.add_argument("--wait")
    ap.add_argument("detectors", nargs="+")
    a = ap.parse_args()
    names = keys_of(a.dir)
    print()
    print("ebph live evaluation: %d training rounds, normal wait %s, %d test rounds;"
          " %d programs, each a private copy" % (a.train, a.wait, a.test, len(names)))
    print("state: the profile's before the test rounds (ripe: frozen, normal at its"
          " next call)")
    print()
    tallies = {det: tally(a.dir, det, names) for det in a.detectors}
    for det in a.detectors:
        false_alarms(a.dir, det, names, tallies[det])
        print()
    for det in a.detectors:
        attacks(a.dir, det, names, tallies[det])
        print()
    print("took %d s" % a.time)
    return 0


if __name__ == "__main__":
    sys.exit(main())
