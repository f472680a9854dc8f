/* lesson.c: guided lessons: reads lesson files with the knowledge base's parser (kinds @lesson
 * and @step, format in help/lessons/README.md), compiles each step's `check:` and `wrong:` lines
 * into small patterns, and tracks a learner's progress by matching them against the entries of
 * a session's transcript and the engine's status. Knows nothing of screens: the front ends show
 * lesson_progress_explanation() like any other explanation. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/teach/lesson.h"
#include "core/proto/sasl.h"
#include "core/proto/session.h"
#include "core/proto/smtp_command.h"
#include "core/util/xmalloc.h"

/* A lesson file bigger than this is surely not a lesson file. */
#define LESSON_FILE_MAX (1024u * 1024)
/* How much of a server's reply line a hint quotes. */
#define LESSON_QUOTE_MAX 160
#define LESSON_VARS_MAX 8

enum check_kind {
	CHECK_REPLY,             /* reply CODE [ENHANCED] [after VERB] */
	CHECK_SENT,              /* sent VERB */
	CHECK_MESSAGE_ACCEPTED,  /* message-accepted: 2xx to the final dot or the last BDAT */
	CHECK_DOT_STUFFED,       /* dot-stuffed: a message line went out with its dot doubled */
	CHECK_INFO,              /* info TEXT: smtpscope's own output (/b64, decoded 334) */
	CHECK_WARNING,           /* warning KEY: smtpscope warned (event key, "rcpt-before-mail") */
	/* the rest look at the session as it is now, not at one entry */
	CHECK_STATE,             /* state NAME */
	CHECK_CAPABILITY,        /* capability KEYWORD: in the latest EHLO reply */
	CHECK_TLS,
	CHECK_AUTHENTICATED,
	CHECK_CONNECTED,
	CHECK_CLOSED,
};

struct check {
	enum check_kind kind;
	char code[4];            /* "250", "4xx" */
	char enhanced[16];       /* "5.1.1", "4.x.x", or "" for any */
	char *word;              /* verb, state, keyword or info text; NULL when unused */
	char *after;             /* the command a reply must answer, or NULL for any */
};

struct wrong {
	struct check check;
	char *hint;
};

struct step {
	char *title, *try_text, *expect, *hint, *check_text;
	struct check *checks;
	size_t nchecks;
	struct wrong *wrongs;
	size_t nwrongs;
};

struct lesson {
	char *name, *title, *summary, *scenario, *description, *done;
	struct step *steps;
	size_t nsteps;
};

struct lesson_set {
	struct lesson **lessons;
	size_t nlessons;
	char **diags;
	size_t ndiags;
};

struct lesson_progress {
	const struct lesson *lesson;
	size_t step;
	size_t step_start;       /* the first entry the current step may use */
	size_t fed;              /* entries fed so far */
	bool *satisfied;         /* per check of the current step (entry checks only) */
	size_t nsatisfied;
	char *hint;
	size_t hints;
	struct session *session; /* what the replies fed so far say (capabilities, TLS, AUTH),
	                          * for when no engine status does */
	bool closed_seen;
	char *var_name[LESSON_VARS_MAX];
	char *var_value[LESSON_VARS_MAX];
	size_t nvars;
};

const char *const lesson_label_names[] = {
	"lesson", "lesson-step", "lesson-of", "lesson-complete", "lesson-about", "lesson-try",
	"lesson-expect", "lesson-hint", "lesson-progress", "lesson-done", "lesson-list",
	"lesson-start", NULL
};

/* English when the knowledge base has no label (or there is no knowledge base). */
static const char *const lesson_label_english[] = {
	"Lesson", "step", "of", "complete", "About This Lesson", "What to Try",
	"What to Expect", "Hint", "Progress", "Well Done", "Lessons",
	"Start one with /lesson NAME (smtpscope lesson NAME from the shell).", NULL
};

/* ---- small helpers ---- */

static void
set_diag(struct lesson_set *set, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_diag(struct lesson_set *set, const char *fmt, ...)
{
	va_list ap;

	set->diags = xreallocarray(set->diags, set->ndiags + 1, sizeof *set->diags);
	va_start(ap, fmt);
	set->diags[set->ndiags++] = xvasprintf(fmt, ap);
	va_end(ap);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* Splits off the next space-separated word (in place); NULL at the end. */
static char *
next_word(char **cursor)
{
	char *s = *cursor, *start;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0') {
		*cursor = s;
		return NULL;
	}
	start = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*cursor = s;
	return start;
}

static char *
rest_of(char *cursor)
{
	size_t n;

	while (*cursor == ' ' || *cursor == '\t')
		cursor++;
	n = strlen(cursor);
	while (n > 0 && (cursor[n - 1] == ' ' || cursor[n - 1] == '\t'))
		cursor[--n] = '\0';
	return cursor;
}

/* "250", "5xx", "45x": a class digit (or x), then digits or x. */
static bool
code_pattern_ok(const char *s)
{
	int i;

	if (strlen(s) != 3)
		return false;
	if (!(s[0] == 'x' || (s[0] >= '2' && s[0] <= '5')))
		return false;
	for (i = 1; i < 3; i++)
		if (!isdigit((unsigned char)s[i]) && s[i] != 'x')
			return false;
	return true;
}

/* "5.1.1", "4.x.x", "x.7.1": three dot-separated parts of 1-3 digits, or x. */
static bool
enhanced_pattern_ok(const char *s)
{
	int part;

	if (strlen(s) >= 16)
		return false;
	for (part = 0; part < 3; part++) {
		size_t n = 0;

		if (*s == 'x' || *s == 'X') {
			s++;
		} else {
			while (isdigit((unsigned char)s[n]) && n < 4)
				n++;
			if (n == 0 || n > 3)
				return false;
			s += n;
		}
		if (part < 2 && *s++ != '.')
			return false;
	}
	return *s == '\0';
}

static bool
verb_ok(const char *s)
{
	if (strcmp(s, "greeting") == 0)
		return true;
	for (; *s != '\0'; s++)
		if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

static void
check_clear(struct check *c)
{
	free(c->word);
	free(c->after);
	c->word = c->after = NULL;
}

/* Compiles one check ("reply 250 after EHLO"). Returns NULL, or what is wrong with it. */
static const char *
check_parse(const char *text, struct check *c)
{
	char *copy = xstrdup(text), *cursor = copy, *w, *rest;
	const char *why = NULL;
	static const struct {
		const char *name;
		enum check_kind kind;
	} bare[] = {
		{ "tls", CHECK_TLS }, { "authenticated", CHECK_AUTHENTICATED },
		{ "connected", CHECK_CONNECTED }, { "closed", CHECK_CLOSED },
		{ "message-accepted", CHECK_MESSAGE_ACCEPTED }, { "dot-stuffed", CHECK_DOT_STUFFED },
	};
	size_t i;

	memset(c, 0, sizeof *c);
	w = next_word(&cursor);
	if (w == NULL) {
		why = "an empty check";
		goto out;
	}
	for (i = 0; i < sizeof bare / sizeof bare[0]; i++) {
		if (strcmp(w, bare[i].name) == 0) {
			c->kind = bare[i].kind;
			if (*rest_of(cursor) != '\0')
				why = "unexpected words after the check";
			goto out;
		}
	}
	if (strcmp(w, "reply") == 0) {
		c->kind = CHECK_REPLY;
		w = next_word(&cursor);
		if (w == NULL || !code_pattern_ok(w)) {
			why = "'reply' needs a code such as 250, 4xx or 55x";
			goto out;
		}
		memcpy(c->code, w, 4);
		w = next_word(&cursor);
		if (w != NULL && strcmp(w, "after") != 0) {
			if (!enhanced_pattern_ok(w)) {
				why = "after the code: an enhanced code such as 5.1.1, or 'after VERB'";
				goto out;
			}
			snprintf(c->enhanced, sizeof c->enhanced, "%s", w);
			w = next_word(&cursor);
		}
		if (w != NULL) {
			if (strcmp(w, "after") != 0) {
				why = "unexpected words after the code (write 'after VERB')";
				goto out;
			}
			w = next_word(&cursor);
			if (w == NULL || !verb_ok(w)) {
				why = "'after' needs an upper-case command, 'greeting' or 'DATA-END'";
				goto out;
			}
			c->after = xstrdup(w);
			if (next_word(&cursor) != NULL)
				why = "unexpected words after the command";
		}
		goto out;
	}
	if (strcmp(w, "sent") == 0 || strcmp(w, "capability") == 0) {
		c->kind = w[0] == 's' ? CHECK_SENT : CHECK_CAPABILITY;
		w = next_word(&cursor);
		if (w == NULL || !verb_ok(w) || strcmp(w, "greeting") == 0) {
			why = c->kind == CHECK_SENT ? "'sent' needs an upper-case command" :
			    "'capability' needs an upper-case EHLO keyword";
			goto out;
		}
		c->word = xstrdup(w);
		if (next_word(&cursor) != NULL)
			why = "unexpected words after the check";
		goto out;
	}
	if (strcmp(w, "warning") == 0) {
		c->kind = CHECK_WARNING;
		w = next_word(&cursor);
		if (w == NULL || !islower((unsigned char)w[0]) || next_word(&cursor) != NULL) {
			why = "'warning' needs one warning name, such as rcpt-before-mail";
			goto out;
		}
		c->word = xstrdup(w);
		goto out;
	}
	if (strcmp(w, "state") == 0 || strcmp(w, "info") == 0) {
		c->kind = w[0] == 's' ? CHECK_STATE : CHECK_INFO;
		rest = rest_of(cursor);
		if (*rest == '\0') {
			why = c->kind == CHECK_STATE ? "'state' needs a state such as in-transaction" :
			    "'info' needs the words to look for";
			goto out;
		}
		if (c->kind == CHECK_STATE) {
			/* A state's key ("after-EHLO" in any case; spaces for dashes also do). */
			const char *key = session_state_key_parse(rest);

			if (key == NULL) {
				why = "'state' needs a state: greeting, after-EHLO, after-HELO, "
				    "in-transaction, after-RCPT, in-DATA or closed";
				goto out;
			}
			c->word = xstrdup(key);
		} else {
			c->word = xstrdup(rest);
		}
		goto out;
	}
	why = "unknown check (reply, sent, state, capability, tls, authenticated, connected, "
	    "closed, message-accepted, dot-stuffed, info, warning)";
out:
	free(copy);
	if (why != NULL)
		check_clear(c);
	return why;
}

static bool
check_is_entry_kind(const struct check *c)
{
	return c->kind < CHECK_STATE;
}

/* ---- loading ---- */

static void
step_clear(struct step *st)
{
	size_t i;

	free(st->title);
	free(st->try_text);
	free(st->expect);
	free(st->hint);
	free(st->check_text);
	for (i = 0; i < st->nchecks; i++)
		check_clear(&st->checks[i]);
	free(st->checks);
	for (i = 0; i < st->nwrongs; i++) {
		check_clear(&st->wrongs[i].check);
		free(st->wrongs[i].hint);
	}
	free(st->wrongs);
}

static void
lesson_free(struct lesson *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nsteps; i++)
		step_clear(&l->steps[i]);
	free(l->steps);
	free(l->name);
	free(l->title);
	free(l->summary);
	free(l->scenario);
	free(l->description);
	free(l->done);
	free(l);
}

struct collect {
	const struct kb_entry **entries;
	size_t n;
};

static void
collect_entry(void *ctx, const struct kb_entry *entry)
{
	struct collect *c = ctx;

	c->entries = xreallocarray(c->entries, c->n + 1, sizeof *c->entries);
	c->entries[c->n++] = entry;
}

/* A file being read: the English text and an optional translation laid over it. */
struct source {
	struct lesson_set *set;
	const char *name;
	struct kb *en, *tr;
	bool bad;     /* a problem that stops the lesson from loading */
};

/* The translation's entry of the same kind and key, if any. */
static const struct kb_entry *
tr_entry(const struct source *src, const struct kb_entry *entry)
{
	if (src->tr == NULL)
		return NULL;
	return kb_find_exact(src->tr, kb_entry_kind(entry), kb_entry_key(entry), NULL);
}

/* A field, from the translation when it gives it. */
static const char *
field(const struct source *src, const struct kb_entry *entry, const char *name)
{
	const struct kb_entry *t = tr_entry(src, entry);
	const char *v = t != NULL ? kb_field(src->tr, t, name) : NULL;

	return v != NULL ? v : kb_field(src->en, entry, name);
}

/* Fields an entry may have; anything else in a lesson file is a mistake worth saying. */
static void
check_fields(struct source *src, struct kb *kb, const char *file, const struct kb_entry *entry,
    const char *const *allowed, const char *const *required)
{
	size_t i, k;

	for (i = 0; kb_field_names[i] != NULL; i++) {
		const char *name = kb_field_names[i];

		if (kb_field_in(kb, entry, name, "en") == NULL)
			continue;
		for (k = 0; allowed[k] != NULL; k++)
			if (strcmp(allowed[k], name) == 0)
				break;
		if (allowed[k] == NULL)
			set_diag(src->set, "%s:%u: field '%s' is not used by @%s", file,
			    kb_field_line(kb, entry, name), name, kb_entry_kind(entry));
	}
	if (required == NULL)
		return;
	for (k = 0; required[k] != NULL; k++) {
		if (field(src, entry, required[k]) == NULL) {
			set_diag(src->set, "%s:%u: @%s %s has no '%s:' field", file,
			    kb_entry_line(entry), kb_entry_kind(entry), kb_entry_key(entry),
			    required[k]);
			src->bad = true;
		}
	}
}

/* Compiles the check: lines of a step; a bad line is reported and left out. */
static void
compile_checks(struct source *src, const char *file, const struct kb_entry *entry,
    const char *text, unsigned first_line, struct step *st)
{
	const char *p = text;
	unsigned line = first_line;

	while (*p != '\0') {
		size_t n = strcspn(p, "\n");
		char *one = xstrndup(p, n);
		const char *trimmed = rest_of(one);
		struct check c;
		const char *why;

		if (*trimmed != '\0') {
			why = check_parse(trimmed, &c);
			if (why != NULL) {
				set_diag(src->set, "%s:%u: bad check '%s' in step %s: %s", file, line,
				    trimmed, kb_entry_key(entry), why);
			} else {
				st->checks = xreallocarray(st->checks, st->nchecks + 1,
				    sizeof *st->checks);
				st->checks[st->nchecks++] = c;
			}
		}
		free(one);
		p += n;
		if (*p == '\n')
			p++;
		line++;
	}
}

/* Compiles the wrong: lines ("PATTERN -> HINT"); a bad line is reported and left out. */
static void
compile_wrongs(struct source *src, const char *file, const struct kb_entry *entry,
    const char *text, unsigned first_line, struct step *st)
{
	const char *p = text;
	unsigned line = first_line;

	while (*p != '\0') {
		size_t n = strcspn(p, "\n");
		char *one = xstrndup(p, n), *arrow;
		const char *pattern, *hint, *why = NULL;
		struct check c;

		pattern = rest_of(one);
		if (*pattern != '\0') {
			arrow = strstr(one, "->");
			if (arrow == NULL) {
				why = "write 'PATTERN -> HINT'";
			} else {
				*arrow = '\0';
				hint = rest_of(arrow + 2);
				pattern = rest_of(one);
				if (*hint == '\0')
					why = "the hint after '->' is empty";
				else if ((why = check_parse(pattern, &c)) == NULL &&
				    !check_is_entry_kind(&c)) {
					check_clear(&c);
					why = "a wrong: pattern must be something that happens (reply, sent, "
					    "info, warning, message-accepted, dot-stuffed), not a state";
				} else if (why == NULL) {
					st->wrongs = xreallocarray(st->wrongs, st->nwrongs + 1,
					    sizeof *st->wrongs);
					st->wrongs[st->nwrongs].check = c;
					st->wrongs[st->nwrongs].hint = xstrdup(hint);
					st->nwrongs++;
				}
			}
			if (why != NULL)
				set_diag(src->set, "%s:%u: bad wrong: line in step %s: %s", file, line,
				    kb_entry_key(entry), why);
		}
		free(one);
		p += n;
		if (*p == '\n')
			p++;
		line++;
	}
}

static const char *const lesson_fields[] = {
	"title", "summary", "scenario", "description", "done", "learn", NULL
};
static const char *const lesson_required[] = { "title", "summary", NULL };
static const char *const step_fields[] = {
	"title", "try", "expect", "check", "wrong", "hint", NULL
};
static const char *const step_required[] = { "title", "try", "check", NULL };

/* Which file and line gave a step's field (the translation's or the English one). */
static const char *
step_field_origin(const struct source *src, const char *tr_name, const struct kb_entry *entry,
    const char *name, unsigned *line)
{
	const struct kb_entry *t = tr_entry(src, entry);

	if (t != NULL && kb_field(src->tr, t, name) != NULL) {
		*line = kb_field_line(src->tr, t, name);
		return tr_name;
	}
	*line = kb_field_line(src->en, entry, name);
	return src->name;
}

static struct lesson *
build_lesson(struct source *src, const char *tr_name)
{
	struct collect lessons = { 0 }, steps = { 0 }, other = { 0 };
	struct lesson *l = NULL;
	const struct kb_entry *le;
	const char *v;
	size_t i;
	int k;

	/* Anything but @lesson and @step belongs in the knowledge base, not here. */
	for (k = 0; kb_kind_names[k] != NULL; k++)
		if (strcmp(kb_kind_names[k], "lesson") != 0 && strcmp(kb_kind_names[k], "step") != 0)
			kb_each(src->en, kb_kind_names[k], collect_entry, &other);
	for (i = 0; i < other.n; i++)
		set_diag(src->set, "%s:%u: @%s entries belong in the knowledge base (help/LANG/), "
		    "not in a lesson file", src->name, kb_entry_line(other.entries[i]),
		    kb_entry_kind(other.entries[i]));
	kb_each(src->en, "lesson", collect_entry, &lessons);
	kb_each(src->en, "step", collect_entry, &steps);
	if (lessons.n == 0) {
		set_diag(src->set, "%s: no '@lesson NAME' header: not a lesson file", src->name);
		goto out;
	}
	for (i = 1; i < lessons.n; i++)
		set_diag(src->set, "%s:%u: a second @lesson in one file (one lesson per file)",
		    src->name, kb_entry_line(lessons.entries[i]));
	le = lessons.entries[0];
	check_fields(src, src->en, src->name, le, lesson_fields, lesson_required);
	if (steps.n == 0) {
		set_diag(src->set, "%s: lesson %s has no @step", src->name, kb_entry_key(le));
		src->bad = true;
	}
	l = xcalloc(1, sizeof *l);
	l->name = xstrdup(kb_entry_key(le));
	l->title = dup_or_null(field(src, le, "title"));
	l->summary = dup_or_null(field(src, le, "summary"));
	v = kb_field(src->en, le, "scenario");
	l->scenario = xstrdup(v != NULL ? v : "normal");
	l->description = dup_or_null(field(src, le, "description"));
	l->done = dup_or_null(field(src, le, "done"));
	l->steps = steps.n ? xcalloc(steps.n, sizeof *l->steps) : NULL;
	for (i = 0; i < steps.n; i++) {
		const struct kb_entry *se = steps.entries[i];
		struct step *st = &l->steps[l->nsteps];
		const char *file;
		unsigned line;

		if (strtoul(kb_entry_key(se), NULL, 10) != i + 1) {
			set_diag(src->set, "%s:%u: step %s where step %zu was expected (steps are "
			    "numbered 1, 2, 3, ... in order)", src->name, kb_entry_line(se),
			    kb_entry_key(se), i + 1);
			src->bad = true;
		}
		check_fields(src, src->en, src->name, se, step_fields, step_required);
		st->title = dup_or_null(field(src, se, "title"));
		st->try_text = dup_or_null(field(src, se, "try"));
		st->expect = dup_or_null(field(src, se, "expect"));
		st->hint = dup_or_null(field(src, se, "hint"));
		/* Checks are the same in every language: always the English file's. */
		v = kb_field(src->en, se, "check");
		st->check_text = dup_or_null(v);
		l->nsteps++;
		if (v != NULL) {
			compile_checks(src, src->name, se, v, kb_field_line(src->en, se, "check"), st);
			if (st->nchecks == 0) {
				set_diag(src->set, "%s:%u: step %s has no usable check", src->name,
				    kb_entry_line(se), kb_entry_key(se));
				src->bad = true;
			}
		}
		v = field(src, se, "wrong");
		if (v != NULL) {
			file = step_field_origin(src, tr_name, se, "wrong", &line);
			compile_wrongs(src, file, se, v, line, st);
		}
	}
out:
	free(lessons.entries);
	free(steps.entries);
	free(other.entries);
	if (src->bad) {
		if (l != NULL)
			set_diag(src->set, "%s: lesson %s not loaded", src->name, l->name);
		lesson_free(l);
		return NULL;
	}
	return l;
}

static void
copy_kb_diags(struct lesson_set *set, const struct kb *kb)
{
	size_t i;

	for (i = 0; i < kb_diagnostic_count(kb); i++)
		set_diag(set, "%s", kb_diagnostic(kb, i));
}

void
lesson_set_add_buffer(struct lesson_set *set, const char *name, const void *data, size_t len,
    const char *tr_name, const void *tr_data, size_t tr_len)
{
	struct source src;
	struct lesson *l;
	size_t i;

	memset(&src, 0, sizeof src);
	src.set = set;
	src.name = name != NULL ? name : "(lesson)";
	src.en = kb_load_buffer(src.name, data, len);
	copy_kb_diags(set, src.en);
	if (tr_data != NULL) {
		src.tr = kb_load_buffer(tr_name != NULL ? tr_name : "(translation)", tr_data,
		    tr_len);
		copy_kb_diags(set, src.tr);
	}
	l = build_lesson(&src, tr_name != NULL ? tr_name : "(translation)");
	kb_free(src.en);
	kb_free(src.tr);
	if (l == NULL)
		return;
	for (i = 0; i < set->nlessons; i++) {
		if (strcmp(set->lessons[i]->name, l->name) == 0) {
			set_diag(set, "%s: lesson %s is given twice (the first one is kept)", src.name,
			    l->name);
			lesson_free(l);
			return;
		}
	}
	set->lessons = xreallocarray(set->lessons, set->nlessons + 1, sizeof *set->lessons);
	set->lessons[set->nlessons++] = l;
}

struct lesson_set *
lesson_set_new(void)
{
	return xcalloc(1, sizeof(struct lesson_set));
}

void
lesson_set_free(struct lesson_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->nlessons; i++)
		lesson_free(set->lessons[i]);
	free(set->lessons);
	for (i = 0; i < set->ndiags; i++)
		free(set->diags[i]);
	free(set->diags);
	free(set);
}

/* Reads a whole file; NULL with *errstr set. A missing file is not an error when quiet. */
static char *
read_file(const char *path, size_t *len, bool quiet_missing, char **errstr)
{
	FILE *fp = fopen(path, "rb");
	char *data;
	struct stat sb;

	*errstr = NULL;
	if (fp == NULL) {
		if (!(quiet_missing && errno == ENOENT))
			*errstr = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (size_t)sb.st_size > LESSON_FILE_MAX) {
		*errstr = xasprintf("%s: not a regular file of at most %u octets", path,
		    LESSON_FILE_MAX);
		fclose(fp);
		return NULL;
	}
	data = xmalloc((size_t)sb.st_size + 1);
	*len = fread(data, 1, (size_t)sb.st_size, fp);
	if (ferror(fp)) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		free(data);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	return data;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
is_lesson_file(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".txt") == 0;
}

int
lesson_set_load_dir(struct lesson_set *set, const char *dir, const char *lang, char **errstr)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, *err = NULL;
	size_t n = 0, i;

	if (d == NULL) {
		*errstr = xasprintf("cannot read the lessons folder %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_lesson_file(de->d_name))
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, compare_names);
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]), *tr_path = NULL;
		char *data, *tr_data = NULL;
		size_t len = 0, tr_len = 0;

		data = read_file(path, &len, false, &err);
		if (data == NULL) {
			set_diag(set, "%s", err);
			free(err);
		} else {
			if (lang != NULL && *lang != '\0' && strcmp(lang, "en") != 0 &&
			    strchr(lang, '/') == NULL) {
				tr_path = xasprintf("%s/%s/%s", dir, lang, names[i]);
				tr_data = read_file(tr_path, &tr_len, true, &err);
				if (err != NULL) {
					set_diag(set, "%s", err);
					free(err);
				}
			}
			lesson_set_add_buffer(set, path, data, len, tr_path, tr_data, tr_len);
		}
		free(data);
		free(tr_data);
		free(tr_path);
		free(path);
		free(names[i]);
	}
	free(names);
	return 0;
}

size_t
lesson_set_count(const struct lesson_set *set)
{
	return set != NULL ? set->nlessons : 0;
}

const struct lesson *
lesson_set_get(const struct lesson_set *set, size_t i)
{
	return set != NULL && i < set->nlessons ? set->lessons[i] : NULL;
}

const struct lesson *
lesson_set_find(const struct lesson_set *set, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < lesson_set_count(set); i++)
		if (strcasecmp(set->lessons[i]->name, name) == 0)
			return set->lessons[i];
	return NULL;
}

size_t
lesson_set_diagnostic_count(const struct lesson_set *set)
{
	return set != NULL ? set->ndiags : 0;
}

const char *
lesson_set_diagnostic(const struct lesson_set *set, size_t i)
{
	return set != NULL && i < set->ndiags ? set->diags[i] : NULL;
}

const char *lesson_name(const struct lesson *l) { return l->name; }
const char *lesson_title(const struct lesson *l) { return l->title; }
const char *lesson_summary(const struct lesson *l) { return l->summary; }
const char *lesson_scenario(const struct lesson *l) { return l->scenario; }
const char *lesson_description(const struct lesson *l) { return l->description; }
const char *lesson_done(const struct lesson *l) { return l->done; }
size_t lesson_step_count(const struct lesson *l) { return l->nsteps; }

const char *
lesson_step_title(const struct lesson *l, size_t i)
{
	return i < l->nsteps ? l->steps[i].title : NULL;
}

const char *
lesson_step_try(const struct lesson *l, size_t i)
{
	return i < l->nsteps ? l->steps[i].try_text : NULL;
}

const char *
lesson_step_expect(const struct lesson *l, size_t i)
{
	return i < l->nsteps ? l->steps[i].expect : NULL;
}

const char *
lesson_step_hint(const struct lesson *l, size_t i)
{
	return i < l->nsteps ? l->steps[i].hint : NULL;
}

const char *
lesson_step_check(const struct lesson *l, size_t i)
{
	return i < l->nsteps ? l->steps[i].check_text : NULL;
}

/* ---- progress ---- */

struct lesson_progress *
lesson_progress_new(const struct lesson *lesson)
{
	struct lesson_progress *p = xcalloc(1, sizeof *p);

	p->lesson = lesson;
	p->session = session_new();
	if (lesson->nsteps > 0) {
		p->nsatisfied = lesson->steps[0].nchecks;
		p->satisfied = xcalloc(p->nsatisfied + 1, sizeof *p->satisfied);
	}
	return p;
}

void
lesson_progress_free(struct lesson_progress *p)
{
	size_t i;

	if (p == NULL)
		return;
	session_free(p->session);
	free(p->satisfied);
	free(p->hint);
	for (i = 0; i < p->nvars; i++) {
		free(p->var_name[i]);
		if (p->var_value[i] != NULL)
			explicit_bzero(p->var_value[i], strlen(p->var_value[i]));
		free(p->var_value[i]);
	}
	free(p);
}

static void
put_var(struct lesson_progress *p, const char *name, char *value)
{
	size_t i;

	for (i = 0; i < p->nvars; i++) {
		if (strcmp(p->var_name[i], name) == 0) {
			free(p->var_value[i]);
			p->var_value[i] = value;
			return;
		}
	}
	if (p->nvars == LESSON_VARS_MAX) {
		free(value);
		return;
	}
	p->var_name[p->nvars] = xstrdup(name);
	p->var_value[p->nvars++] = value;
}

static const char *
get_var(const struct lesson_progress *p, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < p->nvars; i++)
		if (strlen(p->var_name[i]) == len && strncmp(p->var_name[i], name, len) == 0)
			return p->var_value[i];
	return NULL;
}

void
lesson_progress_start_at(struct lesson_progress *p, size_t first)
{
	if (first > p->fed)
		p->fed = first;
	if (first > p->step_start)
		p->step_start = first;
}

void
lesson_progress_set_var(struct lesson_progress *p, const char *name, const char *value)
{
	const char *user, *pass;

	put_var(p, name, xstrdup(value));
	if (strcmp(name, "user") == 0)
		put_var(p, "user-b64", sasl_b64_encode(value, strlen(value)));
	if (strcmp(name, "password") == 0)
		put_var(p, "password-b64", sasl_b64_encode(value, strlen(value)));
	user = get_var(p, "user", 4);
	pass = get_var(p, "password", 8);
	if (user != NULL && pass != NULL)
		put_var(p, "plain-b64", sasl_plain_response(NULL, user, pass));
}

char *
lesson_progress_fill(const struct lesson_progress *p, const char *text)
{
	struct {
		char *s;
		size_t len, cap;
	} out = { NULL, 0, 0 };
	const char *s = text;

	if (text == NULL)
		return NULL;
	while (*s != '\0') {
		const char *open = strchr(s, '{'), *close, *value = NULL, *piece;
		size_t n;

		if (open != NULL && (close = strchr(open, '}')) != NULL)
			value = get_var(p, open + 1, (size_t)(close - open - 1));
		else
			close = NULL;
		if (value != NULL) {
			n = (size_t)(open - s);
			piece = s;
		} else {
			n = open != NULL ? (size_t)(open - s) + 1 : strlen(s);
			piece = s;
		}
		if (out.len + n + (value ? strlen(value) : 0) + 1 > out.cap) {
			out.cap = (out.len + n + (value ? strlen(value) : 0) + 1) * 2;
			out.s = xreallocarray(out.s, out.cap, 1);
		}
		memcpy(out.s + out.len, piece, n);
		out.len += n;
		if (value != NULL) {
			memcpy(out.s + out.len, value, strlen(value));
			out.len += strlen(value);
			s = close + 1;
		} else {
			s += n;
		}
		out.s[out.len] = '\0';
	}
	return out.s != NULL ? out.s : xstrdup("");
}

static bool
code_matches(const char *pattern, const char *code)
{
	int i;

	for (i = 0; i < 3; i++)
		if (pattern[i] != 'x' && pattern[i] != code[i])
			return false;
	return true;
}

/* "5.x.1" against "5.7.1": part by part. */
static bool
enhanced_matches(const char *pattern, const char *code)
{
	while (*pattern != '\0') {
		size_t pn = strcspn(pattern, "."), cn = strcspn(code, ".");

		if (cn == 0)
			return false;
		if (!(pn == 1 && (pattern[0] == 'x' || pattern[0] == 'X')) &&
		    (pn != cn || strncmp(pattern, code, pn) != 0))
			return false;
		pattern += pn;
		code += cn;
		if (*pattern == '.')
			pattern++;
		if (*code == '.')
			code++;
	}
	return *code == '\0';
}

static bool
contains_nocase(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; n <= len && i + n <= len; i++)
		if (strncasecmp(hay + i, needle, n) == 0)
			return true;
	return false;
}

/* Does this entry (tr: its reply when it is a reply's last line) satisfy an entry check? */
static bool
entry_matches(const struct check *c, const struct transcript_entry *en,
    const struct transcript_reply *tr)
{
	char verb[24];

	switch (c->kind) {
	case CHECK_REPLY:
		if (tr == NULL || tr->reply->code == 0)
			return false;
		if (!code_matches(c->code, tr->reply->code_text))
			return false;
		if (c->enhanced[0] != '\0' && !enhanced_matches(c->enhanced, tr->reply->enhanced))
			return false;
		return c->after == NULL || (tr->after != NULL && strcasecmp(c->after, tr->after) == 0);
	case CHECK_SENT:
		if (en->kind != TRANSCRIPT_SENT)
			return false;
		smtp_command_verb(en->text, en->len, verb, sizeof verb);
		return strcmp(verb, c->word) == 0;
	case CHECK_MESSAGE_ACCEPTED:
		return tr != NULL && reply_class(tr->reply) == 2 && tr->after != NULL &&
		    (strcmp(tr->after, "DATA-END") == 0 || strcasecmp(tr->after, "BDAT") == 0);
	case CHECK_DOT_STUFFED:
		return en->kind == TRANSCRIPT_SENT && !en->secret && en->len >= 2 &&
		    en->text[0] == '.' && en->text[1] == '.';
	case CHECK_INFO:
		return en->kind == TRANSCRIPT_INFO && contains_nocase(en->text, en->len, c->word);
	case CHECK_WARNING:
		return en->kind == TRANSCRIPT_WARNING && en->event != NULL &&
		    strcmp(en->event, c->word) == 0;
	default:
		return false;
	}
}

/* The key of the state a status names (a status built by hand may give only its words). */
static const char *
status_key(const struct engine_status *st)
{
	if (st->state_key != NULL)
		return st->state_key;
	return st->state != NULL ? session_state_key_parse(st->state) : NULL;
}

/* Does a check about the session as it is now hold? */
static bool
status_holds(const struct lesson_progress *p, const struct check *c,
    const struct engine_status *st)
{
	const char *const *keywords;
	size_t i, n;

	switch (c->kind) {
	case CHECK_STATE:
		return st != NULL && status_key(st) != NULL && strcmp(status_key(st), c->word) == 0;
	case CHECK_CAPABILITY:
		n = session_capabilities(p->session, &keywords);
		for (i = 0; i < n; i++)
			if (strcasecmp(keywords[i], c->word) == 0)
				return true;
		return false;
	case CHECK_TLS:
		return st != NULL ? st->tls : session_tls(p->session);
	case CHECK_AUTHENTICATED:
		return st != NULL ? st->user != NULL : session_user(p->session) != NULL;
	case CHECK_CONNECTED:
		return st != NULL && st->connected;
	case CHECK_CLOSED:
		return p->closed_seen || (st != NULL && !st->connected && status_key(st) != NULL &&
		    strcmp(status_key(st), "closed") == 0);
	default:
		return false;
	}
}

/* Feeds a reply to the lesson's session tracker, which knows what it changes (the EHLO
 * keywords, TLS after STARTTLS, who authenticated): what no engine status carries. */
static void
learn_from_reply(struct lesson_progress *p, const struct transcript_reply *tr)
{
	struct session_outcome o;

	session_reply_recorded(p->session, tr->reply, tr->after, &o);
	if (o.starttls_go)
		/* RFC 3207: what the server said before TLS no longer counts. */
		session_tls_started(p->session);
	if (o.closing || tr->reply->code == 221)
		p->closed_seen = true;
}

/* Keeps bytes from the wire printable in a hint: anything else (NUL included) becomes '?'. */
static char *
quote_line(const char *prefix, const char *text, size_t len)
{
	size_t n = len < LESSON_QUOTE_MAX ? len : LESSON_QUOTE_MAX, skip = strlen(prefix), i;
	char *q = xmalloc(skip + n + 4);

	memcpy(q, prefix, skip);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		q[skip + i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	memcpy(q + skip + n, len > n ? "..." : "", len > n ? 4 : 1);
	return q;
}

/* The first line of a reply, as a hint quotes it. */
static char *
quote_reply(const struct transcript_reply *tr)
{
	if (tr->reply->nlines == 0)
		return xasprintf("S: %s", tr->reply->code_text);
	return quote_line("S: ", tr->reply->lines[0].raw, tr->reply->lines[0].len);
}

static void
give_hint(struct lesson_progress *p, char *quote, const char *hint)
{
	char *filled = lesson_progress_fill(p, hint);

	free(p->hint);
	if (quote != NULL && filled != NULL)
		p->hint = xasprintf("%s\n\n%s", quote, filled);
	else if (quote != NULL)
		p->hint = xstrdup(quote);
	else
		p->hint = filled != NULL ? xstrdup(filled) : NULL;
	free(filled);
	free(quote);
	p->hints++;
}

static void
enter_step(struct lesson_progress *p, size_t step, size_t first_entry)
{
	const struct lesson *l = p->lesson;

	p->step = step;
	p->step_start = first_entry;
	free(p->hint);
	p->hint = NULL;
	free(p->satisfied);
	p->nsatisfied = step < l->nsteps ? l->steps[step].nchecks : 0;
	p->satisfied = xcalloc(p->nsatisfied + 1, sizeof *p->satisfied);
}

unsigned
lesson_progress_feed(struct lesson_progress *p, const struct transcript *t, size_t i,
    const struct engine_status *st)
{
	const struct transcript_entry *en = transcript_entry(t, i);
	const struct transcript_reply *tr = NULL;
	const struct step *step;
	bool expected = false, all = true;
	unsigned bits = 0;
	size_t k;

	if (en == NULL)
		return 0;
	if (i + 1 > p->fed)
		p->fed = i + 1;
	/* A reply counts once, at its last line. */
	if (en->kind == TRANSCRIPT_RECEIVED && en->reply != TRANSCRIPT_NO_REPLY) {
		tr = transcript_reply(t, en->reply);
		if (tr != NULL && tr->last_entry != i)
			return 0;
		if (tr != NULL)
			learn_from_reply(p, tr);
	}
	if (p->step >= p->lesson->nsteps || i < p->step_start)
		return 0;
	step = &p->lesson->steps[p->step];
	for (k = 0; k < step->nchecks; k++) {
		const struct check *c = &step->checks[k];

		if (check_is_entry_kind(c) && entry_matches(c, en, tr)) {
			p->satisfied[k] = true;
			expected = true;
		}
	}
	if (!expected) {
		for (k = 0; k < step->nwrongs; k++) {
			if (entry_matches(&step->wrongs[k].check, en, tr)) {
				give_hint(p, tr != NULL ? quote_reply(tr) :
				    en->kind == TRANSCRIPT_WARNING ? quote_line("!! ", en->text, en->len) :
				    NULL, step->wrongs[k].hint);
				bits |= LESSON_HINT;
				break;
			}
		}
		/* A negative reply nobody expected. smtpscope's own warnings are not hints:
		 * they show anyway, and many are advice rather than mistakes. */
		if (k == step->nwrongs && tr != NULL && (reply_class(tr->reply) == 4 ||
		    reply_class(tr->reply) == 5)) {
			give_hint(p, quote_reply(tr), step->hint);
			bits |= LESSON_HINT;
		}
	}
	for (k = 0; k < step->nchecks; k++) {
		const struct check *c = &step->checks[k];

		if (check_is_entry_kind(c) ? !p->satisfied[k] : !status_holds(p, c, st)) {
			all = false;
			break;
		}
	}
	if (all) {
		enter_step(p, p->step + 1, i + 1);
		bits = (bits & ~LESSON_HINT) | LESSON_STEP_PASSED;
		if (p->step == p->lesson->nsteps)
			bits |= LESSON_COMPLETE;
	}
	return bits;
}

unsigned
lesson_progress_catch_up(struct lesson_progress *p, const struct transcript *t,
    const struct engine_status *st)
{
	unsigned bits = 0;
	size_t n = transcript_count(t);

	while (p->fed < n)
		bits |= lesson_progress_feed(p, t, p->fed, st);
	return bits;
}

size_t
lesson_progress_step(const struct lesson_progress *p)
{
	return p->step;
}

bool
lesson_progress_complete(const struct lesson_progress *p)
{
	return p->step >= p->lesson->nsteps;
}

const char *
lesson_progress_hint(const struct lesson_progress *p)
{
	return p->hint;
}

size_t
lesson_progress_hint_count(const struct lesson_progress *p)
{
	return p->hints;
}

/* ---- the explanation ---- */

static const char *
label(const struct kb *kb, const char *name)
{
	const char *text = kb != NULL ? kb_label(kb, name) : NULL;
	size_t i;

	if (text != NULL && strcmp(text, name) != 0)
		return text;
	for (i = 0; lesson_label_names[i] != NULL; i++)
		if (strcmp(lesson_label_names[i], name) == 0)
			return lesson_label_english[i];
	return name;
}

static void
add_section(struct explanation *x, const struct kb *kb, const char *name, char *text, int pre)
{
	struct explanation_section *s;

	if (text == NULL)
		return;
	x->sections = xreallocarray(x->sections, x->nsections + 1, sizeof *x->sections);
	s = &x->sections[x->nsections++];
	s->label = xstrdup(label(kb, name));
	s->name = xstrdup(name);
	s->text = text;
	s->preformatted = pre;
}

static char *
progress_text(const struct lesson_progress *p)
{
	const struct lesson *l = p->lesson;
	char *out = xstrdup(""), *next;
	size_t i;

	for (i = 0; i < l->nsteps; i++) {
		next = xasprintf("%s%s[%s] %zu. %s", out, i ? "\n" : "",
		    i < p->step ? "x" : i == p->step ? ">" : " ", i + 1, l->steps[i].title);
		free(out);
		out = next;
	}
	return out;
}

struct explanation *
lesson_progress_explanation(const struct lesson_progress *p, const struct kb *kb)
{
	const struct lesson *l = p->lesson;
	struct explanation *x = xcalloc(1, sizeof *x);
	const char *title = l->title != NULL ? l->title : l->name;

	x->known = 1;
	if (lesson_progress_complete(p)) {
		x->heading = xasprintf("%s: %s \u2014 %s", label(kb, "lesson"), title,
		    label(kb, "lesson-complete"));
		x->summary = lesson_progress_fill(p, l->summary);
		add_section(x, kb, "lesson-done", lesson_progress_fill(p, l->done), 0);
		add_section(x, kb, "lesson-progress", progress_text(p), 1);
		return x;
	}
	x->heading = xasprintf("%s: %s \u2014 %s %zu %s %zu", label(kb, "lesson"), title,
	    label(kb, "lesson-step"), p->step + 1, label(kb, "lesson-of"), l->nsteps);
	x->summary = lesson_progress_fill(p, l->steps[p->step].title);
	if (p->step == 0)
		add_section(x, kb, "lesson-about", lesson_progress_fill(p, l->description), 0);
	add_section(x, kb, "lesson-try", lesson_progress_fill(p, l->steps[p->step].try_text), 0);
	add_section(x, kb, "lesson-expect", lesson_progress_fill(p, l->steps[p->step].expect), 0);
	if (p->hint != NULL)
		add_section(x, kb, "lesson-hint", xstrdup(p->hint), 0);
	add_section(x, kb, "lesson-progress", progress_text(p), 1);
	return x;
}

struct explanation *
lesson_set_explanation(const struct lesson_set *set, const struct kb *kb)
{
	struct explanation *x = xcalloc(1, sizeof *x);
	char *list = xstrdup(""), *next;
	size_t i;

	x->known = 1;
	x->heading = xstrdup(label(kb, "lesson-list"));
	x->summary = xstrdup(label(kb, "lesson-start"));
	for (i = 0; i < lesson_set_count(set); i++) {
		const struct lesson *l = set->lessons[i];

		next = xasprintf("%s%s- %s: %s", list, i ? "\n" : "", l->name,
		    l->summary != NULL ? l->summary : "");
		free(list);
		list = next;
	}
	if (*list == '\0') {
		free(list);
		list = NULL;
	}
	add_section(x, kb, "lesson-list", list, 0);
	return x;
}
