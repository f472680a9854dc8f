#!/bin/sh
# smtpscope lesson: usage errors, an unknown lesson, a lessons folder with malformed files
# (file:line diagnostics, the good lesson still runs), a lesson left unfinished (exit 1), and a
# translation laid over the English file with --lang.
. "$top_srcdir/tests/lib.sh"
XDG_STATE_HOME="$TEST_TMP/state"
export XDG_STATE_HOME

status=0
"$SMTPSCOPE" lesson >"$TEST_TMP/none.out" 2>&1 || status=$?
check "no lesson name: exit 2" test "$status" -eq 2
check "no lesson name: says so" contains "$TEST_TMP/none.out" "which lesson?"

status=0
"$SMTPSCOPE" lesson no-such-lesson </dev/null >"$TEST_TMP/unknown.out" 2>&1 || status=$?
check "unknown lesson: exit 2" test "$status" -eq 2
check "unknown lesson: the lessons there are" contains "$TEST_TMP/unknown.out" "first-contact"

status=0
"$SMTPSCOPE" lesson --lessons-dir "$TEST_TMP/missing" --list >"$TEST_TMP/missing.out" 2>&1 || status=$?
check "unreadable lessons folder: exit 2" test "$status" -eq 2
check "unreadable lessons folder: named" contains "$TEST_TMP/missing.out" "$TEST_TMP/missing"

# A folder with a good lesson, a lesson with mistakes that still loads, and one that cannot.
dir=$TEST_TMP/lessons
mkdir -p "$dir/id"
cat >"$dir/1-good.txt" <<'LESSON'
@lesson good
title: A good lesson
summary: greets and leaves
description: Short.

@step 1
title: Say EHLO
try: EHLO localhost
check: reply 250 after EHLO

@step 2
title: Leave
try: QUIT
check: reply 221 after QUIT
LESSON
cat >"$dir/2-sloppy.txt" <<'LESSON'
@lesson sloppy
title: Sloppy
summary: has mistakes but loads
syntax: not a lesson field

@step 1
title: One
try: NOOP
check:
    reply 250 after NOOP
    reply 2x after NOOP
    teleport
wrong:
    reply 5xx after NOOP
    state greeting -> not an event
LESSON
cat >"$dir/3-broken.txt" <<'LESSON'
@lesson broken
title: Broken
summary: steps out of order

@step 2
title: Two
try: NOOP
check: reply 250 after NOOP
LESSON
cat >"$dir/id/1-good.txt" <<'LESSON'
@lesson good
title: Pelajaran yang baik

@step 1
title: Ucapkan EHLO
LESSON

status=0
"$SMTPSCOPE" lesson --lessons-dir "$dir" --list >"$TEST_TMP/dir.out" 2>"$TEST_TMP/dir.err" || status=$?
check "malformed files: --list still exits 0" test "$status" -eq 0
check "the good lesson is listed" grep -q "^good  *greets and leaves" "$TEST_TMP/dir.out"
check "the sloppy lesson still loads" grep -q "^sloppy " "$TEST_TMP/dir.out"
check "the broken lesson is left out" sh -c "! grep -q '^broken ' '$TEST_TMP/dir.out'"
check "unused field: file:line" contains "$TEST_TMP/dir.err" "$dir/2-sloppy.txt:4: field 'syntax' is not used by @lesson"
check "bad code pattern: file:line" contains "$TEST_TMP/dir.err" "$dir/2-sloppy.txt:11: bad check 'reply 2x after NOOP'"
check "unknown check: file:line" contains "$TEST_TMP/dir.err" "$dir/2-sloppy.txt:12: bad check 'teleport'"
check "wrong: without a hint: file:line" contains "$TEST_TMP/dir.err" "$dir/2-sloppy.txt:14: bad wrong: line"
check "wrong: with a state: file:line" contains "$TEST_TMP/dir.err" "$dir/2-sloppy.txt:15: bad wrong: line"
check "steps out of order: file:line" contains "$TEST_TMP/dir.err" "$dir/3-broken.txt:5: step 2 where step 1 was expected"
check "the broken lesson: not loaded" contains "$TEST_TMP/dir.err" "lesson broken not loaded"

printf 'EHLO localhost\n' >"$TEST_TMP/half.script"
status=0
"$SMTPSCOPE" lesson good --lessons-dir "$dir" --script "$TEST_TMP/half.script" \
	>"$TEST_TMP/half.out" 2>/dev/null || status=$?
check "a lesson left unfinished: exit 1" test "$status" -eq 1
check "a lesson left unfinished: where it stopped" contains "$TEST_TMP/half.out" \
	"== lesson good not complete: stopped at step 2 of 2 (Leave)"

printf 'EHLO localhost\nQUIT\n' >"$TEST_TMP/whole.script"
status=0
"$SMTPSCOPE" lesson good --lessons-dir "$dir" --lang id --script "$TEST_TMP/whole.script" \
	>"$TEST_TMP/id.out" 2>/dev/null || status=$?
check "--lang id: the lesson completes" test "$status" -eq 0
check "--lang id: the translated title" contains "$TEST_TMP/id.out" "Pelajaran: Pelajaran yang baik"
check "--lang id: the translated step title" contains "$TEST_TMP/id.out" "Ucapkan EHLO"
check "--lang id: the untranslated step falls back to English" contains "$TEST_TMP/id.out" "Leave"
check "--lang id: the labels" contains "$TEST_TMP/id.out" "langkah 1 dari 2"
finish
