/* escape.c: bytes from elsewhere as text that is safe to print, log or save (the rules are in
 * escape.h). One step function does the work for every kind of output: long runs of ordinary
 * ASCII are found eight bytes at a time and copied whole, because a capture or a transcript of
 * a long session is almost all such bytes. */
#include "config.h"

#include <string.h>

#include "core/util/escape.h"
#include "core/util/strbuf.h"
#include "core/util/xmalloc.h"

/* Output is produced in pieces of this size for a FILE or a strbuf. */
#define ESCAPE_STEP 512

size_t
escape_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c;
	size_t need, i;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, c = s[0] & 0x07;
	else
		return 0;  /* a continuation byte, an overlong lead (0xc0, 0xc1), or past 0xf4 */
	if (len < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && c < 0x800) || (need == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;  /* overlong or out of range */
	if (c >= 0xd800 && c <= 0xdfff)
		return 0;  /* surrogates */
	*cp = c;
	return need;
}

bool
escape_codepoint_hidden(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	    cp == 0x061c ||                        /* Arabic letter mark */
	    (cp >= 0x200b && cp <= 0x200f) ||      /* zero-width space/joiners, LRM, RLM */
	    (cp >= 0x202a && cp <= 0x202e) ||      /* bidirectional embeddings and overrides */
	    (cp >= 0x2066 && cp <= 0x2069) ||      /* bidirectional isolates */
	    cp == 0x2028 || cp == 0x2029 ||        /* line and paragraph separators */
	    cp == 0xfeff;                          /* byte order mark, zero-width no-break */
}

size_t
escape_utf8_safe_len(const unsigned char *s, size_t len)
{
	uint32_t cp;
	size_t n = escape_utf8_decode(s, len, &cp);

	return n >= 2 && !escape_codepoint_hidden(cp) ? n : 0;
}

/* How many bytes from s (at most n) are printable ASCII other than a backslash, eight at a
 * time; each test is nonzero exactly when some byte of the eight has the property. */
#define SWAR_ONES UINT64_C(0x0101010101010101)
#define SWAR_HIGHS UINT64_C(0x8080808080808080)
static size_t
plain_ascii_words(const unsigned char *s, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t v, bs;

		memcpy(&v, s + i, 8);
		bs = v ^ (SWAR_ONES * '\\');
		if ((((v - SWAR_ONES * 0x20) & ~v) |                 /* a byte below 0x20 */
		    ((v + SWAR_ONES * (127 - 0x7e)) | v) |           /* a byte above 0x7e */
		    ((bs - SWAR_ONES) & ~bs)) & SWAR_HIGHS)          /* a backslash */
			break;
	}
	return i;
}

static bool
is_plain(unsigned char c, unsigned flags)
{
	return c >= 0x20 && c < 0x7f && c != '\\' && !(c == '"' && (flags & ESCAPE_QUOTE));
}

/* The bytes with a two-character escape, each under the flag that asks for it (0: always). */
static const struct {
	unsigned char byte;
	unsigned flag;
	char text[3];
} named_escapes[] = {
	{ '\\', 0, "\\\\" },
	{ '"', ESCAPE_QUOTE, "\\\"" },
	{ '\0', ESCAPE_NUL, "\\0" },
	{ '\r', ESCAPE_NAMED, "\\r" },
	{ '\n', ESCAPE_NAMED, "\\n" },
	{ '\t', ESCAPE_NAMED, "\\t" },
};

/* Writes the escape of the byte (or UTF-8 character) at s[*i] to out (room for
 * ESCAPE_UNIT_MAX); returns its length and advances *i. */
static size_t
escape_one(const unsigned char *s, size_t len, size_t *i, unsigned flags, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = s[*i];
	size_t k, n;

	if (c >= 0x80 && (flags & ESCAPE_UTF8) &&
	    (n = escape_utf8_safe_len(s + *i, len - *i)) > 0) {
		memcpy(out, s + *i, n);
		*i += n;
		return n;
	}
	(*i)++;
	for (k = 0; k < sizeof named_escapes / sizeof named_escapes[0]; k++) {
		if (named_escapes[k].byte == c &&
		    (named_escapes[k].flag == 0 || (flags & named_escapes[k].flag))) {
			out[0] = named_escapes[k].text[0];
			out[1] = named_escapes[k].text[1];
			return 2;
		}
	}
	/* Everything else, including a trailing space under ESCAPE_END_SPACE. */
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 15];
	return 4;
}

size_t
escape_chunk(const char *text, size_t len, size_t *pos, unsigned flags, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = *pos, o = 0, run, n;

	while (i < len) {
		run = i;
		if (!(flags & ESCAPE_QUOTE))  /* the word test does not look for quotes */
			run += plain_ascii_words(s + run, len - run);
		while (run < len && is_plain(s[run], flags))
			run++;
		if (run == len && (flags & ESCAPE_END_SPACE) && run > i && s[run - 1] == ' ')
			run--;  /* the last space is escaped */
		n = run - i;
		if (n > cap - o)
			n = cap - o;
		memcpy(out + o, s + i, n);
		o += n;
		i += n;
		if (i < run || i >= len || cap - o < ESCAPE_UNIT_MAX)
			break;
		o += escape_one(s, len, &i, flags, out + o);
	}
	*pos = i;
	return o;
}

void
escape_append(struct strbuf *b, const char *text, size_t len, unsigned flags)
{
	char step[ESCAPE_STEP];
	size_t pos = 0, n;

	while (pos < len) {
		n = escape_chunk(text, len, &pos, flags, step, sizeof step);
		strbuf_addn(b, step, n);
	}
}

char *
escape_str(const char *text, size_t len, unsigned flags)
{
	/* Room for the worst case at once: the text is never copied while growing, so a secret
	 * escaped here leaves no stray copy in freed memory. */
	size_t cap = (len + 1) * ESCAPE_UNIT_MAX, pos = 0, n;
	char *out = xreallocarray(NULL, len + 1, ESCAPE_UNIT_MAX);

	n = escape_chunk(text, len, &pos, flags, out, cap - 1);
	out[n] = '\0';
	return out;
}

int
escape_write(FILE *fp, const char *text, size_t len, unsigned flags)
{
	char step[ESCAPE_STEP];
	size_t pos = 0, n;
	int rc = 0;

	while (pos < len) {
		n = escape_chunk(text, len, &pos, flags, step, sizeof step);
		if (fwrite(step, 1, n, fp) != n)
			rc = -1;
	}
	return rc;
}
