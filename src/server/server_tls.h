/* server_tls.h: TLS for the practice server behind a small opaque interface, so the session
 * code never touches OpenSSL: a context with its certificate (generated in memory when none is
 * given), and non-blocking per-connection handshake, read and write. */
#ifndef SMTPSCOPE_SERVER_TLS_H
#define SMTPSCOPE_SERVER_TLS_H

#include <stddef.h>
#include <sys/types.h>

struct server_tls_ctx;
struct server_tls;

/* Results of the non-blocking calls besides byte counts. */
#define SERVER_TLS_WANT_READ   (-2)
#define SERVER_TLS_WANT_WRITE  (-3)
#define SERVER_TLS_ERROR       (-1)

/* A server context. With cert_file and key_file NULL, a self-signed certificate for hostname
 * (plus localhost and 127.0.0.1) is generated in memory. NULL with *errstr set on failure. */
struct server_tls_ctx *server_tls_ctx_new(const char *cert_file, const char *key_file,
    const char *hostname, char **errstr);
void server_tls_ctx_free(struct server_tls_ctx *ctx);
/* The certificate's SHA-256 fingerprint as colon-separated hex, and its subject. */
const char *server_tls_ctx_fingerprint(const struct server_tls_ctx *ctx);
const char *server_tls_ctx_subject(const struct server_tls_ctx *ctx);

/* A connection on a non-blocking socket the caller keeps owning. */
struct server_tls *server_tls_new(struct server_tls_ctx *ctx, int fd);
void server_tls_free(struct server_tls *tls);

/* Drives the handshake: 1 when done, SERVER_TLS_WANT_*, or SERVER_TLS_ERROR with *errstr set
 * (caller frees). */
int server_tls_handshake(struct server_tls *tls, char **errstr);
/* Reads up to len bytes: > 0 bytes, 0 on a clean close, SERVER_TLS_WANT_*, SERVER_TLS_ERROR. */
ssize_t server_tls_read(struct server_tls *tls, void *buf, size_t len);
/* Writes up to len bytes: > 0 bytes written, SERVER_TLS_WANT_*, SERVER_TLS_ERROR. */
ssize_t server_tls_write(struct server_tls *tls, const void *buf, size_t len);
/* True when decrypted bytes wait inside OpenSSL (poll() will not report them). */
int server_tls_pending(const struct server_tls *tls);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384" once the handshake is done. */
const char *server_tls_description(struct server_tls *tls);
/* Sends close_notify without waiting for the peer's. */
void server_tls_shutdown(struct server_tls *tls);

#endif
