#!/bin/sh
# Every shipped lesson (help/lessons/*.txt) driven end to end on the screen, against the
# practice server that /lesson starts for it: /lesson lists them all, /lesson NAME shows the
# first step in the explanation pane, the steps are typed as a learner would (the lines of
# tests/integration/lesson/lesson_scripts/NAME.txt), one wrong step per lesson gets the lesson's own
# hint on screen, and the pane says the lesson is complete. A lesson without a driver here
# fails the test, so a new lesson cannot be skipped silently.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"

LESSONS_DIR="$SMTPSCOPE_HELP_DIR/lessons"
# tmux leaves the socket files of the servers it killed: they go at exit too (this runs last)
on_exit "rm -f '${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TUI_SOCKET_BASE'-*"

# lesson_name FILE: the NAME of its @lesson line.
lesson_name() { sed -n 's/^@lesson[ 	]\{1,\}\([^ 	]*\).*/\1/p' "$1" | head -1; }

# lesson_title FILE [STEP]: the lesson's title, or a step's.
lesson_title() {
	awk -v want="${2:-}" '
		/^@lesson/ { where = "" ; next }
		/^@step/ { where = $2 ; next }
		/^title:/ && where == want { sub(/^title:[ \t]*/, ""); print; exit }' "$1"
}

# lesson_steps FILE: how many steps it has.
lesson_steps() { grep -c '^@step' "$1"; }

# need NAME COMMAND...: a check; a driver stops at the first that fails, since every later
# step would only wait for its timeout.
need() {
	before=$test_failures
	desc=$1
	shift
	check "$L $size: $desc" "$@"
	[ "$test_failures" -eq "$before" ]
}

# say LINE: types LINE and presses Enter, as the learner does.
say() { tui_type "$1"; }

# say_anyway LINE: a line smtpscope warns about before sending (the lesson's mistake on
# purpose): the warning holds it back, a second Enter sends it.
say_anyway() {
	tui_type "$1"
	need "'$1' is held back with a warning" tui_wait_in prompt "send anyway?" || return 1
	tui_keys Enter
	tui_wait_gone "send anyway?" 5
}

# heading N: the pane's heading line for step N ("Lesson: TITLE — step N of TOTAL").
heading() { printf 'Lesson: %s — step %s of %s' "$lesson_title" "$1" "$lesson_total"; }

# reaches N: the lesson moved on to step N, and the pane shows that step's title.
reaches() {
	need "step $1 of $lesson_total shows" tui_wait "$(heading "$1")" || return 1
	need "with its title" tui_wait "$(lesson_title "$lesson_file" "$1")"
}

# hint STEP TEXT: the pane shows the hint TEXT while the lesson stays at STEP.
hint() {
	need "the hint for step $1: $2" tui_seek "$2" F8 30 || return 1
	need "still at step $1" tui_seek "$(heading "$1")" F7 30
}

# lesson_begin NAME COLS ROWS: smtpscope on the practice server, then /lesson NAME.
lesson_begin() {
	L=$1 size="$2x$3"
	lesson_file=$(grep -l "^@lesson[ 	]\{1,\}$1\$" "$LESSONS_DIR"/*.txt | head -1)
	lesson_title=$(lesson_title "$lesson_file")
	lesson_total=$(lesson_steps "$lesson_file")
	tui_start "$2" "$3" --
	need "the practice server's greeting" tui_wait "S: 220 " || return 1
	if [ "$lessons_listed" = no ]; then
		lessons_listed=yes
		tui_type "/lesson"
		for listed in $lesson_names; do
			check "/lesson lists $listed" tui_wait "- $listed: "
		done
	fi
	tui_type "/lesson $1"
	need "the pane shows step 1" tui_wait "$(heading 1)" || return 1
	need "with the first step's title" tui_wait "$(lesson_title "$lesson_file" 1)" || return 1
	need "the scenario's server was started" tui_wait_in status "practice: $(sed -n \
		's/^scenario:[ 	]*//p' "$lesson_file" | head -1)" || return 1
	need "and greets on the new connection" tui_until greetings 2
}

# greetings N: the screen shows at least N greetings (S: 220 lines).
greetings() { [ "$(grep -c 'S: 220 ' "$TUI_SCREEN")" -ge "$1" ]; }

# lesson_end: the pane says complete and ticks every step, then /quit.
lesson_end() {
	need "the pane says the lesson is complete" \
		tui_wait "Lesson: $lesson_title — complete" || return 1
	k=1
	while [ "$k" -le "$lesson_total" ]; do
		need "step $k is ticked" tui_seek "[x] $k. $(lesson_title "$lesson_file" "$k")" F8 30 ||
			return 1
		k=$((k + 1))
	done
	tui_type "/quit"
	tui_keys n
	check "$L $size: quit" tui_wait "smtpscope-exited-0"
}

# ---- one driver per lesson: drive_NAME (dashes as underscores) ----

drive_first_contact() {
	lesson_begin first-contact "$@" || return 1
	say_anyway "EHLO" || return 1
	need "EHLO without a name gets 501" tui_wait "S: 501 5.5.4" || return 1
	hint 1 "EHLO needs a name after it, separated by a space" || return 1
	say "EHLO localhost"
	reaches 2 || return 1
	say "HELP"
	reaches 3 || return 1
	say "QUIT"
	lesson_end
}

drive_first_message() {
	lesson_begin first-message "$@" || return 1
	say "EHLO localhost"
	reaches 2 || return 1
	say_anyway "RCPT TO:<alice@practice.test>" || return 1
	need "RCPT before MAIL gets 503" tui_wait "S: 503 " || return 1
	hint 2 "Type MAIL FROM:<you@example.org> exactly" || return 1
	say "MAIL FROM:<you@example.org>"
	reaches 3 || return 1
	say "RCPT TO:<alice@practice.test>"
	reaches 4 || return 1
	say "DATA"
	reaches 5 || return 1
	say "Subject: my first message"
	say ""
	say "Hello Alice!"
	say "."
	need "the first message is accepted" tui_wait "Message accepted" || return 1
	hint 5 "The message went through, but it had no line starting with a dot." || return 1
	say "MAIL FROM:<you@example.org>"
	need "MAIL again" tui_wait "S: 250 2.1.0" || return 1
	say "RCPT TO:<alice@practice.test>"
	need "RCPT again" tui_wait "S: 250 2.1.5" || return 1
	say "DATA"
	need "DATA again" tui_wait "S: 354 " || return 1
	say "Subject: my second message"
	say ""
	say "Hello again!"
	say ".signature follows"
	reaches 6 || return 1
	need "the dotted line went out dot-stuffed" tui_wait "C: ..signature follows" || return 1
	say "."
	lesson_end
}

drive_errors_and_retries() {
	lesson_begin errors-and-retries "$@" || return 1
	say "EHLO localhost"
	reaches 2 || return 1
	say "MAIL FROM:<you@example.org>"
	reaches 3 || return 1
	say "RCPT TO:<bob@practice.test>"
	need "greylisted" tui_wait "Greylisted, please try again in" || return 1
	reaches 4 || return 1
	say "RCPT TO:<bob@practice.test>"
	hint 4 "Too soon: the server still remembers your first try." || return 1
	# The one fixed wait of this test: the time the server's last 451 asked for.
	secs=$(sed -n 's/.*Greylisted, please try again in \([0-9][0-9]*\) second.*/\1/p' \
		"$TUI_SCREEN" | tail -1)
	need "the server named its delay" test -n "$secs" || return 1
	sleep $((secs + 1))
	say "RCPT TO:<bob@practice.test>"
	reaches 5 || return 1
	need "accepted after the wait" tui_wait "S: 250 2.1.5 Recipient <bob@practice.test> OK" ||
		return 1
	say "RCPT TO:<nobody@practice.test>"
	reaches 6 || return 1
	say "DATA"
	need "354 for bob" tui_wait "S: 354 " || return 1
	say "Subject: third time lucky"
	say ""
	say "It took a retry, but here I am."
	say "."
	lesson_end
}

drive_starttls() {
	lesson_begin starttls "$@" || return 1
	say "EHLO localhost"
	reaches 2 || return 1
	say "MAIL FROM:<you@example.org>"
	need "refused in plain text" tui_wait "S: 530 5.7.0" || return 1
	reaches 3 || return 1
	say "STARTTLS"
	reaches 4 || return 1
	need "TLS is up" tui_wait "TLS is up" || return 1
	say_anyway "MAIL FROM:<you@example.org>" || return 1
	need "MAIL before the new EHLO gets 503" tui_wait "S: 503 " || return 1
	hint 4 "say EHLO localhost again before MAIL" || return 1
	say "EHLO localhost"
	reaches 5 || return 1
	say "MAIL FROM:<you@example.org>"
	reaches 6 || return 1
	say "QUIT"
	lesson_end
}

drive_auth_by_hand() {
	lesson_begin auth-by-hand "$@" || return 1
	say "EHLO localhost"
	reaches 2 || return 1
	say "MAIL FROM:<you@example.org>"
	reaches 3 || return 1
	say "/b64 encode practice"
	need "/b64 encodes the user" tui_wait "cHJhY3RpY2U=" || return 1
	say "/b64 encode secret123"
	need "/b64 encodes the password" tui_wait "c2VjcmV0MTIz" || return 1
	say_anyway "AUTH LOGIN" || return 1
	need "the server asks for the user" tui_wait "S: 334 VXNlcm5hbWU6" || return 1
	say "cHJhY3RpY2U="
	need "the server asks for the password" tui_wait "S: 334 UGFzc3dvcmQ6" || return 1
	say "c2VjcmV0MTIz"
	reaches 4 || return 1
	need "logged in" tui_wait "S: 235 " || return 1
	check "$L $size: the answers are masked" tui_wait "C: ********"
	say "MAIL FROM:<practice@practice.test>"
	reaches 5 || return 1
	say_anyway "AUTH PLAIN AHByYWN0aWNlAHNlY3JldDEyMw==" || return 1
	need "a second AUTH gets 503" tui_wait "S: 503 " || return 1
	hint 5 "You are already logged in on this connection" || return 1
	say "/disconnect"
	need "disconnected" tui_wait "not connected" || return 1
	say "/connect"
	need "connected again" tui_wait "plain text | greeting |" || return 1
	say "EHLO localhost"
	need "EHLO on the new connection" tui_wait "after EHLO" || return 1
	say "/b64 decode AHByYWN0aWNlAHNlY3JldDEyMw=="
	need "the decoded response shows its NULs" tui_wait '\0practice\0secret123' || return 1
	say_anyway "AUTH PLAIN AHByYWN0aWNlAHNlY3JldDEyMw==" || return 1
	reaches 6 || return 1
	say "QUIT"
	lesson_end
}

drive_enhanced_codes() {
	lesson_begin enhanced-codes "$@" || return 1
	say "EHLO localhost"
	reaches 2 || return 1
	say "MAIL FROM:<you@example.org>"
	reaches 3 || return 1
	say "RCPT TO:<bob@practice.test>"
	need "bob exists" tui_wait "S: 250 2.1.5" || return 1
	hint 3 "That mailbox exists." || return 1
	say "RCPT TO:<nobody@practice.test>"
	reaches 4 || return 1
	say "RCPT TO:<friend@elsewhere.example>"
	reaches 5 || return 1
	say "RCPT TO:<alice@practice.test>"
	reaches 6 || return 1
	say "QUIT"
	lesson_end
}

drive_pipelining() {
	lesson_begin pipelining "$@" || return 1
	say "EHLO localhost"
	reaches 2 || return 1
	say "/pipeline MAIL FROM:<you@example.org>; RCPT TO:<alice@practice.test>; DATA"
	reaches 3 || return 1
	say "Subject: all at once"
	say ""
	say "Three commands, one round trip."
	say "."
	reaches 4 || return 1
	say "MAIL FROM:<you@example.org>"
	need "a transaction is open" tui_wait "S: 250 2.1.0" || return 1
	say "/pipeline RCPT TO:<bob@practice.test>; DATA"
	need "DATA is accepted" tui_wait "S: 354 " || return 1
	hint 4 "A transaction was still open, so DATA was accepted" || return 1
	say "Oops."
	say "."
	need "the message is ended" tui_wait "Message accepted as #2" || return 1
	say_anyway "/pipeline RCPT TO:<bob@practice.test>; DATA" || return 1
	reaches 5 || return 1
	say "QUIT"
	lesson_end
}

# ---- every lesson in help/lessons ----

lesson_names=""
for f in "$LESSONS_DIR"/*.txt; do
	n=$(lesson_name "$f")
	[ -n "$n" ] && lesson_names="$lesson_names $n"
done
check "lessons are shipped" test -n "$lesson_names"
lessons_listed=no
for shipped in $lesson_names; do
	driver=drive_$(printf '%s' "$shipped" | tr - _)
	if ! command -v "$driver" >/dev/null 2>&1; then
		check "lesson $shipped has a driver in this test ($driver)" false
		continue
	fi
	"$driver" 100 30 || true
	# one lesson also on the smallest screen
	if [ "$shipped" = first-contact ]; then
		"$driver" 80 24 || true
	fi
done
tui_finish
