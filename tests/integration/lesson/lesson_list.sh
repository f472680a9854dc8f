#!/bin/sh
# smtpscope lesson --list: every lesson file of help/lessons/ is listed with its name and its
# one-line summary, in file name order, in English and with --lang id; --help works.
. "$top_srcdir/tests/lib.sh"

out=$TEST_TMP/list.out
status=0
"$SMTPSCOPE" lesson --list >"$out" 2>"$TEST_TMP/list.err" || status=$?
check "--list exits 0" test "$status" -eq 0
check "--list prints no diagnostics" test ! -s "$TEST_TMP/list.err"
count=0
for f in "$top_srcdir"/help/lessons/*.txt; do
	lname=$(sed -n 's/^@lesson  *\([a-z0-9-]*\).*/\1/p' "$f")
	summary=$(sed -n 's/^summary: *//p' "$f")
	count=$((count + 1))
	check "$lname is listed" grep -q "^$lname  *" "$out"
	check "$lname has its summary" contains "$out" "$summary"
	check "$lname is in file name order" sh -c "sed -n '${count}p' '$out' | grep -q '^$lname '"
done
check "at least the seven lessons of the course" test "$count" -ge 7
check "one line per lesson" test "$(wc -l <"$out")" -eq "$count"

status=0
"$SMTPSCOPE" lesson --list --lang id >"$TEST_TMP/list-id.out" 2>&1 || status=$?
check "--list --lang id exits 0" test "$status" -eq 0
check "--lang id lists the same lessons" test "$(wc -l <"$TEST_TMP/list-id.out")" -eq "$count"

"$SMTPSCOPE" lesson --help >"$TEST_TMP/help.out" 2>&1
check "--help names --list and --script" sh -c "grep -q -- --list '$TEST_TMP/help.out' && grep -q -- --script '$TEST_TMP/help.out'"
finish
