"""practice_client.py: what the Python test clients of the practice server share: TAP-style
`ok N - name` / `FAIL N - name` lines (Tap), the server's resident memory (vmrss), a TLS
context that does not verify (the practice server's certificate is self-signed), and Conn, one
SMTP connection that reads replies line by line. Standard library only.

hostile_practice.py beside it imports it directly (running `python3 DIR/script.py` puts DIR first
on sys.path); the scripts in tests/integration/server/ put this folder on sys.path themselves, so
it is found in the source tree, in a VPATH build and in the tarball.
"""
import socket
import ssl
import sys
import threading


class Tap:
    """Numbered check lines, safe to call from several threads. With a case name every line
    says `CASE: name`, so the lines of a script run once a case stay apart."""

    def __init__(self, case=None):
        self.prefix = case + ": " if case else ""
        self.count = 0
        self.failures = 0
        self.lock = threading.Lock()

    def check(self, name, cond, detail=""):
        with self.lock:
            self.count += 1
            if cond:
                print("ok %d - %s%s" % (self.count, self.prefix, name))
            else:
                self.failures += 1
                print("FAIL %d - %s%s %s" % (self.count, self.prefix, name, detail))
            sys.stdout.flush()

    def finish(self):
        """Prints the summary line; returns the exit status (1 when a check failed)."""
        print("%d checks, %d failed" % (self.count, self.failures))
        return 1 if self.failures else 0


def vmrss(pid):
    """The resident memory of process PID in kB (VmRSS), or -1 when it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def tls_context():
    """A client context that takes any certificate: the tests are about SMTP, not trust."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def is_last_line(line):
    """False for a continuation line of a multiline reply (`250-...`)."""
    return len(line) < 4 or line[3] != "-"


class Conn:
    """A client connection to 127.0.0.1. The defaults are class attributes, so a script sets
    its port and timeouts once in a subclass instead of at every connection:
    default_port, timeout (seconds per read), connect_timeout (None: the same as timeout) and
    encoding (how reply lines are decoded; undecodable bytes are replaced)."""
    default_port = None
    timeout = 15
    connect_timeout = 10
    encoding = "utf-8"

    def __init__(self, port=None, timeout=None, implicit_tls=False, sock=None):
        """Connects to PORT (default_port when None), in TLS from the first byte when
        implicit_tls; or, given SOCK, speaks over that connected socket as it is."""
        if sock is None:
            timeout = self.timeout if timeout is None else timeout
            connect = timeout if self.connect_timeout is None else self.connect_timeout
            sock = socket.create_connection(
                ("127.0.0.1", self.default_port if port is None else port), connect)
            sock.settimeout(timeout)
            if implicit_tls:
                sock = tls_context().wrap_socket(sock)
        self.s = sock
        self.buf = b""

    def line(self):
        """The next line without its CRLF; EOFError when the server closed first."""
        while b"\n" not in self.buf:
            data = self.s.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode(self.encoding, "replace")

    def reply_lines(self):
        """The lines of the next reply."""
        lines = [self.line()]
        while not is_last_line(lines[-1]):
            lines.append(self.line())
        return lines

    def reply(self):
        """The last line of the next reply."""
        return self.reply_lines()[-1]

    def send(self, data):
        self.s.sendall(data if isinstance(data, bytes) else data.encode())

    def cmd(self, text):
        """Sends TEXT (str or bytes) and CRLF; returns what reply() does."""
        self.send((text if isinstance(text, bytes) else text.encode()) + b"\r\n")
        return self.reply()

    def starttls(self):
        self.s = tls_context().wrap_socket(self.s)

    def replies_until_close(self, limit=None):
        """The last lines of the replies until the server closes (or LIMIT of them)."""
        got = []
        try:
            while limit is None or len(got) < limit:
                got.append(self.reply_lines()[-1])
        except (EOFError, OSError):
            pass
        return got

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass
