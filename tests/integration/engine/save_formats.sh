#!/bin/sh
# /save and --transcript pick the format from the file name: .html and .md are exports with every
# reply explained (and secrets still masked), anything else a transcript smtpscope reads back.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/engine/engine_lib.sh"

cat >"$TEST_TMP/session.script" <<SCRIPT
EHLO client.example
/auth PLAIN practice secret123
MAIL FROM:<a@example.org>
RCPT TO:<x@elsewhere.example>
/save $TEST_TMP/saved.html
/save $TEST_TMP/saved.md
/save $TEST_TMP/saved.txt
QUIT
SCRIPT
run_batch "$TEST_TMP/out" "$TEST_TMP/session.script" --scenario relay-denied \
    --transcript "$TEST_TMP/end.html"
check "the session ran (authenticated, so relaying is allowed)" status_is 0
check "/save FILE.html writes HTML" contains "$TEST_TMP/saved.html" "<!DOCTYPE html>"
check "the HTML explains the AUTH success" contains "$TEST_TMP/saved.html" "235"
check "the HTML has the explanation sections" contains "$TEST_TMP/saved.html" "How to Fix"
check "/save FILE.md writes Markdown" contains "$TEST_TMP/saved.md" "# SMTP session"
check "--transcript FILE.html writes HTML at the end" contains "$TEST_TMP/end.html" "221"
for f in saved.html saved.md saved.txt end.html; do
	check "$f holds no password" lacks "$TEST_TMP/$f" "secret123"
	check "$f holds no AUTH PLAIN payload" lacks "$TEST_TMP/$f" "AHByYWN0aWNlAHNlY3JldDEyMw"
done
"$SMTPSCOPE" annotate "$TEST_TMP/saved.txt" >"$TEST_TMP/annotated" 2>&1
check "a plain save reads back (annotate)" contains "$TEST_TMP/annotated" "235"

finish
