#!/bin/sh
# First run of the screen against the built-in practice server, at 80x24 and 200x50: the
# greeting shows with its explanation, EHLO shows each keyword explained, F1 shows the help,
# and without colours each reply still shows its class.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"

# What the knowledge base says, from the command line, so the test follows the help files.
greeting_title=$("$SMTPSCOPE" explain 220 | head -1)
pipelining=$("$SMTPSCOPE" explain PIPELINING | head -1 | sed 's/^PIPELINING //' | cut -d' ' -f1-3)

for size in 80x24 200x50; do
	cols=${size%x*} rows=${size#*x}
	tui_start "$cols" "$rows" --
	check "$size: the greeting arrives in the session pane" tui_wait_in session "S: 220 "
	check "$size: the explanation pane is headed by the greeting's code" tui_wait_in heading "Explanation: 220"
	check "$size: and explains it below its heading" tui_wait_in explain "$greeting_title"
	check "$size: the status bar names the practice server" tui_wait_in status "practice: normal"
	check "$size: the status bar shows the state" tui_wait_in status "greeting"
	check "$size: the prompt is on its row" tui_wait_in prompt "smtp>"
	check "$size: What next is offered in the explanation pane" tui_seek_in explain "What next" F8 20

	tui_type "EHLO localhost"
	check "$size: the EHLO reply arrives" tui_wait_in session "S: 250 "
	check "$size: the status bar follows the state" tui_wait_in status "after EHLO"
	check "$size: PIPELINING is explained" tui_seek_in explain "PIPELINING: $pipelining" F8 40
	tui_keys M-Up
	check "$size: Alt-Up selects the greeting again" tui_wait_in heading "Explanation: 220"
	tui_keys M-Down
	check "$size: Alt-Down back to the newest" tui_wait_in heading "Explanation: 250"
	tui_keys F5
	check "$size: F5 selects an older reply too" tui_wait_in heading "Explanation: 220"
	tui_keys F6
	check "$size: F6 a newer one" tui_wait_in heading "Explanation: 250"

	tui_keys F1
	check "$size: F1 heads the explanation pane with the help" tui_wait_in heading "Help"
	check "$size: F1 shows the keys" tui_wait_in explain "PgUp/PgDn"
	check "$size: and the local commands" tui_seek_in explain "/compare" F8 10
	tui_keys F1
	check "$size: F1 again puts the explanation back" tui_wait_in heading "Explanation: 250"
	tui_type "/quit"
	check "$size: /quit asks to save while the session is open" tui_wait_in prompt "(y)es"
	tui_keys n
	check "$size: n quits" tui_wait "smtpscope-exited-0"
done

# Monochrome: NO_COLOR set, the class shows in the margin.
tui_start 80 24 NO_COLOR=1 --
check "NO_COLOR: the greeting shows its class in the margin" tui_wait_in session "S2 220 "
tui_type "RCPT TO:<nobody@example.org>"
check "NO_COLOR: the engine warns before a doomed RCPT" tui_wait_in explain "Enter again"
	check "NO_COLOR: and the prompt asks" tui_wait_in prompt "send anyway?"
tui_keys C-y
check "NO_COLOR: Ctrl-Y sends it anyway; a 5xx shows S5" tui_wait_in session "S5 5"
tui_keys F10
check "F10 asks to save" tui_wait_in prompt "(y)es"
tui_keys c
check "c cancels quitting" tui_wait_gone "(y)es"
tui_keys C-d
check "Ctrl-D on an empty line asks too" tui_wait_in prompt "(y)es"
tui_keys n
check "and quits" tui_wait "smtpscope-exited-0"

# --no-color does the same
tui_start 80 24 -- --no-color
check "--no-color: the class shows in the margin" tui_wait_in session "S2 220 "
tui_type "/quit"
tui_keys n
check "--no-color: quit" tui_wait "smtpscope-exited-0"

# In Indonesian (the locale need not be installed: UTF-8 is kept and the texts come from help/id).
tui_start 80 24 LC_ALL=id_ID.UTF-8 LANG=id_ID.UTF-8 --
check "id: the greeting arrives" tui_wait_in session "S: 220 "
check "id: the session pane's title is translated" tui_wait_in row:2 " Sesi"
check "id: so is the status bar" tui_wait_in status "F1 bantuan"
check "id: and the explanation pane" tui_wait_in heading "Penjelasan: 220"
tui_type "/quit"
tui_keys n
check "id: quit" tui_wait "smtpscope-exited-0"

tui_finish
