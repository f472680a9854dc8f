/* engine_internal.h: what the parts of the engine share and nothing outside it sees: the
 * engine's struct, its phases, its limits, and the functions one part calls in another. Only
 * src/core/conn/engine*.c include it. */
#ifndef SMTPSCOPE_ENGINE_INTERNAL_H
#define SMTPSCOPE_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/conn/command.h"
#include "core/conn/engine.h"
#include "core/conn/message.h"
#include "core/conn/mx.h"
#include "core/conn/net.h"
#include "core/conn/tls.h"
#include "core/proto/reply.h"
#include "core/proto/sasl.h"
#include "core/proto/session.h"
#include "core/proto/smtp_command.h"
#include "core/record/transcript.h"
#include "core/util/escape.h"
#include "core/util/xmalloc.h"

#define ENGINE_CONNECT_TIMEOUT_MS 10000
#define ENGINE_REPLY_TIMEOUT_MS 30000
/* Message text is streamed into the output buffer in pieces of this size, refilled when the
 * buffer runs low, so a large /data file is never held whole. */
#define ENGINE_STREAM_PIECE 16384
#define ENGINE_BDAT_DEFAULT 65536
/* BDAT chunks out at once when the server offers PIPELINING (RFC 3030 section 4.2 lets BDAT
 * be pipelined): one goes ahead while the server still works on the one before. */
#define ENGINE_BDAT_WINDOW 2
#define ENGINE_BDAT_MAX (1024 * 1024)
/* Message lines shown in the transcript per message; the rest are counted. */
#define ENGINE_MESSAGE_LINES_SHOWN 200
#define ENGINE_LOG_LINE_MAX 1000
#define ENGINE_MAX_SUGGEST 12
/* How often a running MX look-up is asked whether it is done: after 1 ms, then twice as long
 * each time up to this (a fixed 20 ms added up to that much to every @domain session). */
#define ENGINE_MX_POLL_MS 20
#define ENGINE_MASK SESSION_MASK
/* Octets read from the server per engine_handle call: a server that never stops sending cannot
 * keep the caller's loop (its keyboard, its signals, the next script line) from running. */
#define ENGINE_READ_PER_TURN (64 * 1024)
/* Replies no command asked for kept per connection, by count and by size (the first is always
 * kept; the parser caps any one reply); past these a flood is counted, not kept, so memory
 * stays bounded. */
#define ENGINE_UNSOLICITED_KEPT 1000
#define ENGINE_UNSOLICITED_BYTES_KEPT (4 * 1024 * 1024)
/* After a line that is no greeting arrived before the greeting, how long the real one may take
 * before that line is taken as the greeting after all (a broken server that greets with a bad
 * code is still explored; half the reply timeout when that is shorter). */
#define ENGINE_PREGREET_GRACE_MS 2000
/* After a 221 or 421 the server closes the connection: how long the engine counts as busy
 * waiting for that (half the reply timeout when shorter), so that the next line of a script
 * does not race the close. A server that stays open after that is simply left open. */
#define ENGINE_CLOSE_WAIT_MS 2000

/* Where the engine is: one variable, changed only by engine_enter_phase. The order matters:
 * PHASE_OPEN up to PHASE_BDAT are the phases of an open connection. */
enum engine_phase {
	PHASE_IDLE,        /* never connected */
	PHASE_MX_LOOKUP,   /* @domain: the MX look-up is under way */
	PHASE_CONNECTING,  /* the connector resolves and connects */
	PHASE_HANDSHAKE,   /* TLS handshake in progress */
	PHASE_OPEN,        /* connected: typed lines go out, replies come in */
	PHASE_DATA_WAIT,   /* /data: DATA sent, waiting for 354 */
	PHASE_DATA,        /* /data: message text flowing */
	PHASE_BDAT,        /* /bdat: chunks going out, waiting for their replies */
	PHASE_CLOSED,      /* the connection ended (it may be opened again) */
	PHASE_COUNT
};

/* Phase changes kept for engine_phase_history. */
#define ENGINE_PHASE_HISTORY 64

enum engine_mech { MECH_PLAIN, MECH_LOGIN, MECH_CRAM_MD5, MECH_XOAUTH2 };

struct engine_auth {
	bool active;           /* an /auth exchange is running */
	bool awaiting_secret;  /* ENGINE_NEED_SECRET was answered; waiting for the password */
	enum engine_mech mech;
	char *user;
	char *secret;
	int logins;            /* LOGIN: challenges answered so far */
	int challenges;        /* 334s answered in this exchange */
	bool cancelled;        /* "*" sent: the exchange was given up (RFC 4954) */
};

struct engine {
	struct engine_config config;
	char *cafile, *dns_server, *helo_name;
	struct transcript *transcript;
	struct session *session;
	struct reply_parser *parser;
	enum engine_phase phase;
	struct engine_phase_change history[ENGINE_PHASE_HISTORY];
	size_t history_count;     /* changes so far; the last ENGINE_PHASE_HISTORY are kept */
	struct net_connector *connector;
	struct mx_query *mx_query;   /* @domain: the MX look-up under way */
	int mx_wait_ms;              /* the next wait before asking it again */
	int mx_port;
	int fd;
	struct tls *tls;
	bool tls_wants_write;     /* the last TLS call asked for POLLOUT */
	bool starttls_handshake;  /* the handshake follows STARTTLS (not implicit TLS) */
	bool auto_starttls_done;  /* ENGINE_TLS_STARTTLS: STARTTLS already sent once */
	bool auto_ehlo;           /* send EHLO again once STARTTLS's handshake is done */
	bool verified;
	bool quit_sent;
	bool closing;             /* 221 or 421 seen: a close is expected */
	int64_t close_wait_until_us; /* and waited for until then (engine_expect_close) */
	char *target, *host, *address;
	int port, default_port;
	char *last_target;
	int last_default_port;
	/* the one target whose unverified certificate is accepted (the practice server's) */
	char *unverified_target, *unverified_why;
	char ehlo_line[300];
	/* output */
	char *out;
	size_t out_len, out_cap;
	/* /data and /bdat */
	struct message_file *message;
	char *message_name;
	long long message_sent;
	size_t bdat_chunk;
	char *bdat_buf;
	int bdat_in_flight;       /* chunks sent and not answered yet */
	bool bdat_last_sent;      /* the LAST chunk is out */
	size_t message_lines;
	char *log_line;           /* the message line being assembled for the transcript */
	size_t log_len;
	bool log_cut;
	struct engine_auth auth;
	int64_t activity_us;      /* last byte sent or received */
	/* The reply timeout runs from the moment a command has left (or the previous reply ended)
	 * to the end of its reply, however many bytes trickle in meanwhile. */
	int64_t wait_start_us;
	size_t wait_rx;           /* octets received since wait_start_us */
	int64_t first_rx_us;      /* the first and last of them arrived */
	int64_t last_rx_us;
	int64_t write_progress_us;/* output pending: when the server last took some of it */
	bool read_more;           /* the read budget ran out with bytes still to read */
	size_t unsolicited;       /* replies no command asked for kept, this connection */
	size_t unsolicited_bytes; /* and the octets of their lines */
	bool flooded;             /* past the cap: the rest are counted only */
	size_t unsolicited_dropped; /* of those, not kept (a flood), not yet reported */
	int64_t pregreet_us;      /* the last line that was no greeting came before the greeting;
	                           * 0: none is waiting to be taken as the greeting */
	int64_t handshake_start_us;
	int64_t last_latency_us;
	int last_code;
	char last_after[24];
	char *suggestions[ENGINE_MAX_SUGGEST];
	char state_text[48];
	void (*listener)(void *ctx, size_t entry);
	void *listener_ctx;
	size_t notified;
};

/* ---- engine.c: phases, the transcript, lifecycle ---- */

/* Moves the engine to phase: the one place the phase changes; each change is remembered. */
void engine_enter_phase(struct engine *e, enum engine_phase phase);
/* The connection is open (PHASE_OPEN or a message being streamed over it). */
bool engine_is_open(const struct engine *e);
/* /data or /bdat is under way. */
bool engine_is_streaming(const struct engine *e);
/* An MX look-up or a connect is under way. */
bool engine_is_connecting(const struct engine *e);
/* Tells the listener of the entries recorded since it was last told. */
void engine_notify(struct engine *e);
/* Records an entry (text copied) and tells the listener; returns its index. */
size_t engine_record(struct engine *e, enum transcript_kind kind, const char *event, bool secret,
    const char *text);
size_t engine_recordf(struct engine *e, enum transcript_kind kind, const char *event,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Records text that quotes the peer as one escaped entry per line. */
void engine_record_lines(struct engine *e, enum transcript_kind kind, const char *text);
/* Drops the connection (no QUIT) and everything tied to it: phase "closed". */
void engine_close_connection(struct engine *e);
/* An ERROR entry with event and text, then the connection dropped. */
void engine_fail(struct engine *e, const char *event, const char *text);

/* ---- engine_status.c ---- */
void engine_free_suggestions(struct engine *e);

/* ---- engine_io.c: the output buffer and reads ---- */

/* Room for len more bytes of output (the old block wiped when it moves). */
void engine_out_reserve(struct engine *e, size_t len);
/* Drops the first n bytes of output and wipes what they leave behind. */
void engine_out_consume(struct engine *e, size_t n);
void engine_out_append(struct engine *e, const void *data, size_t len);
/* Writes what the socket takes now; the rest waits for POLLOUT. */
void engine_flush(struct engine *e);
/* Queues one line (CRLF added), recorded as shown when it carries a secret, told to the
 * session. */
void engine_send_line(struct engine *e, const char *line, const char *shown);
/* Reads what the server sent, a bounded amount per turn. */
void engine_read(struct engine *e);

/* ---- engine_reply.c ---- */
void engine_note_dropped(struct engine *e);
/* A complete reply: the session, the transcript, and whoever waits for it. Frees reply or
 * hands it to the transcript. */
void engine_handle_reply(struct engine *e, struct reply *reply);

/* ---- engine_tls.c ---- */
void engine_tls_begin(struct engine *e, bool after_starttls);
void engine_tls_handshake(struct engine *e);
/* STARTTLS's 220: throws away what came after it, then starts the handshake. */
void engine_tls_starttls_go(struct engine *e);
/* --starttls: after the first EHLO's positive reply, STARTTLS (or why not). */
void engine_tls_after_ehlo(struct engine *e);

/* ---- engine_auth.c ---- */
void engine_auth_reset(struct engine *e);
/* A reply during AUTH: a 334 answered, or the exchange's end noted. */
void engine_auth_reply(struct engine *e, const struct reply *kept,
    const struct session_outcome *o);
enum engine_result engine_local_auth(struct engine *e, const struct command *cmd, unsigned flags,
    struct engine_answer *answer);

/* ---- engine_stream.c: /data and /bdat ---- */

/* Lets go of the message (file and buffers), whatever the phase. */
void engine_stream_free(struct engine *e);
/* The message is done with: back to "open". */
void engine_stream_stop(struct engine *e);
/* Tops up the output buffer with message text during /data, then the final dot. */
void engine_stream_refill(struct engine *e);
/* The reply to DATA or to a BDAT chunk, for the message being streamed. */
void engine_stream_reply(struct engine *e, const struct reply *kept,
    const struct session_outcome *o);
enum engine_result engine_local_message(struct engine *e, const struct command *cmd, bool bdat,
    unsigned flags, struct engine_answer *answer);

/* ---- engine_connect.c ---- */
void engine_connected(struct engine *e, int fd, char *address);
void engine_mx_finished(struct engine *e);
/* Drives the connector (revents from poll, or 0 to ask after its deadlines). */
void engine_connector_step(struct engine *e, short revents);

/* ---- engine_timer.c ---- */
/* A new wait for a reply begins: the reply timeout counts from here. */
void engine_reply_wait_start(struct engine *e);
/* Acts on whatever deadline passed. */
void engine_check_timers(struct engine *e);
/* A 221 or 421 arrived: the close is expected, and waited for a short while. */
void engine_expect_close(struct engine *e);
/* True while a close that a 221 or 421 announced is waited for. */
bool engine_close_pending(const struct engine *e);

/* ---- engine_submit.c: typed lines ---- */
enum engine_result engine_answer_text(struct engine_answer *answer, enum engine_result result,
    char *text);
enum engine_result engine_not_connected(const struct engine *e, struct engine_answer *answer);
/* A line the user means for the server, after any guidance. */
void engine_send_user_line(struct engine *e, const char *line);
/* Guidance for a group of lines; true when the caller must return the warning. */
bool engine_guidance(struct engine *e, const char *const *lines, size_t n, long long size,
    unsigned flags, struct engine_answer *answer);

/* ---- engine_local.c ---- */
enum engine_result engine_submit_local(struct engine *e, const char *line, unsigned flags,
    struct engine_answer *answer);

#endif
