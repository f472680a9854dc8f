/* export.c: writes a session with its replies explained as plain text, Markdown or one
 * self-contained HTML file (how each format looks is in export_text.c, export_markdown.c and
 * export_html.c; the escaping of wire bytes in export_escape.c). This file decides what is
 * written when: the writer streams (nothing of the session is kept); explanations are looked
 * up once per (code, enhanced code, command, violations) and cached in a small fixed table,
 * because a long session repeats the same few replies over and over: the cache keeps annotate
 * fast and, in Markdown and HTML, lets a repeated explanation point back to the first one
 * instead of printing it again. It also walks whole transcripts and picks a format from a
 * file name. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/record/export_internal.h"
#include "core/util/xmalloc.h"

#define EXPORT_CACHE_FILL 384   /* entries kept at most; later keys are rendered each time */

/* ---- the explanation cache ---- */

/* A hash of the key taken eight bytes at a time: it runs once per reply, so a byte-at-a-time
 * loop shows in the profile of a long capture. */
static unsigned long
hash_key(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ n;

	while (n >= 8) {
		uint64_t v;

		memcpy(&v, s, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	if (n > 0) {
		uint64_t v = 0;

		memcpy(&v, s, n);
		h = (h ^ v) * 0xc4ceb9fe1a85ec53u;
		h ^= h >> 29;
	}
	return (unsigned long)h;
}

static struct cache_entry *
cache_find(struct export_writer *w, const char *key, size_t key_len, bool *found)
{
	unsigned long h = hash_key(key, key_len);
	size_t i = h & (EXPORT_CACHE_SIZE - 1), probes;

	*found = false;
	for (probes = 0; probes < EXPORT_CACHE_SIZE; probes++) {
		struct cache_entry *e = &w->cache[i];

		if (e->key == NULL) {
			e->hash = h;
			return w->cache_fill < EXPORT_CACHE_FILL ? e : NULL;
		}
		if (e->hash == h && e->key_len == key_len && memcmp(e->key, key, key_len) == 0) {
			*found = true;
			return e;
		}
		i = (i + 1) & (EXPORT_CACHE_SIZE - 1);
	}
	return NULL;
}

/* ---- lines ---- */

/* Opens (or closes) the block that wire lines sit in: a Markdown fence, an HTML div. */
static void
wire_block(struct export_writer *w, bool open)
{
	if (w->in_wire == open)
		return;
	w->in_wire = open;
	if (w->fmt->wire_block != NULL)
		w->fmt->wire_block(w, open);
}

static const char *
line_mark(enum export_line_kind kind)
{
	switch (kind) {
	case EXPORT_LINE_CLIENT:
	case EXPORT_LINE_BODY:
		return "C:";
	case EXPORT_LINE_SERVER:
		return "S:";
	case EXPORT_LINE_INFO:
		return "--";
	case EXPORT_LINE_WARNING:
		return "!";
	case EXPORT_LINE_ERROR:
		return "!!";
	case EXPORT_LINE_LOG:
	case EXPORT_LINE_OTHER:
		return "";
	}
	return "";
}

static void
format_time(struct export_writer *w, int64_t us, char *buf)
{
	int64_t secs = us / 1000000;
	int ms = (int)((us / 1000) % 1000);

	if (us < 0) {
		buf[0] = '\0';
		return;
	}
	/* Lines come many to the second: convert the second once. */
	if (secs != w->stamp_secs) {
		time_t t = (time_t)secs;
		struct tm tm;

		if (gmtime_r(&t, &tm) == NULL) {
			buf[0] = '\0';
			return;
		}
		snprintf(w->stamp_prefix, sizeof w->stamp_prefix, "%02d:%02d:%02d.", tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
		w->stamp_secs = secs;
	}
	memcpy(buf, w->stamp_prefix, 9);
	buf[9] = (char)('0' + ms / 100);
	buf[10] = (char)('0' + ms / 10 % 10);
	buf[11] = (char)('0' + ms % 10);
	buf[12] = '\0';
}

void
export_writer_line(struct export_writer *w, const struct export_line *line)
{
	const char *mark = line_mark(line->kind);
	size_t full = line->full_len > line->len ? line->full_len : line->len;
	char stamp[24];

	w->nlines++;
	format_time(w, line->time_us, stamp);
	if (w->opts.format != EXPORT_TEXT)
		wire_block(w, true);
	w->fmt->line(w, line, stamp, mark, full);
}

/* ---- explanations ---- */

/* Each line of a short detail, after sep. */
static void
detail_lines(struct export_writer *w, const char *detail, const char *sep, enum escape_mode mode)
{
	const char *p = detail;

	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t n = eol != NULL ? (size_t)(eol - p) : strlen(p);

		export_ob_puts(w->o, sep);
		export_put_escaped(w->o, p, n, mode, true, false);
		p = eol != NULL ? eol + 1 : p + n;
	}
}

static void
latency_text(int64_t latency_us, char *buf, size_t size)
{
	char digits[24];
	size_t n = 0, i = 0;
	int64_t ms = latency_us / 1000;

	if (latency_us < 0 || size < 32) {
		buf[0] = '\0';
		return;
	}
	/* "12.345 ms", by hand: it runs once per reply. */
	do
		digits[n++] = (char)('0' + ms % 10);
	while ((ms /= 10) > 0 && n < sizeof digits);
	while (n > 0)
		buf[i++] = digits[--n];
	buf[i++] = '.';
	buf[i++] = (char)('0' + latency_us % 1000 / 100);
	buf[i++] = (char)('0' + latency_us % 100 / 10);
	buf[i++] = (char)('0' + latency_us % 10);
	memcpy(buf + i, " ms", 4);
}

static void
write_latency(struct export_writer *w, int64_t latency_us)
{
	char latency[32];

	latency_text(latency_us, latency, sizeof latency);
	if (latency[0] == '\0')
		return;
	w->fmt->latency(w, latency);
}

void
export_heading_tail_markup(struct export_writer *w, const struct export_tail_markup *m,
    const char *summary, const char *detail, int ref)
{
	export_ob_puts(w->o, m->open);
	if (summary != NULL)
		export_put_str(w, summary, m->mode);
	if (detail != NULL)
		detail_lines(w, detail, m->line_break, m->mode);
	if (ref > 0) {
		export_ob_puts(w->o, m->ref_before);
		export_ob_printf(w->o, "%d", ref);
		export_ob_puts(w->o, m->ref_after);
	}
	export_ob_puts(w->o, m->close);
}

/* Markdown and HTML: every section with its label. */
static void
write_sections(struct export_writer *w, const struct explanation *ex)
{
	size_t i;

	for (i = 0; i < ex->nsections; i++) {
		const struct explanation_section *sec = &ex->sections[i];

		if (sec->text == NULL || sec->text[0] == '\0')
			continue;
		w->fmt->section(w, sec);
	}
	w->fmt->end(w);
}

/* Writes an explanation the first time it is seen, and keeps in the cache entry ce (when
 * not NULL) what to write when it comes again. */
static void
write_explanation(struct export_writer *w, const struct explanation *ex,
    struct cache_entry *ce, const char *key, int cls, int64_t latency_us, const char *detail)
{
	const char *heading = ex->heading != NULL ? ex->heading : "";
	char *body = NULL;
	bool full = w->opts.level == EXPORT_LEVEL_FULL;
	int id = 0;

	if (full && w->opts.format != EXPORT_TEXT && ce != NULL)
		id = ++w->next_id;
	if (full && w->opts.format == EXPORT_TEXT)
		body = export_text_body(w, ex);

	w->fmt->heading_head(w, cls, heading, id, 0);
	write_latency(w, latency_us);
	w->fmt->heading_tail(w, ex->summary, detail, 0);
	if (body != NULL)
		export_text_indent(w, body, "      ");
	else if (full)
		write_sections(w, ex);
	else
		w->fmt->end(w);

	if (ce != NULL) {
		/* The repeat: text says it all again (a reader of a pipe has no "above"); Markdown
		 * and HTML at the full level point back to the first. */
		struct obuf tmp = { 0 };
		int ref = full && w->opts.format != EXPORT_TEXT ? id : 0;

		w->o = &tmp;
		w->fmt->heading_head(w, cls, heading, 0, ref);
		ce->head_len = tmp.len;
		w->fmt->heading_tail(w, ex->summary, detail, ref);
		if (body != NULL)
			export_text_indent(w, body, "      ");
		else
			w->fmt->end(w);
		w->o = &w->main;
		ce->head = xmalloc(ce->head_len + 1);
		memcpy(ce->head, tmp.data, ce->head_len);
		ce->tail_len = tmp.len - ce->head_len;
		ce->tail = xmalloc(ce->tail_len + 1);
		memcpy(ce->tail, tmp.data + ce->head_len, ce->tail_len);
		free(tmp.data);
		ce->key_len = strlen(key);
		ce->key = xstrndup(key, ce->key_len);
		w->cache_fill++;
	}
	free(body);
}

/* Writes the cached repeat of an explanation. */
static void
write_cached(struct export_writer *w, const struct cache_entry *ce, int64_t latency_us)
{
	export_ob_write(w->o, ce->head, ce->head_len);
	write_latency(w, latency_us);
	export_ob_write(w->o, ce->tail, ce->tail_len);
}

/* Short level: what the heading does not say and a reader needs: the enhanced code's own
 * words ("5.1.1 Bad destination mailbox address"), a 334's decoded challenge, the protocol
 * violations. NULL when there is nothing. */
static char *
short_detail(struct export_writer *w, const struct explanation *ex, const char *enhanced,
    const char *after)
{
	const struct kb_entry *e;
	const char *title;
	char *out = NULL, *more;
	size_t i;

	if (w->opts.level != EXPORT_LEVEL_SHORT)
		return NULL;
	if (enhanced != NULL && enhanced[0] != '\0' &&
	    (e = kb_find(w->kb, "enhanced", enhanced, after)) != NULL &&
	    (title = kb_field(w->kb, e, "title")) != NULL)
		out = xasprintf("%s %s", enhanced, title);
	for (i = 0; ex != NULL && i < ex->nsections; i++) {
		const struct explanation_section *sec = &ex->sections[i];

		if (sec->name == NULL || sec->text == NULL || sec->text[0] == '\0' ||
		    (strcmp(sec->name, "challenge") != 0 && strcmp(sec->name, "violations") != 0))
			continue;
		more = xasprintf("%s%s%s:%s%s", out != NULL ? out : "", out != NULL ? "\n" : "",
		    sec->label != NULL ? sec->label : sec->name,
		    strncmp(sec->text, "- ", 2) == 0 ? "\n" : " ", sec->text);
		free(out);
		out = more;
	}
	return out;
}

/* The cache key of a reply's explanation in key (size REPLY_KEY_MAX) and its length, or 0 when
 * it cannot have one. An EHLO reply's keywords and a 334's challenge are part of their explanation, so
 * their text goes into the key (when short enough; long ones are explained each time). Built
 * by hand: it runs once per reply. */
#define REPLY_KEY_MAX 1024
static size_t
reply_key(const struct reply *reply, const char *after, char *key)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0, m, i;
	unsigned v = reply->violations;
	int shift;

	if (reply->code < 200 || reply->code > 599)
		return 0;
	key[n++] = 'r';
	key[n++] = (char)('0' + reply->code / 100);
	key[n++] = (char)('0' + reply->code / 10 % 10);
	key[n++] = (char)('0' + reply->code % 10);
	key[n++] = '|';
	m = strnlen(reply->enhanced, sizeof reply->enhanced);
	memcpy(key + n, reply->enhanced, m);
	n += m;
	key[n++] = '|';
	if (after != NULL) {
		m = strnlen(after, 24);
		memcpy(key + n, after, m);
		n += m;
	}
	key[n++] = '|';
	for (shift = 28; shift >= 0; shift -= 4)
		key[n++] = hex[(v >> shift) & 15];
	if (reply->code == 334 || (reply->nlines > 1 && after != NULL &&
	    (strcasecmp(after, "EHLO") == 0 || strcasecmp(after, "LHLO") == 0))) {
		if (reply->nlines != reply->lines_total)
			return 0;
		for (i = reply->code == 334 ? 0 : 1; i < reply->nlines; i++) {
			const char *t = reply_line_text(reply, i);

			m = reply_line_text_len(reply, i);
			if (n + m + 2 >= REPLY_KEY_MAX || memchr(t, '\0', m) != NULL)
				return 0;
			key[n++] = '\n';
			memcpy(key + n, t, m);
			n += m;
		}
	}
	key[n] = '\0';
	return n;
}

static struct reply *
copy_without_nul(const struct reply *reply)
{
	struct reply *copy = xmalloc(sizeof *copy);
	size_t i, k;

	*copy = *reply;
	copy->lines = xcalloc(reply->nlines ? reply->nlines : 1, sizeof *copy->lines);
	for (i = 0; i < reply->nlines; i++) {
		const struct reply_line *from = &reply->lines[i];
		struct reply_line *to = &copy->lines[i];

		*to = *from;
		to->raw = xmalloc(from->len + 1);
		for (k = 0; k < from->len; k++)
			to->raw[k] = from->raw[k] != '\0' ? from->raw[k] : '?';
		to->raw[from->len] = '\0';
	}
	return copy;
}

static void
free_copy(struct reply *copy)
{
	size_t i;

	for (i = 0; i < copy->nlines; i++)
		free(copy->lines[i].raw);
	free(copy->lines);
	free(copy);
}

void
export_writer_reply(struct export_writer *w, const struct reply *reply, const char *after,
    int64_t latency_us)
{
	char key[REPLY_KEY_MAX];
	struct cache_entry *ce = NULL;
	struct explanation *ex;
	bool found = false;
	size_t key_len;
	int cls = reply_class(reply);
	char *detail;

	w->nreplies++;
	w->nclass[cls >= 2 && cls <= 5 ? cls : 0]++;
	if (w->kb == NULL)
		return;
	wire_block(w, false);
	key_len = reply_key(reply, after, key);
	if (key_len > 0 && (ce = cache_find(w, key, key_len, &found)) != NULL && found) {
		write_cached(w, ce, latency_us);
		return;
	}
	if (reply->violations & REPLY_V_NUL) {
		/* Explanations quote EHLO lines and 334 challenges as C strings: give them a copy
		 * with each NUL shown as '?', so a NUL from the server can never cut or overrun
		 * what they copy. */
		struct reply *copy = copy_without_nul(reply);

		ex = explain_reply(w->kb, copy, after);
		free_copy(copy);
	} else {
		ex = explain_reply(w->kb, reply, after);
	}
	if (ex == NULL)
		return;
	detail = short_detail(w, ex, reply->enhanced, after);
	write_explanation(w, ex, ce, key, cls, latency_us, detail);
	explanation_free(ex);
	free(detail);
}

void
export_writer_status(struct export_writer *w, const char *enhanced)
{
	char *key, *err = NULL;
	struct explanation *ex;
	struct cache_entry *ce;
	bool found = false;

	if (w->kb == NULL || enhanced == NULL || *enhanced == '\0')
		return;
	wire_block(w, false);
	key = xasprintf("s|%s", enhanced);
	ce = cache_find(w, key, strlen(key), &found);
	if (found) {
		write_cached(w, ce, -1);
	} else if ((ex = explain_word(w->kb, enhanced, &err)) != NULL) {
		write_explanation(w, ex, ce, key, enhanced[0] - '0', -1, NULL);
		explanation_free(ex);
	}
	free(err);
	free(key);
}

void
export_writer_event(struct export_writer *w, const char *event)
{
	char *key;
	struct explanation *ex;
	struct cache_entry *ce;
	bool found = false;

	if (w->kb == NULL || event == NULL || *event == '\0' ||
	    w->opts.level != EXPORT_LEVEL_FULL || kb_find(w->kb, "event", event, NULL) == NULL)
		return;
	wire_block(w, false);
	key = xasprintf("e|%s", event);
	ce = cache_find(w, key, strlen(key), &found);
	if (found) {
		write_cached(w, ce, -1);
	} else if ((ex = explain_event(w->kb, event, NULL)) != NULL) {
		write_explanation(w, ex, ce, key, 0, -1, NULL);
		explanation_free(ex);
	}
	free(key);
}

/* ---- the writer ---- */

struct export_writer *
export_writer_new(FILE *out, const struct kb *kb, const struct export_options *opts)
{
	struct export_writer *w = xcalloc(1, sizeof *w);

	export_escape_init();
	w->main.sink = out;
	w->main.cap = OBUF_SIZE;
	w->main.data = xmalloc(OBUF_SIZE);
	w->o = &w->main;
	w->stamp_secs = -1;
	w->kb = kb;
	if (opts != NULL)
		w->opts = *opts;
	if (w->opts.width <= 20)
		w->opts.width = 80;
	w->fmt = w->opts.format == EXPORT_HTML ? &export_html_ops :
	    w->opts.format == EXPORT_MARKDOWN ? &export_markdown_ops : &export_text_ops;
	w->fmt->head(w);
	return w;
}

void
export_writer_free(struct export_writer *w)
{
	size_t i;

	if (w == NULL)
		return;
	export_ob_flush(&w->main);
	for (i = 0; i < EXPORT_CACHE_SIZE; i++) {
		free(w->cache[i].key);
		free(w->cache[i].head);
		free(w->cache[i].tail);
	}
	free(w->main.data);
	free(w);
}

void
export_writer_flush(struct export_writer *w)
{
	export_ob_flush(&w->main);
	fflush(w->main.sink);
}

int
export_writer_finish(struct export_writer *w, char **errstr)
{
	wire_block(w, false);
	w->fmt->foot(w);
	export_ob_flush(&w->main);
	if (w->main.failed || fflush(w->main.sink) != 0 || ferror(w->main.sink)) {
		*errstr = xasprintf("cannot write the output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- whole transcripts ---- */

static enum export_line_kind
entry_kind(enum transcript_kind kind)
{
	switch (kind) {
	case TRANSCRIPT_SENT:
		return EXPORT_LINE_CLIENT;
	case TRANSCRIPT_RECEIVED:
		return EXPORT_LINE_SERVER;
	case TRANSCRIPT_EVENT:
	case TRANSCRIPT_INFO:
		return EXPORT_LINE_INFO;
	case TRANSCRIPT_WARNING:
		return EXPORT_LINE_WARNING;
	case TRANSCRIPT_ERROR:
		return EXPORT_LINE_ERROR;
	}
	return EXPORT_LINE_OTHER;
}

int
export_transcript_opts(const struct transcript *t, const struct kb *kb,
    const struct export_options *opts, FILE *out, char **errstr)
{
	struct export_writer *w = export_writer_new(out, kb, opts);
	size_t i, n = transcript_count(t);
	bool tls = false;
	int rc;

	for (i = 0; i < n; i++) {
		const struct transcript_entry *e = transcript_entry(t, i);
		struct export_line line = {
			.kind = entry_kind(e->kind), .text = e->text, .len = e->len,
			.secret = e->secret, .time_us = e->time_us,
		};

		if (e->event != NULL && strcmp(e->event, "tls-up") == 0)
			tls = true;
		if (e->event != NULL && strcmp(e->event, "closed") == 0)
			tls = false;
		line.tls = tls && (e->kind == TRANSCRIPT_SENT || e->kind == TRANSCRIPT_RECEIVED);
		export_writer_line(w, &line);
		if (e->kind == TRANSCRIPT_RECEIVED && e->reply != TRANSCRIPT_NO_REPLY &&
		    e->reply < transcript_reply_count(t)) {
			const struct transcript_reply *tr = transcript_reply(t, e->reply);

			if (tr->last_entry == i)
				export_writer_reply(w, tr->reply, tr->after, tr->latency_us);
		} else if (e->kind == TRANSCRIPT_ERROR || e->kind == TRANSCRIPT_WARNING) {
			export_writer_event(w, e->event);
		}
	}
	rc = export_writer_finish(w, errstr);
	export_writer_free(w);
	return rc;
}

int
export_transcript(const struct transcript *t, const struct kb *kb, enum export_format format,
    FILE *out, char **errstr)
{
	struct export_options opts = {
		.format = format, .level = EXPORT_LEVEL_FULL, .utf8 = format != EXPORT_TEXT,
	};

	return export_transcript_opts(t, kb, &opts, out, errstr);
}

int
export_transcript_file(const struct transcript *t, const struct kb *kb,
    enum export_format format, const char *path, char **errstr)
{
	FILE *out = fopen(path, "w");
	int rc;

	if (out == NULL) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	rc = export_transcript(t, kb, format, out, errstr);
	if (fclose(out) != 0 && rc == 0) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		rc = -1;
	}
	return rc;
}

bool
export_format_for_path(const char *path, enum export_format *format)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return false;
	if (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0) {
		*format = EXPORT_HTML;
		return true;
	}
	if (strcasecmp(dot, ".md") == 0 || strcasecmp(dot, ".markdown") == 0) {
		*format = EXPORT_MARKDOWN;
		return true;
	}
	return false;
}

int
export_format_parse(const char *name, enum export_format *format)
{
	if (strcasecmp(name, "text") == 0 || strcasecmp(name, "txt") == 0)
		*format = EXPORT_TEXT;
	else if (strcasecmp(name, "md") == 0 || strcasecmp(name, "markdown") == 0)
		*format = EXPORT_MARKDOWN;
	else if (strcasecmp(name, "html") == 0 || strcasecmp(name, "htm") == 0)
		*format = EXPORT_HTML;
	else
		return -1;
	return 0;
}

int
export_save(const struct transcript *transcript, const struct kb *kb, const char *path,
    char **errstr)
{
	enum export_format format;

	if (export_format_for_path(path, &format))
		return export_transcript_file(transcript, kb, format, path, errstr);
	return transcript_save(transcript, path, errstr);
}
