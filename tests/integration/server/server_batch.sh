#!/bin/sh
# server_batch.sh: the practice server driven by smtpscope's own batch mode: STARTTLS and the
# three AUTH mechanisms, implicit TLS, pipelining, /data with dot-stuffed lines (checked in the
# Maildir), and every scenario's documented reply; plus the default (no HOST) with --scenario.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/server/server_lib.sh"

T=$TEST_TMP
# batch NAME TARGET [OPTIONS...] < SCRIPT: runs a script; output in $T/NAME, status in $T/NAME.rc.
batch() {
	_n=$1; shift
	cat >"$T/$_n.script"
	"$SMTPSCOPE" "$@" --timeout 15 --script "$T/$_n.script" >"$T/$_n" 2>&1
	echo $? >"$T/$_n.rc"
}
status_is() { [ "$(cat "$T/$1.rc")" = "$2" ] || { echo "  exit status $(cat "$T/$1.rc"), wanted $2"; sed 's/^/  | /' "$T/$1" | tail -20; return 1; }; }
printf 'Subject: dots from batch\n\nbefore\n.\n.leading\nafter\n' >"$T/dots.eml"

start_server N --maildir "$T/md"
batch tls "127.0.0.1:$N_PORT" --insecure <<EOF2
EHLO batch.test
/starttls
EHLO batch.test
/auth PLAIN practice secret123
MAIL FROM:<batch@example.org>
RCPT TO:<alice@practice.test>
/data $T/dots.eml
QUIT
EOF2
check "batch STARTTLS + AUTH PLAIN: exit 0" status_is tls 0
check "batch: 220 2.0.0 to STARTTLS" contains "$T/tls" "S: 220 2.0.0 Ready to start TLS"
check "batch: 235 2.7.0" contains "$T/tls" "S: 235 2.7.0 Authentication successful"
check "batch: message accepted" contains "$T/tls" "S: 250 2.0.0 Message accepted"
f=$(grep -l "dots from batch" "$T"/md/new/* 2>/dev/null | head -n 1)
check "batch: the message is in the Maildir" test -n "$f"
check "batch: the lone dot line is stored" grep -qx '\.' "${f:-/dev/null}"
check "batch: .leading is stored" grep -qx '\.leading' "${f:-/dev/null}"
check "batch: the password is not in the server log" lacks "$N_LOG" "secret123"

batch login "127.0.0.1:$N_PORT" <<EOF2
EHLO batch.test
/auth LOGIN practice secret123
QUIT
EOF2
check "batch AUTH LOGIN: 334 Username: and 235" contains "$T/login" "S: 235 2.7.0"
batch cram "127.0.0.1:$N_PORT" <<EOF2
EHLO batch.test
/auth CRAM-MD5 practice secret123
QUIT
EOF2
check "batch AUTH CRAM-MD5: 235" contains "$T/cram" "S: 235 2.7.0"
batch badpw "127.0.0.1:$N_PORT" <<EOF2
EHLO batch.test
/auth PLAIN practice wrong
QUIT
EOF2
check "batch wrong password: 535 5.7.8" contains "$T/badpw" "S: 535 5.7.8"
check "batch wrong password: exit 1" status_is badpw 1

batch implicit "127.0.0.1:$N_TLS_PORT" --tls --insecure <<EOF2
EHLO batch.test
QUIT
EOF2
check "batch implicit TLS: exit 0" status_is implicit 0
check "batch implicit TLS: greeting" contains "$T/implicit" "S: 220 practice.test ESMTP"

batch pipe "127.0.0.1:$N_PORT" <<EOF2
EHLO batch.test
/pipeline MAIL FROM:<p@example.org>; RCPT TO:<alice@practice.test>; RCPT TO:<bob@practice.test>
RSET
QUIT
EOF2
check "batch pipelining: exit 0" status_is pipe 0
check "batch pipelining: both recipients" contains "$T/pipe" "S: 250 2.1.5 Recipient <bob@practice.test> OK"

# Scenarios, each with the reply its help entry documents.
scenario() { # scenario NAME EXPECTED-LINE [SERVER-OPTIONS...] < SCRIPT
	_s=$1; _want=$2; shift 2
	if [ -n "${SC_PID:-}" ]; then kill "$SC_PID" 2>/dev/null; wait "$SC_PID" 2>/dev/null; fi
	start_server SC --scenario "$_s" "$@"
	batch "sc_$_s" "127.0.0.1:$SC_PORT"
	check "batch, scenario $_s: $_want" contains "$T/sc_$_s" "$_want"
}
scenario auth-required "S: 530 5.7.0 Authentication required" <<EOF2
EHLO b.test
MAIL FROM:<a@example.org>
QUIT
EOF2
scenario tls-required "S: 530 5.7.0 Must issue a STARTTLS command first" <<EOF2
EHLO b.test
MAIL FROM:<a@example.org>
QUIT
EOF2
scenario relay-denied "S: 554 5.7.1 <x@example.com>: Relay access denied" <<EOF2
EHLO b.test
MAIL FROM:<a@example.org>
RCPT TO:<x@example.com>
QUIT
EOF2
scenario unknown-user "S: 550 5.1.1 <nobody@practice.test>" <<EOF2
EHLO b.test
MAIL FROM:<a@example.org>
RCPT TO:<nobody@practice.test>
QUIT
EOF2
scenario mailbox-full "S: 452 4.2.2 <alice@practice.test>: Mailbox full" <<EOF2
EHLO b.test
MAIL FROM:<a@example.org> SIZE=4000
RCPT TO:<alice@practice.test>
QUIT
EOF2
scenario too-big "S: 552 5.3.4 Message size exceeds fixed maximum message size (10240)" <<EOF2
EHLO b.test
MAIL FROM:<a@example.org> SIZE=50000
QUIT
EOF2
scenario rate-limit "S: 421 4.7.0 practice.test Too many messages from you (1)" --rate-limit 1 <<EOF2
EHLO b.test
MAIL FROM:<a@example.org>
RCPT TO:<alice@practice.test>
/data $T/dots.eml
MAIL FROM:<a@example.org>
EOF2
scenario blocked "S: 554 5.7.1 practice.test Your address [127.0.0.1] is blocked here" <<EOF2
QUIT
EOF2
scenario busy "S: 421 4.3.2 practice.test Too busy right now" <<EOF2
EHLO b.test
EOF2
scenario slow "S: 221 2.0.0 practice.test Bye" --delay 0.2 <<EOF2
EHLO b.test
QUIT
EOF2
scenario drop "S: 354 End data" <<EOF2
EHLO b.test
MAIL FROM:<a@example.org>
RCPT TO:<alice@practice.test>
/data $T/dots.eml
QUIT
EOF2
check "batch, scenario drop: no reply to the message" lacks "$T/sc_drop" "Message accepted"
check "batch, scenario drop: a non-zero exit" sh -c "[ \"\$(cat '$T/sc_drop.rc')\" != 0 ]"
scenario bad-tls "S: 454 4.7.0 TLS not available due to temporary reason" <<EOF2
EHLO b.test
/starttls
QUIT
EOF2
scenario no-esmtp "S: 500 5.5.1 Command unrecognized: EHLO" <<EOF2
EHLO b.test
HELO b.test
QUIT
EOF2
check "batch, scenario no-esmtp: HELO works" contains "$T/sc_no-esmtp" "S: 250 practice.test Hello b.test"

start_server GL --scenario greylist --greylist-delay 1
batch gl1 "127.0.0.1:$GL_PORT" <<EOF2
EHLO b.test
MAIL FROM:<g@example.org>
RCPT TO:<alice@practice.test>
QUIT
EOF2
check "batch, greylist: first attempt 451 4.7.1" contains "$T/gl1" "S: 451 4.7.1 <alice@practice.test>: Greylisted"
check "batch, greylist: exit 1 on the 4xx" status_is gl1 1
sleep 1.2
batch gl2 "127.0.0.1:$GL_PORT" <<EOF2
EHLO b.test
MAIL FROM:<g@example.org>
RCPT TO:<alice@practice.test>
/data $T/dots.eml
QUIT
EOF2
check "batch, greylist: the retry after the delay is accepted" contains "$T/gl2" "S: 250 2.0.0 Message accepted"
check "batch, greylist: exit 0" status_is gl2 0

# The default: no HOST starts the built-in practice server with the scenario asked for.
XDG_STATE_HOME=$T/state
export XDG_STATE_HOME
batch default --scenario tls-required,auth-required <<EOF2
EHLO b.test
MAIL FROM:<a@example.org>
QUIT
EOF2
check "default: says it is the built-in practice server and the scenario" contains "$T/default" "scenario tls-required,auth-required"
check "default: the scenario is in force" contains "$T/default" "S: 530 5.7.0 Must issue a STARTTLS command first"
finish
