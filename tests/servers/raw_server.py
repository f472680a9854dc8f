#!/usr/bin/python3
"""raw_server.py: a scripted misbehaving SMTP server on 127.0.0.1 for the engine's failure tests.

usage: raw_server.py PORTFILE MODE [CERT KEY]
Writes its port to PORTFILE, then serves connections in MODE:
  silent          accepts and never says anything (no greeting)
  mute-after-ehlo greets, answers nothing after that
  close-mid-reply greets, answers EHLO with part of a multi-line reply, then closes
  reset           greets, then aborts the connection (TCP reset) on the first command
  inject          offers STARTTLS; its 220 comes with two injected lines in the same packet,
                  then TLS with CERT/KEY; under TLS it answers EHLO and QUIT
  hostile         a greeting full of terminal escapes, NUL and a bare LF; then answers EHLO
                  and QUIT
"""
import os
import socket
import ssl
import struct
import sys
import threading


def readline(conn):
    buf = b""
    while not buf.endswith(b"\n"):
        c = conn.recv(1)
        if not c:
            return None
        buf += c
    return buf


def answer_basic(conn):
    """EHLO -> 250, QUIT -> 221 and close, anything else -> 250."""
    while True:
        line = readline(conn)
        if line is None:
            return
        verb = line.strip().split(b" ")[0].upper()
        if verb == b"QUIT":
            conn.sendall(b"221 bye\r\n")
            return
        if verb == b"EHLO":
            conn.sendall(b"250-raw.test\r\n250 8BITMIME\r\n")
        else:
            conn.sendall(b"250 ok\r\n")


def serve(conn, mode, cert, key):
    try:
        if mode == "silent":
            while conn.recv(1024):
                pass
            return
        if mode == "hostile":
            conn.sendall(b"220 raw.test \x1b[2J\x1b]0;owned\x07 hello\x00there\nmore\r\n")
            answer_basic(conn)
            return
        conn.sendall(b"220 raw.test ESMTP\r\n")
        if mode == "mute-after-ehlo":
            while conn.recv(1024):
                pass
            return
        line = readline(conn)
        if line is None:
            return
        if mode == "close-mid-reply":
            conn.sendall(b"250-raw.test\r\n250-PIPELI")
            conn.shutdown(socket.SHUT_RDWR)
            return
        if mode == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if mode == "inject":
            conn.sendall(b"250-raw.test\r\n250 STARTTLS\r\n")
            line = readline(conn)
            if line is None or not line.upper().startswith(b"STARTTLS"):
                return
            conn.sendall(b"220 go ahead\r\n250-injected before TLS\r\n250 AUTH PLAIN\r\n")
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            conn = ctx.wrap_socket(conn, server_side=True)
            answer_basic(conn)
            return
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    portfile, mode = sys.argv[1], sys.argv[2]
    cert = sys.argv[3] if len(sys.argv) > 3 else None
    key = sys.argv[4] if len(sys.argv) > 4 else None
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(sock.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=serve, args=(conn, mode, cert, key), daemon=True).start()


if __name__ == "__main__":
    main()
