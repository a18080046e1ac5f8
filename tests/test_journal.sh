#!/bin/sh
# tests/test_journal.sh - `ebph run --syslog` to the journal, from a real
# running ebph (needs root).
#
# The test is the journal: a listener on the journal's native socket,
# /run/systemd/journal/socket, in the test's own mount namespace
# (tests/journal_listen.py).  ebph runs with --syslog and --json, so each
# entry can be set beside its JSON line: the entry of a real anomaly (a
# program named with a newline in it, whose name takes the protocol's
# binary form) has MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, the anomaly's
# MESSAGE_ID and an EBPH_* field for each member of the JSON line, with
# its value; so has the incident's summary.  Without the socket, the log
# goes to syslog(3) (a listener on /dev/log, as test_log.sh has it), and
# one line says so at the start.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_journal
test_dir journal
lpid=
trap '[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null;
      [ -n "$lpid" ] && kill "$lpid" 2>/dev/null; rm -rf "$dir"' EXIT

nl='
'
mkdir -m 0700 "$dir/bin"
demo="$dir/bin/de${nl}mo"
cp tests/demo "$demo"
key=$(printf '%016x' "$(profile_key "$demo")")

python3 tests/journal_listen.py "$dir/journal" &
lpid=$!
for i in $(seq 100); do [ -e "$dir/journal.ready" ] && break; sleep 0.05; done
check "the journal listens" [ -S /run/systemd/journal/socket ]

check "ebph --syslog --json starts" \
	ebph_start "$log" --syslog --json --no-load --no-save --normal-wait 1s --anomaly-limit 100
demo_normal "$demo" "$key"
"$demo" x >/dev/null &
oops=$!
wait $oops
check "an anomaly" wait_log "\"event\":\"anomaly\",\"pid\":$oops,"
check "its incident's summary" wait_log "\"event\":\"incident\",\"pid\":$oops,"
kill -TERM "$pid"
wait "$pid"
check "ebph exits 0 on SIGTERM" [ $? -eq 0 ]
pid=
kill "$lpid"
lpid=

python3 - "$dir/journal" "$log" "$oops" "$key" "$$" >"$dir/py" 2>&1 <<'EOF'
import json, sys
path, log, oops, key, me = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]

def fields(d):
    """One datagram of the native protocol, as {KEY: bytes}; binary
    values counted in BINARY."""
    f, i = {}, 0
    while i < len(d):
        j = d.index(b'\n', i)
        line = d[i:j]
        if b'=' in line:
            k, v = line.split(b'=', 1)
            i = j + 1
        else:
            k, n = line, int.from_bytes(d[j + 1:j + 9], 'little')
            v = d[j + 9:j + 9 + n]
            assert d[j + 9 + n:j + 10 + n] == b'\n', 'binary value not ended by a newline'
            i = j + 10 + n
            binary.add(k.decode())
        k = k.decode()
        assert k.isupper() or k.replace('_', '').isalnum(), 'bad key %r' % k
        assert k not in f, 'key %s twice' % k
        f[k] = v
    return f

binary = set()
raw = open(path, 'rb').read()
entries, i = [], 0
while i < len(raw):
    n = int.from_bytes(raw[i:i + 4], 'little')
    entries.append(fields(raw[i + 4:i + 4 + n]))
    i += 4 + n
lines = [json.loads(l) for l in open(log, 'rb')]
print('entries', len(entries), 'lines', len(lines))

def as_field(v):
    if isinstance(v, bool):
        return b'true' if v else b'false'
    if isinstance(v, list):
        return b' '.join(as_field(x) for x in v)
    return (v if isinstance(v, str) else str(v)).encode('utf-8', 'surrogateescape')

def same(entry, line):
    """Whether ENTRY has every member of LINE as its field."""
    want = {'MESSAGE': line['message'].encode()}
    for k, v in line.items():
        if k != 'message' and v is not None:
            want['EBPH_' + k.upper()] = as_field(v)
    wrong = {k: (entry.get(k), v) for k, v in want.items() if entry.get(k) != v}
    extra = [k for k in entry if k.startswith('EBPH_') and k not in want]
    return not wrong and not extra, wrong, extra

def entry_of(line):
    for e in entries:
        if e.get('MESSAGE') == line['message'].encode() and e.get('EBPH_TIME') == line['time'].encode():
            return e
    return None

# Every line of the log is an entry, with its fields.
missing = [l['message'] for l in lines if entry_of(l) is None]
print('every line an entry', not missing, missing[:3])
bad = [(l['event'], same(entry_of(l), l)[1:]) for l in lines
       if entry_of(l) is not None and not same(entry_of(l), l)[0]]
print('every entry its line', not bad, bad[:2])

an = next((l for l in lines if l['event'] == 'anomaly' and l['pid'] == oops), None)
inc = next((l for l in lines if l['event'] == 'incident' and l['pid'] == oops), None)
sn = next((l for l in lines if l['event'] == 'start_normal' and l.get('profile') == key), None)
a = entry_of(an) if an else {}
a = a or {}
print('anomaly ids', a.get('MESSAGE_ID') == b'fca4a15dd3c14246b42c4293ea57fa1e' and
      a.get('PRIORITY') == b'4' and a.get('SYSLOG_IDENTIFIER') == b'ebph' and
      a.get('SYSLOG_FACILITY') == b'3', {k: a.get(k) for k in ('MESSAGE_ID', 'PRIORITY', 'SYSLOG_IDENTIFIER')})
print('anomaly fields', a.get('EBPH_PID') == str(oops).encode() and a.get('EBPH_PPID') == me.encode() and
      a.get('EBPH_UID') == b'0' and a.get('EBPH_PROFILE') == key.encode() and
      a.get('EBPH_CALL') == b'write' and a.get('EBPH_CALL_NR') == b'1' and
      int(a.get('EBPH_LFC', b'0')) >= 1 and a.get('EBPH_SEQUENCE', b'').startswith(b'write ') and
      a.get('EBPH_EVENT') == b'anomaly' and b'EBPH_INCIDENT' in [k.encode() for k in a] and
      a.get('MESSAGE', b'').startswith(b'PID %d (de\\nmo, profile ' % oops),
      {k: a.get(k) for k in ('EBPH_PID', 'EBPH_PPID', 'EBPH_UID', 'EBPH_PROFILE', 'EBPH_CALL', 'EBPH_LFC', 'MESSAGE')})
print('newline in binary form', a.get('EBPH_COMM') == b'de\nmo' and a.get('EBPH_EXECUTABLE', b'').endswith(b'/de\nmo')
      and {'EBPH_COMM', 'EBPH_EXECUTABLE'} <= binary, a.get('EBPH_COMM'), sorted(binary))
i = (entry_of(inc) if inc else None) or {}
print('incident', i.get('MESSAGE_ID') == b'3de320d79542428bb16fd24378176950' and
      i.get('EBPH_ENDED') == b'exited' and int(i.get('EBPH_ANOMALIES', b'0')) >= 1 and
      i.get('EBPH_PID') == str(oops).encode(), {k: i.get(k) for k in ('MESSAGE_ID', 'EBPH_ENDED', 'EBPH_ANOMALIES')})
s = (entry_of(sn) if sn else None) or {}
print('start_normal', s.get('MESSAGE_ID') == b'7b4f01f379964253a7d35b89447a7765' and s.get('PRIORITY') == b'5')
EOF
check "python read the journal ($(grep ^entries "$dir/py"))" grep -Eq "^entries [1-9][0-9]* lines [1-9]" "$dir/py"
check "every line of the log is an entry" grep -q "^every line an entry True" "$dir/py"
check "every entry has its JSON line's members as EBPH_* fields, no more" \
	grep -q "^every entry its line True" "$dir/py"
check "the anomaly: MESSAGE_ID, PRIORITY 4, SYSLOG_IDENTIFIER ebph" grep -q "^anomaly ids True" "$dir/py"
check "the anomaly: EBPH_PID, EBPH_PPID, EBPH_UID, EBPH_PROFILE, EBPH_CALL, EBPH_LFC, MESSAGE" \
	grep -q "^anomaly fields True" "$dir/py"
check "a name with a newline: the binary form" grep -q "^newline in binary form True" "$dir/py"
check "the incident: its MESSAGE_ID, EBPH_ENDED, EBPH_ANOMALIES" grep -q "^incident True" "$dir/py"
check "a profile normal: its MESSAGE_ID, PRIORITY 5" grep -q "^start_normal True" "$dir/py"
[ "$fail" -ne 0 ] && head -20 "$dir/py"
[ -n "$EBPH_TEST_SHOW" ] && cat "$dir/py"

# ---- no journal: syslog(3) ----------------------------------------------------------
rm -rf /run/systemd
cat >"$dir/syslog.sh" <<'EOF'
dir=$1
mount --make-rprivate / && mount -t tmpfs none /dev && mknod -m 666 /dev/null c 1 3 || exit 1
python3 tests/syslog_listen.py "$dir/syslog" &
lpid=$!
while [ ! -e "$dir/syslog.ready" ]; do sleep 0.05; done
./ebph run --syslog --no-load --no-save >"$dir/out" 2>"$dir/err" &
epid=$!
for i in $(seq 100); do grep -q "ebph attached" "$dir/syslog" && break; sleep 0.1; done
kill -TERM $epid
wait $epid
echo "exit $?" >"$dir/exit"
kill $lpid
EOF
ebph_wait_free
unshare --mount sh "$dir/syslog.sh" "$dir"
check "no journal: ebph exits 0 on SIGTERM" grep -q "^exit 0$" "$dir/exit"
check "no journal: said once, to syslog" \
	[ "$(grep -c "ebph\[[0-9]*\]: no journal at /run/systemd/journal/socket (No such file or directory): the log goes to syslog(3)" "$dir/syslog")" -eq 1 ]
check "no journal: the log in syslog, daemon.info" grep -Eq "^<30>.* ebph\[[0-9]+\]: ebph attached" "$dir/syslog"
check "no journal: nothing on stdout" [ ! -s "$dir/out" ]
[ "$fail" -ne 0 ] && { head -3 "$dir/syslog"; cat "$dir/err"; }

test_end
