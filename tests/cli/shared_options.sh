#!/bin/sh
# shared_options.sh: --lang and --help-dir may stand before a subcommand's name as well as after.
. "$top_srcdir/tests/lib.sh"

out=$TEST_TMP/out
err=$TEST_TMP/err

"$SMTPSCOPE" --lang id compare 220 235 >"$out" 2>"$err"
check "--lang id before compare exits 0" test $? -eq 0
check "--lang id before compare gives Indonesian labels" contains "$out" "Perbedaan Utama"

"$SMTPSCOPE" --lang=id explain 550 >"$out" 2>"$err"
check "--lang=id before explain gives Indonesian" contains "$out" "Deskripsi"

cp -R "$top_srcdir/help" "$TEST_TMP/help"
chmod -R u+w "$TEST_TMP/help"
sed 's/^title: Service ready$/title: Edited greeting title/' "$top_srcdir/help/en/codes.txt" \
    >"$TEST_TMP/help/en/codes.txt"
"$SMTPSCOPE" --help-dir "$TEST_TMP/help" --lang en explain 220 >"$out" 2>"$err"
check "--help-dir before explain reads that folder" contains "$out" "Edited greeting title"

finish
