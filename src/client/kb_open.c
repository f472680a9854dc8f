/* kb_open.c: loading the knowledge base for a front end, with its messages (see kb_open.h). */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/kb_open.h"
#include "core/knowledge/kb.h"

void
client_kb_warn(const struct kb *kb)
{
	size_t i;

	for (i = 0; kb != NULL && i < kb_diagnostic_count(kb); i++)
		fprintf(stderr, "smtpscope: warning: %s\n", kb_diagnostic(kb, i));
}

int
client_kb_open(struct client_kb *out, const char *cmd, const char *help_dir,
    const char *lang_option, unsigned flags)
{
	char *err = NULL;
	bool required = (flags & CLIENT_KB_REQUIRED) != 0;
	const char *unexplained = required ? "" : " (replies will not be explained)";

	memset(out, 0, sizeof *out);
	out->lang = kb_pick_language(lang_option);
	out->help_dir = kb_find_dir(help_dir, &err);
	if (out->help_dir != NULL)
		out->kb = kb_load(out->help_dir, out->lang, &err);
	if (out->kb == NULL) {
		fprintf(stderr, "smtpscope%s%s: %s%s\n", cmd != NULL ? " " : "",
		    cmd != NULL ? cmd : "", err != NULL ? err : "no knowledge base", unexplained);
		free(err);
		return required ? -1 : 0;
	}
	if ((flags & CLIENT_KB_WARN) == 0)
		return 0;
	client_kb_warn(out->kb);
	if (lang_option != NULL && strcmp(kb_language(out->kb), out->lang) != 0)
		fprintf(stderr, "smtpscope: warning: no help in language '%s' under %s; using "
		    "English\n", lang_option, out->help_dir);
	return 0;
}

void
client_kb_clear(struct client_kb *kb)
{
	kb_free(kb->kb);
	free(kb->help_dir);
	free(kb->lang);
	memset(kb, 0, sizeof *kb);
}
