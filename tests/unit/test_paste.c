/* test_paste.c: the reader of text pasted into `smtpscope explain -` (core/knowledge/paste.c):
 * direction markers, client lines naming the next reply's command, the lone dot as DATA-END,
 * multiline replies joined, noise skipped once a reply is seen, words when none is, --after
 * as the default context, an open reply at the end, long command names cut. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/knowledge/paste.h"
#include "core/util/xmalloc.h"

/* Reads all of text; returns the items as "[after] text|" with reply lines joined by '/'. */
static char *
items_of(const char *text, const char *after)
{
	struct paste_reader *r = paste_reader_new(text, after);
	struct paste_item item;
	char *out = xstrdup(""), *more, *t, *p;

	while (paste_reader_next(r, &item)) {
		t = xstrdup(item.text);
		for (p = t; *p != '\0'; p++)
			if (*p == '\n')
				*p = '/';
		more = xasprintf("%s%s%s[%s] %s", out, *out ? "|" : "", item.is_reply ? "R" : "W",
		    item.after != NULL ? item.after : "-", t);
		free(t);
		free(out);
		out = more;
	}
	assert_false(paste_reader_next(r, &item));
	paste_reader_free(r);
	return out;
}

static void
check_items(const char *text, const char *after, const char *want)
{
	char *got = items_of(text, after);

	if (strcmp(got, want) != 0)
		print_error("got:  %s\nwant: %s\n", got, want);
	assert_string_equal(got, want);
	free(got);
}

static void
test_markers_and_client_lines_give_context(void **state)
{
	(void)state;
	check_items("S: 220 mx ESMTP\nC: EHLO me\nS: 250-mx\nS: 250 PIPELINING\n"
	    "C: RCPT TO:<x@y>\nS: 550 5.1.1 no such user\n", NULL,
	    "R[-] 220 mx ESMTP/|R[EHLO] 250-mx/250 PIPELINING/|R[RCPT] 550 5.1.1 no such user/");
	check_items("<-  220 mx\n -> MAIL FROM:<a@b>\n<-  250 ok\n -> DATA\n<-  354 go\n"
	    " -> .\n<** 451 4.3.0 later\n", NULL,
	    "R[-] 220 mx/|R[MAIL] 250 ok/|R[DATA] 354 go/|R[DATA-END] 451 4.3.0 later/");
}

static void
test_noise_is_skipped_once_a_reply_is_seen(void **state)
{
	(void)state;
	check_items("=== Trying mx:25...\n=== Connected\n<-  220 hi\nnot a reply\n", NULL,
	    "R[-] 220 hi/");
	/* A bare code is a reply line but not "a reply with text": the words are explained. */
	check_items("250\nRCPT\n", NULL, "R[-] 250/|W[-] RCPT");
}

static void
test_words_when_no_reply(void **state)
{
	(void)state;
	check_items("RCPT\n  PIPELINING  \r\n\n5.1.1\n", NULL, "W[-] RCPT|W[-] PIPELINING|W[-] 5.1.1");
	check_items("C: RCPT TO:<a@b>\nword\n", NULL, "W[RCPT] word");
	check_items("", NULL, "");
	check_items("  \t \n\n> \n", NULL, "");
}

static void
test_after_option_is_the_default_context(void **state)
{
	(void)state;
	check_items("550 no\nC: MAIL FROM:<>\n550 no\n550 again\n", "RCPT",
	    "R[RCPT] 550 no/|R[MAIL] 550 no/|R[RCPT] 550 again/");
	check_items("550 no\n", "", "R[-] 550 no/");
}

static void
test_open_reply_at_the_end(void **state)
{
	(void)state;
	check_items("C: EHLO x\n250-first\n250-second\n", NULL, "R[EHLO] 250-first/250-second/");
	/* Noise inside an open reply is skipped; a client line changes its context. */
	check_items("250-first\nnoise\nC: NOOP\n250 last\n", NULL, "R[NOOP] 250-first/250 last/");
}

static void
test_long_command_name_is_cut(void **state)
{
	char text[128], want[128];

	(void)state;
	snprintf(text, sizeof text, "C: %s arg\n550 x\n",
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKL");
	snprintf(want, sizeof want, "R[%.*s] 550 x/", PASTE_AFTER_MAX - 1,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKL");
	check_items(text, NULL, want);
}

static void
test_text_after_nul_is_ignored(void **state)
{
	static const char text[] = "220 hi\n\0" "250 hidden\n";
	struct paste_reader *r = paste_reader_new(text, NULL);
	struct paste_item item;

	(void)state;
	assert_true(paste_reader_next(r, &item));
	assert_string_equal(item.text, "220 hi\n");
	assert_false(paste_reader_next(r, &item));
	paste_reader_free(r);
	paste_reader_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markers_and_client_lines_give_context),
		cmocka_unit_test(test_noise_is_skipped_once_a_reply_is_seen),
		cmocka_unit_test(test_words_when_no_reply),
		cmocka_unit_test(test_after_option_is_the_default_context),
		cmocka_unit_test(test_open_reply_at_the_end),
		cmocka_unit_test(test_long_command_name_is_cut),
		cmocka_unit_test(test_text_after_nul_is_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
