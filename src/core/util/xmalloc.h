/* xmalloc.h: allocation wrappers that abort on out-of-memory, so callers stay readable. */
#ifndef SMTPSCOPE_XMALLOC_H
#define SMTPSCOPE_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

/* Each returns memory the caller owns and frees with free(); none returns NULL. */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
/* Resizes to count * size bytes, aborting on overflow. */
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Formats into a newly allocated string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
