/* server.h: what the practice server's files share: the configuration, the scenarios, the
 * named limits, the per-client session and the functions that pass it between the I/O layer
 * (server_loop.c), the SMTP state machine (server_session.c and its verbs' files), the
 * message store (server_store.c) and the log (server_log.c). Internal to src/server/, but for
 * server_main, the entry main() dispatches `smtpscope serve` to. */
#ifndef SMTPSCOPE_SERVER_H
#define SMTPSCOPE_SERVER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/proto/smtp_command.h"

/* `smtpscope serve` (server_main.c): argv[0] is "serve"; returns the process exit status. */
int server_main(int argc, char **argv);

/* Named limits. Each one, when reached, has its own reply (see server_session.c and its
 * verbs' files). */
#define SERVER_LINE_MAX        4096      /* a command line: 500 5.5.2 */
#define SERVER_AUTH_LINE_MAX   12288     /* a SASL response, as a 334 answer or as AUTH's initial
                                          * response (RFC 4954 section 4): 500 5.5.6 */
#define SERVER_SASL_MECH_MAX   20        /* a SASL mechanism name (RFC 4422 section 3.1) */
#define SERVER_COMMANDS_MAX    2000      /* commands in one session: 421 4.7.0 */
#define SERVER_ERRORS_MAX      20        /* rejected commands in one session: 421 4.7.0 */
#define SERVER_RCPT_MAX        100       /* recipients of one message: 452 4.5.3 */
#define SERVER_AUTH_FAILURES   3         /* failed AUTH attempts: 421 4.7.0 */
#define SERVER_CLIENTS_MAX     256       /* clients at once: 421 4.3.2 at connect (fewer when
                                          * the file descriptor limit is low) */
#define SERVER_FDS_RESERVED    16        /* descriptors kept for other than clients: standard
                                          * streams, log, listeners, Maildir, OpenSSL */
#define SERVER_OUTBUF_MAX      (256 * 1024) /* replies a client has not read: stop reading it */
#define SERVER_IDLE_TIMEOUT    300       /* seconds without a command: 421 4.4.2 */
#define SERVER_HANDSHAKE_MAX   30        /* seconds for a TLS handshake (and never more than the
                                          * idle timeout): the connection is closed */
#define SERVER_DATA_TIMEOUT    600       /* seconds for one message, from 354 (or the first BDAT)
                                          * to its end: 421 4.4.2 */
#define SERVER_SIZE_DEFAULT    (200ULL * 1024 * 1024) /* room for 100 MB benchmarks */
#define SERVER_SIZE_TOO_BIG    10240     /* the SIZE the too-big scenario advertises */
#define SERVER_QUOTA_LEFT      1024      /* bytes left in a mailbox for mailbox-full */
#define SERVER_STORE_MESSAGES  32        /* messages kept in memory */
#define SERVER_STORE_KEEP      (64 * 1024) /* bytes of each kept in memory */
#define SERVER_GREYLIST_MAX    4096      /* remembered sender/recipient pairs */

enum scenario {
	SCENARIO_NORMAL = 0,
	SCENARIO_AUTH_REQUIRED, SCENARIO_TLS_REQUIRED, SCENARIO_GREYLIST,
	SCENARIO_RELAY_DENIED, SCENARIO_UNKNOWN_USER, SCENARIO_MAILBOX_FULL,
	SCENARIO_TOO_BIG, SCENARIO_RATE_LIMIT, SCENARIO_BLOCKED, SCENARIO_BUSY,
	SCENARIO_SLOW, SCENARIO_DROP, SCENARIO_BAD_TLS, SCENARIO_NO_ESMTP,
	SCENARIO_COUNT
};
#define SCENARIO_BIT(s) (1u << (s))

/* server_scenario.c */
const char *server_scenario_name(enum scenario s);
const char *server_scenario_summary(enum scenario s);
/* Parses "tls-required,auth-required" into a bit set; -1 with *errstr set (caller frees)
 * for an unknown name or a combination that cannot work. */
int server_scenario_parse_list(const char *list, unsigned *bits, char **errstr);
/* The bit set as a comma-separated list ("normal" when empty), newly allocated. */
char *server_scenario_list_string(unsigned bits);
void server_scenario_print_all(FILE *out);

struct server_user {
	char *name;
	char *password;
};

struct server_config {
	const char *listen_host;      /* "127.0.0.1" */
	int port;                     /* 0: a free one */
	int tls_port;                 /* 0: a free one; -1: none */
	bool listen_explicit;         /* --listen was given */
	bool listen_public;           /* ... and not on a loopback address */
	const char *domain;           /* the local domain and the server's name */
	unsigned scenarios;
	double delay;                 /* slow: seconds before each reply */
	double greylist_delay;        /* greylist: seconds before a retry is accepted */
	int rate_limit;               /* rate-limit: messages per connection */
	uint64_t size_max;            /* SIZE advertised and enforced */
	double idle_timeout;
	double data_timeout;          /* one message's DATA or BDAT chunks, start to end */
	const char *maildir;
	const char *log_path;
	const char *cert_file, *key_file;
	bool show_secrets;
	int ready_fd;                 /* -1, or a fd to write the ready line to and close */
	struct server_user *users;
	size_t nusers;
};

struct server;
struct server_client;
struct server_tls_ctx;

/* server_log.c: the session log a teacher projects. Every line starts with the time. */
struct server_log;
struct server_log *server_log_new(FILE *out);
void server_log_free(struct server_log *log);
/* A line about client id (0: the server itself). */
void server_log(struct server_log *log, unsigned id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A line of bytes from or to the wire: escaped so control bytes cannot reach the terminal. */
void server_log_wire(struct server_log *log, unsigned id, const char *dir, const char *data,
    size_t len);
/* Escapes data into a new string (\r, \n, \t, \xNN; at most max input bytes, then "..."). */
char *server_escape(const char *data, size_t len, size_t max);

/* server_store.c: where accepted messages go. */
struct server_store;
struct server_store *server_store_new(const char *maildir, char **errstr);
void server_store_free(struct server_store *store);
/* One message being received: bytes are written as they arrive (CRLF becomes LF). */
struct server_message;
struct server_message *server_store_message_begin(struct server_store *store, const char *header,
    char **errstr);
int server_store_message_write(struct server_message *m, const char *data, size_t len);
/* Delivers the message (Maildir: tmp/ -> new/); returns its number and where it went in
 * *where (newly allocated), or -1 with *errstr set. Frees m either way. */
long server_store_message_commit(struct server_message *m, struct server_log *log, unsigned id,
    char **where, char **errstr);
void server_store_message_abort(struct server_message *m);

struct greylist_entry {
	char *key;
	double first_seen;
};

/* The whole server: configuration plus shared state (greylist, store, log, TLS). */
struct server {
	const struct server_config *cfg;
	struct server_log *log;
	struct server_store *store;
	struct server_tls_ctx *tls_ctx;       /* NULL when TLS could not be set up */
	struct greylist_entry *greylist;
	size_t ngreylist;
	unsigned long messages_accepted;
	unsigned next_client_id;
	size_t clients_max;                   /* SERVER_CLIENTS_MAX, or what the fd limit allows */
};

static inline bool
server_has(const struct server *s, enum scenario sc)
{
	return (s->cfg->scenarios & SCENARIO_BIT(sc)) != 0;
}

/* server_session.c: the SMTP state machine of one client, fed by the I/O layer. */
struct server_session;
struct server_session *server_session_new(struct server *server, struct server_client *client, unsigned id,
    const char *peer, bool implicit_tls);
void server_session_free(struct server_session *s);
/* The connection is up (after the implicit TLS handshake if any): send the greeting. */
void server_session_start(struct server_session *s);
/* Bytes from the client (already decrypted); the session consumes what it can. Returns the
 * number of bytes used; the I/O layer keeps the rest and calls again with more. */
size_t server_session_input(struct server_session *s, const char *data, size_t len);
/* STARTTLS or implicit TLS finished its handshake. */
void server_session_tls_ready(struct server_session *s, const char *description);
/* The handshake failed or the peer went away; reason for the log. */
void server_session_closed(struct server_session *s, const char *reason);
/* Timers: the earliest time the session wants to be called back (0 for none). */
double server_session_deadline(const struct server_session *s);
void server_session_timer(struct server_session *s, double now);
/* False while a reply is held back (slow scenario): the I/O layer stops feeding input. */
bool server_session_wants_input(const struct server_session *s);
/* The server is shutting down: say 421 and close. */
void server_session_shutdown(struct server_session *s);

/* server_loop.c: the I/O side of one client, called by the session. */
void server_client_write(struct server_client *c, const char *data, size_t len);
/* Output is held (not sent) until this time: the slow scenario's tarpit. */
void server_client_hold_output(struct server_client *c, double until);
/* After the pending output is written, start the TLS handshake (STARTTLS). Input bytes that
 * arrived after the STARTTLS line are discarded; the count is returned for the log. */
size_t server_client_start_tls(struct server_client *c);
/* Close after the pending output is written (abort: close now, drop the output). */
void server_client_close(struct server_client *c, bool abort);
bool server_client_tls_available(const struct server_client *c);

/* server_main.c: runs the server until SIGTERM/SIGINT. */
int server_run(const struct server_config *cfg);

#endif
