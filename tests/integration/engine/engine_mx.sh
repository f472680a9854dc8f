#!/bin/sh
# MX look-ups through a DNS stub on loopback: `smtpscope mx` lists exchangers by preference,
# no MX falls back to the domain itself, a null MX and a missing domain are said plainly, and
# @domain connects to the best MX.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/engine/engine_lib.sh"

start_aiosmtpd mx || exit 1
"$SYSTEM_PYTHON" "$TEST_SERVERS/dns_stub.py" "$TEST_TMP/dns.port" \
	example.test=20:backup.example.test,10:localhost,30:last.example.test \
	nomx.test= nullmx.test=0:. >"$TEST_TMP/dns.log" 2>&1 &
on_exit "kill $! 2>/dev/null; wait $! 2>/dev/null"
wait_file "$TEST_TMP/dns.port" || { cat "$TEST_TMP/dns.log"; exit 1; }
DNS="127.0.0.1:$(cat "$TEST_TMP/dns.port")"

RC=0
"$SMTPSCOPE" mx example.test --dns-server "$DNS" >"$TEST_TMP/mx.out" 2>&1 || RC=$?
check "mx: exit 0" status_is 0
check "mx: sorted by preference" sh -c "awk '/localhost/{a=NR} /backup/{b=NR} /last/{c=NR} END{exit !(a && b && c && a < b && b < c)}' '$TEST_TMP/mx.out'"
check "mx: preferences shown" sh -c "grep -q '10 *localhost' '$TEST_TMP/mx.out'"

RC=0
"$SMTPSCOPE" mx nomx.test --dns-server "$DNS" >"$TEST_TMP/nomx.out" 2>&1 || RC=$?
check "no MX: exit 0" status_is 0
check "no MX: the domain itself" contains "$TEST_TMP/nomx.out" "has no MX records"

RC=0
"$SMTPSCOPE" mx nullmx.test --dns-server "$DNS" >"$TEST_TMP/nullmx.out" 2>&1 || RC=$?
check "null MX: said plainly" contains "$TEST_TMP/nullmx.out" "accepts no mail"

RC=0
"$SMTPSCOPE" mx missing.test --dns-server "$DNS" >"$TEST_TMP/missing.out" 2>&1 || RC=$?
check "missing domain: exit 1" status_is 1
check "missing domain: NXDOMAIN in words" contains "$TEST_TMP/missing.out" "does not exist"

RC=0
"$SMTPSCOPE" mx >"$TEST_TMP/usage.out" 2>&1 || RC=$?
check "mx without a domain: exit 2" status_is 2

printf 'EHLO client.example\nQUIT\n' >"$TEST_TMP/s.script"
run_batch "$TEST_TMP/at.out" "$TEST_TMP/s.script" --dns-server "$DNS" --port "$PORT" @example.test
check "@domain: exit 0" status_is 0
check "@domain: the best MX is used" contains "$TEST_TMP/at.out" "MX 10 localhost  <- best, used"
check "@domain: connected to it" contains "$TEST_TMP/at.out" "S: 220 aiosmtpd.test"

run_batch "$TEST_TMP/atnull.out" "$TEST_TMP/s.script" --dns-server "$DNS" @nullmx.test
check "@domain with null MX: exit 2" status_is 2
check "@domain with null MX: explained" contains "$TEST_TMP/atnull.out" "smtpscope explain null-mx"
finish
