#!/bin/sh
# tests/test_quota.sh - a flood of executables by one user cannot fill the
# profiles map (needs root).
#
# Issue 9's flood at small scale, under `ebph run --owner-quota 4`: uid
# 1001 copies binaries into a directory it owns (so it owns them, and
# they are its profiles) and runs them.
#
#   recycling  4 copies of true (a few dozen calls each: profiles that
#              learned almost nothing) fill its quota; its next program,
#              a "build", is refused once, then ebph run recycles the
#              trivial profiles and the build gets one
#   quota      10 more programs (replay_prog: 150 calls, worth a
#              profile): the user still has 4 profiles; after `ebph
#              delete` of two, its next two programs have one
#   root       root's new programs are still profiled: root is not limited
#   report     one line for all of it, with the uid, not one per exec
#              (a line an owner every 10 s at most)
#   restart    the user's trivial profiles were not saved (root's are:
#              it is not limited); started again with a
#              quota of 2, only 2 of the user's saved profiles load, the
#              rest is reported once and left on disk
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_quota

dir=$(mktemp -d /tmp/ebph-quota.XXXXXX)
log=$dir/log
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
U="setpriv --reuid=1001 --regid=1001 --clear-groups"
ebph=${EBPH_BIN:-./ebph}

chmod 0755 "$dir"
mkdir -m 0700 "$dir/profiles"
mkdir -m 0755 "$dir/u"
chown 1001:1001 "$dir/u"

# The profile key of FILE, as `ebph profiles` prints it.
key_of() {
	printf '%016x' "$(profile_key "$1")"
}
# How many of the files FILE... have a profile in the running ebph.
profiled() {
	"$ebph" profiles >"$dir/profiles.txt" || return 1
	n=0
	for f in "$@"; do
		grep -q "^$(key_of "$f") " "$dir/profiles.txt" && n=$((n + 1))
	done
	echo $n
}
# ebph looks at the owners' refusals once a second, and before a save
# asked for with `ebph save`.  So once that save is done, ebph has seen
# every refusal made before it.
ebph_sync() {
	"$ebph" save >/dev/null
}

: >"$log"
check "ebph starts" ebph_start "$log" --profile-dir "$dir/profiles" \
	--save-interval 0 --owner-quota 4
[ -n "$pid" ] || { test_end; exit 1; }

# A profile is charged to whoever first runs the program: cp, which the
# user runs below, is root's once root has run it.
cp --version >/dev/null

# Recycling: the user's quota full of profiles that learned nothing.
trivial=
for i in 1 2 3 4; do
	$U cp /bin/true "$dir/u/true$i" && $U "$dir/u/true$i"
	trivial="$trivial $dir/u/true$i"
done
check "4 trivial profiles" test "$(profiled $trivial)" = 4
$U cp tests/replay_prog "$dir/u/build"
$U "$dir/u/build"
# (Whether it has a profile right after is a race: ebph run may have
# recycled before the build's last call, which tries again.)
check "the build is refused over the quota, reported with the uid" \
	wait_log "uid 1001: [0-9]* executions* of its not profiled: over its quota"
said=$(date +%s)
got=0
for i in $(seq 50); do
	$U "$dir/u/build"
	got=$(profiled "$dir/u/build")
	[ "$got" = 1 ] && break
	sleep 0.1
done
check "a trivial profile recycled: the build has a profile now" test "$got" = 1
n=$(( $(profiled $trivial) + got ))
check "at most 4 profiles still (has $n)" test "$n" -le 4

# The quota: 10 more programs, each worth a profile.
flood=
for i in $(seq 10); do
	$U cp tests/replay_prog "$dir/u/prog$i" && $U "$dir/u/prog$i"
	flood="$flood $dir/u/prog$i"
done
n=$(( $(profiled $trivial $flood) + 1 ))
check "the user has 4 profiles after 15 programs (has $n)" test "$n" = 4

# `ebph delete` gives the owner its place back: after two, its next two
# programs have one each (the second a trivial one, kept to the save).
deleted=0
for f in $flood; do
	grep -q "^$(key_of "$f") " "$dir/profiles.txt" || continue
	"$ebph" delete "$(key_of "$f")" >/dev/null && deleted=$((deleted + 1))
	[ "$deleted" = 2 ] && break
done
$U cp tests/replay_prog "$dir/u/after_delete" && $U "$dir/u/after_delete"
$U cp /bin/true "$dir/u/true5" && $U "$dir/u/true5"
check "after deletes, the user's next programs are profiled" \
	test "$(profiled "$dir/u/after_delete" "$dir/u/true5")" = 2
flood="$flood $dir/u/after_delete"

# Root's new program, after the flood; and a trivial one of root's.
cp tests/replay_prog "$dir/rootprog"
"$dir/rootprog"
check "root's new program is profiled" test "$(profiled "$dir/rootprog")" = 1
cp /bin/true "$dir/roottrue"
"$dir/roottrue"
check "root's trivial program is profiled" test "$(profiled "$dir/roottrue")" = 1

# At most a line an owner each REPORT_INTERVAL (10 s): one, unless this
# machine was slow enough for the flood to outlast it.
ebph_sync
n=$(grep -c "uid 1001:" "$log")
max=$(( 1 + ($(date +%s) - said) / 10 ))
check "one report line for the flood, not one per exec (got $n, at most $max)" \
	test "$n" -le "$max"

# Restart.
kill -INT "$pid"
wait "$pid"
pid=
saved=$(ls "$dir/profiles" | wc -l)
n=0
for f in $trivial "$dir/u/true5"; do
	[ -e "$dir/profiles/$(key_of "$f").prof" ] && n=$((n + 1))
done
check "no trivial profile of the user's saved ($n were)" test "$n" = 0
check "root's trivial profile saved, as any of root's" \
	test -e "$dir/profiles/$(key_of "$dir/roottrue").prof"
n=0
for f in $flood "$dir/u/build"; do
	[ -e "$dir/profiles/$(key_of "$f").prof" ] && n=$((n + 1))
done
check "the user's profiles worth it saved ($n)" test "$n" -ge 1 -a "$n" -le 4

check "ebph starts again, quota 2" ebph_start "$log.2" --profile-dir "$dir/profiles" \
	--save-interval 0 --owner-quota 2
[ -n "$pid" ] || { test_end; exit 1; }
n=$(profiled $flood "$dir/u/build")
check "2 of the user's saved profiles loaded (got $n)" test "$n" = 2
check "the rest reported once, with the uid" \
	test "$(grep -c "uid 1001: [0-9]* saved profiles not loaded.*left on disk" "$log.2")" = 1
check "root's saved profile loaded" test "$(profiled "$dir/rootprog")" = 1

# Files of root's seen through overlays a user mounts in a namespace of
# his own: a new device, so a new profile, each time, and root's as the
# file's owner.  They are charged to the user who runs them.
mkdir -p "$dir/low" && cp tests/replay_prog "$dir/low/prog" && chmod 755 "$dir" "$dir/low"
setpriv --reuid=1002 --regid=1002 --clear-groups unshare -rm sh -c '
	for i in 1 2 3 4 5 6; do
		d=$(mktemp -d) && mkdir $d/u $d/w $d/m &&
		mount -t overlay x -o lowerdir='"$dir/low"',upperdir=$d/u,workdir=$d/w $d/m &&
		$d/m/prog
	done' 2>"$dir/ovl.err"
ebph_sync
check "overlays of root's files are charged to the user who runs them: refused, uid 1002" \
	wait_log "uid 1002: [0-9]* executions* of its not profiled: over its quota" "$log.2"
kill -INT "$pid"
wait "$pid"
pid=
check "the files not loaded left on disk" test "$(ls "$dir/profiles" | wc -l)" -ge "$saved"

test_end
