"""server_dialog.py: a minimal scripted SMTP client for the practice server's tests.

usage: server_dialog.py PORT LINE...
Reads the greeting, then sends each LINE and prints every reply line as `S: ...` (and each line
sent as `C: ...`). After a 354 the next LINE is the message: `\\n` in it becomes CRLF and the
final dot is added. `@sleep SECS` waits. Prints `-- closed` when the server hangs up and
`-- elapsed SECS` at the end.
"""
import os
import socket
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "servers"))
import practice_client  # noqa: E402  (in tests/servers/)

port = int(sys.argv[1])
start = time.time()
conn = practice_client.Conn(port, timeout=30)
sock = conn.s


def reply():
    """Prints each line of the next reply as it arrives; returns them."""
    lines = []
    while True:
        line = conn.line()
        print("S: " + line)
        lines.append(line)
        if practice_client.is_last_line(line):
            return lines


try:
    last = reply()
    for arg in sys.argv[2:]:
        if arg.startswith("@sleep "):
            time.sleep(float(arg.split()[1]))
            continue
        if last and last[-1].startswith("354"):
            body = arg.replace("\\n", "\r\n")
            print("C: (message, %d bytes)" % len(body))
            sock.sendall(body.encode() + b"\r\n.\r\n")
        else:
            print("C: " + arg)
            sock.sendall(arg.encode() + b"\r\n")
        last = reply()
    sock.settimeout(2)
    try:
        if sock.recv(1) == b"":
            print("-- closed")
    except socket.timeout:
        pass
except (EOFError, ConnectionResetError, BrokenPipeError):
    print("-- closed")
print("-- elapsed %.2f" % (time.time() - start))
