/* paste.c: the reader of text pasted into `smtpscope explain -` (see paste.h): direction
 * markers, client lines that name the next reply's command, multiline replies joined, noise
 * skipped. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/knowledge/paste.h"
#include "core/util/xmalloc.h"

struct paste_reader {
	char *text;                      /* our copy, cut into lines as we go */
	char *cursor;                    /* the next line, NULL at the end */
	bool replies;                    /* some line is a reply: other lines are noise */
	bool has_default;                /* an --after was given */
	char default_after[PASTE_AFTER_MAX];
	char after[PASTE_AFTER_MAX];     /* the command the next reply answers, "" if unknown */
	char item_after[PASTE_AFTER_MAX];/* the context of the item last yielded */
	char *pending;                   /* the lines of a reply still open */
	size_t pending_len;
	bool done;
};

/* Drops a transcript's direction marker ("S: ", "<- ", "<~ "); sets *client for C: lines. */
static const char *
strip_marker(const char *line, bool *client)
{
	static const char *const server[] = { "S:", "<-", "<~", "<**", "<" };
	static const char *const clientm[] = { "C:", "->", "~>", "**>", ">" };
	size_t i;

	*client = false;
	for (i = 0; i < sizeof server / sizeof server[0]; i++) {
		size_t n = strlen(server[i]);

		if (strncmp(line, server[i], n) == 0) {
			line += n;
			while (*line == ' ' || *line == '\t')
				line++;
			return line;
		}
		n = strlen(clientm[i]);
		if (strncmp(line, clientm[i], n) == 0) {
			*client = true;
			line += n;
			while (*line == ' ' || *line == '\t')
				line++;
			return line;
		}
	}
	return line;
}

static bool
is_reply_line(const char *s)
{
	return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
	    s[2] <= '9' && (s[3] == '\0' || s[3] == ' ' || s[3] == '-');
}

/* True when some line of the input is a reply: then lines that are neither replies nor
 * commands (swaks' "=== Trying ...", log noise) are skipped instead of explained as words.
 * Only the first 63 bytes of each line count. */
static bool
has_reply_lines(const char *text)
{
	const char *p = text;

	while (*p != '\0') {
		const char *body;
		char line[64];
		bool client;
		size_t n = strcspn(p, "\n"), k;

		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		for (k = 0; k < n && k + 1 < sizeof line; k++)
			line[k] = p[k];
		line[k] = '\0';
		body = strip_marker(line, &client);
		if (!client && is_reply_line(body) && body[3] != '\0')
			return true;
		p += n;
		if (*p == '\n')
			p++;
	}
	return false;
}

struct paste_reader *
paste_reader_new(const char *text, const char *after)
{
	struct paste_reader *r = xcalloc(1, sizeof *r);

	r->text = xstrdup(text);
	r->cursor = r->text;
	r->replies = has_reply_lines(r->text);
	if (after != NULL) {
		r->has_default = true;
		snprintf(r->default_after, sizeof r->default_after, "%s", after);
		snprintf(r->after, sizeof r->after, "%s", after);
	}
	return r;
}

void
paste_reader_free(struct paste_reader *r)
{
	if (r == NULL)
		return;
	free(r->pending);
	free(r->text);
	free(r);
}

/* Hands out text with the current context; a reply also resets the context for the next. */
static bool
yield(struct paste_reader *r, struct paste_item *item, const char *text, bool is_reply)
{
	memcpy(r->item_after, r->after, sizeof r->item_after);
	item->text = text;
	item->after = r->item_after[0] != '\0' ? r->item_after : NULL;
	item->is_reply = is_reply;
	return true;
}

/* A client line: its first word names the next reply's command. */
static void
take_client_line(struct paste_reader *r, const char *body)
{
	size_t w = strcspn(body, " \t:");

	/* The lone dot that ends a message: its reply answers DATA-END. */
	if (strcmp(body, ".") == 0) {
		snprintf(r->after, sizeof r->after, "DATA-END");
		return;
	}
	if (w >= sizeof r->after)
		w = sizeof r->after - 1;
	memcpy(r->after, body, w);
	r->after[w] = '\0';
}

/* Adds a reply line to the open reply. */
static void
append_pending(struct paste_reader *r, const char *body)
{
	size_t bn = strlen(body);

	r->pending = xreallocarray(r->pending, r->pending_len + bn + 2, 1);
	memcpy(r->pending + r->pending_len, body, bn);
	r->pending_len += bn;
	r->pending[r->pending_len++] = '\n';
	r->pending[r->pending_len] = '\0';
}

bool
paste_reader_next(struct paste_reader *r, struct paste_item *item)
{
	char *line;

	while (!r->done && (line = strsep(&r->cursor, "\n")) != NULL) {
		size_t n = strlen(line);
		const char *body;
		bool client;

		while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' '))
			line[--n] = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		body = strip_marker(line, &client);
		if (*body == '\0')
			continue;
		if (client) {
			take_client_line(r, body);
			continue;
		}
		if (is_reply_line(body)) {
			append_pending(r, body);
			if (body[3] == '-')
				continue;
			yield(r, item, r->pending, true);
			/* The text stays in r->pending until the next line is added. */
			r->pending_len = 0;
			r->after[0] = '\0';
			if (r->has_default)
				snprintf(r->after, sizeof r->after, "%s", r->default_after);
			return true;
		}
		if (r->pending_len > 0 || r->replies)
			continue;   /* not a reply nor a command in a pasted session: noise */
		return yield(r, item, body, false);
	}
	if (r->done)
		return false;
	r->done = true;
	if (r->pending_len > 0)
		/* A multiline reply that never got its final line: what there is. */
		return yield(r, item, r->pending, true);
	return false;
}
