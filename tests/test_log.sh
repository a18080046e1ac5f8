#!/bin/sh
# tests/test_log.sh - ebph's logs for machines, from a real running ebph
# (needs root).
#
# --json: every line of a run that provokes every event kind the kernel
# can be made to send (new profile, association, new sequence, frozen,
# normal, anomaly, back to training, tolerize) must parse as one JSON
# object, with the event's fields.  Both detectors run, so that new_seq
# comes as a pair and as a sequence, and the demo's anomaly has a pair
# missed and its sequence unknown (seq_miss).  (The kernel's error
# messages, which need a full map, are checked by test_json.)
#
# Where each event came from, from the same run: host (gethostname), the
# schema, time to the nanosecond, and for the demo's anomaly its parent
# (this shell), uid and cgroup (this shell's, looked up after the demo
# exited).  A sleeper in a cgroup of its own, named as docker names a
# container's, with a login uid set, as a user of its own: its lines
# carry that cgroup path, as its /proc/PID/cgroup says it, the container
# id, the uid and the login uid.  Another process, in a cgroup named as
# containerd names one, is gone before its lines are written: its cgroup
# is found by its id.
#
# --syslog: events reach syslog(3) with their priorities, and not stdout.
# The test listens on /dev/log in a mount namespace of its own, so that
# it neither needs nor disturbs a syslog daemon.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_log

dir=$(mktemp -d /tmp/ebph-log.XXXXXX)
log=$dir/log
pid=
cid=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
cid2=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210
cgmnt=$(sed -n 's/^[^ ]* [^ ]* [^ ]* [^ ]* \([^ ]*\) .* - cgroup2 .*/\1/p' /proc/self/mountinfo | head -1)
cgtop=/ebph-test-log-$$
cg=$cgtop/docker-$cid.scope
cg2=$cgtop/cri-containerd-$cid2.scope
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "$cgmnt" ] && rmdir "$cgmnt$cg" "$cgmnt$cg2" "$cgmnt$cgtop" 2>/dev/null
	rm -rf "$dir" "$pub"
}
trap cleanup EXIT

mkdir -m 0700 "$dir/bin"
# The sleeper runs as a user of its own: a directory it may enter.
pub=$(mktemp -d /tmp/ebph-log-pub.XXXXXX)
chmod 755 "$pub"
cp /bin/sleep "$pub/nap"
cp tests/demo "$dir/bin/demo"
demo=$dir/bin/demo
key=$(printf '%016x' "$(profile_key "$demo")")

# ---- --json -----------------------------------------------------------------
# Limits of 1 so that one run with an argument is an anomaly, over the
# anomaly limit and over the tolerize limit at once.
EBPH_ERR=$dir/stderr ebph_start "$log" --json -v --log-sequences --no-load --no-save --normal-wait 1s \
	--anomaly-limit 1 --tolerize-limit 1 --detector both
check "ebph --json attaches" grep -q '"event":"log".*"message":"ebph attached' "$log"
check "the attached line names the detectors" \
	grep -q '"message":"ebph attached.*detector both' "$log"
demo_normal "$demo" "$key"
"$demo" x >/dev/null &
oops=$!
wait $oops
check "tolerize reported" wait_log "\"event\":\"tolerize\".*\"profile\":\"$key\""
check "cgroup2 is mounted (for the sleeper's cgroup)" [ -n "$cgmnt" ]
mkdir -p "$cgmnt$cg" "$cgmnt$cg2"
sh -c 'echo $$ >"$1/cgroup.procs" || exit 1
	{ echo 4242 >/proc/self/loginuid; } 2>/dev/null
	cat /proc/self/loginuid >"$2/nap.loginuid"
	sed -n "s/^0:://p" /proc/self/cgroup >"$2/nap.cgroup"
	exec setpriv --reuid 12345 --regid 23456 --clear-groups "$3/nap" 3' sh "$cgmnt$cg" "$dir" "$pub" &
nap=$!
# And one gone at once: its cgroup is found by its id, after it exited.
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2/nap" 0' sh "$cgmnt$cg2" "$pub" &
nap2=$!
wait $nap2
check "the sleeper's exec is logged" wait_log "\"event\":\"assoc\",\"pid\":$nap,"
check "the other's exec is logged" wait_log "\"event\":\"assoc\",\"pid\":$nap2,"
wait $nap
rc=1
[ -n "$pid" ] && kill -INT "$pid" && wait "$pid" && rc=0
check "ebph --json exits 0 on SIGINT" [ $rc -eq 0 ]
pid=

# Every line one JSON object; every kind there; the demo's anomaly whole.
sed -n 's/^0:://p' /proc/$$/cgroup >"$dir/sh.cgroup"
python3 - "$log" "$key" "$oops" "$demo" "$$" "$nap" "$dir" "$cid" "$nap2" "$cg2" "$cid2" \
	>"$dir/py" 2>&1 <<'EOF'
import datetime, json, os, re, socket, sys
log, key, oops, demo = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
me, nap, dir, cid = int(sys.argv[5]), int(sys.argv[6]), sys.argv[7], sys.argv[8]
nap2, cg2, cid2 = int(sys.argv[9]), sys.argv[10], sys.argv[11]
gone = []
kinds, bad, n = set(), 0, 0
anomaly = None
naps, hosts, schemas, late = [], set(), set(), 0
now = datetime.datetime.now(datetime.timezone.utc)
learned = {'pair': None, 'sequence': None}
for line in open(log, 'rb'):
    n += 1
    try:
        o = json.loads(line.decode('utf-8'))
    except Exception as e:
        bad += 1
        print('line %d does not parse: %s: %r' % (n, e, line[:200]))
        continue
    if not isinstance(o, dict) or not {'time', 'level', 'event', 'message'} <= o.keys():
        bad += 1
        print('line %d lacks fields: %r' % (n, line[:200]))
        continue
    if not re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z', o['time']):
        bad += 1
        print('line %d: time %r is not RFC 3339 UTC with 9 fraction digits' % (n, o['time']))
    else:
        # Python reads 6 fraction digits: the last 3 are the nanoseconds.
        t = datetime.datetime.fromisoformat(o['time'][:26] + '+00:00')
        if abs((now - t).total_seconds()) > 300:
            late += 1
            print('line %d: time %r is not now' % (n, o['time']))
    hosts.add(o.get('host'))
    schemas.add(o.get('schema'))
    # After the exec: before it, the shell was still joining the cgroup
    if o.get('pid') == nap and o.get('comm') == 'nap':
        naps.append(o)
    if o.get('pid') == nap2 and o.get('comm') == 'nap':
        gone.append(o)
    kinds.add(o['event'])
    if o['event'] == 'anomaly' and o['pid'] == oops and anomaly is None:
        anomaly = o
    if o['event'] == 'new_seq' and o.get('profile') == key and learned.get(o.get('kind'), 1) is None:
        learned[o['kind']] = o
print('host', hosts == {socket.gethostname()}, hosts)
print('schema', schemas == {1}, schemas)
print('times now', late == 0)
a = anomaly or {}
shcg = open(dir + '/sh.cgroup').read().strip()
print('anomaly origin', a.get('ppid') == me and a.get('uid') == os.getuid() and
      a.get('cgroup') == shcg and isinstance(a.get('cgroup_id'), int) and
      a.get('cgroup_id') > 0 and 'loginuid' in a and 'container' in a,
      {k: a.get(k) for k in ('ppid', 'uid', 'loginuid', 'cgroup_id', 'cgroup', 'container')}, me, shcg)
lu = int(open(dir + '/nap.loginuid').read())
napcg = open(dir + '/nap.cgroup').read().strip()
wrong = [x for x in naps if not (x.get('ppid') == me and x.get('uid') == 12345 and
         x.get('loginuid') == (None if lu == 4294967295 else lu) and
         x.get('cgroup') == napcg and x.get('container') == cid and
         x.get('cgroup_id') not in (None, 0, a.get('cgroup_id')))]
print('sleeper', len(naps) > 0 and napcg.endswith('/docker-%s.scope' % cid) and not wrong,
      len(naps), [{k: x.get(k) for k in ('event', 'ppid', 'uid', 'loginuid', 'cgroup_id',
                                        'cgroup', 'container')} for x in wrong[:3]],
      me, lu, napcg)
print('gone', len(gone) > 0 and all(x.get('cgroup') == cg2 and x.get('container') == cid2 and
                                    x.get('ppid') == me for x in gone),
      [{k: x.get(k) for k in ('event', 'ppid', 'cgroup', 'container')} for x in gone[:3]])
print('lines', n)
print('unparsed', bad)
want = ['anomaly', 'new_profile', 'assoc', 'new_seq', 'frozen',
        'start_normal', 'stop_normal', 'tolerize', 'log']
print('missing', ' '.join(k for k in want if k not in kinds) or 'none')
a = anomaly or {}
print('anomaly', a.get('profile') == key and a.get('executable') == demo and
      a.get('call') == 'write' and a.get('call_nr') == 1 and a.get('misses', 0) > 0 and
      a.get('comm') == 'demo' and a.get('sequence', [None])[0] == 'write' and
      a.get('seq_miss') is True)
p, q = learned['pair'] or {}, learned['sequence'] or {}
print('pair', 1 <= p.get('distance', 0) <= 8 and 'previous' in p and 'packed' not in p)
seq = q.get('sequence', [])
print('sequence', re.fullmatch(r'[0-9a-f]{16}', q.get('packed', '')) is not None and
      1 <= len(seq) <= 6 and seq[0] == q.get('call') and 'distance' not in q and
      q.get('message', '').startswith('profile demo (') and
      ('learned the sequence ' + ' '.join(reversed(seq))) in q.get('message', ''))
EOF
check "python read the log" grep -q "^lines [1-9]" "$dir/py"
check "every line's host is gethostname()" grep -q "^host True" "$dir/py"
check "every line has schema 1" grep -q "^schema True" "$dir/py"
check "every line's time is now, to the nanosecond" grep -q "^times now True$" "$dir/py"
check "the anomaly: ppid this shell, uid, this shell's cgroup" \
	grep -q "^anomaly origin True" "$dir/py"
check "the sleeper: ppid, uid, login uid, cgroup and container id" \
	grep -q "^sleeper True" "$dir/py"
check "a process gone before its lines: its cgroup and container id still" \
	grep -q "^gone True" "$dir/py"
check "every line is a JSON object with time, level, event, message" grep -q "^unparsed 0$" "$dir/py"
check "every event kind appears ($(grep missing "$dir/py"))" grep -q "^missing none$" "$dir/py"
check "the demo's anomaly has its fields, seq_miss true" grep -q "^anomaly True$" "$dir/py"
check "the demo learned a pair: kind, previous, distance" grep -q "^pair True$" "$dir/py"
check "the demo learned a sequence: kind, packed, its calls newest first" \
	grep -q "^sequence True$" "$dir/py"
check "--json: -v's loader steps go to stderr, not among the JSON" \
	grep -q "^bpf_load: " "$dir/stderr"
if [ "$fail" -ne 0 ]; then
	cat "$dir/py" | head -20
fi

# ---- --syslog -----------------------------------------------------------------
# In a private mount namespace: a tmpfs on /dev holding our own /dev/log.
cat >"$dir/syslog.sh" <<'EOF'
dir=$1 demo=$2
mount --make-rprivate / && mount -t tmpfs none /dev && mknod -m 666 /dev/null c 1 3 || exit 1
python3 tests/syslog_listen.py "$dir/syslog" &
lpid=$!
while [ ! -e "$dir/syslog.ready" ]; do sleep 0.05; done
./ebph run --syslog --no-load --no-save --normal-wait 1s >"$dir/out" 2>"$dir/err" &
epid=$!
for i in $(seq 100); do grep -q "ebph attached" "$dir/syslog" && break; sleep 0.1; done
for i in $(seq 5); do "$demo" >/dev/null; done
sleep 1.2
"$demo" >/dev/null
"$demo" x >/dev/null
for i in $(seq 50); do grep -q "(demo, profile .*): anomaly in write" "$dir/syslog" && break; sleep 0.1; done
kill -TERM $epid
wait $epid
echo "exit $?" >"$dir/exit"
kill $lpid
EOF
ebph_wait_free
unshare --mount sh "$dir/syslog.sh" "$dir" "$demo"
check "--syslog: ebph exits 0 on SIGTERM" grep -q "^exit 0$" "$dir/exit"
# <priority>: LOG_DAEMON (3) * 8 + INFO 6, NOTICE 5, WARNING 4.
check "--syslog: ebph attached, daemon.info, tagged ebph[PID]" \
	grep -Eq "^<30>.* ebph\[[0-9]+\]: ebph attached" "$dir/syslog"
check "--syslog: a profile becomes normal at daemon.notice" \
	grep -Eq "^<29>.* ebph\[[0-9]+\]: profile demo \([0-9a-f]+\) is normal" "$dir/syslog"
check "--syslog: the anomaly at daemon.warning" \
	grep -Eq "^<28>.* ebph\[[0-9]+\]: PID [0-9]+ \(demo, profile [0-9a-f]+\): anomaly in write" "$dir/syslog"
check "--syslog: nothing on stdout" [ ! -s "$dir/out" ]
if [ "$fail" -ne 0 ]; then
	echo "---- syslog ----"; head -5 "$dir/syslog"; cat "$dir/err"
fi

test_end
