/* client.c: not written yet. */
#include "config.h"

#include <stdio.h>

#include "frontend.h"

int client_main(int argc, char **argv) { (void)argc; (void)argv; fputs("smtpscope: the client is not built yet\n", stderr); return 2; }
void client_print_options(FILE *out) { (void)out; }
