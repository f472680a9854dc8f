/* kb_parse.c: the reader of the help file format (help/README.md): headers, fields and
 * their continuation lines, one rule per kind for keys; reports each malformed line as
 * "file:line: what is wrong" and keeps the rest. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/knowledge/kb_internal.h"
#include "core/util/strbuf.h"
#include "core/util/xmalloc.h"

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
	kind_name = strbuf_next_word(&cursor);
	if (kind_name == NULL) {
		kb_diag(p->kb, p->file, lineno, "header without a kind: '@' must be followed by "
		    "a kind such as code");
		return;
	}
	kind = kb_kind_from_name(kind_name);
	if (kind < 0) {
		kb_diag(p->kb, p->file, lineno, "unknown kind '@%s'", kind_name);
		return;
	}
	key = strbuf_next_word(&cursor);
	if (key == NULL) {
		kb_diag(p->kb, p->file, lineno, "header '@%s' has no key", kind_name);
		return;
	}
	word = strbuf_next_word(&cursor);
	if (word != NULL) {
		if (strcmp(word, "after") != 0) {
			kb_diag(p->kb, p->file, lineno, "unexpected '%s' after the key (a key is "
			    "one word; a variant is written 'after COMMAND')", word);
			return;
		}
		context = strbuf_next_word(&cursor);
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
		if (strbuf_next_word(&cursor) != NULL) {
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
	entry = kb_table_get_or_add(p->kb, (enum kb_kind)kind, key, context);
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
	field = kb_field_from_name(line);
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

void
kb_parse_buffer(struct kb *kb, const char *file, int lang, char *data, size_t size)
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
