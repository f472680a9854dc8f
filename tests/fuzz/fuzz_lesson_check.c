/* fuzz_lesson_check.c: libFuzzer target for lesson check patterns. The input's first part (up
 * to an empty line) is written into a two-step lesson as its check: and wrong: lines, the way a
 * lesson author would (a line with "->" is a wrong: pattern); the rest is a session to follow, one event a line, named by its first
 * byte: C a line sent, R a reply ("R" then the command it answered, a space, the reply line), W
 * a warning (its event key), I smtpscope's information, Z the session state now (or no status
 * at all when empty). The tracker must never crash, leak or report a step it has not reached. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto/reply.h"
#include "core/record/transcript.h"
#include "core/teach/lesson.h"
#include "core/util/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The lesson around the checks: every pattern line is indented, so none starts a new entry. */
static char *
lesson_text(const char *p, size_t len)
{
	struct strbuf sb = { 0 }, *b = &sb;
	size_t i, start = 0;
	char *out;

	strbuf_add(b, "@lesson fuzz\ntitle: Fuzz\nsummary: checks from the fuzzer\n"
	    "@step 1\ntitle: One\ntry: anything\ncheck:\n");
	for (i = 0; i <= len; i++) {
		if (i < len && p[i] != '\n')
			continue;
		if (i > start && memmem(p + start, i - start, "->", 2) == NULL) {
			strbuf_add(b, "    ");
			strbuf_addn(b, p + start, i - start);
			strbuf_add(b, "\n");
		}
		start = i + 1;
	}
	strbuf_add(b, "    reply 2xx\nwrong:\n");
	for (start = 0, i = 0; i <= len; i++) {
		if (i < len && p[i] != '\n')
			continue;
		if (i > start && memmem(p + start, i - start, "->", 2) != NULL) {
			strbuf_add(b, "    ");
			strbuf_addn(b, p + start, i - start);
			strbuf_add(b, "\n");
		}
		start = i + 1;
	}
	strbuf_add(b, "    reply 5xx -> no {user}\nhint: try {plain-b64}\n"
	    "@step 2\ntitle: Two\ntry: again\ncheck: sent QUIT\n");
	out = strbuf_take(b);
	return out;
}

static void
add_event(struct transcript *t, struct reply_parser *parser, const char *p, size_t len,
    struct lesson_status *st, char *state, bool *have_status)
{
	char op = p[0];
	const char *arg = p + 1, *sp;
	size_t alen = len - 1;
	struct reply *r;

	switch (op) {
	case 'R':
		sp = memchr(arg, ' ', alen);
		if (sp == NULL)
			break;
		reply_parser_feed(parser, sp + 1, alen - (size_t)(sp + 1 - arg));
		reply_parser_feed(parser, "\r\n", 2);
		while ((r = reply_parser_next(parser)) != NULL || (r = reply_parser_finish(parser))) {
			char after[24];
			size_t n = (size_t)(sp - arg) < sizeof after - 1 ? (size_t)(sp - arg) :
			    sizeof after - 1;

			memcpy(after, arg, n);
			after[n] = '\0';
			transcript_add_reply(t, r, n > 0 ? after : NULL, state, 1000);
		}
		break;
	case 'W':
		transcript_add(t, TRANSCRIPT_WARNING, "warned", 6, alen > 0 ? arg : NULL, false);
		break;
	case 'I':
		transcript_add(t, TRANSCRIPT_INFO, arg, alen, NULL, false);
		break;
	case 'Z':
		*have_status = alen > 0;
		memcpy(state, arg, alen < 31 ? alen : 31);
		state[alen < 31 ? alen : 31] = '\0';
		st->state = state;
		st->connected = strcmp(state, "closed") != 0;
		st->tls = alen > 3;
		st->user = alen > 5 ? "alice" : NULL;
		break;
	default:
		transcript_add(t, TRANSCRIPT_SENT, arg, alen, NULL, false);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *split;
	struct lesson_set *set = lesson_set_new();
	struct transcript *t;
	struct reply_parser *parser;
	struct lesson_progress *progress;
	struct lesson_status st;
	char state[32] = "greeting", *text, *copy;
	bool have_status = false;
	size_t i;

	if (size > 4096)
		return 0;
	/* NUL bytes would end the lesson text early: they are the loader's business, not ours. */
	copy = malloc(size + 1);
	for (i = 0; i < size; i++)
		copy[i] = data[i] == '\0' ? ' ' : (char)data[i];
	copy[size] = '\0';
	split = strstr(copy, "\n\n");
	text = lesson_text(copy, split != NULL ? (size_t)(split - copy) : size);
	lesson_set_add_buffer(set, "fuzz.txt", text, strlen(text), NULL, NULL, 0);
	free(text);
	if (lesson_set_count(set) == 1) {
		progress = lesson_progress_new(lesson_set_get(set, 0));
		lesson_progress_set_var(progress, "user", "alice");
		lesson_progress_set_var(progress, "password", "s3cret");
		t = transcript_new();
		parser = reply_parser_new(NULL);
		memset(&st, 0, sizeof st);
		st.state = state;
		p = split != NULL ? split + 2 : copy + size;
		end = copy + size;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = (size_t)((nl != NULL ? nl : end) - p);

			if (len > 0) {
				add_event(t, parser, p, len, &st, state, &have_status);
				lesson_progress_catch_up(progress, t, have_status ? &st : NULL);
				if (lesson_progress_step(progress) > 2)
					abort();
				(void)lesson_progress_hint(progress);
			}
			p += len + (nl != NULL);
		}
		if (lesson_progress_complete(progress) != (lesson_progress_step(progress) == 2))
			abort();
		reply_parser_free(parser);
		transcript_free(t);
		lesson_progress_free(progress);
	}
	lesson_set_free(set);
	free(copy);
	return 0;
}
