/* fuzz_transcript.c: libFuzzer target for the transcript reader. Any input either fails with a
 * "name:line: message" error or loads; a loaded transcript must save to cat-safe text that
 * loads again and saves to exactly the same text. */
#define _GNU_SOURCE 1
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/transcript.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Saves t into memory; returns the text (caller frees) and its length. */
static char *
save(const struct transcript *t, size_t *len)
{
	char *text = NULL, *err = NULL;
	FILE *fp = open_memstream(&text, len);

	if (fp == NULL)
		abort();
	if (transcript_write(t, fp, &err) != 0)
		abort();
	fclose(fp);
	return text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *err = NULL, *first, *second;
	struct transcript *t = transcript_load_buffer(data, size, "fuzz", &err), *again;
	size_t len1, len2, i;

	if (t == NULL) {
		if (err == NULL || strncmp(err, "fuzz:", 5) != 0)
			abort();
		free(err);
		return 0;
	}
	for (i = 0; i < transcript_reply_count(t); i++) {
		const struct transcript_reply *r = transcript_reply(t, i);

		if (r->last_entry >= transcript_count(t) || r->first_entry > r->last_entry ||
		    transcript_entry(t, r->last_entry)->reply != i)
			abort();
	}
	first = save(t, &len1);
	for (i = 0; i < len1; i++) {
		unsigned char c = (unsigned char)first[i];

		if (!((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n'))
			abort();
	}
	again = transcript_load_buffer(first, len1, "saved", &err);
	if (again == NULL) {
		fprintf(stderr, "reload failed: %s\n%s", err, first);
		abort();
	}
	second = save(again, &len2);
	if (len1 != len2 || memcmp(first, second, len1) != 0) {
		fprintf(stderr, "saved texts differ:\n%s\n----\n%s", first, second);
		abort();
	}
	if (transcript_count(again) != transcript_count(t) ||
	    transcript_reply_count(again) != transcript_reply_count(t))
		abort();
	free(first);
	free(second);
	transcript_free(again);
	transcript_free(t);
	return 0;
}
