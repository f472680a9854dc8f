/* engine.c: one SMTP client session as a poll()-driven object: its lifecycle (new, close,
 * free), its phases (every change through engine_enter_phase, remembered for
 * engine_phase_history), and the transcript every other part records into. The other parts:
 * engine_io.c (output buffer, reads, poll), engine_reply.c (replies), engine_auth.c (/auth and
 * the AUTH exchange), engine_tls.c, engine_stream.c (/data, /bdat), engine_connect.c
 * (connecting, MX), engine_timer.c (deadlines), engine_submit.c (typed lines), engine_local.c
 * (local commands), engine_status.c (what front ends ask). */
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

static const char *const phase_keys[PHASE_COUNT] = {
	[PHASE_IDLE] = "idle", [PHASE_MX_LOOKUP] = "mx-lookup", [PHASE_CONNECTING] = "connecting",
	[PHASE_HANDSHAKE] = "tls-handshake", [PHASE_OPEN] = "open", [PHASE_DATA_WAIT] = "data-wait",
	[PHASE_DATA] = "data", [PHASE_BDAT] = "bdat", [PHASE_CLOSED] = "closed",
};

/* Every phase change goes through here and is remembered (not in the transcript: saved
 * sessions and the screen stay as they were; engine_phase_history shows the changes). */
void
engine_enter_phase(struct engine *e, enum engine_phase phase)
{
	struct engine_phase_change *c;

	if (e->phase == phase)
		return;
	c = &e->history[e->history_count % ENGINE_PHASE_HISTORY];
	c->from = phase_keys[e->phase];
	c->to = phase_keys[phase];
	c->at_us = clock_mono_us();
	e->history_count++;
	e->phase = phase;
}

bool
engine_is_open(const struct engine *e)
{
	return e->phase >= PHASE_OPEN && e->phase <= PHASE_BDAT;
}

bool
engine_is_streaming(const struct engine *e)
{
	return e->phase >= PHASE_DATA_WAIT && e->phase <= PHASE_BDAT;
}

bool
engine_is_connecting(const struct engine *e)
{
	return e->phase == PHASE_MX_LOOKUP || e->phase == PHASE_CONNECTING;
}

const char *
engine_phase(const struct engine *e)
{
	return phase_keys[e->phase];
}

size_t
engine_phase_history(const struct engine *e, struct engine_phase_change *out, size_t max)
{
	size_t kept = e->history_count < ENGINE_PHASE_HISTORY ? e->history_count :
	    ENGINE_PHASE_HISTORY;
	size_t first = e->history_count - kept, i;

	for (i = 0; i < kept && i < max; i++)
		out[i] = e->history[(first + i) % ENGINE_PHASE_HISTORY];
	return i;
}

void
engine_notify(struct engine *e)
{
	size_t count = transcript_count(e->transcript);

	while (e->notified < count) {
		size_t i = e->notified++;

		if (e->listener != NULL)
			e->listener(e->listener_ctx, i);
	}
}

size_t
engine_record(struct engine *e, enum transcript_kind kind, const char *event, bool secret,
    const char *text)
{
	size_t i = transcript_add(e->transcript, kind, text, strlen(text), event, secret);

	engine_notify(e);
	return i;
}

size_t
engine_recordf(struct engine *e, enum transcript_kind kind, const char *event, const char *fmt, ...)
{
	va_list ap;
	char *text;
	size_t i;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	i = engine_record(e, kind, event, false, text);
	free(text);
	return i;
}

/* Multi-line output quoting the peer (a certificate's names) as one entry per line, each
 * escaped: a certificate is as hostile as any reply. */
void
engine_record_lines(struct engine *e, enum transcript_kind kind, const char *text)
{
	const char *p = text, *nl;
	char *shown;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		shown = escape_str(p, (size_t)(nl - p), ESCAPE_NUL);
		transcript_add(e->transcript, kind, shown, strlen(shown), NULL, false);
		free(shown);
		p = *nl == '\n' ? nl + 1 : nl;
	}
	engine_notify(e);
}

struct engine *
engine_new(const struct engine_config *config)
{
	struct engine *e = xcalloc(1, sizeof *e);

	e->config = *config;
	e->cafile = config->cafile ? xstrdup(config->cafile) : NULL;
	e->dns_server = config->dns_server ? xstrdup(config->dns_server) : NULL;
	e->helo_name = xstrdup(config->helo_name ? config->helo_name : "localhost");
	e->config.cafile = e->cafile;
	e->config.dns_server = e->dns_server;
	e->config.helo_name = e->helo_name;
	if (e->config.connect_timeout_ms <= 0)
		e->config.connect_timeout_ms = ENGINE_CONNECT_TIMEOUT_MS;
	if (e->config.reply_timeout_ms <= 0)
		e->config.reply_timeout_ms = ENGINE_REPLY_TIMEOUT_MS;
	e->transcript = transcript_new();
	e->session = session_new();
	e->parser = reply_parser_new(NULL);
	e->fd = -1;
	e->phase = PHASE_IDLE;   /* the first phase: no change to record */
	e->last_latency_us = -1;
	e->out_cap = 4096;
	e->out = xcalloc(1, e->out_cap);
	return e;
}

/* Drops the connection (no QUIT) and everything tied to it. */
void
engine_close_connection(struct engine *e)
{
	net_connector_free(e->connector);
	e->connector = NULL;
	mx_query_free(e->mx_query);
	e->mx_query = NULL;
	if (e->tls != NULL) {
		tls_shutdown(e->tls);
		tls_free(e->tls);
		e->tls = NULL;
	}
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	engine_out_consume(e, e->out_len);
	e->tls_wants_write = false;
	e->read_more = false;
	engine_stream_free(e);
	engine_auth_reset(e);
	session_closed(e->session);
	reply_parser_free(e->parser);
	e->parser = reply_parser_new(NULL);
	engine_enter_phase(e, PHASE_CLOSED);
}

void
engine_fail(struct engine *e, const char *event, const char *text)
{
	engine_note_dropped(e);
	engine_recordf(e, TRANSCRIPT_ERROR, event, "%s", text);
	engine_close_connection(e);
	engine_record(e, TRANSCRIPT_EVENT, "closed", false, "connection closed");
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	engine_close_connection(e);
	session_free(e->session);
	reply_parser_free(e->parser);
	transcript_free(e->transcript);
	engine_free_suggestions(e);
	free(e->cafile);
	free(e->dns_server);
	free(e->helo_name);
	free(e->target);
	free(e->host);
	free(e->address);
	free(e->last_target);
	free(e->unverified_target);
	free(e->unverified_why);
	explicit_bzero(e->out, e->out_cap);
	free(e->out);
	free(e);
}

void
engine_allow_unverified(struct engine *e, const char *target, const char *why)
{
	free(e->unverified_target);
	free(e->unverified_why);
	e->unverified_target = target != NULL ? xstrdup(target) : NULL;
	e->unverified_why = why != NULL ? xstrdup(why) : NULL;
}

void
engine_set_listener(struct engine *e, void (*listener)(void *ctx, size_t entry), void *ctx)
{
	e->listener = listener;
	e->listener_ctx = ctx;
	e->notified = transcript_count(e->transcript);
}

struct transcript *
engine_transcript(struct engine *e)
{
	return e->transcript;
}

void
engine_note(struct engine *e, const char *text)
{
	engine_record(e, TRANSCRIPT_INFO, NULL, false, text);
}

bool
engine_shows_secrets(const struct engine *e)
{
	return e->config.show_secrets;
}
