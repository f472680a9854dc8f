/* session.h: the client's view of an SMTP session as an explicit state machine: the state, the
 * EHLO capabilities, the authenticated identity, which command each reply answers (a FIFO of
 * commands in flight, so pipelining works), and guidance before a command is sent. Pure: no I/O;
 * the engine tells it what was sent and what came back. */
#ifndef SMTPSCOPE_SESSION_H
#define SMTPSCOPE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/proto/reply.h"
#include "core/proto/smtp_command.h"

enum session_state {
	SESSION_NO_CONNECTION,
	SESSION_GREETING,     /* connected; no EHLO/HELO accepted yet (or void after STARTTLS) */
	SESSION_READY,        /* after EHLO or HELO, no transaction */
	SESSION_TRANSACTION,  /* MAIL accepted */
	SESSION_RECIPIENTS,   /* at least one RCPT accepted */
	SESSION_DATA,         /* 354 received: lines are message text until "." */
	SESSION_CLOSED,
};

/* What a reply answers. Each has a stable key (session_context_key): what transcripts save
 * (after="..."), what the knowledge base and lessons match on; a command's key is its verb. */
enum session_context {
	SESSION_CONTEXT_COMMAND,          /* a command: the outcome's verb and verb_text */
	SESSION_CONTEXT_GREETING,         /* "greeting": the server's banner */
	SESSION_CONTEXT_DATA_END,         /* "DATA-END": the final dot of a message */
	SESSION_CONTEXT_UNSOLICITED,      /* "unsolicited": nothing was waiting for it */
	SESSION_CONTEXT_BEFORE_GREETING,  /* "before-greeting": no reply while the banner is
	                                   * awaited (still awaited) */
};

/* The key of a context ("greeting"); for SESSION_CONTEXT_COMMAND, "command" (the outcome's
 * verb_text is its key: see session_outcome_key). */
const char *session_context_key(enum session_context context);

/* What a reply meant to the session (filled by session_reply). */
struct session_outcome {
	enum session_context context;  /* what it answered */
	enum smtp_verb verb;    /* for SESSION_CONTEXT_COMMAND: the command's verb
	                         * (SMTP_VERB_UNKNOWN for one the grammar does not know) */
	char verb_text[SMTP_VERB_TEXT_MAX + 1]; /* and its text as sent ("XYZZY"; "" for a
	                         * line with no verb, whose key is "(empty)") */
	int64_t sent_us;        /* when that command was sent (monotonic), -1 when unknown */
	bool starttls_go;       /* 220 to STARTTLS: start the TLS handshake now */
	bool data_go;           /* 354 to DATA: message text may follow */
	bool auth_challenge;    /* 334: the next line sent is an AUTH continuation (a secret) */
	bool authenticated;     /* 235: session_user() now names the identity */
	bool closing;           /* 221 to QUIT, or 421: the server is about to close */
	bool unsolicited;       /* no command was waiting for this reply */
	bool before_greeting;   /* not a reply at all (no valid code) while the greeting is
	                         * awaited: still awaited (also counted as unsolicited) */
	bool bdat_last;         /* it answered the last BDAT chunk */
};

struct session;

struct session *session_new(void);
void session_free(struct session *session);

/* The connection came up (the banner is now awaited), went away, or TLS was just negotiated
 * (capabilities forgotten, as RFC 3207 says: EHLO must be sent again). */
void session_connected(struct session *session, int64_t now_us);
void session_closed(struct session *session);
void session_tls_started(struct session *session);

enum session_state session_state(const struct session *session);
/* The state's stable key: "no-connection", "greeting", "after-ehlo", "after-helo",
 * "in-transaction", "after-rcpt", "in-data", "closed" (after-helo is SESSION_READY without
 * extensions). Lessons' state checks and saved transcripts (state="...") use it; the words a
 * screen shows come from the knowledge base's label "state-KEY". */
const char *session_state_key(const struct session *session);
/* The English words for the state ("after EHLO"), when the knowledge base has none. */
const char *session_state_name(const struct session *session);
/* The key a text names: a key, or the words older transcripts saved ("after EHLO"), in any
 * case, with spaces or dashes; NULL when it names no state. */
const char *session_state_key_parse(const char *text);
/* The English words for a key, NULL when it is none. */
const char *session_state_key_name(const char *key);

/* Guidance before sending: checks the command lines of one group (one line, or a /pipeline
 * group in order) as if each before it had succeeded. msg_size is the size of a message about
 * to be sent by /data or /bdat (-1 when none). Returns true and sets *event (a knowledge base
 * event key) and *text (caller frees) for the first line that is out of sequence or doomed. */
bool session_check(const struct session *session, const char *const *lines, size_t n,
    long long msg_size, const char **event, char **text);

/* A command line was sent: its verb joins the FIFO of commands awaiting replies. A line sent
 * right after a 334 is an AUTH continuation and answers that challenge instead. */
void session_sent(struct session *session, const char *line, int64_t now_us);
/* The final "." of a message was sent: the reply to it is "DATA-END", and the lines sent
 * after it are commands again. */
void session_sent_data_end(struct session *session, int64_t now_us);
/* Keeps at most max commands awaiting replies (0: no bound, the default); beyond it the oldest
 * is forgotten. For readers of captures of any size. */
void session_limit_pending(struct session *session, size_t max);
/* Forgets the commands awaiting replies (a mail log quotes replies out of their session). */
void session_forget_pending(struct session *session);
/* True when the next line sent continues an AUTH exchange (the last reply was a 334). */
bool session_auth_continuing(const struct session *session);
/* Names the identity an AUTH now in progress will authenticate (used when 235 arrives). */
void session_set_auth_user(struct session *session, const char *user);

/* A complete reply arrived: pairs it with the command it answers and updates the state. */
void session_reply(struct session *session, const struct reply *reply, int64_t now_us,
    struct session_outcome *outcome);

/* A reply whose command a record already names (after: a key, as saved transcripts and
 * captures give it; NULL when unknown): updates the state as session_reply would, without
 * pairing it through the commands in flight. For readers of a finished session (lessons). */
void session_reply_recorded(struct session *session, const struct reply *reply,
    const char *after, struct session_outcome *outcome);
/* The context a key names ("greeting"); SESSION_CONTEXT_COMMAND for anything else. */
enum session_context session_context_from_key(const char *key);

/* The key of what the reply answered: the verb ("EHLO") or the context's key ("DATA-END");
 * valid as long as the outcome. */
const char *session_outcome_key(const struct session_outcome *outcome);

/* The greeting is no longer awaited (a line that was not one is taken as the greeting after
 * all, since nothing better came). */
void session_skip_greeting(struct session *session);

/* Commands sent and not yet answered, and the oldest one's send time (-1 when none). */
size_t session_pending(const struct session *session);
int64_t session_oldest_sent(const struct session *session);
/* The key of the oldest of them ("EHLO", "greeting", "DATA-END"), NULL when none. */
const char *session_waiting_for(const struct session *session);

/* Capabilities from the last EHLO (void after STARTTLS or HELO). */
bool session_capabilities_known(const struct session *session);
size_t session_capabilities(const struct session *session, const char *const **keywords);
size_t session_auth_mechanisms(const struct session *session, const char *const **mechs);
/* True when the keyword (upper case) was advertised. */
bool session_has(const struct session *session, const char *keyword);
/* The parameters after a keyword ("PLAIN LOGIN" for AUTH), "" or NULL when not advertised. */
const char *session_capability_params(const struct session *session, const char *keyword);
/* SIZE: the limit in octets; 0 when SIZE gave no limit; -1 when SIZE was not advertised. */
long long session_size_limit(const struct session *session);

bool session_tls(const struct session *session);
const char *session_user(const struct session *session);
size_t session_accepted_recipients(const struct session *session);

/* What to type next: up to max strings (owned by the session, valid until the next call). */
size_t session_suggest(struct session *session, const char *helo_name, const char **out,
    size_t max);

/* What every view, the transcript, the history and the exports show in place of a secret. */
#define SESSION_MASK "********"

/* True when line (len bytes), sent now, carries a secret: an answer to a 334 challenge (other
 * than the empty or "*" line that cancels), or AUTH with an initial response. *keep (may be
 * NULL) gets how many leading bytes may be shown ("AUTH PLAIN "), 0 for a whole-line answer.
 * session may be NULL: the line is then judged as if no AUTH exchange were under way. */
bool session_line_is_secret(const struct session *session, const char *line, size_t len,
    size_t *keep);
/* The line as the views show it (its secret replaced by SESSION_MASK, "AUTH PLAIN ********"),
 * or NULL when it holds none. Caller frees. */
char *session_mask_line(const struct session *session, const char *line);

#endif
