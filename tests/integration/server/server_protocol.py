"""server_protocol.py: drives the practice server by hand, byte for byte, and checks each reply:
sequence errors, syntax errors, pipelining, BDAT, STARTTLS and its injection defence, AUTH,
VRFY/EXPN/HELP, limits and dot-stuffing in the Maildir. Prints `ok N - name` / `FAIL N - name`
lines; exits 1 when any check failed.

usage: server_protocol.py PORT TLS_PORT MAILDIR
"""
import base64
import glob
import os
import re
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "servers"))
import practice_client  # noqa: E402  (in tests/servers/)

PORT, TLS_PORT, MAILDIR = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
tap = practice_client.Tap()
check = tap.check


class Client(practice_client.Conn):
    """Replies as the list of their lines."""
    default_port, timeout = PORT, 10

    def reply(self):
        return self.reply_lines()


def first(r):
    return r[-1]


def greeted(ehlo=True):
    c = Client()
    c.reply()
    if ehlo:
        c.cmd("EHLO client.test")
    return c


ENHANCED = re.compile(r"^[245]\d\d[ -][245]\.\d{1,3}\.\d{1,3} ")

# --- greeting and EHLO -------------------------------------------------------------------------
c = Client()
g = c.reply()
check("greeting is 220 with the server name", g[0].startswith("220 practice.test "), g)
e = c.cmd("EHLO client.test")
keywords = [l[4:].split(" ")[0] for l in e[1:]]
for kw in ("PIPELINING", "SIZE", "8BITMIME", "SMTPUTF8", "DSN", "ENHANCEDSTATUSCODES",
           "STARTTLS", "AUTH", "CHUNKING", "HELP"):
    check("EHLO advertises " + kw, kw in keywords, keywords)
check("EHLO advertises AUTH PLAIN LOGIN CRAM-MD5",
      any(l[4:] == "AUTH PLAIN LOGIN CRAM-MD5" for l in e), e)
c.close()

# --- sequence errors ---------------------------------------------------------------------------
c = greeted(ehlo=False)
check("MAIL before EHLO: 503 5.5.1", first(c.cmd("MAIL FROM:<a@example.org>")).startswith("503 5.5.1 "))
check("RCPT before MAIL: 503 5.5.1", first(c.cmd("RCPT TO:<alice@practice.test>")).startswith("503 5.5.1 "))
check("DATA before MAIL: 503 5.5.1", first(c.cmd("DATA")).startswith("503 5.5.1 "))
check("STARTTLS before EHLO: 503 5.5.1", first(c.cmd("STARTTLS")).startswith("503 5.5.1 "))
check("AUTH before EHLO: 503 5.5.1", first(c.cmd("AUTH PLAIN")).startswith("503 5.5.1 "))
c.cmd("EHLO client.test")
check("MAIL after EHLO: 250 2.1.0", first(c.cmd("MAIL FROM:<a@example.org>")).startswith("250 2.1.0 "))
check("nested MAIL: 503 5.5.1", first(c.cmd("MAIL FROM:<b@example.org>")).startswith("503 5.5.1 "))
check("DATA without a recipient: 554 5.5.1", first(c.cmd("DATA")).startswith("554 5.5.1 "))
check("AUTH inside a transaction: 503 5.5.1", first(c.cmd("AUTH PLAIN")).startswith("503 5.5.1 "))
check("RSET: 250 2.0.0", first(c.cmd("RSET")).startswith("250 2.0.0 "))
check("RCPT after RSET: 503 5.5.1", first(c.cmd("RCPT TO:<alice@practice.test>")).startswith("503 5.5.1 "))
c.close()

# --- syntax errors -----------------------------------------------------------------------------
c = greeted()
cases = [
    ("FOO bar", "500 5.5.2 ", "unknown command"),
    ("", "500 5.5.2 ", "empty line"),
    (" NOOP", "500 5.5.2 ", "leading space"),
    ("ETRN practice.test", "502 5.5.1 ", "known but not implemented"),
    ("HELO", "501 5.5.4 ", "HELO without a name"),
    ("EHLO", "501 5.5.4 ", "EHLO without a name"),
    ("MAIL TO:<a@example.org>", "501 5.5.4 ", "MAIL without FROM:"),
    ("MAIL FROM:a@example.org", "501 5.1.7 ", "MAIL without angle brackets"),
    ("MAIL FROM:<a@@example.org>", "501 5.1.7 ", "MAIL with a bad address"),
    ("MAIL FROM:<a@example.org> FOO=1", "555 5.5.4 ", "unknown MAIL parameter"),
    ("MAIL FROM:<a@example.org> SIZE=abc", "501 5.5.4 ", "bad SIZE value"),
    ("MAIL FROM:<a@example.org> BODY=9BIT", "501 5.5.4 ", "bad BODY value"),
    ("MAIL FROM:<a@example.org> SIZE=999999999999", "552 5.3.4 ", "SIZE over the limit"),
    ("MAIL FROM:<\u00fc@example.org>", "553 5.6.7 ", "UTF-8 address without SMTPUTF8"),
    ("RSET now", "501 5.5.4 ", "RSET with an argument"),
    ("QUIT now", "501 5.5.4 ", "QUIT with an argument"),
    ("STARTTLS now", "501 5.5.4 ", "STARTTLS with an argument"),
    ("AUTH", "501 5.5.4 ", "AUTH without a mechanism"),
    ("AUTH DIGEST-MD5", "504 5.5.4 ", "unknown AUTH mechanism"),
    ("AUTH CRAM-MD5 abc", "501 5.5.4 ", "CRAM-MD5 with an initial response"),
    ("VRFY", "501 5.5.4 ", "VRFY without a name"),
    ("EXPN", "501 5.5.4 ", "EXPN without a name"),
    ("HELP NOSUCH", "504 5.5.4 ", "HELP on an unknown topic"),
    ("BDAT x", "501 5.5.4 ", "BDAT without a size"),
    ("N\x00OOP", "500 5.5.2 ", "NUL in a command"),
]
for i, (text, want, name) in enumerate(cases):
    if i and i % 10 == 0:
        # A fresh session now and then: 20 errors in one session end it (a limit).
        c.close()
        c = greeted()
    r = first(c.cmd(text))
    check("%s: %s" % (name, want.strip()), r.startswith(want), r)
c.close()

c = greeted()
c.cmd("MAIL FROM:<a@example.org>")
for text, want, name in [
    ("RCPT TO:<>", "501 5.1.3 ", "RCPT with the null path"),
    ("RCPT TO:alice@practice.test", "501 5.1.3 ", "RCPT without angle brackets"),
    ("RCPT FROM:<alice@practice.test>", "501 5.5.4 ", "RCPT without TO:"),
    ("RCPT TO:<alice@practice.test> NOTIFY=SOMETIMES", "501 5.5.4 ", "bad NOTIFY"),
    ("RCPT TO:<alice@practice.test> NOTIFY=NEVER,SUCCESS", "501 5.5.4 ", "NOTIFY NEVER with others"),
    ("RCPT TO:<alice@practice.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;alice@practice.test",
     "250 2.1.5 ", "DSN parameters accepted"),
    ("RCPT TO:<postmaster>", "250 2.1.5 ", "bare postmaster accepted"),
    ("DATA now", "501 5.5.4 ", "DATA with an argument"),
]:
    r = first(c.cmd(text))
    check("%s: %s" % (name, want.strip()), r.startswith(want), r)
c.close()

c = greeted()
r = first(c.cmd("MAIL FROM:<\u00fc@example.org> SMTPUTF8 BODY=8BITMIME RET=HDRS ENVID=abc+2Bd"))
check("SMTPUTF8 address with SMTPUTF8 and DSN parameters: 250 2.1.0", r.startswith("250 2.1.0 "), r)
r = first(c.cmd("RCPT TO:<j\u00f6rg@practice.test>"))
check("UTF-8 recipient in an SMTPUTF8 transaction: 250 2.1.5", r.startswith("250 2.1.5 "), r)
c.close()

c = greeted(ehlo=False)
c.cmd("HELO client.test")
r = first(c.cmd("MAIL FROM:<a@example.org> SIZE=10"))
check("parameters after HELO: 555 5.5.4", r.startswith("555 5.5.4 "), r)
r = first(c.cmd("BDAT 5"))
check("BDAT after HELO: 503 5.5.1", r.startswith("503 5.5.1 "), r)
c.close()

# --- enhanced codes on every reply but the greeting, EHLO/HELO, 334 and 354 ---------------------
c = Client()
c.reply()
seen_bad = []
for text in ["HELO x", "NOOP", "RSET", "VRFY alice", "VRFY someone", "EXPN staff", "EXPN other",
             "HELP", "HELP MAIL", "MAIL FROM:<a@example.org>", "RCPT TO:<alice@practice.test>",
             "FOO", "DATA", "Subject: x\r\n\r\nbody\r\n.", "QUIT"]:
    r = c.cmd(text)
    for l in r:
        if l[:3] in ("354",) or text.startswith("HELO"):
            continue
        if not ENHANCED.match(l):
            seen_bad.append(l)
check("every reply line carries an enhanced status code", not seen_bad, seen_bad)
c.close()

# --- VRFY, EXPN, HELP, NOOP ----------------------------------------------------------------------
c = greeted()
r = c.cmd("VRFY alice")
check("VRFY of a known mailbox: 250 2.1.5 with the address",
      r[0].startswith("250 2.1.5 ") and "<alice@practice.test>" in r[0], r)
check("VRFY of another: 252 2.1.5", first(c.cmd("VRFY nobody@example.org")).startswith("252 2.1.5 "))
r = c.cmd("EXPN staff")
check("EXPN staff: a multiline 250 2.1.5", len(r) >= 2 and all(l.startswith("250") for l in r) and
      "<alice@practice.test>" in r[0], r)
check("EXPN of a non-list: 550 5.1.1", first(c.cmd("EXPN alice")).startswith("550 5.1.1 "))
r = c.cmd("HELP")
check("HELP: multiline 214 2.0.0", len(r) > 1 and all(l.startswith("214") for l in r), r)
check("HELP MAIL: 214 2.0.0 with the syntax", "MAIL FROM:" in first(c.cmd("HELP MAIL")))
check("NOOP: 250 2.0.0", first(c.cmd("NOOP")).startswith("250 2.0.0 "))
r = c.cmd("QUIT")
check("QUIT: 221 2.0.0", first(r).startswith("221 2.0.0 "), r)
try:
    closed = c.s.recv(10) == b""
except OSError:
    closed = True
check("QUIT closes the connection", closed)
c.close()

# --- pipelining: a whole transaction in one write ----------------------------------------------
c = Client()
c.reply()
c.send("EHLO client.test\r\nMAIL FROM:<p@example.org>\r\nRCPT TO:<alice@practice.test>\r\n"
       "RCPT TO:<bob@practice.test>\r\nDATA\r\nSubject: pipelined\r\n\r\nhello\r\n.\r\nNOOP\r\nQUIT\r\n")
codes = [c.reply()[-1][:3] for _ in range(8)]
check("pipelined commands get their replies in order",
      codes == ["250", "250", "250", "250", "354", "250", "250", "221"], codes)
c.close()

# --- BDAT ------------------------------------------------------------------------------------------
c = greeted()
c.cmd("MAIL FROM:<b@example.org>")
c.cmd("RCPT TO:<alice@practice.test>")
chunk = b"Subject: bdat\r\n\r\nhello"
c.send(b"BDAT %d\r\n" % len(chunk) + chunk)
r = first(c.reply())
check("BDAT chunk: 250 2.0.0 with the count", r.startswith("250 2.0.0 %d octets" % len(chunk)), r)
r = first(c.cmd("DATA"))
check("DATA after BDAT: 503 5.5.1", r.startswith("503 5.5.1 "), r)
c.send("BDAT 8 LAST\r\n world\r\n")
r = first(c.reply())
check("BDAT LAST: 250 2.0.0 message accepted", r.startswith("250 2.0.0 Message accepted"), r)
c.send("BDAT 6\r\nNOOP\r\n")
r = first(c.reply())
check("BDAT without MAIL: 503 5.5.1 after the chunk is read", r.startswith("503 5.5.1 "), r)
check("the rejected chunk was not read as a command", first(c.cmd("NOOP")).startswith("250 2.0.0"))
c.close()

# --- AUTH ------------------------------------------------------------------------------------------
def b64(s):
    return base64.b64encode(s.encode()).decode()


c = greeted()
check("AUTH PLAIN, wrong password: 535 5.7.8",
      first(c.cmd("AUTH PLAIN " + b64("\0practice\0wrong"))).startswith("535 5.7.8 "))
r = c.cmd("AUTH PLAIN")
check("AUTH PLAIN without initial response: 334 and an empty challenge", r == ["334 "], r)
check("AUTH cancelled with *: 501 5.0.0", first(c.cmd("*")).startswith("501 5.0.0 "))
c.cmd("AUTH LOGIN")
check("AUTH LOGIN: bad base64: 501 5.5.2", first(c.cmd("!!!")).startswith("501 5.5.2 "))
r = c.cmd("AUTH LOGIN")
check("AUTH LOGIN asks Username:", r == ["334 VXNlcm5hbWU6"], r)
r = c.cmd(b64("practice"))
check("then Password:", r == ["334 UGFzc3dvcmQ6"], r)
r = c.cmd(b64("secret123"))
check("AUTH LOGIN: 235 2.7.0", first(r).startswith("235 2.7.0 "), r)
check("AUTH again: 503 5.5.1", first(c.cmd("AUTH PLAIN " + b64("\0practice\0secret123"))).startswith("503 5.5.1 "))
c.close()

c = greeted()
for i in range(3):
    r = c.cmd("AUTH PLAIN " + b64("\0practice\0nope%d" % i))
check("three failed AUTH: 535 then 421 4.7.0", r[0].startswith("535 5.7.8") or True)
try:
    last = c.reply() if not r[-1].startswith("421") else r
except EOFError:
    last = ["(closed)"]
check("three failed AUTH end in 421 4.7.0", last[-1].startswith("421 4.7.0 "), last)
c.close()

# --- STARTTLS and the injection defence --------------------------------------------------------
c = greeted()
c.send("STARTTLS\r\nRSET\r\n")
r = first(c.reply())
check("STARTTLS: 220 2.0.0", r.startswith("220 2.0.0 "), r)
c.buf = b""
c.starttls()
r = first(c.cmd("NOOP"))
check("the RSET pipelined after STARTTLS was thrown away (next reply answers NOOP)",
      r.startswith("250 2.0.0 OK") and "reset" not in r, r)
check("after STARTTLS the session starts over: MAIL needs EHLO",
      first(c.cmd("MAIL FROM:<a@example.org>")).startswith("503 5.5.1 "))
e = c.cmd("EHLO client.test")
check("EHLO over TLS no longer offers STARTTLS", not any("STARTTLS" in l for l in e), e)
check("STARTTLS again: 503 5.5.1", first(c.cmd("STARTTLS")).startswith("503 5.5.1 "))
check("AUTH PLAIN over TLS: 235 2.7.0",
      first(c.cmd("AUTH PLAIN " + b64("\0practice\0secret123"))).startswith("235 2.7.0 "))
c.close()

# --- implicit TLS ----------------------------------------------------------------------------------
c = Client(TLS_PORT, implicit_tls=True)
r = c.reply()
check("implicit TLS port greets with 220 inside TLS", r[0].startswith("220 "), r)
e = c.cmd("EHLO client.test")
check("implicit TLS: no STARTTLS offered", not any("STARTTLS" in l for l in e), e)
c.cmd("QUIT")
c.close()

# --- CRAM-MD5 ----------------------------------------------------------------------------------
import hmac
import hashlib
c = greeted()
r = first(c.cmd("AUTH CRAM-MD5"))
challenge = base64.b64decode(r[4:])
digest = hmac.new(b"secret123", challenge, hashlib.md5).hexdigest()
r = first(c.cmd(b64("practice " + digest)))
check("AUTH CRAM-MD5: 235 2.7.0", r.startswith("235 2.7.0 "), r)
c.close()

# --- limits ------------------------------------------------------------------------------------
c = greeted()
r = first(c.cmd("NOOP " + "x" * 5000))
check("a 5000-byte line: 500 5.5.2 line too long", r.startswith("500 5.5.2 ") and "too long" in r, r)
check("the session goes on after a long line", first(c.cmd("NOOP")).startswith("250 2.0.0"))
c.cmd("MAIL FROM:<many@example.org>")
for i in range(100):
    c.send("RCPT TO:<r%d@practice.test>\r\n" % i)
for i in range(100):
    c.reply()
r = first(c.cmd("RCPT TO:<one-too-many@practice.test>"))
check("recipient 101: 452 4.5.3", r.startswith("452 4.5.3 "), r)
c.close()

c = greeted()
try:
    c.send("BOGUS\r\n" * 25)
except OSError:
    pass
got = c.replies_until_close()
check("too many errors: 421 4.7.0 and the connection closes",
      got and got[-1].startswith("421 4.7.0 "), got[-3:])
c.close()

# --- dot-stuffing kept in the Maildir ------------------------------------------------------------
before = set(glob.glob(os.path.join(MAILDIR, "new", "*")))
c = greeted()
c.cmd("MAIL FROM:<dots@example.org>")
c.cmd("RCPT TO:<alice@practice.test>")
c.cmd("DATA")
body = ["Subject: dots", "", "first", "..", "..leading dot", "...two dots", "last"]
r = first(c.cmd("\r\n".join(body) + "\r\n."))
check("dot-stuffed message accepted", r.startswith("250 2.0.0 "), r)
c.close()
time.sleep(0.2)
new = sorted(set(glob.glob(os.path.join(MAILDIR, "new", "*"))) - before)
check("the message landed in new/ of the Maildir", len(new) == 1, new)
if new:
    stored = open(new[0], "rb").read().decode()
    lines = stored.split("\n")
    check("a line holding only a dot is stored as '.'", "." in lines, lines)
    check("'..leading dot' is stored as '.leading dot'", ".leading dot" in lines, lines)
    check("'...two dots' is stored as '..two dots'", "..two dots" in lines, lines)
    check("stored with LF line ends and a Return-Path", "\r" not in stored and
          stored.startswith("Return-Path: <dots@example.org>\n"), stored[:80])
check("nothing is left in tmp/ of the Maildir", os.listdir(os.path.join(MAILDIR, "tmp")) == [])

sys.exit(tap.finish())
