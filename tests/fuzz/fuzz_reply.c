/* fuzz_reply.c: libFuzzer target for the reply parser. The first byte picks options (SMTPUTF8,
 * small caps); the rest is parsed twice, once in one feed and once in chunks whose sizes come
 * from the input itself, and the two results must be identical. Every reply is checked against
 * the parser's promises (caps, lengths, codes). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto/reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FNV-1a over everything a reply says, so two parses compare in constant memory. */
static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	return h;
}

static uint64_t
check_reply(uint64_t h, const struct reply *r, const struct reply_limits *limits)
{
	size_t line_cap = limits->line_cap ? limits->line_cap : REPLY_DEFAULT_LINE_CAP;
	size_t lines_cap = limits->lines_cap ? limits->lines_cap : REPLY_DEFAULT_LINES_CAP;
	size_t i;

	if (line_cap < 32)
		line_cap = 32;
	if (lines_cap < 2)
		lines_cap = 2;
	if (r->code != 0 && (r->code < 200 || r->code > 599))
		abort();
	if (r->nlines == 0 || r->nlines > lines_cap || r->nlines > r->lines_total)
		abort();
	if (r->nlines < r->lines_total && !(r->violations & REPLY_V_TRUNCATED))
		abort();
	if (strlen(r->code_text) > 3 || strlen(r->enhanced) > 9)
		abort();
	if (r->enhanced[0] != '\0' && r->code == 0)
		abort();
	h = mix(h, &r->code, sizeof r->code);
	h = mix(h, r->code_text, strlen(r->code_text));
	h = mix(h, r->enhanced, strlen(r->enhanced));
	h = mix(h, &r->violations, sizeof r->violations);
	h = mix(h, &r->lines_total, sizeof r->lines_total);
	h = mix(h, &r->wire_len, sizeof r->wire_len);
	for (i = 0; i < r->nlines; i++) {
		const struct reply_line *l = &r->lines[i];
		size_t full_len;
		unsigned violations;

		if (l->len > line_cap || l->len > l->full_len || l->raw[l->len] != '\0')
			abort();
		if ((l->violations & ~r->violations) != 0)
			abort();
		if (reply_line_text(r, i) + reply_line_text_len(r, i) != l->raw + l->len)
			abort();
		h = mix(h, l->raw, l->len);
		/* Copied out: the fields are packed bit-fields, which have no address. */
		full_len = l->full_len;
		violations = l->violations;
		h = mix(h, &full_len, sizeof full_len);
		h = mix(h, &violations, sizeof violations);
	}
	(void)reply_class(r);
	return h;
}

static uint64_t
drain(struct reply_parser *p, uint64_t h, const struct reply_limits *limits, int finish)
{
	struct reply *r;

	while ((r = finish ? reply_parser_finish(p) : reply_parser_next(p)) != NULL) {
		h = check_reply(h, r, limits);
		reply_free(r);
	}
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply_limits limits = { 0, 0 };
	struct reply_parser *whole, *chunked;
	uint64_t h1 = 14695981039346656037ull, h2 = h1;
	size_t at = 0, step = 0;
	unsigned opts;

	if (size == 0)
		return 0;
	opts = data[0];
	data++;
	size--;
	if (opts & 1) {
		limits.line_cap = 32 + (opts >> 4);
		limits.lines_cap = 2 + ((opts >> 1) & 7);
	}
	whole = reply_parser_new(&limits);
	chunked = reply_parser_new(&limits);
	reply_parser_set_utf8(whole, opts & 0x80);
	reply_parser_set_utf8(chunked, opts & 0x80);

	reply_parser_feed(whole, data, size);
	h1 = drain(whole, h1, &limits, 0);
	h1 = drain(whole, h1, &limits, 1);

	while (at < size) {
		/* Chunk sizes from the data: 1 to 16 bytes, with an empty feed now and then. */
		unsigned pick = data[(at * 7 + step++) % size];
		size_t n = 1 + (pick & 15);

		if (n > size - at)
			n = size - at;
		if (pick & 0x40)
			reply_parser_feed(chunked, data + at, 0);
		reply_parser_feed(chunked, data + at, n);
		at += n;
		if (step % 3 == 0)
			h2 = drain(chunked, h2, &limits, 0);
		(void)reply_parser_pending(chunked);
	}
	h2 = drain(chunked, h2, &limits, 0);
	h2 = drain(chunked, h2, &limits, 1);
	if (h1 != h2)
		abort();
	if (reply_parser_pending(whole) || reply_parser_pending(chunked))
		abort();

	/* Reset leaves a usable parser. */
	reply_parser_feed(chunked, data, size);
	reply_parser_reset(chunked);
	if (reply_parser_pending(chunked) || reply_parser_next(chunked) != NULL)
		abort();
	reply_parser_free(whole);
	reply_parser_free(chunked);
	return 0;
}
