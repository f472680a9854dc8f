#!/bin/sh
# /bdat against a CHUNKING server: without PIPELINING each chunk waits for the reply to the one
# before; with PIPELINING the next chunk may go before that reply (RFC 3030 section 4.2). Either
# way the message arrives whole and every chunk is answered.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/engine/engine_lib.sh"

# A message of 1000 lines (about 60 KB), sent in chunks of 4000 octets.
i=0
while [ $i -lt 1000 ]; do
	echo "line $i of the message, long enough to fill a chunk or two"
	i=$((i + 1))
done >"$TEST_TMP/msg.txt"
printf 'EHLO client.test\nMAIL FROM:<a@client.test>\nRCPT TO:<b@bdat.test>\n/bdat %s 4000\nQUIT\n' \
	"$TEST_TMP/msg.txt" >"$TEST_TMP/s.script"
# The wire form of the message: CRLF line ends; how many chunks it takes, and the last one.
sed 's/$/\r/' "$TEST_TMP/msg.txt" >"$TEST_TMP/wire.txt"
size=$(wc -c <"$TEST_TMP/wire.txt")
chunks=$(((size + 3999) / 4000))
last=$((size - (chunks - 1) * 4000))

for mode in lockstep pipelining; do
	opt=
	[ $mode = pipelining ] && opt=--pipelining
	# shellcheck disable=SC2086
	"$SYSTEM_PYTHON" "$TEST_SERVERS/bdat_server.py" "$TEST_TMP/$mode.port" \
		"$TEST_TMP/$mode.eml" "$TEST_TMP/$mode.chunks" $opt >"$TEST_TMP/$mode.log" 2>&1 &
	on_exit "kill $! 2>/dev/null"
	wait_file "$TEST_TMP/$mode.port" || { check "$mode: server starts" false; continue; }
	run_batch "$TEST_TMP/$mode.out" "$TEST_TMP/s.script" "127.0.0.1:$(cat "$TEST_TMP/$mode.port")"
	check "$mode: exit 0" status_is 0
	check "$mode: the message arrived whole" cmp "$TEST_TMP/wire.txt" "$TEST_TMP/$mode.eml"
	check "$mode: every chunk answered" \
	    test "$(grep -c '^S: 250 chunk ok' "$TEST_TMP/$mode.out")" -eq "$chunks"
	check "$mode: the last chunk says LAST" contains "$TEST_TMP/$mode.out" "C: BDAT $last LAST"
done
check "without PIPELINING: every chunk waited for the reply before it" \
	test "$(grep -c '^waited' "$TEST_TMP/lockstep.chunks")" -eq "$chunks"
check "with PIPELINING: the next chunk went ahead" grep -q '^early' "$TEST_TMP/pipelining.chunks"
finish
