/* engine_local.c: the local commands the engine carries out itself (/connect, /disconnect,
 * /starttls, /tls, /auth, /b64, /data, /bdat, /pipeline, /status), one function each, found
 * through a table keyed by command id. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/conn/engine_internal.h"

/* What /b64 worked out: kept in the transcript when secrets are shown; otherwise the transcript
 * keeps a masked line and the result goes back to the front end alone, shown to the user who
 * asked for it but never saved, exported or logged (the text is often a password or an AUTH
 * payload built by hand). */
static enum engine_result
b64_result(struct engine *e, struct engine_answer *answer, char *result, const char *masked)
{
	if (e->config.show_secrets) {
		engine_record(e, TRANSCRIPT_INFO, NULL, false, result);
		explicit_bzero(result, strlen(result));
		free(result);
		return ENGINE_DONE;
	}
	engine_record(e, TRANSCRIPT_INFO, NULL, true, masked);
	return engine_answer_text(answer, ENGINE_DONE, result);
}

static enum engine_result
local_b64(struct engine *e, const struct command *cmd, unsigned flags,
    struct engine_answer *answer)
{
	const char *text = cmd->rest + strlen(cmd->argv[0]);
	unsigned char *raw;
	char *out, *result;
	size_t len;

	(void)flags;
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
		return engine_answer_text(answer, ENGINE_ERROR, xstrdup("usage: /b64 encode|decode TEXT"));
	raw = sasl_b64_decode(text, &len);
	if (raw == NULL)
		return engine_answer_text(answer, ENGINE_ERROR, xasprintf("\"%s\" is not valid base64", text));
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
local_pipeline(struct engine *e, const struct command *cmd, unsigned flags,
    struct engine_answer *answer)
{
	char *copy = xstrdup(cmd->rest), *part, *save = NULL;
	char **lines = NULL;
	size_t n = 0, i;
	enum engine_result result = ENGINE_DONE;

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
			result = engine_answer_text(answer, ENGINE_ERROR, xstrdup("/pipeline sends SMTP "
			    "commands only, not local commands"));
			goto out;
		}
		lines = xreallocarray(lines, n + 1, sizeof *lines);
		lines[n++] = part;
	}
	if (n == 0) {
		result = engine_answer_text(answer, ENGINE_ERROR, xstrdup("usage: /pipeline CMD; CMD; ..."));
		goto out;
	}
	if (session_capabilities_known(e->session) && !session_has(e->session, "PIPELINING")) {
		if (!(flags & ENGINE_FORCE)) {
			answer->event = xstrdup("pipelining-not-advertised");
			result = engine_answer_text(answer, ENGINE_WARNING, xstrdup("the server did not "
			    "offer PIPELINING: sending a group at once may confuse it (it may drop "
			    "or reject the commands after the first)"));
			goto out;
		}
		engine_record(e, TRANSCRIPT_WARNING, "pipelining-not-advertised", false, "sent anyway: "
		    "the server did not offer PIPELINING");
	}
	if (engine_guidance(e, (const char *const *)lines, n, -1, flags, answer)) {
		result = ENGINE_WARNING;
		goto out;
	}
	/* All at once: one write, replies paired in order by the session's FIFO. */
	for (i = 0; i < n; i++)
		engine_send_user_line(e, lines[i]);
	engine_flush(e);
out:
	free(lines);
	free(copy);
	return result;
}

static enum engine_result
local_status(struct engine *e, const struct command *cmd, unsigned flags,
    struct engine_answer *answer)
{
	const char *const *keys;
	size_t n = session_capabilities(e->session, &keys), i;
	char caps[1024] = "", *shown;
	size_t len = 0;
	struct engine_status st;

	(void)cmd;
	(void)flags;
	(void)answer;
	engine_status(e, &st);
	for (i = 0; i < n && len < sizeof caps - 1; i++)
		len += (size_t)snprintf(caps + len, sizeof caps - len, "%s%s", i ? " " : "", keys[i]);
	engine_recordf(e, TRANSCRIPT_INFO, NULL, "state: %s; %s%s%s%s", st.state,
	    st.connected ? "connected to " : "not connected",
	    st.connected ? st.peer : "", st.connected && st.address ? " at " : "",
	    st.connected && st.address ? st.address : "");
	engine_recordf(e, TRANSCRIPT_INFO, NULL, "TLS: %s%s; user: %s",
	    st.tls ? st.tls_version : "no",
	    st.tls ? (st.verified ? " (verified)" : " (NOT verified)") : "",
	    st.user ? st.user : "not authenticated");
	/* The keywords are the server's words: escaped like any reply. */
	shown = escape_str(caps, strlen(caps), ESCAPE_NUL);
	engine_recordf(e, TRANSCRIPT_INFO, NULL, "capabilities: %s",
	    session_capabilities_known(e->session) ? (n ? shown : "none (plain SMTP)") :
	    "unknown (send EHLO)");
	free(shown);
	return ENGINE_DONE;
}

static enum engine_result
local_connect(struct engine *e, const struct command *cmd, unsigned flags,
    struct engine_answer *answer)
{
	char *err = NULL, *target;
	enum engine_result result = ENGINE_DONE;

	(void)flags;
	if (cmd->argc == 0 && e->last_target == NULL)
		return engine_answer_text(answer, ENGINE_ERROR, xstrdup("usage: /connect "
		    "HOST[:PORT] (no earlier connection to repeat)"));
	target = xstrdup(cmd->argc ? cmd->argv[0] : e->last_target);
	if (engine_connect(e, target, cmd->argc ? e->default_port : e->last_default_port,
	    &err) < 0)
		result = engine_answer_text(answer, ENGINE_ERROR, err);
	free(target);
	return result;
}

static enum engine_result
local_disconnect(struct engine *e, const struct command *cmd, unsigned flags,
    struct engine_answer *answer)
{
	(void)cmd;
	(void)flags;
	if (!engine_is_open(e) && !engine_is_connecting(e) && e->phase != PHASE_HANDSHAKE)
		return engine_answer_text(answer, ENGINE_ERROR, xstrdup("not connected"));
	engine_close_connection(e);
	engine_record(e, TRANSCRIPT_EVENT, "closed", false, "disconnected (no QUIT sent)");
	return ENGINE_DONE;
}

static enum engine_result
local_starttls(struct engine *e, const struct command *cmd, unsigned flags,
    struct engine_answer *answer)
{
	const char *starttls = "STARTTLS";

	(void)cmd;
	if (engine_guidance(e, &starttls, 1, -1, flags, answer))
		return ENGINE_WARNING;
	engine_send_user_line(e, "STARTTLS");
	engine_flush(e);
	return ENGINE_DONE;
}

static enum engine_result
local_tls(struct engine *e, const struct command *cmd, unsigned flags,
    struct engine_answer *answer)
{
	char *text;

	(void)cmd;
	(void)flags;
	if (e->tls == NULL || !engine_is_open(e))
		return engine_answer_text(answer, ENGINE_ERROR, xstrdup("no TLS on this connection "
		    "(/starttls, or connect with --tls)"));
	text = tls_describe(e->tls);
	engine_record_lines(e, TRANSCRIPT_INFO, text);
	free(text);
	return ENGINE_DONE;
}

static enum engine_result
local_data(struct engine *e, const struct command *cmd, unsigned flags,
    struct engine_answer *answer)
{
	return engine_local_message(e, cmd, false, flags, answer);
}

static enum engine_result
local_bdat(struct engine *e, const struct command *cmd, unsigned flags,
    struct engine_answer *answer)
{
	return engine_local_message(e, cmd, true, flags, answer);
}

typedef enum engine_result (*local_runner)(struct engine *, const struct command *, unsigned,
    struct engine_answer *);

/* What the engine runs for each of its commands (the table in command.c names them, says how
 * they are typed and which ones the front ends carry out instead). */
static const local_runner runners[COMMAND_COUNT] = {
	[COMMAND_CONNECT] = local_connect,
	[COMMAND_DISCONNECT] = local_disconnect,
	[COMMAND_STARTTLS] = local_starttls,
	[COMMAND_TLS] = local_tls,
	[COMMAND_AUTH] = engine_local_auth,
	[COMMAND_B64] = local_b64,
	[COMMAND_DATA] = local_data,
	[COMMAND_BDAT] = local_bdat,
	[COMMAND_PIPELINE] = local_pipeline,
	[COMMAND_STATUS] = local_status,
};

enum engine_result
engine_submit_local(struct engine *e, const char *line, unsigned flags,
    struct engine_answer *answer)
{
	struct command cmd;
	char *err = NULL;
	enum engine_result result;

	if (command_parse(line, &cmd, &err) < 0)
		return engine_answer_text(answer, ENGINE_ERROR, err);
	if ((cmd.info->flags & COMMAND_FRONTEND) || runners[cmd.info->id] == NULL) {
		answer->command = cmd;   /* the front end's now */
		return ENGINE_FRONTEND;
	}
	if ((cmd.info->flags & COMMAND_CONNECTED) && !engine_is_open(e))
		result = engine_not_connected(e, answer);
	else
		result = runners[cmd.info->id](e, &cmd, flags, answer);
	command_clear(&cmd);
	return result;
}
