#!/bin/sh
# compare.sh: `smtpscope compare` prints a summary, each side's sections, numbered Key
# Differences and When to Use Which, in English and (--lang id) Indonesian.
. "$top_srcdir/tests/lib.sh"

out=$TEST_TMP/out
err=$TEST_TMP/err

"$SMTPSCOPE" compare 220 235 --width 100 >"$out" 2>"$err"
check "compare 220 235 exits 0" test $? -eq 0
for s in "Summary" "Description — 220" "Description — 235" "When You See It — 220" \
    "How to Fix — 235" "Key Differences" "1. " "2. " "When to Use Which" "Learn More"; do
	check "compare 220 235 shows '$s'" contains "$out" "$s"
done
check "the summary names the greeting phase" contains "$out" "greeting"
check "the summary names AUTH" contains "$out" "AUTH"
check "no warnings" test ! -s "$err"

"$SMTPSCOPE" compare 220 235 --lang id --width 100 >"$out" 2>"$err"
check "--lang id exits 0" test $? -eq 0
for s in "Ringkasan" "Deskripsi" "Ketika Anda Melihatnya" "Cara Memperbaiki" \
    "Perbedaan Utama" "Kapan Menggunakan Yang Mana" "Pelajari Lebih Lanjut" "berhasil"; do
	check "compare --lang id shows '$s'" contains "$out" "$s"
done
check "--lang id has no English section labels" lacks "$out" "Key Differences"

LANG=id_ID.UTF-8 LANGUAGE= LC_ALL= LC_MESSAGES= "$SMTPSCOPE" compare 450 550 >"$out" 2>"$err"
check "LANG=id_ID.UTF-8 picks Indonesian" contains "$out" "Perbedaan Utama"

"$SMTPSCOPE" compare 450 550 --lang en >"$out" 2>"$err"
check "450/550: transient against permanent" contains "$out" "transient failure"
check "450/550: permanent" contains "$out" "permanent failure"

"$SMTPSCOPE" compare 5.1.1 5.7.1 >"$out" 2>"$err"
check "compare 5.1.1 5.7.1 exits 0" test $? -eq 0
check "enhanced comparison: subjects" contains "$out" "Subject:"
check "enhanced comparison: differences" contains "$out" "Key Differences"

"$SMTPSCOPE" compare 550 >"$out" 2>"$err"
check "one code is a usage error (exit 2)" test $? -eq 2
check "one code: message" contains "$err" "two codes"
"$SMTPSCOPE" compare 550 5.1.1 >"$out" 2>"$err"
check "a code and an enhanced code: exit 2" test $? -eq 2
"$SMTPSCOPE" compare 550 hello >"$out" 2>"$err"
check "not a code: exit 2" test $? -eq 2
check "not a code: says which" contains "$err" "'hello'"
"$SMTPSCOPE" compare --help >"$out" 2>&1
check "compare --help" contains "$out" "Usage: smtpscope compare"

finish
