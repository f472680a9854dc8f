/* lesson_progress.c: follows a learner through a lesson's steps: feeds each transcript entry
 * to the current step's checks (and the lesson's own session tracker), gives a hint when a
 * wrong pattern or an unexpected negative reply shows, and fills {variables} in lesson text. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teach/lesson_internal.h"
#include "core/proto/sasl.h"
#include "core/proto/session.h"
#include "core/util/xmalloc.h"

struct lesson_progress *
lesson_progress_new(const struct lesson *lesson)
{
	struct lesson_progress *p = xcalloc(1, sizeof *p);

	p->lesson = lesson;
	p->session = session_new();
	if (lesson->nsteps > 0) {
		p->nsatisfied = lesson->steps[0].nchecks;
		p->satisfied = xcalloc(p->nsatisfied + 1, sizeof *p->satisfied);
	}
	return p;
}

void
lesson_progress_free(struct lesson_progress *p)
{
	size_t i;

	if (p == NULL)
		return;
	session_free(p->session);
	free(p->satisfied);
	free(p->hint);
	for (i = 0; i < p->nvars; i++) {
		free(p->var_name[i]);
		if (p->var_value[i] != NULL)
			explicit_bzero(p->var_value[i], strlen(p->var_value[i]));
		free(p->var_value[i]);
	}
	free(p);
}

static void
put_var(struct lesson_progress *p, const char *name, char *value)
{
	size_t i;

	for (i = 0; i < p->nvars; i++) {
		if (strcmp(p->var_name[i], name) == 0) {
			free(p->var_value[i]);
			p->var_value[i] = value;
			return;
		}
	}
	if (p->nvars == LESSON_VARS_MAX) {
		free(value);
		return;
	}
	p->var_name[p->nvars] = xstrdup(name);
	p->var_value[p->nvars++] = value;
}

static const char *
get_var(const struct lesson_progress *p, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < p->nvars; i++)
		if (strlen(p->var_name[i]) == len && strncmp(p->var_name[i], name, len) == 0)
			return p->var_value[i];
	return NULL;
}

void
lesson_progress_start_at(struct lesson_progress *p, size_t first)
{
	if (first > p->fed)
		p->fed = first;
	if (first > p->step_start)
		p->step_start = first;
}

void
lesson_progress_set_var(struct lesson_progress *p, const char *name, const char *value)
{
	const char *user, *pass;

	put_var(p, name, xstrdup(value));
	if (strcmp(name, "user") == 0)
		put_var(p, "user-b64", sasl_b64_encode(value, strlen(value)));
	if (strcmp(name, "password") == 0)
		put_var(p, "password-b64", sasl_b64_encode(value, strlen(value)));
	user = get_var(p, "user", 4);
	pass = get_var(p, "password", 8);
	if (user != NULL && pass != NULL)
		put_var(p, "plain-b64", sasl_plain_response(NULL, user, pass));
}

char *
lesson_progress_fill(const struct lesson_progress *p, const char *text)
{
	struct {
		char *s;
		size_t len, cap;
	} out = { NULL, 0, 0 };
	const char *s = text;

	if (text == NULL)
		return NULL;
	while (*s != '\0') {
		const char *open = strchr(s, '{'), *close, *value = NULL, *piece;
		size_t n;

		if (open != NULL && (close = strchr(open, '}')) != NULL)
			value = get_var(p, open + 1, (size_t)(close - open - 1));
		else
			close = NULL;
		if (value != NULL) {
			n = (size_t)(open - s);
			piece = s;
		} else {
			n = open != NULL ? (size_t)(open - s) + 1 : strlen(s);
			piece = s;
		}
		if (out.len + n + (value ? strlen(value) : 0) + 1 > out.cap) {
			out.cap = (out.len + n + (value ? strlen(value) : 0) + 1) * 2;
			out.s = xreallocarray(out.s, out.cap, 1);
		}
		memcpy(out.s + out.len, piece, n);
		out.len += n;
		if (value != NULL) {
			memcpy(out.s + out.len, value, strlen(value));
			out.len += strlen(value);
			s = close + 1;
		} else {
			s += n;
		}
		out.s[out.len] = '\0';
	}
	return out.s != NULL ? out.s : xstrdup("");
}

/* Feeds a reply to the lesson's session tracker, which knows what it changes (the EHLO
 * keywords, TLS after STARTTLS, who authenticated): what no session status carries. */
static void
learn_from_reply(struct lesson_progress *p, const struct transcript_reply *tr)
{
	struct session_outcome o;

	session_reply_recorded(p->session, tr->reply, tr->after, &o);
	if (o.starttls_go)
		/* RFC 3207: what the server said before TLS no longer counts. */
		session_tls_started(p->session);
	if (o.closing || tr->reply->code == 221)
		p->closed_seen = true;
}

/* Keeps bytes from the wire printable in a hint: anything else (NUL included) becomes '?'. */
static char *
quote_line(const char *prefix, const char *text, size_t len)
{
	size_t n = len < LESSON_QUOTE_MAX ? len : LESSON_QUOTE_MAX, skip = strlen(prefix), i;
	char *q = xmalloc(skip + n + 4);

	memcpy(q, prefix, skip);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		q[skip + i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	memcpy(q + skip + n, len > n ? "..." : "", len > n ? 4 : 1);
	return q;
}

/* The first line of a reply, as a hint quotes it. */
static char *
quote_reply(const struct transcript_reply *tr)
{
	if (tr->reply->nlines == 0)
		return xasprintf("S: %s", tr->reply->code_text);
	return quote_line("S: ", tr->reply->lines[0].raw, tr->reply->lines[0].len);
}

static void
give_hint(struct lesson_progress *p, char *quote, const char *hint)
{
	char *filled = lesson_progress_fill(p, hint);

	free(p->hint);
	if (quote != NULL && filled != NULL)
		p->hint = xasprintf("%s\n\n%s", quote, filled);
	else if (quote != NULL)
		p->hint = xstrdup(quote);
	else
		p->hint = filled != NULL ? xstrdup(filled) : NULL;
	free(filled);
	free(quote);
	p->hints++;
}

static void
enter_step(struct lesson_progress *p, size_t step, size_t first_entry)
{
	const struct lesson *l = p->lesson;

	p->step = step;
	p->step_start = first_entry;
	free(p->hint);
	p->hint = NULL;
	free(p->satisfied);
	p->nsatisfied = step < l->nsteps ? l->steps[step].nchecks : 0;
	p->satisfied = xcalloc(p->nsatisfied + 1, sizeof *p->satisfied);
}

unsigned
lesson_progress_feed(struct lesson_progress *p, const struct transcript *t, size_t i,
    const struct lesson_status *st)
{
	const struct transcript_entry *en = transcript_entry(t, i);
	const struct transcript_reply *tr = NULL;
	const struct step *step;
	bool expected = false, all = true;
	unsigned bits = 0;
	size_t k;

	if (en == NULL)
		return 0;
	if (i + 1 > p->fed)
		p->fed = i + 1;
	/* A reply counts once, at its last line. */
	if (en->kind == TRANSCRIPT_RECEIVED && en->reply != TRANSCRIPT_NO_REPLY) {
		tr = transcript_reply(t, en->reply);
		if (tr != NULL && tr->last_entry != i)
			return 0;
		if (tr != NULL)
			learn_from_reply(p, tr);
	}
	if (p->step >= p->lesson->nsteps || i < p->step_start)
		return 0;
	step = &p->lesson->steps[p->step];
	for (k = 0; k < step->nchecks; k++) {
		const struct check *c = &step->checks[k];

		if (lesson_check_is_entry_kind(c) && lesson_check_entry_matches(c, en, tr)) {
			p->satisfied[k] = true;
			expected = true;
		}
	}
	if (!expected) {
		for (k = 0; k < step->nwrongs; k++) {
			if (lesson_check_entry_matches(&step->wrongs[k].check, en, tr)) {
				give_hint(p, tr != NULL ? quote_reply(tr) :
				    en->kind == TRANSCRIPT_WARNING ? quote_line("!! ", en->text, en->len) :
				    NULL, step->wrongs[k].hint);
				bits |= LESSON_HINT;
				break;
			}
		}
		/* A negative reply nobody expected. smtpscope's own warnings are not hints:
		 * they show anyway, and many are advice rather than mistakes. */
		if (k == step->nwrongs && tr != NULL && (reply_class(tr->reply) == 4 ||
		    reply_class(tr->reply) == 5)) {
			give_hint(p, quote_reply(tr), step->hint);
			bits |= LESSON_HINT;
		}
	}
	for (k = 0; k < step->nchecks; k++) {
		const struct check *c = &step->checks[k];

		if (lesson_check_is_entry_kind(c) ? !p->satisfied[k] : !lesson_check_status_holds(p, c, st)) {
			all = false;
			break;
		}
	}
	if (all) {
		enter_step(p, p->step + 1, i + 1);
		bits = (bits & ~LESSON_HINT) | LESSON_STEP_PASSED;
		if (p->step == p->lesson->nsteps)
			bits |= LESSON_COMPLETE;
	}
	return bits;
}

unsigned
lesson_progress_catch_up(struct lesson_progress *p, const struct transcript *t,
    const struct lesson_status *st)
{
	unsigned bits = 0;
	size_t n = transcript_count(t);

	while (p->fed < n)
		bits |= lesson_progress_feed(p, t, p->fed, st);
	return bits;
}

size_t
lesson_progress_step(const struct lesson_progress *p)
{
	return p->step;
}

bool
lesson_progress_complete(const struct lesson_progress *p)
{
	return p->step >= p->lesson->nsteps;
}

const char *
lesson_progress_hint(const struct lesson_progress *p)
{
	return p->hint;
}

size_t
lesson_progress_hint_count(const struct lesson_progress *p)
{
	return p->hints;
}
