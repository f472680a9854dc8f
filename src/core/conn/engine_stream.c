/* engine_stream.c: /data and /bdat: a message file streamed into the output buffer in pieces
 * (DATA after its 354, or BDAT chunks, pipelined when offered), shown in the transcript up to a
 * number of lines. */
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

/* Lets go of the message being streamed (its file, its buffers). */
void
engine_stream_free(struct engine *e)
{
	message_file_close(e->message);
	e->message = NULL;
	free(e->message_name);
	e->message_name = NULL;
	free(e->bdat_buf);
	e->bdat_buf = NULL;
	free(e->log_line);
	e->log_line = NULL;
}

/* The message is done with (sent, refused or given up): back to the open connection. */
void
engine_stream_stop(struct engine *e)
{
	engine_stream_free(e);
	if (engine_is_streaming(e))
		engine_enter_phase(e, PHASE_OPEN);
}

/* Records the wire bytes of message text as C: lines (the first few hundred); past those the
 * lines are only counted, a memchr per line rather than a test per byte. */
static void
log_message_bytes(struct engine *e, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl;

	if (e->log_line == NULL)
		e->log_line = xmalloc(ENGINE_LOG_LINE_MAX + 4);
	while (p < end && e->message_lines < ENGINE_MESSAGE_LINES_SHOWN) {
		char c = *p++;

		/* The text is already normalised: every CR is part of a CRLF. */
		if (c == '\r')
			continue;
		if (c == '\n') {
			if (e->log_cut) {
				memcpy(e->log_line + e->log_len, "...", 3);
				e->log_len += 3;
			}
			transcript_add(e->transcript, TRANSCRIPT_SENT, e->log_line, e->log_len, NULL,
			    false);
			e->message_lines++;
			e->log_len = 0;
			e->log_cut = false;
			continue;
		}
		if (e->log_len < ENGINE_LOG_LINE_MAX)
			e->log_line[e->log_len++] = c;
		else
			e->log_cut = true;
	}
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		e->message_lines++;
		p = nl + 1;
	}
	engine_notify(e);
}

static void
message_done_note(struct engine *e)
{
	if (e->message_lines > ENGINE_MESSAGE_LINES_SHOWN)
		engine_recordf(e, TRANSCRIPT_INFO, NULL, "(%zu more message lines sent, not shown)",
		    e->message_lines - ENGINE_MESSAGE_LINES_SHOWN);
}

/* Sends the next BDAT chunk: "BDAT n [LAST]" and n octets. */
static void
bdat_send_chunk(struct engine *e)
{
	long n = message_file_read(e->message, e->bdat_buf, e->bdat_chunk);
	bool last;
	char line[64];

	if (n < 0) {
		engine_recordf(e, TRANSCRIPT_ERROR, NULL, "cannot read %s: %s", e->message_name,
		    strerror(errno));
		n = 0;
	}
	last = n < (long)e->bdat_chunk || e->message_sent + n >= message_file_size(e->message);
	snprintf(line, sizeof line, "BDAT %ld%s", n, last ? " LAST" : "");
	engine_send_line(e, line, NULL);
	engine_out_append(e, e->bdat_buf, (size_t)n);
	engine_recordf(e, TRANSCRIPT_INFO, NULL, "(%ld octets of %s follow BDAT, sent as they are)", n,
	    e->message_name);
	e->message_sent += n;
	e->bdat_in_flight++;
	e->bdat_last_sent = last;
}

/* Sends chunks until the window is full: two when the server offers PIPELINING, so that it
 * never waits for the next chunk while its reply travels (the lock-step of one chunk at a
 * time left client and server idle in turn: 100 MB took a third longer than with DATA);
 * one at a time otherwise. */
static void
bdat_fill(struct engine *e)
{
	int window = session_has(e->session, "PIPELINING") ? ENGINE_BDAT_WINDOW : 1;

	while (e->phase == PHASE_BDAT && !e->bdat_last_sent && e->bdat_in_flight < window)
		bdat_send_chunk(e);
}

/* Tops up the output buffer with message text during /data, then the final dot. */
void
engine_stream_refill(struct engine *e)
{
	long n;

	if (e->phase != PHASE_DATA)
		return;
	/* Straight into the output buffer: one copy of the message fewer. */
	engine_out_reserve(e, ENGINE_STREAM_PIECE);
	n = message_file_read(e->message, e->out + e->out_len, ENGINE_STREAM_PIECE);
	if (n > 0) {
		e->out_len += (size_t)n;
		log_message_bytes(e, e->out + e->out_len - n, (size_t)n);
		e->message_sent += n;
		return;
	}
	if (n < 0)
		engine_recordf(e, TRANSCRIPT_ERROR, NULL, "cannot read %s: %s (the message is cut short)",
		    e->message_name, strerror(errno));
	message_done_note(e);
	engine_out_append(e, ".\r\n", 3);
	engine_record(e, TRANSCRIPT_SENT, NULL, false, ".");
	session_sent_data_end(e->session, clock_mono_us());
	engine_stream_stop(e);
}

enum engine_result
engine_local_message(struct engine *e, const struct command *cmd, bool bdat, unsigned flags,
    struct engine_answer *answer)
{
	struct message_file *m;
	const char *line = bdat ? "BDAT 0 LAST" : "DATA";
	char *err = NULL, *end;
	long chunk = ENGINE_BDAT_DEFAULT;

	if (engine_is_streaming(e))
		return engine_answer_text(answer, ENGINE_ERROR, xasprintf("%s is still being sent",
		    e->message_name));
	if (session_state(e->session) == SESSION_DATA)
		return engine_answer_text(answer, ENGINE_ERROR, xstrdup("already in DATA: end the message "
		    "with a line holding a single \".\" first"));
	if (bdat && cmd->argc > 1) {
		errno = 0;
		chunk = strtol(cmd->argv[1], &end, 10);
		if (*end != '\0' || errno != 0 || chunk < 1 || chunk > ENGINE_BDAT_MAX)
			return engine_answer_text(answer, ENGINE_ERROR, xasprintf("CHUNK must be a number "
			    "of octets from 1 to %d", ENGINE_BDAT_MAX));
	}
	m = message_file_open(cmd->argv[0], !bdat, &err);
	if (m == NULL)
		return engine_answer_text(answer, ENGINE_ERROR, err);
	if (engine_guidance(e, &line, 1, message_file_size(m), flags, answer)) {
		message_file_close(m);
		return ENGINE_WARNING;
	}
	e->message = m;
	e->message_name = xstrdup(cmd->argv[0]);
	e->message_sent = 0;
	e->message_lines = 0;
	e->log_len = 0;
	e->log_cut = false;
	if (bdat) {
		e->bdat_chunk = (size_t)chunk;
		e->bdat_buf = xmalloc(e->bdat_chunk);
		e->bdat_in_flight = 0;
		e->bdat_last_sent = false;
		engine_enter_phase(e, PHASE_BDAT);
		bdat_fill(e);
	} else {
		engine_enter_phase(e, PHASE_DATA_WAIT);
		engine_send_line(e, "DATA", NULL);
	}
	engine_flush(e);
	return ENGINE_DONE;
}

void
engine_stream_reply(struct engine *e, const struct reply *kept, const struct session_outcome *o)
{
	if (o->verb == SMTP_VERB_DATA) {
		if (o->data_go && e->phase == PHASE_DATA_WAIT) {
			engine_enter_phase(e, PHASE_DATA);
			e->write_progress_us = clock_mono_us();
			engine_recordf(e, TRANSCRIPT_INFO, NULL, "sending %s (%lld octets on the wire)",
			    e->message_name, message_file_size(e->message));
		} else if (o->data_go) {
			engine_record(e, TRANSCRIPT_INFO, NULL, false, "type the message: header "
			    "lines, an empty line, the body; a line with a single \".\" ends it");
		} else if (e->phase == PHASE_DATA_WAIT) {
			engine_recordf(e, TRANSCRIPT_INFO, NULL, "%s not sent: DATA was refused",
			    e->message_name);
			engine_stream_stop(e);
		}
	}
	if (o->verb == SMTP_VERB_BDAT && e->phase == PHASE_BDAT) {
		if (e->bdat_in_flight > 0)
			e->bdat_in_flight--;
		if (reply_class(kept) != 2 || o->bdat_last) {
			if (reply_class(kept) != 2)
				engine_recordf(e, TRANSCRIPT_INFO, NULL, "the rest of %s is not sent: "
				    "BDAT was refused", e->message_name);
			engine_stream_stop(e);
		} else
			bdat_fill(e);
	}
}
