/* explain_render.c: an explanation as plain text for a terminal: headings, sections
 * indented and wrapped to a width, lists and preformatted blocks kept. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/knowledge/explain_internal.h"
#include "core/util/strbuf.h"
#include "core/util/xmalloc.h"

/* Columns a UTF-8 string takes (one per code point: the help is text, not CJK art). */
static size_t
text_cols(const char *s, size_t n)
{
	size_t cols = 0, i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			cols++;
	return cols;
}

/* Writes text wrapped to width: the first line after `first` (already counted in col), the
 * next lines indented by `hang` spaces. */
static void
wrap(struct strbuf *out, const char *text, size_t width, size_t col, size_t hang)
{
	const char *p = text;
	bool line_empty = true;

	while (*p != '\0') {
		size_t n, cols;

		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, " \n\t");
		cols = text_cols(p, n);
		if (!line_empty && col + 1 + cols > width) {
			size_t k;

			strbuf_add(out, "\n");
			for (k = 0; k < hang; k++)
				strbuf_add(out, " ");
			col = hang;
			line_empty = true;
		}
		if (!line_empty) {
			strbuf_add(out, " ");
			col++;
		}
		strbuf_addn(out, p, n);
		col += cols;
		line_empty = false;
		p += n;
	}
	strbuf_add(out, "\n");
}

/* Length of a list marker at the start of a line ("- ", "* ", "12. "), 0 when none. */
static size_t
marker_len(const char *line, size_t n)
{
	size_t d = 0;

	if (n >= 2 && (line[0] == '-' || line[0] == '*') && line[1] == ' ')
		return 2;
	while (d < n && d < 3 && isdigit((unsigned char)line[d]))
		d++;
	if (d > 0 && d + 1 < n && (line[d] == '.' || line[d] == ')') && line[d + 1] == ' ')
		return d + 2;
	return 0;
}

/* One paragraph: plain lines are joined and re-wrapped; list items start new lines and hang. */
static void
render_paragraph(struct strbuf *out, const char *para, size_t len, size_t width, size_t indent)
{
	struct strbuf item = { 0 };
	size_t item_marker = 0, i = 0, k;
	bool have_item = false;

	while (i <= len) {
		const char *line = para + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - i;
		size_t lead = 0, m;

		while (lead < n && (line[lead] == ' ' || line[lead] == '\t'))
			lead++;
		m = marker_len(line + lead, n - lead);
		/* A new item starts at a marker; the first line starts a plain item. */
		if ((m > 0 || !have_item) && item.len > 0) {
			for (k = 0; k < indent; k++)
				strbuf_add(out, " ");
			strbuf_addn(out, item.s, item_marker);
			wrap(out, item.s + item_marker, width, indent + text_cols(item.s,
			    item_marker), indent + text_cols(item.s, item_marker));
			item.len = 0;
		}
		if (m > 0 || !have_item) {
			item_marker = m;
			have_item = true;
			strbuf_addn(&item, line + lead, n - lead);
		} else {
			strbuf_add(&item, " ");
			strbuf_addn(&item, line + lead, n - lead);
		}
		if (nl == NULL)
			break;
		i += n + 1;
	}
	if (item.len > 0) {
		for (k = 0; k < indent; k++)
			strbuf_add(out, " ");
		strbuf_addn(out, item.s, item_marker);
		wrap(out, item.s + item_marker, width, indent + text_cols(item.s, item_marker),
		    indent + text_cols(item.s, item_marker));
	}
	free(item.s);
}

static void
render_body(struct strbuf *out, const char *text, size_t width, size_t indent, int pre)
{
	const char *p = text;

	if (pre) {
		while (*p != '\0') {
			size_t n = strcspn(p, "\n"), k;

			for (k = 0; k < indent; k++)
				strbuf_add(out, " ");
			strbuf_addn(out, p, n);
			strbuf_add(out, "\n");
			p += n;
			if (*p == '\n')
				p++;
		}
		return;
	}
	while (*p != '\0') {
		const char *end = strstr(p, "\n\n");
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

		if (p != text)
			strbuf_add(out, "\n");
		render_paragraph(out, p, n, width, indent);
		if (end == NULL)
			break;
		p = end;
		while (*p == '\n')
			p++;
	}
}

char *
explain_render_text(const struct explanation *ex, int width)
{
	struct strbuf out = { 0 };
	size_t w, i;

	if (ex == NULL)
		return xstrdup("");
	w = width < 20 ? 20 : (size_t)width;
	if (ex->heading != NULL)
		wrap(&out, ex->heading, w, 0, 4);
	if (ex->summary != NULL && *ex->summary != '\0')
		wrap(&out, ex->summary, w, 0, 4);
	for (i = 0; i < ex->nsections; i++) {
		const struct explanation_section *s = &ex->sections[i];

		strbuf_add(&out, "\n");
		strbuf_add(&out, s->label);
		strbuf_add(&out, "\n");
		render_body(&out, s->text, w, 2, s->preformatted);
	}
	return strbuf_take(&out);
}
