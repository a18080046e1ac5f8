# tests/notify_listen.py ADDR FILE LOG - systemd's end of sd_notify for
# the tests: bind the datagram socket ADDR (a path, or @NAME in the
# abstract namespace, as $NOTIFY_SOCKET spells it), touch FILE.ready,
# then append each datagram to FILE as one line, its fields separated by
# spaces, after "attached " if LOG then said "ebph attached", else after
# "early ".  Used by test_service.sh.
import socket, sys
addr, out, log = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\0' + addr[1:] if addr.startswith('@') else addr)
open(out + '.ready', 'w').close()
with open(out, 'a', buffering=1) as f:
    while True:
        msg = s.recv(4096).decode(errors='replace')
        try:
            said = 'ebph attached' in open(log, errors='replace').read()
        except OSError:
            said = False
        f.write(('attached ' if said else 'early ') + msg.replace('\n', ' ') + '\n')
