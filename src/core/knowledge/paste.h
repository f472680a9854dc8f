/* paste.h: takes apart text pasted into `smtpscope explain -`: a session copied from a
 * terminal, a mail log or a transcript, with or without direction markers ("S:", "C:", "<-",
 * "->", ...). It yields the things to explain in order: each reply (its lines joined, each
 * ending in "\n") with the command it answers, or, when the text holds no reply at all, each
 * line as a word.
 *
 * How odd input is read: lines end at "\n"; a trailing "\r" and spaces are dropped, as are
 * leading blanks. A client line ("C: RCPT TO:<x>", "-> DATA") names the next reply's command
 * (its first word, cut at a blank or ':', at most PASTE_AFTER_MAX - 1 bytes); a lone "." names
 * DATA-END. A reply line is three digits followed by the end, a space or '-'; '-' continues
 * the reply. When some line is a reply with text, other lines are noise and skipped. A reply
 * still open at the end of the text is yielded as it is. NUL ends the text. */
#ifndef SMTPSCOPE_PASTE_H
#define SMTPSCOPE_PASTE_H

#include <stdbool.h>

/* The longest command name kept as a reply's context, with its NUL. */
#define PASTE_AFTER_MAX 32

struct paste_reader;

/* One thing to explain. Both strings belong to the reader and last until the next call. */
struct paste_item {
	const char *text;   /* a reply's lines ("550-a\n550 b\n") or one word or line */
	const char *after;  /* the command it answers ("RCPT", "DATA-END"), or NULL if unknown */
	bool is_reply;      /* text is a reply, not a word */
};

/* A reader over a copy of text. after (may be NULL) is the context of every reply that no
 * client line names, as `--after` gives it. Free with paste_reader_free. */
struct paste_reader *paste_reader_new(const char *text, const char *after);

/* Fills *item with the next thing to explain; false at the end of the text. */
bool paste_reader_next(struct paste_reader *reader, struct paste_item *item);

void paste_reader_free(struct paste_reader *reader);

#endif
