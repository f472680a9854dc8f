/* net.h: sockets for the client: target parsing (HOST, HOST:PORT, [v6]:PORT), name resolution,
 * a non-blocking connector that tries each address in turn with a timeout, and failures in plain
 * words with the knowledge base event key that explains them. */
#ifndef SMTPSCOPE_NET_H
#define SMTPSCOPE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Splits "HOST", "HOST:PORT", "[v6addr]:PORT", "[v6addr]" or a bare IPv6 address into a new host
 * string (brackets removed) and a port (default_port when none is given). Returns 0, or -1 with
 * *errstr set (caller frees). */
int net_parse_target(const char *target, int default_port, char **host, int *port,
    char **errstr);

/* True when host is an IPv4 or IPv6 address literal (no name to resolve, no SNI to send). */
bool net_is_address(const char *host);

/* A failure number (errno or a getaddrinfo code) in plain words, and the knowledge base event
 * key that explains it ("connect-refused", "unreachable", "connect-timeout", "reset", ...). */
const char *net_error_words(int err);
const char *net_error_event(int err);

/* How a connector reports progress: an event key (may be NULL), the text, and whether it is a
 * failure (true) or plain news. */
typedef void (*net_note_fn)(void *ctx, const char *event, const char *text, bool failure);

struct net_connector;

/* Starts resolving host in the background (getaddrinfo_a; address literals at once) and then
 * a non-blocking connect to each address in turn. NULL when it cannot even start (a literal
 * whose every address failed at once); the reason was reported through note, and *event is
 * set to the failure's event key. */
struct net_connector *net_connector_new(const char *host, int port, int timeout_ms,
    net_note_fn note, void *ctx, const char **event);
void net_connector_free(struct net_connector *connector);

/* The descriptor to poll (for POLLOUT; -1 while the name resolves) and the milliseconds until
 * the connector wants net_connector_step called again (short while resolving). */
int net_connector_fd(const struct net_connector *connector);
int net_connector_timeout_ms(const struct net_connector *connector);

/* Moves on after poll (or after a timeout): returns 1 when connected (*fd and *address, a new
 * string, are set; the connector no longer owns the socket), 0 while still trying (perhaps the
 * next address), -1 when every address failed (*event says how the last one failed). */
int net_connector_step(struct net_connector *connector, short revents, int *fd,
    char **address, const char **event);

/* send/recv that never raise SIGPIPE and retry on EINTR; return as send(2)/recv(2). */
ssize_t net_send(int fd, const void *data, size_t len);
ssize_t net_recv(int fd, void *buf, size_t cap);

#endif
