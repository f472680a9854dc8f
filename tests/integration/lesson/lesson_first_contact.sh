#!/bin/sh
# lesson first-contact end to end: EHLO without a name gets 501 and the lesson's hint for it;
# then EHLO, HELP and QUIT complete the lesson; the same in Indonesian.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/lesson/lesson_lib.sh"

run_lesson first-contact
lesson_completed first-contact 3
out=$TEST_TMP/first-contact.out
check "the 501 is quoted in the hint" hint_in_step first-contact 1 "S: 501 5.5.4"
check "the wrong: hint for EHLO without a name" hint_in_step first-contact 1 \
	"EHLO needs a name after it"
check "the last screen says complete" contains "$out" "First contact — complete"
check "the progress list marks every step done" contains "$out" "[x] 3. Say goodbye with QUIT"
check "one hint in all" contains "$out" "3 of 3 steps, 1 hint"

# The same in Indonesian: the translated texts and hints, the same checks.
status=0
"$SMTPSCOPE" lesson first-contact --lang id --script "$LESSON_SCRIPTS/first-contact.txt" \
	>"$TEST_TMP/id.out" 2>"$TEST_TMP/id.err" || status=$?
check "--lang id: completes" test "$status" -eq 0
check "--lang id: no diagnostics" test ! -s "$TEST_TMP/id.err"
check "--lang id: translated heading and labels" contains "$TEST_TMP/id.out" \
	"Pelajaran: Kontak pertama — langkah 1 dari 3"
check "--lang id: translated instructions" contains "$TEST_TMP/id.out" "Yang Dicoba"
check "--lang id: the translated hint" contains "$TEST_TMP/id.out" "EHLO perlu nama di belakangnya"
finish
