#!/bin/sh
# help_dir.sh: --help-dir and SMTPSCOPE_HELP_DIR point smtpscope at an edited copy of the help;
# a malformed file gives a warning with file:line and the rest still works.
. "$top_srcdir/tests/lib.sh"

out=$TEST_TMP/out
err=$TEST_TMP/err
copy=$TEST_TMP/help
cp -R "$top_srcdir/help" "$copy"
chmod -R u+w "$copy"

# An edited title shows with --help-dir and with the environment variable.
sed 's/^title: Service ready$/title: Edited banner title/' "$top_srcdir/help/en/codes.txt" \
	>"$copy/en/codes.txt"
check "the edit changed the copy" contains "$copy/en/codes.txt" "Edited banner title"
"$SMTPSCOPE" explain 220 --help-dir "$copy" >"$out" 2>"$err"
check "--help-dir: exit 0" test $? -eq 0
check "--help-dir: edited text shows" contains "$out" "Edited banner title"
SMTPSCOPE_HELP_DIR=$copy "$SMTPSCOPE" explain 220 >"$out" 2>"$err"
check "SMTPSCOPE_HELP_DIR: edited text shows" contains "$out" "Edited banner title"
"$SMTPSCOPE" explain 220 >"$out" 2>"$err"
check "without the option: the original" lacks "$out" "Edited banner title"

# Run from the build tree with no option nor variable: the source tree's help/ is found.
(unset SMTPSCOPE_HELP_DIR; "$SMTPSCOPE" explain 220 >"$out" 2>"$err")
check "from the build tree: exit 0" test $? -eq 0
check "from the build tree: the source tree's help" contains "$out" "When You See It"

# A malformed file: a warning naming file and line; everything else still works.
cat >"$copy/en/zz-broken.txt" <<'TXT'
# a teacher's broken edit
@code 299
title: Practice code
colour: red
this line is not indented
TXT
"$SMTPSCOPE" explain 299 --help-dir "$copy" >"$out" 2>"$err"
check "malformed file: still exit 0" test $? -eq 0
check "malformed file: warning with file:line" contains "$err" "zz-broken.txt:4: unknown field 'colour'"
check "malformed file: second warning" contains "$err" "zz-broken.txt:5:"
check "malformed file: warning prefix" contains "$err" "smtpscope: warning:"
check "malformed file: the good field loaded" contains "$out" "299 Practice code"
"$SMTPSCOPE" explain 550 --help-dir "$copy" >"$out" 2>"$err"
check "malformed file: other entries work" contains "$out" "How to Fix"

# A language with no folder falls back to English with a warning.
"$SMTPSCOPE" explain 550 --lang fr >"$out" 2>"$err"
check "--lang fr: exit 0" test $? -eq 0
check "--lang fr: English" contains "$out" "How to Fix"
check "--lang fr: warning" contains "$err" "'fr'"

finish
