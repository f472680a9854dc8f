/* reply.h: incremental SMTP reply parser. Bytes in, in any chunking; whole replies and the
 * protocol violations seen in them out. Pure: no I/O, no terminal, bounded memory.
 *
 * How odd input is read (the same whatever the chunking):
 * - A line ends at CRLF; a bare LF also ends it (REPLY_V_BARE_LF). A CR not followed by LF is
 *   kept in the line as an ordinary byte (REPLY_V_BARE_CR), so "250 a\rb" stays one line.
 * - A line whose first three bytes are not a valid code (REPLY_V_BAD_CODE), when no multiline
 *   reply is open, is a reply of its own: one line, code 0. Inside an open multiline reply it is
 *   kept as one more continuation line of that reply (the reply stays open), so a stray line
 *   does not shift which reply answers which command.
 * - A valid code followed by something other than ' ', '-' or the end of the line
 *   (REPLY_V_NO_SEPARATOR) counts as a final line; its text starts right after the code.
 * - A code followed by a fourth digit ("2500 ok") is not a three-digit code: REPLY_V_BAD_CODE.
 * - A line that ends a multiline reply with another code (REPLY_V_CODE_MISMATCH) still ends
 *   it; the reply keeps the code of its first line.
 * - Caps: of a long line the first line_cap bytes are kept and the rest counted (full_len);
 *   of a long reply the first lines_cap - 1 lines and the final line are kept and the rest
 *   counted (lines_total); either sets REPLY_V_TRUNCATED. Parsing carries on at the next line.
 * - Every violation is recorded on the line that showed it (reply_line.violations) and on the
 *   reply (reply.violations). */
#ifndef SMTPSCOPE_REPLY_H
#define SMTPSCOPE_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 5321 section 4.5.3.1.5: a reply line is at most 512 octets including CRLF. */
#define REPLY_RFC_LINE_MAX 512

/* Violations, as bits in reply.violations. */
enum reply_violation {
	REPLY_V_CODE_MISMATCH = 1u << 0,  /* lines of one multiline reply carry different codes */
	REPLY_V_NO_SEPARATOR = 1u << 1,   /* code not followed by ' ', '-' or end of line */
	REPLY_V_BAD_CODE = 1u << 2,       /* not three digits, or first digit outside 2-5 */
	REPLY_V_BARE_LF = 1u << 3,        /* a line ended with LF alone */
	REPLY_V_BARE_CR = 1u << 4,        /* a CR not followed by LF */
	REPLY_V_NUL = 1u << 5,            /* a NUL byte in a line */
	REPLY_V_LINE_TOO_LONG = 1u << 6,  /* a line over 512 octets with its CRLF */
	REPLY_V_NON_ASCII = 1u << 7,      /* 8-bit bytes while SMTPUTF8 was not negotiated */
	REPLY_V_TRUNCATED = 1u << 8,      /* a line or the line count hit the parser's cap */
};
#define REPLY_V_COUNT 9

/* Memory caps; 0 in a field means the default. */
struct reply_limits {
	size_t line_cap;   /* bytes kept of one line (default 4096, at least 32); the rest is
	                    * counted, dropped */
	size_t lines_cap;  /* lines kept of one reply (default 1000, at least 2); the rest counted,
	                    * dropped (the final line is always kept) */
};

#define REPLY_DEFAULT_LINE_CAP 4096
#define REPLY_DEFAULT_LINES_CAP 1000

/* Longest line the parser keeps (a larger line_cap is lowered to it), and the largest full_len
 * recorded (a longer line reads as this long). */
#define REPLY_LINE_CAP_MAX (((size_t)1 << 23) - 1)
#define REPLY_FULL_LEN_MAX ((size_t)UINT32_MAX)

/* A stored session keeps one of these per line received, so it is packed into 16 bytes: read
 * the fields as usual (only taking their address is not possible). */
struct reply_line {
	char *raw;         /* the line as received, without its CRLF; NUL-terminated copy that may
	                    * hold NULs of its own: use len */
	uint64_t len : 23;        /* bytes kept in raw (at most REPLY_LINE_CAP_MAX) */
	uint64_t violations : 9;  /* enum reply_violation bits seen on this line */
	uint64_t full_len : 32;   /* bytes the line really had (larger than len when truncated;
	                           * at most REPLY_FULL_LEN_MAX) */
};

struct reply {
	int code;                 /* 200..599, or 0 when the first line had no valid code */
	char code_text[4];        /* the three characters received where the code belongs */
	char enhanced[16];        /* "5.7.1" when the text of the first line starts with one */
	struct reply_line *lines; /* kept lines */
	size_t nlines;            /* number of kept lines */
	size_t lines_total;       /* number of lines the reply really had */
	unsigned violations;      /* enum reply_violation bits */
	size_t wire_len;          /* bytes the reply took on the wire, line endings included */
};

struct reply_parser;

/* A new parser; limits may be NULL for the defaults. Free with reply_parser_free. */
struct reply_parser *reply_parser_new(const struct reply_limits *limits);
void reply_parser_free(struct reply_parser *parser);

/* Tells the parser whether SMTPUTF8 is in force (8-bit text is then no violation); applies to
 * the bytes fed from now on. */
void reply_parser_set_utf8(struct reply_parser *parser, bool utf8);

/* Feeds len bytes. Never fails: bad input becomes violations on the replies it belongs to.
 * Complete replies queue up until taken: feed what one read gave, then drain with
 * reply_parser_next, so the queue stays as small as one read. */
void reply_parser_feed(struct reply_parser *parser, const void *data, size_t len);

/* Takes the next complete reply, or NULL when none is complete yet. The caller owns it and frees
 * it with reply_free. */
struct reply *reply_parser_next(struct reply_parser *parser);

/* True while part of a reply (a partial line or unfinished multiline reply) is buffered. */
bool reply_parser_pending(const struct reply_parser *parser);

/* Ends the stream (the peer closed): a buffered partial reply is returned as if complete, with
 * REPLY_V_TRUNCATED set, or NULL when nothing is buffered. Replies completed earlier and not yet
 * taken come out first (call it until NULL to drain everything). The parser is then empty and
 * may be used for a new stream. */
struct reply *reply_parser_finish(struct reply_parser *parser);

/* Throws away everything buffered (partial line, open reply, complete replies not yet taken),
 * e.g. the bytes that arrived before a TLS handshake. Returns how many bytes were thrown away. */
size_t reply_parser_reset(struct reply_parser *parser);

void reply_free(struct reply *reply);

/* Like reply_free for a reply taken from this parser that nobody holds any more, but keeps its
 * memory for the parser's next replies (a few at most; the rest is freed). */
void reply_parser_recycle(struct reply_parser *parser, struct reply *reply);

/* The text of line i after the code and separator (the whole line when it has no valid code). */
const char *reply_line_text(const struct reply *reply, size_t i);

/* The class digit (2..5) or 0. */
int reply_class(const struct reply *reply);

/* A short English phrase for one violation bit ("bare LF line ending"). */
const char *reply_violation_name(enum reply_violation violation);

/* A stable one-word key for one violation bit ("bare-lf"), used in saved transcripts; and back
 * (0 when the key is unknown). */
const char *reply_violation_key(enum reply_violation violation);
unsigned reply_violation_from_key(const char *key, size_t len);

/* Length of the text of line i (what reply_line_text points at). */
size_t reply_line_text_len(const struct reply *reply, size_t i);

/* True when line i is a continuation line ("250-..."). */
bool reply_line_is_continuation(const struct reply *reply, size_t i);

#endif
