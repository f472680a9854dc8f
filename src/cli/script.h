/* script.h: reading and submitting the lines a front end runs one by one (batch mode,
 * lessons) from a script file or from standard input. */
#ifndef SMTPSCOPE_CLI_SCRIPT_H
#define SMTPSCOPE_CLI_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/conn/engine.h"

/* The longest script line, in octets with its line ending: far more than SMTP allows (1000). */
#define CLI_SCRIPT_LINE_MAX (64 * 1024)

enum cli_script_read {
	CLI_SCRIPT_LINE,      /* a line was read */
	CLI_SCRIPT_END,       /* the end of the input, or a read error (ferror() tells) */
	CLI_SCRIPT_TOO_LONG,  /* the line does not fit in the buffer */
};

/* Reads the next line into line (size bytes) without its LF or CRLF. */
enum cli_script_read cli_script_read_line(FILE *in, char *line, size_t size);

/* True for a line meant for the reader only: blank, or a '#' comment; inside a message's text
 * (in_data) every line counts. */
bool cli_script_line_is_comment(const char *line, bool in_data);

/* Submits a line as a script means it: exactly what it says. A line the engine warns about
 * (out of sequence, say) is sent anyway and the warning stays in the transcript. Returns what
 * engine_submit returns for the line as finally submitted; ans as there. */
enum engine_result cli_script_submit(struct engine *engine, const char *line,
    struct engine_answer *ans);

struct kb;

/* /save FILE: the engine's transcript saved as export_save writes it (FILE's extension picks
 * the format), with a note in the transcript saying where. Returns 0, or -1 with *errstr set
 * (caller frees). */
int cli_script_save(struct engine *engine, const struct kb *kb, const char *path, char **errstr);

#endif
