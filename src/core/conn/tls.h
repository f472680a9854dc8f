/* tls.h: the client's TLS behind one small opaque seam (OpenSSL stays inside tls.c): a
 * non-blocking handshake over a connected socket, reads and writes, the verification result in
 * plain words with its event key, and the certificate details /tls shows. */
#ifndef SMTPSCOPE_TLS_H
#define SMTPSCOPE_TLS_H

#include <stdbool.h>
#include <stddef.h>

enum tls_io {
	TLS_IO_OK,          /* done (bytes moved, or the handshake finished) */
	TLS_IO_WANT_READ,   /* call again when the socket is readable */
	TLS_IO_WANT_WRITE,  /* call again when the socket is writable */
	TLS_IO_CLOSED,      /* the peer closed the connection */
	TLS_IO_ERROR,       /* failed: *errstr says why */
};

struct tls;

/* Prepares TLS over the connected socket fd. host is the name the user asked for: sent as SNI
 * (unless it is an address literal) and checked against the certificate. cafile NULL means the
 * system CA store. NULL with *errstr set (caller frees) when OpenSSL cannot be set up. */
struct tls *tls_new(int fd, const char *host, const char *cafile, char **errstr);
void tls_free(struct tls *tls);

/* Advances the handshake; TLS_IO_OK once it is done. Verification failures do not stop the
 * handshake: ask tls_verified afterwards and decide. */
enum tls_io tls_handshake(struct tls *tls, char **errstr);

/* Reads up to cap decrypted bytes (*got set). Call again while tls_pending is true. */
enum tls_io tls_read(struct tls *tls, void *buf, size_t cap, size_t *got, char **errstr);
/* Writes up to len bytes (*written set; partial writes happen). */
enum tls_io tls_write(struct tls *tls, const void *data, size_t len, size_t *written,
    char **errstr);
/* True when OpenSSL holds decrypted bytes that poll() will not announce. */
bool tls_pending(const struct tls *tls);
/* Sends close_notify (best effort, never blocks). */
void tls_shutdown(struct tls *tls);

/* After the handshake: did the certificate verify (chain and name)? */
bool tls_verified(const struct tls *tls);
/* OpenSSL's words for the verification result ("certificate has expired"). */
const char *tls_verify_words(const struct tls *tls);
/* Our explanation's event key: tls-verify-expired, -self-signed, -name-mismatch,
 * -unknown-issuer, -not-yet-valid, -failed; NULL when verified. */
const char *tls_verify_event(const struct tls *tls);
/* "TLSv1.3" and the cipher suite name. */
const char *tls_version(const struct tls *tls);
const char *tls_cipher(const struct tls *tls);

/* The certificate details for /tls: subject, SANs, issuer, validity, the chain, protocol,
 * cipher and the verification result, as text lines (a new string the caller frees). */
char *tls_describe(const struct tls *tls);

#endif
