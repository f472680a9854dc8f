#!/bin/sh
# tests/integration/hostile/hostile_trickle.sh: batch mode against servers that keep a reply going
# forever: one byte per second (a tarpit), continuation lines without end, one line without end.
# --timeout must still end the wait (a reply that has not finished after the timeout has failed,
# however many bytes trickle in), with a clear message, the transcript so far saved, and memory
# that stays small while the bytes pour in.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/hostile/hostile_lib.sh"

TIMEOUT=3
script plain 'EHLO client.test' 'NOOP' 'QUIT'

for mode in tarpit endless-reply endless-line; do
	start_hostile "$mode" || { check "$mode: server starts" false; continue; }
	run_client "$mode" 12 plain --timeout "$TIMEOUT"
	stop_hostile
	common_checks "$mode" $((TIMEOUT * 3)) 2
	check "$mode: memory stays under 100 MB" rss_below 100
	check "$mode: says it gave up waiting" says 'no (reply|greeting)|timed? ?out|too long|gave up|giving up'
done
# At one byte a second only the first few bytes ("220") are in before --timeout 3 fires: those
# are what must be kept, and the message must say that bytes kept trickling in.
TR=$TEST_TMP/tarpit.transcript
OUT=$TEST_TMP/tarpit.out
check "tarpit: transcript keeps what trickled in" transcript_has 'S: 22'
check "tarpit: says the bytes kept trickling in" says 'trickl'
finish
