/* test_export.c: the exports of a recorded transcript (the API the screen's /save FILE.html and
 * /save FILE.md use) against the real knowledge base in help/: escaping, explanations, latencies,
 * and the format chosen from a file name. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/knowledge/explain.h"
#include "core/record/export.h"
#include "core/knowledge/kb.h"
#include "core/proto/reply.h"
#include "core/record/transcript.h"
#include "core/util/xmalloc.h"

static struct kb *
load_kb(void)
{
	const char *top = getenv("top_srcdir");
	char *dir = xasprintf("%s/help", top != NULL ? top : ABS_TOP_SRCDIR), *err = NULL;
	struct kb *kb = kb_load(dir, "en", &err);

	assert_non_null(kb);
	free(dir);
	return kb;
}

static struct reply *
parse_reply(const char *wire)
{
	struct reply_parser *p = reply_parser_new(NULL);
	struct reply *reply;

	reply_parser_feed(p, wire, strlen(wire));
	reply = reply_parser_next(p);
	assert_non_null(reply);
	reply_parser_free(p);
	return reply;
}

static char *
export_to_string(const struct transcript *t, const struct kb *kb, enum export_format format)
{
	char *buf = NULL, *err = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_int_equal(export_transcript(t, kb, format, out, &err), 0);
	fclose(out);
	return buf;
}

static void
test_export_transcript_escapes_and_explains(void **state)
{
	struct kb *kb = load_kb();
	struct transcript *t = transcript_new();
	struct reply *greeting = parse_reply("220 mx <script>x</script>\x1b[2J ready\r\n");
	struct reply *rcpt = parse_reply("550 5.1.1 <nobody@example.org>: no such user\r\n");
	struct explanation *ex = explain_reply(kb, rcpt, "RCPT");
	char *html, *md;

	(void)state;
	transcript_add(t, TRANSCRIPT_EVENT, "connected to 127.0.0.1:25", 25, "connected", false);
	transcript_add_reply(t, greeting, "greeting", "greeting", 1000);
	transcript_add(t, TRANSCRIPT_SENT, "RCPT TO:<nobody@example.org>", 28, NULL, false);
	transcript_add_reply(t, rcpt, "RCPT", "in transaction", 2500);
	transcript_add(t, TRANSCRIPT_SENT, "AUTH PLAIN ********", 19, NULL, true);

	html = export_to_string(t, kb, EXPORT_HTML);
	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_null(strstr(html, "<script"));
	assert_null(strchr(html, '\x1b'));
	assert_non_null(strstr(html, "&lt;script&gt;x&lt;/script&gt;<span class=\"x\">\\x1b</span>"));
	assert_non_null(strstr(html, "&lt;nobody@example.org&gt;"));
	/* The RCPT variant's heading, without its code (the code is a badge of its own). */
	assert_non_null(strstr(html, strchr(ex->heading, ' ') + 1));
	assert_non_null(strstr(html, "2.500 ms"));
	assert_non_null(strstr(html, "</html>"));

	md = export_to_string(t, kb, EXPORT_MARKDOWN);
	assert_null(strchr(md, '\x1b'));
	assert_non_null(strstr(md, "S: 220 mx <script>x</script>\\x1b[2J ready"));
	assert_non_null(strstr(md, "```text\n"));

	free(html);
	free(md);
	explanation_free(ex);
	transcript_free(t);
	kb_free(kb);
}

static void
test_export_format_for_path(void **state)
{
	enum export_format f;

	(void)state;
	assert_true(export_format_for_path("handout.html", &f));
	assert_int_equal(f, EXPORT_HTML);
	assert_true(export_format_for_path("dir.d/notes.MD", &f));
	assert_int_equal(f, EXPORT_MARKDOWN);
	assert_false(export_format_for_path("session.txt", &f));
	assert_false(export_format_for_path("dir.html/session", &f));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_transcript_escapes_and_explains),
		cmocka_unit_test(test_export_format_for_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
