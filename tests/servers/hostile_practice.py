#!/usr/bin/python3
"""hostile_practice.py: hostile clients against smtpscope's practice server, one case at a time,
while a well-behaved client (smtpscope's own batch mode, $SMTPSCOPE) sends a message. Prints
`ok N - name` / `FAIL N - name` lines and exits 1 when a check failed. Standard library only.

usage: hostile_practice.py CASE PORT TLS_PORT SERVER_PID
cases: connections, held, slowloris, longlines, garbage, rcpts, endless-data, tls, auth,
       bdat, sequential, tls-many

The server is expected to run with --idle-timeout 3 and --size 60000000 (SIZE below).
"""

import os
import random
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import practice_client  # noqa: E402  (beside this script)
from practice_client import tls_context, vmrss  # noqa: E402

CASE = sys.argv[1]
PORT, TLS_PORT, PID = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
SMTPSCOPE = os.environ.get("SMTPSCOPE")
SIZE = 60000000           # the server's --size
tap = practice_client.Tap(CASE)
check = tap.check


class Sampler(threading.Thread):
    """Samples the server's VmRSS every 50 ms; .peak is the highest seen."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = vmrss(PID)
        self.running = True
        self.start()

    def run(self):
        while self.running:
            self.peak = max(self.peak, vmrss(PID))
            time.sleep(0.05)

    def stop(self):
        self.running = False
        self.join()
        return self.peak


class Conn(practice_client.Conn):
    default_port, timeout, connect_timeout, encoding = PORT, 20, None, "latin-1"


POLITE_SCRIPT = None


def polite(tls=False):
    """A whole session by smtpscope's batch mode: (ok, seconds, tail of its output)."""
    global POLITE_SCRIPT
    if POLITE_SCRIPT is None:
        fd, POLITE_SCRIPT = tempfile.mkstemp(prefix="hostile-polite.")
        os.write(fd, b"EHLO polite.example\nMAIL FROM:<polite@example.org>\n"
                 b"RCPT TO:<practice@practice.test>\nDATA\nSubject: polite\n\n"
                 b"a well-behaved message\n.\nQUIT\n")
        os.close(fd)
    args = [SMTPSCOPE, "127.0.0.1:%d" % (TLS_PORT if tls else PORT), "--script", POLITE_SCRIPT,
            "--timeout", "10"]
    if tls:
        args += ["--tls", "--insecure"]
    t0 = time.time()
    try:
        p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=30)
        out = p.stdout.decode("utf-8", "replace")
        ok = p.returncode == 0 and "S: 250 2.0.0" in out and "S: 221" in out
    except subprocess.TimeoutExpired:
        out, ok = "(killed after 30 s)", False
    return ok, time.time() - t0, out[-600:]


def check_polite(when, tls=False, limit=5.0):
    ok, secs, out = polite(tls)
    check("a polite session %s completes%s" % (when, " over TLS" if tls else ""), ok, out)
    check("and is quick (%.2f s, limit %.0f s)" % (secs, limit), secs < limit)


def in_threads(fn, n):
    """Runs fn(i) for i < n in n threads; returns the results in order."""
    results = [None] * n

    def run(i):
        try:
            results[i] = fn(i)
        except Exception as e:  # a test must report, not die
            results[i] = ("exception", repr(e))
    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    return threads, results


def join(threads, limit):
    end = time.time() + limit
    for t in threads:
        t.join(max(0.1, end - time.time()))
    return sum(t.is_alive() for t in threads)


# ---- cases ----

def case_connections():
    """300 clients at once, each a whole session: done, or refused cleanly with 421 4.3.2."""
    def session(i):
        c = Conn(timeout=30)
        try:
            greet = c.reply()
            if greet.startswith("421 4.3.2"):
                return ("busy", greet)
            c.cmd("EHLO many%d.example" % i)
            c.cmd("MAIL FROM:<m%d@example.org>" % i)
            c.cmd("RCPT TO:<practice@practice.test>")
            c.cmd("DATA")
            c.s.sendall(b"Subject: %d\r\n\r\nhello\r\n.\r\n" % i)
            done = c.reply()
            bye = c.cmd("QUIT")
            return ("ok" if done.startswith("250") and bye.startswith("221") else "bad",
                    done + " / " + bye)
        finally:
            c.close()
    t0 = time.time()
    threads, results = in_threads(session, 300)
    hung = join(threads, 90)
    secs = time.time() - t0
    kinds = [r[0] if r else "none" for r in results]
    check("no client hangs (%d still waiting after %.0f s)" % (hung, secs), hung == 0)
    bad = [r for r in results if not r or r[0] not in ("ok", "busy")]
    check("every client is served or refused with 421 4.3.2 (%d ok, %d busy)" %
          (kinds.count("ok"), kinds.count("busy")), not bad, repr(bad[:3]))
    check("most are served", kinds.count("ok") >= 200, kinds.count("ok"))
    check_polite("afterwards")


def case_held():
    """250 clients that connect and sit there; then 50 more, over the limit of 256."""
    def hold(i):
        c = Conn(timeout=10)
        return c, c.reply()
    threads, held = in_threads(hold, 250)
    join(threads, 30)
    greetings = [h[1] for h in held if h and isinstance(h[0], Conn)]
    check("250 idle clients all get the greeting", len(greetings) == 250 and
          all(g.startswith("220") for g in greetings), len(greetings))
    check_polite("while 250 clients sit idle")
    threads, extra = in_threads(hold, 50)
    join(threads, 20)
    replies = [e[1] for e in extra if e and isinstance(e[0], Conn)]
    busy = [r for r in replies if r.startswith("421 4.3.2")]
    check("the 50 over the limit all get an answer", len(replies) == 50, len(replies))
    check("those over the limit get 421 4.3.2 (%d of them)" % len(busy), len(busy) >= 40,
          replies[:3])
    closed = 0
    for e in extra:
        if e and isinstance(e[0], Conn) and e[1].startswith("421"):
            try:
                e[0].s.settimeout(3)
                closed += e[0].s.recv(100) == b""
            except OSError:
                closed += 1
    check("and are disconnected", closed == len(busy), "%d of %d" % (closed, len(busy)))
    for h in held + extra:
        if h and isinstance(h[0], Conn):
            h[0].close()
    time.sleep(0.5)
    check_polite("once they left")


def case_slowloris():
    """150 clients that send a command one byte every half second."""
    def slow(i):
        c = Conn(timeout=20)
        try:
            c.reply()
            for b in b"EHLO slowloris%d.example.org\r\n" % i:
                c.s.send(bytes([b]))
                time.sleep(0.5)
            return ("sent", c.replies_until_close(5))
        except (OSError, EOFError):
            return ("cut", c.replies_until_close(5))
        finally:
            c.close()
    t0 = time.time()
    threads, results = in_threads(slow, 150)
    time.sleep(1.5)
    check_polite("while 150 slow clients trickle")
    hung = join(threads, 40)
    check("no slow client is kept forever (%d left after %.0f s)" % (hung, time.time() - t0),
          hung == 0)
    idle = [r for r in results if r and any(x.startswith("421 4.4.2") for x in r[1])]
    check("the server ends each slow client at its idle timeout (421 4.4.2 for %d)" % len(idle),
          len(idle) == 150, repr([r for r in results if r not in idle][:2]))


def case_longlines():
    """20 clients each sending a 1 MB line, then NOOP."""
    def long_line(i):
        c = Conn(timeout=30)
        try:
            c.reply()
            c.s.sendall(b"NOOP " + b"L" * (1 << 20) + b"\r\n")
            first = c.reply()
            return (first, c.cmd("NOOP"))
        finally:
            c.close()
    sampler = Sampler()
    threads, results = in_threads(long_line, 20)
    check_polite("while 20 clients send 1 MB lines")
    hung = join(threads, 60)
    peak = sampler.stop()
    check("no long-line client hangs", hung == 0, hung)
    check("each 1 MB line gets 500 5.5.2", all(r and r[0].startswith("500 5.5.2") for r in results),
          repr(results[:2]))
    check("and each session goes on (NOOP gets 250)",
          all(r and r[1].startswith("250") for r in results), repr(results[:2]))
    print("# peak VmRSS during the long lines: %d kB" % peak)


def case_garbage():
    """20 clients sending 256 kB of random bytes (NUL, ESC, CR, 8-bit, everything)."""
    def garbage(i):
        rnd = random.Random(i)
        c = Conn(timeout=20)
        try:
            c.reply()
            data = bytes(rnd.getrandbits(8) for _ in range(256 * 1024))
            try:
                c.s.sendall(data)
            except OSError:
                pass
            return c.replies_until_close(1000)
        finally:
            c.close()
    threads, results = in_threads(garbage, 20)
    check_polite("while 20 clients send garbage")
    hung = join(threads, 60)
    check("no garbage client hangs", hung == 0, hung)
    check("garbage is refused and the client sent away (421 at the end)",
          all(isinstance(r, list) and r and r[-1].startswith("421") for r in results),
          repr([r[-2:] if isinstance(r, list) else r for r in results[:2]]))


def case_rcpts():
    """10 clients each pipelining MAIL and 5000 RCPTs."""
    def rcpts(i):
        c = Conn(timeout=30)
        try:
            c.reply()
            c.cmd("EHLO rcpts%d.example" % i)
            cmds = b"MAIL FROM:<r%d@example.org>\r\n" % i
            cmds += b"".join(b"RCPT TO:<u%d@practice.test>\r\n" % n for n in range(5000))
            sender = threading.Thread(target=lambda: c.s.sendall(cmds), daemon=True)
            sender.start()
            got = c.replies_until_close(5001)
            return got
        finally:
            c.close()
    sampler = Sampler()
    threads, results = in_threads(rcpts, 10)
    check_polite("while 10 clients send 5000 RCPTs each")
    hung = join(threads, 60)
    peak = sampler.stop()
    check("no RCPT flood hangs", hung == 0, hung)
    for i, r in enumerate(results[:1]):
        if not isinstance(r, list):
            check("RCPT flood %d answered" % i, False, repr(r))
            continue
        accepted = [x for x in r[1:] if x.startswith("250")]
        check("100 recipients accepted (%d)" % len(accepted), len(accepted) == 100)
        check("then 452 4.5.3", any(x.startswith("452 4.5.3") for x in r), r[99:103])
    ok = all(isinstance(r, list) and sum(x.startswith("250") for x in r[1:]) == 100
             for r in results)
    check("every flood gets exactly 100 accepted", ok)
    print("# peak VmRSS during the RCPT floods: %d kB" % peak)


def case_endless_data():
    """3 clients whose message never ends, far past SIZE."""
    def endless(i):
        c = Conn(timeout=30)
        try:
            c.reply()
            c.cmd("EHLO endless%d.example" % i)
            c.cmd("MAIL FROM:<e%d@example.org>" % i)
            c.cmd("RCPT TO:<practice@practice.test>")
            go = c.cmd("DATA")
            chunk = (b"y" * 998 + b"\r\n") * 256
            sent = 0
            try:
                while sent < 2 * SIZE + 8 * 1024 * 1024:
                    c.s.sendall(chunk)
                    sent += len(chunk)
            except OSError:
                pass
            return (go, sent, c.replies_until_close(3))
        finally:
            c.close()
    base = vmrss(PID)
    sampler = Sampler()
    threads, results = in_threads(endless, 3)
    check_polite("while 3 messages never end", limit=10)
    hung = join(threads, 120)
    peak = sampler.stop()
    check("no endless message hangs", hung == 0, hung)
    check("each is stopped with 552 5.3.4 or 421 4.3.4",
          all(isinstance(r, tuple) and len(r) == 3 and r[2] and
              (r[2][-1].startswith("552 5.3.4") or r[2][-1].startswith("421 4.3.4"))
              for r in results), repr([r[2] if isinstance(r, tuple) and len(r) == 3 else r
                                       for r in results]))
    check("the server's memory stays bounded: peak VmRSS %d kB, %d kB at the start "
          "(limit +64 MB)" % (peak, base), 0 < peak < base + 64 * 1024)


def case_auth():
    """AUTH abuse: a 1 MB AUTH line, bad base64, control bytes as answers, endless retries."""
    import base64

    def session(cmds):
        c = Conn(timeout=15)
        try:
            c.reply()
            c.cmd("EHLO auth.example")
            out = []
            for cmd in cmds:
                c.s.sendall(cmd + b"\r\n")
                out.append(c.reply())
            return out
        except (OSError, EOFError) as e:
            return out + [repr(e)]
        finally:
            c.close()
    r = session([b"AUTH PLAIN " + b"A" * (1 << 20), b"NOOP"])
    check("a 1 MB AUTH line gets 500, and the session goes on", len(r) == 2 and
          r[0].startswith("500") and r[1].startswith("250"), r)
    r = session([b"AUTH PLAIN !!!***", b"NOOP"])
    check("AUTH PLAIN with bad base64 gets 501", r[0].startswith("501") and
          r[1].startswith("250"), r)
    r = session([b"AUTH LOGIN", b"\x00\x1b[31m\xff", b"\x1b]0;T\x07", b"NOOP"])
    check("AUTH LOGIN answered with control bytes is refused (501 or 535)",
          len(r) == 4 and r[0].startswith("334") and
          any(x[:3] in ("501", "535") for x in r[1:3]) and r[3].startswith("250"), r)
    r = session([b"AUTH CRAM-MD5", base64.b64encode(bytes(range(256)) * 4), b"NOOP"])
    check("AUTH CRAM-MD5 answered with binary is refused", len(r) == 3 and
          r[1][:3] in ("501", "535") and r[2].startswith("250"), r)
    wrong = b"AUTH PLAIN " + base64.b64encode(b"\x00practice\x00not-the-password")
    r = session([wrong] * 10)
    check("repeated wrong passwords end with 421 4.7.0 and a close",
          any(x.startswith("421 4.7.0") for x in r) and
          len([x for x in r if x.startswith("535")]) <= 3, r)
    check_polite("after the AUTH abuse")


def case_bdat():
    """BDAT abuse: sizes that are not numbers or do not fit, a chunk far over SIZE."""
    c = Conn(timeout=30)
    out = []
    try:
        c.reply()
        c.cmd("EHLO bdat.example")
        c.cmd("MAIL FROM:<b@example.org>")
        c.cmd("RCPT TO:<practice@practice.test>")
        for cmd in ("BDAT 99999999999999999999999", "BDAT -1", "BDAT 1e9", "BDAT", "BDAT 5 LAST x"):
            out.append(c.cmd(cmd))
    finally:
        c.close()
    check("BDAT sizes that are not sizes get 501", all(x.startswith("501") for x in out), out)
    sampler = Sampler()
    base = vmrss(PID)
    c = Conn(timeout=30)
    try:
        c.reply()
        c.cmd("EHLO bdat.example")
        c.cmd("MAIL FROM:<b@example.org>")
        c.cmd("RCPT TO:<practice@practice.test>")
        size = SIZE * 3
        c.s.sendall(b"BDAT %d LAST\r\n" % size)
        chunk = b"z" * (1 << 20)
        sent = 0
        try:
            while sent < size:
                c.s.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        got = c.replies_until_close(2)
    finally:
        c.close()
    peak = sampler.stop()
    check("a BDAT chunk of 3 times SIZE is refused with 552 5.3.4 (or 421)",
          got and got[0][:9] in ("552 5.3.4", "421 4.3.4"), got)
    check("and memory stays bounded: peak VmRSS %d kB, %d kB at the start (limit +64 MB)" %
          (peak, base), 0 < peak < base + 64 * 1024)
    check_polite("after the BDAT abuse")


def case_sequential():
    """1000 sessions one after another, each with a 100 kB message: no growth per session."""
    body = b"Subject: seq\r\n\r\n" + (b"s" * 98 + b"\r\n") * 1000 + b".\r\n"

    def one(i):
        c = Conn(timeout=15)
        try:
            c.reply()
            c.cmd("EHLO seq%d.example" % i)
            c.cmd("MAIL FROM:<s%d@example.org>" % i)
            c.cmd("RCPT TO:<practice@practice.test>")
            c.cmd("DATA")
            c.s.sendall(body)
            done = c.reply()
            c.cmd("QUIT")
            return done.startswith("250")
        finally:
            c.close()
    ok = sum(one(i) for i in range(100))
    warm = vmrss(PID)
    ok += sum(one(i) for i in range(100, 1000))
    after = vmrss(PID)
    check("1000 sessions in a row all deliver (%d)" % ok, ok == 1000)
    check("no growth per session: VmRSS %d kB after 100, %d kB after 1000 (limit +8 MB)" %
          (warm, after), 0 < after < warm + 8 * 1024)


def client_hello_prefix():
    """The first 60 bytes of a real ClientHello (a handshake that stops halfway)."""
    ctx = tls_context()
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()[:60]


def case_tls():
    """Garbage and stalled handshakes on the TLS port, garbage and silence after STARTTLS."""
    hello = client_hello_prefix()
    held = []

    def tls_garbage(i):
        c = Conn(TLS_PORT, timeout=15)
        try:
            c.s.sendall(bytes(random.Random(i).getrandbits(8) for _ in range(4096)))
            data = b""
            while True:
                d = c.s.recv(4096)
                if not d:
                    break
                data += d
            return data
        except OSError:
            return b""
        finally:
            c.close()
    threads, garbage = in_threads(tls_garbage, 30)
    for _ in range(30):
        c = Conn(TLS_PORT, timeout=15)
        c.s.sendall(hello)
        held.append(c)

    def starttls_then(i):
        c = Conn(timeout=15)
        try:
            c.reply()
            c.cmd("EHLO tls%d.example" % i)
            go = c.cmd("STARTTLS")
            if i % 2 == 0:
                c.s.sendall(b"\x16\x03\x01\x02\x00" + b"\x1b[31mnot a handshake\r\n" * 100)
                rest = c.replies_until_close(3)
                return (go, "garbage", rest)
            held.append(c)
            return (go, "silent", [])
        except (OSError, EOFError) as e:
            return ("error", repr(e), [])
    threads2, starttls = in_threads(starttls_then, 20)
    time.sleep(0.5)
    check_polite("while TLS handshakes stall and fail")
    check_polite("while TLS handshakes stall and fail", tls=True)
    hung = join(threads + threads2, 30)
    check("no TLS attacker hangs", hung == 0, hung)
    check("garbage on the TLS port never gets an SMTP greeting",
          all(isinstance(g, bytes) and not g.startswith(b"220") for g in garbage))
    check("STARTTLS is accepted before the garbage (220 2.0.0)",
          all(isinstance(s, tuple) and s[0].startswith("220 2.0.0") for s in starttls),
          repr(starttls[:2]))
    check("garbage after STARTTLS gets no SMTP reply",
          all(isinstance(s, tuple) and not any(x[:3].isdigit() for x in s[2])
              for s in starttls), repr([s[2] for s in starttls if isinstance(s, tuple)][:2]))
    for c in held:
        c.close()


def case_tls_many():
    """200 clients at once on the implicit-TLS port, each a whole handshake and a short session."""
    ctx = tls_context()

    def session(i):
        raw = socket.create_connection(("127.0.0.1", TLS_PORT), timeout=30)
        try:
            c = Conn(sock=ctx.wrap_socket(raw, server_hostname="localhost"))
            greet = c.reply()
            if greet.startswith("421 4.3.2"):
                return "busy"
            ehlo = c.cmd("EHLO tlsmany%d.example" % i)
            bye = c.cmd("QUIT")
            return "ok" if ehlo.startswith("250") and bye.startswith("221") else greet
        except (OSError, EOFError, ssl.SSLError) as e:
            return repr(e)
        finally:
            raw.close()
    t0 = time.time()
    threads, results = in_threads(session, 200)
    time.sleep(0.5)
    check_polite("while 200 TLS clients connect", limit=10)
    hung = join(threads, 60)
    check("no TLS client hangs (%d left after %.1f s)" % (hung, time.time() - t0), hung == 0)
    bad = [r for r in results if r not in ("ok", "busy")]
    check("every TLS client is served (%d ok)" % results.count("ok"), not bad, repr(bad[:3]))


def main():
    cases = {"connections": case_connections, "held": case_held,
             "slowloris": case_slowloris, "longlines": case_longlines,
             "garbage": case_garbage, "rcpts": case_rcpts,
             "endless-data": case_endless_data, "tls": case_tls,
             "auth": case_auth, "bdat": case_bdat, "sequential": case_sequential,
             "tls-many": case_tls_many}
    if CASE not in cases or not SMTPSCOPE:
        sys.stderr.write(__doc__)
        return 2
    before = vmrss(PID)
    cases[CASE]()
    time.sleep(0.3)
    after = vmrss(PID)
    check("the server is still running", after > 0)
    print("# VmRSS %d kB before, %d kB after" % (before, after))
    return 1 if tap.failures else 0


if __name__ == "__main__":
    sys.exit(main())
