/* explain_reply.c: the explanation of one reply in its context: its code (explain_code.c)
 * plus what its lines say: an EHLO reply's keywords, a 334's decoded challenge, the
 * protocol violations the parser found. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/knowledge/explain_internal.h"
#include "core/util/strbuf.h"
#include "core/proto/sasl.h"
#include "core/util/xmalloc.h"

/* EHLO keywords explained per reply; a server listing more is unusual and gets cut. */
#define EXPLAIN_KEYWORDS_MAX 64

/* One line of a reply as a bounded, NUL-free C string. */
static char *
line_text(const struct reply *reply, size_t i)
{
	const char *t = reply_line_text(reply, i);
	size_t n = reply_line_text_len(reply, i), k;
	char *copy;

	if (n > 1024)
		n = 1024;
	/* Not xstrndup: it stops at the first NUL, and a hostile line may hold NULs. */
	copy = xmalloc(n + 1);
	memcpy(copy, t, n);
	copy[n] = '\0';
	for (k = 0; k < n; k++)
		if (copy[k] == '\0' || (unsigned char)copy[k] < 0x20 || copy[k] == 0x7f)
			copy[k] = '?';
	return copy;
}

/* Each keyword of an EHLO reply (lines after the first) with its meaning and parameters. */
static char *
ehlo_keywords(const struct kb *kb, const struct reply *reply)
{
	struct strbuf b = { 0 };
	size_t i;

	for (i = 1; i < reply->nlines && i <= EXPLAIN_KEYWORDS_MAX; i++) {
		char *text = line_text(reply, i), *args, *word = text, *line, *joined = NULL;
		const struct kb_entry *e;
		const char *title, *desc, *params;
		char *eq;

		while (*word == ' ')
			word++;
		if (*word == '\0') {
			free(text);
			continue;
		}
		args = word + strcspn(word, " ");
		if (*args != '\0')
			*args++ = '\0';
		while (*args == ' ')
			args++;
		/* The old form "AUTH=LOGIN PLAIN" is its own keyword, "AUTH=": what follows the
		 * '=' moves in front of the other arguments. */
		if ((eq = strchr(word, '=')) != NULL && eq[1] != '\0') {
			char *moved = xasprintf("%s%s%s", eq + 1, *args ? " " : "", args);

			eq[1] = '\0';
			free(joined);
			joined = moved;
			args = joined;
		}
		for (eq = word; *eq != '\0'; eq++)
			*eq = (char)toupper((unsigned char)*eq);
		e = kb_find(kb, "keyword", word, NULL);
		title = e != NULL ? kb_field(kb, e, "title") : NULL;
		desc = e != NULL ? kb_field(kb, e, "description") : NULL;
		params = e != NULL ? kb_field(kb, e, "parameters") : NULL;
		if (b.len > 0)
			strbuf_add(&b, "\n");
		if (e == NULL) {
			line = xasprintf("- %s%s%s: %s", word, *args ? " " : "", args,
			    kb_label(kb, "keyword-unknown"));
		} else {
			char *d = explain_first_paragraph(desc), *pp = explain_first_paragraph(params);

			line = xasprintf("- %s%s%s: %s%s%s%s%s%s%s", word, *args ? " " : "", args,
			    title != NULL ? title : "", title != NULL && d != NULL ? ". " : "",
			    d != NULL ? d : "", pp != NULL ? " " : "",
			    pp != NULL ? kb_label(kb, "parameters") : "", pp != NULL ? ": " : "",
			    pp != NULL ? pp : "");
			free(d);
			free(pp);
		}
		strbuf_add(&b, line);
		free(line);
		free(text);
		free(joined);
	}
	if (reply->nlines > EXPLAIN_KEYWORDS_MAX + 1)
		strbuf_add(&b, "\n- ...");
	return strbuf_take(&b);
}

static char *
challenge_text(const struct kb *kb, const struct reply *reply)
{
	char *text = line_text(reply, 0), *out, *shown;
	unsigned char *plain;
	size_t len;

	/* The challenge is the text after "334 "; some servers add nothing at all. */
	plain = sasl_b64_decode(text, &len);
	if (plain == NULL) {
		out = explain_fill1(kb, "challenge-not-base64", "text", text);
	} else if (len == 0) {
		out = xstrdup(kb_label(kb, "challenge-empty"));
	} else if (sasl_is_printable(plain, len)) {
		shown = xstrndup((const char *)plain, len);
		out = explain_fill2(kb, "challenge-decoded", "text", text, "decoded", shown);
		free(shown);
	} else {
		char n[24];

		snprintf(n, sizeof n, "%zu", len);
		out = explain_fill1(kb, "challenge-binary", "bytes", n);
	}
	free(plain);
	free(text);
	return out;
}

static char *
violations_text(const struct kb *kb, unsigned violations)
{
	struct strbuf b = { 0 };
	unsigned bit;

	for (bit = 1; bit < (1u << REPLY_V_COUNT); bit <<= 1) {
		char label[48];
		const char *name;

		if ((violations & bit) == 0)
			continue;
		/* A translated label when the help has one, the parser's English phrase else. */
		snprintf(label, sizeof label, "violation-%s",
		    reply_violation_key((enum reply_violation)bit));
		name = kb_label(kb, label);
		if (strcmp(name, label) == 0)
			name = reply_violation_name((enum reply_violation)bit);
		if (b.len > 0)
			strbuf_add(&b, "\n");
		strbuf_add(&b, "- ");
		strbuf_add(&b, name);
	}
	return strbuf_take(&b);
}

struct explanation *
explain_reply(const struct kb *kb, const struct reply *reply, const char *after)
{
	struct explanation *ex;
	bool is_ehlo;

	if (reply == NULL)
		return NULL;
	if (reply->code >= 200 && reply->code <= 599) {
		ex = explain_code(kb, reply->code, reply->enhanced[0] ? reply->enhanced : NULL, after);
	} else {
		char shown[8];
		size_t i;

		ex = explanation_new();
		for (i = 0; i < 3 && reply->code_text[i] != '\0'; i++)
			shown[i] = isprint((unsigned char)reply->code_text[i]) ?
			    reply->code_text[i] : '?';
		shown[i] = '\0';
		ex->heading = xstrdup(shown);
		ex->summary = xstrdup(kb_label(kb, "not-a-code"));
		explanation_add_owned(ex, kb, "note", NULL, explain_fill1(kb, "bad-code-text", "code", shown), 0);
	}
	is_ehlo = after != NULL && (strncasecmp(after, "EHLO", 4) == 0 ||
	    strncasecmp(after, "LHLO", 4) == 0) && (after[4] == '\0' || after[4] == ' ');
	if (is_ehlo && reply->code == 250 && reply->nlines > 1)
		explanation_add_owned(ex, kb, "keywords", NULL, ehlo_keywords(kb, reply), 0);
	if (reply->code == 334)
		explanation_add_owned(ex, kb, "challenge", NULL, challenge_text(kb, reply), 0);
	if (reply->code == 354)
		explanation_add(ex, kb, "end-of-data", kb_label(kb, "end-of-data-text"));
	if (reply->violations != 0)
		explanation_add_owned(ex, kb, "violations", NULL, violations_text(kb, reply->violations), 0);
	return ex;
}
