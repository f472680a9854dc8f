/* fuzz_transcript.c: libFuzzer target for the transcript reader and writer.
 * - Input starting with '#' is read as a transcript file: it either fails with a
 *   "name:line: message" error or loads, and a loaded transcript must save to cat-safe text that
 *   loads again and saves to exactly the same text.
 * - Any other input builds a transcript through the API: the bytes are parsed as server replies
 *   (options from the first byte) and also recorded as sent lines and events; saving and loading
 *   must give back every byte, flag, reply, latency and violation. */
#define _GNU_SOURCE 1
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto/reply.h"
#include "core/record/transcript.h"

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

static void
same_or_abort(const struct transcript *a, const struct transcript *b)
{
	size_t i, j;

	if (transcript_count(a) != transcript_count(b) ||
	    transcript_reply_count(a) != transcript_reply_count(b))
		abort();
	for (i = 0; i < transcript_count(a); i++) {
		const struct transcript_entry *x = transcript_entry(a, i), *y = transcript_entry(b, i);

		if (x->time_us != y->time_us || x->kind != y->kind || x->len != y->len ||
		    memcmp(x->text, y->text, x->len + 1) != 0 || x->reply != y->reply ||
		    x->secret != y->secret || (x->event == NULL) != (y->event == NULL) ||
		    (x->event != NULL && strcmp(x->event, y->event) != 0))
			abort();
	}
	for (i = 0; i < transcript_reply_count(a); i++) {
		const struct transcript_reply *x = transcript_reply(a, i), *y = transcript_reply(b, i);
		const struct reply *rx = x->reply, *ry = y->reply;

		if (x->first_entry != y->first_entry || x->last_entry != y->last_entry ||
		    x->latency_us != y->latency_us || (x->after == NULL) != (y->after == NULL) ||
		    (x->after != NULL && strcmp(x->after, y->after) != 0) ||
		    (x->state == NULL) != (y->state == NULL) ||
		    (x->state != NULL && strcmp(x->state, y->state) != 0))
			abort();
		if (rx->code != ry->code || strcmp(rx->code_text, ry->code_text) != 0 ||
		    strcmp(rx->enhanced, ry->enhanced) != 0 || rx->violations != ry->violations ||
		    rx->nlines != ry->nlines || rx->lines_total != ry->lines_total)
			abort();
		for (j = 0; j < rx->nlines; j++)
			if (rx->lines[j].len != ry->lines[j].len ||
			    memcmp(rx->lines[j].raw, ry->lines[j].raw, rx->lines[j].len) != 0 ||
			    rx->lines[j].full_len != ry->lines[j].full_len ||
			    rx->lines[j].violations != ry->lines[j].violations)
				abort();
	}
}

/* A short string (no NUL) taken from the input, for after/state/event. */
static char *
pick_string(const uint8_t *data, size_t size, size_t at, char *buf, size_t bufsize)
{
	size_t i, n = size ? data[at % size] % bufsize : 0;

	if (n == 0 || (data[(at + 1) % size] & 7) == 0)
		return NULL;
	for (i = 0; i < n; i++) {
		buf[i] = (char)data[(at + 2 + i) % size];
		if (buf[i] == '\0')
			buf[i] = '?';
	}
	buf[n] = '\0';
	return buf;
}

static void
api_round_trip(const uint8_t *data, size_t size)
{
	struct reply_limits limits = { 0, 0 };
	struct reply_parser *p;
	struct transcript *t = transcript_new(), *back;
	struct reply *r;
	unsigned opts = data[0];
	int64_t now = (int64_t)(opts * 7919) * 1000003 - 5000000;
	size_t at = 1, n = 0, len;
	char after[24], state[24], event[24], *text, *err = NULL;

	if (opts & 1) {
		limits.line_cap = 32 + (opts >> 3);
		limits.lines_cap = 2 + ((opts >> 1) & 3);
	}
	p = reply_parser_new(&limits);
	reply_parser_set_utf8(p, (opts & 0x80) != 0);
	while (at < size) {
		size_t chunk = 1 + data[at] % 64;
		int kind = data[at] % 7;

		if (chunk > size - at)
			chunk = size - at;
		if (kind < 4) {
			reply_parser_feed(p, data + at, chunk);
		} else {
			transcript_add_at(t, now, kind == 4 ? TRANSCRIPT_SENT : kind == 5 ?
			    TRANSCRIPT_EVENT : TRANSCRIPT_RECEIVED, (const char *)data + at, chunk,
			    pick_string(data, size, at + 3, event, sizeof event), (data[at] & 8) != 0);
		}
		at += chunk;
		while ((r = reply_parser_next(p)) != NULL) {
			int64_t latency = (int64_t)data[(at + n) % size] * 977 - 2000;

			transcript_add_reply_at(t, now, r, pick_string(data, size, at + n, after,
			    sizeof after), pick_string(data, size, at + n + 5, state, sizeof state),
			    latency);
			n++;
		}
		now += (int64_t)data[at % size] * 12345;
	}
	while ((r = reply_parser_finish(p)) != NULL)
		transcript_add_reply_at(t, now, r, "QUIT", NULL, -1);
	reply_parser_free(p);

	text = save(t, &len);
	back = transcript_load_buffer(text, len, "api", &err);
	if (back == NULL) {
		fprintf(stderr, "load failed: %s\n%s", err, text);
		abort();
	}
	same_or_abort(t, back);
	free(text);
	transcript_free(back);
	transcript_free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *err = NULL, *first, *second;
	struct transcript *t, *again;
	size_t len1, len2, i;

	if (size > 0 && data[0] != '#') {
		api_round_trip(data, size);
		return 0;
	}
	t = transcript_load_buffer(data, size, "fuzz", &err);
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
