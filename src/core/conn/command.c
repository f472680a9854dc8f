/* command.c: the local command language (/connect, /auth, /data, ...): one table, a parser,
 * secret masking for anything that echoes a typed line, and the message streamer behind /data
 * and /bdat (CRLF normalisation and dot-stuffing without holding the file in memory). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/conn/command.h"
#include "core/proto/session.h"
#include "core/util/xmalloc.h"

static const struct command_info commands[] = {
	{ "connect", COMMAND_CONNECT, "[HOST[:PORT] | @DOMAIN]",
	    "connect (again) to a server; no argument: the last one", false, 0, 1 },
	{ "disconnect", COMMAND_DISCONNECT, "", "close the connection without QUIT", false, 0, 0 },
	{ "starttls", COMMAND_STARTTLS, "", "send STARTTLS and start TLS on its 220", false, 0, 0 },
	{ "tls", COMMAND_TLS, "", "show the certificate, chain, protocol, cipher, verification",
	    false, 0, 0 },
	{ "auth", COMMAND_AUTH, "MECH USER [PASS]",
	    "AUTH with PLAIN, LOGIN, CRAM-MD5 or XOAUTH2 (PASS is the token for XOAUTH2; asked "
	    "without echo when left out)", false, 2, 3 },
	{ "b64", COMMAND_B64, "encode|decode TEXT", "base64 of a text, or a base64 text decoded",
	    false, 2, -1 },
	{ "data", COMMAND_DATA, "FILE", "send FILE as a message with DATA (CRLF, dot-stuffing)",
	    false, 1, 1 },
	{ "bdat", COMMAND_BDAT, "FILE [CHUNK]", "send FILE with BDAT chunks of CHUNK octets "
	    "(CHUNKING)", false, 1, 2 },
	{ "pipeline", COMMAND_PIPELINE, "CMD; CMD; ...", "send several commands at once "
	    "(PIPELINING)", false, 1, -1 },
	{ "save", COMMAND_SAVE, "FILE", "save the transcript (secrets masked)", true, 1, 1 },
	{ "status", COMMAND_STATUS, "", "the session's state, capabilities and identity", false, 0,
	    0 },
	{ "explain", COMMAND_EXPLAIN, "[CODE | WORD]", "explain the last reply, or a code, "
	    "command or keyword", true, 0, -1 },
	{ "compare", COMMAND_COMPARE, "A B", "compare two reply codes or enhanced codes", true, 2,
	    2 },
	{ "help", COMMAND_HELP, "[COMMAND]", "list the local commands", true, 0, 1 },
	{ "quit", COMMAND_QUIT, "", "leave smtpscope (sends QUIT first when connected)", true, 0,
	    0 },
	{ "scenario", COMMAND_SCENARIO, "[NAME,...]", "restart the practice server with other "
	    "scenarios", true, 0, 1 },
	{ "lesson", COMMAND_LESSON, "[NAME]", "start or continue a guided lesson", true, 0, 1 },
};

size_t
command_list(const struct command_info **out)
{
	*out = commands;
	return sizeof commands / sizeof commands[0];
}

static const char *
skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A copy without trailing spaces, CR or LF. */
static char *
trimmed(const char *p)
{
	size_t len = strlen(p);

	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r' ||
	    p[len - 1] == '\n'))
		len--;
	return xstrndup(p, len);
}

int
command_parse(const char *line, struct command *cmd, char **errstr)
{
	const char *p = line, *start;
	char name[32];
	size_t len, i, n;
	int max;

	memset(cmd, 0, sizeof *cmd);
	if (*p != '/' || p[1] == '/') {
		*errstr = xstrdup("not a local command");
		return -1;
	}
	p++;
	start = p;
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	len = (size_t)(p - start);
	if (len == 0 || len >= sizeof name) {
		*errstr = xstrdup("a '/' alone is no command: type /help for the list (// sends a "
		    "line starting with '/')");
		return -1;
	}
	for (i = 0; i < len; i++)
		name[i] = (char)tolower((unsigned char)start[i]);
	name[len] = '\0';
	n = sizeof commands / sizeof commands[0];
	for (i = 0; i < n; i++)
		if (strcmp(commands[i].name, name) == 0)
			break;
	if (i == n) {
		*errstr = xasprintf("unknown command /%s: type /help for the list (// sends a line "
		    "starting with '/')", name);
		return -1;
	}
	cmd->info = &commands[i];
	cmd->rest = trimmed(skip_space(p));
	max = cmd->info->max_args;
	p = cmd->rest;
	while (*(p = skip_space(p)) != '\0') {
		if (cmd->argc == COMMAND_MAX_ARGS || (max >= 0 && cmd->argc == (size_t)max)) {
			if (max < 0)
				break;
			*errstr = xasprintf("too many arguments: /%s %s", cmd->info->name,
			    cmd->info->usage);
			command_clear(cmd);
			return -1;
		}
		start = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		cmd->argv[cmd->argc++] = xstrndup(start, (size_t)(p - start));
	}
	if (cmd->argc < (size_t)cmd->info->min_args) {
		*errstr = xasprintf("usage: /%s %s", cmd->info->name, cmd->info->usage);
		command_clear(cmd);
		return -1;
	}
	return 0;
}

void
command_clear(struct command *cmd)
{
	size_t i;

	for (i = 0; i < cmd->argc; i++) {
		if (cmd->info != NULL && cmd->info->id == COMMAND_AUTH && i == 2)
			memset(cmd->argv[i], 0, strlen(cmd->argv[i]));
		free(cmd->argv[i]);
	}
	if (cmd->rest != NULL) {
		memset(cmd->rest, 0, strlen(cmd->rest));
		free(cmd->rest);
	}
	memset(cmd, 0, sizeof *cmd);
}

char *
command_mask(const char *line)
{
	const char *p = line, *word;
	int words = 0;

	if (strncasecmp(line, "/auth", 5) != 0 || (line[5] != ' ' && line[5] != '\t'))
		return xstrdup(line);
	/* "/auth MECH USER PASS": everything from the third word on is the secret. */
	while (*(p = skip_space(p)) != '\0') {
		word = p;
		if (++words == 4)
			return xasprintf("%.*s%s", (int)(word - line), line, SESSION_MASK);
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
	}
	return xstrdup(line);
}

char *
command_help_text(void)
{
	size_t i, n = sizeof commands / sizeof commands[0];
	char *text = xstrdup(""), *next;

	for (i = 0; i < n; i++) {
		char left[64];

		snprintf(left, sizeof left, "/%s %s", commands[i].name, commands[i].usage);
		next = xasprintf("%s  %-32s %s\n", text, left, commands[i].summary);
		free(text);
		text = next;
	}
	next = xasprintf("%s  %-32s %s\n%s", text, "//TEXT", "send a line starting with '/'",
	    "Any other line is sent to the server as typed, with CRLF added.\n");
	free(text);
	return next;
}
