/* kb_lookup.c: the knowledge base's look-ups: an entry by kind, key and context (with the
 * fallbacks to the plain entry and to X.N.N), its fields in the kb's language or English,
 * every entry of a kind, and labels. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/knowledge/kb_internal.h"
#include "core/util/xmalloc.h"

/* The first word of a context ("RCPT TO:<a@b>" means RCPT), bounded. */
static const char *
context_word(const char *after, char *buf, size_t size)
{
	size_t n = 0;

	if (after == NULL)
		return NULL;
	while (*after == ' ')
		after++;
	while (after[n] != '\0' && after[n] != ' ' && after[n] != '\t' && n + 1 < size) {
		buf[n] = after[n];
		n++;
	}
	buf[n] = '\0';
	return n > 0 ? buf : NULL;
}

const struct kb_entry *
kb_find_exact(const struct kb *kb, const char *kind, const char *key, const char *after)
{
	int k;
	char ctx[32];

	if (kb == NULL || kind == NULL || key == NULL || (k = kb_kind_from_name(kind)) < 0)
		return NULL;
	return kb_table_get(kb, (enum kb_kind)k, key, context_word(after, ctx, sizeof ctx));
}

const struct kb_entry *
kb_find(const struct kb *kb, const char *kind, const char *key, const char *after)
{
	const struct kb_entry *e;
	int k;
	char ctx[32], x[32];

	if (kb == NULL || kind == NULL || key == NULL || (k = kb_kind_from_name(kind)) < 0)
		return NULL;
	after = context_word(after, ctx, sizeof ctx);
	if (after != NULL && (e = kb_table_get(kb, (enum kb_kind)k, key, after)) != NULL)
		return e;
	if ((e = kb_table_get(kb, (enum kb_kind)k, key, NULL)) != NULL)
		return e;
	if (k == KIND_ENHANCED && key[0] != 'X' && key[0] != 'x' && strlen(key) < sizeof x) {
		snprintf(x, sizeof x, "%s", key);
		x[0] = 'X';
		if (after != NULL && (e = kb_table_get(kb, KIND_ENHANCED, x, after)) != NULL)
			return e;
		return kb_table_get(kb, KIND_ENHANCED, x, NULL);
	}
	return NULL;
}

const char *
kb_field(const struct kb *kb, const struct kb_entry *entry, const char *field)
{
	int f = field != NULL ? kb_field_from_name(field) : -1;
	int hops, lang;

	if (kb == NULL || f < 0)
		return NULL;
	/* The kb's language first, along the whole chain (variant -> plain -> X.N.N), then
	 * English along it: a learner reading Indonesian gets Indonesian whenever some entry of
	 * the chain has it. The bound on hops guards against a cycle. */
	for (lang = 1; lang >= 0; lang--) {
		const struct kb_entry *e = entry;

		for (hops = 0; e != NULL && hops < 4; e = e->base, hops++)
			if (e->raw[lang] != NULL && e->raw[lang]->fields[f] != NULL)
				return e->raw[lang]->fields[f];
	}
	return NULL;
}

unsigned
kb_field_line(const struct kb *kb, const struct kb_entry *entry, const char *field)
{
	int f = field != NULL ? kb_field_from_name(field) : -1;
	int hops, lang;

	if (kb == NULL || f < 0)
		return 0;
	/* The same chain as kb_field, so the line is that of the text kb_field gives. */
	for (lang = 1; lang >= 0; lang--) {
		const struct kb_entry *e = entry;

		for (hops = 0; e != NULL && hops < 4; e = e->base, hops++)
			if (e->raw[lang] != NULL && e->raw[lang]->fields[f] != NULL)
				return e->raw[lang]->lines[f];
	}
	return 0;
}

unsigned
kb_entry_line(const struct kb_entry *entry)
{
	if (entry == NULL)
		return 0;
	return entry->raw[0] != NULL ? entry->raw[0]->line :
	    entry->raw[1] != NULL ? entry->raw[1]->line : 0;
}

const char *
kb_field_in(const struct kb *kb, const struct kb_entry *entry, const char *field,
    const char *lang)
{
	int f = field != NULL ? kb_field_from_name(field) : -1;
	int which;

	if (kb == NULL || entry == NULL || f < 0 || lang == NULL)
		return NULL;
	if (strcmp(lang, "en") == 0)
		which = 0;
	else if (strcmp(lang, kb->lang) == 0)
		which = 1;
	else
		return NULL;
	return entry->raw[which] != NULL ? entry->raw[which]->fields[f] : NULL;
}

const char *
kb_entry_kind(const struct kb_entry *entry)
{
	return kb_kind_names[entry->kind];
}

const char *
kb_entry_key(const struct kb_entry *entry)
{
	return entry->key;
}

const char *
kb_entry_after(const struct kb_entry *entry)
{
	return entry->after;
}

void
kb_each(const struct kb *kb, const char *kind,
    void (*fn)(void *ctx, const struct kb_entry *entry), void *ctx)
{
	int k = kind != NULL ? kb_kind_from_name(kind) : -1;
	size_t i;

	if (kb == NULL || k < 0)
		return;
	for (i = 0; i < kb->nentries; i++)
		if (kb->entries[i]->kind == (enum kb_kind)k && kb->entries[i]->after == NULL)
			fn(ctx, kb->entries[i]);
}

/* The kb's own copy of a label name that has no text. */
static const char *
missing_label(const struct kb *kb, const char *name)
{
	struct kb *cache = (struct kb *)kb;
	size_t i;

	for (i = 0; i < kb->nmissing; i++)
		if (strcmp(kb->missing_labels[i], name) == 0)
			return kb->missing_labels[i];
	if (cache->nmissing == cache->missing_cap) {
		cache->missing_cap = cache->missing_cap ? 2 * cache->missing_cap : 16;
		cache->missing_labels = xreallocarray(cache->missing_labels, cache->missing_cap,
		    sizeof *cache->missing_labels);
	}
	cache->missing_labels[cache->nmissing] = xstrdup(name);
	return cache->missing_labels[cache->nmissing++];
}

const char *
kb_label(const struct kb *kb, const char *name)
{
	const struct kb_entry *e;
	const char *text;

	if (kb == NULL || name == NULL)
		return name;
	e = kb_table_get(kb, KIND_LABEL, name, NULL);
	text = e != NULL ? kb_field(kb, e, "text") : NULL;
	return text != NULL ? text : missing_label(kb, name);
}
