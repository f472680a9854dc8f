#!/bin/sh
# errors.sh: bad input gives a clear message on stderr and a non-zero exit, never a crash.
. "$top_srcdir/tests/lib.sh"

out=$TEST_TMP/out
err=$TEST_TMP/err

expect_fail() { # NAME STATUS ERRTEXT ARGS...
	name=$1 want=$2 text=$3; shift 3
	"$SMTPSCOPE" "$@" >"$out" 2>"$err"
	got=$?
	check "$name: exit $want" test "$got" -eq "$want"
	check "$name: message" contains "$err" "$text"
	check "$name: nothing on stdout" test ! -s "$out"
}

expect_fail "explain 6000" 2 "'6000' is not a reply code" explain 6000
expect_fail "explain 99" 2 "not a reply code" explain 99
expect_fail "explain 650" 2 "not a reply code" explain 650
expect_fail "explain 5.x.1" 2 "not an enhanced status code" explain 5.x.1
expect_fail "explain 6.1.1" 2 "not an enhanced status code" explain 6.1.1
expect_fail "explain 550 5.x.1" 2 "not an enhanced status code" explain 550 5.x.1
expect_fail "unknown word" 2 "means nothing to smtpscope" explain frobnicate
expect_fail "no word" 2 "what should be explained" explain
expect_fail "unknown option" 2 "unknown option" explain --frob 550
expect_fail "--width needs a number" 2 "--width" explain --width abc 550
expect_fail "--lang without value" 2 "needs a value" explain 550 --lang
expect_fail "unreadable help dir" 1 "/nonexistent/help" explain --help-dir /nonexistent/help 550
SMTPSCOPE_HELP_DIR=/nonexistent/help2 "$SMTPSCOPE" explain 550 >"$out" 2>"$err"
check "bad SMTPSCOPE_HELP_DIR: exit 1" test $? -eq 1
check "bad SMTPSCOPE_HELP_DIR: message" contains "$err" "/nonexistent/help2"

mkdir -p "$TEST_TMP/empty"
expect_fail "help dir without en/" 1 "en" explain --help-dir "$TEST_TMP/empty" 550

# Hostile text never crashes: very long words, control bytes, many lines.
long=$(head -c 100000 /dev/zero | tr '\0' 'a')
"$SMTPSCOPE" explain "$long" >"$out" 2>"$err"
check "a 100 kB word is refused, exit 2" test $? -eq 2
"$SMTPSCOPE" explain "$(printf '550 \033[31mred\007')" >"$out" 2>"$err"
check "control bytes in a pasted reply: exit 0" test $? -eq 0
"$SMTPSCOPE" explain "$(printf '334 \001\002\003')" >"$out" 2>"$err"
check "334 with garbage: not base64" contains "$out" "not base64"

finish
