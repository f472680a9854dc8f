/* commands.c: the local commands the screen carries out itself (the engine hands them back as
 * ENGINE_FRONTEND): /help, /explain, /compare, /quit, /scenario and /lesson, and the few a
 * replay accepts. Their output goes to the explanation pane. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conn/command.h"
#include "core/record/export.h"
#include "core/teach/lesson.h"
#include "core/util/xmalloc.h"
#include "tui/tui.h"

static const char *
L(const struct tui *tui, const char *name, const char *fallback)
{
	return tui_label(tui->kb, name, fallback);
}

/* The local commands the screen takes, from the command table: "- /NAME USAGE: SUMMARY",
 * the summary in the user's language when the help files have a label "command-NAME" (else
 * the table's English). */
static char *
help_commands(struct tui *tui)
{
	const struct command_info *list;
	size_t n = command_list(&list), i;
	char *text = xstrdup(L(tui, "ui-help-commands", "Local commands:")), *old;
	char key[48];

	for (i = 0; i < n; i++) {
		if (list[i].flags & COMMAND_SCRIPT)
			continue;
		snprintf(key, sizeof key, "command-%s", list[i].name);
		old = text;
		text = xasprintf("%s\n- /%s%s%s: %s", old, list[i].name, list[i].usage[0] ? " " : "",
		    list[i].usage, L(tui, key, list[i].summary));
		free(old);
	}
	return text;
}

void
tui_show_help(struct tui *tui)
{
	char *keys = tui_keys_help(tui);
	char *commands = help_commands(tui);
	char *text = xasprintf("%s\n\n%s\n\n%s", keys, commands,
	    L(tui, "ui-help-start",
		"New to SMTP? Type EHLO localhost and press Enter, then follow \"What next\"."));

	explain_view_show_local(tui->explain, EXPLAIN_SOURCE_HELP, L(tui, "ui-pane-help", "Help"),
	    NULL, text);
	tui->dirty = true;
	free(keys);
	free(commands);
	free(text);
}

void
tui_show_kb_diagnostics(struct tui *tui)
{
	char *text, *old;
	size_t i;

	if (tui->kb == NULL || kb_diagnostic_count(tui->kb) == 0)
		return;
	text = xstrdup(L(tui, "ui-kb-problems", "Problems in the help files:"));
	for (i = 0; i < kb_diagnostic_count(tui->kb); i++) {
		old = text;
		text = xasprintf("%s\n- %s", old, kb_diagnostic(tui->kb, i));
		free(old);
	}
	tui_set_notice(tui, text);
	free(text);
}

static void
explain_words(struct tui *tui, const char *what)
{
	struct explanation *e;
	char *err = NULL, *title;

	if (tui->kb == NULL) {
		tui_set_notice(tui, L(tui, "ui-no-kb", "No explanation: the knowledge base is not loaded."));
		return;
	}
	e = explain_word(tui->kb, what, &err);
	if (e == NULL) {
		tui_set_notice(tui, err != NULL ? err : what);
		free(err);
		return;
	}
	title = xasprintf("%s: %s", L(tui, "ui-pane-explain", "Explanation"), what);
	tui_set_local(tui, title, e, NULL);
	free(title);
}

/* /save FILE: the transcript saved by the export module, noted in the transcript. */
static void
save(struct tui *tui, const char *path)
{
	char *err = NULL, *note;

	if (export_save(engine_transcript(tui->engine), tui->kb, path, &err) < 0) {
		tui_set_notice(tui, err != NULL ? err : path);
		free(err);
		return;
	}
	note = xasprintf("transcript saved to %s%s", path, engine_shows_secrets(tui->engine) ?
	    " (secrets NOT masked: --show-secrets)" : "");
	engine_note(tui->engine, note);
	free(note);
}

/* ---- scenarios ---- */

struct scenario_list {
	struct tui *tui;
	char *text;
};

static void
scenario_cb(void *ctx, const struct kb_entry *entry)
{
	struct scenario_list *list = ctx;
	const char *title = kb_field(list->tui->kb, entry, "title");
	char *old = list->text;

	list->text = xasprintf("%s- %s%s%s\n", old != NULL ? old : "", kb_entry_key(entry),
	    title != NULL ? ": " : "", title != NULL ? title : "");
	free(old);
}

static void
scenario(struct tui *tui, const char *args)
{
	char *err = NULL, *target, *msg;

	if (tui->fe->practice == NULL) {
		tui_set_notice(tui, L(tui, "ui-scenario-no-practice",
		    "Scenarios belong to the practice server: start smtpscope without a host."));
		return;
	}
	if (args == NULL || args[0] == '\0') {
		struct scenario_list list = { tui, NULL };

		if (tui->kb != NULL)
			kb_each(tui->kb, "scenario", scenario_cb, &list);
		msg = xasprintf("%s\n%s", L(tui, "ui-scenario-list",
		    "Scenarios (/scenario NAME restarts the practice server with one):"),
		    list.text != NULL ? list.text : "");
		tui_set_local(tui, L(tui, "ui-pane-scenarios", "Scenarios"), NULL, msg);
		free(msg);
		free(list.text);
		return;
	}
	/* the old server goes away with the restart: leave it first, quietly */
	{
		struct engine_status st;
		struct engine_answer ans = { 0 };

		tui_status(tui, &st);
		if (st.connected)
			engine_submit(tui->engine, "/disconnect", ENGINE_FORCE, &ans);
		engine_answer_clear(&ans);
	}
	if (practice_restart(tui->fe->practice, args, &err) != 0) {
		tui_set_notice(tui, err != NULL ? err : "practice server");
		free(err);
		return;
	}
	target = xasprintf("127.0.0.1:%d", practice_port(tui->fe->practice));
	engine_allow_unverified(tui->engine, target, PRACTICE_UNVERIFIED_WHY);
	if (engine_connect(tui->engine, target, 0, &err) != 0) {
		tui_set_notice(tui, err != NULL ? err : target);
		free(err);
	} else
		tui_set_notice(tui, NULL);
	free(target);
	session_view_select_newest(tui->session);
	explain_view_follow(tui->explain, false);
}

/* ---- lessons ---- */

/* Loads the lessons (help/lessons) the first time they are asked for. */
static bool
lessons_load(struct tui *tui)
{
	char *help_dir, *dir, *err = NULL;

	if (tui->lessons != NULL)
		return true;
	help_dir = kb_find_dir(tui->fe->help_dir, &err);
	if (help_dir == NULL) {
		tui_set_notice(tui, err != NULL ? err : "help");
		free(err);
		return false;
	}
	dir = xasprintf("%s/lessons", help_dir);
	tui->lessons = lesson_set_new();
	if (lesson_set_load_dir(tui->lessons, dir, tui->kb != NULL ? kb_language(tui->kb) :
	    NULL, &err) != 0) {
		tui_set_notice(tui, err != NULL ? err : dir);
		free(err);
		lesson_set_free(tui->lessons);
		tui->lessons = NULL;
	}
	free(dir);
	free(help_dir);
	return tui->lessons != NULL;
}

static void
lesson_list(struct tui *tui)
{
	char *text = xstrdup(L(tui, "ui-lesson-list",
	    "Lessons (/lesson NAME starts one on the practice server):")), *old;
	size_t i;

	for (i = 0; i < lesson_set_count(tui->lessons); i++) {
		const struct lesson *l = lesson_set_get(tui->lessons, i);

		old = text;
		text = xasprintf("%s\n- %s: %s", old, lesson_name(l),
		    lesson_summary(l) != NULL ? lesson_summary(l) : "");
		free(old);
	}
	tui_set_local(tui, L(tui, "ui-pane-lessons", "Lessons"), NULL, text);
	free(text);
}

/* Feeds the lesson what happened since the last turn; the pane follows its progress. */
void
tui_lesson_follow(struct tui *tui)
{
	struct engine_status st;
	struct lesson_status now;
	unsigned bits;

	if (tui->progress == NULL)
		return;
	tui_status(tui, &st);
	now = (struct lesson_status){ .connected = st.connected, .tls = st.tls, .user = st.user,
	    .state_key = st.state_key, .state = st.state };
	bits = lesson_progress_catch_up(tui->progress, tui->transcript, &now);
	if (bits != 0) {
		explain_view_follow(tui->explain, true);   /* back to the top of the pane */
		tui->dirty = true;
	}
}

static void
lesson_command(struct tui *tui, const char *args)
{
	const struct lesson *lesson;
	struct lesson_progress *progress;

	if (!lessons_load(tui))
		return;
	if (args == NULL || args[0] == '\0') {
		lesson_list(tui);
		return;
	}
	if (strcmp(args, "stop") == 0 && lesson_set_find(tui->lessons, args) == NULL) {
		lesson_progress_free(tui->progress);
		tui->progress = NULL;
		explain_view_invalidate(tui->explain);
		return;
	}
	lesson = lesson_set_find(tui->lessons, args);
	if (lesson == NULL) {
		char *msg = xasprintf("%s: %s", L(tui, "ui-lesson-unknown", "No such lesson"), args);

		tui_set_notice(tui, msg);
		free(msg);
		lesson_list(tui);
		return;
	}
	if (tui->fe->practice == NULL) {
		tui_set_notice(tui, L(tui, "ui-lesson-no-practice",
		    "Lessons run on the practice server: start smtpscope without a host."));
		return;
	}
	/* the tracker first, so it sees the new connection; then a fresh practice server with
	 * the scenario the lesson needs */
	progress = lesson_progress_new(lesson);
	lesson_progress_set_var(progress, "user", practice_user(tui->fe->practice));
	lesson_progress_set_var(progress, "password", practice_password(tui->fe->practice));
	lesson_progress_free(tui->progress);
	tui->progress = progress;
	scenario(tui, lesson_scenario(lesson));
	explain_view_follow(tui->explain, true);
}

static void
cmd_help(struct tui *tui, const struct command *cmd)
{
	if (cmd->rest[0] == '\0')
		tui_show_help(tui);
	else
		explain_words(tui, cmd->rest);
}

static void
cmd_explain(struct tui *tui, const struct command *cmd)
{
	if (cmd->rest[0] != '\0') {
		explain_words(tui, cmd->rest);
		return;
	}
	session_view_select_newest(tui->session);
	explain_view_follow(tui->explain, false);
}

static void
cmd_compare(struct tui *tui, const struct command *cmd)
{
	const char *a = cmd->argv[0], *b = cmd->argv[1];
	char *err = NULL, *title;
	struct explanation *e = NULL;

	if (tui->kb != NULL && (e = explain_compare(tui->kb, a, b, &err)) != NULL) {
		title = xasprintf("%s %s / %s", L(tui, "ui-pane-compare", "Compare"), a, b);
		tui_set_local(tui, title, e, NULL);
		free(title);
	} else {
		tui_set_notice(tui, err != NULL ? err : "/compare");
		free(err);
	}
}

static void
cmd_quit(struct tui *tui, const struct command *cmd)
{
	(void)cmd;
	tui_request_quit(tui);
}

static void
cmd_save(struct tui *tui, const struct command *cmd)
{
	save(tui, cmd->argv[0]);
}

static void
cmd_scenario(struct tui *tui, const struct command *cmd)
{
	scenario(tui, cmd->rest);
}

static void
cmd_lesson(struct tui *tui, const struct command *cmd)
{
	lesson_command(tui, cmd->rest);
}

typedef void (*tui_handler)(struct tui *, const struct command *);

/* What the screen carries out itself, by command id (the engine hands these back). */
static const tui_handler tui_handlers[COMMAND_COUNT] = {
	[COMMAND_SAVE] = cmd_save,
	[COMMAND_EXPLAIN] = cmd_explain,
	[COMMAND_COMPARE] = cmd_compare,
	[COMMAND_HELP] = cmd_help,
	[COMMAND_QUIT] = cmd_quit,
	[COMMAND_SCENARIO] = cmd_scenario,
	[COMMAND_LESSON] = cmd_lesson,
};

void
tui_command(struct tui *tui, const struct command *cmd)
{
	tui_handler handler = tui_handlers[cmd->info->id];

	if (handler == NULL) {
		char *msg = xasprintf("%s: /%s", L(tui, "ui-unknown-command", "Unknown command"),
		    cmd->info->name);

		tui_set_notice(tui, msg);
		free(msg);
		return;
	}
	handler(tui, cmd);
}

/* A line typed during a replay: the local commands that only read (COMMAND_REPLAY) work;
 * nothing is ever sent. An empty line steps to the next reply. */
void
tui_replay_line(struct tui *tui, const char *line)
{
	struct command cmd;
	char *err = NULL;

	if (line[0] == '\0') {
		session_view_select(tui->session, +1);
		return;
	}
	if (line[0] == '/' && line[1] != '/' && command_parse(line, &cmd, &err) == 0) {
		if (cmd.info->flags & COMMAND_REPLAY)
			tui_command(tui, &cmd);
		else
			tui_set_notice(tui, L(tui, "ui-replay-readonly",
			    "This is a replay: nothing is sent. F5/F6 or Alt-Up/Alt-Down step "
			    "through the replies; Enter on an empty line steps forward."));
		command_clear(&cmd);
		return;
	}
	if (err != NULL) {
		tui_set_notice(tui, err);
		free(err);
		return;
	}
	tui_set_notice(tui, L(tui, "ui-replay-readonly",
	    "This is a replay: nothing is sent. F5/F6 or Alt-Up/Alt-Down step through the "
	    "replies; Enter on an empty line steps forward."));
}
