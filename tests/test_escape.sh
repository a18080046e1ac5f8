#!/bin/sh
# tests/test_escape.sh - names that a process or a file chose cannot forge
# a line of ebph's text log, nor drive the terminal of an admin who reads
# `ebph profiles`, `show`, `ps` or `top` (issue 9, part 4).  A real ebph
# (needs root) sees an executable named with ESC, a newline and a fake
# "INFO:" line; every text output shows that name escaped
# (ebph_escape(): \x1b, \n), and nothing raw.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_escape

dir=$(mktemp -d /tmp/ebph-escape.XXXXXX)
log=$dir/log
pid=
evil_pid=
cleanup() {
	[ -n "$evil_pid" ] && kill "$evil_pid" 2>/dev/null
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

esc=$(printf '\033')
name=$(printf 'evil\033[31m\nINFO: fake line')
shown='evil\x1b[31m\nINFO: fake line'	# as ebph_escape() prints it
mkdir -m 0700 "$dir/bin"
# sleep, not the demo: it must still run when `ps` looks.
cp "$(command -v sleep)" "$dir/bin/$name"
evil=$dir/bin/$name

raw_free() { ! grep -q "$esc" "$1"; }		# no ESC byte in file $1
no_forged() { ! grep -q '^INFO: fake' "$1"; }	# no line made by the name

ebph_start "$log" --no-load --no-save
check "ebph attaches" grep -q "ebph attached" "$log"
"$evil" 60 &
evil_pid=$!
for i in $(seq 100); do
	grep -qF "new profile $shown (" "$log" && break
	sleep 0.1
done

# ---- the text log ---------------------------------------------------------
check "the log names the new profile escaped" grep -qF "new profile $shown (" "$log"
check "the log holds no raw ESC" raw_free "$log"
check "the name did not split the log: no forged 'INFO: fake' line" no_forged "$log"
check "every line of the log is one of ebph's" \
	sh -c '! grep -vqE "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} (DEBUG|INFO|WARNING|ERROR): " "$1"' sh "$log"

# ---- the commands -----------------------------------------------------------
./ebph profiles >"$dir/profiles" 2>&1
check "profiles: no raw ESC" raw_free "$dir/profiles"
check "profiles: no forged line" no_forged "$dir/profiles"
check "profiles: the end of the escaped path" grep -qF ': fake line' "$dir/profiles"
check "profiles: within 80 columns" sh -c '! grep -q "^.\{80,\}" "$1"' sh "$dir/profiles"
./ebph profiles -W >"$dir/wide" 2>&1
check "profiles -W: the whole path, escaped" grep -qF "$dir/bin/$shown" "$dir/wide"
check "profiles -W: no raw ESC" raw_free "$dir/wide"
check "profiles -W: no forged line" no_forged "$dir/wide"

./ebph show "$evil" >"$dir/show" 2>&1
check "show: the profile's name, escaped" grep -qF "profile     $shown (" "$dir/show"
check "show: the executable, escaped" grep -qF "executable  $dir/bin/$shown" "$dir/show"
check "show: no raw ESC" raw_free "$dir/show"
check "show: no forged line" no_forged "$dir/show"
check "show takes the name as it is printed" \
	sh -c './ebph show "$1" | grep -qF "executable  $2"' sh "$shown" "$dir/bin/$shown"

./ebph ps >"$dir/ps" 2>&1
# COMM is 15 wide, PROFILE 14: each cut after a whole escape.
check "ps: the comm and the profile, escaped and cut at a whole escape" \
	grep -qF "$evil_pid evil\\x1b[31m\\nI evil\\x1b[31m\\n " "$dir/ps"
check "ps: no raw ESC" raw_free "$dir/ps"
check "ps: no forged line" no_forged "$dir/ps"

# Normal, so that it is listed first, whatever else runs meanwhile.
./ebph normalize "$evil" >"$dir/normalize" 2>&1
check "normalize: the name, escaped" grep -qF "$shown (" "$dir/normalize"
check "normalize: no raw ESC" raw_free "$dir/normalize"
./ebph top -b >"$dir/top" 2>&1
check "top -b: the profile, escaped" grep -qF "> evil\\x1b[31m\\nIN normal" "$dir/top"
check "top -b: no raw ESC" raw_free "$dir/top"
check "top -b: no forged line" no_forged "$dir/top"

if [ "$fail" -ne 0 ]; then
	for f in log profiles wide show ps normalize top; do
		echo "---- $f"; grep -a -e evil -e fake "$dir/$f" | cat -A | head -5
	done
fi
test_end
