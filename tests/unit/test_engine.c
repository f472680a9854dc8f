/* test_engine.c: the engine's API as the screen drives it, against a real socket on loopback
 * whose server side the test plays by hand: the listener, status, guidance with ENGINE_FORCE,
 * ENGINE_NEED_SECRET, ENGINE_FRONTEND, masking of AUTH lines, DATA typed by hand, suggestions,
 * and the reply timeout. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/conn/engine.h"
#include "core/conn/net.h"
#include "core/util/clock.h"
#include "core/proto/sasl.h"

struct fixture {
	int listener;
	int server;         /* the server side of the connection, played by the test */
	struct engine *engine;
	size_t notified;    /* entries the listener was told of */
	char target[64];
};

static void
count_entry(void *ctx, size_t entry)
{
	struct fixture *f = ctx;

	assert_int_equal(entry, f->notified);
	f->notified++;
}

/* Runs the engine's side for up to ms milliseconds, or until it waits for nothing. */
static void
pump(struct fixture *f, int ms)
{
	int64_t end = clock_mono_us() + (int64_t)ms * 1000;
	struct engine_status st;
	struct pollfd fds[4];
	size_t n;
	int timeout;

	for (;;) {
		int64_t left = (end - clock_mono_us()) / 1000;

		if (left <= 0)
			break;
		n = engine_pollfds(f->engine, fds, 4);
		timeout = engine_timeout_ms(f->engine);
		if (timeout < 0 || timeout > left)
			timeout = (int)left;
		if (timeout > 20)
			timeout = 20;
		poll(fds, n, timeout);
		engine_handle(f->engine, fds, n);
		engine_status(f->engine, &st);
		if (!st.waiting && (n == 0 || !(fds[0].revents & POLLIN)))
			break;
	}
}

static void
server_send(struct fixture *f, const char *text)
{
	assert_int_equal(send(f->server, text, strlen(text), 0), (ssize_t)strlen(text));
	pump(f, 300);
}

/* Reads what the engine sent (waiting up to 2 s for at least one line). */
static char *
server_read(struct fixture *f)
{
	static char buf[4096];
	size_t len = 0;
	int64_t end = clock_mono_us() + 2000000;
	struct pollfd p = { .fd = f->server, .events = POLLIN };

	buf[0] = '\0';
	while (clock_mono_us() < end) {
		pump(f, 10);
		if (poll(&p, 1, 10) > 0 && (p.revents & POLLIN)) {
			ssize_t n = recv(f->server, buf + len, sizeof buf - 1 - len, 0);

			if (n <= 0)
				break;
			len += (size_t)n;
			buf[len] = '\0';
			if (len > 1 && buf[len - 1] == '\n')
				break;
		}
	}
	return buf;
}

/* True when nothing at all arrives within ms. */
static bool
server_quiet(struct fixture *f, int ms)
{
	struct pollfd p = { .fd = f->server, .events = POLLIN };

	pump(f, ms);
	return poll(&p, 1, 0) == 0;
}

static const struct transcript_entry *
last_entry(struct fixture *f, enum transcript_kind kind)
{
	struct transcript *t = engine_transcript(f->engine);
	size_t i = transcript_count(t);

	while (i-- > 0)
		if (transcript_entry(t, i)->kind == kind)
			return transcript_entry(t, i);
	return NULL;
}

/* True when an entry of that kind holds the text. */
static bool
has_entry(struct fixture *f, enum transcript_kind kind, const char *text)
{
	struct transcript *t = engine_transcript(f->engine);
	size_t i;

	for (i = 0; i < transcript_count(t); i++)
		if (transcript_entry(t, i)->kind == kind &&
		    strstr(transcript_entry(t, i)->text, text) != NULL)
			return true;
	return false;
}

static int
setup_with_timeout(void **state, int reply_timeout_ms)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct engine_config config;
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	char *err = NULL;

	memset(&config, 0, sizeof config);
	config.reply_timeout_ms = reply_timeout_ms;
	config.helo_name = "client.test";
	f->listener = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(f->listener, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(f->listener, 1), 0);
	getsockname(f->listener, (struct sockaddr *)&sin, &len);
	snprintf(f->target, sizeof f->target, "127.0.0.1:%d", ntohs(sin.sin_port));
	f->engine = engine_new(&config);
	engine_set_listener(f->engine, count_entry, f);
	assert_int_equal(engine_connect(f->engine, f->target, 0, &err), 0);
	pump(f, 200);
	f->server = accept(f->listener, NULL, NULL);
	assert_true(f->server >= 0);
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	return setup_with_timeout(state, 0);
}

static int
setup_short_timeout(void **state)
{
	return setup_with_timeout(state, 300);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	engine_free(f->engine);
	close(f->server);
	close(f->listener);
	free(f);
	return 0;
}

/* Greeting and EHLO with a few capabilities. */
static void
greet(struct fixture *f)
{
	struct engine_answer a;

	server_send(f, "220 mx.test ESMTP\r\n");
	assert_int_equal(engine_submit(f->engine, "EHLO client.test", 0, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), "EHLO client.test\r\n");
	server_send(f, "250-mx.test\r\n250-PIPELINING\r\n250-SIZE 100\r\n250 AUTH PLAIN LOGIN\r\n");
}

static void
test_connect_greeting_and_listener(void **state)
{
	struct fixture *f = *state;
	struct engine_status st;
	const struct transcript_reply *r;
	struct transcript *t = engine_transcript(f->engine);

	engine_status(f->engine, &st);
	assert_true(st.connected);
	assert_true(st.waiting);              /* for the greeting */
	assert_string_equal(st.address, "127.0.0.1");
	server_send(f, "220 mx.test ESMTP\r\n");
	engine_status(f->engine, &st);
	assert_false(st.waiting);
	assert_string_equal(st.state, "greeting");
	assert_true(st.last_latency_us >= 0);
	assert_int_equal(transcript_reply_count(t), 1);
	r = transcript_reply(t, 0);
	assert_string_equal(r->after, "greeting");
	assert_int_equal(r->reply->code, 220);
	assert_int_equal(f->notified, transcript_count(t));
}

static void
test_capabilities_and_suggestions(void **state)
{
	struct fixture *f = *state;
	const char *const *list;
	const char *next[12];
	size_t n, i;
	bool mail = false;

	greet(f);
	n = engine_capabilities(f->engine, &list);
	assert_int_equal(n, 3);
	assert_string_equal(list[0], "PIPELINING");
	n = engine_auth_mechanisms(f->engine, &list);
	assert_int_equal(n, 2);
	assert_string_equal(list[1], "LOGIN");
	n = engine_suggest_next(f->engine, next, 12);
	for (i = 0; i < n; i++)
		if (strncmp(next[i], "MAIL FROM:", 10) == 0)
			mail = true;
	assert_true(mail);
}

static void
test_warning_then_force(void **state)
{
	struct fixture *f = *state;
	struct engine_answer a;

	server_send(f, "220 mx.test ESMTP\r\n");
	assert_int_equal(engine_submit(f->engine, "MAIL FROM:<a@b.test>", 0, &a), ENGINE_WARNING);
	assert_non_null(a.text);
	assert_non_null(strstr(a.text, "MAIL before EHLO"));
	assert_string_equal(a.event, "mail-before-ehlo");
	engine_answer_clear(&a);
	assert_true(server_quiet(f, 100));
	assert_int_equal(engine_submit(f->engine, "MAIL FROM:<a@b.test>", ENGINE_FORCE, &a),
	    ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), "MAIL FROM:<a@b.test>\r\n");
	assert_string_equal(last_entry(f, TRANSCRIPT_WARNING)->event, "mail-before-ehlo");
}

static void
test_auth_asks_for_the_secret_and_masks_it(void **state)
{
	struct fixture *f = *state;
	struct engine_answer a;
	const struct transcript_entry *sent;
	char *payload = sasl_plain_response(NULL, "alice", "pw");
	char want[128];
	struct engine_status st;

	greet(f);
	/* Without STARTTLS on offer there is no clear-text warning here. */
	assert_int_equal(engine_submit(f->engine, "/auth PLAIN alice", 0, &a), ENGINE_NEED_SECRET);
	assert_non_null(strstr(a.text, "alice"));
	engine_answer_clear(&a);
	engine_provide_secret(f->engine, "pw");
	snprintf(want, sizeof want, "AUTH PLAIN %s\r\n", payload);
	assert_string_equal(server_read(f), want);
	sent = last_entry(f, TRANSCRIPT_SENT);
	assert_string_equal(sent->text, "AUTH PLAIN ********");
	assert_true(sent->secret);
	server_send(f, "235 2.7.0 ok\r\n");
	engine_status(f->engine, &st);
	assert_string_equal(st.user, "alice");
	free(payload);
}

/* True when the engine's output buffer, every byte of it, holds the text anywhere. */
static bool
output_buffer_holds(struct fixture *f, const char *text)
{
	const char *buf;
	size_t cap, pending, len = strlen(text), i;

	engine_debug_output(f->engine, &buf, &cap, &pending);
	for (i = 0; i + len <= cap; i++)
		if (memcmp(buf + i, text, len) == 0)
			return true;
	return false;
}

/* Once the AUTH line is written, neither its payload nor the rest of the line stays in the
 * output buffer; nor does it when the connection drops with the line still waiting. */
static void
test_auth_line_wiped_from_the_output_buffer(void **state)
{
	struct fixture *f = *state;
	struct engine_answer a;
	char *payload = sasl_plain_response(NULL, "alice", "s3cret-pw");
	char want[128];

	greet(f);
	assert_int_equal(engine_submit(f->engine, "/auth PLAIN alice s3cret-pw", ENGINE_FORCE, &a),
	    ENGINE_DONE);
	engine_answer_clear(&a);
	snprintf(want, sizeof want, "AUTH PLAIN %s\r\n", payload);
	assert_string_equal(server_read(f), want);
	assert_false(output_buffer_holds(f, payload));
	assert_false(output_buffer_holds(f, "AUTH PLAIN"));
	server_send(f, "535 5.7.8 no\r\n");
	/* A hand-typed AUTH line and a 334 answer, the same. */
	assert_int_equal(engine_submit(f->engine, "AUTH LOGIN", ENGINE_FORCE, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), "AUTH LOGIN\r\n");
	server_send(f, "334 VXNlcm5hbWU6\r\n");
	assert_int_equal(engine_submit(f->engine, "YWxpY2UtdGhlLXVzZXI=", 0, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), "YWxpY2UtdGhlLXVzZXI=\r\n");
	assert_false(output_buffer_holds(f, "YWxpY2UtdGhlLXVzZXI="));
	free(payload);
}

/* Esc at the password prompt: nothing is sent, the name is forgotten, a late password is
 * ignored, and the next line goes out as the first thing the server sees. */
static void
test_auth_cancelled_at_the_prompt(void **state)
{
	struct fixture *f = *state;
	struct engine_answer a;
	struct engine_status st;

	greet(f);
	assert_int_equal(engine_submit(f->engine, "/auth LOGIN alice", 0, &a), ENGINE_NEED_SECRET);
	engine_answer_clear(&a);
	engine_cancel_secret(f->engine);
	assert_non_null(strstr(last_entry(f, TRANSCRIPT_INFO)->text, "cancelled"));
	engine_provide_secret(f->engine, "pw");   /* too late: ignored */
	engine_cancel_secret(f->engine);          /* nothing to cancel: harmless */
	assert_int_equal(engine_submit(f->engine, "NOOP", 0, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), "NOOP\r\n");
	server_send(f, "250 2.0.0 ok\r\n");
	engine_status(f->engine, &st);
	assert_null(st.user);
}

static void
test_manual_auth_continuation_masked(void **state)
{
	struct fixture *f = *state;
	struct engine_answer a;
	const struct transcript_entry *e;

	greet(f);
	assert_int_equal(engine_submit(f->engine, "AUTH LOGIN", 0, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), "AUTH LOGIN\r\n");
	server_send(f, "334 VXNlcm5hbWU6\r\n");
	assert_true(has_entry(f, TRANSCRIPT_INFO, "334 challenge decoded: \"Username:\""));
	assert_int_equal(engine_submit(f->engine, "YWxpY2U=", 0, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), "YWxpY2U=\r\n");
	e = last_entry(f, TRANSCRIPT_SENT);
	assert_string_equal(e->text, "********");
	assert_true(e->secret);
	server_send(f, "334 UGFzc3dvcmQ6\r\n");
	assert_int_equal(engine_submit(f->engine, "cHc=", 0, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), "cHc=\r\n");
	server_send(f, "235 ok\r\n");
	assert_string_equal(transcript_reply(engine_transcript(f->engine),
	    transcript_reply_count(engine_transcript(f->engine)) - 1)->after, "AUTH");
}

static void
test_auth_cram_md5_and_xoauth2(void **state)
{
	struct fixture *f = *state;
	struct engine_answer a;
	char *challenge = sasl_b64_encode("<1.2@mx.test>", 13);
	char *response = sasl_cram_md5_response(challenge, "alice", "pw");
	char *token = sasl_xoauth2_response("alice", "tok");
	char line[256];

	greet(f);
	assert_int_equal(engine_submit(f->engine, "/auth CRAM-MD5 alice pw", ENGINE_FORCE, &a),
	    ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), "AUTH CRAM-MD5\r\n");
	snprintf(line, sizeof line, "334 %s\r\n", challenge);
	server_send(f, line);
	snprintf(line, sizeof line, "%s\r\n", response);
	assert_string_equal(server_read(f), line);
	assert_string_equal(last_entry(f, TRANSCRIPT_SENT)->text, "********");
	server_send(f, "535 5.7.8 no\r\n");

	assert_int_equal(engine_submit(f->engine, "/auth XOAUTH2 alice tok", ENGINE_FORCE, &a),
	    ENGINE_DONE);
	engine_answer_clear(&a);
	snprintf(line, sizeof line, "AUTH XOAUTH2 %s\r\n", token);
	assert_string_equal(server_read(f), line);
	assert_string_equal(last_entry(f, TRANSCRIPT_SENT)->text, "AUTH XOAUTH2 ********");
	/* The error challenge is answered with an empty line, as RFC 7628 asks. */
	server_send(f, "334 eyJzdGF0dXMiOiI0MDEifQ==\r\n");
	assert_string_equal(server_read(f), "\r\n");
	assert_true(has_entry(f, TRANSCRIPT_INFO, "{\"status\":\"401\"}"));
	server_send(f, "535 5.7.8 no\r\n");
	free(challenge);
	free(response);
	free(token);
}

static void
test_frontend_and_errors(void **state)
{
	struct fixture *f = *state;
	struct engine_answer a;

	server_send(f, "220 mx.test ESMTP\r\n");
	assert_int_equal(engine_submit(f->engine, "/explain 550", 0, &a), ENGINE_FRONTEND);
	assert_int_equal(a.command.info->id, COMMAND_EXPLAIN);
	assert_string_equal(a.command.rest, "550");
	assert_int_equal(a.command.argc, 1);
	assert_string_equal(a.command.argv[0], "550");
	engine_answer_clear(&a);
	assert_null(a.command.info);
	assert_int_equal(engine_submit(f->engine, "/Quit", 0, &a), ENGINE_FRONTEND);
	assert_int_equal(a.command.info->id, COMMAND_QUIT);
	engine_answer_clear(&a);
	assert_int_equal(engine_submit(f->engine, "/exit", 0, &a), ENGINE_FRONTEND);
	assert_int_equal(a.command.info->id, COMMAND_QUIT);
	engine_answer_clear(&a);
	/* /save is the front end's: the engine knows only the transcript. */
	assert_int_equal(engine_submit(f->engine, "/save out.txt", 0, &a), ENGINE_FRONTEND);
	assert_int_equal(a.command.info->id, COMMAND_SAVE);
	assert_string_equal(a.command.argv[0], "out.txt");
	engine_answer_clear(&a);
	assert_int_equal(engine_submit(f->engine, "/nosuch", 0, &a), ENGINE_ERROR);
	assert_non_null(a.text);
	engine_answer_clear(&a);
	assert_int_equal(engine_submit(f->engine, "NOOP\r\nQUIT", ENGINE_FORCE, &a), ENGINE_ERROR);
	engine_answer_clear(&a);
	assert_int_equal(engine_submit(f->engine, "/connect 127.0.0.1:1", 0, &a), ENGINE_ERROR);
	assert_non_null(strstr(a.text, "already connected"));
	engine_answer_clear(&a);
	/* "//" sends a line starting with '/'. */
	assert_int_equal(engine_submit(f->engine, "//x", ENGINE_FORCE, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), "/x\r\n");
}

static void
test_data_typed_by_hand(void **state)
{
	struct fixture *f = *state;
	struct engine_answer a;
	struct engine_status st;
	const char *lines[] = { "MAIL FROM:<a@b.test>", "RCPT TO:<c@d.test>", "DATA" };
	size_t i;

	greet(f);
	assert_int_equal(engine_submit(f->engine,
	    "/pipeline MAIL FROM:<a@b.test>; RCPT TO:<c@d.test>; DATA", 0, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	{
		char *got = server_read(f);
		char want[256] = "";

		for (i = 0; i < 3; i++) {
			strcat(want, lines[i]);
			strcat(want, "\r\n");
		}
		if (strcmp(got, want) != 0) {
			/* The three may arrive in more than one read. */
			char all[256];

			snprintf(all, sizeof all, "%s", got);
			while (strlen(all) < strlen(want))
				strncat(all, server_read(f), sizeof all - strlen(all) - 1);
			assert_string_equal(all, want);
		}
	}
	server_send(f, "250 ok\r\n250 ok\r\n354 go\r\n");
	engine_status(f->engine, &st);
	assert_true(st.in_data);
	assert_string_equal(st.state, "in DATA");
	assert_int_equal(engine_submit(f->engine, ".hidden", 0, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), "..hidden\r\n");
	assert_int_equal(engine_submit(f->engine, ".", 0, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), ".\r\n");
	server_send(f, "250 queued\r\n");
	assert_string_equal(transcript_reply(engine_transcript(f->engine),
	    transcript_reply_count(engine_transcript(f->engine)) - 1)->after, "DATA-END");
	engine_status(f->engine, &st);
	assert_false(st.in_data);
	assert_string_equal(st.state, "after EHLO");
}

/* Every phase change is recorded, in order, outside the transcript: /data goes from "open" to
 * "data-wait", to "data" on the 354, and back to "open" once the message is out. */
static void
test_phases_recorded_through_data(void **state)
{
	struct fixture *f = *state;
	struct engine_answer a;
	struct engine_phase_change changes[64];
	char path[] = "/tmp/smtpscope-test-phase-XXXXXX";
	const char *want[][2] = { { "idle", "connecting" }, { "connecting", "open" },
		{ "open", "data-wait" }, { "data-wait", "data" }, { "data", "open" },
		{ "open", "closed" } };
	size_t n, i, entries;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "Subject: x\n\nbody\n", 17), 17);
	close(fd);
	greet(f);
	assert_string_equal(engine_phase(f->engine), "open");
	entries = transcript_count(engine_transcript(f->engine));
	assert_int_equal(engine_submit(f->engine, "/data does-not-exist.eml", 0, &a), ENGINE_ERROR);
	engine_answer_clear(&a);
	assert_string_equal(engine_phase(f->engine), "open");
	assert_int_equal(transcript_count(engine_transcript(f->engine)), entries);
	snprintf(f->target, sizeof f->target, "/data %s", path);
	assert_int_equal(engine_submit(f->engine, f->target, ENGINE_FORCE, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(engine_phase(f->engine), "data-wait");
	assert_string_equal(server_read(f), "DATA\r\n");
	server_send(f, "354 go\r\n");
	assert_string_equal(server_read(f), "Subject: x\r\n\r\nbody\r\n.\r\n");
	assert_string_equal(engine_phase(f->engine), "open");
	server_send(f, "250 queued\r\n");
	assert_int_equal(engine_submit(f->engine, "/disconnect", 0, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	n = engine_phase_history(f->engine, changes, 64);
	assert_int_equal(n, sizeof want / sizeof want[0]);
	for (i = 0; i < n; i++) {
		assert_string_equal(changes[i].from, want[i][0]);
		assert_string_equal(changes[i].to, want[i][1]);
		assert_true(i == 0 || changes[i].at_us >= changes[i - 1].at_us);
	}
	unlink(path);
}

/* After 221 the engine stays busy until the server closes, so the next line of a script cannot
 * race the close; the close then ends the session as expected (no error). */
static void
test_busy_until_the_close_after_221(void **state)
{
	struct fixture *f = *state;
	struct engine_answer a;
	struct engine_status st;

	greet(f);
	assert_int_equal(engine_submit(f->engine, "QUIT", 0, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), "QUIT\r\n");
	server_send(f, "221 2.0.0 bye\r\n");
	engine_status(f->engine, &st);
	assert_true(st.connected);
	assert_true(st.waiting);
	assert_true(engine_timeout_ms(f->engine) >= 0);
	shutdown(f->server, SHUT_RDWR);
	pump(f, 500);
	engine_status(f->engine, &st);
	assert_false(st.connected);
	assert_false(st.waiting);
	assert_string_equal(engine_phase(f->engine), "closed");
	assert_true(has_entry(f, TRANSCRIPT_EVENT, "the server closed the connection"));
	assert_null(last_entry(f, TRANSCRIPT_ERROR));
}

static void
test_reply_timeout_closes_and_keeps_transcript(void **state)
{
	struct fixture *f = *state;
	struct engine_answer a;
	struct engine_status st;
	const struct transcript_entry *e;

	server_send(f, "220 mx.test ESMTP\r\n");
	assert_int_equal(engine_submit(f->engine, "NOOP", 0, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), "NOOP\r\n");
	pump(f, 800);
	e = last_entry(f, TRANSCRIPT_ERROR);
	assert_non_null(e);
	assert_string_equal(e->event, "reply-timeout");
	engine_status(f->engine, &st);
	assert_false(st.connected);
	assert_false(st.waiting);
	assert_int_equal(engine_timeout_ms(f->engine), -1);
	assert_int_equal(engine_submit(f->engine, "NOOP", 0, &a), ENGINE_ERROR);
	engine_answer_clear(&a);
}

/* A banner line and a stray 250 before the 220 are not the greeting: the 220 is, and the next
 * command's reply pairs with it. */
static void
test_lines_before_the_greeting(void **state)
{
	struct fixture *f = *state;
	struct transcript *t = engine_transcript(f->engine);
	struct engine_answer a;
	struct engine_status st;
	size_t n;

	server_send(f, "SSH-2.0-OpenSSH_9.2\r\n");
	server_send(f, "250 early\r\n");
	engine_status(f->engine, &st);
	assert_true(st.waiting);
	assert_string_equal(st.state, "greeting");
	assert_true(has_entry(f, TRANSCRIPT_WARNING, "a 250 before the greeting"));
	server_send(f, "220 mx.test ESMTP\r\n");
	n = transcript_reply_count(t);
	assert_int_equal(n, 3);
	assert_string_equal(transcript_reply(t, 0)->after, "before-greeting");
	assert_string_equal(transcript_reply(t, 1)->after, "before-greeting");
	assert_string_equal(transcript_reply(t, 2)->after, "greeting");
	assert_int_equal(engine_submit(f->engine, "NOOP", 0, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), "NOOP\r\n");
	server_send(f, "250 2.0.0 ok\r\n");
	assert_string_equal(transcript_reply(t, 3)->after, "NOOP");
}

/* A server that greets with a bad code is still explored: when nothing better follows, the odd
 * line is taken as the greeting and the session goes on. */
static void
test_bad_greeting_taken_when_nothing_follows(void **state)
{
	struct fixture *f = *state;
	struct engine_answer a;
	struct engine_status st;

	server_send(f, "2x0 odd greeting\r\n");
	pump(f, 400);
	engine_status(f->engine, &st);
	assert_true(st.connected);
	assert_false(st.waiting);
	assert_true(has_entry(f, TRANSCRIPT_WARNING, "no proper greeting followed"));
	assert_int_equal(engine_submit(f->engine, "NOOP", ENGINE_FORCE, &a), ENGINE_DONE);
	engine_answer_clear(&a);
	assert_string_equal(server_read(f), "NOOP\r\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_connect_greeting_and_listener, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capabilities_and_suggestions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_warning_then_force, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_asks_for_the_secret_and_masks_it, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_auth_cancelled_at_the_prompt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_line_wiped_from_the_output_buffer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_manual_auth_continuation_masked, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_auth_cram_md5_and_xoauth2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frontend_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_typed_by_hand, setup, teardown),
		cmocka_unit_test_setup_teardown(test_phases_recorded_through_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_until_the_close_after_221, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_timeout_closes_and_keeps_transcript,
		    setup_short_timeout, teardown),
		cmocka_unit_test_setup_teardown(test_lines_before_the_greeting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_greeting_taken_when_nothing_follows,
		    setup_short_timeout, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
