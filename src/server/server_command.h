/* server_command.h: the practice server's SMTP command grammar, apart from any I/O: splits a
 * command line into its verb and arguments, and parses the paths and parameters of MAIL and
 * RCPT (RFC 5321 section 4.1, RFC 1870, 6152, 3461, 6531, 4954). Pure functions, no allocation
 * beyond what the results say; fed one line at a time by the session layer. */
#ifndef SMTPSCOPE_SERVER_COMMAND_H
#define SMTPSCOPE_SERVER_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest verb we look at; anything longer is not a verb. */
#define SERVER_VERB_MAX 12

enum server_verb {
	VERB_UNKNOWN,
	VERB_HELO, VERB_EHLO, VERB_MAIL, VERB_RCPT, VERB_DATA, VERB_BDAT, VERB_RSET,
	VERB_VRFY, VERB_EXPN, VERB_HELP, VERB_NOOP, VERB_QUIT, VERB_STARTTLS, VERB_AUTH,
	/* Known verbs the practice server does not implement (502). */
	VERB_ETRN, VERB_TURN, VERB_ATRN, VERB_SEND, VERB_SOML, VERB_SAML, VERB_LHLO,
	VERB_XCLIENT, VERB_XFORWARD,
	VERB_COUNT
};

/* A command line split in place: verb in upper case, args pointing into the line. */
struct server_command {
	enum server_verb verb;
	char verb_text[SERVER_VERB_MAX + 1]; /* as sent, upper-cased (truncated when too long) */
	const char *args;                    /* after the verb and its spaces; "" when none */
	size_t args_len;
	bool has_nul;                        /* the line holds a NUL byte */
	bool has_8bit;                       /* the line holds bytes over 0x7f */
	bool has_ctl;                        /* other control bytes (bare CR, ESC, ...) */
};

/* Splits a line (without CRLF, len bytes, may hold NULs) into a command. Returns 0, or -1 when
 * the line has no verb at all (empty, or starts with a space). */
int server_command_parse(const char *line, size_t len, struct server_command *cmd);

/* The upper-case name of a verb ("MAIL"), or "?" for VERB_UNKNOWN. */
const char *server_verb_name(enum server_verb verb);

/* What went wrong in a MAIL or RCPT argument; each maps to one reply in the session. */
enum server_path_error {
	PATH_OK,
	PATH_NO_PREFIX,      /* "FROM:" / "TO:" missing: 501 5.5.4 */
	PATH_SYNTAX,         /* no <...>, unbalanced, bad characters: 501 5.1.7 / 5.1.3 */
	PATH_NEEDS_UTF8,     /* non-ASCII address without SMTPUTF8: 553 5.6.7 */
	PATH_PARAM_SYNTAX,   /* a parameter is malformed: 501 5.5.4 */
	PATH_PARAM_UNKNOWN,  /* a parameter we do not know: 555 5.5.4 */
	PATH_PARAM_TWICE,    /* the same parameter twice: 501 5.5.4 */
};

enum server_body { BODY_UNSET, BODY_7BIT, BODY_8BITMIME, BODY_BINARYMIME };

/* A parsed MAIL FROM or RCPT TO. The address is copied into addr (local@domain or empty for
 * the null path <>); over-long addresses are a syntax error. */
#define SERVER_ADDR_MAX 320
struct server_path {
	char addr[SERVER_ADDR_MAX + 1];
	bool null_path;          /* <> */
	bool has_8bit;           /* the address holds UTF-8 */
	/* MAIL parameters */
	bool has_size; uint64_t size;
	enum server_body body;
	bool smtputf8;
	bool has_ret; bool has_envid; bool has_auth;
	/* RCPT parameters */
	bool has_notify; bool has_orcpt;
	char bad_param[64];      /* the offending parameter, for the reply text */
};

/* Parses the arguments of MAIL (is_mail) or RCPT: "FROM:<a@b> SIZE=10 BODY=8BITMIME".
 * One space after the colon is tolerated, as many clients send it. */
enum server_path_error server_path_parse(const char *args, size_t len, bool is_mail,
    struct server_path *path);

/* Splits "local@domain" of a parsed address (no copy): the domain part, or NULL when the
 * address has no '@' (e.g. "postmaster"). */
const char *server_addr_domain(const char *addr);

#endif
