#!/usr/bin/python3
"""A python3-aiosmtpd server for the benchmarks: STARTTLS with the given certificate, AUTH PLAIN
and LOGIN for one user (after TLS), messages accepted and dropped. Each accepted message adds a
line "SIZE TLS AUTH" to DELIVERIES (its size after the dot-stuffing is undone, and 1/0 for
whether the session was under TLS and authenticated), so the suite can check that every
measured run really delivered its message. Args: PORT CERT KEY USER PASS DELIVERIES."""
import asyncio
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, cert, key, user, password, deliveries = sys.argv[1:7]
log = open(deliveries, "a", buffering=1)


class Discard:
    async def handle_DATA(self, server, session, envelope):
        log.write("%d %d %d\n" % (len(envelope.original_content or envelope.content or b""),
                                  session.ssl is not None, bool(session.authenticated)))
        return "250 2.0.0 OK: queued"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
        and auth_data.password.decode() == password
    return AuthResult(success=ok)


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
controller = Controller(Discard(), hostname="127.0.0.1", port=int(port), tls_context=context,
                        authenticator=authenticator, auth_required=False,
                        data_size_limit=200 * 1024 * 1024)
controller.start()
signal.sigwait({signal.SIGTERM, signal.SIGINT})
controller.stop()
