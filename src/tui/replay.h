/* replay.h: the screen replaying a saved or captured session instead of a live one: read-only,
 * stepping reply by reply, each explained as it was when it arrived. For `smtpscope replay`. */
#ifndef SMTPSCOPE_TUI_REPLAY_H
#define SMTPSCOPE_TUI_REPLAY_H

struct frontend;
struct transcript;

/* Shows transcript (owned by the caller, unchanged) in the screen; name is what the status bar
 * calls it (the file name). fe gives the knowledge base, the colours and the help folder;
 * fe->engine is not used. Returns the exit status. */
int tui_replay(struct frontend *fe, struct transcript *transcript, const char *name);

/* `smtpscope replay FILE` (replay_cmd.c): argv[0] is "replay"; returns the exit status. */
int cli_replay_main(int argc, char **argv);

#endif
