/* command.h: the local command language shared by batch mode and the screen (/connect, /auth,
 * /data, ...): the table of commands, parsing a typed line into one, masking the secrets in
 * it. */
#ifndef SMTPSCOPE_COMMAND_H
#define SMTPSCOPE_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

/* Every local command. Adding one is an entry in the table in command.c and one function: in
 * engine_local.c for a command the engine carries out, or in each front end's handler table
 * (tui/commands.c, cli/batch.c, cli/lesson_cmd.c) for a COMMAND_FRONTEND one; a front end
 * without a handler says the command is not for it. */
enum command_id {
	COMMAND_CONNECT,
	COMMAND_DISCONNECT,
	COMMAND_STARTTLS,
	COMMAND_TLS,
	COMMAND_AUTH,
	COMMAND_B64,
	COMMAND_DATA,
	COMMAND_BDAT,
	COMMAND_PIPELINE,
	COMMAND_STATUS,
	/* carried out by the front ends (engine_submit answers ENGINE_FRONTEND) */
	COMMAND_SAVE,
	COMMAND_EXPLAIN,
	COMMAND_COMPARE,
	COMMAND_HELP,
	COMMAND_QUIT,
	COMMAND_SCENARIO,
	COMMAND_LESSON,
	COMMAND_WAIT,
	COMMAND_COUNT
};

/* What a command is (struct command_info.flags). */
#define COMMAND_FRONTEND  0x01u  /* carried out by the front end, not the engine */
#define COMMAND_CONNECTED 0x02u  /* needs an open connection: refused before it runs otherwise */
#define COMMAND_SECRET    0x04u  /* its arguments from secret_arg on are a secret: masked
                                  * wherever the line is shown or kept */
#define COMMAND_REPLAY    0x08u  /* also works in a replay of a saved session (it only reads) */
#define COMMAND_SCRIPT    0x10u  /* meant for scripts (batch mode, lessons), not the screen */
#define COMMAND_PRIVATE   0x20u  /* its text may hold a secret the mask cannot single out (a
                                  * password for /b64 encode): the line is kept out of history */

/* What an argument is, for completion on the screen. */
enum command_arg {
	COMMAND_ARG_NONE,
	COMMAND_ARG_TEXT,       /* free text */
	COMMAND_ARG_HOST,       /* HOST[:PORT] or @DOMAIN */
	COMMAND_ARG_MECH,       /* an AUTH mechanism */
	COMMAND_ARG_FILE,       /* a file name */
	COMMAND_ARG_TOPIC,      /* a command, keyword, code or scenario of the knowledge base */
	COMMAND_ARG_SCENARIO,   /* a practice server scenario */
	COMMAND_ARG_NUMBER,
};

struct command_info {
	const char *name;       /* without '/' */
	const char *alias;      /* a second name ("exit" for quit), or NULL */
	enum command_id id;
	const char *usage;      /* the arguments, "" when none */
	const char *summary;    /* one line */
	unsigned flags;         /* COMMAND_FRONTEND, ... */
	int min_args;
	int max_args;           /* -1: the words go on, and rest holds the line as typed */
	enum command_arg arg;   /* what the arguments are (completion) */
	int secret_arg;         /* with COMMAND_SECRET: the first argument that is secret */
};

#define COMMAND_MAX_ARGS 4

struct command {
	const struct command_info *info;
	size_t argc;
	char *argv[COMMAND_MAX_ARGS];   /* words after the name (owned; free with command_clear) */
	char *rest;                     /* everything after the name, trimmed (owned) */
};

/* The table, for /help and completion: returns the count, *out points at the entries. */
size_t command_list(const struct command_info **out);
/* The entry for an id (never NULL for an id below COMMAND_COUNT). */
const struct command_info *command_info(enum command_id id);
/* The entry named name (without '/', any case, an alias too), or NULL. */
const struct command_info *command_find(const char *name, size_t len);

/* Parses a line starting with '/' ("//" lines are not commands: the caller sends them): the
 * name (any case), then words separated by spaces or tabs, at most COMMAND_MAX_ARGS (a free
 * text command keeps the rest of the line in rest). Returns 0, or -1 with *errstr set (caller
 * frees) for an unknown command or wrong arguments. command_clear wipes the copies. */
int command_parse(const char *line, struct command *command, char **errstr);
void command_clear(struct command *command);

/* True when the line is a local command whose line may hold a secret: a COMMAND_SECRET
 * command with its secret argument given, or a COMMAND_PRIVATE one. */
bool command_line_is_private(const char *line);

/* The line with its secrets (the arguments of a COMMAND_SECRET command from its secret_arg on:
 * the password of /auth) replaced by SESSION_MASK: a new string. */
char *command_mask(const char *line);

/* The local commands as help text, one per line, those with any of the flags in skip left out
 * (a new string). */
char *command_help_text(unsigned skip);

#endif
