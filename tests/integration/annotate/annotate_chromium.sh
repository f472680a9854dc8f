#!/bin/sh
# annotate_chromium.sh: the HTML export renders in a real browser. Headless Chromium (Debian
# package `chromium`) takes a screenshot and prints to PDF; the screenshot must show a page
# with text on it (decoded here, not just "a file exists"), the PDF must have pages. Skipped
# (77) when chromium is not installed.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/annotate/annotate_lib.sh"
T=$TEST_TMP

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "chromium is not installed (apt-get install chromium): skipped"; exit 77; }

# The session: RFC 5321's example plus a hostile line, so escaped bytes render too.
{
	cat "$ANNOTATE_DATA/rfc5321.txt"
	printf 'C: RSET\nS: 250 ok <b>not bold</b> \033[1mnot bold either\033[0m\n'
} >"$T/session.txt"
"$SMTPSCOPE" annotate --format html --title "Handout: a first SMTP session" \
	--output "$T/session.html" "$T/session.txt"
check "html written" test -s "$T/session.html"

browse() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-extensions --user-data-dir="$T/profile" "$@" \
		>>"$T/chromium.log" 2>&1
}

browse --screenshot="$T/shot.png" --window-size=1000,1400 "file://$T/session.html"
check "chromium wrote a screenshot" test -s "$T/shot.png"
check "the screenshot shows a rendered page (not blank, text in the header)" \
	"$SYSTEM_PYTHON" - "$T/shot.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), "unexpected PNG type %d/%d" % (depth, ctype)
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = width * bpp
prev = bytearray(stride)
rows = []
for y in range(height):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
dark_rows = sum(1 for r in rows if any(sum(r[i:i + 3]) < 200 for i in range(0, stride, bpp)))
coloured = sum(1 for r in rows[::4] for i in range(0, stride, bpp * 4)
               if max(r[i:i + 3]) - min(r[i:i + 3]) > 60)
print("  %dx%d, %d rows with dark (text) pixels, %d coloured samples" % (width, height, dark_rows, coloured))
assert dark_rows > 200, "too little text: the page looks blank"
assert dark_rows < height, "every row is dark: not a light page"
assert coloured > 50, "no colour: the reply badges and class bars are missing"
PY

browse --print-to-pdf="$T/print.pdf" --no-pdf-header-footer "file://$T/session.html"
check "chromium printed a PDF" test -s "$T/print.pdf"
check "the PDF has pages" "$SYSTEM_PYTHON" -c '
import re, sys
d = open(sys.argv[1], "rb").read()
n = len(re.findall(rb"/Type\s*/Page[^s]", d))
print("  %d pages" % n)
sys.exit(0 if n >= 1 else 1)' "$T/print.pdf"

finish
