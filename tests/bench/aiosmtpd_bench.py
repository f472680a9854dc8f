#!/usr/bin/python3
"""A python3-aiosmtpd server for the benchmarks: STARTTLS with the given certificate, AUTH PLAIN
and LOGIN for one user (after TLS), messages accepted and dropped. Args: PORT CERT KEY USER PASS."""
import asyncio
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, cert, key, user, password = sys.argv[1:6]


class Discard:
    async def handle_DATA(self, server, session, envelope):
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
