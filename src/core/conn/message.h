/* message.h: a message file as it goes on the wire, for /data and /bdat. */
#ifndef SMTPSCOPE_MESSAGE_H
#define SMTPSCOPE_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

/* Streams a message file as it goes on the wire: every line ending made CRLF (a final one added
 * when missing) and, for DATA, lines starting with '.' dot-stuffed (RFC 5321 section 4.5.2).
 * The file is read in small pieces, never held whole. */
struct message_file;

struct message_file *message_file_open(const char *path, bool dot_stuff, char **errstr);
/* The size on the wire (after normalising), counted once at open. */
long long message_file_size(const struct message_file *message);
/* Fills buf with up to cap wire bytes; returns how many, 0 at the end, -1 on a read error. */
long message_file_read(struct message_file *message, char *buf, size_t cap);
void message_file_close(struct message_file *message);

#endif
