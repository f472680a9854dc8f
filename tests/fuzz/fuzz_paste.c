/* fuzz_paste.c: libFuzzer target for the reader of text pasted into `smtpscope explain -`
 * (core/knowledge/paste.c). The input, cut at its first NUL, is the pasted text, read once
 * without a default context and once with one. Every item must be non-empty; a reply's text is
 * reply lines only, each ending in "\n", all but the last continued with '-' (or the reply was
 * left open at the end); a context is short and never empty; there are never more items than
 * lines. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/knowledge/paste.h"
#include "core/util/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
reply_line_ok(const char *s, size_t n)
{
	return n >= 3 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' &&
	    s[2] >= '0' && s[2] <= '9' && (n == 3 || s[3] == ' ' || s[3] == '-');
}

static void
check_reply(const char *text)
{
	const char *p = text;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');

		if (nl == NULL || !reply_line_ok(p, (size_t)(nl - p)))
			abort();
		/* A line ends with '\r' or ' ' never: those were trimmed. */
		if (nl > p && (nl[-1] == '\r' || nl[-1] == ' '))
			abort();
		p = nl + 1;
	}
}

static void
read_all(const char *text, const char *after)
{
	struct paste_reader *r = paste_reader_new(text, after);
	struct paste_item item;
	size_t items = 0, lines = 1;
	const char *p;

	for (p = text; *p != '\0'; p++)
		lines += *p == '\n';
	while (paste_reader_next(r, &item)) {
		if (item.text == NULL || item.text[0] == '\0')
			abort();
		if (item.after != NULL && (item.after[0] == '\0' ||
		    strlen(item.after) >= PASTE_AFTER_MAX))
			abort();
		if (item.is_reply)
			check_reply(item.text);
		else if (strchr(item.text, '\n') != NULL)
			abort();
		if (++items > lines)
			abort();
	}
	/* The end stays the end. */
	if (paste_reader_next(r, &item))
		abort();
	paste_reader_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	read_all(text, NULL);
	read_all(text, "RCPT");
	free(text);
	return 0;
}
