#!/bin/sh
# A 100,000-line session (a loopback server answers HELP with 100 replies of 1000 lines) scrolls
# from end to start and back, the prompt stays responsive, output arriving while scrolled back
# does not move the view, and a single 100,000-line reply is kept within bounds and says so.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"

wire_start flood
for size in 80x24 200x50; do
	cols=${size%x*} rows=${size#*x}
	tui_start "$cols" "$rows" -- "127.0.0.1:$WIRE_PORT"
	check "$size: greeting" tui_wait "S: 220 flood.test"
	tui_type "EHLO localhost"
	check "$size: EHLO answered" tui_wait "S: 250 8BITMIME"
	tui_type "HELP"
	check "$size: all 100,000 lines arrive; the view follows the end" \
		tui_wait "block-100 line 1000 (last)" 60
	start=$(date +%s)
	tui_keys C-Home
	check "$size: Ctrl-Home goes to the start" tui_wait "connected to 127.0.0.1:$WIRE_PORT"
	check "$size: scrolled back, the title says there is more below" tui_wait "more below"
	tui_keys PPage
	tui_keys NPage NPage
	check "$size: PgDn goes on into the first block" tui_wait "block-001 line"
	tui_keys C-End
	check "$size: Ctrl-End comes back to the end" tui_wait "block-100 line 1000 (last)"
	check "$size: and the indicator goes" tui_wait_gone "more below"
	tui_keys PPage
	check "$size: PgUp scrolls back from the end" tui_wait_gone "block-100 line 1000 (last)"
	check "$size: more below again" tui_wait "more below"
	tui_type "/help"
	check "$size: the prompt answers while scrolled back in a long session" tui_wait_in explain "PgUp/PgDn"
	end=$(date +%s)
	check "$size: all that took seconds, not minutes ($((end - start)) s)" test $((end - start)) -lt 20

	# a reply that arrives (slowly) while scrolled back does not move the view
	tui_keys C-End
	tui_wait "block-100 line 1000 (last)" >/dev/null
	tui_type "NOOP"
	tui_keys PPage PPage
	check "$size: scrolled back while NOOP waits" tui_wait_gone "block-100 line 1000 (last)"
	tui_settle
	before=$(grep -F "block-100 line" "$TUI_SCREEN" | head -1 | sed "s/│.*//")
	check "$size: the late reply counts as more below" tui_wait "more below: End (" 10
	tui_capture
	after=$(grep -F "block-100 line" "$TUI_SCREEN" | head -1 | sed "s/│.*//")
	check "$size: and the view stayed where it was ($before / $after)" test "$before" = "$after"
	tui_keys End
	check "$size: End shows the late reply" tui_wait "S: 250 2.0.0 late ok"

	tui_type "EXPN everything"
	check "$size: a 100,000-line reply arrives" tui_wait "lines not kept" 60
	tui_type "QUIT"
	check "$size: QUIT closes the session" tui_wait_in prompt "smtp (not connected)>"
	tui_type "/quit"
	check "$size: quit" tui_wait "smtpscope-exited-0"
done
tui_finish
