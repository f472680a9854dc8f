#!/bin/sh
# annotate_export.sh: HTML and Markdown exports escape everything that came from the wire
# (HTML tags, terminal escapes, C1 controls, bidirectional overrides, invalid UTF-8, fences),
# also where wire text ends up inside an explanation (EHLO keywords, a decoded 334), and the
# HTML is one self-contained, well-formed file with a print style.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/annotate/annotate_lib.sh"
T=$TEST_TMP

# A hostile session, byte by byte: ESC, BEL, C1 CSI (c2 9b), RLO (e2 80 ae), invalid 0xff.
{
	printf 'S: 220 evil.example <script>alert("greeting")</script>\033]0;title\007\n'
	printf 'C: EHLO client.example\n'
	printf 'S: 250-evil.example & "friends" '"'"'quoted'"'"'\n'
	printf 'S: 250-<img src=x onerror=alert(1)>\n'
	printf 'S: 250-PIPE\000LINING\n'
	printf 'S: 250 ```\n'
	printf 'C: AUTH LOGIN\n'
	printf 'S: 334 PGI+aGk8L2I+\n'
	printf 'C: secretpayload==\n'
	printf 'S: 334 \000VXNlcm5hbWU6\n'
	printf 'C: *\n'
	printf 'S: 535 5.7.8 \033[31mred\033[0m \302\233c \342\200\256reversed \377bad\n'
	printf 'C: QUIT\n'
	printf 'S: 221 bye\n'
} >"$T/evil.txt"

ESC=$(printf '\033')
BEL=$(printf '\007')
C1=$(printf '\302\233')
RLO=$(printf '\342\200\256')
FF=$(printf '\377')

no_raw_bytes() {
	for b in "$ESC" "$BEL" "$C1" "$RLO" "$FF"; do
		if grep -qF -- "$b" "$1"; then
			printf '  raw byte %s found in %s\n' "$(printf %s "$b" | od -An -tx1)" "$1"
			return 1
		fi
	done
}

"$SMTPSCOPE" annotate --format html --output "$T/evil.html" "$T/evil.txt"
check "html export written (exit 0; NULs in EHLO and 334 lines do not crash it)" test $? -eq 0
check "html: a NUL is shown escaped" contains "$T/evil.html" 'PIPE<span class="x">\x00</span>LINING'
check "html: no raw control or hostile byte" no_raw_bytes "$T/evil.html"
check "html: no script element from the wire" lacks "$T/evil.html" "<script"
check "html: the script text shown escaped" contains "$T/evil.html" "&lt;script&gt;alert(&quot;greeting&quot;)&lt;/script&gt;"
check "html: no img element from an EHLO line" lacks "$T/evil.html" "<img"
check "html: the EHLO keyword explanation escaped too" contains "$T/evil.html" "&lt;IMG"
check "html: a decoded 334 escaped" lacks "$T/evil.html" "<b>hi"
check "html: ESC shown as an escape" contains "$T/evil.html" '<span class="x">\x1b</span>'
check "html: invalid byte shown as an escape" contains "$T/evil.html" '<span class="x">\xff</span>'
check "html: ampersand and quotes escaped" contains "$T/evil.html" "&amp; &quot;friends&quot; &#39;quoted&#39;"
check "html: the AUTH answer is masked" lacks "$T/evil.html" "secretpayload"
check "html: declares UTF-8" contains "$T/evil.html" '<meta charset="utf-8">'
check "html: has a print style" contains "$T/evil.html" "@media print"
check "html: no external stylesheet" lacks "$T/evil.html" "<link"
check "html: no external resource" lacks "$T/evil.html" 'src="'
check "html: no @import or url()" sh -c "! grep -qE '@import|url\\(' '$T/evil.html'"
check "html: the 535 after AUTH explained" \
	contains "$T/evil.html" "$(heading_of --after AUTH 535 5.7.8 | cut -d' ' -f3- | sed 's/&/\&amp;/g')"
check "html: well-formed (every element closed, in order)" \
	"$SYSTEM_PYTHON" - "$T/evil.html" <<'PY'
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "hr", "img", "link", "input"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []; self.bad = []
    def handle_starttag(self, tag, attrs):
        if tag not in VOID: self.stack.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.bad.append((tag, list(self.stack[-3:]))); return
        self.stack.pop()
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read()); p.close()
if p.bad or p.stack:
    print("  mismatched:", p.bad[:5], "left open:", p.stack); sys.exit(1)
PY

# ---- Markdown ----
"$SMTPSCOPE" annotate --format md "$T/evil.txt" >"$T/evil.md"
check "md: no raw control or hostile byte" no_raw_bytes "$T/evil.md"
check "md: ESC shown as an escape" contains "$T/evil.md" '\x1b'
check "md: fences balanced and no wire line closes one; HTML only inside code" \
	"$SYSTEM_PYTHON" - "$T/evil.md" <<'PY'
import sys
inside = False
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    if line.startswith("```"):
        if inside and line.strip() != "```":
            print("  line %d opens a fence inside a fence: %r" % (n, line)); sys.exit(1)
        inside = not inside
        continue
    if not inside:
        for bad in ("<script", "<img", "<b>"):
            if bad in line:
                print("  line %d: %s outside code: %r" % (n, bad, line)); sys.exit(1)
if inside:
    print("  a fence is left open"); sys.exit(1)
PY
check "md: the EHLO keyword explanation escaped" contains "$T/evil.md" '&lt;IMG'

# ---- text ----
"$SMTPSCOPE" annotate "$T/evil.txt" >"$T/evil.out"
check "text: no raw control or hostile byte" no_raw_bytes "$T/evil.out"
check "text: escapes visible" contains "$T/evil.out" 'S: 535 5.7.8 \x1b[31mred\x1b[0m'
"$SMTPSCOPE" annotate --color "$T/evil.txt" >"$T/evil-color.out"
check "text --color: colours are used" grep -q "$(printf '\033')\\[1;31m   => 535" "$T/evil-color.out"
sed "s/$(printf '\033')\\[[0-9;]*m//g" "$T/evil-color.out" >"$T/evil-color-stripped.out"
check "text --color: the only escapes are its own colours" no_raw_bytes "$T/evil-color-stripped.out"
check "text --color: colours change nothing else" cmp -s "$T/evil-color-stripped.out" "$T/evil.out"
LC_ALL=C "$SMTPSCOPE" annotate "$T/evil.txt" >"$T/evil-c.out"
check "text, C locale: no raw byte either" no_raw_bytes "$T/evil-c.out"

# ---- stdin and full/short ----
"$SMTPSCOPE" annotate --format html - <"$ANNOTATE_DATA/rfc5321.txt" >"$T/rfc.html"
check "html from standard input" contains "$T/rfc.html" "</html>"
check "html explains a repeated reply once and links back" contains "$T/rfc.html" 'href="#x'
check "html footer counts the replies" contains "$T/rfc.html" "9 replies"
"$SMTPSCOPE" annotate --format html --explain-level short - <"$ANNOTATE_DATA/rfc5321.txt" >"$T/rfc-short.html"
check "short html is shorter" test "$(wc -c <"$T/rfc-short.html")" -lt "$(wc -c <"$T/rfc.html")"

finish
