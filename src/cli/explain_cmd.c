/* explain_cmd.c: not written yet. */
#include "config.h"

#include <stdio.h>

#include "frontend.h"

int cli_explain_main(int argc, char **argv) { (void)argc; (void)argv; fputs("smtpscope: explain is not built yet\n", stderr); return 2; }
int cli_compare_main(int argc, char **argv) { (void)argc; (void)argv; fputs("smtpscope: compare is not built yet\n", stderr); return 2; }
