#!/bin/sh
# tests/integration/hostile/hostile_tls.sh: batch mode against TLS misbehaviour: a close during the
# handshake (after STARTTLS and on an implicit-TLS port), garbage instead of a handshake, and
# plain-text bytes injected after the 220 to STARTTLS, which must be discarded and reported,
# never read as if TLS protected them (the STARTTLS command-injection class, CVE-2011-0411).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/hostile/hostile_lib.sh"

LIMIT=25
hostile_cert srv '/CN=localhost'
CERT="--cert $TEST_TMP/srv.crt --key $TEST_TMP/srv.key"

script starttls 'EHLO client.test' '/starttls' 'EHLO client.test' 'NOOP' 'QUIT'
script plain 'EHLO client.test' 'NOOP' 'QUIT'

# Closed or garbage where the handshake should be: a clear failure, nothing crashes.
while read -r mode how words; do
	# shellcheck disable=SC2086
	start_hostile "$mode" $CERT || { check "$mode: server starts" false; continue; }
	if [ "$how" = starttls ]; then
		run_client "$mode" "$LIMIT" starttls --timeout 3 --insecure
	else
		run_client "$mode" "$LIMIT" plain --timeout 3 --tls --insecure
	fi
	stop_hostile
	common_checks "$mode" 15 2
	check "$mode: the handshake failure is said" says 'TLS handshake failed'
	check "$mode: the reason is given" says "$words"
	check "$mode: nothing is sent after the failure" lacks "$OUT" 'C: NOOP'
	[ "$how" = starttls ] &&
	    check "$mode: transcript has the 220 to STARTTLS" transcript_has 'S: 220 2.0.0 go ahead'
done <<'EOF'
starttls-close starttls reset|closed|eof|unexpected
starttls-garbage starttls wrong.version|record|packet
starttls-inject-split starttls wrong.version|record|packet
tls-close implicit reset|closed|eof|unexpected
tls-garbage implicit wrong.version|record|packet
EOF
check "starttls-garbage: the garbage never shows as a reply" \
    lacks "$TEST_TMP/starttls-garbage.out" 'S: garbage'
check "starttls-inject-split: the second write never shows as a reply" \
    lacks "$TEST_TMP/starttls-inject-split.out" 'INJECTED'
check "tls-garbage: plain text never shows as a reply" \
    lacks "$TEST_TMP/tls-garbage.out" 'S: 220 this is not TLS'

# A handshake answered one byte every half second: the handshake has a deadline of its own.
# shellcheck disable=SC2086
start_hostile tls-tarpit $CERT && run_client tls-tarpit "$LIMIT" plain --timeout 3 --tls --insecure
stop_hostile
common_checks tls-tarpit 10 2
check "tls-tarpit: the handshake timeout is said" says 'TLS handshake.*in 3 s'

# Lines injected in the same write as the 220: thrown away, reported, and the EHLO over TLS gets
# the server's real answer. Through /starttls and through --starttls.
for how in command option; do
	c=starttls-inject-$how
	# shellcheck disable=SC2086
	start_hostile starttls-inject $CERT || { check "$c: server starts" false; continue; }
	if [ $how = command ]; then
		run_client "$c" "$LIMIT" starttls --timeout 3 --insecure
	else
		run_client "$c" "$LIMIT" plain --timeout 3 --insecure --starttls
	fi
	stop_hostile
	common_checks "$c" 15 0
	check "$c: injection reported" says 'arrived after the 220 to STARTTLS and before TLS'
	check "$c: both lines counted" says '2 line\(s\) arrived'
	check "$c: discarded" says 'discarded'
	check "$c: injected lines never shown as replies" lacks "$OUT" 'S: 250-INJECTED'
	check "$c: injected AUTH never shown" lacks "$OUT" 'AUTH INJECTED'
	check "$c: TLS came up" says 'TLS is up'
	check "$c: EHLO over TLS got the real reply" contains "$OUT" 'S: 250 AFTER-TLS-EHLO'
	check "$c: the warning is in the transcript" transcript_has 'event="starttls-injection"'
	check "$c: injected lines not in the transcript as replies" lacks "$TR" 'S: 250-INJECTED'
	check "$c: session completes" contains "$OUT" 'S: 221 2.0.0 bye'
done

finish
