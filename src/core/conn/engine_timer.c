/* engine_timer.c: the engine's deadlines: the reply timeout (from a command leaving to its
 * reply's end), the TLS handshake and a server that stops reading, the grace for a line before
 * the greeting, and asking a running connect or MX look-up how it goes. */
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

/* A new wait for a reply begins: the reply timeout counts from here. */
void
engine_reply_wait_start(struct engine *e)
{
	e->wait_start_us = clock_mono_us();
	e->wait_rx = 0;
}

/* The deadline: a handshake runs (from its start), output waits for a server that takes none
 * of it (from its last progress), or a command waits for its reply (from the moment it left,
 * to the reply's end: bytes trickling in do not push it back). */
/* When the line that came before the greeting is taken as the greeting, if nothing better
 * comes. */
static int64_t
pregreet_deadline(const struct engine *e)
{
	int grace = e->config.reply_timeout_ms / 2 < ENGINE_PREGREET_GRACE_MS ?
	    e->config.reply_timeout_ms / 2 : ENGINE_PREGREET_GRACE_MS;

	return e->pregreet_us + (int64_t)grace * 1000;
}

static int64_t
reply_deadline(const struct engine *e)
{
	int64_t limit = (int64_t)e->config.reply_timeout_ms * 1000;

	if (e->phase == PHASE_HANDSHAKE)
		return e->handshake_start_us + limit;
	if (!engine_is_open(e))
		return -1;
	if (e->out_len > 0)
		return e->write_progress_us + limit;
	if (session_pending(e->session) > 0) {
		if (e->pregreet_us > 0 && pregreet_deadline(e) < e->wait_start_us + limit)
			return pregreet_deadline(e);
		return e->wait_start_us + limit;
	}
	return -1;
}

int
engine_timeout_ms(const struct engine *e)
{
	int64_t deadline, left;

	if (e->phase == PHASE_MX_LOOKUP)
		return e->mx_wait_ms;
	if (e->phase == PHASE_CONNECTING && e->connector != NULL)
		return net_connector_timeout_ms(e->connector);
	if (engine_is_open(e) && e->read_more)
		return 0;
	deadline = reply_deadline(e);
	if (engine_close_pending(e) && (deadline < 0 || e->close_wait_until_us < deadline))
		deadline = e->close_wait_until_us;
	if (deadline < 0)
		return -1;
	left = deadline - clock_mono_us();
	return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

void
engine_check_timers(struct engine *e)
{
	int64_t deadline = reply_deadline(e);
	char *text, secs[32], waiting[48];
	const char *what;
	struct reply *cut;
	bool partial;
	int ms;

	if (e->phase == PHASE_MX_LOOKUP) {
		if (mx_query_done(e->mx_query))
			engine_mx_finished(e);
		else if (e->mx_wait_ms < ENGINE_MX_POLL_MS)
			e->mx_wait_ms = e->mx_wait_ms * 2 < ENGINE_MX_POLL_MS ? e->mx_wait_ms * 2 :
			    ENGINE_MX_POLL_MS;
		return;
	}
	if (e->phase == PHASE_CONNECTING && e->connector != NULL) {
		/* Asks after a name being resolved, or a connect attempt past its deadline. */
		engine_connector_step(e, 0);
		return;
	}
	if (deadline < 0 || clock_mono_us() < deadline)
		return;
	if (e->pregreet_us > 0 && e->out_len == 0 && !reply_parser_pending(e->parser)) {
		/* Nothing better followed (in the grace time, or before the greeting's own deadline
		 * when lines kept coming): the last of those lines was the greeting after all. */
		e->pregreet_us = 0;
		session_skip_greeting(e->session);
		engine_reply_wait_start(e);
		engine_record(e, TRANSCRIPT_WARNING, "unsolicited-reply", false, "no proper greeting "
		    "followed: going on as if the line before were the greeting (expect anything "
		    "from this server)");
		return;
	}
	ms = e->config.reply_timeout_ms;
	if (ms % 1000 == 0)
		snprintf(secs, sizeof secs, "%d s", ms / 1000);
	else
		snprintf(secs, sizeof secs, "%.1f s", ms / 1000.0);
	if (e->phase == PHASE_HANDSHAKE) {
		text = xasprintf("the TLS handshake did not finish in %s", secs);
		engine_fail(e, "reply-timeout", text);
		free(text);
		return;
	}
	if (e->out_len > 0) {
		text = xasprintf("the server stopped reading: %zu octets%s%s waited %s without any "
		    "of them being taken; giving up on this connection", e->out_len,
		    e->message_name ? " of " : "", e->message_name ? e->message_name : "", secs);
		engine_fail(e, "reply-timeout", text);
		free(text);
		return;
	}
	what = session_waiting_for(e->session);
	if (what != NULL && strcmp(what, "greeting") == 0)
		snprintf(waiting, sizeof waiting, "greeting");
	else if (what != NULL)
		snprintf(waiting, sizeof waiting, "reply to %s", what);
	else
		snprintf(waiting, sizeof waiting, "reply");
	partial = reply_parser_pending(e->parser);
	if (!partial && e->wait_rx == 0)
		text = xasprintf("no %s in %s; giving up on this connection (a slow server may need "
		    "--timeout)", waiting, secs);
	else if (e->wait_rx > 0 && (e->last_rx_us - e->first_rx_us) * 2 >=
	    (int64_t)e->config.reply_timeout_ms * 1000)
		/* Bytes kept coming over half the wait or more: a trickle, not one lost piece. */
		text = xasprintf("the %s did not complete in %s: part of a reply arrived (%zu "
		    "octets) and more kept trickling in (a tarpit, or a reply without end); giving "
		    "up on this connection", waiting, secs, e->wait_rx);
	else
		text = xasprintf("the %s did not complete in %s: part of a reply arrived, then "
		    "nothing; giving up on this connection (a slow server may need --timeout)",
		    waiting, secs);
	/* What did arrive is kept (escaped like any reply), as when the server closes mid-reply;
	 * recorded only, not acted on: the reply is not complete. */
	while ((cut = reply_parser_finish(e->parser)) != NULL) {
		transcript_add_reply(e->transcript, cut, what, session_state_key(e->session), -1);
		engine_notify(e);
	}
	engine_fail(e, "reply-timeout", text);
	free(text);
}

void
engine_expect_close(struct engine *e)
{
	int wait = e->config.reply_timeout_ms / 2 < ENGINE_CLOSE_WAIT_MS ?
	    e->config.reply_timeout_ms / 2 : ENGINE_CLOSE_WAIT_MS;

	if (!e->closing)
		e->close_wait_until_us = clock_mono_us() + (int64_t)wait * 1000;
	e->closing = true;
}

bool
engine_close_pending(const struct engine *e)
{
	return e->closing && engine_is_open(e) && e->close_wait_until_us > clock_mono_us();
}
