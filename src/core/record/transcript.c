/* transcript.c: the record of a session (lines sent and received, events, times, each reply's
 * latency), kept compactly in memory. Saving and loading it as text are in transcript_write.c
 * and transcript_load.c (the format is described in transcript_internal.h).
 *
 * Memory: entries sit in fixed-size blocks (they never move), and every text, reply and line
 * array goes into a chunked arena, so a million-line transcript costs about its entries (32
 * bytes each) plus its text, with no allocation per field. A reply's lines share the bytes of
 * their entries (a kept line adds only its 16-byte struct reply_line); only the struct reply
 * itself stays a separate allocation, so that the pointer a caller handed over stays valid. */
#include "config.h"

#include <errno.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util/clock.h"
#include "core/util/escape.h"
#include "core/proto/reply.h"
#include "core/record/transcript.h"
#include "core/record/transcript_internal.h"
#include "core/util/xmalloc.h"

#define ENTRY_BLOCK 4096                 /* entries per block */
#define REPLY_BLOCK 1024                 /* replies per block */
#define ARENA_CHUNK ((size_t)64 * 1024)  /* bytes per arena chunk */
#define INTERN_MAX 64                    /* distinct after/state/event strings shared */

/* Times the file format can hold (years 0000 to 9999), and latencies up to about 31 years. */
#define TIME_MIN INT64_C(-62167219200000000)   /* 0000-01-01T00:00:00.000000Z */
#define TIME_MAX INT64_C(253402300799999999)   /* 9999-12-31T23:59:59.999999Z */
#define LATENCY_MAX INT64_C(999999999999999)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used;
	size_t size;
	/* data follows, aligned like max_align_t */
};

struct transcript {
	struct transcript_entry **entry_blocks;
	size_t nentries;
	size_t entry_blocks_alloc;

	struct transcript_reply **reply_blocks;
	size_t nreplies;
	size_t reply_blocks_alloc;

	struct arena_chunk *chunks;  /* the first one is the one being filled */
	size_t arena_bytes;

	const char *interned[INTERN_MAX];
	size_t ninterned;
};

/* ---- storage ---- */

static size_t
chunk_header_size(void)
{
	size_t a = alignof(max_align_t);

	return (sizeof(struct arena_chunk) + a - 1) / a * a;
}

static void *
arena_alloc(struct transcript *t, size_t size, size_t align)
{
	struct arena_chunk *c = t->chunks;
	size_t header = chunk_header_size(), at;

	if (size == 0)
		size = 1;
	if (c != NULL) {
		at = (c->used + align - 1) / align * align;
		if (at <= c->size && size <= c->size - at) {
			c->used = at + size;
			return (char *)c + header + at;
		}
	}
	if (size > ARENA_CHUNK / 4) {
		/* A big piece gets a chunk of its own, behind the one being filled. */
		struct arena_chunk *big = xmalloc(header + size);

		big->size = size;
		big->used = size;
		t->arena_bytes += header + size;
		if (c != NULL) {
			big->next = c->next;
			c->next = big;
		} else {
			big->next = NULL;
			t->chunks = big;
		}
		return (char *)big + header;
	}
	c = xmalloc(header + ARENA_CHUNK);
	c->size = ARENA_CHUNK;
	c->used = size;
	c->next = t->chunks;
	t->chunks = c;
	t->arena_bytes += header + ARENA_CHUNK;
	return (char *)c + header;
}

static char *
arena_strndup(struct transcript *t, const char *s, size_t len)
{
	char *copy = arena_alloc(t, len + 1, 1);

	if (len > 0)
		memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

/* Small strings that repeat (commands, states, event keys) are stored once. */
static const char *
intern(struct transcript *t, const char *s)
{
	size_t i;
	char *copy;

	if (s == NULL)
		return NULL;
	for (i = 0; i < t->ninterned; i++)
		if (strcmp(t->interned[i], s) == 0)
			return t->interned[i];
	copy = arena_strndup(t, s, strlen(s));
	if (t->ninterned < INTERN_MAX)
		t->interned[t->ninterned++] = copy;
	return copy;
}

static struct transcript_entry *
entry_at(const struct transcript *t, size_t i)
{
	return &t->entry_blocks[i / ENTRY_BLOCK][i % ENTRY_BLOCK];
}

static struct transcript_reply *
reply_at(const struct transcript *t, size_t i)
{
	return &t->reply_blocks[i / REPLY_BLOCK][i % REPLY_BLOCK];
}

static struct transcript_entry *
entry_new(struct transcript *t, size_t *index)
{
	size_t block = t->nentries / ENTRY_BLOCK;

	if (t->nentries % ENTRY_BLOCK == 0) {
		if (block == t->entry_blocks_alloc) {
			t->entry_blocks_alloc = t->entry_blocks_alloc ? t->entry_blocks_alloc * 2 : 4;
			t->entry_blocks = xreallocarray(t->entry_blocks, t->entry_blocks_alloc,
			    sizeof *t->entry_blocks);
		}
		t->entry_blocks[block] = xreallocarray(NULL, ENTRY_BLOCK,
		    sizeof(struct transcript_entry));
	}
	*index = t->nentries++;
	return entry_at(t, *index);
}

static struct transcript_reply *
reply_new(struct transcript *t, size_t *index)
{
	size_t block = t->nreplies / REPLY_BLOCK;

	if (t->nreplies % REPLY_BLOCK == 0) {
		if (block == t->reply_blocks_alloc) {
			t->reply_blocks_alloc = t->reply_blocks_alloc ? t->reply_blocks_alloc * 2 : 4;
			t->reply_blocks = xreallocarray(t->reply_blocks, t->reply_blocks_alloc,
			    sizeof *t->reply_blocks);
		}
		t->reply_blocks[block] = xreallocarray(NULL, REPLY_BLOCK,
		    sizeof(struct transcript_reply));
	}
	/* An entry keeps the index in 32 bits; the last value means "no reply". */
	if (t->nreplies >= TRANSCRIPT_NO_REPLY)
		abort();
	*index = t->nreplies++;
	return reply_at(t, *index);
}

struct transcript *
transcript_new(void)
{
	return xcalloc(1, sizeof(struct transcript));
}

void
transcript_free(struct transcript *t)
{
	struct arena_chunk *c, *next;
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nreplies; i++)
		free(reply_at(t, i)->reply);  /* its lines are in the arena */
	for (i = 0; i * ENTRY_BLOCK < t->nentries; i++)
		free(t->entry_blocks[i]);
	free(t->entry_blocks);
	for (i = 0; i * REPLY_BLOCK < t->nreplies; i++)
		free(t->reply_blocks[i]);
	free(t->reply_blocks);
	for (c = t->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(t);
}

size_t
transcript_add_at(struct transcript *t, int64_t time_us, enum transcript_kind kind,
    const char *text, size_t len, const char *event, bool secret)
{
	size_t index;
	struct transcript_entry *e = entry_new(t, &index);

	e->time_us = time_us < TIME_MIN ? TIME_MIN : time_us > TIME_MAX ? TIME_MAX : time_us;
	e->kind = kind;
	if (text == NULL)
		len = 0;
	else if (len > TRANSCRIPT_TEXT_MAX)
		len = TRANSCRIPT_TEXT_MAX;
	e->text = arena_strndup(t, text != NULL ? text : "", len);
	e->len = len;
	e->reply = TRANSCRIPT_NO_REPLY;
	e->event = intern(t, event);
	e->secret = secret;
	return index;
}

size_t
transcript_add(struct transcript *t, enum transcript_kind kind, const char *text, size_t len,
    const char *event, bool secret)
{
	return transcript_add_at(t, clock_wall_us(), kind, text, len, event, secret);
}

/* Moves a parsed reply into the transcript's storage. Its lines become RECEIVED entries unless
 * entries (one per line, already added) are given; times gives each new line's time. */
size_t
transcript_store_reply(struct transcript *t, struct reply *reply, const size_t *entries,
    int64_t time_us, const char *after, const char *state, int64_t latency_us)
{
	size_t index, i;
	struct transcript_reply *tr = reply_new(t, &index);
	struct reply_line *lines = NULL;

	/* The reply struct itself stays where it is, so a caller's pointer to it stays good; its
	 * lines move into the arena and share their bytes with the entries. */
	if (reply->nlines > 0)
		lines = arena_alloc(t, reply->nlines * sizeof *lines, alignof(struct reply_line));
	for (i = 0; i < reply->nlines; i++) {
		size_t e = entries != NULL ? entries[i] :
		    transcript_add_at(t, time_us, TRANSCRIPT_RECEIVED, reply->lines[i].raw,
		        reply->lines[i].len, NULL, false);
		struct transcript_entry *entry = entry_at(t, e);

		entry->reply = index;
		lines[i] = reply->lines[i];
		lines[i].raw = entry->text;
		free(reply->lines[i].raw);
		if (i == 0)
			tr->first_entry = e;
		tr->last_entry = e;
	}
	if (reply->nlines == 0)
		tr->first_entry = tr->last_entry = TRANSCRIPT_NO_REPLY;
	free(reply->lines);
	reply->lines = lines;
	tr->reply = reply;
	tr->after = (char *)intern(t, after);
	tr->state = (char *)intern(t, state);
	tr->latency_us = latency_us < 0 ? -1 : latency_us > LATENCY_MAX ? LATENCY_MAX : latency_us;
	return index;
}

size_t
transcript_add_reply_at(struct transcript *t, int64_t time_us, struct reply *reply,
    const char *after, const char *state, int64_t latency_us)
{
	return transcript_store_reply(t, reply, NULL, time_us, after, state, latency_us);
}

size_t
transcript_add_reply(struct transcript *t, struct reply *reply, const char *after,
    const char *state, int64_t latency_us)
{
	return transcript_store_reply(t, reply, NULL, clock_wall_us(), after, state, latency_us);
}

size_t
transcript_count(const struct transcript *t)
{
	return t->nentries;
}

const struct transcript_entry *
transcript_entry(const struct transcript *t, size_t i)
{
	return i < t->nentries ? entry_at(t, i) : NULL;
}

size_t
transcript_reply_count(const struct transcript *t)
{
	return t->nreplies;
}

const struct transcript_reply *
transcript_reply(const struct transcript *t, size_t i)
{
	return i < t->nreplies ? reply_at(t, i) : NULL;
}

size_t
transcript_memory(const struct transcript *t)
{
	size_t entry_blocks = (t->nentries + ENTRY_BLOCK - 1) / ENTRY_BLOCK;
	size_t reply_blocks = (t->nreplies + REPLY_BLOCK - 1) / REPLY_BLOCK;

	return sizeof *t + t->arena_bytes + t->nreplies * sizeof(struct reply) +
	    entry_blocks * ENTRY_BLOCK * sizeof(struct transcript_entry) +
	    reply_blocks * REPLY_BLOCK * sizeof(struct transcript_reply) +
	    (t->entry_blocks_alloc + t->reply_blocks_alloc) * sizeof(void *);
}
