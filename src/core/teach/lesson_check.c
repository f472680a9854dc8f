/* lesson_check.c: the patterns of a step's `check:` and `wrong:` lines (format in
 * help/lessons/README.md): splitting their words, compiling one into a struct check, and
 * matching it against a transcript entry or against the session as it is now. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/teach/lesson_internal.h"
#include "core/proto/session.h"
#include "core/proto/smtp_command.h"
#include "core/util/strbuf.h"
#include "core/util/xmalloc.h"

char *
lesson_rest_of(char *cursor)
{
	size_t n;

	while (*cursor == ' ' || *cursor == '\t')
		cursor++;
	n = strlen(cursor);
	while (n > 0 && (cursor[n - 1] == ' ' || cursor[n - 1] == '\t'))
		cursor[--n] = '\0';
	return cursor;
}

/* "250", "5xx", "45x": a class digit (or x), then digits or x. */
static bool
code_pattern_ok(const char *s)
{
	int i;

	if (strlen(s) != 3)
		return false;
	if (!(s[0] == 'x' || (s[0] >= '2' && s[0] <= '5')))
		return false;
	for (i = 1; i < 3; i++)
		if (!isdigit((unsigned char)s[i]) && s[i] != 'x')
			return false;
	return true;
}

/* "5.1.1", "4.x.x", "x.7.1": three dot-separated parts of 1-3 digits, or x. */
static bool
enhanced_pattern_ok(const char *s)
{
	int part;

	if (strlen(s) >= 16)
		return false;
	for (part = 0; part < 3; part++) {
		size_t n = 0;

		if (*s == 'x' || *s == 'X') {
			s++;
		} else {
			while (isdigit((unsigned char)s[n]) && n < 4)
				n++;
			if (n == 0 || n > 3)
				return false;
			s += n;
		}
		if (part < 2 && *s++ != '.')
			return false;
	}
	return *s == '\0';
}

static bool
verb_ok(const char *s)
{
	if (strcmp(s, "greeting") == 0)
		return true;
	for (; *s != '\0'; s++)
		if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

void
lesson_check_clear(struct check *c)
{
	free(c->word);
	free(c->after);
	c->word = c->after = NULL;
}

/* Compiles one check ("reply 250 after EHLO"). Returns NULL, or what is wrong with it. */
const char *
lesson_check_parse(const char *text, struct check *c)
{
	char *copy = xstrdup(text), *cursor = copy, *w, *rest;
	const char *why = NULL;
	static const struct {
		const char *name;
		enum check_kind kind;
	} bare[] = {
		{ "tls", CHECK_TLS }, { "authenticated", CHECK_AUTHENTICATED },
		{ "connected", CHECK_CONNECTED }, { "closed", CHECK_CLOSED },
		{ "message-accepted", CHECK_MESSAGE_ACCEPTED }, { "dot-stuffed", CHECK_DOT_STUFFED },
	};
	size_t i;

	memset(c, 0, sizeof *c);
	w = strbuf_next_word(&cursor);
	if (w == NULL) {
		why = "an empty check";
		goto out;
	}
	for (i = 0; i < sizeof bare / sizeof bare[0]; i++) {
		if (strcmp(w, bare[i].name) == 0) {
			c->kind = bare[i].kind;
			if (*lesson_rest_of(cursor) != '\0')
				why = "unexpected words after the check";
			goto out;
		}
	}
	if (strcmp(w, "reply") == 0) {
		c->kind = CHECK_REPLY;
		w = strbuf_next_word(&cursor);
		if (w == NULL || !code_pattern_ok(w)) {
			why = "'reply' needs a code such as 250, 4xx or 55x";
			goto out;
		}
		memcpy(c->code, w, 4);
		w = strbuf_next_word(&cursor);
		if (w != NULL && strcmp(w, "after") != 0) {
			if (!enhanced_pattern_ok(w)) {
				why = "after the code: an enhanced code such as 5.1.1, or 'after VERB'";
				goto out;
			}
			snprintf(c->enhanced, sizeof c->enhanced, "%s", w);
			w = strbuf_next_word(&cursor);
		}
		if (w != NULL) {
			if (strcmp(w, "after") != 0) {
				why = "unexpected words after the code (write 'after VERB')";
				goto out;
			}
			w = strbuf_next_word(&cursor);
			if (w == NULL || !verb_ok(w)) {
				why = "'after' needs an upper-case command, 'greeting' or 'DATA-END'";
				goto out;
			}
			c->after = xstrdup(w);
			if (strbuf_next_word(&cursor) != NULL)
				why = "unexpected words after the command";
		}
		goto out;
	}
	if (strcmp(w, "sent") == 0 || strcmp(w, "capability") == 0) {
		c->kind = w[0] == 's' ? CHECK_SENT : CHECK_CAPABILITY;
		w = strbuf_next_word(&cursor);
		if (w == NULL || !verb_ok(w) || strcmp(w, "greeting") == 0) {
			why = c->kind == CHECK_SENT ? "'sent' needs an upper-case command" :
			    "'capability' needs an upper-case EHLO keyword";
			goto out;
		}
		c->word = xstrdup(w);
		if (strbuf_next_word(&cursor) != NULL)
			why = "unexpected words after the check";
		goto out;
	}
	if (strcmp(w, "warning") == 0) {
		c->kind = CHECK_WARNING;
		w = strbuf_next_word(&cursor);
		if (w == NULL || !islower((unsigned char)w[0]) || strbuf_next_word(&cursor) != NULL) {
			why = "'warning' needs one warning name, such as rcpt-before-mail";
			goto out;
		}
		c->word = xstrdup(w);
		goto out;
	}
	if (strcmp(w, "state") == 0 || strcmp(w, "info") == 0) {
		c->kind = w[0] == 's' ? CHECK_STATE : CHECK_INFO;
		rest = lesson_rest_of(cursor);
		if (*rest == '\0') {
			why = c->kind == CHECK_STATE ? "'state' needs a state such as in-transaction" :
			    "'info' needs the words to look for";
			goto out;
		}
		if (c->kind == CHECK_STATE) {
			/* A state's key ("after-EHLO" in any case; spaces for dashes also do). */
			const char *key = session_state_key_parse(rest);

			if (key == NULL) {
				why = "'state' needs a state: greeting, after-EHLO, after-HELO, "
				    "in-transaction, after-RCPT, in-DATA or closed";
				goto out;
			}
			c->word = xstrdup(key);
		} else {
			c->word = xstrdup(rest);
		}
		goto out;
	}
	why = "unknown check (reply, sent, state, capability, tls, authenticated, connected, "
	    "closed, message-accepted, dot-stuffed, info, warning)";
out:
	free(copy);
	if (why != NULL)
		lesson_check_clear(c);
	return why;
}

bool
lesson_check_is_entry_kind(const struct check *c)
{
	return c->kind < CHECK_STATE;
}

static bool
code_matches(const char *pattern, const char *code)
{
	int i;

	for (i = 0; i < 3; i++)
		if (pattern[i] != 'x' && pattern[i] != code[i])
			return false;
	return true;
}

/* "5.x.1" against "5.7.1": part by part. */
static bool
enhanced_matches(const char *pattern, const char *code)
{
	while (*pattern != '\0') {
		size_t pn = strcspn(pattern, "."), cn = strcspn(code, ".");

		if (cn == 0)
			return false;
		if (!(pn == 1 && (pattern[0] == 'x' || pattern[0] == 'X')) &&
		    (pn != cn || strncmp(pattern, code, pn) != 0))
			return false;
		pattern += pn;
		code += cn;
		if (*pattern == '.')
			pattern++;
		if (*code == '.')
			code++;
	}
	return *code == '\0';
}

static bool
contains_nocase(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; n <= len && i + n <= len; i++)
		if (strncasecmp(hay + i, needle, n) == 0)
			return true;
	return false;
}

/* Does this entry (tr: its reply when it is a reply's last line) satisfy an entry check? */
bool
lesson_check_entry_matches(const struct check *c, const struct transcript_entry *en,
    const struct transcript_reply *tr)
{
	char verb[24];

	switch (c->kind) {
	case CHECK_REPLY:
		if (tr == NULL || tr->reply->code == 0)
			return false;
		if (!code_matches(c->code, tr->reply->code_text))
			return false;
		if (c->enhanced[0] != '\0' && !enhanced_matches(c->enhanced, tr->reply->enhanced))
			return false;
		return c->after == NULL || (tr->after != NULL && strcasecmp(c->after, tr->after) == 0);
	case CHECK_SENT:
		if (en->kind != TRANSCRIPT_SENT)
			return false;
		smtp_command_verb(en->text, en->len, verb, sizeof verb);
		return strcmp(verb, c->word) == 0;
	case CHECK_MESSAGE_ACCEPTED:
		return tr != NULL && reply_class(tr->reply) == 2 && tr->after != NULL &&
		    (strcmp(tr->after, "DATA-END") == 0 || strcasecmp(tr->after, "BDAT") == 0);
	case CHECK_DOT_STUFFED:
		return en->kind == TRANSCRIPT_SENT && !en->secret && en->len >= 2 &&
		    en->text[0] == '.' && en->text[1] == '.';
	case CHECK_INFO:
		return en->kind == TRANSCRIPT_INFO && contains_nocase(en->text, en->len, c->word);
	case CHECK_WARNING:
		return en->kind == TRANSCRIPT_WARNING && en->event != NULL &&
		    strcmp(en->event, c->word) == 0;
	default:
		return false;
	}
}

/* The key of the state a status names (a status built by hand may give only its words). */
static const char *
status_key(const struct lesson_status *st)
{
	if (st->state_key != NULL)
		return st->state_key;
	return st->state != NULL ? session_state_key_parse(st->state) : NULL;
}

/* Does a check about the session as it is now hold? */
bool
lesson_check_status_holds(const struct lesson_progress *p, const struct check *c,
    const struct lesson_status *st)
{
	const char *const *keywords;
	size_t i, n;

	switch (c->kind) {
	case CHECK_STATE:
		return st != NULL && status_key(st) != NULL && strcmp(status_key(st), c->word) == 0;
	case CHECK_CAPABILITY:
		n = session_capabilities(p->session, &keywords);
		for (i = 0; i < n; i++)
			if (strcasecmp(keywords[i], c->word) == 0)
				return true;
		return false;
	case CHECK_TLS:
		return st != NULL ? st->tls : session_tls(p->session);
	case CHECK_AUTHENTICATED:
		return st != NULL ? st->user != NULL : session_user(p->session) != NULL;
	case CHECK_CONNECTED:
		return st != NULL && st->connected;
	case CHECK_CLOSED:
		return p->closed_seen || (st != NULL && !st->connected && status_key(st) != NULL &&
		    strcmp(status_key(st), "closed") == 0);
	default:
		return false;
	}
}
