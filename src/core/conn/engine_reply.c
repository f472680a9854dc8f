/* engine_reply.c: a complete reply from the server: told to the session, kept in the
 * transcript (a flood of unsolicited ones only counted), its rule breaks noted, and handed to
 * the part that waits for it (AUTH, STARTTLS, /data and /bdat). */
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

static void
note_violations(struct engine *e, unsigned violations)
{
	char text[512] = "";
	size_t len = 0;
	int bit;

	for (bit = 0; bit < REPLY_V_COUNT; bit++)
		if (violations & (1u << bit))
			len += (size_t)snprintf(text + len, sizeof text - len, "%s%s",
			    len ? "; " : "", reply_violation_name((enum reply_violation)(1u << bit)));
	engine_recordf(e, TRANSCRIPT_WARNING, "protocol-violation", "the reply breaks the SMTP rules: %s",
	    text);
}

/* Says how many flooding replies were counted and not kept since the last note. */
void
engine_note_dropped(struct engine *e)
{
	if (e->unsolicited_dropped == 0)
		return;
	engine_recordf(e, TRANSCRIPT_INFO, NULL, "(%zu more replies no command asked for: counted, not "
	    "kept)", e->unsolicited_dropped);
	e->unsolicited_dropped = 0;
}

/* True when a reply no command asked for is past what a connection keeps of them (a count and
 * a size): from then on the flood is counted only; the first time says so. */
static bool
unsolicited_over_cap(struct engine *e, const struct reply *reply)
{
	size_t i, size = 0;

	for (i = 0; i < reply->nlines; i++)
		size += reply->lines[i].len;
	if (!e->flooded && e->unsolicited < ENGINE_UNSOLICITED_KEPT &&
	    (e->unsolicited == 0 || e->unsolicited_bytes + size <= ENGINE_UNSOLICITED_BYTES_KEPT)) {
		e->unsolicited++;
		e->unsolicited_bytes += size;
		return false;
	}
	if (!e->flooded)
		engine_recordf(e, TRANSCRIPT_WARNING, "unsolicited-reply", "%zu replies no command asked "
		    "for (%zu KiB) are all that is kept: the server floods the connection; from here "
		    "on they are counted, not kept (the transcript is truncated)", e->unsolicited,
		    e->unsolicited_bytes / 1024);
	e->flooded = true;
	return true;
}

void
engine_handle_reply(struct engine *e, struct reply *reply)
{
	struct session_outcome o;
	char state[40];
	const struct reply *kept;
	int64_t now = clock_mono_us(), latency;
	size_t index;
	unsigned violations = reply->violations;

	snprintf(state, sizeof state, "%s", session_state_key(e->session));
	session_reply(e->session, reply, now, &o);
	latency = o.sent_us >= 0 ? now - o.sent_us : -1;
	e->last_latency_us = latency;
	e->last_code = reply->code;
	snprintf(e->last_after, sizeof e->last_after, "%s", session_outcome_key(&o));
	e->activity_us = now;
	/* This reply ended a wait; the next one (pipelined, or after an answer) starts now. Lines
	 * before the greeting end nothing: the greeting's deadline stands. */
	if (!o.before_greeting)
		engine_reply_wait_start(e);
	e->pregreet_us = o.before_greeting ? now : 0;
	if (o.unsolicited && unsolicited_over_cap(e, reply)) {
		/* A flood: counted, not kept, so the transcript (and memory) stays bounded. */
		e->unsolicited_dropped++;
		if (o.closing)
			engine_expect_close(e);
		reply_free(reply);
		return;
	}
	engine_note_dropped(e);
	index = transcript_add_reply(e->transcript, reply, session_outcome_key(&o), state,
	    latency);
	engine_notify(e);
	kept = transcript_reply(e->transcript, index)->reply;
	if (violations != 0)
		note_violations(e, violations);
	if (o.before_greeting && kept->code == 0)
		engine_record(e, TRANSCRIPT_WARNING, "unsolicited-reply", false, "a line without a reply "
		    "code before the greeting: not taken as the greeting; still waiting for the "
		    "server's 220 (is this an SMTP server?)");
	else if (o.before_greeting)
		engine_recordf(e, TRANSCRIPT_WARNING, "unsolicited-reply", "a %03d before the greeting: a "
		    "server greets with 220 (or refuses with 554), so this is not taken as the "
		    "greeting; still waiting for it", kept->code);
	else if (o.unsolicited)
		engine_record(e, TRANSCRIPT_WARNING, "unsolicited-reply", false, "a reply no command asked "
		    "for: the server speaks out of turn (or it answers something sent earlier)");
	if (o.closing)
		engine_expect_close(e);
	engine_auth_reply(e, kept, &o);
	if (o.starttls_go && e->tls != NULL) {
		engine_record(e, TRANSCRIPT_WARNING, "starttls-twice", false, "a 220 to STARTTLS while TLS "
		    "is already up: ignored (TLS inside TLS is not a thing)");
		o.starttls_go = false;
	}
	if (o.starttls_go) {
		engine_tls_starttls_go(e);
		return;
	}
	engine_stream_reply(e, kept, &o);
	if (o.verb == SMTP_VERB_EHLO && reply_class(kept) == 2)
		engine_tls_after_ehlo(e);
	engine_flush(e);
}
