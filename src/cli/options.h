/* options.h: the start-up steps the text subcommands (explain, compare, annotate) share: usage
 * errors said the same way, the --width option, and the knowledge base loaded with its
 * warnings. */
#ifndef SMTPSCOPE_CLI_OPTIONS_H
#define SMTPSCOPE_CLI_OPTIONS_H

struct kb;

/* The exit status of a usage error. */
#define CLI_EXIT_USAGE 2

/* Prints "smtpscope CMD: MESSAGE" and where to find help on standard error; returns
 * CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The value of --width: a number of columns from 20 to 1000, or 0 when arg is not one. */
int cli_parse_width(const char *arg);

/* Loads the knowledge base from help_dir (NULL: the usual places) in lang (NULL: from the
 * environment); prints its diagnostics, and a note when lang has no help, as warnings. NULL
 * after printing why, as "smtpscope CMD: ...". The caller frees the result with kb_free. */
struct kb *cli_load_kb(const char *cmd, const char *help_dir, const char *lang);

#endif
