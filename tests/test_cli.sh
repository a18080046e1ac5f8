#!/bin/sh
# tests/test_cli.sh - one command line (root): every command's -h has
# examples and `ebph -h` lists replay; a short option means one thing in
# every command, and a letter that meant something else before is
# refused with its new spelling; every error says `ebph CMD: ...`, a
# usage error adds where to look and exits 2, a failure exits 1.  Then
# against a real running ebph: ps -T, profiles -W, show --pid of a
# process that runs, and columns that a UTF-8 name does not shift.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_cli
test_dir cli
out=$dir/out
err=$dir/err
nap=
trap '[ -n "$nap" ] && kill "$nap" 2>/dev/null; [ -n "$pid" ] && kill -INT "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT

# usage_error NAME ARGS...: `ebph ARGS` exits 2, says "ebph NAME: "
# first and where to look last (NAME "": ebph itself).
usage_error() {
	name=$1; shift
	run 2 "$*" ./ebph "$@"
	pre="ebph${name:+ $name}"
	check "$*: 'ebph${name:+ $name}:' first" [ "$(head -n 1 "$err" | cut -c1-$((${#pre} + 2)))" = "$pre: " ]
	check "$*: where to look last" [ "$(tail -n 1 "$err")" = "Try '$pre -h' for help." ]
	check "$*: two lines" [ "$(wc -l <"$err")" -eq 2 ]
	check "$*: nothing on stdout" [ ! -s "$out" ]
}

# ---- help ------------------------------------------------------------------
cmds="status ps profiles show normalize sensitize tolerize delete save set top replay run version export import"
for c in $cmds; do
	run 0 "$c -h" ./ebph $c -h
	check "$c -h: its usage" has "$out" "^Usage: ebph"
	check "$c -h: examples" has "$out" "^Examples:$"
	check "$c -h: an example of $c" has "$out" "^  .*ebph\( $c\)\{0,1\}\( \|$\)"
done
run 0 "ebph -h" ./ebph -h
check "ebph -h: lists replay" has "$out" "^  replay "
check "ebph -h: show --pid" has "$out" "show .*--pid PID"
check "ebph(8): replay in the synopsis" grep -q '^\.B ebph replay$' ebph.8
check "ebph(8): replay among the commands" grep -q '^\.BR replay ' ebph.8
check "ebph(8): show --pid" grep -q '^\.BR show .*\\-\\-pid' ebph.8

# ---- one letter, one meaning -------------------------------------------------
# Every "-X, --long" of every -h: a letter names one long option only.
for c in $cmds; do ./ebph $c -h; done | sed -n 's/^ *-\([A-Za-z]\), --\([a-z-]*\).*/\1 \2/p' |
	sort -u >"$dir/letters"
check "some letters found" [ "$(wc -l <"$dir/letters")" -gt 10 ]
check "each letter one long option: $(cut -d' ' -f1 "$dir/letters" | uniq -d | tr '\n' ' ')" \
	[ -z "$(cut -d' ' -f1 "$dir/letters" | uniq -d)" ]
for want in "T threads" "W wide" "p pid" "d profile-dir" "s save-interval" \
	    "w normal-wait" "o object" "j json" "t train"; do
	check "-${want% *} is --${want#* }" grep -qx "$want" "$dir/letters"
done
# The letters that moved: refused, with what to type now.
moved() { # moved CMD LETTER NOW ARGS...
	c=$1 l=$2 now=$3; shift 3
	usage_error "$c" "$c" "-$l" "$@"
	check "$c -$l: says what to type now" has "$err" "^ebph $c: -$l is now $now"
}
moved ps t "-T (--threads)"
moved profiles w "-W (--wide)"
moved show t "--test" ls
moved show s "--seqs" ls
moved top d "--delay" 2
moved replay s "--save" /tmp/x

# ---- errors: one style --------------------------------------------------------
usage_error "" nosuch
usage_error "" --bogus
usage_error "" -w 3y
for c in status ps profiles show normalize save set top replay version help; do
	usage_error "$c" "$c" --bogus
done
usage_error ps ps -x
usage_error status status extra
usage_error show show
usage_error show show a b
usage_error show show --pid
usage_error show show --pid 12x
usage_error show show --pid 1 ls
usage_error tolerize tolerize --pid 0
usage_error set set monitoring
usage_error set set nosuch 1
usage_error top top --delay 0
usage_error replay replay
usage_error help help nosuch
# A failure: one sentence, exit 1, no usage hint.
ebph_wait_free
for c in status ps "show ls" "show --pid 1" save "top -b"; do
	run 1 "$c with no ebph" ./ebph $c
	check "$c with no ebph: 'ebph ${c%% *}: no ebph is running'" \
		has "$err" "^ebph ${c%% *}: no ebph is running"
	check "$c with no ebph: one line" [ "$(wc -l <"$err")" -eq 1 ]
done

# ---- a running ebph ---------------------------------------------------------------
mkdir -m 0700 "$dir/profiles" "$dir/bin"
# A program whose name is wide UTF-8 (日本語, 3 characters, 9 bytes, 6
# columns): its comm and its profile's name.
wide=$(printf '\346\227\245\346\234\254\350\252\236')
cp "$(command -v sleep)" "$dir/bin/$wide"
ebph_start "$log" --no-load --no-save
check "ebph attaches" grep -q "ebph attached" "$log"
"$dir/bin/$wide" 30 &
nap=$!
for i in $(seq 50); do ./ebph ps | grep -q "^ *$nap " && break; sleep 0.1; done

run 0 "ps -T" ./ebph ps -T
check "ps -T: a TID column" has "$out" "^ *PID *TID COMM"
check "ps -T: the sleeper, its TID its PID" grep -Eq "^ *$nap +$nap " "$out"
run 0 "profiles -W" ./ebph profiles -W
check "profiles -W: the whole path" has "$out" " $dir/bin/"
# Columns: what follows COMM and PROFILE starts where the header's does.
for l in C.UTF-8 C; do
	LC_ALL=$l ./ebph ps >"$out" 2>"$err"
	head -n 1 "$out" >"$dir/head"
	grep "^ *$nap " "$out" >"$dir/row"
	check "ps ($l): the sleeper listed" [ -s "$dir/row" ]
	# STATE's column, in characters of the terminal (the output is
	# escaped: ASCII either way).
	h=$(awk '{ print index($0, "STATE") }' "$dir/head")
	r=$(awk '{ print index($0, " training ") + 1 }' "$dir/row")
	check "ps ($l): STATE where the header has it ($r, $h)" [ "$r" -eq "$h" ]
done

# show --pid: the profile of the process that PID runs, as by name.
run 0 "show --pid" ./ebph show --pid "$nap"
check "show --pid: its executable" has "$out" "^executable  $dir/bin/"
head -n 2 "$out" >"$dir/bypid"
run 0 "show -p" ./ebph show -p "$nap"
head -n 2 "$out" | cmp -s - "$dir/bypid"
check "show -p: the same profile as --pid" [ $? -eq 0 ]
key=$(printf '%016x' "$(profile_key "$dir/bin/$wide")")
run 0 "show KEY" ./ebph show "$key"
head -n 2 "$out" | cmp -s - "$dir/bypid"
check "show --pid: the same profile as by key" [ $? -eq 0 ]
run 0 "show --pid --json" ./ebph show --pid "$nap" --json
check "show --pid --json: its key" has "$out" "\"profile\":\"$key\""
run 0 "show --pid --test" ./ebph show --pid "$nap" --test
check "show --pid --test: the test set" has "$out" "^test set: "
# Our own shell is traced too, if it made a call since ebph attached.
run 0 "show --pid \$\$" ./ebph show --pid $$
check "show --pid \$\$: a profile" has "$out" "^profile "
# No such process, or one not traced: a failure, said.
run 1 "show --pid of no process" ./ebph show --pid 1073741823
check "show --pid of no process: said" has "$err" "^ebph show: PID 1073741823 is not traced"
run 0 "top -b --delay 2" ./ebph top -b --delay 2
check "top -b: a screen" has "$out" "^ebph top - PID $pid"
run 2 "top -d 2" ./ebph top -d 2 -b
kill "$nap" 2>/dev/null
wait "$nap" 2>/dev/null
nap=
ebph_stop_end
