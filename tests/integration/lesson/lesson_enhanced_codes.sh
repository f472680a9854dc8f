#!/bin/sh
# lesson enhanced-codes end to end on the relay-denied,unknown-user practice server: a known
# mailbox where an unknown one was asked for gets the step's wrong: hint; then 550 5.1.1,
# 554 5.7.1 and 250 2.1.5 pass their steps by their enhanced codes.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/lesson/lesson_lib.sh"

run_lesson enhanced-codes
lesson_completed enhanced-codes 6
out=$TEST_TMP/enhanced-codes.out
check "a mailbox that exists: the hint" hint_in_step enhanced-codes 3 "That mailbox exists"
check "5.1.1 passes step 3" contains "$out" "ok step 3 of 6 passed: reply 550 5.1.1 after RCPT"
check "5.7.1 passes step 4" contains "$out" "ok step 4 of 6 passed: reply 5xx 5.7.1 after RCPT"
check "2.1.5 passes step 5" contains "$out" "ok step 5 of 6 passed: reply 250 2.1.5 after RCPT"
finish
