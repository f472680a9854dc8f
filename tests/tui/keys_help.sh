#!/bin/sh
# F1's list of keys is drawn from the panels' key tables: every key a table gives a help line
# (the rows `{ KEY, CODE, "NAME", HANDLER, &help_... }` in src/tui/*.c) is named in the list,
# each help line once, in the table's order, and F1 again puts the explanation back.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"

grep -ho '"[^"]*", [A-Za-z_]*, &help_[a-z_]*' "$top_srcdir"/src/tui/*.c |
	sed 's/^"\([^"]*\)".*/\1/' | sort -u >"$TEST_TMP/names"
check "the key tables list keys with help lines" test "$(wc -l <"$TEST_TMP/names")" -ge 20

capture="$TEST_TMP/capture.txt"
cat >"$capture" <<'CAPTURE'
=== Trying 192.0.2.25:25...
=== Connected to 192.0.2.25.
<-  220 mx.example.net ESMTP
 -> EHLO client.example.org
<-  250 mx.example.net
CAPTURE
tui_start 200 60 -- replay "$capture"
check "the replay is up" tui_wait_in status "replay: $capture"
tui_keys F1
check "F1 shows the help page" tui_wait_in explain "Keys:"
tui_keys F9
check "F9 shows it full size" tui_until sh -c "! grep -q 'S: 220' '$TUI_SCREEN'"
tui_settle
# the keys section: from "Keys:" to the first empty line
sed -n '/^ *Keys:/,/^ *$/p' "$TUI_SCREEN" >"$TEST_TMP/keys"
check "the help page starts with the keys" test "$(sed -n '/Keys:/=' "$TUI_SCREEN")" -le 3
while read -r name; do
	check "F1 names $name" contains "$TEST_TMP/keys" "$name"
done <"$TEST_TMP/names"
check "one line per help entry (and the note on colours)" test "$(grep -c '^ *- ' "$TEST_TMP/keys")" -eq 9
check "the lines in the tables' order" sh -c "grep -n 'Enter: send\|PgUp/PgDn\|F7/F8\|F2: side' '$TEST_TMP/keys' | cut -d: -f2- | tr -d '\n' | grep -q 'Enter: send.*PgUp/PgDn.*F7/F8.*F2: side'"
tui_keys F9 F1
check "F1 again: the explanation is back" tui_wait_in heading "Explanation: "
check "and the help page is gone" tui_until sh -c "! grep -q 'Keys:' '$TUI_SCREEN'"
tui_type "/quit"
check "/quit leaves" tui_wait "smtpscope-exited-0"
tui_finish
