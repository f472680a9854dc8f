/* export_escape.c: the one rule of the exports, that bytes from the wire never reach the
 * output raw. Text: the shared rules of escape.h (printable ASCII passes, a backslash
 * doubles, every other byte is \xHH, except valid UTF-8 characters that are safe to show when
 * the output takes UTF-8: never controls, bidirectional marks or zero-width characters).
 * HTML: the same, plus & < > " ' as entities, and escaped bytes marked up so they stand out.
 * Markdown: wire lines are escaped as in text (export_markdown.c puts them in fenced code
 * blocks behind a mark); prose has Markdown's and HTML's specials backslash-escaped. */
#include "config.h"

#include <string.h>

#include "core/util/escape.h"
#include "core/record/export_internal.h"

static void
put_hex(struct obuf *out, unsigned char c, bool html)
{
	static const char hex[] = "0123456789abcdef";
	char buf[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

	if (html)
		export_ob_puts(out, "<span class=\"x\">");
	export_ob_write(out, buf, 4);
	if (html)
		export_ob_puts(out, "</span>");
}

/* plain[mode][byte]: the byte goes out as it is in that mode (printable ASCII that is not
 * special there). */
static bool plain[4][256];
static bool plain_ready;

void
export_escape_init(void)
{
	int m, c;

	if (plain_ready)
		return;
	for (m = 0; m < 4; m++)
		for (c = 0x20; c < 0x7f; c++)
			plain[m][c] = c != '\\' &&
			    !(m == ESC_HTML && strchr("&<>\"'", c) != NULL) &&
			    !(m == ESC_MD_PROSE && strchr("`*_[]<>&#|~", c) != NULL);
	plain_ready = true;
}

/* Text and Markdown code take the shared rules (escape.h), written straight into the
 * buffer. */
static void
put_wire(struct obuf *out, const char *text, size_t len, bool utf8)
{
	size_t pos = 0;

	while (pos < len) {
		if (out->cap - out->len < ESCAPE_UNIT_MAX)
			export_ob_room(out, ESCAPE_UNIT_MAX);
		out->len += escape_chunk(text, len, &pos, utf8 ? ESCAPE_UTF8 : 0,
		    out->data + out->len, out->cap - out->len);
	}
}

/* Writes len bytes escaped for mode; keep_newlines lets '\n' through (our own prose, HTML
 * and Markdown prose only). */
void
export_put_escaped(struct obuf *out, const char *text, size_t len, enum escape_mode mode,
    bool utf8, bool keep_newlines)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	if (mode == ESC_TEXT || mode == ESC_MD_CODE) {
		put_wire(out, text, len, utf8 || mode == ESC_MD_CODE);
		return;
	}
	while (i < len) {
		size_t run = i, n;
		unsigned char c;

		/* The common case: a run of printable ASCII with nothing to escape. */
		while (run < len && plain[mode][s[run]])
			run++;
		if (run > i)
			export_ob_write(out, s + i, run - i);
		i = run;
		if (i >= len)
			break;
		c = s[i];
		if (c == '\\') {
			/* HTML shows it as it is; Markdown prose needs it doubled. */
			export_ob_puts(out, mode == ESC_MD_PROSE ? "\\\\" : "\\");
			i++;
		} else if (c == '\n' && keep_newlines) {
			export_ob_putc(out, '\n');
			i++;
		} else if (c >= 0x20 && c < 0x7f) {
			if (mode == ESC_HTML) {
				export_ob_puts(out, c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" :
				    c == '"' ? "&quot;" : "&#39;");
			} else if (c == '&' || c == '<' || c == '>') {
				/* Markdown prose: an entity, so no HTML tag can start. */
				export_ob_puts(out, c == '&' ? "&amp;" : c == '<' ? "&lt;" : "&gt;");
			} else {
				export_ob_putc(out, '\\');
				export_ob_putc(out, c);
			}
			i++;
		} else if (c >= 0x80 && (n = escape_utf8_safe_len(s + i, len - i)) > 0) {
			export_ob_write(out, s + i, n);
			i += n;
		} else {
			put_hex(out, c, mode == ESC_HTML);
			i++;
		}
	}
}

void
export_put_str(struct export_writer *w, const char *s, enum escape_mode mode)
{
	export_put_escaped(w->o, s, strlen(s), mode, w->opts.utf8, false);
}

void
export_put_between(struct export_writer *w, const char *before, const char *s,
    const char *after, enum escape_mode mode)
{
	if (s == NULL)
		return;
	export_ob_puts(w->o, before);
	export_put_str(w, s, mode);
	export_ob_puts(w->o, after);
}

/* Prose with `code` spans (the knowledge base marks commands and keywords so): the spans
 * become <code> in HTML and stay code spans in Markdown; the rest is escaped as prose. */
void
export_put_inline(struct export_writer *w, const char *s, size_t n, enum escape_mode mode)
{
	while (n > 0) {
		const char *open = memchr(s, '`', n), *close;
		size_t before, inner;

		if (open == NULL || (close = memchr(open + 1, '`', n - (size_t)(open + 1 - s))) == NULL ||
		    close == open + 1) {
			export_put_escaped(w->o, s, n, mode, true, false);
			return;
		}
		before = (size_t)(open - s);
		inner = (size_t)(close - open - 1);
		export_put_escaped(w->o, s, before, mode, true, false);
		if (mode == ESC_HTML) {
			export_ob_puts(w->o, "<code>");
			export_put_escaped(w->o, open + 1, inner, ESC_HTML, true, false);
			export_ob_puts(w->o, "</code>");
		} else {
			export_ob_putc(w->o, '`');
			export_put_escaped(w->o, open + 1, inner, ESC_MD_CODE, true, false);
			export_ob_putc(w->o, '`');
		}
		n -= (size_t)(close + 1 - s);
		s = close + 1;
	}
}
