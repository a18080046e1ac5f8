#!/bin/sh
# tests/test_unnamed.sh - fileless execution is reported (needs root).
#
# An executable with no name left (a memfd run with fexecve, a file
# deleted before its exec) has a new inode each time, so its profile is
# new at every such run and never tested: ebph cannot judge it, and says
# so in a line of its own for each such exec, and counts them in
# `ebph status`.  A plain exec of the same program is not reported.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_unnamed

test_dir unnamed
ebph=${EBPH_BIN:-./ebph}

check "ebph starts and attaches" ebph_start "$log" --no-load --no-save \
	${EBPH_TEST_OBJECT:+-o "$EBPH_TEST_OBJECT"}

tests/memfd_exec /bin/true &
m=$!
wait $m
check "the memfd exec ran /bin/true" [ $? -eq 0 ]
tests/memfd_exec -d /bin/true &
d=$!
wait $d
check "the exec of a deleted file ran /bin/true" [ $? -eq 0 ]
/bin/true &
t=$!
wait $t
check "the memfd exec is reported" \
	wait_log "WARNING: PID $m (memfd:ebph-test) runs a file with no name (a memfd or a deleted file)"
check "the exec of a deleted file is reported" \
	wait_log "WARNING: PID $d (.*) runs a file with no name"
check "a plain exec is not" \
	eval '! grep -q "PID $t (.*) runs a file with no name" "$log"'
n=$(grep -c "runs a file with no name" "$log")
check "one line each ($n)" [ "$n" -eq 2 ]
check "ebph status counts them" \
	eval '"$ebph" status 2>&1 | grep -q "^execs *2 of files with no name"'

ebph_stop_end
