#!/bin/sh
# A whole session typed by hand against the practice server: EHLO, STARTTLS, EHLO again, AUTH
# PLAIN answered after the 334, a message through DATA, QUIT, and the transcript saved on the way
# out. The AUTH answer never shows, in the pane, the saved transcript or the history.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"

for size in 80x24 200x50; do
	cols=${size%x*} rows=${size#*x}
	rm -f "$TEST_TMP/state/smtpscope/history"
	# the practice server's certificate is its own: --insecure goes on (and keeps saying so)
	tui_start "$cols" "$rows" -- --insecure
	check "$size: greeting" tui_wait_in session "S: 220 "
	tui_type "EHLO localhost"
	check "$size: STARTTLS offered" tui_wait_in session "250-STARTTLS"

	# the practice credentials, as the explanation pane gives them to a learner
	check "$size: the pane gives the practice login" tui_seek_in explain "practice server's user name and password" F8 40
	login=$(grep -F "practice server's user name and password" "$TUI_SCREEN" | sed 's/.*password: *//; s/ *│.*//' | head -1)
	user=${login%% / *}
	pass=${login#* / }
	pass=$(printf '%s' "$pass" | sed 's/ *$//')
	check "$size: a user name and a password ($user / $pass)" test -n "$user" -a -n "$pass" -a "$user" != "$login"

	tui_type "STARTTLS"
	check "$size: TLS comes up and the status bar says so" tui_wait_in status "TLSv1"
	check "$size: unverified, and it says so" tui_wait_in status "NOT VERIFIED"
	tui_type "EHLO localhost"
	check "$size: EHLO again under TLS offers AUTH" tui_wait_in session "250-AUTH"

	payload=$(printf '\0%s\0%s' "$user" "$pass" | base64 -w0)
	tui_type "AUTH PLAIN"
	check "$size: 334 asks for the credentials" tui_wait_in session "S: 334"
	tui_type "$payload"
	check "$size: 235: logged in" tui_wait_in session "S: 235"
	check "$size: the status bar names the user" tui_wait_in status "user $user"
	check "$size: the AUTH answer is masked in the pane" lacks "$TUI_SCREEN" "$payload"

	tui_type "MAIL FROM:<$user@practice.test>"
	check "$size: MAIL accepted" tui_wait_in session "S: 250 2.1.0"
	tui_type "RCPT TO:<alice@practice.test>"
	check "$size: RCPT accepted" tui_wait_in session "S: 250 2.1.5"
	tui_type "DATA"
	check "$size: 354" tui_wait_in session "S: 354"
	check "$size: the prompt says DATA" tui_wait_in prompt "DATA (end with .)>"
	check "$size: the pane says how to end the message" tui_seek_in explain "\".\"" F8 30
	tui_type "Subject: first message"
	tui_type ""
	tui_type "Hello from the screen test."
	tui_type ".."
	tui_type "."
	check "$size: the message is accepted" tui_until sh -c "grep -A3 -F 'C: .' '$TUI_SCREEN' | grep -q 'S: 250'"
	check "$size: the prompt is back to commands" tui_wait_in prompt "smtp>"

	tui_type "/quit"
	check "$size: quitting an open session offers to save" tui_wait_in prompt "(y)es"
	tui_keys y
	check "$size: it asks where" tui_wait_in prompt "smtpscope-"
	tui_keys C-u
	tui_tmux send-keys -l -- "$TEST_TMP/saved-$size.txt"
	tui_keys Enter
	check "$size: and quits" tui_wait "smtpscope-exited-0"
	check "$size: the transcript was saved" test -s "$TEST_TMP/saved-$size.txt"
	check "$size: it holds the session" contains "$TEST_TMP/saved-$size.txt" "RCPT TO:<alice@practice.test>"
	check "$size: QUIT was sent on the way out" contains "$TEST_TMP/saved-$size.txt" "QUIT"
	check "$size: without the AUTH answer" lacks "$TEST_TMP/saved-$size.txt" "$payload"
	check "$size: the history has the commands" contains "$TEST_TMP/state/smtpscope/history" "MAIL FROM:<$user@practice.test>"
	check "$size: but not the AUTH answer" lacks "$TEST_TMP/state/smtpscope/history" "$payload"
	check "$size: nor the message text" lacks "$TEST_TMP/state/smtpscope/history" "Hello from the screen test."
done
tui_finish
