#!/usr/bin/python3
"""bdat_server.py: a small CHUNKING server on 127.0.0.1 for the /bdat pipelining test.

usage: bdat_server.py PORTFILE MESSAGEFILE LOGFILE [--pipelining]
Writes its port to PORTFILE and serves one connection: EHLO lists CHUNKING (and PIPELINING
with --pipelining), MAIL and RCPT get 250, each BDAT chunk is read whole and, 50 ms later,
answered with 250; the chunks joined are written to MESSAGEFILE. For every chunk LOGFILE gets
"early" when more bytes (the next command) were already waiting before the reply was sent,
"waited" when none were.
"""
import select
import socket
import sys
import time

portfile, message, logfile = sys.argv[1:4]
pipelining = "--pipelining" in sys.argv[4:]
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
with open(portfile, "w") as f:
    f.write(str(srv.getsockname()[1]))
srv.settimeout(30)
conn, _ = srv.accept()
conn.settimeout(30)
buf = b""
log = open(logfile, "w")
body = b""


def fill(n):
    global buf
    while len(buf) < n:
        data = conn.recv(65536)
        if not data:
            raise SystemExit(0)
        buf += data


def line():
    global buf
    while b"\r\n" not in buf:
        fill(len(buf) + 1)
    text, buf = buf.split(b"\r\n", 1)
    return text.decode()


conn.sendall(b"220 bdat.test ready\r\n")
while True:
    cmd = line()
    verb = cmd.split(" ")[0].upper()
    if verb == "EHLO":
        conn.sendall(b"250-bdat.test\r\n" + (b"250-PIPELINING\r\n" if pipelining else b"")
                     + b"250 CHUNKING\r\n")
    elif verb == "BDAT":
        size = int(cmd.split(" ")[1])
        fill(size)
        body += buf[:size]
        buf = buf[size:]
        time.sleep(0.05)
        waiting = buf or select.select([conn], [], [], 0)[0]
        log.write("early\n" if waiting else "waited\n")
        log.flush()
        if cmd.upper().endswith("LAST"):
            with open(message, "wb") as f:
                f.write(body)
        conn.sendall(b"250 chunk ok\r\n")
    elif verb == "QUIT":
        conn.sendall(b"221 bye\r\n")
        break
    else:
        conn.sendall(b"250 ok\r\n")
conn.close()
