#!/bin/sh
# tests/integration/hostile/hostile_interrupt.sh: the user gives up on a silent server in batch mode
# (Ctrl-C, or SIGTERM from a supervisor) before --timeout fires: smtpscope must still exit
# cleanly, say it was interrupted, and save the transcript so far to --transcript.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/hostile/hostile_lib.sh"

script plain 'EHLO client.test' 'NOOP' 'QUIT'

# interrupt CASE SIGNAL [SCRIPT [TEXT]]: runs batch mode against the server with the signal's
# default action restored (a shell leaves SIGINT ignored in background jobs), sends SIGNAL once
# TEXT (default "C: EHLO") is in its output.
interrupt() {
	OUT="$TEST_TMP/$1.out"
	TR="$TEST_TMP/$1.transcript"
	ERR="$TEST_TMP/$1.err"
	RC=$("$SYSTEM_PYTHON" - "$SMTPSCOPE" "$HPORT" "$TEST_TMP/${3:-plain}.script" "$TR" "$OUT" \
	    "$ERR" "$2" "${4:-C: EHLO}" <<'PY'
import signal, subprocess, sys, time
exe, port, script, tr, out, err, sig, wait_for = sys.argv[1:]
with open(out, "wb") as o, open(err, "wb") as e:
    p = subprocess.Popen([exe, "127.0.0.1:" + port, "--script", script, "--transcript", tr,
                          "--timeout", "60"], stdin=subprocess.DEVNULL, stdout=o, stderr=e,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    end = time.time() + 10
    while time.time() < end and wait_for.encode() not in open(out, "rb").read():
        time.sleep(0.05)
    p.send_signal(getattr(signal, "SIG" + sig))
    try:
        rc = p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = 137
print(rc if rc >= 0 else 128 - rc)
PY
)
	printf '# %s: exit %s\n' "$1" "$RC"
}

for sig in INT TERM; do
	c=sig$sig
	start_hostile silence-after-greeting || { check "$c: server starts" false; continue; }
	interrupt "$c" "$sig"
	stop_hostile
	check "$c: the script was under way" contains "$OUT" 'C: EHLO client.test'
	check "$c: exits by itself, with status 1, 2, 130 or 143" exited_cleanly 1 2 130 143
	check "$c: says it was interrupted" says 'interrupt|signal|stopp'
	check "$c: transcript saved" transcript_has 'S: 220 quiet ready'
	check "$c: transcript has the command that waited" transcript_has 'C: EHLO client.test'
done

# The same while a message streams to a server that has stopped reading it.
"$SYSTEM_PYTHON" -c 'import sys; sys.stdout.write(("x" * 76 + "\n") * 68000)' >"$TEST_TMP/big.msg"
script bigdata 'EHLO client.test' 'MAIL FROM:<a@example.org>' 'RCPT TO:<b@example.org>' \
    "/data $TEST_TMP/big.msg" 'QUIT'
start_hostile stall-data || check "stall-data: server starts" false
interrupt sigTERM-data TERM bigdata 'sending'
stop_hostile
check "sigTERM-data: the message had started" says 'sending .*big.msg'
check "sigTERM-data: exits by itself" exited_cleanly 1 2 130 143
check "sigTERM-data: says it was interrupted" says 'interrupt|signal|stopp'
check "sigTERM-data: transcript saved" transcript_has 'C: DATA'

finish
