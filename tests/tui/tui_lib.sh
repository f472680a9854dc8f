# tests/tui/tui_lib.sh: drives the real smtpscope inside a private tmux server: start it at a
# fixed size, type, press keys, and poll the screen until a text shows (never fixed sleeps).
# Source after tests/lib.sh.

TUI_SOCKET_BASE="smtpscope-test-$$-$(date +%s%N)"
TUI_SOCKET="$TUI_SOCKET_BASE-0"
tui_runs=0
TUI_TIMEOUT=${TUI_TIMEOUT:-15}
TUI_SCREEN="$TEST_TMP/screen.txt"
TUI_HOME="$TEST_TMP/home"
mkdir -p "$TUI_HOME" "$TEST_TMP/state"

if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux is not installed"
	exit 77
fi

# The tmux servers' sockets live in the test's own folder, removed with it.
TMUX_TMPDIR=$TEST_TMP
export TMUX_TMPDIR
tui_tmux() { tmux -L "$TUI_SOCKET" -f /dev/null "$@"; }

# tui_start COLS ROWS [ENV=VALUE ...] -- ARGS...: runs smtpscope ARGS in a new tmux server.
# The program runs with a private HOME and XDG_STATE_HOME so the history is the test's own.
tui_start() {
	cols=$1 rows=$2
	TUI_COLS=$1 TUI_ROWS=$2
	shift 2
	envs=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs="$envs $(printf "%s" "$1" | sed "s/'/'\\\\''/g; s/^/'/; s/\$/'/")"
		shift
	done
	[ "${1:-}" = "--" ] && shift
	args=""
	for a in "$@"; do
		args="$args $(printf "%s" "$a" | sed "s/'/'\\\\''/g; s/^/'/; s/\$/'/")"
	done
	# each run gets its own tmux server (a socket being shut down cannot take a new one); each
	# goes whatever happens to the test
	tui_tmux kill-server >/dev/null 2>&1 || true
	tui_runs=$((tui_runs + 1))
	TUI_SOCKET="$TUI_SOCKET_BASE-$tui_runs"
	on_exit "tmux -L '$TUI_SOCKET' kill-server >/dev/null 2>&1 || true"
	cat >"$TEST_TMP/run.sh" <<RUN
cd '$TEST_TMP'
exec env TERM=screen-256color HOME='$TUI_HOME' XDG_STATE_HOME='$TEST_TMP/state' \
	SMTPSCOPE_HELP_DIR='$SMTPSCOPE_HELP_DIR' LANG=C.UTF-8 LC_ALL=C.UTF-8 $envs \
	'${TUI_PROGRAM:-$SMTPSCOPE}' $args 2>>'$TEST_TMP/stderr.txt'
RUN
	tui_tmux new-session -d -x "$cols" -y "$rows" "sh '$TEST_TMP/run.sh'; echo smtpscope-exited-\$?; sleep 600"
}

# The screen now, into $TUI_SCREEN.
tui_capture() {
	tui_tmux capture-pane -p >"$TUI_SCREEN" 2>/dev/null || : >"$TUI_SCREEN"
}

# tui_wait TEXT [SECONDS]: polls until the screen shows TEXT; shows the screen when it does not.
tui_wait() {
	end=$(( $(date +%s) + ${2:-$TUI_TIMEOUT} ))
	while :; do
		tui_capture
		if grep -qF -- "$1" "$TUI_SCREEN"; then return 0; fi
		if [ "$(date +%s)" -ge "$end" ]; then
			printf '  timed out waiting for: %s\n  screen:\n' "$1"
			sed 's/^/  | /' "$TUI_SCREEN"
			if [ -s "$TEST_TMP/stderr.txt" ]; then
				echo "  stderr:"; sed 's/^/  ! /' "$TEST_TMP/stderr.txt" | head -20
			fi
			return 1
		fi
		sleep 0.1
	done
}

# tui_wait_gone TEXT [SECONDS]: polls until the screen no longer shows TEXT.
tui_wait_gone() {
	end=$(( $(date +%s) + ${2:-$TUI_TIMEOUT} ))
	while :; do
		tui_capture
		if ! grep -qF -- "$1" "$TUI_SCREEN"; then return 0; fi
		if [ "$(date +%s)" -ge "$end" ]; then
			printf '  timed out waiting for this to go: %s\n' "$1"
			sed 's/^/  | /' "$TUI_SCREEN"
			return 1
		fi
		sleep 0.1
	done
}

# tui_type TEXT: types TEXT literally and presses Enter.
tui_type() {
	tui_tmux send-keys -l -- "$1"
	tui_tmux send-keys Enter
}

# tui_keys KEY...: presses keys by tmux name (PPage, F1, C-l, ...).
tui_keys() {
	tui_tmux send-keys "$@"
}

# tui_seek TEXT KEY [TIMES]: presses KEY (a scrolling key) until TEXT shows, at most TIMES.
tui_seek() {
	n=0
	while [ "$n" -lt "${3:-30}" ]; do
		tui_capture
		if grep -qF -- "$1" "$TUI_SCREEN"; then return 0; fi
		tui_keys "$2"
		sleep 0.15
		n=$((n + 1))
	done
	tui_wait "$1" 2
}


# ---- fields of the screen ----
# Where each part of the screen is, as tui.c's layout() places it with the default splits (before
# any F2, F3, F4 or F9): the status bar on the first row, the prompt on the last; below 140
# columns the session pane above the explanation pane (each titled on its first row, the
# explanation pane's title on row 2 + half the body), from 140 columns side by side (the session
# pane in the first 55% of the columns, a separator, then the explanation pane). A test that
# moves a split with F3/F4 sets TUI_SPLIT_STACKED or TUI_SPLIT_SIDE (percent) to match; one that
# resizes the window sets TUI_COLS and TUI_ROWS.
TUI_WIDE_COLUMNS=140

# tui_row N: row N (1-based) of the last capture.
tui_row() { sed -n "${1}p" "$TUI_SCREEN"; }

# tui_field FIELD: prints one field of the last capture: status (the status bar), prompt (the
# prompt row), session (the session pane, its title row first), explain (the explanation pane,
# its heading row first), heading (the explanation pane's heading row alone), or row:N.
tui_field() {
	_rows=${TUI_ROWS:?tui_start sets the size} _cols=$TUI_COLS
	_body=$((_rows - 2))
	if [ "$_cols" -ge "$TUI_WIDE_COLUMNS" ]; then
		_ws=$((_cols * ${TUI_SPLIT_SIDE:-55} / 100))
		[ "$_ws" -gt $((_cols - 21)) ] && _ws=$((_cols - 21))
		_etop=2 _ebottom=$((_rows - 1)) _stop=2 _sbottom=$((_rows - 1))
	else
		_hs=$((_body * ${TUI_SPLIT_STACKED:-50} / 100))
		[ "$_hs" -lt 3 ] && _hs=3
		[ "$_hs" -gt $((_body - 3)) ] && _hs=$((_body - 3))
		_ws=0 _stop=2 _sbottom=$((_hs + 1)) _etop=$((_hs + 2)) _ebottom=$((_rows - 1))
	fi
	case $1 in
	status) tui_row 1 ;;
	prompt) tui_row "$_rows" ;;
	row:*) tui_row "${1#row:}" ;;
	session|explain|heading)
		case $1 in
		session) _from=$_stop _to=$_sbottom ;;
		explain) _from=$_etop _to=$_ebottom ;;
		heading) _from=$_etop _to=$_etop ;;
		esac
		if [ "$_ws" -gt 0 ]; then
			# Columns counted as characters (the separator is a multibyte line character).
			if [ "$1" = session ]; then
				sed -n "${_from},${_to}p" "$TUI_SCREEN" | LC_ALL=C.UTF-8 sed -E "s/^(.{0,$_ws}).*/\\1/"
			else
				sed -n "${_from},${_to}p" "$TUI_SCREEN" | LC_ALL=C.UTF-8 sed -E "s/^.{0,$((_ws + 1))}//"
			fi
		else
			sed -n "${_from},${_to}p" "$TUI_SCREEN"
		fi ;;
	*) echo "tui_field: unknown field $1" >&2; return 2 ;;
	esac
}

# tui_field_has FIELD TEXT: the field of the last capture holds the fixed TEXT.
tui_field_has() { tui_field "$1" | grep -qF -- "$2"; }

# tui_wait_in FIELD TEXT [SECONDS]: polls until the field shows TEXT; shows the field and the
# screen when it does not.
tui_wait_in() {
	end=$(( $(date +%s) + ${3:-$TUI_TIMEOUT} ))
	while :; do
		tui_capture
		if tui_field_has "$1" "$2"; then return 0; fi
		if [ "$(date +%s)" -ge "$end" ]; then
			printf '  timed out waiting for: %s\n  in the %s field:\n' "$2" "$1"
			tui_field "$1" | sed 's/^/  > /'
			printf '  screen:\n'
			sed 's/^/  | /' "$TUI_SCREEN"
			return 1
		fi
		sleep 0.1
	done
}

# tui_seek_in FIELD TEXT KEY [TIMES]: presses KEY (a scrolling key) until the field shows TEXT.
tui_seek_in() {
	n=0
	while [ "$n" -lt "${4:-30}" ]; do
		tui_capture
		if tui_field_has "$1" "$2"; then return 0; fi
		tui_keys "$3"
		sleep 0.15
		n=$((n + 1))
	done
	tui_wait_in "$1" "$2" 2
}

# wire_start MODE: starts tests/servers/wire_server.py in MODE on a free loopback port: WIRE_PORT.
wire_start() {
	rm -f "$TEST_TMP/wire.port"
	"$SYSTEM_PYTHON" "$TEST_SERVERS/wire_server.py" "$TEST_TMP/wire.port" "$1" &
	wire_pid=$!
	on_exit "kill $wire_pid 2>/dev/null || true"
	n=0
	while [ ! -s "$TEST_TMP/wire.port" ] && [ "$n" -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	WIRE_PORT=$(cat "$TEST_TMP/wire.port")
}

# tui_until COMMAND...: polls until COMMAND (run after each capture) succeeds.
tui_until() {
	end=$(( $(date +%s) + TUI_TIMEOUT ))
	while :; do
		tui_capture
		if "$@" >/dev/null 2>&1; then return 0; fi
		if [ "$(date +%s)" -ge "$end" ]; then
			printf '  timed out waiting for: %s\n  screen:\n' "$*"
			sed 's/^/  | /' "$TUI_SCREEN"
			return 1
		fi
		sleep 0.1
	done
}

# tui_settle: polls until two captures in a row are the same (keys sent are all handled).
tui_settle() {
	tui_capture
	n=0
	while [ "$n" -lt 50 ]; do
		cp "$TUI_SCREEN" "$TUI_SCREEN.prev"
		sleep 0.2
		tui_capture
		if cmp -s "$TUI_SCREEN" "$TUI_SCREEN.prev"; then return 0; fi
		n=$((n + 1))
	done
	return 1
}

# tui_finish: finish, after checking that no sanitizer spoke on the program's stderr (which
# every tui_start writes: a test that ran the program must have it).
tui_finish() {
	if [ "$tui_runs" -gt 0 ]; then
		check "no sanitizer report or undefined behaviour on stderr" \
		    lacks_sanitizer_report "$TEST_TMP/stderr.txt"
	fi
	finish
}
