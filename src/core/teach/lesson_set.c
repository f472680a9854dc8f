/* lesson_set.c: the lesson set: reads lesson files with the knowledge base's parser (kinds
 * @lesson and @step, format in help/lessons/README.md), lays a translation over the English,
 * validates each lesson and compiles its steps' checks, keeps what was wrong as diagnostics,
 * and answers questions about the lessons it holds. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/teach/lesson_internal.h"
#include "core/util/xmalloc.h"

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
		lesson_check_clear(&st->checks[i]);
	free(st->checks);
	for (i = 0; i < st->nwrongs; i++) {
		lesson_check_clear(&st->wrongs[i].check);
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
		const char *trimmed = lesson_rest_of(one);
		struct check c;
		const char *why;

		if (*trimmed != '\0') {
			why = lesson_check_parse(trimmed, &c);
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

		pattern = lesson_rest_of(one);
		if (*pattern != '\0') {
			arrow = strstr(one, "->");
			if (arrow == NULL) {
				why = "write 'PATTERN -> HINT'";
			} else {
				*arrow = '\0';
				hint = lesson_rest_of(arrow + 2);
				pattern = lesson_rest_of(one);
				if (*hint == '\0')
					why = "the hint after '->' is empty";
				else if ((why = lesson_check_parse(pattern, &c)) == NULL &&
				    !lesson_check_is_entry_kind(&c)) {
					lesson_check_clear(&c);
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
