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

# lacks FILE TEXT: the file exists and does not hold the fixed text. A missing file fails: "no
# password in the export" must not pass because no export was written. A check of a file that
# may rightly be absent says so with lacks_if_present.
lacks() {
	_lacks_file=$(probe_absent "$1")
	if [ ! -e "$_lacks_file" ]; then
		printf '  expected NOT to find: %s\n  in %s, but that file does not exist\n' "$2" "$_lacks_file"
		return 1
	fi
	if ! grep -qF -- "$2" "$_lacks_file"; then return 0; fi
	printf '  expected NOT to find: %s\n  in %s:\n' "$2" "$_lacks_file"; grep -nF -- "$2" "$_lacks_file" | head -5
	return 1
}
# lacks_if_present FILE TEXT: as lacks, but a file that does not exist passes.
lacks_if_present() {
	[ -e "$1" ] || return 0
	lacks "$@"
}

# lacks_sanitizer_report FILE: the file (a program's stderr) exists and holds no
# AddressSanitizer, LeakSanitizer or UBSan report. A missing file fails.
lacks_sanitizer_report() {
	_lacks_file=$(probe_absent "$1")
	if [ ! -e "$_lacks_file" ]; then
		printf '  expected a stderr file to search for sanitizer reports, but %s does not exist\n' "$_lacks_file"
		return 1
	fi
	grep -qE 'Sanitizer|runtime error:' "$_lacks_file" || return 0
	grep -E -m 5 'Sanitizer|runtime error:' "$_lacks_file" | sed 's/^/  /'
	return 1
}

# With LACKS_PROBE=1 (tests/lacks_probe.sh), lacks and lacks_sanitizer_report look at a file
# that does not exist instead of FILE, so every check made with them must fail; each such call
# is logged as "FILE:LINE check-name" to $LACKS_PROBE_LOG.
probe_absent() {
	if [ "${LACKS_PROBE:-}" != 1 ]; then
		printf '%s\n' "$1"
		return 0
	fi
	if [ -n "${BASH_VERSION:-}" ]; then
		# shellcheck disable=SC3028,SC3054
		_probe_site="${BASH_SOURCE[3]#"$top_srcdir"/}:${BASH_LINENO[2]}"
	else
		_probe_site="?"
	fi
	printf '%s %s\n' "$_probe_site" "${name:-?}" >>"${LACKS_PROBE_LOG:-/dev/null}"
	printf '%s\n' "$1.absent-for-probe"
}

# Ends the test: exit status 0 when every check passed.
finish() {
	printf '%d checks, %d failed\n' "$test_count" "$test_failures"
	[ "$test_failures" -eq 0 ]
}
