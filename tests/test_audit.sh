#!/bin/sh
# tests/test_audit.sh - every command that changes the running ebph is in
# its log, with who and what (issue 9, part 6): set (each setting),
# normalize, sensitize, tolerize, delete and save each write one line,
# with the caller's uid, SUDO_USER and login uid when set, and old ->
# new; in the text log, in --json, and (two of them) in syslog.  A change to the config map made behind ebph's back
# (tests/config_poke, as bpftool would) is logged as such.  A command
# whose notice no instance takes says so on stderr.  Needs root.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_audit

dir=$(mktemp -d /tmp/ebph-audit.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

mkdir -m 0700 "$dir/bin" "$dir/profiles"
cp tests/demo "$dir/bin/demo"
demo=$dir/bin/demo
key=$(printf '%016x' "$(profile_key "$demo")")
loginuid=$(cat /proc/self/loginuid 2>/dev/null || echo 4294967295)

# Every state-changing command once, its stderr in $dir/err.MODE; the
# profile commands on the demo, which has learned something by then.
commands() { # commands MODE LOG
	: >"$dir/err.$1"
	for i in 1 2 3; do "$demo" >/dev/null; done
	wait_log "new profile demo (" "$2"
	{
		./ebph set monitoring off
		SUDO_USER=alice ./ebph set monitoring on
		./ebph set tolerize-limit 1
		./ebph set anomaly-limit 7
		./ebph set normal-wait 1d
		# A login uid of 1000, as a login session under pam_loginuid.
		sh -c 'echo 1000 >/proc/self/loginuid && exec ./ebph set log-sequences on'
		./ebph normalize "$demo"
		./ebph tolerize "$demo"
		./ebph sensitize "$demo"
		./ebph delete "$demo"
		./ebph save
	} >/dev/null 2>>"$dir/err.$1"
	# Behind its back, then set back at once: both are logged.
	tests/config_poke anomaly-limit 99 2>>"$dir/err.$1"
	./ebph set anomaly-limit 7 >/dev/null 2>>"$dir/err.$1"
	tests/config_poke monitoring 0 2>>"$dir/err.$1"
	# The backstop looks once a turn of ebph's loop, a second at most,
	# and waits one more for a notice.
	for i in $(seq 50); do
		grep -q "config.*change" "$2" && break
		sleep 0.1
	done
	# No instance to take the notice: the change stands, with a warning.
	mv "/run/ebph/control" "$dir/control"
	./ebph set anomaly-limit 8 >/dev/null 2>"$dir/nobody.$1"
	echo "exit $?" >>"$dir/nobody.$1"
	mv "$dir/control" "/run/ebph/control"
}

# ---- text -----------------------------------------------------------------------
log=$dir/log
ebph_start "$log" --no-load -d "$dir/profiles" -s 0
check "ebph attaches" grep -q "ebph attached" "$log"
check "the control socket is root's, 0600" [ "$(stat -c %u:%a /run/ebph/control)" = 0:600 ]
check "a user cannot send a notice" sh -c '! setpriv --reuid=1001 --regid=1001 --clear-groups \
	python3 -c "import socket; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b\"x\", \"/run/ebph/control\")" 2>/dev/null'
commands text "$log"
# A setting `ebph set` does not name (the per-user quota) is watched too.
tests/config_poke owner-quota 4294967295
check "text: an unnamed field changed behind its back is logged" \
	wait_log "config changed by something other than ebph set: the rest (BTF offsets, owner quotas) .*owner-quota 1024, .* -> .*owner-quota 4294967295"
kill -INT "$pid" && wait "$pid"
pid=

one() { # one DESCRIPTION ERE: exactly one line of the log matches
	n=$(grep -cE -- "$2" "$log")
	check "text: $1 (lines: $n)" [ "$n" -eq 1 ]
}
who='audit: uid 0( \((login uid [0-9]+)\))?, PID [0-9]+'
one "set monitoring off" "$who: set monitoring: on -> off\$"
one "set monitoring on, by alice" \
	"audit: uid 0 \(SUDO_USER alice(, login uid [0-9]+)?\), PID [0-9]+: set monitoring: off -> on\$"
one "set tolerize-limit" "$who: set tolerize-limit: 12 -> 1\$"
one "set anomaly-limit" "$who: set anomaly-limit: 30 -> 7\$"
one "set normal-wait" "$who: set normal-wait: 1w -> 1d\$"
one "set log-sequences, with its login uid" \
	"audit: uid 0 \(login uid 1000\), PID [0-9]+: set log-sequences: off -> on\$"
one "normalize" "$who: normalize $demo \($key\): training, [0-9]+ calls trained, 0 anomalies -> normal, 0 calls"
one "tolerize" "$who: tolerize $demo \($key\): normal, .* -> training, "
one "sensitize" "$who: sensitize $demo \($key\): training, [0-9]+ calls trained, .* -> training, 0 calls trained"
one "delete" "$who: delete $demo \($key\): training, .* -> deleted\$"
one "save" "$who: save $dir/profiles\$"
check "text: save is logged before the save it asked for" \
	sh -c 'grep -E "audit: .*: save |saved [0-9]+ profiles" "$1" | head -1 | grep -q audit' sh "$log"
one "the config map changed behind its back" \
	"WARNING: config changed by something other than ebph set: monitoring on -> off\$"
one "a change behind its back set back at once: the change" \
	"WARNING: config changed by something other than ebph set: anomaly-limit 7 -> 99\$"
one "a change behind its back set back at once: the set" "$who: set anomaly-limit: 99 -> 7\$"
check "text: no warning from the commands" [ ! -s "$dir/err.text" ]
check "no instance took the notice: a warning on stderr" \
	grep -q "^ebph set: warning: the running ebph did not take the notice" "$dir/nobody.text"
check "no instance took the notice: the change stands, exit 0" grep -q "^exit 0$" "$dir/nobody.text"
check "no instance took the notice: no audit line" \
	sh -c '! grep -q "audit: .*anomaly-limit: 7 -> 8" "$1"' sh "$log"
one "...but the backstop saw the change" \
	"WARNING: config changed by something other than ebph set: anomaly-limit 7 -> 8\$"
if [ "$fail" -ne 0 ]; then
	grep -e audit -e config "$log"; cat "$dir/err.text" "$dir/nobody.text"
fi

# ---- JSON -----------------------------------------------------------------------
log=$dir/json
ebph_start "$log" --json --no-load -d "$dir/profiles" -s 0
commands json "$log"
kill -INT "$pid" && wait "$pid"
pid=
python3 - "$log" "$loginuid" "$demo ($key)" "$dir/profiles" >"$dir/py" 2>&1 <<'EOF2'
import json, sys
log, loginuid, target, pdir = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
want_login = None if loginuid == 4294967295 else loginuid
lines = [json.loads(l) for l in open(log, encoding='utf-8')]
audit = [o for o in lines if o['event'] == 'audit']
def one(what, login=want_login, **kw):
    hits = [o for o in audit if all(o.get(k) == v for k, v in kw.items())]
    ok = len(hits) == 1 and all(
        isinstance(h['pid'], int) and h['uid'] == 0 and h['loginuid'] == login and
        h['message'].startswith('audit: uid 0') for h in hits)
    print(what, ok, len(hits))
one('monitoring-off', command='set', target='monitoring', old='on', new='off', sudo_user=None)
one('monitoring-on-alice', command='set', target='monitoring', old='off', new='on', sudo_user='alice')
one('tolerize-limit', command='set', target='tolerize-limit', old='12', new='1')
one('anomaly-limit', command='set', target='anomaly-limit', old='30', new='7')
one('normal-wait', command='set', target='normal-wait', old='1w', new='1d')
one('log-sequences', login=1000, command='set', target='log-sequences', old='off', new='on')
for c in ('normalize', 'tolerize', 'sensitize', 'delete'):
    one(c, command=c, target=target)
one('deleted', command='delete', new='deleted')
one('save', command='save', target=pdir, old=None, new=None)
cc = [o for o in lines if o['event'] == 'config_change' and o['target'] == 'monitoring']
print('config_change', len(cc) == 1 and
      cc[0]['old'] == 'on' and cc[0]['new'] == 'off' and cc[0]['uid'] is None and
      cc[0]['level'] == 'warning')
print('all', len(audit))
EOF2
for w in monitoring-off monitoring-on-alice tolerize-limit anomaly-limit normal-wait \
	 log-sequences normalize tolerize sensitize delete deleted save config_change; do
	check "json: $w" grep -q "^$w True" "$dir/py"
done
check "json: 12 audit lines, one per command" grep -q "^all 12$" "$dir/py"
check "json: no warning from the commands" [ ! -s "$dir/err.json" ]
if [ "$fail" -ne 0 ]; then
	cat "$dir/py"; grep -e audit -e config_change "$log" | head -20
fi

# ---- syslog ---------------------------------------------------------------------
# As test_log.sh: our own /dev/log, in a mount namespace of its own.
cat >"$dir/syslog.sh" <<'EOF2'
dir=$1
mount --make-rprivate / && mount -t tmpfs none /dev && mknod -m 666 /dev/null c 1 3 || exit 1
python3 tests/syslog_listen.py "$dir/syslog" &
lpid=$!
while [ ! -e "$dir/syslog.ready" ]; do sleep 0.05; done
./ebph run --syslog --no-load --no-save >/dev/null 2>&1 &
epid=$!
for i in $(seq 100); do grep -q "ebph attached" "$dir/syslog" && break; sleep 0.1; done
SUDO_USER=alice ./ebph set monitoring off >/dev/null 2>"$dir/syslog.err"
tests/config_poke monitoring 1
for i in $(seq 50); do grep -q "config changed" "$dir/syslog" && break; sleep 0.1; done
kill -TERM $epid
wait $epid
kill $lpid
EOF2
ebph_wait_free
unshare --mount sh "$dir/syslog.sh" "$dir"
# <priority>: LOG_DAEMON (3) * 8 + NOTICE 5, WARNING 4.
check "syslog: the audit line, daemon.notice" \
	grep -Eq "^<29>.* ebph\[[0-9]+\]: audit: uid 0 \(SUDO_USER alice.*\), PID [0-9]+: set monitoring: on -> off$" \
	"$dir/syslog"
check "syslog: the change behind its back, daemon.warning" \
	grep -Eq "^<28>.* ebph\[[0-9]+\]: config changed by something other than ebph set: monitoring off -> on$" \
	"$dir/syslog"
check "syslog: no warning from the command" [ ! -s "$dir/syslog.err" ]
if [ "$fail" -ne 0 ]; then
	grep -a -e audit -e config "$dir/syslog"
fi

test_end
