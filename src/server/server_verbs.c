/* server_verbs.c: the checks and proceeds of the practice server's plain verbs (HELO/EHLO,
 * MAIL, RCPT, RSET, VRFY, EXPN, HELP, NOOP, QUIT, STARTTLS), with who lives here and the
 * greylisting that bend their replies. DATA and BDAT are in server_data.c, AUTH in
 * server_auth.c. */
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

bool
server_in_transaction(const struct server_session *s)
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

int
server_need_ehlo(struct server_session *s, const char *what)
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

int
server_no_args(struct server_session *s, const struct smtp_command *cmd)
{
	if (cmd->args_len != 0) {
		server_reply(s, 501, "5.5.4", "Syntax error: %s takes no arguments", cmd->verb_text);
		return -1;
	}
	return 0;
}

int
server_check_helo(struct server_session *s, const struct smtp_command *cmd)
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

void
server_proceed_helo(struct server_session *s, const struct smtp_command *cmd)
{
	const struct server_config *cfg = s->srv->cfg;
	char *escaped = server_escape(cmd->args, cmd->args_len, 100);
	char *caps;

	server_session_reset(s);
	free(s->helo);
	s->helo = xstrndup(cmd->args, cmd->args_len);
	s->esmtp = cmd->verb == SMTP_VERB_EHLO;
	server_session_enter_state(s, S_READY);
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

int
server_check_mail(struct server_session *s, const struct smtp_command *cmd)
{
	const struct server_config *cfg = s->srv->cfg;

	if (server_in_transaction(s) || s->bdat_mode) {
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
		server_session_close(s, false);
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

void
server_proceed_mail(struct server_session *s, const struct smtp_command *cmd)
{
	s->mail = s->path;
	s->have_mail = true;
	server_session_enter_state(s, S_MAIL);
	server_reply(s, 250, "2.1.0", "Sender <%s> OK", s->mail.addr);
}

int
server_check_rcpt(struct server_session *s, const struct smtp_command *cmd)
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

void
server_proceed_rcpt(struct server_session *s, const struct smtp_command *cmd)
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
	server_session_enter_state(s, S_RCPT);
	server_reply(s, 250, "2.1.5", "Recipient <%s> OK", addr);
}

int
server_check_rset(struct server_session *s, const struct smtp_command *cmd)
{
	return server_no_args(s, cmd);
}

void
server_proceed_rset(struct server_session *s, const struct smtp_command *cmd)
{
	server_session_reset(s);
	server_session_enter_state(s, s->helo ? S_READY : S_GREETED);
	server_reply(s, 250, "2.0.0", "OK, transaction reset");
}

int
server_check_arg(struct server_session *s, const struct smtp_command *cmd)
{
	if (cmd->args_len == 0) {
		server_reply(s, 501, "5.5.4", "Syntax: %s name", cmd->verb_text);
		return -1;
	}
	return 0;
}

void
server_proceed_vrfy(struct server_session *s, const struct smtp_command *cmd)
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

void
server_proceed_expn(struct server_session *s, const struct smtp_command *cmd)
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

void
server_proceed_help(struct server_session *s, const struct smtp_command *cmd)
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

void
server_proceed_noop(struct server_session *s, const struct smtp_command *cmd)
{
	server_reply(s, 250, "2.0.0", "OK");
}

void
server_proceed_quit(struct server_session *s, const struct smtp_command *cmd)
{
	server_reply(s, 221, "2.0.0", "%s Bye", s->srv->cfg->domain);
	server_session_close(s, false);
}

int
server_check_starttls(struct server_session *s, const struct smtp_command *cmd)
{
	if (server_need_ehlo(s, "STARTTLS") != 0 || server_no_args(s, cmd) != 0)
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

void
server_proceed_starttls(struct server_session *s, const struct smtp_command *cmd)
{
	server_reply(s, 220, "2.0.0", "Ready to start TLS");
	server_session_reset(s);
	server_session_enter_state(s, S_STARTTLS);
	server_client_start_tls(s->client);
}
