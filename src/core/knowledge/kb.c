/* kb.c: the knowledge base loader. Reads every .txt file of help/<lang> once (format in
 * help/README.md), reports each malformed line as "file:line: what is wrong" and keeps the rest,
 * and answers look-ups through one hash table keyed by kind, key and the command a reply answered.
 * English is always loaded; another language is laid on top and falls back to English per field. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/knowledge/kb.h"
#include "core/util/strbuf.h"
#include "core/util/xmalloc.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/smtpscope"
#endif

/* A help file bigger than this is surely not a help file. */
#define KB_FILE_MAX (16u * 1024 * 1024)

enum kb_kind {
	KIND_CODE, KIND_CLASS, KIND_CATEGORY, KIND_STATUS_CLASS, KIND_SUBJECT, KIND_ENHANCED,
	KIND_COMMAND, KIND_KEYWORD, KIND_SCENARIO, KIND_EVENT, KIND_LABEL, KIND_COMPARE,
	KIND_LESSON, KIND_STEP, KIND_COUNT
};

const char *const kb_kind_names[] = {
	"code", "class", "category", "status-class", "subject", "enhanced", "command", "keyword",
	"scenario", "event", "label", "compare", "lesson", "step", NULL
};

enum kb_field_id {
	F_TITLE, F_DESCRIPTION, F_WHEN, F_FIX, F_NEXT, F_LEARN, F_PHASE, F_DRAWN_BY, F_SYNTAX,
	F_EXAMPLE, F_REPLIES, F_PARAMETERS, F_DIFFERENCES, F_WHICH, F_TEXT,
	/* lesson files (help/lessons/README.md) */
	F_SUMMARY, F_SCENARIO, F_TRY, F_EXPECT, F_CHECK, F_WRONG, F_HINT, F_DONE, F_COUNT
};

const char *const kb_field_names[] = {
	"title", "description", "when", "fix", "next", "learn", "phase", "drawn-by", "syntax",
	"example", "replies", "parameters", "differences", "which", "text",
	"summary", "scenario", "try", "expect", "check", "wrong", "hint", "done", NULL
};

/* One entry as written in one language's files. */
struct kb_raw {
	char *fields[F_COUNT];
	unsigned lines[F_COUNT];   /* where each field's value starts, for later diagnostics */
	const char *file;   /* owned by kb->files */
	unsigned line;
};

/* One kind/key/after: the English and the other language's texts, and the entry to fall back to
 * for fields neither gives. */
struct kb_entry {
	enum kb_kind kind;
	char *key;
	char *after;                   /* NULL for a plain entry */
	struct kb_raw *raw[2];         /* [0] English, [1] the kb's language */
	const struct kb_entry *base;   /* plain entry of a variant, X.N.N of a 5.N.N, or NULL */
};

struct kb {
	char lang[8];
	struct kb_entry **entries;     /* in the order they were first read */
	size_t nentries, entries_cap;
	size_t *table;                 /* open addressing: index + 1 into entries, 0 = empty */
	size_t table_cap;
	char **diags;
	size_t ndiags, diags_cap;
	char **files;
	size_t nfiles, files_cap;
	/* Copies of label names that have no text, so the name kb_label falls back to stays
	 * valid after the caller's (often stack) buffer is gone. A cache: filled through a
	 * const kb. */
	char **missing_labels;
	size_t nmissing, missing_cap;
};

/* ---- small helpers ---- */

static void
kb_diag(struct kb *kb, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
kb_diag(struct kb *kb, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	if (kb->ndiags == kb->diags_cap) {
		kb->diags_cap = kb->diags_cap ? kb->diags_cap * 2 : 16;
		kb->diags = xreallocarray(kb->diags, kb->diags_cap, sizeof *kb->diags);
	}
	if (line > 0)
		kb->diags[kb->ndiags++] = xasprintf("%s:%u: %s", file, line, what);
	else
		kb->diags[kb->ndiags++] = xasprintf("%s: %s", file, what);
	free(what);
}

static uint64_t
hash_add(uint64_t h, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		h ^= (unsigned char)tolower((unsigned char)*s);
		h *= 1099511628211u;
	}
	h ^= 0xff;
	h *= 1099511628211u;
	return h;
}

static uint64_t
entry_hash(enum kb_kind kind, const char *key, const char *after)
{
	uint64_t h = 1469598103934665603u;

	h ^= (uint64_t)kind + 1;
	h *= 1099511628211u;
	h = hash_add(h, key);
	return hash_add(h, after);
}

static bool
same_word(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcasecmp(a, b) == 0;
}

static void
table_insert(struct kb *kb, size_t index)
{
	const struct kb_entry *e = kb->entries[index];
	size_t mask = kb->table_cap - 1;
	size_t i = entry_hash(e->kind, e->key, e->after) & mask;

	while (kb->table[i] != 0)
		i = (i + 1) & mask;
	kb->table[i] = index + 1;
}

static void
table_grow(struct kb *kb)
{
	size_t i;

	free(kb->table);
	kb->table_cap = kb->table_cap ? kb->table_cap * 2 : 256;
	kb->table = xcalloc(kb->table_cap, sizeof *kb->table);
	for (i = 0; i < kb->nentries; i++)
		table_insert(kb, i);
}

static struct kb_entry *
table_get(const struct kb *kb, enum kb_kind kind, const char *key, const char *after)
{
	size_t mask, i;

	if (kb->table_cap == 0)
		return NULL;
	if (after != NULL && *after == '\0')
		after = NULL;
	mask = kb->table_cap - 1;
	i = entry_hash(kind, key, after) & mask;
	for (; kb->table[i] != 0; i = (i + 1) & mask) {
		struct kb_entry *e = kb->entries[kb->table[i] - 1];

		if (e->kind == kind && same_word(e->key, key) && same_word(e->after, after))
			return e;
	}
	return NULL;
}

static struct kb_entry *
table_get_or_add(struct kb *kb, enum kb_kind kind, const char *key, const char *after)
{
	struct kb_entry *e = table_get(kb, kind, key, after);

	if (e != NULL)
		return e;
	if ((kb->nentries + 1) * 10 > kb->table_cap * 7)
		table_grow(kb);
	if (kb->nentries == kb->entries_cap) {
		kb->entries_cap = kb->entries_cap ? kb->entries_cap * 2 : 256;
		kb->entries = xreallocarray(kb->entries, kb->entries_cap, sizeof *kb->entries);
	}
	e = xcalloc(1, sizeof *e);
	e->kind = kind;
	e->key = xstrdup(key);
	e->after = after != NULL ? xstrdup(after) : NULL;
	kb->entries[kb->nentries] = e;
	table_insert(kb, kb->nentries);
	kb->nentries++;
	return e;
}

static int
kind_from_name(const char *name)
{
	int i;

	for (i = 0; kb_kind_names[i] != NULL; i++)
		if (strcmp(kb_kind_names[i], name) == 0)
			return i;
	return -1;
}

static int
field_from_name(const char *name)
{
	int i;

	for (i = 0; kb_field_names[i] != NULL; i++)
		if (strcmp(kb_field_names[i], name) == 0)
			return i;
	return -1;
}

/* ---- key validation, one rule per kind ---- */

static bool
all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* "N" or "N.N" parts of an enhanced code after its class: 1 to 3 digits each. */
static bool
digits_then(const char **p, char stop)
{
	size_t n = 0;

	while (isdigit((unsigned char)**p) && n < 4) {
		(*p)++;
		n++;
	}
	if (n == 0 || n > 3)
		return false;
	if (stop == '\0')
		return **p == '\0';
	if (**p != stop)
		return false;
	(*p)++;
	return true;
}

static bool
key_chars(const char *s, bool upper, const char *extra)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (isdigit(c) || (upper ? isupper(c) : islower(c)) || strchr(extra, c) != NULL)
			continue;
		return false;
	}
	return true;
}

/* NULL when key suits kind, else what a key of that kind looks like. */
static const char *
key_problem(enum kb_kind kind, const char *key)
{
	const char *p;

	switch (kind) {
	case KIND_CODE:
		if (all_digits(key, 3, 3) && key[0] >= '2' && key[0] <= '5')
			return NULL;
		return "a three-digit reply code from 200 to 599";
	case KIND_CLASS:
		if (strlen(key) == 1 && key[0] >= '2' && key[0] <= '5')
			return NULL;
		return "a class digit from 2 to 5";
	case KIND_CATEGORY:
		if (strlen(key) == 3 && key[0] == 'x' && key[1] >= '0' && key[1] <= '5' &&
		    key[2] == 'z')
			return NULL;
		return "a category from x0z to x5z";
	case KIND_STATUS_CLASS:
		if (strlen(key) == 1 && strchr("245", key[0]) != NULL)
			return NULL;
		return "an enhanced status class: 2, 4 or 5";
	case KIND_SUBJECT:
		p = key + 2;
		if (key[0] == 'X' && key[1] == '.' && digits_then(&p, '\0'))
			return NULL;
		return "a subject such as X.7";
	case KIND_ENHANCED:
		p = key + 2;
		if (key[0] != '\0' && strchr("X245", key[0]) != NULL && key[1] == '.' &&
		    digits_then(&p, '.') && digits_then(&p, '\0'))
			return NULL;
		return "an enhanced status code such as X.1.1 or 5.7.1";
	case KIND_COMMAND:
		if (key_chars(key, true, "-"))
			return NULL;
		return "an upper-case command verb";
	case KIND_KEYWORD:
		if (key_chars(key, true, "-=") && strchr(key, '=') == strrchr(key, '=') &&
		    (strchr(key, '=') == NULL || key[strlen(key) - 1] == '='))
			return NULL;
		return "an upper-case EHLO keyword";
	case KIND_SCENARIO:
	case KIND_EVENT:
	case KIND_LABEL:
	case KIND_LESSON:
		if (key_chars(key, false, "-_.") && islower((unsigned char)key[0]))
			return NULL;
		return "a lower-case name such as connect-refused";
	case KIND_COMPARE:
		p = strchr(key, '/');
		if (p != NULL && p != key && p[1] != '\0' && strchr(p + 1, '/') == NULL)
			return NULL;
		return "two keys joined by '/', such as 450/550";
	case KIND_STEP:
		if (all_digits(key, 1, 3) && key[0] != '0')
			return NULL;
		return "a step number from 1 to 999";
	case KIND_COUNT:
		break;
	}
	return "a key";
}

static bool
context_ok(const char *context)
{
	if (strcmp(context, "greeting") == 0)
		return true;
	return key_chars(context, true, "-");
}

/* ---- the parser ---- */

enum parse_state {
	PS_NO_ENTRY,   /* before the first header of the file */
	PS_ENTRY,      /* inside a good entry */
	PS_SKIP,       /* inside an entry that was rejected: its fields are dropped */
};

struct parser {
	struct kb *kb;
	const char *file;
	int lang;                  /* 0 English, 1 the other language */
	enum parse_state state;
	struct kb_raw *raw;        /* the entry being filled */
	enum kb_kind kind;         /* its kind */
	unsigned field_line[F_COUNT];
	int field;                 /* the field being filled, or -1 */
	unsigned field_start;
	unsigned value_line;       /* the line the value starts on, 0 while it is empty */
	struct strbuf value;
	size_t first_indent;       /* indentation of the field's first continuation line */
	bool have_indent;
	unsigned pending_blanks;   /* blank lines seen inside the field */
};

static void
end_field(struct parser *p)
{
	if (p->field < 0) {
		p->field = -1;
		return;
	}
	if (p->value.len == 0) {
		kb_diag(p->kb, p->file, p->field_start, "field '%s' has an empty value",
		    kb_field_names[p->field]);
		free(p->value.s);
	} else {
		p->raw->fields[p->field] = p->value.s;
		p->raw->lines[p->field] = p->value_line ? p->value_line : p->field_start;
	}
	p->value.s = NULL;
	p->value.len = p->value.cap = 0;
	p->field = -1;
	p->pending_blanks = 0;
	p->have_indent = false;
}

static void
end_entry(struct parser *p)
{
	end_field(p);
	p->raw = NULL;
}

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

static void
parse_header(struct parser *p, char *line, unsigned lineno)
{
	char *cursor = line + 1, *kind_name, *key, *word, *context = NULL;
	const char *problem;
	struct kb_entry *entry;
	struct kb_raw *raw;
	int kind;

	end_entry(p);
	p->state = PS_SKIP;
	kind_name = next_word(&cursor);
	if (kind_name == NULL) {
		kb_diag(p->kb, p->file, lineno, "header without a kind: '@' must be followed by "
		    "a kind such as code");
		return;
	}
	kind = kind_from_name(kind_name);
	if (kind < 0) {
		kb_diag(p->kb, p->file, lineno, "unknown kind '@%s'", kind_name);
		return;
	}
	key = next_word(&cursor);
	if (key == NULL) {
		kb_diag(p->kb, p->file, lineno, "header '@%s' has no key", kind_name);
		return;
	}
	word = next_word(&cursor);
	if (word != NULL) {
		if (strcmp(word, "after") != 0) {
			kb_diag(p->kb, p->file, lineno, "unexpected '%s' after the key (a key is "
			    "one word; a variant is written 'after COMMAND')", word);
			return;
		}
		context = next_word(&cursor);
		if (context == NULL) {
			kb_diag(p->kb, p->file, lineno, "'after' needs a command, 'greeting' or "
			    "'DATA-END'");
			return;
		}
		if (!context_ok(context)) {
			kb_diag(p->kb, p->file, lineno, "bad context '%s' after 'after': expected "
			    "an upper-case command, 'greeting' or 'DATA-END'", context);
			return;
		}
		if (next_word(&cursor) != NULL) {
			kb_diag(p->kb, p->file, lineno, "unexpected text after the context '%s'",
			    context);
			return;
		}
	}
	problem = key_problem((enum kb_kind)kind, key);
	if (problem != NULL) {
		kb_diag(p->kb, p->file, lineno, "bad key '%s' for @%s: expected %s", key,
		    kind_name, problem);
		return;
	}
	entry = table_get_or_add(p->kb, (enum kb_kind)kind, key, context);
	if (entry->raw[p->lang] != NULL) {
		kb_diag(p->kb, p->file, lineno, "entry '@%s %s%s%s' given twice (first at %s:%u)",
		    kind_name, key, context ? " after " : "", context ? context : "",
		    entry->raw[p->lang]->file, entry->raw[p->lang]->line);
		return;
	}
	raw = xcalloc(1, sizeof *raw);
	raw->file = p->file;
	raw->line = lineno;
	entry->raw[p->lang] = raw;
	p->raw = raw;
	p->kind = (enum kb_kind)kind;
	p->state = PS_ENTRY;
	memset(p->field_line, 0, sizeof p->field_line);
}

static void
parse_field(struct parser *p, char *line, char *colon, unsigned lineno)
{
	const char *value;
	int field;

	*colon = '\0';
	value = colon + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	end_field(p);
	if (p->state == PS_NO_ENTRY) {
		kb_diag(p->kb, p->file, lineno, "field '%s' before any header (such as '@code "
		    "550')", line);
		p->field = -2;
		return;
	}
	if (p->state == PS_SKIP)
		return;
	field = field_from_name(line);
	if (field < 0) {
		kb_diag(p->kb, p->file, lineno, "unknown field '%s'", line);
		p->field = -2;
		return;
	}
	if (p->raw->fields[field] != NULL || p->field_line[field] != 0) {
		kb_diag(p->kb, p->file, lineno, "field '%s' given twice in one entry (first on "
		    "line %u)", line, p->field_line[field]);
		p->field = -2;
		return;
	}
	p->field_line[field] = lineno;
	p->field = field;
	p->field_start = lineno;
	p->value_line = *value != '\0' ? lineno : 0;
	if (*value != '\0')
		strbuf_addn(&p->value, value, strlen(value));
}

/* An indented line (indent = bytes of leading space) or a blank line inside a field. */
static void
parse_continuation(struct parser *p, const char *line, size_t indent, unsigned lineno)
{
	const char *text;
	size_t strip;

	if (p->field == -2 || p->state == PS_SKIP)
		return;
	if (p->field < 0) {
		kb_diag(p->kb, p->file, lineno, "indented text outside a field (a continuation "
		    "line must follow a 'name:' line)");
		p->field = -2;
		return;
	}
	if (!p->have_indent) {
		p->first_indent = indent;
		p->have_indent = true;
	}
	strip = indent < p->first_indent ? indent : p->first_indent;
	if (p->value_line == 0)
		p->value_line = lineno;
	text = line + strip;
	if (p->value.len > 0)
		strbuf_addn(&p->value, p->pending_blanks > 0 ? "\n\n" : "\n",
		    p->pending_blanks > 0 ? 2 : 1);
	p->pending_blanks = 0;
	strbuf_addn(&p->value, text, strlen(text));
}

/* True when s is valid UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). */
static bool
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len, k;
		uint32_t cp;
		uint64_t word;

		/* Eight ASCII bytes at a time: the help text is mostly ASCII. */
		if (i + 8 <= n) {
			memcpy(&word, s + i, 8);
			if ((word & 0x8080808080808080u) == 0) {
				i += 8;
				continue;
			}
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static void
parse_line(struct parser *p, char *line, size_t len, unsigned lineno)
{
	size_t indent = 0;
	char *colon;

	/* Trailing white space (and the CR of a CRLF file) means nothing. */
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
	    line[len - 1] == '\t'))
		line[--len] = '\0';
	if (memchr(line, '\0', len) != NULL || !utf8_valid((unsigned char *)line, len)) {
		kb_diag(p->kb, p->file, lineno, "not valid UTF-8 text (the line is skipped)");
		return;
	}
	if (len == 0) {
		if (p->field >= 0 && p->value.len > 0)
			p->pending_blanks++;
		return;
	}
	if (line[0] == '#')
		return;
	while (line[indent] == ' ' || line[indent] == '\t')
		indent++;
	if (indent > 0) {
		parse_continuation(p, line, indent, lineno);
		return;
	}
	if (line[0] == '@') {
		parse_header(p, line, lineno);
		return;
	}
	colon = strchr(line, ':');
	if (colon != NULL && colon != line && isalpha((unsigned char)line[0])) {
		const char *c;

		for (c = line; c < colon; c++)
			if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
				break;
		if (c == colon) {
			parse_field(p, line, colon, lineno);
			return;
		}
	}
	end_field(p);
	if (p->state == PS_ENTRY)
		p->field = -2;
	kb_diag(p->kb, p->file, lineno, "text in column 1 that is neither a header, a field nor "
	    "a comment (indent it to continue a field)");
}

static void
parse_buffer(struct kb *kb, const char *file, int lang, char *data, size_t size)
{
	struct parser p;
	unsigned lineno = 0;
	char *line = data, *end = data + size;

	memset(&p, 0, sizeof p);
	p.kb = kb;
	p.file = file;
	p.lang = lang;
	p.state = PS_NO_ENTRY;
	p.field = -1;
	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t len = nl != NULL ? (size_t)(nl - line) : (size_t)(end - line);

		line[len] = '\0';
		parse_line(&p, line, len, ++lineno);
		line += len + 1;
	}
	end_entry(&p);
}

static const char *
remember_file(struct kb *kb, const char *path)
{
	if (kb->nfiles == kb->files_cap) {
		kb->files_cap = kb->files_cap ? kb->files_cap * 2 : 16;
		kb->files = xreallocarray(kb->files, kb->files_cap, sizeof *kb->files);
	}
	kb->files[kb->nfiles] = xstrdup(path);
	return kb->files[kb->nfiles++];
}

static void
load_file(struct kb *kb, const char *path, int lang)
{
	const char *file = remember_file(kb, path);
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *data;
	size_t got;

	if (f == NULL) {
		kb_diag(kb, file, 0, "cannot be read: %s", strerror(errno));
		return;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		kb_diag(kb, file, 0, "is not a regular file");
		fclose(f);
		return;
	}
	if ((uintmax_t)st.st_size > KB_FILE_MAX) {
		kb_diag(kb, file, 0, "is too big for a help file (over %u bytes)", KB_FILE_MAX);
		fclose(f);
		return;
	}
	data = xmalloc((size_t)st.st_size + 1);
	got = fread(data, 1, (size_t)st.st_size, f);
	if (ferror(f))
		kb_diag(kb, file, 0, "read error: %s", strerror(errno));
	fclose(f);
	data[got] = '\0';
	parse_buffer(kb, file, lang, data, got);
	free(data);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every *.txt of dir/sub in name order. Returns -1 with errno when the folder can't be
 * opened. */
static int
load_language(struct kb *kb, const char *dir, const char *sub, int lang)
{
	char *path = xasprintf("%s/%s", dir, sub);
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (d == NULL) {
		int saved = errno;

		free(path);
		errno = saved;
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ".txt") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xreallocarray(names, cap, sizeof *names);
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, compare_names);
	for (i = 0; i < n; i++) {
		char *file = xasprintf("%s/%s", path, names[i]);

		load_file(kb, file, lang);
		free(file);
		free(names[i]);
	}
	free(names);
	free(path);
	return 0;
}

/* Links each variant to its plain entry and each 4.N.N / 5.N.N to X.N.N, once after loading, so
 * look-ups need no string work. */
static void
link_bases(struct kb *kb)
{
	size_t i;

	for (i = 0; i < kb->nentries; i++) {
		struct kb_entry *e = kb->entries[i];

		if (e->after != NULL) {
			e->base = table_get(kb, e->kind, e->key, NULL);
			if (e->base == NULL && e->kind == KIND_ENHANCED && e->key[0] != 'X') {
				char *x = xstrdup(e->key);

				x[0] = 'X';
				e->base = table_get(kb, e->kind, x, e->after);
				if (e->base == NULL)
					e->base = table_get(kb, e->kind, x, NULL);
				free(x);
			}
		} else if (e->kind == KIND_ENHANCED && e->key[0] != 'X') {
			char *x = xstrdup(e->key);

			x[0] = 'X';
			e->base = table_get(kb, e->kind, x, NULL);
			free(x);
		}
	}
}

/* Only letters, two or three of them, may name a language folder. */
static bool
lang_ok(const char *lang)
{
	size_t n = strlen(lang), i;

	if (n < 2 || n > 3)
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)lang[i]))
			return false;
	return true;
}

struct kb *
kb_load(const char *dir, const char *lang, char **errstr)
{
	struct kb *kb = xcalloc(1, sizeof *kb);

	snprintf(kb->lang, sizeof kb->lang, "en");
	if (load_language(kb, dir, "en", 0) != 0) {
		if (errstr != NULL)
			*errstr = xasprintf("cannot read the help folder %s/en: %s", dir,
			    strerror(errno));
		kb_free(kb);
		return NULL;
	}
	if (lang != NULL && strcmp(lang, "en") != 0 && lang_ok(lang)) {
		if (load_language(kb, dir, lang, 1) == 0)
			snprintf(kb->lang, sizeof kb->lang, "%s", lang);
	}
	link_bases(kb);
	return kb;
}

struct kb *
kb_load_buffer(const char *name, const void *data, size_t len)
{
	struct kb *kb = xcalloc(1, sizeof *kb);
	const char *file = remember_file(kb, name != NULL ? name : "(buffer)");
	char *copy = xmalloc(len + 1);

	snprintf(kb->lang, sizeof kb->lang, "en");
	if (len > 0)
		memcpy(copy, data, len);
	copy[len] = '\0';
	parse_buffer(kb, file, 0, copy, len);
	free(copy);
	link_bases(kb);
	return kb;
}

static void
raw_free(struct kb_raw *raw)
{
	size_t i;

	if (raw == NULL)
		return;
	for (i = 0; i < F_COUNT; i++)
		free(raw->fields[i]);
	free(raw);
}

void
kb_free(struct kb *kb)
{
	size_t i;

	if (kb == NULL)
		return;
	for (i = 0; i < kb->nentries; i++) {
		raw_free(kb->entries[i]->raw[0]);
		raw_free(kb->entries[i]->raw[1]);
		free(kb->entries[i]->key);
		free(kb->entries[i]->after);
		free(kb->entries[i]);
	}
	for (i = 0; i < kb->ndiags; i++)
		free(kb->diags[i]);
	for (i = 0; i < kb->nfiles; i++)
		free(kb->files[i]);
	free(kb->entries);
	free(kb->table);
	free(kb->diags);
	free(kb->files);
	for (i = 0; i < kb->nmissing; i++)
		free(kb->missing_labels[i]);
	free(kb->missing_labels);
	free(kb);
}

size_t
kb_diagnostic_count(const struct kb *kb)
{
	return kb != NULL ? kb->ndiags : 0;
}

const char *
kb_diagnostic(const struct kb *kb, size_t i)
{
	return kb != NULL && i < kb->ndiags ? kb->diags[i] : NULL;
}

const char *
kb_language(const struct kb *kb)
{
	return kb->lang;
}

/* ---- look-ups ---- */

/* The first word of a context ("RCPT TO:<a@b>" means RCPT), bounded. */
static const char *
context_word(const char *after, char *buf, size_t size)
{
	size_t n = 0;

	if (after == NULL)
		return NULL;
	while (*after == ' ')
		after++;
	while (after[n] != '\0' && after[n] != ' ' && after[n] != '\t' && n + 1 < size) {
		buf[n] = after[n];
		n++;
	}
	buf[n] = '\0';
	return n > 0 ? buf : NULL;
}

const struct kb_entry *
kb_find_exact(const struct kb *kb, const char *kind, const char *key, const char *after)
{
	int k;
	char ctx[32];

	if (kb == NULL || kind == NULL || key == NULL || (k = kind_from_name(kind)) < 0)
		return NULL;
	return table_get(kb, (enum kb_kind)k, key, context_word(after, ctx, sizeof ctx));
}

const struct kb_entry *
kb_find(const struct kb *kb, const char *kind, const char *key, const char *after)
{
	const struct kb_entry *e;
	int k;
	char ctx[32], x[32];

	if (kb == NULL || kind == NULL || key == NULL || (k = kind_from_name(kind)) < 0)
		return NULL;
	after = context_word(after, ctx, sizeof ctx);
	if (after != NULL && (e = table_get(kb, (enum kb_kind)k, key, after)) != NULL)
		return e;
	if ((e = table_get(kb, (enum kb_kind)k, key, NULL)) != NULL)
		return e;
	if (k == KIND_ENHANCED && key[0] != 'X' && key[0] != 'x' && strlen(key) < sizeof x) {
		snprintf(x, sizeof x, "%s", key);
		x[0] = 'X';
		if (after != NULL && (e = table_get(kb, KIND_ENHANCED, x, after)) != NULL)
			return e;
		return table_get(kb, KIND_ENHANCED, x, NULL);
	}
	return NULL;
}

const char *
kb_field(const struct kb *kb, const struct kb_entry *entry, const char *field)
{
	int f = field != NULL ? field_from_name(field) : -1;
	int hops, lang;

	if (kb == NULL || f < 0)
		return NULL;
	/* The kb's language first, along the whole chain (variant -> plain -> X.N.N), then
	 * English along it: a learner reading Indonesian gets Indonesian whenever some entry of
	 * the chain has it. The bound on hops guards against a cycle. */
	for (lang = 1; lang >= 0; lang--) {
		const struct kb_entry *e = entry;

		for (hops = 0; e != NULL && hops < 4; e = e->base, hops++)
			if (e->raw[lang] != NULL && e->raw[lang]->fields[f] != NULL)
				return e->raw[lang]->fields[f];
	}
	return NULL;
}

unsigned
kb_field_line(const struct kb *kb, const struct kb_entry *entry, const char *field)
{
	int f = field != NULL ? field_from_name(field) : -1;
	int hops, lang;

	if (kb == NULL || f < 0)
		return 0;
	/* The same chain as kb_field, so the line is that of the text kb_field gives. */
	for (lang = 1; lang >= 0; lang--) {
		const struct kb_entry *e = entry;

		for (hops = 0; e != NULL && hops < 4; e = e->base, hops++)
			if (e->raw[lang] != NULL && e->raw[lang]->fields[f] != NULL)
				return e->raw[lang]->lines[f];
	}
	return 0;
}

unsigned
kb_entry_line(const struct kb_entry *entry)
{
	if (entry == NULL)
		return 0;
	return entry->raw[0] != NULL ? entry->raw[0]->line :
	    entry->raw[1] != NULL ? entry->raw[1]->line : 0;
}

const char *
kb_field_in(const struct kb *kb, const struct kb_entry *entry, const char *field,
    const char *lang)
{
	int f = field != NULL ? field_from_name(field) : -1;
	int which;

	if (kb == NULL || entry == NULL || f < 0 || lang == NULL)
		return NULL;
	if (strcmp(lang, "en") == 0)
		which = 0;
	else if (strcmp(lang, kb->lang) == 0)
		which = 1;
	else
		return NULL;
	return entry->raw[which] != NULL ? entry->raw[which]->fields[f] : NULL;
}

const char *
kb_entry_kind(const struct kb_entry *entry)
{
	return kb_kind_names[entry->kind];
}

const char *
kb_entry_key(const struct kb_entry *entry)
{
	return entry->key;
}

const char *
kb_entry_after(const struct kb_entry *entry)
{
	return entry->after;
}

void
kb_each(const struct kb *kb, const char *kind,
    void (*fn)(void *ctx, const struct kb_entry *entry), void *ctx)
{
	int k = kind != NULL ? kind_from_name(kind) : -1;
	size_t i;

	if (kb == NULL || k < 0)
		return;
	for (i = 0; i < kb->nentries; i++)
		if (kb->entries[i]->kind == (enum kb_kind)k && kb->entries[i]->after == NULL)
			fn(ctx, kb->entries[i]);
}

/* The kb's own copy of a label name that has no text. */
static const char *
missing_label(const struct kb *kb, const char *name)
{
	struct kb *cache = (struct kb *)kb;
	size_t i;

	for (i = 0; i < kb->nmissing; i++)
		if (strcmp(kb->missing_labels[i], name) == 0)
			return kb->missing_labels[i];
	if (cache->nmissing == cache->missing_cap) {
		cache->missing_cap = cache->missing_cap ? 2 * cache->missing_cap : 16;
		cache->missing_labels = xreallocarray(cache->missing_labels, cache->missing_cap,
		    sizeof *cache->missing_labels);
	}
	cache->missing_labels[cache->nmissing] = xstrdup(name);
	return cache->missing_labels[cache->nmissing++];
}

const char *
kb_label(const struct kb *kb, const char *name)
{
	const struct kb_entry *e;
	const char *text;

	if (kb == NULL || name == NULL)
		return name;
	e = table_get(kb, KIND_LABEL, name, NULL);
	text = e != NULL ? kb_field(kb, e, "text") : NULL;
	return text != NULL ? text : missing_label(kb, name);
}

/* ---- where the files are, and which language ---- */

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && access(path, R_OK | X_OK) == 0;
}

/* True when the running binary sits in the top of the build tree (not installed). */
static bool
running_from_build_tree(void)
{
#ifdef ABS_TOP_BUILDDIR
	char exe[PATH_MAX], *slash, *top;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	bool same;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return false;
	*slash = '\0';
	top = realpath(ABS_TOP_BUILDDIR, NULL);
	same = top != NULL && strcmp(top, exe) == 0;
	free(top);
	return same;
#else
	return false;
#endif
}

char *
kb_find_dir(const char *option, char **errstr)
{
	const char *env;

	if (option != NULL && *option != '\0') {
		if (is_dir(option))
			return xstrdup(option);
		if (errstr != NULL)
			*errstr = xasprintf("the help folder %s cannot be read: %s", option,
			    access(option, F_OK) != 0 ? strerror(errno) : "not a readable folder");
		return NULL;
	}
	env = getenv("SMTPSCOPE_HELP_DIR");
	if (env != NULL && *env != '\0') {
		if (is_dir(env))
			return xstrdup(env);
		if (errstr != NULL)
			*errstr = xasprintf("the help folder %s (from SMTPSCOPE_HELP_DIR) cannot be "
			    "read", env);
		return NULL;
	}
#ifdef ABS_TOP_SRCDIR
	if (running_from_build_tree() && is_dir(ABS_TOP_SRCDIR "/help"))
		return xstrdup(ABS_TOP_SRCDIR "/help");
#endif
	if (is_dir(PKGDATADIR "/help"))
		return xstrdup(PKGDATADIR "/help");
	if (errstr != NULL)
		*errstr = xasprintf("the help folder %s cannot be read (is smtpscope installed? "
		    "--help-dir DIR or SMTPSCOPE_HELP_DIR points at another)", PKGDATADIR "/help");
	return NULL;
}

/* "id_ID.UTF-8" -> "id"; NULL for C, POSIX and anything that is not a language name. */
static char *
language_of(const char *value)
{
	char lang[4];
	size_t n = 0;

	while (n < 3 && isalpha((unsigned char)value[n])) {
		lang[n] = (char)tolower((unsigned char)value[n]);
		n++;
	}
	if (n < 2 || isalpha((unsigned char)value[n]))
		return NULL;
	if (value[n] != '\0' && value[n] != '_' && value[n] != '.' && value[n] != '@' &&
	    value[n] != '-' && value[n] != ':')
		return NULL;
	lang[n] = '\0';
	return xstrdup(lang);
}

char *
kb_pick_language(const char *option)
{
	static const char *const vars[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" };
	char *lang;
	size_t i;

	if (option != NULL && *option != '\0')
		return (lang = language_of(option)) != NULL ? lang : xstrdup("en");
	for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);

		if (v == NULL || *v == '\0')
			continue;
		lang = language_of(v);
		return lang != NULL ? lang : xstrdup("en");
	}
	return xstrdup("en");
}
