/* fuzz_kb.c: libFuzzer target for the knowledge-file parser. Any bytes must load (with
 * diagnostics) without a crash, and every entry that loaded must answer look-ups of its fields,
 * and explain when it is a code, so the loader never leaves a half-built entry behind. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/knowledge/explain.h"
#include "core/knowledge/kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
touch_entry(void *ctx, const struct kb_entry *entry)
{
	const struct kb *kb = ctx;
	static const char *const fields[] = { "title", "description", "when", "fix", "learn" };
	size_t i;

	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *value = kb_field(kb, entry, fields[i]);

		if (value != NULL && strlen(value) == (size_t)-1)
			abort();
	}
	if (kb_find(kb, kb_entry_kind(entry), kb_entry_key(entry), NULL) == NULL)
		abort();  /* an entry that was listed must be found */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = { "code", "enhanced", "command", "keyword", "label",
		"event", "scenario", "class", "category", "subject", "status-class", "compare" };
	struct kb *kb = kb_load_buffer("fuzz.txt", data, size);
	struct explanation *ex;
	size_t i;
	char *err = NULL;

	if (kb == NULL)
		return 0;
	for (i = 0; i < kb_diagnostic_count(kb); i++)
		if (kb_diagnostic(kb, i) == NULL)
			abort();
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		kb_each(kb, kinds[i], touch_entry, kb);
	ex = explain_word(kb, "550 5.7.1", &err);
	explanation_free(ex);
	free(err);
	err = NULL;
	ex = explain_compare(kb, "450", "550", &err);
	explanation_free(ex);
	free(err);
	kb_free(kb);
	return 0;
}
