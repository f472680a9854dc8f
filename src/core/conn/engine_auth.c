/* engine_auth.c: /auth and the AUTH exchange: the first line of each mechanism, the answers
 * to 334 challenges (with a bound on rounds), the password asked for by the front end, and
 * wiping every copy of the secret. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/conn/engine_internal.h"

static void
wipe(char **secret)
{
	if (*secret != NULL) {
		explicit_bzero(*secret, strlen(*secret));
		free(*secret);
		*secret = NULL;
	}
}

void
engine_auth_reset(struct engine *e)
{
	wipe(&e->auth.secret);
	free(e->auth.user);
	memset(&e->auth, 0, sizeof e->auth);
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

		engine_recordf(e, TRANSCRIPT_INFO, NULL, "334 challenge is not valid base64: \"%s\"",
		    shown);
		free(shown);
	} else {
		char *shown = escape_str((const char *)raw, len, ESCAPE_NUL);

		engine_recordf(e, TRANSCRIPT_INFO, NULL, "334 challenge decoded: \"%s\"", shown);
		free(shown);
	}
	if (!e->auth.active) {
		if (raw == NULL || strncasecmp((char *)raw, "pass", 4) == 0 ||
		    strncasecmp((char *)raw, "user", 4) == 0)
			engine_record(e, TRANSCRIPT_INFO, NULL, false, "answer with the base64 of what it "
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
		engine_fail(e, "protocol-violation", "the server asked again after the AUTH "
		    "exchange was cancelled with \"*\"; giving up on this connection");
		return;
	}
	if (++e->auth.challenges > auth_challenges_expected(e->auth.mech)) {
		/* More rounds than the mechanism has: answering again would send the credentials
		 * without end. RFC 4954: a client cancels an exchange with a line holding "*". */
		engine_recordf(e, TRANSCRIPT_WARNING, "protocol-violation", "the server asked for a %s "
		    "challenge answer %d times; %s needs at most %d: cancelling the exchange with "
		    "\"*\" (RFC 4954 section 4) rather than sending the credentials again",
		    auth_mech_name(e->auth.mech), e->auth.challenges, auth_mech_name(e->auth.mech),
		    auth_challenges_expected(e->auth.mech));
		if (raw != NULL) {
			explicit_bzero(raw, len);
			free(raw);
		}
		e->auth.cancelled = true;
		engine_send_line(e, "*", NULL);
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
	engine_send_line(e, answer, answer[0] ? ENGINE_MASK : NULL);
	wipe(&answer);
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
		engine_send_line(e, line, "AUTH PLAIN " ENGINE_MASK);
		wipe(&payload);
		wipe(&line);
		break;
	case MECH_LOGIN:
		engine_send_line(e, "AUTH LOGIN", NULL);
		break;
	case MECH_CRAM_MD5:
		engine_send_line(e, "AUTH CRAM-MD5", NULL);
		break;
	case MECH_XOAUTH2:
		payload = sasl_xoauth2_response(e->auth.user, e->auth.secret);
		line = xasprintf("AUTH XOAUTH2 %s", payload);
		engine_send_line(e, line, "AUTH XOAUTH2 " ENGINE_MASK);
		wipe(&payload);
		wipe(&line);
		break;
	}
	session_set_auth_user(e->session, e->auth.user);
	engine_flush(e);
}

enum engine_result
engine_local_auth(struct engine *e, const struct command *cmd, unsigned flags,
    struct engine_answer *answer)
{
	static const char *const names[] = { "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2" };
	char check[40];
	const char *line = check;
	size_t i;

	for (i = 0; i < 4; i++)
		if (strcasecmp(cmd->argv[0], names[i]) == 0)
			break;
	if (i == 4)
		return engine_answer_text(answer, ENGINE_ERROR, xasprintf("/auth knows PLAIN, LOGIN, "
		    "CRAM-MD5 and XOAUTH2, not %s", cmd->argv[0]));
	snprintf(check, sizeof check, "AUTH %s", names[i]);
	if (engine_guidance(e, &line, 1, -1, flags, answer))
		return ENGINE_WARNING;
	engine_auth_reset(e);
	e->auth.mech = (enum engine_mech)i;
	e->auth.user = xstrdup(cmd->argv[1]);
	if (cmd->argc < 3) {
		e->auth.awaiting_secret = true;
		return engine_answer_text(answer, ENGINE_NEED_SECRET, xasprintf("%s for %s: ",
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
	if (!engine_is_open(e)) {
		engine_auth_reset(e);
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
	engine_recordf(e, TRANSCRIPT_INFO, NULL, "/auth %s cancelled at the password prompt: nothing "
	    "was sent", auth_mech_name(e->auth.mech));
	engine_auth_reset(e);
}

void
engine_auth_reply(struct engine *e, const struct reply *kept, const struct session_outcome *o)
{
	if (o->auth_challenge) {
		auth_challenge(e, kept);
	} else if (o->verb == SMTP_VERB_AUTH) {
		if (o->authenticated)
			engine_recordf(e, TRANSCRIPT_EVENT, "authenticated", "authenticated as %s",
			    session_user(e->session));
		engine_auth_reset(e);
	}
}
