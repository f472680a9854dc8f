#!/bin/sh
# server_scenarios.sh: each practice-server scenario gives exactly the replies
# help/en/scenarios.txt documents, with swaks as the client (and a scripted client where swaks
# cannot say what is needed, such as SIZE=).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/server/server_lib.sh"

T=$TEST_TMP
dialog() { _p=$1; _o=$2; shift 2; "$SYSTEM_PYTHON" "$top_srcdir/tests/integration/server/server_dialog.py" "$_p" "$@" >"$_o" 2>&1; }
MSG='Subject: practice\n\nhello'

# The list, and combinations that cannot work.
"$SMTPSCOPE" serve --list-scenarios >"$T/list"
for s in normal auth-required tls-required greylist relay-denied unknown-user mailbox-full \
    too-big rate-limit blocked busy slow drop bad-tls no-esmtp; do
	check "--list-scenarios lists $s" grep -q "^$s  *[a-zA-Z0-9]" "$T/list"
	check "help/en/scenarios.txt documents $s" grep -qx "@scenario $s" "$top_srcdir/help/en/scenarios.txt"
done
check "--list-scenarios: one line each" test "$(wc -l <"$T/list")" -eq 15
"$SMTPSCOPE" serve --scenario no-esmtp,tls-required >"$T/bad" 2>&1
check "no-esmtp,tls-required is refused (exit 2)" test $? -eq 2
check "and the reason is given" contains "$T/bad" "do not combine"
"$SMTPSCOPE" serve --scenario nonsense >"$T/bad2" 2>&1
check "an unknown scenario is refused (exit 2)" test $? -eq 2
"$SMTPSCOPE" serve --listen 192.0.2.1:0 >"$T/warn" 2>&1
check "--listen on another address warns loudly" contains "$T/warn" "OTHER MACHINES CAN REACH THIS PRACTICE SERVER"

# auth-required
start_server AR --scenario auth-required
swaks_to "$AR_PORT" "$T/ar1" --from a@example.org --to alice@practice.test
check "auth-required: MAIL without AUTH gets 530 5.7.0" contains "$T/ar1" "<** 530 5.7.0 Authentication required"
swaks_to "$AR_PORT" "$T/ar2" --from a@example.org --to alice@practice.test --auth PLAIN \
	--auth-user practice --auth-password secret123
check "auth-required: after AUTH the message is accepted" contains "$T/ar2" "<-  250 2.0.0 Message accepted"

# tls-required
start_server TR --scenario tls-required
swaks_to "$TR_PORT" "$T/tr1" --from a@example.org --to alice@practice.test
check "tls-required: MAIL without STARTTLS gets 530 5.7.0" contains "$T/tr1" "<** 530 5.7.0 Must issue a STARTTLS command first"
check "tls-required: no AUTH offered before TLS" lacks "$T/tr1" "250-AUTH"
swaks_to "$TR_PORT" "$T/tr2" --from a@example.org --to alice@practice.test --tls
check "tls-required: after STARTTLS the message is accepted" contains "$T/tr2" "<~  250 2.0.0 Message accepted"
check "tls-required: AUTH offered after TLS" contains "$T/tr2" "<~  250-AUTH PLAIN LOGIN CRAM-MD5"
dialog "$TR_PORT" "$T/tr3" "EHLO x" "AUTH PLAIN AHByYWN0aWNlAHNlY3JldDEyMw=="
check "tls-required: AUTH before STARTTLS gets 530 5.7.0" contains "$T/tr3" "S: 530 5.7.0 Must issue a STARTTLS command first"

# both
start_server TA --scenario tls-required,auth-required
swaks_to "$TA_PORT" "$T/ta1" --from a@example.org --to alice@practice.test --tls
check "tls-required,auth-required: TLS alone gets 530 5.7.0 Authentication required" contains "$T/ta1" "<~* 530 5.7.0 Authentication required"
swaks_to "$TA_PORT" "$T/ta2" --from a@example.org --to alice@practice.test --tls --auth LOGIN \
	--auth-user practice --auth-password secret123
check "tls-required,auth-required: TLS and AUTH get through" contains "$T/ta2" "<~  250 2.0.0 Message accepted"

# greylist
start_server GL --scenario greylist --greylist-delay 3
swaks_to "$GL_PORT" "$T/gl1" --from grey@example.org --to alice@practice.test
check "greylist: first attempt gets 451 4.7.1" contains "$T/gl1" "<** 451 4.7.1 <alice@practice.test>: Greylisted, please try again in 3 seconds"
swaks_to "$GL_PORT" "$T/gl2" --from grey@example.org --to alice@practice.test
check "greylist: an early retry gets 451 4.7.1 again" contains "$T/gl2" "<** 451 4.7.1"
sleep 3.2
swaks_to "$GL_PORT" "$T/gl3" --from grey@example.org --to alice@practice.test
check "greylist: a retry after the delay is accepted" contains "$T/gl3" "<-  250 2.0.0 Message accepted"
swaks_to "$GL_PORT" "$T/gl4" --from other@example.org --to alice@practice.test
check "greylist: another pair starts over with 451 4.7.1" contains "$T/gl4" "<** 451 4.7.1"
check "greylist: the log explains the wait" contains "$GL_LOG" "scenario greylist: <grey@example.org> -> <alice@practice.test> must wait"

# relay-denied
start_server RD --scenario relay-denied
swaks_to "$RD_PORT" "$T/rd1" --from a@example.org --to someone@example.com
check "relay-denied: another domain gets 554 5.7.1" contains "$T/rd1" "<** 554 5.7.1 <someone@example.com>: Relay access denied"
swaks_to "$RD_PORT" "$T/rd2" --from a@example.org --to alice@practice.test
check "relay-denied: the local domain is accepted" contains "$T/rd2" "<-  250 2.0.0 Message accepted"
swaks_to "$RD_PORT" "$T/rd3" --from a@example.org --to someone@example.com --auth PLAIN \
	--auth-user practice --auth-password secret123
check "relay-denied: after AUTH relaying is allowed" contains "$T/rd3" "<-  250 2.0.0 Message accepted"

# unknown-user
start_server UU --scenario unknown-user
swaks_to "$UU_PORT" "$T/uu1" --from a@example.org --to nobody@practice.test
check "unknown-user: unknown local user gets 550 5.1.1" contains "$T/uu1" "<** 550 5.1.1 <nobody@practice.test>: Recipient address rejected"
for u in alice bob postmaster abuse practice; do
	swaks_to "$UU_PORT" "$T/uu-$u" --from a@example.org --to "$u@practice.test"
	check "unknown-user: $u is a known mailbox" contains "$T/uu-$u" "<-  250 2.0.0 Message accepted"
done
swaks_to "$UU_PORT" "$T/uu3" --from a@example.org --to nobody@example.com
check "unknown-user: other domains are not checked" contains "$T/uu3" "<-  250 2.0.0 Message accepted"
dialog "$UU_PORT" "$T/uu4" "EHLO x" "VRFY nobody@practice.test" "VRFY alice"
check "unknown-user: VRFY of an unknown local address gets 550 5.1.1" contains "$T/uu4" "S: 550 5.1.1 <nobody@practice.test>"
check "unknown-user: VRFY alice gets 250 2.1.5" contains "$T/uu4" "S: 250 2.1.5 alice <alice@practice.test>"

# mailbox-full
start_server MF --scenario mailbox-full
dialog "$MF_PORT" "$T/mf1" "EHLO x" "MAIL FROM:<a@example.org> SIZE=5000" "RCPT TO:<alice@practice.test>"
check "mailbox-full: SIZE= over the room left gets 452 4.2.2 at RCPT" contains "$T/mf1" "S: 452 4.2.2 <alice@practice.test>: Mailbox full"
BIG=$("$SYSTEM_PYTHON" -c 'print("Subject: big\\n\\n" + "x" * 70 + ("\\n" + "y" * 70) * 30)')
dialog "$MF_PORT" "$T/mf2" "EHLO x" "MAIL FROM:<a@example.org>" "RCPT TO:<alice@practice.test>" DATA "$BIG"
check "mailbox-full: a message over the room left gets 552 5.2.2 after the dot" contains "$T/mf2" "S: 552 5.2.2 Mailbox full"
dialog "$MF_PORT" "$T/mf3" "EHLO x" "MAIL FROM:<a@example.org> SIZE=100" "RCPT TO:<alice@practice.test>" DATA "$MSG"
check "mailbox-full: a small message still fits" contains "$T/mf3" "S: 250 2.0.0 Message accepted"

# too-big
start_server TB --scenario too-big
dialog "$TB_PORT" "$T/tb1" "EHLO x" "MAIL FROM:<a@example.org> SIZE=20000"
check "too-big: EHLO advertises SIZE 10240" contains "$T/tb1" "S: 250-SIZE 10240"
check "too-big: SIZE=20000 gets 552 5.3.4 at MAIL" contains "$T/tb1" "S: 552 5.3.4 Message size exceeds fixed maximum message size (10240)"
"$SYSTEM_PYTHON" -c 'import sys; sys.stdout.write("Subject: big\r\n\r\n" + ("z" * 70 + "\r\n") * 300)' >"$T/tb.eml"
swaks_to "$TB_PORT" "$T/tb2" --from a@example.org --to alice@practice.test --data "$T/tb.eml" --suppress-data
check "too-big: a bigger message gets 552 5.3.4 after the dot" contains "$T/tb2" "<** 552 5.3.4 Message too big"
swaks_to "$TB_PORT" "$T/tb3" --from a@example.org --to alice@practice.test
check "too-big: a small message is accepted" contains "$T/tb3" "<-  250 2.0.0 Message accepted"

# rate-limit
start_server RL --scenario rate-limit --rate-limit 2
dialog "$RL_PORT" "$T/rl" "EHLO x" \
	"MAIL FROM:<a@example.org>" "RCPT TO:<alice@practice.test>" DATA "$MSG" \
	"MAIL FROM:<a@example.org>" "RCPT TO:<alice@practice.test>" DATA "$MSG" \
	"MAIL FROM:<a@example.org>"
check "rate-limit: two messages accepted" test "$(grep -c 'S: 250 2.0.0 Message accepted' "$T/rl")" -eq 2
check "rate-limit: the third MAIL gets 421 4.7.0" contains "$T/rl" "S: 421 4.7.0 practice.test Too many messages from you (2)"
check "rate-limit: and the server hangs up" contains "$T/rl" "-- closed"

# blocked
start_server BL --scenario blocked
dialog "$BL_PORT" "$T/bl" "EHLO x" "MAIL FROM:<a@example.org>" "QUIT"
check "blocked: the greeting is 554 5.7.1" contains "$T/bl" "S: 554 5.7.1 practice.test Your address [127.0.0.1] is blocked here"
check "blocked: other commands get 503 5.5.1" test "$(grep -c 'S: 503 5.5.1' "$T/bl")" -eq 2
check "blocked: QUIT gets 221 2.0.0" contains "$T/bl" "S: 221 2.0.0"
swaks_to "$BL_PORT" "$T/bl2" --from a@example.org --to alice@practice.test
check "blocked: swaks sees 554 at connect" contains "$T/bl2" "<** 554 5.7.1"

# busy
start_server BU --scenario busy
dialog "$BU_PORT" "$T/bu" "EHLO x"
check "busy: the greeting is 421 4.3.2" contains "$T/bu" "S: 421 4.3.2 practice.test Too busy right now"
check "busy: and the server hangs up" contains "$T/bu" "-- closed"

# slow
start_server SL --scenario slow --delay 0.4
dialog "$SL_PORT" "$T/sl" "EHLO x" "NOOP" "QUIT"
elapsed=$(sed -n 's/^-- elapsed //p' "$T/sl")
check "slow: four replies take at least 1.6 seconds ($elapsed)" "$SYSTEM_PYTHON" -c "import sys; sys.exit(0 if $elapsed >= 1.6 else 1)"
check "slow: the replies are still right" contains "$T/sl" "S: 221 2.0.0 practice.test Bye"
swaks_to "$SL_PORT" "$T/sl2" --pipeline --from a@example.org --to alice@practice.test
check "slow: a pipelining client still gets through" contains "$T/sl2" "<-  250 2.0.0 Message accepted"

# drop
start_server DR --scenario drop --maildir "$T/drop-md"
swaks_to "$DR_PORT" "$T/dr" --from a@example.org --to alice@practice.test
check "drop: swaks fails" test $? -ne 0
check "drop: DATA got its 354" contains "$T/dr" "<-  354 End data"
check "drop: no reply to the message" lacks "$T/dr" "Message accepted"
check "drop: nothing stored" test "$(find "$T/drop-md" -type f | wc -l)" -eq 0
check "drop: the log says the connection was cut" contains "$DR_LOG" "scenario drop: cutting the connection in the middle of the message"

# bad-tls
start_server BT --scenario bad-tls
swaks_to "$BT_PORT" "$T/bt" --from a@example.org --to alice@practice.test --tls
check "bad-tls: STARTTLS is advertised" contains "$T/bt" "<-  250-STARTTLS"
check "bad-tls: STARTTLS gets 454 4.7.0" contains "$T/bt" "<** 454 4.7.0 TLS not available due to temporary reason"

# no-esmtp
start_server NE --scenario no-esmtp
dialog "$NE_PORT" "$T/ne" "EHLO x" "HELO x" "STARTTLS" "AUTH PLAIN" "MAIL FROM:<a@example.org> SIZE=10" \
	"MAIL FROM:<a@example.org>" "RCPT TO:<alice@practice.test>" DATA "$MSG"
check "no-esmtp: EHLO gets 500 5.5.1" contains "$T/ne" "S: 500 5.5.1 Command unrecognized: EHLO"
check "no-esmtp: HELO gets 250" contains "$T/ne" "S: 250 practice.test Hello x [127.0.0.1]"
check "no-esmtp: STARTTLS gets 502 5.5.1" contains "$T/ne" "S: 502 5.5.1 STARTTLS not implemented"
check "no-esmtp: AUTH gets 502 5.5.1" contains "$T/ne" "S: 502 5.5.1 AUTH not implemented"
check "no-esmtp: MAIL parameters get 555 5.5.4" contains "$T/ne" "S: 555 5.5.4 MAIL parameters need EHLO"
check "no-esmtp: a plain message is accepted" contains "$T/ne" "S: 250 2.0.0 Message accepted"
swaks_to "$NE_PORT" "$T/ne2" --from a@example.org --to alice@practice.test
check "no-esmtp: swaks falls back to HELO and gets through" contains "$T/ne2" "<-  250 2.0.0 Message accepted"
finish
