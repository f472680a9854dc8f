/* reply.h: incremental SMTP reply parser. Bytes in, in any chunking; whole replies and the
 * protocol violations seen in them out. Pure: no I/O, no terminal, bounded memory. */
#ifndef SMTPSCOPE_REPLY_H
#define SMTPSCOPE_REPLY_H

#include <stdbool.h>
#include <stddef.h>

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
	size_t line_cap;   /* bytes kept of one line (default 4096); the rest is counted, dropped */
	size_t lines_cap;  /* lines kept of one reply (default 1000); the rest counted, dropped */
};

struct reply_line {
	char *raw;         /* the line as received, without its CRLF; NUL-terminated copy that may
	                    * hold NULs of its own: use len */
	size_t len;        /* bytes kept in raw */
	size_t full_len;   /* bytes the line really had (larger than len when truncated) */
};

struct reply {
	int code;                 /* 200..599, or 0 when the first line had no valid code */
	char code_text[4];        /* the three characters received where the code belongs */
	char enhanced[16];        /* "5.7.1" when the text of the first line starts with one */
	struct reply_line *lines; /* kept lines */
	size_t nlines;            /* number of kept lines */
	size_t lines_total;       /* number of lines the reply really had */
	unsigned violations;      /* enum reply_violation bits */
};

struct reply_parser;

/* A new parser; limits may be NULL for the defaults. Free with reply_parser_free. */
struct reply_parser *reply_parser_new(const struct reply_limits *limits);
void reply_parser_free(struct reply_parser *parser);

/* Tells the parser whether SMTPUTF8 is in force (8-bit text is then no violation). */
void reply_parser_set_utf8(struct reply_parser *parser, bool utf8);

/* Feeds len bytes. Never fails: bad input becomes violations on the replies it belongs to. */
void reply_parser_feed(struct reply_parser *parser, const void *data, size_t len);

/* Takes the next complete reply, or NULL when none is complete yet. The caller owns it and frees
 * it with reply_free. */
struct reply *reply_parser_next(struct reply_parser *parser);

/* True while part of a reply (a partial line or unfinished multiline reply) is buffered. */
bool reply_parser_pending(const struct reply_parser *parser);

/* Ends the stream (the peer closed): a buffered partial reply is returned as if complete, with
 * REPLY_V_TRUNCATED set, or NULL when nothing is buffered. */
struct reply *reply_parser_finish(struct reply_parser *parser);

void reply_free(struct reply *reply);

/* The text of line i after the code and separator (the whole line when it has no valid code). */
const char *reply_line_text(const struct reply *reply, size_t i);

/* The class digit (2..5) or 0. */
int reply_class(const struct reply *reply);

/* A short English phrase for one violation bit ("bare LF line ending"). */
const char *reply_violation_name(enum reply_violation violation);

#endif
