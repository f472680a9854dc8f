#!/bin/sh
# help_files_listed.sh: every help file in the source tree is listed in help/help.am, so it is
# distributed and installed (a file left out would work uninstalled and vanish once installed).
. "$top_srcdir/tests/lib.sh"

for f in "$top_srcdir"/help/*/*.txt; do
	rel=help/${f#"$top_srcdir"/help/}
	check "$rel is installed" grep -q "$rel" "$top_srcdir/help/help.am"
done

finish
