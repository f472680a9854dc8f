/* command.c: the local command language (/connect, /auth, /data, ...): one table that says, for
 * every command, its name, how it is typed, what its arguments are and what kind of command it
 * is; a parser that turns a typed line into a command id and its arguments; secret masking for
 * anything that echoes a typed line; and the help text, all from the table. Who runs each
 * command is in the runner tables keyed by its id (engine_local.c and each front end). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/conn/command.h"
#include "core/proto/session.h"
#include "core/util/xmalloc.h"

#define F COMMAND_FRONTEND
#define C COMMAND_CONNECTED
#define S COMMAND_SECRET
#define R COMMAND_REPLAY

/* In the order /help lists them. */
static const struct command_info commands[] = {
	{ "connect", NULL, COMMAND_CONNECT, "[HOST[:PORT] | @DOMAIN]",
	    "connect (again) to a server; no argument: the last one", 0, 0, 1,
	    COMMAND_ARG_HOST, 0 },
	{ "disconnect", NULL, COMMAND_DISCONNECT, "", "close the connection without QUIT", 0, 0,
	    0, COMMAND_ARG_NONE, 0 },
	{ "starttls", NULL, COMMAND_STARTTLS, "", "send STARTTLS and start TLS on its 220", C, 0,
	    0, COMMAND_ARG_NONE, 0 },
	{ "tls", NULL, COMMAND_TLS, "", "show the certificate, chain, protocol, cipher, "
	    "verification", 0, 0, 0, COMMAND_ARG_NONE, 0 },
	{ "auth", NULL, COMMAND_AUTH, "MECH USER [PASS]",
	    "AUTH with PLAIN, LOGIN, CRAM-MD5 or XOAUTH2 (PASS is the token for XOAUTH2; asked "
	    "without echo when left out)", C | S, 2, 3, COMMAND_ARG_MECH, 2 },
	{ "b64", NULL, COMMAND_B64, "encode|decode TEXT", "base64 of a text, or a base64 text "
	    "decoded", COMMAND_PRIVATE, 2, -1, COMMAND_ARG_TEXT, 0 },
	{ "data", NULL, COMMAND_DATA, "FILE", "send FILE as a message with DATA (CRLF, "
	    "dot-stuffing)", C, 1, 1, COMMAND_ARG_FILE, 0 },
	{ "bdat", NULL, COMMAND_BDAT, "FILE [CHUNK]", "send FILE with BDAT chunks of CHUNK octets "
	    "(CHUNKING)", C, 1, 2, COMMAND_ARG_FILE, 0 },
	{ "pipeline", NULL, COMMAND_PIPELINE, "CMD; CMD; ...", "send several commands at once "
	    "(PIPELINING)", C, 1, -1, COMMAND_ARG_TEXT, 0 },
	{ "save", NULL, COMMAND_SAVE, "FILE", "save the transcript (secrets masked)", F, 1, 1,
	    COMMAND_ARG_FILE, 0 },
	{ "status", NULL, COMMAND_STATUS, "", "the session's state, capabilities and identity", 0,
	    0, 0, COMMAND_ARG_NONE, 0 },
	{ "explain", NULL, COMMAND_EXPLAIN, "[CODE | WORD]", "explain the last reply, or a code, "
	    "command or keyword", F | R, 0, -1, COMMAND_ARG_TOPIC, 0 },
	{ "compare", NULL, COMMAND_COMPARE, "A B", "compare two reply codes or enhanced codes",
	    F | R, 2, 2, COMMAND_ARG_NONE, 0 },
	{ "help", NULL, COMMAND_HELP, "[COMMAND]", "list the local commands", F | R, 0, 1,
	    COMMAND_ARG_TOPIC, 0 },
	{ "quit", "exit", COMMAND_QUIT, "", "leave smtpscope (sends QUIT first when connected)",
	    F | R, 0, 0, COMMAND_ARG_NONE, 0 },
	{ "scenario", NULL, COMMAND_SCENARIO, "[NAME,...]", "restart the practice server with "
	    "other scenarios", F, 0, 1, COMMAND_ARG_SCENARIO, 0 },
	{ "lesson", NULL, COMMAND_LESSON, "[NAME]", "start or continue a guided lesson", F, 0, 1,
	    COMMAND_ARG_SCENARIO, 0 },
	{ "wait", NULL, COMMAND_WAIT, "SECONDS", "pause a script, the session going on (a "
	    "greylisting delay)", F | COMMAND_SCRIPT, 1, 1, COMMAND_ARG_NUMBER, 0 },
};

#undef F
#undef C
#undef S
#undef R

#define COMMAND_TABLE_SIZE (sizeof commands / sizeof commands[0])

size_t
command_list(const struct command_info **out)
{
	*out = commands;
	return COMMAND_TABLE_SIZE;
}

const struct command_info *
command_info(enum command_id id)
{
	size_t i;

	for (i = 0; i < COMMAND_TABLE_SIZE; i++)
		if (commands[i].id == id)
			return &commands[i];
	return NULL;
}

const struct command_info *
command_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < COMMAND_TABLE_SIZE; i++) {
		const char *alias = commands[i].alias;

		if ((strlen(commands[i].name) == len && strncasecmp(commands[i].name, name, len) == 0) ||
		    (alias != NULL && strlen(alias) == len && strncasecmp(alias, name, len) == 0))
			return &commands[i];
	}
	return NULL;
}

static const char *
skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *
skip_word(const char *p)
{
	while (*p != '\0' && *p != ' ' && *p != '\t')
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

/* The words after the name into cmd->argv, as many as the command takes. */
static int
split_arguments(struct command *cmd, char **errstr)
{
	const char *p = cmd->rest, *start;
	int max = cmd->info->max_args;

	while (*(p = skip_space(p)) != '\0') {
		if (cmd->argc == COMMAND_MAX_ARGS || (max >= 0 && cmd->argc == (size_t)max)) {
			if (max < 0)
				break;
			*errstr = xasprintf("too many arguments: /%s %s", cmd->info->name,
			    cmd->info->usage);
			return -1;
		}
		start = p;
		p = skip_word(p);
		cmd->argv[cmd->argc++] = xstrndup(start, (size_t)(p - start));
	}
	if (cmd->argc < (size_t)cmd->info->min_args) {
		*errstr = xasprintf("usage: /%s %s", cmd->info->name, cmd->info->usage);
		return -1;
	}
	return 0;
}

int
command_parse(const char *line, struct command *cmd, char **errstr)
{
	const char *p = line, *start;
	char name[32];
	size_t len, i;

	memset(cmd, 0, sizeof *cmd);
	if (*p != '/' || p[1] == '/') {
		*errstr = xstrdup("not a local command");
		return -1;
	}
	start = ++p;
	p = skip_word(p);
	len = (size_t)(p - start);
	if (len == 0 || len >= sizeof name) {
		*errstr = xstrdup("a '/' alone is no command: type /help for the list (// sends a "
		    "line starting with '/')");
		return -1;
	}
	for (i = 0; i < len; i++)
		name[i] = (char)tolower((unsigned char)start[i]);
	name[len] = '\0';
	cmd->info = command_find(name, len);
	if (cmd->info == NULL) {
		*errstr = xasprintf("unknown command /%s: type /help for the list (// sends a line "
		    "starting with '/')", name);
		return -1;
	}
	cmd->rest = trimmed(skip_space(p));
	if (split_arguments(cmd, errstr) < 0) {
		command_clear(cmd);
		return -1;
	}
	return 0;
}

void
command_clear(struct command *cmd)
{
	size_t i;

	/* Any argument may be a password (/auth's, or one typed in the wrong place). */
	for (i = 0; i < cmd->argc; i++) {
		explicit_bzero(cmd->argv[i], strlen(cmd->argv[i]));
		free(cmd->argv[i]);
	}
	if (cmd->rest != NULL) {
		explicit_bzero(cmd->rest, strlen(cmd->rest));
		free(cmd->rest);
	}
	memset(cmd, 0, sizeof *cmd);
}

char *
command_mask(const char *line)
{
	const struct command_info *info;
	const char *p, *word;
	int args = 0;

	if (line[0] != '/' || line[1] == '/')
		return xstrdup(line);
	p = skip_word(line + 1);
	info = command_find(line + 1, (size_t)(p - line - 1));
	/* Only a line that goes on after the name can hold a secret. */
	if (info == NULL || !(info->flags & COMMAND_SECRET) || *p == '\0')
		return xstrdup(line);
	/* Everything from the secret argument on is the secret. */
	while (*(p = skip_space(p)) != '\0') {
		word = p;
		if (args++ == info->secret_arg)
			return xasprintf("%.*s%s", (int)(word - line), line, SESSION_MASK);
		p = skip_word(p);
	}
	return xstrdup(line);
}

bool
command_line_is_private(const char *line)
{
	const struct command_info *info;
	const char *p;
	char *masked;
	bool secret;

	line += strspn(line, " \t");
	if (line[0] != '/' || line[1] == '/')
		return false;
	p = skip_word(line + 1);
	info = command_find(line + 1, (size_t)(p - line - 1));
	if (info == NULL)
		return false;
	if (info->flags & COMMAND_PRIVATE)
		return true;
	masked = command_mask(line);
	secret = strcmp(masked, line) != 0;
	free(masked);
	return secret;
}

char *
command_help_text(unsigned skip)
{
	size_t i;
	char *text = xstrdup(""), *next;

	for (i = 0; i < COMMAND_TABLE_SIZE; i++) {
		char left[64];

		if (commands[i].flags & skip)
			continue;
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
