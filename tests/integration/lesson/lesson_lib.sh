# lesson_lib.sh: shared by the lesson_*.sh tests: runs one lesson end to end with its script
# (tests/integration/lesson/lesson_scripts/NAME.txt) against the real practice server, and checks
# the parts every lesson run must show. Source it after tests/lib.sh.

LESSON_SCRIPTS="$top_srcdir/tests/integration/lesson/lesson_scripts"
# The practice server's log goes under the test's own state folder.
XDG_STATE_HOME="$TEST_TMP/state"
export XDG_STATE_HOME

# run_lesson NAME: output in $TEST_TMP/NAME.out, exit status in $lesson_status.
run_lesson() {
	lesson_status=0
	"$SMTPSCOPE" lesson "$1" --script "$LESSON_SCRIPTS/$1.txt" --timeout 20 \
		>"$TEST_TMP/$1.out" 2>"$TEST_TMP/$1.err" || lesson_status=$?
}

# step_passed NAME N TOTAL: the output says step N of TOTAL passed.
step_passed() {
	contains "$TEST_TMP/$1.out" "ok step $2 of $3 passed"
}

# hint_in_step NAME STEP TEXT: a hint for STEP holding TEXT was printed.
hint_in_step() {
	awk -v step="$2" -v text="$3" '
		/^\?\? hint for step / { inhint = ($5 == step ":") ; next }
		/^\?\?/ { if (inhint && index($0, text)) found = 1; next }
		{ inhint = 0 }
		END { exit !found }' "$TEST_TMP/$1.out" && return 0
	printf '  no hint for step %s holding: %s\n' "$2" "$3"
	grep -n '^??' "$TEST_TMP/$1.out" | head -20
	return 1
}

# lesson_completed NAME TOTAL: exit 0, every step passed in order, the final line.
lesson_completed() {
	n=1
	while [ "$n" -le "$2" ]; do
		check "$1: step $n passed" step_passed "$1" "$n" "$2"
		n=$((n + 1))
	done
	check "$1: the lesson is complete" contains "$TEST_TMP/$1.out" \
		"== lesson $1 complete: $2 of $2 steps"
	check "$1: exit status 0" test "$lesson_status" -eq 0
	check "$1: the first step's instructions" contains "$TEST_TMP/$1.out" \
		"step 1 of $2"
	check "$1: no diagnostics" test ! -s "$TEST_TMP/$1.err"
}
