#!/bin/sh
# run-fuzzers.sh: builds the libFuzzer targets listed in tests/fuzz/targets with clang
# (-fsanitize=fuzzer,address,undefined, straight from the sources, whatever compiler configure
# chose) and runs each on its seed corpus and its saved regression inputs.
#
#   make check                         each target for a short fixed number of runs; skipped
#                                      (exit 77) when clang or its fuzzer runtime is missing
#   make fuzz FUZZ_SECONDS=3600        each target for an hour (corpus kept between runs in
#                                      tests/fuzz-out/ of the build tree)
#   make fuzz FUZZ_RUNS=10000000       each target for ten million runs
#   tests/fuzz/run-fuzzers.sh --long SECONDS [TARGET...]    the same by hand, from the build
#   tests/fuzz/run-fuzzers.sh --runs N [TARGET...]          tree (top_srcdir/top_builddir are
#   tests/fuzz/run-fuzzers.sh --build [TARGET...]           guessed when not set)
#
# Environment: FUZZ_CC (default clang), FUZZ_JOBS (parallel fuzzing jobs for --long, default 1),
# FUZZ_OUT (where binaries, corpora and crash inputs go), FUZZ_MAX_LEN (largest input, 4096).
# A crash leaves its input in FUZZ_OUT/artifacts/; copy it to tests/fuzz/regress/TARGET/ so
# make check replays it forever.
# A dictionary tests/fuzz/TARGET.dict, when present, is passed to the target.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
FUZZ_CC=${FUZZ_CC:-clang}
FUZZ_JOBS=${FUZZ_JOBS:-1}
mode=check
runs=${FUZZ_RUNS:-20000}
seconds=${FUZZ_SECONDS:-}
[ -n "$seconds" ] && mode=long

while [ $# -gt 0 ]; do
	case $1 in
	--long) mode=long; seconds=${2:?--long needs a number of seconds}; shift 2 ;;
	--runs) mode=runs; runs=${2:?--runs needs a number}; shift 2 ;;
	--build) mode=build; shift ;;
	--make) # make fuzz: FUZZ_SECONDS when given, else FUZZ_RUNS; output kept
		if [ -n "$seconds" ]; then mode=long; else mode=runs; fi; shift ;;
	--help|-h) sed -n '2,20p' "$0"; exit 0 ;;
	-*) echo "run-fuzzers.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
wanted="$*"

if ! command -v "$FUZZ_CC" >/dev/null 2>&1; then
	echo "SKIP: $FUZZ_CC not found (Debian packages: clang libclang-rt-14-dev)"
	exit 77
fi
if [ ! -f "$top_builddir/config.h" ]; then
	echo "run-fuzzers.sh: no config.h in $top_builddir: run it from a configured build tree" >&2
	exit 2
fi

if [ "$mode" = check ]; then
	# Throw-away binaries: nothing is left in the build tree.
	out=$(mktemp -d "${TMPDIR:-/tmp}/smtpscope-fuzz.XXXXXX") || exit 1
	trap 'rm -rf "$out"' EXIT
	trap 'exit 1' INT TERM
else
	out=${FUZZ_OUT:-$top_builddir/tests/fuzz-out}
fi
mkdir -p "$out/bin" "$out/artifacts" || exit 1

# Can this clang build a fuzzer at all (the runtime is a separate package)?
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$out/probe.c"
if ! "$FUZZ_CC" -fsanitize=fuzzer,address,undefined "$out/probe.c" -o "$out/probe" >/dev/null 2>&1; then
	echo "SKIP: $FUZZ_CC cannot build libFuzzer targets (Debian package: libclang-rt-14-dev)"
	exit 77
fi

cflags="-g -O1 -std=c11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -I$top_builddir -I$top_srcdir/src"

# newer A B: file A was changed after file B.
newer() {
	[ -n "$(find "$1" -newer "$2" 2>/dev/null)" ]
}

# build NAME FILES...: compiles one target unless its binary is newer than all its sources.
build() {
	name=$1; shift
	bin="$out/bin/fuzz_$name"
	srcs="" libs="" stale=no
	[ -x "$bin" ] || stale=yes
	for f in "$@"; do
		case $f in
		-*) libs="$libs $f" ;;
		*) srcs="$srcs $top_srcdir/$f"
		   newer "$top_srcdir/$f" "$bin" && stale=yes ;;
		esac
	done
	for h in $(find "$top_srcdir/src" -name "*.h") "$here/targets"; do
		newer "$h" "$bin" && stale=yes
	done
	[ $stale = no ] && return 0
	echo "building fuzz_$name"
	# shellcheck disable=SC2086
	"$FUZZ_CC" $cflags $srcs $libs -o "$bin"
}

status=0
targets=$(grep -v '^[[:space:]]*#' "$here/targets" | grep -v '^[[:space:]]*$')
echo "$targets" | {
	while read -r name files; do
		if [ -n "$wanted" ]; then
			case " $wanted " in *" $name "*) ;; *) continue ;; esac
		fi
		# shellcheck disable=SC2086
		if ! build "$name" $files; then
			echo "FAIL: fuzz_$name does not build"
			status=1
			continue
		fi
		[ "$mode" = build ] && continue
		corpus="$top_srcdir/tests/fuzz/corpus/$name"
		regress="$top_srcdir/tests/fuzz/regress/$name"
		work="$out/corpus/$name"
		mkdir -p "$work"
		opts="-max_len=${FUZZ_MAX_LEN:-4096} -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$out/artifacts/${name}-"
		[ -f "$here/$name.dict" ] && opts="$opts -dict=$here/$name.dict"

		# Inputs that once crashed a target are replayed one by one first.
		if [ -d "$regress" ] && [ -n "$(ls -A "$regress" 2>/dev/null)" ]; then
			# shellcheck disable=SC2086
			if "$out/bin/fuzz_$name" $opts "$regress"/* >"$out/$name.regress.log" 2>&1; then
				echo "ok - fuzz_$name replays $(ls "$regress" | wc -l) regression inputs"
			else
				echo "FAIL: fuzz_$name crashed on a regression input:"
				tail -30 "$out/$name.regress.log"
				status=1
				continue
			fi
		fi

		case $mode in
		check|runs) limit="-runs=$runs" ;;
		long) limit="-max_total_time=$seconds"
		      [ "$FUZZ_JOBS" -gt 1 ] && limit="$limit -jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS" ;;
		esac
		log="$out/$name.log"
		[ "$mode" = check ] || echo "running fuzz_$name ($limit), log in $log"
		# shellcheck disable=SC2086
		if (cd "$out" && "$out/bin/fuzz_$name" $opts $limit "$work" "$corpus") >"$log" 2>&1; then
			execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
			echo "ok - fuzz_$name: ${execs:-?} runs without a finding"
		else
			echo "FAIL: fuzz_$name found a problem; input saved under $out/artifacts/"
			tail -40 "$log"
			[ "$mode" = check ] && cp "$out"/artifacts/* "${TMPDIR:-/tmp}/" 2>/dev/null &&
				echo "(crash inputs copied to ${TMPDIR:-/tmp})"
			status=1
		fi
	done
	exit $status
}
