#!/bin/sh
# server_options.sh: `smtpscope serve` options: --log, --cert/--key, --listen (IPv6 loopback
# too), --tls-port none, --user, --domain, --help, bad options, and the 421 a client gets when
# the server is stopped.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/server/server_lib.sh"

T=$TEST_TMP
dialog() { _p=$1; _o=$2; shift 2; "$SYSTEM_PYTHON" "$top_srcdir/tests/integration/server/server_dialog.py" "$_p" "$@" >"$_o" 2>&1; }

"$SMTPSCOPE" serve --help >"$T/help"
check "--help exits 0" test $? -eq 0
check "--help names --scenario" contains "$T/help" "--scenario LIST"
check "--help names --data-timeout" contains "$T/help" "--data-timeout SECS"
check "--help says the handshake follows --idle-timeout" contains "$T/help" "TLS handshakes"
"$SMTPSCOPE" serve --data-timeout 0 >"$T/baddata" 2>&1
check "--data-timeout 0 exits 2" test $? -eq 2
"$SMTPSCOPE" serve --no-such-option >"$T/badopt" 2>&1
check "an unknown option exits 2" test $? -eq 2
"$SMTPSCOPE" serve --port 99999 >"$T/badport" 2>&1
check "a bad port exits 2" test $? -eq 2
"$SMTPSCOPE" serve --cert "$T/missing.pem" >"$T/nocert" 2>&1
check "a missing certificate exits 2" test $? -eq 2
check "and names the file" contains "$T/nocert" "missing.pem"

# --log FILE: the session log goes there, nothing to standard error.
start_server L --log "$T/session.log"
dialog "$L_PORT" "$T/l" "EHLO x" "QUIT"
check "--log: the session is in the file" contains "$T/session.log" "C: EHLO x"
check "--log: standard error stays quiet" test ! -s "$L_LOG"
check "--log: the first output line is the machine-readable one" sh -c "head -n 1 '$T/L.out' | grep -Eq '^listening 127\.0\.0\.1:[0-9]+ tls-port [0-9]+ user practice password secret123 scenario normal domain practice\.test$'"

# --cert/--key: our own certificate instead of the generated one.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj "/CN=custom.practice.test" -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
start_server C --cert "$T/cert.pem" --key "$T/key.pem"
openssl s_client -connect "127.0.0.1:$C_TLS_PORT" </dev/null 2>/dev/null | openssl x509 -noout -subject >"$T/subject" 2>&1
check "--cert: the implicit TLS port shows our certificate" contains "$T/subject" "custom.practice.test"
openssl s_client -starttls smtp -connect "127.0.0.1:$C_PORT" </dev/null 2>/dev/null | openssl x509 -noout -subject >"$T/subject2" 2>&1
check "--cert: STARTTLS shows it too" contains "$T/subject2" "custom.practice.test"
check "--cert: the log has the fingerprint" contains "$C_LOG" "SHA-256"
start_server G
openssl s_client -connect "127.0.0.1:$G_TLS_PORT" </dev/null 2>/dev/null | openssl x509 -noout -subject -ext subjectAltName >"$T/gen" 2>&1
check "generated certificate: CN is the domain" contains "$T/gen" "CN = practice.test"
check "generated certificate: SAN has localhost and 127.0.0.1" sh -c "grep -q 'DNS:localhost' '$T/gen' && grep -q 'IP Address:127.0.0.1' '$T/gen'"

# --tls-port none, --listen with an explicit loopback port.
p=$(free_port)
start_server N --listen "127.0.0.1:$p" --tls-port none
check "--listen ADDR:PORT uses that port" test "$N_PORT" = "$p"
check "--tls-port none: no implicit TLS port" test "$N_TLS_PORT" = none
check "--listen on loopback: no warning" lacks "$T/N.log" "WARNING"

if "$SYSTEM_PYTHON" -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	start_server V6 --listen "[::1]:0"
	check "IPv6 loopback: the ready line shows [::1]" sh -c "head -n 1 '$T/V6.out' | grep -q '^listening \[::1\]:'"
	"$SYSTEM_PYTHON" -c 'import socket,sys; s=socket.create_connection(("::1", int(sys.argv[1])), 5); print(s.recv(200).decode())' "$V6_PORT" >"$T/v6" 2>&1
	check "IPv6 loopback: greets" contains "$T/v6" "220 practice.test"
else
	echo "# no IPv6 loopback here: skipping the [::1] checks"
fi

# --user and --domain.
start_server U --user teacher:chalk --user student:pencil --domain school.test --scenario relay-denied
swaks_to "$U_PORT" "$T/u1" --from a@example.org --to x@example.com --auth PLAIN --auth-user student --auth-password pencil
check "--user: a second user can log in and relay" contains "$T/u1" "<-  250 2.0.0 Message accepted"
swaks_to "$U_PORT" "$T/u2" --from a@example.org --to x@school.test --auth PLAIN --auth-user practice --auth-password secret123
check "--user: the default user is gone when users are given" contains "$T/u2" "535 5.7.8"
check "--domain: the greeting uses it" contains "$T/u2" "<-  220 school.test ESMTP"
swaks_to "$U_PORT" "$T/u3" --from a@example.org --to x@practice.test
check "--domain: practice.test is now another domain" contains "$T/u3" "554 5.7.1"
check "--user: the first user is the one printed" sh -c "head -n 1 '$T/U.out' | grep -q 'user teacher password chalk'"

# Stopping the server tells connected clients.
start_server Q
"$SYSTEM_PYTHON" - "$Q_PORT" "$Q_PID" >"$T/q" 2>&1 <<'PY'
import os, signal, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.settimeout(5)
s.recv(200)
s.sendall(b"EHLO x\r\n")
time.sleep(0.3)
s.recv(2000)
os.kill(int(sys.argv[2]), signal.SIGTERM)
print(s.recv(200).decode())
PY
check "SIGTERM: a connected client gets 421 4.3.2" contains "$T/q" "421 4.3.2 practice.test Server shutting down"
finish
