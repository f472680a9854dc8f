#!/bin/sh
# id_catalogue.sh: the Indonesian catalogue stays complete for what it claims to cover. Every
# practice scenario, connection event and SMTP command of the English catalogue, every basic
# reply code in help/id/codes.txt, the enhanced status classes and subjects, and the common
# enhanced codes listed below (with the one-class variants English has for them) must have
# their Indonesian fields, load without a diagnostic, and come out of `smtpscope explain
# --lang id` in Indonesian rather than in the English fallback.
. "$top_srcdir/tests/lib.sh"

help=$top_srcdir/help
SMTPSCOPE_HELP_DIR=$help
export SMTPSCOPE_HELP_DIR
unset LANGUAGE LC_ALL LC_MESSAGES
LANG=C
export LANG

# The enhanced codes the Indonesian catalogue promises (help/id/enhanced.txt may hold more;
# whatever it holds is checked too).
claimed_enhanced="2.0.0 X.1.1 X.1.2 X.1.3 X.1.6 X.1.8 X.1.10 X.2.1 X.2.2 X.2.3 X.3.0 X.3.2
	X.3.4 X.4.0 X.4.1 X.4.2 X.4.3 X.4.4 X.4.5 X.4.6 X.4.7 X.5.0 X.5.1 X.5.2 X.5.3 X.5.4
	X.7.0 X.7.1 X.7.8 X.7.9 X.7.23 X.7.24 X.7.25 X.7.26 X.7.27"

# Lists every field of every entry without `after` in the .txt files of a language folder as
# KIND<tab>KEY<tab>FIELD<tab>FIRST LINE OF ITS TEXT (a leading bullet "- " removed).
fields_of() {
	cat "$1"/*.txt | awk -v OFS='\t' '
		function flush() {
			if (kind != "" && field != "") { sub(/^- /, "", first); print kind, key, field, first }
			field = ""
		}
		/^#/ { next }
		/^@/ { flush(); n = split($0, a, " "); kind = (n == 2) ? substr(a[1], 2) : ""; key = a[2]; next }
		/^[a-z-]+:/ {
			if (kind == "") next
			flush(); field = $0; sub(/:.*/, "", field)
			first = $0; sub(/^[a-z-]+:[ \t]*/, "", first); next
		}
		/^[ \t]/ { if (field != "" && first == "") { first = $0; sub(/^[ \t]+/, "", first) } }
		END { flush() }'
}
fields_of "$help/id" >"$TEST_TMP/id.tsv"
fields_of "$help/en" >"$TEST_TMP/en.tsv"

# field TSV KIND KEY FIELD: the first line of that field, empty when there is none.
field() {
	awk -F'\t' -v k="$2" -v y="$3" -v f="$4" '$1 == k && $2 == y && $3 == f { print $4; exit }' "$1"
}
# keys TSV KIND: every key of that kind.
keys() {
	awk -F'\t' -v k="$2" '$1 == k && !seen[$2]++ { print $2 }' "$1"
}
has_entry() {
	awk -F'\t' -v k="$2" -v y="$3" '$1 == k && $2 == y { found = 1 } END { exit !found }' "$1"
}
nonempty() { [ -n "$1" ]; }
differ() { [ "$1" != "$2" ]; }
first_line_has() { head -n 1 "$1" | grep -qF -- "$2" || { printf '  first line: %s\n' "$(head -n 1 "$1")"; return 1; }; }

# need KIND KEY FIELD...: the Indonesian entry has each field, and its description is not a
# copy of the English one.
need() {
	kind=$1 key=$2
	shift 2
	for f in "$@"; do
		check "id @$kind $key has $f" nonempty "$(field "$TEST_TMP/id.tsv" "$kind" "$key" "$f")"
	done
	en_desc=$(field "$TEST_TMP/en.tsv" "$kind" "$key" description)
	if [ -n "$en_desc" ]; then
		check "id @$kind $key description is not the English one" \
			differ "$(field "$TEST_TMP/id.tsv" "$kind" "$key" description)" "$en_desc"
	fi
}

# shows KIND KEY ARG FIELD...: `smtpscope explain ARG --lang id` exits 0 with nothing on
# standard error, names the Indonesian title on its first line, and shows the first line of
# each named Indonesian field, not the English description.
shows() {
	kind=$1 key=$2 arg=$3
	shift 3
	out=$TEST_TMP/out err=$TEST_TMP/err
	"$SMTPSCOPE" explain "$arg" --lang id --width 1000 >"$out" 2>"$err"
	check "explain $arg --lang id exits 0" test $? -eq 0
	check "explain $arg --lang id: no diagnostics" test ! -s "$err"
	title=$(field "$TEST_TMP/id.tsv" "$kind" "$key" title)
	[ -n "$title" ] && check "explain $arg --lang id: Indonesian title" first_line_has "$out" "$title"
	for f in "$@"; do
		text=$(field "$TEST_TMP/id.tsv" "$kind" "$key" "$f")
		[ -n "$text" ] && check "explain $arg --lang id: Indonesian $f" contains "$out" "$text"
	done
	en_desc=$(field "$TEST_TMP/en.tsv" "$kind" "$key" description)
	[ -n "$en_desc" ] && check "explain $arg --lang id: no English description" lacks "$out" "$en_desc"
}

# ---- the files load cleanly ----
"$SMTPSCOPE" explain 5.1.1 --lang id >"$TEST_TMP/out" 2>"$TEST_TMP/err"
check "help dir loads with --lang id" test $? -eq 0
check "help dir loads with no diagnostics" test ! -s "$TEST_TMP/err"

# ---- classes and subjects ----
for c in 2 4 5; do
	need status-class "$c" title description when fix
done
for s in 0 1 2 3 4 5 6 7; do
	need subject "X.$s" title description when fix
	# An unregistered detail is explained by its subject.
	"$SMTPSCOPE" explain "5.$s.99" --lang id --width 1000 >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	check "explain 5.$s.99 --lang id: Indonesian subject X.$s" \
		contains "$TEST_TMP/out" "$(field "$TEST_TMP/id.tsv" subject "X.$s" description)"
done

# ---- enhanced codes: the claimed ones, whatever else id has, and English's one-class variants ----
enh=$( { for k in $claimed_enhanced; do echo "$k"; done; keys "$TEST_TMP/id.tsv" enhanced; } | awk '!seen[$0]++')
for k in $enh; do
	case $k in
	X.*)
		rest=${k#X.}
		for c in 2 4 5; do
			if has_entry "$TEST_TMP/en.tsv" enhanced "$c.$rest"; then
				case " $enh " in
				*" $c.$rest "*) ;;
				*) enh="$enh $c.$rest" ;;
				esac
			fi
		done
		;;
	esac
done
for k in $enh; do
	need enhanced "$k" title description when fix
	case $k in
	X.*)
		# Explain it in a class that has no entry of its own, so the X entry is what shows.
		rest=${k#X.} arg=
		for c in 5 4 2; do
			if ! has_entry "$TEST_TMP/en.tsv" enhanced "$c.$rest" &&
			   ! has_entry "$TEST_TMP/id.tsv" enhanced "$c.$rest"; then
				arg=$c.$rest
				break
			fi
		done
		[ -n "$arg" ] && shows enhanced "$k" "$arg" description when fix
		;;
	*) shows enhanced "$k" "$k" description when fix ;;
	esac
done

# ---- every scenario, event and command of the English catalogue ----
for k in $(keys "$TEST_TMP/en.tsv" scenario); do
	need scenario "$k" title description when fix
	shows scenario "$k" "$k" description when fix
done
for k in $(keys "$TEST_TMP/en.tsv" event); do
	need event "$k" title description when fix
	shows event "$k" "$k" description when fix
done
for k in $(keys "$TEST_TMP/en.tsv" command); do
	need command "$k" title description when
	shows command "$k" "$k" description
done

# ---- the basic reply codes help/id/codes.txt translates ----
codes=$(keys "$TEST_TMP/id.tsv" code)
check "help/id/codes.txt translates basic codes" nonempty "$codes"
for k in $codes; do
	need code "$k" title description when fix
	shows code "$k" "$k" description when fix
done

# ---- the language comes from the environment too ----
t550=$(field "$TEST_TMP/id.tsv" code 550 title)
LANG=id_ID.UTF-8 "$SMTPSCOPE" explain 550 >"$TEST_TMP/out" 2>"$TEST_TMP/err"
check "LANG=id_ID.UTF-8 explain 550 exits 0" test $? -eq 0
check "LANG=id_ID.UTF-8 explain 550: Indonesian title" first_line_has "$TEST_TMP/out" "$t550"
check "LANG=id_ID.UTF-8 explain 550: Indonesian label" contains "$TEST_TMP/out" "Cara Memperbaiki"
check "LANG=id_ID.UTF-8 explain 550: no diagnostics" test ! -s "$TEST_TMP/err"
t511=$(field "$TEST_TMP/id.tsv" enhanced X.1.1 title)
LANG=id_ID.UTF-8 "$SMTPSCOPE" explain 5.1.1 >"$TEST_TMP/out" 2>"$TEST_TMP/err"
check "LANG=id_ID.UTF-8 explain 5.1.1: Indonesian title" first_line_has "$TEST_TMP/out" "$t511"

# ---- without help/id the same question falls back to English (the checks above can fail) ----
mkdir "$TEST_TMP/help-en" && cp -R "$help/en" "$TEST_TMP/help-en/"
SMTPSCOPE_HELP_DIR=$TEST_TMP/help-en "$SMTPSCOPE" explain 5.1.1 --lang id --width 1000 \
	>"$TEST_TMP/out" 2>"$TEST_TMP/err"
check "English-only help dir: exits 0" test $? -eq 0
check "English-only help dir: English description" \
	contains "$TEST_TMP/out" "$(field "$TEST_TMP/en.tsv" enhanced X.1.1 description)"
check "English-only help dir: no Indonesian title" lacks "$TEST_TMP/out" "$t511"

finish
