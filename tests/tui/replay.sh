#!/bin/sh
# The screen replaying a saved session: read-only, stepping reply by reply with the session shown
# only up to the step, each reply explained with the state it arrived in.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"

saved="$TEST_TMP/saved.txt"
printf 'EHLO localhost\nMAIL FROM:<learner@example.org>\nRCPT TO:<nobody@practice.test>\nQUIT\n' |
	"$SMTPSCOPE" --scenario unknown-user --transcript "$saved" >"$TEST_TMP/batch.out" 2>&1
check "a session was saved to replay" contains "$saved" "RCPT TO:<nobody@practice.test>"
fix_label=$("$SMTPSCOPE" explain --after RCPT 550 | grep -m1 '^How to')

TUI_PROGRAM="$top_builddir/tests/tui/replay_driver"
for size in 80x24 200x50; do
	cols=${size%x*} rows=${size#*x}
	tui_start "$cols" "$rows" -- "$saved"
	check "$size: the status bar says replay" tui_wait "replay: $saved"
	check "$size: the prompt says how to step" tui_wait "replay (Enter: next reply)>"
	check "$size: the session is not shown past the step" lacks "$TUI_SCREEN" "C: EHLO localhost"
	tui_keys Enter
	check "$size: Enter steps to the greeting" tui_wait "Explanation: 220"
	check "$size: still nothing after it" lacks "$TUI_SCREEN" "C: EHLO localhost"
	tui_keys F6
	check "$size: F6 steps to the EHLO reply" tui_wait "Explanation: 250"
	check "$size: the EHLO is shown now" tui_seek "C: EHLO localhost" PPage 5
	check "$size: with the state it arrived in" tui_wait "reply 2/"
	tui_keys M-Down M-Down
	check "$size: Alt-Down twice: the 550 to RCPT" tui_wait "Explanation: 550"
	check "$size: explained as an answer to RCPT" tui_seek "$fix_label" F8 30
	tui_keys F5
	check "$size: F5 steps back" tui_wait "Explanation: 250"
	check "$size: and the 550 is hidden again" tui_until sh -c "! grep -q 'S: 550' '$TUI_SCREEN'"
	tui_type "NOOP"
	check "$size: nothing is ever sent" tui_wait "nothing is sent"
	tui_type "/explain 421"
	check "$size: local explanations still work" tui_wait "Explanation: 421"
	tui_type "/quit"
	check "$size: /quit leaves at once" tui_wait "smtpscope-exited-0"
done
tui_finish
