/* transcript_write.c: saving a transcript as the plain text described in
 * transcript_internal.h, which transcript_load reads back to the same bytes. */
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
	for (i = 0; i < transcript_count(t); i++) {
		const struct transcript_entry *e = transcript_entry(t, i);
		bool first = true;

		transcript_format_time(e->time_us, stamp);
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
		} else if (e->kind == TRANSCRIPT_RECEIVED && e->reply < transcript_reply_count(t)) {
			const struct transcript_reply *tr = transcript_reply(t, e->reply);
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
