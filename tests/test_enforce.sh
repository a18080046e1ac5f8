#!/bin/sh
# tests/test_enforce.sh - pH's execve refusal, from a real running ebph
# (needs root).
#
# Always: without --enforce ebph runs whether or not its LSM program can
# be attached, and status says whether enforcement is on, with the
# threshold and the count of refusals; execve-lfc is checked and set at
# run time.  On a kernel whose BPF LSM takes the program: tests/execve_try
# trained to normal, made to misbehave (three calls it never made: LFC 4
# at its execve), is refused `sh -c true` (EPERM, seen by the program),
# with an exec_refused event in the JSON log; well-behaved, it is not;
# with enforce off, not; a PID taken for ebph's, not; a task released
# by `ebph set enforce off`, `ebph tolerize --pid` or `ebph normalize
# --pid` execs at its next try.  On a kernel that refuses the program:
# `ebph run --enforce` exits 1 with one sentence, and `ebph set enforce
# on` refuses.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_enforce
test_dir enforce

mkdir -m 0700 "$dir/bin"
cp tests/execve_try "$dir/bin/execve_try"
try=$dir/bin/execve_try
keyof() { printf '%016x' $(( ($(stat -c %d "$1") << 32) + $(stat -c %i "$1") )); }
key=$(keyof "$try")
status_field() { ./ebph status --json | python3 -c 'import json,sys; d=json.load(sys.stdin)["enforce"]; print(d["'"$1"'"])'; }

# ---- with or without the hook ---------------------------------------------------
log=$dir/log
ebph_start "$log" --no-load --no-save --no-config --normal-wait 1s --anomaly-limit 1000 --json ||
	bad "ebph started without --enforce"
hook=1
grep -q "runs no BPF LSM programs: ebph cannot refuse execve" "$log" && hook=0
check "status: enforce off by default" [ "$(status_field enabled)" = False ]
check "status: execve-lfc 4 by default" [ "$(status_field execve_lfc)" = 4 ]
check "status text: the enforce line" eval './ebph status | grep -q "^enforce      off (.ebph set enforce on.), execve-lfc 4: 0 execs refused$"'
check "top -b: the enforce line" eval './ebph top -b | grep -q "^Enforce off (execve-lfc 4): 0 execs refused"'
check "set execve-lfc 6" eval './ebph set execve-lfc 6 >/dev/null'
check "status: execve-lfc 6" [ "$(status_field execve_lfc)" = 6 ]
check "set execve-lfc 0: a usage error" eval './ebph set execve-lfc 0 2>/dev/null; [ $? -eq 2 ]'
check "set execve-lfc 129: a usage error" eval './ebph set execve-lfc 129 2>/dev/null; [ $? -eq 2 ]'
./ebph set execve-lfc 4 >/dev/null

if [ $hook = 0 ]; then
	echo "test_enforce: this kernel does not run ebph's LSM program: the refusal checks are skipped"
	check "no hook: set enforce on refused" eval './ebph set enforce on 2>"$dir/err"; [ $? -eq 1 ]'
	check "no hook: it says why" grep -q "^ebph set: the running ebph could not attach its LSM program" "$dir/err"
	check "no hook: enforce still off" [ "$(status_field enabled)" = False ]
	ebph_stop_end >/dev/null
	# A timeout: an ebph that did start would else run on.
	timeout -s INT 10 ./ebph run --no-load --no-save --no-config --enforce >"$dir/out" 2>"$dir/err"
	rc=$?
	check "no hook: run --enforce exits 1 ($rc)" [ $rc -eq 1 ]
	check "no hook: one line on stderr" [ "$(wc -l <"$dir/err")" -eq 1 ]
	check "no hook: it names the LSM program" grep -q "section 'lsm/bprm_check_security'" "$dir/err"
	check "no hook: nothing attached" eval '! grep -q "ebph attached" "$dir/out"'
	test_end
	exit
fi

# ---- trained, then refused ------------------------------------------------------
for i in $(seq 6); do "$try" >/dev/null; done
check "execve_try frozen" wait_log "profile execve_try ($key) frozen"
sleep 1.2
"$try" >/dev/null
check "execve_try normal" wait_log "profile execve_try ($key) is normal"
check "set enforce on" eval './ebph set enforce on >/dev/null'

out=$("$try")
check "well-behaved: not refused (exit 0)" [ $? -eq 0 ]
check "well-behaved: no refusal said" [ -z "$out" ]
out=$("$try" bad)
rc=$?
check "misbehaving: refused (exit $rc)" [ $rc -eq 126 ]
check "misbehaving: EPERM seen" [ "$out" = "execve: refused: Operation not permitted" ]
check "misbehaving: the exec_refused event" wait_log '"event":"exec_refused"'
check "the event: file, LFC, threshold" eval 'grep "\"event\":\"exec_refused\"" "$log" | python3 -c "
import json, sys
e = json.loads(sys.stdin.readline())
assert e[\"comm\"] == \"execve_try\" and e[\"profile\"] == \"$key\", e
assert e[\"file\"] == \"/bin/sh\" and e[\"lfc\"] >= 4 and e[\"execve_lfc\"] == 4, e
assert \"execve of /bin/sh refused: LFC\" in e[\"message\"], e
"'
check "status: 1 refused" [ "$(status_field refused)" = 1 ]
check "top -b: on, 1 refused" eval './ebph top -b | grep -q "^Enforce ON (execve-lfc 4): 1 execs refused"'

./ebph set enforce off >/dev/null
"$try" bad >/dev/null
check "enforce off: not refused" [ $? -eq 0 ]
./ebph set enforce on >/dev/null

# released: bad FIFO is refused, waits for the FIFO, tries again
released() { # DESCRIPTION COMMAND...: what releases it
	what=$1; shift
	rm -f "$dir/fifo"; mkfifo "$dir/fifo"
	"$try" bad "$dir/fifo" >"$dir/rel" &
	p=$!
	check "$what: refused first" wait_log "execve: refused" "$dir/rel"
	"$@" "$p" >/dev/null
	echo >"$dir/fifo"
	wait $p
	check "$what: the next exec runs" [ $? -eq 0 ]
}
set_off() { ./ebph set enforce off; }
poke_self() { tests/config_poke self-tgid "$1"; }
released "set enforce off" set_off
./ebph set enforce on >/dev/null
released "a PID taken for ebph's" poke_self
tests/config_poke self-tgid "$pid"
released "normalize --pid" ./ebph normalize --pid
released "tolerize --pid" ./ebph tolerize --pid
# tolerized: training, not normal, never refused
"$try" bad >/dev/null
check "a profile not normal: not refused" [ $? -eq 0 ]

ebph_stop_end
