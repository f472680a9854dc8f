/* explain_internal.h: what the explain_*.c files share (private to core/knowledge/): the
 * building of an explanation from labels, the reading of codes, and the parts one kind of
 * explanation borrows from another. */
#ifndef SMTPSCOPE_EXPLAIN_INTERNAL_H
#define SMTPSCOPE_EXPLAIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/knowledge/explain.h"
#include "core/util/strbuf.h"

struct enhanced {
	int cls;          /* 2, 4 or 5 */
	unsigned subject; /* 0..999 */
	unsigned detail;  /* 0..999 */
	char text[16];    /* "5.7.1" */
};

/* Starts a new paragraph when the buffer already holds text. */
void explain_sb_para(struct strbuf *b);

/* Fills a label template: each {name} becomes its value from the NULL-terminated name/value
 * list; an unknown {name} stays as written. Labels are user-editable text, so they are never
 * used as printf formats. */
char *explain_fill(const char *tmpl, const char *const *kv);

/* The label of that name, filled with one or two name/value pairs; the caller frees. */
char *explain_fill1(const struct kb *kb, const char *label, const char *k1, const char *v1);
char *explain_fill2(const struct kb *kb, const char *label, const char *k1, const char *v1,
    const char *k2, const char *v2);

/* An empty explanation; explanation_free frees it. */
struct explanation *explanation_new(void);

/* Adds a section; takes text (may be NULL or empty: then nothing is added). */
void explanation_add_owned(struct explanation *ex, const struct kb *kb, const char *name,
    const char *label, char *text, int preformatted);

/* Adds a section with a copy of text. */
void explanation_add(struct explanation *ex, const struct kb *kb, const char *name,
    const char *text);

/* A field written one item per line, as a list: each line not already a list item becomes one. */
char *explain_as_list(const char *text);

/* The first paragraph of a text, as a new string. */
char *explain_first_paragraph(const char *text);

/* A reply code as typed: three digits, the first 2 to 5. */
bool explain_parse_reply_code(const char *s, int *code);

/* Only digits, and as many as a reply code might have: what a user meant as a code. */
bool explain_looks_like_number(const char *s);

/* class.subject.detail: class 2, 4 or 5, then 1-3 digits and 1-3 digits (RFC 3463). */
bool explain_parse_enhanced(const char *s, struct enhanced *out);

/* What a user meant as an enhanced code: a digit or X, a dot, and nothing but digits, dots and
 * letters, so "5.x.1" is a malformed enhanced code rather than an unknown word. */
bool explain_looks_like_enhanced(const char *s);

/* The category of a code: its second digit. RFC 5321 defines x0z to x5z only; a higher digit
 * is read as x5z (mail system), the category of everything else the receiver reports. */
int explain_code_category(int code);

/* "5xx permanent failure; mail system" */
char *explain_code_summary(const struct kb *kb, int code);

/* The name of a reply code's class (2 to 5) and of an enhanced code's (2, 4, 5), from
 * the labels. */
const char *explain_class_name(const struct kb *kb, int cls);
const char *explain_status_class_name(const struct kb *kb, int cls);

/* The subject's name: the label (translated, and the same words as the summary), else the
 * @subject entry's title. NULL when the subject is not registered. */
const char *explain_subject_name(const struct kb *kb, unsigned subject);

/* The entry of the exact enhanced code (5.7.1, else X.7.1), or NULL. */
const struct kb_entry *explain_find_enhanced(const struct kb *kb, const struct enhanced *enh,
    const char *after);

/* The class / subject / detail breakdown, as a list. */
char *explain_enhanced_breakdown(const struct kb *kb, const struct enhanced *enh,
    const char *after);

/* Adds to b the text of one field for the code entry and then the enhanced entry, the second
 * under a short lead line naming the enhanced code. */
void explain_merge_field(struct strbuf *b, const struct kb *kb,
    const struct kb_entry *code_entry, const struct kb_entry *enh_entry, const char *enh_text,
    const char *field);

/* Learn More: each reference once, in order. */
void explain_add_learn(struct strbuf *b, const char *learn);

/* Adds the Learn More section from what learn collected (taking its text). */
void explain_add_learn_section(struct explanation *ex, const struct kb *kb, struct strbuf *learn);

/* How the context a reply answers is shown: "greeting" and "DATA-END" by their labels,
 * a command as it is. */
const char *explain_context_label(const struct kb *kb, const char *after);

/* The explanation of code (already valid) with an optional enhanced code (valid or NULL). */
struct explanation *explain_build_code(const struct kb *kb, int code,
    const struct enhanced *enh, const char *after);

/* An enhanced code on its own: class, subject, detail and the detail's sections. */
struct explanation *explain_build_enhanced(const struct kb *kb, const struct enhanced *enh,
    const char *after);

/* Copies src upper-cased into dst (size bytes, always terminated). */
void explain_upper_copy(char *dst, size_t size, const char *src);

/* A command's explanation (kw: the EHLO keyword of the same name, or NULL), and a
 * keyword's. */
struct explanation *explain_build_command(const struct kb *kb, const struct kb_entry *e,
    const struct kb_entry *kw);
struct explanation *explain_build_keyword(const struct kb *kb, const struct kb_entry *e);

/* Scenarios and events share the general sections. */
struct explanation *explain_build_general(const struct kb *kb, const struct kb_entry *e,
    const char *kind_label, const char *detail);

#endif
