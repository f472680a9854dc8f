#!/bin/sh
# server_robust.sh: the practice server under a classroom and under attack: 50 clients at once,
# a 1 MB line, garbage, a never-ending DATA, clients that disconnect mid-command or never read,
# silence, TLS garbage, thousands of RCPTs. Polite clients keep being served, memory stays
# bounded, and the log says what happened (driven by server_hostile.py).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/server/server_lib.sh"

start_server S --size 1000000 --idle-timeout 3
check "the hostile-client checks pass" "$SYSTEM_PYTHON" "$top_srcdir/tests/integration/server/server_hostile.py" \
	"$S_PORT" "$S_TLS_PORT" "$S_PID"
check "the server is still running" kill -0 "$S_PID"
check "log: the long line" contains "$S_LOG" "limit: line longer than 4096 bytes"
check "log: too many errors" contains "$S_LOG" "limit: 20 errors"
check "log: the endless message" contains "$S_LOG" "limit: message goes on far past SIZE"
check "log: the idle client" contains "$S_LOG" "limit: idle for 3 seconds"
check "log: recipients" contains "$S_LOG" "limit: 100 recipients"
check "log: a client that left mid-command" contains "$S_LOG" "the client disconnected in the middle of a command"
check "log: the TLS garbage" contains "$S_LOG" "TLS handshake"
check "log: garbage bytes are escaped" contains "$S_LOG" '\x'
check "log: no raw control bytes reach the log" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$S_LOG'"
check "SIGTERM stops the server cleanly, no sanitizer report" stopped_clean S
check "the log says it stopped" contains "$S_LOG" "stopping on signal 15"
finish
