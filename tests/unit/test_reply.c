/* test_reply.c: the reply parser: chunking never changes the result, every violation is seen,
 * the memory caps hold and parsing recovers after them, enhanced codes, end of stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/proto/reply.h"

/* A growing text buffer to describe parsed replies in a canonical form. */
struct desc {
	char *buf;
	size_t len, alloc;
};

static void
desc_add(struct desc *d, const void *data, size_t len)
{
	if (d->len + len + 1 > d->alloc) {
		d->alloc = (d->len + len + 1) * 2;
		d->buf = realloc(d->buf, d->alloc);
		assert_non_null(d->buf);
	}
	memcpy(d->buf + d->len, data, len);
	d->len += len;
	d->buf[d->len] = '\0';
}

static void
desc_printf(struct desc *d, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof tmp);
	desc_add(d, tmp, (size_t)n);
}

/* Everything the parser says about one reply, so two parses can be compared exactly. */
static void
desc_reply(struct desc *d, const struct reply *r)
{
	size_t i;

	desc_printf(d, "[code=%d text=%s enh=%s v=%x n=%zu total=%zu wire=%zu\n", r->code,
	    r->code_text, r->enhanced, r->violations, r->nlines, r->lines_total, r->wire_len);
	for (i = 0; i < r->nlines; i++) {
		desc_printf(d, " line len=%zu full=%zu v=%x <", r->lines[i].len, r->lines[i].full_len,
		    r->lines[i].violations);
		desc_add(d, r->lines[i].raw, r->lines[i].len);
		desc_printf(d, ">\n");
	}
	desc_printf(d, "]\n");
}

/* Drains every reply the parser has complete into d. */
static size_t
drain(struct reply_parser *p, struct desc *d)
{
	struct reply *r;
	size_t n = 0;

	while ((r = reply_parser_next(p)) != NULL) {
		desc_reply(d, r);
		reply_free(r);
		n++;
	}
	return n;
}

static void
finish_all(struct reply_parser *p, struct desc *d)
{
	struct reply *r;

	while ((r = reply_parser_finish(p)) != NULL) {
		desc_printf(d, "finish ");
		desc_reply(d, r);
		reply_free(r);
	}
	assert_false(reply_parser_pending(p));
}

/* Parses data cut at the given points (sorted offsets), draining after every feed. */
static char *
parse_split(const char *data, size_t len, const size_t *cuts, size_t ncuts,
    const struct reply_limits *limits)
{
	struct reply_parser *p = reply_parser_new(limits);
	struct desc d = { 0 };
	size_t at = 0, i;

	for (i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len;

		reply_parser_feed(p, data + at, end - at);
		drain(p, &d);
		at = end;
	}
	finish_all(p, &d);
	reply_parser_free(p);
	desc_add(&d, "", 0);
	return d.buf;
}

static char *
parse_bytewise(const char *data, size_t len, const struct reply_limits *limits)
{
	struct reply_parser *p = reply_parser_new(limits);
	struct desc d = { 0 };
	size_t i;

	for (i = 0; i < len; i++) {
		reply_parser_feed(p, data + i, 1);
		drain(p, &d);
	}
	finish_all(p, &d);
	reply_parser_free(p);
	desc_add(&d, "", 0);
	return d.buf;
}

#define S(x) { x, sizeof x - 1 }
static const struct {
	const char *data;
	size_t len;
} corpus[] = {
	S("220 mx.example.org ESMTP ready\r\n"),
	S("250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 SMTPUTF8\r\n"
	  "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"),
	S("550-5.7.1 Relaying denied\r\n550 5.7.1 see https://example.org\r\n221 Bye\r\n"),
	S("250-a\n250 b\r\n220 c\rd\r\n"),               /* bare LF, bare CR */
	S("250-a\r\n550 b\r\n2x0 weird\r\n99 \r\n6000 big\r\n250ok\r\n"),
	S("250-a\r\ngarbage inside\r\n250 end\r\n"),
	S("250 nul\0here\r\n250 \xc3\xa9t\xc3\xa9\r\n\r\n\r\r\n"),
	S("250 x\r\r\r\n\n\n250-tail"),                   /* ends inside a multiline reply */
	S("421 4.3.2 closing\r"),                          /* ends with a CR left waiting */
	S("250-\r\n250\r\n"),
};

static void
test_every_split_gives_the_same_replies(void **state)
{
	struct reply_limits small = { 40, 3 };
	size_t c, cut, cut2;

	(void)state;
	for (c = 0; c < sizeof corpus / sizeof corpus[0]; c++) {
		const char *data = corpus[c].data;
		size_t len = corpus[c].len;
		char *whole = parse_split(data, len, NULL, 0, NULL);
		char *whole_small = parse_split(data, len, NULL, 0, &small);
		char *other;

		assert_true(strlen(whole) > 0);
		for (cut = 0; cut <= len; cut++) {
			other = parse_split(data, len, &cut, 1, NULL);
			assert_string_equal(whole, other);
			free(other);
			other = parse_split(data, len, &cut, 1, &small);
			assert_string_equal(whole_small, other);
			free(other);
		}
		/* Every three-way split as well (the corpus is small). */
		for (cut = 0; cut <= len; cut++)
			for (cut2 = cut; cut2 <= len; cut2++) {
				size_t cuts[2] = { cut, cut2 };

				other = parse_split(data, len, cuts, 2, NULL);
				assert_string_equal(whole, other);
				free(other);
			}
		other = parse_bytewise(data, len, NULL);
		assert_string_equal(whole, other);
		free(other);
		other = parse_bytewise(data, len, &small);
		assert_string_equal(whole_small, other);
		free(other);
		free(whole);
		free(whole_small);
	}
}

static void
test_all_corpus_streams_in_one_feed_match_bytewise(void **state)
{
	/* Many replies per read: the whole corpus concatenated, compared to one byte at a time. */
	char buf[4096];
	size_t len = 0, c;
	char *a, *b;

	(void)state;
	for (c = 0; c < sizeof corpus / sizeof corpus[0]; c++) {
		/* Skip streams that end mid-reply so each one stays separate. */
		if (corpus[c].data[corpus[c].len - 1] != '\n')
			continue;
		memcpy(buf + len, corpus[c].data, corpus[c].len);
		len += corpus[c].len;
	}
	a = parse_split(buf, len, NULL, 0, NULL);
	b = parse_bytewise(buf, len, NULL);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* Feeds text (C string) and returns the first reply; asserts nothing else is queued when
 * expect_one. */
static struct reply *
parse_one(const char *data, size_t len)
{
	struct reply_parser *p = reply_parser_new(NULL);
	struct reply *r;

	reply_parser_feed(p, data, len);
	r = reply_parser_next(p);
	assert_non_null(r);
	assert_null(reply_parser_next(p));
	assert_false(reply_parser_pending(p));
	reply_parser_free(p);
	return r;
}

static void
test_multiline_reply(void **state)
{
	static const char in[] = "250-mx.example.org greets you\r\n250-PIPELINING\r\n250 HELP\r\n";
	struct reply *r = parse_one(in, sizeof in - 1);

	(void)state;
	assert_int_equal(r->code, 250);
	assert_string_equal(r->code_text, "250");
	assert_int_equal(r->nlines, 3);
	assert_int_equal(r->lines_total, 3);
	assert_int_equal(r->violations, 0);
	assert_int_equal(r->wire_len, sizeof in - 1);
	assert_string_equal(r->lines[1].raw, "250-PIPELINING");
	assert_string_equal(reply_line_text(r, 0), "mx.example.org greets you");
	assert_string_equal(reply_line_text(r, 2), "HELP");
	assert_int_equal(reply_line_text_len(r, 2), 4);
	assert_true(reply_line_is_continuation(r, 0));
	assert_false(reply_line_is_continuation(r, 2));
	assert_int_equal(reply_class(r), 2);
	assert_string_equal(r->enhanced, "");
	reply_free(r);
}

static void
test_incomplete_reply_waits(void **state)
{
	struct reply_parser *p = reply_parser_new(NULL);
	struct reply *r;

	(void)state;
	assert_false(reply_parser_pending(p));
	reply_parser_feed(p, "250-a\r\n250 b", 12);
	assert_null(reply_parser_next(p));
	assert_true(reply_parser_pending(p));
	reply_parser_feed(p, "\r", 1);
	assert_null(reply_parser_next(p));
	reply_parser_feed(p, "\n220 x\r\n", 8);
	r = reply_parser_next(p);
	assert_non_null(r);
	assert_int_equal(r->nlines, 2);
	reply_free(r);
	r = reply_parser_next(p);
	assert_non_null(r);
	assert_int_equal(r->code, 220);
	reply_free(r);
	assert_null(reply_parser_next(p));
	assert_false(reply_parser_pending(p));
	reply_parser_free(p);
}

/* The violations of the first reply of a stream. */
static unsigned
violations_of(const char *data, size_t len, bool utf8)
{
	struct reply_parser *p = reply_parser_new(NULL);
	struct reply *r;
	unsigned v;

	reply_parser_set_utf8(p, utf8);
	reply_parser_feed(p, data, len);
	r = reply_parser_next(p);
	if (r == NULL)
		r = reply_parser_finish(p);
	assert_non_null(r);
	v = r->violations;
	reply_free(r);
	reply_parser_free(p);
	return v;
}
#define VIOL(lit) violations_of(lit, sizeof lit - 1, false)

static void
test_each_violation_is_detected(void **state)
{
	char longline[600];

	(void)state;
	assert_int_equal(VIOL("250 fine\r\n"), 0);
	assert_int_equal(VIOL("250-a\r\n550 b\r\n"), REPLY_V_CODE_MISMATCH);
	assert_int_equal(VIOL("250ok\r\n"), REPLY_V_NO_SEPARATOR);
	assert_int_equal(VIOL("2x0 x\r\n"), REPLY_V_BAD_CODE);
	assert_int_equal(VIOL("99 \r\n"), REPLY_V_BAD_CODE);
	assert_int_equal(VIOL("6000\r\n"), REPLY_V_BAD_CODE);
	assert_int_equal(VIOL("600 x\r\n"), REPLY_V_BAD_CODE);
	assert_int_equal(VIOL("150 x\r\n"), REPLY_V_BAD_CODE);
	assert_int_equal(VIOL("2500 x\r\n"), REPLY_V_BAD_CODE);
	assert_int_equal(VIOL("250 x\n"), REPLY_V_BARE_LF);
	assert_int_equal(VIOL("250 x\ry\r\n"), REPLY_V_BARE_CR);
	assert_int_equal(VIOL("250 x\0y\r\n"), REPLY_V_NUL);
	assert_int_equal(VIOL("250 caf\xc3\xa9\r\n"), REPLY_V_NON_ASCII);
	assert_int_equal(violations_of("250 caf\xc3\xa9\r\n", sizeof "250 caf\xc3\xa9\r\n" - 1, true), 0);

	/* 510 octets plus CRLF is the longest legal line; one more is too long. */
	memset(longline, 'a', sizeof longline);
	memcpy(longline, "250 ", 4);
	memcpy(longline + 510, "\r\n", 2);
	assert_int_equal(violations_of(longline, 512, false), 0);
	longline[510] = 'a';
	memcpy(longline + 511, "\r\n", 2);
	assert_int_equal(violations_of(longline, 513, false), REPLY_V_LINE_TOO_LONG);
}

static void
test_violation_names_and_keys(void **state)
{
	unsigned bit;

	(void)state;
	assert_string_equal(reply_violation_name(REPLY_V_BARE_LF), "bare LF line ending (CRLF expected)");
	for (bit = 1; bit < (1u << REPLY_V_COUNT); bit <<= 1) {
		const char *key = reply_violation_key((enum reply_violation)bit);

		assert_string_not_equal(key, "unknown");
		assert_string_not_equal(reply_violation_name((enum reply_violation)bit),
		    "unknown violation");
		assert_int_equal(reply_violation_from_key(key, strlen(key)), bit);
	}
	assert_int_equal(reply_violation_from_key("nope", 4), 0);
}

static void
test_bad_code_line_alone_is_a_reply_of_code_zero(void **state)
{
	static const char in[] = "hello there\r\n250 ok\r\n";
	struct reply_parser *p = reply_parser_new(NULL);
	struct reply *r;

	(void)state;
	reply_parser_feed(p, in, sizeof in - 1);
	r = reply_parser_next(p);
	assert_non_null(r);
	assert_int_equal(r->code, 0);
	assert_string_equal(r->code_text, "hel");
	assert_int_equal(r->violations, REPLY_V_BAD_CODE);
	assert_int_equal(r->nlines, 1);
	assert_string_equal(reply_line_text(r, 0), "hello there");
	assert_int_equal(reply_class(r), 0);
	reply_free(r);
	r = reply_parser_next(p);
	assert_non_null(r);
	assert_int_equal(r->code, 250);
	assert_int_equal(r->violations, 0);
	reply_free(r);
	reply_parser_free(p);
}

static void
test_bad_code_line_inside_multiline_stays_in_it(void **state)
{
	static const char in[] = "250-a\r\n?? stray\r\n250 end\r\n";
	struct reply *r = parse_one(in, sizeof in - 1);

	(void)state;
	assert_int_equal(r->code, 250);
	assert_int_equal(r->nlines, 3);
	assert_int_equal(r->violations, REPLY_V_BAD_CODE);
	assert_int_equal(r->lines[1].violations, REPLY_V_BAD_CODE);
	assert_int_equal(r->lines[2].violations, 0);
	assert_string_equal(reply_line_text(r, 1), "?? stray");
	reply_free(r);
}

static void
test_code_mismatch_ends_reply_with_first_code(void **state)
{
	static const char in[] = "250-a\r\n550 b\r\n";
	struct reply *r = parse_one(in, sizeof in - 1);

	(void)state;
	assert_int_equal(r->code, 250);
	assert_int_equal(r->nlines, 2);
	assert_int_equal(r->lines[1].violations, REPLY_V_CODE_MISMATCH);
	reply_free(r);
}

static void
test_bare_cr_stays_in_line(void **state)
{
	static const char in[] = "250 a\rb\r\n";
	struct reply *r = parse_one(in, sizeof in - 1);

	(void)state;
	assert_int_equal(r->nlines, 1);
	assert_int_equal(r->lines[0].len, 7);
	assert_memory_equal(r->lines[0].raw, "250 a\rb", 7);
	reply_free(r);
}

static void
test_nul_kept_with_length(void **state)
{
	static const char in[] = "250 a\0b\r\n";
	struct reply *r = parse_one(in, sizeof in - 1);

	(void)state;
	assert_int_equal(r->lines[0].len, 7);
	assert_memory_equal(r->lines[0].raw, "250 a\0b", 8);
	reply_free(r);
}

/* Checks that "250 after" parses cleanly: recovery after a capped reply. */
static void
expect_clean_after(struct reply_parser *p)
{
	struct reply *r;

	reply_parser_feed(p, "250 after\r\n", 11);
	r = reply_parser_next(p);
	assert_non_null(r);
	assert_int_equal(r->code, 250);
	assert_int_equal(r->violations, 0);
	assert_int_equal(r->nlines, 1);
	assert_string_equal(r->lines[0].raw, "250 after");
	reply_free(r);
}

static void
test_100mb_line_is_capped_and_parsing_recovers(void **state)
{
	const size_t total = 100u * 1024 * 1024, chunk = 64 * 1024;
	struct reply_parser *p = reply_parser_new(NULL);
	char *buf = malloc(chunk);
	struct reply *r;
	size_t sent;

	(void)state;
	assert_non_null(buf);
	memset(buf, 'x', chunk);
	memcpy(buf, "554 ", 4);
	for (sent = 0; sent < total; sent += chunk) {
		reply_parser_feed(p, buf, chunk);
		assert_null(reply_parser_next(p));
		if (sent == 0)
			memcpy(buf, "xxxx", 4);
	}
	reply_parser_feed(p, "\r\n", 2);
	r = reply_parser_next(p);
	assert_non_null(r);
	assert_int_equal(r->code, 554);
	assert_int_equal(r->nlines, 1);
	assert_int_equal(r->lines[0].len, REPLY_DEFAULT_LINE_CAP);
	assert_int_equal(r->lines[0].full_len, total);
	assert_int_equal(r->wire_len, total + 2);
	assert_true(r->violations & REPLY_V_TRUNCATED);
	assert_true(r->violations & REPLY_V_LINE_TOO_LONG);
	assert_int_equal(r->violations & ~(unsigned)(REPLY_V_TRUNCATED | REPLY_V_LINE_TOO_LONG), 0);
	reply_free(r);
	expect_clean_after(p);
	reply_parser_free(p);
	free(buf);
}

static void
test_million_line_reply_is_capped_and_parsing_recovers(void **state)
{
	const size_t lines = 1000000, per = 10000;
	static const char one[] = "250-line\r\n";
	struct reply_limits limits = { 0, 50 };
	struct reply_parser *p = reply_parser_new(&limits);
	char *buf = malloc(per * (sizeof one - 1));
	struct reply *r;
	size_t i;

	(void)state;
	assert_non_null(buf);
	for (i = 0; i < per; i++)
		memcpy(buf + i * (sizeof one - 1), one, sizeof one - 1);
	for (i = 0; i < lines / per; i++) {
		reply_parser_feed(p, buf, per * (sizeof one - 1));
		assert_null(reply_parser_next(p));
	}
	reply_parser_feed(p, "250 last\r\n", 10);
	r = reply_parser_next(p);
	assert_non_null(r);
	assert_int_equal(r->nlines, 50);
	assert_int_equal(r->lines_total, lines + 1);
	assert_int_equal(r->violations, REPLY_V_TRUNCATED);
	assert_string_equal(r->lines[0].raw, "250-line");
	assert_string_equal(r->lines[48].raw, "250-line");
	assert_string_equal(r->lines[49].raw, "250 last");  /* the final line is always kept */
	assert_int_equal(r->wire_len, lines * (sizeof one - 1) + 10);
	reply_free(r);
	expect_clean_after(p);
	reply_parser_free(p);
	free(buf);
}

static void
test_default_lines_cap_holds(void **state)
{
	struct reply_parser *p = reply_parser_new(NULL);
	struct reply *r;
	size_t i;

	(void)state;
	for (i = 0; i < 5000; i++)
		reply_parser_feed(p, "220-x\r\n", 7);
	reply_parser_feed(p, "220 y\r\n", 7);
	r = reply_parser_next(p);
	assert_non_null(r);
	assert_int_equal(r->nlines, REPLY_DEFAULT_LINES_CAP);
	assert_int_equal(r->lines_total, 5001);
	reply_free(r);
	reply_parser_free(p);
}

static void
test_small_caps_are_raised_to_the_minimum(void **state)
{
	static const char in[] =
	    "550-5.1.1 no such user here, really not at all\r\n550-b\r\n550 c\r\n";
	struct reply_limits limits = { 1, 1 };
	struct reply_parser *p = reply_parser_new(&limits);
	struct reply *r;

	(void)state;
	reply_parser_feed(p, in, sizeof in - 1);
	r = reply_parser_next(p);
	assert_non_null(r);
	assert_string_equal(r->enhanced, "5.1.1");
	assert_int_equal(r->nlines, 2);
	assert_int_equal(r->lines[0].len, 32);
	assert_string_equal(r->lines[1].raw, "550 c");
	assert_int_equal(r->lines_total, 3);
	reply_free(r);
	reply_parser_free(p);
}

static void
test_truncated_line_recovers_at_next_line_in_same_feed(void **state)
{
	struct reply_limits limits = { 40, 0 };
	struct reply_parser *p = reply_parser_new(&limits);
	char in[300];
	struct reply *r;

	(void)state;
	memset(in, 'z', sizeof in);
	memcpy(in, "250-", 4);
	memcpy(in + 200, "\r\n250 done\r\n", 12);
	reply_parser_feed(p, in, 212);
	r = reply_parser_next(p);
	assert_non_null(r);
	assert_int_equal(r->nlines, 2);
	assert_int_equal(r->lines[0].len, 40);
	assert_int_equal(r->lines[0].full_len, 200);
	assert_int_equal(r->lines[0].violations, REPLY_V_TRUNCATED);
	assert_int_equal(r->lines[1].violations, 0);
	assert_string_equal(r->lines[1].raw, "250 done");
	reply_free(r);
	reply_parser_free(p);
}

static void
check_enhanced(const char *line, const char *expect)
{
	struct reply *r = parse_one(line, strlen(line));

	assert_string_equal(r->enhanced, expect);
	reply_free(r);
}

static void
test_enhanced_status_code_extraction(void **state)
{
	(void)state;
	check_enhanced("550 5.7.1 Relaying denied\r\n", "5.7.1");
	check_enhanced("250 2.0.0\r\n", "2.0.0");
	check_enhanced("451 4.123.456 x\r\n", "4.123.456");
	check_enhanced("550-5.1.1 first\r\n550 5.1.2 second\r\n", "5.1.1");
	check_enhanced("550 5.1.1234 x\r\n", "");     /* Z has four digits */
	check_enhanced("550 5.1234.1 x\r\n", "");     /* Y has four digits */
	check_enhanced("550 3.1.1 x\r\n", "");        /* class 3 does not exist */
	check_enhanced("550 5..1 x\r\n", "");
	check_enhanced("550 5.1. x\r\n", "");
	check_enhanced("550 5.1.1x\r\n", "");         /* not followed by space or end */
	check_enhanced("550 5.1.1\tx\r\n", "");
	check_enhanced("550  5.1.1 x\r\n", "");       /* must start the text */
	check_enhanced("550 x 5.1.1\r\n", "");
	check_enhanced("550 5.1\r\n", "");
	check_enhanced("5.1.1 no code\r\n", "");      /* no valid reply code */
	check_enhanced("550-x\r\n550 5.1.1 late\r\n", "");  /* only the first line counts */
}

static void
test_finish_returns_partial_reply_truncated(void **state)
{
	struct reply_parser *p = reply_parser_new(NULL);
	struct reply *r;

	(void)state;
	assert_null(reply_parser_finish(p));

	/* An open multiline reply. */
	reply_parser_feed(p, "250-a\r\n250-b\r\n", 14);
	assert_null(reply_parser_next(p));
	r = reply_parser_finish(p);
	assert_non_null(r);
	assert_int_equal(r->nlines, 2);
	assert_int_equal(r->violations, REPLY_V_TRUNCATED);
	reply_free(r);
	assert_null(reply_parser_finish(p));
	assert_false(reply_parser_pending(p));

	/* A final line without its CRLF. */
	reply_parser_feed(p, "221 bye", 7);
	r = reply_parser_finish(p);
	assert_non_null(r);
	assert_int_equal(r->code, 221);
	assert_string_equal(r->lines[0].raw, "221 bye");
	assert_true(r->violations & REPLY_V_TRUNCATED);
	reply_free(r);

	/* A CR left waiting at the close is a bare CR kept in the line. */
	reply_parser_feed(p, "221 bye\r", 8);
	r = reply_parser_finish(p);
	assert_non_null(r);
	assert_int_equal(r->lines[0].len, 8);
	assert_int_equal(r->violations, REPLY_V_TRUNCATED | REPLY_V_BARE_CR);
	reply_free(r);

	/* Complete replies not yet taken come out first, then the partial one. */
	reply_parser_feed(p, "250 one\r\n250 two\r\n250-three", 27);
	r = reply_parser_finish(p);
	assert_string_equal(r->lines[0].raw, "250 one");
	assert_int_equal(r->violations, 0);
	reply_free(r);
	r = reply_parser_finish(p);
	assert_string_equal(r->lines[0].raw, "250 two");
	reply_free(r);
	r = reply_parser_finish(p);
	assert_string_equal(r->lines[0].raw, "250-three");
	assert_int_equal(r->violations, REPLY_V_TRUNCATED);
	reply_free(r);
	assert_null(reply_parser_finish(p));

	/* The parser is usable again afterwards. */
	expect_clean_after(p);
	reply_parser_free(p);
}

static void
test_reset_discards_everything_buffered(void **state)
{
	struct reply_parser *p = reply_parser_new(NULL);

	(void)state;
	reply_parser_feed(p, "250 x\r\n250-y\r\n250 z", 19);
	assert_int_equal(reply_parser_reset(p), 19);
	assert_false(reply_parser_pending(p));
	assert_null(reply_parser_next(p));
	assert_int_equal(reply_parser_reset(p), 0);
	reply_parser_feed(p, "\r", 1);
	assert_int_equal(reply_parser_reset(p), 1);
	expect_clean_after(p);
	reply_parser_free(p);
	reply_parser_free(NULL);
	reply_free(NULL);
}

static void
test_empty_and_code_only_lines(void **state)
{
	static const char in[] = "250\r\n\r\n";
	struct reply_parser *p = reply_parser_new(NULL);
	struct reply *r;

	(void)state;
	reply_parser_feed(p, in, sizeof in - 1);
	r = reply_parser_next(p);
	assert_int_equal(r->code, 250);
	assert_int_equal(r->violations, 0);
	assert_string_equal(reply_line_text(r, 0), "");
	reply_free(r);
	r = reply_parser_next(p);
	assert_int_equal(r->code, 0);
	assert_string_equal(r->code_text, "");
	assert_int_equal(r->violations, REPLY_V_BAD_CODE);
	reply_free(r);
	reply_parser_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_split_gives_the_same_replies),
		cmocka_unit_test(test_all_corpus_streams_in_one_feed_match_bytewise),
		cmocka_unit_test(test_multiline_reply),
		cmocka_unit_test(test_incomplete_reply_waits),
		cmocka_unit_test(test_each_violation_is_detected),
		cmocka_unit_test(test_violation_names_and_keys),
		cmocka_unit_test(test_bad_code_line_alone_is_a_reply_of_code_zero),
		cmocka_unit_test(test_bad_code_line_inside_multiline_stays_in_it),
		cmocka_unit_test(test_code_mismatch_ends_reply_with_first_code),
		cmocka_unit_test(test_bare_cr_stays_in_line),
		cmocka_unit_test(test_nul_kept_with_length),
		cmocka_unit_test(test_100mb_line_is_capped_and_parsing_recovers),
		cmocka_unit_test(test_million_line_reply_is_capped_and_parsing_recovers),
		cmocka_unit_test(test_default_lines_cap_holds),
		cmocka_unit_test(test_small_caps_are_raised_to_the_minimum),
		cmocka_unit_test(test_truncated_line_recovers_at_next_line_in_same_feed),
		cmocka_unit_test(test_enhanced_status_code_extraction),
		cmocka_unit_test(test_finish_returns_partial_reply_truncated),
		cmocka_unit_test(test_reset_discards_everything_buffered),
		cmocka_unit_test(test_empty_and_code_only_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
