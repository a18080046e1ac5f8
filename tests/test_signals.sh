#!/bin/sh
# tests/test_signals.sh - signals, floods and the admin's mistakes, on a
# real running ebph (needs root).
#
# Signals: SIGHUP saves and goes on; a reader of stdout that goes away
# (`ebph run | head -1`) is not a SIGPIPE death: ebph says so on stderr
# and syslog, saves and goes on; a terminal that hangs up (SIGHUP, then
# EIO on stdout and stderr) is the same; SIGTERM, and SIGUSR2 as any
# other signal that would end it, saves and exits 0.
# Counts: a flooded perf ring's lost events are counted once, alike in
# the log and in `ebph status`; a full tasks map (an object built with
# 64 tasks) is one line per interval, and counts threads, not calls; a
# full disk is one line per save.  Start: a read-only profile directory
# is refused unless --no-save; a FIFO as -o is refused, not waited on.
#
# syslog and the terminal are our own: a tmpfs on /dev, in a mount
# namespace of the test's, holds a /dev/log that python3 listens on and
# a devpts instance of its own.  EBPH_BIN=FILE runs FILE as `ebph run`
# (an older build must fail); KEEP=1 keeps the test's directory.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_signals

dir=$(mktemp -d /tmp/ebph-signals.XXXXXX)
log=$dir/log
pid=
sleepers=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "$sleepers" ] && kill $sleepers 2>/dev/null
	for m in "$dir/ro" "$dir/full"; do
		mountpoint -q "$m" && umount "$m"
	done
	[ -n "$KEEP" ] && echo "kept $dir" || rm -rf "$dir"
}
trap cleanup EXIT

# show FILE...: after a section with a failed check, what it wrote.
fail_seen=0
show() {
	[ "$fail" -eq "$fail_seen" ] && return
	fail_seen=$fail
	for f in "$@"; do echo "---- $f"; head -40 "$f"; done
}

between() { # between N MIN MAX
	[ "${1:-0}" -ge "$2" ] && [ "${1:-0}" -le "$3" ]
}

wait_for() { # wait_for PATTERN FILE: up to 10 s
	for i in $(seq 100); do
		grep -q -- "$1" "$2" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# A program of our own, and its profile's file name.
mkdir -m 0700 "$dir/bin" "$dir/prof"
new_prog() { # new_prog NAME: a fresh executable, hence a fresh profile
	cp tests/demo "$dir/bin/$1"
}
prof_file() { # prof_file NAME: its profile's file under $dir/prof
	printf '%s/%016x.prof' "$dir/prof" "$(profile_key "$dir/bin/$1")"
}
new_prog hup
[ -e "$(prof_file hup)" ] && bad "the profile file name is not what the test expects"

# ---- SIGHUP saves and goes on; SIGTERM saves and exits 0 ------------------
ebph_start "$log" -d "$dir/prof" --no-load -s 0
"$dir/bin/hup" >/dev/null
check "the program's profile is made" wait_for "new profile hup" "$log"
kill -HUP "$pid"
check "SIGHUP: the log says it saves and goes on" \
	wait_for "INFO: SIGHUP: saving the profiles; going on" "$log"
check "SIGHUP: saved" wait_for "saved [1-9][0-9]* profiles" "$log"
check "SIGHUP: still running" kill -0 "$pid"
check "SIGHUP: the profile is on disk" [ -f "$(prof_file hup)" ]
rm -f "$(prof_file hup)"
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "SIGTERM: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "SIGTERM: saved again" [ -f "$(prof_file hup)" ]

# Any other signal that would end it (not a crash) stops it as SIGTERM
# does: SIGUSR2 for one.
rm -f "$(prof_file hup)"
ebph_start "$log" -d "$dir/prof" --no-load -s 0
"$dir/bin/hup" >/dev/null
wait_for "new profile hup" "$log"
kill -USR2 "$pid"
wait "$pid"
rc=$?
pid=
check "SIGUSR2: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "SIGUSR2: saved" [ -f "$(prof_file hup)" ]

show "$log"

# ---- a closed stdout, a hung-up terminal -------------------------------------
# In a namespace with our own /dev: the listener on /dev/log, a pty.
# The terminal: ebph on a pty it leads, which is then closed (hung up).
cat >"$dir/term.py" <<'EOF'
import os, pty, signal, subprocess, sys, time
dir = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(os.environ.get('EBPH_BIN', './ebph'), ['ebph', 'run', '-d', dir + '/prof', '--no-load', '-s', '0'])
buf = b''
while b'ebph attached' not in buf:
    buf += os.read(fd, 4096)
subprocess.run([dir + '/bin/tty1'])
time.sleep(0.3)		# the new-profile line may be written to the pty
os.close(fd)		# hang up: SIGHUP, then EIO on stdout and stderr
def wait_file(p):
    for i in range(100):
        if os.path.exists(p):
            return True
        time.sleep(0.1)
    return False
print('hup-saved', wait_file(sys.argv[2]))
subprocess.run([dir + '/bin/tty2'])	# a line to a dead terminal
for i in range(100):
    if b'new profile tty2' in open(dir + '/syslog', 'rb').read():
        break
    time.sleep(0.1)
alive = os.waitpid(pid, os.WNOHANG) == (0, 0)
print('alive', alive)
if alive:
    os.kill(pid, signal.SIGTERM)
    _, status = os.waitpid(pid, 0)
print('exit', os.waitstatus_to_exitcode(status))
EOF
cat >"$dir/ns.sh" <<'EOF'
dir=$1 tty1=$2
mount --make-rprivate / && mount -t tmpfs -o mode=0755 none /dev &&
	mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 &&
	mkdir /dev/pts && mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts &&
	ln -s pts/ptmx /dev/ptmx || exit 1
python3 tests/syslog_listen.py "$dir/syslog" &
lpid=$!
while [ ! -e "$dir/syslog.ready" ]; do sleep 0.05; done

# `ebph run | head -1`: head reads "ebph attached" and exits.
mkfifo "$dir/pipe"
head -1 <"$dir/pipe" >"$dir/first" &
hpid=$!
"${EBPH_BIN:-./ebph}" run -d "$dir/prof" --no-load -s 0 >"$dir/pipe" 2>"$dir/err" &
epid=$!
wait $hpid
"$dir/bin/pipe" >/dev/null		# the next line meets a closed pipe
for i in $(seq 100); do grep -q "saved [1-9]" "$dir/err" && break; sleep 0.1; done
"$dir/bin/pipe2" >/dev/null
for i in $(seq 100); do grep -q "new profile pipe2" "$dir/err" && break; sleep 0.1; done
kill -0 $epid && echo alive >"$dir/pipe-alive"
kill -TERM $epid
wait $epid
echo "exit $?" >"$dir/pipe-exit"

python3 "$dir/term.py" "$dir" "$tty1" >"$dir/pty" 2>&1
kill $lpid
EOF
new_prog pipe
new_prog pipe2
new_prog tty1
new_prog tty2
ebph_wait_free
unshare --mount sh "$dir/ns.sh" "$dir" "$(prof_file tty1)"
check "| head -1: head got the first line" grep -q "ebph attached" "$dir/first"
check "| head -1: stderr says stdout is closed, once" \
	[ "$(grep -c "WARNING: stdout failed (Broken pipe): events go to stderr and syslog from now on; saving the profiles" "$dir/err")" -eq 1 ]
check "| head -1: the line that met the closed pipe is on stderr" \
	grep -q "INFO: new profile pipe " "$dir/err"
check "| head -1: saved then" grep -q "saved [1-9][0-9]* profiles" "$dir/err"
check "| head -1: the profile is on disk" [ -f "$(prof_file pipe)" ]
check "| head -1: still running after" [ -f "$dir/pipe-alive" ]
check "| head -1: later lines go to stderr" grep -q "INFO: new profile pipe2 " "$dir/err"
check "| head -1: and to syslog" grep -q "ebph\[[0-9]*\]: new profile pipe2 " "$dir/syslog"
check "| head -1: and syslog has the notice" grep -q "ebph\[[0-9]*\]: stdout failed" "$dir/syslog"
check "| head -1: SIGTERM, exit 0" grep -q "^exit 0$" "$dir/pipe-exit"
check "| head -1: saved at exit" [ -f "$(prof_file pipe2)" ]
check "hung-up terminal: saved on its SIGHUP" grep -q "^hup-saved True$" "$dir/pty"
check "hung-up terminal: still running" grep -q "^alive True$" "$dir/pty"
check "hung-up terminal: lines go to syslog" grep -q "ebph\[[0-9]*\]: new profile tty2 " "$dir/syslog"
check "hung-up terminal: SIGTERM, exit 0" grep -q "^exit 0$" "$dir/pty"
check "hung-up terminal: saved at exit" [ -f "$(prof_file tty2)" ]
show "$dir/err" "$dir/pty"

# ---- a flooded ring: each lost event counted once ----------------------------
# ebph is stopped while a fresh python learns thousands of pairs on one
# CPU (--log-sequences: one event each): more than its ring holds.
cp "$(readlink -f "$(command -v python3)")" "$dir/bin/flood"
ebph_start "$log" --no-load --no-save --log-sequences
kill -STOP "$pid"
taskset -c 0 "$dir/bin/flood" -c 'import json, subprocess, email.parser' >/dev/null 2>&1
kill -CONT "$pid"
check "flood: the log says events were dropped" \
	wait_for "WARNING: [1-9][0-9]* events dropped, not in this log" "$log"
# Then until the reader has caught up: two readings alike, 0.5 s apart.
./ebph set log-sequences off >/dev/null
drops() { ./ebph status 2>&1 | sed -n 's/^events *\([0-9]*\) dropped.*/\1/p'; }
a=$(drops)
for i in $(seq 20); do
	sleep 0.5
	b=$(drops)
	[ "$a" = "$b" ] && break
	a=$b
done
./ebph status >"$dir/status" 2>&1
kill -TERM "$pid"
wait "$pid"
pid=
n_status=$(sed -n 's/^events *\([0-9]*\) dropped.*/\1/p' "$dir/status")
n_log=$(grep -E "WARNING: [0-9]+ events (dropped|lost)" "$log" |
	sed -E 's/.*WARNING: ([0-9]+) events.*/\1/' | awk '{ n += $1 } END { print n + 0 }')
check "flood: status counts the drops ($n_status)" [ "${n_status:-0}" -gt 0 ]
check "flood: the log counts them once, as status does ($n_log, status $n_status)" \
	[ "$n_log" -eq "${n_status:-0}" ]
check "flood: status has one count of lost events" \
	[ "$(grep -Ec "lost|dropped" "$dir/status")" -eq 1 ]

show "$log" "$dir/status"

# ---- a full tasks map: threads counted once, one line per interval ----------
# A tasks map of 64, filled by 80 sleepers of ours.  dd then makes
# 40,000 calls in one untraced thread: one thread, not 40,000.
nthreads=$(ls -d /proc/[0-9]*/task/* | wc -l)
ebph_start "$log" --no-load --no-save -o tests/kern_tasks64.o
sleepers=
for i in $(seq 80); do
	sleep 60 &
	sleepers="$sleepers $!"
done
check "tasks full: reported" wait_for "ERROR: [1-9][0-9]* threads not traced: the tasks map is full (64)" "$log"
dd if=/dev/zero of=/dev/null bs=1 count=20000 2>/dev/null
./ebph status >"$dir/status" 2>&1
lines=$(grep -c "tasks map is full" "$log")
untraced=$(sed -n 's/^untraced *\([0-9]*\) threads (tasks map full).*/\1/p' "$dir/status")
kill $sleepers
sleepers=
kill -TERM "$pid"
wait "$pid"
pid=
check "tasks full: one line in the first interval, not one per call ($lines)" [ "$lines" -eq 1 ]
check "tasks full: the line has an example thread" grep -q "tasks map is full (64); e.g. TID [0-9]" "$log"
check "tasks full: status counts threads ($untraced), fewer than the machine has plus ours ($nthreads + 200)" \
	between "$untraced" 1 $((nthreads + 200))

show "$log" "$dir/status"

# ---- a full disk: one line per save ----------------------------------------------
mkdir "$dir/full"
mount -t tmpfs -o size=64k,mode=0700 ebph-test "$dir/full"
ebph_start "$log" -d "$dir/full" --no-load -s 0
dd if=/dev/zero of="$dir/full/filler" bs=4k 2>/dev/null	# until it is full
for i in 1 2 3 4 5 6; do new_prog "full$i"; "$dir/bin/full$i" >/dev/null; done
./ebph save >/dev/null 2>&1
wait_for "saved [0-9]* profiles to $dir/full, some failed" "$log"
./ebph save >/dev/null 2>&1
for i in $(seq 100); do
	[ "$(grep -c "some failed" "$log")" -ge 2 ] && break
	sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
pid=
nsaves=$(grep -c "saved [0-9]* profiles to $dir/full" "$log")
nfull=$(grep -c "No space left on device" "$log")
check "disk full: three saves, each failed ($nsaves)" [ "$(grep -c "some failed" "$log")" -eq 3 ]
check "disk full: one line per save ($nfull lines for $nsaves saves)" [ "$nfull" -eq "$nsaves" ]
check "disk full: the line has the count and the first profile" \
	grep -Eq "ERROR: [1-9][0-9]* profiles not saved in $dir/full: No space left on device \(the first: [0-9a-f]+, " "$log"
umount "$dir/full"

show "$log"

# ---- a read-only profile directory -----------------------------------------------
mkdir -m 0700 "$dir/ro"
mount --bind "$dir/ro" "$dir/ro"
mount -o remount,bind,ro "$dir/ro"
timeout 20 "${EBPH_BIN:-./ebph}" run -d "$dir/ro" --no-load >"$log" 2>&1
rc=$?
check "read-only profile directory: refused (exit $rc)" [ "$rc" -eq 1 ]
check "read-only profile directory: one sentence says why" \
	grep -q "^ebph: profile directory $dir/ro cannot be written (Read-only file system): fix it, or run with --no-save$" "$log"
ebph_start "$log" -d "$dir/ro" --no-save
check "read-only profile directory: fine with --no-save" [ -n "$pid" ]
[ -n "$pid" ] && kill -TERM "$pid" && wait "$pid"
pid=
umount "$dir/ro"

show "$log"

# ---- a FIFO as -o ---------------------------------------------------------------
mkfifo "$dir/fifo"
timeout 5 "${EBPH_BIN:-./ebph}" run --no-load --no-save -o "$dir/fifo" >"$log" 2>&1
rc=$?
check "-o FIFO: refused at once, not waited on (exit $rc)" [ "$rc" -eq 1 ]
check "-o FIFO: says it is not a regular file" grep -q "^ebph: $dir/fifo: not a regular file$" "$log"
show "$log"

test_end
