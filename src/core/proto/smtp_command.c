/* smtp_command.c: the SMTP command grammar (see smtp_command.h). Knows what a command line, a
 * verb, a path and an ESMTP parameter look like; knows nothing of sockets or sessions. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/proto/smtp_command.h"
#include "core/util/strbuf.h"

static const struct {
	const char *name;
	enum smtp_verb verb;
} verb_names[] = {
	{ "HELO", SMTP_VERB_HELO }, { "EHLO", SMTP_VERB_EHLO }, { "MAIL", SMTP_VERB_MAIL },
	{ "RCPT", SMTP_VERB_RCPT }, { "DATA", SMTP_VERB_DATA }, { "BDAT", SMTP_VERB_BDAT },
	{ "RSET", SMTP_VERB_RSET }, { "VRFY", SMTP_VERB_VRFY }, { "EXPN", SMTP_VERB_EXPN },
	{ "HELP", SMTP_VERB_HELP }, { "NOOP", SMTP_VERB_NOOP }, { "QUIT", SMTP_VERB_QUIT },
	{ "STARTTLS", SMTP_VERB_STARTTLS }, { "AUTH", SMTP_VERB_AUTH }, { "ETRN", SMTP_VERB_ETRN },
	{ "TURN", SMTP_VERB_TURN }, { "ATRN", SMTP_VERB_ATRN }, { "SEND", SMTP_VERB_SEND },
	{ "SOML", SMTP_VERB_SOML }, { "SAML", SMTP_VERB_SAML }, { "LHLO", SMTP_VERB_LHLO },
	{ "XCLIENT", SMTP_VERB_XCLIENT }, { "XFORWARD", SMTP_VERB_XFORWARD },
};

const char *
smtp_verb_name(enum smtp_verb verb)
{
	size_t i;

	for (i = 0; i < sizeof verb_names / sizeof verb_names[0]; i++)
		if (verb_names[i].verb == verb)
			return verb_names[i].name;
	return "?";
}

enum smtp_verb
smtp_verb_lookup(const char *word, size_t len)
{
	size_t i;

	if (len == 0 || len > SMTP_VERB_MAX || memchr(word, '\0', len) != NULL)
		return SMTP_VERB_UNKNOWN;
	for (i = 0; i < sizeof verb_names / sizeof verb_names[0]; i++)
		/* the first letter rules out most of the table before any comparison */
		if (verb_names[i].name[0] == toupper((unsigned char)word[0]) &&
		    strlen(verb_names[i].name) == len &&
		    strncasecmp(word, verb_names[i].name, len) == 0)
			return verb_names[i].verb;
	return SMTP_VERB_UNKNOWN;
}

static bool
is_verb_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_';
}

int
smtp_command_parse_mode(const char *line, size_t len, enum smtp_parse_mode mode,
    struct smtp_command *cmd)
{
	size_t i, start = 0, verb_len, cap;

	memset(cmd, 0, sizeof *cmd);
	cmd->verb = SMTP_VERB_UNKNOWN;
	cmd->args = "";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c == '\0')
			cmd->has_nul = true;
		else if (c >= 0x80)
			cmd->has_8bit = true;
		else if ((c < 0x20 && c != '\t') || c == 0x7f)
			cmd->has_ctl = true;
	}
	if (mode == SMTP_PARSE_TYPED) {
		while (start < len && (line[start] == ' ' || line[start] == '\t'))
			start++;
		for (verb_len = 0; start + verb_len < len &&
		    is_verb_char((unsigned char)line[start + verb_len]); verb_len++)
			;
		cap = SMTP_VERB_TEXT_MAX;
	} else {
		for (verb_len = 0; verb_len < len && line[verb_len] != ' '; verb_len++)
			;
		cap = SMTP_VERB_MAX;
	}
	if (verb_len == 0)
		return -1;
	for (i = 0; i < verb_len && i < cap; i++)
		cmd->verb_text[i] = (char)toupper((unsigned char)line[start + i]);
	cmd->verb_text[i] = '\0';
	cmd->verb = smtp_verb_lookup(line + start, verb_len);
	i = start + verb_len;
	while (i < len && line[i] == ' ')
		i++;
	cmd->args = line + i;
	cmd->args_len = len - i;
	/* Trailing spaces are not part of the arguments. */
	while (cmd->args_len > 0 && cmd->args[cmd->args_len - 1] == ' ')
		cmd->args_len--;
	return 0;
}

int
smtp_command_parse(const char *line, size_t len, struct smtp_command *cmd)
{
	return smtp_command_parse_mode(line, len, SMTP_PARSE_WIRE, cmd);
}

enum smtp_verb
smtp_command_verb(const char *line, size_t len, char *buf, size_t size)
{
	struct smtp_command cmd;

	if (smtp_command_parse_mode(line, len, SMTP_PARSE_TYPED, &cmd) != 0)
		cmd.verb_text[0] = '\0';
	if (size > 0)
		strbuf_copy_to(buf, size, cmd.verb_text);
	return cmd.verb;
}

bool
smtp_command_param(const struct smtp_command *cmd, const char *key, const char **value,
    size_t *value_len)
{
	size_t klen = strlen(key), i = 0, n = cmd->args_len;
	const char *a = cmd->args;

	/* The first word is the path (or the mechanism); parameters follow it. */
	while (i < n && a[i] != ' ')
		i++;
	while (i < n) {
		size_t start, end;

		while (i < n && a[i] == ' ')
			i++;
		start = i;
		while (i < n && a[i] != ' ')
			i++;
		end = i;
		if (end - start > klen && a[start + klen] == '=' &&
		    strncasecmp(a + start, key, klen) == 0) {
			*value = a + start + klen + 1;
			*value_len = end - start - klen - 1;
			return true;
		}
	}
	return false;
}

const char *
smtp_addr_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : NULL;
}

static bool
is_atext(unsigned char c)
{
	return isalnum(c) || strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL || c >= 0x80;
}

/* Checks local@domain (or a bare "postmaster"); sets *has_8bit. */
static bool
address_valid(const char *a, size_t len, bool *has_8bit)
{
	size_t i = 0, at;
	bool prev_dot = true;

	*has_8bit = false;
	for (i = 0; i < len; i++)
		if ((unsigned char)a[i] >= 0x80)
			*has_8bit = true;
	if (len == 0)
		return false;
	i = 0;
	if (a[0] == '"') {
		for (i = 1; i < len && a[i] != '"'; i++) {
			unsigned char c = (unsigned char)a[i];
			if (c == '\\') {
				if (++i >= len)
					return false;
				c = (unsigned char)a[i];
			}
			if (c < 0x20 || c == 0x7f)
				return false;
		}
		if (i >= len)
			return false;
		i++;
	} else {
		for (; i < len && a[i] != '@'; i++) {
			unsigned char c = (unsigned char)a[i];
			if (c == '.') {
				if (prev_dot)
					return false;
				prev_dot = true;
			} else if (is_atext(c)) {
				prev_dot = false;
			} else {
				return false;
			}
		}
		if (i == 0 || prev_dot)
			return false;
	}
	if (i == len)   /* no domain: only "postmaster" is allowed, and only as a recipient */
		return len == 10 && strncasecmp(a, "postmaster", 10) == 0;
	if (a[i] != '@')
		return false;
	at = ++i;
	if (at == len)
		return false;
	if (a[at] == '[') {
		if (a[len - 1] != ']' || len - at < 3)
			return false;
		for (i = at + 1; i < len - 1; i++)
			if (!isalnum((unsigned char)a[i]) && !strchr(".:-", a[i]))
				return false;
		return true;
	}
	prev_dot = true;
	for (i = at; i < len; i++) {
		unsigned char c = (unsigned char)a[i];
		if (c == '.') {
			if (prev_dot)
				return false;
			prev_dot = true;
		} else if (isalnum(c) || c == '-' || c >= 0x80) {
			prev_dot = false;
		} else {
			return false;
		}
	}
	return !prev_dot;
}

static bool
word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

static bool
all_digits(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* xtext (RFC 3461 section 4): printable ASCII except '+' and '=', or "+XX" hex escapes. */
static bool
xtext_valid(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '+') {
			if (i + 2 >= len || !isxdigit((unsigned char)s[i + 1]) ||
			    !isxdigit((unsigned char)s[i + 2]))
				return false;
			i += 2;
		} else if (c < 0x21 || c > 0x7e || c == '=') {
			return false;
		}
	}
	return true;
}

static bool
notify_valid(const char *v, size_t len)
{
	size_t start = 0, i;
	bool never = false, other = false;

	if (len == 0)
		return false;
	for (i = 0; i <= len; i++) {
		if (i == len || v[i] == ',') {
			const char *w = v + start;
			size_t wl = i - start;
			if (word_is(w, wl, "NEVER"))
				never = true;
			else if (word_is(w, wl, "SUCCESS") || word_is(w, wl, "FAILURE") ||
			    word_is(w, wl, "DELAY"))
				other = true;
			else
				return false;
			start = i + 1;
		}
	}
	return !(never && other);
}

static void
note_param(struct smtp_path *path, const char *kw, size_t kwlen)
{
	size_t n = kwlen < sizeof path->bad_param - 1 ? kwlen : sizeof path->bad_param - 1;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)kw[i];
		path->bad_param[i] = (c >= 0x21 && c < 0x7f) ? (char)c : '?';
	}
	path->bad_param[n] = '\0';
}

/* One "KEYWORD[=VALUE]" of MAIL or RCPT. */
static enum smtp_path_error
param_parse(const char *p, size_t len, bool is_mail, struct smtp_path *path)
{
	const char *eq = memchr(p, '=', len);
	size_t kwlen = eq ? (size_t)(eq - p) : len;
	const char *v = eq ? eq + 1 : NULL;
	size_t vlen = eq ? len - kwlen - 1 : 0;
	size_t i;

	note_param(path, p, kwlen);
	if (kwlen == 0 || !isalnum((unsigned char)p[0]))
		return SMTP_PATH_PARAM_SYNTAX;
	for (i = 0; i < kwlen; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '-')
			return SMTP_PATH_PARAM_SYNTAX;
	if (eq != NULL) {
		if (vlen == 0)
			return SMTP_PATH_PARAM_SYNTAX;
		for (i = 0; i < vlen; i++) {
			unsigned char c = (unsigned char)v[i];
			if (c < 0x21 || c == '=' || c == 0x7f)
				return SMTP_PATH_PARAM_SYNTAX;
		}
	}
	if (is_mail && word_is(p, kwlen, "SIZE")) {
		uint64_t n = 0;
		if (path->has_size)
			return SMTP_PATH_PARAM_TWICE;
		if (!v || !all_digits(v, vlen) || vlen > 19)
			return SMTP_PATH_PARAM_SYNTAX;
		for (i = 0; i < vlen; i++)
			n = n * 10 + (uint64_t)(v[i] - '0');
		path->has_size = true;
		path->size = n;
	} else if (is_mail && word_is(p, kwlen, "BODY")) {
		if (path->body != SMTP_BODY_UNSET)
			return SMTP_PATH_PARAM_TWICE;
		if (!v)
			return SMTP_PATH_PARAM_SYNTAX;
		if (word_is(v, vlen, "7BIT"))
			path->body = SMTP_BODY_7BIT;
		else if (word_is(v, vlen, "8BITMIME"))
			path->body = SMTP_BODY_8BITMIME;
		else if (word_is(v, vlen, "BINARYMIME"))
			path->body = SMTP_BODY_BINARYMIME;
		else
			return SMTP_PATH_PARAM_SYNTAX;
	} else if (is_mail && word_is(p, kwlen, "SMTPUTF8")) {
		if (path->smtputf8)
			return SMTP_PATH_PARAM_TWICE;
		if (v)
			return SMTP_PATH_PARAM_SYNTAX;
		path->smtputf8 = true;
	} else if (is_mail && word_is(p, kwlen, "RET")) {
		if (path->has_ret)
			return SMTP_PATH_PARAM_TWICE;
		if (!v || !(word_is(v, vlen, "FULL") || word_is(v, vlen, "HDRS")))
			return SMTP_PATH_PARAM_SYNTAX;
		path->has_ret = true;
	} else if (is_mail && word_is(p, kwlen, "ENVID")) {
		if (path->has_envid)
			return SMTP_PATH_PARAM_TWICE;
		if (!v || vlen > 100 || !xtext_valid(v, vlen))
			return SMTP_PATH_PARAM_SYNTAX;
		path->has_envid = true;
	} else if (is_mail && word_is(p, kwlen, "AUTH")) {
		if (path->has_auth)
			return SMTP_PATH_PARAM_TWICE;
		if (!v || !(word_is(v, vlen, "<>") || xtext_valid(v, vlen)))
			return SMTP_PATH_PARAM_SYNTAX;
		path->has_auth = true;
	} else if (!is_mail && word_is(p, kwlen, "NOTIFY")) {
		if (path->has_notify)
			return SMTP_PATH_PARAM_TWICE;
		if (!v || !notify_valid(v, vlen))
			return SMTP_PATH_PARAM_SYNTAX;
		path->has_notify = true;
	} else if (!is_mail && word_is(p, kwlen, "ORCPT")) {
		const char *semi;
		if (path->has_orcpt)
			return SMTP_PATH_PARAM_TWICE;
		if (!v || (semi = memchr(v, ';', vlen)) == NULL || semi == v ||
		    !xtext_valid(semi + 1, vlen - (size_t)(semi + 1 - v)) || semi + 1 == v + vlen)
			return SMTP_PATH_PARAM_SYNTAX;
		path->has_orcpt = true;
	} else {
		return SMTP_PATH_PARAM_UNKNOWN;
	}
	path->bad_param[0] = '\0';
	return SMTP_PATH_OK;
}

enum smtp_path_error
smtp_path_parse(const char *args, size_t len, bool is_mail, struct smtp_path *path)
{
	const char *prefix = is_mail ? "FROM:" : "TO:";
	size_t plen = strlen(prefix), i, start, end, alen;
	bool in_quote = false;
	enum smtp_path_error err;

	memset(path, 0, sizeof *path);
	if (len < plen || strncasecmp(args, prefix, plen) != 0)
		return SMTP_PATH_NO_PREFIX;
	i = plen;
	if (i < len && args[i] == ' ')
		i++;
	if (i >= len || args[i] != '<')
		return SMTP_PATH_SYNTAX;
	start = ++i;
	for (; i < len; i++) {
		if (args[i] == '\\' && in_quote) {
			i++;
			continue;
		}
		if (args[i] == '"')
			in_quote = !in_quote;
		else if (args[i] == '>' && !in_quote)
			break;
	}
	if (i >= len)
		return SMTP_PATH_SYNTAX;
	end = i;
	/* An old source route "@a,@b:user@c" is accepted and ignored (RFC 5321 section 4.1.2). */
	if (start < end && args[start] == '@') {
		const char *colon = memchr(args + start, ':', end - start);
		if (colon == NULL)
			return SMTP_PATH_SYNTAX;
		start = (size_t)(colon - args) + 1;
	}
	alen = end - start;
	if (alen == 0) {
		if (!is_mail)
			return SMTP_PATH_SYNTAX;
		path->null_path = true;
	} else {
		if (alen > SMTP_ADDR_MAX || !address_valid(args + start, alen, &path->has_8bit))
			return SMTP_PATH_SYNTAX;
		if (is_mail && memchr(args + start, '@', alen) == NULL)
			return SMTP_PATH_SYNTAX;
		memcpy(path->addr, args + start, alen);
		path->addr[alen] = '\0';
	}
	i = end + 1;
	/* Parameters: SP-separated; at least one space after '>' when any follow. */
	if (i < len && args[i] != ' ')
		return SMTP_PATH_SYNTAX;
	while (i < len) {
		size_t p;
		while (i < len && args[i] == ' ')
			i++;
		if (i >= len)
			break;
		for (p = i; p < len && args[p] != ' '; p++)
			;
		err = param_parse(args + i, p - i, is_mail, path);
		if (err != SMTP_PATH_OK)
			return err;
		i = p;
	}
	if (path->has_8bit && !path->smtputf8 && is_mail)
		return SMTP_PATH_NEEDS_UTF8;
	return SMTP_PATH_OK;
}
