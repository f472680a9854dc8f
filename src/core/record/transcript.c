/* transcript.c: the record of a session (lines sent and received, events, times, each reply's
 * latency), kept compactly in memory and saved as plain text that a person can read and that
 * transcript_load reads back to the same bytes.
 *
 * The file format (version 1):
 *
 *   # smtpscope transcript 1
 *   # Each line: UTC time, a mark ... (three comment lines saying how to read the file)
 *   2026-11-26T19:40:01.123456Z * connected to 127.0.0.1:2525<TAB>event="connected"
 *   2026-11-26T19:40:01.130000Z S: 220 mx.example.org ESMTP<TAB>(+6.544 ms) after="greeting"
 *   2026-11-26T19:40:02.000000Z C: EHLO me
 *   2026-11-26T19:40:02.012300Z S: 250-mx.example.org
 *   2026-11-26T19:40:02.012300Z S: 250 PIPELINING<TAB>(+12.300 ms) after="EHLO" state="greeting"
 *   2026-11-26T19:40:03.000000Z C: AUTH PLAIN ********<TAB>masked
 *
 * - The first line is exactly "# smtpscope transcript 1". Other lines starting with '#' are
 *   comments; empty lines are skipped; a line may end in LF or CRLF.
 * - An entry is: a UTC time stamp with microseconds, one space, a mark, then (unless the text is
 *   empty) one space and the text, then optionally a TAB and annotations. Marks: "C:" sent,
 *   "S:" received, "*" event, "!" warning, "E" error, "i" information.
 * - The text is escaped so the file is safe to cat and loads back to the exact bytes: every
 *   byte outside printable ASCII is written as \r \n \t \0 or \xHH, a backslash as \\, and a
 *   space at the very end of the text as \x20 (so editors that strip trailing spaces do no harm).
 *   A raw TAB therefore only ever starts the annotations.
 * - Annotations, separated by spaces:
 *     masked              the text was masked because it carried a secret (password, AUTH data)
 *     event="KEY"         the knowledge-base key of an event, warning or error
 *     (+12.345 ms)        on the last line of a reply: the reply is complete here, and its
 *     (latency unknown)   latency from the command that drew it (exact to the microsecond)
 *     after="VERB"        what drew the reply: a verb or a reply context's key ("greeting",
 *                         "DATA-END": session_outcome_key); state="KEY" the session state then
 *                         (a session_state_key such as "after-ehlo"; files saved before
 *                         states had keys hold words such as "after EHLO", read the same)
 *     lines=N             the reply really had N lines (the ones in between were not kept)
 *     violations=a,b      the reply's protocol violations (keys of reply_violation_key, or
 *                         "none"); when present, each line's own are given by
 *     line-violations=a,b on that line
 *     full=N              this line really had N bytes; only the first ones were kept
 *     no-reply            a received line that belongs to no reply
 *   Quoted values use the same escapes as the text, plus \" for a quote.
 * - Replies are rebuilt on loading by feeding the S: lines through the reply parser; a reply
 *   ends where the parser says it does or at a latency annotation, whichever comes first. The
 *   saved annotations then restore what the kept bytes alone cannot tell (latency, command,
 *   state, dropped lines and bytes, violations such as a bare LF). A hand-written file without
 *   annotations loads too: its replies simply have no latency. (A loaded reply's wire_len
 *   counts its kept lines with a CRLF each: the bytes on the wire are not all in the file.)
 *
 * Memory: entries sit in fixed-size blocks (they never move), and every text, reply and line
 * array goes into a chunked arena, so a million-line transcript costs about its entries (32
 * bytes each) plus its text, with no allocation per field. A reply's lines share the bytes of
 * their entries (a kept line adds only its 16-byte struct reply_line); only the struct reply
 * itself stays a separate allocation, so that the pointer a caller handed over stays valid. */
#include "config.h"

#include <errno.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util/clock.h"
#include "core/util/escape.h"
#include "core/proto/reply.h"
#include "core/record/transcript.h"
#include "core/util/xmalloc.h"

#define TRANSCRIPT_MAGIC "# smtpscope transcript 1"
#define ENTRY_BLOCK 4096                 /* entries per block */
#define REPLY_BLOCK 1024                 /* replies per block */
#define ARENA_CHUNK ((size_t)64 * 1024)  /* bytes per arena chunk */
#define INTERN_MAX 64                    /* distinct after/state/event strings shared */

/* Times the file format can hold (years 0000 to 9999), and latencies up to about 31 years. */
#define TIME_MIN INT64_C(-62167219200000000)   /* 0000-01-01T00:00:00.000000Z */
#define TIME_MAX INT64_C(253402300799999999)   /* 9999-12-31T23:59:59.999999Z */
#define LATENCY_MAX INT64_C(999999999999999)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used;
	size_t size;
	/* data follows, aligned like max_align_t */
};

struct transcript {
	struct transcript_entry **entry_blocks;
	size_t nentries;
	size_t entry_blocks_alloc;

	struct transcript_reply **reply_blocks;
	size_t nreplies;
	size_t reply_blocks_alloc;

	struct arena_chunk *chunks;  /* the first one is the one being filled */
	size_t arena_bytes;

	const char *interned[INTERN_MAX];
	size_t ninterned;
};

/* ---- storage ---- */

static size_t
chunk_header_size(void)
{
	size_t a = alignof(max_align_t);

	return (sizeof(struct arena_chunk) + a - 1) / a * a;
}

static void *
arena_alloc(struct transcript *t, size_t size, size_t align)
{
	struct arena_chunk *c = t->chunks;
	size_t header = chunk_header_size(), at;

	if (size == 0)
		size = 1;
	if (c != NULL) {
		at = (c->used + align - 1) / align * align;
		if (at <= c->size && size <= c->size - at) {
			c->used = at + size;
			return (char *)c + header + at;
		}
	}
	if (size > ARENA_CHUNK / 4) {
		/* A big piece gets a chunk of its own, behind the one being filled. */
		struct arena_chunk *big = xmalloc(header + size);

		big->size = size;
		big->used = size;
		t->arena_bytes += header + size;
		if (c != NULL) {
			big->next = c->next;
			c->next = big;
		} else {
			big->next = NULL;
			t->chunks = big;
		}
		return (char *)big + header;
	}
	c = xmalloc(header + ARENA_CHUNK);
	c->size = ARENA_CHUNK;
	c->used = size;
	c->next = t->chunks;
	t->chunks = c;
	t->arena_bytes += header + ARENA_CHUNK;
	return (char *)c + header;
}

static char *
arena_strndup(struct transcript *t, const char *s, size_t len)
{
	char *copy = arena_alloc(t, len + 1, 1);

	if (len > 0)
		memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

/* Small strings that repeat (commands, states, event keys) are stored once. */
static const char *
intern(struct transcript *t, const char *s)
{
	size_t i;
	char *copy;

	if (s == NULL)
		return NULL;
	for (i = 0; i < t->ninterned; i++)
		if (strcmp(t->interned[i], s) == 0)
			return t->interned[i];
	copy = arena_strndup(t, s, strlen(s));
	if (t->ninterned < INTERN_MAX)
		t->interned[t->ninterned++] = copy;
	return copy;
}

static struct transcript_entry *
entry_at(const struct transcript *t, size_t i)
{
	return &t->entry_blocks[i / ENTRY_BLOCK][i % ENTRY_BLOCK];
}

static struct transcript_reply *
reply_at(const struct transcript *t, size_t i)
{
	return &t->reply_blocks[i / REPLY_BLOCK][i % REPLY_BLOCK];
}

static struct transcript_entry *
entry_new(struct transcript *t, size_t *index)
{
	size_t block = t->nentries / ENTRY_BLOCK;

	if (t->nentries % ENTRY_BLOCK == 0) {
		if (block == t->entry_blocks_alloc) {
			t->entry_blocks_alloc = t->entry_blocks_alloc ? t->entry_blocks_alloc * 2 : 4;
			t->entry_blocks = xreallocarray(t->entry_blocks, t->entry_blocks_alloc,
			    sizeof *t->entry_blocks);
		}
		t->entry_blocks[block] = xreallocarray(NULL, ENTRY_BLOCK,
		    sizeof(struct transcript_entry));
	}
	*index = t->nentries++;
	return entry_at(t, *index);
}

static struct transcript_reply *
reply_new(struct transcript *t, size_t *index)
{
	size_t block = t->nreplies / REPLY_BLOCK;

	if (t->nreplies % REPLY_BLOCK == 0) {
		if (block == t->reply_blocks_alloc) {
			t->reply_blocks_alloc = t->reply_blocks_alloc ? t->reply_blocks_alloc * 2 : 4;
			t->reply_blocks = xreallocarray(t->reply_blocks, t->reply_blocks_alloc,
			    sizeof *t->reply_blocks);
		}
		t->reply_blocks[block] = xreallocarray(NULL, REPLY_BLOCK,
		    sizeof(struct transcript_reply));
	}
	/* An entry keeps the index in 32 bits; the last value means "no reply". */
	if (t->nreplies >= TRANSCRIPT_NO_REPLY)
		abort();
	*index = t->nreplies++;
	return reply_at(t, *index);
}

struct transcript *
transcript_new(void)
{
	return xcalloc(1, sizeof(struct transcript));
}

void
transcript_free(struct transcript *t)
{
	struct arena_chunk *c, *next;
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nreplies; i++)
		free(reply_at(t, i)->reply);  /* its lines are in the arena */
	for (i = 0; i * ENTRY_BLOCK < t->nentries; i++)
		free(t->entry_blocks[i]);
	free(t->entry_blocks);
	for (i = 0; i * REPLY_BLOCK < t->nreplies; i++)
		free(t->reply_blocks[i]);
	free(t->reply_blocks);
	for (c = t->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(t);
}

size_t
transcript_add_at(struct transcript *t, int64_t time_us, enum transcript_kind kind,
    const char *text, size_t len, const char *event, bool secret)
{
	size_t index;
	struct transcript_entry *e = entry_new(t, &index);

	e->time_us = time_us < TIME_MIN ? TIME_MIN : time_us > TIME_MAX ? TIME_MAX : time_us;
	e->kind = kind;
	if (text == NULL)
		len = 0;
	else if (len > TRANSCRIPT_TEXT_MAX)
		len = TRANSCRIPT_TEXT_MAX;
	e->text = arena_strndup(t, text != NULL ? text : "", len);
	e->len = len;
	e->reply = TRANSCRIPT_NO_REPLY;
	e->event = intern(t, event);
	e->secret = secret;
	return index;
}

size_t
transcript_add(struct transcript *t, enum transcript_kind kind, const char *text, size_t len,
    const char *event, bool secret)
{
	return transcript_add_at(t, clock_wall_us(), kind, text, len, event, secret);
}

/* Moves a parsed reply into the transcript's storage. Its lines become RECEIVED entries unless
 * entries (one per line, already added) are given; times gives each new line's time. */
static size_t
store_reply(struct transcript *t, struct reply *reply, const size_t *entries, int64_t time_us,
    const char *after, const char *state, int64_t latency_us)
{
	size_t index, i;
	struct transcript_reply *tr = reply_new(t, &index);
	struct reply_line *lines = NULL;

	/* The reply struct itself stays where it is, so a caller's pointer to it stays good; its
	 * lines move into the arena and share their bytes with the entries. */
	if (reply->nlines > 0)
		lines = arena_alloc(t, reply->nlines * sizeof *lines, alignof(struct reply_line));
	for (i = 0; i < reply->nlines; i++) {
		size_t e = entries != NULL ? entries[i] :
		    transcript_add_at(t, time_us, TRANSCRIPT_RECEIVED, reply->lines[i].raw,
		        reply->lines[i].len, NULL, false);
		struct transcript_entry *entry = entry_at(t, e);

		entry->reply = index;
		lines[i] = reply->lines[i];
		lines[i].raw = entry->text;
		free(reply->lines[i].raw);
		if (i == 0)
			tr->first_entry = e;
		tr->last_entry = e;
	}
	if (reply->nlines == 0)
		tr->first_entry = tr->last_entry = TRANSCRIPT_NO_REPLY;
	free(reply->lines);
	reply->lines = lines;
	tr->reply = reply;
	tr->after = (char *)intern(t, after);
	tr->state = (char *)intern(t, state);
	tr->latency_us = latency_us < 0 ? -1 : latency_us > LATENCY_MAX ? LATENCY_MAX : latency_us;
	return index;
}

size_t
transcript_add_reply_at(struct transcript *t, int64_t time_us, struct reply *reply,
    const char *after, const char *state, int64_t latency_us)
{
	return store_reply(t, reply, NULL, time_us, after, state, latency_us);
}

size_t
transcript_add_reply(struct transcript *t, struct reply *reply, const char *after,
    const char *state, int64_t latency_us)
{
	return store_reply(t, reply, NULL, clock_wall_us(), after, state, latency_us);
}

size_t
transcript_count(const struct transcript *t)
{
	return t->nentries;
}

const struct transcript_entry *
transcript_entry(const struct transcript *t, size_t i)
{
	return i < t->nentries ? entry_at(t, i) : NULL;
}

size_t
transcript_reply_count(const struct transcript *t)
{
	return t->nreplies;
}

const struct transcript_reply *
transcript_reply(const struct transcript *t, size_t i)
{
	return i < t->nreplies ? reply_at(t, i) : NULL;
}

size_t
transcript_memory(const struct transcript *t)
{
	size_t entry_blocks = (t->nentries + ENTRY_BLOCK - 1) / ENTRY_BLOCK;
	size_t reply_blocks = (t->nreplies + REPLY_BLOCK - 1) / REPLY_BLOCK;

	return sizeof *t + t->arena_bytes + t->nreplies * sizeof(struct reply) +
	    entry_blocks * ENTRY_BLOCK * sizeof(struct transcript_entry) +
	    reply_blocks * REPLY_BLOCK * sizeof(struct transcript_reply) +
	    (t->entry_blocks_alloc + t->reply_blocks_alloc) * sizeof(void *);
}

/* ---- time stamps ---- */

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian calendar). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void
format_time(int64_t us, char out[48])
{
	int64_t secs = floor_div(us, 1000000), days = floor_div(secs, 86400), y;
	int64_t frac = us - secs * 1000000, sod = secs - days * 86400;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(out, 48, "%04lld-%02u-%02uT%02u:%02u:%02u.%06lldZ", (long long)y, m, d,
	    (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60),
	    (long long)frac);
}

static bool
read_digits(const char *s, size_t n, unsigned *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*out = *out * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

#define TIME_LEN 27  /* 2026-11-26T19:40:01.123456Z */

static bool
parse_time(const char *s, size_t len, int64_t *us)
{
	unsigned year, mon, day, hour, min, sec, frac, ry;
	int64_t days, cy;
	unsigned cm, cd;

	if (len < TIME_LEN || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != '.' || s[26] != 'Z')
		return false;
	if (!read_digits(s, 4, &year) || !read_digits(s + 5, 2, &mon) ||
	    !read_digits(s + 8, 2, &day) || !read_digits(s + 11, 2, &hour) ||
	    !read_digits(s + 14, 2, &min) || !read_digits(s + 17, 2, &sec) ||
	    !read_digits(s + 20, 6, &frac))
		return false;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59)
		return false;
	days = days_from_civil(year, mon, day);
	civil_from_days(days, &cy, &cm, &cd);
	ry = (unsigned)cy;
	if (ry != year || cm != mon || cd != day)
		return false;  /* 31 April and the like */
	*us = ((days * 86400 + hour * 3600 + min * 60 + sec) * 1000000) + frac;
	return true;
}

/* ---- saving ---- */

static const char *
kind_mark(enum transcript_kind kind)
{
	switch (kind) {
	case TRANSCRIPT_SENT:
		return "C:";
	case TRANSCRIPT_RECEIVED:
		return "S:";
	case TRANSCRIPT_EVENT:
		return "*";
	case TRANSCRIPT_WARNING:
		return "!";
	case TRANSCRIPT_ERROR:
		return "E";
	case TRANSCRIPT_INFO:
		return "i";
	}
	return "?";
}

/* Writes bytes escaped as the file format says; quoted also escapes '"'; the last byte of a
 * text, when a space, is escaped so trailing white space survives editors. */
static void
write_escaped(FILE *fp, const char *s, size_t len, bool quoted)
{
	escape_write(fp, s, len, ESCAPE_NAMED | ESCAPE_NUL |
	    (quoted ? ESCAPE_QUOTE : ESCAPE_END_SPACE));
}

/* Starts one annotation: a TAB before the first, a space before the others. */
static void
annotation(FILE *fp, bool *first)
{
	fputc(*first ? '\t' : ' ', fp);
	*first = false;
}

static void
write_quoted(FILE *fp, bool *first, const char *key, const char *value)
{
	annotation(fp, first);
	fprintf(fp, "%s=\"", key);
	write_escaped(fp, value, strlen(value), true);
	fputc('"', fp);
}

static void
write_violations(FILE *fp, bool *first, const char *key, unsigned violations)
{
	unsigned bit;
	bool any = false;

	annotation(fp, first);
	fprintf(fp, "%s=", key);
	for (bit = 1; bit < (1u << REPLY_V_COUNT); bit <<= 1) {
		if (!(violations & bit))
			continue;
		fprintf(fp, "%s%s", any ? "," : "", reply_violation_key((enum reply_violation)bit));
		any = true;
	}
	if (!any)
		fputs("none", fp);
}

/* True when loading the saved lines back would not by itself give this reply's violations:
 * the loader re-parses the lines, which finds others when 8-bit bytes were read while SMTPUTF8
 * was in force, or when a loaded file said "violations=none" of lines that break the rules.
 * Then the saved set must be explicit. The lines are re-parsed here exactly as the loader
 * will (with the loader's limits), so what is saved always loads back the same. */
static bool
violations_implicit(const struct reply *r)
{
	struct reply_limits limits = { (size_t)-1 / 4, (size_t)-1 / 4 };
	struct reply_parser *p;
	struct reply *again;
	bool same;
	size_t i;

	if (r->violations != 0)
		return false;
	p = reply_parser_new(&limits);
	for (i = 0; i < r->nlines; i++) {
		reply_parser_feed(p, r->lines[i].raw, r->lines[i].len);
		reply_parser_feed(p, "\r\n", 2);
	}
	again = reply_parser_next(p);
	if (again == NULL)
		again = reply_parser_finish(p);
	same = again != NULL && again->violations == 0 && again->nlines == r->nlines;
	for (i = 0; same && i < r->nlines; i++)
		same = again->lines[i].violations == r->lines[i].violations;
	reply_free(again);
	reply_parser_free(p);
	return same;
}

int
transcript_write(const struct transcript *t, FILE *fp, char **errstr)
{
	size_t i, line_index = 0, current = TRANSCRIPT_NO_REPLY;
	char stamp[48];

	fputs(TRANSCRIPT_MAGIC "\n"
	    "# Each line: UTC time, a mark (C: sent, S: received, * event, ! warning, E error,\n"
	    "# i info), the text with odd bytes as \\xHH; after a TAB, notes: a reply's (+latency),\n"
	    "# masked (a secret was hidden), and what the bytes alone cannot tell.\n", fp);
	for (i = 0; i < t->nentries; i++) {
		const struct transcript_entry *e = entry_at(t, i);
		bool first = true;

		format_time(e->time_us, stamp);
		fprintf(fp, "%s %s", stamp, kind_mark(e->kind));
		if (e->len > 0) {
			fputc(' ', fp);
			write_escaped(fp, e->text, e->len, false);
		}
		if (e->secret) {
			annotation(fp, &first);
			fputs("masked", fp);
		}
		if (e->event != NULL)
			write_quoted(fp, &first, "event", e->event);
		if (e->kind == TRANSCRIPT_RECEIVED && e->reply == TRANSCRIPT_NO_REPLY) {
			annotation(fp, &first);
			fputs("no-reply", fp);
		} else if (e->kind == TRANSCRIPT_RECEIVED && e->reply < t->nreplies) {
			const struct transcript_reply *tr = reply_at(t, e->reply);
			const struct reply *r = tr->reply;
			const struct reply_line *line;

			if (e->reply != current) {
				current = e->reply;
				line_index = 0;
			}
			line = line_index < r->nlines ? &r->lines[line_index] : NULL;
			line_index++;
			if (i == tr->last_entry) {
				annotation(fp, &first);
				if (tr->latency_us >= 0)
					fprintf(fp, "(+%lld.%03lld ms)",
					    (long long)(tr->latency_us / 1000),
					    (long long)(tr->latency_us % 1000));
				else
					fputs("(latency unknown)", fp);
				if (tr->after != NULL)
					write_quoted(fp, &first, "after", tr->after);
				if (tr->state != NULL)
					write_quoted(fp, &first, "state", tr->state);
				if (r->lines_total != r->nlines) {
					annotation(fp, &first);
					fprintf(fp, "lines=%zu", r->lines_total);
				}
				if (!violations_implicit(r))
					write_violations(fp, &first, "violations", r->violations);
			}
			if (line != NULL && line->full_len != line->len) {
				annotation(fp, &first);
				fprintf(fp, "full=%zu", (size_t)line->full_len);
			}
			if (line != NULL && line->violations != 0)
				write_violations(fp, &first, "line-violations", line->violations);
		}
		fputc('\n', fp);
	}
	if (fflush(fp) != 0 || ferror(fp)) {
		*errstr = xasprintf("cannot write the transcript: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
transcript_save(const struct transcript *t, const char *path, char **errstr)
{
	FILE *fp = fopen(path, "w");
	int rc;

	if (fp == NULL) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	rc = transcript_write(t, fp, errstr);
	if (fclose(fp) != 0 && rc == 0) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc != 0 && *errstr != NULL && strncmp(*errstr, path, strlen(path)) != 0) {
		char *msg = xasprintf("%s: %s", path, *errstr);

		free(*errstr);
		*errstr = msg;
	}
	return rc;
}

/* ---- loading ---- */


/* A received line waiting for its reply to complete. */
struct group_line {
	size_t entry;
	size_t full;
	bool has_full;
	unsigned violations;
};

struct loader {
	struct transcript *t;
	const char *name;
	size_t lineno;
	bool saw_magic;
	char *error;

	struct reply_parser *parser;
	struct group_line *group;     /* received lines of the reply being rebuilt */
	size_t ngroup, group_alloc;
	size_t group_start;           /* file line where it began, for messages */

	struct transcript_line line;  /* the line being read (its buffer reused) */
};

static void
load_error(struct loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
line_error(char **error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What is wrong with one line, without the file and line number (the first problem only). */
static void
line_error(char **error, const char *fmt, ...)
{
	va_list ap;

	if (*error != NULL)
		return;
	va_start(ap, fmt);
	*error = xvasprintf(fmt, ap);
	va_end(ap);
}

static void
load_error(struct loader *l, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (l->error != NULL)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	l->error = xasprintf("%s:%zu: %s", l->name, l->lineno, msg);
	free(msg);
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescapes s[0..len) into out (at least len bytes); stops at stop (a quote) when quoted.
 * Returns the bytes written, sets *used to the input consumed, or returns -1 on a bad escape
 * or a raw control character. */
static long
unescape(char **error, const char *s, size_t len, char *out, bool quoted, size_t *used)
{
	size_t i = 0, n = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if (quoted && c == '"')
			break;
		if (c < 0x20 || c == 0x7f) {
			line_error(error, "unescaped control character 0x%02x", c);
			return -1;
		}
		if (c != '\\') {
			out[n++] = (char)c;
			i++;
			continue;
		}
		if (i + 1 >= len) {
			line_error(error, "backslash at the end of the text");
			return -1;
		}
		switch (s[i + 1]) {
		case '\\':
			out[n++] = '\\';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case '0':
			out[n++] = '\0';
			break;
		case '"':
			out[n++] = '"';
			break;
		case 'x':
			if (i + 3 >= len || hex_value(s[i + 2]) < 0 || hex_value(s[i + 3]) < 0) {
				line_error(error, "\\x must be followed by two hex digits");
				return -1;
			}
			out[n++] = (char)(hex_value(s[i + 2]) * 16 + hex_value(s[i + 3]));
			i += 2;
			break;
		default:
			line_error(error, "unknown escape \\%c", s[i + 1] >= 0x20 && s[i + 1] < 0x7f ?
			    s[i + 1] : '?');
			return -1;
		}
		i += 2;
	}
	*used = i;
	return (long)n;
}

static bool
parse_size(const char *s, size_t len, size_t *out)
{
	size_t i, v = 0;

	if (len == 0 || len > 18)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

static bool
parse_violations(const char *s, size_t len, unsigned *out)
{
	size_t start = 0, i;

	*out = 0;
	if (len == 4 && memcmp(s, "none", 4) == 0)
		return true;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != ',')
			continue;
		{
			unsigned bit = reply_violation_from_key(s + start, i - start);

			if (bit == 0)
				return false;
			*out |= bit;
		}
		start = i + 1;
	}
	return true;
}

/* "(+12.345 ms)" */
static bool
parse_latency(const char *s, size_t len, int64_t *us)
{
	size_t i = 2, digits = 0;
	int64_t ms = 0;
	unsigned frac;

	if (len < 2 || s[0] != '(' || s[1] != '+')
		return false;
	while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 15) {
		ms = ms * 10 + (s[i] - '0');
		i++;
		digits++;
	}
	if (digits == 0 || len - i != 8 || s[i] != '.' || !read_digits(s + i + 1, 3, &frac) ||
	    memcmp(s + i + 4, " ms)", 4) != 0)
		return false;
	*us = ms * 1000 + frac;
	return true;
}

/* Forgets what the last line said, keeping the text buffer for the next. */
static void
line_reset(struct transcript_line *a)
{
	free(a->event);
	free(a->after);
	free(a->state);
	a->event = a->after = a->state = NULL;
	a->masked = a->no_reply = a->reply_end = false;
	a->latency_us = -1;
	a->has_full = a->has_lines = a->has_violations = a->has_line_violations = false;
	a->full = a->lines = 0;
	a->violations = a->line_violations = 0;
	a->len = 0;
}

void
transcript_line_release(struct transcript_line *a)
{
	line_reset(a);
	free(a->text);
	memset(a, 0, sizeof *a);
}

bool
transcript_is_magic(const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return len == strlen(TRANSCRIPT_MAGIC) && memcmp(line, TRANSCRIPT_MAGIC, len) == 0;
}

/* Parses the annotations after the TAB. Returns false (with the error set) when malformed. */
static bool
parse_annotations(char **error, const char *s, size_t len, struct transcript_line *a)
{
	size_t i = 0;

	while (i < len) {
		const char *tok = s + i, *eq;
		size_t tlen, klen;

		if (s[i] == ' ') {
			i++;
			continue;
		}
		if (s[i] == '(') {
			const char *close = memchr(tok, ')', len - i);

			if (close == NULL) {
				line_error(error, "unclosed '(' in the annotations");
				return false;
			}
			tlen = (size_t)(close - tok) + 1;
			if (tlen == 17 && memcmp(tok, "(latency unknown)", 17) == 0) {
				a->latency_us = -1;
			} else if (!parse_latency(tok, tlen, &a->latency_us)) {
				line_error(error, "bad latency (expected like (+12.345 ms))");
				return false;
			}
			if (a->reply_end) {
				line_error(error, "two latencies on one line");
				return false;
			}
			a->reply_end = true;
			i += tlen;
			continue;
		}
		/* key or key=value, up to the next space outside quotes */
		for (tlen = 0; i + tlen < len && s[i + tlen] != ' ' && s[i + tlen] != '='; tlen++)
			;
		klen = tlen;
		eq = i + klen < len && s[i + klen] == '=' ? s + i + klen : NULL;
		if (eq == NULL) {
			if (klen == 6 && memcmp(tok, "masked", 6) == 0)
				a->masked = true;
			else if (klen == 8 && memcmp(tok, "no-reply", 8) == 0)
				a->no_reply = true;
			else {
				line_error(error, "unknown annotation '%.*s'", (int)(klen > 40 ? 40 : klen),
				    tok);
				return false;
			}
			i += klen;
			continue;
		}
		i += klen + 1;
		if (i < len && s[i] == '"') {
			/* A quoted string value. */
			char *value = xmalloc(len - i + 1), **slot = NULL;
			size_t used;
			long n = unescape(error, s + i + 1, len - i - 1, value, true, &used);

			if (n < 0 || i + 1 + used >= len || s[i + 1 + used] != '"') {
				if (n >= 0)
					line_error(error, "unterminated quoted value");
				free(value);
				return false;
			}
			value[n] = '\0';
			if (klen == 5 && memcmp(tok, "event", 5) == 0)
				slot = &a->event;
			else if (klen == 5 && memcmp(tok, "after", 5) == 0)
				slot = &a->after;
			else if (klen == 5 && memcmp(tok, "state", 5) == 0)
				slot = &a->state;
			if (slot == NULL || *slot != NULL || memchr(value, '\0', (size_t)n) != NULL) {
				line_error(error, slot == NULL ? "unknown annotation '%.*s'" :
				    "repeated or invalid annotation '%.*s'", (int)klen, tok);
				free(value);
				return false;
			}
			*slot = value;
			i += used + 2;
		} else {
			const char *v = s + i;
			size_t vlen = 0;
			bool ok;

			while (i + vlen < len && s[i + vlen] != ' ')
				vlen++;
			if (klen == 4 && memcmp(tok, "full", 4) == 0) {
				ok = !a->has_full && parse_size(v, vlen, &a->full);
				a->has_full = true;
			} else if (klen == 5 && memcmp(tok, "lines", 5) == 0) {
				ok = !a->has_lines && parse_size(v, vlen, &a->lines);
				a->has_lines = true;
			} else if (klen == 10 && memcmp(tok, "violations", 10) == 0) {
				ok = !a->has_violations && parse_violations(v, vlen, &a->violations);
				a->has_violations = true;
			} else if (klen == 15 && memcmp(tok, "line-violations", 15) == 0) {
				ok = !a->has_line_violations &&
				    parse_violations(v, vlen, &a->line_violations);
				a->has_line_violations = true;
			} else {
				line_error(error, "unknown annotation '%.*s'", (int)(klen > 40 ? 40 : klen),
				    tok);
				return false;
			}
			if (!ok) {
				line_error(error, "bad value for '%.*s'", (int)klen, tok);
				return false;
			}
			i += vlen;
		}
		if (i < len && s[i] != ' ') {
			line_error(error, "annotations must be separated by spaces");
			return false;
		}
	}
	return true;
}

static bool
parse_kind(const char *s, size_t len, enum transcript_kind *kind)
{
	static const struct {
		const char *mark;
		enum transcript_kind kind;
	} marks[] = {
		{ "C:", TRANSCRIPT_SENT }, { "S:", TRANSCRIPT_RECEIVED }, { "*", TRANSCRIPT_EVENT },
		{ "!", TRANSCRIPT_WARNING }, { "E", TRANSCRIPT_ERROR }, { "i", TRANSCRIPT_INFO },
	};
	size_t i;

	for (i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (strlen(marks[i].mark) == len && memcmp(marks[i].mark, s, len) == 0) {
			*kind = marks[i].kind;
			return true;
		}
	return false;
}

/* The parser has a complete reply for the lines gathered: check it matches them, restore what
 * the annotations say, and store it. a is the annotations of the reply's last line or NULL. */
static bool
group_close(struct loader *l, struct reply *r, const struct transcript_line *a)
{
	struct reply *extra = reply_parser_next(l->parser);
	size_t i;

	if (extra != NULL || r->nlines != l->ngroup) {
		reply_free(extra);
		reply_free(r);
		load_error(l, "the S: lines since line %zu do not form one reply", l->group_start);
		return false;
	}
	for (i = 0; i < r->nlines; i++) {
		const struct transcript_entry *e = entry_at(l->t, l->group[i].entry);

		if (r->lines[i].len != e->len || memcmp(r->lines[i].raw, e->text, e->len) != 0) {
			reply_free(r);
			load_error(l, "the S: lines since line %zu do not re-parse as saved",
			    l->group_start);
			return false;
		}
		if (l->group[i].has_full) {
			if (l->group[i].full < r->lines[i].len) {
				reply_free(r);
				load_error(l, "full= is shorter than the line (reply from line %zu)",
				    l->group_start);
				return false;
			}
			r->lines[i].full_len = l->group[i].full < REPLY_FULL_LEN_MAX ?
			    l->group[i].full : REPLY_FULL_LEN_MAX;
		}
	}
	if (a != NULL && a->has_lines) {
		if (a->lines < r->nlines) {
			reply_free(r);
			load_error(l, "lines= is smaller than the lines given");
			return false;
		}
		r->lines_total = a->lines;
	}
	if (a != NULL && a->has_violations) {
		r->violations = a->violations;
		for (i = 0; i < r->nlines; i++)
			r->lines[i].violations = l->group[i].violations;
	}
	{
		size_t *entries = xreallocarray(NULL, l->ngroup ? l->ngroup : 1, sizeof *entries);

		for (i = 0; i < l->ngroup; i++)
			entries[i] = l->group[i].entry;
		store_reply(l->t, r, entries, 0, a != NULL ? a->after : NULL,
		    a != NULL ? a->state : NULL, a != NULL && a->reply_end ? a->latency_us : -1);
		free(entries);
	}
	l->ngroup = 0;
	return true;
}

static bool
load_received(struct loader *l, size_t entry, const char *text, size_t len,
    const struct transcript_line *a)
{
	struct reply *r;
	struct group_line *g;

	if (a->no_reply)
		return true;
	if (l->ngroup == 0)
		l->group_start = l->lineno;
	if (l->ngroup == l->group_alloc) {
		l->group_alloc = l->group_alloc ? l->group_alloc * 2 : 16;
		l->group = xreallocarray(l->group, l->group_alloc, sizeof *l->group);
	}
	g = &l->group[l->ngroup++];
	g->entry = entry;
	g->has_full = a->has_full;
	g->full = a->full;
	g->violations = a->line_violations;
	reply_parser_feed(l->parser, text, len);
	reply_parser_feed(l->parser, "\r\n", 2);
	r = reply_parser_next(l->parser);
	if (r == NULL && a->reply_end)
		r = reply_parser_finish(l->parser);
	if (r == NULL) {
		if (a->has_lines || a->has_violations || a->after != NULL || a->state != NULL) {
			load_error(l, "reply annotations on a line that does not end a reply");
			return false;
		}
		return true;
	}
	return group_close(l, r, a->reply_end || a->has_violations || a->has_lines ||
	    a->after != NULL || a->state != NULL ? a : NULL);
}

int
transcript_line_parse(const char *line, size_t len, struct transcript_line *a, char **errstr)
{
	const char *mark, *text = NULL, *tab;
	size_t mark_len, text_len = 0, used;
	char *error = NULL;
	long n;

	line_reset(a);
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0 || line[0] == '#')
		return 0;
	if (!parse_time(line, len, &a->time_us)) {
		line_error(&error, "bad time stamp (expected e.g. 2026-11-26T19:40:01.123456Z)");
		goto bad;
	}
	if (len < TIME_LEN + 2 || line[TIME_LEN] != ' ') {
		line_error(&error, "expected a space and a mark (C: S: * ! E i) after the time");
		goto bad;
	}
	mark = line + TIME_LEN + 1;
	for (mark_len = 0; mark + mark_len < line + len && mark[mark_len] != ' ' &&
	    mark[mark_len] != '\t'; mark_len++)
		;
	if (!parse_kind(mark, mark_len, &a->kind)) {
		line_error(&error, "unknown mark '%.*s' (expected C: S: * ! E or i)",
		    (int)(mark_len > 8 ? 8 : mark_len), mark);
		goto bad;
	}
	tab = memchr(mark, '\t', (size_t)(line + len - mark));
	if (mark + mark_len < line + len && mark[mark_len] == ' ') {
		text = mark + mark_len + 1;
		text_len = (size_t)((tab != NULL ? tab : line + len) - text);
	}
	if (tab != NULL && !parse_annotations(&error, tab + 1, (size_t)(line + len - tab - 1), a))
		goto bad;
	if (a->kind != TRANSCRIPT_RECEIVED && (a->reply_end || a->no_reply || a->after ||
	    a->state || a->has_full || a->has_lines || a->has_violations ||
	    a->has_line_violations)) {
		line_error(&error, "reply annotations on a line that is not S:");
		goto bad;
	}
	if (a->kind == TRANSCRIPT_RECEIVED && a->no_reply && (a->reply_end || a->after ||
	    a->state || a->has_full || a->has_lines || a->has_violations ||
	    a->has_line_violations)) {
		line_error(&error, "reply annotations on a no-reply line");
		goto bad;
	}
	if (text_len + 1 > a->text_alloc) {
		a->text_alloc = text_len + 1;
		a->text = xreallocarray(a->text, a->text_alloc, 1);
	}
	n = unescape(&error, text != NULL ? text : "", text_len, a->text, false, &used);
	if (n < 0)
		goto bad;
	a->text[n] = '\0';
	a->len = (size_t)n;
	return 1;
bad:
	line_reset(a);
	if (errstr != NULL)
		*errstr = error;
	else
		free(error);
	return -1;
}

static bool
load_line(struct loader *l, const char *line, size_t len)
{
	struct transcript_line *a = &l->line;
	char *error = NULL;
	size_t entry;
	int rc;

	if (!l->saw_magic) {
		if (!transcript_is_magic(line, len)) {
			load_error(l, "not a smtpscope transcript (the first line must be \"%s\")",
			    TRANSCRIPT_MAGIC);
			return false;
		}
		l->saw_magic = true;
		return true;
	}
	rc = transcript_line_parse(line, len, a, &error);
	if (rc < 0) {
		load_error(l, "%s", error);
		free(error);
		return false;
	}
	if (rc == 0)
		return true;
	entry = transcript_add_at(l->t, a->time_us, a->kind, a->text, a->len, a->event, a->masked);
	if (a->kind == TRANSCRIPT_RECEIVED)
		return load_received(l, entry, a->text, a->len, a);
	return true;
}

static void
loader_init(struct loader *l, const char *name)
{
	/* Rebuilt replies keep every line and byte the file holds: the file itself is the cap. */
	struct reply_limits limits = { (size_t)-1 / 4, (size_t)-1 / 4 };

	memset(l, 0, sizeof *l);
	l->t = transcript_new();
	l->name = name != NULL ? name : "transcript";
	l->parser = reply_parser_new(&limits);
}

static struct transcript *
loader_done(struct loader *l, char **errstr)
{
	struct transcript *t = l->t;

	if (l->error == NULL && !l->saw_magic) {
		l->lineno = 1;
		load_error(l, "empty file, not a smtpscope transcript");
	}
	if (l->error == NULL && l->ngroup > 0) {
		/* The file ends inside a reply: keep it, as a cut-off reply. */
		struct reply *r = reply_parser_finish(l->parser);

		if (r != NULL)
			group_close(l, r, NULL);
	}
	reply_parser_free(l->parser);
	free(l->group);
	transcript_line_release(&l->line);
	if (l->error != NULL) {
		transcript_free(t);
		if (errstr != NULL)
			*errstr = l->error;
		else
			free(l->error);
		return NULL;
	}
	return t;
}

struct transcript *
transcript_load_buffer(const void *data, size_t len, const char *name, char **errstr)
{
	struct loader l;
	const char *p = data, *end = p + len;

	loader_init(&l, name);
	while (p < end && l.error == NULL) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl != NULL ? nl : end) - p);

		l.lineno++;
		load_line(&l, p, n);
		p += n + (nl != NULL);
	}
	return loader_done(&l, errstr);
}

struct transcript *
transcript_load_file(FILE *fp, const char *name, char **errstr)
{
	struct loader l;
	char *line = NULL;
	size_t alloc = 0;
	ssize_t n;

	loader_init(&l, name);
	while (l.error == NULL && (n = getline(&line, &alloc, fp)) >= 0) {
		l.lineno++;
		if (n > 0 && line[n - 1] == '\n')
			n--;
		load_line(&l, line, (size_t)n);
	}
	if (l.error == NULL && ferror(fp))
		load_error(&l, "read error: %s", strerror(errno));
	free(line);
	return loader_done(&l, errstr);
}

struct transcript *
transcript_load(const char *path, char **errstr)
{
	FILE *fp = fopen(path, "r");
	struct transcript *t;

	if (fp == NULL) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	t = transcript_load_file(fp, path, errstr);
	fclose(fp);
	return t;
}
