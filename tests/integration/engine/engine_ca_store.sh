#!/bin/sh
# The system CA store, pointed at a test CA through SSL_CERT_FILE / SSL_CERT_DIR: a certificate
# from that CA verifies whether the bundle file sits inside the hashed directory (the directory
# is then read by hash, certificate by certificate) or elsewhere (the bundle is read whole); a
# store without the CA leaves the issuer unknown, and a self-signed certificate stays
# self-signed.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/engine/engine_lib.sh"

make_certs || exit 1
(
	cd "$CERTS" || exit 1
	openssl req -newkey rsa:2048 -nodes -keyout good.key -out good.csr -subj /CN=localhost \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" &&
	openssl x509 -req -in good.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
		-copy_extensions copy -out good.pem -days 2
) >>"$TEST_TMP/openssl.log" 2>&1 || { cat "$TEST_TMP/openssl.log"; exit 1; }

# store DIR CERT...: a hashed directory holding the certificates, as c_rehash makes it.
store() {
	dir=$1; shift
	mkdir -p "$dir"
	for cert in "$@"; do cp "$cert" "$dir/$(basename "$cert")"; done
	openssl rehash "$dir" >>"$TEST_TMP/openssl.log" 2>&1
}
# with_store FILE DIR OUT TARGET: a batch run with the system store at FILE and DIR.
with_store() {
	RC=0
	SSL_CERT_FILE=$1 SSL_CERT_DIR=$2 timeout 60 "$SMTPSCOPE" --script "$TEST_TMP/s.script" \
		"$4" >"$3" 2>&1 || RC=$?
}
printf 'EHLO client.example\n/starttls\nEHLO client.example\n/tls\nQUIT\n' >"$TEST_TMP/s.script"

# Debian's layout: the bundle inside the hashed directory, both holding the CA.
store "$TEST_TMP/debian" "$CERTS/ca.pem"
cat "$CERTS/ca.pem" >"$TEST_TMP/debian/ca-certificates.crt"
# The bundle elsewhere; the hashed directory holds another certificate only.
store "$TEST_TMP/other" "$CERTS/self.pem"
mkdir -p "$TEST_TMP/bundle"
cat "$CERTS/ca.pem" >"$TEST_TMP/bundle/ca-bundle.crt"
# A hashed directory and bundle without the CA.
store "$TEST_TMP/without" "$CERTS/self.pem"
cat "$CERTS/self.pem" >"$TEST_TMP/without/ca-certificates.crt"

start_aiosmtpd good --cert "$CERTS/good.pem" --key "$CERTS/good.key" || exit 1
with_store "$TEST_TMP/debian/ca-certificates.crt" "$TEST_TMP/debian" "$TEST_TMP/debian.out" \
	"localhost:$PORT"
check "bundle inside the hashed directory: exit 0" status_is 0
check "bundle inside the hashed directory: verified" contains "$TEST_TMP/debian.out" \
	"certificate verified"
check "bundle inside the hashed directory: /tls says OK" contains "$TEST_TMP/debian.out" \
	"verification: OK"

with_store "$TEST_TMP/bundle/ca-bundle.crt" "$TEST_TMP/other" "$TEST_TMP/bundle.out" \
	"localhost:$PORT"
check "bundle elsewhere: exit 0" status_is 0
check "bundle elsewhere: verified" contains "$TEST_TMP/bundle.out" "certificate verified"

with_store "$TEST_TMP/without/ca-certificates.crt" "$TEST_TMP/without" "$TEST_TMP/without.out" \
	"localhost:$PORT"
check "CA in neither: exit 2" status_is 2
check "CA in neither: unknown issuer" contains "$TEST_TMP/without.out" \
	"smtpscope explain tls-verify-unknown-issuer"

start_aiosmtpd self --cert "$CERTS/self.pem" --key "$CERTS/self.key" || exit 1
with_store "$TEST_TMP/debian/ca-certificates.crt" "$TEST_TMP/debian" "$TEST_TMP/self.out" \
	"localhost:$PORT"
check "self-signed, not in the store: exit 2" status_is 2
check "self-signed, not in the store: said so" contains "$TEST_TMP/self.out" \
	"self-signed certificate"
# A self-signed certificate the store holds (by hash) is trusted.
with_store "$TEST_TMP/without/ca-certificates.crt" "$TEST_TMP/without" "$TEST_TMP/trusted.out" \
	"localhost:$PORT"
check "self-signed, in the store: exit 0" status_is 0
check "self-signed, in the store: verified" contains "$TEST_TMP/trusted.out" "certificate verified"
finish
