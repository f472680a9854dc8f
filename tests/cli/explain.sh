#!/bin/sh
# explain.sh: `smtpscope explain` prints the right sections for codes, enhanced codes, commands,
# keywords and pasted replies, and exits 0.
. "$top_srcdir/tests/lib.sh"

out=$TEST_TMP/out
err=$TEST_TMP/err

run() { "$SMTPSCOPE" explain --width 100 "$@" >"$out" 2>"$err"; }

run 550
check "550 exits 0" test $? -eq 0
for s in "550 " "5xx permanent failure" "Description" "When You See It" "How to Fix" \
    "What to Type Next" "Learn More" "RFC 5321"; do
	check "550 shows '$s'" contains "$out" "$s"
done

run 550 5.7.1
check "550 5.7.1 exits 0" test $? -eq 0
check "550 5.7.1 heading" contains "$out" "550 5.7.1 "
check "550 5.7.1 breaks the enhanced code down" contains "$out" "Enhanced Status Code"
check "550 5.7.1 names the subject" contains "$out" "Subject X.7:"
check "550 5.7.1 names the detail" contains "$out" "Detail 5.7.1:"
check "550 5.7.1 prints no warning" test ! -s "$err"

run 5.1.1
check "5.1.1 exits 0" test $? -eq 0
check "5.1.1 heading" contains "$out" "5.1.1 "
check "5.1.1 class" contains "$out" "Class 5:"
check "5.1.1 subject" contains "$out" "Subject X.1:"
check "5.1.1 says when" contains "$out" "When You See It"

run 599
check "599 exits 0" test $? -eq 0
check "599 by class and category" contains "$out" "5xx permanent failure; mail system"
check "599 is not registered" contains "$out" "not a registered reply code"

run 4.9.99
check "4.9.99 exits 0" test $? -eq 0
check "4.9.99 by class" contains "$out" "4.x.x persistent transient failure"
check "4.9.99 is not registered" contains "$out" "not a registered enhanced status code"

run 4.2.99
check "4.2.99 explains by its subject" contains "$out" "Subject X.2:"

run EHLO
check "EHLO exits 0" test $? -eq 0
check "EHLO syntax" contains "$out" "Syntax"
check "EHLO example" contains "$out" "Example"

run PIPELINING
check "PIPELINING exits 0" test $? -eq 0
check "PIPELINING is a keyword" contains "$out" "EHLO keyword"

run rcpt
check "a command in lower case" contains "$out" "RCPT "

run '550 5.7.1 Relaying denied'
check "pasted reply exits 0" test $? -eq 0
check "pasted reply heading" contains "$out" "550 5.7.1 "

run 550 --after RCPT
check "--after after the operand" contains "$out" "in answer to RCPT"

run 334 VXNlcm5hbWU6
check "two words that are not code+enhanced are a pasted reply" contains "$out" "Username:"

run RCPT PIPELINING
check "several words explain one after another (RCPT)" contains "$out" "RCPT "
check "several words explain one after another (PIPELINING)" contains "$out" "PIPELINING"

"$SMTPSCOPE" explain --width 40 550 >"$out" 2>&1
check "--width wraps the text at 40 columns" sh -c 'test -z "$(awk "length > 40" "$1")"' _ "$out"
"$SMTPSCOPE" explain --width 120 550 >"$out" 2>&1
check "--width 120 uses long lines" sh -c 'test -n "$(awk "length > 90" "$1")"' _ "$out"

"$SMTPSCOPE" explain --help >"$out" 2>&1
check "--help exits 0" test $? -eq 0
check "--help shows the usage" contains "$out" "Usage: smtpscope explain"
"$SMTPSCOPE" explain --version >"$out" 2>&1
check "--version" contains "$out" "smtpscope "

finish
