/* explain_enhanced.c: enhanced status codes (RFC 3463, class.subject.detail): reading
 * one, the breakdown of its parts, and its explanation on its own. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/knowledge/explain_internal.h"
#include "core/util/strbuf.h"
#include "core/util/xmalloc.h"

/* class.subject.detail: class 2, 4 or 5, then 1-3 digits and 1-3 digits (RFC 3463). */
bool
explain_parse_enhanced(const char *s, struct enhanced *out)
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
bool
explain_looks_like_enhanced(const char *s)
{
	if (!(isdigit((unsigned char)s[0]) || s[0] == 'X' || s[0] == 'x') || s[1] != '.')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '.')
			return false;
	return true;
}

/* The entry of the exact enhanced code (5.7.1, else X.7.1), or NULL. */
const struct kb_entry *
explain_find_enhanced(const struct kb *kb, const struct enhanced *enh, const char *after)
{
	return kb_find(kb, "enhanced", enh->text, after);
}

/* The class / subject / detail breakdown, as a list. */
char *
explain_enhanced_breakdown(const struct kb *kb, const struct enhanced *enh, const char *after)
{
	struct strbuf b = { 0 };
	const struct kb_entry *e;
	const char *t, *d;
	char key[16], *line;

	line = xasprintf("- %s %d: %s", kb_label(kb, "word-class"), enh->cls,
	    explain_status_class_name(kb, enh->cls));
	strbuf_add(&b, line);
	free(line);

	snprintf(key, sizeof key, "X.%u", enh->subject);
	t = explain_subject_name(kb, enh->subject);
	e = kb_find(kb, "subject", key, NULL);
	d = e != NULL ? kb_field(kb, e, "description") : NULL;
	if (t != NULL) {
		char *p = explain_first_paragraph(d);

		line = xasprintf("\n- %s %s: %s%s%s", kb_label(kb, "word-subject"), key, t,
		    p != NULL ? ". " : "", p != NULL ? p : "");
		free(p);
	} else {
		char *nr = explain_fill1(kb, "subject-not-registered", "subject", key);

		line = xasprintf("\n- %s %s: %s", kb_label(kb, "word-subject"), key, nr);
		free(nr);
	}
	strbuf_add(&b, line);
	free(line);

	e = explain_find_enhanced(kb, enh, after);
	t = e != NULL ? kb_field(kb, e, "title") : NULL;
	if (t != NULL) {
		line = xasprintf("\n- %s %s: %s", kb_label(kb, "word-detail"), enh->text, t);
	} else {
		char *nr = explain_fill1(kb, "detail-not-registered", "code", enh->text);

		line = xasprintf("\n- %s %s: %s", kb_label(kb, "word-detail"), enh->text, nr);
		free(nr);
	}
	strbuf_add(&b, line);
	free(line);
	return strbuf_take(&b);
}

/* An enhanced code on its own: class, subject, detail and the detail's sections. */
struct explanation *
explain_build_enhanced(const struct kb *kb, const struct enhanced *enh, const char *after)
{
	struct explanation *ex = explanation_new();
	const struct kb_entry *ee = explain_find_enhanced(kb, enh, after), *ce, *se;
	struct strbuf b = { 0 }, learn = { 0 };
	const char *title = ee != NULL ? kb_field(kb, ee, "title") : NULL;
	const char *subj = explain_subject_name(kb, enh->subject);
	char key[16];

	ex->known = ee != NULL;
	ex->heading = xasprintf("%s %s", enh->text,
	    title != NULL ? title : kb_label(kb, "unregistered-enhanced"));
	ex->summary = xasprintf("%d.x.x %s; %s", enh->cls, explain_status_class_name(kb, enh->cls),
	    subj != NULL ? subj : kb_label(kb, "unknown-subject"));
	if (ee == NULL) {
		char *s;

		if (subj == NULL) {
			snprintf(key, sizeof key, "X.%u", enh->subject);
			s = explain_fill2(kb, "subject-not-registered-code", "code", enh->text, "subject", key);
		} else {
			s = explain_fill1(kb, "enhanced-not-registered", "code", enh->text);
		}
		explanation_add_owned(ex, kb, "note", NULL, s, 0);
	}
	explanation_add_owned(ex, kb, "enhanced", NULL, explain_enhanced_breakdown(kb, enh, after), 0);

	snprintf(key, sizeof key, "%d", enh->cls);
	ce = kb_find(kb, "status-class", key, NULL);
	snprintf(key, sizeof key, "X.%u", enh->subject);
	se = subj != NULL ? kb_find(kb, "subject", key, NULL) : NULL;
	if (ee != NULL) {
		explanation_add(ex, kb, "description", kb_field(kb, ee, "description"));
		explanation_add(ex, kb, "when", kb_field(kb, ee, "when"));
		explanation_add(ex, kb, "fix", kb_field(kb, ee, "fix"));
		explain_add_learn(&learn, kb_field(kb, ee, "learn"));
	} else {
		explain_merge_field(&b, kb, ce, NULL, "", "description");
		explain_merge_field(&b, kb, se, NULL, "", "description");
		explanation_add_owned(ex, kb, "description", NULL, strbuf_take(&b), 0);
		explain_merge_field(&b, kb, ce, NULL, "", "when");
		explanation_add_owned(ex, kb, "when", NULL, strbuf_take(&b), 0);
		explain_merge_field(&b, kb, ce, NULL, "", "fix");
		explanation_add_owned(ex, kb, "fix", NULL, strbuf_take(&b), 0);
		explain_add_learn(&learn, ce != NULL ? kb_field(kb, ce, "learn") : NULL);
		explain_add_learn(&learn, se != NULL ? kb_field(kb, se, "learn") : NULL);
	}
	explain_add_learn_section(ex, kb, &learn);
	return ex;
}
