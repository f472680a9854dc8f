/* transcript_load.c: reading a saved transcript back (the format in transcript_internal.h):
 * the line parser capture's reader shares, the rebuilding of replies, and the load errors. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util/escape.h"
#include "core/proto/reply.h"
#include "core/record/transcript.h"
#include "core/record/transcript_internal.h"
#include "core/util/xmalloc.h"

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
	if (digits == 0 || len - i != 8 || s[i] != '.' ||
	    !transcript_read_digits(s + i + 1, 3, &frac) || memcmp(s + i + 4, " ms)", 4) != 0)
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
		const struct transcript_entry *e = transcript_entry(l->t, l->group[i].entry);

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
		transcript_store_reply(l->t, r, entries, 0, a != NULL ? a->after : NULL,
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
	if (!transcript_parse_time(line, len, &a->time_us)) {
		line_error(&error, "bad time stamp (expected e.g. 2026-11-26T19:40:01.123456Z)");
		goto bad;
	}
	if (len < TRANSCRIPT_TIME_LEN + 2 || line[TRANSCRIPT_TIME_LEN] != ' ') {
		line_error(&error, "expected a space and a mark (C: S: * ! E i) after the time");
		goto bad;
	}
	mark = line + TRANSCRIPT_TIME_LEN + 1;
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
