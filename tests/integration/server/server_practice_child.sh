#!/bin/sh
# server_practice_child.sh: the practice server started for a client (practice_start) never
# outlives it: gone after the parent exits normally, on SIGTERM and on SIGKILL of the parent;
# its output goes to the log under $XDG_STATE_HOME, never to the client's terminal. Checked with
# the launcher's test program (tests/unit/test_practice --hold) and with smtpscope itself in
# batch mode with no HOST.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/server/server_lib.sh"

: "${top_builddir:?run this test through make check}"
HOLDER=$top_builddir/tests/unit/test_practice
XDG_STATE_HOME=$TEST_TMP/state
export XDG_STATE_HOME SMTPSCOPE_TEST_KEEP_STATE=1

# gone PID: true once the process has disappeared (waits up to 5 seconds).
gone() {
	_i=0
	while [ "$_i" -lt 100 ]; do
		if ! kill -0 "$1" 2>/dev/null; then return 0; fi
		# A zombie is gone for our purpose: it runs nothing.
		if [ "$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)" = Z ]; then return 0; fi
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

port_closed() {
	! "$SYSTEM_PYTHON" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)' "$1" 2>/dev/null
}

# holder NAME: runs the launcher's test program holding a practice server, its standard input
# a FIFO kept open on fd 9; sets HPID (the parent), CPID (the server) and CPORT.
holder() {
	mkfifo "$TEST_TMP/in_$1"
	"$HOLDER" --hold <"$TEST_TMP/in_$1" >"$TEST_TMP/hold_$1" 2>&1 &
	HPID=$!
	exec 9>"$TEST_TMP/in_$1"
	_i=0
	while [ "$_i" -lt 200 ] && ! grep -q '^pid ' "$TEST_TMP/hold_$1"; do sleep 0.05; _i=$((_i + 1)); done
	CPID=$(sed -n 's/^pid \([0-9]*\) port .*/\1/p' "$TEST_TMP/hold_$1")
	CPORT=$(sed -n 's/^pid [0-9]* port \([0-9]*\)/\1/p' "$TEST_TMP/hold_$1")
	on_exit "kill -9 $HPID ${CPID:-} 2>/dev/null"
	[ -n "$CPID" ] && wait_port "$CPORT" 5
}

holder normal
check "launcher: the practice server runs" kill -0 "$CPID"
check "launcher: it is smtpscope serve" grep -q serve "/proc/$CPID/cmdline"
check "launcher: its standard output is not the parent's" sh -c "[ \"\$(readlink /proc/$CPID/fd/1)\" != \"\$(readlink /proc/$HPID/fd/1)\" ]"
check "launcher: its output goes to the log under XDG_STATE_HOME" \
	sh -c "[ \"\$(readlink /proc/$CPID/fd/1)\" = '$XDG_STATE_HOME/smtpscope/practice-server.log' ]"
exec 9>&-
wait "$HPID"
check "launcher: the parent exits normally" test $? -eq 0
check "launcher: after a normal exit the server is gone" gone "$CPID"
check "launcher: and its port is closed" port_closed "$CPORT"

holder term
kill -TERM "$HPID"
check "launcher: after SIGTERM of the parent the server is gone" gone "$CPID"
check "launcher: port closed after SIGTERM" port_closed "$CPORT"
exec 9>&-

holder kill
kill -KILL "$HPID"
check "launcher: after SIGKILL of the parent the server is gone" gone "$CPID"
check "launcher: port closed after SIGKILL" port_closed "$CPORT"
exec 9>&-

HOLD_BLOCK_SIGNALS=1
export HOLD_BLOCK_SIGNALS
holder blocked
unset HOLD_BLOCK_SIGNALS
check "launcher: a parent that blocks SIGTERM does not pass that on to the server" \
	sh -c "awk '/^SigBlk:/ { exit (\$2 == \"0000000000000000\") ? 0 : 1 }' /proc/$CPID/status"
kill -KILL "$HPID"
check "launcher: with signals blocked in the parent, SIGKILL of it still ends the server" gone "$CPID"
exec 9>&-

# smtpscope itself, batch mode with no HOST: the default practice server.
# client NAME: smtpscope reading its script from a FIFO on fd 8; sets SPID and CPID.
client() {
	mkfifo "$TEST_TMP/script_$1"
	"$SMTPSCOPE" --script - <"$TEST_TMP/script_$1" >"$TEST_TMP/client_$1" 2>&1 &
	SPID=$!
	exec 8>"$TEST_TMP/script_$1"
	printf 'EHLO learner.test\n' >&8
	CPID=
	_i=0
	while [ "$_i" -lt 200 ]; do
		CPID=$(cat "/proc/$SPID/task/$SPID/children" 2>/dev/null | awk '{ print $1 }')
		if [ -n "$CPID" ] && grep -q "S: 250 HELP" "$TEST_TMP/client_$1"; then break; fi
		sleep 0.05
		_i=$((_i + 1))
	done
	on_exit "kill -9 $SPID ${CPID:-} 2>/dev/null"
}

client normal
check "smtpscope: a practice server child runs" grep -q serve "/proc/$CPID/cmdline"
printf 'QUIT\n' >&8
exec 8>&-
wait "$SPID"
check "smtpscope: exits 0 after QUIT" test $? -eq 0
check "smtpscope: says it is the built-in practice server" contains "$TEST_TMP/client_normal" "built-in practice server"
check "smtpscope: the server's log stays off the client's output" lacks "$TEST_TMP/client_normal" "state greeted -> ready"
check "smtpscope: after a normal exit the server is gone" gone "$CPID"
check "smtpscope: the server's log is in XDG_STATE_HOME" contains "$XDG_STATE_HOME/smtpscope/practice-server.log" "C: EHLO learner.test"

client term
kill -TERM "$SPID"
check "smtpscope: after SIGTERM the server is gone" gone "$CPID"
exec 8>&-

client kill
kill -KILL "$SPID"
check "smtpscope: after SIGKILL the server is gone" gone "$CPID"
exec 8>&-
finish
