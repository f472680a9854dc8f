#!/bin/sh
# Every screen text the code asks for (tui_label "ui-...") is in help/en/screen.txt and has an
# Indonesian translation in help/id/screen.txt, and neither file carries texts nobody uses.
. "$top_srcdir/tests/lib.sh"

grep -oh '"ui-[a-z0-9-]*"' "$top_srcdir"/src/tui/*.c | tr -d '"' | sort -u >"$TEST_TMP/used"
check "the screen asks for texts" test -s "$TEST_TMP/used"
for lang in en id; do
	grep '^@label ui-' "$top_srcdir/help/$lang/screen.txt" | awk '{print $2}' | sort -u >"$TEST_TMP/$lang"
	comm -23 "$TEST_TMP/used" "$TEST_TMP/$lang" >"$TEST_TMP/missing-$lang"
	comm -13 "$TEST_TMP/used" "$TEST_TMP/$lang" >"$TEST_TMP/unused-$lang"
	check "help/$lang/screen.txt has every text the screen uses" test ! -s "$TEST_TMP/missing-$lang"
	[ -s "$TEST_TMP/missing-$lang" ] && sed 's/^/  missing: /' "$TEST_TMP/missing-$lang"
	check "help/$lang/screen.txt has no unused texts" test ! -s "$TEST_TMP/unused-$lang"
	[ -s "$TEST_TMP/unused-$lang" ] && sed 's/^/  unused: /' "$TEST_TMP/unused-$lang"
done
finish
