#!/bin/sh
# stdin.sh: `smtpscope explain -` reads whole replies (multiline too) from standard input, with
# "C:" lines giving the context of the next reply.
. "$top_srcdir/tests/lib.sh"

out=$TEST_TMP/out
err=$TEST_TMP/err

printf '250-mx.example.org Hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n' |
	"$SMTPSCOPE" explain - --width 100 >"$out" 2>"$err"
check "multiline EHLO reply: exit 0" test $? -eq 0
check "EHLO keywords section" contains "$out" "EHLO Keywords"
check "PIPELINING explained" contains "$out" "- PIPELINING"
check "SIZE with its argument" contains "$out" "- SIZE 10240000"

cat >"$TEST_TMP/session" <<'TXT'
S: 220 mx.example.org ESMTP
C: MAIL FROM:<a@example.org>
S: 250 2.1.0 Ok
C: RCPT TO:<nobody@example.org>
S: 550 5.1.1 <nobody@example.org>: Recipient address rejected
C: AUTH LOGIN
S: 334 VXNlcm5hbWU6
TXT
"$SMTPSCOPE" explain - <"$TEST_TMP/session" >"$out" 2>"$err"
check "a pasted session: exit 0" test $? -eq 0
check "greeting explained" contains "$out" "220 "
check "RCPT context used" contains "$out" "in answer to RCPT"
check "550 5.1.1 explained" contains "$out" "550 5.1.1 "
check "334 challenge decoded" contains "$out" "Username:"
check "four replies" test "$(grep -c '^[2-5][0-9][0-9] ' "$out")" -ge 4

printf '' | "$SMTPSCOPE" explain - >"$out" 2>"$err"
check "empty input: exit 2" test $? -eq 2
check "empty input: message" contains "$err" "nothing to explain"

printf '550 ok\nfrobnicate\n' | "$SMTPSCOPE" explain - >"$out" 2>"$err"
check "a bad line: exit 2" test $? -eq 2
check "a bad line: the good one still explained" contains "$out" "550 "
check "a bad line: message" contains "$err" "frobnicate"

"$SMTPSCOPE" explain - 550 </dev/null >"$out" 2>"$err"
check "'-' with other words: exit 2" test $? -eq 2

finish
