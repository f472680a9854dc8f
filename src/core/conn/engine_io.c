/* engine_io.c: the engine's bytes: the output buffer (wiped as it empties, so no AUTH line
 * lingers), writing it, reading replies in bounded turns, the peer closing, and the poll()
 * interface (engine_pollfds, engine_handle). */
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

/* Makes room for len more bytes of output. The buffer may hold an AUTH line: it is moved by
 * hand rather than with realloc, so that the old block is wiped before it is freed. */
void
engine_out_reserve(struct engine *e, size_t len)
{
	size_t cap = e->out_cap;
	char *grown;

	if (e->out_len + len <= cap)
		return;
	while (e->out_len + len > cap)
		cap *= 2;
	grown = xmalloc(cap);
	memcpy(grown, e->out, e->out_len);
	explicit_bzero(e->out, e->out_cap);
	free(e->out);
	e->out = grown;
	e->out_cap = cap;
}

/* Throws away the first n bytes of output (written, or dropped with the connection) and wipes
 * the bytes that the rest no longer covers, so that no secret stays behind in the buffer. */
void
engine_out_consume(struct engine *e, size_t n)
{
	memmove(e->out, e->out + n, e->out_len - n);
	explicit_bzero(e->out + e->out_len - n, n);
	e->out_len -= n;
}

void
engine_out_append(struct engine *e, const void *data, size_t len)
{
	/* The write timeout counts from the moment output starts waiting. */
	if (e->out_len == 0)
		e->write_progress_us = clock_mono_us();
	engine_out_reserve(e, len);
	memcpy(e->out + e->out_len, data, len);
	e->out_len += len;
}

/* Writes what the socket takes now; the rest waits for POLLOUT. */
void
engine_flush(struct engine *e)
{
	size_t written;
	ssize_t n;
	char *err = NULL;

	while (engine_is_open(e)) {
		/* Topped up to a full piece, so the end of a message (".\r\n") leaves in the same
		 * write as its last text. */
		while (e->out_len < ENGINE_STREAM_PIECE && e->phase == PHASE_DATA)
			engine_stream_refill(e);
		if (e->out_len == 0)
			return;
		if (e->tls != NULL) {
			enum tls_io io = tls_write(e->tls, e->out, e->out_len, &written, &err);

			e->tls_wants_write = io == TLS_IO_WANT_WRITE;
			if (io == TLS_IO_WANT_READ || io == TLS_IO_WANT_WRITE)
				return;
			if (io != TLS_IO_OK) {
				engine_fail(e, "reset", err ? err : "the TLS connection closed");
				free(err);
				return;
			}
		} else {
			n = net_send(e->fd, e->out, e->out_len);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return;
				engine_fail(e, net_error_event(errno), net_error_words(errno));
				return;
			}
			written = (size_t)n;
		}
		engine_out_consume(e, written);
		e->activity_us = clock_mono_us();
		if (written > 0)
			e->write_progress_us = e->activity_us;
		/* Everything is out: the replies' clock starts now, not while the server was
		 * still taking the message. */
		if (e->out_len == 0 && e->phase != PHASE_DATA)
			engine_reply_wait_start(e);
	}
}

/* Sends one line (CRLF added): recorded as shown (the masked form when it carries a secret),
 * and told to the session so the reply pairs with it. */
void
engine_send_line(struct engine *e, const char *line, const char *shown)
{
	bool masked = shown != NULL && !e->config.show_secrets;

	if (session_pending(e->session) == 0)
		engine_reply_wait_start(e);
	engine_record(e, TRANSCRIPT_SENT, NULL, masked, masked ? shown : line);
	engine_out_append(e, line, strlen(line));
	engine_out_append(e, "\r\n", 2);
	session_sent(e->session, line, clock_mono_us());
	e->activity_us = clock_mono_us();
}

static void
feed(struct engine *e, const char *data, size_t len)
{
	struct reply *reply;

	e->activity_us = clock_mono_us();
	e->last_rx_us = e->activity_us;
	if (e->wait_rx == 0)
		e->first_rx_us = e->activity_us;
	e->wait_rx += len;
	reply_parser_feed(e->parser, data, len);
	while (engine_is_open(e) && (reply = reply_parser_next(e->parser)) != NULL) {
		engine_handle_reply(e, reply);
		/* STARTTLS's 220 switched to the handshake; what is left was discarded. */
		if (!engine_is_open(e))
			break;
	}
}

static void
peer_closed(struct engine *e, const char *event, const char *why)
{
	struct reply *partial = reply_parser_finish(e->parser);
	bool mid = partial != NULL;

	engine_note_dropped(e);
	if (partial != NULL)
		engine_handle_reply(e, partial);
	if (e->phase == PHASE_CLOSED)
		return;
	if (!mid && (e->closing || e->quit_sent) && event == NULL) {
		engine_close_connection(e);
		engine_record(e, TRANSCRIPT_EVENT, "closed", false, "the server closed the connection");
		return;
	}
	if (mid)
		engine_recordf(e, TRANSCRIPT_ERROR, event ? event : "closed-by-peer", "%s in the middle "
		    "of a reply (the reply above is cut short)", why);
	else if (session_pending(e->session) > 0)
		engine_recordf(e, TRANSCRIPT_ERROR, event ? event : "closed-by-peer", "%s while a "
		    "command waited for its reply", why);
	else
		engine_recordf(e, TRANSCRIPT_ERROR, event ? event : "closed-by-peer", "%s", why);
	engine_close_connection(e);
	engine_record(e, TRANSCRIPT_EVENT, "closed", false, "connection closed");
}

void
engine_read(struct engine *e)
{
	char buf[16384];
	ssize_t n;
	size_t got, budget = ENGINE_READ_PER_TURN, want;
	char *err = NULL;

	e->read_more = false;
	while (engine_is_open(e)) {
		/* A bounded share per turn; the rest is read on the next (engine_timeout_ms says
		 * 0, since bytes inside OpenSSL do not wake poll()). */
		if (budget == 0) {
			e->read_more = true;
			return;
		}
		want = budget < sizeof buf ? budget : sizeof buf;
		if (e->tls != NULL) {
			enum tls_io io = tls_read(e->tls, buf, want, &got, &err);

			if (io == TLS_IO_WANT_READ)
				return;
			if (io == TLS_IO_WANT_WRITE) {
				e->tls_wants_write = true;
				return;
			}
			if (io == TLS_IO_CLOSED) {
				peer_closed(e, NULL, "the server closed the connection");
				return;
			}
			if (io == TLS_IO_ERROR) {
				peer_closed(e, "reset", err);
				free(err);
				return;
			}
			budget -= got < budget ? got : budget;
			feed(e, buf, got);
			/* Decrypted bytes may wait inside OpenSSL; poll() would not see them. */
			continue;
		}
		n = net_recv(e->fd, buf, want);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			peer_closed(e, net_error_event(errno), net_error_words(errno));
			return;
		}
		if (n == 0) {
			peer_closed(e, NULL, "the server closed the connection");
			return;
		}
		budget -= (size_t)n;
		feed(e, buf, (size_t)n);
		if (e->phase == PHASE_HANDSHAKE) {
			/* The STARTTLS 220 came in this read: start the handshake right away. */
			engine_tls_handshake(e);
			return;
		}
	}
}

size_t
engine_pollfds(struct engine *e, struct pollfd *fds, size_t max)
{
	if (max == 0)
		return 0;
	if (e->phase == PHASE_CONNECTING && e->connector != NULL &&
	    net_connector_fd(e->connector) >= 0) {
		fds[0].fd = net_connector_fd(e->connector);
		fds[0].events = POLLOUT;
		fds[0].revents = 0;
		return 1;
	}
	if ((engine_is_open(e) || e->phase == PHASE_HANDSHAKE) && e->fd >= 0) {
		fds[0].fd = e->fd;
		fds[0].events = POLLIN;
		if (e->tls_wants_write || (engine_is_open(e) && e->out_len > 0))
			fds[0].events |= POLLOUT;
		fds[0].revents = 0;
		return 1;
	}
	return 0;
}

void
engine_handle(struct engine *e, const struct pollfd *fds, size_t nfds)
{
	size_t i;
	short revents = 0;
	int fd = -1;

	if (e->phase == PHASE_CONNECTING && e->connector != NULL)
		fd = net_connector_fd(e->connector);
	else if (engine_is_open(e) || e->phase == PHASE_HANDSHAKE)
		fd = e->fd;
	for (i = 0; i < nfds && fd >= 0; i++)
		if (fds[i].fd == fd)
			revents |= fds[i].revents;
	/* The last turn's read budget ran out: go on reading as if poll() said so. */
	if (engine_is_open(e) && e->read_more)
		revents |= POLLIN;
	if (revents != 0) {
		if (e->phase == PHASE_CONNECTING) {
			engine_connector_step(e, revents);
		} else if (e->phase == PHASE_HANDSHAKE) {
			engine_tls_handshake(e);
		} else {
			if (revents & (POLLIN | POLLHUP | POLLERR))
				engine_read(e);
			if (e->phase == PHASE_HANDSHAKE)
				engine_tls_handshake(e);
			else if (engine_is_open(e) &&
			    (revents & POLLOUT || e->tls_wants_write || e->out_len > 0))
				engine_flush(e);
		}
	}
	engine_check_timers(e);
}

void
engine_debug_output(const struct engine *e, const char **buf, size_t *cap, size_t *pending)
{
	*buf = e->out;
	*cap = e->out_cap;
	*pending = e->out_len;
}
