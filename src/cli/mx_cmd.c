/* mx_cmd.c: not written yet. */
#include "config.h"

#include <stdio.h>

#include "frontend.h"

int cli_mx_main(int argc, char **argv) { (void)argc; (void)argv; fputs("smtpscope: mx is not built yet\n", stderr); return 2; }
