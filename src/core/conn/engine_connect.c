/* engine_connect.c: connecting the engine: a host or address (through the non-blocking
 * connector) or @domain (its best MX, looked up without blocking), and what a new connection
 * resets. */
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
connector_note(void *ctx, const char *event, const char *text, bool failure)
{
	struct engine *e = ctx;

	engine_record(e, failure ? TRANSCRIPT_ERROR : TRANSCRIPT_EVENT, event, false, text);
}

void
engine_connected(struct engine *e, int fd, char *address)
{
	e->fd = fd;
	free(e->address);
	e->address = address;
	net_connector_free(e->connector);
	e->connector = NULL;
	e->quit_sent = e->closing = false;
	e->close_wait_until_us = 0;
	e->auto_starttls_done = false;
	e->auto_ehlo = false;
	e->verified = false;
	reply_parser_free(e->parser);
	e->parser = reply_parser_new(NULL);
	session_connected(e->session, clock_mono_us());
	e->activity_us = clock_mono_us();
	e->unsolicited = e->unsolicited_dropped = e->unsolicited_bytes = 0;
	e->flooded = false;
	e->pregreet_us = 0;
	engine_reply_wait_start(e);
	if (e->config.tls == ENGINE_TLS_IMPLICIT) {
		engine_tls_begin(e, false);
		if (e->phase == PHASE_HANDSHAKE)
			engine_tls_handshake(e);
	} else {
		engine_enter_phase(e, PHASE_OPEN);
	}
}

/* Starts connecting to a host name or address (with an optional port). */
static int
connect_host(struct engine *e, const char *name, int default_port, char **errstr)
{
	const char *event = NULL;
	char *host = NULL;
	int port;

	if (net_parse_target(name, default_port, &host, &port, errstr) < 0)
		return -1;
	free(e->host);
	e->host = host;
	e->port = port;
	free(e->address);
	e->address = NULL;
	engine_recordf(e, TRANSCRIPT_EVENT, NULL, "connecting to %s port %d%s", host, port,
	    e->config.tls == ENGINE_TLS_IMPLICIT ? " (implicit TLS)" : "");
	engine_enter_phase(e, PHASE_CONNECTING);
	e->connector = net_connector_new(host, port, e->config.connect_timeout_ms,
	    connector_note, e, &event);
	if (e->connector == NULL) {
		engine_recordf(e, TRANSCRIPT_ERROR, event, "could not connect to %s port %d", host, port);
		engine_enter_phase(e, PHASE_CLOSED);
	}
	return 0;
}

/* The MX look-up for @domain came back: connect to the best exchanger. */
void
engine_mx_finished(struct engine *e)
{
	const char *event = NULL;
	char *err = NULL;
	struct mx_list *mx = mx_query_result(e->mx_query, &err, &event);
	const char *domain = e->target + 1;
	size_t i;

	mx_query_free(e->mx_query);
	e->mx_query = NULL;
	if (mx == NULL) {
		engine_record(e, TRANSCRIPT_ERROR, event, false, err ? err : "the MX look-up failed");
		free(err);
		engine_enter_phase(e, PHASE_CLOSED);
		return;
	}
	if (mx->null_mx) {
		engine_recordf(e, TRANSCRIPT_ERROR, "null-mx", "%s publishes a null MX (RFC 7504): it "
		    "accepts no mail", domain);
		engine_enter_phase(e, PHASE_CLOSED);
	} else {
		for (i = 0; i < mx->count && !mx->implicit; i++)
			engine_recordf(e, TRANSCRIPT_EVENT, NULL, "  MX %d %s%s", mx->hosts[i].preference,
			    mx->hosts[i].host, i == 0 ? "  <- best, used" : "");
		if (mx->implicit)
			engine_recordf(e, TRANSCRIPT_EVENT, NULL, "no MX records: using %s itself (RFC 5321 "
			    "section 5.1)", domain);
		if (connect_host(e, mx->hosts[0].host, e->mx_port, &err) < 0) {
			engine_recordf(e, TRANSCRIPT_ERROR, "dns-failure", "the MX host is unusable: %s", err);
			free(err);
			engine_enter_phase(e, PHASE_CLOSED);
		}
	}
	mx_list_free(mx);
}

int
engine_connect(struct engine *e, const char *target, int default_port, char **errstr)
{
	if (engine_is_connecting(e) || e->phase == PHASE_HANDSHAKE || engine_is_open(e)) {
		*errstr = xstrdup("already connected: /disconnect (or QUIT) first");
		return -1;
	}
	if (target == NULL || *target == '\0') {
		*errstr = xstrdup("no host given");
		return -1;
	}
	/* The first port given (--port) stays the default for later /connect HOST. */
	if (e->default_port == 0 && default_port > 0)
		e->default_port = default_port;
	if (default_port <= 0)
		default_port = e->config.tls == ENGINE_TLS_IMPLICIT ? 465 : 25;
	if (target[0] == '@' && (target[1] == '\0' || strchr(target, ':') != NULL ||
	    strchr(target, ' ') != NULL)) {
		*errstr = xstrdup("'@' takes a domain (@example.org); the port goes in --port");
		return -1;
	}
	free(e->last_target);
	e->last_target = xstrdup(target);
	e->last_default_port = default_port;
	free(e->target);
	e->target = xstrdup(target);
	if (target[0] != '@')
		return connect_host(e, target, default_port, errstr);
	engine_recordf(e, TRANSCRIPT_EVENT, NULL, "looking up the MX records of %s%s%s...", target + 1,
	    e->dns_server ? " at " : "", e->dns_server ? e->dns_server : "");
	free(e->host);
	e->host = xstrdup(target + 1);
	e->mx_port = default_port;
	e->mx_query = mx_query_start(target + 1, e->dns_server, errstr);
	e->mx_wait_ms = 1;
	if (e->mx_query == NULL)
		return -1;
	engine_enter_phase(e, PHASE_MX_LOOKUP);
	return 0;
}

void
engine_connector_step(struct engine *e, short revents)
{
	int fd;
	char *address = NULL;
	const char *event = NULL;
	int rc = net_connector_step(e->connector, revents, &fd, &address, &event);

	if (rc < 0) {
		engine_recordf(e, TRANSCRIPT_ERROR, event, "could not connect to %s port %d", e->host,
		    e->port);
		engine_close_connection(e);
	} else if (rc > 0)
		engine_connected(e, fd, address);
}
