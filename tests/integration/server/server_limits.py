"""server_limits.py: the practice server's limits, each at its edge: SASL responses up to 12288
octets (RFC 4954) in AUTH and after 334, malformed CRAM-MD5 and LOGIN answers, the TLS
handshake timeout, the time a message may take, and the file descriptor limit. Prints
`ok N - name` / `FAIL N - name`; exits 1 when a check failed. Standard library only.

usage: server_limits.py CASE PORT TLS_PORT SERVER_PID
cases: auth-lines, sasl-answers, handshake, data-time, bdat-endless, endless-line, fds
The server runs with --idle-timeout 3 --data-timeout 5 --size 1000000 and the users
practice:secret123 and long:LONG_PASSWORD (see server_limits.sh), except for `fds`.
"""
import base64
import hashlib
import hmac
import os
import socket
import ssl
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "servers"))
import practice_client  # noqa: E402  (in tests/servers/)

CASE = sys.argv[1]
PORT, TLS_PORT, PID = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
IDLE, DATA_TIME, SIZE = 3, 5, 1000000
AUTH_MAX = 12288
# A password whose AUTH PLAIN response is exactly AUTH_MAX octets of base64.
LONG_PASSWORD = "p" * (AUTH_MAX // 4 * 3 - len("\0long\0"))
tap = practice_client.Tap(CASE)
check = tap.check


class Conn(practice_client.Conn):
    default_port = PORT


def greeted():
    c = Conn()
    c.reply()
    c.cmd("EHLO limits.test")
    return c


def b64(data):
    return base64.b64encode(data if isinstance(data, bytes) else data.encode()).decode()


def polite(tls=False):
    """A whole session with a message; True when it was accepted and closed with 221."""
    try:
        c = Conn(TLS_PORT, implicit_tls=True) if tls else Conn()
        ok = c.reply().startswith("220")
        ok &= c.cmd("EHLO polite.test").startswith("250")
        ok &= c.cmd("MAIL FROM:<polite@example.org>").startswith("250")
        ok &= c.cmd("RCPT TO:<alice@practice.test>").startswith("250")
        ok &= c.cmd("DATA").startswith("354")
        ok &= c.cmd("Subject: polite\r\n\r\nhello\r\n.").startswith("250 2.0.0")
        ok &= c.cmd("QUIT").startswith("221")
        c.close()
        return ok
    except (OSError, EOFError, ssl.SSLError):
        return False


def cpu_seconds():
    with open("/proc/%d/stat" % PID) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0


# ---- cases ----

def case_auth_lines():
    """SASL responses up to 12288 octets pass, one more gets 500 5.5.6, in both places."""
    plain = b64("\0long\0" + LONG_PASSWORD)
    check("the long PLAIN response is exactly %d octets" % AUTH_MAX, len(plain) == AUTH_MAX,
          len(plain))

    c = greeted()
    r = c.cmd("AUTH PLAIN " + plain)
    check("AUTH PLAIN with a %d-octet initial response: 235 2.7.0" % AUTH_MAX,
          r.startswith("235 2.7.0 "), r[:120])
    c.close()

    c = greeted()
    r = c.cmd("auth plain " + plain)
    check("the same in lower case: 235 2.7.0", r.startswith("235 2.7.0 "), r[:120])
    c.close()

    c = greeted()
    r = c.cmd("AUTH PLAIN " + plain + "=")
    check("an initial response of %d octets: 500 5.5.6" % (AUTH_MAX + 1),
          r.startswith("500 5.5.6 ") and "too long" in r and "12288" in r, r[:160])
    check("and the session goes on", c.cmd("NOOP").startswith("250 "))
    r = c.cmd("AUTH PLAIN " + b64("\0practice\0secret123"))
    check("AUTH works after it (the too-long one was no attempt)", r.startswith("235 2.7.0 "), r)
    c.close()

    c = greeted()
    r = c.cmd("AUTH PLAIN")
    check("AUTH PLAIN without a response: 334", r.startswith("334"), r)
    r = c.cmd(plain)
    check("a %d-octet answer to 334: 235 2.7.0" % AUTH_MAX, r.startswith("235 2.7.0 "), r[:120])
    c.close()

    c = greeted()
    c.cmd("AUTH PLAIN")
    r = c.cmd(plain + "=")
    check("a %d-octet answer to 334: 500 5.5.6" % (AUTH_MAX + 1),
          r.startswith("500 5.5.6 ") and "12288" in r, r[:160])
    r = c.cmd("NOOP")
    check("the exchange is over: the next line is a command again", r.startswith("250 "), r)
    c.close()

    c = greeted()
    c.send(b"AUTH PLAIN " + b"A" * (1 << 20) + b"\r\n")
    r = c.reply()
    check("a 1 MB AUTH line: 500 5.5.6", r.startswith("500 5.5.6 "), r[:160])
    check("and the session goes on", c.cmd("NOOP").startswith("250 "))
    c.cmd("AUTH LOGIN")
    c.send(b"B" * (1 << 20) + b"\r\n")
    r = c.reply()
    check("a 1 MB answer to 334: 500 5.5.6", r.startswith("500 5.5.6 "), r[:160])
    check("and the session goes on", c.cmd("NOOP").startswith("250 "))
    c.close()

    c = greeted()
    r = c.cmd("NOOP " + "x" * 5000)
    check("other commands keep the 4096-byte limit: 500 5.5.2", r.startswith("500 5.5.2 ") and
          "4096" in r, r[:160])
    r = c.cmd("MAIL FROM:<" + "a" * 5000 + "@example.org>")
    check("a 5000-byte MAIL: 500 5.5.2", r.startswith("500 5.5.2 "), r[:160])
    r = c.cmd("AUTHX " + "x" * 5000)
    check("a long line that only starts like AUTH: 500 5.5.2", r.startswith("500 5.5.2 "), r[:160])
    c.close()


def case_sasl_answers():
    """Answers that are base64 but not what the mechanism wants say so, with 501 5.5.2."""
    def cram_session(answer_of_challenge):
        c = greeted()
        r = c.cmd("AUTH CRAM-MD5")
        challenge = base64.b64decode(r[4:])
        r = c.cmd(b64(answer_of_challenge(challenge)))
        after = c.cmd("NOOP")
        c.close()
        return r, after

    def digest(challenge, password=b"secret123"):
        return hmac.new(password, challenge, hashlib.md5)

    r, after = cram_session(lambda ch: bytes(range(256)) * 2)
    check("CRAM-MD5 answered with binary: 501 5.5.2", r.startswith("501 5.5.2 "), r)
    check("the reply says the answer is not 'user digest'", "user digest" in r, r)
    check("and does not claim it is not base64", "must be base64" not in r, r)
    check("the session goes on", after.startswith("250 "), after)

    r, _ = cram_session(lambda ch: b"practice " + digest(ch).digest())
    check("CRAM-MD5 with the raw 16-byte HMAC instead of hex: 501 5.5.2",
          r.startswith("501 5.5.2 ") and "user digest" in r, r)
    r, _ = cram_session(lambda ch: digest(ch).hexdigest().encode())
    check("CRAM-MD5 without the user: 501 5.5.2", r.startswith("501 5.5.2 ") and
          "user digest" in r, r)
    r, _ = cram_session(lambda ch: b"practice " + digest(ch).hexdigest().upper().encode())
    check("CRAM-MD5 with upper-case hex (RFC 2195 says lower case): 501 5.5.2",
          r.startswith("501 5.5.2 "), r)
    r, _ = cram_session(lambda ch: b"practice " + digest(ch, b"wrong").hexdigest().encode())
    check("CRAM-MD5 well formed, wrong password: 535 5.7.8", r.startswith("535 5.7.8 "), r)
    r, _ = cram_session(lambda ch: b"nobody " + digest(ch).hexdigest().encode())
    check("CRAM-MD5 well formed, unknown user: 535 5.7.8", r.startswith("535 5.7.8 "), r)
    r, _ = cram_session(lambda ch: b"practice " + digest(ch).hexdigest().encode())
    check("CRAM-MD5 right: 235 2.7.0", r.startswith("235 2.7.0 "), r)

    c = greeted()
    c.cmd("AUTH CRAM-MD5")
    r = c.cmd("!!not base64!!")
    check("CRAM-MD5 answered with what is not base64: 501 5.5.2 says base64",
          r.startswith("501 5.5.2 ") and "base64" in r, r)
    c.close()

    c = greeted()
    c.cmd("AUTH LOGIN")
    r = c.cmd(b64(b"prac\0tice"))
    check("LOGIN user name decoding to a NUL: 501 5.5.2", r.startswith("501 5.5.2 "), r)
    check("the reply names the NUL, not base64", "NUL" in r and "must be base64" not in r, r)
    c.cmd("AUTH LOGIN")
    c.cmd(b64("practice"))
    r = c.cmd(b64(b"secret\x00123"))
    check("LOGIN password decoding to a NUL: 501 5.5.2 naming the password",
          r.startswith("501 5.5.2 ") and "password" in r, r)
    c.close()


def case_handshake():
    """Silent clients in a TLS handshake are cut after the idle timeout (3 s), not 30 s."""
    results = {}

    def silent_implicit():
        t0 = time.time()
        c = Conn(TLS_PORT, timeout=40)
        try:
            got = c.s.recv(100)
        except OSError:
            got = b""
        results["implicit"] = (time.time() - t0, got)
        c.close()

    def silent_starttls():
        c = Conn(timeout=40)
        c.reply()
        c.cmd("EHLO silent.test")
        r = c.cmd("STARTTLS")
        t0 = time.time()
        try:
            got = c.s.recv(100)
        except OSError:
            got = b""
        results["starttls"] = (time.time() - t0, got, r)
        c.close()

    def half_hello():
        # The first bytes of a handshake, then nothing.
        c = Conn(TLS_PORT, timeout=40)
        t0 = time.time()
        c.send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
        try:
            got = c.s.recv(100)
        except OSError:
            got = b""
        results["half"] = (time.time() - t0, got)
        c.close()

    threads = [threading.Thread(target=f, daemon=True)
               for f in (silent_implicit, silent_starttls, half_hello)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    served = [polite(tls=True), polite(tls=False), polite(tls=True)]
    check("well-behaved clients are served while the handshakes stall", all(served), served)
    for t in threads:
        t.join(45)
    for name in ("implicit", "starttls", "half"):
        r = results.get(name)
        check("%s: the stalled handshake is cut" % name, r is not None and r[1] == b"", r)
        check("%s: after the idle timeout of %d s (%.1f s), not 30 s" %
              (name, IDLE, r[0] if r else -1), r is not None and IDLE - 0.5 <= r[0] < IDLE + 7,
              r)
    r = results.get("starttls")
    check("STARTTLS was accepted first (220 2.0.0)", r is not None and r[2].startswith("220 2.0.0"),
          r)


def trickle(c, piece):
    """Sends piece every half second until a reply comes (at most 20 s), then reads until the
    server closes; returns (seconds from the first piece to the close, the replies)."""
    t0 = time.time()
    got = []
    try:
        while time.time() - t0 < 20:
            c.send(piece)
            c.s.settimeout(0.5)
            try:
                got.append(c.reply())
                break
            except socket.timeout:
                pass
    except (OSError, EOFError):
        pass
    c.s.settimeout(5)
    got += c.replies_until_close()
    return time.time() - t0, got


def case_data_time():
    """A message that trickles in is ended at --data-timeout (5 s) with 421 4.4.2."""
    results = {}

    def trickle_data():
        c = greeted()
        c.cmd("MAIL FROM:<trickle@example.org>")
        c.cmd("RCPT TO:<alice@practice.test>")
        go = c.cmd("DATA")
        # A short line every half second: never idle, never done.
        elapsed, got = trickle(c, b"x\r\n")
        results["data"] = (go, elapsed, got)
        c.close()

    def trickle_bdat(before_mail):
        c = greeted()
        if not before_mail:
            c.cmd("MAIL FROM:<trickle@example.org>")
            c.cmd("RCPT TO:<alice@practice.test>")
        c.send(b"BDAT 100000 LAST\r\n")
        results["bdat-rejected" if before_mail else "bdat"] = trickle(c, b"y")
        c.close()

    threads = [threading.Thread(target=trickle_data, daemon=True),
               threading.Thread(target=trickle_bdat, args=(False,), daemon=True),
               threading.Thread(target=trickle_bdat, args=(True,), daemon=True)]
    for t in threads:
        t.start()
    time.sleep(1)
    check("a well-behaved client is served meanwhile", polite())
    for t in threads:
        t.join(30)
    r = results.get("data")
    check("DATA: 354 first", r is not None and r[0].startswith("354"), r)
    check("DATA trickled for ever: 421 4.4.2 naming the time limit",
          r is not None and r[2] and r[2][0].startswith("421 4.4.2 ") and "5 seconds" in r[2][0],
          r)
    check("after about %d s (%.1f s)" % (DATA_TIME, r[1] if r else -1),
          r is not None and DATA_TIME - 0.5 <= r[1] < DATA_TIME + 7, r)
    check("and the connection is closed", r is not None and len(r[2]) == 1, r)
    for name in ("bdat", "bdat-rejected"):
        r = results.get(name)
        check("%s chunk trickled for ever: 421 4.4.2 after about %d s (%.1f s)" %
              (name, DATA_TIME, r[0] if r else -1),
              r is not None and r[1] and r[1][0].startswith("421 4.4.2 ") and
              DATA_TIME - 0.5 <= r[0] < DATA_TIME + 7, r)

    # The clock runs per message: sessions that go on after a message, or after a refused
    # BDAT chunk, are not cut by it later.
    c = greeted()
    ok = True
    for i in range(3):
        ok &= c.cmd("MAIL FROM:<steady@example.org>").startswith("250")
        ok &= c.cmd("RCPT TO:<alice@practice.test>").startswith("250")
        ok &= c.cmd("DATA").startswith("354")
        ok &= c.cmd("Subject: %d\r\n\r\nhi\r\n." % i).startswith("250 2.0.0")
        time.sleep(2)
        ok &= c.cmd("NOOP").startswith("250")
    check("three messages with pauses, %d s in all: no 421" % 6, ok)
    c.close()
    c = greeted()
    c.send(b"BDAT 5\r\nhello")
    r = c.reply()
    check("a BDAT chunk before MAIL: 503 5.5.1", r.startswith("503 5.5.1"), r)
    replies = []
    for i in range(4):
        time.sleep(1.5)
        replies.append(c.cmd("NOOP"))
    check("and 6 s of NOOPs after it are all answered 250", all(x.startswith("250")
                                                               for x in replies), replies)
    c.close()


def case_bdat_endless():
    """A BDAT chunk announced far past SIZE is cut once it goes past 2 SIZE + 1 MB (421 4.3.4),
    as a DATA that never ends is, not read to its end."""
    def endless(before_mail):
        c = greeted()
        if not before_mail:
            c.cmd("MAIL FROM:<huge@example.org>")
            c.cmd("RCPT TO:<alice@practice.test>")
        c.send(b"BDAT 1000000000000000 LAST\r\n")
        chunk = b"z" * 65536
        sent, t0 = 0, time.time()
        try:
            # Far more than the cut needs, in less than the time limit.
            while sent < 12 * SIZE and time.time() - t0 < DATA_TIME - 1:
                c.send(chunk)
                sent += len(chunk)
        except OSError:
            pass
        got = c.replies_until_close()
        c.close()
        return sent, got

    sent, got = endless(False)
    check("a BDAT chunk of 10^15 bytes is cut with 421 4.3.4 (%d bytes sent)" % sent,
          got and got[-1].startswith("421 4.3.4 "), got)
    check("once past 2 SIZE + 1 MB, not at the end of what was sent",
          sent < 12 * SIZE, sent)
    sent, got = endless(True)
    check("the same for a chunk refused before MAIL (%d bytes sent)" % sent,
          got and got[-1].startswith("421 4.3.4 ") and sent < 12 * SIZE, (sent, got))
    check("a well-behaved client is served after that", polite())


def case_endless_line():
    """A command line that goes on for ever, bytes flowing all the time, is ended at the idle
    timeout with a reply that says what happened, not that the client was idle."""
    c = greeted()
    c.send(b"NOOP ")
    t0 = time.time()
    got = []
    try:
        while time.time() - t0 < 20:
            c.send(b"x" * 4096)
            time.sleep(0.05)
            c.s.settimeout(0.01)
            try:
                got.append(c.reply())
                break
            except socket.timeout:
                pass
    except (OSError, EOFError):
        pass
    c.s.settimeout(5)
    got += c.replies_until_close()
    secs = time.time() - t0
    c.close()
    check("an endless line gets 421 4.4.2", got and got[0].startswith("421 4.4.2 "), got)
    check("saying the line never ended", got and "not ended" in got[0], got)
    check("at the idle timeout (%.1f s)" % secs, IDLE - 0.5 <= secs < IDLE + 7, secs)
    check("a well-behaved client is served after that", polite())


def case_fds():
    """The server runs under `ulimit -n 40`: clients over what fits get 421 4.3.2 at once."""
    conns, answers = [], []
    for i in range(60):
        c = Conn(timeout=5)
        conns.append(c)
    deadline = time.time() + 10
    for c in conns:
        try:
            c.s.settimeout(max(0.1, deadline - time.time()))
            answers.append(c.reply())
        except (OSError, EOFError) as e:
            answers.append(repr(e))
    greeted_n = sum(a.startswith("220") for a in answers)
    busy = sum(a.startswith("421 4.3.2") for a in answers)
    check("every one of 60 clients gets an answer (%d greeted, %d turned away)" %
          (greeted_n, busy), greeted_n + busy == 60, answers[-3:])
    check("those over the limit get 421 4.3.2", busy >= 20, busy)
    c0 = cpu_seconds()
    time.sleep(2)
    spent = cpu_seconds() - c0
    check("the server does not spin while full (%.2f s of CPU in 2 s)" % spent, spent < 0.5)
    for c in conns:
        c.close()
    time.sleep(0.5)
    check("a well-behaved client is served once they left", polite())


def main():
    cases = {"auth-lines": case_auth_lines, "sasl-answers": case_sasl_answers,
             "handshake": case_handshake, "data-time": case_data_time,
             "bdat-endless": case_bdat_endless, "endless-line": case_endless_line,
             "fds": case_fds}
    if CASE not in cases:
        sys.stderr.write(__doc__)
        return 2
    cases[CASE]()
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
