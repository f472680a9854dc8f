/* engine.c: one SMTP client session as a poll()-driven object. It ties the connector and TLS
 * (net, tls), the reply parser, the session state machine and the transcript together, carries
 * out the local commands, and never blocks: the caller owns the poll() loop and asks for the
 * descriptors and the next deadline. Everything it does is a transcript entry. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/conn/command.h"
#include "core/conn/engine.h"
#include "core/util/escape.h"
#include "core/record/export.h"
#include "core/conn/mx.h"
#include "core/conn/net.h"
#include "core/proto/reply.h"
#include "core/proto/sasl.h"
#include "core/proto/session.h"
#include "core/conn/tls.h"
#include "core/util/xmalloc.h"

#define ENGINE_CONNECT_TIMEOUT_MS 10000
#define ENGINE_REPLY_TIMEOUT_MS 30000
/* Message text is streamed into the output buffer in pieces of this size, refilled when the
 * buffer runs low, so a large /data file is never held whole. */
#define ENGINE_STREAM_PIECE 16384
#define ENGINE_BDAT_DEFAULT 65536
/* BDAT chunks out at once when the server offers PIPELINING (RFC 3030 section 4.2 lets BDAT
 * be pipelined): one goes ahead while the server still works on the one before. */
#define ENGINE_BDAT_WINDOW 2
#define ENGINE_BDAT_MAX (1024 * 1024)
/* Message lines shown in the transcript per message; the rest are counted. */
#define ENGINE_MESSAGE_LINES_SHOWN 200
#define ENGINE_LOG_LINE_MAX 1000
#define ENGINE_MAX_SUGGEST 12
/* How often a running MX look-up is asked whether it is done: after 1 ms, then twice as long
 * each time up to this (a fixed 20 ms added up to that much to every @domain session). */
#define ENGINE_MX_POLL_MS 20
#define ENGINE_MASK SESSION_MASK
/* Octets read from the server per engine_handle call: a server that never stops sending cannot
 * keep the caller's loop (its keyboard, its signals, the next script line) from running. */
#define ENGINE_READ_PER_TURN (64 * 1024)
/* Replies no command asked for kept per connection, by count and by size (the first is always
 * kept; the parser caps any one reply); past these a flood is counted, not kept, so memory
 * stays bounded. */
#define ENGINE_UNSOLICITED_KEPT 1000
#define ENGINE_UNSOLICITED_BYTES_KEPT (4 * 1024 * 1024)
/* After a line that is no greeting arrived before the greeting, how long the real one may take
 * before that line is taken as the greeting after all (a broken server that greets with a bad
 * code is still explored; half the reply timeout when that is shorter). */
#define ENGINE_PREGREET_GRACE_MS 2000

/* Where the engine is: one variable, changed only by engine_enter_phase. The order matters:
 * PHASE_OPEN up to PHASE_BDAT are the phases of an open connection. */
enum engine_phase {
	PHASE_IDLE,        /* never connected */
	PHASE_MX_LOOKUP,   /* @domain: the MX look-up is under way */
	PHASE_CONNECTING,  /* the connector resolves and connects */
	PHASE_HANDSHAKE,   /* TLS handshake in progress */
	PHASE_OPEN,        /* connected: typed lines go out, replies come in */
	PHASE_DATA_WAIT,   /* /data: DATA sent, waiting for 354 */
	PHASE_DATA,        /* /data: message text flowing */
	PHASE_BDAT,        /* /bdat: chunks going out, waiting for their replies */
	PHASE_CLOSED,      /* the connection ended (it may be opened again) */
	PHASE_COUNT
};

/* Phase changes kept for engine_phase_history. */
#define ENGINE_PHASE_HISTORY 64

enum engine_mech { MECH_PLAIN, MECH_LOGIN, MECH_CRAM_MD5, MECH_XOAUTH2 };

struct engine_auth {
	bool active;           /* an /auth exchange is running */
	bool awaiting_secret;  /* ENGINE_NEED_SECRET was answered; waiting for the password */
	enum engine_mech mech;
	char *user;
	char *secret;
	int logins;            /* LOGIN: challenges answered so far */
	int challenges;        /* 334s answered in this exchange */
	bool cancelled;        /* "*" sent: the exchange was given up (RFC 4954) */
};

struct engine {
	struct engine_config config;
	char *cafile, *dns_server, *helo_name;
	struct transcript *transcript;
	struct session *session;
	struct reply_parser *parser;
	enum engine_phase phase;
	struct engine_phase_change history[ENGINE_PHASE_HISTORY];
	size_t history_count;     /* changes so far; the last ENGINE_PHASE_HISTORY are kept */
	struct net_connector *connector;
	struct mx_query *mx_query;   /* @domain: the MX look-up under way */
	int mx_wait_ms;              /* the next wait before asking it again */
	int mx_port;
	int fd;
	struct tls *tls;
	bool tls_wants_write;     /* the last TLS call asked for POLLOUT */
	bool starttls_handshake;  /* the handshake follows STARTTLS (not implicit TLS) */
	bool auto_starttls_done;  /* ENGINE_TLS_STARTTLS: STARTTLS already sent once */
	bool auto_ehlo;           /* send EHLO again once STARTTLS's handshake is done */
	bool verified;
	bool quit_sent;
	bool closing;             /* 221 or 421 seen: a close is expected */
	char *target, *host, *address;
	int port, default_port;
	char *last_target;
	int last_default_port;
	/* the one target whose unverified certificate is accepted (the practice server's) */
	char *unverified_target, *unverified_why;
	char ehlo_line[300];
	/* output */
	char *out;
	size_t out_len, out_cap;
	/* /data and /bdat */
	struct command_message *message;
	char *message_name;
	long long message_sent;
	size_t bdat_chunk;
	char *bdat_buf;
	int bdat_in_flight;       /* chunks sent and not answered yet */
	bool bdat_last_sent;      /* the LAST chunk is out */
	size_t message_lines;
	char *log_line;           /* the message line being assembled for the transcript */
	size_t log_len;
	bool log_cut;
	struct engine_auth auth;
	int64_t activity_us;      /* last byte sent or received */
	/* The reply timeout runs from the moment a command has left (or the previous reply ended)
	 * to the end of its reply, however many bytes trickle in meanwhile. */
	int64_t wait_start_us;
	size_t wait_rx;           /* octets received since wait_start_us */
	int64_t first_rx_us;      /* the first and last of them arrived */
	int64_t last_rx_us;
	int64_t write_progress_us;/* output pending: when the server last took some of it */
	bool read_more;           /* the read budget ran out with bytes still to read */
	size_t unsolicited;       /* replies no command asked for kept, this connection */
	size_t unsolicited_bytes; /* and the octets of their lines */
	bool flooded;             /* past the cap: the rest are counted only */
	size_t unsolicited_dropped; /* of those, not kept (a flood), not yet reported */
	int64_t pregreet_us;      /* the last line that was no greeting came before the greeting;
	                           * 0: none is waiting to be taken as the greeting */
	int64_t handshake_start_us;
	int64_t last_latency_us;
	int last_code;
	char last_after[24];
	char *suggestions[ENGINE_MAX_SUGGEST];
	char state_text[48];
	void (*listener)(void *ctx, size_t entry);
	void *listener_ctx;
	size_t notified;
};

/* ---- the transcript ---- */

static void
notify(struct engine *e)
{
	size_t count = transcript_count(e->transcript);

	while (e->notified < count) {
		size_t i = e->notified++;

		if (e->listener != NULL)
			e->listener(e->listener_ctx, i);
	}
}

static size_t
record(struct engine *e, enum transcript_kind kind, const char *event, bool secret,
    const char *text)
{
	size_t i = transcript_add(e->transcript, kind, text, strlen(text), event, secret);

	notify(e);
	return i;
}

static size_t
recordf(struct engine *e, enum transcript_kind kind, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static size_t
recordf(struct engine *e, enum transcript_kind kind, const char *event, const char *fmt, ...)
{
	va_list ap;
	char *text;
	size_t i;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	i = record(e, kind, event, false, text);
	free(text);
	return i;
}


/* Multi-line output quoting the peer (a certificate's names) as one entry per line, each
 * escaped: a certificate is as hostile as any reply. */
static void
record_lines(struct engine *e, enum transcript_kind kind, const char *text)
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
	notify(e);
}

static void
connector_note(void *ctx, const char *event, const char *text, bool failure)
{
	struct engine *e = ctx;

	record(e, failure ? TRANSCRIPT_ERROR : TRANSCRIPT_EVENT, event, false, text);
}

/* ---- phases ---- */

static const char *const phase_keys[PHASE_COUNT] = {
	[PHASE_IDLE] = "idle", [PHASE_MX_LOOKUP] = "mx-lookup", [PHASE_CONNECTING] = "connecting",
	[PHASE_HANDSHAKE] = "tls-handshake", [PHASE_OPEN] = "open", [PHASE_DATA_WAIT] = "data-wait",
	[PHASE_DATA] = "data", [PHASE_BDAT] = "bdat", [PHASE_CLOSED] = "closed",
};

/* Every phase change goes through here and is remembered (not in the transcript: saved
 * sessions and the screen stay as they were; engine_phase_history shows the changes). */
static void
engine_enter_phase(struct engine *e, enum engine_phase phase)
{
	struct engine_phase_change *c;

	if (e->phase == phase)
		return;
	c = &e->history[e->history_count % ENGINE_PHASE_HISTORY];
	c->from = phase_keys[e->phase];
	c->to = phase_keys[phase];
	c->at_us = net_now_us();
	e->history_count++;
	e->phase = phase;
}

static bool
phase_is_open(const struct engine *e)
{
	return e->phase >= PHASE_OPEN && e->phase <= PHASE_BDAT;
}

static bool
phase_is_streaming(const struct engine *e)
{
	return e->phase >= PHASE_DATA_WAIT && e->phase <= PHASE_BDAT;
}

static bool
phase_is_connecting(const struct engine *e)
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

/* ---- lifecycle ---- */

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

static void
wipe(char **secret)
{
	if (*secret != NULL) {
		explicit_bzero(*secret, strlen(*secret));
		free(*secret);
		*secret = NULL;
	}
}

static void
auth_reset(struct engine *e)
{
	wipe(&e->auth.secret);
	free(e->auth.user);
	memset(&e->auth, 0, sizeof e->auth);
}

/* Lets go of the message being streamed (its file, its buffers). */
static void
stream_free(struct engine *e)
{
	command_message_close(e->message);
	e->message = NULL;
	free(e->message_name);
	e->message_name = NULL;
	free(e->bdat_buf);
	e->bdat_buf = NULL;
	free(e->log_line);
	e->log_line = NULL;
}

/* The message is done with (sent, refused or given up): back to the open connection. */
static void
stream_stop(struct engine *e)
{
	stream_free(e);
	if (phase_is_streaming(e))
		engine_enter_phase(e, PHASE_OPEN);
}

static void
free_suggestions(struct engine *e)
{
	size_t i;

	for (i = 0; i < ENGINE_MAX_SUGGEST; i++) {
		free(e->suggestions[i]);
		e->suggestions[i] = NULL;
	}
}

static void out_consume(struct engine *e, size_t n);

/* Drops the connection (no QUIT) and everything tied to it. */
static void
close_connection(struct engine *e)
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
	out_consume(e, e->out_len);
	e->tls_wants_write = false;
	e->read_more = false;
	stream_free(e);
	auth_reset(e);
	session_closed(e->session);
	reply_parser_free(e->parser);
	e->parser = reply_parser_new(NULL);
	engine_enter_phase(e, PHASE_CLOSED);
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	close_connection(e);
	session_free(e->session);
	reply_parser_free(e->parser);
	transcript_free(e->transcript);
	free_suggestions(e);
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
engine_debug_output(const struct engine *e, const char **buf, size_t *cap, size_t *pending)
{
	*buf = e->out;
	*cap = e->out_cap;
	*pending = e->out_len;
}

/* ---- output ---- */

/* Makes room for len more bytes of output. The buffer may hold an AUTH line: it is moved by
 * hand rather than with realloc, so that the old block is wiped before it is freed. */
static void
out_reserve(struct engine *e, size_t len)
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
static void
out_consume(struct engine *e, size_t n)
{
	memmove(e->out, e->out + n, e->out_len - n);
	explicit_bzero(e->out + e->out_len - n, n);
	e->out_len -= n;
}

static void
out_append(struct engine *e, const void *data, size_t len)
{
	/* The write timeout counts from the moment output starts waiting. */
	if (e->out_len == 0)
		e->write_progress_us = net_now_us();
	out_reserve(e, len);
	memcpy(e->out + e->out_len, data, len);
	e->out_len += len;
}

/* A new wait for a reply begins: the reply timeout counts from here. */
static void
reply_wait_start(struct engine *e)
{
	e->wait_start_us = net_now_us();
	e->wait_rx = 0;
}

static void fail_connection(struct engine *e, const char *event, const char *text);
static void stream_refill(struct engine *e);

/* Writes what the socket takes now; the rest waits for POLLOUT. */
static void
flush_out(struct engine *e)
{
	size_t written;
	ssize_t n;
	char *err = NULL;

	while (phase_is_open(e)) {
		/* Topped up to a full piece, so the end of a message (".\r\n") leaves in the same
		 * write as its last text. */
		while (e->out_len < ENGINE_STREAM_PIECE && e->phase == PHASE_DATA)
			stream_refill(e);
		if (e->out_len == 0)
			return;
		if (e->tls != NULL) {
			enum tls_io io = tls_write(e->tls, e->out, e->out_len, &written, &err);

			e->tls_wants_write = io == TLS_IO_WANT_WRITE;
			if (io == TLS_IO_WANT_READ || io == TLS_IO_WANT_WRITE)
				return;
			if (io != TLS_IO_OK) {
				fail_connection(e, "reset", err ? err : "the TLS connection closed");
				free(err);
				return;
			}
		} else {
			n = net_send(e->fd, e->out, e->out_len);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return;
				fail_connection(e, net_error_event(errno), net_error_words(errno));
				return;
			}
			written = (size_t)n;
		}
		out_consume(e, written);
		e->activity_us = net_now_us();
		if (written > 0)
			e->write_progress_us = e->activity_us;
		/* Everything is out: the replies' clock starts now, not while the server was
		 * still taking the message. */
		if (e->out_len == 0 && e->phase != PHASE_DATA)
			reply_wait_start(e);
	}
}

/* Sends one line (CRLF added): recorded as shown (the masked form when it carries a secret),
 * and told to the session so the reply pairs with it. */
static void
send_line(struct engine *e, const char *line, const char *shown)
{
	bool masked = shown != NULL && !e->config.show_secrets;

	if (session_pending(e->session) == 0)
		reply_wait_start(e);
	record(e, TRANSCRIPT_SENT, NULL, masked, masked ? shown : line);
	out_append(e, line, strlen(line));
	out_append(e, "\r\n", 2);
	session_sent(e->session, line, net_now_us());
	e->activity_us = net_now_us();
}

/* ---- failures and closing ---- */

static void note_dropped(struct engine *e);

static void
fail_connection(struct engine *e, const char *event, const char *text)
{
	note_dropped(e);
	recordf(e, TRANSCRIPT_ERROR, event, "%s", text);
	close_connection(e);
	record(e, TRANSCRIPT_EVENT, "closed", false, "connection closed");
}

/* ---- message streaming (/data, /bdat) ---- */

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
	notify(e);
}

static void
message_done_note(struct engine *e)
{
	if (e->message_lines > ENGINE_MESSAGE_LINES_SHOWN)
		recordf(e, TRANSCRIPT_INFO, NULL, "(%zu more message lines sent, not shown)",
		    e->message_lines - ENGINE_MESSAGE_LINES_SHOWN);
}

/* Sends the next BDAT chunk: "BDAT n [LAST]" and n octets. */
static void
bdat_send_chunk(struct engine *e)
{
	long n = command_message_read(e->message, e->bdat_buf, e->bdat_chunk);
	bool last;
	char line[64];

	if (n < 0) {
		recordf(e, TRANSCRIPT_ERROR, NULL, "cannot read %s: %s", e->message_name,
		    strerror(errno));
		n = 0;
	}
	last = n < (long)e->bdat_chunk || e->message_sent + n >= command_message_size(e->message);
	snprintf(line, sizeof line, "BDAT %ld%s", n, last ? " LAST" : "");
	send_line(e, line, NULL);
	out_append(e, e->bdat_buf, (size_t)n);
	recordf(e, TRANSCRIPT_INFO, NULL, "(%ld octets of %s follow BDAT, sent as they are)", n,
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
static void
stream_refill(struct engine *e)
{
	long n;

	if (e->phase != PHASE_DATA)
		return;
	/* Straight into the output buffer: one copy of the message fewer. */
	out_reserve(e, ENGINE_STREAM_PIECE);
	n = command_message_read(e->message, e->out + e->out_len, ENGINE_STREAM_PIECE);
	if (n > 0) {
		e->out_len += (size_t)n;
		log_message_bytes(e, e->out + e->out_len - n, (size_t)n);
		e->message_sent += n;
		return;
	}
	if (n < 0)
		recordf(e, TRANSCRIPT_ERROR, NULL, "cannot read %s: %s (the message is cut short)",
		    e->message_name, strerror(errno));
	message_done_note(e);
	out_append(e, ".\r\n", 3);
	record(e, TRANSCRIPT_SENT, NULL, false, ".");
	session_sent_data_end(e->session, net_now_us());
	stream_stop(e);
}

/* ---- TLS ---- */

static void
tls_begin(struct engine *e, bool after_starttls)
{
	char *err = NULL;

	e->tls = tls_new(e->fd, e->host, e->cafile, &err);
	if (e->tls == NULL) {
		fail_connection(e, "tls-handshake-failed", err);
		free(err);
		return;
	}
	e->starttls_handshake = after_starttls;
	/* A message being streamed does not survive the switch (a server that says 220 to a
	 * STARTTLS pipelined with BDAT): what follows is a new conversation. */
	stream_free(e);
	engine_enter_phase(e, PHASE_HANDSHAKE);
	e->handshake_start_us = net_now_us();
	recordf(e, TRANSCRIPT_EVENT, NULL, "TLS handshake with %s (server name %s)...",
	    e->address, e->host);
}

static void send_user_line(struct engine *e, const char *line);

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

			fail_connection(e, event, text);
			free(text);
			return;
		}
		recordf(e, TRANSCRIPT_WARNING, event, "certificate NOT verified: %s; going on "
		    "because of %s: anyone in the path could be reading this session",
		    tls_verify_words(e->tls), why != NULL ? why : "--insecure");
	}
	engine_enter_phase(e, PHASE_OPEN);
	e->activity_us = net_now_us();
	recordf(e, TRANSCRIPT_EVENT, "tls-up", "TLS is up: %s, %s, certificate %s (%.1f ms)",
	    tls_version(e->tls), tls_cipher(e->tls),
	    e->verified ? "verified" : "NOT verified",
	    (double)(net_now_us() - e->handshake_start_us) / 1000.0);
	/* With implicit TLS nothing was said before it, so only the TLS flag changes; after
	 * STARTTLS what the server said before is void. */
	session_tls_started(e->session);
	if (e->starttls_handshake) {
		record(e, TRANSCRIPT_WARNING, "capabilities-reset", false, "the EHLO capabilities "
		    "from before TLS are forgotten (RFC 3207): send EHLO again");
		if (e->auto_ehlo) {
			char again[sizeof e->ehlo_line];

			/* A copy: send_user_line remembers the line in ehlo_line itself. */
			snprintf(again, sizeof again, "%s", e->ehlo_line[0] ? e->ehlo_line :
			    "EHLO localhost");
			e->auto_ehlo = false;
			send_user_line(e, again);
		}
	}
	flush_out(e);
}

static void
do_handshake(struct engine *e)
{
	char *err = NULL;
	enum tls_io io = tls_handshake(e->tls, &err);

	e->tls_wants_write = io == TLS_IO_WANT_WRITE;
	if (io == TLS_IO_WANT_READ || io == TLS_IO_WANT_WRITE)
		return;
	if (io != TLS_IO_OK) {
		fail_connection(e, "tls-handshake-failed", err ? err : "TLS handshake failed");
		free(err);
		return;
	}
	handshake_done(e);
}

/* ---- replies ---- */

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
	recordf(e, TRANSCRIPT_WARNING, "protocol-violation", "the reply breaks the SMTP rules: %s",
	    text);
}

static const char *
auth_mech_name(enum engine_mech mech)
{
	static const char *const names[] = { "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2" };

	return names[mech];
}

/* How many 334 challenges a mechanism has at most: PLAIN and XOAUTH2 send their answer with
 * AUTH (one empty 334 is tolerated, and XOAUTH2's error comes as one), LOGIN asks for the user
 * name and the password, CRAM-MD5 sends one challenge. */
static int
auth_challenges_expected(enum engine_mech mech)
{
	return mech == MECH_LOGIN ? 2 : 1;
}

/* 334: the challenge in words, then the /auth exchange's next step. */
static void
auth_challenge(struct engine *e, const struct reply *reply)
{
	const char *b64 = reply->nlines > 0 ? reply_line_text(reply, 0) : "";
	size_t len;
	unsigned char *raw = sasl_b64_decode(b64, &len);
	char *answer = NULL;

	if (raw == NULL) {
		char *shown = escape_str(b64, strlen(b64), ESCAPE_NUL);

		recordf(e, TRANSCRIPT_INFO, NULL, "334 challenge is not valid base64: \"%s\"",
		    shown);
		free(shown);
	} else {
		char *shown = escape_str((const char *)raw, len, ESCAPE_NUL);

		recordf(e, TRANSCRIPT_INFO, NULL, "334 challenge decoded: \"%s\"", shown);
		free(shown);
	}
	if (!e->auth.active) {
		if (raw == NULL || strncasecmp((char *)raw, "pass", 4) == 0 ||
		    strncasecmp((char *)raw, "user", 4) == 0)
			record(e, TRANSCRIPT_INFO, NULL, false, "answer with the base64 of what it "
			    "asks (/b64 encode TEXT); the line is masked in the transcript");
		free(raw);
		return;
	}
	if (e->auth.cancelled) {
		/* "*" was sent and the server still asks: it will never let the exchange end. */
		if (raw != NULL) {
			explicit_bzero(raw, len);
			free(raw);
		}
		fail_connection(e, "protocol-violation", "the server asked again after the AUTH "
		    "exchange was cancelled with \"*\"; giving up on this connection");
		return;
	}
	if (++e->auth.challenges > auth_challenges_expected(e->auth.mech)) {
		/* More rounds than the mechanism has: answering again would send the credentials
		 * without end. RFC 4954: a client cancels an exchange with a line holding "*". */
		recordf(e, TRANSCRIPT_WARNING, "protocol-violation", "the server asked for a %s "
		    "challenge answer %d times; %s needs at most %d: cancelling the exchange with "
		    "\"*\" (RFC 4954 section 4) rather than sending the credentials again",
		    auth_mech_name(e->auth.mech), e->auth.challenges, auth_mech_name(e->auth.mech),
		    auth_challenges_expected(e->auth.mech));
		if (raw != NULL) {
			explicit_bzero(raw, len);
			free(raw);
		}
		e->auth.cancelled = true;
		send_line(e, "*", NULL);
		return;
	}
	switch (e->auth.mech) {
	case MECH_LOGIN:
		/* Answer by what is asked; servers send "Username:" then "Password:". */
		if (raw != NULL && strncasecmp((char *)raw, "user", 4) == 0)
			answer = sasl_b64_encode(e->auth.user, strlen(e->auth.user));
		else if (raw != NULL && strncasecmp((char *)raw, "pass", 4) == 0)
			answer = sasl_b64_encode(e->auth.secret, strlen(e->auth.secret));
		else if (e->auth.logins == 0)
			answer = sasl_b64_encode(e->auth.user, strlen(e->auth.user));
		else
			answer = sasl_b64_encode(e->auth.secret, strlen(e->auth.secret));
		e->auth.logins++;
		break;
	case MECH_CRAM_MD5:
		answer = sasl_cram_md5_response(b64, e->auth.user, e->auth.secret);
		if (answer == NULL)
			answer = xstrdup("*");
		break;
	case MECH_PLAIN:
		answer = sasl_plain_response(NULL, e->auth.user, e->auth.secret);
		break;
	case MECH_XOAUTH2:
		/* The challenge is the error in JSON; an empty line ends the exchange. */
		answer = xstrdup("");
		break;
	}
	if (raw != NULL) {
		explicit_bzero(raw, len);
		free(raw);
	}
	send_line(e, answer, answer[0] ? ENGINE_MASK : NULL);
	wipe(&answer);
}

/* Says how many flooding replies were counted and not kept since the last note. */
static void
note_dropped(struct engine *e)
{
	if (e->unsolicited_dropped == 0)
		return;
	recordf(e, TRANSCRIPT_INFO, NULL, "(%zu more replies no command asked for: counted, not "
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
		recordf(e, TRANSCRIPT_WARNING, "unsolicited-reply", "%zu replies no command asked "
		    "for (%zu KiB) are all that is kept: the server floods the connection; from here "
		    "on they are counted, not kept (the transcript is truncated)", e->unsolicited,
		    e->unsolicited_bytes / 1024);
	e->flooded = true;
	return true;
}

static void
handle_reply(struct engine *e, struct reply *reply)
{
	struct session_outcome o;
	char state[40];
	const struct reply *kept;
	int64_t now = net_now_us(), latency;
	size_t index, extra = 0;
	unsigned violations = reply->violations;
	struct reply *more;

	snprintf(state, sizeof state, "%s", session_state_name(e->session));
	session_reply(e->session, reply, now, &o);
	latency = o.sent_us >= 0 ? now - o.sent_us : -1;
	e->last_latency_us = latency;
	e->last_code = reply->code;
	snprintf(e->last_after, sizeof e->last_after, "%s", o.after);
	e->activity_us = now;
	/* This reply ended a wait; the next one (pipelined, or after an answer) starts now. Lines
	 * before the greeting end nothing: the greeting's deadline stands. */
	if (!o.before_greeting)
		reply_wait_start(e);
	e->pregreet_us = o.before_greeting ? now : 0;
	if (o.unsolicited && unsolicited_over_cap(e, reply)) {
		/* A flood: counted, not kept, so the transcript (and memory) stays bounded. */
		e->unsolicited_dropped++;
		if (o.closing)
			e->closing = true;
		reply_free(reply);
		return;
	}
	note_dropped(e);
	index = transcript_add_reply(e->transcript, reply, o.after, state, latency);
	notify(e);
	kept = transcript_reply(e->transcript, index)->reply;
	if (violations != 0)
		note_violations(e, violations);
	if (o.before_greeting && kept->code == 0)
		record(e, TRANSCRIPT_WARNING, "unsolicited-reply", false, "a line without a reply "
		    "code before the greeting: not taken as the greeting; still waiting for the "
		    "server's 220 (is this an SMTP server?)");
	else if (o.before_greeting)
		recordf(e, TRANSCRIPT_WARNING, "unsolicited-reply", "a %03d before the greeting: a "
		    "server greets with 220 (or refuses with 554), so this is not taken as the "
		    "greeting; still waiting for it", kept->code);
	else if (o.unsolicited)
		record(e, TRANSCRIPT_WARNING, "unsolicited-reply", false, "a reply no command asked "
		    "for: the server speaks out of turn (or it answers something sent earlier)");
	if (o.closing)
		e->closing = true;
	if (o.auth_challenge) {
		auth_challenge(e, kept);
	} else if (strcmp(o.after, "AUTH") == 0) {
		if (o.authenticated)
			recordf(e, TRANSCRIPT_EVENT, "authenticated", "authenticated as %s",
			    session_user(e->session));
		auth_reset(e);
	}
	if (o.starttls_go && e->tls != NULL) {
		record(e, TRANSCRIPT_WARNING, "starttls-twice", false, "a 220 to STARTTLS while TLS "
		    "is already up: ignored (TLS inside TLS is not a thing)");
		o.starttls_go = false;
	}
	if (o.starttls_go) {
		/* Whatever came with or after the 220 was sent before TLS protects anything: throw
		 * it away (the STARTTLS injection class, CVE-2011-0411). */
		while ((more = reply_parser_next(e->parser)) != NULL) {
			extra += more->nlines;
			reply_free(more);
		}
		if (extra > 0 || reply_parser_pending(e->parser))
			recordf(e, TRANSCRIPT_WARNING, "starttls-injection", "%zu line(s) arrived "
			    "after the 220 to STARTTLS and before TLS: discarded unread (a server, or "
			    "someone in the path, injected them)", extra + (reply_parser_pending(
			    e->parser) ? 1 : 0));
		reply_parser_free(e->parser);
		e->parser = reply_parser_new(NULL);
		tls_begin(e, true);
		return;
	}
	if (strcmp(o.after, "DATA") == 0) {
		if (o.data_go && e->phase == PHASE_DATA_WAIT) {
			engine_enter_phase(e, PHASE_DATA);
			e->write_progress_us = net_now_us();
			recordf(e, TRANSCRIPT_INFO, NULL, "sending %s (%lld octets on the wire)",
			    e->message_name, command_message_size(e->message));
		} else if (o.data_go) {
			record(e, TRANSCRIPT_INFO, NULL, false, "type the message: header lines, an "
			    "empty line, the body; a line with a single \".\" ends it");
		} else if (e->phase == PHASE_DATA_WAIT) {
			recordf(e, TRANSCRIPT_INFO, NULL, "%s not sent: DATA was refused",
			    e->message_name);
			stream_stop(e);
		}
	}
	if (strcmp(o.after, "BDAT") == 0 && e->phase == PHASE_BDAT) {
		if (e->bdat_in_flight > 0)
			e->bdat_in_flight--;
		if (reply_class(kept) != 2 || o.bdat_last) {
			if (reply_class(kept) != 2)
				recordf(e, TRANSCRIPT_INFO, NULL, "the rest of %s is not sent: BDAT "
				    "was refused", e->message_name);
			stream_stop(e);
		} else
			bdat_fill(e);
	}
	if (e->config.tls == ENGINE_TLS_STARTTLS && !e->auto_starttls_done && e->tls == NULL &&
	    strcmp(o.after, "EHLO") == 0 && reply_class(kept) == 2) {
		e->auto_starttls_done = true;
		if (!session_has(e->session, "STARTTLS")) {
			record(e, TRANSCRIPT_ERROR, "starttls-not-advertised", false, "--starttls was "
			    "asked, but the server does not offer STARTTLS: the session stays "
			    "unencrypted");
		} else {
			record(e, TRANSCRIPT_EVENT, NULL, false, "starting TLS as --starttls asks");
			e->auto_ehlo = true;
			send_line(e, "STARTTLS", NULL);
		}
	}
	flush_out(e);
}

static void
peer_closed(struct engine *e, const char *event, const char *why)
{
	struct reply *partial = reply_parser_finish(e->parser);
	bool mid = partial != NULL;

	note_dropped(e);
	if (partial != NULL)
		handle_reply(e, partial);
	if (e->phase == PHASE_CLOSED)
		return;
	if (!mid && (e->closing || e->quit_sent) && event == NULL) {
		close_connection(e);
		record(e, TRANSCRIPT_EVENT, "closed", false, "the server closed the connection");
		return;
	}
	if (mid)
		recordf(e, TRANSCRIPT_ERROR, event ? event : "closed-by-peer", "%s in the middle "
		    "of a reply (the reply above is cut short)", why);
	else if (session_pending(e->session) > 0)
		recordf(e, TRANSCRIPT_ERROR, event ? event : "closed-by-peer", "%s while a "
		    "command waited for its reply", why);
	else
		recordf(e, TRANSCRIPT_ERROR, event ? event : "closed-by-peer", "%s", why);
	close_connection(e);
	record(e, TRANSCRIPT_EVENT, "closed", false, "connection closed");
}

static void
feed(struct engine *e, const char *data, size_t len)
{
	struct reply *reply;

	e->activity_us = net_now_us();
	e->last_rx_us = e->activity_us;
	if (e->wait_rx == 0)
		e->first_rx_us = e->activity_us;
	e->wait_rx += len;
	reply_parser_feed(e->parser, data, len);
	while (phase_is_open(e) && (reply = reply_parser_next(e->parser)) != NULL) {
		handle_reply(e, reply);
		/* STARTTLS's 220 switched to the handshake; what is left was discarded. */
		if (!phase_is_open(e))
			break;
	}
}

static void
do_read(struct engine *e)
{
	char buf[16384];
	ssize_t n;
	size_t got, budget = ENGINE_READ_PER_TURN, want;
	char *err = NULL;

	e->read_more = false;
	while (phase_is_open(e)) {
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
			do_handshake(e);
			return;
		}
	}
}

/* ---- connecting ---- */

static void
connected(struct engine *e, int fd, char *address)
{
	e->fd = fd;
	free(e->address);
	e->address = address;
	net_connector_free(e->connector);
	e->connector = NULL;
	e->quit_sent = e->closing = false;
	e->auto_starttls_done = false;
	e->auto_ehlo = false;
	e->verified = false;
	reply_parser_free(e->parser);
	e->parser = reply_parser_new(NULL);
	session_connected(e->session, net_now_us());
	e->activity_us = net_now_us();
	e->unsolicited = e->unsolicited_dropped = e->unsolicited_bytes = 0;
	e->flooded = false;
	e->pregreet_us = 0;
	reply_wait_start(e);
	if (e->config.tls == ENGINE_TLS_IMPLICIT) {
		tls_begin(e, false);
		if (e->phase == PHASE_HANDSHAKE)
			do_handshake(e);
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
	recordf(e, TRANSCRIPT_EVENT, NULL, "connecting to %s port %d%s", host, port,
	    e->config.tls == ENGINE_TLS_IMPLICIT ? " (implicit TLS)" : "");
	engine_enter_phase(e, PHASE_CONNECTING);
	e->connector = net_connector_new(host, port, e->config.connect_timeout_ms,
	    connector_note, e, &event);
	if (e->connector == NULL) {
		recordf(e, TRANSCRIPT_ERROR, event, "could not connect to %s port %d", host, port);
		engine_enter_phase(e, PHASE_CLOSED);
	}
	return 0;
}

/* The MX look-up for @domain came back: connect to the best exchanger. */
static void
mx_finished(struct engine *e)
{
	const char *event = NULL;
	char *err = NULL;
	struct mx_list *mx = mx_query_result(e->mx_query, &err, &event);
	const char *domain = e->target + 1;
	size_t i;

	mx_query_free(e->mx_query);
	e->mx_query = NULL;
	if (mx == NULL) {
		record(e, TRANSCRIPT_ERROR, event, false, err ? err : "the MX look-up failed");
		free(err);
		engine_enter_phase(e, PHASE_CLOSED);
		return;
	}
	if (mx->null_mx) {
		recordf(e, TRANSCRIPT_ERROR, "null-mx", "%s publishes a null MX (RFC 7504): it "
		    "accepts no mail", domain);
		engine_enter_phase(e, PHASE_CLOSED);
	} else {
		for (i = 0; i < mx->count && !mx->implicit; i++)
			recordf(e, TRANSCRIPT_EVENT, NULL, "  MX %d %s%s", mx->hosts[i].preference,
			    mx->hosts[i].host, i == 0 ? "  <- best, used" : "");
		if (mx->implicit)
			recordf(e, TRANSCRIPT_EVENT, NULL, "no MX records: using %s itself (RFC 5321 "
			    "section 5.1)", domain);
		if (connect_host(e, mx->hosts[0].host, e->mx_port, &err) < 0) {
			recordf(e, TRANSCRIPT_ERROR, "dns-failure", "the MX host is unusable: %s", err);
			free(err);
			engine_enter_phase(e, PHASE_CLOSED);
		}
	}
	mx_list_free(mx);
}

int
engine_connect(struct engine *e, const char *target, int default_port, char **errstr)
{
	if (phase_is_connecting(e) || e->phase == PHASE_HANDSHAKE || phase_is_open(e)) {
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
	recordf(e, TRANSCRIPT_EVENT, NULL, "looking up the MX records of %s%s%s...", target + 1,
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

/* ---- poll ---- */

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
	if ((phase_is_open(e) || e->phase == PHASE_HANDSHAKE) && e->fd >= 0) {
		fds[0].fd = e->fd;
		fds[0].events = POLLIN;
		if (e->tls_wants_write || (phase_is_open(e) && e->out_len > 0))
			fds[0].events |= POLLOUT;
		fds[0].revents = 0;
		return 1;
	}
	return 0;
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
	if (!phase_is_open(e))
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
	if (phase_is_open(e) && e->read_more)
		return 0;
	deadline = reply_deadline(e);
	if (deadline < 0)
		return -1;
	left = deadline - net_now_us();
	return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

static void
check_timers(struct engine *e)
{
	int64_t deadline = reply_deadline(e);
	char *text, secs[32], waiting[48];
	const char *what;
	struct reply *cut;
	bool partial;
	int ms;

	if (e->phase == PHASE_MX_LOOKUP) {
		if (mx_query_done(e->mx_query))
			mx_finished(e);
		else if (e->mx_wait_ms < ENGINE_MX_POLL_MS)
			e->mx_wait_ms = e->mx_wait_ms * 2 < ENGINE_MX_POLL_MS ? e->mx_wait_ms * 2 :
			    ENGINE_MX_POLL_MS;
		return;
	}
	if (e->phase == PHASE_CONNECTING && e->connector != NULL) {
		/* Asks after a name being resolved, or a connect attempt past its deadline. */
		int fd;
		char *address = NULL;
		const char *event = NULL;
		int rc = net_connector_step(e->connector, 0, &fd, &address, &event);

		if (rc < 0) {
			recordf(e, TRANSCRIPT_ERROR, event, "could not connect to %s port %d", e->host,
			    e->port);
			close_connection(e);
		} else if (rc > 0)
			connected(e, fd, address);
		return;
	}
	if (deadline < 0 || net_now_us() < deadline)
		return;
	if (e->pregreet_us > 0 && e->out_len == 0 && !reply_parser_pending(e->parser)) {
		/* Nothing better followed (in the grace time, or before the greeting's own deadline
		 * when lines kept coming): the last of those lines was the greeting after all. */
		e->pregreet_us = 0;
		session_skip_greeting(e->session);
		reply_wait_start(e);
		record(e, TRANSCRIPT_WARNING, "unsolicited-reply", false, "no proper greeting "
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
		fail_connection(e, "reply-timeout", text);
		free(text);
		return;
	}
	if (e->out_len > 0) {
		text = xasprintf("the server stopped reading: %zu octets%s%s waited %s without any "
		    "of them being taken; giving up on this connection", e->out_len,
		    e->message_name ? " of " : "", e->message_name ? e->message_name : "", secs);
		fail_connection(e, "reply-timeout", text);
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
		transcript_add_reply(e->transcript, cut, what, session_state_name(e->session), -1);
		notify(e);
	}
	fail_connection(e, "reply-timeout", text);
	free(text);
}

void
engine_handle(struct engine *e, const struct pollfd *fds, size_t nfds)
{
	size_t i;
	short revents = 0;
	int fd = -1;

	if (e->phase == PHASE_CONNECTING && e->connector != NULL)
		fd = net_connector_fd(e->connector);
	else if (phase_is_open(e) || e->phase == PHASE_HANDSHAKE)
		fd = e->fd;
	for (i = 0; i < nfds && fd >= 0; i++)
		if (fds[i].fd == fd)
			revents |= fds[i].revents;
	/* The last turn's read budget ran out: go on reading as if poll() said so. */
	if (phase_is_open(e) && e->read_more)
		revents |= POLLIN;
	if (revents != 0) {
		if (e->phase == PHASE_CONNECTING) {
			char *address = NULL;
			const char *event = NULL;
			int rc = net_connector_step(e->connector, revents, &fd, &address, &event);

			if (rc < 0) {
				recordf(e, TRANSCRIPT_ERROR, event, "could not connect to %s port %d",
				    e->host, e->port);
				close_connection(e);
			} else if (rc > 0)
				connected(e, fd, address);
		} else if (e->phase == PHASE_HANDSHAKE) {
			do_handshake(e);
		} else {
			if (revents & (POLLIN | POLLHUP | POLLERR))
				do_read(e);
			if (e->phase == PHASE_HANDSHAKE)
				do_handshake(e);
			else if (phase_is_open(e) &&
			    (revents & POLLOUT || e->tls_wants_write || e->out_len > 0))
				flush_out(e);
		}
	}
	check_timers(e);
}

/* ---- typed lines and local commands ---- */

static enum engine_result
answer_text(struct engine_answer *answer, enum engine_result result, char *text)
{
	answer->text = text;
	return result;
}

static bool
is_connected(const struct engine *e)
{
	return phase_is_open(e);
}

static enum engine_result
not_connected(const struct engine *e, struct engine_answer *answer)
{
	if (phase_is_connecting(e))
		return answer_text(answer, ENGINE_ERROR, xstrdup("still connecting: wait a moment"));
	if (e->phase == PHASE_HANDSHAKE)
		return answer_text(answer, ENGINE_ERROR, xstrdup("the TLS handshake is still "
		    "running: wait a moment"));
	return answer_text(answer, ENGINE_ERROR, xstrdup("not connected: /connect HOST[:PORT] "
	    "first"));
}

/* A line the user means for the server, after any guidance. */
static void
send_user_line(struct engine *e, const char *line)
{
	char verb[16];
	char *shown = NULL;

	session_verb(line, verb, sizeof verb);
	if (strcmp(verb, "AUTH") == 0)
		shown = session_mask_line(e->session, line);
	else if ((strcmp(verb, "EHLO") == 0 || strcmp(verb, "HELO") == 0) &&
	    strlen(line) < sizeof e->ehlo_line)
		snprintf(e->ehlo_line, sizeof e->ehlo_line, "%s", line);
	else if (strcmp(verb, "QUIT") == 0)
		e->quit_sent = true;
	send_line(e, line, shown);
	free(shown);
}

/* Guidance for a group of lines; true when the caller must return the warning. When forced,
 * the warning is kept in the transcript beside the command sent anyway. */
static bool
guidance(struct engine *e, const char *const *lines, size_t n, long long size, unsigned flags,
    struct engine_answer *answer)
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
		recordf(e, TRANSCRIPT_WARNING, event, "sent anyway: %s", text);
		free(text);
		return false;
	}
	answer->text = text;
	answer->command = xstrdup(event);
	return true;
}

static enum engine_result
submit_raw(struct engine *e, const char *line, unsigned flags, struct engine_answer *answer)
{
	if (!is_connected(e))
		return not_connected(e, answer);
	if (strlen(line) > 64 * 1024)
		return answer_text(answer, ENGINE_ERROR, xstrdup("line too long"));
	if (strpbrk(line, "\r\n") != NULL)
		return answer_text(answer, ENGINE_ERROR, xstrdup("a line cannot hold CR or LF: "
		    "each line typed is sent with one CRLF at its end"));
	if (session_state(e->session) == SESSION_DATA && !phase_is_streaming(e)) {
		/* Message text typed by hand: dot-stuffed, "." alone ends it. */
		if (strcmp(line, ".") == 0) {
			record(e, TRANSCRIPT_SENT, NULL, false, ".");
			out_append(e, ".\r\n", 3);
			session_sent_data_end(e->session, net_now_us());
		} else {
			char *stuffed = line[0] == '.' ? xasprintf(".%s", line) : xstrdup(line);

			record(e, TRANSCRIPT_SENT, NULL, false, stuffed);
			out_append(e, stuffed, strlen(stuffed));
			out_append(e, "\r\n", 2);
			free(stuffed);
		}
		e->activity_us = net_now_us();
		flush_out(e);
		return ENGINE_DONE;
	}
	if (session_auth_continuing(e->session)) {
		/* The answer to a 334: a secret, masked in the transcript. */
		send_line(e, line, session_line_is_secret(e->session, line, strlen(line), NULL) ?
		    ENGINE_MASK : NULL);
		flush_out(e);
		return ENGINE_DONE;
	}
	if (phase_is_streaming(e))
		return answer_text(answer, ENGINE_ERROR, xasprintf("%s is still being sent: wait "
		    "for its reply", e->message_name));
	if (guidance(e, &line, 1, -1, flags, answer))
		return ENGINE_WARNING;
	send_user_line(e, line);
	flush_out(e);
	return ENGINE_DONE;
}

/* Sends the first line of an /auth exchange; the rest follows each 334. */
static void
auth_start(struct engine *e)
{
	char *payload, *line;

	switch (e->auth.mech) {
	case MECH_PLAIN:
		payload = sasl_plain_response(NULL, e->auth.user, e->auth.secret);
		line = xasprintf("AUTH PLAIN %s", payload);
		send_line(e, line, "AUTH PLAIN " ENGINE_MASK);
		wipe(&payload);
		wipe(&line);
		break;
	case MECH_LOGIN:
		send_line(e, "AUTH LOGIN", NULL);
		break;
	case MECH_CRAM_MD5:
		send_line(e, "AUTH CRAM-MD5", NULL);
		break;
	case MECH_XOAUTH2:
		payload = sasl_xoauth2_response(e->auth.user, e->auth.secret);
		line = xasprintf("AUTH XOAUTH2 %s", payload);
		send_line(e, line, "AUTH XOAUTH2 " ENGINE_MASK);
		wipe(&payload);
		wipe(&line);
		break;
	}
	session_set_auth_user(e->session, e->auth.user);
	flush_out(e);
}

static enum engine_result
local_auth(struct engine *e, struct command *cmd, unsigned flags, struct engine_answer *answer)
{
	static const char *const names[] = { "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2" };
	char check[40];
	const char *line = check;
	size_t i;

	if (!is_connected(e))
		return not_connected(e, answer);
	for (i = 0; i < 4; i++)
		if (strcasecmp(cmd->argv[0], names[i]) == 0)
			break;
	if (i == 4)
		return answer_text(answer, ENGINE_ERROR, xasprintf("/auth knows PLAIN, LOGIN, "
		    "CRAM-MD5 and XOAUTH2, not %s", cmd->argv[0]));
	snprintf(check, sizeof check, "AUTH %s", names[i]);
	if (guidance(e, &line, 1, -1, flags, answer))
		return ENGINE_WARNING;
	auth_reset(e);
	e->auth.mech = (enum engine_mech)i;
	e->auth.user = xstrdup(cmd->argv[1]);
	if (cmd->argc < 3) {
		e->auth.awaiting_secret = true;
		return answer_text(answer, ENGINE_NEED_SECRET, xasprintf("%s for %s: ",
		    e->auth.mech == MECH_XOAUTH2 ? "OAuth 2.0 access token" : "Password",
		    e->auth.user));
	}
	e->auth.secret = xstrdup(cmd->argv[2]);
	e->auth.active = true;
	auth_start(e);
	return ENGINE_DONE;
}

void
engine_provide_secret(struct engine *e, const char *secret)
{
	if (!e->auth.awaiting_secret)
		return;
	e->auth.awaiting_secret = false;
	if (!is_connected(e)) {
		auth_reset(e);
		return;
	}
	e->auth.secret = xstrdup(secret != NULL ? secret : "");
	e->auth.active = true;
	auth_start(e);
}

void
engine_cancel_secret(struct engine *e)
{
	if (!e->auth.awaiting_secret)
		return;
	e->auth.awaiting_secret = false;
	recordf(e, TRANSCRIPT_INFO, NULL, "/auth %s cancelled at the password prompt: nothing "
	    "was sent", auth_mech_name(e->auth.mech));
	auth_reset(e);
}

/* What /b64 worked out: kept in the transcript when secrets are shown; otherwise the transcript
 * keeps a masked line and the result goes back to the front end alone, shown to the user who
 * asked for it but never saved, exported or logged (the text is often a password or an AUTH
 * payload built by hand). */
static enum engine_result
b64_result(struct engine *e, struct engine_answer *answer, char *result, const char *masked)
{
	if (e->config.show_secrets) {
		record(e, TRANSCRIPT_INFO, NULL, false, result);
		explicit_bzero(result, strlen(result));
		free(result);
		return ENGINE_DONE;
	}
	record(e, TRANSCRIPT_INFO, NULL, true, masked);
	return answer_text(answer, ENGINE_DONE, result);
}

static enum engine_result
local_b64(struct engine *e, struct command *cmd, struct engine_answer *answer)
{
	const char *text = cmd->rest + strlen(cmd->argv[0]);
	unsigned char *raw;
	char *out, *result;
	size_t len;

	while (*text == ' ' || *text == '\t')
		text++;
	if (strcasecmp(cmd->argv[0], "encode") == 0) {
		/* "\0" stands for a NUL byte and "\\" for a backslash, so that an AUTH PLAIN
		 * response ("\0user\0password") can be built by hand. */
		size_t n = 0, i;
		char *raw_text = xmalloc(strlen(text) + 1);

		for (i = 0; text[i] != '\0'; i++) {
			if (text[i] == '\\' && text[i + 1] == '0') {
				raw_text[n++] = '\0';
				i++;
			} else if (text[i] == '\\' && text[i + 1] == '\\') {
				raw_text[n++] = '\\';
				i++;
			} else
				raw_text[n++] = text[i];
		}
		out = sasl_b64_encode(raw_text, n);
		explicit_bzero(raw_text, n);
		free(raw_text);
		result = xasprintf("base64 of \"%s\": %s", text, out);
		explicit_bzero(out, strlen(out));
		free(out);
		return b64_result(e, answer, result, "base64 of ****: **** (shown, not recorded: it "
		    "may be a password; --show-secrets records it)");
	}
	if (strcasecmp(cmd->argv[0], "decode") != 0)
		return answer_text(answer, ENGINE_ERROR, xstrdup("usage: /b64 encode|decode TEXT"));
	raw = sasl_b64_decode(text, &len);
	if (raw == NULL)
		return answer_text(answer, ENGINE_ERROR, xasprintf("\"%s\" is not valid base64", text));
	if (sasl_is_printable(raw, len)) {
		result = xasprintf("%s decodes to \"%s\"", text, (char *)raw);
	} else {
		/* Shown with NULs and other control bytes escaped (AUTH PLAIN holds NULs). */
		out = escape_str((const char *)raw, len, ESCAPE_NUL);
		result = xasprintf("%s decodes to %zu octets: %s", text, len, out);
		explicit_bzero(out, strlen(out));
		free(out);
	}
	explicit_bzero(raw, len);
	free(raw);
	return b64_result(e, answer, result, "**** decodes to **** (shown, not recorded: it may "
	    "be a password; --show-secrets records it)");
}

static enum engine_result
local_message(struct engine *e, struct command *cmd, bool bdat, unsigned flags,
    struct engine_answer *answer)
{
	struct command_message *m;
	const char *line = bdat ? "BDAT 0 LAST" : "DATA";
	char *err = NULL, *end;
	long chunk = ENGINE_BDAT_DEFAULT;

	if (!is_connected(e))
		return not_connected(e, answer);
	if (phase_is_streaming(e))
		return answer_text(answer, ENGINE_ERROR, xasprintf("%s is still being sent",
		    e->message_name));
	if (session_state(e->session) == SESSION_DATA)
		return answer_text(answer, ENGINE_ERROR, xstrdup("already in DATA: end the message "
		    "with a line holding a single \".\" first"));
	if (bdat && cmd->argc > 1) {
		errno = 0;
		chunk = strtol(cmd->argv[1], &end, 10);
		if (*end != '\0' || errno != 0 || chunk < 1 || chunk > ENGINE_BDAT_MAX)
			return answer_text(answer, ENGINE_ERROR, xasprintf("CHUNK must be a number "
			    "of octets from 1 to %d", ENGINE_BDAT_MAX));
	}
	m = command_message_open(cmd->argv[0], !bdat, &err);
	if (m == NULL)
		return answer_text(answer, ENGINE_ERROR, err);
	if (guidance(e, &line, 1, command_message_size(m), flags, answer)) {
		command_message_close(m);
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
		send_line(e, "DATA", NULL);
	}
	flush_out(e);
	return ENGINE_DONE;
}

static enum engine_result
local_pipeline(struct engine *e, struct command *cmd, unsigned flags,
    struct engine_answer *answer)
{
	char *copy = xstrdup(cmd->rest), *part, *save = NULL;
	char **lines = NULL;
	size_t n = 0, i;
	enum engine_result result = ENGINE_DONE;

	if (!is_connected(e)) {
		free(copy);
		return not_connected(e, answer);
	}
	for (part = strtok_r(copy, ";", &save); part != NULL; part = strtok_r(NULL, ";", &save)) {
		size_t len;

		while (*part == ' ' || *part == '\t')
			part++;
		len = strlen(part);
		while (len > 0 && (part[len - 1] == ' ' || part[len - 1] == '\t'))
			part[--len] = '\0';
		if (len == 0)
			continue;
		if (part[0] == '/') {
			result = answer_text(answer, ENGINE_ERROR, xstrdup("/pipeline sends SMTP "
			    "commands only, not local commands"));
			goto out;
		}
		lines = xreallocarray(lines, n + 1, sizeof *lines);
		lines[n++] = part;
	}
	if (n == 0) {
		result = answer_text(answer, ENGINE_ERROR, xstrdup("usage: /pipeline CMD; CMD; ..."));
		goto out;
	}
	if (session_capabilities_known(e->session) && !session_has(e->session, "PIPELINING")) {
		if (!(flags & ENGINE_FORCE)) {
			answer->command = xstrdup("pipelining-not-advertised");
			result = answer_text(answer, ENGINE_WARNING, xstrdup("the server did not "
			    "offer PIPELINING: sending a group at once may confuse it (it may drop "
			    "or reject the commands after the first)"));
			goto out;
		}
		record(e, TRANSCRIPT_WARNING, "pipelining-not-advertised", false, "sent anyway: "
		    "the server did not offer PIPELINING");
	}
	if (guidance(e, (const char *const *)lines, n, -1, flags, answer)) {
		result = ENGINE_WARNING;
		goto out;
	}
	/* All at once: one write, replies paired in order by the session's FIFO. */
	for (i = 0; i < n; i++)
		send_user_line(e, lines[i]);
	flush_out(e);
out:
	free(lines);
	free(copy);
	return result;
}

static enum engine_result
local_status(struct engine *e)
{
	const char *const *keys;
	size_t n = session_capabilities(e->session, &keys), i;
	char caps[1024] = "", *shown;
	size_t len = 0;
	struct engine_status st;

	engine_status(e, &st);
	for (i = 0; i < n && len < sizeof caps - 1; i++)
		len += (size_t)snprintf(caps + len, sizeof caps - len, "%s%s", i ? " " : "", keys[i]);
	recordf(e, TRANSCRIPT_INFO, NULL, "state: %s; %s%s%s%s", st.state,
	    st.connected ? "connected to " : "not connected",
	    st.connected ? st.peer : "", st.connected && st.address ? " at " : "",
	    st.connected && st.address ? st.address : "");
	recordf(e, TRANSCRIPT_INFO, NULL, "TLS: %s%s; user: %s",
	    st.tls ? st.tls_version : "no",
	    st.tls ? (st.verified ? " (verified)" : " (NOT verified)") : "",
	    st.user ? st.user : "not authenticated");
	/* The keywords are the server's words: escaped like any reply. */
	shown = escape_str(caps, strlen(caps), ESCAPE_NUL);
	recordf(e, TRANSCRIPT_INFO, NULL, "capabilities: %s",
	    session_capabilities_known(e->session) ? (n ? shown : "none (plain SMTP)") :
	    "unknown (send EHLO)");
	free(shown);
	return ENGINE_DONE;
}

static enum engine_result
submit_local(struct engine *e, const char *line, unsigned flags, struct engine_answer *answer)
{
	struct command cmd;
	char *err = NULL, *text;
	enum engine_result result = ENGINE_DONE;
	const char *starttls = "STARTTLS";

	if (command_parse(line, &cmd, &err) < 0)
		return answer_text(answer, ENGINE_ERROR, err);
	if (cmd.info->frontend) {
		answer->command = xstrdup(cmd.info->name);
		answer->args = xstrdup(cmd.rest);
		command_clear(&cmd);
		return ENGINE_FRONTEND;
	}
	switch (cmd.info->id) {
	case COMMAND_CONNECT:
		if (cmd.argc == 0 && e->last_target == NULL) {
			result = answer_text(answer, ENGINE_ERROR, xstrdup("usage: /connect "
			    "HOST[:PORT] (no earlier connection to repeat)"));
			break;
		}
		text = xstrdup(cmd.argc ? cmd.argv[0] : e->last_target);
		if (engine_connect(e, text, cmd.argc ? e->default_port : e->last_default_port,
		    &err) < 0)
			result = answer_text(answer, ENGINE_ERROR, err);
		free(text);
		break;
	case COMMAND_DISCONNECT:
		if (!phase_is_open(e) && !phase_is_connecting(e) && e->phase != PHASE_HANDSHAKE) {
			result = answer_text(answer, ENGINE_ERROR, xstrdup("not connected"));
			break;
		}
		close_connection(e);
		record(e, TRANSCRIPT_EVENT, "closed", false, "disconnected (no QUIT sent)");
		break;
	case COMMAND_STARTTLS:
		if (!is_connected(e)) {
			result = not_connected(e, answer);
			break;
		}
		if (guidance(e, &starttls, 1, -1, flags, answer)) {
			result = ENGINE_WARNING;
			break;
		}
		send_user_line(e, "STARTTLS");
		flush_out(e);
		break;
	case COMMAND_TLS:
		if (e->tls == NULL || !phase_is_open(e)) {
			result = answer_text(answer, ENGINE_ERROR, xstrdup("no TLS on this connection "
			    "(/starttls, or connect with --tls)"));
			break;
		}
		text = tls_describe(e->tls);
		record_lines(e, TRANSCRIPT_INFO, text);
		free(text);
		break;
	case COMMAND_AUTH:
		result = local_auth(e, &cmd, flags, answer);
		break;
	case COMMAND_B64:
		result = local_b64(e, &cmd, answer);
		break;
	case COMMAND_DATA:
	case COMMAND_BDAT:
		result = local_message(e, &cmd, cmd.info->id == COMMAND_BDAT, flags, answer);
		break;
	case COMMAND_PIPELINE:
		result = local_pipeline(e, &cmd, flags, answer);
		break;
	case COMMAND_SAVE:
		if (export_save(e->transcript, e->config.kb, cmd.argv[0], &err) < 0)
			result = answer_text(answer, ENGINE_ERROR, err);
		else
			recordf(e, TRANSCRIPT_INFO, NULL, "transcript saved to %s%s", cmd.argv[0],
			    e->config.show_secrets ? " (secrets NOT masked: --show-secrets)" : "");
		break;
	case COMMAND_STATUS:
		result = local_status(e);
		break;
	default:
		result = answer_text(answer, ENGINE_ERROR, xstrdup("not a command for the engine"));
		break;
	}
	command_clear(&cmd);
	return result;
}

enum engine_result
engine_submit(struct engine *e, const char *line, unsigned flags, struct engine_answer *answer)
{
	memset(answer, 0, sizeof *answer);
	if (e->auth.awaiting_secret)
		auth_reset(e);
	if (line[0] == '/' && line[1] == '/')
		return submit_raw(e, line + 1, flags, answer);
	if (line[0] == '/' && !(session_state(e->session) == SESSION_DATA &&
	    !phase_is_streaming(e)))
		return submit_local(e, line, flags, answer);
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
	free(answer->command);
	free(answer->args);
	memset(answer, 0, sizeof *answer);
}

/* ---- state for front ends ---- */

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
	st->connected = phase_is_open(e) || e->phase == PHASE_HANDSHAKE;
	st->peer = e->phase == PHASE_IDLE ? NULL : e->host;
	if (!st->connected && !phase_is_connecting(e))
		st->peer = NULL;
	st->address = e->address;
	st->port = e->port;
	st->tls = e->tls != NULL && phase_is_open(e);
	st->verified = st->tls && e->verified;
	st->tls_version = st->tls ? tls_version(e->tls) : NULL;
	st->user = session_user(e->session);
	switch (e->phase) {
	case PHASE_MX_LOOKUP:
	case PHASE_CONNECTING:
		snprintf(m->state_text, sizeof m->state_text, "connecting");
		break;
	case PHASE_HANDSHAKE:
		snprintf(m->state_text, sizeof m->state_text, "TLS handshake");
		break;
	default:
		snprintf(m->state_text, sizeof m->state_text, "%s",
		    session_state_name(e->session));
	}
	st->state = e->state_text;
	st->last_latency_us = e->last_latency_us;
	/* After a 334 to an AUTH typed by hand the server waits for the user's next line, so the
	 * user is not waiting for anything (a /auth the engine drives answers by itself). */
	st->waiting = phase_is_connecting(e) || e->phase == PHASE_HANDSHAKE ||
	    (phase_is_open(e) && ((session_pending(e->session) > 0 &&
	    !(session_auth_continuing(e->session) && !e->auth.active)) ||
	    phase_is_streaming(e) || e->out_len > 0));
	st->in_data = phase_is_open(e) && session_state(e->session) == SESSION_DATA &&
	    !phase_is_streaming(e);
}

size_t
engine_suggest_next(const struct engine *e, const char **out, size_t max)
{
	struct engine *m = (struct engine *)e;
	const char *base[ENGINE_MAX_SUGGEST];
	size_t n = 0, i, k;
	char code[4];

	free_suggestions(m);
	/* The knowledge base's advice for the last reply comes first. */
	if (e->config.kb != NULL && e->last_code >= 200 && e->last_code <= 599 &&
	    phase_is_open(e)) {
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
