/* test_explain.c: explanations built from the fixture catalogue in tests/data/kb/good: sections
 * chosen by context, enhanced codes broken down, unknown codes explained by class, EHLO keywords,
 * 334 challenges, 354, violations, comparisons and the plain-text rendering. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/knowledge/explain.h"
#include "core/knowledge/kb.h"
#include "core/proto/reply.h"
#include "core/util/xmalloc.h"

static int
setup(void **state)
{
	const char *top = getenv("top_srcdir");
	char *dir = xasprintf("%s/tests/data/kb/good", top != NULL ? top : ABS_TOP_SRCDIR);
	struct kb *kb = kb_load(dir, NULL, NULL);

	free(dir);
	*state = kb;
	return kb != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	kb_free(*state);
	return 0;
}

static const struct explanation_section *
section(const struct explanation *ex, const char *name)
{
	size_t i;

	for (i = 0; i < ex->nsections; i++)
		if (strcmp(ex->sections[i].name, name) == 0)
			return &ex->sections[i];
	return NULL;
}

static void
assert_section_has(const struct explanation *ex, const char *name, const char *text)
{
	const struct explanation_section *s = section(ex, name);

	if (s == NULL)
		fail_msg("no section '%s'", name);
	if (strstr(s->text, text) == NULL)
		fail_msg("section '%s' lacks '%s': %s", name, text, s->text);
}

static struct reply *
parse_bytes(const char *wire, size_t len)
{
	struct reply_parser *p = reply_parser_new(NULL);
	struct reply *r;

	reply_parser_feed(p, wire, len);
	r = reply_parser_next(p);
	reply_parser_free(p);
	assert_non_null(r);
	return r;
}

static struct reply *
parse(const char *wire)
{
	return parse_bytes(wire, strlen(wire));
}

static void
test_code_with_enhanced_in_context(void **state)
{
	struct explanation *ex = explain_code(*state, 550, "5.1.1", "RCPT");

	assert_true(ex->known);
	assert_string_equal(ex->heading, "550 5.1.1 Mailbox unavailable");
	assert_non_null(strstr(ex->summary, "5xx permanent failure"));
	assert_non_null(strstr(ex->summary, "in answer to RCPT"));
	assert_section_has(ex, "enhanced", "addressing status");
	assert_section_has(ex, "enhanced", "Bad destination mailbox address");
	assert_section_has(ex, "description", "No such user here.");
	assert_section_has(ex, "description", "The mailbox does not exist.");
	assert_section_has(ex, "fix", "- Check the address.");
	assert_section_has(ex, "fix", "Check the spelling.");
	assert_section_has(ex, "next", "- RSET\n- QUIT");
	assert_section_has(ex, "learn", "RFC 5321 section 4.2.2");
	assert_null(section(ex, "note"));
	assert_string_equal(section(ex, "description")->label, "Description");
	explanation_free(ex);
}

static void
test_unregistered_code_explained_by_class(void **state)
{
	char *err = NULL;
	struct explanation *ex = explain_word(*state, "599", &err);

	assert_null(err);
	assert_false(ex->known);
	assert_non_null(strstr(ex->summary, "5xx permanent failure"));
	assert_section_has(ex, "note", "599");
	assert_section_has(ex, "description", "It failed for good.");
	assert_section_has(ex, "description", "About the mail system.");
	explanation_free(ex);
}

static void
test_enhanced_code_alone_and_unregistered_detail(void **state)
{
	char *err = NULL;
	struct explanation *ex = explain_word(*state, "4.2.2", &err);

	assert_true(ex->known);
	assert_string_equal(ex->heading, "4.2.2 Mailbox full");
	assert_section_has(ex, "when", "The mailbox is full for now.");
	assert_section_has(ex, "description", "Over quota.");
	explanation_free(ex);
	ex = explain_word(*state, "4.1.99", &err);
	assert_non_null(ex);
	assert_false(ex->known);
	assert_section_has(ex, "enhanced", "addressing status");
	assert_section_has(ex, "description", "Transient.");
	assert_section_has(ex, "description", "About addresses.");
	assert_non_null(section(ex, "note"));
	explanation_free(ex);
}

static void
test_words_that_mean_nothing_are_errors(void **state)
{
	static const char *const bad[] = { "6000", "5.x.1", "6.1.1", "5.1", "5.1.1000", "99",
		"foo", "", "   ", "1000 5.1.1", "550 5.x.1", "hello world" };
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *err = NULL;
		struct explanation *ex = explain_word(*state, bad[i], &err);

		if (ex != NULL)
			fail_msg("'%s' explained", bad[i]);
		assert_non_null(err);
		free(err);
	}
}

static void
test_command_keyword_and_pasted_reply(void **state)
{
	char *err = NULL;
	struct explanation *ex = explain_word(*state, "rcpt", &err);

	assert_string_equal(ex->heading, "RCPT Add a recipient");
	assert_true(section(ex, "example")->preformatted);
	assert_section_has(ex, "example", "C: RCPT TO:<a@example.org>\nS: 250 OK");
	explanation_free(ex);
	ex = explain_word(*state, "PIPELINING", &err);
	assert_section_has(ex, "parameters", "none");
	explanation_free(ex);
	ex = explain_word(*state, "550 5.1.1 <bob@example.org>: no such user", &err);
	assert_non_null(ex);
	assert_string_equal(ex->heading, "550 5.1.1 Mailbox unavailable");
	explanation_free(ex);
	ex = explain_word_after(*state, "550-5.1.1 no\n550 5.1.1 such user", "RCPT", &err);
	assert_non_null(ex);
	assert_section_has(ex, "description", "No such user here.");
	assert_null(section(ex, "violations"));
	explanation_free(ex);
}

static void
test_ehlo_reply_explains_each_keyword(void **state)
{
	struct reply *r = parse("250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 1000\r\n"
	    "250-auth=LOGIN\r\n250 XFOO bar\r\n");
	struct explanation *ex = explain_reply(*state, r, "EHLO");

	assert_section_has(ex, "keywords", "- PIPELINING: Command pipelining");
	assert_section_has(ex, "keywords", "- SIZE 1000: Message size");
	assert_section_has(ex, "keywords", "Parameters: SIZE=n on MAIL");
	assert_section_has(ex, "keywords", "- XFOO bar: not in the knowledge base");
	assert_section_has(ex, "keywords", "- AUTH= LOGIN: not in the knowledge base");
	explanation_free(ex);
	/* Without the EHLO context the lines are not read as keywords. */
	ex = explain_reply(*state, r, "MAIL");
	assert_null(section(ex, "keywords"));
	explanation_free(ex);
	reply_free(r);
}

static void
test_334_challenge_decoded_or_not(void **state)
{
	struct reply *r = parse("334 VXNlcm5hbWU6\r\n");
	struct explanation *ex = explain_reply(*state, r, "AUTH");

	assert_section_has(ex, "challenge", "which decodes to \"Username:\"");
	explanation_free(ex);
	reply_free(r);
	r = parse("334 not*base64!\r\n");
	ex = explain_reply(*state, r, "AUTH");
	assert_section_has(ex, "challenge", "\"not*base64!\" is not base64");
	explanation_free(ex);
	reply_free(r);
}

/* A NUL inside an EHLO or 334 line must be shown as '?' and never read past (it once was). */
static void
test_nul_bytes_in_ehlo_and_334_lines(void **state)
{
	static const char ehlo[] = "250-mx.example.org\r\n250-PIPE\0LINING\r\n250 SIZE\0 9\r\n";
	static const char challenge[] = "334 VXNl\0cm5hbWU6\r\n";
	struct reply *r = parse_bytes(ehlo, sizeof ehlo - 1);
	struct explanation *ex = explain_reply(*state, r, "EHLO");

	assert_section_has(ex, "keywords", "PIPE?LINING");
	explanation_free(ex);
	reply_free(r);
	r = parse_bytes(challenge, sizeof challenge - 1);
	ex = explain_reply(*state, r, "AUTH");
	assert_section_has(ex, "challenge", "VXNl?cm5hbWU6");
	explanation_free(ex);
	reply_free(r);
}

static void
test_354_and_violations(void **state)
{
	struct reply *r = parse("354 go ahead\r\n");
	struct explanation *ex = explain_reply(*state, r, "DATA");

	assert_non_null(section(ex, "end-of-data"));
	assert_null(section(ex, "violations"));
	explanation_free(ex);
	reply_free(r);
	r = parse("250 ok\n");
	ex = explain_reply(*state, r, NULL);
	assert_non_null(section(ex, "violations"));
	assert_section_has(ex, "violations", "- ");
	explanation_free(ex);
	reply_free(r);
}

static void
test_compare_codes_with_hand_written_entry(void **state)
{
	char *err = NULL;
	struct explanation *ex = explain_compare(*state, "550", "450", &err);
	const struct explanation_section *d;

	assert_null(err);
	assert_non_null(ex);
	assert_section_has(ex, "summary", "transaction");
	d = section(ex, "differences");
	assert_string_equal(d->label, "Key Differences");
	assert_true(strncmp(d->text, "1. ", 3) == 0);
	assert_non_null(strstr(d->text, "\n2. "));
	assert_non_null(strstr(d->text, "A hand-written difference."));
	assert_section_has(ex, "which", "Use 450 for temporary trouble");
	/* Each side has its own sections, labelled with its code. */
	{
		size_t i, found = 0;

		for (i = 0; i < ex->nsections; i++) {
			const struct explanation_section *s = &ex->sections[i];

			if (strcmp(s->name, "description") != 0)
				continue;
			found++;
			if (strstr(s->label, "450") != NULL)
				assert_string_equal(s->text, "Try later.");
			else
				assert_non_null(strstr(s->label, "550"));
		}
		assert_int_equal(found, 2);
	}
	explanation_free(ex);

	ex = explain_compare(*state, "5.2.2", "5.1.1", &err);
	assert_non_null(ex);
	/* The hand-written X.1.1/X.2.2 entry serves any class and either order. */
	assert_section_has(ex, "differences", "The address is wrong in one");
	assert_section_has(ex, "differences", "addressing status");
	assert_section_has(ex, "differences", "mailbox status");
	explanation_free(ex);
	assert_null(explain_compare(*state, "550", "5.1.1", &err));
	assert_non_null(err);
	free(err);
	err = NULL;
	assert_null(explain_compare(*state, "550", "6000", &err));
	assert_non_null(err);
	free(err);
}

static void
test_render_wraps_and_keeps_lists(void **state)
{
	struct explanation *ex = explain_code(*state, 550, NULL, NULL);
	char *text = explain_render_text(ex, 30), *line, *cursor, *copy;

	assert_non_null(strstr(text, "\nHow to Fix\n  - Check the address.\n"));
	assert_non_null(strstr(text, "  The server refused the\n  command.\n\n  A second"));
	copy = xstrdup(text);
	for (cursor = copy; (line = strsep(&cursor, "\n")) != NULL;)
		assert_true(strlen(line) <= 30);
	free(copy);
	free(text);
	explanation_free(ex);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_with_enhanced_in_context),
		cmocka_unit_test(test_unregistered_code_explained_by_class),
		cmocka_unit_test(test_enhanced_code_alone_and_unregistered_detail),
		cmocka_unit_test(test_words_that_mean_nothing_are_errors),
		cmocka_unit_test(test_command_keyword_and_pasted_reply),
		cmocka_unit_test(test_ehlo_reply_explains_each_keyword),
		cmocka_unit_test(test_334_challenge_decoded_or_not),
		cmocka_unit_test(test_nul_bytes_in_ehlo_and_334_lines),
		cmocka_unit_test(test_354_and_violations),
		cmocka_unit_test(test_compare_codes_with_hand_written_entry),
		cmocka_unit_test(test_render_wraps_and_keeps_lists),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
