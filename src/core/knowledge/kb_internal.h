/* kb_internal.h: what the kb*.c files share (private to core/knowledge/): the entries and the
 * base they live in, the table, the diagnostics, and the parser's entry point. */
#ifndef SMTPSCOPE_KB_INTERNAL_H
#define SMTPSCOPE_KB_INTERNAL_H

#include <stddef.h>

#include "core/knowledge/kb.h"

enum kb_kind {
	KIND_CODE, KIND_CLASS, KIND_CATEGORY, KIND_STATUS_CLASS, KIND_SUBJECT, KIND_ENHANCED,
	KIND_COMMAND, KIND_KEYWORD, KIND_SCENARIO, KIND_EVENT, KIND_LABEL, KIND_COMPARE,
	KIND_LESSON, KIND_STEP, KIND_COUNT
};

enum kb_field_id {
	F_TITLE, F_DESCRIPTION, F_WHEN, F_FIX, F_NEXT, F_LEARN, F_PHASE, F_DRAWN_BY, F_SYNTAX,
	F_EXAMPLE, F_REPLIES, F_PARAMETERS, F_DIFFERENCES, F_WHICH, F_TEXT,
	/* lesson files (help/lessons/README.md) */
	F_SUMMARY, F_SCENARIO, F_TRY, F_EXPECT, F_CHECK, F_WRONG, F_HINT, F_DONE, F_COUNT
};

/* One entry as written in one language's files. */
struct kb_raw {
	char *fields[F_COUNT];
	unsigned lines[F_COUNT];   /* where each field's value starts, for later diagnostics */
	const char *file;   /* owned by kb->files */
	unsigned line;
};

/* One kind/key/after: the English and the other language's texts, and the entry to fall back to
 * for fields neither gives. */
struct kb_entry {
	enum kb_kind kind;
	char *key;
	char *after;                   /* NULL for a plain entry */
	struct kb_raw *raw[2];         /* [0] English, [1] the kb's language */
	const struct kb_entry *base;   /* plain entry of a variant, X.N.N of a 5.N.N, or NULL */
};

struct kb {
	char lang[8];
	struct kb_entry **entries;     /* in the order they were first read */
	size_t nentries, entries_cap;
	size_t *table;                 /* open addressing: index + 1 into entries, 0 = empty */
	size_t table_cap;
	char **diags;
	size_t ndiags, diags_cap;
	char **files;
	size_t nfiles, files_cap;
	/* Copies of label names that have no text, so the name kb_label falls back to stays
	 * valid after the caller's (often stack) buffer is gone. A cache: filled through a
	 * const kb. */
	char **missing_labels;
	size_t nmissing, missing_cap;
};

/* Records a diagnostic "file:line: what" (no line: "file: what"). */
void kb_diag(struct kb *kb, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The entry of kind/key/after (a NULL after: the plain entry), or NULL. */
struct kb_entry *kb_table_get(const struct kb *kb, enum kb_kind kind, const char *key,
    const char *after);

/* That entry, added empty when there is none. */
struct kb_entry *kb_table_get_or_add(struct kb *kb, enum kb_kind kind, const char *key,
    const char *after);

/* The index of a kind or field in kb_kind_names / kb_field_names, or -1. */
int kb_kind_from_name(const char *name);
int kb_field_from_name(const char *name);

/* Parses one help file's text (data, size bytes, changed in place) for language lang (0
 * English, 1 the other) into kb, recording a diagnostic for each line it drops. */
void kb_parse_buffer(struct kb *kb, const char *file, int lang, char *data, size_t size);

#endif
