/* export_html.c: how the export writes one self-contained HTML file: the head with its
 * style sheet, wire lines as marked-up rows, explanations as sections with headings, lists and
 * paragraphs, the footer with the counts. */
#include "config.h"

#include <string.h>

#include "core/knowledge/kb.h"
#include "core/record/export_internal.h"

static const char html_head_start[] =
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

static void
html_head(struct export_writer *w)
{
	const char *title = w->opts.title != NULL ? w->opts.title : "SMTP session";
	const char *lang = w->kb != NULL ? kb_language(w->kb) : "en";

	export_ob_printf(w->o, html_head_start, lang);
	export_put_between(w, "", title, "", ESC_HTML);
	export_put_between(w, " \xe2\x80\x94 ", w->opts.source, "", ESC_HTML);
	export_ob_puts(w->o, html_style);
	export_put_between(w, "<header>\n<h1>", title, "</h1>\n<p class=\"meta\">", ESC_HTML);
	export_put_between(w, "<code>", w->opts.source, "</code> \xc2\xb7 ", ESC_HTML);
	export_ob_puts(w->o, "every server reply explained by smtpscope</p>\n</header>\n<main>\n");
}

static void
html_foot(struct export_writer *w)
{
	export_ob_printf(w->o, "</main>\n<footer>%lu lines, %lu replies (%lu 2xx, %lu 3xx, %lu 4xx, "
	    "%lu 5xx) \xc2\xb7 smtpscope %s</footer>\n</body>\n</html>\n", w->nlines,
	    w->nreplies, w->nclass[2], w->nclass[3], w->nclass[4], w->nclass[5],
	    PACKAGE_VERSION);
}

static void
html_wire_block(struct export_writer *w, bool open)
{
	export_ob_puts(w->o, open ? "<div class=\"wire\">\n" : "</div>\n");
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
html_line(struct export_writer *w, const struct export_line *line, const char *stamp,
    const char *mark, size_t full)
{
	export_ob_printf(w->o, "<div class=\"l %s%s\">", line_class(line->kind),
	    line->tls ? " tls" : "");
	if (stamp[0] != '\0')
		export_ob_printf(w->o, "<span class=\"ts\">%s</span>", stamp);
	if (*mark != '\0')
		export_ob_printf(w->o, "<span class=\"d\">%s</span>", mark);
	export_ob_puts(w->o, line->secret ? "<span class=\"t secret\">" : "<span class=\"t\">");
	export_put_escaped(w->o, line->text, line->len, ESC_HTML, true, false);
	if (full > line->len)
		export_ob_printf(w->o, " <span class=\"cut\">[\xe2\x80\xa6 cut: %zu bytes in all]</span>",
		    full);
	export_ob_puts(w->o, "</span></div>\n");
}

static void
html_heading_head(struct export_writer *w, int cls, const char *heading, int id, int ref)
{
	const char *rest = heading;
	size_t codelen = strcspn(heading, " ");

	export_ob_printf(w->o, "<section class=\"ex k%d%s\"", cls, ref > 0 ? " brief" : "");
	if (id > 0)
		export_ob_printf(w->o, " id=\"x%d\"", id);
	export_ob_puts(w->o, ">\n<h2>");
	if (codelen > 0 && codelen <= 3) {
		export_ob_puts(w->o, "<span class=\"code\">");
		export_put_escaped(w->o, heading, codelen, ESC_HTML, true, false);
		export_ob_puts(w->o, "</span>");
		rest = heading + codelen;
		while (*rest == ' ')
			rest++;
	}
	export_put_str(w, rest, ESC_HTML);
}

static void
html_latency(struct export_writer *w, const char *latency)
{
	export_ob_puts(w->o, " <span class=\"lat\">");
	export_ob_puts(w->o, latency);
	export_ob_puts(w->o, "</span>");
}

static void
html_heading_tail(struct export_writer *w, const char *summary, const char *detail, int ref)
{
	static const struct export_tail_markup m = {
		"</h2>\n<p class=\"sum\">", "<br>", " \xe2\x80\x94 <a href=\"#x",
		"\">explained above</a>", "</p>\n", ESC_HTML,
	};

	export_heading_tail_markup(w, &m, summary, detail, ref);
}

/* Closes whichever of a list item, a list and a paragraph is open. */
static void
html_close_blocks(struct export_writer *w, bool *in_list, bool *in_item, bool *in_para)
{
	if (*in_item)
		export_ob_puts(w->o, "</li>");
	if (*in_list)
		export_ob_puts(w->o, "</ul>\n");
	if (*in_para)
		export_ob_puts(w->o, "</p>\n");
	*in_list = *in_item = *in_para = false;
}

/* One section's text as HTML: paragraphs split at blank lines, "- " lines as a list. */
static void
html_section(struct export_writer *w, const char *text, bool pre)
{
	const char *p = text;
	bool in_list = false, in_item = false, in_para = false;

	if (pre) {
		export_ob_puts(w->o, "<pre>");
		export_put_escaped(w->o, text, strlen(text), ESC_HTML, true, true);
		export_ob_puts(w->o, "</pre>\n");
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
				export_ob_puts(w->o, "</p>\n");
			in_para = false;
			if (!in_list)
				export_ob_puts(w->o, "<ul>");
			if (in_item)
				export_ob_puts(w->o, "</li>");
			export_ob_puts(w->o, "<li>");
			in_list = in_item = true;
			export_put_inline(w, s + 2, n - 2, ESC_HTML);
		} else {
			if (in_item) {
				export_ob_putc(w->o, ' ');
			} else if (!in_para) {
				export_ob_puts(w->o, "<p>");
				in_para = true;
			} else {
				export_ob_putc(w->o, ' ');
			}
			export_put_inline(w, s, n, ESC_HTML);
		}
		p = eol != NULL ? eol + 1 : p + strlen(p);
	}
	html_close_blocks(w, &in_list, &in_item, &in_para);
}

static void
html_section_with_label(struct export_writer *w, const struct explanation_section *sec)
{
	if (sec->label != NULL && sec->label[0] != '\0')
		export_put_between(w, "<h3>", sec->label, "</h3>\n", ESC_HTML);
	html_section(w, sec->text, sec->preformatted);
}

static void
html_end(struct export_writer *w)
{
	export_ob_puts(w->o, "</section>\n");
}

const struct export_format_ops export_html_ops = {
	.head = html_head,
	.foot = html_foot,
	.wire_block = html_wire_block,
	.line = html_line,
	.heading_head = html_heading_head,
	.latency = html_latency,
	.heading_tail = html_heading_tail,
	.section = html_section_with_label,
	.end = html_end,
};
