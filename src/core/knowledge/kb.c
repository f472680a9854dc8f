/* kb.c: the knowledge base: its entries in one hash table keyed by kind, key and the command a
 * reply answered, loaded from every .txt file of help/<lang> once (the file format is read by
 * kb_parse.c), with its diagnostics. English is always loaded; another language is laid on top
 * and falls back to English per field. Look-ups are in kb_lookup.c, finding the help folder
 * and the language in kb_locate.c. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/knowledge/kb_internal.h"
#include "core/util/xmalloc.h"

/* A help file bigger than this is surely not a help file. */
#define KB_FILE_MAX (16u * 1024 * 1024)

const char *const kb_kind_names[] = {
	"code", "class", "category", "status-class", "subject", "enhanced", "command", "keyword",
	"scenario", "event", "label", "compare", "lesson", "step", NULL
};

const char *const kb_field_names[] = {
	"title", "description", "when", "fix", "next", "learn", "phase", "drawn-by", "syntax",
	"example", "replies", "parameters", "differences", "which", "text",
	"summary", "scenario", "try", "expect", "check", "wrong", "hint", "done", NULL
};

void
kb_diag(struct kb *kb, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	if (kb->ndiags == kb->diags_cap) {
		kb->diags_cap = kb->diags_cap ? kb->diags_cap * 2 : 16;
		kb->diags = xreallocarray(kb->diags, kb->diags_cap, sizeof *kb->diags);
	}
	if (line > 0)
		kb->diags[kb->ndiags++] = xasprintf("%s:%u: %s", file, line, what);
	else
		kb->diags[kb->ndiags++] = xasprintf("%s: %s", file, what);
	free(what);
}

static uint64_t
hash_add(uint64_t h, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		h ^= (unsigned char)tolower((unsigned char)*s);
		h *= 1099511628211u;
	}
	h ^= 0xff;
	h *= 1099511628211u;
	return h;
}

static uint64_t
entry_hash(enum kb_kind kind, const char *key, const char *after)
{
	uint64_t h = 1469598103934665603u;

	h ^= (uint64_t)kind + 1;
	h *= 1099511628211u;
	h = hash_add(h, key);
	return hash_add(h, after);
}

static bool
same_word(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcasecmp(a, b) == 0;
}

static void
table_insert(struct kb *kb, size_t index)
{
	const struct kb_entry *e = kb->entries[index];
	size_t mask = kb->table_cap - 1;
	size_t i = entry_hash(e->kind, e->key, e->after) & mask;

	while (kb->table[i] != 0)
		i = (i + 1) & mask;
	kb->table[i] = index + 1;
}

static void
table_grow(struct kb *kb)
{
	size_t i;

	free(kb->table);
	kb->table_cap = kb->table_cap ? kb->table_cap * 2 : 256;
	kb->table = xcalloc(kb->table_cap, sizeof *kb->table);
	for (i = 0; i < kb->nentries; i++)
		table_insert(kb, i);
}

struct kb_entry *
kb_table_get(const struct kb *kb, enum kb_kind kind, const char *key, const char *after)
{
	size_t mask, i;

	if (kb->table_cap == 0)
		return NULL;
	if (after != NULL && *after == '\0')
		after = NULL;
	mask = kb->table_cap - 1;
	i = entry_hash(kind, key, after) & mask;
	for (; kb->table[i] != 0; i = (i + 1) & mask) {
		struct kb_entry *e = kb->entries[kb->table[i] - 1];

		if (e->kind == kind && same_word(e->key, key) && same_word(e->after, after))
			return e;
	}
	return NULL;
}

struct kb_entry *
kb_table_get_or_add(struct kb *kb, enum kb_kind kind, const char *key, const char *after)
{
	struct kb_entry *e = kb_table_get(kb, kind, key, after);

	if (e != NULL)
		return e;
	if ((kb->nentries + 1) * 10 > kb->table_cap * 7)
		table_grow(kb);
	if (kb->nentries == kb->entries_cap) {
		kb->entries_cap = kb->entries_cap ? kb->entries_cap * 2 : 256;
		kb->entries = xreallocarray(kb->entries, kb->entries_cap, sizeof *kb->entries);
	}
	e = xcalloc(1, sizeof *e);
	e->kind = kind;
	e->key = xstrdup(key);
	e->after = after != NULL ? xstrdup(after) : NULL;
	kb->entries[kb->nentries] = e;
	table_insert(kb, kb->nentries);
	kb->nentries++;
	return e;
}

int
kb_kind_from_name(const char *name)
{
	int i;

	for (i = 0; kb_kind_names[i] != NULL; i++)
		if (strcmp(kb_kind_names[i], name) == 0)
			return i;
	return -1;
}

int
kb_field_from_name(const char *name)
{
	int i;

	for (i = 0; kb_field_names[i] != NULL; i++)
		if (strcmp(kb_field_names[i], name) == 0)
			return i;
	return -1;
}

static const char *
remember_file(struct kb *kb, const char *path)
{
	if (kb->nfiles == kb->files_cap) {
		kb->files_cap = kb->files_cap ? kb->files_cap * 2 : 16;
		kb->files = xreallocarray(kb->files, kb->files_cap, sizeof *kb->files);
	}
	kb->files[kb->nfiles] = xstrdup(path);
	return kb->files[kb->nfiles++];
}

static void
load_file(struct kb *kb, const char *path, int lang)
{
	const char *file = remember_file(kb, path);
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *data;
	size_t got;

	if (f == NULL) {
		kb_diag(kb, file, 0, "cannot be read: %s", strerror(errno));
		return;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		kb_diag(kb, file, 0, "is not a regular file");
		fclose(f);
		return;
	}
	if ((uintmax_t)st.st_size > KB_FILE_MAX) {
		kb_diag(kb, file, 0, "is too big for a help file (over %u bytes)", KB_FILE_MAX);
		fclose(f);
		return;
	}
	data = xmalloc((size_t)st.st_size + 1);
	got = fread(data, 1, (size_t)st.st_size, f);
	if (ferror(f))
		kb_diag(kb, file, 0, "read error: %s", strerror(errno));
	fclose(f);
	data[got] = '\0';
	kb_parse_buffer(kb, file, lang, data, got);
	free(data);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every *.txt of dir/sub in name order. Returns -1 with errno when the folder can't be
 * opened. */
static int
load_language(struct kb *kb, const char *dir, const char *sub, int lang)
{
	char *path = xasprintf("%s/%s", dir, sub);
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (d == NULL) {
		int saved = errno;

		free(path);
		errno = saved;
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ".txt") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xreallocarray(names, cap, sizeof *names);
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, compare_names);
	for (i = 0; i < n; i++) {
		char *file = xasprintf("%s/%s", path, names[i]);

		load_file(kb, file, lang);
		free(file);
		free(names[i]);
	}
	free(names);
	free(path);
	return 0;
}

/* Links each variant to its plain entry and each 4.N.N / 5.N.N to X.N.N, once after loading, so
 * look-ups need no string work. */
static void
link_bases(struct kb *kb)
{
	size_t i;

	for (i = 0; i < kb->nentries; i++) {
		struct kb_entry *e = kb->entries[i];

		if (e->after != NULL) {
			e->base = kb_table_get(kb, e->kind, e->key, NULL);
			if (e->base == NULL && e->kind == KIND_ENHANCED && e->key[0] != 'X') {
				char *x = xstrdup(e->key);

				x[0] = 'X';
				e->base = kb_table_get(kb, e->kind, x, e->after);
				if (e->base == NULL)
					e->base = kb_table_get(kb, e->kind, x, NULL);
				free(x);
			}
		} else if (e->kind == KIND_ENHANCED && e->key[0] != 'X') {
			char *x = xstrdup(e->key);

			x[0] = 'X';
			e->base = kb_table_get(kb, e->kind, x, NULL);
			free(x);
		}
	}
}

/* Only letters, two or three of them, may name a language folder. */
static bool
lang_ok(const char *lang)
{
	size_t n = strlen(lang), i;

	if (n < 2 || n > 3)
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)lang[i]))
			return false;
	return true;
}

struct kb *
kb_load(const char *dir, const char *lang, char **errstr)
{
	struct kb *kb = xcalloc(1, sizeof *kb);

	snprintf(kb->lang, sizeof kb->lang, "en");
	if (load_language(kb, dir, "en", 0) != 0) {
		if (errstr != NULL)
			*errstr = xasprintf("cannot read the help folder %s/en: %s", dir,
			    strerror(errno));
		kb_free(kb);
		return NULL;
	}
	if (lang != NULL && strcmp(lang, "en") != 0 && lang_ok(lang)) {
		if (load_language(kb, dir, lang, 1) == 0)
			snprintf(kb->lang, sizeof kb->lang, "%s", lang);
	}
	link_bases(kb);
	return kb;
}

struct kb *
kb_load_buffer(const char *name, const void *data, size_t len)
{
	struct kb *kb = xcalloc(1, sizeof *kb);
	const char *file = remember_file(kb, name != NULL ? name : "(buffer)");
	char *copy = xmalloc(len + 1);

	snprintf(kb->lang, sizeof kb->lang, "en");
	if (len > 0)
		memcpy(copy, data, len);
	copy[len] = '\0';
	kb_parse_buffer(kb, file, 0, copy, len);
	free(copy);
	link_bases(kb);
	return kb;
}

static void
raw_free(struct kb_raw *raw)
{
	size_t i;

	if (raw == NULL)
		return;
	for (i = 0; i < F_COUNT; i++)
		free(raw->fields[i]);
	free(raw);
}

void
kb_free(struct kb *kb)
{
	size_t i;

	if (kb == NULL)
		return;
	for (i = 0; i < kb->nentries; i++) {
		raw_free(kb->entries[i]->raw[0]);
		raw_free(kb->entries[i]->raw[1]);
		free(kb->entries[i]->key);
		free(kb->entries[i]->after);
		free(kb->entries[i]);
	}
	for (i = 0; i < kb->ndiags; i++)
		free(kb->diags[i]);
	for (i = 0; i < kb->nfiles; i++)
		free(kb->files[i]);
	free(kb->entries);
	free(kb->table);
	free(kb->diags);
	free(kb->files);
	for (i = 0; i < kb->nmissing; i++)
		free(kb->missing_labels[i]);
	free(kb->missing_labels);
	free(kb);
}

size_t
kb_diagnostic_count(const struct kb *kb)
{
	return kb != NULL ? kb->ndiags : 0;
}

const char *
kb_diagnostic(const struct kb *kb, size_t i)
{
	return kb != NULL && i < kb->ndiags ? kb->diags[i] : NULL;
}

const char *
kb_language(const struct kb *kb)
{
	return kb->lang;
}
