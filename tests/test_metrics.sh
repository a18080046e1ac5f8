#!/bin/sh
# tests/test_metrics.sh - the metrics, from a real running ebph (needs
# root), read by a real parser of the Prometheus text format (Python's
# prometheus_client, Debian's python3-prometheus-client).
#
# `ebph status --prometheus`: every family parses, is named ebph_*, a
# counter's samples end in _total, and the numbers are those of `ebph
# status --json` (read between two reads of the metrics: a figure that
# moves must lie between them, one that does not must be equal).  An
# anomaly is provoked first, so that ebph_anomalies_total is not a 0 any
# index would give.
#
# `ebph run --metrics FILE`, set in the config file: the file appears
# with mode 0644, says the same as status --prometheus, is rewritten
# every --metrics-interval (its inode and its calls change), is whole at
# every read while it is rewritten, leaves no temporary file; a reload
# that moves it writes the new file and removes the old; at SIGTERM the
# file says ebph_up 0.  A bad path or interval, on the command line or
# in the file, is refused with exit 2.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_metrics
test_dir metrics
out=$dir/out
err=$dir/err
# Debian's package installs for the system's python3, not another one
# first on PATH.
py=/usr/bin/python3

# prom FILE EXPR: EXPR, Python over m (the samples, by name with their
# labels: 'ebph_profiles{state="normal"}'), t (each family's type) and
# d (the JSON of $dir/json, if any), printed.  Fails, saying why, if FILE
# does not parse whole, or a name or a counter breaks the conventions.
prom() {
	"$py" - "$1" "$2" "$dir/json" <<'EOF'
import json, os, sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
if not text.endswith("\n"):
    sys.exit("does not end with a newline")
m, t = {}, {}
for f in text_string_to_metric_families(text):
    if not f.name.startswith("ebph_"):
        sys.exit("family %r is not ebph_*" % f.name)
    if not f.documentation:
        sys.exit("family %r has no HELP" % f.name)
    t[f.name] = f.type
    for s in f.samples:
        if f.type == "counter" and not s.name.endswith("_total"):
            sys.exit("counter sample %r does not end in _total" % s.name)
        k = s.name + ("{" + ",".join('%s="%s"' % kv for kv in sorted(s.labels.items())) + "}"
                      if s.labels else "")
        if k in m:
            sys.exit("sample %r twice" % k)
        m[k] = int(s.value) if s.value == int(s.value) else s.value
d = json.load(open(sys.argv[3])) if os.path.exists(sys.argv[3]) else {}
r = eval(sys.argv[2])
print(r if isinstance(r, str) else json.dumps(r))
EOF
}
# prom_is FILE EXPR: EXPR is true.
prom_is() { [ "$(prom "$1" "$2" 2>&1)" = true ]; }

check "python3-prometheus-client is installed (make deps)" \
	"$py" -c 'import prometheus_client.parser'

# ---- bad values -------------------------------------------------------------------
refused() { # refused DESCRIPTION PATTERN ARGS...
	what=$1 pat=$2; shift 2
	./ebph run --no-config --no-load --no-save "$@" >"$out" 2>"$err"
	rc=$?
	check "$what: exit 2" [ $rc -eq 2 ]
	check "$what: said ($(head -1 "$err"))" grep -q -- "$pat" "$err"
}
refused "--metrics in no directory" "^ebph: --metrics '$dir/none/ebph.prom': no directory $dir/none" \
	--metrics "$dir/none/ebph.prom"
refused "--metrics a directory" "^ebph: invalid --metrics '$dir/'" --metrics "$dir/"
mkdir "$dir/sub.prom"
refused "--metrics an existing directory" "^ebph: --metrics '$dir/sub.prom' is not a regular file" \
	--metrics "$dir/sub.prom"
refused "--metrics-interval 0" "^ebph: invalid --metrics-interval '0' (1s or more" --metrics-interval 0
refused "--metrics-interval x" "^ebph: invalid --metrics-interval 'x'" --metrics-interval x
conf=$dir/ebph.conf
echo "metrics = $dir/none/ebph.prom" >"$conf"
chmod 0644 "$conf"
./ebph run --config "$conf" --no-load --no-save >"$out" 2>"$err"
check "metrics in the config file, no directory: exit 2" [ $? -eq 2 ]
check "metrics in the config file, no directory: said" \
	grep -q "^ebph: $conf:1: metrics '$dir/none/ebph.prom': no directory" "$err"

# ---- ebph status --prometheus -------------------------------------------------------
mkdir -m 0755 "$dir/m" "$dir/bin"
cp tests/demo "$dir/bin/demo"
demo=$dir/bin/demo
mfile=$dir/m/ebph.prom
printf 'metrics = %s\nmetrics-interval = 1s\n' "$mfile" >"$conf"
check "ebph starts with metrics from its config file" \
	ebph_start "$log" --config "$conf" --no-load --no-save --normal-wait 1s --anomaly-limit 100
for i in $(seq 5); do "$demo" >/dev/null; done
check "the demo's profile freezes" wait_log "profile demo (.*) frozen"
sleep 1.2
"$demo" >/dev/null
check "the demo's profile becomes normal" wait_log "profile demo (.*) is normal"
"$demo" x >/dev/null
check "an anomaly" wait_log "(demo, profile .*): anomaly in write"

./ebph status --prometheus >"$dir/p1" 2>"$err"
check "status --prometheus: exit 0" [ $? -eq 0 ]
./ebph status --json >"$dir/json"
./ebph status --prometheus >"$dir/p2"
n=$(prom "$dir/p1" 'len(m)' 2>&1)
check "status --prometheus parses ($n samples)" prom_is "$dir/p1" 'len(m) > 30'
check "ebph_up 1, ebph_info with the version" \
	prom_is "$dir/p1" "m['ebph_up'] == 1 and m['ebph_info{version=\"$(./ebph version | cut -d' ' -f2)\"}'] == 1"
check "the types: calls a counter, profiles and map fill gauges" \
	prom_is "$dir/p1" "t['ebph_calls'] == 'counter' and t['ebph_profiles'] == 'gauge' and t['ebph_map_entries'] == 'gauge'"
check "ebph_anomalies_total is status's anomalies, and not 0" \
	prom_is "$dir/p1" "m['ebph_anomalies_total'] == d['anomalies'] > 0"
# Moving figures: the JSON's between the two reads.
p2() { prom "$dir/p2" "$1"; }
between() { # between DESCRIPTION METRIC JSON-EXPR
	a=$(prom "$dir/p1" "m['$2']") b=$(p2 "m['$2']")
	j=$(prom "$dir/p1" "$3")
	check "$1 ($a <= $j <= $b)" sh -c "[ '$a' -le '$j' ] && [ '$j' -le '$b' ]"
}
between "ebph_calls_total is status's calls" ebph_calls_total "d['calls']"
for s in training frozen normal; do
	same=$(prom "$dir/p1" "m['ebph_profiles{state=\"$s\"}'] == $(p2 "m['ebph_profiles{state=\"$s\"}']")")
	[ "$same" = true ] &&
		check "ebph_profiles{state=\"$s\"} is status's" \
			prom_is "$dir/p1" "m['ebph_profiles{state=\"$s\"}'] == d['profiles']['$s']"
done
check "ebph_tasks and the tasks map's entries agree" \
	prom_is "$dir/p1" "m['ebph_tasks'] == m['ebph_map_entries{map=\"tasks\"}']"
for map in profiles tasks rows seqs; do
	check "ebph_map_max_entries{map=\"$map\"} is status's" \
		prom_is "$dir/p1" "m['ebph_map_max_entries{map=\"$map\"}'] == d['maps']['$map']['max']"
done
check "ebph_map_entries{map=\"seqs\"} is status's" \
	prom_is "$dir/p1" "m['ebph_map_entries{map=\"seqs\"}'] == d['maps']['seqs']['used']"
# Every counter of what was lost, against its JSON field.
for pair in \
	"ebph_events_dropped_total:d['events_dropped']" \
	"ebph_untraced_threads_total{reason=\"tasks_full\"}:d['untraced']['tasks_full']" \
	"ebph_untraced_threads_total{reason=\"key_error\"}:d['untraced']['key_errors']" \
	"ebph_unprofiled_executables_total{reason=\"profiles_full\"}:d['unlearned']['profiles_full']" \
	"ebph_unprofiled_executables_total{reason=\"owner_quota\"}:d['unlearned']['owner_quota']" \
	"ebph_unlearned_pairs_total:d['unlearned']['rows_full']" \
	"ebph_unlearned_sequences_total:d['unlearned']['seqs_full']" \
	"ebph_skipped_calls_total{reason=\"big_call\"}:d['skipped']['big_calls']" \
	"ebph_skipped_calls_total{reason=\"x32\"}:d['skipped']['x32_calls']" \
	"ebph_unnamed_execs_total:d['unnamed_execs']" \
	"ebph_io_uring_requests_total:d['io_uring_requests']" \
	"ebph_signal_frame_overflows_total:d['signal_frames']['overflows']" \
	"ebph_monitoring:int(d['monitoring'])" \
	"ebph_saves_total:d['saves']['count']"; do
	name=${pair%%:*} expr=${pair#*:}
	check "$name is status's $expr" prom_is "$dir/p1" "m['$name'] == $expr == $(p2 "m['$name']")"
done
# And what the text says, the same counters (a few, by their words).
./ebph status >"$dir/text"
check "the text's events dropped, the same" \
	grep -q "^events  *$(prom "$dir/p1" "m['ebph_events_dropped_total']") dropped" "$dir/text"
check "the text's owner-quota refusals, the same" \
	grep -q "^quota  *$(prom "$dir/p1" "m['ebph_unprofiled_executables_total{reason=\"owner_quota\"}']") executables not profiled" "$dir/text"
run 2 "status --json --prometheus: exit 2" ./ebph status --json --prometheus
check "status --json --prometheus: said" has "$err" "status: --json or --prometheus, not both"

# ---- ebph run --metrics --------------------------------------------------------------
check "the metrics file appears" sh -c "for i in \$(seq 50); do [ -s '$mfile' ] && exit 0; sleep 0.1; done; exit 1"
check "the metrics file's mode is 0644" [ "$(stat -c %a "$mfile")" = 644 ]
check "the metrics file parses, ebph_up 1" prom_is "$mfile" "m['ebph_up'] == 1"
check "the metrics file has the families of status --prometheus" \
	prom_is "$mfile" "sorted(t) == $(prom "$dir/p1" 'sorted(t)')"
ino=$(stat -c %i "$mfile")
calls=$(prom "$mfile" "m['ebph_calls_total']")
sleep 2.2
check "the metrics file is rewritten (a new inode)" [ "$(stat -c %i "$mfile")" != "$ino" ]
check "the metrics file is rewritten (calls grew past $calls)" \
	prom_is "$mfile" "m['ebph_calls_total'] > $calls"
# Read as the collector reads it, as fast as it can, across rewrites:
# never a partial file.
"$py" - "$mfile" >"$dir/reads" 2>&1 <<'EOF'
import os, sys, time
from prometheus_client.parser import text_string_to_metric_families
path, bad, n, inodes = sys.argv[1], 0, 0, set()
end = time.time() + 3.5
while time.time() < end:
    with open(path) as f:
        inodes.add(os.fstat(f.fileno()).st_ino)
        text = f.read()
    n += 1
    try:
        names = {s.name for fam in text_string_to_metric_families(text) for s in fam.samples}
    except Exception as e:
        names = set()
    if not text.endswith("\n") or "ebph_up" not in names or "ebph_saves_total" not in names:
        bad += 1
print("reads", n, "versions", len(inodes), "partial", bad)
EOF
check "reads across rewrites: $(cat "$dir/reads")" grep -Eq "^reads [0-9]{3,} versions [3-9] partial 0$" "$dir/reads"
# A rewrite every second has its temporary file beside it for a moment:
# one look of ten that finds the file alone says none is left behind.
check "no temporary file left beside it" sh -c \
	"for i in \$(seq 10); do [ \"\$(ls -A '$dir/m')\" = ebph.prom ] && exit 0; sleep 0.05; done; exit 1"

# A reload moves it: the new file written, the old removed.
printf 'metrics = %s\nmetrics-interval = 1s\n' "$dir/m/moved.prom" >"$conf"
kill -HUP "$pid"
check "reload: the move said" wait_log "INFO: reload: metrics: $mfile -> $dir/m/moved.prom$"
check "reload: the new file written" sh -c "for i in \$(seq 30); do [ -s '$dir/m/moved.prom' ] && exit 0; sleep 0.1; done; exit 1"
check "reload: the old file removed" [ ! -e "$mfile" ]
check "reload: no restart asked for" sh -c "! grep -q 'metrics.*changed: it takes effect at the next start' '$log'"

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "SIGTERM: exit 0" [ $rc -eq 0 ]
check "SIGTERM: the file says ebph_up 0" prom_is "$dir/m/moved.prom" "m['ebph_up'] == 0"
check "SIGTERM: the last file's mode is 0644" [ "$(stat -c %a "$dir/m/moved.prom")" = 644 ]
check "SIGTERM: no temporary file left" [ "$(ls -A "$dir/m")" = moved.prom ]

ebph_stop_end
