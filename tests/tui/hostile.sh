#!/bin/sh
# A server that sends escape sequences, NUL, C1 controls, bidirectional overrides and invalid
# UTF-8 cannot touch the terminal: the screen shows each byte escaped and stays intact.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"

wire_start hostile
for size in 80x24 200x50; do
	cols=${size%x*} rows=${size#*x}
	tui_start "$cols" "$rows" -- "127.0.0.1:$WIRE_PORT"
	check "$size: the hostile greeting arrives" tui_wait_in session "hostile.test"
	check "$size: the last line arrives too" tui_wait_in session "ready"
	check "$size: ESC is shown as \\x1b" tui_wait '\x1b[2J\x1b[H\x1b]0;owned^G'
	check "$size: NUL is shown as \\x00" tui_wait 'nul:\x00:end'
	check "$size: invalid UTF-8 is shown byte by byte" tui_wait '\xff\xfe\xc3(:end'
	check "$size: a C1 control (CSI) is shown as its code point" tui_wait '\u009b31m'
	check "$size: a bare CR is shown as ^M, nothing overwritten" tui_wait 'cr:^MOVERWRITE'
	check "$size: DEL is shown as ^?" tui_wait 'del:^?'
	check "$size: a bidirectional override is shown, not obeyed" tui_wait '\u202eevil'
	check "$size: colour codes are shown, not obeyed" tui_wait '\x1b[31mRED\x1b[0m'
	check "$size: a line of 3000 escape bytes wraps and ends where it should" tui_wait '\x1b:end-of-long'
	tui_keys C-Home
	check "$size: its start is there when scrolled back" tui_wait 'S: 220-long:\x1b\x1b'
	tui_keys C-End
	check "$size: and back at the end" tui_wait_in session "hostile.test"
	check "$size: the status bar is still on the first row" tui_field_has status "127.0.0.1:$WIRE_PORT"
	check "$size: the prompt is still on the last row" tui_field_has prompt "smtp>"
	title=$(tui_tmux display-message -p '#{pane_title}')
	check "$size: the window title was not changed ($title)" test "$title" != "owned"
	tui_type "EHLO localhost"
	check "$size: the session goes on" tui_wait_in session "S: 250 8BITMIME"
	tui_type "QUIT"
	check "$size: QUIT closes it" tui_wait_in prompt "smtp (not connected)>"
	tui_type "/quit"
	check "$size: and /quit leaves without asking" tui_wait "smtpscope-exited-0"
done
tui_finish
