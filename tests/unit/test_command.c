/* test_command.c: the local command language (parsing, masking), the message streamer
 * behind /data and /bdat (CRLF normalisation, dot-stuffing, any read size), and target parsing. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/conn/command.h"
#include "core/conn/message.h"
#include "core/conn/net.h"

static void
test_parse_known_commands(void **state)
{
	struct command cmd;
	char *err = NULL;

	(void)state;
	assert_int_equal(command_parse("/auth PLAIN alice s3cret", &cmd, &err), 0);
	assert_int_equal(cmd.info->id, COMMAND_AUTH);
	assert_int_equal(cmd.argc, 3);
	assert_string_equal(cmd.argv[0], "PLAIN");
	assert_string_equal(cmd.argv[2], "s3cret");
	command_clear(&cmd);

	assert_int_equal(command_parse("/CONNECT  [::1]:2525  ", &cmd, &err), 0);
	assert_int_equal(cmd.info->id, COMMAND_CONNECT);
	assert_string_equal(cmd.argv[0], "[::1]:2525");
	command_clear(&cmd);

	/* Free text keeps its spaces in rest. */
	assert_int_equal(command_parse("/pipeline MAIL FROM:<a@b>; RCPT TO:<c@d>", &cmd, &err), 0);
	assert_string_equal(cmd.rest, "MAIL FROM:<a@b>; RCPT TO:<c@d>");
	command_clear(&cmd);

	assert_int_equal(command_parse("/explain", &cmd, &err), 0);
	assert_true(cmd.info->flags & COMMAND_FRONTEND);
	command_clear(&cmd);

	/* An alias finds the same entry; /wait is in the table too. */
	assert_int_equal(command_parse("/EXIT", &cmd, &err), 0);
	assert_int_equal(cmd.info->id, COMMAND_QUIT);
	command_clear(&cmd);
	assert_int_equal(command_parse("/wait 2.5", &cmd, &err), 0);
	assert_int_equal(cmd.info->id, COMMAND_WAIT);
	assert_true(cmd.info->flags & COMMAND_SCRIPT);
	assert_string_equal(cmd.argv[0], "2.5");
	command_clear(&cmd);
}

/* Every id has exactly one entry, found by its name, and every entry says what it is. */
static void
test_table_covers_every_id(void **state)
{
	const struct command_info *list;
	size_t n = command_list(&list), i;
	int id;

	(void)state;
	assert_int_equal(n, COMMAND_COUNT);
	for (id = 0; id < COMMAND_COUNT; id++) {
		const struct command_info *info = command_info((enum command_id)id);

		assert_non_null(info);
		assert_ptr_equal(command_find(info->name, strlen(info->name)), info);
		assert_non_null(info->usage);
		assert_true(info->summary[0] != '\0');
		assert_true(info->max_args < 0 || info->max_args >= info->min_args);
		assert_true(!(info->flags & COMMAND_SECRET) || info->secret_arg < COMMAND_MAX_ARGS);
	}
	for (i = 0; i < n; i++)
		assert_ptr_equal(command_info(list[i].id), &list[i]);
	assert_null(command_find("nosuch", 6));
}

static void
test_parse_errors_say_why(void **state)
{
	struct command cmd;
	char *err = NULL;

	(void)state;
	assert_int_equal(command_parse("/nosuch", &cmd, &err), -1);
	assert_non_null(strstr(err, "unknown command /nosuch"));
	free(err);
	assert_int_equal(command_parse("/auth PLAIN", &cmd, &err), -1);
	assert_non_null(strstr(err, "usage: /auth MECH USER [PASS]"));
	free(err);
	assert_int_equal(command_parse("/disconnect now", &cmd, &err), -1);
	assert_non_null(strstr(err, "too many arguments"));
	free(err);
	assert_int_equal(command_parse("/", &cmd, &err), -1);
	free(err);
	assert_int_equal(command_parse("//x", &cmd, &err), -1);
	free(err);
}

static void
test_mask_hides_only_the_password(void **state)
{
	char *m;

	(void)state;
	m = command_mask("/auth PLAIN alice s3cret");
	assert_string_equal(m, "/auth PLAIN alice ********");
	free(m);
	m = command_mask("/auth LOGIN alice");
	assert_string_equal(m, "/auth LOGIN alice");
	free(m);
	m = command_mask("/connect host");
	assert_string_equal(m, "/connect host");
	free(m);
	m = command_mask("/AUTH\tPLAIN alice s3cret and more");
	assert_string_equal(m, "/AUTH\tPLAIN alice ********");
	free(m);
	m = command_mask("/authx PLAIN alice s3cret");
	assert_string_equal(m, "/authx PLAIN alice s3cret");
	free(m);
}

static void
test_private_lines_are_told_by_the_table(void **state)
{
	(void)state;
	/* a password given to /auth, or anything /b64 is asked to encode */
	assert_true(command_line_is_private("/auth PLAIN alice s3cret"));
	assert_true(command_line_is_private("  /B64 encode \\0alice\\0s3cret"));
	assert_true(command_line_is_private("/b64"));
	/* no password typed yet, another command, a literal '/' line, not a command */
	assert_false(command_line_is_private("/auth LOGIN alice"));
	assert_false(command_line_is_private("/connect host"));
	assert_false(command_line_is_private("/b64x encode text"));
	assert_false(command_line_is_private("//b64 encode text"));
	assert_false(command_line_is_private("MAIL FROM:<a@b>"));
}

/* Streams a file's contents through message_file_read with a given read size. */
static char *
stream(const char *content, size_t len, bool stuff, size_t step, long long *size)
{
	char path[] = "/tmp/test_command.XXXXXX";
	int fd = mkstemp(path);
	struct message_file *m;
	char *err = NULL, *out = calloc(1, len * 3 + 8);
	size_t used = 0;
	long n;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
	m = message_file_open(path, stuff, &err);
	assert_non_null(m);
	*size = message_file_size(m);
	while ((n = message_file_read(m, out + used, step)) > 0)
		used += (size_t)n;
	assert_int_equal(n, 0);
	message_file_close(m);
	unlink(path);
	return out;
}

static void
test_message_normalised_and_stuffed_in_any_chunking(void **state)
{
	static const char in[] = "Subject: x\n\n.\n..two\r\nbare\rcr\n.lead\nno newline";
	static const char want[] =
	    "Subject: x\r\n\r\n..\r\n...two\r\nbare\r\ncr\r\n..lead\r\nno newline\r\n";
	size_t step;
	long long size;

	(void)state;
	for (step = 1; step <= sizeof want; step++) {
		char *out = stream(in, sizeof in - 1, true, step, &size);

		assert_string_equal(out, want);
		assert_int_equal(size, (long long)strlen(want));
		free(out);
	}
}

static void
test_message_for_bdat_is_not_stuffed(void **state)
{
	long long size;
	char *out = stream(".\n", 2, false, 64, &size);

	(void)state;
	assert_string_equal(out, ".\r\n");
	assert_int_equal(size, 3);
	free(out);
	out = stream("", 0, true, 64, &size);
	assert_string_equal(out, "");
	assert_int_equal(size, 0);
	free(out);
}

static void
test_message_open_missing_file(void **state)
{
	char *err = NULL;

	(void)state;
	assert_null(message_file_open("/nonexistent/dir/msg.eml", true, &err));
	assert_non_null(strstr(err, "cannot read /nonexistent/dir/msg.eml"));
	free(err);
}

static void
test_targets_parse(void **state)
{
	char *host = NULL, *err = NULL;
	int port;

	(void)state;
	assert_int_equal(net_parse_target("mx.example.org", 25, &host, &port, &err), 0);
	assert_string_equal(host, "mx.example.org");
	assert_int_equal(port, 25);
	free(host);
	assert_int_equal(net_parse_target("127.0.0.1:2525", 25, &host, &port, &err), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 2525);
	free(host);
	assert_int_equal(net_parse_target("[::1]:587", 25, &host, &port, &err), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 587);
	free(host);
	assert_int_equal(net_parse_target("[2001:db8::1]", 465, &host, &port, &err), 0);
	assert_string_equal(host, "2001:db8::1");
	assert_int_equal(port, 465);
	free(host);
	assert_int_equal(net_parse_target("2001:db8::1", 25, &host, &port, &err), 0);
	assert_string_equal(host, "2001:db8::1");
	free(host);

	assert_int_equal(net_parse_target("host:0", 25, &host, &port, &err), -1);
	free(err);
	assert_int_equal(net_parse_target("host:99999", 25, &host, &port, &err), -1);
	free(err);
	assert_int_equal(net_parse_target("host:", 25, &host, &port, &err), -1);
	free(err);
	assert_int_equal(net_parse_target("[::1", 25, &host, &port, &err), -1);
	free(err);
	assert_int_equal(net_parse_target("[mx.example]:25", 25, &host, &port, &err), -1);
	free(err);
	assert_int_equal(net_parse_target(":25", 25, &host, &port, &err), -1);
	free(err);
	assert_int_equal(net_parse_target("bad host", 25, &host, &port, &err), -1);
	assert_non_null(strstr(err, "cannot appear in a host name"));
	free(err);
}

static void
test_error_words_and_events(void **state)
{
	(void)state;
	assert_string_equal(net_error_event(ECONNREFUSED), "connect-refused");
	assert_string_equal(net_error_event(ETIMEDOUT), "connect-timeout");
	assert_string_equal(net_error_event(EHOSTUNREACH), "unreachable");
	assert_string_equal(net_error_event(ECONNRESET), "reset");
	assert_non_null(strstr(net_error_words(ECONNREFUSED), "refused"));
	assert_non_null(strstr(net_error_words(ECONNRESET), "reset by peer"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_known_commands),
		cmocka_unit_test(test_parse_errors_say_why),
		cmocka_unit_test(test_table_covers_every_id),
		cmocka_unit_test(test_mask_hides_only_the_password),
		cmocka_unit_test(test_message_normalised_and_stuffed_in_any_chunking),
		cmocka_unit_test(test_message_for_bdat_is_not_stuffed),
		cmocka_unit_test(test_message_open_missing_file),
		cmocka_unit_test(test_targets_parse),
		cmocka_unit_test(test_error_words_and_events),
		cmocka_unit_test(test_private_lines_are_told_by_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
