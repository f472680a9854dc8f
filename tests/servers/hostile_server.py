#!/usr/bin/python3
"""hostile_server.py: a misbehaving SMTP server for smtpscope's hostile-input tests.

Usage: hostile_server.py MODE [--cert FILE --key FILE] [--lifetime SECONDS]
       hostile_server.py --list

It listens on a free port of 127.0.0.1 and prints that port as the first line of standard output,
then serves each connection (in its own thread) the way MODE says, until killed or until the
lifetime (default 120 s) runs out, so a forgotten server never outlives its test. Only the
standard library is used (ssl for the STARTTLS modes, which need --cert and --key).

Every mode is a function below; `--list` prints each with its one-line description. Outside the
misbehaviour a mode is about, the server answers like a small, ordinary SMTP server, so a client
can get past the greeting and show what it does with the next replies.
"""

import os
import socket
import ssl
import struct
import sys
import threading
import time

CERT = None
KEY = None
MODES = {}

EHLO_LINES = [b"hostile.test greets you", b"PIPELINING", b"8BITMIME",
              b"AUTH PLAIN LOGIN", b"STARTTLS", b"ENHANCEDSTATUSCODES"]


def mode(description):
    """Registers a mode under its function name (underscores become dashes)."""
    def register(fn):
        MODES[fn.__name__[len("mode_"):].replace("_", "-")] = (fn, description)
        return fn
    return register


class Conn:
    """One client connection: line reading with a limit, writes that ignore a gone peer."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.closed = False

    def send(self, data):
        if self.closed:
            return False
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            self.closed = True
            return False

    def readline(self, timeout=30.0):
        """A line without its line end, or None when the peer went away or stayed silent."""
        end = time.time() + timeout
        while b"\n" not in self.buf:
            left = end - time.time()
            if left <= 0 or self.closed:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except (OSError, ssl.SSLError):
                return None
            if not data:
                return None
            self.buf += data
            if len(self.buf) > 1 << 20:
                return None
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def drain(self, seconds):
        """Reads and forgets whatever the client sends for a while (keeps the socket open)."""
        end = time.time() + seconds
        while time.time() < end:
            self.sock.settimeout(max(0.05, end - time.time()))
            try:
                if not self.sock.recv(65536):
                    return
            except socket.timeout:
                continue
            except OSError:
                return

    def reset(self):
        """Closes with an RST instead of a FIN (SO_LINGER with a zero timeout)."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close()

    def close(self):
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass


def reply(code, lines, end=b"\r\n"):
    """A multiline reply: CODE-line ... CODE line."""
    code = code if isinstance(code, bytes) else str(code).encode()
    out = b""
    for i, text in enumerate(lines):
        sep = b" " if i == len(lines) - 1 else b"-"
        out += code + sep + text + end
    return out


def answer(verb, taint=b""):
    """The ordinary reply to a command verb, with `taint` spliced into its text."""
    if verb == b"EHLO":
        lines = list(EHLO_LINES)
        lines[0] += taint
        return reply(250, lines)
    if verb == b"HELO":
        return reply(250, [b"hostile.test" + taint])
    if verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
        return reply(250, [b"2.0.0 ok" + taint])
    if verb == b"DATA":
        return reply(354, [b"go ahead" + taint])
    if verb == b"QUIT":
        return reply(221, [b"2.0.0 bye" + taint])
    if verb == b"STARTTLS":
        return reply(454, [b"4.7.0 not here" + taint])
    if verb == b"AUTH":
        return reply(504, [b"5.5.4 not here" + taint])
    return reply(500, [b"5.5.2 what?" + taint])


def serve_commands(c, taint=b"", reply_fn=None, limit=200):
    """The ordinary command loop: each line read gets its answer (or reply_fn's)."""
    for _ in range(limit):
        line = c.readline()
        if line is None:
            return
        verb = line.split(b" ", 1)[0].upper()
        if verb == b"DATA":
            c.send(answer(verb, taint))
            while True:
                body = c.readline()
                if body is None:
                    return
                if body == b".":
                    break
            c.send(reply(250, [b"2.0.0 queued" + taint]))
            continue
        c.send(reply_fn(verb, line) if reply_fn else answer(verb, taint))
        if verb == b"QUIT":
            return


def tainted(payload, description):
    """A mode whose greeting and every reply carry payload."""
    def run(c):
        c.send(reply(220, [b"hostile.test " + payload + b" ESMTP"]))
        serve_commands(c, b" " + payload)
    run.__doc__ = description
    return run


# ---- terminal escape sequences and bytes a terminal must not see ----

TAINTS = {
    "esc-colour": (b"\x1b[31;1mRED\x1b[0m", "SGR colour sequences"),
    "esc-cursor": (b"\x1b[2J\x1b[H\x1b[10;20H\x1b[5A\x1b7\x1b8", "clear screen, cursor moves"),
    "esc-title": (b"\x1b]0;PWNED-TITLE\x07\x1b]2;PWNED2\x1b\\", "window title (OSC 0/2)"),
    "esc-osc52": (b"\x1b]52;c;cm0gLXJmIH4K\x07", "OSC 52 clipboard write"),
    "esc-paste": (b"\x1b[201~touch/tmp/pwned\x1b[200~", "bracketed paste end and start"),
    "nul": (b"a\x00b\x00\x00c", "NUL bytes"),
    "del": (b"x\x7f\x7f\x7fy", "DEL bytes"),
    "c1": (b"\x9b31m\x9d0;C1TITLE\x9c\xc2\x9b2J\x85\x8d", "C1 controls, raw and UTF-8 encoded"),
    "bad-utf8": (b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\x28", "invalid UTF-8"),
    "overlong-utf8": (b"\xc0\xaf\xe0\x80\xaf\xc0\x9b[31m\xc1\xbf\xf0\x80\x80\x9b",
                      "overlong UTF-8 (one of them an overlong ESC)"),
}
for _name, (_payload, _desc) in TAINTS.items():
    MODES[_name] = (tainted(_payload, _desc), "greeting and replies carry " + _desc)


@mode("SMTPUTF8 offered, then replies in UTF-8 that hide C1 controls and bidi overrides")
def mode_utf8_controls(c):
    payload = "caf\u00e9 \u009b31mCSI \u202eevil-rtl \u0085nel".encode("utf-8")
    c.send(reply(220, [b"utf8.test " + payload]))

    def fn(verb, line):
        if verb == b"EHLO":
            return reply(250, [b"utf8.test " + payload, b"SMTPUTF8", b"8BITMIME"])
        return answer(verb, b" " + payload)
    serve_commands(c, reply_fn=fn)


# ---- sizes ----

@mode("a 100 MB greeting on one line")
def mode_long_line(c):
    c.send(b"220 ")
    chunk = b"A" * (1 << 20)
    for _ in range(100):
        if not c.send(chunk):
            return
    c.send(b" end-of-long-line\r\n")
    serve_commands(c)


@mode("a greeting of a million lines (220-...)")
def mode_million_lines(c):
    block = b"".join(b"220-line %07d of a very long greeting\r\n" % i for i in range(1000))
    for _ in range(1000):
        if not c.send(block):
            return
    c.send(b"220 end-of-million-lines\r\n")
    serve_commands(c)


@mode("a greeting whose continuation lines never end (220-... forever)")
def mode_endless_reply(c):
    block = b"220-and more\r\n" * 1000
    end = time.time() + 110
    while time.time() < end and c.send(block):
        pass


@mode("a greeting line that never ends (bytes without a line end, forever)")
def mode_endless_line(c):
    block = b"220 " + b"x" * 65536
    end = time.time() + 110
    while time.time() < end and c.send(block):
        block = b"x" * 65536


# ---- codes that are not codes ----

def bad_code_mode(first, description):
    def run(c):
        c.send(first)
        serve_commands(c, reply_fn=lambda verb, line: first)
    return run, description


MODES["code-2x0"] = bad_code_mode(b"2x0 not a code\r\n", "replies with code 2x0")
MODES["code-99"] = bad_code_mode(b"99 two digits\r\n", "replies with code '99 '")
MODES["code-6000"] = bad_code_mode(b"6000 four digits\r\n", "replies with code 6000")
MODES["code-change"] = bad_code_mode(b"220-first\r\n250-second\r\n554 third\r\n",
                                     "multiline replies whose code changes midway")
MODES["no-separator"] = bad_code_mode(b"220no-separator-here\r\n",
                                      "a code with no separator after it")


# ---- line ends ----

@mode("every line ends in a bare LF")
def mode_bare_lf(c):
    c.send(b"220 bare-lf ready\n")
    serve_commands(c, reply_fn=lambda verb, line: answer(verb).replace(b"\r\n", b"\n"))


@mode("a bare CR in the middle of each line")
def mode_bare_cr(c):
    c.send(b"220 bare\rcr ready\r\n")
    serve_commands(c, reply_fn=lambda verb, line: answer(verb).replace(b" ", b" \r", 1))


@mode("lines end in a bare CR only (no LF ever comes)")
def mode_bare_cr_end(c):
    c.send(b"220 bare-cr-only ready\r")
    serve_commands(c, reply_fn=lambda verb, line: answer(verb).replace(b"\r\n", b"\r"))


def send_split(c, data, pause):
    """Writes one byte at a time, each its own TCP segment."""
    for i in range(len(data)):
        if not c.send(data[i:i + 1]):
            return
        time.sleep(pause)


@mode("greeting and replies one byte per write, so CRLF is split in every position")
def mode_split_bytes(c):
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    send_split(c, b"220 split-bytes ready\r\n", 0.002)
    serve_commands(c, reply_fn=lambda verb, line: (send_split(c, answer(verb), 0.002), b"")[1])


@mode("a pause between the CR and the LF of every line")
def mode_split_crlf(c):
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(data):
        for piece in data.split(b"\n")[:-1]:
            c.send(piece)
            time.sleep(0.15)
            c.send(b"\n")
    send(b"220-split\r\n220 crlf ready\r\n")
    serve_commands(c, reply_fn=lambda verb, line: (send(answer(verb)), b"")[1])


# ---- order ----

@mode("lines before the greeting")
def mode_before_greeting(c):
    c.send(b"hello? early-bytes\r\n250 2.0.0 early-reply\r\n")
    time.sleep(0.2)
    c.send(b"220 late-greeting ready\r\n")
    serve_commands(c)


@mode("every command is answered twice")
def mode_answer_twice(c):
    c.send(b"220 twice ready\r\n")
    serve_commands(c, reply_fn=lambda verb, line: answer(verb) + reply(250, [b"2.0.0 again"]))


@mode("replies to a command never sent (a MAIL reply after EHLO, a 354 out of the blue)")
def mode_answer_unsent(c):
    c.send(b"220 unsent ready\r\n")

    def fn(verb, line):
        extra = reply(250, [b"2.1.0 sender-never-sent ok"]) + reply(354, [b"unasked data"])
        return answer(verb) + (extra if verb in (b"EHLO", b"HELO") else b"")
    serve_commands(c, reply_fn=fn)


@mode("the replies of a whole session sent at once, before any command")
def mode_pipeline_ahead(c):
    c.send(b"220 ahead ready\r\n" + answer(b"EHLO") + reply(250, [b"2.1.0 mail-ahead"]) +
           reply(250, [b"2.1.5 rcpt-ahead"]) + reply(221, [b"2.0.0 quit-ahead"]))
    c.drain(30)


@mode("after the greeting, separate one-line replies without end, asked for or not")
def mode_reply_flood(c):
    c.send(b"220 flood ready\r\n")
    block = b"250 2.0.0 flood\r\n" * 4096
    end = time.time() + 110
    while time.time() < end and c.send(block):
        pass


@mode("a pipelined group gets only its first reply, then silence")
def mode_pipeline_short(c):
    c.send(b"220 short ready\r\n")
    line = c.readline()
    if line is None:
        return
    c.send(answer(b"EHLO"))
    got = c.readline()
    if got is None:
        return
    c.send(reply(250, [b"2.1.0 only the first"]))
    c.drain(110)


# ---- time ----

@mode("one byte per second, without end (tarpit)")
def mode_tarpit(c):
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    data = b"220-tarpit " + b"z" * 100 + b"\r\n"
    end = time.time() + 110
    while time.time() < end:
        for i in range(len(data)):
            if not c.send(data[i:i + 1]):
                return
            time.sleep(1)


@mode("accepts, then says nothing at all")
def mode_silence(c):
    c.drain(110)


@mode("greeting, then silence after every command")
def mode_silence_after_greeting(c):
    c.send(b"220 quiet ready\r\n")
    c.drain(110)


@mode("half a greeting line, then silence")
def mode_partial_silence(c):
    c.send(b"220 partial-greeting \x1b[31mwithout-end")
    c.drain(110)


# ---- connection ----

@mode("the connection is reset (RST) in the middle of the EHLO reply")
def mode_reset_mid_reply(c):
    c.send(b"220 reset ready\r\n")
    if c.readline() is None:
        return
    c.send(b"250-hostile.test\r\n250-PIPELINING\r\n250-partial-li")
    time.sleep(0.2)
    c.reset()


@mode("the connection is reset (RST) as soon as it is accepted, before any greeting")
def mode_reset_at_once(c):
    c.reset()


@mode("the connection is closed (FIN) as soon as it is accepted, before any greeting")
def mode_close_at_once(c):
    c.close()


@mode("the server shuts down its sending side after the greeting, and keeps reading")
def mode_half_close(c):
    c.send(b"220 half-close ready\r\n")
    try:
        c.sock.shutdown(socket.SHUT_WR)
    except OSError:
        return
    c.drain(60)


@mode("a 100 MB greeting line that never gets its line end: the server closes instead")
def mode_long_line_close(c):
    c.send(b"220 ")
    chunk = b"B" * (1 << 20)
    for _ in range(100):
        if not c.send(chunk):
            return
    c.close()


@mode("the server closes in the middle of a reply (FIN, not RST)")
def mode_close_mid_reply(c):
    c.send(b"220 close ready\r\n")
    if c.readline() is None:
        return
    c.send(b"250-hostile.test\r\n250-cut-off-li")
    c.close()


def starttls_prelude(c):
    """Greeting and EHLO; True once STARTTLS has been asked."""
    c.send(b"220 starttls ready\r\n")
    while True:
        line = c.readline()
        if line is None:
            return False
        verb = line.split(b" ", 1)[0].upper()
        if verb == b"STARTTLS":
            return True
        c.send(answer(verb))
        if verb == b"QUIT":
            return False


def tls_wrap(c):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    c.sock.settimeout(10)
    try:
        c.sock = ctx.wrap_socket(c.sock, server_side=True)
    except (OSError, ssl.SSLError):
        c.closed = True
        return False
    return True


@mode("closes the connection as soon as the TLS handshake starts after STARTTLS")
def mode_starttls_close(c):
    if not starttls_prelude(c):
        return
    c.send(b"220 2.0.0 go ahead\r\n")
    c.sock.settimeout(10)
    try:
        c.sock.recv(5)       # the start of the ClientHello
    except OSError:
        pass
    c.close()


@mode("implicit TLS port that closes during the handshake (use with --tls)")
def mode_tls_close(c):
    c.sock.settimeout(10)
    try:
        c.sock.recv(5)
    except OSError:
        pass
    c.close()


@mode("implicit TLS port that answers the ClientHello with plain text (use with --tls)")
def mode_tls_garbage(c):
    c.sock.settimeout(10)
    try:
        c.sock.recv(5)
    except OSError:
        pass
    c.send(b"220 this is not TLS \x1b[31m\r\n" * 20)
    c.drain(20)


@mode("implicit TLS whose handshake answer comes one byte every half second (use with --tls)")
def mode_tls_tarpit(c):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_side=True)
    c.sock.settimeout(10)
    end = time.time() + 110
    while time.time() < end:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLError:
            return
        out = outgoing.read()
        for i in range(len(out)):
            if not c.send(out[i:i + 1]):
                return
            time.sleep(0.5)
        try:
            data = c.sock.recv(65536)
        except OSError:
            return
        if not data:
            return
        incoming.write(data)


@mode("after 220 to STARTTLS, garbage instead of a TLS handshake")
def mode_starttls_garbage(c):
    if not starttls_prelude(c):
        return
    c.send(b"220 2.0.0 go ahead\r\n")
    c.sock.settimeout(10)
    try:
        c.sock.recv(5)
    except OSError:
        pass
    c.send(b"garbage \x1b]0;TLS-TITLE\x07 not a ServerHello\r\n" * 50)
    c.drain(20)


@mode("plain-text replies injected in the same write as the 220 to STARTTLS, then real TLS")
def mode_starttls_inject(c):
    if not starttls_prelude(c):
        return
    # The injected lines pose as the reply to the EHLO that follows TLS: a client that read them
    # after the handshake would believe in capabilities the server never offered over TLS.
    c.send(b"220 2.0.0 go ahead\r\n250-INJECTED-CAPABILITY\r\n250 AUTH INJECTED\r\n")
    if not tls_wrap(c):
        return
    serve_commands(c, reply_fn=lambda verb, line: (
        reply(250, [b"hostile.test over-tls", b"AUTH PLAIN", b"AFTER-TLS-EHLO"])
        if verb == b"EHLO" else answer(verb)))


@mode("plain-text bytes in a second write right after the 220 to STARTTLS")
def mode_starttls_inject_split(c):
    if not starttls_prelude(c):
        return
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.send(b"220 2.0.0 go ahead\r\n")
    time.sleep(0.1)     # the client has read the 220 alone and started its handshake
    c.send(b"250 INJECTED-SECOND-WRITE\r\n")
    if not tls_wrap(c):
        return
    serve_commands(c)


@mode("implicit TLS, then an ordinary session (serve a hostile certificate with --cert)")
def mode_tls_normal(c):
    if not tls_wrap(c):
        return
    c.send(b"220 tls-normal ready\r\n")
    serve_commands(c)


# ---- AUTH ----

@mode("AUTH LOGIN gets a 334 whose challenge is not base64")
def mode_b64_bad(c):
    c.send(b"220 b64 ready\r\n")

    steps = [0]

    def fn(verb, line):
        if verb == b"AUTH":
            steps[0] = 0
            return b"334 !!not*base64??\r\n"
        if line.startswith(b"*"):
            return reply(501, [b"5.0.0 cancelled"])
        if verb not in (b"EHLO", b"HELO", b"MAIL", b"RCPT", b"DATA", b"QUIT", b"NOOP"):
            # An AUTH answer: one more odd challenge, then a refusal.
            steps[0] += 1
            if steps[0] == 1:
                return b"334 %%%notbase64-again\r\n"
            return reply(535, [b"5.7.8 authentication failed"])
        return answer(verb)
    serve_commands(c, reply_fn=fn)


@mode("AUTH gets a 334 whose challenge is not base64 and carries escape sequences")
def mode_b64_escape(c):
    c.send(b"220 b64 ready\r\n")

    def fn(verb, line):
        if verb == b"AUTH":
            return b"334 \x1b]0;AUTH-TITLE\x07!!\x1b[31mnot-base64\x9b2J\r\n"
        if verb not in (b"EHLO", b"HELO", b"MAIL", b"RCPT", b"DATA", b"QUIT", b"NOOP"):
            return reply(535, [b"5.7.8 authentication failed"])
        return answer(verb)
    serve_commands(c, reply_fn=fn)


@mode("a 334 challenge with no AUTH pending (after EHLO and to NOOP)")
def mode_b64_unsolicited(c):
    c.send(b"220 ready\r\n")

    def fn(verb, line):
        if verb == b"EHLO":
            return answer(verb) + b"334 VXNlcm5hbWU6\r\n"
        if verb == b"NOOP":
            return b"334 UGFzc3dvcmQ6\r\n"
        return answer(verb)
    serve_commands(c, reply_fn=fn)


# ---- the session: capabilities, DATA, QUIT ----

def ehlo_weird(c, mechs):
    c.send(b"220 weird ready\r\n")
    lines = [b"weird.test", b"SIZE 999999999999999999999999999999", b"SIZE -5", b"SIZE abc",
             b"AUTH " + mechs, b"AUTH=LOGIN \x00PLAIN", b"", b"     ", b"STARTTLS", b"STARTTLS",
             b"PIPELINING \x1b]0;CAP-TITLE\x07", b"X" * 3000, b"8BITMIME", b"CHUNKING"]

    def fn(verb, line):
        if verb == b"EHLO":
            return reply(250, lines)
        return answer(verb)
    serve_commands(c, reply_fn=fn)


@mode("an EHLO reply with absurd capabilities (SIZE overflow, 500 AUTH mechanisms, NUL)")
def mode_ehlo_weird(c):
    ehlo_weird(c, b" ".join(b"M%03d" % i for i in range(500)))


@mode("an EHLO reply whose AUTH mechanisms carry escape sequences")
def mode_ehlo_escape_mechs(c):
    ehlo_weird(c, b" ".join(b"M%03d\x1b[3%dm" % (i, i % 8) for i in range(50)) +
               b" \x1b]0;MECH-TITLE\x07")


@mode("DATA answered with 250 (no 354), the end of a message with 354")
def mode_data_confused(c):
    c.send(b"220 confused ready\r\n")
    state = {"data": 0}
    while True:
        line = c.readline()
        if line is None:
            return
        verb = line.split(b" ", 1)[0].upper()
        if verb == b"DATA":
            state["data"] += 1
            if state["data"] == 1:
                c.send(reply(250, [b"2.0.0 no data for you"]))
                continue
            c.send(reply(354, [b"go ahead"]))
            while True:
                body = c.readline()
                if body is None:
                    return
                if body == b".":
                    break
            c.send(reply(354, [b"go ahead again"]) + reply(250, [b"2.0.0 queued late"]))
            continue
        c.send(answer(verb))
        if verb == b"QUIT":
            return


@mode("354 to DATA, then the connection is reset while the message streams in")
def mode_close_during_data(c):
    c.send(b"220 ready\r\n")
    while True:
        line = c.readline()
        if line is None:
            return
        verb = line.split(b" ", 1)[0].upper()
        c.send(answer(verb))
        if verb == b"DATA":
            c.sock.settimeout(5)
            try:
                c.sock.recv(100000)
            except OSError:
                pass
            c.reset()
            return


@mode("354 to DATA, then while the message streams in, fat replies nobody asked for pour out")
def mode_fat_flood_during_data(c):
    c.send(b"220 ready\r\n")
    fat = b"".join(b"250-" + b"F" * 4000 + b"\r\n" for _ in range(999)) + b"250 fat\r\n"
    while True:
        line = c.readline()
        if line is None:
            return
        verb = line.split(b" ", 1)[0].upper()
        c.send(answer(verb))
        if verb == b"DATA":
            break
    done = threading.Event()

    def pour():
        while not done.is_set() and c.send(fat):
            pass
    threading.Thread(target=pour, daemon=True).start()
    # Read the message slowly (about 4 MB a second), so it takes a while to arrive.
    tail = b""
    c.sock.settimeout(60)
    while True:
        try:
            data = c.sock.recv(16384)
        except OSError:
            data = b""
        if not data:
            done.set()
            return
        tail = (tail + data)[-5:]
        if tail.endswith(b"\r\n.\r\n"):
            break
        time.sleep(0.004)
    c.buf = b""
    done.set()
    time.sleep(0.5)
    c.send(reply(250, [b"2.0.0 queued after the flood"]))
    serve_commands(c)


@mode("354 to DATA, then the server stops reading (the client's writes block)")
def mode_stall_data(c):
    c.send(b"220 ready\r\n")
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    while True:
        line = c.readline()
        if line is None:
            return
        verb = line.split(b" ", 1)[0].upper()
        c.send(answer(verb))
        if verb == b"DATA":
            time.sleep(110)
            return


@mode("implicit TLS, then plain bytes on the wire in the middle of the session")
def mode_tls_garbage_after(c):
    raw = c.sock
    if not tls_wrap(c):
        return
    c.send(b"220 tls ready\r\n")
    line = c.readline()
    if line is None:
        return
    try:
        raw.sendall(b"250 plain text after TLS \x1b[31m\r\n" * 10)
    except OSError:
        pass
    time.sleep(3)


@mode("every AUTH answer draws another 334, forever")
def mode_auth_loop(c):
    c.send(b"220 ready\r\n")

    def fn(verb, line):
        if verb in (b"EHLO", b"HELO", b"MAIL", b"RCPT", b"DATA", b"QUIT", b"NOOP"):
            return answer(verb)
        return b"334 \r\n"
    serve_commands(c, reply_fn=fn, limit=100000)


@mode("221 to QUIT, and the connection stays open")
def mode_quit_no_close(c):
    c.send(b"220 ready\r\n")
    while True:
        line = c.readline()
        if line is None:
            return
        verb = line.split(b" ", 1)[0].upper()
        c.send(answer(verb))
        if verb == b"QUIT":
            c.drain(110)
            return


# ---- plumbing ----

def handle(fn, sock):
    c = Conn(sock)
    try:
        fn(c)
    except (OSError, ssl.SSLError):
        pass
    finally:
        c.close()


def main(argv):
    global CERT, KEY
    lifetime = 120.0
    args = list(argv[1:])
    if args and args[0] == "--list":
        for name in sorted(MODES):
            print("%-22s %s" % (name, MODES[name][1]))
        return 0
    if not args or args[0] not in MODES:
        sys.stderr.write("usage: hostile_server.py MODE [--cert F --key F] [--lifetime S]\n"
                         "       hostile_server.py --list\n")
        return 2
    name = args.pop(0)
    while args:
        opt = args.pop(0)
        if opt == "--cert" and args:
            CERT = args.pop(0)
        elif opt == "--key" and args:
            KEY = args.pop(0)
        elif opt == "--lifetime" and args:
            lifetime = float(args.pop(0))
        else:
            sys.stderr.write("hostile_server.py: unknown option %s\n" % opt)
            return 2
    fn = MODES[name][0]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)
    end = time.time() + lifetime
    while time.time() < end:
        listener.settimeout(max(0.1, end - time.time()))
        try:
            sock, _ = listener.accept()
        except socket.timeout:
            break
        threading.Thread(target=handle, args=(fn, sock), daemon=True).start()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
