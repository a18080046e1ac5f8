# tests/journal_listen.py FILE - the journal, for the tests: bind its
# native socket /run/systemd/journal/socket (in a mount namespace of the
# test's own, /run a tmpfs: tests/lib.sh ebph_isolate), touch FILE.ready,
# then append every datagram to FILE, each after its length (4 bytes,
# little-endian): an entry may hold any byte.  Used by test_journal.sh.
import os, socket, sys
os.makedirs('/run/systemd/journal', exist_ok=True)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('/run/systemd/journal/socket')
open(sys.argv[1] + '.ready', 'w').close()
with open(sys.argv[1], 'ab', buffering=0) as f:
    while True:
        d = s.recv(1 << 20)
        f.write(len(d).to_bytes(4, 'little') + d)
