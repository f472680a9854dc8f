/* session.c: the client's SMTP state machine: what state the session is in, what the server
 * offered in EHLO, which command each reply answers, and whether a command about to be sent is
 * out of sequence or doomed (guidance, never a refusal). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/proto/sasl.h"
#include "core/proto/session.h"
#include "core/proto/smtp_command.h"
#include "core/util/strbuf.h"
#include "core/util/xmalloc.h"

/* Bounds on what a server's EHLO reply can make us keep. */
#define SESSION_MAX_CAPS 64
#define SESSION_MAX_MECHS 32
#define SESSION_CAP_LEN 512
#define SESSION_MAX_SUGGEST 8

struct pending {
	enum session_context context;       /* SESSION_CONTEXT_COMMAND, _GREETING or _DATA_END */
	enum smtp_verb verb;
	char key[SMTP_VERB_TEXT_MAX + 1];   /* the verb as sent, or the context's key */
	int64_t sent_us;
	bool last;          /* BDAT ... LAST */
};

struct capability {
	char *keyword;      /* upper case */
	char *params;       /* the rest of the line, "" when none */
};

struct session {
	enum session_state state;
	bool helo_only;     /* HELO, not EHLO: no extensions */
	bool caps_known;
	bool tls;
	struct capability caps[SESSION_MAX_CAPS];
	const char *keywords[SESSION_MAX_CAPS];
	size_t ncaps;
	char *mechs[SESSION_MAX_MECHS];
	size_t nmechs;
	long long size_limit;
	char *user;
	char *auth_user;    /* identity of the AUTH in progress */
	char auth_mech[24];
	char *challenge;    /* the last 334 challenge, decoded */
	bool auth_continuing;
	size_t rcpts;
	struct pending *queue;
	size_t head, count, cap;
	size_t max_pending;  /* 0: no bound; else the oldest is forgotten beyond it */
	char *suggestions[SESSION_MAX_SUGGEST];
};

static void enter_ready(struct session *s);

struct session *
session_new(void)
{
	struct session *s = xcalloc(1, sizeof *s);

	s->state = SESSION_NO_CONNECTION;
	s->size_limit = -1;
	return s;
}

static void
forget_capabilities(struct session *s)
{
	size_t i;

	for (i = 0; i < s->ncaps; i++) {
		free(s->caps[i].keyword);
		free(s->caps[i].params);
	}
	for (i = 0; i < s->nmechs; i++)
		free(s->mechs[i]);
	s->ncaps = s->nmechs = 0;
	s->caps_known = false;
	s->size_limit = -1;
}

static void
forget_auth(struct session *s)
{
	free(s->auth_user);
	s->auth_user = NULL;
	free(s->challenge);
	s->challenge = NULL;
	s->auth_continuing = false;
	s->auth_mech[0] = '\0';
}

static void
free_suggestions(struct session *s)
{
	size_t i;

	for (i = 0; i < SESSION_MAX_SUGGEST; i++) {
		free(s->suggestions[i]);
		s->suggestions[i] = NULL;
	}
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	forget_capabilities(s);
	forget_auth(s);
	free_suggestions(s);
	free(s->user);
	free(s->queue);
	free(s);
}

static void
push(struct session *s, enum session_context context, enum smtp_verb verb, const char *text,
    int64_t now_us, bool last)
{
	struct pending *p;

	if (s->max_pending > 0 && s->count >= s->max_pending) {
		s->head = (s->head + 1) % s->cap;
		s->count--;
	}
	if (s->count == s->cap) {
		/* Grow and unroll the ring so head is 0 again. */
		struct pending *q = xreallocarray(NULL, s->cap ? s->cap * 2 : 16, sizeof *q);
		size_t i;

		for (i = 0; i < s->count; i++)
			q[i] = s->queue[(s->head + i) % s->cap];
		free(s->queue);
		s->queue = q;
		s->head = 0;
		s->cap = s->cap ? s->cap * 2 : 16;
	}
	p = &s->queue[(s->head + s->count) % s->cap];
	p->context = context;
	p->verb = verb;
	strbuf_copy_to(p->key, sizeof p->key, context != SESSION_CONTEXT_COMMAND ?
	    session_context_key(context) : text[0] != '\0' ? text : "(empty)");
	p->sent_us = now_us;
	p->last = last;
	s->count++;
}

static const struct pending *
peek(const struct session *s, size_t i)
{
	return i < s->count ? &s->queue[(s->head + i) % s->cap] : NULL;
}

static void
pop(struct session *s)
{
	if (s->count == 0)
		return;
	s->head = (s->head + 1) % s->cap;
	s->count--;
}

void
session_connected(struct session *s, int64_t now_us)
{
	forget_capabilities(s);
	forget_auth(s);
	free(s->user);
	s->user = NULL;
	s->tls = false;
	s->helo_only = false;
	s->rcpts = 0;
	s->count = s->head = 0;
	s->state = SESSION_GREETING;
	push(s, SESSION_CONTEXT_GREETING, SMTP_VERB_UNKNOWN, NULL, now_us, false);
}

void
session_closed(struct session *s)
{
	s->count = s->head = 0;
	forget_auth(s);
	s->state = SESSION_CLOSED;
}

void
session_tls_started(struct session *s)
{
	/* RFC 3207 section 4.2: the client MUST discard what it knew from the server before
	 * TLS, and SHOULD send EHLO again. */
	forget_capabilities(s);
	forget_auth(s);
	free(s->user);
	s->user = NULL;
	s->tls = true;
	s->rcpts = 0;
	s->helo_only = false;
	s->state = SESSION_GREETING;
}

enum session_state
session_state(const struct session *s)
{
	return s->state;
}

/* Each state's key and English words; SESSION_READY has two, with and without extensions. */
static const struct {
	enum session_state state;
	bool helo_only;
	const char *key;
	const char *name;
} state_words[] = {
	{ SESSION_NO_CONNECTION, false, "no-connection", "no connection" },
	{ SESSION_GREETING, false, "greeting", "greeting" },
	{ SESSION_READY, false, "after-ehlo", "after EHLO" },
	{ SESSION_READY, true, "after-helo", "after HELO" },
	{ SESSION_TRANSACTION, false, "in-transaction", "in transaction" },
	{ SESSION_RECIPIENTS, false, "after-rcpt", "after RCPT" },
	{ SESSION_DATA, false, "in-data", "in DATA" },
	{ SESSION_CLOSED, false, "closed", "closed" },
};

static size_t
state_index(const struct session *s)
{
	size_t i;

	for (i = 0; i < sizeof state_words / sizeof state_words[0]; i++)
		if (state_words[i].state == s->state &&
		    (s->state != SESSION_READY || state_words[i].helo_only == s->helo_only))
			return i;
	return 0;
}

const char *
session_state_key(const struct session *s)
{
	return state_words[state_index(s)].key;
}

const char *
session_state_name(const struct session *s)
{
	return state_words[state_index(s)].name;
}

const char *
session_state_key_parse(const char *text)
{
	size_t i, k, n = strlen(text);

	for (i = 0; i < sizeof state_words / sizeof state_words[0]; i++) {
		const char *key = state_words[i].key;

		if (strlen(key) != n)
			continue;
		for (k = 0; k < n; k++)
			if (tolower((unsigned char)text[k]) != key[k] &&
			    !(text[k] == ' ' && key[k] == '-'))
				break;
		if (k == n)
			return key;
	}
	return NULL;
}

const char *
session_state_key_name(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof state_words / sizeof state_words[0]; i++)
		if (strcmp(state_words[i].key, key) == 0)
			return state_words[i].name;
	return NULL;
}

bool
session_line_is_secret(const struct session *s, const char *line, size_t len, size_t *keep)
{
	size_t i = 0, words = 0;

	if (keep != NULL)
		*keep = 0;
	if (s != NULL && s->auth_continuing)
		/* The empty line and "*" cancel the exchange (RFC 4954 section 4): no secret. */
		return len > 0 && !(len == 1 && line[0] == '*');
	/* "AUTH MECH initial-response": the third word on is the secret. */
	while (i < len) {
		size_t start;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			break;
		start = i;
		if (++words == 3)
			break;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		if (words == 1 && (i - start != 4 || strncasecmp(line + start, "AUTH", 4) != 0))
			return false;
	}
	if (words < 3)
		return false;
	if (keep != NULL)
		*keep = i;
	return true;
}

char *
session_mask_line(const struct session *s, const char *line)
{
	size_t keep;

	if (!session_line_is_secret(s, line, strlen(line), &keep))
		return NULL;
	return xasprintf("%.*s%s", (int)keep, line, SESSION_MASK);
}

/* A "KEY=value" ESMTP parameter's number from a MAIL line (SIZE=...), or -1. */
static long long
mail_parameter_number(const struct smtp_command *cmd, const char *key)
{
	const char *value;
	size_t len;
	char digits[24], *end;
	long long v;

	if (!smtp_command_param(cmd, key, &value, &len) || len == 0 || len >= sizeof digits)
		return -1;
	memcpy(digits, value, len);
	digits[len] = '\0';
	errno = 0;
	v = strtoll(digits, &end, 10);
	return errno == 0 && v >= 0 && end != digits ? v : -1;
}

bool
session_has(const struct session *s, const char *keyword)
{
	return session_capability_params(s, keyword) != NULL;
}

const char *
session_capability_params(const struct session *s, const char *keyword)
{
	size_t i;

	for (i = 0; i < s->ncaps; i++)
		if (strcmp(s->caps[i].keyword, keyword) == 0)
			return s->caps[i].params;
	return NULL;
}

static bool
offers_mechanism(const struct session *s, const char *mech)
{
	size_t i;

	for (i = 0; i < s->nmechs; i++)
		if (strcasecmp(s->mechs[i], mech) == 0)
			return true;
	return false;
}

/* What a group's earlier lines would have changed, were they accepted. */
struct projection {
	bool greeted;       /* EHLO/HELO done or on its way */
	bool ehlo;          /* the capabilities are (or will be) known */
	bool mail;          /* in a transaction, or MAIL on its way */
	bool rcpt;          /* a recipient accepted, or RCPT on its way */
	bool banner;        /* the greeting arrived */
	size_t in_flight;
};

static void
project_pending(const struct session *s, struct projection *p)
{
	size_t i;

	memset(p, 0, sizeof *p);
	p->greeted = s->state >= SESSION_READY && s->state <= SESSION_DATA;
	p->ehlo = s->caps_known;
	p->mail = s->state == SESSION_TRANSACTION || s->state == SESSION_RECIPIENTS;
	p->rcpt = s->rcpts > 0;
	p->banner = true;
	p->in_flight = s->count;
	for (i = 0; i < s->count; i++) {
		const struct pending *q = peek(s, i);

		if (q->context == SESSION_CONTEXT_GREETING)
			p->banner = false;
		else if (q->context == SESSION_CONTEXT_DATA_END)
			p->mail = p->rcpt = false;
		else if (q->verb == SMTP_VERB_EHLO || q->verb == SMTP_VERB_HELO ||
		    q->verb == SMTP_VERB_LHLO)
			p->greeted = true;
		else if (q->verb == SMTP_VERB_MAIL)
			p->mail = true;
		else if (q->verb == SMTP_VERB_RCPT)
			p->rcpt = true;
		else if (q->verb == SMTP_VERB_RSET)
			p->mail = p->rcpt = false;
	}
}

static bool
warn(const char **event, char **text, const char *key, char *message)
{
	*event = key;
	*text = message;
	return true;
}

/* Checks one line against the projection and advances it. */
static bool
check_line(const struct session *s, struct projection *p, const char *line, bool grouped,
    long long msg_size, const char **event, char **text)
{
	struct smtp_command cmd;
	const char *verb;
	long long size;

	smtp_command_parse_mode(line, strlen(line), SMTP_PARSE_TYPED, &cmd);
	verb = cmd.verb_text;
	if (!p->banner)
		return warn(event, text, "early-talker", xasprintf("%s before the server's greeting: "
		    "many servers reject a client that talks first (554, \"protocol "
		    "synchronization\"); wait for the 220 banner", verb));
	if (!grouped && p->in_flight > 0 && !session_has(s, "PIPELINING") && !s->auth_continuing)
		return warn(event, text, "pipelining-not-advertised", xasprintf("%s while an "
		    "earlier command still waits for its reply, and the server did not offer "
		    "PIPELINING: without it a client must wait for each reply (RFC 5321 section "
		    "4.3.1)", verb));
	if (cmd.verb == SMTP_VERB_EHLO || cmd.verb == SMTP_VERB_HELO) {
		if (cmd.args_len == 0)
			return warn(event, text, "ehlo-no-name", xasprintf("%s needs your host name "
			    "or an address literal such as [127.0.0.1]; without one the server "
			    "answers 501", verb));
		p->greeted = true;
		p->ehlo = cmd.verb == SMTP_VERB_EHLO;
		p->mail = p->rcpt = false;
	} else if (cmd.verb == SMTP_VERB_MAIL) {
		if (!p->greeted)
			return warn(event, text, "mail-before-ehlo", xstrdup("MAIL before EHLO or "
			    "HELO: introduce yourself first (EHLO your.host.name); most servers "
			    "answer 503"));
		if (p->mail)
			return warn(event, text, "mail-in-transaction", xstrdup("MAIL while a "
			    "transaction is already open: finish it (DATA) or cancel it (RSET) "
			    "first, or the server answers 503"));
		if (strncasecmp(line + strspn(line, " "), "MAIL FROM:", 10) != 0)
			return warn(event, text, "command-syntax", xstrdup("the syntax is "
			    "MAIL FROM:<address> (no space before the colon; <> for bounces)"));
		size = mail_parameter_number(&cmd, "SIZE");
		if (size >= 0 && s->size_limit > 0 && size > s->size_limit)
			return warn(event, text, "message-too-large", xasprintf("SIZE=%lld is more "
			    "than the %lld octets the server accepts (its SIZE in EHLO): expect "
			    "552", size, s->size_limit));
		p->mail = true;
		p->rcpt = false;
	} else if (cmd.verb == SMTP_VERB_RCPT) {
		if (!p->mail)
			return warn(event, text, "rcpt-before-mail", xstrdup("RCPT before MAIL: "
			    "start the transaction with MAIL FROM:<you@example.org> first; the "
			    "server answers 503"));
		if (strncasecmp(line + strspn(line, " "), "RCPT TO:", 8) != 0)
			return warn(event, text, "command-syntax", xstrdup("the syntax is "
			    "RCPT TO:<address> (no space before the colon)"));
		p->rcpt = true;
	} else if (cmd.verb == SMTP_VERB_DATA || cmd.verb == SMTP_VERB_BDAT) {
		if (cmd.verb == SMTP_VERB_BDAT && s->caps_known && !session_has(s, "CHUNKING"))
			return warn(event, text, "chunking-not-advertised", xstrdup("BDAT needs "
			    "CHUNKING, and the server did not offer it in EHLO: use DATA"));
		if (!p->rcpt)
			return warn(event, text, "data-without-rcpt", xasprintf("%s with no accepted "
			    "recipient: the server answers 503 (or 554); get a 250 to RCPT TO "
			    "first", verb));
		if (msg_size >= 0 && s->size_limit > 0 && msg_size > s->size_limit)
			return warn(event, text, "message-too-large", xasprintf("the message is %lld "
			    "octets and the server's SIZE limit is %lld: expect 552", msg_size,
			    s->size_limit));
		if (cmd.verb == SMTP_VERB_BDAT && strcasestr(line, "LAST") != NULL)
			p->mail = p->rcpt = false;
	} else if (cmd.verb == SMTP_VERB_STARTTLS) {
		if (s->tls)
			return warn(event, text, "starttls-twice", xstrdup("TLS is already up: a "
			    "second STARTTLS is refused (503 or 554)"));
		if (!p->ehlo)
			return warn(event, text, "starttls-not-advertised", xstrdup("STARTTLS before "
			    "EHLO: the server has not yet said it offers STARTTLS; send EHLO first"));
		if (s->caps_known && !session_has(s, "STARTTLS"))
			return warn(event, text, "starttls-not-advertised", xstrdup("the server did "
			    "not offer STARTTLS in its EHLO reply: it will probably answer 502 or "
			    "500"));
	} else if (cmd.verb == SMTP_VERB_AUTH) {
		char mech[24];

		smtp_command_verb(cmd.args, cmd.args_len, mech, sizeof mech);
		if (s->user != NULL)
			return warn(event, text, "auth-twice", xasprintf("already authenticated as "
			    "%s: a second AUTH is refused with 503", s->user));
		if (!p->ehlo)
			return warn(event, text, "auth-before-ehlo", xstrdup("AUTH before EHLO: only "
			    "EHLO tells which mechanisms the server offers; send EHLO first"));
		if (s->caps_known && s->nmechs == 0)
			return warn(event, text, "auth-not-advertised", xstrdup("the server did not "
			    "offer AUTH in its EHLO reply (many offer it only after STARTTLS)"));
		if (s->caps_known && mech[0] != '\0' && !offers_mechanism(s, mech))
			return warn(event, text, "auth-mechanism-not-offered", xasprintf("the server "
			    "does not offer %s; it offers: %s", mech,
			    session_capability_params(s, "AUTH")));
		if (!s->tls && s->caps_known && session_has(s, "STARTTLS"))
			return warn(event, text, "auth-plaintext", xstrdup("AUTH over an unencrypted "
			    "connection while the server offers STARTTLS: the password would cross "
			    "the network readable by anyone in between; STARTTLS first"));
	}
	p->in_flight++;
	return false;
}

bool
session_check(const struct session *s, const char *const *lines, size_t n, long long msg_size,
    const char **event, char **text)
{
	struct projection p;
	size_t i;

	*event = NULL;
	*text = NULL;
	if (s->state == SESSION_DATA || s->auth_continuing)
		return false;
	project_pending(s, &p);
	for (i = 0; i < n; i++)
		if (check_line(s, &p, lines[i], n > 1 || i > 0, msg_size, event, text))
			return true;
	return false;
}

/* Picks the identity out of an AUTH payload the user typed (initial response or continuation),
 * so manual AUTH shows who logged in just like /auth does. */
static void
learn_identity(struct session *s, const char *b64)
{
	size_t len;
	unsigned char *raw;
	char *zid = NULL, *user = NULL, *pass = NULL;

	if (strcasecmp(s->auth_mech, "PLAIN") == 0) {
		if (sasl_plain_parse(b64, &zid, &user, &pass) == 0) {
			session_set_auth_user(s, user);
			memset(pass, 0, strlen(pass));
		}
		free(zid);
		free(user);
		free(pass);
		return;
	}
	raw = sasl_b64_decode(b64, &len);
	if (raw == NULL)
		return;
	if (strcasecmp(s->auth_mech, "LOGIN") == 0 && s->challenge != NULL &&
	    strncasecmp(s->challenge, "user", 4) == 0 && sasl_is_printable(raw, len))
		session_set_auth_user(s, (char *)raw);
	else if (strcasecmp(s->auth_mech, "CRAM-MD5") == 0 && strchr((char *)raw, ' ') != NULL) {
		*strrchr((char *)raw, ' ') = '\0';
		session_set_auth_user(s, (char *)raw);
	} else if (strcasecmp(s->auth_mech, "XOAUTH2") == 0 &&
	    strncmp((char *)raw, "user=", 5) == 0) {
		char *end = strchr((char *)raw, '\001');

		if (end != NULL)
			*end = '\0';
		session_set_auth_user(s, (char *)raw + 5);
	}
	memset(raw, 0, len);
	free(raw);
}

void
session_sent(struct session *s, const char *line, int64_t now_us)
{
	struct smtp_command cmd;
	char verb[16];
	size_t keep;

	if (s->auth_continuing) {
		/* It answers the 334 at the head of the queue; no new command. */
		learn_identity(s, line);
		s->auth_continuing = false;
		return;
	}
	if (s->state == SESSION_DATA)
		return;
	smtp_command_parse_mode(line, strlen(line), SMTP_PARSE_TYPED, &cmd);
	strbuf_copy_to(verb, sizeof verb, cmd.verb_text);
	if (cmd.verb == SMTP_VERB_AUTH) {
		forget_auth(s);
		smtp_command_verb(cmd.args, cmd.args_len, s->auth_mech, sizeof s->auth_mech);
		/* the initial response, when one was given ("=" is an empty one) */
		if (session_line_is_secret(NULL, line, strlen(line), &keep) &&
		    strcmp(line + keep, "=") != 0)
			learn_identity(s, line + keep);
	}
	push(s, SESSION_CONTEXT_COMMAND, cmd.verb, verb, now_us,
	    cmd.verb == SMTP_VERB_BDAT && strcasestr(line, "LAST") != NULL);
}

void
session_sent_data_end(struct session *s, int64_t now_us)
{
	/* The message is over: what follows is a command again, even before the reply. */
	if (s->state == SESSION_DATA)
		enter_ready(s);
	push(s, SESSION_CONTEXT_DATA_END, SMTP_VERB_UNKNOWN, NULL, now_us, false);
}

void
session_limit_pending(struct session *s, size_t max)
{
	s->max_pending = max;
}

void
session_forget_pending(struct session *s)
{
	s->count = s->head = 0;
	s->auth_continuing = false;
}

bool
session_auth_continuing(const struct session *s)
{
	return s->auth_continuing;
}

void
session_set_auth_user(struct session *s, const char *user)
{
	free(s->auth_user);
	s->auth_user = xstrdup(user);
}

/* Keeps one keyword line of an EHLO reply. */
static void
add_capability(struct session *s, const char *text)
{
	char keyword[64];
	const char *params;
	size_t i;
	char *copy, *word, *save = NULL;

	if (s->ncaps == SESSION_MAX_CAPS)
		return;
	while (*text == ' ')
		text++;
	for (i = 0; text[i] != '\0' && text[i] != ' ' && text[i] != '=' && i + 1 < sizeof keyword;
	    i++)
		keyword[i] = (char)toupper((unsigned char)text[i]);
	keyword[i] = '\0';
	if (i == 0)
		return;
	params = text + i;
	/* The pre-standard "AUTH=PLAIN LOGIN" form lists mechanisms too. */
	if (*params == '=' && strcmp(keyword, "AUTH") == 0)
		params++;
	while (*params == ' ')
		params++;
	if (strcmp(keyword, "AUTH") == 0) {
		copy = xstrndup(params, SESSION_CAP_LEN);
		for (word = strtok_r(copy, " ", &save); word != NULL;
		    word = strtok_r(NULL, " ", &save)) {
			for (i = 0; word[i] != '\0'; i++)
				word[i] = (char)toupper((unsigned char)word[i]);
			if (s->nmechs < SESSION_MAX_MECHS && !offers_mechanism(s, word))
				s->mechs[s->nmechs++] = xstrdup(word);
		}
		free(copy);
		for (i = 0; i < s->ncaps; i++)
			if (strcmp(s->caps[i].keyword, "AUTH") == 0)
				return;
	} else if (strcmp(keyword, "SIZE") == 0) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(params, &end, 10);
		s->size_limit = (errno == 0 && v > 0 && end != params) ? v : 0;
	}
	for (i = 0; i < s->ncaps; i++)
		if (strcmp(s->caps[i].keyword, keyword) == 0)
			return;
	s->caps[s->ncaps].keyword = xstrdup(keyword);
	s->caps[s->ncaps].params = xstrndup(params, SESSION_CAP_LEN);
	s->keywords[s->ncaps] = s->caps[s->ncaps].keyword;
	s->ncaps++;
}

/* The text of a reply line after the code and separator. */
static const char *
line_text(const struct reply *reply, size_t i)
{
	const struct reply_line *l = &reply->lines[i];

	return l->len >= 4 ? l->raw + 4 : "";
}

static void
parse_ehlo(struct session *s, const struct reply *reply)
{
	size_t i;

	forget_capabilities(s);
	s->caps_known = true;
	/* The first line names the server; each line after it is one keyword. */
	for (i = 1; i < reply->nlines; i++)
		add_capability(s, line_text(reply, i));
}

const char *
session_context_key(enum session_context context)
{
	switch (context) {
	case SESSION_CONTEXT_COMMAND:
		return "command";
	case SESSION_CONTEXT_GREETING:
		return "greeting";
	case SESSION_CONTEXT_DATA_END:
		return "DATA-END";
	case SESSION_CONTEXT_UNSOLICITED:
		return "unsolicited";
	case SESSION_CONTEXT_BEFORE_GREETING:
		return "before-greeting";
	}
	return "?";
}

const char *
session_outcome_key(const struct session_outcome *o)
{
	if (o->context != SESSION_CONTEXT_COMMAND)
		return session_context_key(o->context);
	return o->verb_text[0] != '\0' ? o->verb_text : "(empty)";
}

/* The transaction is over (or never began): ready for the next. */
static void
enter_ready(struct session *s)
{
	s->state = SESSION_READY;
	s->rcpts = 0;
}

/* What a reply to AUTH changes: a 334 asks for the next line, 235 names the user. */
static void
auth_reply(struct session *s, const struct reply *reply, struct session_outcome *o)
{
	if (reply->code == 334) {
		size_t len;
		unsigned char *raw = sasl_b64_decode(line_text(reply, 0), &len);

		free(s->challenge);
		s->challenge = raw != NULL ? (char *)raw : NULL;
		s->auth_continuing = true;
		o->auth_challenge = true;
		return;
	}
	if (reply->code == 235) {
		free(s->user);
		s->user = xstrdup(s->auth_user != NULL ? s->auth_user : "(unknown user)");
		o->authenticated = true;
	}
	forget_auth(s);
}

/* What a reply to a command changes, by the command's verb. */
static void
command_reply(struct session *s, const struct reply *reply, bool last,
    struct session_outcome *o)
{
	int cls = reply->code / 100;

	switch (o->verb) {
	case SMTP_VERB_EHLO:
	case SMTP_VERB_LHLO:
		if (cls == 2) {
			parse_ehlo(s, reply);
			s->helo_only = false;
			enter_ready(s);
		}
		break;
	case SMTP_VERB_HELO:
		if (cls == 2) {
			forget_capabilities(s);
			s->helo_only = true;
			enter_ready(s);
		}
		break;
	case SMTP_VERB_MAIL:
		if (cls == 2) {
			s->state = SESSION_TRANSACTION;
			s->rcpts = 0;
		}
		break;
	case SMTP_VERB_RCPT:
		if (cls == 2) {
			s->rcpts++;
			s->state = SESSION_RECIPIENTS;
		}
		break;
	case SMTP_VERB_DATA:
		if (reply->code == 354) {
			s->state = SESSION_DATA;
			o->data_go = true;
		}
		break;
	case SMTP_VERB_BDAT:
		o->bdat_last = last;
		if (last || cls != 2)
			enter_ready(s);
		break;
	case SMTP_VERB_RSET:
		if (cls == 2 && s->state != SESSION_GREETING)
			enter_ready(s);
		break;
	case SMTP_VERB_STARTTLS:
		o->starttls_go = reply->code == 220;
		break;
	case SMTP_VERB_AUTH:
		auth_reply(s, reply, o);
		break;
	case SMTP_VERB_QUIT:
		if (reply->code == 221)
			o->closing = true;
		break;
	default:
		break;
	}
}

void
session_reply(struct session *s, const struct reply *reply, int64_t now_us,
    struct session_outcome *o)
{
	const struct pending *head = peek(s, 0);
	int cls = reply->code / 100;
	bool last = false;

	memset(o, 0, sizeof *o);
	o->sent_us = -1;
	o->verb = SMTP_VERB_UNKNOWN;
	(void)now_us;
	if (head != NULL && head->context == SESSION_CONTEXT_GREETING && (reply->code == 0 ||
	    (reply->code != 220 && (cls == 2 || cls == 3)))) {
		/* A server greets with 220, or refuses with 554 (or another 4xx/5xx; RFC 5321
		 * section 4.3.2). A line without a reply code (a banner, another protocol's hello)
		 * or a 250 out of nowhere is no greeting: wait on for one, so the replies that
		 * follow pair up with the commands that drew them. */
		o->context = SESSION_CONTEXT_BEFORE_GREETING;
		o->unsolicited = true;
		o->before_greeting = true;
		return;
	}
	if (head == NULL) {
		o->context = SESSION_CONTEXT_UNSOLICITED;
		o->unsolicited = true;
	} else {
		o->context = head->context;
		o->verb = head->verb;
		if (head->context == SESSION_CONTEXT_COMMAND && strcmp(head->key, "(empty)") != 0)
			strbuf_copy_to(o->verb_text, sizeof o->verb_text, head->key);
		o->sent_us = head->sent_us;
		last = head->last;
		/* A 334 keeps AUTH at the head: the continuation line answers it. */
		if (!(reply->code == 334 && head->verb == SMTP_VERB_AUTH))
			pop(s);
	}
	if (reply->code == 421)
		o->closing = true;
	if (o->context == SESSION_CONTEXT_DATA_END)
		/* Accepted or not, the transaction is over. */
		enter_ready(s);
	else if (o->context == SESSION_CONTEXT_COMMAND)
		command_reply(s, reply, last, o);
}

enum session_context
session_context_from_key(const char *key)
{
	static const enum session_context named[] = {
		SESSION_CONTEXT_GREETING, SESSION_CONTEXT_DATA_END, SESSION_CONTEXT_UNSOLICITED,
		SESSION_CONTEXT_BEFORE_GREETING,
	};
	size_t i;

	for (i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strcmp(key, session_context_key(named[i])) == 0)
			return named[i];
	return SESSION_CONTEXT_COMMAND;
}

void
session_reply_recorded(struct session *s, const struct reply *reply, const char *after,
    struct session_outcome *o)
{
	memset(o, 0, sizeof *o);
	o->sent_us = -1;
	o->verb = SMTP_VERB_UNKNOWN;
	o->context = after != NULL ? session_context_from_key(after) :
	    SESSION_CONTEXT_UNSOLICITED;
	o->unsolicited = after == NULL;
	if (o->context == SESSION_CONTEXT_COMMAND) {
		o->verb = smtp_command_verb(after, strlen(after), o->verb_text, sizeof o->verb_text);
		/* "BDAT" alone cannot say whether it was the last chunk: a 250 ends nothing. */
		command_reply(s, reply, false, o);
	} else if (o->context == SESSION_CONTEXT_DATA_END) {
		enter_ready(s);
	}
	if (reply->code == 421)
		o->closing = true;
}

void
session_skip_greeting(struct session *s)
{
	if (s->count > 0 && peek(s, 0)->context == SESSION_CONTEXT_GREETING)
		pop(s);
}

size_t
session_pending(const struct session *s)
{
	return s->count;
}

int64_t
session_oldest_sent(const struct session *s)
{
	return s->count > 0 ? peek(s, 0)->sent_us : -1;
}

const char *
session_waiting_for(const struct session *s)
{
	return s->count > 0 ? peek(s, 0)->key : NULL;
}

bool
session_capabilities_known(const struct session *s)
{
	return s->caps_known;
}

size_t
session_capabilities(const struct session *s, const char *const **keywords)
{
	*keywords = s->keywords;
	return s->ncaps;
}

size_t
session_auth_mechanisms(const struct session *s, const char *const **mechs)
{
	*mechs = (const char *const *)s->mechs;
	return s->nmechs;
}

long long
session_size_limit(const struct session *s)
{
	return s->size_limit;
}

bool
session_tls(const struct session *s)
{
	return s->tls;
}

const char *
session_user(const struct session *s)
{
	return s->user;
}

size_t
session_accepted_recipients(const struct session *s)
{
	return s->rcpts;
}

size_t
session_suggest(struct session *s, const char *helo_name, const char **out, size_t max)
{
	size_t n = 0;
	const char *helo = helo_name != NULL ? helo_name : "localhost";

#define SUGGEST(...) do { \
		if (n < max && n < SESSION_MAX_SUGGEST) { \
			s->suggestions[n] = xasprintf(__VA_ARGS__); \
			out[n] = s->suggestions[n]; \
			n++; \
		} \
	} while (0)

	free_suggestions(s);
	switch (s->state) {
	case SESSION_NO_CONNECTION:
	case SESSION_CLOSED:
		SUGGEST("/connect HOST[:PORT]");
		SUGGEST("/quit");
		break;
	case SESSION_GREETING:
		if (s->count > 0 && peek(s, 0)->context == SESSION_CONTEXT_GREETING) {
			SUGGEST("(wait for the server's greeting)");
			break;
		}
		SUGGEST("EHLO %s", helo);
		SUGGEST("HELO %s", helo);
		SUGGEST("QUIT");
		break;
	case SESSION_READY:
		if (!s->tls && session_has(s, "STARTTLS"))
			SUGGEST("STARTTLS");
		if (s->user == NULL && s->nmechs > 0)
			SUGGEST("/auth %s USER", s->mechs[0]);
		SUGGEST("MAIL FROM:<sender@example.org>");
		SUGGEST("QUIT");
		break;
	case SESSION_TRANSACTION:
		SUGGEST("RCPT TO:<recipient@example.org>");
		SUGGEST("RSET");
		break;
	case SESSION_RECIPIENTS:
		SUGGEST("DATA");
		if (session_has(s, "CHUNKING"))
			SUGGEST("/bdat FILE");
		SUGGEST("/data FILE");
		SUGGEST("RCPT TO:<another@example.org>");
		SUGGEST("RSET");
		break;
	case SESSION_DATA:
		SUGGEST("Subject: a test message");
		SUGGEST(".");
		break;
	}
#undef SUGGEST
	return n;
}
