/* explain.c: turns knowledge base entries into explanations: a heading, a one-line summary and
 * labelled sections (Description, When You See It, How to Fix, ...) for a reply code, an
 * enhanced status code, a reply in its context, a command, a keyword, a scenario or an event,
 * and side-by-side comparisons of two codes. Every fixed text comes from a label, so a
 * translation of help/<lang>/labels.txt translates the explanations too. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/knowledge/explain.h"
#include "core/util/strbuf.h"
#include "core/proto/sasl.h"
#include "core/util/xmalloc.h"

/* A pasted reply is never longer than this many lines or bytes (it is text a person typed). */
#define EXPLAIN_PASTE_MAX (64u * 1024)
/* EHLO keywords explained per reply; a server listing more is unusual and gets cut. */
#define EXPLAIN_KEYWORDS_MAX 64

/* Every label this file asks the knowledge base for (help/en/labels.txt gives each). */
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
static void
sb_para(struct strbuf *b)
{
	if (b->len > 0)
		strbuf_add(b, "\n\n");
}

/* Fills a label template: each {name} becomes its value from the NULL-terminated name/value
 * list; an unknown {name} stays as written. Labels are user-editable text, so they are never
 * used as printf formats. */
static char *
fill(const char *tmpl, const char *const *kv)
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

static char *
fill1(const struct kb *kb, const char *label, const char *k1, const char *v1)
{
	const char *kv[] = { k1, v1, NULL };

	return fill(kb_label(kb, label), kv);
}

static char *
fill2(const struct kb *kb, const char *label, const char *k1, const char *v1, const char *k2,
    const char *v2)
{
	const char *kv[] = { k1, v1, k2, v2, NULL };

	return fill(kb_label(kb, label), kv);
}

/* ---- building explanations ---- */

static struct explanation *
ex_new(void)
{
	return xcalloc(1, sizeof(struct explanation));
}

/* Adds a section; takes text (may be NULL or empty: then nothing is added). */
static void
ex_add_owned(struct explanation *ex, const struct kb *kb, const char *name, const char *label,
    char *text, int preformatted)
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

static void
ex_add(struct explanation *ex, const struct kb *kb, const char *name, const char *text)
{
	if (text != NULL && *text != '\0')
		ex_add_owned(ex, kb, name, NULL, xstrdup(text), 0);
}

/* A field written one item per line, as a list: each line not already a list item becomes one. */
static char *
as_list(const char *text)
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
static char *
first_paragraph(const char *text)
{
	const char *end;

	if (text == NULL)
		return NULL;
	end = strstr(text, "\n\n");
	return end != NULL ? xstrndup(text, (size_t)(end - text)) : xstrdup(text);
}

/* ---- codes ---- */

/* A reply code as typed: three digits, the first 2 to 5. */
static bool
parse_reply_code(const char *s, int *code)
{
	if (strlen(s) != 3 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]) || s[0] < '2' || s[0] > '5')
		return false;
	*code = atoi(s);
	return true;
}

/* Only digits, and as many as a reply code might have: what a user meant as a code. */
static bool
looks_like_number(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!isdigit((unsigned char)s[n]))
			return false;
	return n > 0;
}

struct enhanced {
	int cls;          /* 2, 4 or 5 */
	unsigned subject; /* 0..999 */
	unsigned detail;  /* 0..999 */
	char text[16];    /* "5.7.1" */
};

/* class.subject.detail: class 2, 4 or 5, then 1-3 digits and 1-3 digits (RFC 3463). */
static bool
parse_enhanced(const char *s, struct enhanced *out)
{
	const char *p = s;
	unsigned part[2];
	int i;

	if (*p != '2' && *p != '4' && *p != '5')
		return false;
	out->cls = *p - '0';
	p++;
	for (i = 0; i < 2; i++) {
		size_t n = 0;

		if (*p++ != '.')
			return false;
		part[i] = 0;
		while (isdigit((unsigned char)*p) && n < 4) {
			part[i] = part[i] * 10 + (unsigned)(*p - '0');
			p++;
			n++;
		}
		if (n == 0 || n > 3)
			return false;
	}
	if (*p != '\0')
		return false;
	out->subject = part[0];
	out->detail = part[1];
	snprintf(out->text, sizeof out->text, "%d.%u.%u", out->cls, out->subject, out->detail);
	return true;
}

/* What a user meant as an enhanced code: a digit or X, a dot, and nothing but digits, dots and
 * letters, so "5.x.1" is a malformed enhanced code rather than an unknown word. */
static bool
looks_like_enhanced(const char *s)
{
	if (!(isdigit((unsigned char)s[0]) || s[0] == 'X' || s[0] == 'x') || s[1] != '.')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '.')
			return false;
	return true;
}

/* The category of a code: its second digit. RFC 5321 defines x0z to x5z only; a higher digit
 * is read as x5z (mail system), the category of everything else the receiver reports. */
static int
code_category(int code)
{
	int d = (code / 10) % 10;

	return d > 5 ? 5 : d;
}

/* "5xx permanent failure; mail system" */
static char *
code_summary(const struct kb *kb, int code)
{
	char cls[16], cat[16];

	snprintf(cls, sizeof cls, "class-%d", code / 100);
	snprintf(cat, sizeof cat, "category-x%dz", code_category(code));
	return xasprintf("%dxx %s; %s", code / 100, kb_label(kb, cls), kb_label(kb, cat));
}

static const char *
class_name(const struct kb *kb, int cls)
{
	char name[16];

	snprintf(name, sizeof name, "class-%d", cls);
	return kb_label(kb, name);
}

static const char *
status_class_name(const struct kb *kb, int cls)
{
	char name[24];

	snprintf(name, sizeof name, "status-class-%d", cls);
	return kb_label(kb, name);
}

/* The subject's name: the label (translated, and the same words as the summary), else the
 * @subject entry's title. NULL when the subject is not registered. */
static const char *
subject_name(const struct kb *kb, unsigned subject)
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

/* The entry of the exact enhanced code (5.7.1, else X.7.1), or NULL. */
static const struct kb_entry *
find_enhanced(const struct kb *kb, const struct enhanced *enh, const char *after)
{
	return kb_find(kb, "enhanced", enh->text, after);
}

/* The class / subject / detail breakdown, as a list. */
static char *
enhanced_breakdown(const struct kb *kb, const struct enhanced *enh, const char *after)
{
	struct strbuf b = { 0 };
	const struct kb_entry *e;
	const char *t, *d;
	char key[16], *line;

	line = xasprintf("- %s %d: %s", kb_label(kb, "word-class"), enh->cls,
	    status_class_name(kb, enh->cls));
	strbuf_add(&b, line);
	free(line);

	snprintf(key, sizeof key, "X.%u", enh->subject);
	t = subject_name(kb, enh->subject);
	e = kb_find(kb, "subject", key, NULL);
	d = e != NULL ? kb_field(kb, e, "description") : NULL;
	if (t != NULL) {
		char *p = first_paragraph(d);

		line = xasprintf("\n- %s %s: %s%s%s", kb_label(kb, "word-subject"), key, t,
		    p != NULL ? ". " : "", p != NULL ? p : "");
		free(p);
	} else {
		char *nr = fill1(kb, "subject-not-registered", "subject", key);

		line = xasprintf("\n- %s %s: %s", kb_label(kb, "word-subject"), key, nr);
		free(nr);
	}
	strbuf_add(&b, line);
	free(line);

	e = find_enhanced(kb, enh, after);
	t = e != NULL ? kb_field(kb, e, "title") : NULL;
	if (t != NULL) {
		line = xasprintf("\n- %s %s: %s", kb_label(kb, "word-detail"), enh->text, t);
	} else {
		char *nr = fill1(kb, "detail-not-registered", "code", enh->text);

		line = xasprintf("\n- %s %s: %s", kb_label(kb, "word-detail"), enh->text, nr);
		free(nr);
	}
	strbuf_add(&b, line);
	free(line);
	return strbuf_take(&b);
}

/* Adds to b the text of one field for the code entry and then the enhanced entry, the second
 * under a short lead line naming the enhanced code. */
static void
merge_field(struct strbuf *b, const struct kb *kb, const struct kb_entry *code_entry,
    const struct kb_entry *enh_entry, const char *enh_text, const char *field)
{
	const char *c = code_entry != NULL ? kb_field(kb, code_entry, field) : NULL;
	const char *e = enh_entry != NULL ? kb_field(kb, enh_entry, field) : NULL;

	if (c != NULL) {
		sb_para(b);
		strbuf_add(b, c);
	}
	if (e != NULL && e != c) {
		sb_para(b);
		if (c != NULL) {
			strbuf_add(b, enh_text);
			strbuf_add(b, ":");
			strbuf_add(b, e[0] == '-' && e[1] == ' ' ? "\n" : " ");
		}
		strbuf_add(b, e);
	}
}

/* Learn More: each reference once, in order. */
static void
add_learn(struct strbuf *b, const char *learn)
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

static void
add_learn_section(struct explanation *ex, const struct kb *kb, struct strbuf *learn)
{
	char *text = strbuf_take(learn);

	ex_add_owned(ex, kb, "learn", NULL, as_list(text), 0);
	free(text);
}

static const char *
context_label(const struct kb *kb, const char *after)
{
	if (strcasecmp(after, "greeting") == 0)
		return kb_label(kb, "context-greeting");
	if (strcasecmp(after, "DATA-END") == 0)
		return kb_label(kb, "context-data-end");
	return after;
}

/* The explanation of code (already valid) with an optional enhanced code (valid or NULL). */
static struct explanation *
build_code(const struct kb *kb, int code, const struct enhanced *enh, const char *after)
{
	struct explanation *ex = ex_new();
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
		ee = find_enhanced(kb, enh, after);
	ex->known = ce != NULL && (enh == NULL || ee != NULL);
	ex->heading = xasprintf("%d%s%s %s", code, enh != NULL ? " " : "",
	    enh != NULL ? enh->text : "", title != NULL ? title : kb_label(kb, "unregistered"));
	s = code_summary(kb, code);
	if (after != NULL) {
		char *ctx = fill1(kb, "in-answer-to", "command", context_label(kb, after));

		ex->summary = xasprintf("%s (%s)", s, ctx);
		free(ctx);
		free(s);
	} else {
		ex->summary = s;
	}

	/* What is not registered is said first, so nobody mistakes a guess for a fact. */
	if (ce == NULL) {
		s = fill1(kb, "code-not-registered", "code", key);
		strbuf_add(&b, s);
		free(s);
		if ((code / 10) % 10 > 5) {
			char digit[4];

			snprintf(digit, sizeof digit, "%d", (code / 10) % 10);
			s = fill1(kb, "category-undefined", "digit", digit);
			sb_para(&b);
			strbuf_add(&b, s);
			free(s);
		}
	}
	if (enh != NULL && (enh->cls != code / 100) && code / 100 != 3) {
		s = fill2(kb, "enhanced-class-mismatch", "code", key, "enhanced", enh->text);
		sb_para(&b);
		strbuf_add(&b, s);
		free(s);
	}
	if (enh != NULL && ee == NULL) {
		s = fill1(kb, "enhanced-not-registered", "code", enh->text);
		sb_para(&b);
		strbuf_add(&b, s);
		free(s);
	}
	ex_add_owned(ex, kb, "note", NULL, strbuf_take(&b), 0);

	if (enh != NULL)
		ex_add_owned(ex, kb, "enhanced", NULL, enhanced_breakdown(kb, enh, after), 0);

	snprintf(key, sizeof key, "%d", code / 100);
	cls_e = kb_find(kb, "class", key, NULL);
	snprintf(key, sizeof key, "x%dz", code_category(code));
	cat_e = kb_find(kb, "category", key, NULL);

	if (ce != NULL) {
		merge_field(&b, kb, ce, ee, enh != NULL ? enh->text : "", "description");
		ex_add_owned(ex, kb, "description", NULL, strbuf_take(&b), 0);
		merge_field(&b, kb, ce, ee, enh != NULL ? enh->text : "", "when");
		ex_add_owned(ex, kb, "when", NULL, strbuf_take(&b), 0);
		merge_field(&b, kb, ce, ee, enh != NULL ? enh->text : "", "fix");
		ex_add_owned(ex, kb, "fix", NULL, strbuf_take(&b), 0);
		ex_add_owned(ex, kb, "next", NULL, as_list(kb_field(kb, ce, "next")), 0);
		add_learn(&learn, kb_field(kb, ce, "learn"));
	} else {
		/* Not registered: what the class and the category say, then the enhanced code. */
		const struct kb_entry *fallback = ee != NULL ? ee : cls_e;

		merge_field(&b, kb, cls_e, NULL, "", "description");
		merge_field(&b, kb, cat_e, NULL, "", "description");
		if (ee != NULL)
			merge_field(&b, kb, NULL, ee, enh->text, "description");
		ex_add_owned(ex, kb, "description", NULL, strbuf_take(&b), 0);
		merge_field(&b, kb, fallback, NULL, "", "when");
		ex_add_owned(ex, kb, "when", NULL, strbuf_take(&b), 0);
		merge_field(&b, kb, fallback, NULL, "", "fix");
		ex_add_owned(ex, kb, "fix", NULL, strbuf_take(&b), 0);
		add_learn(&learn, cls_e != NULL ? kb_field(kb, cls_e, "learn") : NULL);
	}
	if (ee != NULL)
		add_learn(&learn, kb_field(kb, ee, "learn"));
	add_learn_section(ex, kb, &learn);
	return ex;
}

struct explanation *
explain_code(const struct kb *kb, int code, const char *enhanced, const char *after)
{
	struct enhanced enh;
	bool have_enh = enhanced != NULL && *enhanced != '\0' && parse_enhanced(enhanced, &enh);

	if (code < 200 || code > 599) {
		struct explanation *ex = ex_new();
		char num[16];

		snprintf(num, sizeof num, "%d", code);
		ex->heading = xasprintf("%s", num);
		ex->summary = xstrdup(kb_label(kb, "not-a-code"));
		ex_add_owned(ex, kb, "note", NULL, fill1(kb, "bad-code-text", "code", num), 0);
		return ex;
	}
	return build_code(kb, code, have_enh ? &enh : NULL, after);
}

/* An enhanced code on its own: class, subject, detail and the detail's sections. */
static struct explanation *
build_enhanced(const struct kb *kb, const struct enhanced *enh, const char *after)
{
	struct explanation *ex = ex_new();
	const struct kb_entry *ee = find_enhanced(kb, enh, after), *ce, *se;
	struct strbuf b = { 0 }, learn = { 0 };
	const char *title = ee != NULL ? kb_field(kb, ee, "title") : NULL;
	const char *subj = subject_name(kb, enh->subject);
	char key[16];

	ex->known = ee != NULL;
	ex->heading = xasprintf("%s %s", enh->text,
	    title != NULL ? title : kb_label(kb, "unregistered-enhanced"));
	ex->summary = xasprintf("%d.x.x %s; %s", enh->cls, status_class_name(kb, enh->cls),
	    subj != NULL ? subj : kb_label(kb, "unknown-subject"));
	if (ee == NULL) {
		char *s;

		if (subj == NULL) {
			snprintf(key, sizeof key, "X.%u", enh->subject);
			s = fill2(kb, "subject-not-registered-code", "code", enh->text, "subject", key);
		} else {
			s = fill1(kb, "enhanced-not-registered", "code", enh->text);
		}
		ex_add_owned(ex, kb, "note", NULL, s, 0);
	}
	ex_add_owned(ex, kb, "enhanced", NULL, enhanced_breakdown(kb, enh, after), 0);

	snprintf(key, sizeof key, "%d", enh->cls);
	ce = kb_find(kb, "status-class", key, NULL);
	snprintf(key, sizeof key, "X.%u", enh->subject);
	se = subj != NULL ? kb_find(kb, "subject", key, NULL) : NULL;
	if (ee != NULL) {
		ex_add(ex, kb, "description", kb_field(kb, ee, "description"));
		ex_add(ex, kb, "when", kb_field(kb, ee, "when"));
		ex_add(ex, kb, "fix", kb_field(kb, ee, "fix"));
		add_learn(&learn, kb_field(kb, ee, "learn"));
	} else {
		merge_field(&b, kb, ce, NULL, "", "description");
		merge_field(&b, kb, se, NULL, "", "description");
		ex_add_owned(ex, kb, "description", NULL, strbuf_take(&b), 0);
		merge_field(&b, kb, ce, NULL, "", "when");
		ex_add_owned(ex, kb, "when", NULL, strbuf_take(&b), 0);
		merge_field(&b, kb, ce, NULL, "", "fix");
		ex_add_owned(ex, kb, "fix", NULL, strbuf_take(&b), 0);
		add_learn(&learn, ce != NULL ? kb_field(kb, ce, "learn") : NULL);
		add_learn(&learn, se != NULL ? kb_field(kb, se, "learn") : NULL);
	}
	add_learn_section(ex, kb, &learn);
	return ex;
}

/* ---- replies in context ---- */

/* One line of a reply as a bounded, NUL-free C string. */
static char *
line_text(const struct reply *reply, size_t i)
{
	const char *t = reply_line_text(reply, i);
	size_t n = reply_line_text_len(reply, i), k;
	char *copy;

	if (n > 1024)
		n = 1024;
	/* Not xstrndup: it stops at the first NUL, and a hostile line may hold NULs. */
	copy = xmalloc(n + 1);
	memcpy(copy, t, n);
	copy[n] = '\0';
	for (k = 0; k < n; k++)
		if (copy[k] == '\0' || (unsigned char)copy[k] < 0x20 || copy[k] == 0x7f)
			copy[k] = '?';
	return copy;
}

/* Each keyword of an EHLO reply (lines after the first) with its meaning and parameters. */
static char *
ehlo_keywords(const struct kb *kb, const struct reply *reply)
{
	struct strbuf b = { 0 };
	size_t i;

	for (i = 1; i < reply->nlines && i <= EXPLAIN_KEYWORDS_MAX; i++) {
		char *text = line_text(reply, i), *args, *word = text, *line, *joined = NULL;
		const struct kb_entry *e;
		const char *title, *desc, *params;
		char *eq;

		while (*word == ' ')
			word++;
		if (*word == '\0') {
			free(text);
			continue;
		}
		args = word + strcspn(word, " ");
		if (*args != '\0')
			*args++ = '\0';
		while (*args == ' ')
			args++;
		/* The old form "AUTH=LOGIN PLAIN" is its own keyword, "AUTH=": what follows the
		 * '=' moves in front of the other arguments. */
		if ((eq = strchr(word, '=')) != NULL && eq[1] != '\0') {
			char *moved = xasprintf("%s%s%s", eq + 1, *args ? " " : "", args);

			eq[1] = '\0';
			free(joined);
			joined = moved;
			args = joined;
		}
		for (eq = word; *eq != '\0'; eq++)
			*eq = (char)toupper((unsigned char)*eq);
		e = kb_find(kb, "keyword", word, NULL);
		title = e != NULL ? kb_field(kb, e, "title") : NULL;
		desc = e != NULL ? kb_field(kb, e, "description") : NULL;
		params = e != NULL ? kb_field(kb, e, "parameters") : NULL;
		if (b.len > 0)
			strbuf_add(&b, "\n");
		if (e == NULL) {
			line = xasprintf("- %s%s%s: %s", word, *args ? " " : "", args,
			    kb_label(kb, "keyword-unknown"));
		} else {
			char *d = first_paragraph(desc), *pp = first_paragraph(params);

			line = xasprintf("- %s%s%s: %s%s%s%s%s%s%s", word, *args ? " " : "", args,
			    title != NULL ? title : "", title != NULL && d != NULL ? ". " : "",
			    d != NULL ? d : "", pp != NULL ? " " : "",
			    pp != NULL ? kb_label(kb, "parameters") : "", pp != NULL ? ": " : "",
			    pp != NULL ? pp : "");
			free(d);
			free(pp);
		}
		strbuf_add(&b, line);
		free(line);
		free(text);
		free(joined);
	}
	if (reply->nlines > EXPLAIN_KEYWORDS_MAX + 1)
		strbuf_add(&b, "\n- ...");
	return strbuf_take(&b);
}

static char *
challenge_text(const struct kb *kb, const struct reply *reply)
{
	char *text = line_text(reply, 0), *out, *shown;
	unsigned char *plain;
	size_t len;

	/* The challenge is the text after "334 "; some servers add nothing at all. */
	plain = sasl_b64_decode(text, &len);
	if (plain == NULL) {
		out = fill1(kb, "challenge-not-base64", "text", text);
	} else if (len == 0) {
		out = xstrdup(kb_label(kb, "challenge-empty"));
	} else if (sasl_is_printable(plain, len)) {
		shown = xstrndup((const char *)plain, len);
		out = fill2(kb, "challenge-decoded", "text", text, "decoded", shown);
		free(shown);
	} else {
		char n[24];

		snprintf(n, sizeof n, "%zu", len);
		out = fill1(kb, "challenge-binary", "bytes", n);
	}
	free(plain);
	free(text);
	return out;
}

static char *
violations_text(const struct kb *kb, unsigned violations)
{
	struct strbuf b = { 0 };
	unsigned bit;

	for (bit = 1; bit < (1u << REPLY_V_COUNT); bit <<= 1) {
		char label[48];
		const char *name;

		if ((violations & bit) == 0)
			continue;
		/* A translated label when the help has one, the parser's English phrase else. */
		snprintf(label, sizeof label, "violation-%s",
		    reply_violation_key((enum reply_violation)bit));
		name = kb_label(kb, label);
		if (strcmp(name, label) == 0)
			name = reply_violation_name((enum reply_violation)bit);
		if (b.len > 0)
			strbuf_add(&b, "\n");
		strbuf_add(&b, "- ");
		strbuf_add(&b, name);
	}
	return strbuf_take(&b);
}

struct explanation *
explain_reply(const struct kb *kb, const struct reply *reply, const char *after)
{
	struct explanation *ex;
	bool is_ehlo;

	if (reply == NULL)
		return NULL;
	if (reply->code >= 200 && reply->code <= 599) {
		ex = explain_code(kb, reply->code, reply->enhanced[0] ? reply->enhanced : NULL, after);
	} else {
		char shown[8];
		size_t i;

		ex = ex_new();
		for (i = 0; i < 3 && reply->code_text[i] != '\0'; i++)
			shown[i] = isprint((unsigned char)reply->code_text[i]) ?
			    reply->code_text[i] : '?';
		shown[i] = '\0';
		ex->heading = xstrdup(shown);
		ex->summary = xstrdup(kb_label(kb, "not-a-code"));
		ex_add_owned(ex, kb, "note", NULL, fill1(kb, "bad-code-text", "code", shown), 0);
	}
	is_ehlo = after != NULL && (strncasecmp(after, "EHLO", 4) == 0 ||
	    strncasecmp(after, "LHLO", 4) == 0) && (after[4] == '\0' || after[4] == ' ');
	if (is_ehlo && reply->code == 250 && reply->nlines > 1)
		ex_add_owned(ex, kb, "keywords", NULL, ehlo_keywords(kb, reply), 0);
	if (reply->code == 334)
		ex_add_owned(ex, kb, "challenge", NULL, challenge_text(kb, reply), 0);
	if (reply->code == 354)
		ex_add(ex, kb, "end-of-data", kb_label(kb, "end-of-data-text"));
	if (reply->violations != 0)
		ex_add_owned(ex, kb, "violations", NULL, violations_text(kb, reply->violations), 0);
	return ex;
}

/* ---- commands, keywords, scenarios, events ---- */

static void
upper_copy(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i] != '\0'; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	dst[i] = '\0';
}

/* Title and description of an entry as a heading + sections; kind_label names what it is. */
static struct explanation *
build_entry(const struct kb *kb, const struct kb_entry *e, const char *kind_label)
{
	struct explanation *ex = ex_new();
	const char *title = kb_field(kb, e, "title");

	ex->known = 1;
	ex->heading = xasprintf("%s%s%s", kb_entry_key(e), title != NULL ? " " : "",
	    title != NULL ? title : "");
	ex->summary = xstrdup(kb_label(kb, kind_label));
	return ex;
}

static struct explanation *
build_command(const struct kb *kb, const struct kb_entry *e, const struct kb_entry *kw)
{
	struct explanation *ex = build_entry(kb, e, kw != NULL ? "kind-command-keyword" :
	    "kind-command");
	struct strbuf learn = { 0 }, b = { 0 };
	const char *s;

	ex_add(ex, kb, "description", kb_field(kb, e, "description"));
	/* For a command, "when" says when to use it rather than when it is seen. */
	ex_add(ex, kb, "when-use", kb_field(kb, e, "when"));
	if ((s = kb_field(kb, e, "syntax")) != NULL)
		ex_add_owned(ex, kb, "syntax", NULL, xstrdup(s), 1);
	if ((s = kb_field(kb, e, "example")) != NULL)
		ex_add_owned(ex, kb, "example", NULL, xstrdup(s), 1);
	ex_add_owned(ex, kb, "replies", NULL, as_list(kb_field(kb, e, "replies")), 0);
	if (kw != NULL) {
		merge_field(&b, kb, kw, NULL, "", "description");
		if ((s = kb_field(kb, kw, "parameters")) != NULL) {
			sb_para(&b);
			strbuf_add(&b, kb_label(kb, "parameters"));
			strbuf_add(&b, ": ");
			strbuf_add(&b, s);
		}
		ex_add_owned(ex, kb, "as-keyword", NULL, strbuf_take(&b), 0);
		add_learn(&learn, kb_field(kb, kw, "learn"));
	}
	add_learn(&learn, kb_field(kb, e, "learn"));
	add_learn_section(ex, kb, &learn);
	return ex;
}

static struct explanation *
build_keyword(const struct kb *kb, const struct kb_entry *e)
{
	struct explanation *ex = build_entry(kb, e, "kind-keyword");
	struct strbuf learn = { 0 };
	const char *s;

	ex_add(ex, kb, "description", kb_field(kb, e, "description"));
	ex_add(ex, kb, "parameters", kb_field(kb, e, "parameters"));
	if ((s = kb_field(kb, e, "example")) != NULL)
		ex_add_owned(ex, kb, "example", NULL, xstrdup(s), 1);
	/* For a keyword, "when" says what a client should do on seeing it. */
	ex_add(ex, kb, "when-use", kb_field(kb, e, "when"));
	add_learn(&learn, kb_field(kb, e, "learn"));
	add_learn_section(ex, kb, &learn);
	return ex;
}

/* Scenarios and events share the general sections. */
static struct explanation *
build_general(const struct kb *kb, const struct kb_entry *e, const char *kind_label,
    const char *detail)
{
	struct explanation *ex = build_entry(kb, e, kind_label);
	struct strbuf learn = { 0 };

	if (detail != NULL && *detail != '\0')
		ex_add(ex, kb, "detail", detail);
	ex_add(ex, kb, "description", kb_field(kb, e, "description"));
	ex_add(ex, kb, "when", kb_field(kb, e, "when"));
	ex_add(ex, kb, "fix", kb_field(kb, e, "fix"));
	ex_add_owned(ex, kb, "next", NULL, as_list(kb_field(kb, e, "next")), 0);
	add_learn(&learn, kb_field(kb, e, "learn"));
	add_learn_section(ex, kb, &learn);
	return ex;
}

struct explanation *
explain_event(const struct kb *kb, const char *event, const char *detail)
{
	const struct kb_entry *e = event != NULL ? kb_find(kb, "event", event, NULL) : NULL;
	struct explanation *ex;

	if (e != NULL)
		return build_general(kb, e, "kind-event", detail);
	ex = ex_new();
	ex->heading = xstrdup(event != NULL ? event : "");
	ex->summary = xstrdup(kb_label(kb, "kind-event"));
	if (detail != NULL && *detail != '\0')
		ex_add(ex, kb, "detail", detail);
	return ex;
}

/* ---- whatever the user typed ---- */

/* Feeds pasted text to the reply parser, one CRLF per line as on the wire (a paste has plain
 * newlines, which are no violation of the person who pasted). NULL when no reply came out. */
static struct reply *
parse_pasted(const char *text)
{
	struct reply_parser *parser = reply_parser_new(NULL);
	struct reply *reply;
	const char *p = text;

	reply_parser_set_utf8(parser, true);
	while (*p != '\0') {
		size_t n = strcspn(p, "\r\n");

		if (n > 0) {
			reply_parser_feed(parser, p, n);
			reply_parser_feed(parser, "\r\n", 2);
		}
		p += n;
		while (*p == '\r' || *p == '\n')
			p++;
	}
	reply = reply_parser_next(parser);
	if (reply == NULL)
		reply = reply_parser_finish(parser);
	reply_parser_free(parser);
	return reply;
}

static char *
trimmed(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
	    s[n - 1] == '\n'))
		n--;
	return xstrndup(s, n);
}

static struct explanation *
explain_single(const struct kb *kb, const char *w, const char *after, char **errstr)
{
	char upper[64];
	const struct kb_entry *cmd, *kw, *e;
	struct enhanced enh;
	int code;

	if (looks_like_number(w)) {
		if (parse_reply_code(w, &code))
			return build_code(kb, code, NULL, after);
		*errstr = xasprintf("'%s' is not a reply code: a reply code has three digits and "
		    "starts with 2, 3, 4 or 5 (such as 250 or 550)", w);
		return NULL;
	}
	if (looks_like_enhanced(w)) {
		if (parse_enhanced(w, &enh))
			return build_enhanced(kb, &enh, after);
		if (w[0] == 'X' || w[0] == 'x')
			*errstr = xasprintf("'%s' stands for the code in any class: ask for one "
			    "class, such as 4%s or 5%s", w, w + 1, w + 1);
		else
			*errstr = xasprintf("'%s' is not an enhanced status code: it is written "
			    "CLASS.SUBJECT.DETAIL, the class 2, 4 or 5 and the others numbers of "
			    "one to three digits (such as 5.1.1)", w);
		return NULL;
	}
	if (strlen(w) < sizeof upper) {
		upper_copy(upper, sizeof upper, w);
		cmd = kb_find(kb, "command", upper, NULL);
		kw = kb_find(kb, "keyword", upper, NULL);
		if (cmd != NULL)
			return build_command(kb, cmd, kw);
		if (kw != NULL)
			return build_keyword(kb, kw);
		if ((e = kb_find(kb, "scenario", w, NULL)) != NULL)
			return build_general(kb, e, "kind-scenario", NULL);
		if ((e = kb_find(kb, "event", w, NULL)) != NULL)
			return build_general(kb, e, "kind-event", NULL);
	}
	*errstr = xasprintf("'%s' means nothing to smtpscope: try a reply code (550), an "
	    "enhanced status code (5.1.1), a command (RCPT), an EHLO keyword (PIPELINING), a "
	    "practice scenario or a pasted reply", w);
	return NULL;
}

struct explanation *
explain_word_after(const struct kb *kb, const char *word, const char *after, char **errstr)
{
	struct explanation *ex = NULL;
	char *w, *space;
	char *dummy = NULL;

	if (errstr == NULL)
		errstr = &dummy;
	*errstr = NULL;
	if (word == NULL || kb == NULL) {
		*errstr = xstrdup("nothing to explain");
		return NULL;
	}
	if (strlen(word) > EXPLAIN_PASTE_MAX) {
		*errstr = xasprintf("the text to explain is too long (over %u bytes)",
		    EXPLAIN_PASTE_MAX);
		return NULL;
	}
	w = trimmed(word);
	if (*w == '\0') {
		*errstr = xstrdup("nothing to explain");
		free(w);
		return NULL;
	}
	space = w + strcspn(w, " \t\r\n");
	if (*space == '\0') {
		ex = explain_single(kb, w, after, errstr);
	} else {
		/* "550 5.7.1": a code and an enhanced code; anything longer that starts with a
		 * code is a pasted reply. */
		struct enhanced enh;
		char *first = xstrndup(w, (size_t)(space - w)), *rest = trimmed(space);
		int code;

		if (parse_reply_code(first, &code) && strcspn(rest, " \t\r\n") == strlen(rest) &&
		    looks_like_enhanced(rest)) {
			if (parse_enhanced(rest, &enh))
				ex = build_code(kb, code, &enh, after);
			else
				*errstr = xasprintf("'%s' is not an enhanced status code: it is "
				    "written CLASS.SUBJECT.DETAIL (such as 5.7.1)", rest);
		} else if (strlen(w) >= 3 && isdigit((unsigned char)w[0]) &&
		    isdigit((unsigned char)w[1]) && isdigit((unsigned char)w[2]) &&
		    (w[3] == ' ' || w[3] == '-' || w[3] == '\r' || w[3] == '\n')) {
			struct reply *reply = parse_pasted(w);

			/* A multiline 250 pasted without its command is an EHLO answer. */
			if (reply != NULL && reply->code != 0)
				ex = explain_reply(kb, reply, after != NULL ? after :
				    reply->code == 250 && reply->nlines > 1 ? "EHLO" : NULL);
			else
				*errstr = xasprintf("'%.3s' is not a reply code: a reply code has "
				    "three digits and starts with 2, 3, 4 or 5", w);
			reply_free(reply);
		} else {
			*errstr = xasprintf("'%s' means nothing to smtpscope: give one word (a "
			    "code, command, keyword or scenario), a code and an enhanced code "
			    "(550 5.7.1), or a whole reply line (550 5.7.1 Relaying denied)", w);
		}
		free(first);
		free(rest);
	}
	free(w);
	if (ex == NULL && *errstr == NULL)
		*errstr = xstrdup("nothing to explain");
	if (errstr == &dummy)
		free(dummy);
	return ex;
}

struct explanation *
explain_word(const struct kb *kb, const char *word, char **errstr)
{
	return explain_word_after(kb, word, NULL, errstr);
}

/* ---- comparisons ---- */

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
		    context_label(kb, word) : word);
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
	if (parse_reply_code(text, &s->code)) {
		snprintf(key, sizeof key, "%d", s->code);
		s->entry = kb_find(kb, "code", key, NULL);
		s->cls = s->code / 100;
		s->summary = code_summary(kb, s->code);
		if (s->entry != NULL) {
			s->phase = kb_field(kb, s->entry, "phase");
			s->drawn_by = drawn_by_words(kb, kb_field(kb, s->entry, "drawn-by"));
		}
	} else if (parse_enhanced(text, &s->enh)) {
		const char *subj = subject_name(kb, s->enh.subject);

		s->is_enhanced = true;
		s->text = s->enh.text;
		s->entry = find_enhanced(kb, &s->enh, NULL);
		s->cls = s->enh.cls;
		s->summary = xasprintf("%d.x.x %s; %s", s->cls, status_class_name(kb, s->cls),
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
	return s->is_enhanced ? status_class_name(kb, s->cls) : class_name(kb, s->cls);
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
		s = fill2(kb, "compare-same-class", "a", a->text, "b", b->text);
	else
		s = fill2(kb, "compare-different-class", "a", a->text, "b", b->text);
	{
		const char *kv[] = { "a", a->text, "b", b->text, "class", cls_word(kb, a),
			"class-a", cls_word(kb, a), "class-b", cls_word(kb, b), NULL };
		char *t = fill(s, kv);

		free(s);
		strbuf_add(&out, t);
		free(t);
	}
	for (i = 0; i < 2; i++) {
		const struct side *x = sides[i];

		if (x->phase != NULL) {
			s = fill2(kb, "compare-phase", "code", x->text, "phase", x->phase);
			strbuf_add(&out, " ");
			strbuf_add(&out, s);
			free(s);
		}
		if (x->drawn_by != NULL) {
			s = fill2(kb, "compare-drawn-by", "code", x->text, "commands", x->drawn_by);
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

		add_item(&out, &n, fill(kb_label(kb, "difference-class"), kv));
		add_item(&out, &n, fill(kb_label(kb, "difference-retry"), kv2));
	} else {
		const char *kv[] = { "a", a->text, "b", b->text, "class", cls_word(kb, a), NULL };

		add_item(&out, &n, fill(kb_label(kb, "difference-same-class"), kv));
	}
	if (!a->is_enhanced && !b->is_enhanced && code_category(a->code) != code_category(b->code)) {
		char ca[16], cb[16];

		snprintf(ca, sizeof ca, "category-x%dz", code_category(a->code));
		snprintf(cb, sizeof cb, "category-x%dz", code_category(b->code));
		{
			const char *kv[] = { "a", a->text, "b", b->text, "category-a",
				kb_label(kb, ca), "category-b", kb_label(kb, cb), NULL };

			add_item(&out, &n, fill(kb_label(kb, "difference-category"), kv));
		}
	}
	if (a->phase != NULL && b->phase != NULL && strcasecmp(a->phase, b->phase) != 0) {
		const char *kv[] = { "a", a->text, "b", b->text, "phase-a", a->phase, "phase-b",
			b->phase, NULL };

		add_item(&out, &n, fill(kb_label(kb, "difference-phase"), kv));
	}
	if (a->drawn_by != NULL && b->drawn_by != NULL && strcmp(a->drawn_by, b->drawn_by) != 0) {
		const char *kv[] = { "a", a->text, "b", b->text, "commands-a", a->drawn_by,
			"commands-b", b->drawn_by, NULL };

		add_item(&out, &n, fill(kb_label(kb, "difference-drawn-by"), kv));
	}
	if (a->is_enhanced && b->is_enhanced) {
		if (a->enh.subject != b->enh.subject) {
			const char *sa = subject_name(kb, a->enh.subject);
			const char *sb = subject_name(kb, b->enh.subject);
			const char *kv[] = { "a", a->text, "b", b->text, "subject-a",
				sa != NULL ? sa : kb_label(kb, "unknown-subject"), "subject-b",
				sb != NULL ? sb : kb_label(kb, "unknown-subject"), NULL };

			add_item(&out, &n, fill(kb_label(kb, "difference-subject"), kv));
		}
		if (a->enh.detail != b->enh.detail || a->enh.subject != b->enh.subject) {
			const char *kv[] = { "a", a->text, "b", b->text, "title-a", a->title,
				"title-b", b->title, NULL };

			add_item(&out, &n, fill(kb_label(kb, "difference-detail"), kv));
		}
	} else if (a->title != NULL && b->title != NULL) {
		const char *kv[] = { "a", a->text, "b", b->text, "title-a", a->title, "title-b",
			b->title, NULL };

		add_item(&out, &n, fill(kb_label(kb, "difference-meaning"), kv));
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
		char *first = first_paragraph(when), *line;

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
		line = fill2(kb, "which-line", "code", sides[i]->text, "when", first);
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

	ex = ex_new();
	ex->known = sa.entry != NULL && sb.entry != NULL;
	{
		char *ha = xasprintf("%s (%s)", sa.text, sa.title);
		char *hb = xasprintf("%s (%s)", sb.text, sb.title);

		ex->heading = fill2(kb, "compare-heading", "a", ha, "b", hb);
		free(ha);
		free(hb);
	}
	ex->summary = xasprintf("%s: %s | %s: %s", sa.text, sa.summary, sb.text, sb.summary);
	ex_add_owned(ex, kb, "summary", NULL, compare_summary(kb, &sa, &sb), 0);
	if (hand != NULL)
		ex_add(ex, kb, "description", kb_field(kb, hand, "description"));
	for (i = 0; i < 2; i++) {
		const struct side *s = sides[i];

		if (s->entry == NULL) {
			char *note = s->is_enhanced ?
			    fill1(kb, "enhanced-not-registered", "code", s->text) :
			    fill1(kb, "code-not-registered", "code", s->text);
			char *label = xasprintf("%s — %s", kb_label(kb, "note"), s->text);

			ex_add_owned(ex, kb, "note", label, note, 0);
			free(label);
			continue;
		}
		for (f = 0; f < sizeof fields / sizeof fields[0]; f++) {
			const char *t = kb_field(kb, s->entry, fields[f]);
			char *label;

			if (t == NULL)
				continue;
			label = xasprintf("%s — %s", kb_label(kb, fields[f]), s->text);
			ex_add_owned(ex, kb, fields[f], label, xstrdup(t), 0);
			free(label);
		}
		add_learn(&learn, kb_field(kb, s->entry, "learn"));
	}
	ex_add_owned(ex, kb, "differences", NULL, compare_differences(kb, &sa, &sb, hand), 0);
	ex_add_owned(ex, kb, "which", NULL, compare_which(kb, &sa, &sb, hand), 0);
	if (hand != NULL)
		add_learn(&learn, kb_field(kb, hand, "learn"));
	add_learn_section(ex, kb, &learn);
	side_free(&sa);
	side_free(&sb);
	free(dummy);
	return ex;
fail:
	if (errstr == &dummy)
		free(dummy);
	return NULL;
}

/* ---- plain text ---- */

/* Columns a UTF-8 string takes (one per code point: the help is text, not CJK art). */
static size_t
text_cols(const char *s, size_t n)
{
	size_t cols = 0, i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			cols++;
	return cols;
}

/* Writes text wrapped to width: the first line after `first` (already counted in col), the
 * next lines indented by `hang` spaces. */
static void
wrap(struct strbuf *out, const char *text, size_t width, size_t col, size_t hang)
{
	const char *p = text;
	bool line_empty = true;

	while (*p != '\0') {
		size_t n, cols;

		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, " \n\t");
		cols = text_cols(p, n);
		if (!line_empty && col + 1 + cols > width) {
			size_t k;

			strbuf_add(out, "\n");
			for (k = 0; k < hang; k++)
				strbuf_add(out, " ");
			col = hang;
			line_empty = true;
		}
		if (!line_empty) {
			strbuf_add(out, " ");
			col++;
		}
		strbuf_addn(out, p, n);
		col += cols;
		line_empty = false;
		p += n;
	}
	strbuf_add(out, "\n");
}

/* Length of a list marker at the start of a line ("- ", "* ", "12. "), 0 when none. */
static size_t
marker_len(const char *line, size_t n)
{
	size_t d = 0;

	if (n >= 2 && (line[0] == '-' || line[0] == '*') && line[1] == ' ')
		return 2;
	while (d < n && d < 3 && isdigit((unsigned char)line[d]))
		d++;
	if (d > 0 && d + 1 < n && (line[d] == '.' || line[d] == ')') && line[d + 1] == ' ')
		return d + 2;
	return 0;
}

/* One paragraph: plain lines are joined and re-wrapped; list items start new lines and hang. */
static void
render_paragraph(struct strbuf *out, const char *para, size_t len, size_t width, size_t indent)
{
	struct strbuf item = { 0 };
	size_t item_marker = 0, i = 0, k;
	bool have_item = false;

	while (i <= len) {
		const char *line = para + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - i;
		size_t lead = 0, m;

		while (lead < n && (line[lead] == ' ' || line[lead] == '\t'))
			lead++;
		m = marker_len(line + lead, n - lead);
		/* A new item starts at a marker; the first line starts a plain item. */
		if ((m > 0 || !have_item) && item.len > 0) {
			for (k = 0; k < indent; k++)
				strbuf_add(out, " ");
			strbuf_addn(out, item.s, item_marker);
			wrap(out, item.s + item_marker, width, indent + text_cols(item.s,
			    item_marker), indent + text_cols(item.s, item_marker));
			item.len = 0;
		}
		if (m > 0 || !have_item) {
			item_marker = m;
			have_item = true;
			strbuf_addn(&item, line + lead, n - lead);
		} else {
			strbuf_add(&item, " ");
			strbuf_addn(&item, line + lead, n - lead);
		}
		if (nl == NULL)
			break;
		i += n + 1;
	}
	if (item.len > 0) {
		for (k = 0; k < indent; k++)
			strbuf_add(out, " ");
		strbuf_addn(out, item.s, item_marker);
		wrap(out, item.s + item_marker, width, indent + text_cols(item.s, item_marker),
		    indent + text_cols(item.s, item_marker));
	}
	free(item.s);
}

static void
render_body(struct strbuf *out, const char *text, size_t width, size_t indent, int pre)
{
	const char *p = text;

	if (pre) {
		while (*p != '\0') {
			size_t n = strcspn(p, "\n"), k;

			for (k = 0; k < indent; k++)
				strbuf_add(out, " ");
			strbuf_addn(out, p, n);
			strbuf_add(out, "\n");
			p += n;
			if (*p == '\n')
				p++;
		}
		return;
	}
	while (*p != '\0') {
		const char *end = strstr(p, "\n\n");
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

		if (p != text)
			strbuf_add(out, "\n");
		render_paragraph(out, p, n, width, indent);
		if (end == NULL)
			break;
		p = end;
		while (*p == '\n')
			p++;
	}
}

char *
explain_render_text(const struct explanation *ex, int width)
{
	struct strbuf out = { 0 };
	size_t w, i;

	if (ex == NULL)
		return xstrdup("");
	w = width < 20 ? 20 : (size_t)width;
	if (ex->heading != NULL)
		wrap(&out, ex->heading, w, 0, 4);
	if (ex->summary != NULL && *ex->summary != '\0')
		wrap(&out, ex->summary, w, 0, 4);
	for (i = 0; i < ex->nsections; i++) {
		const struct explanation_section *s = &ex->sections[i];

		strbuf_add(&out, "\n");
		strbuf_add(&out, s->label);
		strbuf_add(&out, "\n");
		render_body(&out, s->text, w, 2, s->preformatted);
	}
	return strbuf_take(&out);
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
