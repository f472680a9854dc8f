/* server_main.c: not written yet. */
#include "config.h"

#include <stdio.h>

#include "frontend.h"

int server_main(int argc, char **argv) { (void)argc; (void)argv; fputs("smtpscope: serve is not built yet\n", stderr); return 2; }
