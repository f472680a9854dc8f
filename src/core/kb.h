/* kb.h: the knowledge base: loads the help/<lang> text files (format in help/README.md) and looks up
 * entries by kind, key and the command a reply answered. English is the fallback per field. */
#ifndef SMTPSCOPE_KB_H
#define SMTPSCOPE_KB_H

#include <stddef.h>

struct kb;
struct kb_entry;

/* Loads the English catalogue from dir/en and, when lang is not NULL nor "en", dir/lang on top.
 * Malformed lines are skipped and recorded as diagnostics ("file:line: what is wrong"); the rest
 * loads. Returns NULL only when dir/en cannot be read at all, with *errstr (caller frees) set. */
struct kb *kb_load(const char *dir, const char *lang, char **errstr);
void kb_free(struct kb *kb);

/* Diagnostics from loading: count, and the i-th message (owned by the kb). */
size_t kb_diagnostic_count(const struct kb *kb);
const char *kb_diagnostic(const struct kb *kb, size_t i);

/* The language in force ("en", "id"). */
const char *kb_language(const struct kb *kb);

/* Finds an entry: kind ("code", "enhanced", ...), key, and the command the reply answered
 * (NULL or "" for none). A variant for `after` is preferred; the plain entry otherwise. For
 * "enhanced", "5.1.1" finds a 5.1.1 entry, else X.1.1. NULL when there is none. */
const struct kb_entry *kb_find(const struct kb *kb, const char *kind, const char *key,
    const char *after);

/* A field of an entry in the kb's language, falling back to the variant's base entry and to
 * English; NULL when no one has it. */
const char *kb_field(const struct kb *kb, const struct kb_entry *entry, const char *field);

/* The entry's kind and key. */
const char *kb_entry_kind(const struct kb_entry *entry);
const char *kb_entry_key(const struct kb_entry *entry);

/* Every entry of one kind, for completion and completeness checks: calls fn for each key. */
void kb_each(const struct kb *kb, const char *kind,
    void (*fn)(void *ctx, const struct kb_entry *entry), void *ctx);

/* A label or screen text in the kb's language; falls back to English, then to the name. */
const char *kb_label(const struct kb *kb, const char *name);

/* Where the help files are: the option when given, else $SMTPSCOPE_HELP_DIR, else the source
 * tree's help/ when running from the build tree, else the installed $(pkgdatadir)/help.
 * Returns a new string, or NULL with *errstr set when none of those is a readable folder. */
char *kb_find_dir(const char *option, char **errstr);

/* The language asked for: option, else LANGUAGE / LC_ALL / LC_MESSAGES / LANG, else "en".
 * Returns a new two- or three-letter string ("id" from "id_ID.UTF-8"). */
char *kb_pick_language(const char *option);

#endif
