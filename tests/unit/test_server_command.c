/* test_server_command.c: the practice server's command grammar (server_command.c) on its own:
 * verbs and arguments, MAIL/RCPT paths, each ESMTP parameter and every error it can report. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "server/server_command.h"

static void
test_verbs_and_arguments(void **state)
{
	struct server_command cmd;

	assert_int_equal(server_command_parse("ehlo client.test", 16, &cmd), 0);
	assert_int_equal(cmd.verb, VERB_EHLO);
	assert_string_equal(cmd.verb_text, "EHLO");
	assert_int_equal(cmd.args_len, 11);
	assert_memory_equal(cmd.args, "client.test", 11);

	assert_int_equal(server_command_parse("QUIT", 4, &cmd), 0);
	assert_int_equal(cmd.verb, VERB_QUIT);
	assert_int_equal(cmd.args_len, 0);

	assert_int_equal(server_command_parse("NOOP   x  ", 10, &cmd), 0);
	assert_int_equal(cmd.args_len, 1);

	assert_int_equal(server_command_parse("StartTLS", 8, &cmd), 0);
	assert_int_equal(cmd.verb, VERB_STARTTLS);
	assert_int_equal(server_command_parse("ETRN x", 6, &cmd), 0);
	assert_int_equal(cmd.verb, VERB_ETRN);
	assert_int_equal(server_command_parse("MAILX FROM:<a@b>", 16, &cmd), 0);
	assert_int_equal(cmd.verb, VERB_UNKNOWN);
	assert_int_equal(server_command_parse("AVERYLONGVERBINDEED", 19, &cmd), 0);
	assert_int_equal(cmd.verb, VERB_UNKNOWN);
	assert_int_equal(strlen(cmd.verb_text), SERVER_VERB_MAX);

	assert_int_equal(server_command_parse("", 0, &cmd), -1);
	assert_int_equal(server_command_parse(" NOOP", 5, &cmd), -1);

	assert_int_equal(server_command_parse("NO\0OP", 5, &cmd), 0);
	assert_true(cmd.has_nul);
	assert_int_equal(cmd.verb, VERB_UNKNOWN);
	assert_int_equal(server_command_parse("HELO \xc3\xbc", 7, &cmd), 0);
	assert_true(cmd.has_8bit);
	assert_int_equal(server_command_parse("HELO a\x1b[2J", 10, &cmd), 0);
	assert_true(cmd.has_ctl);
	assert_string_equal(server_verb_name(VERB_BDAT), "BDAT");
	assert_string_equal(server_verb_name(VERB_UNKNOWN), "?");
}

static enum server_path_error
mail(const char *args, struct server_path *p)
{
	return server_path_parse(args, strlen(args), true, p);
}

static enum server_path_error
rcpt(const char *args, struct server_path *p)
{
	return server_path_parse(args, strlen(args), false, p);
}

static void
test_paths(void **state)
{
	struct server_path p;

	assert_int_equal(mail("FROM:<a@example.org>", &p), PATH_OK);
	assert_string_equal(p.addr, "a@example.org");
	assert_false(p.null_path);
	assert_int_equal(mail("from: <a@example.org>", &p), PATH_OK);   /* the common extra space */
	assert_int_equal(mail("FROM:<>", &p), PATH_OK);
	assert_true(p.null_path);
	assert_int_equal(rcpt("TO:<>", &p), PATH_SYNTAX);
	assert_int_equal(rcpt("TO:<Postmaster>", &p), PATH_OK);
	assert_int_equal(mail("FROM:<postmaster>", &p), PATH_SYNTAX);
	assert_int_equal(rcpt("TO:<bob>", &p), PATH_SYNTAX);
	assert_int_equal(rcpt("TO:<@relay.example,@b.example:bob@practice.test>", &p), PATH_OK);
	assert_string_equal(p.addr, "bob@practice.test");
	assert_int_equal(rcpt("TO:<\"john smith\"@practice.test>", &p), PATH_OK);
	assert_int_equal(rcpt("TO:<\"a>b\"@practice.test>", &p), PATH_OK);
	assert_int_equal(rcpt("TO:<bob@[127.0.0.1]>", &p), PATH_OK);
	assert_string_equal(server_addr_domain("bob@practice.test"), "practice.test");
	assert_null(server_addr_domain("postmaster"));

	assert_int_equal(mail("TO:<a@example.org>", &p), PATH_NO_PREFIX);
	assert_int_equal(rcpt("FROM:<a@example.org>", &p), PATH_NO_PREFIX);
	assert_int_equal(mail("FROM:a@example.org", &p), PATH_SYNTAX);
	assert_int_equal(mail("FROM:<a@example.org", &p), PATH_SYNTAX);
	assert_int_equal(mail("FROM:<a@example.org>SIZE=1", &p), PATH_SYNTAX);
	assert_int_equal(mail("FROM:<a..b@example.org>", &p), PATH_SYNTAX);
	assert_int_equal(mail("FROM:<a@example..org>", &p), PATH_SYNTAX);
	assert_int_equal(mail("FROM:<a b@example.org>", &p), PATH_SYNTAX);
	assert_int_equal(mail("FROM:<a@>", &p), PATH_SYNTAX);
	assert_int_equal(mail("FROM:<@example.org>", &p), PATH_SYNTAX);

	assert_int_equal(mail("FROM:<j\xc3\xb6rg@example.org>", &p), PATH_NEEDS_UTF8);
	assert_int_equal(mail("FROM:<j\xc3\xb6rg@example.org> SMTPUTF8", &p), PATH_OK);
	assert_true(p.has_8bit);
	assert_true(p.smtputf8);
	/* RCPT has no SMTPUTF8 of its own: the session checks it against the MAIL. */
	assert_int_equal(rcpt("TO:<j\xc3\xb6rg@practice.test>", &p), PATH_OK);
	assert_true(p.has_8bit);
}

static void
test_parameters(void **state)
{
	struct server_path p;
	char longaddr[400];

	assert_int_equal(mail("FROM:<a@b.example> SIZE=12345 BODY=8BITMIME RET=HDRS ENVID=x+2By AUTH=<>", &p), PATH_OK);
	assert_true(p.has_size);
	assert_int_equal(p.size, 12345);
	assert_int_equal(p.body, BODY_8BITMIME);
	assert_true(p.has_ret && p.has_envid && p.has_auth);
	assert_int_equal(mail("FROM:<a@b.example> body=binarymime", &p), PATH_OK);
	assert_int_equal(p.body, BODY_BINARYMIME);

	assert_int_equal(mail("FROM:<a@b.example> SIZE=", &p), PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> SIZE=12a", &p), PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> SIZE=99999999999999999999", &p), PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> SIZE=1 SIZE=2", &p), PATH_PARAM_TWICE);
	assert_int_equal(mail("FROM:<a@b.example> BODY=9BIT", &p), PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> SMTPUTF8=yes", &p), PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> RET=ALL", &p), PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> ENVID=a=b", &p), PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> ENVID=a+zz", &p), PATH_PARAM_SYNTAX);
	assert_int_equal(mail("FROM:<a@b.example> XFOO=1", &p), PATH_PARAM_UNKNOWN);
	assert_string_equal(p.bad_param, "XFOO");
	assert_int_equal(mail("FROM:<a@b.example> NOTIFY=NEVER", &p), PATH_PARAM_UNKNOWN);

	assert_int_equal(rcpt("TO:<a@b.example> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;a@b.example", &p), PATH_OK);
	assert_true(p.has_notify && p.has_orcpt);
	assert_int_equal(rcpt("TO:<a@b.example> NOTIFY=NEVER", &p), PATH_OK);
	assert_int_equal(rcpt("TO:<a@b.example> NOTIFY=NEVER,FAILURE", &p), PATH_PARAM_SYNTAX);
	assert_int_equal(rcpt("TO:<a@b.example> NOTIFY=SOMETIMES", &p), PATH_PARAM_SYNTAX);
	assert_int_equal(rcpt("TO:<a@b.example> ORCPT=rfc822", &p), PATH_PARAM_SYNTAX);
	assert_int_equal(rcpt("TO:<a@b.example> ORCPT=;a@b", &p), PATH_PARAM_SYNTAX);
	assert_int_equal(rcpt("TO:<a@b.example> SIZE=10", &p), PATH_PARAM_UNKNOWN);

	memset(longaddr, 0, sizeof longaddr);
	memcpy(longaddr, "FROM:<", 6);
	memset(longaddr + 6, 'a', 330);
	memcpy(longaddr + 336, "@b.example>", 11);
	assert_int_equal(mail(longaddr, &p), PATH_SYNTAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verbs_and_arguments),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_parameters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
