/* export_text.c: how the export writes plain text for a terminal or a pipe: wire lines
 * behind their mark, in colour when asked, explanations indented under them and wrapped to
 * the width; a repeat says it all again (a reader of a pipe has no "above"). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/record/export_internal.h"
#include "core/util/xmalloc.h"

static void
text_nothing(struct export_writer *w)
{
	(void)w;
}

static void
text_line(struct export_writer *w, const struct export_line *line, const char *stamp,
    const char *mark, size_t full)
{
	/* Colours only around text already escaped: nothing from the wire can change them. */
	const char *colour = !w->opts.color ? NULL :
	    line->kind == EXPORT_LINE_CLIENT || line->kind == EXPORT_LINE_BODY ? "\033[34m" :
	    line->kind == EXPORT_LINE_ERROR ? "\033[31m" :
	    line->kind == EXPORT_LINE_WARNING ? "\033[33m" :
	    line->kind == EXPORT_LINE_INFO ? "\033[2m" : NULL;

	if (colour != NULL)
		export_ob_puts(w->o, colour);
	if (stamp[0] != '\0') {
		export_ob_puts(w->o, stamp);
		export_ob_putc(w->o, ' ');
	}
	if (*mark != '\0') {
		export_ob_puts(w->o, mark);
		export_ob_putc(w->o, ' ');
	}
	export_put_escaped(w->o, line->text, line->len, ESC_TEXT, w->opts.utf8, false);
	if (full > line->len)
		export_ob_printf(w->o, " [... cut: %zu bytes in all]", full);
	if (colour != NULL)
		export_ob_puts(w->o, "\033[0m");
	export_ob_putc(w->o, '\n');
}

static void
text_heading_head(struct export_writer *w, int cls, const char *heading, int id, int ref)
{
	(void)id;
	(void)ref;
	if (w->opts.color) {
		static const char *const by_class[] = { "\033[1m", "\033[1m", "\033[1;32m",
			"\033[1;36m", "\033[1;33m", "\033[1;31m" };

		export_ob_puts(w->o, by_class[cls >= 2 && cls <= 5 ? cls : 0]);
	}
	export_ob_puts(w->o, "   => ");
	export_put_str(w, heading, ESC_TEXT);
	if (w->opts.color)
		export_ob_puts(w->o, "\033[0m");
}

static void
text_latency(struct export_writer *w, const char *latency)
{
	export_ob_puts(w->o, "  (");
	export_ob_puts(w->o, latency);
	export_ob_putc(w->o, ')');
}

static void
text_heading_tail(struct export_writer *w, const char *summary, const char *detail, int ref)
{
	(void)ref;
	export_ob_putc(w->o, '\n');
	if (summary != NULL && *summary != '\0') {
		export_ob_puts(w->o, "      ");
		export_put_str(w, summary, ESC_TEXT);
		export_ob_putc(w->o, '\n');
	}
	if (detail != NULL)
		export_text_indent(w, detail, "      ");
}

/* Text has no sections: a full explanation's body is written by export_text_indent. */
static void
text_section(struct export_writer *w, const struct explanation_section *sec)
{
	(void)w;
	(void)sec;
}

/* Text: each line of text after indent, wrapped at spaces to the writer's width (a line
 * continued from a "- " bullet is indented under its text). */
void
export_text_indent(struct export_writer *w, const char *text, const char *indent)
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
			export_ob_puts(w->o, indent);
			if (!first)
				export_ob_write(w->o, "  ", hang);
			export_put_escaped(w->o, p, cut, ESC_TEXT, w->opts.utf8, false);
			export_ob_putc(w->o, '\n');
			p += cut;
			n -= cut;
			while (n > 0 && *p == ' ')
				p++, n--;
			if (first)
				width = room > hang + 10 ? room - hang : room;
			first = false;
		}
		if (first)
			export_ob_putc(w->o, '\n');  /* an empty line stays */
		p = eol != NULL ? eol + 1 : p;
	}
}

/* Text, full level: explain_render_text's body, without the heading and summary it starts
 * with (they are shown already). The caller frees. */
char *
export_text_body(const struct export_writer *w, const struct explanation *ex)
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

const struct export_format_ops export_text_ops = {
	.head = text_nothing,
	.foot = text_nothing,
	.wire_block = NULL,
	.line = text_line,
	.heading_head = text_heading_head,
	.latency = text_latency,
	.heading_tail = text_heading_tail,
	.section = text_section,
	.end = text_nothing,
};
