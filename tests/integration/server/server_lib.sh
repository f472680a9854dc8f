# server_lib.sh: helpers for the practice server's shell tests. Source after tests/lib.sh.

# start_server NAME [ARGS...]: runs `smtpscope serve ARGS` in the background, waits for its
# ready line and sets NAME_PORT, NAME_TLS_PORT, NAME_PID and NAME_LOG (its session log).
start_server() {
	_name=$1; shift
	_out=$TEST_TMP/$_name.out
	_log=$TEST_TMP/$_name.log
	rm -f "$_out" "$_log"
	# Under --enable-sanitizers: a small quarantine so memory checks measure the server, not
	# ASan's cache of freed blocks; leak reports land in the log (see stopped_clean).
	ASAN_OPTIONS="quarantine_size_mb=4:thread_local_quarantine_size_kb=64:${ASAN_OPTIONS:-}" \
	    "$SMTPSCOPE" serve "$@" >"$_out" 2>"$_log" &
	_pid=$!
	on_exit "kill $_pid 2>/dev/null; wait $_pid 2>/dev/null"
	_i=0
	while [ "$_i" -lt 200 ]; do
		if head -n 1 "$_out" 2>/dev/null | grep -q '^listening '; then break; fi
		if ! kill -0 "$_pid" 2>/dev/null; then break; fi
		sleep 0.05
		_i=$((_i + 1))
	done
	_line=$(head -n 1 "$_out")
	case $_line in
	listening*) ;;
	*) echo "server $_name did not start:"; cat "$_log"; exit 1 ;;
	esac
	_port=$(printf '%s\n' "$_line" | sed -n 's/^listening [^ ]*:\([0-9]*\) .*/\1/p')
	_tls=$(printf '%s\n' "$_line" | sed -n 's/.* tls-port \([0-9a-z]*\) .*/\1/p')
	eval "${_name}_PORT=\$_port; ${_name}_TLS_PORT=\$_tls; ${_name}_PID=\$_pid; ${_name}_LOG=\$_log"
}

# swaks_to PORT OUTFILE [SWAKS-ARGS...]: one swaks session against the practice server on
# 127.0.0.1; the whole transcript goes to OUTFILE; the exit status is swaks's.
swaks_to() {
	_p=$1; _o=$2; shift 2
	swaks --server 127.0.0.1 --port "$_p" --helo client.test --timeout 20 "$@" >"$_o" 2>&1
}

# vmrss PID: the resident memory of a process in kB.
vmrss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# stopped_clean NAME: stops server NAME with SIGTERM, waits for it, and succeeds when it exited
# 0 and its log holds no sanitizer report (leaks, memory errors, undefined behaviour).
stopped_clean() {
	eval "_pid=\$${1}_PID; _log=\$${1}_LOG"
	kill "$_pid" 2>/dev/null
	wait "$_pid"
	_rc=$?
	if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$_log"; then
		grep -A20 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$_log" | head -40
		return 1
	fi
	[ "$_rc" -eq 0 ] || { echo "  server exit status $_rc"; tail -5 "$_log"; return 1; }
}
