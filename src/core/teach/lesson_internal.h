/* lesson_internal.h: what the lesson files share and nothing outside core/teach/ sees: the
 * compiled form of a lesson (its steps, their check and wrong patterns), the set of loaded
 * lessons, a learner's progress, and the check patterns' parser and matchers. */
#ifndef SMTPSCOPE_LESSON_INTERNAL_H
#define SMTPSCOPE_LESSON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/teach/lesson.h"
#include "core/proto/session.h"

/* A lesson file bigger than this is surely not a lesson file. */
#define LESSON_FILE_MAX (1024u * 1024)
/* How much of a server's reply line a hint quotes. */
#define LESSON_QUOTE_MAX 160
#define LESSON_VARS_MAX 8

enum check_kind {
	CHECK_REPLY,             /* reply CODE [ENHANCED] [after VERB] */
	CHECK_SENT,              /* sent VERB */
	CHECK_MESSAGE_ACCEPTED,  /* message-accepted: 2xx to the final dot or the last BDAT */
	CHECK_DOT_STUFFED,       /* dot-stuffed: a message line went out with its dot doubled */
	CHECK_INFO,              /* info TEXT: smtpscope's own output (/b64, decoded 334) */
	CHECK_WARNING,           /* warning KEY: smtpscope warned (event key, "rcpt-before-mail") */
	/* the rest look at the session as it is now, not at one entry */
	CHECK_STATE,             /* state NAME */
	CHECK_CAPABILITY,        /* capability KEYWORD: in the latest EHLO reply */
	CHECK_TLS,
	CHECK_AUTHENTICATED,
	CHECK_CONNECTED,
	CHECK_CLOSED,
};

struct check {
	enum check_kind kind;
	char code[4];            /* "250", "4xx" */
	char enhanced[16];       /* "5.1.1", "4.x.x", or "" for any */
	char *word;              /* verb, state, keyword or info text; NULL when unused */
	char *after;             /* the command a reply must answer, or NULL for any */
};

struct wrong {
	struct check check;
	char *hint;
};

struct step {
	char *title, *try_text, *expect, *hint, *check_text;
	struct check *checks;
	size_t nchecks;
	struct wrong *wrongs;
	size_t nwrongs;
};

struct lesson {
	char *name, *title, *summary, *scenario, *description, *done;
	struct step *steps;
	size_t nsteps;
};

struct lesson_set {
	struct lesson **lessons;
	size_t nlessons;
	char **diags;
	size_t ndiags;
};

struct lesson_progress {
	const struct lesson *lesson;
	size_t step;
	size_t step_start;       /* the first entry the current step may use */
	size_t fed;              /* entries fed so far */
	bool *satisfied;         /* per check of the current step (entry checks only) */
	size_t nsatisfied;
	char *hint;
	size_t hints;
	struct session *session; /* what the replies fed so far say (capabilities, TLS, AUTH),
	                          * for when no session status does */
	bool closed_seen;
	char *var_name[LESSON_VARS_MAX];
	char *var_value[LESSON_VARS_MAX];
	size_t nvars;
};

/* ---- check patterns (lesson_check.c) ---- */

/* The rest of cursor with its surrounding blanks trimmed (in place). */
char *lesson_rest_of(char *cursor);
/* Compiles one `check:` pattern into *c; NULL when it is good, else why it is not (c is left
 * cleared). c owns what it holds: free it with lesson_check_clear(). */
const char *lesson_check_parse(const char *text, struct check *c);
/* Frees what a compiled check holds. */
void lesson_check_clear(struct check *c);
/* True for a check one transcript entry satisfies (the rest look at the session as it is). */
bool lesson_check_is_entry_kind(const struct check *c);
/* Does this entry (tr: its reply when it is a reply's last line) satisfy an entry check? */
bool lesson_check_entry_matches(const struct check *c, const struct transcript_entry *en,
    const struct transcript_reply *tr);
/* Does a check about the session as it is now hold (st may be NULL: then p's tracker says)? */
bool lesson_check_status_holds(const struct lesson_progress *p, const struct check *c,
    const struct lesson_status *st);

#endif
