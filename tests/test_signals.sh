#!/bin/sh
# tests/test_signals.sh - signals, floods and the admin's mistakes, on a
# real running ebph (needs root).
#
# Signals: SIGHUP saves and goes on; a reader of stdout that goes away
# (`ebph run | head -1`) is not a SIGPIPE death: ebph says so on stderr
# and syslog, saves and goes on; a terminal that hangs up (SIGHUP, then
# EIO on stdout and stderr) is the same; SIGTERM saves and exits 0.
# Counts: a flooded perf ring's lost events are counted once, alike in
# the log and in `ebph status`; a full tasks map (an object built with
# 64 tasks) is one line per interval, and counts threads, not calls; a
# full disk is one line per save.  Start: a read-only profile directory
# is refused unless --no-save; a FIFO as -o is refused, not waited on.
#
# syslog and the terminal are our own: a tmpfs on /dev, in a mount
# namespace of the test's, holds a /dev/log that python3 listens on and
# a devpts instance of its own.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_signals

dir=$(mktemp -d /tmp/ebph-signals.XXXXXX)
log=$dir/log
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	for m in "$dir/ro" "$dir/full"; do
		mountpoint -q "$m" && umount "$m"
	done
	[ -n "$KEEP" ] && echo "kept $dir" || rm -rf "$dir"
}
trap cleanup EXIT

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
	printf '%s/%016x.prof' "$dir/prof" \
		$(( ($(stat -c %d "$dir/bin/$1") << 32) + $(stat -c %i "$dir/bin/$1") ))
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

# ---- a closed stdout, a hung-up terminal -------------------------------------
# In a namespace with our own /dev: the listener on /dev/log, a pty.
cat >"$dir/listen.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('/dev/log')
open(sys.argv[1] + '.ready', 'w').close()
with open(sys.argv[1], 'ab', buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b'\n')
EOF
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
python3 "$dir/listen.py" "$dir/syslog" &
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
	[ "$(grep -c "WARNING: stdout is closed (Broken pipe): events go to stderr and syslog from now on; saving the profiles" "$dir/err")" -eq 1 ]
check "| head -1: the line that met the closed pipe is on stderr" \
	grep -q "INFO: new profile pipe " "$dir/err"
check "| head -1: saved then" grep -q "saved [1-9][0-9]* profiles" "$dir/err"
check "| head -1: the profile is on disk" [ -f "$(prof_file pipe)" ]
check "| head -1: still running after" [ -f "$dir/pipe-alive" ]
check "| head -1: later lines go to stderr" grep -q "INFO: new profile pipe2 " "$dir/err"
check "| head -1: and to syslog" grep -q "ebph\[[0-9]*\]: new profile pipe2 " "$dir/syslog"
check "| head -1: and syslog has the notice" grep -q "ebph\[[0-9]*\]: stdout is closed" "$dir/syslog"
check "| head -1: SIGTERM, exit 0" grep -q "^exit 0$" "$dir/pipe-exit"
check "| head -1: saved at exit" [ -f "$(prof_file pipe2)" ]
check "hung-up terminal: saved on its SIGHUP" grep -q "^hup-saved True$" "$dir/pty"
check "hung-up terminal: still running" grep -q "^alive True$" "$dir/pty"
check "hung-up terminal: lines go to syslog" grep -q "ebph\[[0-9]*\]: new profile tty2 " "$dir/syslog"
check "hung-up terminal: SIGTERM, exit 0" grep -q "^exit 0$" "$dir/pty"
check "hung-up terminal: saved at exit" [ -f "$(prof_file tty2)" ]
if [ "$fail" -ne 0 ]; then
	echo "---- stderr ----"; cat "$dir/err"; echo "---- pty ----"; cat "$dir/pty"
fi

test_end
