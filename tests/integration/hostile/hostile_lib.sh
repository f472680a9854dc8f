# tests/integration/hostile/hostile_lib.sh: helpers for the hostile-input tests. Source it after
# tests/lib.sh. It starts tests/servers/hostile_server.py in a chosen mode, runs smtpscope's
# batch mode against it under a time limit while measuring its peak memory, and offers the checks
# every hostile case shares: a clean exit, a time bound, a memory bound, no raw terminal control
# byte in what smtpscope printed, and a transcript that was saved.

HOSTILE_SERVER="$TEST_SERVERS/hostile_server.py"

# Writes a self-signed certificate and key into $TEST_TMP (once), for the TLS modes. The names
# are given with -subj/-addext: a hostile certificate carries escape sequences in them.
hostile_cert() { # NAME SUBJECT [SAN]
	[ -f "$TEST_TMP/$1.crt" ] && return 0
	if [ -n "${3:-}" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -utf8 \
		    -subj "$2" -addext "subjectAltName=$3" -days 2 \
		    -keyout "$TEST_TMP/$1.key" -out "$TEST_TMP/$1.crt" >/dev/null 2>&1
	else
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -utf8 \
		    -subj "$2" -days 2 -keyout "$TEST_TMP/$1.key" -out "$TEST_TMP/$1.crt" \
		    >/dev/null 2>&1
	fi
}

# start_hostile MODE [server options]: starts the server, sets HPORT. The server stops at exit.
start_hostile() {
	hostile_mode=$1
	shift
	# A mode run twice must not read the port of its previous (dead) server.
	rm -f "$TEST_TMP/server.$hostile_mode.port"
	"$SYSTEM_PYTHON" "$HOSTILE_SERVER" "$hostile_mode" --lifetime 150 "$@" \
	    >"$TEST_TMP/server.$hostile_mode.port" 2>"$TEST_TMP/server.$hostile_mode.err" &
	hostile_pid=$!
	on_exit "kill $hostile_pid 2>/dev/null"
	HPORT=
	for _ in $(seq 1 100); do
		HPORT=$(head -n 1 "$TEST_TMP/server.$hostile_mode.port" 2>/dev/null)
		[ -n "$HPORT" ] && break
		sleep 0.05
	done
	if [ -z "$HPORT" ]; then
		echo "hostile server $hostile_mode did not start:"
		cat "$TEST_TMP/server.$hostile_mode.err"
		return 1
	fi
}

stop_hostile() { kill "$hostile_pid" 2>/dev/null; wait "$hostile_pid" 2>/dev/null; :; }

# A batch script in $TEST_TMP: script NAME LINE...
script() {
	name=$1
	shift
	printf '%s\n' "$@" >"$TEST_TMP/$name.script"
}

# run_client CASE LIMIT SCRIPT [smtpscope options]: runs batch mode against 127.0.0.1:$HPORT,
# killed after LIMIT seconds. Sets RC (exit status; 137 when killed), ELAPSED (seconds), RSS_KB
# (peak resident memory: from /usr/bin/time, or sampled from /proc when it had to be killed), and
# the files OUT, ERR and TR (stdout, stderr, --transcript file). With RSS_KILL_KB set, a client
# whose memory passes it is killed too.
run_client() {
	case_name=$1
	limit=$2
	script_name=$3
	shift 3
	OUT="$TEST_TMP/$case_name.out"
	ERR="$TEST_TMP/$case_name.err"
	TR="$TEST_TMP/$case_name.transcript"
	RSSF="$TEST_TMP/$case_name.rss"
	: >"$RSSF"
	t0=$(date +%s%N)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o "$RSSF" \
		    "$SMTPSCOPE" "127.0.0.1:$HPORT" --script "$TEST_TMP/$script_name.script" \
		    --transcript "$TR" "$@" >"$OUT" 2>"$ERR" </dev/null &
	else
		# Without GNU time (Debian package "time") the peak is sampled from /proc only.
		sh -c 'exec "$@" </dev/null >"$0.out" 2>"$0.err"' "$TEST_TMP/$case_name" \
		    "$SMTPSCOPE" "127.0.0.1:$HPORT" --script "$TEST_TMP/$script_name.script" \
		    --transcript "$TR" "$@" &
	fi
	time_pid=$!
	client_pid=
	[ -x /usr/bin/time ] || client_pid=$time_pid
	sampled=0
	killed=0
	while kill -0 "$time_pid" 2>/dev/null; do
		if [ -z "$client_pid" ]; then
			client_pid=$(cat "/proc/$time_pid/task/$time_pid/children" 2>/dev/null)
			client_pid=${client_pid%% *}
		fi
		if [ -n "$client_pid" ]; then
			hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$client_pid/status" \
			    2>/dev/null)
			[ -n "$hwm" ] && [ "$hwm" -gt "$sampled" ] && sampled=$hwm
		fi
		# RSS_KILL_KB, when set, stops a client whose memory runs away before it hurts the
		# machine.
		over=0
		[ $(( ($(date +%s%N) - t0) / 1000000000 )) -ge "$limit" ] && over=1
		[ "${RSS_KILL_KB:-0}" -gt 0 ] && [ "$sampled" -gt "$RSS_KILL_KB" ] && over=1
		if [ "$over" = 1 ]; then
			killed=1
			kill -KILL "${client_pid:-$time_pid}" 2>/dev/null
			sleep 0.2
			kill -KILL "$time_pid" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	wait "$time_pid"
	RC=$?
	[ "$killed" = 1 ] && RC=137
	t1=$(date +%s%N)
	ELAPSED=$(( (t1 - t0) / 1000000000 ))
	RSS_KB=$(grep -E '^[0-9]+$' "$RSSF" | tail -n 1)
	RSS_KB=${RSS_KB:-$sampled}
	printf '# %s: exit %s after %s s, peak RSS %s kB%s\n' "$case_name" "$RC" "$ELAPSED" \
	    "$RSS_KB" "$([ "$killed" = 1 ] && echo ' (killed: time or memory limit)')"
}

# ---- checks (each returns 0 or 1 and says why) ----

# Exit status 0, 1 or 2 (or one of those listed): no crash, no signal, no kill by the limit.
exited_cleanly() { # [allowed statuses...]
	allowed=${*:-0 1 2}
	for s in $allowed; do
		[ "$RC" = "$s" ] && return 0
	done
	echo "  exit status $RC, expected one of: $allowed (>= 128: a signal; 137: killed at the" \
	    "time limit)"
	head -n 5 "$ERR" | awk '{ print "  err| " substr($0, 1, 200) }'
	tail -n 5 "$OUT" | awk '{ print "  out| " substr($0, 1, 200) }'
	return 1
}

within() { # SECONDS
	if [ "$killed" = 1 ]; then
		echo "  killed after $ELAPSED s (time or memory limit)"
		return 1
	fi
	[ "$ELAPSED" -le "$1" ] && return 0
	echo "  took $ELAPSED s, limit $1 s"
	return 1
}

rss_below() { # MEGABYTES
	[ "$RSS_KB" -gt 0 ] && [ "$RSS_KB" -lt $(( $1 * 1024 )) ] && return 0
	echo "  peak RSS $RSS_KB kB, limit $1 MB"
	return 1
}

# No terminal control byte: the file is UTF-8 with no C0 control but TAB and LF, no DEL, no C1
# (raw or UTF-8 encoded), so printing it cannot drive a terminal.
no_raw_controls() { # FILE
	"$SYSTEM_PYTHON" - "$1" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    print("  %s: not UTF-8 at byte %d: %r"
          % (sys.argv[1], e.start, data[max(0, e.start - 20):e.start + 20]))
    sys.exit(1)
for i, ch in enumerate(text):
    o = ord(ch)
    if (o < 0x20 and ch not in "\t\n") or 0x7f <= o <= 0x9f:
        line = text.count("\n", 0, i) + 1
        print("  %s line %d: raw control U+%04X in %r"
              % (sys.argv[1], line, o, text[max(0, i - 30):i + 30]))
        sys.exit(1)
PY
}

# The transcript file exists, is a loadable smtpscope transcript, and holds TEXT.
transcript_has() { # TEXT
	if [ ! -s "$TR" ]; then
		echo "  no transcript saved at $TR"
		tail -n 5 "$OUT" | awk '{ print "  out| " substr($0, 1, 200) }'
		return 1
	fi
	if ! head -n 1 "$TR" | grep -qx '# smtpscope transcript 1'; then
		echo "  $TR does not start with the transcript header"
		return 1
	fi
	contains "$TR" "$1"
}

# The saved transcript loads back: `smtpscope annotate` reads it without error and prints it
# with nothing a terminal would obey.
transcript_loads() {
	timeout -s KILL 60 "$SMTPSCOPE" annotate "$TR" >"$TR.annotated" 2>"$TR.annotate-err"
	rc=$?
	if [ "$rc" != 0 ]; then
		echo "  smtpscope annotate $TR: exit $rc"
		head -n 5 "$TR.annotate-err" | awk '{ print "  err| " substr($0, 1, 200) }'
		return 1
	fi
	no_raw_controls "$TR.annotated"
}

# The output says one of the words (a regular expression, case-insensitive).
says() { # REGEX [FILE]
	f=${2:-$OUT}
	grep -qiE -- "$1" "$f" && return 0
	printf '  expected a message matching /%s/ in %s:\n' "$1" "$f"
	tail -n 15 "$f" | awk '{ print "  | " substr($0, 1, 200) }'
	return 1
}

# Every check a hostile case shares: clean exit, time, no raw controls in stdout, stderr and the
# transcript, a transcript saved.
common_checks() { # CASE TIME_LIMIT [allowed statuses]
	c=$1
	t=$2
	shift 2
	check "$c: exits cleanly" exited_cleanly "$@"
	check "$c: within $t s" within "$t"
	check "$c: no raw control bytes on stdout" no_raw_controls "$OUT"
	check "$c: no raw control bytes on stderr" no_raw_controls "$ERR"
	check "$c: no sanitizer report" lacks_sanitizer_report "$ERR"
	check "$c: transcript saved" transcript_has "# smtpscope transcript 1"
	if [ -s "$TR" ]; then
		check "$c: transcript is cat-safe" no_raw_controls "$TR"
		check "$c: transcript loads back" transcript_loads
	fi
	:
}
