#!/bin/sh
# tests/test_top.sh - `ebph top` in a real terminal: tmux, 80x24 (root).
#
# It must draw every section inside 80x24, redraw every second, move the
# selection with j/k and the arrows, tolerize and delete the selected
# profile (the maps change), and quit on q and on Ctrl-C with exit
# status 0 and the terminal as it was (stty settings compared before and
# after, in the same pane), each change in ebph's log (the audit
# trail).  Also -b, and the refusals.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_top

dir=$(mktemp -d /tmp/ebph-top.XXXXXX)
log=$dir/log
sock=ebph-test-$$
pid=
tmx() { tmux -L "$sock" "$@"; }
cleanup() {
	tmx kill-server 2>/dev/null
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

mkdir -m 0700 "$dir/bin"
cp tests/demo "$dir/bin/demo"
demo=$dir/bin/demo
key=$(printf '%016x' "$(profile_key "$demo")")

screen() { tmx capture-pane -p -t top >"$dir/screen"; }
on_screen() { screen; grep -q -- "$1" "$dir/screen"; }

# ---- refusals ------------------------------------------------------------
ebph_wait_free
./ebph top -b >"$dir/out" 2>&1
check "top with no ebph: exit 1" [ $? -eq 1 ]
check "top with no ebph: says so" grep -q "no ebph is running" "$dir/out"
./ebph top --delay 0 >"$dir/out" 2>&1
check "top --delay 0: exit 2" [ $? -eq 2 ]
check "top --delay 0: said" grep -q "^ebph top: invalid --delay '0' (1 to 60 seconds)$" "$dir/out"
./ebph top extra >"$dir/out" 2>&1
check "top extra: exit 2" [ $? -eq 2 ]

# ---- a running ebph, and something to show ---------------------------------
# An hour's normal wait, so that the demo, made normal by a command, is
# the only normal profile: first in top's list, whatever else runs.
ebph_start "$log" --no-load --no-save --normal-wait 1h --tolerize-limit 100
check "ebph attaches" grep -q "ebph attached" "$log"
for i in $(seq 5); do "$demo" >/dev/null; done
./ebph normalize "$demo" >/dev/null
check "the demo's profile is normal" sh -c "./ebph profiles | grep -q '^$key normal'"
"$demo" x >/dev/null
check "an anomaly" wait_for 5 grep -q "(demo, profile [0-9a-f]*): anomaly in write" "$log"

./ebph top </dev/null >"$dir/out" 2>&1
check "top without a terminal: exit 1" [ $? -eq 1 ]
check "top without a terminal: says so" grep -q "needs a terminal" "$dir/out"
./ebph top -b >"$dir/out" 2>&1
check "top -b: exit 0" [ $? -eq 0 ]
check "top -b: 23 lines (the screen but the keys)" [ "$(wc -l <"$dir/out")" -eq 23 ]
check "top -b: within 80 columns" [ "$(awk 'length > 79' "$dir/out" | wc -l)" -eq 0 ]
check "top -b: no escapes" [ "$(grep -c "$(printf '\033')" "$dir/out")" -eq 0 ]
check "top -b: the detector in the summary" \
	grep -q "^ebph top - PID $pid, up .*, monitoring on, detector pairs " "$dir/out"
check "top -b: no sequence count without their detector" \
	grep -Eq "^Calls [0-9]+; rows [0-9]+ \([0-9]+ KiB\); events dropped" "$dir/out"

# ---- in tmux ----------------------------------------------------------------
# The pane runs top between two `stty -g`: same settings, same terminal.
cat >"$dir/pane.sh" <<EOF
before=\$(stty -g)
./ebph top
rc=\$?
[ "\$(stty -g)" = "\$before" ] && echo "TERMINAL RESTORED" || echo "TERMINAL CHANGED"
echo "TOP EXITED \$rc"
exec sleep 60
EOF
tmx new-session -d -s top -x 80 -y 24 "sh $dir/pane.sh"
check "top draws its summary" wait_for 5 on_screen "^ebph top - PID $pid, up "
check "top shows the profiles" on_screen "^  PROFILE  *STATE  *TRAIN  *STABLE ANOM NORMAL  *KEY"
check "the demo's profile, normal, listed first" on_screen "^> demo  *normal .* $key"
check "the demo's anomaly" on_screen "^[0-9:]\{8\} *[0-9]* demo  *demo  *write "
check "the tasks by LFC" on_screen "^HIGH LFC  *TID COMM"
check "the keys on the last line" on_screen "q quit  j/k select"
check "the screen fits 24 lines" [ "$(wc -l <"$dir/screen")" -le 24 ]
check "the screen fits 80 columns" [ "$(awk 'length > 80' "$dir/screen" | wc -l)" -eq 0 ]
first=$(head -n 1 "$dir/screen")
sleep 2.2
screen
check "top redraws every second (the clock moves)" \
	[ "$(head -n 1 "$dir/screen")" != "$first" ]

# The demo is first.  Up is pressed thrice: a profile that appears
# meanwhile may land between the first and the second line.
tmx send-keys -t top j
check "j moves the selection down" wait_for 3 on_screen "^  demo .* $key"
tmx send-keys -t top Up Up Up
check "the up arrow moves it back" wait_for 3 on_screen "^> demo .* $key"
tmx send-keys -t top Down
check "the down arrow moves it down" wait_for 3 on_screen "^  demo .* $key"
# An arrow split across reads, as a slow link delivers it.
for i in 1 2 3; do
	tmx send-keys -t top Escape; sleep 0.2
	tmx send-keys -t top -l '['; sleep 0.2
	tmx send-keys -t top -l 'A'
done
check "an arrow in pieces still moves it" wait_for 3 on_screen "^> demo .* $key"
tmx send-keys -t top t
check "t tolerizes the selected profile" wait_for 3 on_screen "tolerize demo: training again"
check "the kernel's profile is training" wait_for 3 sh -c "./ebph profiles | grep -q '^$key training'"
check "t is in ebph's log: who, and normal -> training" wait_for 3 grep -Eq \
	"audit: uid 0( \(.*\))?, PID [0-9]+: tolerize $demo \($key\): normal, .* -> training, " "$log"
check "the selection follows it down the list" wait_for 3 on_screen "^> demo  *training .* $key"
tmx send-keys -t top d
check "d asks first" wait_for 3 on_screen "delete demo? y/n"
tmx send-keys -t top n
check "n at the question does nothing" wait_for 3 on_screen "nothing done"
check "the profile is still there" sh -c "./ebph profiles | grep -q '^$key '"
check "still selected" on_screen "^> demo .* $key"
tmx send-keys -t top d
wait_for 3 on_screen "delete demo? y/n"
tmx send-keys -t top y
check "d y deletes the selected profile" wait_for 3 on_screen "delete demo: deleted"
check "the profile is gone from the maps" sh -c "! ./ebph profiles | grep -q '^$key '"
check "d y is in ebph's log" wait_for 3 grep -Eq \
	"audit: uid 0( \(.*\))?, PID [0-9]+: delete $demo \($key\): .* -> deleted$" "$log"

tmx send-keys -t top q
check "q quits with exit status 0" wait_for 5 on_screen "TOP EXITED 0"
check "q: the terminal is restored" on_screen "TERMINAL RESTORED"
check "q: back from the alternate screen" \
	[ "$(tmx display -p -t top '#{alternate_on}')" = 0 ]
tmx kill-session -t top

tmx new-session -d -s top -x 80 -y 24 "sh $dir/pane.sh"
wait_for 5 on_screen "^ebph top - PID"
tmx send-keys -t top C-c
check "Ctrl-C quits with exit status 0" wait_for 5 on_screen "TOP EXITED 0"
check "Ctrl-C: the terminal is restored" on_screen "TERMINAL RESTORED"
tmx kill-session -t top

# Stopped under it: top says so and still restores the terminal.
tmx new-session -d -s top -x 80 -y 24 "sh $dir/pane.sh"
wait_for 5 on_screen "^ebph top - PID"
[ -n "$pid" ] && kill -INT "$pid" && wait "$pid"; pid=
check "ebph stopping ends top with exit 1" wait_for 5 on_screen "TOP EXITED 1"
check "and the terminal is restored" on_screen "TERMINAL RESTORED"
check "and it says why" on_screen "the running ebph stopped"

if [ "$fail" -ne 0 ]; then
	echo "---- last screen ----"
	cat "$dir/screen"
	echo "---- ebph log ----"
	tail -n 20 "$log"
fi
test_end
