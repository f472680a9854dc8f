/* export.h: renders a session with every reply explained in its context, as plain text (for
 * `smtpscope annotate`), Markdown, or one self-contained HTML file (handouts: inline CSS, no
 * external resources, clean in print). Everything that came from the wire is escaped. A writer
 * streams: lines and replies go out as they are given, so memory does not grow with the
 * session; explanations that repeat are rendered once and cached (bounded). */
#ifndef SMTPSCOPE_EXPORT_H
#define SMTPSCOPE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/knowledge/kb.h"
#include "core/proto/reply.h"
#include "core/record/transcript.h"

enum export_format {
	EXPORT_TEXT,      /* plain text for a terminal or a pipe; bytes escaped */
	EXPORT_MARKDOWN,  /* CommonMark: wire lines in fenced blocks, explanations as quotes */
	EXPORT_HTML,      /* one self-contained HTML5 file */
};

enum export_level {
	EXPORT_LEVEL_SHORT,  /* per reply: heading and one-line summary */
	EXPORT_LEVEL_FULL,   /* per reply: every section (Description, When You See It, ...) */
};

enum export_line_kind {
	EXPORT_LINE_CLIENT,   /* C: a command the client sent */
	EXPORT_LINE_BODY,     /* message text the client sent after 354 */
	EXPORT_LINE_SERVER,   /* S: a line of a reply */
	EXPORT_LINE_INFO,     /* an event or a note (connected, TLS started, a tool's note) */
	EXPORT_LINE_WARNING,  /* guidance, a discarded byte, a violation */
	EXPORT_LINE_ERROR,    /* refused, timed out, TLS verification failed, a tool's error */
	EXPORT_LINE_LOG,      /* a mail-log line */
	EXPORT_LINE_OTHER,    /* text no format explained */
};

struct export_line {
	enum export_line_kind kind;
	const char *text;   /* any bytes; escaped on output */
	size_t len;
	size_t full_len;    /* the line's real length when it was cut (0: len) */
	bool tls;           /* travelled inside TLS */
	bool secret;        /* the text is a masked secret */
	int64_t time_us;    /* microseconds since the epoch, or -1 */
};

struct export_options {
	enum export_format format;
	enum export_level level;
	const char *title;    /* document title; NULL: "SMTP session" */
	const char *source;   /* where the session came from (a file name, a peer), or NULL */
	int width;            /* text: width to wrap explanations at; 0: 80 */
	bool utf8;            /* text: the output takes UTF-8 (valid characters pass); else every
	                       * byte outside printable ASCII is escaped. Markdown and HTML are
	                       * always UTF-8. */
	bool color;           /* text: ANSI colours (sent lines, errors, reply classes); the
	                       * front end decides (a terminal, no NO_COLOR) */
};

struct export_writer;

/* A writer onto out (not closed by the writer); kb may be NULL (no explanations then). Writes
 * the document's head at once. */
struct export_writer *export_writer_new(FILE *out, const struct kb *kb,
    const struct export_options *opts);
/* Frees the writer; call export_writer_finish first to end the document. */
void export_writer_free(struct export_writer *writer);

/* One line of the session. */
void export_writer_line(struct export_writer *writer, const struct export_line *line);
/* A complete reply (its lines were given before as EXPORT_LINE_SERVER), explained for the
 * command it answered (after: a verb, "greeting", "DATA-END", or NULL); latency_us or -1. */
void export_writer_reply(struct export_writer *writer, const struct reply *reply,
    const char *after, int64_t latency_us);
/* An enhanced status code seen without a reply (a mail log's "dsn=5.1.1"), explained. */
void export_writer_status(struct export_writer *writer, const char *enhanced);
/* A knowledge-base event ("tls-verify-expired"), explained (full level only). */
void export_writer_event(struct export_writer *writer, const char *event);
/* Writes out what is buffered (before the input may keep us waiting). */
void export_writer_flush(struct export_writer *writer);
/* Ends the document (footer with counts) and flushes: 0, or -1 with *errstr (caller frees)
 * when writing failed. */
int export_writer_finish(struct export_writer *writer, char **errstr);

/* A whole recorded session: every entry, every reply explained with its `after`, events.
 * For the TUI's and batch mode's `/save FILE.html` and `/save FILE.md`. Full explanations.
 * Returns 0, or -1 with *errstr set (caller frees). */
int export_transcript(const struct transcript *transcript, const struct kb *kb,
    enum export_format format, FILE *out, char **errstr);
/* The same with every option (title, source, level, ...). */
int export_transcript_opts(const struct transcript *transcript, const struct kb *kb,
    const struct export_options *opts, FILE *out, char **errstr);
/* Writes the export to path (created or truncated): 0, or -1 with *errstr. */
int export_transcript_file(const struct transcript *transcript, const struct kb *kb,
    enum export_format format, const char *path, char **errstr);

/* The export format a file name asks for: .html/.htm -> HTML, .md/.markdown -> Markdown.
 * false when the name has neither ending (a plain transcript save then). */
bool export_format_for_path(const char *path, enum export_format *format);
/* Saves a session the way its file name asks: an HTML or Markdown export with every reply
 * explained (kb may be NULL) for .html/.htm/.md/.markdown, else a plain transcript that
 * transcript_load reads back. 0, or -1 with *errstr set (caller frees). */
int export_save(const struct transcript *transcript, const struct kb *kb, const char *path,
    char **errstr);

/* "text", "md" / "markdown", "html": 0, or -1 when unknown. */
int export_format_parse(const char *name, enum export_format *format);

#endif
