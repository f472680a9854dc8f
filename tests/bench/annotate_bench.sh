#!/bin/sh
# annotate_bench.sh: throughput and peak memory of `smtpscope annotate` on a large transcript,
# beside `wc -l` on the same file (the floor: reading the bytes and finding the newlines).
# A benchmark, not a test: run it by hand from a build directory.
#
#   tests/bench/annotate_bench.sh [-s SIZE_MB] [-r REPEATS] [-f text|md|html]
#                                 [-i smtpscope|cs|swaks] [-b SMTPSCOPE] [-d WORKDIR]
#
# Defaults: 1024 MB, 3 repeats, text output, smtpscope's own transcript format, ./smtpscope.
# The file is generated (whole sessions: greeting, EHLO, MAIL, RCPT accepted and refused,
# DATA with a body, QUIT), annotated with output to /dev/null, and measured with
# /usr/bin/time -v. It also annotates a tenth of the file, so the two peak RSS figures show
# whether memory stays flat as the input grows.
set -eu

size_mb=1024
repeats=3
format=text
input=smtpscope
smtpscope=${SMTPSCOPE:-./smtpscope}
work=${TMPDIR:-/tmp}
while getopts s:r:f:i:b:d: opt; do
	case $opt in
	s) size_mb=$OPTARG ;;
	r) repeats=$OPTARG ;;
	f) format=$OPTARG ;;
	i) input=$OPTARG ;;
	b) smtpscope=$OPTARG ;;
	d) work=$OPTARG ;;
	*) sed -n '2,14p' "$0"; exit 2 ;;
	esac
done
[ -x "$smtpscope" ] || { echo "no smtpscope binary at $smtpscope (use -b)"; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (Debian package time)"; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
: "${SMTPSCOPE_HELP_DIR:=$here/../../help}"
export SMTPSCOPE_HELP_DIR

dir=$(mktemp -d "$work/annotate-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
big="$dir/big.txt"
small="$dir/small.txt"

/usr/bin/python3 - "$big" "$size_mb" "$input" <<'PY'
import sys
path, size_mb, style = sys.argv[1], int(sys.argv[2]), sys.argv[3]
session = [
    ("S", "220 mx.bench.example ESMTP ready", "greeting"),
    ("C", "EHLO client.bench.example", None),
    ("S", "250-mx.bench.example", None),
    ("S", "250-PIPELINING", None),
    ("S", "250-SIZE 10240000", None),
    ("S", "250-STARTTLS", None),
    ("S", "250-ENHANCEDSTATUSCODES", None),
    ("S", "250 8BITMIME", "EHLO"),
    ("C", "MAIL FROM:<sender@client.bench.example>", None),
    ("S", "250 2.1.0 Sender OK", "MAIL"),
    ("C", "RCPT TO:<alice@bench.example>", None),
    ("S", "250 2.1.5 Recipient OK", "RCPT"),
    ("C", "RCPT TO:<nobody@bench.example>", None),
    ("S", "550 5.1.1 <nobody@bench.example>: Recipient address rejected: User unknown", "RCPT"),
    ("C", "DATA", None),
    ("S", "354 End data with <CR><LF>.<CR><LF>", "DATA"),
    ("C", "Subject: benchmark message", None),
    ("C", "", None),
    ("C", "A line of text in the body of the message, long enough to look like one.", None),
    ("C", "Another line, and then the end of the message.", None),
    ("C", ".", None),
    ("S", "250 2.0.0 Ok: queued as 4BC1D2E3F4", "DATA-END"),
    ("C", "QUIT", None),
    ("S", "221 2.0.0 Bye", "QUIT"),
]
lines = []
if style == "smtpscope":
    lines.append("# smtpscope transcript 1")
for i in range(50):
    for n, (d, text, after) in enumerate(session):
        stamp = "2026-11-26T10:%02d:%02d.%06dZ" % (i // 60 % 60, i % 60, n * 1000)
        if style == "smtpscope":
            line = "%s %s:%s%s" % (stamp, d, " " if text else "", text)
            if after:
                line += '\t(+0.%03d ms) after="%s"' % (n, after)
        elif style == "swaks":
            line = ("<-  " if d == "S" else " -> ") + text
        else:
            line = "%s: %s" % (d, text)
        lines.append(line)
block = ("\n".join(lines) + "\n").encode()
header, body = (block.split(b"\n", 1) if style == "smtpscope" else (b"", block))
target = size_mb * 1024 * 1024
with open(path, "wb") as f:
    if header:
        f.write(header + b"\n")
    written = 0
    while written < target:
        f.write(body)
        written += len(body)
PY
head -c $(( $(wc -c <"$big") / 10 )) "$big" >"$small"
bytes=$(wc -c <"$big")
lines=$(wc -l <"$big")
echo "input: $bytes bytes, $lines lines ($input format); output: $format"

# measure NAME COMMAND...: runs COMMAND $repeats times; prints wall seconds and peak KiB of
# each run (one line per run: WALL KB).
measure() {
	name=$1; shift
	i=0
	while [ "$i" -lt "$repeats" ]; do
		/usr/bin/time -v -o "$dir/time.txt" "$@" >/dev/null
		wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir/time.txt" |
			awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
		user=$(sed -n 's/.*User time (seconds): //p' "$dir/time.txt")
		sys=$(sed -n 's/.*System time (seconds): //p' "$dir/time.txt")
		rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time.txt")
		echo "$name $wall $user $sys $rss"
		i=$((i + 1))
	done
}

results="$dir/results.txt"
: >"$results"
# Alternate the tools so drift on a shared machine hits both alike.
r=0
while [ "$r" -lt "$repeats" ]; do
	repeats_saved=$repeats; repeats=1
	measure wc wc -l "$big" >>"$results"
	measure annotate "$smtpscope" annotate --format "$format" "$big" >>"$results"
	repeats=$repeats_saved
	r=$((r + 1))
done
repeats_saved=$repeats; repeats=1
measure annotate-tenth "$smtpscope" annotate --format "$format" "$small" >>"$results"
repeats=$repeats_saved

/usr/bin/python3 - "$results" "$bytes" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, wall, user, sys_, rss = line.split()
    rows.setdefault(name, []).append((float(wall), float(user) + float(sys_), int(rss)))
size = int(sys.argv[2])
def med(name, k):
    return statistics.median(r[k] for r in rows[name])
print("%-16s %10s %10s %10s %12s %10s" % ("tool", "wall s", "cpu s", "MB/s", "peak RSS KiB", "spread"))
for name in ("wc", "annotate"):
    walls = [r[0] for r in rows[name]]
    spread = (max(walls) - min(walls)) / med(name, 0) * 100 if med(name, 0) else 0
    print("%-16s %10.2f %10.2f %10.0f %12d %9.0f%%" % (name, med(name, 0), med(name, 1),
          size / max(med(name, 0), 1e-9) / 1e6, med(name, 2), spread))
ratio = med("annotate", 0) / max(med("wc", 0), 1e-9)
print("annotate / wc -l wall time: x%.1f  (throughput %.2f of wc -l's; target >= 0.33)"
      % (ratio, 1 / ratio))
print("peak RSS: %d KiB on the whole file, %d KiB on a tenth of it (flat: %s)"
      % (med("annotate", 2), rows["annotate-tenth"][0][2],
         "yes" if med("annotate", 2) <= rows["annotate-tenth"][0][2] + 2048 else "NO"))
PY
