/* server_session.c: the practice server's SMTP state machine for one client. Lines come in
 * from the I/O layer (server_loop.c); every command goes through a verb table of
 * {verb, check, proceed}; every reply goes out through server_reply(); every change of state
 * goes through enter_state(), which logs it. The scenarios bend the replies here. */
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

enum server_state {
	S_CONNECTED,      /* before the greeting (implicit TLS handshake, tarpit) */
	S_GREETED,        /* waiting for EHLO/HELO */
	S_READY,          /* EHLO/HELO done, no transaction */
	S_MAIL,           /* sender accepted */
	S_RCPT,           /* at least one recipient accepted */
	S_DATA,           /* receiving the message after 354 */
	S_BDAT,           /* receiving a BDAT chunk */
	S_AUTH,           /* inside a SASL exchange */
	S_STARTTLS,       /* 220 sent, handshake pending */
	S_REJECTED,       /* 554 greeting: only QUIT helps */
	S_CLOSING,
};

static const char *const state_names[] = {
	[S_CONNECTED] = "connected", [S_GREETED] = "greeted", [S_READY] = "ready",
	[S_MAIL] = "mail", [S_RCPT] = "rcpt", [S_DATA] = "data", [S_BDAT] = "bdat",
	[S_AUTH] = "auth", [S_STARTTLS] = "starttls", [S_REJECTED] = "rejected",
	[S_CLOSING] = "closing",
};

enum server_mech { SERVER_MECH_NONE, SERVER_MECH_PLAIN, SERVER_MECH_LOGIN, SERVER_MECH_CRAM_MD5 };

/* The reply to a SASL response over SERVER_AUTH_LINE_MAX, however it came (RFC 4954 section 6:
 * 500 5.5.6). */
#define AUTH_TOO_LONG "Authentication exchange line is too long (a SASL response may have at " \
	"most %d octets, RFC 4954)"

/* Where the DATA decoder is inside a line (for the final dot and dot-stuffing). */
enum data_pos { D_BOL, D_BOL_DOT, D_BOL_DOT_CR, D_MID, D_CR };

struct server_session {
	struct server *srv;
	struct server_client *client;
	unsigned id;
	char peer[64];
	enum server_state state;
	bool implicit_tls, tls_active, esmtp;
	char *helo;
	char *auth_user;
	int auth_failures;
	/* A SASL exchange in progress. */
	enum server_mech mech;
	char *login_user;
	char *cram_challenge;
	enum server_state state_before_auth;
	/* The transaction. */
	struct smtp_path mail;      /* also the scratch of MAIL/RCPT checks */
	struct smtp_path path;
	bool have_mail;
	char **rcpts;
	size_t nrcpt;
	/* The message being received. */
	struct server_message *msg;
	enum data_pos dpos;
	uint64_t data_bytes;
	bool too_big, store_failed, long_line_seen, bare_lf_seen;
	size_t line_len;
	char *scratch;
	size_t scratch_len;
	bool bdat_mode, bdat_last, bdat_reject;
	int bdat_reject_code;
	const char *bdat_reject_esc, *bdat_reject_text;
	uint64_t bdat_left;
	uint64_t bdat_chunk_read;     /* bytes of the current chunk so far */
	/* Counters and limits. */
	int commands, errors, messages;
	bool discard_line;
	bool discard_auth;            /* ... and that line carries a SASL response */
	double data_started;          /* when the message began (354 or the first BDAT); 0: none */
	double last_activity;
	double hold_until;
};

static void enter_state(struct server_session *s, enum server_state next);

/* Every reply goes through here: one or more lines (text split at '\n'), each with the
 * enhanced code when there is one, logged, and held back in the slow scenario. */
static void __attribute__((format(printf, 4, 5)))
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

static void
enter_state(struct server_session *s, enum server_state next)
{
	if (s->state == next)
		return;
	server_log(s->srv->log, s->id, "state %s -> %s", state_names[s->state], state_names[next]);
	s->state = next;
}

static void
close_session(struct server_session *s, bool abort)
{
	enter_state(s, S_CLOSING);
	server_client_close(s->client, abort);
}

static void
reset_transaction(struct server_session *s)
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

static void
forget_auth_exchange(struct server_session *s)
{
	if (s->login_user != NULL) {
		explicit_bzero(s->login_user, strlen(s->login_user));
		free(s->login_user);
		s->login_user = NULL;
	}
	free(s->cram_challenge);
	s->cram_challenge = NULL;
	s->mech = SERVER_MECH_NONE;
}

/* The SASL exchange ends without a verdict on the credentials (cancelled, malformed, too
 * long): back to where AUTH was given. */
static void
end_auth_exchange(struct server_session *s)
{
	forget_auth_exchange(s);
	enter_state(s, s->state_before_auth);
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
	reset_transaction(s);
	forget_auth_exchange(s);
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
		enter_state(s, S_GREETED);
		server_reply(s, 421, "4.3.2", "%s Too busy right now, try again later (scenario busy)",
		    cfg->domain);
		close_session(s, false);
	} else if (server_has(s->srv, SCENARIO_BLOCKED)) {
		enter_state(s, S_REJECTED);
		server_reply(s, 554, "5.7.1", "%s Your address [%s] is blocked here (scenario blocked)",
		    cfg->domain, s->peer);
	} else {
		enter_state(s, S_GREETED);
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
	reset_transaction(s);
	enter_state(s, S_GREETED);
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
		reset_transaction(s);
		close_session(s, false);
		return;
	}
	if (now >= s->last_activity + s->srv->cfg->idle_timeout && s->discard_line) {
		/* Not silent, but no command came: the line past the limit never ended. */
		server_log(s->srv->log, s->id, "limit: idle for %.0f seconds inside a line too long "
		    "that never ended", s->srv->cfg->idle_timeout);
		s->hold_until = 0;
		server_reply(s, 421, "4.4.2", "%s Line too long and not ended within %.0f seconds, "
		    "closing connection", s->srv->cfg->domain, s->srv->cfg->idle_timeout);
		close_session(s, false);
	} else if (now >= s->last_activity + s->srv->cfg->idle_timeout) {
		server_log(s->srv->log, s->id, "limit: idle for %.0f seconds", s->srv->cfg->idle_timeout);
		s->hold_until = 0;
		server_reply(s, 421, "4.4.2", "%s Idle timeout, closing connection", s->srv->cfg->domain);
		close_session(s, false);
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
	close_session(s, false);
}

/* ---- Who lives here ---------------------------------------------------------------------- */

static const char *const builtin_mailboxes[] = { "postmaster", "abuse", "alice", "bob" };
static const char *const staff_list[] = { "alice", "bob", "postmaster" };

static bool
addr_is_local(const struct server_session *s, const char *addr)
{
	const char *domain = smtp_addr_domain(addr);

	return domain == NULL || strcasecmp(domain, s->srv->cfg->domain) == 0;
}

static bool
mailbox_known(const struct server_session *s, const char *addr)
{
	const char *at = strrchr(addr, '@');
	size_t len = at ? (size_t)(at - addr) : strlen(addr), i;

	for (i = 0; i < sizeof builtin_mailboxes / sizeof builtin_mailboxes[0]; i++)
		if (strlen(builtin_mailboxes[i]) == len && strncasecmp(addr, builtin_mailboxes[i], len) == 0)
			return true;
	for (i = 0; i < s->srv->cfg->nusers; i++)
		if (strlen(s->srv->cfg->users[i].name) == len &&
		    strncasecmp(addr, s->srv->cfg->users[i].name, len) == 0)
			return true;
	return false;
}

/* ---- Greylisting ------------------------------------------------------------------------- */

/* Seconds the pair must still wait, 0 when it may pass. The first sighting starts the clock. */
static double
greylist_wait(struct server *srv, const char *from, const char *to)
{
	char *key = xasprintf("%s\n%s", from, to), *p;
	double now = clock_mono_seconds(), delay = srv->cfg->greylist_delay;
	size_t i, oldest = 0;

	for (p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (i = 0; i < srv->ngreylist; i++) {
		if (strcmp(srv->greylist[i].key, key) == 0) {
			double waited = now - srv->greylist[i].first_seen;
			free(key);
			return waited >= delay ? 0 : delay - waited;
		}
		if (srv->greylist[i].first_seen < srv->greylist[oldest].first_seen)
			oldest = i;
	}
	if (srv->ngreylist < SERVER_GREYLIST_MAX) {
		srv->greylist = xreallocarray(srv->greylist, srv->ngreylist + 1, sizeof *srv->greylist);
		i = srv->ngreylist++;
	} else {
		i = oldest;
		free(srv->greylist[i].key);
	}
	srv->greylist[i].key = key;
	srv->greylist[i].first_seen = now;
	return delay > 0 ? delay : 0.001;
}

/* ---- Checks and proceeds, one pair per verb ---------------------------------------------- */

static bool
in_transaction(const struct server_session *s)
{
	return s->state == S_MAIL || s->state == S_RCPT;
}

static int
need_helo(struct server_session *s)
{
	if (s->helo == NULL) {
		server_reply(s, 503, "5.5.1", "Bad sequence of commands: send EHLO or HELO first");
		return -1;
	}
	return 0;
}

static int
need_ehlo(struct server_session *s, const char *what)
{
	if (server_has(s->srv, SCENARIO_NO_ESMTP)) {
		server_reply(s, 502, "5.5.1", "%s not implemented here (this server speaks only HELO)", what);
		return -1;
	}
	if (!s->esmtp) {
		server_reply(s, 503, "5.5.1", "Bad sequence of commands: %s needs EHLO first", what);
		return -1;
	}
	return 0;
}

static int
no_args(struct server_session *s, const struct smtp_command *cmd)
{
	if (cmd->args_len != 0) {
		server_reply(s, 501, "5.5.4", "Syntax error: %s takes no arguments", cmd->verb_text);
		return -1;
	}
	return 0;
}

static int
check_helo(struct server_session *s, const struct smtp_command *cmd)
{
	if (cmd->args_len == 0) {
		server_reply(s, 501, "5.5.4", "Syntax: %s your.host.name", cmd->verb_text);
		return -1;
	}
	if (cmd->verb == SMTP_VERB_EHLO && server_has(s->srv, SCENARIO_NO_ESMTP)) {
		server_reply(s, 500, "5.5.1", "Command unrecognized: EHLO (an old server: try HELO)");
		return -1;
	}
	return 0;
}

static void
proceed_helo(struct server_session *s, const struct smtp_command *cmd)
{
	const struct server_config *cfg = s->srv->cfg;
	char *escaped = server_escape(cmd->args, cmd->args_len, 100);
	char *caps;

	reset_transaction(s);
	free(s->helo);
	s->helo = xstrndup(cmd->args, cmd->args_len);
	s->esmtp = cmd->verb == SMTP_VERB_EHLO;
	enter_state(s, S_READY);
	if (!s->esmtp) {
		server_reply(s, 250, NULL, "%s Hello %s [%s]", cfg->domain, escaped, s->peer);
		free(escaped);
		return;
	}
	caps = xasprintf("%s Hello %s [%s]\nPIPELINING\nSIZE %llu\n8BITMIME\nSMTPUTF8\nDSN\n"
	    "ENHANCEDSTATUSCODES\nCHUNKING%s%s\nHELP", cfg->domain, escaped, s->peer,
	    (unsigned long long)cfg->size_max,
	    !s->tls_active && server_client_tls_available(s->client) ? "\nSTARTTLS" : "",
	    server_has(s->srv, SCENARIO_TLS_REQUIRED) && !s->tls_active ? "" :
	    "\nAUTH PLAIN LOGIN CRAM-MD5");
	/* RFC 2034 leaves the enhanced code out of the EHLO reply. */
	server_reply(s, 250, NULL, "%s", caps);
	free(caps);
	free(escaped);
}

/* Reports a MAIL/RCPT parse error; 0 when there was none. */
static int
path_error(struct server_session *s, enum smtp_path_error err, bool is_mail)
{
	switch (err) {
	case SMTP_PATH_OK:
		return 0;
	case SMTP_PATH_NO_PREFIX:
		server_reply(s, 501, "5.5.4", "Syntax: %s", is_mail ? "MAIL FROM:<address>" :
		    "RCPT TO:<address>");
		break;
	case SMTP_PATH_SYNTAX:
		server_reply(s, 501, is_mail ? "5.1.7" : "5.1.3", "Bad %s address syntax",
		    is_mail ? "sender" : "recipient");
		break;
	case SMTP_PATH_NEEDS_UTF8:
		server_reply(s, 553, "5.6.7", "Non-ASCII address needs the SMTPUTF8 parameter on MAIL");
		break;
	case SMTP_PATH_PARAM_SYNTAX:
	case SMTP_PATH_PARAM_TWICE:
		server_reply(s, 501, "5.5.4", "Bad or repeated parameter: %s", s->path.bad_param);
		break;
	case SMTP_PATH_PARAM_UNKNOWN:
		server_reply(s, 555, "5.5.4", "Unsupported parameter: %s", s->path.bad_param);
		break;
	}
	return -1;
}

static bool
path_has_params(const struct smtp_path *p)
{
	return p->has_size || p->body != SMTP_BODY_UNSET || p->smtputf8 || p->has_ret ||
	    p->has_envid || p->has_auth || p->has_notify || p->has_orcpt;
}

static int
check_mail(struct server_session *s, const struct smtp_command *cmd)
{
	const struct server_config *cfg = s->srv->cfg;

	if (in_transaction(s) || s->bdat_mode) {
		server_reply(s, 503, "5.5.1", "Bad sequence of commands: nested MAIL (send RSET first)");
		return -1;
	}
	if (need_helo(s) != 0)
		return -1;
	if (server_has(s->srv, SCENARIO_TLS_REQUIRED) && !s->tls_active) {
		server_reply(s, 530, "5.7.0", "Must issue a STARTTLS command first (scenario tls-required)");
		return -1;
	}
	if (server_has(s->srv, SCENARIO_AUTH_REQUIRED) && s->auth_user == NULL) {
		server_reply(s, 530, "5.7.0", "Authentication required (scenario auth-required)");
		return -1;
	}
	if (server_has(s->srv, SCENARIO_RATE_LIMIT) && s->messages >= cfg->rate_limit) {
		server_log(s->srv->log, s->id, "scenario rate-limit: %d messages already accepted",
		    s->messages);
		server_reply(s, 421, "4.7.0", "%s Too many messages from you (%d), try again later "
		    "(scenario rate-limit)", cfg->domain, s->messages);
		close_session(s, false);
		return -1;
	}
	if (path_error(s, smtp_path_parse(cmd->args, cmd->args_len, true, &s->path), true))
		return -1;
	if (!s->esmtp && path_has_params(&s->path)) {
		server_reply(s, 555, "5.5.4", "MAIL parameters need EHLO, not HELO");
		return -1;
	}
	if (s->path.body == SMTP_BODY_BINARYMIME) {
		server_reply(s, 555, "5.5.4", "BODY=BINARYMIME is not supported here");
		return -1;
	}
	if (s->path.has_size && s->path.size > cfg->size_max) {
		server_reply(s, 552, "5.3.4", "Message size exceeds fixed maximum message size (%llu)",
		    (unsigned long long)cfg->size_max);
		return -1;
	}
	return 0;
}

static void
proceed_mail(struct server_session *s, const struct smtp_command *cmd)
{
	s->mail = s->path;
	s->have_mail = true;
	enter_state(s, S_MAIL);
	server_reply(s, 250, "2.1.0", "Sender <%s> OK", s->mail.addr);
}

static int
check_rcpt(struct server_session *s, const struct smtp_command *cmd)
{
	if (!s->have_mail) {
		server_reply(s, 503, "5.5.1", "Bad sequence of commands: need MAIL before RCPT");
		return -1;
	}
	if (s->bdat_mode) {
		server_reply(s, 503, "5.5.1", "Bad sequence of commands: RCPT after BDAT");
		return -1;
	}
	if (path_error(s, smtp_path_parse(cmd->args, cmd->args_len, false, &s->path), false))
		return -1;
	if (s->path.has_8bit && !s->mail.smtputf8) {
		server_reply(s, 553, "5.6.7", "Non-ASCII address needs the SMTPUTF8 parameter on MAIL");
		return -1;
	}
	if (!s->esmtp && path_has_params(&s->path)) {
		server_reply(s, 555, "5.5.4", "RCPT parameters need EHLO, not HELO");
		return -1;
	}
	if (s->nrcpt >= SERVER_RCPT_MAX) {
		server_log(s->srv->log, s->id, "limit: %d recipients", SERVER_RCPT_MAX);
		server_reply(s, 452, "4.5.3", "Too many recipients (at most %d per message)",
		    SERVER_RCPT_MAX);
		return -1;
	}
	return 0;
}

static void
proceed_rcpt(struct server_session *s, const struct smtp_command *cmd)
{
	struct server *srv = s->srv;
	const char *addr = s->path.addr;
	bool local = addr_is_local(s, addr);
	double wait;

	if (server_has(srv, SCENARIO_RELAY_DENIED) && !local && s->auth_user == NULL) {
		server_reply(s, 554, "5.7.1", "<%s>: Relay access denied: %s only takes mail for "
		    "@%s unless you authenticate (scenario relay-denied)", addr, srv->cfg->domain,
		    srv->cfg->domain);
		return;
	}
	if (server_has(srv, SCENARIO_UNKNOWN_USER) && local && !mailbox_known(s, addr)) {
		server_reply(s, 550, "5.1.1", "<%s>: Recipient address rejected: no such user here "
		    "(scenario unknown-user)", addr);
		return;
	}
	if (server_has(srv, SCENARIO_MAILBOX_FULL) && s->mail.has_size &&
	    s->mail.size > SERVER_QUOTA_LEFT) {
		server_reply(s, 452, "4.2.2", "<%s>: Mailbox full: %d bytes left, the message has "
		    "%llu (scenario mailbox-full)", addr, SERVER_QUOTA_LEFT,
		    (unsigned long long)s->mail.size);
		return;
	}
	if (server_has(srv, SCENARIO_GREYLIST) &&
	    (wait = greylist_wait(srv, s->mail.addr, addr)) > 0) {
		long secs = (long)(wait + 0.999);
		char *ef = server_escape(s->mail.addr, strlen(s->mail.addr), SMTP_ADDR_MAX);
		char *et = server_escape(addr, strlen(addr), SMTP_ADDR_MAX);
		server_log(srv->log, s->id, "scenario greylist: <%s> -> <%s> must wait %ld more "
		    "seconds", ef, et, secs);
		free(ef);
		free(et);
		server_reply(s, 451, "4.7.1", "<%s>: Greylisted, please try again in %ld seconds "
		    "(scenario greylist)", addr, secs);
		return;
	}
	s->rcpts = xreallocarray(s->rcpts, s->nrcpt + 1, sizeof *s->rcpts);
	s->rcpts[s->nrcpt++] = xstrdup(addr);
	enter_state(s, S_RCPT);
	server_reply(s, 250, "2.1.5", "Recipient <%s> OK", addr);
}

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

static int
check_data(struct server_session *s, const struct smtp_command *cmd)
{
	if (s->bdat_mode) {
		server_reply(s, 503, "5.5.1", "Bad sequence of commands: DATA after BDAT");
		return -1;
	}
	if (no_args(s, cmd) != 0)
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

static void
proceed_data(struct server_session *s, const struct smtp_command *cmd)
{
	if (begin_message(s) != 0) {
		server_reply(s, 451, "4.3.0", "Cannot store the message right now, try again later");
		return;
	}
	s->dpos = D_BOL;
	s->data_bytes = 0;
	s->line_len = 0;
	s->data_started = clock_mono_seconds();
	enter_state(s, S_DATA);
	server_reply(s, 354, NULL, "End data with <CR><LF>.<CR><LF>");
}

static void
finish_message(struct server_session *s)
{
	const struct server_config *cfg = s->srv->cfg;
	char *where = NULL, *err = NULL, *to = NULL, *next, *from;
	long number;
	size_t i;

	enter_state(s, S_READY);
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
		reset_transaction(s);
		return;
	}
	if (server_has(s->srv, SCENARIO_MAILBOX_FULL) && s->data_bytes > SERVER_QUOTA_LEFT) {
		server_reply(s, 552, "5.2.2", "Mailbox full: the message has %llu bytes, only %d fit "
		    "(scenario mailbox-full)", (unsigned long long)s->data_bytes, SERVER_QUOTA_LEFT);
		reset_transaction(s);
		return;
	}
	if (s->store_failed || s->msg == NULL) {
		server_reply(s, 451, "4.3.0", "Could not store the message, try again later");
		reset_transaction(s);
		return;
	}
	number = server_store_message_commit(s->msg, s->srv->log, s->id, &where, &err);
	s->msg = NULL;
	if (number < 0) {
		server_log(s->srv->log, s->id, "cannot store the message: %s", err);
		free(err);
		server_reply(s, 451, "4.3.0", "Could not store the message, try again later");
		reset_transaction(s);
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
	reset_transaction(s);
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

static size_t
data_input(struct server_session *s, const char *data, size_t len)
{
	bool done;
	size_t used;
	uint64_t overrun = overrun_limit(s);

	if (server_has(s->srv, SCENARIO_DROP)) {
		server_log(s->srv->log, s->id, "scenario drop: cutting the connection in the middle "
		    "of the message");
		server_store_message_abort(s->msg);
		s->msg = NULL;
		close_session(s, true);
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
		reset_transaction(s);
		close_session(s, false);
	}
	return used;
}

static int
check_bdat(struct server_session *s, const struct smtp_command *cmd)
{
	const char *a = cmd->args, *end = cmd->args + cmd->args_len, *p;
	uint64_t n = 0;
	int digits = 0;

	if (need_ehlo(s, "BDAT") != 0)
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
		enter_state(s, s->have_mail ? (s->nrcpt ? S_RCPT : S_MAIL) : (s->helo ? S_READY : S_GREETED));
		server_reply(s, s->bdat_reject_code, s->bdat_reject_esc, "%s", s->bdat_reject_text);
		return;
	}
	if (s->too_big) {
		enter_state(s, S_READY);
		server_reply(s, 552, "5.3.4", "Message too big: over the limit of %llu bytes",
		    (unsigned long long)s->srv->cfg->size_max);
		reset_transaction(s);
		return;
	}
	if (s->bdat_last) {
		finish_message(s);
		return;
	}
	enter_state(s, S_RCPT);
	server_reply(s, 250, "2.0.0", "%llu octets received", (unsigned long long)s->data_bytes);
}

static void
proceed_bdat(struct server_session *s, const struct smtp_command *cmd)
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
	enter_state(s, S_BDAT);
	if (s->bdat_left == 0)
		bdat_chunk_done(s);
}

static size_t
bdat_input(struct server_session *s, const char *data, size_t len)
{
	size_t n = len < s->bdat_left ? len : (size_t)s->bdat_left;

	if (server_has(s->srv, SCENARIO_DROP) && !s->bdat_reject) {
		server_log(s->srv->log, s->id, "scenario drop: cutting the connection in the middle "
		    "of the message");
		reset_transaction(s);
		close_session(s, true);
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
		reset_transaction(s);
		close_session(s, false);
		return len;
	}
	if (s->bdat_left == 0)
		bdat_chunk_done(s);
	return n;
}

static int
check_rset(struct server_session *s, const struct smtp_command *cmd)
{
	return no_args(s, cmd);
}

static void
proceed_rset(struct server_session *s, const struct smtp_command *cmd)
{
	reset_transaction(s);
	enter_state(s, s->helo ? S_READY : S_GREETED);
	server_reply(s, 250, "2.0.0", "OK, transaction reset");
}

static int
check_arg(struct server_session *s, const struct smtp_command *cmd)
{
	if (cmd->args_len == 0) {
		server_reply(s, 501, "5.5.4", "Syntax: %s name", cmd->verb_text);
		return -1;
	}
	return 0;
}

static void
proceed_vrfy(struct server_session *s, const struct smtp_command *cmd)
{
	char *arg = xstrndup(cmd->args, cmd->args_len), *a = arg, *e;
	size_t len;

	if (*a == '<' && (len = strlen(a)) > 1 && a[len - 1] == '>') {
		a[len - 1] = '\0';
		a++;
	}
	e = server_escape(a, strlen(a), 100);
	if (mailbox_known(s, a) && addr_is_local(s, a)) {
		const char *at = strchr(a, '@');
		int n = at ? (int)(at - a) : (int)strlen(a);
		server_reply(s, 250, "2.1.5", "%.*s <%.*s@%s>", n, a, n, a, s->srv->cfg->domain);
	} else if (server_has(s->srv, SCENARIO_UNKNOWN_USER) && addr_is_local(s, a) &&
	    strchr(a, '@') != NULL) {
		server_reply(s, 550, "5.1.1", "<%s>: no such user here", e);
	} else {
		server_reply(s, 252, "2.1.5", "Cannot VRFY %s, but will accept a message and try to "
		    "deliver it", e);
	}
	free(e);
	free(arg);
}

static void
proceed_expn(struct server_session *s, const struct smtp_command *cmd)
{
	char *e = server_escape(cmd->args, cmd->args_len, 100);
	char *list = NULL, *next;
	size_t i;

	if (cmd->args_len == 5 && strncasecmp(cmd->args, "staff", 5) == 0) {
		for (i = 0; i < sizeof staff_list / sizeof staff_list[0]; i++) {
			next = xasprintf("%s%s<%s@%s>", list ? list : "", list ? "\n" : "",
			    staff_list[i], s->srv->cfg->domain);
			free(list);
			list = next;
		}
		server_reply(s, 250, "2.1.5", "%s", list);
		free(list);
	} else {
		server_reply(s, 550, "5.1.1", "%s: no such mailing list here (try EXPN staff)", e);
	}
	free(e);
}

static void
proceed_help(struct server_session *s, const struct smtp_command *cmd)
{
	static const struct {
		const char *verb, *syntax;
	} topics[] = {
		{ "HELO", "HELO your.host.name" }, { "EHLO", "EHLO your.host.name" },
		{ "MAIL", "MAIL FROM:<sender@example.org> [SIZE=n] [BODY=8BITMIME] [SMTPUTF8] [RET=FULL|HDRS] [ENVID=x] [AUTH=x]" },
		{ "RCPT", "RCPT TO:<recipient@example.org> [NOTIFY=SUCCESS,FAILURE,DELAY|NEVER] [ORCPT=rfc822;x]" },
		{ "DATA", "DATA, then the message, then a line holding only ." },
		{ "BDAT", "BDAT size [LAST], then exactly size bytes" },
		{ "RSET", "RSET" }, { "VRFY", "VRFY name" }, { "EXPN", "EXPN staff" },
		{ "HELP", "HELP [command]" }, { "NOOP", "NOOP" }, { "QUIT", "QUIT" },
		{ "STARTTLS", "STARTTLS, then the TLS handshake, then EHLO again" },
		{ "AUTH", "AUTH PLAIN [base64] | AUTH LOGIN | AUTH CRAM-MD5" },
	};
	char *names;
	size_t i;

	if (cmd->args_len == 0) {
		names = server_scenario_list_string(s->srv->cfg->scenarios);
		server_reply(s, 214, "2.0.0", "smtpscope practice server, scenario %s\n"
		    "Commands: HELO EHLO MAIL RCPT DATA BDAT RSET VRFY EXPN HELP NOOP QUIT STARTTLS AUTH\n"
		    "Local mailboxes: postmaster abuse alice bob and the practice user(s), @%s\n"
		    "Mailing list: staff (try EXPN staff)\n"
		    "HELP command shows a command's syntax", names, s->srv->cfg->domain);
		free(names);
		return;
	}
	for (i = 0; i < sizeof topics / sizeof topics[0]; i++)
		if (strlen(topics[i].verb) == cmd->args_len &&
		    strncasecmp(cmd->args, topics[i].verb, cmd->args_len) == 0) {
			server_reply(s, 214, "2.0.0", "%s", topics[i].syntax);
			return;
		}
	server_reply(s, 504, "5.5.4", "No help for that topic (HELP lists the commands)");
}

static void
proceed_noop(struct server_session *s, const struct smtp_command *cmd)
{
	server_reply(s, 250, "2.0.0", "OK");
}

static void
proceed_quit(struct server_session *s, const struct smtp_command *cmd)
{
	server_reply(s, 221, "2.0.0", "%s Bye", s->srv->cfg->domain);
	close_session(s, false);
}

static int
check_starttls(struct server_session *s, const struct smtp_command *cmd)
{
	if (need_ehlo(s, "STARTTLS") != 0 || no_args(s, cmd) != 0)
		return -1;
	if (s->tls_active) {
		server_reply(s, 503, "5.5.1", "Bad sequence of commands: TLS is already active");
		return -1;
	}
	if (server_has(s->srv, SCENARIO_BAD_TLS) || !server_client_tls_available(s->client)) {
		server_reply(s, 454, "4.7.0", "TLS not available due to temporary reason%s",
		    server_has(s->srv, SCENARIO_BAD_TLS) ? " (scenario bad-tls)" : "");
		return -1;
	}
	return 0;
}

static void
proceed_starttls(struct server_session *s, const struct smtp_command *cmd)
{
	server_reply(s, 220, "2.0.0", "Ready to start TLS");
	reset_transaction(s);
	enter_state(s, S_STARTTLS);
	server_client_start_tls(s->client);
}

static const char *
mech_name(enum server_mech m)
{
	return m == SERVER_MECH_PLAIN ? "PLAIN" : m == SERVER_MECH_LOGIN ? "LOGIN" : m == SERVER_MECH_CRAM_MD5 ?
	    "CRAM-MD5" : "?";
}

static const struct server_user *
find_user(const struct server_session *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->srv->cfg->nusers; i++)
		if (strcmp(s->srv->cfg->users[i].name, name) == 0)
			return &s->srv->cfg->users[i];
	return NULL;
}

static bool
same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char diff = (unsigned char)(la != lb);

	for (i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

static void
auth_result(struct server_session *s, const char *user, bool ok)
{
	char *e = server_escape(user ? user : "", user ? strlen(user) : 0, 64);
	enum server_mech mech = s->mech;

	forget_auth_exchange(s);
	enter_state(s, s->state_before_auth);
	if (ok) {
		s->auth_user = xstrdup(user);
		server_log(s->srv->log, s->id, "authenticated as %s (%s)", e, mech_name(mech));
		server_reply(s, 235, "2.7.0", "Authentication successful");
	} else {
		s->auth_failures++;
		server_log(s->srv->log, s->id, "authentication failed for '%s' (%s), attempt %d", e,
		    mech_name(mech), s->auth_failures);
		server_reply(s, 535, "5.7.8", "Authentication credentials invalid");
		if (s->auth_failures >= SERVER_AUTH_FAILURES) {
			server_reply(s, 421, "4.7.0", "%s Too many failed authentications, closing "
			    "connection", s->srv->cfg->domain);
			close_session(s, false);
		}
	}
	free(e);
}

static void
auth_plain(struct server_session *s, const char *b64)
{
	char *authzid = NULL, *user = NULL, *pass = NULL;
	const struct server_user *u;

	if (sasl_plain_parse(b64, &authzid, &user, &pass) != 0) {
		end_auth_exchange(s);
		server_reply(s, 501, "5.5.2", "Cannot decode the PLAIN response (base64 of "
		    "authzid NUL user NUL password)");
		return;
	}
	u = find_user(s, user);
	auth_result(s, user, u != NULL && same_secret(u->password, pass) &&
	    (authzid[0] == '\0' || strcmp(authzid, user) == 0));
	explicit_bzero(pass, strlen(pass));
	free(authzid);
	free(user);
	free(pass);
}

#define CRAM_DIGEST_LEN 32   /* hex digits of an HMAC-MD5 */

/* A decoded CRAM-MD5 answer is "user SP digest" (RFC 2195): a user name of printable bytes
 * (UTF-8 allowed, spaces too: the digest follows the last one), one space, and the digest as 32
 * lower-case hex digits. A client that base64-encodes the raw 16-byte HMAC, or forgets the
 * user, sends something else. */
static bool
cram_answer_well_formed(const unsigned char *dec, size_t len)
{
	size_t i, user_len;

	if (len < CRAM_DIGEST_LEN + 2)
		return false;
	user_len = len - CRAM_DIGEST_LEN - 1;
	if (dec[user_len] != ' ')
		return false;
	for (i = 0; i < user_len; i++)
		if (dec[i] < 0x20 || dec[i] == 0x7f)
			return false;
	for (i = user_len + 1; i < len; i++)
		if (!((dec[i] >= '0' && dec[i] <= '9') || (dec[i] >= 'a' && dec[i] <= 'f')))
			return false;
	return true;
}

static void
auth_step(struct server_session *s, const char *line, size_t len)
{
	char *text;
	unsigned char *dec = NULL;
	size_t declen = 0;

	if (memchr(line, '\0', len) != NULL) {
		end_auth_exchange(s);
		server_reply(s, 501, "5.5.2", "Cannot decode the response: it must be base64");
		return;
	}
	text = xstrndup(line, len);
	if (strcmp(text, "*") == 0) {
		end_auth_exchange(s);
		server_reply(s, 501, "5.0.0", "Authentication cancelled");
		goto out;
	}
	if (s->mech == SERVER_MECH_PLAIN) {
		auth_plain(s, text);
		goto out;
	}
	dec = sasl_b64_decode(text, &declen);
	if (dec == NULL) {
		end_auth_exchange(s);
		server_reply(s, 501, "5.5.2", "Cannot decode the response: it must be base64");
		goto out;
	}
	/* Base64, but not what the mechanism wants: a syntax error in the answer (501 5.5.2, as
	 * for base64 that does not decode), not a verdict on the credentials (535 5.7.8), which
	 * were never there to check. */
	if (s->mech == SERVER_MECH_LOGIN && memchr(dec, '\0', declen) != NULL) {
		const char *what = s->login_user == NULL ? "user name" : "password";
		end_auth_exchange(s);
		server_reply(s, 501, "5.5.2", "The LOGIN answer decodes to bytes holding a NUL, which "
		    "no %s can hold", what);
		goto out;
	}
	if (s->mech == SERVER_MECH_CRAM_MD5 && !cram_answer_well_formed(dec, declen)) {
		end_auth_exchange(s);
		server_reply(s, 501, "5.5.2", "The CRAM-MD5 answer decodes, but not to 'user digest' "
		    "(a user name, a space and 32 lower-case hex digits, RFC 2195)");
		goto out;
	}
	if (s->mech == SERVER_MECH_LOGIN && s->login_user == NULL) {
		s->login_user = (char *)dec;
		dec = NULL;
		server_reply(s, 334, NULL, "UGFzc3dvcmQ6");   /* "Password:" */
	} else if (s->mech == SERVER_MECH_LOGIN) {
		const struct server_user *u = find_user(s, s->login_user);
		char *user = xstrdup(s->login_user);
		auth_result(s, user, u != NULL && same_secret(u->password, (char *)dec));
		free(user);
	} else {
		/* CRAM-MD5: "user hexdigest", the digest keyed by the password we know. */
		char *sp = (char *)dec + declen - CRAM_DIGEST_LEN - 1;
		const struct server_user *u;
		char *want;
		*sp = '\0';
		u = find_user(s, (char *)dec);
		want = u ? sasl_cram_md5_digest(s->cram_challenge, u->password) : NULL;
		auth_result(s, (char *)dec, want != NULL && same_secret(want, sp + 1));
		free(want);
	}
out:
	if (dec != NULL) {
		explicit_bzero(dec, declen);
		free(dec);
	}
	explicit_bzero(text, strlen(text));
	free(text);
}

static int
check_auth(struct server_session *s, const struct smtp_command *cmd)
{
	if (need_ehlo(s, "AUTH") != 0)
		return -1;
	if (s->auth_user != NULL) {
		server_reply(s, 503, "5.5.1", "Bad sequence of commands: already authenticated");
		return -1;
	}
	if (in_transaction(s) || s->bdat_mode) {
		server_reply(s, 503, "5.5.1", "Bad sequence of commands: AUTH is not allowed during a "
		    "mail transaction");
		return -1;
	}
	if (server_has(s->srv, SCENARIO_TLS_REQUIRED) && !s->tls_active) {
		server_reply(s, 530, "5.7.0", "Must issue a STARTTLS command first (scenario tls-required)");
		return -1;
	}
	if (cmd->args_len == 0) {
		server_reply(s, 501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
		return -1;
	}
	return 0;
}

static void
proceed_auth(struct server_session *s, const struct smtp_command *cmd)
{
	char *args = xstrndup(cmd->args, cmd->args_len), *sp = strchr(args, ' ');
	const char *initial = NULL;
	unsigned char rnd[8];
	char *challenge;

	if (sp != NULL) {
		*sp = '\0';
		initial = sp + 1;
		while (*initial == ' ')
			initial++;
	}
	if (initial != NULL && strlen(initial) > SERVER_AUTH_LINE_MAX) {
		server_log(s->srv->log, s->id, "limit: SASL initial response longer than %d octets",
		    SERVER_AUTH_LINE_MAX);
		server_reply(s, 500, "5.5.6", AUTH_TOO_LONG, SERVER_AUTH_LINE_MAX);
		goto out;
	}
	if (initial != NULL && cmd->args_len + sizeof "AUTH \r\n" - 1 > 512)
		server_log(s->srv->log, s->id, "note: AUTH with its initial response is over SMTP's "
		    "512 octets; RFC 4954 section 4 says a client should then send the response after "
		    "334 instead (taken all the same)");
	if (strcasecmp(args, "PLAIN") == 0)
		s->mech = SERVER_MECH_PLAIN;
	else if (strcasecmp(args, "LOGIN") == 0)
		s->mech = SERVER_MECH_LOGIN;
	else if (strcasecmp(args, "CRAM-MD5") == 0)
		s->mech = SERVER_MECH_CRAM_MD5;
	else {
		char *e = server_escape(args, strlen(args), 40);
		server_reply(s, 504, "5.5.4", "Unrecognized authentication type %s (this server "
		    "offers PLAIN LOGIN CRAM-MD5)", e);
		free(e);
		goto out;
	}
	s->state_before_auth = s->state;
	enter_state(s, S_AUTH);
	if (initial != NULL && s->mech == SERVER_MECH_CRAM_MD5) {
		end_auth_exchange(s);
		server_reply(s, 501, "5.5.4", "CRAM-MD5 takes no initial response");
	} else if (initial != NULL && strcmp(initial, "=") == 0 && s->mech == SERVER_MECH_PLAIN) {
		auth_plain(s, "");
	} else if (initial != NULL) {
		auth_step(s, initial, strlen(initial));
	} else if (s->mech == SERVER_MECH_PLAIN) {
		server_reply(s, 334, NULL, "%s", "");
	} else if (s->mech == SERVER_MECH_LOGIN) {
		server_reply(s, 334, NULL, "VXNlcm5hbWU6");   /* "Username:" */
	} else {
		if (RAND_bytes(rnd, sizeof rnd) != 1)
			memset(rnd, 0x5a, sizeof rnd);
		s->cram_challenge = xasprintf("<%02x%02x%02x%02x%02x%02x%02x%02x.%ld@%s>", rnd[0],
		    rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], (long)time(NULL),
		    s->srv->cfg->domain);
		challenge = sasl_b64_encode(s->cram_challenge, strlen(s->cram_challenge));
		server_reply(s, 334, NULL, "%s", challenge);
		free(challenge);
	}
out:
	if (sp != NULL)
		explicit_bzero(sp, strlen(sp));
	free(args);
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
	{ SMTP_VERB_HELO, check_helo, proceed_helo },
	{ SMTP_VERB_EHLO, check_helo, proceed_helo },
	{ SMTP_VERB_MAIL, check_mail, proceed_mail },
	{ SMTP_VERB_RCPT, check_rcpt, proceed_rcpt },
	{ SMTP_VERB_DATA, check_data, proceed_data },
	{ SMTP_VERB_BDAT, check_bdat, proceed_bdat },
	{ SMTP_VERB_RSET, check_rset, proceed_rset },
	{ SMTP_VERB_VRFY, check_arg, proceed_vrfy },
	{ SMTP_VERB_EXPN, check_arg, proceed_expn },
	{ SMTP_VERB_HELP, check_none, proceed_help },
	{ SMTP_VERB_NOOP, check_none, proceed_noop },
	{ SMTP_VERB_QUIT, check_rset, proceed_quit },
	{ SMTP_VERB_STARTTLS, check_starttls, proceed_starttls },
	{ SMTP_VERB_AUTH, check_auth, proceed_auth },
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
		auth_step(s, line, len);
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
		close_session(s, false);
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
 * response after "AUTH mechanism " (the response itself is measured in proceed_auth). */
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
			used += data_input(s, data + used, len - used);
			progress = true;
			continue;
		}
		if (s->state == S_BDAT) {
			used += bdat_input(s, data + used, len - used);
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
					end_auth_exchange(s);
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
			close_session(s, false);
		}
	}
	/* Only progress counts as activity: a client that trickles bytes of a line that never
	 * ends (slowloris, or an endless line) still meets the idle timeout. */
	if (progress)
		s->last_activity = clock_mono_seconds();
	return used;
}
