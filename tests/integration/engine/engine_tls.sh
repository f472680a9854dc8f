#!/bin/sh
# TLS against aiosmtpd with a certificate made by openssl for this run: STARTTLS then EHLO again
# (capabilities forgotten), --starttls, AUTH PLAIN and LOGIN (success and 535), implicit TLS,
# /tls details, and secrets masked in the saved transcript unless --show-secrets.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/engine/engine_lib.sh"

make_certs || exit 1
start_aiosmtpd starttls --cert "$CERTS/self.pem" --key "$CERTS/self.key" || exit 1

cat >"$TEST_TMP/starttls.script" <<'SCRIPT'
EHLO client.example
/starttls
EHLO client.example
/tls
/auth PLAIN alice s3cret
MAIL FROM:<alice@example.org>
RCPT TO:<bob@example.org>
DATA
Subject: over TLS

sent after STARTTLS and AUTH PLAIN
.
QUIT
SCRIPT
run_batch "$TEST_TMP/starttls.out" "$TEST_TMP/starttls.script" --cafile "$CERTS/self.pem" \
	--transcript "$TEST_TMP/starttls.txt" "localhost:$PORT"
out="$TEST_TMP/starttls.out"
check "STARTTLS session: exit 0" status_is 0
check "TLS comes up verified" contains "$out" "certificate verified"
check "capabilities forgotten after STARTTLS" contains "$out" "forgotten (RFC 3207): send EHLO again"
check "AUTH offered only in the second EHLO" sh -c "grep -n 'S: 250-AUTH' '$out' | head -1 | cut -d: -f1 | { read n; [ \"\$n\" -gt \"\$(grep -n 'TLS is up' '$out' | cut -d: -f1)\" ]; }"
check "/tls names the subject" contains "$out" "subject: CN = localhost"
check "/tls names the SANs" contains "$out" "DNS:localhost"
check "/tls names the protocol" contains "$out" "protocol: TLSv1."
check "AUTH PLAIN accepted" contains "$out" "S: 235"
check "the identity is reported" contains "$out" "authenticated as alice"
check "AUTH payload masked on screen" contains "$out" "C: AUTH PLAIN ****"
check "password masked in the echoed /auth" contains "$out" "> /auth PLAIN alice ****"
check "password not on screen" lacks "$out" "s3cret"
check "message arrived over TLS" contains "$MAILDIR/msg-1.eml" "sent after STARTTLS and AUTH PLAIN"
check "transcript saved" contains "$TEST_TMP/starttls.txt" "S: 235"
check "no password in the transcript" lacks "$TEST_TMP/starttls.txt" "s3cret"
plain_payload=$(printf '\0alice\0s3cret' | base64)
check "no AUTH payload in the transcript" lacks "$TEST_TMP/starttls.txt" "$plain_payload"

# --show-secrets keeps them (the user asked for it).
printf 'EHLO client.example\n/starttls\nEHLO client.example\n/auth PLAIN alice s3cret\nQUIT\n' >"$TEST_TMP/show.script"
run_batch "$TEST_TMP/show.out" "$TEST_TMP/show.script" --cafile "$CERTS/self.pem" --show-secrets \
	--transcript "$TEST_TMP/show.txt" "localhost:$PORT"
check "--show-secrets: exit 0" status_is 0
check "--show-secrets keeps the AUTH payload" contains "$TEST_TMP/show.txt" "$plain_payload"

# LOGIN: the 334 challenges decoded, the answers masked; a wrong password gives 535 and exit 1.
printf 'EHLO client.example\n/auth LOGIN alice s3cret\n/save %s\nQUIT\n' "$TEST_TMP/saved.txt" >"$TEST_TMP/login.script"
run_batch "$TEST_TMP/login.out" "$TEST_TMP/login.script" --starttls --cafile "$CERTS/self.pem" \
	--transcript "$TEST_TMP/login.txt" "localhost:$PORT"
check "--starttls + AUTH LOGIN: exit 0" status_is 0
check "--starttls sends STARTTLS after the first EHLO" contains "$TEST_TMP/login.out" "C: STARTTLS"
check "--starttls sends EHLO again" sh -c "[ \$(grep -c 'C: EHLO client.example' '$TEST_TMP/login.out') -eq 2 ]"
check "334 User Name decoded" contains "$TEST_TMP/login.out" '334 challenge decoded: "User Name\0"'
check "334 Password decoded" contains "$TEST_TMP/login.out" '334 challenge decoded: "Password\0"'
check "LOGIN answers masked" contains "$TEST_TMP/login.out" "C: ****"
check "LOGIN accepted" contains "$TEST_TMP/login.out" "S: 235"
pass_b64=$(printf 's3cret' | base64)
check "no LOGIN password in the transcript" lacks "$TEST_TMP/login.txt" "$pass_b64"
check "/save wrote the session so far" contains "$TEST_TMP/saved.txt" "S: 235"
check "/save masks the LOGIN answers" contains "$TEST_TMP/saved.txt" "C: ****"
check "/save holds no password" lacks "$TEST_TMP/saved.txt" "$pass_b64"
check "/save holds no password in clear" lacks "$TEST_TMP/saved.txt" "s3cret"

printf 'EHLO client.example\n/auth LOGIN alice wrong\nQUIT\n' >"$TEST_TMP/bad.script"
run_batch "$TEST_TMP/bad.out" "$TEST_TMP/bad.script" --starttls --cafile "$CERTS/self.pem" "localhost:$PORT"
check "wrong password: exit 1" status_is 1
check "wrong password: 535" contains "$TEST_TMP/bad.out" "S: 535"

printf 'EHLO client.example\n/auth PLAIN alice wrong\nQUIT\n' >"$TEST_TMP/badplain.script"
run_batch "$TEST_TMP/badplain.out" "$TEST_TMP/badplain.script" --starttls --cafile "$CERTS/self.pem" "localhost:$PORT"
check "wrong PLAIN password: exit 1" status_is 1
check "wrong PLAIN password: 535" contains "$TEST_TMP/badplain.out" "S: 535"
check "no identity after 535" lacks "$TEST_TMP/badplain.out" "authenticated as"

# The password asked for, here from the environment (no terminal in a test).
printf 'EHLO client.example\n/auth PLAIN alice\nQUIT\n' >"$TEST_TMP/ask.script"
SMTPSCOPE_PASSWORD=s3cret run_batch "$TEST_TMP/ask.out" "$TEST_TMP/ask.script" --starttls \
	--cafile "$CERTS/self.pem" "localhost:$PORT"
check "password from SMTPSCOPE_PASSWORD: exit 0" status_is 0
check "password from SMTPSCOPE_PASSWORD: 235" contains "$TEST_TMP/ask.out" "S: 235"

# Guidance: AUTH over plain text while STARTTLS is offered.
start_aiosmtpd plainauth --cert "$CERTS/self.pem" --key "$CERTS/self.key" --auth-plain-ok || exit 1
printf 'EHLO client.example\n/auth PLAIN alice s3cret\nQUIT\n' >"$TEST_TMP/cleartext.script"
run_batch "$TEST_TMP/cleartext.out" "$TEST_TMP/cleartext.script" "localhost:$PORT"
check "AUTH in clear text warned" contains "$TEST_TMP/cleartext.out" "AUTH over an unencrypted connection"

# Implicit TLS (port 465 style).
# aiosmtpd 1.4 does not count implicit TLS as TLS for its AUTH rule, hence --auth-plain-ok.
start_aiosmtpd implicit --cert "$CERTS/self.pem" --key "$CERTS/self.key" --implicit --auth-plain-ok || exit 1
printf 'EHLO client.example\n/auth PLAIN alice s3cret\nQUIT\n' >"$TEST_TMP/implicit.script"
run_batch "$TEST_TMP/implicit.out" "$TEST_TMP/implicit.script" --tls --cafile "$CERTS/self.pem" "localhost:$PORT"
check "implicit TLS: exit 0" status_is 0
check "implicit TLS is up before the greeting" sh -c "[ \$(grep -n 'TLS is up' '$TEST_TMP/implicit.out' | cut -d: -f1) -lt \$(grep -n 'S: 220' '$TEST_TMP/implicit.out' | cut -d: -f1) ]"
check "implicit TLS: AUTH accepted" contains "$TEST_TMP/implicit.out" "S: 235"
finish
