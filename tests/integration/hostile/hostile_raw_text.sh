#!/bin/sh
# tests/integration/hostile/hostile_raw_text.sh: server-chosen text that reaches smtpscope's output by
# another way than an S: line must be escaped as well: a 334 challenge that is not base64 (its
# text is quoted in a note), AUTH mechanisms named in a warning, and the names in a hostile
# certificate shown by /tls.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/hostile/hostile_lib.sh"

script auth 'EHLO client.test' '/auth LOGIN someone Pa55-hostile-w0rd' 'QUIT'
start_hostile b64-escape && run_client b64-escape 20 auth --timeout 2
stop_hostile
common_checks b64-escape 10 1
check "b64-escape: not base64 said" says 'not valid base64'
check "b64-escape: the challenge is shown escaped" contains "$OUT" '\x1b]0;AUTH-TITLE\x07'

# AUTH mechanisms with escape sequences, named by the "not offered" warning.
script mechs 'EHLO client.test' '/auth PLAIN someone Pa55-hostile-w0rd' 'QUIT'
start_hostile ehlo-escape-mechs && run_client ehlo-escape-mechs 20 mechs --timeout 2
stop_hostile
common_checks ehlo-escape-mechs 10 1
check "ehlo-escape-mechs: the warning names the offered mechanisms" says 'does not offer PLAIN'
check "ehlo-escape-mechs: the mechanisms are shown escaped" says 'M000\\x1b\[30m'

# A certificate whose subject and SANs carry escape sequences.
ESC=$(printf '\033')
BEL=$(printf '\007')
hostile_cert evil "/CN=evil${ESC}]0;CERT-TITLE${BEL}cn/O=org${ESC}[31mred" \
    "DNS:san${ESC}[2Jclear.test,email:e${ESC}[5mx@test"
check "hostile certificate made" test -s "$TEST_TMP/evil.crt"
script tls 'EHLO client.test' '/tls' 'QUIT'
start_hostile tls-normal --cert "$TEST_TMP/evil.crt" --key "$TEST_TMP/evil.key" &&
    run_client tls-evil-cert 20 tls --timeout 3 --tls --insecure
stop_hostile
common_checks tls-evil-cert 10 0
check "tls-evil-cert: /tls shows the certificate" says 'subject:'
check "tls-evil-cert: SAN names shown escaped" says 'san(\\x1b|\\033|\\e|\\1B|\^\[)\[2Jclear'

finish
