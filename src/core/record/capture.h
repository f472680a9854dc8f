/* capture.h: readers for SMTP sessions captured by other tools (swaks, plain C:/S:
 * transcripts, telnet or openssl s_client pastes, mail logs) and by smtpscope itself. They turn
 * the text into a stream of items: client lines, server lines, complete replies with the command
 * each one answered, and the tools' own notes. Streaming: memory stays constant whatever the
 * input size (lines are read one by one and cut at a cap). Pure: no terminal. */
#ifndef SMTPSCOPE_CAPTURE_H
#define SMTPSCOPE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/proto/reply.h"

enum capture_format {
	CAPTURE_FORMAT_AUTO,       /* guess from the first lines that give the format away */
	CAPTURE_FORMAT_SMTPSCOPE,  /* a transcript saved by smtpscope (/save, --transcript) */
	CAPTURE_FORMAT_SWAKS,      /* swaks output: "<-", "->", "<~", "~>", "===", "***" */
	CAPTURE_FORMAT_CS,         /* plain "C: ..." / "S: ..." lines, optionally time-stamped */
	CAPTURE_FORMAT_RAW,        /* a telnet / openssl s_client paste: replies start with a code,
	                            * every other line is what the user typed */
	CAPTURE_FORMAT_MAILLOG,    /* mail-log lines carrying replies (Postfix, exim, sendmail) */
};

enum capture_kind {
	CAPTURE_CLIENT,  /* a command line the client sent */
	CAPTURE_BODY,    /* message text sent after 354, up to and including the final "." */
	CAPTURE_SERVER,  /* one line the server sent; a CAPTURE_REPLY follows once it is complete */
	CAPTURE_REPLY,   /* a complete reply and the command it answered */
	CAPTURE_INFO,    /* a note of the capturing tool (swaks "===", smtpscope events, ...) */
	CAPTURE_ERROR,   /* an error note of the capturing tool (swaks "***", smtpscope errors) */
	CAPTURE_LOG,     /* a mail-log line; a CAPTURE_REPLY follows when it carries one */
	CAPTURE_OTHER,   /* a line none of the formats explains, passed on as it is */
};

struct capture_item {
	enum capture_kind kind;
	const char *text;       /* the line without the tool's marker; may hold any byte (escape
	                         * before display); valid until the next capture_reader_next */
	size_t len;
	size_t full_len;        /* bytes the line really had (> len when truncated) */
	bool truncated;         /* the line was longer than the reader's line cap */
	bool tls;               /* the capture says this line travelled inside TLS */
	bool secret;            /* text was masked (AUTH payload) */
	unsigned long lineno;   /* line of the input it came from (1-based) */
	int64_t time_us;        /* when the capture carries a time for it, else -1 */
	/* For CAPTURE_REPLY: the reply (owned by the reader, valid until the next call) and the
	 * command it answered ("RCPT", "greeting", "DATA-END", ... or NULL when unknown). */
	const struct reply *reply;
	const char *after;
	int64_t latency_us;     /* for CAPTURE_REPLY: from the command to the reply, or -1 */
	/* For CAPTURE_LOG lines without a reply but with a delivery status ("dsn=5.1.1"): the
	 * enhanced status code, else "". For CAPTURE_INFO/ERROR from smtpscope transcripts: the
	 * event key when the line names one, else "". */
	char enhanced[16];
	const char *event;
};

struct capture_options {
	enum capture_format format;  /* CAPTURE_FORMAT_AUTO to detect */
	size_t line_cap;             /* bytes kept of one input line; 0: 8192 */
	bool show_secrets;           /* do not mask AUTH payloads */
};

struct capture_reader;

/* A reader over in (not closed by the reader); opts may be NULL for the defaults. */
/* Reads with read(2) on fileno(in) when it has one (bytes arrive as they come), else fread. */
struct capture_reader *capture_reader_new(FILE *in, const struct capture_options *opts);
void capture_reader_free(struct capture_reader *reader);

/* The next item: 1 with *item filled, 0 at the end of the input, -1 on a read error with
 * *errstr set (caller frees). */
int capture_reader_next(struct capture_reader *reader, struct capture_item *item, char **errstr);

/* Takes the reply of a CAPTURE_REPLY item out of the reader: the caller owns it then (free with
 * reply_free, or hand it to transcript_add_reply). NULL when the item has none or it was taken. */
struct reply *capture_reader_take_reply(struct capture_reader *reader,
    const struct capture_item *item);

/* Reads a whole capture file ("-": standard input) of any format into a transcript, for the
 * screen's replay: client lines as sent, replies with the command they answered, the tools'
 * notes and log lines as information. Unlike the reader, this holds the whole session in
 * memory. NULL with *errstr set (caller frees) when the file cannot be read. */
struct transcript;
struct transcript *capture_load_transcript(const char *path, const struct capture_options *opts,
    char **errstr);

/* The format in force: the one asked for, or the one detected so far (AUTO until known). */
enum capture_format capture_reader_format(const struct capture_reader *reader);

/* True when the next capture_reader_next has to read more input (and may wait for it): the
 * moment for a front end to flush what it wrote. */
bool capture_reader_would_read(const struct capture_reader *reader);

/* Lines dropped as noise (openssl s_client's certificate dump, telnet chatter). */
unsigned long capture_reader_skipped(const struct capture_reader *reader);

/* Format names for options and messages: "auto", "smtpscope", "swaks", "cs", "raw", "log". */
const char *capture_format_name(enum capture_format format);
/* Parses a name (also "telnet", "openssl", "maillog", "postfix"); -1 when unknown. */
int capture_format_parse(const char *name, enum capture_format *format);

#endif
