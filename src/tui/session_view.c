/* session_view.c: the session pane. Shows the transcript (C:/S: lines with time and latency,
 * events, warnings) as wrapped rows; scrollback that only ever lays out the rows it shows, so a
 * session of any length scrolls as fast as a short one; and the selection of one reply or event
 * that the explanation pane follows. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util/xmalloc.h"
#include "tui/tui.h"

/* Continuation rows are indented under the text when the pane is wide enough for it. */
#define SESSION_INDENT_MIN_WIDTH 40
/* How far back from the end the selection looks for a failure to show first. */
#define SESSION_SELECT_LOOKBACK 64

struct session_view {
	struct transcript *transcript;
	bool colour;

	/* the view: either following the end, or anchored at a row of an entry */
	bool follow;
	size_t top_entry;
	size_t top_row;
	size_t new_below;       /* entries that arrived while scrolled back */

	/* the selection */
	bool select_follow;
	size_t selected;

	/* from the last draw */
	int width, height;
	size_t first_shown, last_shown;
	bool drawn;

	struct tui_cells scratch;
	size_t prefix_cells;
	const struct kb *kb;    /* screen texts */

	/* a replay shows the session only up to the selected reply */
	bool replay;
	size_t limit;
};

/* The entries the pane may show. */
static size_t
shown_count(const struct session_view *view)
{
	size_t count = transcript_count(view->transcript);

	return view->replay && view->limit < count ? view->limit : count;
}

/* In a replay, the session shows up to the end of the selected reply (or event). */
static void
replay_limit(struct session_view *view)
{
	const struct transcript_entry *e;
	const struct transcript_reply *r;

	if (!view->replay || view->selected == TRANSCRIPT_NO_REPLY)
		return;
	e = transcript_entry(view->transcript, view->selected);
	view->limit = view->selected + 1;
	if (e != NULL && e->kind == TRANSCRIPT_RECEIVED && e->reply != TRANSCRIPT_NO_REPLY &&
	    (r = transcript_reply(view->transcript, e->reply)) != NULL)
		view->limit = r->last_entry + 1;
	view->follow = true;
}

void
session_view_replay(struct session_view *view)
{
	size_t count = transcript_count(view->transcript), i;

	view->replay = true;
	view->select_follow = false;
	view->limit = count;
	for (i = 0; i < count; i++)
		if (session_view_explainable(view->transcript, i)) {
			view->selected = i;
			break;
		}
	replay_limit(view);
}

struct session_view *
session_view_new(struct transcript *transcript)
{
	struct session_view *view = xcalloc(1, sizeof *view);

	view->transcript = transcript;
	view->follow = true;
	view->select_follow = true;
	view->selected = TRANSCRIPT_NO_REPLY;
	view->width = 80;
	view->height = 10;
	return view;
}

void
session_view_free(struct session_view *view)
{
	if (view == NULL)
		return;
	tui_cells_free(&view->scratch);
	free(view);
}

bool
session_view_explainable(const struct transcript *transcript, size_t i)
{
	const struct transcript_entry *e = transcript_entry(transcript, i);
	const struct transcript_reply *r;

	if (e == NULL)
		return false;
	switch (e->kind) {
	case TRANSCRIPT_RECEIVED:
		if (e->reply == TRANSCRIPT_NO_REPLY)
			return false;
		r = transcript_reply(transcript, e->reply);
		return r != NULL && r->first_entry == i;
	case TRANSCRIPT_EVENT:
	case TRANSCRIPT_WARNING:
	case TRANSCRIPT_ERROR:
		return e->event != NULL && e->event[0] != '\0';
	default:
		return false;
	}
}

static void
format_latency(char *buf, size_t size, int64_t us)
{
	if (us < 10000)
		snprintf(buf, size, "%.1f ms", (double)us / 1000.0);
	else if (us < 10000000)
		snprintf(buf, size, "%lld ms", (long long)(us / 1000));
	else
		snprintf(buf, size, "%.1f s", (double)us / 1000000.0);
}

static short
class_pair(int cls)
{
	switch (cls) {
	case 2: return TUI_PAIR_2XX;
	case 3: return TUI_PAIR_3XX;
	case 4: return TUI_PAIR_4XX;
	case 5: return TUI_PAIR_5XX;
	default: return TUI_PAIR_WARNING;
	}
}

/* Attributes that carry a reply's class without colour. */
static attr_t
class_attr(int cls, bool colour)
{
	if (colour)
		return cls == 5 ? A_BOLD : 0;
	switch (cls) {
	case 3: return A_BOLD;
	case 4: return A_UNDERLINE;
	case 5: return A_BOLD | A_UNDERLINE;
	default: return 0;
	}
}

/* Is entry i a line of the selected reply (or the selected event)? */
static bool
entry_selected(const struct session_view *view, size_t i, const struct transcript_entry *e)
{
	const struct transcript_reply *r;

	if (view->selected == TRANSCRIPT_NO_REPLY)
		return false;
	if (i == view->selected)
		return true;
	if (e->kind != TRANSCRIPT_RECEIVED || e->reply == TRANSCRIPT_NO_REPLY)
		return false;
	r = transcript_reply(view->transcript, e->reply);
	return r != NULL && r->first_entry == view->selected;
}

/* Builds entry i's cells into view->scratch. */
static void
entry_cells(struct session_view *view, size_t i)
{
	const struct transcript_entry *e = transcript_entry(view->transcript, i);
	const struct transcript_reply *r = NULL;
	struct tui_cells *c = &view->scratch;
	char stamp[32], lat[48];
	const char *tag;
	struct tm tm;
	time_t secs;
	short pair = TUI_PAIR_DEFAULT;
	attr_t attr = 0, tag_attr = 0;
	int cls = 0;

	tui_cells_clear(c);
	if (e == NULL)
		return;
	secs = (time_t)(e->time_us / 1000000);
	localtime_r(&secs, &tm);
	strftime(stamp, sizeof stamp, "%H:%M:%S ", &tm);
	switch (e->kind) {
	case TRANSCRIPT_SENT:
		tag = "C: ";
		pair = TUI_PAIR_SENT;
		attr = A_BOLD;
		break;
	case TRANSCRIPT_RECEIVED:
		if (e->reply != TRANSCRIPT_NO_REPLY)
			r = transcript_reply(view->transcript, e->reply);
		cls = r != NULL && r->reply != NULL ? reply_class(r->reply) : 0;
		pair = class_pair(cls);
		attr = class_attr(cls, view->colour);
		/* without colour the class shows in the tag: S2 .. S5, S? for no valid code */
		if (view->colour)
			tag = "S: ";
		else if (cls >= 2 && cls <= 5) {
			static const char *const mono[] = { "S2 ", "S3 ", "S4 ", "S5 " };
			tag = mono[cls - 2];
		} else
			tag = "S? ";
		break;
	case TRANSCRIPT_EVENT:
		tag = "-- ";
		pair = TUI_PAIR_EVENT;
		break;
	case TRANSCRIPT_WARNING:
		tag = "!! ";
		pair = TUI_PAIR_WARNING;
		attr = A_BOLD;
		break;
	case TRANSCRIPT_ERROR:
		tag = "!! ";
		pair = TUI_PAIR_ERROR;
		attr = A_BOLD;
		break;
	default:
		tag = ".. ";
		pair = TUI_PAIR_INFO;
		break;
	}
	if (entry_selected(view, i, e))
		tag_attr = A_REVERSE;
	tui_cells_add_str(c, stamp, TUI_PAIR_DEFAULT, 0);
	tui_cells_add_str(c, tag, pair, attr | tag_attr);
	view->prefix_cells = c->n;
	tui_cells_add_bytes(c, e->text != NULL ? e->text : "", e->text != NULL ? e->len : 0, pair,
	    attr, A_REVERSE);
	if (e->secret) {
		tui_cells_add_str(c, " (", TUI_PAIR_DEFAULT, A_DIM);
		tui_cells_add_str(c, tui_label(view->kb, "ui-masked", "masked"), TUI_PAIR_DEFAULT,
		    A_DIM);
		tui_cells_add_str(c, ")", TUI_PAIR_DEFAULT, A_DIM);
	}
	if (r != NULL && r->last_entry == i) {
		if (r->latency_us >= 0) {
			format_latency(lat, sizeof lat, r->latency_us);
			tui_cells_add_str(c, "  [", TUI_PAIR_DEFAULT, 0);
			tui_cells_add_str(c, lat, TUI_PAIR_DEFAULT, 0);
			tui_cells_add_str(c, "]", TUI_PAIR_DEFAULT, 0);
		}
		if (r->reply != NULL && r->reply->lines_total > r->reply->nlines) {
			snprintf(lat, sizeof lat, "  (+%zu %s)",
			    r->reply->lines_total - r->reply->nlines,
			    tui_label(view->kb, "ui-lines-not-kept", "lines not kept"));
			tui_cells_add_str(c, lat, TUI_PAIR_WARNING, A_BOLD);
		}
	}
}

static int
row_width(const struct session_view *view, size_t row)
{
	int indent;

	if (row == 0 || view->width < SESSION_INDENT_MIN_WIDTH)
		return view->width;
	indent = (int)view->prefix_cells;
	return view->width - indent;
}

/* Lays out entry i; returns its number of rows. */
static size_t
entry_row_count(struct session_view *view, size_t i)
{
	size_t pos = 0, rows = 0;

	entry_cells(view, i);
	if (view->scratch.n == 0)
		return 1;
	while (pos < view->scratch.n) {
		pos = tui_cells_row_end(&view->scratch, pos, row_width(view, rows));
		rows++;
	}
	return rows;
}

/* Turns "follow" into an explicit anchor: the top row of the last screenful. */
static void
anchor_from_bottom(struct session_view *view)
{
	size_t count = shown_count(view), need = (size_t)view->height, rows;
	size_t i = count;

	view->top_entry = 0;
	view->top_row = 0;
	while (i > 0 && need > 0) {
		i--;
		rows = entry_row_count(view, i);
		if (rows >= need) {
			view->top_entry = i;
			view->top_row = rows - need;
			return;
		}
		need -= rows;
	}
}

/* True when the rows from the anchor to the end fit in the pane. */
static bool
anchor_reaches_end(struct session_view *view)
{
	size_t count = shown_count(view), rows = 0, i;

	for (i = view->top_entry; i < count; i++) {
		rows += entry_row_count(view, i) - (i == view->top_entry ? view->top_row : 0);
		if (rows > (size_t)view->height)
			return false;
	}
	return true;
}

void
session_view_scroll(struct session_view *view, int delta)
{
	size_t count = shown_count(view), rows;
	size_t n;

	if (count == 0 || delta == 0)
		return;
	if (view->follow) {
		if (delta > 0)
			return;
		anchor_from_bottom(view);
		view->follow = false;
		view->new_below = 0;
	}
	if (delta < 0) {
		n = (size_t)-delta;
		while (n > 0) {
			if (view->top_row >= n) {
				view->top_row -= n;
				break;
			}
			n -= view->top_row;
			if (view->top_entry == 0) {
				view->top_row = 0;
				break;
			}
			view->top_entry--;
			view->top_row = entry_row_count(view, view->top_entry);
		}
	} else {
		n = (size_t)delta;
		while (n > 0 && view->top_entry < count) {
			rows = entry_row_count(view, view->top_entry);
			if (view->top_row + n < rows) {
				view->top_row += n;
				break;
			}
			n -= rows - view->top_row;
			view->top_entry++;
			view->top_row = 0;
		}
		if (view->top_entry >= count || anchor_reaches_end(view)) {
			view->follow = true;
			view->new_below = 0;
		}
	}
}

static void
scroll_home(struct session_view *view)
{
	view->follow = false;
	view->top_entry = 0;
	view->top_row = 0;
	if (anchor_reaches_end(view))
		view->follow = true;
}

static void
scroll_end(struct session_view *view)
{
	view->follow = true;
	view->new_below = 0;
}

/* Scrolls so entry i shows, when it is not on screen now. */
static void
reveal(struct session_view *view, size_t i)
{
	if (i == TRANSCRIPT_NO_REPLY)
		return;
	if (view->drawn && i >= view->first_shown && i <= view->last_shown)
		return;
	view->follow = false;
	view->top_entry = i;
	view->top_row = 0;
	/* a little context above it */
	session_view_scroll(view, -(view->height / 4));
	if (anchor_reaches_end(view))
		scroll_end(view);
}

void
session_view_appended(struct session_view *view)
{
	size_t count = transcript_count(view->transcript), i, steps = 0;
	size_t newest = TRANSCRIPT_NO_REPLY;

	if (!view->follow)
		view->new_below++;
	if (!view->select_follow)
		return;
	/* the newest explainable entry; but a failure since the last command outranks what
	 * followed it (a "connection closed" after a certificate failure explains little) */
	i = count;
	while (i > 0 && steps < SESSION_SELECT_LOOKBACK) {
		const struct transcript_entry *e = transcript_entry(view->transcript, i - 1);

		steps++;
		if (e->kind == TRANSCRIPT_SENT)
			break;
		if (session_view_explainable(view->transcript, i - 1)) {
			if (newest == TRANSCRIPT_NO_REPLY)
				newest = i - 1;
			if (e->kind == TRANSCRIPT_ERROR) {
				newest = i - 1;
				break;
			}
		}
		/* a reply's lines: jump to its first */
		if (e->kind == TRANSCRIPT_RECEIVED && e->reply != TRANSCRIPT_NO_REPLY) {
			const struct transcript_reply *r = transcript_reply(view->transcript, e->reply);

			if (r != NULL && r->first_entry < i - 1) {
				i = r->first_entry + 1;
				continue;
			}
		}
		i--;
	}
	if (newest == TRANSCRIPT_NO_REPLY) {
		/* nothing since the last command: the newest before it */
		while (i > 0) {
			const struct transcript_entry *e = transcript_entry(view->transcript, i - 1);

			if (session_view_explainable(view->transcript, i - 1)) {
				newest = i - 1;
				break;
			}
			if (e->kind == TRANSCRIPT_RECEIVED && e->reply != TRANSCRIPT_NO_REPLY) {
				const struct transcript_reply *r =
				    transcript_reply(view->transcript, e->reply);

				if (r != NULL && r->first_entry < i - 1) {
					i = r->first_entry + 1;
					continue;
				}
			}
			i--;
		}
	}
	if (newest != TRANSCRIPT_NO_REPLY)
		view->selected = newest;
}

size_t
session_view_selected(const struct session_view *view)
{
	return view->selected;
}

bool
session_view_follows(const struct session_view *view)
{
	return view->select_follow;
}

void
session_view_select_newest(struct session_view *view)
{
	view->select_follow = true;
	session_view_appended(view);
	if (!view->follow)
		view->new_below = view->new_below > 0 ? view->new_below - 1 : 0;
	/* the newest reply is at the end: show the end (its first line may be above the pane
	 * when it is long, which is fine) */
	scroll_end(view);
}

bool
session_view_select(struct session_view *view, int step)
{
	size_t count = transcript_count(view->transcript), i = view->selected;
	const struct transcript_entry *e;

	if (count == 0)
		return false;
	if (i == TRANSCRIPT_NO_REPLY)
		i = count;
	if (step < 0) {
		while (i > 0) {
			i--;
			e = transcript_entry(view->transcript, i);
			if (e->kind == TRANSCRIPT_RECEIVED && e->reply != TRANSCRIPT_NO_REPLY) {
				const struct transcript_reply *r =
				    transcript_reply(view->transcript, e->reply);
				if (r != NULL)
					i = r->first_entry;
			}
			if (session_view_explainable(view->transcript, i)) {
				view->selected = i;
				view->select_follow = false;
				if (view->replay)
					replay_limit(view);
				else
					reveal(view, i);
				return true;
			}
		}
		return false;
	}
	while (i + 1 < count) {
		i++;
		if (session_view_explainable(view->transcript, i)) {
			view->selected = i;
			view->select_follow = false;
			/* the newest one: follow new replies again */
			{
				size_t j;
				bool later = false;
				for (j = i + 1; j < count && !later; j++)
					later = session_view_explainable(view->transcript, j);
				if (!later && !view->replay)
					view->select_follow = true;
			}
			if (view->replay)
				replay_limit(view);
			else
				reveal(view, i);
			return true;
		}
	}
	if (view->replay && view->limit < count) {
		/* past the last reply: the rest of the session */
		view->limit = count;
		view->follow = true;
		return true;
	}
	return false;
}

/* ---- keys ---- */

static int
page_rows(const struct session_view *view)
{
	return view->height > 2 ? view->height - 1 : 1;
}

static bool
key_page_up(struct tui *tui, int key)
{
	(void)key;
	session_view_scroll(tui->session, -page_rows(tui->session));
	return true;
}

static bool
key_page_down(struct tui *tui, int key)
{
	(void)key;
	session_view_scroll(tui->session, page_rows(tui->session));
	return true;
}

/* Home and End are the line's while it holds text; Ctrl-Home and Ctrl-End always the pane's. */
static bool
key_top(struct tui *tui, int key)
{
	if (key == KEY_HOME && !prompt_empty())
		return false;
	scroll_home(tui->session);
	return true;
}

static bool
key_bottom(struct tui *tui, int key)
{
	if (key == KEY_END && !prompt_empty())
		return false;
	scroll_end(tui->session);
	return true;
}

/* Selecting another reply also ends a local result in the explanation pane. */
static bool
key_select(struct tui *tui, int key)
{
	session_view_select(tui->session, key == TUI_KEY_ALT_UP || key == KEY_F(5) ? -1 : +1);
	if (explain_view_holds_local(tui->explain))
		explain_view_follow(tui->explain, false);
	return true;
}

static const struct tui_key_help help_scroll = { "ui-keys-scroll",
	"PgUp/PgDn: scroll the session; Home/End (empty prompt) or Ctrl-Home/Ctrl-End: "
	"top/bottom; mouse wheel scrolls the pane under the pointer" };
static const struct tui_key_help help_select = { "ui-keys-select",
	"Alt-Up/Alt-Down or F5/F6: select an older/newer reply to explain" };

const struct tui_binding session_view_keys[] = {
	{ KEY_PPAGE, true, "PgUp", key_page_up, &help_scroll },
	{ KEY_NPAGE, true, "PgDn", key_page_down, &help_scroll },
	{ KEY_HOME, true, "Home", key_top, &help_scroll },
	{ KEY_END, true, "End", key_bottom, &help_scroll },
	{ TUI_KEY_CTRL_HOME, true, "Ctrl-Home", key_top, &help_scroll },
	{ TUI_KEY_CTRL_END, true, "Ctrl-End", key_bottom, &help_scroll },
	{ TUI_KEY_ALT_UP, true, "Alt-Up", key_select, &help_select },
	{ TUI_KEY_ALT_DOWN, true, "Alt-Down", key_select, &help_select },
	{ KEY_F(5), true, "F5", key_select, &help_select },
	{ KEY_F(6), true, "F6", key_select, &help_select },
	{ 0, false, NULL, NULL, NULL },
};

static void
draw_row(struct session_view *view, WINDOW *body, int y, size_t row, size_t from, size_t to)
{
	wmove(body, y, 0);
	if (row > 0 && view->width >= SESSION_INDENT_MIN_WIDTH)
		wmove(body, y, (int)view->prefix_cells);
	tui_cells_draw(body, &view->scratch, from, to, view->colour);
}

void
session_view_draw(struct session_view *view, WINDOW *title, WINDOW *body, bool colour,
    const struct kb *kb)
{
	size_t count = shown_count(view);
	size_t r, i;
	int y = 0, height, width;
	char head[256];

	getmaxyx(body, height, width);
	if (width != view->width || height != view->height) {
		/* the anchor entry stays; its row may no longer exist */
		view->width = width;
		view->height = height;
		view->top_row = 0;
	}
	view->colour = colour;
	view->kb = kb;
	werase(body);
	if (!view->follow && !anchor_reaches_end(view)) {
		/* draw from the anchor */
	} else {
		view->follow = true;
		view->new_below = 0;
		anchor_from_bottom(view);
	}
	view->first_shown = view->top_entry;
	view->last_shown = view->top_entry;
	for (i = view->top_entry; i < count && y < height; i++) {
		size_t pos = 0, end, skip = i == view->top_entry ? view->top_row : 0;

		/* the rows of one entry, laid out as they are drawn (an entry may have any number) */
		entry_cells(view, i);
		r = 0;
		do {
			end = view->scratch.n == 0 ? 0 :
			    tui_cells_row_end(&view->scratch, pos, row_width(view, r));
			if (r >= skip)
				draw_row(view, body, y++, r, pos, end);
			pos = end;
			r++;
		} while (pos < view->scratch.n && y < height);
		if (pos >= view->scratch.n)
			view->last_shown = i;
	}
	view->drawn = true;
	wnoutrefresh(body);

	/* the title row: what the pane is and whether there is more below */
	werase(title);
	wbkgdset(title, ' ' | (colour ? COLOR_PAIR(TUI_PAIR_TITLE) : 0) | A_REVERSE);
	werase(title);
	wattrset(title, (colour ? COLOR_PAIR(TUI_PAIR_TITLE) : 0) | A_REVERSE | A_BOLD);
	mvwaddstr(title, 0, 1, tui_label(kb, "ui-pane-session", "Session"));
	if (!view->follow) {
		if (view->new_below > 0)
			snprintf(head, sizeof head, "%s (%zu) ", tui_label(kb, "ui-more-below",
			    "more below: End"), view->new_below);
		else
			snprintf(head, sizeof head, "%s ", tui_label(kb, "ui-more-below",
			    "more below: End"));
		if ((int)strlen(head) < getmaxx(title) - 10)
			mvwaddstr(title, 0, getmaxx(title) - (int)tui_text_width(head), head);
	}
	wnoutrefresh(title);
}
