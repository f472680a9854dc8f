/* frontend.h: what the client's two front ends (batch mode and the screen) are handed by the
 * client's entry: the engine, the knowledge base, the practice server and the options they
 * share. Only the names of those modules: a file that calls one includes its header. */
#ifndef SMTPSCOPE_FRONTEND_H
#define SMTPSCOPE_FRONTEND_H

#include <stdbool.h>

struct engine;
struct kb;
struct practice;

struct frontend {
	struct engine *engine;
	struct kb *kb;
	struct practice *practice;    /* the built-in practice server, or NULL for a real host */
	const char *target;           /* what the user asked to connect to (NULL: practice) */
	const char *help_dir;
	const char *lang;
	bool no_color;
	bool show_secrets;
	bool explain_all;             /* batch: full explanations instead of one-line glosses */
	bool stop_on_failure;         /* batch: stop at the first negative reply */
	const char *transcript_path;  /* --transcript FILE: saved when the session ends */
};

#endif
