#!/bin/sh
# server_limits.sh: the practice server's limits at their edges (server_limits.py): SASL
# responses of up to 12288 octets in AUTH and after 334 and 500 5.5.6 past that, malformed
# CRAM-MD5 and LOGIN answers named for what they are, stalled TLS handshakes cut at the idle
# timeout, messages that trickle in for ever cut at --data-timeout, BDAT chunks announced far
# past SIZE cut once they go past it, a line that never ends cut with a reply that says so, and
# clients over the file descriptor limit turned away with 421 4.3.2 -- while well-behaved
# clients keep being served.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/server/server_lib.sh"

# A password whose AUTH PLAIN response is exactly 12288 octets of base64 (9216 bytes decoded).
long_password=$("$SYSTEM_PYTHON" -c 'print("p" * (9216 - len("\0long\0")))')
start_server S --idle-timeout 3 --data-timeout 5 --size 1000000 --user practice:secret123 \
	--user "long:$long_password"
for case in auth-lines sasl-answers handshake data-time bdat-endless endless-line; do
	check "$case: every check of the case passes" \
	    "$SYSTEM_PYTHON" "$top_srcdir/tests/integration/server/server_limits.py" \
	    "$case" "$S_PORT" "$S_TLS_PORT" "$S_PID"
done
check "the server is still running" kill -0 "$S_PID"
check "log: the SASL limit" contains "$S_LOG" "limit: SASL initial response longer than 12288 octets"
check "log: the SASL limit after 334" contains "$S_LOG" "limit: SASL response longer than 12288 octets"
check "log: a long AUTH line is noted against SMTP's 512" contains "$S_LOG" "over SMTP's 512 octets"
check "log: no SASL payload, even a long one" lacks "$S_LOG" "pppppppppppppppp"
check "log: the stalled handshakes" contains "$S_LOG" "TLS handshake timed out after 3.0 seconds"
check "log: the slow messages" contains "$S_LOG" "limit: the message took longer than 5 seconds"
check "log: the endless line" contains "$S_LOG" "inside a line too long that never ended"
check "log: the endless BDAT chunks" contains "$S_LOG" "limit: a BDAT chunk of 1000000000000000 bytes, far past SIZE"
check "SIGTERM stops the server cleanly, no sanitizer report" stopped_clean S

# The file descriptor limit below what SERVER_CLIENTS_MAX needs: the server takes fewer clients
# and answers the rest, instead of leaving them unanswered while accept() fails in a loop.
(ulimit -n 40 && exec "$SMTPSCOPE" serve --log "$TEST_TMP/F.log") >"$TEST_TMP/F.out" 2>"$TEST_TMP/F.err" &
F_PID=$!
on_exit "kill $F_PID 2>/dev/null"
for _ in $(seq 1 100); do
	[ -s "$TEST_TMP/F.out" ] && break
	sleep 0.05
done
read -r _ addr _ f_tls _ <"$TEST_TMP/F.out"
check "fds: the server starts under ulimit -n 40" test -n "$addr"
check "fds: every check of the case passes" \
    "$SYSTEM_PYTHON" "$top_srcdir/tests/integration/server/server_limits.py" \
    fds "${addr##*:}" "$f_tls" "$F_PID"
check "fds: the log says how many clients fit" contains "$TEST_TMP/F.log" "clients at once, not 256: the file descriptor limit is 40"
check "fds: the log stays short" test "$(wc -l <"$TEST_TMP/F.log")" -lt 2000
kill "$F_PID"
wait "$F_PID"
check "fds: SIGTERM stops the server cleanly" test $? -eq 0
check "fds: no sanitizer report" sh -c "! grep -qE 'LeakSanitizer|AddressSanitizer|runtime error' '$TEST_TMP/F.err'"
finish
