#!/bin/sh
# lesson first-message end to end: RCPT before MAIL (503) gets the step's hint; a message with
# no line starting with a dot is accepted but does not pass the dot-stuffing step (its wrong:
# hint); the second message's ".signature" line goes out dot-stuffed and completes the lesson.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/lesson/lesson_lib.sh"

run_lesson first-message
lesson_completed first-message 6
out=$TEST_TMP/first-message.out
check "RCPT before MAIL: the 503 and the step's hint" hint_in_step first-message 2 \
	"Type MAIL FROM:<you@example.org> exactly"
check "a message without a dotted line: the wrong: hint" hint_in_step first-message 5 \
	"had no line starting with a dot"
check "the dotted line went out dot-stuffed" contains "$out" "C: ..signature follows"
check "step 5 passed on the dot-stuffed line" contains "$out" "ok step 5 of 6 passed: dot-stuffed"
check "two messages were accepted" contains "$out" "Message accepted as #2"
finish
