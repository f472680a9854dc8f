"""A tiny scripted SMTP peer on loopback for the screen tests: it behaves well enough for a
session and can flood the client with a very long reply or send hostile bytes.

usage: wire_server.py PORTFILE MODE   (MODE: flood, hostile, plain)
It binds 127.0.0.1 port 0, writes the port to PORTFILE, and serves clients one at a time.
In flood mode, HELP draws 100 replies of 1000 lines (100,000 lines in all; a client keeps
every line of each) and EXPN draws one reply of 100,000 lines."""
import os
import time
import socket
import sys

FLOOD_REPLIES = 100
FLOOD_REPLY_LINES = 1000


def flood_reply(code, name, count):
    lines = [b"%d-%s line %d" % (code, name, i) for i in range(1, count)]
    lines.append(b"%d %s line %d (last)" % (code, name, count))
    return b"\r\n".join(lines) + b"\r\n"


def greeting(mode):
    if mode == "flood":
        return b"220 flood.test ESMTP ready for a flood\r\n"
    if mode == "hostile":
        return (b"220-long:" + b"\x1b" * 3000 + b":end-of-long\r\n"
                b"220-hostile.test \x1b[2J\x1b[H\x1b]0;owned\x07 clear-attempt\r\n"
                b"220-nul:\x00:end bad-utf8:\xff\xfe\xc3(:end c1:\xc2\x9b31m:end\r\n"
                b"220-cr:\rOVERWRITE del:\x7f bidi:\xe2\x80\xaeevil\r\n"
                b"220 hostile.test \x1b[31mRED\x1b[0m ready\r\n")
    return b"220 plain.test ESMTP ready\r\n"


def answer(line, mode):
    verb = line.split(b" ", 1)[0].upper()
    if mode == "flood" and verb == b"HELP":
        return b"".join(flood_reply(214, b"block-%03d" % b, FLOOD_REPLY_LINES)
                        for b in range(1, FLOOD_REPLIES + 1))
    if mode == "flood" and verb == b"NOOP":
        time.sleep(2)   # arrives while the test has scrolled back
        return b"250 2.0.0 late ok\r\n"
    if mode == "flood" and verb == b"EXPN":
        return flood_reply(250, b"huge", FLOOD_REPLIES * FLOOD_REPLY_LINES)
    if verb in (b"EHLO", b"HELO"):
        return b"250-plain.test\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n"
    if verb == b"QUIT":
        return b"221 2.0.0 bye\r\n"
    if verb == b"DATA":
        return b"354 go ahead\r\n"
    if verb == b"RCPT":
        return b"550 5.1.1 no such user\r\n"
    return b"250 2.0.0 ok\r\n"


def serve(conn, mode):
    conn.sendall(greeting(mode))
    buf = b""
    in_data = False
    while True:
        data = conn.recv(65536)
        if not data:
            return
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            line = line.rstrip(b"\r")
            if in_data:
                if line == b".":
                    in_data = False
                    conn.sendall(b"250 2.0.0 queued\r\n")
                continue
            reply = answer(line, mode)
            conn.sendall(reply)
            if reply.startswith(b"354"):
                in_data = True
            if reply.startswith(b"221"):
                return


def main():
    portfile, mode = sys.argv[1], sys.argv[2]
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(5)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    while True:
        conn, _ = s.accept()
        try:
            serve(conn, mode)
        except OSError:
            pass
        finally:
            conn.close()


if __name__ == "__main__":
    main()
