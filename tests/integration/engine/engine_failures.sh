#!/bin/sh
# Servers that fail: connection refused, a close in the middle of a reply, no greeting at all,
# no reply to a command, a reset, STARTTLS with injected lines, hostile bytes. Each gets clear
# words and exit status 2 (or 0 where the session itself went fine), nothing crashes, and the
# transcript so far is saved.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/engine/engine_lib.sh"

printf 'EHLO client.example\nQUIT\n' >"$TEST_TMP/s.script"

# Refused: a port nothing listens on.
port=$(free_port)
run_batch "$TEST_TMP/refused.out" "$TEST_TMP/s.script" --transcript "$TEST_TMP/refused.txt" "127.0.0.1:$port"
check "refused: exit 2" status_is 2
check "refused: said in words" contains "$TEST_TMP/refused.out" "connection refused"
check "refused: explained" contains "$TEST_TMP/refused.out" "smtpscope explain connect-refused"
check "refused: transcript saved" contains "$TEST_TMP/refused.txt" "connection refused"

start_raw close-mid-reply || exit 1
run_batch "$TEST_TMP/mid.out" "$TEST_TMP/s.script" --transcript "$TEST_TMP/mid.txt" "127.0.0.1:$PORT"
check "closed mid-reply: exit 2" status_is 2
check "closed mid-reply: the partial reply shown" contains "$TEST_TMP/mid.out" "S: 250-PIPELI"
check "closed mid-reply: said in words" contains "$TEST_TMP/mid.out" "in the middle of a reply"
check "closed mid-reply: explained" contains "$TEST_TMP/mid.out" "smtpscope explain closed-by-peer"
check "closed mid-reply: transcript saved" contains "$TEST_TMP/mid.txt" "250-PIPELI"

start_raw silent || exit 1
run_batch "$TEST_TMP/silent.out" "$TEST_TMP/s.script" --timeout 1 --transcript "$TEST_TMP/silent.txt" "127.0.0.1:$PORT"
check "no greeting: exit 2" status_is 2
check "no greeting: timeout said in words" contains "$TEST_TMP/silent.out" "no greeting in 1 s"
check "no greeting: explained" contains "$TEST_TMP/silent.out" "smtpscope explain reply-timeout"
check "no greeting: nothing sent" lacks "$TEST_TMP/silent.out" "C: EHLO"
check "no greeting: transcript saved" contains "$TEST_TMP/silent.txt" "no greeting in 1 s"

start_raw mute-after-ehlo || exit 1
run_batch "$TEST_TMP/mute.out" "$TEST_TMP/s.script" --timeout 1 --transcript "$TEST_TMP/mute.txt" "127.0.0.1:$PORT"
check "no reply: exit 2" status_is 2
check "no reply: the command was sent" contains "$TEST_TMP/mute.out" "C: EHLO client.example"
check "no reply: timeout said" contains "$TEST_TMP/mute.out" "no reply to EHLO in 1 s"
check "no reply: transcript has the greeting" contains "$TEST_TMP/mute.txt" "S: 220 raw.test"

start_raw reset || exit 1
run_batch "$TEST_TMP/reset.out" "$TEST_TMP/s.script" "127.0.0.1:$PORT"
check "reset: exit 2" status_is 2
check "reset: said in words" contains "$TEST_TMP/reset.out" "reset by peer"

make_certs || exit 1
start_raw inject "$CERTS/self.pem" "$CERTS/self.key" || exit 1
printf 'EHLO client.example\n/starttls\nEHLO client.example\nQUIT\n' >"$TEST_TMP/inject.script"
run_batch "$TEST_TMP/inject.out" "$TEST_TMP/inject.script" --cafile "$CERTS/self.pem" "localhost:$PORT"
check "injection: the session goes on" status_is 0
check "injection: reported" contains "$TEST_TMP/inject.out" "arrived after the 220 to STARTTLS and before TLS: discarded"
check "injection: explained" contains "$TEST_TMP/inject.out" "smtpscope explain starttls-injection"
check "injection: the injected lines never count as replies" lacks "$TEST_TMP/inject.out" "S: 250-injected"
check "injection: TLS still came up" contains "$TEST_TMP/inject.out" "TLS is up"

start_raw hostile || exit 1
run_batch "$TEST_TMP/hostile.out" "$TEST_TMP/s.script" "127.0.0.1:$PORT"
check "hostile greeting: no escape byte reaches the terminal" sh -c "! grep -q \"\$(printf '\\033')\" '$TEST_TMP/hostile.out'"
check "hostile greeting: escapes shown escaped" contains "$TEST_TMP/hostile.out" '\x1b[2J'
check "hostile greeting: NUL shown escaped" contains "$TEST_TMP/hostile.out" '\x00'
check "hostile greeting: the violation reported" contains "$TEST_TMP/hostile.out" "breaks the SMTP rules"
finish
