/* export.c: writes a session with its replies explained as plain text, Markdown or one
 * self-contained HTML file. The writer streams (nothing of the session is kept); explanations
 * are looked up once per (code, enhanced code, command, violations) and cached in a small
 * fixed table, because a long session repeats the same few replies over and over: the cache
 * keeps annotate fast and, in Markdown and HTML, lets a repeated explanation point back to the
 * first one instead of printing it again.
 *
 * Escaping is the one rule that matters here: bytes from the wire never reach the output raw.
 * Text: the shared rules of escape.h (printable ASCII passes, a backslash doubles, every other
 * byte is \xHH, except valid UTF-8 characters that are safe to show when the output takes
 * UTF-8: never controls, bidirectional marks or zero-width characters).
 * HTML: the same, plus & < > " ' as entities, and escaped bytes marked up so they stand out.
 * Markdown: wire lines sit in fenced code blocks behind their "C: " / "S: " mark (so no line can
 * close the fence) with bytes escaped as in text; prose has Markdown's and HTML's specials
 * backslash-escaped. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/util/escape.h"
#include "core/knowledge/explain.h"
#include "core/record/export.h"
#include "core/util/xmalloc.h"

#define EXPORT_CACHE_SIZE 512   /* slots; a power of two */
#define EXPORT_CACHE_FILL 384   /* entries kept at most; later keys are rendered each time */

enum escape_mode { ESC_TEXT, ESC_HTML, ESC_MD_CODE, ESC_MD_PROSE };

/* An output buffer: either in front of a FILE (flushed in large writes, which is much
 * cheaper than stdio call by call) or growing in memory (to keep a rendering for the cache). */
struct obuf {
	char *data;
	size_t len, cap;
	FILE *sink;       /* NULL: memory only */
	bool failed;      /* a write to the sink failed */
};

#define OBUF_SIZE ((size_t)256 * 1024)

/* A cached explanation: what to write when the same explanation comes again, in two parts so
 * a latency can go between them. */
struct cache_entry {
	char *key;
	size_t key_len;
	unsigned long hash;
	char *head;        /* up to where a latency goes */
	size_t head_len;
	char *tail;        /* the rest */
	size_t tail_len;
};

struct export_writer {
	struct obuf main;
	struct obuf *o;      /* where writing goes now: main, or a cache rendering */
	const struct kb *kb;
	struct export_options opts;
	bool in_wire;        /* a block of wire lines is open (Markdown fence, HTML div) */
	struct cache_entry cache[EXPORT_CACHE_SIZE];
	size_t cache_fill;
	int next_id;
	unsigned long nlines, nreplies, nclass[6];
	int64_t stamp_secs;      /* the second stamp_prefix shows ("10:00:01.") */
	char stamp_prefix[16];
};

/* ---- the output buffer ---- */

static void
ob_flush(struct obuf *o)
{
	if (o->sink == NULL || o->len == 0)
		return;
	if (fwrite(o->data, 1, o->len, o->sink) != o->len)
		o->failed = true;
	o->len = 0;
}

static void
ob_write(struct obuf *o, const void *p, size_t n)
{
	if (o->len + n > o->cap) {
		if (o->sink != NULL) {
			ob_flush(o);
			if (n > o->cap) {
				if (fwrite(p, 1, n, o->sink) != n)
					o->failed = true;
				return;
			}
		} else {
			while (o->len + n > o->cap)
				o->cap = o->cap != 0 ? o->cap * 2 : 1024;
			o->data = xreallocarray(o->data, o->cap, 1);
		}
	}
	memcpy(o->data + o->len, p, n);
	o->len += n;
}

/* Makes room for n more bytes: flushes to the sink, or grows a memory buffer. */
static void
ob_room(struct obuf *o, size_t n)
{
	if (o->len + n <= o->cap)
		return;
	ob_flush(o);
	if (o->len + n <= o->cap)
		return;
	while (o->len + n > o->cap)
		o->cap = o->cap != 0 ? o->cap * 2 : 1024;
	o->data = xreallocarray(o->data, o->cap, 1);
}

static void
ob_puts(struct obuf *o, const char *s)
{
	ob_write(o, s, strlen(s));
}

static void
ob_putc(struct obuf *o, char c)
{
	if (o->len < o->cap)
		o->data[o->len++] = c;
	else
		ob_write(o, &c, 1);
}

static void ob_printf(struct obuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
ob_printf(struct obuf *o, const char *fmt, ...)
{
	char small[256], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		ob_write(o, small, (size_t)n);
		return;
	}
	va_start(ap, fmt);
	big = xvasprintf(fmt, ap);
	va_end(ap);
	ob_puts(o, big);
	free(big);
}

/* ---- escaping ---- */

static void
put_hex(struct obuf *out, unsigned char c, bool html)
{
	static const char hex[] = "0123456789abcdef";
	char buf[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

	if (html)
		ob_puts(out, "<span class=\"x\">");
	ob_write(out, buf, 4);
	if (html)
		ob_puts(out, "</span>");
}

/* plain[mode][byte]: the byte goes out as it is in that mode (printable ASCII that is not
 * special there). */
static bool plain[4][256];
static bool plain_ready;

static void
plain_init(void)
{
	int m, c;

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
			ob_room(out, ESCAPE_UNIT_MAX);
		out->len += escape_chunk(text, len, &pos, utf8 ? ESCAPE_UTF8 : 0,
		    out->data + out->len, out->cap - out->len);
	}
}

/* Writes len bytes escaped for mode; keep_newlines lets '\n' through (our own prose, HTML
 * and Markdown prose only). */
static void
put_escaped(struct obuf *out, const char *text, size_t len, enum escape_mode mode, bool utf8,
    bool keep_newlines)
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
			ob_write(out, s + i, run - i);
		i = run;
		if (i >= len)
			break;
		c = s[i];
		if (c == '\\') {
			/* HTML shows it as it is; Markdown prose needs it doubled. */
			ob_puts(out, mode == ESC_MD_PROSE ? "\\\\" : "\\");
			i++;
		} else if (c == '\n' && keep_newlines) {
			ob_putc(out, '\n');
			i++;
		} else if (c >= 0x20 && c < 0x7f) {
			if (mode == ESC_HTML) {
				ob_puts(out, c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" :
				    c == '"' ? "&quot;" : "&#39;");
			} else if (c == '&' || c == '<' || c == '>') {
				/* Markdown prose: an entity, so no HTML tag can start. */
				ob_puts(out, c == '&' ? "&amp;" : c == '<' ? "&lt;" : "&gt;");
			} else {
				ob_putc(out, '\\');
				ob_putc(out, c);
			}
			i++;
		} else if (c >= 0x80 && (n = escape_utf8_safe_len(s + i, len - i)) > 0) {
			ob_write(out, s + i, n);
			i += n;
		} else {
			put_hex(out, c, mode == ESC_HTML);
			i++;
		}
	}
}

static void
put_str(struct export_writer *w, const char *s, enum escape_mode mode)
{
	put_escaped(w->o, s, strlen(s), mode, w->opts.utf8, false);
}

/* ---- the explanation cache ---- */

/* A hash of the key taken eight bytes at a time: it runs once per reply, so a byte-at-a-time
 * loop shows in the profile of a long capture. */
static unsigned long
hash_key(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ n;

	while (n >= 8) {
		uint64_t v;

		memcpy(&v, s, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	if (n > 0) {
		uint64_t v = 0;

		memcpy(&v, s, n);
		h = (h ^ v) * 0xc4ceb9fe1a85ec53u;
		h ^= h >> 29;
	}
	return (unsigned long)h;
}

static struct cache_entry *
cache_find(struct export_writer *w, const char *key, size_t key_len, bool *found)
{
	unsigned long h = hash_key(key, key_len);
	size_t i = h & (EXPORT_CACHE_SIZE - 1), probes;

	*found = false;
	for (probes = 0; probes < EXPORT_CACHE_SIZE; probes++) {
		struct cache_entry *e = &w->cache[i];

		if (e->key == NULL) {
			e->hash = h;
			return w->cache_fill < EXPORT_CACHE_FILL ? e : NULL;
		}
		if (e->hash == h && e->key_len == key_len && memcmp(e->key, key, key_len) == 0) {
			*found = true;
			return e;
		}
		i = (i + 1) & (EXPORT_CACHE_SIZE - 1);
	}
	return NULL;
}

/* ---- document pieces ---- */

static const char html_head[] =
"<!DOCTYPE html>\n"
"<html lang=\"%s\">\n"
"<head>\n"
"<meta charset=\"utf-8\">\n"
"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
"<meta name=\"generator\" content=\"smtpscope " PACKAGE_VERSION "\">\n"
"<title>";

static const char html_style[] =
"</title>\n"
"<style>\n"
":root{--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--rule:#d1d9e0;"
"--client:#0550ae;--ok:#1a7f37;--mid:#8250df;--warn:#9a6700;--bad:#cf222e}\n"
"*{box-sizing:border-box}\n"
"body{margin:2rem auto;max-width:62rem;padding:0 1.25rem;color:var(--fg);background:var(--bg);"
"font:15px/1.55 system-ui,-apple-system,\"Segoe UI\",\"Noto Sans\",\"DejaVu Sans\",sans-serif}\n"
"header{border-bottom:2px solid var(--rule);margin-bottom:1.25rem;padding-bottom:.5rem}\n"
"h1{font-size:1.6rem;margin:0 0 .2rem}\n"
".meta{color:var(--muted);margin:0;font-size:.9rem}\n"
".meta code{font-size:.85rem}\n"
".wire{font:13px/1.5 ui-monospace,\"DejaVu Sans Mono\",\"Liberation Mono\",Menlo,Consolas,monospace;"
"background:var(--panel);border:1px solid var(--rule);border-radius:6px;padding:.45rem .7rem;"
"margin:1rem 0 .4rem}\n"
".l{display:flex;gap:.6rem;align-items:baseline}\n"
".l .ts{flex:none;color:var(--muted);font-size:.85em}\n"
".l .d{flex:none;width:1.7em;font-weight:700}\n"
".l .t{flex:1;min-width:0;white-space:pre-wrap;overflow-wrap:anywhere}\n"
".l.c,.l.b{color:var(--client)}\n"
".l.b .t{opacity:.8}\n"
".l.s .d{color:var(--fg)}\n"
".l.i{color:var(--muted);font-style:italic}\n"
".l.w{color:var(--warn)}\n"
".l.e{color:var(--bad)}\n"
".l.g .t{color:var(--fg)}\n"
".l.tls .d::after{content:\"\\1F512\";font-size:.7em;margin-left:.1em}\n"
".cut{color:var(--muted);font-style:italic}\n"
".secret{color:var(--muted)}\n"
".x{background:#fff8c5;color:#7d4e00;border:1px solid #d4a72c;border-radius:3px;padding:0 .1em;"
"font-style:normal}\n"
".ex{border-left:4px solid var(--rule);margin:.3rem 0 1.2rem;padding:.15rem 0 .15rem 1rem}\n"
".ex.k2{border-color:var(--ok)}.ex.k3{border-color:var(--mid)}"
".ex.k4{border-color:var(--warn)}.ex.k5{border-color:var(--bad)}\n"
".ex h2{font-size:1.05rem;margin:.1rem 0 .05rem}\n"
".ex .code{display:inline-block;min-width:2.6em;padding:0 .35em;margin-right:.35em;"
"border-radius:4px;color:#fff;background:var(--muted);font-family:ui-monospace,monospace}\n"
".ex.k2 .code{background:var(--ok)}.ex.k3 .code{background:var(--mid)}"
".ex.k4 .code{background:var(--warn)}.ex.k5 .code{background:var(--bad)}\n"
".ex .sum{color:var(--muted);margin:0 0 .35rem}\n"
".ex h3{font-size:.78rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);"
"margin:.7rem 0 .1rem}\n"
".ex p{margin:.2rem 0}\n"
".ex ul{margin:.2rem 0;padding-left:1.3rem}\n"
".ex pre{margin:.2rem 0;white-space:pre-wrap;font-size:13px}\n"
".ex code{font:.9em ui-monospace,\"DejaVu Sans Mono\",monospace;background:var(--panel);"
"border:1px solid var(--rule);border-radius:4px;padding:0 .25em}\n"
".ex.brief{margin-bottom:.8rem}\n"
".ex.brief .sum{margin:0}\n"
".ex .lat{color:var(--muted);font-weight:400;font-size:.85rem}\n"
"a{color:var(--client)}\n"
"footer{border-top:1px solid var(--rule);margin-top:2rem;padding-top:.5rem;color:var(--muted);"
"font-size:.85rem}\n"
"@media print{\n"
"  body{margin:0;max-width:none;font-size:10.5pt;color:#000}\n"
"  .wire{background:none;border-color:#888;break-inside:avoid}\n"
"  .ex{break-inside:avoid}\n"
"  .ex .code{color:#000;background:none;border:1px solid #000}\n"
"  a{color:inherit;text-decoration:none}\n"
"  .x{background:none;border-color:#000;color:#000}\n"
"}\n"
"</style>\n"
"</head>\n"
"<body>\n";

/* Opens (or closes) the block that wire lines sit in: a Markdown fence, an HTML div. */
static void
wire_block(struct export_writer *w, bool open)
{
	if (w->in_wire == open)
		return;
	w->in_wire = open;
	if (w->opts.format == EXPORT_HTML)
		ob_puts(w->o, open ? "<div class=\"wire\">\n" : "</div>\n");
	else if (w->opts.format == EXPORT_MARKDOWN)
		ob_puts(w->o, open ? "```text\n" : "```\n\n");
}

/* Our own markup, then s escaped for mode, then more markup; nothing when s is NULL (an
 * option not given). */
static void
put_between(struct export_writer *w, const char *before, const char *s, const char *after,
    enum escape_mode mode)
{
	if (s == NULL)
		return;
	ob_puts(w->o, before);
	put_str(w, s, mode);
	ob_puts(w->o, after);
}

static void
write_head(struct export_writer *w)
{
	const char *title = w->opts.title != NULL ? w->opts.title : "SMTP session";
	const char *lang = w->kb != NULL ? kb_language(w->kb) : "en";

	switch (w->opts.format) {
	case EXPORT_HTML:
		ob_printf(w->o, html_head, lang);
		put_between(w, "", title, "", ESC_HTML);
		put_between(w, " \xe2\x80\x94 ", w->opts.source, "", ESC_HTML);
		ob_puts(w->o, html_style);
		put_between(w, "<header>\n<h1>", title, "</h1>\n<p class=\"meta\">", ESC_HTML);
		put_between(w, "<code>", w->opts.source, "</code> \xc2\xb7 ", ESC_HTML);
		ob_puts(w->o, "every server reply explained by smtpscope</p>\n</header>\n<main>\n");
		break;
	case EXPORT_MARKDOWN:
		put_between(w, "# ", title, "\n\n", ESC_MD_PROSE);
		put_between(w, "Source: ", w->opts.source, ". ", ESC_MD_PROSE);
		ob_puts(w->o, "Every server reply explained by smtpscope.\n\n");
		break;
	case EXPORT_TEXT:
		break;
	}
}

/* ---- lines ---- */

static const char *
line_mark(enum export_line_kind kind)
{
	switch (kind) {
	case EXPORT_LINE_CLIENT:
	case EXPORT_LINE_BODY:
		return "C:";
	case EXPORT_LINE_SERVER:
		return "S:";
	case EXPORT_LINE_INFO:
		return "--";
	case EXPORT_LINE_WARNING:
		return "!";
	case EXPORT_LINE_ERROR:
		return "!!";
	case EXPORT_LINE_LOG:
	case EXPORT_LINE_OTHER:
		return "";
	}
	return "";
}

static const char *
line_class(enum export_line_kind kind)
{
	static const char *const classes[] = {
		[EXPORT_LINE_CLIENT] = "c", [EXPORT_LINE_BODY] = "b", [EXPORT_LINE_SERVER] = "s",
		[EXPORT_LINE_INFO] = "i", [EXPORT_LINE_WARNING] = "w", [EXPORT_LINE_ERROR] = "e",
		[EXPORT_LINE_LOG] = "g", [EXPORT_LINE_OTHER] = "o",
	};

	return (size_t)kind < sizeof classes / sizeof classes[0] ? classes[kind] : "o";
}

static void
format_time(struct export_writer *w, int64_t us, char *buf)
{
	int64_t secs = us / 1000000;
	int ms = (int)((us / 1000) % 1000);

	if (us < 0) {
		buf[0] = '\0';
		return;
	}
	/* Lines come many to the second: convert the second once. */
	if (secs != w->stamp_secs) {
		time_t t = (time_t)secs;
		struct tm tm;

		if (gmtime_r(&t, &tm) == NULL) {
			buf[0] = '\0';
			return;
		}
		snprintf(w->stamp_prefix, sizeof w->stamp_prefix, "%02d:%02d:%02d.", tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
		w->stamp_secs = secs;
	}
	memcpy(buf, w->stamp_prefix, 9);
	buf[9] = (char)('0' + ms / 100);
	buf[10] = (char)('0' + ms / 10 % 10);
	buf[11] = (char)('0' + ms % 10);
	buf[12] = '\0';
}

void
export_writer_line(struct export_writer *w, const struct export_line *line)
{
	const char *mark = line_mark(line->kind);
	size_t full = line->full_len > line->len ? line->full_len : line->len;
	char stamp[24];

	w->nlines++;
	format_time(w, line->time_us, stamp);
	switch (w->opts.format) {
	case EXPORT_TEXT: {
		/* Colours only around text already escaped: nothing from the wire can change them. */
		const char *colour = !w->opts.color ? NULL :
		    line->kind == EXPORT_LINE_CLIENT || line->kind == EXPORT_LINE_BODY ? "\033[34m" :
		    line->kind == EXPORT_LINE_ERROR ? "\033[31m" :
		    line->kind == EXPORT_LINE_WARNING ? "\033[33m" :
		    line->kind == EXPORT_LINE_INFO ? "\033[2m" : NULL;

		if (colour != NULL)
			ob_puts(w->o, colour);
		if (stamp[0] != '\0') {
			ob_puts(w->o, stamp);
			ob_putc(w->o, ' ');
		}
		if (*mark != '\0') {
			ob_puts(w->o, mark);
			ob_putc(w->o, ' ');
		}
		put_escaped(w->o, line->text, line->len, ESC_TEXT, w->opts.utf8, false);
		if (full > line->len)
			ob_printf(w->o, " [... cut: %zu bytes in all]", full);
		if (colour != NULL)
			ob_puts(w->o, "\033[0m");
		ob_putc(w->o, '\n');
		break;
	}
	case EXPORT_MARKDOWN:
		wire_block(w, true);
		if (stamp[0] != '\0')
			ob_printf(w->o, "%s ", stamp);
		/* Every line starts with a mark, so no wire line can close the fence. */
		ob_printf(w->o, "%s ", *mark != '\0' ? mark : "|");
		put_escaped(w->o, line->text, line->len, ESC_MD_CODE, true, false);
		if (full > line->len)
			ob_printf(w->o, " [... cut: %zu bytes in all]", full);
		ob_putc(w->o, '\n');
		break;
	case EXPORT_HTML:
		wire_block(w, true);
		ob_printf(w->o, "<div class=\"l %s%s\">", line_class(line->kind),
		    line->tls ? " tls" : "");
		if (stamp[0] != '\0')
			ob_printf(w->o, "<span class=\"ts\">%s</span>", stamp);
		if (*mark != '\0')
			ob_printf(w->o, "<span class=\"d\">%s</span>", mark);
		ob_puts(w->o, line->secret ? "<span class=\"t secret\">" : "<span class=\"t\">");
		put_escaped(w->o, line->text, line->len, ESC_HTML, true, false);
		if (full > line->len)
			ob_printf(w->o, " <span class=\"cut\">[\xe2\x80\xa6 cut: %zu bytes in all]</span>",
			    full);
		ob_puts(w->o, "</span></div>\n");
		break;
	}
}

/* ---- explanations ---- */

/* Prose with `code` spans (the knowledge base marks commands and keywords so): the spans
 * become <code> in HTML and stay code spans in Markdown; the rest is escaped as prose. */
static void
put_inline(struct export_writer *w, const char *s, size_t n, enum escape_mode mode)
{
	while (n > 0) {
		const char *open = memchr(s, '`', n), *close;
		size_t before, inner;

		if (open == NULL || (close = memchr(open + 1, '`', n - (size_t)(open + 1 - s))) == NULL ||
		    close == open + 1) {
			put_escaped(w->o, s, n, mode, true, false);
			return;
		}
		before = (size_t)(open - s);
		inner = (size_t)(close - open - 1);
		put_escaped(w->o, s, before, mode, true, false);
		if (mode == ESC_HTML) {
			ob_puts(w->o, "<code>");
			put_escaped(w->o, open + 1, inner, ESC_HTML, true, false);
			ob_puts(w->o, "</code>");
		} else {
			ob_putc(w->o, '`');
			put_escaped(w->o, open + 1, inner, ESC_MD_CODE, true, false);
			ob_putc(w->o, '`');
		}
		n -= (size_t)(close + 1 - s);
		s = close + 1;
	}
}

/* Closes whichever of a list item, a list and a paragraph is open. */
static void
html_close_blocks(struct export_writer *w, bool *in_list, bool *in_item, bool *in_para)
{
	if (*in_item)
		ob_puts(w->o, "</li>");
	if (*in_list)
		ob_puts(w->o, "</ul>\n");
	if (*in_para)
		ob_puts(w->o, "</p>\n");
	*in_list = *in_item = *in_para = false;
}

/* One section's text as HTML: paragraphs split at blank lines, "- " lines as a list. */
static void
html_section(struct export_writer *w, const char *text, bool pre)
{
	const char *p = text;
	bool in_list = false, in_item = false, in_para = false;

	if (pre) {
		ob_puts(w->o, "<pre>");
		put_escaped(w->o, text, strlen(text), ESC_HTML, true, true);
		ob_puts(w->o, "</pre>\n");
		return;
	}
	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t n = eol != NULL ? (size_t)(eol - p) : strlen(p);
		const char *s = p;

		while (n > 0 && (*s == ' ' || *s == '\t'))
			s++, n--;
		if (n == 0) {  /* a blank line ends a paragraph or a list */
			html_close_blocks(w, &in_list, &in_item, &in_para);
		} else if (n >= 2 && s[0] == '-' && s[1] == ' ') {
			if (in_para)
				ob_puts(w->o, "</p>\n");
			in_para = false;
			if (!in_list)
				ob_puts(w->o, "<ul>");
			if (in_item)
				ob_puts(w->o, "</li>");
			ob_puts(w->o, "<li>");
			in_list = in_item = true;
			put_inline(w, s + 2, n - 2, ESC_HTML);
		} else {
			if (in_item) {
				ob_putc(w->o, ' ');
			} else if (!in_para) {
				ob_puts(w->o, "<p>");
				in_para = true;
			} else {
				ob_putc(w->o, ' ');
			}
			put_inline(w, s, n, ESC_HTML);
		}
		p = eol != NULL ? eol + 1 : p + strlen(p);
	}
	html_close_blocks(w, &in_list, &in_item, &in_para);
}

/* One section as Markdown inside a block quote. */
static void
md_section(struct export_writer *w, const char *text, bool pre)
{
	const char *p = text;
	bool in_item = false;

	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t n = eol != NULL ? (size_t)(eol - p) : strlen(p);
		const char *s = p;

		if (!pre)
			while (n > 0 && (*s == ' ' || *s == '\t'))
				s++, n--;
		ob_puts(w->o, ">");
		if (n == 0) {
			in_item = false;
		} else {
			ob_putc(w->o, ' ');
			if (pre) {
				ob_puts(w->o, "    ");
				put_escaped(w->o, s, n, ESC_MD_CODE, true, false);
			} else if (n >= 2 && s[0] == '-' && s[1] == ' ') {
				ob_puts(w->o, "- ");
				put_inline(w, s + 2, n - 2, ESC_MD_PROSE);
				in_item = true;
			} else {
				if (in_item)
					ob_puts(w->o, "  ");  /* the bullet's text goes on */
				put_inline(w, s, n, ESC_MD_PROSE);
			}
		}
		ob_putc(w->o, '\n');
		p = eol != NULL ? eol + 1 : p + strlen(p);
	}
}

/* Text: each line of text after indent, wrapped at spaces to the writer's width (a line
 * continued from a "- " bullet is indented under its text). */
static void
indent_text(struct export_writer *w, const char *text, const char *indent)
{
	size_t room = (size_t)w->opts.width > strlen(indent) + 20 ?
	    (size_t)w->opts.width - strlen(indent) : 20;
	const char *p = text;

	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t n = eol != NULL ? (size_t)(eol - p) : strlen(p);
		size_t hang = n >= 2 && p[0] == '-' && p[1] == ' ' ? 2 : 0, width = room;
		bool first = true;

		while (n > 0) {
			size_t cut = n;

			if (n > width) {
				/* The last space that fits; a word longer than the line is cut. */
				for (cut = width; cut > 0 && p[cut] != ' '; cut--)
					;
				if (cut == 0)
					cut = width;
			}
			ob_puts(w->o, indent);
			if (!first)
				ob_write(w->o, "  ", hang);
			put_escaped(w->o, p, cut, ESC_TEXT, w->opts.utf8, false);
			ob_putc(w->o, '\n');
			p += cut;
			n -= cut;
			while (n > 0 && *p == ' ')
				p++, n--;
			if (first)
				width = room > hang + 10 ? room - hang : room;
			first = false;
		}
		if (first)
			ob_putc(w->o, '\n');  /* an empty line stays */
		p = eol != NULL ? eol + 1 : p;
	}
}

/* Each line of a short detail, after sep. */
static void
detail_lines(struct export_writer *w, const char *detail, const char *sep, enum escape_mode mode)
{
	const char *p = detail;

	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t n = eol != NULL ? (size_t)(eol - p) : strlen(p);

		ob_puts(w->o, sep);
		put_escaped(w->o, p, n, mode, true, false);
		p = eol != NULL ? eol + 1 : p + n;
	}
}

static void
latency_text(int64_t latency_us, char *buf, size_t size)
{
	char digits[24];
	size_t n = 0, i = 0;
	int64_t ms = latency_us / 1000;

	if (latency_us < 0 || size < 32) {
		buf[0] = '\0';
		return;
	}
	/* "12.345 ms", by hand: it runs once per reply. */
	do
		digits[n++] = (char)('0' + ms % 10);
	while ((ms /= 10) > 0 && n < sizeof digits);
	while (n > 0)
		buf[i++] = digits[--n];
	buf[i++] = '.';
	buf[i++] = (char)('0' + latency_us % 1000 / 100);
	buf[i++] = (char)('0' + latency_us % 100 / 10);
	buf[i++] = (char)('0' + latency_us % 10);
	memcpy(buf + i, " ms", 4);
}

/* The first part of an explanation's heading, up to where the latency goes. */
static void
write_heading_head(struct export_writer *w, int cls, const char *heading, int id, int ref)
{
	const char *rest = heading;
	size_t codelen = strcspn(heading, " ");

	switch (w->opts.format) {
	case EXPORT_TEXT:
		if (w->opts.color) {
			static const char *const by_class[] = { "\033[1m", "\033[1m", "\033[1;32m",
				"\033[1;36m", "\033[1;33m", "\033[1;31m" };

			ob_puts(w->o, by_class[cls >= 2 && cls <= 5 ? cls : 0]);
		}
		ob_puts(w->o, "   => ");
		put_str(w, heading, ESC_TEXT);
		if (w->opts.color)
			ob_puts(w->o, "\033[0m");
		break;
	case EXPORT_MARKDOWN:
		if (id > 0)
			ob_printf(w->o, "<a id=\"x%d\"></a>\n\n", id);
		ob_puts(w->o, "> **");
		put_str(w, heading, ESC_MD_PROSE);
		ob_puts(w->o, "**");
		break;
	case EXPORT_HTML:
		ob_printf(w->o, "<section class=\"ex k%d%s\"", cls, ref > 0 ? " brief" : "");
		if (id > 0)
			ob_printf(w->o, " id=\"x%d\"", id);
		ob_puts(w->o, ">\n<h2>");
		if (codelen > 0 && codelen <= 3) {
			ob_puts(w->o, "<span class=\"code\">");
			put_escaped(w->o, heading, codelen, ESC_HTML, true, false);
			ob_puts(w->o, "</span>");
			rest = heading + codelen;
			while (*rest == ' ')
				rest++;
		}
		put_str(w, rest, ESC_HTML);
		break;
	}
}

static void
write_latency(struct export_writer *w, int64_t latency_us)
{
	char latency[32];

	latency_text(latency_us, latency, sizeof latency);
	if (latency[0] == '\0')
		return;
	switch (w->opts.format) {
	case EXPORT_TEXT:
		ob_puts(w->o, "  (");
		ob_puts(w->o, latency);
		ob_putc(w->o, ')');
		break;
	case EXPORT_MARKDOWN:
		ob_puts(w->o, " (");
		ob_puts(w->o, latency);
		ob_putc(w->o, ')');
		break;
	case EXPORT_HTML:
		ob_puts(w->o, " <span class=\"lat\">");
		ob_puts(w->o, latency);
		ob_puts(w->o, "</span>");
		break;
	}
}

/* How Markdown [0] and HTML [1] mark up the rest of a heading. */
static const struct tail_markup {
	const char *open, *line_break, *ref_before, *ref_after, *close;
	enum escape_mode mode;
} tail_markup[2] = {
	{ "  \n> ", "  \n> ", " \xe2\x80\x94 explained [above](#x", ").", "\n", ESC_MD_PROSE },
	{ "</h2>\n<p class=\"sum\">", "<br>", " \xe2\x80\x94 <a href=\"#x", "\">explained above</a>",
	    "</p>\n", ESC_HTML },
};

/* The rest of the heading: summary, short detail, and the link back for a repeat. */
static void
write_heading_tail(struct export_writer *w, const char *summary, const char *detail, int ref)
{
	switch (w->opts.format) {
	case EXPORT_TEXT:
		ob_putc(w->o, '\n');
		if (summary != NULL && *summary != '\0') {
			ob_puts(w->o, "      ");
			put_str(w, summary, ESC_TEXT);
			ob_putc(w->o, '\n');
		}
		if (detail != NULL)
			indent_text(w, detail, "      ");
		break;
	case EXPORT_MARKDOWN:
	case EXPORT_HTML: {
		const struct tail_markup *m = &tail_markup[w->opts.format == EXPORT_HTML];

		ob_puts(w->o, m->open);
		if (summary != NULL)
			put_str(w, summary, m->mode);
		if (detail != NULL)
			detail_lines(w, detail, m->line_break, m->mode);
		if (ref > 0) {
			ob_puts(w->o, m->ref_before);
			ob_printf(w->o, "%d", ref);
			ob_puts(w->o, m->ref_after);
		}
		ob_puts(w->o, m->close);
		break;
	}
	}
}

/* Ends an explanation that has no sections (short level, or a repeat). */
static void
write_end_brief(struct export_writer *w)
{
	if (w->opts.format == EXPORT_HTML)
		ob_puts(w->o, "</section>\n");
	else if (w->opts.format == EXPORT_MARKDOWN)
		ob_putc(w->o, '\n');
}

/* Markdown and HTML: every section with its label. */
static void
write_sections(struct export_writer *w, const struct explanation *ex)
{
	size_t i;

	for (i = 0; i < ex->nsections; i++) {
		const struct explanation_section *sec = &ex->sections[i];

		if (sec->text == NULL || sec->text[0] == '\0')
			continue;
		switch (w->opts.format) {
		case EXPORT_MARKDOWN:
			ob_puts(w->o, ">\n");
			if (sec->label != NULL && sec->label[0] != '\0')
				put_between(w, "> **", sec->label, "**  \n", ESC_MD_PROSE);
			md_section(w, sec->text, sec->preformatted);
			break;
		case EXPORT_HTML:
			if (sec->label != NULL && sec->label[0] != '\0')
				put_between(w, "<h3>", sec->label, "</h3>\n", ESC_HTML);
			html_section(w, sec->text, sec->preformatted);
			break;
		case EXPORT_TEXT:
			break;
		}
	}
	if (w->opts.format == EXPORT_MARKDOWN)
		ob_putc(w->o, '\n');
	else if (w->opts.format == EXPORT_HTML)
		ob_puts(w->o, "</section>\n");
}

/* Text, full level: explain_render_text's body, without the heading and summary it starts
 * with (they are shown already). The caller frees. */
static char *
text_body(const struct export_writer *w, const struct explanation *ex)
{
	char *text = explain_render_text(ex, w->opts.width - 6), *out;
	const char *body = text;

	if (ex->heading != NULL && strncmp(body, ex->heading, strlen(ex->heading)) == 0) {
		body = strchr(body, '\n');
		body = body != NULL ? body + 1 : "";
		if (ex->summary != NULL) {
			const char *s = body;

			while (*s == ' ')
				s++;
			if (strncmp(s, ex->summary, strlen(ex->summary)) == 0) {
				body = strchr(s, '\n');
				body = body != NULL ? body + 1 : "";
			}
		}
	}
	out = xstrdup(body);
	free(text);
	return out;
}

/* Writes an explanation the first time it is seen, and keeps in the cache entry ce (when
 * not NULL) what to write when it comes again. */
static void
write_explanation(struct export_writer *w, const struct explanation *ex,
    struct cache_entry *ce, const char *key, int cls, int64_t latency_us, const char *detail)
{
	const char *heading = ex->heading != NULL ? ex->heading : "";
	char *body = NULL;
	bool full = w->opts.level == EXPORT_LEVEL_FULL;
	int id = 0;

	if (full && w->opts.format != EXPORT_TEXT && ce != NULL)
		id = ++w->next_id;
	if (full && w->opts.format == EXPORT_TEXT)
		body = text_body(w, ex);

	write_heading_head(w, cls, heading, id, 0);
	write_latency(w, latency_us);
	write_heading_tail(w, ex->summary, detail, 0);
	if (body != NULL)
		indent_text(w, body, "      ");
	else if (full)
		write_sections(w, ex);
	else
		write_end_brief(w);

	if (ce != NULL) {
		/* The repeat: text says it all again (a reader of a pipe has no "above"); Markdown
		 * and HTML at the full level point back to the first. */
		struct obuf tmp = { 0 };
		int ref = full && w->opts.format != EXPORT_TEXT ? id : 0;

		w->o = &tmp;
		write_heading_head(w, cls, heading, 0, ref);
		ce->head_len = tmp.len;
		write_heading_tail(w, ex->summary, detail, ref);
		if (body != NULL)
			indent_text(w, body, "      ");
		else
			write_end_brief(w);
		w->o = &w->main;
		ce->head = xmalloc(ce->head_len + 1);
		memcpy(ce->head, tmp.data, ce->head_len);
		ce->tail_len = tmp.len - ce->head_len;
		ce->tail = xmalloc(ce->tail_len + 1);
		memcpy(ce->tail, tmp.data + ce->head_len, ce->tail_len);
		free(tmp.data);
		ce->key_len = strlen(key);
		ce->key = xstrndup(key, ce->key_len);
		w->cache_fill++;
	}
	free(body);
}

/* Writes the cached repeat of an explanation. */
static void
write_cached(struct export_writer *w, const struct cache_entry *ce, int64_t latency_us)
{
	ob_write(w->o, ce->head, ce->head_len);
	write_latency(w, latency_us);
	ob_write(w->o, ce->tail, ce->tail_len);
}

/* Short level: what the heading does not say and a reader needs: the enhanced code's own
 * words ("5.1.1 Bad destination mailbox address"), a 334's decoded challenge, the protocol
 * violations. NULL when there is nothing. */
static char *
short_detail(struct export_writer *w, const struct explanation *ex, const char *enhanced,
    const char *after)
{
	const struct kb_entry *e;
	const char *title;
	char *out = NULL, *more;
	size_t i;

	if (w->opts.level != EXPORT_LEVEL_SHORT)
		return NULL;
	if (enhanced != NULL && enhanced[0] != '\0' &&
	    (e = kb_find(w->kb, "enhanced", enhanced, after)) != NULL &&
	    (title = kb_field(w->kb, e, "title")) != NULL)
		out = xasprintf("%s %s", enhanced, title);
	for (i = 0; ex != NULL && i < ex->nsections; i++) {
		const struct explanation_section *sec = &ex->sections[i];

		if (sec->name == NULL || sec->text == NULL || sec->text[0] == '\0' ||
		    (strcmp(sec->name, "challenge") != 0 && strcmp(sec->name, "violations") != 0))
			continue;
		more = xasprintf("%s%s%s:%s%s", out != NULL ? out : "", out != NULL ? "\n" : "",
		    sec->label != NULL ? sec->label : sec->name,
		    strncmp(sec->text, "- ", 2) == 0 ? "\n" : " ", sec->text);
		free(out);
		out = more;
	}
	return out;
}

/* The cache key of a reply's explanation in key (size REPLY_KEY_MAX) and its length, or 0 when
 * it cannot have one. An EHLO reply's keywords and a 334's challenge are part of their explanation, so
 * their text goes into the key (when short enough; long ones are explained each time). Built
 * by hand: it runs once per reply. */
#define REPLY_KEY_MAX 1024
static size_t
reply_key(const struct reply *reply, const char *after, char *key)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0, m, i;
	unsigned v = reply->violations;
	int shift;

	if (reply->code < 200 || reply->code > 599)
		return 0;
	key[n++] = 'r';
	key[n++] = (char)('0' + reply->code / 100);
	key[n++] = (char)('0' + reply->code / 10 % 10);
	key[n++] = (char)('0' + reply->code % 10);
	key[n++] = '|';
	m = strnlen(reply->enhanced, sizeof reply->enhanced);
	memcpy(key + n, reply->enhanced, m);
	n += m;
	key[n++] = '|';
	if (after != NULL) {
		m = strnlen(after, 24);
		memcpy(key + n, after, m);
		n += m;
	}
	key[n++] = '|';
	for (shift = 28; shift >= 0; shift -= 4)
		key[n++] = hex[(v >> shift) & 15];
	if (reply->code == 334 || (reply->nlines > 1 && after != NULL &&
	    (strcasecmp(after, "EHLO") == 0 || strcasecmp(after, "LHLO") == 0))) {
		if (reply->nlines != reply->lines_total)
			return 0;
		for (i = reply->code == 334 ? 0 : 1; i < reply->nlines; i++) {
			const char *t = reply_line_text(reply, i);

			m = reply_line_text_len(reply, i);
			if (n + m + 2 >= REPLY_KEY_MAX || memchr(t, '\0', m) != NULL)
				return 0;
			key[n++] = '\n';
			memcpy(key + n, t, m);
			n += m;
		}
	}
	key[n] = '\0';
	return n;
}

static struct reply *
copy_without_nul(const struct reply *reply)
{
	struct reply *copy = xmalloc(sizeof *copy);
	size_t i, k;

	*copy = *reply;
	copy->lines = xcalloc(reply->nlines ? reply->nlines : 1, sizeof *copy->lines);
	for (i = 0; i < reply->nlines; i++) {
		const struct reply_line *from = &reply->lines[i];
		struct reply_line *to = &copy->lines[i];

		*to = *from;
		to->raw = xmalloc(from->len + 1);
		for (k = 0; k < from->len; k++)
			to->raw[k] = from->raw[k] != '\0' ? from->raw[k] : '?';
		to->raw[from->len] = '\0';
	}
	return copy;
}

static void
free_copy(struct reply *copy)
{
	size_t i;

	for (i = 0; i < copy->nlines; i++)
		free(copy->lines[i].raw);
	free(copy->lines);
	free(copy);
}

void
export_writer_reply(struct export_writer *w, const struct reply *reply, const char *after,
    int64_t latency_us)
{
	char key[REPLY_KEY_MAX];
	struct cache_entry *ce = NULL;
	struct explanation *ex;
	bool found = false;
	size_t key_len;
	int cls = reply_class(reply);
	char *detail;

	w->nreplies++;
	w->nclass[cls >= 2 && cls <= 5 ? cls : 0]++;
	if (w->kb == NULL)
		return;
	wire_block(w, false);
	key_len = reply_key(reply, after, key);
	if (key_len > 0 && (ce = cache_find(w, key, key_len, &found)) != NULL && found) {
		write_cached(w, ce, latency_us);
		return;
	}
	if (reply->violations & REPLY_V_NUL) {
		/* Explanations quote EHLO lines and 334 challenges as C strings: give them a copy
		 * with each NUL shown as '?', so a NUL from the server can never cut or overrun
		 * what they copy. */
		struct reply *copy = copy_without_nul(reply);

		ex = explain_reply(w->kb, copy, after);
		free_copy(copy);
	} else {
		ex = explain_reply(w->kb, reply, after);
	}
	if (ex == NULL)
		return;
	detail = short_detail(w, ex, reply->enhanced, after);
	write_explanation(w, ex, ce, key, cls, latency_us, detail);
	explanation_free(ex);
	free(detail);
}

void
export_writer_status(struct export_writer *w, const char *enhanced)
{
	char *key, *err = NULL;
	struct explanation *ex;
	struct cache_entry *ce;
	bool found = false;

	if (w->kb == NULL || enhanced == NULL || *enhanced == '\0')
		return;
	wire_block(w, false);
	key = xasprintf("s|%s", enhanced);
	ce = cache_find(w, key, strlen(key), &found);
	if (found) {
		write_cached(w, ce, -1);
	} else if ((ex = explain_word(w->kb, enhanced, &err)) != NULL) {
		write_explanation(w, ex, ce, key, enhanced[0] - '0', -1, NULL);
		explanation_free(ex);
	}
	free(err);
	free(key);
}

void
export_writer_event(struct export_writer *w, const char *event)
{
	char *key;
	struct explanation *ex;
	struct cache_entry *ce;
	bool found = false;

	if (w->kb == NULL || event == NULL || *event == '\0' ||
	    w->opts.level != EXPORT_LEVEL_FULL || kb_find(w->kb, "event", event, NULL) == NULL)
		return;
	wire_block(w, false);
	key = xasprintf("e|%s", event);
	ce = cache_find(w, key, strlen(key), &found);
	if (found) {
		write_cached(w, ce, -1);
	} else if ((ex = explain_event(w->kb, event, NULL)) != NULL) {
		write_explanation(w, ex, ce, key, 0, -1, NULL);
		explanation_free(ex);
	}
	free(key);
}

/* ---- the writer ---- */

struct export_writer *
export_writer_new(FILE *out, const struct kb *kb, const struct export_options *opts)
{
	struct export_writer *w = xcalloc(1, sizeof *w);

	if (!plain_ready)
		plain_init();
	w->main.sink = out;
	w->main.cap = OBUF_SIZE;
	w->main.data = xmalloc(OBUF_SIZE);
	w->o = &w->main;
	w->stamp_secs = -1;
	w->kb = kb;
	if (opts != NULL)
		w->opts = *opts;
	if (w->opts.width <= 20)
		w->opts.width = 80;
	write_head(w);
	return w;
}

void
export_writer_free(struct export_writer *w)
{
	size_t i;

	if (w == NULL)
		return;
	ob_flush(&w->main);
	for (i = 0; i < EXPORT_CACHE_SIZE; i++) {
		free(w->cache[i].key);
		free(w->cache[i].head);
		free(w->cache[i].tail);
	}
	free(w->main.data);
	free(w);
}

void
export_writer_flush(struct export_writer *w)
{
	ob_flush(&w->main);
	fflush(w->main.sink);
}

int
export_writer_finish(struct export_writer *w, char **errstr)
{
	wire_block(w, false);
	switch (w->opts.format) {
	case EXPORT_HTML:
		ob_printf(w->o, "</main>\n<footer>%lu lines, %lu replies (%lu 2xx, %lu 3xx, %lu 4xx, "
		    "%lu 5xx) \xc2\xb7 smtpscope %s</footer>\n</body>\n</html>\n", w->nlines,
		    w->nreplies, w->nclass[2], w->nclass[3], w->nclass[4], w->nclass[5],
		    PACKAGE_VERSION);
		break;
	case EXPORT_MARKDOWN:
		ob_printf(w->o, "---\n\n%lu lines, %lu replies (%lu 2xx, %lu 3xx, %lu 4xx, %lu 5xx). "
		    "smtpscope %s\n", w->nlines, w->nreplies, w->nclass[2], w->nclass[3],
		    w->nclass[4], w->nclass[5], PACKAGE_VERSION);
		break;
	case EXPORT_TEXT:
		break;
	}
	ob_flush(&w->main);
	if (w->main.failed || fflush(w->main.sink) != 0 || ferror(w->main.sink)) {
		*errstr = xasprintf("cannot write the output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- whole transcripts ---- */

static enum export_line_kind
entry_kind(enum transcript_kind kind)
{
	switch (kind) {
	case TRANSCRIPT_SENT:
		return EXPORT_LINE_CLIENT;
	case TRANSCRIPT_RECEIVED:
		return EXPORT_LINE_SERVER;
	case TRANSCRIPT_EVENT:
	case TRANSCRIPT_INFO:
		return EXPORT_LINE_INFO;
	case TRANSCRIPT_WARNING:
		return EXPORT_LINE_WARNING;
	case TRANSCRIPT_ERROR:
		return EXPORT_LINE_ERROR;
	}
	return EXPORT_LINE_OTHER;
}

int
export_transcript_opts(const struct transcript *t, const struct kb *kb,
    const struct export_options *opts, FILE *out, char **errstr)
{
	struct export_writer *w = export_writer_new(out, kb, opts);
	size_t i, n = transcript_count(t);
	bool tls = false;
	int rc;

	for (i = 0; i < n; i++) {
		const struct transcript_entry *e = transcript_entry(t, i);
		struct export_line line = {
			.kind = entry_kind(e->kind), .text = e->text, .len = e->len,
			.secret = e->secret, .time_us = e->time_us,
		};

		if (e->event != NULL && strcmp(e->event, "tls-up") == 0)
			tls = true;
		if (e->event != NULL && strcmp(e->event, "closed") == 0)
			tls = false;
		line.tls = tls && (e->kind == TRANSCRIPT_SENT || e->kind == TRANSCRIPT_RECEIVED);
		export_writer_line(w, &line);
		if (e->kind == TRANSCRIPT_RECEIVED && e->reply != TRANSCRIPT_NO_REPLY &&
		    e->reply < transcript_reply_count(t)) {
			const struct transcript_reply *tr = transcript_reply(t, e->reply);

			if (tr->last_entry == i)
				export_writer_reply(w, tr->reply, tr->after, tr->latency_us);
		} else if (e->kind == TRANSCRIPT_ERROR || e->kind == TRANSCRIPT_WARNING) {
			export_writer_event(w, e->event);
		}
	}
	rc = export_writer_finish(w, errstr);
	export_writer_free(w);
	return rc;
}

int
export_transcript(const struct transcript *t, const struct kb *kb, enum export_format format,
    FILE *out, char **errstr)
{
	struct export_options opts = {
		.format = format, .level = EXPORT_LEVEL_FULL, .utf8 = format != EXPORT_TEXT,
	};

	return export_transcript_opts(t, kb, &opts, out, errstr);
}

int
export_transcript_file(const struct transcript *t, const struct kb *kb,
    enum export_format format, const char *path, char **errstr)
{
	FILE *out = fopen(path, "w");
	int rc;

	if (out == NULL) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	rc = export_transcript(t, kb, format, out, errstr);
	if (fclose(out) != 0 && rc == 0) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		rc = -1;
	}
	return rc;
}

bool
export_format_for_path(const char *path, enum export_format *format)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return false;
	if (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0) {
		*format = EXPORT_HTML;
		return true;
	}
	if (strcasecmp(dot, ".md") == 0 || strcasecmp(dot, ".markdown") == 0) {
		*format = EXPORT_MARKDOWN;
		return true;
	}
	return false;
}

int
export_format_parse(const char *name, enum export_format *format)
{
	if (strcasecmp(name, "text") == 0 || strcasecmp(name, "txt") == 0)
		*format = EXPORT_TEXT;
	else if (strcasecmp(name, "md") == 0 || strcasecmp(name, "markdown") == 0)
		*format = EXPORT_MARKDOWN;
	else if (strcasecmp(name, "html") == 0 || strcasecmp(name, "htm") == 0)
		*format = EXPORT_HTML;
	else
		return -1;
	return 0;
}

int
export_save(const struct transcript *transcript, const struct kb *kb, const char *path,
    char **errstr)
{
	enum export_format format;

	if (export_format_for_path(path, &format))
		return export_transcript_file(transcript, kb, format, path, errstr);
	return transcript_save(transcript, path, errstr);
}
