#!/bin/sh
# AUTH typed by hand in batch mode against the practice server: after each 334 the next script
# line goes out at once (no wait for a reply timeout), /b64 encode builds the answers (with \0
# for the NULs of AUTH PLAIN), and the answers are masked in the saved transcript. STARTTLS
# on the practice server needs no --insecure.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/engine/engine_lib.sh"

cat >"$TEST_TMP/login.script" <<'SCRIPT'
EHLO client.example
AUTH LOGIN
cHJhY3RpY2U=
c2VjcmV0MTIz
QUIT
SCRIPT
start=$(date +%s)
run_batch "$TEST_TMP/login.out" "$TEST_TMP/login.script" --insecure --timeout 20 \
    --transcript "$TEST_TMP/login.transcript"
elapsed=$(( $(date +%s) - start ))
check "AUTH LOGIN by hand: exit 0" status_is 0
check "AUTH LOGIN by hand: authenticated" contains "$TEST_TMP/login.out" "235 2.7.0"
# With a 20 s reply timeout, waiting for the 334 to "finish" would take at least 20 s.
check "AUTH LOGIN by hand: no wait for the reply timeout after a 334 (${elapsed}s)" test "$elapsed" -lt 10
check "the base64 password is masked in the transcript" lacks "$TEST_TMP/login.transcript" "c2VjcmV0MTIz"

cat >"$TEST_TMP/b64.script" <<'SCRIPT'
/b64 encode \0practice\0secret123
/b64 encode back\\slash
QUIT
SCRIPT
run_batch "$TEST_TMP/b64.out" "$TEST_TMP/b64.script" --insecure
check "/b64 encode turns \\0 into NUL bytes (an AUTH PLAIN response)" \
    contains "$TEST_TMP/b64.out" "AHByYWN0aWNlAHNlY3JldDEyMw=="
check "/b64 encode turns \\\\ into one backslash" \
    contains "$TEST_TMP/b64.out" "$(printf 'back\\slash' | base64)"

# The practice server's certificate is self-signed by design: STARTTLS must work for a
# newcomer without --insecure, and smtpscope must still say the peer is unverified and why.
printf 'EHLO client.example\nSTARTTLS\nEHLO client.example\nQUIT\n' >"$TEST_TMP/tls.script"
run_batch "$TEST_TMP/tls.out" "$TEST_TMP/tls.script"
check "practice STARTTLS without --insecure: exit 0" status_is 0
check "practice STARTTLS: TLS comes up" contains "$TEST_TMP/tls.out" "TLS is up"
check "practice STARTTLS: still says it is unverified" contains "$TEST_TMP/tls.out" "NOT verified"
check "practice STARTTLS: says why it goes on" contains "$TEST_TMP/tls.out" "self-signed by design"

finish
