/* transcript_internal.h: what the transcript's store, writer and loader share, and the file
 * format they agree on. Private to src/core/record/transcript*.c.
 *
 * The file format (version 1):
 *
 *   # smtpscope transcript 1
 *   # Each line: UTC time, a mark ... (three comment lines saying how to read the file)
 *   2026-11-26T19:40:01.123456Z * connected to 127.0.0.1:2525<TAB>event="connected"
 *   2026-11-26T19:40:01.130000Z S: 220 mx.example.org ESMTP<TAB>(+6.544 ms) after="greeting"
 *   2026-11-26T19:40:02.000000Z C: EHLO me
 *   2026-11-26T19:40:02.012300Z S: 250-mx.example.org
 *   2026-11-26T19:40:02.012300Z S: 250 PIPELINING<TAB>(+12.300 ms) after="EHLO" state="greeting"
 *   2026-11-26T19:40:03.000000Z C: AUTH PLAIN ********<TAB>masked
 *
 * - The first line is exactly "# smtpscope transcript 1". Other lines starting with '#' are
 *   comments; empty lines are skipped; a line may end in LF or CRLF.
 * - An entry is: a UTC time stamp with microseconds, one space, a mark, then (unless the text is
 *   empty) one space and the text, then optionally a TAB and annotations. Marks: "C:" sent,
 *   "S:" received, "*" event, "!" warning, "E" error, "i" information.
 * - The text is escaped so the file is safe to cat and loads back to the exact bytes: every
 *   byte outside printable ASCII is written as \r \n \t \0 or \xHH, a backslash as \\, and a
 *   space at the very end of the text as \x20 (so editors that strip trailing spaces do no harm).
 *   A raw TAB therefore only ever starts the annotations.
 * - Annotations, separated by spaces:
 *     masked              the text was masked because it carried a secret (password, AUTH data)
 *     event="KEY"         the knowledge-base key of an event, warning or error
 *     (+12.345 ms)        on the last line of a reply: the reply is complete here, and its
 *     (latency unknown)   latency from the command that drew it (exact to the microsecond)
 *     after="VERB"        what drew the reply: a verb or a reply context's key ("greeting",
 *                         "DATA-END": session_outcome_key); state="KEY" the session state then
 *                         (a session_state_key such as "after-ehlo"; files saved before
 *                         states had keys hold words such as "after EHLO", read the same)
 *     lines=N             the reply really had N lines (the ones in between were not kept)
 *     violations=a,b      the reply's protocol violations (keys of reply_violation_key, or
 *                         "none"); when present, each line's own are given by
 *     line-violations=a,b on that line
 *     full=N              this line really had N bytes; only the first ones were kept
 *     no-reply            a received line that belongs to no reply
 *   Quoted values use the same escapes as the text, plus \" for a quote.
 * - Replies are rebuilt on loading by feeding the S: lines through the reply parser; a reply
 *   ends where the parser says it does or at a latency annotation, whichever comes first. The
 *   saved annotations then restore what the kept bytes alone cannot tell (latency, command,
 *   state, dropped lines and bytes, violations such as a bare LF). A hand-written file without
 *   annotations loads too: its replies simply have no latency. (A loaded reply's wire_len
 *   counts its kept lines with a CRLF each: the bytes on the wire are not all in the file.) */
#ifndef SMTPSCOPE_TRANSCRIPT_INTERNAL_H
#define SMTPSCOPE_TRANSCRIPT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/proto/reply.h"
#include "core/record/transcript.h"

#define TRANSCRIPT_MAGIC "# smtpscope transcript 1"
#define TRANSCRIPT_TIME_LEN 27  /* 2026-11-26T19:40:01.123456Z */

/* Moves a parsed reply into the transcript's storage (see transcript.c); returns its index. */
size_t transcript_store_reply(struct transcript *t, struct reply *reply, const size_t *entries,
    int64_t time_us, const char *after, const char *state, int64_t latency_us);

/* A time stamp as the file writes it (TRANSCRIPT_TIME_LEN characters and a NUL), and read back:
 * true when s (len bytes) starts with one. */
void transcript_format_time(int64_t us, char out[48]);
bool transcript_parse_time(const char *s, size_t len, int64_t *us);

/* Reads exactly n decimal digits at s into *out; false when one is not a digit. */
bool transcript_read_digits(const char *s, size_t n, unsigned *out);

#endif
