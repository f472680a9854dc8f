/* lesson_cmd.c: `smtpscope lesson`: lists the guided lessons, or runs one from the shell: starts
 * the practice server with the scenario the lesson needs, connects an engine to it, feeds it the
 * lines of a script (or of standard input, typed by hand), and after every transcript entry lets
 * the lesson's progress tracker decide whether a step passed or a hint is due; prints the session,
 * each step's instructions, the checks passing, the hints and the result.
 * Exit status: 0 the lesson was completed, 1 it was not, 2 usage or start-up errors. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "cli/print.h"
#include "cli/run.h"
#include "cli/script.h"
#include "core/conn/engine.h"
#include "core/knowledge/explain.h"
#include "core/knowledge/kb.h"
#include "core/teach/lesson.h"
#include "core/record/transcript.h"
#include "core/util/xmalloc.h"
#include "client/practice.h"

enum {
	OPT_LIST = 256, OPT_SCRIPT, OPT_LANG, OPT_HELP_DIR, OPT_LESSONS_DIR, OPT_TIMEOUT,
	OPT_HELP,
};

static const struct option lesson_options[] = {
	{ "list", no_argument, NULL, OPT_LIST },
	{ "script", required_argument, NULL, OPT_SCRIPT },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "help-dir", required_argument, NULL, OPT_HELP_DIR },
	{ "lessons-dir", required_argument, NULL, OPT_LESSONS_DIR },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* One lesson being run. */
struct run {
	struct engine *engine;
	struct transcript *transcript;
	const struct kb *kb;
	const struct lesson *lesson;
	struct lesson_progress *progress;
	struct cli_run run;
	bool failed;      /* a connection or usage error */
};

static void
lesson_usage(FILE *out)
{
	fputs("Usage: smtpscope lesson --list\n"
	    "       smtpscope lesson NAME [--script FILE]\n"
	    "A guided lesson against the built-in practice server: each step says what to try\n"
	    "and what to expect, checks what happened, and gives a hint when it went otherwise.\n"
	    "Lines come from FILE ('-': standard input), else from standard input as typed;\n"
	    "'/wait SECONDS' pauses (for greylisting). On the screen, use /lesson NAME.\n\n"
	    "      --list               each lesson's name and what it teaches\n"
	    "      --script FILE        run the lines of FILE\n"
	    "      --timeout SECS       wait this long for each reply (default 30)\n"
	    "      --lang LANG          language of the lessons and labels (en, id)\n"
	    "      --help-dir DIR       read the knowledge base from DIR\n"
	    "      --lessons-dir DIR    read the lessons from DIR (default: the help folder's\n"
	    "                           lessons/)\n"
	    "      --help               this text\n", out);
}

/* Where the learner is now: the same explanation the screen shows, as text. */
static void
print_step(const struct run *r)
{
	putchar('\n');
	cli_print_explanation(lesson_progress_explanation(r->progress, r->kb), "| ");
	putchar('\n');
}

/* The check lines of a step, joined for one line of output. */
static char *
checks_line(const struct lesson *lesson, size_t step)
{
	const char *text = lesson_step_check(lesson, step);
	char *out = xstrdup(text != NULL ? text : ""), *p;

	for (p = out; *p != '\0'; p++)
		if (*p == '\n')
			*p = ';';
	return out;
}

/* The engine's listener: prints the entry, then lets the lesson look at it. */
static void
on_entry(void *ctx, size_t i)
{
	struct run *r = ctx;
	const struct transcript_entry *en = transcript_entry(r->transcript, i);
	const struct transcript_reply *tr;
	struct engine_status st;
	struct lesson_status now;
	size_t before = lesson_progress_step(r->progress);
	unsigned bits;
	char *checks;

	cli_print_entry(en);
	if (en->kind == TRANSCRIPT_RECEIVED && en->reply != TRANSCRIPT_NO_REPLY &&
	    (tr = transcript_reply(r->transcript, en->reply)) != NULL && tr->last_entry == i)
		cli_print_gloss(r->kb, tr, 0);
	if (en->kind == TRANSCRIPT_ERROR)
		r->failed = true;
	engine_status(r->engine, &st);
	now = (struct lesson_status){ .connected = st.connected, .tls = st.tls, .user = st.user,
	    .state_key = st.state_key, .state = st.state };
	bits = lesson_progress_feed(r->progress, r->transcript, i, &now);
	if (bits & LESSON_STEP_PASSED) {
		checks = checks_line(r->lesson, before);
		printf("ok step %zu of %zu passed: %s\n", before + 1,
		    lesson_step_count(r->lesson), checks);
		free(checks);
		print_step(r);
	}
	if (bits & LESSON_HINT) {
		printf("?? hint for step %zu:\n", lesson_progress_step(r->progress) + 1);
		cli_print_prefixed(lesson_progress_hint(r->progress), "?? ");
	}
	fflush(stdout);
}

/* True while the server waits for the answer to a 334 typed by hand: the engine still counts
 * AUTH as in flight then, but nothing more will come until the learner answers. */
static bool
auth_answer_due(const struct run *r)
{
	size_t n = transcript_reply_count(r->transcript), i;
	const struct transcript_reply *tr;

	if (n == 0)
		return false;
	tr = transcript_reply(r->transcript, n - 1);
	if (tr->reply->code != 334)
		return false;
	for (i = tr->last_entry + 1; i < transcript_count(r->transcript); i++)
		if (transcript_entry(r->transcript, i)->kind == TRANSCRIPT_SENT)
			return false;
	return true;
}

static bool
lesson_settled(struct cli_run *run)
{
	return auth_answer_due(run->ctx);
}

static bool
lesson_need_secret(struct cli_run *run, const char *prompt)
{
	const char *env = getenv("SMTPSCOPE_PASSWORD");
	char *secret;

	if (env == NULL) {
		printf("** %sgive the password on the /auth line (or in $SMTPSCOPE_PASSWORD)\n",
		    prompt);
		return true;
	}
	secret = xstrdup(env);
	engine_provide_secret(run->engine, secret);
	explicit_bzero(secret, strlen(secret));
	free(secret);
	return true;
}

/* /lesson: where the learner is. */
static bool
lesson_where(struct cli_run *run, const struct command *cmd)
{
	(void)cmd;
	print_step(run->ctx);
	return true;
}

/* What a lesson run from the shell carries out itself, by command id. */
static const cli_handler lesson_handlers[COMMAND_COUNT] = {
	[COMMAND_SAVE] = cli_run_save,
	[COMMAND_QUIT] = cli_run_quit,
	[COMMAND_LESSON] = lesson_where,
	[COMMAND_WAIT] = cli_run_wait,
};

static const struct cli_frontend lesson_frontend = {
	.handlers = lesson_handlers,
	.skipped = "is for the screen; skipped here",
	.errors_stop = false,
	.need_secret = lesson_need_secret,
	.settled = lesson_settled,
};

static int
run_script(struct run *r, FILE *script)
{
	char *line = xmalloc(CLI_SCRIPT_LINE_MAX);
	struct engine_status st;
	enum cli_script_read got;

	for (;;) {
		/* Typed by hand: the session goes on (replies, timeouts, a server that hangs up)
		 * while the learner thinks. */
		if (isatty(fileno(script)))
			cli_run_until_input(&r->run, fileno(script));
		if (r->failed ||
		    (got = cli_script_read_line(script, line, CLI_SCRIPT_LINE_MAX)) == CLI_SCRIPT_END)
			break;
		if (got == CLI_SCRIPT_TOO_LONG) {
			printf("** a script line is longer than %d octets\n", CLI_SCRIPT_LINE_MAX);
			break;
		}
		engine_status(r->engine, &st);
		if (cli_script_line_is_comment(line, st.in_data))
			continue;
		if (!cli_run_line(&r->run, line))
			break;
	}
	free(line);
	return ferror(script) ? -1 : 0;
}

static void
print_diagnostics(const struct lesson_set *set)
{
	size_t i;

	for (i = 0; i < lesson_set_diagnostic_count(set); i++)
		fprintf(stderr, "smtpscope: %s\n", lesson_set_diagnostic(set, i));
}

static int
list_lessons(const struct lesson_set *set)
{
	size_t i;

	if (lesson_set_count(set) == 0) {
		fputs("smtpscope: no lessons found\n", stderr);
		return 1;
	}
	for (i = 0; i < lesson_set_count(set); i++) {
		const struct lesson *l = lesson_set_get(set, i);

		printf("%-18s %s\n", lesson_name(l), lesson_summary(l));
	}
	return 0;
}

static int
run_lesson(const struct lesson *lesson, const struct kb *kb, FILE *script, int timeout_ms)
{
	struct engine_config config;
	struct practice *practice;
	struct run r;
	char *err = NULL, *target;
	size_t steps = lesson_step_count(lesson), at;
	int status = 2;

	practice = practice_start(lesson_scenario(lesson), &err);
	if (practice == NULL) {
		fprintf(stderr, "smtpscope: lesson %s: cannot start the practice server: %s\n",
		    lesson_name(lesson), err ? err : "unknown error");
		free(err);
		return 2;
	}
	memset(&config, 0, sizeof config);
	memset(&r, 0, sizeof r);
	config.kb = kb;
	config.reply_timeout_ms = timeout_ms;
	r.kb = kb;
	r.lesson = lesson;
	r.engine = engine_new(&config);
	r.transcript = engine_transcript(r.engine);
	r.run.engine = r.engine;
	r.run.kb = kb;
	r.run.frontend = &lesson_frontend;
	r.run.ctx = &r;
	r.run.wake_fd = -1;
	r.progress = lesson_progress_new(lesson);
	lesson_progress_set_var(r.progress, "user", practice_user(practice));
	lesson_progress_set_var(r.progress, "password", practice_password(practice));
	target = xasprintf("127.0.0.1:%d", practice_port(practice));
	/* The practice server's certificate is made up at start: nobody can vouch for it. The
	 * STARTTLS lesson says so; the session goes on and keeps saying it is unverified. */
	engine_allow_unverified(r.engine, target, PRACTICE_UNVERIFIED_WHY);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# lesson %s: the practice server on %s, scenario %s (user %s, password %s)\n",
	    lesson_name(lesson), target, practice_scenarios(practice), practice_user(practice),
	    practice_password(practice));
	print_step(&r);
	engine_set_listener(r.engine, on_entry, &r);
	if (engine_connect(r.engine, target, 0, &err) < 0) {
		fprintf(stderr, "smtpscope: %s\n", err);
		free(err);
		goto out;
	}
	cli_run_until_idle(&r.run);
	if (run_script(&r, script) < 0) {
		printf("** cannot read the script: %s\n", strerror(errno));
		goto out;
	}
	at = lesson_progress_step(r.progress);
	if (lesson_progress_complete(r.progress)) {
		printf("== lesson %s complete: %zu of %zu steps, %zu hint%s\n", lesson_name(lesson),
		    steps, steps, lesson_progress_hint_count(r.progress),
		    lesson_progress_hint_count(r.progress) == 1 ? "" : "s");
		status = 0;
	} else {
		printf("== lesson %s not complete: stopped at step %zu of %zu (%s)\n",
		    lesson_name(lesson), at + 1, steps, lesson_step_title(lesson, at));
		status = r.failed ? 2 : 1;
	}
out:
	engine_set_listener(r.engine, NULL, NULL);
	engine_free(r.engine);
	lesson_progress_free(r.progress);
	practice_stop(practice);
	free(target);
	return status;
}

/* What the command line asked for. */
struct lesson_args {
	const char *help_dir, *lang, *lessons_dir, *script, *name;
	bool list;
	int timeout_ms;
};

/* Reads the options into a; returns -1 to go on, else the exit status (--help, a usage
 * error). */
static int
parse_args(int argc, char **argv, struct lesson_args *a)
{
	char *end;
	double v;
	int c;

	memset(a, 0, sizeof *a);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lesson_options, NULL)) != -1) {
		switch (c) {
		case OPT_LIST:
			a->list = true;
			break;
		case OPT_SCRIPT:
			a->script = optarg;
			break;
		case OPT_LANG:
			a->lang = optarg;
			break;
		case OPT_HELP_DIR:
			a->help_dir = optarg;
			break;
		case OPT_LESSONS_DIR:
			a->lessons_dir = optarg;
			break;
		case OPT_TIMEOUT:
			errno = 0;
			v = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || v <= 0 || v > 86400) {
				fputs("smtpscope lesson: --timeout needs a number of seconds\n", stderr);
				return 2;
			}
			a->timeout_ms = (int)(v * 1000 + 0.5);
			break;
		case 'h':
		case OPT_HELP:
			lesson_usage(stdout);
			return 0;
		default:
			fputs("Try 'smtpscope lesson --help'.\n", stderr);
			return 2;
		}
	}
	if (!a->list && optind != argc - 1) {
		fputs(optind >= argc ? "smtpscope lesson: which lesson? (--list shows them)\n" :
		    "smtpscope lesson: one lesson at a time\n", stderr);
		return 2;
	}
	if (a->list && optind != argc) {
		fputs("smtpscope lesson: --list takes no lesson name\n", stderr);
		return 2;
	}
	a->name = a->list ? NULL : argv[optind];
	return -1;
}

/* The knowledge base (optional: replies then go unexplained) and the lessons. NULL after
 * saying why. */
static struct lesson_set *
load_lessons(const struct lesson_args *a, struct client_kb *kb)
{
	struct lesson_set *set;
	char *dir, *err = NULL;

	if (client_kb_open(kb, "lesson", a->help_dir, a->lang, CLIENT_KB_WARN) < 0 ||
	    (kb->help_dir == NULL && a->lessons_dir == NULL))
		return NULL;
	dir = a->lessons_dir != NULL ? xstrdup(a->lessons_dir) :
	    xasprintf("%s/lessons", kb->help_dir);
	set = lesson_set_new();
	if (lesson_set_load_dir(set, dir, kb->lang, &err) < 0) {
		fprintf(stderr, "smtpscope: %s\n", err);
		free(err);
		lesson_set_free(set);
		set = NULL;
	} else
		print_diagnostics(set);
	free(dir);
	return set;
}

/* Runs the lesson named a->name on its script. */
static int
start_lesson(const struct lesson_args *a, const struct lesson_set *set, const struct kb *kb)
{
	const struct lesson *lesson = lesson_set_find(set, a->name);
	FILE *script;
	size_t i;
	int status;

	if (lesson == NULL) {
		fprintf(stderr, "smtpscope lesson: no lesson called '%s'; there are:", a->name);
		for (i = 0; i < lesson_set_count(set); i++)
			fprintf(stderr, " %s", lesson_name(lesson_set_get(set, i)));
		fputc('\n', stderr);
		return 2;
	}
	if (a->script == NULL || strcmp(a->script, "-") == 0) {
		script = stdin;
	} else if ((script = fopen(a->script, "r")) == NULL) {
		fprintf(stderr, "smtpscope lesson: cannot read the script %s: %s\n", a->script,
		    strerror(errno));
		return 2;
	}
	status = run_lesson(lesson, kb, script, a->timeout_ms);
	if (script != stdin)
		fclose(script);
	return status;
}

int
cli_lesson_main(int argc, char **argv)
{
	struct lesson_args a;
	struct client_kb kb;
	struct lesson_set *set;
	int status = parse_args(argc, argv, &a);

	if (status >= 0)
		return status;
	set = load_lessons(&a, &kb);
	if (set == NULL)
		status = 2;
	else if (a.list)
		status = list_lessons(set);
	else
		status = start_lesson(&a, set, kb.kb);
	lesson_set_free(set);
	client_kb_clear(&kb);
	return status;
}
