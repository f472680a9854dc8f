/* options.h: the start-up steps the text subcommands (explain, compare, annotate, lesson)
 * share: usage errors said the same way, the --width option, and the knowledge base loaded with
 * its warnings, the one way every command-line path loads it. */
#ifndef SMTPSCOPE_CLI_OPTIONS_H
#define SMTPSCOPE_CLI_OPTIONS_H

#include <stdbool.h>

struct kb;

/* A knowledge base as loaded for a subcommand, with where it came from. */
struct cli_kb {
	struct kb *kb;       /* NULL when it did not load */
	char *help_dir;      /* the help folder found, or NULL */
	char *lang;          /* the language asked for ("en" by default) */
};

/* The exit status of a usage error. */
#define CLI_EXIT_USAGE 2

/* Prints "smtpscope CMD: MESSAGE" and where to find help on standard error; returns
 * CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The value of --width: a number of columns from 20 to 1000, or 0 when arg is not one. */
int cli_parse_width(const char *arg);

/* Loads the knowledge base from help_dir (NULL: the usual places) in lang (NULL: from the
 * environment) into out; prints its diagnostics, and a note when lang has no help, as warnings
 * on standard error. When it does not load, prints why as "smtpscope CMD: ..." and returns -1
 * when required; otherwise adds that replies will not be explained and returns 0 with out->kb
 * NULL. Free out with cli_kb_clear. */
int cli_kb_open(struct cli_kb *out, const char *cmd, const char *help_dir, const char *lang,
    bool required);
void cli_kb_clear(struct cli_kb *kb);

/* cli_kb_open for a subcommand that needs the knowledge base: it, or NULL after saying why.
 * The caller frees the result with kb_free. */
struct kb *cli_load_kb(const char *cmd, const char *help_dir, const char *lang);

/* Prints the knowledge base's diagnostics (a help file that does not parse) as warnings on
 * standard error; nothing for NULL. */
void cli_kb_warn(const struct kb *kb);

#endif
