/* replay_driver.c: opens a saved transcript in the screen's replay, for the terminal tests
 * (the replay subcommand's own front end may add more; this is the screen part alone).
 * usage: replay_driver TRANSCRIPT */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kb.h"
#include "core/transcript.h"
#include "frontend.h"
#include "tui/replay.h"

int
main(int argc, char **argv)
{
	struct frontend fe;
	struct transcript *t;
	char *err = NULL, *dir, *lang;
	int status;

	if (argc != 2) {
		fprintf(stderr, "usage: replay_driver TRANSCRIPT\n");
		return 2;
	}
	setlocale(LC_ALL, "");
	memset(&fe, 0, sizeof fe);
	t = transcript_load(argv[1], &err);
	if (t == NULL) {
		fprintf(stderr, "replay_driver: %s\n", err);
		free(err);
		return 2;
	}
	dir = kb_find_dir(NULL, &err);
	lang = kb_pick_language(NULL);
	if (dir != NULL)
		fe.kb = kb_load(dir, lang, &err);
	free(err);
	status = tui_replay(&fe, t, argv[1]);
	transcript_free(t);
	kb_free(fe.kb);
	free(dir);
	free(lang);
	return status;
}
