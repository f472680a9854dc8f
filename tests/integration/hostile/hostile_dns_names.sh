#!/bin/sh
# tests/integration/hostile/hostile_dns_names.sh: MX records whose names cannot be read (a compression
# pointer to itself, one past the end of the message) are a broken answer, not "no MX records":
# smtpscope must not fall back to the domain's own address (RFC 5321 section 5.1 applies only
# when there is no MX record at all).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/hostile/hostile_lib.sh"

for mode in loop pointer-out; do
	"$SYSTEM_PYTHON" "$TEST_SERVERS/hostile_dns.py" "$mode" \
	    >"$TEST_TMP/dns.$mode" &
	dns_pid=$!
	on_exit "kill $dns_pid 2>/dev/null"
	for _ in $(seq 1 100); do
		[ -s "$TEST_TMP/dns.$mode" ] && break
		sleep 0.05
	done
	OUT="$TEST_TMP/mx.$mode.out"
	ERR="$TEST_TMP/mx.$mode.err"
	timeout -s KILL 40 "$SMTPSCOPE" mx example.test \
	    --dns-server "127.0.0.1:$(head -n 1 "$TEST_TMP/dns.$mode")" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	kill "$dns_pid" 2>/dev/null
	check "$mode: exits cleanly" exited_cleanly 0 1 2
	check "$mode: no fall back to the domain's own address" lacks "$OUT" 'has no MX records'
	check "$mode: says the answer is broken" says 'could not be parsed|malformed|unreadable' "$ERR"
done
finish
