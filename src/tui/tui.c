/* tui.c: not written yet. */
#include "config.h"

#include <stdio.h>

#include "frontend.h"

int tui_run(struct frontend *frontend) { (void)frontend; fputs("smtpscope: the screen is not built yet\n", stderr); return 2; }
