/* explain_view.c: the explanation pane. It owns what it shows: a source (the newest reply, a
 * selected one, a lesson's step, a local result, the help page) that it rebuilds its lines
 * from when told they are stale (explain_view_invalidate) or when the selection moves. It
 * holds styled lines (a heading, labelled sections, bullets, warnings), word-wraps them to the
 * pane's width when drawing, and scrolls on its own keys (explain_view_keys). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/teach/lesson.h"
#include "core/util/xmalloc.h"
#include "tui/tui.h"

#define EXPLAIN_STALE ((size_t)-1)

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

	/* what it shows */
	enum explain_source source;       /* what the lines were built from (or will be) */
	size_t shown_entry;               /* the entry explained; TRANSCRIPT_NO_REPLY: none, and
	                                   * the next build starts at the top */
	size_t shown_count;               /* transcript size at the last build, or EXPLAIN_STALE */
	struct explanation *local_expl;   /* a local result: an explanation, */
	char *local_text;                 /* and/or text */
	char *notice;                     /* a warning or error shown above everything */
};

struct explain_view *
explain_view_new(void)
{
	struct explain_view *view = xcalloc(1, sizeof(struct explain_view));

	view->source = EXPLAIN_SOURCE_WELCOME;
	view->shown_entry = TRANSCRIPT_NO_REPLY;
	view->shown_count = EXPLAIN_STALE;
	return view;
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
	explanation_free(view->local_expl);
	free(view->local_text);
	free(view->notice);
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

/* ---- keys ---- */

static int
page_rows(const struct explain_view *view)
{
	return view->height > 2 ? view->height - 1 : 1;
}

static bool
key_page_up(struct tui *tui, int key)
{
	(void)key;
	explain_view_scroll(tui->explain, -page_rows(tui->explain));
	return true;
}

static bool
key_page_down(struct tui *tui, int key)
{
	(void)key;
	explain_view_scroll(tui->explain, page_rows(tui->explain));
	return true;
}

static bool
key_line_up(struct tui *tui, int key)
{
	(void)key;
	explain_view_scroll(tui->explain, -1);
	return true;
}

static bool
key_line_down(struct tui *tui, int key)
{
	(void)key;
	explain_view_scroll(tui->explain, 1);
	return true;
}

static const struct tui_key_help help_scroll = { "ui-keys-pane",
	"F7/F8, Shift-PgUp/Shift-PgDn or Shift-Up/Shift-Down: scroll this pane" };

const struct tui_binding explain_view_keys[] = {
	{ KEY_F(7), true, "F7", key_page_up, &help_scroll },
	{ KEY_F(8), true, "F8", key_page_down, &help_scroll },
	{ TUI_KEY_SHIFT_PGUP, true, "Shift-PgUp", key_page_up, &help_scroll },
	{ TUI_KEY_SHIFT_PGDN, true, "Shift-PgDn", key_page_down, &help_scroll },
	{ TUI_KEY_SHIFT_UP, true, "Shift-Up", key_line_up, &help_scroll },
	{ TUI_KEY_SHIFT_DOWN, true, "Shift-Down", key_line_down, &help_scroll },
	/* the same keys as terminfo names them, and Alt-PgUp/Alt-PgDn (not listed) */
	{ KEY_SPREVIOUS, true, "Shift-PgUp", key_page_up, NULL },
	{ KEY_SNEXT, true, "Shift-PgDn", key_page_down, NULL },
	{ KEY_SR, true, "Shift-Up", key_line_up, NULL },
	{ KEY_SF, true, "Shift-Down", key_line_down, NULL },
	{ TUI_KEY_ALT_PGUP, true, "Alt-PgUp", key_page_up, NULL },
	{ TUI_KEY_ALT_PGDN, true, "Alt-PgDn", key_page_down, NULL },
	{ 0, false, NULL, NULL, NULL },
};

/* ---- what it shows ---- */

static const char *
L(const struct tui *tui, const char *name, const char *fallback)
{
	return tui_label(tui->kb, name, fallback);
}

bool
explain_view_holds_local(const struct explain_view *view)
{
	return view->source == EXPLAIN_SOURCE_LOCAL || view->source == EXPLAIN_SOURCE_HELP;
}

void
explain_view_invalidate(struct explain_view *view)
{
	view->shown_count = EXPLAIN_STALE;
}

bool
explain_view_stale(const struct explain_view *view, const struct transcript *transcript)
{
	return view->shown_count != transcript_count(transcript);
}

enum explain_source
explain_view_source(const struct explain_view *view)
{
	return view->source;
}

void
explain_view_set_notice(struct explain_view *view, const char *text)
{
	free(view->notice);
	view->notice = text != NULL ? xstrdup(text) : NULL;
	explain_view_invalidate(view);
}

bool
explain_view_has_notice(const struct explain_view *view)
{
	return view->notice != NULL;
}

void
explain_view_show_local(struct explain_view *view, enum explain_source source,
    const char *title, struct explanation *e, const char *text)
{
	explanation_free(view->local_expl);
	free(view->local_text);
	view->local_expl = e;
	view->local_text = text != NULL ? xstrdup(text) : NULL;
	view->source = source;
	explain_view_set_title(view, title);
	view->shown_entry = TRANSCRIPT_NO_REPLY;
	explain_view_invalidate(view);
}

void
explain_view_follow(struct explain_view *view, bool from_top)
{
	if (explain_view_holds_local(view))
		view->source = EXPLAIN_SOURCE_WELCOME;   /* settled at the next build */
	if (from_top)
		view->shown_entry = TRANSCRIPT_NO_REPLY;
	explain_view_invalidate(view);
}

static void
add_notice(struct explain_view *view)
{
	if (view->notice == NULL)
		return;
	explain_view_add(view, EXPLAIN_WARNING, view->notice);
	explain_view_add(view, EXPLAIN_BODY, "");
}

/* What to type next (the engine's suggestions), and the practice server's login. */
static void
add_suggestions(struct explain_view *view, const struct tui *tui)
{
	const char *next[12];
	size_t n = tui->engine != NULL ? engine_suggest_next(tui->engine, next, 12) : 0, i, j;

	if (n > 0) {
		explain_view_add(view, EXPLAIN_BODY, "");
		explain_view_add(view, EXPLAIN_LABEL, L(tui, "ui-what-next", "What next"));
	}
	for (i = 0; i < n; i++) {
		char *line;

		for (j = 0; j < i && strcmp(next[j], next[i]) != 0; j++)
			;
		if (j < i)
			continue;   /* said already */
		line = xasprintf("- %s", next[i]);
		explain_view_add(view, EXPLAIN_BODY, line);
		free(line);
	}
	if (tui->fe->practice != NULL && practice_user(tui->fe->practice) != NULL) {
		char *line = xasprintf("%s: %s / %s", L(tui, "ui-practice-login",
		    "The practice server's user name and password"),
		    practice_user(tui->fe->practice), practice_password(tui->fe->practice) ?
		    practice_password(tui->fe->practice) : "");

		explain_view_add(view, EXPLAIN_BODY, "");
		explain_view_add(view, EXPLAIN_NOTE, line);
		free(line);
	}
}

static void
add_lesson_step(struct explain_view *view, const struct tui *tui)
{
	struct explanation *le = lesson_progress_explanation(tui->progress, tui->kb);

	explain_view_add_explanation(view, le, NULL);
	explanation_free(le);
	explain_view_add(view, EXPLAIN_BODY, "");
	explain_view_add(view, EXPLAIN_NOTE, "----------------------------------------");
}

static void
add_welcome(struct explain_view *view, const struct tui *tui)
{
	explain_view_set_title(view, L(tui, "ui-pane-explain", "Explanation"));
	explain_view_add(view, EXPLAIN_NOTE, L(tui, "ui-welcome",
	    "Replies from the server are explained here. Press F1 for help."));
	add_suggestions(view, tui);
}

/* A reply: its explanation in the context of the command it answered; for the newest one,
 * what to type next right after the heading (skip_next: the section those replace). */
static void
add_reply(struct explain_view *view, const struct tui *tui, const struct transcript_entry *entry,
    bool newest, const char *skip_next)
{
	const struct transcript_reply *r = transcript_reply(tui->transcript, entry->reply);
	struct explanation *e = NULL;
	char title[128];

	snprintf(title, sizeof title, "%s: %s%s%s%s", L(tui, "ui-pane-explain", "Explanation"),
	    r != NULL && r->reply != NULL ? r->reply->code_text : "?",
	    newest ? "" : " (",
	    newest ? "" : tui->replay_name != NULL ?
	    L(tui, "ui-replay-step", "F5/F6 or Alt-Up/Alt-Down: step") :
	    L(tui, "ui-older-reply", "older reply; F6 or Alt-Down: newer"),
	    newest ? "" : ")");
	explain_view_set_title(view, title);
	if (tui->kb != NULL && r != NULL && r->reply != NULL)
		e = explain_reply(tui->kb, r->reply, r->after);
	if (e == NULL) {
		explain_view_add(view, EXPLAIN_NOTE, L(tui, "ui-no-kb",
		    "No explanation: the knowledge base is not loaded."));
		if (newest)
			add_suggestions(view, tui);
		return;
	}
	/* what to type now comes first: it is what a learner looks for */
	explain_view_add_head(view, e);
	if (newest)
		add_suggestions(view, tui);
	explain_view_add_sections(view, e, skip_next);
	if (r->after != NULL) {
		char *ctx = xasprintf("%s: %s", L(tui, "ui-answered", "Answered"), r->after);

		explain_view_add(view, EXPLAIN_BODY, "");
		explain_view_add(view, EXPLAIN_NOTE, ctx);
		free(ctx);
	}
	explanation_free(e);
}

/* An event (connected, TLS started, a failure): its explanation from the knowledge base. */
static void
add_event(struct explain_view *view, const struct tui *tui, const struct transcript_entry *entry,
    bool newest, const char *skip_next)
{
	char *title = xasprintf("%s: %s", L(tui, "ui-pane-explain", "Explanation"), entry->event);
	struct explanation *e = NULL;

	explain_view_set_title(view, title);
	free(title);
	if (tui->kb != NULL)
		e = explain_event(tui->kb, entry->event, entry->text);
	if (e != NULL) {
		explain_view_add_head(view, e);
		if (newest)
			add_suggestions(view, tui);
		explain_view_add_sections(view, e, skip_next);
	} else {
		explain_view_add(view, EXPLAIN_NOTE, entry->text);
		if (newest)
			add_suggestions(view, tui);
	}
	explanation_free(e);
}

/* Builds the lines again from the source: a local result as it was given, else the entry the
 * session pane selects (the scroll stays when that is the entry shown before). */
static void
build(struct explain_view *view, const struct tui *tui)
{
	size_t sel = session_view_selected(tui->session);
	bool newest = session_view_follows(tui->session);
	bool keep_scroll = sel == view->shown_entry;
	const struct transcript_entry *entry;
	const char *next[1], *skip_next = NULL;

	explain_view_clear(view);
	add_notice(view);
	view->shown_count = transcript_count(tui->transcript);
	if (explain_view_holds_local(view)) {
		if (view->local_expl != NULL)
			explain_view_add_explanation(view, view->local_expl, NULL);
		if (view->local_text != NULL)
			explain_view_add(view, EXPLAIN_BODY, view->local_text);
		return;
	}
	entry = sel != TRANSCRIPT_NO_REPLY ? transcript_entry(tui->transcript, sel) : NULL;
	view->source = newest && tui->progress != NULL ? EXPLAIN_SOURCE_LESSON :
	    entry == NULL ? EXPLAIN_SOURCE_WELCOME : newest ? EXPLAIN_SOURCE_NEWEST :
	    EXPLAIN_SOURCE_SELECTED;
	/* the engine's suggestions replace the knowledge base's generic ones for the newest */
	if (newest && tui->engine != NULL && engine_suggest_next(tui->engine, next, 1) > 0)
		skip_next = "next";
	if (view->source == EXPLAIN_SOURCE_LESSON)
		add_lesson_step(view, tui);   /* its current step first, then the newest entry */
	if (entry == NULL)
		add_welcome(view, tui);
	else if (entry->kind == TRANSCRIPT_RECEIVED)
		add_reply(view, tui, entry, newest, skip_next);
	else
		add_event(view, tui, entry, newest, skip_next);
	if (!keep_scroll)
		explain_view_top(view);
	view->shown_entry = sel;
}

void
explain_view_update(struct explain_view *view, const struct tui *tui)
{
	if (!explain_view_holds_local(view) &&
	    session_view_selected(tui->session) != view->shown_entry)
		explain_view_invalidate(view);
	if (explain_view_stale(view, tui->transcript))
		build(view, tui);
}
