#!/bin/sh
# lesson auth-by-hand end to end on the auth-required practice server: AUTH LOGIN answered by
# hand with the base64 from /b64; MAIL accepted; AUTH PLAIN on the logged-in connection gets
# 503 and the hint to connect again; /disconnect, /connect, /b64 decode, AUTH PLAIN succeeds.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/lesson/lesson_lib.sh"

run_lesson auth-by-hand
lesson_completed auth-by-hand 6
out=$TEST_TMP/auth-by-hand.out
check "the practice user is named in the instructions" contains "$out" "/b64 encode practice"
check "the user's base64 is filled in" contains "$out" "cHJhY3RpY2U="
check "the PLAIN response is filled in" contains "$out" "AUTH PLAIN AHByYWN0aWNlAHNlY3JldDEyMw=="
check "the answers to 334 are masked in the session" contains "$out" "C: ****"
check "the AUTH PLAIN line is masked in the session" lacks "$out" "C: AUTH PLAIN AHBy"
check "a second AUTH on one connection: the hint" hint_in_step auth-by-hand 5 \
	"already logged in on this connection"
check "the decoded PLAIN response shows its NULs" contains "$out" '\0practice\0secret123'
check "step 5 passed on the decode and the 235" contains "$out" \
	"ok step 5 of 6 passed: info decodes to;reply 235 after AUTH"
finish
