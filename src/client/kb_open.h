/* kb_open.h: the one way a front end loads the knowledge base: find the help folder, load it in
 * the language asked for, and say what went wrong the same way on every path. */
#ifndef SMTPSCOPE_KB_OPEN_H
#define SMTPSCOPE_KB_OPEN_H

struct kb;

/* A knowledge base as loaded for a front end, with where it came from. */
struct client_kb {
	struct kb *kb;       /* NULL when it did not load */
	char *help_dir;      /* the help folder found, or NULL */
	char *lang;          /* the language asked for ("en" by default) */
};

/* client_kb_open's flags. */
#define CLIENT_KB_REQUIRED 1u  /* without it the caller stops: no "not explained" note */
#define CLIENT_KB_WARN     2u  /* print its diagnostics and a missing language on stderr */

/* Loads the knowledge base from help_dir (NULL: the usual places) in lang (NULL: from the
 * environment) into out. When it does not load, prints why as "smtpscope CMD: ..." ("smtpscope:
 * ..." for a NULL cmd) and returns -1 when CLIENT_KB_REQUIRED; otherwise adds that replies will
 * not be explained and returns 0 with out->kb NULL. With CLIENT_KB_WARN, also prints its
 * diagnostics, and a note when lang has no help, as warnings on standard error. Free out with
 * client_kb_clear. */
int client_kb_open(struct client_kb *out, const char *cmd, const char *help_dir,
    const char *lang, unsigned flags);
void client_kb_clear(struct client_kb *kb);

/* Prints the knowledge base's diagnostics (a help file that does not parse) as warnings on
 * standard error; nothing for NULL. */
void client_kb_warn(const struct kb *kb);

#endif
