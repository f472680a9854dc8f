/* test_capture.c: the capture readers: format detection, which command each reply answered,
 * lines across read buffers, caps, masked AUTH payloads, and a capture loaded as a transcript
 * for replay. */
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

#include "core/record/capture.h"
#include "core/proto/reply.h"
#include "core/record/transcript.h"
#include "core/util/xmalloc.h"

/* Reads every item of text; returns the replies' "CODE after" in one string ("220 greeting;
 * 250 EHLO; ..."), and the format detected in *format. */
static char *
replies_of(const char *text, const struct capture_options *opts, enum capture_format *format)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	struct capture_reader *r = capture_reader_new(in, opts);
	struct capture_item item;
	char *err = NULL, *out = xstrdup("");
	int rc;

	while ((rc = capture_reader_next(r, &item, &err)) > 0) {
		if (item.kind == CAPTURE_REPLY) {
			char *more = xasprintf("%s%s%d %s", out, *out ? "; " : "", item.reply->code,
			    item.after != NULL ? item.after : "-");

			free(out);
			out = more;
		}
	}
	assert_int_equal(rc, 0);
	if (format != NULL)
		*format = capture_reader_format(r);
	capture_reader_free(r);
	fclose(in);
	return out;
}

static void
check_replies(const char *text, enum capture_format want_format, const char *want)
{
	enum capture_format format;
	char *got = replies_of(text, NULL, &format);

	if (strcmp(got, want) != 0)
		print_error("got:  %s\nwant: %s\n", got, want);
	assert_string_equal(got, want);
	assert_int_equal(format, want_format);
	free(got);
}

static void
test_swaks_replies_pair_with_commands(void **state)
{
	(void)state;
	check_replies("=== Trying 127.0.0.1:25...\n"
	    "<-  220 mx ESMTP\n"
	    " -> EHLO me\n"
	    "<-  250-mx\n"
	    "<-  250 STARTTLS\n"
	    " -> STARTTLS\n"
	    "<-  220 go ahead\n"
	    "=== TLS started with cipher TLSv1.3\n"
	    " ~> EHLO me\n"
	    "<~  250 mx\n"
	    " ~> MAIL FROM:<a@b>\n"
	    "<~  250 ok\n"
	    " ~> RCPT TO:<c@d>\n"
	    "<~* 550 5.1.1 no\n"
	    " ~> QUIT\n"
	    "<~  221 bye\n",
	    CAPTURE_FORMAT_SWAKS,
	    "220 greeting; 250 EHLO; 220 STARTTLS; 250 EHLO; 250 MAIL; 550 RCPT; 221 QUIT");
}

static void
test_data_body_and_final_dot(void **state)
{
	(void)state;
	check_replies("S: 220 x\nC: DATA\nS: 354 go\nC: RCPT TO:<looks like a command>\nC: .\n"
	    "S: 250 queued\nC: QUIT\nS: 221 bye\n", CAPTURE_FORMAT_CS,
	    "220 greeting; 354 DATA; 250 DATA-END; 221 QUIT");
}

/* The session tracker follows the capture: a QUIT pipelined after the final dot is a command,
 * and a 334 makes the next line an answer, masked, that a 235 then answers. */
static void
test_session_tracker_follows_capture(void **state)
{
	(void)state;
	check_replies("S: 220 x\nC: EHLO a\nS: 250 x\nC: MAIL FROM:<a@b>\nS: 250 ok\n"
	    "C: RCPT TO:<c@d>\nS: 250 ok\nC: DATA\nS: 354 go\nC: hi\nC: .\nC: QUIT\n"
	    "S: 250 queued\nS: 221 bye\n", CAPTURE_FORMAT_CS,
	    "220 greeting; 250 EHLO; 250 MAIL; 250 RCPT; 354 DATA; 250 DATA-END; 221 QUIT");
	check_replies("S: 250 no banner here\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: QUIT\n"
	    "S: 235 ok\n", CAPTURE_FORMAT_CS, "250 greeting; 334 AUTH; 235 AUTH");
}

static void
test_rejected_data_has_no_body(void **state)
{
	(void)state;
	check_replies("S: 220 x\nC: DATA\nS: 554 no valid recipients\nC: QUIT\nS: 221 bye\n",
	    CAPTURE_FORMAT_CS, "220 greeting; 554 DATA; 221 QUIT");
}

static void
test_auth_continuations_answer_auth(void **state)
{
	(void)state;
	check_replies("220 x\nAUTH LOGIN\n334 VXNlcm5hbWU6\nYWxpY2U=\n334 UGFzc3dvcmQ6\nczNjcmV0\n"
	    "235 ok\nQUIT\n221 bye\n", CAPTURE_FORMAT_RAW,
	    "220 greeting; 334 AUTH; 334 AUTH; 235 AUTH; 221 QUIT");
}

static void
test_pipelined_replies_in_order(void **state)
{
	(void)state;
	check_replies("C: MAIL FROM:<a@b>\nC: RCPT TO:<c@d>\nC: DATA\nS: 250 a\nS: 550 b\n"
	    "S: 554 c\n", CAPTURE_FORMAT_CS, "250 MAIL; 550 RCPT; 554 DATA");
}

static void
test_open_multiline_reply_ends_at_client_line(void **state)
{
	(void)state;
	check_replies("S: 220 x\nC: EHLO me\nS: 250-mx\nS: 250-PIPELINING\nC: QUIT\nS: 221 bye\n",
	    CAPTURE_FORMAT_CS, "220 greeting; 250 EHLO; 221 QUIT");
}

static void
test_mail_log_contexts(void **state)
{
	(void)state;
	check_replies("Nov 26 10:00:01 mx postfix/smtp[1]: A: to=<a@b>, dsn=5.1.1, status=bounced "
	    "(host x[1.2.3.4] said: 550 5.1.1 no such user (in reply to RCPT TO command))\n"
	    "Nov 26 10:00:02 mx postfix/smtp[1]: B: host x[1.2.3.4] said: 552 5.3.4 too big "
	    "(in reply to end of DATA command)\n"
	    "Nov 26 10:00:03 mx postfix/smtp[1]: C: host x[1.2.3.4] said: 550-5.7.1 first "
	    "550 5.7.1 second (in reply to MAIL FROM command)\n"
	    "Nov 26 10:00:04 mx postfix/smtpd[2]: NOQUEUE: reject: RCPT from x[1.2.3.4]: 554 5.7.1 "
	    "<c@d>: Relay access denied; from=<a@b> to=<c@d> proto=ESMTP helo=<h>\n",
	    CAPTURE_FORMAT_MAILLOG, "550 RCPT; 552 DATA-END; 550 MAIL; 554 RCPT");
}

static void
test_openssl_noise_is_skipped(void **state)
{
	enum capture_format format;
	char *got;

	(void)state;
	got = replies_of("depth=0 CN = localhost\nverify return:1\nCONNECTED(00000003)\n---\n"
	    "Certificate chain\n 0 s:CN = localhost\n---\nServer certificate\n"
	    "-----BEGIN CERTIFICATE-----\nMIIDCTCCAfGgAwIBAgIUZv96n1lZ\n-----END CERTIFICATE-----\n"
	    "subject=CN = localhost\n---\nSSL handshake has read 1510 bytes\n---\n"
	    "EHLO me\n250-mx\n250 HELP\n---\nPost-Handshake New Session Ticket arrived:\n"
	    "SSL-Session:\n    Protocol  : TLSv1.3\n---\nread R BLOCK\nQUIT\n221 bye\n",
	    NULL, &format);
	assert_string_equal(got, "250 EHLO; 221 QUIT");
	assert_int_equal(format, CAPTURE_FORMAT_RAW);
	free(got);
}

static void
test_lines_across_read_buffers(void **state)
{
	/* Lines of many lengths, so line ends fall at every offset of the 64 KiB reads. */
	size_t cap = 4 * 1024 * 1024, len = 0, expected = 0, i;
	char *text = xmalloc(cap), *got;
	const char *p;
	size_t n = 0;

	(void)state;
	for (i = 0; len + 400 < cap; i++) {
		size_t pad = i % 97;

		len += (size_t)sprintf(text + len, "C: NOOP %.*s\r\nS: 250 %.*s\n", (int)pad,
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxx", (int)(96 - pad),
		    "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
		    "yyyyyyyyyyyyyyyyyyyyyyyyy");
		expected++;
	}
	got = replies_of(text, NULL, NULL);
	for (p = got; (p = strstr(p, "250 NOOP")) != NULL; p++)
		n++;
	assert_int_equal(n, expected);
	assert_null(strstr(got, "250 -"));
	free(got);
	free(text);
}

static void
test_long_line_is_cut_and_measured(void **state)
{
	struct capture_options opts = { .format = CAPTURE_FORMAT_CS, .line_cap = 100 };
	size_t big = 300000;
	char *text = xmalloc(big + 64), *err = NULL;
	FILE *in;
	struct capture_reader *r;
	struct capture_item item;
	bool seen = false;

	(void)state;
	memcpy(text, "S: 250 ", 7);
	memset(text + 7, 'a', big);
	strcpy(text + 7 + big, "\r\nC: QUIT\n");
	in = fmemopen(text, strlen(text), "r");
	r = capture_reader_new(in, &opts);
	while (capture_reader_next(r, &item, &err) > 0) {
		if (item.kind == CAPTURE_SERVER) {
			assert_true(item.truncated);
			assert_true(item.len <= 100);
			assert_int_equal(item.full_len, big + 4);  /* "250 " and the a's, no CR */
			seen = true;
		}
		if (item.kind == CAPTURE_CLIENT)
			assert_memory_equal(item.text, "QUIT", 4);
	}
	assert_true(seen);
	capture_reader_free(r);
	fclose(in);
	free(text);
}

static void
test_auth_payloads_masked(void **state)
{
	const char *text = "C: AUTH PLAIN AGFsaWNlAHMzY3JldA==\nS: 235 ok\n";
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	struct capture_reader *r = capture_reader_new(in, NULL);
	struct capture_item item;
	char *err = NULL;

	(void)state;
	while (capture_reader_next(r, &item, &err) > 0)
		if (item.kind == CAPTURE_CLIENT) {
			assert_true(item.secret);
			assert_null(memmem(item.text, item.len, "AGFsaWNl", 8));
			assert_memory_equal(item.text, "AUTH PLAIN ", 11);
		}
	capture_reader_free(r);
	fclose(in);
}

/* smtpscope's own files are read with the transcript module's line parser: the command each
 * reply answered and its latency come from the annotations, escapes are undone, a masked line
 * stays masked, and a line the loader would refuse is passed on as it is. */
static void
test_smtpscope_transcript_lines(void **state)
{
	const char *text = "# smtpscope transcript 1\n"
	    "# a comment\n"
	    "2026-11-26T19:40:01.000000Z S: 220 mx\t(+6.544 ms) after=\"greeting\"\n"
	    "2026-11-26T19:40:02.000000Z C: EHLO a\\x01b\n"
	    "2026-11-26T19:40:02.012300Z S: 250 x\t(+12.300 ms) after=\"XYZZY\"\n"
	    "2026-11-26T19:40:03.000000Z C: AUTH PLAIN ********\tmasked\n"
	    "2026-11-26T19:40:03.100000Z E reset\tevent=\"conn-reset\"\n"
	    "2026-11-26T19:40:03 not a line\n";
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	struct capture_options opts = { .format = CAPTURE_FORMAT_SMTPSCOPE };
	struct capture_reader *r = capture_reader_new(in, &opts);
	struct capture_item item;
	char *err = NULL;
	int replies = 0, others = 0;

	(void)state;
	while (capture_reader_next(r, &item, &err) > 0) {
		switch (item.kind) {
		case CAPTURE_REPLY:
			if (replies++ == 0) {
				assert_string_equal(item.after, "greeting");
				assert_int_equal(item.latency_us, 6544);
				assert_int_equal(item.time_us, INT64_C(1795722001000000));
			} else {
				assert_string_equal(item.after, "XYZZY");
			}
			break;
		case CAPTURE_CLIENT:
			if (item.secret)
				assert_memory_equal(item.text, "AUTH PLAIN ********", 19);
			else
				assert_memory_equal(item.text, "EHLO a\x01" "b", 8);
			break;
		case CAPTURE_ERROR:
			assert_string_equal(item.event, "conn-reset");
			break;
		case CAPTURE_OTHER:
			others++;
			assert_int_equal(item.time_us, -1);
			break;
		default:
			break;
		}
	}
	assert_int_equal(replies, 2);
	assert_int_equal(others, 1);
	assert_int_equal(capture_reader_skipped(r), 2);
	capture_reader_free(r);
	fclose(in);
}

static void
test_capture_load_transcript_for_replay(void **state)
{
	const char *text = "=== Connected to 127.0.0.1.\n<-  220 mx\n -> EHLO me\n<-  250-mx\n"
	    "<-  250 PIPELINING\n -> AUTH PLAIN AGFsaWNlAHMzY3JldA==\n<-  235 ok\n"
	    " -> RCPT TO:<c@d>\n<** 550 5.1.1 no\n";
	char path[] = "/tmp/test_capture.XXXXXX", *err = NULL;
	int fd = mkstemp(path);
	struct transcript *t;
	const struct transcript_entry *e;
	size_t i, secrets = 0;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	t = capture_load_transcript(path, NULL, &err);
	unlink(path);
	assert_non_null(t);
	assert_int_equal(transcript_reply_count(t), 4);
	assert_string_equal(transcript_reply(t, 0)->after, "greeting");
	assert_string_equal(transcript_reply(t, 1)->after, "EHLO");
	assert_int_equal(transcript_reply(t, 1)->reply->nlines, 2);
	assert_string_equal(transcript_reply(t, 2)->after, "AUTH");
	assert_string_equal(transcript_reply(t, 3)->after, "RCPT");
	for (i = 0; i < transcript_count(t); i++) {
		e = transcript_entry(t, i);
		assert_null(memmem(e->text, e->len, "AGFsaWNl", 8));
		secrets += e->secret;
	}
	assert_int_equal(secrets, 1);
	assert_string_equal(transcript_reply(t, 3)->reply->enhanced, "5.1.1");
	transcript_free(t);
	assert_null(capture_load_transcript("/nonexistent/capture", NULL, &err));
	assert_non_null(err);
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swaks_replies_pair_with_commands),
		cmocka_unit_test(test_smtpscope_transcript_lines),
		cmocka_unit_test(test_data_body_and_final_dot),
		cmocka_unit_test(test_session_tracker_follows_capture),
		cmocka_unit_test(test_rejected_data_has_no_body),
		cmocka_unit_test(test_auth_continuations_answer_auth),
		cmocka_unit_test(test_pipelined_replies_in_order),
		cmocka_unit_test(test_open_multiline_reply_ends_at_client_line),
		cmocka_unit_test(test_mail_log_contexts),
		cmocka_unit_test(test_openssl_noise_is_skipped),
		cmocka_unit_test(test_lines_across_read_buffers),
		cmocka_unit_test(test_long_line_is_cut_and_measured),
		cmocka_unit_test(test_auth_payloads_masked),
		cmocka_unit_test(test_capture_load_transcript_for_replay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
