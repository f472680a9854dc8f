/* command.h: the local command language shared by batch mode and the screen (/connect, /auth,
 * /data, ...): the table of commands, parsing a typed line into one, masking the secrets in it,
 * and the message reader /data and /bdat stream a file through. */
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
	COMMAND_SAVE,
	COMMAND_STATUS,
	/* handled by the front end (engine_submit answers ENGINE_FRONTEND) */
	COMMAND_EXPLAIN,
	COMMAND_COMPARE,
	COMMAND_HELP,
	COMMAND_QUIT,
	COMMAND_SCENARIO,
	COMMAND_LESSON,
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

/* Streams a message file as it goes on the wire: every line ending made CRLF (a final one added
 * when missing) and, for DATA, lines starting with '.' dot-stuffed (RFC 5321 section 4.5.2).
 * The file is read in small pieces, never held whole. */
struct command_message;

struct command_message *command_message_open(const char *path, bool dot_stuff, char **errstr);
/* The size on the wire (after normalising), counted once at open. */
long long command_message_size(const struct command_message *message);
/* Fills buf with up to cap wire bytes; returns how many, 0 at the end, -1 on a read error. */
long command_message_read(struct command_message *message, char *buf, size_t cap);
void command_message_close(struct command_message *message);

#endif
