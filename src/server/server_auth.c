/* server_auth.c: the practice server's AUTH exchanges (PLAIN, LOGIN, CRAM-MD5): the AUTH
 * command, each 334 answer, checking the credentials against the configured users, and
 * ending an exchange. */
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

void
server_auth_forget(struct server_session *s)
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
void
server_auth_end(struct server_session *s)
{
	server_auth_forget(s);
	server_session_enter_state(s, s->state_before_auth);
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

	server_auth_forget(s);
	server_session_enter_state(s, s->state_before_auth);
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
			server_session_close(s, false);
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
		server_auth_end(s);
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

void
server_auth_step(struct server_session *s, const char *line, size_t len)
{
	char *text;
	unsigned char *dec = NULL;
	size_t declen = 0;

	if (memchr(line, '\0', len) != NULL) {
		server_auth_end(s);
		server_reply(s, 501, "5.5.2", "Cannot decode the response: it must be base64");
		return;
	}
	text = xstrndup(line, len);
	if (strcmp(text, "*") == 0) {
		server_auth_end(s);
		server_reply(s, 501, "5.0.0", "Authentication cancelled");
		goto out;
	}
	if (s->mech == SERVER_MECH_PLAIN) {
		auth_plain(s, text);
		goto out;
	}
	dec = sasl_b64_decode(text, &declen);
	if (dec == NULL) {
		server_auth_end(s);
		server_reply(s, 501, "5.5.2", "Cannot decode the response: it must be base64");
		goto out;
	}
	/* Base64, but not what the mechanism wants: a syntax error in the answer (501 5.5.2, as
	 * for base64 that does not decode), not a verdict on the credentials (535 5.7.8), which
	 * were never there to check. */
	if (s->mech == SERVER_MECH_LOGIN && memchr(dec, '\0', declen) != NULL) {
		const char *what = s->login_user == NULL ? "user name" : "password";
		server_auth_end(s);
		server_reply(s, 501, "5.5.2", "The LOGIN answer decodes to bytes holding a NUL, which "
		    "no %s can hold", what);
		goto out;
	}
	if (s->mech == SERVER_MECH_CRAM_MD5 && !cram_answer_well_formed(dec, declen)) {
		server_auth_end(s);
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

int
server_check_auth(struct server_session *s, const struct smtp_command *cmd)
{
	if (server_need_ehlo(s, "AUTH") != 0)
		return -1;
	if (s->auth_user != NULL) {
		server_reply(s, 503, "5.5.1", "Bad sequence of commands: already authenticated");
		return -1;
	}
	if (server_in_transaction(s) || s->bdat_mode) {
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

void
server_proceed_auth(struct server_session *s, const struct smtp_command *cmd)
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
	server_session_enter_state(s, S_AUTH);
	if (initial != NULL && s->mech == SERVER_MECH_CRAM_MD5) {
		server_auth_end(s);
		server_reply(s, 501, "5.5.4", "CRAM-MD5 takes no initial response");
	} else if (initial != NULL && strcmp(initial, "=") == 0 && s->mech == SERVER_MECH_PLAIN) {
		auth_plain(s, "");
	} else if (initial != NULL) {
		server_auth_step(s, initial, strlen(initial));
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
