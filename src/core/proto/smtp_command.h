/* smtp_command.h: the SMTP command grammar, apart from any I/O: the verbs as an enum, a command
 * line split into its verb, argument and ESMTP parameters, and the paths and parameters of MAIL
 * and RCPT (RFC 5321 section 4.1, RFC 1870, 6152, 3461, 6531, 4954). Pure functions, no
 * allocation; used by the client's session tracker, the practice server, the capture readers and
 * the lessons, so that they all read a command line the same way. */
#ifndef SMTPSCOPE_SMTP_COMMAND_H
#define SMTPSCOPE_SMTP_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest verb recognised; a longer word is not a verb. */
#define SMTP_VERB_MAX 12
/* Bytes of the first word kept in verb_text (longer words are truncated). */
#define SMTP_VERB_TEXT_MAX 15

enum smtp_verb {
	SMTP_VERB_UNKNOWN,
	SMTP_VERB_HELO, SMTP_VERB_EHLO, SMTP_VERB_MAIL, SMTP_VERB_RCPT, SMTP_VERB_DATA,
	SMTP_VERB_BDAT, SMTP_VERB_RSET, SMTP_VERB_VRFY, SMTP_VERB_EXPN, SMTP_VERB_HELP,
	SMTP_VERB_NOOP, SMTP_VERB_QUIT, SMTP_VERB_STARTTLS, SMTP_VERB_AUTH,
	/* Known verbs the practice server does not implement (502). */
	SMTP_VERB_ETRN, SMTP_VERB_TURN, SMTP_VERB_ATRN, SMTP_VERB_SEND, SMTP_VERB_SOML,
	SMTP_VERB_SAML, SMTP_VERB_LHLO, SMTP_VERB_XCLIENT, SMTP_VERB_XFORWARD,
	SMTP_VERB_COUNT
};

/* How strictly a line is read.
 *   SMTP_PARSE_WIRE   as a server reads it (RFC 5321 section 4.1.1): the verb is everything up
 *                     to the first space; a line that starts with a space has no verb.
 *   SMTP_PARSE_TYPED  as a person types it or a capture shows it: leading blanks are skipped and
 *                     the verb is the leading run of letters, digits, '-' and '_' (so "mail
 *                     from:<a>" and "MAIL:FROM" both give MAIL). */
enum smtp_parse_mode { SMTP_PARSE_WIRE, SMTP_PARSE_TYPED };

/* A command line split in place: verb in upper case, args pointing into the line. */
struct smtp_command {
	enum smtp_verb verb;
	char verb_text[SMTP_VERB_TEXT_MAX + 1]; /* as sent, upper-cased; truncated when too long
	                                         * (at SMTP_VERB_MAX in SMTP_PARSE_WIRE) */
	const char *args;                    /* after the verb and its spaces; "" when none */
	size_t args_len;                     /* without trailing spaces */
	bool has_nul;                        /* the line holds a NUL byte */
	bool has_8bit;                       /* the line holds bytes over 0x7f */
	bool has_ctl;                        /* other control bytes (bare CR, ESC, ...) */
};

/* Splits a line (without CRLF, len bytes, may hold NULs) into a command. Returns 0, or -1 when
 * the line has no verb at all (empty, or starts with a space when read off the wire). */
int smtp_command_parse_mode(const char *line, size_t len, enum smtp_parse_mode mode,
    struct smtp_command *cmd);
/* The same, read off the wire (SMTP_PARSE_WIRE). */
int smtp_command_parse(const char *line, size_t len, struct smtp_command *cmd);

/* The verb a line typed or captured starts with (SMTP_PARSE_TYPED), upper case, into buf ("MAIL"
 * from "mail from:<a@b>"); "" when it does not start with a word. Returns its verb enum. */
enum smtp_verb smtp_command_verb(const char *line, size_t len, char *buf, size_t size);

/* The upper-case name of a verb ("MAIL"), or "?" for SMTP_VERB_UNKNOWN. */
const char *smtp_verb_name(enum smtp_verb verb);
/* The verb named word (len bytes, any case), SMTP_VERB_UNKNOWN when it is none. */
enum smtp_verb smtp_verb_lookup(const char *word, size_t len);

/* The value of the ESMTP parameter key ("SIZE") among a command's arguments (" KEY=value"
 * words after the first): *value and *value_len point into the line. False when absent. */
bool smtp_command_param(const struct smtp_command *cmd, const char *key, const char **value,
    size_t *value_len);

/* What went wrong in a MAIL or RCPT argument; each maps to one reply in the session. */
enum smtp_path_error {
	SMTP_PATH_OK,
	SMTP_PATH_NO_PREFIX,      /* "FROM:" / "TO:" missing: 501 5.5.4 */
	SMTP_PATH_SYNTAX,         /* no <...>, unbalanced, bad characters: 501 5.1.7 / 5.1.3 */
	SMTP_PATH_NEEDS_UTF8,     /* non-ASCII address without SMTPUTF8: 553 5.6.7 */
	SMTP_PATH_PARAM_SYNTAX,   /* a parameter is malformed: 501 5.5.4 */
	SMTP_PATH_PARAM_UNKNOWN,  /* a parameter we do not know: 555 5.5.4 */
	SMTP_PATH_PARAM_TWICE,    /* the same parameter twice: 501 5.5.4 */
};

enum smtp_body { SMTP_BODY_UNSET, SMTP_BODY_7BIT, SMTP_BODY_8BITMIME, SMTP_BODY_BINARYMIME };

/* A parsed MAIL FROM or RCPT TO. The address is copied into addr (local@domain or empty for
 * the null path <>); over-long addresses are a syntax error. */
#define SMTP_ADDR_MAX 320
struct smtp_path {
	char addr[SMTP_ADDR_MAX + 1];
	bool null_path;          /* <> */
	bool has_8bit;           /* the address holds UTF-8 */
	/* MAIL parameters */
	bool has_size; uint64_t size;
	enum smtp_body body;
	bool smtputf8;
	bool has_ret; bool has_envid; bool has_auth;
	/* RCPT parameters */
	bool has_notify; bool has_orcpt;
	char bad_param[64];      /* the offending parameter, for the reply text */
};

/* Parses the arguments of MAIL (is_mail) or RCPT: "FROM:<a@b> SIZE=10 BODY=8BITMIME".
 * One space after the colon is tolerated, as many clients send it. */
enum smtp_path_error smtp_path_parse(const char *args, size_t len, bool is_mail,
    struct smtp_path *path);

/* Splits "local@domain" of a parsed address (no copy): the domain part, or NULL when the
 * address has no '@' (e.g. "postmaster"). */
const char *smtp_addr_domain(const char *addr);

#endif
