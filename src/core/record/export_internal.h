/* export_internal.h: what the parts of the export writer share (private to core/record/):
 * the writer itself, its output buffer, the escaping of wire bytes for each format, and the
 * table of what each format writes (export_text.c, export_markdown.c, export_html.c). */
#ifndef SMTPSCOPE_EXPORT_INTERNAL_H
#define SMTPSCOPE_EXPORT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/knowledge/explain.h"
#include "core/record/export.h"

#define EXPORT_CACHE_SIZE 512   /* slots; a power of two */

enum escape_mode { ESC_TEXT, ESC_HTML, ESC_MD_CODE, ESC_MD_PROSE };

/* An output buffer: either in front of a FILE (flushed in large writes, which is much
 * cheaper than stdio call by call) or growing in memory (to keep a rendering for the cache). */
struct obuf {
	char *data;
	size_t len, cap;
	FILE *sink;       /* NULL: memory only */
	bool failed;      /* a write to the sink failed */
};

#define OBUF_SIZE ((size_t)256 * 1024)

/* A cached explanation: what to write when the same explanation comes again, in two parts so
 * a latency can go between them. */
struct cache_entry {
	char *key;
	size_t key_len;
	unsigned long hash;
	char *head;        /* up to where a latency goes */
	size_t head_len;
	char *tail;        /* the rest */
	size_t tail_len;
};

struct export_writer {
	struct obuf main;
	struct obuf *o;      /* where writing goes now: main, or a cache rendering */
	const struct kb *kb;
	struct export_options opts;
	const struct export_format_ops *fmt;  /* what the format writes */
	bool in_wire;        /* a block of wire lines is open (Markdown fence, HTML div) */
	struct cache_entry cache[EXPORT_CACHE_SIZE];
	size_t cache_fill;
	int next_id;
	unsigned long nlines, nreplies, nclass[6];
	int64_t stamp_secs;      /* the second stamp_prefix shows ("10:00:01.") */
	char stamp_prefix[16];
};

/* What one format writes; export.c decides when, the format's file decides how. */
struct export_format_ops {
	/* The document's start and end. */
	void (*head)(struct export_writer *w);
	void (*foot)(struct export_writer *w);
	/* Opens (open) or closes the block that wire lines sit in; NULL: no such block. */
	void (*wire_block)(struct export_writer *w, bool open);
	/* One wire line, with its time stamp ("" when none), its mark ("C:", "" ...) and the
	 * length it had before it was cut. */
	void (*line)(struct export_writer *w, const struct export_line *line, const char *stamp,
	    const char *mark, size_t full);
	/* An explanation's heading up to where the latency goes (id > 0: the anchor a repeat
	 * points to; ref > 0: this is a repeat of ref), the latency ("12.345 ms"), and the rest:
	 * summary, short detail, the link back. */
	void (*heading_head)(struct export_writer *w, int cls, const char *heading, int id,
	    int ref);
	void (*latency)(struct export_writer *w, const char *latency);
	void (*heading_tail)(struct export_writer *w, const char *summary, const char *detail,
	    int ref);
	/* One section of a full explanation (never empty), and the end of an explanation. */
	void (*section)(struct export_writer *w, const struct explanation_section *sec);
	void (*end)(struct export_writer *w);
};

extern const struct export_format_ops export_text_ops;
extern const struct export_format_ops export_markdown_ops;
extern const struct export_format_ops export_html_ops;

/* The output buffer (export_buf.c). */
void export_ob_flush(struct obuf *o);
void export_ob_write(struct obuf *o, const void *p, size_t n);
/* Makes room for n more bytes: flushes to the sink, or grows a memory buffer. */
void export_ob_room(struct obuf *o, size_t n);
void export_ob_printf(struct obuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void
export_ob_puts(struct obuf *o, const char *s)
{
	export_ob_write(o, s, strlen(s));
}

static inline void
export_ob_putc(struct obuf *o, char c)
{
	if (o->len < o->cap)
		o->data[o->len++] = c;
	else
		export_ob_write(o, &c, 1);
}

/* Escaping (export_escape.c). export_escape_init fills the tables once, before any writing. */
void export_escape_init(void);
/* Writes len bytes escaped for mode; keep_newlines lets '\n' through (our own prose, HTML
 * and Markdown prose only). */
void export_put_escaped(struct obuf *out, const char *text, size_t len, enum escape_mode mode,
    bool utf8, bool keep_newlines);
/* s (NUL-terminated) escaped for mode, to where the writer writes now. */
void export_put_str(struct export_writer *w, const char *s, enum escape_mode mode);
/* Our own markup, then s escaped for mode, then more markup; nothing when s is NULL. */
void export_put_between(struct export_writer *w, const char *before, const char *s,
    const char *after, enum escape_mode mode);
/* Prose with `code` spans: <code> in HTML (mode ESC_HTML), code spans in Markdown. */
void export_put_inline(struct export_writer *w, const char *s, size_t n, enum escape_mode mode);

/* How Markdown and HTML mark up the rest of a heading, and the writing of it that they
 * share (export.c). */
struct export_tail_markup {
	const char *open, *line_break, *ref_before, *ref_after, *close;
	enum escape_mode mode;
};
void export_heading_tail_markup(struct export_writer *w, const struct export_tail_markup *m,
    const char *summary, const char *detail, int ref);

/* Text (export_text.c): each line of text after indent, wrapped to the writer's width; and
 * explain_render_text's body without its heading and summary (the caller frees). */
void export_text_indent(struct export_writer *w, const char *text, const char *indent);
char *export_text_body(const struct export_writer *w, const struct explanation *ex);

#endif
