/* test_kb.c: the knowledge base loader against the fixture catalogues in tests/data/kb: exact
 * file:line diagnostics for each kind of malformed line, per-field language fallback, variants,
 * enhanced code look-ups, labels, and where the help folder and language come from. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/knowledge/kb.h"
#include "core/util/xmalloc.h"

static const char *
srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s != NULL ? s : ABS_TOP_SRCDIR;
}

static char *
fixture(const char *name)
{
	return xasprintf("%s/tests/data/kb/%s", srcdir(), name);
}

static struct kb *
load(const char *name, const char *lang)
{
	char *dir = fixture(name), *err = NULL;
	struct kb *kb = kb_load(dir, lang, &err);

	assert_null(err);
	assert_non_null(kb);
	free(dir);
	return kb;
}

static void
test_malformed_lines_give_exact_diagnostics(void **state)
{
	char *dir = fixture("bad");
	char *bad = xasprintf("%s/en/bad.txt", dir), *other = xasprintf("%s/en/other.txt", dir);
	struct kb *kb = load("bad", NULL);
	char *expected[] = {
		xasprintf("%s:2: field 'title' before any header (such as '@code 550')", bad),
		xasprintf("%s:8: unknown field 'colour'", bad),
		xasprintf("%s:9: field 'title' given twice in one entry (first on line 5)", bad),
		xasprintf("%s:10: field 'when' has an empty value", bad),
		xasprintf("%s:12: text in column 1 that is neither a header, a field nor a "
		    "comment (indent it to continue a field)", bad),
		xasprintf("%s:13: unknown kind '@bogus'", bad),
		xasprintf("%s:14: header '@code' has no key", bad),
		xasprintf("%s:15: bad key '99' for @code: expected a three-digit reply code from "
		    "200 to 599", bad),
		xasprintf("%s:16: entry '@code 250' given twice (first at %s:4)", bad, bad),
		xasprintf("%s:18: 'after' needs a command, 'greeting' or 'DATA-END'", bad),
		xasprintf("%s:19: unexpected 'before' after the key (a key is one word; a variant "
		    "is written 'after COMMAND')", bad),
		xasprintf("%s:25: indented text outside a field (a continuation line must follow "
		    "a 'name:' line)", bad),
		xasprintf("%s:27: not valid UTF-8 text (the line is skipped)", bad),
		xasprintf("%s:2: entry '@code 550' given twice (first at %s:20)", other, bad),
		xasprintf("%s:4: bad key '5.x.1' for @enhanced: expected an enhanced status code "
		    "such as X.1.1 or 5.7.1", other),
	};
	size_t n = sizeof expected / sizeof expected[0], i;

	(void)state;
	for (i = 0; i < n && i < kb_diagnostic_count(kb); i++)
		assert_string_equal(kb_diagnostic(kb, i), expected[i]);
	assert_int_equal(kb_diagnostic_count(kb), n);
	for (i = 0; i < n; i++)
		free(expected[i]);
	free(bad);
	free(other);
	free(dir);
	kb_free(kb);
}

static void
test_malformed_file_still_loads_the_rest(void **state)
{
	struct kb *kb = load("bad", NULL);
	const struct kb_entry *e;

	(void)state;
	e = kb_find(kb, "code", "250", NULL);
	assert_non_null(e);
	assert_string_equal(kb_field(kb, e, "title"), "Okay");
	assert_string_equal(kb_field(kb, e, "description"), "Fine.");
	assert_string_equal(kb_field(kb, e, "fix"), "Do nothing.");
	assert_null(kb_field(kb, e, "when"));      /* it was empty */
	e = kb_find(kb, "code", "550", NULL);
	assert_non_null(e);
	assert_string_equal(kb_field(kb, e, "title"), "Refused");   /* not the duplicate's */
	assert_string_equal(kb_field(kb, e, "description"), "No.");
	e = kb_find(kb, "label", "x", NULL);
	assert_non_null(e);
	assert_string_equal(kb_field(kb, e, "text"), "X");
	assert_null(kb_field(kb, e, "description"));   /* the invalid UTF-8 line was skipped */
	e = kb_find(kb, "code", "221", NULL);        /* after the bad header in other.txt */
	assert_non_null(e);
	assert_string_equal(kb_field(kb, e, "title"), "Bye");
	assert_null(kb_find(kb, "code", "99", NULL));
	kb_free(kb);
}

static void
test_continuation_lines_and_paragraphs(void **state)
{
	struct kb *kb = load("good", NULL);
	const struct kb_entry *e = kb_find(kb, "code", "550", NULL);

	(void)state;
	assert_int_equal(kb_diagnostic_count(kb), 0);
	assert_string_equal(kb_field(kb, e, "description"),
	    "The server refused\nthe command.\n\nA second paragraph.");
	assert_string_equal(kb_field(kb, e, "fix"), "- Check the address.\n- Ask the admin.");
	assert_string_equal(kb_field(kb, e, "drawn-by"), "MAIL RCPT DATA-END");
	assert_null(kb_field(kb, e, "colour"));
	kb_free(kb);
}

static void
test_variant_preferred_then_plain_entry(void **state)
{
	struct kb *kb = load("good", NULL);
	const struct kb_entry *e;

	(void)state;
	e = kb_find(kb, "code", "550", "RCPT");
	assert_non_null(e);
	assert_string_equal(kb_entry_after(e), "RCPT");
	assert_string_equal(kb_field(kb, e, "description"), "No such user here.");
	/* Fields the variant does not give come from the plain entry. */
	assert_string_equal(kb_field(kb, e, "title"), "Mailbox unavailable");
	assert_string_equal(kb_field(kb, e, "when"), "After RCPT or MAIL.");
	/* The context is the command's first word, in any case. */
	e = kb_find(kb, "code", "550", "rcpt TO:<a@example.org>");
	assert_string_equal(kb_field(kb, e, "description"), "No such user here.");
	/* No variant for MAIL: the plain entry. */
	e = kb_find(kb, "code", "550", "MAIL");
	assert_null(kb_entry_after(e));
	assert_string_equal(kb_field(kb, e, "description"),
	    "The server refused\nthe command.\n\nA second paragraph.");
	assert_null(kb_find(kb, "code", "551", "RCPT"));
	assert_null(kb_find_exact(kb, "code", "550", "MAIL"));
	assert_non_null(kb_find_exact(kb, "code", "550", "RCPT"));
	kb_free(kb);
}

static void
test_enhanced_exact_then_any_class(void **state)
{
	struct kb *kb = load("good", NULL);
	const struct kb_entry *e;

	(void)state;
	e = kb_find(kb, "enhanced", "5.1.1", NULL);
	assert_non_null(e);
	assert_string_equal(kb_entry_key(e), "X.1.1");
	assert_string_equal(kb_field(kb, e, "title"), "Bad destination mailbox address");
	e = kb_find(kb, "enhanced", "4.2.2", NULL);
	assert_non_null(e);
	assert_string_equal(kb_entry_key(e), "4.2.2");
	assert_string_equal(kb_field(kb, e, "when"), "The mailbox is full for now.");
	/* The class-specific entry falls back to X.2.2 for what it does not say. */
	assert_string_equal(kb_field(kb, e, "title"), "Mailbox full");
	e = kb_find(kb, "enhanced", "5.2.2", NULL);
	assert_string_equal(kb_field(kb, e, "when"), "After RCPT or DATA.");
	assert_null(kb_find(kb, "enhanced", "5.9.9", NULL));
	kb_free(kb);
}

static void
test_language_falls_back_per_field(void **state)
{
	struct kb *kb = load("good", "id");
	const struct kb_entry *e = kb_find(kb, "code", "550", NULL);

	(void)state;
	assert_string_equal(kb_language(kb), "id");
	assert_int_equal(kb_diagnostic_count(kb), 0);
	assert_string_equal(kb_field(kb, e, "description"), "Server menolak perintah itu.");
	assert_string_equal(kb_field(kb, e, "title"), "Mailbox unavailable");
	assert_string_equal(kb_field(kb, e, "fix"), "- Check the address.\n- Ask the admin.");
	assert_string_equal(kb_field_in(kb, e, "description", "en"),
	    "The server refused\nthe command.\n\nA second paragraph.");
	assert_null(kb_field_in(kb, e, "fix", "id"));
	/* The language wins: a translation of the plain entry before an English variant. */
	e = kb_find(kb, "code", "550", "RCPT");
	assert_string_equal(kb_field(kb, e, "description"), "Server menolak perintah itu.");
	/* Entries the language lacks entirely come from English. */
	e = kb_find(kb, "command", "RCPT", NULL);
	assert_string_equal(kb_field(kb, e, "title"), "Add a recipient");
	assert_string_equal(kb_label(kb, "description"), "Deskripsi");
	assert_string_equal(kb_label(kb, "fix"), "How to Fix");
	assert_string_equal(kb_label(kb, "no-such-label"), "no-such-label");
	kb_free(kb);
}

static void
test_missing_language_folder_means_english(void **state)
{
	struct kb *kb = load("good", "fr");

	(void)state;
	assert_string_equal(kb_language(kb), "en");
	assert_string_equal(kb_label(kb, "description"), "Description");
	kb_free(kb);
	/* A language that is not a plain name never becomes a path. */
	kb = load("good", "../good/en");
	assert_string_equal(kb_language(kb), "en");
	kb_free(kb);
}

static void
test_unreadable_folder_is_an_error(void **state)
{
	char *err = NULL;
	struct kb *kb = kb_load("/nonexistent/smtpscope-help", NULL, &err);

	(void)state;
	assert_null(kb);
	assert_non_null(err);
	assert_non_null(strstr(err, "/nonexistent/smtpscope-help/en"));
	free(err);
	kb_free(NULL);
}

static void
count_entry(void *ctx, const struct kb_entry *e)
{
	(void)e;
	(*(int *)ctx)++;
}

static void
test_each_lists_plain_entries_of_a_kind(void **state)
{
	struct kb *kb = load("good", NULL);
	int codes = 0, enhanced = 0;

	(void)state;
	kb_each(kb, "code", count_entry, &codes);
	kb_each(kb, "enhanced", count_entry, &enhanced);
	assert_int_equal(codes, 2);        /* 550 and 450; the RCPT variant is not a key */
	assert_int_equal(enhanced, 3);
	kb_free(kb);
}

static void
test_pick_language_from_option_and_environment(void **state)
{
	char *l;

	(void)state;
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LANG");
	l = kb_pick_language(NULL);
	assert_string_equal(l, "en");
	free(l);
	setenv("LANG", "id_ID.UTF-8", 1);
	l = kb_pick_language(NULL);
	assert_string_equal(l, "id");
	free(l);
	setenv("LC_ALL", "C", 1);      /* the first that is set wins, and C means English */
	l = kb_pick_language(NULL);
	assert_string_equal(l, "en");
	free(l);
	setenv("LANGUAGE", "id:en", 1);
	l = kb_pick_language(NULL);
	assert_string_equal(l, "id");
	free(l);
	l = kb_pick_language("en_GB");
	assert_string_equal(l, "en");
	free(l);
	l = kb_pick_language("../../etc");
	assert_string_equal(l, "en");
	free(l);
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	unsetenv("LANG");
}

static void
test_find_dir_option_then_environment(void **state)
{
	char *dir = fixture("good"), *err = NULL, *found;

	(void)state;
	found = kb_find_dir(dir, &err);
	assert_string_equal(found, dir);
	free(found);
	found = kb_find_dir("/nonexistent/help", &err);
	assert_null(found);
	assert_non_null(err);
	free(err);
	err = NULL;
	setenv("SMTPSCOPE_HELP_DIR", dir, 1);
	found = kb_find_dir(NULL, &err);
	assert_string_equal(found, dir);
	free(found);
	setenv("SMTPSCOPE_HELP_DIR", "/nonexistent/help", 1);
	found = kb_find_dir(NULL, &err);
	assert_null(found);
	assert_non_null(err);
	free(err);
	unsetenv("SMTPSCOPE_HELP_DIR");
	free(dir);
}

static void
test_buffer_parses_like_a_file(void **state)
{
	static const char text[] = "@code 250\r\ntitle: Ok\r\nbogus line\r\n\x00\n@code 251\n"
	    "title: Forward\n";
	struct kb *kb = kb_load_buffer("mem.txt", text, sizeof text - 1);
	const struct kb_entry *e = kb_find(kb, "code", "250", NULL);

	(void)state;
	assert_string_equal(kb_field(kb, e, "title"), "Ok");   /* CRLF lines */
	assert_int_equal(kb_diagnostic_count(kb), 2);
	assert_string_equal(kb_diagnostic(kb, 0), "mem.txt:3: text in column 1 that is neither a "
	    "header, a field nor a comment (indent it to continue a field)");
	assert_string_equal(kb_diagnostic(kb, 1), "mem.txt:4: not valid UTF-8 text (the line is "
	    "skipped)");
	e = kb_find(kb, "code", "251", NULL);
	assert_string_equal(kb_field(kb, e, "title"), "Forward");
	kb_free(kb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_lines_give_exact_diagnostics),
		cmocka_unit_test(test_malformed_file_still_loads_the_rest),
		cmocka_unit_test(test_continuation_lines_and_paragraphs),
		cmocka_unit_test(test_variant_preferred_then_plain_entry),
		cmocka_unit_test(test_enhanced_exact_then_any_class),
		cmocka_unit_test(test_language_falls_back_per_field),
		cmocka_unit_test(test_missing_language_folder_means_english),
		cmocka_unit_test(test_unreadable_folder_is_an_error),
		cmocka_unit_test(test_each_lists_plain_entries_of_a_kind),
		cmocka_unit_test(test_pick_language_from_option_and_environment),
		cmocka_unit_test(test_find_dir_option_then_environment),
		cmocka_unit_test(test_buffer_parses_like_a_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
