/* frontend.h: what every front end gets, and the entry points main() dispatches to. */
#ifndef SMTPSCOPE_FRONTEND_H
#define SMTPSCOPE_FRONTEND_H

#include <stdbool.h>
#include <stdio.h>

#include "core/conn/engine.h"
#include "core/knowledge/kb.h"
#include "client/practice.h"

struct frontend {
	struct engine *engine;
	struct kb *kb;
	struct practice *practice;    /* the built-in practice server, or NULL for a real host */
	const char *target;           /* what the user asked to connect to (NULL: practice) */
	const char *help_dir;
	const char *lang;
	bool no_color;
	bool show_secrets;
	bool explain_all;             /* batch: full explanations instead of one-line glosses */
	bool stop_on_failure;         /* batch: stop at the first negative reply */
	const char *transcript_path;  /* --transcript FILE: saved when the session ends */
};

/* Why a session to the practice server goes on when its certificate does not verify (it is
 * made up at start, self-signed): the words of the warning. */
#define PRACTICE_UNVERIFIED_WHY "the practice server (its certificate is self-signed by design)"

/* Subcommands: argv[0] is the subcommand's name; each returns the process exit status. */
int cli_explain_main(int argc, char **argv);   /* src/cli/explain_cmd.c */
int cli_compare_main(int argc, char **argv);   /* src/cli/explain_cmd.c */
int cli_mx_main(int argc, char **argv);        /* src/cli/mx_cmd.c */
int server_main(int argc, char **argv);        /* src/server/server_main.c */
int cli_annotate_main(int argc, char **argv);  /* src/cli/annotate_cmd.c */
int cli_lesson_main(int argc, char **argv);    /* src/cli/lesson_cmd.c */
int cli_replay_main(int argc, char **argv);    /* src/tui/replay_cmd.c */
/* The client: global options, then batch mode or the screen (src/client/client.c). */
int client_main(int argc, char **argv);
/* The client's options, one per line, for --help (src/client/client.c). */
void client_print_options(FILE *out);

/* The two client front ends; each returns the process exit status. */
int batch_run(struct frontend *frontend, FILE *script);   /* src/cli/batch.c */
int tui_run(struct frontend *frontend);                   /* src/tui/tui.c */

#endif
