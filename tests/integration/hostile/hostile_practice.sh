#!/bin/sh
# tests/integration/hostile/hostile_practice.sh: the practice server under hostile clients
# (tests/servers/hostile_practice.py): 300 clients at once, clients that hold every slot,
# slowloris, 1 MB lines, binary garbage, floods of RCPTs, messages that never end, TLS garbage and
# stalled handshakes, AUTH and BDAT abuse. Meanwhile smtpscope's own batch mode, a well-behaved
# client, must get its message through; the server stays up, its memory stays bounded, and its
# log says what happened without a raw control byte.
. "$top_srcdir/tests/lib.sh"

LOG="$TEST_TMP/server.log"
# Under AddressSanitizer freed memory waits in a quarantine (256 MB by default) before it is
# reused, which would read as growth here; a small one keeps the memory checks meaningful.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
export ASAN_OPTIONS
"$SMTPSCOPE" serve --idle-timeout 3 --size 60000000 --log "$LOG" \
    >"$TEST_TMP/server.out" 2>"$TEST_TMP/server.err" &
SPID=$!
on_exit "kill $SPID 2>/dev/null"
for _ in $(seq 1 100); do
	[ -s "$TEST_TMP/server.out" ] && break
	sleep 0.05
done
# listening 127.0.0.1:PORT tls-port PORT user NAME password PASS ...
read -r _ addr _ tls_port _ <"$TEST_TMP/server.out"
PORT=${addr##*:}
check "the practice server starts" test -n "$PORT" -a -n "$tls_port"
wait_port "$PORT" 10

says_log() {
	grep -qE -- "$1" "$LOG" && return 0
	echo "  expected /$1/ in the server log ($(wc -l <"$LOG") lines)"
	return 1
}
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$SPID/status" 2>/dev/null; }
BASE=$(rss)
echo "# server VmRSS at the start: $BASE kB"

for case in connections held slowloris longlines garbage rcpts endless-data tls auth bdat \
    sequential tls-many; do
	check "$case: every check of the case passes" \
	    "$SYSTEM_PYTHON" "$TEST_SERVERS/hostile_practice.py" \
	    "$case" "$PORT" "$tls_port" "$SPID"
done

check "the server is still running" kill -0 "$SPID"
NOW=$(rss)
echo "# server VmRSS at the end: $NOW kB"
check "memory after everything stays within 64 MB of the start ($BASE -> $NOW kB)" \
    test "${NOW:-999999999}" -lt $((BASE + 65536))

check "log: clients refused over the limit" says_log 'clients at once, turning away'
check "log: slow clients timed out" says_log 'idle for 3 seconds'
check "log: the long lines" says_log 'line longer than'
check "log: recipients limit" says_log '100 recipients'
check "log: the endless messages" says_log 'far past SIZE'
check "log: TLS failures" says_log 'TLS handshake'
check "log: the polite messages were accepted" says_log '250 2.0.0'
check "log: no raw control bytes" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$LOG'"

# A clean stop after all that; under the sanitizers LeakSanitizer reports here.
kill -TERM "$SPID"
wait "$SPID"
src=$?
check "SIGTERM stops the server cleanly (status $src)" test "$src" -eq 0
check "no leak or sanitizer report from the server" sh -c \
    "! grep -qE 'LeakSanitizer|AddressSanitizer|runtime error' '$TEST_TMP/server.err'"
finish
