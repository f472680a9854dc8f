/* explain.c: the explanation an explain_* function returns (sections added one by one, freed with
 * explanation_free), the fixed texts it is built from (labels of the knowledge base, filled
 * in), and the list of every label the explanations ask for. The explanations themselves are
 * in explain_code.c (reply codes), explain_enhanced.c (enhanced status codes), explain_reply.c
 * (a reply in its context), explain_entry.c (commands, keywords, scenarios, events),
 * explain_word.c (what a typed word is), explain_compare.c and explain_render.c. Every fixed
 * text comes from a label, so a translation of help/<lang>/labels.txt translates the
 * explanations too. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/knowledge/explain_internal.h"
#include "core/util/strbuf.h"
#include "core/util/xmalloc.h"

/* Every label the explain_*.c files ask the knowledge base for (help/en/labels.txt gives each). */
const char *const explain_label_names[] = {
	"description", "when", "when-use", "fix", "next", "learn", "summary", "differences",
	"which",
	"note", "enhanced", "keywords", "challenge", "end-of-data", "violations", "syntax",
	"example", "replies", "parameters", "as-keyword", "detail", "class-2", "class-3",
	"class-4", "class-5", "category-x0z", "category-x1z", "category-x2z", "category-x3z",
	"category-x4z", "category-x5z", "status-class-2", "status-class-4", "status-class-5",
	"subject-0", "subject-1", "subject-2", "subject-3", "subject-4", "subject-5",
	"subject-6", "subject-7", "word-class", "word-subject", "word-detail",
	"unknown-subject", "kind-command", "kind-command-keyword", "kind-keyword",
	"kind-scenario", "kind-event", "context-greeting", "context-data-end", "in-answer-to",
	"unregistered", "unregistered-enhanced", "code-not-registered",
	"enhanced-not-registered", "category-undefined", "subject-not-registered",
	"subject-not-registered-code", "detail-not-registered", "enhanced-class-mismatch",
	"not-a-code", "bad-code-text", "keyword-unknown", "challenge-decoded",
	"challenge-empty", "challenge-binary", "challenge-not-base64", "end-of-data-text",
	"violation-code-mismatch", "violation-no-separator", "violation-bad-code",
	"violation-bare-lf", "violation-bare-cr", "violation-nul", "violation-line-too-long",
	"violation-non-ascii", "violation-truncated", "compare-heading", "compare-same-class",
	"compare-different-class", "compare-phase", "compare-drawn-by", "difference-class",
	"difference-retry", "difference-same-class", "difference-category", "difference-phase",
	"difference-drawn-by", "difference-subject", "difference-detail", "difference-meaning",
	"which-line", "retry-2", "retry-3", "retry-4", "retry-5", NULL
};

/* Starts a new paragraph when the buffer already holds text. */
void
explain_sb_para(struct strbuf *b)
{
	if (b->len > 0)
		strbuf_add(b, "\n\n");
}

/* Fills a label template: each {name} becomes its value from the NULL-terminated name/value
 * list; an unknown {name} stays as written. Labels are user-editable text, so they are never
 * used as printf formats. */
char *
explain_fill(const char *tmpl, const char *const *kv)
{
	struct strbuf b = { 0 };
	const char *p = tmpl;

	while (*p != '\0') {
		const char *open = strchr(p, '{'), *close;
		size_t i;
		bool done = false;

		if (open == NULL) {
			strbuf_add(&b, p);
			break;
		}
		strbuf_addn(&b, p, (size_t)(open - p));
		close = strchr(open, '}');
		if (close == NULL) {
			strbuf_add(&b, open);
			break;
		}
		for (i = 0; kv[i] != NULL && kv[i + 1] != NULL; i += 2) {
			if (strlen(kv[i]) == (size_t)(close - open - 1) &&
			    strncmp(kv[i], open + 1, (size_t)(close - open - 1)) == 0) {
				strbuf_add(&b, kv[i + 1]);
				done = true;
				break;
			}
		}
		if (!done)
			strbuf_addn(&b, open, (size_t)(close - open + 1));
		p = close + 1;
	}
	return strbuf_take(&b);
}

char *
explain_fill1(const struct kb *kb, const char *label, const char *k1, const char *v1)
{
	const char *kv[] = { k1, v1, NULL };

	return explain_fill(kb_label(kb, label), kv);
}

char *
explain_fill2(const struct kb *kb, const char *label, const char *k1, const char *v1,
    const char *k2, const char *v2)
{
	const char *kv[] = { k1, v1, k2, v2, NULL };

	return explain_fill(kb_label(kb, label), kv);
}

struct explanation *
explanation_new(void)
{
	return xcalloc(1, sizeof(struct explanation));
}

/* Adds a section; takes text (may be NULL or empty: then nothing is added). */
void
explanation_add_owned(struct explanation *ex, const struct kb *kb, const char *name,
    const char *label, char *text, int preformatted)
{
	struct explanation_section *s;

	if (text == NULL || *text == '\0') {
		free(text);
		return;
	}
	ex->sections = xreallocarray(ex->sections, ex->nsections + 1, sizeof *ex->sections);
	s = &ex->sections[ex->nsections++];
	s->name = xstrdup(name);
	s->label = xstrdup(label != NULL ? label : kb_label(kb, name));
	s->text = text;
	s->preformatted = preformatted;
}

void
explanation_add(struct explanation *ex, const struct kb *kb, const char *name, const char *text)
{
	if (text != NULL && *text != '\0')
		explanation_add_owned(ex, kb, name, NULL, xstrdup(text), 0);
}

/* A field written one item per line, as a list: each line not already a list item becomes one. */
char *
explain_as_list(const char *text)
{
	struct strbuf b = { 0 };
	const char *p = text;

	if (text == NULL)
		return NULL;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);

		if (n > 0) {
			bool item = (n >= 2 && (p[0] == '-' || p[0] == '*') && p[1] == ' ') ||
			    p[0] == ' ';
			size_t d = 0;

			while (d < n && isdigit((unsigned char)p[d]))
				d++;
			if (d > 0 && d + 1 < n && (p[d] == '.' || p[d] == ')') && p[d + 1] == ' ')
				item = true;
			if (b.len > 0)
				strbuf_add(&b, "\n");
			if (!item)
				strbuf_add(&b, "- ");
			strbuf_addn(&b, p, n);
		} else if (b.len > 0 && nl != NULL) {
			strbuf_add(&b, "\n");
		}
		p = nl != NULL ? nl + 1 : p + n;
	}
	return strbuf_take(&b);
}

/* The first paragraph of a text, as a new string. */
char *
explain_first_paragraph(const char *text)
{
	const char *end;

	if (text == NULL)
		return NULL;
	end = strstr(text, "\n\n");
	return end != NULL ? xstrndup(text, (size_t)(end - text)) : xstrdup(text);
}

void
explanation_free(struct explanation *ex)
{
	size_t i;

	if (ex == NULL)
		return;
	for (i = 0; i < ex->nsections; i++) {
		free(ex->sections[i].label);
		free(ex->sections[i].name);
		free(ex->sections[i].text);
	}
	free(ex->sections);
	free(ex->heading);
	free(ex->summary);
	free(ex);
}
