/* explain_view.c: the explanation pane. Holds styled lines (a heading, labelled sections,
 * bullets, warnings), word-wraps them to the pane's width when drawing, and scrolls on its own
 * keys. It draws whatever it is given; tui.c decides what that is. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/util/xmalloc.h"
#include "tui/tui.h"

struct explain_line {
	enum explain_style style;
	char *text;
};

struct explain_view {
	struct explain_line *line;
	size_t n, cap;
	char *title;
	int scroll;        /* first row shown */
	int height;        /* from the last draw */
	int total_rows;    /* from the last draw */
	struct tui_cells cells;
};

struct explain_view *
explain_view_new(void)
{
	return xcalloc(1, sizeof(struct explain_view));
}

void
explain_view_clear(struct explain_view *view)
{
	size_t i;

	for (i = 0; i < view->n; i++)
		free(view->line[i].text);
	view->n = 0;
	view->scroll = 0;
}

void
explain_view_free(struct explain_view *view)
{
	if (view == NULL)
		return;
	explain_view_clear(view);
	free(view->line);
	free(view->title);
	tui_cells_free(&view->cells);
	free(view);
}

void
explain_view_set_title(struct explain_view *view, const char *title)
{
	free(view->title);
	view->title = title != NULL ? xstrdup(title) : NULL;
}

static void
add_line(struct explain_view *view, enum explain_style style, const char *text, size_t len)
{
	if (view->n == view->cap) {
		view->cap = view->cap ? view->cap * 2 : 32;
		view->line = xreallocarray(view->line, view->cap, sizeof *view->line);
	}
	view->line[view->n].style = style;
	view->line[view->n].text = xstrndup(text, len);
	view->n++;
}

/* Length of a list marker at the start of a line ("- ", "* ", "12. "), 0 when none. */
static size_t
marker_len(const char *line)
{
	size_t d = 0;

	if ((line[0] == '-' || line[0] == '*') && line[1] == ' ')
		return 2;
	while (d < 3 && line[d] >= '0' && line[d] <= '9')
		d++;
	if (d > 0 && (line[d] == '.' || line[d] == ')') && line[d + 1] == ' ')
		return d + 2;
	return 0;
}

void
explain_view_add(struct explain_view *view, enum explain_style style, const char *text)
{
	struct { char *s; size_t len, cap; } item = { NULL, 0, 0 };
	const char *nl, *line;
	size_t n, lead;

	if (text == NULL)
		return;
	if (style == EXPLAIN_CODE || style == EXPLAIN_HEADING || style == EXPLAIN_LABEL) {
		for (;;) {
			nl = strchr(text, '\n');
			add_line(view, style, text, nl != NULL ? (size_t)(nl - text) : strlen(text));
			if (nl == NULL)
				break;
			text = nl + 1;
		}
		return;
	}
	/* prose: lines of a paragraph join into one (wrapped when drawn); a list marker starts
	 * a new item; an empty line is a paragraph break */
	if (text[0] == '\0') {
		add_line(view, style, "", 0);
		return;
	}
	for (line = text;; line = nl + 1) {
		nl = strchr(line, '\n');
		n = nl != NULL ? (size_t)(nl - line) : strlen(line);
		for (lead = 0; lead < n && (line[lead] == ' ' || line[lead] == '\t'); lead++)
			;
		if (lead == n) {
			if (item.len > 0)
				add_line(view, style, item.s, item.len);
			item.len = 0;
			add_line(view, style, "", 0);
		} else {
			if (marker_len(line + lead) > 0 || item.len == 0) {
				if (item.len > 0)
					add_line(view, style, item.s, item.len);
				item.len = 0;
			} else
				item.s[item.len++] = ' ';
			if (item.len + (n - lead) + 2 > item.cap) {
				item.cap = item.len + (n - lead) + 64;
				item.s = xreallocarray(item.s, item.cap, 1);
			}
			memcpy(item.s + item.len, line + lead, n - lead);
			item.len += n - lead;
			item.s[item.len] = '\0';
		}
		if (nl == NULL)
			break;
	}
	if (item.len > 0)
		add_line(view, style, item.s, item.len);
	free(item.s);
}

void
explain_view_add_head(struct explain_view *view, const struct explanation *e)
{
	if (e == NULL)
		return;
	if (e->heading != NULL)
		explain_view_add(view, EXPLAIN_HEADING, e->heading);
	if (e->summary != NULL)
		explain_view_add(view, EXPLAIN_SUMMARY, e->summary);
}

void
explain_view_add_sections(struct explain_view *view, const struct explanation *e,
    const char *skip)
{
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nsections; i++) {
		const struct explanation_section *s = &e->sections[i];

		if (s->text == NULL || s->text[0] == '\0')
			continue;
		if (skip != NULL && s->name != NULL && strcmp(s->name, skip) == 0)
			continue;
		explain_view_add(view, EXPLAIN_BODY, "");
		explain_view_add(view, EXPLAIN_LABEL, s->label != NULL ? s->label : s->name);
		explain_view_add(view, s->preformatted ? EXPLAIN_CODE : EXPLAIN_BODY, s->text);
	}
}

void
explain_view_add_explanation(struct explain_view *view, const struct explanation *e,
    const char *skip)
{
	explain_view_add_head(view, e);
	explain_view_add_sections(view, e, skip);
}

static void
style_of(enum explain_style style, short *pair, attr_t *attr, int *indent)
{
	*pair = TUI_PAIR_DEFAULT;
	*attr = 0;
	*indent = 2;
	switch (style) {
	case EXPLAIN_HEADING:
		*pair = TUI_PAIR_HEADING;
		*attr = A_BOLD;
		*indent = 0;
		break;
	case EXPLAIN_SUMMARY:
		*indent = 0;
		break;
	case EXPLAIN_LABEL:
		*pair = TUI_PAIR_HEADING;
		*attr = A_BOLD | A_UNDERLINE;
		*indent = 0;
		break;
	case EXPLAIN_WARNING:
		*pair = TUI_PAIR_WARNING;
		*attr = A_BOLD;
		*indent = 0;
		break;
	case EXPLAIN_NOTE:
		*pair = TUI_PAIR_INFO;
		*indent = 0;
		break;
	case EXPLAIN_CODE:
	case EXPLAIN_BODY:
		break;
	}
}

/* Lays out (and, when body is not NULL, draws) every line; returns the number of rows. */
static int
layout(struct explain_view *view, WINDOW *body, int width, bool colour)
{
	int row = 0, indent, hang, maxy = body != NULL ? getmaxy(body) : 0;
	size_t i, pos, end;
	short pair;
	attr_t attr;

	for (i = 0; i < view->n; i++) {
		const char *text = view->line[i].text;

		style_of(view->line[i].style, &pair, &attr, &indent);
		hang = (int)marker_len(text);
		tui_cells_clear(&view->cells);
		tui_cells_add_str(&view->cells, text, pair, attr);
		if (view->cells.n == 0) {
			row++;
			continue;
		}
		pos = 0;
		while (pos < view->cells.n) {
			int x = indent + (pos > 0 ? hang : 0);
			int avail = width - x;

			if (avail < 4) {
				x = 0;
				avail = width;
			}
			end = view->line[i].style == EXPLAIN_CODE ?
			    tui_cells_row_end(&view->cells, pos, avail) :
			    tui_cells_word_end(&view->cells, pos, avail);
			if (body != NULL && row >= view->scroll && row - view->scroll < maxy) {
				wmove(body, row - view->scroll, x);
				tui_cells_draw(body, &view->cells, pos, end, colour);
			}
			row++;
			pos = end;
			/* a wrapped row does not start with the space it broke at */
			while (pos < view->cells.n && view->cells.cell[pos].ch == L' ' &&
			    view->line[i].style != EXPLAIN_CODE)
				pos++;
		}
	}
	return row;
}

void
explain_view_draw(struct explain_view *view, WINDOW *title, WINDOW *body, bool colour)
{
	int height, width;
	char pos[64];

	getmaxyx(body, height, width);
	view->height = height;
	view->total_rows = layout(view, NULL, width, colour);
	if (view->scroll > view->total_rows - height)
		view->scroll = view->total_rows - height;
	if (view->scroll < 0)
		view->scroll = 0;
	werase(body);
	layout(view, body, width, colour);
	wnoutrefresh(body);

	wbkgdset(title, ' ' | (colour ? COLOR_PAIR(TUI_PAIR_TITLE) : 0) | A_REVERSE);
	werase(title);
	wattrset(title, (colour ? COLOR_PAIR(TUI_PAIR_TITLE) : 0) | A_REVERSE | A_BOLD);
	wmove(title, 0, 1);
	if (view->title != NULL) {
		struct tui_cells cells = { 0 };

		tui_cells_add_str(&cells, view->title, colour ? TUI_PAIR_TITLE : 0,
		    A_REVERSE | A_BOLD);
		tui_cells_draw(title, &cells, 0, cells.n, colour);
		tui_cells_free(&cells);
	}
	if (view->total_rows > height) {
		snprintf(pos, sizeof pos, " %d-%d/%d ", view->scroll + 1,
		    view->scroll + height < view->total_rows ? view->scroll + height :
		    view->total_rows, view->total_rows);
		if ((int)strlen(pos) + 20 < getmaxx(title))
			mvwaddstr(title, 0, getmaxx(title) - (int)strlen(pos), pos);
	}
	wnoutrefresh(title);
}

void
explain_view_scroll(struct explain_view *view, int rows)
{
	view->scroll += rows;
	if (view->scroll > view->total_rows - view->height)
		view->scroll = view->total_rows - view->height;
	if (view->scroll < 0)
		view->scroll = 0;
}

void
explain_view_top(struct explain_view *view)
{
	view->scroll = 0;
}

bool
explain_view_key(struct explain_view *view, int key)
{
	int page = view->height > 2 ? view->height - 1 : 1;

	switch (key) {
	case KEY_F(7):
	case KEY_SPREVIOUS:
	case TUI_KEY_SHIFT_PGUP:
	case TUI_KEY_ALT_PGUP:
		explain_view_scroll(view, -page);
		return true;
	case KEY_F(8):
	case KEY_SNEXT:
	case TUI_KEY_SHIFT_PGDN:
	case TUI_KEY_ALT_PGDN:
		explain_view_scroll(view, page);
		return true;
	case KEY_SR:
	case TUI_KEY_SHIFT_UP:
		explain_view_scroll(view, -1);
		return true;
	case KEY_SF:
	case TUI_KEY_SHIFT_DOWN:
		explain_view_scroll(view, 1);
		return true;
	default:
		return false;
	}
}
