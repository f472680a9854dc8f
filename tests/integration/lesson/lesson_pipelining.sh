#!/bin/sh
# lesson pipelining end to end: a group of MAIL, RCPT and DATA; the message; the failing group
# sent while a transaction is open gets 250 and 354 and their wrong: hints; after the message
# is ended the same group fails as the step wants (503, 503).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/lesson/lesson_lib.sh"

run_lesson pipelining
lesson_completed pipelining 5
out=$TEST_TMP/pipelining.out
check "the three commands went out before the first reply" sh -c \
	"grep -A3 '^C: MAIL FROM:<you@example.org>' '$out' | head -3 | tail -1 | grep -q '^C: DATA'"
check "step 2 passed on all three replies" contains "$out" \
	"ok step 2 of 5 passed: reply 250 after MAIL;reply 250 after RCPT;reply 354 after DATA"
check "a group inside an open transaction: the hint" hint_in_step pipelining 4 \
	"A transaction was still open"
check "the failing group passes step 4" contains "$out" \
	"ok step 4 of 5 passed: reply 503 after RCPT;reply 5xx after DATA"
finish
