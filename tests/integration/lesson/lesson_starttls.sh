#!/bin/sh
# lesson starttls end to end on the tls-required practice server: 530 before TLS (expected);
# STARTTLS; MAIL straight after the handshake gets 503 and the "EHLO again" hint; EHLO again;
# MAIL accepted inside TLS.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/lesson/lesson_lib.sh"

run_lesson starttls
lesson_completed starttls 6
out=$TEST_TMP/starttls.out
check "refused in plain text" contains "$out" "S: 530 5.7.0 Must issue a STARTTLS command first"
check "TLS came up" contains "$out" "-- TLS is up"
check "step 3 passed once TLS was up" contains "$out" "ok step 3 of 6 passed: reply 220 after STARTTLS;tls"
check "MAIL before the second EHLO: the hint" hint_in_step starttls 4 \
	"say EHLO localhost again before MAIL"
check "the 503 is quoted" hint_in_step starttls 4 "S: 503 5.5.1"
finish
