#!/bin/sh
# Secrets stay secret: AUTH PLAIN, LOGIN and CRAM-MD5 sessions in batch mode against the practice
# server, then the password and every AUTH payload (base64 of PLAIN, of the LOGIN user name and
# password, the CRAM-MD5 response computed from the challenge seen) are searched for in standard
# output, the saved transcript, the HTML and Markdown exports and the server's log. With
# --show-secrets they must appear, which shows the search can find them.
. "$top_srcdir/tests/lib.sh"

PASS=s3cret-Pa55
USER=learner
"$SMTPSCOPE" serve --port 0 --tls-port none --user "$USER:$PASS" --log "$TEST_TMP/server.log" \
    >"$TEST_TMP/serve.out" 2>&1 &
server=$!
on_exit "kill $server 2>/dev/null"
for _ in $(seq 1 100); do
	port=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TEST_TMP/serve.out")
	[ -n "$port" ] && break
	sleep 0.05
done
check "the practice server started" test -n "$port"

plain=$(printf '\0%s\0%s' "$USER" "$PASS" | base64 -w0)
user64=$(printf '%s' "$USER" | base64 -w0)
pass64=$(printf '%s' "$PASS" | base64 -w0)

# run MECH [OPTIONS...]: one session authenticating with MECH; files under $TEST_TMP/MECH*.
run() {
	mech=$1; shift
	printf 'EHLO client.example\nSTARTTLS\nEHLO client.example\n/auth %s %s %s\n/save %s\n/save %s\nQUIT\n' \
	    "$mech" "$USER" "$PASS" "$TEST_TMP/$mech.html" "$TEST_TMP/$mech.md" >"$TEST_TMP/$mech.script"
	timeout 60 "$SMTPSCOPE" "127.0.0.1:$port" --insecure --script "$TEST_TMP/$mech.script" \
	    --transcript "$TEST_TMP/$mech.txt" "$@" >"$TEST_TMP/$mech.out" 2>&1
}

# The CRAM-MD5 response to the challenge in a transcript, as the client computed it.
cram_response() {
	"$SYSTEM_PYTHON" - "$1" "$USER" "$PASS" <<'PY'
import base64, hmac, re, sys
text = open(sys.argv[1], errors="replace").read()
m = re.search(r"S: 334 (\S+)", text)
challenge = base64.b64decode(m.group(1)) if m else b""
digest = hmac.new(sys.argv[3].encode(), challenge, "md5").hexdigest()
print(base64.b64encode(f"{sys.argv[2]} {digest}".encode()).decode())
PY
}

for mech in PLAIN LOGIN CRAM-MD5; do
	run "$mech"
	check "$mech: logged in" contains "$TEST_TMP/$mech.out" "235 2.7.0"
	for f in "$mech.out" "$mech.txt" "$mech.html" "$mech.md"; do
		check "$mech: $f has no password" lacks "$TEST_TMP/$f" "$PASS"
		check "$mech: $f has no base64 password" lacks "$TEST_TMP/$f" "$pass64"
	done
done
for f in PLAIN.out PLAIN.txt PLAIN.html PLAIN.md; do
	check "PLAIN: $f has no AUTH PLAIN payload" lacks "$TEST_TMP/$f" "$plain"
done
for f in LOGIN.out LOGIN.txt LOGIN.html LOGIN.md; do
	check "LOGIN: $f has no base64 user name answer" sh -c "! grep -q '^C: $user64\$\\|C: $user64	' '$TEST_TMP/$f'"
done
cram=$(cram_response "$TEST_TMP/CRAM-MD5.txt")
for f in CRAM-MD5.out CRAM-MD5.txt CRAM-MD5.html CRAM-MD5.md; do
	check "CRAM-MD5: $f has no response payload" lacks "$TEST_TMP/$f" "$cram"
done
check "the server log has no password" lacks "$TEST_TMP/server.log" "$PASS"
check "the server log has no PLAIN payload" lacks "$TEST_TMP/server.log" "$plain"
check "the server log has no base64 password" lacks "$TEST_TMP/server.log" "$pass64"
check "the server log has no CRAM-MD5 response" lacks "$TEST_TMP/server.log" "$cram"

# AUTH by hand: the payloads built with /b64 encode (and checked with /b64 decode) are shown on
# standard output, the user asked for them, but the transcript and the exports keep them masked.
byhand() {
	printf 'EHLO client.example\nSTARTTLS\nEHLO client.example\n/b64 encode \\0%s\\0%s\n/b64 decode %s\n/b64 encode %s\nAUTH PLAIN %s\n/save %s\n/save %s\nQUIT\n' \
	    "$USER" "$PASS" "$plain" "$PASS" "$plain" "$TEST_TMP/byhand.html" "$TEST_TMP/byhand.md" \
	    >"$TEST_TMP/byhand.script"
	timeout 60 "$SMTPSCOPE" "127.0.0.1:$port" --insecure --script "$TEST_TMP/byhand.script" \
	    --transcript "$TEST_TMP/byhand.txt" "$@" >"$TEST_TMP/byhand.out" 2>&1
}
byhand
check "by hand: logged in with the payload /b64 built" contains "$TEST_TMP/byhand.out" "235 2.7.0"
check "by hand: the encoded payload is shown" contains "$TEST_TMP/byhand.out" "=> base64 of \"\\0$USER\\0$PASS\": $plain"
check "by hand: the decoded payload is shown" contains "$TEST_TMP/byhand.out" "=> $plain decodes to"
check "by hand: the transcript says a result was masked" contains "$TEST_TMP/byhand.txt" "base64 of ****: ****"
for f in byhand.txt byhand.html byhand.md; do
	check "by hand: $f has no password" lacks "$TEST_TMP/$f" "$PASS"
	check "by hand: $f has no base64 password" lacks "$TEST_TMP/$f" "$pass64"
	check "by hand: $f has no AUTH PLAIN payload" lacks "$TEST_TMP/$f" "$plain"
done
check "by hand: the server log has no PLAIN payload" lacks "$TEST_TMP/server.log" "$plain"
check "by hand: the server log has no password" lacks "$TEST_TMP/server.log" "$PASS"
byhand --show-secrets
check "by hand, --show-secrets: the payload is in the transcript" contains "$TEST_TMP/byhand.txt" "$plain"

# With --show-secrets the same search finds them: the checks above can fail.
run PLAIN --show-secrets
check "--show-secrets: the PLAIN payload is in the transcript" contains "$TEST_TMP/PLAIN.txt" "$plain"
run CRAM-MD5 --show-secrets
cram=$(cram_response "$TEST_TMP/CRAM-MD5.txt")
check "--show-secrets: the CRAM-MD5 response is in the transcript" contains "$TEST_TMP/CRAM-MD5.txt" "$cram"

finish
