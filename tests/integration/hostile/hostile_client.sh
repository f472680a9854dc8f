#!/bin/sh
# tests/integration/hostile/hostile_client.sh: batch mode against a misbehaving server
# (tests/servers/hostile_server.py): escape sequences and other bytes a terminal must never
# see, codes that are not codes, odd line ends and reads split anywhere, replies out of order,
# silence, cut connections, odd 334 challenges. Every case must end with a clean exit, in time, a
# clear message, the transcript saved with what arrived (escaped), and no raw control byte in
# what smtpscope printed.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/hostile/hostile_lib.sh"

LIMIT=25          # seconds before a case counts as hung (killed)
TIMEOUT=2         # smtpscope's --timeout

script plain 'EHLO client.test' 'NOOP' 'QUIT'

# ---- escape sequences, NUL, DEL, C1, invalid and overlong UTF-8 ----
# MODE, the escaped text smtpscope's output must show, and the transcript's form of it ('=': the
# same).
while read -r mode escaped saved; do
	[ "$saved" = "=" ] && saved=$escaped
	start_hostile "$mode" || { check "$mode: server starts" false; continue; }
	run_client "$mode" "$LIMIT" plain --timeout "$TIMEOUT"
	stop_hostile
	common_checks "$mode" 15 0 1
	check "$mode: greeting shown escaped" contains "$OUT" "S: 220 hostile.test $escaped"
	check "$mode: replies shown escaped" contains "$OUT" "S: 221 2.0.0 bye $escaped"
	check "$mode: transcript keeps the bytes escaped" transcript_has "$saved"
	check "$mode: the session went on to QUIT" contains "$OUT" "C: QUIT"
done <<'EOF'
esc-colour \x1b[31;1mRED\x1b[0m =
esc-cursor \x1b[2J\x1b[H\x1b[10;20H\x1b[5A\x1b7\x1b8 =
esc-title \x1b]0;PWNED-TITLE\x07\x1b]2;PWNED2\x1b\\ =
esc-osc52 \x1b]52;c;cm0gLXJmIH4K\x07 =
esc-paste \x1b[201~touch/tmp/pwned\x1b[200~ =
nul a\x00b\x00\x00c a\0b\0\0c
del x\x7f\x7f\x7fy =
c1 \x9b31m\x9d0;C1TITLE\x9c\xc2\x9b2J\x85\x8d =
bad-utf8 \xff\xfe\xc3(\xa0\xa1\xe2(\xa1\xf0(\x8c( =
overlong-utf8 \xc0\xaf\xe0\x80\xaf\xc0\x9b[31m\xc1\xbf\xf0\x80\x80\x9b =
EOF
# The full explanations (--explain) quote the server too: still nothing raw.
for mode in esc-title c1 overlong-utf8; do
	start_hostile "$mode" || { check "$mode: server starts" false; continue; }
	run_client "$mode-explain" "$LIMIT" plain --timeout "$TIMEOUT" --explain
	stop_hostile
	common_checks "$mode-explain" 15 0 1
	check "$mode-explain: explanations printed" says 'Description|How to Fix'
done
check "nul: NUL reported as a protocol violation" says 'NUL' "$TEST_TMP/nul.out"
check "c1: 8-bit bytes reported" says '8-bit' "$TEST_TMP/c1.out"

# With SMTPUTF8 offered, UTF-8 in replies is allowed, but C1 controls (U+0080 to U+009F) and
# bidi overrides hidden in it must still not reach the terminal as such.
start_hostile utf8-controls && run_client utf8-controls "$LIMIT" plain --timeout "$TIMEOUT"
stop_hostile
common_checks utf8-controls 15 0 1
check "utf8-controls: the replies are shown" contains "$OUT" 'S: 221 2.0.0 bye'
check "utf8-controls: no raw bidi override on stdout" sh -c \
    "! LC_ALL=C grep -q \"\$(printf '\\342\\200\\256')\" '$OUT'"

# ---- codes that are not codes ----
while read -r mode shown words status; do
	shown=$(printf '%s' "$shown" | tr _ ' ')
	start_hostile "$mode" || { check "$mode: server starts" false; continue; }
	run_client "$mode" "$LIMIT" plain --timeout "$TIMEOUT"
	stop_hostile
	common_checks "$mode" 15 "$status"
	check "$mode: the odd line is shown" contains "$OUT" "S: $shown"
	check "$mode: the violation is named" says "$words"
	check "$mode: transcript records the violation" says 'violations=' "$TR"
	check "$mode: the session went on to QUIT" contains "$OUT" "C: QUIT"
done <<'EOF'
code-2x0 2x0_not_a_code not.a.valid.three-digit 1
code-99 99_two_digits not.a.valid.three-digit 1
code-6000 6000_four_digits not.a.valid.three-digit 1
code-change 250-second different.codes 0
no-separator 220no-separator-here no.space.or.hyphen 0
EOF

# ---- line ends ----
start_hostile bare-lf && run_client bare-lf "$LIMIT" plain --timeout "$TIMEOUT"
stop_hostile
common_checks bare-lf 15 0
check "bare-lf: replies still read" contains "$OUT" "S: 221 2.0.0 bye"
check "bare-lf: bare LF named" says 'bare LF'

start_hostile bare-cr && run_client bare-cr "$LIMIT" plain --timeout "$TIMEOUT"
stop_hostile
common_checks bare-cr 15 0
check "bare-cr: the CR is shown escaped" contains "$OUT" 'S: 220 bare\rcr ready'
check "bare-cr: bare CR named" says 'bare CR'
check "bare-cr: the session went on to QUIT" contains "$OUT" 'S: 221 \r2.0.0 bye'

# Every byte its own segment (CRLF split in every position), and a pause between CR and LF:
# the same replies as in one piece, with no violation.
for mode in split-bytes split-crlf; do
	start_hostile "$mode" && run_client "$mode" "$LIMIT" plain --timeout "$TIMEOUT"
	stop_hostile
	common_checks "$mode" 20 0
	check "$mode: EHLO reply whole" contains "$OUT" "S: 250 ENHANCEDSTATUSCODES"
	check "$mode: NOOP reply whole" contains "$OUT" "S: 250 2.0.0 ok"
	check "$mode: QUIT reply whole" contains "$OUT" "S: 221 2.0.0 bye"
	check "$mode: no violation reported" lacks "$OUT" "breaks the SMTP rules"
	check "$mode: no stray CR shown" lacks "$OUT" '\r'
done

# ---- order: before the greeting, twice, unasked, ahead of the commands ----
for mode in before-greeting answer-twice answer-unsent pipeline-ahead; do
	start_hostile "$mode" && run_client "$mode" "$LIMIT" plain --timeout "$TIMEOUT"
	stop_hostile
	common_checks "$mode" 15
	check "$mode: an unasked reply is pointed out" says 'no command asked for|before the greeting'
done
check "before-greeting: the early line is shown" contains "$TEST_TMP/before-greeting.out" \
    'S: hello? early-bytes'
# Neither the codeless line nor the 250 is the greeting: the 220 is, and every reply after it
# pairs with the command that drew it.
check "before-greeting: the codeless line is not the greeting" says \
    'without a reply code before the greeting' "$TEST_TMP/before-greeting.out"
check "before-greeting: nor is the early 250" says 'a 250 before the greeting' \
    "$TEST_TMP/before-greeting.out"
check "before-greeting: EHLO is sent after the real greeting" sh -c \
    "grep -n 'S: 220 late-greeting' '$TEST_TMP/before-greeting.out' | head -1 | cut -d: -f1 >'$TEST_TMP/bg.220' &&
     grep -n 'C: EHLO' '$TEST_TMP/before-greeting.out' | head -1 | cut -d: -f1 >'$TEST_TMP/bg.ehlo' &&
     [ \$(cat '$TEST_TMP/bg.220') -lt \$(cat '$TEST_TMP/bg.ehlo') ]"
check "before-greeting: the EHLO reply is read as EHLO's" contains "$TEST_TMP/before-greeting.out" \
    '250 Hello, and here is what I support'
check "before-greeting: nothing after the greeting is out of turn" lacks \
    "$TEST_TMP/before-greeting.out" 'no command asked for'
check "answer-twice: the second answer is shown" contains "$TEST_TMP/answer-twice.out" \
    'S: 250 2.0.0 again'
check "answer-unsent: the unasked 354 is shown" contains "$TEST_TMP/answer-unsent.out" \
    'S: 354 unasked data'
check "pipeline-ahead: every early reply is shown" contains "$TEST_TMP/pipeline-ahead.out" \
    'S: 221 2.0.0 quit-ahead'
check "pipeline-ahead: nothing answers EHLO: timeout" says 'no reply.* in [0-9]+ s' \
    "$TEST_TMP/pipeline-ahead.out"

# ---- silence ----
start_hostile silence && run_client silence "$LIMIT" plain --timeout "$TIMEOUT"
stop_hostile
common_checks silence 10 2
check "silence: the timeout is named" says "no (reply|greeting).* in $TIMEOUT s"
check "silence: transcript has the connection" transcript_has "connected to 127.0.0.1"

start_hostile silence-after-greeting &&
    run_client silence-after-greeting "$LIMIT" plain --timeout "$TIMEOUT"
stop_hostile
common_checks silence-after-greeting 10 2
check "silence-after-greeting: the timeout is named" says "no reply.* in $TIMEOUT s"
check "silence-after-greeting: transcript has the greeting" transcript_has "S: 220 quiet ready"
check "silence-after-greeting: transcript has EHLO" transcript_has "C: EHLO client.test"

# ---- connections cut ----
start_hostile reset-mid-reply && run_client reset-mid-reply "$LIMIT" plain --timeout "$TIMEOUT"
stop_hostile
common_checks reset-mid-reply 10 2
check "reset-mid-reply: reset named" says 'reset'
check "reset-mid-reply: the reply is cut short" says 'middle of a reply'
check "reset-mid-reply: transcript has the partial reply" transcript_has 'S: 250-partial-li'

start_hostile close-mid-reply && run_client close-mid-reply "$LIMIT" plain --timeout "$TIMEOUT"
stop_hostile
common_checks close-mid-reply 10 2
check "close-mid-reply: close named" says 'closed the connection in the middle of a reply'
check "close-mid-reply: transcript has the partial reply" transcript_has 'S: 250-cut-off-li'

for mode in reset-at-once close-at-once; do
	start_hostile "$mode" && run_client "$mode" "$LIMIT" plain --timeout "$TIMEOUT"
	stop_hostile
	common_checks "$mode" 10 2
	check "$mode: the end of the connection is said" says 'reset|closed the connection'
	check "$mode: nothing was sent" lacks "$OUT" 'C: EHLO'
done

start_hostile half-close && run_client half-close "$LIMIT" plain --timeout "$TIMEOUT"
stop_hostile
common_checks half-close 10 2
check "half-close: close named" says 'closed the connection'
check "half-close: transcript has the greeting" transcript_has 'S: 220 half-close ready'

# ---- AUTH: a 334 that is not base64, a 334 nobody asked for ----
script auth 'EHLO client.test' '/auth LOGIN someone Pa55-hostile-w0rd' 'QUIT'
start_hostile b64-bad && run_client b64-bad "$LIMIT" auth --timeout "$TIMEOUT"
stop_hostile
common_checks b64-bad 10 1
check "b64-bad: not base64 said" says 'not valid base64'
check "b64-bad: the refusal arrives" contains "$OUT" 'S: 535 5.7.8'
check "b64-bad: no password on stdout" lacks "$OUT" 'Pa55-hostile-w0rd'
check "b64-bad: no password in the transcript" lacks "$TR" 'Pa55-hostile-w0rd'
b64pw=$(printf 'Pa55-hostile-w0rd' | base64)
check "b64-bad: no base64 password on stdout" lacks "$OUT" "$b64pw"
check "b64-bad: no base64 password in the transcript" lacks "$TR" "$b64pw"

start_hostile b64-unsolicited && run_client b64-unsolicited "$LIMIT" plain --timeout "$TIMEOUT"
stop_hostile
common_checks b64-unsolicited 10 0 1
check "b64-unsolicited: the 334 is shown" contains "$OUT" 'S: 334 VXNlcm5hbWU6'
check "b64-unsolicited: pointed out as unasked" says 'no command asked for'
check "b64-unsolicited: the session went on to QUIT" contains "$OUT" 'S: 221 2.0.0 bye'

finish
