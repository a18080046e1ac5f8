#!/bin/sh
# tests/test_pins.sh - the pin directory and /run/ebph are root's and
# private, and the commands check what they open (root).
#
# /sys/fs/bpf is mode 1777 on a real machine, so any user can make
# /sys/fs/bpf/ebph before ebph starts.  Here, in the test's own mount
# namespace, /sys/fs/bpf is a fresh bpffs made 1777 the same way.  An
# ebph run must refuse a pin directory a user made (mode 0777, or 0700
# but the user's), a symbolic link and a dangling one, with one sentence
# and a nonzero exit, and leave what it found alone; so must it refuse an
# object whose maps are not what the commands read.  A clean start makes
# it root's and 0700, and /run/ebph too, with root-only files.  With two
# pins of a running ebph swapped, status, profiles, ps, show and top -b
# must each say so in one sentence and exit 1 within seconds (they used
# to spin for ever); with config moved away, status must not say that no
# ebph runs.  After a SIGKILL the next start says it removes the state
# left in /run/ebph, as it says for the pins.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_pins
# Outside a namespace of its own this would change the real /sys/fs/bpf.
if [ -z "$EBPH_ISOLATED" ]; then
	echo "test_pins: no private mount namespace (unshare): not run"
	test_end
	exit
fi

dir=$(mktemp -d /tmp/ebph-pins.XXXXXX)
log=$dir/log
out=$dir/out
err=$dir/err
pid=
U="setpriv --reuid=1001 --regid=1001 --clear-groups"
PIN=/sys/fs/bpf/ebph
RUN=/run/ebph
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
chmod 1777 /sys/fs/bpf
chmod 0755 "$dir"
mkdir -m 0700 "$dir/profiles"

# run RC DESCRIPTION COMMAND...: COMMAND exits RC within 10 s (a
# timeout is a failure); output in $out, $err.
run() {
	want=$1; what=$2; shift 2
	timeout 10 "$@" >"$out" 2>"$err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok
	else
		bad "$what: exit $rc, want $want$([ "$rc" -eq 124 ] && echo ' (timed out)')"
		sed 's/^/  stdout: /' "$out" | head -5
		sed 's/^/  stderr: /' "$err" | head -5
	fi
}
has() { grep -q -- "$2" "$1"; }			# has FILE PATTERN
hasnt() { ! grep -q -- "$2" "$1"; }
one_line() { [ "$(wc -l <"$1")" -eq 1 ]; }	# one sentence, nothing else
fails() { ! "$@" 2>/dev/null; }
owner_mode() { [ "$(stat -c '%u %a' "$1")" = "$2" ]; }

# start DESCRIPTION: `ebph run` that must refuse at once.
refused() {
	run 1 "$1: ebph run refuses" ./ebph run --no-load --no-save
	check "$1: says what is wrong" has "$err" "$2"
	check "$1: in one sentence" one_line "$err"
}

# ---- pin directories a user made -------------------------------------------
$U mkdir $PIN && $U chmod 0777 $PIN && $U ln -s /etc/passwd $PIN/planted
refused "user's 0777 pin directory" "^ebph: $PIN is owned by uid 1001, not root: refused"
check "user's pin directory: left alone" [ -L $PIN/planted ]
check "user's pin directory: not taken over" owner_mode $PIN "1001 777"
check "user's pin directory: nothing pinned into it" [ "$(ls $PIN)" = planted ]
run 1 "status with a user's pin directory" ./ebph status
check "status with a user's pin directory: says so" has "$err" "owned by uid 1001, not root"
check "status with a user's pin directory: one sentence" one_line "$err"
rm -rf $PIN

$U mkdir -m 0700 $PIN
refused "user's 0700 pin directory" "^ebph: $PIN is owned by uid 1001, not root: refused"
rmdir $PIN

mkdir -m 0777 $PIN
refused "root's 0777 pin directory" "^ebph: $PIN is mode 0777, open to group or others: refused"
rmdir $PIN

# Root's, writable by root alone (what an older ebph left): made private.
mkdir -m 0755 $PIN
run 1 "status with root's 0755 pin directory" ./ebph status
check "root's 0755 pin directory: said" has "$err" "^ebph: $PIN was mode 0755: made private (0700)"
check "root's 0755 pin directory: now 0700" owner_mode $PIN "0 700"
rmdir $PIN

# Pointing to a directory that would pass: only the link is wrong.
mkdir -m 0700 /sys/fs/bpf/elsewhere
$U ln -s /sys/fs/bpf/elsewhere $PIN
refused "a symlink as pin directory" "^ebph: $PIN is a symbolic link: refused"
check "a symlink: nothing pinned where it points" [ -z "$(ls /sys/fs/bpf/elsewhere)" ]
check "a symlink: left alone" [ -L $PIN ]
rm -f $PIN
rmdir /sys/fs/bpf/elsewhere

$U ln -s /nonexistent $PIN
refused "a dangling symlink as pin directory" "^ebph: $PIN is a symbolic link: refused"
run 1 "status with a dangling symlink" ./ebph status
check "status with a dangling symlink: says so" has "$err" "is a symbolic link"
rm -f $PIN

# ---- /run/ebph that is not ebph's --------------------------------------------
# The runs above made /run/ebph and left their lock in it.
rm -rf $RUN
mkdir -m 0700 $RUN && chown 1001 $RUN
refused "user's /run/ebph" "^ebph: $RUN is owned by uid 1001, not root: refused"
check "user's /run/ebph: left alone" owner_mode $RUN "1001 700"
check "user's /run/ebph: no pins left behind" [ ! -e $PIN ]
rmdir $RUN
mkdir -m 0700 "$dir/elsewhere"
ln -s "$dir/elsewhere" $RUN
refused "a symlink as /run/ebph" "^ebph: $RUN is a symbolic link: refused"
check "a symlink as /run/ebph: nothing written where it points" [ -z "$(ls "$dir/elsewhere")" ]
rm -f $RUN

# ---- an object whose map is not the one the commands read ----------------------
# A copy of ebph_kern.o with the key of 'profiles' made 16 bytes: the
# loader takes it, ebph must not.
sec=$(readelf -SW ebph_kern.o | awk '$2 == "maps" { print $5 }')
sym=$(readelf -sW ebph_kern.o | awk '$8 == "profiles" { print $2 }')
python3 -c '
import struct, sys
path, off = sys.argv[1], int(sys.argv[2], 16) + int(sys.argv[3], 16) + 4
data = bytearray(open("ebph_kern.o", "rb").read())
assert struct.unpack_from("<I", data, off)[0] == 8
struct.pack_into("<I", data, off, 16)
open(path, "wb").write(data)' "$dir/other_kern.o" "$sec" "$sym"
run 1 "an object of another version" ./ebph run --no-load --no-save -o "$dir/other_kern.o"
check "an object of another version: says which map" \
	has "$err" "^ebph: $dir/other_kern.o: map 'profiles' is a hash of 16-byte keys, not 8: the object is not from this version of ebph"
check "an object of another version: no pins left" [ ! -e $PIN ]

# ---- a clean start -------------------------------------------------------------
ebph_start "$log" --profile-dir "$dir/profiles" --normal-wait 1h --save-interval 0 ||
	bad "ebph did not start"
check "pin directory: root's, 0700" owner_mode $PIN "0 700"
check "run directory: root's, 0700" owner_mode $RUN "0 700"
check "run state file: root's, 0600" owner_mode $RUN/state "0 600"
check "run anomalies file: root's, 0600" owner_mode $RUN/anomalies "0 600"
check "a user cannot read the anomalies" fails $U cat $RUN/anomalies
tests/demo >/dev/null
key=$(printf '%016x' "$(profile_key tests/demo)")
run 0 "status before the swap" ./ebph status
run 0 "show before the swap" ./ebph show "$key"

# ---- swapped pins ------------------------------------------------------------
mv $PIN/profiles $PIN/t && mv $PIN/rows $PIN/profiles && mv $PIN/t $PIN/rows
for c in status profiles ps "show $key" "top -b"; do
	run 1 "$c with swapped pins" ./ebph $c
	check "$c with swapped pins: says which map" \
		has "$err" "^ebph ${c%% *}: $PIN/profiles is a hash of 16-byte keys, not 8: not ebph's map"
	check "$c with swapped pins: one sentence" one_line "$err"
done
mv $PIN/profiles $PIN/t && mv $PIN/rows $PIN/profiles && mv $PIN/t $PIN/rows
run 0 "status with the pins back" ./ebph status

# Same sizes, another map: paths is a hash of 8-byte keys too.
mv $PIN/paths $PIN/t && mv $PIN/profiles $PIN/paths && mv $PIN/t $PIN/profiles
run 1 "ps with profiles and paths swapped" ./ebph ps
check "ps with profiles and paths swapped: the value size" \
	has "$err" "^ebph ps: $PIN/profiles is a hash of 256-byte values, not 72: not ebph's map"
mv $PIN/paths $PIN/t && mv $PIN/profiles $PIN/paths && mv $PIN/t $PIN/profiles

# A pinned map that is not of the list's type: the perf event array.
mv $PIN/stats $PIN/t && mv $PIN/events $PIN/stats
run 1 "status with events as stats" ./ebph status
check "status with events as stats: the type" \
	has "$err" "^ebph status: $PIN/stats is a perf_event_array, not a percpu_array"
mv $PIN/stats $PIN/events && mv $PIN/t $PIN/stats

# config moved away (no dot: bpffs reserves names with one): ebph runs,
# its pins are incomplete.
mv $PIN/config /sys/fs/bpf/config_away
run 1 "status with config moved away" ./ebph status
check "status with config moved away: not 'no ebph is running'" hasnt "$err" "no ebph is running"
check "status with config moved away: says it is missing" \
	has "$err" "^ebph status: $PIN/config is missing: the pins are incomplete"
mv /sys/fs/bpf/config_away $PIN/config
run 0 "status with config back" ./ebph status

# ---- SIGKILL: stale pins and state -------------------------------------------
old=$pid
kill -KILL "$pid"
wait "$pid" 2>/dev/null
pid=
check "after SIGKILL: the state stays" [ -e $RUN/state ]
# A log of its own: the old one says "ebph attached" already.
log=$dir/log2
ebph_start "$log" --no-load --no-save || bad "ebph did not start after SIGKILL"
check "after SIGKILL: stale pins, said" has "$log" "removing stale pins in $PIN"
check "after SIGKILL: stale state, said with its PID" \
	has "$log" "^ebph: removing stale state in $RUN left by an ebph that did not stop cleanly (PID $old, started "
check "after SIGKILL: run directory root's, 0700 again" owner_mode $RUN "0 700"
check "after SIGKILL: state file root's, 0600" owner_mode $RUN/state "0 600"
check "after SIGKILL: the new state is the new ebph's" has $RUN/state "^pid $pid$"
[ -n "$pid" ] && kill -INT "$pid" && wait "$pid"; pid=
check "no pins left" [ ! -e $PIN ]
check "no state left, but the lock" [ "$(ls -A $RUN)" = lock ]

if [ "$fail" -ne 0 ]; then
	echo "---- ebph log ----"
	tail -n 30 "$log"
fi
test_end
