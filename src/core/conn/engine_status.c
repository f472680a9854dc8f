/* engine_status.c: what the front ends ask the engine between events: the status bar's facts,
 * suggestions for the next line, the capabilities and AUTH mechanisms for completion. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/conn/engine_internal.h"

void
engine_free_suggestions(struct engine *e)
{
	size_t i;

	for (i = 0; i < ENGINE_MAX_SUGGEST; i++) {
		free(e->suggestions[i]);
		e->suggestions[i] = NULL;
	}
}

const struct session *
engine_session(const struct engine *e)
{
	return e->session;
}

void
engine_status(const struct engine *e, struct engine_status *st)
{
	struct engine *m = (struct engine *)e;

	memset(st, 0, sizeof *st);
	st->connected = engine_is_open(e) || e->phase == PHASE_HANDSHAKE;
	st->peer = e->phase == PHASE_IDLE ? NULL : e->host;
	if (!st->connected && !engine_is_connecting(e))
		st->peer = NULL;
	st->address = e->address;
	st->port = e->port;
	st->tls = e->tls != NULL && engine_is_open(e);
	st->verified = st->tls && e->verified;
	st->tls_version = st->tls ? tls_version(e->tls) : NULL;
	st->user = session_user(e->session);
	switch (e->phase) {
	case PHASE_MX_LOOKUP:
	case PHASE_CONNECTING:
		snprintf(m->state_text, sizeof m->state_text, "connecting");
		st->state_key = "connecting";
		break;
	case PHASE_HANDSHAKE:
		snprintf(m->state_text, sizeof m->state_text, "TLS handshake");
		st->state_key = "tls-handshake";
		break;
	default:
		snprintf(m->state_text, sizeof m->state_text, "%s",
		    session_state_name(e->session));
		st->state_key = session_state_key(e->session);
	}
	st->state = e->state_text;
	st->last_latency_us = e->last_latency_us;
	/* After a 334 to an AUTH typed by hand the server waits for the user's next line, so the
	 * user is not waiting for anything (a /auth the engine drives answers by itself). */
	st->waiting = engine_is_connecting(e) || e->phase == PHASE_HANDSHAKE ||
	    engine_close_pending(e) ||
	    (engine_is_open(e) && ((session_pending(e->session) > 0 &&
	    !(session_auth_continuing(e->session) && !e->auth.active)) ||
	    engine_is_streaming(e) || e->out_len > 0));
	st->in_data = engine_is_open(e) && session_state(e->session) == SESSION_DATA &&
	    !engine_is_streaming(e);
}

size_t
engine_suggest_next(const struct engine *e, const char **out, size_t max)
{
	struct engine *m = (struct engine *)e;
	const char *base[ENGINE_MAX_SUGGEST];
	size_t n = 0, i, k;
	char code[4];

	engine_free_suggestions(m);
	/* The knowledge base's advice for the last reply comes first. */
	if (e->config.kb != NULL && e->last_code >= 200 && e->last_code <= 599 &&
	    engine_is_open(e)) {
		const struct kb_entry *entry;
		const char *next;

		snprintf(code, sizeof code, "%d", e->last_code);
		entry = kb_find(e->config.kb, "code", code, e->last_after);
		next = entry != NULL ? kb_field(e->config.kb, entry, "next") : NULL;
		while (next != NULL && *next != '\0' && n < max && n < ENGINE_MAX_SUGGEST / 2) {
			const char *nl = strchr(next, '\n');
			size_t len = nl ? (size_t)(nl - next) : strlen(next);

			if (len > 0)
				m->suggestions[n++] = xstrndup(next, len);
			next = nl ? nl + 1 : next + len;
		}
	}
	k = session_suggest(e->session, e->helo_name, base, ENGINE_MAX_SUGGEST);
	for (i = 0; i < k && n < max && n < ENGINE_MAX_SUGGEST; i++)
		m->suggestions[n++] = xstrdup(base[i]);
	for (i = 0; i < n; i++)
		out[i] = m->suggestions[i];
	return n;
}

size_t
engine_capabilities(const struct engine *e, const char *const **keywords)
{
	return session_capabilities(e->session, keywords);
}

size_t
engine_auth_mechanisms(const struct engine *e, const char *const **mechanisms)
{
	return session_auth_mechanisms(e->session, mechanisms);
}
