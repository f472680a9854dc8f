#!/bin/sh
# lesson errors-and-retries end to end on the greylisting practice server: the first RCPT gets
# 451 (the step wants a 4xx); retrying at once gets 451 again and the "too soon" hint; after
# /wait the same RCPT is accepted; an unknown mailbox gets a 5xx; the message goes through.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/lesson/lesson_lib.sh"

run_lesson errors-and-retries
lesson_completed errors-and-retries 6
out=$TEST_TMP/errors-and-retries.out
check "the scenario was started for the lesson" contains "$out" "scenario greylist,unknown-user"
check "greylisted first" contains "$out" "S: 451 4.7.1 <bob@practice.test>: Greylisted"
check "step 3 passed on the 4xx" contains "$out" "ok step 3 of 6 passed: reply 4xx after RCPT"
check "retrying at once: the too-soon hint" hint_in_step errors-and-retries 4 "Too soon"
check "accepted after the wait" contains "$out" "S: 250 2.1.5 Recipient <bob@practice.test> OK"
check "the permanent failure" contains "$out" "S: 550 5.1.1 <nobody@practice.test>"
finish
