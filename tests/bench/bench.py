#!/usr/bin/python3
"""smtpscope's benchmark suite: measures smtpscope side by side with swaks and openssl s_client
in one run, against the built-in practice server and python3-aiosmtpd on loopback, and prints a
table of medians, spreads and smtpscope/peer ratios. Not part of `make check`: run `make bench`.

Each measurement runs the tools alternately (smtpscope, peer, smtpscope, peer, ...) so that drift
on a shared machine hits both alike; ratios are taken within the run. CPU time comes from
wait4()'s rusage, peak RSS from GNU time (both include GNU time's own share, shown in the
baseline row). Every run must do the whole job: exit status 0 and exactly one message of the
expected size delivered (under TLS and AUTH where the session asks for them), read from the
servers' own logs; a run that fails is left out of the medians and counted in the table.

The screen (measurement 4) is measured from outside, in tmux: CPU of the smtpscope process from
/proc/PID/schedstat around each key (each page scroll waits for the screen to change and the
process to go quiet), memory from /proc/PID/status (VmHWM, less that of an empty screen).

Writes RESULTS/bench.txt (the table), RESULTS/bench.csv and, when gnuplot is there,
RESULTS/scaling.png.
"""

import argparse
import csv
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
USER, PASSWORD = "bench", "bench-password"
RCPT_DOMAIN = "practice.test"


class Sample:
    def __init__(self, wall, cpu, rss_kb, status):
        self.wall, self.cpu, self.rss_kb, self.status = wall, cpu, rss_kb, status
        self.ok = status == 0
        self.why = "" if self.ok else f"exit status {status}"


def run_measured(argv, stdin_path=None, env=None, timeout=600, output=None):
    """Runs argv to completion under GNU time. Peak RSS comes from GNU time's report (a child
    forked straight from this Python would count Python's own pages); CPU time from wait4()'s
    rusage, which is exact to the microsecond and includes GNU time's own share (about 1 ms)."""
    with tempfile.NamedTemporaryFile("r", prefix="smtpscope-bench-time.") as report:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        start = time.perf_counter()
        out = open(output, "wb") if output else subprocess.DEVNULL
        proc = subprocess.Popen(["/usr/bin/time", "-q", "-o", report.name, "-f", "%M", *argv],
                                stdin=stdin, stdout=out,
                                stderr=subprocess.STDOUT if output else subprocess.DEVNULL,
                                env=env)
        if output:
            out.close()
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.0005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if stdin_path:
            stdin.close()
        fields = report.read().split()
    try:
        rss = int(fields[-1])
    except (IndexError, ValueError):
        rss = float("nan")
    return Sample(wall, usage.ru_utime + usage.ru_stime, rss, proc.returncode)


def median(values):
    return statistics.median(values) if values else float("nan")


def throughput(size, samples):
    """MB/s from the median wall time of the runs that did the job."""
    wall = median([s.wall for s in samples if s.ok])
    return size / wall / 1e6 if wall == wall and wall > 0 else float("nan")


def spread(values):
    """Half the interquartile range, relative to the median, in percent."""
    if not values or not median(values):
        return 0
    if len(values) < 4:
        return (max(values) - min(values)) / 2 / median(values) * 100
    q = statistics.quantiles(values, n=4)
    return (q[2] - q[0]) / 2 / median(values) * 100


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, limit=15):
    end = time.time() + limit
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Deliveries:
    """The messages a server accepted, as (size, tls, auth) in order, read from its log as the
    log grows. parse(line) returns such a tuple for a line that records a message."""

    def __init__(self, path, parse):
        self.path, self.parse, self.offset, self.items = path, parse, 0, []

    def count(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:
            return len(self.items)
        cut = data.rfind(b"\n") + 1
        self.offset += cut
        for line in data[:cut].decode("utf-8", "replace").splitlines():
            item = self.parse(line)
            if item is not None:
                self.items.append(item)
        return len(self.items)

    def since(self, before, want, limit=2.0):
        """The messages after the first `before`, waiting up to limit seconds for `want`."""
        end = time.time() + limit
        while self.count() < before + want and time.time() < end:
            time.sleep(0.002)
        return self.items[before:]


class PracticeLog:
    """Parses the practice server's log: the Received header of each message's preview says
    how it came (ESMTP, ESMTPS with TLS, ESMTPA with AUTH, ESMTPSA both, RFC 3848), then the
    "message #N accepted: ..., SIZE bytes" line."""

    def __init__(self):
        self.protocol = {}

    def __call__(self, line):
        conn = re.search(r"\[(\d+)\]", line)
        conn = conn.group(1) if conn else ""
        m = re.search(r"\bwith (E?SMTP[A-Z]*)", line)
        if m:
            self.protocol[conn] = m.group(1)
        m = re.search(r"message #\d+ accepted: .*?(\d+) bytes", line)
        if m:
            proto = self.protocol.pop(conn, "")
            suffix = proto[proto.index("SMTP") + 4:] if "SMTP" in proto else ""
            return int(m.group(1)), "S" in suffix, "A" in suffix
        return None


def aiosmtpd_line(line):
    fields = line.split()
    if len(fields) == 3 and all(f.isdigit() for f in fields):
        return int(fields[0]), fields[1] == "1", fields[2] == "1"
    return None


class Servers:
    """The practice server and python3-aiosmtpd on free loopback ports, stopped at exit; each
    logs the messages it accepts so runs can be checked."""

    def __init__(self, smtpscope, work):
        self.procs = []
        self.work = work
        self.logs = {}
        self.practice_port, self.practice_pid = self.start_practice(smtpscope)
        self.aiosmtpd_port = self.start_aiosmtpd()
        self.ports = {"practice": self.practice_port, "aiosmtpd": self.aiosmtpd_port}

    def start_practice(self, smtpscope, extra=()):
        log = os.path.join(self.work, "practice.log")
        proc = subprocess.Popen([smtpscope, "serve", "--port", "0", "--user",
                                 f"{USER}:{PASSWORD}", "--log", log, *extra],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.procs.append(proc)
        first = proc.stdout.readline()
        match = re.search(r"127\.0\.0\.1:(\d+)", first)
        if not match:
            raise SystemExit(f"bench: the practice server did not say its port: {first!r}")
        port = int(match.group(1))
        wait_port(port)
        self.logs["practice"] = Deliveries(log, PracticeLog())
        return port, proc.pid

    def start_aiosmtpd(self):
        cert, key = os.path.join(self.work, "cert.pem"), os.path.join(self.work, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                        "2", "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = free_port()
        log = os.path.join(self.work, "aiosmtpd.log")
        proc = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "aiosmtpd_bench.py"),
                                 str(port), cert, key, USER, PASSWORD, log],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(proc)
        if not wait_port(port):
            raise SystemExit("bench: python3-aiosmtpd did not start (is python3-aiosmtpd installed?)")
        self.logs["aiosmtpd"] = Deliveries(log, aiosmtpd_line)
        return port

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()


class Job:
    """What a run must achieve: exactly one message of `size` bytes (None: whatever size the
    first run delivered, which every later run must match) delivered to `server`, under TLS
    and AUTH when `secure`."""

    def __init__(self, servers, server, secure, size=None):
        self.deliveries = servers.logs[server]
        self.secure, self.size = secure, size

    def run(self, argv, stdin_path=None, output=None):
        before = self.deliveries.count()
        sample = run_measured(argv, stdin_path, output=output)
        got = self.deliveries.since(before, 1)
        if len(got) != 1:
            problem = f"{len(got)} messages delivered, not 1"
        elif self.secure and not (got[0][1] and got[0][2]):
            problem = "the message came without TLS and AUTH"
        elif self.size is not None and got[0][0] != self.size:
            problem = f"{got[0][0]} bytes arrived, {self.size} expected"
        else:
            problem = ""
            if self.size is None:
                self.size = got[0][0]
        if problem:
            sample.ok = False
            sample.why = (sample.why + "; " if sample.why else "") + problem
        return sample


def write_message(path, size_bytes, line="The quick brown fox jumps over the lazy dog. " * 2):
    """A message of about size_bytes: headers, then body lines (one in a thousand starts with a
    dot). The last line has no CRLF: swaks always adds one before the final dot, smtpscope adds
    one when it is missing, and the s_client input gets it, so every tool sends the same."""
    with open(path, "w", newline="") as f:
        f.write("From: a@bench.example\r\nTo: b@%s\r\nSubject: bench\r\n\r\n" % RCPT_DOMAIN)
        written, n = 0, 0
        body = line.rstrip() + "\r\n"
        while written < size_bytes:
            text = "." + body if n % 1000 == 0 else body
            f.write(text)
            written += len(text)
            n += 1
        f.write("-- \r\nthe end")


def dot_stuffed(src, dst):
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        for raw in fin:
            if raw.startswith(b"."):
                raw = b"." + raw
            fout.write(raw)


def session_inputs(work, message, bdat=False):
    """The same session for each tool: EHLO, STARTTLS, EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT."""
    import base64
    plain = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    script = os.path.join(work, "session-bdat.txt" if bdat else "session.txt")
    with open(script, "w") as f:
        f.write("EHLO bench.example\n/starttls\nEHLO bench.example\n")
        f.write(f"/auth PLAIN {USER} {PASSWORD}\n")
        f.write(f"MAIL FROM:<a@bench.example>\nRCPT TO:<b@{RCPT_DOMAIN}>\n")
        f.write(f"/bdat {message}\n" if bdat else f"/data {message}\n")
        f.write("QUIT\n")
    # openssl s_client -starttls smtp sends its own EHLO and STARTTLS; the rest goes in at once.
    s_client_in = os.path.join(work, "s_client-" + os.path.basename(message))
    stuffed = os.path.join(work, "stuffed-" + os.path.basename(message))
    dot_stuffed(message, stuffed)
    with open(s_client_in, "wb") as f:
        f.write(f"EHLO bench.example\r\nAUTH PLAIN {plain}\r\n".encode())
        f.write(f"MAIL FROM:<a@bench.example>\r\nRCPT TO:<b@{RCPT_DOMAIN}>\r\nDATA\r\n".encode())
        with open(stuffed, "rb") as m:
            shutil.copyfileobj(m, f)
        f.write(b"\r\n.\r\nQUIT\r\n")
    os.unlink(stuffed)
    return script, s_client_in


def tools_for_session(smtpscope, port, script, s_client_in, message, with_swaks=True):
    tools = {
        "smtpscope": ([smtpscope, f"127.0.0.1:{port}", "--insecure", "--script", script], None),
        "openssl s_client": (["openssl", "s_client", "-starttls", "smtp", "-connect",
                              f"127.0.0.1:{port}", "-quiet", "-ign_eof",
                              "-verify_quiet"], s_client_in),
    }
    if with_swaks and shutil.which("swaks"):
        tools["swaks"] = (["swaks", "--server", "127.0.0.1", "--port", str(port), "--tls",
                           "--auth", "PLAIN", "--auth-user", USER, "--auth-password", PASSWORD,
                           "--from", "a@bench.example", "--to", f"b@{RCPT_DOMAIN}",
                           "--ehlo", "bench.example", "--data", "@" + message,
                           "--suppress-data", "--silent", "2"], None)
    return tools


def measure_alternating(tools, repeats, job, work):
    """Runs each tool once unmeasured (the caches warm alike, and a tool that cannot do the job
    shows its output), then `repeats` rounds of all tools in turn."""
    samples = {name: [] for name in tools}
    for name, (argv, stdin_path) in tools.items():
        out = os.path.join(work, "check.out")
        first = job.run(argv, stdin_path, output=out)
        if not first.ok:
            with open(out, errors="replace") as f:
                tail = f.read()[-2000:]
            print(f"bench: {name} did not do the job ({first.why}); the end of its output:\n"
                  f"{tail}", file=sys.stderr)
    for _ in range(repeats):
        for name, (argv, stdin_path) in tools.items():
            samples[name].append(job.run(argv, stdin_path))
    return samples


class Table:
    def __init__(self):
        self.rows = []

    def add(self, measurement, tool, samples, peer=None, note=""):
        good = [s for s in samples if s.ok]
        walls = [s.wall for s in good]
        cpus = [s.cpu for s in good]
        rsss = [s.rss_kb for s in good]
        failures = len(samples) - len(good)
        if failures:
            note = (note + "; " if note else "") + next(s.why for s in samples if not s.ok)
        row = {"measurement": measurement, "tool": tool, "runs": len(samples),
               "failed": failures,
               "wall_ms": median(walls) * 1000, "wall_spread_pct": spread(walls),
               "cpu_ms": median(cpus) * 1000, "cpu_spread_pct": spread(cpus),
               "rss_kb": median(rsss), "note": note}
        if peer is not None:
            for key, ratio in (("wall_ms", "wall_ratio"), ("cpu_ms", "cpu_ratio"),
                               ("rss_kb", "rss_ratio")):
                row[ratio] = row[key] / peer[key] if peer[key] else float("nan")
        self.rows.append(row)
        return row

    def add_figure(self, measurement, tool, **values):
        row = {"measurement": measurement, "tool": tool}
        row.update(values)
        self.rows.append(row)
        return row

    def render(self):
        head = (f"{'measurement':36} {'tool':34} {'wall ms':>10} {'±%':>5} {'cpu ms':>9} "
                f"{'±%':>5} {'RSS KiB':>9} {'wall x':>7} {'cpu x':>7} {'rss x':>7}  note")
        lines = [head, "-" * len(head)]
        for r in self.rows:
            def f(key, fmt):
                return format(r[key], fmt) if key in r and r[key] == r[key] else ""
            lines.append(f"{r['measurement'][:36]:36} {r['tool'][:34]:34} {f('wall_ms', '10.1f'):>10} "
                         f"{f('wall_spread_pct', '5.0f'):>5} {f('cpu_ms', '9.1f'):>9} "
                         f"{f('cpu_spread_pct', '5.0f'):>5} {f('rss_kb', '9.0f'):>9} "
                         f"{f('wall_ratio', '7.2f'):>7} {f('cpu_ratio', '7.2f'):>7} "
                         f"{f('rss_ratio', '7.2f'):>7}  {r.get('note', '')}"
                         + (f" [{r['failed']} FAILED]" if r.get("failed") else ""))
        return "\n".join(lines)

    def write_csv(self, path):
        keys = []
        for r in self.rows:
            keys += [k for k in r if k not in keys]
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=keys)
            w.writeheader()
            w.writerows(self.rows)


def bench_baseline(table, repeats):
    """What GNU time and an exec cost by themselves: part of every figure below."""
    samples = [run_measured(["true"]) for _ in range(repeats)]
    table.add("baseline: /usr/bin/time true", "true", samples,
              note="included in every cpu and RSS figure")


def bench_session(table, smtpscope, servers, work, repeats):
    message = os.path.join(work, "small.eml")
    write_message(message, 2000)
    script, s_client_in = session_inputs(work, message)
    for server, port in servers.ports.items():
        tools = tools_for_session(smtpscope, port, script, s_client_in, message)
        samples = measure_alternating(tools, repeats, Job(servers, server, secure=True), work)
        ours = samples.pop("smtpscope")
        name = f"1 session ({server})"
        for peer, peer_samples in samples.items():
            peer_row = table.add(name, peer, peer_samples)
            target = ("target cpu x <= 0.25, rss x <= 0.5" if peer == "swaks" else
                      "target wall x <= 1")
            table.add(name, f"smtpscope vs {peer}", ours, peer_row, note=target)


def schedstat_ns(pid):
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0])
    except OSError:
        return -1


def tree_cpu_ns(pid):
    """CPU of a process, all its threads and all its descendants so far (nanoseconds)."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                children = f.read().split()
        except OSError:
            continue
        total += sum(tree_cpu_ns(int(child)) for child in children)
    return total


def bench_startup(table, smtpscope, repeats):
    samples = [run_measured([smtpscope, "explain", "550", "5.7.1"]) for _ in range(repeats)]
    table.add("start-up: explain 550 5.7.1", "smtpscope", samples, note="target cpu < 30 ms")
    if not shutil.which("tmux"):
        return
    # The screen: CPU from exec until the practice server's greeting is on screen.
    cpu, wall, with_server = [], [], []
    for i in range(repeats):
        sock = f"smtpscope-bench-{os.getpid()}-{i}"
        start = time.perf_counter()
        subprocess.run(["tmux", "-L", sock, "new-session", "-d", "-x", "100", "-y", "30",
                        f"TERM=xterm-256color exec {smtpscope}"], check=True)
        try:
            pid = int(subprocess.run(["tmux", "-L", sock, "display", "-p", "#{pane_pid}"],
                                     capture_output=True, text=True).stdout.strip() or 0)
            end = time.time() + 10
            while time.time() < end:
                screen = subprocess.run(["tmux", "-L", sock, "capture-pane", "-p"],
                                        capture_output=True, text=True).stdout
                if re.search(r"S:.*220", screen):
                    wall.append(time.perf_counter() - start)
                    cpu.append(schedstat_ns(pid) / 1e9)
                    with_server.append(tree_cpu_ns(pid) / 1e9)
                    break
                time.sleep(0.005)
        finally:
            subprocess.run(["tmux", "-L", sock, "kill-server"], stderr=subprocess.DEVNULL)
    if cpu:
        table.add_figure("start-up: screen to greeting", "smtpscope",
                         wall_ms=median(wall) * 1000, wall_spread_pct=spread(wall),
                         cpu_ms=median(cpu) * 1000, cpu_spread_pct=spread(cpu),
                         note=f"cpu of the client process ({median(with_server) * 1000:.1f} "
                         "ms with the practice server it starts); target < 30 ms")


def bench_big_message(table, smtpscope, servers, work, repeats, size_mb):
    message = os.path.join(work, "big.eml")
    write_message(message, size_mb * 1024 * 1024)
    size = os.path.getsize(message)
    script, s_client_in = session_inputs(work, message)
    bdat_script, _ = session_inputs(work, message, bdat=True)
    tools = tools_for_session(smtpscope, servers.practice_port, script, s_client_in, message,
                              with_swaks=False)
    tools["smtpscope BDAT"] = ([smtpscope, f"127.0.0.1:{servers.practice_port}", "--insecure",
                                "--script", bdat_script], None)
    samples = measure_alternating(tools, repeats, Job(servers, "practice", secure=True), work)
    name = f"{size_mb} MB message (practice, STARTTLS)"
    peer = table.add(name, "openssl s_client", samples["openssl s_client"],
                     note=f"{throughput(size, samples['openssl s_client']):.0f} MB/s")
    for tool in ("smtpscope", "smtpscope BDAT"):
        table.add(name, f"{tool} vs s_client", samples[tool], peer,
                  note=f"{throughput(size, samples[tool]):.0f} MB/s; target wall x <= 1.25 "
                  "(0.8 of the throughput), RSS flat")
    os.unlink(message)
    os.unlink(s_client_in)


def write_annotate_input(path, size_mb):
    block = ("C: MAIL FROM:<a@bench.example>\nS: 250 2.1.0 Sender OK\n"
             "C: RCPT TO:<nobody@bench.example>\nS: 550 5.1.1 No such user here\n"
             "C: RSET\nS: 250 2.0.0 Reset\n")
    chunk = block * 2000
    with open(path, "w") as f:
        written = 0
        while written < size_mb * 1024 * 1024:
            f.write(chunk)
            written += len(chunk)
    return os.path.getsize(path)


def bench_annotate(table, smtpscope, work, repeats, size_mb):
    """annotate beside wc -l on the same file; a tenth of the file too, so the two peak RSS
    figures show whether memory stays flat as the input grows."""
    path = os.path.join(work, "big-transcript.txt")
    small = os.path.join(work, "small-transcript.txt")
    size = write_annotate_input(path, size_mb)
    write_annotate_input(small, max(1, size_mb // 10))
    tools = {"smtpscope annotate": ([smtpscope, "annotate", path], None),
             "wc -l": (["wc", "-l", path], None)}
    samples = {name: [] for name in tools}
    for _ in range(repeats):
        for name, (argv, _) in tools.items():
            samples[name].append(run_measured(argv))
    tenth = [run_measured([smtpscope, "annotate", small]) for _ in range(repeats)]
    name = f"annotate {size_mb} MB"
    peer = table.add(name, "wc -l", samples["wc -l"],
                     note=f"{throughput(size, samples['wc -l']):.0f} MB/s")
    table.add(name, "smtpscope vs wc -l", samples["smtpscope annotate"], peer,
              note=f"{throughput(size, samples['smtpscope annotate']):.0f} MB/s; target wall x "
              "<= 3, RSS flat")
    table.add(f"annotate {max(1, size_mb // 10)} MB", "smtpscope", tenth,
              note="a tenth of the input: the RSS should be the same")
    os.unlink(path)
    os.unlink(small)


def bench_scaling(table, smtpscope, servers, work, counts, clients):
    """Plain sessions (EHLO, MAIL, RCPT, DATA, QUIT) against the practice server, one after
    another and at once; every session must deliver its message. The server's RSS after each
    step shows whether it grows with the sessions it served (it keeps the last 32 messages)."""
    message = os.path.join(work, "small.eml")
    if not os.path.exists(message):
        write_message(message, 2000)
    script = os.path.join(work, "plain-session.txt")
    with open(script, "w") as f:
        f.write(f"EHLO bench.example\nMAIL FROM:<a@bench.example>\nRCPT TO:<b@{RCPT_DOMAIN}>\n"
                f"/data {message}\nQUIT\n")
    argv = [smtpscope, f"127.0.0.1:{servers.practice_port}", "--script", script]
    log = servers.logs["practice"]
    points = []

    def step(kind, n, run):
        before_rss = rss_kb(servers.practice_pid)
        before = log.count()
        start = time.perf_counter()
        failed = run(n)
        wall = time.perf_counter() - start
        delivered = len(log.since(before, n))
        after_rss = rss_kb(servers.practice_pid)
        problems = []
        if failed:
            problems.append(f"{failed} exited non-zero")
        if delivered != n:
            problems.append(f"{delivered} of {n} messages delivered")
        label = "sessions in a row" if kind == "sequential" else "concurrent clients"
        table.add_figure(f"scaling: {n} {label}", "smtpscope -> practice",
                         wall_ms=wall * 1000, failed=failed or n - delivered,
                         note=f"{n / wall:.0f} sessions/s, {wall / n * 1000:.1f} ms each; "
                         f"server RSS {before_rss} -> {after_rss} KiB"
                         + ("; " + ", ".join(problems) if problems else ""))
        points.append((kind, n, wall, n / wall, after_rss))

    def in_a_row(n):
        return sum(1 for _ in range(n)
                   if subprocess.run(argv, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL).returncode != 0)

    def at_once(k):
        procs = [subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(k)]
        return sum(1 for p in procs if p.wait() != 0)

    for n in counts:
        step("sequential", n, in_a_row)
    for k in clients:
        step("concurrent", k, at_once)
    return points


class Flood:
    """A loopback server that answers every command with a reply of 1000 lines (the reply
    parser's limit) until `lines` lines have gone out; EHLO gets PIPELINING, QUIT 221. Every
    reply is asked for: a server that sends what nobody asked for is cut off by smtpscope's
    flood defence. The bytes of the long replies are counted in raw_bytes."""

    def __init__(self, lines):
        import threading
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.lines = lines
        self.sent = 0
        self.raw_bytes = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def reply(self):
        count = min(1000, self.lines - self.sent)
        if count <= 0:
            return b"250 2.0.0 nothing more\r\n"
        text = "".join(f"250{' ' if k == count - 1 else '-'}line {self.sent + k} of the "
                       "flood: the quick brown fox\r\n" for k in range(count))
        self.sent += count
        data = text.encode()
        self.raw_bytes += len(data)
        return data

    def serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            try:
                conn.sendall(b"220 flood.test ready\r\n")
                buf = b""
                while True:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                    while b"\n" in buf:
                        line, buf = buf.split(b"\n", 1)
                        verb = line.strip().split(b" ")[0].upper()
                        if verb == b"QUIT":
                            conn.sendall(b"221 2.0.0 bye\r\n")
                            return
                        if verb == b"EHLO":
                            conn.sendall(b"250-flood.test\r\n250 PIPELINING\r\n")
                        else:
                            conn.sendall(self.reply())
            except OSError:
                return

    def close(self):
        self.sock.close()


def proc_status(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Screen:
    """smtpscope's screen in a tmux session of its own (100x30), measured from outside: CPU of
    the process from /proc/PID/schedstat, memory from /proc/PID/status, the screen through
    capture-pane."""

    def __init__(self, argv, stats=None):
        self.sock = f"smtpscope-bench-{os.getpid()}-{time.monotonic_ns()}"
        command = " ".join(f"'{a}'" for a in argv)
        if stats:
            command = f"SMTPSCOPE_SCREEN_STATS='{stats}' {command}"
        self.start = time.perf_counter()
        subprocess.run(["tmux", "-L", self.sock, "new-session", "-d", "-x", "100", "-y", "30",
                        f"TERM=xterm-256color exec env {command}"], check=True)
        self.pid = int(subprocess.run(["tmux", "-L", self.sock, "display", "-p",
                                       "#{pane_pid}"], capture_output=True,
                                      text=True).stdout.strip() or 0)

    def text(self):
        return subprocess.run(["tmux", "-L", self.sock, "capture-pane", "-p"],
                              capture_output=True, text=True).stdout

    def cpu(self):
        return schedstat_ns(self.pid) / 1e9

    def wait_text(self, pattern, limit=300):
        end = time.time() + limit
        while time.time() < end:
            if re.search(pattern, self.text()):
                return time.perf_counter() - self.start
            time.sleep(0.02)
        return None

    def settle(self, quiet=0.1, limit=120):
        """Waits until the process used no CPU for `quiet` seconds; returns its CPU then."""
        end = time.time() + limit
        last = self.cpu()
        while time.time() < end:
            time.sleep(quiet)
            now = self.cpu()
            if now == last:
                return now
            last = now
        return last

    def keys(self, *keys):
        subprocess.run(["tmux", "-L", self.sock, "send-keys", *keys], check=True)

    def scroll_steps(self, key, steps):
        """CPU and wall per step: each key sent alone, then the screen must change (wall) and
        the process go quiet (CPU)."""
        cpu, wall = [], []
        for _ in range(steps):
            before_text, before_cpu = self.text(), self.settle(0.03)
            start = time.perf_counter()
            self.keys(key)
            while self.text() == before_text and time.perf_counter() - start < 5:
                pass
            wall.append(time.perf_counter() - start)
            cpu.append(self.settle(0.03) - before_cpu)
        return cpu, wall

    def close(self):
        subprocess.run(["tmux", "-L", self.sock, "kill-server"], stderr=subprocess.DEVNULL)


def screen_stats(path):
    """The screen's own timings, when it writes them: with SMTPSCOPE_SCREEN_STATS=FILE in its
    environment, one line per turn of its main loop that did anything: what woke it (a key
    name as curses' keyname() gives it, "net", "resize", "signal"), the microseconds from
    poll() returning to the end of drawing, and the transcript's entry count after the turn.
    Returns {what: [microseconds, ...]}; empty when the file is missing (a screen without the
    hook)."""
    turns = {}
    try:
        with open(path) as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 2 and fields[1].isdigit():
                    turns.setdefault(fields[0], []).append(int(fields[1]))
    except OSError:
        pass
    return turns


def add_screen_stats(table, name, stats, lines):
    """Rows from the screen's own timings (see screen_stats), when there are any."""
    for key, label in (("KEY_PPAGE", "page up"), ("KEY_NPAGE", "page down")):
        if stats.get(key):
            us = stats[key]
            table.add_figure(name, f"smtpscope: {label}, in-process", wall_ms=median(us) / 1000,
                             wall_spread_pct=spread(us),
                             note=f"per page from the screen's own clock, {len(us)} pages; "
                             f"max {max(us) / 1000:.2f} ms; target < 5 ms")
    if stats.get("net"):
        total = sum(stats["net"])
        table.add_figure(name, "smtpscope: new lines, in-process", wall_ms=total / 1000,
                         note=f"{total / lines:.2f} us per new line from the screen's own "
                         f"clock, {len(stats['net'])} loop turns")


def write_replay_transcript(path, lines):
    """A saved transcript of `lines` lines: sent lines, then one reply, so a replay shows them
    all from the start (it shows the session up to the selected reply)."""
    with open(path, "w") as f:
        f.write("# smtpscope transcript 1\n")
        stamp = "2026-01-01T00:00:00.000000Z"
        for n in range(lines - 1):
            f.write(f"{stamp} C: line {n} of the long session: the quick brown fox\n")
        f.write(f'{stamp} S: 250 2.0.0 the end\t(+0.010 ms) after="DATA" state="in DATA"\n')
    return os.path.getsize(path)


def bench_screen(table, smtpscope, work, lines, steps):
    """A long session on the screen: a transcript of `lines` lines replayed, and a live session
    receiving `lines` lines; CPU per page scroll and per new line, memory per line."""
    if not shutil.which("tmux"):
        return
    # The screen's own memory with next to nothing in it, taken off before dividing by lines.
    path = os.path.join(work, "short-transcript.txt")
    write_replay_transcript(path, 2)
    screen = Screen([smtpscope, "replay", path])
    try:
        screen.wait_text(r"the end")
        screen.settle()
        empty = proc_status(screen.pid, "VmHWM")
    finally:
        screen.close()
    path = os.path.join(work, "long-transcript.txt")
    raw = write_replay_transcript(path, lines)
    stats = os.path.join(work, "screen-replay.stats")
    screen = Screen([smtpscope, "replay", path], stats=stats)
    try:
        shown = screen.wait_text(r"the end")
        load_cpu = screen.settle()
        hwm = proc_status(screen.pid, "VmHWM")
        up_cpu, up_wall = screen.scroll_steps("PPage", steps)
        screen.keys("C-Home")
        screen.settle()
        down_cpu, down_wall = screen.scroll_steps("NPage", steps)
    finally:
        screen.close()
    os.unlink(path)
    name = f"screen: replay {lines} lines"
    if shown is None:
        table.add_figure(name, "smtpscope", failed=1, note="the last line never showed")
        return
    table.add_figure(name, "smtpscope: load", wall_ms=shown * 1000, cpu_ms=load_cpu * 1000,
                     rss_kb=hwm, note=f"{(hwm - empty) * 1024 / lines:.0f} bytes per line "
                     f"beyond the {empty} KiB of an empty screen, "
                     f"{(hwm - empty) * 1024 / raw:.1f} x the {raw / 1e6:.0f} MB file; "
                     "target <= 2 x")
    for label, cpu, wall in (("page up, from the end", up_cpu, up_wall),
                             ("page down, from the top", down_cpu, down_wall)):
        table.add_figure(name, f"smtpscope: {label}", wall_ms=median(wall) * 1000,
                         wall_spread_pct=spread(wall), cpu_ms=median(cpu) * 1000,
                         cpu_spread_pct=spread(cpu),
                         note=f"per page, {steps} pages; max cpu {max(cpu) * 1000:.2f} ms; "
                         "target < 5 ms (wall includes tmux's round trip)")
    add_screen_stats(table, name, screen_stats(stats), lines)

    flood = Flood(lines)
    stats = os.path.join(work, "screen-live.stats")
    screen = Screen([smtpscope, f"127.0.0.1:{flood.port}"], stats=stats)
    try:
        # Typed at the prompt: EHLO, then groups of up to 100 pipelined NOOPs, each answered
        # with 1000 lines, as many as make `lines`.
        shown = None
        if screen.wait_text(r"220 flood.test ready", limit=30) is not None:
            screen.keys("-l", "EHLO bench.example")
            screen.keys("Enter")
            screen.wait_text(r"250 PIPELINING", limit=30)
            before = screen.settle(0.05)
            start = time.perf_counter()
            replies = (lines + 999) // 1000
            while replies > 0:
                screen.keys("-l", "/pipeline " + "; ".join(["NOOP"] * min(100, replies)))
                screen.keys("Enter")
                replies -= 100
            found = screen.wait_text(rf"line {lines - 1} of the flood")
            if found is not None:
                shown = time.perf_counter() - start
        cpu = screen.settle() - (before if shown is not None else 0)
        hwm = proc_status(screen.pid, "VmHWM")
        up_cpu, up_wall = screen.scroll_steps("PPage", steps)
    finally:
        screen.close()
        flood.close()
    name = f"screen: live, {lines} lines in"
    if shown is None:
        table.add_figure(name, "smtpscope", failed=1, note="the last line never showed")
        return
    table.add_figure(name, f"smtpscope: receive, {(lines + 999) // 1000} replies",
                     wall_ms=shown * 1000,
                     cpu_ms=cpu * 1000,
                     rss_kb=hwm, note=f"{cpu / lines * 1e6:.1f} us cpu per new line; "
                     f"{(hwm - empty) * 1024 / lines:.0f} bytes per line, "
                     f"{(hwm - empty) * 1024 / flood.raw_bytes:.1f} x the "
                     f"{flood.raw_bytes / 1e6:.0f} MB received; target <= 2 x")
    table.add_figure(name, "smtpscope: page up", wall_ms=median(up_wall) * 1000,
                     wall_spread_pct=spread(up_wall), cpu_ms=median(up_cpu) * 1000,
                     cpu_spread_pct=spread(up_cpu),
                     note=f"per page, {steps} pages; max cpu {max(up_cpu) * 1000:.2f} ms; "
                     "target < 5 ms")
    add_screen_stats(table, name, screen_stats(stats), lines)


def plot(points, out_dir):
    if not shutil.which("gnuplot") or not points:
        return None
    data = os.path.join(out_dir, "scaling.dat")
    with open(data, "w") as f:
        for kind in ("sequential", "concurrent"):
            f.write(f"# {kind}: count wall_s sessions_per_s server_rss_kib\n")
            for p in points:
                if p[0] == kind:
                    f.write(f"{p[1]} {p[2]:.4f} {p[3]:.2f} {p[4]}\n")
            f.write("\n\n")
    png = os.path.join(out_dir, "scaling.png")
    seq = [p for p in points if p[0] == "sequential"]
    per = seq[-1][2] / seq[-1][1] if seq else 0
    script = f"""
set terminal png size 1500,450
set output '{png}'
set multiplot layout 1,3 title 'smtpscope -> practice server: how the cost grows with the work'
set logscale xy
set xlabel 'sessions (in a row) / clients (at once)'
set ylabel 'wall time (s)'
set key left top
plot '{data}' index 0 using 1:2 with linespoints title 'sessions in a row', \\
     '{data}' index 1 using 1:2 with linespoints title 'concurrent clients', \\
     x * {per:.6f} with lines dashtype 2 title 'linear'
unset logscale y
set ylabel 'ms per session'
set yrange [0:*]
plot '{data}' index 0 using 1:(1000/$3) with linespoints title 'sessions in a row', \\
     '{data}' index 1 using 1:(1000/$3) with linespoints title 'concurrent clients'
set ylabel 'server RSS after the step (KiB)'
plot '{data}' index 0 using 1:4 with linespoints title 'after sessions in a row', \\
     '{data}' index 1 using 1:4 with linespoints title 'after concurrent clients'
unset multiplot
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=False)
    return png if os.path.exists(png) else None


def main():
    if not os.access("/usr/bin/time", os.X_OK):
        raise SystemExit("bench: needs GNU time (Debian package: time)")
    for tool, package in (("openssl", "openssl"), ("swaks", "swaks"), ("tmux", "tmux"),
                          ("gnuplot", "gnuplot-nox")):
        if not shutil.which(tool):
            print(f"bench: {tool} is missing (Debian package {package}): the measurements "
                  "that need it are left out", file=sys.stderr)
    if not shutil.which("openssl"):
        raise SystemExit("bench: openssl makes the servers' certificates and is the peer")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smtpscope", default=os.environ.get("SMTPSCOPE", "./smtpscope"))
    parser.add_argument("--out", default="bench-results")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and few repeats, to check the suite itself runs")
    parser.add_argument("--only", default="",
                        help="comma-separated: session,startup,big,screen,annotate,scaling")
    args = parser.parse_args()
    smtpscope = os.path.abspath(args.smtpscope)
    only = set(filter(None, args.only.split(",")))
    want = lambda name: not only or name in only
    repeats = 3 if args.quick else args.repeats
    big_mb = 10 if args.quick else 100
    screen_lines = 20000 if args.quick else 1000000
    annotate_mb = 50 if args.quick else 1024
    counts = [1, 10, 100] if args.quick else [1, 10, 100, 1000]
    clients = [1, 10, 50] if args.quick else [1, 10, 50, 200]

    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="smtpscope-bench.")
    table = Table()
    servers = Servers(smtpscope, work)
    points = []
    try:
        if want("session") or want("startup"):
            bench_baseline(table, repeats)
        if want("session"):
            bench_session(table, smtpscope, servers, work, repeats)
        if want("startup"):
            bench_startup(table, smtpscope, repeats)
        if want("big"):
            bench_big_message(table, smtpscope, servers, work, max(3, repeats // 2), big_mb)
        if want("screen"):
            bench_screen(table, smtpscope, work, screen_lines, 20 if args.quick else 50)
        if want("annotate"):
            bench_annotate(table, smtpscope, work, 3, annotate_mb)
        if want("scaling"):
            points = bench_scaling(table, smtpscope, servers, work, counts, clients)
    finally:
        servers.stop()
        shutil.rmtree(work, ignore_errors=True)
    text = table.render()
    header = (f"smtpscope benchmarks, {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores; "
              f"medians of {repeats} runs; x = smtpscope / peer\n")
    print(header + text)
    with open(os.path.join(args.out, "bench.txt"), "w") as f:
        f.write(header + text + "\n")
    table.write_csv(os.path.join(args.out, "bench.csv"))
    png = plot(points, args.out)
    print(f"\nwrote {args.out}/bench.txt, {args.out}/bench.csv" + (f", {png}" if png else ""))


if __name__ == "__main__":
    sys.exit(main())
