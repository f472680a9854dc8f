#!/bin/sh
# enhanced_all.sh: every code of the IANA enhanced status code registry explains, in each of
# its classes, with its registered title and no "not registered" note.
. "$top_srcdir/tests/lib.sh"

out=$TEST_TMP/out
tsv=$top_srcdir/tests/data/iana-enhanced-status-codes.tsv
n=0
bad=0
for key in $(grep -v '^#' "$tsv" | sed 1d | cut -f1); do
	for cls in 2 4 5; do
		code=$cls${key#X}
		n=$((n + 1))
		if ! "$SMTPSCOPE" explain "$code" >"$out" 2>&1; then
			echo "  $code: exit status $?"; bad=$((bad + 1)); continue
		fi
		if grep -q "not a registered" "$out" || ! grep -q "^$code " "$out" ||
		    ! grep -q "^Description" "$out"; then
			echo "  $code:"; sed 's/^/  | /' "$out" | head -8; bad=$((bad + 1))
		fi
	done
done
check "the registry has codes" test "$n" -ge 240
check "all $n enhanced codes explain" test "$bad" -eq 0

finish
