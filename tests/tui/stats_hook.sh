#!/bin/sh
# The screen's hidden benchmark hook: with SMTPSCOPE_SCREEN_STATS=FILE each turn of the main loop
# that did anything appends "WHAT MICROSECONDS ENTRIES" to FILE (what tests/bench/bench.py reads
# for its in-process page-scroll and per-line figures); without it no file is written.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"

stats="$TEST_TMP/screen.stats"

# fields_ok FILE: every line is a name, a whole number of microseconds, a whole entry count, and
# the entry count never goes down.
fields_ok() {
	awk 'NF != 3 || $2 !~ /^[0-9]+$/ || $3 !~ /^[0-9]+$/ { print "  bad line " NR ": " $0; bad = 1 }
	     $3 + 0 < last { print "  entries went down at line " NR ": " $0; bad = 1 }
	     { last = $3 + 0 }
	     END { exit bad }' "$1"
}
# has_key FILE NAME: a line for that key, with a time.
has_key() {
	if awk -v k="$2" '$1 == k && $2 ~ /^[0-9]+$/ { found = 1 } END { exit !found }' "$1"; then
		return 0
	fi
	printf '  no %s line in %s:\n' "$2" "$1"; sed 's/^/  | /' "$1" | head -40
	return 1
}
# grew FILE: the last entry count is above the first (the session's lines were counted).
grew() { awk 'NR == 1 { first = $3 } { last = $3 } END { exit !(last > first) }' "$1"; }

tui_start 80 24 SMTPSCOPE_SCREEN_STATS="$stats" --
check "the greeting arrives" tui_wait "S: 220 "
tui_type "EHLO localhost"
check "the EHLO reply arrives" tui_wait "S: 250 "
tui_type "HELP"
tui_type "NOOP"
tui_settle
tui_keys PPage
tui_settle
tui_keys NPage
tui_settle
tui_type "/quit"
check "/quit asks to save while the session is open" tui_wait_in prompt "(y)es"
tui_keys n
check "n quits" tui_wait "smtpscope-exited-0"
check "the stats file was written" test -s "$stats"
if [ -s "$stats" ]; then
	check "PgUp has its line" has_key "$stats" KEY_PPAGE
	check "PgDn has its line" has_key "$stats" KEY_NPAGE
	check "replies from the server have lines of their own" has_key "$stats" net
	check "every line is WHAT MICROSECONDS ENTRIES, entries never going down" fields_ok "$stats"
	check "the entry count follows the session" grew "$stats"
	check "nothing of the hook on the screen" lacks "$TUI_SCREEN" "KEY_PPAGE"
fi

# Without the variable nothing is written anywhere: the test folder stays as it was.
rm -f "$stats"
before=$(ls -A "$TEST_TMP")
tui_start 80 24 --
check "without the hook: the greeting arrives" tui_wait "S: 220 "
tui_keys PPage NPage
tui_settle
tui_type "/quit"
check "without the hook: /quit asks" tui_wait_in prompt "(y)es"
tui_keys n
check "without the hook: n quits" tui_wait "smtpscope-exited-0"
check "without the hook no stats file appears" test ! -e "$stats"
after=$(ls -A "$TEST_TMP")
check "and no other file either ($after)" test "$before" = "$after"
tui_finish
