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

printf '550\nfrobnicate\n5.1.1\n' | "$SMTPSCOPE" explain - >"$out" 2>"$err"
check "words, one bad: exit 2" test $? -eq 2
check "words, one bad: the good ones still explained" contains "$out" "5.1.1 "
check "words, one bad: message" contains "$err" "frobnicate"

# swaks output: "<-" replies, " -> " commands, "===" noise; the final dot gives DATA-END.
cat >"$TEST_TMP/swaks" <<'TXT'
=== Trying 127.0.0.1:2525...
=== Connected to 127.0.0.1.
<-  220 practice.test ESMTP
 -> EHLO vm
<-  250-practice.test Hello vm [127.0.0.1]
<-  250-PIPELINING
<-  250 HELP
 -> MAIL FROM:<root@vm>
<-  250 2.1.0 Sender OK
 -> DATA
<-  354 End data with <CR><LF>.<CR><LF>
 -> Subject: test
 ->
 -> .
<-  250 2.0.0 Message accepted as #1
 -> QUIT
<-  221 2.0.0 practice.test Bye
=== Connection closed with remote host.
TXT
"$SMTPSCOPE" explain - <"$TEST_TMP/swaks" >"$out" 2>"$err"
check "swaks output: exit 0" test $? -eq 0
check "swaks output: noise ignored" test ! -s "$err"
check "swaks output: EHLO keywords" contains "$out" "- PIPELINING"
check "swaks output: the final dot's reply" contains "$out" "in answer to the end of the message"
check "swaks output: 354 says how to end" contains "$out" "Ending the Message"
check "swaks output: six replies" test "$(grep -c "^[2-5][0-9][0-9] " "$out")" -eq 6

"$SMTPSCOPE" explain - 550 </dev/null >"$out" 2>"$err"
check "'-' with other words: exit 2" test $? -eq 2

finish
