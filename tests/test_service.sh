#!/bin/sh
# tests/test_service.sh - ebph as a service an admin installs (root).
#
# The config file: settings from --config FILE (the command line's long
# options, one a line), the command line over them, --no-config; a bad
# line, value or file is one sentence naming FILE:LINE, and exit 2.
# The reload (SIGHUP): the file read again, a changed run-time setting
# applied and said, one `ebph set` changed kept, one that needs a
# restart named, a bad file refused with the settings unchanged, the
# command line still winning.  Readiness: READY=1 reaches $NOTIFY_SOCKET
# (a path, and an abstract @name) after "ebph attached", RELOADING=1
# with MONOTONIC_USEC then READY=1 around a reload, STOPPING=1 at stop.
# The lock: /run/ebph/lock holds the PID, root's 0600; an older ebph's
# /run/ebph.lock refuses the start while held and is removed when not.
# The unit: systemd-analyze verifies it without a word and scores it 4.0
# or below; and ebph runs in the sandbox the unit describes, built here
# from the unit's own lines (systemd is not PID 1 here): its capability
# bounding set and no_new_privs (setpriv), every mount read-only but
# /proc, /dev and the unit's writable paths (ReadWritePaths=, /run/ebph
# for RuntimeDirectory=, the profile directory for StateDirectory=).
# Without CAP_PERFMON, or with /sys/fs/bpf read-only, that sandbox
# must fail: it does confine.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_service
if [ -z "$EBPH_ISOLATED" ]; then
	echo "test_service: no private mount namespace (unshare): not run"
	test_end
	exit
fi

dir=$(mktemp -d /tmp/ebph-service.XXXXXX)
log=$dir/log
conf=$dir/ebph.conf
out=$dir/out
err=$dir/err
pid=
listener=
holder=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
mkdir -m 0700 "$dir/profiles"

has() { grep -q -- "$2" "$1"; }			# has FILE PATTERN
one_line() { [ "$(wc -l <"$1")" -eq 1 ]; }
settings() { ./ebph status 2>&1 | sed -n '/^settings/,/^detector/p' | tr -s ' \n' ' '; }
setting_is() { settings | grep -q -- "$1"; }	# setting_is "anomaly-limit 7,"

# refused DESCRIPTION PATTERN ARGS...: `ebph run ARGS` exits 2 at once
# with one line matching PATTERN.
refused() {
	_what=$1 _pat=$2; shift 2
	timeout 10 ./ebph run --no-load --no-save "$@" >"$out" 2>"$err"
	rc=$?
	check "$_what: exit 2 (got $rc)" [ "$rc" -eq 2 ]
	check "$_what: says so" has "$err" "$_pat"
	check "$_what: in one sentence" one_line "$err"
}

# listen ADDR: the notify listener on ADDR, writing $dir/notify.
listen() {
	rm -f "$dir/notify" "$dir/notify.ready"
	python3 tests/notify_listen.py "$1" "$dir/notify" "$log" &
	listener=$!
	for _i in $(seq 100); do
		[ -e "$dir/notify.ready" ] && return 0
		sleep 0.05
	done
	return 1
}
unlisten() { kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null; listener=; }

# ---- the config file: bad lines ---------------------------------------------------
printf '# a comment\n\nnormal-wait = 2h\n  anomaly-limit=7x\n' >"$conf"
refused "a bad value" "^ebph: $conf:4: invalid anomaly-limit '7x' (a whole number from 0 to 1000000)$" --config "$conf"
printf 'normal-wait 2h\n' >"$conf"
refused "an unknown setting" "^ebph: $conf:1: unknown setting 'normal-wait 2h'" --config "$conf"
printf 'syslog = yes\n' >"$conf"
refused "a value for a switch" "^ebph: $conf:1: syslog takes no value" --config "$conf"
printf 'profile-dir =\n' >"$conf"
refused "a missing value" "^ebph: $conf:1: profile-dir needs a value" --config "$conf"
printf 'config = /etc/passwd\n' >"$conf"
refused "config in a config file" "^ebph: $conf:1: unknown setting 'config'" --config "$conf"
refused "a missing --config file" "^ebph: cannot read $dir/none: No such file or directory$" --config "$dir/none"
printf 'normal-wait = 2h\n' >"$conf"
chmod 0664 "$conf"
refused "a group-writable config file" "^ebph: $conf is writable by group or others (mode 0664): refused$" --config "$conf"
chmod 0644 "$conf"
./ebph run --no-load --no-save --config "$conf" --normal-wait x >"$out" 2>"$err"
check "a bad option and a good file: exit 2" [ $? -eq 2 ]
check "a bad option and a good file: the option said" has "$err" "^ebph: invalid --normal-wait 'x'"

# The example `make install` puts in /etc/ebph: as it is, and with every
# setting uncommented, it is read to the end (the line added after is
# the first refused).
sed 's/^#\([a-z]\)/\1/' ebph.conf >"$conf"
echo bogus >>"$conf"
refused "the example file, uncommented" "^ebph: $conf:$(wc -l <"$conf"): unknown setting 'bogus'" --config "$conf"
{ cat ebph.conf; echo bogus; } >"$conf"
refused "the example file as it is" "^ebph: $conf:$(wc -l <"$conf"): unknown setting 'bogus'" --config "$conf"

# ---- the config file, the command line over it, readiness ---------------------------
cat >"$conf" <<EOF
# what an admin writes
normal-wait = 2h
anomaly-limit = 7
	tolerize-limit = 5
log-sequences
EOF
listen "$dir/notify.sock" || bad "the notify listener did not start"
export NOTIFY_SOCKET="$dir/notify.sock"
ebph_start "$log" --no-load --no-save --config "$conf" --tolerize-limit 4 ||
	bad "ebph did not start with a config file"
unset NOTIFY_SOCKET
check "the file's settings" setting_is "normal-wait 2h, anomaly-limit 7,"
check "the file's switch" setting_is "log-sequences on"
check "the command line wins" setting_is "tolerize-limit 4,"
check "READY=1 once attached, not before" wait_log "^attached READY=1" "$dir/notify"
check "no READY=1 before attached" sh -c "! grep -q '^early READY=1' '$dir/notify'"
check "READY=1 with a status" has "$dir/notify" "^attached READY=1 STATUS=monitoring every system call"
./ebph set log-sequences off >/dev/null	# a flood of lines, and kept at a reload

# ---- the lock -------------------------------------------------------------------
check "the lock is /run/ebph/lock, with the PID" [ "$(cat /run/ebph/lock)" = "$pid" ]
check "the lock is root's, 0600" [ "$(stat -c '%u %a' /run/ebph/lock)" = "0 600" ]
check "no /run/ebph.lock" [ ! -e /run/ebph.lock ]
refused_run() { timeout 10 ./ebph run --no-load --no-save "$@" >"$out" 2>"$err"; }
refused_run --no-config
check "a second ebph: exit 1" [ $? -eq 1 ]
check "a second ebph: the new lock named" has "$err" "^ebph: another ebph is already running (it holds /run/ebph/lock)$"

# ---- reload ----------------------------------------------------------------------
./ebph set anomaly-limit 11 >/dev/null
: >"$dir/notify"
sed -i 's/^normal-wait = 2h/normal-wait = 5m/; s/^\ttolerize-limit = 5/tolerize-limit = 6/' "$conf"
kill -HUP "$pid"
check "reload: the change said" wait_log "INFO: reload: normal-wait: 2h -> 5m$"
check "reload: the change applied" setting_is "normal-wait 5m,"
check "reload: what ebph set changed is kept" setting_is "anomaly-limit 11,"
check "reload: the command line still wins" setting_is "tolerize-limit 4,"
check "reload: still saves (SIGHUP)" wait_log "SIGHUP: nothing to save (--no-save); going on"
check "reload: RELOADING=1 with MONOTONIC_USEC" wait_log "^attached RELOADING=1 MONOTONIC_USEC=[0-9][0-9]* " "$dir/notify"
check "reload: then READY=1" sh -c "sed -n '/RELOADING=1/,\$p' '$dir/notify' | grep -q 'READY=1'"
check "reload: no audit line for its own change" sh -c "! grep -q 'audit: .*normal-wait' '$log'"

sed -i 's/^anomaly-limit = 7/anomaly-limit = 8/' "$conf"
echo "profile-dir = $dir" >>"$conf"
kill -HUP "$pid"
check "reload: a changed limit applied over ebph set's" wait_log "INFO: reload: anomaly-limit: 11 -> 8$"
check "reload: a setting for the next start named" \
	wait_log "WARNING: reload: profile-dir changed: it takes effect at the next start"

n=$(grep -c 'reload: ' "$log")
echo "normal-wait = soon" >>"$conf"
kill -HUP "$pid"
check "reload: a bad line refused, named" \
	wait_log "ERROR: reload: $conf:7: invalid normal-wait 'soon' (e.g. 3s, 10m, 1w): settings unchanged$"
check "reload: a bad line changes nothing" setting_is "normal-wait 5m, anomaly-limit 8,"
check "reload: a bad line does not stop ebph" kill -0 "$pid"
[ "$(grep -c 'reload: ' "$log")" -eq $((n + 1)) ] || bad "reload: a bad line: one line, not $(($(grep -c 'reload: ' "$log") - n))"

kill -INT "$pid" && wait "$pid"
pid=
check "STOPPING=1 at stop" has "$dir/notify" "STOPPING=1"
unlisten
check "only the lock is left in /run/ebph" [ "$(ls -A /run/ebph)" = lock ]

# --no-config after --config: defaults.
ebph_start "$log" --no-load --no-save --config "$conf" --no-config || bad "ebph did not start with --no-config"
check "--no-config: the defaults" setting_is "normal-wait 1w, anomaly-limit 30,"
kill -INT "$pid" && wait "$pid"
pid=

# ---- an older ebph's lock ------------------------------------------------------------
(exec 9>/run/ebph.lock && flock 9 && exec sleep 60) &
holder=$!
for _i in $(seq 50); do flock -n /run/ebph.lock true 2>/dev/null || break; sleep 0.1; done
refused_run --no-config
check "an older ebph holding /run/ebph.lock: exit 1" [ $? -eq 1 ]
check "an older ebph holding /run/ebph.lock: said" has "$err" "^ebph: an older ebph is already running (it holds /run/ebph.lock)$"
check "an older ebph: in one sentence" one_line "$err"
kill "$holder"; wait "$holder" 2>/dev/null; holder=
ebph_start "$log" --no-load --no-save --no-config || bad "ebph did not start after an older ebph"
check "an older ebph's lock, not held: removed" [ ! -e /run/ebph.lock ]
kill -INT "$pid" && wait "$pid"
pid=

# ---- the unit ------------------------------------------------------------------------
unit=$dir/ebph.service
sed "s|/usr/local/sbin/ebph|$PWD/ebph|" ebph.service >"$unit"
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify --man=no "$unit" >"$out" 2>&1
	check "systemd-analyze verify: no word" [ ! -s "$out" ]
	systemd-analyze security --offline=yes "$unit" >"$out" 2>&1
	score=$(sed -n 's/.*Overall exposure level for ebph.service: \([0-9.]*\).*/\1/p' "$out")
	echo "test_service: systemd-analyze security: $score"
	check "systemd-analyze security: 4.0 or below (got '$score')" \
		awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 4.0) }'
else
	bad "systemd-analyze is missing (sudo make test installs systemd)"
fi
key() { sed -n "s/^$1=//p" "$unit"; }	# key NAME: its values, a line each
check "Type=notify" [ "$(key Type)" = notify ]
check "ExecReload= sends SIGHUP" [ "$(key ExecReload)" = '/bin/kill -HUP $MAINPID' ]
check "RuntimeDirectory= is ebph's run directory" [ "$(key RuntimeDirectory)" = ebph ]
check "StateDirectory= holds the default profile directory" \
	sh -c "[ '$(key StateDirectory)' = ebph ] && ./ebph -h | grep -q '(default /var/lib/ebph/profiles)'"

# sandbox WRITABLE CAPS LOG ARGS...: `ebph run ARGS` in the background
# ($pid), in the unit's sandbox: a mount namespace where everything but
# /proc and /dev is read-only except the paths WRITABLE, and setpriv's
# bounding set CAPS and no_new_privs.
sandbox() {
	_rw=$1 _caps=$2 _slog=$3; shift 3
	: >"$_slog"
	unshare --mount --propagation private sh -c '
		rw=$1 caps=$2; shift 2
		for p in $rw; do mount --bind "$p" "$p" || exit 1; done
		awk "{ print \$5 }" /proc/self/mountinfo | sort -u | while read -r mp; do
			case $mp in /proc|/proc/*|/dev|/dev/*) continue ;; esac
			mount -o remount,bind,ro "$mp" 2>/dev/null
		done
		for p in $rw; do mount -o remount,bind,rw "$p" || exit 1; done
		exec setpriv --bounding-set="$caps" --no-new-privs ./ebph run "$@"' \
		sh "$_rw" "$_caps" "$@" >"$_slog" 2>&1 &
	pid=$!
}
# From the unit: the capabilities as setpriv spells them, the writable
# paths (StateDirectory= is the profile directory here).
caps=-all$(key CapabilityBoundingSet | tr ' ' '\n' | sed 's/^CAP_//' | tr 'A-Z' 'a-z' | sed 's/^/,+/' | tr -d '\n')
rw="$(key ReadWritePaths | sed 's/^-//') /run/$(key RuntimeDirectory) $dir/profiles"
check "the unit's bounding set has no CAP_SYS_ADMIN" sh -c "! echo '$caps' | grep -q sys_admin"
mkdir -m 0700 -p /run/ebph
printf 'normal-wait = 1h\n' >"$conf"
listen "@ebph-test-$$" || bad "the notify listener did not start"
log=$dir/log.sandbox
export NOTIFY_SOCKET=@ebph-test-$$
sandbox "$rw" "$caps" "$log" --profile-dir "$dir/profiles" --config "$conf"
unset NOTIFY_SOCKET
check "sandbox: attaches" wait_log "ebph attached"
check "sandbox: READY=1 on an abstract socket" wait_log "^attached READY=1" "$dir/notify"
# A user's program, run by a relative name from the user's private
# directory: ebph names it by its absolute path only if it may read the
# user's /proc/PID/exe (CAP_SYS_PTRACE) and stat the file there
# (CAP_DAC_READ_SEARCH).
chmod 0755 "$dir"
mkdir -m 0700 "$dir/home"
cp "$(command -v sleep)" "$dir/home/udemo"	# alive while ebph looks
chown -R 1001:1001 "$dir/home"
(cd "$dir/home" && exec setpriv --reuid=1001 --regid=1001 --clear-groups ./udemo 5) &
udemo=$!
check "sandbox: status answers" sh -c './ebph status >/dev/null'
check "sandbox: the user's program has a profile" wait_log "new profile udemo"
check "sandbox: named by its absolute path" sh -c "./ebph profiles | grep -q '[^ ]/home/udemo *\$'"
kill "$udemo"; wait "$udemo" 2>/dev/null
sed -i 's/1h/2h/' "$conf"
kill -HUP "$pid"
check "sandbox: reload applies" wait_log "reload: normal-wait: 1h -> 2h"
check "sandbox: reload saves" wait_log "saved [1-9][0-9]* profiles"
kill -INT "$pid"; wait "$pid"
check "sandbox: stops with 0" [ $? -eq 0 ]
pid=
check "sandbox: profiles saved in the state directory" [ -n "$(ls "$dir/profiles")" ]
# (but the kernel's own refusal of LSM programs, said where it has one)
check "sandbox: nothing refused" sh -c "! grep -v 'this kernel runs no BPF LSM programs' '$log' | grep -q 'ERROR\\|cannot\\|Read-only\\|not permitted'"
unlisten

# The sandbox confines: without CAP_PERFMON, or the pins' bpffs writable,
# ebph cannot run.
sandbox "$rw" "$(echo "$caps" | sed 's/,+perfmon//')" "$log" --no-load --no-save --no-config
wait "$pid"
check "sandbox without CAP_PERFMON: fails" [ $? -ne 0 ]
check "sandbox without CAP_PERFMON: did not attach" sh -c "! grep -q 'ebph attached' '$log'"
sandbox "/run/ebph $dir/profiles" "$caps" "$log" --no-load --no-save --no-config
wait "$pid"
check "sandbox with /sys/fs/bpf read-only: fails" [ $? -ne 0 ]
check "sandbox with /sys/fs/bpf read-only: says so" has "$log" "Read-only file system"
pid=

if [ "$fail" -ne 0 ]; then
	echo "---- ebph logs ----"
	grep -v 'new profile\|learned' "$dir/log" | tail -n 20
	tail -n 20 "$dir/log.sandbox"
	echo "---- notify ----"
	cat "$dir/notify" 2>/dev/null
fi
test_end
