# engine_lib.sh: helpers for the session engine's integration tests (source after tests/lib.sh):
# certificates made with openssl at test time, the aiosmtpd and raw test servers, batch runs.

export SMTPSCOPE_HELP_DIR

# Waits up to 10 s for a file to appear (a server's port file).
wait_file() {
	n=0
	while [ ! -s "$1" ]; do
		n=$((n + 1))
		[ "$n" -gt 200 ] && return 1
		sleep 0.05
	done
}

# make_certs: in $TEST_TMP/certs: a self-signed cert for localhost and 127.0.0.1
# (self.pem/self.key), a CA (ca.pem), a leaf for the wrong name (wrong.pem/.key) and an expired
# leaf for localhost (expired.pem/.key), both signed by the CA.
make_certs() {
	CERTS="$TEST_TMP/certs"
	mkdir -p "$CERTS"
	(
		cd "$CERTS" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -keyout self.key -out self.pem -days 2 \
			-subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" &&
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
			-subj "/CN=smtpscope test CA" &&
		openssl req -newkey rsa:2048 -nodes -keyout wrong.key -out wrong.csr \
			-subj /CN=wrong.example -addext "subjectAltName=DNS:wrong.example" &&
		openssl x509 -req -in wrong.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-copy_extensions copy -out wrong.pem -days 2 &&
		openssl req -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr \
			-subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" &&
		openssl x509 -req -in expired.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-copy_extensions copy -out expired.pem -days -1
	) >"$TEST_TMP/openssl.log" 2>&1 || { cat "$TEST_TMP/openssl.log"; return 1; }
}

# start_aiosmtpd NAME [OPTIONS]: starts the aiosmtpd test server; sets PORT and MAILDIR.
start_aiosmtpd() {
	name=$1; shift
	MAILDIR="$TEST_TMP/mail-$name"
	"$SYSTEM_PYTHON" "$TEST_SERVERS/aiosmtpd_server.py" "$TEST_TMP/$name.port" "$MAILDIR" \
		"$@" >"$TEST_TMP/$name.log" 2>&1 &
	eval "pid_$name=$!"
	on_exit "kill $! 2>/dev/null; wait $! 2>/dev/null"
	if ! wait_file "$TEST_TMP/$name.port"; then
		echo "the aiosmtpd server $name did not start:"; cat "$TEST_TMP/$name.log"
		return 1
	fi
	PORT=$(cat "$TEST_TMP/$name.port")
}

# start_raw MODE: starts the scripted raw server in MODE; sets PORT.
start_raw() {
	"$SYSTEM_PYTHON" "$TEST_SERVERS/raw_server.py" "$TEST_TMP/raw-$1.port" "$@" \
		>"$TEST_TMP/raw-$1.log" 2>&1 &
	on_exit "kill $! 2>/dev/null; wait $! 2>/dev/null"
	if ! wait_file "$TEST_TMP/raw-$1.port"; then
		echo "the raw server ($1) did not start:"; cat "$TEST_TMP/raw-$1.log"
		return 1
	fi
	PORT=$(cat "$TEST_TMP/raw-$1.port")
}

# run_batch OUT SCRIPT [OPTIONS] TARGET: runs smtpscope in batch mode (output in OUT, exit status
# in RC); never longer than 60 s.
run_batch() {
	out=$1; script=$2; shift 2
	RC=0
	timeout 60 "$SMTPSCOPE" --script "$script" "$@" >"$out" 2>&1 || RC=$?
}

# status_is EXPECTED: the last run_batch ended with that exit status.
status_is() {
	if [ "$RC" -eq "$1" ]; then return 0; fi
	printf '  exit status %s, expected %s\n' "$RC" "$1"
	return 1
}
