#!/bin/sh
# A permanent failure from a practice scenario: the 550 5.1.1 to RCPT is explained with the How to
# Fix the knowledge base gives for that reply to RCPT; /scenario switches the practice server.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"

# The first advice the knowledge base gives for 550 5.1.1 after RCPT, from the command line.
fix=$("$SMTPSCOPE" explain --after RCPT -w 300 550 5.1.1 | sed -n '/^How to Fix/{n;p;q}' |
	sed 's/^ *- *//' | cut -d' ' -f1-4)
fix_label=$("$SMTPSCOPE" explain --after RCPT 550 | grep -m1 '^How to')
check "the knowledge base has advice for 550 5.1.1 after RCPT" test -n "$fix"

for size in 80x24 200x50; do
	cols=${size%x*} rows=${size#*x}
	tui_start "$cols" "$rows" -- --scenario unknown-user
	check "$size: greeting" tui_wait_in session "S: 220 "
	check "$size: the status bar names the scenario" tui_wait_in status "practice: unknown-user"
	tui_type "EHLO localhost"
	check "$size: EHLO answered" tui_wait_in status "after EHLO"
	tui_type "MAIL FROM:<learner@example.org>"
	check "$size: MAIL answered" tui_wait_in session "C: MAIL FROM:<learner@example.org>"
	tui_type "RCPT TO:<nobody@practice.test>"
	check "$size: the 550 arrives" tui_wait_in session "S: 550 5.1.1"
	check "$size: the explanation follows the 550" tui_wait_in heading "Explanation: 550"
	# with colours: 5xx in red, 2xx in green (tmux shows them as SGR 31 and 32)
	tui_tmux capture-pane -p -e >"$TEST_TMP/colours.txt"
	check "$size: the 5xx reply is red" sh -c "grep -F 'S: ' '$TEST_TMP/colours.txt' | grep -F '550 5.1.1' | grep -q '\[31m'"
	check "$size: a 2xx reply is green" sh -c "grep -F '250 2.1.0' '$TEST_TMP/colours.txt' | grep -q '\[32m'"
	check "$size: it has a How to Fix" tui_seek_in explain "$fix_label" F8 30
	check "$size: with the advice for an unknown user" tui_seek_in explain "$fix" F8 30

	tui_type "/scenario relay-denied"
	check "$size: /scenario restarts the practice server" tui_wait_in status "practice: relay-denied"
	check "$size: and connects to it again" tui_wait_in session "(scenario relay-"
	tui_keys F10
	check "$size: F10 offers to save" tui_wait_in prompt "(y)es"
	tui_keys n
	check "$size: n quits" tui_wait "smtpscope-exited-0"
done
tui_finish
