/* layout.c: where the panes go. Side by side on a wide terminal, stacked on a narrow one, or
 * the explanation pane alone (zoom); the split the user chose; a word and the prompt when the
 * terminal is too small for more; and laying out again when the terminal is resized. */
#include "config.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include "tui/tui.h"

#define TUI_MIN_ROWS 8
#define TUI_MIN_COLS 30

void
tui_windows_free(struct tui *tui)
{
	WINDOW **w[] = { &tui->w_status, &tui->w_stitle, &tui->w_session, &tui->w_etitle,
		&tui->w_explain, &tui->w_prompt, &tui->w_sep };
	size_t i;

	for (i = 0; i < sizeof w / sizeof w[0]; i++) {
		if (*w[i] != NULL)
			delwin(*w[i]);
		*w[i] = NULL;
	}
}

void
tui_layout(struct tui *tui)
{
	int body, top = 1, hs, ws;

	tui_windows_free(tui);
	getmaxyx(stdscr, tui->rows, tui->cols);
	/* a choice made with F2 holds until the terminal crosses the wide/narrow line */
	if (tui->layout_forced && (tui->cols >= TUI_WIDE_COLUMNS) != tui->forced_when_wide)
		tui->layout_forced = false;
	if (!tui->layout_forced)
		tui->side_by_side = tui->cols >= TUI_WIDE_COLUMNS;
	if (tui->rows < TUI_MIN_ROWS || tui->cols < TUI_MIN_COLS) {
		tui->w_prompt = newwin(1, tui->cols > 0 ? tui->cols : 1, tui->rows > 0 ?
		    tui->rows - 1 : 0, 0);
		keypad(tui->w_prompt, TRUE);
		nodelay(tui->w_prompt, TRUE);
		tui->dirty = true;
		return;
	}
	body = tui->rows - 2;
	tui->w_status = newwin(1, tui->cols, 0, 0);
	tui->w_prompt = newwin(1, tui->cols, tui->rows - 1, 0);
	if (tui->zoom) {
		tui->w_etitle = newwin(1, tui->cols, top, 0);
		tui->w_explain = newwin(body - 1, tui->cols, top + 1, 0);
	} else if (tui->side_by_side) {
		ws = tui->cols * tui->split_side / 100;
		if (ws < 20)
			ws = 20;
		if (ws > tui->cols - 21)
			ws = tui->cols - 21;
		tui->w_stitle = newwin(1, ws, top, 0);
		tui->w_session = newwin(body - 1, ws, top + 1, 0);
		tui->w_sep = newwin(body, 1, top, ws);
		tui->w_etitle = newwin(1, tui->cols - ws - 1, top, ws + 1);
		tui->w_explain = newwin(body - 1, tui->cols - ws - 1, top + 1, ws + 1);
	} else {
		hs = body * tui->split_stacked / 100;
		if (hs < 3)
			hs = 3;
		if (hs > body - 3)
			hs = body - 3;
		tui->w_stitle = newwin(1, tui->cols, top, 0);
		tui->w_session = newwin(hs - 1, tui->cols, top + 1, 0);
		tui->w_etitle = newwin(1, tui->cols, top + hs, 0);
		tui->w_explain = newwin(body - hs - 1, tui->cols, top + hs + 1, 0);
	}
	keypad(tui->w_prompt, TRUE);
	nodelay(tui->w_prompt, TRUE);
	tui->dirty = true;
}

/* SIGWINCH: tell curses the new size, then lay out again. Our windows go first: curses cannot
 * shrink the screen under windows that would no longer fit, and would keep asking. */
void
tui_resize(struct tui *tui)
{
	struct winsize ws;

	tui_windows_free(tui);
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
	    is_term_resized(ws.ws_row, ws.ws_col))
		resize_term(ws.ws_row, ws.ws_col);
	tui_layout(tui);
	clearok(curscr, TRUE);
}
