#!/bin/sh
# tests/integration/hostile/hostile_session.sh: batch mode against servers that misbehave later in a
# session: absurd EHLO capabilities (a SIZE that overflows, 500 AUTH mechanisms, empty and NUL
# lines), DATA answered with 250, a 354 after the final dot, a reset while a message streams in,
# plain bytes inside a TLS session, a pipelined group answered in part, a 100 MB line cut by a
# close, a 221 that does not close. Clean exit, clear message, the
# transcript saved, no raw control byte on the terminal.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/hostile/hostile_lib.sh"

LIMIT=25
printf 'Subject: hostile\n\nsmall message\n' >"$TEST_TMP/small.msg"
# 5 MB of message text, so the reset comes while it streams.
"$SYSTEM_PYTHON" -c 'import sys; sys.stdout.write(("x" * 76 + "\n") * 68000)' >"$TEST_TMP/big.msg"

script weird 'EHLO client.test' 'MAIL FROM:<a@example.org>' 'RCPT TO:<b@example.org>' \
    "/data $TEST_TMP/small.msg" '/auth PLAIN someone Pa55-hostile-w0rd' 'QUIT'
start_hostile ehlo-weird && run_client ehlo-weird "$LIMIT" weird --timeout 3
stop_hostile
common_checks ehlo-weird 15 0 1
check "ehlo-weird: the odd SIZE is shown" \
    contains "$OUT" 'S: 250-SIZE 999999999999999999999999999999'
check "ehlo-weird: the message still goes" contains "$OUT" 'S: 250 2.0.0 queued'
check "ehlo-weird: the violations are named" says 'NUL byte'
check "ehlo-weird: no password on stdout" lacks "$OUT" 'Pa55-hostile-w0rd'
check "ehlo-weird: no password in the transcript" lacks "$TR" 'Pa55-hostile-w0rd'

script confused 'EHLO client.test' 'MAIL FROM:<a@example.org>' 'RCPT TO:<b@example.org>' \
    "/data $TEST_TMP/small.msg" 'DATA' 'a line' '.' 'QUIT'
start_hostile data-confused && run_client data-confused "$LIMIT" confused --timeout 3
stop_hostile
common_checks data-confused 15 0 1
check "data-confused: the message is not sent after a 250 to DATA" says 'not sent: DATA was refused'
check "data-confused: the message text never went out" lacks "$OUT" 'C: small message'
check "data-confused: the late reply is pointed out" says 'no command asked for'
check "data-confused: the session ends with QUIT" contains "$OUT" 'S: 221 2.0.0 bye'

script bigdata 'EHLO client.test' 'MAIL FROM:<a@example.org>' 'RCPT TO:<b@example.org>' \
    "/data $TEST_TMP/big.msg" 'QUIT'
start_hostile close-during-data && run_client close-during-data "$LIMIT" bigdata --timeout 3
stop_hostile
common_checks close-during-data 15 2
check "close-during-data: the reset is named" says 'reset'
check "close-during-data: the message had started" says 'sending .*big.msg'
check "close-during-data: memory stays small" rss_below 50

script plain 'EHLO client.test' 'NOOP' 'QUIT'
hostile_cert srv '/CN=localhost'
start_hostile tls-garbage-after --cert "$TEST_TMP/srv.crt" --key "$TEST_TMP/srv.key" &&
    run_client tls-garbage-after "$LIMIT" plain --timeout 3 --tls --insecure
stop_hostile
common_checks tls-garbage-after 15 2
check "tls-garbage-after: the session ends with a reason" says 'closed|reset|TLS|record|decrypt'
check "tls-garbage-after: plain text inside TLS is never a reply" lacks "$OUT" 'S: 250 plain text'
check "tls-garbage-after: nor in the transcript" lacks "$TR" 'S: 250 plain text'

script pipe 'EHLO client.test' \
    '/pipeline MAIL FROM:<a@example.org>; RCPT TO:<b@example.org>; RCPT TO:<c@example.org>' 'QUIT'
start_hostile pipeline-short && run_client pipeline-short "$LIMIT" pipe --timeout 3
stop_hostile
common_checks pipeline-short 15 2
check "pipeline-short: the group went out together" contains "$OUT" 'C: RCPT TO:<c@example.org>'
check "pipeline-short: the one reply is shown" contains "$OUT" 'S: 250 2.1.0 only the first'
check "pipeline-short: the missing replies end in a timeout" says 'no reply.* in 3 s'
check "pipeline-short: transcript has the reply" transcript_has 'only the first'

start_hostile long-line-close && run_client long-line-close "$LIMIT" plain --timeout 3
stop_hostile
common_checks long-line-close 30 2
check "long-line-close: memory under 100 MB" rss_below 100
check "long-line-close: cut short said" says 'middle of a reply'
check "long-line-close: transcript keeps the line's real size" transcript_has 'full=104857604'

start_hostile quit-no-close && run_client quit-no-close "$LIMIT" plain --timeout 3
stop_hostile
common_checks quit-no-close 10 0
check "quit-no-close: the 221 is shown" contains "$OUT" 'S: 221 2.0.0 bye'

finish
