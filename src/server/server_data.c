/* server_data.c: receiving a message: DATA (the 354, decoding the dot-stuffed lines up to
 * the final dot) and BDAT (chunks counted in bytes), their limits, and handing the message to
 * the store. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "core/proto/sasl.h"
#include "core/util/clock.h"
#include "core/proto/session.h"
#include "core/util/xmalloc.h"
#include "server/server.h"
#include "server/server_session_internal.h"

/* Starts storing a message: Return-Path and Received first, as a delivery agent would. */
static int
begin_message(struct server_session *s)
{
	char date[64], *header, *err = NULL;
	time_t now = time(NULL);
	struct tm tm;
	const char *proto = s->esmtp ? (s->tls_active ? (s->auth_user ? "ESMTPSA" : "ESMTPS") :
	    (s->auth_user ? "ESMTPA" : "ESMTP")) : "SMTP";
	char *helo = server_escape(s->helo, strlen(s->helo), 100);

	localtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S %z", &tm);
	header = xasprintf("Return-Path: <%s>\r\nReceived: from %s ([%s])\r\n\tby %s "
	    "(smtpscope practice server) with %s\r\n\tfor <%s>; %s\r\n", s->mail.addr, helo, s->peer,
	    s->srv->cfg->domain, proto, s->rcpts[0], date);
	free(helo);
	s->msg = server_store_message_begin(s->srv->store, header, &err);
	free(header);
	if (s->msg == NULL) {
		server_log(s->srv->log, s->id, "cannot store the message: %s", err);
		free(err);
		return -1;
	}
	return 0;
}

int
server_check_data(struct server_session *s, const struct smtp_command *cmd)
{
	if (s->bdat_mode) {
		server_reply(s, 503, "5.5.1", "Bad sequence of commands: DATA after BDAT");
		return -1;
	}
	if (server_no_args(s, cmd) != 0)
		return -1;
	if (!s->have_mail) {
		server_reply(s, 503, "5.5.1", "Bad sequence of commands: need MAIL and RCPT before DATA");
		return -1;
	}
	if (s->nrcpt == 0) {
		server_reply(s, 554, "5.5.1", "No valid recipients");
		return -1;
	}
	return 0;
}

void
server_proceed_data(struct server_session *s, const struct smtp_command *cmd)
{
	if (begin_message(s) != 0) {
		server_reply(s, 451, "4.3.0", "Cannot store the message right now, try again later");
		return;
	}
	s->dpos = D_BOL;
	s->data_bytes = 0;
	s->line_len = 0;
	s->data_started = clock_mono_seconds();
	server_session_enter_state(s, S_DATA);
	server_reply(s, 354, NULL, "End data with <CR><LF>.<CR><LF>");
}

static void
finish_message(struct server_session *s)
{
	const struct server_config *cfg = s->srv->cfg;
	char *where = NULL, *err = NULL, *to = NULL, *next, *from;
	long number;
	size_t i;

	server_session_enter_state(s, S_READY);
	if (s->long_line_seen)
		server_log(s->srv->log, s->id, "note: the message has lines over 998 octets "
		    "(RFC 5321 section 4.5.3.1.6)");
	if (s->bare_lf_seen)
		server_log(s->srv->log, s->id, "note: the message has bare LF line ends (only CRLF "
		    "ends a line in SMTP)");
	if (s->too_big) {
		server_log(s->srv->log, s->id, "limit: message of %llu bytes over SIZE %llu",
		    (unsigned long long)s->data_bytes, (unsigned long long)cfg->size_max);
		server_reply(s, 552, "5.3.4", "Message too big: %llu bytes, the limit is %llu%s",
		    (unsigned long long)s->data_bytes, (unsigned long long)cfg->size_max,
		    server_has(s->srv, SCENARIO_TOO_BIG) ? " (scenario too-big)" : "");
		server_session_reset(s);
		return;
	}
	if (server_has(s->srv, SCENARIO_MAILBOX_FULL) && s->data_bytes > SERVER_QUOTA_LEFT) {
		server_reply(s, 552, "5.2.2", "Mailbox full: the message has %llu bytes, only %d fit "
		    "(scenario mailbox-full)", (unsigned long long)s->data_bytes, SERVER_QUOTA_LEFT);
		server_session_reset(s);
		return;
	}
	if (s->store_failed || s->msg == NULL) {
		server_reply(s, 451, "4.3.0", "Could not store the message, try again later");
		server_session_reset(s);
		return;
	}
	number = server_store_message_commit(s->msg, s->srv->log, s->id, &where, &err);
	s->msg = NULL;
	if (number < 0) {
		server_log(s->srv->log, s->id, "cannot store the message: %s", err);
		free(err);
		server_reply(s, 451, "4.3.0", "Could not store the message, try again later");
		server_session_reset(s);
		return;
	}
	/* Addresses may hold UTF-8 (SMTPUTF8): escaped, like everything from a client. */
	for (i = 0; i < s->nrcpt; i++) {
		char *e = server_escape(s->rcpts[i], strlen(s->rcpts[i]), SMTP_ADDR_MAX);
		next = to ? xasprintf("%s, <%s>", to, e) : xasprintf("<%s>", e);
		free(e);
		free(to);
		to = next;
	}
	from = server_escape(s->mail.addr, strlen(s->mail.addr), SMTP_ADDR_MAX);
	server_log(s->srv->log, s->id, "message #%ld accepted: from <%s> to %s, %llu bytes, "
	    "stored in %s", number, from, to, (unsigned long long)s->data_bytes, where);
	free(from);
	free(to);
	free(where);
	s->messages++;
	s->srv->messages_accepted++;
	server_session_reset(s);
	server_reply(s, 250, "2.0.0", "Message accepted as #%ld", number);
}

/* Counts bytes of the message and passes them to the store, unless over the size limit. */
static void
message_bytes(struct server_session *s, const char *data, size_t len)
{
	s->data_bytes += len;
	if (!s->too_big && s->data_bytes > s->srv->cfg->size_max) {
		s->too_big = true;
		server_store_message_abort(s->msg);
		s->msg = NULL;
	}
	if (s->msg != NULL && len > 0 && server_store_message_write(s->msg, data, len) != 0)
		s->store_failed = true;
}

/* Decodes DATA bytes: removes dot-stuffing, finds CRLF.CRLF (only CRLF ends a line, so a bare
 * LF cannot smuggle an end of data). Returns the bytes used; *done once the final dot came. */
static size_t
data_decode(struct server_session *s, const char *in, size_t len, bool *done)
{
	size_t i, o = 0;
	char *out;

	if (s->scratch_len < len + 2) {
		free(s->scratch);
		s->scratch_len = len + 2 > 65536 ? len + 2 : 65536;
		s->scratch = xmalloc(s->scratch_len);
	}
	out = s->scratch;
	*done = false;
	for (i = 0; i < len; i++) {
		char c = in[i];
		switch (s->dpos) {
		case D_BOL:
			s->line_len = 0;
			if (c == '.') {
				s->dpos = D_BOL_DOT;
				break;
			}
			s->dpos = D_MID;
			/* FALLTHROUGH */
		case D_MID:
			if (c == '\r') {
				s->dpos = D_CR;
			} else {
				const char *cr = memchr(in + i, '\r', len - i);
				size_t span = cr ? (size_t)(cr - (in + i)) : len - i;
				if (memchr(in + i, '\n', span) != NULL)
					s->bare_lf_seen = true;
				memcpy(out + o, in + i, span);
				o += span;
				s->line_len += span;
				i += span - 1;
			}
			break;
		case D_BOL_DOT:
			if (c == '\r') {
				s->dpos = D_BOL_DOT_CR;
			} else {
				/* The leading dot was stuffing: drop it, keep the rest. */
				s->dpos = D_MID;
				i--;
			}
			break;
		case D_BOL_DOT_CR:
			if (c == '\n') {
				*done = true;
				message_bytes(s, out, o);
				return i + 1;
			}
			out[o++] = '\r';
			s->dpos = D_MID;
			i--;
			break;
		case D_CR:
			if (c == '\n') {
				out[o++] = '\r';
				out[o++] = '\n';
				if (s->line_len > 998)
					s->long_line_seen = true;
				s->dpos = D_BOL;
			} else if (c == '\r') {
				out[o++] = '\r';
			} else {
				out[o++] = '\r';
				s->dpos = D_MID;
				i--;
			}
			break;
		}
	}
	message_bytes(s, out, o);
	return len;
}

/* How far past SIZE a message may go before the connection is cut rather than read through:
 * twice SIZE and a megabyte, room for a client that did not check SIZE first. */
static uint64_t
overrun_limit(const struct server_session *s)
{
	return s->srv->cfg->size_max * 2 + 1024 * 1024;
}

size_t
server_data_input(struct server_session *s, const char *data, size_t len)
{
	bool done;
	size_t used;
	uint64_t overrun = overrun_limit(s);

	if (server_has(s->srv, SCENARIO_DROP)) {
		server_log(s->srv->log, s->id, "scenario drop: cutting the connection in the middle "
		    "of the message");
		server_store_message_abort(s->msg);
		s->msg = NULL;
		server_session_close(s, true);
		return len;
	}
	used = data_decode(s, data, len, &done);
	if (done) {
		finish_message(s);
	} else if (s->data_bytes > overrun) {
		server_log(s->srv->log, s->id, "limit: message goes on far past SIZE (%llu bytes)",
		    (unsigned long long)s->data_bytes);
		server_reply(s, 421, "4.3.4", "%s Message far over the size limit, closing connection",
		    s->srv->cfg->domain);
		server_session_reset(s);
		server_session_close(s, false);
	}
	return used;
}

int
server_check_bdat(struct server_session *s, const struct smtp_command *cmd)
{
	const char *a = cmd->args, *end = cmd->args + cmd->args_len, *p;
	uint64_t n = 0;
	int digits = 0;

	if (server_need_ehlo(s, "BDAT") != 0)
		return -1;
	for (p = a; p < end && isdigit((unsigned char)*p) && digits < 19; p++, digits++)
		n = n * 10 + (uint64_t)(*p - '0');
	if (digits == 0 || (p < end && *p != ' ')) {
		server_reply(s, 501, "5.5.4", "Syntax: BDAT size [LAST]");
		return -1;
	}
	while (p < end && *p == ' ')
		p++;
	s->bdat_last = false;
	if (p < end) {
		if (end - p == 4 && strncasecmp(p, "LAST", 4) == 0) {
			s->bdat_last = true;
		} else {
			server_reply(s, 501, "5.5.4", "Syntax: BDAT size [LAST]");
			return -1;
		}
	}
	s->bdat_left = n;
	s->bdat_chunk_read = 0;
	return 0;
}

static void
bdat_chunk_done(struct server_session *s)
{
	if (s->bdat_reject) {
		s->bdat_reject = false;
		if (!s->bdat_mode)
			s->data_started = 0;   /* no message under way: the chunk's clock stops */
		server_session_enter_state(s, s->have_mail ? (s->nrcpt ? S_RCPT : S_MAIL) : (s->helo ? S_READY : S_GREETED));
		server_reply(s, s->bdat_reject_code, s->bdat_reject_esc, "%s", s->bdat_reject_text);
		return;
	}
	if (s->too_big) {
		server_session_enter_state(s, S_READY);
		server_reply(s, 552, "5.3.4", "Message too big: over the limit of %llu bytes",
		    (unsigned long long)s->srv->cfg->size_max);
		server_session_reset(s);
		return;
	}
	if (s->bdat_last) {
		finish_message(s);
		return;
	}
	server_session_enter_state(s, S_RCPT);
	server_reply(s, 250, "2.0.0", "%llu octets received", (unsigned long long)s->data_bytes);
}

void
server_proceed_bdat(struct server_session *s, const struct smtp_command *cmd)
{
	/* The chunk follows whatever the verdict: read it all, then answer (RFC 3030). */
	s->bdat_reject = true;
	if (!s->have_mail) {
		s->bdat_reject_code = 503;
		s->bdat_reject_esc = "5.5.1";
		s->bdat_reject_text = "Bad sequence of commands: need MAIL and RCPT before BDAT";
	} else if (s->nrcpt == 0) {
		s->bdat_reject_code = 554;
		s->bdat_reject_esc = "5.5.1";
		s->bdat_reject_text = "No valid recipients";
	} else if (!s->bdat_mode && begin_message(s) != 0) {
		s->bdat_reject_code = 451;
		s->bdat_reject_esc = "4.3.0";
		s->bdat_reject_text = "Cannot store the message right now, try again later";
	} else {
		s->bdat_reject = false;
		s->bdat_mode = true;
	}
	/* The clock runs from the first chunk to the last, gaps between chunks included. */
	if (s->data_started == 0)
		s->data_started = clock_mono_seconds();
	server_session_enter_state(s, S_BDAT);
	if (s->bdat_left == 0)
		bdat_chunk_done(s);
}

size_t
server_bdat_input(struct server_session *s, const char *data, size_t len)
{
	size_t n = len < s->bdat_left ? len : (size_t)s->bdat_left;

	if (server_has(s->srv, SCENARIO_DROP) && !s->bdat_reject) {
		server_log(s->srv->log, s->id, "scenario drop: cutting the connection in the middle "
		    "of the message");
		server_session_reset(s);
		server_session_close(s, true);
		return len;
	}
	if (!s->bdat_reject)
		message_bytes(s, data, n);
	s->bdat_left -= n;
	s->bdat_chunk_read += n;
	if (s->bdat_left > 0 && s->bdat_chunk_read > overrun_limit(s)) {
		/* The chunk must be read to the end to stay in step (RFC 3030), but one this far
		 * past SIZE is not worth reading: the connection goes, as for DATA. */
		server_log(s->srv->log, s->id, "limit: a BDAT chunk of %llu bytes, far past SIZE",
		    (unsigned long long)(s->bdat_chunk_read + s->bdat_left));
		server_reply(s, 421, "4.3.4", "%s Message far over the size limit, closing connection",
		    s->srv->cfg->domain);
		server_session_reset(s);
		server_session_close(s, false);
		return len;
	}
	if (s->bdat_left == 0)
		bdat_chunk_done(s);
	return n;
}
