/* keys.c: the screen's keys. The screen's own table (layout, help, redraw, quitting), the
 * prompt's keys as F1 lists them, and the one lookup over every panel's table that both routes
 * a key to its handler and builds the F1 list from the same rows. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

#include "core/util/strbuf.h"
#include "tui/tui.h"

#define TUI_WHEEL_ROWS 3

/* xterm-style modified keys that not every terminfo entry names (tmux's "screen" has none). */
void
tui_keys_init(void)
{
	static const struct { const char *seq; int key; } keys[] = {
		{ "\033[1;3A", TUI_KEY_ALT_UP }, { "\033[1;3B", TUI_KEY_ALT_DOWN },
		{ "\033\033[A", TUI_KEY_ALT_UP }, { "\033\033[B", TUI_KEY_ALT_DOWN },
		{ "\033[1;5H", TUI_KEY_CTRL_HOME }, { "\033[1;5F", TUI_KEY_CTRL_END },
		{ "\033[5;2~", TUI_KEY_SHIFT_PGUP }, { "\033[6;2~", TUI_KEY_SHIFT_PGDN },
		{ "\033[5;3~", TUI_KEY_ALT_PGUP }, { "\033[6;3~", TUI_KEY_ALT_PGDN },
		{ "\033[1;2A", TUI_KEY_SHIFT_UP }, { "\033[1;2B", TUI_KEY_SHIFT_DOWN },
	};
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (key_defined(keys[i].seq) <= 0)
			define_key(keys[i].seq, keys[i].key);
}

static bool
in_window(WINDOW *w, int y, int x)
{
	int by, bx, h, wd;

	if (w == NULL)
		return false;
	getbegyx(w, by, bx);
	getmaxyx(w, h, wd);
	return y >= by - 1 && y < by + h && x >= bx && x < bx + wd;
}

static void
mouse(struct tui *tui)
{
	MEVENT ev;
	int rows;

	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & BUTTON4_PRESSED)
		rows = -TUI_WHEEL_ROWS;
#ifdef BUTTON5_PRESSED
	else if (ev.bstate & BUTTON5_PRESSED)
		rows = TUI_WHEEL_ROWS;
#endif
	else
		return;
	if (in_window(tui->w_explain, ev.y, ev.x))
		explain_view_scroll(tui->explain, rows);
	else if (tui->w_session != NULL)
		session_view_scroll(tui->session, rows);
	tui->dirty = true;
}

static bool
key_redraw(struct tui *tui, int key)
{
	(void)tui;
	(void)key;
	clearok(curscr, TRUE);
	return true;
}

/* Ctrl-Y: send a warned line anyway; without one, the key is readline's (yank). */
static bool
key_send_anyway(struct tui *tui, int key)
{
	(void)key;
	if (tui->pending_line == NULL)
		return false;
	tui_send_anyway(tui);
	return true;
}

/* Ctrl-C: clear the line, drop a pending warning. */
static bool
key_clear_line(struct tui *tui, int key)
{
	(void)key;
	if (tui->pending_line != NULL) {
		free(tui->pending_line);
		tui->pending_line = NULL;
		tui_set_notice(tui, NULL);
	}
	rl_replace_line("", 0);
	rl_point = 0;
	return true;
}

/* Ctrl-Z: curses owns the terminal; suspending is not offered. */
static bool
key_ignore(struct tui *tui, int key)
{
	(void)tui;
	(void)key;
	return true;
}

static bool
key_resize(struct tui *tui, int key)
{
	(void)key;
	/* curses has the new size already */
	tui_layout(tui);
	clearok(curscr, TRUE);
	return true;
}

static bool
key_mouse(struct tui *tui, int key)
{
	(void)key;
	mouse(tui);
	return true;
}

/* F1: the help page; F1 again puts the explanation back. */
static bool
key_help(struct tui *tui, int key)
{
	(void)key;
	if (explain_view_source(tui->explain) == EXPLAIN_SOURCE_HELP)
		explain_view_follow(tui->explain, true);
	else
		tui_show_help(tui);
	return true;
}

static bool
key_layout(struct tui *tui, int key)
{
	(void)key;
	tui->layout_forced = true;
	tui->forced_when_wide = tui->cols >= TUI_WIDE_COLUMNS;
	tui->side_by_side = !tui->side_by_side;
	tui_layout(tui);
	return true;
}

static bool
key_split(struct tui *tui, int key)
{
	int *split = tui->side_by_side ? &tui->split_side : &tui->split_stacked;

	*split += key == KEY_F(3) ? -10 : 10;
	if (*split < 20)
		*split = 20;
	if (*split > 80)
		*split = 80;
	tui_layout(tui);
	return true;
}

static bool
key_zoom(struct tui *tui, int key)
{
	(void)key;
	tui->zoom = !tui->zoom;
	tui_layout(tui);
	return true;
}

static bool
key_quit(struct tui *tui, int key)
{
	(void)key;
	tui_request_quit(tui);
	return true;
}

/* The prompt's keys: readline's, listed here for F1 (a NULL run passes the key on). */
static const struct tui_key_help help_enter = { "ui-keys-enter",
	"Enter: send the line (lines starting with / are local commands)" };
static const struct tui_key_help help_edit = { "ui-keys-edit",
	"Tab: complete; Up/Down: history; Ctrl-R: search history" };

static const struct tui_binding prompt_keys[] = {
	{ '\r', false, "Enter", NULL, &help_enter },
	{ '\t', false, "Tab", NULL, &help_edit },
	{ KEY_UP, true, "Up", NULL, &help_edit },
	{ KEY_DOWN, true, "Down", NULL, &help_edit },
	{ 18, false, "Ctrl-R", NULL, &help_edit },
	{ 0, false, NULL, NULL, NULL },
};

/* The screen's own keys. The mouse wheel shares the session pane's scrolling line. */
static const struct tui_key_help help_scroll_mouse = { "ui-keys-scroll", NULL };
static const struct tui_key_help help_layout = { "ui-keys-layout",
	"F2: side by side or stacked; F3/F4: smaller/larger session pane; F9: this pane full size" };
static const struct tui_key_help help_anyway = { "ui-keys-anyway",
	"Ctrl-Y or Enter again: send a line smtpscope warned about" };
static const struct tui_key_help help_quit = { "ui-keys-quit",
	"Ctrl-L: redraw; Ctrl-C: clear the line; F10, /quit or Ctrl-D on an empty line: quit" };

static const struct tui_binding screen_keys[] = {
	{ KEY_MOUSE, true, "mouse wheel", key_mouse, &help_scroll_mouse },
	{ KEY_F(2), true, "F2", key_layout, &help_layout },
	{ KEY_F(3), true, "F3", key_split, &help_layout },
	{ KEY_F(4), true, "F4", key_split, &help_layout },
	{ KEY_F(9), true, "F9", key_zoom, &help_layout },
	{ 25, false, "Ctrl-Y", key_send_anyway, &help_anyway },
	{ 12, false, "Ctrl-L", key_redraw, &help_quit },
	{ 3, false, "Ctrl-C", key_clear_line, &help_quit },
	{ KEY_F(10), true, "F10", key_quit, &help_quit },
	{ 4, false, "Ctrl-D", NULL, &help_quit },
	/* not listed: F1 opens the list, the others are not the user's */
	{ KEY_F(1), true, "F1", key_help, NULL },
	{ KEY_RESIZE, true, "resize", key_resize, NULL },
	{ 26, false, "Ctrl-Z", key_ignore, NULL },
	{ 0, false, NULL, NULL, NULL },
};

/* Every panel's table, in the order F1 lists them. */
static const struct tui_binding *const key_tables[] = {
	prompt_keys, session_view_keys, explain_view_keys, screen_keys,
};

#define NKEY_TABLES (sizeof key_tables / sizeof key_tables[0])

static const struct tui_binding *
binding_find(int key, bool code)
{
	const struct tui_binding *b;
	size_t t;

	for (t = 0; t < NKEY_TABLES; t++)
		for (b = key_tables[t]; b->name != NULL; b++)
			if (b->key == key && b->code == code)
				return b;
	return NULL;
}

/* Whether an earlier binding (in F1's order) already listed this help line. */
static bool
help_listed_before(const struct tui_binding *until)
{
	const struct tui_binding *b;
	size_t t;

	for (t = 0; t < NKEY_TABLES; t++)
		for (b = key_tables[t]; b->name != NULL; b++) {
			if (b == until)
				return false;
			if (b->help != NULL && strcmp(b->help->label, until->help->label) == 0)
				return true;
		}
	return false;
}

char *
tui_keys_help(const struct tui *tui)
{
	struct strbuf sb = { 0 };
	const struct tui_binding *b;
	const char *note;
	size_t t;

	strbuf_add(&sb, tui_label(tui->kb, "ui-keys-heading", "Keys:"));
	for (t = 0; t < NKEY_TABLES; t++)
		for (b = key_tables[t]; b->name != NULL; b++)
			if (b->help != NULL && !help_listed_before(b)) {
				strbuf_add(&sb, "\n- ");
				strbuf_add(&sb, tui_label(tui->kb, b->help->label,
				    b->help->fallback));
			}
	note = tui_label(tui->kb, "ui-keys-no-colour", NULL);
	if (note != NULL) {
		strbuf_add(&sb, "\n- ");
		strbuf_add(&sb, note);
	}
	return strbuf_take(&sb);
}

bool
tui_screen_key(struct tui *tui, wint_t key, bool is_code)
{
	const struct tui_binding *b = binding_find((int)key, is_code);

	return b != NULL && b->run != NULL && b->run(tui, (int)key);
}
