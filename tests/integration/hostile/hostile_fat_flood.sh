#!/bin/sh
# tests/integration/hostile/hostile_fat_flood.sh: while /data streams a 40 MB message to a server that
# reads it slowly, the server pours out replies nobody asked for, each 999 lines of 4000 bytes.
# What smtpscope keeps of them must stay bounded in bytes, not only in count: its memory must not
# grow with the flood (a few hundred such replies are gigabytes).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/hostile/hostile_lib.sh"
# Under AddressSanitizer freed memory waits in a quarantine (256 MB by default) before it is
# reused, which would look like growth here: every fat reply is parsed and freed. Keep it small.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
export ASAN_OPTIONS

"$SYSTEM_PYTHON" -c 'import sys; sys.stdout.write(("m" * 76 + "\n") * 520000)' >"$TEST_TMP/big.msg"
script bigdata 'EHLO client.test' 'MAIL FROM:<a@example.org>' 'RCPT TO:<b@example.org>' \
    "/data $TEST_TMP/big.msg" 'QUIT'
RSS_KILL_KB=400000
start_hostile fat-flood-during-data && run_client fat-flood 40 bigdata --timeout 10
stop_hostile
check "fat-flood: exits cleanly" exited_cleanly 0 1 2
check "fat-flood: within 35 s" within 35
check "fat-flood: memory stays under 300 MB" rss_below 300
check "fat-flood: the flood is pointed out" says 'no command asked for'
check "fat-flood: no raw control bytes on stderr" no_raw_controls "$ERR"
check "fat-flood: transcript saved" transcript_has 'C: EHLO client.test'
finish
