#!/bin/bash
# lacks_probe.sh: confirms that every check made with `lacks` or `lacks_sanitizer_report`
# (tests/lib.sh) fails when the file it searches does not exist. Runs each shell test given
# (paths from the top of the source tree; default: every one that uses them) with LACKS_PROBE=1,
# which points each such call at an absent file, and verifies that each of those checks printed
# FAIL and the test failed. Run it from a built tree:
#   tests/lacks_probe.sh [TEST.sh...]        (top_srcdir and top_builddir are guessed)
# Prints one line per test and the count of call sites (FILE:LINE) and calls confirmed; with
# LACKS_PROBE_SITES=FILE the list of call sites reached goes to FILE.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
SMTPSCOPE=${SMTPSCOPE:-$top_builddir/smtpscope}
SMTPSCOPE_HELP_DIR=$top_srcdir/help
SYSTEM_PYTHON=/usr/bin/python3
export SMTPSCOPE SMTPSCOPE_HELP_DIR top_srcdir top_builddir SYSTEM_PYTHON

if [ $# -eq 0 ]; then
	# shellcheck disable=SC2046
	set -- $(cd "$top_srcdir" && grep -lE 'lacks|common_checks|tui_finish' $(find tests -name '*.sh') |
	    grep -v -e '^tests/lib.sh$' -e '_lib.sh$' -e 'lacks_probe.sh$' | sort)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/smtpscope-lacks-probe.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
: >"$work/all-sites"
bad=0 calls=0
for t in "$@"; do
	log="$work/$(echo "$t" | tr / _)"
	LACKS_PROBE=1 LACKS_PROBE_LOG="$log.probe" bash "$top_srcdir/$t" >"$log.out" 2>&1
	rc=$?
	[ -f "$log.probe" ] || : >"$log.probe"
	n=$(wc -l <"$log.probe")
	missed=0
	while read -r site check_name; do
		if ! grep -qF -- " - $check_name" "$log.out" ||
		    grep -F -- " - $check_name" "$log.out" | grep -q '^ok '; then
			echo "  $t: '$check_name' ($site) did not fail on an absent file"
			missed=$((missed + 1))
		fi
	done <"$log.probe"
	cut -d' ' -f1 "$log.probe" | sed "s#^#$t #" >>"$work/all-sites"
	calls=$((calls + n))
	if [ "$rc" = 77 ]; then
		echo "SKIP $t"
	elif [ "$n" -gt 0 ] && { [ "$rc" = 0 ] || [ "$missed" -gt 0 ]; }; then
		echo "FAIL $t: $n probed calls, $missed passed anyway, exit $rc"
		bad=$((bad + 1))
	else
		echo "ok $t: $n probed calls, each check failed"
	fi
done
[ -n "${LACKS_PROBE_SITES:-}" ] && cut -d' ' -f2 "$work/all-sites" | sort -u >"$LACKS_PROBE_SITES"
sites=$(cut -d' ' -f2 "$work/all-sites" | sort -u | wc -l)
echo "$sites call sites, $calls calls confirmed to fail on an absent file; $bad tests with a problem"
[ "$bad" -eq 0 ]
