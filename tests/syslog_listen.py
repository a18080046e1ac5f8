# tests/syslog_listen.py FILE - a syslog daemon for the tests: bind
# /dev/log (in a mount namespace of the test's own, with /dev a tmpfs),
# touch FILE.ready, then append every datagram to FILE, a line each.
# Used by test_log.sh, test_signals.sh and test_audit.sh.
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('/dev/log')
open(sys.argv[1] + '.ready', 'w').close()
with open(sys.argv[1], 'ab', buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b'\n')
