/* test_cells.c: the screen's escaping of bytes from the wire and its wrapping maths. Whatever a
 * server sends must come out as printable cells, each control, escape, C1 code, deceptive code
 * point and invalid UTF-8 byte as a visible escape. */
#include "config.h"

#include <limits.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>

#include "tui/tui.h"

#define ESC_ATTR A_REVERSE

/* The cells as a UTF-8 string, escaped cells wrapped in [ ] so tests see what was escaped. */
static char *
render(const char *bytes, size_t len)
{
	struct tui_cells cells = { 0 };
	char *out = calloc(1, len * 16 + 16), *p = out, mb[MB_LEN_MAX];
	bool in_escape = false;
	mbstate_t st;
	size_t i, n;

	tui_cells_add_bytes(&cells, bytes, len, 0, 0, ESC_ATTR);
	for (i = 0; i < cells.n; i++) {
		bool esc = (cells.cell[i].attr & ESC_ATTR) != 0;

		if (esc != in_escape)
			*p++ = esc ? '[' : ']';
		in_escape = esc;
		memset(&st, 0, sizeof st);
		n = wcrtomb(mb, cells.cell[i].ch, &st);
		assert_true(n != (size_t)-1);
		memcpy(p, mb, n);
		p += n;
	}
	if (in_escape)
		*p++ = ']';
	*p = '\0';
	tui_cells_free(&cells);
	return out;
}

static void
expect(const char *bytes, size_t len, const char *want)
{
	char *got = render(bytes, len);

	assert_string_equal(got, want);
	free(got);
}

#define EXPECT(lit, want) expect(lit, sizeof(lit) - 1, want)

static void
test_plain_ascii_is_itself(void **state)
{
	(void)state;
	EXPECT("250 2.0.0 OK", "250 2.0.0 OK");
}

static void
test_escape_sequences_are_shown_not_obeyed(void **state)
{
	(void)state;
	EXPECT("\x1b[2J\x1b]0;owned\x07", "[\\x1b][2J[\\x1b]]0;owned[^G]");
	EXPECT("a\x1b" "b", "a[\\x1b]b");
}

static void
test_nul_and_c0_controls(void **state)
{
	(void)state;
	EXPECT("a\0b", "a[\\x00]b");
	EXPECT("cr\rlf\ntab\tdel\x7f", "cr[^M]lf[^J]tab[^I]del[^?]");
}

static void
test_c1_controls_are_escaped(void **state)
{
	(void)state;
	/* U+009B, the one-byte CSI, encoded in UTF-8 */
	EXPECT("x\xc2\x9b" "31m", "x[\\u009b]31m");
	EXPECT("\xc2\x85", "[\\u0085]");
}

static void
test_invalid_utf8_byte_by_byte(void **state)
{
	(void)state;
	EXPECT("\xff\xfe", "[\\xff\\xfe]");
	EXPECT("\xc3(", "[\\xc3](");
	EXPECT("\xc0\xaf", "[\\xc0\\xaf]");              /* overlong '/' */
	EXPECT("\xed\xa0\x80", "[\\xed\\xa0\\x80]");     /* a surrogate */
	EXPECT("\xf4\x90\x80\x80", "[\\xf4\\x90\\x80\\x80]"); /* past U+10FFFF */
	EXPECT("end\xe6\x97", "end[\\xe6\\x97]");         /* cut short */
}

static void
test_deceptive_code_points_are_escaped(void **state)
{
	(void)state;
	EXPECT("\xe2\x80\xae" "evil", "[\\u202e]evil");   /* right-to-left override */
	EXPECT("a\xe2\x80\x8b" "b", "a[\\u200b]b");        /* zero-width space */
}

static void
test_valid_utf8_stays(void **state)
{
	struct tui_cells cells = { 0 };

	(void)state;
	EXPECT("h\xc3\xa9llo", "h\xc3\xa9llo");
	tui_cells_add_bytes(&cells, "\xe6\x97\xa5\xe6\x9c\xac", 6, 0, 0, ESC_ATTR);
	assert_int_equal(cells.n, 2);
	assert_int_equal(cells.cell[0].width, 2);
	assert_int_equal(tui_cells_width(&cells), 4);
	tui_cells_free(&cells);
}

static void
test_every_byte_value_gives_printable_cells(void **state)
{
	struct tui_cells cells = { 0 };
	char b[2];
	size_t i;
	int c;

	(void)state;
	for (c = 0; c < 256; c++) {
		b[0] = (char)c;
		b[1] = 'x';
		tui_cells_clear(&cells);
		tui_cells_add_bytes(&cells, b, 2, 0, 0, ESC_ATTR);
		for (i = 0; i < cells.n; i++) {
			assert_true(cells.cell[i].ch >= 0x20);
			assert_true(cells.cell[i].ch != 0x7f);
			assert_true(cells.cell[i].ch < 0x80 || cells.cell[i].ch > 0x9f);
			assert_true(cells.cell[i].width == 1 || cells.cell[i].width == 2);
		}
	}
	tui_cells_free(&cells);
}

static void
test_wrap_never_splits_a_wide_character(void **state)
{
	struct tui_cells cells = { 0 };

	(void)state;
	/* "a" + three double-width characters: 7 columns */
	tui_cells_add_bytes(&cells, "a\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5", 10, 0, 0, ESC_ATTR);
	assert_int_equal(tui_cells_row_end(&cells, 0, 4), 2);   /* a + one wide = 3 columns */
	assert_int_equal(tui_cells_row_end(&cells, 2, 4), 4);
	/* a row narrower than a wide character still moves on */
	assert_int_equal(tui_cells_row_end(&cells, 1, 1), 2);
	tui_cells_free(&cells);
}

static void
test_word_wrap_breaks_after_a_space(void **state)
{
	struct tui_cells cells = { 0 };

	(void)state;
	tui_cells_add_str(&cells, "one two three", 0, 0);
	assert_int_equal(tui_cells_word_end(&cells, 0, 10), 8);   /* "one two " */
	assert_int_equal(tui_cells_word_end(&cells, 8, 10), 13);
	/* no space in the row: a hard break */
	tui_cells_clear(&cells);
	tui_cells_add_str(&cells, "abcdefghijkl", 0, 0);
	assert_int_equal(tui_cells_word_end(&cells, 0, 5), 5);
	tui_cells_free(&cells);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_ascii_is_itself),
		cmocka_unit_test(test_escape_sequences_are_shown_not_obeyed),
		cmocka_unit_test(test_nul_and_c0_controls),
		cmocka_unit_test(test_c1_controls_are_escaped),
		cmocka_unit_test(test_invalid_utf8_byte_by_byte),
		cmocka_unit_test(test_deceptive_code_points_are_escaped),
		cmocka_unit_test(test_valid_utf8_stays),
		cmocka_unit_test(test_every_byte_value_gives_printable_cells),
		cmocka_unit_test(test_wrap_never_splits_a_wide_character),
		cmocka_unit_test(test_word_wrap_breaks_after_a_space),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return 77;   /* no UTF-8 locale to test in */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
