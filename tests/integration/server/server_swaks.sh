#!/bin/sh
# server_swaks.sh: the practice server with a third-party client, swaks: a plain session,
# STARTTLS with AUTH PLAIN, AUTH LOGIN and CRAM-MD5, implicit TLS, pipelining, a 5 MB message
# and dot-stuffed lines, each checked in swaks's transcript and in the Maildir.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/server/server_lib.sh"

MD=$TEST_TMP/Maildir
start_server S --maildir "$MD"
T=$TEST_TMP
count_new() { ls "$MD/new" | wc -l; }

swaks_to "$S_PORT" "$T/plain" --from learner@example.org --to alice@practice.test
check "plain session: swaks succeeds" test $? -eq 0
check "plain session: greeting" contains "$T/plain" "<-  220 practice.test ESMTP"
check "plain session: EHLO lists PIPELINING" contains "$T/plain" "<-  250-PIPELINING"
check "plain session: sender accepted" contains "$T/plain" "<-  250 2.1.0 Sender <learner@example.org> OK"
check "plain session: recipient accepted" contains "$T/plain" "<-  250 2.1.5 Recipient <alice@practice.test> OK"
check "plain session: 354" contains "$T/plain" "<-  354 End data with <CR><LF>.<CR><LF>"
check "plain session: message accepted" contains "$T/plain" "<-  250 2.0.0 Message accepted as #1"
check "plain session: 221" contains "$T/plain" "<-  221 2.0.0 practice.test Bye"
check "plain session: one message in new/" test "$(count_new)" -eq 1

swaks_to "$S_PORT" "$T/plain_auth" --from a@example.org --to bob@practice.test --tls \
	--auth PLAIN --auth-user practice --auth-password secret123
check "STARTTLS + AUTH PLAIN: swaks succeeds" test $? -eq 0
check "STARTTLS + AUTH PLAIN: 220 2.0.0 to STARTTLS" contains "$T/plain_auth" "<-  220 2.0.0 Ready to start TLS"
check "STARTTLS + AUTH PLAIN: EHLO again inside TLS" contains "$T/plain_auth" "~> EHLO client.test"
check "STARTTLS + AUTH PLAIN: 235 inside TLS" contains "$T/plain_auth" "<~  235 2.7.0 Authentication successful"
check "STARTTLS + AUTH PLAIN: message accepted inside TLS" contains "$T/plain_auth" "<~  250 2.0.0 Message accepted"

swaks_to "$S_PORT" "$T/login" --from a@example.org --to bob@practice.test --tls \
	--auth LOGIN --auth-user practice --auth-password secret123
check "AUTH LOGIN: swaks succeeds" test $? -eq 0
check "AUTH LOGIN: Username: challenge" contains "$T/login" "<~  334 VXNlcm5hbWU6"
check "AUTH LOGIN: Password: challenge" contains "$T/login" "<~  334 UGFzc3dvcmQ6"
check "AUTH LOGIN: 235" contains "$T/login" "<~  235 2.7.0 Authentication successful"

swaks_to "$S_PORT" "$T/cram" --from a@example.org --to bob@practice.test \
	--auth CRAM-MD5 --auth-user practice --auth-password secret123
check "AUTH CRAM-MD5: swaks succeeds" test $? -eq 0
check "AUTH CRAM-MD5: 235" contains "$T/cram" "<-  235 2.7.0 Authentication successful"

swaks_to "$S_PORT" "$T/badpw" --from a@example.org --to bob@practice.test \
	--auth PLAIN --auth-user practice --auth-password wrong
check "wrong password: swaks fails" test $? -ne 0
check "wrong password: 535 5.7.8" contains "$T/badpw" "535 5.7.8 Authentication credentials invalid"

swaks_to "$S_TLS_PORT" "$T/implicit" --tls-on-connect --from a@example.org --to bob@practice.test \
	--auth PLAIN --auth-user practice --auth-password secret123
check "implicit TLS: swaks succeeds" test $? -eq 0
check "implicit TLS: greeting inside TLS" contains "$T/implicit" "<~  220 practice.test ESMTP"
check "implicit TLS: message accepted" contains "$T/implicit" "<~  250 2.0.0 Message accepted"

swaks_to "$S_PORT" "$T/pipe" --pipeline --from a@example.org --to alice@practice.test,bob@practice.test
check "pipelining: swaks succeeds" test $? -eq 0
check "pipelining: both recipients accepted" contains "$T/pipe" "<-  250 2.1.5 Recipient <bob@practice.test> OK"
check "pipelining: message accepted" contains "$T/pipe" "<-  250 2.0.0 Message accepted"

# Dot-stuffing: lines that start with a dot travel stuffed and are stored as written.
printf 'Subject: dots\r\n\r\nbefore\r\n.\r\n.leading\r\n..double\r\nafter\r\n' >"$T/dots.eml"
before=$(count_new)
swaks_to "$S_PORT" "$T/dots" --from dots@example.org --to alice@practice.test --data "$T/dots.eml"
check "dot-stuffing: swaks succeeds" test $? -eq 0
check "dot-stuffing: swaks sent the lone dot stuffed" contains "$T/dots" " -> .."
newest=$(ls -t "$MD/new" | head -n 1)
check "dot-stuffing: a new message in the Maildir" test "$(count_new)" -eq $((before + 1))
check "dot-stuffing: the lone dot is stored" grep -qx '\.' "$MD/new/$newest"
check "dot-stuffing: .leading is stored" grep -qx '\.leading' "$MD/new/$newest"
check "dot-stuffing: ..double is stored" grep -qx '\.\.double' "$MD/new/$newest"
check "dot-stuffing: the text after the dot lines is stored" grep -qx 'after' "$MD/new/$newest"

# A 5 MB message.
"$SYSTEM_PYTHON" - "$T/big.eml" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    f.write(b"Subject: five megabytes\r\n\r\n")
    line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/\r\n"
    for i in range(5 * 1024 * 1024 // len(line) + 1):
        f.write(line)
PY
swaks_to "$S_PORT" "$T/big" --from big@example.org --to alice@practice.test --data "$T/big.eml" \
	--suppress-data
check "5 MB message: swaks succeeds" test $? -eq 0
check "5 MB message: accepted" contains "$T/big" "<-  250 2.0.0 Message accepted"
newest=$(ls -t "$MD/new" | head -n 1)
size=$(wc -c <"$MD/new/$newest")
check "5 MB message: stored whole (LF line ends)" test "$size" -gt 5170000
check "the log tells of the big message" contains "$S_LOG" "from <big@example.org> to <alice@practice.test>"
check "the log has no AUTH password" lacks "$S_LOG" "secret123"
check "nothing left in tmp/" test -z "$(ls "$MD/tmp")"
check "the server stops cleanly, no sanitizer report" stopped_clean S
finish
