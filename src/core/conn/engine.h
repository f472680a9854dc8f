/* engine.h: one SMTP client session as a poll()-driven object: connect, TLS, commands, replies,
 * local commands, transcript. Batch mode and the screen both drive exactly this; it never blocks
 * the caller and never writes to the terminal. */
#ifndef SMTPSCOPE_ENGINE_H
#define SMTPSCOPE_ENGINE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/conn/command.h"
#include "core/knowledge/kb.h"
#include "core/record/transcript.h"

enum engine_tls_mode {
	ENGINE_TLS_NONE,      /* plain; STARTTLS only when the user asks (/starttls) */
	ENGINE_TLS_IMPLICIT,  /* TLS from the first byte (port 465) */
	ENGINE_TLS_STARTTLS,  /* STARTTLS right after the first EHLO */
};

struct engine_config {
	enum engine_tls_mode tls;
	const char *cafile;       /* NULL: the system CA store */
	bool insecure;            /* proceed when verification fails (and keep saying so) */
	const char *insecure_why; /* why, in words, for the warning; NULL: "--insecure" */
	bool show_secrets;        /* do not mask AUTH payloads and passwords */
	int connect_timeout_ms;   /* 0: default */
	int reply_timeout_ms;     /* 0: default */
	const char *dns_server;   /* "ADDR[:PORT]" for MX look-ups, NULL for the system resolver */
	const char *helo_name;    /* the name offered in EHLO suggestions; NULL: "localhost" */
	const struct kb *kb;      /* for annotations; may be NULL */
};

/* What engine_submit did with a typed line. */
enum engine_result {
	ENGINE_DONE,       /* sent, or a local command carried out; answer.text, when set, is a
	                    * result to show the user but not to keep (a /b64 result, which may
	                    * be a password: the transcript holds it masked) */
	ENGINE_WARNING,    /* not sent: out of sequence or doomed; answer.text says why; submit again
	                    * with ENGINE_FORCE to send anyway */
	ENGINE_NEED_SECRET,/* a password is needed: answer.text is the prompt; call
	                    * engine_provide_secret (never echo it) */
	ENGINE_FRONTEND,   /* a local command for the front end (a COMMAND_FRONTEND one: /save,
	                    * /explain, /help, /quit, ...): answer.command is the command parsed;
	                    * the front end looks its handler up by answer.command.info->id */
	ENGINE_ERROR,      /* refused: answer.text says why (bad syntax, not connected, ...) */
};

#define ENGINE_FORCE 1u

struct engine_answer {
	char *text;     /* warning, prompt or error */
	char *event;    /* for ENGINE_WARNING: the warning's knowledge base event key
	                 * ("mail-before-ehlo", for explain_event) */
	struct command command;  /* for ENGINE_FRONTEND: the command parsed, its id in
	                          * command.info->id, its arguments in command.argv and rest */
};                  /* all of it owned: engine_answer_clear frees it */

struct engine_status {
	const char *peer;         /* host as typed, or NULL when not connected */
	const char *address;      /* the address that answered ("127.0.0.1") */
	int port;
	bool connected;
	bool tls;                 /* TLS is up */
	bool verified;            /* the certificate verified (meaningful when tls) */
	const char *tls_version;  /* "TLSv1.3" or NULL */
	const char *user;         /* authenticated identity or NULL */
	const char *state;        /* in English: "greeting", "after EHLO", "in DATA", ... */
	const char *state_key;    /* its stable key: a session_state_key ("after-ehlo"), or
	                           * "connecting", "tls-handshake"; label "state-KEY" words it */
	int64_t last_latency_us;  /* -1 when none yet */
	bool waiting;             /* a command is waiting for its reply (or, after a 221 or
	                           * 421, the close it announced, for a moment) */
	bool in_data;             /* typed lines are message text until "." */
};

/* One change of the engine's phase. The phases, by their stable keys: "idle" (never
 * connected), "mx-lookup", "connecting", "tls-handshake", "open", "data-wait" (DATA sent by
 * /data, no 354 yet), "data" (the message flowing), "bdat" (chunks going out), "closed". */
struct engine_phase_change {
	const char *from;   /* a phase key (static) */
	const char *to;
	int64_t at_us;      /* clock_mono_us() when it changed */
};

struct engine;

struct engine *engine_new(const struct engine_config *config);
void engine_free(struct engine *engine);

/* Starts connecting to "HOST", "HOST:PORT", "[v6]:PORT" or "@domain" (its best MX); progress and
 * failures arrive as transcript events. Returns 0, or -1 with *errstr set for a malformed
 * target. default_port is used when the target names none (0: 25, or 465 for implicit TLS). */
int engine_connect(struct engine *engine, const char *target, int default_port, char **errstr);

/* A line the user typed: sent as typed plus CRLF, or a local command when it starts with '/'
 * ("//" sends a literal '/'). In DATA mode lines are message text (dot-stuffed; "." alone ends
 * the message). A line sent right after a 334 is an AUTH answer, masked in the transcript.
 * Local commands carried out here: /connect /disconnect /starttls /tls /auth /b64 /data /bdat
 * /pipeline /status (see command.h for the table); the rest, /save among them, go back to the
 * front end as ENGINE_FRONTEND. A warning that was overridden with
 * ENGINE_FORCE is kept in the transcript as a WARNING entry next to the command. */
enum engine_result engine_submit(struct engine *engine, const char *line, unsigned flags,
    struct engine_answer *answer);
void engine_answer_clear(struct engine_answer *answer);

/* Connections to target (exactly as given to engine_connect: the practice server's
 * "127.0.0.1:PORT") go on when the certificate does not verify, with why in the warning; any
 * other host is verified as usual unless config.insecure. Replaces the previous target; NULL
 * forgets it. */
void engine_allow_unverified(struct engine *engine, const char *target, const char *why);

/* Completes an ENGINE_NEED_SECRET; the engine wipes its copy after use. */
void engine_provide_secret(struct engine *engine, const char *secret);
/* Withdraws an ENGINE_NEED_SECRET (the user cancelled the password prompt): nothing is sent,
 * the user name given is forgotten, and a note says the login was cancelled. */
void engine_cancel_secret(struct engine *engine);

/* The descriptors to poll now (at most max); returns how many were filled. */
size_t engine_pollfds(struct engine *engine, struct pollfd *fds, size_t max);
/* Milliseconds until the engine's next deadline, or -1 for none (0 while bytes already received
 * wait to be read). A reply that is not complete within reply_timeout_ms of its command leaving
 * (bytes trickling in do not push this back), a handshake that does not finish in that time, or
 * output the server takes none of for that long ends the connection with a "reply-timeout"
 * ERROR entry; the transcript so far stays, with any part of a reply that arrived. */
int engine_timeout_ms(const struct engine *engine);
/* Does the work poll() found (revents filled in), and any deadline that passed. It reads a
 * bounded amount per call, so a server that never stops sending cannot starve the caller. */
void engine_handle(struct engine *engine, const struct pollfd *fds, size_t nfds);

/* Called after each new transcript entry (index given); entries recorded before the listener
 * was set are not reported again (read them from engine_transcript). NULL removes it. */
void engine_set_listener(struct engine *engine,
    void (*listener)(void *ctx, size_t entry), void *ctx);

struct transcript *engine_transcript(struct engine *engine);

/* The phase the engine is in, as its stable key (see struct engine_phase_change). */
const char *engine_phase(const struct engine *engine);
/* The last phase changes (up to 64 are kept), oldest first: fills up to max, returns how many.
 * The changes are recorded here only, never in the transcript, so saved sessions and the
 * screen do not show them; tests and debugging read them. */
size_t engine_phase_history(const struct engine *engine, struct engine_phase_change *out,
    size_t max);

/* A note from the front end (a transcript saved, say), kept in the transcript as an INFO entry
 * and told to the listener like the engine's own. */
void engine_note(struct engine *engine, const char *text);
/* True when the engine keeps secrets unmasked (--show-secrets). */
bool engine_shows_secrets(const struct engine *engine);

/* For tests: the output buffer as it lies in memory, all cap bytes of it (pending output first,
 * then what was sent or never used), so a test can check that no secret lingers there after it
 * was written. The buffer stays the engine's; valid until the next call into it. */
void engine_debug_output(const struct engine *engine, const char **buf, size_t *cap,
    size_t *pending);
void engine_status(const struct engine *engine, struct engine_status *status);
/* The conversation tracker the engine feeds (owned by the engine): what front ends ask about
 * the conversation, such as whether a line about to be sent carries a secret. */
struct session;
const struct session *engine_session(const struct engine *engine);

/* Suggestions for what to type next, from the session state and the last reply: up to max
 * strings (owned by the engine, valid until the next call into it). */
size_t engine_suggest_next(const struct engine *engine, const char **out, size_t max);

/* The EHLO capabilities in force (keywords, upper case) and the AUTH mechanisms offered, for
 * completion; owned by the engine. */
size_t engine_capabilities(const struct engine *engine, const char *const **keywords);
size_t engine_auth_mechanisms(const struct engine *engine, const char *const **mechanisms);

#endif
