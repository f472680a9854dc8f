/* test_lesson.c: lesson files (parsing, malformed lines and their file:line diagnostics,
 * translations) and the progress tracker on synthetic transcripts built with transcript_add and
 * transcript_add_reply: checks passing, wrong: hints, unexpected negative replies, status
 * checks, and the explanation a front end shows; the real lesson files and their labels. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/conn/engine.h"
#include "core/knowledge/kb.h"
#include "core/knowledge/explain.h"
#include "core/teach/lesson.h"
#include "core/proto/reply.h"
#include "core/record/transcript.h"
#include "core/util/xmalloc.h"

static const char first_contact[] =
    "# a comment\n"
    "@lesson hello\n"
    "title: Hello\n"
    "summary: EHLO, HELP and QUIT\n"
    "description:\n"
    "    Say hello to {user}.\n"
    "done: Well done.\n"
    "\n"
    "@step 1\n"
    "title: EHLO\n"
    "try:\n"
    "    - EHLO localhost\n"
    "expect: 250 lines\n"
    "check:\n"
    "    reply 250 after EHLO\n"
    "    capability PIPELINING\n"
    "wrong:\n"
    "    reply 501 after EHLO -> EHLO needs a name\n"
    "hint: Type EHLO localhost.\n"
    "\n"
    "@step 2\n"
    "title: A recipient\n"
    "try: RCPT TO:<a@b>\n"
    "check: reply 2xx 2.1.5 after RCPT\n"
    "wrong: reply 503 after RCPT -> You need MAIL FROM first\n"
    "hint: Use MAIL FROM, then RCPT TO.\n"
    "\n"
    "@step 3\n"
    "title: Leave\n"
    "try: QUIT\n"
    "check: reply 221 after QUIT\n";

static struct lesson_set *
load_one(const char *name, const char *text)
{
	struct lesson_set *set = lesson_set_new();

	lesson_set_add_buffer(set, name, text, strlen(text), NULL, NULL, 0);
	return set;
}

/* A reply parsed from wire bytes. */
static struct reply *
parse_reply_len(const char *wire, size_t len)
{
	struct reply_parser *parser = reply_parser_new(NULL);
	struct reply *r;

	reply_parser_feed(parser, wire, len);
	r = reply_parser_next(parser);
	reply_parser_free(parser);
	assert_non_null(r);
	return r;
}

static struct reply *
parse_reply(const char *wire)
{
	return parse_reply_len(wire, strlen(wire));
}

static void
add_sent(struct transcript *t, const char *line)
{
	transcript_add(t, TRANSCRIPT_SENT, line, strlen(line), NULL, false);
}

static void
add_reply(struct transcript *t, const char *wire, const char *after)
{
	transcript_add_reply(t, parse_reply(wire), after, "after EHLO", 100);
}

static void
test_parse_good_lesson(void **state)
{
	struct lesson_set *set = load_one("hello.txt", first_contact);
	const struct lesson *l;

	(void)state;
	assert_int_equal(lesson_set_diagnostic_count(set), 0);
	assert_int_equal(lesson_set_count(set), 1);
	l = lesson_set_find(set, "hello");
	assert_non_null(l);
	assert_string_equal(lesson_name(l), "hello");
	assert_string_equal(lesson_title(l), "Hello");
	assert_string_equal(lesson_summary(l), "EHLO, HELP and QUIT");
	assert_string_equal(lesson_scenario(l), "normal");
	assert_string_equal(lesson_done(l), "Well done.");
	assert_int_equal(lesson_step_count(l), 3);
	assert_string_equal(lesson_step_title(l, 1), "A recipient");
	assert_string_equal(lesson_step_try(l, 0), "- EHLO localhost");
	assert_string_equal(lesson_step_check(l, 0), "reply 250 after EHLO\ncapability PIPELINING");
	assert_null(lesson_step_expect(l, 2));
	assert_null(lesson_step_title(l, 3));
	assert_null(lesson_set_find(set, "nope"));
	lesson_set_free(set);
}

static void
test_malformed_lines_reported_rest_loads(void **state)
{
	static const char text[] =
	    "@lesson sloppy\n"                          /* 1 */
	    "title: Sloppy\n"                           /* 2 */
	    "summary: s\n"                              /* 3 */
	    "replies: not for lessons\n"                /* 4 */
	    "@code 250\n"                               /* 5 */
	    "title: not here\n"                         /* 6 */
	    "@step 1\n"                                 /* 7 */
	    "title: One\n"                              /* 8 */
	    "try: NOOP\n"                               /* 9 */
	    "check:\n"                                  /* 10 */
	    "    reply 250 after NOOP\n"                /* 11 */
	    "    reply 6xx\n"                           /* 12 */
	    "    reply 250 5.1 after NOOP\n"            /* 13 */
	    "    reply 250 after noop\n"                /* 14 */
	    "    state\n"                               /* 15 */
	    "wrong:\n"                                  /* 16 */
	    "    reply 5xx after NOOP\n"                /* 17 */
	    "    tls -> not an event\n"                 /* 18 */
	    "    reply 550 after NOOP -> fine\n"        /* 19 */
	    "bogus line\n";                             /* 20 */
	struct lesson_set *set = load_one("s.txt", text);
	const char *expected[] = {
	    "s.txt:20: text in column 1 that is neither a header, a field nor a comment",
	    "s.txt:5: @code entries belong in the knowledge base",
	    "s.txt:4: field 'replies' is not used by @lesson",
	    "s.txt:12: bad check 'reply 6xx' in step 1: 'reply' needs a code",
	    "s.txt:13: bad check 'reply 250 5.1 after NOOP' in step 1: after the code",
	    "s.txt:14: bad check 'reply 250 after noop' in step 1: 'after' needs an upper-case",
	    "s.txt:15: bad check 'state' in step 1: 'state' needs a state",
	    "s.txt:17: bad wrong: line in step 1: write 'PATTERN -> HINT'",
	    "s.txt:18: bad wrong: line in step 1: a wrong: pattern must be something that happens",
	};
	size_t i;

	(void)state;
	assert_int_equal(lesson_set_diagnostic_count(set), sizeof expected / sizeof expected[0]);
	for (i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		const char *d = lesson_set_diagnostic(set, i);

		if (strncmp(d, expected[i], strlen(expected[i])) != 0)
			fail_msg("diagnostic %zu: got '%s', expected '%s...'", i, d, expected[i]);
	}
	/* The good check and the good wrong line remain: the lesson loads. */
	assert_int_equal(lesson_set_count(set), 1);
	assert_int_equal(lesson_step_count(lesson_set_get(set, 0)), 1);
	lesson_set_free(set);
}

static void
test_unusable_lessons_left_out(void **state)
{
	static const char no_header[] = "@step 1\ntitle: x\ntry: y\ncheck: tls\n";
	static const char out_of_order[] =
	    "@lesson a\ntitle: A\nsummary: a\n@step 1\ntitle: x\ntry: y\ncheck: tls\n"
	    "@step 3\ntitle: x\ntry: y\ncheck: tls\n";
	static const char no_check[] =
	    "@lesson b\ntitle: B\nsummary: b\n@step 1\ntitle: x\ntry: y\ncheck: fly away\n";
	static const char missing[] = "@lesson c\nsummary: c\n@step 1\ntitle: x\ncheck: tls\n";
	static const char twice[] = "@lesson d\ntitle: D\nsummary: d\n@step 1\ntitle: x\ntry: y\n"
	    "check: tls\n";
	struct lesson_set *set = lesson_set_new();
	size_t i;
	bool found_order = false, found_title = false, found_try = false, found_twice = false;

	(void)state;
	lesson_set_add_buffer(set, "n.txt", no_header, strlen(no_header), NULL, NULL, 0);
	lesson_set_add_buffer(set, "o.txt", out_of_order, strlen(out_of_order), NULL, NULL, 0);
	lesson_set_add_buffer(set, "c.txt", no_check, strlen(no_check), NULL, NULL, 0);
	lesson_set_add_buffer(set, "m.txt", missing, strlen(missing), NULL, NULL, 0);
	lesson_set_add_buffer(set, "d1.txt", twice, strlen(twice), NULL, NULL, 0);
	lesson_set_add_buffer(set, "d2.txt", twice, strlen(twice), NULL, NULL, 0);
	assert_int_equal(lesson_set_count(set), 1);
	assert_string_equal(lesson_name(lesson_set_get(set, 0)), "d");
	assert_string_equal(lesson_set_diagnostic(set, 0),
	    "n.txt: no '@lesson NAME' header: not a lesson file");
	for (i = 0; i < lesson_set_diagnostic_count(set); i++) {
		const char *d = lesson_set_diagnostic(set, i);

		found_order |= strstr(d, "o.txt:8: step 3 where step 2 was expected") != NULL;
		found_title |= strstr(d, "m.txt:1: @lesson c has no 'title:' field") != NULL;
		found_try |= strstr(d, "m.txt:3: @step 1 has no 'try:' field") != NULL;
		found_twice |= strstr(d, "d2.txt: lesson d is given twice") != NULL;
	}
	assert_true(found_order);
	assert_true(found_title);
	assert_true(found_try);
	assert_true(found_twice);
	lesson_set_free(set);
}

static void
test_translation_field_by_field(void **state)
{
	static const char tr[] =
	    "@lesson hello\ntitle: Halo\n@step 2\ntitle: Penerima\n"
	    "wrong: reply 503 after RCPT -> Perlu MAIL FROM dulu\n"
	    "check: tls\n";
	struct lesson_set *set = lesson_set_new();
	const struct lesson *l;

	(void)state;
	lesson_set_add_buffer(set, "en.txt", first_contact, strlen(first_contact), "id.txt", tr,
	    strlen(tr));
	assert_int_equal(lesson_set_count(set), 1);
	l = lesson_set_get(set, 0);
	assert_string_equal(lesson_title(l), "Halo");
	assert_string_equal(lesson_summary(l), "EHLO, HELP and QUIT");
	assert_string_equal(lesson_step_title(l, 1), "Penerima");
	assert_string_equal(lesson_step_title(l, 0), "EHLO");
	/* The checks are the English file's whatever the translation says. */
	assert_string_equal(lesson_step_check(l, 1), "reply 2xx 2.1.5 after RCPT");
	lesson_set_free(set);
}

static void
test_progress_through_a_session(void **state)
{
	struct lesson_set *set = load_one("hello.txt", first_contact);
	const struct lesson *l = lesson_set_get(set, 0);
	struct lesson_progress *p = lesson_progress_new(l);
	struct transcript *t = transcript_new();
	unsigned bits;

	(void)state;
	add_reply(t, "220 practice.test ESMTP\r\n", "greeting");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), 0);
	assert_int_equal(lesson_progress_step(p), 0);

	/* EHLO without a name: the wrong: line's hint, with the server's line quoted. */
	add_sent(t, "EHLO");
	add_reply(t, "501 5.5.4 Syntax: EHLO name\r\n", "EHLO");
	bits = lesson_progress_catch_up(p, t, NULL);
	assert_int_equal(bits, LESSON_HINT);
	assert_string_equal(lesson_progress_hint(p),
	    "S: 501 5.5.4 Syntax: EHLO name\n\nEHLO needs a name");

	/* A 250 without PIPELINING is not enough: both checks must hold. */
	add_sent(t, "EHLO localhost");
	add_reply(t, "250-practice.test\r\n250 SIZE 1000\r\n", "EHLO");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), 0);
	assert_int_equal(lesson_progress_step(p), 0);
	add_sent(t, "EHLO localhost");
	add_reply(t, "250-practice.test\r\n250-PIPELINING\r\n250 SIZE 1000\r\n", "EHLO");
	bits = lesson_progress_catch_up(p, t, NULL);
	assert_int_equal(bits, LESSON_STEP_PASSED);
	assert_int_equal(lesson_progress_step(p), 1);
	assert_null(lesson_progress_hint(p));

	/* RCPT before MAIL: the specific hint of the wrong: pattern. */
	add_sent(t, "RCPT TO:<a@b>");
	add_reply(t, "503 5.5.1 Bad sequence\r\n", "RCPT");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), LESSON_HINT);
	assert_non_null(strstr(lesson_progress_hint(p), "You need MAIL FROM first"));

	/* Another negative reply nobody foresaw: the step's own hint. */
	add_sent(t, "MAIL FROM:<x>");
	add_reply(t, "550 5.7.1 No\r\n", "MAIL");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), LESSON_HINT);
	assert_string_equal(lesson_progress_hint(p),
	    "S: 550 5.7.1 No\n\nUse MAIL FROM, then RCPT TO.");

	/* A 250 with the wrong enhanced code does not pass "2xx 2.1.5"; the right one does. */
	add_sent(t, "MAIL FROM:<x@y>");
	add_reply(t, "250 2.1.0 OK\r\n", "MAIL");
	add_sent(t, "RCPT TO:<a@b>");
	add_reply(t, "250 2.1.0 odd\r\n", "RCPT");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), 0);
	add_sent(t, "RCPT TO:<a@b>");
	add_reply(t, "250 2.1.5 OK\r\n", "RCPT");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), LESSON_STEP_PASSED);

	add_sent(t, "QUIT");
	add_reply(t, "221 2.0.0 Bye\r\n", "QUIT");
	bits = lesson_progress_catch_up(p, t, NULL);
	assert_int_equal(bits, LESSON_STEP_PASSED | LESSON_COMPLETE);
	assert_true(lesson_progress_complete(p));
	assert_int_equal(lesson_progress_step(p), 3);
	assert_int_equal(lesson_progress_hint_count(p), 3);

	lesson_progress_free(p);
	transcript_free(t);
	lesson_set_free(set);
}

static void
test_step_ignores_what_came_before_it(void **state)
{
	static const char text[] =
	    "@lesson twice\ntitle: T\nsummary: s\n"
	    "@step 1\ntitle: a\ntry: EHLO\ncheck: reply 250 after EHLO\n"
	    "@step 2\ntitle: b\ntry: EHLO again\ncheck: reply 250 after EHLO\n";
	struct lesson_set *set = load_one("t.txt", text);
	struct lesson_progress *p = lesson_progress_new(lesson_set_get(set, 0));
	struct transcript *t = transcript_new();

	(void)state;
	add_sent(t, "EHLO a");
	add_reply(t, "250 ok\r\n", "EHLO");
	add_sent(t, "NOOP");
	add_reply(t, "250 ok\r\n", "NOOP");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), LESSON_STEP_PASSED);
	/* The same kind of reply arrived once only: step 2 waits for its own. */
	assert_int_equal(lesson_progress_step(p), 1);
	add_sent(t, "EHLO a");
	add_reply(t, "250 ok\r\n", "EHLO");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL),
	    LESSON_STEP_PASSED | LESSON_COMPLETE);
	lesson_progress_free(p);
	transcript_free(t);
	lesson_set_free(set);
}

/* A state check names a state's key (any case, spaces for dashes); another name is a mistake
 * reported when the lesson loads, and a status naming its state in words still matches. */
static void
test_state_checks_use_state_keys(void **state)
{
	static const char text[] =
	    "@lesson sk\ntitle: T\nsummary: s\n"
	    "@step 1\ntitle: a\ntry: x\ncheck:\n    state After EHLO\n    state after-ehlox\n";
	struct lesson_set *set = load_one("sk.txt", text);
	struct lesson_progress *p = lesson_progress_new(lesson_set_get(set, 0));
	struct transcript *t = transcript_new();
	struct lesson_status st;

	(void)state;
	assert_int_equal(lesson_set_diagnostic_count(set), 1);
	assert_non_null(strstr(lesson_set_diagnostic(set, 0), "after-ehlox"));
	memset(&st, 0, sizeof st);
	st.connected = true;
	st.state = "after EHLO";
	add_sent(t, "EHLO x");
	assert_int_equal(lesson_progress_catch_up(p, t, &st), LESSON_STEP_PASSED | LESSON_COMPLETE);
	lesson_progress_free(p);
	transcript_free(t);
	lesson_set_free(set);
}

static void
test_status_and_event_checks(void **state)
{
	static const char text[] =
	    "@lesson st\ntitle: T\nsummary: s\n"
	    "@step 1\ntitle: mail\ntry: MAIL\ncheck:\n    sent MAIL\n    state in-transaction\n"
	    "@step 2\ntitle: tls\ntry: STARTTLS\ncheck:\n    reply 220 after STARTTLS\n    tls\n"
	    "@step 3\ntitle: caps\ntry: EHLO\ncheck:\n    reply 250 after EHLO\n"
	    "    capability AUTH\n"
	    "@step 4\ntitle: dot\ntry: .x\ncheck: dot-stuffed\n"
	    "wrong: message-accepted -> no dot line\n"
	    "@step 5\ntitle: b64\ntry: /b64\ncheck:\n    info decodes to\n    authenticated\n";
	struct lesson_set *set = load_one("st.txt", text);
	struct lesson_progress *p = lesson_progress_new(lesson_set_get(set, 0));
	struct transcript *t = transcript_new();
	struct lesson_status st;

	(void)state;
	assert_int_equal(lesson_set_diagnostic_count(set), 0);
	memset(&st, 0, sizeof st);
	st.connected = true;
	st.state = "after EHLO";
	add_sent(t, "MAIL FROM:<a@b>");
	assert_int_equal(lesson_progress_catch_up(p, t, &st), 0);
	add_reply(t, "250 ok\r\n", "MAIL");
	st.state = "in transaction";
	assert_int_equal(lesson_progress_catch_up(p, t, &st), LESSON_STEP_PASSED);

	/* Without a status, TLS is known from the 220 to STARTTLS, which also forgets the
	 * capabilities: the old EHLO's AUTH does not count. */
	add_sent(t, "EHLO x");
	add_reply(t, "250-x\r\n250 AUTH PLAIN\r\n", "EHLO");
	add_sent(t, "STARTTLS");
	add_reply(t, "220 go\r\n", "STARTTLS");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), LESSON_STEP_PASSED);
	add_sent(t, "NOOP");
	add_reply(t, "250 ok\r\n", "NOOP");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), 0);
	add_sent(t, "EHLO x");
	add_reply(t, "250-x\r\n250-AUTHX\r\n250 HELP\r\n", "EHLO");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), 0);
	add_sent(t, "EHLO x");
	add_reply(t, "250-x\r\n250 AUTH=PLAIN\r\n", "EHLO");
	/* "AUTH=PLAIN" (the old form) offers AUTH, as the session tracker reads it. */
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), LESSON_STEP_PASSED);

	/* The message accepted before a dotted line: the wrong: hint. */
	add_sent(t, "hello");
	add_reply(t, "250 2.0.0 queued\r\n", "DATA-END");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), LESSON_HINT);
	assert_non_null(strstr(lesson_progress_hint(p), "no dot line"));
	add_sent(t, "..x");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), LESSON_STEP_PASSED);

	transcript_add(t, TRANSCRIPT_INFO, "QUJD decodes to \"ABC\"", 21, NULL, false);
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), 0);
	add_sent(t, "AUTH PLAIN ********");
	add_reply(t, "235 2.7.0 ok\r\n", "AUTH");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL),
	    LESSON_STEP_PASSED | LESSON_COMPLETE);
	lesson_progress_free(p);
	transcript_free(t);
	lesson_set_free(set);
}

static void
test_hint_escapes_wire_bytes(void **state)
{
	struct lesson_set *set = load_one("hello.txt", first_contact);
	struct lesson_progress *p = lesson_progress_new(lesson_set_get(set, 0));
	struct transcript *t = transcript_new();
	const char *hint, *c;

	(void)state;
	add_sent(t, "EHLO x");
	add_reply(t, "554 \x1b]52;c;evil\x07 no\r\n", "EHLO");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), LESSON_HINT);
	hint = lesson_progress_hint(p);
	for (c = hint; *c != '\0'; c++)
		if (*c != '\n')
			assert_true((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f);
	assert_non_null(strstr(hint, "S: 554 ?]52;c;evil? no"));
	lesson_progress_free(p);
	transcript_free(t);

	/* A NUL in the line does not cut the quote short, and a long line is cut with "...". */
	p = lesson_progress_new(lesson_set_get(set, 0));
	t = transcript_new();
	add_sent(t, "EHLO x");
	{
		char wire[400];

		memcpy(wire, "554 a", 5);
		wire[5] = '\0';
		memset(wire + 6, 'b', 300);
		memcpy(wire + 306, "\r\n", 3);
		transcript_add_reply(t, parse_reply_len(wire, 308), "EHLO", "after EHLO", 1);
	}
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), LESSON_HINT);
	hint = lesson_progress_hint(p);
	assert_true(strncmp(hint, "S: 554 a?bbb", 12) == 0);
	assert_non_null(strstr(hint, "b...\n\n"));
	lesson_progress_free(p);
	transcript_free(t);
	lesson_set_free(set);
}

static const struct explanation_section *
section(const struct explanation *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->nsections; i++)
		if (strcmp(x->sections[i].name, name) == 0)
			return &x->sections[i];
	return NULL;
}

static void
test_explanation_and_variables(void **state)
{
	struct lesson_set *set = load_one("hello.txt", first_contact);
	struct lesson_progress *p = lesson_progress_new(lesson_set_get(set, 0));
	struct transcript *t = transcript_new();
	struct explanation *x;
	char *filled;

	(void)state;
	lesson_progress_set_var(p, "user", "practice");
	lesson_progress_set_var(p, "password", "secret123");
	filled = lesson_progress_fill(p, "{user} {password} {user-b64} {plain-b64} {nope} {");
	assert_string_equal(filled,
	    "practice secret123 cHJhY3RpY2U= AHByYWN0aWNlAHNlY3JldDEyMw== {nope} {");
	free(filled);

	x = lesson_progress_explanation(p, NULL);
	assert_string_equal(x->heading, "Lesson: Hello \u2014 step 1 of 3");
	assert_string_equal(x->summary, "EHLO");
	assert_non_null(section(x, "lesson-about"));
	assert_string_equal(section(x, "lesson-about")->text, "Say hello to practice.");
	assert_string_equal(section(x, "lesson-about")->label, "About This Lesson");
	assert_string_equal(section(x, "lesson-try")->label, "What to Try");
	assert_string_equal(section(x, "lesson-expect")->text, "250 lines");
	assert_null(section(x, "lesson-hint"));
	assert_true(section(x, "lesson-progress")->preformatted);
	assert_string_equal(section(x, "lesson-progress")->text,
	    "[>] 1. EHLO\n[ ] 2. A recipient\n[ ] 3. Leave");
	explanation_free(x);

	add_sent(t, "EHLO");
	add_reply(t, "501 no\r\n", "EHLO");
	add_sent(t, "EHLO x");
	add_reply(t, "250-x\r\n250 PIPELINING\r\n", "EHLO");
	add_sent(t, "RCPT TO:<a@b>");
	add_reply(t, "503 no\r\n", "RCPT");
	lesson_progress_catch_up(p, t, NULL);
	x = lesson_progress_explanation(p, NULL);
	assert_string_equal(x->heading, "Lesson: Hello \u2014 step 2 of 3");
	assert_null(section(x, "lesson-about"));
	assert_non_null(strstr(section(x, "lesson-hint")->text, "You need MAIL FROM first"));
	assert_string_equal(section(x, "lesson-progress")->text,
	    "[x] 1. EHLO\n[>] 2. A recipient\n[ ] 3. Leave");
	explanation_free(x);

	add_sent(t, "RCPT TO:<a@b>");
	add_reply(t, "250 2.1.5 ok\r\n", "RCPT");
	add_sent(t, "QUIT");
	add_reply(t, "221 bye\r\n", "QUIT");
	lesson_progress_catch_up(p, t, NULL);
	x = lesson_progress_explanation(p, NULL);
	assert_string_equal(x->heading, "Lesson: Hello \u2014 complete");
	assert_string_equal(section(x, "lesson-done")->text, "Well done.");
	assert_null(section(x, "lesson-try"));
	explanation_free(x);

	lesson_progress_free(p);
	transcript_free(t);
	lesson_set_free(set);
}

static void
test_every_label_has_an_english_default(void **state)
{
	struct lesson_set *set = load_one("hello.txt", first_contact);
	struct lesson_progress *p = lesson_progress_new(lesson_set_get(set, 0));
	struct explanation *x = lesson_progress_explanation(p, NULL);
	size_t i;

	(void)state;
	/* With no knowledge base, no label comes out as its bare key. */
	for (i = 0; i < x->nsections; i++)
		assert_string_not_equal(x->sections[i].label, x->sections[i].name);
	for (i = 0; lesson_label_names[i] != NULL; i++)
		assert_non_null(strstr(lesson_label_names[i], "lesson"));
	explanation_free(x);
	lesson_progress_free(p);
	lesson_set_free(set);
}

static void
test_start_at_ignores_the_session_so_far(void **state)
{
	struct lesson_set *set = load_one("hello.txt", first_contact);
	struct lesson_progress *p = lesson_progress_new(lesson_set_get(set, 0));
	struct transcript *t = transcript_new();

	(void)state;
	add_sent(t, "EHLO x");
	add_reply(t, "250-x\r\n250 PIPELINING\r\n", "EHLO");
	add_reply(t, "501 late and odd\r\n", "EHLO");
	/* Started now: the EHLO above does not pass step 1, the 501 gives no hint. */
	lesson_progress_start_at(p, transcript_count(t));
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), 0);
	assert_int_equal(lesson_progress_step(p), 0);
	assert_int_equal(lesson_progress_hint_count(p), 0);
	add_sent(t, "EHLO x");
	add_reply(t, "250-x\r\n250 PIPELINING\r\n", "EHLO");
	assert_int_equal(lesson_progress_catch_up(p, t, NULL), LESSON_STEP_PASSED);
	lesson_progress_free(p);
	transcript_free(t);
	lesson_set_free(set);
}

static void
test_set_explanation_lists_every_lesson(void **state)
{
	static const char other[] =
	    "@lesson other\ntitle: O\nsummary: the other one\n@step 1\ntitle: x\ntry: y\n"
	    "check: tls\n";
	struct lesson_set *set = load_one("hello.txt", first_contact);
	struct explanation *x;

	(void)state;
	lesson_set_add_buffer(set, "other.txt", other, strlen(other), NULL, NULL, 0);
	x = lesson_set_explanation(set, NULL);
	assert_string_equal(x->heading, "Lessons");
	assert_non_null(strstr(x->summary, "/lesson NAME"));
	assert_int_equal(x->nsections, 1);
	assert_string_equal(x->sections[0].name, "lesson-list");
	assert_string_equal(x->sections[0].text,
	    "- hello: EHLO, HELP and QUIT\n- other: the other one");
	explanation_free(x);
	lesson_set_free(set);
}

static char *
source_path(const char *rel)
{
	const char *top = getenv("top_srcdir");

	return xasprintf("%s/%s", top != NULL ? top : ABS_TOP_SRCDIR, rel);
}

static void
test_real_lessons_load_cleanly(void **state)
{
	char *dir = source_path("help/lessons"), *err = NULL;
	static const char *const langs[] = { "en", "id" };
	static const char *const course[] = {
		"first-contact", "first-message", "errors-and-retries", "starttls", "auth-by-hand",
		"enhanced-codes", "pipelining",
	};
	size_t i, k;

	(void)state;
	for (k = 0; k < 2; k++) {
		struct lesson_set *set = lesson_set_new();

		assert_int_equal(lesson_set_load_dir(set, dir, langs[k], &err), 0);
		for (i = 0; i < lesson_set_diagnostic_count(set); i++)
			print_message("%s\n", lesson_set_diagnostic(set, i));
		assert_int_equal(lesson_set_diagnostic_count(set), 0);
		for (i = 0; i < sizeof course / sizeof course[0]; i++)
			assert_non_null(lesson_set_find(set, course[i]));
		for (i = 0; i < lesson_set_count(set); i++) {
			const struct lesson *l = lesson_set_get(set, i);
			size_t st;

			assert_non_null(lesson_description(l));
			assert_non_null(lesson_done(l));
			for (st = 0; st < lesson_step_count(l); st++) {
				assert_non_null(lesson_step_expect(l, st));
				assert_non_null(lesson_step_hint(l, st));
			}
		}
		lesson_set_free(set);
	}
	free(dir);
}

static void
test_labels_in_english_and_indonesian(void **state)
{
	char *dir = source_path("help");
	struct kb *kb = kb_load(dir, "id", NULL);
	size_t i;

	(void)state;
	assert_non_null(kb);
	for (i = 0; lesson_label_names[i] != NULL; i++) {
		const struct kb_entry *e = kb_find_exact(kb, "label", lesson_label_names[i], NULL);

		if (e == NULL || kb_field_in(kb, e, "text", "en") == NULL ||
		    kb_field_in(kb, e, "text", "id") == NULL)
			fail_msg("label %s lacks its English or Indonesian text", lesson_label_names[i]);
	}
	kb_free(kb);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good_lesson),
		cmocka_unit_test(test_malformed_lines_reported_rest_loads),
		cmocka_unit_test(test_unusable_lessons_left_out),
		cmocka_unit_test(test_translation_field_by_field),
		cmocka_unit_test(test_progress_through_a_session),
		cmocka_unit_test(test_step_ignores_what_came_before_it),
		cmocka_unit_test(test_status_and_event_checks),
		cmocka_unit_test(test_state_checks_use_state_keys),
		cmocka_unit_test(test_hint_escapes_wire_bytes),
		cmocka_unit_test(test_explanation_and_variables),
		cmocka_unit_test(test_every_label_has_an_english_default),
		cmocka_unit_test(test_start_at_ignores_the_session_so_far),
		cmocka_unit_test(test_set_explanation_lists_every_lesson),
		cmocka_unit_test(test_real_lessons_load_cleanly),
		cmocka_unit_test(test_labels_in_english_and_indonesian),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
