/* server_session_internal.h: what the files of one client's SMTP state machine share and
 * nothing else in server/ sees: its states, the session's struct, and the functions the verb
 * table in server_session.c pairs up ({verb, check, proceed}: a check returns 0 when the command
 * may proceed, else it has sent the reply). */
#ifndef SMTPSCOPE_SERVER_SESSION_INTERNAL_H
#define SMTPSCOPE_SERVER_SESSION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/proto/smtp_command.h"
#include "server/server.h"

enum server_state {
	S_CONNECTED,      /* before the greeting (implicit TLS handshake, tarpit) */
	S_GREETED,        /* waiting for EHLO/HELO */
	S_READY,          /* EHLO/HELO done, no transaction */
	S_MAIL,           /* sender accepted */
	S_RCPT,           /* at least one recipient accepted */
	S_DATA,           /* receiving the message after 354 */
	S_BDAT,           /* receiving a BDAT chunk */
	S_AUTH,           /* inside a SASL exchange */
	S_STARTTLS,       /* 220 sent, handshake pending */
	S_REJECTED,       /* 554 greeting: only QUIT helps */
	S_CLOSING,
};

enum server_mech { SERVER_MECH_NONE, SERVER_MECH_PLAIN, SERVER_MECH_LOGIN, SERVER_MECH_CRAM_MD5 };

/* The reply to a SASL response over SERVER_AUTH_LINE_MAX, however it came (RFC 4954 section 6:
 * 500 5.5.6). */
#define AUTH_TOO_LONG "Authentication exchange line is too long (a SASL response may have at " \
	"most %d octets, RFC 4954)"

/* Where the DATA decoder is inside a line (for the final dot and dot-stuffing). */
enum data_pos { D_BOL, D_BOL_DOT, D_BOL_DOT_CR, D_MID, D_CR };

struct server_session {
	struct server *srv;
	struct server_client *client;
	unsigned id;
	char peer[64];
	enum server_state state;
	bool implicit_tls, tls_active, esmtp;
	char *helo;
	char *auth_user;
	int auth_failures;
	/* A SASL exchange in progress. */
	enum server_mech mech;
	char *login_user;
	char *cram_challenge;
	enum server_state state_before_auth;
	/* The transaction. */
	struct smtp_path mail;      /* also the scratch of MAIL/RCPT checks */
	struct smtp_path path;
	bool have_mail;
	char **rcpts;
	size_t nrcpt;
	/* The message being received. */
	struct server_message *msg;
	enum data_pos dpos;
	uint64_t data_bytes;
	bool too_big, store_failed, long_line_seen, bare_lf_seen;
	size_t line_len;
	char *scratch;
	size_t scratch_len;
	bool bdat_mode, bdat_last, bdat_reject;
	int bdat_reject_code;
	const char *bdat_reject_esc, *bdat_reject_text;
	uint64_t bdat_left;
	uint64_t bdat_chunk_read;     /* bytes of the current chunk so far */
	/* Counters and limits. */
	int commands, errors, messages;
	bool discard_line;
	bool discard_auth;            /* ... and that line carries a SASL response */
	double data_started;          /* when the message began (354 or the first BDAT); 0: none */
	double last_activity;
	double hold_until;
};

/* ---- the state machine and replies (server_session.c) ---- */

/* Every reply goes through here: one or more lines (text split at '\n'), each with the
 * enhanced code when there is one, logged, and held back in the slow scenario. */
void server_reply(struct server_session *s, int code, const char *esc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Every change of state goes through here, which logs it. */
void server_session_enter_state(struct server_session *s, enum server_state next);
/* Closes the connection (abort: without flushing what is queued) and enters S_CLOSING. */
void server_session_close(struct server_session *s, bool abort);
/* Forgets the transaction: sender, recipients and any message being received. */
void server_session_reset(struct server_session *s);

/* ---- the plain verbs (server_verbs.c) ---- */

/* True in a transaction: MAIL accepted (with or without recipients so far). */
bool server_in_transaction(const struct server_session *s);
/* 0 after EHLO; else replies (502 in the HELO-only scenario, 503 otherwise; what: the command
 * that needs it) and returns -1. */
int server_need_ehlo(struct server_session *s, const char *what);
/* 0 when the command has no argument; else replies 501 and returns -1. */
int server_no_args(struct server_session *s, const struct smtp_command *cmd);
int server_check_helo(struct server_session *s, const struct smtp_command *cmd);
void server_proceed_helo(struct server_session *s, const struct smtp_command *cmd);
int server_check_mail(struct server_session *s, const struct smtp_command *cmd);
void server_proceed_mail(struct server_session *s, const struct smtp_command *cmd);
int server_check_rcpt(struct server_session *s, const struct smtp_command *cmd);
void server_proceed_rcpt(struct server_session *s, const struct smtp_command *cmd);
int server_check_rset(struct server_session *s, const struct smtp_command *cmd);
void server_proceed_rset(struct server_session *s, const struct smtp_command *cmd);
int server_check_arg(struct server_session *s, const struct smtp_command *cmd);
void server_proceed_vrfy(struct server_session *s, const struct smtp_command *cmd);
void server_proceed_expn(struct server_session *s, const struct smtp_command *cmd);
void server_proceed_help(struct server_session *s, const struct smtp_command *cmd);
void server_proceed_noop(struct server_session *s, const struct smtp_command *cmd);
void server_proceed_quit(struct server_session *s, const struct smtp_command *cmd);
int server_check_starttls(struct server_session *s, const struct smtp_command *cmd);
void server_proceed_starttls(struct server_session *s, const struct smtp_command *cmd);

/* ---- DATA and BDAT (server_data.c) ---- */

int server_check_data(struct server_session *s, const struct smtp_command *cmd);
void server_proceed_data(struct server_session *s, const struct smtp_command *cmd);
int server_check_bdat(struct server_session *s, const struct smtp_command *cmd);
void server_proceed_bdat(struct server_session *s, const struct smtp_command *cmd);
/* Message bytes after 354: decodes them up to the final dot; returns how many it used. */
size_t server_data_input(struct server_session *s, const char *data, size_t len);
/* The bytes of a BDAT chunk; returns how many it used. */
size_t server_bdat_input(struct server_session *s, const char *data, size_t len);

/* ---- AUTH (server_auth.c) ---- */

/* Forgets a SASL exchange in progress, wiping the LOGIN user name. */
void server_auth_forget(struct server_session *s);
/* The SASL exchange ends without a verdict on the credentials (cancelled, malformed, too
 * long): back to where AUTH was given. */
void server_auth_end(struct server_session *s);
/* One line of a SASL exchange (an answer to 334), CRLF removed. */
void server_auth_step(struct server_session *s, const char *line, size_t len);
int server_check_auth(struct server_session *s, const struct smtp_command *cmd);
void server_proceed_auth(struct server_session *s, const struct smtp_command *cmd);

#endif
