/* lesson_cmd.c: `smtpscope lesson`: lists the guided lessons, or runs one from the shell: starts
 * the practice server with the scenario the lesson needs, connects an engine to it, feeds it the
 * lines of a script (or of standard input, typed by hand), and after every transcript entry lets
 * the lesson's progress tracker decide whether a step passed or a hint is due; prints the session,
 * each step's instructions, the checks passing, the hints and the result.
 * Exit status: 0 the lesson was completed, 1 it was not, 2 usage or start-up errors. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/print.h"
#include "cli/script.h"
#include "core/conn/engine.h"
#include "core/knowledge/explain.h"
#include "core/knowledge/kb.h"
#include "core/teach/lesson.h"
#include "core/record/transcript.h"
#include "core/util/clock.h"
#include "core/util/xmalloc.h"
#include "client/practice.h"

/* The longest pause a script may ask for with /wait. */
#define LESSON_WAIT_MAX_S 120

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

static void
print_gloss(const struct run *r, const struct transcript_reply *tr)
{
	const struct kb_entry *entry;
	const char *title = NULL;

	if (r->kb == NULL || tr->reply->code == 0)
		return;
	entry = kb_find(r->kb, "code", tr->reply->code_text, tr->after);
	title = entry != NULL ? kb_field(r->kb, entry, "title") : NULL;
	if (title != NULL)
		printf("    -> %s %s\n", tr->reply->code_text, title);
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
	size_t before = lesson_progress_step(r->progress);
	unsigned bits;
	char *checks;

	cli_print_entry(en);
	if (en->kind == TRANSCRIPT_RECEIVED && en->reply != TRANSCRIPT_NO_REPLY &&
	    (tr = transcript_reply(r->transcript, en->reply)) != NULL && tr->last_entry == i)
		print_gloss(r, tr);
	if (en->kind == TRANSCRIPT_ERROR)
		r->failed = true;
	engine_status(r->engine, &st);
	bits = lesson_progress_feed(r->progress, r->transcript, i, &st);
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

/* Runs the engine until nothing is in flight, or for pause_ms when that is not negative. */
static void
run_engine(struct run *r, int pause_ms)
{
	struct engine_status st;
	struct pollfd fds[4];
	int64_t end = pause_ms >= 0 ? clock_mono_ms() + pause_ms : 0;
	size_t n;
	int timeout;

	for (;;) {
		engine_status(r->engine, &st);
		if (pause_ms < 0 && (!st.waiting || auth_answer_due(r)))
			return;
		if (pause_ms >= 0 && clock_mono_ms() >= end)
			return;
		n = engine_pollfds(r->engine, fds, 4);
		timeout = engine_timeout_ms(r->engine);
		if (pause_ms >= 0) {
			int left = (int)(end - clock_mono_ms());

			if (timeout < 0 || timeout > left)
				timeout = left;
		} else if (n == 0 && timeout < 0) {
			return;
		}
		if (poll(fds, n, timeout) < 0 && errno != EINTR)
			return;
		engine_handle(r->engine, fds, n);
	}
}

/* "/wait SECONDS": a pause the learner would simply take (a greylisting delay). */
static bool
wait_command(struct run *r, const char *line)
{
	char *end;
	double secs;

	if (strncmp(line, "/wait", 5) != 0 || (line[5] != ' ' && line[5] != '\0'))
		return false;
	errno = 0;
	secs = strtod(line + 5, &end);
	while (*end == ' ')
		end++;
	if (errno != 0 || *end != '\0' || secs <= 0 || secs > LESSON_WAIT_MAX_S) {
		printf("** /wait needs a number of seconds from 0 to %d\n", LESSON_WAIT_MAX_S);
		return true;
	}
	printf("> /wait %g\n", secs);
	fflush(stdout);
	run_engine(r, (int)(secs * 1000));
	return true;
}

/* Carries out one line; false stops the script. */
static bool
run_line(struct run *r, const char *line)
{
	struct engine_answer ans;
	enum engine_result result;
	struct engine_status st;
	char *secret;
	bool go_on = true;

	engine_status(r->engine, &st);
	if (!st.in_data && wait_command(r, line))
		return true;
	cli_print_local_command(line, st.in_data);
	/* The warning stays in the transcript, where the lesson sees it. */
	result = cli_script_submit(r->engine, line, &ans);
	switch (result) {
	case ENGINE_DONE:
		cli_print_result(ans.text);
		break;
	case ENGINE_WARNING:
		break;
	case ENGINE_NEED_SECRET:
		secret = getenv("SMTPSCOPE_PASSWORD") ? xstrdup(getenv("SMTPSCOPE_PASSWORD")) : NULL;
		if (secret == NULL) {
			printf("** %sgive the password on the /auth line (or in $SMTPSCOPE_PASSWORD)\n",
			    ans.text ? ans.text : "");
			break;
		}
		engine_provide_secret(r->engine, secret);
		explicit_bzero(secret, strlen(secret));
		free(secret);
		break;
	case ENGINE_FRONTEND:
		if (strcmp(ans.command, "quit") == 0) {
			engine_status(r->engine, &st);
			if (st.connected) {
				engine_answer_clear(&ans);
				engine_submit(r->engine, "QUIT", ENGINE_FORCE, &ans);
				run_engine(r, -1);
			}
			go_on = false;
		} else if (strcmp(ans.command, "lesson") == 0) {
			print_step(r);
		} else if (strcmp(ans.command, "save") == 0) {
			char *err = NULL;

			if (cli_script_save(r->engine, r->kb, ans.args, &err) < 0) {
				printf("** %s\n", err);
				free(err);
			}
		} else {
			printf(".. /%s is for the screen; skipped here\n", ans.command);
		}
		break;
	case ENGINE_ERROR:
		printf("** %s\n", ans.text ? ans.text : "error");
		break;
	}
	engine_answer_clear(&ans);
	fflush(stdout);
	run_engine(r, -1);
	return go_on;
}

/* Typed by hand: keep the session going (replies, timeouts, a server that hangs up) while
 * waiting for the next line. Returns at once for a script file. */
static void
wait_for_input(struct run *r, FILE *in)
{
	struct pollfd fds[5];
	size_t n;

	if (!isatty(fileno(in)))
		return;
	for (;;) {
		n = engine_pollfds(r->engine, fds, 4);
		fds[n].fd = fileno(in);
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		if (poll(fds, n + 1, engine_timeout_ms(r->engine)) < 0 && errno != EINTR)
			return;
		if (fds[n].revents != 0)
			return;
		engine_handle(r->engine, fds, n);
	}
}

static int
run_script(struct run *r, FILE *script)
{
	char *line = xmalloc(CLI_SCRIPT_LINE_MAX);
	struct engine_status st;
	enum cli_script_read got;

	for (;;) {
		wait_for_input(r, script);
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
		if (!run_line(r, line))
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
	run_engine(&r, -1);
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

int
cli_lesson_main(int argc, char **argv)
{
	const char *help_opt = NULL, *lang_opt = NULL, *lessons_opt = NULL, *script_path = NULL;
	char *help_dir = NULL, *lang = NULL, *lessons_dir = NULL, *err = NULL;
	struct kb *kb = NULL;
	struct lesson_set *set = NULL;
	const struct lesson *lesson;
	FILE *script = NULL;
	bool list = false;
	int c, status = 2, timeout_ms = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lesson_options, NULL)) != -1) {
		switch (c) {
		case OPT_LIST:
			list = true;
			break;
		case OPT_SCRIPT:
			script_path = optarg;
			break;
		case OPT_LANG:
			lang_opt = optarg;
			break;
		case OPT_HELP_DIR:
			help_opt = optarg;
			break;
		case OPT_LESSONS_DIR:
			lessons_opt = optarg;
			break;
		case OPT_TIMEOUT: {
			char *end;
			double v;

			errno = 0;
			v = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || v <= 0 || v > 86400) {
				fputs("smtpscope lesson: --timeout needs a number of seconds\n", stderr);
				return 2;
			}
			timeout_ms = (int)(v * 1000 + 0.5);
			break;
		}
		case 'h':
		case OPT_HELP:
			lesson_usage(stdout);
			return 0;
		default:
			fputs("Try 'smtpscope lesson --help'.\n", stderr);
			return 2;
		}
	}
	if (!list && optind != argc - 1) {
		fputs(optind >= argc ? "smtpscope lesson: which lesson? (--list shows them)\n" :
		    "smtpscope lesson: one lesson at a time\n", stderr);
		return 2;
	}
	if (list && optind != argc) {
		fputs("smtpscope lesson: --list takes no lesson name\n", stderr);
		return 2;
	}

	lang = kb_pick_language(lang_opt);
	help_dir = kb_find_dir(help_opt, &err);
	if (help_dir != NULL) {
		kb = kb_load(help_dir, lang, &err);
		if (kb == NULL) {
			fprintf(stderr, "smtpscope: %s (replies will not be explained)\n", err);
			free(err);
			err = NULL;
		}
	} else if (lessons_opt == NULL) {
		fprintf(stderr, "smtpscope: %s\n", err);
		free(err);
		goto out;
	} else {
		free(err);
		err = NULL;
	}
	lessons_dir = lessons_opt != NULL ? xstrdup(lessons_opt) :
	    xasprintf("%s/lessons", help_dir);
	set = lesson_set_new();
	if (lesson_set_load_dir(set, lessons_dir, lang, &err) < 0) {
		fprintf(stderr, "smtpscope: %s\n", err);
		free(err);
		goto out;
	}
	print_diagnostics(set);
	if (list) {
		status = list_lessons(set);
		goto out;
	}
	lesson = lesson_set_find(set, argv[optind]);
	if (lesson == NULL) {
		size_t i;

		fprintf(stderr, "smtpscope lesson: no lesson called '%s'; there are:", argv[optind]);
		for (i = 0; i < lesson_set_count(set); i++)
			fprintf(stderr, " %s", lesson_name(lesson_set_get(set, i)));
		fputc('\n', stderr);
		goto out;
	}
	if (script_path == NULL || strcmp(script_path, "-") == 0) {
		script = stdin;
	} else if ((script = fopen(script_path, "r")) == NULL) {
		fprintf(stderr, "smtpscope lesson: cannot read the script %s: %s\n", script_path,
		    strerror(errno));
		goto out;
	}
	status = run_lesson(lesson, kb, script, timeout_ms);
out:
	if (script != NULL && script != stdin)
		fclose(script);
	lesson_set_free(set);
	kb_free(kb);
	free(lessons_dir);
	free(help_dir);
	free(lang);
	return status;
}
