/* strbuf.c: a growing NUL-terminated string, doubling its room as it fills. */
#include "config.h"

#include <string.h>

#include "core/util/strbuf.h"
#include "core/util/xmalloc.h"

void
strbuf_addn(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xreallocarray(b->s, cap, 1);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
strbuf_add(struct strbuf *b, const char *s)
{
	strbuf_addn(b, s, strlen(s));
}

char *
strbuf_take(struct strbuf *b)
{
	char *s = b->s != NULL ? b->s : xstrdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void
strbuf_copy_to(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

char *
strbuf_next_word(char **cursor)
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
