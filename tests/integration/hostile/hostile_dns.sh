#!/bin/sh
# tests/integration/hostile/hostile_dns.sh: `smtpscope mx` against a misbehaving DNS server
# (tests/servers/hostile_dns.py): host names carrying escape sequences and NUL, truncated
# answers, lying record lengths, 600 records, garbage. A clean exit in time, words for what went
# wrong, and nothing a terminal would obey on the output.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/hostile/hostile_lib.sh"

# dns_case MODE: runs `smtpscope mx example.test` against the hostile DNS server in MODE.
dns_case() {
	"$SYSTEM_PYTHON" "$TEST_SERVERS/hostile_dns.py" "$1" >"$TEST_TMP/dns.$1" &
	dns_pid=$!
	on_exit "kill $dns_pid 2>/dev/null"
	for _ in $(seq 1 100); do
		[ -s "$TEST_TMP/dns.$1" ] && break
		sleep 0.05
	done
	OUT="$TEST_TMP/mx.$1.out"
	ERR="$TEST_TMP/mx.$1.err"
	t0=$(date +%s)
	timeout -s KILL 40 "$SMTPSCOPE" mx example.test \
	    --dns-server "127.0.0.1:$(head -n 1 "$TEST_TMP/dns.$1")" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	ELAPSED=$(( $(date +%s) - t0 ))
	killed=0
	kill "$dns_pid" 2>/dev/null
	printf '# mx %s: exit %s after %s s\n' "$1" "$RC" "$ELAPSED"
	check "$1: exits cleanly" exited_cleanly 0 1 2
	check "$1: within 30 s" within 30
	check "$1: no raw control bytes on stdout" no_raw_controls "$OUT"
	check "$1: no raw control bytes on stderr" no_raw_controls "$ERR"
}

dns_case esc-name
check "esc-name: both exchangers listed" says '^ +20 ' "$OUT"
check "esc-name: the escape is shown as text" says 'mx(\\027|\\x1b|\\033)\[31mred'

dns_case truncated
check "truncated: says the answer is broken" says 'could not be parsed|malformed|truncated' "$ERR"
dns_case bad-rdlen
check "bad-rdlen: says the answer is broken" says 'could not be parsed|malformed' "$ERR"
dns_case many
check "many: all 600 exchangers listed" test "$(grep -c ' mx[0-9]*\.t$' "$OUT")" -eq 600
dns_case garbage
check "garbage: a DNS failure is said" says 'DNS|look-up' "$ERR"

finish
