/* export_markdown.c: how the export writes Markdown: wire lines in fenced code blocks behind
 * their "C: " / "S: " mark (so no line can close the fence), explanations as block quotes
 * with an anchor a repeat can link back to, the counts at the end. */
#include "config.h"

#include <string.h>

#include "core/record/export_internal.h"

static void
md_head(struct export_writer *w)
{
	const char *title = w->opts.title != NULL ? w->opts.title : "SMTP session";

	export_put_between(w, "# ", title, "\n\n", ESC_MD_PROSE);
	export_put_between(w, "Source: ", w->opts.source, ". ", ESC_MD_PROSE);
	export_ob_puts(w->o, "Every server reply explained by smtpscope.\n\n");
}

static void
md_foot(struct export_writer *w)
{
	export_ob_printf(w->o, "---\n\n%lu lines, %lu replies (%lu 2xx, %lu 3xx, %lu 4xx, %lu 5xx). "
	    "smtpscope %s\n", w->nlines, w->nreplies, w->nclass[2], w->nclass[3],
	    w->nclass[4], w->nclass[5], PACKAGE_VERSION);
}

static void
md_wire_block(struct export_writer *w, bool open)
{
	export_ob_puts(w->o, open ? "```text\n" : "```\n\n");
}

static void
md_line(struct export_writer *w, const struct export_line *line, const char *stamp,
    const char *mark, size_t full)
{
	if (stamp[0] != '\0')
		export_ob_printf(w->o, "%s ", stamp);
	/* Every line starts with a mark, so no wire line can close the fence. */
	export_ob_printf(w->o, "%s ", *mark != '\0' ? mark : "|");
	export_put_escaped(w->o, line->text, line->len, ESC_MD_CODE, true, false);
	if (full > line->len)
		export_ob_printf(w->o, " [... cut: %zu bytes in all]", full);
	export_ob_putc(w->o, '\n');
}

static void
md_heading_head(struct export_writer *w, int cls, const char *heading, int id, int ref)
{
	(void)cls;
	(void)ref;
	if (id > 0)
		export_ob_printf(w->o, "<a id=\"x%d\"></a>\n\n", id);
	export_ob_puts(w->o, "> **");
	export_put_str(w, heading, ESC_MD_PROSE);
	export_ob_puts(w->o, "**");
}

static void
md_latency(struct export_writer *w, const char *latency)
{
	export_ob_puts(w->o, " (");
	export_ob_puts(w->o, latency);
	export_ob_putc(w->o, ')');
}

static void
md_heading_tail(struct export_writer *w, const char *summary, const char *detail, int ref)
{
	static const struct export_tail_markup m = {
		"  \n> ", "  \n> ", " \xe2\x80\x94 explained [above](#x", ").", "\n", ESC_MD_PROSE,
	};

	export_heading_tail_markup(w, &m, summary, detail, ref);
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
		export_ob_puts(w->o, ">");
		if (n == 0) {
			in_item = false;
		} else {
			export_ob_putc(w->o, ' ');
			if (pre) {
				export_ob_puts(w->o, "    ");
				export_put_escaped(w->o, s, n, ESC_MD_CODE, true, false);
			} else if (n >= 2 && s[0] == '-' && s[1] == ' ') {
				export_ob_puts(w->o, "- ");
				export_put_inline(w, s + 2, n - 2, ESC_MD_PROSE);
				in_item = true;
			} else {
				if (in_item)
					export_ob_puts(w->o, "  ");  /* the bullet's text goes on */
				export_put_inline(w, s, n, ESC_MD_PROSE);
			}
		}
		export_ob_putc(w->o, '\n');
		p = eol != NULL ? eol + 1 : p + strlen(p);
	}
}

static void
md_section_with_label(struct export_writer *w, const struct explanation_section *sec)
{
	export_ob_puts(w->o, ">\n");
	if (sec->label != NULL && sec->label[0] != '\0')
		export_put_between(w, "> **", sec->label, "**  \n", ESC_MD_PROSE);
	md_section(w, sec->text, sec->preformatted);
}

static void
md_end(struct export_writer *w)
{
	export_ob_putc(w->o, '\n');
}

const struct export_format_ops export_markdown_ops = {
	.head = md_head,
	.foot = md_foot,
	.wire_block = md_wire_block,
	.line = md_line,
	.heading_head = md_heading_head,
	.latency = md_latency,
	.heading_tail = md_heading_tail,
	.section = md_section_with_label,
	.end = md_end,
};
