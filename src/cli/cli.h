/* cli.h: the entries of the text front ends, each writing to standard output: the subcommands
 * main() dispatches to, and batch mode, which the client's entry runs. */
#ifndef SMTPSCOPE_CLI_H
#define SMTPSCOPE_CLI_H

#include <stdio.h>

struct frontend;

/* Subcommands: argv[0] is the subcommand's name; each returns the process exit status. */
int cli_explain_main(int argc, char **argv);   /* explain_cmd.c */
int cli_compare_main(int argc, char **argv);   /* explain_cmd.c */
int cli_mx_main(int argc, char **argv);        /* mx_cmd.c */
int cli_annotate_main(int argc, char **argv);  /* annotate_cmd.c */
int cli_lesson_main(int argc, char **argv);    /* lesson_cmd.c */

/* Batch mode (batch.c): runs script's lines (or typed ones) against frontend's engine and
 * prints each reply with its gloss. Returns the process exit status. */
int batch_run(struct frontend *frontend, FILE *script);

#endif
