#!/usr/bin/python3
"""annotate_server.py: an aiosmtpd server (Debian's python3-aiosmtpd) that the annotate tests
capture sessions from, with swaks and openssl s_client, so the captures are real.

  annotate_server.py PORT [--cert FILE --key FILE]

Listens on 127.0.0.1:PORT. STARTTLS is offered when a certificate is given. AUTH PLAIN/LOGIN
works without TLS for alice / s3cret. Recipients decide the reply to RCPT:
  nobody@...  550 5.1.1 (no such user)      grey@...  451 4.7.1 (greylisted)
  evil@...    550 5.7.1 with HTML and an ESC byte in the text (for the escaping tests)
Run with /usr/bin/python3; stop with SIGTERM.
"""
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local == "nobody":
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if local == "grey":
            return "451 4.7.1 <%s>: Greylisted, try again later" % address
        if local == "evil":
            return "550 5.7.1 <script>alert('owned')</script> \x1b[31mred\x1b[0m & more"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        return "250 2.0.0 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == b"alice"
          and auth_data.password == b"s3cret")
    return AuthResult(success=ok, handled=False)


def main():
    port = int(sys.argv[1])
    args = sys.argv[2:]
    context = None
    if "--cert" in args:
        cert = args[args.index("--cert") + 1]
        key = args[args.index("--key") + 1]
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
    controller = Controller(Handler(), hostname="127.0.0.1", port=port,
                            tls_context=context, require_starttls=False,
                            authenticator=authenticator, auth_require_tls=False,
                            server_hostname="annotate.test")
    controller.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main()
