/* explain.h: builds explanations and comparisons as structured data (labelled sections) from the
 * knowledge base; front ends render them (plain text for the command line, panes for the TUI). */
#ifndef SMTPSCOPE_EXPLAIN_H
#define SMTPSCOPE_EXPLAIN_H

#include <stddef.h>

#include "core/knowledge/kb.h"
#include "core/proto/reply.h"

struct explanation_section {
	char *label;  /* already in the kb's language: "Description", "Deskripsi", ... */
	char *name;   /* the label's key: "description", "when", "fix", "learn", "next", ... */
	char *text;   /* the body; paragraphs separated by "\n\n", bullets start with "- " */
	int preformatted;  /* 1: lines kept as written (syntax, examples), never re-wrapped */
};

struct explanation {
	char *heading;   /* "550 Requested action not taken: mailbox unavailable" */
	char *summary;   /* one line: class and subject ("5xx permanent failure; mail system") */
	struct explanation_section *sections;
	size_t nsections;
	int known;       /* 0 when the exact code/word is not in the knowledge base */
};

/* A reply code, optionally with an enhanced code ("5.7.1" or NULL) and the command it answered
 * (an SMTP verb, "greeting", or NULL). Any syntactically valid code explains by class. */
struct explanation *explain_code(const struct kb *kb, int code, const char *enhanced,
    const char *after);

/* A parsed reply in its context: as explain_code, plus each EHLO keyword when after is "EHLO",
 * the decoded challenge of a 334, how to end the message for a 354, and the parser's
 * violations in words. */
struct explanation *explain_reply(const struct kb *kb, const struct reply *reply,
    const char *after);

/* Whatever a user typed: "550", "550 5.7.1", "5.1.1", "EHLO", "PIPELINING", a scenario name, or
 * a pasted reply ("550 5.7.1 Relaying denied", several lines allowed). NULL with *errstr set
 * (caller frees) when the word means nothing to smtpscope or the code is malformed. */
struct explanation *explain_word(const struct kb *kb, const char *word, char **errstr);

/* A named event ("connect-refused", "tls-verify-expired", ...) with an optional detail line. */
struct explanation *explain_event(const struct kb *kb, const char *event, const char *detail);

/* As explain_word, with the command a pasted reply or code answered (NULL for none). */
struct explanation *explain_word_after(const struct kb *kb, const char *word, const char *after,
    char **errstr);

/* Compares two codes (reply or enhanced): summary, each side's sections, numbered Key
 * Differences, When to Use Which. NULL with *errstr set when either side is not a code. */
struct explanation *explain_compare(const struct kb *kb, const char *a, const char *b,
    char **errstr);

/* Renders as plain text wrapped at width columns; the caller frees the result. */
char *explain_render_text(const struct explanation *explanation, int width);

void explanation_free(struct explanation *explanation);

/* Every label the explanations use (NULL-terminated), for completeness checks of labels.txt. */
extern const char *const explain_label_names[];

#endif
