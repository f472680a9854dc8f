# tests/lib.sh: helpers shared by the shell tests. Source it; it sets `set -u` and a cleanup trap.
set -u

: "${SMTPSCOPE:?run this test through make check}"
: "${top_srcdir:?run this test through make check}"
SYSTEM_PYTHON=${SYSTEM_PYTHON:-/usr/bin/python3}
# The fixture servers (and the practice-server client library) every area starts.
TEST_SERVERS="$top_srcdir/tests/servers"

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/smtpscope-test.XXXXXX")
test_cleanup_hooks=""
test_failures=0
test_count=0

# Registers a command to run at exit (servers to stop and the like).
on_exit() { test_cleanup_hooks="$1; $test_cleanup_hooks"; }
test_cleanup() { eval "$test_cleanup_hooks"; rm -rf "$TEST_TMP"; }
trap test_cleanup EXIT
trap 'exit 1' INT TERM

# A free TCP port on 127.0.0.1 (bind port 0, read it back).
free_port() {
	"$SYSTEM_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits up to $2 seconds (default 10) for a TCP port on 127.0.0.1 to accept.
wait_port() {
	"$SYSTEM_PYTHON" - "$1" "${2:-10}" <<'PY'
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
end = time.time() + limit
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close(); sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

# check NAME COMMAND...: runs a check, prints ok/FAIL with its name, counts failures.
check() {
	name=$1; shift
	test_count=$((test_count + 1))
	if "$@"; then
		printf 'ok %d - %s\n' "$test_count" "$name"
	else
		printf 'FAIL %d - %s\n' "$test_count" "$name"
		test_failures=$((test_failures + 1))
	fi
}

# contains FILE TEXT: the file holds the fixed text (shows the file when it does not).
contains() {
	if grep -qF -- "$2" "$1"; then return 0; fi
	printf '  expected to find: %s\n  in %s:\n' "$2" "$1"; sed 's/^/  | /' "$1" | head -40
	return 1
}
lacks() {
	if ! grep -qF -- "$2" "$1"; then return 0; fi
	printf '  expected NOT to find: %s\n  in %s:\n' "$2" "$1"; grep -nF -- "$2" "$1" | head -5
	return 1
}

# Ends the test: exit status 0 when every check passed.
finish() {
	printf '%d checks, %d failed\n' "$test_count" "$test_failures"
	[ "$test_failures" -eq 0 ]
}
