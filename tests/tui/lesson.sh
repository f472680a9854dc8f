#!/bin/sh
# /lesson on the screen: lists the lessons, starts one on a practice server with the lesson's
# scenario, shows the current step in the explanation pane, gives the lesson's hint after a
# wrong step, moves on when a step's checks pass and says when the lesson is complete. Uses a
# lesson of its own (in a copy of the help folder) so it does not depend on the shipped ones.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"

help="$TEST_TMP/help"
mkdir -p "$help/lessons"
cp -R "$SMTPSCOPE_HELP_DIR/en" "$help/en"
[ -d "$SMTPSCOPE_HELP_DIR/id" ] && cp -R "$SMTPSCOPE_HELP_DIR/id" "$help/id"
chmod -R u+w "$help"   # copies of a read-only source tree (make distcheck)
cat >"$help/lessons/01-screen-test.txt" <<'LESSON'
@lesson screen-test
title: Screen test lesson
summary: A two-step lesson for the screen tests
scenario: unknown-user
done:
    Finished the screen test lesson.

@step 1
title: Say hello
try:
    - EHLO localhost
check: reply 250 after EHLO
hint: Type EHLO localhost.

@step 2
title: Name a sender and a recipient that exists
try:
    - MAIL FROM:<{user}@practice.test>
    - RCPT TO:<alice@practice.test>
check: reply 250 after RCPT
wrong:
    reply 550 after RCPT -> That mailbox does not exist here: try alice.
LESSON

for size in 80x24 200x50; do
	cols=${size%x*} rows=${size#*x}
	tui_start "$cols" "$rows" SMTPSCOPE_HELP_DIR="$help" --
	check "$size: greeting" tui_wait "S: 220 "
	tui_type "/lesson"
	check "$size: /lesson lists the lessons" tui_wait "screen-test: A two-step lesson"
	tui_type "/lesson screen-test"
	check "$size: the practice server restarts with the lesson's scenario" tui_wait_in status "practice: unknown-user"
	check "$size: the pane shows step 1" tui_wait_in explain "step 1 of 2"
	check "$size: with what to try" tui_seek_in explain "EHLO localhost" F8 10
	tui_type "EHLO localhost"
	check "$size: step 1 passes, step 2 shows" tui_wait_in explain "step 2 of 2"
	check "$size: {user} is filled in" tui_seek_in explain "MAIL FROM:<practice@practice.test>" F8 10
	tui_type "MAIL FROM:<practice@practice.test>"
	tui_type "RCPT TO:<nobody@practice.test>"
	check "$size: the wrong recipient gets a 550" tui_wait_in session "S: 550"
	check "$size: and the lesson's hint" tui_seek_in explain "That mailbox does not exist here" F8 20
	check "$size: still step 2" tui_seek_in explain "step 2 of 2" F7 20
	tui_type "RCPT TO:<alice@practice.test>"
	check "$size: the lesson is complete" tui_wait_in explain "complete"
	check "$size: with its closing words" tui_seek_in explain "Finished the screen test lesson." F8 20
	tui_type "/lesson no-such-lesson"
	check "$size: an unknown lesson is said so" tui_wait_in explain "No such lesson"
	tui_type "/quit"
	tui_keys n
	check "$size: quit" tui_wait "smtpscope-exited-0"
done
tui_finish
