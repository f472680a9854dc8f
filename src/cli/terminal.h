/* terminal.h: facts about the terminal the command-line front ends print to. */
#ifndef SMTPSCOPE_CLI_TERMINAL_H
#define SMTPSCOPE_CLI_TERMINAL_H

/* The width to wrap text at: standard output's terminal, else $COLUMNS (20..1000), else 80. */
int cli_terminal_width(void);

#endif
