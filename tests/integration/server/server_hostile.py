"""server_hostile.py: hostile clients against the practice server while well-behaved ones keep
sending mail. Prints `ok N - name` / `FAIL N - name`; exits 1 when a check failed.

usage: server_hostile.py PORT TLS_PORT SERVER_PID
The server is expected to run with --size 1000000 --idle-timeout 3.
"""
import os
import random
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "servers"))
import practice_client  # noqa: E402  (in tests/servers/)
from practice_client import vmrss  # noqa: E402

PORT, TLS_PORT, PID = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
tap = practice_client.Tap()
check = tap.check


class Conn(practice_client.Conn):
    default_port, timeout = PORT, 20


def good_session(tag):
    """A whole polite session; returns (ok, seconds)."""
    t = time.time()
    try:
        c = Conn()
        ok = c.reply().startswith("220")
        ok &= c.cmd("EHLO good.test").startswith("250")
        ok &= c.cmd("MAIL FROM:<good-%s@example.org>" % tag).startswith("250")
        ok &= c.cmd("RCPT TO:<alice@practice.test>").startswith("250")
        ok &= c.cmd("DATA").startswith("354")
        ok &= c.cmd("Subject: good %s\r\n\r\nhello\r\n." % tag).startswith("250 2.0.0")
        ok &= c.cmd("QUIT").startswith("221")
        c.close()
    except (OSError, EOFError):
        ok = False
    return ok, time.time() - t


# Warm up, then the baseline memory.
for i in range(5):
    good_session("warm%d" % i)
base = vmrss(PID)

# --- 50 clients at once --------------------------------------------------------------------------
results = []


def run(i):
    results.append(good_session("many%d" % i))


threads = [threading.Thread(target=run, args=(i,)) for i in range(50)]
for th in threads:
    th.start()
for th in threads:
    th.join()
check("50 clients at once: all 50 sessions succeed", len(results) == 50 and all(r[0] for r in results),
      [r for r in results if not r[0]][:3])

# --- hostile clients, all at once, while polite clients keep going --------------------------------
outcome = {}


def one_mb_line():
    c = Conn()
    c.reply()
    c.s.sendall(b"NOOP " + b"A" * (1024 * 1024) + b"\r\n")
    r = c.reply()
    outcome["long"] = r
    outcome["long_after"] = c.cmd("NOOP")
    c.close()


def garbage():
    c = Conn()
    c.reply()
    rnd = random.Random(4)
    try:
        for i in range(50):
            c.s.sendall(bytes(rnd.getrandbits(8) for _ in range(2000)) + b"\r\n")
    except OSError:
        pass
    outcome["garbage"] = c.replies_until_close()
    c.close()


def endless_data():
    c = Conn()
    c.reply()
    c.cmd("EHLO endless.test")
    c.cmd("MAIL FROM:<endless@example.org>")
    c.cmd("RCPT TO:<alice@practice.test>")
    c.cmd("DATA")
    chunk = (b"x" * 998 + b"\r\n") * 64
    sent = 0
    try:
        while sent < 20 * 1024 * 1024:
            c.s.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    outcome["endless_sent"] = sent
    outcome["endless"] = c.replies_until_close()
    c.close()


def mid_command():
    for i in range(20):
        c = Conn()
        c.reply()
        c.s.sendall(b"MAIL FROM:<half@exam")
        c.close()
    outcome["mid"] = True


def never_reads():
    c = Conn()
    c.s.setblocking(False)
    sent = 0
    deadline = time.time() + 3
    while time.time() < deadline and sent < 8 * 1024 * 1024:
        try:
            sent += c.s.send(b"NOOP\r\n" * 4096)
        except BlockingIOError:
            time.sleep(0.05)
        except OSError:
            break
    outcome["never_reads_sent"] = sent
    c.close()


def slowloris():
    c = Conn()
    c.reply()
    c.s.sendall(b"EHL")
    outcome["slowloris"] = c.replies_until_close()
    c.close()


def tls_garbage():
    c = Conn(TLS_PORT)
    c.s.sendall(os.urandom(3000))
    try:
        outcome["tls_garbage"] = c.s.recv(100)
    except OSError:
        outcome["tls_garbage"] = b"(reset)"
    c.close()


def starttls_garbage():
    c = Conn()
    c.reply()
    c.cmd("EHLO x")
    r = c.cmd("STARTTLS")
    c.s.sendall(b"this is not a TLS handshake\r\n" * 10)
    try:
        outcome["starttls_garbage"] = (r, c.s.recv(100))
    except OSError:
        outcome["starttls_garbage"] = (r, b"(reset)")
    c.close()


def thousands_of_rcpts():
    c = Conn()
    c.reply()
    c.cmd("EHLO rcpt.test")
    c.cmd("MAIL FROM:<r@example.org>")
    c.s.sendall(b"".join(b"RCPT TO:<u%d@practice.test>\r\n" % i for i in range(3000)))
    got = []
    try:
        for i in range(3000):
            got.append(c.reply())
    except (EOFError, OSError):
        pass
    outcome["rcpts"] = got
    c.close()


hostile = [one_mb_line, garbage, endless_data, mid_command, never_reads, slowloris, tls_garbage,
           starttls_garbage, thousands_of_rcpts]
threads = [threading.Thread(target=f) for f in hostile]
for th in threads:
    th.start()
polite = []
while any(th.is_alive() for th in threads) and len(polite) < 200:
    polite.append(good_session("during%d" % len(polite)))
for th in threads:
    th.join(60)
slow = max((r[1] for r in polite), default=0)
check("polite sessions during the attack all succeed (%d of them)" % len(polite),
      polite and all(r[0] for r in polite), [r for r in polite if not r[0]][:3])
check("polite sessions stay quick during the attack (slowest %.2fs)" % slow, slow < 10)

check("a 1 MB line gets 500 5.5.2", outcome.get("long", "").startswith("500 5.5.2 "), outcome.get("long"))
check("and the session goes on", outcome.get("long_after", "").startswith("250"), outcome.get("long_after"))
g = outcome.get("garbage", [])
check("garbage gets errors, then 421 4.7.0 and a close", g and g[-1].startswith("421 4.7.0 "), g[-2:])
e = outcome.get("endless", [])
check("never-ending DATA ends with 421 4.3.4 (%d bytes sent)" % outcome.get("endless_sent", 0),
      e and e[-1].startswith("421 4.3.4 "), e[-2:])
check("disconnects in mid-command are survived", outcome.get("mid") is True)
check("a client that never reads is survived (%d bytes sent)" % outcome.get("never_reads_sent", 0),
      outcome.get("never_reads_sent", 0) > 0)
s = outcome.get("slowloris", [])
check("a silent client times out with 421 4.4.2", s and s[-1].startswith("421 4.4.2 "), s)
check("garbage on the TLS port gets no SMTP", not outcome.get("tls_garbage", b"").startswith(b"220"))
st = outcome.get("starttls_garbage", ("", b""))
check("garbage after STARTTLS ends the connection", st[0].startswith("220 2.0.0") and
      not st[1].startswith(b"250"), st)
r = outcome.get("rcpts", [])
check("3000 RCPTs: 100 accepted, then 452 4.5.3",
      sum(x.startswith("250") for x in r) == 100 and any(x.startswith("452 4.5.3") for x in r),
      (len(r), r[98:102]))

# Memory after the storm: the server must not have kept what it was sent.
time.sleep(0.5)
for i in range(5):
    good_session("after%d" % i)
after = vmrss(PID)
# vmrss() is -1 for a server that is gone: no memory to call bounded.
check("memory stays bounded: VmRSS %d kB before, %d kB after (limit +30000)" % (base, after),
      0 < after and after - base < 30000)
ok, secs = good_session("final")
check("the server still serves after everything", ok)
sys.exit(tap.finish())
