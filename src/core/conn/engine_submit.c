/* engine_submit.c: a line the user typed: a local command (handed to engine_local.c), message
 * text in DATA, an answer to a 334, or an SMTP command checked by the session's guidance and
 * sent. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/conn/engine_internal.h"
#include "core/util/clock.h"

enum engine_result
engine_answer_text(struct engine_answer *answer, enum engine_result result, char *text)
{
	answer->text = text;
	return result;
}

enum engine_result
engine_not_connected(const struct engine *e, struct engine_answer *answer)
{
	if (engine_is_connecting(e))
		return engine_answer_text(answer, ENGINE_ERROR, xstrdup("still connecting: wait a moment"));
	if (e->phase == PHASE_HANDSHAKE)
		return engine_answer_text(answer, ENGINE_ERROR, xstrdup("the TLS handshake is still "
		    "running: wait a moment"));
	return engine_answer_text(answer, ENGINE_ERROR, xstrdup("not connected: /connect HOST[:PORT] "
	    "first"));
}

/* A line the user means for the server, after any guidance. */
void
engine_send_user_line(struct engine *e, const char *line)
{
	enum smtp_verb verb = smtp_command_verb(line, strlen(line), NULL, 0);
	char *shown = NULL;

	if (verb == SMTP_VERB_AUTH)
		shown = session_mask_line(e->session, line);
	else if ((verb == SMTP_VERB_EHLO || verb == SMTP_VERB_HELO) &&
	    strlen(line) < sizeof e->ehlo_line)
		snprintf(e->ehlo_line, sizeof e->ehlo_line, "%s", line);
	else if (verb == SMTP_VERB_QUIT)
		e->quit_sent = true;
	engine_send_line(e, line, shown);
	free(shown);
}

/* Guidance for a group of lines; true when the caller must return the warning. When forced,
 * the warning is kept in the transcript beside the command sent anyway. */
bool
engine_guidance(struct engine *e, const char *const *lines, size_t n, long long size,
    unsigned flags, struct engine_answer *answer)
{
	const char *event;
	char *text, *escaped;

	if (!session_check(e->session, lines, n, size, &event, &text))
		return false;
	/* A warning may quote what the server advertised (its AUTH mechanisms, its SIZE). */
	escaped = escape_str(text, strlen(text), ESCAPE_NUL);
	free(text);
	text = escaped;
	if (flags & ENGINE_FORCE) {
		engine_recordf(e, TRANSCRIPT_WARNING, event, "sent anyway: %s", text);
		free(text);
		return false;
	}
	answer->text = text;
	answer->event = xstrdup(event);
	return true;
}

static enum engine_result
submit_raw(struct engine *e, const char *line, unsigned flags, struct engine_answer *answer)
{
	if (!engine_is_open(e))
		return engine_not_connected(e, answer);
	if (strlen(line) > 64 * 1024)
		return engine_answer_text(answer, ENGINE_ERROR, xstrdup("line too long"));
	if (strpbrk(line, "\r\n") != NULL)
		return engine_answer_text(answer, ENGINE_ERROR, xstrdup("a line cannot hold CR or LF: "
		    "each line typed is sent with one CRLF at its end"));
	if (session_state(e->session) == SESSION_DATA && !engine_is_streaming(e)) {
		/* Message text typed by hand: dot-stuffed, "." alone ends it. */
		if (strcmp(line, ".") == 0) {
			engine_record(e, TRANSCRIPT_SENT, NULL, false, ".");
			engine_out_append(e, ".\r\n", 3);
			session_sent_data_end(e->session, clock_mono_us());
		} else {
			char *stuffed = line[0] == '.' ? xasprintf(".%s", line) : xstrdup(line);

			engine_record(e, TRANSCRIPT_SENT, NULL, false, stuffed);
			engine_out_append(e, stuffed, strlen(stuffed));
			engine_out_append(e, "\r\n", 2);
			free(stuffed);
		}
		e->activity_us = clock_mono_us();
		engine_flush(e);
		return ENGINE_DONE;
	}
	if (session_auth_continuing(e->session)) {
		/* The answer to a 334: a secret, masked in the transcript. */
		engine_send_line(e, line, session_line_is_secret(e->session, line, strlen(line),
		    NULL) ? ENGINE_MASK : NULL);
		engine_flush(e);
		return ENGINE_DONE;
	}
	if (engine_is_streaming(e))
		return engine_answer_text(answer, ENGINE_ERROR, xasprintf("%s is still being sent: wait "
		    "for its reply", e->message_name));
	if (engine_guidance(e, &line, 1, -1, flags, answer))
		return ENGINE_WARNING;
	engine_send_user_line(e, line);
	engine_flush(e);
	return ENGINE_DONE;
}

enum engine_result
engine_submit(struct engine *e, const char *line, unsigned flags, struct engine_answer *answer)
{
	memset(answer, 0, sizeof *answer);
	if (e->auth.awaiting_secret)
		engine_auth_reset(e);
	if (line[0] == '/' && line[1] == '/')
		return submit_raw(e, line + 1, flags, answer);
	if (line[0] == '/' && !(session_state(e->session) == SESSION_DATA &&
	    !engine_is_streaming(e)))
		return engine_submit_local(e, line, flags, answer);
	return submit_raw(e, line, flags, answer);
}

void
engine_answer_clear(struct engine_answer *answer)
{
	if (answer == NULL)
		return;
	if (answer->text != NULL)
		explicit_bzero(answer->text, strlen(answer->text));  /* may be a /b64 result */
	free(answer->text);
	free(answer->event);
	command_clear(&answer->command);
	memset(answer, 0, sizeof *answer);
}
