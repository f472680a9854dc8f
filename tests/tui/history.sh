#!/bin/sh
# The prompt's history survives a restart and never holds a secret: not an AUTH line with its
# initial response, not a password typed at the password prompt (which never echoes), not a
# password given on the /auth line.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"

history="$TEST_TMP/state/smtpscope/history"

# tls_and_login_details: EHLO, STARTTLS, EHLO; sets user and pass from the explanation pane.
tls_and_login_details() {
	check "$1: greeting" tui_wait "S: 220 "
	tui_type "EHLO localhost"
	check "$1: EHLO answered" tui_wait "250-STARTTLS"
	check "$1: the pane gives the practice login" tui_seek_in explain "practice server's user name and password" F8 40
	login=$(grep -F "practice server's user name and password" "$TUI_SCREEN" | sed 's/.*password: *//; s/ *$//' | head -1)
	user=${login%% / *}
	pass=${login#* / }
	tui_type "STARTTLS"
	check "$1: TLS" tui_wait_in status "TLSv1"
	tui_type "EHLO localhost"
	check "$1: EHLO under TLS" tui_wait "250-AUTH"
}

# 1: AUTH PLAIN with the initial response on the line
tui_start 80 24 -- --insecure
tls_and_login_details "initial response"
payload=$(printf '\0%s\0%s' "$user" "$pass" | base64 -w0)
tui_type "AUTH PLAIN $payload"
check "initial response: logged in" tui_wait_in session "S: 235"
tui_type "QUIT"
check "initial response: closed" tui_wait_in prompt "smtp (not connected)>"
tui_type "/quit"
check "initial response: quit" tui_wait "smtpscope-exited-0"
check "the history file exists" test -f "$history"
check "it is private (mode 600)" sh -c "ls -l '$history' | grep -q '^-rw-------'"
check "it has the EHLO" contains "$history" "EHLO localhost"
check "it lacks the AUTH initial response" lacks "$history" "$payload"

# 2: /auth with the password asked for at a prompt that never echoes
tui_start 200 50 -- --insecure
tls_and_login_details "password prompt"
tui_keys Up
check "the history came back after a restart: Up recalls it" tui_wait_in prompt "smtp> EHLO localhost"
tui_keys C-c
tui_keys C-r
tui_tmux send-keys -l "STARTT"
check "Ctrl-R searches the history" tui_wait_in prompt "reverse-i-search"
check "and finds the line" tui_wait_in prompt "STARTTLS"
tui_keys C-g C-c
# Esc at the prompt withdraws the login: nothing goes out, and the session pane says so
tui_type "/auth PLAIN $user"
check "password prompt: it asks" tui_wait_in prompt "assword"
tui_tmux send-keys -l -- "half"
tui_keys Escape
check "Esc at the password prompt: cancelled" tui_wait "cancelled at the password prompt"
check "Esc at the password prompt: nothing was sent" sh -c "! grep -q 'C: AUTH' '$TUI_SCREEN'"
tui_type "/auth PLAIN $user"
check "password prompt: it asks again" tui_wait_in prompt "assword"
tui_tmux send-keys -l -- "$pass"
sleep 0.3
tui_capture
# (the explanation pane gives the practice password on purpose: look at the prompt row)
check "password prompt: the password does not echo" sh -c "tail -n 1 '$TUI_SCREEN' | grep -q assword && ! tail -n 1 '$TUI_SCREEN' | grep -qF '$pass'"
tui_keys Enter
check "password prompt: logged in" tui_wait_in session "S: 235"
check "password prompt: not in any line sent" sh -c "! grep -F 'C: ' '$TUI_SCREEN' | grep -qF '$pass'"
tui_type "/quit"
check "password prompt: asks to save" tui_wait_in prompt "(y)es"
tui_keys n
check "password prompt: quit" tui_wait "smtpscope-exited-0"
check "the history has /auth with the user" contains "$history" "/auth PLAIN $user"
check "but not the password" lacks "$history" "$pass"

# 3: /auth with the password on the line
tui_start 80 24 -- --insecure
tls_and_login_details "password on the line"
tui_type "/auth PLAIN $user $pass"
check "password on the line: logged in" tui_wait_in session "S: 235"
tui_type "/quit"
tui_keys n
check "password on the line: quit" tui_wait "smtpscope-exited-0"
check "the history still lacks the password" lacks "$history" "$pass"
check "and every AUTH payload" lacks "$history" "$payload"
tui_finish
