/* test_escape.c: every class of byte (C0 controls, DEL, C1 and other 8-bit bytes, valid,
 * invalid, overlong and hidden UTF-8, backslash, quotes, spaces, terminal escape sequences,
 * NUL) comes out as the escape rules say, under every combination of flags, through every way
 * of asking (string, strbuf, FILE, the step function with a small buffer). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/util/escape.h"
#include "core/util/strbuf.h"

#define ALL_FLAGS (ESCAPE_NAMED | ESCAPE_NUL | ESCAPE_UTF8 | ESCAPE_QUOTE | ESCAPE_END_SPACE)

/* One input and what it becomes; where a flag changes it, the output with the flag set. */
struct escape_case {
	const char *what;
	const char *in;
	size_t len;
	unsigned flag;          /* the one flag that matters here, 0 when none does */
	const char *out_without;
	const char *out_with;
};

#define CASE(what, in, flag, without, with) { what, in, sizeof in - 1, flag, without, with }
#define SAME(what, in, out) { what, in, sizeof in - 1, 0, out, out }

static const struct escape_case cases[] = {
	SAME("printable ASCII", "MAIL FROM:<a@b> SIZE=10", "MAIL FROM:<a@b> SIZE=10"),
	SAME("empty", "", ""),
	SAME("backslash doubles", "a\\b\\", "a\\\\b\\\\"),
	SAME("backslash before x is not an escape", "\\x41", "\\\\x41"),
	SAME("C0 controls", "\x01\x07\x08\x0b\x0c\x1f", "\\x01\\x07\\x08\\x0b\\x0c\\x1f"),
	SAME("DEL", "a\x7f" "b", "a\\x7fb"),
	SAME("ESC in a colour sequence", "\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
	SAME("OSC 52 clipboard write", "\x1b]52;c;SGVsbG8=\x07", "\\x1b]52;c;SGVsbG8=\\x07"),
	SAME("C1 bytes alone", "\x80\x9b\x9f", "\\x80\\x9b\\x9f"),
	SAME("Latin-1 bytes alone", "caf\xe9", "caf\\xe9"),
	SAME("bytes never in UTF-8", "\xfe\xff\xf8", "\\xfe\\xff\\xf8"),
	SAME("overlong slash", "\xc0\xaf", "\\xc0\\xaf"),
	SAME("overlong three-byte NUL", "\xe0\x80\x80", "\\xe0\\x80\\x80"),
	SAME("overlong four-byte A", "\xf0\x80\x81\x81", "\\xf0\\x80\\x81\\x81"),
	SAME("a surrogate", "\xed\xa0\x80", "\\xed\\xa0\\x80"),
	SAME("past U+10FFFF", "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"),
	SAME("a character cut short", "end\xe6\x97", "end\\xe6\\x97"),
	SAME("a lead byte and ASCII", "\xc3(", "\\xc3("),
	SAME("a lone continuation byte", "a\x80z", "a\\x80z"),
	SAME("C1 control as UTF-8 (CSI)", "\xc2\x9b" "31m", "\\xc2\\x9b31m"),
	SAME("bidirectional override", "a\xe2\x80\xae" "b", "a\\xe2\\x80\\xaeb"),
	SAME("bidirectional isolate", "\xe2\x81\xa6", "\\xe2\\x81\\xa6"),
	SAME("Arabic letter mark", "\xd8\x9c", "\\xd8\\x9c"),
	SAME("zero-width space", "a\xe2\x80\x8b" "b", "a\\xe2\\x80\\x8bb"),
	SAME("byte order mark", "\xef\xbb\xbf", "\\xef\\xbb\\xbf"),
	SAME("line separator", "\xe2\x80\xa8", "\\xe2\\x80\\xa8"),
	SAME("a space inside", "a b", "a b"),
	CASE("two-byte UTF-8", "caf\xc3\xa9", ESCAPE_UTF8, "caf\\xc3\\xa9", "caf\xc3\xa9"),
	CASE("three-byte UTF-8", "\xe2\x82\xac" "5", ESCAPE_UTF8, "\\xe2\\x82\\xac5",
	    "\xe2\x82\xac" "5"),
	CASE("four-byte UTF-8", "\xf0\x9f\x93\xa7", ESCAPE_UTF8, "\\xf0\\x9f\\x93\\xa7",
	    "\xf0\x9f\x93\xa7"),
	CASE("largest code point", "\xf4\x8f\xbf\xbf", ESCAPE_UTF8, "\\xf4\\x8f\\xbf\\xbf",
	    "\xf4\x8f\xbf\xbf"),
	CASE("valid UTF-8 then a bad byte", "\xc3\xa9\xc3", ESCAPE_UTF8, "\\xc3\\xa9\\xc3",
	    "\xc3\xa9\\xc3"),
	CASE("CR", "a\rb", ESCAPE_NAMED, "a\\x0db", "a\\rb"),
	CASE("LF", "a\nb", ESCAPE_NAMED, "a\\x0ab", "a\\nb"),
	CASE("TAB", "a\tb", ESCAPE_NAMED, "a\\x09b", "a\\tb"),
	CASE("CRLF at the end", "250 ok\r\n", ESCAPE_NAMED, "250 ok\\x0d\\x0a", "250 ok\\r\\n"),
	CASE("NUL", "a\0b", ESCAPE_NUL, "a\\x00b", "a\\0b"),
	CASE("an AUTH PLAIN response", "\0practice\0secret123", ESCAPE_NUL,
	    "\\x00practice\\x00secret123", "\\0practice\\0secret123"),
	CASE("a double quote", "say \"hi\"", ESCAPE_QUOTE, "say \"hi\"", "say \\\"hi\\\""),
	CASE("a trailing space", "250 ok ", ESCAPE_END_SPACE, "250 ok ", "250 ok\\x20"),
	CASE("only the last of the trailing spaces", "a  ", ESCAPE_END_SPACE, "a  ", "a \\x20"),
	CASE("a lone space", " ", ESCAPE_END_SPACE, " ", "\\x20"),
	CASE("a space after an escape at the end", "\x01 ", ESCAPE_END_SPACE, "\\x01 ",
	    "\\x01\\x20"),
	CASE("a long plain run then a trailing space", "0123456789abcdefghijklmnopqrstuv ",
	    ESCAPE_END_SPACE, "0123456789abcdefghijklmnopqrstuv ",
	    "0123456789abcdefghijklmnopqrstuv\\x20"),
	CASE("a long run with a quote in the middle", "0123456789\"abcdefghijklmnop",
	    ESCAPE_QUOTE, "0123456789\"abcdefghijklmnop", "0123456789\\\"abcdefghijklmnop"),
};

static const char *
expected(const struct escape_case *c, unsigned flags)
{
	return c->flag != 0 && (flags & c->flag) ? c->out_with : c->out_without;
}

static void
test_every_byte_class_under_every_flag_combination(void **state)
{
	size_t i;
	unsigned flags;

	(void)state;
	for (flags = 0; flags <= ALL_FLAGS; flags++) {
		for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			char *got = escape_str(cases[i].in, cases[i].len, flags);

			if (strcmp(got, expected(&cases[i], flags)) != 0)
				fail_msg("%s, flags 0x%x: got \"%s\", want \"%s\"", cases[i].what,
				    flags, got, expected(&cases[i], flags));
			free(got);
		}
	}
}

/* Every single byte: printable ASCII but backslash passes; the rest is one escape of its own. */
static void
test_each_single_byte(void **state)
{
	unsigned flags;
	int c;

	(void)state;
	for (flags = 0; flags <= ALL_FLAGS; flags++) {
		for (c = 0; c < 256; c++) {
			char in = (char)c, want[8];
			char *got = escape_str(&in, 1, flags);

			if (c == '\\')
				strcpy(want, "\\\\");
			else if (c == '"' && (flags & ESCAPE_QUOTE))
				strcpy(want, "\\\"");
			else if (c == ' ' && (flags & ESCAPE_END_SPACE))
				strcpy(want, "\\x20");
			else if (c >= 0x20 && c < 0x7f)
				snprintf(want, sizeof want, "%c", c);
			else if (c == 0 && (flags & ESCAPE_NUL))
				strcpy(want, "\\0");
			else if (c == '\r' && (flags & ESCAPE_NAMED))
				strcpy(want, "\\r");
			else if (c == '\n' && (flags & ESCAPE_NAMED))
				strcpy(want, "\\n");
			else if (c == '\t' && (flags & ESCAPE_NAMED))
				strcpy(want, "\\t");
			else
				snprintf(want, sizeof want, "\\x%02x", c);
			if (strcmp(got, want) != 0)
				fail_msg("byte 0x%02x, flags 0x%x: got \"%s\", want \"%s\"", c,
				    flags, got, want);
			free(got);
		}
	}
}

/* Output never holds a control byte, DEL, or (without ESCAPE_UTF8) any 8-bit byte. */
static void
test_output_is_always_safe(void **state)
{
	unsigned char all[256 * 3];
	unsigned flags;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof all; i++)
		all[i] = (unsigned char)(i * 7 + i / 256);
	for (flags = 0; flags <= ALL_FLAGS; flags++) {
		char *got = escape_str((const char *)all, sizeof all, flags);

		for (i = 0; got[i] != '\0'; i++) {
			unsigned char c = (unsigned char)got[i];

			assert_false(c < 0x20 || c == 0x7f);
			if (!(flags & ESCAPE_UTF8))
				assert_true(c < 0x80);
		}
		free(got);
	}
}

/* The same text through the strbuf, the FILE and a tiny step buffer gives the same bytes. */
static void
test_every_output_gives_the_same_bytes(void **state)
{
	static const char text[] = "220 mx\x1b[2J \xc3\xa9\xe2\x80\xae\\ \"q\"\0x\r\n"
	    "a long line of nothing special at all, long enough for whole words ";
	unsigned flags;

	(void)state;
	for (flags = 0; flags <= ALL_FLAGS; flags++) {
		char *want = escape_str(text, sizeof text - 1, flags);
		char *file_text = NULL;
		struct strbuf b = { 0 };
		char small[ESCAPE_UNIT_MAX + 1], *stepped;
		size_t pos = 0, n, file_len = 0, stepped_len = 0;
		FILE *fp;

		strbuf_add(&b, "> ");
		escape_append(&b, text, sizeof text - 1, flags);
		assert_string_equal(b.s + 2, want);
		free(strbuf_take(&b));

		fp = open_memstream(&file_text, &file_len);
		assert_non_null(fp);
		assert_int_equal(escape_write(fp, text, sizeof text - 1, flags), 0);
		fclose(fp);
		assert_int_equal(file_len, strlen(want));
		assert_memory_equal(file_text, want, file_len);
		free(file_text);

		stepped = calloc(strlen(want) + 1, 1);
		assert_non_null(stepped);
		while (pos < sizeof text - 1) {
			n = escape_chunk(text, sizeof text - 1, &pos, flags, small, sizeof small);
			assert_true(n > 0);
			assert_true(stepped_len + n <= strlen(want));
			memcpy(stepped + stepped_len, small, n);
			stepped_len += n;
		}
		assert_string_equal(stepped, want);
		free(stepped);
		free(want);
	}
}

/* Text that is all escapes, four bytes out for each byte in, comes out whole. */
static void
test_text_of_escapes_only_comes_out_whole(void **state)
{
	char in[1000];
	char *got;
	size_t i;

	(void)state;
	memset(in, 0x1b, sizeof in);
	got = escape_str(in, sizeof in, ALL_FLAGS);
	assert_int_equal(strlen(got), 4 * sizeof in);
	for (i = 0; i < sizeof in; i++)
		assert_memory_equal(got + 4 * i, "\\x1b", 4);
	free(got);
}

static void
test_utf8_decode_and_hidden_code_points(void **state)
{
	uint32_t cp = 0;

	(void)state;
	assert_int_equal(escape_utf8_decode((const unsigned char *)"A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(escape_utf8_decode((const unsigned char *)"\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(escape_utf8_decode((const unsigned char *)"\xf0\x9f\x93\xa7", 4, &cp), 4);
	assert_int_equal(cp, 0x1f4e7);
	assert_int_equal(escape_utf8_decode((const unsigned char *)"\xc0\x80", 2, &cp), 0);
	assert_int_equal(escape_utf8_decode((const unsigned char *)"\xe2\x82", 2, &cp), 0);
	assert_int_equal(escape_utf8_decode((const unsigned char *)"", 0, &cp), 0);
	assert_true(escape_codepoint_hidden(0x00));
	assert_true(escape_codepoint_hidden(0x1b));
	assert_true(escape_codepoint_hidden(0x7f));
	assert_true(escape_codepoint_hidden(0x85));
	assert_true(escape_codepoint_hidden(0x202e));
	assert_true(escape_codepoint_hidden(0x200b));
	assert_false(escape_codepoint_hidden('a'));
	assert_false(escape_codepoint_hidden(0xa0));
	assert_false(escape_codepoint_hidden(0x20ac));
	assert_int_equal(escape_utf8_safe_len((const unsigned char *)"\xe2\x82\xac", 3), 3);
	assert_int_equal(escape_utf8_safe_len((const unsigned char *)"a", 1), 0);
	assert_int_equal(escape_utf8_safe_len((const unsigned char *)"\xc2\x85", 2), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte_class_under_every_flag_combination),
		cmocka_unit_test(test_each_single_byte),
		cmocka_unit_test(test_output_is_always_safe),
		cmocka_unit_test(test_every_output_gives_the_same_bytes),
		cmocka_unit_test(test_text_of_escapes_only_comes_out_whole),
		cmocka_unit_test(test_utf8_decode_and_hidden_code_points),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
