/* command.h: the local command language shared by batch mode and the screen (/connect, /auth,
 * /data, ...): the table of commands, parsing a typed line into one, masking the secrets in
 * it. */
#ifndef SMTPSCOPE_COMMAND_H
#define SMTPSCOPE_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

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
	/* handled by the front end (engine_submit answers ENGINE_FRONTEND) */
	COMMAND_SAVE,
	COMMAND_EXPLAIN,
	COMMAND_COMPARE,
	COMMAND_HELP,
	COMMAND_QUIT,
	COMMAND_SCENARIO,
	COMMAND_LESSON,
	COMMAND_COUNT
};

struct command_info {
	const char *name;       /* without '/' */
	enum command_id id;
	const char *usage;      /* the arguments, "" when none */
	const char *summary;    /* one line */
	bool frontend;          /* carried out by the front end, not the engine */
	int min_args;
	int max_args;           /* -1: the rest of the line is one free-text argument */
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

/* Parses a line starting with '/' ("//" lines are not commands: the caller sends them).
 * Returns 0, or -1 with *errstr set (caller frees) for an unknown command or wrong arguments. */
int command_parse(const char *line, struct command *command, char **errstr);
void command_clear(struct command *command);

/* The line with its secrets replaced by SESSION_MASK (the password of /auth): a new string. */
char *command_mask(const char *line);

/* The local commands as help text, one per line (a new string). */
char *command_help_text(void);

#endif
