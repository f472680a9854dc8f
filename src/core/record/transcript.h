/* transcript.h: the record of a session: every line sent and received, every event, with times
 * and each reply's latency; save to and load from a plain text file, secrets masked. */
#ifndef SMTPSCOPE_TRANSCRIPT_H
#define SMTPSCOPE_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/proto/reply.h"

enum transcript_kind {
	TRANSCRIPT_SENT,      /* C: a line the client sent (masked text when it carried a secret) */
	TRANSCRIPT_RECEIVED,  /* S: a line the server sent, raw bytes (may hold anything: escape
	                       * before display) */
	TRANSCRIPT_EVENT,     /* connection, TLS, timing events ("connected to 127.0.0.1:2525") */
	TRANSCRIPT_WARNING,   /* guidance: out-of-sequence command, discarded bytes, violations */
	TRANSCRIPT_ERROR,     /* failures: refused, timed out, reset, TLS verification */
	TRANSCRIPT_INFO,      /* local output: /b64 results, /tls details, decoded 334 */
};

/* Reply indexes are kept in 32 bits: this is "no reply" both in an entry's reply field and in
 * any size_t it is copied to. */
#define TRANSCRIPT_NO_REPLY ((size_t)UINT32_MAX)

/* Longest text one entry keeps (longer texts are cut): the length shares 32 bits with the kind
 * and the secret flag. */
#define TRANSCRIPT_TEXT_MAX ((size_t)(1u << 28) - 1)

/* Entries live as long as the transcript and never move: a pointer to one stays valid while
 * more are added. A live session holds one entry per line received, so an entry is kept at 32
 * bytes: 32-bit reply index, and the length, kind and secret flag packed into one word (read
 * them as usual; only taking their address is not possible). */
struct transcript_entry {
	int64_t time_us;      /* wall clock, microseconds since the epoch (kept within the years
	                       * 0000 to 9999, which the file format can hold) */
	char *text;           /* NUL-terminated; for RECEIVED may hold NULs: use len */
	const char *event;    /* for EVENT/ERROR/WARNING: a knowledge base event key or NULL
	                       * (copied into the transcript) */
	uint32_t reply;       /* for RECEIVED lines: index of the reply they belong to, or
	                       * TRANSCRIPT_NO_REPLY */
	uint32_t len : 28;    /* bytes of text, at most TRANSCRIPT_TEXT_MAX */
	enum transcript_kind kind : 3;
	bool secret : 1;      /* text was masked */
};

struct transcript_reply {
	struct reply *reply;  /* the parsed reply, owned by the transcript (never reply_free it):
	                       * its lines' raw point at the text of their RECEIVED entries */
	char *after;          /* the command that drew it: a verb, "greeting", "DATA-END", ... */
	size_t first_entry;   /* its lines are entries first_entry .. last_entry */
	size_t last_entry;
	int64_t latency_us;   /* from the command that drew it to its last line, or -1 (any
	                       * negative value is saved and loaded as -1) */
	char *state;          /* the session state when it arrived ("after EHLO") */
};

struct transcript;

struct transcript *transcript_new(void);
void transcript_free(struct transcript *transcript);

/* Appends an entry stamped with the current time; returns its index. text and event are
 * copied. */
size_t transcript_add(struct transcript *transcript, enum transcript_kind kind,
    const char *text, size_t len, const char *event, bool secret);

/* The same with a given time (microseconds since the epoch), for readers of other formats. */
size_t transcript_add_at(struct transcript *transcript, int64_t time_us,
    enum transcript_kind kind, const char *text, size_t len, const char *event, bool secret);

/* Records a parsed reply and adds its lines as RECEIVED entries; returns the reply's index.
 * Ownership passes to the transcript: the pointer stays valid (and is what transcript_reply
 * gives back) until transcript_free, but its lines now live in the transcript's storage, so
 * never reply_free it. after and state are copied (NULL allowed). */
size_t transcript_add_reply(struct transcript *transcript, struct reply *reply,
    const char *after, const char *state, int64_t latency_us);

/* The same with a given time for its lines. */
size_t transcript_add_reply_at(struct transcript *transcript, int64_t time_us,
    struct reply *reply, const char *after, const char *state, int64_t latency_us);

size_t transcript_count(const struct transcript *transcript);
const struct transcript_entry *transcript_entry(const struct transcript *transcript, size_t i);
size_t transcript_reply_count(const struct transcript *transcript);
const struct transcript_reply *transcript_reply(const struct transcript *transcript, size_t i);

/* Saves as plain text (format documented in transcript.c) that transcript_load reads back.
 * Returns 0, or -1 with *errstr set (caller frees). */
int transcript_save(const struct transcript *transcript, const char *path, char **errstr);

/* The same to an open stream (not closed). */
int transcript_write(const struct transcript *transcript, FILE *fp, char **errstr);

/* Loads a saved transcript; NULL with *errstr set when the file cannot be read or parsed
 * ("FILE:LINE: what is wrong"; caller frees). */
struct transcript *transcript_load(const char *path, char **errstr);

/* The same from an open stream or from memory; name is used in error messages. */
struct transcript *transcript_load_file(FILE *fp, const char *name, char **errstr);
struct transcript *transcript_load_buffer(const void *data, size_t len, const char *name,
    char **errstr);

/* One line of a saved transcript read on its own (the format is described in transcript.c):
 * what transcript_load makes an entry of, and what capture's reader streams. Start from a
 * zeroed struct; each parse reuses its text buffer; transcript_line_release frees it. */
struct transcript_line {
	int64_t time_us;
	enum transcript_kind kind;
	char *text;                   /* unescaped, NUL-terminated, may hold NULs: use len */
	size_t len, text_alloc;
	/* the annotations */
	bool masked;                  /* the text was masked when saved */
	bool no_reply;                /* a received line that belongs to no reply */
	bool reply_end;               /* a latency was given: the reply ends here */
	int64_t latency_us;           /* that latency, -1 when unknown */
	char *event, *after, *state;  /* quoted values, NULL when absent */
	bool has_full, has_lines, has_violations, has_line_violations;
	size_t full, lines;
	unsigned violations, line_violations;
};

/* True when line (len bytes, a CR at the end ignored) is a transcript's first line. */
bool transcript_is_magic(const char *line, size_t len);

/* Parses one line after the first (without its LF; a CR before it is ignored). Returns 1 with
 * *line filled, 0 for a comment or an empty line, -1 when malformed with *errstr (may be NULL;
 * caller frees) saying why, without a file name or line number. */
int transcript_line_parse(const char *text, size_t len, struct transcript_line *line,
    char **errstr);
void transcript_line_release(struct transcript_line *line);

/* Bytes of memory the transcript holds (entries, replies, text), for the memory budget. */
size_t transcript_memory(const struct transcript *transcript);

#endif
