#!/bin/sh
# annotate_captures.sh: real captures, made by the test against an aiosmtpd server on loopback:
# swaks output (plain, and STARTTLS + AUTH), an `openssl s_client -starttls smtp -crlf` paste
# with the typed lines interleaved as a terminal shows them, and smtpscope's own transcript.
# Each reply must be explained for the command it answered.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/annotate/annotate_lib.sh"

command -v swaks >/dev/null 2>&1 || { echo "swaks missing: skipped"; exit 77; }
start_capture_server || exit 1
T=$TEST_TMP

rcpt_550=$(heading_of --after RCPT 550 5.1.1)
plain_550=$(heading_of 550 5.1.1)
status_511=$(heading_of 5.1.1)
grey_451=$(heading_of --after RCPT 451 4.7.1)
data_354=$(heading_of --after DATA 354)
end_250=$(heading_of --after DATA-END 250 2.0.0)

# ---- swaks, plain ----
swaks --server "127.0.0.1:$PORT" --from a@example.com --to nobody@example.org \
	--helo client.example >"$T/swaks-plain.txt" 2>&1
"$SMTPSCOPE" annotate "$T/swaks-plain.txt" >"$T/plain.out" 2>"$T/plain.err"
check "swaks plain capture annotates (exit 0)" test $? -eq 0
check "the 550 after RCPT gets the RCPT variant's heading" gloss "$T/plain.out" "$rcpt_550"
check "the RCPT variant differs from plain 550 (the test can tell them apart)" \
	test "$rcpt_550" != "$plain_550"
check "5.1.1 is explained by its own meaning" contains "$T/plain.out" "      $status_511"
check "the greeting is explained as the greeting" contains "$T/plain.out" "(in answer to the greeting)"
check "EHLO reply in context" count_is "$T/plain.out" "(in answer to EHLO)" 1
check "swaks notes kept as notes" contains "$T/plain.out" "-- Connected to 127.0.0.1."
check "every reply explained (5 of them)" count_is "$T/plain.out" "   => " 5

# ---- swaks, STARTTLS and AUTH PLAIN ----
swaks --server "127.0.0.1:$PORT" --from a@example.com --to bob@example.org \
	--helo client.example -tls --auth PLAIN --auth-user alice --auth-password s3cret \
	>"$T/swaks-tls.txt" 2>&1
check "swaks used TLS (capture has ~> lines)" contains "$T/swaks-tls.txt" " ~> EHLO"
payload=$(grep -o 'AUTH PLAIN [A-Za-z0-9+/=]*' "$T/swaks-tls.txt" | cut -d' ' -f3)
"$SMTPSCOPE" annotate "$T/swaks-tls.txt" >"$T/tls.out"
check "EHLO before and after STARTTLS both explained" count_is "$T/tls.out" "(in answer to EHLO)" 2
check "STARTTLS's 220 in context" contains "$T/tls.out" "(in answer to STARTTLS)"
check "AUTH reply in context" contains "$T/tls.out" "(in answer to AUTH)"
check "the 354 after DATA" gloss "$T/tls.out" "$data_354"
check "the 250 after the final dot" gloss "$T/tls.out" "$end_250"
check "the message body is not taken for commands" lacks "$T/tls.out" "(in answer to Subject"
check "the AUTH payload is masked" lacks "$T/tls.out" "$payload"
check "the mechanism stays visible" contains "$T/tls.out" "C: AUTH PLAIN ********"
"$SMTPSCOPE" annotate --show-secrets "$T/swaks-tls.txt" >"$T/tls-shown.out"
check "--show-secrets shows the payload" contains "$T/tls-shown.out" "$payload"

# ---- openssl s_client -starttls smtp -crlf, typed lines interleaved like a terminal ----
: >"$T/paste.txt"
{
	sleep 1.5
	for line in "EHLO client.example" "AUTH LOGIN" "YWxpY2U=" "czNjcmV0" \
		"MAIL FROM:<a@example.com>" "RCPT TO:<grey@example.org>" \
		"RCPT TO:<nobody@example.org>" "RCPT TO:<bob@example.org>" "DATA" \
		"Subject: annotate test" "" "RCPT TO: is only text here" "." "QUIT"; do
		printf '%s\n' "$line" >>"$T/paste.txt"
		printf '%s\n' "$line"
		sleep 0.3
	done
	sleep 1
} | openssl s_client -starttls smtp -crlf -connect "127.0.0.1:$PORT" -nocommands -ign_eof \
	>>"$T/paste.txt" 2>&1
check "the paste holds openssl's certificate dump" contains "$T/paste.txt" "BEGIN CERTIFICATE"
"$SMTPSCOPE" annotate "$T/paste.txt" >"$T/paste.out" 2>"$T/paste.err"
check "paste annotates (exit 0)" test $? -eq 0
check "the certificate dump is skipped" lacks "$T/paste.out" "CERTIFICATE"
check "openssl's handshake report is skipped" lacks "$T/paste.out" "Verify return code"
check "the 451 after RCPT is greylisting's RCPT variant" gloss "$T/paste.out" "$grey_451"
check "the 550 after RCPT" gloss "$T/paste.out" "$rcpt_550"
check "the 354 after DATA" gloss "$T/paste.out" "$data_354"
check "the 250 after the final dot" gloss "$T/paste.out" "$end_250"
check "a body line that looks like a command stays body" \
	count_is "$T/paste.out" "(in answer to RCPT)" 3
check "AUTH LOGIN answers are masked" lacks "$T/paste.out" "czNjcmV0"
check "both 334 challenges and the 235 answer AUTH" \
	count_is "$T/paste.out" "(in answer to AUTH)" 3
check "the QUIT is answered" contains "$T/paste.out" "(in answer to QUIT)"
"$SMTPSCOPE" annotate --format-in raw - <"$T/paste.txt" >"$T/paste-stdin.out"
check "standard input and --format-in raw give the same" cmp -s "$T/paste.out" "$T/paste-stdin.out"

# ---- smtpscope's own transcript ----
printf 'EHLO client.example\nMAIL FROM:<a@example.com>\nRCPT TO:<nobody@example.org>\nQUIT\n' \
	>"$T/script.txt"
"$SMTPSCOPE" "127.0.0.1:$PORT" --script "$T/script.txt" --transcript "$T/saved.txt" \
	>"$T/batch.out" 2>&1
check "smtpscope saved a transcript" contains "$T/saved.txt" "# smtpscope transcript"
"$SMTPSCOPE" annotate "$T/saved.txt" >"$T/saved.out"
check "transcript: 550 after RCPT" gloss "$T/saved.out" "$rcpt_550"
check "transcript: latency shown" contains "$T/saved.out" " ms)"
check "transcript: the magic line is not shown" lacks "$T/saved.out" "# smtpscope transcript"
check "transcript: events kept" contains "$T/saved.out" "-- connected to 127.0.0.1:$PORT"

finish
