/* strbuf.h: a growing NUL-terminated string, for building text piece by piece. */
#ifndef SMTPSCOPE_STRBUF_H
#define SMTPSCOPE_STRBUF_H

#include <stddef.h>

/* Start with struct strbuf b = { 0 }; s stays NUL-terminated once anything was added. */
struct strbuf {
	char *s;
	size_t len, cap;
};

/* Appends n bytes of s (which may hold NULs) and keeps the string NUL-terminated. */
void strbuf_addn(struct strbuf *b, const char *s, size_t n);
/* Appends a C string. */
void strbuf_add(struct strbuf *b, const char *s);
/* Copies the C string src into dst (size bytes, size > 0), cut to fit, always NUL-terminated:
 * snprintf("%s") without the cost of a format, for the per-line paths. */
void strbuf_copy_to(char *dst, size_t size, const char *src);
/* Splits off the next word of *cursor (separated by spaces or tabs) in place, ending it with a
 * NUL and moving *cursor past it; NULL when no word is left. */
char *strbuf_next_word(char **cursor);
/* Hands the text over (never NULL: "" when empty) and leaves b empty; the caller frees it. */
char *strbuf_take(struct strbuf *b);

#endif
