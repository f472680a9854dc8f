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

void
cli_kb_warn(const struct kb *kb)
{
	size_t i;

	for (i = 0; kb != NULL && i < kb_diagnostic_count(kb); i++)
		fprintf(stderr, "smtpscope: warning: %s\n", kb_diagnostic(kb, i));
}

int
cli_kb_open(struct cli_kb *out, const char *cmd, const char *help_dir, const char *lang_option,
    bool required)
{
	char *err = NULL;
	const char *unexplained = required ? "" : " (replies will not be explained)";

	memset(out, 0, sizeof *out);
	out->lang = kb_pick_language(lang_option);
	out->help_dir = kb_find_dir(help_dir, &err);
	if (out->help_dir != NULL)
		out->kb = kb_load(out->help_dir, out->lang, &err);
	if (out->kb == NULL) {
		fprintf(stderr, "smtpscope %s: %s%s\n", cmd, err != NULL ? err : "no knowledge base",
		    unexplained);
		free(err);
		return required ? -1 : 0;
	}
	cli_kb_warn(out->kb);
	if (lang_option != NULL && strcmp(kb_language(out->kb), out->lang) != 0)
		fprintf(stderr, "smtpscope: warning: no help in language '%s' under %s; using "
		    "English\n", lang_option, out->help_dir);
	return 0;
}

void
cli_kb_clear(struct cli_kb *kb)
{
	kb_free(kb->kb);
	free(kb->help_dir);
	free(kb->lang);
	memset(kb, 0, sizeof *kb);
}

struct kb *
cli_load_kb(const char *cmd, const char *help_dir, const char *lang_option)
{
	struct cli_kb loaded;
	struct kb *kb;

	if (cli_kb_open(&loaded, cmd, help_dir, lang_option, true) < 0) {
		cli_kb_clear(&loaded);
		return NULL;
	}
	kb = loaded.kb;
	loaded.kb = NULL;
	cli_kb_clear(&loaded);
	return kb;
}
