/* engine_tls.c: TLS on the engine's connection: starting the handshake (implicit TLS or after
 * STARTTLS's 220), driving it, the verification verdict, and what changes once TLS is up. */
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

void
engine_tls_begin(struct engine *e, bool after_starttls)
{
	char *err = NULL;

	e->tls = tls_new(e->fd, e->host, e->cafile, &err);
	if (e->tls == NULL) {
		engine_fail(e, "tls-handshake-failed", err);
		free(err);
		return;
	}
	e->starttls_handshake = after_starttls;
	/* A message being streamed does not survive the switch (a server that says 220 to a
	 * STARTTLS pipelined with BDAT): what follows is a new conversation. */
	engine_stream_free(e);
	engine_enter_phase(e, PHASE_HANDSHAKE);
	e->handshake_start_us = clock_mono_us();
	engine_recordf(e, TRANSCRIPT_EVENT, NULL, "TLS handshake with %s (server name %s)...",
	    e->address, e->host);
}

static void
handshake_done(struct engine *e)
{
	const char *event = tls_verify_event(e->tls);

	/* --insecure covers every connection; the practice server's leniency only its own */
	bool lenient = e->config.insecure || (e->unverified_target != NULL && e->target != NULL &&
	    strcmp(e->target, e->unverified_target) == 0);
	const char *why = e->config.insecure ? e->config.insecure_why : e->unverified_why;

	e->verified = event == NULL;
	if (!e->verified) {
		if (!lenient) {
			char *text = xasprintf("certificate verification failed: %s; the session "
			    "stops here (--cafile FILE trusts a private CA; --insecure goes on "
			    "without verification)", tls_verify_words(e->tls));

			engine_fail(e, event, text);
			free(text);
			return;
		}
		engine_recordf(e, TRANSCRIPT_WARNING, event, "certificate NOT verified: %s; going on "
		    "because of %s: anyone in the path could be reading this session",
		    tls_verify_words(e->tls), why != NULL ? why : "--insecure");
	}
	engine_enter_phase(e, PHASE_OPEN);
	e->activity_us = clock_mono_us();
	engine_recordf(e, TRANSCRIPT_EVENT, "tls-up", "TLS is up: %s, %s, certificate %s (%.1f ms)",
	    tls_version(e->tls), tls_cipher(e->tls),
	    e->verified ? "verified" : "NOT verified",
	    (double)(clock_mono_us() - e->handshake_start_us) / 1000.0);
	/* With implicit TLS nothing was said before it, so only the TLS flag changes; after
	 * STARTTLS what the server said before is void. */
	session_tls_started(e->session);
	if (e->starttls_handshake) {
		engine_record(e, TRANSCRIPT_WARNING, "capabilities-reset", false, "the EHLO capabilities "
		    "from before TLS are forgotten (RFC 3207): send EHLO again");
		if (e->auto_ehlo) {
			char again[sizeof e->ehlo_line];

			/* A copy: send_user_line remembers the line in ehlo_line itself. */
			snprintf(again, sizeof again, "%s", e->ehlo_line[0] ? e->ehlo_line :
			    "EHLO localhost");
			e->auto_ehlo = false;
			engine_send_user_line(e, again);
		}
	}
	engine_flush(e);
}

void
engine_tls_handshake(struct engine *e)
{
	char *err = NULL;
	enum tls_io io = tls_handshake(e->tls, &err);

	e->tls_wants_write = io == TLS_IO_WANT_WRITE;
	if (io == TLS_IO_WANT_READ || io == TLS_IO_WANT_WRITE)
		return;
	if (io != TLS_IO_OK) {
		engine_fail(e, "tls-handshake-failed", err ? err : "TLS handshake failed");
		free(err);
		return;
	}
	handshake_done(e);
}

void
engine_tls_starttls_go(struct engine *e)
{
	struct reply *more;
	size_t extra = 0;

	/* Whatever came with or after the 220 was sent before TLS protects anything: throw it
	 * away (the STARTTLS injection class, CVE-2011-0411). */
	while ((more = reply_parser_next(e->parser)) != NULL) {
		extra += more->nlines;
		reply_free(more);
	}
	if (extra > 0 || reply_parser_pending(e->parser))
		engine_recordf(e, TRANSCRIPT_WARNING, "starttls-injection", "%zu line(s) arrived "
		    "after the 220 to STARTTLS and before TLS: discarded unread (a server, or "
		    "someone in the path, injected them)", extra +
		    (reply_parser_pending(e->parser) ? 1 : 0));
	reply_parser_free(e->parser);
	e->parser = reply_parser_new(NULL);
	engine_tls_begin(e, true);
}

void
engine_tls_after_ehlo(struct engine *e)
{
	if (e->config.tls != ENGINE_TLS_STARTTLS || e->auto_starttls_done || e->tls != NULL)
		return;
	e->auto_starttls_done = true;
	if (!session_has(e->session, "STARTTLS")) {
		engine_record(e, TRANSCRIPT_ERROR, "starttls-not-advertised", false, "--starttls "
		    "was asked, but the server does not offer STARTTLS: the session stays "
		    "unencrypted");
	} else {
		engine_record(e, TRANSCRIPT_EVENT, NULL, false, "starting TLS as --starttls asks");
		e->auto_ehlo = true;
		engine_send_line(e, "STARTTLS", NULL);
	}
}
