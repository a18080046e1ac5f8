#!/bin/sh
# tests/evaluate_live.sh - `make evaluate-live`: how often ebph cries
# wolf on an ordinary workload, and which attack-like actions it
# notices.  A benchmark, not a test: it prints tables and judges
# nothing.
#
#   sh tests/evaluate_live.sh [--detectors "pairs seqs both"] [--train N]
#                             [--test N] [--wait TIME] [--quick] [--keep]
#
# Defaults: all three detectors, 50 training rounds, a 10 s wait, 8 test
# rounds.  --quick: pairs, 3, 2 s, 1 (a smoke run, not a figure);
# --keep leaves the events and snapshots in the temporary directory.
#
# For each detector, a fresh ebph of its own (ebph_isolate: its own /run
# and bpffs, profiles in a temporary directory, nothing saved) watches
#   1. --train rounds of tests/evaluate_live_work.sh (a build, git,
#      pipelines, perl, python3, tar, find, a bash script);
#   2. the normal wait (--wait, ebph's --normal-wait) and a second;
#   3. --test rounds of the same work on other inputs: every anomaly
#      there is a false alarm;
#   4. six attack-like actions, and a control, by programs the workload
#      trained (see attack()), each made normal first if it is not
#      (ensure_normal): one is caught if one of its processes (or their
#      children) makes an anomaly while it runs.
# tests/evaluate_live_report.py reads ebph's --json events (with -v, an
# "assoc" event for each exec, which counts the processes) and prints
# the tables.
#
# Whose processes count.  The machine runs other work, which an ebph
# sees too.  So the workload runs in a mount namespace where each
# program it executes (found by running it once under strace) is a
# private copy, bind-mounted over the original: a copy is a file of its
# own, so a profile of its own (profiles are keyed by device and
# inode), that only this workload runs.  Only events of those profiles
# count, by phase (the events' times against the phases'); other
# processes neither train them nor raise their anomalies.

. "$(dirname "$0")/lib.sh"
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

refuse() {
	echo "evaluate-live: $*; refusing" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || refuse "it loads BPF programs: run it as root"
for tool in unshare strace mount python3; do
	command -v "$tool" >/dev/null || refuse "it needs $tool"
done
# Never beside another ebph's maps and lock: in a namespace of our own,
# or not at all.
if [ -z "$EBPH_ISOLATED" ]; then
	unshare --mount --propagation private sh -c \
		'mount -t tmpfs none /run && mount -t bpf none /sys/fs/bpf' 2>/dev/null ||
		refuse "cannot make a mount namespace with its own /run and bpffs (unshare --mount)"
	ebph_isolate "$@"
fi
[ -n "$EBPH_ISOLATED" ] && [ ! -e /run/ebph/lock ] && [ ! -e /sys/fs/bpf/ebph ] ||
	refuse "not isolated from the machine's ebph"
cd "$(dirname "$0")/.." || exit 1

detectors="pairs seqs both" train=50 test=8 wait=10s keep=
while [ $# -gt 0 ]; do
	case $1 in
	--detectors) detectors=$2; shift ;;
	--train) train=$2; shift ;;
	--test) test=$2; shift ;;
	--wait) wait=$2; shift ;;
	--quick) detectors=pairs train=3 test=1 wait=2s ;;
	--keep) keep=1 ;;
	*) echo "usage: $0 [--detectors LIST] [--train N] [--test N] [--wait TIME] [--quick] [--keep]" >&2
	   exit 2 ;;
	esac
	shift
done
wait_s=${wait%s}
case $wait_s in
''|*[!0-9]*) refuse "--wait is whole seconds here (e.g. 15s), not '$wait'" ;;
esac
[ -x ./ebph ] && [ -x tests/evaluate_live_jit ] ||
	refuse "build first: make all tests/evaluate_live_jit"

started=$(date +%s)
d=$(mktemp -d /tmp/ebph-live.XXXXXX) || exit 1
pid= listener=
cleanup() {
	[ -n "$pid" ] && kill -INT "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "$listener" ] && kill "$listener" 2>/dev/null && wait "$listener" 2>/dev/null
	if [ -n "$keep" ]; then
		echo "evaluate-live: events, snapshots and copies kept in $d"
	else
		rm -rf "$d"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
mkdir -p "$d/bin" "$d/attack" "$d/w/home"
chmod 0755 "$d"
export LIVE_JIT="$d/bin/evaluate_live_jit"
cp tests/evaluate_live_jit "$LIVE_JIT"
work=$(pwd)/tests/evaluate_live_work.sh

# The listener the /dev/tcp attack connects to, on 127.0.0.1 only.
python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
while True:
    c, _ = s.accept()
    c.recv(64)
    c.close()
' "$d/port" &
listener=$!
for i in $(seq 50); do [ -s "$d/port" ] && break; sleep 0.1; done
port=$(cat "$d/port") || refuse "the loopback listener did not start"

# in_copies DIR CMD...: CMD, in DIR, in a mount namespace where the
# workload's programs are the private copies listed in $d/binds.  The
# sh that makes the mounts is the original; what it execs is not.  The
# environment is the workload's, the same for training and attacks (a
# LANG the workload never had would make an attack's perl or python read
# locale files, and be caught for that).
in_copies() {
	unshare --mount --propagation private sh -c '
		while read -r copy orig; do
			mount --bind "$copy" "$orig" || exit 1
		done <"$0"
		cd "$1" && shift && exec env -i $LIVE_ENV "$@"' "$d/binds" "$@"
}
LIVE_ENV="HOME=$d/w/home LC_ALL=C PATH=/usr/bin:/bin LIVE_JIT=$LIVE_JIT"
export LIVE_ENV

# attack NAME RUNNER: the attack-like action NAME, as RUNNER DIR ARGV...
# (in_copies, or traced while the programs are found).
attacks="tcp pyshell findsh tarexec shadow-same shadow mprotect"
attack() {
	case $1 in
	tcp)	# a reverse shell's first step: bash's /dev/tcp, from a
		# script, as the workload runs bash (bash -c it never saw)
		set -- "$2" "$d/attack/tcp.sh" ;;
	pyshell) # python spawns a shell
		set -- "$2" /usr/bin/python3 -c 'import os; os.system("id >/dev/null")' ;;
	findsh)	# find -exec sh (GTFOBins)
		set -- "$2" find . -maxdepth 0 -exec sh -c 'id >/dev/null' ';' ;;
	tarexec) # tar's checkpoint action runs a command (GTFOBins)
		set -- "$2" tar -cf a.tar --checkpoint=1 --checkpoint-action=exec='id >/dev/null' f ;;
	shadow-same) # the workload's own perl one-liner, on /etc/shadow: the
		# same calls on another file (a control: ebph sees no names)
		set -- "$2" perl -F, -lane '$s += $F[1]; END { print $s }' /etc/shadow ;;
	shadow)	# an interpreter reads the password hashes (perl: python's
		# profile is pyshell's, which may leave it training)
		set -- "$2" perl -e 'open(my $f, "<", "/etc/shadow") or die; print scalar(<$f>)' ;;
	mprotect) # code written to memory, made executable and run
		set -- "$2" "$LIVE_JIT" -x nums.txt ;;
	esac
	runner=$1 && shift
	"$runner" "$d/attack" "$@" >/dev/null 2>&1
}
echo x >"$d/attack/f"
printf '#!/bin/bash\nexec 3<>/dev/tcp/127.0.0.1/%s\nid -u >&3\nexec 3>&-\n' "$port" >"$d/attack/tcp.sh"
chmod +x "$d/attack/tcp.sh"
seq 1 10 >"$d/attack/nums.txt"

# Every program the workload and the attacks execute, from one run of
# each under strace (without copies, without ebph), copied to $d/bin.
traced() { # traced DIR CMD...
	(cd "$1" && shift && env -i $LIVE_ENV strace -f -qq -e trace=execve \
		-e signal=none -o "$d/strace" -A "$@")
}
echo "evaluate-live: finding the workload's programs (strace)"
for r in 1 2; do
	traced "$d" sh "$work" "$d/calib" train $r >/dev/null 2>&1
	traced "$d" sh "$work" "$d/calib" test $r >/dev/null 2>&1
done
for a in $attacks; do
	attack "$a" traced
done
python3 - "$d" <<'EOF' || refuse "cannot copy the workload's programs"
import os, re, shutil, sys
d = sys.argv[1]
seen = set()
for line in open(os.path.join(d, "strace")):
    m = re.search(r'execve\("([^"]+)".*\) = 0$', line)
    # A relative name is the workload's own (./prog, a build's).
    if m and m.group(1).startswith("/"):
        seen.add(os.path.realpath(m.group(1)))
# A script's interpreter runs it, and strace shows only the script: the
# kernel reads the #! line itself.
for path in list(seen):
    try:
        first = open(path, "rb").readline()
    except OSError:
        continue
    if first.startswith(b"#!"):
        seen.add(os.path.realpath(first[2:].split()[0].decode()))
# One copy per file: hard links (git and git-core/git) share a profile.
copies = {}
with open(os.path.join(d, "binds"), "w") as binds:
    for path in sorted(seen):
        if path.startswith(d) or not os.path.isfile(path):
            continue
        st = os.stat(path)
        copy = copies.get((st.st_dev, st.st_ino))
        if not copy:
            copy = os.path.join(d, "bin", path.strip("/").replace("/", "_"))
            shutil.copy2(path, copy)
            copies[(st.st_dev, st.st_ino)] = copy
        binds.write("%s %s\n" % (copy, path))
EOF
rm -rf "$d/calib" "$d/attack/a.tar"
echo "evaluate-live: $(wc -l <"$d/binds") programs copied"

# mark NAME: the time a phase starts or ends, for the report.
mark() {
	echo "$1 $(date +%s.%N)" >>"$out/phases"
}

# ensure_normal ATTACK: the attacking program's profile made normal with
# `ebph normalize` if the workload left it training (or frozen, waiting),
# and so noted in $out/normalized: the attack table then says whether
# ebph would catch the action once the profile is normal.
ensure_normal() {
	att=$1
	case $att in
	tcp) prog=bash ;;
	pyshell) prog=/usr/bin/python3 ;;
	shadow|shadow-same) prog=perl ;;
	findsh) prog=find ;;
	tarexec) prog=tar ;;
	mprotect) prog=$LIVE_JIT ;;
	esac
	prog=$(readlink -f "$(command -v "$prog")")
	copy=$(awk -v p="$prog" '$2 == p { print $1 }' "$d/binds")
	set -- $(stat -c '%d %i' "${copy:-$prog}")
	key=$(printf '%016x' $(($1 * 4294967296 + $2)))
	line=$(./ebph profiles -W | grep "^$key ")
	case $line in
	*" normal "*|*"next call"*) ;;
	*) ./ebph normalize "$key" >/dev/null && echo "$att" >>"$out/normalized" ;;
	esac
}

# rounds train|test N: N rounds of the workload, each its own sh, as a
# user's commands are (one sh for all would be one long process, whose
# end ebph would see once).
rounds() {
	for r in $(seq "$2"); do
		in_copies "$d" sh "$work" "$d/w" "$1" "$r" >/dev/null 2>&1
	done
}

run_detector() { # run_detector DETECTOR
	out=$d/$1
	mkdir -p "$out" && install -d -m 0700 "$out/profiles"
	EBPH_ERR=$out/stderr ebph_start "$out/events" --json -v --every-anomaly --no-save \
		--save-interval 0 --profile-dir "$out/profiles" \
		--normal-wait "$wait" --detector "$1" ||
		{ cat "$out/stderr" >&2; refuse "ebph did not start"; }
	echo "evaluate-live: $1: $train training rounds"
	mark train-start
	rounds train "$train"
	mark train-end
	sleep $((wait_s + 1))
	./ebph profiles -W >"$out/profiles.test"
	echo "evaluate-live: $1: $test test rounds, then the attacks"
	mark test-start
	rounds test "$test"
	mark test-end
	./ebph profiles -W >"$out/profiles.attack"
	for a in $attacks; do
		ensure_normal "$a"
		mark "attack-$a-start"
		attack "$a" in_copies
		sleep 0.2
		mark "attack-$a-end"
	done
	rm -f "$d/attack/a.tar"
	sleep 1
	./ebph status >"$out/status"
	kill -INT "$pid" && wait "$pid"
	pid=
}

for det in $detectors; do
	run_detector "$det"
done
python3 tests/evaluate_live_report.py --dir "$d" --time $(($(date +%s) - started)) \
	--train "$train" --test "$test" --wait "$wait" $detectors
