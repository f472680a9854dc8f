/* escape.h: one set of rules for showing bytes that came from elsewhere (a server, a client, a
 * capture) as text that is safe to print, log or save: nothing reaches the output that could
 * move a cursor, change colours or hide what was sent.
 *
 * The rule every caller shares: printable ASCII (0x20..0x7e) passes as it is, a backslash
 * doubles ("\\"), and every other byte is written as \xHH (two lower-case hex digits). The
 * flags below change only what they name, so one call serves a terminal, a log, the saved
 * transcript format and the exports alike. */
#ifndef SMTPSCOPE_ESCAPE_H
#define SMTPSCOPE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct strbuf;

enum escape_flags {
	/* CR, LF and TAB as \r \n \t (otherwise \x0d \x0a \x09). */
	ESCAPE_NAMED = 1u << 0,
	/* NUL as \0 (otherwise \x00): AUTH PLAIN responses hold NULs and read better so. */
	ESCAPE_NUL = 1u << 1,
	/* A valid UTF-8 character that is safe to show passes as it is (see
	 * escape_utf8_safe_len); invalid, overlong, surrogate and hidden ones stay \xHH bytes. */
	ESCAPE_UTF8 = 1u << 2,
	/* '"' as \" : for a value written between double quotes. */
	ESCAPE_QUOTE = 1u << 3,
	/* A space as the very last byte as \x20, so editors that strip trailing spaces keep it. */
	ESCAPE_END_SPACE = 1u << 4,
};

/* The most bytes one input byte (or one UTF-8 character) becomes: "\xHH" or 4 UTF-8 bytes. */
#define ESCAPE_UNIT_MAX 4

/* Appends text[0..len) escaped to b. */
void escape_append(struct strbuf *b, const char *text, size_t len, unsigned flags);

/* text[0..len) escaped, as a new NUL-terminated string the caller frees. Made in one
 * allocation that is never copied, so after explicit_bzero of the result no copy of a secret
 * escaped here is left behind. */
char *escape_str(const char *text, size_t len, unsigned flags);

/* Writes text[0..len) escaped to fp. Returns 0, or -1 when a write failed. */
int escape_write(FILE *fp, const char *text, size_t len, unsigned flags);

/* The step the three above are made of, for a caller with its own output buffer: escapes text
 * from *pos on into out[0..cap), stops before a piece that would not fit whole, advances *pos
 * past what was written and returns the bytes written. With cap >= ESCAPE_UNIT_MAX it always
 * makes progress while *pos < len. */
size_t escape_chunk(const char *text, size_t len, size_t *pos, unsigned flags, char *out,
    size_t cap);

/* Decodes one strict UTF-8 character at s (no overlong forms, no surrogates, nothing past
 * U+10FFFF; ASCII is a character of length 1). Returns its length and sets *cp, or returns 0
 * when s[0..len) does not start with a valid character. */
size_t escape_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* True for code points that must not be shown as they are: C0 and C1 controls, DEL, and the
 * printable ones that reorder or hide text (bidirectional marks and overrides, zero-width
 * characters, line and paragraph separators, the byte order mark). */
bool escape_codepoint_hidden(uint32_t cp);

/* Length of a valid, non-ASCII UTF-8 character at s that is safe to show as it is, or 0. */
size_t escape_utf8_safe_len(const unsigned char *s, size_t len);

#endif
