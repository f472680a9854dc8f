/* options.h: the start-up steps the text subcommands (explain, compare, annotate, lesson)
 * share: usage errors said the same way, the --width option, and the knowledge base for a
 * subcommand that needs it (loaded by client/kb_open.h, as every front end loads it). */
#ifndef SMTPSCOPE_CLI_OPTIONS_H
#define SMTPSCOPE_CLI_OPTIONS_H

#include <stdbool.h>

#include "client/kb_open.h"

struct kb;

/* The exit status of a usage error. */
#define CLI_EXIT_USAGE 2

/* Prints "smtpscope CMD: MESSAGE" and where to find help on standard error; returns
 * CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The value of --width: a number of columns from 20 to 1000, or 0 when arg is not one. */
int cli_parse_width(const char *arg);

/* client_kb_open for a subcommand that needs the knowledge base, with its warnings: it, or
 * NULL after saying why. The caller frees the result with kb_free. */
struct kb *cli_load_kb(const char *cmd, const char *help_dir, const char *lang);

#endif
