#!/bin/sh
# The screen replaying a saved session: read-only, stepping reply by reply with the session shown
# only up to the step, each reply explained with the state it arrived in; `smtpscope replay` on a
# swaks capture too.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"

saved="$TEST_TMP/saved.txt"
printf 'EHLO localhost\nMAIL FROM:<learner@example.org>\nRCPT TO:<nobody@practice.test>\nQUIT\n' |
	"$SMTPSCOPE" --scenario unknown-user --transcript "$saved" >"$TEST_TMP/batch.out" 2>&1
check "a session was saved to replay" contains "$saved" "RCPT TO:<nobody@practice.test>"
fix_label=$("$SMTPSCOPE" explain --after RCPT 550 | grep -m1 '^How to')

for size in 80x24 200x50; do
	cols=${size%x*} rows=${size#*x}
	tui_start "$cols" "$rows" -- replay "$saved"
	check "$size: the status bar says replay" tui_wait_in status "replay: $saved"
	check "$size: the prompt says how to step" tui_wait_in prompt "replay (Enter: next reply)>"
	check "$size: the session is not shown past the step" lacks "$TUI_SCREEN" "C: EHLO localhost"
	tui_keys Enter
	check "$size: Enter steps to the greeting" tui_wait_in heading "Explanation: 220"
	check "$size: still nothing after it" lacks "$TUI_SCREEN" "C: EHLO localhost"
	tui_keys F6
	check "$size: F6 steps to the EHLO reply" tui_wait_in heading "Explanation: 250"
	check "$size: the EHLO is shown now" tui_seek "C: EHLO localhost" PPage 5
	check "$size: with the state it arrived in" tui_wait "reply 2/"
	tui_keys M-Down M-Down
	check "$size: Alt-Down twice: the 550 to RCPT" tui_wait_in heading "Explanation: 550"
	check "$size: explained as an answer to RCPT" tui_seek_in explain "$fix_label" F8 30
	tui_keys F5
	check "$size: F5 steps back" tui_wait_in heading "Explanation: 250"
	check "$size: and the 550 is hidden again" tui_until sh -c "! grep -q 'S: 550' '$TUI_SCREEN'"
	tui_type "NOOP"
	check "$size: nothing is ever sent" tui_wait_in explain "nothing is sent"
	tui_type "/explain 421"
	check "$size: local explanations still work" tui_wait_in heading "Explanation: 421"
	tui_type "/quit"
	check "$size: /quit leaves at once" tui_wait "smtpscope-exited-0"
done
# A capture from another tool replays too: swaks output, detected by its markers.
swaks_capture="$TEST_TMP/swaks.txt"
cat >"$swaks_capture" <<'CAPTURE'
=== Trying 192.0.2.25:25...
=== Connected to 192.0.2.25.
<-  220 mx.example.net ESMTP
 -> EHLO client.example.org
<-  250-mx.example.net
<-  250 PIPELINING
 -> MAIL FROM:<a@example.org>
<-  250 2.1.0 Ok
 -> RCPT TO:<nobody@example.net>
<** 550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown
 -> QUIT
<-  221 2.0.0 Bye
CAPTURE
tui_start 100 30 -- replay "$swaks_capture"
check "swaks capture: the status bar says replay" tui_wait_in status "replay: $swaks_capture"
check "swaks capture: the greeting is read from the <- line" tui_seek "S: 220 mx.example.net" F6 3
check "swaks capture: stepping reaches the 550 (<** line)" tui_seek_in heading "Explanation: 550" F6 6
check "swaks capture: explained as an answer to RCPT" tui_wait_in explain "in answer to RCPT"
tui_type "/quit"
check "swaks capture: /quit leaves" tui_wait "smtpscope-exited-0"

"$SMTPSCOPE" replay "$saved" >"$TEST_TMP/notty.out" 2>&1 </dev/null
check "replay without a terminal is a usage error" test $? -eq 2
check "and points to annotate" contains "$TEST_TMP/notty.out" "smtpscope annotate"
"$SMTPSCOPE" replay "$TEST_TMP/does-not-exist" >"$TEST_TMP/missing.out" 2>&1 </dev/null
check "a missing file is an error too" test $? -eq 2

tui_finish
