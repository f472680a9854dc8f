/* batch.c: batch mode: runs a script's lines and local commands in order through the engine,
 * waits for each reply, and prints the annotated transcript as it grows (C:/S: lines with
 * hostile bytes escaped, a short gloss per reply or full explanations with --explain).
 * Exit status: 0 every reply positive, 1 a negative reply, 2 usage or connection errors. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "cli/print.h"
#include "cli/run.h"
#include "cli/script.h"
#include "core/conn/command.h"
#include "core/conn/engine.h"
#include "core/knowledge/explain.h"
#include "core/record/export.h"
#include "core/knowledge/kb.h"
#include "core/record/transcript.h"
#include "core/util/xmalloc.h"
#include "client/frontend.h"

struct batch {
	struct frontend *fe;
	struct engine *engine;
	struct transcript *transcript;
	struct cli_run run;   /* run.failed: a connection, TLS or usage error */
	bool negative;        /* a 4xx/5xx reply arrived */
	bool step_negative;   /* a negative reply during the current step */
	bool quit_sent;       /* the script said QUIT */
};

/* SIGINT and SIGTERM end batch mode cleanly: the handler only notes the signal and wakes the
 * poll() loop through a pipe; the loop stops, says so and saves the transcript. A signal
 * handler cannot be handed a context, hence these two file-level variables. */
static volatile sig_atomic_t batch_signal;
static int batch_wake[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;

	batch_signal = sig;
	if (batch_wake[1] >= 0)
		(void)!write(batch_wake[1], "", 1);
	errno = saved;
}

/* Catches SIGINT and SIGTERM (once: a second one acts as usual, in case the stop hangs). */
static void
signals_catch(struct sigaction *old_int, struct sigaction *old_term)
{
	struct sigaction sa;

	batch_signal = 0;
	if (pipe2(batch_wake, O_CLOEXEC | O_NONBLOCK) != 0)
		batch_wake[0] = batch_wake[1] = -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking read of the script or of a password returns at once. */
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGINT, &sa, old_int);
	sigaction(SIGTERM, &sa, old_term);
}

static void
signals_restore(const struct sigaction *old_int, const struct sigaction *old_term)
{
	sigaction(SIGINT, old_int, NULL);
	sigaction(SIGTERM, old_term, NULL);
	if (batch_wake[0] >= 0) {
		close(batch_wake[0]);
		close(batch_wake[1]);
	}
	batch_wake[0] = batch_wake[1] = -1;
}

static void
print_event_gloss(const struct batch *b, const struct transcript_entry *en)
{
	const struct kb_entry *entry;
	const char *title;

	if (en->event == NULL || b->fe->kb == NULL)
		return;
	if (b->fe->explain_all && en->kind != TRANSCRIPT_EVENT) {
		cli_print_explanation(explain_event(b->fe->kb, en->event, NULL), "    ");
		return;
	}
	if (en->kind == TRANSCRIPT_EVENT)
		return;
	entry = kb_find(b->fe->kb, "event", en->event, NULL);
	title = entry ? kb_field(b->fe->kb, entry, "title") : NULL;
	if (title != NULL)
		printf("    -> %s (smtpscope explain %s)\n", title, en->event);
}

/* The engine's listener: prints each entry as it is recorded and keeps score. */
static void
on_entry(void *ctx, size_t i)
{
	struct batch *b = ctx;
	const struct transcript_entry *en = transcript_entry(b->transcript, i);
	const struct transcript_reply *tr;

	cli_print_entry(en);
	switch (en->kind) {
	case TRANSCRIPT_SENT:
		if (en->len == 4 && strncasecmp(en->text, "QUIT", 4) == 0)
			b->quit_sent = true;
		break;
	case TRANSCRIPT_RECEIVED:
		if (en->reply == TRANSCRIPT_NO_REPLY)
			break;
		tr = transcript_reply(b->transcript, en->reply);
		if (tr == NULL || tr->last_entry != i)
			break;
		if (b->fe->explain_all && b->fe->kb != NULL)
			cli_print_explanation(explain_reply(b->fe->kb, tr->reply, tr->after),
			    "    ");
		else
			cli_print_gloss(b->fe->kb, tr, CLI_GLOSS_FULL);
		if (reply_class(tr->reply) == 4 || reply_class(tr->reply) == 5 ||
		    tr->reply->code == 0) {
			b->negative = true;
			b->step_negative = true;
		}
		break;
	case TRANSCRIPT_WARNING:
		print_event_gloss(b, en);
		break;
	case TRANSCRIPT_ERROR:
		print_event_gloss(b, en);
		b->run.failed = true;
		break;
	case TRANSCRIPT_EVENT:
	case TRANSCRIPT_INFO:
		break;
	}
	fflush(stdout);
}

/* A password for /auth without one: $SMTPSCOPE_PASSWORD, else asked on the terminal without
 * echo. NULL when neither is possible. */
static char *
read_secret(const char *prompt)
{
	const char *env = getenv("SMTPSCOPE_PASSWORD");
	struct termios old, quiet;
	char buf[1024];
	int fd;
	ssize_t n;
	size_t len = 0;

	if (env != NULL)
		return xstrdup(env);
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (tcgetattr(fd, &old) != 0) {
		close(fd);
		return NULL;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	(void)!write(fd, prompt, strlen(prompt));
	tcsetattr(fd, TCSAFLUSH, &quiet);
	while (len + 1 < sizeof buf && (n = read(fd, buf + len, 1)) == 1 && buf[len] != '\n')
		len++;
	tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1);
	close(fd);
	buf[len] = '\0';
	{
		char *secret = xstrdup(buf);

		explicit_bzero(buf, sizeof buf);
		return secret;
	}
}

static bool
batch_need_secret(struct cli_run *run, const char *prompt)
{
	char *secret = read_secret(prompt);

	if (secret == NULL) {
		printf("** %sno password in the script, none in $SMTPSCOPE_PASSWORD, and no "
		    "terminal to ask on\n", prompt);
		run->failed = true;
		return false;
	}
	engine_provide_secret(run->engine, secret);
	explicit_bzero(secret, strlen(secret));
	free(secret);
	return true;
}

static bool
batch_help(struct cli_run *run, const struct command *cmd)
{
	char *text = command_help_text(0);

	(void)run;
	(void)cmd;
	cli_print_prefixed(text, ".. ");
	free(text);
	return true;
}

/* An explanation printed, or why there is none. */
static bool
print_explanation(struct explanation *x, char *err)
{
	if (x == NULL) {
		printf("** %s\n", err ? err : "nothing to explain");
		free(err);
		return true;
	}
	cli_print_explanation(x, "    ");
	return true;
}

static bool
no_kb(const struct cli_run *run, const struct command *cmd)
{
	if (run->kb != NULL)
		return false;
	printf("** /%s needs the knowledge base, which did not load\n", cmd->info->name);
	return true;
}

static bool
batch_explain(struct cli_run *run, const struct command *cmd)
{
	struct transcript *t = engine_transcript(run->engine);
	struct explanation *x = NULL;
	char *err = NULL;
	size_t n;

	if (no_kb(run, cmd))
		return true;
	if (cmd->rest[0] != '\0')
		x = explain_word(run->kb, cmd->rest, &err);
	else if ((n = transcript_reply_count(t)) > 0) {
		const struct transcript_reply *tr = transcript_reply(t, n - 1);

		x = explain_reply(run->kb, tr->reply, tr->after);
	} else
		err = xstrdup("no reply to explain yet");
	return print_explanation(x, err);
}

static bool
batch_compare(struct cli_run *run, const struct command *cmd)
{
	char *err = NULL;
	struct explanation *x;

	if (no_kb(run, cmd))
		return true;
	x = explain_compare(run->kb, cmd->argv[0], cmd->argv[1], &err);
	return print_explanation(x, err);
}

/* What batch mode carries out itself, by command id. */
static const cli_handler batch_handlers[COMMAND_COUNT] = {
	[COMMAND_SAVE] = cli_run_save,
	[COMMAND_EXPLAIN] = batch_explain,
	[COMMAND_COMPARE] = batch_compare,
	[COMMAND_HELP] = batch_help,
	[COMMAND_QUIT] = cli_run_quit,
	[COMMAND_WAIT] = cli_run_wait,
};

static const struct cli_frontend batch_frontend = {
	.handlers = batch_handlers,
	.skipped = "works on the screen only; skipped in batch mode",
	.errors_stop = true,
	.need_secret = batch_need_secret,
};

int
batch_run(struct frontend *fe, FILE *script)
{
	struct batch b;
	struct engine_status st;
	struct sigaction old_int, old_term;
	char *line = xmalloc(CLI_SCRIPT_LINE_MAX);
	char *err = NULL;
	enum cli_script_read got = CLI_SCRIPT_END;
	size_t i, lineno = 0;
	int status, sig;

	memset(&b, 0, sizeof b);
	b.fe = fe;
	b.engine = fe->engine;
	b.transcript = engine_transcript(fe->engine);
	b.run.engine = fe->engine;
	b.run.kb = fe->kb;
	b.run.frontend = &batch_frontend;
	b.run.ctx = &b;
	setvbuf(stdout, NULL, _IOLBF, 0);
	client_kb_warn(fe->kb);   /* a help file that does not parse says so here too */
	signals_catch(&old_int, &old_term);
	b.run.wake_fd = batch_wake[0];
	b.run.stop = &batch_signal;
	/* Entries recorded before the listener (the connection attempt) are printed first. */
	for (i = 0; i < transcript_count(b.transcript); i++)
		on_entry(&b, i);
	engine_set_listener(fe->engine, on_entry, &b);
	cli_run_until_idle(&b.run);
	while (!b.run.failed && batch_signal == 0 &&
	    (got = cli_script_read_line(script, line, CLI_SCRIPT_LINE_MAX)) != CLI_SCRIPT_END) {
		lineno++;
		if (got == CLI_SCRIPT_TOO_LONG) {
			printf("** script line %zu is longer than %d octets\n", lineno,
			    CLI_SCRIPT_LINE_MAX);
			b.run.failed = true;
			break;
		}
		engine_status(b.engine, &st);
		if (cli_script_line_is_comment(line, st.in_data))
			continue;
		b.step_negative = false;
		if (!cli_run_line(&b.run, line) || batch_signal != 0)
			break;
		if (fe->stop_on_failure && b.step_negative) {
			printf("-- stopping at the first failure (--stop-on-failure)\n");
			break;
		}
	}
	sig = batch_signal;
	if (ferror(script) && sig == 0) {
		printf("** cannot read the script: %s\n", strerror(errno));
		b.run.failed = true;
	}
	engine_status(b.engine, &st);
	if (st.connected && !b.run.failed && !b.quit_sent && sig == 0)
		printf("-- end of the script; closing the connection\n");
	engine_set_listener(fe->engine, NULL, NULL);
	if (sig != 0) {
		/* Kept in the transcript too, so a saved session says why it stops here. */
		char *text = xasprintf("interrupted by %s%s; stopping here, nothing more is sent",
		    sig == SIGINT ? "SIGINT (Ctrl-C)" : "SIGTERM", st.waiting ?
		    " while waiting for the server" : "");

		transcript_add(b.transcript, TRANSCRIPT_ERROR, text, strlen(text), NULL, false);
		printf("** %s\n", text);
		free(text);
	}
	if (fe->transcript_path != NULL) {
		if (export_save(b.transcript, fe->kb, fe->transcript_path, &err) < 0) {
			fprintf(stderr, "smtpscope: %s\n", err);
			free(err);
			b.run.failed = true;
		} else
			printf("-- transcript saved to %s\n", fe->transcript_path);
	}
	free(line);
	signals_restore(&old_int, &old_term);
	/* The shell's convention for a process ended by a signal: 128 + its number. */
	status = sig != 0 ? 128 + sig : b.run.failed ? 2 : b.negative ? 1 : 0;
	return status;
}
