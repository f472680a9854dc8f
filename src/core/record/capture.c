/* capture.c: reads SMTP sessions captured by other tools, and smtpscope's own transcripts, as
 * a stream of items (client lines, server lines, complete replies with the command each one
 * answered, notes), for `smtpscope annotate` and the exports.
 *
 * One input line at a time: a line is read into a fixed buffer (cut at line_cap and marked),
 * handed to the reader of its format, which queues at most a few items; the next line is read
 * only once they are taken. Server lines go through the reply parser, so multiline replies come
 * out whole. Which command a reply answered (pipelining), AUTH continuations, message text and
 * STARTTLS are followed by the session tracker (session.c), fed each line as the engine feeds
 * it, its commands in flight bounded like everything else. Memory is therefore the same for a
 * ten-line paste and a ten-gigabyte log.
 *
 * Formats, and how they are told apart (the first line that gives one away decides, unless the
 * caller says which):
 *   smtpscope  "# smtpscope transcript 1", then "STAMP C: text<TAB>annotations", each line
 *              read by transcript.c's line parser (transcript_line_parse)
 *   swaks      a three-character marker and a space: "<- ", "<~ ", "<**", "<~*" (server),
 *              " ->", " ~>", "**>", "*~>" (client), "===" and "***" (swaks' own notes)
 *   cs         "C: ..." / "S: ..." with an optional time stamp in front
 *   log        syslog or exim lines with "said: 550 ...", "reject: RCPT from ...: 554 ...",
 *              "SMTP error from remote mail server after RCPT TO:...: 550 ...", "reject=",
 *              "stat=Deferred: 451 ...", "dsn=5.1.1"
 *   raw        a telnet or openssl s_client paste: a line starting with three digits and a space
 *              or dash is a reply, every other line is what the user typed; openssl's
 *              certificate dump and telnet's chatter are skipped. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/record/capture.h"
#include "core/proto/reply.h"
#include "core/proto/session.h"
#include "core/proto/smtp_command.h"
#include "core/record/transcript.h"
#include "core/util/clock.h"
#include "core/util/strbuf.h"
#include "core/util/xmalloc.h"

#define CAPTURE_DEFAULT_LINE_CAP 8192
#define CAPTURE_MIN_LINE_CAP 64
#define CAPTURE_READ_SIZE ((size_t)64 * 1024)
#define CAPTURE_QUEUE 8       /* items one input line can give, with room to spare */
#define CAPTURE_PENDING 32    /* commands awaiting their reply kept by the session */
#define CAPTURE_VERB_MAX 16   /* "DATA-END", "STARTTLS", "greeting", ... */
#define SMTPSCOPE_MAGIC "# smtpscope transcript 1"

struct capture_reader {
	FILE *in;
	struct capture_options opts;
	enum capture_format format;

	/* Input buffer and the current line (a view into buf when the line fits whole, else a
	 * copy in line_buf). */
	char *buf;
	size_t buf_start, buf_end;
	bool eof;
	char *line_buf;
	const char *line;
	size_t line_len, line_full;
	bool line_truncated;
	unsigned long lineno;

	/* Work buffer for unescaped or masked text (line_cap bytes). */
	char *work;

	/* Items ready to hand out, and the replies they point at (freed on the next line). */
	struct capture_item queue[CAPTURE_QUEUE];
	char queue_after[CAPTURE_QUEUE][CAPTURE_VERB_MAX];
	size_t queue_head, queue_count;
	struct reply *owned[CAPTURE_QUEUE];
	size_t nowned;

	/* The session as far as the capture tells it. */
	struct session *session; /* which command each reply answers, AUTH, DATA, STARTTLS */
	char *sent_line;       /* a client line NUL-terminated for the session (line_cap) */
	char after_override[CAPTURE_VERB_MAX];  /* smtpscope transcripts say it themselves */
	int64_t latency_override;              /* and give the latency, else -1 */
	bool seen_reply, seen_command;
	bool tls;
	bool noise_block;      /* raw: inside openssl s_client's or telnet's chatter */
	bool in_pem;           /* raw: inside -----BEGIN ... -----END */
	int64_t line_time;     /* time of the current line, or -1 */
	struct transcript_line tline;  /* smtpscope: the current line, parsed */
	char event[48];        /* the event key of the current line */

	struct reply_parser *parser;
	unsigned long skipped;
};

static const char *const format_names[] = {
	[CAPTURE_FORMAT_AUTO] = "auto",
	[CAPTURE_FORMAT_SMTPSCOPE] = "smtpscope",
	[CAPTURE_FORMAT_SWAKS] = "swaks",
	[CAPTURE_FORMAT_CS] = "cs",
	[CAPTURE_FORMAT_RAW] = "raw",
	[CAPTURE_FORMAT_MAILLOG] = "log",
};

/* Lines openssl s_client and telnet print around a session; each starts a block of chatter
 * that lasts until the next reply or typed command. */
static const char *const noise_prefixes[] = {
	"CONNECTED(", "---", "depth=", "verify error:", "verify return:", "Certificate chain",
	"Server certificate", "subject=", "issuer=", "No client certificate CA names sent",
	"Acceptable client certificate CA names", "Client Certificate Types:",
	"Requested Signature Algorithms:", "Shared Requested Signature Algorithms:",
	"Peer signing digest:", "Peer signature type:", "Server Temp Key:", "Negotiated TLS1.3 group:",
	"SSL handshake has read", "Verification error:", "Verification: OK", "Verified peername:",
	"New, TLS", "New, SSL", "Reused, TLS", "Server public key is", "Secure Renegotiation",
	"Compression:", "Expansion:", "No ALPN negotiated", "ALPN protocol:", "Early data was",
	"Verify return code:", "Post-Handshake New Session Ticket", "SSL-Session:", "read R BLOCK",
	"DONE", "RENEGOTIATING", "KEYUPDATE", "closed", "read:errno=", "write:errno=",
	"didn't find starttls", "Didn't find STARTTLS", "SSL_connect:", "Start Time:", "Timeout   :",
	"Extended master secret:", "Max Early Data:", "Trying ", "Connected to ",
	"Escape character is", "Connection closed by foreign host", "Connection to ",
	"Can't use SSL_get_servername", NULL,
};

/* ---- small helpers ---- */

static bool
has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

/* Offset of needle in s[from..len), or -1. */
static long
find_from(const char *s, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle);
	const char *p;

	if (from > len || n > len - from)
		return -1;
	p = memmem(s + from, len - from, needle, n);
	return p != NULL ? (long)(p - s) : -1;
}

static long
find_last(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	if (n > len)
		return -1;
	for (i = len - n + 1; i-- > 0;)
		if (memcmp(s + i, needle, n) == 0)
			return (long)i;
	return -1;
}

/* Three digits followed by a space, a dash or the end: the start of a reply line. */
static bool
is_reply_start(const char *s, size_t len)
{
	return len >= 3 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && (len == 3 || s[3] == ' ' || s[3] == '-');
}

static void
copy_verb(char *dst, const char *src)
{
	size_t n = src != NULL ? strnlen(src, CAPTURE_VERB_MAX - 1) : 0;

	if (n > 0 && dst != src)
		memmove(dst, src, n);
	dst[n] = '\0';
}

/* A typed line that starts with a known SMTP verb ending at a blank, a colon or the end. */
static bool
is_smtp_verb(const char *line, size_t len)
{
	struct smtp_command cmd;
	size_t i;

	if (smtp_command_parse_mode(line, len, SMTP_PARSE_TYPED, &cmd) != 0 ||
	    cmd.verb == SMTP_VERB_UNKNOWN)
		return false;
	/* The word must end there: "DATA" yes, "DATA.x" no. */
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	i += strlen(cmd.verb_text);
	return i == len || line[i] == ' ' || line[i] == ':' || line[i] == '\t';
}

/* ---- the queue of items ---- */

static struct capture_item *
queue_push(struct capture_reader *r, enum capture_kind kind, const char *text, size_t len)
{
	size_t slot;
	struct capture_item *item;

	if (r->queue_count == CAPTURE_QUEUE)  /* cannot happen: a line gives at most 3 */
		r->queue_count--;
	slot = (r->queue_head + r->queue_count) % CAPTURE_QUEUE;
	r->queue_count++;
	item = &r->queue[slot];
	memset(item, 0, sizeof *item);
	item->kind = kind;
	item->text = text != NULL ? text : "";
	item->len = len;
	item->full_len = len;
	item->lineno = r->lineno;
	item->tls = r->tls;
	item->time_us = r->line_time;
	item->latency_us = -1;
	item->event = "";
	return item;
}

/* An item for the current input line, with its truncation. */
static struct capture_item *
queue_line(struct capture_reader *r, enum capture_kind kind, const char *text, size_t len)
{
	struct capture_item *item = queue_push(r, kind, text, len);

	if (r->line_truncated) {
		item->truncated = true;
		item->full_len = len + (r->line_full - r->line_len);
	}
	return item;
}

/* ---- the session: which command each reply answered ---- */

/* A complete reply: find the command it answered and follow the session. */
static void
queue_reply(struct capture_reader *r, struct reply *reply)
{
	struct session_outcome o;
	size_t slot;
	struct capture_item *item;
	char *after;

	if (r->nowned == CAPTURE_QUEUE) {  /* cannot happen; never leak */
		reply_free(reply);
		return;
	}
	r->owned[r->nowned++] = reply;
	item = queue_push(r, CAPTURE_REPLY, NULL, 0);
	slot = (size_t)(item - r->queue);
	after = r->queue_after[slot];
	session_reply(r->session, reply, 0, &o);
	if (o.before_greeting) {
		/* A capture shows what happened: the first reply is taken as the greeting. */
		session_skip_greeting(r->session);
		o.context = SESSION_CONTEXT_GREETING;
	}
	copy_verb(after, o.unsolicited && !o.before_greeting ? "" :
	    o.context == SESSION_CONTEXT_COMMAND ? o.verb_text : session_outcome_key(&o));
	if (o.starttls_go)
		session_tls_started(r->session);
	if (r->after_override[0] != '\0') {
		copy_verb(after, r->after_override);
		r->after_override[0] = '\0';
	}
	if (after[0] == '\0' && !r->seen_reply && !r->seen_command)
		copy_verb(after, "greeting");
	/* After openssl s_client's handshake, a first reply other than 220 is the tail of the
	 * exchange s_client had by itself (its own EHLO, STARTTLS): not a greeting. */
	if (r->format == CAPTURE_FORMAT_RAW && r->tls && !r->seen_reply && !r->seen_command &&
	    strcmp(after, "greeting") == 0 && reply->code != 220)
		after[0] = '\0';
	r->seen_reply = true;
	item->reply = reply;
	item->after = after[0] != '\0' ? after : NULL;
	item->latency_us = r->latency_override;
	r->latency_override = -1;

	if (reply->code == 250 && (o.verb == SMTP_VERB_EHLO || o.verb == SMTP_VERB_LHLO))
		reply_parser_set_utf8(r->parser, session_has(r->session, "SMTPUTF8"));
	if (o.starttls_go && r->format != CAPTURE_FORMAT_SWAKS)
		r->tls = true;
}

static void
drain_parser(struct capture_reader *r)
{
	struct reply *reply;

	while ((reply = reply_parser_next(r->parser)) != NULL)
		queue_reply(r, reply);
}

/* A reply left open (a "250-" with no final line) ends where the client speaks again. */
static void
flush_parser(struct capture_reader *r)
{
	struct reply *reply;

	if (!reply_parser_pending(r->parser))
		return;
	while ((reply = reply_parser_finish(r->parser)) != NULL)
		queue_reply(r, reply);
}

static void
server_line(struct capture_reader *r, const char *text, size_t len, bool tls)
{
	struct capture_item *item = queue_line(r, CAPTURE_SERVER, text, len);

	item->tls = tls;
	reply_parser_feed(r->parser, text, len);
	reply_parser_feed(r->parser, "\r\n", 2);
	drain_parser(r);
	/* The reply item says where the line came from too. */
	if (r->queue_count > 1)
		r->queue[(r->queue_head + r->queue_count - 1) % CAPTURE_QUEUE].tls = tls;
}

/* The masked form of a client line that carries a secret into r->work: what may be shown
 * ("AUTH PLAIN ") and the mask. 0 when the line holds no secret. */
static size_t
mask_secret(struct capture_reader *r, const char *text, size_t len)
{
	size_t keep, n, mask_len = strlen(SESSION_MASK);

	if (!session_line_is_secret(r->session, text, len, &keep))
		return 0;
	n = keep < r->opts.line_cap - mask_len - 1 ? keep : r->opts.line_cap - mask_len - 1;
	memmove(r->work, text, n);
	memcpy(r->work + n, SESSION_MASK, mask_len);
	return n + mask_len;
}

/* Tells the session a client line went out. */
static void
session_line(struct capture_reader *r, const char *text, size_t len)
{
	size_t n = strnlen(text, len < r->opts.line_cap ? len : r->opts.line_cap);

	memcpy(r->sent_line, text, n);
	r->sent_line[n] = '\0';
	session_sent(r->session, r->sent_line, 0);
}

static void
client_line(struct capture_reader *r, const char *text, size_t len, bool tls)
{
	struct capture_item *item;
	size_t masked;

	flush_parser(r);
	if (session_state(r->session) == SESSION_DATA) {
		item = queue_line(r, CAPTURE_BODY, text, len);
		item->tls = tls;
		if (len == 1 && text[0] == '.')
			session_sent_data_end(r->session, 0);
		return;
	}
	if (!r->seen_command && !r->seen_reply)
		/* no greeting in this capture (s_client -starttls ate it) */
		session_skip_greeting(r->session);
	r->seen_command = true;
	/* An AUTH initial response, or a SASL response to a 334: a secret unless asked to
	 * show it. */
	if (!r->opts.show_secrets && (masked = mask_secret(r, text, len)) > 0) {
		item = queue_line(r, CAPTURE_CLIENT, r->work, masked);
		item->secret = true;
		if (!session_auth_continuing(r->session)) {
			item->truncated = false;
			item->full_len = masked;
		}
	} else {
		item = queue_line(r, CAPTURE_CLIENT, text, len);
	}
	item->tls = tls;
	session_line(r, text, len);
}

/* ---- swaks ---- */

static bool
swaks_marker(const char *s, size_t len, enum capture_kind *kind, bool *tls)
{
	static const struct {
		const char mark[4];
		enum capture_kind kind;
		bool tls;
	} marks[] = {
		{ "<- ", CAPTURE_SERVER, false }, { "<**", CAPTURE_SERVER, false },
		{ "<~ ", CAPTURE_SERVER, true }, { "<~*", CAPTURE_SERVER, true },
		{ " ->", CAPTURE_CLIENT, false }, { "**>", CAPTURE_CLIENT, false },
		{ " ~>", CAPTURE_CLIENT, true }, { "*~>", CAPTURE_CLIENT, true },
		{ "===", CAPTURE_INFO, false }, { "***", CAPTURE_ERROR, false },
		{ "  >", CAPTURE_INFO, false }, { "<  ", CAPTURE_INFO, false },
	};
	size_t i;

	if (len < 4 || s[3] != ' ')
		return false;
	for (i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (memcmp(s, marks[i].mark, 3) == 0) {
			*kind = marks[i].kind;
			*tls = marks[i].tls;
			return true;
		}
	return false;
}

static void
read_swaks(struct capture_reader *r, const char *s, size_t len)
{
	enum capture_kind kind;
	bool tls;

	if (!swaks_marker(s, len, &kind, &tls)) {
		if (len > 0)
			queue_line(r, CAPTURE_OTHER, s, len);
		else
			r->skipped++;
		return;
	}
	s += 4;
	len -= 4;
	switch (kind) {
	case CAPTURE_SERVER:
		server_line(r, s, len, tls);
		break;
	case CAPTURE_CLIENT:
		client_line(r, s, len, tls);
		break;
	default:
		if (has_prefix(s, len, "TLS started"))
			r->tls = true;
		queue_line(r, kind, s, len);
		break;
	}
}

/* ---- plain C: / S: ---- */

/* Finds "C:" or "S:" at the start or after a time stamp; *dir gets 'C' or 'S' and *off where
 * the text starts. */
static bool
cs_split(const char *s, size_t len, char *dir, size_t *off)
{
	static const char stamp_chars[] = "0123456789-:.,TZ+[]/ \t";
	size_t i;

	for (i = 0; i < len && i < 48; i++) {
		if ((s[i] == 'C' || s[i] == 'S') && i + 1 < len && s[i + 1] == ':' &&
		    (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t') &&
		    (i + 2 == len || s[i + 2] == ' ' || s[i + 2] == '\t')) {
			*dir = s[i];
			*off = i + 2 < len ? i + 3 : i + 2;
			return true;
		}
		if (strchr(stamp_chars, s[i]) == NULL || s[i] == '\0')
			return false;
	}
	return false;
}

static void
read_cs(struct capture_reader *r, const char *s, size_t len)
{
	char dir;
	size_t off;

	if (!cs_split(s, len, &dir, &off)) {
		if (len > 0)
			queue_line(r, CAPTURE_OTHER, s, len);
		else
			r->skipped++;
		return;
	}
	if (dir == 'S')
		server_line(r, s + off, len - off, r->tls);
	else
		client_line(r, s + off, len - off, r->tls);
}

/* ---- smtpscope's own transcripts (format and line parser in transcript.c) ---- */

static void
read_smtpscope(struct capture_reader *r, const char *s, size_t len)
{
	struct transcript_line *l = &r->tline;
	struct capture_item *item;
	size_t n;
	int rc;

	rc = transcript_line_parse(s, len, l, NULL);
	if (rc == 0) {
		r->skipped++;
		return;
	}
	if (rc < 0) {
		/* Not a line transcript_load would take (a hand edit, or cut at the line cap):
		 * shown as it is. */
		r->line_time = -1;
		queue_line(r, CAPTURE_OTHER, s, len);
		return;
	}
	r->line_time = l->time_us;
	n = l->len < r->opts.line_cap ? l->len : r->opts.line_cap;
	switch (l->kind) {
	case TRANSCRIPT_RECEIVED:
		copy_verb(r->after_override, l->after);
		if (l->reply_end && l->latency_us >= 0)
			r->latency_override = l->latency_us;
		server_line(r, l->text, n, r->tls);
		r->after_override[0] = '\0';
		r->latency_override = -1;
		return;
	case TRANSCRIPT_SENT:
		if (l->masked) {
			/* Already masked when saved: keep it so, and do not mask twice. */
			bool show = r->opts.show_secrets;

			flush_parser(r);
			r->opts.show_secrets = true;
			client_line(r, l->text, n, r->tls);
			r->opts.show_secrets = show;
			r->queue[(r->queue_head + r->queue_count - 1) % CAPTURE_QUEUE].secret = true;
		} else {
			client_line(r, l->text, n, r->tls);
		}
		return;
	case TRANSCRIPT_ERROR:
	case TRANSCRIPT_WARNING:
		item = queue_line(r, CAPTURE_ERROR, l->text, n);
		break;
	default:
		item = queue_line(r, CAPTURE_INFO, l->text, n);
		break;
	}
	if (l->event != NULL) {
		/* Events name what happened; the TLS ones change what the lines after travel in. */
		strbuf_copy_to(r->event, sizeof r->event, l->event);
		if (strncmp(r->event, "tls-up", 6) == 0 || strcmp(r->event, "tls-established") == 0 ||
		    strcmp(r->event, "tls-handshake") == 0)
			r->tls = true;
		item->event = r->event;
	}
}

/* ---- mail logs ---- */

/* The command a log's phrase names: "RCPT TO" -> RCPT, "end of DATA" -> DATA-END. */
static void
log_after(const char *s, size_t len, char *out)
{
	if (has_prefix(s, len, "pipelined ")) {
		s += 10;
		len -= 10;
	}
	if (len >= 11 && strncasecmp(s, "end of data", 11) == 0)
		copy_verb(out, "DATA-END");
	else if ((len >= 7 && strncasecmp(s, "initial", 7) == 0) ||
	    (len >= 8 && strncasecmp(s, "greeting", 8) == 0))
		copy_verb(out, "greeting");
	else
		smtp_command_verb(s, len, out, CAPTURE_VERB_MAX);
}

/* Copies a reply quoted in a log line into r->work as one line (a "550-" of a reply the logger
 * joined into one line becomes "550 ") and feeds it to the parser. */
static void
log_reply(struct capture_reader *r, const char *s, size_t len, const char *after)
{
	size_t n = len < r->opts.line_cap ? len : r->opts.line_cap;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == ';'))
		n--;
	memcpy(r->work, s, n);
	if (n > 3 && r->work[3] == '-')
		r->work[3] = ' ';
	copy_verb(r->after_override, after != NULL && *after ? after : "");
	session_forget_pending(r->session);
	r->seen_command = true;  /* no greeting guesses in a log */
	reply_parser_feed(r->parser, r->work, n);
	reply_parser_feed(r->parser, "\r\n", 2);
	drain_parser(r);
	flush_parser(r);
	r->after_override[0] = '\0';
}

/* Finds a reply in a mail-log line: its start, length and the command it answered. */
static bool
log_find_reply(const char *s, size_t len, size_t *start, size_t *rlen, char *after)
{
	long at, end, cmd;
	size_t from;

	after[0] = '\0';
	/* Postfix smtp: "host X[ip] said: 550 5.1.1 ... (in reply to RCPT TO command)". */
	if ((at = find_from(s, len, 0, " said: ")) >= 0 &&
	    is_reply_start(s + at + 7, len - (size_t)at - 7)) {
		from = (size_t)at + 7;
		end = find_last(s, len, " (in reply to ");
		if (end > (long)from) {
			cmd = end + 14;
			log_after(s + cmd, len - (size_t)cmd, after);
		} else {
			end = (long)len;
			if (s[end - 1] == ')' && find_from(s, (size_t)at, 0, "(") >= 0)
				end--;
		}
		*start = from;
		*rlen = (size_t)end - from;
		return true;
	}
	/* Postfix smtp: "host X[ip] refused to talk to me: 554 ...". */
	if ((at = find_from(s, len, 0, " refused to talk to me: ")) >= 0 &&
	    is_reply_start(s + at + 24, len - (size_t)at - 24)) {
		*start = (size_t)at + 24;
		end = (long)len;
		if (s[end - 1] == ')')
			end--;
		*rlen = (size_t)end - *start;
		copy_verb(after, "greeting");
		return true;
	}
	/* Postfix smtpd: "reject: RCPT from X[ip]: 554 5.7.1 ...; from=<a> to=<b> ...". */
	if ((at = find_from(s, len, 0, "reject: ")) >= 0) {
		size_t v = (size_t)at + 8, i;

		for (i = v; i + 5 < len; i++)
			if (s[i] == ':' && s[i + 1] == ' ' && is_reply_start(s + i + 2, len - i - 2))
				break;
		if (i + 5 < len) {
			char verb[CAPTURE_VERB_MAX];

			smtp_command_verb(s + v, len - v, verb, sizeof verb);
			if (strcmp(verb, "END-OF-MESSAGE") == 0)
				copy_verb(after, "DATA-END");
			else if (strcmp(verb, "CONNECT") == 0)
				copy_verb(after, "greeting");
			else
				copy_verb(after, verb);
			*start = i + 2;
			end = find_from(s, len, *start, "; from=<");
			*rlen = (end >= 0 ? (size_t)end : len) - *start;
			return true;
		}
	}
	/* exim: "SMTP error from remote mail server after RCPT TO:<b>: 550 5.1.1 ...". */
	if ((at = find_from(s, len, 0, "SMTP error from remote mail")) >= 0 &&
	    (cmd = find_from(s, len, (size_t)at, " after ")) >= 0) {
		size_t i;

		for (i = (size_t)cmd + 7; i + 5 < len; i++)
			if (s[i] == ':' && s[i + 1] == ' ' && is_reply_start(s + i + 2, len - i - 2))
				break;
		if (i + 5 < len) {
			log_after(s + cmd + 7, i - (size_t)cmd - 7, after);
			*start = i + 2;
			*rlen = len - *start;
			return true;
		}
	}
	/* sendmail: "ruleset=check_rcpt, ..., reject=550 5.7.1 <b>... Relaying denied". */
	if ((at = find_from(s, len, 0, "reject=")) >= 0 &&
	    is_reply_start(s + at + 7, len - (size_t)at - 7)) {
		if (find_from(s, len, 0, "ruleset=check_rcpt") >= 0)
			copy_verb(after, "RCPT");
		else if (find_from(s, len, 0, "ruleset=check_mail") >= 0)
			copy_verb(after, "MAIL");
		else if (find_from(s, len, 0, "ruleset=check_relay") >= 0)
			copy_verb(after, "greeting");
		else if (find_from(s, len, 0, "ruleset=check_data") >= 0)
			copy_verb(after, "DATA");
		*start = (size_t)at + 7;
		*rlen = len - *start;
		return true;
	}
	/* sendmail: "stat=Deferred: 451 4.7.1 Please try again later". */
	if ((at = find_from(s, len, 0, "stat=Deferred: ")) >= 0 &&
	    is_reply_start(s + at + 15, len - (size_t)at - 15)) {
		*start = (size_t)at + 15;
		*rlen = len - *start;
		end = find_from(s, len, *start, ", ");
		if (end >= 0)
			*rlen = (size_t)end - *start;
		return true;
	}
	return false;
}

/* "dsn=5.1.1" (Postfix, sendmail) as an enhanced status code. */
static bool
log_dsn(const char *s, size_t len, char *out, size_t outsize)
{
	long at = find_from(s, len, 0, "dsn=");
	size_t i, n = 0, dots = 0;

	if (at < 0 || (at > 0 && s[at - 1] != ' ' && s[at - 1] != ','))
		return false;
	for (i = (size_t)at + 4; i < len && n + 1 < outsize; i++) {
		if (s[i] == '.')
			dots++;
		else if (!isdigit((unsigned char)s[i]))
			break;
		out[n++] = s[i];
	}
	out[n] = '\0';
	return dots == 2 && n >= 5 && (out[0] == '2' || out[0] == '4' || out[0] == '5');
}

static void
read_maillog(struct capture_reader *r, const char *s, size_t len)
{
	struct capture_item *item;
	size_t start, rlen;
	char after[CAPTURE_VERB_MAX];

	if (len == 0) {
		r->skipped++;
		return;
	}
	item = queue_line(r, CAPTURE_LOG, s, len);
	if (log_find_reply(s, len, &start, &rlen, after) && rlen >= 3)
		log_reply(r, s + start, rlen, after);
	else
		log_dsn(s, len, item->enhanced, sizeof item->enhanced);
}

static bool
looks_like_maillog(const char *s, size_t len)
{
	static const char *const months[] = { "Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ",
		"Jul ", "Aug ", "Sep ", "Oct ", "Nov ", "Dec ", NULL };
	static const char *const marks[] = { "postfix", "status=", " said: ", "SMTP error from",
		"reject: ", "reject=", "stat=", "dsn=", "sendmail[", "exim", " ** ", " == ", NULL };
	bool stamp = false;
	size_t i;

	for (i = 0; months[i] != NULL; i++)
		if (has_prefix(s, len, months[i]))
			stamp = true;
	if (len > 10 && isdigit((unsigned char)s[0]) && s[4] == '-' && s[7] == '-')
		stamp = true;
	if (!stamp)
		return false;
	for (i = 0; marks[i] != NULL; i++)
		if (find_from(s, len, 0, marks[i]) >= 0)
			return true;
	return false;
}

/* ---- telnet / openssl s_client pastes ---- */

static bool
is_noise_start(const char *s, size_t len)
{
	size_t i;

	for (i = 0; noise_prefixes[i] != NULL; i++)
		if (has_prefix(s, len, noise_prefixes[i]))
			return true;
	return false;
}

static void
read_raw(struct capture_reader *r, const char *s, size_t len)
{
	if (session_state(r->session) == SESSION_DATA) {
		client_line(r, s, len, r->tls);
		return;
	}
	if (r->in_pem) {
		if (has_prefix(s, len, "-----END"))
			r->in_pem = false;
		r->skipped++;
		return;
	}
	if (is_reply_start(s, len)) {
		r->noise_block = false;
		server_line(r, s, len, r->tls);
		return;
	}
	if (has_prefix(s, len, "-----BEGIN")) {
		r->in_pem = true;
		r->skipped++;
		return;
	}
	if (is_noise_start(s, len)) {
		if (has_prefix(s, len, "SSL handshake has read") || has_prefix(s, len, "New, TLS"))
			r->tls = true;
		r->noise_block = true;
		r->skipped++;
		return;
	}
	if (r->noise_block && !is_smtp_verb(s, len)) {
		r->skipped++;
		return;
	}
	r->noise_block = false;
	if (len == 0 && !session_auth_continuing(r->session)) {
		r->skipped++;
		return;
	}
	client_line(r, s, len, r->tls);
}

/* ---- detection ---- */

static enum capture_format
detect(const char *s, size_t len)
{
	enum capture_kind kind;
	bool tls;
	char dir;
	size_t off;

	if (has_prefix(s, len, SMTPSCOPE_MAGIC))
		return CAPTURE_FORMAT_SMTPSCOPE;
	if (swaks_marker(s, len, &kind, &tls) && kind != CAPTURE_INFO)
		return CAPTURE_FORMAT_SWAKS;
	if (has_prefix(s, len, "=== "))
		return CAPTURE_FORMAT_SWAKS;
	if (looks_like_maillog(s, len))
		return CAPTURE_FORMAT_MAILLOG;
	if (cs_split(s, len, &dir, &off))
		return CAPTURE_FORMAT_CS;
	/* openssl s_client or telnet chatter, but not the generic "---", "DONE" or "closed". */
	if (is_reply_start(s, len) || (is_noise_start(s, len) && !has_prefix(s, len, "---") &&
	    !has_prefix(s, len, "DONE") && !has_prefix(s, len, "closed")))
		return CAPTURE_FORMAT_RAW;
	return CAPTURE_FORMAT_AUTO;
}

static void
dispatch(struct capture_reader *r, const char *s, size_t len)
{
	r->line_time = -1;
	if (r->format == CAPTURE_FORMAT_AUTO) {
		r->format = detect(s, len);
		if (r->format == CAPTURE_FORMAT_AUTO) {
			/* Not yet known: shown as it is (a shell prompt, a heading above a paste). */
			if (len > 0)
				queue_line(r, CAPTURE_OTHER, s, len);
			else
				r->skipped++;
			return;
		}
		if (r->format == CAPTURE_FORMAT_SMTPSCOPE) {
			r->skipped++;  /* the magic line itself */
			return;
		}
	}
	switch (r->format) {
	case CAPTURE_FORMAT_SMTPSCOPE:
		read_smtpscope(r, s, len);
		break;
	case CAPTURE_FORMAT_SWAKS:
		read_swaks(r, s, len);
		break;
	case CAPTURE_FORMAT_CS:
		read_cs(r, s, len);
		break;
	case CAPTURE_FORMAT_RAW:
		read_raw(r, s, len);
		break;
	case CAPTURE_FORMAT_MAILLOG:
		read_maillog(r, s, len);
		break;
	case CAPTURE_FORMAT_AUTO:
		break;
	}
}

/* ---- reading lines ---- */

/* Reads the next line into r->line (without its LF or CRLF): 1, 0 at the end, -1 on error. */
static int
read_line(struct capture_reader *r, char **errstr)
{
	size_t kept = 0, full = 0;
	bool copying = false;
	char last = '\0';

	for (;;) {
		const char *start = r->buf + r->buf_start;
		size_t avail = r->buf_end - r->buf_start;
		const char *nl = memchr(start, '\n', avail);
		size_t take = nl != NULL ? (size_t)(nl - start) : avail;

		if (nl != NULL && !copying) {
			/* The whole line is in the buffer: no copy. */
			r->line = start;
			r->line_len = take;
			r->line_full = take;
			r->line_truncated = false;
			if (take > r->opts.line_cap) {
				r->line_len = r->opts.line_cap;
				r->line_truncated = true;
				if (start[take - 1] == '\r')
					r->line_full--;
			} else if (take > 0 && start[take - 1] == '\r') {
				r->line_len--;
				r->line_full--;
			}
			r->buf_start += take + 1;
			r->lineno++;
			return 1;
		}
		if (take > 0) {
			size_t room = r->opts.line_cap + 1 - kept;  /* one more for a CR */
			size_t n = take < room ? take : room;

			memcpy(r->line_buf + kept, start, n);
			kept += n;
			full += take;
			last = start[take - 1];
			copying = true;
		}
		if (nl != NULL) {
			r->buf_start += take + 1;
			break;
		}
		r->buf_start = r->buf_end;
		if (r->eof) {
			if (!copying)
				return 0;
			break;
		}
		/* Refill: read(2) where there is a descriptor, so a pipe (tail -f | annotate)
		 * gives its lines as they come instead of once 64 KiB have gathered. */
		r->buf_start = r->buf_end = 0;
		{
			int fd = fileno(r->in);
			ssize_t got;

			if (fd >= 0) {
				do
					got = read(fd, r->buf, CAPTURE_READ_SIZE);
				while (got < 0 && errno == EINTR);
			} else {
				got = (ssize_t)fread(r->buf, 1, CAPTURE_READ_SIZE, r->in);
				if (got == 0 && ferror(r->in))
					got = -1;
			}
			if (got < 0) {
				*errstr = xasprintf("read error: %s", strerror(errno));
				return -1;
			}
			if (got == 0)
				r->eof = true;
			r->buf_end = (size_t)got;
		}
		if (copying && r->buf_end == 0 && r->eof)
			break;
	}
	if (last == '\r') {
		full--;
		if (kept > full)
			kept = full;
	}
	r->line = r->line_buf;
	r->line_full = full;
	r->line_len = kept < r->opts.line_cap ? kept : r->opts.line_cap;
	if (r->line_len > full)
		r->line_len = full;
	r->line_truncated = full > r->line_len;
	r->lineno++;
	return 1;
}

/* ---- public ---- */

struct capture_reader *
capture_reader_new(FILE *in, const struct capture_options *opts)
{
	struct capture_reader *r = xcalloc(1, sizeof *r);

	r->in = in;
	if (opts != NULL)
		r->opts = *opts;
	if (r->opts.line_cap == 0)
		r->opts.line_cap = CAPTURE_DEFAULT_LINE_CAP;
	if (r->opts.line_cap < CAPTURE_MIN_LINE_CAP)
		r->opts.line_cap = CAPTURE_MIN_LINE_CAP;
	r->format = r->opts.format;
	r->buf = xmalloc(CAPTURE_READ_SIZE);
	r->line_buf = xmalloc(r->opts.line_cap + 2);
	r->work = xmalloc(r->opts.line_cap + 16);
	r->parser = reply_parser_new(NULL);
	r->latency_override = -1;
	r->session = session_new();
	session_limit_pending(r->session, CAPTURE_PENDING);
	session_connected(r->session, 0);
	r->sent_line = xmalloc(r->opts.line_cap + 1);
	return r;
}

void
capture_reader_free(struct capture_reader *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nowned; i++)
		reply_free(r->owned[i]);
	reply_parser_free(r->parser);
	transcript_line_release(&r->tline);
	session_free(r->session);
	free(r->sent_line);
	free(r->buf);
	free(r->line_buf);
	free(r->work);
	free(r);
}

int
capture_reader_next(struct capture_reader *r, struct capture_item *item, char **errstr)
{
	while (r->queue_count == 0) {
		int rc;
		size_t i;

		for (i = 0; i < r->nowned; i++)
			reply_parser_recycle(r->parser, r->owned[i]);
		r->nowned = 0;
		r->queue_head = 0;
		rc = read_line(r, errstr);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			flush_parser(r);
			if (r->queue_count == 0)
				return 0;
			break;
		}
		/* Until a line gives the format away, lines pass as they are; detection goes on
		 * for as long as it takes (a long preamble before a paste is fine). */
		dispatch(r, r->line, r->line_len);
	}
	*item = r->queue[r->queue_head];
	r->queue_head = (r->queue_head + 1) % CAPTURE_QUEUE;
	r->queue_count--;
	return 1;
}

struct reply *
capture_reader_take_reply(struct capture_reader *r, const struct capture_item *item)
{
	size_t i;

	if (item->kind != CAPTURE_REPLY || item->reply == NULL)
		return NULL;
	for (i = 0; i < r->nowned; i++)
		if (r->owned[i] == item->reply) {
			struct reply *reply = r->owned[i];

			r->owned[i] = r->owned[--r->nowned];
			return reply;
		}
	return NULL;
}

struct transcript *
capture_load_transcript(const char *path, const struct capture_options *opts, char **errstr)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	struct capture_reader *r;
	struct transcript *t;
	struct capture_item item;
	int rc;

	if (in == NULL) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	r = capture_reader_new(in, opts);
	t = transcript_new();
	while ((rc = capture_reader_next(r, &item, errstr)) > 0) {
		/* Times from the capture when it has them, else now (captures from other tools
		 * seldom have one per line). */
		int64_t when = item.time_us >= 0 ? item.time_us : clock_wall_us();
		const char *event = item.event[0] != '\0' ? item.event : NULL;
		struct reply *reply;

		switch (item.kind) {
		case CAPTURE_CLIENT:
		case CAPTURE_BODY:
			transcript_add_at(t, when, TRANSCRIPT_SENT, item.text, item.len, NULL,
			    item.secret);
			break;
		case CAPTURE_SERVER:
			break;  /* its reply brings the lines */
		case CAPTURE_REPLY:
			if ((reply = capture_reader_take_reply(r, &item)) != NULL)
				transcript_add_reply_at(t, when, reply, item.after, NULL,
				    item.latency_us);
			break;
		case CAPTURE_ERROR:
			transcript_add_at(t, when, TRANSCRIPT_ERROR, item.text, item.len, event, false);
			break;
		case CAPTURE_INFO:
			transcript_add_at(t, when, event != NULL ? TRANSCRIPT_EVENT : TRANSCRIPT_INFO,
			    item.text, item.len, event, false);
			break;
		case CAPTURE_LOG:
		case CAPTURE_OTHER:
			transcript_add_at(t, when, TRANSCRIPT_INFO, item.text, item.len, NULL, false);
			break;
		}
	}
	capture_reader_free(r);
	if (in != stdin)
		fclose(in);
	if (rc < 0) {
		transcript_free(t);
		return NULL;
	}
	return t;
}

enum capture_format
capture_reader_format(const struct capture_reader *r)
{
	return r->format;
}

bool
capture_reader_would_read(const struct capture_reader *r)
{
	return r->queue_count == 0 && r->buf_start >= r->buf_end && !r->eof;
}

unsigned long
capture_reader_skipped(const struct capture_reader *r)
{
	return r->skipped;
}

const char *
capture_format_name(enum capture_format format)
{
	if ((size_t)format < sizeof format_names / sizeof format_names[0])
		return format_names[format];
	return "?";
}

int
capture_format_parse(const char *name, enum capture_format *format)
{
	static const struct {
		const char *name;
		enum capture_format format;
	} names[] = {
		{ "auto", CAPTURE_FORMAT_AUTO }, { "smtpscope", CAPTURE_FORMAT_SMTPSCOPE },
		{ "transcript", CAPTURE_FORMAT_SMTPSCOPE }, { "swaks", CAPTURE_FORMAT_SWAKS },
		{ "cs", CAPTURE_FORMAT_CS }, { "plain", CAPTURE_FORMAT_CS },
		{ "raw", CAPTURE_FORMAT_RAW }, { "telnet", CAPTURE_FORMAT_RAW },
		{ "openssl", CAPTURE_FORMAT_RAW }, { "log", CAPTURE_FORMAT_MAILLOG },
		{ "maillog", CAPTURE_FORMAT_MAILLOG }, { "postfix", CAPTURE_FORMAT_MAILLOG },
		{ "exim", CAPTURE_FORMAT_MAILLOG }, { "sendmail", CAPTURE_FORMAT_MAILLOG },
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(name, names[i].name) == 0) {
			*format = names[i].format;
			return 0;
		}
	return -1;
}
