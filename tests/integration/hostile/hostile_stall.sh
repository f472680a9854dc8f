#!/bin/sh
# tests/integration/hostile/hostile_stall.sh: batch mode against servers that stall the client in ways a
# per-reply timeout alone does not see: a server that stops reading while a message streams in
# (the client's writes block), and one that answers every AUTH step with another 334, forever.
# smtpscope must give up within its --timeout (or after a few AUTH rounds) with a clear message,
# keep its memory small and save the transcript.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/hostile/hostile_lib.sh"

"$SYSTEM_PYTHON" -c 'import sys; sys.stdout.write(("x" * 76 + "\n") * 68000)' >"$TEST_TMP/big.msg"
script bigdata 'EHLO client.test' 'MAIL FROM:<a@example.org>' 'RCPT TO:<b@example.org>' \
    "/data $TEST_TMP/big.msg" 'QUIT'
start_hostile stall-data && run_client stall-data 12 bigdata --timeout 3
stop_hostile
common_checks stall-data 10 2
check "stall-data: says it gave up" says 'no (reply|greeting)|timed? ?out|giving up|stalled|not reading'

script loop 'EHLO client.test' '/auth PLAIN someone Pa55-hostile-w0rd' 'QUIT'
start_hostile auth-loop && run_client auth-loop 20 loop --timeout 3
stop_hostile
common_checks auth-loop 10 1 2
sends=$(grep -c '^C: ' "$OUT")
check "auth-loop: credentials are not sent over and over ($sends lines sent)" \
    test "$sends" -le 20
check "auth-loop: memory stays small" rss_below 60
check "auth-loop: says it gave up on the exchange" says 'cancel|gave up|giving up|too many'

finish
