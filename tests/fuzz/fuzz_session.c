/* fuzz_session.c: libFuzzer target for the session tracker, driven the way the engine drives it.
 * Each input line is one event, named by its first byte: C sends a line (after session_check),
 * P checks a /pipeline group ('|' between its lines) and sends it, S is a line from the server
 * (through the reply parser; each complete reply goes to session_reply), E the final dot of a
 * message, O connected, T TLS up, X closed, G greeting skipped, U the user of an AUTH. After
 * every event the tracker's state must hold together. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto/reply.h"
#include "core/proto/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_GROUP 8

static void
check_state(struct session *s)
{
	const char *const *words;
	const char *out[8];
	size_t i, n;
	char *masked;

	if (session_state(s) > SESSION_CLOSED || session_state_name(s) == NULL)
		abort();
	if ((session_pending(s) == 0) != (session_waiting_for(s) == NULL))
		abort();
	if (session_pending(s) == 0 && session_oldest_sent(s) != -1)
		abort();
	n = session_capabilities(s, &words);
	if (n > 0 && !session_capabilities_known(s))
		abort();
	for (i = 0; i < n; i++) {
		if (words[i][0] == '\0' || !session_has(s, words[i]))
			abort();
	}
	n = session_auth_mechanisms(s, &words);
	for (i = 0; i < n; i++)
		if (words[i] == NULL)
			abort();
	if (session_size_limit(s) < -1)
		abort();
	n = session_suggest(s, "fuzz.example", out, 8);
	if (n > 8)
		abort();
	for (i = 0; i < n; i++)
		if (out[i] == NULL)
			abort();
	masked = session_mask_line(s, "AUTH PLAIN AGFAYg==");
	if (masked == NULL || strstr(masked, "AGFAYg") != NULL)
		abort();
	free(masked);
}

static void
send_lines(struct session *s, char *text, size_t len, bool group, int64_t now)
{
	const char *lines[MAX_GROUP];
	const char *event;
	char *warning;
	size_t n = 0, i;
	char *p = text;

	text[len] = '\0';
	if (group) {
		while (n < MAX_GROUP) {
			char *bar = strchr(p, '|');

			lines[n++] = p;
			if (bar == NULL)
				break;
			*bar = '\0';
			p = bar + 1;
		}
	} else {
		lines[n++] = p;
	}
	if (session_check(s, lines, n, (long long)len - 1, &event, &warning)) {
		if (event == NULL || warning == NULL)
			abort();
		free(warning);
	} else if (event != NULL || warning != NULL) {
		abort();
	}
	for (i = 0; i < n; i++)
		session_sent(s, lines[i], now);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply_limits limits = { 256, 16 };
	struct reply_parser *parser = reply_parser_new(&limits);
	struct session *s = session_new();
	struct session_outcome o;
	struct reply *r;
	const char *p = (const char *)data, *end = p + size;
	char *buf = malloc(size + 1);
	int64_t now = 1;

	session_connected(s, now);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl != NULL ? nl : end) - p);
		char op = len > 0 ? p[0] : 'C';
		const char *arg = len > 0 ? p + 1 : p;
		size_t alen = len > 0 ? len - 1 : 0;

		now++;
		memcpy(buf, arg, alen);
		buf[alen] = '\0';
		switch (op) {
		case 'S':
			reply_parser_feed(parser, arg, alen);
			reply_parser_feed(parser, "\r\n", 2);
			while ((r = reply_parser_next(parser)) != NULL) {
				session_reply(s, r, now, &o);
				if (o.unsolicited && o.sent_us != -1 && !o.before_greeting)
					abort();
				reply_free(r);
			}
			break;
		case 'P':
			send_lines(s, buf, strnlen(buf, alen), true, now);
			break;
		case 'E':
			session_sent_data_end(s, now);
			break;
		case 'O':
			session_connected(s, now);
			break;
		case 'T':
			session_tls_started(s);
			if (session_capabilities_known(s) || !session_tls(s))
				abort();
			break;
		case 'X':
			session_closed(s);
			if (session_pending(s) != 0)
				abort();
			break;
		case 'G':
			session_skip_greeting(s);
			break;
		case 'U':
			session_set_auth_user(s, buf);
			break;
		default:
			send_lines(s, buf, strnlen(buf, alen), false, now);
			break;
		}
		check_state(s);
		p += len + (nl != NULL);
	}
	while ((r = reply_parser_finish(parser)) != NULL) {
		session_reply(s, r, now, &o);
		reply_free(r);
	}
	check_state(s);
	free(buf);
	session_free(s);
	reply_parser_free(parser);
	return 0;
}
