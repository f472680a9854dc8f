#!/bin/sh
# server_protocol.sh: the practice server by the book: sequence and syntax errors with their
# exact replies, pipelining, BDAT, STARTTLS (and the injection defence), implicit TLS, AUTH,
# limits, and dot-stuffing as stored in a Maildir (driven by server_protocol.py).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/server/server_lib.sh"

start_server S --maildir "$TEST_TMP/Maildir"
check "the protocol checks pass" "$SYSTEM_PYTHON" "$top_srcdir/tests/integration/server/server_protocol.py" \
	"$S_PORT" "$S_TLS_PORT" "$TEST_TMP/Maildir"
check "the log says the pipelined bytes after STARTTLS were discarded" \
	contains "$S_LOG" "STARTTLS injection defence"
check "the log hides AUTH payloads" lacks "$S_LOG" "$(printf '\0practice\0secret123' | base64)"
check "the log shows the password nowhere" lacks "$S_LOG" "secret123"
check "the log escapes a NUL from the client" contains "$S_LOG" 'C: N\x00OOP'
check "the log names the limit that was hit" contains "$S_LOG" "limit: 20 errors"
check "the server stops cleanly, no sanitizer report" stopped_clean S
finish
