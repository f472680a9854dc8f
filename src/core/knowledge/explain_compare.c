/* explain_compare.c: the side-by-side comparison of two codes (`compare 450 550`): a
 * summary, the differences field by field, and which one a reader is looking at. */
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

struct side {
	const char *text;            /* as typed */
	bool is_enhanced;
	int code;                    /* reply code */
	struct enhanced enh;
	const struct kb_entry *entry;
	const char *title;
	char *summary;
	const char *phase;           /* reply codes only */
	char *drawn_by;              /* in words */
	int cls;
};

/* "greeting MAIL RCPT" -> "the greeting, MAIL, RCPT" */
static char *
drawn_by_words(const struct kb *kb, const char *field)
{
	struct strbuf b = { 0 };
	char *copy, *word, *cursor;

	if (field == NULL)
		return NULL;
	copy = xstrdup(field);
	for (cursor = copy; (word = strtok_r(cursor, " \t\n,", &cursor)) != NULL;) {
		if (b.len > 0)
			strbuf_add(&b, ", ");
		strbuf_add(&b, strcasecmp(word, "greeting") == 0 || strcasecmp(word, "DATA-END") == 0 ?
		    explain_context_label(kb, word) : word);
	}
	free(copy);
	return b.len > 0 ? strbuf_take(&b) : NULL;
}

static bool
side_parse(const struct kb *kb, struct side *s, const char *text, char **errstr)
{
	char key[16];

	memset(s, 0, sizeof *s);
	s->text = text;
	if (explain_parse_reply_code(text, &s->code)) {
		snprintf(key, sizeof key, "%d", s->code);
		s->entry = kb_find(kb, "code", key, NULL);
		s->cls = s->code / 100;
		s->summary = explain_code_summary(kb, s->code);
		if (s->entry != NULL) {
			s->phase = kb_field(kb, s->entry, "phase");
			s->drawn_by = drawn_by_words(kb, kb_field(kb, s->entry, "drawn-by"));
		}
	} else if (explain_parse_enhanced(text, &s->enh)) {
		const char *subj = explain_subject_name(kb, s->enh.subject);

		s->is_enhanced = true;
		s->text = s->enh.text;
		s->entry = explain_find_enhanced(kb, &s->enh, NULL);
		s->cls = s->enh.cls;
		s->summary = xasprintf("%d.x.x %s; %s", s->cls, explain_status_class_name(kb, s->cls),
		    subj != NULL ? subj : kb_label(kb, "unknown-subject"));
	} else {
		*errstr = xasprintf("'%s' is neither a reply code (three digits, 2xx to 5xx, such as "
		    "550) nor an enhanced status code (such as 5.1.1)", text);
		return false;
	}
	s->title = s->entry != NULL ? kb_field(kb, s->entry, "title") : NULL;
	if (s->title == NULL)
		s->title = kb_label(kb, s->is_enhanced ? "unregistered-enhanced" : "unregistered");
	return true;
}

static void
side_free(struct side *s)
{
	free(s->summary);
	free(s->drawn_by);
}

static const char *
cls_word(const struct kb *kb, const struct side *s)
{
	return s->is_enhanced ? explain_status_class_name(kb, s->cls) : explain_class_name(kb, s->cls);
}

static const char *
permanence(const struct kb *kb, int cls)
{
	char label[16];

	snprintf(label, sizeof label, "retry-%d", cls);
	return kb_label(kb, label);
}

/* Appends one numbered item. */
static void
add_item(struct strbuf *b, int *n, char *text)
{
	char num[16];

	if (text == NULL)
		return;
	snprintf(num, sizeof num, "%s%d. ", b->len > 0 ? "\n" : "", ++*n);
	strbuf_add(b, num);
	strbuf_add(b, text);
	free(text);
}

static char *
compare_summary(const struct kb *kb, const struct side *a, const struct side *b)
{
	struct strbuf out = { 0 };
	const struct side *sides[2] = { a, b };
	char *s;
	int i;

	if (a->cls == b->cls)
		s = explain_fill2(kb, "compare-same-class", "a", a->text, "b", b->text);
	else
		s = explain_fill2(kb, "compare-different-class", "a", a->text, "b", b->text);
	{
		const char *kv[] = { "a", a->text, "b", b->text, "class", cls_word(kb, a),
			"class-a", cls_word(kb, a), "class-b", cls_word(kb, b), NULL };
		char *t = explain_fill(s, kv);

		free(s);
		strbuf_add(&out, t);
		free(t);
	}
	for (i = 0; i < 2; i++) {
		const struct side *x = sides[i];

		if (x->phase != NULL) {
			s = explain_fill2(kb, "compare-phase", "code", x->text, "phase", x->phase);
			strbuf_add(&out, " ");
			strbuf_add(&out, s);
			free(s);
		}
		if (x->drawn_by != NULL) {
			s = explain_fill2(kb, "compare-drawn-by", "code", x->text, "commands", x->drawn_by);
			strbuf_add(&out, " ");
			strbuf_add(&out, s);
			free(s);
		}
	}
	return strbuf_take(&out);
}

static char *
compare_differences(const struct kb *kb, const struct side *a, const struct side *b,
    const struct kb_entry *hand)
{
	struct strbuf out = { 0 };
	int n = 0;

	if (a->cls != b->cls) {
		const char *kv[] = { "a", a->text, "b", b->text, "class-a", cls_word(kb, a),
			"class-b", cls_word(kb, b), NULL };
		const char *kv2[] = { "a", a->text, "b", b->text, "retry-a", permanence(kb, a->cls),
			"retry-b", permanence(kb, b->cls), NULL };

		add_item(&out, &n, explain_fill(kb_label(kb, "difference-class"), kv));
		add_item(&out, &n, explain_fill(kb_label(kb, "difference-retry"), kv2));
	} else {
		const char *kv[] = { "a", a->text, "b", b->text, "class", cls_word(kb, a), NULL };

		add_item(&out, &n, explain_fill(kb_label(kb, "difference-same-class"), kv));
	}
	if (!a->is_enhanced && !b->is_enhanced &&
	    explain_code_category(a->code) != explain_code_category(b->code)) {
		char ca[16], cb[16];

		snprintf(ca, sizeof ca, "category-x%dz", explain_code_category(a->code));
		snprintf(cb, sizeof cb, "category-x%dz", explain_code_category(b->code));
		{
			const char *kv[] = { "a", a->text, "b", b->text, "category-a",
				kb_label(kb, ca), "category-b", kb_label(kb, cb), NULL };

			add_item(&out, &n, explain_fill(kb_label(kb, "difference-category"), kv));
		}
	}
	if (a->phase != NULL && b->phase != NULL && strcasecmp(a->phase, b->phase) != 0) {
		const char *kv[] = { "a", a->text, "b", b->text, "phase-a", a->phase, "phase-b",
			b->phase, NULL };

		add_item(&out, &n, explain_fill(kb_label(kb, "difference-phase"), kv));
	}
	if (a->drawn_by != NULL && b->drawn_by != NULL && strcmp(a->drawn_by, b->drawn_by) != 0) {
		const char *kv[] = { "a", a->text, "b", b->text, "commands-a", a->drawn_by,
			"commands-b", b->drawn_by, NULL };

		add_item(&out, &n, explain_fill(kb_label(kb, "difference-drawn-by"), kv));
	}
	if (a->is_enhanced && b->is_enhanced) {
		if (a->enh.subject != b->enh.subject) {
			const char *sa = explain_subject_name(kb, a->enh.subject);
			const char *sb = explain_subject_name(kb, b->enh.subject);
			const char *kv[] = { "a", a->text, "b", b->text, "subject-a",
				sa != NULL ? sa : kb_label(kb, "unknown-subject"), "subject-b",
				sb != NULL ? sb : kb_label(kb, "unknown-subject"), NULL };

			add_item(&out, &n, explain_fill(kb_label(kb, "difference-subject"), kv));
		}
		if (a->enh.detail != b->enh.detail || a->enh.subject != b->enh.subject) {
			const char *kv[] = { "a", a->text, "b", b->text, "title-a", a->title,
				"title-b", b->title, NULL };

			add_item(&out, &n, explain_fill(kb_label(kb, "difference-detail"), kv));
		}
	} else if (a->title != NULL && b->title != NULL) {
		const char *kv[] = { "a", a->text, "b", b->text, "title-a", a->title, "title-b",
			b->title, NULL };

		add_item(&out, &n, explain_fill(kb_label(kb, "difference-meaning"), kv));
	}
	if (hand != NULL) {
		const char *d = kb_field(kb, hand, "differences");
		const char *p = d;

		while (p != NULL && *p != '\0') {
			const char *nl = strchr(p, '\n');
			size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

			/* One difference per line; a written "- " or "3. " is not repeated. */
			if (len > 0) {
				const char *t = p;
				size_t skip = 0;

				if (len >= 2 && (t[0] == '-' || t[0] == '*') && t[1] == ' ')
					skip = 2;
				while (skip == 0 && skip < len && isdigit((unsigned char)t[skip]))
					skip++;
				if (skip > 0 && isdigit((unsigned char)t[0])) {
					if (skip + 1 < len && (t[skip] == '.' || t[skip] == ')') &&
					    t[skip + 1] == ' ')
						skip += 2;
					else
						skip = 0;
				}
				if (t[0] == ' ' && out.len > 0) {
					/* An indented line continues the difference above. */
					strbuf_add(&out, " ");
					while (*t == ' ')
						t++, len--;
					strbuf_addn(&out, t, len);
				} else {
					add_item(&out, &n, xstrndup(t + skip, len - skip));
				}
			}
			p = nl != NULL ? nl + 1 : NULL;
		}
	}
	return strbuf_take(&out);
}

static char *
compare_which(const struct kb *kb, const struct side *a, const struct side *b,
    const struct kb_entry *hand)
{
	struct strbuf out = { 0 };
	const struct side *sides[2] = { a, b };
	const char *w = hand != NULL ? kb_field(kb, hand, "which") : NULL;
	int i;

	if (w != NULL)
		return xstrdup(w);
	for (i = 0; i < 2; i++) {
		const char *when = sides[i]->entry != NULL ? kb_field(kb, sides[i]->entry, "when") :
		    NULL;
		char *first = explain_first_paragraph(when), *line;

		if (first == NULL || (first[0] == '-' && first[1] == ' ')) {
			/* A list cannot follow "when"; take its first item, continuation lines
			 * included. */
			char *item = NULL;

			if (first != NULL) {
				const char *end = strstr(first + 2, "\n- ");

				item = end != NULL ? xstrndup(first + 2, (size_t)(end - first - 2)) :
				    xstrdup(first + 2);
			}

			free(first);
			first = item;
		}
		if (first == NULL)
			first = xstrdup(cls_word(kb, sides[i]));
		line = explain_fill2(kb, "which-line", "code", sides[i]->text, "when", first);
		if (out.len > 0)
			strbuf_add(&out, "\n");
		strbuf_add(&out, "- ");
		strbuf_add(&out, line);
		free(line);
		free(first);
	}
	return strbuf_take(&out);
}

struct explanation *
explain_compare(const struct kb *kb, const char *a, const char *b, char **errstr)
{
	struct side sa, sb;
	struct explanation *ex;
	const struct side *sides[2] = { &sa, &sb };
	const struct kb_entry *hand;
	static const char *const fields[] = { "description", "when", "fix" };
	struct strbuf learn = { 0 };
	char *key, *dummy = NULL;
	size_t i, f;

	if (errstr == NULL)
		errstr = &dummy;
	*errstr = NULL;
	if (a == NULL || b == NULL || kb == NULL) {
		*errstr = xstrdup("compare needs two codes");
		return NULL;
	}
	if (!side_parse(kb, &sa, a, errstr))
		goto fail;
	if (!side_parse(kb, &sb, b, errstr)) {
		side_free(&sa);
		goto fail;
	}
	if (sa.is_enhanced != sb.is_enhanced) {
		*errstr = xasprintf("'%s' and '%s' are not the same kind of code: compare two reply "
		    "codes (450 550) or two enhanced status codes (5.1.1 5.7.1)", a, b);
		side_free(&sa);
		side_free(&sb);
		goto fail;
	}
	/* A hand-written comparison, in either order; X.N.N stands for any class. */
	hand = NULL;
	for (i = 0; i < 4 && hand == NULL; i++) {
		const char *x = i & 1 ? sb.text : sa.text, *y = i & 1 ? sa.text : sb.text;

		if (i >= 2 && !sa.is_enhanced)
			break;
		key = i < 2 ? xasprintf("%s/%s", x, y) : xasprintf("X%s/X%s", x + 1, y + 1);
		hand = kb_find(kb, "compare", key, NULL);
		free(key);
	}

	ex = explanation_new();
	ex->known = sa.entry != NULL && sb.entry != NULL;
	{
		char *ha = xasprintf("%s (%s)", sa.text, sa.title);
		char *hb = xasprintf("%s (%s)", sb.text, sb.title);

		ex->heading = explain_fill2(kb, "compare-heading", "a", ha, "b", hb);
		free(ha);
		free(hb);
	}
	ex->summary = xasprintf("%s: %s | %s: %s", sa.text, sa.summary, sb.text, sb.summary);
	explanation_add_owned(ex, kb, "summary", NULL, compare_summary(kb, &sa, &sb), 0);
	if (hand != NULL)
		explanation_add(ex, kb, "description", kb_field(kb, hand, "description"));
	for (i = 0; i < 2; i++) {
		const struct side *s = sides[i];

		if (s->entry == NULL) {
			char *note = s->is_enhanced ?
			    explain_fill1(kb, "enhanced-not-registered", "code", s->text) :
			    explain_fill1(kb, "code-not-registered", "code", s->text);
			char *label = xasprintf("%s — %s", kb_label(kb, "note"), s->text);

			explanation_add_owned(ex, kb, "note", label, note, 0);
			free(label);
			continue;
		}
		for (f = 0; f < sizeof fields / sizeof fields[0]; f++) {
			const char *t = kb_field(kb, s->entry, fields[f]);
			char *label;

			if (t == NULL)
				continue;
			label = xasprintf("%s — %s", kb_label(kb, fields[f]), s->text);
			explanation_add_owned(ex, kb, fields[f], label, xstrdup(t), 0);
			free(label);
		}
		explain_add_learn(&learn, kb_field(kb, s->entry, "learn"));
	}
	explanation_add_owned(ex, kb, "differences", NULL, compare_differences(kb, &sa, &sb, hand), 0);
	explanation_add_owned(ex, kb, "which", NULL, compare_which(kb, &sa, &sb, hand), 0);
	if (hand != NULL)
		explain_add_learn(&learn, kb_field(kb, hand, "learn"));
	explain_add_learn_section(ex, kb, &learn);
	side_free(&sa);
	side_free(&sb);
	free(dummy);
	return ex;
fail:
	if (errstr == &dummy)
		free(dummy);
	return NULL;
}
