#!/bin/sh
# annotate_samples.sh: hand-written captures under tests/data/annotate: Postfix, exim and
# sendmail log lines, RFC 5321's example session, a time-stamped C:/S: transcript with AUTH, a
# telnet paste with lower-case commands, and a pipelined exchange. Each reply must be explained
# for the command the capture says it answered.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/annotate/annotate_lib.sh"
T=$TEST_TMP
D=$ANNOTATE_DATA

annotate() { "$SMTPSCOPE" annotate "$@"; }

# ---- Postfix ----
annotate "$D/postfix.log" >"$T/postfix.out" 2>"$T/postfix.err"
check "postfix log annotates (exit 0)" test $? -eq 0
check "said: 550 5.1.1 (in reply to RCPT TO command)" \
	gloss "$T/postfix.out" "$(heading_of --after RCPT 550 5.1.1)"
check "said: 450 4.7.1 after RCPT" gloss "$T/postfix.out" "$(heading_of --after RCPT 450 4.7.1)"
check "in reply to end of DATA command is the final dot" \
	gloss "$T/postfix.out" "$(heading_of --after DATA-END 554 5.7.1)"
check "452 4.2.2 after RCPT" gloss "$T/postfix.out" "$(heading_of --after RCPT 452 4.2.2)"
check "dsn=4.4.1 without a reply explains the status code" \
	gloss "$T/postfix.out" "$(heading_of 4.4.1)"
check "smtpd reject: RCPT from ... is a 554 after RCPT" \
	count_is "$T/postfix.out" "(in answer to RCPT)" 4
check "refused to talk to me is the greeting" \
	gloss "$T/postfix.out" "$(heading_of --after greeting 554 5.7.1)"
check "530 5.7.0 in reply to MAIL FROM" gloss "$T/postfix.out" "$(heading_of --after MAIL 530 5.7.0)"
check "every log line is shown" count_is "$T/postfix.out" "mx1 postfix/" 9
check "a line without a reply gets no explanation" count_is "$T/postfix.out" "   => " 8

# ---- exim ----
annotate "$D/exim.log" >"$T/exim.out"
check "exim: after RCPT TO" gloss "$T/exim.out" "$(heading_of --after RCPT 550 5.1.1)"
check "exim: after pipelined RCPT TO" gloss "$T/exim.out" "$(heading_of --after RCPT 451 4.7.1)"
check "exim: after end of data" gloss "$T/exim.out" "$(heading_of --after DATA-END 552 5.3.4)"

# ---- sendmail ----
annotate "$D/sendmail.log" >"$T/sendmail.out"
check "sendmail: ruleset=check_rcpt reject= is after RCPT" \
	gloss "$T/sendmail.out" "$(heading_of --after RCPT 550 5.7.1)"
check "sendmail: stat=Deferred: 451 explained without a context" \
	gloss "$T/sendmail.out" "$(heading_of 451 4.7.1)"

# ---- RFC 5321 D.1, plain C:/S: ----
annotate "$D/rfc5321.txt" >"$T/rfc.out"
check "text above the session is kept" contains "$T/rfc.out" "Example D.1 of RFC 5321"
check "550 without enhanced code, after RCPT" gloss "$T/rfc.out" "$(heading_of --after RCPT 550)"
check "354 after DATA" gloss "$T/rfc.out" "$(heading_of --after DATA 354)"
check "250 after the final dot" gloss "$T/rfc.out" "$(heading_of --after DATA-END 250)"
check "nine replies" count_is "$T/rfc.out" "   => " 9
check "message text is not a command" count_is "$T/rfc.out" "(in answer to RCPT)" 3

# ---- time-stamped C:/S: with AUTH ----
annotate "$D/stamped-cs.txt" >"$T/stamped.out"
check "time stamps do not hide the C:/S: marks" gloss "$T/stamped.out" "$(heading_of --after MAIL 530 5.7.0)"
check "AUTH PLAIN payload masked" lacks "$T/stamped.out" "AGFsaWNlAHMzY3JldC1wYXNzd29yZA=="
check "AUTH LOGIN user name masked" lacks "$T/stamped.out" "YWxpY2U="
check "AUTH LOGIN password masked" lacks "$T/stamped.out" "czNjcmV0LXBhc3N3b3Jk"
check "334 challenge decoded" contains "$T/stamped.out" "Username:"
check "503 after AUTH" gloss "$T/stamped.out" "$(heading_of --after AUTH 503 5.5.1)"

# ---- telnet paste ----
annotate "$D/telnet.txt" >"$T/telnet.out"
check "telnet chatter is skipped" lacks "$T/telnet.out" "Escape character"
check "lower-case commands are commands" gloss "$T/telnet.out" "$(heading_of --after RCPT 554 5.7.1)"
check "telnet greeting" contains "$T/telnet.out" "(in answer to the greeting)"
check "rset answered" contains "$T/telnet.out" "(in answer to RSET)"

# ---- pipelining: replies pair with commands in order ----
annotate "$D/pipelined.txt" >"$T/pipe.out"
check "pipelined MAIL" gloss "$T/pipe.out" "$(heading_of --after MAIL 250 2.1.0)"
check "pipelined RCPT x2" count_is "$T/pipe.out" "(in answer to RCPT)" 2
check "pipelined 550 after RCPT" gloss "$T/pipe.out" "$(heading_of --after RCPT 550 5.1.1)"
check "pipelined DATA" gloss "$T/pipe.out" "$(heading_of --after DATA 354)"
check "dot-stuffed body line is body" gloss "$T/pipe.out" "$(heading_of --after DATA-END 250 2.0.0)"

# ---- input format override, errors ----
annotate --format-in swaks "$D/rfc5321.txt" >"$T/forced.out" 2>"$T/forced.err"
check "a forced wrong format finds no reply and says so" contains "$T/forced.err" "no SMTP reply found"
annotate --format-in nonsense "$D/rfc5321.txt" >/dev/null 2>"$T/bad.err"
check "unknown input format is a usage error (2)" test $? -eq 2
annotate "$T/does-not-exist" >/dev/null 2>"$T/missing.err"
check "a missing file fails with 1" test $? -eq 1
check "and names the file" contains "$T/missing.err" "does-not-exist"
annotate --explain-level full "$D/exim.log" >"$T/full.out"
check "full level has more than short" test "$(wc -l <"$T/full.out")" -gt "$(wc -l <"$T/exim.out")"
annotate --lang id "$D/rfc5321.txt" >"$T/id.out"
check "--lang id gives the Indonesian heading" \
	gloss "$T/id.out" "$("$SMTPSCOPE" explain --lang id --after RCPT 550 | head -n 1)"

finish
