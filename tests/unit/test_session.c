/* test_session.c: the client state machine: states, EHLO capability parsing, which command each
 * reply answers (pipelining, 334), STARTTLS forgetting capabilities, and guidance. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/proto/sasl.h"
#include "core/proto/session.h"
#include "core/proto/smtp_command.h"

/* A reply built by hand from its lines ("250-x", "250 y"), as the parser would give it. */
struct fake_reply {
	struct reply reply;
	struct reply_line lines[16];
};

/* Feeds a reply and returns the command it was paired with. */
static const char *
answer(struct session *s, struct session_outcome *o, struct fake_reply *f, const char *first,
    ...)
{
	va_list ap;
	const char *line;
	size_t n = 0;

	memset(f, 0, sizeof *f);
	va_start(ap, first);
	for (line = first; line != NULL && n < 16; line = va_arg(ap, const char *)) {
		f->lines[n].raw = (char *)line;
		f->lines[n].len = f->lines[n].full_len = strlen(line);
		n++;
	}
	va_end(ap);
	f->reply.code = atoi(first);
	f->reply.lines = f->lines;
	f->reply.nlines = f->reply.lines_total = n;
	session_reply(s, &f->reply, 0, o);
	return session_outcome_key(o);
}

static struct session *
greeted(void)
{
	struct session *s = session_new();
	struct session_outcome o;
	struct fake_reply f;

	session_connected(s, 1);
	assert_string_equal(answer(s, &o, &f, "220 mx.example ESMTP", NULL), "greeting");
	session_sent(s, "EHLO client.example", 2);
	assert_string_equal(answer(s, &o, &f, "250-mx.example hello", "250-SIZE 1000",
	    "250-PIPELINING", "250-AUTH PLAIN LOGIN", "250-auth=CRAM-MD5", "250-8BITMIME",
	    "250-STARTTLS", "250 CHUNKING", NULL), "EHLO");
	return s;
}

static void
test_states_follow_accepted_commands(void **state)
{
	struct session *s = session_new();
	struct session_outcome o;
	struct fake_reply f;

	(void)state;
	assert_string_equal(session_state_name(s), "no connection");
	session_connected(s, 1);
	assert_int_equal(session_state(s), SESSION_GREETING);
	answer(s, &o, &f, "220 hi", NULL);
	session_sent(s, "HELO me", 2);
	answer(s, &o, &f, "250 hello", NULL);
	assert_string_equal(session_state_name(s), "after HELO");
	assert_false(session_capabilities_known(s));
	session_sent(s, "MAIL FROM:<a@b>", 3);
	answer(s, &o, &f, "250 ok", NULL);
	assert_int_equal(session_state(s), SESSION_TRANSACTION);
	session_sent(s, "RCPT TO:<c@d>", 4);
	answer(s, &o, &f, "550 no such user", NULL);
	assert_int_equal(session_state(s), SESSION_TRANSACTION);
	session_sent(s, "RCPT TO:<e@d>", 5);
	answer(s, &o, &f, "250 ok", NULL);
	assert_int_equal(session_state(s), SESSION_RECIPIENTS);
	assert_int_equal(session_accepted_recipients(s), 1);
	session_sent(s, "DATA", 6);
	assert_string_equal(answer(s, &o, &f, "354 go ahead", NULL), "DATA");
	assert_true(o.data_go);
	assert_string_equal(session_state_name(s), "in DATA");
	session_sent_data_end(s, 7);
	assert_string_equal(answer(s, &o, &f, "250 queued", NULL), "DATA-END");
	assert_int_equal(session_state(s), SESSION_READY);
	session_sent(s, "QUIT", 8);
	answer(s, &o, &f, "221 bye", NULL);
	assert_true(o.closing);
	session_closed(s);
	assert_string_equal(session_state_name(s), "closed");
	session_free(s);
}

static void
test_ehlo_capabilities_parsed(void **state)
{
	struct session *s = greeted();
	const char *const *mechs;
	const char *const *keys;
	size_t n;

	(void)state;
	assert_string_equal(session_state_name(s), "after EHLO");
	assert_int_equal(session_size_limit(s), 1000);
	assert_true(session_has(s, "PIPELINING"));
	assert_true(session_has(s, "STARTTLS"));
	assert_true(session_has(s, "CHUNKING"));
	assert_false(session_has(s, "SMTPUTF8"));
	n = session_auth_mechanisms(s, &mechs);
	assert_int_equal(n, 3);
	assert_string_equal(mechs[0], "PLAIN");
	assert_string_equal(mechs[1], "LOGIN");
	assert_string_equal(mechs[2], "CRAM-MD5");
	n = session_capabilities(s, &keys);
	assert_int_equal(n, 6); /* SIZE PIPELINING AUTH 8BITMIME STARTTLS CHUNKING */
	assert_string_equal(session_capability_params(s, "AUTH"), "PLAIN LOGIN");
	session_free(s);
}

static void
test_size_without_limit_and_absent(void **state)
{
	struct session *s = session_new();
	struct session_outcome o;
	struct fake_reply f;

	(void)state;
	session_connected(s, 0);
	answer(s, &o, &f, "220 hi", NULL);
	session_sent(s, "EHLO me", 0);
	answer(s, &o, &f, "250 only a name", NULL);
	assert_true(session_capabilities_known(s));
	assert_int_equal(session_size_limit(s), -1);
	session_sent(s, "EHLO me", 0);
	answer(s, &o, &f, "250-name", "250 SIZE", NULL);
	assert_int_equal(session_size_limit(s), 0);
	session_free(s);
}

static void
test_pipelined_replies_pair_in_order(void **state)
{
	struct session *s = greeted();
	struct session_outcome o;
	struct fake_reply f;

	(void)state;
	session_sent(s, "MAIL FROM:<a@b>", 10);
	session_sent(s, "RCPT TO:<x@y>", 11);
	session_sent(s, "RCPT TO:<z@y>", 12);
	session_sent(s, "DATA", 13);
	assert_int_equal(session_pending(s), 4);
	assert_string_equal(answer(s, &o, &f, "250 ok", NULL), "MAIL");
	assert_int_equal(o.sent_us, 10);
	assert_string_equal(answer(s, &o, &f, "550 no", NULL), "RCPT");
	assert_string_equal(answer(s, &o, &f, "250 ok", NULL), "RCPT");
	assert_int_equal(o.sent_us, 12);
	assert_string_equal(answer(s, &o, &f, "354 go", NULL), "DATA");
	assert_int_equal(session_accepted_recipients(s), 1);
	assert_int_equal(session_pending(s), 0);
	assert_string_equal(answer(s, &o, &f, "250 extra", NULL), "unsolicited");
	assert_true(o.unsolicited);
	session_free(s);
}

static void
test_auth_challenge_keeps_auth_and_learns_user(void **state)
{
	struct session *s = greeted();
	struct session_outcome o;
	struct fake_reply f;
	char *user = sasl_b64_encode("alice", 5);

	(void)state;
	session_sent(s, "AUTH LOGIN", 1);
	assert_string_equal(answer(s, &o, &f, "334 VXNlcm5hbWU6", NULL), "AUTH");
	assert_true(o.auth_challenge);
	assert_true(session_auth_continuing(s));
	session_sent(s, user, 2);
	assert_false(session_auth_continuing(s));
	assert_string_equal(answer(s, &o, &f, "334 UGFzc3dvcmQ6", NULL), "AUTH");
	session_sent(s, "c2VjcmV0", 3);
	assert_int_equal(session_pending(s), 1);
	assert_string_equal(answer(s, &o, &f, "235 2.7.0 ok", NULL), "AUTH");
	assert_true(o.authenticated);
	assert_string_equal(session_user(s), "alice");
	free(user);
	session_free(s);
}

static void
test_auth_plain_initial_response_names_user(void **state)
{
	struct session *s = greeted();
	struct session_outcome o;
	struct fake_reply f;
	char *payload = sasl_plain_response(NULL, "bob", "pw");
	char line[128];

	(void)state;
	snprintf(line, sizeof line, "AUTH PLAIN %s", payload);
	session_sent(s, line, 1);
	answer(s, &o, &f, "535 5.7.8 bad", NULL);
	assert_null(session_user(s));
	session_sent(s, line, 1);
	answer(s, &o, &f, "235 ok", NULL);
	assert_string_equal(session_user(s), "bob");
	free(payload);
	session_free(s);
}

static void
test_starttls_forgets_capabilities(void **state)
{
	struct session *s = greeted();
	struct session_outcome o;
	struct fake_reply f;

	(void)state;
	session_sent(s, "STARTTLS", 1);
	assert_string_equal(answer(s, &o, &f, "220 ready", NULL), "STARTTLS");
	assert_true(o.starttls_go);
	session_tls_started(s);
	assert_true(session_tls(s));
	assert_false(session_capabilities_known(s));
	assert_false(session_has(s, "PIPELINING"));
	assert_int_equal(session_size_limit(s), -1);
	assert_int_equal(session_state(s), SESSION_GREETING);
	session_free(s);
}

/* The event key session_check gives for one line, or "none". */
static const char *
check1(const struct session *s, const char *line, long long size)
{
	static char key[64];
	const char *event;
	char *text = NULL;

	if (!session_check(s, &line, 1, size, &event, &text))
		return "none";
	assert_non_null(text);
	assert_true(strlen(text) > 10);
	snprintf(key, sizeof key, "%s", event);
	free(text);
	return key;
}

static void
test_guidance_out_of_sequence(void **state)
{
	struct session *s = session_new();
	struct session_outcome o;
	struct fake_reply f;

	(void)state;
	session_connected(s, 0);
	assert_string_equal(check1(s, "EHLO me", -1), "early-talker");
	answer(s, &o, &f, "220 hi", NULL);
	assert_string_equal(check1(s, "MAIL FROM:<a@b>", -1), "mail-before-ehlo");
	assert_string_equal(check1(s, "RCPT TO:<a@b>", -1), "rcpt-before-mail");
	assert_string_equal(check1(s, "AUTH PLAIN", -1), "auth-before-ehlo");
	assert_string_equal(check1(s, "EHLO", -1), "ehlo-no-name");
	assert_string_equal(check1(s, "EHLO me", -1), "none");
	session_free(s);

	s = greeted();
	assert_string_equal(check1(s, "MAIL FROM:<a@b>", -1), "none");
	assert_string_equal(check1(s, "MAIL FROM: a@b", -1), "none");
	assert_string_equal(check1(s, "MAIL <a@b>", -1), "command-syntax");
	assert_string_equal(check1(s, "MAIL FROM:<a@b> SIZE=5000", -1), "message-too-large");
	assert_string_equal(check1(s, "DATA", -1), "data-without-rcpt");
	assert_string_equal(check1(s, "AUTH PLAIN", -1), "auth-plaintext");
	assert_string_equal(check1(s, "AUTH GSSAPI", -1), "auth-mechanism-not-offered");
	assert_string_equal(check1(s, "STARTTLS", -1), "none");
	session_sent(s, "MAIL FROM:<a@b>", 0);
	answer(s, &o, &f, "250 ok", NULL);
	assert_string_equal(check1(s, "MAIL FROM:<a@b>", -1), "mail-in-transaction");
	session_sent(s, "RCPT TO:<a@b>", 0);
	answer(s, &o, &f, "250 ok", NULL);
	assert_string_equal(check1(s, "DATA", -1), "none");
	assert_string_equal(check1(s, "DATA", 999), "none");
	assert_string_equal(check1(s, "DATA", 1001), "message-too-large");
	session_free(s);
}

static void
test_guidance_after_tls_and_without_extensions(void **state)
{
	struct session *s = greeted();
	struct session_outcome o;
	struct fake_reply f;

	(void)state;
	session_tls_started(s);
	assert_string_equal(check1(s, "STARTTLS", -1), "starttls-twice");
	session_sent(s, "EHLO me", 0);
	answer(s, &o, &f, "250-name", "250 8BITMIME", NULL);
	assert_string_equal(check1(s, "AUTH PLAIN", -1), "auth-not-advertised");
	session_free(s);

	s = session_new();
	session_connected(s, 0);
	answer(s, &o, &f, "220 hi", NULL);
	session_sent(s, "EHLO me", 0);
	answer(s, &o, &f, "250 name", NULL);
	assert_string_equal(check1(s, "STARTTLS", -1), "starttls-not-advertised");
	session_sent(s, "NOOP", 0);
	assert_string_equal(check1(s, "NOOP", -1), "pipelining-not-advertised");
	session_free(s);
}

static void
test_pipeline_group_checked_as_a_whole(void **state)
{
	struct session *s = greeted();
	const char *good[] = { "MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA" };
	const char *bad[] = { "RCPT TO:<c@d>", "DATA" };
	const char *event;
	char *text;

	(void)state;
	assert_false(session_check(s, good, 3, -1, &event, &text));
	assert_true(session_check(s, bad, 2, -1, &event, &text));
	assert_string_equal(event, "rcpt-before-mail");
	free(text);
	session_free(s);
}

static void
test_suggestions_follow_state(void **state)
{
	struct session *s = greeted();
	const char *out[8];
	size_t n, i;
	int seen_starttls = 0;

	(void)state;
	n = session_suggest(s, "me.example", out, 8);
	assert_true(n >= 2);
	for (i = 0; i < n; i++)
		if (strcmp(out[i], "STARTTLS") == 0)
			seen_starttls = 1;
	assert_true(seen_starttls);
	session_tls_started(s);
	n = session_suggest(s, "me.example", out, 8);
	assert_string_equal(out[0], "EHLO me.example");
	session_free(s);
}

static void
test_verb_extraction(void **state)
{
	char verb[16];

	(void)state;
	assert_int_equal(smtp_command_verb("  mail from:<a@b>", 17, verb, sizeof verb),
	    SMTP_VERB_MAIL);
	assert_string_equal(verb, "MAIL");
	smtp_command_verb("averyveryverylongword and more", 30, verb, sizeof verb);
	assert_int_equal(strlen(verb), 15);
}

/* Reply contexts are enums with stable keys; a command's key is its verb as sent. */
static void
test_reply_contexts_and_keys(void **state)
{
	struct session *s = session_new();
	struct session_outcome o;
	struct fake_reply f;

	(void)state;
	session_connected(s, 1);
	assert_string_equal(answer(s, &o, &f, "250 too early", NULL), "before-greeting");
	assert_int_equal(o.context, SESSION_CONTEXT_BEFORE_GREETING);
	assert_string_equal(answer(s, &o, &f, "220 hi", NULL), "greeting");
	assert_int_equal(o.context, SESSION_CONTEXT_GREETING);
	assert_int_equal(o.verb, SMTP_VERB_UNKNOWN);
	session_sent(s, "xyzzy now", 2);
	assert_string_equal(session_waiting_for(s), "XYZZY");
	assert_string_equal(answer(s, &o, &f, "500 what", NULL), "XYZZY");
	assert_int_equal(o.context, SESSION_CONTEXT_COMMAND);
	assert_int_equal(o.verb, SMTP_VERB_UNKNOWN);
	session_sent(s, "ehlo me", 3);
	answer(s, &o, &f, "250 ok", NULL);
	assert_int_equal(o.verb, SMTP_VERB_EHLO);
	session_sent_data_end(s, 4);
	assert_string_equal(answer(s, &o, &f, "250 queued", NULL), "DATA-END");
	assert_int_equal(o.context, SESSION_CONTEXT_DATA_END);
	assert_string_equal(answer(s, &o, &f, "421 bye", NULL), "unsolicited");
	assert_int_equal(o.context, SESSION_CONTEXT_UNSOLICITED);
	assert_true(o.closing);
	assert_string_equal(session_context_key(SESSION_CONTEXT_GREETING), "greeting");
	session_free(s);
}

/* States have keys; the words older transcripts saved still name them. */
static void
test_state_keys(void **state)
{
	struct session *s = greeted();

	(void)state;
	assert_string_equal(session_state_key(s), "after-ehlo");
	assert_string_equal(session_state_name(s), "after EHLO");
	assert_string_equal(session_state_key_parse("after EHLO"), "after-ehlo");
	assert_string_equal(session_state_key_parse("In-Transaction"), "in-transaction");
	assert_string_equal(session_state_key_parse("closed"), "closed");
	assert_null(session_state_key_parse("after"));
	assert_null(session_state_key_parse("after-ehlox"));
	assert_string_equal(session_state_key_name("in-data"), "in DATA");
	assert_null(session_state_key_name("replay"));
	session_closed(s);
	assert_string_equal(session_state_key(s), "closed");
	session_free(s);
}

/* One rule for what is a secret: AUTH's initial response, the answer to a 334 (not the
 * cancelling "*"), whatever the spacing; everything else is shown. */
static void
test_secret_lines_masked(void **state)
{
	struct session *s = greeted();
	struct session_outcome o;
	struct fake_reply f;
	size_t keep;
	char *m;

	(void)state;
	assert_true(session_line_is_secret(s, "AUTH PLAIN AGFAYg==", 19, &keep));
	assert_int_equal(keep, 11);
	m = session_mask_line(s, "auth\tplain  AGFAYg==");
	assert_string_equal(m, "auth\tplain  " SESSION_MASK);
	free(m);
	assert_false(session_line_is_secret(s, "AUTH LOGIN", 10, NULL));
	assert_false(session_line_is_secret(s, "AUTH LOGIN  ", 12, NULL));
	assert_false(session_line_is_secret(s, "AUTHX PLAIN x", 13, NULL));
	assert_false(session_line_is_secret(s, "MAIL FROM:<a@b> AUTH=x", 22, NULL));
	assert_null(session_mask_line(s, "EHLO x"));
	session_sent(s, "AUTH LOGIN", 1);
	answer(s, &o, &f, "334 VXNlcm5hbWU6", NULL);
	assert_true(session_line_is_secret(s, "YWxpY2U=", 8, &keep));
	assert_int_equal(keep, 0);
	m = session_mask_line(s, "YWxpY2U=");
	assert_string_equal(m, SESSION_MASK);
	free(m);
	assert_false(session_line_is_secret(s, "*", 1, NULL));
	assert_false(session_line_is_secret(s, "", 0, NULL));
	assert_false(session_line_is_secret(NULL, "YWxpY2U=", 8, NULL));
	session_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states_follow_accepted_commands),
		cmocka_unit_test(test_ehlo_capabilities_parsed),
		cmocka_unit_test(test_size_without_limit_and_absent),
		cmocka_unit_test(test_pipelined_replies_pair_in_order),
		cmocka_unit_test(test_auth_challenge_keeps_auth_and_learns_user),
		cmocka_unit_test(test_auth_plain_initial_response_names_user),
		cmocka_unit_test(test_starttls_forgets_capabilities),
		cmocka_unit_test(test_guidance_out_of_sequence),
		cmocka_unit_test(test_guidance_after_tls_and_without_extensions),
		cmocka_unit_test(test_pipeline_group_checked_as_a_whole),
		cmocka_unit_test(test_suggestions_follow_state),
		cmocka_unit_test(test_verb_extraction),
		cmocka_unit_test(test_secret_lines_masked),
		cmocka_unit_test(test_reply_contexts_and_keys),
		cmocka_unit_test(test_state_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
