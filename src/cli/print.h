/* print.h: how the command-line front ends that run a session (batch mode, lessons) print it:
 * one line per transcript entry with the wire bytes escaped, blocks of text behind a mark,
 * rendered explanations, and the echo of a local command. All of it goes to standard output. */
#ifndef SMTPSCOPE_CLI_PRINT_H
#define SMTPSCOPE_CLI_PRINT_H

#include <stdbool.h>

struct explanation;
struct kb;
struct transcript_entry;
struct transcript_reply;

/* The width explanations are rendered at, leaving room for a mark in front. */
#define CLI_EXPLAIN_WIDTH 76

/* One entry as a line: "C: " or "S: " and the bytes escaped (CR, LF, TAB by name, every other
 * control or 8-bit byte as \xHH, a backslash doubled), or an event's text behind "-- ", a
 * warning's behind "!! ", an error's behind "** ", a note's behind ".. ". */
void cli_print_entry(const struct transcript_entry *en);

/* What a gloss line shows besides the code and its title (cli_print_gloss). */
#define CLI_GLOSS_ENHANCED 0x01u  /* the enhanced code and its title */
#define CLI_GLOSS_LATENCY  0x02u  /* how long the reply took */
#define CLI_GLOSS_CLASS    0x04u  /* without a title in the knowledge base, the reply class in
                                   * words (else no line at all) */
#define CLI_GLOSS_FULL (CLI_GLOSS_ENHANCED | CLI_GLOSS_LATENCY | CLI_GLOSS_CLASS)

/* One line under a reply: "    -> 250 title [2.1.0: title] (0.3 ms)", the parts as asked. */
void cli_print_gloss(const struct kb *kb, const struct transcript_reply *tr, unsigned parts);

/* Every line of text behind prefix. A blank line gets the prefix only up to its first space,
 * so a block keeps its mark and no line ends in spaces. */
void cli_print_prefixed(const char *text, const char *prefix);

/* x rendered as text behind prefix; frees x. Nothing for NULL. */
void cli_print_explanation(struct explanation *x, const char *prefix);

/* A local command's result meant for the user's eyes only (a /b64 result, which may be a
 * password) as "=> TEXT". The engine built it with odd bytes already escaped, so only control
 * bytes (typed into a script) are escaped here. Nothing for NULL. */
void cli_print_result(const char *text);

/* Echoes a typed line that is a local command ("/auth ...", not "//..." and not inside a
 * message) as "> LINE", with the password of /auth masked. */
void cli_print_local_command(const char *line, bool in_data);

#endif
