/* screen.h: the screen's entry for a live session, as the client's entry starts it. The screen's
 * insides are in tui.h, which only src/tui includes. */
#ifndef SMTPSCOPE_TUI_SCREEN_H
#define SMTPSCOPE_TUI_SCREEN_H

struct frontend;

/* Runs the screen on frontend's engine until the user quits; returns the exit status. */
int tui_run(struct frontend *frontend);

#endif
