/* sasl.h: SASL payloads for AUTH (PLAIN, LOGIN, CRAM-MD5, XOAUTH2) and base64, both sides of the wire. */
#ifndef SMTPSCOPE_SASL_H
#define SMTPSCOPE_SASL_H

#include <stddef.h>

/* Base64-encodes len bytes; returns a new NUL-terminated string the caller frees. */
char *sasl_b64_encode(const void *data, size_t len);

/* Decodes base64 text (surrounding spaces ignored). Returns a new buffer with a NUL after the
 * data (the data itself may hold NULs) and its length in *out_len, or NULL when text is not
 * valid base64. An empty text decodes to an empty buffer. */
unsigned char *sasl_b64_decode(const char *text, size_t *out_len);

/* True when every byte of a decoded buffer is printable ASCII or space, so it can be shown. */
int sasl_is_printable(const unsigned char *data, size_t len);

/* AUTH PLAIN initial response: base64 of authzid NUL user NUL pass (authzid may be NULL). */
char *sasl_plain_response(const char *authzid, const char *user, const char *pass);

/* Server side of PLAIN: splits a base64 response into its three parts (each newly allocated).
 * Returns 0 on success, -1 when the payload is not base64 or not three NUL-separated parts. */
int sasl_plain_parse(const char *b64, char **authzid, char **user, char **pass);

/* CRAM-MD5 (RFC 2195): the base64 response "user hex(HMAC-MD5(pass, challenge))" to a base64
 * challenge, or NULL when the challenge is not base64. */
char *sasl_cram_md5_response(const char *challenge_b64, const char *user, const char *pass);

/* The lower-case hex HMAC-MD5 of a plain challenge keyed by pass (what the server expects). */
char *sasl_cram_md5_digest(const char *challenge, const char *pass);

/* XOAUTH2 initial response: base64 of "user=U^Aauth=Bearer T^A^A". */
char *sasl_xoauth2_response(const char *user, const char *token);

#endif
