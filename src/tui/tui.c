/* tui.c: the screen. Sets up curses, the panels (session, explanation, status bar, prompt)
 * and a self-pipe for signals, runs the one poll() loop over the engine's sockets, the keyboard
 * and that pipe, and routes events: each key to the panel whose table has it (keys.c), each
 * entered line to the engine, each result to the explanation pane (which decides what it
 * shows), a resize to the layout (layout.c). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/conn/command.h"
#include "core/proto/session.h"
#include "core/record/export.h"
#include "core/teach/lesson.h"
#include "core/util/clock.h"
#include "core/util/xmalloc.h"
#include "tui/replay.h"
#include "tui/screen.h"
#include "tui/tui.h"

#define TUI_MAX_POLLFDS 16

/* The signal handlers' only link to the loop: they write the signal number here. */
static int signal_pipe[2] = { -1, -1 };

static void
on_signal(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;

	if (signal_pipe[1] >= 0)
		(void)!write(signal_pipe[1], &b, 1);
	errno = saved;
}

void
tui_status(const struct tui *tui, struct engine_status *st)
{
	const struct transcript_reply *r = NULL;
	const struct transcript_entry *e;
	size_t sel;

	if (tui->engine != NULL) {
		engine_status(tui->engine, st);
		return;
	}
	/* a replay: the state the selected reply arrived in */
	memset(st, 0, sizeof *st);
	st->last_latency_us = -1;
	st->state = "replay";
	sel = tui->session != NULL ? session_view_selected(tui->session) : TRANSCRIPT_NO_REPLY;
	e = sel != TRANSCRIPT_NO_REPLY ? transcript_entry(tui->transcript, sel) : NULL;
	if (e != NULL && e->kind == TRANSCRIPT_RECEIVED && e->reply != TRANSCRIPT_NO_REPLY)
		r = transcript_reply(tui->transcript, e->reply);
	if (r != NULL) {
		/* saved as a key, or in words by older versions */
		st->state_key = r->state != NULL ? session_state_key_parse(r->state) : NULL;
		if (st->state_key != NULL)
			st->state = session_state_key_name(st->state_key);
		else if (r->state != NULL)
			st->state = r->state;
		st->last_latency_us = r->latency_us;
	}
}

const char *
tui_label(const struct kb *kb, const char *name, const char *fallback)
{
	const char *s;

	if (kb == NULL)
		return fallback;
	s = kb_label(kb, name);
	/* kb_label answers with the name itself when no file has it */
	if (s == NULL || strcmp(s, name) == 0)
		return fallback;
	return s;
}

static const char *
L(struct tui *tui, const char *name, const char *fallback)
{
	return tui_label(tui->kb, name, fallback);
}

/* ---- colours ---- */

static void
colours_init(struct tui *tui)
{
	const char *no_color = getenv("NO_COLOR");

	tui->colour = has_colors() && !tui->fe->no_color &&
	    (no_color == NULL || no_color[0] == '\0');
	if (!tui->colour)
		return;
	start_color();
	use_default_colors();
	/* foregrounds that read on dark and on light backgrounds; warnings and errors carry
	 * their own background so they read on any */
	init_pair(TUI_PAIR_SENT, -1, -1);
	init_pair(TUI_PAIR_2XX, COLOR_GREEN, -1);
	init_pair(TUI_PAIR_3XX, COLOR_BLUE, -1);
	init_pair(TUI_PAIR_4XX, COLOR_MAGENTA, -1);
	init_pair(TUI_PAIR_5XX, COLOR_RED, -1);
	init_pair(TUI_PAIR_EVENT, COLOR_CYAN, -1);
	init_pair(TUI_PAIR_WARNING, COLOR_BLACK, COLOR_YELLOW);
	init_pair(TUI_PAIR_ERROR, COLOR_WHITE, COLOR_RED);
	init_pair(TUI_PAIR_INFO, -1, -1);
	init_pair(TUI_PAIR_TITLE, -1, -1);
	init_pair(TUI_PAIR_STATUS, -1, -1);
	init_pair(TUI_PAIR_HEADING, -1, -1);
}

/* ---- what the explanation pane shows ---- */

void
tui_set_notice(struct tui *tui, const char *text)
{
	explain_view_set_notice(tui->explain, text);
	tui->dirty = true;
}

/* Local output (/explain, /compare, /b64, completions) takes the pane until the selection is
 * moved by hand or a new line is entered. */
void
tui_set_local(struct tui *tui, const char *title, struct explanation *e, const char *text)
{
	explain_view_show_local(tui->explain, EXPLAIN_SOURCE_LOCAL, title, e, text);
	tui->dirty = true;
}

/* ---- drawing ---- */

static void
render(struct tui *tui)
{
	int y;

	if (tui->w_status == NULL) {
		/* too small for anything but a word and the prompt */
		erase();
		mvaddnstr(0, 0, L(tui, "ui-too-small", "Terminal too small"), tui->cols);
		wnoutrefresh(stdscr);
		prompt_draw(tui);
		doupdate();
		return;
	}
	explain_view_update(tui->explain, tui);
	status_bar_draw(tui);
	if (tui->w_session != NULL)
		session_view_draw(tui->session, tui->w_stitle, tui->w_session, tui->colour,
		    tui->kb);
	if (tui->w_sep != NULL) {
		werase(tui->w_sep);
		for (y = 0; y < getmaxy(tui->w_sep); y++)
			mvwaddch(tui->w_sep, y, 0, ACS_VLINE);
		wnoutrefresh(tui->w_sep);
	}
	explain_view_draw(tui->explain, tui->w_etitle, tui->w_explain, tui->colour);
	prompt_draw(tui);   /* last: the cursor stays in the prompt */
	doupdate();
	tui->dirty = false;
}

/* ---- lines, secrets, quitting ---- */

/* Lines that must never reach the history file: answers to a 334 challenge, AUTH with an
 * initial response, local commands that carry a password or encode one, message text. */
static bool
line_is_private(struct tui *tui, const char *line)
{
	struct engine_status st;

	tui_status(tui, &st);
	if (st.in_data)
		return true;
	if (session_line_is_secret(tui->engine != NULL ? engine_session(tui->engine) : NULL,
	    line, strlen(line), NULL))
		return true;
	/* the command table knows which commands carry secrets */
	return command_line_is_private(line);
}

static void
submit(struct tui *tui, const char *line, unsigned flags)
{
	struct engine_answer ans = { 0 };
	enum engine_result res;
	char *msg;

	if (tui->engine == NULL) {
		tui_replay_line(tui, line);
		return;
	}
	res = engine_submit(tui->engine, line, flags, &ans);
	switch (res) {
	case ENGINE_DONE:
		/* a result for the user's eyes only (/b64): the pane shows it, nothing keeps it */
		if (ans.text != NULL)
			tui_set_local(tui, line, NULL, ans.text);
		break;
	case ENGINE_WARNING:
		free(tui->pending_line);
		tui->pending_line = xstrdup(line);
		msg = xasprintf("%s\n\n%s", ans.text != NULL ? ans.text : "",
		    L(tui, "ui-warning-anyway",
		    "Not sent. Press Enter again (or Ctrl-Y) to send it anyway, or edit the line."));
		tui_set_notice(tui, msg);
		free(msg);
		prompt_set_line(line);
		break;
	case ENGINE_NEED_SECRET:
		prompt_mini_start(tui, PROMPT_MINI_SECRET, ans.text != NULL ? ans.text :
		    L(tui, "ui-password", "Password (not shown):"), NULL);
		break;
	case ENGINE_FRONTEND:
		tui_command(tui, &ans.command);
		break;
	case ENGINE_ERROR:
		tui_set_notice(tui, ans.text != NULL ? ans.text : "error");
		break;
	}
	engine_answer_clear(&ans);
	tui->dirty = true;
}

void
tui_submit_line(struct tui *tui, char *line)
{
	bool local = explain_view_holds_local(tui->explain);
	unsigned flags = 0;
	struct engine_status st;

	tui_status(tui, &st);
	if (tui->engine == NULL) {
		tui_replay_line(tui, line);
		tui->dirty = true;
		return;
	}
	if (line[0] == '\0' && !st.in_data && tui->pending_line == NULL)
		return;
	if (tui->pending_line != NULL) {
		if (strcmp(line, tui->pending_line) == 0)
			flags = ENGINE_FORCE;
		free(tui->pending_line);
		tui->pending_line = NULL;
	}
	if (explain_view_has_notice(tui->explain))
		tui_set_notice(tui, NULL);
	if (flags == 0 && !line_is_private(tui, line))
		prompt_history_add(tui, line);
	/* a new command: the pane goes back to following the newest reply (a local command
	 * typed over a local result leaves the selection where it is) */
	if (!local || line[0] != '/')
		session_view_select_newest(tui->session);
	if (local)
		explain_view_follow(tui->explain, false);
	submit(tui, line, flags);
}

void
tui_send_anyway(struct tui *tui)
{
	char *line = tui->pending_line;

	tui->pending_line = NULL;
	tui_set_notice(tui, NULL);
	prompt_set_line("");
	submit(tui, line, ENGINE_FORCE);
	free(line);
}

void
tui_secret_entered(struct tui *tui, char *secret)
{
	if (secret == NULL) {
		if (tui->engine != NULL)
			engine_cancel_secret(tui->engine);
		tui_set_notice(tui, L(tui, "ui-secret-cancelled", "Cancelled: no password was sent."));
	} else if (tui->engine != NULL)
		engine_provide_secret(tui->engine, secret);
	tui->dirty = true;
}

void
tui_request_quit(struct tui *tui)
{
	struct engine_status st;

	tui_status(tui, &st);
	if (!st.connected || tui->fe->transcript_path != NULL) {
		/* nothing to lose: closed, or --transcript saves it anyway */
		tui->quit = true;
		return;
	}
	prompt_mini_start(tui, PROMPT_MINI_SAVE, L(tui, "ui-quit-save",
	    "The session is open. Save the transcript before quitting? (y)es (n)o (c)ancel"),
	    NULL);
}

void
tui_save_answer(struct tui *tui, int answer)
{
	char name[64];
	time_t now = time(NULL);
	struct tm tm;

	tui->mini = PROMPT_MINI_NONE;
	tui->dirty = true;
	if (answer == 'n') {
		tui->quit = true;
		return;
	}
	if (answer != 'y')
		return;
	localtime_r(&now, &tm);
	strftime(name, sizeof name, "smtpscope-%Y%m%d-%H%M%S.txt", &tm);
	prompt_mini_start(tui, PROMPT_MINI_PATH, L(tui, "ui-save-path",
	    "Save the transcript to (Enter saves, Esc cancels):"), name);
}

void
tui_save_path(struct tui *tui, const char *path)
{
	char *err = NULL, *msg;

	if (path == NULL || path[0] == '\0')
		return;
	if (export_save(tui->transcript, tui->kb, path, &err) != 0) {
		msg = xasprintf("%s: %s", L(tui, "ui-save-failed", "Could not save the transcript"),
		    err != NULL ? err : path);
		tui_set_notice(tui, msg);
		free(msg);
		free(err);
		return;
	}
	/* saved (so the path works); saved again after QUIT so the end is in it too */
	free(tui->save_path);
	tui->save_path = xstrdup(path);
	tui->quit = true;
}

void
tui_show_matches(struct tui *tui, char **matches, int count)
{
	size_t len = 1;
	char *text, *p;
	int i;

	for (i = 0; i < count; i++)
		len += strlen(matches[i]) + 3;
	text = p = xmalloc(len);
	*p = '\0';
	for (i = 0; i < count; i++)
		p += sprintf(p, "- %s\n", matches[i]);
	tui_set_local(tui, L(tui, "ui-pane-completions", "Completions"), NULL, text);
	free(text);
}

/* Reads every key waiting; the first one's name goes to `first` (for the benchmark hook) when
 * `first` is not NULL and still empty. */
static void
read_keys(struct tui *tui, char *first, size_t size)
{
	wint_t ch;
	int r;

	while ((r = wget_wch(tui->w_prompt, &ch)) != ERR) {
		bool is_code = r == KEY_CODE_YES;

		if (first != NULL && first[0] == '\0') {
			const char *name = is_code ? keyname((int)ch) : key_name((wchar_t)ch);
			char *p;

			snprintf(first, size, "%s", name != NULL && name[0] != '\0' ? name : "key");
			for (p = first; *p != '\0'; p++)
				if ((unsigned char)*p <= ' ')
					*p = '_';   /* one field: the space bar's name is " " */
		}
		tui->dirty = true;
		if (tui->mini == PROMPT_MINI_NONE && tui_screen_key(tui, ch, is_code))
			continue;
		if (tui->mini != PROMPT_MINI_NONE && is_code && ch == KEY_RESIZE) {
			tui_layout(tui);
			continue;
		}
		prompt_key(tui, ch, is_code);
		if (tui->quit)
			break;
	}
}

/* ---- engine events ---- */

static void
on_entry(void *ctx, size_t entry)
{
	struct tui *tui = ctx;

	(void)entry;
	session_view_appended(tui->session);
	tui->dirty = true;
}

/* Handles the signals that arrived; answers 2 when one was SIGWINCH, 1 for others only, else 0. */
static int
drain_signals(struct tui *tui)
{
	unsigned char buf[64];
	ssize_t n, i;
	int seen = 0;

	while ((n = read(signal_pipe[0], buf, sizeof buf)) > 0) {
		for (i = 0; i < n; i++) {
			switch (buf[i]) {
			case SIGWINCH:
				tui_resize(tui);
				seen = 2;
				break;
			case SIGTERM:
			case SIGHUP:
			case SIGINT:
				tui->quit = true;
				tui->exit_status = 1;
				break;
			default:
				tui->dirty = true;   /* SIGCHLD: the practice server may have gone */
				break;
			}
			if (seen == 0)
				seen = 1;
		}
	}
	return seen;
}

static int
signals_init(struct sigaction *old)
{
	static const int sigs[] = { SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGCHLD };
	struct sigaction sa;
	size_t i;

	if (pipe(signal_pipe) != 0)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(signal_pipe[i], F_SETFL, fcntl(signal_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		if (sigs[i] == SIGCHLD)
			sa.sa_flags |= SA_NOCLDSTOP;
		sigaction(sigs[i], &sa, &old[i]);
	}
	return 0;
}

static void
signals_end(struct sigaction *old)
{
	static const int sigs[] = { SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGCHLD };
	size_t i;

	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &old[i], NULL);
	close(signal_pipe[0]);
	close(signal_pipe[1]);
	signal_pipe[0] = signal_pipe[1] = -1;
}

/* ---- the loop ---- */

/* A hidden benchmark hook, SMTPSCOPE_SCREEN_STATS=FILE: tests/bench/bench.py drives the screen
 * through tmux, whose round trip hides what a page scroll or a burst of lines costs the screen
 * itself. With the variable set, every turn of the loop that did anything appends a line
 * "WHAT MICROSECONDS ENTRIES": what woke it (keyname() of the first key read, "net", "resize",
 * "signal"), the CLOCK_MONOTONIC time from poll() returning to the end of doupdate(), and the
 * transcript's entry count after the turn. Unset, nothing is opened or measured. */
struct turn_stats {
	FILE *f;                /* NULL: the hook is off */
	int64_t woke_us;        /* when poll() returned */
	char what[32];          /* empty: no turn waiting to be written */
};

static void
turn_stats_open(struct turn_stats *s, const char *path)
{
	memset(s, 0, sizeof *s);
	if (path == NULL || path[0] == '\0')
		return;
	s->f = fopen(path, "a");   /* errors ignored: a benchmark aid must not stop the screen */
	if (s->f == NULL)
		return;
	setvbuf(s->f, NULL, _IOLBF, 0);
	fcntl(fileno(s->f), F_SETFD, FD_CLOEXEC);   /* not into the practice server */
}

static void
turn_stats_write(struct turn_stats *s, struct transcript *t)
{
	if (s->f == NULL || s->what[0] == '\0')
		return;
	fprintf(s->f, "%s %lld %zu\n", s->what, (long long)(clock_mono_us() - s->woke_us),
	    transcript_count(t));
	s->what[0] = '\0';
}

/* Leaving an open session politely: QUIT, and a moment for the 221 and the close. */
static void
farewell(struct tui *tui)
{
	struct engine_answer ans = { 0 };
	struct engine_status st;
	struct pollfd fds[TUI_MAX_POLLFDS];
	int64_t deadline;
	size_t n;
	int timeout;

	if (tui->engine == NULL)
		return;
	tui_status(tui, &st);
	if (!st.connected || st.in_data)
		return;
	engine_submit(tui->engine, "QUIT", ENGINE_FORCE, &ans);
	engine_answer_clear(&ans);
	deadline = clock_mono_ms() + 1500;
	for (;;) {
		tui_status(tui, &st);
		if (!st.connected || clock_mono_ms() >= deadline)
			break;
		n = engine_pollfds(tui->engine, fds, TUI_MAX_POLLFDS);
		timeout = engine_timeout_ms(tui->engine);
		if (timeout < 0 || timeout > deadline - clock_mono_ms())
			timeout = (int)(deadline - clock_mono_ms());
		if (poll(fds, n, timeout) < 0 && errno != EINTR)
			break;
		engine_handle(tui->engine, fds, n);
	}
}

/* Whether the environment asks for UTF-8 (the first of LC_ALL, LC_CTYPE, LANG that is set). */
static bool
utf8_asked(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	const char *v;
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		v = getenv(vars[i]);
		if (v != NULL && v[0] != '\0')
			return strcasestr(v, "utf-8") != NULL || strcasestr(v, "utf8") != NULL;
	}
	return false;
}

/* Curses on the terminal, or NULL after saying why not (signals restored). */
static SCREEN *
terminal_open(struct sigaction *old)
{
	SCREEN *screen;

	setlocale(LC_ALL, "");
	if (MB_CUR_MAX == 1 && utf8_asked())
		/* LANG=id_ID.UTF-8 on a machine without that locale: keep UTF-8 at least */
		setlocale(LC_CTYPE, "C.UTF-8");
	if (signals_init(old) != 0) {
		fprintf(stderr, "smtpscope: cannot set up signals: %s\n", strerror(errno));
		return NULL;
	}
	/* newterm, not initscr: initscr would exit the process on a terminal it cannot drive */
	screen = newterm(NULL, stdout, stdin);
	if (screen != NULL) {
		char *cup = tigetstr("cup");

		set_term(screen);
		if (cup == NULL || cup == (char *)-1) {
			/* no cursor addressing ("dumb"): no screen to draw on */
			endwin();
			delscreen(screen);
			screen = NULL;
		}
	}
	if (screen == NULL) {
		signals_end(old);
		fprintf(stderr, "smtpscope: cannot drive this terminal (TERM=%s); batch mode works "
		    "anywhere: smtpscope HOST < commands.txt\n", getenv("TERM") != NULL ?
		    getenv("TERM") : "");
		return NULL;
	}
	raw();
	noecho();
	nonl();
	set_escdelay(25);
	return screen;
}

/* The panels, the layout and the prompt, once curses is up. */
static void
screen_setup(struct tui *tui)
{
	colours_init(tui);
	tui_keys_init();
	mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);

	tui->session = session_view_new(tui->transcript);
	tui->explain = explain_view_new();
	if (tui->engine != NULL) {
		/* entries recorded before the screen came up (the connection attempt) */
		if (transcript_count(tui->transcript) > 0)
			session_view_appended(tui->session);
		engine_set_listener(tui->engine, on_entry, tui);
	} else
		session_view_replay(tui->session);
	tui_layout(tui);
	prompt_init(tui);
}

/* One turn: draw what changed, wait for the keyboard, the network, a signal or a timer, and
 * hand each its event. False when poll() failed. */
static bool
screen_turn(struct tui *tui, struct turn_stats *stats)
{
	struct pollfd fds[TUI_MAX_POLLFDS];
	size_t n, i;
	int timeout, ready, sigs = 0;
	bool net = false;

	if (tui->dirty || explain_view_stale(tui->explain, tui->transcript))
		render(tui);
	turn_stats_write(stats, tui->transcript);   /* the turn before ends with its drawing */
	fds[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = signal_pipe[0], .events = POLLIN };
	n = tui->engine != NULL ? engine_pollfds(tui->engine, fds + 2, TUI_MAX_POLLFDS - 2) : 0;
	timeout = tui->engine != NULL ? engine_timeout_ms(tui->engine) : -1;
	ready = poll(fds, n + 2, timeout);
	if (stats->f != NULL)
		stats->woke_us = clock_mono_us();
	if (ready < 0)
		return errno == EINTR;
	for (i = 0; i < n; i++)
		if (fds[2 + i].revents != 0)
			net = true;
	if (tui->engine != NULL)
		engine_handle(tui->engine, fds + 2, n);
	if (fds[1].revents & POLLIN)
		sigs = drain_signals(tui);
	if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
		read_keys(tui, stats->f != NULL ? stats->what : NULL, sizeof stats->what);
	if (fds[0].revents & (POLLHUP | POLLERR))
		tui->quit = true;   /* the terminal went away */
	tui_lesson_follow(tui);
	/* an engine timer that fired (poll() timed out, the screen changed) counts as the
	 * network's doing */
	if (stats->f != NULL && stats->what[0] == '\0' && (sigs != 0 || net ||
	    (ready == 0 && tui->engine != NULL && (tui->dirty ||
	    explain_view_stale(tui->explain, tui->transcript)))))
		snprintf(stats->what, sizeof stats->what, "%s", sigs == 2 ? "resize" :
		    sigs == 1 ? "signal" : "net");
	return true;
}

/* Leaving: QUIT politely, the transcript saved where the user asked, curses and the panels
 * gone, then --transcript (after curses, so its error can be printed). */
static void
screen_teardown(struct tui *tui, SCREEN *screen, struct sigaction *old)
{
	if (tui->engine != NULL)
		engine_set_listener(tui->engine, NULL, NULL);
	if (tui->exit_status == 0)
		farewell(tui);
	if (tui->save_path != NULL) {
		char *err = NULL;

		if (export_save(tui->transcript, tui->kb, tui->save_path, &err) != 0)
			free(err);   /* the copy saved before QUIT stays */
		free(tui->save_path);
	}
	prompt_end(tui);
	tui_windows_free(tui);
	endwin();
	delscreen(screen);
	signals_end(old);
	session_view_free(tui->session);
	explain_view_free(tui->explain);
	lesson_progress_free(tui->progress);
	lesson_set_free(tui->lessons);
	free(tui->pending_line);
	free(tui->mini_label);
	free(tui->history_path);
	if (tui->fe->transcript_path != NULL && tui->engine != NULL) {
		char *err = NULL;

		if (export_save(tui->transcript, tui->kb, tui->fe->transcript_path, &err) != 0) {
			fprintf(stderr, "smtpscope: %s\n", err != NULL ? err : tui->fe->transcript_path);
			free(err);
			if (tui->exit_status == 0)
				tui->exit_status = 1;
		}
	}
}

/* The screen, live (an engine) or replaying a transcript (engine NULL). */
static int
tui_main(struct frontend *fe, struct transcript *replay, const char *replay_name)
{
	struct tui tui;
	SCREEN *screen;
	struct sigaction old[5];
	struct turn_stats stats;

	memset(&tui, 0, sizeof tui);
	tui.fe = fe;
	tui.engine = replay != NULL ? NULL : fe->engine;
	tui.transcript = replay != NULL ? replay : engine_transcript(fe->engine);
	tui.replay_name = replay_name;
	tui.kb = fe->kb;
	tui.split_side = 55;
	tui.split_stacked = 50;
	if ((screen = terminal_open(old)) == NULL)
		return 1;
	screen_setup(&tui);
	tui_show_kb_diagnostics(&tui);
	turn_stats_open(&stats, getenv("SMTPSCOPE_SCREEN_STATS"));
	while (!tui.quit && screen_turn(&tui, &stats))
		;
	/* the quitting turn has no drawing: its time runs to here */
	turn_stats_write(&stats, tui.transcript);
	if (stats.f != NULL)
		fclose(stats.f);
	screen_teardown(&tui, screen, old);
	return tui.exit_status;
}

int
tui_run(struct frontend *fe)
{
	return tui_main(fe, NULL, NULL);
}

int
tui_replay(struct frontend *fe, struct transcript *transcript, const char *name)
{
	return tui_main(fe, transcript, name != NULL ? name : "");
}
