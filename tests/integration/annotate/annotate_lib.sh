# annotate_lib.sh: helpers for the annotate tests (source after tests/lib.sh): the capture
# server, and expected texts taken from the knowledge base itself (never hard-coded, so the
# tests follow edits of help/ and still fail when annotate picks the wrong entry).

ANNOTATE_DATA="$top_srcdir/tests/data/annotate"
export SMTPSCOPE_HELP_DIR
# Text explanations wrap at the terminal width; keep it fixed so the tests read whole lines.
COLUMNS=120
export COLUMNS

# start_capture_server: annotate_server.py with STARTTLS on a free loopback port; sets PORT.
start_capture_server() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TEST_TMP/key.pem" \
		-out "$TEST_TMP/cert.pem" -days 2 -subj /CN=localhost \
		>"$TEST_TMP/openssl-req.log" 2>&1 || { cat "$TEST_TMP/openssl-req.log"; return 1; }
	PORT=$(free_port)
	"$SYSTEM_PYTHON" "$TEST_SERVERS/annotate_server.py" "$PORT" \
		--cert "$TEST_TMP/cert.pem" --key "$TEST_TMP/key.pem" \
		>"$TEST_TMP/server.log" 2>&1 &
	SERVER_PID=$!
	on_exit "kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null"
	wait_port "$PORT" 15 || { echo "capture server did not start"; cat "$TEST_TMP/server.log"; return 1; }
}

# heading_of ARGS...: the first line `smtpscope explain ARGS` prints (the explanation's heading).
heading_of() {
	"$SMTPSCOPE" explain "$@" | head -n 1
}

# gloss FILE HEADING: annotate's text output FILE explains a reply with exactly HEADING.
gloss() {
	if grep -qxF -- "   => $2" "$1" || grep -qF -- "   => $2  (" "$1"; then return 0; fi
	printf '  expected a reply explained as: %s\n  in %s:\n' "$2" "$1"
	grep -F '   => ' "$1" | sed 's/^/  | /' | head -30
	return 1
}

# context_count FILE COMMAND: how many replies are explained as answering COMMAND.
context_count() {
	grep -cF "(in answer to $2)" "$1" || true
}

# equals_count FILE TEXT N: TEXT appears on exactly N lines.
count_is() {
	got=$(grep -cF -- "$2" "$1" || true)
	if [ "$got" -eq "$3" ]; then return 0; fi
	printf '  expected %s lines with: %s, got %s\n' "$3" "$2" "$got"
	return 1
}
