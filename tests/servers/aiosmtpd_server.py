#!/usr/bin/python3
"""aiosmtpd_server.py: a real SMTP server (Debian's python3-aiosmtpd) for the integration tests.

Listens on a free loopback port and writes the port number to PORTFILE once it accepts
connections. Messages it accepts are saved as DIR/msg-N.eml (the content as received, after
the server removed the dot-stuffing), so tests can check what arrived.

  --cert/--key    certificate for STARTTLS (or for implicit TLS with --implicit)
  --implicit      TLS from the first byte (like port 465) instead of STARTTLS
  --size N        data_size_limit: advertised as SIZE N, larger messages get 552
  --auth-plain-ok allow AUTH without TLS (AUTH is offered only after STARTTLS otherwise)
  --host ADDR     listen on ADDR (127.0.0.1 by default; ::1 for the IPv6 tests)

The user alice with password s3cret may authenticate (PLAIN, LOGIN). Recipients at
reject.test are refused with 550 5.1.1. Run with /usr/bin/python3; stop with SIGTERM.
"""
import argparse
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = b"alice", b"s3cret"


class Handler:
    def __init__(self, maildir):
        self.maildir = maildir
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().endswith("@reject.test"):
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        path = os.path.join(self.maildir, "msg-%d.eml" % n)
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 Message %d accepted" % n


def authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword):
        if auth_data.login == USER and auth_data.password == PASSWORD:
            return AuthResult(success=True)
    return AuthResult(success=False, handled=False)


def free_port(host):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("portfile")
    ap.add_argument("maildir")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--implicit", action="store_true")
    ap.add_argument("--size", type=int, default=10 * 1024 * 1024)
    ap.add_argument("--auth-plain-ok", action="store_true")
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args()

    os.makedirs(args.maildir, exist_ok=True)
    context = None
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    kwargs = dict(
        hostname=args.host,
        port=free_port(args.host),
        server_hostname="aiosmtpd.test",
        data_size_limit=args.size,
        authenticator=authenticator,
        auth_require_tls=not args.auth_plain_ok,
    )
    if context is not None and args.implicit:
        kwargs["ssl_context"] = context
    elif context is not None:
        kwargs["tls_context"] = context
    controller = Controller(Handler(args.maildir), **kwargs)
    controller.start()
    with open(args.portfile + ".tmp", "w") as f:
        f.write(str(controller.port))
    os.rename(args.portfile + ".tmp", args.portfile)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    done.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
