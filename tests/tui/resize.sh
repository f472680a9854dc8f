#!/bin/sh
# Resizing re-lays the panes and keeps everything: wide terminals get the panes side by side,
# narrow ones stacked, a tiny one says so and comes back intact; F2 toggles the layout.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"

same_row() {   # same_row A B: one row of the screen holds both texts
	grep -F -- "$1" "$TUI_SCREEN" | grep -qF -- "$2"
}
stacked() { grep -qF " Session" "$TUI_SCREEN" && ! same_row " Session" "Explanation"; }

tui_start 80 24 --
check "80x24: greeting" tui_wait "S: 220 "
tui_type "EHLO localhost"
check "80x24: EHLO answered" tui_wait "S: 250 "
check "80x24: panes stacked" tui_until stacked

# the mouse wheel, as an xterm-style terminal reports it: ESC [ M, 32+button, 32+column, 32+row
wheel() {   # wheel up|down COLUMN ROW
	b=96; [ "$1" = down ] && b=97
	tui_tmux send-keys -l "$(printf "\033[M\\$(printf %o "$b")\\$(printf %o $((32 + $2)))\\$(printf %o $((32 + $3)))")"
}
wheel up 10 5
check "the mouse wheel scrolls the session pane back" tui_wait "more below"
wheel down 10 5
check "and forward again" tui_wait_gone "more below"
tui_capture
first_shown=$(grep -o ' 1-[0-9]*/[0-9]*' "$TUI_SCREEN" | head -1)
wheel down 10 17
check "over the explanation pane it scrolls that pane" tui_wait_gone "$first_shown"

explain_row() { grep -n "Explanation" "$TUI_SCREEN" | head -1 | cut -d: -f1; }
explain_lower() { [ "$(explain_row)" -gt "$row" ]; }
explain_higher() { [ "$(explain_row)" -lt "$row" ]; }
tui_capture
row=$(explain_row)
tui_keys F4
check "F4: a larger session pane" tui_until explain_lower
tui_keys F3 F3
check "F3: a smaller one" tui_until explain_higher
tui_keys F4

tui_tmux resize-window -x 200 -y 50
TUI_COLS=200 TUI_ROWS=50
check "200x50: re-laid side by side" tui_wait "Explanation: 250"
check "200x50: the panes share a row" tui_until same_row "Session" "Explanation: 250"
check "200x50: the greeting is still there" tui_wait "S: 220 "
check "200x50: the EHLO is still there" tui_wait "C: EHLO localhost"
check "200x50: the status bar spans the width" sh -c "sed -n 1p '$TUI_SCREEN' | grep -qF 'F1'"

tui_keys F2
check "F2: stacked on a wide terminal" tui_until stacked
check "F2: everything still there" tui_wait "C: EHLO localhost"
tui_keys F2
check "F2 again: side by side" tui_until same_row "Session" "Explanation: 250"

tui_tmux resize-window -x 20 -y 6
TUI_COLS=20 TUI_ROWS=6
check "20x6: too small, and says so" tui_wait "too small"

tui_tmux resize-window -x 80 -y 24
TUI_COLS=80 TUI_ROWS=24
check "back to 80x24: the session is back" tui_wait "S: 250 "
check "back to 80x24: scrolling back finds the EHLO" tui_seek "C: EHLO localhost" PPage 5
tui_keys C-End
check "back to 80x24: the explanation is back" tui_wait_in heading "Explanation: 250"
check "back to 80x24: the prompt is back" tui_wait_in prompt "smtp>"
tui_type "NOOP"
check "back to 80x24: the session goes on" tui_wait "C: NOOP"
tui_keys C-l
check "Ctrl-L redraws the same screen" tui_wait "C: NOOP"
tui_type "QUIT"
check "QUIT closes the session" tui_wait_in prompt "smtp (not connected)>"
tui_keys C-d
check "Ctrl-D leaves without asking once closed" tui_wait "smtpscope-exited-0"
tui_finish
