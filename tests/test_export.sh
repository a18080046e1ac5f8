#!/bin/sh
# tests/test_export.sh - profiles that travel, against a real running ebph
# (root): `ebph export` and `ebph import`, and `ebph export --seccomp`.
#
# A program (tests/export_prog) is trained to normal and exported.  Then
# "another machine": the same contents at the same path, but a new inode,
# and no profile of it.  Imported into a profile directory, and into a
# fresh running ebph, it is normal from its first exec: a plain run is no
# anomaly, its one extra call is; and so under the sequence detector,
# whose sets travel with the pairs.  A copy with one byte changed, a
# corrupt file, a truncated one, one that is not a profile at all, and a
# program that is not there are each refused (exit 1, one sentence),
# and nothing is written.  The allow-list is parsed by python3's json,
# and the program runs under it (tests/seccomp_run installs it as a
# runtime would): it works, and its extra call fails with EPERM.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_export

dir=$(mktemp -d /tmp/ebph-export.XXXXXX)
log=$dir/log
out=$dir/out
err=$dir/err
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

hasnt() { ! grep -q -- "$2" "$1"; }
keyof() { printf '%016x' "$(profile_key "$1")"; }
# stop: the test's ebph, as ebph_stop_end does, but the test goes on.
stop() {
	kill -INT "$pid" && wait "$pid"
	pid=
}
# first_execs WHAT PROG KEY: an imported profile (KEY) tests PROG from
# its first exec: a plain run is no anomaly, one with its extra call is.
first_execs() {
	"$2" >/dev/null &
	plain=$!
	wait $plain
	"$2" extra >/dev/null &
	x=$!
	wait $x
	check "$1: the extra call is an anomaly from the first exec" \
		wait_for 5 grep -q "PID $x (export_prog, profile $3): anomaly in getpriority" "$log"
	check "$1: the first plain exec is no anomaly" [ "$(anomalies $plain)" -eq 0 ]
}
# anomalies PID: the anomaly lines of process PID in $log.
anomalies() { grep -c "PID $1 (export_prog, profile [0-9a-f]*): anomaly" "$log"; }

mkdir -m 0700 "$dir/profiles" "$dir/bin" "$dir/dir2" "$dir/dir3" "$dir/dir4"
prog=$dir/bin/export_prog
cp tests/export_prog "$prog"
key=$(keyof "$prog")

# ---- usage, and no ebph running -----------------------------------------
ebph_wait_free || bad "another ebph kept running for 2 minutes"
run 0 "export -h" ./ebph export -h
check "export -h: the usage on stdout" has "$out" "Usage: ebph export"
run 0 "import -h" ./ebph import -h
check "import -h: the usage on stdout" has "$out" "Usage: ebph import"
run 0 "help export" ./ebph help export
check "help export: as export -h" has "$out" "Usage: ebph export"
run 0 "help import" ./ebph help import
check "help import: as import -h" has "$out" "Usage: ebph import"
run 2 "export with no profile" ./ebph export
check "export: says what is missing" has "$err" "^ebph export: missing argument"
run 2 "export two profiles" ./ebph export a b
run 2 "export --bogus" ./ebph export --bogus "$prog"
check "export --bogus: where to look" has "$err" "Try 'ebph export -h' for help."
run 2 "export -o" ./ebph export -o "$dir/x" "$prog"
check "export -o: -o is --object everywhere" has "$err" "^ebph export: -o is --object in every command: write --output FILE"
run 2 "import with no file" ./ebph import
check "import: says what is missing" has "$err" "^ebph import: missing argument"
run 2 "import --bogus" ./ebph import --bogus x
run 1 "export with no ebph running" ./ebph export "$prog"
check "export with no ebph running: says so" has "$err" "no ebph is running"
run 1 "import as nobody" setpriv --reuid=65534 --regid=65534 --clear-groups \
	./ebph import -d "$dir/dir2" "$dir/none"
check "import as nobody: must run as root" has "$err" "^ebph import: must run as root"

# ---- train, export ----------------------------------------------------------
ebph_start "$log" --profile-dir "$dir/profiles" --normal-wait 1h --save-interval 0
check "ebph attaches" grep -q "ebph attached" "$log"
for i in $(seq 10); do "$prog" >/dev/null; done
run 0 "normalize" ./ebph normalize "$prog"

run 0 "export" ./ebph export --output "$dir/prog.ebph" "$prog"
check "export: nothing on stdout with --output" [ ! -s "$out" ]
check "export: says what it wrote" grep -Eq "^ebph export: export_prog \($key\), normal: [1-9][0-9]* train rows, [1-9][0-9]* test rows, 0 sequences; sha256 $(sha256sum "$prog" | cut -c1-64); [0-9]+ bytes to $dir/prog.ebph$" "$err"
check "export: the file's magic" [ "$(head -c 8 "$dir/prog.ebph")" = EBPHPORT ]
check "export: the program's path in it" grep -q "$prog" "$dir/prog.ebph"
./ebph export "$prog" >"$dir/stdout.ebph" 2>/dev/null
# The same bytes but normal_time, which goes to wall-clock time by a
# CLOCK_REALTIME - CLOCK_BOOTTIME that moves by nanoseconds between reads.
check "export: to stdout, the same size" [ "$(stat -c %s "$dir/stdout.ebph")" = "$(stat -c %s "$dir/prog.ebph")" ]
# cmp -l counts from 1: the field is at the header, the path, then 64.
t=$((64 + ${#prog} + 64 + 1)) e=$(($(stat -c %s "$dir/prog.ebph") - 16))
check "export: to stdout, the same profile" [ "$(cmp -l "$dir/prog.ebph" "$dir/stdout.ebph" | \
	awk -v t=$t -v e=$e '$1 < t || $1 >= t + 8 && $1 <= e' | wc -l)" -eq 0 ]
run 1 "export an unknown profile" ./ebph export no-such-program
check "export unknown: one sentence" has "$err" "no profile named 'no-such-program'"

# ---- --seccomp -------------------------------------------------------------
run 0 "export --seccomp" ./ebph export --seccomp --output "$dir/prog.json" "$prog"
cp "$err" "$dir/systemd"
check "seccomp: parsed by python3's json, the OCI fields" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["defaultAction"] == "SCMP_ACT_ERRNO", j["defaultAction"]
assert j["defaultErrnoRet"] == 1
assert j["architectures"] == ["SCMP_ARCH_X86_64"], j["architectures"]
assert len(j["syscalls"]) == 1
s = j["syscalls"][0]
assert s["action"] == "SCMP_ACT_ALLOW"
n = s["names"]
assert n == sorted(set(n)), "sorted, each once"
for c in ("execve", "write", "openat", "read", "exit_group"):
	assert c in n, c + " missing"
assert "getpriority" not in n
' "$dir/prog.json"
check "seccomp: says how many calls" grep -Eq "^ebph export: export_prog \($key\): [1-9][0-9]* calls allowed; for a systemd unit:$" "$dir/systemd"
check "seccomp: the systemd lines, the same names" python3 -c '
import json, sys
names = json.load(open(sys.argv[1]))["syscalls"][0]["names"]
lines = open(sys.argv[2]).read().splitlines()
f = [l for l in lines if l.startswith("SystemCallFilter=")]
assert len(f) == 1
assert f[0][len("SystemCallFilter="):].split(" ") == names
assert "SystemCallErrorNumber=EPERM" in lines
' "$dir/prog.json" "$dir/systemd"

run 0 "the program without a filter" "$prog" extra
check "without a filter: getpriority allowed" has "$out" "^getpriority: allowed$"
run 0 "the program under its allow-list" tests/seccomp_run "$dir/prog.json" "$prog"
check "under its allow-list: it works" has "$out" "^export_prog: works$"
run 0 "the program's extra call under its allow-list" tests/seccomp_run "$dir/prog.json" "$prog" extra
check "under its allow-list: the extra call fails with EPERM" \
	has "$out" "^getpriority: Operation not permitted$"
check "under its allow-list: and the rest works" has "$out" "^export_prog: works$"
# Without execve the runtime could not start it: the list must have it.
grep -v '"execve"' "$dir/prog.json" >"$dir/noexec.json"
run 126 "an allow-list without execve" tests/seccomp_run "$dir/noexec.json" "$prog"
check "without execve: the exec fails" has "$err" "Operation not permitted"

# The trained ebph, which saw the training, reports the extra call too.
"$prog" extra >/dev/null &
x=$!
wait $x
check "trained: the extra call is an anomaly" \
	wait_for 5 grep -q "PID $x (export_prog, profile $key): anomaly in getpriority" "$log"
stop

# ---- another machine: the same contents at the same path, a new inode ------
cp "$prog" "$prog.new" && mv "$prog.new" "$prog"
newkey=$(keyof "$prog")
check "the copy has another key" [ "$newkey" != "$key" ]

# into a profile directory (no ebph running)
run 0 "import -d" ./ebph import -d "$dir/dir2" "$dir/prog.ebph"
check "import -d: says so" has "$out" "^$prog ($newkey): normal, imported into $dir/dir2/$newkey.prof$"
check "import -d: the file, named by the local key" test -f "$dir/dir2/$newkey.prof"
run 1 "import -d twice" ./ebph import -d "$dir/dir2" "$dir/prog.ebph"
check "import -d twice: refused, the file kept" has "$err" "^ebph import: $dir/dir2/$newkey.prof exists"
mkdir -m 0777 "$dir/open"
run 1 "import -d into a directory others can write" ./ebph import -d "$dir/open" "$dir/prog.ebph"
check "import -d open: nothing written" [ -z "$(ls "$dir/open")" ]

# into a fresh running ebph, with no profile of its own
ebph_start "$log" --profile-dir "$dir/dir3" --normal-wait 1h --save-interval 0
run 0 "import into the running ebph" ./ebph import "$dir/prog.ebph"
check "import: says so" has "$out" "^$prog ($newkey): normal, imported into the running ebph$"
check "import: in the audit trail" wait_for 5 grep -q "audit: uid 0.*: import $prog ($newkey): no profile -> normal$" "$log"
run 0 "profiles after import" ./ebph profiles -W
check "import: the profile, normal, under the local key" grep -Eq "^$newkey normal .* $prog$" "$out"
run 1 "import twice" ./ebph import "$dir/prog.ebph"
check "import twice: refused" has "$err" "^ebph import: $prog has a profile in the running ebph already ($newkey, normal)"
first_execs imported "$prog" "$newkey"
check "imported: no new profile was made" hasnt "$log" "new profile export_prog"
stop

# the profile directory imported into, at the next start
ebph_start "$log" --profile-dir "$dir/dir2" --normal-wait 1h --save-interval 0
check "dir2: loaded" grep -q "loaded 1 profiles from $dir/dir2" "$log"
first_execs dir2 "$prog" "$newkey"
stop

# ---- the sequence detector's sets travel too ---------------------------------
mkdir -m 0700 "$dir/bin2" "$dir/seqs" "$dir/seqs2"
sprog=$dir/bin2/export_prog
cp tests/export_prog "$sprog"
ebph_start "$log" --profile-dir "$dir/seqs" --detector both --normal-wait 1h --save-interval 0
for i in $(seq 10); do "$sprog" >/dev/null; done
run 0 "seqs: normalize" ./ebph normalize "$sprog"
run 0 "seqs: export" ./ebph export --output "$dir/seqs.ebph" "$sprog"
check "seqs: exported with its sequences" grep -Eq "[1-9][0-9]* train rows, [1-9][0-9]* test rows, [1-9][0-9]* sequences;" "$err"
stop
cp "$sprog" "$sprog.new" && mv "$sprog.new" "$sprog"
skey=$(keyof "$sprog")
ebph_start "$log" --profile-dir "$dir/seqs2" --detector seqs --normal-wait 1h --save-interval 0
run 0 "seqs: import" ./ebph import "$dir/seqs.ebph"
run 0 "seqs: show --seqs --test" ./ebph show --seqs --test "$skey"
check "seqs: the test set of sequences came with it" grep -Eq "^sequences +[1-9][0-9]* train, [1-9][0-9]* test" "$out"
first_execs seqs "$sprog" "$skey"
stop

# ---- refused: nothing is written -------------------------------------------
size=$(stat -c %s "$dir/prog.ebph")
cp "$dir/prog.ebph" "$dir/bad.ebph"
printf '\377' | dd of="$dir/bad.ebph" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
run 1 "import a corrupt file" ./ebph import -d "$dir/dir4" "$dir/bad.ebph"
check "corrupt: the reason" has "$err" "^ebph import: $dir/bad.ebph: refused: checksum mismatch$"
head -c $((size - 1)) "$dir/prog.ebph" >"$dir/short.ebph"
run 1 "import a truncated file" ./ebph import -d "$dir/dir4" "$dir/short.ebph"
check "truncated: the reason" has "$err" "refused: short file"
run 1 "import what is not a profile" ./ebph import -d "$dir/dir4" /etc/passwd
check "not a profile: the reason" has "$err" "refused: bad magic"
run 1 "import a missing file" ./ebph import -d "$dir/dir4" "$dir/none"
check "missing file: the reason" has "$err" "refused: No such file"
# The program with one byte changed (in place: the same path and inode).
psize=$(stat -c %s "$prog")
printf 'X' | dd of="$prog" bs=1 seek=$((psize - 1)) conv=notrunc 2>/dev/null
run 1 "import for a changed program" ./ebph import -d "$dir/dir4" "$dir/prog.ebph"
check "changed program: the reason, both hashes" grep -Eq "^ebph import: $dir/prog.ebph: refused: $prog here is not the program the profile learned \(SHA-256 $(sha256sum "$prog" | cut -c1-64), $psize bytes; the profile's: [0-9a-f]{64}, $psize bytes\)$" "$err"
rm "$prog"
run 1 "import for a program that is not here" ./ebph import -d "$dir/dir4" "$dir/prog.ebph"
check "no program: the reason" has "$err" "refused: its program $prog is not here"
check "refused: nothing written" [ -z "$(ls "$dir/dir4")" ]

if [ "$fail" -ne 0 ]; then
	echo "---- last ebph log ----"
	cat "$log"
fi
test_end
