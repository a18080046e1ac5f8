#!/bin/sh
# tests/test_cmd_json.sh - the commands' --json against a real running
# ebph (root), judged by a real JSON parser (Python's, refusing a key
# given twice): status, ps, profiles and show each print one JSON object
# on one line, and it says what their text says.  And the commands that
# need no ebph: --version, version, help [COMMAND].
#
# The machine keeps running while the test does (other processes start,
# exit and make profiles), so a figure that moves is read three times,
# text, JSON, text: when both texts agree, the JSON must say the same;
# a figure that only grows (calls) must lie between them.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_cmd_json

dir=$(mktemp -d /tmp/ebph-cmd-json.XXXXXX)
log=$dir/log
out=$dir/out
err=$dir/err
pid=
nap=
thr=
cleanup() {
	[ -n "$nap" ] && kill "$nap" 2>/dev/null
	[ -n "$thr" ] && kill "$thr" 2>/dev/null
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT


# jget FILE EXPR: EXPR, Python over the document d, printed (a string as
# it is, anything else as JSON).  Fails, saying why, unless FILE is one
# JSON object on one line that ends it, with no key twice in an object.
jget() {
	python3 - "$1" "$2" <<'EOF'
import calendar, json, os, sys, time

def no_twice(pairs):
    keys = [k for k, _ in pairs]
    for k in keys:
        if keys.count(k) > 1:
            sys.exit("key %r twice in an object" % k)
    return dict(pairs)

def esc(s):
    """S as the text prints it (ebph_escape() in ebph_log.h)."""
    out = ""
    for c in s:
        if c == "\\":
            out += "\\\\"
        elif c == "\n":
            out += "\\n"
        elif c == "\t":
            out += "\\t"
        elif " " <= c < "\x7f":
            out += c
        elif ord(c) < 0x80:
            out += "\\x%02x" % ord(c)
        else:
            out += ("\\u%04x" if ord(c) <= 0xffff else "\\U%08x") % ord(c)
    return out

def when(stamp):
    """An RFC 3339 time as the events give it, in seconds since 1970."""
    whole, frac = stamp.rstrip("Z").split(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + float("0." + frac)

text = open(sys.argv[1], encoding="utf-8").read()
if not text.endswith("\n") or text.count("\n") != 1:
    sys.exit("not one line ended by a newline")
d = json.loads(text, object_pairs_hook=no_twice)
if not isinstance(d, dict):
    sys.exit("not an object")
r = eval(sys.argv[2])
print(r if isinstance(r, str) else json.dumps(r))
EOF
}
# is_json FILE: FILE is such a document.
is_json() { jget "$1" True >/dev/null; }
# jis FILE EXPR WANT: EXPR is WANT.
jis() {
	_got=$(jget "$1" "$2")
	[ "$_got" = "$3" ] || { echo "  $2: '$_got', want '$3'"; return 1; }
}

# agree DESC SED EXPR TEXTCMD... -- JSONCMD...: what SED takes from the
# text equals EXPR of the JSON, read between two texts that agree (up
# to 20 tries).  grows, the same for a figure that only grows: the JSON's
# lies between the two texts'.
grows() { _low=1; agree "$@"; _low=; }
_low=
agree() {
	_what=$1 _sed=$2 _expr=$3; shift 3
	_t="" _j=""
	while [ "$1" != "--" ]; do _t="$_t $1"; shift; done
	shift
	_j="$*"
	for _try in $(seq 20); do
		$_t >"$dir/t1" 2>&1
		$_j >"$dir/j" 2>&1
		$_t >"$dir/t2" 2>&1
		_a=$(sed -n "$_sed" "$dir/t1")
		_b=$(sed -n "$_sed" "$dir/t2")
		_v=$(jget "$dir/j" "$_expr" 2>&1) || { bad "$_what: $_v"; return; }
		if [ -z "$_a" ]; then
			bad "$_what: nothing in the text"
			sed 's/^/  text: /' "$dir/t1" | head -20
			return
		fi
		if [ -n "$_low" ]; then
			[ "$_a" -le "$_v" ] && [ "$_v" -le "$_b" ] && { ok; return; }
			[ "$_a" -le "$_b" ] || { bad "$_what: shrank ($_a, $_b)"; return; }
			continue
		fi
		[ "$_a" = "$_b" ] || continue
		if [ "$_a" = "$_v" ]; then ok; else bad "$_what: text '$_a', JSON '$_v'"; fi
		return
	done
	bad "$_what: the text did not hold still ('$_a', JSON '$_v', '$_b')"
}

# ---- without an ebph: version and help -------------------------------------
run 0 "--version" ./ebph --version
check "--version: ebph and its version" grep -Eq "^ebph [0-9]+\.[0-9]+\.[0-9]+ " "$out"
cp "$out" "$dir/version"
run 0 "version" ./ebph version
check "version: the same as --version" cmp -s "$out" "$dir/version"
run 2 "version with an argument" ./ebph version now
run 0 "help" ./ebph help
check "help: the usage" has "$out" "^Usage: ebph \[run\]"
check "help: lists replay" has "$out" "^  replay "
check "help: lists help" has "$out" "^  help \[COMMAND\]"
./ebph -h >"$dir/h"
check "help: the same as -h" cmp -s "$out" "$dir/h"
for c in status ps profiles show top save set delete replay; do
	run 0 "help $c" ./ebph help $c
	./ebph $c -h >"$dir/h"
	check "help $c: as $c -h" cmp -s "$out" "$dir/h"
	check "help $c: its usage" has "$out" "^Usage: ebph $c"
done
run 0 "help run" ./ebph help run
check "help run: the usage" has "$out" "^Usage: ebph \[run\]"
run 2 "help nosuch" ./ebph help nosuch
check "help nosuch: one sentence and where to look" [ "$(wc -l <"$err")" -eq 2 ]
check "help nosuch: where to look" has "$err" "^Try 'ebph help -h' for help.$"
check "help nosuch: says which" has "$err" "^ebph help: there is no command 'nosuch'"
check "help nosuch: nothing on stdout" [ ! -s "$out" ]
run 2 "help with two commands" ./ebph help status ps

ebph_wait_free || bad "another ebph kept running for 2 minutes"
for c in status ps profiles "show 1234"; do
	run 1 "$c --json with no ebph running" ./ebph $c --json
	check "$c --json with no ebph: nothing on stdout" [ ! -s "$out" ]
	check "$c --json with no ebph: says so" has "$err" "no ebph is running"
	run 0 "$c -h" ./ebph ${c%% *} -h
	check "$c -h: tells of -j, --json" has "$out" "^  -j, --json "
	run 2 "$c --json extra" ./ebph $c --json extra
done
run 2 "save --json: not one of them" ./ebph save --json

# ---- a running ebph ---------------------------------------------------------
# Programs of our own: the demo (new profile each run), a sleeper whose
# name needs escaping in the text and in JSON (a quote, a backslash, an
# accented letter), and 4 threads held alive.
mkdir -m 0700 "$dir/profiles" "$dir/bin"
cp tests/demo "$dir/bin/demo"
napname='na"p\é'
cp "$(command -v sleep)" "$dir/bin/$napname"
cp tests/threads "$dir/bin/threads"
demo=$dir/bin/demo
keyof() { printf '%016x' $(( ($(stat -c %d "$1") << 32) + $(stat -c %i "$1") )); }
key=$(keyof "$demo")
napkey=$(keyof "$dir/bin/$napname")
export NAPNAME="$napname" NAPPATH="$dir/bin/$napname" DEMO="$demo"

ebph_start "$log" --profile-dir "$dir/profiles" --normal-wait 1h --save-interval 0
check "ebph attaches" grep -q "ebph attached" "$log"

# The demo until its profile freezes (with a time to become normal).
for i in $(seq 60); do
	"$demo" >/dev/null
	./ebph profiles | grep -q "^$key frozen" && break
done
"$dir/bin/$napname" 300 &
nap=$!
mkfifo "$dir/hold"
"$dir/bin/threads" -a 4 <"$dir/hold" >"$dir/alive" 2>&1 &
thr=$!
exec 3>"$dir/hold"
for i in $(seq 100); do
	grep -q "alive" "$dir/alive" && \
		[ "$(ls /proc/$thr/task 2>/dev/null | wc -l)" -eq 5 ] && \
		grep -q "^State:.*S (sleeping)" /proc/$nap/status && break
	sleep 0.1
done
sleep 0.2	# their last calls counted

# status
run 0 "status --json" ./ebph status --json
check "status --json: one JSON object" is_json "$out"
cp "$out" "$dir/status.json"
check "status --json: its PID" jis "$dir/status.json" 'd["pid"]' "$pid"
check "status --json: the settings" jis "$dir/status.json" 'd["settings"]' \
	'{"normal_wait_ns": 3600000000000, "anomaly_limit": 30, "tolerize_limit": 12, "log_sequences": false}'
check "status --json: the detector" jis "$dir/status.json" 'd["detector"]' pairs
check "status --json: the profile directory" \
	jis "$dir/status.json" 'd["saves"]["profile_dir"]' "$dir/profiles"
check "status --json: tasks as in the map fill" \
	jis "$dir/status.json" 'd["tasks"] == d["maps"]["tasks"]["used"]' true
check "status --json: profiles as in the map fill" \
	jis "$dir/status.json" 'd["profiles"]["total"] == d["maps"]["profiles"]["used"]' true
check "status --json: profiles by state add up" jis "$dir/status.json" \
	'sum(d["profiles"][s] for s in ("training", "frozen", "normal")) == d["profiles"]["total"]' true
S="./ebph status -- ./ebph status --json"
agree "status: PID" 's/^ebph  *PID \([0-9]*\),.*/\1/p' 'd["pid"]' $S
agree "status: started" 's/^ebph .*(since \(.*\))$/\1/p' \
	'time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when(d["started"])))' $S
agree "status: monitoring" 's/^monitoring   \(on\|off\).*/\1/p' \
	'"on" if d["monitoring"] else "off"' $S
agree "status: limits" 's/^settings .*, anomaly-limit \([0-9]*\), tolerize-limit \([0-9]*\),$/\1 \2/p' \
	'"%d %d" % (d["settings"]["anomaly_limit"], d["settings"]["tolerize_limit"])' $S
agree "status: log-sequences" 's/^ *log-sequences \(on\|off\)$/\1/p' \
	'"on" if d["settings"]["log_sequences"] else "off"' $S
agree "status: detector" 's/^detector     \([a-z]*\): .*/\1/p' 'd["detector"]' $S
agree "status: profiles by state" \
	's/^profiles     \([0-9]*\): \([0-9]*\) training, \([0-9]*\) frozen, \([0-9]*\) normal$/\1 \2 \3 \4/p' \
	'" ".join(str(d["profiles"][s]) for s in ("total", "training", "frozen", "normal"))' $S
grows "status: calls" 's/^calls  *\([0-9]*\) seen by the profiles$/\1/p' 'd["calls"]' $S
agree "status: anomalies" 's/^anomalies  *\([0-9]*\) since ebph started$/\1/p' 'd["anomalies"]' $S
agree "status: map fill of profiles" 's/^map fill     profiles \([0-9]*\/[0-9]*\) .*/\1/p' \
	'"%d/%d" % (d["maps"]["profiles"]["used"], d["maps"]["profiles"]["max"])' $S
agree "status: size of the tasks map" 's/^map fill .*, tasks [0-9]*\/\([0-9]*\) .*/\1/p' \
	'd["maps"]["tasks"]["max"]' $S
grows "status: map fill of rows" 's/^  *rows \([0-9]*\)\/[0-9]* .*/\1/p' \
	'd["maps"]["rows"]["used"]' $S
agree "status: map fill of seqs" 's/^  *rows .*, seqs \([0-9]*\/[0-9]*\) .*/\1/p' \
	'"%d/%d" % (d["maps"]["seqs"]["used"], d["maps"]["seqs"]["max"])' $S
grows "status: memory of the pairs" 's/^memory .*(\([0-9]*\) rows x 512 bytes)$/\1/p' \
	'd["pair_bytes"] // 512' $S
agree "status: events dropped" 's/^events  *\([0-9]*\) dropped.*/\1/p' 'd["events_dropped"]' $S
agree "status: untraced" \
	's/^untraced  *\([0-9]*\) threads (tasks map full), \([0-9]*\) threads (executable unreadable)$/\1 \2/p' \
	'"%(tasks_full)d %(key_errors)d" % d["untraced"]' $S
agree "status: unlearned" \
	's/^unlearned  *\([0-9]*\) executables (profiles map full), \([0-9]*\) pairs (rows map full),$/\1 \2/p' \
	'"%(profiles_full)d %(rows_full)d" % d["unlearned"]' $S
agree "status: sequences unlearned" 's/^  *\([0-9]*\) sequences (seqs map full)$/\1/p' \
	'd["unlearned"]["seqs_full"]' $S
agree "status: skipped" 's/^skipped  *\([0-9]*\) calls numbered [0-9]* or more, \([0-9]*\) x32 calls$/\1 \2/p' \
	'"%(big_calls)d %(x32_calls)d" % d["skipped"]' $S
agree "status: unnamed execs" 's/^execs  *\([0-9]*\) of files with no name.*/\1/p' \
	'd["unnamed_execs"]' $S
agree "status: io_uring" 's/^io_uring  *\([0-9]*\) requests.*/\1/p' 'd["io_uring_requests"]' $S
agree "status: no save yet" 's/^saves  *none yet, to \(.*\)$/\1/p' \
	'"%s" % d["saves"]["profile_dir"] if d["saves"]["count"] == 0 else "saved"' $S

# ps: the processes, and the sleeper's and the threads' lines
pids_text() { awk 'NR > 1 { print $1 }' "$1" | sort -u; }
pids_json() { jget "$1" '"\n".join(str(p["pid"]) for p in d["processes"])' | sort -u; }
ps_agree() {
	for _try in $(seq 20); do
		./ebph ps >"$dir/t1"
		./ebph ps --json >"$dir/j"
		./ebph ps >"$dir/t2"
		pids_text "$dir/t1" >"$dir/p1"
		pids_text "$dir/t2" >"$dir/p2"
		is_json "$dir/j" || { bad "ps --json: not JSON"; return; }
		pids_json "$dir/j" >"$dir/pj"
		# In both texts: listed.  In neither: not listed, unless
		# it came and went in between (the JSON's own ebph ps).
		comm -12 "$dir/p1" "$dir/p2" | comm -23 - "$dir/pj" | grep -q . && continue
		_live=$(sort -u "$dir/p1" "$dir/p2" | comm -13 - "$dir/pj" |
			while read -r _p; do [ -e "/proc/$_p" ] && echo "$_p"; done)
		[ -n "$_live" ] && continue
		ok
		return
	done
	bad "ps --json: other processes than the text's"
}
ps_agree
run 0 "ps --json" ./ebph ps --json
check "ps --json: one JSON object" is_json "$out"
check "ps --json: a process once" \
	jis "$out" 'len(d["processes"]) == len(set(p["pid"] for p in d["processes"]))' true
P="./ebph ps -- ./ebph ps --json"
agree "ps: the sleeper's line" "s/^ *$nap [^ ]*  *[^ ]*  *//p" \
	'"%(state)-8s %(calls)9d %(lfc)3d %(max_lfc)3d %(anomalies)5d" % [p for p in d["processes"] if p["pid"] == '"$nap"'][0]' $P
agree "ps: the threads summed" "s/^ *$thr [^ ]*  *[^ ]*  *//p" \
	'"%(state)-8s %(calls)9d %(lfc)3d %(max_lfc)3d %(anomalies)5d" % [p for p in d["processes"] if p["pid"] == '"$thr"'][0]' $P
agree "ps: the sleeper's comm, escaped in the text" "s/^ *$nap \([^ ]*\) .*/\1/p" \
	'esc([p for p in d["processes"] if p["pid"] == '"$nap"'][0]["comm"])' $P
check "ps --json: the sleeper's comm as it is" \
	jis "$out" '[p for p in d["processes"] if p["pid"] == '"$nap"'][0]["comm"] == os.environ["NAPNAME"]' true
check "ps --json: the sleeper's profile and executable" \
	jis "$out" '[(p["profile"], p["executable"] == os.environ["NAPPATH"]) for p in d["processes"] if p["pid"] == '"$nap"']' \
	"[[\"$napkey\", true]]"
run 0 "ps -T --json" ./ebph ps -T --json
check "ps -T --json: one JSON object" is_json "$out"
check "ps -T --json: 5 threads of the thread holder" \
	jis "$out" 'sorted(p["tid"] for p in d["threads"] if p["pid"] == '"$thr"')' \
	"$(ls /proc/$thr/task | sort -n | python3 -c 'import json,sys; print(json.dumps([int(x) for x in sys.stdin]))')"
check "ps -T --json: the sleeper, its TID its PID" \
	jis "$out" '[p["tid"] for p in d["threads"] if p["pid"] == '"$nap"']' "[$nap]"
cp "$out" "$dir/threads.json"
sum=$(jget "$dir/threads.json" 'sum(p["calls"] for p in d["threads"] if p["pid"] == '"$thr"')')
run 0 "ps --json" ./ebph ps --json
check "ps: a process's calls are its threads' summed ($sum)" \
	jis "$out" '[p["calls"] for p in d["processes"] if p["pid"] == '"$thr"'][0]' "$sum"
agree "ps -T: a thread's line" "s/^ *$thr  *$thr [^ ]*  *[^ ]*  *//p" \
	'"%(state)-8s %(calls)9d %(lfc)3d %(max_lfc)3d %(anomalies)5d" % [p for p in d["threads"] if p["tid"] == '"$thr"'][0]' \
	./ebph ps -T -- ./ebph ps -T --json
# Done with the threads: they hold until their input ends.
exec 3>&-
wait "$thr"
thr=

# profiles: the same list in the same order, and the demo's line
R="./ebph profiles -W -- ./ebph profiles --json"
agree "profiles: the keys, in order" 's/^\([0-9a-f]\{16\}\) .*/\1/p' \
	'"\n".join(p["profile"] for p in d["profiles"])' $R
agree "profiles: the demo's line" "s/^$key \([a-z]*\) *\([0-9]*\) *\([0-9]*\) *\([0-9]*\) .* \/.*/\1 \2 \3 \4/p" \
	'"%(state)s %(train_calls)d %(stable_calls)d %(anomalies)d" % [p for p in d["profiles"] if p["profile"] == "'"$key"'"][0]' $R
agree "profiles: the demo's executable" "s/^$key .* \(\/.*\)$/\1/p" \
	'[p for p in d["profiles"] if p["profile"] == "'"$key"'"][0]["executable"]' $R
agree "profiles: when the demo becomes normal" "s/^$key frozen .* in \([0-9]*\)m .*/\1/p" \
	'str(int(([p for p in d["profiles"] if p["profile"] == "'"$key"'"][0]["normal_at"] and when([p for p in d["profiles"] if p["profile"] == "'"$key"'"][0]["normal_at"]) - time.time()) // 60))' $R
run 0 "profiles --json" ./ebph profiles --json
check "profiles --json: one JSON object" is_json "$out"
check "profiles --json: frozen, and only frozen, have normal_at" \
	jis "$out" 'all((p["normal_at"] is not None) == (p["state"] == "frozen") for p in d["profiles"] if p["state"] != "normal")' true
check "profiles --json: keys of 16 hex digits" \
	jis "$out" 'all(len(p["profile"]) == 16 and int(p["profile"], 16) >= 0 for p in d["profiles"])' true

# show: the summary, and every pair as the text has it
pairs_json() { # the pairs as the text's lines
	jget "$1" '"\n".join("%-23s %-23s %s" % (p["call"], p["previous"],
		"".join(str(i) if i in p["distances"] else "." for i in range(1, 9))) for p in d["pairs"])'
}
show_agree() { # show_agree WHAT ARGS...: the JSON of `show ARGS` says what its text says
	_w=$1; shift
	./ebph show "$@" >"$dir/st"
	./ebph show --json "$@" >"$dir/sj"
	check "$_w: one JSON object" is_json "$dir/sj"
	check "$_w: the key" jis "$dir/sj" 'd["profile"]' "$(sed -n 's/^profile .*(\([0-9a-f]*\))$/\1/p' "$dir/st")"
	check "$_w: the executable" jis "$dir/sj" 'esc(d["executable"])' "$(sed -n 's/^executable  //p' "$dir/st")"
	check "$_w: the state" jis "$dir/sj" 'd["state"]' "$(sed -n 's/^state       \([a-z]*\).*/\1/p' "$dir/st")"
	check "$_w: training" jis "$dir/sj" '"%(train_calls)d calls, %(stable_calls)d" % d' \
		"$(sed -n 's/^training    \([0-9]* calls, [0-9]*\) since.*/\1/p' "$dir/st")"
	check "$_w: calls" jis "$dir/sj" 'd["calls"]' "$(sed -n 's/^calls  *\([0-9]*\) in all$/\1/p' "$dir/st")"
	check "$_w: anomalies" jis "$dir/sj" 'd["anomalies"]' \
		"$(sed -n 's/^anomalies  *\([0-9]*\) since.*/\1/p' "$dir/st")"
	check "$_w: rows" jis "$dir/sj" '"%(train)d train, %(test)d test" % d["rows"]' \
		"$(sed -n 's/^rows        \([0-9]* train, [0-9]* test\) .*/\1/p' "$dir/st")"
	check "$_w: the set" jis "$dir/sj" 'd["set"]' "$(sed -n 's/^\([a-z]*\) set: .*/\1/p' "$dir/st")"
}
show_agree "show" "$demo"
n_pairs=$(sed -n 's/^train set: \([0-9]*\) pairs of calls$/\1/p' "$dir/st")
check "show --json: as many pairs ($n_pairs)" jis "$dir/sj" 'len(d["pairs"])' "$n_pairs"
grep -E '^[a-z_0-9]+ +[a-z_0-9]+ +[1-8.]{8}$' "$dir/st" >"$dir/pt"
pairs_json "$dir/sj" >"$dir/pj"
check "show --json: the same pairs, in the same order" cmp -s "$dir/pt" "$dir/pj"
check "show --json: no sequences without their detector" jis "$dir/sj" 'd["sequences"]' \
	'{"train": 0, "test": null}'
check "show --json: frozen, normal within the hour" \
	jis "$dir/sj" '0 < when(d["normal_at"]) - time.time() <= 3600' true
show_agree "show --test" --test "$key"
check "show --test --json: no pairs while training" jis "$dir/sj" 'd["pairs"]' '[]'
./ebph normalize "$key" >/dev/null
show_agree "show --test after normalize" --test "$key"
grep -E '^[a-z_0-9]+ +[a-z_0-9]+ +[1-8.]{8}$' "$dir/st" >"$dir/pt"
pairs_json "$dir/sj" >"$dir/pj"
check "show --test --json: the test pairs ($n_pairs)" cmp -s "$dir/pt" "$dir/pj"
check "show --test --json: normal, no normal_at" jis "$dir/sj" '[d["state"], d["normal_at"]]' \
	'["normal", null]'
show_agree "show the sleeper by name" "$napname"

# a save, and a setting changed, as status says them
./ebph save >/dev/null
agree "status: a save" 's/^saves  *\([0-9]*\); the last wrote \([0-9]*\) profiles to \(.*\)$/\1 \2 \3/p' \
	'"%(count)d %(last_saved)d %(profile_dir)s" % d["saves"]' $S
./ebph set normal-wait 3d >/dev/null
./ebph set log-sequences on >/dev/null
run 0 "status --json after set" ./ebph status --json
check "status --json: normal-wait 3d in ns, log-sequences on" \
	jis "$out" '[d["settings"]["normal_wait_ns"], d["settings"]["log_sequences"]]' \
	'[259200000000000, true]'
./ebph set log-sequences off >/dev/null

# ---- the sequences: show --seqs ------------------------------------------
kill -INT "$pid" && wait "$pid"; pid=
ebph_start "$log" --no-load --no-save --normal-wait 1h --detector both
check "both: ebph attaches" grep -q "ebph attached" "$log"
for i in $(seq 5); do "$demo" >/dev/null; done
run 0 "both: status --json" ./ebph status --json
check "both: status --json: the detector" jis "$out" 'd["detector"]' both
check "both: status --json: no saves" jis "$out" 'd["saves"]["enabled"]' false
seqs_json() { # the sequences as the text's lines: oldest first, "-" for none
	jget "$1" '"\n".join(" ".join(["-"] * (6 - len(s["sequence"])) + s["sequence"][::-1]) for s in d["seqs"])'
}
seqcalls='[a-z_0-9-]+( [a-z_0-9-]+){5}'
for set in train test; do
	[ $set = test ] && ./ebph normalize "$demo" >/dev/null
	t=; [ $set = test ] && t=--test
	show_agree "both: show --seqs $t" --seqs $t "$demo"
	n=$(sed -n 's/^sequences   [0-9]* train, \([0-9]*\) test$/\1/p' "$dir/st")
	[ $set = train ] && n=$(sed -n 's/^sequences   \([0-9]*\) train, no test set$/\1/p' "$dir/st")
	check "both: show --seqs $t --json: the count ($n)" \
		jis "$dir/sj" "d[\"sequences\"][\"$set\"]" "$n"
	[ $set = train ] && check "both: show --seqs --json: no test set yet" \
		jis "$dir/sj" 'd["sequences"]["test"]' null
	check "both: show --seqs $t --json: as many listed" \
		jis "$dir/sj" 'len(d["seqs"])' "$(sed -n "s/^$set set: \([0-9]*\) sequences of 6 calls$/\1/p" "$dir/st")"
	grep -E "^$seqcalls$" "$dir/st" >"$dir/qt"
	seqs_json "$dir/sj" >"$dir/qj"
	check "both: show --seqs $t --json: the same sequences, in the same order" \
		cmp -s "$dir/qt" "$dir/qj"
	check "both: show --seqs $t --json: each packed once, 16 hex digits" \
		jis "$dir/sj" 'len(set(s["packed"] for s in d["seqs"])) == len(d["seqs"]) and all(len(s["packed"]) == 16 for s in d["seqs"])' true
done

kill "$nap"; nap=
[ -n "$pid" ] && kill -INT "$pid" && wait "$pid"; pid=
if [ "$fail" -ne 0 ]; then
	echo "---- ebph log ----"
	tail -n 30 "$log"
fi
test_end
