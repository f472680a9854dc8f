/* run.h: the loop the command-line front ends that run a session share (batch mode, lessons):
 * running the engine until nothing is in flight, for a pause, or until input arrives, and
 * carrying out one typed line: echo, submit, the password, the local command's handler found by
 * its id in the front end's table, errors. */
#ifndef SMTPSCOPE_CLI_RUN_H
#define SMTPSCOPE_CLI_RUN_H

#include <signal.h>
#include <stdbool.h>

#include "core/conn/command.h"
#include "core/conn/engine.h"

struct cli_run;

/* Carries out a front-end command; false stops the script. */
typedef bool (*cli_handler)(struct cli_run *run, const struct command *cmd);

/* What makes one front end differ from another; a const per front end. */
struct cli_frontend {
	const cli_handler *handlers;   /* COMMAND_COUNT entries, by command id; NULL: not here */
	const char *skipped;           /* printed after ".. /NAME " for a command without a
	                                * handler ("is for the screen; skipped here") */
	bool errors_stop;              /* an error (a refused line, a failed /save) stops the
	                                * script and counts as a failure */
	/* /auth without a password: provide one (engine_provide_secret) or say why not; false
	 * stops the script. */
	bool (*need_secret)(struct cli_run *run, const char *prompt);
	/* Besides nothing in flight, when waiting may stop (NULL: never sooner). */
	bool (*settled)(struct cli_run *run);
};

struct cli_run {
	struct engine *engine;
	const struct kb *kb;
	const struct cli_frontend *frontend;
	void *ctx;                    /* the front end's own state */
	int wake_fd;                  /* readable: stop waiting at once (a signal's pipe); -1 */
	volatile sig_atomic_t *stop;  /* non-zero: stop waiting (set by a signal handler); NULL */
	bool failed;                  /* an error that errors_stop counts */
};

/* Runs the engine until nothing is in flight (connected and answered, or failed). */
void cli_run_until_idle(struct cli_run *run);
/* Runs the engine for ms milliseconds whatever happens (a pause in a script). */
void cli_run_pause(struct cli_run *run, int ms);
/* Runs the engine until fd is readable (a line typed by hand is coming). */
void cli_run_until_input(struct cli_run *run, int fd);
/* Carries out one line as a script means it (see cli_script_submit), then runs the engine
 * until idle. Returns false when the script must stop. */
bool cli_run_line(struct cli_run *run, const char *line);

/* Handlers every command-line front end shares. */
bool cli_run_quit(struct cli_run *run, const struct command *cmd);  /* QUIT, then stop */
bool cli_run_save(struct cli_run *run, const struct command *cmd);  /* /save FILE */
bool cli_run_wait(struct cli_run *run, const struct command *cmd);  /* /wait SECONDS */

/* The longest pause /wait may ask for, in seconds. */
#define CLI_RUN_WAIT_MAX_S 120

#endif
