/* xmalloc.c: allocation wrappers that abort on out-of-memory instead of returning NULL. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/xmalloc.h"

static void
xmalloc_fail(const char *what, size_t size)
{
	fprintf(stderr, "smtpscope: out of memory (%s of %zu bytes)\n", what, size);
	abort();
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		xmalloc_fail("malloc", size);
	return p;
}

void *
xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		xmalloc_fail("calloc", count * size);
	return p;
}

void *
xreallocarray(void *ptr, size_t count, size_t size)
{
	void *p;

	if (size != 0 && count > SIZE_MAX / size)
		xmalloc_fail("reallocarray overflow", SIZE_MAX);
	p = realloc(ptr, count * size != 0 ? count * size : 1);
	if (p == NULL)
		xmalloc_fail("realloc", count * size);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list copy;
	int len;
	char *p;

	va_copy(copy, ap);
	len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (len < 0)
		xmalloc_fail("vasprintf", 0);
	p = xmalloc((size_t)len + 1);
	vsnprintf(p, (size_t)len + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}
