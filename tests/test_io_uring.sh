#!/bin/sh
# tests/test_io_uring.sh - io_uring requests are noticed (needs root).
#
# A request submitted through an io_uring ring is not a system call, so
# pH's window never sees it.  ebph says so: the first request of a
# process since its exec is a line of its own, its forks and later
# requests are not, and `ebph status` counts every request of a traced
# task.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_io_uring

test_dir uring
ebph=${EBPH_BIN:-./ebph}

check "ebph starts and attaches" ebph_start "$log" --no-load --no-save \
	${EBPH_TEST_OBJECT:+-o "$EBPH_TEST_OBJECT"}
before=$("$ebph" status 2>/dev/null | sed -n 's/^io_uring *\([0-9]*\) requests.*/\1/p')

tests/uring_nop 50 &
u=$!
wait $u
rc=$?
if [ $rc -eq 77 ]; then
	bad "this kernel refuses io_uring (sysctl kernel.io_uring_disabled): nothing to test"
fi
check "50 io_uring requests completed" [ $rc -eq 0 ]
check "the first is reported: PID $u" \
	wait_log "WARNING: PID $u (uring_nop, profile [0-9a-f]*) submits io_uring requests (the first: opcode 0)"
n=$(grep -c "PID $u (.*) submits io_uring requests" "$log")
check "once, not per request ($n lines)" [ "$n" -eq 1 ]
after=$("$ebph" status 2>/dev/null | sed -n 's/^io_uring *\([0-9]*\) requests.*/\1/p')
check "ebph status counts the requests ($before, then $after)" \
	[ "${after:-0}" -ge $((${before:-0} + 50)) ]
tests/uring_nop 5
tests/uring_nop 5 &
v=$!
wait $v
check "each exec reports again: PID $v" wait_log "PID $v (uring_nop, .*) submits io_uring requests"

ebph_stop_end
