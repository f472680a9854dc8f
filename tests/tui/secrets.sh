#!/bin/sh
# Secrets on the screen: AUTH LOGIN and CRAM-MD5 through /auth on the practice server, then the
# password and the AUTH payloads are searched for in the screen, the history file, a saved
# transcript, an HTML export and the practice server's log; an AUTH PLAIN payload built with /b64
# is shown but kept out of them. (AUTH PLAIN by hand, at the password prompt and on the /auth
# line is in history.sh and session.sh.)
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"

user=practice
pass=secret123
pass64=$(printf '%s' "$pass" | base64 -w0)
plain=$(printf '\0%s\0%s' "$user" "$pass" | base64 -w0)

tui_start 120 40
check "greeting" tui_wait "S: 220 "
for mech in LOGIN CRAM-MD5; do
	tui_type "EHLO localhost"
	check "$mech: EHLO answered" tui_wait "250-STARTTLS"
	tui_type "STARTTLS"
	check "$mech: TLS" tui_wait_in status "TLSv1"
	tui_type "EHLO localhost"
	check "$mech: EHLO under TLS" tui_wait "250-AUTH"
	tui_type "/auth $mech $user $pass"
	check "$mech: logged in" tui_wait "S: 235"
	# (the explanation pane gives the practice login on purpose: look at the wire lines)
	check "$mech: no line on the wire shows the password" \
	    sh -c "! grep -F 'C: ' '$TUI_SCREEN' | grep -qF -e '$pass' -e '$pass64'"
	check "$mech: the answers are masked" contains "$TUI_SCREEN" "C: ******** (masked)"
	# a fresh connection for the next mechanism (a second AUTH is refused)
	tui_type "/scenario normal"
	check "$mech: reconnected, back at the greeting" tui_wait_in status "| greeting |"
done
# AUTH PLAIN built by hand: /b64 shows the payload to the user who asked for it, in the
# explanation pane; the session pane, the saved files and the history keep it masked.
tui_type "/b64 encode \\0$user\\0$pass"
check "/b64 shows the payload it built" tui_wait "$plain"
check "/b64: the session pane line is masked" tui_wait "base64 of ****: ****"
tui_type "/save $TEST_TMP/session.html"
check "HTML saved" tui_wait "saved"
tui_type "/save $TEST_TMP/session.txt"
tui_type "/quit"
check "asks to save" tui_wait_in prompt "(y)es"
tui_keys n
check "quit" tui_wait "smtpscope-exited-0"

history="$TEST_TMP/state/smtpscope/history"
log="$TEST_TMP/state/smtpscope/practice-server.log"
check "the transcript was saved" contains "$TEST_TMP/session.txt" "AUTH CRAM-MD5"
check "the HTML was saved" contains "$TEST_TMP/session.html" "AUTH LOGIN"
check "the practice server logged the session" contains "$log" "AUTH CRAM-MD5"
cram=$("$SYSTEM_PYTHON" - "$TEST_TMP/session.txt" "$user" "$pass" <<'PY'
import base64, hmac, re, sys
text = open(sys.argv[1], errors="replace").read()
m = re.findall(r"S: 334 (\S+)", text)
challenge = base64.b64decode(m[-1]) if m else b""
digest = hmac.new(sys.argv[3].encode(), challenge, "md5").hexdigest()
print(base64.b64encode(f"{sys.argv[2]} {digest}".encode()).decode())
PY
)
# The practice server's log starts with its banner, which gives the practice login on purpose
# (a teacher projects it); what the client sent must not show it.
grep -F '] C: ' "$log" >"$TEST_TMP/log-client-lines"
check "the log has the client's lines" contains "$TEST_TMP/log-client-lines" "AUTH LOGIN"
for f in "$history" "$TEST_TMP/session.txt" "$TEST_TMP/session.html" "$TEST_TMP/log-client-lines"; do
	name=$(basename "$f")
	check "$name: no password" lacks "$f" "$pass"
	check "$name: no base64 password" lacks "$f" "$pass64"
	check "$name: no PLAIN payload" lacks "$f" "$plain"
	check "$name: no CRAM-MD5 response" lacks "$f" "$cram"
done
tui_finish
