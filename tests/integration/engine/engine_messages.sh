#!/bin/sh
# Sending messages: /data with CRLF normalisation and dot-stuffing (a line "." inside the message
# arrives intact), a message over the server's SIZE (warned, then 552), /pipeline with replies
# paired to their commands, /bdat against the practice server (CHUNKING), /b64.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/engine/engine_lib.sh"

start_aiosmtpd msg --size 2000 || exit 1

# A message with bare LF endings, a lone "." line, a line starting with "." and no final newline.
printf 'Subject: dots\n\nfirst line\n.\n..two dots\n.leading dot\nlast line without newline' >"$TEST_TMP/dots.eml"
cat >"$TEST_TMP/data.script" <<SCRIPT
EHLO client.example
MAIL FROM:<a@example.org>
RCPT TO:<b@example.org>
/data $TEST_TMP/dots.eml
QUIT
SCRIPT
run_batch "$TEST_TMP/data.out" "$TEST_TMP/data.script" "127.0.0.1:$PORT"
check "/data: exit 0" status_is 0
check "/data: dot-stuffed on the wire" contains "$TEST_TMP/data.out" "C: .."
check "/data: the final dot sent" contains "$TEST_TMP/data.out" "C: ."
check "/data: accepted" contains "$TEST_TMP/data.out" "Message 1 accepted"
msg="$MAILDIR/msg-1.eml"
check "a line holding a single dot arrives intact" sh -c "grep -qx '.' '$msg' || tr -d '\r' <'$msg' | grep -qx '\\.'"
check "a line starting with two dots arrives intact" sh -c "tr -d '\r' <'$msg' | grep -qx '\\.\\.two dots'"
check "a line starting with a dot arrives intact" sh -c "tr -d '\r' <'$msg' | grep -qx '\\.leading dot'"
check "line endings made CRLF" sh -c "grep -q \"first line\$(printf '\\r')\$\" '$msg'"
check "the last line arrives" sh -c "tr -d '\r' <'$msg' | grep -qx 'last line without newline'"

# Over SIZE: guidance first (the size is known), then the server's 552.
head -c 5000 /dev/zero | tr '\0' 'x' | fold -w 70 >"$TEST_TMP/big.eml"
cat >"$TEST_TMP/big.script" <<SCRIPT
EHLO client.example
MAIL FROM:<a@example.org> SIZE=5000
RCPT TO:<b@example.org>
/data $TEST_TMP/big.eml
QUIT
SCRIPT
run_batch "$TEST_TMP/big.out" "$TEST_TMP/big.script" "127.0.0.1:$PORT"
check "over SIZE: exit 1" status_is 1
check "over SIZE: warned before sending" contains "$TEST_TMP/big.out" "than the 2000 octets the server accepts"
check "over SIZE: explained" contains "$TEST_TMP/big.out" "smtpscope explain message-too-large"
check "over SIZE: the server says 552" contains "$TEST_TMP/big.out" "S: 552"

# Pipelining: a group sent at once, each reply paired with its command (aiosmtpd does not
# advertise PIPELINING, so a warning comes first; the practice server below does).
cat >"$TEST_TMP/pipe.script" <<'SCRIPT'
EHLO client.example
/pipeline MAIL FROM:<a@example.org>; RCPT TO:<x@reject.test>; RCPT TO:<b@example.org>; RSET
QUIT
SCRIPT
run_batch "$TEST_TMP/pipe.out" "$TEST_TMP/pipe.script" --explain "127.0.0.1:$PORT"
check "pipeline without PIPELINING: warned" contains "$TEST_TMP/pipe.out" "did not offer PIPELINING"
check "pipeline: the 550 answers RCPT" contains "$TEST_TMP/pipe.out" "No such user here, or relaying refused"
check "pipeline: all four sent before the first reply" sh -c "awk '/C: MAIL/{m=NR} /C: RSET/{r=NR} /S: 250 OK/{if(!s)s=NR} END{exit !(m && r && s && r < s)}' '$TEST_TMP/pipe.out'"
check "pipeline: negative reply counted: exit 1" status_is 1

# The practice server: PIPELINING without a warning, and CHUNKING for /bdat.
printf 'Subject: chunks\n\n%s\n' "$(head -c 300 /dev/zero | tr '\0' 'y')" >"$TEST_TMP/chunks.eml"
cat >"$TEST_TMP/practice.script" <<SCRIPT
EHLO client.example
/pipeline MAIL FROM:<a@example.org>; RCPT TO:<b@example.org>
/bdat $TEST_TMP/chunks.eml 100
/b64 encode hello world
/b64 decode AGFsaWNlAHMzY3JldA==
QUIT
SCRIPT
run_batch "$TEST_TMP/practice.out" "$TEST_TMP/practice.script"
check "practice server: exit 0" status_is 0
check "practice server named" contains "$TEST_TMP/practice.out" "built-in practice server"
check "pipeline with PIPELINING: no warning" lacks "$TEST_TMP/practice.out" "did not offer PIPELINING"
check "/bdat: chunks of 100" contains "$TEST_TMP/practice.out" "C: BDAT 100"
check "/bdat: the last chunk says LAST" sh -c "grep -q 'C: BDAT [0-9]* LAST' '$TEST_TMP/practice.out'"
check "/b64 encode" contains "$TEST_TMP/practice.out" "aGVsbG8gd29ybGQ="
check "/b64 decode shows NULs escaped" contains "$TEST_TMP/practice.out" '\0alice\0s3cret'

# The practice server with a scenario, and CRAM-MD5 over STARTTLS (its certificate is its own).
printf 'EHLO client.example\n/starttls\nEHLO client.example\n/auth CRAM-MD5 practice secret123\nMAIL FROM:<a@example.org>\nRCPT TO:<b@example.org>\nQUIT\n' >"$TEST_TMP/grey.script"
run_batch "$TEST_TMP/grey.out" "$TEST_TMP/grey.script" --insecure --scenario greylist
check "practice scenario named" contains "$TEST_TMP/grey.out" "scenario greylist"
check "CRAM-MD5 challenge decoded" contains "$TEST_TMP/grey.out" "334 challenge decoded: \"<"
check "CRAM-MD5 accepted" contains "$TEST_TMP/grey.out" "authenticated as practice"
check "greylisting: 451" contains "$TEST_TMP/grey.out" "S: 451"
check "greylisting: exit 1" status_is 1
run_batch "$TEST_TMP/host-and-scenario.out" "$TEST_TMP/grey.script" --scenario greylist "127.0.0.1:$PORT"
check "--scenario with a HOST: exit 2" status_is 2
finish
