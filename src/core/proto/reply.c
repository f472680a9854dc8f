/* reply.c: the incremental SMTP reply parser. A small state machine over the bytes (is the last
 * byte a CR still waiting for its LF?) builds one line, copying runs of ordinary bytes at once;
 * each finished line is classified (code, separator, violations) and joins the reply being
 * assembled; finished replies wait in a queue until reply_parser_next takes them. Nothing here grows without a cap: a line keeps at most
 * line_cap bytes and a reply at most lines_cap lines, the rest is only counted. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto/reply.h"
#include "core/util/xmalloc.h"

#define REPLY_MIN_LINE_CAP 32
#define REPLY_MIN_LINES_CAP 2
#define REPLY_SPARES 8           /* replies handed back for reuse, kept at most */
#define REPLY_SPARE_RAWS 16      /* line buffers handed back for reuse, kept at most */
#define REPLY_SPARE_RAW_MAX 1024 /* longer line buffers are freed, so memory stays small */
/* Line buffers are allocated in steps of 64 bytes, so a spare one mostly fits the next line
 * of a similar length without a realloc. */
#define RAW_ROUND(n) (((n) + 63) & ~(size_t)63)

struct reply_parser {
	size_t line_cap;
	size_t lines_cap;
	bool utf8;

	/* The line being received. */
	char *line;             /* kept bytes, grown on demand up to line_cap (+1 for a NUL) */
	size_t line_alloc;
	size_t line_len;        /* bytes kept */
	size_t line_full;       /* bytes seen */
	unsigned line_violations;
	bool cr_pending;        /* the last byte was a CR whose meaning depends on the next byte */
	size_t line_wire;       /* bytes of this line on the wire so far (CRs included) */

	/* The reply being assembled: non-NULL after a continuation line. */
	struct reply *open;
	size_t open_alloc;      /* slots allocated in open->lines */

	/* Complete replies not yet taken. */
	struct reply **queue;
	size_t queue_head;
	size_t queue_len;
	size_t queue_alloc;

	/* Replies and line buffers handed back with reply_parser_recycle: a long capture makes
	 * millions of small replies, and reusing them saves a malloc and a free for each part. */
	struct reply *spare[REPLY_SPARES];
	size_t spare_lines[REPLY_SPARES];   /* slots in spare[i]->lines */
	size_t nspare;
	char *spare_raw[REPLY_SPARE_RAWS];
	size_t spare_raw_size[REPLY_SPARE_RAWS];
	size_t nspare_raw;
};

struct reply_parser *
reply_parser_new(const struct reply_limits *limits)
{
	struct reply_parser *parser = xcalloc(1, sizeof *parser);

	parser->line_cap = REPLY_DEFAULT_LINE_CAP;
	parser->lines_cap = REPLY_DEFAULT_LINES_CAP;
	if (limits != NULL && limits->line_cap != 0)
		parser->line_cap = limits->line_cap;
	if (limits != NULL && limits->lines_cap != 0)
		parser->lines_cap = limits->lines_cap;
	/* Enough to read a code and an enhanced status code whatever the caller asked for. */
	if (parser->line_cap < REPLY_MIN_LINE_CAP)
		parser->line_cap = REPLY_MIN_LINE_CAP;
	if (parser->lines_cap < REPLY_MIN_LINES_CAP)
		parser->lines_cap = REPLY_MIN_LINES_CAP;
	if (parser->line_cap > REPLY_LINE_CAP_MAX)
		parser->line_cap = REPLY_LINE_CAP_MAX;
	return parser;
}

void
reply_free(struct reply *reply)
{
	size_t i;

	if (reply == NULL)
		return;
	for (i = 0; i < reply->nlines; i++)
		free(reply->lines[i].raw);
	free(reply->lines);
	free(reply);
}

void
reply_parser_free(struct reply_parser *parser)
{
	size_t i;

	if (parser == NULL)
		return;
	reply_parser_reset(parser);
	for (i = 0; i < parser->nspare; i++) {
		free(parser->spare[i]->lines);
		free(parser->spare[i]);
	}
	for (i = 0; i < parser->nspare_raw; i++)
		free(parser->spare_raw[i]);
	free(parser->line);
	free(parser->queue);
	free(parser);
}

void
reply_parser_set_utf8(struct reply_parser *parser, bool utf8)
{
	parser->utf8 = utf8;
}

/* Word-at-a-time scanning: each test is nonzero exactly when some byte of the eight has the
 * property (the classic bit tricks; a borrow can only follow a byte that matched). */
#define SWAR_ONES UINT64_C(0x0101010101010101)
#define SWAR_HIGHS UINT64_C(0x8080808080808080)
#define SWAR_HAS_ZERO(v) (((v) - SWAR_ONES) & ~(v) & SWAR_HIGHS)
#define SWAR_HAS_BYTE(v, c) SWAR_HAS_ZERO((v) ^ (SWAR_ONES * (uint64_t)(c)))

/* How many bytes from p (at most n) need no decision: no CR, LF, NUL, nor (unless SMTPUTF8 is
 * in force) 8-bit byte. */
static size_t
ordinary_run(const unsigned char *p, size_t n, bool utf8)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t v;

		memcpy(&v, p + i, 8);
		if (SWAR_HAS_ZERO(v) || SWAR_HAS_BYTE(v, '\r') || SWAR_HAS_BYTE(v, '\n') ||
		    (!utf8 && (v & SWAR_HIGHS) != 0))
			break;
	}
	if (utf8) {
		while (i < n && p[i] != '\r' && p[i] != '\n' && p[i] != '\0')
			i++;
	} else {
		while (i < n && p[i] != '\r' && p[i] != '\n' && p[i] != '\0' && p[i] < 0x80)
			i++;
	}
	return i;
}

/* Keeps one byte of the current line if there is room; counts it either way. */
static void
line_add_byte(struct reply_parser *parser, unsigned char c)
{
	if (parser->line_len < parser->line_cap) {
		if (parser->line_len + 1 >= parser->line_alloc) {
			size_t want = parser->line_alloc ? parser->line_alloc * 2 : 128;

			if (want > parser->line_cap + 1)
				want = parser->line_cap + 1;
			parser->line = xreallocarray(parser->line, want, 1);
			parser->line_alloc = want;
		}
		parser->line[parser->line_len++] = (char)c;
	}
	parser->line_full++;
}

/* Keeps what fits of a run of ordinary bytes; counts them all. */
static void
line_add_run(struct reply_parser *parser, const unsigned char *run, size_t n)
{
	size_t keep = parser->line_cap - parser->line_len;

	if (keep > n)
		keep = n;
	if (keep > 0) {
		if (parser->line_len + keep + 1 > parser->line_alloc) {
			size_t want = parser->line_alloc ? parser->line_alloc : 128;

			while (want < parser->line_len + keep + 1)
				want *= 2;
			if (want > parser->line_cap + 1)
				want = parser->line_cap + 1;
			parser->line = xreallocarray(parser->line, want, 1);
			parser->line_alloc = want;
		}
		memcpy(parser->line + parser->line_len, run, keep);
		parser->line_len += keep;
	}
	parser->line_full += n;
}

static void
queue_push(struct reply_parser *parser, struct reply *reply)
{
	if (parser->queue_head > 0 && parser->queue_head == parser->queue_len) {
		parser->queue_head = 0;
		parser->queue_len = 0;
	}
	if (parser->queue_len == parser->queue_alloc) {
		/* Reuse the space of replies already taken before growing. */
		if (parser->queue_head > 0) {
			memmove(parser->queue, parser->queue + parser->queue_head,
			    (parser->queue_len - parser->queue_head) * sizeof *parser->queue);
			parser->queue_len -= parser->queue_head;
			parser->queue_head = 0;
		} else {
			parser->queue_alloc = parser->queue_alloc ? parser->queue_alloc * 2 : 8;
			parser->queue = xreallocarray(parser->queue, parser->queue_alloc,
			    sizeof *parser->queue);
		}
	}
	parser->queue[parser->queue_len++] = reply;
}

/* What the first bytes of a line say about its code. */
struct line_head {
	int code;        /* 200..599, or 0 */
	bool final;      /* no '-' after the code (or no valid code at all) */
	size_t text_at;  /* offset of the text */
	unsigned violations;
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static struct line_head
line_classify(const char *line, size_t len)
{
	struct line_head head = { 0, true, 0, 0 };

	if (len < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]) ||
	    line[0] < '2' || line[0] > '5' || (len > 3 && is_digit(line[3]))) {
		head.violations |= REPLY_V_BAD_CODE;
		return head;
	}
	head.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (len == 3) {
		head.text_at = 3;
	} else if (line[3] == ' ' || line[3] == '-') {
		head.final = line[3] == ' ';
		head.text_at = 4;
	} else {
		head.violations |= REPLY_V_NO_SEPARATOR;
		head.text_at = 3;
	}
	return head;
}

/* Reads "X.Y.Z" (X one of 2, 4, 5; Y and Z one to three digits) at the start of text, followed
 * by a space or the end; copies it to out (16 bytes) or leaves out empty. */
static void
extract_enhanced(const char *text, size_t len, char out[16])
{
	size_t i = 0, n, part;

	out[0] = '\0';
	if (len < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.')
		return;
	i = 2;
	for (part = 0; part < 2; part++) {
		for (n = 0; i < len && n < 4 && is_digit(text[i]); n++)
			i++;
		if (n < 1 || n > 3)
			return;
		if (part == 0) {
			if (i >= len || text[i] != '.')
				return;
			i++;
		}
	}
	if (i < len && text[i] != ' ')
		return;
	memcpy(out, text, i);
	out[i] = '\0';
}

void
reply_parser_recycle(struct reply_parser *parser, struct reply *reply)
{
	size_t i;

	if (reply == NULL)
		return;
	for (i = 0; i < reply->nlines; i++) {
		char *raw = reply->lines[i].raw;
		/* raw_get allocated at least this much (never less than the line it holds). */
		size_t size = RAW_ROUND(reply->lines[i].len + 1);

		if (raw != NULL && parser->nspare_raw < REPLY_SPARE_RAWS &&
		    size <= REPLY_SPARE_RAW_MAX) {
			parser->spare_raw[parser->nspare_raw] = raw;
			parser->spare_raw_size[parser->nspare_raw++] = size;
		} else {
			free(raw);
		}
	}
	if (parser->nspare < REPLY_SPARES) {
		parser->spare[parser->nspare] = reply;
		parser->spare_lines[parser->nspare++] = reply->lines != NULL ? reply->nlines : 0;
	} else {
		free(reply->lines);
		free(reply);
	}
}

/* A buffer of at least size bytes for a kept line: a spare one when there is one. */
static char *
raw_get(struct reply_parser *parser, size_t size)
{
	char *raw;

	if (parser->nspare_raw == 0)
		return xmalloc(RAW_ROUND(size));
	parser->nspare_raw--;
	raw = parser->spare_raw[parser->nspare_raw];
	if (parser->spare_raw_size[parser->nspare_raw] < size)
		raw = xreallocarray(raw, RAW_ROUND(size), 1);
	return raw;
}

/* A new empty reply (a spare one when there is one); *alloc gets the slots in its lines. */
static struct reply *
reply_get(struct reply_parser *parser, size_t *alloc)
{
	struct reply *reply;
	struct reply_line *lines;

	if (parser->nspare == 0) {
		*alloc = 0;
		return xcalloc(1, sizeof *reply);
	}
	parser->nspare--;
	reply = parser->spare[parser->nspare];
	*alloc = parser->spare_lines[parser->nspare];
	lines = *alloc > 0 ? reply->lines : NULL;
	if (lines == NULL)
		free(reply->lines);
	memset(reply, 0, sizeof *reply);
	reply->lines = lines;
	return reply;
}

static struct reply *
reply_start(struct reply_parser *parser, const char *line, size_t len,
    const struct line_head *head, size_t *alloc)
{
	struct reply *reply = reply_get(parser, alloc);
	size_t n = len < 3 ? len : 3;

	reply->code = head->code;
	memcpy(reply->code_text, line, n);
	reply->code_text[n] = '\0';
	if (head->code != 0)
		extract_enhanced(line + head->text_at, len - head->text_at, reply->enhanced);
	return reply;
}

/* Adds the current line to a reply, keeping it if the line cap allows. */
static void
reply_add_line(struct reply_parser *parser, struct reply *reply, size_t *alloc,
    unsigned violations, bool final)
{
	struct reply_line *line;

	reply->lines_total++;
	reply->violations |= violations;
	reply->wire_len += parser->line_wire;
	/* The last slot is kept for the final line, which holds the reply's outcome. */
	if (!final && reply->nlines >= parser->lines_cap - 1) {
		reply->violations |= REPLY_V_TRUNCATED;
		return;
	}
	if (reply->nlines == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 4;
		if (*alloc > parser->lines_cap)
			*alloc = parser->lines_cap;
		reply->lines = xreallocarray(reply->lines, *alloc, sizeof *reply->lines);
	}
	line = &reply->lines[reply->nlines++];
	line->raw = raw_get(parser, parser->line_len + 1);
	if (parser->line_len > 0)
		memcpy(line->raw, parser->line, parser->line_len);
	line->raw[parser->line_len] = '\0';
	line->len = parser->line_len;
	line->full_len = parser->line_full < REPLY_FULL_LEN_MAX ? parser->line_full :
	    REPLY_FULL_LEN_MAX;
	line->violations = violations;
}

static void
line_reset(struct reply_parser *parser)
{
	parser->line_len = 0;
	parser->line_full = 0;
	parser->line_violations = 0;
	parser->line_wire = 0;
}

/* A line has ended (by CRLF, a bare LF, or the end of the stream): classify it and give it to
 * the reply it belongs to. */
static void
line_end(struct reply_parser *parser)
{
	const char *line = parser->line != NULL ? parser->line : "";
	struct line_head head = line_classify(line, parser->line_len);
	unsigned violations = parser->line_violations | head.violations;
	struct reply *reply = parser->open;
	size_t one = 0;

	if (parser->line_full > parser->line_len)
		violations |= REPLY_V_TRUNCATED;
	if (parser->line_full > REPLY_RFC_LINE_MAX - 2)
		violations |= REPLY_V_LINE_TOO_LONG;

	if (reply == NULL) {
		/* The first line of a reply: a bad code makes a reply of one line. */
		reply = reply_start(parser, line, parser->line_len, &head, &one);
		reply_add_line(parser, reply, &one, violations, head.final);
		if (head.final) {
			queue_push(parser, reply);
		} else {
			parser->open = reply;
			parser->open_alloc = one;
		}
	} else if (head.code == 0) {
		/* A line without a code inside a multiline reply: one more continuation line. */
		reply_add_line(parser, reply, &parser->open_alloc, violations, false);
	} else {
		if (head.code != reply->code)
			violations |= REPLY_V_CODE_MISMATCH;
		reply_add_line(parser, reply, &parser->open_alloc, violations, head.final);
		if (head.final) {
			queue_push(parser, reply);
			parser->open = NULL;
			parser->open_alloc = 0;
		}
	}
	line_reset(parser);
}

void
reply_parser_feed(struct reply_parser *parser, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i = 0;

	while (i < len) {
		unsigned char c;

		/* Fast path: a run of bytes that need no decision is copied in one go. */
		if (!parser->cr_pending) {
			size_t end = i + ordinary_run(p + i, len - i, parser->utf8);

			if (end > i) {
				line_add_run(parser, p + i, end - i);
				parser->line_wire += end - i;
				i = end;
				if (i == len)
					break;
			}
		}
		c = p[i++];
		parser->line_wire++;
		if (parser->cr_pending) {
			parser->cr_pending = false;
			if (c == '\n') {
				line_end(parser);
				continue;
			}
			/* The CR was not part of a CRLF: it stays in the line as data. */
			parser->line_violations |= REPLY_V_BARE_CR;
			line_add_byte(parser, '\r');
		}
		switch (c) {
		case '\r':
			parser->cr_pending = true;
			break;
		case '\n':
			parser->line_violations |= REPLY_V_BARE_LF;
			line_end(parser);
			break;
		case '\0':
			parser->line_violations |= REPLY_V_NUL;
			line_add_byte(parser, c);
			break;
		default:
			if (c >= 0x80 && !parser->utf8)
				parser->line_violations |= REPLY_V_NON_ASCII;
			line_add_byte(parser, c);
			break;
		}
	}
}

struct reply *
reply_parser_next(struct reply_parser *parser)
{
	struct reply *reply;

	if (parser->queue_head == parser->queue_len)
		return NULL;
	reply = parser->queue[parser->queue_head++];
	if (parser->queue_head == parser->queue_len) {
		parser->queue_head = 0;
		parser->queue_len = 0;
	}
	return reply;
}

bool
reply_parser_pending(const struct reply_parser *parser)
{
	return parser->open != NULL || parser->line_wire > 0;
}

struct reply *
reply_parser_finish(struct reply_parser *parser)
{
	if (parser->line_wire > 0) {
		/* A line cut off by the close: a CR left waiting is a bare CR. */
		if (parser->cr_pending) {
			parser->cr_pending = false;
			parser->line_violations |= REPLY_V_BARE_CR;
			line_add_byte(parser, '\r');
		}
		/* The line's end never arrived: whatever reply it joins is marked. */
		parser->line_violations |= REPLY_V_TRUNCATED;
		line_end(parser);
	}
	if (parser->open != NULL) {
		parser->open->violations |= REPLY_V_TRUNCATED;
		queue_push(parser, parser->open);
		parser->open = NULL;
		parser->open_alloc = 0;
	}
	return reply_parser_next(parser);
}

size_t
reply_parser_reset(struct reply_parser *parser)
{
	size_t dropped = parser->line_wire;
	struct reply *reply;

	if (parser->open != NULL) {
		dropped += parser->open->wire_len;
		reply_free(parser->open);
		parser->open = NULL;
		parser->open_alloc = 0;
	}
	while ((reply = reply_parser_next(parser)) != NULL) {
		dropped += reply->wire_len;
		reply_free(reply);
	}
	line_reset(parser);
	parser->cr_pending = false;
	return dropped;
}

/* Where the text of a line starts: after the code and its separator, or 0 without a code. */
static size_t
line_text_offset(const struct reply_line *line)
{
	if (line->violations & REPLY_V_BAD_CODE || line->len < 3)
		return 0;
	if (line->len > 3 && (line->raw[3] == ' ' || line->raw[3] == '-'))
		return 4;
	return 3;
}

const char *
reply_line_text(const struct reply *reply, size_t i)
{
	const struct reply_line *line;

	if (reply == NULL || i >= reply->nlines)
		return "";
	line = &reply->lines[i];
	return line->raw + line_text_offset(line);
}

size_t
reply_line_text_len(const struct reply *reply, size_t i)
{
	const struct reply_line *line;

	if (reply == NULL || i >= reply->nlines)
		return 0;
	line = &reply->lines[i];
	return line->len - line_text_offset(line);
}

bool
reply_line_is_continuation(const struct reply *reply, size_t i)
{
	const struct reply_line *line;

	if (reply == NULL || i >= reply->nlines)
		return false;
	line = &reply->lines[i];
	return !(line->violations & REPLY_V_BAD_CODE) && line->len > 3 && line->raw[3] == '-';
}

int
reply_class(const struct reply *reply)
{
	if (reply == NULL || reply->code < 200 || reply->code > 599)
		return 0;
	return reply->code / 100;
}

static const struct {
	enum reply_violation bit;
	const char *key;
	const char *name;
} violation_table[REPLY_V_COUNT] = {
	{ REPLY_V_CODE_MISMATCH, "code-mismatch", "different codes inside one multiline reply" },
	{ REPLY_V_NO_SEPARATOR, "no-separator", "no space or hyphen after the reply code" },
	{ REPLY_V_BAD_CODE, "bad-code", "not a valid three-digit reply code (2xx to 5xx)" },
	{ REPLY_V_BARE_LF, "bare-lf", "bare LF line ending (CRLF expected)" },
	{ REPLY_V_BARE_CR, "bare-cr", "bare CR not followed by LF" },
	{ REPLY_V_NUL, "nul", "NUL byte in a reply line" },
	{ REPLY_V_LINE_TOO_LONG, "line-too-long", "reply line over 512 octets" },
	{ REPLY_V_NON_ASCII, "non-ascii", "8-bit bytes without SMTPUTF8" },
	{ REPLY_V_TRUNCATED, "truncated", "truncated: too long, too many lines, or cut off" },
};

const char *
reply_violation_name(enum reply_violation violation)
{
	size_t i;

	for (i = 0; i < REPLY_V_COUNT; i++)
		if (violation_table[i].bit == violation)
			return violation_table[i].name;
	return "unknown violation";
}

const char *
reply_violation_key(enum reply_violation violation)
{
	size_t i;

	for (i = 0; i < REPLY_V_COUNT; i++)
		if (violation_table[i].bit == violation)
			return violation_table[i].key;
	return "unknown";
}

unsigned
reply_violation_from_key(const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < REPLY_V_COUNT; i++)
		if (strlen(violation_table[i].key) == len &&
		    memcmp(violation_table[i].key, key, len) == 0)
			return violation_table[i].bit;
	return 0;
}
