/* tui.h: the screen's insides shared by its panels: the screen state, the display-safe text
 * cells every panel draws with, and each panel's entry points. Only src/tui includes this. */
#ifndef SMTPSCOPE_TUI_H
#define SMTPSCOPE_TUI_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "core/conn/engine.h"
#include "core/knowledge/explain.h"
#include "core/knowledge/kb.h"
#include "core/record/transcript.h"
#include "client/frontend.h"
#include "client/practice.h"

/* Colour pairs (0 is the terminal's default). */
enum tui_pair {
	TUI_PAIR_DEFAULT = 0,
	TUI_PAIR_SENT,
	TUI_PAIR_2XX,
	TUI_PAIR_3XX,
	TUI_PAIR_4XX,
	TUI_PAIR_5XX,
	TUI_PAIR_EVENT,
	TUI_PAIR_WARNING,
	TUI_PAIR_ERROR,
	TUI_PAIR_INFO,
	TUI_PAIR_TITLE,
	TUI_PAIR_STATUS,
	TUI_PAIR_HEADING,
	TUI_PAIR_COUNT
};

/* Keys the screen decodes itself (beyond what curses names). */
enum tui_key {
	TUI_KEY_ALT_UP = KEY_MAX + 1,
	TUI_KEY_ALT_DOWN,
	TUI_KEY_CTRL_HOME,
	TUI_KEY_CTRL_END,
	TUI_KEY_SHIFT_PGUP,
	TUI_KEY_SHIFT_PGDN,
	TUI_KEY_SHIFT_UP,
	TUI_KEY_SHIFT_DOWN,
	TUI_KEY_ALT_PGUP,
	TUI_KEY_ALT_PGDN,
};

/* Keys, panel by panel: each panel has a const table of its keys, which the screen both
 * dispatches from and lists in the F1 help (one line per help entry, in table order). */
struct tui;
struct tui_key_help {
	const char *label;      /* the help line's text in help/<lang>/screen.txt */
	const char *fallback;   /* the line when the knowledge base has none */
};
struct tui_binding {
	int key;                /* a curses key code, or a character when !code */
	bool code;
	const char *name;       /* the key as the help line writes it */
	bool (*run)(struct tui *tui, int key);   /* true when it used the key; NULL: the prompt's */
	const struct tui_key_help *help;         /* its help line, or NULL: not listed */
};

/* One character cell ready to draw: a printable wide character (escapes already expanded into
 * plain ASCII cells), its width in columns, and how to draw it. */
struct tui_cell {
	wchar_t ch;
	unsigned char width;  /* 1 or 2 */
	short pair;
	attr_t attr;
};

struct tui_cells {
	struct tui_cell *cell;
	size_t n;
	size_t cap;
};

void tui_cells_clear(struct tui_cells *cells);
void tui_cells_free(struct tui_cells *cells);
/* Appends bytes from anywhere (the wire, a file, the knowledge base) as cells that are safe to
 * draw: valid printable UTF-8 as itself, everything else as a visible escape (\x1b, ^M, \x00,
 * \u009b) drawn with escape_attr added. */
void tui_cells_add_bytes(struct tui_cells *cells, const char *bytes, size_t len, short pair,
    attr_t attr, attr_t escape_attr);
void tui_cells_add_str(struct tui_cells *cells, const char *s, short pair, attr_t attr);
/* The total width in columns. */
size_t tui_cells_width(const struct tui_cells *cells);
/* Draws cells [from, to) at the window's cursor; stops at the right edge. */
void tui_cells_draw(WINDOW *win, const struct tui_cells *cells, size_t from, size_t to,
    bool colour);
/* Hard wrap: index of the first cell of the next row when a row starting at `from` holds
 * `width` columns. */
size_t tui_cells_row_end(const struct tui_cells *cells, size_t from, int width);
/* Word wrap: as above but breaks after a space when one is in the row. */
size_t tui_cells_word_end(const struct tui_cells *cells, size_t from, int width);
/* The width of a UTF-8 string in columns, as it would be drawn. */
size_t tui_text_width(const char *s);

/* The session pane: the transcript as wrapped rows, scrollback and the reply selection. */
struct session_view;
struct session_view *session_view_new(struct transcript *transcript);
void session_view_free(struct session_view *view);
void session_view_draw(struct session_view *view, WINDOW *title, WINDOW *body, bool colour,
    const struct kb *kb);
/* Called when entries were appended. */
void session_view_appended(struct session_view *view);
/* Its keys: scrolling, and selecting the reply to explain (ends with a NULL name). */
extern const struct tui_binding session_view_keys[];
void session_view_scroll(struct session_view *view, int rows);
/* The selected entry (a reply's first line or an explained event), or TRANSCRIPT_NO_REPLY. */
size_t session_view_selected(const struct session_view *view);
/* True while the selection follows the newest explainable entry. */
bool session_view_follows(const struct session_view *view);
/* Moves the selection: -1 older, +1 newer; true when it changed. */
bool session_view_select(struct session_view *view, int step);
void session_view_select_newest(struct session_view *view);
/* A replay: the pane shows the session up to the selected reply; selection starts at the
 * first reply and moves only when asked. */
void session_view_replay(struct session_view *view);
/* Whether entry i is something the explanation pane can explain. */
bool session_view_explainable(const struct transcript *transcript, size_t i);

/* The explanation pane: what it shows (its source), as labelled sections wrapped to its width,
 * scrolled on its own keys. */
enum explain_source {
	EXPLAIN_SOURCE_WELCOME,    /* nothing selected yet: the welcome and what to type first */
	EXPLAIN_SOURCE_NEWEST,     /* the newest reply or event, with what to type next */
	EXPLAIN_SOURCE_LESSON,     /* a lesson's current step, then the newest reply or event */
	EXPLAIN_SOURCE_SELECTED,   /* an older reply or event the user selected */
	EXPLAIN_SOURCE_LOCAL,      /* a local result (/explain, /compare, /b64, completions) */
	EXPLAIN_SOURCE_HELP,       /* the help page (F1 again goes back to the selection) */
};
enum explain_style {
	EXPLAIN_HEADING,
	EXPLAIN_SUMMARY,
	EXPLAIN_LABEL,
	EXPLAIN_BODY,
	EXPLAIN_WARNING,
	EXPLAIN_NOTE,
	EXPLAIN_CODE,       /* text shown as is (escaped), no word wrap */
};
struct explain_view;
struct explain_view *explain_view_new(void);
void explain_view_free(struct explain_view *view);
void explain_view_clear(struct explain_view *view);
void explain_view_set_title(struct explain_view *view, const char *title);
/* Adds text in a style; '\n' separates lines, "- " lines are bullets. */
void explain_view_add(struct explain_view *view, enum explain_style style, const char *text);
/* Adds an explanation's heading and summary; its sections (but the one named skip); or both. */
void explain_view_add_head(struct explain_view *view, const struct explanation *e);
void explain_view_add_sections(struct explain_view *view, const struct explanation *e,
    const char *skip);
void explain_view_add_explanation(struct explain_view *view, const struct explanation *e,
    const char *skip);
void explain_view_draw(struct explain_view *view, WINDOW *title, WINDOW *body, bool colour);
/* Its keys: scrolling the pane (ends with a NULL name). */
extern const struct tui_binding explain_view_keys[];
/* What it shows. A local result (source LOCAL or HELP; e, when not NULL, passes to the view)
 * holds the pane until explain_view_follow puts the session pane's selection back (from_top:
 * scrolled to the top). A notice (NULL: none) stays above either until replaced. */
void explain_view_show_local(struct explain_view *view, enum explain_source source,
    const char *title, struct explanation *e, const char *text);
void explain_view_follow(struct explain_view *view, bool from_top);
void explain_view_set_notice(struct explain_view *view, const char *text);
bool explain_view_has_notice(const struct explain_view *view);
/* The lines must be built again before the next draw (something they show changed). */
void explain_view_invalidate(struct explain_view *view);
/* True when the next draw would build the lines again (invalidated, or the transcript grew). */
bool explain_view_stale(const struct explain_view *view, const struct transcript *transcript);
/* Builds the lines again when stale or when the session pane's selection moved. */
void explain_view_update(struct explain_view *view, const struct tui *tui);
/* What the lines were last built from (LOCAL or HELP while a local result holds the pane);
 * whether a local result holds it. */
enum explain_source explain_view_source(const struct explain_view *view);
bool explain_view_holds_local(const struct explain_view *view);
void explain_view_scroll(struct explain_view *view, int rows);
void explain_view_top(struct explain_view *view);

/* The prompt: readline through its callback interface, drawn in a curses window. */
struct lesson_set;
struct lesson_progress;
enum prompt_mini {
	PROMPT_MINI_NONE,
	PROMPT_MINI_SECRET,   /* a password: never echoed, never in history */
	PROMPT_MINI_SAVE,     /* quitting: save the transcript? y/n/c */
	PROMPT_MINI_PATH,     /* the file to save it to */
};
void prompt_init(struct tui *tui);
void prompt_end(struct tui *tui);
/* Gives readline (or the mini prompt) one key read by curses. */
void prompt_key(struct tui *tui, wint_t ch, bool is_key_code);
void prompt_draw(struct tui *tui);
bool prompt_empty(void);
/* Adds a line to the history and its file; the caller has made sure it holds no secret. */
void prompt_history_add(struct tui *tui, const char *line);
/* Puts text into the line being edited (replacing it). */
void prompt_set_line(const char *text);
void prompt_mini_start(struct tui *tui, enum prompt_mini mode, const char *label,
    const char *initial);

/* The whole screen. */
struct tui {
	struct frontend *fe;
	struct engine *engine;      /* NULL in a replay */
	struct transcript *transcript;
	const char *replay_name;    /* the file replayed, or NULL when live */
	const struct kb *kb;
	bool colour;
	bool quit;
	int exit_status;

	/* layout */
	int rows, cols;
	bool side_by_side;
	bool layout_forced;     /* the user chose side/stacked with the toggle key */
	bool forced_when_wide;  /* ... while the terminal was wide */
	int split_side;         /* percent of the width for the session pane */
	int split_stacked;      /* percent of the body height for the session pane */
	bool zoom;              /* the explanation pane takes the whole body */
	WINDOW *w_status, *w_stitle, *w_session, *w_etitle, *w_explain, *w_prompt, *w_sep;

	struct session_view *session;
	struct explain_view *explain;

	char *pending_line;     /* a line the engine warned about: Enter again or Ctrl-Y sends */

	/* prompt */
	enum prompt_mini mini;
	char *mini_label;
	char mini_buf[1024];
	size_t mini_len;
	char *save_path;        /* where the user saved the transcript when quitting */

	/* guided lessons (/lesson): loaded when first asked for */
	struct lesson_set *lessons;
	struct lesson_progress *progress;

	bool dirty;
	char *history_path;
};

/* The session's status from the engine; in a replay, the state of the selected reply. */
void tui_status(const struct tui *tui, struct engine_status *st);

/* Screen texts come from the knowledge base (help/<lang>/screen.txt), with these English
 * defaults when the files are missing. */
const char *tui_label(const struct kb *kb, const char *name, const char *fallback);

/* tui.c: a notice (warning or error) on top of the explanation pane, and a local result that
 * holds it (e, when not NULL, passes to the pane); see explain_view_show_local. */
void tui_set_notice(struct tui *tui, const char *text);
void tui_set_local(struct tui *tui, const char *title, struct explanation *e, const char *text);
/* The F1 list of keys, one line per help entry of every panel's table (caller frees). */
char *tui_keys_help(const struct tui *tui);

/* layout.c: the panes' windows for the terminal's size (side by side from TUI_WIDE_COLUMNS
 * on), again after a resize; freed. */
#define TUI_WIDE_COLUMNS 140
void tui_layout(struct tui *tui);
void tui_resize(struct tui *tui);
void tui_windows_free(struct tui *tui);

/* keys.c: the modified keys curses does not name; a key routed to the panel whose table has
 * it (false: it is the prompt's). */
void tui_keys_init(void);
bool tui_screen_key(struct tui *tui, wint_t key, bool is_code);

/* status_bar.c */
void status_bar_draw(struct tui *tui);

/* commands.c: the local commands the screen carries out; the help page; a lesson's progress
 * after each loop turn; a line typed during a replay. */
void tui_command(struct tui *tui, const struct command *command);
void tui_show_help(struct tui *tui);
/* Problems the knowledge base had loading its files, as a notice (nothing when none). */
void tui_show_kb_diagnostics(struct tui *tui);
void tui_lesson_follow(struct tui *tui);
void tui_replay_line(struct tui *tui, const char *line);

/* tui.c: the line the user entered at the prompt (readline's callback). */
void tui_submit_line(struct tui *tui, char *line);
/* Sends the line the engine warned about (Ctrl-Y). */
void tui_send_anyway(struct tui *tui);
void tui_secret_entered(struct tui *tui, char *secret);
void tui_request_quit(struct tui *tui);
void tui_save_answer(struct tui *tui, int answer);
void tui_save_path(struct tui *tui, const char *path);
void tui_show_matches(struct tui *tui, char **matches, int count);

#endif
