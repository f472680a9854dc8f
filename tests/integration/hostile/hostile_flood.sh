#!/bin/sh
# tests/integration/hostile/hostile_flood.sh: batch mode against a server that, after its greeting, pours
# out one-line replies without end. The script must still advance (EHLO, NOOP, QUIT), finish in
# time, and smtpscope's memory must stay bounded; the flood is shown as replies nobody asked for.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/hostile/hostile_lib.sh"

script plain 'EHLO client.test' 'NOOP' 'QUIT'
RSS_KILL_KB=400000
start_hostile reply-flood && run_client reply-flood 15 plain --timeout 3
stop_hostile
# Only the start of what it printed is checked: the flood can fill a lot of it.
head -c 2000000 "$OUT" >"$OUT.head" && tail -c 2000000 "$OUT" >"$OUT.tail"
OUT_FULL=$OUT
OUT=$OUT.head
check "reply-flood: exits cleanly" exited_cleanly
check "reply-flood: within 10 s" within 10
check "reply-flood: memory stays under 200 MB" rss_below 200
check "reply-flood: no raw control bytes on stdout (start)" no_raw_controls "$OUT"
check "reply-flood: no raw control bytes on stdout (end)" no_raw_controls "$OUT_FULL.tail"
check "reply-flood: the flood is pointed out" says 'no command asked for'
check "reply-flood: the script reached QUIT" contains "$OUT_FULL.tail" 'C: QUIT'
check "reply-flood: transcript saved" transcript_has 'S: 220 flood ready'
finish
