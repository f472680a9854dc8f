/* test_transcript.c: transcripts save to readable, cat-safe text and load back to the same
 * bytes, flags, replies and latencies; malformed files are refused with their line number. */
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

#include "core/proto/reply.h"
#include "core/record/transcript.h"

#define T0 INT64_C(1795722001123456)  /* 2026-11-26T19:40:01.123456Z */

static char *
temp_path(void)
{
	char *path = strdup("/tmp/test_transcript.XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	return path;
}

static char *
read_all(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* Saves t to a file and loads it back; the file's text is returned in *text. */
static struct transcript *
round_trip(const struct transcript *t, char **text, size_t *text_len)
{
	char *path = temp_path(), *err = NULL;
	struct transcript *back;

	assert_int_equal(transcript_save(t, path, &err), 0);
	assert_null(err);
	if (text != NULL)
		*text = read_all(path, text_len);
	back = transcript_load(path, &err);
	if (back == NULL)
		fail_msg("load failed: %s", err);
	unlink(path);
	free(path);
	return back;
}

static void
assert_same_reply(const struct reply *a, const struct reply *b)
{
	size_t i;

	assert_int_equal(a->code, b->code);
	assert_string_equal(a->code_text, b->code_text);
	assert_string_equal(a->enhanced, b->enhanced);
	assert_int_equal(a->violations, b->violations);
	assert_int_equal(a->nlines, b->nlines);
	assert_int_equal(a->lines_total, b->lines_total);
	for (i = 0; i < a->nlines; i++) {
		assert_int_equal(a->lines[i].len, b->lines[i].len);
		assert_memory_equal(a->lines[i].raw, b->lines[i].raw, a->lines[i].len + 1);
		assert_int_equal(a->lines[i].full_len, b->lines[i].full_len);
		assert_int_equal(a->lines[i].violations, b->lines[i].violations);
	}
}

static void
assert_same_transcript(const struct transcript *a, const struct transcript *b)
{
	size_t i;

	assert_int_equal(transcript_count(a), transcript_count(b));
	for (i = 0; i < transcript_count(a); i++) {
		const struct transcript_entry *x = transcript_entry(a, i);
		const struct transcript_entry *y = transcript_entry(b, i);

		assert_int_equal(x->time_us, y->time_us);
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->len, y->len);
		assert_memory_equal(x->text, y->text, x->len + 1);
		assert_int_equal(x->reply, y->reply);
		assert_int_equal(x->secret, y->secret);
		if (x->event == NULL)
			assert_null(y->event);
		else
			assert_string_equal(x->event, y->event);
	}
	assert_int_equal(transcript_reply_count(a), transcript_reply_count(b));
	for (i = 0; i < transcript_reply_count(a); i++) {
		const struct transcript_reply *x = transcript_reply(a, i);
		const struct transcript_reply *y = transcript_reply(b, i);

		assert_same_reply(x->reply, y->reply);
		assert_int_equal(x->first_entry, y->first_entry);
		assert_int_equal(x->last_entry, y->last_entry);
		assert_int_equal(x->latency_us, y->latency_us);
		if (x->after == NULL)
			assert_null(y->after);
		else
			assert_string_equal(x->after, y->after);
		if (x->state == NULL)
			assert_null(y->state);
		else
			assert_string_equal(x->state, y->state);
	}
}

/* Parses a byte stream and records each reply it holds. */
static void
add_replies(struct transcript *t, struct reply_parser *p, const char *data, size_t len,
    int64_t *time_us, const char *after, const char *state, int64_t latency)
{
	struct reply *r;

	reply_parser_feed(p, data, len);
	while ((r = reply_parser_next(p)) != NULL || (r = reply_parser_finish(p)) != NULL) {
		transcript_add_reply_at(t, *time_us, r, after, state, latency);
		*time_us += 1500;
	}
}

static void
test_hostile_bytes_round_trip_and_file_is_safe_to_cat(void **state)
{
	struct transcript *t = transcript_new(), *back;
	char all[256], *text;
	size_t i, len;
	static const char *const hostile[] = {
		"\x1b]52;c;SGVsbG8=\x07",         /* OSC 52 clipboard */
		"\x1b[2J\x1b[H\x1b]0;title\x07",  /* clear, home, title */
		"\x1b[201~",                      /* bracketed paste end */
		"back\\slash \\x41 not an escape",
		"trailing spaces   ",
		"tab\there \"quoted\"",
		" ",
		"",
		"\xc2\x9b\xff\xfe\xc0\xaf",       /* C1 control, invalid and overlong UTF-8 */
	};

	(void)state;
	for (i = 0; i < sizeof all; i++)
		all[i] = (char)i;
	transcript_add_at(t, T0, TRANSCRIPT_RECEIVED, all, sizeof all, NULL, false);
	for (i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		transcript_add_at(t, T0 + (int64_t)i, TRANSCRIPT_EVENT + (int)(i % 4), hostile[i],
		    strlen(hostile[i]), i % 2 ? "odd \"event\"\x1b" : NULL, false);
		transcript_add_at(t, T0 - (int64_t)i * 1000003, TRANSCRIPT_SENT, hostile[i],
		    strlen(hostile[i]), NULL, false);
	}
	transcript_add_at(t, 0, TRANSCRIPT_INFO, "epoch", 5, NULL, false);
	transcript_add_at(t, -1, TRANSCRIPT_INFO, "just before the epoch", 21, NULL, false);
	/* Times beyond what the format holds are clamped, so the file still loads. */
	transcript_add_at(t, INT64_MAX, TRANSCRIPT_INFO, "far future", 10, NULL, false);
	transcript_add_at(t, INT64_MIN, TRANSCRIPT_INFO, "far past", 8, NULL, false);

	back = round_trip(t, &text, &len);
	assert_same_transcript(t, back);
	assert_int_equal(transcript_entry(back, 0)->reply, TRANSCRIPT_NO_REPLY);
	/* Nothing in the file but printable ASCII, TAB and newline. */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		assert_true((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n');
	}
	assert_non_null(strstr(text, "\\x1b]52;c;SGVsbG8=\\x07"));
	assert_non_null(strstr(text, "S: \\0\\x01"));
	assert_non_null(strstr(text, "back\\\\slash \\\\x41"));
	assert_non_null(strstr(text, "trailing spaces  \\x20\n"));
	assert_non_null(strstr(text, "2026-11-26T19:40:01.123456Z S: "));
	assert_non_null(strstr(text, "1970-01-01T00:00:00.000000Z i epoch\n"));
	assert_non_null(strstr(text, "1969-12-31T23:59:59.999999Z i just before the epoch\n"));
	assert_non_null(strstr(text, "9999-12-31T23:59:59.999999Z i far future\n"));
	assert_non_null(strstr(text, "0000-01-01T00:00:00.000000Z i far past\n"));
	free(text);
	transcript_free(back);
	transcript_free(t);
}

static void
test_secret_flag_is_kept_and_marked(void **state)
{
	struct transcript *t = transcript_new(), *back;
	char *text;
	size_t len;

	(void)state;
	transcript_add_at(t, T0, TRANSCRIPT_SENT, "AUTH PLAIN ********", 19, NULL, true);
	transcript_add_at(t, T0 + 1, TRANSCRIPT_SENT, "NOOP", 4, NULL, false);
	back = round_trip(t, &text, &len);
	assert_same_transcript(t, back);
	assert_true(transcript_entry(back, 0)->secret);
	assert_false(transcript_entry(back, 1)->secret);
	assert_non_null(strstr(text, "C: AUTH PLAIN ********\tmasked\n"));
	assert_non_null(strstr(text, "C: NOOP\n"));
	free(text);
	transcript_free(back);
	transcript_free(t);
}

static void
test_replies_are_rebuilt_with_latency_after_and_state(void **state)
{
	static const char greeting[] = "220 mx.example.org ESMTP\r\n";
	static const char ehlo[] = "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 1000\r\n"
	    "250 SMTPUTF8\r\n";
	static const char odd[] = "250-a\n550 5.7.1 mismatch\r\n2x0 junk\r\n250 x\ry\0z\r\n";
	static const char utf8[] = "250 2.0.0 caf\xc3\xa9 ok\r\n";
	struct reply_limits small = { 40, 3 };
	struct reply_parser *p = reply_parser_new(NULL), *ps = reply_parser_new(&small);
	struct transcript *t = transcript_new(), *back;
	int64_t now = T0;
	char longline[200], *text;
	size_t len, i;

	(void)state;
	transcript_add_at(t, now, TRANSCRIPT_EVENT, "connected to 127.0.0.1:2525", 27, "connected",
	    false);
	add_replies(t, p, greeting, sizeof greeting - 1, &now, "greeting", "greeting", 6544);
	transcript_add_at(t, now, TRANSCRIPT_SENT, "EHLO me", 7, NULL, false);
	add_replies(t, p, ehlo, sizeof ehlo - 1, &now, "EHLO", "after greeting", 12300);
	transcript_add_at(t, now, TRANSCRIPT_SENT, "NOOP", 4, NULL, false);
	add_replies(t, p, odd, sizeof odd - 1, &now, "NOOP", "after EHLO", 0);
	/* SMTPUTF8 in force: the 8-bit bytes were no violation and must not become one. */
	reply_parser_set_utf8(p, true);
	add_replies(t, p, utf8, sizeof utf8 - 1, &now, "MAIL", "in a \"transaction\"", 999999);
	/* Capped lines and a capped line count. */
	memset(longline, 'L', sizeof longline);
	memcpy(longline, "250-", 4);
	memcpy(longline + sizeof longline - 2, "\r\n", 2);
	for (i = 0; i < 5; i++)
		reply_parser_feed(ps, longline, sizeof longline);
	add_replies(t, ps, "250 end\r\n", 9, &now, NULL, NULL, -1);
	/* A reply cut off by the close, then one more that arrives after. */
	add_replies(t, ps, "421-going\r\n421-away", 19, &now, "RSET", NULL, 42);
	add_replies(t, ps, "221 bye\r\n", 9, &now, "QUIT", "closed", INT64_MAX);
	transcript_add_at(t, now, TRANSCRIPT_RECEIVED, "250 stray, not a reply", 22, NULL, false);
	transcript_add_at(t, now, TRANSCRIPT_ERROR, "connection reset by peer", 24, "reset",
	    false);

	assert_int_equal(transcript_reply_count(t), 9);
	back = round_trip(t, &text, &len);
	assert_same_transcript(t, back);

	/* Spot checks on the rebuilt replies, in case both sides agree on something wrong. */
	{
		const struct transcript_reply *r = transcript_reply(back, 1);

		assert_int_equal(r->reply->code, 250);
		assert_int_equal(r->reply->nlines, 4);
		assert_int_equal(r->latency_us, 12300);
		assert_string_equal(r->after, "EHLO");
		assert_string_equal(r->state, "after greeting");
		assert_int_equal(r->first_entry, 3);
		assert_int_equal(r->last_entry, 6);
		assert_int_equal(transcript_entry(back, 4)->reply, 1);
		assert_ptr_equal(r->reply->lines[1].raw, transcript_entry(back, 4)->text);
	}
	assert_true(transcript_reply(back, 2)->reply->violations & REPLY_V_BARE_LF);
	assert_int_equal(transcript_reply(back, 5)->reply->violations, 0);
	assert_string_equal(transcript_reply(back, 5)->reply->enhanced, "2.0.0");
	assert_int_equal(transcript_reply(back, 5)->latency_us, 999999);
	assert_int_equal(transcript_reply(back, 6)->reply->lines_total, 6);
	assert_int_equal(transcript_reply(back, 6)->reply->lines[0].full_len, 198);
	assert_int_equal(transcript_reply(back, 6)->latency_us, -1);
	assert_true(transcript_reply(back, 7)->reply->violations & REPLY_V_TRUNCATED);
	assert_int_equal(transcript_reply(back, 8)->reply->code, 221);
	assert_int_equal(transcript_reply(back, 8)->latency_us, INT64_C(999999999999999));
	assert_int_equal(transcript_entry(back, transcript_count(back) - 2)->reply,
	    TRANSCRIPT_NO_REPLY);
	assert_string_equal(transcript_entry(back, 0)->event, "connected");

	/* Readable: latency in milliseconds on the last line of each reply. */
	assert_non_null(strstr(text, "S: 220 mx.example.org ESMTP\t(+6.544 ms) after=\"greeting\""));
	assert_non_null(strstr(text, "S: 250 SMTPUTF8\t(+12.300 ms) after=\"EHLO\""));
	assert_non_null(strstr(text, "S: 250-PIPELINING\n"));
	assert_non_null(strstr(text, "(+999.999 ms)"));
	assert_non_null(strstr(text, "(+0.000 ms)"));
	assert_non_null(strstr(text, "(latency unknown)"));
	assert_non_null(strstr(text, "state=\"in a \\\"transaction\\\"\""));
	assert_non_null(strstr(text, "violations=none"));
	free(text);

	/* Saving what was loaded gives the same file. */
	{
		char *text2, *again;
		size_t len1, len2;
		struct transcript *third = round_trip(back, &text2, &len2);

		transcript_free(round_trip(t, &again, &len1));
		assert_int_equal(len1, len2);
		assert_memory_equal(again, text2, len1);
		assert_same_transcript(back, third);
		free(text2);
		free(again);
		transcript_free(third);
	}
	transcript_free(back);
	transcript_free(t);
	reply_parser_free(p);
	reply_parser_free(ps);
}

static struct transcript *
load_text(const char *text, char **err)
{
	*err = NULL;
	return transcript_load_buffer(text, strlen(text), "x.txt", err);
}

static void
test_hand_written_file_without_annotations_loads(void **state)
{
	static const char text[] =
	    "# smtpscope transcript 1\r\n"
	    "# a comment\n"
	    "\n"
	    "2026-11-26T19:40:01.000000Z S: 220 hi\n"
	    "2026-11-26T19:40:02.000000Z C: EHLO me\n"
	    "2026-11-26T19:40:02.100000Z S: 250-hello\n"
	    "2026-11-26T19:40:02.100000Z * an event in the middle\n"
	    "2026-11-26T19:40:02.100000Z S: 250 SIZE\n"
	    "2026-11-26T19:40:03.000000Z C: QUIT\n"
	    "2026-11-26T19:40:03.000000Z S: 221-bye";
	char *err;
	struct transcript *t = load_text(text, &err);
	const struct transcript_reply *r;

	(void)state;
	if (t == NULL)
		fail_msg("%s", err);
	assert_int_equal(transcript_count(t), 7);
	assert_int_equal(transcript_reply_count(t), 3);
	r = transcript_reply(t, 1);
	assert_int_equal(r->reply->code, 250);
	assert_int_equal(r->reply->nlines, 2);
	assert_int_equal(r->first_entry, 2);
	assert_int_equal(r->last_entry, 4);
	assert_int_equal(r->latency_us, -1);
	assert_null(r->after);
	assert_int_equal(transcript_entry(t, 3)->reply, TRANSCRIPT_NO_REPLY);
	assert_int_equal(transcript_entry(t, 3)->kind, TRANSCRIPT_EVENT);
	/* The file ends inside a reply: kept as a cut-off reply. */
	assert_true(transcript_reply(t, 2)->reply->violations & REPLY_V_TRUNCATED);
	transcript_free(t);
}

static void
expect_error(const char *text, const char *where, const char *what)
{
	char *err;
	struct transcript *t = load_text(text, &err);

	assert_null(t);
	assert_non_null(err);
	if (strncmp(err, where, strlen(where)) != 0 || strstr(err, what) == NULL)
		fail_msg("expected \"%s ... %s\", got \"%s\"", where, what, err);
	free(err);
}

#define HDR "# smtpscope transcript 1\n"
#define L1 "2026-11-26T19:40:01.000000Z S: 220 hi\n"

/* Written to memory with transcript_write; caller frees. */
static char *
write_text(const struct transcript *t)
{
	char *buf = NULL, *err = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(transcript_write(t, fp, &err), 0);
	fclose(fp);
	return buf;
}

/* A file may say "violations=none" of lines that break the rules (a bad code, a bare CR): what
 * it says is kept, and saved so that it loads back the same, save after save (a finding of the
 * transcript fuzz target). */
static void
test_violations_none_said_of_bad_lines_survives_saving(void **state)
{
	static const char text[] =
	    "# smtpscope transcript 1\n"
	    "2026-11-26T19:40:01.000000Z S: 250250-\\r\t(latency unknown) lines=7 "
	    "violations=none\n";
	struct transcript *t, *again;
	char *err, *first, *second;

	(void)state;
	t = load_text(text, &err);
	assert_non_null(t);
	assert_int_equal(transcript_reply(t, 0)->reply->violations, 0);
	first = write_text(t);
	assert_non_null(strstr(first, "violations=none"));
	again = load_text(first, &err);
	assert_non_null(again);
	assert_int_equal(transcript_reply(again, 0)->reply->violations, 0);
	second = write_text(again);
	assert_string_equal(first, second);
	free(first);
	free(second);
	transcript_free(t);
	transcript_free(again);
}

static void
test_malformed_files_give_error_with_line_number(void **state)
{
	(void)state;
	expect_error("", "x.txt:1:", "empty file");
	expect_error("hello\n", "x.txt:1:", "not a smtpscope transcript");
	expect_error(HDR L1 "2026-13-26T19:40:01.000000Z C: x\n", "x.txt:3:", "time stamp");
	expect_error(HDR L1 "2026-02-30T19:40:01.000000Z C: x\n", "x.txt:3:", "time stamp");
	expect_error(HDR L1 "2026-11-26 19:40:01 C: x\n", "x.txt:3:", "time stamp");
	expect_error(HDR "2026-11-26T19:40:01.000000Z X: what\n", "x.txt:2:", "unknown mark");
	expect_error(HDR "2026-11-26T19:40:01.000000Z\n", "x.txt:2:", "mark");
	expect_error(HDR L1 L1 "2026-11-26T19:40:01.000000Z C: bad \\q escape\n", "x.txt:4:",
	    "unknown escape");
	expect_error(HDR "2026-11-26T19:40:01.000000Z C: \\x4\n", "x.txt:2:", "two hex digits");
	expect_error(HDR "2026-11-26T19:40:01.000000Z C: ends in \\\n", "x.txt:2:", "backslash");
	expect_error(HDR "2026-11-26T19:40:01.000000Z C: raw \x1b escape\n", "x.txt:2:",
	    "control character");
	expect_error(HDR "2026-11-26T19:40:01.000000Z C: x\tbogus\n", "x.txt:2:",
	    "unknown annotation");
	expect_error(HDR "2026-11-26T19:40:01.000000Z S: 250 x\t(+1.5 ms)\n", "x.txt:2:",
	    "bad latency");
	expect_error(HDR "2026-11-26T19:40:01.000000Z S: 250 x\t(+1.500 ms\n", "x.txt:2:",
	    "unclosed");
	expect_error(HDR "2026-11-26T19:40:01.000000Z S: 250 x\tafter=\"EHLO\n", "x.txt:2:",
	    "unterminated");
	expect_error(HDR "2026-11-26T19:40:01.000000Z S: 250 x\tlines=many\n", "x.txt:2:",
	    "bad value");
	expect_error(HDR "2026-11-26T19:40:01.000000Z S: 250 x\tviolations=nope\n", "x.txt:2:",
	    "bad value");
	expect_error(HDR "2026-11-26T19:40:01.000000Z C: x\t(+1.000 ms)\n", "x.txt:2:", "not S:");
	expect_error(HDR "2026-11-26T19:40:01.000000Z S: 250-a\tafter=\"EHLO\"\n", "x.txt:2:",
	    "does not end a reply");
	/* A saved line that would re-parse as two lines. */
	expect_error(HDR L1 "2026-11-26T19:40:01.000000Z S: 250-a\\r\\n250 b\t(+1.000 ms)\n",
	    "x.txt:3:", "do not form one reply");
	expect_error(HDR "2026-11-26T19:40:01.000000Z S: 250 abc\tfull=2 (+1.000 ms)\n",
	    "x.txt:2:", "full=");
}

static void
test_load_of_missing_file_says_why(void **state)
{
	struct transcript *t;
	char *err = NULL;

	(void)state;
	assert_null(transcript_load("/nonexistent/dir/t.txt", &err));
	assert_non_null(strstr(err, "/nonexistent/dir/t.txt"));
	free(err);
	err = NULL;
	t = transcript_new();
	assert_int_equal(transcript_save(t, "/nonexistent/dir/t.txt", &err), -1);
	assert_non_null(strstr(err, "/nonexistent/dir/t.txt"));
	free(err);
	transcript_free(t);
	transcript_free(NULL);
}

static void
test_reply_pointer_stays_valid_after_adding(void **state)
{
	struct transcript *t = transcript_new();
	struct reply_parser *p = reply_parser_new(NULL);
	struct reply *r;
	size_t idx;

	(void)state;
	reply_parser_feed(p, "250-one\r\n250 two\r\n", 18);
	r = reply_parser_next(p);
	assert_non_null(r);
	idx = transcript_add_reply(t, r, "EHLO", NULL, 5);
	/* The caller may go on reading the reply it handed over. */
	assert_ptr_equal(transcript_reply(t, idx)->reply, r);
	assert_int_equal(r->nlines, 2);
	assert_string_equal(r->lines[1].raw, "250 two");
	assert_string_equal(reply_line_text(r, 0), "one");
	assert_ptr_equal(r->lines[0].raw, transcript_entry(t, 0)->text);
	assert_true(transcript_entry(t, 0)->time_us > INT64_C(1700000000000000));
	transcript_free(t);
	reply_parser_free(p);
}

static void
test_memory_stays_within_twice_the_saved_size(void **state)
{
	struct transcript *t = transcript_new();
	struct reply_parser *p = reply_parser_new(NULL);
	char *path = temp_path(), *err = NULL, line[64];
	int64_t now = T0;
	size_t i, saved, mem;
	FILE *fp;

	(void)state;
	for (i = 0; i < 100000; i++) {
		int n = snprintf(line, sizeof line, "RCPT TO:<user%zu@example.org>", i);

		transcript_add_at(t, now, TRANSCRIPT_SENT, line, (size_t)n, NULL, false);
		n = snprintf(line, sizeof line, "250 2.1.5 <user%zu@example.org> ok\r\n", i);
		add_replies(t, p, line, (size_t)n, &now, "RCPT", "in transaction", 812);
	}
	assert_int_equal(transcript_save(t, path, &err), 0);
	fp = fopen(path, "rb");
	fseek(fp, 0, SEEK_END);
	saved = (size_t)ftell(fp);
	fclose(fp);
	mem = transcript_memory(t);
	if (mem > 2 * saved)
		fail_msg("%zu bytes in memory for a %zu-byte file", mem, saved);
	unlink(path);
	free(path);
	transcript_free(t);
	reply_parser_free(p);
}

/* The line parser the loader and capture's reader share, on single lines. */
static void
test_line_parser_on_its_own(void **state)
{
	struct transcript_line l = { 0 };
	char *err = NULL;
	const char *s;

	(void)state;
	assert_true(transcript_is_magic("# smtpscope transcript 1\r", 25));
	assert_false(transcript_is_magic("# smtpscope transcript 2", 24));
	s = "2026-11-26T19:40:01.130000Z S: 250 a\\tb\\x20\t(+6.544 ms) after=\"EHLO\" "
	    "state=\"after EHLO\" lines=3\r";
	assert_int_equal(transcript_line_parse(s, strlen(s), &l, &err), 1);
	assert_int_equal(l.kind, TRANSCRIPT_RECEIVED);
	assert_int_equal(l.len, 8);
	assert_memory_equal(l.text, "250 a\tb ", 8);
	assert_true(l.reply_end);
	assert_int_equal(l.latency_us, 6544);
	assert_string_equal(l.after, "EHLO");
	assert_string_equal(l.state, "after EHLO");
	assert_true(l.has_lines);
	assert_int_equal(l.lines, 3);
	/* the next line forgets the annotations of the last */
	s = "2026-11-26T19:40:02.000000Z C: AUTH PLAIN ********\tmasked";
	assert_int_equal(transcript_line_parse(s, strlen(s), &l, &err), 1);
	assert_int_equal(l.kind, TRANSCRIPT_SENT);
	assert_true(l.masked);
	assert_null(l.after);
	assert_int_equal(l.latency_us, -1);
	assert_int_equal(transcript_line_parse("# x", 3, &l, &err), 0);
	assert_int_equal(transcript_line_parse("", 0, &l, &err), 0);
	s = "2026-11-26T19:40:02.000000Z C: x\tafter=\"EHLO\"";
	assert_int_equal(transcript_line_parse(s, strlen(s), &l, &err), -1);
	assert_non_null(strstr(err, "not S:"));
	free(err);
	err = NULL;
	s = "2026-11-26T19:40:02.000000Z C: \\q";
	assert_int_equal(transcript_line_parse(s, strlen(s), &l, NULL), -1);
	transcript_line_release(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_bytes_round_trip_and_file_is_safe_to_cat),
		cmocka_unit_test(test_secret_flag_is_kept_and_marked),
		cmocka_unit_test(test_replies_are_rebuilt_with_latency_after_and_state),
		cmocka_unit_test(test_hand_written_file_without_annotations_loads),
		cmocka_unit_test(test_malformed_files_give_error_with_line_number),
		cmocka_unit_test(test_load_of_missing_file_says_why),
		cmocka_unit_test(test_reply_pointer_stays_valid_after_adding),
		cmocka_unit_test(test_memory_stays_within_twice_the_saved_size),
		cmocka_unit_test(test_violations_none_said_of_bad_lines_survives_saving),
		cmocka_unit_test(test_line_parser_on_its_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
