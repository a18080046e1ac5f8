#!/bin/sh
# tests/test_cmd.sh - the subcommands against a real running ebph (root).
#
# First with no ebph running (each command must say so, exit 1), as a
# user who is not root (exit 1), and with a bad argument (exit 2).
# Then against `ebph run`: status, ps, profiles and show report what the
# test made happen, and normalize, sensitize, tolerize and delete change
# what the kernel does next (an anomaly appears, or does not).  Then the
# same under --detector seqs and both: the commands keep the sequence
# sets as the kernel does, and a deleted profile leaves no sequence
# behind.  Last, ebph is killed with SIGKILL: its pins stay, and the
# commands must call them stale rather than read them as live.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_cmd

dir=$(mktemp -d /tmp/ebph-cmd.XXXXXX)
log=$dir/log
out=$dir/out
err=$dir/err
pid=
nap=
cleanup() {
	[ -n "$nap" ] && kill "$nap" 2>/dev/null
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

hasnt() { ! grep -q -- "$2" "$1"; }
lines() { grep -c -- "$2" "$1"; }		# lines FILE PATTERN

# Programs of our own, so that their profiles are new on every run: the
# demo twice under one name (for an ambiguous name), and a sleeper.
mkdir -m 0700 "$dir/profiles" "$dir/bin" "$dir/bin2"
cp tests/demo "$dir/bin/demo"
cp tests/demo "$dir/bin2/demo"
cp "$(command -v sleep)" "$dir/bin/napper"
demo=$dir/bin/demo
keyof() { printf '%016x' "$(profile_key "$1")"; }
key=$(keyof "$demo")
key2=$(keyof "$dir/bin2/demo")
logkey=$key	# the log writes keys as every command does: 16 digits
napkey=$(keyof "$dir/bin/napper")

cmds="status ps profiles show normalize sensitize tolerize delete save set"
# A call of each command that is right when ebph runs.
good_args() {
	case $1 in
	show|normalize|sensitize|tolerize|delete) echo "$key" ;;
	set) echo "monitoring on" ;;
	esac
}

# ---- no ebph running ----------------------------------------------------
ebph_wait_free || bad "another ebph kept running for 2 minutes"
for c in $cmds; do
	run 1 "$c with no ebph running" ./ebph $c $(good_args $c)
	check "$c with no ebph running says so" has "$err" "no ebph is running"
done

# ---- not root ------------------------------------------------------------
for c in $cmds; do
	run 1 "$c as nobody" setpriv --reuid=65534 --regid=65534 --clear-groups \
		./ebph $c $(good_args $c)
	check "$c as nobody: must run as root" has "$err" "must run as root"
done

# ---- bad arguments: 'ebph CMD: why' and where to look, exit 2, running or not
for c in $cmds; do
	run 2 "$c --bogus" ./ebph $c --bogus
	check "$c --bogus: said by its name" has "$err" "^ebph $c: "
	check "$c --bogus: where to look" has "$err" "^Try 'ebph $c -h' for help.$"
	run 0 "$c -h" ./ebph $c -h
	check "$c -h prints the usage on stdout" has "$out" "Usage: ebph $c"
done
for args in "status extra" "ps extra" "profiles extra" "show" "show a b" \
	    "normalize" "sensitize a b" "tolerize --pid" "delete --pid 0" \
	    "normalize --pid 12x" "tolerize --pid 1 demo" "save now" "set" \
	    "set monitoring" "set nosuch 1" "set monitoring maybe" \
	    "set anomaly-limit -1" "set anomaly-limit 1x" \
	    "set tolerize-limit 129" "set normal-wait 3 weeks" \
	    "set normal-wait 3y" "set log-sequences"; do
	run 2 "ebph $args" ./ebph $args
	check "ebph $args: said by its name" has "$err" "^ebph ${args%% *}: "
	check "ebph $args: where to look" has "$err" "^Try 'ebph ${args%% *} -h' for help.$"
done

# ---- a running ebph -------------------------------------------------------
ebph_start "$log" --profile-dir "$dir/profiles" --normal-wait 1h --save-interval 0
check "ebph attaches" grep -q "ebph attached" "$log"
check "the lock file holds its PID" [ "$(cat /run/ebph/lock)" = "$pid" ]

anomalies() { grep -c "PID $1 (demo, profile [0-9a-f]*): anomaly" "$log"; }

for i in $(seq 5); do "$demo" >/dev/null; done
"$dir/bin2/demo" >/dev/null
"$dir/bin/napper" 60 &
nap=$!
wait_for 5 grep -q "new profile napper" "$log"

# status
run 0 "status" ./ebph status
check "status: monitoring on" has "$out" "^monitoring   on"
check "status: settings" has "$out" "normal-wait 1h, anomaly-limit 30, tolerize-limit 12"
check "status: profiles by state" grep -Eq "^profiles     [0-9]+: [0-9]+ training, [0-9]+ frozen, [0-9]+ normal" "$out"
check "status: tasks traced" grep -Eq "^tasks        [1-9][0-9]* traced" "$out"
check "status: calls seen" grep -Eq "^calls        [1-9][0-9]* seen" "$out"
check "status: map fill" grep -Eq "^map fill     profiles [0-9]+/16384" "$out"
check "status: the detector" has "$out" "^detector     pairs: lookahead pairs"
check "status: the seqs map, empty without its detector" \
	grep -Eq "^             rows [0-9]+/262144 \([0-9.]+%\), seqs 0/262144 \(0.0%\)$" "$out"
check "status: sequences unlearned" has "$out" "^             0 sequences (seqs map full)$"
check "status: memory" grep -Eq "^memory       [0-9.]+ KiB of lookahead pairs \([1-9][0-9]* rows x 512 bytes\)" "$out"
check "status: events dropped, counted once" has "$out" "^events       0 dropped: a perf ring was full, not in the log$"
check "status: its PID" has "$out" "^ebph         PID $pid,"
check "status: lines fit 80 columns" [ "$(awk 'length > 79' "$out" | wc -l)" -eq 0 ]

# ps
run 0 "ps" ./ebph ps
check "ps: the sleeper, its comm, profile and state" \
	grep -Eq "^ *$nap napper +napper +training +[0-9]+ +0 +0 +0$" "$out"
check "ps: one line per process" [ "$(lines "$out" "^ *$pid ebph ")" -eq 1 ]
run 0 "ps -T" ./ebph ps -T
check "ps -T: PID and TID" grep -Eq "^ *$nap +$nap napper" "$out"
check "ps -T: header" has "$out" "PID     TID COMM"
check "ps: lines fit 80 columns" [ "$(awk 'length > 79' "$out" | wc -l)" -eq 0 ]

# profiles
run 0 "profiles" ./ebph profiles
check "profiles: the demo, training, its path shortened" \
	grep -Eq "^$key (training|frozen) +[1-9][0-9]* +[0-9]+ +0 .* \.\.\..*/bin/demo$" "$out"
check "profiles: header" has "$out" "^KEY  *STATE  *TRAIN  *STABLE ANOM NORMAL  *EXECUTABLE"
check "profiles: lines fit 80 columns" [ "$(awk 'length > 79' "$out" | wc -l)" -eq 0 ]
run 0 "profiles -W" ./ebph profiles -W
check "profiles -W: the whole path" grep -Eq "^$key (training|frozen) .* $demo$" "$out"

# show, by key, path and name; an ambiguous name
run 0 "show by path" ./ebph show "$demo"
check "show: names the profile" has "$out" "^profile     demo ($key)"
check "show: pairs with call names" grep -Eq "^write +[a-z_0-9]+ +[1-8.]{8}$" "$out"
n_train=$(grep -Ec '^[a-z_0-9]+ +[a-z_0-9]+ +[1-8.]{8}$' "$out")
check "show: pairs listed ($n_train)" [ "$n_train" -gt 10 ]
check "show: as many lines as pairs" has "$out" "train set: $n_train pairs"
run 0 "show --test by key" ./ebph show --test "$key"
check "show --test: no test set while training" has "$out" "test set: 0 pairs"
# A key as the log and every listing write it, with 0x, and without the
# zeros in front: one parser (ebph_parse_key()).
run 0 "show by key with 0x" ./ebph show "0x$key"
check "show 0x...: the profile" has "$out" "^profile     demo ($key)"
run 0 "show by key without its leading zeros" ./ebph show "$(printf '%x' 0x$key)"
check "show by a short key: the profile" has "$out" "^profile     demo ($key)"
run 1 "show a key of 17 digits" ./ebph show "0$key"
check "show: no sequences without their detector" hasnt "$out" "^sequences"
run 1 "show an ambiguous name" ./ebph show demo
check "ambiguous: lists the first" has "$err" "$key  $demo"
check "ambiguous: lists the second" has "$err" "$key2  $dir/bin2/demo"
run 1 "show an unknown name" ./ebph show no-such-program
check "show unknown: one sentence" has "$err" "no profile named 'no-such-program'"
run 1 "show an unknown path" ./ebph show /no/such/file
run 1 "normalize --pid of an untraced PID" ./ebph normalize --pid 999999999

# normalize: the kernel tests from now on, and the argument is caught
run 0 "normalize" ./ebph normalize "$demo"
check "normalize: says so" has "$out" "demo ($key): normal"
run 0 "profiles after normalize" ./ebph profiles
check "normalize: state normal, counters restarted" grep -Eq "^$key normal +0 +0 +0 " "$out"
run 0 "show --test after normalize" ./ebph show --test "$key"
check "normalize: test set = train set" has "$out" "test set: $n_train pairs"
check "normalize: the sequence epochs untouched without the detector" \
	hasnt "$out" "^sequences"
"$demo" >/dev/null
"$demo" x >/dev/null &
oops=$!
wait $oops
check "normalize: the kernel reports the anomaly" \
	wait_for 5 grep -q "PID $oops (demo, profile $logkey): anomaly in write" "$log"

# tolerize: back to training, so the same run is no anomaly
run 0 "tolerize" ./ebph tolerize "$key"
run 0 "profiles after tolerize" ./ebph profiles
check "tolerize: state training" grep -Eq "^$key training " "$out"
"$demo" x >/dev/null &
quiet=$!
wait $quiet
"$demo" >/dev/null
sleep 0.5
check "tolerize: the kernel no longer tests" [ "$(anomalies $quiet)" -eq 0 ]
run 0 "tolerize a training profile" ./ebph tolerize "$key"
check "tolerize: nothing to do, said" has "$out" "not normal"

# sensitize: the train set is gone, the test set stays.  The training
# above learned the argument's pairs: forget them, learn the plain runs
# again, make that the test set, and forget the train set once more.
run 0 "sensitize a training profile" ./ebph sensitize "$key"
check "sensitize: says so" has "$out" "training data forgotten ([1-9][0-9]* rows); training anew"
for i in $(seq 3); do "$demo" >/dev/null; done
./ebph normalize "$key" >/dev/null
run 0 "sensitize a normal profile" ./ebph sensitize "$key"
check "sensitize: still normal, said" has "$out" "still normal, learning anew"
run 0 "show after sensitize" ./ebph show "$key"
check "sensitize: no train rows" has "$out" "^rows        0 train, [1-9][0-9]* test"
check "sensitize: still normal" has "$out" "^state       normal"
"$demo" x >/dev/null &
oops=$!
wait $oops
check "sensitize: still testing against the test set" \
	wait_for 5 grep -q "PID $oops (demo, profile $logkey): anomaly in write" "$log"

# --pid
run 0 "normalize --pid" ./ebph normalize --pid "$nap"
check "normalize --pid: the sleeper's profile" has "$out" "napper ($napkey): normal"
run 0 "tolerize --pid" ./ebph tolerize --pid "$nap"
check "tolerize --pid" has "$out" "napper ($napkey): training again"

# save: the running ebph writes the files
run 0 "save" ./ebph save
check "save: says how many" grep -Eq "^saved [1-9][0-9]* profiles to $dir/profiles$" "$out"
check "save: the demo's file" test -f "$dir/profiles/$key.prof"
check "save: in the running ebph's log" grep -q "saved [1-9][0-9]* profiles to $dir/profiles" "$log"

# delete: maps and file; the kernel starts afresh on the next run
run 0 "delete" ./ebph delete "$demo"
check "delete: says so" has "$out" "demo ($key): deleted"
check "delete: the file is gone" test ! -f "$dir/profiles/$key.prof"
run 0 "profiles after delete" ./ebph profiles
check "delete: not listed" hasnt "$out" "^$key "
./ebph save >/dev/null
check "delete: a save does not bring it back" test ! -f "$dir/profiles/$key.prof"
"$demo" >/dev/null
run 0 "profiles after a new run" ./ebph profiles
check "delete: a new run makes a new training profile" grep -Eq "^$key training " "$out"
run 1 "delete an unknown profile" ./ebph delete "ffff$key"

# set
run 0 "set normal-wait" ./ebph set normal-wait 3d
check "set normal-wait: says so" has "$out" "normal-wait: 1h -> 3d"
run 0 "set anomaly-limit" ./ebph set anomaly-limit 7
run 0 "set tolerize-limit" ./ebph set tolerize-limit 9
run 0 "set log-sequences" ./ebph set log-sequences on
run 0 "status after set" ./ebph status
check "set: status shows them" has "$out" "normal-wait 3d, anomaly-limit 7, tolerize-limit 9"
check "set: log-sequences on" has "$out" "log-sequences on"
./ebph set log-sequences off >/dev/null
run 0 "set monitoring off" ./ebph set monitoring off
calls=$(./ebph show "$key" | awk '/^calls/ { print $2 }')
"$demo" >/dev/null
check "set monitoring off: calls are not counted" \
	[ "$(./ebph show "$key" | awk '/^calls/ { print $2 }')" = "$calls" ]
run 0 "set monitoring on" ./ebph set monitoring on
"$demo" >/dev/null
check "set monitoring on: calls are counted again" \
	[ "$(./ebph show "$key" | awk '/^calls/ { print $2 }')" -gt "$calls" ]

# ---- the sequence detector ------------------------------------------------
# An ebph per detector setting, with fresh profiles.  Under seqs alone an
# anomaly can only come from a sequence: it shows that the test set
# normalize takes is the one the kernel tests against, and that
# sensitize keeps it.  Under both, the pairs must go on as before.
seqcalls='[a-z_0-9-]+( [a-z_0-9-]+){5}'	# a line of show --seqs
# within A B: A has lines, and every one of them is a line of B.
within() { [ -s "$1" ] && ! grep -vxqFf "$2" "$1"; }
nseqs() { sed -n 's/^sequences   \([0-9]*\) train.*/\1/p' "$1"; }
for det in seqs both; do
	kill -INT "$pid" && wait "$pid"; pid=
	ebph_start "$log" --no-load --no-save --normal-wait 1h --detector $det
	check "$det: ebph attaches" grep -q "ebph attached" "$log"
	run 0 "$det: status" ./ebph status
	check "$det: status shows the detector" has "$out" "^detector     $det: "
	check "$det: status shows the seqs map filling" \
		grep -Eq "^ +rows [0-9]+/262144 .*, seqs [1-9][0-9]*/262144 \([0-9.]+%\)$" "$out"
	check "$det: status lines fit 80 columns" [ "$(awk 'length > 79' "$out" | wc -l)" -eq 0 ]
	run 0 "$det: top -b" ./ebph top -b
	check "$det: top shows the detector" has "$out" "^ebph top - PID $pid, .*, detector $det "
	check "$det: top counts the sequences" grep -Eq "^Calls .*; seqs [1-9][0-9]*; events" "$out"
	for i in $(seq 5); do "$demo" >/dev/null; done

	run 0 "$det: show" ./ebph show "$demo"
	check "$det: show counts the sequences, no test set yet" \
		grep -Eq "^sequences   [1-9][0-9]* train, no test set$" "$out"
	n_seq=$(nseqs "$out")
	run 0 "$det: show --seqs" ./ebph show --seqs "$demo"
	check "$det: show --seqs says how many" has "$out" "^train set: $n_seq sequences of 6 calls$"
	check "$det: show --seqs lists them by call name" \
		[ "$(grep -Ec "^$seqcalls$" "$out")" -eq "$n_seq" ]
	check "$det: show --seqs: the end of the demo" grep -Eq " write exit_group$" "$out"
	grep -E "^$seqcalls$" "$out" >"$dir/plain.seqs"
	run 0 "$det: show --seqs --test" ./ebph show --seqs --test "$demo"
	check "$det: no test set of sequences while training" \
		has "$out" "^test set: 0 sequences"

	# normalize takes the test set of sequences (and of pairs, with both)
	run 0 "$det: normalize" ./ebph normalize "$demo"
	case $det in
	seqs) check "seqs: normalize counts the sequences" \
		has "$out" "demo ($key): normal: testing against $n_seq sequences$" ;;
	both) check "both: normalize counts rows and sequences" grep -Eq \
		"demo \($key\): normal: testing against [1-9][0-9]* rows of pairs and $n_seq sequences$" "$out" ;;
	esac
	run 0 "$det: show after normalize" ./ebph show "$demo"
	check "$det: normalize: a test set of sequences, = the train set" \
		has "$out" "^sequences   $n_seq train, $n_seq test$"
	case $det in
	seqs) check "seqs: normalize leaves the rows alone" \
		has "$out" "^rows        0 train, 0 test" ;;
	both) check "both: normalize copies the rows too" \
		grep -Eq "^rows        ([1-9][0-9]*) train, \1 test" "$out" ;;
	esac
	run 0 "$det: show --seqs --test after normalize" ./ebph show --seqs --test "$demo"
	grep -E "^$seqcalls$" "$out" >"$dir/test.seqs"
	check "$det: normalize: the test set lists the same sequences" \
		cmp -s "$dir/plain.seqs" "$dir/test.seqs"
	"$demo" >/dev/null
	"$demo" x >/dev/null &
	oops=$!
	wait $oops
	check "$det: normalize: the kernel reports the anomaly" \
		wait_for 5 grep -q "PID $oops (demo, profile $logkey): anomaly in write" "$log"
	check "$det: normalize: the plain run is no anomaly" \
		[ "$(grep -c "(demo, profile $logkey): anomaly" "$log")" -eq \
		  "$(grep -c "PID $oops (demo, profile $logkey): anomaly" "$log")" ]

	# --pid: the same, for the profile a process runs
	"$dir/bin/napper" 60 &
	nap2=$!
	# Asleep (in clock_nanosleep, 230): done learning, so the sets
	# compared below hold still.
	wait_for 5 sh -c "read nr rest </proc/$nap2/syscall && [ \$nr = 230 ]"
	run 0 "$det: normalize --pid" ./ebph normalize --pid "$nap2"
	check "$det: normalize --pid counts the sequences" \
		grep -Eq "^napper \($napkey\): normal: testing against .*[1-9][0-9]* sequences$" "$out"
	run 0 "$det: show the sleeper" ./ebph show "$napkey"
	check "$det: normalize --pid: a test set of sequences" \
		grep -Eq "^sequences   ([1-9][0-9]*) train, \1 test$" "$out"
	kill "$nap2"; wait "$nap2" 2>/dev/null

	# sensitize forgets the train set of sequences, keeps the test set
	run 0 "$det: sensitize" ./ebph sensitize "$demo"
	check "$det: sensitize counts the sequences forgotten" \
		grep -Eq "\(([0-9]+ rows, )?[1-9][0-9]* sequences\); still normal" "$out"
	run 0 "$det: show after sensitize" ./ebph show "$demo"
	check "$det: sensitize empties the train set of sequences" \
		has "$out" "^sequences   0 train, $n_seq test$"
	run 0 "$det: show --seqs after sensitize" ./ebph show --seqs "$demo"
	check "$det: show --seqs: none listed" [ "$(grep -Ec "^$seqcalls$" "$out")" -eq 0 ]
	"$demo" x >/dev/null &
	oops=$!
	wait $oops
	check "$det: sensitize: still testing against the test set" \
		wait_for 5 grep -q "PID $oops (demo, profile $logkey): anomaly in write" "$log"

	# tolerize keeps what was learned, sequences too
	run 0 "$det: show before tolerize" ./ebph show "$demo"
	n_x=$(nseqs "$out")
	run 0 "$det: tolerize" ./ebph tolerize "$demo"
	run 0 "$det: show after tolerize" ./ebph show "$demo"
	check "$det: tolerize keeps the train set of sequences ($n_x)" \
		grep -Eq "^sequences   $n_x train, $n_seq test$" "$out"
	check "$det: tolerize: state training" has "$out" "^state       training"

	# delete: no sequence of the profile stays.  A new profile of the
	# same key starts at epoch 0 and would count every one left as its
	# own: after a plain run it must list only the plain run's.
	run 0 "$det: delete" ./ebph delete "$demo"
	check "$det: delete counts the sequences" \
		grep -Eq "demo \($key\): deleted, with [0-9]+ rows and [1-9][0-9]* sequences" "$out"
	"$demo" >/dev/null
	run 0 "$det: show --seqs after delete and a plain run" ./ebph show --seqs "$demo"
	grep -E "^$seqcalls$" "$out" >"$dir/after.seqs"
	check "$det: delete: no test set of sequences" \
		grep -Eq "^sequences   [1-9][0-9]* train, no test set$" "$out"
	check "$det: delete leaves no sequence of the profile" \
		within "$dir/after.seqs" "$dir/plain.seqs"

	# With nothing learned, normalize refuses, as for pairs.
	run 0 "$det: sensitize to empty it" ./ebph sensitize "$demo"
	run 1 "$det: normalize with nothing learned" ./ebph normalize "$demo"
	check "$det: normalize with nothing learned says so" has "$err" "it has learned nothing yet"
done

# ---- killed: stale pins ----------------------------------------------------
kill "$nap"; nap=
kill -KILL "$pid"
wait "$pid" 2>/dev/null
pid=
run 1 "status after SIGKILL" ./ebph status
check "status after SIGKILL: stale pins, said" has "$err" "stale"
# The next run removes them; do it here so the machine is left clean.
ebph_start "$log" --no-load --no-save
check "the next run removes the stale pins" has "$log" "removing stale pins"
[ -n "$pid" ] && kill -INT "$pid" && wait "$pid"; pid=
check "no pins left" test ! -e /sys/fs/bpf/ebph
check "no state left, but the lock" [ "$(ls -A /run/ebph)" = lock ]

if [ "$fail" -ne 0 ]; then
	echo "---- ebph log ----"
	tail -n 30 "$log"
fi
test_end
