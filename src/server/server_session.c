/* server_session.c: the practice server's SMTP state machine for one client. Lines come in
 * from the I/O layer (server_loop.c); every command goes through a verb table of
 * {verb, check, proceed} (the verbs' pairs in server_verbs.c, server_data.c and
 * server_auth.c); every reply goes out through server_reply(); every change of state goes
 * through server_session_enter_state(), which logs it. Also the session's lifecycle, its
 * timers and the reading of command lines. */
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

static const char *const state_names[] = {
	[S_CONNECTED] = "connected", [S_GREETED] = "greeted", [S_READY] = "ready",
	[S_MAIL] = "mail", [S_RCPT] = "rcpt", [S_DATA] = "data", [S_BDAT] = "bdat",
	[S_AUTH] = "auth", [S_STARTTLS] = "starttls", [S_REJECTED] = "rejected",
	[S_CLOSING] = "closing",
};

/* Every reply goes through here: one or more lines (text split at '\n'), each with the
 * enhanced code when there is one, logged, and held back in the slow scenario. */
void __attribute__((format(printf, 4, 5)))
server_reply(struct server_session *s, int code, const char *esc, const char *fmt, ...)
{
	va_list ap;
	char *text, *line, *nl, *out;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	for (line = text; line != NULL; line = nl) {
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		out = xasprintf("%03d%c%s%s%s", code, nl ? '-' : ' ', esc ? esc : "", esc ? " " : "",
		    line);
		server_log_wire(s->srv->log, s->id, "S:", out, strlen(out));
		server_client_write(s->client, out, strlen(out));
		server_client_write(s->client, "\r\n", 2);
		free(out);
	}
	free(text);
	if (code >= 500)
		s->errors++;
	if (server_has(s->srv, SCENARIO_SLOW) && s->state != S_CLOSING) {
		s->hold_until = clock_mono_seconds() + s->srv->cfg->delay;
		server_client_hold_output(s->client, s->hold_until);
	}
}

void
server_session_enter_state(struct server_session *s, enum server_state next)
{
	if (s->state == next)
		return;
	server_log(s->srv->log, s->id, "state %s -> %s", state_names[s->state], state_names[next]);
	s->state = next;
}

void
server_session_close(struct server_session *s, bool abort)
{
	server_session_enter_state(s, S_CLOSING);
	server_client_close(s->client, abort);
}

void
server_session_reset(struct server_session *s)
{
	size_t i;

	for (i = 0; i < s->nrcpt; i++)
		free(s->rcpts[i]);
	free(s->rcpts);
	s->rcpts = NULL;
	s->nrcpt = 0;
	s->have_mail = false;
	memset(&s->mail, 0, sizeof s->mail);
	server_store_message_abort(s->msg);
	s->msg = NULL;
	s->bdat_mode = s->bdat_last = s->bdat_reject = false;
	s->data_bytes = 0;
	s->data_started = 0;
	s->too_big = s->store_failed = s->long_line_seen = s->bare_lf_seen = false;
}

struct server_session *
server_session_new(struct server *server, struct server_client *client, unsigned id, const char *peer,
    bool implicit_tls)
{
	struct server_session *s = xcalloc(1, sizeof *s);

	s->srv = server;
	s->client = client;
	s->id = id;
	snprintf(s->peer, sizeof s->peer, "%s", peer);
	s->implicit_tls = implicit_tls;
	s->state = S_CONNECTED;
	s->last_activity = clock_mono_seconds();
	return s;
}

void
server_session_free(struct server_session *s)
{
	if (s == NULL)
		return;
	server_session_reset(s);
	server_auth_forget(s);
	free(s->helo);
	free(s->auth_user);
	free(s->scratch);
	free(s);
}

void
server_session_start(struct server_session *s)
{
	const struct server_config *cfg = s->srv->cfg;
	char *names = server_scenario_list_string(cfg->scenarios);

	if (server_has(s->srv, SCENARIO_BUSY)) {
		server_session_enter_state(s, S_GREETED);
		server_reply(s, 421, "4.3.2", "%s Too busy right now, try again later (scenario busy)",
		    cfg->domain);
		server_session_close(s, false);
	} else if (server_has(s->srv, SCENARIO_BLOCKED)) {
		server_session_enter_state(s, S_REJECTED);
		server_reply(s, 554, "5.7.1", "%s Your address [%s] is blocked here (scenario blocked)",
		    cfg->domain, s->peer);
	} else {
		server_session_enter_state(s, S_GREETED);
		/* RFC 2034 leaves the enhanced code out of the greeting. */
		server_reply(s, 220, NULL, "%s ESMTP smtpscope practice server (scenario %s)",
		    cfg->domain, names);
	}
	free(names);
}

void
server_session_tls_ready(struct server_session *s, const char *description)
{
	server_log(s->srv->log, s->id, "TLS established: %s", description);
	s->tls_active = true;
	if (s->state == S_CONNECTED) {
		server_session_start(s);
		return;
	}
	/* RFC 3207: everything learnt before the handshake is void; the client says EHLO again. */
	free(s->helo);
	s->helo = NULL;
	s->esmtp = false;
	free(s->auth_user);
	s->auth_user = NULL;
	server_session_reset(s);
	server_session_enter_state(s, S_GREETED);
}

void
server_session_closed(struct server_session *s, const char *reason)
{
	server_log(s->srv->log, s->id, "connection closed: %s (%d commands, %d messages accepted)",
	    reason, s->commands, s->messages);
	s->state = S_CLOSING;
}

bool
server_session_wants_input(const struct server_session *s)
{
	if (s->state == S_CLOSING || s->state == S_CONNECTED || s->state == S_STARTTLS)
		return false;
	return s->hold_until <= clock_mono_seconds();
}

/* When the message being received runs out of time (0: no message). A client that keeps a
 * message going by trickling bytes is busy, never idle, so the idle timeout alone would let it
 * hold its connection for ever. */
static double
data_deadline(const struct server_session *s)
{
	return s->data_started > 0 ? s->data_started + s->srv->cfg->data_timeout : 0;
}

double
server_session_deadline(const struct server_session *s)
{
	double idle = s->last_activity + s->srv->cfg->idle_timeout, data = data_deadline(s);

	if (s->state == S_CLOSING)
		return 0;
	if (data > 0 && data < idle)
		idle = data;
	if (s->hold_until > clock_mono_seconds() && s->hold_until < idle)
		return s->hold_until;
	return idle;
}

void
server_session_timer(struct server_session *s, double now)
{
	double data = data_deadline(s);

	if (s->state == S_CLOSING)
		return;
	if (data > 0 && now >= data) {
		server_log(s->srv->log, s->id, "limit: the message took longer than %.0f seconds "
		    "(%llu bytes received)", s->srv->cfg->data_timeout,
		    (unsigned long long)s->data_bytes);
		s->hold_until = 0;
		server_reply(s, 421, "4.4.2", "%s Message not received within %.0f seconds, closing "
		    "connection", s->srv->cfg->domain, s->srv->cfg->data_timeout);
		server_session_reset(s);
		server_session_close(s, false);
		return;
	}
	if (now >= s->last_activity + s->srv->cfg->idle_timeout && s->discard_line) {
		/* Not silent, but no command came: the line past the limit never ended. */
		server_log(s->srv->log, s->id, "limit: idle for %.0f seconds inside a line too long "
		    "that never ended", s->srv->cfg->idle_timeout);
		s->hold_until = 0;
		server_reply(s, 421, "4.4.2", "%s Line too long and not ended within %.0f seconds, "
		    "closing connection", s->srv->cfg->domain, s->srv->cfg->idle_timeout);
		server_session_close(s, false);
	} else if (now >= s->last_activity + s->srv->cfg->idle_timeout) {
		server_log(s->srv->log, s->id, "limit: idle for %.0f seconds", s->srv->cfg->idle_timeout);
		s->hold_until = 0;
		server_reply(s, 421, "4.4.2", "%s Idle timeout, closing connection", s->srv->cfg->domain);
		server_session_close(s, false);
	}
}

void
server_session_shutdown(struct server_session *s)
{
	if (s->state == S_CLOSING)
		return;
	s->hold_until = 0;
	server_reply(s, 421, "4.3.2", "%s Server shutting down, closing connection",
	    s->srv->cfg->domain);
	server_session_close(s, false);
}

static int
check_none(struct server_session *s, const struct smtp_command *cmd)
{
	return 0;
}

static const struct verb_entry {
	enum smtp_verb verb;
	int (*check)(struct server_session *, const struct smtp_command *);
	void (*proceed)(struct server_session *, const struct smtp_command *);
} verb_table[] = {
	{ SMTP_VERB_HELO, server_check_helo, server_proceed_helo },
	{ SMTP_VERB_EHLO, server_check_helo, server_proceed_helo },
	{ SMTP_VERB_MAIL, server_check_mail, server_proceed_mail },
	{ SMTP_VERB_RCPT, server_check_rcpt, server_proceed_rcpt },
	{ SMTP_VERB_DATA, server_check_data, server_proceed_data },
	{ SMTP_VERB_BDAT, server_check_bdat, server_proceed_bdat },
	{ SMTP_VERB_RSET, server_check_rset, server_proceed_rset },
	{ SMTP_VERB_VRFY, server_check_arg, server_proceed_vrfy },
	{ SMTP_VERB_EXPN, server_check_arg, server_proceed_expn },
	{ SMTP_VERB_HELP, check_none, server_proceed_help },
	{ SMTP_VERB_NOOP, check_none, server_proceed_noop },
	{ SMTP_VERB_QUIT, server_check_rset, server_proceed_quit },
	{ SMTP_VERB_STARTTLS, server_check_starttls, server_proceed_starttls },
	{ SMTP_VERB_AUTH, server_check_auth, server_proceed_auth },
};

/* One complete command line (CRLF removed). */
static void
server_command_line(struct server_session *s, const char *line, size_t len)
{
	struct smtp_command cmd;
	size_t i, keep;

	if (s->state == S_AUTH) {
		if (s->srv->cfg->show_secrets)
			server_log_wire(s->srv->log, s->id, "C:", line, len);
		else
			server_log(s->srv->log, s->id, "C: " SESSION_MASK " (SASL response hidden)");
		server_auth_step(s, line, len);
		return;
	}
	if (!s->srv->cfg->show_secrets && session_line_is_secret(NULL, line, len, &keep)) {
		char *shown = xasprintf("%.*s" SESSION_MASK, (int)keep, line);
		server_log_wire(s->srv->log, s->id, "C:", shown, strlen(shown));
		free(shown);
	} else {
		server_log_wire(s->srv->log, s->id, "C:", line, len);
	}
	if (++s->commands > SERVER_COMMANDS_MAX) {
		server_log(s->srv->log, s->id, "limit: %d commands", SERVER_COMMANDS_MAX);
		server_reply(s, 421, "4.7.0", "%s Too many commands in one session, closing connection",
		    s->srv->cfg->domain);
		server_session_close(s, false);
		return;
	}
	if (smtp_command_parse(line, len, &cmd) != 0) {
		server_reply(s, 500, "5.5.2", "Syntax error: empty command or leading space");
		return;
	}
	if (cmd.has_nul) {
		server_reply(s, 500, "5.5.2", "Syntax error: NUL byte in the command");
		return;
	}
	if (s->state == S_REJECTED && cmd.verb != SMTP_VERB_QUIT) {
		server_reply(s, 503, "5.5.1", "Bad sequence of commands: this server refused the "
		    "session, only QUIT is accepted");
		return;
	}
	if (cmd.verb == SMTP_VERB_UNKNOWN) {
		char *e = server_escape(cmd.verb_text, strlen(cmd.verb_text), 20);
		server_reply(s, 500, "5.5.2", "Syntax error, command unrecognized: %s", e);
		free(e);
		return;
	}
	for (i = 0; i < sizeof verb_table / sizeof verb_table[0]; i++) {
		if (verb_table[i].verb != cmd.verb)
			continue;
		if (cmd.has_8bit && cmd.verb != SMTP_VERB_MAIL && cmd.verb != SMTP_VERB_RCPT &&
		    cmd.verb != SMTP_VERB_VRFY && cmd.verb != SMTP_VERB_EXPN && cmd.verb != SMTP_VERB_HELO &&
		    cmd.verb != SMTP_VERB_EHLO) {
			server_reply(s, 501, "5.5.4", "Syntax error: 8-bit bytes in %s", cmd.verb_text);
			return;
		}
		if (verb_table[i].check(s, &cmd) == 0)
			verb_table[i].proceed(s, &cmd);
		return;
	}
	server_reply(s, 502, "5.5.1", "Command not implemented: %s", cmd.verb_text);
}

/* True when the line starting at data carries a SASL response: an answer to 334, or an AUTH
 * command (which may hold an initial response). Only avail bytes of it may have arrived. */
static bool
line_carries_sasl(const struct server_session *s, const char *data, size_t avail)
{
	return s->state == S_AUTH || (avail >= 5 && strncasecmp(data, "AUTH ", 5) == 0);
}

/* The longest such line, CRLF not counted. RFC 4954 section 4 wants servers to take the
 * longest response their mechanisms produce, whatever their other line limits, and names
 * 12288 octets as enough for every deployed mechanism; the same limit holds for an initial
 * response after "AUTH mechanism " (the response itself is measured in server_proceed_auth). */
static size_t
sasl_line_max(const struct server_session *s)
{
	if (s->state == S_AUTH)
		return SERVER_AUTH_LINE_MAX;
	return sizeof "AUTH " - 1 + SERVER_SASL_MECH_MAX + 1 + SERVER_AUTH_LINE_MAX;
}

size_t
server_session_input(struct server_session *s, const char *data, size_t len)
{
	size_t used = 0, n, max, linelen;
	const char *nl;
	bool progress = false, auth_line;

	while (used < len) {
		if (s->state == S_CLOSING || s->state == S_STARTTLS) {
			/* Bytes after STARTTLS, before the handshake: never read as if protected. */
			if (s->state == S_STARTTLS)
				server_log(s->srv->log, s->id, "discarded %zu bytes sent after STARTTLS "
				    "before the TLS handshake (STARTTLS injection defence)", len - used);
			return len;
		}
		if (!server_session_wants_input(s))
			break;
		if (s->state == S_DATA) {
			used += server_data_input(s, data + used, len - used);
			progress = true;
			continue;
		}
		if (s->state == S_BDAT) {
			used += server_bdat_input(s, data + used, len - used);
			progress = true;
			continue;
		}
		auth_line = line_carries_sasl(s, data + used, len - used);
		/* With room for the CR: the limits count what comes before CRLF. */
		max = (auth_line ? sasl_line_max(s) : SERVER_LINE_MAX) + 1;
		nl = memchr(data + used, '\n', len - used);
		if (nl == NULL) {
			if (s->discard_line || len - used > max) {
				/* Too long: drop what we have, answer when the line ends. */
				if (!s->discard_line)
					server_log(s->srv->log, s->id, "limit: line longer than %zu bytes, "
					    "discarding it", max - 1);
				if (!s->discard_line)
					s->discard_auth = auth_line;
				s->discard_line = true;
				used = len;
			}
			break;
		}
		n = (size_t)(nl - (data + used));
		linelen = n > 0 && data[used + n - 1] == '\r' ? n - 1 : n;
		if (!s->discard_line) {
			s->discard_auth = auth_line;
			s->discard_line = linelen > max - 1;
		}
		if (s->discard_line) {
			s->discard_line = false;
			if (s->discard_auth) {
				if (s->state == S_AUTH)
					server_auth_end(s);
				server_log(s->srv->log, s->id, "limit: SASL response longer than %d octets",
				    SERVER_AUTH_LINE_MAX);
				server_reply(s, 500, "5.5.6", AUTH_TOO_LONG, SERVER_AUTH_LINE_MAX);
			} else {
				server_reply(s, 500, "5.5.2", "Line too long (at most %d bytes)",
				    SERVER_LINE_MAX);
			}
		} else {
			server_command_line(s, data + used, linelen);
			if (s->state == S_STARTTLS && used + n + 1 < len) {
				server_log(s->srv->log, s->id, "discarded %zu bytes pipelined after "
				    "STARTTLS (STARTTLS injection defence)", len - (used + n + 1));
				return len;
			}
		}
		used += n + 1;
		progress = true;
		if (s->errors >= SERVER_ERRORS_MAX && s->state != S_CLOSING) {
			server_log(s->srv->log, s->id, "limit: %d errors", SERVER_ERRORS_MAX);
			s->hold_until = 0;
			server_reply(s, 421, "4.7.0", "%s Too many errors, closing connection",
			    s->srv->cfg->domain);
			server_session_close(s, false);
		}
	}
	/* Only progress counts as activity: a client that trickles bytes of a line that never
	 * ends (slowloris, or an endless line) still meets the idle timeout. */
	if (progress)
		s->last_activity = clock_mono_seconds();
	return used;
}
