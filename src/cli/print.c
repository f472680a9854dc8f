/* print.c: how the command-line front ends that run a session print it (see print.h). Bytes
 * from the wire go through the shared escaping rules, so no server can drive the terminal. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/print.h"
#include "core/conn/command.h"
#include "core/util/escape.h"
#include "core/knowledge/explain.h"
#include "core/knowledge/kb.h"
#include "core/record/transcript.h"

void
cli_print_entry(const struct transcript_entry *en)
{
	static const char *const marks[] = {
		[TRANSCRIPT_SENT] = "C:", [TRANSCRIPT_RECEIVED] = "S:", [TRANSCRIPT_EVENT] = "--",
		[TRANSCRIPT_WARNING] = "!!", [TRANSCRIPT_ERROR] = "**", [TRANSCRIPT_INFO] = "..",
	};
	const char *mark = (size_t)en->kind < sizeof marks / sizeof marks[0] &&
	    marks[en->kind] != NULL ? marks[en->kind] : "??";

	printf("%s ", mark);
	if (en->kind == TRANSCRIPT_SENT || en->kind == TRANSCRIPT_RECEIVED)
		escape_write(stdout, en->text, en->len, ESCAPE_NAMED);
	else  /* the engine's own words, with anything from the wire already escaped */
		fputs(en->text, stdout);
	putchar('\n');
}

void
cli_print_gloss(const struct kb *kb, const struct transcript_reply *tr, unsigned parts)
{
	const struct reply *r = tr->reply;
	const struct kb_entry *entry;
	const char *title = NULL, *etitle = NULL;
	static const char *const classes[] = { "", "", "positive completion",
		"positive intermediate: go on", "transient failure: try again later",
		"permanent failure" };

	if (kb != NULL && r->code != 0) {
		entry = kb_find(kb, "code", r->code_text, tr->after);
		title = entry ? kb_field(kb, entry, "title") : NULL;
		if (r->enhanced[0] != '\0' && (parts & CLI_GLOSS_ENHANCED)) {
			entry = kb_find(kb, "enhanced", r->enhanced, tr->after);
			etitle = entry ? kb_field(kb, entry, "title") : NULL;
		}
	}
	if (title == NULL && !(parts & CLI_GLOSS_CLASS))
		return;
	if (title == NULL)
		title = r->code >= 200 && r->code < 600 ? classes[r->code / 100] :
		    "not a valid reply code";
	printf("    -> %s %s", r->code ? r->code_text : "???", title);
	if (etitle != NULL)
		printf(" [%s: %s]", r->enhanced, etitle);
	if (tr->latency_us >= 0 && (parts & CLI_GLOSS_LATENCY))
		printf(" (%.1f ms)", (double)tr->latency_us / 1000.0);
	putchar('\n');
}

void
cli_print_prefixed(const char *text, const char *prefix)
{
	const char *p = text;

	while (*p != '\0') {
		size_t n = strcspn(p, "\n");

		printf("%.*s%.*s\n", n > 0 ? (int)strlen(prefix) : (int)strcspn(prefix, " "),
		    prefix, (int)n, p);
		p += n;
		if (*p == '\n')
			p++;
	}
}

void
cli_print_explanation(struct explanation *x, const char *prefix)
{
	char *text;

	if (x == NULL)
		return;
	text = explain_render_text(x, CLI_EXPLAIN_WIDTH);
	cli_print_prefixed(text, prefix);
	free(text);
	explanation_free(x);
}

void
cli_print_result(const char *text)
{
	if (text == NULL)
		return;
	fputs("=> ", stdout);
	for (; *text != '\0'; text++) {
		if ((unsigned char)*text < 0x20 || *text == 0x7f)
			printf("\\x%02x", (unsigned char)*text);
		else
			putchar(*text);
	}
	putchar('\n');
}

void
cli_print_local_command(const char *line, bool in_data)
{
	char *shown;

	if (line[0] != '/' || line[1] == '/' || in_data)
		return;
	shown = command_mask(line);
	printf("> %s\n", shown);
	free(shown);
}
