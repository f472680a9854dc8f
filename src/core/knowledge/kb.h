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

/* Parses one file's text given in memory as the English catalogue (name is used in the
 * diagnostics). For fuzzing and tests: the same parser as kb_load, no file system. Never NULL. */
struct kb *kb_load_buffer(const char *name, const void *data, size_t len);

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

/* A field of an entry in the kb's language, falling back to the base entry (the plain entry
 * of a variant; X.N.N for a class-specific 4.N.N / 5.N.N) and then to English: the chain of
 * entries, most specific first, in the kb's language, then the same chain in English. NULL
 * when no one has it. */
const char *kb_field(const struct kb *kb, const struct kb_entry *entry, const char *field);

/* The line of the entry's file where the field's value (as kb_field finds it) starts, and the
 * line of the entry's header (English first); 0 when unknown. For diagnostics of readers built
 * on this format, such as the lesson files. */
unsigned kb_field_line(const struct kb *kb, const struct kb_entry *entry, const char *field);
unsigned kb_entry_line(const struct kb_entry *entry);

/* The entry's kind and key. */
const char *kb_entry_kind(const struct kb_entry *entry);
const char *kb_entry_key(const struct kb_entry *entry);
/* The command a variant answers ("RCPT", "greeting"), or NULL for a plain entry. */
const char *kb_entry_after(const struct kb_entry *entry);

/* Exactly the entry kind/key/after, without falling back to the plain entry or to X.N.N
 * (after NULL: the plain entry). For completeness checks. */
const struct kb_entry *kb_find_exact(const struct kb *kb, const char *kind, const char *key,
    const char *after);

/* A field of the entry as written in one language only ("en" or the kb's language), without any
 * fallback; NULL when that file does not give it. For completeness checks of translations. */
const char *kb_field_in(const struct kb *kb, const struct kb_entry *entry, const char *field,
    const char *lang);

/* The field names of the format ("title", "description", ...) and the kinds ("code", ...):
 * NULL-terminated lists. */
extern const char *const kb_field_names[];
extern const char *const kb_kind_names[];

/* Every plain entry (no variants) of one kind, in the order they were read, for completion and
 * completeness checks: calls fn for each key. */
void kb_each(const struct kb *kb, const char *kind,
    void (*fn)(void *ctx, const struct kb_entry *entry), void *ctx);

/* A label or screen text in the kb's language; falls back to English, then to (the kb's own
 * copy of) the name, so the result lives as long as the kb whatever buffer name was in. */
const char *kb_label(const struct kb *kb, const char *name);

/* Where the help files are: the option when given, else $SMTPSCOPE_HELP_DIR, else the source
 * tree's help/ when running from the build tree, else the installed $(pkgdatadir)/help.
 * Returns a new string, or NULL with *errstr set when none of those is a readable folder. */
char *kb_find_dir(const char *option, char **errstr);

/* The language asked for: option, else LANGUAGE / LC_ALL / LC_MESSAGES / LANG, else "en".
 * Returns a new two- or three-letter string ("id" from "id_ID.UTF-8"). */
char *kb_pick_language(const char *option);

#endif
