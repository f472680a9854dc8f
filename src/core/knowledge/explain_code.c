/* explain_code.c: the explanation of a reply code (RFC 5321's three digits): its class,
 * its category, the knowledge base's entry merged with an enhanced code's, what to learn
 * next; and the reading of a code as typed. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/knowledge/explain_internal.h"
#include "core/util/strbuf.h"
#include "core/util/xmalloc.h"

/* A reply code as typed: three digits, the first 2 to 5. */
bool
explain_parse_reply_code(const char *s, int *code)
{
	if (strlen(s) != 3 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]) || s[0] < '2' || s[0] > '5')
		return false;
	*code = atoi(s);
	return true;
}

/* Only digits, and as many as a reply code might have: what a user meant as a code. */
bool
explain_looks_like_number(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!isdigit((unsigned char)s[n]))
			return false;
	return n > 0;
}

/* The category of a code: its second digit. RFC 5321 defines x0z to x5z only; a higher digit
 * is read as x5z (mail system), the category of everything else the receiver reports. */
int
explain_code_category(int code)
{
	int d = (code / 10) % 10;

	return d > 5 ? 5 : d;
}

/* "5xx permanent failure; mail system" */
char *
explain_code_summary(const struct kb *kb, int code)
{
	char cls[16], cat[16];

	snprintf(cls, sizeof cls, "class-%d", code / 100);
	snprintf(cat, sizeof cat, "category-x%dz", explain_code_category(code));
	return xasprintf("%dxx %s; %s", code / 100, kb_label(kb, cls), kb_label(kb, cat));
}

const char *
explain_class_name(const struct kb *kb, int cls)
{
	char name[16];

	snprintf(name, sizeof name, "class-%d", cls);
	return kb_label(kb, name);
}

const char *
explain_status_class_name(const struct kb *kb, int cls)
{
	char name[24];

	snprintf(name, sizeof name, "status-class-%d", cls);
	return kb_label(kb, name);
}

/* The subject's name: the label (translated, and the same words as the summary), else the
 * @subject entry's title. NULL when the subject is not registered. */
const char *
explain_subject_name(const struct kb *kb, unsigned subject)
{
	char key[16], label[24];
	const struct kb_entry *e;
	const char *t;

	if (subject <= 7) {
		snprintf(label, sizeof label, "subject-%u", subject);
		t = kb_label(kb, label);
		if (strcmp(t, label) != 0)
			return t;
	}
	snprintf(key, sizeof key, "X.%u", subject);
	e = kb_find(kb, "subject", key, NULL);
	if (e != NULL && (t = kb_field(kb, e, "title")) != NULL)
		return t;
	return subject <= 7 ? kb_label(kb, label) : NULL;
}

/* Adds to b the text of one field for the code entry and then the enhanced entry, the second
 * under a short lead line naming the enhanced code. */
void
explain_merge_field(struct strbuf *b, const struct kb *kb, const struct kb_entry *code_entry,
    const struct kb_entry *enh_entry, const char *enh_text, const char *field)
{
	const char *c = code_entry != NULL ? kb_field(kb, code_entry, field) : NULL;
	const char *e = enh_entry != NULL ? kb_field(kb, enh_entry, field) : NULL;

	if (c != NULL) {
		explain_sb_para(b);
		strbuf_add(b, c);
	}
	if (e != NULL && e != c) {
		explain_sb_para(b);
		if (c != NULL) {
			strbuf_add(b, enh_text);
			strbuf_add(b, ":");
			strbuf_add(b, e[0] == '-' && e[1] == ' ' ? "\n" : " ");
		}
		strbuf_add(b, e);
	}
}

/* Learn More: each reference once, in order. */
void
explain_add_learn(struct strbuf *b, const char *learn)
{
	const char *p = learn;

	if (learn == NULL)
		return;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);

		if (n > 0) {
			char *line = xstrndup(p, n);
			const char *hit = b->s != NULL ? strstr(b->s, line) : NULL;

			if (hit == NULL) {
				if (b->len > 0)
					strbuf_add(b, "\n");
				strbuf_add(b, line);
			}
			free(line);
		}
		p = nl != NULL ? nl + 1 : p + n;
	}
}

void
explain_add_learn_section(struct explanation *ex, const struct kb *kb, struct strbuf *learn)
{
	char *text = strbuf_take(learn);

	explanation_add_owned(ex, kb, "learn", NULL, explain_as_list(text), 0);
	free(text);
}

const char *
explain_context_label(const struct kb *kb, const char *after)
{
	if (strcasecmp(after, "greeting") == 0)
		return kb_label(kb, "context-greeting");
	if (strcasecmp(after, "DATA-END") == 0)
		return kb_label(kb, "context-data-end");
	return after;
}

/* The explanation of code (already valid) with an optional enhanced code (valid or NULL). */
struct explanation *
explain_build_code(const struct kb *kb, int code, const struct enhanced *enh, const char *after)
{
	struct explanation *ex = explanation_new();
	const struct kb_entry *ce, *ee = NULL, *cls_e, *cat_e;
	struct strbuf b = { 0 }, learn = { 0 };
	char key[16], *s;
	const char *title;

	if (after != NULL && *after == '\0')
		after = NULL;
	snprintf(key, sizeof key, "%d", code);
	ce = kb_find(kb, "code", key, after);
	title = ce != NULL ? kb_field(kb, ce, "title") : NULL;
	if (enh != NULL)
		ee = explain_find_enhanced(kb, enh, after);
	ex->known = ce != NULL && (enh == NULL || ee != NULL);
	ex->heading = xasprintf("%d%s%s %s", code, enh != NULL ? " " : "",
	    enh != NULL ? enh->text : "", title != NULL ? title : kb_label(kb, "unregistered"));
	s = explain_code_summary(kb, code);
	if (after != NULL) {
		char *ctx = explain_fill1(kb, "in-answer-to", "command", explain_context_label(kb, after));

		ex->summary = xasprintf("%s (%s)", s, ctx);
		free(ctx);
		free(s);
	} else {
		ex->summary = s;
	}

	/* What is not registered is said first, so nobody mistakes a guess for a fact. */
	if (ce == NULL) {
		s = explain_fill1(kb, "code-not-registered", "code", key);
		strbuf_add(&b, s);
		free(s);
		if ((code / 10) % 10 > 5) {
			char digit[4];

			snprintf(digit, sizeof digit, "%d", (code / 10) % 10);
			s = explain_fill1(kb, "category-undefined", "digit", digit);
			explain_sb_para(&b);
			strbuf_add(&b, s);
			free(s);
		}
	}
	if (enh != NULL && (enh->cls != code / 100) && code / 100 != 3) {
		s = explain_fill2(kb, "enhanced-class-mismatch", "code", key, "enhanced", enh->text);
		explain_sb_para(&b);
		strbuf_add(&b, s);
		free(s);
	}
	if (enh != NULL && ee == NULL) {
		s = explain_fill1(kb, "enhanced-not-registered", "code", enh->text);
		explain_sb_para(&b);
		strbuf_add(&b, s);
		free(s);
	}
	explanation_add_owned(ex, kb, "note", NULL, strbuf_take(&b), 0);

	if (enh != NULL)
		explanation_add_owned(ex, kb, "enhanced", NULL, explain_enhanced_breakdown(kb, enh, after), 0);

	snprintf(key, sizeof key, "%d", code / 100);
	cls_e = kb_find(kb, "class", key, NULL);
	snprintf(key, sizeof key, "x%dz", explain_code_category(code));
	cat_e = kb_find(kb, "category", key, NULL);

	if (ce != NULL) {
		explain_merge_field(&b, kb, ce, ee, enh != NULL ? enh->text : "", "description");
		explanation_add_owned(ex, kb, "description", NULL, strbuf_take(&b), 0);
		explain_merge_field(&b, kb, ce, ee, enh != NULL ? enh->text : "", "when");
		explanation_add_owned(ex, kb, "when", NULL, strbuf_take(&b), 0);
		explain_merge_field(&b, kb, ce, ee, enh != NULL ? enh->text : "", "fix");
		explanation_add_owned(ex, kb, "fix", NULL, strbuf_take(&b), 0);
		explanation_add_owned(ex, kb, "next", NULL, explain_as_list(kb_field(kb, ce, "next")), 0);
		explain_add_learn(&learn, kb_field(kb, ce, "learn"));
	} else {
		/* Not registered: what the class and the category say, then the enhanced code. */
		const struct kb_entry *fallback = ee != NULL ? ee : cls_e;

		explain_merge_field(&b, kb, cls_e, NULL, "", "description");
		explain_merge_field(&b, kb, cat_e, NULL, "", "description");
		if (ee != NULL)
			explain_merge_field(&b, kb, NULL, ee, enh->text, "description");
		explanation_add_owned(ex, kb, "description", NULL, strbuf_take(&b), 0);
		explain_merge_field(&b, kb, fallback, NULL, "", "when");
		explanation_add_owned(ex, kb, "when", NULL, strbuf_take(&b), 0);
		explain_merge_field(&b, kb, fallback, NULL, "", "fix");
		explanation_add_owned(ex, kb, "fix", NULL, strbuf_take(&b), 0);
		explain_add_learn(&learn, cls_e != NULL ? kb_field(kb, cls_e, "learn") : NULL);
	}
	if (ee != NULL)
		explain_add_learn(&learn, kb_field(kb, ee, "learn"));
	explain_add_learn_section(ex, kb, &learn);
	return ex;
}

struct explanation *
explain_code(const struct kb *kb, int code, const char *enhanced, const char *after)
{
	struct enhanced enh;
	bool have_enh = enhanced != NULL && *enhanced != '\0' && explain_parse_enhanced(enhanced, &enh);

	if (code < 200 || code > 599) {
		struct explanation *ex = explanation_new();
		char num[16];

		snprintf(num, sizeof num, "%d", code);
		ex->heading = xasprintf("%s", num);
		ex->summary = xstrdup(kb_label(kb, "not-a-code"));
		explanation_add_owned(ex, kb, "note", NULL, explain_fill1(kb, "bad-code-text", "code", num), 0);
		return ex;
	}
	return explain_build_code(kb, code, have_enh ? &enh : NULL, after);
}
