/* prompt.c: the command prompt. GNU readline through its callback interface, fed the keys curses
 * read and drawn by us in the prompt window, so one poll() loop owns the terminal; history in
 * $XDG_STATE_HOME/smtpscope/history (never a secret); completion that knows SMTP; and a small
 * line editor of our own for what readline must never see (passwords) or need not (yes/no). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "core/conn/command.h"
#include "core/util/xmalloc.h"
#include "tui/tui.h"

#define PROMPT_HISTORY_MAX 1000
#define PROMPT_QUEUE_MAX 256

/* Readline's hooks take no context pointer, so the screen they serve is kept here; there is only
 * ever one screen per process. */
static struct tui *prompt_tui;
static unsigned char queue[PROMPT_QUEUE_MAX];
static size_t queue_head, queue_len;
static char *prefill;
static bool in_handler;
static FILE *rl_null;

static int
prompt_getc(FILE *stream)
{
	int c;

	(void)stream;
	if (queue_len == 0)
		return EOF;
	c = queue[queue_head];
	queue_head = (queue_head + 1) % PROMPT_QUEUE_MAX;
	queue_len--;
	return c;
}

static int
prompt_input_available(void)
{
	return queue_len > 0;
}

static void
queue_push(const char *bytes, size_t len)
{
	size_t i;

	for (i = 0; i < len && queue_len < PROMPT_QUEUE_MAX; i++) {
		queue[(queue_head + queue_len) % PROMPT_QUEUE_MAX] = (unsigned char)bytes[i];
		queue_len++;
	}
}

static void
prompt_redisplay(void)
{
	if (prompt_tui != NULL)
		prompt_tui->dirty = true;
}

static void
prompt_prep(int meta)
{
	(void)meta;
}

static void
prompt_deprep(void)
{
}

static int
prompt_pre_input(void)
{
	if (prefill != NULL) {
		rl_insert_text(prefill);
		free(prefill);
		prefill = NULL;
	}
	return 0;
}

static void
prompt_line(char *line)
{
	in_handler = true;
	if (line == NULL)
		tui_request_quit(prompt_tui);
	else
		tui_submit_line(prompt_tui, line);
	free(line);
	in_handler = false;
}

bool
prompt_empty(void)
{
	return rl_line_buffer == NULL || rl_line_buffer[0] == '\0';
}

void
prompt_set_line(const char *text)
{
	if (in_handler) {
		free(prefill);
		prefill = xstrdup(text);
		return;
	}
	rl_replace_line(text, 0);
	rl_point = rl_end;
	prompt_redisplay();
}

/* ---- history ---- */

static int
mkdir_p(char *path)
{
	char *p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static char *
history_file(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *path;

	if (state != NULL && state[0] == '/')
		path = xasprintf("%s/smtpscope/history", state);
	else if (home != NULL && home[0] != '\0')
		path = xasprintf("%s/.local/state/smtpscope/history", home);
	else
		return NULL;
	if (mkdir_p(path) != 0) {
		free(path);
		return NULL;
	}
	return path;
}

void
prompt_history_add(struct tui *tui, const char *line)
{
	int fd;

	if (line[0] == '\0')
		return;
	add_history(line);
	if (tui->history_path == NULL)
		return;
	fd = open(tui->history_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd >= 0)
		close(fd);
	append_history(1, tui->history_path);
}

/* ---- completion ---- */

static const char *const smtp_verbs[] = {
	"EHLO ", "HELO ", "MAIL FROM:<", "RCPT TO:<", "DATA", "BDAT ", "RSET", "NOOP", "QUIT",
	"VRFY ", "EXPN ", "HELP", "STARTTLS", "AUTH ", NULL
};


struct candidates {
	char **item;
	size_t n, cap;
};

static void
cand_add(struct candidates *c, const char *s)
{
	if (c->n + 1 >= c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->item = xreallocarray(c->item, c->cap, sizeof *c->item);
	}
	c->item[c->n++] = xstrdup(s);
	c->item[c->n] = NULL;
}

/* The local commands, from the command table shared with batch mode. */
static void
add_local_commands(struct candidates *c)
{
	const struct command_info *list;
	size_t n = command_list(&list), i;
	char name[64];

	for (i = 0; i < n; i++) {
		if (list[i].flags & COMMAND_SCRIPT)
			continue;   /* not taken on the screen */
		snprintf(name, sizeof name, "/%s", list[i].name);
		cand_add(c, name);
	}
}

static struct candidates completion;
static size_t completion_next;
static bool completion_no_space;

static char *
completion_generator(const char *text, int state)
{
	size_t len = strlen(text);

	if (state == 0)
		completion_next = 0;
	while (completion_next < completion.n) {
		const char *s = completion.item[completion_next++];

		if (strncasecmp(s, text, len) == 0)
			return xstrdup(s);
	}
	return NULL;
}

static void
kb_key_cb(void *ctx, const struct kb_entry *entry)
{
	cand_add(ctx, kb_entry_key(entry));
}

static bool
has_capability(const char *name)
{
	const char *const *caps = NULL;
	size_t n = prompt_tui->engine != NULL ?
	    engine_capabilities(prompt_tui->engine, &caps) : 0, i;

	for (i = 0; i < n; i++)
		if (strcasecmp(caps[i], name) == 0 ||
		    (strncasecmp(caps[i], name, strlen(name)) == 0 && caps[i][strlen(name)] == ' '))
			return true;
	return false;
}

static void
add_mail_parameters(struct candidates *c, bool rcpt)
{
	if (!rcpt) {
		if (has_capability("SIZE"))
			cand_add(c, "SIZE=");
		if (has_capability("8BITMIME"))
			cand_add(c, "BODY=8BITMIME");
		if (has_capability("BINARYMIME"))
			cand_add(c, "BODY=BINARYMIME");
		if (has_capability("SMTPUTF8"))
			cand_add(c, "SMTPUTF8");
		if (has_capability("DSN")) {
			cand_add(c, "RET=FULL");
			cand_add(c, "RET=HDRS");
			cand_add(c, "ENVID=");
		}
		if (has_capability("AUTH"))
			cand_add(c, "AUTH=<>");
		if (has_capability("REQUIRETLS"))
			cand_add(c, "REQUIRETLS");
	} else if (has_capability("DSN")) {
		cand_add(c, "NOTIFY=SUCCESS,FAILURE");
		cand_add(c, "NOTIFY=NEVER");
		cand_add(c, "ORCPT=rfc822;");
	}
}

static void
add_mechanisms(struct candidates *c)
{
	const char *const *mechs = NULL;
	size_t n = prompt_tui->engine != NULL ?
	    engine_auth_mechanisms(prompt_tui->engine, &mechs) : 0, i;

	for (i = 0; i < n; i++)
		cand_add(c, mechs[i]);
}

/* The arguments of a local command, by what the command table says they are; true when they
 * are file names (readline completes those itself). */
static bool
add_arguments(struct candidates *c, const char *name)
{
	const struct command_info *info = command_find(name, strlen(name));

	if (info == NULL)
		return false;
	switch (info->arg) {
	case COMMAND_ARG_MECH:
		add_mechanisms(c);
		break;
	case COMMAND_ARG_SCENARIO:
		if (prompt_tui->kb != NULL)
			kb_each(prompt_tui->kb, "scenario", kb_key_cb, c);
		break;
	case COMMAND_ARG_TOPIC:
		add_local_commands(c);
		if (prompt_tui->kb != NULL) {
			kb_each(prompt_tui->kb, "command", kb_key_cb, c);
			kb_each(prompt_tui->kb, "keyword", kb_key_cb, c);
			kb_each(prompt_tui->kb, "scenario", kb_key_cb, c);
		}
		break;
	case COMMAND_ARG_FILE:
		return true;
	case COMMAND_ARG_NONE:
	case COMMAND_ARG_TEXT:
	case COMMAND_ARG_HOST:
	case COMMAND_ARG_NUMBER:
		break;
	}
	return false;
}

static char **
prompt_complete(const char *text, int start, int end)
{
	const char *line = rl_line_buffer;
	char first[32];
	size_t i, flen;
	bool data = false;
	struct engine_status st;

	(void)end;
	for (i = 0; i < completion.n; i++)
		free(completion.item[i]);
	completion.n = 0;
	completion_no_space = false;
	rl_attempted_completion_over = 1;
	rl_completion_append_character = ' ';

	tui_status(prompt_tui, &st);
	if (st.in_data)
		return NULL;   /* message text: nothing to complete */

	/* the first word of the line */
	for (flen = 0; line[flen] != '\0' && line[flen] != ' ' && flen + 1 < sizeof first; flen++)
		first[flen] = line[flen];
	first[flen] = '\0';

	if (start == 0) {
		for (i = 0; smtp_verbs[i] != NULL; i++)
			cand_add(&completion, smtp_verbs[i]);
		add_local_commands(&completion);
		/* verbs carry their own trailing space or '<' */
		if (text[0] != '/')
			completion_no_space = true;
	} else if (strcasecmp(first, "MAIL") == 0 && start == 5) {
		cand_add(&completion, "FROM:<");
		completion_no_space = true;
	} else if (strcasecmp(first, "RCPT") == 0 && start == 5) {
		cand_add(&completion, "TO:<");
		completion_no_space = true;
	} else if (strcasecmp(first, "MAIL") == 0) {
		add_mail_parameters(&completion, false);
		completion_no_space = true;
	} else if (strcasecmp(first, "RCPT") == 0) {
		add_mail_parameters(&completion, true);
		completion_no_space = true;
	} else if (strcasecmp(first, "AUTH") == 0) {
		add_mechanisms(&completion);
	} else if (strcasecmp(first, "EHLO") == 0 || strcasecmp(first, "HELO") == 0) {
		cand_add(&completion, "localhost");
	} else if (first[0] == '/') {
		data = add_arguments(&completion, first + 1);
	}
	if (data) {
		rl_attempted_completion_over = 0;
		rl_filename_completion_desired = 1;
		return rl_completion_matches(text, rl_filename_completion_function);
	}
	if (completion_no_space)
		rl_completion_append_character = '\0';
	if (completion.n == 0)
		return NULL;
	return rl_completion_matches(text, completion_generator);
}

static void
prompt_display_matches(char **matches, int count, int max_length)
{
	(void)max_length;
	tui_show_matches(prompt_tui, matches + 1, count);
}

/* ---- set-up ---- */

void
prompt_init(struct tui *tui)
{
	prompt_tui = tui;
	rl_readline_name = "smtpscope";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = prompt_prep;
	rl_deprep_term_function = prompt_deprep;
	rl_getc_function = prompt_getc;
	rl_input_available_hook = prompt_input_available;
	rl_redisplay_function = prompt_redisplay;
	rl_pre_input_hook = prompt_pre_input;
	rl_attempted_completion_function = prompt_complete;
	rl_completion_display_matches_hook = prompt_display_matches;
	rl_completer_word_break_characters = (char *)" ";
	rl_variable_bind("completion-ignore-case", "on");
	rl_sort_completion_matches = 1;
	/* readline may still ring the bell or list things: never onto our screen */
	rl_null = fopen("/dev/null", "w");
	rl_outstream = rl_null;
	rl_instream = stdin;

	using_history();
	stifle_history(PROMPT_HISTORY_MAX);
	tui->history_path = history_file();
	if (tui->history_path != NULL)
		read_history(tui->history_path);
	rl_callback_handler_install("", prompt_line);
	/* editing keys typed while curses decoded them arrive as these sequences */
	rl_bind_keyseq("\033[3~", rl_delete);
}

void
prompt_end(struct tui *tui)
{
	rl_callback_handler_remove();
	if (tui->history_path != NULL)
		history_truncate_file(tui->history_path, PROMPT_HISTORY_MAX);
	for (size_t i = 0; i < completion.n; i++)
		free(completion.item[i]);
	free(completion.item);
	completion.item = NULL;
	completion.n = completion.cap = 0;
	free(prefill);
	prefill = NULL;
	if (rl_null != NULL)
		fclose(rl_null);
	rl_null = NULL;
	rl_outstream = NULL;
	prompt_tui = NULL;
}

/* ---- keys ---- */

static void
feed(const char *bytes, size_t len)
{
	queue_push(bytes, len);
	while (queue_len > 0 && prompt_tui != NULL && prompt_tui->mini == PROMPT_MINI_NONE)
		rl_callback_read_char();
	/* a key that opened a mini prompt leaves the rest of its sequence unread: drop it */
	queue_len = 0;
}

static void
mini_key(struct tui *tui, wint_t ch, bool is_key_code)
{
	char buf[MB_LEN_MAX];
	mbstate_t mbs;
	size_t n;

	if (tui->mini == PROMPT_MINI_SAVE) {
		if (is_key_code)
			return;
		switch (ch) {
		case 'y': case 'Y': case '\r': case '\n':
			tui_save_answer(tui, 'y');
			break;
		case 'n': case 'N':
			tui_save_answer(tui, 'n');
			break;
		case 'c': case 'C': case 27: case 3: case 7:
			tui_save_answer(tui, 'c');
			break;
		default:
			break;
		}
		return;
	}
	if (is_key_code) {
		if (ch == KEY_BACKSPACE)
			ch = 127;
		else if (ch == KEY_ENTER)
			ch = '\r';
		else
			return;
	}
	if (ch == '\r' || ch == '\n') {
		char *text = xstrndup(tui->mini_buf, tui->mini_len);
		enum prompt_mini mode = tui->mini;

		explicit_bzero(tui->mini_buf, sizeof tui->mini_buf);
		tui->mini_len = 0;
		tui->mini = PROMPT_MINI_NONE;
		if (mode == PROMPT_MINI_SECRET)
			tui_secret_entered(tui, text);
		else
			tui_save_path(tui, text);
		explicit_bzero(text, strlen(text));
		free(text);
		tui->dirty = true;
		return;
	}
	if (ch == 27 || ch == 3 || ch == 7) {
		enum prompt_mini mode = tui->mini;

		explicit_bzero(tui->mini_buf, sizeof tui->mini_buf);
		tui->mini_len = 0;
		tui->mini = PROMPT_MINI_NONE;
		if (mode == PROMPT_MINI_SECRET)
			tui_secret_entered(tui, NULL);   /* cancelled */
		else
			tui_save_path(tui, NULL);
		tui->dirty = true;
		return;
	}
	if (ch == 127 || ch == 8) {
		/* remove the last UTF-8 character */
		while (tui->mini_len > 0) {
			tui->mini_len--;
			if (((unsigned char)tui->mini_buf[tui->mini_len] & 0xc0) != 0x80)
				break;
		}
		tui->dirty = true;
		return;
	}
	if (ch == 21) {  /* Ctrl-U */
		explicit_bzero(tui->mini_buf, sizeof tui->mini_buf);
		tui->mini_len = 0;
		tui->dirty = true;
		return;
	}
	if (ch < 0x20)
		return;
	memset(&mbs, 0, sizeof mbs);
	n = wcrtomb(buf, (wchar_t)ch, &mbs);
	if (n == (size_t)-1 || tui->mini_len + n >= sizeof tui->mini_buf)
		return;
	memcpy(tui->mini_buf + tui->mini_len, buf, n);
	tui->mini_len += n;
	explicit_bzero(buf, sizeof buf);
	tui->dirty = true;
}

void
prompt_mini_start(struct tui *tui, enum prompt_mini mode, const char *label,
    const char *initial)
{
	free(tui->mini_label);
	tui->mini_label = xstrdup(label);
	tui->mini = mode;
	explicit_bzero(tui->mini_buf, sizeof tui->mini_buf);
	tui->mini_len = 0;
	if (initial != NULL) {
		size_t n = strlen(initial);

		if (n >= sizeof tui->mini_buf)
			n = sizeof tui->mini_buf - 1;
		memcpy(tui->mini_buf, initial, n);
		tui->mini_len = n;
	}
	tui->dirty = true;
}

void
prompt_key(struct tui *tui, wint_t ch, bool is_key_code)
{
	char buf[MB_LEN_MAX];
	mbstate_t mbs;
	size_t n;

	if (tui->mini != PROMPT_MINI_NONE) {
		mini_key(tui, ch, is_key_code);
		return;
	}
	if (is_key_code) {
		const char *seq = NULL;

		switch (ch) {
		case KEY_LEFT: seq = "\033[D"; break;
		case KEY_RIGHT: seq = "\033[C"; break;
		case KEY_UP: seq = "\033[A"; break;
		case KEY_DOWN: seq = "\033[B"; break;
		case KEY_HOME: seq = "\033[H"; break;
		case KEY_END: seq = "\033[F"; break;
		case KEY_DC: seq = "\033[3~"; break;
		case KEY_BACKSPACE: seq = "\177"; break;
		case KEY_ENTER: seq = "\r"; break;
		default: break;
		}
		if (seq != NULL)
			feed(seq, strlen(seq));
		return;
	}
	if (ch == '\n')
		ch = '\r';
	memset(&mbs, 0, sizeof mbs);
	n = wcrtomb(buf, (wchar_t)ch, &mbs);
	if (n == (size_t)-1)
		return;
	feed(buf, n);
}

/* ---- drawing ---- */

static const char *
mode_prompt(struct tui *tui)
{
	struct engine_status st;

	tui_status(tui, &st);
	if (tui->replay_name != NULL)
		return tui_label(tui->kb, "ui-prompt-replay", "replay (Enter: next reply)>");
	if (tui->pending_line != NULL)
		return tui_label(tui->kb, "ui-prompt-anyway", "send anyway? Enter/Ctrl-Y>");
	if (st.in_data)
		return tui_label(tui->kb, "ui-prompt-data", "DATA (end with .)>");
	if (!st.connected)
		return tui_label(tui->kb, "ui-prompt-closed", "smtp (not connected)>");
	return tui_label(tui->kb, "ui-prompt", "smtp>");
}

void
prompt_draw(struct tui *tui)
{
	WINDOW *w = tui->w_prompt;
	struct tui_cells pre = { 0 }, line = { 0 }, before = { 0 };
	const char *prompt;
	size_t i, cursor, pw, skip, col;
	int width;

	if (w == NULL)
		return;
	width = getmaxx(w);
	werase(w);
	if (tui->mini != PROMPT_MINI_NONE) {
		tui_cells_add_str(&pre, tui->mini_label, tui->colour ? TUI_PAIR_WARNING : 0, A_BOLD);
		tui_cells_add_str(&pre, " ", 0, 0);
		if (tui->mini == PROMPT_MINI_PATH)
			tui_cells_add_bytes(&line, tui->mini_buf, tui->mini_len, 0, 0, A_REVERSE);
		tui_cells_add_bytes(&before, "", 0, 0, 0, 0);
		cursor = tui_cells_width(&line);
	} else {
		prompt = rl_display_prompt != NULL && rl_display_prompt[0] != '\0' ?
		    rl_display_prompt : mode_prompt(tui);
		tui_cells_add_str(&pre, prompt, tui->colour ? TUI_PAIR_SENT : 0, A_BOLD);
		if (prompt[0] != '\0' && prompt[strlen(prompt) - 1] != ' ')
			tui_cells_add_str(&pre, " ", 0, 0);
		if (rl_line_buffer != NULL) {
			tui_cells_add_bytes(&line, rl_line_buffer, (size_t)rl_end, 0, 0, A_REVERSE);
			tui_cells_add_bytes(&before, rl_line_buffer, (size_t)rl_point, 0, 0, A_REVERSE);
		}
		cursor = tui_cells_width(&before);
	}
	pw = tui_cells_width(&pre);
	if ((int)pw > width / 2) {
		/* a long prompt (a search) keeps at least half the row for the line */
		pw = (size_t)(width / 2);
	}
	wmove(w, 0, 0);
	tui_cells_draw(w, &pre, 0, pre.n, tui->colour);
	/* scroll the line sideways so the cursor stays in view */
	skip = 0;
	if ((int)(pw + cursor) >= width - 1)
		skip = pw + cursor - (size_t)(width - 2);
	wmove(w, 0, (int)pw);
	col = 0;
	for (i = 0; i < line.n; i++) {
		if (col >= skip)
			break;
		col += line.cell[i].width;
	}
	tui_cells_draw(w, &line, i, line.n, tui->colour);
	wmove(w, 0, (int)(pw + cursor - skip));
	wnoutrefresh(w);
	tui_cells_free(&pre);
	tui_cells_free(&line);
	tui_cells_free(&before);
}
