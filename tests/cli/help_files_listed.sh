#!/bin/sh
# help_files_listed.sh: every help file in the source tree is listed in a fragment of help/
# (help/help.am and its companions), so it is distributed and installed: a file left out would
# work uninstalled and vanish once installed.
. "$top_srcdir/tests/lib.sh"

for f in "$top_srcdir"/help/*/*.txt; do
	rel=help/${f#"$top_srcdir"/help/}
	check "$rel is installed" grep -q "$rel" "$top_srcdir"/help/*.am
done

finish
