/* test_smtp_command.c: the SMTP command grammar (smtp_command.c) on its own: verbs and
 * arguments read off the wire and as typed, ESMTP parameters of a command, MAIL/RCPT paths, each
 * parameter and every error it can report. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/proto/smtp_command.h"

static void
test_verbs_and_arguments(void **state)
{
	struct smtp_command cmd;

	assert_int_equal(smtp_command_parse("ehlo client.test", 16, &cmd), 0);
	assert_int_equal(cmd.verb, SMTP_VERB_EHLO);
	assert_string_equal(cmd.verb_text, "EHLO");
	assert_int_equal(cmd.args_len, 11);
	assert_memory_equal(cmd.args, "client.test", 11);

	assert_int_equal(smtp_command_parse("QUIT", 4, &cmd), 0);
	assert_int_equal(cmd.verb, SMTP_VERB_QUIT);
	assert_int_equal(cmd.args_len, 0);

	assert_int_equal(smtp_command_parse("NOOP   x  ", 10, &cmd), 0);
	assert_int_equal(cmd.args_len, 1);

	assert_int_equal(smtp_command_parse("StartTLS", 8, &cmd), 0);
	assert_int_equal(cmd.verb, SMTP_VERB_STARTTLS);
	assert_int_equal(smtp_command_parse("ETRN x", 6, &cmd), 0);
	assert_int_equal(cmd.verb, SMTP_VERB_ETRN);
	assert_int_equal(smtp_command_parse("MAILX FROM:<a@b>", 16, &cmd), 0);
	assert_int_equal(cmd.verb, SMTP_VERB_UNKNOWN);
	assert_int_equal(smtp_command_parse("AVERYLONGVERBINDEED", 19, &cmd), 0);
	assert_int_equal(cmd.verb, SMTP_VERB_UNKNOWN);
	assert_int_equal(strlen(cmd.verb_text), SMTP_VERB_MAX);

	assert_int_equal(smtp_command_parse("", 0, &cmd), -1);
	assert_int_equal(smtp_command_parse(" NOOP", 5, &cmd), -1);

	assert_int_equal(smtp_command_parse("NO\0OP", 5, &cmd), 0);
	assert_true(cmd.has_nul);
	assert_int_equal(cmd.verb, SMTP_VERB_UNKNOWN);
	assert_int_equal(smtp_command_parse("HELO \xc3\xbc", 7, &cmd), 0);
	assert_true(cmd.has_8bit);
	assert_int_equal(smtp_command_parse("HELO a\x1b[2J", 10, &cmd), 0);
	assert_true(cmd.has_ctl);
	assert_string_equal(smtp_verb_name(SMTP_VERB_BDAT), "BDAT");
	assert_string_equal(smtp_verb_name(SMTP_VERB_UNKNOWN), "?");
}

/* Lines typed by a person or shown in a capture: blanks before the verb, a colon after it. */
static void
test_typed_lines(void **state)
{
	struct smtp_command cmd;
	char verb[16];
	const char *v;
	size_t vlen;

	(void)state;
	assert_int_equal(smtp_command_parse_mode("  mail from:<a@b> SIZE=10 body=8bitmime", 39,
	    SMTP_PARSE_TYPED, &cmd), 0);
	assert_int_equal(cmd.verb, SMTP_VERB_MAIL);
	assert_memory_equal(cmd.args, "from:<a@b>", 10);
	assert_true(smtp_command_param(&cmd, "SIZE", &v, &vlen));
	assert_int_equal(vlen, 2);
	assert_memory_equal(v, "10", 2);
	assert_true(smtp_command_param(&cmd, "BODY", &v, &vlen));
	assert_memory_equal(v, "8bitmime", 8);
	assert_false(smtp_command_param(&cmd, "SMTPUTF8", &v, &vlen));
	/* the path itself is never a parameter */
	assert_int_equal(smtp_command_parse_mode("MAIL SIZE=1", 11, SMTP_PARSE_TYPED, &cmd), 0);
	assert_false(smtp_command_param(&cmd, "SIZE", &v, &vlen));

	assert_int_equal(smtp_command_verb("MAIL:FROM", 9, verb, sizeof verb), SMTP_VERB_MAIL);
	assert_int_equal(smtp_command_verb("\tx-foo.bar", 9, verb, sizeof verb),
	    SMTP_VERB_UNKNOWN);
	assert_string_equal(verb, "X-FOO");
	assert_int_equal(smtp_command_verb(" :x", 3, verb, sizeof verb), SMTP_VERB_UNKNOWN);
	assert_string_equal(verb, "");
	assert_int_equal(smtp_command_verb("starttls", 8, NULL, 0), SMTP_VERB_STARTTLS);
	/* off the wire the same line is one unknown word */
	assert_int_equal(smtp_command_parse("MAIL:FROM", 9, &cmd), 0);
	assert_int_equal(cmd.verb, SMTP_VERB_UNKNOWN);
	assert_int_equal(smtp_verb_lookup("rcpt", 4), SMTP_VERB_RCPT);
	assert_int_equal(smtp_verb_lookup("RCPTX", 5), SMTP_VERB_UNKNOWN);
}

static enum smtp_path_error
mail(const char *args, struct smtp_path *p)
{
	return smtp_path_parse(args, strlen(args), true, p);
}

static enum smtp_path_error
rcpt(const char *args, struct smtp_path *p)
{
	return smtp_path_parse(args, strlen(args), false, p);
}

static void
test_paths(void **state)
{
	struct smtp_path p;

	assert_int_equal(mail("FROM:<a@example.org>", &p), SMTP_PATH_OK);
	assert_string_equal(p.addr, "a@example.org");
	assert_false(p.null_path);
	assert_int_equal(mail("from: <a@example.org>", &p), SMTP_PATH_OK);   /* the common extra space */
	assert_int_equal(mail("FROM:<>", &p), SMTP_PATH_OK);
	assert_true(p.null_path);
	assert_int_equal(rcpt("TO:<>", &p), SMTP_PATH_SYNTAX);
	assert_int_equal(rcpt("TO:<Postmaster>", &p), SMTP_PATH_OK);
	assert_int_equal(mail("FROM:<postmaster>", &p), SMTP_PATH_SYNTAX);
	assert_int_equal(rcpt("TO:<bob>", &p), SMTP_PATH_SYNTAX);
	assert_int_equal(rcpt("TO:<@relay.example,@b.example:bob@practice.test>", &p), SMTP_PATH_OK);
	assert_string_equal(p.addr, "bob@practice.test");
	assert_int_equal(rcpt("TO:<\"john smith\"@practice.test>", &p), SMTP_PATH_OK);
	assert_int_equal(rcpt("TO:<\"a>b\"@practice.test>", &p), SMTP_PATH_OK);
	assert_int_equal(rcpt("TO:<bob@[127.0.0.1]>", &p), SMTP_PATH_OK);
	assert_string_equal(smtp_addr_domain("bob@practice.test"), "practice.test");
	assert_null(smtp_addr_domain("postmaster"));

	assert_int_equal(mail("TO:<a@example.org>", &p), SMTP_PATH_NO_PREFIX);
	assert_int_equal(rcpt("FROM:<a@example.org>", &p), SMTP_PATH_NO_PREFIX);
	assert_int_equal(mail("FROM:a@example.org", &p), SMTP_PATH_SYNTAX);
	assert_int_equal(mail("FROM:<a@example.org", &p), SMTP_PATH_SYNTAX);
	assert_int_equal(mail("FROM:<a@example.org>SIZE=1", &p), SMTP_PATH_SYNTAX);
	assert_int_equal(mail("FROM:<a..b@example.org>", &p), SMTP_PATH_SYNTAX);
	assert_int_equal(mail("FROM:<a@example..org>", &p), SMTP_PATH_SYNTAX);
	assert_int_equal(mail("FROM:<a b@example.org>", &p), SMTP_PATH_SYNTAX);
	assert_int_equal(mail("FROM:<a@>", &p), SMTP_PATH_SYNTAX);
	assert_int_equal(mail("FROM:<@example.org>", &p), SMTP_PATH_SYNTAX);

	assert_int_equal(mail("FROM:<j\xc3\xb6rg@example.org>", &p), SMTP_PATH_NEEDS_UTF8);
	assert_int_equal(mail("FROM:<j\xc3\xb6rg@example.org> SMTPUTF8", &p), SMTP_PATH_OK);
	assert_true(p.has_8bit);
	assert_true(p.smtputf8);
	/* RCPT has no SMTPUTF8 of its own: the session checks it against the MAIL. */
	assert_int_equal(rcpt("TO:<j\xc3\xb6rg@practice.test>", &p), SMTP_PATH_OK);
	assert_true(p.has_8bit);
}

static void
test_parameters(void **state)
{
	struct smtp_path p;
	char longaddr[400];

	assert_int_equal(mail("FROM:<a@b.example> SIZE=12345 BODY=8BITMIME RET=HDRS ENVID=x+2By AUTH=<>", &p), SMTP_PATH_OK);
	assert_true(p.has_size);
	assert_int_equal(p.size, 12345);
	assert_int_equal(p.body, SMTP_BODY_8BITMIME);
	assert_true(p.has_ret && p.has_envid && p.has_auth);
	assert_int_equal(mail("FROM:<a@b.example> body=binarymime", &p), SMTP_PATH_OK);
	assert_int_equal(p.body, SMTP_BODY_BINARYMIME);

	assert_int_equal(mail("FROM:<a@b.example> SIZE=", &p), SMTP_PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> SIZE=12a", &p), SMTP_PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> SIZE=99999999999999999999", &p), SMTP_PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> SIZE=1 SIZE=2", &p), SMTP_PATH_PARAM_TWICE);
	assert_int_equal(mail("FROM:<a@b.example> BODY=9BIT", &p), SMTP_PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> SMTPUTF8=yes", &p), SMTP_PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> RET=ALL", &p), SMTP_PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> ENVID=a=b", &p), SMTP_PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> ENVID=a+zz", &p), SMTP_PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> XFOO=1", &p), SMTP_PATH_PARAM_UNKNOWN);
	assert_string_equal(p.bad_param, "XFOO");
	assert_int_equal(mail("FROM:<a@b.example> NOTIFY=NEVER", &p), SMTP_PATH_PARAM_UNKNOWN);

	assert_int_equal(rcpt("TO:<a@b.example> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;a@b.example", &p), SMTP_PATH_OK);
	assert_true(p.has_notify && p.has_orcpt);
	assert_int_equal(rcpt("TO:<a@b.example> NOTIFY=NEVER", &p), SMTP_PATH_OK);
	assert_int_equal(rcpt("TO:<a@b.example> NOTIFY=NEVER,FAILURE", &p), SMTP_PATH_PARAM_SYNTAX);
	assert_int_equal(rcpt("TO:<a@b.example> NOTIFY=SOMETIMES", &p), SMTP_PATH_PARAM_SYNTAX);
	assert_int_equal(rcpt("TO:<a@b.example> ORCPT=rfc822", &p), SMTP_PATH_PARAM_SYNTAX);
	assert_int_equal(rcpt("TO:<a@b.example> ORCPT=;a@b", &p), SMTP_PATH_PARAM_SYNTAX);
	assert_int_equal(rcpt("TO:<a@b.example> SIZE=10", &p), SMTP_PATH_PARAM_UNKNOWN);

	memset(longaddr, 0, sizeof longaddr);
	memcpy(longaddr, "FROM:<", 6);
	memset(longaddr + 6, 'a', 330);
	memcpy(longaddr + 336, "@b.example>", 11);
	assert_int_equal(mail(longaddr, &p), SMTP_PATH_SYNTAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verbs_and_arguments),
		cmocka_unit_test(test_typed_lines),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_parameters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
