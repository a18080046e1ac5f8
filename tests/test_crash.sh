#!/bin/sh
# tests/test_crash.sh - SIGKILL during saves, many rounds (needs root).
#
# ebph runs with --detector both and --normal-wait 1s on a profile
# directory of its own, and with it 24 copies of tests/demo (half of them
# run alike every time, so that they freeze and turn normal; half with
# arguments that change, so that they keep learning), beside whatever
# else the machine runs: some dozens of profiles with rows and
# sequences.  Each round:
#
#   1. ebph starts on the directory the last round left: it must load
#      every profile file there ("loaded N profiles", N the number of
#      *.prof files) and refuse none.  The loader accepts a file only
#      at exactly the size its header gives and with the checksum of all
#      its bytes, so a file torn by the kill (a prefix, or two versions
#      mixed) is refused: every file is the old version of its profile or
#      the new one.  And a temporary file left by the kill (.NAME.tmp) is
#      not counted as a profile;
#   2. the demos run, so that the next save changes the files (every
#      fifth round a save is timed, tests/killsave -t, and they run again);
#   3. a save is triggered (SIGUSR1, as `ebph save` does) and ebph gets a
#      SIGKILL after a random delay, in microseconds, shorter than the
#      last timed save (tests/killsave).
#
# A save renames every file it writes (profile_save()), so the inodes
# tell where the kill landed: before the save wrote anything, in the
# middle (some files renamed, or a temporary file left), or after it.
# At the end one more start must load everything, and a clean stop must
# leave no temporary file beside a profile it saved.
#
# A round takes half a second on an idle machine (300 ms of it the kernel
# tearing down the killed ebph's programs and maps), a second when other
# work keeps the disk busy (a save is an fsync per file).  60 rounds, or as many as fit in
# 30 seconds on a busy machine but at least 20 (EBPH_CRASH_ROUNDS=N and
# EBPH_CRASH_SECONDS=S change that).  A copy of ebph whose saves write
# in place (EBPH_BIN=FILE runs FILE instead of ./ebph) fails about one
# round in seven: a file left empty or short.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_crash

dir=$(mktemp -d /tmp/ebph-crash.XXXXXX)
log=$dir/log
prof=$dir/profiles
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

rounds=${EBPH_CRASH_ROUNDS:-60}
seconds=${EBPH_CRASH_SECONDS:-30}
mkdir -m 0700 "$prof" "$dir/bin"
for i in $(seq 24); do cp tests/demo "$dir/bin/demo$i"; done

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Profile files and temporary files in the directory (ls skips dotfiles).
nfiles() { ls "$prof" | grep -c '\.prof$'; }
ntmp() { ls -A "$prof" | grep -c '^\..*\.tmp$'; }
inodes() { ls -i "$prof" | awk '/\.prof$/ { print $2, $1 }' | sort; }

# start: ebph on the directory; the number of profiles it loaded must be
# the number of files there, with none refused.
start() {
	: >"$log"
	if ! ebph_start "$log" --profile-dir "$prof" --detector both \
			--normal-wait 1s --save-interval 0; then
		bad "round $r: ebph did not start"
		sed 's/^/  | /' "$log"
		return 1
	fi
	files=$(nfiles)
	loaded=$(sed -n 's/.* loaded \([0-9]*\) profiles from .*/\1/p' "$log")
	if grep -q "refused" "$log" || [ "$loaded" != "$files" ]; then
		bad "round $r: loaded ${loaded:-no} profiles of $files files, with $(grep -c refused "$log") refused"
		grep "refused" "$log" | head -n 5 | sed 's/^/  | /'
		return 1
	fi
	ok
	checked=$((checked + files))
}

demos() {
	for i in $(seq 12); do "$dir/bin/demo$i" >/dev/null; done
	for i in $(seq 13 24); do "$dir/bin/demo$i" "$r" $((r % i)) >/dev/null; done
}

t0=$(now_ms)
checked=0 tmps=0 before=0 during=0 after=0 max_save=0
r=1
while [ $r -le $rounds ]; do
	start || break
	demos
	# A save is timed every 5 rounds: the kills should land inside one,
	# which takes longer as profiles come (and on a busy disk).
	if [ $((r % 5)) = 1 ]; then
		save_us=$(tests/killsave -t "$pid") ||
			{ bad "round $r: the timed save failed"; break; }
		[ "$save_us" -gt "$max_save" ] && max_save=$save_us
		demos
	fi
	inodes >"$dir/old"
	tests/killsave "$pid" "$save_us" >/dev/null ||
		{ bad "round $r: could not kill ebph during a save"; break; }
	wait "$pid" 2>/dev/null
	rc=$?
	pid=
	[ $rc -eq 137 ] || { bad "round $r: ebph exited with status $rc, not by SIGKILL"; break; }
	# Where did the kill land?  Count the files the save renamed.
	inodes >"$dir/new"
	total=$(grep -c . "$dir/new")
	same=$(comm -12 "$dir/old" "$dir/new" | grep -c .)
	tmp=$(ntmp)
	tmps=$((tmps + tmp))
	if [ "$tmp" -gt 0 ] || { [ "$same" -gt 0 ] && [ "$same" -lt "$total" ]; }; then
		during=$((during + 1))
	elif [ "$same" -eq "$total" ]; then
		before=$((before + 1))
	else
		after=$((after + 1))
	fi
	r=$((r + 1))
	[ $r -gt 20 ] && [ $(( $(now_ms) - t0 )) -gt $((seconds * 1000)) ] && break
done
t1=$(now_ms)
rounds=$((r - 1))

# The state the last kill left: loaded whole, then saved cleanly.
if [ "$fail" -eq 0 ] && start; then
	kill -INT "$pid"
	wait "$pid" 2>/dev/null
	rc=$?
	pid=
	check "ebph exits 0 on SIGINT after $rounds kills" [ $rc -eq 0 ]
	left=0
	for t in $(ls -A "$prof" | grep '^\..*\.tmp$'); do
		name=${t#.}
		[ -e "$prof/${name%.tmp}" ] && left=$((left + 1))
	done
	check "the last save removed every temporary file of a profile it saved ($left left)" \
		[ $left -eq 0 ]
fi
check "some kills landed in the middle of a save ($during of $rounds)" [ "$during" -gt 0 ]

echo "crash: $rounds rounds killed in $((t1 - t0)) ms: $during in the middle of a save, $before before it wrote a file, $after after it; $tmps temporary files left by the kills"
echo "crash: $checked profile files loaded after kills, $(nfiles) at the end, and $(ntmp) temporary files of profiles not saved since; the longest save $max_save us"

test_end
