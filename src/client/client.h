/* client.h: the client's entry, where main() goes when no subcommand is named: the global
 * options, then batch mode or the screen. */
#ifndef SMTPSCOPE_CLIENT_H
#define SMTPSCOPE_CLIENT_H

#include <stdio.h>

/* Runs a session as argv asks (argv[0] is the program); returns the process exit status. */
int client_main(int argc, char **argv);
/* Writes the client's options, one per line, for --help. */
void client_print_options(FILE *out);

#endif
