#!/bin/sh
# tests/integration/hostile/hostile_big.sh: batch mode against a server that sends a 100 MB line and a
# reply of a million lines: smtpscope keeps what it can show, says it cut the rest, records the
# real sizes in the transcript, and its memory stays small.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/hostile/hostile_lib.sh"

script plain 'EHLO client.test' 'NOOP' 'QUIT'

start_hostile long-line && run_client long-line 90 plain --timeout 10
stop_hostile
common_checks long-line 60 0 1
check "long-line: peak memory under 100 MB" rss_below 100
check "long-line: truncation said" says 'truncated'
check "long-line: over-long line said" says 'over 512 octets'
check "long-line: transcript keeps the line's real size" transcript_has 'full=104857621'
check "long-line: output stays small" test "$(wc -c <"$OUT")" -lt 200000
check "long-line: the session goes on after the line" contains "$OUT" 'S: 221 2.0.0 bye'

start_hostile million-lines && run_client million-lines 90 plain --timeout 10
stop_hostile
common_checks million-lines 60 0 1
check "million-lines: peak memory under 100 MB" rss_below 100
check "million-lines: truncation said" says 'truncated'
check "million-lines: transcript keeps the real line count" transcript_has 'lines=1000001'
check "million-lines: the final line is kept" contains "$OUT" 'S: 220 end-of-million-lines'
check "million-lines: output stays bounded" test "$(grep -c '^S: ' "$OUT")" -lt 5000
check "million-lines: the session goes on" contains "$OUT" 'S: 221 2.0.0 bye'

finish
