/* message.c: a message file read as it goes on the wire for /data and /bdat: CRLF line
 * endings, dot-stuffing for DATA, in small pieces without holding the file in memory (see
 * message.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conn/message.h"
#include "core/util/xmalloc.h"

/* The file is read in blocks of this size. */
#define MESSAGE_FILE_BLOCK 65536

struct message_file {
	FILE *file;
	bool dot_stuff;
	long long size;
	/* The normaliser's state between calls. */
	bool line_start;
	bool after_cr;
	bool ended;
	char queue[4];
	size_t queued, taken;
	/* Input read ahead from the file. */
	char *in;
	size_t in_len, in_pos;
	bool in_eof;
};

/* Produces the wire bytes for one input byte (c = EOF at the end) into m->queue. */
static void
normalise(struct message_file *m, int c)
{
	m->queued = m->taken = 0;
	if (c == EOF) {
		/* A message must end with CRLF before the final dot. */
		if (m->after_cr || !m->line_start) {
			m->queue[m->queued++] = '\r';
			m->queue[m->queued++] = '\n';
		}
		m->after_cr = false;
		m->line_start = true;
		m->ended = true;
		return;
	}
	if (m->after_cr) {
		m->after_cr = false;
		m->queue[m->queued++] = '\r';
		m->queue[m->queued++] = '\n';
		m->line_start = true;
		if (c == '\n')
			return;
	}
	if (c == '\r') {
		m->after_cr = true;
		return;
	}
	if (c == '\n') {
		m->queue[m->queued++] = '\r';
		m->queue[m->queued++] = '\n';
		m->line_start = true;
		return;
	}
	if (m->line_start && c == '.' && m->dot_stuff)
		m->queue[m->queued++] = '.';
	m->queue[m->queued++] = (char)c;
	m->line_start = false;
}

static void
message_rewind(struct message_file *m)
{
	rewind(m->file);
	m->line_start = true;
	m->after_cr = false;
	m->ended = false;
	m->queued = m->taken = 0;
	m->in_len = m->in_pos = 0;
	m->in_eof = false;
}

static long message_pump(struct message_file *m, char *buf, size_t cap);

struct message_file *
message_file_open(const char *path, bool dot_stuff, char **errstr)
{
	struct message_file *m;
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL) {
		*errstr = xasprintf("cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	m = xcalloc(1, sizeof *m);
	m->file = f;
	m->dot_stuff = dot_stuff;
	m->in = xmalloc(MESSAGE_FILE_BLOCK);
	message_rewind(m);
	/* Count the wire size once (for SIZE guidance and BDAT), then start over. */
	while ((n = message_pump(m, NULL, MESSAGE_FILE_BLOCK)) > 0)
		m->size += n;
	if (n < 0) {
		*errstr = xasprintf("cannot read %s: %s", path, strerror(errno));
		message_file_close(m);
		return NULL;
	}
	message_rewind(m);
	return m;
}

long long
message_file_size(const struct message_file *m)
{
	return m->size;
}

/* The next input byte, or EOF at the end; -2 on a read error. */
static int
next_byte(struct message_file *m)
{
	if (m->in_pos == m->in_len) {
		if (m->in_eof)
			return EOF;
		m->in_len = fread(m->in, 1, MESSAGE_FILE_BLOCK, m->file);
		m->in_pos = 0;
		if (m->in_len == 0) {
			if (ferror(m->file))
				return -2;
			m->in_eof = true;
			return EOF;
		}
	}
	return (unsigned char)m->in[m->in_pos++];
}

/* Produces up to cap wire bytes into buf, or only counts them when buf is NULL. Runs of line
 * text, with the CRLF that ends them, are copied whole; the byte-by-byte normaliser takes the
 * rest (a bare CR or LF, a dot to stuff, the end). */
static long
message_pump(struct message_file *m, char *buf, size_t cap)
{
	size_t n = 0, run, i;
	const char *p, *lf, *cr;
	int c;

	while (n < cap) {
		if (m->taken < m->queued) {
			if (buf != NULL)
				buf[n] = m->queue[m->taken];
			n++;
			m->taken++;
			continue;
		}
		if (m->ended)
			break;
		if (!m->after_cr && m->in_pos < m->in_len) {
			p = m->in + m->in_pos;
			if (m->line_start) {
				if (p[0] == '\r' || p[0] == '\n' || (p[0] == '.' && m->dot_stuff))
					goto one_byte;
				m->line_start = false;
			}
			/* Inside a line: up to the next CR or LF as they are, and a CRLF with it. */
			run = m->in_len - m->in_pos;
			if (run > cap - n)
				run = cap - n;
			lf = memchr(p, '\n', run);
			i = lf != NULL ? (size_t)(lf - p) : run;
			cr = memchr(p, '\r', i);
			if (cr != NULL && cr + 1 == lf) {
				i = (size_t)(lf - p) + 1;
				m->line_start = true;
			} else if (cr != NULL)
				i = (size_t)(cr - p);
			if (i > 0) {
				if (buf != NULL)
					memcpy(buf + n, p, i);
				n += i;
				m->in_pos += i;
				continue;
			}
		}
one_byte:
		c = next_byte(m);
		if (c == -2)
			return -1;
		normalise(m, c);
	}
	return (long)n;
}

long
message_file_read(struct message_file *m, char *buf, size_t cap)
{
	return message_pump(m, buf, cap);
}

void
message_file_close(struct message_file *m)
{
	if (m == NULL)
		return;
	fclose(m->file);
	free(m->in);
	free(m);
}
