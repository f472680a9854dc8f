#!/bin/sh
# annotate_stream.sh: annotate streams. Peak memory does not grow with the input (3 MB vs
# 30 MB), a 20 MB line is cut with a marker that gives its real length, a reply of 200 000
# lines is shown whole and explained once, CRLF and a missing last newline read like LF, and
# random bytes neither crash it nor reach the output raw.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/annotate/annotate_lib.sh"
T=$TEST_TMP

[ -x /usr/bin/time ] || { echo "/usr/bin/time missing (Debian package time): skipped"; exit 77; }
# In a sanitizer build, freed memory waits in ASan's quarantine (256 MB by default), which would
# look like growth: keep the quarantine small. Limits are taken relative to a one-line input,
# so the sanitizers' own fixed cost does not count.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
export ASAN_OPTIONS

# peak_kb OUTFILE ARGS...: runs annotate, output to OUTFILE, prints its peak RSS in KiB.
peak_kb() {
	out=$1; shift
	/usr/bin/time -f '%M' -o "$T/time.txt" "$SMTPSCOPE" annotate "$@" >"$out" 2>"$T/err.txt"
	tail -n 1 "$T/time.txt"
}

block='C: MAIL FROM:<a@example.org>
S: 250 2.1.0 Sender OK
C: RCPT TO:<nobody@example.org>
S: 550 5.1.1 No such user here
C: RSET
S: 250 2.0.0 Reset'
yes "$block" | head -c 3000000 >"$T/small.txt"
yes "$block" | head -c 30000000 >"$T/large.txt"
printf 'S: 220 ready\n' >"$T/tiny.txt"
base=$(peak_kb /dev/null "$T/tiny.txt")
limit=$((base + 16384))
small=$(peak_kb "$T/small.out" "$T/small.txt")
large=$(peak_kb /dev/null "$T/large.txt")
echo "  peak RSS: one line ${base} KiB, 3 MB input ${small} KiB, 30 MB input ${large} KiB"
check "memory stays flat (30 MB input within 2 MiB of 3 MB input)" test "$large" -le $((small + 2048))
check "memory is small (under 16 MiB above a one-line input)" test "$large" -lt "$limit"
check "every reply of the small input explained" \
	test "$(grep -c '^   => ' "$T/small.out")" -eq "$(grep -c '^S: ' "$T/small.out")"

# One 20 MB line.
{
	printf 'S: 220 ready\nC: EHLO x\nS: 250 '
	head -c 20000000 /dev/zero | tr '\0' 'a'
	printf '\nC: QUIT\nS: 221 bye\n'
} >"$T/longline.txt"
kb=$(peak_kb "$T/longline.out" "$T/longline.txt")
check "a 20 MB line costs no 20 MB (peak ${kb} KiB)" test "$kb" -lt "$limit"
check "the long line is cut with its real length (250, space, 20 MB)" contains "$T/longline.out" "[... cut: 20000004 bytes in all]"
check "the session goes on after it" contains "$T/longline.out" "(in answer to QUIT)"
check "output stays small" test "$(wc -c <"$T/longline.out")" -lt 100000

# A reply of 200 000 lines.
{
	printf 'S: 220 ready\nC: EHLO x\n'
	yes 'S: 250-KEYWORD' | head -n 200000
	printf 'S: 250 LAST\nC: QUIT\nS: 221 bye\n'
} >"$T/manylines.txt"
kb=$(peak_kb "$T/manylines.out" "$T/manylines.txt")
check "a 200 000-line reply in bounded memory (peak ${kb} KiB)" test "$kb" -lt "$limit"
check "every line of it shown" count_is "$T/manylines.out" "S: 250-KEYWORD" 200000
check "explained once, as the EHLO reply" count_is "$T/manylines.out" "(in answer to EHLO)" 1

# CRLF and no final newline read like LF.
printf 'S: 220 ready\r\nC: RCPT TO:<nobody@example.org>\r\nS: 550 5.1.1 no' >"$T/crlf.txt"
printf 'S: 220 ready\nC: RCPT TO:<nobody@example.org>\nS: 550 5.1.1 no\n' >"$T/lf.txt"
"$SMTPSCOPE" annotate "$T/crlf.txt" >"$T/crlf.out"
"$SMTPSCOPE" annotate "$T/lf.txt" >"$T/lf.out"
check "CRLF and a missing last newline read like LF" cmp -s "$T/crlf.out" "$T/lf.out"
check "and no CR reaches the output" sh -c "! grep -q \"\$(printf '\\r')\" '$T/crlf.out'"

# A pipe that stays open (tail -f): what has come is shown before more comes.
{ printf 'S: 220 ready\nC: RCPT TO:<nobody@example.org>\nS: 550 5.1.1 no\n'; sleep 4; } |
	"$SMTPSCOPE" annotate - >"$T/follow.out" &
follow=$!
n=0
while [ "$n" -lt 30 ] && ! grep -q '(in answer to RCPT)' "$T/follow.out"; do
	sleep 0.1
	n=$((n + 1))
done
check "a reply from a pipe is explained before the pipe closes" contains "$T/follow.out" "(in answer to RCPT)"
wait "$follow"

# Random bytes.
head -c 2000000 /dev/urandom >"$T/random.bin"
"$SMTPSCOPE" annotate "$T/random.bin" >"$T/random.out" 2>"$T/random.err"
rc=$?
check "random bytes: no crash (exit $rc)" test "$rc" -lt 2
check "random bytes: no raw ESC in the output" sh -c "! grep -q \"\$(printf '\\033')\" '$T/random.out'"
for fmt in raw swaks cs log smtpscope; do
	"$SMTPSCOPE" annotate --format-in "$fmt" --format html "$T/random.bin" >"$T/random-$fmt.html" 2>/dev/null
	rc=$?
	check "random bytes as $fmt to HTML: no crash (exit $rc)" test "$rc" -lt 2
done

finish
