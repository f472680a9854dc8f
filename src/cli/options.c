/* options.c: the start-up steps the text subcommands share (see options.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "core/knowledge/kb.h"

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "smtpscope %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'smtpscope %s --help' for more information.\n", cmd);
	return CLI_EXIT_USAGE;
}

int
cli_parse_width(const char *arg)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno != 0 || *end != '\0' || end == arg || n < 20 || n > 1000)
		return 0;
	return (int)n;
}

struct kb *
cli_load_kb(const char *cmd, const char *help_dir, const char *lang_option)
{
	char *err = NULL, *dir, *lang;
	struct kb *kb;
	size_t i;

	dir = kb_find_dir(help_dir, &err);
	if (dir == NULL) {
		fprintf(stderr, "smtpscope %s: %s\n", cmd, err);
		free(err);
		return NULL;
	}
	lang = kb_pick_language(lang_option);
	kb = kb_load(dir, lang, &err);
	if (kb == NULL) {
		fprintf(stderr, "smtpscope %s: %s\n", cmd, err);
		free(err);
	} else {
		for (i = 0; i < kb_diagnostic_count(kb); i++)
			fprintf(stderr, "smtpscope: warning: %s\n", kb_diagnostic(kb, i));
		if (lang_option != NULL && strcmp(kb_language(kb), lang) != 0)
			fprintf(stderr, "smtpscope: warning: no help in language '%s' under %s; "
			    "using English\n", lang_option, dir);
	}
	free(lang);
	free(dir);
	return kb;
}
