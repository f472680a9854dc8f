#!/bin/sh
# Tab completion that knows SMTP: verbs and their templates, local commands, the parameters and
# AUTH mechanisms the server offered, scenario names, file names after /data; and local output
# (/explain, /compare, /help TOPIC) in the explanation pane.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"

prompt_row() { tail -n 1 "$TUI_SCREEN"; }
prompt_is() { [ "$(prompt_row | sed 's/ *$//')" = "$1" ]; }

printf 'Subject: from a file\r\n\r\nHello.\r\n' >"$TEST_TMP/message-for-test.eml"

# ~/.inputrc is read, and `$if smtpscope` picks this application
cat >"$TUI_HOME/.inputrc" <<'INPUTRC'
$if smtpscope
"\C-t": "NOOP from inputrc"
$endif
$if some-other-program
"\C-t": "wrong application"
$endif
INPUTRC

tui_start 80 24 --
check "greeting" tui_wait "S: 220 "
tui_keys C-t
check "~/.inputrc with \$if smtpscope is honoured" tui_until prompt_is "smtp> NOOP from inputrc"
tui_keys C-c

tui_tmux send-keys -l "ma"
tui_keys Tab
check "a verb completes to its template" tui_until prompt_is "smtp> MAIL FROM:<"
tui_keys C-c
tui_tmux send-keys -l "/sce"
tui_keys Tab
check "a local command completes" tui_until prompt_is "smtp> /scenario"
tui_tmux send-keys -l "unknown-u"
tui_keys Tab
check "a scenario name completes" tui_until prompt_is "smtp> /scenario unknown-user"
tui_keys C-c

tui_type "EHLO localhost"
check "EHLO answered" tui_wait "S: 250 "
tui_tmux send-keys -l "MAIL FROM:<me@example.org> SI"
tui_keys Tab
check "MAIL parameters the server advertised: SIZE=" tui_until prompt_is "smtp> MAIL FROM:<me@example.org> SIZE="
tui_keys C-c
tui_tmux send-keys -l "MAIL FROM:<me@example.org> BO"
tui_keys Tab
check "BODY=8BITMIME, since 8BITMIME was offered" tui_until prompt_is "smtp> MAIL FROM:<me@example.org> BODY=8BITMIME"
tui_keys C-c
tui_tmux send-keys -l "AUTH CR"
tui_keys Tab
check "an AUTH mechanism the server offered" tui_until prompt_is "smtp> AUTH CRAM-MD5"
tui_keys C-c
tui_tmux send-keys -l "AUTH "
tui_keys Tab Tab
check "Tab twice lists the mechanisms in the pane" tui_wait_in explain "Completions"
check "PLAIN among them" tui_wait_in explain "- PLAIN"
tui_keys C-c
tui_tmux send-keys -l "/data message-f"
tui_keys Tab
check "a file name after /data" tui_until prompt_is "smtp> /data message-for-test.eml"
tui_keys C-c

tui_type "/explain 5.7.1"
check "/explain shows in the pane" tui_wait_in heading "Explanation: 5.7.1"
tui_type "/compare 450 550"
check "/compare shows in the pane" tui_wait_in heading "Compare 450 / 550"
tui_type "/help RCPT"
check "/help TOPIC shows in the pane" tui_wait_in heading "Explanation: RCPT"
tui_type "/explain nonsense-word-xyz"
check "a word smtpscope does not know is said so, not sent" tui_wait_in explain "nonsense-word-xyz"
check "nothing was sent to the server" lacks "$TUI_SCREEN" "C: /explain"
tui_type "/quit"
tui_keys n
check "quit" tui_wait "smtpscope-exited-0"
tui_finish
