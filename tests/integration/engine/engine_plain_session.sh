#!/bin/sh
# A plain SMTP session in batch mode against aiosmtpd: replies glossed, exit status 0, the
# message delivered; a rejected recipient gives status 1; --stop-on-failure stops there.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/engine/engine_lib.sh"

start_aiosmtpd plain || exit 1

cat >"$TEST_TMP/ok.script" <<'SCRIPT'
# a comment, then a blank line: both skipped

EHLO client.example
MAIL FROM:<sender@example.org>
RCPT TO:<rcpt@example.org>
DATA
Subject: plain session test

Hello from the plain session test.
.
QUIT
SCRIPT
run_batch "$TEST_TMP/ok.out" "$TEST_TMP/ok.script" "127.0.0.1:$PORT"
check "every reply positive: exit 0" status_is 0
check "greeting shown as S: line" contains "$TEST_TMP/ok.out" "S: 220 "
check "commands shown as C: lines" contains "$TEST_TMP/ok.out" "C: MAIL FROM:<sender@example.org>"
check "each reply glossed" contains "$TEST_TMP/ok.out" "    -> 250 "
check "354 glossed" contains "$TEST_TMP/ok.out" "    -> 354 "
check "the address that answered is named" contains "$TEST_TMP/ok.out" "connected to 127.0.0.1:$PORT"
check "the comment was not sent" lacks "$TEST_TMP/ok.out" "C: # a comment"
check "the message arrived" contains "$MAILDIR/msg-1.eml" "Hello from the plain session test."

cat >"$TEST_TMP/reject.script" <<'SCRIPT'
EHLO client.example
MAIL FROM:<sender@example.org>
RCPT TO:<nobody@reject.test>
RCPT TO:<rcpt@example.org>
QUIT
SCRIPT
run_batch "$TEST_TMP/reject.out" "$TEST_TMP/reject.script" "127.0.0.1:$PORT"
check "a rejected recipient: exit 1" status_is 1
check "the 550 is shown" contains "$TEST_TMP/reject.out" "S: 550 5.1.1"
check "the script went on after the 550" contains "$TEST_TMP/reject.out" "C: RCPT TO:<rcpt@example.org>"

run_batch "$TEST_TMP/stop.out" "$TEST_TMP/reject.script" --stop-on-failure "127.0.0.1:$PORT"
check "--stop-on-failure: exit 1" status_is 1
check "--stop-on-failure stops at the 550" lacks "$TEST_TMP/stop.out" "C: RCPT TO:<rcpt@example.org>"
check "--stop-on-failure says so" contains "$TEST_TMP/stop.out" "stopping at the first failure"

# Out of sequence: the warning is printed and the line sent anyway (scripts are explicit).
printf 'MAIL FROM:<a@example.org>\nQUIT\n' >"$TEST_TMP/seq.script"
run_batch "$TEST_TMP/seq.out" "$TEST_TMP/seq.script" "127.0.0.1:$PORT"
check "MAIL before EHLO warned" contains "$TEST_TMP/seq.out" "MAIL before EHLO"
check "and sent anyway" contains "$TEST_TMP/seq.out" "C: MAIL FROM:<a@example.org>"
check "the warning points at its explanation" contains "$TEST_TMP/seq.out" "smtpscope explain mail-before-ehlo"

# --explain gives the full explanation with its sections.
printf 'EHLO client.example\nQUIT\n' >"$TEST_TMP/explain.script"
run_batch "$TEST_TMP/explain.out" "$TEST_TMP/explain.script" --explain "127.0.0.1:$PORT"
check "--explain: exit 0" status_is 0
check "--explain shows How to Fix" contains "$TEST_TMP/explain.out" "How to Fix"

# Standard input that is not a terminal is a script too.
RC=0
printf 'EHLO client.example\nQUIT\n' | timeout 30 "$SMTPSCOPE" "127.0.0.1:$PORT" >"$TEST_TMP/stdin.out" 2>&1 || RC=$?
check "script from standard input: exit 0" status_is 0
check "script from standard input ran" contains "$TEST_TMP/stdin.out" "S: 221"

# IPv6: an address literal in brackets with its port.
start_aiosmtpd ipv6 --host ::1 || exit 1
run_batch "$TEST_TMP/v6.out" "$TEST_TMP/explain.script" "[::1]:$PORT"
check "IPv6 [::1]:PORT: exit 0" status_is 0
check "IPv6: the address that answered is named" contains "$TEST_TMP/v6.out" "connected to [::1]:$PORT"

# Usage errors: exit 2 with a clear message.
RC=0
"$SMTPSCOPE" --script "$TEST_TMP/explain.script" "host:99999" >"$TEST_TMP/usage.out" 2>&1 || RC=$?
check "bad port: exit 2" status_is 2
check "bad port: said why" contains "$TEST_TMP/usage.out" "port must be a number"
RC=0
"$SMTPSCOPE" --script "$TEST_TMP/nonexistent.script" "127.0.0.1:$PORT" >"$TEST_TMP/usage2.out" 2>&1 || RC=$?
check "missing script: exit 2" status_is 2
printf '/frobnicate\nQUIT\n' >"$TEST_TMP/unknown.script"
start_aiosmtpd plain2 || exit 1
run_batch "$TEST_TMP/unknown.out" "$TEST_TMP/unknown.script" "127.0.0.1:$PORT"
check "unknown local command: exit 2" status_is 2
check "unknown local command: said why" contains "$TEST_TMP/unknown.out" "unknown command /frobnicate"
finish
