#!/bin/sh
# Certificate verification failures, each made with openssl for this run, reported in plain words
# with the explanation to read; the session stops (exit 2) unless --insecure, which goes on and
# keeps saying the peer is unverified.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/engine/engine_lib.sh"

make_certs || exit 1
printf 'EHLO client.example\n/starttls\nEHLO client.example\n/tls\nQUIT\n' >"$TEST_TMP/s.script"

start_aiosmtpd self --cert "$CERTS/self.pem" --key "$CERTS/self.key" || exit 1
run_batch "$TEST_TMP/self.out" "$TEST_TMP/s.script" --transcript "$TEST_TMP/self.txt" "localhost:$PORT"
check "self-signed: exit 2" status_is 2
check "self-signed: said in words" contains "$TEST_TMP/self.out" "self-signed certificate"
check "self-signed: explained" contains "$TEST_TMP/self.out" "smtpscope explain tls-verify-self-signed"
check "self-signed: says how to go on" contains "$TEST_TMP/self.out" "--insecure"
check "self-signed: nothing sent after the failure" lacks "$TEST_TMP/self.out" "C: QUIT"
check "self-signed: transcript kept" contains "$TEST_TMP/self.txt" "self-signed certificate"

run_batch "$TEST_TMP/insecure.out" "$TEST_TMP/s.script" --insecure "localhost:$PORT"
check "--insecure: exit 0" status_is 0
check "--insecure: goes on" contains "$TEST_TMP/insecure.out" "S: 221"
check "--insecure: warns the peer is unverified" contains "$TEST_TMP/insecure.out" "certificate NOT verified"
check "--insecure: /tls repeats it" contains "$TEST_TMP/insecure.out" "verification: FAILED"

start_aiosmtpd wrong --cert "$CERTS/wrong.pem" --key "$CERTS/wrong.key" || exit 1
run_batch "$TEST_TMP/wrong.out" "$TEST_TMP/s.script" --cafile "$CERTS/ca.pem" "localhost:$PORT"
check "wrong name: exit 2" status_is 2
check "wrong name: said in words" contains "$TEST_TMP/wrong.out" "hostname mismatch"
check "wrong name: explained" contains "$TEST_TMP/wrong.out" "smtpscope explain tls-verify-name-mismatch"

start_aiosmtpd expired --cert "$CERTS/expired.pem" --key "$CERTS/expired.key" || exit 1
run_batch "$TEST_TMP/expired.out" "$TEST_TMP/s.script" --cafile "$CERTS/ca.pem" "localhost:$PORT"
check "expired: exit 2" status_is 2
check "expired: said in words" contains "$TEST_TMP/expired.out" "certificate has expired"
check "expired: explained" contains "$TEST_TMP/expired.out" "smtpscope explain tls-verify-expired"
run_batch "$TEST_TMP/expired-explain.out" "$TEST_TMP/s.script" --explain --cafile "$CERTS/ca.pem" "localhost:$PORT"
check "expired --explain: how to fix" contains "$TEST_TMP/expired-explain.out" "renew the certificate"

# A leaf from a CA we were not told about: unknown issuer.
run_batch "$TEST_TMP/issuer.out" "$TEST_TMP/s.script" --cafile "$CERTS/self.pem" "localhost:$PORT"
check "unknown issuer: exit 2" status_is 2
check "unknown issuer: explained" contains "$TEST_TMP/issuer.out" "smtpscope explain tls-verify-unknown-issuer"

# Started on the practice server (no HOST), whose made-up certificate is let through; a host
# typed at /connect afterwards is verified as usual: the leniency is the practice server's alone.
start_aiosmtpd self2 --cert "$CERTS/self.pem" --key "$CERTS/self.key" || exit 1
printf 'EHLO client.example\n/starttls\nEHLO client.example\nQUIT\n/connect localhost:%s\nEHLO client.example\n/starttls\nEHLO client.example\nQUIT\n' \
    "$PORT" >"$TEST_TMP/practice-then.script"
run_batch "$TEST_TMP/practice-then.out" "$TEST_TMP/practice-then.script"
check "practice: its certificate is let through, and why" contains "$TEST_TMP/practice-then.out" \
    "going on because of the practice server"
check "then another host: exit 2" status_is 2
check "then another host: verified, and it fails" contains "$TEST_TMP/practice-then.out" \
    "certificate verification failed: self-signed certificate"
check "then another host: the practice server's leniency is not applied" sh -c \
    "[ \$(grep -c 'going on because of' '$TEST_TMP/practice-then.out') -eq 1 ]"
finish
