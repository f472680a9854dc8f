/* explain_word.c: what a word typed to `explain` is (a reply code, an enhanced code, a
 * command, a keyword, a scenario, an event, or a pasted reply) and its explanation. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/knowledge/explain_internal.h"
#include "core/util/xmalloc.h"

/* A pasted reply is never longer than this many lines or bytes (it is text a person typed). */
#define EXPLAIN_PASTE_MAX (64u * 1024)

/* Feeds pasted text to the reply parser, one CRLF per line as on the wire (a paste has plain
 * newlines, which are no violation of the person who pasted). NULL when no reply came out. */
static struct reply *
parse_pasted(const char *text)
{
	struct reply_parser *parser = reply_parser_new(NULL);
	struct reply *reply;
	const char *p = text;

	reply_parser_set_utf8(parser, true);
	while (*p != '\0') {
		size_t n = strcspn(p, "\r\n");

		if (n > 0) {
			reply_parser_feed(parser, p, n);
			reply_parser_feed(parser, "\r\n", 2);
		}
		p += n;
		while (*p == '\r' || *p == '\n')
			p++;
	}
	reply = reply_parser_next(parser);
	if (reply == NULL)
		reply = reply_parser_finish(parser);
	reply_parser_free(parser);
	return reply;
}

static char *
trimmed(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
	    s[n - 1] == '\n'))
		n--;
	return xstrndup(s, n);
}

static struct explanation *
explain_single(const struct kb *kb, const char *w, const char *after, char **errstr)
{
	char upper[64];
	const struct kb_entry *cmd, *kw, *e;
	struct enhanced enh;
	int code;

	if (explain_looks_like_number(w)) {
		if (explain_parse_reply_code(w, &code))
			return explain_build_code(kb, code, NULL, after);
		*errstr = xasprintf("'%s' is not a reply code: a reply code has three digits and "
		    "starts with 2, 3, 4 or 5 (such as 250 or 550)", w);
		return NULL;
	}
	if (explain_looks_like_enhanced(w)) {
		if (explain_parse_enhanced(w, &enh))
			return explain_build_enhanced(kb, &enh, after);
		if (w[0] == 'X' || w[0] == 'x')
			*errstr = xasprintf("'%s' stands for the code in any class: ask for one "
			    "class, such as 4%s or 5%s", w, w + 1, w + 1);
		else
			*errstr = xasprintf("'%s' is not an enhanced status code: it is written "
			    "CLASS.SUBJECT.DETAIL, the class 2, 4 or 5 and the others numbers of "
			    "one to three digits (such as 5.1.1)", w);
		return NULL;
	}
	if (strlen(w) < sizeof upper) {
		explain_upper_copy(upper, sizeof upper, w);
		cmd = kb_find(kb, "command", upper, NULL);
		kw = kb_find(kb, "keyword", upper, NULL);
		if (cmd != NULL)
			return explain_build_command(kb, cmd, kw);
		if (kw != NULL)
			return explain_build_keyword(kb, kw);
		if ((e = kb_find(kb, "scenario", w, NULL)) != NULL)
			return explain_build_general(kb, e, "kind-scenario", NULL);
		if ((e = kb_find(kb, "event", w, NULL)) != NULL)
			return explain_build_general(kb, e, "kind-event", NULL);
	}
	*errstr = xasprintf("'%s' means nothing to smtpscope: try a reply code (550), an "
	    "enhanced status code (5.1.1), a command (RCPT), an EHLO keyword (PIPELINING), a "
	    "practice scenario or a pasted reply", w);
	return NULL;
}

struct explanation *
explain_word_after(const struct kb *kb, const char *word, const char *after, char **errstr)
{
	struct explanation *ex = NULL;
	char *w, *space;
	char *dummy = NULL;

	if (errstr == NULL)
		errstr = &dummy;
	*errstr = NULL;
	if (word == NULL || kb == NULL) {
		*errstr = xstrdup("nothing to explain");
		return NULL;
	}
	if (strlen(word) > EXPLAIN_PASTE_MAX) {
		*errstr = xasprintf("the text to explain is too long (over %u bytes)",
		    EXPLAIN_PASTE_MAX);
		return NULL;
	}
	w = trimmed(word);
	if (*w == '\0') {
		*errstr = xstrdup("nothing to explain");
		free(w);
		return NULL;
	}
	space = w + strcspn(w, " \t\r\n");
	if (*space == '\0') {
		ex = explain_single(kb, w, after, errstr);
	} else {
		/* "550 5.7.1": a code and an enhanced code; anything longer that starts with a
		 * code is a pasted reply. */
		struct enhanced enh;
		char *first = xstrndup(w, (size_t)(space - w)), *rest = trimmed(space);
		int code;

		if (explain_parse_reply_code(first, &code) && strcspn(rest, " \t\r\n") == strlen(rest) &&
		    explain_looks_like_enhanced(rest)) {
			if (explain_parse_enhanced(rest, &enh))
				ex = explain_build_code(kb, code, &enh, after);
			else
				*errstr = xasprintf("'%s' is not an enhanced status code: it is "
				    "written CLASS.SUBJECT.DETAIL (such as 5.7.1)", rest);
		} else if (strlen(w) >= 3 && isdigit((unsigned char)w[0]) &&
		    isdigit((unsigned char)w[1]) && isdigit((unsigned char)w[2]) &&
		    (w[3] == ' ' || w[3] == '-' || w[3] == '\r' || w[3] == '\n')) {
			struct reply *reply = parse_pasted(w);

			/* A multiline 250 pasted without its command is an EHLO answer. */
			if (reply != NULL && reply->code != 0)
				ex = explain_reply(kb, reply, after != NULL ? after :
				    reply->code == 250 && reply->nlines > 1 ? "EHLO" : NULL);
			else
				*errstr = xasprintf("'%.3s' is not a reply code: a reply code has "
				    "three digits and starts with 2, 3, 4 or 5", w);
			reply_free(reply);
		} else {
			*errstr = xasprintf("'%s' means nothing to smtpscope: give one word (a "
			    "code, command, keyword or scenario), a code and an enhanced code "
			    "(550 5.7.1), or a whole reply line (550 5.7.1 Relaying denied)", w);
		}
		free(first);
		free(rest);
	}
	free(w);
	if (ex == NULL && *errstr == NULL)
		*errstr = xstrdup("nothing to explain");
	if (errstr == &dummy)
		free(dummy);
	return ex;
}

struct explanation *
explain_word(const struct kb *kb, const char *word, char **errstr)
{
	return explain_word_after(kb, word, NULL, errstr);
}
