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
	struct client_kb loaded;
	struct kb *kb;

	if (client_kb_open(&loaded, cmd, help_dir, lang_option,
	    CLIENT_KB_REQUIRED | CLIENT_KB_WARN) < 0) {
		client_kb_clear(&loaded);
		return NULL;
	}
	kb = loaded.kb;
	loaded.kb = NULL;
	client_kb_clear(&loaded);
	return kb;
}
